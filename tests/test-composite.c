/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Composites and rule maps: built-ins under Zennit's names, the compact and
 * JSON forms of a map, which rule each layer gets (last match wins), and
 * messages that point at the bad entry.
 */
#include "config.h"

#include "lrp-composite-private.h"
#include "lrp-test-onnx.h"
#include "lrp-test-util.h"

#include <string.h>

static LrpRule *
assign (const char *spec)
{
  g_autoptr(LrpModel) model = lrp_test_model_small_cnn ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpComposite) c = lrp_composite_parse (spec, &error);
  LrpRule *rules;

  g_assert_no_error (error);
  rules = g_new0 (LrpRule, lrp_model_get_n_nodes (model));
  g_assert_true (lrp_composite_assign (c, model, rules, &error));
  return rules;
}

enum { CONV1, RELU1, CONV2, RELU2, FLAT, DENSE1, RELU3, DENSE2 };

static void
test_builtin_epsilon_gamma_box (void)
{
  g_autofree LrpRule *r = assign ("epsilon_gamma_box");

  g_assert_cmpint (r[CONV1].kind, ==, LRP_RULE_ZBOX);
  g_assert_cmpint (r[CONV2].kind, ==, LRP_RULE_GAMMA);
  g_assert_cmpfloat (r[CONV2].gamma, ==, 0.25f);
  g_assert_cmpint (r[DENSE1].kind, ==, LRP_RULE_EPSILON);
  g_assert_cmpfloat (r[DENSE1].epsilon, ==, 1e-6f);
  g_assert_cmpint (r[RELU1].kind, ==, LRP_RULE_PASS);
  g_assert_cmpint (r[FLAT].kind, ==, LRP_RULE_GRADIENT);
  /* Bounds from the metadata: (0 − mean) / std and (1 − mean) / std. */
  g_assert_cmpint (r[CONV1].n_box, ==, 3);
  g_assert_cmpfloat_with_epsilon (r[CONV1].low[0], -2.f, 1e-6);
  g_assert_cmpfloat_with_epsilon (r[CONV1].high[1], 1.f, 1e-6);
  g_assert_cmpfloat_with_epsilon (r[CONV1].low[2], -0.5f, 1e-6);
}

static void
test_builtin_flat (void)
{
  g_autofree LrpRule *r = assign ("epsilon_alpha2_beta1_flat");

  g_assert_cmpint (r[CONV1].kind, ==, LRP_RULE_FLAT);
  g_assert_cmpint (r[CONV2].kind, ==, LRP_RULE_ALPHA_BETA);
  g_assert_cmpfloat (r[CONV2].alpha, ==, 2.f);
  g_assert_cmpfloat (r[CONV2].beta, ==, 1.f);
}

static void
test_builtin_montavon (void)
{
  g_autofree LrpRule *r = assign ("montavon2019");

  g_assert_cmpint (r[CONV1].kind, ==, LRP_RULE_ZBOX);
  g_assert_cmpint (r[CONV2].kind, ==, LRP_RULE_GAMMA);
  g_assert_cmpint (r[DENSE1].kind, ==, LRP_RULE_EPSILON);
  g_assert_cmpfloat (r[DENSE1].epsilon, ==, 0.f);
}

/* Later entries override earlier ones; names, positions and parameters. */
static void
test_compact_overrides (void)
{
  g_autofree LrpRule *r = assign ("epsilon_plus;conv=gamma(gamma=0.5);name:classifier.2=lrp0;"
                                  "#0=zbox(low=-1,high=1);#-2=alpha_beta(alpha=1,beta=0)");

  g_assert_cmpint (r[CONV1].kind, ==, LRP_RULE_ZBOX);
  g_assert_cmpint (r[CONV1].n_box, ==, 2 - 1);
  g_assert_cmpfloat (r[CONV1].low[0], ==, -1.f);
  g_assert_cmpint (r[CONV2].kind, ==, LRP_RULE_GAMMA);
  g_assert_cmpfloat (r[CONV2].gamma, ==, 0.5f);
  g_assert_cmpint (r[DENSE1].kind, ==, LRP_RULE_ALPHA_BETA);
  g_assert_cmpfloat (r[DENSE1].alpha, ==, 1.f);
  g_assert_cmpint (r[DENSE2].kind, ==, LRP_RULE_EPSILON);
  g_assert_cmpfloat (r[DENSE2].epsilon, ==, 0.f);
}

