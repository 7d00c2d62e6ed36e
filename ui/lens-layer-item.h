/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "lens-result.h"

G_BEGIN_DECLS

#define LENS_TYPE_LAYER_ITEM (lens_layer_item_get_type ())
G_DECLARE_FINAL_TYPE (LensLayerItem, lens_layer_item, LENS, LAYER_ITEM, GObject)

char *lens_layer_display_name (const char *name);

/* @layer NULL: the input row, holding the input relevance. */
LensLayerItem *lens_layer_item_new (LensResult *result, int index);
void lens_layer_item_set_result (LensLayerItem *self, LensResult *result);
const LrpLayer *lens_layer_item_get_layer (LensLayerItem *self);
int lens_layer_item_get_index (LensLayerItem *self);
char *lens_layer_item_dup_display_name (LensLayerItem *self);
char *lens_layer_item_dup_shape (LensLayerItem *self);
char *lens_layer_item_dup_rule_label (LensLayerItem *self);
double lens_layer_item_get_sum (LensLayerItem *self);
double lens_layer_item_get_share (LensLayerItem *self);

G_END_DECLS
