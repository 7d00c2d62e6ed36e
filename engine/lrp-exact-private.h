/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * MaxPool winners that float32 cannot tell apart, decided in double
 * precision: lrp-near-ties.c decides, lrp-exact.c recomputes.
 */
#pragma once

#include "lrp-op-pool-private.h"
#include "lrp-run-private.h"

G_BEGIN_DECLS

typedef struct _LrpExact LrpExact;

/* A window whose float32 maximum has a rival from another receptive field
 * (another position class) closer than this many times the largest |value|
 * of the pool's input is decided in double precision.  Float32 kernels
 * (Winograd, GEMM, the BatchNorm folded into the convolution) put values
 * off their exact ones by up to 3.4e-6 of the layer's largest, measured
 * through vgg11_bn's eight convolutions on flat, photographic and noise
 * images; the band is ten times that. */
#define LRP_EXACT_NEAR_TIE 3.4e-5

void lrp_exact_free (LrpExact *exact);

/* MaxPool @node (2-D, or global over 2-D) on @x, value @x_value of @run's
 * forward pass, with @argmax from lrp_maxpool_argmax () given @classes:
 * each window whose winner has a near rival of another class gets the
 * winner exact arithmetic picks — the first position of the class whose
 * value, recomputed in double precision from the float32 input and weights
 * through the ops below, is largest.  Where an op below has no double form
 * here, or for the noisy samples of a baseline (run->sampled), @argmax
 * stays as it is.  FALSE only when cancelled. */
gboolean lrp_exact_refine_maxpool (LrpRun *run, const LrpNode *node, int x_value,
                                   const LrpTensor *x, const guint64 *classes, int64_t *argmax,
                                   GCancellable *cancellable, GError **error);

/* @z, the activation of value @value of @run's forward pass, with every
 * element within the band of zero (LRP_EXACT_NEAR_TIE times its largest
 * |value|, zero included) replaced by its value recomputed in double,
 * rounded to float (a nonzero value too small for a float becomes the
 * smallest one, with its sign): what ReLU gates, Gamma's branches and the
 * rules' denominators read, where float32 cannot tell the sign or the size.
 * *@fixed = NULL (nothing to replace) when no element is near zero, an op
 * below has no double form, or @run is a baseline's sample; else z->n
 * floats to g_free.  FALSE only
 * when cancelled. */
gboolean lrp_exact_fix_near_zero (LrpRun *run, int value, const LrpTensor *z, float **fixed,
                                  GCancellable *cancellable, GError **error);

/* ---- Between lrp-exact.c (the values) and lrp-near-ties.c (the decisions) ---- */

/* A 2-D window op's geometry: a Conv's or a pool's. */
typedef struct
{
  int64_t kernel[2], stride[2], dilation[2], pad_begin[2], in[2], out[2];
} LrpExactWindow;

void lrp_exact_window_of_pool (const LrpPoolGeometry *g, LrpExactWindow *w);
/* The in-plane offsets of output position @o's taps inside the input, in
 * scan order, into @taps (room for kernel[0] × kernel[1]); returns how many. */
int64_t lrp_exact_window_taps (const LrpExactWindow *w, int64_t o, int64_t *taps);

/* @run's store of double-precision values for its inputs, made when first asked. */
LrpExact *lrp_exact_for_run (LrpRun *run);
/* @value has a double form: every op from the model input to it is followed. */
gboolean lrp_exact_follows (LrpExact *e, int value);
/* Asks for @value at (image @n, in-plane @position), and for what that reads. */
void lrp_exact_mark (LrpExact *e, int value, int64_t n, int64_t position);
/* Computes what was asked for up to @value; FALSE when cancelled (the store
 * is then dropped). */
gboolean lrp_exact_compute (LrpRun *run, int value, GCancellable *cancellable, GError **error);
/* (transfer none): @value's activation, N × C × positions, valid where computed. */
const double *lrp_exact_get (LrpExact *e, int value);

/* Test hook: @value's activation recomputed in double at every position
 * (N × C × positions, g_free it), or NULL when an op below has no double
 * form. */
double *lrp_exact_value (LrpRun *run, int value_id, GCancellable *cancellable);

G_END_DECLS
