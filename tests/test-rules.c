/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rules, checked two ways.  A 3-layer MLP explained by each rule is
 * compared with an independent double-precision implementation written
 * here straight from lrp-rules.md §2 (plain loops, no BLAS, no shared
 * code); one LRP-0 case is worked out by hand.  And properties any correct
 * LRP has: conservation, LRP-0 = gradient × input on ReLU nets, ZPlus =
 * AlphaBeta(1, 0), Gamma → ZPlus as γ grows, Flat/WSquare independent of
 * the input, Epsilon → LRP-0 as ε → 0.
 */
#include "config.h"

#include "lrp-run-private.h"
#include "lrp-test-onnx.h"
#include "lrp-test-util.h"

#include <math.h>
#include <string.h>

#define EPS 1e-6

/* ---- the independent reference: one dense layer ----------------------------- */

typedef struct
{
  int n_in, n_out;
  const float *w;   /* [n_out][n_in] */
  const float *b;
} Dense;

static double pos (double v) { return v > 0 ? v : 0; }
static double neg (double v) { return v < 0 ? v : 0; }
static double stab (double z, double e) { return z + (z >= 0 ? e : -e); }

typedef enum { R_EPSILON, R_ZPLUS, R_ALPHA_BETA, R_GAMMA, R_ZBOX, R_FLAT, R_WSQUARE } Rule;

static void
reference_dense (const Dense *d,
                 Rule rule,
                 double param,
                 const double *x,
                 const double *r,
                 double *rx)
{
  const double gamma = param, alpha = 2, beta = 1, low = -1, high = 2;

  for (int i = 0; i < d->n_in; i++)
    rx[i] = 0;
  for (int j = 0; j < d->n_out; j++)
    {
      double z = d->b[j], zp = pos (d->b[j]), zn = neg (d->b[j]);
      double zu = d->b[j] + gamma * pos (d->b[j]), zd = d->b[j] + gamma * neg (d->b[j]);
      double zb = 0, zf = 0, zw = d->b[j] * d->b[j];

      for (int i = 0; i < d->n_in; i++)
        {
          double w = d->w[j * d->n_in + i];
          double wu = w + gamma * pos (w), wd = w + gamma * neg (w);

          z += w * x[i];
          zp += pos (w) * pos (x[i]) + neg (w) * neg (x[i]);
          zn += neg (w) * pos (x[i]) + pos (w) * neg (x[i]);
          zu += wu * pos (x[i]) + wd * neg (x[i]);
          zd += wd * pos (x[i]) + wu * neg (x[i]);
          zb += w * x[i] - pos (w) * low - neg (w) * high;
          zf += 1;
          zw += w * w;
        }
      for (int i = 0; i < d->n_in; i++)
        {
          double w = d->w[j * d->n_in + i];
          double wu = w + gamma * pos (w), wd = w + gamma * neg (w);
          double xp = pos (x[i]), xn = neg (x[i]);

          switch (rule)
            {
            case R_EPSILON:
              rx[i] += x[i] * w * r[j] / stab (z, param);
              break;
            case R_ZPLUS:
            case R_ALPHA_BETA:
              {
                double a = rule == R_ZPLUS ? 1 : alpha, bb = rule == R_ZPLUS ? 0 : beta;

                rx[i] += a * (xp * pos (w) + xn * neg (w)) * r[j] / stab (zp, EPS)
                         - bb * (xp * neg (w) + xn * pos (w)) * r[j] / stab (zn, EPS);
              }
              break;
            case R_GAMMA:
              {
                double su = z > 0 ? r[j] / stab (zu, EPS) : 0, sd = z < 0 ? r[j] / stab (zd, EPS) : 0;

                rx[i] += xp * (wu * su + wd * sd) + xn * (wd * su + wu * sd);
              }
              break;
            case R_ZBOX:
              rx[i] += (x[i] * w - low * pos (w) - high * neg (w)) * r[j] / stab (zb, EPS);
              break;
            case R_FLAT:
              rx[i] += r[j] / stab (zf, EPS);
              break;
            case R_WSQUARE:
              rx[i] += w * w * r[j] / stab (zw, EPS);
              break;
            }
        }
    }
}

