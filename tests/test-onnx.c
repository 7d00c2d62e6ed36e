/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ONNX import: what a hostile, broken or unsupported file gets (a GError of
 * the right domain and code, naming what is wrong), and what a good one
 * gives (shapes, metadata).
 */
#include "config.h"

#include "lrp-graph-private.h"
#include "lrp-test-onnx.h"
#include "lrp-test-util.h"

#include "onnx.pb-c.h"

#include <glib/gstdio.h>
#include <string.h>

static const int64_t shape_1x4[] = { 1, 4 };
static const int64_t shape_3x4[] = { 3, 4 };

/* x[1,4] → Gemm(W[3,4], transB) → Relu → y */
static LrpTestGraph *
small_graph (void)
{
  static const float w[12] = { 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0 };
  LrpTestGraph *g = lrp_test_graph_new (13);

  lrp_test_graph_input (g, "x", 2, shape_1x4);
  lrp_test_graph_initializer (g, "W", 2, shape_3x4, w);
  lrp_test_graph_node (g, "Gemm", "dense", "x,W", "h");
  lrp_test_graph_attr_int (g, "transB", 1);
  lrp_test_graph_node (g, "Relu", "act", "h", "y");
  lrp_test_graph_output (g, "y");
  return g;
}

static LrpModel *
load_bytes (GBytes *bytes,
            GError **error)
{
  return lrp_model_load_bytes (bytes, "test.onnx", NULL, error);
}

static void
test_good_model (void)
{
  g_autoptr(LrpTestGraph) g = small_graph ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = NULL;
  const int64_t *shape;
  int rank;

  lrp_test_graph_metadata (g, "lrplens.labels", "[\"a\", \"b\", \"c\"]");
  bytes = lrp_test_graph_pack (g);
  model = load_bytes (bytes, &error);
  g_assert_no_error (error);
  shape = lrp_model_get_input_shape (model, &rank);
  g_assert_cmpint (rank, ==, 2);
  g_assert_cmpint (shape[1], ==, 4);
  g_assert_cmpint (lrp_model_get_n_classes (model), ==, 3);
  g_assert_cmpstr (lrp_model_get_label (model, 2), ==, "c");
  g_assert_null (lrp_model_get_label (model, 3));
  g_assert_cmpint (lrp_model_get_n_nodes (model), ==, 2);
}

static void
test_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = lrp_model_load ("/nonexistent/dir/model.onnx", NULL, &error);

  g_assert_null (model);
  g_assert_error (error, LRP_ONNX_ERROR, LRP_ONNX_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "model.onnx"));
  /* Said as for a missing image: the file's name and why, no GIO preamble. */
  g_assert_cmpstr (error->message, ==, "model.onnx: No such file or directory");
}

static void
test_empty (void)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static ("", 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = load_bytes (bytes, &error);

  g_assert_null (model);
  g_assert_error (error, LRP_ONNX_ERROR, LRP_ONNX_ERROR_NOT_ONNX);
}

/* Random bytes, many seeds: always a clean LRP_ONNX_ERROR, never a crash. */
static void
test_random_bytes (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  for (int round = 0; round < 200; round++)
    {
      gsize len = (gsize) g_rand_int_range (rand, 1, 4096);
      guint8 *buf = g_malloc (len);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(LrpModel) model = NULL;

      for (gsize i = 0; i < len; i++)
        buf[i] = (guint8) g_rand_int (rand);
      bytes = g_bytes_new_take (buf, len);
      model = load_bytes (bytes, &error);
      g_assert_null (model);
      g_assert_nonnull (error);
      g_assert_true (error->domain == LRP_ONNX_ERROR || error->domain == LRP_MODEL_ERROR);
    }
}

