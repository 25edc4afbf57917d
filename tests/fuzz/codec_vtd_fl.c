// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* The vtd_fl codecs for the fuzz targets (see codec.h). */
#ifdef IOPGT_HAVE_FMT_VTD_FL
#include "formats/vtd_fl/vtd_fl.h"

#define FZ_CODEC_NAME	fz_codec_vtd_fl
#include "codec_template.h"
#endif
