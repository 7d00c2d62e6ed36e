/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window's actions: one path for menus, shortcuts, tests and scripts
 * (GApplication exports them on D-Bus).  Names and parameter types are
 * what ../shared/GUI.md promises; scripts depend on them.
 */
#define G_LOG_DOMAIN "lens-window"

#include "config.h"

#include "lens-window-private.h"

#include "lens-loop-meter.h"

#include <glib/gstdio.h>
#include <string.h>

static LensResult *
current_result (LensWindow *self)
{
  return lens_runner_get_result (self->runner);
}

/* A class index from a script or a menu: -1 or one of the model's. */
static gboolean
class_is_valid (LensWindow *self,
                int c,
                const char *heading)
{
  LrpModel *model = lens_document_get_model (self->document);
  g_autoptr(GError) error = NULL;

  if (model == NULL || (c >= -1 && c < lrp_model_get_n_classes (model)))
    return TRUE;
  error = g_error_new (LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_TARGET,
                       "There is no class %d: the model has %d classes",
                       c, lrp_model_get_n_classes (model));
  _lens_window_show_error (self, heading, error);
  return FALSE;
}

static void
explain_class_action (GSimpleAction *action,
                      GVariant *parameter,
                      gpointer user_data)
{
  LensWindow *self = user_data;
  int c = g_variant_get_int32 (parameter);

  if (!class_is_valid (self, c, "Cannot explain that class"))
    return;
  /* A class against itself explains nothing: drop the contrast. */
  if (c >= 0 && c == lens_document_get_contrast (self->document))
    lens_document_set_contrast (self->document, -1);
  lens_document_set_class (self->document, c);
}

static void
contrast_class_action (GSimpleAction *action,
                       GVariant *parameter,
                       gpointer user_data)
{
  LensWindow *self = user_data;
  int c = g_variant_get_int32 (parameter);

  LensResult *result = current_result (self);

  if (!class_is_valid (self, c, "Cannot contrast with that class"))
    return;
  if (c >= 0 && result && c == result->class_index)
    {
      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (
        "Choose another class to contrast with than the one explained"));
      lens_prediction_list_set_result (self->prediction, result);
      return;
    }
  lens_document_set_contrast (self->document, c);
}

static void
start_action (GSimpleAction *action,
              GVariant *parameter,
              gpointer user_data)
{
  LensWindow *self = user_data;
  const char *start = g_variant_get_string (parameter, NULL);

  lens_document_set_start (self->document, g_str_equal (start, "one") ? LRP_START_ONE
                                                                      : LRP_START_LOGIT);
}

static void
preset_action (GSimpleAction *action,
               GVariant *parameter,
               gpointer user_data)
{
  LensWindow *self = user_data;
  const char *preset = g_variant_get_string (parameter, NULL);
  g_autoptr(GError) error = NULL;

  gboolean edited = FALSE;
  LensResult *result = current_result (self);

  /* "custom" is what a rule map loaded from a file shows; chosen, it asks
   * for one (the drop-down keeps what is in force until one is loaded). */
  if (g_str_equal (preset, "custom"))
    {
      _lens_window_actions_update (self);
      g_action_group_activate_action (G_ACTION_GROUP (self), "load-rules",
                                      g_variant_new_string (""));
      return;
    }
  if (g_str_equal (preset, lens_document_get_preset (self->document)))
    {
      _lens_window_actions_update (self);   /* the drop-down shows what is in force */
      return;
    }
  for (guint i = 0; result && i < result->layers->len; i++)
    edited = edited || ((const LrpLayer *) g_ptr_array_index (result->layers, i))->overridden;
  if (!lens_document_set_preset (self->document, preset, &error))
    {
      _lens_window_show_error (self, "Unknown preset", error);
      return;
    }
  g_settings_set_string (self->settings, "preset", preset);
  if (edited)
    {
      /* The preset replaced every rule, the edited ones too: say so. */
      AdwToast *toast = adw_toast_new ("The preset set every layer's rule");

      adw_toast_set_button_label (toast, "_Undo");
      adw_toast_set_action_name (toast, "win.undo");
      adw_toast_overlay_add_toast (self->toasts, toast);
    }
}

static void
set_rule_action (GSimpleAction *action,
                 GVariant *parameter,
                 gpointer user_data)
{
  LensWindow *self = user_data;
  const char *layer, *rule;
  g_autoptr(GError) error = NULL;

  g_variant_get (parameter, "(&s&s)", &layer, &rule);
  if (!lens_document_set_layer_rule (self->document, layer, rule, &error))
    _lens_window_show_error (self, "Cannot use that rule", error);
}

