/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Activations recomputed in double precision, at the positions asked for.
 *
 * lrp-near-ties.c decides what float32 cannot order (MaxPool windows whose
 * values differ by less than the kernels' rounding, ReLU inputs that close
 * to zero) from values recomputed here: from the float32 input and
 * weights, through every op below, over just the positions the asked ones'
 * receptive fields reach (marked top-down, then computed bottom-up, a
 * layer at a time, the convolutions as double-precision products of the
 * marked columns).  The results sit within 1e-15 of the exact ones.
 *
 * Recomputed values are kept per input (in the LrpRun, like the position
 * classes), so a new class or rule asks nothing again.
 */
#define G_LOG_DOMAIN "lrp-exact"

#include "config.h"

#include "lrp-exact-private.h"
#include "lrp-op-pool-private.h"
#include "lrp-op-shape-private.h"
#include "lrp-ops-private.h"
#include "lrp-parallel-private.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

enum { NONE, NEEDED, DONE };

/* Double-precision activation of one value, filled position by position. */
typedef struct
{
  double *val;          /* N × C × positions, allocated when first needed */
  guint8 *state;        /* N × positions: NONE, NEEDED or DONE */
  int64_t n_needed;
  int supported;        /* -1: not asked yet; else whether it has a double form */
} ExactValue;

struct _LrpExact
{
  const LrpModel *model;
  ExactValue *values;   /* one per value */
  double **weights;     /* one per node: a Conv's weights in double, once needed */
  LrpExactWindow *windows; /* one per node: a Conv's or pool's, once its support is known */
};

/* Columns of one convolution product: bounds the scratch to a few MiB. */
#define CHUNK 256

void
lrp_exact_free (LrpExact *exact)
{
  if (exact == NULL)
    return;
  for (int v = 0; v < exact->model->n_values; v++)
    {
      g_free (exact->values[v].val);
      g_free (exact->values[v].state);
    }
  for (int n = 0; n < exact->model->n_nodes; n++)
    g_free (exact->weights[n]);
  g_free (exact->values);
  g_free (exact->weights);
  g_free (exact->windows);
  g_free (exact);
}

LrpExact *
lrp_exact_for_run (LrpRun *run)
{
  if (run->exact == NULL)
    {
      LrpExact *e = g_new0 (LrpExact, 1);

      e->model = run->model;
      e->values = g_new0 (ExactValue, run->model->n_values);
      for (int v = 0; v < run->model->n_values; v++)
        e->values[v].supported = -1;
      e->weights = g_new0 (double *, MAX (run->model->n_nodes, 1));
      e->windows = g_new0 (LrpExactWindow, MAX (run->model->n_nodes, 1));
      run->exact = e;
    }
  return run->exact;
}

int64_t
lrp_exact_window_taps (const LrpExactWindow *w,
                       int64_t o,
                       int64_t *taps)
{
  int64_t oh = o / w->out[1], ow = o % w->out[1], n = 0;

  for (int64_t kh = 0; kh < w->kernel[0]; kh++)
    {
      int64_t i = oh * w->stride[0] - w->pad_begin[0] + kh * w->dilation[0];

      if (i < 0 || i >= w->in[0])
        continue;
      for (int64_t kw = 0; kw < w->kernel[1]; kw++)
        {
          int64_t j = ow * w->stride[1] - w->pad_begin[1] + kw * w->dilation[1];

          if (j >= 0 && j < w->in[1])
            taps[n++] = i * w->in[1] + j;
        }
    }
  return n;
}

/* The first two spatial dims of a Conv's or a pool's geometry (the two
 * structs name their fields alike). */
static void
window_from (const int64_t *kernel,
             const int64_t *stride,
             const int64_t *dilation,
             const int64_t *pad_begin,
             const int64_t *in,
             const int64_t *out,
             LrpExactWindow *w)
{
  for (int d = 0; d < 2; d++)
    {
      w->kernel[d] = kernel[d];
      w->stride[d] = stride[d];
      w->dilation[d] = dilation[d];
      w->pad_begin[d] = pad_begin[d];
      w->in[d] = in[d];
      w->out[d] = out[d];
    }
}

void
lrp_exact_window_of_pool (const LrpPoolGeometry *g,
                          LrpExactWindow *w)
{
  window_from (g->kernel, g->stride, g->dilation, g->pad_begin, g->in, g->out, w);
}

