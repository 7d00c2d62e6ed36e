/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Images as model inputs, preprocessed the way PIL + torchvision pipelines
 * do it: convert("L") or convert("RGB"), Resize(crop_size) + CenterCrop or
 * a plain resize, ToTensor, Normalize(mean, std).
 *
 * Resampling uses gdk-pixbuf's GDK_INTERP_BILINEAR, which (like PIL's
 * bilinear) averages over the covered area when shrinking; values are
 * close to, not bit-identical with, PIL's.  Images that already have the
 * target size are never resampled, so they give exactly their pixels.
 */
#define G_LOG_DOMAIN "lrp-image"

#include "config.h"

#include "lrp-image-private.h"

#include "lrp-graph-private.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Image files larger than this are not even looked at. */
#define LRP_MAX_IMAGE_FILE ((goffset) 2 << 30)
/* The memory ceiling for small files (decode_budget). */
#define LRP_IMAGE_BUDGET_FROM ((gsize) 1 << 20)
#define LRP_IMAGE_BYTES_PER_BYTE 64
#define LRP_IMAGE_MIN_BUDGET ((int64_t) 16 << 20)
/* AUTO resize: inputs up to this size are stretched, larger ones cropped. */
#define LRP_STRETCH_MAX_SIDE 64

/* gdk-pixbuf names the full path in its messages: use the basename and
 * keep the message on one line. */
static char *
clean_message (const char *message,
               const char *path,
               const char *base)
{
  GString *s = g_string_new (message);
  g_autofree char *display = g_filename_display_name (path);

  g_string_replace (s, display, base, 0);
  g_string_replace (s, "\n", " ", 0);
  g_string_replace (s, "\r", " ", 0);
  return g_string_free (s, FALSE);
}

/* What decoding a file of @file_size bytes may take: images under 1 MB get
 * 64 bytes per byte of file (at least 16 MiB, a 2048 × 2048 RGBA image), so
 * that a few compressed bytes cannot claim gigabytes; larger files are
 * bounded by LRP_IMAGE_MAX_PIXELS alone. */
static int64_t
decode_budget (gsize file_size)
{
  if (file_size >= LRP_IMAGE_BUDGET_FROM)
    return G_MAXINT64;
  return MAX ((int64_t) file_size * LRP_IMAGE_BYTES_PER_BYTE, LRP_IMAGE_MIN_BUDGET);
}

static gboolean
check_size (const char *base,
            int width,
            int height,
            gsize file_size,
            GError **error)
{
  if (width > LRP_IMAGE_MAX_SIDE || height > LRP_IMAGE_MAX_SIDE
      || (int64_t) width * height > LRP_IMAGE_MAX_PIXELS)
    {
      g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE,
                   "%s: the image is %d × %d pixels, more than lrplens reads (%d pixels on a "
                   "side, %d megapixels)", base, width, height, LRP_IMAGE_MAX_SIDE,
                   (int) (LRP_IMAGE_MAX_PIXELS / 1000000));
      return FALSE;
    }
  if ((int64_t) width * height * 4 > decode_budget (file_size))
    {
      g_autofree char *size = g_format_size (file_size);

      g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE,
                   "%s: the image claims %d × %d pixels in %s; a file that small holding "
                   "that many is taken as hostile", base, width, height, size);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  const char *base;
  gsize file_size;
  GError *error;              /* owned: the size was refused */
} SizeCheck;

static void
size_prepared_cb (GdkPixbufLoader *loader,
                  int width,
                  int height,
                  gpointer data)
{
  SizeCheck *check = data;

  /* A size of 0 × 0 makes gdk-pixbuf's decoders stop before allocating
   * (as gdk_pixbuf_get_file_info () does). */
  if (check->error == NULL
      && !check_size (check->base, width, height, check->file_size, &check->error))
    gdk_pixbuf_loader_set_size (loader, 0, 0);
}

/* The formats lrplens reads, by their signature: the common photo and
 * raster formats.  gdk-pixbuf's other loaders (icons, cursors, TGA, XPM,
 * XBM, QuickTime, SVG) are never handed a downloaded file, nor are its GIF
 * loader, which allocates frames beyond the size it announces (40 MB for
 * 150 bytes) and logs criticals about frames 0 pixels wide, and its PNM
 * loader, which fails some files without saying why (gdk-pixbuf warns). */