static void
edit_layer_action (GSimpleAction *action,
                   GVariant *parameter,
                   gpointer user_data)
{
  LensWindow *self = user_data;
  const char *layer = g_variant_get_string (parameter, NULL);

  if (!lens_layer_list_edit (self->layers, layer))
    {
      g_autoptr(GError) error = g_error_new (LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES,
                                             "The model has no Conv or dense layer “%s”",
                                             layer);
      _lens_window_show_error (self, "Cannot edit that layer", error);
    }
}

static void
undo_action (GSimpleAction *action,
             GVariant *parameter,
             gpointer user_data)
{
  lens_document_undo (LENS_WINDOW (user_data)->document);
}

static void
redo_action (GSimpleAction *action,
             GVariant *parameter,
             gpointer user_data)
{
  lens_document_redo (LENS_WINDOW (user_data)->document);
}

static void
cancel_action (GSimpleAction *action,
               GVariant *parameter,
               gpointer user_data)
{
  LensWindow *self = user_data;

  g_autofree char *base = NULL, *text = NULL;

  /* A model or image still loading: it does not open. */
  if (self->load)
    {
      base = g_path_get_basename (self->loading_model ? self->loading_model
                                                      : self->loading_image);
      g_cancellable_cancel (self->load);
      g_clear_object (&self->load);
      g_clear_pointer (&self->loading_model, g_free);
      g_clear_pointer (&self->loading_image, g_free);
      text = g_strdup_printf ("Stopped opening %s", base);
      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (text));
      _lens_window_actions_update (self);
      if (!lens_runner_get_busy (self->runner))
        return;
      g_clear_pointer (&text, g_free);
      g_clear_pointer (&base, g_free);
    }
  if (!lens_runner_get_busy (self->runner))
    return;
  lens_runner_cancel (self->runner);
  /* Stopped before anything of a new model or image was shown: back to
   * what is on screen, which starts its explanation again. */
  if (_lens_window_revert_source (self))
    {
      base = g_path_get_basename (lens_document_get_image_path (self->document));
      text = g_strdup_printf ("Stopped: back to %s", base);
      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (text));
      return;
    }
  /* The lists show the explanation that is on screen, not the one stopped. */
  if (current_result (self))
    lens_prediction_list_set_result (self->prediction, current_result (self));
  adw_toast_overlay_add_toast (self->toasts,
                               adw_toast_new ("Stopped: showing the last finished explanation"));
}

static void
colormap_action (GSimpleAction *action,
                 GVariant *parameter,
                 gpointer user_data)
{
  LensWindow *self = user_data;
  const char *name = g_variant_get_string (parameter, NULL);

  if (!lrp_colormap_is_valid (name))
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                             "“%s” is not a colormap lrplens knows", name);
      _lens_window_show_error (self, "Unknown colormap", error);
      return;
    }
  g_settings_set_string (self->settings, "colormap", name);
}

static void
zoom_action (GSimpleAction *action,
             GVariant *parameter,
             gpointer user_data)
{
  LensWindow *self = user_data;
  const char *name = g_action_get_name (G_ACTION (action));

  if (g_str_equal (name, "zoom-in"))
    lens_heatmap_view_zoom_by (self->view, 1.25);
  else if (g_str_equal (name, "zoom-out"))
    lens_heatmap_view_zoom_by (self->view, 0.8);
  else
    lens_heatmap_view_zoom_fit (self->view);
}

static void
step_image_action (GSimpleAction *action,
                   GVariant *parameter,
                   gpointer user_data)
{
  LensWindow *self = user_data;
  const char *image = lens_document_get_image_path (self->document);

  /* An image opened by itself: step through its folder, as an image viewer
   * does, the strip showing it from that image on. */
  if (image && g_path_is_absolute (image) && !lens_folder_strip_has (self->strip, image))
    {
      g_autofree char *dir = g_path_get_dirname (image);
      g_autoptr(GFile) folder = g_file_new_for_path (dir);
      g_autofree char *first = lens_folder_strip_set_folder (
        self->strip, folder, lens_document_get_model (self->document), NULL);

      if (first == NULL)
        return;
      gtk_revealer_set_reveal_child (self->strip_revealer, TRUE);
      lens_folder_strip_select (self->strip, image);
    }
  lens_folder_strip_step (self->strip,
                          g_str_equal (g_action_get_name (G_ACTION (action)), "next-image")
                          ? 1 : -1);
}

/* win.status: what a script or test reads back (never set from outside). */
static void
status_action (GSimpleAction *action,
               GVariant *parameter,
               gpointer user_data)
{
}

