/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Relevance as a picture: the channel sum of the input relevance as a
 * plane, coloured through one of Zennit's colormaps, alone or over the
 * image as the model saw it.  The plane keeps |R| sorted so that a new
 * colormap, clip percentile or normalisation is only a pass over the
 * pixels; the command line and the GUI draw through the same functions.
 */
#define G_LOG_DOMAIN "lrp-render"

#include "config.h"

#include "lrp-render-private.h"

#include "lrp-tensor-private.h"

#include <math.h>
#include <stdlib.h>

/* Cairo's limit on an image surface's side. */
#define MAX_SIDE 32767

struct _LrpHeatmap
{
  gatomicrefcount ref_count;
  int width, height;
  double sum;
  int64_t n_finite;            /* entries of sorted_abs */
  float *plane;                /* owned: height × width channel sums */
  float *sorted_abs;           /* owned: |R| of the finite values, ascending */
};

static int
compare_floats (gconstpointer a,
                gconstpointer b)
{
  float x = *(const float *) a, y = *(const float *) b;

  return (x > y) - (x < y);
}

static gboolean
plane_shape (const LrpTensor *r,
             int64_t *channels,
             int64_t *height,
             int64_t *width,
             GError **error)
{
  g_autofree char *shape = lrp_shape_to_string (r->rank, r->shape);

  if (r->dtype != LRP_DTYPE_FLOAT || r->data == NULL
      || !((r->rank == 4 && r->shape[0] == 1) || r->rank == 3))
    {
      g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_FAILED,
                   "relevance of shape %s is not an image: a heatmap needs [1, C, H, W] or "
                   "[C, H, W]", shape);
      return FALSE;
    }
  *channels = r->shape[r->rank - 3];
  *height = r->shape[r->rank - 2];
  *width = r->shape[r->rank - 1];
  if (*channels < 1 || *height < 1 || *width < 1 || *height > MAX_SIDE || *width > MAX_SIDE)
    {
      g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_FAILED,
                   "relevance of shape %s is not an image of 1 to %d pixels a side", shape,
                   MAX_SIDE);
      return FALSE;
    }
  return TRUE;
}

/**
 * lrp_heatmap_new:
 * @relevance: input relevance, [1, C, H, W] or [C, H, W]
 *
 * Sums @relevance over its channels and prepares the plane for colouring.
 *
 * Returns: (transfer full): the heatmap, or NULL with LRP_RUN_ERROR set
 * when @relevance is not shaped as an image.
 */
LrpHeatmap *
lrp_heatmap_new (const LrpTensor *relevance,
                 GError **error)
{
  LrpHeatmap *h;
  int64_t channels, height, width, n;
  const float *v;

  g_return_val_if_fail (relevance != NULL, NULL);
  if (!plane_shape (relevance, &channels, &height, &width, error))
    return NULL;
  n = height * width;
  v = lrp_tensor_f (relevance);
  h = g_new0 (LrpHeatmap, 1);
  g_atomic_ref_count_init (&h->ref_count);
  h->width = (int) width;
  h->height = (int) height;
  h->plane = g_new (float, n);
  h->sorted_abs = g_new (float, n);
  for (int64_t i = 0; i < n; i++)
    {
      double s = 0.0;

      for (int64_t c = 0; c < channels; c++)
        s += v[c * n + i];
      h->plane[i] = (float) s;
      h->sum += s;
      if (isfinite (h->plane[i]))
        h->sorted_abs[h->n_finite++] = fabsf (h->plane[i]);
    }
  qsort (h->sorted_abs, (size_t) h->n_finite, sizeof (float), compare_floats);
  return h;
}

LrpHeatmap *
lrp_heatmap_ref (LrpHeatmap *heatmap)
{
  g_return_val_if_fail (heatmap != NULL, NULL);
  g_atomic_ref_count_inc (&heatmap->ref_count);
  return heatmap;
}

void
lrp_heatmap_unref (LrpHeatmap *heatmap)
{
  if (heatmap == NULL || !g_atomic_ref_count_dec (&heatmap->ref_count))
    return;
  g_free (heatmap->plane);
  g_free (heatmap->sorted_abs);
  g_free (heatmap);
}

int
lrp_heatmap_get_width (const LrpHeatmap *heatmap)
{
  g_return_val_if_fail (heatmap != NULL, 0);
  return heatmap->width;
}

