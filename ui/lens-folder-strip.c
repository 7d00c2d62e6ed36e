/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * LensFolderStrip: a folder's images as thumbnails, each with the class
 * the model predicts and how sure it is.  Clicking one explains it; the
 * arrow keys (and win.next-image / win.previous-image) move along.  The
 * predictions are computed one image at a time in a worker thread.
 */
#define G_LOG_DOMAIN "lens-folder-strip"

#include "config.h"

#include "lens-folder-strip.h"

#include <math.h>
#include <string.h>

#define THUMB_SIZE 64
#define MAX_IMAGES 500

struct _LensFolderStrip
{
  GtkWidget parent_instance;

  GtkBox *row;
  GtkScrolledWindow *scroller;

  GPtrArray *paths;            /* owned; char *, sorted */
  GPtrArray *buttons;          /* borrowed; GtkButton per path */
  LrpModel *model;             /* owned ref */
  GCancellable *cancellable;   /* owned: the predictions running */
  int selected;
  int cursor;                  /* where stepping goes on from: the last image
                                * stepped to, even one that failed to open */
  guint n_predicted;
};

G_DEFINE_FINAL_TYPE (LensFolderStrip, lens_folder_strip, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_N_PREDICTED, N_PROPS };
static GParamSpec *properties[N_PROPS];

typedef struct
{
  LrpModel *model;             /* owned ref */
  char *path;                  /* owned */
  int index;
  GdkPixbuf *thumbnail;        /* owned, out */
  int class_index;             /* out */
  double confidence;           /* out */
} Prediction;

static void
prediction_free (Prediction *p)
{
  lrp_model_unref (p->model);
  g_free (p->path);
  g_clear_object (&p->thumbnail);
  g_free (p);
}

static void
predict_worker (GTask *task,
                gpointer source,
                gpointer data,
                GCancellable *cancellable)
{
  Prediction *p = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpTensor) input = NULL;
  g_autoptr(LrpRun) run = NULL;
  const float *logits;
  double top = -INFINITY, sum = 0;
  int n;

  p->thumbnail = gdk_pixbuf_new_from_file_at_scale (p->path, THUMB_SIZE, THUMB_SIZE, TRUE, NULL);
  input = lrp_model_load_input (p->model, p->path, &error);
  run = lrp_run_new (p->model);
  if (input == NULL || !lrp_run_forward (run, input, cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  logits = lrp_tensor_get_data (lrp_run_get_output (run));
  n = lrp_model_get_n_classes (p->model);
  p->class_index = 0;
  for (int i = 0; i < n; i++)
    if (logits[i] > top)
      {
        top = logits[i];
        p->class_index = i;
      }
  /* A model ending in Softmax already gives probabilities. */
  if (lrp_model_get_output_is_softmax (p->model))
    p->confidence = logits[p->class_index];
  else
    {
      for (int i = 0; i < n; i++)
        sum += exp (logits[i] - top);
      p->confidence = 1.0 / sum;
    }
  g_task_return_boolean (task, TRUE);
}

static void predict_next (LensFolderStrip *self, int index);

static void
predict_done_cb (GObject *source,
                 GAsyncResult *res,
                 gpointer user_data)
{
  g_autoptr(LensFolderStrip) self = user_data;
  Prediction *p = g_task_get_task_data (G_TASK (res));
  g_autoptr(GError) error = NULL;
  GtkWidget *button, *box, *picture, *label, *percent;
  g_autofree char *text = NULL, *base = NULL, *description = NULL;

  /* A prediction that finished just as the strip was cancelled is old news. */
  if ((!g_task_propagate_boolean (G_TASK (res), &error)
       && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      || g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (res))))
    return;
  if (p->index >= (int) self->buttons->len)
    return;
  button = g_ptr_array_index (self->buttons, p->index);
  box = gtk_button_get_child (GTK_BUTTON (button));
  picture = gtk_widget_get_first_child (box);
  label = gtk_widget_get_next_sibling (picture);
  percent = gtk_widget_get_next_sibling (label);
  base = g_path_get_basename (p->path);
  /* A file cut short decodes to a partial picture: not shown as if it were
   * the image. */
  if (p->thumbnail && error == NULL)
    {
      g_autoptr(GdkTexture) texture = gdk_texture_new_for_pixbuf (p->thumbnail);

      gtk_picture_set_paintable (GTK_PICTURE (picture), GDK_PAINTABLE (texture));
    }
  if (error)
    {
      /* Opening it would fail the same way: stepping skips it. */
      g_object_set_data (G_OBJECT (button), "lens-unreadable", GINT_TO_POINTER (TRUE));
      text = g_strdup ("cannot read");
      gtk_label_set_text (GTK_LABEL (percent), "");
      gtk_widget_set_tooltip_text (button, error->message);
      description = g_strdup_printf ("%s: %s", base, error->message);
    }
  else
    {
      const char *name = lrp_model_get_label (p->model, p->class_index);

      g_object_set_data (G_OBJECT (button), "lens-unreadable", NULL);

      g_autofree char *sure = g_strdup_printf ("%.0f %%", 100 * p->confidence);

      /* The class may be long; the probability gets a line of its own. */
      text = g_strdup (name);
      gtk_label_set_text (GTK_LABEL (percent), sure);
      gtk_widget_set_tooltip_text (button, base);
      description = g_strdup_printf ("%s: %s, %.0f %%", base, name, 100 * p->confidence);
    }
  gtk_label_set_text (GTK_LABEL (label), text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  description, -1);
  self->n_predicted++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PREDICTED]);
  predict_next (self, p->index + 1);
}

