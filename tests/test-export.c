/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Export for slides: PNG files that gdk-pixbuf reads back at the expected
 * size with unblurred pixels, PDF files with one page, SVG files that
 * parse as XML with the map as an <image> and the colour bar as vector
 * shapes.
 */
#include "config.h"

#include "lrp-test-util.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <string.h>

static char *tmp_dir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

/* A 28 × 28 heatmap: negative on the left, positive on the right. */
static LrpHeatmap *
make_heatmap (int width,
              int height)
{
  int64_t shape[4] = { 1, 1, height, width };
  g_autoptr(LrpTensor) t = lrp_tensor_new_float (4, shape);
  g_autoptr(GError) error = NULL;
  LrpHeatmap *h;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      lrp_tensor_f (t)[y * width + x] = (float) (x - width / 2);
  h = lrp_heatmap_new (t, &error);
  g_assert_no_error (error);
  return h;
}

static cairo_surface_t *
gray_image (int width,
            int height)
{
  cairo_surface_t *image = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (image);

  cairo_set_source_rgb (cr, 0.5, 0.5, 0.5);
  cairo_paint (cr);
  cairo_destroy (cr);
  return image;
}

static void
test_format_from_name (void)
{
  LrpExportFormat f = LRP_EXPORT_PDF;

  g_assert_true (lrp_export_format_from_name ("png", &f));
  g_assert_cmpint (f, ==, LRP_EXPORT_PNG);
  g_assert_true (lrp_export_format_from_name ("out/heat.map.SVG", &f));
  g_assert_cmpint (f, ==, LRP_EXPORT_SVG);
  g_assert_true (lrp_export_format_from_name ("/tmp/x.pdf", &f));
  g_assert_cmpint (f, ==, LRP_EXPORT_PDF);
  g_assert_false (lrp_export_format_from_name ("x.jpg", &f));
  g_assert_false (lrp_export_format_from_name ("dir.png/file", &f));
  g_assert_false (lrp_export_format_from_name ("", &f));
  g_assert_false (lrp_export_format_from_name (NULL, &f));
}

/* PNG: auto scale brings 28 px to 280, each input pixel a sharp 10 × 10
 * block of its rendered colour. */
static void
test_png_heatmap (void)
{
  g_autoptr(LrpHeatmap) h = make_heatmap (28, 28);
  g_autofree char *path = tmp_path ("h.png");
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) png = NULL;
  cairo_surface_t *small = lrp_heatmap_render (h, NULL);
  const guint8 *px;
  int rs, nc;

  g_assert_true (lrp_heatmap_export (h, NULL, NULL, 1.0, LRP_EXPORT_HEATMAP, LRP_EXPORT_PNG, 0,
                                     path, &error));
  g_assert_no_error (error);
  png = gdk_pixbuf_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (png), ==, 280);
  g_assert_cmpint (gdk_pixbuf_get_height (png), ==, 280);
  px = gdk_pixbuf_read_pixels (png);
  rs = gdk_pixbuf_get_rowstride (png);
  nc = gdk_pixbuf_get_n_channels (png);
  cairo_surface_flush (small);
  for (int y = 0; y < 280; y += 7)
    for (int x = 0; x < 280; x++)
      {
        guint32 want = ((const guint32 *) (cairo_image_surface_get_data (small)
                                           + (y / 10) * cairo_image_surface_get_stride (small)))
                       [x / 10];
        const guint8 *p = px + y * rs + x * nc;

        g_assert_cmphex ((guint32) p[0] << 16 | (guint32) p[1] << 8 | p[2], ==, want & 0xffffff);
      }
  cairo_surface_destroy (small);

  g_clear_object (&png);
  g_assert_true (lrp_heatmap_export (h, NULL, NULL, 1.0, LRP_EXPORT_HEATMAP, LRP_EXPORT_PNG, 3,
                                     path, &error));
  png = gdk_pixbuf_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (png), ==, 84);
}

