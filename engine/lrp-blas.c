/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * BLAS wrappers and the convolution lowering.  This is the only file that
 * calls cblas_*: everything else goes through lrp_sgemm(), so that swapping
 * the BLAS (or checking it against the naive kernels) touches one place.
 */
#define G_LOG_DOMAIN "lrp-blas"

#include "config.h"

#include "lrp-blas-private.h"
#include "lrp-parallel-private.h"

#include <cblas.h>
#include <limits.h>
#include <string.h>

/* Below this many weights per group a convolution's product is done by
 * plain loops: BLAS call overhead (and its thread start-up) would dominate,
 * as in depthwise convolutions with one 3×3 filter per group. */
#define SMALL_PRODUCT_WEIGHTS 128

/* Entries of the lowered matrix built at a time (2 MiB, a core's L2 here):
 * im2col writes a band of output lines and sgemm consumes it while it is
 * still in cache, instead of a whole layer's matrix (115 MB for VGG16's
 * second layer) going through memory.  On VGG16 this took the convolutions
 * from about 75% to over 90% of the bare sgemm rate. */
#define BAND_FLOATS ((int64_t) 1 << 19)

/* ---- Matrix products ---------------------------------------------------- */

static inline int
to_int (int64_t v)
{
  /* Callers derive sizes from validated tensor shapes (at most 2^28
   * elements), so this only fires on a programming error. */
  g_assert (v >= 0 && v <= INT_MAX);
  return (int) v;
}

static void
scale_matrix (int64_t m,
              int64_t n,
              float beta,
              float *c,
              int64_t ldc)
{
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++)
      c[i * ldc + j] = beta == 0.f ? 0.f : beta * c[i * ldc + j];
}

/* OpenBLAS's pthread build keeps its worker threads spinning on
 * sched_yield for about 0.1 s after every call.  Between products we run
 * our own parallel loops (Winograd transforms, pooling, the rules'
 * elementwise passes), and on two cores that spinning took a core from
 * them: a fifth of all CPU time went to sched_yield.  So OpenBLAS runs
 * single-threaded, its threads go to sleep, and each large product is cut
 * into one OpenBLAS call per core on our own pool. */
static void
blas_single_threaded (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      openblas_set_num_threads (1);
      g_once_init_leave (&once, 1);
    }
}

typedef struct
{
  gboolean trans_a, trans_b, split_rows;
  int64_t blocks, parts;    /* SPLIT_BLOCK blocks of the split side, in parts */
  int64_t m, n, k;
  float alpha, beta;
  const float *a, *b;
  int64_t lda, ldb, ldc;
  float *c;
} Product;

/* Rows or columns are handed out in blocks of this many, the width of
 * OpenBLAS's micro-kernels here, so no part ends in a ragged edge. */
#define SPLIT_BLOCK 16

/* Below this many multiply-adds a product runs on one core: splitting
 * costs a wake-up of the pool (tens of microseconds). */
#define SPLIT_MIN_WORK ((int64_t) 1 << 19)

/* One part of a product: rows or columns of C from block part · blocks /
 * parts on. */
static void
product_piece (const Product *p,
               int64_t part)
{
  int64_t lo = part * p->blocks / p->parts * SPLIT_BLOCK;
  int64_t hi = MIN ((part + 1) * p->blocks / p->parts * SPLIT_BLOCK, p->split_rows ? p->m : p->n);
  const float *a = p->a, *b = p->b;
  float *c = p->c;
  int64_t m = p->m, n = p->n;

  if (p->split_rows)
    {
      a += p->trans_a ? lo : lo * p->lda;
      c += lo * p->ldc;
      m = hi - lo;
    }
  else
    {
      b += p->trans_b ? lo * p->ldb : lo;
      c += lo;
      n = hi - lo;
    }
  if (m == 1 && !p->trans_a)
    {
      /* A row vector times a matrix (a dense layer at batch 1): sgemv, the
       * product is bound by reading the weights. */
      cblas_sgemv (CblasRowMajor, p->trans_b ? CblasNoTrans : CblasTrans,
                   to_int (p->trans_b ? n : p->k), to_int (p->trans_b ? p->k : n), p->alpha, b,
                   to_int (p->ldb), a, 1, p->beta, c, 1);
      return;
    }
  cblas_sgemm (CblasRowMajor, p->trans_a ? CblasTrans : CblasNoTrans,
               p->trans_b ? CblasTrans : CblasNoTrans, to_int (m), to_int (n), to_int (p->k),
               p->alpha, a, to_int (p->lda), b, to_int (p->ldb), p->beta, c, to_int (p->ldc));
}