int
lrp_heatmap_get_height (const LrpHeatmap *heatmap)
{
  g_return_val_if_fail (heatmap != NULL, 0);
  return heatmap->height;
}

/* The channel sum at (@x, @y), 0 outside the plane. */
float
lrp_heatmap_get_value (const LrpHeatmap *heatmap,
                       int x,
                       int y)
{
  g_return_val_if_fail (heatmap != NULL, 0.f);
  if (x < 0 || y < 0 || x >= heatmap->width || y >= heatmap->height)
    return 0.f;
  return heatmap->plane[(gsize) y * (gsize) heatmap->width + (gsize) x];
}

/* The sum of the relevance over every pixel and channel. */
double
lrp_heatmap_get_sum (const LrpHeatmap *heatmap)
{
  g_return_val_if_fail (heatmap != NULL, 0.0);
  return heatmap->sum;
}

/* The options with defaults filled in and the clip percentile in (0, 100]. */
static LrpRenderOptions
resolve_options (const LrpRenderOptions *options)
{
  LrpRenderOptions o = LRP_RENDER_OPTIONS_INIT;

  if (options)
    o = *options;
  if (o.colormap == NULL)
    o.colormap = "bwr";
  if (!(o.clip > 0.0))
    o.clip = 99.0;
  o.clip = MIN (o.clip, 100.0);
  return o;
}

/* s: the clip percentile of |R| (the nearest rank below, as numpy's
 * "lower"), the maximum if that is 0, 1 if everything is 0. */
static double
scale_of (const LrpHeatmap *h,
          double clip)
{
  int64_t n = h->n_finite, k;
  float q, max;

  if (n == 0)
    return 1.0;
  k = MIN (n - 1, (int64_t) (clip / 100.0 * (double) n));
  q = h->sorted_abs[k];
  max = h->sorted_abs[n - 1];
  return q > 0.f ? q : max > 0.f ? max : 1.0;
}

/**
 * lrp_heatmap_get_range:
 * The values that the colours span under @options (NULL: the defaults):
 * [−s, s] for symmetric normalisation, [0, s] for absolute.
 */
void
lrp_heatmap_get_range (const LrpHeatmap *heatmap,
                       const LrpRenderOptions *options,
                       double *low,
                       double *high)
{
  LrpRenderOptions o;
  double s;

  g_return_if_fail (heatmap != NULL);
  o = resolve_options (options);
  s = scale_of (heatmap, o.clip);
  if (low)
    *low = o.normalization == LRP_NORM_ABSOLUTE ? 0.0 : -s;
  if (high)
    *high = s;
}

static cairo_surface_t *
new_surface (int width,
             int height,
             guint8 **data,
             int *stride)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);

  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    return surface;
  cairo_surface_flush (surface);
  *data = cairo_image_surface_get_data (surface);
  *stride = cairo_image_surface_get_stride (surface);
  return surface;
}

/**
 * lrp_heatmap_render:
 * Colours the heatmap, one image pixel per input pixel (scale it up with
 * CAIRO_FILTER_NEAREST to keep the pixels sharp).
 *
 * Returns: (transfer full): an opaque ARGB32 image surface of the
 * heatmap's width × height.
 */
cairo_surface_t *
lrp_heatmap_render (const LrpHeatmap *heatmap,
                    const LrpRenderOptions *options)
{
  LrpRenderOptions o;
  const guint8 *palette;
  cairo_surface_t *surface;
  guint8 *data = NULL;
  double inverse;
  int stride = 0;
  gboolean absolute;

  g_return_val_if_fail (heatmap != NULL, NULL);
  o = resolve_options (options);
  palette = lrp_colormap_get_palette (o.colormap);
  g_return_val_if_fail (palette != NULL, NULL);
  absolute = o.normalization == LRP_NORM_ABSOLUTE;
  inverse = 1.0 / scale_of (heatmap, o.clip);
  surface = new_surface (heatmap->width, heatmap->height, &data, &stride);
  if (data == NULL)
    return surface;
  for (int y = 0; y < heatmap->height; y++)
    {
      const float *row = heatmap->plane + (gsize) y * (gsize) heatmap->width;
      guint32 *out = (guint32 *) (data + (gsize) y * (gsize) stride);

      for (int x = 0; x < heatmap->width; x++)
        out[x] = lrp_rgb_pixel (palette + 3 * lrp_colour_index (row[x], inverse, absolute));
    }
  cairo_surface_mark_dirty (surface);
  return surface;
}