static void
test_png_overlay_and_bar (void)
{
  g_autoptr(LrpHeatmap) h = make_heatmap (40, 30);
  cairo_surface_t *image = gray_image (40, 30);
  g_autofree char *over = tmp_path ("o.png"), *bar = tmp_path ("bar.png");
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) a = NULL, b = NULL;

  g_assert_true (lrp_heatmap_export (h, image, NULL, 0.5, LRP_EXPORT_OVERLAY, LRP_EXPORT_PNG, 0,
                                     over, &error));
  g_assert_no_error (error);
  a = gdk_pixbuf_new_from_file (over, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (a), ==, 280);    /* scale 7 */
  g_assert_cmpint (gdk_pixbuf_get_height (a), ==, 210);

  g_assert_true (lrp_heatmap_export (h, NULL, NULL, 1.0, LRP_EXPORT_COLORBAR, LRP_EXPORT_PNG, 0,
                                     bar, &error));
  b = gdk_pixbuf_new_from_file (bar, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (b), ==, 280);
  g_assert_cmpint (gdk_pixbuf_get_height (b), <, gdk_pixbuf_get_width (b) / 2);
  cairo_surface_destroy (image);
}

/* Binary-safe: PDF streams hold NUL bytes. */
static gboolean
contains (const char *data,
          gsize length,
          const char *needle)
{
  return memmem (data, length, needle, strlen (needle)) != NULL;
}

static void
test_pdf (void)
{
  g_autoptr(LrpHeatmap) h = make_heatmap (28, 28);
  cairo_surface_t *image = gray_image (28, 28);
  const LrpExportKind kinds[] = { LRP_EXPORT_HEATMAP, LRP_EXPORT_OVERLAY, LRP_EXPORT_COLORBAR };

  for (gsize k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autofree char *path = tmp_path ("x.pdf");
      g_autofree char *data = NULL;
      g_autoptr(GError) error = NULL;
      gsize length;

      g_assert_true (lrp_heatmap_export (h, image, NULL, 1.0, kinds[k], LRP_EXPORT_PDF, 0, path,
                                         &error));
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (path, &data, &length, NULL));
      g_assert_true (g_str_has_prefix (data, "%PDF-"));
      g_assert_true (contains (data, length, "/Type /Page"));
      g_assert_true (contains (data, length, "/Count 1"));
      g_assert_true (contains (data, length, "%%EOF"));
      /* The maps are images, shown without interpolation. */
      if (kinds[k] != LRP_EXPORT_COLORBAR)
        g_assert_true (contains (data, length, "/Interpolate false"));
    }
  cairo_surface_destroy (image);
}

typedef struct
{
  char *root;
  int depth;
  int images, shapes, texts;
} SvgCount;

static void
svg_start (GMarkupParseContext *context,
           const char *name,
           const char **attribute_names,
           const char **attribute_values,
           gpointer data,
           GError **error)
{
  SvgCount *c = data;

  (void) context, (void) attribute_names, (void) attribute_values, (void) error;
  if (c->depth++ == 0)
    c->root = g_strdup (name);
  if (g_str_equal (name, "image"))
    c->images++;
  else if (g_str_equal (name, "rect") || g_str_equal (name, "path"))
    c->shapes++;
  else if (g_str_equal (name, "use") || g_str_equal (name, "text"))
    c->texts++;
}

static void
svg_end (GMarkupParseContext *context,
         const char *name,
         gpointer data,
         GError **error)
{
  SvgCount *c = data;

  (void) context, (void) name, (void) error;
  c->depth--;
}

static SvgCount
parse_svg (const char *path)
{
  static const GMarkupParser parser = { svg_start, svg_end, NULL, NULL, NULL };
  SvgCount c = { NULL, 0, 0, 0, 0 };
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  GMarkupParseContext *context;
  gsize length;

  g_assert_true (g_file_get_contents (path, &data, &length, NULL));
  context = g_markup_parse_context_new (&parser, 0, &c, NULL);
  g_assert_true (g_markup_parse_context_parse (context, data, (gssize) length, &error));
  g_assert_true (g_markup_parse_context_end_parse (context, &error));
  g_assert_no_error (error);
  g_markup_parse_context_free (context);
  g_assert_cmpint (c.depth, ==, 0);
  return c;
}