static void
product_parts (int64_t begin,
               int64_t end,
               gpointer data)
{
  for (int64_t part = begin; part < end; part++)
    product_piece (data, part);
}

void
lrp_sgemm (gboolean trans_a,
           gboolean trans_b,
           int64_t m,
           int64_t n,
           int64_t k,
           float alpha,
           const float *a,
           int64_t lda,
           const float *b,
           int64_t ldb,
           float beta,
           float *c,
           int64_t ldc)
{
  Product p = { trans_a, trans_b, FALSE, 0, 0, m, n, k, alpha, beta, a, b, lda, ldb, ldc, c };

  if (m == 0 || n == 0)
    return;
  if (k == 0)
    {
      /* BLAS insists on leading dimensions >= 1 even for empty operands. */
      scale_matrix (m, n, beta, c, ldc);
      return;
    }
  blas_single_threaded ();
  /* Each part packs all of the operand it does not split: split the
   * longer side of C, so the shorter operand is the one packed twice. */
  p.split_rows = m > n;
  p.blocks = ((p.split_rows ? m : n) + SPLIT_BLOCK - 1) / SPLIT_BLOCK;
  /* OpenBLAS rounds a column differently depending on where it sits in the
   * call, so the cut depends on the shape and the machine only, never on
   * whether the cores are free: the same product gives the same bits. */
  p.parts = m * n * k >= SPLIT_MIN_WORK ? lrp_parallel_parts (p.blocks, 2) : 1;
  lrp_parallel_for (p.parts, 1, product_parts, &p);
}

void
lrp_sgemm_naive (gboolean trans_a,
                 gboolean trans_b,
                 int64_t m,
                 int64_t n,
                 int64_t k,
                 float alpha,
                 const float *a,
                 int64_t lda,
                 const float *b,
                 int64_t ldb,
                 float beta,
                 float *c,
                 int64_t ldc)
{
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++)
      {
        double sum = 0;
        float *cij = &c[i * ldc + j];

        for (int64_t l = 0; l < k; l++)
          {
            float av = trans_a ? a[l * lda + i] : a[i * lda + l];
            float bv = trans_b ? b[j * ldb + l] : b[l * ldb + j];

            sum += (double) av * (double) bv;
          }
        /* As BLAS: beta == 0 ignores C, even NaNs in it. */
        *cij = (float) (alpha * sum + (beta == 0.f ? 0.0 : (double) beta * (double) *cij));
      }
}

/* ---- Convolution geometry ----------------------------------------------- */

static int64_t
product (const int64_t *v,
         int n)
{
  int64_t p = 1;

  for (int i = 0; i < n; i++)
    p *= v[i];
  return p;
}

int64_t
lrp_conv_in_size (const LrpConvGeometry *g)
{
  return product (g->in, g->n_dims);
}

int64_t
lrp_conv_out_size (const LrpConvGeometry *g)
{
  return product (g->out, g->n_dims);
}

int64_t
lrp_conv_col_rows (const LrpConvGeometry *g)
{
  return g->channels / g->group * product (g->kernel, g->n_dims);
}

int64_t
lrp_conv_out_lines (const LrpConvGeometry *g)
{
  return product (g->out, g->n_dims - 1);
}

gboolean
lrp_conv_is_pointwise (const LrpConvGeometry *g)
{
  for (int d = 0; d < g->n_dims; d++)
    if (g->kernel[d] != 1 || g->stride[d] != 1 || g->pad_begin[d] != 0 || g->pad_end[d] != 0
        || g->in[d] != g->out[d])
      return FALSE;
  return TRUE;
}

/* ---- im2col / col2im ---------------------------------------------------- */

/* The stretch of one output line (along the last spatial axis) whose inputs
 * lie inside the image: outputs [*lo, *hi) read start + o * stride. */
static void
line_range (int64_t start,
            int64_t stride,
            int64_t in_len,
            int64_t out_len,
            int64_t *lo,
            int64_t *hi)
{
  int64_t l = start < 0 ? (-start + stride - 1) / stride : 0;
  int64_t h = start >= in_len ? 0 : (in_len - start + stride - 1) / stride;

  *lo = MIN (l, out_len);
  *hi = CLAMP (h, *lo, out_len);
}

