/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Normalisations: BatchNormalization (inference only), Softmax and
 * LogSoftmax, and the reductions ReduceMean and ReduceSum; each op's
 * relevance function follows its forward.
 */
#define G_LOG_DOMAIN "lrp-op"

#include "config.h"

#include "lrp-ops-private.h"
#include "lrp-parallel-private.h"
#include "lrp-rules-private.h"

#include <math.h>
#include <string.h>

/* ---- BatchNormalization ------------------------------------------------ */

typedef struct
{
  float epsilon;
} BatchNormParams;

static gboolean
batchnorm_setup (LrpNode *node,
                 const LrpAttrs *attrs,
                 GError **error)
{
  BatchNormParams *p = g_new0 (BatchNormParams, 1);
  int64_t spatial, is_test, training_mode;
  double epsilon;

  node->params = p;
  node->free_params = g_free;
  /* momentum and consumed_inputs only matter to training. */
  if (!lrp_attrs_get_float (attrs, "epsilon", 1e-5, &epsilon, error)
      || !lrp_attrs_get_int (attrs, "spatial", 1, &spatial, error)
      || !lrp_attrs_get_int (attrs, "is_test", node->opset < 7 ? 0 : 1, &is_test, error)
      || !lrp_attrs_get_int (attrs, "training_mode", 0, &training_mode, error))
    return FALSE;
  p->epsilon = (float) epsilon;
  if (spatial != 1)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_UNSUPPORTED, node,
                      "spatial=%" G_GINT64_FORMAT " (per-element statistics) is not supported",
                      spatial);
      return FALSE;
    }
  if (training_mode != 0 || is_test == 0 || node->n_outputs > 1)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_UNSUPPORTED, node,
                      "training mode (%s) is not supported: lrplens needs inference mode",
                      training_mode != 0 ? "training_mode=1"
                      : is_test == 0 ? "is_test=0, the default before opset 7"
                      : "running mean and variance outputs");
      return FALSE;
    }
  if (!(epsilon >= 0))
    {
      lrp_node_error (error, LRP_MODEL_ERROR_FAILED, node, "epsilon is %g", epsilon);
      return FALSE;
    }
  return TRUE;
}

static gboolean
batchnorm_infer (LrpNode *node,
                 LrpTensor *const *in,
                 LrpTensor **out,
                 GError **error)
{
  static const char *const names[] = { "X", "scale", "B", "mean", "var" };

  if (!lrp_check_input (node, in, 0, LRP_DTYPE_FLOAT, -1, error))
    return FALSE;
  if (in[0]->rank < 2)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                      "X has rank %d, expected at least 2 (N × C × …)", in[0]->rank);
      return FALSE;
    }
  for (int i = 1; i < 5; i++)
    {
      if (!lrp_check_input (node, in, i, LRP_DTYPE_FLOAT, 1, error))
        return FALSE;
      if (in[i]->shape[0] != in[0]->shape[1])
        {
          lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                          "%s has %" G_GINT64_FORMAT " values for %" G_GINT64_FORMAT
                          " channels", names[i], in[i]->shape[0], in[0]->shape[1]);
          return FALSE;
        }
    }
  out[0] = lrp_tensor_new_meta (LRP_DTYPE_FLOAT, in[0]->rank, in[0]->shape);
  return TRUE;
}

/* scale / √(var + ε) of channel @c: the slope of y in x. */
static double
batchnorm_slope (const BatchNormParams *p,
                 LrpTensor *const *in,
                 int64_t c)
{
  return lrp_tensor_f (in[1])[c] / sqrt ((double) lrp_tensor_f (in[4])[c] + p->epsilon);
}

typedef struct
{
  const BatchNormParams *p;
  LrpTensor *const *in;
  float *y;
  int64_t channels, inner;
} BatchNormJob;

static void
batchnorm_planes (int64_t begin,
                  int64_t end,
                  gpointer data)
{
  const BatchNormJob *j = data;
  const float *x = lrp_tensor_f (j->in[0]);
  const float *bias = lrp_tensor_f (j->in[2]), *mean = lrp_tensor_f (j->in[3]);

  for (int64_t pl = begin; pl < end; pl++)
    {
      int64_t c = pl % j->channels;
      /* y = a·x + b, with the per-channel constants taken in double. */
      double a = batchnorm_slope (j->p, j->in, c);
      float fa = (float) a, fb = (float) (bias[c] - a * mean[c]);

      for (int64_t i = pl * j->inner; i < (pl + 1) * j->inner; i++)
        j->y[i] = fa * x[i] + fb;
    }
}

