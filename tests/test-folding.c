/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shape operators: torch's Shape → Gather → Unsqueeze → Concat → Reshape
 * flatten chain must fold away at load; Gather with indices known only at
 * run time must check them; hostile attribute and constant values must get
 * a LRP_MODEL_ERROR naming the node, never a crash.
 */
#include "config.h"

#include "lrp-graph-private.h"
#include "lrp-run-private.h"
#include "lrp-test-util.h"

#include <string.h>

/* ---- torch's view(x.size(0), -1) ------------------------------------------ */

static int
count_folded (const LrpModel *model,
              const char *op_type)
{
  g_autofree char *suffix = g_strdup_printf (" (%s)", op_type);
  int n = 0;

  for (guint i = 0; i < model->folded->len; i++)
    n += g_str_has_suffix (g_ptr_array_index (model->folded, i), suffix);
  return n;
}

static void
test_torch_view (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "folding.onnx", NULL);
  const int64_t shape[] = { 1, 2, 3, 4 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = NULL;
  g_autoptr(LrpRun) run = NULL;
  g_autoptr(LrpTensor) x = lrp_tensor_new_float (4, shape);
  LrpTensor *y;

  model = lrp_model_load (path, NULL, &error);
  g_assert_no_error (error);

  /* Only the runtime work is left: Relu and the Reshape it feeds. */
  g_assert_cmpint (model->n_nodes, ==, 2);
  g_assert_cmpstr (model->nodes[0].op_type, ==, "Relu");
  g_assert_cmpstr (model->nodes[1].op_type, ==, "Reshape");
  g_assert_cmpint (count_folded (model, "Shape"), ==, 1);
  g_assert_cmpint (count_folded (model, "Gather"), ==, 1);
  g_assert_cmpint (count_folded (model, "Unsqueeze"), ==, 2);
  g_assert_cmpint (count_folded (model, "Concat"), ==, 1);
  g_assert_cmpint (count_folded (model, "Constant"), ==, 4);
  g_assert_cmpuint (model->folded->len, ==, 9);

  for (int64_t i = 0; i < x->n; i++)
    lrp_tensor_f (x)[i] = (float) (i - 12) * 0.5f;
  run = lrp_run_new (model);
  g_assert_true (lrp_run_forward (run, x, NULL, &error));
  g_assert_no_error (error);
  y = lrp_run_get_output (run);
  g_assert_cmpint (y->rank, ==, 2);
  g_assert_cmpint (y->shape[0], ==, 1);
  g_assert_cmpint (y->shape[1], ==, 24);
  for (int64_t i = 0; i < y->n; i++)
    g_assert_cmpfloat (lrp_tensor_f (y)[i], ==, MAX (lrp_tensor_f (x)[i], 0.f));
}

/* ---- Graphs built directly -------------------------------------------- */

typedef struct
{
  int opset;
  GPtrArray *inputs;   /* LrpGraphTensor */
  GPtrArray *inits;
  GPtrArray *nodes;    /* LrpGraphNode */
} Graph;

static void
graph_tensor_free (LrpGraphTensor *gt)
{
  g_free (gt->name);
  lrp_tensor_unref (gt->tensor);
  g_free (gt);
}

static void
graph_node_free (LrpGraphNode *gn)
{
  g_free (gn->name);
  g_free (gn->op_type);
  g_free (gn->domain);
  g_strfreev (gn->inputs);
  g_strfreev (gn->outputs);
  lrp_attrs_clear (&gn->attrs);
  g_free (gn);
}

static void
graph_free (Graph *g)
{
  g_ptr_array_unref (g->inputs);
  g_ptr_array_unref (g->inits);
  g_ptr_array_unref (g->nodes);
  g_free (g);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Graph, graph_free)

static void
add_tensor (GPtrArray *list,
            const char *name,
            LrpTensor *t)
{
  LrpGraphTensor *gt = g_new0 (LrpGraphTensor, 1);

  gt->name = g_strdup (name);
  gt->tensor = t;
  g_ptr_array_add (list, gt);
}

