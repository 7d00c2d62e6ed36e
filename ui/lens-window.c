/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * LensWindow: three panes around one question.  The network and its rules
 * on the left, the picture in the middle, the prediction and what to
 * explain on the right; a strip of a folder's images below when one is
 * open.  It owns the document (the question) and the runner (the answer)
 * and shows each result as it arrives; the actions live in
 * lens-window-actions.c.
 */
#define G_LOG_DOMAIN "lens-window"

#include "config.h"

#include "lens-window-private.h"

#include "lens-loader.h"

#include <string.h>

#define DEFAULT_MODEL "resource:///org/lrplens/Lens/models/fashion-cnn.onnx"
#define DEFAULT_IMAGE "resource:///org/lrplens/Lens/images/fmnist-0-ankle-boot.png"

G_DEFINE_FINAL_TYPE (LensWindow, lens_window, ADW_TYPE_APPLICATION_WINDOW)

static char *
display_name (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);

  return g_str_has_prefix (path, "resource://") ? g_strdup (base)
                                                : g_filename_display_name (base);
}

void
_lens_window_show_error (LensWindow *self,
                         const char *heading,
                         const GError *error)
{
  AdwMessageDialog *dialog;

  g_free (self->last_error);
  self->last_error = g_strdup (error->message);
  _lens_window_actions_update (self);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading,
                                                       error->message));
  adw_message_dialog_add_response (dialog, "close", "_Close");
  adw_message_dialog_set_default_response (dialog, "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
update_title (LensWindow *self)
{
  const char *model_path = lens_document_get_model_path (self->document);
  const char *image_path = lens_document_get_image_path (self->document);
  g_autofree char *model = model_path ? display_name (model_path) : NULL;
  g_autofree char *image = image_path ? display_name (image_path) : NULL;

  g_autofree char *title = model && image ? g_strdup_printf ("%s — %s — lrplens", image, model)
                                           : g_strdup ("lrplens");

  adw_window_title_set_title (self->title, model ? model : "lrplens");
  adw_window_title_set_subtitle (self->title, image ? image : "");
  gtk_window_set_title (GTK_WINDOW (self), title);
}

static void
add_recent (const char *path)
{
  g_autofree char *uri = NULL;

  if (g_str_has_prefix (path, "resource://"))
    return;
  uri = g_filename_to_uri (path, NULL, NULL);
  if (uri)
    gtk_recent_manager_add_item (gtk_recent_manager_get_default (), uri);
}

typedef struct
{
  LensWindow *window;          /* owned ref */
  gboolean new_model;
} OpenData;

static void
open_done_cb (GObject *source,
              GAsyncResult *result,
              gpointer user_data)
{
  OpenData *data = user_data;
  g_autoptr(LensWindow) self = data->window;
  g_autoptr(GError) error = NULL;
  g_autoptr(LensLoaded) loaded = lens_load_finish (result, &error);
  gboolean new_model = data->new_model;

  g_free (data);
  if (loaded == NULL)
    {
      g_autofree char *heading = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_clear_object (&self->load);
      g_clear_pointer (&self->loading_model, g_free);
      g_clear_pointer (&self->loading_image, g_free);
      _lens_window_actions_update (self);
      heading = g_strdup (new_model ? "Could not open the model" : "Could not open the image");
      _lens_window_show_error (self, heading, error);
      return;
    }
  g_clear_object (&self->load);
  g_clear_pointer (&self->loading_model, g_free);
  g_clear_pointer (&self->loading_image, g_free);
  _lens_window_actions_update (self);
  lens_document_set_source (self->document, loaded->model, loaded->model_path, loaded->input,
                            loaded->view, loaded->image_path);
  if (new_model)
    lens_folder_strip_set_model (self->strip, loaded->model);
  lens_folder_strip_select (self->strip, loaded->image_path);
  add_recent (loaded->model_path);
  add_recent (loaded->image_path);
  g_settings_set_string (self->settings, "last-model", loaded->model_path);
  g_settings_set_string (self->settings, "last-image", loaded->image_path);
  update_title (self);
}

/**
 * lens_window_open:
 * Opens a model and an image together; NULL keeps what is open (the model)
 * or takes the image that is open, else the bundled sample.  What was open
 * stays until the new files have loaded, and stays if they fail.
 */
void
lens_window_open (LensWindow *self,
                  const char *model_path,
                  const char *image_path)
{
  LrpModel *model = NULL;
  OpenData *data;
  g_autofree char *tmp_model = NULL, *tmp_image = NULL;

  g_return_if_fail (LENS_IS_WINDOW (self));
  /* A load under way is cancelled below: what it was opening still counts
   * (a model chosen, then an image before the model has loaded). */
  if (model_path == NULL && self->loading_model)
    model_path = tmp_model = g_strdup (self->loading_model);
  if (image_path == NULL && self->loading_image)
    image_path = tmp_image = g_strdup (self->loading_image);
  if (model_path == NULL)
    {
      model_path = lens_document_get_model_path (self->document);
      model = lens_document_get_model (self->document);
      if (model_path == NULL)
        model_path = DEFAULT_MODEL;
    }
  if (image_path == NULL)
    image_path = lens_document_get_image_path (self->document);
  if (image_path == NULL)
    image_path = DEFAULT_IMAGE;

  /* The newest request wins. */
  if (self->load)
    g_cancellable_cancel (self->load);
  g_clear_object (&self->load);
  self->load = g_cancellable_new ();
  data = g_new0 (OpenData, 1);
  data->window = g_object_ref (self);
  data->new_model = model == NULL;
  g_free (self->loading_model);
  self->loading_model = model ? NULL : g_strdup (model_path);
  g_free (self->loading_image);
  self->loading_image = g_strdup (image_path);
  lens_load_async (model, model_path, image_path, self->load, open_done_cb, data);
  _lens_window_actions_update (self);   /* a load can be stopped */
}

void
lens_window_open_folder (LensWindow *self,
                         const char *path)
{
  g_autoptr(GFile) folder = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;

  g_return_if_fail (LENS_IS_WINDOW (self));
  first = lens_folder_strip_set_folder (self->strip, folder,
                                        lens_document_get_model (self->document), &error);
  if (first == NULL)
    {
      _lens_window_show_error (self, "Could not open the folder", error);
      return;
    }
  gtk_revealer_set_reveal_child (self->strip_revealer, TRUE);
  lens_window_open (self, NULL, first);
}

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int response,
                     LensWindow *self)
{
  LensPathFunc func = g_object_get_data (G_OBJECT (dialog), "func");
  /* Only the heatmap and overlay exports ask for a size (GTK warns when
   * asked for a choice a dialog lacks). */
  const char *size = g_object_get_data (G_OBJECT (dialog), "lens-has-size")
                     ? gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "size") : NULL;

  if (size)
    {
      g_free (self->export_size);
      self->export_size = g_strdup (size);
    }
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path)
        func (self, path);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

