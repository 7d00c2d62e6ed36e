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

/* Cancellation check for long kernels: every so many rows. */
static inline gboolean
lrp_cancelled (GCancellable *cancellable,
               GError **error)
{
  return g_cancellable_set_error_if_cancelled (cancellable, error);
}

G_END_DECLS