/* A graph whose runtime input x (float) has @shape. */
static Graph *
graph_new (int opset,
           int rank,
           const int64_t *shape)
{
  Graph *g = g_new0 (Graph, 1);

  g->opset = opset;
  g->inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) graph_tensor_free);
  g->inits = g_ptr_array_new_with_free_func ((GDestroyNotify) graph_tensor_free);
  g->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) graph_node_free);
  add_tensor (g->inputs, "x", lrp_tensor_new_meta (LRP_DTYPE_FLOAT, rank, shape));
  return g;
}

static void
graph_ints (Graph *g,
            const char *name,
            int n,
            const int64_t *values)
{
  int64_t shape[1] = { n };
  LrpTensor *t = lrp_tensor_new (LRP_DTYPE_INT64, 1, shape);

  memcpy (t->data, values, sizeof (int64_t) * (size_t) n);
  add_tensor (g->inits, name, t);
}

/* The node under test, "subject", writing y. */
static LrpGraphNode *
graph_node (Graph *g,
            const char *op_type,
            const char *inputs,
            const char *outputs)
{
  LrpGraphNode *gn = g_new0 (LrpGraphNode, 1);

  gn->name = g_strdup ("subject");
  gn->op_type = g_strdup (op_type);
  gn->inputs = g_strsplit (inputs, ",", -1);
  gn->n_inputs = (int) g_strv_length (gn->inputs);
  gn->outputs = g_strsplit (outputs, ",", -1);
  gn->n_outputs = (int) g_strv_length (gn->outputs);
  gn->attrs.node_name = gn->name;
  gn->attrs.op_type = gn->op_type;
  g_ptr_array_add (g->nodes, gn);
  return gn;
}

static LrpAttr *
new_attr (LrpGraphNode *gn,
          const char *name,
          LrpAttrType type)
{
  LrpAttr *a;

  gn->attrs.attrs = g_renew (LrpAttr, gn->attrs.attrs, gn->attrs.n_attrs + 1);
  a = &gn->attrs.attrs[gn->attrs.n_attrs++];
  memset (a, 0, sizeof *a);
  a->name = g_strdup (name);
  a->type = type;
  return a;
}

static void
attr_int (LrpGraphNode *gn,
          const char *name,
          int64_t v)
{
  new_attr (gn, name, LRP_ATTR_INT)->i = v;
}

static void
attr_ints (LrpGraphNode *gn,
           const char *name,
           int n,
           const int64_t *v)
{
  LrpAttr *a = new_attr (gn, name, LRP_ATTR_INTS);

  a->n = n;
  a->ints = g_memdup2 (v, sizeof (int64_t) * (size_t) n);
}

static void
attr_string (LrpGraphNode *gn,
             const char *name,
             const char *s)
{
  new_attr (gn, name, LRP_ATTR_STRING)->s = g_strdup (s);
}

static LrpModel *
graph_build (Graph *g,
             GError **error)
{
  char *outputs[] = { "y", NULL };

  return lrp_graph_build ("test.onnx", g->opset, g->inputs, g->inits, g->nodes, outputs, NULL,
                          error);
}

/* Loading must fail with @code, naming the node. */
static void
expect_error (Graph *g,
              int code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = graph_build (g, &error);

  g_assert_null (model);
  g_assert_error (error, LRP_MODEL_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "subject"));
}

#define I64(...) G_N_ELEMENTS (((const int64_t[]) { __VA_ARGS__ })), \
                 ((const int64_t[]) { __VA_ARGS__ })

/* ---- Gather with indices computed at run time ---------------------------- */

