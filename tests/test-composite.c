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

/* ---- the layer list and the rule editor ------------------------------------------ */

static GPtrArray *
layers_of (const LrpComposite *c)
{
  g_autoptr(LrpModel) model = lrp_test_model_small_cnn ();
  g_autoptr(GError) error = NULL;
  GPtrArray *layers = lrp_composite_list_layers (c, model, &error);

  g_assert_no_error (error);
  g_assert_nonnull (layers);
  g_assert_cmpuint (layers->len, ==, lrp_model_get_n_nodes (model));
  return layers;
}

static LrpLayer *
layer (GPtrArray *layers,
       int n)
{
  return g_ptr_array_index (layers, n);
}

static void
test_list_layers (void)
{
  g_autoptr(LrpComposite) c = lrp_composite_parse ("epsilon_gamma_box;name:features.2=zplus",
                                                   NULL);
  g_autoptr(GPtrArray) layers = layers_of (c);
  static const int linear[] = { 0, -1, 1, -1, -1, 2, -1, 3 };
  LrpLayer *l;

  for (int n = 0; n < (int) layers->len; n++)
    g_assert_cmpint (layer (layers, n)->linear_index, ==, linear[n]);
  l = layer (layers, CONV1);
  g_assert_cmpstr (l->name, ==, "features.0");
  g_assert_cmpstr (l->op_type, ==, "Conv");
  g_assert_cmpstr (l->input, ==, "x");
  g_assert_cmpstr (l->output, ==, "c1");
  g_assert_cmpint (l->rank, ==, 4);
  g_assert_cmpint (l->shape[0], ==, 1);
  g_assert_cmpstr (l->rule, ==, "zbox");
  /* Bounds from the metadata: (0 − mean) / std and (1 − mean) / std. */
  g_assert_cmpstr (l->rule_text, ==, "zbox(low=-2,-1,-0.5,high=2,1,0.5)");
  g_assert_cmpint (l->n_box, ==, 3);
  g_assert_cmpfloat (l->low[2], ==, -0.5);
  g_assert_false (l->overridden);
  l = layer (layers, CONV2);
  g_assert_cmpstr (l->rule, ==, "zplus");
  g_assert_cmpstr (l->rule_text, ==, "zplus");
  g_assert_true (l->overridden);
  l = layer (layers, RELU1);
  g_assert_cmpstr (l->rule, ==, "pass");
  g_assert_cmpint (l->linear_index, ==, -1);
  g_assert_false (l->overridden);
  l = layer (layers, DENSE1);
  g_assert_cmpstr (l->rule_text, ==, "epsilon(epsilon=1e-06)");
  g_assert_cmpfloat (l->epsilon, ==, (double) 1e-6f);
  g_assert_cmpint (l->rank, ==, 2);
  g_assert_cmpstr (layer (layers, FLAT)->rule, ==, "gradient");
  g_assert_cmpstr (lrp_composite_get_name (c), ==, "epsilon_gamma_box");
}

/* Each layer's rule text, set back on it, is the same rule. */
static void
test_rule_text_round_trip (void)
{
  g_autoptr(LrpComposite) c = lrp_composite_parse (
    "montavon2019;#1=alpha_beta(alpha=1.5,beta=0.5,stabilizer=0.001);"
    "#-1=epsilon(epsilon=0.1,zero_bias=true);#2=gamma(gamma=0.3)", NULL);
  g_autoptr(LrpComposite) edited = lrp_composite_copy (c);
  g_autoptr(GPtrArray) before = layers_of (c);
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GError) error = NULL;

  for (guint n = 0; n < before->len; n++)
    {
      g_assert_true (lrp_composite_set_layer_rule (edited, layer (before, n)->name,
                                                   layer (before, n)->rule_text, &error));
      g_assert_no_error (error);
    }
  after = layers_of (edited);
  for (guint n = 0; n < before->len; n++)
    {
      LrpLayer *a = layer (before, n), *b = layer (after, n);

      g_assert_cmpstr (a->rule_text, ==, b->rule_text);
      g_assert_cmpfloat (a->gamma, ==, b->gamma);
      g_assert_cmpfloat (a->stabilizer, ==, b->stabilizer);
      g_assert_cmpint (a->zero_bias, ==, b->zero_bias);
      g_assert_cmpint (a->overridden, ==, b->overridden);
    }
  g_assert_cmpstr (layer (before, CONV2)->rule_text, ==,
                   "alpha_beta(alpha=1.5,beta=0.5,stabilizer=0.001)");
  g_assert_cmpstr (layer (before, DENSE2)->rule_text, ==,
                   "epsilon(epsilon=0.1,zero_bias=true)");
}

