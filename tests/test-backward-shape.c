/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Backward of the shape and data-movement ops (lrp-op-shape.c and its
 * siblings).  Each op is linear in its float input, and relevance goes back
 * as the gradient does (§10 of lrp-rules.md), so backward must be the
 * adjoint of forward: ⟨forward(x), r⟩ = ⟨x, backward(r)⟩ for random x and r,
 * in gradient mode and under the Gradient and Pass rules alike.  Plus
 * hand-computed Gather (repeated indices add up) and Concat, and rules the
 * ops must refuse.
 */
#include "config.h"

#include "lrp-rules-private.h"
#include "lrp-run-private.h"
#include "lrp-test-onnx.h"
#include "lrp-test-util.h"

#include <math.h>
#include <string.h>

/* A count and a list, for the (n, values) parameters below. */
#define INTS(...) \
  (int) G_N_ELEMENTS (((const int64_t[]) { __VA_ARGS__ })), (const int64_t[]) { __VA_ARGS__ }

#define MAX_IO 16

/* ---- The node under test ------------------------------------------------- */

typedef struct
{
  LrpModel *model;
  LrpRun *run;
  const LrpNode *node;     /* the node named "subject" */
} Subject;

static void
subject_clear (Subject *s)
{
  g_clear_pointer (&s->run, lrp_run_free);
  g_clear_pointer (&s->model, lrp_model_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Subject, subject_clear)

/* Loads @g and runs it forward on random inputs. */
static void
subject_load (Subject *s,
              LrpTestGraph *g,
              guint32 seed)
{
  g_autoptr(GBytes) bytes = lrp_test_graph_pack (g);
  g_autoptr(GError) error = NULL;
  LrpTensor *inputs[MAX_IO] = { NULL };
  const LrpModel *m;

  s->model = lrp_model_load_bytes (bytes, "test.onnx", NULL, &error);
  g_assert_no_error (error);
  m = s->model;
  for (int n = 0; n < m->n_nodes; n++)
    if (g_str_equal (m->nodes[n].name, "subject"))
      s->node = &m->nodes[n];
  g_assert_nonnull (s->node);
  g_assert_nonnull (s->node->klass->backward);
  g_assert_cmpint (s->node->klass->default_rule, ==, LRP_RULE_GRADIENT);
  g_assert_cmpint (m->n_inputs, <=, MAX_IO);
  for (int i = 0; i < m->n_inputs; i++)
    {
      const LrpTensor *meta = m->values[m->inputs[i]].tensor;

      inputs[i] = lrp_tensor_new_random (meta->rank, meta->shape, seed + (guint32) i);
    }
  s->run = lrp_run_new (s->model);
  g_assert_true (lrp_run_forward_inputs (s->run, m->n_inputs, inputs, NULL, &error));
  g_assert_no_error (error);
  for (int i = 0; i < m->n_inputs; i++)
    lrp_tensor_unref (inputs[i]);
}

static LrpTensor *
subject_act (const Subject *s,
             int value)
{
  return value >= 0 ? s->run->acts[value] : NULL;
}

/* Input @i takes relevance as the explainer decides it: a float tensor
 * computed at run time. */
static gboolean
takes_relevance (const Subject *s,
                 int i)
{
  int v = s->node->inputs[i];

  return v >= 0 && s->model->values[v].tensor->data == NULL
         && s->model->values[v].tensor->dtype == LRP_DTYPE_FLOAT;
}

static gboolean
subject_backward (const Subject *s,
                  LrpBackwardMode mode,
                  LrpRuleKind kind,
                  LrpTensor *const *r_out,
                  LrpTensor *const *r_in,
                  GError **error)
{
  const LrpNode *node = s->node;
  LrpTensor *in[MAX_IO] = { NULL }, *out[MAX_IO] = { NULL };
  LrpBackwardCtx ctx = { 0 };

  ctx.mode = mode;
  ctx.rule = lrp_rule_default (kind);
  ctx.acts = (LrpTensor *const *) s->run->acts;
  for (int i = 0; i < node->n_inputs; i++)
    in[i] = subject_act (s, node->inputs[i]);
  for (int k = 0; k < node->n_outputs; k++)
    out[k] = subject_act (s, node->outputs[k]);
  return node->klass->backward (node, &ctx, in, out, r_out, r_in, error);
}

/* Σ a (b - minus), in double; @minus may be NULL. */
static double
dot (const LrpTensor *a,
     const LrpTensor *b,
     const LrpTensor *minus)
{
  double sum = 0;

  g_assert_cmpint (a->n, ==, b->n);
  for (int64_t i = 0; i < a->n; i++)
    sum += (double) lrp_tensor_f (a)[i]
           * ((double) lrp_tensor_f (b)[i] - (minus ? (double) lrp_tensor_f (minus)[i] : 0.0));
  return sum;
}

static double
dot_abs (const LrpTensor *a,
         const LrpTensor *b)
{
  double sum = 0;

  for (int64_t i = 0; i < a->n; i++)
    sum += fabs ((double) lrp_tensor_f (a)[i] * (double) lrp_tensor_f (b)[i]);
  return sum;
}

static void
assert_same (const LrpTensor *a,
             const LrpTensor *b)
{
  g_assert_true (lrp_tensor_same_shape (a, b));
  for (int64_t i = 0; i < a->n; i++)
    g_assert_cmpfloat (lrp_tensor_f (a)[i], ==, lrp_tensor_f (b)[i]);
}

static void
unref_all (LrpTensor **t)
{
  for (int i = 0; i < MAX_IO; i++)
    g_clear_pointer (&t[i], lrp_tensor_unref);
}

/* ---- The adjoint property -------------------------------------------------- */

static const struct
{
  LrpBackwardMode mode;
  LrpRuleKind kind;
} modes[] = {
  { LRP_BACKWARD_GRADIENT, LRP_RULE_GRADIENT },
  { LRP_BACKWARD_LRP, LRP_RULE_GRADIENT },
  { LRP_BACKWARD_LRP, LRP_RULE_PASS },
};

/* Relevance added into random (not zero) r_in, so that "adds into" is
 * checked too; returns the inputs' relevance minus that base. */
static double
run_adjoint (const Subject *s,
             LrpBackwardMode mode,
             LrpRuleKind kind,
             LrpTensor *const *r_out,
             LrpTensor *const *base,
             LrpTensor **r_in)
{
  g_autoptr(GError) error = NULL;
  double rhs = 0;

  for (int i = 0; i < s->node->n_inputs; i++)
    r_in[i] = base[i] ? lrp_tensor_copy (base[i]) : NULL;
  g_assert_true (subject_backward (s, mode, kind, r_out, r_in, &error));
  g_assert_no_error (error);
  for (int i = 0; i < s->node->n_inputs; i++)
    if (r_in[i])
      rhs += dot (subject_act (s, s->node->inputs[i]), r_in[i], base[i]);
  return rhs;
}

/* Loads @g, then checks ⟨y, r⟩ = ⟨x, backward(r)⟩ with random relevance r
 * at every output of the subject not in the bit mask @no_relevance. */
static void
check_adjoint_masked (LrpTestGraph *g,
                      guint32 seed,
                      guint no_relevance)
{
  g_auto(Subject) s = { 0 };
  LrpTensor *r_out[MAX_IO] = { NULL }, *base[MAX_IO] = { NULL }, *first[MAX_IO] = { NULL };
  LrpTensor *none[MAX_IO] = { NULL }, *r_in[MAX_IO] = { NULL };
  double lhs = 0, scale = 0;
  int n_taking = 0;

  subject_load (&s, g, seed);
  for (int k = 0; k < s.node->n_outputs; k++)
    {
      const LrpTensor *y = subject_act (&s, s.node->outputs[k]);

      if (no_relevance & (1u << k))
        continue;
      r_out[k] = lrp_tensor_new_random (y->rank, y->shape, seed + 100 + (guint32) k);
      lhs += dot (y, r_out[k], NULL);
      scale += dot_abs (y, r_out[k]);
    }
  for (int i = 0; i < s.node->n_inputs; i++)
    if (takes_relevance (&s, i))
      {
        const LrpTensor *x = subject_act (&s, s.node->inputs[i]);

        base[i] = lrp_tensor_new_random (x->rank, x->shape, seed + 200 + (guint32) i);
        n_taking++;
      }
  g_assert_cmpint (n_taking, >, 0);

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      double rhs = run_adjoint (&s, modes[m].mode, modes[m].kind, r_out, base, r_in);

      g_assert_cmpfloat (fabs (lhs - rhs), <=, 1e-5 * scale + 1e-9);
      /* Every mode routes relevance the same way. */
      for (int i = 0; i < s.node->n_inputs; i++)
        if (r_in[i] && first[i] == NULL)
          first[i] = g_steal_pointer (&r_in[i]);
        else if (r_in[i])
          assert_same (r_in[i], first[i]);
      unref_all (r_in);
    }

  /* No relevance anywhere: nothing is added. */
  g_assert_cmpfloat (run_adjoint (&s, LRP_BACKWARD_LRP, LRP_RULE_GRADIENT, none, base, r_in),
                     ==, 0);
  for (int i = 0; i < s.node->n_inputs; i++)
    if (r_in[i])
      assert_same (r_in[i], base[i]);
  unref_all (r_in);
  unref_all (first);
  unref_all (base);
  unref_all (r_out);
}

