/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Images as model inputs: decoding, colour conversion, resize and centre
 * crop geometry (as torchvision), normalisation.
 */
#include "config.h"

#include "lrp-test-util.h"

#include "lrp-image-private.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static char *tmp_dir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

typedef void (*PixelFunc) (int x, int y, guint8 *rgba);

static GdkPixbuf *
make_pixbuf (int width,
             int height,
             gboolean alpha,
             PixelFunc func)
{
  GdkPixbuf *p = gdk_pixbuf_new (GDK_COLORSPACE_RGB, alpha, 8, width, height);
  int nc = gdk_pixbuf_get_n_channels (p), rs = gdk_pixbuf_get_rowstride (p);
  guint8 *pixels = gdk_pixbuf_get_pixels (p);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 rgba[4] = { 0, 0, 0, 255 };

        func (x, y, rgba);
        memcpy (pixels + y * rs + x * nc, rgba, (size_t) nc);
      }
  return p;
}

static const guint8 *
pixel_at (GdkPixbuf *p,
          int x,
          int y)
{
  return gdk_pixbuf_read_pixels (p) + y * gdk_pixbuf_get_rowstride (p)
         + x * gdk_pixbuf_get_n_channels (p);
}

static LrpMetadata *
make_meta (LrpColor color,
           LrpResize resize,
           int crop_size)
{
  LrpMetadata *meta = lrp_metadata_new ();

  meta->color = color;
  meta->resize = resize;
  meta->crop_size = crop_size;
  return meta;
}

static void
set_mean_std (LrpMetadata *meta,
              int n,
              const float *mean,
              const float *std)
{
  meta->n_mean = meta->n_std = n;
  memcpy (meta->mean, mean, sizeof (float) * (size_t) n);
  memcpy (meta->std, std, sizeof (float) * (size_t) n);
}

static const float imagenet_mean[] = { 0.485f, 0.456f, 0.406f };
static const float imagenet_std[] = { 0.229f, 0.224f, 0.225f };
static const float fmnist_mean[] = { 0.286f }, fmnist_std[] = { 0.353f };

/* What the tensor must hold for a byte: torchvision's float32 steps. */
static float
expected_value (guint8 v,
                float mean,
                float std)
{
  return ((float) v / 255.f - mean) / std;
}

static void
gray_pattern (int x,
              int y,
              guint8 *rgba)
{
  rgba[0] = rgba[1] = rgba[2] = (guint8) ((x * 9 + y * 7) % 256);
}

/* A 28×28 gray PNG with a 28×28 input: exact pixel values, no resampling. */
static void
test_gray_png_exact (void)
{
  g_autoptr(GdkPixbuf) src = make_pixbuf (28, 28, FALSE, gray_pattern);
  g_autofree char *path = tmp_path ("gray.png");
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) loaded = NULL;
  g_autoptr(LrpMetadata) meta = make_meta (LRP_COLOR_AUTO, LRP_RESIZE_AUTO, 0);
  g_autoptr(LrpTensor) t = NULL;

  g_assert_true (gdk_pixbuf_save (src, path, "png", &error, NULL));
  loaded = lrp_image_load (path, &error);
  g_assert_no_error (error);
  set_mean_std (meta, 1, fmnist_mean, fmnist_std);
  t = lrp_image_preprocess (meta, 1, 28, 28, loaded, &error);
  g_assert_no_error (error);
  g_assert_cmpint (t->rank, ==, 4);
  g_assert_cmpint (t->shape[1], ==, 1);
  for (int y = 0; y < 28; y++)
    for (int x = 0; x < 28; x++)
      {
        guint8 v = (guint8) ((x * 9 + y * 7) % 256);

        g_assert_cmpfloat (lrp_tensor_f (t)[y * 28 + x], ==, expected_value (v, 0.286f, 0.353f));
      }
}

static void
rgb_pattern (int x,
             int y,
             guint8 *rgba)
{
  rgba[0] = (guint8) (x * 30);
  rgba[1] = (guint8) (y * 40);
  rgba[2] = (guint8) (255 - x * y);
}

