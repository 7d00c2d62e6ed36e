/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The explainer: targets (class, contrast, intermediate start), incremental
 * updates equal fresh runs, cancellation, baselines, and the errors a
 * person gets for a bad target or a graph LRP cannot cross.
 */
#include "config.h"

#include "lrp-run-private.h"
#include "lrp-test-onnx.h"
#include "lrp-test-util.h"

#include <math.h>
#include <string.h>

static LrpTensor *
cnn_input (guint32 seed)
{
  static const int64_t shape[] = { 1, 3, 4, 4 };

  return lrp_tensor_new_random (4, shape, seed);
}

static LrpExplainer *
new_explainer (LrpModel *model,
               LrpTensor *x)
{
  g_autoptr(GError) error = NULL;
  LrpExplainer *e = lrp_explainer_new (model, x, NULL, &error);

  g_assert_no_error (error);
  return e;
}

static void
run (LrpExplainer *e,
     const char *spec,
     const LrpTarget *t)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpComposite) c = lrp_composite_parse (spec, &error);

  g_assert_no_error (error);
  g_assert_true (lrp_explainer_explain (e, c, t, NULL, &error));
  g_assert_no_error (error);
}

static double
sum_of (const LrpTensor *t)
{
  double s = 0;

  for (int64_t i = 0; i < t->n; i++)
    s += lrp_tensor_f (t)[i];
  return s;
}

static void
assert_same (const LrpTensor *a,
             const LrpTensor *b,
             double tol)
{
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpfloat (lrp_test_rel_error (a, b), <=, tol);
}

/* Changing the first layer's rule, then the class: each result equals a
 * fresh explainer's, at every tensor. */
static void
test_incremental (void)
{
  g_autoptr(LrpModel) model = lrp_test_model_small_cnn ();
  g_autoptr(LrpTensor) x = cnn_input (1);
  g_autoptr(LrpExplainer) e = new_explainer (model, x);
  const char *steps[][2] = {
    { "epsilon_gamma_box", "0" }, { "epsilon_gamma_box;#0=flat", "0" },
    { "epsilon_gamma_box;#0=flat;#1=zplus", "0" }, { "epsilon_gamma_box;#0=flat", "2" },
    { "epsilon_gamma_box;#-1=lrp0", "2" },
  };

  for (gsize s = 0; s < G_N_ELEMENTS (steps); s++)
    {
      g_autoptr(LrpExplainer) fresh = new_explainer (model, x);
      g_auto(GStrv) names = NULL;
      LrpTarget t = LRP_TARGET_INIT;

      t.class_index = atoi (steps[s][1]);
      run (e, steps[s][0], &t);
      run (fresh, steps[s][0], &t);
      names = lrp_explainer_list_tensors (fresh);
      for (int i = 0; names[i]; i++)
        assert_same (lrp_explainer_get_relevance (e, names[i]),
                     lrp_explainer_get_relevance (fresh, names[i]), 1e-6);
    }
}

/* A node reading the same tensor twice (Add(a, a)) above the changed
 * layer: its kept contributions count once each. */
static void
test_incremental_shared_input (void)
{
  static const int64_t xs[] = { 1, 4 }, ws[] = { 4, 4 }, w5s[] = { 3, 4 };
  float w0[16], w2[16], w5[12];
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(LrpModel) model = NULL;
  g_autoptr(LrpTensor) x = lrp_tensor_new_random (2, xs, 21);
  g_autoptr(LrpExplainer) e = NULL;
  const char *steps[] = { "linear=epsilon", "linear=epsilon;#1=zplus", "linear=epsilon;#0=flat" };

  for (int i = 0; i < 16; i++)
    {
      w0[i] = (float) ((i * 7) % 9 - 4) / 4.f;
      w2[i] = (float) ((i * 5) % 7 - 3) / 3.f;
      if (i < 12)
        w5[i] = (float) ((i * 3) % 5 - 2) / 2.f;
    }
  lrp_test_graph_input (g, "x", 2, xs);
  lrp_test_graph_initializer (g, "w0", 2, ws, w0);
  lrp_test_graph_initializer (g, "w2", 2, ws, w2);
  lrp_test_graph_initializer (g, "w5", 2, w5s, w5);
  lrp_test_graph_node (g, "Gemm", "g0", "x,w0", "h");
  lrp_test_graph_attr_int (g, "transB", 1);
  lrp_test_graph_node (g, "Relu", "r1", "h", "a");
  lrp_test_graph_node (g, "Gemm", "g2", "a,w2", "d");
  lrp_test_graph_attr_int (g, "transB", 1);
  lrp_test_graph_node (g, "Add", "twice", "a,a", "s");
  lrp_test_graph_node (g, "Add", "sum", "d,s", "t");
  lrp_test_graph_node (g, "Gemm", "g5", "t,w5", "y");
  lrp_test_graph_attr_int (g, "transB", 1);
  lrp_test_graph_output (g, "y");
  bytes = lrp_test_graph_pack (g);
  model = lrp_model_load_bytes (bytes, "shared.onnx", NULL, NULL);
  g_assert_nonnull (model);
  e = new_explainer (model, x);
  for (gsize k = 0; k < G_N_ELEMENTS (steps); k++)
    {
      g_autoptr(LrpExplainer) fresh = new_explainer (model, x);
      g_auto(GStrv) names = NULL;
      LrpTarget t = LRP_TARGET_INIT;

      t.class_index = 0;
      run (e, steps[k], &t);
      run (fresh, steps[k], &t);
      names = lrp_explainer_list_tensors (fresh);
      for (int i = 0; names[i]; i++)
        assert_same (lrp_explainer_get_relevance (e, names[i]),
                     lrp_explainer_get_relevance (fresh, names[i]), 1e-6);
    }
}