static LrpRenderOptions
render_options (LensWindow *self,
                char **colormap)
{
  LrpRenderOptions options = LRP_RENDER_OPTIONS_INIT;
  g_autofree char *normalization = g_settings_get_string (self->settings, "normalization");

  *colormap = g_settings_get_string (self->settings, "colormap");
  options.colormap = *colormap;
  options.normalization = g_str_equal (normalization, "absolute") ? LRP_NORM_ABSOLUTE
                                                                  : LRP_NORM_SYMMETRIC;
  options.clip = g_settings_get_double (self->settings, "clip");
  return options;
}

/* Writes @what: "heatmap", "overlay", "colorbar", "relevance" or "rules",
 * optionally with ":png", ":pdf" or ":svg" (else the extension of @path
 * decides) and "@N" for N× enlargement of the maps (else small inputs are
 * enlarged to at least 256 px; "@1" is the model's resolution). */
static gboolean
export (LensWindow *self,
        const char *what,
        const char *path,
        GError **error)
{
  LensResult *result = current_result (self);
  g_auto(GStrv) sized = g_strsplit (what, "@", 2);
  g_auto(GStrv) parts = g_strsplit (sized[0], ":", 2);
  LrpExportFormat format;
  LrpExportKind kind;
  g_autofree char *colormap = NULL;
  LrpRenderOptions options;
  guint64 scale = 0;

  if (sized[1] && (!g_ascii_string_to_unsigned (sized[1], 10, 1, 64, &scale, NULL)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not an enlargement: use @1 to @64", sized[1]);
      return FALSE;
    }

  if (g_str_equal (parts[0], "rules"))
    {
      g_autofree char *json = lrp_composite_to_json (lens_document_get_composite (self->document));
      g_autoptr(GError) local = NULL;

      if (g_file_set_contents (path, json, -1, &local))
        return TRUE;
      /* Not GLib's text, which names its temporary file: the one asked
       * for, and why (what follows GLib's last colon). */
      g_autofree char *name = g_filename_display_name (path);
      const char *why = strrchr (local->message, ':');

      g_set_error (error, local->domain, local->code, "%s: %s", name,
                   why && why[1] == ' ' ? why + 2 : local->message);
      return FALSE;
    }
  if (result == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, "There is no explanation yet");
      return FALSE;
    }
  if (g_str_equal (parts[0], "relevance"))
    return lrp_tensor_save_npy (result->relevance, path, error);
  if (g_str_equal (parts[0], "heatmap"))
    kind = LRP_EXPORT_HEATMAP;
  else if (g_str_equal (parts[0], "overlay"))
    kind = LRP_EXPORT_OVERLAY;
  else if (g_str_equal (parts[0], "colorbar"))
    kind = LRP_EXPORT_COLORBAR;
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not something to export: heatmap, overlay, colorbar, relevance "
                   "or rules", parts[0]);
      return FALSE;
    }
  if (!lrp_export_format_from_name (parts[1] ? parts[1] : path, &format))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Cannot tell the format of “%s”: use .png, .pdf or .svg", path);
      return FALSE;
    }
  if (kind == LRP_EXPORT_OVERLAY && result->image == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "The input is a tensor, not an image: there is nothing to overlay");
      return FALSE;
    }
  options = render_options (self, &colormap);
  return lrp_heatmap_export (result->heatmap, result->image, &options,
                             g_settings_get_double (self->settings, "opacity"), kind, format,
                             (int) scale, path, error);
}

static void
export_action (GSimpleAction *action,
               GVariant *parameter,
               gpointer user_data)
{
  LensWindow *self = user_data;
  const char *what, *path;
  g_autoptr(GError) error = NULL;

  g_variant_get (parameter, "(&s&s)", &what, &path);
  if (!export (self, what, path, &error))
    _lens_window_show_error (self, "Could not export", error);
  else
    {
      g_autofree char *base = g_path_get_basename (path);
      g_autofree char *text = g_strdup_printf ("Saved %s", base);

      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (text));
    }
}

static void
load_rules_from (LensWindow *self,
                 const char *path)
{
  g_autofree char *text = NULL;
  g_autofree char *base = g_path_get_basename (path);
  g_autoptr(GError) error = NULL;

  if (!g_file_get_contents (path, &text, NULL, &error)
      || !lens_document_set_rules (self->document, text, &error))
    {
      g_autofree char *heading = g_strdup_printf ("Cannot use the rule map “%s”", base);

      _lens_window_show_error (self, heading, error);
    }
}