/* A file chooser for @title things matching @patterns (space-separated
 * globs, or NULL), not shown yet; @func gets the chosen path. */
GtkFileChooser *
_lens_window_chooser_new (LensWindow *self,
                          const char *title,
                          GtkFileChooserAction mode,
                          const char *suggested,
                          const char *patterns,
                          LensPathFunc func)
{
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (title, GTK_WINDOW (self), mode,
                                                              NULL, NULL);

  if (patterns)
    {
      g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
      g_auto(GStrv) globs = g_strsplit (patterns, " ", -1);

      for (int i = 0; globs[i]; i++)
        gtk_file_filter_add_pattern (filter, globs[i]);
      gtk_file_filter_set_name (filter, title);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
    }
  if (suggested)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), suggested);
  g_object_set_data (G_OBJECT (dialog), "func", func);
  g_signal_connect (dialog, "response", G_CALLBACK (chooser_response_cb), self);
  return GTK_FILE_CHOOSER (dialog);
}

void
_lens_window_choose (LensWindow *self,
                     const char *title,
                     GtkFileChooserAction mode,
                     const char *suggested,
                     const char *patterns,
                     LensPathFunc func)
{
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (
    _lens_window_chooser_new (self, title, mode, suggested, patterns, func)));
}

static void
open_model_path (LensWindow *self,
                 const char *path)
{
  lens_window_open (self, path, NULL);
}

static void
open_image_path (LensWindow *self,
                 const char *path)
{
  lens_window_open (self, NULL, path);
}

void
lens_window_choose_model (LensWindow *self)
{
  g_return_if_fail (LENS_IS_WINDOW (self));
  _lens_window_choose (self, "ONNX Models", GTK_FILE_CHOOSER_ACTION_OPEN, NULL, "*.onnx",
                       open_model_path);
}

