/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Relevance and gradient of pooling, reductions, BatchNormalization and
 * Softmax, on one-node graphs: each op's backward is called directly and
 * compared with values computed by hand (or by finite differences).
 */
#include "config.h"

#include "lrp-graph-private.h"
#include "lrp-rules-private.h"
#include "lrp-run-private.h"
#include "lrp-test-onnx.h"
#include "lrp-test-util.h"
#include "lrp-ties-private.h"

#include <math.h>
#include <string.h>

/* One loaded graph whose node 0 is the op under test, after a forward. */
typedef struct
{
  LrpModel *model;
  LrpRun *run;
  const LrpNode *node;
} Case;

static void
case_clear (Case *c)
{
  g_clear_pointer (&c->run, lrp_run_free);
  g_clear_pointer (&c->model, lrp_model_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Case, case_clear)

static void
case_load (Case *c,
           LrpTestGraph *g,
           int rank,
           const int64_t *shape,
           const float *x)
{
  g_autoptr(GBytes) bytes = lrp_test_graph_pack (g);
  g_autoptr(LrpTensor) input = lrp_tensor_new_float (rank, shape);
  g_autoptr(GError) error = NULL;

  c->model = lrp_model_load_bytes (bytes, "test.onnx", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (c->model->n_nodes, ==, 1);
  c->node = &c->model->nodes[0];
  for (int64_t i = 0; i < input->n; i++)
    lrp_tensor_f (input)[i] = x[i];
  c->run = lrp_run_new (c->model);
  lrp_run_forward (c->run, input, NULL, &error);
  g_assert_no_error (error);
}

/* A one-node graph "x → op → y" on input @x of @shape. */
static LrpTestGraph *
one_node (int opset,
          const char *op_type,
          int rank,
          const int64_t *shape)
{
  LrpTestGraph *g = lrp_test_graph_new (opset);

  lrp_test_graph_input (g, "x", rank, shape);
  lrp_test_graph_node (g, op_type, "op", "x", "y");
  lrp_test_graph_output (g, "y");
  return g;
}

static LrpTensor *
case_act (const Case *c,
          int value)
{
  return c->run->acts[value];
}

static const float *
case_out (const Case *c)
{
  return lrp_tensor_f (case_act (c, c->node->outputs[0]));
}

/* Calls the node's backward with relevance @r at output 0 (NULL: none) and
 * @rule; returns the relevance of input 0, or NULL with @error set. */
static LrpTensor *
case_backward (const Case *c,
               LrpBackwardMode mode,
               LrpRuleKind rule,
               const float *r,
               GError **error)
{
  const LrpNode *node = c->node;
  LrpTensor *in[8] = { NULL }, *out[8] = { NULL }, *r_out[8] = { NULL }, *r_in[8] = { NULL };
  LrpBackwardCtx ctx = { 0 };
  LrpTensor *y;
  gboolean ok;

  ctx.mode = mode;
  ctx.rule = lrp_rule_default (rule);
  ctx.acts = (LrpTensor *const *) c->run->acts;
  for (int i = 0; i < node->n_inputs; i++)
    in[i] = node->inputs[i] >= 0 ? case_act (c, node->inputs[i]) : NULL;
  for (int o = 0; o < node->n_outputs; o++)
    out[o] = node->outputs[o] >= 0 ? case_act (c, node->outputs[o]) : NULL;
  y = out[0];
  if (r != NULL)
    {
      r_out[0] = lrp_tensor_new_float (y->rank, y->shape);
      for (int64_t i = 0; i < y->n; i++)
        lrp_tensor_f (r_out[0])[i] = r[i];
    }
  /* Relevance arriving on other outputs (MaxPool's Indices) is ignored. */
  for (int o = 1; o < node->n_outputs; o++)
    if (out[o] != NULL)
      {
        r_out[o] = lrp_tensor_new_float (out[o]->rank, out[o]->shape);
        for (int64_t i = 0; i < r_out[o]->n; i++)
          lrp_tensor_f (r_out[o])[i] = 1000.f;
      }
  r_in[0] = lrp_tensor_new_float (in[0]->rank, in[0]->shape);
  ok = node->klass->backward (node, &ctx, in, out, r_out, r_in, error);
  for (int o = 0; o < node->n_outputs; o++)
    g_clear_pointer (&r_out[o], lrp_tensor_unref);
  if (!ok)
    g_clear_pointer (&r_in[0], lrp_tensor_unref);
  else
    g_assert_no_error (error ? *error : NULL);
  return r_in[0];
}

static LrpTensor *
backward_ok (const Case *c,
             LrpBackwardMode mode,
             LrpRuleKind rule,
             const float *r)
{
  g_autoptr(GError) error = NULL;
  LrpTensor *rx = case_backward (c, mode, rule, r, &error);

  g_assert_no_error (error);
  g_assert_nonnull (rx);
  return rx;
}

static void
assert_values (const LrpTensor *got,
               const double *want,
               double tol)
{
  for (int64_t i = 0; i < got->n; i++)
    if (!(fabs (lrp_tensor_f (got)[i] - want[i]) <= tol * MAX (1.0, fabs (want[i]))))
      g_error ("element %" G_GINT64_FORMAT ": got %.9g, want %.9g", i,
               (double) lrp_tensor_f (got)[i], want[i]);
}

/* stab(z) with the default ε (lrp-rules.md §1). */
static double
stab (double z)
{
  return z + (z >= 0 ? 1e-6 : -1e-6);
}

static void
set_window_attrs (LrpTestGraph *g,
                  int64_t k,
                  int64_t s,
                  int64_t pad)
{
  const int64_t kernel[] = { k, k }, strides[] = { s, s }, pads[] = { pad, pad, pad, pad };

  lrp_test_graph_attr_ints (g, "kernel_shape", 2, kernel);
  lrp_test_graph_attr_ints (g, "strides", 2, strides);
  if (pad > 0)
    lrp_test_graph_attr_ints (g, "pads", 4, pads);
}

/* ---- MaxPool ----------------------------------------------------------------- */

static const int64_t shape_4x4[] = { 1, 1, 4, 4 };
static const int64_t shape_3x3[] = { 1, 1, 3, 3 };

/* 4x4 → 2x2: each output's R goes to the first maximum of its window, in
 * both modes; relevance on the Indices output is ignored. */
static void
test_maxpool_tie (void)
{
  static const float x[16] = {
    5, 5, 0, 1,
    1, 2, 3, 0,
    7, 0, 2, 2,
    0, 7, 2, 2,
  };
  static const float r[4] = { 1, 2, 3, 4 };
  static const double want[16] = {
    1, 0, 0, 0,
    0, 0, 2, 0,
    3, 0, 4, 0,
    0, 0, 0, 0,
  };
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
  g_auto(Case) c = { 0 };

  lrp_test_graph_input (g, "x", 4, shape_4x4);
  lrp_test_graph_node (g, "MaxPool", "op", "x", "y,idx");
  set_window_attrs (g, 2, 2, 0);
  lrp_test_graph_output (g, "y");
  lrp_test_graph_output (g, "idx");
  case_load (&c, g, 4, shape_4x4, x);
  g_assert_true (c.node->klass->default_rule == LRP_RULE_GRADIENT);

  for (int mode = 0; mode < 2; mode++)
    {
      g_autoptr(LrpTensor) rx = backward_ok (&c, mode ? LRP_BACKWARD_LRP
                                             : LRP_BACKWARD_GRADIENT, LRP_RULE_GRADIENT, r);

      assert_values (rx, want, 0);
    }
}

static int
value_named (const LrpModel *m,
             const char *name)
{
  for (int v = 0; v < m->n_values; v++)
    if (g_str_equal (m->values[v].name, name))
      return v;
  g_assert_not_reached ();
}

/* x (6x6, flat) → Conv (3x3 of ones, pad 1) → Relu → MaxPool 2x2: the
 * interior positions of the convolution have identical receptive fields,
 * so they are one class, and the first of a window wins however rounding
 * (here: a tampered activation) ordered them; positions of different
 * classes compare exactly, even within the old half-ulp tie width. */
static void
test_maxpool_exact_ties (void)
{
  static const int64_t shape_6x6[] = { 1, 1, 6, 6 }, shape_w[] = { 1, 1, 3, 3 };
  static const float ones[9] = { 1, 1, 1, 1, 1, 1, 1, 1, 1 };
  static const float r[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(LrpModel) model = NULL;
  g_autoptr(LrpTensor) input = lrp_tensor_new_float (4, shape_6x6);
  g_autoptr(GError) error = NULL;
  g_autofree guint64 *cls = NULL;
  LrpTensor *in[1], *out[1], *r_out[1], *r_in[1];
  LrpBackwardCtx ctx = { 0 };
  const LrpNode *pool;
  LrpRun *run;
  float *h;
  int hv;

  lrp_test_graph_input (g, "x", 4, shape_6x6);
  lrp_test_graph_initializer (g, "w", 4, shape_w, ones);
  lrp_test_graph_node (g, "Conv", "conv", "x,w", "c");
  lrp_test_graph_attr_ints (g, "pads", 4, (const int64_t[]) { 1, 1, 1, 1 });
  lrp_test_graph_node (g, "Relu", "relu", "c", "h");
  lrp_test_graph_node (g, "MaxPool", "pool", "h", "y");
  set_window_attrs (g, 2, 2, 0);
  lrp_test_graph_output (g, "y");
  bytes = lrp_test_graph_pack (g);
  model = lrp_model_load_bytes (bytes, "test.onnx", NULL, &error);
  g_assert_no_error (error);
  for (int64_t i = 0; i < input->n; i++)
    lrp_tensor_f (input)[i] = 0.5f;
  run = lrp_run_new (model);
  lrp_run_forward (run, input, NULL, &error);
  g_assert_no_error (error);
  hv = value_named (model, "h");
  pool = &model->nodes[model->values[value_named (model, "y")].producer];

  /* Corner, edge and interior classes (each corner its own: the padding
   * lies on different taps). */
  cls = lrp_position_classes (model, (LrpTensor *const *) run->acts, hv);
  g_assert_nonnull (cls);
  g_assert_cmpuint (cls[0], !=, cls[5]);
  g_assert_cmpuint (cls[0], !=, cls[1]);
  g_assert_cmpuint (cls[1], ==, cls[2]);
  g_assert_cmpuint (cls[1], !=, cls[7]);
  g_assert_cmpuint (cls[7], ==, cls[14]);
  g_assert_cmpuint (cls[7], ==, cls[28]);

  /* Rounding that put a later interior position first, far beyond any tie
   * width; a corner 1 ulp below the interior with a large maximum
   * elsewhere (within half an ulp of it). */
  h = lrp_tensor_f (run->acts[hv]);
  g_assert_cmpfloat (h[14], ==, 4.5f);
  h[21] = 4.5001f;
  h[0] = nextafterf (4.5f, 0.f);
  h[35] = 100.f;

  ctx.mode = LRP_BACKWARD_GRADIENT;
  ctx.rule = lrp_rule_default (LRP_RULE_GRADIENT);
  ctx.acts = (LrpTensor *const *) run->acts;
  ctx.run = run;
  in[0] = run->acts[hv];
  out[0] = run->acts[pool->outputs[0]];
  r_out[0] = lrp_tensor_new_float (4, (const int64_t[]) { 1, 1, 3, 3 });
  memcpy (lrp_tensor_f (r_out[0]), r, sizeof r);
  r_in[0] = lrp_tensor_new_float (4, shape_6x6);
  g_assert_true (pool->klass->backward (pool, &ctx, in, out, r_out, r_in, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (lrp_tensor_f (r_in[0])[7], ==, 1.f);   /* interior beats corner */
  g_assert_cmpfloat (lrp_tensor_f (r_in[0])[0], ==, 0.f);
  g_assert_cmpfloat (lrp_tensor_f (r_in[0])[14], ==, 5.f);  /* first of the class */
  g_assert_cmpfloat (lrp_tensor_f (r_in[0])[21], ==, 0.f);
  lrp_tensor_unref (r_out[0]);
  lrp_tensor_unref (r_in[0]);
  lrp_run_free (run);
}

/* A maximum is the same for the same set of values: MaxPool windows whose
 * taps hold the same classes in any order and number are one class. */
static void
test_maxpool_classes_as_sets (void)
{
  static const float x[16] = {
    1, 2, 2, 1,
    1, 2, 2, 1,
    1, 1, 1, 3,
    1, 1, 1, 1,
  };
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
  g_auto(Case) c = { 0 };
  g_autofree guint64 *cls = NULL;

  lrp_test_graph_input (g, "x", 4, shape_4x4);
  lrp_test_graph_node (g, "MaxPool", "op", "x", "y");
  set_window_attrs (g, 2, 2, 0);
  lrp_test_graph_output (g, "y");
  case_load (&c, g, 4, shape_4x4, x);
  cls = lrp_position_classes (c.model, (LrpTensor *const *) c.run->acts,
                              c.node->outputs[0]);
  g_assert_nonnull (cls);
  g_assert_cmpuint (cls[0], ==, cls[1]);   /* {1, 2} both */
  g_assert_cmpuint (cls[2], !=, cls[3]);   /* {1} and {1, 3} */
  g_assert_cmpuint (cls[0], !=, cls[2]);
}

/* Concat along the channels keeps the classes of its inputs' positions. */
static void
test_concat_classes (void)
{
  static const float x[16] = {
    1, 1, 1, 1,
    1, 1, 1, 1,
    1, 1, 5, 1,
    1, 1, 1, 1,
  };
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(LrpModel) model = NULL;
  g_autoptr(LrpTensor) input = lrp_tensor_new_float (4, shape_4x4);
  g_autoptr(GError) error = NULL;
  g_autofree guint64 *cls = NULL;
  LrpRun *run;

  lrp_test_graph_input (g, "x", 4, shape_4x4);
  lrp_test_graph_node (g, "Relu", "a", "x", "xa");
  lrp_test_graph_node (g, "Sigmoid", "b", "x", "xb");
  lrp_test_graph_node (g, "Concat", "cat", "xa,xb", "y");
  lrp_test_graph_attr_int (g, "axis", 1);
  lrp_test_graph_output (g, "y");
  bytes = lrp_test_graph_pack (g);
  model = lrp_model_load_bytes (bytes, "test.onnx", NULL, &error);
  g_assert_no_error (error);
  memcpy (lrp_tensor_f (input), x, sizeof x);
  run = lrp_run_new (model);
  lrp_run_forward (run, input, NULL, &error);
  g_assert_no_error (error);
  cls = lrp_position_classes (model, (LrpTensor *const *) run->acts,
                              model->nodes[model->n_nodes - 1].outputs[0]);
  g_assert_nonnull (cls);
  g_assert_cmpuint (cls[0], ==, cls[15]);
  g_assert_cmpuint (cls[0], !=, cls[10]);
  lrp_run_free (run);
}

/* Padding is -∞ (negative inputs still win over it); overlapping windows
 * accumulate at a shared winner. */
static void
test_maxpool_pad_overlap (void)
{
  static const float x[9] = {
    -1, -2, -3,
    -4, -5, -6,
    -7, -8, -9,
  };
  static const float r[4] = { 1, 2, 3, 4 };
  /* Windows: {x00}, {x01, x02}, {x10, x20}, {x11, x12, x21, x22}. */
  static const double want[9] = {
    1, 2, 0,
    3, 4, 0,
    0, 0, 0,
  };
  static const int64_t shape_1x4[] = { 1, 1, 1, 4 };
  static const int64_t kernel[] = { 1, 3 }, strides[] = { 1, 1 };
  static const float x2[4] = { 1, 5, 2, 0 };
  static const float r2[2] = { 0.5f, 0.25f };
  static const double want2[4] = { 0, 0.75, 0, 0 };
  g_autoptr(LrpTestGraph) g = one_node (13, "MaxPool", 4, shape_3x3);
  g_autoptr(LrpTestGraph) g2 = one_node (13, "MaxPool", 4, shape_1x4);
  g_auto(Case) c = { 0 };
  g_auto(Case) c2 = { 0 };
  g_autoptr(LrpTensor) rx = NULL;
  g_autoptr(LrpTensor) rx2 = NULL;

  set_window_attrs (g, 2, 2, 1);
  case_load (&c, g, 4, shape_3x3, x);
  rx = backward_ok (&c, LRP_BACKWARD_LRP, LRP_RULE_GRADIENT, r);
  assert_values (rx, want, 0);

  lrp_test_graph_attr_ints (g2, "kernel_shape", 2, kernel);
  lrp_test_graph_attr_ints (g2, "strides", 2, strides);
  case_load (&c2, g2, 4, shape_1x4, x2);
  rx2 = backward_ok (&c2, LRP_BACKWARD_GRADIENT, LRP_RULE_GRADIENT, r2);
  assert_values (rx2, want2, 0);
}

static void
test_global_maxpool (void)
{
  static const float x[9] = { 1, 9, 3, 9, 5, 6, 7, 8, 0 };
  static const float r[1] = { 2 };
  static const double want[9] = { 0, 2, 0, 0, 0, 0, 0, 0, 0 };
  g_autoptr(LrpTestGraph) g = one_node (13, "GlobalMaxPool", 4, shape_3x3);
  g_auto(Case) c = { 0 };
  g_autoptr(LrpTensor) rx = NULL;

  case_load (&c, g, 4, shape_3x3, x);
  rx = backward_ok (&c, LRP_BACKWARD_LRP, c.node->klass->default_rule, r);
  assert_values (rx, want, 0);
}

/* ---- AveragePool --------------------------------------------------------------- */

static const float x16[16] = {
  1, 2, 3, 4,
  5, 6, 7, 8,
  -1, 3, 0.5f, 0.25f,
  2, -4, 1, 1,
};

/* 2x2 stride 2: Norm gives x_i·(1/4)·R / stab(mean); the gradient R/4. */
static void
test_avgpool_norm (void)
{
  static const float r[4] = { 1, -2, 3, 0.5f };
  g_autoptr(LrpTestGraph) g = one_node (13, "AveragePool", 4, shape_4x4);
  g_auto(Case) c = { 0 };
  g_autoptr(LrpTensor) rx = NULL;
  g_autoptr(LrpTensor) grad = NULL;
  double want[16], want_grad[16];

  set_window_attrs (g, 2, 2, 0);
  case_load (&c, g, 4, shape_4x4, x16);
  g_assert_true (c.node->klass->default_rule == LRP_RULE_NORM);
  for (int i = 0; i < 16; i++)
    {
      int o = (i / 8) * 2 + (i % 4) / 2;

      want[i] = x16[i] * 0.25 * r[o] / stab (case_out (&c)[o]);
      want_grad[i] = r[o] / 4.0;
    }
  rx = backward_ok (&c, LRP_BACKWARD_LRP, LRP_RULE_NORM, r);
  assert_values (rx, want, 1e-6);
  grad = backward_ok (&c, LRP_BACKWARD_GRADIENT, LRP_RULE_NORM, r);
  assert_values (grad, want_grad, 1e-7);
}

/* 3x3, kernel 2, stride 2, pads 1: the divisor is the number of real taps
 * (1, 2, 2, 4) without count_include_pad, always 4 with it. */
static void
test_avgpool_pads (void)
{
  static const float x[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
  static const float r[4] = { 1, 2, 3, 4 };
  static const int window[9] = { 0, 1, 1, 2, 3, 3, 2, 3, 3 };
  static const double taps[2][4] = { { 1, 2, 2, 4 }, { 4, 4, 4, 4 } };

  for (int include = 0; include < 2; include++)
    {
      g_autoptr(LrpTestGraph) g = one_node (13, "AveragePool", 4, shape_3x3);
      g_auto(Case) c = { 0 };
      g_autoptr(LrpTensor) rx = NULL;
      g_autoptr(LrpTensor) grad = NULL;
      double want[9], want_grad[9];

      set_window_attrs (g, 2, 2, 1);
      lrp_test_graph_attr_int (g, "count_include_pad", include);
      case_load (&c, g, 4, shape_3x3, x);
      /* The forward's divisors are the ones we expect. */
      g_assert_cmpfloat_with_epsilon (case_out (&c)[1], (2 + 3) / taps[include][1], 1e-6);
      for (int i = 0; i < 9; i++)
        {
          int o = window[i];

          want[i] = x[i] / taps[include][o] * r[o] / stab (case_out (&c)[o]);
          want_grad[i] = r[o] / taps[include][o];
        }
      rx = backward_ok (&c, LRP_BACKWARD_LRP, LRP_RULE_NORM, r);
      assert_values (rx, want, 1e-6);
      grad = backward_ok (&c, LRP_BACKWARD_LRP, LRP_RULE_GRADIENT, r);
      assert_values (grad, want_grad, 1e-7);
    }
}

/* ceil_mode: 3x3, kernel 2, stride 2 → 2x2; the last windows stick out of
 * the input: divisors (4, 2, 2, 1), or 4 each with count_include_pad. */
static void
test_avgpool_ceil (void)
{
  static const float x[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
  static const float r[4] = { 1, 2, 3, 4 };
  static const int window[9] = { 0, 0, 1, 0, 0, 1, 2, 2, 3 };
  static const double taps[2][4] = { { 4, 2, 2, 1 }, { 4, 4, 4, 4 } };

  for (int include = 0; include < 2; include++)
    {
      g_autoptr(LrpTestGraph) g = one_node (13, "AveragePool", 4, shape_3x3);
      g_auto(Case) c = { 0 };
      g_autoptr(LrpTensor) grad = NULL;
      double want_grad[9];

      set_window_attrs (g, 2, 2, 0);
      lrp_test_graph_attr_int (g, "ceil_mode", 1);
      lrp_test_graph_attr_int (g, "count_include_pad", include);
      case_load (&c, g, 4, shape_3x3, x);
      g_assert_cmpfloat_with_epsilon (case_out (&c)[3], 9 / taps[include][3], 1e-6);
      for (int i = 0; i < 9; i++)
        want_grad[i] = r[window[i]] / taps[include][window[i]];
      grad = backward_ok (&c, LRP_BACKWARD_GRADIENT, LRP_RULE_NORM, r);
      assert_values (grad, want_grad, 1e-7);
    }
}

/* Norm conserves relevance when no output is near 0; the gradient is R/k. */
static void
test_global_avgpool (void)
{
  static const int64_t shape[] = { 1, 2, 3, 3 };
  static const float x[18] = {
    1, 2, 3, 4, 5, 6, 7, 8, 9,
    -1, 0.5f, -2, 3, -0.25f, -4, 1, -1, 0,
  };
  static const float r[2] = { 2.5f, -1.5f };
  g_autoptr(LrpTestGraph) g = one_node (13, "GlobalAveragePool", 4, shape);
  g_auto(Case) c = { 0 };
  g_autoptr(LrpTensor) rx = NULL;
  g_autoptr(LrpTensor) grad = NULL;
  double want_grad[18];

  case_load (&c, g, 4, shape, x);
  rx = backward_ok (&c, LRP_BACKWARD_LRP, c.node->klass->default_rule, r);
  for (int ch = 0; ch < 2; ch++)
    {
      double sum = 0;

      for (int i = 0; i < 9; i++)
        sum += lrp_tensor_f (rx)[ch * 9 + i];
      g_assert_cmpfloat_with_epsilon (sum, r[ch], 1e-5);
    }
  for (int i = 0; i < 18; i++)
    want_grad[i] = r[i / 9] / 9.0;
  grad = backward_ok (&c, LRP_BACKWARD_GRADIENT, LRP_RULE_NORM, r);
  assert_values (grad, want_grad, 1e-7);
}

/* Rules that need weights are refused, as is Pass when sizes differ;
 * no relevance at the output is fine. */
static void
test_avgpool_bad_rules (void)
{
  static const float r[4] = { 1, 1, 1, 1 };
  g_autoptr(LrpTestGraph) g = one_node (13, "AveragePool", 4, shape_4x4);
  g_auto(Case) c = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;
  g_autoptr(LrpTensor) none = NULL;
  LrpTensor *rx;

  set_window_attrs (g, 2, 2, 0);
  case_load (&c, g, 4, shape_4x4, x16);
  rx = case_backward (&c, LRP_BACKWARD_LRP, LRP_RULE_GAMMA, r, &error);
  g_assert_null (rx);
  g_assert_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES);
  g_assert_nonnull (strstr (error->message, "gamma"));
  rx = case_backward (&c, LRP_BACKWARD_LRP, LRP_RULE_PASS, r, &error2);
  g_assert_null (rx);
  g_assert_error (error2, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES);

  none = backward_ok (&c, LRP_BACKWARD_LRP, LRP_RULE_NORM, NULL);
  for (int i = 0; i < 16; i++)
    g_assert_cmpfloat (lrp_tensor_f (none)[i], ==, 0.f);
}

/* ---- ReduceSum, ReduceMean ------------------------------------------------------- */

static const int64_t shape_2x3[] = { 2, 3 };
static const float x6[6] = { 1, 2, 3, -1, 4, 0.5f };

static LrpTestGraph *
reduce_graph (const char *op_type)
{
  static const int64_t axes[] = { 1 };
  /* Opset 11: axes is still an attribute of both. */
  LrpTestGraph *g = one_node (11, op_type, 2, shape_2x3);

  lrp_test_graph_attr_ints (g, "axes", 1, axes);
  lrp_test_graph_attr_int (g, "keepdims", 0);
  return g;
}

static void
test_reduce_sum (void)
{
  static const float r[2] = { 3, -2 };
  g_autoptr(LrpTestGraph) g = reduce_graph ("ReduceSum");
  g_auto(Case) c = { 0 };
  g_autoptr(LrpTensor) rx = NULL;
  g_autoptr(LrpTensor) grad = NULL;
  double want[6], want_grad[6];

  case_load (&c, g, 2, shape_2x3, x6);
  g_assert_true (c.node->klass->default_rule == LRP_RULE_NORM);
  for (int i = 0; i < 6; i++)
    {
      want[i] = x6[i] * r[i / 3] / stab (i < 3 ? 6.0 : 3.5);
      want_grad[i] = r[i / 3];
    }
  rx = backward_ok (&c, LRP_BACKWARD_LRP, LRP_RULE_NORM, r);
  assert_values (rx, want, 1e-6);
  grad = backward_ok (&c, LRP_BACKWARD_GRADIENT, LRP_RULE_PASS, r);
  assert_values (grad, want_grad, 0);
}

static void
test_reduce_mean (void)
{
  static const float r[2] = { 3, -2 };
  g_autoptr(LrpTestGraph) g = reduce_graph ("ReduceMean");
  g_auto(Case) c = { 0 };
  g_autoptr(LrpTensor) rx = NULL;
  g_autoptr(LrpTensor) grad = NULL;
  double want[6], want_grad[6];

  case_load (&c, g, 2, shape_2x3, x6);
  for (int i = 0; i < 6; i++)
    {
      want[i] = x6[i] / 3.0 * r[i / 3] / stab (i < 3 ? 2.0 : 3.5 / 3);
      want_grad[i] = r[i / 3] / 3.0;
    }
  rx = backward_ok (&c, LRP_BACKWARD_LRP, LRP_RULE_NORM, r);
  assert_values (rx, want, 1e-6);
  grad = backward_ok (&c, LRP_BACKWARD_LRP, LRP_RULE_GRADIENT, r);
  assert_values (grad, want_grad, 1e-7);
}

/* ---- BatchNormalization ------------------------------------------------------------ */

static void
test_batchnorm (void)
{
  static const int64_t shape[] = { 1, 2, 1, 2 }, shape_c[] = { 2 };
  static const float x[4] = { 1, -2, 3, 0.5f };
  static const float scale[2] = { 2, -0.5f }, bias[2] = { 0.1f, 0.2f };
  static const float mean[2] = { 0.5f, -1 }, var[2] = { 4, 0.25f };
  static const float r[4] = { 1, 2, -3, 4 };
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
  g_auto(Case) c = { 0 };
  g_autoptr(LrpTensor) pass = NULL;
  g_autoptr(LrpTensor) grad = NULL;
  g_autoptr(LrpTensor) grad2 = NULL;
  double want_pass[4], want_grad[4];

  lrp_test_graph_input (g, "x", 4, shape);
  lrp_test_graph_initializer (g, "scale", 1, shape_c, scale);
  lrp_test_graph_initializer (g, "B", 1, shape_c, bias);
  lrp_test_graph_initializer (g, "mean", 1, shape_c, mean);
  lrp_test_graph_initializer (g, "var", 1, shape_c, var);
  lrp_test_graph_node (g, "BatchNormalization", "bn", "x,scale,B,mean,var", "y");
  lrp_test_graph_attr_float (g, "epsilon", 0.01f);
  lrp_test_graph_output (g, "y");
  case_load (&c, g, 4, shape, x);
  g_assert_true (c.node->klass->default_rule == LRP_RULE_PASS);
  for (int i = 0; i < 4; i++)
    {
      int ch = i / 2;

      want_pass[i] = r[i];
      want_grad[i] = r[i] * scale[ch] / sqrt ((double) var[ch] + 0.01f);
    }
  pass = backward_ok (&c, LRP_BACKWARD_LRP, LRP_RULE_PASS, r);
  assert_values (pass, want_pass, 0);
  grad = backward_ok (&c, LRP_BACKWARD_LRP, LRP_RULE_GRADIENT, r);
  assert_values (grad, want_grad, 1e-6);
  grad2 = backward_ok (&c, LRP_BACKWARD_GRADIENT, LRP_RULE_PASS, r);
  assert_values (grad2, want_grad, 1e-6);
}

/* ---- Softmax, LogSoftmax ------------------------------------------------------------ */

/* Double-precision (log-)softmax of @x ([2,3,4]) over dim 1 (@coerce:
 * dims 1 and 2 together), and ⟨r, f(x)⟩. */
static double
softmax_dot (gboolean log_softmax,
             gboolean coerce,
             const double *x,
             const float *r)
{
  int len = coerce ? 12 : 3, inner = coerce ? 1 : 4, rows = coerce ? 2 : 8;
  double total = 0;

  for (int row = 0; row < rows; row++)
    {
      int base = coerce ? row * 12 : (row / 4) * 12 + row % 4;
      double m = -INFINITY, sum = 0;

      for (int k = 0; k < len; k++)
        m = MAX (m, x[base + k * inner]);
      for (int k = 0; k < len; k++)
        sum += exp (x[base + k * inner] - m);
      for (int k = 0; k < len; k++)
        {
          int at = base + k * inner;
          double v = x[at] - m - log (sum);

          total += r[at] * (log_softmax ? v : exp (v));
        }
    }
  return total;
}

/* The gradient against central differences of ⟨r, f(x)⟩, for Softmax and
 * LogSoftmax, with the axis semantics of opset 13 and of opset 11. */
static void
test_softmax_gradient (void)
{
  static const int64_t shape[] = { 2, 3, 4 };
  static const char *const ops[] = { "Softmax", "LogSoftmax" };
  float x[24], r[24];

  for (int i = 0; i < 24; i++)
    {
      x[i] = (float) sin (1.7 * i) * 2.f;
      r[i] = (float) cos (0.9 * i + 0.3);
    }
  for (int op = 0; op < 2; op++)
    for (int coerce = 0; coerce < 2; coerce++)
      {
        g_autoptr(LrpTestGraph) g = one_node (coerce ? 11 : 13, ops[op], 3, shape);
        g_auto(Case) c = { 0 };
        g_autoptr(LrpTensor) rx = NULL;
        double want[24], xd[24], h = 1e-4;

        lrp_test_graph_attr_int (g, "axis", 1);
        case_load (&c, g, 3, shape, x);
        g_assert_true (c.node->klass->default_rule == LRP_RULE_GRADIENT);
        for (int i = 0; i < 24; i++)
          xd[i] = x[i];
        for (int i = 0; i < 24; i++)
          {
            double up, down;

            xd[i] = x[i] + h;
            up = softmax_dot (op == 1, coerce, xd, r);
            xd[i] = x[i] - h;
            down = softmax_dot (op == 1, coerce, xd, r);
            xd[i] = x[i];
            want[i] = (up - down) / (2 * h);
          }
        rx = backward_ok (&c, LRP_BACKWARD_LRP, LRP_RULE_GRADIENT, r);
        for (int i = 0; i < 24; i++)
          g_assert_cmpfloat_with_epsilon (lrp_tensor_f (rx)[i], want[i], 1e-3);
      }
}

int
main (int argc,
      char **argv)
{
  lrp_test_init (&argc, &argv);
  g_test_add_func ("/backward-pool/maxpool-tie", test_maxpool_tie);
  g_test_add_func ("/backward-pool/maxpool-exact-ties", test_maxpool_exact_ties);
  g_test_add_func ("/backward-pool/maxpool-classes-as-sets", test_maxpool_classes_as_sets);
  g_test_add_func ("/backward-pool/concat-classes", test_concat_classes);
  g_test_add_func ("/backward-pool/maxpool-pad-overlap", test_maxpool_pad_overlap);
  g_test_add_func ("/backward-pool/global-maxpool", test_global_maxpool);
  g_test_add_func ("/backward-pool/avgpool-norm", test_avgpool_norm);
  g_test_add_func ("/backward-pool/avgpool-pads", test_avgpool_pads);
  g_test_add_func ("/backward-pool/avgpool-ceil", test_avgpool_ceil);
  g_test_add_func ("/backward-pool/global-avgpool", test_global_avgpool);
  g_test_add_func ("/backward-pool/avgpool-bad-rules", test_avgpool_bad_rules);
  g_test_add_func ("/backward-pool/reduce-sum", test_reduce_sum);
  g_test_add_func ("/backward-pool/reduce-mean", test_reduce_mean);
  g_test_add_func ("/backward-pool/batchnorm", test_batchnorm);
  g_test_add_func ("/backward-pool/softmax-gradient", test_softmax_gradient);
  return g_test_run ();
}