/* The MLP of lrp_test_model_mlp(), layer by layer, with ReLU as Pass. */
static void
reference_mlp (LrpModel *model,
               LrpRun *run,
               Rule rule,
               double param,
               Rule first_rule,
               int target,
               double *r_in)
{
  static const char *names[3][3] = { { "w1", "b1", "x" }, { "w2", "b2", "a1" }, { "w3", "b3", "a2" } };
  double r[4] = { 0 }, rx[4];
  const LrpTensor *y = lrp_run_get_output (run);
  int n_r = 2;

  r[target] = lrp_tensor_f (y)[target];
  for (int layer = 2; layer >= 0; layer--)
    {
      const LrpTensor *w = model->values[lrp_model_find_value (model, names[layer][0])].tensor;
      const LrpTensor *b = model->values[lrp_model_find_value (model, names[layer][1])].tensor;
      const LrpTensor *x = lrp_run_get_value (run, lrp_model_find_value (model, names[layer][2]));
      Dense d = { (int) w->shape[1], (int) w->shape[0], lrp_tensor_f (w), lrp_tensor_f (b) };
      double xd[4];

      g_assert_cmpint (d.n_out, ==, n_r);
      for (int i = 0; i < d.n_in; i++)
        xd[i] = lrp_tensor_f (x)[i];
      reference_dense (&d, layer == 0 ? first_rule : rule, param, xd, r, rx);
      memcpy (r, rx, sizeof rx);
      n_r = d.n_in;
    }
  memcpy (r_in, r, sizeof (double) * 3);
}

/* ---- engine side ------------------------------------------------------------------ */

static LrpExplainer *
explain (LrpModel *model,
         LrpTensor *x,
         const char *spec,
         int target,
         LrpStart start)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpComposite) c = lrp_composite_parse (spec, &error);
  LrpExplainer *e;
  LrpTarget t = LRP_TARGET_INIT;

  g_assert_no_error (error);
  e = lrp_explainer_new (model, x, NULL, &error);
  g_assert_no_error (error);
  t.class_index = target;
  t.start = start;
  g_assert_true (lrp_explainer_explain (e, c, &t, NULL, &error));
  g_assert_no_error (error);
  return e;
}

static LrpTensor *
mlp_input (float a,
           float b,
           float c)
{
  static const int64_t shape[] = { 1, 3 };
  LrpTensor *x = lrp_tensor_new_float (2, shape);

  lrp_tensor_f (x)[0] = a;
  lrp_tensor_f (x)[1] = b;
  lrp_tensor_f (x)[2] = c;
  return x;
}

typedef struct
{
  const char *spec;
  Rule rule, first;
  double param;
} RuleCase;

static void
test_mlp_rule (gconstpointer data)
{
  const RuleCase *rc = data;
  g_autoptr(LrpModel) model = lrp_test_model_mlp ();
  g_autoptr(LrpTensor) x = mlp_input (0.8f, -0.6f, 1.2f);

  for (int target = 0; target < 2; target++)
    {
      g_autoptr(LrpExplainer) e = explain (model, x, rc->spec, target, LRP_START_LOGIT);
      g_autoptr(LrpRun) run = lrp_run_new (model);
      const LrpTensor *got = lrp_explainer_get_relevance (e, NULL);
      double want[3];

      g_assert_true (lrp_run_forward (run, x, NULL, NULL));
      reference_mlp (model, run, rc->rule, rc->param, rc->first, target, want);
      for (int i = 0; i < 3; i++)
        {
          double tol = 1e-5 * MAX (1.0, fabs (want[i]));

          if (fabs (lrp_tensor_f (got)[i] - want[i]) > tol)
            g_error ("%s, class %d, input %d: engine %.9g, reference %.9g", rc->spec, target, i,
                     (double) lrp_tensor_f (got)[i], want[i]);
        }
    }
}

