/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An explanation as text: every tensor that holds relevance with its sum
 * (the conservation figure), and for every node the share of the relevance
 * it received that it did not pass down (absorbed by biases, stabilizers,
 * or ZBox/Flat, which do not conserve).
 */
#define G_LOG_DOMAIN "lrp-explain"

#include "config.h"

#include "lrp-explain-private.h"

static double
tensor_sum (const LrpTensor *t)
{
  double s = 0;

  for (int64_t i = 0; t && i < t->n; i++)
    s += lrp_tensor_f (t)[i];
  return s;
}

/* Relevance that reached @node's outputs, less what it sent to its inputs. */
static double
absorbed (const LrpExplainer *e,
          int n,
          double *received)
{
  const LrpNode *node = &e->model->nodes[n];
  double in = 0;

  *received = 0;
  for (int o = 0; o < node->n_outputs; o++)
    if (node->outputs[o] >= 0)
      *received += tensor_sum (e->rel[node->outputs[o]]);
  for (int i = 0; i < node->n_inputs; i++)
    in += tensor_sum (e->contrib[n][i]);
  return *received - in;
}

/* Returns: (transfer full) */
char *
lrp_explainer_describe (const LrpExplainer *e)
{
  GString *s = g_string_new (NULL);
  const LrpModel *m;
  int input;

  g_return_val_if_fail (e != NULL, NULL);
  m = e->model;
  input = m->inputs[0];
  if (!e->valid)
    {
      g_string_append (s, "no explanation: the last call failed or was cancelled\n");
      return g_string_free (s, FALSE);
    }
  g_string_append_printf (s, "%-4s %-40s %-14s %-10s %14s %10s\n", "#", "layer", "op", "rule",
                          "relevance in", "absorbed");
  for (int n = m->n_nodes - 1; n >= 0; n--)
    {
      const LrpNode *node = &m->nodes[n];
      double received, lost;

      if (!e->upstream || !e->upstream[n] || !e->rel[node->outputs[0]])
        continue;
      lost = absorbed (e, n, &received);
      g_string_append_printf (s, "%-4d %-40s %-14s %-10s %14.6g %9.2f%%\n", n, node->name,
                              node->op_type,
                              e->mode == LRP_BACKWARD_LRP ? lrp_rule_kind_name (e->rules[n].kind)
                                                          : "gradient",
                              received, received != 0 ? 100.0 * lost / received : 0.0);
    }
  g_string_append_printf (s, "relevance at the input “%s”: %.6g\n", m->values[input].name,
                          tensor_sum (e->rel[input]));
  if (e->seed)
    g_string_append_printf (s, "start relevance: %.6g\n", tensor_sum (e->seed));
  return g_string_free (s, FALSE);
}