static void
test_set_layer_rule (void)
{
  g_autoptr(LrpComposite) preset = lrp_composite_parse ("epsilon_gamma_box", NULL);
  g_autoptr(LrpComposite) c = lrp_composite_copy (preset);
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL, *json_after = NULL;
  guint len;

  /* A dragged slider: the entry is replaced, the map does not grow. */
  g_assert_true (lrp_composite_set_layer_rule (c, "features.2", "gamma(gamma=0.4)", &error));
  len = c->entries->len;
  g_assert_true (lrp_composite_set_layer_rule (c, "features.2", "gamma(gamma=0.5)", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (c->entries->len, ==, len);
  {
    g_autoptr(GPtrArray) layers = layers_of (c);

    g_assert_cmpfloat (layer (layers, CONV2)->gamma, ==, 0.5);
    g_assert_true (layer (layers, CONV2)->overridden);
    g_assert_false (layer (layers, CONV1)->overridden);
  }
  /* The copy is independent. */
  {
    g_autoptr(GPtrArray) layers = layers_of (preset);

    g_assert_cmpfloat (layer (layers, CONV2)->gamma, ==, 0.25);
  }
  /* Set last, it wins over an earlier entry for all Convs. */
  g_assert_true (lrp_composite_set_layer_rule (c, "features.0", "flat", &error));
  {
    g_autoptr(LrpComposite) more = lrp_composite_parse ("epsilon_gamma_box;conv=zplus", NULL);
    g_autoptr(GPtrArray) layers = NULL;

    g_assert_true (lrp_composite_set_layer_rule (more, "features.0", "flat", &error));
    layers = layers_of (more);
    g_assert_cmpstr (layer (layers, CONV1)->rule, ==, "flat");
    g_assert_cmpstr (layer (layers, CONV2)->rule, ==, "zplus");
  }

  /* Bad text: an error naming it, the composite unchanged. */
  json = lrp_composite_to_json (c);
  g_assert_false (lrp_composite_set_layer_rule (c, "features.2", "gamma(gamma=-1)", &error));
  g_assert_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES);
  g_assert_nonnull (strstr (error->message, "negative"));
  g_assert_nonnull (strstr (error->message, "features.2"));
  g_clear_error (&error);
  g_assert_false (lrp_composite_set_layer_rule (c, "features.2", "alpha_beta(alpha=3)", &error));
  g_assert_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES);
  g_assert_nonnull (strstr (error->message, "alpha − beta = 1"));
  g_clear_error (&error);
  g_assert_false (lrp_composite_set_layer_rule (c, "features.2", "zbox(low=1)", &error));
  g_assert_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES);
  g_clear_error (&error);
  g_assert_false (lrp_composite_set_layer_rule (c, "features.2", "gama", &error));
  g_assert_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES);
  g_clear_error (&error);
  json_after = lrp_composite_to_json (c);
  g_assert_cmpstr (json, ==, json_after);

  /* NULL and "" take the override away: back to the preset. */
  g_assert_true (lrp_composite_set_layer_rule (c, "features.2", NULL, &error));
  g_assert_true (lrp_composite_set_layer_rule (c, "features.0", "", &error));
  {
    g_autoptr(GPtrArray) layers = layers_of (c);

    for (guint n = 0; n < layers->len; n++)
      g_assert_false (layer (layers, n)->overridden);
    g_assert_cmpuint (c->entries->len, ==, preset->entries->len);
  }
}

static void
assert_same_rules (const LrpComposite *a,
                   const LrpComposite *b)
{
  g_autoptr(GPtrArray) la = layers_of (a);
  g_autoptr(GPtrArray) lb = layers_of (b);
  g_autoptr(LrpModel) model = lrp_test_model_small_cnn ();
  g_autofree LrpRule *ra = g_new0 (LrpRule, lrp_model_get_n_nodes (model));
  g_autofree LrpRule *rb = g_new0 (LrpRule, lrp_model_get_n_nodes (model));

  g_assert_true (lrp_composite_assign (a, model, ra, NULL));
  g_assert_true (lrp_composite_assign (b, model, rb, NULL));
  for (int n = 0; n < lrp_model_get_n_nodes (model); n++)
    {
      g_assert_true (_lrp_rule_equal (&ra[n], &rb[n]));
      g_assert_cmpint (layer (la, n)->overridden, ==, layer (lb, n)->overridden);
    }
  g_assert_cmpstr (lrp_composite_get_name (a), ==, lrp_composite_get_name (b));
}

