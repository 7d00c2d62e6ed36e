/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The ops that keep every element: Flatten, Reshape, Squeeze, Unsqueeze
 * (same order, new shape) and Transpose (permuted).  Their relevance goes
 * back reshaped or permuted (§10 of lrp-rules.md).
 */
#define G_LOG_DOMAIN "lrp-op"

#include "config.h"

#include "lrp-op-shape-private.h"

#include <string.h>

/* ---- Same elements, same order ------------------------------------------ */

/* Forward of the ops that only change the shape: same bytes. */
static gboolean
copy_forward (const LrpNode *node,
              LrpTensor *const *in,
              LrpTensor *const *out,
              GCancellable *cancellable,
              GError **error)
{
  (void) node;
  (void) cancellable;
  (void) error;
  if (in[0]->n > 0)
    memcpy (out[0]->data, in[0]->data, (size_t) in[0]->n * lrp_dtype_size (in[0]->dtype));
  return TRUE;
}

/* Flatten, Reshape, Squeeze, Unsqueeze: the element order is kept, so the
 * relevance is the output's, in the input's shape. */
static gboolean
copy_backward (const LrpNode *node,
               const LrpBackwardCtx *ctx,
               LrpTensor *const *in,
               LrpTensor *const *out,
               LrpTensor *const *r_out,
               LrpTensor *const *r_in,
               GError **error)
{
  LrpBoxMap box;

  (void) out;
  lrp_box_init (&box, 1, &in[0]->n);
  return lrp_op_box_backward (node, ctx, &box, r_out[0], r_in, error);
}

/* ---- Flatten ------------------------------------------------------------ */

static gboolean
flatten_infer (LrpNode *node,
               LrpTensor *const *in,
               LrpTensor **out,
               GError **error)
{
  const LrpAxisParams *p = node->params;
  int64_t shape[2] = { 1, 1 };
  int rank, axis;

  if (!lrp_op_need_input (node, in, 0, error))
    return FALSE;
  rank = in[0]->rank;
  /* The axis may equal the rank (everything in the first dimension). */
  if (p->axis == rank)
    axis = rank;
  else if (!lrp_op_axis (node, p->axis, rank, &axis, error))
    return FALSE;
  for (int i = 0; i < rank; i++)
    shape[i < axis ? 0 : 1] *= in[0]->shape[i];
  return lrp_op_output (node, in[0], 2, shape, &out[0], error);
}

/* ---- Reshape ------------------------------------------------------------ */

typedef struct
{
  int64_t allowzero;
  gboolean has_shape;     /* opset 1-4: the shape attribute */
  LrpIntList shape;
} ReshapeParams;

static gboolean
reshape_setup (LrpNode *node,
               const LrpAttrs *attrs,
               GError **error)
{
  ReshapeParams *p = g_new0 (ReshapeParams, 1);

  lrp_op_set_params (node, p);
  return lrp_attrs_get_int (attrs, "allowzero", 0, &p->allowzero, error)
         && lrp_op_ints_attr (node, attrs, "shape", LRP_MAX_RANK, &p->shape, &p->has_shape, error);
}

/* Resolves 0 (copy) and -1 (infer) in @req against @in into @shape. */
static gboolean
reshape_resolve (const LrpNode *node,
                 gboolean allowzero,
                 const LrpIntList *req,
                 const LrpTensor *in,
                 int64_t *shape,
                 GError **error)
{
  int64_t known = 1;
  int infer = -1;

  for (int i = 0; i < req->n; i++)
    {
      int64_t v = req->v[i];

      if (v == -1)
        {
          if (infer >= 0)
            {
              lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node, "the shape has two -1 entries");
              return FALSE;
            }
          infer = i;
          continue;
        }
      if (v == 0 && !allowzero)
        {
          if (i >= in->rank)
            {
              lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                              "shape entry %d is 0 (copy) but the input has rank %d", i, in->rank);
              return FALSE;
            }
          v = in->shape[i];
        }
      if (v < 0)
        {
          lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                          "shape entry %d is %" G_GINT64_FORMAT, i, v);
          return FALSE;
        }
      shape[i] = v;
      /* Past LRP_MAX_ELEMENTS the product cannot match the input anyway. */
      known = v > 0 && known > LRP_MAX_ELEMENTS / v ? LRP_MAX_ELEMENTS + 1 : known * v;
    }
  if (infer >= 0)
    {
      if (known == 0 || known > LRP_MAX_ELEMENTS || in->n % known != 0)
        {
          g_autofree char *si = lrp_shape_to_string (in->rank, in->shape);

          lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                          "cannot infer the -1 entry: the other entries do not divide the "
                          "%" G_GINT64_FORMAT " elements of %s", in->n, si);
          return FALSE;
        }
      shape[infer] = in->n / known;
    }
  else if (known != in->n)
    {
      g_autofree char *s = lrp_shape_to_string (req->n, shape);
      g_autofree char *si = lrp_shape_to_string (in->rank, in->shape);

      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                      "cannot reshape %s into %s (element counts differ)", si, s);
      return FALSE;
    }
  return TRUE;
}

