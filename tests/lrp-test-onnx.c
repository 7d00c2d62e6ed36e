/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "lrp-test-onnx.h"

#include "lrp.h"
#include "onnx.pb-c.h"

#include <string.h>

struct _LrpTestGraph
{
  Onnx__ModelProto model;
  Onnx__GraphProto graph;
  Onnx__OperatorSetIdProto opset;
  Onnx__OperatorSetIdProto *opsets[1];
  GPtrArray *pool;            /* every allocation, freed together */
  GPtrArray *nodes, *inputs, *outputs, *inits, *props;
};

static gpointer
keep (LrpTestGraph *g,
      gpointer p)
{
  g_ptr_array_add (g->pool, p);
  return p;
}

static char *
keep_str (LrpTestGraph *g,
          const char *s)
{
  return keep (g, g_strdup (s));
}

LrpTestGraph *
lrp_test_graph_new (int opset)
{
  LrpTestGraph *g = g_new0 (LrpTestGraph, 1);

  onnx__model_proto__init (&g->model);
  onnx__graph_proto__init (&g->graph);
  onnx__operator_set_id_proto__init (&g->opset);
  g->pool = g_ptr_array_new_with_free_func (g_free);
  g->nodes = g_ptr_array_new ();
  g->inputs = g_ptr_array_new ();
  g->outputs = g_ptr_array_new ();
  g->inits = g_ptr_array_new ();
  g->props = g_ptr_array_new ();
  g->opset.has_version = TRUE;
  g->opset.version = opset;
  g->opset.domain = keep_str (g, "");
  g->opsets[0] = &g->opset;
  g->model.has_ir_version = TRUE;
  g->model.ir_version = 7;
  g->model.n_opset_import = 1;
  g->model.opset_import = g->opsets;
  g->model.graph = &g->graph;
  g->graph.name = keep_str (g, "test");
  return g;
}

void
lrp_test_graph_free (LrpTestGraph *g)
{
  g_ptr_array_unref (g->nodes);
  g_ptr_array_unref (g->inputs);
  g_ptr_array_unref (g->outputs);
  g_ptr_array_unref (g->inits);
  g_ptr_array_unref (g->props);
  g_ptr_array_unref (g->pool);
  g_free (g);
}

static Onnx__ValueInfoProto *
value_info (LrpTestGraph *g,
            const char *name,
            int rank,
            const int64_t *shape)
{
  Onnx__ValueInfoProto *vi = keep (g, g_new0 (Onnx__ValueInfoProto, 1));
  Onnx__TypeProto *tp = keep (g, g_new0 (Onnx__TypeProto, 1));
  Onnx__TypeProto__Tensor *tt = keep (g, g_new0 (Onnx__TypeProto__Tensor, 1));

  onnx__value_info_proto__init (vi);
  onnx__type_proto__init (tp);
  onnx__type_proto__tensor__init (tt);
  vi->name = keep_str (g, name);
  vi->type = tp;
  tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
  tp->tensor_type = tt;
  tt->has_elem_type = TRUE;
  tt->elem_type = 1;
  if (rank >= 0)
    {
      Onnx__TensorShapeProto *sp = keep (g, g_new0 (Onnx__TensorShapeProto, 1));

      onnx__tensor_shape_proto__init (sp);
      sp->n_dim = (size_t) rank;
      sp->dim = keep (g, g_new0 (Onnx__TensorShapeProto__Dimension *, MAX (rank, 1)));
      for (int i = 0; i < rank; i++)
        {
          Onnx__TensorShapeProto__Dimension *d = keep (g, g_new0 (Onnx__TensorShapeProto__Dimension, 1));

          onnx__tensor_shape_proto__dimension__init (d);
          d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
          d->dim_value = shape[i];
          sp->dim[i] = d;
        }
      tt->shape = sp;
    }
  return vi;
}

void
lrp_test_graph_input (LrpTestGraph *g,
                      const char *name,
                      int rank,
                      const int64_t *shape)
{
  g_ptr_array_add (g->inputs, value_info (g, name, rank, shape));
}

void
lrp_test_graph_output (LrpTestGraph *g,
                       const char *name)
{
  g_ptr_array_add (g->outputs, value_info (g, name, -1, NULL));
}

void
lrp_test_graph_initializer (LrpTestGraph *g,
                            const char *name,
                            int rank,
                            const int64_t *shape,
                            const float *data)
{
  Onnx__TensorProto *t = keep (g, g_new0 (Onnx__TensorProto, 1));
  int64_t n = 1;

  onnx__tensor_proto__init (t);
  t->name = keep_str (g, name);
  t->has_data_type = TRUE;
  t->data_type = 1;
  t->n_dims = (size_t) rank;
  t->dims = keep (g, g_memdup2 (shape, sizeof (int64_t) * (size_t) MAX (rank, 1)));
  if (data)
    {
      for (int i = 0; i < rank; i++)
        n *= shape[i];
      t->has_raw_data = TRUE;
      t->raw_data.len = (size_t) n * sizeof (float);
      t->raw_data.data = keep (g, g_memdup2 (data, t->raw_data.len));
    }
  g_ptr_array_add (g->inits, t);
}