static const char *
image_type (const guint8 *p,
            gsize len)
{
  if (len >= 8 && memcmp (p, "\x89PNG\r\n\x1a\n", 8) == 0)
    return "png";
  if (len >= 3 && memcmp (p, "\xff\xd8\xff", 3) == 0)
    return "jpeg";
  if (len >= 2 && memcmp (p, "BM", 2) == 0)
    return "bmp";
  if (len >= 4 && (memcmp (p, "II*\0", 4) == 0 || memcmp (p, "MM\0*", 4) == 0))
    return "tiff";
  if (len >= 12 && memcmp (p, "RIFF", 4) == 0 && memcmp (p + 8, "WEBP", 4) == 0)
    return "webp";
  return NULL;
}

static guint32
read_le32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

/* Checks gdk-pixbuf's loaders leave to their allocator: the BMP loader
 * allocates what the info header's size field claims (up to 4 GiB) before
 * reading the header, a buffer up to the pixel data's offset (84 MB for a
 * 54-byte file), rows as wide and colour tables as long as claimed (181 MB
 * for 54 bytes).  NULL if fine, else what is wrong. */
static const char *
check_header (const char *type,
              const guint8 *p,
              gsize len)
{
  if (g_str_equal (type, "bmp") && len >= 18)
    {
      guint32 size = read_le32 (p + 14);

      if (size != 12 && size != 16 && size != 40 && size != 52 && size != 56 && size != 64
          && size != 108 && size != 124)
        return "a BMP info header of a size no BMP version has";
      if (read_le32 (p + 10) > len)
        return "the BMP's pixels start beyond the end of the file";
      /* It allocates a row of the width the header claims, before
       * announcing the size. */
      if (size >= 40 && len >= 26)
        {
          int64_t w = (gint32) read_le32 (p + 18), h = (gint32) read_le32 (p + 22);

          w = ABS (w);
          h = ABS (h);
          if (w > LRP_IMAGE_MAX_SIDE || h > LRP_IMAGE_MAX_SIDE
              || w * h * 4 > decode_budget (len))
            return "a BMP larger than lrplens reads from a file this size";
        }
      /* ... and a colour table of as many entries as claimed. */
      if (size >= 40 && len >= 50 && read_le32 (p + 46) > 256)
        return "a BMP colour table of more than 256 colours";
    }
  return NULL;
}

/* Decodes @bytes by their signature, checking the size the header
 * announces before the pixels are allocated. */
static GdkPixbuf *
decode (GBytes *bytes,
        const char *base,
        GError **error)
{
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GError) local = NULL;
  gsize len, done = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  const char *type = image_type (data, len), *why;
  SizeCheck check = { base, len, NULL };
  GdkPixbuf *pixbuf;
  gboolean ok = TRUE;

  if (type == NULL)
    {
      g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE,
                   "%s: not an image lrplens reads (PNG, JPEG, BMP, TIFF or WebP), "
                   "nor a .npy or .pb tensor", base);
      return NULL;
    }
  if ((why = check_header (type, data, len)) != NULL)
    {
      g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE, "%s: not a valid image: %s",
                   base, why);
      return NULL;
    }
  if ((why = lrp_image_cut_short (type, data, len)) != NULL)
    {
      g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE,
                   "%s: the image is incomplete: %s (was it cut off while downloading or "
                   "copying?)", base, why);
      return NULL;
    }
  loader = gdk_pixbuf_loader_new_with_type (type, &local);
  if (loader == NULL)
    {
      g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE,
                   "%s: %s images cannot be read on this system (%s)", base, type,
                   local->message);
      return NULL;
    }
  g_signal_connect (loader, "size-prepared", G_CALLBACK (size_prepared_cb), &check);
  while (ok && done < len && check.error == NULL)
    {
      gsize chunk = MIN (len - done, 65536);

      ok = gdk_pixbuf_loader_write (loader, data + done, chunk, &local);
      done += chunk;
    }
  /* Closing finishes the decoding (or reports it cut short). */
  if (!gdk_pixbuf_loader_close (loader, ok && check.error == NULL ? &local : NULL) && ok)
    ok = FALSE;
  if (check.error != NULL)
    {
      g_propagate_error (error, check.error);
      return NULL;
    }
  pixbuf = ok ? gdk_pixbuf_loader_get_pixbuf (loader) : NULL;
  if (pixbuf == NULL)
    {
      g_autofree char *message = clean_message (local ? local->message : "not an image lrplens "
                                                "can decode", base, base);

      g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE, "%s: %s", base, message);
      return NULL;
    }
  if (!check_size (base, gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf), len,
                   error))
    return NULL;
  return g_object_ref (pixbuf);
}