static gboolean
batchnorm_forward (const LrpNode *node,
                   LrpTensor *const *in,
                   LrpTensor *const *out,
                   GCancellable *cancellable,
                   GError **error)
{
  BatchNormJob job = { node->params, in, lrp_tensor_f (out[0]), in[0]->shape[1], 1 };

  for (int d = 2; d < in[0]->rank; d++)
    job.inner *= in[0]->shape[d];
  lrp_parallel_for (in[0]->shape[0] * job.channels, MAX (1, (1 << 16) / MAX (job.inner, 1)),
                    batchnorm_planes, &job);
  return !lrp_cancelled (cancellable, error);
}

/* Pass by default: Zennit skips a BatchNorm it has not merged (§3, §10);
 * a merged one is already in its Conv's weights.  Its gradient scales by
 * the slope. */
static gboolean
batchnorm_backward (const LrpNode *node,
                    const LrpBackwardCtx *ctx,
                    LrpTensor *const *in,
                    LrpTensor *const *out,
                    LrpTensor *const *r_out,
                    LrpTensor *const *r_in,
                    GError **error)
{
  const BatchNormParams *p = node->params;
  g_autofree float *s = NULL;
  const float *x = lrp_tensor_f (in[0]);
  float *rx;
  int64_t channels = in[0]->shape[1], inner = 1, planes;
  LrpBackKind kind;
  gboolean done;

  if (!lrp_back_begin (node, ctx, in[0], r_out, r_in, &kind, &done, error))
    return FALSE;
  if (done)
    return TRUE;
  s = lrp_back_seed (kind, ctx, r_out[0], out[0]);
  rx = lrp_tensor_f (r_in[0]);
  for (int d = 2; d < in[0]->rank; d++)
    inner *= in[0]->shape[d];
  planes = in[0]->shape[0] * channels;
  for (int64_t pl = 0; pl < planes; pl++)
    {
      float a = (float) batchnorm_slope (p, in, pl % channels);

      for (int64_t i = pl * inner; i < (pl + 1) * inner; i++)
        rx[i] += kind == LRP_BACK_NORM ? x[i] * a * s[i] : a * s[i];
      if ((pl & 0xff) == 0xff && lrp_cancelled (ctx->cancellable, error))
        return FALSE;
    }
  return TRUE;
}

static const char *const batchnorm_attrs[] = {
  "epsilon", "momentum", "spatial", "is_test", "consumed_inputs", "training_mode", NULL,
};

static const LrpOpClass batchnorm_op = {
  .op_type = "BatchNormalization", .attrs = batchnorm_attrs,
  .min_inputs = 5, .max_inputs = 5, .min_outputs = 1, .max_outputs = 5,
  .setup = batchnorm_setup, .infer = batchnorm_infer, .forward = batchnorm_forward,
  .fills_output = TRUE,
  .backward = batchnorm_backward, .default_rule = LRP_RULE_PASS,
};

/* ---- Softmax, LogSoftmax -------------------------------------------------- */

typedef struct
{
  gboolean log;
  gboolean coerce_2d;  /* opset < 13: over all dims from axis on */
  int64_t axis;        /* as given */
  int norm_axis;       /* normalised by infer */
} SoftmaxParams;

static gboolean
softmax_setup (LrpNode *node,
               const LrpAttrs *attrs,
               GError **error)
{
  SoftmaxParams *p = g_new0 (SoftmaxParams, 1);

  node->params = p;
  node->free_params = g_free;
  p->log = g_str_equal (node->op_type, "LogSoftmax");
  p->coerce_2d = node->opset < 13;
  return lrp_attrs_get_int (attrs, "axis", p->coerce_2d ? 1 : -1, &p->axis, error);
}

