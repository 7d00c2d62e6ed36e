/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shape and data-movement operators: Flatten, Reshape, Squeeze, Unsqueeze,
 * Transpose, Concat, Split, Slice, Pad, Constant, Shape, Gather.  They work
 * on float32 and int64 alike (int64 for the shape arithmetic exporters
 * emit), and everything that decides an output shape must be known at load.
 *
 * This file holds what the family shares (strided box copies, attribute
 * and input helpers, the backward rule check), the two ops that move no
 * data (Constant, Shape) and the family table; lrp-op-shape-private.h says
 * where the other ops live.
 */
#define G_LOG_DOMAIN "lrp-op"

#include "config.h"

#include "lrp-op-shape-private.h"

#include <string.h>

/* ---- Strided box copies ------------------------------------------------- */

void
lrp_strides_contiguous (int rank,
                        const int64_t *shape,
                        int64_t *strides)
{
  int64_t s = 1;

  for (int i = rank - 1; i >= 0; i--)
    {
      strides[i] = s;
      s *= shape[i];
    }
}

void
lrp_box_init (LrpBoxMap *box,
              int rank,
              const int64_t *shape)
{
  memset (box, 0, sizeof *box);
  box->rank = rank;
  memcpy (box->count, shape, sizeof (int64_t) * (size_t) rank);
  lrp_strides_contiguous (rank, shape, box->src_stride);
  lrp_strides_contiguous (rank, shape, box->dst_stride);
}

void
lrp_box_reverse (LrpBoxMap *box)
{
  int64_t offset = box->src_offset;

  for (int d = 0; d < box->rank; d++)
    {
      int64_t s = box->src_stride[d];

      box->src_stride[d] = box->dst_stride[d];
      box->dst_stride[d] = s;
    }
  box->src_offset = box->dst_offset;
  box->dst_offset = offset;
}

static void
copy_row (const char *src,
          int64_t src_stride,
          char *dst,
          int64_t dst_stride,
          int64_t n,
          size_t esize,
          gboolean accumulate)
{
  if (accumulate)
    {
      const float *s = (const void *) src;
      float *d = (void *) dst;

      for (int64_t i = 0; i < n; i++)
        d[i * dst_stride] += s[i * src_stride];
    }
  else if (src_stride == 1 && dst_stride == 1)
    memcpy (dst, src, (size_t) n * esize);
  else if (esize == sizeof (uint32_t))
    {
      const uint32_t *s = (const void *) src;
      uint32_t *d = (void *) dst;

      for (int64_t i = 0; i < n; i++)
        d[i * dst_stride] = s[i * src_stride];
    }
  else
    {
      const uint64_t *s = (const void *) src;
      uint64_t *d = (void *) dst;

      for (int64_t i = 0; i < n; i++)
        d[i * dst_stride] = s[i * src_stride];
    }
}

gboolean
lrp_box_copy (const LrpBoxMap *box,
              const void *src,
              void *dst,
              size_t esize,
              gboolean accumulate,
              GCancellable *cancellable,
              GError **error)
{
  int64_t idx[LRP_MAX_RANK] = { 0 };
  int64_t so = box->src_offset, doff = box->dst_offset;
  int r = box->rank;
  int64_t rows = 0;

  g_assert (!accumulate || esize == sizeof (float));
  for (int d = 0; d < r; d++)
    if (box->count[d] <= 0)
      return TRUE;
  if (r == 0)
    {
      copy_row ((const char *) src + so * (int64_t) esize, 1,
                (char *) dst + doff * (int64_t) esize, 1, 1, esize, accumulate);
      return TRUE;
    }
  for (;;)
    {
      int d;

      copy_row ((const char *) src + so * (int64_t) esize, box->src_stride[r - 1],
                (char *) dst + doff * (int64_t) esize, box->dst_stride[r - 1],
                box->count[r - 1], esize, accumulate);
      /* Advance the outer multi-index and both offsets. */
      for (d = r - 2; d >= 0; d--)
        {
          idx[d]++;
          so += box->src_stride[d];
          doff += box->dst_stride[d];
          if (idx[d] < box->count[d])
            break;
          so -= box->src_stride[d] * idx[d];
          doff -= box->dst_stride[d] * idx[d];
          idx[d] = 0;
        }
      if (d < 0)
        return TRUE;
      if ((++rows & 0xffff) == 0 && lrp_cancelled (cancellable, error))
        return FALSE;
    }
}

gboolean
lrp_box_add_back (const LrpBoxMap *box,
                  const LrpTensor *r,
                  LrpTensor *r_in,
                  GCancellable *cancellable,
                  GError **error)
{
  LrpBoxMap back = *box;

  lrp_box_reverse (&back);
  return lrp_box_copy (&back, r->data, r_in->data, sizeof (float), TRUE, cancellable, error);
}