static void
check_adjoint (LrpTestGraph *g,
               guint32 seed)
{
  check_adjoint_masked (g, seed, 0);
}

/* ---- Graphs --------------------------------------------------------------- */

/* A graph with one runtime input "x". */
static LrpTestGraph *
graph_new (int opset,
           int rank,
           const int64_t *shape)
{
  LrpTestGraph *g = lrp_test_graph_new (opset);

  lrp_test_graph_input (g, "x", rank, shape);
  return g;
}

/* The node under test; its outputs are the graph's. */
static void
add_subject (LrpTestGraph *g,
             const char *op_type,
             const char *inputs,
             const char *outputs)
{
  g_auto(GStrv) names = g_strsplit (outputs, ",", -1);

  lrp_test_graph_node (g, op_type, "subject", inputs, outputs);
  for (char **n = names; *n; n++)
    lrp_test_graph_output (g, *n);
}

/* An int64 constant @name, from a Constant node (folded at load). */
static void
graph_ints (LrpTestGraph *g,
            const char *name,
            int n,
            const int64_t *values)
{
  g_autofree char *node = g_strconcat ("make_", name, NULL);

  lrp_test_graph_node (g, "Constant", node, "", name);
  lrp_test_graph_attr_ints (g, "value_ints", n, values);
}

