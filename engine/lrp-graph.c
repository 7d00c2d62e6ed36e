/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * From parsed ONNX pieces to an LrpModel: every operator and attribute is
 * checked first (so an unsupported one is reported before anything else),
 * then nodes are sorted, shapes inferred and constant subgraphs folded.
 */
#define G_LOG_DOMAIN "lrp-graph"

#include "config.h"

#include "lrp-graph-private.h"

#include <string.h>

/* Activations of all non-constant tensors together; beyond this a model is
 * refused at load rather than half-run. */
#define LRP_MAX_ACTIVATION_BYTES ((int64_t) 6 << 30)

typedef struct
{
  LrpModel *model;
  GHashTable *by_name;        /* name → value id + 1 */
  GArray *nodes;              /* LrpNode, kept (not folded) */
  int64_t fold_budget;        /* bytes that folded constants may take */
  int64_t folded_bytes;
} Builder;

static int
add_value (Builder *b,
           const char *name,
           LrpTensor *tensor,
           gboolean is_input)
{
  LrpModel *m = b->model;
  int id = m->n_values++;

  m->values = g_renew (LrpValue, m->values, m->n_values);
  m->values[id].name = g_strdup (name);
  m->values[id].tensor = tensor;
  m->values[id].producer = -1;
  m->values[id].is_input = is_input;
  g_hash_table_insert (b->by_name, m->values[id].name, GINT_TO_POINTER (id + 1));
  return id;
}

static int
lookup (Builder *b,
        const char *name)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (b->by_name, name)) - 1;
}

static void
node_clear (LrpNode *node)
{
  g_free (node->name);
  g_free (node->op_type);
  g_free (node->inputs);
  g_free (node->outputs);
  if (node->free_params)
    g_clear_pointer (&node->params, node->free_params);
}

/* Pass 1: every op and attribute known, counts in range. */
static gboolean
check_supported (const char *display_name,
                 GPtrArray *nodes,
                 GError **error)
{
  for (guint i = 0; i < nodes->len; i++)
    {
      LrpGraphNode *gn = g_ptr_array_index (nodes, i);
      const LrpOpClass *k = lrp_op_lookup (gn->op_type);
      gboolean default_domain = gn->domain == NULL || gn->domain[0] == '\0'
                                || g_str_equal (gn->domain, "ai.onnx");

      if (k == NULL || !default_domain)
        {
          g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_UNSUPPORTED,
                       "%s: node “%s” uses operator %s%s%s, which lrplens does not support",
                       display_name, gn->name, default_domain ? "" : gn->domain,
                       default_domain ? "" : ".", gn->op_type);
          return FALSE;
        }
      for (int a = 0; a < gn->attrs.n_attrs; a++)
        {
          const char *attr = gn->attrs.attrs[a].name;

          if (k->attrs == NULL || !g_strv_contains ((const char *const *) k->attrs, attr))
            {
              g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_UNSUPPORTED,
                           "%s: node “%s” (%s) has attribute “%s”, which lrplens does not support",
                           display_name, gn->name, gn->op_type, attr);
              return FALSE;
            }
        }
      if (gn->n_inputs < k->min_inputs || gn->n_inputs > k->max_inputs
          || gn->n_outputs < k->min_outputs || gn->n_outputs > k->max_outputs)
        {
          g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_FAILED,
                       "%s: node “%s” (%s) has %d inputs and %d outputs, expected %d–%d and %d–%d",
                       display_name, gn->name, gn->op_type, gn->n_inputs, gn->n_outputs,
                       k->min_inputs, k->max_inputs, k->min_outputs, k->max_outputs);
          return FALSE;
        }
      /* Only later outputs are optional ("" = not wanted): the rest of the
       * engine reads a node's result as its first output. */
      if (gn->n_outputs > 0 && gn->outputs[0][0] == '\0')
        {
          g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_FAILED,
                       "%s: node “%s” (%s) leaves its first output unnamed", display_name,
                       gn->name, gn->op_type);
          return FALSE;
        }
    }
  return TRUE;
}

/* Kahn's algorithm over tensor names: files are supposed to be sorted, but
 * a hostile one may not be, or may contain a cycle. */