static void
save_rules_to (LensWindow *self,
               const char *path)
{
  g_autoptr(GError) error = NULL;

  if (!export (self, "rules", path, &error))
    _lens_window_show_error (self, "Could not save the rule map", error);
}

static void
load_rules_action (GSimpleAction *action,
                   GVariant *parameter,
                   gpointer user_data)
{
  LensWindow *self = user_data;
  const char *path = g_variant_get_string (parameter, NULL);

  if (*path)
    load_rules_from (self, path);
  else
    _lens_window_choose (self, "Rule Maps", GTK_FILE_CHOOSER_ACTION_OPEN, NULL, "*.json *.txt",
                         load_rules_from);
}

static void
save_rules_action (GSimpleAction *action,
                   GVariant *parameter,
                   gpointer user_data)
{
  LensWindow *self = user_data;
  const char *path = g_variant_get_string (parameter, NULL);

  if (*path)
    save_rules_to (self, path);
  else
    _lens_window_choose (self, "Rule Maps", GTK_FILE_CHOOSER_ACTION_SAVE, "rules.json",
                         "*.json", save_rules_to);
}

static void
export_to (LensWindow *self,
           const char *path)
{
  g_autofree char *what = g_str_equal (self->export_size, "auto")
                          ? g_strdup (self->export_what)
                          : g_strdup_printf ("%s@%s", self->export_what, self->export_size);

  g_action_group_activate_action (G_ACTION_GROUP (self), "export",
                                  g_variant_new ("(ss)", what, path));
}