/* Walks lines [first, first + count) of the lowered matrix: for every row
 * (channel in [c_begin, c_end), kernel offset) and every such output line
 * (a position on all axes but the last), calls @line with the column
 * segment and the input line it maps to (NULL when that line lies in the
 * padding).  Shared by im2col and col2im so that the two are exact
 * adjoints by construction. */
typedef void (*LineFunc) (float *col, float *x, int64_t start, int64_t stride, int64_t in_len,
                          int64_t out_len);

static void
walk_lowered (const LrpConvGeometry *g,
              int64_t c_begin,
              int64_t c_end,
              int64_t first,
              int64_t count,
              float *x,
              float *col,
              LineFunc line)
{
  const int nd = g->n_dims, last = nd - 1;
  const int64_t kprod = product (g->kernel, nd);
  const int64_t in_size = lrp_conv_in_size (g);
  const int64_t out_len = g->out[last], in_len = g->in[last];
  const int64_t width = count * out_len;

  for (int64_t c = c_begin; c < c_end; c++)
    for (int64_t ko = 0; ko < kprod; ko++)
      {
        int64_t koff[LRP_CONV_MAX_DIMS], oidx[LRP_CONV_MAX_DIMS] = { 0 };
        float *row = col + (c * kprod + ko) * width;
        float *xc = x + c * in_size;
        int64_t start;

        for (int64_t rest = ko, d = last; d >= 0; d--)
          {
            koff[d] = rest % g->kernel[d];
            rest /= g->kernel[d];
          }
        for (int64_t rest = first, d = last - 1; d >= 0; d--)
          {
            oidx[d] = rest % g->out[d];
            rest /= g->out[d];
          }
        start = koff[last] * g->dilation[last] - g->pad_begin[last];

        for (int64_t o = 0; o < count; o++)
          {
            gboolean inside = TRUE;
            int64_t off = 0;

            for (int d = 0; d < last; d++)
              {
                int64_t i = oidx[d] * g->stride[d] - g->pad_begin[d] + koff[d] * g->dilation[d];

                inside = inside && i >= 0 && i < g->in[d];
                off = off * g->in[d] + i;
              }
            line (row + o * out_len, inside ? xc + off * in_len : NULL, start, g->stride[last],
                  in_len, out_len);
            for (int d = last - 1; d >= 0; d--)
              {
                if (++oidx[d] < g->out[d])
                  break;
                oidx[d] = 0;
              }
          }
      }
}

static void
im2col_line (float *col,
             float *x,
             int64_t start,
             int64_t stride,
             int64_t in_len,
             int64_t out_len)
{
  int64_t lo, hi;

  if (x == NULL)
    {
      memset (col, 0, (size_t) out_len * sizeof (float));
      return;
    }
  line_range (start, stride, in_len, out_len, &lo, &hi);
  memset (col, 0, (size_t) lo * sizeof (float));
  if (stride == 1)
    memcpy (col + lo, x + start + lo, (size_t) (hi - lo) * sizeof (float));
  else
    for (int64_t o = lo; o < hi; o++)
      col[o] = x[start + o * stride];
  memset (col + hi, 0, (size_t) (out_len - hi) * sizeof (float));
}

static void
col2im_line (float *col,
             float *x,
             int64_t start,
             int64_t stride,
             int64_t in_len,
             int64_t out_len)
{
  int64_t lo, hi;

  if (x == NULL)
    return;
  line_range (start, stride, in_len, out_len, &lo, &hi);
  for (int64_t o = lo; o < hi; o++)
    x[start + o * stride] += col[o];
}

typedef struct
{
  const LrpConvGeometry *g;
  const float *x;
  int64_t first, count;
  float *col;
} Im2colJob;

static void
im2col_channels (int64_t begin,
                 int64_t end,
                 gpointer data)
{
  const Im2colJob *j = data;

  /* im2col_line only reads x. */
  walk_lowered (j->g, begin, end, j->first, j->count, (float *) j->x, j->col, im2col_line);
}

/* Lowered entries per part when im2col is split over the cores by input
 * channel. */
#define IM2COL_GRAIN ((int64_t) 1 << 15)