static void
window_of_conv (const LrpConvGeometry *g,
                LrpExactWindow *w)
{
  window_from (g->kernel, g->stride, g->dilation, g->pad_begin, g->in, g->out, w);
}

/* ---- Which values have a double form -------------------------------------- */

static gboolean compute_marked (LrpExact *e, LrpTensor *const *acts, int last_node,
                                GCancellable *cancellable, GError **error);

gboolean
lrp_exact_compute (LrpRun *run,
                   int value,
                   GCancellable *cancellable,
                   GError **error)
{
  /* Cancelled, the marks no longer say what is computed: what was computed
   * for the input goes with them. */
  if (compute_marked (run->exact, run->acts, run->model->values[value].producer, cancellable,
                      error))
    return TRUE;
  g_clear_pointer (&run->exact, lrp_exact_free);
  return FALSE;
}

static const LrpTensor *
tensor_of (const LrpModel *m,
           int v)
{
  return m->values[v].tensor;
}

/* N × C × H × W in float: the only layout followed here. */
static gboolean
is_image_like (const LrpTensor *t)
{
  return t->rank == 4 && t->dtype == LRP_DTYPE_FLOAT;
}

static int64_t
positions_of (const LrpTensor *t)
{
  return t->shape[2] * t->shape[3];
}

/* A constant operand of an element-wise op broadcasts against @y (numpy
 * rules, aligned to the right). */
static gboolean
broadcasts_to (const LrpTensor *c,
               const LrpTensor *y)
{
  if (c->rank > y->rank || c->dtype != LRP_DTYPE_FLOAT)
    return FALSE;
  for (int d = 0; d < c->rank; d++)
    {
      int64_t have = c->shape[d], want = y->shape[y->rank - c->rank + d];

      if (have != 1 && have != want)
        return FALSE;
    }
  return TRUE;
}

static gboolean value_supported (LrpExact *e, int v);

static gboolean
node_supported (LrpExact *e,
                const LrpNode *node)
{
  const LrpModel *m = e->model;
  const char *op = node->op_type;
  const LrpTensor *y = tensor_of (m, node->outputs[0]);
  int x = node->inputs[0];

  if (x < 0)
    return FALSE;
  if (g_str_equal (op, "Conv"))
    {
      LrpConvGeometry g;
      int w = node->n_inputs > 1 ? node->inputs[1] : -1;
      int b = node->n_inputs > 2 ? node->inputs[2] : -1;

      if (!lrp_value_is_constant (m, w) || (b >= 0 && !lrp_value_is_constant (m, b))
          || !lrp_op_conv_geometry (node, tensor_of (m, x), tensor_of (m, w), &g, NULL)
          || g.n_dims != 2)
        return FALSE;
      window_of_conv (&g, &e->windows[node - m->nodes]);
      return value_supported (e, x);
    }
  if (g_str_equal (op, "BatchNormalization"))
    {
      for (int i = 1; i < 5; i++)
        if (i >= node->n_inputs || !lrp_value_is_constant (m, node->inputs[i])
            || tensor_of (m, node->inputs[i])->n != y->shape[1])
          return FALSE;
      return value_supported (e, x);
    }
  if (g_str_equal (op, "Relu") || g_str_equal (op, "Identity") || g_str_equal (op, "Dropout"))
    return value_supported (e, x);
  if (g_str_has_suffix (op, "MaxPool") || g_str_has_suffix (op, "AveragePool"))
    {
      LrpPoolGeometry g;

      if (!lrp_pool_geometry (node, tensor_of (m, x), &g, NULL) || g.n_spatial != 2)
        return FALSE;
      lrp_exact_window_of_pool (&g, &e->windows[node - m->nodes]);
      return value_supported (e, x);
    }
  if ((g_str_equal (op, "Add") || g_str_equal (op, "Sub") || g_str_equal (op, "Mul")
       || g_str_equal (op, "Div")) && node->opset >= 7 && node->n_inputs == 2)
    {
      int activations = 0;

      for (int i = 0; i < 2; i++)
        {
          int v = node->inputs[i];

          if (v < 0)
            return FALSE;
          if (lrp_value_is_constant (m, v))
            {
              if (!broadcasts_to (tensor_of (m, v), y))
                return FALSE;
              continue;
            }
          if (!lrp_tensor_same_shape (tensor_of (m, v), y) || !value_supported (e, v))
            return FALSE;
          activations++;
        }
      return activations > 0;
    }
  if (g_str_equal (op, "Concat"))
    {
      const LrpAxisParams *p = node->params;

      if (p == NULL || (p->axis != 1 && p->axis != 1 - y->rank))
        return FALSE;
      for (int i = 0; i < node->n_inputs; i++)
        {
          int v = node->inputs[i];
          const LrpTensor *t;

          if (v < 0 || lrp_value_is_constant (m, v))
            return FALSE;
          t = tensor_of (m, v);
          if (!is_image_like (t) || t->shape[0] != y->shape[0] || t->shape[2] != y->shape[2]
              || t->shape[3] != y->shape[3] || !value_supported (e, v))
            return FALSE;
        }
      return TRUE;
    }
  return FALSE;
}

