/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ONNX import: protobuf-c (code generated from Debian's onnx.proto) reads the
 * file; this file turns its messages into the pieces lrp_graph_build takes.
 */
#define G_LOG_DOMAIN "lrp-onnx"

#include "config.h"

#include "lrp-onnx-private.h"

#include "onnx.pb-c.h"

#include <string.h>

enum { ONNX_FLOAT = 1, ONNX_INT64 = 7 };

/* Names and strings from the file, as UTF-8 on one line: they end up in
 * messages (one line each) and in the GUI.  protobuf-c does not check
 * them; invalid bytes become U+FFFD and control characters spaces (the same
 * way everywhere, so references between names still match). */
static char *
dup_text (const char *s,
          gssize len)
{
  char *t;

  if (s == NULL)
    return g_strdup ("");
  if (len < 0)
    len = (gssize) strlen (s);
  if (g_utf8_validate_len (s, (gsize) len, NULL) && memchr (s, '\0', (gsize) len) == NULL)
    t = g_strndup (s, (gsize) len);
  else
    t = g_utf8_make_valid (s, len);
  for (char *c = t; *c; c++)
    if ((guchar) *c < 0x20 || *c == 0x7f)
      *c = ' ';
  return t;
}

static const char *
onnx_type_name (int t)
{
  static const char *names[] = { "undefined", "float32", "uint8", "int8", "uint16", "int16",
                                 "int32", "int64", "string", "bool", "float16", "float64",
                                 "uint32", "uint64", "complex64", "complex128", "bfloat16" };

  return t >= 0 && t < (int) G_N_ELEMENTS (names) ? names[t] : "unknown";
}

static gboolean
dtype_from_onnx (int onnx_type,
                 const char *what,
                 LrpDType *out,
                 GError **error)
{
  if (onnx_type == ONNX_FLOAT)
    *out = LRP_DTYPE_FLOAT;
  else if (onnx_type == ONNX_INT64)
    *out = LRP_DTYPE_INT64;
  else
    {
      g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_UNSUPPORTED,
                   "%s has data type %s; lrplens supports float32 (and int64 for indices)",
                   what, onnx_type_name (onnx_type));
      return FALSE;
    }
  return TRUE;
}

static LrpTensor *
tensor_from_proto (const Onnx__TensorProto *tp,
                   const char *what,
                   GError **error)
{
  g_autoptr(LrpTensor) t = NULL;
  int64_t shape[LRP_MAX_RANK];
  const void *src;
  LrpDType dtype;
  int64_t n;
  size_t esize;

  if (!dtype_from_onnx (tp->data_type, what, &dtype, error))
    return NULL;
  if (tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
    {
      g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_UNSUPPORTED,
                   "%s keeps its data in an external file, which lrplens does not read", what);
      return NULL;
    }
  if (tp->n_dims > LRP_MAX_RANK)
    {
      g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_SHAPE,
                   "%s has %zu dimensions (at most %d)", what, tp->n_dims, LRP_MAX_RANK);
      return NULL;
    }
  for (size_t i = 0; i < tp->n_dims; i++)
    shape[i] = tp->dims[i];
  if (!lrp_shape_validate ((int) tp->n_dims, shape, &n, error))
    {
      g_prefix_error (error, "%s: ", what);
      return NULL;
    }

  /* The values the file holds, compared with the shape's count before the
   * tensor is allocated: a few bytes must not claim a gigabyte. */
  esize = lrp_dtype_size (dtype);
  if (tp->has_raw_data)
    {
      if (tp->raw_data.len != (size_t) n * esize)
        {
          g_set_error (error, LRP_ONNX_ERROR, LRP_ONNX_ERROR_TRUNCATED,
                       "%s should hold %" G_GINT64_FORMAT " values (%" G_GINT64_FORMAT
                       " bytes) but has %zu bytes", what, n, n * (int64_t) esize,
                       tp->raw_data.len);
          return NULL;
        }
      src = tp->raw_data.data;
    }
  else if (dtype == LRP_DTYPE_FLOAT && tp->n_float_data == (size_t) n)
    src = tp->float_data;
  else if (dtype == LRP_DTYPE_INT64 && tp->n_int64_data == (size_t) n)
    src = tp->int64_data;
  else
    {
      g_set_error (error, LRP_ONNX_ERROR, LRP_ONNX_ERROR_TRUNCATED,
                   "%s should hold %" G_GINT64_FORMAT " values but has %zu", what, n,
                   dtype == LRP_DTYPE_FLOAT ? tp->n_float_data : tp->n_int64_data);
      return NULL;
    }

  t = lrp_tensor_new (dtype, (int) tp->n_dims, shape);
  if (n > 0)
    memcpy (t->data, src, (size_t) n * esize);
  return g_steal_pointer (&t);
}

