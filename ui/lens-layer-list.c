/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * LensLayerList: the network as the rules see it, output at the top and
 * the input at the bottom, the way relevance flows.  Each row: index,
 * layer, operator, output shape, the rule (a button opening the rule
 * editor, marked where it differs from the preset) and the relevance that
 * reached the layer as a share of where the explanation started, so one
 * glance shows where relevance is absorbed or created.
 */
#define G_LOG_DOMAIN "lens-layer-list"

#include "config.h"

#include "lens-layer-list.h"

#include "lens-layer-item.h"
#include "lens-rule-editor.h"

#include <math.h>

struct _LensLayerList
{
  GtkWidget parent_instance;

  GtkColumnView *view;
  GtkLabel *summary;

  GListStore *store;           /* owned; LensLayerItem, output first */
  LensResult *result;          /* owned */
  LensRuleEditor *editor;      /* owned: one popover, attached to the clicked rule */
};

G_DEFINE_FINAL_TYPE (LensLayerList, lens_layer_list, GTK_TYPE_WIDGET)

static LensLayerList *
list_of (GtkSignalListItemFactory *factory)
{
  return g_object_get_data (G_OBJECT (factory), "list");
}

typedef enum {
  COLUMN_INDEX,
  COLUMN_NAME,
  COLUMN_OP,
  COLUMN_SHAPE,
  COLUMN_RULE,
  COLUMN_RELEVANCE,
} Column;

static void
update_label_cell (GtkListItem *list_item,
                   LensLayerItem *item,
                   Column column)
{
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (list_item));
  const LrpLayer *layer = lens_layer_item_get_layer (item);
  g_autofree char *text = NULL;

  switch (column)
    {
    case COLUMN_INDEX:
      text = layer ? g_strdup_printf ("%d", lens_layer_item_get_index (item)) : g_strdup ("");
      break;
    case COLUMN_NAME:
      text = lens_layer_item_dup_display_name (item);
      break;
    case COLUMN_OP:
      text = g_strdup (layer ? layer->op_type : "");
      break;
    case COLUMN_SHAPE:
      text = lens_layer_item_dup_shape (item);
      break;
    default:
      g_assert_not_reached ();
    }
  gtk_label_set_text (label, text);
  if (column == COLUMN_NAME || column == COLUMN_OP)
    gtk_widget_set_tooltip_text (GTK_WIDGET (label), column == COLUMN_NAME && layer ? layer->name
                                                                                   : text);
}

static void
update_rule_cell (GtkListItem *list_item,
                  LensLayerItem *item)
{
  GtkWidget *stack = gtk_list_item_get_child (list_item);
  GtkWidget *button = gtk_stack_get_child_by_name (GTK_STACK (stack), "edit");
  GtkWidget *fixed = gtk_stack_get_child_by_name (GTK_STACK (stack), "fixed");
  GtkWidget *text = gtk_widget_get_first_child (gtk_button_get_child (GTK_BUTTON (button)));
  const LrpLayer *layer = lens_layer_item_get_layer (item);
  g_autofree char *label = lens_layer_item_dup_rule_label (item);
  g_autofree char *description = NULL;

  if (layer == NULL || layer->linear_index < 0)
    {
      gtk_label_set_text (GTK_LABEL (fixed), label);
      gtk_stack_set_visible_child (GTK_STACK (stack), fixed);
      /* Hidden, so that a screen reader does not find a nameless button. */
      gtk_widget_set_visible (button, FALSE);
      return;
    }
  gtk_widget_set_visible (button, TRUE);
  /* A new class or image leaves the rules as they were: touch nothing, so
   * that a re-run costs no relayout of the list. */
  description = g_strdup_printf ("Rule of %s: %s%s", layer->name, layer->rule_text,
                                 layer->overridden ? ", edited" : "");
  gtk_stack_set_visible_child (GTK_STACK (stack), button);
  if (g_strcmp0 (g_object_get_data (G_OBJECT (button), "shown"), description) == 0)
    return;
  g_object_set_data_full (G_OBJECT (button), "shown", g_strdup (description), g_free);
  g_object_set_data_full (G_OBJECT (button), "layer", g_strdup (layer->name), g_free);
  gtk_label_set_text (GTK_LABEL (text), label);
  if (layer->overridden)
    gtk_widget_add_css_class (button, "edited");
  else
    gtk_widget_remove_css_class (button, "edited");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  description, -1);
  gtk_widget_set_tooltip_text (button, layer->rule_text);
}

