/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lrp-graph-private.h"

G_BEGIN_DECLS

struct _LrpRun
{
  LrpModel *model;              /* owned ref */
  LrpTensor **acts;             /* owned; one per value, NULL until computed */
  guint64 **classes;            /* owned; NULL, or per value its position classes
                                 * (lrp-ties.c), from the inputs of the last forward */
  struct _LrpExact *exact;      /* owned; NULL, or values recomputed in double (lrp-exact.c) */
  int64_t **winners;            /* owned; NULL, or per node a MaxPool's winners for these
                                 * inputs (every class and rule asks for them again) */
  gboolean sampled;             /* one of a baseline's many noisy inputs, whose average
                                 * float32 rounding does not move: near-ties are left
                                 * to float32 (lrp-near-ties.c) */
  /* called after each node of a forward pass; may be NULL */
  void (*progress) (int node, gpointer data);
  gpointer progress_data;       /* borrowed */
};

/* Forward with one tensor per model input (conformance tests use several). */
gboolean lrp_run_forward_inputs (LrpRun *run, int n_inputs, LrpTensor *const *inputs,
                                 GCancellable *cancellable, GError **error);
LrpTensor *lrp_run_get_value (LrpRun *run, int value_id);
/* Forgets the position classes (lrp-ties.c), the values recomputed in
 * double (lrp-exact.c) and the MaxPool winners found for the inputs. */
void lrp_run_clear_classes (LrpRun *run);

G_END_DECLS
