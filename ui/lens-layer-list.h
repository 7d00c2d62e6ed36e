/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "lens-result.h"

G_BEGIN_DECLS

#define LENS_TYPE_LAYER_LIST (lens_layer_list_get_type ())
G_DECLARE_FINAL_TYPE (LensLayerList, lens_layer_list, LENS, LAYER_LIST, GtkWidget)

void lens_layer_list_set_result (LensLayerList *self, LensResult *result);
GListModel *lens_layer_list_get_model (LensLayerList *self);
gboolean lens_layer_list_edit (LensLayerList *self, const char *layer);

G_END_DECLS