static void
predict_next (LensFolderStrip *self,
              int index)
{
  g_autoptr(GTask) task = NULL;
  Prediction *p;

  if (self->model == NULL || self->cancellable == NULL || index >= (int) self->paths->len)
    return;
  p = g_new0 (Prediction, 1);
  p->model = lrp_model_ref (self->model);
  p->path = g_strdup (g_ptr_array_index (self->paths, index));
  p->index = index;
  task = g_task_new (NULL, self->cancellable, predict_done_cb, g_object_ref (self));
  g_task_set_task_data (task, p, (GDestroyNotify) prediction_free);
  g_task_run_in_thread (task, predict_worker);
}

static void
cancel_predictions (LensFolderStrip *self)
{
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}

static void
restart_predictions (LensFolderStrip *self)
{
  cancel_predictions (self);
  /* Another model may read what this one could not (a tensor of its shape). */
  for (guint i = 0; i < self->buttons->len; i++)
    g_object_set_data (g_ptr_array_index (self->buttons, i), "lens-unreadable", NULL);
  self->cancellable = g_cancellable_new ();
  self->n_predicted = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PREDICTED]);
  predict_next (self, 0);
}

static void
thumb_clicked_cb (GtkButton *button,
                  LensFolderStrip *self)
{
  guint index;

  if (g_ptr_array_find (self->buttons, button, &index))
    {
      /* Stepping goes on from here, even if this one fails to open. */
      self->cursor = (int) index;
      gtk_widget_activate_action (GTK_WIDGET (self), "app.open-image", "s",
                                  g_ptr_array_index (self->paths, index));
    }
}

static GtkWidget *
thumb_button (LensFolderStrip *self,
              const char *path)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *picture = gtk_picture_new ();
  GtkWidget *label = gtk_label_new ("…");
  GtkWidget *percent = gtk_label_new (NULL);
  g_autofree char *base = g_path_get_basename (path);

  gtk_widget_set_size_request (picture, THUMB_SIZE, THUMB_SIZE);
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 12);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (percent, "caption");
  gtk_widget_add_css_class (percent, "dim-label");
  gtk_widget_add_css_class (percent, "numeric");
  gtk_box_append (GTK_BOX (box), picture);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), percent);
  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "thumbnail");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  base, -1);
  g_signal_connect (button, "clicked", G_CALLBACK (thumb_clicked_cb), self);
  return button;
}

