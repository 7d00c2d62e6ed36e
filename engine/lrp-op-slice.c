/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Windows of the input: Slice (a strided sub-box, steps of either sign)
 * and Pad (constant padding, or cropping where pads are negative).  The
 * relevance of the window goes back to where it was read (§10 of
 * lrp-rules.md); the rest of the input gets none.
 */
#define G_LOG_DOMAIN "lrp-op"

#include "config.h"

#include "lrp-op-shape-private.h"

#include <string.h>

/* ---- Slice -------------------------------------------------------------- */

typedef struct
{
  gboolean has_starts, has_ends, has_axes;   /* opset < 10 attributes */
  LrpIntList starts, ends, axes;
  int64_t start[LRP_MAX_RANK];              /* from infer, per input axis */
  int64_t step[LRP_MAX_RANK];
} SliceParams;

static gboolean
slice_setup (LrpNode *node,
             const LrpAttrs *attrs,
             GError **error)
{
  SliceParams *p = g_new0 (SliceParams, 1);

  lrp_op_set_params (node, p);
  return lrp_op_ints_attr (node, attrs, "starts", LRP_MAX_RANK, &p->starts, &p->has_starts, error)
         && lrp_op_ints_attr (node, attrs, "ends", LRP_MAX_RANK, &p->ends, &p->has_ends, error)
         && lrp_op_ints_attr (node, attrs, "axes", LRP_MAX_RANK, &p->axes, &p->has_axes, error);
}

/* ONNX's clamping for one axis: the first index and the element count. */
static void
slice_axis (int64_t dim,
            int64_t start,
            int64_t end,
            int64_t step,
            int64_t *first,
            int64_t *count)
{
  if (start < 0)
    start += dim;
  if (end < 0)
    end += dim;
  if (step > 0)
    {
      start = CLAMP (start, 0, dim);
      end = CLAMP (end, 0, dim);
      *count = end > start ? (end - start - 1) / step + 1 : 0;
    }
  else
    {
      /* |step| as unsigned: step may be INT64_MIN. */
      uint64_t astep = (uint64_t) -(step + 1) + 1;

      start = start < 0 ? 0 : MIN (start, dim - 1);
      end = end < -1 ? -1 : MIN (end, dim - 1);
      *count = start > end ? (int64_t) ((uint64_t) (start - end - 1) / astep) + 1 : 0;
    }
  if (dim == 0)
    *count = 0;
  *first = *count > 0 ? start : 0;
}