static void
test_svg (void)
{
  g_autoptr(LrpHeatmap) h = make_heatmap (28, 28);
  cairo_surface_t *image = gray_image (28, 28);
  g_autofree char *map = tmp_path ("h.svg"), *over = tmp_path ("o.svg");
  g_autofree char *bar = tmp_path ("bar.svg");
  LrpRenderOptions o = { "coldnhot", LRP_NORM_SYMMETRIC, 95.0 };
  g_autoptr(GError) error = NULL;
  SvgCount c;

  g_assert_true (lrp_heatmap_export (h, NULL, &o, 1.0, LRP_EXPORT_HEATMAP, LRP_EXPORT_SVG, 0, map,
                                     &error));
  g_assert_true (lrp_heatmap_export (h, image, &o, 0.7, LRP_EXPORT_OVERLAY, LRP_EXPORT_SVG, 2,
                                     over, &error));
  g_assert_true (lrp_heatmap_export (h, NULL, &o, 1.0, LRP_EXPORT_COLORBAR, LRP_EXPORT_SVG, 0, bar,
                                     &error));
  g_assert_no_error (error);

  c = parse_svg (map);
  g_assert_cmpstr (c.root, ==, "svg");
  g_assert_cmpint (c.images, ==, 1);
  g_free (c.root);
  c = parse_svg (over);
  g_assert_cmpstr (c.root, ==, "svg");
  g_assert_cmpint (c.images, ==, 1);
  g_free (c.root);

  /* The bar: 256 vector rectangles and a frame, labels as glyphs. */
  c = parse_svg (bar);
  g_assert_cmpstr (c.root, ==, "svg");
  g_assert_cmpint (c.images, ==, 0);
  g_assert_cmpint (c.shapes, >=, 257);
  g_assert_cmpint (c.texts, >=, 3);
  g_free (c.root);
  cairo_surface_destroy (image);
}

static void
test_errors (void)
{
  g_autoptr(LrpHeatmap) h = make_heatmap (8, 8);
  g_autofree char *missing_dir = tmp_path ("no/such/dir/h.png");
  g_autofree char *path = tmp_path ("e.png");
  LrpRenderOptions bad_map = { "viridis", LRP_NORM_SYMMETRIC, 99.0 };
  LrpRenderOptions bad_clip = { NULL, LRP_NORM_SYMMETRIC, 0.0 };
  g_autoptr(GError) error = NULL;

  g_assert_false (lrp_heatmap_export (h, NULL, NULL, 1.0, LRP_EXPORT_HEATMAP, LRP_EXPORT_PNG, 0,
                                      missing_dir, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, "h.png"));
  g_clear_error (&error);

  g_assert_false (lrp_heatmap_export (h, NULL, NULL, 1.0, LRP_EXPORT_OVERLAY, LRP_EXPORT_PNG, 0,
                                      path, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (lrp_heatmap_export (h, NULL, &bad_map, 1.0, LRP_EXPORT_HEATMAP, LRP_EXPORT_PDF,
                                      0, path, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "viridis"));
  g_clear_error (&error);
  g_assert_false (lrp_heatmap_export (h, NULL, &bad_clip, 1.0, LRP_EXPORT_HEATMAP, LRP_EXPORT_SVG,
                                      0, path, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

int
main (int argc,
      char *argv[])
{
  int ret;

  lrp_test_init (&argc, &argv);
  tmp_dir = g_dir_make_tmp ("lrplens-test-export-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);

  g_test_add_func ("/export/format-from-name", test_format_from_name);
  g_test_add_func ("/export/png/heatmap", test_png_heatmap);
  g_test_add_func ("/export/png/overlay-and-bar", test_png_overlay_and_bar);
  g_test_add_func ("/export/pdf", test_pdf);
  g_test_add_func ("/export/svg", test_svg);
  g_test_add_func ("/export/errors", test_errors);

  ret = g_test_run ();
  {
    g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = tmp_path (name);

        g_unlink (path);
      }
  }
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