static const LrpLayer *
layer_named (LensLayerList *self,
             const char *name)
{
  for (guint i = 0; self->result && name && i < self->result->layers->len; i++)
    {
      const LrpLayer *l = g_ptr_array_index (self->result->layers, i);

      if (g_str_equal (l->name, name))
        return l;
    }
  return NULL;
}

/* The one rule editor, moved to the clicked button: a popover a row would
 * make forty editors for VGG16, and building them cost a visible pause. */
static void
open_editor (LensLayerList *self,
             GtkWidget *button)
{
  const LrpLayer *layer = layer_named (self, g_object_get_data (G_OBJECT (button), "layer"));
  GtkWidget *editor = GTK_WIDGET (self->editor);

  if (layer == NULL)
    return;
  if (gtk_widget_get_parent (editor) != button)
    {
      if (gtk_widget_get_parent (editor))
        gtk_widget_unparent (editor);
      gtk_widget_set_parent (editor, button);
    }
  lens_rule_editor_set_layer (self->editor, layer);
  gtk_popover_popup (GTK_POPOVER (editor));
}

static void
rule_clicked_cb (GtkButton *button,
                 LensLayerList *self)
{
  open_editor (self, GTK_WIDGET (button));
}

/* Rows are recycled: the editor leaves a button before it goes. */
static void
release_editor (LensLayerList *self,
                GtkWidget *button)
{
  if (self->editor && gtk_widget_get_parent (GTK_WIDGET (self->editor)) == button)
    gtk_widget_unparent (GTK_WIDGET (self->editor));
}

static void
update_relevance_cell (GtkListItem *list_item,
                       LensLayerItem *item)
{
  GtkWidget *box = gtk_list_item_get_child (list_item);
  GtkWidget *bar = gtk_widget_get_first_child (box);
  GtkWidget *label = gtk_widget_get_next_sibling (bar);
  double share = lens_layer_item_get_share (item), sum = lens_layer_item_get_sum (item);
  g_autofree char *text = NULL;
  g_autofree char *tooltip = NULL;

  /* A bar shows a share; sums alone (below) have none, and keep its room. */
  gtk_widget_set_opacity (bar, isfinite (share) ? 1 : 0);
  if (!isfinite (sum))
    {
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (bar), 0);
      gtk_label_set_text (GTK_LABEL (label), "—");
      gtk_widget_set_tooltip_text (box, "No relevance reaches this tensor");
      return;
    }
  if (!isfinite (share))
    {
      /* Start from one with a contrast: 1 − 1 = 0 to start with, so no
       * share, but the sums still tell where relevance goes. */
      text = g_strdup_printf ("%.3g", sum);
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (bar), 0);
      gtk_label_set_text (GTK_LABEL (label), text);
      gtk_widget_set_tooltip_text (box, "ΣR here; the start relevance sums to zero, so there "
                                        "is no share of it to show");
      return;
    }
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (bar), CLAMP (fabs (share), 0, 1));
  if (share < 0)
    gtk_widget_add_css_class (bar, "negative");
  else
    gtk_widget_remove_css_class (bar, "negative");
  if (fabs (share) > 1.0005)
    gtk_widget_add_css_class (bar, "excess");
  else
    gtk_widget_remove_css_class (bar, "excess");
  text = g_strdup_printf ("%.1f%%", 100 * share);
  gtk_label_set_text (GTK_LABEL (label), text);
  tooltip = g_strdup_printf ("ΣR = %.5g (%.2f %% of the start relevance)", sum, 100 * share);
  gtk_widget_set_tooltip_text (box, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  tooltip, -1);
}

