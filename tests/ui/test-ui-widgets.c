/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The runner and the widgets that show its results: the newest request
 * wins, a cancel keeps the last finished result, colours change without
 * recomputing, the lists show what the result holds.
 */
#include "config.h"

#include "lens-heatmap-view.h"
#include "lens-layer-item.h"
#include "lens-layer-list.h"
#include "lens-prediction-list.h"
#include "lens-rule-editor.h"
#include "lens-runner.h"

#include <gtk/gtk.h>
#include <math.h>

#define MODEL "resource:///org/lrplens/Lens/models/fashion-cnn.onnx"
#define IMAGE "resource:///org/lrplens/Lens/images/fmnist-17-coat.png"

typedef struct
{
  LensDocument *doc;
  LensRunner *runner;
  LrpModel *model;
  LrpTensor *input;
  cairo_surface_t *view;
} Fixture;

static void
wait_idle (Fixture *fx)
{
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while ((lens_runner_get_busy (fx->runner) || lens_runner_get_result (fx->runner) == NULL
          || lens_runner_get_result (fx->runner)->generation
             != lens_document_get_generation (fx->doc))
         && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (lens_runner_get_busy (fx->runner));
}

static void
fixture_set_up (Fixture *fx,
                gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fx->model = lrp_model_load (MODEL, NULL, &error);
  g_assert_no_error (error);
  fx->input = lrp_model_load_input (fx->model, IMAGE, &error);
  g_assert_no_error (error);
  fx->view = lrp_model_load_view (fx->model, IMAGE, &error);
  g_assert_no_error (error);
  fx->doc = lens_document_new ();
  fx->runner = lens_runner_new (fx->doc);
  lens_document_set_source (fx->doc, fx->model, MODEL, fx->input, fx->view, IMAGE);
  wait_idle (fx);
}

static void
fixture_tear_down (Fixture *fx,
                   gconstpointer data)
{
  g_object_unref (fx->runner);
  g_object_unref (fx->doc);
  lrp_model_unref (fx->model);
  lrp_tensor_unref (fx->input);
  cairo_surface_destroy (fx->view);
}

/* The explanation computed without the runner, for the same settings. */
static LrpTensor *
direct (Fixture *fx)
{
  g_autoptr(LensSettings) s = lens_document_dup_settings (fx->doc);
  g_autoptr(LrpExplainer) e = lrp_explainer_new (fx->model, fx->input, NULL, NULL);

  g_assert_true (lrp_explainer_explain (e, s->composite, &s->target, NULL, NULL));
  return lrp_tensor_ref (lrp_explainer_get_relevance (e, NULL));
}

static void
assert_same_tensor (LrpTensor *a,
                    LrpTensor *b)
{
  g_assert_cmpint (lrp_tensor_get_n_elements (a), ==, lrp_tensor_get_n_elements (b));
  g_assert_cmpmem (lrp_tensor_get_data (a), lrp_tensor_get_n_elements (a) * sizeof (float),
                   lrp_tensor_get_data (b), lrp_tensor_get_n_elements (b) * sizeof (float));
}

static char *
first_conv (Fixture *fx)
{
  LensResult *r = lens_runner_get_result (fx->runner);

  for (guint i = 0; i < r->layers->len; i++)
    if (g_str_equal (((LrpLayer *) g_ptr_array_index (r->layers, i))->op_type, "Conv"))
      return g_strdup (((LrpLayer *) g_ptr_array_index (r->layers, i))->name);
  g_assert_not_reached ();
}

static void
test_runner_result_matches_engine (Fixture *fx,
                                   gconstpointer data)
{
  LensResult *r = lens_runner_get_result (fx->runner);
  g_autoptr(LrpTensor) expected = direct (fx);
  double total = 0;

  g_assert_cmpint (r->class_index, ==, r->ranking[0]);
  assert_same_tensor (r->relevance, expected);
  for (int c = 0; c < r->n_classes; c++)
    total += r->probabilities[c];
  g_assert_cmpfloat (fabs (total - 1), <, 1e-9);
  g_assert_cmpuint (r->layers->len, ==, lrp_model_get_n_nodes (fx->model));
  g_assert_true (isfinite (r->start_sum));

  lens_document_set_class (fx->doc, 2);
  wait_idle (fx);
  r = lens_runner_get_result (fx->runner);
  g_assert_cmpint (r->class_index, ==, 2);
  {
    g_autoptr(LrpTensor) again = direct (fx);

    assert_same_tensor (r->relevance, again);
  }
}

/* Thirty edits while a job runs: one job runs on, one more with the last
 * settings follows, nothing queues; the result is the last edit's. */
static void
test_runner_newest_wins (Fixture *fx,
                         gconstpointer data)
{
  g_autofree char *conv = first_conv (fx);
  guint runs = lens_runner_get_n_runs (fx->runner);
  g_autoptr(LrpTensor) expected = NULL;

  for (int i = 1; i <= 30; i++)
    {
      g_autofree char *rule = g_strdup_printf ("gamma(gamma=%g)", 0.1 * i);

      g_assert_true (lens_document_set_layer_rule (fx->doc, conv, rule, NULL));
      g_assert_true (lens_runner_get_busy (fx->runner));
    }
  wait_idle (fx);
  g_assert_cmpuint (lens_runner_get_n_runs (fx->runner) - runs, <=, 2);
  expected = direct (fx);
  assert_same_tensor (lens_runner_get_result (fx->runner)->relevance, expected);
}

static void
test_runner_cancel_keeps_result (Fixture *fx,
                                 gconstpointer data)
{
  LensResult *before = lens_result_ref (lens_runner_get_result (fx->runner));
  gint64 end;

  lens_document_set_class (fx->doc, 5);
  g_assert_true (lens_runner_get_busy (fx->runner));
  lens_runner_cancel (fx->runner);
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (lens_runner_get_busy (fx->runner) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (lens_runner_get_busy (fx->runner));
  /* Either the job finished before it saw the cancel (its result is the
   * current one), or the old result stays: never a partial one. */
  if (lens_runner_get_result (fx->runner) != before)
    g_assert_cmpint (lens_runner_get_result (fx->runner)->class_index, ==, 5);
  lens_result_unref (before);

  lens_document_set_class (fx->doc, 6);
  wait_idle (fx);
  g_assert_cmpint (lens_runner_get_result (fx->runner)->class_index, ==, 6);
}

/* A heatmap view of the fixture's result in a 400 × 400 window, once it
 * has drawn; *@window to destroy. */
static LensHeatmapView *
show_view (Fixture *fx,
           GtkWidget **window)
{
  LensHeatmapView *view = g_object_new (LENS_TYPE_HEATMAP_VIEW, NULL);
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  *window = gtk_window_new ();
  gtk_window_set_child (GTK_WINDOW (*window), GTK_WIDGET (view));
  gtk_window_set_default_size (GTK_WINDOW (*window), 400, 400);
  lens_heatmap_view_set_result (view, lens_runner_get_result (fx->runner));
  gtk_window_present (GTK_WINDOW (*window));
  while (lens_heatmap_view_get_n_renders (view) == 0 && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  return view;
}

/* @widget's first event controller of @type (transfer none). */
static GtkEventController *
find_controller (GtkWidget *widget,
                 GType type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (c, type))
        return GTK_EVENT_CONTROLLER (c);
    }
  return NULL;
}

static void
test_view_colours_without_recomputing (Fixture *fx,
                                       gconstpointer data)
{
  guint runs = lens_runner_get_n_runs (fx->runner);
  GtkWidget *window;
  LensHeatmapView *view = show_view (fx, &window);
  guint renders;
  gint64 end;

  g_assert_cmpuint (lens_heatmap_view_get_n_renders (view), ==, 1);

  renders = lens_heatmap_view_get_n_renders (view);
  for (const char *const *c = (const char *const[]) { "coldnhot", "gray", "france", NULL }; *c; c++)
    {
      g_object_set (view, "colormap", *c, NULL);
      end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
      while (lens_heatmap_view_get_n_renders (view) == renders && g_get_monotonic_time () < end)
        g_main_context_iteration (NULL, TRUE);
      g_assert_cmpuint (lens_heatmap_view_get_n_renders (view), ==, renders + 1);
      renders++;
    }
  /* The same value again draws nothing new. */
  g_object_set (view, "colormap", "france", "mode", "overlay", NULL);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (lens_runner_get_n_runs (fx->runner), ==, runs);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The picture's pixel under the pointer at (@x, @y), from the readout
 * ("x N, y M   R = …"), as y × 100000 + x. */
static int
pixel_at (LensHeatmapView *view,
          GtkEventController *motion,
          double x,
          double y)
{
  g_autofree char *text = NULL;
  int px = -1, py = -1;

  g_signal_emit_by_name (motion, "motion", x, y);
  g_object_get (view, "readout", &text, NULL);
  g_assert_nonnull (text);
  g_assert_cmpint (sscanf (text, "x %d, y %d", &px, &py), ==, 2);
  return py * 100000 + px;
}

/* Zooming about a point keeps the picture's pixel there; about the centre
 * (the buttons) it does not. */
static void
test_view_zoom_at_pointer (Fixture *fx,
                           gconstpointer data)
{
  GtkWidget *window;
  LensHeatmapView *view = show_view (fx, &window);
  GtkEventController *motion = find_controller (GTK_WIDGET (view),
                                                GTK_TYPE_EVENT_CONTROLLER_MOTION);
  GtkEventController *keys = find_controller (GTK_WIDGET (view), GTK_TYPE_EVENT_CONTROLLER_KEY);
  gboolean handled = FALSE;
  int before, was;

  g_assert_nonnull (motion);
  g_assert_nonnull (keys);

  /* Off the centre, on the picture (fitted to the 400 × 400 view). */
  before = pixel_at (view, motion, 260, 140);
  lens_heatmap_view_zoom_at (view, 2.0, 260, 140);
  g_assert_cmpint (pixel_at (view, motion, 260, 140), ==, before);
  /* About the centre, the pixel at that point changes (it is about three
   * picture pixels off the centre at this zoom, under one at four times it). */
  lens_heatmap_view_zoom_by (view, 4.0);
  g_assert_cmpint (pixel_at (view, motion, 260, 140), !=, before);

  /* Zoomed, the arrow keys pan by a tenth of the view: Right brings the
   * picture's right side in, so the pixel at a point moves right. */
  was = pixel_at (view, motion, 200, 200);
  g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (view)));
  /* Four tenths of the view: more than a picture pixel at 64×. */
  for (int i = 0; i < 4; i++)
    {
      g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Right, 0, 0, &handled);
      g_assert_true (handled);
    }
  g_assert_cmpint (pixel_at (view, motion, 200, 200) % 100000, >, was % 100000);
  g_assert_cmpint (pixel_at (view, motion, 200, 200) / 100000, ==, was / 100000);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The rule label of @layer's row in @rows. */
