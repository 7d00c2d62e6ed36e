/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * LensColorbar: the colormap as a bar, with the relevance its ends and
 * centre stand for under the current normalisation and clip.
 */
#define G_LOG_DOMAIN "lens-colorbar"

#include "config.h"

#include "lens-colorbar.h"

#define BAR_HEIGHT 12

struct _LensColorbar
{
  GtkWidget parent_instance;

  LensResult *result;          /* owned */
  char *colormap;              /* owned */
  char *normalization;         /* owned */
  double clip;
  cairo_surface_t *bar;        /* owned: the colormap, rebuilt when it changes */
  GtkWidget *low, *mid, *high; /* owned children: the values */
};

G_DEFINE_FINAL_TYPE (LensColorbar, lens_colorbar, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_COLORMAP,
  PROP_NORMALIZATION,
  PROP_CLIP,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
format_value (GtkWidget *label,
              double value)
{
  g_autofree char *text = g_strdup_printf ("%.3g", value);

  gtk_label_set_text (GTK_LABEL (label), text);
}

static void
update_labels (LensColorbar *self)
{
  LrpRenderOptions options = LRP_RENDER_OPTIONS_INIT;
  double low, high;
  g_autofree char *description = NULL;

  if (self->result == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
  options.colormap = self->colormap;
  options.normalization = g_strcmp0 (self->normalization, "absolute") == 0
                          ? LRP_NORM_ABSOLUTE : LRP_NORM_SYMMETRIC;
  options.clip = self->clip;
  lrp_heatmap_get_range (self->result->heatmap, &options, &low, &high);
  format_value (self->low, low);
  format_value (self->mid, (low + high) / 2);
  format_value (self->high, high);
  description = g_strdup_printf ("Colour scale %s: %.3g to %.3g", self->colormap, low, high);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  description, -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lens_colorbar_set_result (LensColorbar *self,
                          LensResult *result)
{
  g_return_if_fail (LENS_IS_COLORBAR (self));
  if (result)
    lens_result_ref (result);
  g_clear_pointer (&self->result, lens_result_unref);
  self->result = result;
  update_labels (self);
}

static void
lens_colorbar_measure (GtkWidget *widget,
                       GtkOrientation orientation,
                       int for_size,
                       int *minimum,
                       int *natural,
                       int *minimum_baseline,
                       int *natural_baseline)
{
  LensColorbar *self = LENS_COLORBAR (widget);
  int label_min, label_nat;

  gtk_widget_measure (self->low, orientation, -1, &label_min, &label_nat, NULL, NULL);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 3 * label_min + 24;
      *natural = MAX (3 * label_nat, 240);
    }
  else
    {
      *minimum = BAR_HEIGHT + 4 + label_min;
      *natural = BAR_HEIGHT + 4 + label_nat;
    }
}

static void
lens_colorbar_size_allocate (GtkWidget *widget,
                             int width,
                             int height,
                             int baseline)
{
  LensColorbar *self = LENS_COLORBAR (widget);
  GtkWidget *labels[] = { self->low, self->mid, self->high };
  int y = BAR_HEIGHT + 4;

  for (int i = 0; i < 3; i++)
    {
      int w;

      gtk_widget_measure (labels[i], GTK_ORIENTATION_HORIZONTAL, -1, NULL, &w, NULL, NULL);
      w = MIN (w, width / 3);
      gtk_widget_size_allocate (labels[i],
                                &(GtkAllocation) { i == 0 ? 0 : i == 1 ? (width - w) / 2 : width - w,
                                                   y, w, height - y }, -1);
    }
}

static void
lens_colorbar_snapshot (GtkWidget *widget,
                        GtkSnapshot *snapshot)
{
  LensColorbar *self = LENS_COLORBAR (widget);
  int width = gtk_widget_get_width (widget);
  cairo_t *cr;

  if (self->bar == NULL)
    self->bar = lrp_colormap_render_bar (self->colormap, 256, 1);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, BAR_HEIGHT));
  cairo_scale (cr, width / 256.0, BAR_HEIGHT);
  cairo_set_source_surface (cr, self->bar, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_BILINEAR);
  cairo_pattern_set_extend (cairo_get_source (cr), CAIRO_EXTEND_PAD);
  cairo_paint (cr);
  cairo_destroy (cr);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    gtk_widget_snapshot_child (widget, child, snapshot);
}