/* ---- Helpers --------------------------------------------------------- */

gboolean
lrp_op_has_input (const LrpNode *node,
                  LrpTensor *const *in,
                  int i)
{
  return i < node->n_inputs && in[i] != NULL;
}

gboolean
lrp_op_need_input (const LrpNode *node,
                   LrpTensor *const *in,
                   int i,
                   GError **error)
{
  if (lrp_op_has_input (node, in, i))
    return TRUE;
  lrp_node_error (error, LRP_MODEL_ERROR_FAILED, node, "input %d is missing", i);
  return FALSE;
}

/* Reads a constant 1-D int64 input of at most @max values. */
static gboolean
read_ints_input (const LrpNode *node,
                 LrpTensor *const *in,
                 int i,
                 const char *what,
                 int max,
                 LrpIntList *list,
                 GError **error)
{
  const LrpTensor *t = in[i];

  if (!lrp_check_constant (node, in, i, error))
    return FALSE;
  if (t->dtype != LRP_DTYPE_INT64 || t->rank > 1)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                      "%s (input %d) must be a 1-D int64 tensor, found %s of rank %d",
                      what, i, lrp_dtype_name (t->dtype), t->rank);
      return FALSE;
    }
  if (t->n > max)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                      "%s (input %d) has %" G_GINT64_FORMAT " values, at most %d make sense",
                      what, i, t->n, max);
      return FALSE;
    }
  list->n = (int) t->n;
  for (int k = 0; k < list->n; k++)
    list->v[k] = lrp_tensor_i64 (t)[k];
  return TRUE;
}

gboolean
lrp_op_ints_attr (const LrpNode *node,
                  const LrpAttrs *attrs,
                  const char *name,
                  int max,
                  LrpIntList *list,
                  gboolean *present,
                  GError **error)
{
  const int64_t *v;
  int n;

  *present = lrp_attrs_has (attrs, name);
  list->n = 0;
  if (!lrp_attrs_get_ints (attrs, name, &n, &v, error))
    return FALSE;
  if (n > max)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                      "attribute “%s” has %d values, at most %d make sense", name, n, max);
      return FALSE;
    }
  list->n = n;
  if (n > 0)
    memcpy (list->v, v, sizeof (int64_t) * (size_t) n);
  return TRUE;
}

gboolean
lrp_op_ints_attr_or_input (const LrpNode *node,
                           LrpTensor *const *in,
                           const LrpIntList *attr,
                           gboolean attr_present,
                           int i,
                           const char *what,
                           int max,
                           LrpIntList *list,
                           gboolean *found,
                           GError **error)
{
  *found = TRUE;
  if (attr_present)
    {
      *list = *attr;
      return TRUE;
    }
  if (lrp_op_has_input (node, in, i))
    return read_ints_input (node, in, i, what, max, list, error);
  *found = FALSE;
  list->n = 0;
  return TRUE;
}

gboolean
lrp_op_axis (const LrpNode *node,
             int64_t axis,
             int rank,
             int *out,
             GError **error)
{
  if (lrp_axis_normalize (axis, rank, out))
    return TRUE;
  lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                  "axis %" G_GINT64_FORMAT " is out of range for rank %d", axis, rank);
  return FALSE;
}

gboolean
lrp_op_axes_flags (const LrpNode *node,
                   const LrpIntList *axes,
                   int rank,
                   gboolean *flags,
                   GError **error)
{
  memset (flags, 0, sizeof (gboolean) * LRP_MAX_RANK);
  for (int k = 0; k < axes->n; k++)
    {
      int a;

      if (!lrp_op_axis (node, axes->v[k], rank, &a, error))
        return FALSE;
      if (flags[a])
        {
          lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node, "axis %d is listed twice", a);
          return FALSE;
        }
      flags[a] = TRUE;
    }
  return TRUE;
}

/* Checks an output shape (rank, signs, size) before making it. */
static gboolean
new_output (const LrpNode *node,
            LrpDType dtype,
            int rank,
            const int64_t *shape,
            LrpTensor **out,
            GError **error)
{
  g_autoptr(GError) local = NULL;

  if (!lrp_shape_validate (rank, shape, NULL, &local))
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node, "output: %s", local->message);
      return FALSE;
    }
  *out = lrp_tensor_new_meta (dtype, rank, shape);
  return TRUE;
}

gboolean
lrp_op_output (const LrpNode *node,
               const LrpTensor *like,
               int rank,
               const int64_t *shape,
               LrpTensor **out,
               GError **error)
{
  return new_output (node, like->dtype, rank, shape, out, error);
}

void
lrp_op_set_params (LrpNode *node,
                   gpointer params)
{
  node->params = params;
  node->free_params = g_free;
}

