/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Blocks along one axis: Concat joins its inputs, Split cuts its input in
 * parts, Gather picks slices by index (repeats allowed).  Each block is a
 * box between the whole and a part; relevance goes back through the same
 * boxes (§10 of lrp-rules.md), adding up where Gather read a slice twice.
 */
#define G_LOG_DOMAIN "lrp-op"

#include "config.h"

#include "lrp-op-shape-private.h"

#include <string.h>

/* ---- Concat ------------------------------------------------------------- */

static gboolean
concat_infer (LrpNode *node,
              LrpTensor *const *in,
              LrpTensor **out,
              GError **error)
{
  const LrpAxisParams *p = node->params;
  int64_t shape[LRP_MAX_RANK];
  int axis;

  for (int k = 0; k < node->n_inputs; k++)
    if (!lrp_op_need_input (node, in, k, error))
      return FALSE;
  if (!lrp_op_axis (node, p->axis, in[0]->rank, &axis, error))
    return FALSE;
  memcpy (shape, in[0]->shape, sizeof shape);
  shape[axis] = 0;
  for (int k = 0; k < node->n_inputs; k++)
    {
      const LrpTensor *t = in[k];
      gboolean ok = t->rank == in[0]->rank && t->dtype == in[0]->dtype;

      for (int i = 0; ok && i < t->rank; i++)
        ok = i == axis || t->shape[i] == in[0]->shape[i];
      if (!ok)
        {
          g_autofree char *s0 = lrp_shape_to_string (in[0]->rank, in[0]->shape);
          g_autofree char *sk = lrp_shape_to_string (t->rank, t->shape);

          lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                          "input %d (%s %s) does not fit input 0 (%s %s) along axis %d", k,
                          lrp_dtype_name (t->dtype), sk, lrp_dtype_name (in[0]->dtype), s0,
                          axis);
          return FALSE;
        }
      /* Each input is valid (< 2^28), so the sum of LRP_MAX_NODE_IO of them
       * cannot overflow. */
      shape[axis] += t->shape[axis];
    }
  return lrp_op_output (node, in[0], in[0]->rank, shape, &out[0], error);
}

/* Where one part of the concatenated (split) tensor lies in the whole:
 * the part is contiguous, the whole has @whole's strides, and the part
 * starts @offset along @axis.  Concat copies part → whole, Split whole →
 * part, so the source and destination sides are swapped between them. */
static void
part_box (const LrpTensor *whole,
          const LrpTensor *part,
          int axis,
          int64_t offset,
          gboolean part_is_src,
          LrpBoxMap *box)
{
  int64_t whole_strides[LRP_MAX_RANK];

  lrp_strides_contiguous (whole->rank, whole->shape, whole_strides);
  lrp_box_init (box, part->rank, part->shape);
  if (part_is_src)
    {
      memcpy (box->dst_stride, whole_strides, sizeof whole_strides);
      box->dst_offset = offset * whole_strides[axis];
    }
  else
    {
      memcpy (box->src_stride, whole_strides, sizeof whole_strides);
      box->src_offset = offset * whole_strides[axis];
    }
}

/* The axis of Concat or Gather, checked by infer. */
static int
params_axis (const LrpNode *node,
             int rank)
{
  const LrpAxisParams *p = node->params;

  return (int) (p->axis < 0 ? p->axis + rank : p->axis);
}

static gboolean
concat_forward (const LrpNode *node,
                LrpTensor *const *in,
                LrpTensor *const *out,
                GCancellable *cancellable,
                GError **error)
{
  int axis = params_axis (node, out[0]->rank);
  int64_t offset = 0;

  for (int k = 0; k < node->n_inputs; k++)
    {
      LrpBoxMap box;

      part_box (out[0], in[k], axis, offset, TRUE, &box);
      if (!lrp_box_copy (&box, in[k]->data, out[0]->data, lrp_dtype_size (in[k]->dtype),
                         FALSE, cancellable, error))
        return FALSE;
      offset += in[k]->shape[axis];
    }
  return TRUE;
}

/* Each input gets its own slice of the output relevance (§10). */
static gboolean
concat_backward (const LrpNode *node,
                 const LrpBackwardCtx *ctx,
                 LrpTensor *const *in,
                 LrpTensor *const *out,
                 LrpTensor *const *r_out,
                 LrpTensor *const *r_in,
                 GError **error)
{
  int axis = params_axis (node, out[0]->rank);
  int64_t offset = 0;

  if (!lrp_op_move_rule (node, ctx, error))
    return FALSE;
  for (int k = 0; r_out[0] != NULL && k < node->n_inputs; k++)
    {
      LrpTensor *rk = lrp_op_relevance_in (node, r_in, k);
      LrpBoxMap box;

      part_box (out[0], in[k], axis, offset, TRUE, &box);
      if (rk != NULL && !lrp_box_add_back (&box, r_out[0], rk, ctx->cancellable, error))
        return FALSE;
      offset += in[k]->shape[axis];
    }
  return TRUE;
}

/* ---- Split -------------------------------------------------------------- */