/* ---- Same elements ----------------------------------------------------------- */

static void
test_flatten (void)
{
  for (int axis = -1; axis <= 4; axis++)
    {
      g_autoptr(LrpTestGraph) g = graph_new (13, INTS (2, 3, 4, 5));

      add_subject (g, "Flatten", "x", "y");
      lrp_test_graph_attr_int (g, "axis", axis);
      check_adjoint (g, 10 + (guint32) axis);
    }
}

static void
test_reshape (void)
{
  g_autoptr(LrpTestGraph) g = graph_new (13, INTS (2, 3, 4));
  g_autoptr(LrpTestGraph) old = graph_new (1, INTS (2, 3, 4));

  graph_ints (g, "shape", INTS (4, 0, -1));
  add_subject (g, "Reshape", "x,shape", "y");
  check_adjoint (g, 20);

  /* Opset 1: the shape as an attribute. */
  add_subject (old, "Reshape", "x", "y");
  lrp_test_graph_attr_ints (old, "shape", INTS (6, 4));
  check_adjoint (old, 21);
}

static void
test_squeeze (void)
{
  g_autoptr(LrpTestGraph) g = graph_new (13, INTS (2, 1, 3, 1));
  g_autoptr(LrpTestGraph) attr = graph_new (11, INTS (1, 3, 1, 4));
  g_autoptr(LrpTestGraph) all = graph_new (13, INTS (1, 3, 1, 4));

  graph_ints (g, "axes", INTS (1, -1));
  add_subject (g, "Squeeze", "x,axes", "y");
  check_adjoint (g, 30);

  add_subject (attr, "Squeeze", "x", "y");
  lrp_test_graph_attr_ints (attr, "axes", INTS (2));
  check_adjoint (attr, 31);

  add_subject (all, "Squeeze", "x", "y");
  check_adjoint (all, 32);
}

