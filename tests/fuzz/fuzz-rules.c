/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fuzz target: a rule map (compact text or JSON, or a composite's name) as
 * --rules and the GUI give it, then assigned to the layers of a small CNN
 * and given a parameter as --epsilon does.
 */
#define G_LOG_DOMAIN "lrp-fuzz"

#include "config.h"

#include "fuzz-common.h"

#include "lrp-composite-private.h"
#include "lrp-graph-private.h"
#include "lrp-test-onnx.h"

#include <string.h>

static LrpModel *model;  /* owned, for the process */

int
LLVMFuzzerInitialize (int *argc,
                      char ***argv)
{
  (void) argc;
  (void) argv;
  fuzz_setup ();
  model = lrp_test_model_small_cnn ();
  g_assert (model != NULL);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t size)
{
  g_autofree char *spec = g_strndup ((const char *) data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpComposite) c = NULL;
  g_autofree LrpRule *rules = NULL;
  gboolean ok;

  /* A NUL ends the text, as reading the file with g_file_get_contents and
   * passing it on does. */
  fuzz_heap_start ();
  c = lrp_composite_parse (spec, &error);
  fuzz_heap_check (64 * size + (1 << 20), "lrp_composite_parse", size);
  fuzz_check_result (c != NULL, error, "lrp_composite_parse");
  if (c == NULL)
    return 0;
  g_assert (lrp_composite_get_name (c) != NULL);
  rules = g_new0 (LrpRule, MAX (model->n_nodes, 1));
  ok = lrp_composite_assign (c, model, rules, &error);
  fuzz_check_result (ok, error, "lrp_composite_assign");
  g_clear_error (&error);
  ok = lrp_composite_set_param (c, size > 0 && data[0] & 1 ? "gamma" : "epsilon", "0.5", &error);
  fuzz_check_result (ok, error, "lrp_composite_set_param");
  return 0;
}
