/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The LRP rules on linear layers, exactly as §2 of lrp-rules.md states
 * Zennit's: each rule recomputes the layer on modified inputs and weights,
 * divides the upper relevance by the stabilized result and maps it back
 * through the transposed layer.
 */
#define G_LOG_DOMAIN "lrp-rules"

#include "config.h"

#include "lrp-linear-private.h"
#include "lrp-parallel-private.h"

#include <math.h>
#include <string.h>

typedef enum { PART_ALL, PART_POS, PART_NEG } Part;

/* Scratch buffers of one rule application, freed together. */
typedef struct
{
  const LrpLinearShape *s;
  const LrpLinear *layer;
  GCancellable *cancellable;
  int64_t n_w, n_b, n_x, n_z;
  GPtrArray *bufs;
  const float *z_cached;   /* f(x; W, b) from the forward pass, or NULL */
} Work;

/* A zeroed scratch buffer, for sums. */
static float *
buf (Work *w,
     int64_t n)
{
  float *p = g_malloc0_n ((gsize) MAX (n, 1), sizeof (float));

  g_ptr_array_add (w->bufs, p);
  return p;
}

/* A scratch buffer the caller writes whole: no zeroing pass. */
static float *
buf_raw (Work *w,
         int64_t n)
{
  float *p = g_malloc_n ((gsize) MAX (n, 1), sizeof (float));

  g_ptr_array_add (w->bufs, p);
  return p;
}

/* Weights or bias with a modifier: v, v⁺, v⁻, v + γv⁺, v + γv⁻, 1, v². */
typedef enum { MOD_NONE, MOD_POS, MOD_NEG, MOD_UP, MOD_DOWN, MOD_ONE, MOD_SQUARE } Mod;

/* Elements per part when an elementwise pass is split over the cores. */
#define PARALLEL_GRAIN ((int64_t) 1 << 15)

typedef struct
{
  const float *v;
  float *out;
  Mod mod;
  float gamma;
} ModifyJob;

static void
modify_range (int64_t begin,
              int64_t end,
              gpointer data)
{
  const ModifyJob *j = data;
  const float *v = j->v;
  float *out = j->out, gamma = j->gamma;

  switch (j->mod)
    {
    case MOD_NONE:
      memcpy (out + begin, v + begin, sizeof (float) * (size_t) (end - begin));
      break;
    case MOD_POS:
      for (int64_t i = begin; i < end; i++)
        out[i] = v[i] > 0.f ? v[i] : 0.f;
      break;
    case MOD_NEG:
      for (int64_t i = begin; i < end; i++)
        out[i] = v[i] < 0.f ? v[i] : 0.f;
      break;
    case MOD_UP:
      for (int64_t i = begin; i < end; i++)
        out[i] = v[i] + gamma * (v[i] > 0.f ? v[i] : 0.f);
      break;
    case MOD_DOWN:
      for (int64_t i = begin; i < end; i++)
        out[i] = v[i] + gamma * (v[i] < 0.f ? v[i] : 0.f);
      break;
    case MOD_ONE:
      for (int64_t i = begin; i < end; i++)
        out[i] = 1.f;
      break;
    case MOD_SQUARE:
      for (int64_t i = begin; i < end; i++)
        out[i] = v[i] * v[i];
      break;
    }
}

static float *
modified (Work *w,
          const float *v,
          int64_t n,
          Mod mod,
          float gamma)
{
  ModifyJob job = { v, buf_raw (w, n), mod, gamma };

  lrp_parallel_for (n, PARALLEL_GRAIN, modify_range, &job);
  return job.out;
}

/* rx[i] += scale · x[i] · g[i], x = 1 where NULL */
typedef struct
{
  const float *x, *g;
  float scale;
  float *rx;
} TimesJob;

static void
times_range (int64_t begin,
             int64_t end,
             gpointer data)
{
  const TimesJob *j = data;

  if (j->x)
    for (int64_t i = begin; i < end; i++)
      j->rx[i] += j->scale * j->x[i] * j->g[i];
  else
    for (int64_t i = begin; i < end; i++)
      j->rx[i] += j->scale * j->g[i];
}

static void
add_times (float *rx,
           float scale,
           const float *x,
           const float *g,
           int64_t n)
{
  TimesJob job = { x, g, scale, rx };

  lrp_parallel_for (n, PARALLEL_GRAIN, times_range, &job);
}

