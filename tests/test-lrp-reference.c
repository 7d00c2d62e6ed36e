/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every case of ../shared/reference/manifest.json: Zennit's relevance at the
 * input (and, where stored, at the input of every Conv/Gemm) must be
 * reproduced within the case's tolerance:
 *   err = max |ours − theirs| / max |theirs| ≤ tolerance, and the 99th
 *   percentile of |ours − theirs| / max |theirs| ≤ tolerance_p99.
 * Skips, saying why, where the reference set is absent.
 */
#include "config.h"

#include "lrp-test-util.h"

#include <json-glib/json-glib.h>
#include <math.h>

static char *reference_dir;
static JsonObject *manifest;
static guint n_passed, n_cases;

static LrpTensor *
load_npy (const char *relative)
{
  g_autofree char *path = g_build_filename (reference_dir, relative, NULL);
  g_autoptr(GError) error = NULL;
  LrpTensor *t = lrp_tensor_load (path, &error);

  g_assert_no_error (error);
  return t;
}

static int
compare_floats (gconstpointer a,
                gconstpointer b)
{
  float x = *(const float *) a, y = *(const float *) b;

  return (x > y) - (x < y);
}

/* 99th percentile of |ours − theirs| / max |theirs| */
static double
p99_error (const LrpTensor *got,
           const LrpTensor *want)
{
  int64_t n = want->n;
  g_autofree float *d = g_new (float, n);
  double max_want = 0;

  for (int64_t i = 0; i < n; i++)
    max_want = MAX (max_want, fabs (lrp_tensor_f (want)[i]));
  for (int64_t i = 0; i < n; i++)
    d[i] = (float) (fabs (lrp_tensor_f (got)[i] - lrp_tensor_f (want)[i]) / MAX (max_want, 1e-30));
  qsort (d, (size_t) n, sizeof (float), compare_floats);
  return d[MIN (n - 1, (int64_t) ceil (0.99 * (double) n) - 1)];
}

static char *
joined_numbers (JsonArray *a)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_printf (s, "%s%s", i ? "," : "",
                              g_ascii_dtostr (buf, sizeof buf, json_array_get_double_element (a, i)));
    }
  return g_string_free (s, FALSE);
}

static LrpComposite *
case_composite (JsonObject *c)
{
  JsonObject *params = json_object_get_object_member (c, "composite_params");
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpComposite) composite = lrp_composite_parse (json_object_get_string_member (c, "method"),
                                                           &error);

  g_assert_no_error (error);
  if (json_object_has_member (params, "low"))
    {
      g_autofree char *low = joined_numbers (json_object_get_array_member (params, "low"));
      g_autofree char *high = joined_numbers (json_object_get_array_member (params, "high"));

      g_assert_true (lrp_composite_set_param (composite, "low", low, &error));
      g_assert_true (lrp_composite_set_param (composite, "high", high, &error));
    }
  return g_steal_pointer (&composite);
}

static void
test_case (gconstpointer data)
{
  JsonObject *c = (JsonObject *) data;
  const char *method = json_object_get_string_member (c, "method");
  g_autofree char *model_path = g_build_filename (reference_dir,
      json_object_get_string_member (c, "model_file"), NULL);
  g_autofree char *pb_path = g_build_filename (reference_dir,
      json_object_get_string_member (json_object_get_object_member (c, "input_files"), "pb"), NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = lrp_model_load (model_path, NULL, &error);
  g_autoptr(LrpTensor) x = NULL, want = NULL;
  g_autoptr(LrpExplainer) e = NULL;
  LrpTarget target = LRP_TARGET_INIT;
  double err, p99, tol = json_object_get_double_member (c, "tolerance");
  double tol_p99 = json_object_get_double_member (c, "tolerance_p99");
  LrpTensor *got;

  g_assert_no_error (error);
  x = lrp_model_load_input (model, pb_path, &error);
  g_assert_no_error (error);
  e = lrp_explainer_new (model, x, NULL, &error);
  g_assert_no_error (error);
  target.class_index = (int) json_object_get_int_member (c, "target");

  if (g_str_equal (json_object_get_string_member (c, "kind"), "lrp"))
    {
      g_autoptr(LrpComposite) composite = case_composite (c);

      lrp_explainer_explain (e, composite, &target, NULL, &error);
    }
  else
    lrp_explainer_baseline (e, g_str_equal (method, "gradient") ? LRP_BASELINE_GRADIENT
                                                               : LRP_BASELINE_GRADIENT_X_INPUT,
                            &target, 0, 0.f, NULL, &error);
  g_assert_no_error (error);

  want = load_npy (json_object_get_string_member (c, "expected"));
  got = lrp_explainer_get_relevance (e, NULL);
  g_assert_nonnull (got);
  err = lrp_test_rel_error (got, want);
  p99 = p99_error (got, want);
  g_test_message ("%s: input max err %.2e, p99 %.2e (tolerance %.0e)",
                  json_object_get_string_member (c, "id"), err, p99, tol);
  g_assert_cmpfloat (err, <=, tol);
  g_assert_cmpfloat (p99, <=, tol_p99);

  if (json_object_has_member (c, "intermediate"))
    {
      JsonArray *layers = json_object_get_array_member (c, "intermediate");
      double tol_mid = json_object_get_double_member (c, "tolerance_intermediate");

      for (guint i = 0; i < json_array_get_length (layers); i++)
        {
          JsonObject *l = json_array_get_object_element (layers, i);
          const char *tensor = json_object_get_string_member (l, "tensor");
          g_autoptr(LrpTensor) mid = load_npy (json_object_get_string_member (l, "file"));
          LrpTensor *ours = lrp_explainer_get_relevance (e, tensor);
          double mid_err;

          g_assert_nonnull (ours);
          mid_err = lrp_test_rel_error (ours, mid);
          g_test_message ("  %s: max err %.2e", tensor, mid_err);
          g_assert_cmpfloat (mid_err, <=, tol_mid);
        }
    }
  n_passed++;
}

static void
test_summary (void)
{
  g_test_message ("reference cases: %u of %u passed", n_passed, n_cases);
  g_assert_cmpuint (n_passed, ==, n_cases);
}

static void
test_absent (void)
{
  g_test_skip ("../shared/reference is absent (LRPLENS_REFERENCE_DIR): Zennit cases not checked");
}

int
main (int argc,
      char **argv)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *manifest_path = NULL;
  JsonArray *cases;

  lrp_test_init (&argc, &argv);
  reference_dir = lrp_test_dir_from_env ("LRPLENS_REFERENCE_DIR");
  if (reference_dir == NULL)
    {
      g_test_add_func ("/lrp-reference/cases", test_absent);
      return g_test_run ();
    }
  manifest_path = g_build_filename (reference_dir, "manifest.json", NULL);
  if (!json_parser_load_from_file (parser, manifest_path, NULL))
    g_error ("cannot read %s", manifest_path);
  manifest = json_node_get_object (json_parser_get_root (parser));
  cases = json_object_get_array_member (manifest, "cases");
  for (guint i = 0; i < json_array_get_length (cases); i++)
    {
      JsonObject *c = json_array_get_object_element (cases, i);
      g_autofree char *path = g_strdup_printf ("/lrp-reference/%s",
                                               json_object_get_string_member (c, "id"));

      g_test_add_data_func (path, c, test_case);
      n_cases++;
    }
  g_test_add_func ("/lrp-reference/summary/all", test_summary);
  return g_test_run ();
}
