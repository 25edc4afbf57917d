// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Text for people: format names, the library's version, the line builder
 * iopgt_dump() writes with (the core has no printf to lean on) and, in
 * userspace builds, iopgt_strerror().
 */
#include "iopgt_internal.h"

/* Every format's name, built in or not. */
#define IOPGT_FMT_NAME_(ENUM, name, FOLDER)	[IOPGT_FMT_##ENUM] = #name,
static const char *const iopgt_fmt_names[IOPGT_FMT_COUNT] = {
	[IOPGT_FMT_NONE] = "none",
	IOPGT_FORMAT_LIST(IOPGT_FMT_NAME_)
};
#undef IOPGT_FMT_NAME_

const char *iopgt_format_name(enum iopgt_format format)
{
	if ((unsigned int)format >= IOPGT_FMT_COUNT)
		return "?";
	return iopgt_fmt_names[format];
}

unsigned int iopgt_version(void)
{
	return IOPGT_VERSION;
}

void iopgt_line_str(struct iopgt_line *line, const char *s)
{
	while (*s && line->len + 1 < sizeof(line->buf))
		line->buf[line->len++] = *s++;
	line->buf[line->len] = 0;
}

/* @digits: pad to this many hex digits; 0 for as few as needed. */
void iopgt_line_hex(struct iopgt_line *line, u64 v, unsigned int digits)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[17];
	unsigned int n = 0;

	do {
		tmp[n++] = hex[v & 15];
		v >>= 4;
	} while (v && n < 16);
	while (n < digits && n < 16)
		tmp[n++] = '0';
	while (n && line->len + 1 < sizeof(line->buf))
		line->buf[line->len++] = tmp[--n];
	line->buf[line->len] = 0;
}

void iopgt_line_dec(struct iopgt_line *line, u64 v)
{
	char tmp[21];
	unsigned int n = 0;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n && line->len + 1 < sizeof(line->buf))
		line->buf[line->len++] = tmp[--n];
	line->buf[line->len] = 0;
}

#ifndef __KERNEL__
const char *iopgt_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case -EINVAL:
		return "invalid argument or alignment";
	case -ERANGE:
		return "address beyond the table's input or output size";
	case -EOVERFLOW:
		return "address range wraps around";
	case -ENOMEM:
		return "table allocation failed";
	case -EEXIST:
		return "range already mapped";
	case -ENOENT:
		return "nothing mapped";
	case -EOPNOTSUPP:
		return "not supported by this format or configuration";
	case -EBUSY:
		return "break-before-make needed and not allowed";
	default:
		return "unknown iopgt error";
	}
}
#endif