static void
update_cell (GtkListItem *list_item)
{
  LensLayerItem *item = gtk_list_item_get_item (list_item);
  Column column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (list_item), "column"));

  if (item == NULL)
    return;
  if (column == COLUMN_RULE)
    update_rule_cell (list_item, item);
  else if (column == COLUMN_RELEVANCE)
    update_relevance_cell (list_item, item);
  else
    update_label_cell (list_item, item, column);
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem *list_item,
          gpointer user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  GtkWidget *child;

  g_object_set_data (G_OBJECT (list_item), "column", user_data);
  if (column == COLUMN_RULE)
    {
      GtkWidget *button = gtk_button_new ();
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
      GtkWidget *fixed = gtk_label_new (NULL);

      gtk_box_append (GTK_BOX (box), gtk_label_new (NULL));
      gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name ("pan-down-symbolic"));
      gtk_button_set_child (GTK_BUTTON (button), box);
      g_signal_connect (button, "clicked", G_CALLBACK (rule_clicked_cb), list_of (factory));
      child = gtk_stack_new ();
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_add_css_class (button, "rule");
      gtk_label_set_xalign (GTK_LABEL (fixed), 0);
      gtk_widget_add_css_class (fixed, "dim-label");
      gtk_widget_set_margin_start (fixed, 10);
      gtk_stack_add_named (GTK_STACK (child), button, "edit");
      gtk_stack_add_named (GTK_STACK (child), fixed, "fixed");
      gtk_stack_set_hhomogeneous (GTK_STACK (child), FALSE);
    }
  else if (column == COLUMN_RELEVANCE)
    {
      GtkWidget *bar = gtk_progress_bar_new ();
      GtkWidget *label = gtk_label_new (NULL);

      child = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
      gtk_widget_set_size_request (bar, 32, -1);
      gtk_widget_add_css_class (bar, "relevance");
      gtk_label_set_xalign (GTK_LABEL (label), 1);
      gtk_label_set_width_chars (GTK_LABEL (label), 6);
      gtk_widget_add_css_class (label, "numeric");
      gtk_box_append (GTK_BOX (child), bar);
      gtk_box_append (GTK_BOX (child), label);
    }
  else
    {
      child = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (child), column == COLUMN_INDEX ? 1 : 0);
      gtk_label_set_ellipsize (GTK_LABEL (child), column == COLUMN_NAME ? PANGO_ELLIPSIZE_MIDDLE
                                                                        : PANGO_ELLIPSIZE_NONE);
      if (column == COLUMN_INDEX || column == COLUMN_SHAPE)
        gtk_widget_add_css_class (child, "numeric");
      if (column == COLUMN_INDEX || column == COLUMN_OP)
        gtk_widget_add_css_class (child, "dim-label");
      if (column == COLUMN_OP)
        {
          /* "BatchNormalization" would take the names' room. */
          gtk_label_set_ellipsize (GTK_LABEL (child), PANGO_ELLIPSIZE_END);
          gtk_label_set_max_width_chars (GTK_LABEL (child), 9);
        }
    }
  gtk_list_item_set_child (list_item, child);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem *list_item,
         gpointer user_data)
{
  LensLayerItem *item = gtk_list_item_get_item (list_item);
  Column column = GPOINTER_TO_INT (user_data);

  /* Name, operator and shape stay with the model; rules and ΣR follow
   * every result. */
  if (column == COLUMN_RULE || column == COLUMN_RELEVANCE)
    g_signal_connect_swapped (item, "changed", G_CALLBACK (update_cell), list_item);
  update_cell (list_item);
}

static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem *list_item,
           gpointer user_data)
{
  LensLayerItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *child = gtk_list_item_get_child (list_item);

  if (item)
    g_signal_handlers_disconnect_by_data (item, list_item);
  if (GPOINTER_TO_INT (user_data) == COLUMN_RULE && child)
    release_editor (list_of (factory),
                    gtk_stack_get_child_by_name (GTK_STACK (child), "edit"));
}