void
lrp_im2col_lines (const LrpConvGeometry *g,
                  const float *x,
                  int64_t first,
                  int64_t count,
                  float *col)
{
  Im2colJob job = { g, x, first, count, col };
  int64_t cg = g->channels / g->group;
  int64_t per_channel = lrp_conv_col_rows (g) / MAX (cg, 1) * count * g->out[g->n_dims - 1];

  g_return_if_fail (first >= 0 && count >= 0 && first + count <= lrp_conv_out_lines (g));
  lrp_parallel_for (cg, MAX (1, IM2COL_GRAIN / MAX (per_channel, 1)), im2col_channels, &job);
}

void
lrp_col2im_lines (const LrpConvGeometry *g,
                  const float *col,
                  int64_t first,
                  int64_t count,
                  float *x)
{
  g_return_if_fail (first >= 0 && count >= 0 && first + count <= lrp_conv_out_lines (g));
  /* col2im_line only reads col. */
  walk_lowered (g, 0, g->channels / g->group, first, count, x, (float *) col, col2im_line);
}

void
lrp_im2col (const LrpConvGeometry *g,
            const float *x,
            float *col)
{
  lrp_im2col_lines (g, x, 0, lrp_conv_out_lines (g), col);
}

void
lrp_col2im (const LrpConvGeometry *g,
            const float *col,
            float *x)
{
  lrp_col2im_lines (g, col, 0, lrp_conv_out_lines (g), x);
}

/* ---- Convolution -------------------------------------------------------- */

/* Y (m × n, row stride ldy) += W (m × k) · B (k × n, row stride ldb). */
static void
accumulate_product (int64_t m,
                    int64_t n,
                    int64_t k,
                    const float *w,
                    const float *b,
                    int64_t ldb,
                    float *y,
                    int64_t ldy)
{
  if (m * k >= SMALL_PRODUCT_WEIGHTS && n < m && n <= 64)
    {
      /* Very few output positions, many channels (ResNet's 7 × 7 layers):
       * OpenBLAS runs Yᵀ = Bᵀ Wᵀ about 1.5 times faster than W B with a
       * short N; transposing the small result back is cheap. */
      g_autofree float *t = g_new (float, n * m);

      lrp_sgemm (TRUE, TRUE, n, m, k, 1.f, b, ldb, w, k, 0.f, t, m);
      for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++)
          y[i * ldy + j] += t[j * m + i];
      return;
    }
  if (m * k >= SMALL_PRODUCT_WEIGHTS)
    {
      lrp_sgemm (FALSE, FALSE, m, n, k, 1.f, w, k, b, ldb, 1.f, y, ldy);
      return;
    }
  for (int64_t i = 0; i < m; i++)
    for (int64_t l = 0; l < k; l++)
      {
        const float wv = w[i * k + l];
        const float *src = b + l * ldb;
        float *dst = y + i * ldy;

        for (int64_t j = 0; j < n; j++)
          dst[j] += wv * src[j];
      }
}

static void
fill_bias (const float *bias,
           int64_t mg,
           int64_t p,
           float *y)
{
  for (int64_t m = 0; m < mg; m++)
    for (int64_t j = 0; j < p; j++)
      y[m * p + j] = bias ? bias[m] : 0.f;
}

/* Output lines per band: enough for about BAND_FLOATS lowered entries. */
static int64_t
band_lines (const LrpConvGeometry *g)
{
  int64_t per_line = lrp_conv_col_rows (g) * g->out[g->n_dims - 1];

  return CLAMP (BAND_FLOATS / per_line, 1, lrp_conv_out_lines (g));
}

/* Bands at least when the cores lower bands of their own: enough to
 * share out evenly over a few cores. */
#define MIN_OWN_BANDS 8

typedef struct
{
  const LrpConvGeometry *g;
  const float *x, *w;
  float *y;
  int64_t band;             /* output lines per band */
  GCancellable *cancellable;
  gint cancelled;
} BandJob;

/* Bands [begin, end) on this thread: im2col into this thread's buffer, and
 * the product (single-threaded here, inside a parallel loop) while the
 * band is still in this core's cache. */
