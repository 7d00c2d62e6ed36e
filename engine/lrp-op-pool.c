/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pooling: MaxPool, AveragePool and their global forms, over any number of
 * spatial dims.  One geometry function (output sizes, auto_pad, ceil_mode)
 * serves all of them, and the MaxPool forward is an argmax that the
 * relevance pass reuses (winner takes all).  Each op's relevance function
 * follows its forward.
 *
 * Semantics follow ONNX's reference implementation: padding is -∞ for
 * MaxPool and absent from the average unless count_include_pad; with
 * ceil_mode a last window that would start in the right padding is dropped,
 * and the part of a window beyond the padded input counts as padding.
 */
#define G_LOG_DOMAIN "lrp-op"

#include "config.h"

#include "lrp-op-pool-private.h"

#include "lrp-exact-private.h"
#include "lrp-parallel-private.h"
#include "lrp-rules-private.h"
#include "lrp-ties-private.h"

#include <math.h>
#include <string.h>

typedef enum { POOL_MAX, POOL_AVG } PoolKind;

typedef enum {
  AUTO_PAD_NOTSET,
  AUTO_PAD_VALID,
  AUTO_PAD_SAME_UPPER,
  AUTO_PAD_SAME_LOWER,
} AutoPad;

typedef struct
{
  PoolKind kind;
  gboolean global;
  AutoPad auto_pad;
  gboolean ceil_mode;
  gboolean count_include_pad;
  int n_spatial;                     /* from kernel_shape; unused when global */
  int64_t kernel[LRP_MAX_RANK];
  int64_t strides[LRP_MAX_RANK];
  int64_t dilations[LRP_MAX_RANK];
  int64_t pads[2 * LRP_MAX_RANK];    /* begins, then ends */
} PoolParams;

/* ---- Attributes ------------------------------------------------------- */

/* Reads the optional list @name into @dst (@def everywhere when absent),
 * requiring @want entries, each in [@min, LRP_MAX_ELEMENTS]. */
static gboolean
read_dims (LrpNode *node,
           const LrpAttrs *attrs,
           const char *name,
           int want,
           int64_t def,
           int64_t min,
           int64_t *dst,
           GError **error)
{
  const int64_t *v;
  int n;

  if (!lrp_attrs_get_ints (attrs, name, &n, &v, error))
    return FALSE;
  if (v == NULL)
    {
      for (int i = 0; i < want; i++)
        dst[i] = def;
      return TRUE;
    }
  if (n != want)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node, "%s has %d values, expected %d",
                      name, n, want);
      return FALSE;
    }
  for (int i = 0; i < n; i++)
    {
      if (v[i] < min || v[i] > LRP_MAX_ELEMENTS)
        {
          lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                          "%s[%d] is %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT
                          " to %" G_GINT64_FORMAT, name, i, v[i], min,
                          (int64_t) LRP_MAX_ELEMENTS);
          return FALSE;
        }
      dst[i] = v[i];
    }
  return TRUE;
}

static gboolean
read_auto_pad (LrpNode *node,
               const LrpAttrs *attrs,
               AutoPad *out,
               GError **error)
{
  const char *s = lrp_attrs_get_string (attrs, "auto_pad");

  *out = AUTO_PAD_NOTSET;
  if (s == NULL && lrp_attrs_has (attrs, "auto_pad"))
    {
      lrp_node_error (error, LRP_MODEL_ERROR_FAILED, node, "auto_pad should be a string");
      return FALSE;
    }
  if (s == NULL || s[0] == '\0' || g_str_equal (s, "NOTSET"))
    return TRUE;
  if (g_str_equal (s, "VALID"))
    *out = AUTO_PAD_VALID;
  else if (g_str_equal (s, "SAME_UPPER"))
    *out = AUTO_PAD_SAME_UPPER;
  else if (g_str_equal (s, "SAME_LOWER"))
    *out = AUTO_PAD_SAME_LOWER;
  else
    {
      lrp_node_error (error, LRP_MODEL_ERROR_FAILED, node, "auto_pad “%s” is not one of "
                      "NOTSET, VALID, SAME_UPPER, SAME_LOWER", s);
      return FALSE;
    }
  return TRUE;
}

/* kernel_shape, strides, dilations, pads: the window attributes of the
 * non-global ops. */