static const RuleCase rule_cases[] = {
  { "linear=epsilon(epsilon=0.1)", R_EPSILON, R_EPSILON, 0.1 },
  { "linear=lrp0", R_EPSILON, R_EPSILON, 0.0 },
  { "linear=zplus", R_ZPLUS, R_ZPLUS, 0 },
  { "linear=alpha_beta", R_ALPHA_BETA, R_ALPHA_BETA, 0 },
  { "linear=gamma(gamma=0.5)", R_GAMMA, R_GAMMA, 0.5 },
  { "linear=lrp0;first=zbox(low=-1,high=2)", R_EPSILON, R_ZBOX, 0.0 },
  { "linear=epsilon(epsilon=0.1);first=flat", R_EPSILON, R_FLAT, 0.1 },
  { "linear=wsquare", R_WSQUARE, R_WSQUARE, 0 },
};

/* Worked by hand: x = (1, 2), one layer W = [[1, −1], [2, 1]] (a row per
 * output), b = (0, 1): z = (1 − 2 + 0, 2 + 2 + 1) = (−1, 5).  Explaining
 * class 1 from its logit 5 with LRP-0: R_i = x_i W_1i · 5 / 5 = (1·2, 2·1)
 * = (2, 2); the bias keeps the remaining 1 of the 5. */
static void
test_hand_lrp0 (void)
{
  static const int64_t xs[] = { 1, 2 }, ws[] = { 2, 2 }, bs[] = { 2 };
  static const float w[] = { 1, -1, 2, 1 }, b[] = { 0, 1 };
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(LrpModel) model = NULL;
  g_autoptr(LrpTensor) x = lrp_tensor_new_float (2, xs);
  g_autoptr(LrpExplainer) e = NULL;
  const LrpTensor *r;

  lrp_test_graph_input (g, "x", 2, xs);
  lrp_test_graph_initializer (g, "w", 2, ws, w);
  lrp_test_graph_initializer (g, "b", 1, bs, b);
  lrp_test_graph_node (g, "Gemm", "dense", "x,w,b", "y");
  lrp_test_graph_attr_int (g, "transB", 1);
  lrp_test_graph_output (g, "y");
  bytes = lrp_test_graph_pack (g);
  model = lrp_model_load_bytes (bytes, "hand.onnx", NULL, NULL);
  lrp_tensor_f (x)[0] = 1;
  lrp_tensor_f (x)[1] = 2;
  e = explain (model, x, "linear=lrp0", 1, LRP_START_LOGIT);
  r = lrp_explainer_get_relevance (e, NULL);
  /* R_i = x_i w_1i · 5 / stab(5): (1·2, 2·1) · 5/(5 + 1e-6) */
  g_assert_cmpfloat_with_epsilon (lrp_tensor_f (r)[0], 2.0, 1e-5);
  g_assert_cmpfloat_with_epsilon (lrp_tensor_f (r)[1], 2.0, 1e-5);
}

/* ---- properties -------------------------------------------------------------------- */

static double
sum_of (const LrpTensor *t)
{
  double s = 0;

  for (int64_t i = 0; i < t->n; i++)
    s += lrp_tensor_f (t)[i];
  return s;
}

static LrpTensor *
cnn_input (int seed)
{
  static const int64_t shape[] = { 1, 3, 4, 4 };
  LrpTensor *x = lrp_tensor_new_float (4, shape);
  g_autoptr(GRand) rand = g_rand_new_with_seed ((guint32) seed);

  for (int64_t i = 0; i < x->n; i++)
    lrp_tensor_f (x)[i] = (float) g_rand_double_range (rand, -1, 1);
  return x;
}

