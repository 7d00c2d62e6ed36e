/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "lens-cli.h"

#include <glib.h>
#include <locale.h>

int
main (int argc,
      char **argv)
{
  /* Messages are UTF-8; in the bare C locale GLib would print “ as ?. */
  if (setlocale (LC_ALL, "") == NULL || g_str_equal (setlocale (LC_CTYPE, NULL), "C"))
    setlocale (LC_CTYPE, "C.UTF-8");
  return lens_cli_run (argc, argv);
}