/* LRP is linear in the start relevance: A − B equals A minus B. */
static void
test_contrast (void)
{
  g_autoptr(LrpModel) model = lrp_test_model_small_cnn ();
  g_autoptr(LrpTensor) x = cnn_input (2);
  g_autoptr(LrpExplainer) a = new_explainer (model, x);
  g_autoptr(LrpExplainer) b = new_explainer (model, x);
  g_autoptr(LrpExplainer) ab = new_explainer (model, x);
  g_autoptr(LrpTensor) diff = NULL;
  LrpTarget ta = LRP_TARGET_INIT, tb = LRP_TARGET_INIT, tab = LRP_TARGET_INIT;
  const LrpTensor *ra, *rb;

  ta.class_index = tab.class_index = 0;
  tb.class_index = tab.contrast_class = 2;
  run (a, "epsilon_plus", &ta);
  run (b, "epsilon_plus", &tb);
  run (ab, "epsilon_plus", &tab);
  ra = lrp_explainer_get_relevance (a, NULL);
  rb = lrp_explainer_get_relevance (b, NULL);
  diff = lrp_tensor_copy (ra);
  for (int64_t i = 0; i < diff->n; i++)
    lrp_tensor_f (diff)[i] -= lrp_tensor_f (rb)[i];
  assert_same (lrp_explainer_get_relevance (ab, NULL), diff, 1e-5);
}

/* One channel of an intermediate tensor, propagated to the input. */
static void
test_from_layer (void)
{
  g_autoptr(LrpModel) model = lrp_test_model_small_cnn ();
  g_autoptr(LrpTensor) x = cnn_input (3);
  g_autoptr(LrpExplainer) e = new_explainer (model, x);
  g_autoptr(LrpRun) r = lrp_run_new (model);
  LrpTarget t = LRP_TARGET_INIT;
  const LrpTensor *a2, *rel;
  double channel_sum = 0;

  t.layer = "a2";
  t.channel = 1;
  run (e, "linear=lrp0(zero_bias=true)", &t);
  g_assert_true (lrp_run_forward (r, x, NULL, NULL));
  a2 = lrp_run_get_value (r, lrp_model_find_value (model, "a2"));
  for (int i = 16; i < 32; i++)
    channel_sum += lrp_tensor_f (a2)[i];
  rel = lrp_explainer_get_relevance (e, "a2");
  for (int i = 0; i < 16; i++)
    g_assert_cmpfloat (lrp_tensor_f (rel)[i], ==, 0.f);
  /* Bias-free LRP-0 conserves: the input gets the channel's activation sum. */
  g_assert_cmpfloat_with_epsilon (sum_of (lrp_explainer_get_relevance (e, NULL)), channel_sum,
                                  1e-4 * MAX (1.0, channel_sum));
  g_assert_null (lrp_explainer_get_relevance (e, "y"));
  g_assert_cmpint (lrp_explainer_get_class (e), ==, -1);
}

static void
test_bad_targets (void)
{
  g_autoptr(LrpModel) model = lrp_test_model_small_cnn ();
  g_autoptr(LrpTensor) x = cnn_input (4);
  g_autoptr(LrpExplainer) e = new_explainer (model, x);
  g_autoptr(LrpComposite) c = lrp_composite_parse ("epsilon_plus", NULL);
  struct { int cls, contrast; const char *layer; int channel; const char *needle; } cases[] = {
    { 3, -1, NULL, -1, "class 3 is out of range" },
    { -7, -1, NULL, -1, "out of range" },
    { 1, 1, NULL, -1, "must differ" },
    { 0, 9, NULL, -1, "contrast class 9" },
    { -1, -1, "no_such_tensor", -1, "no_such_tensor" },
    { -1, -1, "w1", -1, "w1" },
    { -1, -1, "a1", 5, "channel 5" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      LrpTarget t = LRP_TARGET_INIT;

      t.class_index = cases[i].cls == -7 ? 7 : cases[i].cls;
      t.contrast_class = cases[i].contrast;
      t.layer = cases[i].layer;
      t.channel = cases[i].channel;
      g_assert_false (lrp_explainer_explain (e, c, &t, NULL, &error));
      g_assert_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_TARGET);
      if (strstr (error->message, cases[i].needle) == NULL)
        g_error ("case %zu: “%s” does not mention “%s”", i, error->message, cases[i].needle);
    }
  /* After all that, a good target still works. */
  {
    LrpTarget t = LRP_TARGET_INIT;

    run (e, "epsilon_plus", &t);
  }
}