/* Every column but the name keeps its width, so that a long name or
 * shape never squeezes the operator to one letter. */
static void
add_column (LensLayerList *self,
            const char *title,
            Column column,
            int width)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *c;

  g_object_set_data (G_OBJECT (factory), "list", self);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), GINT_TO_POINTER (column));
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), GINT_TO_POINTER (column));
  c = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (c, width < 0);
  if (width > 0)
    gtk_column_view_column_set_fixed_width (c, width);
  gtk_column_view_column_set_resizable (c, TRUE);
  gtk_column_view_append_column (self->view, c);
  g_object_unref (c);
}

static gboolean
same_layers (LensResult *a,
             LensResult *b)
{
  return a && b && a->model == b->model && a->layers->len == b->layers->len;
}

static void
update_summary (LensLayerList *self)
{
  guint edited = 0;
  g_autofree char *text = NULL;

  for (guint i = 0; i < self->result->layers->len; i++)
    edited += ((const LrpLayer *) g_ptr_array_index (self->result->layers, i))->overridden;
  if (edited == 0)
    text = g_strdup_printf ("%u layers", self->result->layers->len);
  else
    text = g_strdup_printf (g_dngettext (NULL, "%u layers, %u edited", "%u layers, %u edited",
                                         edited),
                            self->result->layers->len, edited);
  /* Started from one with a contrast, the start relevance sums to zero: ΣR
   * shows sums, not shares, and says so where the column is read. */
  if (self->result->start_sum == 0)
    {
      g_autofree char *shares = g_steal_pointer (&text);

      text = g_strdup_printf ("%s · ΣR as sums (the start sums to 0)", shares);
    }
  gtk_label_set_text (self->summary, text);
}

void
lens_layer_list_set_result (LensLayerList *self,
                            LensResult *result)
{
  guint n;

  g_return_if_fail (LENS_IS_LAYER_LIST (self));
  if (result == NULL || result == self->result)
    return;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  if (same_layers (self->result, result))
    {
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(LensLayerItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), i);

          lens_layer_item_set_result (item, result);
        }
    }
  else
    {
      g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

      for (int i = (int) result->layers->len - 1; i >= -1; i--)
        g_ptr_array_add (items, lens_layer_item_new (result, i));
      g_list_store_splice (self->store, 0, n, items->pdata, items->len);
      /* A new model starts at its output, at the top. */
      gtk_adjustment_set_value (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->view)), 0);
    }
  lens_result_ref (result);
  g_clear_pointer (&self->result, lens_result_unref);
  self->result = result;
  update_summary (self);
}

/* The rule button of @layer's row, if the row is on screen. */
static GtkWidget *
find_rule_button (GtkWidget *widget,
                  const char *layer)
{
  if (GTK_IS_BUTTON (widget) && gtk_widget_has_css_class (widget, "rule"))
    return gtk_widget_get_mapped (widget)
           && g_strcmp0 (g_object_get_data (G_OBJECT (widget), "layer"), layer) == 0
           ? widget : NULL;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_rule_button (child, layer);

      if (found)
        return found;
    }
  return NULL;
}

static int
row_of (LensLayerList *self,
        const char *layer)
{
  GListModel *rows = G_LIST_MODEL (self->store);

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(LensLayerItem) item = g_list_model_get_item (rows, i);
      const LrpLayer *l = lens_layer_item_get_layer (item);

      if (l && l->linear_index >= 0 && g_str_equal (l->name, layer))
        return (int) i;
    }
  return -1;
}

typedef struct
{
  LensLayerList *list;         /* owned ref */
  char *layer;                 /* owned */
} EditLater;

