/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Linear layers for the rules: the map f(x; W, b) and its transpose for any
 * weights (Conv through im2col/col2im and sgemm, dense through sgemm), and
 * canonization: BatchNorm merged into the Conv/Gemm before it (§4 of
 * lrp-rules.md), Gemm's alpha/beta/transB folded in, MatMul + Add of a
 * constant read as one dense layer with a bias (§10), and a zero bias where
 * the graph has none (§9).
 */
#define G_LOG_DOMAIN "lrp-rules"

#include "config.h"

#include "lrp-composite-private.h"
#include "lrp-linear-private.h"
#include "lrp-ops-private.h"

#include <math.h>
#include <string.h>

gboolean
lrp_linear_shape (const LrpNode *node,
                  const LrpTensor *x,
                  const LrpLinear *layer,
                  LrpLinearShape *s,
                  GError **error)
{
  memset (s, 0, sizeof *s);
  s->conv = g_str_equal (node->op_type, "Conv");
  if (s->conv)
    {
      if (!lrp_op_conv_geometry (node, x, layer->weight, &s->geom, error))
        return FALSE;
      s->batch = x->shape[0];
      s->in_size = s->geom.channels * lrp_conv_in_size (&s->geom);
      s->out_size = s->geom.out_channels * lrp_conv_out_size (&s->geom);
      return TRUE;
    }
  s->in_size = layer->weight->shape[1];
  s->out_size = layer->weight->shape[0];
  s->batch = s->in_size > 0 ? x->n / s->in_size : 0;
  return TRUE;
}

