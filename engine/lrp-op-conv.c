/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Linear operators: Conv (1-D to 6-D, groups, dilations, auto_pad), Gemm
 * and MatMul.  The arithmetic lives in lrp-blas.c; this file checks shapes
 * and maps ONNX's conventions onto it.
 */
#define G_LOG_DOMAIN "lrp-op"

#include "config.h"

#include "lrp-blas-private.h"
#include "lrp-linear-private.h"
#include "lrp-ops-private.h"

#include <string.h>

/* Attribute values beyond this are treated as hostile: it keeps every
 * product of two of them inside int64. */
#define MAX_CONV_ATTR LRP_MAX_ELEMENTS

/* ---- Conv --------------------------------------------------------------- */

typedef enum { PAD_NOTSET, PAD_VALID, PAD_SAME_UPPER, PAD_SAME_LOWER } AutoPad;

typedef struct
{
  AutoPad auto_pad;
  int64_t group;
  int n_kernel, n_pads, n_strides, n_dilations;    /* 0 when absent */
  int64_t kernel[LRP_CONV_MAX_DIMS];
  int64_t pads[2 * LRP_CONV_MAX_DIMS];
  int64_t strides[LRP_CONV_MAX_DIMS];
  int64_t dilations[LRP_CONV_MAX_DIMS];
} ConvParams;

/* Copies an INTS attribute of at most @max values into @dst. */
static gboolean
read_ints (LrpNode *node,
           const LrpAttrs *attrs,
           const char *name,
           int max,
           int *n,
           int64_t *dst,
           GError **error)
{
  const int64_t *v;

  if (!lrp_attrs_get_ints (attrs, name, n, &v, error))
    return FALSE;
  if (*n > max)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                      "attribute “%s” has %d values, at most %d are possible", name, *n, max);
      return FALSE;
    }
  if (*n > 0)
    memcpy (dst, v, (size_t) *n * sizeof (int64_t));
  return TRUE;
}

static gboolean
parse_auto_pad (LrpNode *node,
                const char *s,
                AutoPad *out,
                GError **error)
{
  static const char *const names[] = { "NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (s == NULL || g_str_equal (s, names[i]))
      {
        *out = s == NULL ? PAD_NOTSET : (AutoPad) i;
        return TRUE;
      }
  lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node, "auto_pad “%s” is not a valid value", s);
  return FALSE;
}

static gboolean
conv_setup (LrpNode *node,
            const LrpAttrs *attrs,
            GError **error)
{
  ConvParams *p = g_new0 (ConvParams, 1);

  node->params = p;
  node->free_params = g_free;
  if (lrp_attrs_has (attrs, "auto_pad") && lrp_attrs_get_string (attrs, "auto_pad") == NULL)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node, "attribute “auto_pad” is not a string");
      return FALSE;
    }
  return parse_auto_pad (node, lrp_attrs_get_string (attrs, "auto_pad"), &p->auto_pad, error)
         && lrp_attrs_get_int (attrs, "group", 1, &p->group, error)
         && read_ints (node, attrs, "kernel_shape", LRP_CONV_MAX_DIMS, &p->n_kernel, p->kernel,
                       error)
         && read_ints (node, attrs, "pads", 2 * LRP_CONV_MAX_DIMS, &p->n_pads, p->pads, error)
         && read_ints (node, attrs, "strides", LRP_CONV_MAX_DIMS, &p->n_strides, p->strides,
                       error)
         && read_ints (node, attrs, "dilations", LRP_CONV_MAX_DIMS, &p->n_dilations,
                       p->dilations, error);
}

/* An optional per-axis attribute: absent, or one value per spatial axis in
 * [lo, MAX_CONV_ATTR]. */
static gboolean
check_axis_list (const LrpNode *node,
                 const char *name,
                 int n,
                 int expected,
                 const int64_t *v,
                 int64_t lo,
                 GError **error)
{
  if (n != 0 && n != expected)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                      "attribute “%s” has %d values, expected %d", name, n, expected);
      return FALSE;
    }
  for (int i = 0; i < n; i++)
    if (v[i] < lo || v[i] > MAX_CONV_ATTR)
      {
        lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                        "attribute “%s” has value %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT
                        "…%" G_GINT64_FORMAT, name, v[i], lo, (int64_t) MAX_CONV_ATTR);
        return FALSE;
      }
  return TRUE;
}