static gboolean
reshape_infer (LrpNode *node,
               LrpTensor *const *in,
               LrpTensor **out,
               GError **error)
{
  const ReshapeParams *p = node->params;
  int64_t shape[LRP_MAX_RANK];
  LrpIntList req;
  gboolean found;

  if (!lrp_op_need_input (node, in, 0, error)
      || !lrp_op_ints_attr_or_input (node, in, &p->shape, p->has_shape, 1, "shape", LRP_MAX_RANK,
                                     &req, &found, error))
    return FALSE;
  if (!found)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_FAILED, node, "no shape given");
      return FALSE;
    }
  /* With allowzero a 0 is a real size, so together with -1 the division
   * below fails, as ONNX requires. */
  return reshape_resolve (node, p->allowzero != 0, &req, in[0], shape, error)
         && lrp_op_output (node, in[0], req.n, shape, &out[0], error);
}

/* ---- Squeeze, Unsqueeze ------------------------------------------------- */

typedef struct
{
  gboolean has_axes;
  LrpIntList axes;
} AxesParams;

static gboolean
axes_setup (LrpNode *node,
            const LrpAttrs *attrs,
            GError **error)
{
  AxesParams *p = g_new0 (AxesParams, 1);

  lrp_op_set_params (node, p);
  return lrp_op_ints_attr (node, attrs, "axes", LRP_MAX_RANK, &p->axes, &p->has_axes, error);
}

static gboolean
squeeze_infer (LrpNode *node,
               LrpTensor *const *in,
               LrpTensor **out,
               GError **error)
{
  const AxesParams *p = node->params;
  gboolean flags[LRP_MAX_RANK];
  int64_t shape[LRP_MAX_RANK];
  int rank = 0;
  LrpIntList axes;
  gboolean found;

  if (!lrp_op_need_input (node, in, 0, error)
      || !lrp_op_ints_attr_or_input (node, in, &p->axes, p->has_axes, 1, "axes", LRP_MAX_RANK,
                                     &axes, &found, error)
      || !lrp_op_axes_flags (node, &axes, in[0]->rank, flags, error))
    return FALSE;
  for (int i = 0; i < in[0]->rank; i++)
    {
      /* No axes (or an empty list, as onnxruntime reads it): all the 1s. */
      if (!found || axes.n == 0)
        flags[i] = in[0]->shape[i] == 1;
      else if (flags[i] && in[0]->shape[i] != 1)
        {
          lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                          "cannot squeeze axis %d of size %" G_GINT64_FORMAT, i,
                          in[0]->shape[i]);
          return FALSE;
        }
      if (!flags[i])
        shape[rank++] = in[0]->shape[i];
    }
  return lrp_op_output (node, in[0], rank, shape, &out[0], error);
}

static gboolean
unsqueeze_infer (LrpNode *node,
                 LrpTensor *const *in,
                 LrpTensor **out,
                 GError **error)
{
  const AxesParams *p = node->params;
  gboolean flags[LRP_MAX_RANK];
  int64_t shape[LRP_MAX_RANK];
  LrpIntList axes;
  gboolean found;
  int rank, j = 0;

  if (!lrp_op_need_input (node, in, 0, error)
      || !lrp_op_ints_attr_or_input (node, in, &p->axes, p->has_axes, 1, "axes", LRP_MAX_RANK,
                                     &axes, &found, error))
    return FALSE;
  rank = in[0]->rank + axes.n;
  if (!found || rank > LRP_MAX_RANK)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                      found ? "the output would have rank %d" : "no axes given", rank);
      return FALSE;
    }
  /* Axes refer to the output, whose rank includes the new ones. */
  if (!lrp_op_axes_flags (node, &axes, rank, flags, error))
    return FALSE;
  for (int i = 0; i < rank; i++)
    shape[i] = flags[i] ? 1 : in[0]->shape[j++];
  return lrp_op_output (node, in[0], rank, shape, &out[0], error);
}

/* ---- Transpose ---------------------------------------------------------- */

typedef struct
{
  gboolean has_perm;
  LrpIntList perm;
} TransposeParams;

static gboolean
transpose_setup (LrpNode *node,
                 const LrpAttrs *attrs,
                 GError **error)
{
  TransposeParams *p = g_new0 (TransposeParams, 1);

  lrp_op_set_params (node, p);
  return lrp_op_ints_attr (node, attrs, "perm", LRP_MAX_RANK, &p->perm, &p->has_perm, error);
}