/* JSON written, read back: the same rule for every layer, the same preset. */
static void
test_to_json_round_trip (void)
{
  static const char *const maps[] = {
    "epsilon_plus",
    "conv=gamma(gamma=0.1)",
    "epsilon_gamma_box;conv=gamma(gamma=0.3333333);#0=zbox(low=-1.1,-2,-3,high=1,2,3.3)",
    "montavon2019;name:classifier.*=lrp0;#-1=epsilon(epsilon=0.01,stabilizer=1e-9)",
    "epsilon_alpha2_beta1_flat;#1=alpha_beta(alpha=1,beta=0,zero_bias=true);name:x\"y\\\\z=flat",
    "{\"rules\": [{\"position\": -2, \"rule\": \"wsquare\", \"gamma\": 0.7}]}",
    "epsilon;#0=zbox;dense=zplus;first=norm;upper_conv=pass;first_conv=gradient",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (maps); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LrpComposite) c = lrp_composite_parse (maps[i], &error);
      g_autofree char *json = NULL, *json2 = NULL;
      g_autoptr(LrpComposite) back = NULL;

      g_assert_no_error (error);
      json = lrp_composite_to_json (c);
      back = lrp_composite_parse (json, &error);
      g_assert_no_error (error);
      assert_same_rules (c, back);
      json2 = lrp_composite_to_json (back);
      g_assert_cmpstr (json, ==, json2);
    }

  /* A preset whose parameters were changed, and an edited map. */
  {
    g_autoptr(LrpComposite) c = lrp_composite_parse ("epsilon_gamma_box;#-1=lrp0", NULL);
    g_autoptr(LrpComposite) back = NULL;
    g_autofree char *json = NULL;

    g_assert_true (lrp_composite_set_param (c, "gamma", "0.75", NULL));
    g_assert_true (lrp_composite_set_param (c, "low", "-1", NULL));
    g_assert_true (lrp_composite_set_param (c, "high", "1", NULL));
    g_assert_true (lrp_composite_set_layer_rule (c, "features.2", "flat(zero_bias=true)", NULL));
    json = lrp_composite_to_json (c);
    back = lrp_composite_parse (json, NULL);
    g_assert_nonnull (back);
    assert_same_rules (c, back);
  }
}

static void
test_check_model (void)
{
  static const struct { const char *spec; const char *needle; } bad[] = {
    { "epsilon_plus;#4=flat", "entry 2 (“#4=flat”)" },
    { "epsilon_plus;#-5=flat", "4 Conv/dense layers" },
    { "conv=flat;name:nothing*=zplus", "entry 2 (“name:nothing*=zplus”)" },
  };
  static const char *const good[] = {
    "epsilon_plus;#3=flat;#-4=flat;name:features.?=zplus;first=flat", "epsilon_gamma_box",
  };
  g_autoptr(LrpModel) model = lrp_test_model_small_cnn ();

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LrpComposite) c = lrp_composite_parse (bad[i].spec, NULL);

      g_assert_false (lrp_composite_check_model (c, model, &error));
      g_assert_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES);
      if (strstr (error->message, bad[i].needle) == NULL)
        g_error ("“%s” gave “%s”, which does not mention “%s”", bad[i].spec, error->message,
                 bad[i].needle);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LrpComposite) c = lrp_composite_parse (good[i], NULL);

      g_assert_true (lrp_composite_check_model (c, model, &error));
      g_assert_no_error (error);
    }
  /* A layer named by the editor that the model lacks. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LrpComposite) c = lrp_composite_parse ("epsilon_plus", NULL);

    g_assert_true (lrp_composite_set_layer_rule (c, "fc9", "flat", NULL));
    g_assert_false (lrp_composite_check_model (c, model, &error));
    g_assert_nonnull (strstr (error->message, "“fc9”"));
  }
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
  g_test_add_func ("/composite/layers/list", test_list_layers);
  g_test_add_func ("/composite/layers/rule-text-round-trip", test_rule_text_round_trip);
  g_test_add_func ("/composite/layers/set-rule", test_set_layer_rule);
  g_test_add_func ("/composite/map/to-json-round-trip", test_to_json_round_trip);
  g_test_add_func ("/composite/map/check-model", test_check_model);
  return g_test_run ();
}