/* Two activations multiplied: LRP has no rule; the node is named. */
static void
test_unexplainable (void)
{
  static const int64_t shape[] = { 1, 4 };
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(LrpModel) model = NULL;
  g_autoptr(LrpTensor) x = lrp_tensor_new_random (2, shape, 5);
  g_autoptr(LrpExplainer) e = NULL;
  g_autoptr(LrpComposite) c = lrp_composite_parse ("epsilon", NULL);
  g_autoptr(GError) error = NULL;
  LrpTarget t = LRP_TARGET_INIT;

  lrp_test_graph_input (g, "x", 2, shape);
  lrp_test_graph_node (g, "Relu", "gate", "x", "a");
  lrp_test_graph_node (g, "Mul", "attention", "x,a", "y");
  lrp_test_graph_output (g, "y");
  bytes = lrp_test_graph_pack (g);
  model = lrp_model_load_bytes (bytes, "mul.onnx", NULL, &error);
  g_assert_no_error (error);
  e = new_explainer (model, x);
  g_assert_false (lrp_explainer_explain (e, c, &t, NULL, &error));
  g_assert_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_UNEXPLAINABLE);
  g_assert_nonnull (strstr (error->message, "attention"));
}

/* A final Softmax: the explanation starts at its input, the logits. */
static void
test_softmax_output (void)
{
  static const int64_t xs[] = { 1, 3 }, ws[] = { 2, 3 };
  static const float w[] = { 1, 2, -1, 0.5f, -1, 1 };
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(LrpModel) model = NULL;
  g_autoptr(LrpTensor) x = lrp_tensor_new_random (2, xs, 9);
  g_autoptr(LrpExplainer) e = NULL;
  g_autoptr(LrpRun) r = NULL;
  LrpTarget t = LRP_TARGET_INIT;
  const LrpTensor *logits;

  lrp_test_graph_input (g, "x", 2, xs);
  lrp_test_graph_initializer (g, "w", 2, ws, w);
  lrp_test_graph_node (g, "Gemm", "dense", "x,w", "logits");
  lrp_test_graph_attr_int (g, "transB", 1);
  lrp_test_graph_node (g, "Softmax", "probabilities", "logits", "p");
  lrp_test_graph_output (g, "p");
  bytes = lrp_test_graph_pack (g);
  model = lrp_model_load_bytes (bytes, "softmax.onnx", NULL, NULL);
  g_assert_true (lrp_model_get_output_is_softmax (model));
  e = new_explainer (model, x);
  t.class_index = 1;
  run (e, "epsilon", &t);
  r = lrp_run_new (model);
  g_assert_true (lrp_run_forward (r, x, NULL, NULL));
  logits = lrp_run_get_value (r, lrp_model_find_value (model, "logits"));
  g_assert_cmpfloat_with_epsilon (sum_of (lrp_explainer_get_relevance (e, "logits")),
                                  lrp_tensor_f (logits)[1], 1e-6);
  g_assert_null (lrp_explainer_get_relevance (e, "p"));
  /* Bias-free ε: the input gets all of the logit. */
  g_assert_cmpfloat_with_epsilon (sum_of (lrp_explainer_get_relevance (e, NULL)),
                                  lrp_tensor_f (logits)[1], 1e-4);
}