static gboolean
softmax_infer (LrpNode *node,
               LrpTensor *const *in,
               LrpTensor **out,
               GError **error)
{
  SoftmaxParams *p = node->params;

  if (!lrp_check_input (node, in, 0, LRP_DTYPE_FLOAT, -1, error))
    return FALSE;
  if (!lrp_axis_normalize (p->axis, in[0]->rank, &p->norm_axis))
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                      "axis %" G_GINT64_FORMAT " is out of range for rank %d", p->axis,
                      in[0]->rank);
      return FALSE;
    }
  out[0] = lrp_tensor_new_meta (LRP_DTYPE_FLOAT, in[0]->rank, in[0]->shape);
  return TRUE;
}

/* Normalises @len values @stride apart, starting at @x, into @y. */
static void
softmax_row (gboolean log_softmax,
             const float *x,
             float *y,
             int64_t len,
             int64_t stride)
{
  float m = -INFINITY;
  double sum = 0;

  for (int64_t k = 0; k < len; k++)
    m = x[k * stride] > m ? x[k * stride] : m;
  for (int64_t k = 0; k < len; k++)
    sum += exp ((double) x[k * stride] - m);
  if (log_softmax)
    {
      double log_sum = log (sum);

      for (int64_t k = 0; k < len; k++)
        y[k * stride] = (float) ((double) x[k * stride] - m - log_sum);
    }
  else
    for (int64_t k = 0; k < len; k++)
      y[k * stride] = (float) (exp ((double) x[k * stride] - m) / sum);
}

/* @x as blocks of @outer × @len × @inner: rows of len values, inner apart. */
static void
softmax_blocks (const SoftmaxParams *p,
                const LrpTensor *x,
                int64_t *outer,
                int64_t *len,
                int64_t *inner)
{
  *outer = *len = *inner = 1;
  for (int d = 0; d < x->rank; d++)
    {
      if (d < p->norm_axis)
        *outer *= x->shape[d];
      else if (d == p->norm_axis || p->coerce_2d)
        *len *= x->shape[d];
      else
        *inner *= x->shape[d];
    }
}

static gboolean
softmax_forward (const LrpNode *node,
                 LrpTensor *const *in,
                 LrpTensor *const *out,
                 GCancellable *cancellable,
                 GError **error)
{
  const SoftmaxParams *p = node->params;
  const LrpTensor *x = in[0];
  int64_t outer, len, inner;

  softmax_blocks (p, x, &outer, &len, &inner);
  for (int64_t o = 0; o < outer; o++)
    {
      for (int64_t i = 0; i < inner; i++)
        softmax_row (p->log, lrp_tensor_f (x) + o * len * inner + i,
                     lrp_tensor_f (out[0]) + o * len * inner + i, len, inner);
      if ((o & 0xff) == 0xff && lrp_cancelled (cancellable, error))
        return FALSE;
    }
  return TRUE;
}

/* The Jacobian-vector product of one row: seed @s, output @y; adds
 * y ⊙ (s − Σ s ⊙ y) (softmax) or s − softmax(x)·Σ s (log-softmax), times
 * the input @x when given (Norm), into @rx. */
static void
softmax_row_backward (gboolean log_softmax,
                      const float *y,
                      const float *s,
                      const float *x,
                      float *rx,
                      int64_t len,
                      int64_t stride)
{
  double dot = 0;

  for (int64_t k = 0; k < len; k++)
    dot += log_softmax ? (double) s[k * stride] : (double) s[k * stride] * y[k * stride];
  for (int64_t k = 0; k < len; k++)
    {
      int64_t at = k * stride;
      double g = log_softmax ? s[at] - exp ((double) y[at]) * dot : y[at] * (s[at] - dot);

      rx[at] += (float) (x ? x[at] * g : g);
    }
}

/* The true gradient by default: Zennit has no rule for a softmax, and the
 * explanation of a final one starts at the logits anyway (§10). */