gboolean
lrp_op_axis_setup (LrpNode *node,
                   const LrpAttrs *attrs,
                   GError **error)
{
  LrpAxisParams *p = g_new0 (LrpAxisParams, 1);
  /* Flatten defaults to 1, Gather to 0; Concat needs it (opset 1
   * defaulted to 1). */
  int64_t def = g_str_equal (node->op_type, "Flatten") ? 1 : 0;

  lrp_op_set_params (node, p);
  if (g_str_equal (node->op_type, "Concat"))
    {
      if (!lrp_attrs_has (attrs, "axis") && node->opset >= 4)
        {
          lrp_node_error (error, LRP_MODEL_ERROR_FAILED, node, "attribute “axis” is required");
          return FALSE;
        }
      def = 1;
    }
  return lrp_attrs_get_int (attrs, "axis", def, &p->axis, error);
}

/* ---- Backward ----------------------------------------------------------- */

gboolean
lrp_op_move_rule (const LrpNode *node,
                  const LrpBackwardCtx *ctx,
                  GError **error)
{
  LrpRuleKind k = ctx->rule.kind;

  if (ctx->mode == LRP_BACKWARD_GRADIENT || k == LRP_RULE_GRADIENT || k == LRP_RULE_PASS)
    return TRUE;
  g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES,
               "node “%s” (%s) cannot take the %s rule", node->name, node->op_type,
               lrp_rule_kind_name (k));
  return FALSE;
}

LrpTensor *
lrp_op_relevance_in (const LrpNode *node,
                     LrpTensor *const *r_in,
                     int i)
{
  if (i >= node->n_inputs || r_in[i] == NULL || r_in[i]->dtype != LRP_DTYPE_FLOAT)
    return NULL;
  return r_in[i];
}

gboolean
lrp_op_box_backward (const LrpNode *node,
                     const LrpBackwardCtx *ctx,
                     const LrpBoxMap *box,
                     const LrpTensor *r,
                     LrpTensor *const *r_in,
                     GError **error)
{
  LrpTensor *rx = lrp_op_relevance_in (node, r_in, 0);

  if (!lrp_op_move_rule (node, ctx, error))
    return FALSE;
  if (r == NULL || rx == NULL)
    return TRUE;
  return lrp_box_add_back (box, r, rx, ctx->cancellable, error);
}

/* Constant and Shape: nothing computed from the model input flows in. */
static gboolean
no_backward (const LrpNode *node,
             const LrpBackwardCtx *ctx,
             LrpTensor *const *in,
             LrpTensor *const *out,
             LrpTensor *const *r_out,
             LrpTensor *const *r_in,
             GError **error)
{
  (void) node;
  (void) ctx;
  (void) in;
  (void) out;
  (void) r_out;
  (void) r_in;
  (void) error;
  return TRUE;
}

/* ---- Constant ----------------------------------------------------------- */

