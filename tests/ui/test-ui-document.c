/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * LensDocument: the question and the undo stack of rule edits.
 */
#include "config.h"

#include "lens-document.h"

#define MODEL "resource:///org/lrplens/Lens/models/fashion-cnn.onnx"
#define IMAGE "resource:///org/lrplens/Lens/images/fmnist-0-ankle-boot.png"

typedef struct
{
  LensDocument *doc;
  LrpModel *model;
  LrpTensor *input;
} Fixture;

static void
fixture_set_up (Fixture *fx,
                gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fx->model = lrp_model_load (MODEL, NULL, &error);
  g_assert_no_error (error);
  fx->input = lrp_model_load_input (fx->model, IMAGE, &error);
  g_assert_no_error (error);
  fx->doc = lens_document_new ();
  lens_document_set_source (fx->doc, fx->model, MODEL, fx->input, NULL, IMAGE);
}

static void
fixture_tear_down (Fixture *fx,
                   gconstpointer data)
{
  g_object_unref (fx->doc);
  lrp_model_unref (fx->model);
  lrp_tensor_unref (fx->input);
}

/* The first Conv's name, whatever the bundled model calls it. */
static char *
first_conv (Fixture *fx)
{
  g_autoptr(GPtrArray) layers = lrp_composite_list_layers (
    lens_document_get_composite (fx->doc), fx->model, NULL);

  for (guint i = 0; i < layers->len; i++)
    {
      LrpLayer *l = g_ptr_array_index (layers, i);

      if (g_str_equal (l->op_type, "Conv"))
        return g_strdup (l->name);
    }
  g_assert_not_reached ();
}

static char *
rule_of (Fixture *fx,
         const char *name)
{
  g_autoptr(GPtrArray) layers = lrp_composite_list_layers (
    lens_document_get_composite (fx->doc), fx->model, NULL);

  for (guint i = 0; i < layers->len; i++)
    {
      LrpLayer *l = g_ptr_array_index (layers, i);

      if (g_str_equal (l->name, name))
        return g_strdup (l->rule_text);
    }
  return NULL;
}

static void
test_settings_follow_changes (Fixture *fx,
                              gconstpointer data)
{
  guint gen = lens_document_get_generation (fx->doc);
  g_autoptr(LensSettings) s = NULL;

  lens_document_set_class (fx->doc, 4);
  lens_document_set_contrast (fx->doc, 6);
  lens_document_set_start (fx->doc, LRP_START_ONE);
  g_assert_cmpuint (lens_document_get_generation (fx->doc), ==, gen + 3);
  /* Setting what is already set is no change. */
  lens_document_set_class (fx->doc, 4);
  g_assert_cmpuint (lens_document_get_generation (fx->doc), ==, gen + 3);

  s = lens_document_dup_settings (fx->doc);
  g_assert_cmpint (s->target.class_index, ==, 4);
  g_assert_cmpint (s->target.contrast_class, ==, 6);
  g_assert_cmpint (s->target.start, ==, LRP_START_ONE);
  g_assert_cmpuint (s->generation, ==, gen + 3);
  /* The settings are a copy: later edits do not reach a running job. */
  lens_document_set_preset (fx->doc, "epsilon_gamma_box", NULL);
  g_assert_cmpstr (lrp_composite_get_name (s->composite), ==, "epsilon_plus");
}

static void
test_undo_redo (Fixture *fx,
                gconstpointer data)
{
  g_autofree char *conv = first_conv (fx);
  g_autofree char *original = rule_of (fx, conv);
  g_autofree char *edited = NULL, *undone = NULL, *redone = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (lens_document_can_undo (fx->doc));
  g_assert_true (lens_document_set_layer_rule (fx->doc, conv, "gamma(gamma=0.5)", &error));
  g_assert_no_error (error);
  edited = rule_of (fx, conv);
  g_assert_true (g_str_has_prefix (edited, "gamma"));
  g_assert_true (lens_document_can_undo (fx->doc));

  g_assert_true (lens_document_undo (fx->doc));
  undone = rule_of (fx, conv);
  g_assert_cmpstr (undone, ==, original);
  g_assert_true (lens_document_can_redo (fx->doc));
  g_assert_true (lens_document_redo (fx->doc));
  redone = rule_of (fx, conv);
  g_assert_cmpstr (redone, ==, edited);
  g_assert_false (lens_document_redo (fx->doc));

  /* A preset is an edit too, undone back to the layer rule. */
  g_assert_true (lens_document_set_preset (fx->doc, "epsilon_gamma_box", NULL));
  g_assert_cmpstr (lens_document_get_preset (fx->doc), ==, "epsilon_gamma_box");
  g_assert_true (lens_document_undo (fx->doc));
  g_assert_cmpstr (lens_document_get_preset (fx->doc), ==, "epsilon_plus");
}

/* Dragging a parameter is one step of undo, not one per value. */
static void
test_edits_of_one_layer_merge (Fixture *fx,
                               gconstpointer data)
{
  g_autofree char *conv = first_conv (fx);
  g_autofree char *original = rule_of (fx, conv);
  g_autofree char *back = NULL;

  for (int i = 1; i <= 20; i++)
    {
      g_autofree char *rule = g_strdup_printf ("gamma(gamma=%d)", i);

      g_assert_true (lens_document_set_layer_rule (fx->doc, conv, rule, NULL));
    }
  g_assert_true (lens_document_undo (fx->doc));
  back = rule_of (fx, conv);
  g_assert_cmpstr (back, ==, original);
  g_assert_false (lens_document_can_undo (fx->doc));
}

