/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Relevance as pictures: Zennit's colormaps, symmetric and absolute
 * normalisation, the clip percentile, the overlay, the model's view of an
 * image, through the public API only (what the GUI and CLI call).
 */
#include "config.h"

#include "lrp-test-util.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static char *tmp_dir;

static guint32
pixel_at (cairo_surface_t *s,
          int x,
          int y)
{
  cairo_surface_flush (s);
  return ((const guint32 *) (cairo_image_surface_get_data (s)
                             + (gsize) y * (gsize) cairo_image_surface_get_stride (s)))[x];
}

/* 0xRRGGBB of a pixel (alpha dropped). */
static guint32
rgb_at (cairo_surface_t *s,
        int x,
        int y)
{
  return pixel_at (s, x, y) & 0xffffff;
}

/* A [1, 1, h, w] (or other shape) tensor holding @values. */
static LrpTensor *
tensor_from (int rank,
             const int64_t *shape,
             const float *values)
{
  LrpTensor *t = lrp_tensor_new_float (rank, shape);

  memcpy (lrp_tensor_f (t), values, sizeof (float) * (gsize) t->n);
  return t;
}

static LrpHeatmap *
heatmap_from_row (const float *values,
                  int n)
{
  int64_t shape[4] = { 1, 1, 1, n };
  g_autoptr(LrpTensor) t = tensor_from (4, shape, values);
  g_autoptr(GError) error = NULL;
  LrpHeatmap *h = lrp_heatmap_new (t, &error);

  g_assert_no_error (error);
  return h;
}

static void
test_colormap_list (void)
{
  const char *const *names = lrp_colormap_list ();
  const char *expected[] = { "gray", "wred", "wblue", "hot", "cold", "coldnhot", "bwr",
                             "france", "seismic", "coolio", "coleus" };

  g_assert_cmpstr (names[0], ==, "bwr");
  g_assert_cmpuint (g_strv_length ((char **) names), ==, G_N_ELEMENTS (expected));
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_assert_true (g_strv_contains (names, expected[i]));
      g_assert_true (lrp_colormap_is_valid (expected[i]));
    }
  g_assert_false (lrp_colormap_is_valid ("viridis"));
  g_assert_false (lrp_colormap_is_valid (""));
  g_assert_false (lrp_colormap_is_valid (NULL));
}

/* Zennit's palettes at their colour stops (indices as Zennit's ColorMap
 * places unpinned stops: evenly, truncated), plus a few interpolated
 * entries (Zennit rounds down). */