static gboolean
constant_tensor (LrpNode *node,
                 const LrpAttrs *attrs,
                 LrpTensor **t,
                 GError **error)
{
  const char *name = attrs->n_attrs == 1 ? attrs->attrs[0].name : NULL;
  int64_t shape[1];
  double f;
  int64_t i;
  const int64_t *ints;
  const float *floats;
  int n;

  if (name == NULL)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_FAILED, node,
                      "needs exactly one value attribute, found %d", attrs->n_attrs);
      return FALSE;
    }
  if (g_str_equal (name, "value"))
    {
      LrpTensor *v = lrp_attrs_get_tensor (attrs, name);

      if (v == NULL)
        {
          lrp_node_error (error, LRP_MODEL_ERROR_FAILED, node, "“value” is not a tensor");
          return FALSE;
        }
      *t = lrp_tensor_ref (v);
    }
  else if (g_str_equal (name, "value_float"))
    {
      if (!lrp_attrs_get_float (attrs, name, 0, &f, error))
        return FALSE;
      *t = lrp_tensor_new (LRP_DTYPE_FLOAT, 0, shape);
      lrp_tensor_f (*t)[0] = (float) f;
    }
  else if (g_str_equal (name, "value_int"))
    {
      if (!lrp_attrs_get_int (attrs, name, 0, &i, error))
        return FALSE;
      *t = lrp_tensor_new (LRP_DTYPE_INT64, 0, shape);
      lrp_tensor_i64 (*t)[0] = i;
    }
  else if (g_str_equal (name, "value_floats"))
    {
      if (!lrp_attrs_get_floats (attrs, name, &n, &floats, error))
        return FALSE;
      shape[0] = n;
      *t = lrp_tensor_new (LRP_DTYPE_FLOAT, 1, shape);
      if (n > 0)
        memcpy ((*t)->data, floats, sizeof (float) * (size_t) n);
    }
  else if (g_str_equal (name, "value_ints"))
    {
      if (!lrp_attrs_get_ints (attrs, name, &n, &ints, error))
        return FALSE;
      shape[0] = n;
      *t = lrp_tensor_new (LRP_DTYPE_INT64, 1, shape);
      if (n > 0)
        memcpy ((*t)->data, ints, sizeof (int64_t) * (size_t) n);
    }
  else
    {
      lrp_node_error (error, LRP_MODEL_ERROR_UNSUPPORTED, node,
                      "attribute “%s” is not supported (strings and sparse tensors)", name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
constant_setup (LrpNode *node,
                const LrpAttrs *attrs,
                GError **error)
{
  LrpTensor *t = NULL;

  if (!constant_tensor (node, attrs, &t, error))
    return FALSE;
  node->params = t;
  node->free_params = (GDestroyNotify) lrp_tensor_unref;
  return TRUE;
}

/* The value is known: returning it with data folds the node away. */
static gboolean
constant_infer (LrpNode *node,
                LrpTensor *const *in,
                LrpTensor **out,
                GError **error)
{
  (void) in;
  (void) error;
  out[0] = lrp_tensor_copy (node->params);
  return TRUE;
}

static gboolean
constant_forward (const LrpNode *node,
                  LrpTensor *const *in,
                  LrpTensor *const *out,
                  GCancellable *cancellable,
                  GError **error)
{
  const LrpTensor *value = node->params;

  (void) in;
  (void) cancellable;
  (void) error;
  if (value->n > 0)
    memcpy (out[0]->data, value->data, (size_t) value->n * lrp_dtype_size (value->dtype));
  return TRUE;
}

/* ---- Shape -------------------------------------------------------------- */

typedef struct
{
  int64_t start, end;
} ShapeParams;

static gboolean
shape_setup (LrpNode *node,
             const LrpAttrs *attrs,
             GError **error)
{
  ShapeParams *p = g_new0 (ShapeParams, 1);

  lrp_op_set_params (node, p);
  return lrp_attrs_get_int (attrs, "start", 0, &p->start, error)
         && lrp_attrs_get_int (attrs, "end", G_MAXINT64, &p->end, error);
}

/* The range of dimensions reported, clamped as opset 15 says. */
static void
shape_range (const ShapeParams *p,
             int rank,
             int *start,
             int *end)
{
  int64_t s = p->start < 0 ? p->start + rank : p->start;
  int64_t e = p->end < 0 ? p->end + rank : p->end;

  *start = (int) CLAMP (s, 0, rank);
  *end = (int) MAX (CLAMP (e, 0, rank), *start);
}

static void
shape_fill (const ShapeParams *p,
            const LrpTensor *x,
            LrpTensor *o)
{
  int start, end;

  shape_range (p, x->rank, &start, &end);
  for (int i = start; i < end; i++)
    lrp_tensor_i64 (o)[i - start] = x->shape[i];
}

/* Shapes are static here, so the output is known and returned with data:
 * the graph builder folds it and everything computed from it. */
static gboolean
shape_infer (LrpNode *node,
             LrpTensor *const *in,
             LrpTensor **out,
             GError **error)
{
  int64_t n[1];
  int start, end;

  if (!lrp_op_need_input (node, in, 0, error))
    return FALSE;
  shape_range (node->params, in[0]->rank, &start, &end);
  n[0] = end - start;
  out[0] = lrp_tensor_new (LRP_DTYPE_INT64, 1, n);
  shape_fill (node->params, in[0], out[0]);
  return TRUE;
}

static gboolean
shape_forward (const LrpNode *node,
               LrpTensor *const *in,
               LrpTensor *const *out,
               GCancellable *cancellable,
               GError **error)
{
  (void) cancellable;
  (void) error;
  shape_fill (node->params, in[0], out[0]);
  return TRUE;
}

/* ---- Table -------------------------------------------------------------- */

static const char *const constant_attrs[] = {
  "value", "value_float", "value_floats", "value_int", "value_ints",
  "sparse_value", "value_string", "value_strings", NULL,
};
static const char *const shape_attrs[] = { "start", "end", NULL };

static const LrpOpClass constant_op =
  LRP_SHAPE_OP ("Constant", constant_attrs, 0, 0, 1, constant_setup, constant_infer,
                constant_forward, no_backward);
/* Folded at load (its output is known), so nothing ever flows back here. */
static const LrpOpClass shape_op =
  LRP_SHAPE_OP ("Shape", shape_attrs, 1, 1, 1, shape_setup, shape_infer, shape_forward,
                no_backward);

const LrpOpClass *const lrp_ops_shape[] = {
  &lrp_flatten_op, &lrp_reshape_op, &lrp_squeeze_op, &lrp_unsqueeze_op, &lrp_transpose_op,
  &lrp_concat_op, &lrp_split_op, &lrp_slice_op, &lrp_pad_op, &constant_op, &shape_op,
  &lrp_gather_op,
  NULL,
};