static gboolean
check_float (const LrpNode *node,
             const LrpTensor *t,
             const char *what,
             GError **error)
{
  if (t == NULL)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_FAILED, node, "the %s input is missing", what);
      return FALSE;
    }
  if (t->dtype != LRP_DTYPE_FLOAT)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_UNSUPPORTED, node, "the %s input is %s, expected %s",
                      what, lrp_dtype_name (t->dtype), lrp_dtype_name (LRP_DTYPE_FLOAT));
      return FALSE;
    }
  return TRUE;
}

/* Input shapes against each other and the attributes. */
static gboolean
conv_check_inputs (const LrpNode *node,
                   const LrpTensor *x,
                   const LrpTensor *w,
                   GError **error)
{
  const ConvParams *p = node->params;
  int nd;

  if (!check_float (node, x, "data", error) || !check_float (node, w, "weight", error))
    return FALSE;
  nd = x->rank - 2;
  if (nd < 1 || w->rank != x->rank)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                      "expected input [N, C, spatial…] and weights of the same rank, "
                      "found ranks %d and %d", x->rank, w->rank);
      return FALSE;
    }
  for (int d = 0; d < x->rank; d++)
    if (x->shape[d] <= 0 || w->shape[d] <= 0)
      {
        g_autofree char *xs = lrp_shape_to_string (x->rank, x->shape);
        g_autofree char *ws = lrp_shape_to_string (w->rank, w->shape);

        lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                        "input %s and weights %s must not have empty dimensions", xs, ws);
        return FALSE;
      }
  if (p->group < 1 || x->shape[1] % p->group != 0 || w->shape[0] % p->group != 0
      || w->shape[1] != x->shape[1] / p->group)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                      "group %" G_GINT64_FORMAT " does not fit %" G_GINT64_FORMAT
                      " input channels and weights [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                      ", …]", p->group, x->shape[1], w->shape[0], w->shape[1]);
      return FALSE;
    }
  for (int d = 0; d < p->n_kernel && p->n_kernel == nd; d++)
    if (p->kernel[d] != w->shape[d + 2])
      {
        lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                        "kernel_shape disagrees with the weights on axis %d (%" G_GINT64_FORMAT
                        " vs %" G_GINT64_FORMAT ")", d, p->kernel[d], w->shape[d + 2]);
        return FALSE;
      }
  return check_axis_list (node, "kernel_shape", p->n_kernel, nd, p->kernel, 1, error)
         && check_axis_list (node, "strides", p->n_strides, nd, p->strides, 1, error)
         && check_axis_list (node, "dilations", p->n_dilations, nd, p->dilations, 1, error)
         && (p->auto_pad != PAD_NOTSET
             || check_axis_list (node, "pads", p->n_pads, 2 * nd, p->pads, 0, error));
}

static gboolean
conv_check_bias (const LrpNode *node,
                 const LrpTensor *b,
                 const LrpTensor *w,
                 GError **error)
{
  if (b == NULL)
    return TRUE;
  if (!check_float (node, b, "bias", error))
    return FALSE;
  if (b->rank != 1 || b->shape[0] != w->shape[0])
    {
      g_autofree char *bs = lrp_shape_to_string (b->rank, b->shape);

      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                      "expected a bias of [%" G_GINT64_FORMAT "] for as many output channels, "
                      "found %s", w->shape[0], bs);
      return FALSE;
    }
  return TRUE;
}