/* Initializers: the tensor takes over protobuf-c's copy of the raw bytes
 * (malloc'd, so free() releases it either way) instead of copying it
 * again, so that a model's weights are in memory once, not twice. */
static LrpTensor *
tensor_from_initializer (Onnx__TensorProto *tp,
                         const char *what,
                         GError **error)
{
  LrpDType dtype;
  int64_t shape[LRP_MAX_RANK], n;
  LrpTensor *t;

  if (!tp->has_raw_data || tp->raw_data.len == 0 || tp->n_dims > LRP_MAX_RANK
      || (tp->has_data_location
          && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
      || !dtype_from_onnx (tp->data_type, what, &dtype, NULL))
    return tensor_from_proto (tp, what, error);
  for (size_t i = 0; i < tp->n_dims; i++)
    shape[i] = tp->dims[i];
  if (!lrp_shape_validate ((int) tp->n_dims, shape, &n, NULL)
      || tp->raw_data.len != (size_t) n * lrp_dtype_size (dtype))
    return tensor_from_proto (tp, what, error);   /* it says what is wrong */
  t = lrp_tensor_new_meta (dtype, (int) tp->n_dims, shape);
  t->data = tp->raw_data.data;
  tp->raw_data.data = NULL;
  tp->raw_data.len = 0;
  return t;
}

static gboolean
convert_attr (const Onnx__AttributeProto *ap,
              const char *node_name,
              LrpAttr *out,
              GError **error)
{
  out->name = dup_text (ap->name, -1);
  switch (ap->type)
    {
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT:
      out->type = LRP_ATTR_FLOAT;
      out->f = ap->f;
      break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT:
      out->type = LRP_ATTR_INT;
      out->i = ap->i;
      break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING:
      out->type = LRP_ATTR_STRING;
      out->s = dup_text ((const char *) ap->s.data, (gssize) MIN (ap->s.len, G_MAXSSIZE));
      break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR:
      {
        g_autofree char *what = g_strdup_printf ("node “%s”, attribute “%s”", node_name,
                                                 out->name);

        out->type = LRP_ATTR_TENSOR;
        if (ap->t == NULL)
          {
            g_set_error (error, LRP_ONNX_ERROR, LRP_ONNX_ERROR_FAILED, "%s has no tensor", what);
            return FALSE;
          }
        out->t = tensor_from_proto (ap->t, what, error);
        if (out->t == NULL)
          return FALSE;
      }
      break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS:
      out->type = LRP_ATTR_FLOATS;
      out->n = (int) MIN (ap->n_floats, G_MAXINT);
      out->floats = g_memdup2 (ap->floats, ap->n_floats * sizeof (float));
      break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS:
      out->type = LRP_ATTR_INTS;
      out->n = (int) MIN (ap->n_ints, G_MAXINT);
      out->ints = g_memdup2 (ap->ints, ap->n_ints * sizeof (int64_t));
      break;
    default:
      out->type = LRP_ATTR_OTHER;
      break;
    }
  return TRUE;
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
graph_tensor_free (LrpGraphTensor *gt)
{
  g_free (gt->name);
  g_clear_pointer (&gt->tensor, lrp_tensor_unref);
  g_free (gt);
}

static GStrv
copy_names (char **names,
            size_t n)
{
  GStrv v = g_new0 (char *, n + 1);

  for (size_t i = 0; i < n; i++)
    v[i] = dup_text (names[i], -1);
  return v;
}

static LrpGraphNode *
convert_node (const Onnx__NodeProto *np,
              size_t index,
              GError **error)
{
  LrpGraphNode *gn = g_new0 (LrpGraphNode, 1);

  gn->op_type = dup_text (np->op_type, -1);
  gn->name = np->name && np->name[0] ? dup_text (np->name, -1)
                                     : g_strdup_printf ("%s_%zu", gn->op_type, index);
  gn->domain = np->domain ? dup_text (np->domain, -1) : NULL;
  gn->n_inputs = (int) MIN (np->n_input, LRP_MAX_NODE_IO);
  gn->inputs = copy_names (np->input, np->n_input);
  gn->n_outputs = (int) MIN (np->n_output, LRP_MAX_NODE_IO);
  gn->outputs = copy_names (np->output, np->n_output);
  gn->attrs.node_name = gn->name;
  gn->attrs.op_type = gn->op_type;
  if (np->n_input > LRP_MAX_NODE_IO || np->n_output > LRP_MAX_NODE_IO)
    {
      g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_UNSUPPORTED,
                   "node “%s” (%s) has more than %d inputs or outputs", gn->name, gn->op_type,
                   LRP_MAX_NODE_IO);
      graph_node_free (gn);
      return NULL;
    }
  gn->attrs.attrs = g_new0 (LrpAttr, MAX (np->n_attribute, 1));
  for (size_t a = 0; a < np->n_attribute; a++)
    {
      gn->attrs.n_attrs++;
      if (!convert_attr (np->attribute[a], gn->name, &gn->attrs.attrs[a], error))
        {
          graph_node_free (gn);
          return NULL;
        }
    }
  return gn;
}

/* Graph input: float32 or int64 with a fixed shape; a symbolic first
 * dimension is the batch and becomes 1. */
static LrpGraphTensor *
convert_input (const Onnx__ValueInfoProto *vi,
               GError **error)
{
  g_autofree char *name = dup_text (vi->name, -1);
  g_autofree char *what = g_strdup_printf ("graph input “%s”", name);
  const Onnx__TypeProto__Tensor *tt;
  int64_t shape[LRP_MAX_RANK];
  LrpDType dtype;
  LrpGraphTensor *gt;

  if (vi->name == NULL || vi->name[0] == '\0')
    {
      g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_FAILED,
                   "a graph input has no name, so no node can read it");
      return NULL;
    }
  if (vi->type == NULL || vi->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE)
    {
      g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_UNSUPPORTED, "%s is not a tensor", what);
      return NULL;
    }
  tt = vi->type->tensor_type;
  if (!dtype_from_onnx (tt->elem_type, what, &dtype, error))
    return NULL;
  if (tt->shape == NULL || tt->shape->n_dim > LRP_MAX_RANK)
    {
      g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_SHAPE,
                   "%s has no shape, or more than %d dimensions", what, LRP_MAX_RANK);
      return NULL;
    }
  for (size_t i = 0; i < tt->shape->n_dim; i++)
    {
      const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];

      if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
        shape[i] = d->dim_value;
      else if (i == 0)
        shape[i] = 1;
      else
        {
          g_autofree char *param = dup_text (
            d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM
            ? d->dim_param : "?", -1);

          g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_SHAPE,
                       "%s has a variable dimension %zu (“%s”); lrplens needs fixed sizes "
                       "except for the batch", what, i, param);
          return NULL;
        }
    }
  if (!lrp_shape_validate ((int) tt->shape->n_dim, shape, NULL, error))
    {
      g_prefix_error (error, "%s: ", what);
      return NULL;
    }
  gt = g_new0 (LrpGraphTensor, 1);
  gt->name = g_steal_pointer (&name);
  gt->tensor = lrp_tensor_new_meta (dtype, (int) tt->shape->n_dim, shape);
  return gt;
}

