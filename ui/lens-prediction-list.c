/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * LensPredictionList: the question pane.  The most probable classes with
 * their probabilities as bars (choosing one explains it; Up/Down move
 * through them), the class to contrast with, and what relevance starts
 * from.  It changes nothing itself: it activates the window's actions.
 */
#define G_LOG_DOMAIN "lens-prediction-list"

#include "config.h"

#include "lens-prediction-list.h"

/* ImageNet has 1000 classes; nobody reads past the first few. */
#define MAX_ROWS 10

struct _LensPredictionList
{
  GtkWidget parent_instance;

  GtkWidget *box;
  GtkListBox *list;
  GtkDropDown *contrast;
  GtkDropDown *start;

  LensResult *result;          /* owned */
  int *row_class;              /* owned: class index of each row */
  gboolean updating;           /* selection set from a result, not by the user */
};

G_DEFINE_FINAL_TYPE (LensPredictionList, lens_prediction_list, GTK_TYPE_WIDGET)

static GtkWidget *
class_row (const char *label,
           double probability)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *name = gtk_label_new (label);
  GtkWidget *percent = gtk_label_new (NULL);
  GtkWidget *bar = gtk_progress_bar_new ();
  g_autofree char *text = g_strdup_printf ("%.1f %%", 100 * probability);
  g_autofree char *description = g_strdup_printf ("%s, %.1f %%", label, 100 * probability);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_label_set_text (GTK_LABEL (percent), text);
  gtk_widget_add_css_class (percent, "numeric");
  gtk_widget_add_css_class (percent, "dim-label");
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (bar), probability);
  gtk_widget_add_css_class (bar, "probability");
  gtk_grid_set_column_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 4);
  gtk_widget_set_margin_start (grid, 10);
  gtk_widget_set_margin_end (grid, 10);
  gtk_widget_set_margin_top (grid, 6);
  gtk_widget_set_margin_bottom (grid, 6);
  gtk_grid_attach (GTK_GRID (grid), name, 0, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), percent, 1, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), bar, 0, 1, 2, 1);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), grid);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  description, -1);
  return row;
}

static void
rebuild (LensPredictionList *self)
{
  LensResult *r = self->result;
  int rows = MIN (r->n_classes, MAX_ROWS);
  g_autoptr(GtkStringList) classes = gtk_string_list_new (NULL);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))))
    gtk_list_box_remove (self->list, child);
  g_free (self->row_class);
  self->row_class = g_new (int, rows + 1);     /* and one for show_choices () */
  for (int i = 0; i < rows; i++)
    {
      int c = r->ranking[i];

      self->row_class[i] = c;
      gtk_list_box_append (self->list, class_row (lrp_model_get_label (r->model, c),
                                                  r->probabilities[c]));
    }
  gtk_string_list_append (classes, "None");
  for (int c = 0; c < r->n_classes; c++)
    gtk_string_list_append (classes, lrp_model_get_label (r->model, c));
  gtk_drop_down_set_model (self->contrast, G_LIST_MODEL (classes));
}

static void
show_choices (LensPredictionList *self)
{
  LensResult *r = self->result;
  int top = MIN (r->n_classes, MAX_ROWS);
  GtkListBoxRow *row = NULL, *extra = gtk_list_box_get_row_at_index (self->list, top);

  for (int i = 0; i < top; i++)
    if (self->row_class[i] == r->class_index)
      row = gtk_list_box_get_row_at_index (self->list, i);
  if (extra)
    gtk_list_box_remove (self->list, GTK_WIDGET (extra));
  /* A class explained that is not among the most probable gets a row
   * below them: the list always shows which class is explained (and Tab
   * into it lands there, instead of selecting, and explaining, another). */
  if (row == NULL && r->class_index >= 0 && r->class_index < r->n_classes)
    {
      self->row_class[top] = r->class_index;
      gtk_list_box_append (self->list, class_row (lrp_model_get_label (r->model, r->class_index),
                                                  r->probabilities[r->class_index]));
      row = gtk_list_box_get_row_at_index (self->list, top);
    }
  gtk_list_box_select_row (self->list, row);
  gtk_drop_down_set_selected (self->contrast, (guint) (r->contrast + 1));
  gtk_drop_down_set_selected (self->start, r->start == LRP_START_ONE ? 1 : 0);
}