/* Output length and padding of spatial axis @d. */
static void
conv_axis (const ConvParams *p,
           LrpConvGeometry *g,
           int d)
{
  const int64_t extent = (g->kernel[d] - 1) * g->dilation[d] + 1;

  if (p->auto_pad == PAD_SAME_UPPER || p->auto_pad == PAD_SAME_LOWER)
    {
      int64_t total;

      g->out[d] = (g->in[d] + g->stride[d] - 1) / g->stride[d];
      total = MAX (0, (g->out[d] - 1) * g->stride[d] + extent - g->in[d]);
      g->pad_begin[d] = p->auto_pad == PAD_SAME_UPPER ? total / 2 : total - total / 2;
      g->pad_end[d] = total - g->pad_begin[d];
      return;
    }
  if (p->auto_pad == PAD_NOTSET && p->n_pads > 0)
    {
      g->pad_begin[d] = p->pads[d];
      g->pad_end[d] = p->pads[d + g->n_dims];
    }
  /* Floor division: negative numerators mean no output at all. */
  g->out[d] = g->in[d] + g->pad_begin[d] + g->pad_end[d] - extent;
  g->out[d] = g->out[d] < 0 ? 0 : g->out[d] / g->stride[d] + 1;
}

/* The geometry of @node applied to @x with weights @w (data or meta
 * tensors), checked; the LRP pass uses it too. */
gboolean
lrp_op_conv_geometry (const LrpNode *node,
                      const LrpTensor *x,
                      const LrpTensor *w,
                      LrpConvGeometry *g,
                      GError **error)
{
  const ConvParams *p = node->params;

  if (!conv_check_inputs (node, x, w, error))
    return FALSE;
  memset (g, 0, sizeof *g);
  g->n_dims = x->rank - 2;
  g->channels = x->shape[1];
  g->out_channels = w->shape[0];
  g->group = p->group;
  for (int d = 0; d < g->n_dims; d++)
    {
      g->in[d] = x->shape[d + 2];
      g->kernel[d] = w->shape[d + 2];
      g->stride[d] = p->n_strides ? p->strides[d] : 1;
      g->dilation[d] = p->n_dilations ? p->dilations[d] : 1;
      conv_axis (p, g, d);
      if (g->out[d] <= 0)
        {
          lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                          "the kernel (%" G_GINT64_FORMAT ", dilation %" G_GINT64_FORMAT
                          ") does not fit the padded input (%" G_GINT64_FORMAT
                          ") on spatial axis %d", g->kernel[d], g->dilation[d],
                          g->in[d] + g->pad_begin[d] + g->pad_end[d], d);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
conv_infer (LrpNode *node,
            LrpTensor *const *in,
            LrpTensor **out,
            GError **error)
{
  LrpConvGeometry g;
  int64_t shape[LRP_MAX_RANK];
  int64_t n_out;

  if (!lrp_op_conv_geometry (node, in[0], in[1], &g, error)
      || !conv_check_bias (node, node->n_inputs > 2 ? in[2] : NULL, in[1], error))
    return FALSE;
  shape[0] = in[0]->shape[0];
  shape[1] = g.out_channels;
  memcpy (shape + 2, g.out, (size_t) g.n_dims * sizeof (int64_t));
  if (!lrp_shape_validate (in[0]->rank, shape, &n_out, error))
    {
      g_prefix_error (error, "node “%s” (%s): ", node->name, node->op_type);
      return FALSE;
    }
  /* The lowered matrix is allocated per call: bound it like a tensor. */
  if (!lrp_conv_is_pointwise (&g)
      && lrp_conv_col_rows (&g) > LRP_MAX_ELEMENTS / lrp_conv_out_size (&g))
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                      "the convolution would need a %" G_GINT64_FORMAT " × %" G_GINT64_FORMAT
                      " work matrix, larger than lrplens allows", lrp_conv_col_rows (&g),
                      lrp_conv_out_size (&g));
      return FALSE;
    }
  out[0] = lrp_tensor_new_meta (LRP_DTYPE_FLOAT, in[0]->rank, shape);
  return TRUE;
}

static gboolean
conv_forward (const LrpNode *node,
              LrpTensor *const *in,
              LrpTensor *const *out,
              GCancellable *cancellable,
              GError **error)
{
  LrpConvGeometry g;
  const LrpTensor *bias = node->n_inputs > 2 ? in[2] : NULL;

  if (!lrp_op_conv_geometry (node, in[0], in[1], &g, error))
    return FALSE;
  return lrp_conv_forward (&g, in[0]->shape[0], lrp_tensor_f (in[0]), lrp_tensor_f (in[1]),
                           bias ? lrp_tensor_f (bias) : NULL, lrp_tensor_f (out[0]),
                           cancellable, error);
}