static gboolean
softmax_backward (const LrpNode *node,
                  const LrpBackwardCtx *ctx,
                  LrpTensor *const *in,
                  LrpTensor *const *out,
                  LrpTensor *const *r_out,
                  LrpTensor *const *r_in,
                  GError **error)
{
  const SoftmaxParams *p = node->params;
  g_autofree float *s = NULL;
  int64_t outer, len, inner;
  LrpBackKind kind;
  gboolean done;

  if (!lrp_back_begin (node, ctx, in[0], r_out, r_in, &kind, &done, error))
    return FALSE;
  if (done)
    return TRUE;
  s = lrp_back_seed (kind, ctx, r_out[0], out[0]);
  softmax_blocks (p, in[0], &outer, &len, &inner);
  for (int64_t o = 0; o < outer; o++)
    {
      int64_t base = o * len * inner;

      for (int64_t i = 0; i < inner; i++)
        softmax_row_backward (p->log, lrp_tensor_f (out[0]) + base + i, s + base + i,
                              kind == LRP_BACK_NORM ? lrp_tensor_f (in[0]) + base + i : NULL,
                              lrp_tensor_f (r_in[0]) + base + i, len, inner);
      if ((o & 0xff) == 0xff && lrp_cancelled (ctx->cancellable, error))
        return FALSE;
    }
  return TRUE;
}

static const char *const softmax_attrs[] = { "axis", NULL };

static const LrpOpClass softmax_op = {
  .op_type = "Softmax", .attrs = softmax_attrs,
  .min_inputs = 1, .max_inputs = 1, .min_outputs = 1, .max_outputs = 1,
  .setup = softmax_setup, .infer = softmax_infer, .forward = softmax_forward,
  .backward = softmax_backward, .default_rule = LRP_RULE_GRADIENT,
};
static const LrpOpClass log_softmax_op = {
  .op_type = "LogSoftmax", .attrs = softmax_attrs,
  .min_inputs = 1, .max_inputs = 1, .min_outputs = 1, .max_outputs = 1,
  .setup = softmax_setup, .infer = softmax_infer, .forward = softmax_forward,
  .backward = softmax_backward, .default_rule = LRP_RULE_GRADIENT,
};

/* ---- ReduceMean, ReduceSum ------------------------------------------------- */

typedef struct
{
  gboolean mean;
  gboolean keepdims;
  gboolean noop_with_empty_axes;
  gboolean have_attr_axes;             /* else axes come from input 1, if any */
  int n_attr_axes;
  int64_t attr_axes[LRP_MAX_RANK];
  gboolean reduced[LRP_MAX_RANK];      /* resolved by infer */
  gboolean noop;                       /* resolved by infer */
} ReduceParams;

static gboolean
reduce_setup (LrpNode *node,
              const LrpAttrs *attrs,
              GError **error)
{
  ReduceParams *p = g_new0 (ReduceParams, 1);
  int64_t keepdims, noop;
  const int64_t *axes;
  int n;

  node->params = p;
  node->free_params = g_free;
  p->mean = g_str_equal (node->op_type, "ReduceMean");
  if (!lrp_attrs_get_int (attrs, "keepdims", 1, &keepdims, error)
      || !lrp_attrs_get_int (attrs, "noop_with_empty_axes", 0, &noop, error)
      || !lrp_attrs_get_ints (attrs, "axes", &n, &axes, error))
    return FALSE;
  p->keepdims = keepdims != 0;
  p->noop_with_empty_axes = noop != 0;
  p->have_attr_axes = axes != NULL;
  if (n > LRP_MAX_RANK)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node, "%d axes, more than the rank", n);
      return FALSE;
    }
  p->n_attr_axes = n;
  for (int i = 0; i < n; i++)
    p->attr_axes[i] = axes[i];
  return TRUE;
}

/* Marks axis @axis as reduced; FALSE if out of range or repeated. */
static gboolean
reduce_mark (LrpNode *node,
             ReduceParams *p,
             int rank,
             int64_t axis,
             GError **error)
{
  int a;

  if (!lrp_axis_normalize (axis, rank, &a))
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                      "axis %" G_GINT64_FORMAT " is out of range for rank %d", axis, rank);
      return FALSE;
    }
  if (p->reduced[a])
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node, "axis %d is listed twice", a);
      return FALSE;
    }
  p->reduced[a] = TRUE;
  return TRUE;
}

/* Resolves which dims of input @x are reduced, from the attribute or the
 * (constant) axes input. */