static gboolean
read_window (LrpNode *node,
             const LrpAttrs *attrs,
             PoolParams *p,
             GError **error)
{
  const int64_t *kernel;
  int n;

  if (!lrp_attrs_get_ints (attrs, "kernel_shape", &n, &kernel, error))
    return FALSE;
  if (kernel == NULL || n < 1 || n > LRP_MAX_RANK - 2)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                      "kernel_shape must list 1 to %d sizes, found %d", LRP_MAX_RANK - 2,
                      kernel ? n : 0);
      return FALSE;
    }
  p->n_spatial = n;
  return read_dims (node, attrs, "kernel_shape", n, 1, 1, p->kernel, error)
         && read_dims (node, attrs, "strides", n, 1, 1, p->strides, error)
         && read_dims (node, attrs, "dilations", n, 1, 1, p->dilations, error)
         && read_dims (node, attrs, "pads", 2 * n, 0, 0, p->pads, error)
         && read_auto_pad (node, attrs, &p->auto_pad, error);
}

static gboolean
pool_setup (LrpNode *node,
            const LrpAttrs *attrs,
            GError **error)
{
  PoolParams *p = g_new0 (PoolParams, 1);
  int64_t ceil_mode, count_include_pad, storage_order;

  node->params = p;
  node->free_params = g_free;
  p->kind = strstr (node->op_type, "Max") ? POOL_MAX : POOL_AVG;
  p->global = g_str_has_prefix (node->op_type, "Global");
  if (p->global)
    return TRUE;

  if (!lrp_attrs_get_int (attrs, "ceil_mode", 0, &ceil_mode, error)
      || !lrp_attrs_get_int (attrs, "count_include_pad", 0, &count_include_pad, error)
      || !lrp_attrs_get_int (attrs, "storage_order", 0, &storage_order, error)
      || !read_window (node, attrs, p, error))
    return FALSE;
  p->ceil_mode = ceil_mode != 0;
  p->count_include_pad = count_include_pad != 0;
  if (storage_order != 0)
    {
      /* Column-major indices: no model we target asks for them. */
      lrp_node_error (error, LRP_MODEL_ERROR_UNSUPPORTED, node,
                      "storage_order %" G_GINT64_FORMAT " is not supported (only 0)",
                      storage_order);
      return FALSE;
    }
  return TRUE;
}

/* ---- Geometry ----------------------------------------------------------- */

/* Output size and padding of spatial dim @d for explicit or automatic pads. */
static gboolean
dim_geometry (const LrpNode *node,
              const PoolParams *p,
              int d,
              LrpPoolGeometry *g,
              GError **error)
{
  int64_t in = g->in[d], s = p->strides[d];
  int64_t ext = (p->kernel[d] - 1) * p->dilations[d] + 1;
  int64_t span, total;

  g->kernel[d] = p->kernel[d];
  g->stride[d] = s;
  g->dilation[d] = p->dilations[d];
  switch (p->auto_pad)
    {
    case AUTO_PAD_SAME_UPPER:
    case AUTO_PAD_SAME_LOWER:
      g->out[d] = (in + s - 1) / s;
      total = MAX (0, (g->out[d] - 1) * s + ext - in);
      g->pad_begin[d] = p->auto_pad == AUTO_PAD_SAME_UPPER ? total / 2 : total - total / 2;
      g->pad_end[d] = total - g->pad_begin[d];
      return TRUE;
    case AUTO_PAD_VALID:
      g->pad_begin[d] = g->pad_end[d] = 0;
      break;
    case AUTO_PAD_NOTSET:
    default:
      g->pad_begin[d] = p->pads[d];
      g->pad_end[d] = p->pads[p->n_spatial + d];
      break;
    }
  span = in + g->pad_begin[d] + g->pad_end[d] - ext;
  if (span < 0)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                      "spatial dim %d: the window spans %" G_GINT64_FORMAT
                      ", more than the padded input (%" G_GINT64_FORMAT ")", d, ext,
                      in + g->pad_begin[d] + g->pad_end[d]);
      return FALSE;
    }
  g->out[d] = span / s + 1;
  if (p->ceil_mode && p->auto_pad == AUTO_PAD_NOTSET)
    {
      if (span % s != 0)
        g->out[d]++;
      /* The last window must start inside the input or the left padding. */
      if ((g->out[d] - 1) * s >= in + g->pad_begin[d])
        g->out[d]--;
    }
  return TRUE;
}

