/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

typedef struct
{
  char *composite, *rules, *baseline;
  char *epsilon, *gamma, *alpha, *beta, *low, *high;  /* as typed */
  int class_index, contrast;                            /* -1: unset */
  char *start;                                          /* logit | one */
  char *layer;                                          /* --from-layer */
  int channel;
  gint64 neuron;
  int samples;
  double noise;
  char *out, *layers, *heatmap, *overlay, *colorbar;   /* .png, .pdf or .svg but out */
  char *colormap, *normalization;                       /* NULL: bwr, symmetric */
  double clip;                                          /* percentile of |R|, full colour */
  double opacity;                                       /* of the heatmap in --overlay */
  gboolean verbose;
  gboolean ascii;                                       /* heatmap in the terminal */
} LensExplainOptions;

#define LENS_EXPLAIN_OPTIONS_INIT { .class_index = -1, .contrast = -1, .channel = -1, \
                                    .neuron = -1, .samples = 32, .noise = 0.1, .clip = 99.0, \
                                    .opacity = 1.0 }

gboolean lens_explain (const char *model_path, const char *input_path,
                       const LensExplainOptions *options, GError **error);
void lens_explain_print_list (void);

G_END_DECLS