static void
test_colormap_stops (void)
{
  static const struct { const char *name; int index; guint32 rgb; } stops[] = {
    { "gray", 0, 0x000000 }, { "gray", 255, 0xffffff }, { "gray", 128, 0x808080 },
    { "wred", 0, 0xffffff }, { "wred", 255, 0xff0000 },
    { "wblue", 0, 0xffffff }, { "wblue", 255, 0x0000ff },
    { "hot", 0, 0x000000 }, { "hot", 85, 0xff0000 }, { "hot", 170, 0xffff00 },
    { "hot", 255, 0xffffff }, { "hot", 42, 0x7e0000 },
    { "cold", 0, 0x000000 }, { "cold", 127, 0x0000ff }, { "cold", 255, 0x00ffff },
    { "cold", 64, 0x000080 },
    { "coldnhot", 0, 0x00ffff }, { "coldnhot", 64, 0x0000ff }, { "coldnhot", 128, 0x000000 },
    { "coldnhot", 170, 0xff0000 }, { "coldnhot", 212, 0xffff00 }, { "coldnhot", 255, 0xffffff },
    { "bwr", 0, 0x0000ff }, { "bwr", 128, 0xffffff }, { "bwr", 255, 0xff0000 },
    { "bwr", 64, 0x7f7fff }, { "bwr", 127, 0xfdfdff }, { "bwr", 129, 0xfffcfc },
    { "france", 0, 0x0055a4 }, { "france", 128, 0xffffff }, { "france", 255, 0xef4135 },
    { "seismic", 0, 0x0000d0 }, { "seismic", 128, 0xd0d0d0 }, { "seismic", 255, 0xd00000 },
    { "coolio", 0, 0x00d0d0 }, { "coolio", 128, 0xd0d0d0 }, { "coolio", 255, 0xd000d0 },
    { "coleus", 0, 0x00d000 }, { "coleus", 128, 0xd0d0d0 }, { "coleus", 255, 0xd000d0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (stops); i++)
    {
      /* A bar 256 pixels wide shows the palette one entry per pixel. */
      cairo_surface_t *bar = lrp_colormap_render_bar (stops[i].name, 256, 2);

      g_assert_cmpint (cairo_image_surface_get_width (bar), ==, 256);
      g_assert_cmpint (cairo_image_surface_get_height (bar), ==, 2);
      if (rgb_at (bar, stops[i].index, 1) != stops[i].rgb)
        g_error ("%s[%d] = %06x, expected %06x", stops[i].name, stops[i].index,
                 rgb_at (bar, stops[i].index, 1), stops[i].rgb);
      g_assert_cmphex (pixel_at (bar, stops[i].index, 0) >> 24, ==, 0xff);
      cairo_surface_destroy (bar);
    }
}

static void
test_colormap_bar_scaled (void)
{
  cairo_surface_t *bar = lrp_colormap_render_bar ("hot", 40, 3);

  g_assert_cmphex (rgb_at (bar, 0, 0), ==, 0x000000);
  g_assert_cmphex (rgb_at (bar, 39, 2), ==, 0xffffff);
  cairo_surface_destroy (bar);
  bar = lrp_colormap_render_bar (NULL, 1000, 1);
  g_assert_cmphex (rgb_at (bar, 0, 0), ==, 0x0000ff);
  g_assert_cmphex (rgb_at (bar, 999, 0), ==, 0xff0000);
  cairo_surface_destroy (bar);
}

/* Zero is the centre colour (0x80) in symmetric normalisation, ±s the ends. */
static void
test_symmetric_zero_is_centre (void)
{
  float v[] = { 0.f, 2.f, -2.f, 1.f, -1.f };
  g_autoptr(LrpHeatmap) h = heatmap_from_row (v, G_N_ELEMENTS (v));
  LrpRenderOptions o = LRP_RENDER_OPTIONS_INIT;
  cairo_surface_t *s;

  o.clip = 100.0;
  s = lrp_heatmap_render (h, &o);
  g_assert_cmpint (cairo_image_surface_get_format (s), ==, CAIRO_FORMAT_ARGB32);
  g_assert_cmpint (cairo_image_surface_get_width (s), ==, 5);
  g_assert_cmpint (cairo_image_surface_get_height (s), ==, 1);
  g_assert_cmphex (pixel_at (s, 0, 0), ==, 0xffffffff);
  g_assert_cmphex (rgb_at (s, 1, 0), ==, 0xff0000);
  g_assert_cmphex (rgb_at (s, 2, 0), ==, 0x0000ff);
  g_assert_cmphex (rgb_at (s, 3, 0), ==, 0xff7e7e);    /* 128 + 64 (63.5 rounded) → 192 */
  g_assert_cmphex (rgb_at (s, 4, 0), ==, 0x7f7fff);    /* 128 − 64 → 64 */
  cairo_surface_destroy (s);

  o.colormap = "seismic";
  s = lrp_heatmap_render (h, &o);
  g_assert_cmphex (rgb_at (s, 0, 0), ==, 0xd0d0d0);
  g_assert_cmphex (rgb_at (s, 1, 0), ==, 0xd00000);
  cairo_surface_destroy (s);
}

/* The default look is the blue–white–red of the first command line:
 * r = 255 (1 + t) below zero, g = 255 (1 − |t|), b = 255 (1 − t) above. */
static void
test_default_matches_classic (void)
{
  float v[201];
  g_autoptr(LrpHeatmap) h = NULL;
  cairo_surface_t *s;

  for (int i = 0; i < 201; i++)
    v[i] = (float) (i - 100) / 100.f;
  h = heatmap_from_row (v, 201);
  s = lrp_heatmap_render (h, NULL);
  for (int i = 0; i < 201; i++)
    {
      double t = CLAMP (v[i] / 0.99, -1.0, 1.0);     /* the 99th percentile of |R| is 0.99 */
      int want[3] = { (int) (255 * (t < 0 ? 1 + t : 1) + 0.5), (int) (255 * (1 - fabs (t)) + 0.5),
                      (int) (255 * (t > 0 ? 1 - t : 1) + 0.5) };
      guint32 p = rgb_at (s, i, 0);
      int got[3] = { (int) (p >> 16 & 0xff), (int) (p >> 8 & 0xff), (int) (p & 0xff) };

      for (int c = 0; c < 3; c++)
        g_assert_cmpint (abs (got[c] - want[c]), <=, 3);
    }
  cairo_surface_destroy (s);
}

/* s is the clip percentile of |R|: values beyond it take the end colour. */
static void
test_clip_percentile (void)
{
  float v[200];
  g_autoptr(LrpHeatmap) h = NULL;
  LrpRenderOptions o = LRP_RENDER_OPTIONS_INIT;
  double low, high;
  cairo_surface_t *s;

  for (int i = 0; i < 200; i++)
    v[i] = (float) (i % 2 ? i + 1 : -(i + 1));      /* |R| = 1 … 200, signs alternating */
  h = heatmap_from_row (v, 200);
  lrp_heatmap_get_range (h, NULL, &low, &high);      /* 99th: sorted |R|[198] */
  g_assert_cmpfloat (high, ==, 199.0);
  g_assert_cmpfloat (low, ==, -199.0);
  o.clip = 50.0;
  lrp_heatmap_get_range (h, &o, &low, &high);
  g_assert_cmpfloat (high, ==, 101.0);
  o.clip = 100.0;
  lrp_heatmap_get_range (h, &o, &low, &high);
  g_assert_cmpfloat (high, ==, 200.0);

  o.clip = 50.0;
  s = lrp_heatmap_render (h, &o);
  g_assert_cmphex (rgb_at (s, 199, 0), ==, 0xff0000);     /* 200 > 101: clipped */
  g_assert_cmphex (rgb_at (s, 100, 0), ==, 0x0000ff);     /* −101 */
  g_assert_cmphex (rgb_at (s, 98, 0), !=, 0x0000ff);      /* −99: not yet full colour */
  cairo_surface_destroy (s);
}

static void
test_clip_degenerate (void)
{
  float zeros[4] = { 0 }, one_hot[200] = { 0 };
  g_autoptr(LrpHeatmap) z = heatmap_from_row (zeros, 4);
  g_autoptr(LrpHeatmap) hot = NULL;
  double low, high;
  cairo_surface_t *s;

  lrp_heatmap_get_range (z, NULL, &low, &high);
  g_assert_cmpfloat (low, ==, -1.0);
  g_assert_cmpfloat (high, ==, 1.0);
  s = lrp_heatmap_render (z, NULL);
  g_assert_cmphex (rgb_at (s, 3, 0), ==, 0xffffff);
  cairo_surface_destroy (s);

  /* The 99th percentile is 0: the maximum is full colour instead. */
  one_hot[7] = -5.f;
  hot = heatmap_from_row (one_hot, 200);
  lrp_heatmap_get_range (hot, NULL, &low, &high);
  g_assert_cmpfloat (high, ==, 5.0);
  s = lrp_heatmap_render (hot, NULL);
  g_assert_cmphex (rgb_at (s, 7, 0), ==, 0x0000ff);
  cairo_surface_destroy (s);
}

/* Absolute: |R| / s over the whole colormap, 0 at its low end. */
static void
test_absolute (void)
{
  float v[] = { 0.f, 4.f, -4.f, 2.f, -8.f };
  g_autoptr(LrpHeatmap) h = heatmap_from_row (v, G_N_ELEMENTS (v));
  LrpRenderOptions o = { "gray", LRP_NORM_ABSOLUTE, 80.0 };
  double low, high;
  cairo_surface_t *s;

  lrp_heatmap_get_range (h, &o, &low, &high);        /* sorted |R| 0 2 4 4 8, [4] */
  g_assert_cmpfloat (low, ==, 0.0);
  g_assert_cmpfloat (high, ==, 8.0);
  o.clip = 60.0;                                       /* [3] */
  lrp_heatmap_get_range (h, &o, &low, &high);
  g_assert_cmpfloat (high, ==, 4.0);
  s = lrp_heatmap_render (h, &o);
  g_assert_cmphex (rgb_at (s, 0, 0), ==, 0x000000);
  g_assert_cmphex (rgb_at (s, 1, 0), ==, 0xffffff);
  g_assert_cmphex (rgb_at (s, 2, 0), ==, 0xffffff);   /* the sign does not matter */
  g_assert_cmphex (rgb_at (s, 3, 0), ==, 0x808080);   /* 2 / 4 → 127.5, rounded to 128 */
  g_assert_cmphex (rgb_at (s, 4, 0), ==, 0xffffff);
  cairo_surface_destroy (s);
}

static cairo_surface_t *
solid_image (int width,
             int height,
             cairo_format_t format,
             double r,
             double g,
             double b)
{
  cairo_surface_t *image = cairo_image_surface_create (format, width, height);
  cairo_t *cr = cairo_create (image);

  cairo_set_source_rgb (cr, r, g, b);
  cairo_paint (cr);
  cairo_destroy (cr);
  return image;
}

/* Opacity 0 is the greyed image alone; 1 is the classic overlay. */
static void
test_overlay_opacity (void)
{
  float v[] = { 0.f, 3.f, -3.f, 1.5f };
  g_autoptr(LrpHeatmap) h = heatmap_from_row (v, G_N_ELEMENTS (v));
  cairo_surface_t *image = solid_image (4, 1, CAIRO_FORMAT_RGB24, 200 / 255., 100 / 255., 0.2);
  LrpRenderOptions o = LRP_RENDER_OPTIONS_INIT;
  /* grey = 0.6 luma + 0.25 · 255, luma = 0.299 R + 0.587 G + 0.114 B */
  int grey = (int) (0.6 * (0.299 * 200 + 0.587 * 100 + 0.114 * 51) + 63.75 + 0.5);
  guint32 grey_rgb = (guint32) (grey << 16 | grey << 8 | grey);
  cairo_surface_t *s;

  o.clip = 100.0;
  s = lrp_heatmap_render_overlay (h, image, &o, 0.0);
  g_assert_cmpint (cairo_image_surface_get_format (s), ==, CAIRO_FORMAT_ARGB32);
  for (int x = 0; x < 4; x++)
    g_assert_cmphex (pixel_at (s, x, 0), ==, 0xff000000 | grey_rgb);
  cairo_surface_destroy (s);

  s = lrp_heatmap_render_overlay (h, image, &o, 1.0);
  g_assert_cmphex (rgb_at (s, 0, 0), ==, grey_rgb);   /* no relevance: the image */
  /* full relevance: 90 % colour */
  g_assert_cmpint (rgb_at (s, 1, 0) >> 16, ==, (int) (0.1 * grey + 0.9 * 255 + 0.5));
  g_assert_cmpint (rgb_at (s, 1, 0) & 0xff, ==, (int) (0.1 * grey + 0.5));
  g_assert_cmpint (rgb_at (s, 2, 0) & 0xff, ==, (int) (0.1 * grey + 0.9 * 255 + 0.5));
  cairo_surface_destroy (s);
  cairo_surface_destroy (image);

  /* An image of another size or format is scaled and converted. */
  image = solid_image (8, 2, CAIRO_FORMAT_ARGB32, 200 / 255., 100 / 255., 0.2);
  s = lrp_heatmap_render_overlay (h, image, &o, 0.0);
  g_assert_cmpint (cairo_image_surface_get_width (s), ==, 4);
  g_assert_cmpint (abs ((int) (rgb_at (s, 2, 0) & 0xff) - grey), <=, 1);
  cairo_surface_destroy (s);
  cairo_surface_destroy (image);
}

static void
test_bad_shapes (void)
{
  static const struct { int rank; int64_t shape[5]; } bad[] = {
    { 2, { 1, 10 } }, { 1, { 10 } }, { 4, { 2, 1, 4, 4 } }, { 5, { 1, 1, 1, 4, 4 } },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(LrpTensor) t = lrp_tensor_new_float (bad[i].rank, bad[i].shape);
      g_autoptr(GError) error = NULL;
      g_autoptr(LrpHeatmap) h = lrp_heatmap_new (t, &error);

      g_assert_null (h);
      g_assert_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_FAILED);
      g_assert_nonnull (strstr (error->message, "is not an image"));
    }
}