static void
test_json (void)
{
  g_autofree LrpRule *r = assign (
    "{\"composite\": \"epsilon_plus\", \"rules\": ["
    " {\"layers\": \"dense\", \"rule\": \"epsilon\", \"epsilon\": 0.25},"
    " {\"name\": \"features.*\", \"rule\": \"wsquare\", \"zero_bias\": true},"
    " {\"position\": 1, \"rule\": \"zbox\", \"low\": [-1, -2], \"high\": [1, 2]}]}");

  g_assert_cmpint (r[CONV1].kind, ==, LRP_RULE_WSQUARE);
  g_assert_true (r[CONV1].zero_bias);
  g_assert_cmpint (r[CONV2].kind, ==, LRP_RULE_ZBOX);
  g_assert_cmpint (r[CONV2].n_box, ==, 2);
  g_assert_cmpfloat (r[CONV2].high[1], ==, 2.f);
  g_assert_cmpint (r[DENSE1].kind, ==, LRP_RULE_EPSILON);
  g_assert_cmpfloat (r[DENSE1].epsilon, ==, 0.25f);
}

static void
test_set_param (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpComposite) c = lrp_composite_parse ("epsilon_gamma_box", &error);
  g_autoptr(LrpComposite) plus = lrp_composite_parse ("epsilon_plus", &error);

  g_assert_true (lrp_composite_set_param (c, "gamma", "0.75", &error));
  g_assert_true (lrp_composite_set_param (c, "low", "-1,-1,-1", &error));
  g_assert_cmpfloat (g_array_index (c->entries, LrpCompositeEntry, 0).rule.gamma, ==, 0.75f);
  /* epsilon_plus has no Gamma rule to take γ. */
  g_assert_false (lrp_composite_set_param (plus, "gamma", "0.5", &error));
  g_assert_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES);
}

/* Every bad map names the entry and what is wrong with it. */
static void
test_bad_maps (void)
{
  static const struct { const char *spec; const char *needle; } cases[] = {
    { "no_such_composite", "not a composite" },
    { "conv=flat;epsilon_plus", "entry 2" },
    { "conv=gamma;dens=epsilon", "entry 2" },
    { "conv=gamma;dens=epsilon", "dens" },
    { "conv=gama", "gama" },
    { "conv=gamma(gamma=x)", "gamma" },
    { "conv=gamma(delta=1)", "delta" },
    { "conv=alpha_beta(alpha=3,beta=1)", "alpha − beta = 1" },
    { "#x=flat", "position" },
    { "conv=zbox(low=1,high=-1)", "low ≤ high" },
    { "{\"rules\": [{\"layers\": \"conv\"}]}", "entry 1" },
    { "{\"rules\": [{\"layers\": \"conv\", \"name\": \"a\", \"rule\": \"flat\"}]}", "exactly one" },
    { "{\"rules\": [", "rule map" },
    { "conv=gamma(gamma=-1)", "negative" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LrpComposite) c = lrp_composite_parse (cases[i].spec, &error);

      g_assert_null (c);
      g_assert_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES);
      if (strstr (error->message, cases[i].needle) == NULL)
        g_error ("“%s” gave “%s”, which does not mention “%s”", cases[i].spec, error->message,
                 cases[i].needle);
    }
}

static void
test_list (void)
{
  const char *const *desc = NULL;
  const char *const *names = lrp_composite_list_builtin (&desc);
  int n = 0;

  for (; names[n]; n++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LrpComposite) c = lrp_composite_parse (names[n], &error);

      g_assert_no_error (error);
      g_assert_cmpstr (lrp_composite_get_name (c), ==, names[n]);
      g_assert_nonnull (desc[n]);
    }
  g_assert_cmpint (n, ==, 7);
}

int
main (int argc,
      char **argv)
{
  lrp_test_init (&argc, &argv);
  g_test_add_func ("/composite/builtin/epsilon-gamma-box", test_builtin_epsilon_gamma_box);
  g_test_add_func ("/composite/builtin/flat", test_builtin_flat);
  g_test_add_func ("/composite/builtin/montavon2019", test_builtin_montavon);
  g_test_add_func ("/composite/builtin/list", test_list);
  g_test_add_func ("/composite/map/compact-overrides", test_compact_overrides);
  g_test_add_func ("/composite/map/json", test_json);
  g_test_add_func ("/composite/map/set-param", test_set_param);
  g_test_add_func ("/composite/map/bad", test_bad_maps);
  return g_test_run ();
}
