/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Near-ties of MaxPool windows and ReLU gates, decided as exact arithmetic
 * decides them.
 *
 * Position classes (lrp-ties.c) settle windows whose values are equal in
 * exact arithmetic.  Values that really differ, but by less than the
 * float32 kernels' rounding (a ramp, a clipped highlight, a ReLU just
 * above zero beside a dead one), are another matter: the float32 forward
 * pass may order them either way, and the relevance of the whole window
 * follows the order.  Those windows are rare (tens to hundreds per image
 * on a VGG, out of millions); for them alone the candidates are
 * recomputed in double precision (lrp-exact.c), whose order is the exact
 * one for anything float32 could not resolve.  A gradient pass's ReLU
 * whose input lies that close to zero opens as the exact sign says.
 */
#define G_LOG_DOMAIN "lrp-exact"

#include "config.h"

#include "lrp-exact-private.h"
#include "lrp-op-pool-private.h"

#include <float.h>
#include <math.h>

/* The band within which float32 cannot be trusted: LRP_EXACT_NEAR_TIE
 * times the largest finite |value| of @x. */
static float
near_band (const LrpTensor *x)
{
  float scale = 0.f;

  for (int64_t i = 0; i < x->n; i++)
    if (isfinite (lrp_tensor_f (x)[i]))
      scale = MAX (scale, fabsf (lrp_tensor_f (x)[i]));
  return (float) (LRP_EXACT_NEAR_TIE * scale);
}

static gboolean
is_image_like (const LrpTensor *t)
{
  return t->rank == 4 && t->dtype == LRP_DTYPE_FLOAT;
}

/* ---- MaxPool windows ----------------------------------------------------- */

typedef struct
{
  int64_t plane;        /* n × C + c */
  int64_t out;          /* output position */
} Doubt;

/* Behind a ReLU: its input, to tell a zero that is zero in exact
 * arithmetic too (its input negative beyond doubt) from one that may not be. */
typedef struct
{
  const float *pre;     /* NULL: not behind a ReLU, or its input is not kept */
  float band;
} ReluInput;

static ReluInput
relu_input (LrpRun *run,
            int x_value,
            const LrpTensor *x)
{
  const LrpModel *m = run->model;
  int producer = m->values[x_value].producer;
  ReluInput r = { NULL, 0.f };
  const LrpTensor *p;

  if (producer < 0 || !g_str_equal (m->nodes[producer].op_type, "Relu")
      || m->nodes[producer].inputs[0] < 0)
    return r;
  p = run->acts[m->nodes[producer].inputs[0]];
  if (p != NULL && lrp_tensor_same_shape (p, x))
    {
      r.pre = lrp_tensor_f (p);
      r.band = near_band (p);
    }
  return r;
}

/* A ReLU output that is zero in exact arithmetic too: @pre (its inputs'
 * plane, or NULL) negative beyond doubt there. */
static inline gboolean
certain_zero (const float *plane,
              const float *pre,
              float pre_band,
              int64_t at)
{
  return pre != NULL && plane[at] == 0.f && pre[at] < -pre_band;
}

/* The window's winner @at has a rival of another class within the band; a
 * zero beside zeros that are all certainly zero is an exact tie, not a
 * rival. */
static gboolean
has_rival (const float *plane,
           const guint64 *cls,
           const ReluInput *r,
           const float *pre,
           const int64_t *taps,
           int64_t n_taps,
           int64_t at,
           float band)
{
  float floor_value = plane[at] - band;
  gboolean winner_zero = certain_zero (plane, pre, r->band, at);

  for (int64_t t = 0; t < n_taps; t++)
    if (cls[taps[t]] != cls[at] && plane[taps[t]] >= floor_value
        && !(winner_zero && certain_zero (plane, pre, r->band, taps[t])))
      return TRUE;
  return FALSE;
}

