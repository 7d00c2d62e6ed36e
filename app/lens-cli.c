/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "lens-cli.h"

#include "lrp.h"

int
lens_cli_run (int argc,
              char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = NULL;
  g_autofree char *text = NULL;

  if (argc < 2)
    return 2;
  model = lrp_model_load (argv[1], NULL, &error);
  if (model == NULL)
    {
      g_printerr ("lrplens: %s\n", error->message);
      return 2;
    }
  text = lrp_model_describe (model);
  g_print ("%s", text);
  return 0;
}