/* Every prefix of a good model fails cleanly; most are reported as cut. */
static void
test_truncated (void)
{
  g_autoptr(LrpTestGraph) g = small_graph ();
  g_autoptr(GBytes) whole = lrp_test_graph_pack (g);
  gsize len = g_bytes_get_size (whole);
  int truncated = 0;

  for (gsize cut = 1; cut < len; cut++)
    {
      g_autoptr(GBytes) part = g_bytes_new_from_bytes (whole, 0, cut);
      g_autoptr(GError) error = NULL;
      g_autoptr(LrpModel) model = load_bytes (part, &error);

      g_assert_null (model);
      g_assert_nonnull (error);
      truncated += g_error_matches (error, LRP_ONNX_ERROR, LRP_ONNX_ERROR_TRUNCATED);
    }
  g_assert_cmpint (truncated, >, (int) len / 2);
}

static void
test_not_a_model (void)
{
  Onnx__TensorProto t = ONNX__TENSOR_PROTO__INIT;
  int64_t dims[1] = { 2 };
  float data[2] = { 1, 2 };
  guint8 buf[256];
  size_t len;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = NULL;

  t.n_dims = 1;
  t.dims = dims;
  t.has_data_type = TRUE;
  t.data_type = 1;
  t.n_float_data = 2;
  t.float_data = data;
  len = onnx__tensor_proto__pack (&t, buf);
  bytes = g_bytes_new (buf, len);
  model = load_bytes (bytes, &error);
  g_assert_null (model);
  g_assert_error (error, LRP_ONNX_ERROR, LRP_ONNX_ERROR_NOT_ONNX);
}

/* model.graph.node.attribute.g.node.attribute.g… 100 000 levels deep: a
 * recursive decoder would overflow the stack. */
static void
test_deep_nesting (void)
{
  const int depth = 100000;
  /* (field << 3 | 2) tags: ModelProto.graph = 7, GraphProto.node = 1,
   * NodeProto.attribute = 5, AttributeProto.g = 6 */
  const guint8 tags[] = { 7 << 3 | 2, 1 << 3 | 2, 5 << 3 | 2, 6 << 3 | 2 };
  GByteArray *buf = g_byte_array_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = NULL;

  /* Lengths count what follows: write each level with a 5-byte varint. */
  for (int level = 0; level < depth; level++)
    {
      guint32 rest = (guint32) (depth - level - 1) * 6;
      guint8 head[6] = { level == 0 ? tags[0] : tags[1 + (level - 1) % 3] };

      for (int k = 0; k < 5; k++)
        head[1 + k] = (guint8) (((rest >> (7 * k)) & 0x7f) | (k < 4 ? 0x80 : 0));
      g_byte_array_append (buf, head, 6);
    }
  bytes = g_byte_array_free_to_bytes (buf);
  model = load_bytes (bytes, &error);
  g_assert_null (model);
  g_assert_error (error, LRP_ONNX_ERROR, LRP_ONNX_ERROR_NOT_ONNX);
  g_assert_nonnull (strstr (error->message, "nested"));
}

static void
test_unsupported_op (void)
{
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = NULL;

  lrp_test_graph_input (g, "x", 2, shape_1x4);
  lrp_test_graph_node (g, "Relu", "first", "x", "h");
  lrp_test_graph_node (g, "FancyAttention", "block3/attn", "h", "y");
  lrp_test_graph_output (g, "y");
  bytes = lrp_test_graph_pack (g);
  model = load_bytes (bytes, &error);
  g_assert_null (model);
  g_assert_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "block3/attn"));
  g_assert_nonnull (strstr (error->message, "FancyAttention"));
}

static void
test_unsupported_attribute (void)
{
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = NULL;

  lrp_test_graph_input (g, "x", 2, shape_1x4);
  lrp_test_graph_node (g, "Relu", "act", "x", "y");
  lrp_test_graph_attr_int (g, "magic", 3);
  lrp_test_graph_output (g, "y");
  bytes = lrp_test_graph_pack (g);
  model = load_bytes (bytes, &error);
  g_assert_null (model);
  g_assert_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "magic"));
  g_assert_nonnull (strstr (error->message, "act"));
}