static void
conv_bands (int64_t begin,
            int64_t end,
            gpointer data)
{
  BandJob *j = data;
  const LrpConvGeometry *g = j->g;
  const int64_t mg = g->out_channels / g->group, k = lrp_conv_col_rows (g);
  const int64_t p = lrp_conv_out_size (g), out_len = g->out[g->n_dims - 1];
  const int64_t lines = lrp_conv_out_lines (g);
  g_autofree float *col = g_new (float, (gsize) (k * j->band * out_len));

  for (int64_t b = begin; b < end; b++)
    {
      int64_t first = b * j->band, count = MIN (j->band, lines - first);

      if (lrp_parallel_cancelled (&j->cancelled, j->cancellable))
        return;
      lrp_im2col_lines (g, j->x, first, count, col);
      accumulate_product (mg, count * out_len, k, j->w, col, count * out_len,
                          j->y + first * out_len, p);
    }
}

/* Output lines per band when each core lowers and multiplies bands of its
 * own, or 0 when there are too few lines for that (then bands are taken
 * one at a time, each product split over the cores). */
static int64_t
own_band_lines (const LrpConvGeometry *g)
{
  const int64_t lines = lrp_conv_out_lines (g);
  const int64_t band = MIN (band_lines (g), lines / MIN_OWN_BANDS);

  return band >= 1 && band * g->out[g->n_dims - 1] >= 64 ? band : 0;
}

/* One group of one image; @y holds the bias already; @col is a band's
 * scratch, unless the convolution is pointwise or lowered by the cores in
 * bands of their own.  FALSE only when cancelled (checked between bands:
 * a large layer takes ~100 ms). */
static gboolean
conv_group (const LrpConvGeometry *g,
            const float *x,
            const float *w,
            float *col,
            float *y,
            GCancellable *cancellable,
            GError **error)
{
  const int64_t mg = g->out_channels / g->group, k = lrp_conv_col_rows (g);
  const int64_t p = lrp_conv_out_size (g), out_len = g->out[g->n_dims - 1];
  const int64_t lines = lrp_conv_out_lines (g), band = band_lines (g);
  const int64_t own = own_band_lines (g);

  if (lrp_conv_is_pointwise (g))
    {
      accumulate_product (mg, p, k, w, x, p, y, p);
      return TRUE;
    }
  if (own > 0)
    {
      /* Every core lowers and multiplies bands of its own: im2col
       * (strided copies, for the 7×7/2 first layer of a ResNet a fifth of
       * its time) then runs on all cores too. */
      BandJob job = { g, x, w, y, own, cancellable, 0 };

      lrp_parallel_for ((lines + own - 1) / own, 1, conv_bands, &job);
      return !g_cancellable_set_error_if_cancelled (cancellable, error);
    }
  for (int64_t first = 0; first < lines; first += band)
    {
      int64_t count = MIN (band, lines - first), width = count * out_len;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      lrp_im2col_lines (g, x, first, count, col);
      accumulate_product (mg, width, k, w, col, width, y + first * out_len, p);
    }
  return TRUE;
}

/* dx += Σ_t J(w_t)ᵀ dy_t for one group of one image: per band of output
 * lines, the lowered matrix of every term is summed (sgemm with β = 1)
 * before one col2im, so several terms cost one pass over the input. */
static gboolean
transpose_group (const LrpConvGeometry *g,
                 int n_terms,
                 const float *const *w,
                 const float *const *dy,
                 float *col,
                 float *dx,
                 GCancellable *cancellable,
                 GError **error)
{
  const int64_t mg = g->out_channels / g->group, k = lrp_conv_col_rows (g);
  const int64_t p = lrp_conv_out_size (g), out_len = g->out[g->n_dims - 1];
  const int64_t lines = lrp_conv_out_lines (g), band = band_lines (g);

  if (col == NULL)
    {
      for (int t = 0; t < n_terms; t++)
        lrp_sgemm (TRUE, FALSE, k, p, mg, 1.f, w[t], k, dy[t], p, 1.f, dx, p);
      return TRUE;
    }
  for (int64_t first = 0; first < lines; first += band)
    {
      int64_t count = MIN (band, lines - first), width = count * out_len;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      for (int t = 0; t < n_terms; t++)
        lrp_sgemm (TRUE, FALSE, k, width, mg, 1.f, w[t], k, dy[t] + first * out_len, p,
                   t == 0 ? 0.f : 1.f, col, width);
      lrp_col2im_lines (g, col, first, count, dx);
    }
  return TRUE;
}