void
lens_window_choose_image (LensWindow *self)
{
  g_return_if_fail (LENS_IS_WINDOW (self));
  _lens_window_choose (self, "Images and Tensors", GTK_FILE_CHOOSER_ACTION_OPEN, NULL,
                       "*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp *.PNG *.JPG *.JPEG "
                       "*.npy *.pb", open_image_path);
}

void
lens_window_choose_folder (LensWindow *self)
{
  g_return_if_fail (LENS_IS_WINDOW (self));
  _lens_window_choose (self, "Folder of Images", GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, NULL,
                       NULL, lens_window_open_folder);
}

LensDocument *
lens_window_get_document (LensWindow *self)
{
  g_return_val_if_fail (LENS_IS_WINDOW (self), NULL);
  return self->document;
}

LensRunner *
lens_window_get_runner (LensWindow *self)
{
  g_return_val_if_fail (LENS_IS_WINDOW (self), NULL);
  return self->runner;
}

/* Between a new model or image and its first explanation, what is on
 * screen belongs to the old one: dim it. */
static void
update_stale (LensWindow *self)
{
  LensResult *result = lens_runner_get_result (self->runner);
  gboolean stale = result
                   && result->source_serial != lens_document_get_source_serial (self->document);
  GtkWidget *panes[] = { GTK_WIDGET (self->view), GTK_WIDGET (self->layers),
                         GTK_WIDGET (self->prediction) };

  for (gsize i = 0; i < G_N_ELEMENTS (panes); i++)
    if (stale)
      gtk_widget_add_css_class (panes[i], "stale");
    else
      gtk_widget_remove_css_class (panes[i], "stale");
}

/* What goes with the view's mode: the opacity slider for the overlay; the
 * colour scale, unless the image alone is shown (it keeps its place then,
 * so that the picture does not move); and the caption saying what is shown,
 * the input or the relevance for which class.  A tensor input has no
 * image: the view shows its heatmap in every mode. */
static void
show_view_parts (LensWindow *self)
{
  g_autofree char *mode = g_settings_get_string (self->settings, "view");
  LensResult *result = self->runner ? lens_runner_get_result (self->runner) : NULL;
  gboolean image = g_str_equal (mode, "image") && result && result->image;
  const char *caption = image ? "The image as the model sees it" : self->explained_text;

  gtk_widget_set_visible (self->opacity_box, g_str_equal (mode, "overlay"));
  gtk_widget_set_opacity (self->scale_box, image ? 0 : 1);
  gtk_widget_set_can_target (self->scale_box, !image);
  gtk_widget_set_can_focus (self->scale_box, !image);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->scale_box), GTK_ACCESSIBLE_STATE_HIDDEN,
                               image, -1);
  gtk_label_set_text (self->explained, caption ? caption : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->view),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, caption ? caption : "",
                                  -1);
}

static void
forget_shown_source (LensWindow *self)
{
  g_clear_pointer (&self->shown.model, lrp_model_unref);
  g_clear_pointer (&self->shown.model_path, g_free);
  g_clear_pointer (&self->shown.input, lrp_tensor_unref);
  g_clear_pointer (&self->shown.view, cairo_surface_destroy);
  g_clear_pointer (&self->shown.image_path, g_free);
  g_clear_pointer (&self->shown.rules, g_free);
}

/* The first result on a new model or input: what a stopped load goes
 * back to (_lens_window_revert_source). */
static void
remember_shown_source (LensWindow *self,
                       LensResult *result)
{
  LensDocument *doc = self->document;

  if (result->source_serial != lens_document_get_source_serial (doc))
    return;
  /* The rules of every result: edits made since the source came count. */
  g_free (self->shown.rules);
  self->shown.rules = lrp_composite_to_json (lens_document_get_composite (doc));
  if (self->shown.model && result->source_serial == self->shown.serial)
    return;
  g_clear_pointer (&self->shown.model, lrp_model_unref);
  g_clear_pointer (&self->shown.model_path, g_free);
  g_clear_pointer (&self->shown.input, lrp_tensor_unref);
  g_clear_pointer (&self->shown.view, cairo_surface_destroy);
  g_clear_pointer (&self->shown.image_path, g_free);
  self->shown.serial = result->source_serial;
  self->shown.model = lrp_model_ref (lens_document_get_model (doc));
  self->shown.model_path = g_strdup (lens_document_get_model_path (doc));
  self->shown.input = lrp_tensor_ref (lens_document_get_input (doc));
  self->shown.view = lens_document_get_view (doc)
                     ? cairo_surface_reference (lens_document_get_view (doc)) : NULL;
  self->shown.image_path = g_strdup (lens_document_get_image_path (doc));
}