static void
check_rgb_tensor (const LrpTensor *t,
                  GdkPixbuf *pixels)
{
  int w = gdk_pixbuf_get_width (pixels), h = gdk_pixbuf_get_height (pixels);

  g_assert_cmpint (t->shape[1], ==, 3);
  g_assert_cmpint (t->shape[2], ==, h);
  g_assert_cmpint (t->shape[3], ==, w);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        g_assert_cmpfloat (lrp_tensor_f (t)[(c * h + y) * w + x], ==,
                           expected_value (pixel_at (pixels, x, y)[c], imagenet_mean[c],
                                           imagenet_std[c]));
}

static void
test_rgb_png_exact (void)
{
  g_autoptr(GdkPixbuf) src = make_pixbuf (8, 6, FALSE, rgb_pattern);
  g_autofree char *path = tmp_path ("rgb.png");
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) loaded = NULL;
  g_autoptr(LrpMetadata) meta = make_meta (LRP_COLOR_RGB, LRP_RESIZE_STRETCH, 0);
  g_autoptr(LrpTensor) t = NULL;

  g_assert_true (gdk_pixbuf_save (src, path, "png", &error, NULL));
  loaded = lrp_image_load (path, &error);
  g_assert_no_error (error);
  set_mean_std (meta, 3, imagenet_mean, imagenet_std);
  t = lrp_image_preprocess (meta, 3, 6, 8, loaded, &error);
  g_assert_no_error (error);
  check_rgb_tensor (t, src);
}

/* JPEG is lossy: the tensor must hold exactly the decoded pixels. */
static void
test_rgb_jpeg (void)
{
  g_autoptr(GdkPixbuf) src = make_pixbuf (12, 10, FALSE, rgb_pattern);
  g_autofree char *path = tmp_path ("rgb.jpg");
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) decoded = NULL, loaded = NULL;
  g_autoptr(LrpMetadata) meta = make_meta (LRP_COLOR_AUTO, LRP_RESIZE_AUTO, 0);
  g_autoptr(LrpTensor) t = NULL;

  g_assert_true (gdk_pixbuf_save (src, path, "jpeg", &error, "quality", "100", NULL));
  decoded = gdk_pixbuf_new_from_file (path, &error);
  g_assert_no_error (error);
  loaded = lrp_image_load (path, &error);
  g_assert_no_error (error);
  set_mean_std (meta, 3, imagenet_mean, imagenet_std);
  t = lrp_image_preprocess (meta, 3, 10, 12, loaded, &error);
  g_assert_no_error (error);
  check_rgb_tensor (t, decoded);
}

static const guint8 luma_colors[][3] = {
  { 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 }, { 0, 0, 5 }, { 100, 150, 200 },
  { 255, 255, 255 }, { 1, 2, 3 },
};

static void
luma_pattern (int x,
              int y,
              guint8 *rgba)
{
  (void) y;
  memcpy (rgba, luma_colors[x], 3);
  rgba[3] = 0;  /* transparent: PIL's convert ignores alpha, so do we */
}

/* Gray as Pillow's convert("L"): values printed by Pillow 9.4 for these
 * colours.  (0, 0, 5) → 1 tells its rounding from the truncating
 * R*299/1000 + G*587/1000 + B*114/1000, which gives 0. */
static void
test_gray_luma (void)
{
  const guint8 pillow[] = { 76, 150, 29, 1, 141, 255, 2 };
  g_autoptr(GdkPixbuf) src = make_pixbuf (7, 1, TRUE, luma_pattern);
  g_autoptr(LrpMetadata) meta = make_meta (LRP_COLOR_GRAY, LRP_RESIZE_AUTO, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) prepared = lrp_image_prepare (meta, 1, 1, 7, src, &error);
  g_autoptr(LrpTensor) t = NULL;

  g_assert_no_error (error);
  g_assert_false (gdk_pixbuf_get_has_alpha (prepared));
  t = lrp_image_preprocess (meta, 1, 1, 7, src, &error);
  g_assert_no_error (error);
  for (int x = 0; x < 7; x++)
    {
      const guint8 *p = pixel_at (prepared, x, 0);

      g_assert_cmpint (p[0], ==, pillow[x]);
      g_assert_cmpint (p[1], ==, pillow[x]);
      g_assert_cmpint (p[2], ==, pillow[x]);
      g_assert_cmpfloat (lrp_tensor_f (t)[x], ==, (float) pillow[x] / 255.f);
    }
}

