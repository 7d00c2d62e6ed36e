/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lrp"

#include "config.h"

#include "lrp.h"

G_DEFINE_QUARK (lrp-onnx-error-quark, lrp_onnx_error)
G_DEFINE_QUARK (lrp-model-error-quark, lrp_model_error)
G_DEFINE_QUARK (lrp-run-error-quark, lrp_run_error)
G_DEFINE_QUARK (lrp-input-error-quark, lrp_input_error)