static char *
rule_label_of (GListModel *rows,
               const char *layer)
{
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(LensLayerItem) item = g_list_model_get_item (rows, i);
      const LrpLayer *l = lens_layer_item_get_layer (item);

      if (l && g_str_equal (l->name, layer))
        return lens_layer_item_dup_rule_label (item);
    }
  g_assert_not_reached ();
}

static void
test_layer_list_rows (Fixture *fx,
                      gconstpointer data)
{
  LensLayerList *list = g_object_ref_sink (g_object_new (LENS_TYPE_LAYER_LIST, NULL));
  g_autofree char *conv = first_conv (fx);
  GListModel *rows;
  LensResult *r = lens_runner_get_result (fx->runner);
  g_autoptr(LensLayerItem) top = NULL, input = NULL;
  gboolean found = FALSE;

  lens_layer_list_set_result (list, r);
  rows = lens_layer_list_get_model (list);
  /* Every node, output first, and the input last. */
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, r->layers->len + 1);
  top = g_list_model_get_item (rows, 0);
  input = g_list_model_get_item (rows, r->layers->len);
  g_assert_cmpint (lens_layer_item_get_index (top), ==, (int) r->layers->len - 1);
  g_assert_null (lens_layer_item_get_layer (input));
  g_assert_cmpfloat (fabs (lens_layer_item_get_sum (input)
                           - lrp_heatmap_get_sum (r->heatmap)), <, 1e-9);

  /* An edit marks the layer, and the rows stay the same objects. */
  lens_document_set_layer_rule (fx->doc, conv, "gamma(gamma=0.75)", NULL);
  wait_idle (fx);
  lens_layer_list_set_result (list, lens_runner_get_result (fx->runner));
  g_assert_true (g_list_model_get_item (rows, 0) == (gpointer) top);
  g_object_unref (top);
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(LensLayerItem) item = g_list_model_get_item (rows, i);
      const LrpLayer *l = lens_layer_item_get_layer (item);
      g_autofree char *label = lens_layer_item_dup_rule_label (item);

      if (l && g_str_equal (l->name, conv))
        {
          found = TRUE;
          g_assert_true (l->overridden);
          g_assert_cmpstr (label, ==, "γ = 0.75");
        }
      else if (l)
        g_assert_false (l->overridden);
    }
  g_assert_true (found);

  /* Alpha-beta as the literature writes it, short enough for the column. */
  lens_document_set_layer_rule (fx->doc, conv, "alpha_beta(alpha=2,beta=1)", NULL);
  wait_idle (fx);
  lens_layer_list_set_result (list, lens_runner_get_result (fx->runner));
  {
    g_autofree char *label = rule_label_of (rows, conv);

    g_assert_cmpstr (label, ==, "α2β1");
  }
  g_object_unref (list);
}

