/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The command line: `lrplens info`, `predict`, `explain`, `bench`.  They need
 * no display; a bare `lrplens` (or `lrplens MODEL [IMAGE]`) opens the window
 * instead.  Every failure prints one line and exits with status 2.
 */
#include "config.h"

#include "lens-cli.h"

#include "lens-bench.h"
#include "lens-explain.h"
#include "lens-predict.h"

#include "lrp.h"

#include <stdio.h>
#include <string.h>

#define EXIT_BAD_INPUT 2


static int
fail (GError *error)
{
  g_printerr ("lrplens: %s\n", error->message);
  return EXIT_BAD_INPUT;
}

static int
usage (GOptionContext *context,
       const char *message)
{
  g_printerr ("lrplens: %s\n", message);
  g_printerr ("Try “lrplens %s --help”.\n", g_option_context_get_summary (context)
              ? g_option_context_get_summary (context) : "");
  return EXIT_BAD_INPUT;
}

/* Parses options for one command; on failure prints the reason. */
static gboolean
parse (GOptionContext *context,
       int *argc,
       char ***argv)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("lrplens: %s\n", error->message);
      return FALSE;
    }
  return TRUE;
}

static int
cmd_info (int argc,
          char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = NULL;
  g_autofree char *text = NULL;

  context = g_option_context_new ("MODEL.onnx — list the layers of a model");
  g_option_context_set_summary (context, "info");
  if (!parse (context, &argc, &argv))
    return EXIT_BAD_INPUT;
  if (argc != 2)
    return usage (context, "info takes one model file");
  model = lrp_model_load (argv[1], NULL, &error);
  if (model == NULL)
    return fail (error);
  text = lrp_model_describe (model);
  g_print ("%s", text);
  if (lrp_model_check_explainable (model, &error))
    g_print ("LRP: every layer can pass relevance\n");
  else
    g_print ("LRP: %s\n", error->message);
  return 0;
}

static int
cmd_predict (int argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *logits_path = NULL;
  LensPredictOptions opts = { .top = 5 };
  GOptionEntry entries[] = {
    { "top", 'k', 0, G_OPTION_ARG_INT, &opts.top,
      "Show the K most likely classes (default 5)", "K" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &opts.json, "Print JSON", NULL },
    { "logits", 0, 0, G_OPTION_ARG_FILENAME, &logits_path,
      "Write the raw output as float32 .npy", "OUT.npy" },
    { NULL },
  };

  context = g_option_context_new ("MODEL.onnx INPUT — classify an image, .npy or .pb tensor");
  g_option_context_set_summary (context, "predict");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!parse (context, &argc, &argv))
    return EXIT_BAD_INPUT;
  if (argc != 3)
    return usage (context, "predict takes a model and an input");
  if (opts.top < 1)
    return usage (context, "--top must be at least 1");
  opts.logits_path = logits_path;
  if (!lens_predict (argv[1], argv[2], &opts, &error))
    return fail (error);
  return 0;
}

static void
explain_options_clear (LensExplainOptions *o)
{
  char **strings[] = { &o->composite, &o->rules, &o->baseline, &o->epsilon, &o->gamma, &o->alpha,
                       &o->beta, &o->low, &o->high, &o->start, &o->layer, &o->out, &o->layers,
                       &o->heatmap, &o->overlay, &o->colorbar, &o->colormap,
                       &o->normalization };

  for (gsize i = 0; i < G_N_ELEMENTS (strings); i++)
    g_clear_pointer (strings[i], g_free);
}