static void
test_gather_runtime (void)
{
  const int64_t xs[] = { 3, 2 }, is[] = { 2, 2 };
  g_autoptr(Graph) g = graph_new (13, 2, xs);
  g_autoptr(LrpModel) model = NULL;
  g_autoptr(LrpRun) run = NULL;
  g_autoptr(LrpTensor) x = lrp_tensor_new_float (2, xs);
  g_autoptr(LrpTensor) idx = lrp_tensor_new (LRP_DTYPE_INT64, 2, is);
  g_autoptr(GError) error = NULL;
  const int64_t good[] = { 0, -1, 2, 1 };
  const float want[] = { 0, 1, 4, 5, 4, 5, 2, 3 };
  LrpTensor *in[2] = { x, idx };
  LrpTensor *y;

  add_tensor (g->inputs, "idx", lrp_tensor_new_meta (LRP_DTYPE_INT64, 2, is));
  graph_node (g, "Gather", "x,idx", "y");
  model = graph_build (g, &error);
  g_assert_no_error (error);
  g_assert_cmpint (model->n_nodes, ==, 1);

  for (int i = 0; i < 6; i++)
    lrp_tensor_f (x)[i] = (float) i;
  memcpy (idx->data, good, sizeof good);
  run = lrp_run_new (model);
  g_assert_true (lrp_run_forward_inputs (run, 2, in, NULL, &error));
  y = lrp_run_get_output (run);
  g_assert_cmpint (y->rank, ==, 3);
  for (int i = 0; i < 8; i++)
    g_assert_cmpfloat (lrp_tensor_f (y)[i], ==, want[i]);

  /* Out of range either way: an error, nothing read. */
  for (int k = 0; k < 2; k++)
    {
      lrp_tensor_i64 (idx)[3] = k == 0 ? 3 : -4;
      g_assert_false (lrp_run_forward_inputs (run, 2, in, NULL, &error));
      g_assert_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_SHAPE);
      g_assert_nonnull (strstr (error->message, "subject"));
      g_clear_error (&error);
    }
}

/* ---- Extreme but valid values --------------------------------------------- */

static void
test_slice_extremes (void)
{
  const int64_t xs[] = { 4, 5 };
  g_autoptr(Graph) g = graph_new (13, 2, xs);
  g_autoptr(LrpModel) model = NULL;
  g_autoptr(GError) error = NULL;
  LrpTensor *y;

  /* Axis 0 reversed from INT64_MAX to INT64_MIN; axis 1 with a huge step
   * takes only its first element. */
  graph_ints (g, "starts", I64 (G_MAXINT64, 0));
  graph_ints (g, "ends", I64 (G_MININT64, G_MAXINT64));
  graph_ints (g, "axes", I64 (0, -1));
  graph_ints (g, "steps", I64 (G_MININT64 + 1, G_MAXINT64));
  graph_node (g, "Slice", "x,starts,ends,axes,steps", "y");
  model = graph_build (g, &error);
  g_assert_no_error (error);
  y = model->values[model->outputs[0]].tensor;
  g_assert_cmpint (y->shape[0], ==, 1);
  g_assert_cmpint (y->shape[1], ==, 1);
}

/* ---- Hostile values ------------------------------------------------------- */

typedef void (*BuildCase) (Graph *g);

static void
bad_perm (Graph *g)
{
  attr_ints (graph_node (g, "Transpose", "x", "y"), "perm", I64 (0, 0));
}

static void
bad_perm_range (Graph *g)
{
  attr_ints (graph_node (g, "Transpose", "x", "y"), "perm", I64 (1, 7));
}

static void
reshape_two_minus_one (Graph *g)
{
  graph_ints (g, "s", I64 (-1, -1));
  graph_node (g, "Reshape", "x,s", "y");
}

static void
reshape_count (Graph *g)
{
  graph_ints (g, "s", I64 (5, 5));
  graph_node (g, "Reshape", "x,s", "y");
}

static void
reshape_huge (Graph *g)
{
  graph_ints (g, "s", I64 (G_MAXINT64, G_MAXINT64, -1));
  graph_node (g, "Reshape", "x,s", "y");
}

static void
reshape_negative (Graph *g)
{
  graph_ints (g, "s", I64 (-2, -3));
  graph_node (g, "Reshape", "x,s", "y");
}

