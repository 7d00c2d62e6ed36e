/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Heatmaps for slides and papers: one drawing onto a Cairo image, PDF or
 * SVG surface.  The pixel maps stay images, enlarged with NEAREST
 * filtering so that a 28 × 28 input shows its pixels instead of a blur;
 * the colour bar and its labels are vector shapes and text.
 */
#define G_LOG_DOMAIN "lrp-export"

#include "config.h"

#include "lrp-render-private.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Auto scale: small inputs are enlarged to at least this many pixels. */
#define MIN_SIDE 256

typedef struct
{
  FILE *file;                  /* owned */
  int error;                   /* errno of the first failed write, or 0 */
} Sink;

static cairo_status_t
write_cb (void *closure,
          const unsigned char *data,
          unsigned int length)
{
  Sink *sink = closure;

  if (sink->error == 0 && fwrite (data, 1, length, sink->file) != length)
    sink->error = errno ? errno : EIO;
  return sink->error ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

/**
 * lrp_export_format_from_name:
 * @name_or_path: "png", "pdf" or "svg", or a path ending in one of them
 *   (any case)
 *
 * Returns: TRUE and @format set if the name or extension is known.
 */
gboolean
lrp_export_format_from_name (const char *name_or_path,
                             LrpExportFormat *format)
{
  static const char *const names[] = { "png", "pdf", "svg" };
  const char *dot;

  g_return_val_if_fail (format != NULL, FALSE);
  if (name_or_path == NULL)
    return FALSE;
  dot = strrchr (name_or_path, '.');
  if (dot && strchr (dot, G_DIR_SEPARATOR) == NULL)
    name_or_path = dot + 1;
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (name_or_path, names[i]) == 0)
      {
        *format = (LrpExportFormat) i;
        return TRUE;
      }
  return FALSE;
}

/* ---- the colour bar ----------------------------------------------------- */

typedef struct
{
  double width, height;        /* of the whole figure */
  double bar_height, pad, font_size;
} BarLayout;

static BarLayout
bar_layout (double width)
{
  BarLayout l;

  l.width = width;
  l.bar_height = round (width * 0.08);
  l.pad = round (width * 0.03);
  l.font_size = round (width * 0.05);
  l.height = l.pad + l.bar_height + l.pad * 0.6 + l.font_size * 1.3 + l.pad;
  return l;
}

/* A tick value as text, with a typographic minus. */
static char *
format_value (double v)
{
  char *text = g_strdup_printf ("%.3g", v);

  if (text[0] == '-')
    {
      char *minus = g_strconcat ("\xe2\x88\x92", text + 1, NULL);

      g_free (text);
      return minus;
    }
  return text;
}

static void
draw_tick_label (cairo_t *cr,
                 const BarLayout *l,
                 double x,
                 double align,
                 double value)
{
  g_autofree char *text = format_value (value);
  cairo_text_extents_t e;
  double top = l->pad + l->bar_height;

  cairo_set_source_rgb (cr, 0.13, 0.13, 0.13);
  cairo_set_line_width (cr, MAX (1.0, l->width / 400.0));
  cairo_move_to (cr, x, top);
  cairo_line_to (cr, x, top + l->pad * 0.4);
  cairo_stroke (cr);
  cairo_text_extents (cr, text, &e);
  cairo_move_to (cr, x - align * e.x_advance, top + l->pad * 0.6 + l->font_size);
  cairo_show_text (cr, text);
}

/* The bar as 256 filled rectangles (each a little wider than its share so
 * that no seam shows between them), a hairline frame, and the labels of
 * low, middle (0 when symmetric) and high. */
static void
draw_colorbar (cairo_t *cr,
               const BarLayout *l,
               const guint8 *palette,
               double low,
               double high)
{
  double inset = l->font_size * 0.5;
  double x0 = inset, w = l->width - 2 * inset, step = w / 256.0;

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  for (int i = 0; i < 256; i++)
    {
      cairo_rectangle (cr, x0 + i * step, l->pad, i < 255 ? step * 1.5 : step, l->bar_height);
      cairo_set_source_rgb (cr, palette[3 * i] / 255.0, palette[3 * i + 1] / 255.0,
                            palette[3 * i + 2] / 255.0);
      cairo_fill (cr);
    }
  cairo_set_source_rgb (cr, 0.5, 0.5, 0.5);
  cairo_set_line_width (cr, MAX (0.5, l->width / 800.0));
  cairo_rectangle (cr, x0, l->pad, w, l->bar_height);
  cairo_stroke (cr);
  cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, l->font_size);
  draw_tick_label (cr, l, x0, 0.0, low);
  draw_tick_label (cr, l, x0 + w / 2, 0.5, (low + high) / 2);
  draw_tick_label (cr, l, x0 + w, 1.0, high);
}

/* ---- surfaces ----------------------------------------------------------- */

static cairo_surface_t *
create_target (LrpExportFormat format,
               double width,
               double height,
               Sink *sink)
{
  switch (format)
    {
    case LRP_EXPORT_PDF:
      return cairo_pdf_surface_create_for_stream (write_cb, sink, width, height);
    case LRP_EXPORT_SVG:
      {
        cairo_surface_t *s = cairo_svg_surface_create_for_stream (write_cb, sink, width, height);

        cairo_svg_surface_set_document_unit (s, CAIRO_SVG_UNIT_PX);
        return s;
      }
    case LRP_EXPORT_PNG:
    default:
      return cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) ceil (width),
                                         (int) ceil (height));
    }
}

/* @map (one pixel per input pixel) enlarged @scale times, unblurred.  SVG
 * viewers smooth embedded images whatever the pattern filter says, so
 * there the image is enlarged before it is embedded. */
