// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* The amdv1 codecs for the fuzz targets (see codec.h). */
#ifdef IOPGT_HAVE_FMT_AMDV1
#include "formats/amdv1/amdv1.h"

#define FZ_CODEC_NAME	fz_codec_amdv1
#include "codec_template.h"
#endif
