/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The reference models in ../shared/reference (see its README): our logits
 * for every stored input must match the manifest's, within the stored
 * tolerance (max |ours − theirs| / max |theirs|).  Skips, saying why, where
 * the reference set is absent.
 */
#include "config.h"

#include "lrp-test-util.h"

#include <json-glib/json-glib.h>

static char *reference_dir;
static JsonObject *manifest;

static double
manifest_tolerance (void)
{
  JsonObject *tol = json_object_get_object_member (manifest, "tolerance");

  return json_object_get_double_member (tol, "value");
}

static void
test_logits (gconstpointer data)
{
  const char *input_id = data;
  JsonObject *input = json_object_get_object_member (
      json_object_get_object_member (manifest, "inputs"), input_id);
  JsonObject *model_info = json_object_get_object_member (
      json_object_get_object_member (manifest, "models"),
      json_object_get_string_member (input, "model"));
  JsonObject *files = json_object_get_object_member (input, "files");
  JsonArray *expected = json_object_get_array_member (input, "logits");
  g_autofree char *model_path = g_build_filename (reference_dir,
      json_object_get_string_member (model_info, "onnx"), NULL);
  g_autofree char *pb_path = g_build_filename (reference_dir,
      json_object_get_string_member (files, "pb"), NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = lrp_model_load (model_path, NULL, &error);
  g_autoptr(LrpTensor) x = NULL, want = NULL;
  g_autoptr(LrpRun) run = NULL;
  int64_t n = json_array_get_length (expected);
  double err;

  g_assert_no_error (error);
  x = lrp_model_load_input (model, pb_path, &error);
  g_assert_no_error (error);
  run = lrp_run_new (model);
  g_assert_true (lrp_run_forward (run, x, NULL, &error));
  g_assert_no_error (error);

  want = lrp_tensor_new_float (1, &n);
  for (int64_t i = 0; i < n; i++)
    lrp_tensor_f (want)[i] = (float) json_array_get_double_element (expected, (guint) i);
  err = lrp_test_rel_error (lrp_run_get_output (run), want);
  g_test_message ("%s: logits max rel error %.2e (tolerance %.0e)", input_id, err,
                  manifest_tolerance ());
  g_assert_cmpfloat (err, <=, manifest_tolerance ());
}

static void
test_absent (void)
{
  g_test_skip ("../shared/reference is absent (LRPLENS_REFERENCE_DIR): reference logits not checked");
}

int
main (int argc,
      char **argv)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *manifest_path = NULL;
  g_autoptr(GList) inputs = NULL;

  lrp_test_init (&argc, &argv);
  reference_dir = lrp_test_dir_from_env ("LRPLENS_REFERENCE_DIR");
  if (reference_dir == NULL)
    {
      g_test_add_func ("/reference/logits", test_absent);
      return g_test_run ();
    }
  manifest_path = g_build_filename (reference_dir, "manifest.json", NULL);
  if (!json_parser_load_from_file (parser, manifest_path, NULL))
    g_error ("cannot read %s", manifest_path);
  manifest = json_node_get_object (json_parser_get_root (parser));

  inputs = json_object_get_members (json_object_get_object_member (manifest, "inputs"));
  for (GList *l = inputs; l; l = l->next)
    {
      g_autofree char *path = g_strdup_printf ("/reference/logits/%s", (char *) l->data);

      g_test_add_data_func (path, l->data, test_logits);
    }
  return g_test_run ();
}
