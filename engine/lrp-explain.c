/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The relevance pass: from a start relevance at the output (or at any
 * tensor) back through the graph in reverse topological order, each node
 * by its rule; relevance of a tensor read by several nodes is the sum of
 * what each sends back (§0 of lrp-rules.md).
 *
 * Incremental: what every node sent to each input is kept, so when only
 * the rules of nodes up to index h change, nodes above h are not run again
 * and each tensor's relevance is rebuilt from the kept contributions.
 */
#define G_LOG_DOMAIN "lrp-explain"

#include "config.h"

#include "lrp-explain-private.h"

#include "lrp-parallel-private.h"

#include <math.h>
#include <string.h>

static void
clear_relevance (LrpExplainer *e)
{
  const LrpModel *m = e->model;

  for (int v = 0; v < m->n_values; v++)
    g_clear_pointer (&e->rel[v], lrp_tensor_unref);
  for (int n = 0; n < m->n_nodes; n++)
    for (int i = 0; i < m->nodes[n].n_inputs; i++)
      g_clear_pointer (&e->contrib[n][i], lrp_tensor_unref);
  e->valid = FALSE;
  e->reusable = FALSE;
  e->todo = -1;
}

/* Every node between the input and the output can pass relevance: asked
 * right after loading, so a model LRP cannot explain says so at once. */
gboolean
lrp_model_check_explainable (const LrpModel *model,
                             GError **error)
{
  g_return_val_if_fail (model != NULL, FALSE);
  for (int n = 0; n < model->n_nodes; n++)
    {
      const LrpNode *node = &model->nodes[n];
      gboolean float_input = FALSE;

      for (int i = 0; i < node->n_inputs; i++)
        {
          const LrpTensor *t = node->inputs[i] >= 0 ? model->values[node->inputs[i]].tensor : NULL;

          float_input = float_input || (t && t->data == NULL && t->dtype == LRP_DTYPE_FLOAT);
        }
      if (float_input && node->klass->backward == NULL)
        {
          g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_UNEXPLAINABLE,
                       "%s: node “%s” (%s) cannot pass relevance: lrplens does not explain "
                       "this operator", model->display_name, node->name, node->op_type);
          return FALSE;
        }
    }
  return TRUE;
}

LrpExplainer *
lrp_explainer_new (LrpModel *model,
                   LrpTensor *input,
                   GCancellable *cancellable,
                   GError **error)
{
  g_autoptr(LrpExplainer) e = NULL;
  const LrpModel *m;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (input != NULL, NULL);
  if (!lrp_model_check_explainable (model, error))
    return NULL;
  m = model;
  e = g_new0 (LrpExplainer, 1);
  e->model = lrp_model_ref (model);
  e->input = lrp_tensor_ref (input);
  e->run = lrp_run_new (model);
  e->rel = g_new0 (LrpTensor *, m->n_values);
  e->contrib = g_new0 (LrpTensor **, MAX (m->n_nodes, 1));
  e->rules = g_new0 (LrpRule, MAX (m->n_nodes, 1));
  e->consumers = g_new0 (GArray *, m->n_values);
  e->explained_class = -1;
  e->profile = g_getenv ("LRPLENS_PROFILE") != NULL;
  for (int n = 0; n < m->n_nodes; n++)
    {
      e->contrib[n] = g_new0 (LrpTensor *, MAX (m->nodes[n].n_inputs, 1));
      for (int i = 0; i < m->nodes[n].n_inputs; i++)
        {
          int v = m->nodes[n].inputs[i];

          if (v < 0)
            continue;
          if (e->consumers[v] == NULL)
            e->consumers[v] = g_array_new (FALSE, FALSE, sizeof (int));
          /* A node reading the tensor twice (Add(a, a)) is one consumer. */
          if (e->consumers[v]->len == 0
              || g_array_index (e->consumers[v], int, e->consumers[v]->len - 1) != n)
            g_array_append_val (e->consumers[v], n);
        }
    }
  if (!lrp_run_forward (e->run, input, cancellable, error))
    return NULL;
  return g_steal_pointer (&e);
}

