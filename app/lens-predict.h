/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  int top;                  /* how many classes to print */
  gboolean json;
  const char *logits_path;  /* NULL: do not write */
} LensPredictOptions;

gboolean lens_predict (const char *model_path, const char *input_path,
                       const LensPredictOptions *opts, GError **error);

G_END_DECLS
