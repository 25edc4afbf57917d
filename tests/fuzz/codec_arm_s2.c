// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* The ARM stage-2 codecs for the fuzz targets (see codec.h). */
#ifdef IOPGT_HAVE_FMT_ARM
#define IOPGT_ARM_STAGE	2
#include "formats/arm/arm.h"

#define FZ_CODEC_NAME	fz_codec_arm_s2
#include "codec_template.h"
#endif