static gboolean
sort_nodes (Builder *b,
            GPtrArray *nodes,
            GPtrArray *sorted,
            GError **error)
{
  g_autoptr(GHashTable) available = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree gboolean *done = g_new0 (gboolean, nodes->len);
  gboolean progress = TRUE;

  for (int v = 0; v < b->model->n_values; v++)
    g_hash_table_add (available, b->model->values[v].name);

  while (progress && sorted->len < nodes->len)
    {
      progress = FALSE;
      for (guint i = 0; i < nodes->len; i++)
        {
          LrpGraphNode *gn = g_ptr_array_index (nodes, i);
          gboolean ready = TRUE;

          if (done[i])
            continue;
          for (int j = 0; j < gn->n_inputs && ready; j++)
            ready = gn->inputs[j][0] == '\0' || g_hash_table_contains (available, gn->inputs[j]);
          if (!ready)
            continue;
          for (int j = 0; j < gn->n_outputs; j++)
            if (gn->outputs[j][0] != '\0')
              g_hash_table_add (available, gn->outputs[j]);
          done[i] = TRUE;
          g_ptr_array_add (sorted, gn);
          progress = TRUE;
        }
    }
  for (guint i = 0; i < nodes->len && sorted->len < nodes->len; i++)
    {
      LrpGraphNode *gn = g_ptr_array_index (nodes, i);

      if (done[i])
        continue;
      for (int j = 0; j < gn->n_inputs; j++)
        if (gn->inputs[j][0] != '\0' && !g_hash_table_contains (available, gn->inputs[j]))
          {
            g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_FAILED,
                         "%s: node “%s” (%s) reads tensor “%s”, which no node, input or "
                         "initializer provides (or the graph has a cycle)",
                         b->model->display_name, gn->name, gn->op_type, gn->inputs[j]);
            return FALSE;
          }
    }
  return TRUE;
}

/* A fresh zeroed output, or the buffer a previous run left (zeroed again):
 * reusing it spares the page faults of allocating every activation anew. */
LrpTensor *
lrp_reusable_output (const LrpOpClass *klass,
                 const LrpTensor *meta,
                 LrpTensor *previous)
{
  if (previous && g_atomic_int_get (&previous->ref_count) == 1 && previous->data
      && previous->dtype == meta->dtype && lrp_tensor_same_shape (previous, meta))
    {
      if (!klass->fills_output)
        memset (previous->data, 0, (size_t) previous->n * lrp_dtype_size (previous->dtype));
      return lrp_tensor_ref (previous);
    }
  return lrp_tensor_new_like (meta);
}

gboolean
lrp_node_forward (const LrpModel *model,
                  const LrpNode *node,
                  LrpTensor **acts,
                  GCancellable *cancellable,
                  GError **error)
{
  LrpTensor *in[LRP_MAX_NODE_IO] = { NULL };
  LrpTensor *out[LRP_MAX_NODE_IO] = { NULL };
  gboolean ok;

  g_assert (node->n_inputs <= LRP_MAX_NODE_IO && node->n_outputs <= LRP_MAX_NODE_IO);
  for (int i = 0; i < node->n_inputs; i++)
    in[i] = node->inputs[i] >= 0 ? acts[node->inputs[i]] : NULL;
  for (int i = 0; i < node->n_outputs; i++)
    if (node->outputs[i] >= 0)
      out[i] = lrp_reusable_output (node->klass, model->values[node->outputs[i]].tensor,
                                acts[node->outputs[i]]);

  ok = node->klass->forward (node, in, out, cancellable, error);
  for (int i = 0; i < node->n_outputs; i++)
    {
      if (out[i] == NULL)
        continue;
      if (ok)
        {
          g_clear_pointer (&acts[node->outputs[i]], lrp_tensor_unref);
          acts[node->outputs[i]] = out[i];
        }
      else
        lrp_tensor_unref (out[i]);
    }
  if (!ok)
    g_prefix_error (error, "%s: ", model->display_name);
  return ok;
}

static gboolean
is_constant (const LrpTensor *t)
{
  return t == NULL || t->data != NULL;
}

/* Turns one parsed node into an LrpNode: outputs, params, shapes; folds it
 * when all its inputs are constant. */