/* Puts back the model, input, rules and class of the explanation on
 * screen when a run on a new model or input was stopped before it showed
 * anything: the title, the rules and the lists agree with the picture
 * again.  Being a new source to the document, it is explained again (a
 * second stop then stops that run and keeps the picture).  The undo
 * history of a model left is not kept.  FALSE when the screen already
 * shows the document's model and input. */
gboolean
_lens_window_revert_source (LensWindow *self)
{
  LensResult *result = lens_runner_get_result (self->runner);
  g_autofree char *rules = NULL;

  if (result == NULL || self->shown.model == NULL
      || result->source_serial != self->shown.serial
      || result->source_serial == lens_document_get_source_serial (self->document))
    return FALSE;
  lens_document_set_source (self->document, self->shown.model, self->shown.model_path,
                            self->shown.input, self->shown.view, self->shown.image_path);
  self->shown.serial = lens_document_get_source_serial (self->document);
  /* A new model may have sent the rules back to their preset. */
  rules = lrp_composite_to_json (lens_document_get_composite (self->document));
  if (self->shown.rules && g_strcmp0 (rules, self->shown.rules) != 0)
    lens_document_set_rules (self->document, self->shown.rules, NULL);
  lens_document_set_class (self->document, result->class_index);
  lens_document_set_contrast (self->document, result->contrast);
  lens_folder_strip_set_model (self->strip, self->shown.model);
  lens_folder_strip_select (self->strip, self->shown.image_path);
  g_settings_set_string (self->settings, "last-model", self->shown.model_path);
  g_settings_set_string (self->settings, "last-image", self->shown.image_path);
  update_title (self);
  return TRUE;
}

static void
result_changed_cb (LensWindow *self)
{
  LensResult *result = lens_runner_get_result (self->runner);
  g_autofree char *timing = NULL;
  g_autofree char *description = NULL;

  if (result == NULL)
    return;
  remember_shown_source (self, result);
  update_stale (self);
  lens_heatmap_view_set_result (self->view, result);
  lens_colorbar_set_result (self->colorbar, result);
  lens_prediction_list_set_result (self->prediction, result);
  lens_layer_list_set_result (self->layers, result);
  timing = g_strdup_printf ("Explained in %.0f ms", result->milliseconds);
  gtk_label_set_text (self->timing, timing);
  description = g_strdup_printf ("Relevance for %s%s%s",
                                 lrp_model_get_label (result->model, result->class_index),
                                 result->contrast >= 0 ? " against " : "",
                                 result->contrast >= 0
                                 ? lrp_model_get_label (result->model, result->contrast) : "");
  g_free (self->explained_text);
  self->explained_text = g_steal_pointer (&description);
  gtk_widget_set_visible (GTK_WIDGET (self->explained), TRUE);
  show_view_parts (self);
  _lens_window_actions_update (self);
}

static void
progress_changed_cb (LensWindow *self)
{
  gboolean show = FALSE;
  g_autofree char *text = NULL;
  double fraction = 0;

  g_object_get (self->runner, "show-progress", &show, "progress-text", &text,
                "progress-fraction", &fraction, NULL);
  gtk_revealer_set_reveal_child (self->progress_revealer, show);
  gtk_label_set_text (self->progress_label, text ? text : "");
  gtk_progress_bar_set_fraction (self->progress_bar, fraction);
}

static void
busy_changed_cb (LensWindow *self)
{
  _lens_window_actions_update (self);
}

static void
failed_cb (LensWindow *self,
           GError *error)
{
  AdwToast *toast = adw_toast_new (error->message);

  g_free (self->last_error);
  self->last_error = g_strdup (error->message);
  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (self->toasts, toast);
  _lens_window_actions_update (self);
}

static void
readout_changed_cb (LensWindow *self)
{
  g_autofree char *text = NULL;

  g_object_get (self->view, "readout", &text, NULL);
  gtk_label_set_text (self->readout, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->readout), text != NULL);
}

static void
take_path (char **slot,
           char **path)
{
  g_free (*slot);
  *slot = g_steal_pointer (path);
}