/* An input of 10^15 elements must be refused, not allocated. */
static void
test_absurd_input_shape (void)
{
  static const int64_t huge[] = { 1, 100000, 100000, 100000 };
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = NULL;

  lrp_test_graph_input (g, "x", 4, huge);
  lrp_test_graph_node (g, "Relu", "act", "x", "y");
  lrp_test_graph_output (g, "y");
  bytes = lrp_test_graph_pack (g);
  model = load_bytes (bytes, &error);
  g_assert_null (model);
  g_assert_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_SHAPE);
}

/* An initializer claiming 2^80 elements (with no data behind it). */
static void
test_absurd_initializer (void)
{
  static const int64_t huge[] = { (int64_t) 1 << 40, (int64_t) 1 << 40 };
  g_autoptr(LrpTestGraph) g = small_graph ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = NULL;

  lrp_test_graph_initializer (g, "big", 2, huge, NULL);
  bytes = lrp_test_graph_pack (g);
  model = load_bytes (bytes, &error);
  g_assert_null (model);
  g_assert_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "big"));
}

/* Data shorter than the shape says. */
static void
test_short_initializer (void)
{
  static const int64_t shape[] = { 3, 4 };
  static const float few[2] = { 1, 2 };
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = NULL;
  static const int64_t two[] = { 2 };

  lrp_test_graph_input (g, "x", 2, shape_1x4);
  lrp_test_graph_initializer (g, "W", 1, two, few);
  lrp_test_graph_initializer (g, "W2", 2, shape, NULL);
  lrp_test_graph_node (g, "Gemm", "dense", "x,W2", "y");
  lrp_test_graph_output (g, "y");
  bytes = lrp_test_graph_pack (g);
  model = load_bytes (bytes, &error);
  g_assert_null (model);
  g_assert_error (error, LRP_ONNX_ERROR, LRP_ONNX_ERROR_TRUNCATED);
  g_assert_nonnull (strstr (error->message, "W2"));
}

static void
test_dangling_input (void)
{
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = NULL;

  lrp_test_graph_input (g, "x", 2, shape_1x4);
  lrp_test_graph_node (g, "Add", "sum", "x,ghost", "y");
  lrp_test_graph_output (g, "y");
  bytes = lrp_test_graph_pack (g);
  model = load_bytes (bytes, &error);
  g_assert_null (model);
  g_assert_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "ghost"));
}

static void
test_cycle (void)
{
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = NULL;

  lrp_test_graph_input (g, "x", 2, shape_1x4);
  lrp_test_graph_node (g, "Add", "a", "x,b_out", "a_out");
  lrp_test_graph_node (g, "Relu", "b", "a_out", "b_out");
  lrp_test_graph_output (g, "b_out");
  bytes = lrp_test_graph_pack (g);
  model = load_bytes (bytes, &error);
  g_assert_null (model);
  g_assert_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_FAILED);
}

static void
test_shape_mismatch (void)
{
  static const int64_t shape_1x3[] = { 1, 3 };
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = NULL;

  lrp_test_graph_input (g, "x", 2, shape_1x4);
  lrp_test_graph_input (g, "z", 2, shape_1x3);
  lrp_test_graph_node (g, "Add", "mix", "x,z", "y");
  lrp_test_graph_output (g, "y");
  bytes = lrp_test_graph_pack (g);
  model = load_bytes (bytes, &error);
  g_assert_null (model);
  g_assert_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "mix"));
}

static void
test_bad_metadata (void)
{
  g_autoptr(LrpTestGraph) g = small_graph ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = NULL;

  lrp_test_graph_metadata (g, "lrplens.std", "[0.2, -1]");
  bytes = lrp_test_graph_pack (g);
  model = load_bytes (bytes, &error);
  g_assert_null (model);
  g_assert_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "lrplens.std"));
}

/* MODEL.json beside MODEL.onnx overrides the embedded metadata, key by
 * key; a bad value names the file and the key. */