static void
test_unsqueeze (void)
{
  g_autoptr(LrpTestGraph) g = graph_new (13, INTS (2, 3));
  g_autoptr(LrpTestGraph) attr = graph_new (11, INTS (2, 3, 4));

  graph_ints (g, "axes", INTS (0, 3));
  add_subject (g, "Unsqueeze", "x,axes", "y");
  check_adjoint (g, 40);

  add_subject (attr, "Unsqueeze", "x", "y");
  lrp_test_graph_attr_ints (attr, "axes", INTS (1, -1));
  check_adjoint (attr, 41);
}

static void
test_transpose (void)
{
  static const int64_t perms[][4] = {
    { 0, 2, 3, 1 }, { 3, 1, 0, 2 }, { 0, 1, 2, 3 }, { 2, 3, 0, 1 },
  };
  g_autoptr(LrpTestGraph) reversed = graph_new (13, INTS (2, 3, 4));

  for (guint k = 0; k < G_N_ELEMENTS (perms); k++)
    {
      g_autoptr(LrpTestGraph) g = graph_new (13, INTS (2, 3, 4, 5));

      add_subject (g, "Transpose", "x", "y");
      lrp_test_graph_attr_ints (g, "perm", 4, perms[k]);
      check_adjoint (g, 50 + k);
    }
  /* No perm: the dimensions reversed. */
  add_subject (reversed, "Transpose", "x", "y");
  check_adjoint (reversed, 59);
}

/* ---- Windows ------------------------------------------------------------------ */

static LrpTestGraph *
slice_graph (const int64_t *starts,
             const int64_t *ends,
             const int64_t *axes,
             const int64_t *steps,
             int n)
{
  LrpTestGraph *g = graph_new (13, INTS (4, 5, 6));

  graph_ints (g, "starts", n, starts);
  graph_ints (g, "ends", n, ends);
  graph_ints (g, "axes", n, axes);
  graph_ints (g, "steps", n, steps);
  add_subject (g, "Slice", "x,starts,ends,axes,steps", "y");
  return g;
}

static void
test_slice (void)
{
  g_autoptr(LrpTestGraph) back = slice_graph ((int64_t[]) { 3, 5 }, (int64_t[]) { -5, 0 },
                                              (int64_t[]) { 0, 2 }, (int64_t[]) { -1, -2 }, 2);
  g_autoptr(LrpTestGraph) mixed = slice_graph ((int64_t[]) { 1, -1, 0 },
                                               (int64_t[]) { 100, -6, 6 },
                                               (int64_t[]) { 2, 1, -3 },
                                               (int64_t[]) { 3, -3, 2 }, 3);
  g_autoptr(LrpTestGraph) one = slice_graph ((int64_t[]) { 2 }, (int64_t[]) { 0 },
                                             (int64_t[]) { 1 }, (int64_t[]) { -100 }, 1);
  g_autoptr(LrpTestGraph) attr = graph_new (9, INTS (4, 5, 6));

  check_adjoint (back, 60);
  check_adjoint (mixed, 61);
  check_adjoint (one, 62);

  /* Opset 9: attributes, no steps. */
  add_subject (attr, "Slice", "x", "y");
  lrp_test_graph_attr_ints (attr, "starts", INTS (1, -4));
  lrp_test_graph_attr_ints (attr, "ends", INTS (3, 1000));
  lrp_test_graph_attr_ints (attr, "axes", INTS (0, 2));
  check_adjoint (attr, 63);
}

