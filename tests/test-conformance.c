/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ONNX conformance: every case of Debian's libonnx-testdata (node,
 * pytorch-converted, pytorch-operator) whose operators and data types we
 * support runs through the engine, and its outputs must match the stored
 * ones.  A case is "not applicable" only when loading fails with
 * LRP_MODEL_ERROR_UNSUPPORTED (an operator, attribute or data type we do
 * not claim); every other failure fails the test.  Finally every operator
 * in our table must have been exercised by a passing case.
 *
 * LRPLENS_CONFORMANCE_FILTER=substring limits the cases (for debugging);
 * LRPLENS_CONFORMANCE_VERBOSE=1 lists every case.
 */
#include "config.h"

#include "lrp-onnx-private.h"
#include "lrp-run-private.h"
#include "lrp-test-util.h"

#include "onnx.pb-c.h"

#include <math.h>

/* ONNX's backend tests compare with rtol 1e-3, atol 1e-7; float32 sums
 * taken in another order need a little absolute room too. */
#define RTOL 1e-3
#define ATOL 1e-5

typedef enum { CASE_PASS, CASE_FAIL, CASE_NOT_APPLICABLE } CaseResult;

static GHashTable *covered;   /* op types seen in passing cases */
static guint total_run, total_pass, total_na;

typedef struct
{
  GPtrArray *input_names;     /* graph inputs that are not initializers */
  GPtrArray *op_types;
} CaseInfo;

static void
case_info_clear (CaseInfo *info)
{
  g_clear_pointer (&info->input_names, g_ptr_array_unref);
  g_clear_pointer (&info->op_types, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CaseInfo, case_info_clear)

static gboolean
read_case_info (GBytes *bytes,
                CaseInfo *info)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  Onnx__ModelProto *mp = onnx__model_proto__unpack (NULL, len, data);

  if (mp == NULL || mp->graph == NULL)
    return FALSE;
  info->input_names = g_ptr_array_new_with_free_func (g_free);
  info->op_types = g_ptr_array_new_with_free_func (g_free);
  for (size_t i = 0; i < mp->graph->n_input; i++)
    {
      gboolean is_init = FALSE;

      for (size_t j = 0; j < mp->graph->n_initializer; j++)
        is_init = is_init || g_strcmp0 (mp->graph->initializer[j]->name, mp->graph->input[i]->name) == 0;
      if (!is_init)
        g_ptr_array_add (info->input_names, g_strdup (mp->graph->input[i]->name));
    }
  /* Sequences, maps and optionals are outside lrplens: call them operators
   * we lack, so the case counts as not applicable. */
  for (size_t i = 0; i < mp->graph->n_input; i++)
    if (mp->graph->input[i]->type
        && mp->graph->input[i]->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE)
      g_ptr_array_add (info->op_types, g_strdup ("(non-tensor input)"));
  for (size_t i = 0; i < mp->graph->n_node; i++)
    g_ptr_array_add (info->op_types, g_strdup (mp->graph->node[i]->op_type));
  onnx__model_proto__free_unpacked (mp, NULL);
  return TRUE;
}

static GPtrArray *
load_pbs (const char *dir,
          const char *prefix,
          GError **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) lrp_tensor_unref);

  for (int k = 0;; k++)
    {
      g_autofree char *file = g_strdup_printf ("%s/%s_%d.pb", dir, prefix, k);
      LrpTensor *t;

      if (!g_file_test (file, G_FILE_TEST_EXISTS))
        break;
      t = lrp_test_load_pb (file, NULL, error);
      if (t == NULL)
        return NULL;
      g_ptr_array_add (list, t);
    }
  return g_steal_pointer (&list);
}