/* A gray model with 3 input channels gets the luma three times; an RGB
 * image with alpha keeps its colours whatever the alpha. */
static void
test_gray_three_channels_and_alpha (void)
{
  g_autoptr(GdkPixbuf) src = make_pixbuf (7, 1, TRUE, luma_pattern);
  g_autoptr(LrpMetadata) gray = make_meta (LRP_COLOR_GRAY, LRP_RESIZE_AUTO, 0);
  g_autoptr(LrpMetadata) rgb = make_meta (LRP_COLOR_AUTO, LRP_RESIZE_AUTO, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpTensor) t = lrp_image_preprocess (gray, 3, 1, 7, src, &error);
  g_autoptr(LrpTensor) c = NULL;

  g_assert_no_error (error);
  for (int x = 0; x < 7; x++)
    {
      g_assert_cmpfloat (lrp_tensor_f (t)[x], ==, lrp_tensor_f (t)[7 + x]);
      g_assert_cmpfloat (lrp_tensor_f (t)[x], ==, lrp_tensor_f (t)[14 + x]);
    }
  c = lrp_image_preprocess (rgb, 3, 1, 7, src, &error);
  g_assert_no_error (error);
  for (int ch = 0; ch < 3; ch++)
    for (int x = 0; x < 7; x++)
      g_assert_cmpfloat (lrp_tensor_f (c)[ch * 7 + x], ==, (float) luma_colors[x][ch] / 255.f);
}

static void
coord_pattern (int x,
               int y,
               guint8 *rgba)
{
  rgba[0] = (guint8) (x + 1);
  rgba[1] = (guint8) (y + 1);
  rgba[2] = 7;
}

/* Output pixel (x, y) of a centre crop without scaling must be input pixel
 * (x + left, y + top), or black where CenterCrop pads. */
static void
check_crop (int w,
            int h,
            int crop_size,
            int out_w,
            int out_h,
            int left,
            int top)
{
  g_autoptr(GdkPixbuf) src = make_pixbuf (w, h, FALSE, coord_pattern);
  g_autoptr(LrpMetadata) meta = make_meta (LRP_COLOR_RGB, LRP_RESIZE_CROP, crop_size);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) out = lrp_image_prepare (meta, 3, out_h, out_w, src, &error);

  g_test_message ("%d×%d → crop %d×%d at (%d, %d)", w, h, out_w, out_h, left, top);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (out), ==, out_w);
  g_assert_cmpint (gdk_pixbuf_get_height (out), ==, out_h);
  for (int y = 0; y < out_h; y++)
    for (int x = 0; x < out_w; x++)
      {
        int sx = x + left, sy = y + top;
        gboolean inside = sx >= 0 && sx < w && sy >= 0 && sy < h;
        const guint8 *p = pixel_at (out, x, y);

        g_assert_cmpint (p[0], ==, inside ? sx + 1 : 0);
        g_assert_cmpint (p[1], ==, inside ? sy + 1 : 0);
        g_assert_cmpint (p[2], ==, inside ? 7 : 0);
      }
}

/* Offsets as torchvision 0.14 CenterCrop gives them: int(round(d / 2.0))
 * with Python's half-to-even rounding (checked with torchvision). */
static void
test_crop_geometry (void)
{
  /* crop_size = the shorter side: no scaling, only the crop */
  check_crop (40, 20, 20, 16, 16, 12, 2);
  check_crop (41, 20, 20, 16, 16, 12, 2);   /* 12.5 → 12 */
  check_crop (43, 20, 20, 16, 16, 14, 2);   /* 13.5 → 14 */
  check_crop (45, 20, 20, 16, 16, 14, 2);   /* 14.5 → 14 */
  check_crop (20, 43, 20, 16, 16, 2, 14);   /* portrait */
  check_crop (30, 30, 30, 30, 30, 0, 0);
  /* crop larger than the image: zero padding, the smaller half first */
  check_crop (12, 10, 10, 15, 15, -1, -2);
}

static void
bands_pattern (int x,
               int y,
               guint8 *rgba)
{
  (void) y;
  rgba[0] = rgba[1] = rgba[2] = x >= 14 && x < 26 ? 200 : 0;
}