gboolean
lrp_pool_geometry (const LrpNode *node,
                   const LrpTensor *x,
                   LrpPoolGeometry *g,
                   GError **error)
{
  const PoolParams *p = node->params;
  int n = x->rank - 2;

  memset (g, 0, sizeof *g);
  if (x->rank < 2 || (!p->global && n != p->n_spatial))
    {
      if (p->global)
        lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                        "input has rank %d, expected at least 2 (N × C × …)", x->rank);
      else
        lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                        "input has rank %d, expected %d for a %d-D kernel", x->rank,
                        p->n_spatial + 2, p->n_spatial);
      return FALSE;
    }
  g->planes = x->shape[0] * x->shape[1];
  g->n_spatial = MAX (n, 1);
  for (int d = 0; d < g->n_spatial; d++)
    {
      g->in[d] = n > 0 ? x->shape[2 + d] : 1;
      if (p->global)
        {
          g->out[d] = g->stride[d] = g->dilation[d] = 1;
          g->kernel[d] = g->in[d];
        }
      else if (!dim_geometry (node, p, d, g, error))
        return FALSE;
    }
  if (!lrp_shape_validate (g->n_spatial, g->out, &g->out_plane, error))
    {
      g_prefix_error (error, "node “%s” (%s), output: ", node->name, node->op_type);
      return FALSE;
    }
  g->in_plane = 1;
  for (int d = 0; d < g->n_spatial; d++)
    g->in_plane *= g->in[d];
  return TRUE;
}

/* ---- Windows ------------------------------------------------------------- */

/* The taps of one window that fall inside the input. */
typedef struct
{
  int64_t first[LRP_MAX_RANK];       /* input coordinate of the first such tap */
  int64_t count[LRP_MAX_RANK];       /* how many there are along each dim */
  int64_t offset;                    /* in-plane offset of the first tap */
} Window;

/* FALSE when the window at output position @opos lies entirely in padding. */
static gboolean
window_at (const LrpPoolGeometry *g,
           const int64_t *in_strides,
           const int64_t *opos,
           Window *w)
{
  w->offset = 0;
  for (int d = 0; d < g->n_spatial; d++)
    {
      int64_t start = opos[d] * g->stride[d] - g->pad_begin[d], dil = g->dilation[d];
      int64_t lo = start >= 0 ? 0 : (-start + dil - 1) / dil;
      int64_t hi = start >= g->in[d] ? 0 : MIN (g->kernel[d], (g->in[d] - 1 - start) / dil + 1);

      if (hi <= lo)
        return FALSE;
      w->first[d] = start + lo * dil;
      w->count[d] = hi - lo;
      w->offset += w->first[d] * in_strides[d];
    }
  return TRUE;
}

/* Steps @t over the rows of @w (every dim but the last, in scan order) and
 * @row to the row's in-plane offset; FALSE after the last row. */
static gboolean
next_row (const LrpPoolGeometry *g,
          const int64_t *in_strides,
          const Window *w,
          int64_t *t,
          int64_t *row)
{
  for (int d = g->n_spatial - 2; d >= 0; d--)
    {
      int64_t step = g->dilation[d] * in_strides[d];

      t[d]++;
      *row += step;
      if (t[d] < w->count[d])
        return TRUE;
      *row -= step * t[d];
      t[d] = 0;
    }
  return FALSE;
}

static void
plane_strides (const LrpPoolGeometry *g,
               int64_t *in_strides)
{
  int64_t s = 1;

  for (int d = g->n_spatial - 1; d >= 0; d--)
    {
      in_strides[d] = s;
      s *= g->in[d];
    }
}

/* Advances the output multi-index @opos in row-major order. */
static void
next_position (const LrpPoolGeometry *g,
               int64_t *opos)
{
  for (int d = g->n_spatial - 1; d >= 0; d--)
    {
      if (++opos[d] < g->out[d])
        return;
      opos[d] = 0;
    }
}

/* @v ties with the window's maximum @best for the relevance pass: within
 * the tolerance, and never a zero (a dead ReLU) against a positive
 * maximum, which would send relevance to a neuron that did not fire. */
static inline gboolean
ties (float v,
      float best,
      float floor_value)
{
  return v >= floor_value && (v > 0.f || best <= 0.f);
}

/* In-plane offset of the first maximum of window @w of @x (a plane); with
 * @cls (the plane's position classes), of the first position in the
 * maximum's class; else, with @tolerance > 0, of the first value within
 * @tolerance of it. */
