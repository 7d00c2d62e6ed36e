/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fuzz target: an ONNX model's bytes through load, description, the
 * explainability check and one explanation of a seeded input (when the
 * model's activations are small enough to keep the target fast).
 */
#define G_LOG_DOMAIN "lrp-fuzz"

#include "config.h"

#include "fuzz-common.h"

#include "lrp-graph-private.h"

/* Larger models are loaded and checked but not run: a forward pass over
 * declared shapes is not what this target looks for. */
#define FUZZ_MAX_ACTIVATION_BYTES ((int64_t) 256 << 10)
#define FUZZ_MAX_NODES 64

static LrpComposite *composite;  /* owned, for the process */

int
LLVMFuzzerInitialize (int *argc,
                      char ***argv)
{
  (void) argc;
  (void) argv;
  fuzz_setup ();
  composite = lrp_composite_parse ("epsilon_gamma_box;#-1=epsilon(epsilon=0.25)", NULL);
  g_assert (composite != NULL);
  return 0;
}

static int64_t
activation_bytes (const LrpModel *model)
{
  int64_t total = 0;

  for (int v = 0; v < model->n_values; v++)
    {
      const LrpTensor *t = model->values[v].tensor;

      if (t->data == NULL)
        total += t->n * (int64_t) sizeof (float);
    }
  return total;
}

static void
explain (LrpModel *model)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpTensor) input = NULL;
  g_autoptr(LrpExplainer) explainer = NULL;
  LrpTarget target = LRP_TARGET_INIT;
  const int64_t *shape;
  int rank = 0;
  gboolean ok;

  if (model->n_nodes > FUZZ_MAX_NODES || activation_bytes (model) > FUZZ_MAX_ACTIVATION_BYTES)
    return;
  shape = lrp_model_get_input_shape (model, &rank);
  if (model->values[model->inputs[0]].tensor->dtype != LRP_DTYPE_FLOAT)
    return;
  input = lrp_tensor_new_random (rank, shape, 8);
  explainer = lrp_explainer_new (model, input, NULL, &error);
  fuzz_check_result (explainer != NULL, error, "lrp_explainer_new");
  if (explainer == NULL)
    return;
  ok = lrp_explainer_explain (explainer, composite, &target, NULL, &error);
  fuzz_check_result (ok, error, "lrp_explainer_explain");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t size)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = NULL;
  g_autofree char *description = NULL;
  gboolean ok;

  /* The memory ceiling: loading takes at most 64 bytes per byte of file
   * (the weights are in the file), beyond a fixed 1 MiB. */
  fuzz_heap_start ();
  model = lrp_model_load_bytes (bytes, "fuzz.onnx", NULL, &error);
  fuzz_heap_check (64 * size + (1 << 20), "lrp_model_load_bytes", size);
  fuzz_check_result (model != NULL, error, "lrp_model_load_bytes");
  if (model == NULL)
    return 0;
  description = lrp_model_describe (model);
  for (int c = -1; c < MIN (lrp_model_get_n_classes (model), 4); c++)
    (void) lrp_model_get_label (model, c);
  ok = lrp_model_check_explainable (model, &error);
  fuzz_check_result (ok, error, "lrp_model_check_explainable");
  if (ok)
    explain (model);
  return 0;
}
