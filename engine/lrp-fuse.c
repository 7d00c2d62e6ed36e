/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Forward-pass fusion: a Conv whose only reader is a BatchNormalization
 * computes the BatchNorm's output directly, with the BatchNorm merged into
 * its weights (as the canonizer merges it for LRP, §4 of lrp-rules.md),
 * saving a pass over every such activation.  The Conv's own output is not
 * kept; lrp_run_get_value() computes it when somebody asks.
 */
#define G_LOG_DOMAIN "lrp-graph"

#include "config.h"

#include "lrp-composite-private.h"
#include "lrp-linear-private.h"
#include "lrp-run-private.h"

#include <string.h>

static void
fusion_clear (LrpFusion *f)
{
  g_clear_pointer (&f->weight, lrp_tensor_unref);
  g_clear_pointer (&f->bias, lrp_tensor_unref);
}

void
lrp_model_free_fusions (LrpModel *model)
{
  if (model->fusions == NULL)
    return;
  for (int n = 0; n < model->n_nodes; n++)
    fusion_clear (&model->fusions[n]);
  g_clear_pointer (&model->fusions, g_free);
}

void
lrp_model_fuse (LrpModel *model)
{
  model->fusions = g_new0 (LrpFusion, MAX (model->n_nodes, 1));
  for (int n = 0; n < model->n_nodes; n++)
    model->fusions[n].bn = model->fusions[n].conv = -1;
  for (int n = 0; n < model->n_nodes; n++)
    {
      const LrpNode *node = &model->nodes[n];
      LrpFusion *f = &model->fusions[n];
      const LrpTensor *w, *b;
      int64_t channels;

      if (!lrp_node_is_conv (model, node))
        continue;
      w = model->values[node->inputs[1]].tensor;
      b = node->n_inputs > 2 && node->inputs[2] >= 0 ? model->values[node->inputs[2]].tensor
                                                     : NULL;
      channels = w->shape[0];
      if ((b && (b->data == NULL || b->n != channels)) || node->outputs[0] < 0)
        continue;
      f->bn = lrp_batchnorm_after (model, node->outputs[0], channels);
      if (f->bn < 0)
        continue;
      f->weight = lrp_tensor_copy (w);
      f->bias = lrp_tensor_new_float (1, &channels);
      if (b)
        memcpy (f->bias->data, b->data, sizeof (float) * (size_t) channels);
      lrp_batchnorm_fold (model, f->bn, f->weight, lrp_tensor_f (f->bias));
      model->fusions[f->bn].conv = n;
    }
}

/* Runs Conv @n with the merged weights into the BatchNorm's output. */
gboolean
lrp_node_forward_fused (const LrpModel *model,
                        int n,
                        LrpTensor **acts,
                        GCancellable *cancellable,
                        GError **error)
{
  const LrpNode *conv = &model->nodes[n];
  const LrpFusion *f = &model->fusions[n];
  int bn_out = model->nodes[f->bn].outputs[0];
  LrpNode fused = *conv;
  LrpTensor *in[3] = { acts[conv->inputs[0]], f->weight, f->bias };
  LrpTensor *out;
  gboolean ok;

  /* The Conv's own forward, given the merged weights and a bias. */
  fused.n_inputs = 3;
  out = lrp_reusable_output (conv->klass, model->values[bn_out].tensor, acts[bn_out]);
  ok = conv->klass->forward (&fused, in, &out, cancellable, error);
  g_clear_pointer (&acts[bn_out], lrp_tensor_unref);
  if (ok)
    acts[bn_out] = out;
  else
    lrp_tensor_unref (out);
  g_clear_pointer (&acts[conv->outputs[0]], lrp_tensor_unref);
  return ok;
}