static int
predicted (LrpModel *model,
           LrpTensor *x)
{
  g_autoptr(LrpRun) run = lrp_run_new (model);
  const LrpTensor *y;
  int best = 0;

  g_assert_true (lrp_run_forward (run, x, NULL, NULL));
  y = lrp_run_get_output (run);
  for (int i = 1; i < y->n; i++)
    if (lrp_tensor_f (y)[i] > lrp_tensor_f (y)[best])
      best = i;
  return best;
}

/* LRP-0 with biases zeroed conserves relevance through a ReLU net (up to
 * the bias-free logit's share, which here is the whole logit). */
static void
test_conservation (void)
{
  g_autoptr(LrpModel) model = lrp_test_model_small_cnn ();

  for (int seed = 0; seed < 5; seed++)
    {
      g_autoptr(LrpTensor) x = cnn_input (seed);
      int c = predicted (model, x);
      g_autoptr(LrpExplainer) e = explain (model, x, "linear=lrp0(zero_bias=true)", c,
                                           LRP_START_ONE);
      const char *tensors[] = { "y", "ha", "f", "a1", "x" };

      /* Every layer passes on exactly what it got (up to the stabilizer). */
      for (gsize k = 0; k < G_N_ELEMENTS (tensors); k++)
        g_assert_cmpfloat_with_epsilon (sum_of (lrp_explainer_get_relevance (e, tensors[k])),
                                        1.0, 1e-4);
    }
}

static void
assert_close_tensors (const LrpTensor *a,
                      const LrpTensor *b,
                      double tol,
                      const char *what)
{
  double err = lrp_test_rel_error (a, b);

  g_test_message ("%s: max rel err %.2e", what, err);
  if (!(err <= tol))
    g_error ("%s: max rel error %.3g > %.3g", what, err, tol);
}

static void
test_lrp0_is_gradient_times_input (void)
{
  g_autoptr(LrpModel) model = lrp_test_model_small_cnn ();
  g_autoptr(LrpTensor) x = cnn_input (7);
  g_autoptr(LrpExplainer) e = explain (model, x, "linear=lrp0", 1, LRP_START_LOGIT);
  g_autoptr(LrpExplainer) g = NULL;
  g_autoptr(GError) error = NULL;
  LrpTarget t = LRP_TARGET_INIT;

  /* LRP-0 from the logit is x ⊙ ∂logit/∂x: the gradient seeded with 1. */
  g = lrp_explainer_new (model, x, NULL, &error);
  t.class_index = 1;
  t.start = LRP_START_ONE;
  g_assert_true (lrp_explainer_baseline (g, LRP_BASELINE_GRADIENT_X_INPUT, &t, 0, 0, NULL, &error));
  assert_close_tensors (lrp_explainer_get_relevance (e, NULL), lrp_explainer_get_relevance (g, NULL),
                        1e-4, "LRP-0 vs gradient × input");
}

static void
test_zplus_is_alpha1_beta0 (void)
{
  g_autoptr(LrpModel) model = lrp_test_model_small_cnn ();
  g_autoptr(LrpTensor) x = cnn_input (3);
  g_autoptr(LrpExplainer) a = explain (model, x, "epsilon_plus", 0, LRP_START_LOGIT);
  g_autoptr(LrpExplainer) b = explain (model, x, "epsilon_plus;conv=alpha_beta(alpha=1,beta=0)", 0,
                                       LRP_START_LOGIT);

  assert_close_tensors (lrp_explainer_get_relevance (a, NULL), lrp_explainer_get_relevance (b, NULL),
                        1e-6, "ZPlus vs AlphaBeta(1, 0)");
}