gboolean
lrp_linear_apply (const LrpLinearShape *s,
                  const float *w,
                  const float *b,
                  const float *x,
                  float *z,
                  GCancellable *cancellable,
                  GError **error)
{
  if (s->conv)
    return lrp_conv_forward (&s->geom, s->batch, x, w, b, z, cancellable, error);

  lrp_sgemm (FALSE, TRUE, s->batch, s->out_size, s->in_size, 1.f, x, s->in_size, w,
             s->in_size, 0.f, z, s->out_size);
  if (b)
    for (int64_t r = 0; r < s->batch; r++)
      for (int64_t j = 0; j < s->out_size; j++)
        z[r * s->out_size + j] += b[j];
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

gboolean
lrp_linear_transpose (const LrpLinearShape *s,
                      const float *w,
                      const float *g,
                      float *gx,
                      GCancellable *cancellable,
                      GError **error)
{
  return lrp_linear_transpose2 (s, w, g, NULL, NULL, gx, cancellable, error);
}

/* gx += J(w1)ᵀ g1 + J(w2)ᵀ g2 (the second term optional): Gamma's two
 * products share one pass over the input. */
gboolean
lrp_linear_transpose2 (const LrpLinearShape *s,
                       const float *w1,
                       const float *g1,
                       const float *w2,
                       const float *g2,
                       float *gx,
                       GCancellable *cancellable,
                       GError **error)
{
  const float *w[2] = { w1, w2 }, *g[2] = { g1, g2 };
  int terms = w2 ? 2 : 1;

  if (s->conv)
    return lrp_conv_transpose_sum (&s->geom, s->batch, terms, w, g, gx, cancellable, error);
  for (int t = 0; t < terms; t++)
    lrp_sgemm (FALSE, FALSE, s->batch, s->in_size, s->out_size, 1.f, g[t], s->out_size, w[t],
               s->in_size, 1.f, gx, s->in_size);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

/* ---- canonization --------------------------------------------------------- */

static int
single_consumer (const LrpModel *model,
                 int value)
{
  int found = -1;

  for (int n = 0; n < model->n_nodes; n++)
    for (int i = 0; i < model->nodes[n].n_inputs; i++)
      if (model->nodes[n].inputs[i] == value)
        {
          if (found >= 0 && found != n)
            return -1;
          found = n;
        }
  for (int o = 0; o < model->n_outputs; o++)
    if (model->outputs[o] == value)
      return -1;
  return found;
}

static const LrpTensor *
constant_input (const LrpModel *model,
                const LrpNode *node,
                int i)
{
  if (i >= node->n_inputs || node->inputs[i] < 0)
    return NULL;
  return model->values[node->inputs[i]].tensor->data ? model->values[node->inputs[i]].tensor : NULL;
}

static void
linear_free (LrpLinear *l)
{
  if (l == NULL)
    return;
  g_clear_pointer (&l->weight, lrp_tensor_unref);
  g_clear_pointer (&l->bias, lrp_tensor_unref);
  g_free (l);
}

/* The BatchNormalization right after a Conv/Gemm: the only reader of
 * @value, with constant parameters of @channels values.  -1 if none. */
int
lrp_batchnorm_after (const LrpModel *model,
                     int value,
                     int64_t channels)
{
  int bn = single_consumer (model, value);
  const LrpNode *node;

  if (bn < 0)
    return -1;
  node = &model->nodes[bn];
  if (!g_str_equal (node->op_type, "BatchNormalization") || node->inputs[0] != value
      || node->n_outputs != 1)
    return -1;
  for (int i = 1; i <= 4; i++)
    {
      const LrpTensor *t = constant_input (model, node, i);

      if (t == NULL || t->n != channels || t->dtype != LRP_DTYPE_FLOAT)
        return -1;
    }
  return bn;
}

/* W' = W·s, b' = (b − μ)·s + β with s = γ/√(σ² + ε), per output channel
 * (§4 of lrp-rules.md): @weight (not shared) and @bias change in place. */
void
lrp_batchnorm_fold (const LrpModel *model,
                    int bn,
                    LrpTensor *weight,
                    float *bias)
{
  const LrpNode *node = &model->nodes[bn];
  const float *scale = lrp_tensor_f (constant_input (model, node, 1));
  const float *shift = lrp_tensor_f (constant_input (model, node, 2));
  const float *mean = lrp_tensor_f (constant_input (model, node, 3));
  const float *var = lrp_tensor_f (constant_input (model, node, 4));
  int64_t channels = weight->shape[0];
  int64_t per = channels > 0 ? weight->n / channels : 0;
  float eps = lrp_op_batchnorm_epsilon (node);

  for (int64_t c = 0; c < channels; c++)
    {
      float s = scale[c] / sqrtf (var[c] + eps);

      for (int64_t k = 0; k < per; k++)
        lrp_tensor_f (weight)[c * per + k] *= s;
      bias[c] = (bias[c] - mean[c]) * s + shift[c];
    }
}

static void
merge_batchnorm (const LrpModel *model,
                 LrpLinear *l)
{
  int bn = lrp_batchnorm_after (model, l->out_value, l->weight->shape[0]);

  if (bn < 0)
    return;
  if (g_atomic_int_get (&l->weight->ref_count) > 1)
    {
      LrpTensor *own = lrp_tensor_copy (l->weight);

      lrp_tensor_unref (l->weight);
      l->weight = own;
    }
  lrp_batchnorm_fold (model, bn, l->weight, lrp_tensor_f (l->bias));
  l->out_value = model->nodes[bn].outputs[0];
}

static LrpTensor *
zeros (int64_t n)
{
  return lrp_tensor_new_float (1, &n);
}

static LrpLinear *
canonize_conv (const LrpModel *model,
               const LrpNode *node,
               GError **error)
{
  LrpLinear *l;
  const LrpTensor *w = constant_input (model, node, 1);
  const LrpTensor *b = constant_input (model, node, 2);

  if (node->n_inputs > 2 && node->inputs[2] >= 0 && (b == NULL || b->n != w->shape[0]))
    {
      g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_UNEXPLAINABLE,
                   "node “%s” (%s): LRP needs a constant bias of one value per output",
                   node->name, node->op_type);
      return NULL;
    }
  l = g_new0 (LrpLinear, 1);

  /* Shared with the model until something changes it (BatchNorm merge). */
  l->weight = lrp_tensor_ref ((LrpTensor *) w);
  l->bias = zeros (w->shape[0]);
  if (b && b->n == w->shape[0])
    memcpy (l->bias->data, b->data, sizeof (float) * (size_t) b->n);
  return l;
}

/* Dense weights as [out, in] with Gemm's alpha/beta/transB folded in. */
static LrpLinear *
canonize_dense (const LrpModel *model,
                const LrpNode *node,
                GError **error)
{
  const LrpTensor *bt = constant_input (model, node, 1);
  const LrpTensor *c = constant_input (model, node, 2);
  float alpha = 1.f, beta = 1.f;
  gboolean trans_a = FALSE, trans_b = FALSE;
  int64_t k, n, shape[2];
  LrpLinear *l;

  if (g_str_equal (node->op_type, "Gemm"))
    lrp_op_gemm_params (node, &alpha, &beta, &trans_a, &trans_b);
  if (trans_a || (node->n_inputs > 2 && node->inputs[2] >= 0 && c == NULL))
    {
      g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_UNEXPLAINABLE,
                   "node “%s” (%s): LRP needs transA = 0 and a constant bias",
                   node->name, node->op_type);
      return NULL;
    }
  k = trans_b ? bt->shape[1] : bt->shape[0];
  n = trans_b ? bt->shape[0] : bt->shape[1];
  shape[0] = n;
  shape[1] = k;
  l = g_new0 (LrpLinear, 1);
  if (trans_b && alpha == 1.f)
    l->weight = lrp_tensor_ref ((LrpTensor *) bt);   /* already [out, in]: share it */
  else
    {
      l->weight = lrp_tensor_new_float (2, shape);
      for (int64_t j = 0; j < n; j++)
        for (int64_t i = 0; i < k; i++)
          lrp_tensor_f (l->weight)[j * k + i] = alpha * lrp_tensor_f (bt)[trans_b ? j * k + i
                                                                                : i * n + j];
    }
  l->bias = zeros (n);
  if (c && (c->n == n || c->n == 1))
    for (int64_t j = 0; j < n; j++)
      lrp_tensor_f (l->bias)[j] = beta * lrp_tensor_f (c)[c->n == 1 ? 0 : j];
  else if (c)
    {
      g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_UNEXPLAINABLE,
                   "node “%s” (%s): LRP needs a bias of one value per output", node->name,
                   node->op_type);
      linear_free (l);
      return NULL;
    }
  return l;
}

