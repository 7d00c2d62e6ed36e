/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Relevance as a picture, without a display: the channel sum of the input
 * relevance, scaled symmetrically (zero is always white, the 99th
 * percentile of |R| full colour), in the blue–white–red map LRP papers
 * use; and the same over the image as the model saw it (after resize and
 * crop).
 */
#define G_LOG_DOMAIN "lrp-heatmap"

#include "config.h"

#include "lrp-graph-private.h"
#include "lrp-image-private.h"

#include <math.h>
#include <stdlib.h>

/* Small inputs (28×28) are enlarged, pixel for pixel, to at least this. */
#define MIN_SIDE 256

static gboolean
relevance_plane (const LrpTensor *r,
                 int *height,
                 int *width,
                 float **plane,
                 GError **error)
{
  int64_t h, w, channels;

  if (r->rank < 3 || r->shape[0] != 1)
    {
      g_autofree char *shape = lrp_shape_to_string (r->rank, r->shape);

      g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_FAILED,
                   "relevance of shape %s is not an image: a heatmap needs [1, C, H, W]", shape);
      return FALSE;
    }
  h = r->shape[r->rank - 2];
  w = r->shape[r->rank - 1];
  channels = r->n / MAX (h * w, 1);
  *plane = g_new0 (float, h * w);
  for (int64_t c = 0; c < channels; c++)
    for (int64_t i = 0; i < h * w; i++)
      (*plane)[i] += lrp_tensor_f (r)[c * h * w + i];
  *height = (int) h;
  *width = (int) w;
  return TRUE;
}

static int
compare_floats (gconstpointer a,
                gconstpointer b)
{
  float x = *(const float *) a, y = *(const float *) b;

  return (x > y) - (x < y);
}

/* The colour scale: |R| at the 99th percentile is full colour (larger
 * values clip), so that one hot pixel does not wash out the rest; the
 * maximum when the percentile is 0. */
static float
colour_scale (const float *v,
              int64_t n)
{
  g_autofree float *a = g_new (float, MAX (n, 1));
  float m = 0.f, q;

  for (int64_t i = 0; i < n; i++)
    {
      a[i] = fabsf (v[i]);
      m = MAX (m, a[i]);
    }
  qsort (a, (size_t) n, sizeof (float), compare_floats);
  q = n > 0 ? a[MIN (n - 1, (int64_t) (0.99 * (double) n))] : 0.f;
  return q > 0.f ? q : (m > 0.f ? m : 1.f);
}

/* v in [−1, 1] → blue, white, red */
static void
colormap (float v,
          guint8 *rgb)
{
  float t = CLAMP (v, -1.f, 1.f);

  rgb[0] = (guint8) (255.f * (t < 0.f ? 1.f + t : 1.f) + 0.5f);
  rgb[1] = (guint8) (255.f * (1.f - fabsf (t)) + 0.5f);
  rgb[2] = (guint8) (255.f * (t > 0.f ? 1.f - t : 1.f) + 0.5f);
}

/* Heatmap pixels, optionally blended over @base (RGB, same size). */
static GdkPixbuf *
render (const float *plane,
        int height,
        int width,
        GdkPixbuf *base)
{
  GdkPixbuf *out = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  int stride = gdk_pixbuf_get_rowstride (out);
  guint8 *px = gdk_pixbuf_get_pixels (out);
  float scale = colour_scale (plane, (int64_t) height * width);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        float v = plane[y * width + x] / scale;
        guint8 *p = px + y * stride + x * 3;

        colormap (v, p);
        if (base)
          {
            const guint8 *b = gdk_pixbuf_read_pixels (base) + y * gdk_pixbuf_get_rowstride (base)
                              + x * gdk_pixbuf_get_n_channels (base);
            /* The image, in grey, shows through where relevance is small. */
            float grey = 0.6f * (0.299f * b[0] + 0.587f * b[1] + 0.114f * b[2]) + 0.25f * 255.f;
            float a = powf (MIN (1.f, fabsf (v)), 0.7f) * 0.9f;

            for (int c = 0; c < 3; c++)
              p[c] = (guint8) ((1.f - a) * grey + a * (float) p[c] + 0.5f);
          }
      }
  return out;
}

static gboolean
save_scaled (GdkPixbuf *pixbuf,
             const char *path,
             GError **error)
{
  int w = gdk_pixbuf_get_width (pixbuf), h = gdk_pixbuf_get_height (pixbuf);
  int factor = MAX (1, (MIN_SIDE + MAX (w, h) - 1) / MAX (MAX (w, h), 1));
  g_autoptr(GdkPixbuf) big = factor > 1
    ? gdk_pixbuf_scale_simple (pixbuf, w * factor, h * factor, GDK_INTERP_NEAREST)
    : g_object_ref (pixbuf);

  return gdk_pixbuf_save (big, path, "png", error, NULL);
}

gboolean
lrp_heatmap_save (const LrpTensor *relevance,
                  const char *path,
                  GError **error)
{
  g_autofree float *plane = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  int h, w;

  g_return_val_if_fail (relevance != NULL && path != NULL, FALSE);
  if (!relevance_plane (relevance, &h, &w, &plane, error))
    return FALSE;
  pixbuf = render (plane, h, w, NULL);
  return save_scaled (pixbuf, path, error);
}

gboolean
lrp_heatmap_save_overlay (const LrpModel *model,
                          const char *image_path,
                          const LrpTensor *relevance,
                          const char *path,
                          GError **error)
{
  g_autofree float *plane = NULL;
  g_autoptr(GdkPixbuf) image = NULL, seen = NULL, pixbuf = NULL;
  int h, w, rank;
  const int64_t *shape;

  g_return_val_if_fail (model != NULL && image_path != NULL && relevance != NULL, FALSE);
  if (!relevance_plane (relevance, &h, &w, &plane, error))
    return FALSE;
  shape = lrp_model_get_input_shape (model, &rank);
  image = lrp_image_load (image_path, error);
  if (image == NULL)
    return FALSE;
  seen = lrp_image_prepare (model->meta, rank >= 4 ? (int) shape[1] : 1, h, w, image, error);
  if (seen == NULL)
    return FALSE;
  pixbuf = render (plane, h, w, seen);
  return save_scaled (pixbuf, path, error);
}