void
lens_prediction_list_set_result (LensPredictionList *self,
                                 LensResult *result)
{
  gboolean new_source;

  g_return_if_fail (LENS_IS_PREDICTION_LIST (self));
  if (result == NULL)
    return;
  /* The same result again puts back choices made since (a cancelled class). */
  new_source = self->result == NULL || self->result->source_serial != result->source_serial;
  lens_result_ref (result);
  g_clear_pointer (&self->result, lens_result_unref);
  self->result = result;
  self->updating = TRUE;
  if (new_source)
    rebuild (self);
  show_choices (self);
  self->updating = FALSE;
}

static void
row_selected_cb (LensPredictionList *self,
                 GtkListBoxRow *row)
{
  int c;

  if (self->updating || row == NULL || self->result == NULL)
    return;
  c = self->row_class[gtk_list_box_row_get_index (row)];
  if (c != self->result->class_index)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.explain-class", "i", c);
}

static void
contrast_selected_cb (LensPredictionList *self)
{
  if (self->updating || self->result == NULL)
    return;
  gtk_widget_activate_action (GTK_WIDGET (self), "win.contrast-class", "i",
                              (int) gtk_drop_down_get_selected (self->contrast) - 1);
}

static void
start_selected_cb (LensPredictionList *self)
{
  if (self->updating || self->result == NULL)
    return;
  gtk_widget_activate_action (GTK_WIDGET (self), "win.start", "s",
                              gtk_drop_down_get_selected (self->start) == 1 ? "one" : "logit");
}

static void
lens_prediction_list_dispose (GObject *object)
{
  LensPredictionList *self = LENS_PREDICTION_LIST (object);

  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), LENS_TYPE_PREDICTION_LIST);
  /* The template's box is not a bound child: unparent it ourselves. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
  g_clear_pointer (&self->result, lens_result_unref);
  g_clear_pointer (&self->row_class, g_free);
  G_OBJECT_CLASS (lens_prediction_list_parent_class)->dispose (object);
}

static void
lens_prediction_list_class_init (LensPredictionListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lens_prediction_list_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/lrplens/Lrplens/ui/lens-prediction-list.ui");
  gtk_widget_class_bind_template_child (widget_class, LensPredictionList, box);
  gtk_widget_class_bind_template_child (widget_class, LensPredictionList, list);
  gtk_widget_class_bind_template_child (widget_class, LensPredictionList, contrast);
  gtk_widget_class_bind_template_child (widget_class, LensPredictionList, start);
  gtk_widget_class_bind_template_callback (widget_class, row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, contrast_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, start_selected_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "predictionlist");
}

/* "Start from" shows its first, longest text when first mapped: it keeps
 * that width, so that choosing "One" does not narrow the pane and move the
 * heatmap. */
static void
fix_start_width_cb (GtkWidget *start)
{
  int natural = 0;

  g_signal_handlers_disconnect_by_func (start, fix_start_width_cb, NULL);
  gtk_widget_measure (start, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
  gtk_widget_set_size_request (start, natural, -1);
}

/* The class list is one stop for Tab: a list box moves Tab from row to
 * row, selecting each, and every selection explains that class (a second
 * of work on a VGG).  Up and Down still move through the classes; Tab
 * leaves the list, its rows taken out of the way for that one move. */
static gboolean
list_key_pressed_cb (GtkEventControllerKey *keys,
                     guint keyval,
                     guint keycode,
                     GdkModifierType state,
                     LensPredictionList *self)
{
  GtkDirectionType direction;
  GtkWidget *row;
  gboolean moved;

  if (keyval == GDK_KEY_Tab || keyval == GDK_KEY_KP_Tab)
    direction = state & GDK_SHIFT_MASK ? GTK_DIR_TAB_BACKWARD : GTK_DIR_TAB_FORWARD;
  else if (keyval == GDK_KEY_ISO_Left_Tab)
    direction = GTK_DIR_TAB_BACKWARD;
  else
    return FALSE;
  for (row = gtk_widget_get_first_child (GTK_WIDGET (self->list)); row;
       row = gtk_widget_get_next_sibling (row))
    gtk_widget_set_focusable (row, FALSE);
  moved = gtk_widget_child_focus (GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (self))), direction);
  for (row = gtk_widget_get_first_child (GTK_WIDGET (self->list)); row;
       row = gtk_widget_get_next_sibling (row))
    gtk_widget_set_focusable (row, TRUE);
  return moved;
}

static void
lens_prediction_list_init (LensPredictionList *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (list_key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->list), keys);
  /* ImageNet's thousand classes: let people type to find one. */
  gtk_drop_down_set_expression (self->contrast,
                                gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL,
                                                             "string"));
  gtk_drop_down_set_enable_search (self->contrast, TRUE);
  g_signal_connect (self->start, "map", G_CALLBACK (fix_start_width_cb), NULL);
}
