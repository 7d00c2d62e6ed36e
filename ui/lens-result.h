/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <glib-object.h>

#include "lrp.h"

G_BEGIN_DECLS

#define LENS_TYPE_RESULT (lens_result_get_type ())

/* One finished explanation, immutable: what the views draw.  It carries
 * the settings it was computed for, so nobody shows it for others. */
typedef struct
{
  guint generation;            /* the document generation it answers */
  guint source_serial;         /* the model and input it was computed on */
  LrpModel *model;             /* owned ref: the model explained (labels, layers) */
  double milliseconds;         /* how long the job took */

  LrpTensor *relevance;        /* owned ref: the input relevance (the engine copies on write) */
  LrpHeatmap *heatmap;         /* owned: its channel sum, ready to colour */
  cairo_surface_t *image;      /* owned: the image as the model saw it, or NULL */

  int class_index;             /* the class explained (resolved, never -1) */
  int contrast;                /* -1: none */
  LrpStart start;
  int n_classes;
  double *probabilities;       /* owned: softmax of the logits */
  int *ranking;                /* owned: class indices, most probable first */

  GPtrArray *layers;           /* owned; LrpLayer, graph order, with the rule each got */
  double *layer_sums;          /* owned; per layer: ΣR at its output, NAN where none */
  double start_sum;            /* ΣR where the explanation started */
} LensResult;

GType lens_result_get_type (void) G_GNUC_CONST;
LensResult *lens_result_new (void);
LensResult *lens_result_ref (LensResult *result);
void lens_result_unref (LensResult *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LensResult, lens_result_unref)

G_END_DECLS
