/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "lens-result.h"

G_BEGIN_DECLS

#define LENS_TYPE_PREDICTION_LIST (lens_prediction_list_get_type ())
G_DECLARE_FINAL_TYPE (LensPredictionList, lens_prediction_list, LENS, PREDICTION_LIST, GtkWidget)

void lens_prediction_list_set_result (LensPredictionList *self, LensResult *result);

G_END_DECLS