void
lrp_explainer_free (LrpExplainer *e)
{
  if (e == NULL)
    return;
  clear_relevance (e);
  for (int n = 0; n < e->model->n_nodes; n++)
    g_free (e->contrib[n]);
  for (int v = 0; v < e->model->n_values; v++)
    if (e->consumers[v])
      g_array_unref (e->consumers[v]);
  lrp_canonized_free (e->model, e->canonized);
  lrp_canonized_free (e->model, e->plain);
  g_clear_pointer (&e->seed, lrp_tensor_unref);
  g_free (e->consumers);
  g_free (e->contrib);
  g_free (e->rel);
  g_free (e->rules);
  g_free (e->start_layer);
  g_free (e->upstream);
  lrp_run_free (e->run);
  lrp_tensor_unref (e->input);
  lrp_model_unref (e->model);
  g_free (e);
}

/* ---- one node --------------------------------------------------------------- */

static gboolean
node_has_relevance (const LrpExplainer *e,
                    const LrpNode *node)
{
  for (int o = 0; o < node->n_outputs; o++)
    if (node->outputs[o] >= 0 && e->rel[node->outputs[o]] != NULL)
      return TRUE;
  return FALSE;
}

/* Inputs that take relevance: float tensors computed from the model input. */
static gboolean
wants_relevance (const LrpExplainer *e,
                 int value)
{
  const LrpValue *v = &e->model->values[value];

  return v->tensor->data == NULL && v->tensor->dtype == LRP_DTYPE_FLOAT;
}

/* *total += part.  A tensor with one reader shares its contribution's
 * buffer rather than copying it; the sum is copied before it changes. */
static void
add_into (LrpTensor **total,
          LrpTensor *part)
{
  if (*total == NULL)
    {
      *total = lrp_tensor_ref (part);
      return;
    }
  if (g_atomic_int_get (&(*total)->ref_count) > 1)
    {
      LrpTensor *own = lrp_tensor_copy (*total);

      lrp_tensor_unref (*total);
      *total = own;
    }
  for (int64_t i = 0; i < part->n; i++)
    lrp_tensor_f (*total)[i] += lrp_tensor_f (part)[i];
}

/* The activation node @n reads as @v.  A Conv output the fused forward pass
 * did not keep is only computed when the reader needs its values: a
 * BatchNorm passing relevance through (or taking its gradient) needs just
 * the shape. */
static LrpTensor *
input_activation (LrpExplainer *e,
                  int n,
                  int v)
{
  LrpRuleKind k = e->rules[n].kind;

  if (e->run->acts[v] == NULL && e->model->fusions[n].conv >= 0
      && (e->mode == LRP_BACKWARD_GRADIENT || k == LRP_RULE_PASS || k == LRP_RULE_GRADIENT))
    return e->model->values[v].tensor;
  return lrp_run_get_value (e->run, v);
}

static gboolean
run_node (LrpExplainer *e,
          int n,
          GCancellable *cancellable,
          GError **error)
{
  const LrpModel *m = e->model;
  const LrpNode *node = &m->nodes[n];
  LrpTensor *in[LRP_MAX_NODE_IO] = { NULL }, *out[LRP_MAX_NODE_IO] = { NULL };
  LrpTensor *r_out[LRP_MAX_NODE_IO] = { NULL }, *r_in[LRP_MAX_NODE_IO] = { NULL };
  LrpBackwardCtx ctx = { 0 };
  gint64 start;
  gboolean ok;

  if (!node_has_relevance (e, node))
    return TRUE;
  ctx.mode = e->mode;
  ctx.rule = e->rules[n];
  ctx.linear = e->mode == LRP_BACKWARD_LRP ? (e->canonized ? e->canonized[n] : NULL)
                                           : (e->plain ? e->plain[n] : NULL);
  ctx.acts = (LrpTensor *const *) e->run->acts;
  ctx.run = e->run;
  ctx.cancellable = cancellable;
  for (int i = 0; i < node->n_inputs; i++)
    {
      int v = node->inputs[i];

      in[i] = v >= 0 ? input_activation (e, n, v) : NULL;
      if (v >= 0 && in[i] == NULL)
        {
          g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_FAILED,
                       "%s: the activation “%s” could not be computed", m->display_name,
                       m->values[v].name);
          for (int k = 0; k < i; k++)
            g_clear_pointer (&r_in[k], lrp_tensor_unref);
          return FALSE;
        }
      if (v >= 0 && wants_relevance (e, v))
        r_in[i] = lrp_tensor_new_like (m->values[v].tensor);
    }
  for (int o = 0; o < node->n_outputs; o++)
    if (node->outputs[o] >= 0)
      {
        out[o] = e->run->acts[node->outputs[o]];
        r_out[o] = e->rel[node->outputs[o]];
      }

  start = e->profile ? g_get_monotonic_time () : 0;
  ok = node->klass->backward (node, &ctx, in, out, r_out, r_in, error);
  if (e->profile)
    g_printerr ("backward %-40s %-20s %-10s %8.2f ms\n", node->name, node->op_type,
                lrp_rule_kind_name (ctx.rule.kind),
                (double) (g_get_monotonic_time () - start) / 1000.0);
  for (int i = 0; i < node->n_inputs; i++)
    {
      if (r_in[i] == NULL)
        continue;
      if (ok)
        {
          g_clear_pointer (&e->contrib[n][i], lrp_tensor_unref);
          e->contrib[n][i] = r_in[i];
          add_into (&e->rel[node->inputs[i]], r_in[i]);
        }
      else
        lrp_tensor_unref (r_in[i]);
    }
  if (!ok)
    g_prefix_error (error, "%s: ", m->display_name);
  return ok;
}

