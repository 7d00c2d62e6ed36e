/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean lens_bench (const char *model_path, const char *input_path, char **composites, int runs,
                     GError **error);

G_END_DECLS
