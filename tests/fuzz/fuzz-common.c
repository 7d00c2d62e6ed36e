/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lrp-fuzz"

#include "config.h"

#include "fuzz-common.h"

#include <stdio.h>
#include <stdlib.h>

void
fuzz_setup (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      /* One fuzzer per core: the engine's own pool would only compete. */
      g_setenv ("LRPLENS_SERIAL", "1", TRUE);
      g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
      lrp_init ();
      g_once_init_leave (&done, 1);
    }
}

void
fuzz_check_result (gboolean ok,
                   const GError *error,
                   const char *what)
{
  static int verbose = -1;

  if (verbose < 0)
    verbose = g_getenv ("LRPLENS_FUZZ_VERBOSE") != NULL;
  if (verbose && error != NULL)
    fprintf (stderr, "%s: %s\n", what, error->message);
  if (ok && error != NULL)
    {
      fprintf (stderr, "%s: success with an error set: %s\n", what, error->message);
      abort ();
    }
  if (!ok && error == NULL)
    {
      fprintf (stderr, "%s: failure without an error\n", what);
      abort ();
    }
  if (error != NULL && error->domain != LRP_ONNX_ERROR && error->domain != LRP_MODEL_ERROR
      && error->domain != LRP_RUN_ERROR && error->domain != LRP_INPUT_ERROR)
    {
      fprintf (stderr, "%s: error outside the engine's domains (%s): %s\n", what,
               g_quark_to_string (error->domain), error->message);
      abort ();
    }
  if (error != NULL && (error->message == NULL || error->message[0] == '\0'
                        || !g_utf8_validate (error->message, -1, NULL)))
    {
      fprintf (stderr, "%s: error without a readable message\n", what);
      abort ();
    }
}
