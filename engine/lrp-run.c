/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lrp-run"

#include "config.h"

#include "lrp-run-private.h"

#include "lrp-exact-private.h"
#include "lrp-parallel-private.h"

LrpRun *
lrp_run_new (LrpModel *model)
{
  LrpRun *run;

  g_return_val_if_fail (model != NULL, NULL);
  run = g_new0 (LrpRun, 1);
  run->model = lrp_model_ref (model);
  run->acts = g_new0 (LrpTensor *, model->n_values);
  return run;
}

void
lrp_run_clear_classes (LrpRun *run)
{
  g_clear_pointer (&run->exact, lrp_exact_free);
  if (run->winners)
    for (int n = 0; n < run->model->n_nodes; n++)
      g_free (run->winners[n]);
  g_clear_pointer (&run->winners, g_free);
  if (run->classes == NULL)
    return;
  for (int v = 0; v < run->model->n_values; v++)
    g_free (run->classes[v]);
  g_clear_pointer (&run->classes, g_free);
}

static void
clear_acts (LrpRun *run)
{
  for (int v = 0; v < run->model->n_values; v++)
    g_clear_pointer (&run->acts[v], lrp_tensor_unref);
}

void
lrp_run_free (LrpRun *run)
{
  if (run == NULL)
    return;
  clear_acts (run);
  lrp_run_clear_classes (run);
  g_free (run->acts);
  lrp_model_unref (run->model);
  g_free (run);
}

static gboolean
check_input (const LrpModel *m,
             int i,
             const LrpTensor *input,
             GError **error)
{
  const LrpValue *v = &m->values[m->inputs[i]];

  if (input->dtype != v->tensor->dtype || !lrp_tensor_same_shape (input, v->tensor))
    {
      g_autofree char *want = lrp_shape_to_string (v->tensor->rank, v->tensor->shape);
      g_autofree char *got = lrp_shape_to_string (input->rank, input->shape);

      g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_SHAPE,
                   "%s: input “%s” must be %s %s, got %s %s", m->display_name, v->name,
                   lrp_dtype_name (v->tensor->dtype), want, lrp_dtype_name (input->dtype), got);
      return FALSE;
    }
  return TRUE;
}

/* The nodes in graph order, the inputs already in run->acts. */
static gboolean
forward_nodes (LrpRun *run,
               GCancellable *cancellable,
               GError **error)
{
  const LrpModel *m = run->model;
  /* LRPLENS_PROFILE=1: the time of every node, on stderr. */
  gboolean profile = g_getenv ("LRPLENS_PROFILE") != NULL;

  for (int n = 0; n < m->n_nodes; n++)
    {
      gint64 start = profile ? g_get_monotonic_time () : 0;
      const LrpFusion *f = &m->fusions[n];
      gboolean ok;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (f->conv >= 0)
        {
          if (run->progress)  /* computed by its Conv */
            run->progress (n, run->progress_data);
          continue;
        }
      ok = f->bn >= 0 ? lrp_node_forward_fused (m, n, run->acts, cancellable, error)
                      : lrp_node_forward (m, &m->nodes[n], run->acts, cancellable, error);
      if (!ok)
        return FALSE;
      if (run->progress)
        run->progress (n, run->progress_data);
      if (profile)
        g_printerr ("forward %-40s %-20s %8.2f ms\n", m->nodes[n].name, m->nodes[n].op_type,
                    (double) (g_get_monotonic_time () - start) / 1000.0);
    }
  return TRUE;
}

gboolean
lrp_run_forward_inputs (LrpRun *run,
                        int n_inputs,
                        LrpTensor *const *inputs,
                        GCancellable *cancellable,
                        GError **error)
{
  const LrpModel *m = run->model;
  gboolean serial, ok;

  if (n_inputs != m->n_inputs)
    {
      g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_SHAPE,
                   "%s: the model takes %d inputs, %d given", m->display_name, m->n_inputs,
                   n_inputs);
      return FALSE;
    }
  for (int i = 0; i < n_inputs; i++)
    if (!check_input (m, i, inputs[i], error))
      return FALSE;
  lrp_run_clear_classes (run);

  /* Activations of an earlier run stay as buffers for this one. */
  for (int v = 0; v < m->n_values; v++)
    if (m->values[v].tensor->data != NULL && run->acts[v] == NULL)
      run->acts[v] = lrp_tensor_ref (m->values[v].tensor);
  for (int i = 0; i < n_inputs; i++)
    {
      g_clear_pointer (&run->acts[m->inputs[i]], lrp_tensor_unref);
      run->acts[m->inputs[i]] = lrp_tensor_copy (inputs[i]);
    }

  serial = lrp_parallel_serial_begin (lrp_model_is_small (m));
  ok = forward_nodes (run, cancellable, error);
  lrp_parallel_serial_end (serial);
  return ok;
}

gboolean
lrp_run_forward (LrpRun *run,
                 LrpTensor *input,
                 GCancellable *cancellable,
                 GError **error)
{
  g_return_val_if_fail (run != NULL, FALSE);
  g_return_val_if_fail (input != NULL, FALSE);
  return lrp_run_forward_inputs (run, 1, &input, cancellable, error);
}

/* Returns: (transfer none): the activation of @value_id; a fused Conv's
 * output, which the forward pass does not keep, is computed now. */
LrpTensor *
lrp_run_get_value (LrpRun *run,
                   int value_id)
{
  const LrpModel *m = run->model;
  int producer;

  g_return_val_if_fail (value_id >= 0 && value_id < m->n_values, NULL);
  producer = m->values[value_id].producer;
  /* NULL if even that fails (memory): callers say so. */
  if (run->acts[value_id] == NULL && producer >= 0 && m->fusions[producer].bn >= 0
      && run->acts[m->nodes[producer].inputs[0]] != NULL
      && !lrp_node_forward (m, &m->nodes[producer], run->acts, NULL, NULL))
    return NULL;
  return run->acts[value_id];
}

/* Returns: (transfer none): the first graph output, or NULL before a run. */
LrpTensor *
lrp_run_get_output (LrpRun *run)
{
  g_return_val_if_fail (run != NULL, NULL);
  return run->acts[run->model->outputs[0]];
}