/* Runs nodes hi..0, first rebuilding the relevance of every tensor they
 * read from the seed and the kept contributions of nodes above hi (added in
 * the order a full pass adds them, so the sums are the same to the bit).
 * Stopped at node n (cancelled, or an error), it keeps what nodes above n
 * sent: e->todo = n, and the next call starts there at the latest. */
static gboolean
backward_from (LrpExplainer *e,
               int hi,
               GCancellable *cancellable,
               GError **error)
{
  const LrpModel *m = e->model;
  gboolean serial;

  for (int v = 0; v < m->n_values; v++)
    {
      GArray *c = e->consumers[v];
      gboolean below = FALSE;

      for (guint k = 0; c && k < c->len; k++)
        below = below || g_array_index (c, int, k) <= hi;
      if (!below)
        continue;
      g_clear_pointer (&e->rel[v], lrp_tensor_unref);
      if (v == e->start_value)
        e->rel[v] = lrp_tensor_copy (e->seed);
      for (guint k = c->len; k-- > 0;)
        {
          int n = g_array_index (c, int, k);

          if (n <= hi)
            continue;
          for (int i = 0; i < m->nodes[n].n_inputs; i++)
            if (m->nodes[n].inputs[i] == v && e->contrib[n][i])
              add_into (&e->rel[v], e->contrib[n][i]);
        }
    }
  serial = lrp_parallel_serial_begin (lrp_model_is_small (m));
  for (int n = hi; n >= 0; n--)
    {
      for (int i = 0; i < m->nodes[n].n_inputs; i++)
        g_clear_pointer (&e->contrib[n][i], lrp_tensor_unref);
      if (g_cancellable_set_error_if_cancelled (cancellable, error)
          || !run_node (e, n, cancellable, error))
        {
          lrp_parallel_serial_end (serial);
          e->todo = n;
          return FALSE;
        }
      lrp_explainer_report (e, n, (double) (hi - n + 1) / (hi + 1));
    }
  lrp_parallel_serial_end (serial);
  e->todo = -1;
  return TRUE;
}

/* ---- checks ------------------------------------------------------------------- */

/* Every node that relevance must cross can pass it, under its rule. */
static gboolean
check_explainable (LrpExplainer *e,
                   GError **error)
{
  const LrpModel *m = e->model;

  for (int n = 0; n < m->n_nodes; n++)
    {
      const LrpNode *node = &m->nodes[n];
      gboolean linear = e->canonized && e->canonized[n];
      LrpRuleKind k = e->rules[n].kind;

      if (!e->upstream[n])
        continue;
      if (node->klass->backward == NULL)
        {
          g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_UNEXPLAINABLE,
                       "%s: node “%s” (%s) cannot pass relevance: lrplens does not explain "
                       "this operator", m->display_name, node->name, node->op_type);
          return FALSE;
        }
      if (e->mode == LRP_BACKWARD_LRP && !linear && k != LRP_RULE_PASS
          && k != LRP_RULE_GRADIENT && k != LRP_RULE_NORM)
        {
          g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES,
                       "%s: rule %s cannot apply to node “%s” (%s), which is not a Conv or "
                       "dense layer", m->display_name, lrp_rule_kind_name (k), node->name,
                       node->op_type);
          return FALSE;
        }
    }
  return TRUE;
}

