/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The command line: `lrplens info`, `lrplens predict`, and (until the GUI
 * exists) a bare `lrplens` that predicts the bundled model on the bundled
 * image.  Every failure prints one line and exits with status 2.
 */
#include "config.h"

#include "lens-cli.h"

#include "lens-predict.h"

#include "lrp.h"

#include <stdio.h>

#define EXIT_BAD_INPUT 2

#define DEFAULT_MODEL "resource:///org/lrplens/Lens/models/fashion-cnn.onnx"
#define DEFAULT_IMAGE "resource:///org/lrplens/Lens/images/default.png"

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
  g_autoptr(GOptionContext) context = g_option_context_new ("MODEL.onnx — list the layers of a model");
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = NULL;
  g_autofree char *text = NULL;

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
    { "top", 'k', 0, G_OPTION_ARG_INT, &opts.top, "Show the K most likely classes (default 5)", "K" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &opts.json, "Print JSON", NULL },
    { "logits", 0, 0, G_OPTION_ARG_FILENAME, &logits_path, "Write the raw output as float32 .npy", "OUT.npy" },
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
print_help (void)
{
  g_print ("Usage:\n"
           "  lrplens                                   predict the bundled model on its sample image\n"
           "  lrplens info MODEL.onnx                   list the layers of a model\n"
           "  lrplens predict MODEL.onnx INPUT [--top K] [--json] [--logits OUT.npy]\n"
           "\n"
           "INPUT is an image (PNG, JPEG), a .npy float32 tensor or an ONNX TensorProto .pb;\n"
           "tensors are taken as already preprocessed.  “lrplens COMMAND --help” says more.\n");
}

int
lens_cli_run (int argc,
              char **argv)
{
  const char *cmd = argc > 1 ? argv[1] : NULL;

  lrp_init ();
  if (cmd == NULL)
    {
      g_autoptr(GError) error = NULL;
      LensPredictOptions opts = { .top = 3 };

      if (!lens_predict (DEFAULT_MODEL, DEFAULT_IMAGE, &opts, &error))
        return fail (error);
      return 0;
    }
  if (g_str_equal (cmd, "info"))
    return cmd_info (argc - 1, argv + 1);
  if (g_str_equal (cmd, "predict"))
    return cmd_predict (argc - 1, argv + 1);
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
