/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "lrp.h"

G_BEGIN_DECLS

#define LENS_TYPE_FOLDER_STRIP (lens_folder_strip_get_type ())
G_DECLARE_FINAL_TYPE (LensFolderStrip, lens_folder_strip, LENS, FOLDER_STRIP, GtkWidget)

/* Returns: (transfer full): the first image's path, or NULL with @error. */
char *lens_folder_strip_set_folder (LensFolderStrip *self, GFile *folder, LrpModel *model,
                                    GError **error);
void lens_folder_strip_set_model (LensFolderStrip *self, LrpModel *model);
void lens_folder_strip_select (LensFolderStrip *self, const char *path);
gboolean lens_folder_strip_has (LensFolderStrip *self, const char *path);
void lens_folder_strip_step (LensFolderStrip *self, int delta);
guint lens_folder_strip_get_n_predicted (LensFolderStrip *self);

G_END_DECLS