/* [1, C, H, W] and [C, H, W]: the channel sum, H rows of W. */
static void
test_shapes_and_values (void)
{
  int64_t s4[4] = { 1, 2, 2, 3 }, s3[3] = { 2, 2, 3 };
  float v[12] = { 1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60 };
  g_autoptr(LrpTensor) t4 = tensor_from (4, s4, v), t3 = tensor_from (3, s3, v);
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpHeatmap) h4 = lrp_heatmap_new (t4, &error), h3 = NULL;

  g_assert_no_error (error);
  h3 = lrp_heatmap_new (t3, &error);
  g_assert_no_error (error);
  for (LrpHeatmap *h = h4; h; h = h == h4 ? h3 : NULL)
    {
      g_assert_cmpint (lrp_heatmap_get_width (h), ==, 3);
      g_assert_cmpint (lrp_heatmap_get_height (h), ==, 2);
      g_assert_cmpfloat (lrp_heatmap_get_value (h, 0, 0), ==, 11.f);
      g_assert_cmpfloat (lrp_heatmap_get_value (h, 2, 1), ==, 66.f);
      g_assert_cmpfloat (lrp_heatmap_get_value (h, 3, 0), ==, 0.f);   /* outside */
      g_assert_cmpfloat (lrp_heatmap_get_sum (h), ==, 231.0);
    }
  g_assert_true (lrp_heatmap_ref (h4) == h4);
  lrp_heatmap_unref (h4);
}

