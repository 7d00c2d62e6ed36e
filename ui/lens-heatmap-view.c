/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * LensHeatmapView: the image, its heatmap, or the heatmap over the greyed
 * image, enlarged pixel for pixel (a 28×28 input must stay crisp), with
 * zoom (Ctrl+scroll, pinch, the window's +/−/fit) and pan (drag), and a
 * readout of the pixel under the pointer.  Colormap, clip and opacity are
 * view properties: changing them re-colours the kept relevance, it never
 * recomputes it.
 */
#define G_LOG_DOMAIN "lens-heatmap-view"

#include "config.h"

#include "lens-heatmap-view.h"

#include <math.h>

#define MIN_ZOOM 0.05
#define MAX_ZOOM 64.0

struct _LensHeatmapView
{
  GtkWidget parent_instance;

  LensResult *result;          /* owned */
  char *mode;                  /* owned: "image", "heatmap" or "overlay" */
  char *colormap;              /* owned */
  char *normalization;         /* owned */
  double clip;
  double opacity;
  cairo_surface_t *rendered;   /* owned: the picture drawn now, rebuilt lazily */
  guint n_renders;
  gint64 rendered_at;          /* monotonic µs of the last picture drawn */

  double zoom;                 /* 0: fit the widget */
  double pan_x, pan_y;         /* offset of the picture's centre, in widget pixels */
  double drag_pan_x, drag_pan_y;
  double zoom_start;
  double pointer_x, pointer_y; /* where the pointer is over the view; -1: elsewhere */
  char *readout;               /* owned: the pixel under the pointer, for a label */
};

G_DEFINE_FINAL_TYPE (LensHeatmapView, lens_heatmap_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MODE,
  PROP_COLORMAP,
  PROP_NORMALIZATION,
  PROP_CLIP,
  PROP_OPACITY,
  PROP_ZOOM,
  PROP_READOUT,
  PROP_N_RENDERS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
invalidate (LensHeatmapView *self)
{
  g_clear_pointer (&self->rendered, cairo_surface_destroy);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
render_options (LensHeatmapView *self,
                LrpRenderOptions *options)
{
  *options = (LrpRenderOptions) LRP_RENDER_OPTIONS_INIT;
  options->colormap = self->colormap;
  options->normalization = g_strcmp0 (self->normalization, "absolute") == 0
                           ? LRP_NORM_ABSOLUTE : LRP_NORM_SYMMETRIC;
  options->clip = self->clip;
}

static cairo_surface_t *
picture (LensHeatmapView *self)
{
  LrpRenderOptions options;

  if (self->rendered || self->result == NULL)
    return self->rendered;
  render_options (self, &options);
  if (g_strcmp0 (self->mode, "image") == 0 && self->result->image)
    self->rendered = cairo_surface_reference (self->result->image);
  else if (g_strcmp0 (self->mode, "overlay") == 0 && self->result->image)
    self->rendered = lrp_heatmap_render_overlay (self->result->heatmap, self->result->image,
                                                 &options, self->opacity);
  else
    self->rendered = lrp_heatmap_render (self->result->heatmap, &options);
  self->n_renders++;
  self->rendered_at = g_get_monotonic_time ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_RENDERS]);
  return self->rendered;
}

static double
effective_zoom (LensHeatmapView *self,
                int iw,
                int ih)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self));
  int h = gtk_widget_get_height (GTK_WIDGET (self));
  double fit;

  if (iw <= 0 || ih <= 0)
    return 1.0;
  fit = MIN ((w - 24.0) / iw, (h - 24.0) / ih);
  /* Fitting a small input: whole multiples keep every pixel the same size,
   * unless that leaves much of the room empty (a 224-pixel photo in a
   * 430-pixel view would stay at 224). */
  if (fit > 1.0 && floor (fit) >= 0.8 * fit)
    fit = floor (fit);
  return self->zoom > 0 ? self->zoom : MAX (fit, MIN_ZOOM);
}

/* Widget coordinates of the picture's top-left corner at @zoom. */
static void
origin (LensHeatmapView *self,
        int iw,
        int ih,
        double zoom,
        double *x,
        double *y)
{
  *x = round ((gtk_widget_get_width (GTK_WIDGET (self)) - iw * zoom) / 2 + self->pan_x);
  *y = round ((gtk_widget_get_height (GTK_WIDGET (self)) - ih * zoom) / 2 + self->pan_y);
}

