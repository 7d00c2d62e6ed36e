/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by the colormaps (lrp-colormap.c), the heatmap renderer
 * (lrp-render.c) and export (lrp-export.c).
 */
#pragma once

#include "lrp.h"

G_BEGIN_DECLS

/* 256 RGB triplets for @name (NULL: "bwr"), or NULL for an unknown name. */
const guint8 *lrp_colormap_get_palette (const char *name);

/* Palette index of @value under a scale s (@inverse_scale = 1 / s):
 * symmetric, −s → 0, 0 → 0x80, s → 255; absolute, 0 → 0, |s| → 255;
 * NaN counts as 0, larger values clip. */
static inline int
lrp_colour_index (float value,
                  double inverse_scale,
                  gboolean absolute)
{
  double t = (double) value * inverse_scale;

  if (t != t)
    t = 0.0;
  if (absolute)
    return (int) (MIN (t < 0.0 ? -t : t, 1.0) * 255.0 + 0.5);
  t = CLAMP (t, -1.0, 1.0);
  return 128 + (int) (t < 0.0 ? -(-t * 128.0 + 0.5) : t * 127.0 + 0.5);
}

/* An opaque ARGB32 pixel (native-endian, as Cairo stores it). */
static inline guint32
lrp_rgb_pixel (const guint8 *rgb)
{
  return 0xff000000u | (guint32) rgb[0] << 16 | (guint32) rgb[1] << 8 | rgb[2];
}

G_END_DECLS
