/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "lens-result.h"

G_BEGIN_DECLS

#define LENS_TYPE_HEATMAP_VIEW (lens_heatmap_view_get_type ())
G_DECLARE_FINAL_TYPE (LensHeatmapView, lens_heatmap_view, LENS, HEATMAP_VIEW, GtkWidget)

void lens_heatmap_view_set_result (LensHeatmapView *self, LensResult *result);
void lens_heatmap_view_zoom_by (LensHeatmapView *self, double factor);
/* By @factor, the picture's point at widget (@wx, @wy) staying where it is. */
void lens_heatmap_view_zoom_at (LensHeatmapView *self, double factor, double wx, double wy);
void lens_heatmap_view_zoom_fit (LensHeatmapView *self);
guint lens_heatmap_view_get_n_renders (LensHeatmapView *self);
gint64 lens_heatmap_view_get_rendered_at (LensHeatmapView *self);

G_END_DECLS