static gboolean
reduce_resolve (LrpNode *node,
                LrpTensor *const *in,
                GError **error)
{
  ReduceParams *p = node->params;
  const LrpTensor *axes = node->n_inputs > 1 && !p->have_attr_axes ? in[1] : NULL;
  int rank = in[0]->rank, n = p->have_attr_axes ? p->n_attr_axes : 0;

  memset (p->reduced, 0, sizeof p->reduced);
  if (axes != NULL)
    {
      if (!lrp_check_constant (node, in, 1, error)
          || !lrp_check_input (node, in, 1, LRP_DTYPE_INT64, -1, error))
        return FALSE;
      if (axes->rank > 1 || axes->n > rank)
        {
          g_autofree char *shape = lrp_shape_to_string (axes->rank, axes->shape);

          lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                          "axes has shape %s, expected a list of at most %d axes", shape, rank);
          return FALSE;
        }
      n = (int) axes->n;
    }
  for (int i = 0; i < n; i++)
    if (!reduce_mark (node, p, rank, axes ? lrp_tensor_get_int (axes, i) : p->attr_axes[i],
                      error))
      return FALSE;
  p->noop = n == 0 && p->noop_with_empty_axes;
  if (n == 0 && !p->noop)
    for (int d = 0; d < rank; d++)
      p->reduced[d] = TRUE;
  return TRUE;
}

static gboolean
reduce_infer (LrpNode *node,
              LrpTensor *const *in,
              LrpTensor **out,
              GError **error)
{
  const ReduceParams *p = node->params;
  int64_t shape[LRP_MAX_RANK];
  int rank = 0;

  if (in[0] == NULL || (in[0]->dtype != LRP_DTYPE_FLOAT && in[0]->dtype != LRP_DTYPE_INT64))
    return lrp_check_input (node, in, 0, LRP_DTYPE_FLOAT, -1, error);
  if (!reduce_resolve (node, in, error))
    return FALSE;
  for (int d = 0; d < in[0]->rank; d++)
    if (!p->reduced[d])
      shape[rank++] = in[0]->shape[d];
    else if (p->keepdims)
      shape[rank++] = 1;
  out[0] = lrp_tensor_new_meta (in[0]->dtype, rank, shape);
  return TRUE;
}

/* Strides mapping an input multi-index to its output slot: 0 along the
 * reduced dims (none with noop, where the map is the identity). */
static void
reduce_out_strides (const ReduceParams *p,
                    const LrpTensor *x,
                    int64_t *ostride)
{
  int64_t s = 1;

  for (int d = x->rank - 1; d >= 0; d--)
    {
      ostride[d] = p->reduced[d] ? 0 : s;
      s *= p->reduced[d] ? 1 : x->shape[d];
    }
}

/* Steps the input multi-index @idx, and its output slot @o, to the next
 * input element in row-major order. */
static inline void
reduce_step (const LrpTensor *x,
             const int64_t *ostride,
             int64_t *idx,
             int64_t *o)
{
  for (int d = x->rank - 1; d >= 0; d--)
    {
      *o += ostride[d];
      if (++idx[d] < x->shape[d])
        return;
      *o -= ostride[d] * idx[d];
      idx[d] = 0;
    }
}

/* Sums (in double or int64) every input element into its output slot;
 * FALSE when an integer sum overflows (shape arithmetic in a hostile file). */
static gboolean
reduce_accumulate (const ReduceParams *p,
                   const LrpTensor *x,
                   double *fsum,
                   int64_t *isum)
{
  int64_t ostride[LRP_MAX_RANK], idx[LRP_MAX_RANK] = { 0 }, o = 0;

  reduce_out_strides (p, x, ostride);
  for (int64_t i = 0; i < x->n; i++, reduce_step (x, ostride, idx, &o))
    {
      if (fsum)
        fsum[o] += lrp_tensor_f (x)[i];
      else if (__builtin_add_overflow (isum[o], lrp_tensor_i64 (x)[i], &isum[o]))
        return FALSE;
    }
  return TRUE;
}

