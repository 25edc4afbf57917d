/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The formats iopgt knows, listed once.
 *
 * IOPGT_FORMAT_LIST(X) calls X(ENUM, name, FOLDER) once per format, in
 * enum iopgt_format order:
 *   ENUM    the enum constant's suffix: IOPGT_FMT_<ENUM>
 *   name    the format's short name: iopgt_format_name() returns it as a
 *           string, and its instantiation of the core is iopgt_fmt_<name>
 *   FOLDER  the folder formats/<folder>/ that defines it, written in
 *           capitals: the build defines IOPGT_HAVE_FMT_<FOLDER>=1 for each
 *           folder it builds (one folder may define several formats)
 *
 * What names every format is expanded from this list: enum iopgt_format,
 * the core's dispatch and name tables, the benchmarks' and migrate's loops
 * over the formats. CMakeLists.txt and scripts/export-kernel read the
 * folders from the lines below (to build them, and to include each one's
 * conformance configs), so keep one X(...) per line, with nothing else on
 * it but a comment and the backslash.
 *
 * Adding a format: its folder formats/<folder>/, one line here, and its
 * conformance configs in tests/harness/configs/<folder>.inc. Append only:
 * enum iopgt_format values are ABI.
 */
#ifndef IOPGT_FORMATS_H
#define IOPGT_FORMATS_H

#define IOPGT_FORMAT_LIST(X)						\
	X(AMDV1, amdv1, AMDV1)		/* AMD IOMMU v1 host table */	\
	X(VTD_SL, vtd_sl, VTD_SL)	/* Intel VT-d second-level */	\
	X(VTD_FL, vtd_fl, VTD_FL)	/* VT-d first-level, AMD v2 */	\
	X(ARM_S1, arm_s1, ARM)		/* ARM LPAE stage 1 */		\
	X(ARM_S2, arm_s2, ARM)		/* ARM LPAE stage 2 */		\
	X(RISCV, riscv, RISCV)		/* RISC-V first stage */	\
	X(RISCV_G, riscv_g, RISCV)	/* RISC-V G-stage */

/*
 * IOPGT_FMT_BUILT(FOLDER) - 1 if IOPGT_HAVE_FMT_<FOLDER> is defined as 1,
 * else 0 (undefined included); usable in #if and in expressions.
 *
 * How: the HAVE macro expands first (one level of indirection). Pasted
 * onto IOPGT_FMT_BUILT_IS_, the result names a macro only if it was 1,
 * and that macro supplies an extra leading argument, which moves the 1
 * into the second slot; otherwise the 0 written there is what is picked.
 */
#define IOPGT_FMT_BUILT_IS_1		~, 1
#define IOPGT_FMT_BUILT_2ND_(a, b, ...)	b
#define IOPGT_FMT_BUILT_2ND(...)	IOPGT_FMT_BUILT_2ND_(__VA_ARGS__)
#define IOPGT_FMT_BUILT_V(v)						\
	IOPGT_FMT_BUILT_2ND(IOPGT_FMT_BUILT_IS_##v, 0, ~)
#define IOPGT_FMT_BUILT_M(m)		IOPGT_FMT_BUILT_V(m)
#define IOPGT_FMT_BUILT(FOLDER)	IOPGT_FMT_BUILT_M(IOPGT_HAVE_FMT_##FOLDER)

/*
 * IOPGT_IF_FMT_BUILT(FOLDER, ...) - the tokens after FOLDER if that folder
 * is built, else nothing. Unlike a ?: on IOPGT_FMT_BUILT(), the tokens of a
 * folder not built never reach the compiler, so they may name its symbols.
 */
#define IOPGT_IF_FMT_BUILT_0(...)
#define IOPGT_IF_FMT_BUILT_1(...)	__VA_ARGS__
#define IOPGT_IF_FMT_BUILT_P(b, ...)	IOPGT_IF_FMT_BUILT_##b(__VA_ARGS__)
#define IOPGT_IF_FMT_BUILT_E(b, ...)	IOPGT_IF_FMT_BUILT_P(b, __VA_ARGS__)
#define IOPGT_IF_FMT_BUILT(FOLDER, ...)					\
	IOPGT_IF_FMT_BUILT_E(IOPGT_FMT_BUILT(FOLDER), __VA_ARGS__)

#endif /* IOPGT_FORMATS_H */
