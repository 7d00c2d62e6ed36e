/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Decisions float32 cannot make, made as exact arithmetic makes them
 * (lrp-near-ties.c, lrp-exact.c): a MaxPool window whose two largest values differ by less
 * than float32 resolves, a ReLU whose input cancels to float32 zero, and
 * the double-precision recomputation they rest on.
 */
#include "config.h"

#include "lrp-exact-private.h"
#include "lrp-explain-private.h"
#include "lrp-test-onnx.h"
#include "lrp-test-util.h"

#include <math.h>

#define TINY (1.0f / (1 << 30))          /* 2^-30: lost when added to 1 in float32 */

/* x[1, 3, 2, 2] → Conv 1×1 (weights 1, 1, 1) → @then → Flatten → y. */
static LrpModel *
sum_of_channels (const char *then)
{
  static const int64_t xs[] = { 1, 3, 2, 2 }, ws[] = { 1, 3, 1, 1 };
  static const int64_t kernel[] = { 2, 2 };
  static const float w[] = { 1, 1, 1 };
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  LrpModel *model;

  lrp_test_graph_input (g, "x", 4, xs);
  lrp_test_graph_initializer (g, "w", 4, ws, w);
  lrp_test_graph_node (g, "Conv", "conv", "x,w", "s");
  lrp_test_graph_node (g, then, "then", "s", "h");
  if (g_str_equal (then, "MaxPool"))
    lrp_test_graph_attr_ints (g, "kernel_shape", 2, kernel);
  lrp_test_graph_node (g, "Flatten", "flat", "h", "y");
  lrp_test_graph_output (g, "y");
  bytes = lrp_test_graph_pack (g);
  model = lrp_model_load_bytes (bytes, "sum.onnx", NULL, &error);
  g_assert_no_error (error);
  return model;
}

/* Input pixels (row-major positions 0..3), 3 channels each. */
static LrpTensor *
pixels (const float (*rgb)[3])
{
  static const int64_t xs[] = { 1, 3, 2, 2 };
  LrpTensor *x = lrp_tensor_new_float (4, xs);

  for (int p = 0; p < 4; p++)
    for (int c = 0; c < 3; c++)
      lrp_tensor_f (x)[c * 4 + p] = rgb[p][c];
  return x;
}

static LrpTensor *
forward_value (LrpModel *model,
               LrpTensor *x,
               const char *name)
{
  g_autoptr(LrpRun) run = lrp_run_new (model);

  g_assert_true (lrp_run_forward (run, x, NULL, NULL));
  return lrp_tensor_ref (lrp_run_get_value (run, lrp_model_find_value (model, name)));
}

static const float *
relevance (LrpExplainer *e)
{
  return lrp_tensor_f (lrp_explainer_get_relevance (e, NULL));
}

/* Pixel 0 sums to 1; pixel 1 to 1 + 2^-30, which float32 rounds to 1.
 * Exact arithmetic's maximum is pixel 1, and gets everything. */
static void
test_maxpool_near_tie (void)
{
  static const float rgb[4][3] = { { 1, 0, 0 }, { 1, TINY, 0 }, { 0.5f, 0, 0 }, { 0.25f, 0, 0 } };
  g_autoptr(LrpModel) model = sum_of_channels ("MaxPool");
  g_autoptr(LrpTensor) x = pixels (rgb);
  g_autoptr(LrpTensor) s = forward_value (model, x, "s");
  g_autoptr(LrpExplainer) e = lrp_explainer_new (model, x, NULL, NULL);
  g_autoptr(LrpComposite) epsilon = lrp_composite_parse ("epsilon", NULL);
  LrpTarget t = LRP_TARGET_INIT;

  /* The premise: float32 sees a tie, which it would give to pixel 0. */
  g_assert_cmpfloat (lrp_tensor_f (s)[0], ==, lrp_tensor_f (s)[1]);

  g_assert_true (lrp_explainer_baseline (e, LRP_BASELINE_GRADIENT, &t, 1, 0, NULL, NULL));
  for (int c = 0; c < 3; c++)
    {
      g_assert_cmpfloat (relevance (e)[c * 4 + 0], ==, 0);
      g_assert_cmpfloat (relevance (e)[c * 4 + 1], !=, 0);
    }
  g_assert_true (lrp_explainer_explain (e, epsilon, &t, NULL, NULL));
  g_assert_cmpfloat (relevance (e)[0], ==, 0);
  g_assert_cmpfloat_with_epsilon (relevance (e)[1], 1, 1e-5);
}

/* Pixel 0 sums to 2^-30, which float32 cancels to 0 (1 + 2^-30 − 1, in
 * the order the product adds): the ReLU is open in exact arithmetic, and
 * the gradient passes.  Pixel 1 sums to −2^-30 and stays closed. */