static gboolean
value_supported (LrpExact *e,
                 int v)
{
  const LrpModel *m = e->model;
  ExactValue *ev = &e->values[v];

  if (ev->supported < 0)
    {
      int producer = m->values[v].producer;

      ev->supported = FALSE;
      if (is_image_like (tensor_of (m, v)))
        {
          if (m->values[v].is_input)
            ev->supported = TRUE;
          else if (producer >= 0 && m->nodes[producer].outputs[0] == v)
            ev->supported = node_supported (e, &m->nodes[producer]);
        }
    }
  return ev->supported;
}

gboolean
lrp_exact_follows (LrpExact *e,
                   int value)
{
  return value >= 0 && value_supported (e, value);
}

/* ---- Marking the positions a value is needed at ---------------------------- */

static ExactValue *
exact_value (LrpExact *e,
             int v)
{
  ExactValue *ev = &e->values[v];
  const LrpTensor *t = tensor_of (e->model, v);

  if (ev->state == NULL)
    {
      ev->state = g_new0 (guint8, t->shape[0] * positions_of (t));
      ev->val = g_new (double, t->n);
    }
  return ev;
}

void
lrp_exact_mark (LrpExact *e,
                int v,
                int64_t n,
                int64_t p)
{
  const LrpModel *m = e->model;
  ExactValue *ev = exact_value (e, v);
  int64_t at = n * positions_of (tensor_of (m, v)) + p;
  int producer = m->values[v].producer;
  const LrpNode *node;

  if (ev->state[at] != NONE)
    return;
  ev->state[at] = NEEDED;
  ev->n_needed++;
  if (m->values[v].is_input)
    return;
  node = &m->nodes[producer];
  if (g_str_equal (node->op_type, "Conv") || g_str_has_suffix (node->op_type, "Pool"))
    {
      /* Called for every position of a cone: no allocation for the usual
       * small windows. */
      const LrpExactWindow *w = &e->windows[producer];
      int64_t area = w->kernel[0] * w->kernel[1], small[64];
      g_autofree int64_t *large = area > 64 ? g_new (int64_t, area) : NULL;
      int64_t *taps = large ? large : small;
      int64_t count = lrp_exact_window_taps (w, p, taps);

      for (int64_t k = 0; k < count; k++)
        lrp_exact_mark (e, node->inputs[0], n, taps[k]);
    }
  else
    for (int i = 0; i < node->n_inputs; i++)
      if (node->inputs[i] >= 0 && !lrp_value_is_constant (m, node->inputs[i])
          && (i == 0 || !g_str_equal (node->op_type, "BatchNormalization")))
        lrp_exact_mark (e, node->inputs[i], n, p);
}

/* ---- Computing the marked positions, bottom-up ---------------------------- */

/* The marked positions of @v as (image, position) pairs, 2 per entry. */
static int64_t *
needed_positions (ExactValue *ev,
                  const LrpTensor *t,
                  int64_t *count)
{
  int64_t total = t->shape[0] * positions_of (t), k = 0;
  int64_t *list = g_new (int64_t, 2 * ev->n_needed);

  for (int64_t i = 0; i < total; i++)
    if (ev->state[i] == NEEDED)
      {
        list[2 * k] = i / positions_of (t);
        list[2 * k + 1] = i % positions_of (t);
        ev->state[i] = DONE;
        k++;
      }
  ev->n_needed = 0;
  *count = k;
  return list;
}