static const char *const conv_attrs[] = {
  "auto_pad", "dilations", "group", "kernel_shape", "pads", "strides", NULL,
};

static const LrpOpClass conv_op = {
  .op_type = "Conv", .attrs = conv_attrs, .min_inputs = 2, .max_inputs = 3,
  .min_outputs = 1, .max_outputs = 1, .setup = conv_setup, .infer = conv_infer,
  .forward = conv_forward, .backward = lrp_linear_backward, .fills_output = TRUE,
};

/* ---- Gemm --------------------------------------------------------------- */

typedef struct
{
  float alpha, beta;
  gboolean trans_a, trans_b;
} GemmParams;

static gboolean
gemm_setup (LrpNode *node,
            const LrpAttrs *attrs,
            GError **error)
{
  GemmParams *p = g_new0 (GemmParams, 1);
  double alpha, beta;
  int64_t ta, tb, broadcast;

  node->params = p;
  node->free_params = g_free;
  /* broadcast (opset < 7) only allowed what every later opset does. */
  if (!lrp_attrs_get_float (attrs, "alpha", 1.0, &alpha, error)
      || !lrp_attrs_get_float (attrs, "beta", 1.0, &beta, error)
      || !lrp_attrs_get_int (attrs, "transA", 0, &ta, error)
      || !lrp_attrs_get_int (attrs, "transB", 0, &tb, error)
      || !lrp_attrs_get_int (attrs, "broadcast", 0, &broadcast, error))
    return FALSE;
  p->alpha = (float) alpha;
  p->beta = (float) beta;
  p->trans_a = ta != 0;
  p->trans_b = tb != 0;
  return TRUE;
}

void
lrp_op_gemm_params (const LrpNode *node,
                    float *alpha,
                    float *beta,
                    gboolean *trans_a,
                    gboolean *trans_b)
{
  const GemmParams *p = node->params;

  g_return_if_fail (g_str_equal (node->op_type, "Gemm") && p != NULL);
  *alpha = p->alpha;
  *beta = p->beta;
  *trans_a = p->trans_a;
  *trans_b = p->trans_b;
}

/* C's dimension for output axis @axis (0: rows, 1: columns), right-aligned. */
static int64_t
gemm_c_dim (const LrpTensor *c,
            int axis)
{
  int i = c->rank - 2 + axis;

  return i >= 0 ? c->shape[i] : 1;
}

static gboolean
gemm_infer (LrpNode *node,
            LrpTensor *const *in,
            LrpTensor **out,
            GError **error)
{
  const GemmParams *p = node->params;
  const LrpTensor *c = node->n_inputs > 2 ? in[2] : NULL;
  int64_t shape[2], k, kb;

  if (!lrp_check_input (node, in, 0, LRP_DTYPE_FLOAT, 2, error)
      || !lrp_check_input (node, in, 1, LRP_DTYPE_FLOAT, 2, error))
    return FALSE;
  shape[0] = in[0]->shape[p->trans_a ? 1 : 0];
  k = in[0]->shape[p->trans_a ? 0 : 1];
  kb = in[1]->shape[p->trans_b ? 1 : 0];
  shape[1] = in[1]->shape[p->trans_b ? 0 : 1];
  if (k != kb)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                      "A gives %" G_GINT64_FORMAT " columns, B %" G_GINT64_FORMAT " rows", k, kb);
      return FALSE;
    }
  if (c != NULL)
    {
      if (!lrp_check_input (node, in, 2, LRP_DTYPE_FLOAT, -1, error))
        return FALSE;
      for (int axis = 0; axis < 2; axis++)
        if (c->rank > 2 || (gemm_c_dim (c, axis) != 1 && gemm_c_dim (c, axis) != shape[axis]))
          {
            g_autofree char *cs = lrp_shape_to_string (c->rank, c->shape);

            lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                            "C %s does not broadcast to [%" G_GINT64_FORMAT ", %"
                            G_GINT64_FORMAT "]", cs, shape[0], shape[1]);
            return FALSE;
          }
    }
  out[0] = lrp_tensor_new_meta (LRP_DTYPE_FLOAT, 2, shape);
  return TRUE;
}