static gboolean
edit_later_cb (gpointer user_data)
{
  EditLater *later = user_data;
  GtkWidget *button = find_rule_button (GTK_WIDGET (later->list->view), later->layer);

  if (button)
    open_editor (later->list, button);
  g_object_unref (later->list);
  g_free (later->layer);
  g_free (later);
  return G_SOURCE_REMOVE;
}

/**
 * lens_layer_list_edit:
 * Opens the rule editor of @layer, scrolling its row into view first.
 * Returns: FALSE when the model has no such Conv or dense layer.
 */
gboolean
lens_layer_list_edit (LensLayerList *self,
                      const char *layer)
{
  GtkWidget *button;
  int row;
  EditLater *later;

  g_return_val_if_fail (LENS_IS_LAYER_LIST (self), FALSE);
  row = row_of (self, layer);
  if (row < 0)
    return FALSE;
  button = find_rule_button (GTK_WIDGET (self->view), layer);
  if (button)
    {
      open_editor (self, button);
      return TRUE;
    }
  /* GTK 4.8 has no gtk_column_view_scroll_to (): move the scrollbar to the
   * row's share of the list, and open the editor once the row is drawn. */
  {
    GtkAdjustment *adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->view));
    double n = g_list_model_get_n_items (G_LIST_MODEL (self->store));

    gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) * row / n
                                   - gtk_adjustment_get_page_size (adj) / 2);
  }
  later = g_new0 (EditLater, 1);
  later->list = g_object_ref (self);
  later->layer = g_strdup (layer);
  g_timeout_add (100, edit_later_cb, later);
  return TRUE;
}

/* Enter (or a double click) on a row opens its rule editor. */
static void
row_activated_cb (GtkColumnView *view,
                  guint position,
                  LensLayerList *self)
{
  g_autoptr(LensLayerItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), position);
  const LrpLayer *layer = item ? lens_layer_item_get_layer (item) : NULL;

  if (layer && layer->linear_index >= 0)
    lens_layer_list_edit (self, layer->name);
}

GListModel *
lens_layer_list_get_model (LensLayerList *self)
{
  g_return_val_if_fail (LENS_IS_LAYER_LIST (self), NULL);
  return G_LIST_MODEL (self->store);
}

static void
lens_layer_list_dispose (GObject *object)
{
  LensLayerList *self = LENS_LAYER_LIST (object);

  GtkWidget *child;

  if (self->editor && gtk_widget_get_parent (GTK_WIDGET (self->editor)))
    gtk_widget_unparent (GTK_WIDGET (self->editor));
  g_clear_object (&self->editor);
  gtk_widget_dispose_template (GTK_WIDGET (self), LENS_TYPE_LAYER_LIST);
  /* The template's box is not a bound child: unparent it ourselves. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
  g_clear_object (&self->store);
  g_clear_pointer (&self->result, lens_result_unref);
  G_OBJECT_CLASS (lens_layer_list_parent_class)->dispose (object);
}

static void
lens_layer_list_class_init (LensLayerListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lens_layer_list_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/lrplens/Lrplens/ui/lens-layer-list.ui");
  gtk_widget_class_bind_template_child (widget_class, LensLayerList, view);
  gtk_widget_class_bind_template_child (widget_class, LensLayerList, summary);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "layerlist");
}

static void
lens_layer_list_init (LensLayerList *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->editor = g_object_ref_sink (LENS_RULE_EDITOR (lens_rule_editor_new ()));
  self->store = g_list_store_new (LENS_TYPE_LAYER_ITEM);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->store)));
  g_signal_connect (self->view, "activate", G_CALLBACK (row_activated_cb), self);
  gtk_column_view_set_model (self->view, GTK_SELECTION_MODEL (selection));
  add_column (self, "#", COLUMN_INDEX, 32);
  add_column (self, "Layer", COLUMN_NAME, -1);
  add_column (self, "Op", COLUMN_OP, 70);
  add_column (self, "Output", COLUMN_SHAPE, 86);
  add_column (self, "Rule", COLUMN_RULE, 98);
  add_column (self, "ΣR", COLUMN_RELEVANCE, 96);
}