typedef struct
{
  int64_t axis_attr;
  gboolean has_split;
  LrpIntList split;
  int axis;                    /* from infer: normalised */
  int64_t sizes[LRP_MAX_SPLIT];  /* from infer */
} SplitParams;

static gboolean
split_setup (LrpNode *node,
             const LrpAttrs *attrs,
             GError **error)
{
  SplitParams *p = g_new0 (SplitParams, 1);

  lrp_op_set_params (node, p);
  return lrp_attrs_get_int (attrs, "axis", 0, &p->axis_attr, error)
         && lrp_op_ints_attr (node, attrs, "split", LRP_MAX_SPLIT, &p->split, &p->has_split, error);
}

static gboolean
split_sizes (LrpNode *node,
             LrpTensor *const *in,
             int64_t dim,
             GError **error)
{
  SplitParams *p = node->params;
  int n = node->n_outputs;
  int64_t sum = 0;
  gboolean found;
  LrpIntList split;

  if (!lrp_op_ints_attr_or_input (node, in, &p->split, p->has_split, 1, "split", LRP_MAX_SPLIT,
                                  &split, &found, error))
    return FALSE;
  if (!found)
    {
      if (dim % n != 0)
        {
          lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node, "cannot split %" G_GINT64_FORMAT
                          " elements into %d equal parts", dim, n);
          return FALSE;
        }
      for (int k = 0; k < n; k++)
        p->sizes[k] = dim / n;
      return TRUE;
    }
  if (split.n != n)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node, "split has %d sizes for %d outputs",
                      split.n, n);
      return FALSE;
    }
  for (int k = 0; k < n; k++)
    {
      if (split.v[k] < 0 || split.v[k] > dim - sum)
        {
          lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node, "split sizes do not add up to "
                          "the dimension (%" G_GINT64_FORMAT ")", dim);
          return FALSE;
        }
      sum += split.v[k];
      p->sizes[k] = split.v[k];
    }
  if (sum != dim)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node, "split sizes add up to %"
                      G_GINT64_FORMAT ", not the dimension (%" G_GINT64_FORMAT ")", sum, dim);
      return FALSE;
    }
  return TRUE;
}

static gboolean
split_infer (LrpNode *node,
             LrpTensor *const *in,
             LrpTensor **out,
             GError **error)
{
  SplitParams *p = node->params;
  int64_t shape[LRP_MAX_RANK];

  if (!lrp_op_need_input (node, in, 0, error)
      || !lrp_op_axis (node, p->axis_attr, in[0]->rank, &p->axis, error)
      || !split_sizes (node, in, in[0]->shape[p->axis], error))
    return FALSE;
  memcpy (shape, in[0]->shape, sizeof shape);
  for (int k = 0; k < node->n_outputs; k++)
    {
      shape[p->axis] = p->sizes[k];
      if (!lrp_op_output (node, in[0], in[0]->rank, shape, &out[k], error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
split_forward (const LrpNode *node,
               LrpTensor *const *in,
               LrpTensor *const *out,
               GCancellable *cancellable,
               GError **error)
{
  const SplitParams *p = node->params;
  int64_t offset = 0;

  for (int k = 0; k < node->n_outputs; k++)
    {
      LrpBoxMap box;

      if (out[k] != NULL)
        {
          part_box (in[0], out[k], p->axis, offset, FALSE, &box);
          if (!lrp_box_copy (&box, in[0]->data, out[k]->data, lrp_dtype_size (in[0]->dtype),
                             FALSE, cancellable, error))
            return FALSE;
        }
      offset += p->sizes[k];
    }
  return TRUE;
}

/* The input gets each output's relevance in that output's part (none for
 * an output nothing reached). */
static gboolean
split_backward (const LrpNode *node,
                const LrpBackwardCtx *ctx,
                LrpTensor *const *in,
                LrpTensor *const *out,
                LrpTensor *const *r_out,
                LrpTensor *const *r_in,
                GError **error)
{
  const SplitParams *p = node->params;
  LrpTensor *rx = lrp_op_relevance_in (node, r_in, 0);
  int64_t offset = 0;

  (void) out;
  if (!lrp_op_move_rule (node, ctx, error))
    return FALSE;
  for (int k = 0; rx != NULL && k < node->n_outputs; k++)
    {
      LrpBoxMap box;

      if (r_out[k] != NULL)
        {
          part_box (in[0], r_out[k], p->axis, offset, FALSE, &box);
          if (!lrp_box_add_back (&box, r_out[k], rx, ctx->cancellable, error))
            return FALSE;
        }
      offset += p->sizes[k];
    }
  return TRUE;
}

/* ---- Gather ------------------------------------------------------------- */

/* Normalises index @j of @indices against @dim; FALSE (with an error) when
 * it is out of range. */
static gboolean
gather_index (const LrpNode *node,
              const LrpTensor *indices,
              int64_t j,
              int64_t dim,
              int64_t *out,
              GError **error)
{
  int64_t v = lrp_tensor_i64 (indices)[j];

  if (v < -dim || v >= dim)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node, "index %" G_GINT64_FORMAT
                      " is out of range for a dimension of %" G_GINT64_FORMAT, v, dim);
      return FALSE;
    }
  *out = v < 0 ? v + dim : v;
  return TRUE;
}

static gboolean
gather_infer (LrpNode *node,
              LrpTensor *const *in,
              LrpTensor **out,
              GError **error)
{
  const LrpAxisParams *p = node->params;
  int64_t shape[LRP_MAX_RANK];
  int axis, rank = 0;
  const LrpTensor *x, *ind;

  if (!lrp_op_need_input (node, in, 0, error)
      || !lrp_check_input (node, in, 1, LRP_DTYPE_INT64, -1, error))
    return FALSE;
  x = in[0];
  ind = in[1];
  if (!lrp_op_axis (node, p->axis, x->rank, &axis, error))
    return FALSE;
  if (x->rank - 1 + ind->rank > LRP_MAX_RANK)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node, "the output would have rank %d",
                      x->rank - 1 + ind->rank);
      return FALSE;
    }
  for (int64_t j = 0; ind->data && j < ind->n; j++)
    {
      int64_t v;

      if (!gather_index (node, ind, j, x->shape[axis], &v, error))
        return FALSE;
    }
  for (int i = 0; i < x->rank; i++)
    if (i != axis)
      shape[rank++] = x->shape[i];
    else
      for (int k = 0; k < ind->rank; k++)
        shape[rank++] = ind->shape[k];
  return lrp_op_output (node, x, rank, shape, &out[0], error);
}