static int64_t
window_argmax (const LrpPoolGeometry *g,
               const int64_t *in_strides,
               const Window *w,
               const float *x,
               const guint64 *cls,
               float tolerance)
{
  int last = g->n_spatial - 1;
  int64_t step = g->dilation[last], t[LRP_MAX_RANK] = { 0 };
  int64_t row = w->offset, best_at = -1;
  float best = 0.f, floor_value;

  do
    for (int64_t k = 0; k < w->count[last]; k++)
      {
        int64_t at = row + k * step;
        float v = x[at];

        /* NaN wins, as in PyTorch, so that it propagates. */
        if (best_at < 0 || v > best || (isnan (v) && !isnan (best)))
          {
            best = v;
            best_at = at;
          }
      }
  while (next_row (g, in_strides, w, t, &row));
  if (cls != NULL && best_at >= 0 && !isnan (best))
    {
      /* The first position exactly equal to the maximum. */
      guint64 c = cls[best_at];

      memset (t, 0, sizeof t);
      row = w->offset;
      do
        for (int64_t k = 0; k < w->count[last]; k++)
          if (cls[row + k * step] == c)
            return row + k * step;
      while (next_row (g, in_strides, w, t, &row));
      return best_at;
    }
  if (tolerance <= 0.f || best_at < 0 || !isfinite (best))
    return best_at;

  /* Second pass: the first value that ties with the maximum but for
   * rounding. */
  floor_value = best - tolerance;
  memset (t, 0, sizeof t);
  row = w->offset;
  do
    for (int64_t k = 0; k < w->count[last]; k++)
      if (ties (x[row + k * step], best, floor_value))
        return row + k * step;
  while (next_row (g, in_strides, w, t, &row));
  return best_at;
}

/* Sum of the taps of window @w inside the input. */
static double
window_sum (const LrpPoolGeometry *g,
            const int64_t *in_strides,
            const Window *w,
            const float *x)
{
  int last = g->n_spatial - 1;
  int64_t step = g->dilation[last], t[LRP_MAX_RANK] = { 0 };
  int64_t row = w->offset;
  double sum = 0;

  do
    for (int64_t k = 0; k < w->count[last]; k++)
      sum += x[row + k * step];
  while (next_row (g, in_strides, w, t, &row));
  return sum;
}

static int64_t
window_taps (const LrpPoolGeometry *g,
             const Window *w)
{
  int64_t n = 1;

  for (int d = 0; d < g->n_spatial; d++)
    n *= w->count[d];
  return n;
}

/* The divisor of an average window (@any: it has taps in the input).  With
 * count_include_pad every tap counts, even beyond the padded input in
 * ceil_mode, as in ONNX's reference; else only real ones. */
static int64_t
window_divisor (const PoolParams *p,
                const LrpPoolGeometry *g,
                const Window *w,
                gboolean any)
{
  int64_t n = 1;

  if (!p->count_include_pad)
    return any ? window_taps (g, w) : 0;
  for (int d = 0; d < g->n_spatial; d++)
    n *= g->kernel[d];
  return n;
}

/* Adds @v to every tap of window @w in @rx (a plane), times the input
 * value when @x is given (Norm). */
static void
window_spread (const LrpPoolGeometry *g,
               const int64_t *in_strides,
               const Window *w,
               float v,
               const float *x,
               float *rx)
{
  int last = g->n_spatial - 1;
  int64_t step = g->dilation[last], t[LRP_MAX_RANK] = { 0 };
  int64_t row = w->offset;

  do
    for (int64_t k = 0; k < w->count[last]; k++)
      {
        int64_t at = row + k * step;

        rx[at] += x ? v * x[at] : v;
      }
  while (next_row (g, in_strides, w, t, &row));
}

/* ---- Forward and relevance ------------------------------------------------- */

static gboolean
pool_infer (LrpNode *node,
            LrpTensor *const *in,
            LrpTensor **out,
            GError **error)
{
  LrpPoolGeometry g;
  int64_t shape[LRP_MAX_RANK];

  if (!lrp_check_input (node, in, 0, LRP_DTYPE_FLOAT, -1, error)
      || !lrp_pool_geometry (node, in[0], &g, error))
    return FALSE;
  shape[0] = in[0]->shape[0];
  shape[1] = in[0]->shape[1];
  for (int d = 0; d < in[0]->rank - 2; d++)
    shape[2 + d] = g.out[d];
  out[0] = lrp_tensor_new_meta (LRP_DTYPE_FLOAT, in[0]->rank, shape);
  if (node->n_outputs > 1)
    out[1] = lrp_tensor_new_meta (LRP_DTYPE_INT64, in[0]->rank, shape);
  return TRUE;
}

typedef struct
{
  const LrpPoolGeometry *g;
  const int64_t *in_strides;
  const float *data;
  int64_t *argmax;        /* NULL: write the maxima to y instead */
  float *y;
  float tolerance;
  const guint64 *classes; /* per image and position, or NULL */
  int64_t channels;
} ArgmaxJob;