static float *
input_part (Work *w,
            const float *x,
            Part part)
{
  float *out = buf_raw (w, w->n_x);

  for (int64_t i = 0; i < w->n_x; i++)
    out[i] = part == PART_POS ? (x[i] > 0.f ? x[i] : 0.f) : (x[i] < 0.f ? x[i] : 0.f);
  return out;
}

static gboolean
has_negative (const float *x,
              int64_t n)
{
  for (int64_t i = 0; i < n; i++)
    if (x[i] < 0.f)
      return TRUE;
  return FALSE;
}

/* z += f(x; W, b) */
static gboolean
add_apply (Work *w,
           const float *wt,
           const float *b,
           const float *x,
           float *z,
           GError **error)
{
  float *tmp = buf_raw (w, w->n_z);

  if (!lrp_linear_apply (w->s, wt, b, x, tmp, w->cancellable, error))
    return FALSE;
  for (int64_t i = 0; i < w->n_z; i++)
    z[i] += tmp[i];
  return TRUE;
}

/* out[i] = scale · x[i] · J(W)ᵀ s, accumulated into @rx */
static gboolean
add_relevance (Work *w,
               const float *wt,
               const float *s,
               const float *x,
               float scale,
               float *rx,
               GError **error)
{
  float *g = buf (w, w->n_x);

  if (!lrp_linear_transpose (w->s, wt, s, g, w->cancellable, error))
    return FALSE;
  add_times (rx, scale, x, g, w->n_x);
  return TRUE;
}

/* s = [mask] R / stab(z) */
static float *
ratio (Work *w,
       const float *r,
       const float *z,
       float eps,
       const float *mask_z,
       int mask_sign)
{
  float *s = buf_raw (w, w->n_z);

  for (int64_t i = 0; i < w->n_z; i++)
    {
      gboolean keep = mask_z == NULL || (mask_sign > 0 ? mask_z[i] > 0.f : mask_z[i] < 0.f);

      s[i] = keep ? r[i] / lrp_stabilize (z[i], eps) : 0.f;
    }
  return s;
}

static const float *
bias_of (Work *w,
         const LrpRule *rule)
{
  return rule->zero_bias ? NULL : lrp_tensor_f (w->layer->bias);
}

static gboolean
rule_epsilon (Work *w,
              const LrpRule *rule,
              const float *x,
              const float *r,
              float *rx,
              GError **error)
{
  const float *wt = lrp_tensor_f (w->layer->weight);
  float *z = buf_raw (w, w->n_z);
  float eps = rule->kind == LRP_RULE_EPSILON ? rule->epsilon : rule->stabilizer;

  if (w->z_cached && !rule->zero_bias)
    memcpy (z, w->z_cached, sizeof (float) * (size_t) w->n_z);   /* the forward's own z */
  else if (!lrp_linear_apply (w->s, wt, bias_of (w, rule), x, z, w->cancellable, error))
    return FALSE;
  return add_relevance (w, wt, ratio (w, r, z, eps, NULL, 0), x, 1.f, rx, error);
}

/* For x ≥ 0 (after a ReLU) the x⁻ passes vanish, and with Wx known from
 * the forward pass one product P = W⁺x gives W⁻x = Wx − P too. */
/* Output elements per bias value: a Conv's positions, 1 for dense. */
static int64_t
per_channel (const Work *w)
{
  return w->s->conv ? lrp_conv_out_size (&w->s->geom) : 1;
}

typedef struct
{
  const Work *w;
  const float *r, *p, *bias, *beff;
  float eps;
  int64_t per;
  float *sp, *sn;
} AlphaBetaJob;

/* z⁺ = W⁺x + b⁺ and z⁻ = W⁻x + b⁻ = (Wx − W⁺x) + b⁻ and their ratios, for
 * the output channels (runs of @per elements) in [begin, end). */
static void
alpha_beta_ratios (int64_t begin,
                   int64_t end,
                   gpointer data)
{
  const AlphaBetaJob *j = data;
  const float *r = j->r, *p = j->p;

  for (int64_t run = begin; run < end; run++)
    {
      int64_t c = run % j->w->n_b, i0 = run * j->per;
      float be = j->beff ? j->beff[c] : 0.f;

      for (int64_t i = i0; i < i0 + j->per; i++)
        j->sp[i] = r[i] / lrp_stabilize (p[i] + MAX (be, 0.f), j->eps);
      if (j->sn)
        for (int64_t i = i0; i < i0 + j->per; i++)
          j->sn[i] = r[i] / lrp_stabilize (j->w->z_cached[i] - j->bias[c] - p[i] + MIN (be, 0.f),
                                           j->eps);
    }
}