/* Marks the nodes whose outputs reach @value. */
static void
mark_upstream (LrpExplainer *e,
               int value)
{
  const LrpModel *m = e->model;
  g_autofree gboolean *reach = g_new0 (gboolean, m->n_values);

  g_free (e->upstream);
  e->upstream = g_new0 (gboolean, MAX (m->n_nodes, 1));
  reach[value] = TRUE;
  for (int n = m->n_nodes - 1; n >= 0; n--)
    {
      const LrpNode *node = &m->nodes[n];

      for (int o = 0; o < node->n_outputs && !e->upstream[n]; o++)
        e->upstream[n] = node->outputs[o] >= 0 && reach[node->outputs[o]];
      for (int i = 0; e->upstream[n] && i < node->n_inputs; i++)
        if (node->inputs[i] >= 0)
          reach[node->inputs[i]] = TRUE;
    }
}

/* ---- the start ----------------------------------------------------------------- */

int
lrp_explainer_output_value (const LrpExplainer *e)
{
  const LrpModel *m = e->model;
  int out = m->outputs[0];
  int producer = m->values[out].producer;

  /* Explain the logits, not the probabilities (§10). */
  if (producer >= 0 && g_str_equal (m->nodes[producer].op_type, "Softmax"))
    return m->nodes[producer].inputs[0];
  return out;
}

static gboolean
check_class (const LrpExplainer *e,
             int c,
             int n_classes,
             const char *what,
             GError **error)
{
  if (c >= 0 && c < n_classes)
    return TRUE;
  g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_TARGET,
               "%s: %s %d is out of range: the model has %d classes (0–%d)",
               e->model->display_name, what, c, n_classes, n_classes - 1);
  return FALSE;
}

static int
argmax (const LrpTensor *y)
{
  int best = 0;

  for (int64_t i = 1; i < y->n; i++)
    if (lrp_tensor_f (y)[i] > lrp_tensor_f (y)[best])
      best = (int) i;
  return best;
}

static LrpTensor *
seed_output (LrpExplainer *e,
             const LrpTarget *t,
             const LrpTensor *y,
             GError **error)
{
  int n_classes = (int) (y->n / MAX (y->shape[0], 1));
  int c = t->class_index < 0 ? argmax (y) : t->class_index;
  LrpTensor *seed;

  if (y->shape[0] != 1)
    {
      g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_TARGET,
                   "%s: explanations take one input at a time (batch 1)", e->model->display_name);
      return NULL;
    }
  if (!check_class (e, c, n_classes, "class", error)
      || (t->contrast_class >= 0 && !check_class (e, t->contrast_class, n_classes,
                                                  "contrast class", error)))
    return NULL;
  if (t->contrast_class == c)
    {
      g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_TARGET,
                   "%s: the contrast class must differ from the explained class",
                   e->model->display_name);
      return NULL;
    }
  seed = lrp_tensor_new_like (y);
  lrp_tensor_f (seed)[c] = t->start == LRP_START_ONE ? 1.f : lrp_tensor_f (y)[c];
  if (t->contrast_class >= 0)
    lrp_tensor_f (seed)[t->contrast_class] =
      -(t->start == LRP_START_ONE ? 1.f : lrp_tensor_f (y)[t->contrast_class]);
  e->explained_class = c;
  return seed;
}

/* Relevance of one channel or neuron of an intermediate tensor. */
static LrpTensor *
seed_layer (LrpExplainer *e,
            const LrpTarget *t,
            int v,
            GError **error)
{
  const LrpTensor *y = lrp_run_get_value (e->run, v);
  int64_t channels, inner;
  LrpTensor *seed;

  if (y == NULL || y->n == 0)
    {
      g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_TARGET,
                   "%s: tensor “%s” is empty", e->model->display_name, t->layer);
      return NULL;
    }
  channels = y->rank >= 2 ? y->shape[1] : 1;
  inner = y->rank >= 2 ? y->n / (y->shape[0] * MAX (channels, 1)) : 1;

  if ((t->channel >= 0 && (y->rank < 2 || t->channel >= channels))
      || (t->neuron >= 0 && t->neuron >= y->n))
    {
      g_autofree char *shape = lrp_shape_to_string (y->rank, y->shape);

      g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_TARGET,
                   "%s: tensor “%s” has shape %s: channel %d or neuron %" G_GINT64_FORMAT
                   " is out of range", e->model->display_name, t->layer, shape, t->channel,
                   t->neuron);
      return NULL;
    }
  seed = lrp_tensor_new_like (y);
  for (int64_t i = 0; i < y->n; i++)
    {
      gboolean on = (t->channel < 0 || (i / inner) % channels == t->channel)
                    && (t->neuron < 0 || i == t->neuron);

      if (on)
        lrp_tensor_f (seed)[i] = t->start == LRP_START_ONE ? 1.f : lrp_tensor_f (y)[i];
    }
  e->explained_class = -1;
  return seed;
}