GdkPixbuf *
lrp_image_load_bytes (GBytes *bytes,
                      const char *base,
                      GError **error)
{
  if (g_bytes_get_size (bytes) == 0)
    {
      g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE, "%s: the file is empty",
                   base);
      return NULL;
    }
  return decode (bytes, base, error);
}

/**
 * lrp_image_load:
 * Decodes an image file, refusing huge images before decoding them when
 * their header tells the size.
 *
 * Returns: (transfer full): the pixbuf, or NULL with LRP_INPUT_ERROR_UNREADABLE.
 */
GdkPixbuf *
lrp_image_load (const char *path,
                GError **error)
{
  g_autofree char *base = g_filename_display_basename (path);
  g_autoptr(GError) local = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;

  /* Images bundled in the application (the default sample). */
  if (g_str_has_prefix (path, "resource://"))
    {
      pixbuf = gdk_pixbuf_new_from_resource (path + strlen ("resource://"), &local);
      if (pixbuf == NULL)
        g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE, "%s: %s", base,
                     local->message);
      return g_steal_pointer (&pixbuf);
    }
  if (!lrp_input_check_file (path, LRP_MAX_IMAGE_FILE, error))
    return NULL;
  file = g_mapped_file_new (path, FALSE, &local);
  if (file == NULL)
    {
      g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE, "%s: %s", base,
                   local->message);
      return NULL;
    }
  bytes = g_mapped_file_get_bytes (file);
  return decode (bytes, base, error);
}

/* ---- geometry ---------------------------------------------------------- */

/* Where the output window lies in the scaled image: the scaled size and the
 * offset of the window (negative: zero padding, as CenterCrop pads). */
typedef struct
{
  int scaled_w, scaled_h;
  int left, top;
} Geometry;

/* torchvision CenterCrop: offset int(round((size - crop) / 2.0)) with
 * Python's round half to even; a crop larger than the image is centred
 * with the smaller half of the padding before it. */
static int
crop_offset (int size,
             int crop)
{
  int d = size - crop, k;

  if (d < 0)
    return -(-d / 2);
  k = d / 2;
  return d % 2 == 1 && k % 2 == 1 ? k + 1 : k;
}

/* torchvision Resize(int): shorter side to @crop_size, the longer one to
 * int(crop_size * long / short), then CenterCrop(height, width). */
static gboolean
crop_geometry (int crop_size,
               int w,
               int h,
               int height,
               int width,
               Geometry *g,
               GError **error)
{
  int64_t shorter = MIN (w, h), longer = MAX (w, h);
  double scaled_long = (double) ((int64_t) crop_size * longer) / (double) shorter;

  if (scaled_long > LRP_IMAGE_MAX_PIXELS)
    {
      g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_FAILED,
                   "the image (%d × %d) is too elongated to be scaled to %d pixels on its "
                   "shorter side", w, h, crop_size);
      return FALSE;
    }
  g->scaled_w = w <= h ? crop_size : (int) scaled_long;
  g->scaled_h = w <= h ? (int) scaled_long : crop_size;
  g->left = crop_offset (g->scaled_w, width);
  g->top = crop_offset (g->scaled_h, height);
  return TRUE;
}