static void
draw_map (cairo_t *cr,
          cairo_surface_t *map,
          int scale,
          LrpExportFormat format)
{
  if (format == LRP_EXPORT_SVG && scale > 1)
    {
      int w = cairo_image_surface_get_width (map), h = cairo_image_surface_get_height (map);
      cairo_surface_t *big = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w * scale, h * scale);
      cairo_t *bcr = cairo_create (big);

      draw_map (bcr, map, scale, LRP_EXPORT_PNG);
      cairo_destroy (bcr);
      cairo_set_source_surface (cr, big, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
      cairo_paint (cr);
      cairo_surface_destroy (big);
      return;
    }
  cairo_save (cr);
  cairo_scale (cr, scale, scale);
  cairo_set_source_surface (cr, map, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
  cairo_paint (cr);
  cairo_restore (cr);
}

static gboolean
check_request (cairo_surface_t *image,
               const LrpRenderOptions *options,
               LrpExportKind kind,
               GError **error)
{
  if (options && options->colormap && !lrp_colormap_is_valid (options->colormap))
    {
      g_autofree char *names = g_strjoinv (", ", (char **) lrp_colormap_list ());

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "unknown colormap “%s” (known: %s)", options->colormap, names);
      return FALSE;
    }
  if (options && !(options->clip > 0.0 && options->clip <= 100.0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "the clip percentile must be above 0 and at most 100, not %g", options->clip);
      return FALSE;
    }
  if (kind == LRP_EXPORT_OVERLAY && image == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "an overlay needs the image the model saw");
      return FALSE;
    }
  return TRUE;
}

/* Draws the export onto a new target surface; the caller finishes it. */
static cairo_surface_t *
draw_export (const LrpHeatmap *heatmap,
             cairo_surface_t *image,
             const LrpRenderOptions *options,
             double opacity,
             LrpExportKind kind,
             LrpExportFormat format,
             int scale,
             Sink *sink)
{
  int w = lrp_heatmap_get_width (heatmap), h = lrp_heatmap_get_height (heatmap);
  cairo_surface_t *target, *map;
  cairo_t *cr;

  if (kind == LRP_EXPORT_COLORBAR)
    {
      BarLayout l = bar_layout (MAX (MIN_SIDE, w * scale));
      double low, high;

      lrp_heatmap_get_range (heatmap, options, &low, &high);
      target = create_target (format, l.width, l.height, sink);
      cr = cairo_create (target);
      draw_colorbar (cr, &l, lrp_colormap_get_palette (options ? options->colormap : NULL), low,
                     high);
      cairo_destroy (cr);
      return target;
    }
  map = kind == LRP_EXPORT_OVERLAY ? lrp_heatmap_render_overlay (heatmap, image, options, opacity)
                                   : lrp_heatmap_render (heatmap, options);
  target = create_target (format, (double) w * scale, (double) h * scale, sink);
  cr = cairo_create (target);
  draw_map (cr, map, scale, format);
  cairo_destroy (cr);
  cairo_surface_destroy (map);
  return target;
}

static gboolean
write_error (const char *path,
             int errsv,
             cairo_status_t status,
             GError **error)
{
  g_autofree char *name = g_filename_display_name (path);

  if (errsv)
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv), "%s: %s", name,
                 g_strerror (errsv));
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", name,
                 cairo_status_to_string (status));
  return FALSE;
}

/**
 * lrp_heatmap_export:
 * @image: (nullable): the model's view of the input, for
 *   LRP_EXPORT_OVERLAY (lrp_model_load_view())
 * @opacity: for the overlay: 0..1, the heatmap's weight
 * @scale: pixels (PNG) or points (PDF, SVG) per input pixel; 0 = enough
 *   for at least 256 on the longer side
 *
 * Writes the heatmap, the overlay or the colour bar (with the values at
 * its ends and middle under @options) to @path.
 *
 * Returns: TRUE, or FALSE with @error set (the file is then removed).
 */
gboolean
lrp_heatmap_export (const LrpHeatmap *heatmap,
                    cairo_surface_t *image,
                    const LrpRenderOptions *options,
                    double opacity,
                    LrpExportKind kind,
                    LrpExportFormat format,
                    int scale,
                    const char *path,
                    GError **error)
{
  Sink sink = { NULL, 0 };
  cairo_surface_t *target;
  cairo_status_t status = CAIRO_STATUS_SUCCESS;
  int side, errsv;

  g_return_val_if_fail (heatmap != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (scale >= 0, FALSE);
  g_return_val_if_fail (format <= LRP_EXPORT_SVG && kind <= LRP_EXPORT_COLORBAR, FALSE);
  if (!check_request (image, options, kind, error))
    return FALSE;
  side = MAX (lrp_heatmap_get_width (heatmap), lrp_heatmap_get_height (heatmap));
  if (scale == 0)
    scale = MAX (1, (MIN_SIDE + side - 1) / side);
  scale = MIN (scale, MAX (1, 32767 / side));
  sink.file = g_fopen (path, "wb");
  if (sink.file == NULL)
    return write_error (path, errno, CAIRO_STATUS_SUCCESS, error);
  target = draw_export (heatmap, image, options, opacity, kind, format, scale, &sink);
  if (format == LRP_EXPORT_PNG && cairo_surface_status (target) == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_write_to_png_stream (target, write_cb, &sink);
  cairo_surface_finish (target);
  if (format != LRP_EXPORT_PNG || cairo_surface_status (target) != CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (target);
  cairo_surface_destroy (target);
  errsv = sink.error;
  if (fclose (sink.file) != 0 && errsv == 0)
    errsv = errno;
  if (status == CAIRO_STATUS_SUCCESS && errsv == 0)
    return TRUE;
  g_unlink (path);
  return write_error (path, errsv, status, error);
}