static void
test_pad (void)
{
  g_autoptr(LrpTestGraph) g = graph_new (13, INTS (2, 3, 4, 5));
  g_autoptr(LrpTestGraph) crop = graph_new (13, INTS (2, 3, 4, 5));
  g_autoptr(LrpTestGraph) attr = graph_new (2, INTS (1, 2, 3, 3));

  graph_ints (g, "pads", INTS (0, 1, 2, 0, 0, 2, 1, 3));
  add_subject (g, "Pad", "x,pads", "y");
  check_adjoint (g, 70);

  /* Negative pads crop: the cropped input gets nothing. */
  graph_ints (crop, "pads", INTS (0, -1, 2, -2, -1, 1, -2, 1));
  add_subject (crop, "Pad", "x,pads", "y");
  check_adjoint (crop, 71);

  /* Opset 2: the pads attribute. */
  add_subject (attr, "Pad", "x", "y");
  lrp_test_graph_attr_ints (attr, "pads", INTS (0, 0, 1, -1, 0, 1, 2, 0));
  check_adjoint (attr, 72);
}

/* ---- Blocks along one axis ---------------------------------------------------- */

static void
test_concat (void)
{
  for (int axis = -3; axis < 3; axis++)
    {
      g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
      int64_t shapes[3][3] = { { 2, 3, 4 }, { 2, 3, 4 }, { 2, 3, 4 } };
      int a = axis < 0 ? axis + 3 : axis;

      shapes[1][a] = 1;
      shapes[2][a] = 2;
      lrp_test_graph_input (g, "x0", 3, shapes[0]);
      lrp_test_graph_input (g, "x1", 3, shapes[1]);
      lrp_test_graph_input (g, "x2", 3, shapes[2]);
      add_subject (g, "Concat", "x0,x1,x2", "y");
      lrp_test_graph_attr_int (g, "axis", axis);
      check_adjoint (g, 80 + (guint32) a);
    }
}

static void
test_split (void)
{
  g_autoptr(LrpTestGraph) g = graph_new (13, INTS (2, 6, 3));
  g_autoptr(LrpTestGraph) attr = graph_new (11, INTS (7, 2));
  g_autoptr(LrpTestGraph) equal = graph_new (13, INTS (2, 3, 6));

  graph_ints (g, "split", INTS (1, 3, 2));
  add_subject (g, "Split", "x,split", "y0,y1,y2");
  lrp_test_graph_attr_int (g, "axis", 1);
  check_adjoint (g, 90);
  /* Outputs nothing reached contribute nothing. */
  check_adjoint_masked (g, 91, 1u << 1);
  check_adjoint_masked (g, 92, (1u << 0) | (1u << 2));

  add_subject (attr, "Split", "x", "y0,y1");
  lrp_test_graph_attr_ints (attr, "split", INTS (5, 2));
  check_adjoint (attr, 93);

  add_subject (equal, "Split", "x", "y0,y1,y2");
  lrp_test_graph_attr_int (equal, "axis", -1);
  check_adjoint_masked (equal, 94, 1u << 2);
}

static void
test_gather (void)
{
  g_autoptr(LrpTestGraph) rows = graph_new (13, INTS (4, 3));
  g_autoptr(LrpTestGraph) grid = graph_new (13, INTS (2, 5, 3));
  g_autoptr(LrpTestGraph) last = graph_new (13, INTS (2, 3, 4));

  /* Repeated and negative indices. */
  graph_ints (rows, "indices", INTS (2, 0, 2, 2, -1));
  add_subject (rows, "Gather", "x,indices", "y");
  check_adjoint (rows, 100);

  /* 2-D indices (a folded Reshape of a constant) along axis 1. */
  graph_ints (grid, "flat", INTS (4, 1, 1, -5, 0, 4));
  graph_ints (grid, "shape", INTS (2, 3));
  lrp_test_graph_node (grid, "Reshape", "make_indices", "flat,shape", "indices");
  add_subject (grid, "Gather", "x,indices", "y");
  lrp_test_graph_attr_int (grid, "axis", 1);
  check_adjoint (grid, 101);

  graph_ints (last, "indices", INTS (3, 3, 3));
  add_subject (last, "Gather", "x,indices", "y");
  lrp_test_graph_attr_int (last, "axis", -1);
  check_adjoint (last, 102);
}