static gboolean
alpha_beta_nonneg (Work *w,
                   const LrpRule *rule,
                   const float *x,
                   const float *r,
                   float *rx,
                   GError **error)
{
  const float *wt = lrp_tensor_f (w->layer->weight);
  const float *bias = lrp_tensor_f (w->layer->bias), *beff = bias_of (w, rule);
  float *wp = modified (w, wt, w->n_w, MOD_POS, 0.f);
  float *p = buf_raw (w, w->n_z), *sp = buf_raw (w, w->n_z), *sn = NULL;
  float alpha = rule->kind == LRP_RULE_ZPLUS ? 1.f : rule->alpha;
  float beta = rule->kind == LRP_RULE_ZPLUS ? 0.f : rule->beta;
  int64_t per = per_channel (w);
  AlphaBetaJob job;

  if (!lrp_linear_apply (w->s, wp, NULL, x, p, w->cancellable, error))
    return FALSE;
  if (beta != 0.f)
    sn = buf_raw (w, w->n_z);
  job = (AlphaBetaJob) { w, r, p, bias, beff, rule->stabilizer, per, sp, sn };
  lrp_parallel_for (w->n_z / per, MAX (1, PARALLEL_GRAIN / per), alpha_beta_ratios, &job);
  if (!add_relevance (w, wp, sp, x, alpha, rx, error))
    return FALSE;
  return sn == NULL
         || add_relevance (w, modified (w, wt, w->n_w, MOD_NEG, 0.f), sn, x, -beta, rx, error);
}

typedef struct
{
  const Work *w;
  const float *r, *bias, *beff;
  float gamma, eps;
  int64_t per;
  float *su, *sd;
  gint down;               /* some s↓ is not zero */
} GammaJob;

/* s↑ and s↓ for the output channels (runs of @per elements) in [begin,
 * end); su holds P = W⁺x on entry, each element read once, then replaced. */
static void
gamma_ratios (int64_t begin,
              int64_t end,
              gpointer data)
{
  GammaJob *j = data;
  const float *zc = j->w->z_cached, *r = j->r;
  float *su = j->su, *sd = j->sd, gamma = j->gamma, eps = j->eps;
  gboolean down = FALSE;

  for (int64_t run = begin; run < end; run++)
    {
      int64_t c = run % j->w->n_b;
      float b = j->bias[c], be = j->beff ? j->beff[c] : 0.f;

      for (int64_t i = run * j->per; i < (run + 1) * j->per; i++)
        {
          float l = zc[i] - b;                                   /* Wx */
          float z = l + be;
          float zu = z + gamma * (su[i] + MAX (be, 0.f));          /* W↑x + b↑ */
          float zd = z + gamma * (l - su[i] + MIN (be, 0.f));      /* W↓x + b↓ */

          su[i] = z > 0.f ? r[i] / lrp_stabilize (zu, eps) : 0.f;
          sd[i] = z < 0.f ? r[i] / lrp_stabilize (zd, eps) : 0.f;
          down = down || sd[i] != 0.f;
        }
    }
  if (down)
    g_atomic_int_set (&j->down, 1);
}