gboolean
lrp_exact_refine_maxpool (LrpRun *run,
                          const LrpNode *node,
                          int x_value,
                          const LrpTensor *x,
                          const guint64 *classes,
                          int64_t *argmax,
                          GCancellable *cancellable,
                          GError **error)
{
  g_autoptr(GArray) doubts = NULL;
  g_autofree int64_t *taps = NULL;
  LrpPoolGeometry g;
  LrpExactWindow w;
  LrpExact *e;
  ReluInput r;
  const double *exact;
  float band;
  int64_t channels;

  if (run->sampled || classes == NULL || !is_image_like (x)
      || !lrp_pool_geometry (node, x, &g, NULL) || g.n_spatial != 2)
    return TRUE;
  band = near_band (x);
  if (band == 0.f)
    return TRUE;
  channels = x->shape[1];
  lrp_exact_window_of_pool (&g, &w);
  taps = g_new (int64_t, MAX (g.kernel[0] * g.kernel[1], 1));
  r = relu_input (run, x_value, x);

  /* Windows whose winner has a rival of another class within the band. */
  doubts = g_array_new (FALSE, FALSE, sizeof (Doubt));
  for (int64_t pl = 0; pl < g.planes; pl++)
    {
      const float *plane = lrp_tensor_f (x) + pl * g.in_plane;
      const guint64 *cls = classes + pl / channels * g.in_plane;

      for (int64_t o = 0; o < g.out_plane; o++)
        {
          int64_t at = argmax[pl * g.out_plane + o] - pl * g.in_plane;
          int64_t n_taps;

          if (at < 0 || !isfinite (plane[at]))
            continue;
          n_taps = lrp_exact_window_taps (&w, o, taps);
          if (has_rival (plane, cls, &r, r.pre ? r.pre + pl * g.in_plane : NULL, taps, n_taps,
                         at, band))
            g_array_append_val (doubts, ((Doubt) { pl, o }));
        }
    }
  if (doubts->len == 0)
    return TRUE;
  e = lrp_exact_for_run (run);
  if (!lrp_exact_follows (e, x_value))
    return TRUE;

  /* Their candidates, recomputed in double. */
  for (guint i = 0; i < doubts->len; i++)
    {
      const Doubt *d = &g_array_index (doubts, Doubt, i);
      const float *plane = lrp_tensor_f (x) + d->plane * g.in_plane;
      float floor_value = plane[argmax[d->plane * g.out_plane + d->out]
                                - d->plane * g.in_plane] - band;
      int64_t n_taps = lrp_exact_window_taps (&w, d->out, taps);

      for (int64_t t = 0; t < n_taps; t++)
        if (plane[taps[t]] >= floor_value)
          lrp_exact_mark (e, x_value, d->plane / channels, taps[t]);
    }
  if (!lrp_exact_compute (run, x_value, cancellable, error))
    return FALSE;
  exact = lrp_exact_get (run->exact, x_value);

  /* The largest exact value wins (strictly larger: the first keeps a tie),
   * and the window sends its relevance to the first position of its class,
   * whose members are all equal in exact arithmetic. */
  for (guint i = 0; i < doubts->len; i++)
    {
      const Doubt *d = &g_array_index (doubts, Doubt, i);
      const float *plane = lrp_tensor_f (x) + d->plane * g.in_plane;
      const double *values = exact + d->plane * g.in_plane;
      const guint64 *cls = classes + d->plane / channels * g.in_plane;
      int64_t *am = &argmax[d->plane * g.out_plane + d->out];
      float floor_value = plane[*am - d->plane * g.in_plane] - band;
      int64_t n_taps = lrp_exact_window_taps (&w, d->out, taps), best = -1;

      for (int64_t t = 0; t < n_taps; t++)
        if (plane[taps[t]] >= floor_value && (best < 0 || values[taps[t]] > values[best]))
          best = taps[t];
      for (int64_t t = 0; t < n_taps; t++)
        if (cls[taps[t]] == cls[best])
          {
            *am = d->plane * g.in_plane + taps[t];
            break;
          }
    }
  return TRUE;
}

/* ---- Values near zero ------------------------------------------------------ */

gboolean
lrp_exact_fix_near_zero (LrpRun *run,
                         int value,
                         const LrpTensor *z,
                         float **fixed,
                         GCancellable *cancellable,
                         GError **error)
{
  const float *v = lrp_tensor_f (z);
  int64_t np, channels, near = 0;
  const double *exact;
  LrpExact *e;
  float band;

  *fixed = NULL;
  if (run->sampled || value < 0 || !is_image_like (z)
      || !lrp_tensor_same_shape (z, run->model->values[value].tensor))
    return TRUE;
  band = near_band (z);
  /* Zero included: a float32 zero may be what cancellation left of a
   * small nonzero value. */
  for (int64_t i = 0; i < z->n; i++)
    near += fabsf (v[i]) <= band;
  if (near == 0)
    return TRUE;
  e = lrp_exact_for_run (run);
  if (!lrp_exact_follows (e, value))
    return TRUE;
  np = z->shape[2] * z->shape[3];
  channels = z->shape[1];
  for (int64_t i = 0; i < z->n; i++)
    if (fabsf (v[i]) <= band)
      lrp_exact_mark (e, value, i / (channels * np), i % np);
  if (!lrp_exact_compute (run, value, cancellable, error))
    return FALSE;
  exact = lrp_exact_get (run->exact, value);
  *fixed = g_memdup2 (v, sizeof (float) * (gsize) z->n);
  for (int64_t i = 0; i < z->n; i++)
    if (fabsf (v[i]) <= band)
      {
        float f = (float) exact[i];

        /* Too small for a float: the smallest one, with the sign. */
        (*fixed)[i] = f != 0.f || exact[i] == 0 ? f : copysignf (FLT_TRUE_MIN, (float) exact[i]);
      }
  return TRUE;
}