/* The common case, 2-D without dilation, without the general window
 * walk (the scan from the end keeps the first position in scan order). */
static void
argmax_plane_2d (const LrpPoolGeometry *g,
                 const float *plane,
                 int64_t base,
                 int64_t *am,
                 float *y,
                 const guint64 *cls,
                 float tolerance)
{
  g_autofree float *row_max = NULL;

  /* An empty output (a zero dimension): nothing to compute, and row_max
   * would be NULL, which even a zero offset must not be added to. */
  if (g->out_plane == 0)
    return;
  row_max = am ? NULL : g_new (float, g->in[0] * g->out[1]);

  /* Kernel tap by tap over whole rows: simple strided loops the compiler
   * vectorises, instead of one short window at a time. */
  for (int64_t h = 0; row_max && h < g->in[0]; h++)
    {
      const float *row = plane + h * g->in[1];
      float *rm = row_max + h * g->out[1];

      for (int64_t ow = 0; ow < g->out[1]; ow++)
        rm[ow] = -INFINITY;
      for (int64_t k = 0; k < g->kernel[1]; k++)
        {
          /* Outputs whose tap k falls inside the row: 0 ≤ ow·s − p + k < W */
          int64_t s = g->stride[1], off = k - g->pad_begin[1];
          int64_t lo = off >= 0 ? 0 : (-off + s - 1) / s;
          int64_t hi = MIN (g->out[1], off >= g->in[1] ? 0 : (g->in[1] - 1 - off) / s + 1);

          for (int64_t ow = lo; ow < hi; ow++)
            {
              float v = row[ow * s + off];

              rm[ow] = (v > rm[ow]) | (v != v) ? v : rm[ow];
            }
        }
    }
  for (int64_t oh = 0; oh < g->out[0]; oh++)
    {
      int64_t h0 = oh * g->stride[0] - g->pad_begin[0];
      int64_t hlo = MAX (h0, 0), hhi = MIN (h0 + g->kernel[0], g->in[0]);

      if (am == NULL)
        {
          /* Values only (the forward pass): the maximum is separable, so
           * take each input row's window maxima once (row_max), then the
           * maximum over the window's rows, a vectorisable loop. */
          float *out = y + oh * g->out[1];

          for (int64_t ow = 0; ow < g->out[1]; ow++)
            out[ow] = -INFINITY;
          for (int64_t h = hlo; h < hhi; h++)
            {
              const float *rm = row_max + h * g->out[1];

              for (int64_t ow = 0; ow < g->out[1]; ow++)
                out[ow] = (rm[ow] > out[ow]) | (rm[ow] != rm[ow]) ? rm[ow] : out[ow];
            }
          continue;
        }
      for (int64_t ow = 0; ow < g->out[1]; ow++)
        {
          int64_t w0 = ow * g->stride[1] - g->pad_begin[1];
          int64_t wlo = MAX (w0, 0), whi = MIN (w0 + g->kernel[1], g->in[1]);
          int64_t best_at = -1;
          float best = -INFINITY;

          /* Branch-free: the winner's position is data, not a prediction
           * (first maximum wins; a NaN beats any number, the first NaN
           * stays). */
          for (int64_t h = hlo; h < hhi; h++)
            for (int64_t w = wlo; w < whi; w++)
              {
                float v = plane[h * g->in[1] + w];
                gboolean take = (v > best) | ((v != v) & (best == best)) | (best_at < 0);

                best_at = take ? h * g->in[1] + w : best_at;
                best = take ? v : best;
              }
          if (cls != NULL && best_at >= 0 && best == best)
            {
              /* The first position exactly equal to the maximum: in its
               * class (lrp-ties.c), whatever the rounding made of it. */
              guint64 c = cls[best_at];

              for (int64_t h = hhi - 1; h >= hlo; h--)
                for (int64_t w = whi - 1; w >= wlo; w--)
                  best_at = cls[h * g->in[1] + w] == c ? h * g->in[1] + w : best_at;
            }
          else if (tolerance > 0.f && best_at >= 0 && isfinite (best))
            {
              /* The first value that ties with the maximum but for rounding. */
              float floor_value = best - tolerance;

              for (int64_t h = hhi - 1; h >= hlo; h--)
                for (int64_t w = whi - 1; w >= wlo; w--)
                  best_at = ties (plane[h * g->in[1] + w], best, floor_value)
                            ? h * g->in[1] + w : best_at;
            }
          if (am)
            am[oh * g->out[1] + ow] = best_at >= 0 ? base + best_at : -1;
          else
            y[oh * g->out[1] + ow] = best_at >= 0 ? best : -INFINITY;
        }
    }
}