/* MatMul followed by Add of a constant vector: that is the layer's bias. */
static void
merge_bias_add (const LrpModel *model,
                LrpLinear *l)
{
  int add = single_consumer (model, l->out_value);
  const LrpNode *node;
  const LrpTensor *b;

  if (add < 0 || !g_str_equal (model->nodes[add].op_type, "Add"))
    return;
  node = &model->nodes[add];
  b = constant_input (model, node, node->inputs[0] == l->out_value ? 1 : 0);
  /* One value per output, broadcast along the last axis only (a rank-0
   * constant is one value: the bias of a layer with one output). */
  if (b == NULL || b->n != l->bias->n || b->dtype != LRP_DTYPE_FLOAT
      || (b->rank > 0 && b->shape[b->rank - 1] != b->n))
    return;
  memcpy (l->bias->data, b->data, sizeof (float) * (size_t) b->n);
  l->out_value = node->outputs[0];
}

void
lrp_canonized_free (const LrpModel *model,
                    LrpLinear **layers)
{
  if (layers == NULL)
    return;
  for (int n = 0; n < model->n_nodes; n++)
    linear_free (layers[n]);
  g_free (layers);
}

LrpLinear **
lrp_canonize (const LrpModel *model,
              gboolean merge,
              GError **error)
{
  LrpLinear **layers = g_new0 (LrpLinear *, MAX (model->n_nodes, 1));

  for (int n = 0; n < model->n_nodes; n++)
    {
      const LrpNode *node = &model->nodes[n];
      gboolean conv = lrp_node_is_conv (model, node);
      LrpLinear *l;

      if (!conv && !lrp_node_is_dense (model, node))
        continue;
      l = conv ? canonize_conv (model, node, error) : canonize_dense (model, node, error);
      if (l == NULL)
        {
          lrp_canonized_free (model, layers);
          return NULL;
        }
      l->in_value = node->inputs[0];
      l->out_value = node->outputs[0];
      if (merge && g_str_equal (node->op_type, "MatMul"))
        merge_bias_add (model, l);
      if (merge)
        merge_batchnorm (model, l);
      layers[n] = l;
    }
  return layers;
}
