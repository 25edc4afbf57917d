// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include "codec.h"

extern const struct fz_codec fz_codec_amdv1;
extern const struct fz_codec fz_codec_vtd_sl;
extern const struct fz_codec fz_codec_vtd_fl;
extern const struct fz_codec fz_codec_arm_s1;
extern const struct fz_codec fz_codec_arm_s2;
extern const struct fz_codec fz_codec_riscv;
extern const struct fz_codec fz_codec_riscv_g;

const struct fz_codec *fz_codec(enum iopgt_format format)
{
	switch (format) {
#ifdef IOPGT_HAVE_FMT_AMDV1
	case IOPGT_FMT_AMDV1:
		return &fz_codec_amdv1;
#endif
#ifdef IOPGT_HAVE_FMT_VTD_SL
	case IOPGT_FMT_VTD_SL:
		return &fz_codec_vtd_sl;
#endif
#ifdef IOPGT_HAVE_FMT_VTD_FL
	case IOPGT_FMT_VTD_FL:
		return &fz_codec_vtd_fl;
#endif
#ifdef IOPGT_HAVE_FMT_ARM
	case IOPGT_FMT_ARM_S1:
		return &fz_codec_arm_s1;
	case IOPGT_FMT_ARM_S2:
		return &fz_codec_arm_s2;
#endif
#ifdef IOPGT_HAVE_FMT_RISCV
	case IOPGT_FMT_RISCV:
		return &fz_codec_riscv;
	case IOPGT_FMT_RISCV_G:
		return &fz_codec_riscv_g;
#endif
	default:
		return NULL;
	}
}
