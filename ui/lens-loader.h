/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <gio/gio.h>

#include "lrp.h"

G_BEGIN_DECLS

/* A model and an input, ready for a LensDocument. */
typedef struct
{
  LrpModel *model;             /* owned ref */
  char *model_path;            /* owned */
  LrpTensor *input;            /* owned ref */
  cairo_surface_t *view;       /* owned, NULL for tensor inputs */
  char *image_path;            /* owned */
} LensLoaded;

void lens_loaded_free (LensLoaded *loaded);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LensLoaded, lens_loaded_free)

/* Loads @model_path unless @model is given (then reused), checks it can be
 * explained, and reads @image_path as its input, in a worker thread. */
void lens_load_async (LrpModel *model, const char *model_path, const char *image_path,
                      GCancellable *cancellable, GAsyncReadyCallback callback,
                      gpointer user_data);
LensLoaded *lens_load_finish (GAsyncResult *result, GError **error);

G_END_DECLS