/* Resize(16) + CenterCrop(16) of a 40×20 image: scaled to 32×16, columns
 * 8..23 kept.  Rendering only the window must equal scaling everything
 * and cropping afterwards. */
static void
test_crop_with_resize (void)
{
  g_autoptr(GdkPixbuf) src = make_pixbuf (40, 20, FALSE, bands_pattern);
  g_autoptr(LrpMetadata) meta = make_meta (LRP_COLOR_RGB, LRP_RESIZE_CROP, 16);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) out = lrp_image_prepare (meta, 3, 16, 16, src, &error);
  g_autoptr(GdkPixbuf) full = gdk_pixbuf_scale_simple (src, 32, 16, GDK_INTERP_BILINEAR);

  g_assert_no_error (error);
  for (int y = 0; y < 16; y++)
    for (int x = 0; x < 16; x++)
      g_assert_cmpmem (pixel_at (out, x, y), 3, pixel_at (full, x + 8, y), 3);
  /* the bright band (scaled columns 11.2..20.8) sits in the middle */
  g_assert_cmpint (pixel_at (out, 0, 8)[0], ==, 0);
  g_assert_cmpint (pixel_at (out, 1, 8)[0], ==, 0);
  g_assert_cmpint (pixel_at (out, 7, 8)[0], ==, 200);
  g_assert_cmpint (pixel_at (out, 8, 8)[0], ==, 200);
  g_assert_cmpint (pixel_at (out, 15, 8)[0], ==, 0);
}

static void
constant_pattern (int x,
                  int y,
                  guint8 *rgba)
{
  (void) x;
  (void) y;
  rgba[0] = 77;
  rgba[1] = 130;
  rgba[2] = 250;
}

static void
assert_constant (GdkPixbuf *p)
{
  for (int y = 0; y < gdk_pixbuf_get_height (p); y++)
    for (int x = 0; x < gdk_pixbuf_get_width (p); x++)
      {
        const guint8 *v = pixel_at (p, x, y);

        g_assert_cmpint (ABS (v[0] - 77), <=, 1);
        g_assert_cmpint (ABS (v[1] - 130), <=, 1);
        g_assert_cmpint (ABS (v[2] - 250), <=, 1);
      }
}

/* AUTO: small inputs are stretched, large ones get Resize(size / 0.875)
 * and CenterCrop(size). */
static void
test_auto_resize (void)
{
  g_autoptr(GdkPixbuf) wide = make_pixbuf (56, 30, FALSE, constant_pattern);
  g_autoptr(GdkPixbuf) photo = make_pixbuf (300, 200, FALSE, rgb_pattern);
  g_autoptr(LrpMetadata) meta = make_meta (LRP_COLOR_AUTO, LRP_RESIZE_AUTO, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) small = lrp_image_prepare (meta, 3, 28, 28, wide, &error);
  g_autoptr(GdkPixbuf) big = NULL, full = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (small), ==, 28);
  assert_constant (small);

  /* 224 / 0.875 = 256: 300×200 → 384×256, crop at (80, 16) */
  big = lrp_image_prepare (meta, 3, 224, 224, photo, &error);
  g_assert_no_error (error);
  full = gdk_pixbuf_scale_simple (photo, 384, 256, GDK_INTERP_BILINEAR);
  for (int y = 0; y < 224; y += 7)
    for (int x = 0; x < 224; x += 5)
      g_assert_cmpmem (pixel_at (big, x, y), 3, pixel_at (full, x + 80, y + 16), 3);
}

static void
test_stretch (void)
{
  g_autoptr(GdkPixbuf) src = make_pixbuf (100, 37, FALSE, constant_pattern);
  g_autoptr(LrpMetadata) meta = make_meta (LRP_COLOR_RGB, LRP_RESIZE_STRETCH, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) out = lrp_image_prepare (meta, 3, 64, 48, src, &error);

  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (out), ==, 48);
  g_assert_cmpint (gdk_pixbuf_get_height (out), ==, 64);
  assert_constant (out);
}