static void
argmax_planes (int64_t begin,
               int64_t end,
               gpointer data)
{
  const ArgmaxJob *j = data;
  const LrpPoolGeometry *g = j->g;
  gboolean plain_2d = g->n_spatial == 2 && g->dilation[0] == 1 && g->dilation[1] == 1;

  for (int64_t p = begin; p < end; p++)
    {
      const float *plane = j->data + p * g->in_plane;
      int64_t *am = j->argmax ? j->argmax + p * g->out_plane : NULL;
      float *y = j->y ? j->y + p * g->out_plane : NULL;
      int64_t opos[LRP_MAX_RANK] = { 0 };
      const guint64 *cls = j->classes ? j->classes + p / j->channels * g->in_plane : NULL;

      if (plain_2d)
        {
          argmax_plane_2d (g, plane, p * g->in_plane, am, y, cls, j->tolerance);
          continue;
        }
      for (int64_t o = 0; o < g->out_plane; o++, next_position (g, opos))
        {
          Window w;
          int64_t at = window_at (g, j->in_strides, opos, &w)
                       ? window_argmax (g, j->in_strides, &w, plane, cls, j->tolerance) : -1;

          if (am)
            am[o] = at >= 0 ? p * g->in_plane + at : -1;
          else
            y[o] = at >= 0 ? plane[at] : -INFINITY;
        }
    }
}

gboolean
lrp_maxpool_argmax (const LrpNode *node,
                    const LrpTensor *x,
                    int64_t *argmax,
                    float *maxima,
                    float tolerance,
                    const guint64 *classes,
                    GCancellable *cancellable,
                    GError **error)
{
  LrpPoolGeometry g;
  int64_t in_strides[LRP_MAX_RANK];
  ArgmaxJob job;

  g_return_val_if_fail (((const PoolParams *) node->params)->kind == POOL_MAX, FALSE);
  if (!lrp_pool_geometry (node, x, &g, error))
    return FALSE;
  plane_strides (&g, in_strides);
  job = (ArgmaxJob) { &g, in_strides, lrp_tensor_f (x), argmax, maxima, tolerance, classes,
                      MAX (x->shape[1], 1) };
  lrp_parallel_for (g.planes, MAX (1, 4096 / MAX (g.out_plane, 1)), argmax_planes, &job);
  return !lrp_cancelled (cancellable, error);
}

gboolean
lrp_op_pool_counts_pad (const LrpNode *node)
{
  const PoolParams *p = node->params;

  return p->count_include_pad;
}

static gboolean
maxpool_forward (const LrpNode *node,
                 LrpTensor *const *in,
                 LrpTensor *const *out,
                 GCancellable *cancellable,
                 GError **error)
{
  gboolean with_indices = node->n_outputs > 1 && out[1] != NULL;
  const float *x = lrp_tensor_f (in[0]);
  float *y = lrp_tensor_f (out[0]);
  int64_t *argmax;

  if (!with_indices)
    return lrp_maxpool_argmax (node, in[0], NULL, y, 0.f, NULL, cancellable, error);
  argmax = lrp_tensor_i64 (out[1]);
  if (!lrp_maxpool_argmax (node, in[0], argmax, NULL, 0.f, NULL, cancellable, error))
    return FALSE;
  for (int64_t i = 0; i < out[0]->n; i++)
    y[i] = argmax[i] >= 0 ? x[argmax[i]] : -INFINITY;
  return TRUE;
}

static float
max_abs (const LrpTensor *x)
{
  float m = 0.f;

  for (int64_t i = 0; i < x->n; i++)
    m = MAX (m, fabsf (lrp_tensor_f (x)[i]));
  return m;
}

/* For every output of MaxPool @node on @x, the input position that wins
 * its window in the relevance pass (g_free *@argmax). */