static const double *
conv_weights (LrpExact *e,
              int node_index,
              const LrpTensor *w)
{
  if (e->weights[node_index] == NULL)
    {
      double *d = g_new (double, w->n);

      for (int64_t i = 0; i < w->n; i++)
        d[i] = lrp_tensor_f (w)[i];
      e->weights[node_index] = d;
    }
  return e->weights[node_index];
}

typedef struct
{
  LrpConvGeometry g;
  const double *x, *w;
  const float *bias;
  double *y;
  const int64_t *list;
  int64_t count, in_p, out_p;
  GCancellable *cancellable;
  gint cancelled;
} ConvJob;

/* Chunks [begin, end) of the marked columns: lowered, multiplied, stored. */
static void
conv_chunks (int64_t begin,
             int64_t end,
             gpointer data)
{
  ConvJob *j = data;
  const LrpConvGeometry *g = &j->g;
  int64_t cg = g->channels / g->group, mg = g->out_channels / g->group;
  int64_t kg = cg * g->kernel[0] * g->kernel[1];
  g_autofree double *cols = g_new (double, kg * CHUNK);
  g_autofree double *out = g_new (double, mg * CHUNK);
  int64_t top[CHUNK], left[CHUNK], image[CHUNK];

  for (int64_t chunk = begin; chunk < end; chunk++)
    {
      const int64_t *list = j->list + 2 * chunk * CHUNK;
      int64_t s = MIN (CHUNK, j->count - chunk * CHUNK);

      if (lrp_parallel_cancelled (&j->cancelled, j->cancellable))
        return;
      /* Each column's window corner and image, once. */
      for (int64_t k = 0; k < s; k++)
        {
          image[k] = list[2 * k] * g->channels * j->in_p;
          top[k] = list[2 * k + 1] / g->out[1] * g->stride[0] - g->pad_begin[0];
          left[k] = list[2 * k + 1] % g->out[1] * g->stride[1] - g->pad_begin[1];
        }
      for (int64_t grp = 0; grp < g->group; grp++)
        {
          for (int64_t c = 0; c < cg; c++)
            for (int64_t kh = 0; kh < g->kernel[0]; kh++)
              for (int64_t kw = 0; kw < g->kernel[1]; kw++)
                {
                  double *row = cols + ((c * g->kernel[0] + kh) * g->kernel[1] + kw) * s;
                  const double *plane = j->x + (grp * cg + c) * j->in_p;

                  for (int64_t k = 0; k < s; k++)
                    {
                      int64_t y = top[k] + kh * g->dilation[0];
                      int64_t x = left[k] + kw * g->dilation[1];

                      row[k] = y >= 0 && y < g->in[0] && x >= 0 && x < g->in[1]
                               ? plane[image[k] + y * g->in[1] + x] : 0;
                    }
                }
          cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) mg, (int) s, (int) kg,
                       1.0, j->w + grp * mg * kg, (int) kg, cols, (int) s, 0.0, out, (int) s);
          for (int64_t o = 0; o < mg; o++)
            {
              int64_t channel = grp * mg + o;
              double b = j->bias ? j->bias[channel] : 0;

              for (int64_t k = 0; k < s; k++)
                {
                  int64_t n = list[2 * k], p = list[2 * k + 1];

                  j->y[(n * g->out_channels + channel) * j->out_p + p] = out[o * s + k] + b;
                }
            }
        }
    }
}

/* The marked columns of a convolution in chunks, as double-precision
 * products, over the cores. */