/* starts, ends, axes, steps from attributes or inputs 1-4. */
static gboolean
slice_lists (const LrpNode *node,
             LrpTensor *const *in,
             LrpIntList *lists,
             gboolean *found,
             GError **error)
{
  const SliceParams *p = node->params;
  static const char *const names[] = { "starts", "ends", "axes", "steps" };
  const LrpIntList *attr[] = { &p->starts, &p->ends, &p->axes, NULL };
  const gboolean has[] = { p->has_starts, p->has_ends, p->has_axes, FALSE };

  for (int k = 0; k < 4; k++)
    {
      if (!lrp_op_ints_attr_or_input (node, in, attr[k], has[k], k + 1, names[k], LRP_MAX_RANK,
                                      &lists[k], &found[k], error))
        return FALSE;
      if (k < 2 && !found[k])
        {
          lrp_node_error (error, LRP_MODEL_ERROR_FAILED, node, "no %s given", names[k]);
          return FALSE;
        }
      if (found[k] && lists[k].n != lists[0].n)
        {
          lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node, "%s has %d values, starts %d",
                          names[k], lists[k].n, lists[0].n);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
slice_infer (LrpNode *node,
             LrpTensor *const *in,
             LrpTensor **out,
             GError **error)
{
  SliceParams *p = node->params;
  LrpIntList lists[4];
  gboolean found[4], flags[LRP_MAX_RANK];
  int64_t shape[LRP_MAX_RANK];
  const LrpTensor *x = in[0];

  if (!lrp_op_need_input (node, in, 0, error) || !slice_lists (node, in, lists, found, error))
    return FALSE;
  if (!found[2])
    for (int k = 0; k < lists[0].n; k++)
      lists[2].v[k] = k;
  lists[2].n = lists[0].n;
  if (!lrp_op_axes_flags (node, &lists[2], x->rank, flags, error))
    return FALSE;
  for (int i = 0; i < x->rank; i++)
    {
      p->start[i] = 0;
      p->step[i] = 1;
      shape[i] = x->shape[i];
    }
  for (int k = 0; k < lists[0].n; k++)
    {
      int a = (int) (lists[2].v[k] < 0 ? lists[2].v[k] + x->rank : lists[2].v[k]);
      int64_t step = found[3] ? lists[3].v[k] : 1;

      if (step == 0)
        {
          lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node, "steps entry %d is 0", k);
          return FALSE;
        }
      p->step[a] = step;
      slice_axis (x->shape[a], lists[0].v[k], lists[1].v[k], step, &p->start[a], &shape[a]);
    }
  return lrp_op_output (node, x, x->rank, shape, &out[0], error);
}

static void
slice_box (const SliceParams *p,
           const LrpTensor *in,
           const LrpTensor *out,
           LrpBoxMap *box)
{
  int64_t in_strides[LRP_MAX_RANK];

  lrp_strides_contiguous (in->rank, in->shape, in_strides);
  lrp_box_init (box, out->rank, out->shape);
  for (int i = 0; i < in->rank; i++)
    {
      /* A step may be huge when only one element is taken: no stride then. */
      box->src_stride[i] = out->shape[i] > 1 ? in_strides[i] * p->step[i] : 0;
      box->src_offset += in_strides[i] * p->start[i];
    }
}

static gboolean
slice_forward (const LrpNode *node,
               LrpTensor *const *in,
               LrpTensor *const *out,
               GCancellable *cancellable,
               GError **error)
{
  LrpBoxMap box;

  slice_box (node->params, in[0], out[0], &box);
  return lrp_box_copy (&box, in[0]->data, out[0]->data, lrp_dtype_size (in[0]->dtype),
                       FALSE, cancellable, error);
}

/* Relevance goes back to the positions read; the others get none. */
static gboolean
slice_backward (const LrpNode *node,
                const LrpBackwardCtx *ctx,
                LrpTensor *const *in,
                LrpTensor *const *out,
                LrpTensor *const *r_out,
                LrpTensor *const *r_in,
                GError **error)
{
  LrpBoxMap box;

  slice_box (node->params, in[0], out[0], &box);
  return lrp_op_box_backward (node, ctx, &box, r_out[0], r_in, error);
}

/* ---- Pad ---------------------------------------------------------------- */

typedef struct
{
  gboolean has_pads;           /* opset < 11 attributes */
  LrpIntList pads;
  double value;
  int64_t begin[LRP_MAX_RANK]; /* from infer */
  int64_t end[LRP_MAX_RANK];
} PadParams;

static gboolean
pad_setup (LrpNode *node,
           const LrpAttrs *attrs,
           GError **error)
{
  PadParams *p = g_new0 (PadParams, 1);
  const char *mode = lrp_attrs_get_string (attrs, "mode");
  /* Opset 1 called the attribute "paddings". */
  const char *pads = lrp_attrs_has (attrs, "pads") ? "pads" : "paddings";

  lrp_op_set_params (node, p);
  if (lrp_attrs_has (attrs, "mode") && mode == NULL)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_FAILED, node, "attribute “mode” is not a string");
      return FALSE;
    }
  if (mode && !g_str_equal (mode, "constant"))
    {
      lrp_node_error (error, LRP_MODEL_ERROR_UNSUPPORTED, node,
                      "mode “%s” is not supported (only “constant”)", mode);
      return FALSE;
    }
  return lrp_attrs_get_float (attrs, "value", 0.0, &p->value, error)
         && lrp_op_ints_attr (node, attrs, pads, LRP_MAX_INTS, &p->pads, &p->has_pads, error);
}

static gboolean
pad_check_value (const LrpNode *node,
                 LrpTensor *const *in,
                 GError **error)
{
  if (!lrp_op_has_input (node, in, 2))
    return TRUE;
  if (in[2]->n != 1 || in[2]->rank > 1 || in[2]->dtype != in[0]->dtype)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                      "constant_value must be one %s, found %s with %" G_GINT64_FORMAT
                      " elements", lrp_dtype_name (in[0]->dtype), lrp_dtype_name (in[2]->dtype),
                      in[2]->n);
      return FALSE;
    }
  return TRUE;
}

