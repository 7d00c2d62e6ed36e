/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Exact ties for the MaxPool winners: which positions of an activation
 * hold values that exact arithmetic makes equal, whatever the rounding of
 * the kernels that computed them.
 */
#pragma once

#include "lrp-graph-private.h"
#include "lrp-run-private.h"

G_BEGIN_DECLS

/* Classes of the positions of value @value_id ([N, C, spatial...]): one
 * 64-bit hash per (image, spatial position), N × prod (spatial), such that
 * two positions of one image with the same hash have identical receptive
 * fields (the same input pixels, the same padding) through the ops from
 * the model input to the value, so every channel of them is equal in exact
 * arithmetic.  Built from the graph alone (convolutions, pools,
 * element-wise ops and per-channel constants); @acts gives the model
 * inputs.  NULL when some op on the way is not one of those (then nothing
 * is known), and for values of rank below 3. */
guint64 *lrp_position_classes (const LrpModel *model, LrpTensor *const *acts, int value_id);
/* The same, borrowed from @run, which computes the classes of every value
 * once per input (a forward pass forgets them). */
const guint64 *lrp_run_position_classes (LrpRun *run, int value_id);

G_END_DECLS
