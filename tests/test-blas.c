/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The linear kernels: BLAS products against the textbook loops, the
 * convolution lowering against direct summation, im2col against its
 * adjoint, and Conv, Gemm and MatMul through their operator classes.
 */
#include "config.h"

#include "lrp-blas-private.h"
#include "lrp-ops-private.h"
#include "lrp-parallel-private.h"
#include "lrp-test-util.h"

#include <math.h>
#include <string.h>

#define SEED 20240611

static float *
random_floats (GRand *rand,
               int64_t n)
{
  float *v = g_new (float, (gsize) MAX (n, 1));

  for (int64_t i = 0; i < n; i++)
    v[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
  return v;
}

static LrpTensor *
random_tensor (GRand *rand,
               int rank,
               const int64_t *shape)
{
  LrpTensor *t = lrp_tensor_new_float (rank, shape);

  for (int64_t i = 0; i < t->n; i++)
    lrp_tensor_f (t)[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
  return t;
}

/* max |got - want| / max |want| over n floats */
static double
rel_error (const float *got,
           const float *want,
           int64_t n)
{
  double max_want = 0, max_diff = 0;

  for (int64_t i = 0; i < n; i++)
    {
      double d = fabs ((double) got[i] - (double) want[i]);

      max_want = MAX (max_want, fabs ((double) want[i]));
      max_diff = isnan (d) ? INFINITY : MAX (max_diff, d);
    }
  return max_want > 0 ? max_diff / max_want : max_diff;
}

/* ---- sgemm -------------------------------------------------------------- */

static void
check_sgemm (GRand *rand,
             gboolean ta,
             gboolean tb,
             int64_t m,
             int64_t n,
             int64_t k,
             int64_t pad,
             float alpha,
             float beta)
{
  /* Leading dimensions larger than the rows by @pad: submatrix access. */
  int64_t lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
  g_autofree float *a = random_floats (rand, (ta ? k : m) * lda);
  g_autofree float *b = random_floats (rand, (tb ? n : k) * ldb);
  g_autofree float *c = random_floats (rand, m * ldc);
  g_autofree float *want = g_memdup2 (c, (gsize) (m * ldc) * sizeof (float));

  lrp_sgemm (ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  lrp_sgemm_naive (ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc);
  g_assert_cmpfloat (rel_error (c, want, m * ldc), <=, 1e-5);
}

static void
test_sgemm_transposes (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (SEED);
  static const int64_t sizes[][3] = {
    { 1, 1, 1 }, { 3, 5, 7 }, { 17, 9, 33 }, { 64, 70, 129 }, { 1, 100, 40 }, { 50, 1, 3 },
    /* Large enough for lrp_sgemm to split them over the cores: by columns,
     * by rows (ragged last block), and a row vector (sgemv) by outputs. */
    { 70, 150, 60 }, { 150, 37, 100 }, { 1, 300, 2000 }, { 1, 2000, 300 },
  };

  for (gsize s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (int t = 0; t < 4; t++)
      {
        check_sgemm (rand, t & 1, t & 2, sizes[s][0], sizes[s][1], sizes[s][2], 0, 1.f, 0.f);
        check_sgemm (rand, t & 1, t & 2, sizes[s][0], sizes[s][1], sizes[s][2], 3, 0.5f, 1.f);
        check_sgemm (rand, t & 1, t & 2, sizes[s][0], sizes[s][1], sizes[s][2], 1, -2.f, 0.25f);
      }
}

/* K == 0: the product is empty, C is only scaled (BLAS would refuse the
 * leading dimensions). */
static void
test_sgemm_empty (void)
{
  float c[6] = { 1, 2, 3, 4, 5, NAN };
  float a[1] = { 0 }, b[1] = { 0 };

  lrp_sgemm (FALSE, FALSE, 2, 3, 0, 1.f, a, 0, b, 3, 2.f, c, 3);
  g_assert_cmpfloat (c[0], ==, 2.f);
  g_assert_cmpfloat (c[4], ==, 10.f);
  lrp_sgemm (FALSE, FALSE, 2, 3, 0, 1.f, a, 0, b, 3, 0.f, c, 3);
  for (int i = 0; i < 6; i++)
    g_assert_cmpfloat (c[i], ==, 0.f);
  lrp_sgemm (FALSE, FALSE, 0, 3, 4, 1.f, a, 4, b, 3, 0.f, c, 3);
}

/* ---- Convolution geometry ----------------------------------------------- */

typedef struct
{
  const char *name;
  int nd;
  int64_t c, m, group;
  int64_t in[3], kernel[3], stride[3], pad_begin[3], pad_end[3], dilation[3];
} ConvCase;

static const ConvCase conv_cases[] = {
  { "plain", 2, 3, 4, 1, { 7, 6 }, { 3, 3 }, { 1, 1 }, { 0, 0 }, { 0, 0 }, { 1, 1 } },
  { "padded", 2, 3, 5, 1, { 8, 8 }, { 3, 3 }, { 1, 1 }, { 1, 1 }, { 1, 1 }, { 1, 1 } },
  { "strided", 2, 4, 6, 1, { 9, 10 }, { 3, 2 }, { 2, 3 }, { 1, 0 }, { 0, 2 }, { 1, 1 } },
  { "dilated", 2, 2, 3, 1, { 11, 9 }, { 3, 3 }, { 1, 2 }, { 2, 1 }, { 2, 1 }, { 2, 3 } },
  { "groups", 2, 6, 4, 2, { 8, 7 }, { 3, 3 }, { 1, 1 }, { 1, 1 }, { 1, 1 }, { 1, 1 } },
  { "depthwise", 2, 8, 8, 8, { 10, 10 }, { 3, 3 }, { 1, 1 }, { 1, 1 }, { 1, 1 }, { 1, 1 } },
  { "depthwise-x2", 2, 4, 8, 4, { 9, 9 }, { 3, 3 }, { 2, 2 }, { 1, 1 }, { 1, 1 }, { 1, 1 } },
  { "pointwise", 2, 16, 12, 1, { 5, 7 }, { 1, 1 }, { 1, 1 }, { 0, 0 }, { 0, 0 }, { 1, 1 } },
  { "pointwise-strided", 2, 8, 12, 1, { 7, 7 }, { 1, 1 }, { 2, 2 }, { 0, 0 }, { 0, 0 },
    { 1, 1 } },
  { "pointwise-groups", 2, 8, 6, 2, { 4, 5 }, { 1, 1 }, { 1, 1 }, { 0, 0 }, { 0, 0 }, { 1, 1 } },
  { "wide", 2, 16, 32, 1, { 12, 12 }, { 5, 5 }, { 1, 1 }, { 2, 2 }, { 2, 2 }, { 1, 1 } },
  { "big-pad", 2, 2, 2, 1, { 3, 4 }, { 2, 2 }, { 3, 1 }, { 4, 3 }, { 2, 5 }, { 1, 1 } },
  /* Big enough for lrp_conv_forward to lower it in several bands of
   * output rows, the last one partial. */
  { "banded", 2, 64, 8, 1, { 66, 64 }, { 3, 3 }, { 1, 1 }, { 1, 1 }, { 1, 1 }, { 1, 1 } },
  { "1d", 1, 3, 4, 1, { 15 }, { 4 }, { 2 }, { 1 }, { 2 }, { 2 } },
  /* Wide enough (≥ 16 channels, stride 1) for the transposed product to
   * run as a forward convolution with flipped weights; asymmetric pads,
   * dilation. */
  { "flip-asym", 2, 16, 24, 1, { 9, 11 }, { 3, 4 }, { 1, 1 }, { 2, 0 }, { 1, 3 }, { 1, 1 } },
  { "flip-dilated", 2, 20, 16, 1, { 12, 10 }, { 3, 3 }, { 1, 1 }, { 0, 4 }, { 3, 0 }, { 2, 3 } },
  /* 3×3, stride 1, ≥ 16 channels and ≥ 400 positions: Winograd F(2×2, 3×3),
   * with odd sides (a cut last tile), asymmetric pads, and enough tiles
   * for the cores to share bands of tile rows. */
  { "winograd", 2, 16, 16, 1, { 21, 23 }, { 3, 3 }, { 1, 1 }, { 1, 1 }, { 1, 1 }, { 1, 1 } },
  { "winograd-asym", 2, 17, 20, 1, { 24, 25 }, { 3, 3 }, { 1, 1 }, { 0, 2 }, { 2, 1 },
    { 1, 1 } },
  { "winograd-bands", 2, 16, 16, 1, { 160, 161 }, { 3, 3 }, { 1, 1 }, { 1, 1 }, { 1, 1 },
    { 1, 1 } },
  /* 14×14: few positions, taken with few channels only */
  { "winograd-14", 2, 16, 24, 1, { 14, 14 }, { 3, 3 }, { 1, 1 }, { 1, 1 }, { 1, 1 }, { 1, 1 } },
  { "3d", 3, 4, 6, 2, { 5, 6, 7 }, { 2, 3, 3 }, { 1, 2, 1 }, { 1, 0, 1 }, { 0, 1, 1 },
    { 2, 1, 1 } },
};

static LrpConvGeometry
make_geometry (const ConvCase *cc)
{
  LrpConvGeometry g = { 0 };

  g.n_dims = cc->nd;
  g.channels = cc->c;
  g.out_channels = cc->m;
  g.group = cc->group;
  for (int d = 0; d < cc->nd; d++)
    {
      int64_t extent = (cc->kernel[d] - 1) * cc->dilation[d] + 1;

      g.in[d] = cc->in[d];
      g.kernel[d] = cc->kernel[d];
      g.stride[d] = cc->stride[d];
      g.pad_begin[d] = cc->pad_begin[d];
      g.pad_end[d] = cc->pad_end[d];
      g.dilation[d] = cc->dilation[d];
      g.out[d] = (cc->in[d] + cc->pad_begin[d] + cc->pad_end[d] - extent) / cc->stride[d] + 1;
      g_assert_cmpint (g.out[d], >, 0);
    }
  return g;
}

static int64_t
weight_count (const LrpConvGeometry *g)
{
  return g->out_channels * lrp_conv_col_rows (g);
}

/* <im2col(x), y> == <x, col2im(y)> for random x, y: col2im is the adjoint,
 * which is what relevance propagation through a convolution relies on. */
static void
test_im2col_adjoint (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (SEED);

  for (gsize i = 0; i < G_N_ELEMENTS (conv_cases); i++)
    {
      LrpConvGeometry g = make_geometry (&conv_cases[i]);
      int64_t nx = g.channels / g.group * lrp_conv_in_size (&g);
      int64_t ncol = lrp_conv_col_rows (&g) * lrp_conv_out_size (&g);
      g_autofree float *x = random_floats (rand, nx);
      g_autofree float *y = random_floats (rand, ncol);
      g_autofree float *col = g_new (float, (gsize) ncol);
      g_autofree float *back = g_new0 (float, (gsize) nx);
      double lhs = 0, rhs = 0, scale = 0;

      /* Garbage in col proves im2col writes every entry (padding too). */
      memset (col, 0xff, (gsize) ncol * sizeof (float));
      lrp_im2col (&g, x, col);
      lrp_col2im (&g, y, back);
      for (int64_t j = 0; j < ncol; j++)
        {
          lhs += (double) col[j] * (double) y[j];
          scale += fabs ((double) col[j] * (double) y[j]);
        }
      for (int64_t j = 0; j < nx; j++)
        rhs += (double) x[j] * (double) back[j];
      g_test_message ("%s: <im2col x, y> = %g, <x, col2im y> = %g", conv_cases[i].name, lhs, rhs);
      g_assert_cmpfloat (fabs (lhs - rhs), <=, 1e-5 * MAX (scale, 1.0));
    }
}

/* <conv(x), y> == <x, Σ_t J(w_t)ᵀ y_t>: the transposed product (both of
 * its strategies: col2im, and a forward convolution with flipped weights)
 * is the adjoint of the forward one, for one term and for two. */
static void
test_conv_transpose_adjoint (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (SEED);

  for (gsize i = 0; i < G_N_ELEMENTS (conv_cases); i++)
    {
      LrpConvGeometry g = make_geometry (&conv_cases[i]);
      int64_t nx = g.channels * lrp_conv_in_size (&g);
      int64_t ny = g.out_channels * lrp_conv_out_size (&g);
      int64_t nw = weight_count (&g);
      g_autofree float *x = random_floats (rand, nx);
      g_autofree float *w1 = random_floats (rand, nw), *w2 = random_floats (rand, nw);
      g_autofree float *y1 = random_floats (rand, ny), *y2 = random_floats (rand, ny);
      g_autofree float *z1 = g_new (float, ny), *z2 = g_new (float, ny);
      g_autofree float *back = g_new0 (float, nx);
      const float *w[2] = { w1, w2 }, *y[2] = { y1, y2 };
      double lhs = 0, rhs = 0, scale = 0;

      g_assert_true (lrp_conv_forward (&g, 1, x, w1, NULL, z1, NULL, NULL));
      g_assert_true (lrp_conv_forward (&g, 1, x, w2, NULL, z2, NULL, NULL));
      g_assert_true (lrp_conv_transpose_sum (&g, 1, 2, w, y, back, NULL, NULL));
      for (int64_t j = 0; j < ny; j++)
        {
          lhs += (double) z1[j] * y1[j] + (double) z2[j] * y2[j];
          scale += fabs ((double) z1[j] * y1[j]) + fabs ((double) z2[j] * y2[j]);
        }
      for (int64_t j = 0; j < nx; j++)
        rhs += (double) x[j] * back[j];
      g_test_message ("%s: <conv x, y> = %g, <x, conv^T y> = %g", conv_cases[i].name, lhs, rhs);
      g_assert_cmpfloat (fabs (lhs - rhs), <=, 1e-5 * MAX (scale, 1.0));
    }
}

/* col2im accumulates: running it twice doubles, it never clears. */
static void
test_col2im_accumulates (void)
{
  LrpConvGeometry g = make_geometry (&conv_cases[1]);
  int64_t nx = g.channels * lrp_conv_in_size (&g);
  int64_t ncol = lrp_conv_col_rows (&g) * lrp_conv_out_size (&g);
  g_autofree float *ones = g_new (float, (gsize) ncol);
  g_autofree float *x = g_new0 (float, (gsize) nx);

  for (int64_t j = 0; j < ncol; j++)
    ones[j] = 1.f;
  lrp_col2im (&g, ones, x);
  lrp_col2im (&g, ones, x);
  /* padded 3×3, stride 1: an interior pixel is read by 9 outputs, a
   * corner by 4. */
  g_assert_cmpfloat (x[1 * 8 + 1], ==, 18.f);
  g_assert_cmpfloat (x[0], ==, 8.f);
}

/* Band by band, the _lines variants give the columns of the whole
 * matrix, and col2im accumulates to the same input. */
static void
test_im2col_bands (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (SEED);

  for (gsize i = 0; i < G_N_ELEMENTS (conv_cases); i++)
    {
      LrpConvGeometry g = make_geometry (&conv_cases[i]);
      int64_t nx = g.channels / g.group * lrp_conv_in_size (&g);
      int64_t rows = lrp_conv_col_rows (&g), p = lrp_conv_out_size (&g);
      int64_t out_len = g.out[g.n_dims - 1], lines = lrp_conv_out_lines (&g);
      g_autofree float *x = random_floats (rand, nx);
      g_autofree float *full = g_new (float, (gsize) (rows * p));
      g_autofree float *band = g_new (float, (gsize) (rows * 3 * out_len));
      g_autofree float *back_full = g_new0 (float, (gsize) nx);
      g_autofree float *back_bands = g_new0 (float, (gsize) nx);

      g_assert_cmpint (lines * out_len, ==, p);
      lrp_im2col (&g, x, full);
      lrp_col2im (&g, full, back_full);
      for (int64_t first = 0; first < lines; first += 3)
        {
          int64_t count = MIN (3, lines - first), width = count * out_len;

          lrp_im2col_lines (&g, x, first, count, band);
          for (int64_t r = 0; r < rows; r++)
            g_assert_cmpmem (band + r * width, (gsize) width * sizeof (float),
                             full + r * p + first * out_len, (gsize) width * sizeof (float));
          lrp_col2im_lines (&g, band, first, count, back_bands);
        }
      g_assert_cmpfloat (rel_error (back_bands, back_full, nx), <=, 1e-6);
    }
}

static void
test_conv_geometries (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (SEED);
  const int64_t batch = 2;

  for (gsize i = 0; i < G_N_ELEMENTS (conv_cases); i++)
    {
      LrpConvGeometry g = make_geometry (&conv_cases[i]);
      int64_t nx = g.channels * lrp_conv_in_size (&g);
      int64_t ny = g.out_channels * lrp_conv_out_size (&g);
      g_autofree float *x = random_floats (rand, batch * nx);
      g_autofree float *w = random_floats (rand, weight_count (&g));
      g_autofree float *bias = random_floats (rand, g.out_channels);
      g_autofree float *got = g_new (float, (gsize) (batch * ny));
      g_autofree float *want = g_new (float, (gsize) (batch * ny));
      g_autoptr(GError) error = NULL;

      /* The cases named so must take that path, or they test nothing new. */
      g_assert_true (lrp_winograd_applies (&g)
                     == g_str_has_prefix (conv_cases[i].name, "winograd"));
      for (int with_bias = 0; with_bias < 2; with_bias++)
        {
          const float *b = with_bias ? bias : NULL;
          double err;

          g_assert_true (lrp_conv_forward (&g, batch, x, w, b, got, NULL, &error));
          g_assert_no_error (error);
          for (int64_t n = 0; n < batch; n++)
            lrp_conv_naive (&g, x + n * nx, w, b, want + n * ny);
          err = rel_error (got, want, batch * ny);
          g_test_message ("%s%s: relative error %g", conv_cases[i].name,
                          with_bias ? " + bias" : "", err);
          g_assert_cmpfloat (err, <=, 1e-5);
        }
    }
}

static void
test_conv_pointwise (void)
{
  LrpConvGeometry g = make_geometry (&conv_cases[7]);
  LrpConvGeometry strided = make_geometry (&conv_cases[8]);
  LrpConvGeometry padded = make_geometry (&conv_cases[1]);

  g_assert_true (lrp_conv_is_pointwise (&g));
  g_assert_false (lrp_conv_is_pointwise (&strided));
  g_assert_false (lrp_conv_is_pointwise (&padded));
}

static void
test_conv_cancel (void)
{
  /* The lowered path and the Winograd one */
  const char *names[] = { "plain", "winograd-bands" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const ConvCase *cc = NULL;
      LrpConvGeometry g;
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GError) error = NULL;
      g_autofree float *x = NULL, *w = NULL, *y = NULL;

      for (gsize c = 0; c < G_N_ELEMENTS (conv_cases); c++)
        if (g_str_equal (conv_cases[c].name, names[i]))
          cc = &conv_cases[c];
      g_assert_nonnull (cc);
      g = make_geometry (cc);
      x = g_new0 (float, (gsize) (g.channels * lrp_conv_in_size (&g)));
      w = g_new0 (float, (gsize) weight_count (&g));
      y = g_new0 (float, (gsize) (g.out_channels * lrp_conv_out_size (&g)));
      g_cancellable_cancel (cancellable);
      g_assert_false (lrp_conv_forward (&g, 1, x, w, NULL, y, cancellable, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    }
}

/* ---- Operators ---------------------------------------------------------- */

/* Runs one node of @op_type on @in through setup, infer and forward, as the
 * graph does; returns the output or NULL with @error set. */
static LrpTensor *
run_op (const char *op_type,
        int opset,
        LrpAttr *attrs,
        int n_attrs,
        LrpTensor **in,
        int n_in,
        GError **error)
{
  LrpNode node = { 0 };
  LrpAttrs a = { "test", op_type, n_attrs, attrs };
  LrpTensor *meta[1] = { NULL };
  LrpTensor *out[1] = { NULL };
  gboolean ok;

  node.name = (char *) "test";
  node.op_type = (char *) op_type;
  node.klass = lrp_op_lookup (op_type);
  node.opset = opset;
  node.n_inputs = n_in;
  node.n_outputs = 1;
  g_assert_nonnull (node.klass);
  ok = (node.klass->setup == NULL || node.klass->setup (&node, &a, error))
       && node.klass->infer (&node, in, meta, error);
  if (ok)
    {
      out[0] = lrp_tensor_new_like (meta[0]);
      ok = node.klass->forward (&node, in, out, NULL, error);
    }
  g_clear_pointer (&meta[0], lrp_tensor_unref);
  if (node.free_params)
    node.free_params (node.params);
  if (!ok)
    g_clear_pointer (&out[0], lrp_tensor_unref);
  return out[0];
}

static LrpAttr
attr_ints (const char *name,
           int n,
           int64_t *v)
{
  return (LrpAttr) { .name = (char *) name, .type = LRP_ATTR_INTS, .n = n, .ints = v };
}

static LrpAttr
attr_int (const char *name,
          int64_t v)
{
  return (LrpAttr) { .name = (char *) name, .type = LRP_ATTR_INT, .i = v };
}

static LrpAttr
attr_float (const char *name,
            double v)
{
  return (LrpAttr) { .name = (char *) name, .type = LRP_ATTR_FLOAT, .f = v };
}

static LrpAttr
attr_string (const char *name,
             const char *s)
{
  return (LrpAttr) { .name = (char *) name, .type = LRP_ATTR_STRING, .s = (char *) s };
}

/* Conv with auto_pad: the op must pick the pads ONNX prescribes (the
 * extra one at the end for SAME_UPPER, at the start for SAME_LOWER) and
 * infer kernel_shape from the weights. */
static void
test_conv_op_auto_pad (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (SEED);
  static const struct
  {
    const char *mode;
    int64_t pb[2], pe[2], out[2];
  } modes[] = {
    /* H 7, W 8, kernel 3, stride 2: out 4 × 4; total pads 2 and 1. */
    { "SAME_UPPER", { 1, 0 }, { 1, 1 }, { 4, 4 } },
    { "SAME_LOWER", { 1, 1 }, { 1, 0 }, { 4, 4 } },
    { "VALID", { 0, 0 }, { 0, 0 }, { 3, 3 } },
  };
  int64_t xs[] = { 2, 3, 7, 8 }, ws[] = { 5, 3, 3, 3 }, bs[] = { 5 };
  g_autoptr(LrpTensor) x = random_tensor (rand, 4, xs);
  g_autoptr(LrpTensor) w = random_tensor (rand, 4, ws);
  g_autoptr(LrpTensor) b = random_tensor (rand, 1, bs);

  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      int64_t strides[] = { 2, 2 };
      LrpAttr attrs[] = { attr_string ("auto_pad", modes[i].mode),
                          attr_ints ("strides", 2, strides) };
      LrpTensor *in[] = { x, w, b };
      g_autoptr(GError) error = NULL;
      g_autoptr(LrpTensor) y = run_op ("Conv", 11, attrs, 2, in, 3, &error);
      ConvCase cc = { modes[i].mode, 2, 3, 5, 1, { 7, 8 }, { 3, 3 }, { 2, 2 },
                      { modes[i].pb[0], modes[i].pb[1] }, { modes[i].pe[0], modes[i].pe[1] },
                      { 1, 1 } };
      LrpConvGeometry g = make_geometry (&cc);
      int64_t per = 5 * lrp_conv_out_size (&g);
      g_autofree float *want = g_new (float, (gsize) (2 * per));

      g_assert_no_error (error);
      g_assert_cmpint (y->rank, ==, 4);
      g_assert_cmpint (y->shape[2], ==, modes[i].out[0]);
      g_assert_cmpint (y->shape[3], ==, modes[i].out[1]);
      for (int n = 0; n < 2; n++)
        lrp_conv_naive (&g, lrp_tensor_f (x) + n * 3 * 56, lrp_tensor_f (w), lrp_tensor_f (b),
                        want + n * per);
      g_assert_cmpfloat (rel_error (lrp_tensor_f (y), want, y->n), <=, 1e-5);
    }
}

/* Shapes a hostile file might hold get errors, not crashes. */
static void
test_conv_op_errors (void)
{
  static const struct
  {
    int64_t x[4], w[4], group, pad, dilation;
    int code;
  } bad[] = {
    { { 1, 3, 5, 5 }, { 4, 2, 3, 3 }, 1, 0, 1, LRP_MODEL_ERROR_SHAPE },   /* channels */
    { { 1, 4, 5, 5 }, { 3, 2, 3, 3 }, 2, 0, 1, LRP_MODEL_ERROR_SHAPE },   /* M % group */
    { { 1, 4, 5, 5 }, { 4, 4, 3, 3 }, 0, 0, 1, LRP_MODEL_ERROR_SHAPE },   /* group 0 */
    { { 1, 3, 2, 2 }, { 4, 3, 3, 3 }, 1, 0, 1, LRP_MODEL_ERROR_SHAPE },   /* kernel > input */
    { { 1, 3, 5, 5 }, { 4, 3, 3, 3 }, 1, -1, 1, LRP_MODEL_ERROR_SHAPE },  /* negative pad */
    { { 1, 3, 5, 5 }, { 4, 3, 3, 3 }, 1, 0, 0, LRP_MODEL_ERROR_SHAPE },   /* dilation 0 */
    { { 1, 3, 5, 5 }, { 4, 3, 3, 3 }, 1, 0, G_MAXINT64, LRP_MODEL_ERROR_SHAPE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      int64_t pads[] = { bad[i].pad, bad[i].pad, bad[i].pad, bad[i].pad };
      int64_t dil[] = { bad[i].dilation, bad[i].dilation };
      LrpAttr attrs[] = { attr_int ("group", bad[i].group), attr_ints ("pads", 4, pads),
                          attr_ints ("dilations", 2, dil) };
      g_autoptr(LrpTensor) x = lrp_tensor_new_meta (LRP_DTYPE_FLOAT, 4, bad[i].x);
      g_autoptr(LrpTensor) w = lrp_tensor_new_meta (LRP_DTYPE_FLOAT, 4, bad[i].w);
      LrpTensor *in[] = { x, w };
      LrpNode node = { .name = (char *) "bad", .op_type = (char *) "Conv", .opset = 11,
                       .n_inputs = 2, .n_outputs = 1 };
      LrpAttrs a = { "bad", "Conv", 3, attrs };
      LrpTensor *out[1] = { NULL };
      g_autoptr(GError) error = NULL;

      node.klass = lrp_op_lookup ("Conv");
      g_assert_true (node.klass->setup (&node, &a, &error));
      g_assert_false (node.klass->infer (&node, in, out, &error));
      g_assert_error (error, LRP_MODEL_ERROR, bad[i].code);
      g_assert_nonnull (strstr (error->message, "“bad” (Conv)"));
      g_assert_null (out[0]);
      node.free_params (node.params);
    }
}

static void
naive_gemm_c (const float *c,
              int64_t cm,
              int64_t cn,
              int64_t m,
              int64_t n,
              float beta,
              float *y)
{
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++)
      y[i * n + j] = beta * c[(cm == 1 ? 0 : i) * cn + (cn == 1 ? 0 : j)];
}

static void
test_gemm_op (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (SEED);
  /* C shapes: none, scalar, [N], [1, N], [M, 1], [M, N] */
  static const struct { int rank; int64_t shape[2]; } cs[] = {
    { -1, { 0 } }, { 0, { 0 } }, { 1, { 6 } }, { 2, { 1, 6 } }, { 2, { 4, 1 } }, { 2, { 4, 6 } },
  };
  const int64_t m = 4, n = 6, k = 5;

  for (int t = 0; t < 4; t++)
    for (gsize ci = 0; ci < G_N_ELEMENTS (cs); ci++)
      {
        gboolean ta = t & 1, tb = (t & 2) != 0;
        int64_t as[] = { ta ? k : m, ta ? m : k }, bs[] = { tb ? n : k, tb ? k : n };
        g_autoptr(LrpTensor) a = random_tensor (rand, 2, as);
        g_autoptr(LrpTensor) b = random_tensor (rand, 2, bs);
        g_autoptr(LrpTensor) c = cs[ci].rank >= 0 ? random_tensor (rand, cs[ci].rank, cs[ci].shape)
                                                  : NULL;
        LrpAttr attrs[] = { attr_float ("alpha", 0.75), attr_float ("beta", -1.5),
                            attr_int ("transA", ta), attr_int ("transB", tb),
                            attr_int ("broadcast", 1) };
        LrpTensor *in[] = { a, b, c };
        g_autoptr(GError) error = NULL;
        g_autoptr(LrpTensor) y = run_op ("Gemm", 6, attrs, 5, in, c ? 3 : 2, &error);
        float want[24] = { 0 };
        int64_t cm = c && c->rank == 2 ? c->shape[0] : 1;
        int64_t cn = c && c->rank >= 1 ? c->shape[c->rank - 1] : 1;

        g_assert_no_error (error);
        g_assert_cmpint (y->shape[0], ==, m);
        g_assert_cmpint (y->shape[1], ==, n);
        if (c)
          naive_gemm_c (lrp_tensor_f (c), cm, cn, m, n, -1.5f, want);
        lrp_sgemm_naive (ta, tb, m, n, k, 0.75f, lrp_tensor_f (a), as[1], lrp_tensor_f (b),
                         bs[1], 1.f, want, n);
        g_assert_cmpfloat (rel_error (lrp_tensor_f (y), want, m * n), <=, 1e-5);
      }
}

/* numpy.matmul by loops: shapes already broadcast by the caller's table. */
static void
test_matmul_op (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (SEED);
  static const struct
  {
    int ra, rb, ry;
    int64_t a[4], b[4], y[4];
  } cases[] = {
    { 2, 2, 2, { 3, 4 }, { 4, 5 }, { 3, 5 } },
    { 1, 1, 0, { 4 }, { 4 }, { 0 } },
    { 1, 2, 1, { 4 }, { 4, 5 }, { 5 } },
    { 2, 1, 1, { 3, 4 }, { 4 }, { 3 } },
    { 3, 2, 3, { 2, 3, 4 }, { 4, 5 }, { 2, 3, 5 } },
    { 2, 3, 3, { 3, 4 }, { 2, 4, 5 }, { 2, 3, 5 } },
    { 4, 3, 4, { 2, 1, 3, 4 }, { 3, 4, 5 }, { 2, 3, 3, 5 } },
    { 3, 1, 2, { 2, 3, 4 }, { 4 }, { 2, 3 } },
    { 1, 3, 2, { 4 }, { 2, 4, 5 }, { 2, 5 } },
    { 3, 3, 3, { 1, 3, 4 }, { 2, 4, 5 }, { 2, 3, 5 } },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LrpTensor) a = random_tensor (rand, cases[i].ra, cases[i].a);
      g_autoptr(LrpTensor) b = random_tensor (rand, cases[i].rb, cases[i].b);
      LrpTensor *in[] = { a, b };
      g_autoptr(GError) error = NULL;
      g_autoptr(LrpTensor) y = run_op ("MatMul", 13, NULL, 0, in, 2, &error);
      int64_t m = cases[i].ra == 1 ? 1 : cases[i].a[cases[i].ra - 2];
      int64_t k = cases[i].a[cases[i].ra - 1];
      int64_t n = cases[i].rb == 1 ? 1 : cases[i].b[cases[i].rb - 1];
      int64_t batch = y ? y->n / (m * n) : 0;
      int64_t na = a->n / (m * k), nb = b->n / (k * n);
      g_autofree float *want = g_new0 (float, (gsize) MAX (y ? y->n : 1, 1));

      g_assert_no_error (error);
      g_assert_cmpint (y->rank, ==, cases[i].ry);
      for (int d = 0; d < y->rank; d++)
        g_assert_cmpint (y->shape[d], ==, cases[i].y[d]);
      /* Every table entry broadcasts one operand as a whole or along its
       * leading axis only, so batch index modulo each count finds the
       * matrix (for the [2,1,3,4] × [3,4,5] case: a = i / 3, b = i % 3). */
      for (int64_t bi = 0; bi < batch; bi++)
        {
          int64_t ia = na == batch ? bi : (na == 1 ? 0 : bi / (batch / na));
          int64_t ib = nb == batch ? bi : (nb == 1 ? 0 : bi % nb);

          lrp_sgemm_naive (FALSE, FALSE, m, n, k, 1.f, lrp_tensor_f (a) + ia * m * k, k,
                           lrp_tensor_f (b) + ib * k * n, n, 0.f, want + bi * m * n, n);
        }
      g_assert_cmpfloat (rel_error (lrp_tensor_f (y), want, y->n), <=, 1e-5);
    }
}

static void
test_matmul_op_errors (void)
{
  int64_t as[] = { 3, 4 }, bs[] = { 5, 6 }, cs[] = { 2, 4, 5 }, ds[] = { 3, 5, 6 };
  g_autoptr(LrpTensor) a = lrp_tensor_new_meta (LRP_DTYPE_FLOAT, 2, as);
  g_autoptr(LrpTensor) b = lrp_tensor_new_meta (LRP_DTYPE_FLOAT, 2, bs);
  g_autoptr(LrpTensor) c = lrp_tensor_new_meta (LRP_DTYPE_FLOAT, 3, cs);
  g_autoptr(LrpTensor) d = lrp_tensor_new_meta (LRP_DTYPE_FLOAT, 3, ds);
  LrpTensor *pairs[][2] = { { a, b }, { c, d } };

  for (gsize i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      LrpNode node = { .name = (char *) "bad", .op_type = (char *) "MatMul", .opset = 13,
                       .n_inputs = 2, .n_outputs = 1 };
      LrpTensor *out[1] = { NULL };
      g_autoptr(GError) error = NULL;

      node.klass = lrp_op_lookup ("MatMul");
      g_assert_false (node.klass->infer (&node, pairs[i], out, &error));
      g_assert_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_SHAPE);
      g_assert_nonnull (strstr (error->message, "“bad” (MatMul)"));
    }
}

/* Which threads ran the ranges of one loop. */
typedef struct
{
  GMutex lock;
  GThread *threads[64];
  int n_ranges;
} RangeLog;

static void
log_range (int64_t begin,
           int64_t end,
           gpointer data)
{
  RangeLog *log = data;

  g_assert_cmpint (begin, <, end);
  g_mutex_lock (&log->lock);
  if (log->n_ranges < 64)
    log->threads[log->n_ranges++] = g_thread_self ();
  g_mutex_unlock (&log->lock);
}

static int
threads_used (int64_t n)
{
  RangeLog log = { 0 };
  int distinct = 0;

  g_mutex_init (&log.lock);
  lrp_parallel_for (n, 1, log_range, &log);
  for (int i = 0; i < log.n_ranges; i++)
    {
      gboolean seen = FALSE;

      for (int j = 0; j < i; j++)
        seen = seen || log.threads[j] == log.threads[i];
      distinct += !seen;
    }
  g_mutex_clear (&log.lock);
  return distinct;
}

/* A serial scope keeps every loop on the calling thread, nests, and ends. */
static void
test_parallel_serial_scope (void)
{
  int parts = lrp_parallel_parts (1000, 1);
  gboolean outer, inner;

  g_assert_cmpint (threads_used (1000), ==, parts);
  outer = lrp_parallel_serial_begin (TRUE);
  g_assert_false (outer);
  g_assert_cmpint (threads_used (1000), ==, 1);
  inner = lrp_parallel_serial_begin (FALSE);     /* a large model's pass inside */
  g_assert_true (inner);
  g_assert_cmpint (threads_used (1000), ==, 1);
  lrp_parallel_serial_end (inner);
  g_assert_cmpint (threads_used (1000), ==, 1);
  lrp_parallel_serial_end (outer);
  g_assert_cmpint (threads_used (1000), ==, parts);
}

int
main (int argc,
      char **argv)
{
  lrp_test_init (&argc, &argv);

  g_test_add_func ("/blas/sgemm/transposes", test_sgemm_transposes);
  g_test_add_func ("/blas/sgemm/empty", test_sgemm_empty);
  g_test_add_func ("/blas/im2col/adjoint", test_im2col_adjoint);
  g_test_add_func ("/blas/im2col/col2im-accumulates", test_col2im_accumulates);
  g_test_add_func ("/blas/conv/transpose-adjoint", test_conv_transpose_adjoint);
  g_test_add_func ("/blas/im2col/bands", test_im2col_bands);
  g_test_add_func ("/blas/conv/geometries", test_conv_geometries);
  g_test_add_func ("/blas/conv/pointwise", test_conv_pointwise);
  g_test_add_func ("/blas/conv/cancel", test_conv_cancel);
  g_test_add_func ("/blas/conv/op-auto-pad", test_conv_op_auto_pad);
  g_test_add_func ("/blas/conv/op-errors", test_conv_op_errors);
  g_test_add_func ("/blas/gemm/op", test_gemm_op);
  g_test_add_func ("/blas/matmul/op", test_matmul_op);
  g_test_add_func ("/blas/matmul/op-errors", test_matmul_op_errors);
  g_test_add_func ("/parallel/serial-scope", test_parallel_serial_scope);
  return g_test_run ();
}