static gboolean
compute_geometry (const LrpMetadata *meta,
                  int w,
                  int h,
                  int height,
                  int width,
                  Geometry *g,
                  GError **error)
{
  LrpResize resize = meta->resize;
  int crop_size = meta->crop_size;

  memset (g, 0, sizeof *g);
  if (resize == LRP_RESIZE_AUTO)
    {
      if (w == width && h == height)
        {
          g->scaled_w = w;
          g->scaled_h = h;
          return TRUE;
        }
      resize = MAX (width, height) <= LRP_STRETCH_MAX_SIDE ? LRP_RESIZE_STRETCH : LRP_RESIZE_CROP;
      crop_size = (int) lround (MAX (width, height) / 0.875);
    }
  if (resize == LRP_RESIZE_STRETCH)
    {
      g->scaled_w = width;
      g->scaled_h = height;
      return TRUE;
    }
  if (crop_size < 1)
    {
      g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_FAILED,
                   "the model metadata asks for a centre crop without a size");
      return FALSE;
    }
  return crop_geometry (crop_size, w, h, height, width, g, error);
}

/* ---- pixels ------------------------------------------------------------ */

/* An RGB copy without alpha (PIL's convert drops it too); for gray models
 * R = G = B = ITU-R 601-2 luma, computed exactly as Pillow's convert("L"):
 * (R 19595 + G 38470 + B 7471 + 0x8000) >> 16. */
static GdkPixbuf *
to_rgb (GdkPixbuf *src,
        gboolean gray,
        GError **error)
{
  int w = gdk_pixbuf_get_width (src), h = gdk_pixbuf_get_height (src);
  int nc = gdk_pixbuf_get_n_channels (src), srs = gdk_pixbuf_get_rowstride (src);
  const guint8 *s = gdk_pixbuf_read_pixels (src);
  GdkPixbuf *dst;
  guint8 *d;
  int drs;

  if (nc == 3 && !gray)
    return g_object_ref (src);
  dst = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, w, h);
  if (dst == NULL)
    {
      g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_FAILED,
                   "not enough memory for a %d × %d image", w, h);
      return NULL;
    }
  d = gdk_pixbuf_get_pixels (dst);
  drs = gdk_pixbuf_get_rowstride (dst);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        const guint8 *p = s + (gsize) y * srs + (gsize) x * nc;
        guint8 *q = d + (gsize) y * drs + (gsize) x * 3;

        if (gray)
          q[0] = q[1] = q[2] = (guint8) ((p[0] * 19595 + p[1] * 38470 + p[2] * 7471 + 0x8000)
                                         >> 16);
        else
          memcpy (q, p, 3);
      }
  return dst;
}

/* Renders the window of the scaled image into @out (black outside it).
 * gdk_pixbuf_scale() computes only the window, so a large crop_size never
 * materialises the whole scaled image. */
static void
render (GdkPixbuf *rgb,
        const Geometry *g,
        GdkPixbuf *out)
{
  int w = gdk_pixbuf_get_width (rgb), h = gdk_pixbuf_get_height (rgb);
  int x0 = MAX (0, -g->left), x1 = MIN (gdk_pixbuf_get_width (out), g->scaled_w - g->left);
  int y0 = MAX (0, -g->top), y1 = MIN (gdk_pixbuf_get_height (out), g->scaled_h - g->top);

  gdk_pixbuf_fill (out, 0);
  if (x1 <= x0 || y1 <= y0)
    return;
  if (g->scaled_w == w && g->scaled_h == h)
    gdk_pixbuf_copy_area (rgb, x0 + g->left, y0 + g->top, x1 - x0, y1 - y0, out, x0, y0);
  else
    gdk_pixbuf_scale (rgb, out, x0, y0, x1 - x0, y1 - y0, -g->left, -g->top,
                      (double) g->scaled_w / w, (double) g->scaled_h / h, GDK_INTERP_BILINEAR);
}

static gboolean
std_positive (const LrpMetadata *meta)
{
  for (int i = 0; i < MIN (meta->n_std, 4); i++)
    if (!(meta->std[i] > 0.f))
      return FALSE;
  return TRUE;
}