static char **
split_names (LrpTestGraph *g,
             const char *list,
             size_t *n)
{
  char **v = keep (g, g_strsplit (list, ",", -1));

  for (char **p = v; *p; p++)
    keep (g, *p);
  *n = g_strv_length (v);
  return v;
}

void
lrp_test_graph_node (LrpTestGraph *g,
                     const char *op_type,
                     const char *name,
                     const char *inputs,
                     const char *outputs)
{
  Onnx__NodeProto *n = keep (g, g_new0 (Onnx__NodeProto, 1));

  onnx__node_proto__init (n);
  n->op_type = keep_str (g, op_type);
  n->name = keep_str (g, name);
  n->input = split_names (g, inputs, &n->n_input);
  n->output = split_names (g, outputs, &n->n_output);
  n->attribute = keep (g, g_new0 (Onnx__AttributeProto *, 16));
  g_ptr_array_add (g->nodes, n);
}

static Onnx__AttributeProto *
new_attr (LrpTestGraph *g,
          const char *name,
          Onnx__AttributeProto__AttributeType type)
{
  Onnx__NodeProto *n = g_ptr_array_index (g->nodes, g->nodes->len - 1);
  Onnx__AttributeProto *a = keep (g, g_new0 (Onnx__AttributeProto, 1));

  g_assert (n->n_attribute < 16);
  onnx__attribute_proto__init (a);
  a->name = keep_str (g, name);
  a->has_type = TRUE;
  a->type = type;
  n->attribute[n->n_attribute++] = a;
  return a;
}

void
lrp_test_graph_attr_int (LrpTestGraph *g,
                         const char *name,
                         int64_t value)
{
  Onnx__AttributeProto *a = new_attr (g, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);

  a->has_i = TRUE;
  a->i = value;
}

void
lrp_test_graph_attr_float (LrpTestGraph *g,
                           const char *name,
                           float value)
{
  Onnx__AttributeProto *a = new_attr (g, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);

  a->has_f = TRUE;
  a->f = value;
}

void
lrp_test_graph_attr_ints (LrpTestGraph *g,
                          const char *name,
                          int n,
                          const int64_t *values)
{
  Onnx__AttributeProto *a = new_attr (g, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);

  a->n_ints = (size_t) n;
  a->ints = keep (g, g_memdup2 (values, sizeof (int64_t) * (size_t) MAX (n, 1)));
}

void
lrp_test_graph_metadata (LrpTestGraph *g,
                         const char *key,
                         const char *value)
{
  Onnx__StringStringEntryProto *e = keep (g, g_new0 (Onnx__StringStringEntryProto, 1));

  onnx__string_string_entry_proto__init (e);
  e->key = keep_str (g, key);
  e->value = keep_str (g, value);
  g_ptr_array_add (g->props, e);
}

GBytes *
lrp_test_graph_pack (LrpTestGraph *g)
{
  size_t len;
  guint8 *buf;

  g->graph.n_node = g->nodes->len;
  g->graph.node = (Onnx__NodeProto **) g->nodes->pdata;
  g->graph.n_input = g->inputs->len;
  g->graph.input = (Onnx__ValueInfoProto **) g->inputs->pdata;
  g->graph.n_output = g->outputs->len;
  g->graph.output = (Onnx__ValueInfoProto **) g->outputs->pdata;
  g->graph.n_initializer = g->inits->len;
  g->graph.initializer = (Onnx__TensorProto **) g->inits->pdata;
  g->model.n_metadata_props = g->props->len;
  g->model.metadata_props = (Onnx__StringStringEntryProto **) g->props->pdata;
  len = onnx__model_proto__get_packed_size (&g->model);
  buf = g_malloc (MAX (len, 1));
  onnx__model_proto__pack (&g->model, buf);
  return g_bytes_new_take (buf, len);
}

static LrpModel *
load (LrpTestGraph *g,
      const char *name)
{
  g_autoptr(GBytes) bytes = lrp_test_graph_pack (g);
  g_autoptr(GError) error = NULL;
  LrpModel *model = lrp_model_load_bytes (bytes, name, NULL, &error);

  g_assert_no_error (error);
  return model;
}