static void
test_relu_gate_near_zero (void)
{
  static const float rgb[4][3] = {
    { 1, TINY, -1 }, { 1, -TINY, -1 }, { 0.5f, 0, 0 }, { -0.5f, 0, 0 },
  };
  g_autoptr(LrpModel) model = sum_of_channels ("Relu");
  g_autoptr(LrpTensor) x = pixels (rgb);
  g_autoptr(LrpTensor) s = forward_value (model, x, "s");
  g_autoptr(LrpExplainer) e = lrp_explainer_new (model, x, NULL, NULL);
  LrpTarget t = LRP_TARGET_INIT;

  /* The premise: float32 lost the 2^-30 (else there is nothing to test). */
  g_assert_cmpfloat (lrp_tensor_f (s)[0], ==, 0);
  t.class_index = 0;
  t.start = LRP_START_ONE;
  g_assert_true (lrp_explainer_baseline (e, LRP_BASELINE_GRADIENT, &t, 1, 0, NULL, NULL));
  for (int c = 0; c < 3; c++)
    g_assert_cmpfloat (relevance (e)[c * 4 + 0], ==, 1);
  t.class_index = 1;
  g_assert_true (lrp_explainer_baseline (e, LRP_BASELINE_GRADIENT, &t, 1, 0, NULL, NULL));
  for (int c = 0; c < 3; c++)
    g_assert_cmpfloat (relevance (e)[c * 4 + 1], ==, 0);
}

/* The double-precision values agree with the float32 forward pass to its
 * rounding, at every tensor the recomputation follows. */
static void
check_values (LrpModel *model,
              LrpTensor *x,
              int want_checked)
{
  g_autoptr(LrpRun) run = lrp_run_new (model);
  int checked = 0;

  g_assert_true (lrp_run_forward (run, x, NULL, NULL));
  for (int v = 0; v < model->n_values; v++)
    {
      const LrpTensor *meta = model->values[v].tensor;
      g_autofree double *exact = NULL;
      LrpTensor *f;
      double scale = 0, worst = 0;

      if (meta->rank != 4 || model->values[v].producer < 0 || meta->dtype != LRP_DTYPE_FLOAT)
        continue;
      exact = lrp_exact_value (run, v, NULL);
      if (exact == NULL)
        continue;
      f = lrp_run_get_value (run, v);
      for (int64_t i = 0; i < f->n; i++)
        scale = MAX (scale, fabs (exact[i]));
      for (int64_t i = 0; i < f->n; i++)
        worst = MAX (worst, fabs (lrp_tensor_f (f)[i] - exact[i]));
      if (worst > 1e-5 * scale)
        g_error ("%s: float32 and double differ by %g of %g", model->values[v].name, worst, scale);
      checked++;
    }
  g_assert_cmpint (checked, >=, want_checked);
}

static void
test_values_small_cnn (void)
{
  static const int64_t xs[] = { 1, 3, 4, 4 };
  g_autoptr(LrpModel) model = lrp_test_model_small_cnn ();
  g_autoptr(LrpTensor) x = lrp_tensor_new_random (4, xs, 11);

  check_values (model, x, 4);
}

/* The bundled models: BatchNorm, MaxPool, residual sums, 1×1 shortcuts. */
static void
test_values_bundled (void)
{
  const char *names[] = { "fashion-cnn", "fashion-resnet" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *file = g_strconcat (names[i], ".onnx", NULL);
      g_autofree char *path = g_build_filename (g_getenv ("LRPLENS_SOURCE_DIR"), "resources",
                                                "models", file, NULL);
      g_autofree char *image = g_build_filename (g_getenv ("LRPLENS_SOURCE_DIR"), "resources",
                                                 "images", "fmnist-0-ankle-boot.png", NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(LrpModel) model = lrp_model_load (path, NULL, &error);
      g_autoptr(LrpTensor) x = NULL;

      g_assert_no_error (error);
      x = lrp_model_load_input (model, image, &error);
      g_assert_no_error (error);
      check_values (model, x, 8);
    }
}

/* An op without a double form on the way: nothing is claimed. */
static void
test_unsupported_below (void)
{
  static const int64_t xs[] = { 1, 3, 2, 2 };
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(LrpModel) model = NULL;
  g_autoptr(LrpTensor) x = lrp_tensor_new_random (4, xs, 2);
  g_autoptr(LrpRun) run = NULL;

  lrp_test_graph_input (g, "x", 4, xs);
  lrp_test_graph_node (g, "Sigmoid", "squash", "x", "y");
  lrp_test_graph_output (g, "y");
  bytes = lrp_test_graph_pack (g);
  model = lrp_model_load_bytes (bytes, "sigmoid.onnx", NULL, NULL);
  run = lrp_run_new (model);
  g_assert_true (lrp_run_forward (run, x, NULL, NULL));
  g_assert_null (lrp_exact_value (run, lrp_model_find_value (model, "y"), NULL));
}

int
main (int argc,
      char **argv)
{
  lrp_test_init (&argc, &argv);
  g_test_add_func ("/exact/maxpool-near-tie", test_maxpool_near_tie);
  g_test_add_func ("/exact/relu-gate-near-zero", test_relu_gate_near_zero);
  g_test_add_func ("/exact/values/small-cnn", test_values_small_cnn);
  g_test_add_func ("/exact/values/bundled", test_values_bundled);
  g_test_add_func ("/exact/unsupported-below", test_unsupported_below);
  return g_test_run ();
}