static gboolean
find_winners (const LrpNode *node,
              const LrpBackwardCtx *ctx,
              const LrpTensor *x,
              int64_t **argmax,
              GError **error)
{
  const guint64 *classes = NULL;
  LrpPoolGeometry g;

  if (!lrp_pool_geometry (node, x, &g, error))
    return FALSE;
  *argmax = g_new (int64_t, MAX (g.planes * g.out_plane, 1));
  /* Winners within a fraction of a float32 ulp of the layer's scale tie,
   * and the first wins: windows that tie in exact arithmetic (the flat
   * background of an image) must not be decided by which position the BLAS
   * kernel happened to round up, or relevance would depend on the machine.
   * The reference (Zennit, float32 = float64 to 2.6e-6) routes such windows
   * to the first position; exact comparison here differed from it by up to
   * 7e-2 on fmnist_cnn's gradient, this by at most 3e-7. */
  /* Better: where the graph tells which positions are exactly equal
   * (identical receptive fields, lrp-ties.c), the first of the maximum's
   * class wins and different classes never tie, as in exact arithmetic. */
  if (ctx->run != NULL)
    classes = lrp_run_position_classes (ctx->run, node->inputs[0]);
  if (!lrp_maxpool_argmax (node, x, *argmax, NULL, LRP_MAXPOOL_TIE_TOLERANCE * max_abs (x),
                           classes, ctx->cancellable, error))
    {
      g_clear_pointer (argmax, g_free);
      return FALSE;
    }
  /* And where values of different classes are closer than float32 can
   * order them, double precision orders them (lrp-near-ties.c). */
  if (ctx->run != NULL
      && !lrp_exact_refine_maxpool (ctx->run, node, node->inputs[0], x, classes, *argmax,
                                    ctx->cancellable, error))
    {
      g_clear_pointer (argmax, g_free);
      return FALSE;
    }
  return TRUE;
}

/* Winner takes all (§3: MaxPool has no rule in any composite, so Zennit
 * gives it its gradient); relevance arriving on Indices is ignored. */
static gboolean
maxpool_backward (const LrpNode *node,
                  const LrpBackwardCtx *ctx,
                  LrpTensor *const *in,
                  LrpTensor *const *out,
                  LrpTensor *const *r_out,
                  LrpTensor *const *r_in,
                  GError **error)
{
  g_autofree int64_t *argmax = NULL;
  g_autofree float *s = NULL;
  const LrpModel *m = ctx->run ? ctx->run->model : NULL;
  int index = m && node >= m->nodes && node < m->nodes + m->n_nodes ? (int) (node - m->nodes) : -1;
  const int64_t *winners;
  const float *x = lrp_tensor_f (in[0]);
  float *rx;
  LrpBackKind kind;
  gboolean done;

  if (!lrp_back_begin (node, ctx, in[0], r_out, r_in, &kind, &done, error))
    return FALSE;
  if (done)
    return TRUE;
  /* The winners depend on the input alone: found once, for every class
   * and rule after. */
  if (index >= 0 && ctx->run->winners && ctx->run->winners[index])
    winners = ctx->run->winners[index];
  else
    {
      if (!find_winners (node, ctx, in[0], &argmax, error))
        return FALSE;
      winners = argmax;
      if (index >= 0)
        {
          if (ctx->run->winners == NULL)
            ctx->run->winners = g_new0 (int64_t *, ctx->run->model->n_nodes);
          ctx->run->winners[index] = g_steal_pointer (&argmax);
        }
    }
  s = lrp_back_seed (kind, ctx, r_out[0], out[0]);
  rx = lrp_tensor_f (r_in[0]);
  for (int64_t o = 0; o < out[0]->n; o++)
    if (winners[o] >= 0)
      rx[winners[o]] += kind == LRP_BACK_NORM ? x[winners[o]] * s[o] : s[o];
  return TRUE;
}

static gboolean
avgpool_forward (const LrpNode *node,
                 LrpTensor *const *in,
                 LrpTensor *const *out,
                 GCancellable *cancellable,
                 GError **error)
{
  const PoolParams *p = node->params;
  LrpPoolGeometry g;
  int64_t in_strides[LRP_MAX_RANK];

  if (!lrp_pool_geometry (node, in[0], &g, error))
    return FALSE;
  plane_strides (&g, in_strides);
  for (int64_t pl = 0; pl < g.planes; pl++)
    {
      const float *x = lrp_tensor_f (in[0]) + pl * g.in_plane;
      float *y = lrp_tensor_f (out[0]) + pl * g.out_plane;
      int64_t opos[LRP_MAX_RANK] = { 0 };

      for (int64_t o = 0; o < g.out_plane; o++, next_position (&g, opos))
        {
          Window w;
          gboolean any = window_at (&g, in_strides, opos, &w);
          double sum = any ? window_sum (&g, in_strides, &w, x) : 0;
          int64_t taps = window_divisor (p, &g, &w, any);

          y[o] = taps > 0 ? (float) (sum / (double) taps) : NAN;
          if ((o & 0xfff) == 0xfff && lrp_cancelled (cancellable, error))
            return FALSE;
        }
      if (lrp_cancelled (cancellable, error))
        return FALSE;
    }
  return TRUE;
}