static CaseResult
run_case (const char *case_dir,
          const char *case_name,
          char **why)
{
  g_autofree char *model_path = g_build_filename (case_dir, "model.onnx", NULL);
  g_autofree char *data_dir = g_build_filename (case_dir, "test_data_set_0", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GPtrArray) inputs = NULL, outputs = NULL;
  g_autoptr(GHashTable) bind = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(LrpModel) model = NULL;
  g_autoptr(LrpRun) run = NULL;
  g_autofree LrpTensor **runtime = NULL;
  g_auto(CaseInfo) info = { 0 };
  g_autofree char *contents = NULL;
  gsize len;

  if (!g_file_get_contents (model_path, &contents, &len, NULL))
    return (*why = g_strdup ("no model.onnx"), CASE_NOT_APPLICABLE);
  bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
  if (!read_case_info (bytes, &info))
    return (*why = g_strdup ("model does not parse"), CASE_FAIL);

  for (guint i = 0; i < info.op_types->len; i++)
    if (lrp_op_lookup (g_ptr_array_index (info.op_types, i)) == NULL)
      return (*why = g_strdup_printf ("operator %s", (char *) g_ptr_array_index (info.op_types, i)),
              CASE_NOT_APPLICABLE);

  inputs = load_pbs (data_dir, "input", &error);
  outputs = inputs ? load_pbs (data_dir, "output", &error) : NULL;
  if (outputs == NULL)
    {
      /* Only data types we lack may make a case inapplicable. */
      CaseResult r = g_error_matches (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_UNSUPPORTED)
                     ? CASE_NOT_APPLICABLE : CASE_FAIL;
      *why = g_strdup (error->message);
      return r;
    }
  if (inputs->len != info.input_names->len)
    return (*why = g_strdup_printf ("%u input files for %u graph inputs", inputs->len,
                                    info.input_names->len), CASE_FAIL);

  /* Integer inputs decide shapes (Reshape, Slice, Gather...): bind them as
   * constants, as a real model would have them. */
  for (guint i = 0; i < inputs->len; i++)
    {
      LrpTensor *t = g_ptr_array_index (inputs, i);

      if (t->dtype == LRP_DTYPE_INT64)
        g_hash_table_insert (bind, g_ptr_array_index (info.input_names, i), t);
    }

  model = lrp_onnx_load (g_bytes_ref (bytes), case_name, bind, NULL, &error);
  if (model == NULL)
    {
      CaseResult r = g_error_matches (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_UNSUPPORTED)
                     ? CASE_NOT_APPLICABLE : CASE_FAIL;
      *why = g_strdup (error->message);
      return r;
    }

  runtime = g_new0 (LrpTensor *, MAX (model->n_inputs, 1));
  for (int i = 0; i < model->n_inputs; i++)
    for (guint j = 0; j < inputs->len; j++)
      if (g_str_equal (model->values[model->inputs[i]].name, g_ptr_array_index (info.input_names, j)))
        runtime[i] = g_ptr_array_index (inputs, j);

  run = lrp_run_new (model);
  if (!lrp_run_forward_inputs (run, model->n_inputs, runtime, NULL, &error))
    return (*why = g_strdup (error->message), CASE_FAIL);

  if ((int) outputs->len != model->n_outputs)
    return (*why = g_strdup_printf ("%u expected outputs, model has %d", outputs->len,
                                    model->n_outputs), CASE_FAIL);
  for (guint k = 0; k < outputs->len; k++)
    {
      LrpTensor *got = lrp_run_get_value (run, model->outputs[k]);
      LrpTensor *want = g_ptr_array_index (outputs, k);
      double c = lrp_test_closeness (got, want, RTOL, ATOL);

      if (!(c <= 1.0))
        {
          g_autofree char *gs = got ? lrp_shape_to_string (got->rank, got->shape) : g_strdup ("none");
          g_autofree char *ws = lrp_shape_to_string (want->rank, want->shape);

          *why = g_strdup_printf ("output %u: got %s %s, expected %s %s, error %.3g × tolerance",
                                  k, got ? lrp_dtype_name (got->dtype) : "", gs,
                                  lrp_dtype_name (want->dtype), ws, c);
          return CASE_FAIL;
        }
    }
  for (guint i = 0; i < info.op_types->len; i++)
    g_hash_table_add (covered, g_strdup (g_ptr_array_index (info.op_types, i)));
  return CASE_PASS;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

static void
test_suite (gconstpointer data)
{
  const char *suite = data;
  g_autofree char *root = lrp_test_dir_from_env ("LRPLENS_ONNX_TESTDATA");
  g_autofree char *dir = NULL;
  g_autoptr(GDir) d = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *filter = g_getenv ("LRPLENS_CONFORMANCE_FILTER");
  gboolean verbose = g_getenv ("LRPLENS_CONFORMANCE_VERBOSE") != NULL;
  guint run = 0, pass = 0, na = 0;
  GString *failures = g_string_new (NULL);
  const char *entry;

  if (root == NULL)
    {
      g_test_skip ("libonnx-testdata is not installed (LRPLENS_ONNX_TESTDATA)");
      g_string_free (failures, TRUE);
      return;
    }
  dir = g_build_filename (root, suite, NULL);
  d = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (d);
  while ((entry = g_dir_read_name (d)))
    if (filter == NULL || strstr (entry, filter))
      g_ptr_array_add (names, g_strdup (entry));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *case_dir = g_build_filename (dir, name, NULL);
      g_autofree char *why = NULL;
      CaseResult r = run_case (case_dir, name, &why);

      if (r == CASE_NOT_APPLICABLE)
        na++;
      else
        {
          run++;
          pass += r == CASE_PASS;
        }
      if (r == CASE_FAIL)
        g_string_append_printf (failures, "  %s/%s: %s\n", suite, name, why);
      if (verbose)
        g_test_message ("%s/%s: %s%s%s", suite, name,
                        r == CASE_PASS ? "pass" : r == CASE_FAIL ? "FAIL" : "not applicable",
                        why ? " — " : "", why ? why : "");
    }
  total_run += run;
  total_pass += pass;
  total_na += na;
  g_test_message ("%s: ran %u applicable cases, %u passed, %u failed; %u not applicable",
                  suite, run, pass, run - pass, na);
  if (failures->len)
    g_test_message ("failures:\n%s", failures->str);
  g_assert_cmpuint (pass, ==, run);
  g_assert_cmpuint (run, >, 0);
  g_string_free (failures, TRUE);
}

