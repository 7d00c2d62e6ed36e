/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * LensRuleEditor: a popover for one layer's rule and its parameters.
 * Every change applies at once, through win.set-rule with the rule in the
 * rule-map text the command line takes ("gamma(gamma=0.5,zero_bias=true)").
 */
#define G_LOG_DOMAIN "lens-rule-editor"

#include "config.h"

#include "lens-rule-editor.h"

#include "lens-layer-item.h"

/* In the order of the template's drop-down. */
static const char *const kinds[] = {
  "epsilon", "gamma", "alpha_beta", "zplus", "zbox", "flat", "wsquare", "gradient", "pass",
};

struct _LensRuleEditor
{
  GtkPopover parent_instance;

  GtkLabel *title;
  GtkDropDown *kind;
  GtkWidget *epsilon_label, *gamma_label, *alpha_label, *low_label, *high_label;
  GtkSpinButton *epsilon;
  GtkSpinButton *gamma;
  GtkSpinButton *alpha;
  GtkEditable *low;
  GtkEditable *high;
  GtkSwitch *zero_bias;
  GtkWidget *reset;

  char *layer;                 /* owned: the layer's name */
  gboolean loading;            /* widgets being filled from a layer, not edited */
};

G_DEFINE_FINAL_TYPE (LensRuleEditor, lens_rule_editor, GTK_TYPE_POPOVER)

static const char *
selected_kind (LensRuleEditor *self)
{
  guint i = gtk_drop_down_get_selected (self->kind);

  return i < G_N_ELEMENTS (kinds) ? kinds[i] : "epsilon";
}

static void
show_parameters (LensRuleEditor *self)
{
  const char *kind = selected_kind (self);
  gboolean eps = g_str_equal (kind, "epsilon"), gamma = g_str_equal (kind, "gamma");
  gboolean ab = g_str_equal (kind, "alpha_beta"), box = g_str_equal (kind, "zbox");

  gtk_widget_set_visible (self->epsilon_label, eps);
  gtk_widget_set_visible (GTK_WIDGET (self->epsilon), eps);
  gtk_widget_set_visible (self->gamma_label, gamma);
  gtk_widget_set_visible (GTK_WIDGET (self->gamma), gamma);
  gtk_widget_set_visible (self->alpha_label, ab);
  gtk_widget_set_visible (GTK_WIDGET (self->alpha), ab);
  gtk_widget_set_visible (self->low_label, box);
  gtk_widget_set_visible (GTK_WIDGET (self->low), box);
  gtk_widget_set_visible (self->high_label, box);
  gtk_widget_set_visible (GTK_WIDGET (self->high), box);
}

/* One bound for every channel, as the rule map's text form takes it; NULL
 * for per-channel lists, which then stay the model's pixel range. */
static char *
bound_text (GtkEditable *entry)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  char *end = NULL;
  double v = g_ascii_strtod (text, &end);
  char num[G_ASCII_DTOSTR_BUF_SIZE];

  if (*text == '\0' || end == text || *end != '\0')
    return NULL;
  return g_strdup (g_ascii_dtostr (num, sizeof num, v));
}

char *
lens_rule_editor_dup_rule_text (LensRuleEditor *self)
{
  const char *kind = selected_kind (self);
  GString *s = g_string_new (kind);
  GString *params = g_string_new (NULL);
  char num[G_ASCII_DTOSTR_BUF_SIZE];

  if (g_str_equal (kind, "epsilon"))
    g_string_append_printf (params, ",epsilon=%s",
                            g_ascii_dtostr (num, sizeof num,
                                            gtk_spin_button_get_value (self->epsilon)));
  else if (g_str_equal (kind, "gamma"))
    g_string_append_printf (params, ",gamma=%s",
                            g_ascii_dtostr (num, sizeof num,
                                            gtk_spin_button_get_value (self->gamma)));
  else if (g_str_equal (kind, "alpha_beta"))
    {
      double alpha = gtk_spin_button_get_value (self->alpha);

      g_string_append_printf (params, ",alpha=%s", g_ascii_dtostr (num, sizeof num, alpha));
      g_string_append_printf (params, ",beta=%s", g_ascii_dtostr (num, sizeof num, alpha - 1));
    }
  else if (g_str_equal (kind, "zbox"))
    {
      g_autofree char *low = bound_text (self->low);
      g_autofree char *high = bound_text (self->high);

      if (low && high)
        g_string_append_printf (params, ",low=%s,high=%s", low, high);
    }
  if (gtk_switch_get_active (self->zero_bias))
    g_string_append (params, ",zero_bias=true");
  if (params->len)
    g_string_append_printf (s, "(%s)", params->str + 1);
  g_string_free (params, TRUE);
  return g_string_free (s, FALSE);
}