static void
test_cancelled (void)
{
  g_autoptr(LrpModel) model = lrp_test_model_small_cnn ();
  g_autoptr(LrpTensor) x = cnn_input (6);
  g_autoptr(LrpExplainer) e = new_explainer (model, x);
  g_autoptr(LrpComposite) c = lrp_composite_parse ("epsilon_plus", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  LrpTarget t = LRP_TARGET_INIT;

  g_cancellable_cancel (cancellable);
  g_assert_false (lrp_explainer_explain (e, c, &t, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  /* Nothing half-done stays behind: the next run is complete and right. */
  run (e, "epsilon_plus", &t);
  g_assert_nonnull (lrp_explainer_get_relevance (e, NULL));
}

/* A large convolution cancelled from another thread returns promptly. */
static gpointer
cancel_soon (gpointer data)
{
  g_usleep (20000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_cancelled_from_thread (void)
{
  static const int64_t xs[] = { 1, 64, 224, 224 }, ws[] = { 64, 64, 3, 3 };
  static const int64_t pads[] = { 1, 1, 1, 1 };
  g_autofree float *w = g_new0 (float, 64 * 64 * 9);
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(LrpModel) model = NULL;
  g_autoptr(LrpTensor) x = lrp_tensor_new_random (4, xs, 1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpRun) r = NULL;
  GThread *thread;
  gint64 start;
  gboolean ok = TRUE;

  lrp_test_graph_input (g, "x", 4, xs);
  lrp_test_graph_initializer (g, "w", 4, ws, w);
  for (int i = 0; i < 8; i++)
    {
      g_autofree char *name = g_strdup_printf ("conv%d", i);
      g_autofree char *in = i == 0 ? g_strdup ("x,w") : g_strdup_printf ("h%d,w", i - 1);
      g_autofree char *out = i == 7 ? g_strdup ("y") : g_strdup_printf ("h%d", i);

      lrp_test_graph_node (g, "Conv", name, in, out);
      lrp_test_graph_attr_ints (g, "pads", 4, pads);
    }
  lrp_test_graph_output (g, "y");
  bytes = lrp_test_graph_pack (g);
  model = lrp_model_load_bytes (bytes, "big.onnx", NULL, &error);
  g_assert_no_error (error);
  r = lrp_run_new (model);
  thread = g_thread_new ("cancel", cancel_soon, cancellable);
  start = g_get_monotonic_time ();
  for (int i = 0; i < 50 && ok; i++)
    ok = lrp_run_forward (r, x, cancellable, &error);
  g_thread_join (thread);
  g_assert_false (ok);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_test_message ("forward cancelled after %.0f ms", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);

  /* The relevance pass too, many times over in a loop until cancelled. */
  {
    g_autoptr(LrpExplainer) e = lrp_explainer_new (model, x, NULL, NULL);
    g_autoptr(LrpComposite) c1 = lrp_composite_parse ("linear=zplus", NULL);
    g_autoptr(LrpComposite) c2 = lrp_composite_parse ("linear=gamma", NULL);
    g_autoptr(GCancellable) again = g_cancellable_new ();
    LrpTarget t = LRP_TARGET_INIT;

    g_clear_error (&error);
    t.layer = "y";
    ok = TRUE;
    thread = g_thread_new ("cancel", cancel_soon, again);
    start = g_get_monotonic_time ();
    for (int i = 0; i < 50 && ok; i++)
      ok = lrp_explainer_explain (e, i % 2 ? c1 : c2, &t, again, &error);
    g_thread_join (thread);
    g_assert_false (ok);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_test_message ("relevance cancelled after %.0f ms",
                    (g_get_monotonic_time () - start) / 1000.0);
    g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  }
}

/* Three 3×3 convolutions of 64 channels at 32×32 and a dense layer of 64
 * outputs: large enough for every parallel path (Winograd, products split
 * over the cores, sgemv split by outputs) to be taken. */
static LrpModel *
wide_cnn (void)
{
  static const int64_t xs[] = { 1, 64, 32, 32 }, ws[] = { 64, 64, 3, 3 };
  static const int64_t ds[] = { 64, 64 * 32 * 32 };
  static const int64_t pads[] = { 1, 1, 1, 1 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  g_autofree float *w = g_new (float, 64 * 64 * 9);
  g_autofree float *d = g_new (float, 64 * 64 * 32 * 32);
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  LrpModel *model;

  for (int i = 0; i < 64 * 64 * 9; i++)
    w[i] = (float) g_rand_double_range (rand, -0.1, 0.12);
  for (int i = 0; i < 64 * 64 * 32 * 32; i++)
    d[i] = (float) g_rand_double_range (rand, -0.01, 0.01);
  lrp_test_graph_input (g, "x", 4, xs);
  lrp_test_graph_initializer (g, "w", 4, ws, w);
  lrp_test_graph_initializer (g, "d", 2, ds, d);
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("conv%d", i);
      g_autofree char *relu = g_strdup_printf ("relu%d", i);
      g_autofree char *in = i == 0 ? g_strdup ("x,w") : g_strdup_printf ("a%d,w", i - 1);
      g_autofree char *mid = g_strdup_printf ("h%d", i);
      g_autofree char *out = g_strdup_printf ("a%d", i);

      lrp_test_graph_node (g, "Conv", name, in, mid);
      lrp_test_graph_attr_ints (g, "pads", 4, pads);
      lrp_test_graph_node (g, "Relu", relu, mid, out);
    }
  lrp_test_graph_node (g, "Flatten", "flat", "a2", "f");
  lrp_test_graph_node (g, "Gemm", "dense", "f,d", "y");
  lrp_test_graph_attr_int (g, "transB", 1);
  lrp_test_graph_output (g, "y");
  bytes = lrp_test_graph_pack (g);
  model = lrp_model_load_bytes (bytes, "wide.onnx", NULL, &error);
  g_assert_no_error (error);
  return model;
}

typedef struct
{
  LrpModel *model;
  LrpTensor *x;
  const LrpTensor *want;
  int rounds;
} ConcurrentJob;

static gpointer
explain_rounds (gpointer data)
{
  ConcurrentJob *job = data;
  LrpTarget t = LRP_TARGET_INIT;

  for (int i = 0; i < job->rounds; i++)
    {
      g_autoptr(LrpExplainer) e = new_explainer (job->model, job->x);

      run (e, i % 2 ? "epsilon_gamma_box" : "epsilon_plus", &t);
      if (i % 2 == 0)
        assert_same (lrp_explainer_get_relevance (e, "x"), job->want, 0.0);
    }
  return NULL;
}

/* The work a model's pass holds, estimated from its shapes, decides whether
 * the pass is split over the cores: a tiny model's is not. */
static void
test_small_models (void)
{
  static const int64_t xs[] = { 1, 4, 8, 8 }, ws[] = { 6, 4, 3, 3 }, ds[] = { 384, 10 };
  static const int64_t pads[] = { 1, 1, 1, 1 };
  g_autofree float *w = g_new0 (float, 6 * 4 * 9);
  g_autofree float *d = g_new0 (float, 384 * 10);
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(LrpModel) tiny = NULL;
  g_autoptr(LrpModel) wide = wide_cnn ();
  g_autoptr(GError) error = NULL;

  lrp_test_graph_input (g, "x", 4, xs);
  lrp_test_graph_initializer (g, "w", 4, ws, w);
  lrp_test_graph_initializer (g, "d", 2, ds, d);
  lrp_test_graph_node (g, "Conv", "conv", "x,w", "h");
  lrp_test_graph_attr_ints (g, "pads", 4, pads);
  lrp_test_graph_node (g, "Flatten", "flat", "h", "f");
  lrp_test_graph_node (g, "MatMul", "dense", "f,d", "y");
  lrp_test_graph_output (g, "y");
  bytes = lrp_test_graph_pack (g);
  tiny = lrp_model_load_bytes (bytes, "tiny.onnx", NULL, &error);
  g_assert_no_error (error);
  /* 6 × 8 × 8 outputs of 4 × 3 × 3 products each, then 10 of 384. */
  g_assert_cmpfloat (tiny->macs, ==, 6 * 64 * 36 + 10 * 384);
  g_assert_true (lrp_model_is_small (tiny));
  /* Three 3×3 convolutions 64 → 64 at 32 × 32, and 65 536 → 64 (Gemm, transB). */
  g_assert_cmpfloat (wide->macs, ==, 3 * 64 * 1024 * 576.0 + 64 * 65536.0);
  g_assert_false (lrp_model_is_small (wide));
}

/* Explanations in several threads at once (a GUI comparing rules side by
 * side) share the engine's worker threads: each gets the result it gets
 * alone, to the bit (products are cut the same way whether or not the
 * cores are free). */
static void
test_concurrent (void)
{
  static const int64_t xs[] = { 1, 64, 32, 32 };
  g_autoptr(LrpModel) model = wide_cnn ();
  g_autoptr(LrpTensor) x = lrp_tensor_new_random (4, xs, 3);
  g_autoptr(LrpExplainer) alone = new_explainer (model, x);
  const LrpTensor *want;
  ConcurrentJob job = { model, x, NULL, 6 };
  GThread *threads[3];
  LrpTarget t = LRP_TARGET_INIT;

  run (alone, "epsilon_plus", &t);
  want = lrp_explainer_get_relevance (alone, "x");
  g_assert_cmpfloat (fabs (sum_of (want)), >, 0);
  job.want = want;
  for (gsize i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("explain", explain_rounds, &job);
  for (gsize i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
}

/* SmoothGrad without noise is the gradient; Integrated Gradients from 0
 * adds up to f(x) − f(0) (completeness) when seeded with 1. */
static void
test_baselines (void)
{
  g_autoptr(LrpModel) model = lrp_test_model_mlp ();
  static const int64_t shape[] = { 1, 3 };
  g_autoptr(LrpTensor) x = lrp_tensor_new_random (2, shape, 8);
  g_autoptr(LrpTensor) zero = lrp_tensor_new_float (2, shape);
  g_autoptr(LrpExplainer) grad = new_explainer (model, x);
  g_autoptr(LrpExplainer) smooth = new_explainer (model, x);
  g_autoptr(LrpExplainer) ig = new_explainer (model, x);
  g_autoptr(LrpRun) r0 = lrp_run_new (model), r1 = lrp_run_new (model);
  g_autoptr(GError) error = NULL;
  LrpTarget t = LRP_TARGET_INIT;
  double delta;

  t.class_index = 1;
  t.start = LRP_START_ONE;
  g_assert_true (lrp_explainer_baseline (grad, LRP_BASELINE_GRADIENT, &t, 0, 0, NULL, &error));
  g_assert_true (lrp_explainer_baseline (smooth, LRP_BASELINE_SMOOTHGRAD, &t, 4, 0.f, NULL, &error));
  assert_same (lrp_explainer_get_relevance (smooth, NULL), lrp_explainer_get_relevance (grad, NULL),
               1e-6);
  g_assert_true (lrp_explainer_baseline (ig, LRP_BASELINE_INTEGRATED_GRADIENTS, &t, 512, 0, NULL,
                                         &error));
  g_assert_true (lrp_run_forward (r0, zero, NULL, NULL));
  g_assert_true (lrp_run_forward (r1, x, NULL, NULL));
  delta = lrp_tensor_f (lrp_run_get_output (r1))[1] - lrp_tensor_f (lrp_run_get_output (r0))[1];
  g_test_message ("IG sum %.5f, f(x) − f(0) = %.5f",
                  sum_of (lrp_explainer_get_relevance (ig, NULL)), delta);
  g_assert_cmpfloat_with_epsilon (sum_of (lrp_explainer_get_relevance (ig, NULL)), delta,
                                  0.02 * MAX (1.0, fabs (delta)));
  /* The samples' own predictions do not replace the explained class. */
  g_assert_cmpint (lrp_explainer_get_class (ig), ==, 1);
  g_assert_false (lrp_explainer_baseline (ig, LRP_BASELINE_SMOOTHGRAD, &t, 0, 0.1f, NULL, &error));
  g_assert_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES);
}

/* ---- progress and logits ---------------------------------------------------------- */

typedef struct
{
  int calls;
  int last_node;
  double last_fraction;
  gboolean monotonic;
  int cancel_at;               /* cancel when this node is done, or -1 */
  int cancel_after;            /* or after this many calls, 0: never */
  GCancellable *cancellable;
  GThread *thread;             /* the callback's thread must be the caller's */
} Progress;

static void
progress_cb (int node,
             const char *name,
             double fraction,
             gpointer user_data)
{
  Progress *p = user_data;

  g_assert_nonnull (name);
  g_assert_true (p->thread == g_thread_self ());
  p->monotonic = p->monotonic && fraction >= p->last_fraction && fraction <= 1.0;
  p->calls++;
  p->last_node = node;
  p->last_fraction = fraction;
  if (node == p->cancel_at || p->calls == p->cancel_after)
    g_cancellable_cancel (p->cancellable);
}

static void
progress_reset (Progress *p)
{
  p->calls = 0;
  p->last_node = -1;
  p->last_fraction = 0;
  p->monotonic = TRUE;
  p->cancel_at = -1;
  p->cancel_after = 0;
  p->thread = g_thread_self ();
}

static void
test_progress (void)
{
  g_autoptr(LrpModel) model = lrp_test_model_small_cnn ();
  g_autoptr(LrpTensor) x = cnn_input (3);
  g_autoptr(LrpExplainer) e = new_explainer (model, x);
  g_autoptr(GError) error = NULL;
  Progress p = { 0 };
  LrpTarget t = LRP_TARGET_INIT;
  int n_nodes = lrp_model_get_n_nodes (model);

  lrp_explainer_set_progress (e, progress_cb, &p);
  progress_reset (&p);
  run (e, "epsilon_plus", &t);
  g_assert_cmpint (p.calls, ==, n_nodes);
  g_assert_cmpint (p.last_node, ==, 0);
  g_assert_cmpfloat (p.last_fraction, ==, 1.0);
  g_assert_true (p.monotonic);

  /* Only the first layer's rule changed: one node runs. */
  progress_reset (&p);
  run (e, "epsilon_plus;#0=flat", &t);
  g_assert_cmpint (p.calls, ==, 1);
  g_assert_cmpfloat (p.last_fraction, ==, 1.0);
  /* Nothing changed: nothing runs. */
  progress_reset (&p);
  run (e, "epsilon_plus;#0=flat", &t);
  g_assert_cmpint (p.calls, ==, 0);

  /* A baseline with samples: a forward and a gradient pass per sample. */
  progress_reset (&p);
  g_assert_true (lrp_explainer_baseline (e, LRP_BASELINE_SMOOTHGRAD, &t, 3, 0.1f, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (p.calls, ==, n_nodes * (1 + 2 * 3));
  g_assert_cmpfloat (p.last_fraction, ==, 1.0);
  g_assert_true (p.monotonic);

  /* Switched off. */
  lrp_explainer_set_progress (e, NULL, NULL);
  progress_reset (&p);
  run (e, "epsilon", &t);
  g_assert_cmpint (p.calls, ==, 0);
}

static void
test_logits (void)
{
  static const int64_t xs[] = { 1, 3 }, ws[] = { 2, 3 };
  static const float w[] = { 1, 2, -1, 0.5f, -1, 1 };
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(LrpModel) model = NULL;
  g_autoptr(LrpModel) cnn = lrp_test_model_small_cnn ();
  g_autoptr(LrpTensor) x = lrp_tensor_new_random (2, xs, 9);
  g_autoptr(LrpTensor) xc = cnn_input (4);
  g_autoptr(LrpExplainer) e = NULL;
  g_autoptr(LrpExplainer) ec = NULL;
  g_autoptr(LrpRun) r = NULL;
  LrpTensor *logits;

  lrp_test_graph_input (g, "x", 2, xs);
  lrp_test_graph_initializer (g, "w", 2, ws, w);
  lrp_test_graph_node (g, "Gemm", "dense", "x,w", "logits");
  lrp_test_graph_attr_int (g, "transB", 1);
  lrp_test_graph_node (g, "Softmax", "probabilities", "logits", "p");
  lrp_test_graph_output (g, "p");
  bytes = lrp_test_graph_pack (g);
  model = lrp_model_load_bytes (bytes, "softmax.onnx", NULL, NULL);
  e = new_explainer (model, x);
  r = lrp_run_new (model);
  g_assert_true (lrp_run_forward (r, x, NULL, NULL));
  /* Before any explanation: the forward pass's, the input of the Softmax. */
  logits = lrp_explainer_get_logits (e);
  g_assert_cmpint (lrp_tensor_get_rank (logits), ==, 2);
  g_assert_cmpint (lrp_tensor_get_shape (logits)[1], ==, 2);
  assert_same (logits, lrp_run_get_value (r, lrp_model_find_value (model, "logits")), 0);
  /* No Softmax: the output itself. */
  ec = new_explainer (cnn, xc);
  g_clear_pointer (&r, lrp_run_free);
  r = lrp_run_new (cnn);
  g_assert_true (lrp_run_forward (r, xc, NULL, NULL));
  assert_same (lrp_explainer_get_logits (ec), lrp_run_get_output (r), 0);
}

static void
assert_identical (LrpExplainer *a,
                  LrpExplainer *b)
{
  g_auto(GStrv) names = lrp_explainer_list_tensors (b);
  g_auto(GStrv) names_a = lrp_explainer_list_tensors (a);

  g_assert_cmpuint (g_strv_length (names), >, 0);
  g_assert_cmpuint (g_strv_length (names_a), ==, g_strv_length (names));
  for (int i = 0; names[i]; i++)
    {
      LrpTensor *x = lrp_explainer_get_relevance (a, names[i]);
      LrpTensor *y = lrp_explainer_get_relevance (b, names[i]);

      g_assert_nonnull (x);
      g_assert_cmpint (lrp_tensor_get_n_elements (x), ==, lrp_tensor_get_n_elements (y));
      g_assert_cmpmem (lrp_tensor_get_data (x), lrp_tensor_get_n_elements (x) * 4,
                       lrp_tensor_get_data (y), lrp_tensor_get_n_elements (y) * 4);
    }
}

static void
assert_no_relevance (LrpExplainer *e,
                     GStrv names)
{
  g_auto(GStrv) held = lrp_explainer_list_tensors (e);
  g_autofree char *text = lrp_explainer_describe (e);

  g_assert_cmpuint (g_strv_length (held), ==, 0);
  g_assert_null (lrp_explainer_get_relevance (e, NULL));
  for (int i = 0; names[i]; i++)
    g_assert_null (lrp_explainer_get_relevance (e, names[i]));
  g_assert_nonnull (strstr (text, "no explanation"));
}

/* A tensor read by four layers, the lowest of which changes its rule: the
 * relevance the other three sent, kept, is summed in the order a full pass
 * sums it, so the update equals a fresh run to the bit. */
static void
test_incremental_bitwise (void)
{
  static const int64_t xs[] = { 1, 16 }, ws[] = { 16, 16 }, w5s[] = { 3, 16 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (31);
  float w[6][256];
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(LrpModel) model = NULL;
  g_autoptr(LrpTensor) x = lrp_tensor_new_random (2, xs, 22);
  g_autoptr(LrpExplainer) e = NULL;
  const char *steps[] = { "linear=epsilon", "linear=epsilon;name:g1=zplus",
                          "linear=epsilon;name:g1=epsilon(epsilon=0.5)" };
  LrpTarget t = LRP_TARGET_INIT;
  Progress p = { 0 };

  for (int k = 0; k < 6; k++)
    for (int i = 0; i < 256; i++)
      w[k][i] = (float) g_rand_double_range (rand, -1, 1);
  lrp_test_graph_input (g, "x", 2, xs);
  lrp_test_graph_initializer (g, "w0", 2, ws, w[0]);
  lrp_test_graph_initializer (g, "w1", 2, ws, w[1]);
  lrp_test_graph_initializer (g, "w2", 2, ws, w[2]);
  lrp_test_graph_initializer (g, "w3", 2, ws, w[3]);
  lrp_test_graph_initializer (g, "w4", 2, ws, w[4]);
  lrp_test_graph_initializer (g, "w5", 2, w5s, w[5]);
  lrp_test_graph_node (g, "Gemm", "g0", "x,w0", "h");
  lrp_test_graph_attr_int (g, "transB", 1);
  lrp_test_graph_node (g, "Relu", "r", "h", "a");
  for (int k = 1; k <= 4; k++)
    {
      g_autofree char *name = g_strdup_printf ("g%d", k);
      g_autofree char *in = g_strdup_printf ("a,w%d", k);
      g_autofree char *out = g_strdup_printf ("d%d", k);

      lrp_test_graph_node (g, "Gemm", name, in, out);
      lrp_test_graph_attr_int (g, "transB", 1);
    }
  lrp_test_graph_node (g, "Add", "s1", "d1,d2", "s");
  lrp_test_graph_node (g, "Add", "s2", "s,d3", "u");
  lrp_test_graph_node (g, "Add", "s3", "u,d4", "v");
  lrp_test_graph_node (g, "Gemm", "g5", "v,w5", "y");
  lrp_test_graph_attr_int (g, "transB", 1);
  lrp_test_graph_output (g, "y");
  bytes = lrp_test_graph_pack (g);
  model = lrp_model_load_bytes (bytes, "four.onnx", NULL, NULL);
  g_assert_nonnull (model);
  e = new_explainer (model, x);
  lrp_explainer_set_progress (e, progress_cb, &p);
  for (gsize k = 0; k < G_N_ELEMENTS (steps); k++)
    {
      g_autoptr(LrpExplainer) fresh = new_explainer (model, x);

      progress_reset (&p);
      run (e, steps[k], &t);
      /* g0, r, g1 below the change */
      g_assert_cmpint (p.calls, ==, k == 0 ? lrp_model_get_n_nodes (model) : 3);
      run (fresh, steps[k], &t);
      assert_identical (e, fresh);
    }
}

/* A cancelled pass keeps what the nodes it finished sent: the next call
 * runs only the nodes below them (or below a changed rule above them), and
 * gives the same bits as a fresh explainer. */
static void
test_cancel_keeps_work (void)
{
  g_autoptr(LrpModel) model = lrp_test_model_small_cnn ();
  g_autoptr(LrpTensor) x = cnn_input (8);
  g_autoptr(GError) error = NULL;
  Progress p = { 0 };
  LrpTarget t = LRP_TARGET_INIT;
  /* small_cnn: conv 0, relu 1, conv 2, relu 3, flatten 4, dense 5, relu 6, dense 7 */
  static const struct { const char *then; int runs; } cases[] = {
    { "epsilon_plus;#-1=lrp0", 4 },                    /* what was cancelled, again */
    { "epsilon_plus;#-1=lrp0;#0=flat", 4 },            /* a change below node 4 */
    { "epsilon_plus;#-1=lrp0;#-2=epsilon(epsilon=0.5)", 6 }, /* above: from node 5 */
    { "epsilon_plus", 8 },                             /* the top layer's rule again */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LrpExplainer) e = new_explainer (model, x);
      g_autoptr(LrpExplainer) fresh = new_explainer (model, x);
      g_autoptr(LrpComposite) c = lrp_composite_parse ("epsilon_plus;#-1=lrp0", NULL);
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_auto(GStrv) names = NULL;

      run (e, "epsilon_plus", &t);
      names = lrp_explainer_list_tensors (e);
      lrp_explainer_set_progress (e, progress_cb, &p);
      progress_reset (&p);
      p.cancel_at = 4;
      p.cancellable = cancellable;
      g_assert_false (lrp_explainer_explain (e, c, &t, cancellable, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_error (&error);
      g_assert_cmpint (p.calls, ==, 4);
      assert_no_relevance (e, names);

      progress_reset (&p);
      run (e, cases[i].then, &t);
      g_assert_cmpint (p.calls, ==, cases[i].runs);
      run (fresh, cases[i].then, &t);
      assert_identical (e, fresh);
    }
}

/* After a failed or cancelled call no relevance can be read, not even an
 * earlier run's or a baseline's last sample. */
static void
test_failed_leaves_nothing (void)
{
  g_autoptr(LrpModel) model = lrp_test_model_small_cnn ();
  g_autoptr(LrpTensor) x = cnn_input (9);
  g_autoptr(LrpExplainer) e = new_explainer (model, x);
  g_autoptr(LrpComposite) c = lrp_composite_parse ("epsilon_gamma_box", NULL);
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  Progress p = { 0 };
  LrpTarget t = LRP_TARGET_INIT, bad = LRP_TARGET_INIT;

  run (e, "epsilon_plus", &t);
  names = lrp_explainer_list_tensors (e);
  g_assert_cmpuint (g_strv_length (names), >, 2);

  /* Cancelled before it started. */
  g_cancellable_cancel (cancelled);
  g_assert_false (lrp_explainer_explain (e, c, &t, cancelled, &error));
  g_clear_error (&error);
  assert_no_relevance (e, names);
  run (e, "epsilon_plus", &t);
  g_assert_nonnull (lrp_explainer_get_relevance (e, NULL));

  /* A bad target. */
  bad.class_index = 99;
  g_assert_false (lrp_explainer_explain (e, c, &bad, NULL, &error));
  g_assert_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_TARGET);
  g_clear_error (&error);
  assert_no_relevance (e, names);

  /* Integrated Gradients cancelled at once, in the second sample's forward
   * pass (the first sample's gradient was left readable), or in its
   * gradient pass. */
  progress_reset (&p);
  lrp_explainer_set_progress (e, progress_cb, &p);
  for (int when = 0; when < 3; when++)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();

      run (e, "epsilon_plus", &t);
      progress_reset (&p);
      p.cancellable = cancellable;
      if (when == 0)
        g_cancellable_cancel (cancellable);
      else
        p.cancel_after = when == 1 ? 8 * 3 + 2 : 8 * 4 + 5;
      g_assert_false (lrp_explainer_baseline (e, LRP_BASELINE_INTEGRATED_GRADIENTS, &t, 4, 0,
                                              cancellable, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_error (&error);
      assert_no_relevance (e, names);
    }
  /* Too many samples: refused after the first gradient pass. */
  g_assert_false (lrp_explainer_baseline (e, LRP_BASELINE_SMOOTHGRAD, &t, 0, 0.1f, NULL, &error));
  g_assert_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES);
  g_clear_error (&error);
  assert_no_relevance (e, names);
  g_assert_true (lrp_explainer_baseline (e, LRP_BASELINE_GRADIENT, &t, 1, 0, NULL, &error));
  g_assert_nonnull (lrp_explainer_get_relevance (e, NULL));
}

int
main (int argc,
      char **argv)
{
  lrp_test_init (&argc, &argv);
  g_test_add_func ("/explain/incremental", test_incremental);
  g_test_add_func ("/explain/incremental-shared-input", test_incremental_shared_input);
  g_test_add_func ("/explain/contrast", test_contrast);
  g_test_add_func ("/explain/from-layer", test_from_layer);
  g_test_add_func ("/explain/bad-targets", test_bad_targets);
  g_test_add_func ("/explain/unexplainable", test_unexplainable);
  g_test_add_func ("/explain/softmax-output", test_softmax_output);
  g_test_add_func ("/explain/cancelled", test_cancelled);
  g_test_add_func ("/explain/cancelled-from-thread", test_cancelled_from_thread);
  g_test_add_func ("/explain/baselines", test_baselines);
  g_test_add_func ("/explain/concurrent", test_concurrent);
  g_test_add_func ("/explain/small-models", test_small_models);
  g_test_add_func ("/explain/progress", test_progress);
  g_test_add_func ("/explain/logits", test_logits);
  g_test_add_func ("/explain/incremental-bitwise", test_incremental_bitwise);
  g_test_add_func ("/explain/cancel-keeps-work", test_cancel_keeps_work);
  g_test_add_func ("/explain/failed-leaves-nothing", test_failed_leaves_nothing);
  return g_test_run ();
}
