/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lens-document.h"
#include "lens-result.h"

G_BEGIN_DECLS

#define LENS_TYPE_RUNNER (lens_runner_get_type ())
G_DECLARE_FINAL_TYPE (LensRunner, lens_runner, LENS, RUNNER, GObject)

LensRunner *lens_runner_new (LensDocument *document);
LensResult *lens_runner_get_result (LensRunner *self);
gboolean lens_runner_get_busy (LensRunner *self);
void lens_runner_cancel (LensRunner *self);
guint lens_runner_get_n_runs (LensRunner *self);

G_END_DECLS
