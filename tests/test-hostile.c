/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The inputs of tests/fuzz/regressions/, one bug class each (issue 8): what
 * each must give now, asserted by domain and code.  The fuzz-replay tests
 * run the same files through the fuzz targets (under ASan + UBSan in the
 * sanitizer build), which catches leaks and undefined behaviour; these
 * tests say what the right answer is.
 */
#include "config.h"

#include "lrp-composite-private.h"
#include "lrp-graph-private.h"
#include "lrp-image-private.h"
#include "lrp-test-util.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/resource.h>

static char *
regression (const char *target,
            const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "fuzz", "regressions", target, name, NULL);
}

static long
peak_rss_mib (void)
{
  struct rusage u;

  getrusage (RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

static LrpModel *
load_model (const char *name,
            GError **error)
{
  g_autofree char *path = regression ("model", name);

  return lrp_model_load (path, NULL, error);
}

/* Loading must fail with @domain and @code, the message containing @text. */
static void
assert_model_refused (const char *name,
                      GQuark domain,
                      int code,
                      const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = load_model (name, &error);

  g_assert_null (model);
  g_assert_error (error, domain, code);
  g_assert_nonnull (strstr (error->message, text));
}

static void
test_input_without_name (void)
{
  assert_model_refused ("input-without-name.onnx", LRP_MODEL_ERROR, LRP_MODEL_ERROR_FAILED,
                        "a graph input has no name");
}

/* 86 bytes that claim 2^28 int64 values: refused before anything is
 * allocated for them (it used to take 2 GiB and seconds). */
static void
test_initializer_claims_2_28 (void)
{
  long before = peak_rss_mib ();

  assert_model_refused ("initializer-claims-2-28.onnx", LRP_ONNX_ERROR,
                        LRP_ONNX_ERROR_TRUNCATED, "should hold 268435456 values but has 0");
  g_assert_cmpint (peak_rss_mib () - before, <, 64);
}

static void
test_tensor_claims_2_28 (void)
{
  g_autofree char *path = regression ("tensor", "claims-2-28.pb");
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpTensor) t = NULL;
  long before = peak_rss_mib ();

  t = lrp_tensor_load (path, &error);
  g_assert_null (t);
  g_assert_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE);
  g_assert_nonnull (strstr (error->message, "should hold 268435456 values"));
  g_assert_cmpint (peak_rss_mib () - before, <, 64);
}