static gboolean
gamma_nonneg (Work *w,
              const LrpRule *rule,
              const float *x,
              const float *r,
              float *rx,
              GError **error)
{
  const float *wt = lrp_tensor_f (w->layer->weight);
  const float *bias = lrp_tensor_f (w->layer->bias), *beff = bias_of (w, rule);
  float gamma = rule->gamma, eps = rule->stabilizer;
  float *su = buf_raw (w, w->n_z), *sd = buf_raw (w, w->n_z), *g = buf (w, w->n_x);
  int64_t per = per_channel (w);
  gboolean down;
  GammaJob job;

  /* su first holds P = W⁺x; each element is read once, then replaced. */
  if (!lrp_linear_apply (w->s, modified (w, wt, w->n_w, MOD_POS, 0.f), NULL, x, su,
                         w->cancellable, error))
    return FALSE;
  job = (GammaJob) { w, r, bias, beff, gamma, eps, per, su, sd, 0 };
  lrp_parallel_for (w->n_z / per, MAX (1, PARALLEL_GRAIN / per), gamma_ratios, &job);
  down = g_atomic_int_get (&job.down) != 0;
  /* Behind a ReLU, neurons with z < 0 are dead and the layer above gave
   * them no relevance: then s↓ is exactly zero and its product is skipped. */
  if (!lrp_linear_transpose2 (w->s, modified (w, wt, w->n_w, MOD_UP, gamma), su,
                              down ? modified (w, wt, w->n_w, MOD_DOWN, gamma) : NULL,
                              down ? sd : NULL, g, w->cancellable, error))
    return FALSE;
  add_times (rx, 1.f, x, g, w->n_x);
  return TRUE;
}

/* ZPlus (α = 1, β = 0) and AlphaBeta share the two sign pairings. */
static gboolean
rule_alpha_beta (Work *w,
                 const LrpRule *rule,
                 const float *x,
                 const float *r,
                 float *rx,
                 GError **error)
{
  const float *wt = lrp_tensor_f (w->layer->weight);
  const float *b = bias_of (w, rule);
  float *wp = modified (w, wt, w->n_w, MOD_POS, 0.f);
  float *wn = modified (w, wt, w->n_w, MOD_NEG, 0.f);
  float *bp = b ? modified (w, b, w->n_b, MOD_POS, 0.f) : NULL;
  float *bn = b ? modified (w, b, w->n_b, MOD_NEG, 0.f) : NULL;
  gboolean neg = has_negative (x, w->n_x);
  float *xp, *xn;
  float alpha = rule->kind == LRP_RULE_ZPLUS ? 1.f : rule->alpha;
  float beta = rule->kind == LRP_RULE_ZPLUS ? 0.f : rule->beta;
  float *zp, *sp;

  xp = input_part (w, x, PART_POS);
  xn = neg ? input_part (w, x, PART_NEG) : NULL;
  zp = buf (w, w->n_z);
  /* z⁺ = f(x⁺; W⁺, b⁺) + f(x⁻; W⁻, 0) */
  if (!add_apply (w, wp, bp, xp, zp, error) || (neg && !add_apply (w, wn, NULL, xn, zp, error)))
    return FALSE;
  sp = ratio (w, r, zp, rule->stabilizer, NULL, 0);
  if (!add_relevance (w, wp, sp, xp, alpha, rx, error)
      || (neg && !add_relevance (w, wn, sp, xn, alpha, rx, error)))
    return FALSE;
  if (beta != 0.f)
    {
      /* z⁻ = f(x⁺; W⁻, b⁻) + f(x⁻; W⁺, 0) */
      float *zn = buf (w, w->n_z), *sn;

      if (!add_apply (w, wn, bn, xp, zn, error) || (neg && !add_apply (w, wp, NULL, xn, zn, error)))
        return FALSE;
      sn = ratio (w, r, zn, rule->stabilizer, NULL, 0);
      if (!add_relevance (w, wn, sn, xp, -beta, rx, error)
          || (neg && !add_relevance (w, wp, sn, xn, -beta, rx, error)))
        return FALSE;
    }
  return TRUE;
}

/* Generalized Gamma: W↑ = W + γW⁺, W↓ = W + γW⁻, biases alike; the sign of
 * the unmodified z picks the pairing; z = 0 passes nothing. */