/* The transposed convolution as a forward one, when that is possible
 * (stride 1, one group, pads within the dilated kernel): J(W)ᵀ dy equals
 * dy convolved with W flipped in space and with in/out channels swapped,
 * padded by d(k − 1) − pad.  Its sgemm has the long inner dimension
 * terms × M × kernel instead of M, and there is no col2im scatter; the
 * terms stack along the input channels, so Gamma's two products are one
 * GEMM. */
static gboolean
transpose_as_forward (const LrpConvGeometry *g,
                      LrpConvGeometry *t,
                      int n_terms)
{
  /* With few input channels (a first layer on RGB) the flipped convolution
   * has almost no output rows and col2im is cheaper. */
  if (g->group != 1 || g->channels < 16)
    return FALSE;
  *t = *g;
  t->channels = n_terms * g->out_channels;
  t->out_channels = g->channels;
  for (int d = 0; d < g->n_dims; d++)
    {
      int64_t reach = g->dilation[d] * (g->kernel[d] - 1);

      if (g->stride[d] != 1 || g->pad_begin[d] > reach || g->pad_end[d] > reach)
        return FALSE;
      t->in[d] = g->out[d];
      t->out[d] = g->in[d];
      t->pad_begin[d] = reach - g->pad_begin[d];
      t->pad_end[d] = reach - g->pad_end[d];
    }
  return TRUE;
}

/* W̃[c][t·M + m][κ] = w_t[m][c][K − 1 − κ]: flipped on every spatial axis
 * (a flat kernel index reversed is every axis reversed). */
static float *
flipped_weights (const LrpConvGeometry *g,
                 int n_terms,
                 const float *const *w)
{
  const int64_t ks = lrp_conv_col_rows (g) / g->channels;
  const int64_t m = g->out_channels, c = g->channels;
  float *f = g_new (float, (gsize) (c * n_terms * m * ks));

  for (int64_t ci = 0; ci < c; ci++)
    for (int t = 0; t < n_terms; t++)
      for (int64_t mi = 0; mi < m; mi++)
        {
          const float *src = w[t] + (mi * c + ci) * ks;
          float *dst = f + ((ci * n_terms + t) * m + mi) * ks;

          for (int64_t k = 0; k < ks; k++)
            dst[k] = src[ks - 1 - k];
        }
  return f;
}

static gboolean
transpose_sum_forward (const LrpConvGeometry *g,
                       const LrpConvGeometry *t,
                       int64_t batch,
                       int n_terms,
                       const float *const *w,
                       const float *const *dy,
                       float *dx,
                       GCancellable *cancellable,
                       GError **error)
{
  const int64_t p = lrp_conv_out_size (g), in_size = lrp_conv_in_size (g);
  const int64_t m = g->out_channels, c = g->channels;
  g_autofree float *flipped = flipped_weights (g, n_terms, w);
  g_autofree float *stacked = n_terms > 1 ? g_new (float, (gsize) (n_terms * m * p)) : NULL;
  g_autofree float *out = g_new (float, (gsize) (c * in_size));

  for (int64_t n = 0; n < batch; n++)
    {
      const float *src = dy[0] + n * m * p;

      if (stacked)
        {
          for (int i = 0; i < n_terms; i++)
            memcpy (stacked + i * m * p, dy[i] + n * m * p, sizeof (float) * (size_t) (m * p));
          src = stacked;
        }
      if (!lrp_conv_forward (t, 1, src, flipped, NULL, out, cancellable, error))
        return FALSE;
      for (int64_t i = 0; i < c * in_size; i++)
        dx[n * c * in_size + i] += out[i];
    }
  return TRUE;
}

gboolean
lrp_conv_transpose_sum (const LrpConvGeometry *g,
                        int64_t batch,
                        int n_terms,
                        const float *const *w,
                        const float *const *dy,
                        float *dx,
                        GCancellable *cancellable,
                        GError **error)
{
  const int64_t cg = g->channels / g->group, mg = g->out_channels / g->group;
  const int64_t k = lrp_conv_col_rows (g), p = lrp_conv_out_size (g);
  const int64_t in_size = lrp_conv_in_size (g);
  g_autofree float *col = NULL;
  const float *wg[4], *dyg[4];

  LrpConvGeometry flipped;

  g_return_val_if_fail (n_terms >= 1 && n_terms <= 4, FALSE);
  if (!lrp_conv_is_pointwise (g) && transpose_as_forward (g, &flipped, n_terms))
    return transpose_sum_forward (g, &flipped, batch, n_terms, w, dy, dx, cancellable, error);
  if (!lrp_conv_is_pointwise (g))
    col = g_new (float, (gsize) (k * band_lines (g) * g->out[g->n_dims - 1]));
  for (int64_t n = 0; n < batch; n++)
    for (int64_t grp = 0; grp < g->group; grp++)
      {
        for (int t = 0; t < n_terms; t++)
          {
            wg[t] = w[t] + grp * mg * k;
            dyg[t] = dy[t] + (n * g->out_channels + grp * mg) * p;
          }
        if (!transpose_group (g, n_terms, wg, dyg, col,
                              dx + (n * g->channels + grp * cg) * in_size, cancellable, error))
          return FALSE;
      }
  return TRUE;
}

