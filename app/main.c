/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "lens-application.h"
#include "lens-cli.h"

#include <glib.h>
#include <locale.h>

int
main (int argc,
      char **argv)
{
  g_autoptr(LensApplication) app = NULL;

  /* Messages are UTF-8; in the bare C locale GLib would print “ as ?. */
  if (setlocale (LC_ALL, "") == NULL || g_str_equal (setlocale (LC_CTYPE, NULL), "C"))
    setlocale (LC_CTYPE, "C.UTF-8");

  /* The verbs (predict, explain, info, bench, --help) need no display. */
  if (lens_cli_is_command (argc, argv))
    return lens_cli_run (argc, argv);

  if (!g_getenv ("DISPLAY") && !g_getenv ("WAYLAND_DISPLAY"))
    {
      g_printerr ("lrplens: no display to open the window on; without one, use "
                  "“lrplens predict”, “explain”, “info” or “bench” (see “lrplens --help”)\n");
      return 2;
    }
  app = lens_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
