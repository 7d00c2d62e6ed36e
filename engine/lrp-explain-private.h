/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lrp-composite-private.h"
#include "lrp-linear-private.h"
#include "lrp-run-private.h"

G_BEGIN_DECLS

struct _LrpExplainer
{
  LrpModel *model;             /* owned ref */
  LrpTensor *input;            /* owned ref */
  LrpRun *run;                 /* owned: the cached forward pass */
  LrpLinear **canonized;       /* owned: linear layers for LRP (BN merged), lazily */
  LrpLinear **plain;           /* owned: linear layers for gradients (no merging), lazily */

  LrpBackwardMode mode;        /* of the relevance held now */
  LrpRule *rules;              /* owned; per node, as last applied */
  LrpTarget target;            /* as last applied; layer points to start_layer */
  char *start_layer;           /* owned */
  int start_value;             /* where relevance starts */
  LrpTensor *seed;             /* owned: the start relevance */
  int explained_class;
  gboolean *upstream;          /* owned; per node: its outputs reach the start */
  gboolean valid;              /* rel holds the result of the last call, which succeeded */
  gboolean reusable;           /* contrib of the nodes above todo hold what they send under
                                  rules for target, in LRP mode: a later call reuses them */
  int todo;                    /* highest node whose contrib is not up to date, -1: none
                                  (a cancelled pass stopped there) */
  gboolean profile;            /* LRPLENS_PROFILE: time every node on stderr */

  LrpTensor **rel;             /* owned; per value: relevance, NULL where none */
  LrpTensor ***contrib;        /* owned; per node, per input: what it sent */
  GArray **consumers;          /* owned; per value: reading node indices */

  LrpProgressFunc progress;    /* may be NULL */
  gpointer progress_data;      /* borrowed */
  double pass_base, pass_share; /* the share of the call done before this pass, and its own */
};

/* Resolves @target (class, contrast, start layer) against the forward
 * pass, builds the seed and marks the nodes relevance must cross. */
gboolean lrp_explainer_seed (LrpExplainer *e, const LrpTarget *target, GError **error);
/* Every node its gradient; @fixed_seed (may be NULL) replaces the seed the
 * target gives. */
gboolean lrp_explainer_gradient_pass (LrpExplainer *e, const LrpTarget *target,
                                      LrpTensor *fixed_seed, GCancellable *cancellable,
                                      GError **error);
/* Tensor the explanation starts from by default: the logits (the input of
 * a final Softmax) or the first output. */
int lrp_explainer_output_value (const LrpExplainer *e);

/* Progress: the pass now running is the @index-th of @count of the call. */
void lrp_explainer_set_pass (LrpExplainer *e, int index, int count);
/* Node @node of the current pass is done, @within (0..1) of the pass. */
void lrp_explainer_report (LrpExplainer *e, int node, double within);
/* Hands forward-pass progress of @run to the explainer's callback. */
void lrp_explainer_watch_run (LrpExplainer *e, LrpRun *run);

G_END_DECLS