/* The text of the first label under @w that contains @part, or NULL. */
static const char *
label_containing (GtkWidget *w,
                  const char *part)
{
  if (GTK_IS_LABEL (w) && strstr (gtk_label_get_text (GTK_LABEL (w)), part))
    return gtk_label_get_text (GTK_LABEL (w));
  for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
    {
      const char *found = label_containing (c, part);

      if (found)
        return found;
    }
  return NULL;
}

/* Started from one against a contrast, the start relevance sums to zero:
 * the header says ΣR shows sums, and says no more once there is a share. */
static void
test_layer_list_sums (Fixture *fx,
                      gconstpointer data)
{
  LensLayerList *list = g_object_ref_sink (g_object_new (LENS_TYPE_LAYER_LIST, NULL));
  LensResult *r = lens_runner_get_result (fx->runner);

  lens_document_set_start (fx->doc, LRP_START_ONE);
  /* Any class but the one explained (that one is refused as a contrast). */
  lens_document_set_contrast (fx->doc, (r->class_index + 1) % r->n_classes);
  wait_idle (fx);
  lens_layer_list_set_result (list, lens_runner_get_result (fx->runner));
  g_assert_nonnull (label_containing (GTK_WIDGET (list), "ΣR as sums"));

  lens_document_set_contrast (fx->doc, -1);
  wait_idle (fx);
  lens_layer_list_set_result (list, lens_runner_get_result (fx->runner));
  g_assert_nonnull (label_containing (GTK_WIDGET (list), "layers"));
  g_assert_null (label_containing (GTK_WIDGET (list), "ΣR as sums"));
  g_object_unref (list);
}