static gboolean
is_image_name (const char *name)
{
  g_autofree char *type = g_content_type_guess (name, NULL, 0, NULL);

  return g_content_type_is_mime_type (type, "image/*") || g_str_has_suffix (name, ".npy")
         || g_str_has_suffix (name, ".pb");
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  /* As a file manager sorts: img-2 before img-12. */
  g_autofree char *ka = g_utf8_collate_key_for_filename (*(const char *const *) a, -1);
  g_autofree char *kb = g_utf8_collate_key_for_filename (*(const char *const *) b, -1);

  return strcmp (ka, kb);
}

char *
lens_folder_strip_set_folder (LensFolderStrip *self,
                              GFile *folder,
                              LrpModel *model,
                              GError **error)
{
  g_autoptr(GFileEnumerator) files = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  GFileInfo *info;
  GtkWidget *child;

  g_return_val_if_fail (LENS_IS_FOLDER_STRIP (self), NULL);
  files = g_file_enumerate_children (folder, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                     G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                     G_FILE_QUERY_INFO_NONE, NULL, error);
  if (files == NULL)
    return NULL;
  while (paths->len < MAX_IMAGES
         && g_file_enumerator_iterate (files, &info, NULL, NULL, error) && info)
    if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR
        && is_image_name (g_file_info_get_name (info)))
      g_ptr_array_add (paths, g_build_filename (g_file_peek_path (folder),
                                                g_file_info_get_name (info), NULL));
  if (paths->len == 0)
    {
      g_autofree char *name = g_file_get_parse_name (folder);

      g_clear_error (error);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "“%s” holds no images", name);
      return NULL;
    }
  g_ptr_array_sort (paths, compare_paths);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->row))))
    gtk_box_remove (self->row, child);
  g_ptr_array_set_size (self->buttons, 0);
  for (guint i = 0; i < paths->len; i++)
    {
      GtkWidget *button = thumb_button (self, g_ptr_array_index (paths, i));

      gtk_box_append (self->row, button);
      g_ptr_array_add (self->buttons, button);
    }
  g_ptr_array_unref (self->paths);
  self->paths = g_steal_pointer (&paths);
  self->selected = self->cursor = -1;
  if (model)
    {
      g_clear_pointer (&self->model, lrp_model_unref);
      self->model = lrp_model_ref (model);
    }
  restart_predictions (self);
  return g_strdup (g_ptr_array_index (self->paths, 0));
}

void
lens_folder_strip_set_model (LensFolderStrip *self,
                             LrpModel *model)
{
  g_return_if_fail (LENS_IS_FOLDER_STRIP (self));
  if (model == self->model)
    return;
  g_clear_pointer (&self->model, lrp_model_unref);
  self->model = model ? lrp_model_ref (model) : NULL;
  if (self->paths->len)
    restart_predictions (self);
}

void
lens_folder_strip_select (LensFolderStrip *self,
                          const char *path)
{
  g_return_if_fail (LENS_IS_FOLDER_STRIP (self));
  self->selected = -1;
  for (guint i = 0; i < self->paths->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (self->buttons, i);

      if (g_strcmp0 (g_ptr_array_index (self->paths, i), path) == 0)
        {
          self->selected = self->cursor = (int) i;
          gtk_widget_add_css_class (button, "selected");
        }
      else
        gtk_widget_remove_css_class (button, "selected");
    }
}

gboolean
lens_folder_strip_has (LensFolderStrip *self,
                       const char *path)
{
  g_return_val_if_fail (LENS_IS_FOLDER_STRIP (self), FALSE);
  for (guint i = 0; i < self->paths->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->paths, i), path) == 0)
      return TRUE;
  return FALSE;
}

