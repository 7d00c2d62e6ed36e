/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shape and data-movement operators: Flatten, Reshape, Squeeze, Unsqueeze,
 * Transpose, Concat, Split, Slice, Pad, Constant, Shape, Gather.  They work
 * on float32 and int64 alike (int64 for the shape arithmetic exporters
 * emit), and everything that decides an output shape must be known at load.
 *
 * Every op that moves data describes its index mapping as one or more
 * BoxMaps (a strided box walked on both sides) built by a *_box() function
 * from the shapes and the plan infer() stored in node->params; forward()
 * only runs box_copy().  The relevance pass can walk the same boxes with
 * source and destination swapped.
 */
#define G_LOG_DOMAIN "lrp-op"

#include "config.h"

#include "lrp-ops-private.h"

#include <string.h>

/* Room for Pad's 2 × rank values, the longest integer list any op reads. */
#define MAX_INTS (2 * LRP_MAX_RANK)
/* Split writes at most this many outputs (the importer's node limit). */
#define MAX_OUTPUTS 16

/* ---- Strided box copies ------------------------------------------------- */

/* A box of count[] elements; element i (multi-index) is at src_offset +
 * Σ i_d src_stride[d] in the source and dst_offset + Σ i_d dst_stride[d]
 * in the destination.  Strides are in elements and may be negative or 0. */
typedef struct
{
  int rank;
  int64_t count[LRP_MAX_RANK];
  int64_t src_stride[LRP_MAX_RANK];
  int64_t dst_stride[LRP_MAX_RANK];
  int64_t src_offset;
  int64_t dst_offset;
} BoxMap;

