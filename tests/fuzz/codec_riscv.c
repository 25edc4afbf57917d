// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* The RISC-V first-stage codecs for the fuzz targets (see codec.h). */
#ifdef IOPGT_HAVE_FMT_RISCV
#define IOPGT_RISCV_STAGE	1
#include "formats/riscv/riscv.h"

#define FZ_CODEC_NAME	fz_codec_riscv
#include "codec_template.h"
#endif