gboolean
lrp_explainer_seed (LrpExplainer *e,
                    const LrpTarget *t,
                    GError **error)
{
  const LrpModel *m = e->model;
  int v = t->layer ? lrp_model_find_value (m, t->layer) : lrp_explainer_output_value (e);
  LrpTensor *seed;

  if (v < 0 || m->values[v].tensor->data != NULL || m->values[v].tensor->dtype != LRP_DTYPE_FLOAT)
    {
      g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_TARGET,
                   "%s: no activation tensor is named “%s” (“lrplens info” lists the layers)",
                   m->display_name, t->layer);
      return FALSE;
    }
  seed = t->layer ? seed_layer (e, t, v, error)
                  : seed_output (e, t, lrp_run_get_value (e->run, v), error);
  if (seed == NULL)
    return FALSE;
  g_clear_pointer (&e->seed, lrp_tensor_unref);
  e->seed = seed;
  e->start_value = v;
  g_clear_pointer (&e->rel[v], lrp_tensor_unref);
  e->rel[v] = lrp_tensor_copy (seed);
  mark_upstream (e, v);
  return TRUE;
}

/* ---- front door ----------------------------------------------------------------- */

static gboolean
same_target (const LrpExplainer *e,
             const LrpTarget *t)
{
  return e->target.class_index == t->class_index
         && e->target.contrast_class == t->contrast_class && e->target.start == t->start
         && g_strcmp0 (e->start_layer, t->layer) == 0 && e->target.channel == t->channel
         && e->target.neuron == t->neuron;
}

static void
remember_target (LrpExplainer *e,
                 const LrpTarget *t)
{
  e->target = *t;
  g_free (e->start_layer);
  e->start_layer = g_strdup (t->layer);
  e->target.layer = e->start_layer;
}

/* A BatchNorm merged into the layer before it is the identity there (§4):
 * it passes relevance through whatever rule a map gave it. */
static void
force_merged_pass (LrpExplainer *e,
                   LrpRule *rules)
{
  const LrpModel *m = e->model;

  for (int n = 0; n < m->n_nodes; n++)
    {
      const LrpLinear *l = e->canonized[n];
      int producer;

      if (l == NULL || l->out_value == m->nodes[n].outputs[0])
        continue;
      producer = m->values[l->out_value].producer;
      if (producer >= 0 && g_str_equal (m->nodes[producer].op_type, "BatchNormalization"))
        rules[producer] = lrp_rule_default (LRP_RULE_PASS);
    }
}

gboolean
lrp_explainer_explain (LrpExplainer *e,
                       const LrpComposite *composite,
                       const LrpTarget *target,
                       GCancellable *cancellable,
                       GError **error)
{
  const LrpModel *m;
  g_autofree LrpRule *rules = NULL;
  int hi;

  g_return_val_if_fail (e != NULL && composite != NULL && target != NULL, FALSE);
  m = e->model;
  /* Until this call succeeds, no relevance is to be read. */
  e->valid = FALSE;
  lrp_explainer_set_pass (e, 0, 1);
  rules = g_new0 (LrpRule, MAX (m->n_nodes, 1));
  if (!lrp_composite_assign (composite, m, rules, error))
    return FALSE;
  if (e->canonized == NULL && (e->canonized = lrp_canonize (m, TRUE, error)) == NULL)
    return FALSE;
  force_merged_pass (e, rules);

  /* Same start, same mode: redo only the nodes below the highest changed
   * rule, and those a cancelled pass did not reach. */
  hi = m->n_nodes - 1;
  if (e->reusable && e->mode == LRP_BACKWARD_LRP && same_target (e, target))
    {
      while (hi >= 0 && memcmp (&rules[hi], &e->rules[hi], sizeof (LrpRule)) == 0)
        hi--;
      hi = MAX (hi, e->todo);
      if (hi < 0)
        {
          e->valid = TRUE;
          return TRUE;
        }
    }
  else
    {
      clear_relevance (e);
      if (!lrp_explainer_seed (e, target, error))
        return FALSE;
    }
  e->mode = LRP_BACKWARD_LRP;
  memcpy (e->rules, rules, sizeof (LrpRule) * (size_t) m->n_nodes);
  if (!check_explainable (e, error))
    {
      clear_relevance (e);
      return FALSE;
    }
  remember_target (e, target);
  e->reusable = TRUE;
  if (!backward_from (e, hi, cancellable, error))
    return FALSE;
  e->valid = TRUE;
  return TRUE;
}