static void
contiguous_strides (int rank,
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

/* A box covering all of @shape, contiguous on both sides. */
static void
box_init (BoxMap *box,
          int rank,
          const int64_t *shape)
{
  memset (box, 0, sizeof *box);
  box->rank = rank;
  memcpy (box->count, shape, sizeof (int64_t) * (size_t) rank);
  contiguous_strides (rank, shape, box->src_stride);
  contiguous_strides (rank, shape, box->dst_stride);
}

static void
copy_row (const char *src,
          int64_t src_stride,
          char *dst,
          int64_t dst_stride,
          int64_t n,
          size_t esize)
{
  if (src_stride == 1 && dst_stride == 1)
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

/* Copies @box from @src to @dst, elements of @esize bytes. */
static gboolean
box_copy (const BoxMap *box,
          const void *src,
          void *dst,
          size_t esize,
          GCancellable *cancellable,
          GError **error)
{
  int64_t idx[LRP_MAX_RANK] = { 0 };
  int64_t so = box->src_offset, doff = box->dst_offset;
  int r = box->rank;
  int64_t rows = 0;

  for (int d = 0; d < r; d++)
    if (box->count[d] <= 0)
      return TRUE;
  if (r == 0)
    {
      memcpy ((char *) dst + doff * (int64_t) esize, (const char *) src + so * (int64_t) esize,
              esize);
      return TRUE;
    }
  for (;;)
    {
      int d;

      copy_row ((const char *) src + so * (int64_t) esize, box->src_stride[r - 1],
                (char *) dst + doff * (int64_t) esize, box->dst_stride[r - 1],
                box->count[r - 1], esize);
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

/* ---- Helpers --------------------------------------------------------- */

typedef struct
{
  int n;
  int64_t v[MAX_INTS];
} IntList;

static gboolean
has_input (const LrpNode *node,
           LrpTensor *const *in,
           int i)
{
  return i < node->n_inputs && in[i] != NULL;
}

static gboolean
need_input (const LrpNode *node,
            LrpTensor *const *in,
            int i,
            GError **error)
{
  if (has_input (node, in, i))
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
                 IntList *list,
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

/* Copies an ints attribute; *present tells whether the file had it. */
static gboolean
read_ints_attr (const LrpNode *node,
                const LrpAttrs *attrs,
                const char *name,
                int max,
                IntList *list,
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

/* The list from attribute (already read into @attr) or else input @i;
 * *found is FALSE when neither is there. */
static gboolean
ints_from_attr_or_input (const LrpNode *node,
                         LrpTensor *const *in,
                         const IntList *attr,
                         gboolean attr_present,
                         int i,
                         const char *what,
                         int max,
                         IntList *list,
                         gboolean *found,
                         GError **error)
{
  *found = TRUE;
  if (attr_present)
    {
      *list = *attr;
      return TRUE;
    }
  if (has_input (node, in, i))
    return read_ints_input (node, in, i, what, max, list, error);
  *found = FALSE;
  list->n = 0;
  return TRUE;
}

static gboolean
normalize_axis (const LrpNode *node,
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

/* Normalises a list of distinct axes against @rank into @flags. */
static gboolean
axes_to_flags (const LrpNode *node,
               const IntList *axes,
               int rank,
               gboolean *flags,
               GError **error)
{
  memset (flags, 0, sizeof (gboolean) * LRP_MAX_RANK);
  for (int k = 0; k < axes->n; k++)
    {
      int a;

      if (!normalize_axis (node, axes->v[k], rank, &a, error))
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

static gboolean
new_output_like (const LrpNode *node,
                 const LrpTensor *like,
                 int rank,
                 const int64_t *shape,
                 LrpTensor **out,
                 GError **error)
{
  return new_output (node, like->dtype, rank, shape, out, error);
}

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

static void
params_new (LrpNode *node,
            gpointer params)
{
  node->params = params;
  node->free_params = g_free;
}

/* ---- Flatten ------------------------------------------------------------ */

typedef struct
{
  int64_t axis;
} AxisParams;

static gboolean
axis_setup (LrpNode *node,
            const LrpAttrs *attrs,
            GError **error)
{
  AxisParams *p = g_new0 (AxisParams, 1);
  /* Flatten defaults to 1, Gather to 0; Concat needs it (opset 1
   * defaulted to 1). */
  int64_t def = g_str_equal (node->op_type, "Flatten") ? 1 : 0;

  params_new (node, p);
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

static gboolean
flatten_infer (LrpNode *node,
               LrpTensor *const *in,
               LrpTensor **out,
               GError **error)
{
  const AxisParams *p = node->params;
  int64_t shape[2] = { 1, 1 };
  int rank, axis;

  if (!need_input (node, in, 0, error))
    return FALSE;
  rank = in[0]->rank;
  /* The axis may equal the rank (everything in the first dimension). */
  if (p->axis == rank)
    axis = rank;
  else if (!normalize_axis (node, p->axis, rank, &axis, error))
    return FALSE;
  for (int i = 0; i < rank; i++)
    shape[i < axis ? 0 : 1] *= in[0]->shape[i];
  return new_output_like (node, in[0], 2, shape, &out[0], error);
}

/* ---- Reshape ------------------------------------------------------------ */

typedef struct
{
  int64_t allowzero;
  gboolean has_shape;     /* opset 1-4: the shape attribute */
  IntList shape;
} ReshapeParams;

static gboolean
reshape_setup (LrpNode *node,
               const LrpAttrs *attrs,
               GError **error)
{
  ReshapeParams *p = g_new0 (ReshapeParams, 1);

  params_new (node, p);
  return lrp_attrs_get_int (attrs, "allowzero", 0, &p->allowzero, error)
         && read_ints_attr (node, attrs, "shape", LRP_MAX_RANK, &p->shape, &p->has_shape, error);
}

/* Resolves 0 (copy) and -1 (infer) in @req against @in into @shape. */
static gboolean
reshape_resolve (const LrpNode *node,
                 gboolean allowzero,
                 const IntList *req,
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
  IntList req;
  gboolean found;

  if (!need_input (node, in, 0, error)
      || !ints_from_attr_or_input (node, in, &p->shape, p->has_shape, 1, "shape", LRP_MAX_RANK,
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
         && new_output_like (node, in[0], req.n, shape, &out[0], error);
}

/* ---- Squeeze, Unsqueeze ------------------------------------------------- */

typedef struct
{
  gboolean has_axes;
  IntList axes;
} AxesParams;

static gboolean
axes_setup (LrpNode *node,
            const LrpAttrs *attrs,
            GError **error)
{
  AxesParams *p = g_new0 (AxesParams, 1);

  params_new (node, p);
  return read_ints_attr (node, attrs, "axes", LRP_MAX_RANK, &p->axes, &p->has_axes, error);
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
  IntList axes;
  gboolean found;

  if (!need_input (node, in, 0, error)
      || !ints_from_attr_or_input (node, in, &p->axes, p->has_axes, 1, "axes", LRP_MAX_RANK,
                                   &axes, &found, error)
      || !axes_to_flags (node, &axes, in[0]->rank, flags, error))
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
  return new_output_like (node, in[0], rank, shape, &out[0], error);
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
  IntList axes;
  gboolean found;
  int rank, j = 0;

  if (!need_input (node, in, 0, error)
      || !ints_from_attr_or_input (node, in, &p->axes, p->has_axes, 1, "axes", LRP_MAX_RANK,
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
  if (!axes_to_flags (node, &axes, rank, flags, error))
    return FALSE;
  for (int i = 0; i < rank; i++)
    shape[i] = flags[i] ? 1 : in[0]->shape[j++];
  return new_output_like (node, in[0], rank, shape, &out[0], error);
}

/* ---- Transpose ---------------------------------------------------------- */

typedef struct
{
  gboolean has_perm;
  IntList perm;
} TransposeParams;

static gboolean
transpose_setup (LrpNode *node,
                 const LrpAttrs *attrs,
                 GError **error)
{
  TransposeParams *p = g_new0 (TransposeParams, 1);

  params_new (node, p);
  return read_ints_attr (node, attrs, "perm", LRP_MAX_RANK, &p->perm, &p->has_perm, error);
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

  if (!need_input (node, in, 0, error))
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
  return new_output_like (node, in[0], rank, shape, &out[0], error);
}

/* Output-ordered walk; input strides permuted. */
static void
transpose_box (const TransposeParams *p,
               const LrpTensor *in,
               const LrpTensor *out,
               BoxMap *box)
{
  int64_t in_strides[LRP_MAX_RANK];
  int perm[LRP_MAX_RANK];

  transpose_perm (p, in->rank, perm);
  contiguous_strides (in->rank, in->shape, in_strides);
  box_init (box, out->rank, out->shape);
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
  BoxMap box;

  transpose_box (node->params, in[0], out[0], &box);
  return box_copy (&box, in[0]->data, out[0]->data, lrp_dtype_size (in[0]->dtype),
                   cancellable, error);
}

/* ---- Concat ------------------------------------------------------------- */

static gboolean
concat_infer (LrpNode *node,
              LrpTensor *const *in,
              LrpTensor **out,
              GError **error)
{
  const AxisParams *p = node->params;
  int64_t shape[LRP_MAX_RANK];
  int axis;

  for (int k = 0; k < node->n_inputs; k++)
    if (!need_input (node, in, k, error))
      return FALSE;
  if (!normalize_axis (node, p->axis, in[0]->rank, &axis, error))
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
      /* Each input is valid, so the sum of 16 of them cannot overflow. */
      shape[axis] += t->shape[axis];
    }
  return new_output_like (node, in[0], in[0]->rank, shape, &out[0], error);
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
          BoxMap *box)
{
  int64_t whole_strides[LRP_MAX_RANK];

  contiguous_strides (whole->rank, whole->shape, whole_strides);
  box_init (box, part->rank, part->shape);
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

static gboolean
concat_forward (const LrpNode *node,
                LrpTensor *const *in,
                LrpTensor *const *out,
                GCancellable *cancellable,
                GError **error)
{
  const AxisParams *p = node->params;
  int64_t offset = 0;
  int axis = (int) (p->axis < 0 ? p->axis + out[0]->rank : p->axis);

  for (int k = 0; k < node->n_inputs; k++)
    {
      BoxMap box;

      part_box (out[0], in[k], axis, offset, TRUE, &box);
      if (!box_copy (&box, in[k]->data, out[0]->data, lrp_dtype_size (in[k]->dtype),
                     cancellable, error))
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
  IntList split;
  int axis;                    /* from infer: normalised */
  int64_t sizes[MAX_OUTPUTS];  /* from infer */
} SplitParams;

static gboolean
split_setup (LrpNode *node,
             const LrpAttrs *attrs,
             GError **error)
{
  SplitParams *p = g_new0 (SplitParams, 1);

  params_new (node, p);
  return lrp_attrs_get_int (attrs, "axis", 0, &p->axis_attr, error)
         && read_ints_attr (node, attrs, "split", MAX_OUTPUTS, &p->split, &p->has_split, error);
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
  IntList split;

  if (!ints_from_attr_or_input (node, in, &p->split, p->has_split, 1, "split", MAX_OUTPUTS,
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

  if (!need_input (node, in, 0, error)
      || !normalize_axis (node, p->axis_attr, in[0]->rank, &p->axis, error)
      || !split_sizes (node, in, in[0]->shape[p->axis], error))
    return FALSE;
  memcpy (shape, in[0]->shape, sizeof shape);
  for (int k = 0; k < node->n_outputs; k++)
    {
      shape[p->axis] = p->sizes[k];
      if (!new_output_like (node, in[0], in[0]->rank, shape, &out[k], error))
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
      BoxMap box;

      if (out[k] != NULL)
        {
          part_box (in[0], out[k], p->axis, offset, FALSE, &box);
          if (!box_copy (&box, in[0]->data, out[k]->data, lrp_dtype_size (in[0]->dtype),
                         cancellable, error))
            return FALSE;
        }
      offset += p->sizes[k];
    }
  return TRUE;
}

/* ---- Slice -------------------------------------------------------------- */

typedef struct
{
  gboolean has_starts, has_ends, has_axes;   /* opset < 10 attributes */
  IntList starts, ends, axes;
  int64_t start[LRP_MAX_RANK];              /* from infer, per input axis */
  int64_t step[LRP_MAX_RANK];
} SliceParams;

static gboolean
slice_setup (LrpNode *node,
             const LrpAttrs *attrs,
             GError **error)
{
  SliceParams *p = g_new0 (SliceParams, 1);

  params_new (node, p);
  return read_ints_attr (node, attrs, "starts", LRP_MAX_RANK, &p->starts, &p->has_starts, error)
         && read_ints_attr (node, attrs, "ends", LRP_MAX_RANK, &p->ends, &p->has_ends, error)
         && read_ints_attr (node, attrs, "axes", LRP_MAX_RANK, &p->axes, &p->has_axes, error);
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
             IntList *lists,
             gboolean *found,
             GError **error)
{
  const SliceParams *p = node->params;
  static const char *const names[] = { "starts", "ends", "axes", "steps" };
  const IntList *attr[] = { &p->starts, &p->ends, &p->axes, NULL };
  const gboolean has[] = { p->has_starts, p->has_ends, p->has_axes, FALSE };

  for (int k = 0; k < 4; k++)
    {
      if (!ints_from_attr_or_input (node, in, attr[k], has[k], k + 1, names[k], LRP_MAX_RANK,
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
  IntList lists[4];
  gboolean found[4], flags[LRP_MAX_RANK];
  int64_t shape[LRP_MAX_RANK];
  const LrpTensor *x = in[0];

  if (!need_input (node, in, 0, error) || !slice_lists (node, in, lists, found, error))
    return FALSE;
  if (!found[2])
    for (int k = 0; k < lists[0].n; k++)
      lists[2].v[k] = k;
  lists[2].n = lists[0].n;
  if (!axes_to_flags (node, &lists[2], x->rank, flags, error))
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
  return new_output_like (node, x, x->rank, shape, &out[0], error);
}

static void
slice_box (const SliceParams *p,
           const LrpTensor *in,
           const LrpTensor *out,
           BoxMap *box)
{
  int64_t in_strides[LRP_MAX_RANK];

  contiguous_strides (in->rank, in->shape, in_strides);
  box_init (box, out->rank, out->shape);
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
  BoxMap box;

  slice_box (node->params, in[0], out[0], &box);
  return box_copy (&box, in[0]->data, out[0]->data, lrp_dtype_size (in[0]->dtype),
                   cancellable, error);
}

/* ---- Pad ---------------------------------------------------------------- */

typedef struct
{
  gboolean has_pads;           /* opset < 11 attributes */
  IntList pads;
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

  params_new (node, p);
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
         && read_ints_attr (node, attrs, pads, MAX_INTS, &p->pads, &p->has_pads, error);
}

static gboolean
pad_check_value (const LrpNode *node,
                 LrpTensor *const *in,
                 GError **error)
{
  if (!has_input (node, in, 2))
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
  IntList pads;
  gboolean found;
  int rank;

  if (!need_input (node, in, 0, error)
      || !ints_from_attr_or_input (node, in, &p->pads, p->has_pads, 1, "pads", MAX_INTS, &pads,
                                   &found, error)
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
      /* Bounded first so that the sum cannot overflow. */
      if (ABS (p->begin[i]) > LRP_MAX_ELEMENTS || ABS (p->end[i]) > LRP_MAX_ELEMENTS
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
  return new_output_like (node, in[0], rank, shape, &out[0], error);
}

/* The part of the input that survives cropping, placed after the padding. */
static void
pad_box (const PadParams *p,
         const LrpTensor *in,
         const LrpTensor *out,
         BoxMap *box)
{
  int64_t out_strides[LRP_MAX_RANK];

  contiguous_strides (out->rank, out->shape, out_strides);
  box_init (box, in->rank, in->shape);
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
  BoxMap box;

  if (o->dtype == LRP_DTYPE_FLOAT)
    {
      float v = has_input (node, in, 2) ? lrp_tensor_f (in[2])[0] : (float) p->value;

      for (int64_t i = 0; v != 0.f && i < o->n; i++)
        lrp_tensor_f (o)[i] = v;
    }
  else
    {
      int64_t v = has_input (node, in, 2) ? lrp_tensor_i64 (in[2])[0] : (int64_t) p->value;

      for (int64_t i = 0; v != 0 && i < o->n; i++)
        lrp_tensor_i64 (o)[i] = v;
    }
  pad_box (p, in[0], o, &box);
  return box_copy (&box, in[0]->data, o->data, lrp_dtype_size (o->dtype), cancellable, error);
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
  LrpTensor *const value[1] = { node->params };

  (void) in;
  return copy_forward (node, value, out, cancellable, error);
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

  params_new (node, p);
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

  if (!need_input (node, in, 0, error))
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
  const AxisParams *p = node->params;
  int64_t shape[LRP_MAX_RANK];
  int axis, rank = 0;
  const LrpTensor *x, *ind;

  if (!need_input (node, in, 0, error)
      || !lrp_check_input (node, in, 1, LRP_DTYPE_INT64, -1, error))
    return FALSE;
  x = in[0];
  ind = in[1];
  if (!normalize_axis (node, p->axis, x->rank, &axis, error))
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
  return new_output_like (node, x, rank, shape, &out[0], error);
}

/* Index @j (reading input slice @v along @axis) as a 2-D box: the
 * dimensions before the axis, and the contiguous block after it. */
static void
gather_box (const LrpTensor *x,
            int axis,
            int64_t n_indices,
            int64_t j,
            int64_t v,
            BoxMap *box)
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
  const AxisParams *p = node->params;
  const LrpTensor *x = in[0], *ind = in[1];
  int axis = (int) (p->axis < 0 ? p->axis + x->rank : p->axis);

  /* Indices may be computed at run time: check each before reading. */
  for (int64_t j = 0; j < ind->n; j++)
    {
      BoxMap box;
      int64_t v;

      if (!gather_index (node, ind, j, x->shape[axis], &v, error))
        return FALSE;
      gather_box (x, axis, ind->n, j, v, &box);
      if (!box_copy (&box, x->data, out[0]->data, lrp_dtype_size (x->dtype), cancellable, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- Table -------------------------------------------------------------- */

static const char *const flatten_attrs[] = { "axis", NULL };
static const char *const reshape_attrs[] = { "shape", "allowzero", "consumed_inputs", NULL };
static const char *const axes_attrs[] = { "axes", NULL };
static const char *const perm_attrs[] = { "perm", NULL };
static const char *const split_attrs[] = { "axis", "split", NULL };
static const char *const slice_attrs[] = { "starts", "ends", "axes", NULL };
static const char *const pad_attrs[] = { "mode", "pads", "paddings", "value", NULL };
static const char *const constant_attrs[] = {
  "value", "value_float", "value_floats", "value_int", "value_ints",
  "sparse_value", "value_string", "value_strings", NULL,
};
static const char *const shape_attrs[] = { "start", "end", NULL };

#define SHAPE_OP(NAME, ATTRS, MININ, MAXIN, MAXOUT, SETUP, INFER, FORWARD) \
  { .op_type = NAME, .attrs = ATTRS, .min_inputs = MININ, .max_inputs = MAXIN, \
    .min_outputs = 1, .max_outputs = MAXOUT, .setup = SETUP, .infer = INFER, \
    .forward = FORWARD }

static const LrpOpClass flatten_op =
  SHAPE_OP ("Flatten", flatten_attrs, 1, 1, 1, axis_setup, flatten_infer, copy_forward);
static const LrpOpClass reshape_op =
  SHAPE_OP ("Reshape", reshape_attrs, 1, 2, 1, reshape_setup, reshape_infer, copy_forward);
static const LrpOpClass squeeze_op =
  SHAPE_OP ("Squeeze", axes_attrs, 1, 2, 1, axes_setup, squeeze_infer, copy_forward);
static const LrpOpClass unsqueeze_op =
  SHAPE_OP ("Unsqueeze", axes_attrs, 1, 2, 1, axes_setup, unsqueeze_infer, copy_forward);
static const LrpOpClass transpose_op =
  SHAPE_OP ("Transpose", perm_attrs, 1, 1, 1, transpose_setup, transpose_infer,
            transpose_forward);
static const LrpOpClass concat_op =
  SHAPE_OP ("Concat", flatten_attrs, 1, 16, 1, axis_setup, concat_infer, concat_forward);
static const LrpOpClass split_op =
  SHAPE_OP ("Split", split_attrs, 1, 2, MAX_OUTPUTS, split_setup, split_infer, split_forward);
static const LrpOpClass slice_op =
  SHAPE_OP ("Slice", slice_attrs, 1, 5, 1, slice_setup, slice_infer, slice_forward);
static const LrpOpClass pad_op =
  SHAPE_OP ("Pad", pad_attrs, 1, 3, 1, pad_setup, pad_infer, pad_forward);
static const LrpOpClass constant_op =
  SHAPE_OP ("Constant", constant_attrs, 0, 0, 1, constant_setup, constant_infer,
            constant_forward);
static const LrpOpClass shape_op =
  SHAPE_OP ("Shape", shape_attrs, 1, 1, 1, shape_setup, shape_infer, shape_forward);
static const LrpOpClass gather_op =
  SHAPE_OP ("Gather", flatten_attrs, 2, 2, 1, axis_setup, gather_infer, gather_forward);

const LrpOpClass *const lrp_ops_shape[] = {
  &flatten_op, &reshape_op, &squeeze_op, &unsqueeze_op, &transpose_op, &concat_op,
  &split_op, &slice_op, &pad_op, &constant_op, &shape_op, &gather_op,
  NULL,
};