/* The permutation for input rank @rank: given, or reversed. */
static void
transpose_perm (const TransposeParams *p,
                int rank,
                int *perm)
{
  for (int i = 0; i < rank; i++)
    perm[i] = p->has_perm ? (int) p->perm.v[i] : rank - 1 - i;
}

static gboolean
transpose_infer (LrpNode *node,
                 LrpTensor *const *in,
                 LrpTensor **out,
                 GError **error)
{
  const TransposeParams *p = node->params;
  gboolean seen[LRP_MAX_RANK] = { FALSE };
  int64_t shape[LRP_MAX_RANK];
  int perm[LRP_MAX_RANK];
  int rank;

  if (!lrp_op_need_input (node, in, 0, error))
    return FALSE;
  rank = in[0]->rank;
  if (p->has_perm && p->perm.n != rank)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                      "perm has %d entries for an input of rank %d", p->perm.n, rank);
      return FALSE;
    }
  for (int i = 0; p->has_perm && i < rank; i++)
    {
      int64_t v = p->perm.v[i];

      if (v < 0 || v >= rank || seen[v])
        {
          lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node, "perm is not a permutation of "
                          "0…%d (entry %d is %" G_GINT64_FORMAT ")", rank - 1, i, v);
          return FALSE;
        }
      seen[v] = TRUE;
    }
  transpose_perm (p, rank, perm);
  for (int i = 0; i < rank; i++)
    shape[i] = in[0]->shape[perm[i]];
  return lrp_op_output (node, in[0], rank, shape, &out[0], error);
}

/* Output-ordered walk; input strides permuted. */
static void
transpose_box (const TransposeParams *p,
               const LrpTensor *in,
               const LrpTensor *out,
               LrpBoxMap *box)
{
  int64_t in_strides[LRP_MAX_RANK];
  int perm[LRP_MAX_RANK];

  transpose_perm (p, in->rank, perm);
  lrp_strides_contiguous (in->rank, in->shape, in_strides);
  lrp_box_init (box, out->rank, out->shape);
  for (int i = 0; i < out->rank; i++)
    box->src_stride[i] = in_strides[perm[i]];
}

static gboolean
transpose_forward (const LrpNode *node,
                   LrpTensor *const *in,
                   LrpTensor *const *out,
                   GCancellable *cancellable,
                   GError **error)
{
  LrpBoxMap box;

  transpose_box (node->params, in[0], out[0], &box);
  return lrp_box_copy (&box, in[0]->data, out[0]->data, lrp_dtype_size (in[0]->dtype),
                       FALSE, cancellable, error);
}

/* The inverse permutation: the same box, read from the output side. */
static gboolean
transpose_backward (const LrpNode *node,
                    const LrpBackwardCtx *ctx,
                    LrpTensor *const *in,
                    LrpTensor *const *out,
                    LrpTensor *const *r_out,
                    LrpTensor *const *r_in,
                    GError **error)
{
  LrpBoxMap box;

  transpose_box (node->params, in[0], out[0], &box);
  return lrp_op_box_backward (node, ctx, &box, r_out[0], r_in, error);
}

/* ---- Op classes --------------------------------------------------------- */

static const char *const flatten_attrs[] = { "axis", NULL };
static const char *const reshape_attrs[] = { "shape", "allowzero", "consumed_inputs", NULL };
static const char *const axes_attrs[] = { "axes", NULL };
static const char *const perm_attrs[] = { "perm", NULL };

const LrpOpClass lrp_flatten_op =
  LRP_SHAPE_OP ("Flatten", flatten_attrs, 1, 1, 1, lrp_op_axis_setup, flatten_infer,
                copy_forward, copy_backward);
const LrpOpClass lrp_reshape_op =
  LRP_SHAPE_OP ("Reshape", reshape_attrs, 1, 2, 1, reshape_setup, reshape_infer,
                copy_forward, copy_backward);
const LrpOpClass lrp_squeeze_op =
  LRP_SHAPE_OP ("Squeeze", axes_attrs, 1, 2, 1, axes_setup, squeeze_infer, copy_forward,
                copy_backward);
const LrpOpClass lrp_unsqueeze_op =
  LRP_SHAPE_OP ("Unsqueeze", axes_attrs, 1, 2, 1, axes_setup, unsqueeze_infer,
                copy_forward, copy_backward);
const LrpOpClass lrp_transpose_op =
  LRP_SHAPE_OP ("Transpose", perm_attrs, 1, 1, 1, transpose_setup, transpose_infer,
                transpose_forward, transpose_backward);