/* ---- Hand-computed cases ---------------------------------------------------- */

static LrpTensor *
tensor_from (int rank,
             const int64_t *shape,
             const float *values)
{
  LrpTensor *t = lrp_tensor_new_float (rank, shape);

  memcpy (t->data, values, sizeof (float) * (size_t) t->n);
  return t;
}

static void
assert_values (const LrpTensor *t,
               const float *want)
{
  for (int64_t i = 0; i < t->n; i++)
    g_assert_cmpfloat (lrp_tensor_f (t)[i], ==, want[i]);
}

/* x [3, 2], indices [1, 1, 0]: row 1 is read twice, row 2 never. */
static void
test_gather_hand (void)
{
  static const float r[] = { 1, 2, 3, 4, 5, 6 }, want[] = { 5, 6, 4, 6, 0, 0 };
  g_autoptr(LrpTestGraph) g = graph_new (13, INTS (3, 2));
  g_autoptr(GError) error = NULL;
  g_auto(Subject) s = { 0 };
  LrpTensor *r_out[MAX_IO] = { NULL }, *r_in[MAX_IO] = { NULL };

  graph_ints (g, "indices", INTS (1, 1, 0));
  add_subject (g, "Gather", "x,indices", "y");
  subject_load (&s, g, 1);
  g_assert_false (takes_relevance (&s, 1));
  r_out[0] = tensor_from (INTS (3, 2), r);
  r_in[0] = lrp_tensor_new_float (INTS (3, 2));
  g_assert_true (subject_backward (&s, LRP_BACKWARD_LRP, LRP_RULE_GRADIENT, r_out, r_in,
                                   &error));
  g_assert_no_error (error);
  assert_values (r_in[0], want);
  unref_all (r_in);
  unref_all (r_out);
}

/* [2, 1] and [2, 2] along axis 1: each input gets its own columns. */
static void
test_concat_hand (void)
{
  static const float r[] = { 1, 2, 3, 4, 5, 6 }, want0[] = { 1, 4 }, want1[] = { 2, 3, 5, 6 };
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
  g_autoptr(GError) error = NULL;
  g_auto(Subject) s = { 0 };
  LrpTensor *r_out[MAX_IO] = { NULL }, *r_in[MAX_IO] = { NULL };

  lrp_test_graph_input (g, "a", INTS (2, 1));
  lrp_test_graph_input (g, "b", INTS (2, 2));
  add_subject (g, "Concat", "a,b", "y");
  lrp_test_graph_attr_int (g, "axis", 1);
  subject_load (&s, g, 2);
  r_out[0] = tensor_from (INTS (2, 3), r);
  r_in[0] = lrp_tensor_new_float (INTS (2, 1));
  r_in[1] = lrp_tensor_new_float (INTS (2, 2));
  g_assert_true (subject_backward (&s, LRP_BACKWARD_LRP, LRP_RULE_PASS, r_out, r_in, &error));
  g_assert_no_error (error);
  assert_values (r_in[0], want0);
  assert_values (r_in[1], want1);

  /* An input that takes no relevance is skipped. */
  g_clear_pointer (&r_in[0], lrp_tensor_unref);
  memset (r_in[1]->data, 0, sizeof (float) * 4);
  g_assert_true (subject_backward (&s, LRP_BACKWARD_GRADIENT, LRP_RULE_GRADIENT, r_out, r_in,
                                   &error));
  assert_values (r_in[1], want1);
  unref_all (r_in);
  unref_all (r_out);
}

/* ---- Rules ------------------------------------------------------------------- */

