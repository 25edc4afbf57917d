// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* The vtd_sl codecs for the fuzz targets (see codec.h). */
#ifdef IOPGT_HAVE_FMT_VTD_SL
#include "formats/vtd_sl/vtd_sl.h"

#define FZ_CODEC_NAME	fz_codec_vtd_sl
#include "codec_template.h"
#endif
