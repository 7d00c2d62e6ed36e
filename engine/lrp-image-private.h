/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Model inputs from files: image decoding and preprocessing (lrp-image.c)
 * and the checks shared with the tensor readers (lrp-npy.c).
 */
#pragma once

#include "lrp-metadata-private.h"
#include "lrp-tensor-private.h"

#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

/* Images with more pixels (or a longer side) are refused before decoding. */
#define LRP_IMAGE_MAX_PIXELS ((int64_t) 200000000)
#define LRP_IMAGE_MAX_SIDE 20000

/* Fails with LRP_INPUT_ERROR_UNREADABLE ("BASENAME: why") unless @path is a
 * regular file of 1 to @max_size bytes. */
gboolean lrp_input_check_file (const char *path, goffset max_size, GError **error);

/* Decodes an image file with gdk-pixbuf (size checked before decoding). */
GdkPixbuf *lrp_image_load (const char *path, GError **error);
/* The same from the file's bytes; @base names it in messages. */
GdkPixbuf *lrp_image_load_bytes (GBytes *bytes, const char *base, GError **error);

/* NULL when the image file of @type (image_type's name: "png", "jpeg", …)
 * runs to the end mark its format sets, else what shows it was cut short
 * (lrp-image-whole.c).  Formats without such a mark pass. */
const char *lrp_image_cut_short (const char *type, const guint8 *p, gsize len);

/* A tensor file's bytes (.npy by its signature, else an ONNX TensorProto). */
LrpTensor *lrp_tensor_load_bytes (GBytes *bytes, const char *base, GError **error);

/* The model's view of @pixbuf: colour conversion (gray as PIL's convert("L"),
 * alpha dropped), resize and centre crop per @meta, as an RGB pixbuf of
 * @width × @height (gray models: R = G = B).  The heatmap overlay uses it. */
GdkPixbuf *lrp_image_prepare (const LrpMetadata *meta, int channels, int height, int width,
                              GdkPixbuf *pixbuf, GError **error);

/* lrp_image_prepare() then x = (pixel / 255 − mean[c]) / std[c]: a float
 * tensor of shape [1, @channels, @height, @width]. */
LrpTensor *lrp_image_preprocess (const LrpMetadata *meta, int channels, int height, int width,
                                 GdkPixbuf *pixbuf, GError **error);

G_END_DECLS