/* A zero dimension no longer lets absurd dimensions beside it through. */
static void
test_zero_dimension (void)
{
  const char *names[] = { "zero-dim-globalpool.onnx", "zero-dim-maxpool.onnx",
                          "zero-dim-reducemean.onnx" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    assert_model_refused (names[i], LRP_MODEL_ERROR, LRP_MODEL_ERROR_SHAPE, "too large");
}

static void
test_shape_validate_zero (void)
{
  const int64_t ok[] = { 0, 1 << 20, 1 << 8 };
  const int64_t absurd[] = { 0, (int64_t) 1 << 40, (int64_t) 1 << 40 };
  const int64_t one_absurd[] = { (int64_t) 1 << 29, 0 };
  int64_t n = -1;

  g_assert_true (lrp_shape_validate (3, ok, &n, NULL));
  g_assert_cmpint (n, ==, 0);
  g_assert_false (lrp_shape_validate (3, absurd, NULL, NULL));
  g_assert_false (lrp_shape_validate (2, one_absurd, NULL, NULL));
}

/* y = x · w + b with b a rank-0 constant: one dense layer with that bias.
 * LRP-0 (ε = 0) splits z = Σ x_i w_i + b in proportion to x_i w_i, so the
 * input relevance sums to (Σ x_i w_i) · z / z. */
static void
test_rank0_bias (void)
{
  static const float xs[] = { 1.f, 2.f, 0.5f };
  static const int64_t shape[] = { 1, 3 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = load_model ("rank0-bias.onnx", &error);
  g_autoptr(LrpTensor) x = NULL;
  g_autoptr(LrpExplainer) e = NULL;
  g_autoptr(LrpComposite) c = lrp_composite_parse ("dense=epsilon(epsilon=0)", &error);
  LrpTensor *r;
  LrpTarget target = LRP_TARGET_INIT;
  double sum = 0;

  g_assert_no_error (error);
  g_assert_nonnull (model);
  x = lrp_tensor_new_float (2, shape);
  memcpy (x->data, xs, sizeof xs);
  e = lrp_explainer_new (model, x, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (lrp_explainer_explain (e, c, &target, NULL, &error));
  g_assert_no_error (error);
  r = lrp_explainer_get_relevance (e, "x");   /* borrowed */
  for (int i = 0; i < 3; i++)
    sum += lrp_tensor_f (r)[i];
  /* x · w = 0.5 − 2 + 1 = −0.5; z = −0.25; R = z at the start. */
  g_assert_cmpfloat_with_epsilon (sum, -0.5, 1e-6);
}

/* Add (c, c) folded at load: c + c, and no reference left behind (the
 * sanitizer run checks the leak). */
static void
test_fold_reads_twice (void)
{
  static const int64_t shape[] = { 1, 4 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = load_model ("fold-reads-twice.onnx", &error);
  g_autoptr(LrpRun) run = NULL;
  g_autoptr(LrpTensor) x = NULL;
  LrpTensor *y;

  g_assert_no_error (error);
  x = lrp_tensor_new_float (2, shape);
  run = lrp_run_new (model);
  g_assert_true (lrp_run_forward (run, x, NULL, &error));
  y = lrp_run_get_output (run);
  for (int i = 0; i < 4; i++)
    g_assert_cmpfloat (lrp_tensor_f (y)[i], ==, 2.f * (float) (i + 1));
}

/* 223 bytes that pad a constant to 200 MB at load. */
static void
test_fold_budget (void)
{
  long before = peak_rss_mib ();

  assert_model_refused ("fold-pad-200mb.onnx", LRP_MODEL_ERROR, LRP_MODEL_ERROR_SHAPE,
                        "more than a file of this size may ask for");
  g_assert_cmpint (peak_rss_mib () - before, <, 64);
}

/* 142 bytes of PNG that claim 8000 × 8000 pixels. */
static void
test_image_budget (void)
{
  g_autofree char *path = regression ("image", "claims-8000x8000.png");
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  long before = peak_rss_mib ();

  pixbuf = lrp_image_load (path, &error);
  g_assert_null (pixbuf);
  g_assert_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE);
  g_assert_nonnull (strstr (error->message, "8000 × 8000"));
  g_assert_cmpint (peak_rss_mib () - before, <, 64);
}

/* Names and metadata from the file reach messages as UTF-8, in the
 * engine's domains. */
static void
test_model_messages (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = load_model ("invalid-utf8-op-type.onnx", &error);

  g_assert_null (model);
  g_assert_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_UNSUPPORTED);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_clear_error (&error);
  assert_model_refused ("metadata-json-error-domain.onnx", LRP_MODEL_ERROR,
                        LRP_MODEL_ERROR_FAILED, "metadata “lrplens.std”: not JSON");
  /* Found by the fuzzer: "input_range" not numbers set the error twice. */
  assert_model_refused ("metadata-input-range-error-twice.onnx", LRP_MODEL_ERROR,
                        LRP_MODEL_ERROR_FAILED, "expected two numbers");
  /* One line, as the command line promises. */
  assert_model_refused ("name-with-newline.onnx", LRP_MODEL_ERROR,
                        LRP_MODEL_ERROR_UNSUPPORTED, "node “line break” uses operator Erf");
}

/* Found by the fuzzer: a node kept with its first output unnamed made
 * lrp_model_describe () read values[-1]. */
static void
test_first_output_unnamed (void)
{
  assert_model_refused ("first-output-unnamed.onnx", LRP_MODEL_ERROR, LRP_MODEL_ERROR_FAILED,
                        "leaves its first output unnamed");
}

/* Found by the fuzzer: pads of INT64_MIN (negated by ABS before). */
static void
test_pad_int64_min (void)
{
  assert_model_refused ("pad-int64-min.onnx", LRP_MODEL_ERROR, LRP_MODEL_ERROR_SHAPE,
                        "do not fit axis");
}

static void
test_npy_header_not_ascii (void)
{
  const char *names[] = { "npy-descr-not-ascii.npy", "npy-descr-not-ascii-2.npy" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = regression ("tensor", names[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(LrpTensor) t = lrp_tensor_load (path, &error);

      g_assert_null (t);
      g_assert_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE);
      g_assert_nonnull (strstr (error->message, "the header is not ASCII text"));
    }
}

/* Only the formats lrplens reads reach gdk-pixbuf, and a BMP header that
 * would make its loader allocate 4 GiB does not. */
static void
test_image_formats (void)
{
  g_autofree char *bmp = regression ("image", "bmp-header-size-4gib.bmp");
  g_autofree char *gif = regression ("image", "gif-frame-40mb.gif");
  g_autofree char *xpm = g_build_filename (g_get_tmp_dir (), "lrplens-hostile.xpm", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_null (lrp_image_load (bmp, &error));
  g_assert_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE);
  g_assert_nonnull (strstr (error->message, "a BMP info header of a size no BMP version has"));
  g_clear_error (&error);
  for (int i = 0; i < 2; i++)
    {
      const char *name[] = { "bmp-offset-84mb.bmp", "bmp-palette-181mb.bmp" };
      const char *text[] = { "pixels start beyond the end", "more than 256 colours" };
      g_autofree char *path = regression ("image", name[i]);

      g_assert_null (lrp_image_load (path, &error));
      g_assert_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE);
      g_assert_nonnull (strstr (error->message, text[i]));
      g_clear_error (&error);
    }
  g_assert_null (lrp_image_load (gif, &error));
  g_assert_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE);
  g_assert_nonnull (strstr (error->message, "not an image lrplens reads"));
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (xpm, "/* XPM */\nstatic char *x[] = {\"1 1 1 1\", "
                                      "\"a c #000000\", \"a\"};\n", -1, NULL));
  g_assert_null (lrp_image_load (xpm, &error));
  g_assert_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE);
  g_assert_nonnull (strstr (error->message, "not an image lrplens reads"));
  g_unlink (xpm);
}