static void
reshape_copy_past_rank (Graph *g)
{
  graph_ints (g, "s", I64 (0, 0, 0));
  graph_node (g, "Reshape", "x,s", "y");
}

static void
reshape_rank_nine (Graph *g)
{
  graph_ints (g, "s", I64 (1, 1, 1, 1, 1, 1, 1, 4, 6));
  graph_node (g, "Reshape", "x,s", "y");
}

static void
reshape_attr_zero_infer (Graph *g)
{
  LrpGraphNode *n = graph_node (g, "Reshape", "x", "y");

  g->opset = 4;
  attr_ints (n, "shape", I64 (0, -1, 0));
}

static void
squeeze_not_one (Graph *g)
{
  graph_ints (g, "a", I64 (0));
  graph_node (g, "Squeeze", "x,a", "y");
}

static void
unsqueeze_range (Graph *g)
{
  g->opset = 11;
  attr_ints (graph_node (g, "Unsqueeze", "x", "y"), "axes", I64 (3));
}

static void
unsqueeze_twice (Graph *g)
{
  graph_ints (g, "a", I64 (0, -4));
  graph_node (g, "Unsqueeze", "x,a", "y");
}

static void
unsqueeze_rank_nine (Graph *g)
{
  graph_ints (g, "a", I64 (0, 1, 2, 3, 4, 5, 6));
  graph_node (g, "Unsqueeze", "x,a", "y");
}

static void
concat_axis (Graph *g)
{
  attr_int (graph_node (g, "Concat", "x,x", "y"), "axis", 2);
}

static void
concat_mismatch (Graph *g)
{
  graph_ints (g, "a", I64 (0, 1));
  attr_int (graph_node (g, "Concat", "x,a", "y"), "axis", 0);
}

static void
split_sum (Graph *g)
{
  graph_ints (g, "s", I64 (1, 5));
  graph_node (g, "Split", "x,s", "y,z");
}

static void
split_negative (Graph *g)
{
  g->opset = 11;
  attr_ints (graph_node (g, "Split", "x", "y,z"), "split", I64 (-1, 3));
}

static void
split_unequal (Graph *g)
{
  attr_int (graph_node (g, "Split", "x", "y,z"), "axis", 1);
}

static void
slice_step_zero (Graph *g)
{
  graph_ints (g, "b", I64 (0));
  graph_ints (g, "e", I64 (1));
  graph_ints (g, "a", I64 (0));
  graph_ints (g, "s", I64 (0));
  graph_node (g, "Slice", "x,b,e,a,s", "y");
}

static void
slice_axes_twice (Graph *g)
{
  graph_ints (g, "b", I64 (0, 0));
  graph_ints (g, "e", I64 (1, 1));
  graph_ints (g, "a", I64 (1, -1));
  graph_node (g, "Slice", "x,b,e,a", "y");
}

static void
slice_lengths (Graph *g)
{
  LrpGraphNode *n = graph_node (g, "Slice", "x", "y");

  g->opset = 9;
  attr_ints (n, "starts", I64 (0, 0));
  attr_ints (n, "ends", I64 (1));
}

static void
pad_huge (Graph *g)
{
  LrpGraphNode *n = graph_node (g, "Pad", "x", "y");

  g->opset = 2;
  attr_ints (n, "pads", I64 (0, G_MAXINT64, 0, G_MAXINT64));
}

static void
pad_negative (Graph *g)
{
  graph_ints (g, "p", I64 (-2, 0, -1, 0));
  graph_node (g, "Pad", "x,p", "y");
}

static void
pad_count (Graph *g)
{
  graph_ints (g, "p", I64 (1, 1));
  graph_node (g, "Pad", "x,p", "y");
}

static void
gather_index (Graph *g)
{
  graph_ints (g, "i", I64 (0, 2));
  graph_node (g, "Gather", "x,i", "y");
}

static void
gather_axis (Graph *g)
{
  graph_ints (g, "i", I64 (0));
  attr_int (graph_node (g, "Gather", "x,i", "y"), "axis", -3);
}

