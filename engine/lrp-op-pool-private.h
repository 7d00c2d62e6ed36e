/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pooling internals shared with the relevance pass: the window geometry of
 * a MaxPool / AveragePool / Global*Pool node for a given input, and the
 * winner of every MaxPool window.
 */
#pragma once

#include <float.h>

#include "lrp-ops-private.h"

G_BEGIN_DECLS

/* Where the windows of a pooling node lie on one (batch, channel) plane.
 * Output position o along spatial dim d covers the input coordinates
 * o * stride[d] - pad_begin[d] + k * dilation[d], k in [0, kernel[d]);
 * coordinates outside [0, in[d]) are padding. */
typedef struct
{
  int n_spatial;                     /* ≥ 1: a rank-2 input gets one dim of 1 */
  int64_t in[LRP_MAX_RANK];
  int64_t out[LRP_MAX_RANK];
  int64_t kernel[LRP_MAX_RANK];
  int64_t stride[LRP_MAX_RANK];
  int64_t dilation[LRP_MAX_RANK];
  int64_t pad_begin[LRP_MAX_RANK];
  int64_t pad_end[LRP_MAX_RANK];
  int64_t planes;                    /* N × C */
  int64_t in_plane, out_plane;       /* elements of one plane */
} LrpPoolGeometry;

/* Resolves auto_pad, ceil_mode and the global variants for input @x of
 * pooling node @node, checking that every output dim is positive. */
gboolean lrp_pool_geometry (const LrpNode *node, const LrpTensor *x, LrpPoolGeometry *g,
                            GError **error);

/* AveragePool @node divides by the whole kernel, padding included. */
gboolean lrp_op_pool_counts_pad (const LrpNode *node);

/* Where the position classes of lrp-ties.c are unknown (an op on the way
 * they do not follow, or no graph): two window values closer than this
 * many times the largest |value| of the input tensor (half a float32 ulp
 * of it) tie in the relevance pass.
 * Measured both ways: the 98 Zennit reference cases need at least a
 * quarter ulp (OpenBLAS rounds identical receptive fields differently by
 * column, by up to 2 ulps of the value), and a random VGG16 stays within
 * 2e-5 of a float64 computation only up to 1 ulp (beyond that, values that
 * really differ are merged). */
#define LRP_MAXPOOL_TIE_TOLERANCE (0.5f * FLT_EPSILON)

/* For MaxPool or GlobalMaxPool @node on input @x: for every output element
 * (as many as the node's output has), the flat index in @x of the maximum
 * of its window, the first in scan order on ties (as PyTorch picks it), or
 * -1 when the window lies entirely in padding (its output is -∞).  With
 * @classes (lrp_position_classes () of @x), the first position of the
 * maximum's class wins and @tolerance is not used.  This is
 * the forward of MaxPool; the relevance pass reuses it.  With @argmax
 * NULL, the maxima themselves go to @maxima. */
gboolean lrp_maxpool_argmax (const LrpNode *node, const LrpTensor *x, int64_t *argmax,
                             float *maxima, float tolerance, const guint64 *classes,
                             GCancellable *cancellable, GError **error);

G_END_DECLS