/* Files dropped on the window: a model (.onnx), a folder, or an image;
 * a model and an image together open both. */
static gboolean
drop_cb (GtkDropTarget *target,
         const GValue *value,
         double x,
         double y,
         LensWindow *self)
{
  GSList *files = g_value_get_boxed (value);
  g_autofree char *model = NULL, *image = NULL, *folder = NULL;

  for (GSList *l = files; l; l = l->next)
    {
      g_autofree char *path = g_file_get_path (l->data);

      if (path == NULL)
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        take_path (&folder, &path);
      else if (g_str_has_suffix (path, ".onnx"))
        take_path (&model, &path);
      else
        take_path (&image, &path);
    }
  if (folder && !model && !image)
    lens_window_open_folder (self, folder);
  else if (model || image)
    lens_window_open (self, model, image);
  else
    return FALSE;
  return TRUE;
}

static void
colormap_selected_cb (LensWindow *self)
{
  GtkStringObject *item = gtk_drop_down_get_selected_item (self->colormap);

  if (!self->updating && item)
    g_action_group_activate_action (G_ACTION_GROUP (self), "colormap",
                                    g_variant_new_string (gtk_string_object_get_string (item)));
}

static void
preset_selected_cb (LensWindow *self)
{
  GtkStringObject *item = gtk_drop_down_get_selected_item (self->preset);

  if (!self->updating && item)
    g_action_group_activate_action (G_ACTION_GROUP (self), "preset",
                                    g_variant_new_string (gtk_string_object_get_string (item)));
}

static void
normalization_selected_cb (LensWindow *self)
{
  if (!self->updating)
    g_settings_set_string (self->settings, "normalization",
                           gtk_drop_down_get_selected (self->normalization) == 1
                           ? "absolute" : "symmetric");
}

/* The check mark of @item's row: on the choice in force, not on the row the
 * pointer or the arrow keys select in the open list. */
static void
update_check (GtkListItem *item)
{
  GtkWidget *row = gtk_list_item_get_child (item);
  GtkDropDown *drop_down = g_object_get_data (G_OBJECT (item), "lens-drop-down");
  gpointer shown = gtk_list_item_get_item (item);

  if (row && drop_down)
    gtk_widget_set_opacity (gtk_widget_get_last_child (row),
                            shown && shown == gtk_drop_down_get_selected_item (drop_down));
}

/* @content, then a check mark, as GtkDropDown's own rows have. */
static GtkWidget *
row_with_check (GtkListItem *item,
                GtkDropDown *drop_down,
                GtkWidget *content)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *check = gtk_image_new_from_icon_name ("object-select-symbolic");

  gtk_widget_set_hexpand (content, TRUE);
  gtk_box_append (GTK_BOX (row), content);
  gtk_box_append (GTK_BOX (row), check);
  g_object_set_data (G_OBJECT (item), "lens-drop-down", drop_down);
  g_signal_connect_object (drop_down, "notify::selected-item", G_CALLBACK (update_check), item,
                           G_CONNECT_SWAPPED);
  return row;
}

/* What row_with_check () put before the check mark. */
static GtkWidget *
row_content (GtkListItem *item)
{
  return gtk_widget_get_first_child (gtk_list_item_get_child (item));
}

/* The preset list names each composite and says what it does (the engine's
 * description); the button shows just the name. */
static void
preset_row_setup_cb (GtkSignalListItemFactory *factory,
                     GtkListItem *item,
                     gpointer user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *about = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_xalign (GTK_LABEL (about), 0);
  gtk_label_set_wrap (GTK_LABEL (about), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (about), 40);
  gtk_widget_add_css_class (about, "caption");
  gtk_widget_add_css_class (about, "dim-label");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), about);
  gtk_list_item_set_child (item, row_with_check (item, user_data, box));
}

static void
preset_row_bind_cb (GtkSignalListItemFactory *factory,
                    GtkListItem *item,
                    gpointer user_data)
{
  const char *preset = gtk_string_object_get_string (gtk_list_item_get_item (item));
  GtkWidget *name = gtk_widget_get_first_child (row_content (item));
  GtkWidget *about = gtk_widget_get_next_sibling (name);
  const char *const *descriptions = NULL;
  const char *const *names = lrp_composite_list_builtin (&descriptions);
  const char *text = "Rules from a rule map file: choose to load one (Ctrl+L)";

  for (int i = 0; names[i]; i++)
    if (g_str_equal (names[i], preset))
      text = descriptions[i];
  gtk_label_set_text (GTK_LABEL (name), preset);
  gtk_label_set_text (GTK_LABEL (about), text);
  update_check (item);
}

