/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Linear layers (Conv, dense) as the rules need them: the layer's map
 * f(x; W, b) and its transpose J(W)ᵀ with any weights, and canonization
 * (§4 and §9 of lrp-rules.md) that turns graph nodes into LrpLinear values.
 */
#pragma once

#include "lrp-blas-private.h"
#include "lrp-rules-private.h"

G_BEGIN_DECLS

typedef struct
{
  gboolean conv;
  LrpConvGeometry geom;  /* conv */
  int64_t batch;         /* images (conv) or rows (dense) */
  int64_t in_size;       /* elements of one input row / image */
  int64_t out_size;      /* elements of one output row / image */
} LrpLinearShape;

gboolean lrp_linear_shape (const LrpNode *node, const LrpTensor *x, const LrpLinear *layer,
                           LrpLinearShape *shape, GError **error);

/* z = f(x; W, b) for all rows; @b may be NULL (zero bias). */
gboolean lrp_linear_apply (const LrpLinearShape *s, const float *w, const float *b,
                           const float *x, float *z, GCancellable *cancellable, GError **error);
/* gx += J(W)ᵀ g */
gboolean lrp_linear_transpose (const LrpLinearShape *s, const float *w, const float *g,
                               float *gx, GCancellable *cancellable, GError **error);
/* gx += J(w1)ᵀ g1 + J(w2)ᵀ g2; w2 and g2 may be NULL */
gboolean lrp_linear_transpose2 (const LrpLinearShape *s, const float *w1, const float *g1,
                                const float *w2, const float *g2, float *gx,
                                GCancellable *cancellable, GError **error);

/* The canonized layers of a model, one per node (NULL for non-linear
 * nodes).  Owned array of owned LrpLinear.  Without @merge, BatchNorm and
 * bias Adds stay separate (for gradients, where they act by themselves). */
LrpLinear **lrp_canonize (const LrpModel *model, gboolean merge, GError **error);
void lrp_canonized_free (const LrpModel *model, LrpLinear **layers);

/* The BatchNormalization merged into a layer whose output is @value, or
 * -1; and the merge itself (weight and bias changed in place). */
int lrp_batchnorm_after (const LrpModel *model, int value, int64_t channels);
void lrp_batchnorm_fold (const LrpModel *model, int bn, LrpTensor *weight, float *bias);

/* Relevance through a linear layer by its rule (LRP mode) or gradient. */
gboolean lrp_linear_backward (const LrpNode *node, const LrpBackwardCtx *ctx,
                              LrpTensor *const *in, LrpTensor *const *out,
                              LrpTensor *const *r_out, LrpTensor *const *r_in, GError **error);

G_END_DECLS