static gboolean
add_node (Builder *b,
          LrpGraphNode *gn,
          GCancellable *cancellable,
          GError **error)
{
  LrpModel *m = b->model;
  LrpNode node = { 0 };
  LrpTensor *in[LRP_MAX_NODE_IO] = { NULL };
  LrpTensor *out[LRP_MAX_NODE_IO] = { NULL };
  gboolean all_const = TRUE, known = TRUE;

  node.name = g_strdup (gn->name);
  node.op_type = g_strdup (gn->op_type);
  node.klass = lrp_op_lookup (gn->op_type);
  node.opset = m->opset;
  node.n_inputs = gn->n_inputs;
  node.inputs = g_new (int, MAX (gn->n_inputs, 1));
  node.n_outputs = gn->n_outputs;
  node.outputs = g_new (int, MAX (gn->n_outputs, 1));
  g_assert (gn->n_inputs <= LRP_MAX_NODE_IO && gn->n_outputs <= LRP_MAX_NODE_IO);

  for (int i = 0; i < gn->n_inputs; i++)
    {
      node.inputs[i] = gn->inputs[i][0] ? lookup (b, gn->inputs[i]) : -1;
      in[i] = node.inputs[i] >= 0 ? m->values[node.inputs[i]].tensor : NULL;
      all_const = all_const && is_constant (in[i]);
    }

  if (node.klass->setup && !node.klass->setup (&node, &gn->attrs, error))
    goto fail;
  if (!node.klass->infer (&node, in, out, error))
    goto fail;

  for (int i = 0; i < gn->n_outputs; i++)
    {
      g_assert (out[i] != NULL);
      if (!lrp_shape_validate (out[i]->rank, out[i]->shape, NULL, error))
        {
          g_prefix_error (error, "node “%s” (%s), output %d: ", node.name, node.op_type, i);
          goto fail;
        }
      known = known && out[i]->data != NULL;
    }

  for (int i = 0; i < gn->n_outputs; i++)
    {
      const char *name = gn->outputs[i];

      if (name[0] == '\0')
        {
          node.outputs[i] = -1;
          g_clear_pointer (&out[i], lrp_tensor_unref);
          continue;
        }
      if (lookup (b, name) >= 0)
        {
          g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_FAILED,
                       "node “%s” (%s) writes tensor “%s”, which already exists",
                       node.name, node.op_type, name);
          goto fail;
        }
      node.outputs[i] = add_value (b, name, g_steal_pointer (&out[i]), FALSE);
    }

  if (all_const && !known)
    {
      LrpTensor **acts;
      gboolean ok;

      /* Folding allocates what the node's shapes say, which a few bytes of
       * attributes can make large (Pad, broadcasting): bounded by the size
       * of the file. */
      for (int i = 0; i < node.n_outputs; i++)
        if (node.outputs[i] >= 0)
          {
            const LrpTensor *t = m->values[node.outputs[i]].tensor;

            b->folded_bytes += t->n * (int64_t) lrp_dtype_size (t->dtype);
          }
      if (b->folded_bytes > b->fold_budget)
        {
          g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_SHAPE,
                       "node “%s” (%s): its constants would take %" G_GINT64_FORMAT
                       " bytes in all, more than a file of this size may ask for (%"
                       G_GINT64_FORMAT ")", node.name, node.op_type, b->folded_bytes,
                       b->fold_budget);
          goto fail;
        }
      acts = g_new0 (LrpTensor *, m->n_values);
      /* A node may read one tensor twice (Add (c, c)): one reference each. */
      for (int i = 0; i < node.n_inputs; i++)
        if (node.inputs[i] >= 0 && acts[node.inputs[i]] == NULL)
          acts[node.inputs[i]] = lrp_tensor_ref (m->values[node.inputs[i]].tensor);
      ok = lrp_node_forward (m, &node, acts, cancellable, error);
      for (int i = 0; ok && i < node.n_outputs; i++)
        if (node.outputs[i] >= 0)
          {
            LrpValue *v = &m->values[node.outputs[i]];

            lrp_tensor_unref (v->tensor);
            v->tensor = lrp_tensor_ref (acts[node.outputs[i]]);
          }
      for (int v = 0; v < m->n_values; v++)
        g_clear_pointer (&acts[v], lrp_tensor_unref);
      g_free (acts);
      if (!ok)
        goto fail;
      known = TRUE;
    }

  if (known)
    {
      g_ptr_array_add (m->folded, g_strdup_printf ("%s (%s)", node.name, node.op_type));
      node_clear (&node);
    }
  else
    g_array_append_val (b->nodes, node);
  return TRUE;