static void
check_refused (LrpTestGraph *g,
               LrpRuleKind kind)
{
  g_autoptr(GError) error = NULL;
  g_auto(Subject) s = { 0 };
  LrpTensor *r_out[MAX_IO] = { NULL }, *r_in[MAX_IO] = { NULL };
  const LrpTensor *x, *y;

  subject_load (&s, g, 3);
  x = subject_act (&s, s.node->inputs[0]);
  y = subject_act (&s, s.node->outputs[0]);
  r_out[0] = lrp_tensor_new_random (y->rank, y->shape, 4);
  r_in[0] = lrp_tensor_new_float (x->rank, x->shape);
  g_assert_false (subject_backward (&s, LRP_BACKWARD_LRP, kind, r_out, r_in, &error));
  g_assert_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES);
  g_assert_nonnull (strstr (error->message, "subject"));
  g_assert_nonnull (strstr (error->message, lrp_rule_kind_name (kind)));
  unref_all (r_in);
  unref_all (r_out);
}

static void
test_refused_rules (void)
{
  g_autoptr(LrpTestGraph) reshape = graph_new (13, INTS (2, 3, 4));
  g_autoptr(LrpTestGraph) gather = graph_new (13, INTS (4, 3));
  g_autoptr(LrpTestGraph) pad = graph_new (13, INTS (2, 3));

  graph_ints (reshape, "shape", INTS (6, 4));
  add_subject (reshape, "Reshape", "x,shape", "y");
  check_refused (reshape, LRP_RULE_GAMMA);
  check_refused (reshape, LRP_RULE_EPSILON);

  graph_ints (gather, "indices", INTS (0, 0));
  add_subject (gather, "Gather", "x,indices", "y");
  check_refused (gather, LRP_RULE_NORM);

  graph_ints (pad, "pads", INTS (1, 1, 1, 1));
  add_subject (pad, "Pad", "x,pads", "y");
  check_refused (pad, LRP_RULE_ZPLUS);
}

/* Constant and Shape are folded at load; their backward has nothing to do. */
static void
test_constant_shape (void)
{
  static const char *const ops[] = { "Constant", "Shape" };

  for (guint k = 0; k < G_N_ELEMENTS (ops); k++)
    {
      const LrpOpClass *klass = lrp_op_lookup (ops[k]);
      LrpNode node = { .name = (char *) "subject", .op_type = (char *) ops[k], .klass = klass };
      LrpTensor *none[MAX_IO] = { NULL };
      LrpBackwardCtx ctx = { .mode = LRP_BACKWARD_LRP };
      g_autoptr(GError) error = NULL;

      ctx.rule = lrp_rule_default (LRP_RULE_GRADIENT);
      g_assert_nonnull (klass);
      g_assert_nonnull (klass->backward);
      g_assert_true (klass->backward (&node, &ctx, none, none, none, none, &error));
      g_assert_no_error (error);
    }
}

int
main (int argc,
      char **argv)
{
  lrp_test_init (&argc, &argv);
  g_test_add_func ("/backward-shape/flatten", test_flatten);
  g_test_add_func ("/backward-shape/reshape", test_reshape);
  g_test_add_func ("/backward-shape/squeeze", test_squeeze);
  g_test_add_func ("/backward-shape/unsqueeze", test_unsqueeze);
  g_test_add_func ("/backward-shape/transpose", test_transpose);
  g_test_add_func ("/backward-shape/slice", test_slice);
  g_test_add_func ("/backward-shape/pad", test_pad);
  g_test_add_func ("/backward-shape/concat", test_concat);
  g_test_add_func ("/backward-shape/split", test_split);
  g_test_add_func ("/backward-shape/gather", test_gather);
  g_test_add_func ("/backward-shape/gather-hand", test_gather_hand);
  g_test_add_func ("/backward-shape/concat-hand", test_concat_hand);
  g_test_add_func ("/backward-shape/refused-rules", test_refused_rules);
  g_test_add_func ("/backward-shape/constant-shape", test_constant_shape);
  return g_test_run ();
}