static void
test_bad_rule_changes_nothing (Fixture *fx,
                               gconstpointer data)
{
  g_autofree char *conv = first_conv (fx);
  guint gen = lens_document_get_generation (fx->doc);
  g_autoptr(GError) error = NULL;

  g_assert_false (lens_document_set_layer_rule (fx->doc, conv, "gamma(gamma=banana)", &error));
  g_assert_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES);
  g_clear_error (&error);
  g_assert_false (lens_document_set_layer_rule (fx->doc, "no-such-layer", "zplus", &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "no-such-layer"));
  g_clear_error (&error);
  g_assert_false (lens_document_set_preset (fx->doc, "epsilon_banana", &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (lens_document_get_generation (fx->doc), ==, gen);
  g_assert_false (lens_document_can_undo (fx->doc));
}

/* A new image goes back to the predicted class; a new model also drops
 * the per-layer edits (its layers have other names) but keeps the preset. */
static void
test_new_source_resets_question (Fixture *fx,
                                 gconstpointer data)
{
  g_autofree char *conv = first_conv (fx);
  g_autoptr(LrpModel) other = lrp_model_load (
    "resource:///org/lrplens/Lens/models/fashion-mlp.onnx", NULL, NULL);
  g_autoptr(LrpTensor) input = lrp_model_load_input (other, IMAGE, NULL);

  lens_document_set_preset (fx->doc, "epsilon_gamma_box", NULL);
  lens_document_set_layer_rule (fx->doc, conv, "zplus", NULL);
  lens_document_set_class (fx->doc, 3);
  lens_document_set_source (fx->doc, fx->model, MODEL, fx->input, NULL, IMAGE);
  g_assert_cmpint (lens_document_get_class (fx->doc), ==, -1);
  g_assert_true (lens_document_can_undo (fx->doc));

  lens_document_set_source (fx->doc, other, "mlp", input, NULL, IMAGE);
  g_assert_cmpstr (lens_document_get_preset (fx->doc), ==, "epsilon_gamma_box");
  g_assert_false (lens_document_can_undo (fx->doc));
  g_assert_true (lrp_composite_check_model (lens_document_get_composite (fx->doc), other, NULL));
}

/* A loaded map has no preset behind it: on another model it stays if it
 * fits, else the window falls back to a preset, never to no rules. */
static void
test_loaded_map_on_new_model (Fixture *fx,
                              gconstpointer data)
{
  g_autofree char *conv = first_conv (fx);
  g_autofree char *by_kind = g_strdup ("{\"rules\": [{\"layers\": \"conv\", \"rule\": \"zplus\"},"
                                       " {\"layers\": \"dense\", \"rule\": \"epsilon\"}]}");
  g_autofree char *by_name = g_strdup_printf ("epsilon_plus;name:%s=flat", conv);
  g_autoptr(LrpModel) mlp = lrp_model_load (
    "resource:///org/lrplens/Lens/models/fashion-mlp.onnx", NULL, NULL);
  g_autoptr(LrpTensor) input = lrp_model_load_input (mlp, IMAGE, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (lens_document_set_rules (fx->doc, by_kind, &error));
  g_assert_no_error (error);
  lens_document_set_source (fx->doc, mlp, "mlp", input, NULL, IMAGE);
  g_assert_nonnull (lens_document_get_composite (fx->doc));
  g_assert_true (lrp_composite_check_model (lens_document_get_composite (fx->doc), mlp, NULL));

  lens_document_set_source (fx->doc, fx->model, MODEL, fx->input, NULL, IMAGE);
  g_assert_true (lens_document_set_rules (fx->doc, by_name, &error));
  g_assert_no_error (error);
  lens_document_set_source (fx->doc, mlp, "mlp", input, NULL, IMAGE);
  g_assert_nonnull (lens_document_get_composite (fx->doc));
  g_assert_true (lrp_composite_check_model (lens_document_get_composite (fx->doc), mlp, NULL));
  g_assert_nonnull (lens_document_get_preset (fx->doc));
}

int
main (int argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  lrp_init ();
  g_test_add ("/ui/document/settings", Fixture, NULL, fixture_set_up,
              test_settings_follow_changes, fixture_tear_down);
  g_test_add ("/ui/document/undo-redo", Fixture, NULL, fixture_set_up, test_undo_redo,
              fixture_tear_down);
  g_test_add ("/ui/document/merge", Fixture, NULL, fixture_set_up,
              test_edits_of_one_layer_merge, fixture_tear_down);
  g_test_add ("/ui/document/bad-rule", Fixture, NULL, fixture_set_up,
              test_bad_rule_changes_nothing, fixture_tear_down);
  g_test_add ("/ui/document/new-source", Fixture, NULL, fixture_set_up,
              test_new_source_resets_question, fixture_tear_down);
  g_test_add ("/ui/document/loaded-map-new-model", Fixture, NULL, fixture_set_up,
              test_loaded_map_on_new_model, fixture_tear_down);
  return g_test_run ();
}