/* Index @j (reading input slice @v along @axis) as a 2-D box: the
 * dimensions before the axis, and the contiguous block after it. */
static void
gather_box (const LrpTensor *x,
            int axis,
            int64_t n_indices,
            int64_t j,
            int64_t v,
            LrpBoxMap *box)
{
  int64_t outer = 1, inner = 1;

  for (int i = 0; i < axis; i++)
    outer *= x->shape[i];
  for (int i = axis + 1; i < x->rank; i++)
    inner *= x->shape[i];
  memset (box, 0, sizeof *box);
  box->rank = 2;
  box->count[0] = outer;
  box->count[1] = inner;
  box->src_stride[0] = x->shape[axis] * inner;
  box->src_stride[1] = 1;
  box->dst_stride[0] = n_indices * inner;
  box->dst_stride[1] = 1;
  box->src_offset = v * inner;
  box->dst_offset = j * inner;
}

static gboolean
gather_forward (const LrpNode *node,
                LrpTensor *const *in,
                LrpTensor *const *out,
                GCancellable *cancellable,
                GError **error)
{
  const LrpTensor *x = in[0], *ind = in[1];
  int axis = params_axis (node, x->rank);

  /* Indices may be computed at run time: check each before reading. */
  for (int64_t j = 0; j < ind->n; j++)
    {
      LrpBoxMap box;
      int64_t v;

      if (!gather_index (node, ind, j, x->shape[axis], &v, error))
        return FALSE;
      gather_box (x, axis, ind->n, j, v, &box);
      if (!lrp_box_copy (&box, x->data, out[0]->data, lrp_dtype_size (x->dtype), FALSE,
                         cancellable, error))
        return FALSE;
    }
  return TRUE;
}

/* Scatter-add: an input slice gathered several times gets the relevance
 * of every output slice that read it. */
static gboolean
gather_backward (const LrpNode *node,
                 const LrpBackwardCtx *ctx,
                 LrpTensor *const *in,
                 LrpTensor *const *out,
                 LrpTensor *const *r_out,
                 LrpTensor *const *r_in,
                 GError **error)
{
  const LrpTensor *x = in[0], *ind = in[1];
  LrpTensor *rx = lrp_op_relevance_in (node, r_in, 0);
  int axis = params_axis (node, x->rank);

  (void) out;
  if (!lrp_op_move_rule (node, ctx, error))
    return FALSE;
  for (int64_t j = 0; r_out[0] != NULL && rx != NULL && j < ind->n; j++)
    {
      LrpBoxMap box;
      int64_t v;

      if (!gather_index (node, ind, j, x->shape[axis], &v, error))
        return FALSE;
      gather_box (x, axis, ind->n, j, v, &box);
      if (!lrp_box_add_back (&box, r_out[0], rx, ctx->cancellable, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- Op classes --------------------------------------------------------- */

static const char *const axis_attrs[] = { "axis", NULL };
static const char *const split_attrs[] = { "axis", "split", NULL };

const LrpOpClass lrp_concat_op =
  LRP_SHAPE_OP ("Concat", axis_attrs, 1, LRP_MAX_NODE_IO, 1, lrp_op_axis_setup, concat_infer,
                concat_forward, concat_backward);
const LrpOpClass lrp_split_op =
  LRP_SHAPE_OP ("Split", split_attrs, 1, 2, LRP_MAX_SPLIT, split_setup, split_infer,
                split_forward, split_backward);
const LrpOpClass lrp_gather_op =
  LRP_SHAPE_OP ("Gather", axis_attrs, 2, 2, 1, lrp_op_axis_setup, gather_infer, gather_forward,
                gather_backward);