static gboolean
rule_gamma (Work *w,
            const LrpRule *rule,
            const float *x,
            const float *r,
            float *rx,
            GError **error)
{
  const float *wt = lrp_tensor_f (w->layer->weight);
  const float *b = bias_of (w, rule);
  float *wu = modified (w, wt, w->n_w, MOD_UP, rule->gamma);
  float *wd = modified (w, wt, w->n_w, MOD_DOWN, rule->gamma);
  float *bu = b ? modified (w, b, w->n_b, MOD_UP, rule->gamma) : NULL;
  float *bd = b ? modified (w, b, w->n_b, MOD_DOWN, rule->gamma) : NULL;
  gboolean neg = has_negative (x, w->n_x);
  float *xp, *xn, *z, *zu, *zd, *su, *sd;

  xp = input_part (w, x, PART_POS);
  xn = neg ? input_part (w, x, PART_NEG) : NULL;
  z = buf (w, w->n_z);
  zu = buf (w, w->n_z);
  zd = buf (w, w->n_z);

  if (!lrp_linear_apply (w->s, wt, b, x, z, w->cancellable, error)
      || !add_apply (w, wu, bu, xp, zu, error) || (neg && !add_apply (w, wd, NULL, xn, zu, error))
      || !add_apply (w, wd, bd, xp, zd, error) || (neg && !add_apply (w, wu, NULL, xn, zd, error)))
    return FALSE;
  su = ratio (w, r, zu, rule->stabilizer, z, +1);
  sd = ratio (w, r, zd, rule->stabilizer, z, -1);
  if (!add_relevance (w, wu, su, xp, 1.f, rx, error)
      || !add_relevance (w, wd, sd, xp, 1.f, rx, error))
    return FALSE;
  if (neg && (!add_relevance (w, wd, su, xn, 1.f, rx, error)
              || !add_relevance (w, wu, sd, xn, 1.f, rx, error)))
    return FALSE;
  return TRUE;
}

/* Bounds expanded to the input's shape: one value, or one per channel. */
static float *
box_bound (Work *w,
           const LrpTensor *x,
           const LrpRule *rule,
           const float *values,
           GError **error)
{
  float *out = buf (w, w->n_x);
  int64_t channels = x->rank >= 2 ? x->shape[1] : 1;
  int64_t inner = channels > 0 && x->shape[0] > 0 ? x->n / (x->shape[0] * channels) : 0;

  if (rule->n_box != 1 && rule->n_box != channels)
    {
      g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES,
                   "zbox has %d bounds but the layer input has %" G_GINT64_FORMAT " channels",
                   rule->n_box, channels);
      return NULL;
    }
  for (int64_t i = 0; i < x->n; i++)
    out[i] = values[rule->n_box == 1 ? 0 : (i / MAX (inner, 1)) % channels];
  return out;
}

static gboolean
rule_zbox (Work *w,
           const LrpRule *rule,
           const LrpTensor *xt,
           const float *r,
           float *rx,
           GError **error)
{
  const float *x = lrp_tensor_f (xt);
  const float *wt = lrp_tensor_f (w->layer->weight);
  const float *b = bias_of (w, rule);
  float *wp = modified (w, wt, w->n_w, MOD_POS, 0.f);
  float *wn = modified (w, wt, w->n_w, MOD_NEG, 0.f);
  float *low = box_bound (w, xt, rule, rule->low, error);
  float *high = low ? box_bound (w, xt, rule, rule->high, error) : NULL;
  float *z = buf (w, w->n_z), *zl = buf (w, w->n_z), *zh = buf (w, w->n_z), *s;

  if (high == NULL)
    return FALSE;
  /* z = f(x; W, b) − f(L; W⁺, b⁺) − f(H; W⁻, b⁻): the biases cancel. */
  if (!lrp_linear_apply (w->s, wt, b, x, z, w->cancellable, error)
      || !lrp_linear_apply (w->s, wp, b ? modified (w, b, w->n_b, MOD_POS, 0.f) : NULL, low, zl,
                            w->cancellable, error)
      || !lrp_linear_apply (w->s, wn, b ? modified (w, b, w->n_b, MOD_NEG, 0.f) : NULL, high, zh,
                            w->cancellable, error))
    return FALSE;
  for (int64_t i = 0; i < w->n_z; i++)
    z[i] -= zl[i] + zh[i];
  s = ratio (w, r, z, rule->stabilizer, NULL, 0);
  return add_relevance (w, wt, s, x, 1.f, rx, error)
         && add_relevance (w, wp, s, low, -1.f, rx, error)
         && add_relevance (w, wn, s, high, -1.f, rx, error);
}

/* Flat (weights and input 1, bias 0) and WSquare (W², b² unless zeroed):
 * the result is not multiplied by the input. */