static void
test_sidecar (void)
{
  g_autoptr(LrpTestGraph) g = small_graph ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lrplens-XXXXXX", NULL);
  g_autofree char *onnx = g_build_filename (dir, "m.onnx", NULL);
  g_autofree char *json = g_build_filename (dir, "m.json", NULL);

  lrp_test_graph_metadata (g, "lrplens.labels", "[\"a\", \"b\", \"c\"]");
  lrp_test_graph_metadata (g, "lrplens.std", "[0.5]");
  bytes = lrp_test_graph_pack (g);
  g_assert_true (g_file_set_contents (onnx, g_bytes_get_data (bytes, NULL),
                                      (gssize) g_bytes_get_size (bytes), NULL));
  g_assert_true (g_file_set_contents (json, "{\"labels\": [\"cat\", \"dog\", \"bird\"], "
                                      "\"mean\": [0.25], \"resize\": \"crop:32\", "
                                      "\"color\": \"gray\"}", -1, NULL));
  model = lrp_model_load (onnx, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lrp_model_get_label (model, 1), ==, "dog");
  g_assert_cmpfloat (model->meta->mean[0], ==, 0.25f);
  g_assert_cmpfloat (model->meta->std[0], ==, 0.5f);    /* embedded, not overridden */
  g_assert_cmpint (model->meta->resize, ==, LRP_RESIZE_CROP);
  g_assert_cmpint (model->meta->crop_size, ==, 32);
  g_assert_cmpint (model->meta->color, ==, LRP_COLOR_GRAY);
  g_clear_pointer (&model, lrp_model_unref);

  g_assert_true (g_file_set_contents (json, "{\"resize\": \"zoom\"}", -1, NULL));
  model = lrp_model_load (onnx, NULL, &error);
  g_assert_null (model);
  g_assert_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "m.json"));
  g_assert_nonnull (strstr (error->message, "resize"));
  g_remove (json);
  g_remove (onnx);
  g_rmdir (dir);
}

static void
test_wrong_input_shape (void)
{
  static const int64_t shape_1x5[] = { 1, 5 };
  g_autoptr(LrpTestGraph) g = small_graph ();
  g_autoptr(GBytes) bytes = lrp_test_graph_pack (g);
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = load_bytes (bytes, &error);
  g_autoptr(LrpRun) run = NULL;
  g_autoptr(LrpTensor) input = lrp_tensor_new_float (2, shape_1x5);

  g_assert_no_error (error);
  run = lrp_run_new (model);
  g_assert_false (lrp_run_forward (run, input, NULL, &error));
  g_assert_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "[1, 4]"));
}

