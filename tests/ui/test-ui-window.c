/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window's drop target, fed the way GTK feeds it when files are
 * dragged onto the window: a model and an image open together, a folder
 * opens the strip, and a file that is not an image is refused with what
 * was open kept.  (Xvfb has no drag source to script, so the test emits
 * the target's "drop" signal with the GdkFileList a drag delivers.)
 */
#include "config.h"

#include "lens-window.h"
#include "lens-window-private.h"

#include <gtk/gtk.h>
#include <string.h>

static char *
source_path (const char *relative)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", relative, NULL);

  return g_canonicalize_filename (path, NULL);
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

/* Drops @paths (NULL-terminated; a URI where it has "://") on the window;
 * what the target answered. */
static gboolean
drop (LensWindow *window,
      const char *const *paths)
{
  GtkDropTarget *target = GTK_DROP_TARGET (find_controller (GTK_WIDGET (window),
                                                            GTK_TYPE_DROP_TARGET));
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto(GValue) value = G_VALUE_INIT;
  gboolean accepted = FALSE;

  g_assert_nonnull (target);
  g_assert_true (g_type_is_a (GDK_TYPE_FILE_LIST, gtk_drop_target_get_gtypes (target, NULL)[0]));
  for (int i = 0; paths[i]; i++)
    g_ptr_array_add (files, strstr (paths[i], "://") ? g_file_new_for_uri (paths[i])
                                                     : g_file_new_for_path (paths[i]));
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_array ((GFile **) files->pdata, files->len));
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);
  return accepted;
}

static GVariant *
status (LensWindow *window)
{
  return g_action_group_get_action_state (G_ACTION_GROUP (window), "status");
}

static char *
status_string (LensWindow *window,
               const char *key)
{
  g_autoptr(GVariant) s = status (window);
  char *value = NULL;

  g_variant_lookup (s, key, "s", &value);
  return value;
}

/* Runs the main loop until the window shows a result for its current
 * settings, or an error, with nothing left to compute. */
static void
wait_settled (LensWindow *window)
{
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < end)
    {
      g_autoptr(GVariant) s = NULL;
      guint generation = 0, shown = G_MAXUINT;
      gboolean busy = TRUE;

      for (int i = 0; i < 20; i++)
        g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
      s = status (window);
      g_variant_lookup (s, "generation", "u", &generation);
      g_variant_lookup (s, "result-generation", "u", &shown);
      g_variant_lookup (s, "busy", "b", &busy);
      if (!busy && generation == shown)
        return;
    }
  g_error ("the window never settled");
}

static void
wait_error (LensWindow *window)
{
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < end)
    {
      g_autofree char *error = status_string (window, "error");

      if (error && *error)
        return;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
  g_error ("no error was shown");
}

static void
activate_cb (GApplication *app,
             LensWindow **window)
{
  *window = lens_window_new (GTK_APPLICATION (app));
  gtk_window_present (GTK_WINDOW (*window));
}

static void
test_drop (void)
{
  g_autoptr(AdwApplication) app = adw_application_new ("org.lrplens.LrplensDropTest",
                                                       G_APPLICATION_NON_UNIQUE);
  g_autofree char *model = source_path ("resources/models/fashion-resnet.onnx");
  g_autofree char *image = source_path ("resources/images/fmnist-17-coat.png");
  g_autofree char *folder = source_path ("resources/images");
  g_autofree char *not_an_image = source_path ("README.md");
  g_autofree char *shown = NULL, *shown_image = NULL, *after = NULL, *after_image = NULL;
  g_autofree char *error = NULL;
  LensWindow *window = NULL;

  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), &window);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_application_activate (G_APPLICATION (app));
  g_assert_nonnull (window);

  /* A model and an image dropped together open both. */
  g_assert_true (drop (window, (const char *[]) { image, model, NULL }));
  wait_settled (window);
  shown = status_string (window, "model");
  shown_image = status_string (window, "image");
  g_assert_true (g_str_has_suffix (shown, "fashion-resnet.onnx"));
  g_assert_true (g_str_has_suffix (shown_image, "fmnist-17-coat.png"));

  /* Something that is not an image: refused, and the model and image stay. */
  g_assert_true (drop (window, (const char *[]) { not_an_image, NULL }));
  wait_error (window);
  wait_settled (window);
  error = status_string (window, "error");
  g_assert_nonnull (strstr (error, "README.md"));
  after = status_string (window, "model");
  after_image = status_string (window, "image");
  g_assert_cmpstr (after, ==, shown);
  g_assert_cmpstr (after_image, ==, shown_image);

  /* A folder opens the strip (and explains its first image). */
  g_assert_true (drop (window, (const char *[]) { folder, NULL }));
  wait_settled (window);
  g_clear_pointer (&after_image, g_free);
  after_image = status_string (window, "image");
  g_assert_true (g_str_has_prefix (after_image, folder));

  /* A file with no local path (a link dragged from a browser): not taken. */
  g_assert_false (drop (window, (const char *[]) { "https://example.org/cat.png", NULL }));
  g_clear_pointer (&after_image, g_free);
  after_image = status_string (window, "image");
  g_assert_true (g_str_has_prefix (after_image, folder));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