static gboolean
gemm_forward (const LrpNode *node,
              LrpTensor *const *in,
              LrpTensor *const *out,
              GCancellable *cancellable,
              GError **error)
{
  const GemmParams *p = node->params;
  const LrpTensor *a = in[0], *b = in[1], *c = node->n_inputs > 2 ? in[2] : NULL;
  float *y = lrp_tensor_f (out[0]);
  const int64_t m = out[0]->shape[0], n = out[0]->shape[1];
  const int64_t k = a->shape[p->trans_a ? 0 : 1];

  (void) cancellable;
  (void) error;
  if (c != NULL)
    {
      /* Y starts as beta C broadcast; the product is added onto it. */
      const float *cv = lrp_tensor_f (c);
      const int64_t rs = gemm_c_dim (c, 0) == 1 ? 0 : gemm_c_dim (c, 1);
      const int64_t cs = gemm_c_dim (c, 1) == 1 ? 0 : 1;

      for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++)
          y[i * n + j] = p->beta * cv[i * rs + j * cs];
    }
  lrp_sgemm (p->trans_a, p->trans_b, m, n, k, p->alpha, lrp_tensor_f (a), a->shape[1],
             lrp_tensor_f (b), b->shape[1], c != NULL ? 1.f : 0.f, y, n);
  return TRUE;
}

static const char *const gemm_attrs[] = {
  "alpha", "beta", "transA", "transB", "broadcast", NULL,
};

static const LrpOpClass gemm_op = {
  .op_type = "Gemm", .attrs = gemm_attrs, .min_inputs = 2, .max_inputs = 3,
  .min_outputs = 1, .max_outputs = 1, .setup = gemm_setup, .infer = gemm_infer,
  .forward = gemm_forward, .backward = lrp_linear_backward, .fills_output = TRUE,
};

/* ---- MatMul ------------------------------------------------------------- */

/* numpy.matmul's view of the operands: 1-D A is a row [1, K], 1-D B a
 * column [K, 1]; everything before the last two axes is a batch that
 * broadcasts. */
typedef struct
{
  int64_t m, n, k;
  int batch_rank;
  int64_t batch[LRP_MAX_RANK];
  int64_t a_stride[LRP_MAX_RANK];  /* per batch axis, in elements; 0 when broadcast */
  int64_t b_stride[LRP_MAX_RANK];
  int64_t n_batch;
} MatMulShape;

/* Batch axes of @t (all but its last two) as a meta view. */
static void
batch_view (const LrpTensor *t,
            LrpTensor *view)
{
  memset (view, 0, sizeof *view);
  view->rank = MAX (t->rank - 2, 0);
  memcpy (view->shape, t->shape, (size_t) view->rank * sizeof (int64_t));
}

static void
batch_strides (const LrpTensor *view,
               const MatMulShape *s,
               int64_t matrix,
               int64_t *strides)
{
  int64_t st = matrix;

  for (int i = s->batch_rank - 1; i >= 0; i--)
    {
      int ti = i - (s->batch_rank - view->rank);
      int64_t dim = ti >= 0 ? view->shape[ti] : 1;

      strides[i] = dim == 1 ? 0 : st;
      st *= dim;
    }
}

static gboolean
matmul_shape (const LrpNode *node,
              LrpTensor *const *in,
              MatMulShape *s,
              GError **error)
{
  const LrpTensor *a = in[0], *b = in[1];
  LrpTensor av, bv;

  if (!lrp_check_input (node, in, 0, LRP_DTYPE_FLOAT, -1, error)
      || !lrp_check_input (node, in, 1, LRP_DTYPE_FLOAT, -1, error))
    return FALSE;
  if (a->rank < 1 || b->rank < 1)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                      "operands must have at least one axis, found ranks %d and %d",
                      a->rank, b->rank);
      return FALSE;
    }
  s->m = a->rank == 1 ? 1 : a->shape[a->rank - 2];
  s->k = a->shape[a->rank - 1];
  s->n = b->rank == 1 ? 1 : b->shape[b->rank - 1];
  if (b->shape[b->rank == 1 ? 0 : b->rank - 2] != s->k)
    {
      g_autofree char *as = lrp_shape_to_string (a->rank, a->shape);
      g_autofree char *bs = lrp_shape_to_string (b->rank, b->shape);

      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                      "shapes %s and %s do not multiply", as, bs);
      return FALSE;
    }
  batch_view (a, &av);
  batch_view (b, &bv);
  if (!lrp_broadcast_shapes (node, &av, &bv, &s->batch_rank, s->batch, error))
    return FALSE;
  s->n_batch = 1;
  for (int i = 0; i < s->batch_rank; i++)
    s->n_batch *= s->batch[i];
  batch_strides (&av, s, s->m * s->k, s->a_stride);
  batch_strides (&bv, s, s->k * s->n, s->b_stride);
  return TRUE;
}