static void
flatten_axis (Graph *g)
{
  attr_int (graph_node (g, "Flatten", "x", "y"), "axis", 3);
}

static void
constant_two_values (Graph *g)
{
  LrpGraphNode *n = graph_node (g, "Constant", "", "y");

  n->n_inputs = 0;
  attr_int (n, "value_int", 1);
  attr_ints (n, "value_ints", I64 (1));
}

static void
pad_reflect (Graph *g)
{
  graph_ints (g, "p", I64 (1, 1, 1, 1));
  attr_string (graph_node (g, "Pad", "x,p", "y"), "mode", "reflect");
}

static void
constant_string (Graph *g)
{
  LrpGraphNode *n = graph_node (g, "Constant", "", "y");

  n->n_inputs = 0;
  attr_string (n, "value_string", "hello");
}

static void
test_hostile (void)
{
  static const struct { BuildCase build; int code; } cases[] = {
    { bad_perm, LRP_MODEL_ERROR_SHAPE },
    { bad_perm_range, LRP_MODEL_ERROR_SHAPE },
    { reshape_two_minus_one, LRP_MODEL_ERROR_SHAPE },
    { reshape_count, LRP_MODEL_ERROR_SHAPE },
    { reshape_huge, LRP_MODEL_ERROR_SHAPE },
    { reshape_negative, LRP_MODEL_ERROR_SHAPE },
    { reshape_copy_past_rank, LRP_MODEL_ERROR_SHAPE },
    { reshape_rank_nine, LRP_MODEL_ERROR_SHAPE },
    { reshape_attr_zero_infer, LRP_MODEL_ERROR_SHAPE },
    { squeeze_not_one, LRP_MODEL_ERROR_SHAPE },
    { unsqueeze_range, LRP_MODEL_ERROR_SHAPE },
    { unsqueeze_twice, LRP_MODEL_ERROR_SHAPE },
    { unsqueeze_rank_nine, LRP_MODEL_ERROR_SHAPE },
    { concat_axis, LRP_MODEL_ERROR_SHAPE },
    { concat_mismatch, LRP_MODEL_ERROR_SHAPE },
    { split_sum, LRP_MODEL_ERROR_SHAPE },
    { split_negative, LRP_MODEL_ERROR_SHAPE },
    { split_unequal, LRP_MODEL_ERROR_SHAPE },
    { slice_step_zero, LRP_MODEL_ERROR_SHAPE },
    { slice_axes_twice, LRP_MODEL_ERROR_SHAPE },
    { slice_lengths, LRP_MODEL_ERROR_SHAPE },
    { pad_huge, LRP_MODEL_ERROR_SHAPE },
    { pad_negative, LRP_MODEL_ERROR_SHAPE },
    { pad_count, LRP_MODEL_ERROR_SHAPE },
    { gather_index, LRP_MODEL_ERROR_SHAPE },
    { gather_axis, LRP_MODEL_ERROR_SHAPE },
    { flatten_axis, LRP_MODEL_ERROR_SHAPE },
    { constant_two_values, LRP_MODEL_ERROR_FAILED },
    { pad_reflect, LRP_MODEL_ERROR_UNSUPPORTED },
    { constant_string, LRP_MODEL_ERROR_UNSUPPORTED },
  };
  /* x is [2, 3] (opset 13 unless the case says otherwise). */
  const int64_t xs[] = { 2, 3 };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Graph) g = graph_new (13, 2, xs);

      cases[i].build (g);
      expect_error (g, cases[i].code);
    }
}

int
main (int argc,
      char **argv)
{
  lrp_test_init (&argc, &argv);
  g_test_add_func ("/folding/torch-view", test_torch_view);
  g_test_add_func ("/shape-ops/gather-runtime", test_gather_runtime);
  g_test_add_func ("/shape-ops/slice-extremes", test_slice_extremes);
  g_test_add_func ("/shape-ops/hostile", test_hostile);
  return g_test_run ();
}