static void
assert_load_fails (const char *path,
                   const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) p = lrp_image_load (path, &error);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *prefix = g_strconcat (base, ": ", NULL);

  g_assert_null (p);
  g_assert_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_assert_null (strchr (error->message, '\n'));
  g_assert_null (strstr (error->message, tmp_dir));  /* basename only */
  if (fragment && strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, fragment);
}

/* A PNG header announcing 30000 × 30000 pixels, with a tiny IDAT. */
static const char huge_png[] =
  "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x75\x30\x00\x00"
  "\x75\x30\x08\x02\x00\x00\x00\xe9\x45\x6f\xed\x00\x00\x00\x0c\x49\x44\x41\x54\x78\x9c\x63"
  "\x60\xa0\x3d\x00\x00\x00\x64\x00\x01\x86\x64\x3c\x35\x00\x00\x00\x00\x49\x45\x4e\x44\xae"
  "\x42\x60\x82";

static void
test_unreadable (void)
{
  g_autofree char *text = tmp_path ("x.png");
  g_autofree char *empty = tmp_path ("empty.png");
  g_autofree char *dir = tmp_path ("folder.png");
  g_autofree char *missing = tmp_path ("missing.png");
  g_autofree char *huge = tmp_path ("huge.png");

  g_assert_true (g_file_set_contents (text, "this is not an image\n", -1, NULL));
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  g_assert_true (g_file_set_contents (huge, huge_png, sizeof huge_png - 1, NULL));
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);

  assert_load_fails (text, NULL);
  assert_load_fails (empty, "empty");
  assert_load_fails (dir, "folder");
  assert_load_fails (missing, NULL);
  assert_load_fails (huge, "30000");
  g_rmdir (dir);
}

/* Writes @len bytes of @data, then @tail (NULL: none), to @name in the
 * test folder; returns its path. */
static char *
write_bytes (const char *name,
             const guint8 *data,
             gsize len,
             const char *tail)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  char *path = tmp_path (name);

  g_byte_array_append (bytes, data, (guint) len);
  if (tail)
    g_byte_array_append (bytes, (const guint8 *) tail, (guint) strlen (tail));
  g_assert_true (g_file_set_contents (path, (const char *) bytes->data, bytes->len, NULL));
  return path;
}

static void
assert_loads (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) p = lrp_image_load (path, &error);

  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (p), ==, 64);
}

/* gdk-pixbuf decodes a PNG or JPEG cut short without an error, grey where
 * the data ran out; lrplens refuses it, and still takes a whole file with
 * data after its end (as cameras append). */
static void
check_cut_short (const char *format,
                 const guint8 *data,
                 gsize len)
{
  g_autofree char *whole = g_strdup_printf ("whole.%s", format);
  g_autofree char *tail = g_strdup_printf ("tail.%s", format);
  g_autofree char *half = g_strdup_printf ("half.%s", format);
  g_autofree char *last = g_strdup_printf ("last.%s", format);
  g_autofree char *whole_path = write_bytes (whole, data, len, NULL);
  g_autofree char *tail_path = write_bytes (tail, data, len, "trailing bytes after the end");
  g_autofree char *half_path = write_bytes (half, data, len / 2, NULL);
  g_autofree char *last_path = write_bytes (last, data, len - 1, NULL);

  assert_loads (whole_path);
  assert_loads (tail_path);
  assert_load_fails (half_path, "incomplete");
  assert_load_fails (last_path, "incomplete");
}

static void
test_cut_short (void)
{
  g_autoptr(GdkPixbuf) src = make_pixbuf (64, 48, FALSE, rgb_pattern);
  g_autofree char *png = NULL, *jpeg = NULL;
  gsize png_len, jpeg_len;
  g_autoptr(GByteArray) thumb = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  /* An APP1 segment (as EXIF's) holding a thumbnail with its own end
   * marker: that end is not the file's. */
  static const guint8 app1[] = { 0xff, 0xe1, 0x00, 0x0a, 0xff, 0xd8, 0xff, 0xd9, 0xff, 0xd9,
                                 0x00, 0x00 };

  g_assert_true (gdk_pixbuf_save_to_buffer (src, &png, &png_len, "png", &error, NULL));
  g_assert_true (gdk_pixbuf_save_to_buffer (src, &jpeg, &jpeg_len, "jpeg", &error, NULL));
  g_assert_no_error (error);
  check_cut_short ("png", (const guint8 *) png, png_len);
  check_cut_short ("jpg", (const guint8 *) jpeg, jpeg_len);

  g_byte_array_append (thumb, (const guint8 *) jpeg, 2);
  g_byte_array_append (thumb, app1, sizeof app1);
  g_byte_array_append (thumb, (const guint8 *) jpeg + 2, (guint) jpeg_len - 2);
  check_cut_short ("thumb.jpg", thumb->data, thumb->len);
}

