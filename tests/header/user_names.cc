// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
// The same program as user_names.c, compiled as C++ (extern "C" linkage,
// no C-only keywords or parameter names in the header).
#include "user_names.c"