static Onnx__ModelProto *
unpack_model (GBytes *bytes,
              const char *display_name,
              GCancellable *cancellable,
              GError **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  g_autoptr(GError) local = NULL;
  Onnx__ModelProto *mp;

  if (len == 0)
    {
      g_set_error (error, LRP_ONNX_ERROR, LRP_ONNX_ERROR_NOT_ONNX, "%s: the file is empty",
                   display_name);
      return NULL;
    }
  if (!lrp_onnx_wire_check (data, len, &onnx__model_proto__descriptor, display_name, error))
    return NULL;
  mp = lrp_onnx_unpack_model (data, len, cancellable, &local);
  if (local)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  if (mp == NULL)
    {
      g_set_error (error, LRP_ONNX_ERROR, LRP_ONNX_ERROR_NOT_ONNX,
                   "%s: not an ONNX model (the protobuf message does not decode as one)",
                   display_name);
      return NULL;
    }
  if (mp->graph == NULL || mp->graph->n_node == 0 || mp->graph->n_output == 0)
    {
      g_set_error (error, LRP_ONNX_ERROR, LRP_ONNX_ERROR_NOT_ONNX,
                   "%s: not an ONNX model (it has no graph, or a graph with no nodes)",
                   display_name);
      onnx__model_proto__free_unpacked (mp, NULL);
      return NULL;
    }
  /* IR 3 and later name their operator sets; a file without one was most
   * likely cut just after its graph. */
  if (mp->n_opset_import == 0 && mp->ir_version >= 3)
    {
      g_set_error (error, LRP_ONNX_ERROR, LRP_ONNX_ERROR_TRUNCATED,
                   "%s: the model names no operator set (is the file cut short?)", display_name);
      onnx__model_proto__free_unpacked (mp, NULL);
      return NULL;
    }
  return mp;
}