static void
test_rule_editor_text (Fixture *fx,
                       gconstpointer data)
{
  LensRuleEditor *editor = g_object_ref_sink (LENS_RULE_EDITOR (lens_rule_editor_new ()));
  LensResult *r = lens_runner_get_result (fx->runner);
  g_autofree char *conv = first_conv (fx);

  for (guint i = 0; i < r->layers->len; i++)
    {
      const LrpLayer *l = g_ptr_array_index (r->layers, i);
      g_autofree char *text = NULL;
      g_autoptr(LrpComposite) c = NULL;
      g_autoptr(GError) error = NULL;

      if (l->linear_index < 0)
        continue;
      /* What the editor shows and writes back is the layer's rule. */
      lens_rule_editor_set_layer (editor, l);
      text = lens_rule_editor_dup_rule_text (editor);
      c = lrp_composite_copy (lens_document_get_composite (fx->doc));
      g_assert_true (lrp_composite_set_layer_rule (c, l->name, text, &error));
      g_assert_no_error (error);
      {
        g_autoptr(GPtrArray) again = lrp_composite_list_layers (c, fx->model, NULL);
        const LrpLayer *m = g_ptr_array_index (again, i);

        g_assert_cmpstr (m->rule, ==, l->rule);
        g_assert_cmpfloat (fabs (m->epsilon - l->epsilon), <=, 1e-9 + 1e-6 * l->epsilon);
        g_assert_cmpfloat (m->gamma, ==, l->gamma);
      }
    }
  g_object_unref (editor);
}

/* The first descendant of @w of @type (with @label, for a button). */
static GtkWidget *
find_widget (GtkWidget *w,
             GType type,
             const char *label)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (w, type)
      && (label == NULL || g_strcmp0 (gtk_button_get_label (GTK_BUTTON (w)), label) == 0))
    return w;
  for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_widget (c, type, label);

      if (found)
        return found;
    }
  return NULL;
}

/* An edit gives the layer a rule of its own: Reset to Preset is offered at
 * once, not only when the popover opens again. */