static void
lens_heatmap_view_snapshot (GtkWidget *widget,
                            GtkSnapshot *snapshot)
{
  LensHeatmapView *self = LENS_HEATMAP_VIEW (widget);
  cairo_surface_t *surface = picture (self);
  int iw, ih;
  double zoom, x, y;
  cairo_t *cr;

  if (surface == NULL)
    return;
  iw = cairo_image_surface_get_width (surface);
  ih = cairo_image_surface_get_height (surface);
  zoom = effective_zoom (self, iw, ih);
  origin (self, iw, ih, zoom, &x, &y);

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0,
                                                                  gtk_widget_get_width (widget),
                                                                  gtk_widget_get_height (widget)));
  cairo_translate (cr, x, y);
  cairo_scale (cr, zoom, zoom);
  cairo_set_source_surface (cr, surface, 0, 0);
  /* Enlarged pixels stay square: no smoothing of a 28×28 map.  Between
   * whole sizes below 3×, square pixels would come in two sizes, a row
   * doubled and the next not: smoothed instead. */
  cairo_pattern_set_filter (cairo_get_source (cr),
                            zoom == floor (zoom) || zoom >= 3.0 ? CAIRO_FILTER_NEAREST
                                                               : CAIRO_FILTER_GOOD);
  cairo_rectangle (cr, 0, 0, iw, ih);
  cairo_fill (cr);
  cairo_destroy (cr);
}

static void
set_readout (LensHeatmapView *self,
             char *text)
{
  if (g_strcmp0 (text, self->readout) == 0)
    {
      g_free (text);
      return;
    }
  g_free (self->readout);
  self->readout = text;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READOUT]);
}

static void
motion_cb (GtkEventControllerMotion *controller,
           double wx,
           double wy,
           LensHeatmapView *self)
{
  const LrpHeatmap *h;
  int iw, ih, px, py;
  double zoom, x, y, sum;
  float value;

  self->pointer_x = wx;
  self->pointer_y = wy;
  if (self->result == NULL)
    return;
  h = self->result->heatmap;
  iw = lrp_heatmap_get_width (h);
  ih = lrp_heatmap_get_height (h);
  zoom = effective_zoom (self, iw, ih);
  origin (self, iw, ih, zoom, &x, &y);
  px = (int) floor ((wx - x) / zoom);
  py = (int) floor ((wy - y) / zoom);
  if (px < 0 || py < 0 || px >= iw || py >= ih)
    {
      set_readout (self, NULL);
      return;
    }
  value = lrp_heatmap_get_value (h, px, py);
  sum = lrp_heatmap_get_sum (h);
  if (fabs (sum) > 0)
    set_readout (self, g_strdup_printf ("x %d, y %d   R = %.4g   %.3g %% of ΣR",
                                        px, py, value, 100.0 * value / sum));
  else
    set_readout (self, g_strdup_printf ("x %d, y %d   R = %.4g", px, py, value));
}

static void
leave_cb (GtkEventControllerMotion *controller,
          LensHeatmapView *self)
{
  self->pointer_x = self->pointer_y = -1;
  set_readout (self, NULL);
}

static void
set_zoom (LensHeatmapView *self,
          double zoom)
{
  zoom = zoom > 0 ? CLAMP (zoom, MIN_ZOOM, MAX_ZOOM) : 0;
  if (zoom == self->zoom)
    return;
  self->zoom = zoom;
  if (zoom == 0)
    self->pan_x = self->pan_y = 0;
  set_readout (self, NULL);   /* the pixel under the pointer moved */
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
}

static double
current_zoom (LensHeatmapView *self)
{
  cairo_surface_t *surface = picture (self);

  if (surface == NULL)
    return self->zoom > 0 ? self->zoom : 1.0;
  return effective_zoom (self, cairo_image_surface_get_width (surface),
                         cairo_image_surface_get_height (surface));
}

/* Zooms by @factor keeping the picture's point at widget (@wx, @wy) where
 * it is.  The picture's centre sits at the widget's centre plus the pan, so
 * a point d picture pixels from it is at c + pan + d·zoom; holding that
 * fixed gives pan' = a − (a − pan)·zoom'/zoom, a = w − c. */
void
lens_heatmap_view_zoom_at (LensHeatmapView *self,
                           double factor,
                           double wx,
                           double wy)
{
  double old, zoom, ax, ay;

  g_return_if_fail (LENS_IS_HEATMAP_VIEW (self));
  old = current_zoom (self);
  zoom = CLAMP (old * factor, MIN_ZOOM, MAX_ZOOM);
  ax = wx - gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
  ay = wy - gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
  self->pan_x = ax - (ax - self->pan_x) * zoom / old;
  self->pan_y = ay - (ay - self->pan_y) * zoom / old;
  set_zoom (self, zoom);
}

