/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lens-document.h"
#include "lens-runner.h"

G_BEGIN_DECLS

#define LENS_TYPE_WINDOW (lens_window_get_type ())
G_DECLARE_FINAL_TYPE (LensWindow, lens_window, LENS, WINDOW, AdwApplicationWindow)

LensWindow *lens_window_new (GtkApplication *application);
void lens_window_open (LensWindow *self, const char *model_path, const char *image_path);
void lens_window_open_folder (LensWindow *self, const char *path);
void lens_window_choose_model (LensWindow *self);
void lens_window_choose_image (LensWindow *self);
void lens_window_choose_folder (LensWindow *self);
LensDocument *lens_window_get_document (LensWindow *self);
LensRunner *lens_window_get_runner (LensWindow *self);

G_END_DECLS
