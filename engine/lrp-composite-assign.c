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

/* ---- what the GUI's layer list shows --------------------------------------------- */

void
lrp_layer_free (LrpLayer *layer)
{
  if (layer == NULL)
    return;
  g_free (layer->name);
  g_free (layer->op_type);
  g_free (layer->input);
  g_free (layer->output);
  g_free (layer->rule);
  g_free (layer->rule_text);
  g_free (layer);
}

static const char *
value_name (const LrpModel *model,
            int n_values,
            const int *values)
{
  return n_values > 0 && values[0] >= 0 ? model->values[values[0]].name : "";
}

static LrpLayer *
layer_new (const LrpModel *model,
           int n,
           int linear_index,
           const LrpRule *rule,
           const LrpRule *preset_rule)
{
  const LrpNode *node = &model->nodes[n];
  LrpLayer *layer = g_new0 (LrpLayer, 1);
  const LrpTensor *out = node->n_outputs > 0 && node->outputs[0] >= 0
                         ? model->values[node->outputs[0]].tensor : NULL;

  layer->name = g_strdup (node->name);
  layer->op_type = g_strdup (node->op_type);
  layer->input = g_strdup (value_name (model, node->n_inputs, node->inputs));
  layer->output = g_strdup (value_name (model, node->n_outputs, node->outputs));
  layer->rank = out ? MIN (out->rank, LRP_LAYER_MAX_RANK) : 0;
  for (int d = 0; d < layer->rank; d++)
    layer->shape[d] = out->shape[d];
  layer->linear_index = linear_index;
  layer->rule = g_strdup (lrp_rule_kind_name (rule->kind));
  layer->rule_text = _lrp_rule_to_text (rule, FALSE);
  layer->epsilon = rule->epsilon;
  layer->gamma = rule->gamma;
  layer->alpha = rule->alpha;
  layer->beta = rule->beta;
  layer->stabilizer = rule->stabilizer;
  layer->n_box = MIN (rule->n_box, LRP_LAYER_MAX_BOX);
  for (int c = 0; c < layer->n_box; c++)
    {
      layer->low[c] = rule->low[c];
      layer->high[c] = rule->high[c];
    }
  layer->zero_bias = rule->zero_bias;
  layer->overridden = !_lrp_rule_equal (rule, preset_rule);
  return layer;
}

/* Returns: (element-type LrpLayer) (transfer full): every node of @model in
 * graph order with the rule @composite gives it, and whether that differs
 * from the rule its built-in preset gives. */
GPtrArray *
lrp_composite_list_layers (const LrpComposite *composite,
                           const LrpModel *model,
                           GError **error)
{
  g_autoptr(LrpComposite) preset = NULL;
  g_autofree LrpRule *rules = NULL, *preset_rules = NULL;
  GPtrArray *layers;
  Layers l = { 0 };

  g_return_val_if_fail (composite != NULL && model != NULL, NULL);
  rules = g_new0 (LrpRule, MAX (model->n_nodes, 1));
  preset_rules = g_new0 (LrpRule, MAX (model->n_nodes, 1));
  /* The preset as built in: parameters changed with lrp_composite_set_param
   * count as overrides too. */
  preset = _lrp_composite_new (composite->name);
  _lrp_composite_add_builtin (preset, composite->name);
  if (!lrp_composite_assign (composite, model, rules, error)
      || !lrp_composite_assign (preset, model, preset_rules, error))
    return NULL;
  count_layers (model, &l);
  layers = g_ptr_array_new_full ((guint) model->n_nodes, (GDestroyNotify) lrp_layer_free);
  for (int n = 0; n < model->n_nodes; n++)
    g_ptr_array_add (layers, layer_new (model, n, l.linear_index[n], &rules[n], &preset_rules[n]));
  g_free (l.linear_index);
  g_free (l.conv_index);
  return layers;
}

/* Every name and position entry selects a layer of @model. */
gboolean
lrp_composite_check_model (const LrpComposite *composite,
                           const LrpModel *model,
                           GError **error)
{
  guint n_preset, number;
  gboolean ok = TRUE;
  Layers l = { 0 };

  g_return_val_if_fail (composite != NULL && model != NULL, FALSE);
  n_preset = _lrp_composite_preset_length (composite);
  count_layers (model, &l);
  for (guint i = n_preset; ok && i < composite->entries->len; i++)
    {
      const LrpCompositeEntry *e = &g_array_index (composite->entries, LrpCompositeEntry, i);
      gboolean any = FALSE;
      g_autofree char *text = NULL;

      if (e->match != LRP_MATCH_NAME && e->match != LRP_MATCH_POSITION)
        continue;
      for (int n = 0; n < model->n_nodes && !any; n++)
        any = matches (e, model, &l, n);
      if (any)
        continue;
      ok = FALSE;
      /* Numbered as in the compact form, where the preset's name is entry 1. */
      number = i - n_preset + 1 + (n_preset > 0);
      text = _lrp_composite_entry_to_text (e);
      if (e->match == LRP_MATCH_NAME)
        g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES,
                     "rule map entry %u (“%s”): %s has no node named “%s” (nor matching it)",
                     number, text, model->display_name, e->pattern);
      else
        g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES,
                     "rule map entry %u (“%s”): %s has %d Conv/dense layers (#0 to #%d, or "
                     "#-%d to #-1)", number, text, model->display_name, l.n_linear,
                     l.n_linear - 1, l.n_linear);
    }
  g_free (l.linear_index);
  g_free (l.conv_index);
  return ok;
}