static void
export_dialog_action (GSimpleAction *action,
                      GVariant *parameter,
                      gpointer user_data)
{
  LensWindow *self = user_data;
  const char *what = g_variant_get_string (parameter, NULL);
  const char *image = lens_document_get_image_path (self->document);
  g_autofree char *base = image ? g_path_get_basename (image) : g_strdup ("lrplens");
  g_autofree char *suggested = NULL;
  const char *ext = g_str_equal (what, "relevance") ? "npy"
                    : g_str_equal (what, "rules") ? "json"
                    : g_str_equal (what, "colorbar") ? "pdf" : "png";
  const char *pattern = g_str_equal (what, "relevance") ? "*.npy"
                        : g_str_equal (what, "rules") ? "*.json" : "*.png *.pdf *.svg";
  const char *title = g_str_equal (what, "relevance") ? "NumPy Arrays (.npy)"
                      : g_str_equal (what, "rules") ? "Rule Maps (JSON)"
                      : "PNG, PDF or SVG";
  GtkFileChooser *chooser;

  /* "coat-heatmap.png": named after the image, so exports of several sit apart. */
  if (strrchr (base, '.'))
    *strrchr (base, '.') = '\0';
  suggested = g_strdup_printf ("%s-%s.%s", base, what, ext);

  g_free (self->export_what);
  self->export_what = g_strdup (what);
  chooser = _lens_window_chooser_new (self, title, GTK_FILE_CHOOSER_ACTION_SAVE, suggested,
                                      pattern, export_to);
  if (g_str_equal (what, "heatmap") || g_str_equal (what, "overlay"))
    {
      /* Slides want big pixels; a paper may want the model's own. */
      const char *ids[] = { "auto", "1", "4", "8", NULL };
      const char *labels[] = { "Enlarged to at least 256 px", "The model's resolution",
                               "4× enlarged", "8× enlarged", NULL };

      gtk_file_chooser_add_choice (chooser, "size", "Size", ids, labels);
      gtk_file_chooser_set_choice (chooser, "size", self->export_size);
      g_object_set_data (G_OBJECT (chooser), "lens-has-size", GINT_TO_POINTER (TRUE));
    }
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static const GActionEntry entries[] = {
  { "explain-class", explain_class_action, "i", "-1", NULL },
  { "contrast-class", contrast_class_action, "i", "-1", NULL },
  { "start", start_action, "s", "'logit'", NULL },
  { "preset", preset_action, "s", "'epsilon_plus'", NULL },
  { "colormap", colormap_action, "s", "'bwr'", NULL },
  { "set-rule", set_rule_action, "(ss)", NULL, NULL },
  { "edit-layer", edit_layer_action, "s", NULL, NULL },
  { "load-rules", load_rules_action, "s", NULL, NULL },
  { "save-rules", save_rules_action, "s", NULL, NULL },
  { "undo", undo_action, NULL, NULL, NULL },
  { "redo", redo_action, NULL, NULL, NULL },
  { "cancel", cancel_action, NULL, NULL, NULL },
  { "export", export_action, "(ss)", NULL, NULL },
  { "export-dialog", export_dialog_action, "s", NULL, NULL },
  { "zoom-in", zoom_action, NULL, NULL, NULL },
  { "zoom-out", zoom_action, NULL, NULL, NULL },
  { "zoom-fit", zoom_action, NULL, NULL, NULL },
  { "next-image", step_image_action, NULL, NULL, NULL },
  { "previous-image", step_image_action, NULL, NULL, NULL },
  { "status", status_action, NULL, "@a{sv} {}", NULL },
};

void
_lens_window_actions_init (LensWindow *self)
{
  const char *const settings_actions[] = { "view", "clip", "opacity", "normalization" };

  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  for (gsize i = 0; i < G_N_ELEMENTS (settings_actions); i++)
    {
      g_autoptr(GAction) action = g_settings_create_action (self->settings, settings_actions[i]);

      g_action_map_add_action (G_ACTION_MAP (self), action);
    }
  g_signal_connect_swapped (self->document, "notify", G_CALLBACK (_lens_window_actions_update),
                            self);
}

static void
set_enabled (LensWindow *self,
             const char *name,
             gboolean enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

static void
set_state (LensWindow *self,
           const char *name,
           GVariant *state)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  g_simple_action_set_state (G_SIMPLE_ACTION (action), state);
}

static void
select_string (GtkDropDown *drop_down,
               const char *value)
{
  GListModel *model = gtk_drop_down_get_model (drop_down);

  for (guint i = 0; model && i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (model, i);

      if (g_str_equal (gtk_string_object_get_string (item), value))
        gtk_drop_down_set_selected (drop_down, i);
    }
}

/* Action states and drop-downs follow the document and the last result. */
void
_lens_window_actions_update (LensWindow *self)
{
  LensResult *result = current_result (self);
  LensDocument *doc = self->document;
  GVariantDict status;
  g_autofree char *colormap = g_settings_get_string (self->settings, "colormap");
  g_autofree char *normalization = g_settings_get_string (self->settings, "normalization");
  const char *preset = lens_document_get_preset (doc);

  set_enabled (self, "undo", lens_document_can_undo (doc));
  set_enabled (self, "redo", lens_document_can_redo (doc));
  set_enabled (self, "cancel", lens_runner_get_busy (self->runner) || self->load != NULL);
  set_state (self, "explain-class",
             g_variant_new_int32 (result ? result->class_index : lens_document_get_class (doc)));
  set_state (self, "contrast-class", g_variant_new_int32 (lens_document_get_contrast (doc)));
  set_state (self, "start", g_variant_new_string (lens_document_get_start (doc) == LRP_START_ONE
                                                  ? "one" : "logit"));
  set_state (self, "preset", g_variant_new_string (preset));
  set_state (self, "colormap", g_variant_new_string (colormap));

  self->updating = TRUE;
  select_string (self->preset, preset);
  select_string (self->colormap, colormap);
  gtk_drop_down_set_selected (self->normalization, g_str_equal (normalization, "absolute"));
  self->updating = FALSE;

  g_variant_dict_init (&status, NULL);
  g_variant_dict_insert (&status, "generation", "u", lens_document_get_generation (doc));
  g_variant_dict_insert (&status, "busy", "b", lens_runner_get_busy (self->runner));
  g_variant_dict_insert (&status, "runs", "u", lens_runner_get_n_runs (self->runner));
  g_variant_dict_insert (&status, "renders", "u", lens_heatmap_view_get_n_renders (self->view));
  g_variant_dict_insert (&status, "rendered-at", "x",
                         lens_heatmap_view_get_rendered_at (self->view));
  g_variant_dict_insert (&status, "longest-block-ms", "d", lens_loop_meter_get_longest_ms ());
  g_variant_dict_insert (&status, "model", "s",
                         lens_document_get_model_path (doc) ? lens_document_get_model_path (doc)
                                                            : "");
  g_variant_dict_insert (&status, "image", "s",
                         lens_document_get_image_path (doc) ? lens_document_get_image_path (doc)
                                                            : "");
  g_variant_dict_insert (&status, "error", "s", self->last_error ? self->last_error : "");
  g_variant_dict_insert (&status, "strip-predicted", "u",
                         lens_folder_strip_get_n_predicted (self->strip));
  if (result)
    {
      g_variant_dict_insert (&status, "result-generation", "u", result->generation);
      g_variant_dict_insert (&status, "class", "i", result->class_index);
      g_variant_dict_insert (&status, "sum", "d", lrp_heatmap_get_sum (result->heatmap));
      g_variant_dict_insert (&status, "milliseconds", "d", result->milliseconds);
    }
  set_state (self, "status", g_variant_dict_end (&status));
}