static int
default_opset (const Onnx__ModelProto *mp)
{
  for (size_t i = 0; i < mp->n_opset_import; i++)
    {
      const char *d = mp->opset_import[i]->domain;

      if (d == NULL || d[0] == '\0' || g_str_equal (d, "ai.onnx"))
        return (int) CLAMP (mp->opset_import[i]->version, 1, 1000);
    }
  return 1;
}

static gboolean
read_metadata (const Onnx__ModelProto *mp,
               LrpMetadata *meta,
               const char *display_name,
               GError **error)
{
  for (size_t i = 0; i < mp->n_metadata_props; i++)
    {
      g_autofree char *key = NULL, *value = NULL;

      if (mp->metadata_props[i]->key == NULL || mp->metadata_props[i]->value == NULL
          || !g_str_has_prefix (mp->metadata_props[i]->key, "lrplens."))
        continue;
      key = dup_text (mp->metadata_props[i]->key, -1);
      value = dup_text (mp->metadata_props[i]->value, -1);
      if (!lrp_metadata_set (meta, key + strlen ("lrplens."), value, error))
        {
          g_prefix_error (error, "%s: metadata “%s”: ", display_name, key);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
collect (Onnx__GraphProto *g,
         GHashTable *bind,
         GPtrArray *inputs,
         GPtrArray *inits,
         GPtrArray *nodes,
         GError **error)
{
  for (size_t i = 0; i < g->n_initializer; i++)
    {
      g_autofree char *name = dup_text (g->initializer[i]->name, -1);
      g_autofree char *what = g_strdup_printf ("initializer “%s”", name);
      LrpGraphTensor *gt = g_new0 (LrpGraphTensor, 1);

      g_ptr_array_add (inits, gt);
      gt->name = g_steal_pointer (&name);
      gt->tensor = tensor_from_initializer (g->initializer[i], what, error);
      if (gt->tensor == NULL)
        return FALSE;
    }
  for (size_t i = 0; i < g->n_input; i++)
    {
      const char *name = g->input[i]->name;
      LrpTensor *bound = bind && name ? g_hash_table_lookup (bind, name) : NULL;
      LrpGraphTensor *gt;

      if (bound)
        {
          gt = g_new0 (LrpGraphTensor, 1);
          gt->name = dup_text (name, -1);
          gt->tensor = lrp_tensor_ref (bound);
          g_ptr_array_add (inits, gt);
          continue;
        }
      /* Old exporters list initializers as inputs too; those need no type. */
      for (size_t j = 0; j < g->n_initializer; j++)
        if (name && g_strcmp0 (g->initializer[j]->name, name) == 0)
          goto next;
      gt = convert_input (g->input[i], error);
      if (gt == NULL)
        return FALSE;
      g_ptr_array_add (inputs, gt);
    next:;
    }
  for (size_t i = 0; i < g->n_node; i++)
    {
      LrpGraphNode *gn = convert_node (g->node[i], i, error);

      if (gn == NULL)
        return FALSE;
      g_ptr_array_add (nodes, gn);
    }
  return TRUE;
}

LrpModel *
lrp_onnx_load (GBytes *bytes,
               const char *display_name,
               GHashTable *bind,
               GCancellable *cancellable,
               GError **error)
{
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) graph_tensor_free);
  g_autoptr(GPtrArray) inits = g_ptr_array_new_with_free_func ((GDestroyNotify) graph_tensor_free);
  g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) graph_node_free);
  g_autoptr(LrpMetadata) meta = lrp_metadata_new ();
  g_auto(GStrv) outputs = NULL;
  Onnx__ModelProto *mp;
  LrpModel *model = NULL;
  /* The memory ceiling for hostile files: constants folded at load may take
   * 64 bytes per byte of the file. */
  int64_t fold_budget = (int64_t) g_bytes_get_size (bytes) * 64;

  mp = unpack_model (bytes, display_name, cancellable, error);
  /* Everything needed was copied out: the file's bytes can go now. */
  g_bytes_unref (bytes);
  if (mp == NULL)
    return NULL;

  if (!collect (mp->graph, bind, inputs, inits, nodes, error))
    {
      g_prefix_error (error, "%s: ", display_name);
      goto out;
    }
  if (inputs->len == 0 && bind == NULL)
    {
      g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_FAILED,
                   "%s: the graph has no input", display_name);
      goto out;
    }
  if (!read_metadata (mp, meta, display_name, error))
    goto out;

  outputs = g_new0 (char *, mp->graph->n_output + 1);
  for (size_t i = 0; i < mp->graph->n_output; i++)
    outputs[i] = dup_text (mp->graph->output[i]->name, -1);

  model = lrp_graph_build_bounded (display_name, default_opset (mp), inputs, inits, nodes,
                                   outputs, fold_budget, cancellable, error);
  if (model)
    lrp_model_set_metadata (model, g_steal_pointer (&meta));

out:
  onnx__model_proto__free_unpacked (mp, NULL);
  return model;
}

LrpTensor *
lrp_onnx_read_tensor (GBytes *bytes,
                      const char *display_name,
                      char **name_out,
                      GError **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  Onnx__TensorProto *tp;
  LrpTensor *t;

  if (!lrp_onnx_wire_check (data, len, &onnx__tensor_proto__descriptor, display_name, error))
    return NULL;
  tp = onnx__tensor_proto__unpack (NULL, len, data);
  if (tp == NULL || !tp->has_data_type)
    {
      g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE,
                   "%s: not a serialized ONNX tensor", display_name);
      if (tp)
        onnx__tensor_proto__free_unpacked (tp, NULL);
      return NULL;
    }
  t = tensor_from_proto (tp, display_name, error);
  if (t && name_out)
    *name_out = dup_text (tp->name, -1);
  onnx__tensor_proto__free_unpacked (tp, NULL);
  return t;
}