never_called (LensWindow *self,
              const char *path)
{
  g_assert_not_reached ();
}

/* Dismissing an Open dialog, which has no Size choice (only the heatmap and
 * overlay exports do), warns of nothing: warnings are fatal here. */
static void
test_chooser_dismissed (void)
{
  g_autoptr(AdwApplication) app = adw_application_new ("org.lrplens.LrplensChooserTest",
                                                       G_APPLICATION_NON_UNIQUE);
  LensWindow *window = NULL;
  GtkFileChooser *chooser;

  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), &window);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_application_activate (G_APPLICATION (app));
  chooser = _lens_window_chooser_new (window, "ONNX Models", GTK_FILE_CHOOSER_ACTION_OPEN, NULL,
                                      "*.onnx", never_called);
  g_signal_emit_by_name (chooser, "response", GTK_RESPONSE_CANCEL);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The file chooser windows open (no portal here: GTK's own dialog). */
static GPtrArray *
file_choosers (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* transfer none */
  GPtrArray *found = g_ptr_array_new ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (GTK_IS_FILE_CHOOSER (w) && gtk_widget_get_visible (GTK_WIDGET (w)))
        g_ptr_array_add (found, w);
    }
  return found;
}

static void
select_preset (LensWindow *window,
               const char *name)
{
  GListModel *presets = gtk_drop_down_get_model (window->preset);

  for (guint i = 0; i < g_list_model_get_n_items (presets); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (presets, i);

      if (g_str_equal (gtk_string_object_get_string (item), name))
        {
          gtk_drop_down_set_selected (window->preset, i);
          return;
        }
    }
  g_assert_not_reached ();
}

/* The preset "custom" stands for a rule map from a file: choosing it asks
 * for one, and the rules in force stay until one is loaded. */
static void
test_custom_preset (void)
{
  g_autoptr(AdwApplication) app = adw_application_new ("org.lrplens.LrplensCustomTest",
                                                       G_APPLICATION_NON_UNIQUE);
  LensWindow *window = NULL;
  g_autoptr(GVariant) before = NULL, after = NULL;
  g_autoptr(GPtrArray) choosers = NULL;

  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), &window);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_application_activate (G_APPLICATION (app));
  lens_window_open (window, NULL, NULL);        /* the bundled model and image */
  wait_settled (window);
  before = g_action_group_get_action_state (G_ACTION_GROUP (window), "preset");
  g_assert_cmpstr (g_variant_get_string (before, NULL), !=, "custom");
  choosers = file_choosers ();
  g_assert_cmpuint (choosers->len, ==, 0);
  g_clear_pointer (&choosers, g_ptr_array_unref);

  /* Chosen in the drop-down, as a person would. */
  select_preset (window, "custom");
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  choosers = file_choosers ();
  g_assert_cmpuint (choosers->len, ==, 1);
  after = g_action_group_get_action_state (G_ACTION_GROUP (window), "preset");
  g_assert_cmpstr (g_variant_get_string (after, NULL), ==, g_variant_get_string (before, NULL));
  /* The drop-down went back to what is in force. */
  g_assert_cmpstr (gtk_string_object_get_string (gtk_drop_down_get_selected_item (window->preset)),
                   ==, g_variant_get_string (before, NULL));
  gtk_window_destroy (g_ptr_array_index (choosers, 0));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