/* Every operator we claim must have passed at least one real case. */
static void
test_coverage (void)
{
  const char *const *ops = lrp_op_list ();
  GString *missing = g_string_new (NULL);
  g_autofree char *root = lrp_test_dir_from_env ("LRPLENS_ONNX_TESTDATA");

  if (root == NULL)
    {
      g_test_skip ("libonnx-testdata is not installed (LRPLENS_ONNX_TESTDATA)");
      g_string_free (missing, TRUE);
      return;
    }
  if (g_getenv ("LRPLENS_CONFORMANCE_FILTER"))
    {
      g_test_skip ("coverage is only meaningful without LRPLENS_CONFORMANCE_FILTER");
      g_string_free (missing, TRUE);
      return;
    }
  for (int i = 0; ops[i]; i++)
    if (!g_hash_table_contains (covered, ops[i]))
      g_string_append_printf (missing, " %s", ops[i]);
  g_test_message ("all suites: ran %u, passed %u, not applicable %u", total_run, total_pass,
                  total_na);
  if (missing->len)
    g_test_message ("operators with no passing case:%s", missing->str);
  g_assert_cmpuint (missing->len, ==, 0);
  g_string_free (missing, TRUE);
}

int
main (int argc,
      char **argv)
{
  lrp_test_init (&argc, &argv);
  covered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_test_add_data_func ("/conformance/node", "node", test_suite);
  g_test_add_data_func ("/conformance/pytorch-converted", "pytorch-converted", test_suite);
  g_test_add_data_func ("/conformance/pytorch-operator", "pytorch-operator", test_suite);
  g_test_add_func ("/conformance/coverage", test_coverage);
  return g_test_run ();
}