static void
assert_request_fails (const LrpMetadata *meta,
                      int channels,
                      int height,
                      int width,
                      int code)
{
  g_autoptr(GdkPixbuf) src = make_pixbuf (8, 8, FALSE, rgb_pattern);
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpTensor) t = lrp_image_preprocess (meta, channels, height, width, src, &error);

  g_assert_null (t);
  g_assert_error (error, LRP_INPUT_ERROR, code);
}

static void
test_bad_requests (void)
{
  g_autoptr(LrpMetadata) any = make_meta (LRP_COLOR_AUTO, LRP_RESIZE_AUTO, 0);
  g_autoptr(LrpMetadata) rgb = make_meta (LRP_COLOR_RGB, LRP_RESIZE_AUTO, 0);
  g_autoptr(LrpMetadata) three = make_meta (LRP_COLOR_AUTO, LRP_RESIZE_AUTO, 0);
  g_autoptr(LrpMetadata) zero_std = make_meta (LRP_COLOR_AUTO, LRP_RESIZE_AUTO, 0);
  g_autoptr(LrpMetadata) no_crop = make_meta (LRP_COLOR_AUTO, LRP_RESIZE_CROP, 0);
  g_autoptr(LrpMetadata) thin = make_meta (LRP_COLOR_AUTO, LRP_RESIZE_CROP, 16384);
  g_autoptr(GdkPixbuf) line = make_pixbuf (20000, 1, FALSE, constant_pattern);
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpTensor) t = NULL;

  set_mean_std (three, 3, imagenet_mean, imagenet_std);
  zero_std->n_std = 1;
  assert_request_fails (any, 2, 8, 8, LRP_INPUT_ERROR_SHAPE);
  assert_request_fails (any, 3, 0, 8, LRP_INPUT_ERROR_SHAPE);
  assert_request_fails (any, 3, 8, 100000, LRP_INPUT_ERROR_SHAPE);
  assert_request_fails (rgb, 1, 8, 8, LRP_INPUT_ERROR_SHAPE);
  assert_request_fails (three, 1, 8, 8, LRP_INPUT_ERROR_FAILED);
  assert_request_fails (zero_std, 1, 8, 8, LRP_INPUT_ERROR_FAILED);
  assert_request_fails (no_crop, 3, 4, 4, LRP_INPUT_ERROR_FAILED);
  /* 1 pixel high → 16384 high: 16384 × 20000 pixels would be far too many */
  t = lrp_image_preprocess (thin, 3, 8, 8, line, &error);
  g_assert_null (t);
  g_assert_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_FAILED);
}

/* The reference inputs were made with PIL and torchvision; images of the
 * input size must give the same tensors. */
static void
check_reference (const char *ref,
                 const char *input,
                 const LrpMetadata *meta,
                 int channels,
                 int size)
{
  g_autofree char *png = g_build_filename (ref, input, "image.png", NULL);
  g_autofree char *npy = g_build_filename (ref, input, "input.npy", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = lrp_image_load (png, &error);
  g_autoptr(LrpTensor) got = NULL, want = NULL;
  double diff = 0;

  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, size);
  got = lrp_image_preprocess (meta, channels, size, size, pixbuf, &error);
  g_assert_no_error (error);
  want = lrp_tensor_load (npy, &error);
  g_assert_no_error (error);
  g_assert_true (lrp_tensor_same_shape (got, want));
  for (int64_t i = 0; i < got->n; i++)
    diff = MAX (diff, fabs (lrp_tensor_f (got)[i] - lrp_tensor_f (want)[i]));
  g_test_message ("%s: max |difference| %g", input, diff);
  g_assert_cmpfloat (diff, <=, 1e-6);
}