static gboolean
compute_conv (LrpExact *e,
              int node_index,
              ExactValue *ey,
              const int64_t *list,
              int64_t count,
              GCancellable *cancellable,
              GError **error)
{
  const LrpModel *m = e->model;
  const LrpNode *node = &m->nodes[node_index];
  const LrpTensor *xt = tensor_of (m, node->inputs[0]), *wt = tensor_of (m, node->inputs[1]);
  ConvJob job = { .x = e->values[node->inputs[0]].val, .y = ey->val, .list = list,
                  .count = count, .in_p = positions_of (xt),
                  .out_p = positions_of (tensor_of (m, node->outputs[0])),
                  .cancellable = cancellable };

  lrp_op_conv_geometry (node, xt, wt, &job.g, NULL);
  job.w = conv_weights (e, node_index, wt);
  job.bias = node->n_inputs > 2 && node->inputs[2] >= 0
             ? lrp_tensor_f (tensor_of (m, node->inputs[2])) : NULL;
  lrp_parallel_for ((count + CHUNK - 1) / CHUNK, 1, conv_chunks, &job);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

static void
compute_pool (LrpExact *e,
              int node_index,
              ExactValue *ey,
              const int64_t *list,
              int64_t count)
{
  const LrpModel *m = e->model;
  const LrpNode *node = &m->nodes[node_index];
  const LrpExactWindow *w = &e->windows[node_index];
  const LrpTensor *xt = tensor_of (m, node->inputs[0]);
  const double *x = e->values[node->inputs[0]].val;
  gboolean is_max = g_str_has_suffix (node->op_type, "MaxPool");
  gboolean counts_pad = !is_max && lrp_op_pool_counts_pad (node);
  int64_t channels = xt->shape[1], in_p = positions_of (xt);
  int64_t out_p = positions_of (tensor_of (m, node->outputs[0]));
  g_autofree int64_t *taps = g_new (int64_t, w->kernel[0] * w->kernel[1]);

  for (int64_t k = 0; k < count; k++)
    {
      int64_t n = list[2 * k], p = list[2 * k + 1];
      int64_t n_taps = lrp_exact_window_taps (w, p, taps);

      for (int64_t c = 0; c < channels; c++)
        {
          const double *plane = x + (n * channels + c) * in_p;
          double acc = is_max ? -INFINITY : 0;

          for (int64_t t = 0; t < n_taps; t++)
            acc = is_max ? MAX (acc, plane[taps[t]]) : acc + plane[taps[t]];
          if (!is_max)
            acc /= (double) (counts_pad ? w->kernel[0] * w->kernel[1] : MAX (n_taps, 1));
          ey->val[(n * channels + c) * out_p + p] = acc;
        }
    }
}

/* Element (@n, @c, @p) of operand @v of an element-wise op whose output is
 * @y: an activation of @y's shape, or a broadcast constant. */
static double
operand (LrpExact *e,
         int v,
         const LrpTensor *y,
         int64_t n,
         int64_t c,
         int64_t p)
{
  const LrpModel *m = e->model;
  const LrpTensor *t = tensor_of (m, v);
  int64_t coord[4] = { n, c, p / y->shape[3], p % y->shape[3] }, at = 0;

  if (!lrp_value_is_constant (m, v))
    return e->values[v].val[(n * y->shape[1] + c) * positions_of (y) + p];
  for (int d = 0; d < t->rank; d++)
    at = at * t->shape[d] + (t->shape[d] == 1 ? 0 : coord[4 - t->rank + d]);
  return lrp_tensor_f (t)[at];
}

static void
compute_pointwise (LrpExact *e,
                   const LrpNode *node,
                   ExactValue *ey,
                   const int64_t *list,
                   int64_t count)
{
  const LrpModel *m = e->model;
  const LrpTensor *y = tensor_of (m, node->outputs[0]);
  const char *op = node->op_type;
  int64_t channels = y->shape[1], np = positions_of (y);
  g_autofree double *scale = NULL, *shift = NULL;

  if (g_str_equal (op, "BatchNormalization"))
    {
      const float *gamma = lrp_tensor_f (tensor_of (m, node->inputs[1]));
      const float *beta = lrp_tensor_f (tensor_of (m, node->inputs[2]));
      const float *mean = lrp_tensor_f (tensor_of (m, node->inputs[3]));
      const float *var = lrp_tensor_f (tensor_of (m, node->inputs[4]));
      double eps = lrp_op_batchnorm_epsilon (node);

      scale = g_new (double, channels);
      shift = g_new (double, channels);
      for (int64_t c = 0; c < channels; c++)
        {
          scale[c] = gamma[c] / sqrt ((double) var[c] + eps);
          shift[c] = beta[c] - mean[c] * scale[c];
        }
    }
  for (int64_t k = 0; k < count; k++)
    {
      int64_t n = list[2 * k], p = list[2 * k + 1];

      for (int64_t c = 0; c < channels; c++)
        {
          double *out = &ey->val[(n * channels + c) * np + p];

          if (scale)
            *out = e->values[node->inputs[0]].val[(n * channels + c) * np + p] * scale[c]
                   + shift[c];
          else if (g_str_equal (op, "Relu"))
            {
              double v = e->values[node->inputs[0]].val[(n * channels + c) * np + p];

              *out = v > 0 ? v : 0;
            }
          else if (g_str_equal (op, "Identity") || g_str_equal (op, "Dropout"))
            *out = e->values[node->inputs[0]].val[(n * channels + c) * np + p];
          else
            {
              double a = operand (e, node->inputs[0], y, n, c, p);
              double b = operand (e, node->inputs[1], y, n, c, p);

              *out = g_str_equal (op, "Add") ? a + b : g_str_equal (op, "Sub") ? a - b
                     : g_str_equal (op, "Mul") ? a * b : a / b;
            }
        }
    }
}

static void
compute_concat (LrpExact *e,
                const LrpNode *node,
                ExactValue *ey,
                const int64_t *list,
                int64_t count)
{
  const LrpModel *m = e->model;
  const LrpTensor *y = tensor_of (m, node->outputs[0]);
  int64_t np = positions_of (y);

  for (int64_t k = 0; k < count; k++)
    {
      int64_t n = list[2 * k], p = list[2 * k + 1], first = 0;

      for (int i = 0; i < node->n_inputs; i++)
        {
          const LrpTensor *t = tensor_of (m, node->inputs[i]);
          const double *x = e->values[node->inputs[i]].val;

          for (int64_t c = 0; c < t->shape[1]; c++)
            ey->val[(n * y->shape[1] + first + c) * np + p] = x[(n * t->shape[1] + c) * np + p];
          first += t->shape[1];
        }
    }
}

/* Computes every marked position, the ops in graph order so that each
 * reads inputs already computed.  Cut short (cancelled), the marks no
 * longer say what is computed: the caller drops @e (lrp_exact_compute). */
static gboolean
compute_marked (LrpExact *e,
                LrpTensor *const *acts,
                int last_node,
                GCancellable *cancellable,
                GError **error)
{
  const LrpModel *m = e->model;

  for (int i = 0; i < m->n_inputs; i++)
    {
      int v = m->inputs[i];
      ExactValue *ev = &e->values[v];
      const LrpTensor *t = tensor_of (m, v);
      int64_t count, channels, np;
      g_autofree int64_t *list = NULL;

      if (ev->n_needed == 0)
        continue;
      channels = t->shape[1];
      np = positions_of (t);
      list = needed_positions (ev, t, &count);
      for (int64_t k = 0; k < count; k++)
        for (int64_t c = 0; c < channels; c++)
          {
            int64_t at = (list[2 * k] * channels + c) * np + list[2 * k + 1];

            ev->val[at] = lrp_tensor_f (acts[v])[at];
          }
    }
  for (int n = 0; n <= last_node; n++)
    {
      const LrpNode *node = &m->nodes[n];
      int v = node->outputs[0];
      ExactValue *ev;
      int64_t count;
      g_autofree int64_t *list = NULL;

      if (v < 0 || e->values[v].n_needed == 0)
        continue;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      ev = &e->values[v];
      list = needed_positions (ev, tensor_of (m, v), &count);
      if (g_str_equal (node->op_type, "Conv"))
        {
          if (!compute_conv (e, n, ev, list, count, cancellable, error))
            return FALSE;
        }
      else if (g_str_has_suffix (node->op_type, "Pool"))
        compute_pool (e, n, ev, list, count);
      else if (g_str_equal (node->op_type, "Concat"))
        compute_concat (e, node, ev, list, count);
      else
        compute_pointwise (e, node, ev, list, count);
    }
  return TRUE;
}

double *
lrp_exact_value (LrpRun *run,
                 int value_id,
                 GCancellable *cancellable)
{
  LrpExact *e = lrp_exact_for_run (run);
  const LrpTensor *t = tensor_of (run->model, value_id);

  if (!value_supported (e, value_id))
    return NULL;
  for (int64_t n = 0; n < t->shape[0]; n++)
    for (int64_t p = 0; p < positions_of (t); p++)
      lrp_exact_mark (e, value_id, n, p);
  if (!lrp_exact_compute (run, value_id, cancellable, NULL))
    return NULL;
  return g_memdup2 (lrp_exact_get (run->exact, value_id), sizeof (double) * (gsize) t->n);
}

const double *
lrp_exact_get (LrpExact *e,
               int value)
{
  return e->values[value].val;
}