/* LRPLENS_CONV=im2col turns the Winograd path off, to compare. */
static gboolean
winograd_enabled (void)
{
  static gsize state = 0;

  if (g_once_init_enter (&state))
    g_once_init_leave (&state, g_strcmp0 (g_getenv ("LRPLENS_CONV"), "im2col") == 0 ? 1 : 2);
  return state == 2;
}

gboolean
lrp_conv_forward (const LrpConvGeometry *g,
                  int64_t batch,
                  const float *x,
                  const float *w,
                  const float *bias,
                  float *y,
                  GCancellable *cancellable,
                  GError **error)
{
  const int64_t cg = g->channels / g->group, mg = g->out_channels / g->group;
  const int64_t k = lrp_conv_col_rows (g), p = lrp_conv_out_size (g);
  const int64_t in_size = lrp_conv_in_size (g);
  g_autofree float *col = NULL;

  if (winograd_enabled () && lrp_winograd_applies (g))
    {
      for (int64_t n = 0; n < batch; n++)
        if (!lrp_winograd_conv (g, x + n * g->channels * in_size, w, bias,
                                y + n * g->out_channels * p, cancellable, error))
          return FALSE;
      return TRUE;
    }
  if (!lrp_conv_is_pointwise (g) && own_band_lines (g) == 0)
    col = g_new (float, (gsize) (k * band_lines (g) * g->out[g->n_dims - 1]));
  for (int64_t n = 0; n < batch; n++)
    for (int64_t grp = 0; grp < g->group; grp++)
      {
        float *yg = y + (n * g->out_channels + grp * mg) * p;

        if (g_cancellable_set_error_if_cancelled (cancellable, error))
          return FALSE;
        fill_bias (bias ? bias + grp * mg : NULL, mg, p, yg);
        if (!conv_group (g, x + (n * g->channels + grp * cg) * in_size, w + grp * mg * k, col,
                         yg, cancellable, error))
          return FALSE;
      }
  return TRUE;
}

void
lrp_conv_naive (const LrpConvGeometry *g,
                const float *x,
                const float *w,
                const float *bias,
                float *y)
{
  const int nd = g->n_dims;
  const int64_t cg = g->channels / g->group, mg = g->out_channels / g->group;
  const int64_t kprod = product (g->kernel, nd);
  const int64_t in_size = lrp_conv_in_size (g), out_size = lrp_conv_out_size (g);

  for (int64_t m = 0; m < g->out_channels; m++)
    for (int64_t o = 0; o < out_size; o++)
      {
        int64_t oidx[LRP_CONV_MAX_DIMS];
        double sum = bias ? bias[m] : 0.0;

        for (int64_t rest = o, d = nd - 1; d >= 0; d--)
          {
            oidx[d] = rest % g->out[d];
            rest /= g->out[d];
          }
        for (int64_t c = 0; c < cg; c++)
          for (int64_t ko = 0; ko < kprod; ko++)
            {
              int64_t rest = ko, off = 0, stride = 1;
              gboolean inside = TRUE;

              for (int d = nd - 1; d >= 0; d--)
                {
                  int64_t kd = rest % g->kernel[d];
                  int64_t i = oidx[d] * g->stride[d] - g->pad_begin[d] + kd * g->dilation[d];

                  rest /= g->kernel[d];
                  inside = inside && i >= 0 && i < g->in[d];
                  off += i * stride;
                  stride *= g->in[d];
                }
              if (inside)
                sum += (double) w[(m * cg + c) * kprod + ko]
                       * (double) x[((m / mg) * cg + c) * in_size + off];
            }
        y[m * out_size + o] = (float) sum;
      }
}
