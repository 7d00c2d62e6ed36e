/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Forward-pass benchmark: for each model given, the median time of the
 * forward pass at its input shape, the GFLOP/s that makes (2 × the
 * multiply-adds of every Conv, Gemm and MatMul), and, in the same run, the
 * GFLOP/s cblas_sgemm reaches on the machine, with the share of it the
 * forward pass achieves.  tools/bench-forward.sh exports VGG16- and
 * ResNet50-shaped networks and runs this.
 *
 *   bench-forward [--runs N] MODEL.onnx...
 */
#include "config.h"

#include "lrp-blas-private.h"
#include "lrp-run-private.h"

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

/* sgemm at the shape of a large VGG16 layer (conv3: 256 x 2304 x 3136). */
static double
sgemm_gflops (int runs)
{
  const int64_t m = 256, k = 2304, n = 3136;
  g_autofree float *a = g_new (float, m * k);
  g_autofree float *b = g_new (float, k * n);
  g_autofree float *c = g_new (float, m * n);
  g_autofree double *t = g_new (double, runs);

  for (int64_t i = 0; i < m * k; i++)
    a[i] = (float) (i % 7) * 0.1f;
  for (int64_t i = 0; i < k * n; i++)
    b[i] = (float) (i % 5) * 0.1f;
  lrp_sgemm (FALSE, FALSE, m, n, k, 1.f, a, k, b, n, 0.f, c, n);
  for (int r = 0; r < runs; r++)
    {
      gint64 start = g_get_monotonic_time ();

      lrp_sgemm (FALSE, FALSE, m, n, k, 1.f, a, k, b, n, 0.f, c, n);
      t[r] = (double) (g_get_monotonic_time () - start) / 1e6;
    }
  return 2.0 * (double) (m * n * k) / median (t, runs) / 1e9;
}

int
main (int argc,
      char **argv)
{
  int runs = 5;
  double peak;
  GOptionEntry entries[] = {
    { "runs", 'n', 0, G_OPTION_ARG_INT, &runs, "Timed runs per model (5)", "N" },
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
  peak = sgemm_gflops (runs);
  g_print ("sgemm: %.1f GFLOP/s (256 x 2304 x 3136, %d threads)\n", peak,
           (int) g_get_num_processors ());
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(LrpModel) model = lrp_model_load (argv[i], NULL, &error);
      g_autoptr(LrpTensor) x = NULL;
      g_autoptr(LrpRun) run = NULL;
      g_autofree double *t = g_new (double, runs);
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
      for (int r = 0; r < runs; r++)
        {
          gint64 start = g_get_monotonic_time ();

          lrp_run_forward (run, x, NULL, NULL);
          t[r] = (double) (g_get_monotonic_time () - start) / 1e6;
        }
      flops = model_flops (model);
      med = median (t, runs);
      g_print ("%s: forward %.1f ms median of %d, %.2f GFLOP, %.1f GFLOP/s = %.0f%% of sgemm\n",
               name, med * 1e3, runs, flops / 1e9, flops / med / 1e9,
               100.0 * flops / med / 1e9 / peak);
    }
  return 0;
}
