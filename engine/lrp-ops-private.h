/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Operator families.  Each lrp-op-*.c file defines one NULL-terminated list
 * of the operators it implements; lrp-ops.c joins them into the table.
 */
#pragma once

#include "lrp-blas-private.h"
#include "lrp-graph-private.h"

G_BEGIN_DECLS

extern const LrpOpClass *const lrp_ops_elementwise[];
extern const LrpOpClass *const lrp_ops_conv[];
extern const LrpOpClass *const lrp_ops_pool[];
extern const LrpOpClass *const lrp_ops_norm[];
extern const LrpOpClass *const lrp_ops_shape[];

/* Helpers for op implementations */

/* Numpy-style broadcast of two shapes; FALSE with an error naming the node
 * when they do not broadcast. */
gboolean lrp_broadcast_shapes (const LrpNode *node, const LrpTensor *a, const LrpTensor *b,
                               int *rank, int64_t *shape, GError **error);
/* Requires input @i to be present, of @dtype, and (if @rank >= 0) of rank @rank. */
gboolean lrp_check_input (const LrpNode *node, LrpTensor *const *in, int i, LrpDType dtype,
                          int rank, GError **error);
/* Requires input @i to be a constant (known at load). */
gboolean lrp_check_constant (const LrpNode *node, LrpTensor *const *in, int i, GError **error);

/* What the LRP pass needs to know of some ops' parameters (defined in the
 * ops' own files). */
gboolean lrp_op_conv_geometry (const LrpNode *node, const LrpTensor *x, const LrpTensor *w,
                               LrpConvGeometry *geometry, GError **error);
void lrp_op_gemm_params (const LrpNode *node, float *alpha, float *beta, gboolean *trans_a,
                         gboolean *trans_b);
float lrp_op_batchnorm_epsilon (const LrpNode *node);

/* Relevance through ops that are linear in their input (pooling, sums,
 * BatchNorm, Softmax's Jacobian): a rule is a seed s pushed through the
 * op's transposed Jacobian J.  GRADIENT (and gradient mode): s = R,
 * R_x = Jᵀs; NORM: s = R / stab(y), R_x = x ⊙ Jᵀs (Zennit's Norm on any
 * module, lrp-rules.md §2); PASS: R_x = R_y, when input and output have
 * as many elements. */
typedef enum { LRP_BACK_GRADIENT, LRP_BACK_NORM, LRP_BACK_PASS } LrpBackKind;

/* The seed for GRADIENT or NORM from relevance @r and output @y (g_free it). */
float *lrp_back_seed (LrpBackKind kind, const LrpBackwardCtx *ctx, const LrpTensor *r,
                      const LrpTensor *y);
/* The start every such op shares: FALSE with @error set, or TRUE with
 * *@done when nothing is left to do (no relevance reached the op, or the
 * pass rule already copied it); else *@kind says what to push through. */
gboolean lrp_back_begin (const LrpNode *node, const LrpBackwardCtx *ctx, const LrpTensor *x,
                         LrpTensor *const *r_out, LrpTensor *const *r_in, LrpBackKind *kind,
                         gboolean *done, GError **error);

/* Cancellation check for long kernels: every so many rows. */
static inline gboolean
lrp_cancelled (GCancellable *cancellable,
               GError **error)
{
  return g_cancellable_set_error_if_cancelled (cancellable, error);
}

G_END_DECLS