static void
draw_swatch (GtkDrawingArea *area,
             cairo_t *cr,
             int width,
             int height,
             gpointer user_data)
{
  const char *name = g_object_get_data (G_OBJECT (area), "colormap");
  cairo_surface_t *bar;

  if (name == NULL)
    return;
  bar = lrp_colormap_render_bar (name, width, height);
  cairo_set_source_surface (cr, bar, 0, 0);
  cairo_paint (cr);
  cairo_surface_destroy (bar);
}

/* The colormap list shows each map as a swatch beside its name. */
static void
colormap_row_setup_cb (GtkSignalListItemFactory *factory,
                       GtkListItem *item,
                       gpointer user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *swatch = gtk_drawing_area_new ();
  GtkWidget *name = gtk_label_new (NULL);

  /* A drawing area is exactly its content size: every swatch as wide. */
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (swatch), 64);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (swatch), 12);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (swatch), draw_swatch, NULL, NULL);
  gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_box_append (GTK_BOX (box), swatch);
  gtk_box_append (GTK_BOX (box), name);
  gtk_list_item_set_child (item, row_with_check (item, user_data, box));
}

static void
colormap_row_bind_cb (GtkSignalListItemFactory *factory,
                      GtkListItem *item,
                      gpointer user_data)
{
  const char *name = gtk_string_object_get_string (gtk_list_item_get_item (item));
  GtkWidget *swatch = gtk_widget_get_first_child (row_content (item));

  g_object_set_data_full (G_OBJECT (swatch), "colormap", g_strdup (name), g_free);
  gtk_widget_queue_draw (swatch);
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_next_sibling (swatch)), name);
  update_check (item);
}

static void
fill_drop_downs (LensWindow *self)
{
  g_autoptr(GtkStringList) presets = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) colormaps = gtk_string_list_new (lrp_colormap_list ());
  g_autoptr(GtkListItemFactory) rows = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkListItemFactory) maps = gtk_signal_list_item_factory_new ();
  const char *const *names = lrp_composite_list_builtin (NULL);

  for (int i = 0; names[i]; i++)
    gtk_string_list_append (presets, names[i]);
  gtk_string_list_append (presets, "custom");
  g_signal_connect (rows, "setup", G_CALLBACK (preset_row_setup_cb), self->preset);
  g_signal_connect (rows, "bind", G_CALLBACK (preset_row_bind_cb), NULL);
  gtk_drop_down_set_list_factory (self->preset, rows);
  g_signal_connect (maps, "setup", G_CALLBACK (colormap_row_setup_cb), self->colormap);
  g_signal_connect (maps, "bind", G_CALLBACK (colormap_row_bind_cb), NULL);
  gtk_drop_down_set_list_factory (self->colormap, maps);
  self->updating = TRUE;
  gtk_drop_down_set_model (self->preset, G_LIST_MODEL (presets));
  gtk_drop_down_set_model (self->colormap, G_LIST_MODEL (colormaps));
  self->updating = FALSE;
}

static int
compare_recent (gconstpointer a,
                gconstpointer b)
{
  GDateTime *ta = gtk_recent_info_get_modified (*(GtkRecentInfo *const *) a);
  GDateTime *tb = gtk_recent_info_get_modified (*(GtkRecentInfo *const *) b);

  return g_date_time_compare (tb, ta);
}

/* The Open menu's Recent submenu: models and images lrplens opened, newest
 * first, each reopened through app.open-model or app.open-image. */