static gboolean
matmul_infer (LrpNode *node,
              LrpTensor *const *in,
              LrpTensor **out,
              GError **error)
{
  MatMulShape s;
  int64_t shape[LRP_MAX_RANK + 2];
  int rank;

  if (!matmul_shape (node, in, &s, error))
    return FALSE;
  memcpy (shape, s.batch, (size_t) s.batch_rank * sizeof (int64_t));
  rank = s.batch_rank;
  if (in[0]->rank > 1)
    shape[rank++] = s.m;
  if (in[1]->rank > 1)
    shape[rank++] = s.n;
  if (rank > LRP_MAX_RANK)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node, "the product would have rank %d", rank);
      return FALSE;
    }
  out[0] = lrp_tensor_new_meta (LRP_DTYPE_FLOAT, rank, shape);
  return TRUE;
}

/* TRUE when B is one matrix for the whole batch and A's batch is laid out
 * contiguously: then the batch folds into the rows of a single product. */
static gboolean
matmul_foldable (const MatMulShape *s)
{
  int64_t expect = s->m * s->k;

  for (int i = s->batch_rank - 1; i >= 0; i--)
    {
      if (s->b_stride[i] != 0 || (s->batch[i] != 1 && s->a_stride[i] != expect))
        return FALSE;
      expect *= s->batch[i];
    }
  return TRUE;
}

static gboolean
matmul_forward (const LrpNode *node,
                LrpTensor *const *in,
                LrpTensor *const *out,
                GCancellable *cancellable,
                GError **error)
{
  MatMulShape s;
  const float *a = lrp_tensor_f (in[0]), *b = lrp_tensor_f (in[1]);
  float *y = lrp_tensor_f (out[0]);
  int64_t idx[LRP_MAX_RANK] = { 0 }, oa = 0, ob = 0;

  if (!matmul_shape (node, in, &s, error))
    return FALSE;
  if (matmul_foldable (&s))
    {
      lrp_sgemm (FALSE, FALSE, s.n_batch * s.m, s.n, s.k, 1.f, a, s.k, b, s.n, 0.f, y, s.n);
      return TRUE;
    }
  for (int64_t i = 0; i < s.n_batch; i++)
    {
      lrp_sgemm (FALSE, FALSE, s.m, s.n, s.k, 1.f, a + oa, s.k, b + ob, s.n, 0.f,
                 y + i * s.m * s.n, s.n);
      for (int d = s.batch_rank - 1; d >= 0; d--)
        {
          idx[d]++;
          oa += s.a_stride[d];
          ob += s.b_stride[d];
          if (idx[d] < s.batch[d])
            break;
          oa -= s.a_stride[d] * idx[d];
          ob -= s.b_stride[d] * idx[d];
          idx[d] = 0;
        }
      if ((i & 0xff) == 0xff && lrp_cancelled (cancellable, error))
        return FALSE;
    }
  return TRUE;
}

static const char *const matmul_attrs[] = { NULL };

static const LrpOpClass matmul_op = {
  .op_type = "MatMul", .attrs = matmul_attrs, .min_inputs = 2, .max_inputs = 2,
  .min_outputs = 1, .max_outputs = 1, .infer = matmul_infer, .forward = matmul_forward,
  .backward = lrp_linear_backward,
};

const LrpOpClass *const lrp_ops_conv[] = {
  &conv_op, &gemm_op, &matmul_op,
  NULL,
};
