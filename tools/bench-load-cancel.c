/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * How soon a model load answers a cancel: loads MODEL once uncancelled,
 * then cancels loads from another thread at 0, 1/8, 2/8, ... 7/8 of that
 * time and prints, for each, when the load returned after the cancel.
 *
 *   bench-load-cancel MODEL.onnx [ROUNDS]
 */
#include "config.h"

#include "lrp.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct
{
  GCancellable *cancellable;
  gint64 delay;                /* µs */
  gint64 cancelled_at;
} Job;

static gpointer
cancel_thread (gpointer data)
{
  Job *job = data;

  g_usleep ((gulong) job->delay);
  job->cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (job->cancellable);
  return NULL;
}

int
main (int argc,
      char **argv)
{
  int rounds = argc > 2 ? atoi (argv[2]) : 1;
  gint64 start, full;
  double worst = 0;
  LrpModel *model;
  GError *error = NULL;

  if (argc < 2)
    {
      fprintf (stderr, "usage: bench-load-cancel MODEL.onnx [ROUNDS]\n");
      return 2;
    }
  lrp_init ();
  start = g_get_monotonic_time ();
  model = lrp_model_load (argv[1], NULL, &error);
  full = g_get_monotonic_time () - start;
  if (model == NULL)
    {
      fprintf (stderr, "bench-load-cancel: %s\n", error->message);
      return 2;
    }
  lrp_model_unref (model);
  printf ("load: %.1f ms\n", (double) full / 1000);
  for (int r = 0; r < rounds; r++)
    for (int eighth = 0; eighth < 8; eighth++)
      {
        Job job = { g_cancellable_new (), full * eighth / 8, 0 };
        GThread *thread = g_thread_new ("cancel", cancel_thread, &job);
        gint64 end;

        model = lrp_model_load (argv[1], job.cancellable, &error);
        end = g_get_monotonic_time ();
        g_thread_join (thread);
        if (model)
          printf ("cancel at %6.1f ms: loaded first\n", (double) job.delay / 1000);
        else
          {
            double latency = (double) (end - job.cancelled_at) / 1000;

            printf ("cancel at %6.1f ms: returned %.1f ms later (%s)\n",
                    (double) job.delay / 1000, latency, error->message);
            worst = MAX (worst, latency);
          }
        g_clear_pointer (&model, lrp_model_unref);
        g_clear_error (&error);
        g_object_unref (job.cancellable);
      }
  printf ("longest: %.1f ms\n", worst);
  return 0;
}
