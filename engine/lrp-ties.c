/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Exact ties for the MaxPool winners.  Where two positions of a pooling
 * window have identical receptive fields (a flat region of the image, a
 * letterbox border), their values are equal in exact arithmetic, and
 * PyTorch, computing every position with the same instructions, gets equal
 * bits and sends the relevance to the first.  lrplens's kernels round by
 * position (Winograd tiles, GEMM edge kernels, band splits), so comparing
 * the floats would let the rounding pick the winner.  Instead, the
 * relevance pass asks which positions are exactly equal by construction:
 * a hash per position of the receptive field, built from the graph alone
 * (the input pixels' bits, then each convolution's or pool's window of
 * hashes, element-wise ops keeping them).  Equal hashes mean equal values
 * through any stack of layers, independent of how they were rounded.
 */
#define G_LOG_DOMAIN "lrp-op"

#include "config.h"

#include "lrp-ties-private.h"
#include "lrp-blas-private.h"
#include "lrp-op-pool-private.h"
#include "lrp-op-shape-private.h"
#include "lrp-ops-private.h"

#include <stdlib.h>
#include <string.h>

/* Padding markers: a convolution reads zeros there, as the input's
 * all-zero pixels; a pool reads −∞ (MaxPool) or nothing, unlike any value. */
#define POOL_PAD G_GUINT64_CONSTANT (0x6a09e667f3bcc909)
#define OTHER_PAD G_GUINT64_CONSTANT (0xbb67ae8584caa73b)

static inline guint64
mix (guint64 h,
     guint64 v)
{
  h = (h ^ v) * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  h ^= h >> 29;
  h *= G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  return h ^ (h >> 32);
}

typedef struct
{
  guint64 *cls;       /* owned; N × positions, or NULL: unknown */
  guint64 pad;        /* what a convolution's zero padding counts as */
} Classes;

static int64_t
positions (const LrpTensor *t)
{
  int64_t n = 1;

  for (int d = 2; d < t->rank; d++)
    n *= t->shape[d];
  return n;
}

/* The model input: each pixel's channel vector, by its bits (−0 as 0, as
 * exact arithmetic does not tell them apart). */
static void
input_classes (const LrpTensor *x,
               Classes *out)
{
  int64_t np = positions (x), nc = x->shape[1];
  const float *v = lrp_tensor_f (x);
  guint64 zero = 0;

  for (int64_t c = 0; c < nc; c++)
    zero = mix (zero, 0);
  out->pad = zero;
  out->cls = g_new (guint64, x->shape[0] * np);
  for (int64_t n = 0; n < x->shape[0]; n++)
    for (int64_t p = 0; p < np; p++)
      {
        guint64 h = 0;

        for (int64_t c = 0; c < nc; c++)
          {
            float f = v[(n * nc + c) * np + p];
            guint32 bits;

            f = f == 0.f ? 0.f : f;
            memcpy (&bits, &f, sizeof bits);
            h = mix (h, bits);
          }
        out->cls[n * np + p] = h;
      }
}

/* One window per output position: the hashes of its taps in scan order,
 * @pad for those outside the input; or, with @as_set (a maximum), of the
 * set of classes inside the input, whatever their order and number. */
typedef struct
{
  gboolean as_set;
  int n_dims;
  int64_t in[LRP_MAX_RANK], out[LRP_MAX_RANK], kernel[LRP_MAX_RANK];
  int64_t stride[LRP_MAX_RANK], dilation[LRP_MAX_RANK], pad_begin[LRP_MAX_RANK];
} Windows;

/* The common case, 2-D, without the general index arithmetic. */
static void
window_classes_2d (const Windows *w,
                   const guint64 *in,
                   guint64 pad,
                   guint64 *out)
{
  for (int64_t oh = 0; oh < w->out[0]; oh++)
    for (int64_t ow = 0; ow < w->out[1]; ow++)
      {
        guint64 h = G_GUINT64_CONSTANT (0x3c6ef372fe94f82b);

        for (int64_t kh = 0; kh < w->kernel[0]; kh++)
          {
            int64_t i = oh * w->stride[0] - w->pad_begin[0] + kh * w->dilation[0];
            gboolean row_in = i >= 0 && i < w->in[0];

            for (int64_t kw = 0; kw < w->kernel[1]; kw++)
              {
                int64_t j = ow * w->stride[1] - w->pad_begin[1] + kw * w->dilation[1];

                h = mix (h, row_in && j >= 0 && j < w->in[1] ? in[i * w->in[1] + j] : pad);
              }
          }
        out[oh * w->out[1] + ow] = h;
      }
}