static void
test_cancelled_load (void)
{
  g_autoptr(LrpTestGraph) g = small_graph ();
  g_autoptr(GBytes) bytes = lrp_test_graph_pack (g);
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(LrpModel) model = NULL;

  g_cancellable_cancel (cancellable);
  model = lrp_model_load_bytes (bytes, "test.onnx", cancellable, &error);
  g_assert_null (model);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* A real model with a few bytes changed, thousands of times: loading
 * either fails with a GError or gives a model whose forward pass and
 * explanation run without touching memory they should not (the
 * sanitizer run checks that). */
/* Mutants of @whole: loading either fails with a GError or gives a model
 * whose forward pass and explanation run without touching memory they
 * should not (the sanitizer run checks that).  Returns how many loaded. */
static int
mutate (GBytes *whole,
        int rounds,
        guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  gsize len = g_bytes_get_size (whole);
  int loaded = 0;

  for (int round = 0; round < rounds; round++)
    {
      guint8 *buf = g_memdup2 (g_bytes_get_data (whole, NULL), len);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(LrpModel) model = NULL;
      int flips = g_rand_int_range (rand, 1, 4);

      for (int f = 0; f < flips; f++)
        buf[g_rand_int_range (rand, 0, (gint32) len)] = (guint8) g_rand_int (rand);
      bytes = g_bytes_new_take (buf, len);
      model = load_bytes (bytes, &error);
      if (model == NULL)
        {
          g_assert_nonnull (error);
          continue;
        }
      loaded++;
      {
        int rank;
        const int64_t *shape = lrp_model_get_input_shape (model, &rank);
        g_autoptr(LrpTensor) x = lrp_tensor_new_random (rank, shape, 3);
        g_autoptr(LrpExplainer) e = lrp_explainer_new (model, x, NULL, NULL);
        g_autoptr(LrpComposite) c = lrp_composite_parse ("epsilon_gamma_box", NULL);
        LrpTarget t = LRP_TARGET_INIT;

        if (e)
          lrp_explainer_explain (e, c, &t, NULL, NULL);
      }
    }
  return loaded;
}

/* A real model with a few bytes changed, thousands of times. */
static void
test_mutations (void)
{
  g_autoptr(GBytes) cnn = lrp_test_model_small_cnn_bytes ();
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "folding.onnx", NULL);
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr(GBytes) folding = NULL;
  int a, b;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  folding = g_bytes_new_take (g_steal_pointer (&contents), len);
  a = mutate (cnn, 3000, 7);
  b = mutate (folding, 3000, 11);
  g_test_message ("3000 mutants of a CNN: %d loaded; of a Shape/Gather/Reshape chain: %d", a, b);
  g_assert_cmpint (a, >, 0);
  g_assert_cmpint (b, >, 0);
}

/* x[1,K] → Gemm(W[N,K], transB) → y: W holds N·K·4 bytes of weights. */
static char *
write_wide_model (const char *dir,
                  int64_t n,
                  int64_t k,
                  float **weights)
{
  const int64_t xs[] = { 1, k }, ws[] = { n, k }, bs[] = { n };
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree float *b = g_new (float, n);
  float *w = g_new (float, n * k);
  char *path = g_build_filename (dir, "wide.onnx", NULL);

  for (int64_t i = 0; i < n * k; i++)
    w[i] = (float) (i % 1000) / 1000.f - 0.5f;
  for (int64_t i = 0; i < n; i++)
    b[i] = (float) i;
  lrp_test_graph_input (g, "x", 2, xs);
  lrp_test_graph_initializer (g, "W", 2, ws, w);
  lrp_test_graph_initializer (g, "b", 1, bs, b);
  lrp_test_graph_node (g, "Gemm", "dense", "x,W,b", "y");
  lrp_test_graph_attr_int (g, "transB", 1);
  lrp_test_graph_output (g, "y");
  bytes = lrp_test_graph_pack (g);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
                                      (gssize) g_bytes_get_size (bytes), NULL));
  *weights = w;
  return path;
}

/* Weights large enough to be copied in slices arrive whole and exact. */
static void
test_large_initializer (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lrplens-XXXXXX", NULL);
  g_autofree float *w = NULL;
  g_autofree char *path = write_wide_model (dir, 1100, 4000, &w);   /* 17.6 MB */
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpModel) model = lrp_model_load (path, NULL, &error);
  const LrpTensor *t;

  g_assert_no_error (error);
  t = model->values[lrp_model_find_value (model, "W")].tensor;
  g_assert_cmpint (t->n, ==, 1100 * 4000);
  g_assert_cmpmem (t->data, t->n * 4, w, 1100 * 4000 * 4);
  t = model->values[lrp_model_find_value (model, "b")].tensor;
  g_assert_cmpfloat (((const float *) t->data)[1099], ==, 1099.f);
  g_remove (path);
  g_rmdir (dir);
}

static gint64 cancel_time;

static gpointer
cancel_after (gpointer data)
{
  GCancellable *cancellable = data;

  g_usleep (GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (cancellable), "delay")));
  cancel_time = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  return NULL;
}

/* A load cancelled while it copies a large weight stops within a slice
 * (before: only once protobuf-c had copied them all). */
