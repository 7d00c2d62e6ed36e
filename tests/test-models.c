/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The bundled models (resources/models, made by tools/train_models.py):
 * each loads with its metadata, predicts every bundled image as PyTorch
 * did at export (logits within 1e-4, stored in MODEL.expected.json), with
 * the accuracy the script reported on them, and can be explained. Their
 * layers and tensors carry the names of the PyTorch modules (conv1, fc2),
 * which the app shows to students.
 */
#include "config.h"

#include "lrp-graph-private.h"
#include "lrp-test-util.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

static char *source_dir;

static void
test_model (gconstpointer data)
{
  const char *name = data;
  g_autofree char *file = g_strconcat (name, ".onnx", NULL);
  g_autofree char *expected_file = g_strconcat (name, ".expected.json", NULL);
  g_autofree char *path = g_build_filename (source_dir, "resources", "models", file, NULL);
  g_autofree char *expected = g_build_filename (source_dir, "resources", "models",
                                                expected_file, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = lrp_model_load (path, NULL, &error);
  g_autoptr(GList) images = NULL;
  JsonObject *root, *by_image;
  int correct = 0, total = 0;
  double worst = 0;

  g_assert_no_error (error);
  g_assert_cmpint (lrp_model_get_n_classes (model), ==, 10);
  g_assert_cmpstr (lrp_model_get_label (model, 9), ==, "Ankle boot");
  g_assert_true (lrp_model_check_explainable (model, &error));
  g_assert_true (json_parser_load_from_file (parser, expected, &error));
  root = json_node_get_object (json_parser_get_root (parser));
  by_image = json_object_get_object_member (root, "images");
  images = json_object_get_members (by_image);

  for (GList *l = images; l; l = l->next)
    {
      JsonObject *want = json_object_get_object_member (by_image, l->data);
      JsonArray *logits = json_object_get_array_member (want, "logits");
      g_autofree char *image = g_build_filename (source_dir, "resources", "images", l->data, NULL);
      g_autoptr(LrpTensor) x = lrp_model_load_input (model, image, &error);
      g_autoptr(LrpRun) run = lrp_run_new (model);
      const LrpTensor *y;
      int best = 0;

      g_assert_no_error (error);
      g_assert_true (lrp_run_forward (run, x, NULL, &error));
      y = lrp_run_get_output (run);
      for (int i = 0; i < 10; i++)
        {
          worst = MAX (worst, fabs (lrp_tensor_f (y)[i] - json_array_get_double_element (logits, (guint) i)));
          if (lrp_tensor_f (y)[i] > lrp_tensor_f (y)[best])
            best = i;
        }
      g_assert_cmpint (best, ==, json_object_get_int_member (want, "predicted"));
      correct += best == json_object_get_int_member (want, "label");
      total++;
    }
  g_test_message ("%s: %d images, %d correct, logits within %.1e of PyTorch's", name, total,
                  correct, worst);
  g_assert_cmpfloat (worst, <=, 1e-4);
  g_assert_cmpint (total, >=, 10);
  g_assert_cmpfloat_with_epsilon ((double) correct / total,
                                  json_object_get_double_member (root, "bundled_accuracy"), 1e-3);
}

/* Every model explains its default image: relevance at the input, of the
 * input's shape, and not all zero. */
static void
test_explain (gconstpointer data)
{
  const char *name = data;
  g_autofree char *file = g_strconcat (name, ".onnx", NULL);
  g_autofree char *path = g_build_filename (source_dir, "resources", "models", file, NULL);
  g_autofree char *image = g_build_filename (source_dir, "resources", "images",
                                             "fmnist-0-ankle-boot.png", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = lrp_model_load (path, NULL, &error);
  g_autoptr(LrpTensor) x = lrp_model_load_input (model, image, &error);
  g_autoptr(LrpExplainer) e = lrp_explainer_new (model, x, NULL, &error);
  g_autoptr(LrpComposite) c = lrp_composite_parse ("epsilon_gamma_box", &error);
  LrpTarget t = LRP_TARGET_INIT;
  const LrpTensor *r;
  double sum = 0;

  g_assert_no_error (error);
  g_assert_true (lrp_explainer_explain (e, c, &t, NULL, &error));
  g_assert_cmpint (lrp_explainer_get_class (e), ==, 9);
  r = lrp_explainer_get_relevance (e, NULL);
  g_assert_true (lrp_tensor_same_shape (r, x));
  for (int64_t i = 0; i < r->n; i++)
    sum += lrp_tensor_f (r)[i];
  g_test_message ("%s: input relevance sum %.4f", name, sum);
  g_assert_cmpfloat (fabs (sum), >, 0.1);
}

/* A BatchNorm merged into the Conv before it is the identity there: a
 * rule map naming it changes nothing (§4 of lrp-rules.md). */
static void
test_merged_batchnorm_rule (void)
{
  g_autofree char *path = g_build_filename (source_dir, "resources", "models", "fashion-cnn.onnx",
                                            NULL);
  g_autofree char *image = g_build_filename (source_dir, "resources", "images",
                                             "fmnist-17-coat.png", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = lrp_model_load (path, NULL, &error);
  g_autoptr(LrpTensor) x = lrp_model_load_input (model, image, &error);
  g_autoptr(LrpExplainer) a = lrp_explainer_new (model, x, NULL, &error);
  g_autoptr(LrpExplainer) b = lrp_explainer_new (model, x, NULL, &error);
  g_autoptr(LrpComposite) plain = lrp_composite_parse ("epsilon_plus", &error);
  g_autoptr(LrpComposite) named = lrp_composite_parse ("epsilon_plus;name:bn*=gradient", &error);
  LrpTarget t = LRP_TARGET_INIT;
  int named_bn = 0;

  g_assert_no_error (error);
  for (int n = 0; n < model->n_nodes; n++)
    named_bn += g_pattern_match_simple ("bn*", model->nodes[n].name)
                && g_str_equal (model->nodes[n].op_type, "BatchNormalization");
  g_assert_cmpint (named_bn, ==, 4);   /* the map does name them all */
  g_assert_true (lrp_explainer_explain (a, plain, &t, NULL, &error));
  g_assert_true (lrp_explainer_explain (b, named, &t, NULL, &error));
  g_assert_cmpfloat (lrp_test_rel_error (lrp_explainer_get_relevance (a, NULL),
                                         lrp_explainer_get_relevance (b, NULL)), <=, 1e-6);
}

/* The Conv and Gemm layers of each bundled model, in graph order, by the
 * names of the modules in tools/train_models.py. */
static const struct
{
  const char *model;
  const char *layers;
} layer_names[] = {
  { "fashion-cnn", "conv1 conv2 conv3 conv4 fc1 fc2" },
  { "fashion-resnet", "stem.conv block1.conv1 block1.conv2 block2.shortcut.conv block2.conv1 "
                      "block2.conv2 block3.shortcut.conv block3.conv1 block3.conv2 fc" },
  { "fashion-mlp", "fc1 fc2 fc3" },
};

/* Readable names: the Conv/Gemm layers as above, and no node or tensor
 * named the way torch.onnx does it ("/3/Conv", "/3/Conv_output_0"). */
static void
test_layer_names (gconstpointer data)
{
  const char *name = data;
  g_autofree char *file = g_strconcat (name, ".onnx", NULL);
  g_autofree char *path = g_build_filename (source_dir, "resources", "models", file, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = lrp_model_load (path, NULL, &error);
  g_autoptr(GString) layers = g_string_new (NULL);
  const char *want = NULL;

  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (layer_names); i++)
    if (g_str_equal (layer_names[i].model, name))
      want = layer_names[i].layers;
  g_assert_nonnull (want);
  for (int n = 0; n < model->n_nodes; n++)
    {
      const LrpNode *node = &model->nodes[n];

      g_assert_cmpstr (strchr (node->name, '/') ? node->name : "", ==, "");
      if (g_str_equal (node->op_type, "Conv") || g_str_equal (node->op_type, "Gemm"))
        g_string_append_printf (layers, "%s%s", layers->len ? " " : "", node->name);
    }
  for (int v = 0; v < model->n_values; v++)
    g_assert_cmpstr (strchr (model->values[v].name, '/') ? model->values[v].name : "", ==, "");
  g_assert_cmpstr (layers->str, ==, want);
  g_assert_cmpstr (model->values[model->inputs[0]].name, ==, "input");
  g_assert_cmpstr (model->values[model->outputs[0]].name, ==, "logits");
}

int
main (int argc,
      char **argv)
{
  static const char *models[] = { "fashion-cnn", "fashion-resnet", "fashion-mlp" };

  lrp_test_init (&argc, &argv);
  source_dir = lrp_test_dir_from_env ("LRPLENS_SOURCE_DIR");
  g_assert_nonnull (source_dir);
  for (gsize i = 0; i < G_N_ELEMENTS (models); i++)
    {
      g_autofree char *p = g_strdup_printf ("/models/%s/predict", models[i]);
      g_autofree char *q = g_strdup_printf ("/models/%s/explain", models[i]);
      g_autofree char *r = g_strdup_printf ("/models/%s/layer-names", models[i]);

      g_test_add_data_func (p, models[i], test_model);
      g_test_add_data_func (q, models[i], test_explain);
      g_test_add_data_func (r, models[i], test_layer_names);
    }
  g_test_add_func ("/models/fashion-cnn/merged-batchnorm-rule", test_merged_batchnorm_rule);
  return g_test_run ();
}
