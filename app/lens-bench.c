/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `lrplens bench`: timings in one process after a warm-up, one line each:
 *   forward: MEDIAN ms (min …, max …)
 *   explain NAME: MEDIAN ms (…)          forward + relevance, fresh each run
 *   change-class NAME: MEDIAN ms (…)     relevance only, the forward pass cached
 *   update-first-layer: MEDIAN ms (…)    only the first layer's rule changed
 *   peak-rss: N MiB
 */
#include "config.h"

#include "lens-bench.h"

#include "lrp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

typedef gboolean (*BenchFunc) (gpointer data, GError **error);

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Runs @func once to warm up, then @runs times; prints the line. */
static gboolean
time_runs (const char *label,
           int runs,
           BenchFunc func,
           gpointer data,
           GError **error)
{
  g_autofree double *ms = g_new (double, runs);

  if (!func (data, error))
    return FALSE;
  for (int i = 0; i < runs; i++)
    {
      gint64 start = g_get_monotonic_time ();

      if (!func (data, error))
        return FALSE;
      ms[i] = (double) (g_get_monotonic_time () - start) / 1000.0;
    }
  qsort (ms, (size_t) runs, sizeof (double), compare_doubles);
  g_print ("%s: %.1f ms (min %.1f, max %.1f)\n", label, ms[runs / 2], ms[0], ms[runs - 1]);
  return TRUE;
}

typedef struct
{
  LrpModel *model;
  LrpTensor *input;
  LrpRun *run;
  LrpComposite *composite;      /* explain */
  LrpComposite *first[2];       /* update-first-layer: two maps differing at #0 */
  LrpExplainer *explainer;
  int flip;
} Bench;

static gboolean
bench_forward (gpointer data,
               GError **error)
{
  Bench *b = data;

  return lrp_run_forward (b->run, b->input, NULL, error);
}

static gboolean
bench_explain (gpointer data,
               GError **error)
{
  Bench *b = data;
  g_autoptr(LrpExplainer) e = lrp_explainer_new (b->model, b->input, NULL, error);
  LrpTarget t = LRP_TARGET_INIT;

  return e && lrp_explainer_explain (e, b->composite, &t, NULL, error);
}

/* Another class each time, so the whole relevance pass runs on the cached
 * forward pass (what a user waits for after picking a class). */
static gboolean
bench_change_class (gpointer data,
                    GError **error)
{
  Bench *b = data;
  LrpTarget t = LRP_TARGET_INIT;

  b->flip = !b->flip;
  t.class_index = b->flip;
  return lrp_explainer_explain (b->explainer, b->composite, &t, NULL, error);
}

static gboolean
bench_update_first (gpointer data,
                    GError **error)
{
  Bench *b = data;
  LrpTarget t = LRP_TARGET_INIT;

  b->flip = !b->flip;
  return lrp_explainer_explain (b->explainer, b->first[b->flip], &t, NULL, error);
}

static gboolean
bench_composites (Bench *b,
                  char **composites,
                  int runs,
                  GError **error)
{
  for (int i = 0; composites[i]; i++)
    {
      g_autofree char *label = g_strdup_printf ("explain %s", composites[i]);
      gboolean ok;

      g_autofree char *cached = g_strdup_printf ("change-class %s", composites[i]);

      b->composite = lrp_composite_parse (composites[i], error);
      if (b->composite == NULL)
        return FALSE;
      ok = time_runs (label, runs, bench_explain, b, error);
      b->explainer = ok ? lrp_explainer_new (b->model, b->input, NULL, error) : NULL;
      ok = ok && b->explainer && time_runs (cached, runs, bench_change_class, b, error);
      g_clear_pointer (&b->explainer, lrp_explainer_free);
      g_clear_pointer (&b->composite, lrp_composite_free);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

/* The first composite with its first layer switched between two rules
 * (ε and Flat): everything above it stays cached. */
static gboolean
bench_first_layer (Bench *b,
                   const char *composite,
                   int runs,
                   GError **error)
{
  g_autofree char *a = g_strdup_printf ("%s;#0=epsilon", composite);
  g_autofree char *c = g_strdup_printf ("%s;#0=flat", composite);
  LrpTarget t = LRP_TARGET_INIT;
  gboolean ok;

  b->first[0] = lrp_composite_parse (a, error);
  b->first[1] = b->first[0] ? lrp_composite_parse (c, error) : NULL;
  b->explainer = b->first[1] ? lrp_explainer_new (b->model, b->input, NULL, error) : NULL;
  ok = b->explainer && lrp_explainer_explain (b->explainer, b->first[0], &t, NULL, error)
       && time_runs ("update-first-layer", runs, bench_update_first, b, error);
  g_clear_pointer (&b->explainer, lrp_explainer_free);
  g_clear_pointer (&b->first[0], lrp_composite_free);
  g_clear_pointer (&b->first[1], lrp_composite_free);
  return ok;
}

static void
reset_peak (void)
{
  FILE *f = fopen ("/proc/self/clear_refs", "w");

  if (f)
    {
      fputs ("5", f);
      fclose (f);
    }
}

/* VmHWM in MiB, or 0 where /proc does not tell. */
static long
read_peak (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL)
      || (line = strstr (status, "VmHWM:")) == NULL)
    return 0;
  return strtol (line + strlen ("VmHWM:"), NULL, 10) / 1024;
}

gboolean
lens_bench (const char *model_path,
            const char *input_path,
            char **composites,
            int runs,
            GError **error)
{
  g_autoptr(LrpModel) model = lrp_model_load (model_path, NULL, error);
  char *defaults[] = { "epsilon_gamma_box", "epsilon_plus_flat", NULL };
  Bench b = { 0 };
  struct rusage usage;
  long explain_peak = 0, load_peak = 0;
  gboolean ok;

  if (model == NULL)
    return FALSE;
  if (composites == NULL || composites[0] == NULL)
    composites = defaults;
  if (input_path)
    b.input = lrp_model_load_input (model, input_path, error);
  else
    {
      int rank;
      const int64_t *shape = lrp_model_get_input_shape (model, &rank);

      b.input = lrp_tensor_new_random (rank, shape, 1);
    }
  if (b.input == NULL)
    return FALSE;
  b.model = model;
  b.run = lrp_run_new (model);
  /* Loading holds protobuf-c's copy of the file next to the weights; the
   * explanations' own peak is measured from here (Linux: reset VmHWM). */
  load_peak = read_peak ();
  reset_peak ();
  ok = time_runs ("forward", runs, bench_forward, &b, error);
  /* Each explanation has its own forward pass: this one's activations
   * would only add to the peak. */
  g_clear_pointer (&b.run, lrp_run_free);
  ok = ok && bench_composites (&b, composites, runs, error)
       && bench_first_layer (&b, composites[0], runs, error);
  lrp_tensor_unref (b.input);
  if (!ok)
    return FALSE;
  explain_peak = read_peak ();
  /* ru_maxrss shares VmHWM's counter, which reset_peak() cleared. */
  getrusage (RUSAGE_SELF, &usage);
  g_print ("peak-rss: %ld MiB\n", MAX (usage.ru_maxrss / 1024, load_peak));
  if (explain_peak > 0)
    g_print ("peak-rss-after-load: %ld MiB (the timed runs; loading peaked at %ld MiB)\n",
             explain_peak, load_peak);
  return TRUE;
}
