/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Dense linear algebra: the only door to BLAS (cblas_* appears in
 * lrp-blas.c and nowhere else) and the convolution lowering (im2col and
 * its adjoint col2im) shared by Conv's forward pass and relevance rules.
 * Matrices are row-major float32; sizes come from validated shapes.
 */
#pragma once

#include "lrp-tensor-private.h"

G_BEGIN_DECLS

/* C = alpha op(A) op(B) + beta C; op(A) is M×K, stored K×M when @trans_a;
 * op(B) is K×N, stored N×K when @trans_b.  beta == 0 ignores C.  Large
 * products are split over the cores (one single-threaded OpenBLAS call
 * each); inside a parallel loop the product stays on the calling thread. */
void lrp_sgemm (gboolean trans_a, gboolean trans_b, int64_t m, int64_t n, int64_t k,
                float alpha, const float *a, int64_t lda, const float *b, int64_t ldb,
                float beta, float *c, int64_t ldc);
/* The same by the textbook triple loop (double sums), for tests. */
void lrp_sgemm_naive (gboolean trans_a, gboolean trans_b, int64_t m, int64_t n, int64_t k,
                      float alpha, const float *a, int64_t lda, const float *b, int64_t ldb,
                      float beta, float *c, int64_t ldc);

#define LRP_CONV_MAX_DIMS (LRP_MAX_RANK - 2)

/* One convolution on one image: input [C, in...], output [M, out...],
 * weights [M, C / group, kernel...].  Pads may be asymmetric. */
typedef struct _LrpConvGeometry LrpConvGeometry;
struct _LrpConvGeometry
{
  int n_dims;                                 /* spatial axes, 1..LRP_CONV_MAX_DIMS */
  int64_t channels;                           /* C */
  int64_t out_channels;                       /* M */
  int64_t group;                              /* divides C and M; C: depthwise */
  int64_t in[LRP_CONV_MAX_DIMS];
  int64_t out[LRP_CONV_MAX_DIMS];
  int64_t kernel[LRP_CONV_MAX_DIMS];
  int64_t stride[LRP_CONV_MAX_DIMS];
  int64_t pad_begin[LRP_CONV_MAX_DIMS];
  int64_t pad_end[LRP_CONV_MAX_DIMS];
  int64_t dilation[LRP_CONV_MAX_DIMS];
};

int64_t lrp_conv_in_size (const LrpConvGeometry *g);    /* prod (in) */
int64_t lrp_conv_out_size (const LrpConvGeometry *g);   /* prod (out): lowered columns */
int64_t lrp_conv_col_rows (const LrpConvGeometry *g);   /* C / group × prod (kernel) */
/* Output lines: positions on all spatial axes but the last (rows in 2-D). */
int64_t lrp_conv_out_lines (const LrpConvGeometry *g);
/* Kernel 1, stride 1, no padding: the input is its own lowered matrix. */
gboolean lrp_conv_is_pointwise (const LrpConvGeometry *g);

/* Lowers one group of one image, @x [C / group, in...], to @col, a
 * col_rows × out_size matrix: row (c, kernel offset), in the weights'
 * order, holds the input each output position reads (0 in the padding). */
void lrp_im2col (const LrpConvGeometry *g, const float *x, float *col);
/* The adjoint: adds each entry of @col to the input it was read from
 * (padding entries are dropped).  @x is accumulated into, not cleared. */
void lrp_col2im (const LrpConvGeometry *g, const float *col, float *x);
/* The same for output lines [first, first + count) only, so that a band
 * of the lowered matrix (col_rows × count·out[last]) stays in cache. */
void lrp_im2col_lines (const LrpConvGeometry *g, const float *x, int64_t first, int64_t count,
                       float *col);
void lrp_col2im_lines (const LrpConvGeometry *g, const float *col, int64_t first, int64_t count,
                       float *x);

/* Y = conv (X, W) + B for @batch images: X [batch, C, in...], W [M, C /
 * group, kernel...], B [M] or NULL, Y [batch, M, out...] (overwritten), by
 * im2col bands and sgemm.  FALSE only when cancelled. */
gboolean lrp_conv_forward (const LrpConvGeometry *g, int64_t batch, const float *x,
                           const float *w, const float *bias, float *y,
                           GCancellable *cancellable, GError **error);
/* dx += Σ_t J(w_t)ᵀ dy_t (1 to 4 terms): the adjoint of lrp_conv_forward
 * without bias, for @batch images, in L2-sized bands with one col2im for
 * all terms.  FALSE only when cancelled. */
gboolean lrp_conv_transpose_sum (const LrpConvGeometry *g, int64_t batch, int n_terms,
                                 const float *const *w, const float *const *dy, float *dx,
                                 GCancellable *cancellable, GError **error);

/* Winograd F(2×2, 3×3) for one image (lrp-winograd.c): 2-D, 3×3, stride
 * and dilation 1, one group, enough channels and positions to pay off.
 * lrp_conv_forward takes this path by itself where it applies (unless
 * LRPLENS_CONV=im2col is set, to compare). */
gboolean lrp_winograd_applies (const LrpConvGeometry *g);
gboolean lrp_winograd_conv (const LrpConvGeometry *g, const float *x, const float *w,
                            const float *bias, float *y, GCancellable *cancellable,
                            GError **error);

/* The same by direct summation, one image, for tests. */
void lrp_conv_naive (const LrpConvGeometry *g, const float *x, const float *w,
                     const float *bias, float *y);

G_END_DECLS