fail:
  for (int i = 0; i < LRP_MAX_NODE_IO; i++)
    g_clear_pointer (&out[i], lrp_tensor_unref);
  node_clear (&node);
  return FALSE;
}

static gboolean
check_memory (LrpModel *m,
              GError **error)
{
  int64_t total = 0;

  for (int v = 0; v < m->n_values; v++)
    {
      LrpTensor *t = m->values[v].tensor;

      if (t->data == NULL)
        total += t->n * (int64_t) lrp_dtype_size (t->dtype);
    }
  if (total > LRP_MAX_ACTIVATION_BYTES)
    {
      g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_SHAPE,
                   "the activations of this model would need %.1f GiB, more than the %.0f GiB "
                   "lrplens allows", (double) total / (1 << 30),
                   (double) LRP_MAX_ACTIVATION_BYTES / (1 << 30));
      return FALSE;
    }
  return TRUE;
}

static gboolean
bind_outputs (Builder *b,
              GStrv outputs,
              GError **error)
{
  LrpModel *m = b->model;

  m->n_outputs = g_strv_length (outputs);
  m->outputs = g_new (int, MAX (m->n_outputs, 1));
  for (int i = 0; i < m->n_outputs; i++)
    {
      m->outputs[i] = lookup (b, outputs[i]);
      if (m->outputs[i] < 0)
        {
          g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_FAILED,
                       "graph output “%s” is not computed by any node", outputs[i]);
          return FALSE;
        }
    }
  if (m->n_outputs == 0)
    {
      g_set_error_literal (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_FAILED,
                           "the graph has no outputs");
      return FALSE;
    }
  return TRUE;
}

LrpModel *
lrp_graph_build (const char *display_name,
                 int opset,
                 GPtrArray *inputs,
                 GPtrArray *initializers,
                 GPtrArray *nodes,
                 GStrv outputs,
                 GCancellable *cancellable,
                 GError **error)
{
  return lrp_graph_build_bounded (display_name, opset, inputs, initializers, nodes, outputs,
                                  G_MAXINT64, cancellable, error);
}

/* Output elements times the inner dimension of each Conv, Gemm and MatMul,
 * from the inferred shapes: an estimate of the work, in double since the
 * shapes are only bounded one by one. */
static double
count_macs (const LrpModel *m)
{
  double total = 0;

  for (int n = 0; n < m->n_nodes; n++)
    {
      const LrpNode *node = &m->nodes[n];
      const LrpTensor *out, *b;
      double inner = 0;

      if (node->n_outputs < 1 || node->outputs[0] < 0 || node->n_inputs < 2
          || node->inputs[0] < 0 || node->inputs[1] < 0)
        continue;
      out = m->values[node->outputs[0]].tensor;
      b = m->values[node->inputs[1]].tensor;
      if (g_str_equal (node->op_type, "Conv") && b->rank >= 1 && b->shape[0] > 0)
        inner = (double) b->n / (double) b->shape[0];
      else if (g_str_equal (node->op_type, "Gemm") && out->rank == 2 && out->shape[1] > 0)
        inner = (double) b->n / (double) out->shape[1];        /* B is K × N or N × K */
      else if (g_str_equal (node->op_type, "MatMul") && b->rank >= 1)
        inner = (double) b->shape[MAX (b->rank - 2, 0)];      /* B is … × K × N, or K */
      total += (double) out->n * inner;
    }
  return total;
}

/* lrp_graph_build() with at most @fold_budget bytes of constants computed
 * at load (the file's own initializers aside). */