static void
test_load_cancelled (void)
{
  g_autofree char *dir = g_dir_make_tmp ("lrplens-XXXXXX", NULL);
  g_autofree float *w = NULL;
  g_autofree char *path = write_wide_model (dir, 6144, 4096, &w);   /* 100 MB */
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) early = g_cancellable_new ();
  gint64 start, full, latency = -1;
  LrpModel *model;

  g_cancellable_cancel (early);
  g_assert_null (lrp_model_load (path, early, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  start = g_get_monotonic_time ();
  model = lrp_model_load (path, NULL, &error);
  full = g_get_monotonic_time () - start;
  g_assert_no_error (error);
  lrp_model_unref (model);

  /* Cancelled halfway (sooner if the load won the race). */
  for (gint64 delay = full / 2; latency < 0 && delay > 0; delay /= 2)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      GThread *thread;

      g_object_set_data (G_OBJECT (cancellable), "delay", GUINT_TO_POINTER ((guint) delay));
      thread = g_thread_new ("cancel", cancel_after, cancellable);
      model = lrp_model_load (path, cancellable, &error);
      latency = g_get_monotonic_time () - cancel_time;
      g_thread_join (thread);
      if (model)
        {
          lrp_model_unref (model);
          latency = -1;
          continue;
        }
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_error (&error);
    }
  g_test_message ("load of 100 MB: %.0f ms; cancelled, it returned after %.1f ms",
                  (double) full / 1000, (double) latency / 1000);
  g_assert_cmpint (latency, >=, 0);
  g_assert_cmpint (latency, <, 250000);   /* ~10 ms when the machine is quiet */
  g_remove (path);
  g_rmdir (dir);
}

static void
test_null_model_is_critical (void)
{
  if (!g_test_undefined ())
    return;
  if (g_test_subprocess ())
    {
      lrp_model_get_n_nodes (NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*lrp_model_get_n_nodes*");
}

int
main (int argc,
      char **argv)
{
  lrp_test_init (&argc, &argv);

  g_test_add_func ("/onnx/load/good", test_good_model);
  g_test_add_func ("/onnx/load/missing-file", test_missing_file);
  g_test_add_func ("/onnx/load/empty", test_empty);
  g_test_add_func ("/onnx/load/random-bytes", test_random_bytes);
  g_test_add_func ("/onnx/load/truncated", test_truncated);
  g_test_add_func ("/onnx/load/not-a-model", test_not_a_model);
  g_test_add_func ("/onnx/load/deep-nesting", test_deep_nesting);
  g_test_add_func ("/onnx/load/unsupported-op", test_unsupported_op);
  g_test_add_func ("/onnx/load/unsupported-attribute", test_unsupported_attribute);
  g_test_add_func ("/onnx/load/absurd-input-shape", test_absurd_input_shape);
  g_test_add_func ("/onnx/load/absurd-initializer", test_absurd_initializer);
  g_test_add_func ("/onnx/load/short-initializer", test_short_initializer);
  g_test_add_func ("/onnx/load/dangling-input", test_dangling_input);
  g_test_add_func ("/onnx/load/cycle", test_cycle);
  g_test_add_func ("/onnx/load/mutations", test_mutations);
  g_test_add_func ("/onnx/load/large-initializer", test_large_initializer);
  g_test_add_func ("/onnx/load/cancelled-while-copying", test_load_cancelled);
  g_test_add_func ("/onnx/load/shape-mismatch", test_shape_mismatch);
  g_test_add_func ("/onnx/load/bad-metadata", test_bad_metadata);
  g_test_add_func ("/onnx/load/cancelled", test_cancelled_load);
  g_test_add_func ("/onnx/metadata/sidecar", test_sidecar);
  g_test_add_func ("/onnx/run/wrong-input-shape", test_wrong_input_shape);
  g_test_add_func ("/onnx/api/null-model", test_null_model_is_critical);
  return g_test_run ();
}