void
lens_heatmap_view_zoom_by (LensHeatmapView *self,
                           double factor)
{
  g_return_if_fail (LENS_IS_HEATMAP_VIEW (self));
  /* From the keyboard or the buttons: about the centre of the view. */
  lens_heatmap_view_zoom_at (self, factor, gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
                             gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
}

void
lens_heatmap_view_zoom_fit (LensHeatmapView *self)
{
  g_return_if_fail (LENS_IS_HEATMAP_VIEW (self));
  self->pan_x = self->pan_y = 0;
  set_zoom (self, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
scroll_cb (GtkEventControllerScroll *controller,
           double dx,
           double dy,
           LensHeatmapView *self)
{
  GdkModifierType mods = gtk_event_controller_get_current_event_state (
    GTK_EVENT_CONTROLLER (controller));

  if (!(mods & GDK_CONTROL_MASK) || dy == 0)
    return FALSE;
  /* About the pointer, as image viewers do: what it points at stays. */
  if (self->pointer_x >= 0)
    lens_heatmap_view_zoom_at (self, dy < 0 ? 1.25 : 0.8, self->pointer_x, self->pointer_y);
  else
    lens_heatmap_view_zoom_by (self, dy < 0 ? 1.25 : 0.8);
  return TRUE;
}

/* Arrow keys pan a zoomed picture by a tenth of the view, for those who
 * zoom from the keyboard too; at the fitted size they move the focus. */
static gboolean
key_pressed_cb (GtkEventControllerKey *keys,
                guint keyval,
                guint keycode,
                GdkModifierType state,
                LensHeatmapView *self)
{
  double step_x = gtk_widget_get_width (GTK_WIDGET (self)) / 10.0;
  double step_y = gtk_widget_get_height (GTK_WIDGET (self)) / 10.0;

  if (self->zoom == 0 || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK)))
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_Left: case GDK_KEY_KP_Left: self->pan_x += step_x; break;
    case GDK_KEY_Right: case GDK_KEY_KP_Right: self->pan_x -= step_x; break;
    case GDK_KEY_Up: case GDK_KEY_KP_Up: self->pan_y += step_y; break;
    case GDK_KEY_Down: case GDK_KEY_KP_Down: self->pan_y -= step_y; break;
    default: return FALSE;
    }
  set_readout (self, NULL);   /* the pixel under the pointer moved */
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

static void
pinch_begin_cb (GtkGesture *gesture,
                GdkEventSequence *sequence,
                LensHeatmapView *self)
{
  self->zoom_start = current_zoom (self);
}

static void
pinch_scale_cb (GtkGestureZoom *gesture,
                double scale,
                LensHeatmapView *self)
{
  set_zoom (self, self->zoom_start * scale);
}

static void
drag_begin_cb (GtkGestureDrag *gesture,
               double x,
               double y,
               LensHeatmapView *self)
{
  /* A click on the picture gives it the keys, for panning with arrows. */
  gtk_widget_grab_focus (GTK_WIDGET (self));
  self->drag_pan_x = self->pan_x;
  self->drag_pan_y = self->pan_y;
}

static void
drag_update_cb (GtkGestureDrag *gesture,
                double dx,
                double dy,
                LensHeatmapView *self)
{
  self->pan_x = self->drag_pan_x + dx;
  self->pan_y = self->drag_pan_y + dy;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lens_heatmap_view_set_result (LensHeatmapView *self,
                              LensResult *result)
{
  g_return_if_fail (LENS_IS_HEATMAP_VIEW (self));
  if (result == self->result)
    return;
  if (result)
    lens_result_ref (result);
  g_clear_pointer (&self->result, lens_result_unref);
  self->result = result;
  set_readout (self, NULL);
  invalidate (self);
}

/* Pictures drawn from relevance so far; a test tells a redraw from a recomputation. */
guint
lens_heatmap_view_get_n_renders (LensHeatmapView *self)
{
  g_return_val_if_fail (LENS_IS_HEATMAP_VIEW (self), 0);
  return self->n_renders;
}

/* When the last picture was drawn (g_get_monotonic_time), for timings. */
gint64
lens_heatmap_view_get_rendered_at (LensHeatmapView *self)
{
  g_return_val_if_fail (LENS_IS_HEATMAP_VIEW (self), 0);
  return self->rendered_at;
}

static gboolean
set_string (char **field,
            const GValue *value)
{
  const char *s = g_value_get_string (value);

  if (g_strcmp0 (*field, s) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (s);
  return TRUE;
}

static gboolean
set_double (double *field,
            const GValue *value)
{
  double d = g_value_get_double (value);

  if (*field == d)
    return FALSE;
  *field = d;
  return TRUE;
}

static void
lens_heatmap_view_set_property (GObject *object,
                                guint prop_id,
                                const GValue *value,
                                GParamSpec *pspec)
{
  LensHeatmapView *self = LENS_HEATMAP_VIEW (object);
  gboolean changed;

  switch (prop_id)
    {
    case PROP_MODE: changed = set_string (&self->mode, value); break;
    case PROP_COLORMAP: changed = set_string (&self->colormap, value); break;
    case PROP_NORMALIZATION: changed = set_string (&self->normalization, value); break;
    case PROP_CLIP: changed = set_double (&self->clip, value); break;
    case PROP_OPACITY: changed = set_double (&self->opacity, value); break;
    case PROP_ZOOM: set_zoom (self, g_value_get_double (value)); return;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec); return;
    }
  if (changed)
    {
      invalidate (self);
      g_object_notify_by_pspec (object, pspec);
    }
}

static void
lens_heatmap_view_get_property (GObject *object,
                                guint prop_id,
                                GValue *value,
                                GParamSpec *pspec)
{
  LensHeatmapView *self = LENS_HEATMAP_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODE: g_value_set_string (value, self->mode); break;
    case PROP_COLORMAP: g_value_set_string (value, self->colormap); break;
    case PROP_NORMALIZATION: g_value_set_string (value, self->normalization); break;
    case PROP_CLIP: g_value_set_double (value, self->clip); break;
    case PROP_OPACITY: g_value_set_double (value, self->opacity); break;
    case PROP_ZOOM: g_value_set_double (value, self->zoom); break;
    case PROP_READOUT: g_value_set_string (value, self->readout); break;
    case PROP_N_RENDERS: g_value_set_uint (value, self->n_renders); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lens_heatmap_view_finalize (GObject *object)
{
  LensHeatmapView *self = LENS_HEATMAP_VIEW (object);

  g_clear_pointer (&self->result, lens_result_unref);
  g_clear_pointer (&self->rendered, cairo_surface_destroy);
  g_free (self->mode);
  g_free (self->colormap);
  g_free (self->normalization);
  g_free (self->readout);
  G_OBJECT_CLASS (lens_heatmap_view_parent_class)->finalize (object);
}

static void
lens_heatmap_view_class_init (LensHeatmapViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = lens_heatmap_view_finalize;
  object_class->set_property = lens_heatmap_view_set_property;
  object_class->get_property = lens_heatmap_view_get_property;
  widget_class->snapshot = lens_heatmap_view_snapshot;

  properties[PROP_MODE] = g_param_spec_string ("mode", NULL, NULL, "heatmap", rw);
  properties[PROP_COLORMAP] = g_param_spec_string ("colormap", NULL, NULL, "bwr", rw);
  properties[PROP_NORMALIZATION] = g_param_spec_string ("normalization", NULL, NULL,
                                                        "symmetric", rw);
  properties[PROP_CLIP] = g_param_spec_double ("clip", NULL, NULL, 1, 100, 99, rw);
  properties[PROP_OPACITY] = g_param_spec_double ("opacity", NULL, NULL, 0, 1, 0.8, rw);
  properties[PROP_ZOOM] = g_param_spec_double ("zoom", NULL, NULL, 0, MAX_ZOOM, 0, rw);
  properties[PROP_READOUT] = g_param_spec_string ("readout", NULL, NULL, NULL,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS
                                                  | G_PARAM_EXPLICIT_NOTIFY);
  /* Pictures drawn from relevance: a test tells a redraw from a recomputation. */
  properties[PROP_N_RENDERS] = g_param_spec_uint ("n-renders", NULL, NULL, 0, G_MAXUINT, 0,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS
                                                  | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "heatmapview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lens_heatmap_view_init (LensHeatmapView *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *scroll = gtk_event_controller_scroll_new (
    GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  GtkGesture *pinch = gtk_gesture_zoom_new ();
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();

  self->mode = g_strdup ("heatmap");
  self->colormap = g_strdup ("bwr");
  self->normalization = g_strdup ("symmetric");
  self->clip = 99;
  self->opacity = 0.8;
  self->pointer_x = self->pointer_y = -1;

  g_signal_connect (motion, "enter", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (motion, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  g_signal_connect (scroll, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
  g_signal_connect (pinch, "begin", G_CALLBACK (pinch_begin_cb), self);
  g_signal_connect (pinch, "scale-changed", G_CALLBACK (pinch_scale_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (pinch));
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
}
