// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <errno.h>

#include "support/errname.h"

const char *test_errname(int err)
{
	switch (err) {
	case 0:
		return "0";
	case -EINVAL:
		return "-EINVAL";
	case -ERANGE:
		return "-ERANGE";
	case -EOVERFLOW:
		return "-EOVERFLOW";
	case -ENOMEM:
		return "-ENOMEM";
	case -EEXIST:
		return "-EEXIST";
	case -ENOENT:
		return "-ENOENT";
	case -EOPNOTSUPP:
		return "-EOPNOTSUPP";
	case -EBUSY:
		return "-EBUSY";
	default:
		return "(unexpected code)";
	}
}
