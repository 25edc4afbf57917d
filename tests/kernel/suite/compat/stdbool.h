/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* <stdbool.h> of the kernel build of the tests: see kcompat.h. */
#include "kcompat.h"
