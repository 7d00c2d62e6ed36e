/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Baselines on the same engine, seeded like LRP: the gradient of
 * ⟨seed, output⟩ where the seed is the start relevance of the real input
 * (one-hot × logit by default, so "gradient" = logit × ∂logit/∂x as in the
 * reference).  SmoothGrad averages that gradient over noisy copies of the
 * input; Integrated Gradients over the straight path from a zero input.
 * The seed stays the one of the real input for every sample.
 */
#define G_LOG_DOMAIN "lrp-explain"

#include "config.h"

#include "lrp-explain-private.h"

#include <math.h>

/* The gradient at the input for another input x̃, with the seed fixed:
 * a forward pass of x̃ in a scratch run, then the gradient pass on it. */
static gboolean
gradient_at (LrpExplainer *e,
             const LrpTarget *target,
             LrpTensor *x,
             float *accumulate,
             int pass,
             int n_passes,
             GCancellable *cancellable,
             GError **error)
{
  LrpRun *saved = e->run;
  g_autoptr(LrpTensor) seed = lrp_tensor_ref (e->seed);
  LrpTensor *g;
  gboolean ok;

  e->run = lrp_run_new (e->model);
  e->run->sampled = TRUE;
  lrp_explainer_watch_run (e, e->run);
  lrp_explainer_set_pass (e, pass, n_passes);
  ok = lrp_run_forward (e->run, x, cancellable, error);
  lrp_explainer_set_pass (e, pass + 1, n_passes);
  ok = ok && lrp_explainer_gradient_pass (e, target, seed, cancellable, error);
  if (ok && (g = e->rel[e->model->inputs[0]]) != NULL)
    for (int64_t i = 0; i < g->n; i++)
      accumulate[i] += lrp_tensor_f (g)[i];
  lrp_run_free (e->run);
  e->run = saved;
  return ok;
}

static float
value_range (const LrpTensor *x)
{
  float lo = INFINITY, hi = -INFINITY;

  for (int64_t i = 0; i < x->n; i++)
    {
      lo = MIN (lo, lrp_tensor_f (x)[i]);
      hi = MAX (hi, lrp_tensor_f (x)[i]);
    }
  return hi > lo ? hi - lo : 1.f;
}

static gboolean
sampled (LrpExplainer *e,
         LrpBaseline baseline,
         const LrpTarget *target,
         int samples,
         float noise,
         float *sum,
         GCancellable *cancellable,
         GError **error)
{
  const LrpTensor *x = e->input;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240229);
  float sigma = noise * value_range (x);

  for (int k = 0; k < samples; k++)
    {
      g_autoptr(LrpTensor) xs = lrp_tensor_copy (x);

      for (int64_t i = 0; i < x->n; i++)
        {
          if (baseline == LRP_BASELINE_SMOOTHGRAD)
            {
              /* Box–Muller: Gaussian noise of standard deviation sigma. */
              double u1 = g_rand_double_range (rand, 1e-12, 1.0), u2 = g_rand_double (rand);

              lrp_tensor_f (xs)[i] += sigma * (float) (sqrt (-2 * log (u1)) * cos (2 * G_PI * u2));
            }
          else
            lrp_tensor_f (xs)[i] *= (float) (k + 1) / (float) samples;
        }
      /* Pass 0 was the gradient of the real input. */
      if (!gradient_at (e, target, xs, sum, 1 + 2 * k, 1 + 2 * samples, cancellable, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
lrp_explainer_baseline (LrpExplainer *e,
                        LrpBaseline baseline,
                        const LrpTarget *target,
                        int samples,
                        float noise,
                        GCancellable *cancellable,
                        GError **error)
{
  int input;
  g_autofree float *sum = NULL;
  gboolean sampling;
  LrpTensor *r;

  g_return_val_if_fail (e != NULL && target != NULL, FALSE);
  e->valid = FALSE;
  sampling = baseline == LRP_BASELINE_SMOOTHGRAD || baseline == LRP_BASELINE_INTEGRATED_GRADIENTS;
  lrp_explainer_set_pass (e, 0, sampling ? 1 + 2 * MAX (samples, 1) : 1);
  if (!lrp_explainer_gradient_pass (e, target, NULL, cancellable, error))
    return FALSE;
  input = e->model->inputs[0];
  if (e->rel[input] == NULL)
    e->rel[input] = lrp_tensor_new_like (e->input);
  r = e->rel[input];

  if (baseline == LRP_BASELINE_SMOOTHGRAD || baseline == LRP_BASELINE_INTEGRATED_GRADIENTS)
    {
      if (samples < 1 || samples > 10000)
        {
          g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES,
                       "the number of samples must be between 1 and 10000, not %d", samples);
          return FALSE;
        }
      sum = g_new0 (float, r->n);
      if (!sampled (e, baseline, target, samples, noise, sum, cancellable, error))
        return FALSE;
      /* The sampled passes left their own relevance behind: keep only the
       * input's average. */
      for (int v = 0; v < e->model->n_values; v++)
        g_clear_pointer (&e->rel[v], lrp_tensor_unref);
      r = e->rel[input] = lrp_tensor_new_like (e->input);
      for (int64_t i = 0; i < r->n; i++)
        lrp_tensor_f (r)[i] = sum[i] / (float) samples;
    }
  if (baseline == LRP_BASELINE_GRADIENT_X_INPUT || baseline == LRP_BASELINE_INTEGRATED_GRADIENTS)
    for (int64_t i = 0; i < r->n; i++)
      lrp_tensor_f (r)[i] *= lrp_tensor_f (e->input)[i];
  e->valid = TRUE;
  return TRUE;
}