static int
cmd_explain (int argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  gboolean list = FALSE;
  LensExplainOptions o = LENS_EXPLAIN_OPTIONS_INIT;
  GOptionEntry entries[] = {
    { "composite", 0, 0, G_OPTION_ARG_STRING, &o.composite,
      "Composite (default epsilon_plus; see --list)", "NAME" },
    { "rules", 0, 0, G_OPTION_ARG_STRING, &o.rules,
      "Rule map: compact text or a JSON file", "MAP" },
    { "baseline", 0, 0, G_OPTION_ARG_STRING, &o.baseline,
      "gradient, gradient_x_input, smoothgrad, integrated_gradients", "NAME" },
    { "epsilon", 0, 0, G_OPTION_ARG_STRING, &o.epsilon, "ε of the Epsilon rules", "E" },
    { "gamma", 0, 0, G_OPTION_ARG_STRING, &o.gamma, "γ of the Gamma rules", "G" },
    { "alpha", 0, 0, G_OPTION_ARG_STRING, &o.alpha, "α of AlphaBeta (α − β = 1)", "A" },
    { "beta", 0, 0, G_OPTION_ARG_STRING, &o.beta, "β of AlphaBeta", "B" },
    { "low", 0, 0, G_OPTION_ARG_STRING, &o.low,
      "ZBox lower bound(s), one or one per channel", "L" },
    { "high", 0, 0, G_OPTION_ARG_STRING, &o.high, "ZBox upper bound(s)", "H" },
    { "class", 'c', 0, G_OPTION_ARG_INT, &o.class_index,
      "Class to explain (default: the predicted one)", "N" },
    { "contrast", 0, 0, G_OPTION_ARG_INT, &o.contrast, "Explain the class minus class M", "M" },
    { "start", 0, 0, G_OPTION_ARG_STRING, &o.start,
      "Start relevance: logit (default) or one", "KIND" },
    { "from-layer", 0, 0, G_OPTION_ARG_STRING, &o.layer,
      "Start at this tensor instead of the output", "TENSOR" },
    { "channel", 0, 0, G_OPTION_ARG_INT, &o.channel, "With --from-layer: one channel", "C" },
    { "neuron", 0, 0, G_OPTION_ARG_INT64, &o.neuron,
      "With --from-layer: one element (flat index)", "I" },
    { "samples", 0, 0, G_OPTION_ARG_INT, &o.samples,
      "SmoothGrad / Integrated Gradients samples (32)", "N" },
    { "noise", 0, 0, G_OPTION_ARG_DOUBLE, &o.noise,
      "SmoothGrad noise, share of the input range (0.1)", "S" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &o.out,
      "Write the input relevance as float32 .npy", "R.npy" },
    { "layers", 0, 0, G_OPTION_ARG_FILENAME, &o.layers,
      "Write every tensor's relevance and index.json", "DIR" },
    { "heatmap", 0, 0, G_OPTION_ARG_FILENAME, &o.heatmap,
      "Write the heatmap (.png, .pdf or .svg)", "H.png" },
    { "overlay", 0, 0, G_OPTION_ARG_FILENAME, &o.overlay,
      "Write the heatmap over the image (.png, .pdf or .svg)", "O.png" },
    { "colorbar", 0, 0, G_OPTION_ARG_FILENAME, &o.colorbar,
      "Write the colour bar with its values (.png, .pdf or .svg)", "B.svg" },
    { "colormap", 0, 0, G_OPTION_ARG_STRING, &o.colormap,
      "Colormap of the images (default bwr; see --list)", "NAME" },
    { "clip", 0, 0, G_OPTION_ARG_DOUBLE, &o.clip,
      "Percentile of |R| shown in full colour (99)", "PCT" },
    { "normalization", 0, 0, G_OPTION_ARG_STRING, &o.normalization,
      "symmetric (0 at the colormap's centre, default) or absolute (|R|)", "KIND" },
    { "opacity", 0, 0, G_OPTION_ARG_DOUBLE, &o.opacity,
      "Weight of the heatmap in --overlay, 0 to 1 (1)", "A" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &o.verbose, "Print relevance per layer", NULL },
    { "ascii", 0, 0, G_OPTION_ARG_NONE, &o.ascii, "Print the heatmap as text", NULL },
    { "list", 0, 0, G_OPTION_ARG_NONE, &list, "List composites, rules and baselines", NULL },
    { NULL },
  };
  gboolean ok;

  context = g_option_context_new ("MODEL.onnx INPUT — explain a prediction with LRP");
  g_option_context_set_summary (context, "explain");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!parse (context, &argc, &argv))
    return EXIT_BAD_INPUT;
  if (list)
    {
      lens_explain_print_list ();
      explain_options_clear (&o);
      return 0;
    }
  if (argc != 3)
    {
      explain_options_clear (&o);
      return usage (context, "explain takes a model and an input");
    }
  ok = lens_explain (argv[1], argv[2], &o, &error);
  explain_options_clear (&o);
  return ok ? 0 : fail (error);
}

