/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "lens-result.h"

G_BEGIN_DECLS

#define LENS_TYPE_COLORBAR (lens_colorbar_get_type ())
G_DECLARE_FINAL_TYPE (LensColorbar, lens_colorbar, LENS, COLORBAR, GtkWidget)

void lens_colorbar_set_result (LensColorbar *self, LensResult *result);

G_END_DECLS