static void
test_rule_editor_reset (Fixture *fx,
                        gconstpointer data)
{
  LensRuleEditor *editor = g_object_ref_sink (LENS_RULE_EDITOR (lens_rule_editor_new ()));
  LensResult *r = lens_runner_get_result (fx->runner);
  GtkWidget *reset = find_widget (GTK_WIDGET (editor), GTK_TYPE_BUTTON, "Reset to _Preset");
  GtkDropDown *kind = GTK_DROP_DOWN (find_widget (GTK_WIDGET (editor), GTK_TYPE_DROP_DOWN, NULL));
  const LrpLayer *conv = NULL;

  for (guint i = 0; i < r->layers->len && conv == NULL; i++)
    {
      const LrpLayer *l = g_ptr_array_index (r->layers, i);

      if (l->linear_index >= 0 && !l->overridden)
        conv = l;
    }
  g_assert_nonnull (conv);
  g_assert_nonnull (reset);
  lens_rule_editor_set_layer (editor, conv);
  g_assert_false (gtk_widget_get_sensitive (reset));
  gtk_drop_down_set_selected (kind, gtk_drop_down_get_selected (kind) == 1 ? 0 : 1);
  g_assert_true (gtk_widget_get_sensitive (reset));
  g_object_unref (editor);
}

static void
test_prediction_list (Fixture *fx,
                      gconstpointer data)
{
  LensPredictionList *list = g_object_ref_sink (g_object_new (LENS_TYPE_PREDICTION_LIST, NULL));
  LensResult *r = lens_runner_get_result (fx->runner);
  GtkWidget *listbox = NULL;
  int rows = 0;

  lens_prediction_list_set_result (list, r);
  /* The list box is the one GtkListBox inside. */
  for (GtkWidget *w = gtk_widget_get_first_child (GTK_WIDGET (list)); w;)
    {
      if (GTK_IS_LIST_BOX (w))
        {
          listbox = w;
          break;
        }
      w = gtk_widget_get_first_child (w) ? gtk_widget_get_first_child (w)
                                         : gtk_widget_get_next_sibling (w)
                                           ? gtk_widget_get_next_sibling (w)
                                           : gtk_widget_get_next_sibling (gtk_widget_get_parent (w));
    }
  g_assert_nonnull (listbox);
  while (gtk_list_box_get_row_at_index (GTK_LIST_BOX (listbox), rows))
    rows++;
  g_assert_cmpint (rows, ==, MIN (r->n_classes, 10));
  /* The explained class is the selected row. */
  g_assert_cmpint (gtk_list_box_row_get_index (
                     gtk_list_box_get_selected_row (GTK_LIST_BOX (listbox))), ==, 0);
  g_object_unref (list);
}

static void
test_display_names (void)
{
  const struct { const char *name, *shown; } cases[] = {
    { "/features/features.28/Conv", "features.28" },
    { "/classifier/classifier.6/Gemm", "classifier.6" },
    { "/Flatten", "Flatten" },
    { "/layer1/layer1.0/conv1/Conv", "layer1.0.conv1" },
    { "/layer4/layer4.2/downsample/downsample.0/Conv", "layer4.2.downsample.0" },
    { "/relu/Relu", "relu" },
    { "conv1", "conv1" },
    { "/fc/MatMul_1", "fc" },
    { "/", "/" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *shown = lens_layer_display_name (cases[i].name);

      g_assert_cmpstr (shown, ==, cases[i].shown);
    }
}

int
main (int argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  lrp_init ();
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/ui/runner/matches-engine", test_runner_result_matches_engine);
  ADD ("/ui/runner/newest-wins", test_runner_newest_wins);
  ADD ("/ui/runner/cancel-keeps-result", test_runner_cancel_keeps_result);
  ADD ("/ui/heatmap-view/colours-without-recomputing", test_view_colours_without_recomputing);
  ADD ("/ui/heatmap-view/zoom-at-pointer", test_view_zoom_at_pointer);
  ADD ("/ui/layer-list/rows", test_layer_list_rows);
  ADD ("/ui/layer-list/sums", test_layer_list_sums);
  ADD ("/ui/rule-editor/round-trip", test_rule_editor_text);
  ADD ("/ui/rule-editor/reset", test_rule_editor_reset);
  ADD ("/ui/prediction-list/rows", test_prediction_list);
#undef ADD
  g_test_add_func ("/ui/layer-item/display-name", test_display_names);
  return g_test_run ();
}