/* On the conv after a ReLU (non-negative input), Gamma → ZPlus as γ → ∞. */
static void
test_gamma_tends_to_zplus (void)
{
  g_autoptr(LrpModel) model = lrp_test_model_small_cnn ();
  g_autoptr(LrpTensor) x = cnn_input (5);
  g_autoptr(LrpExplainer) plus = explain (model, x, "epsilon_plus;#0=lrp0", 2, LRP_START_LOGIT);
  const LrpTensor *want = lrp_explainer_get_relevance (plus, "a1");
  double last = INFINITY;

  for (double gamma = 1; gamma <= 1e4; gamma *= 10)
    {
      g_autofree char *spec = g_strdup_printf ("epsilon_plus;#0=lrp0;conv=gamma(gamma=%g);#0=lrp0",
                                               gamma);
      g_autoptr(LrpExplainer) e = explain (model, x, spec, 2, LRP_START_LOGIT);
      double err = lrp_test_rel_error (lrp_explainer_get_relevance (e, "a1"), want);

      g_test_message ("γ = %g: distance to ZPlus %.3e", gamma, err);
      g_assert_cmpfloat (err, <, last);
      last = err;
    }
  g_assert_cmpfloat (last, <, 1e-3);
}

/* Flat and WSquare ignore the input's values: same map for any input. */
static void
test_flat_wsquare_ignore_input (void)
{
  g_autoptr(LrpModel) model = lrp_test_model_mlp ();
  g_autoptr(LrpTensor) x1 = mlp_input (0.8f, -0.6f, 1.2f);
  g_autoptr(LrpTensor) x2 = mlp_input (-3.f, 0.1f, 0.7f);
  const char *specs[] = { "linear=flat", "linear=wsquare" };

  for (int s = 0; s < 2; s++)
    {
      g_autoptr(LrpExplainer) a = explain (model, x1, specs[s], 0, LRP_START_ONE);
      g_autoptr(LrpExplainer) b = explain (model, x2, specs[s], 0, LRP_START_ONE);

      assert_close_tensors (lrp_explainer_get_relevance (a, NULL),
                            lrp_explainer_get_relevance (b, NULL), 1e-6, specs[s]);
    }
}

static void
test_epsilon_tends_to_lrp0 (void)
{
  g_autoptr(LrpModel) model = lrp_test_model_small_cnn ();
  g_autoptr(LrpTensor) x = cnn_input (11);
  g_autoptr(LrpExplainer) zero = explain (model, x, "linear=lrp0", 0, LRP_START_LOGIT);
  double last = INFINITY;

  for (double eps = 1; eps >= 1e-6; eps /= 10)
    {
      g_autofree char *spec = g_strdup_printf ("linear=epsilon(epsilon=%g)", eps);
      g_autoptr(LrpExplainer) e = explain (model, x, spec, 0, LRP_START_LOGIT);
      double err = lrp_test_rel_error (lrp_explainer_get_relevance (e, NULL),
                                       lrp_explainer_get_relevance (zero, NULL));

      g_test_message ("ε = %g: distance to LRP-0 %.3e", eps, err);
      g_assert_cmpfloat (err, <, last);
      last = err;
    }
  g_assert_cmpfloat (last, <, 1e-3);
}

int
main (int argc,
      char **argv)
{
  lrp_test_init (&argc, &argv);
  for (gsize i = 0; i < G_N_ELEMENTS (rule_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/rules/mlp/%s", rule_cases[i].spec);

      g_test_add_data_func (path, &rule_cases[i], test_mlp_rule);
    }
  g_test_add_func ("/rules/hand/lrp0", test_hand_lrp0);
  g_test_add_func ("/rules/property/conservation", test_conservation);
  g_test_add_func ("/rules/property/lrp0-is-gradient-x-input", test_lrp0_is_gradient_times_input);
  g_test_add_func ("/rules/property/zplus-is-alpha1-beta0", test_zplus_is_alpha1_beta0);
  g_test_add_func ("/rules/property/gamma-tends-to-zplus", test_gamma_tends_to_zplus);
  g_test_add_func ("/rules/property/flat-wsquare-ignore-input", test_flat_wsquare_ignore_input);
  g_test_add_func ("/rules/property/epsilon-tends-to-lrp0", test_epsilon_tends_to_lrp0);
  return g_test_run ();
}