/* Every bad rule map is refused with LRP_RUN_ERROR_BAD_RULES and a message
 * saying what is wrong (never accepted with the error set, never a
 * critical). */
static void
test_rules (void)
{
  static const struct { const char *file, *text; } cases[] = {
    { "invalid-utf8-in-params.txt", "not UTF-8" },
    { "invalid-utf8-in-rule.txt", "not UTF-8" },
    { "json-composite-object.json", "\"composite\" must be a string" },
    { "json-composite-number.json", "\"composite\" must be a string" },
    { "json-composite-null.json", "\"composite\" must be a string" },
    { "json-unknown-rule.json", "unknown rule “nosuchrule”" },
    { "json-unknown-rule-then-bad.json", "entry 1: unknown rule “nosuchrule”" },
    { "json-two-names.json", "exactly one of" },
    { "json-name-and-layers.json", "exactly one of" },
    { "json-escape-not-utf8.json", "Parse error" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = regression ("rules", cases[i].file);
      g_autofree char *text = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(LrpComposite) c = NULL;

      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      c = lrp_composite_parse (text, &error);
      g_assert_null (c);
      g_assert_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      if (strstr (error->message, cases[i].text) == NULL)
        g_error ("%s: “%s” does not say “%s”", cases[i].file, error->message, cases[i].text);
    }
}

int
main (int argc,
      char **argv)
{
  lrp_test_init (&argc, &argv);
  g_test_add_func ("/hostile/model/input-without-name", test_input_without_name);
  g_test_add_func ("/hostile/model/initializer-claims-2-28", test_initializer_claims_2_28);
  g_test_add_func ("/hostile/model/zero-dimension", test_zero_dimension);
  g_test_add_func ("/hostile/shape/zero-dimension", test_shape_validate_zero);
  g_test_add_func ("/hostile/model/rank0-bias", test_rank0_bias);
  g_test_add_func ("/hostile/model/fold-reads-twice", test_fold_reads_twice);
  g_test_add_func ("/hostile/model/fold-budget", test_fold_budget);
  g_test_add_func ("/hostile/tensor/claims-2-28", test_tensor_claims_2_28);
  g_test_add_func ("/hostile/image/budget", test_image_budget);
  g_test_add_func ("/hostile/model/messages", test_model_messages);
  g_test_add_func ("/hostile/model/first-output-unnamed", test_first_output_unnamed);
  g_test_add_func ("/hostile/model/pad-int64-min", test_pad_int64_min);
  g_test_add_func ("/hostile/tensor/npy-header-not-ascii", test_npy_header_not_ascii);
  g_test_add_func ("/hostile/image/formats", test_image_formats);
  g_test_add_func ("/hostile/rules", test_rules);
  return g_test_run ();
}
