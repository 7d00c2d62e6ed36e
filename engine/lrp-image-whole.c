/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Is an image file whole?  gdk-pixbuf's PNG and JPEG loaders decode a file
 * cut short (a download stopped, a copy interrupted) without a word, grey
 * or black where the data ran out, and lrplens would explain that picture
 * as if it were the photo.  The formats mark their own end (PNG's IEND
 * chunk, JPEG's EOI marker, WebP's RIFF size), so walking the file's
 * structure up to that mark tells a cut file from a whole one; what comes
 * after the mark (cameras append data there) is not looked at.
 */
#define G_LOG_DOMAIN "lrp-image"

#include "config.h"

#include "lrp-image-private.h"

#include <string.h>

static guint32
read_be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | (guint32) p[3];
}

/* Chunks (length, type, data, CRC) from the signature to IEND. */
static const char *
png_cut_short (const guint8 *p,
               gsize len)
{
  gsize at = 8;

  while (at + 12 <= len)
    {
      guint32 size = read_be32 (p + at);

      if (memcmp (p + at + 4, "IEND", 4) == 0)
        return NULL;
      if (size > len - at - 12)
        return "the file ends inside a PNG chunk";
      at += 12 + (gsize) size;
    }
  return "the file ends before the PNG's end chunk (IEND)";
}

/* Segments from SOI to EOI: a marker's segment is skipped by its length
 * (an EXIF thumbnail, with its own EOI, lies inside one); after a start of
 * scan, the entropy-coded data runs to the next marker that is neither a
 * stuffed 0xFF00 nor a restart marker. */
static const char *
jpeg_cut_short (const guint8 *p,
                gsize len)
{
  gsize at = 2;

  while (at + 1 < len)
    {
      guint8 marker;

      if (p[at] != 0xff || p[at + 1] == 0xff)
        {
          /* Stray bytes or fill before a marker: libjpeg skips them too. */
          at++;
          continue;
        }
      marker = p[at + 1];
      if (marker == 0xd9)
        return NULL;
      if ((marker >= 0xd0 && marker <= 0xd7) || marker == 0x01 || marker == 0x00)
        {
          at += 2;
          continue;
        }
      if (at + 4 > len)
        break;
      at += 2 + ((gsize) p[at + 2] << 8 | p[at + 3]);
      if (marker != 0xda)
        continue;
      while (at + 1 < len
             && !(p[at] == 0xff && p[at + 1] != 0x00 && p[at + 1] != 0xff
                  && !(p[at + 1] >= 0xd0 && p[at + 1] <= 0xd7)))
        at++;
    }
  return "the file ends before the JPEG's end marker";
}

/* The RIFF header's size covers the rest of the file. */
static const char *
webp_cut_short (const guint8 *p,
                gsize len)
{
  guint32 size = (guint32) p[4] | (guint32) p[5] << 8 | (guint32) p[6] << 16
                 | (guint32) p[7] << 24;

  return (guint64) size + 8 > len ? "the file is shorter than its WebP header says" : NULL;
}

const char *
lrp_image_cut_short (const char *type,
                     const guint8 *p,
                     gsize len)
{
  if (g_str_equal (type, "png"))
    return png_cut_short (p, len);
  if (g_str_equal (type, "jpeg"))
    return jpeg_cut_short (p, len);
  if (g_str_equal (type, "webp") && len >= 12)
    return webp_cut_short (p, len);
  return NULL;
}