static int
cmd_bench (int argc,
           char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) composites = NULL;
  int runs = 5;
  GOptionEntry entries[] = {
    { "composite", 0, 0, G_OPTION_ARG_STRING_ARRAY, &composites,
      "Composite to time (repeatable; default epsilon_gamma_box and epsilon_plus_flat)", "NAME" },
    { "runs", 'n', 0, G_OPTION_ARG_INT, &runs, "Timed runs after the warm-up (5)", "N" },
    { NULL },
  };

  context = g_option_context_new ("MODEL.onnx [INPUT] — time forward and explanations");
  g_option_context_set_summary (context, "bench");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!parse (context, &argc, &argv))
    return EXIT_BAD_INPUT;
  if (argc < 2 || argc > 3)
    return usage (context, "bench takes a model and optionally an input");
  if (runs < 1 || runs > 10000)
    return usage (context, "--runs must be between 1 and 10000");
  if (!lens_bench (argv[1], argc == 3 ? argv[2] : NULL, composites, runs, &error))
    return fail (error);
  return 0;
}

static void
print_help (void)
{
  g_print ("Usage:\n"
           "  lrplens [MODEL.onnx [IMAGE]]     open the window (the bundled model and image)\n"
           "  lrplens info MODEL.onnx          list the layers of a model\n"
           "  lrplens predict MODEL.onnx INPUT [--top K] [--json] [--logits OUT.npy]\n"
           "  lrplens explain MODEL.onnx INPUT [--composite NAME | --rules MAP | --baseline NAME]\n"
           "                  [--class N] [--out R.npy] [--heatmap H.png|.pdf|.svg]\n"
           "                  [--colormap NAME] [--clip PCT] ...  (--list, --help)\n"
           "  lrplens bench MODEL.onnx [INPUT] [--composite NAME ...] [--runs N]\n"
           "\n"
           "INPUT is an image (PNG, JPEG), a .npy float32 tensor or an ONNX TensorProto .pb;\n"
           "tensors are taken as already preprocessed.  “lrplens COMMAND --help” says more.\n");
}

/* Verbs and the options that answer on the terminal, and words that are
 * neither a verb nor a file (a mistyped verb gets an error, not a window).
 * Nothing, files to open and other options are for the window. */
gboolean
lens_cli_is_command (int argc,
                     char **argv)
{
  static const char *const verbs[] = {
    "info", "predict", "explain", "bench", "help", "--help", "-h", "--version",
  };

  if (argc < 2)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (verbs); i++)
    if (g_str_equal (argv[1], verbs[i]))
      return TRUE;
  return argv[1][0] != '-' && strchr (argv[1], '.') == NULL && strchr (argv[1], '/') == NULL
         && !g_file_test (argv[1], G_FILE_TEST_EXISTS);
}

int
lens_cli_run (int argc,
              char **argv)
{
  const char *cmd = argc > 1 ? argv[1] : NULL;

  lrp_init ();
  if (g_str_equal (cmd, "info"))
    return cmd_info (argc - 1, argv + 1);
  if (g_str_equal (cmd, "predict"))
    return cmd_predict (argc - 1, argv + 1);
  if (g_str_equal (cmd, "explain"))
    return cmd_explain (argc - 1, argv + 1);
  if (g_str_equal (cmd, "bench"))
    return cmd_bench (argc - 1, argv + 1);
  if (g_str_equal (cmd, "--help") || g_str_equal (cmd, "-h") || g_str_equal (cmd, "help"))
    {
      print_help ();
      return 0;
    }
  if (g_str_equal (cmd, "--version"))
    {
      g_print ("lrplens %s\n", PACKAGE_VERSION);
      return 0;
    }
  g_printerr ("lrplens: unknown command “%s”\n", cmd);
  print_help ();
  return EXIT_BAD_INPUT;
}