void
lens_folder_strip_step (LensFolderStrip *self,
                        int delta)
{
  int next;
  GtkWidget *button = NULL;

  g_return_if_fail (LENS_IS_FOLDER_STRIP (self));
  g_return_if_fail (delta == 1 || delta == -1);
  /* Past the images the strip could not read; from the last one stepped
   * to, so that one which failed to open is not a wall. */
  for (next = self->cursor + delta; next >= 0 && next < (int) self->paths->len; next += delta)
    {
      button = g_ptr_array_index (self->buttons, next);
      if (!g_object_get_data (G_OBJECT (button), "lens-unreadable"))
        break;
    }
  if (next < 0 || next >= (int) self->paths->len)
    return;
  self->cursor = next;
  gtk_widget_grab_focus (button);
  gtk_widget_activate_action (GTK_WIDGET (self), "app.open-image", "s",
                              g_ptr_array_index (self->paths, next));
}

/* Images whose prediction is in; tests wait on it. */
guint
lens_folder_strip_get_n_predicted (LensFolderStrip *self)
{
  g_return_val_if_fail (LENS_IS_FOLDER_STRIP (self), 0);
  return self->n_predicted;
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint keyval,
                guint keycode,
                GdkModifierType state,
                LensFolderStrip *self)
{
  if (keyval == GDK_KEY_Left || keyval == GDK_KEY_KP_Left)
    lens_folder_strip_step (self, -1);
  else if (keyval == GDK_KEY_Right || keyval == GDK_KEY_KP_Right)
    lens_folder_strip_step (self, 1);
  else
    return FALSE;
  return TRUE;
}

static void
lens_folder_strip_dispose (GObject *object)
{
  LensFolderStrip *self = LENS_FOLDER_STRIP (object);
  GtkWidget *child;

  cancel_predictions (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), LENS_TYPE_FOLDER_STRIP);
  /* The template's box is not a bound child: unparent it ourselves. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
  g_clear_pointer (&self->model, lrp_model_unref);
  g_clear_pointer (&self->paths, g_ptr_array_unref);
  g_clear_pointer (&self->buttons, g_ptr_array_unref);
  G_OBJECT_CLASS (lens_folder_strip_parent_class)->dispose (object);
}

/* Out of its window, the strip predicts nothing: the tasks hold it, and
 * would keep it (and the model) alive through the whole folder. */
static void
lens_folder_strip_unroot (GtkWidget *widget)
{
  cancel_predictions (LENS_FOLDER_STRIP (widget));
  GTK_WIDGET_CLASS (lens_folder_strip_parent_class)->unroot (widget);
}

static void
lens_folder_strip_get_property (GObject *object,
                                guint prop_id,
                                GValue *value,
                                GParamSpec *pspec)
{
  LensFolderStrip *self = LENS_FOLDER_STRIP (object);

  switch (prop_id)
    {
    case PROP_N_PREDICTED: g_value_set_uint (value, self->n_predicted); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lens_folder_strip_class_init (LensFolderStripClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lens_folder_strip_dispose;
  object_class->get_property = lens_folder_strip_get_property;
  widget_class->unroot = lens_folder_strip_unroot;
  /* Images whose prediction is in (scripts and tests wait on it). */
  properties[PROP_N_PREDICTED] =
    g_param_spec_uint ("n-predicted", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/lrplens/Lrplens/ui/lens-folder-strip.ui");
  gtk_widget_class_bind_template_child (widget_class, LensFolderStrip, row);
  gtk_widget_class_bind_template_child (widget_class, LensFolderStrip, scroller);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "folderstrip");
}

static void
lens_folder_strip_init (LensFolderStrip *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->paths = g_ptr_array_new_with_free_func (g_free);
  self->buttons = g_ptr_array_new ();
  self->selected = self->cursor = -1;
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
}