/* Rendering neither changes the heatmap nor depends on earlier calls. */
static void
test_render_is_pure (void)
{
  int64_t shape[4] = { 1, 3, 9, 7 };
  g_autoptr(LrpTensor) t = lrp_tensor_new_random (4, shape, 42);
  g_autoptr(LrpHeatmap) h = lrp_heatmap_new (t, NULL);
  LrpRenderOptions hot = { "hot", LRP_NORM_ABSOLUTE, 50.0 };
  cairo_surface_t *a = lrp_heatmap_render (h, NULL), *b, *c;
  float before = lrp_heatmap_get_value (h, 3, 4);

  b = lrp_heatmap_render (h, &hot);
  c = lrp_heatmap_render (h, NULL);
  g_assert_cmpmem (cairo_image_surface_get_data (a),
                   cairo_image_surface_get_stride (a) * 9,
                   cairo_image_surface_get_data (c),
                   cairo_image_surface_get_stride (c) * 9);
  g_assert_cmpint (memcmp (cairo_image_surface_get_data (a), cairo_image_surface_get_data (b),
                           (size_t) cairo_image_surface_get_stride (a) * 9), !=, 0);
  g_assert_cmpfloat (lrp_heatmap_get_value (h, 3, 4), ==, before);
  cairo_surface_destroy (a);
  cairo_surface_destroy (b);
  cairo_surface_destroy (c);
}