static gboolean
rule_flat (Work *w,
           const LrpRule *rule,
           const float *r,
           float *rx,
           GError **error)
{
  const float *wt = lrp_tensor_f (w->layer->weight);
  gboolean flat = rule->kind == LRP_RULE_FLAT;
  float *wm = modified (w, wt, w->n_w, flat ? MOD_ONE : MOD_SQUARE, 0.f);
  const float *b = flat ? NULL : bias_of (w, rule);
  float *bm = b ? modified (w, b, w->n_b, MOD_SQUARE, 0.f) : NULL;
  float *ones = buf (w, w->n_x);
  float *z = buf (w, w->n_z);

  for (int64_t i = 0; i < w->n_x; i++)
    ones[i] = 1.f;
  if (!lrp_linear_apply (w->s, wm, bm, ones, z, w->cancellable, error))
    return FALSE;
  return add_relevance (w, wm, ratio (w, r, z, rule->stabilizer, NULL, 0), NULL, 1.f, rx, error);
}

gboolean
lrp_linear_backward (const LrpNode *node,
                     const LrpBackwardCtx *ctx,
                     LrpTensor *const *in,
                     LrpTensor *const *out,
                     LrpTensor *const *r_out,
                     LrpTensor *const *r_in,
                     GError **error)
{
  const LrpLinear *layer = ctx->linear;
  LrpLinearShape shape;
  g_autoptr(GPtrArray) bufs = g_ptr_array_new_with_free_func (g_free);
  Work w = { &shape, layer, ctx->cancellable, 0, 0, 0, 0, bufs, NULL };
  const float *x, *r;
  float *rx;
  gboolean ok, nonneg;

  (void) out;
  if (r_in[0] == NULL || r_out[0] == NULL)
    return TRUE;
  if (layer == NULL)
    {
      g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_UNEXPLAINABLE,
                   "node “%s” (%s) has no constant weights (two activations multiplied); "
                   "LRP has no rule for that", node->name, node->op_type);
      return FALSE;
    }
  if (!lrp_linear_shape (node, in[0], layer, &shape, error))
    return FALSE;
  x = lrp_tensor_f (in[0]);
  r = lrp_tensor_f (r_out[0]);
  rx = lrp_tensor_f (r_in[0]);
  w.n_w = layer->weight->n;
  w.n_b = layer->bias->n;
  w.n_x = in[0]->n;
  w.n_z = r_out[0]->n;
  if (ctx->acts && layer->out_value >= 0 && ctx->acts[layer->out_value]
      && ctx->acts[layer->out_value]->n == w.n_z)
    w.z_cached = lrp_tensor_f (ctx->acts[layer->out_value]);

  /* After a ReLU (the usual case) the cheaper forms apply. */
  nonneg = w.z_cached != NULL && !has_negative (x, w.n_x);
  if (ctx->mode == LRP_BACKWARD_GRADIENT)
    return lrp_linear_transpose (&shape, lrp_tensor_f (layer->weight), r, rx, ctx->cancellable,
                                 error);
  switch (ctx->rule.kind)
    {
    case LRP_RULE_GRADIENT:
      ok = lrp_linear_transpose (&shape, lrp_tensor_f (layer->weight), r, rx, ctx->cancellable,
                                 error);
      break;
    case LRP_RULE_EPSILON:
    case LRP_RULE_NORM:
      ok = rule_epsilon (&w, &ctx->rule, x, r, rx, error);
      break;
    case LRP_RULE_ZPLUS:
    case LRP_RULE_ALPHA_BETA:
      ok = nonneg ? alpha_beta_nonneg (&w, &ctx->rule, x, r, rx, error)
                  : rule_alpha_beta (&w, &ctx->rule, x, r, rx, error);
      break;
    case LRP_RULE_GAMMA:
      ok = nonneg ? gamma_nonneg (&w, &ctx->rule, x, r, rx, error)
                  : rule_gamma (&w, &ctx->rule, x, r, rx, error);
      break;
    case LRP_RULE_ZBOX:
      ok = rule_zbox (&w, &ctx->rule, in[0], r, rx, error);
      break;
    case LRP_RULE_FLAT:
    case LRP_RULE_WSQUARE:
      ok = rule_flat (&w, &ctx->rule, r, rx, error);
      break;
    case LRP_RULE_PASS:
      if (r_out[0]->n != in[0]->n)
        {
          g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES,
                       "node “%s” (%s): the pass rule needs equal input and output sizes",
                       node->name, node->op_type);
          return FALSE;
        }
      for (int64_t i = 0; i < w.n_x; i++)
        rx[i] += r[i];
      ok = TRUE;
      break;
    default:
      g_assert_not_reached ();
    }
  return ok;
}
