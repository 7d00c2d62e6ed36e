/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `lrplens predict`: the top classes of one input, as text or JSON.
 */
#include "config.h"

#include "lens-predict.h"

#include "lrp.h"

#include <json-glib/json-glib.h>
#include <math.h>

typedef struct
{
  int index;
  float logit;
  double probability;
} Ranked;

static int
by_probability (gconstpointer a,
                gconstpointer b)
{
  const Ranked *x = a, *y = b;

  if (x->probability != y->probability)
    return x->probability < y->probability ? 1 : -1;
  return x->index - y->index;
}

/* Softmax of the output, unless the model already ends in one. */
static Ranked *
rank_classes (const LrpModel *model,
              const LrpTensor *output,
              int n)
{
  const float *y = lrp_tensor_get_data (output);
  Ranked *r = g_new (Ranked, n);
  double max = -INFINITY, sum = 0;
  gboolean probabilities = lrp_model_get_output_is_softmax (model);

  for (int i = 0; i < n; i++)
    max = MAX (max, y[i]);
  for (int i = 0; i < n; i++)
    {
      r[i].index = i;
      r[i].logit = y[i];
      r[i].probability = probabilities ? y[i] : exp (y[i] - max);
      sum += r[i].probability;
    }
  if (!probabilities)
    for (int i = 0; i < n; i++)
      r[i].probability /= sum;
  qsort (r, (size_t) n, sizeof (Ranked), by_probability);
  return r;
}

static char *
label_of (const LrpModel *model,
          int index)
{
  const char *label = lrp_model_get_label (model, index);

  return label ? g_strdup (label) : g_strdup_printf ("class %d", index);
}

static void
print_text (const LrpModel *model,
            const char *model_name,
            const char *input_name,
            const Ranked *r,
            int top)
{
  g_print ("%s on %s:\n", model_name, input_name);
  for (int i = 0; i < top; i++)
    {
      g_autofree char *label = label_of (model, r[i].index);

      g_print ("%3d. %-24s %-5d %7.2f%%   output %.4f\n", i + 1, label, r[i].index,
               100.0 * r[i].probability, r[i].logit);
    }
}

static void
print_json (const LrpModel *model,
            const char *model_name,
            const char *input_name,
            const Ranked *r,
            int top,
            const LrpTensor *output)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  const float *y = lrp_tensor_get_data (output);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, model_name);
  json_builder_set_member_name (b, "input");
  json_builder_add_string_value (b, input_name);
  json_builder_set_member_name (b, "top");
  json_builder_begin_array (b);
  for (int i = 0; i < top; i++)
    {
      g_autofree char *label = label_of (model, r[i].index);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "class");
      json_builder_add_int_value (b, r[i].index);
      json_builder_set_member_name (b, "label");
      json_builder_add_string_value (b, label);
      json_builder_set_member_name (b, "probability");
      json_builder_add_double_value (b, r[i].probability);
      json_builder_set_member_name (b, "output");
      json_builder_add_double_value (b, r[i].logit);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "outputs");
  json_builder_begin_array (b);
  for (int64_t i = 0; i < lrp_tensor_get_n_elements (output); i++)
    json_builder_add_double_value (b, y[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  g_print ("%s\n", text);
}

static char *
display_name (const char *path)
{
  return g_path_get_basename (path);
}

gboolean
lens_predict (const char *model_path,
              const char *input_path,
              const LensPredictOptions *opts,
              GError **error)
{
  g_autoptr(LrpModel) model = NULL;
  g_autoptr(LrpTensor) input = NULL;
  g_autoptr(LrpRun) run = NULL;
  g_autofree Ranked *ranked = NULL;
  g_autofree char *model_name = display_name (model_path);
  g_autofree char *input_name = display_name (input_path);
  LrpTensor *output;
  int n;

  model = lrp_model_load (model_path, NULL, error);
  if (model == NULL)
    return FALSE;
  input = lrp_model_load_input (model, input_path, error);
  if (input == NULL)
    return FALSE;
  run = lrp_run_new (model);
  if (!lrp_run_forward (run, input, NULL, error))
    return FALSE;
  output = lrp_run_get_output (run);
  n = (int) lrp_tensor_get_n_elements (output);
  if (opts->logits_path && !lrp_tensor_save_npy (output, opts->logits_path, error))
    return FALSE;

  ranked = rank_classes (model, output, n);
  if (opts->json)
    print_json (model, model_name, input_name, ranked, MIN (opts->top, n), output);
  else
    print_text (model, model_name, input_name, ranked, MIN (opts->top, n));
  return TRUE;
}