static void
test_reference (void)
{
  g_autofree char *ref = lrp_test_dir_from_env ("LRPLENS_REFERENCE_DIR");
  g_autoptr(LrpMetadata) gray = make_meta (LRP_COLOR_GRAY, LRP_RESIZE_AUTO, 0);
  g_autoptr(LrpMetadata) rgb = make_meta (LRP_COLOR_RGB, LRP_RESIZE_AUTO, 0);

  if (ref == NULL)
    {
      g_test_skip ("LRPLENS_REFERENCE_DIR is not set or missing: no reference images");
      return;
    }
  set_mean_std (gray, 1, fmnist_mean, fmnist_std);
  set_mean_std (rgb, 3, imagenet_mean, imagenet_std);
  check_reference (ref, "fmnist_cnn/inputs/test0", gray, 1, 28);
  check_reference (ref, "fmnist_cnn/inputs/test1", gray, 1, 28);
  check_reference (ref, "fmnist_cnn/inputs/test2", gray, 1, 28);
  check_reference (ref, "vgg_mini/inputs/chelsea", rgb, 3, 64);
  check_reference (ref, "vgg_mini/inputs/coffee", rgb, 3, 64);
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

/* lrp_model_load_input() on images: the model's metadata (rgb, ImageNet
 * mean/std) and input size decide. */
static void
test_model_input (void)
{
  g_autoptr(LrpModel) model = load_test_model ("identity-1x3x8x8.onnx");
  g_autoptr(LrpModel) flat = load_test_model ("identity-1x10.onnx");
  g_autoptr(GdkPixbuf) exact = make_pixbuf (8, 8, FALSE, rgb_pattern);
  g_autoptr(GdkPixbuf) large = make_pixbuf (16, 16, FALSE, constant_pattern);
  g_autofree char *exact_path = tmp_path ("exact.png"), *large_path = tmp_path ("large.bmp");
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpTensor) t = NULL, t2 = NULL, t3 = NULL;

  g_assert_true (gdk_pixbuf_save (exact, exact_path, "png", NULL, NULL));
  g_assert_true (gdk_pixbuf_save (large, large_path, "bmp", NULL, NULL));
  t = lrp_model_load_input (model, exact_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (t->shape[0], ==, 1);
  check_rgb_tensor (t, exact);

  t2 = lrp_model_load_input (model, large_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (t2->shape[2], ==, 8);
  g_assert_cmpfloat (fabs (lrp_tensor_f (t2)[0] - expected_value (77, 0.485f, 0.229f)), <, 0.02);

  t3 = lrp_model_load_input (flat, exact_path, &error);
  g_assert_null (t3);
  g_assert_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_SHAPE);
  g_assert_true (g_str_has_prefix (error->message, "exact.png: "));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (exact_path, "not a png", -1, NULL));
  g_assert_null (lrp_model_load_input (model, exact_path, &error));
  g_assert_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE);
}

int
main (int argc,
      char *argv[])
{
  int ret;

  lrp_test_init (&argc, &argv);
  tmp_dir = g_dir_make_tmp ("lrplens-test-image-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);

  g_test_add_func ("/image/gray/png-exact", test_gray_png_exact);
  g_test_add_func ("/image/rgb/png-exact", test_rgb_png_exact);
  g_test_add_func ("/image/rgb/jpeg", test_rgb_jpeg);
  g_test_add_func ("/image/cut-short", test_cut_short);
  g_test_add_func ("/image/gray/luma", test_gray_luma);
  g_test_add_func ("/image/gray/three-channels-and-alpha", test_gray_three_channels_and_alpha);
  g_test_add_func ("/image/crop/geometry", test_crop_geometry);
  g_test_add_func ("/image/crop/with-resize", test_crop_with_resize);
  g_test_add_func ("/image/resize/auto", test_auto_resize);
  g_test_add_func ("/image/resize/stretch", test_stretch);
  g_test_add_func ("/image/load/unreadable", test_unreadable);
  g_test_add_func ("/image/preprocess/bad-requests", test_bad_requests);
  g_test_add_func ("/image/reference", test_reference);
  g_test_add_func ("/image/model-input", test_model_input);

  ret = g_test_run ();
  {
    g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = tmp_path (name);

        g_remove (path);
      }
  }
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