static int
cmp_u64 (gconstpointer a,
         gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

/* The hash of the set of @n classes in @taps (sorted in place). */
static guint64
set_hash (guint64 *taps,
          int64_t n)
{
  guint64 h = G_GUINT64_CONSTANT (0xa54ff53a5f1d36f1);

  qsort (taps, (size_t) n, sizeof *taps, cmp_u64);
  for (int64_t i = 0; i < n; i++)
    if (i == 0 || taps[i] != taps[i - 1])
      h = mix (h, taps[i]);
  return h;
}

/* The multi-index of flat output position @o. */
static void
output_position (const Windows *w,
                 int64_t o,
                 int64_t *opos)
{
  for (int d = w->n_dims - 1; d >= 0; d--)
    {
      opos[d] = o % w->out[d];
      o /= w->out[d];
    }
}

/* Tap @t (flat, row-major over the kernel) of the window at @opos: TRUE
 * with its flat input offset in *@at when it falls inside the input. */
static gboolean
tap_offset (const Windows *w,
            const int64_t *opos,
            int64_t t,
            int64_t *at)
{
  int64_t stride = 1;
  gboolean inside = TRUE;

  *at = 0;
  for (int d = w->n_dims - 1; d >= 0; d--)
    {
      int64_t i = opos[d] * w->stride[d] - w->pad_begin[d] + t % w->kernel[d] * w->dilation[d];

      t /= w->kernel[d];
      inside &= i >= 0 && i < w->in[d];
      *at += i * stride;
      stride *= w->in[d];
    }
  return inside;
}

static guint64 *
window_classes (const Windows *w,
                int64_t batch,
                const guint64 *in,
                guint64 pad)
{
  int64_t in_n = 1, out_n = 1, taps = 1;
  guint64 *out;

  for (int d = 0; d < w->n_dims; d++)
    {
      in_n *= w->in[d];
      out_n *= w->out[d];
      taps *= w->kernel[d];
    }
  out = g_new (guint64, batch * out_n);
  if (w->as_set)
    {
      g_autofree guint64 *buf = g_new (guint64, taps);

      for (int64_t n = 0; n < batch; n++)
        for (int64_t o = 0; o < out_n; o++)
          {
            int64_t opos[LRP_MAX_RANK], at, count = 0;

            output_position (w, o, opos);
            for (int64_t t = 0; t < taps; t++)
              if (tap_offset (w, opos, t, &at))
                buf[count++] = in[n * in_n + at];
            out[n * out_n + o] = set_hash (buf, count);
          }
      return out;
    }
  if (w->n_dims == 2)
    {
      for (int64_t n = 0; n < batch; n++)
        window_classes_2d (w, in + n * in_n, pad, out + n * out_n);
      return out;
    }
  for (int64_t n = 0; n < batch; n++)
    for (int64_t o = 0; o < out_n; o++)
      {
        int64_t opos[LRP_MAX_RANK], at;
        guint64 h = G_GUINT64_CONSTANT (0x3c6ef372fe94f82b);

        output_position (w, o, opos);
        for (int64_t t = 0; t < taps; t++)
          h = mix (h, tap_offset (w, opos, t, &at) ? in[n * in_n + at] : pad);
        out[n * out_n + o] = h;
      }
  return out;
}

/* A constant operand that is the same at every position of @like: no
 * batch or spatial extent once broadcast against it. */
static gboolean
uniform_constant (const LrpModel *m,
                  int v,
                  const LrpTensor *like)
{
  const LrpTensor *t;

  if (!lrp_value_is_constant (m, v))
    return FALSE;
  t = m->values[v].tensor;
  for (int d = 0; d < t->rank; d++)
    {
      int axis = like->rank - t->rank + d;

      if (t->shape[d] != 1 && axis != 1)
        return FALSE;
    }
  return TRUE;
}

static const char *const pointwise_ops[] = {
  "Relu", "LeakyRelu", "PRelu", "Clip", "Sigmoid", "Tanh", "Elu", "Selu", "Softplus",
  "HardSigmoid", "HardSwish", "Gelu", "Identity", "Dropout", "Neg", "Abs", "Sqrt", "Exp",
  "Add", "Sub", "Mul", "Div", "Max", "Min", "Sum", NULL,
};

static gboolean
op_in (const char *op,
       const char *const *list)
{
  for (int i = 0; list[i]; i++)
    if (g_str_equal (op, list[i]))
      return TRUE;
  return FALSE;
}

/* Element-wise ops: the classes of the activation operands combined; the
 * constants must not vary by position. */
static guint64 *
pointwise_classes (const LrpModel *m,
                   const LrpNode *node,
                   const Classes *cls,
                   const LrpTensor *y)
{
  int64_t total = y->shape[0] * positions (y);
  g_autofree guint64 *out = NULL;
  int used = 0;

  for (int i = 0; i < node->n_inputs; i++)
    {
      int v = node->inputs[i];
      const LrpTensor *t;

      if (v < 0)
        continue;
      t = m->values[v].tensor;
      if (g_str_equal (node->op_type, "BatchNormalization") && i > 0)
        {
          if (!lrp_value_is_constant (m, v))
            return NULL;
          continue;
        }
      if (lrp_value_is_constant (m, v))
        {
          if (!uniform_constant (m, v, y))
            return NULL;
          continue;
        }
      if (lrp_tensor_same_shape (t, y) && cls[v].cls != NULL)
        {
          if (out == NULL)
            out = g_new0 (guint64, total);
          for (int64_t p = 0; p < total; p++)
            out[p] = mix (out[p], cls[v].cls[p]);
          used++;
          continue;
        }
      return NULL;
    }
  return used > 0 ? g_steal_pointer (&out) : NULL;
}

/* Concat along the channels: every channel of a position comes from one
 * input at that position. */
static guint64 *
concat_classes (const LrpModel *m,
                const LrpNode *node,
                const Classes *cls,
                const LrpTensor *y)
{
  const LrpAxisParams *p = node->params;
  int64_t np = positions (y), total = y->shape[0] * np;
  g_autofree guint64 *out = NULL;

  if (p == NULL || (p->axis != 1 && p->axis != 1 - y->rank))
    return NULL;
  out = g_new0 (guint64, total);
  for (int i = 0; i < node->n_inputs; i++)
    {
      int v = node->inputs[i];

      const LrpTensor *t = v >= 0 ? m->values[v].tensor : NULL;

      if (t == NULL || cls[v].cls == NULL || t->rank != y->rank || t->shape[0] != y->shape[0]
          || positions (t) != np)
        return NULL;
      for (int64_t q = 0; q < total; q++)
        out[q] = mix (out[q], cls[v].cls[q]);
    }
  return g_steal_pointer (&out);
}

static guint64 *
conv_classes (const LrpModel *m,
              const LrpNode *node,
              const Classes *cls)
{
  int x = node->inputs[0], w = node->n_inputs > 1 ? node->inputs[1] : -1;
  LrpConvGeometry g;
  Windows win = { 0 };

  if (cls[x].cls == NULL || !lrp_value_is_constant (m, w)
      || (node->n_inputs > 2 && node->inputs[2] >= 0 && !lrp_value_is_constant (m, node->inputs[2]))
      || !lrp_op_conv_geometry (node, m->values[x].tensor, m->values[w].tensor, &g, NULL))
    return NULL;
  win.n_dims = g.n_dims;
  for (int d = 0; d < g.n_dims; d++)
    {
      win.in[d] = g.in[d];
      win.out[d] = g.out[d];
      win.kernel[d] = g.kernel[d];
      win.stride[d] = g.stride[d];
      win.dilation[d] = g.dilation[d];
      win.pad_begin[d] = g.pad_begin[d];
    }
  return window_classes (&win, m->values[x].tensor->shape[0], cls[x].cls, cls[x].pad);
}

static guint64 *
pool_classes (const LrpModel *m,
              const LrpNode *node,
              const Classes *cls)
{
  int x = node->inputs[0];
  LrpPoolGeometry g;
  Windows win = { 0 };

  if (cls[x].cls == NULL || m->values[x].tensor->rank < 3
      || !lrp_pool_geometry (node, m->values[x].tensor, &g, NULL))
    return NULL;
  win.as_set = strstr (node->op_type, "MaxPool") != NULL;
  win.n_dims = g.n_spatial;
  for (int d = 0; d < g.n_spatial; d++)
    {
      win.in[d] = g.in[d];
      win.out[d] = g.out[d];
      win.kernel[d] = g.kernel[d];
      win.stride[d] = g.stride[d];
      win.dilation[d] = g.dilation[d];
      win.pad_begin[d] = g.pad_begin[d];
    }
  return window_classes (&win, m->values[x].tensor->shape[0], cls[x].cls, POOL_PAD);
}

static guint64 *
node_classes (const LrpModel *m,
              const LrpNode *node,
              const Classes *cls)
{
  const LrpTensor *y = node->outputs[0] >= 0 ? m->values[node->outputs[0]].tensor : NULL;
  const char *op = node->op_type;

  if (y == NULL || y->rank < 3 || node->inputs[0] < 0)
    return NULL;
  if (g_str_equal (op, "Conv"))
    return conv_classes (m, node, cls);
  if (g_str_equal (op, "MaxPool") || g_str_equal (op, "AveragePool")
      || g_str_equal (op, "GlobalMaxPool") || g_str_equal (op, "GlobalAveragePool"))
    return pool_classes (m, node, cls);
  if (g_str_equal (op, "BatchNormalization") || op_in (op, pointwise_ops))
    return pointwise_classes (m, node, cls, y);
  if (g_str_equal (op, "Concat"))
    return concat_classes (m, node, cls, y);
  return NULL;
}

/* The classes of every value produced by nodes 0 to @last. */
static Classes *
compute_classes (const LrpModel *model,
                 LrpTensor *const *acts,
                 int last)
{
  Classes *cls = g_new0 (Classes, model->n_values);

  for (int i = 0; i < model->n_inputs; i++)
    {
      int v = model->inputs[i];

      if (acts[v] != NULL && acts[v]->rank >= 3 && acts[v]->dtype == LRP_DTYPE_FLOAT)
        input_classes (acts[v], &cls[v]);
    }
  for (int n = 0; n <= last; n++)
    {
      const LrpNode *node = &model->nodes[n];
      int y = node->outputs[0];

      if (y < 0)
        continue;
      cls[y].cls = node_classes (model, node, cls);
      cls[y].pad = OTHER_PAD;
    }
  return cls;
}

guint64 *
lrp_position_classes (const LrpModel *model,
                      LrpTensor *const *acts,
                      int value_id)
{
  g_autofree Classes *cls = NULL;
  guint64 *result;

  if (model->values[value_id].tensor->rank < 3)
    return NULL;
  cls = compute_classes (model, acts, model->values[value_id].producer);
  result = g_steal_pointer (&cls[value_id].cls);
  for (int v = 0; v < model->n_values; v++)
    g_free (cls[v].cls);
  return result;
}

const guint64 *
lrp_run_position_classes (LrpRun *run,
                          int value_id)
{
  const LrpModel *m = run->model;

  if (run->classes == NULL)
    {
      g_autofree Classes *cls = NULL;
      int last = -1;

      /* Nothing after the last MaxPool asks for them. */
      for (int n = 0; n < m->n_nodes; n++)
        if (strstr (m->nodes[n].op_type, "MaxPool") != NULL)
          last = n;
      cls = compute_classes (m, run->acts, last);

      run->classes = g_new0 (guint64 *, m->n_values);
      for (int v = 0; v < m->n_values; v++)
        run->classes[v] = cls[v].cls;
    }
  return run->classes[value_id];
}