LrpModel *
lrp_graph_build_bounded (const char *display_name,
                         int opset,
                         GPtrArray *inputs,
                         GPtrArray *initializers,
                         GPtrArray *nodes,
                         GStrv outputs,
                         int64_t fold_budget,
                         GCancellable *cancellable,
                         GError **error)
{
  g_autoptr(LrpModel) model = g_new0 (LrpModel, 1);
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  g_autoptr(GArray) kept = g_array_new (FALSE, TRUE, sizeof (LrpNode));
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  Builder b = { model, by_name, kept, fold_budget, 0 };

  /* Nodes kept so far are freed with the array if the build fails. */
  g_array_set_clear_func (kept, (GDestroyNotify) node_clear);

  model->ref_count = 1;
  model->display_name = g_strdup (display_name);
  model->opset = opset;
  model->folded = g_ptr_array_new_with_free_func (g_free);
  model->meta = lrp_metadata_new ();

  if (!check_supported (display_name, nodes, error))
    return NULL;

  for (guint i = 0; i < initializers->len; i++)
    {
      LrpGraphTensor *gt = g_ptr_array_index (initializers, i);

      if (lookup (&b, gt->name) < 0)
        add_value (&b, gt->name, lrp_tensor_ref (gt->tensor), FALSE);
    }
  model->inputs = g_new (int, MAX (inputs->len, 1));
  for (guint i = 0; i < inputs->len; i++)
    {
      LrpGraphTensor *gt = g_ptr_array_index (inputs, i);

      if (lookup (&b, gt->name) >= 0)
        continue;             /* an initializer listed as input (old exporters) */
      model->inputs[model->n_inputs++] = add_value (&b, gt->name,
                                                    lrp_tensor_ref (gt->tensor), TRUE);
    }

  if (!sort_nodes (&b, nodes, sorted, error))
    return NULL;
  for (guint i = 0; i < sorted->len; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (!add_node (&b, g_ptr_array_index (sorted, i), cancellable, error))
        {
          g_autofree char *prefix = g_strconcat (display_name, ": ", NULL);

          /* A constant folded here failed in lrp_node_forward, which names
           * the model already. */
          if (error && *error && !g_str_has_prefix ((*error)->message, prefix))
            g_prefix_error (error, "%s", prefix);
          return NULL;
        }
    }

  model->n_nodes = kept->len;
  model->nodes = (LrpNode *) (void *) g_array_free (g_steal_pointer (&kept), FALSE);
  for (int n = 0; n < model->n_nodes; n++)
    for (int o = 0; o < model->nodes[n].n_outputs; o++)
      if (model->nodes[n].outputs[o] >= 0)
        model->values[model->nodes[n].outputs[o]].producer = n;

  if (!bind_outputs (&b, outputs, error) || !check_memory (model, error))
    {
      g_prefix_error (error, "%s: ", display_name);
      return NULL;
    }
  lrp_model_fuse (model);
  model->macs = count_macs (model);
  return g_steal_pointer (&model);
}

/* A forward pass of fewer multiply-adds takes about a millisecond on one
 * core, no longer than waking the pool's workers can take on a busy
 * machine (fashion-cnn: 19 M; VGG16: 15.5 G). */
#define SMALL_MODEL_MACS 6.4e7

gboolean
lrp_model_is_small (const LrpModel *model)
{
  return model->macs < SMALL_MODEL_MACS;
}

int
lrp_model_find_value (const LrpModel *model,
                      const char *name)
{
  for (int v = 0; v < model->n_values; v++)
    if (g_str_equal (model->values[v].name, name))
      return v;
  return -1;
}

void
lrp_model_set_metadata (LrpModel *model,
                        LrpMetadata *meta)
{
  lrp_metadata_free (model->meta);
  model->meta = meta;
}

LrpModel *
lrp_model_ref (LrpModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  g_atomic_int_inc (&model->ref_count);
  return model;
}

void
lrp_model_unref (LrpModel *model)
{
  g_return_if_fail (model != NULL);
  if (!g_atomic_int_dec_and_test (&model->ref_count))
    return;
  for (int n = 0; n < model->n_nodes; n++)
    node_clear (&model->nodes[n]);
  for (int v = 0; v < model->n_values; v++)
    {
      g_free (model->values[v].name);
      lrp_tensor_unref (model->values[v].tensor);
    }
  g_free (model->nodes);
  g_free (model->values);
  g_free (model->inputs);
  g_free (model->outputs);
  lrp_model_free_fusions (model);
  g_clear_pointer (&model->folded, g_ptr_array_unref);
  g_clear_pointer (&model->meta, lrp_metadata_free);
  g_free (model->display_name);
  g_free (model);
}

int
lrp_model_get_n_nodes (const LrpModel *model)
{
  g_return_val_if_fail (model != NULL, 0);
  return model->n_nodes;
}

const int64_t *
lrp_model_get_input_shape (const LrpModel *model,
                           int *rank)
{
  const LrpTensor *t;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (model->n_inputs > 0, NULL);
  t = model->values[model->inputs[0]].tensor;
  if (rank)
    *rank = t->rank;
  return t->shape;
}