/* Norm by default (§3: AvgPool and AdaptiveAvgPool): each input gets
 * x_i·R_o / (k·stab(y_o)) from every window o it is in, k being the divisor
 * the forward used. */
static gboolean
avgpool_backward (const LrpNode *node,
                  const LrpBackwardCtx *ctx,
                  LrpTensor *const *in,
                  LrpTensor *const *out,
                  LrpTensor *const *r_out,
                  LrpTensor *const *r_in,
                  GError **error)
{
  const PoolParams *p = node->params;
  g_autofree float *s = NULL;
  LrpPoolGeometry g;
  int64_t in_strides[LRP_MAX_RANK];
  LrpBackKind kind;
  gboolean done;

  if (!lrp_back_begin (node, ctx, in[0], r_out, r_in, &kind, &done, error))
    return FALSE;
  if (done)
    return TRUE;
  if (!lrp_pool_geometry (node, in[0], &g, error))
    return FALSE;
  plane_strides (&g, in_strides);
  s = lrp_back_seed (kind, ctx, r_out[0], out[0]);
  for (int64_t pl = 0; pl < g.planes; pl++)
    {
      const float *x = kind == LRP_BACK_NORM ? lrp_tensor_f (in[0]) + pl * g.in_plane : NULL;
      float *rx = lrp_tensor_f (r_in[0]) + pl * g.in_plane;
      const float *sp = s + pl * g.out_plane;
      int64_t opos[LRP_MAX_RANK] = { 0 };

      for (int64_t o = 0; o < g.out_plane; o++, next_position (&g, opos))
        {
          Window w;
          int64_t taps;

          if (!window_at (&g, in_strides, opos, &w))
            continue;
          taps = window_divisor (p, &g, &w, TRUE);
          window_spread (&g, in_strides, &w, (float) ((double) sp[o] / (double) taps), x, rx);
          if ((o & 0xfff) == 0xfff && lrp_cancelled (ctx->cancellable, error))
            return FALSE;
        }
      if (lrp_cancelled (ctx->cancellable, error))
        return FALSE;
    }
  return TRUE;
}

static const char *const maxpool_attrs[] = {
  "kernel_shape", "strides", "pads", "dilations", "auto_pad", "ceil_mode", "storage_order",
  NULL,
};
static const char *const avgpool_attrs[] = {
  "kernel_shape", "strides", "pads", "dilations", "auto_pad", "ceil_mode", "count_include_pad",
  NULL,
};
static const char *const global_attrs[] = { NULL };

static const LrpOpClass maxpool_op = {
  .op_type = "MaxPool", .attrs = maxpool_attrs,
  .min_inputs = 1, .max_inputs = 1, .min_outputs = 1, .max_outputs = 2,
  .setup = pool_setup, .infer = pool_infer, .forward = maxpool_forward,
  .backward = maxpool_backward, .default_rule = LRP_RULE_GRADIENT, .fills_output = TRUE,
};
static const LrpOpClass avgpool_op = {
  .op_type = "AveragePool", .attrs = avgpool_attrs,
  .min_inputs = 1, .max_inputs = 1, .min_outputs = 1, .max_outputs = 1,
  .setup = pool_setup, .infer = pool_infer, .forward = avgpool_forward,
  .backward = avgpool_backward, .default_rule = LRP_RULE_NORM,
};
static const LrpOpClass global_maxpool_op = {
  .op_type = "GlobalMaxPool", .attrs = global_attrs,
  .min_inputs = 1, .max_inputs = 1, .min_outputs = 1, .max_outputs = 1,
  .setup = pool_setup, .infer = pool_infer, .forward = maxpool_forward,
  .backward = maxpool_backward, .default_rule = LRP_RULE_GRADIENT,
};
static const LrpOpClass global_avgpool_op = {
  .op_type = "GlobalAveragePool", .attrs = global_attrs,
  .min_inputs = 1, .max_inputs = 1, .min_outputs = 1, .max_outputs = 1,
  .setup = pool_setup, .infer = pool_infer, .forward = avgpool_forward,
  .backward = avgpool_backward, .default_rule = LRP_RULE_NORM,
};

const LrpOpClass *const lrp_ops_pool[] = {
  &maxpool_op, &avgpool_op, &global_maxpool_op, &global_avgpool_op,
  NULL,
};