static gboolean
check_request (const LrpMetadata *meta,
               int channels,
               int height,
               int width,
               GdkPixbuf *pixbuf,
               GError **error)
{
  if (channels != 1 && channels != 3)
    g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_SHAPE,
                 "the model expects %d channels; images give 1 (gray) or 3 (RGB)", channels);
  else if (height < 1 || width < 1 || height > LRP_IMAGE_MAX_SIDE || width > LRP_IMAGE_MAX_SIDE)
    g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_SHAPE,
                 "the model expects %d × %d pixels, which is not an image size", width, height);
  else if (meta->color == LRP_COLOR_RGB && channels == 1)
    g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_SHAPE,
                 "the model metadata says “rgb” but the model input has 1 channel");
  else if ((meta->n_mean > 1 && meta->n_mean != channels)
           || (meta->n_std > 1 && meta->n_std != channels))
    g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_FAILED,
                 "the model metadata gives %d mean and %d std values for %d channels",
                 meta->n_mean, meta->n_std, channels);
  else if (!std_positive (meta))
    g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_FAILED,
                 "the model metadata gives a standard deviation that is not positive");
  else if (gdk_pixbuf_get_colorspace (pixbuf) != GDK_COLORSPACE_RGB
           || gdk_pixbuf_get_bits_per_sample (pixbuf) != 8
           || gdk_pixbuf_get_n_channels (pixbuf) < 3 || gdk_pixbuf_get_n_channels (pixbuf) > 4)
    g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_FAILED,
                 "unsupported pixel format (expected 8-bit RGB or RGBA)");
  else
    return TRUE;
  return FALSE;
}

/**
 * lrp_image_prepare:
 * Returns: (transfer full): an RGB pixbuf of @width × @height, or NULL with
 * LRP_INPUT_ERROR set.
 */
GdkPixbuf *
lrp_image_prepare (const LrpMetadata *meta,
                   int channels,
                   int height,
                   int width,
                   GdkPixbuf *pixbuf,
                   GError **error)
{
  g_autoptr(GdkPixbuf) rgb = NULL;
  g_autoptr(GdkPixbuf) out = NULL;
  gboolean gray;
  Geometry g;

  g_return_val_if_fail (meta != NULL, NULL);
  g_return_val_if_fail (GDK_IS_PIXBUF (pixbuf), NULL);
  if (!check_request (meta, channels, height, width, pixbuf, error)
      || !compute_geometry (meta, gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf),
                            height, width, &g, error))
    return NULL;
  gray = meta->color == LRP_COLOR_GRAY || (meta->color == LRP_COLOR_AUTO && channels == 1);
  rgb = to_rgb (pixbuf, gray, error);
  if (rgb == NULL)
    return NULL;
  out = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  if (out == NULL)
    {
      g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_FAILED,
                   "not enough memory for a %d × %d image", width, height);
      return NULL;
    }
  render (rgb, &g, out);
  return g_steal_pointer (&out);
}

static float
channel_value (const float *values,
               int n,
               int c,
               float fallback)
{
  return n == 0 ? fallback : values[n == 1 ? 0 : c];
}

/**
 * lrp_image_preprocess:
 * Returns: (transfer full): a [1, @channels, @height, @width] float tensor,
 * or NULL with LRP_INPUT_ERROR set.
 */
LrpTensor *
lrp_image_preprocess (const LrpMetadata *meta,
                      int channels,
                      int height,
                      int width,
                      GdkPixbuf *pixbuf,
                      GError **error)
{
  g_autoptr(GdkPixbuf) prepared = NULL;
  int64_t shape[4] = { 1, channels, height, width };
  const guint8 *pixels;
  LrpTensor *t;
  float *x;
  int rs;

  prepared = lrp_image_prepare (meta, channels, height, width, pixbuf, error);
  if (prepared == NULL)
    return NULL;
  pixels = gdk_pixbuf_read_pixels (prepared);
  rs = gdk_pixbuf_get_rowstride (prepared);
  t = lrp_tensor_new_float (4, shape);
  x = lrp_tensor_f (t);
  for (int c = 0; c < channels; c++)
    {
      float mean = channel_value (meta->mean, meta->n_mean, c, 0.f);
      float std = channel_value (meta->std, meta->n_std, c, 1.f);

      /* float32 steps in torchvision's order (ToTensor, then Normalize), so
       * that unresampled images reproduce PyTorch's tensors bit for bit. */
      for (int y = 0; y < height; y++)
        for (int i = 0; i < width; i++)
          {
            float p = (float) pixels[(gsize) y * rs + (gsize) i * 3 + (gsize) c] / 255.f;

            /* The model's pixel range (metadata input_range, [0, 1] unless
             * said otherwise); skipped when default to stay bit-exact. */
            if (meta->range_low != 0.f || meta->range_high != 1.f)
              p = meta->range_low + p * (meta->range_high - meta->range_low);
            *x++ = (p - mean) / std;
          }
    }
  return t;
}

