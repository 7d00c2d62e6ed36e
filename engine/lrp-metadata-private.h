/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a model says about its input and classes: from the ONNX
 * metadata_props (keys "lrplens.*") or a JSON file beside the model.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  LRP_COLOR_AUTO,               /* from the channel count */
  LRP_COLOR_GRAY,
  LRP_COLOR_RGB,
} LrpColor;

typedef enum {
  LRP_RESIZE_AUTO,              /* stretch small inputs, crop:size/0.875 others */
  LRP_RESIZE_STRETCH,           /* scale the whole image to the input size */
  LRP_RESIZE_CROP,              /* shorter side to crop_size, then centre crop */
} LrpResize;

typedef struct
{
  char *name;
  char *description;
  GStrv labels;                 /* NULL: "class N" */
  int n_mean, n_std;
  float mean[4], std[4];        /* per channel; n = 0: 0 and 1 */
  LrpColor color;
  LrpResize resize;
  int crop_size;                /* for LRP_RESIZE_CROP */
  float range_low, range_high;  /* pixel range after /255, before mean/std */
} LrpMetadata;

LrpMetadata *lrp_metadata_new (void);
void lrp_metadata_free (LrpMetadata *meta);
/* Applies one key ("lrplens." prefix already removed) from a string value. */
gboolean lrp_metadata_set (LrpMetadata *meta, const char *key, const char *value,
                           GError **error);
/* Applies every member of a JSON object file. */
gboolean lrp_metadata_load_json (LrpMetadata *meta, const char *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LrpMetadata, lrp_metadata_free)

G_END_DECLS