/* ZBox bounds are typed: a low above the high is marked, not applied. */
static gboolean
bounds_are_valid (LensRuleEditor *self)
{
  g_autofree char *low = bound_text (self->low);
  g_autofree char *high = bound_text (self->high);
  gboolean valid = !g_str_equal (selected_kind (self), "zbox") || low == NULL || high == NULL
                   || g_ascii_strtod (low, NULL) <= g_ascii_strtod (high, NULL);

  if (valid)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->low), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->high), "error");
    }
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->low), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->high), "error");
    }
  return valid;
}

static void
changed_cb (LensRuleEditor *self)
{
  g_autofree char *text = NULL;

  show_parameters (self);
  if (self->loading || self->layer == NULL || !bounds_are_valid (self))
    return;
  text = lens_rule_editor_dup_rule_text (self);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.set-rule", "(ss)", self->layer, text);
  /* The layer now has a rule of its own, which the preset's can replace. */
  gtk_widget_set_sensitive (self->reset, TRUE);
}

static void
reset_cb (LensRuleEditor *self)
{
  if (self->layer)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.set-rule", "(ss)", self->layer, "");
  gtk_popover_popdown (GTK_POPOVER (self));
}

static char *
bounds_entry (int n,
              const double *values)
{
  GString *s = g_string_new (NULL);

  for (int i = 0; i < n; i++)
    g_string_append_printf (s, "%s%.4g", i ? ", " : "", values[i]);
  return g_string_free (s, FALSE);
}

void
lens_rule_editor_set_layer (LensRuleEditor *self,
                            const LrpLayer *layer)
{
  g_autofree char *low = NULL, *high = NULL, *title = NULL, *shown = NULL;

  g_return_if_fail (LENS_IS_RULE_EDITOR (self));
  g_free (self->layer);
  self->layer = layer ? g_strdup (layer->name) : NULL;
  if (layer == NULL)
    return;
  self->loading = TRUE;
  shown = lens_layer_display_name (layer->name);   /* as the layer list names it */
  title = g_strdup_printf ("%s (%s)", shown, layer->op_type);
  gtk_label_set_text (self->title, title);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_str_equal (kinds[i], layer->rule))
      gtk_drop_down_set_selected (self->kind, i);
  gtk_spin_button_set_value (self->epsilon, layer->epsilon);
  gtk_spin_button_set_value (self->gamma, layer->gamma);
  gtk_spin_button_set_value (self->alpha, layer->alpha);
  low = bounds_entry (layer->n_box, layer->low);
  high = bounds_entry (layer->n_box, layer->high);
  gtk_editable_set_text (self->low, low);
  gtk_editable_set_text (self->high, high);
  gtk_switch_set_active (self->zero_bias, layer->zero_bias);
  gtk_widget_set_sensitive (self->reset, layer->overridden);
  show_parameters (self);
  self->loading = FALSE;
}

const char *
lens_rule_editor_get_layer_name (LensRuleEditor *self)
{
  g_return_val_if_fail (LENS_IS_RULE_EDITOR (self), NULL);
  return self->layer;
}

static void
lens_rule_editor_dispose (GObject *object)
{
  LensRuleEditor *self = LENS_RULE_EDITOR (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), LENS_TYPE_RULE_EDITOR);
  g_clear_pointer (&self->layer, g_free);
  G_OBJECT_CLASS (lens_rule_editor_parent_class)->dispose (object);
}

static void
lens_rule_editor_class_init (LensRuleEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lens_rule_editor_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/lrplens/Lrplens/ui/lens-rule-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, LensRuleEditor, title);
  gtk_widget_class_bind_template_child (widget_class, LensRuleEditor, kind);
  gtk_widget_class_bind_template_child (widget_class, LensRuleEditor, epsilon_label);
  gtk_widget_class_bind_template_child (widget_class, LensRuleEditor, gamma_label);
  gtk_widget_class_bind_template_child (widget_class, LensRuleEditor, alpha_label);
  gtk_widget_class_bind_template_child (widget_class, LensRuleEditor, low_label);
  gtk_widget_class_bind_template_child (widget_class, LensRuleEditor, high_label);
  gtk_widget_class_bind_template_child (widget_class, LensRuleEditor, epsilon);
  gtk_widget_class_bind_template_child (widget_class, LensRuleEditor, gamma);
  gtk_widget_class_bind_template_child (widget_class, LensRuleEditor, alpha);
  gtk_widget_class_bind_template_child (widget_class, LensRuleEditor, low);
  gtk_widget_class_bind_template_child (widget_class, LensRuleEditor, high);
  gtk_widget_class_bind_template_child (widget_class, LensRuleEditor, zero_bias);
  gtk_widget_class_bind_template_child (widget_class, LensRuleEditor, reset);
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, reset_cb);
}

static void
lens_rule_editor_init (LensRuleEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
lens_rule_editor_new (void)
{
  return g_object_new (LENS_TYPE_RULE_EDITOR, NULL);
}