static void
recent_changed_cb (LensWindow *self)
{
  GtkRecentManager *manager = gtk_recent_manager_get_default ();
  GList *items = gtk_recent_manager_get_items (manager);
  g_autoptr(GPtrArray) mine = g_ptr_array_new ();
  guint shown = 0;

  for (GList *l = items; l; l = l->next)
    if (gtk_recent_info_has_application (l->data, g_get_application_name ())
        && gtk_recent_info_exists (l->data))
      g_ptr_array_add (mine, l->data);
  g_ptr_array_sort (mine, compare_recent);
  g_menu_remove_all (self->recent_menu);
  for (guint i = 0; i < mine->len && shown < 10; i++)
    {
      GtkRecentInfo *info = g_ptr_array_index (mine, i);
      g_autofree char *path = g_filename_from_uri (gtk_recent_info_get_uri (info), NULL, NULL);
      g_autoptr(GMenuItem) item = NULL;

      if (path == NULL)
        continue;
      item = g_menu_item_new (gtk_recent_info_get_display_name (info), NULL);
      g_menu_item_set_action_and_target (item, g_str_has_suffix (path, ".onnx")
                                               ? "app.open-model" : "app.open-image",
                                         "s", path);
      g_menu_append_item (self->recent_menu, item);
      shown++;
    }
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  /* As a file manager sorts: fmnist-2 before fmnist-12. */
  g_autofree char *ka = g_utf8_collate_key_for_filename (*(const char *const *) a, -1);
  g_autofree char *kb = g_utf8_collate_key_for_filename (*(const char *const *) b, -1);

  return strcmp (ka, kb);
}

/* The bundled files: models, then Fashion-MNIST images, then photos (for
 * ImageNet models, which lrplens does not bundle). */
static GMenuModel *
samples_menu (void)
{
  GMenu *menu = g_menu_new ();
  const struct { const char *folder; const char *title; gboolean photos; } sections[] = {
    { "models", "Models", FALSE },
    { "images", "Fashion-MNIST Images", FALSE },
    { "images", "Photos, for ImageNet Models", TRUE },
  };

  for (gsize s = 0; s < G_N_ELEMENTS (sections); s++)
    {
      g_autofree char *dir = g_strdup_printf ("/org/lrplens/Lens/%s/", sections[s].folder);
      g_auto(GStrv) names = g_resources_enumerate_children (dir, 0, NULL);
      g_autoptr(GMenu) section = g_menu_new ();

      if (names)
        qsort (names, g_strv_length (names), sizeof (char *), compare_names);
      for (int i = 0; names && names[i]; i++)
        {
          g_autofree char *id = g_strconcat (sections[s].folder, "/", names[i], NULL);
          g_autofree char *label = g_strdup (names[i]);
          gboolean fmnist = g_str_has_prefix (names[i], "fmnist-");
          g_autoptr(GMenuItem) item = NULL;

          if (g_str_equal (names[i], "default.png") || !strrchr (label, '.')
              || (g_str_equal (sections[s].folder, "images") && fmnist == sections[s].photos))
            continue;
          *strrchr (label, '.') = '\0';
          item = g_menu_item_new (label, NULL);
          g_menu_item_set_action_and_target (item, "app.sample", "s", id);
          g_menu_append_item (section, item);
        }
      g_menu_append_section (menu, sections[s].title, G_MENU_MODEL (section));
    }
  return G_MENU_MODEL (menu);
}

static void
lens_window_dispose (GObject *object)
{
  LensWindow *self = LENS_WINDOW (object);

  if (self->load)
    g_cancellable_cancel (self->load);
  g_clear_object (&self->load);
  if (self->runner)
    {
      lens_runner_cancel (self->runner);
      g_signal_handlers_disconnect_by_data (self->runner, self);
    }
  g_clear_object (&self->runner);
  forget_shown_source (self);
  if (self->strip)
    g_signal_handlers_disconnect_by_data (self->strip, self);
  g_clear_object (&self->document);
  /* Another window's settings change reaches this GSettings too, which the
   * bindings keep alive until the window is finalized. */
  if (self->settings)
    {
      g_signal_handlers_disconnect_by_data (self->settings, self);
      g_settings_unbind (self, "default-width");
      g_settings_unbind (self, "default-height");
      g_settings_unbind (self, "maximized");
    }
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), LENS_TYPE_WINDOW);
  G_OBJECT_CLASS (lens_window_parent_class)->dispose (object);
}

static void
lens_window_finalize (GObject *object)
{
  LensWindow *self = LENS_WINDOW (object);

  g_free (self->last_error);
  g_free (self->explained_text);
  g_free (self->export_what);
  g_free (self->export_size);
  g_free (self->loading_model);
  g_free (self->loading_image);
  G_OBJECT_CLASS (lens_window_parent_class)->finalize (object);
}