/* @image as RGB24 of @width × @height: drawn over black, scaled to fit if
 * its size differs; an A8 or A1 image is taken as grey levels. */
static cairo_surface_t *
image_to_rgb (cairo_surface_t *image,
              int width,
              int height)
{
  cairo_surface_t *rgb = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (rgb);
  cairo_format_t format;
  int iw = 0, ih = 0;

  if (cairo_surface_get_type (image) == CAIRO_SURFACE_TYPE_IMAGE)
    {
      iw = cairo_image_surface_get_width (image);
      ih = cairo_image_surface_get_height (image);
    }
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_paint (cr);
  if (iw > 0 && ih > 0 && (iw != width || ih != height))
    cairo_scale (cr, (double) width / iw, (double) height / ih);
  format = iw > 0 ? cairo_image_surface_get_format (image) : CAIRO_FORMAT_INVALID;
  if (format == CAIRO_FORMAT_A8 || format == CAIRO_FORMAT_A1)
    {
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_mask_surface (cr, image, 0, 0);
    }
  else
    {
      cairo_set_source_surface (cr, image, 0, 0);
      cairo_paint (cr);
    }
  cairo_destroy (cr);
  cairo_surface_flush (rgb);
  return rgb;
}

/**
 * lrp_heatmap_render_overlay:
 * @image: the input as the model saw it (lrp_model_load_view()), of the
 *   heatmap's size (scaled to it otherwise), any image format
 * @opacity: 0..1, the heatmap's weight: 1 as the command line's --overlay,
 *   0 the greyed image alone
 *
 * The heatmap over a greyed @image: the image shows through where
 * relevance is small.
 *
 * Returns: (transfer full): an opaque ARGB32 image surface of the
 * heatmap's width × height.
 */
cairo_surface_t *
lrp_heatmap_render_overlay (const LrpHeatmap *heatmap,
                            cairo_surface_t *image,
                            const LrpRenderOptions *options,
                            double opacity)
{
  LrpRenderOptions o;
  const guint8 *palette;
  cairo_surface_t *surface, *rgb;
  const guint8 *base;
  guint8 *data = NULL;
  double inverse;
  int stride = 0, base_stride;
  gboolean absolute;

  g_return_val_if_fail (heatmap != NULL, NULL);
  g_return_val_if_fail (image != NULL, NULL);
  o = resolve_options (options);
  palette = lrp_colormap_get_palette (o.colormap);
  g_return_val_if_fail (palette != NULL, NULL);
  absolute = o.normalization == LRP_NORM_ABSOLUTE;
  inverse = 1.0 / scale_of (heatmap, o.clip);
  opacity = opacity >= 0.0 ? MIN (opacity, 1.0) : 0.0;
  surface = new_surface (heatmap->width, heatmap->height, &data, &stride);
  if (data == NULL)
    return surface;
  rgb = image_to_rgb (image, heatmap->width, heatmap->height);
  base = cairo_image_surface_get_data (rgb);
  base_stride = cairo_image_surface_get_stride (rgb);
  for (int y = 0; y < heatmap->height; y++)
    {
      const float *row = heatmap->plane + (gsize) y * (gsize) heatmap->width;
      const guint32 *b = (const guint32 *) (base + (gsize) y * (gsize) base_stride);
      guint32 *out = (guint32 *) (data + (gsize) y * (gsize) stride);

      for (int x = 0; x < heatmap->width; x++)
        {
          const guint8 *c = palette + 3 * lrp_colour_index (row[x], inverse, absolute);
          double t = fabs ((double) row[x] * inverse);
          float r = (float) (b[x] >> 16 & 0xff), g = (float) (b[x] >> 8 & 0xff);
          float grey = 0.6f * (0.299f * r + 0.587f * g + 0.114f * (float) (b[x] & 0xff))
                       + 0.25f * 255.f;
          /* Weight of the colour: small relevance lets the image through. */
          float a = (float) (pow (t == t ? MIN (t, 1.0) : 0.0, 0.7) * 0.9 * opacity);
          guint8 p[3];

          for (int k = 0; k < 3; k++)
            p[k] = (guint8) ((1.f - a) * grey + a * (float) c[k] + 0.5f);
          out[x] = lrp_rgb_pixel (p);
        }
    }
  cairo_surface_destroy (rgb);
  cairo_surface_mark_dirty (surface);
  return surface;
}