/* NaN and infinities never index outside the palette. */
static void
test_non_finite (void)
{
  float v[] = { NAN, INFINITY, -INFINITY, 1.f };
  g_autoptr(LrpHeatmap) h = heatmap_from_row (v, G_N_ELEMENTS (v));
  LrpRenderOptions abs_options = { "hot", LRP_NORM_ABSOLUTE, 99.0 };
  cairo_surface_t *s = lrp_heatmap_render (h, NULL);

  g_assert_cmphex (rgb_at (s, 0, 0), ==, 0xffffff);
  g_assert_cmphex (rgb_at (s, 1, 0), ==, 0xff0000);
  g_assert_cmphex (rgb_at (s, 2, 0), ==, 0x0000ff);
  cairo_surface_destroy (s);
  s = lrp_heatmap_render (h, &abs_options);
  g_assert_cmphex (rgb_at (s, 0, 0), ==, 0x000000);
  cairo_surface_destroy (s);
}

static LrpModel *
load_test_model (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", name, NULL);
  g_autoptr(GError) error = NULL;
  LrpModel *model = lrp_model_load (path, NULL, &error);

  g_assert_no_error (error);
  return model;
}

/* The view of an image the model's size is the image itself, exactly,
 * through its ImageNet mean/std and back; so is the view of its tensor. */