static void
lens_window_class_init (LensWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lens_window_dispose;
  object_class->finalize = lens_window_finalize;

  g_type_ensure (LENS_TYPE_COLORBAR);
  g_type_ensure (LENS_TYPE_FOLDER_STRIP);
  g_type_ensure (LENS_TYPE_HEATMAP_VIEW);
  g_type_ensure (LENS_TYPE_LAYER_LIST);
  g_type_ensure (LENS_TYPE_PREDICTION_LIST);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/lrplens/Lrplens/ui/lens-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LensWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, title);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, samples_button);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, colormap);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, preset);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, layers);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, timing);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, view);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, readout);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, explained);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, scale_box);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, colorbar);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, normalization);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, clip_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, opacity_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, opacity_box);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, prediction);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, strip_revealer);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, strip);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, inner_paned);
  gtk_widget_class_bind_template_child (widget_class, LensWindow, recent_menu);
  gtk_widget_class_bind_template_callback (widget_class, colormap_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, preset_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, normalization_selected_cb);
}

static void
bind_settings (LensWindow *self)
{
  GSettings *s = self->settings;

  g_settings_bind (s, "colormap", self->view, "colormap", G_SETTINGS_BIND_GET);
  g_settings_bind (s, "colormap", self->colorbar, "colormap", G_SETTINGS_BIND_GET);
  g_settings_bind (s, "normalization", self->view, "normalization", G_SETTINGS_BIND_GET);
  g_settings_bind (s, "normalization", self->colorbar, "normalization", G_SETTINGS_BIND_GET);
  g_settings_bind (s, "clip", self->view, "clip", G_SETTINGS_BIND_GET);
  g_settings_bind (s, "clip", self->colorbar, "clip", G_SETTINGS_BIND_GET);
  g_settings_bind (s, "clip", self->clip_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "opacity", self->view, "opacity", G_SETTINGS_BIND_GET);
  g_settings_bind (s, "opacity", self->opacity_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "view", self->view, "mode", G_SETTINGS_BIND_GET);
  g_settings_bind (s, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_swapped (s, "changed::view", G_CALLBACK (show_view_parts), self);
  g_signal_connect_swapped (s, "changed", G_CALLBACK (_lens_window_actions_update), self);
  show_view_parts (self);
}

static void
lens_window_init (LensWindow *self)
{
  GtkDropTarget *drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_autoptr(GMenuModel) samples = samples_menu ();
  g_autofree char *preset = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->export_size = g_strdup ("auto");
  gtk_menu_button_set_menu_model (self->samples_button, samples);

  self->settings = g_settings_new ("org.lrplens.Lrplens");
  self->document = lens_document_new ();
  preset = g_settings_get_string (self->settings, "preset");
  if (!lens_document_set_preset (self->document, preset, NULL))
    lens_document_set_preset (self->document, "epsilon_plus", NULL);
  /* The saved preset is where a session starts, not an edit to undo. */
  lens_document_clear_history (self->document);
  self->runner = lens_runner_new (self->document);
  g_signal_connect_swapped (self->runner, "notify::result", G_CALLBACK (result_changed_cb), self);
  g_signal_connect_swapped (self->document, "notify::source-serial", G_CALLBACK (update_stale),
                            self);
  g_signal_connect_swapped (self->runner, "notify::show-progress",
                            G_CALLBACK (progress_changed_cb), self);
  g_signal_connect_swapped (self->runner, "notify::progress-text",
                            G_CALLBACK (progress_changed_cb), self);
  g_signal_connect_swapped (self->runner, "notify::busy", G_CALLBACK (busy_changed_cb), self);
  g_signal_connect_swapped (self->runner, "failed", G_CALLBACK (failed_cb), self);
  g_signal_connect_swapped (self->view, "notify::readout", G_CALLBACK (readout_changed_cb), self);
  g_signal_connect_swapped (self->view, "notify::n-renders",
                            G_CALLBACK (_lens_window_actions_update), self);
  g_signal_connect_swapped (self->strip, "notify::n-predicted",
                            G_CALLBACK (_lens_window_actions_update), self);

  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  fill_drop_downs (self);
  bind_settings (self);
  g_signal_connect_object (gtk_recent_manager_get_default (), "changed",
                           G_CALLBACK (recent_changed_cb), self, G_CONNECT_SWAPPED);
  recent_changed_cb (self);
  _lens_window_actions_init (self);
  _lens_window_actions_update (self);
}

LensWindow *
lens_window_new (GtkApplication *application)
{
  return g_object_new (LENS_TYPE_WINDOW, "application", application, NULL);
}