/* A plain gradient pass (every node its gradient) from the current seed. */
gboolean
lrp_explainer_gradient_pass (LrpExplainer *e,
                             const LrpTarget *target,
                             LrpTensor *fixed_seed,
                             GCancellable *cancellable,
                             GError **error)
{
  const LrpModel *m = e->model;

  if (e->plain == NULL && (e->plain = lrp_canonize (m, FALSE, error)) == NULL)
    return FALSE;
  clear_relevance (e);
  if (fixed_seed)
    {
      /* Another input through the same start (baselines' samples): the
       * target was resolved on the real input, keep it. */
      g_clear_pointer (&e->seed, lrp_tensor_unref);
      e->seed = lrp_tensor_copy (fixed_seed);
      e->rel[e->start_value] = lrp_tensor_copy (fixed_seed);
    }
  else if (!lrp_explainer_seed (e, target, error))
    return FALSE;
  e->mode = LRP_BACKWARD_GRADIENT;
  for (int n = 0; n < m->n_nodes; n++)
    e->rules[n] = lrp_rule_default (LRP_RULE_GRADIENT);
  /* The rules above are not a composite's: never reuse them incrementally
   * (clear_relevance said so). */
  if (!check_explainable (e, error) || !backward_from (e, m->n_nodes - 1, cancellable, error))
    return FALSE;
  remember_target (e, target);
  return TRUE;
}

int
lrp_explainer_get_class (const LrpExplainer *e)
{
  g_return_val_if_fail (e != NULL, -1);
  return e->explained_class;
}

/* Returns: (transfer none): relevance of @tensor (NULL: the model input),
 * or NULL when none reached it, there is no such tensor, or the last
 * explain or baseline call failed (or was cancelled). */
LrpTensor *
lrp_explainer_get_relevance (const LrpExplainer *e,
                             const char *tensor)
{
  int v;

  g_return_val_if_fail (e != NULL, NULL);
  if (!e->valid)
    return NULL;
  if (tensor == NULL)
    v = e->model->inputs[0];
  else if ((v = lrp_model_find_value (e->model, tensor)) < 0)
    return NULL;
  return e->rel[v];
}

/* Returns: (transfer full): names of the tensors that hold relevance, in
 * graph order (the input first). */
GStrv
lrp_explainer_list_tensors (const LrpExplainer *e)
{
  GPtrArray *names = g_ptr_array_new ();

  g_return_val_if_fail (e != NULL, NULL);
  for (int v = 0; e->valid && v < e->model->n_values; v++)
    if (e->rel[v])
      g_ptr_array_add (names, g_strdup (e->model->values[v].name));
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (names, FALSE);
}

/* Returns: (transfer none): the scores explanations start from: the logits
 * (the input of a final Softmax), or the first output. */
LrpTensor *
lrp_explainer_get_logits (const LrpExplainer *e)
{
  g_return_val_if_fail (e != NULL, NULL);
  return lrp_run_get_value (e->run, lrp_explainer_output_value (e));
}

/* ---- progress ------------------------------------------------------------------------ */

void
lrp_explainer_set_progress (LrpExplainer *e,
                            LrpProgressFunc func,
                            gpointer user_data)
{
  g_return_if_fail (e != NULL);
  e->progress = func;
  e->progress_data = user_data;
}

void
lrp_explainer_set_pass (LrpExplainer *e,
                        int index,
                        int count)
{
  e->pass_base = (double) index / count;
  e->pass_share = 1.0 / count;
}

void
lrp_explainer_report (LrpExplainer *e,
                      int node,
                      double within)
{
  if (e->progress)
    e->progress (node, e->model->nodes[node].name,
                 MIN (1.0, e->pass_base + e->pass_share * within), e->progress_data);
}

static void
forward_progress_cb (int node,
                     gpointer data)
{
  LrpExplainer *e = data;

  lrp_explainer_report (e, node, (double) (node + 1) / e->model->n_nodes);
}

void
lrp_explainer_watch_run (LrpExplainer *e,
                         LrpRun *run)
{
  run->progress = forward_progress_cb;
  run->progress_data = e;
}