static void
test_view_rgb (void)
{
  g_autoptr(LrpModel) model = load_test_model ("identity-1x3x8x8.onnx");
  g_autoptr(LrpModel) flat = load_test_model ("identity-1x10.onnx");
  g_autoptr(GdkPixbuf) src = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 8, 8);
  g_autofree char *path = g_build_filename (tmp_dir, "view.png", NULL);
  g_autofree char *npy_path = g_build_filename (tmp_dir, "view.npy", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpTensor) input = NULL;
  cairo_surface_t *view;
  guint8 *p = gdk_pixbuf_get_pixels (src);
  int rs = gdk_pixbuf_get_rowstride (src);

  for (int y = 0; y < 8; y++)
    for (int x = 0; x < 8; x++)
      {
        p[y * rs + 3 * x] = (guint8) (x * 30);
        p[y * rs + 3 * x + 1] = (guint8) (y * 40);
        p[y * rs + 3 * x + 2] = (guint8) (255 - x * y);
      }
  g_assert_true (gdk_pixbuf_save (src, path, "png", NULL, NULL));
  view = lrp_model_load_view (model, path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cairo_image_surface_get_format (view), ==, CAIRO_FORMAT_RGB24);
  g_assert_cmpint (cairo_image_surface_get_width (view), ==, 8);
  g_assert_cmpint (cairo_image_surface_get_height (view), ==, 8);
  for (int y = 0; y < 8; y++)
    for (int x = 0; x < 8; x++)
      g_assert_cmphex (rgb_at (view, x, y), ==,
                       (guint32) (guint8) (x * 30) << 16 | (guint32) (guint8) (y * 40) << 8
                       | (guint32) (guint8) (255 - x * y));
  cairo_surface_destroy (view);

  /* The same input as a preprocessed .npy tensor shows the same pixels. */
  input = lrp_model_load_input (model, path, &error);
  g_assert_no_error (error);
  g_assert_true (lrp_tensor_save_npy (input, npy_path, &error));
  view = lrp_model_load_view (model, npy_path, &error);
  g_assert_no_error (error);
  for (int y = 0; y < 8; y++)
    for (int x = 0; x < 8; x++)
      g_assert_cmphex (rgb_at (view, x, y), ==,
                       (guint32) (guint8) (x * 30) << 16 | (guint32) (guint8) (y * 40) << 8
                       | (guint32) (guint8) (255 - x * y));
  cairo_surface_destroy (view);

  g_assert_null (lrp_model_load_view (flat, path, &error));
  g_assert_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_SHAPE);
  g_clear_error (&error);
  g_assert_null (lrp_model_load_view (model, "no-such-image.png", &error));
  g_assert_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE);
}

/* A gray model's view is gray RGB of the input's size. */
static void
test_view_gray (void)
{
  const char *src = g_getenv ("LRPLENS_SOURCE_DIR");
  g_autofree char *model_path = NULL, *image_path = NULL;
  g_autoptr(LrpModel) model = NULL;
  g_autoptr(GdkPixbuf) image = NULL;
  g_autoptr(GError) error = NULL;
  cairo_surface_t *view;

  if (src == NULL)
    {
      g_test_skip ("LRPLENS_SOURCE_DIR is not set");
      return;
    }
  model_path = g_build_filename (src, "resources", "models", "fashion-cnn.onnx", NULL);
  image_path = g_build_filename (src, "resources", "images", "fmnist-17-coat.png", NULL);
  model = lrp_model_load (model_path, NULL, &error);
  g_assert_no_error (error);
  view = lrp_model_load_view (model, image_path, &error);
  g_assert_no_error (error);
  image = gdk_pixbuf_new_from_file (image_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cairo_image_surface_get_width (view), ==, 28);
  g_assert_cmpint (cairo_image_surface_get_height (view), ==, 28);
  for (int y = 0; y < 28; y++)
    for (int x = 0; x < 28; x++)
      {
        guint32 p = rgb_at (view, x, y);
        guint8 g = gdk_pixbuf_get_pixels (image)[y * gdk_pixbuf_get_rowstride (image)
                                                 + x * gdk_pixbuf_get_n_channels (image)];

        g_assert_cmphex (p, ==, (guint32) g * 0x010101u);
      }
  cairo_surface_destroy (view);
}

int
main (int argc,
      char *argv[])
{
  int ret;

  lrp_test_init (&argc, &argv);
  tmp_dir = g_dir_make_tmp ("lrplens-test-render-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);

  g_test_add_func ("/render/colormap/list", test_colormap_list);
  g_test_add_func ("/render/colormap/zennit-stops", test_colormap_stops);
  g_test_add_func ("/render/colormap/bar-scaled", test_colormap_bar_scaled);
  g_test_add_func ("/render/symmetric/zero-is-centre", test_symmetric_zero_is_centre);
  g_test_add_func ("/render/symmetric/default-matches-classic", test_default_matches_classic);
  g_test_add_func ("/render/clip/percentile", test_clip_percentile);
  g_test_add_func ("/render/clip/degenerate", test_clip_degenerate);
  g_test_add_func ("/render/absolute", test_absolute);
  g_test_add_func ("/render/overlay/opacity", test_overlay_opacity);
  g_test_add_func ("/render/heatmap/bad-shapes", test_bad_shapes);
  g_test_add_func ("/render/heatmap/shapes-and-values", test_shapes_and_values);
  g_test_add_func ("/render/heatmap/pure", test_render_is_pure);
  g_test_add_func ("/render/heatmap/non-finite", test_non_finite);
  g_test_add_func ("/render/view/rgb", test_view_rgb);
  g_test_add_func ("/render/view/gray", test_view_gray);

  ret = g_test_run ();
  {
    g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (tmp_dir, name, NULL);

        g_unlink (path);
      }
  }
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