static gboolean
pad_infer (LrpNode *node,
           LrpTensor *const *in,
           LrpTensor **out,
           GError **error)
{
  PadParams *p = node->params;
  int64_t shape[LRP_MAX_RANK];
  LrpIntList pads;
  gboolean found;
  int rank;

  if (!lrp_op_need_input (node, in, 0, error)
      || !lrp_op_ints_attr_or_input (node, in, &p->pads, p->has_pads, 1, "pads", LRP_MAX_INTS,
                                     &pads, &found, error)
      || !pad_check_value (node, in, error))
    return FALSE;
  rank = in[0]->rank;
  if (pads.n != 2 * rank)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                      "pads has %d values for an input of rank %d (expected %d)", pads.n, rank,
                      2 * rank);
      return FALSE;
    }
  for (int i = 0; i < rank; i++)
    {
      p->begin[i] = pads.v[i];
      p->end[i] = pads.v[i + rank];
      /* Bounded first so that the sum cannot overflow (and without ABS,
       * whose negation of INT64_MIN would). */
      if (p->begin[i] < -LRP_MAX_ELEMENTS || p->begin[i] > LRP_MAX_ELEMENTS
          || p->end[i] < -LRP_MAX_ELEMENTS || p->end[i] > LRP_MAX_ELEMENTS
          || p->begin[i] + p->end[i] + in[0]->shape[i] < 0)
        {
          lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                          "pads %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT " do not fit axis %d "
                          "of size %" G_GINT64_FORMAT, p->begin[i], p->end[i], i,
                          in[0]->shape[i]);
          return FALSE;
        }
      shape[i] = p->begin[i] + p->end[i] + in[0]->shape[i];
    }
  return lrp_op_output (node, in[0], rank, shape, &out[0], error);
}

/* The part of the input that survives cropping, placed after the padding. */
static void
pad_box (const PadParams *p,
         const LrpTensor *in,
         const LrpTensor *out,
         LrpBoxMap *box)
{
  int64_t out_strides[LRP_MAX_RANK];

  lrp_strides_contiguous (out->rank, out->shape, out_strides);
  lrp_box_init (box, in->rank, in->shape);
  memcpy (box->dst_stride, out_strides, sizeof out_strides);
  for (int i = 0; i < in->rank; i++)
    {
      int64_t crop_begin = MAX (-p->begin[i], 0), crop_end = MAX (-p->end[i], 0);

      box->count[i] = MAX (in->shape[i] - crop_begin - crop_end, 0);
      box->src_offset += crop_begin * box->src_stride[i];
      box->dst_offset += MAX (p->begin[i], 0) * out_strides[i];
    }
}

static gboolean
pad_forward (const LrpNode *node,
             LrpTensor *const *in,
             LrpTensor *const *out,
             GCancellable *cancellable,
             GError **error)
{
  const PadParams *p = node->params;
  LrpTensor *o = out[0];
  LrpBoxMap box;

  if (o->dtype == LRP_DTYPE_FLOAT)
    {
      float v = lrp_op_has_input (node, in, 2) ? lrp_tensor_f (in[2])[0] : (float) p->value;

      for (int64_t i = 0; v != 0.f && i < o->n; i++)
        lrp_tensor_f (o)[i] = v;
    }
  else
    {
      int64_t v = lrp_op_has_input (node, in, 2) ? lrp_tensor_i64 (in[2])[0]
                                                  : (int64_t) p->value;

      for (int64_t i = 0; v != 0 && i < o->n; i++)
        lrp_tensor_i64 (o)[i] = v;
    }
  pad_box (p, in[0], o, &box);
  return lrp_box_copy (&box, in[0]->data, o->data, lrp_dtype_size (o->dtype), FALSE,
                       cancellable, error);
}

/* Cropped back: the padding takes nothing, and input that negative pads
 * cropped away gets none either. */
static gboolean
pad_backward (const LrpNode *node,
              const LrpBackwardCtx *ctx,
              LrpTensor *const *in,
              LrpTensor *const *out,
              LrpTensor *const *r_out,
              LrpTensor *const *r_in,
              GError **error)
{
  LrpBoxMap box;

  pad_box (node->params, in[0], out[0], &box);
  return lrp_op_box_backward (node, ctx, &box, r_out[0], r_in, error);
}

/* ---- Op classes --------------------------------------------------------- */

static const char *const slice_attrs[] = { "starts", "ends", "axes", NULL };
static const char *const pad_attrs[] = { "mode", "pads", "paddings", "value", NULL };

const LrpOpClass lrp_slice_op =
  LRP_SHAPE_OP ("Slice", slice_attrs, 1, 5, 1, slice_setup, slice_infer, slice_forward,
                slice_backward);
const LrpOpClass lrp_pad_op =
  LRP_SHAPE_OP ("Pad", pad_attrs, 1, 3, 1, pad_setup, pad_infer, pad_forward, pad_backward);
