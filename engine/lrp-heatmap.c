/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The heatmap PNGs of the first command line, now drawn by the renderer
 * (lrp-render.c) with its defaults: bwr, symmetric, the 99th percentile of
 * |R| full colour.
 */
#define G_LOG_DOMAIN "lrp-heatmap"

#include "config.h"

#include "lrp-render-private.h"

/* Small inputs (28×28) are enlarged, pixel for pixel, to at least this. */
#define MIN_SIDE 256

static gboolean
save_scaled (cairo_surface_t *image,
             const char *path,
             GError **error)
{
  int w = cairo_image_surface_get_width (image), h = cairo_image_surface_get_height (image);
  int factor = MAX (1, (MIN_SIDE + MAX (w, h) - 1) / MAX (MAX (w, h), 1));
  cairo_surface_t *big = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w * factor, h * factor);
  cairo_t *cr = cairo_create (big);
  cairo_status_t status;

  cairo_scale (cr, factor, factor);
  cairo_set_source_surface (cr, image, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_paint (cr);
  cairo_destroy (cr);
  status = cairo_surface_write_to_png (big, path);
  cairo_surface_destroy (big);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_autofree char *base = g_path_get_basename (path);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", base,
                   cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

gboolean
lrp_heatmap_save (const LrpTensor *relevance,
                  const char *path,
                  GError **error)
{
  g_autoptr(LrpHeatmap) heatmap = NULL;
  cairo_surface_t *image;
  gboolean ok;

  g_return_val_if_fail (relevance != NULL && path != NULL, FALSE);
  heatmap = lrp_heatmap_new (relevance, error);
  if (heatmap == NULL)
    return FALSE;
  image = lrp_heatmap_render (heatmap, NULL);
  ok = save_scaled (image, path, error);
  cairo_surface_destroy (image);
  return ok;
}

gboolean
lrp_heatmap_save_overlay (const LrpModel *model,
                          const char *image_path,
                          const LrpTensor *relevance,
                          const char *path,
                          GError **error)
{
  g_autoptr(LrpHeatmap) heatmap = NULL;
  cairo_surface_t *view, *image;
  gboolean ok;

  g_return_val_if_fail (model != NULL && image_path != NULL && relevance != NULL, FALSE);
  heatmap = lrp_heatmap_new (relevance, error);
  if (heatmap == NULL)
    return FALSE;
  view = lrp_model_load_view (model, image_path, error);
  if (view == NULL)
    return FALSE;
  image = lrp_heatmap_render_overlay (heatmap, view, NULL, 1.0);
  ok = save_scaled (image, path, error);
  cairo_surface_destroy (image);
  cairo_surface_destroy (view);
  return ok;
}
