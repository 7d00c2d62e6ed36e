/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Zennit's colormaps (zennit/image.py), written in its colour-stop code:
 * comma-separated hex colours (3 or 6 digits) spread evenly over 0..255,
 * an optional "XX:" pinning the next colour at index 0xXX.  Each becomes a
 * 256-entry palette, interpolated linearly between the stops and rounded
 * down, as Zennit's ColorMap.palette() makes it.
 */
#define G_LOG_DOMAIN "lrp-colormap"

#include "config.h"

#include "lrp-render-private.h"

#include <string.h>

typedef struct
{
  const char *name;
  const char *code;
} Colormap;

/* "bwr" first: the default, and the first in lists. */
static const Colormap colormaps[] = {
  { "bwr", "00f,80:fff,f00" },
  { "gray", "000,fff" },
  { "wred", "fff,f00" },
  { "wblue", "fff,00f" },
  { "hot", "000,f00,ff0,fff" },
  { "cold", "000,00f,0ff" },
  { "coldnhot", "0ff,00f,80:000,f00,ff0,fff" },
  { "france", "0055a4,80:fff,ef4135" },
  { "seismic", "0000d0,80:d0d0d0,d00000" },
  { "coolio", "00d0d0,80:d0d0d0,d000d0" },
  { "coleus", "00d000,80:d0d0d0,d000d0" },
};

#define N_COLORMAPS G_N_ELEMENTS (colormaps)
#define MAX_STOPS 16

static const char *const names[N_COLORMAPS + 1] = {
  "bwr", "gray", "wred", "wblue", "hot", "cold", "coldnhot", "france", "seismic", "coolio",
  "coleus", NULL,
};

static guint8 palettes[N_COLORMAPS][256 * 3];

typedef struct
{
  int index;                   /* 0..255, or -1: spread evenly */
  int rgb[3];
} Stop;

static int
hex_digit (char c)
{
  return g_ascii_xdigit_value (c);
}

/* Parses one "[XX:]RGB" or "[XX:]RRGGBB" entry of a (static, trusted) code. */
static void
parse_stop (const char *entry,
            Stop *stop)
{
  const char *colon = strchr (entry, ':');
  const char *hex = colon ? colon + 1 : entry;
  size_t len = strlen (hex);

  stop->index = -1;
  if (colon)
    {
      stop->index = hex_digit (entry[0]);
      if (colon - entry == 2)
        stop->index = stop->index * 16 + hex_digit (entry[1]);
      else
        stop->index *= 17;     /* one digit "8" means 0x88, as in Zennit */
    }
  g_assert (len == 3 || len == 6);
  for (int c = 0; c < 3; c++)
    stop->rgb[c] = len == 3 ? hex_digit (hex[c]) * 17
                            : hex_digit (hex[2 * c]) * 16 + hex_digit (hex[2 * c + 1]);
}

/* The stops with every index set, as Zennit's ColorMap._make_palette: the
 * first colour at 0 (and at its own index if it has one), the last at 255
 * unless pinned, unpinned ones spread evenly (truncated) between their
 * pinned neighbours, and a copy of the last at 256. */
static int
place_stops (const char *code,
             Stop *out)
{
  g_auto(GStrv) entries = g_strsplit (code, ",", -1);
  Stop stops[MAX_STOPS];
  int n = (int) g_strv_length (entries), n_out = 0, pending = 0;

  g_assert (n >= 2 && n < MAX_STOPS);
  for (int i = 0; i < n; i++)
    parse_stop (entries[i], &stops[i]);
  out[n_out++] = (Stop) { 0, { stops[0].rgb[0], stops[0].rgb[1], stops[0].rgb[2] } };
  if (stops[0].index > 0)
    out[n_out++] = stops[0];
  for (int i = 1; i < n; i++)
    {
      Stop s = stops[i];
      int prev;

      if (s.index < 0 && i < n - 1)
        {
          pending++;
          continue;
        }
      if (s.index < 0)
        s.index = 255;
      prev = out[n_out - 1].index;
      for (int k = 1; k <= pending; k++)
        {
          double a = (double) k / (pending + 1);

          out[n_out] = stops[i - pending - 1 + k];
          out[n_out++].index = (int) ((double) prev * (1.0 - a) + (double) s.index * a);
        }
      pending = 0;
      out[n_out++] = s;
    }
  out[n_out] = out[n_out - 1];
  out[n_out++].index = 256;
  return n_out;
}

static void
build_palette (const char *code,
               guint8 *palette)
{
  Stop stops[2 * MAX_STOPS + 2];
  int n = place_stops (code, stops), k = 0;

  for (int i = 0; i < 256; i++)
    {
      int i0, i1;

      /* The last stop at or below i (the 256 sentinel is never one). */
      while (k + 2 < n && stops[k + 1].index <= i)
        k++;
      i0 = stops[k].index;
      i1 = stops[k + 1].index;
      for (int c = 0; c < 3; c++)
        palette[3 * i + c] = (guint8) ((stops[k].rgb[c] * (i1 - i) + stops[k + 1].rgb[c] * (i - i0))
                                       / (i1 - i0));
    }
}

static void
ensure_palettes (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      for (gsize i = 0; i < N_COLORMAPS; i++)
        {
          g_assert (g_str_equal (names[i], colormaps[i].name));
          build_palette (colormaps[i].code, palettes[i]);
        }
      g_once_init_leave (&done, 1);
    }
}

/**
 * lrp_colormap_list:
 * Returns: (transfer none): the colormap names, NULL-terminated, "bwr" first.
 */
const char *const *
lrp_colormap_list (void)
{
  return names;
}

gboolean
lrp_colormap_is_valid (const char *name)
{
  return name != NULL && g_strv_contains (names, name);
}

/**
 * lrp_colormap_get_palette:
 * Returns: (transfer none): 256 RGB triplets for @name (NULL: "bwr"), or
 * NULL if there is no such colormap.
 */
const guint8 *
lrp_colormap_get_palette (const char *name)
{
  ensure_palettes ();
  for (gsize i = 0; i < N_COLORMAPS; i++)
    if (name == NULL || g_str_equal (name, names[i]))
      return palettes[i];
  return NULL;
}

/**
 * lrp_colormap_render_bar:
 * A horizontal colour bar, low values on the left.
 *
 * Returns: (transfer full): an opaque ARGB32 image surface of @width × @height.
 */
cairo_surface_t *
lrp_colormap_render_bar (const char *colormap,
                         int width,
                         int height)
{
  const guint8 *palette = lrp_colormap_get_palette (colormap);
  cairo_surface_t *surface;
  guint8 *data;
  int stride;

  g_return_val_if_fail (palette != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    return surface;
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        /* Both ends exact; a bar 256 wide has one entry per pixel. */
        int i = width > 1 ? (int) (((int64_t) x * 255 + (width - 1) / 2) / (width - 1)) : 0;

        ((guint32 *) (data + (gsize) y * stride))[x] = lrp_rgb_pixel (palette + 3 * i);
      }
  cairo_surface_mark_dirty (surface);
  return surface;
}
