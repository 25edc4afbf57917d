// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* The userspace side of the assertion layer. */
#include <stdarg.h>
#include <stdio.h>

#include "it.h"

void it_fail(struct it *t, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->failed)
		return;
	t->failed = true;
	n = snprintf(t->msg, sizeof(t->msg), "[%s seed %llu] %s:%d: ",
		     t->config ? t->config->name : "-",
		     (unsigned long long)t->seed, file, line);
	if (n < 0 || (size_t)n >= sizeof(t->msg))
		return;
	va_start(ap, fmt);
	vsnprintf(t->msg + n, sizeof(t->msg) - n, fmt, ap);
	va_end(ap);
}