static LrpTestGraph *
small_cnn_graph (void)
{
  static const int64_t x_shape[] = { 1, 3, 4, 4 };
  static const int64_t w1_shape[] = { 2, 3, 3, 3 }, w2_shape[] = { 2, 2, 3, 3 };
  static const int64_t d1_shape[] = { 5, 32 }, d2_shape[] = { 3, 5 };
  static const int64_t pads[] = { 1, 1, 1, 1 };
  float w1[54], w2[36], d1[160], d2[15];
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);

  for (int i = 0; i < 160; i++)
    {
      if (i < 54)
        w1[i] = (float) ((i * 7) % 11 - 5) / 10.f;
      if (i < 36)
        w2[i] = (float) ((i * 5) % 9 - 4) / 10.f;
      d1[i] = (float) ((i * 3) % 7 - 3) / 10.f;
      if (i < 15)
        d2[i] = (float) ((i * 2) % 5 - 2) / 10.f;
    }
  lrp_test_graph_input (g, "x", 4, x_shape);
  lrp_test_graph_initializer (g, "w1", 4, w1_shape, w1);
  lrp_test_graph_initializer (g, "w2", 4, w2_shape, w2);
  lrp_test_graph_initializer (g, "d1", 2, d1_shape, d1);
  lrp_test_graph_initializer (g, "d2", 2, d2_shape, d2);
  lrp_test_graph_node (g, "Conv", "features.0", "x,w1", "c1");
  lrp_test_graph_attr_ints (g, "pads", 4, pads);
  lrp_test_graph_node (g, "Relu", "features.1", "c1", "a1");
  lrp_test_graph_node (g, "Conv", "features.2", "a1,w2", "c2");
  lrp_test_graph_attr_ints (g, "pads", 4, pads);
  lrp_test_graph_node (g, "Relu", "features.3", "c2", "a2");
  lrp_test_graph_node (g, "Flatten", "flatten", "a2", "f");
  lrp_test_graph_node (g, "Gemm", "classifier.0", "f,d1", "h");
  lrp_test_graph_attr_int (g, "transB", 1);
  lrp_test_graph_node (g, "Relu", "classifier.1", "h", "ha");
  lrp_test_graph_node (g, "Gemm", "classifier.2", "ha,d2", "y");
  lrp_test_graph_attr_int (g, "transB", 1);
  lrp_test_graph_output (g, "y");
  lrp_test_graph_metadata (g, "lrplens.mean", "[0.5, 0.5, 0.5]");
  lrp_test_graph_metadata (g, "lrplens.std", "[0.25, 0.5, 1.0]");
  return g_steal_pointer (&g);
}

LrpModel *
lrp_test_model_small_cnn (void)
{
  g_autoptr(LrpTestGraph) g = small_cnn_graph ();

  return load (g, "small-cnn.onnx");
}

GBytes *
lrp_test_model_small_cnn_bytes (void)
{
  g_autoptr(LrpTestGraph) g = small_cnn_graph ();

  return lrp_test_graph_pack (g);
}

LrpModel *
lrp_test_model_mlp (void)
{
  static const int64_t x_shape[] = { 1, 3 };
  static const int64_t w1_shape[] = { 4, 3 }, w2_shape[] = { 4, 4 }, w3_shape[] = { 2, 4 };
  static const int64_t b4[] = { 4 }, b2[] = { 2 };
  static const float w1[] = { 0.5f, -1.f, 0.25f, 1.f, 0.5f, -0.5f, -0.75f, 0.25f, 1.f,
                              0.2f, 0.4f, 0.6f };
  static const float bias1[] = { 0.1f, -0.2f, 0.05f, -0.1f };
  static const float w2[] = { 1.f, -0.5f, 0.5f, 0.25f, -0.25f, 1.f, 0.75f, -0.5f,
                              0.5f, 0.5f, -1.f, 1.f, 0.3f, -0.3f, 0.2f, 0.8f };
  static const float bias2[] = { -0.05f, 0.1f, 0.2f, -0.3f };
  static const float w3[] = { 1.f, -1.f, 0.5f, 0.25f, -0.5f, 0.75f, 1.f, -0.25f };
  static const float bias3[] = { 0.1f, -0.1f };
  g_autoptr(LrpTestGraph) g = lrp_test_graph_new (13);

  lrp_test_graph_input (g, "x", 2, x_shape);
  lrp_test_graph_initializer (g, "w1", 2, w1_shape, w1);
  lrp_test_graph_initializer (g, "b1", 1, b4, bias1);
  lrp_test_graph_initializer (g, "w2", 2, w2_shape, w2);
  lrp_test_graph_initializer (g, "b2", 1, b4, bias2);
  lrp_test_graph_initializer (g, "w3", 2, w3_shape, w3);
  lrp_test_graph_initializer (g, "b3", 1, b2, bias3);
  lrp_test_graph_node (g, "Gemm", "dense1", "x,w1,b1", "h1");
  lrp_test_graph_attr_int (g, "transB", 1);
  lrp_test_graph_node (g, "Relu", "relu1", "h1", "a1");
  lrp_test_graph_node (g, "Gemm", "dense2", "a1,w2,b2", "h2");
  lrp_test_graph_attr_int (g, "transB", 1);
  lrp_test_graph_node (g, "Relu", "relu2", "h2", "a2");
  lrp_test_graph_node (g, "Gemm", "dense3", "a2,w3,b3", "y");
  lrp_test_graph_attr_int (g, "transB", 1);
  lrp_test_graph_output (g, "y");
  return load (g, "mlp.onnx");
}
