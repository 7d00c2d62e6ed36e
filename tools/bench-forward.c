/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Forward-pass benchmark: for each model given, the median time of the
 * forward pass at its input shape, the GFLOP/s that makes (2 × the
 * multiply-adds of every Conv, Gemm and MatMul), and, in the same run, the
 * GFLOP/s cblas_sgemm reaches on the machine, with the share of it the
 * forward pass achieves.  The machine's speed drifts (shared cores), so
 * each forward pass is timed right after an sgemm of the same shape as a
 * large VGG layer and the share is the median of those pairs.
 * tools/bench-forward.sh exports VGG16- and ResNet50-shaped networks and
 * runs this.
 *
 *   bench-forward [--runs N] MODEL.onnx...
 */
#include "config.h"

#include "lrp-blas-private.h"
#include "lrp-run-private.h"

#include <cblas.h>
#include <stdlib.h>

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *v,
        int n)
{
  qsort (v, (size_t) n, sizeof (double), compare_doubles);
  return v[n / 2];
}

/* 2 × multiply-adds of the linear layers, from the inferred shapes. */
static double
model_flops (const LrpModel *m)
{
  double flops = 0;

  for (int n = 0; n < m->n_nodes; n++)
    {
      const LrpNode *node = &m->nodes[n];
      const LrpTensor *out = m->values[node->outputs[0]].tensor;
      const LrpTensor *w = node->n_inputs > 1 && node->inputs[1] >= 0
                           ? m->values[node->inputs[1]].tensor : NULL;

      if (w == NULL)
        continue;
      if (g_str_equal (node->op_type, "Conv"))
        /* each output element: C/group × kernel products */
        flops += 2.0 * (double) out->n * (double) (w->n / w->shape[0]);
      else if (g_str_equal (node->op_type, "Gemm") || g_str_equal (node->op_type, "MatMul"))
        flops += 2.0 * (double) out->n * (double) (w->n / out->shape[out->rank - 1]);
    }
  return flops;
}

/* One sgemm at the shape of a large VGG16 layer (conv3: 256 x 2304 x 3136):
 * returns its GFLOP/s. */
typedef struct
{
  int64_t m, k, n;
  float *a, *b, *c;
} Sgemm;

static void
sgemm_init (Sgemm *s)
{
  s->m = 256;
  s->k = 2304;
  s->n = 3136;
  s->a = g_new (float, s->m * s->k);
  s->b = g_new (float, s->k * s->n);
  s->c = g_new (float, s->m * s->n);
  for (int64_t i = 0; i < s->m * s->k; i++)
    s->a[i] = (float) (i % 7) * 0.1f;
  for (int64_t i = 0; i < s->k * s->n; i++)
    s->b[i] = (float) (i % 5) * 0.1f;
}

static double
gflops_since (const Sgemm *s,
              gint64 start)
{
  double seconds = (double) (g_get_monotonic_time () - start) / 1e6;

  return 2.0 * (double) (s->m * s->n * s->k) / seconds / 1e9;
}

/* The better of OpenBLAS's own threading (every core) and the engine's
 * (lrp_sgemm: one single-threaded call per core), so the reference is
 * what the machine's sgemm can do, whichever way it is driven. */
static double
sgemm_once (Sgemm *s)
{
  gint64 start;
  double native, split;

  openblas_set_num_threads ((int) g_get_num_processors ());
  start = g_get_monotonic_time ();
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) s->m, (int) s->n, (int) s->k,
               1.f, s->a, (int) s->k, s->b, (int) s->n, 0.f, s->c, (int) s->n);
  native = gflops_since (s, start);
  openblas_set_num_threads (1);
  /* OpenBLAS's threads spin for about 0.1 s after a call before they
   * sleep: let them, or they would steal a core from what is timed next. */
  g_usleep (250000);
  start = g_get_monotonic_time ();
  lrp_sgemm (FALSE, FALSE, s->m, s->n, s->k, 1.f, s->a, s->k, s->b, s->n, 0.f, s->c, s->n);
  split = gflops_since (s, start);
  return MAX (native, split);
}

int
main (int argc,
      char **argv)
{
  int runs = 11;
  Sgemm sg;
  GOptionEntry entries[] = {
    { "runs", 'n', 0, G_OPTION_ARG_INT, &runs, "Timed runs per model (11)", "N" },
    { NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("MODEL.onnx... — forward-pass benchmark");
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc < 2 || runs < 1)
    {
      g_printerr ("%s\n", error ? error->message : "usage: bench-forward [--runs N] MODEL.onnx...");
      return 2;
    }
  lrp_init ();
  sgemm_init (&sg);
  sgemm_once (&sg);
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(LrpModel) model = lrp_model_load (argv[i], NULL, &error);
      g_autoptr(LrpTensor) x = NULL;
      g_autoptr(LrpRun) run = NULL;
      g_autofree double *t = g_new (double, runs);
      g_autofree double *peak = g_new (double, runs);
      g_autofree double *share = g_new (double, runs);
      g_autofree char *name = g_path_get_basename (argv[i]);
      const int64_t *shape;
      double flops, med;
      int rank;

      if (model == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 2;
        }
      shape = lrp_model_get_input_shape (model, &rank);
      x = lrp_tensor_new_random (rank, shape, 7);
      run = lrp_run_new (model);
      if (!lrp_run_forward (run, x, NULL, &error))
        {
          g_printerr ("%s\n", error->message);
          return 2;
        }
      flops = model_flops (model);
      for (int r = 0; r < runs; r++)
        {
          gint64 start;

          peak[r] = sgemm_once (&sg);
          start = g_get_monotonic_time ();
          lrp_run_forward (run, x, NULL, NULL);
          t[r] = (double) (g_get_monotonic_time () - start) / 1e6;
          share[r] = flops / t[r] / 1e9 / peak[r];
        }
      med = median (t, runs);
      g_print ("%s: forward %.1f ms median of %d, %.2f GFLOP, %.1f GFLOP/s; sgemm %.1f GFLOP/s "
               "(256 x 2304 x 3136, %d threads); forward at %.0f%% of sgemm (median of pairs)\n",
               name, med * 1e3, runs, flops / 1e9, flops / med / 1e9, median (peak, runs),
               (int) g_get_num_processors (), 100.0 * median (share, runs));
    }
  g_free (sg.a);
  g_free (sg.b);
  g_free (sg.c);
  return 0;
}