/* ---- model inputs ------------------------------------------------------ */

static gboolean
is_tensor_file (const char *path)
{
  char head[6] = { 0 };
  FILE *f;

  if (g_str_has_suffix (path, ".npy") || g_str_has_suffix (path, ".NPY")
      || g_str_has_suffix (path, ".pb") || g_str_has_suffix (path, ".PB"))
    return TRUE;
  f = g_fopen (path, "rb");
  if (f == NULL)
    return FALSE;
  if (fread (head, 1, sizeof head, f) != sizeof head)
    head[0] = 0;
  fclose (f);
  return memcmp (head, "\x93NUMPY", 6) == 0;
}

/* A tensor of the model's input shape, or of that shape without a batch
 * dimension of 1 (added here). */
static LrpTensor *
fit_shape (LrpTensor *t,
           int rank,
           const int64_t *shape,
           const char *base,
           GError **error)
{
  g_autoptr(LrpTensor) owned = t;
  g_autofree char *want = NULL, *found = NULL;

  if (t->rank == rank && memcmp (t->shape, shape, sizeof (int64_t) * (gsize) rank) == 0)
    return g_steal_pointer (&owned);
  if (rank > 0 && shape[0] == 1 && t->rank == rank - 1
      && memcmp (t->shape, shape + 1, sizeof (int64_t) * (gsize) t->rank) == 0)
    {
      memmove (t->shape + 1, t->shape, sizeof (int64_t) * (gsize) t->rank);
      t->shape[0] = 1;
      t->rank = rank;
      return g_steal_pointer (&owned);
    }
  want = lrp_shape_to_string (rank, shape);
  found = lrp_shape_to_string (t->rank, t->shape);
  g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_SHAPE,
               "%s: the model expects a tensor of shape %s, found %s", base, want, found);
  return NULL;
}

static LrpTensor *
load_image_input (const LrpModel *model,
                  int rank,
                  const int64_t *shape,
                  const char *path,
                  const char *base,
                  GError **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  LrpTensor *t;

  if (rank != 4 || shape[0] != 1 || (shape[1] != 1 && shape[1] != 3)
      || shape[2] > LRP_IMAGE_MAX_SIDE || shape[3] > LRP_IMAGE_MAX_SIDE)
    {
      g_autofree char *s = lrp_shape_to_string (rank, shape);

      g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_SHAPE,
                   "%s: the model input %s is not an image ([1, C, H, W] with C = 1 or 3); "
                   "give it a .npy or .pb tensor", base, s);
      return NULL;
    }
  pixbuf = lrp_image_load (path, error);
  if (pixbuf == NULL)
    return NULL;
  t = lrp_image_preprocess (model->meta, (int) shape[1], (int) shape[2], (int) shape[3], pixbuf,
                            error);
  if (t == NULL)
    g_prefix_error (error, "%s: ", base);
  return t;
}

/**
 * lrp_model_load_input:
 * Reads the input for @model from @path: a .npy or .pb tensor used as it is
 * (a missing batch dimension is added), or an image preprocessed as the
 * model's metadata says.
 *
 * Returns: (transfer full): the input tensor, or NULL with LRP_INPUT_ERROR set.
 */
LrpTensor *
lrp_model_load_input (const LrpModel *model,
                      const char *path,
                      GError **error)
{
  g_autofree char *base = NULL;
  const int64_t *shape;
  int rank = 0;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);
  base = g_filename_display_basename (path);
  shape = lrp_model_get_input_shape (model, &rank);
  if (is_tensor_file (path))
    {
      LrpTensor *t = lrp_tensor_load (path, error);

      return t ? fit_shape (t, rank, shape, base, error) : NULL;
    }
  return load_image_input (model, rank, shape, path, base, error);
}