static gboolean
reduce_forward (const LrpNode *node,
                LrpTensor *const *in,
                LrpTensor *const *out,
                GCancellable *cancellable,
                GError **error)
{
  const ReduceParams *p = node->params;
  const LrpTensor *x = in[0];
  LrpTensor *y = out[0];
  gboolean is_float = x->dtype == LRP_DTYPE_FLOAT;
  int64_t count = y->n > 0 ? x->n / y->n : 0;
  double *fsum;

  if (p->noop)
    {
      memcpy (y->data, x->data, (size_t) x->n * lrp_dtype_size (x->dtype));
      return TRUE;
    }
  if (lrp_cancelled (cancellable, error))
    return FALSE;
  /* Integer sums go straight into the output (it starts zeroed). */
  fsum = is_float ? g_new0 (double, MAX (y->n, 1)) : NULL;
  if (!reduce_accumulate (p, x, fsum, is_float ? NULL : lrp_tensor_i64 (y)))
    {
      lrp_node_error (error, LRP_MODEL_ERROR_FAILED, node, "the integer sum overflows");
      return FALSE;
    }
  for (int64_t o = 0; o < y->n; o++)
    {
      if (is_float)
        lrp_tensor_f (y)[o] = (float) (p->mean ? fsum[o] / (double) count : fsum[o]);
      else if (p->mean)
        lrp_tensor_i64 (y)[o] = count > 0 ? lrp_tensor_i64 (y)[o] / count : 0;
    }
  g_free (fsum);
  return TRUE;
}

/* Norm by default, like Zennit's Sum and AdaptiveAvgPool (§3): x_i·c·R_o /
 * stab(y_o), with c = 1 for a sum and 1/count (the forward's divisor) for a
 * mean. */
static gboolean
reduce_backward (const LrpNode *node,
                 const LrpBackwardCtx *ctx,
                 LrpTensor *const *in,
                 LrpTensor *const *out,
                 LrpTensor *const *r_out,
                 LrpTensor *const *r_in,
                 GError **error)
{
  const ReduceParams *p = node->params;
  const LrpTensor *x = in[0];
  g_autofree float *s = NULL;
  int64_t ostride[LRP_MAX_RANK], idx[LRP_MAX_RANK] = { 0 }, o = 0;
  int64_t count = out[0]->n > 0 ? x->n / out[0]->n : 0;
  double c;
  float *rx;
  LrpBackKind kind;
  gboolean done;

  if (x->dtype != LRP_DTYPE_FLOAT)
    return TRUE;
  if (!lrp_back_begin (node, ctx, x, r_out, r_in, &kind, &done, error))
    return FALSE;
  if (done)
    return TRUE;
  s = lrp_back_seed (kind, ctx, r_out[0], out[0]);
  c = p->mean && count > 0 ? 1.0 / (double) count : 1.0;
  rx = lrp_tensor_f (r_in[0]);
  reduce_out_strides (p, x, ostride);
  for (int64_t i = 0; i < x->n; i++, reduce_step (x, ostride, idx, &o))
    {
      double g = c * s[o];

      rx[i] += (float) (kind == LRP_BACK_NORM ? lrp_tensor_f (x)[i] * g : g);
      if ((i & 0xfffff) == 0xfffff && lrp_cancelled (ctx->cancellable, error))
        return FALSE;
    }
  return TRUE;
}

static const char *const reduce_attrs[] = { "axes", "keepdims", "noop_with_empty_axes", NULL };

static const LrpOpClass reduce_mean_op = {
  .op_type = "ReduceMean", .attrs = reduce_attrs,
  .min_inputs = 1, .max_inputs = 2, .min_outputs = 1, .max_outputs = 1,
  .setup = reduce_setup, .infer = reduce_infer, .forward = reduce_forward,
  .backward = reduce_backward, .default_rule = LRP_RULE_NORM,
};
static const LrpOpClass reduce_sum_op = {
  .op_type = "ReduceSum", .attrs = reduce_attrs,
  .min_inputs = 1, .max_inputs = 2, .min_outputs = 1, .max_outputs = 1,
  .setup = reduce_setup, .infer = reduce_infer, .forward = reduce_forward,
  .backward = reduce_backward, .default_rule = LRP_RULE_NORM,
};

/* The ε of a BatchNormalization node, for merging it into a Conv (§4). */
float
lrp_op_batchnorm_epsilon (const LrpNode *node)
{
  const BatchNormParams *p = node->params;

  g_assert (node->klass == &batchnorm_op);
  return p->epsilon;
}

const LrpOpClass *const lrp_ops_norm[] = {
  &batchnorm_op,
  &softmax_op, &log_softmax_op,
  &reduce_mean_op, &reduce_sum_op,
  NULL,
};
