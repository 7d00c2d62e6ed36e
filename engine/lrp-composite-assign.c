/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * From a composite to one rule per node of a model: which nodes are Conv
 * or dense layers, which is first (graph order, §3 and §10 of lrp-rules.md),
 * and the ZBox bounds a model's metadata implies.
 */
#define G_LOG_DOMAIN "lrp-composite"

#include "config.h"

#include "lrp-composite-private.h"

static gboolean
weight_is_constant (const LrpModel *model,
                    const LrpNode *node)
{
  return node->n_inputs > 1 && node->inputs[1] >= 0
         && model->values[node->inputs[1]].tensor->data != NULL;
}

gboolean
lrp_node_is_conv (const LrpModel *model,
                  const LrpNode *node)
{
  return g_str_equal (node->op_type, "Conv") && weight_is_constant (model, node);
}

gboolean
lrp_node_is_dense (const LrpModel *model,
                   const LrpNode *node)
{
  return (g_str_equal (node->op_type, "Gemm") || g_str_equal (node->op_type, "MatMul"))
         && weight_is_constant (model, node)
         && model->values[node->inputs[1]].tensor->rank == 2;
}

/* The model's pixel range through its normalisation, per channel. */
static void
box_from_model (const LrpModel *model,
                LrpRule *rule)
{
  const LrpMetadata *m = model->meta;
  int n = MAX (1, MAX (m->n_mean, m->n_std));

  rule->n_box = n;
  for (int c = 0; c < n; c++)
    {
      float mean = m->n_mean ? m->mean[MIN (c, m->n_mean - 1)] : 0.f;
      float std = m->n_std ? m->std[MIN (c, m->n_std - 1)] : 1.f;

      rule->low[c] = (m->range_low - mean) / std;
      rule->high[c] = (m->range_high - mean) / std;
    }
}

typedef struct
{
  int n_linear, n_conv;
  int first_linear, first_conv;
  int *linear_index;   /* per node: index among linear layers, or -1 */
  int *conv_index;     /* per node: index among Convs, or -1 */
} Layers;

static void
count_layers (const LrpModel *model,
              Layers *l)
{
  l->first_linear = l->first_conv = -1;
  l->linear_index = g_new (int, MAX (model->n_nodes, 1));
  l->conv_index = g_new (int, MAX (model->n_nodes, 1));
  for (int n = 0; n < model->n_nodes; n++)
    {
      const LrpNode *node = &model->nodes[n];
      gboolean conv = lrp_node_is_conv (model, node);

      l->linear_index[n] = l->conv_index[n] = -1;
      if (!conv && !lrp_node_is_dense (model, node))
        continue;
      if (l->first_linear < 0)
        l->first_linear = n;
      l->linear_index[n] = l->n_linear++;
      if (conv)
        {
          if (l->first_conv < 0)
            l->first_conv = n;
          l->conv_index[n] = l->n_conv++;
        }
    }
}

static gboolean
matches (const LrpCompositeEntry *e,
         const LrpModel *model,
         const Layers *l,
         int n)
{
  gboolean linear = l->linear_index[n] >= 0;
  gboolean conv = l->conv_index[n] >= 0;

  switch (e->match)
    {
    case LRP_MATCH_CONV: return conv;
    case LRP_MATCH_DENSE: return linear && !conv;
    case LRP_MATCH_LINEAR: return linear;
    case LRP_MATCH_FIRST: return n == l->first_linear;
    case LRP_MATCH_FIRST_CONV: return n == l->first_conv;
    case LRP_MATCH_UPPER_CONV: return conv && l->conv_index[n] >= l->n_conv - l->n_conv / 3;
    case LRP_MATCH_NAME: return g_pattern_match_simple (e->pattern, model->nodes[n].name);
    case LRP_MATCH_POSITION:
      return linear && (l->linear_index[n] == e->position
                        || l->linear_index[n] == l->n_linear + e->position);
    default: return FALSE;
    }
}

gboolean
lrp_composite_assign (const LrpComposite *composite,
                      const LrpModel *model,
                      LrpRule *rules,
                      GError **error)
{
  Layers l = { 0 };

  count_layers (model, &l);
  for (int n = 0; n < model->n_nodes; n++)
    {
      const LrpNode *node = &model->nodes[n];

      /* A linear layer no entry names keeps its gradient, as a module
       * without a hook does in Zennit. */
      rules[n] = lrp_rule_default (l.linear_index[n] >= 0 ? LRP_RULE_GRADIENT
                                   : (LrpRuleKind) node->klass->default_rule);
      for (guint i = 0; i < composite->entries->len; i++)
        {
          const LrpCompositeEntry *e = &g_array_index (composite->entries, LrpCompositeEntry, i);

          if (!matches (e, model, &l, n))
            continue;
          rules[n] = e->rule;
          if (e->box_from_model)
            box_from_model (model, &rules[n]);
        }
    }
  g_free (l.linear_index);
  g_free (l.conv_index);
  (void) error;
  return TRUE;
}