static void
lens_colorbar_set_property (GObject *object,
                            guint prop_id,
                            const GValue *value,
                            GParamSpec *pspec)
{
  LensColorbar *self = LENS_COLORBAR (object);

  switch (prop_id)
    {
    case PROP_COLORMAP:
      g_free (self->colormap);
      self->colormap = g_value_dup_string (value);
      g_clear_pointer (&self->bar, cairo_surface_destroy);
      break;
    case PROP_NORMALIZATION:
      g_free (self->normalization);
      self->normalization = g_value_dup_string (value);
      break;
    case PROP_CLIP:
      self->clip = g_value_get_double (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  update_labels (self);
}

static void
lens_colorbar_get_property (GObject *object,
                            guint prop_id,
                            GValue *value,
                            GParamSpec *pspec)
{
  LensColorbar *self = LENS_COLORBAR (object);

  switch (prop_id)
    {
    case PROP_COLORMAP: g_value_set_string (value, self->colormap); break;
    case PROP_NORMALIZATION: g_value_set_string (value, self->normalization); break;
    case PROP_CLIP: g_value_set_double (value, self->clip); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lens_colorbar_dispose (GObject *object)
{
  LensColorbar *self = LENS_COLORBAR (object);

  g_clear_pointer (&self->low, gtk_widget_unparent);
  g_clear_pointer (&self->mid, gtk_widget_unparent);
  g_clear_pointer (&self->high, gtk_widget_unparent);
  G_OBJECT_CLASS (lens_colorbar_parent_class)->dispose (object);
}

static void
lens_colorbar_finalize (GObject *object)
{
  LensColorbar *self = LENS_COLORBAR (object);

  g_clear_pointer (&self->result, lens_result_unref);
  g_clear_pointer (&self->bar, cairo_surface_destroy);
  g_free (self->colormap);
  g_free (self->normalization);
  G_OBJECT_CLASS (lens_colorbar_parent_class)->finalize (object);
}

static void
lens_colorbar_class_init (LensColorbarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  object_class->dispose = lens_colorbar_dispose;
  object_class->finalize = lens_colorbar_finalize;
  object_class->set_property = lens_colorbar_set_property;
  object_class->get_property = lens_colorbar_get_property;
  widget_class->measure = lens_colorbar_measure;
  widget_class->size_allocate = lens_colorbar_size_allocate;
  widget_class->snapshot = lens_colorbar_snapshot;

  properties[PROP_COLORMAP] = g_param_spec_string ("colormap", NULL, NULL, "bwr", rw);
  properties[PROP_NORMALIZATION] = g_param_spec_string ("normalization", NULL, NULL,
                                                        "symmetric", rw);
  properties[PROP_CLIP] = g_param_spec_double ("clip", NULL, NULL, 1, 100, 99, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "colorbar");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lens_colorbar_init (LensColorbar *self)
{
  self->colormap = g_strdup ("bwr");
  self->normalization = g_strdup ("symmetric");
  self->clip = 99;
  self->low = gtk_label_new (NULL);
  self->mid = gtk_label_new (NULL);
  self->high = gtk_label_new (NULL);
  for (GtkWidget **l = (GtkWidget *[]) { self->low, self->mid, self->high, NULL }; *l; l++)
    {
      gtk_widget_add_css_class (*l, "caption");
      gtk_widget_add_css_class (*l, "numeric");
      gtk_widget_set_parent (*l, GTK_WIDGET (self));
    }
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}