iterate (int times)
{
  for (int i = 0; i < times; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

/* The Image view says it shows the input, not relevance, and the picture
 * stays where the heatmap was. */
static void
test_view_caption (void)
{
  g_autoptr(AdwApplication) app = adw_application_new ("org.lrplens.LrplensViewTest",
                                                       G_APPLICATION_NON_UNIQUE);
  LensWindow *window = NULL;
  int heatmap_height, image_height;
  g_autofree char *heatmap_caption = NULL;

  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), &window);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_application_activate (G_APPLICATION (app));
  lens_window_open (window, NULL, NULL);
  wait_settled (window);
  g_action_group_activate_action (G_ACTION_GROUP (window), "view",
                                  g_variant_new_string ("heatmap"));
  iterate (50);
  heatmap_height = gtk_widget_get_height (GTK_WIDGET (window->view));
  heatmap_caption = g_strdup (gtk_label_get_text (window->explained));
  g_assert_true (g_str_has_prefix (heatmap_caption, "Relevance for "));

  g_action_group_activate_action (G_ACTION_GROUP (window), "view", g_variant_new_string ("image"));
  iterate (50);
  image_height = gtk_widget_get_height (GTK_WIDGET (window->view));
  g_assert_cmpint (heatmap_height, >, 0);
  g_assert_cmpint (image_height, ==, heatmap_height);
  g_assert_null (strstr (gtk_label_get_text (window->explained), "Relevance"));

  g_action_group_activate_action (G_ACTION_GROUP (window), "view",
                                  g_variant_new_string ("heatmap"));
  iterate (10);
  g_assert_cmpstr (gtk_label_get_text (window->explained), ==, heatmap_caption);
  gtk_window_destroy (GTK_WINDOW (window));
}

static GtkWidget *
find_list_box (GtkWidget *w)
{
  if (GTK_IS_LIST_BOX (w))
    return w;
  for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_list_box (c);

      if (found)
        return found;
    }
  return NULL;
}

/* Tab leaves the class list at once instead of walking (and explaining)
 * every class; the explained class stays. */
static void
test_tab_leaves_classes (void)
{
  g_autoptr(AdwApplication) app = adw_application_new ("org.lrplens.LrplensTabTest",
                                                       G_APPLICATION_NON_UNIQUE);
  LensWindow *window = NULL;
  GtkWidget *list, *row, *focus;
  GtkEventController *keys = NULL;
  guint runs = 0, runs_after = 0, generation = 0, generation_after = 0;
  gboolean handled = FALSE;
  g_autoptr(GVariant) before = NULL, after = NULL;

  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), &window);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_application_activate (G_APPLICATION (app));
  lens_window_open (window, NULL, NULL);
  wait_settled (window);
  list = find_list_box (GTK_WIDGET (window->prediction));
  row = GTK_WIDGET (gtk_list_box_get_selected_row (GTK_LIST_BOX (list)));
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_grab_focus (row));
  keys = find_controller (list, GTK_TYPE_EVENT_CONTROLLER_KEY);
  g_assert_nonnull (keys);
  before = status (window);
  g_variant_lookup (before, "runs", "u", &runs);
  g_variant_lookup (before, "generation", "u", &generation);
  g_signal_emit_by_name (keys, "key-pressed", GDK_KEY_Tab, 0, 0, &handled);
  iterate (20);
  g_assert_true (handled);
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_nonnull (focus);
  g_assert_false (gtk_widget_is_ancestor (focus, list));
  after = status (window);
  g_variant_lookup (after, "runs", "u", &runs_after);
  g_variant_lookup (after, "generation", "u", &generation_after);
  g_assert_cmpuint (runs_after, ==, runs);
  /* Nothing was asked for either (a run finishes later than this). */
  g_assert_cmpuint (generation_after, ==, generation);
  g_assert_true (gtk_list_box_get_selected_row (GTK_LIST_BOX (list)) == GTK_LIST_BOX_ROW (row));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  lrp_init ();
  g_test_add_func ("/ui/window/drop", test_drop);
  g_test_add_func ("/ui/window/chooser-dismissed", test_chooser_dismissed);
  g_test_add_func ("/ui/window/custom-preset", test_custom_preset);
  g_test_add_func ("/ui/window/view-caption", test_view_caption);
  g_test_add_func ("/ui/window/tab-leaves-classes", test_tab_leaves_classes);
  return g_test_run ();
}
