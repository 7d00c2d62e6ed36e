/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The shape and data-movement family, shared by its files:
 *   lrp-op-shape.c    strided box copies, attribute/input helpers, the
 *                     backward rule check, Constant, Shape, the family table;
 *   lrp-op-reshape.c  Flatten, Reshape, Squeeze, Unsqueeze, Transpose;
 *   lrp-op-slice.c    Slice and Pad (windows of the input);
 *   lrp-op-concat.c   Concat, Split, Gather (blocks along one axis).
 *
 * Every op that moves data describes its index mapping as one or more
 * LrpBoxMaps (a strided box walked on both sides) built from the shapes and
 * the plan infer() stored in node->params.  forward() runs lrp_box_copy()
 * (or a plain memcpy when the order is kept); backward() walks the same
 * boxes reversed, adding relevance into the input: exactly the gradient of
 * the copy (§10 of ../shared/lrp-rules.md).
 */
#pragma once

#include "lrp-ops-private.h"
#include "lrp-rules-private.h"

G_BEGIN_DECLS

/* Room for Pad's 2 × rank values, the longest integer list any op reads. */
#define LRP_MAX_INTS (2 * LRP_MAX_RANK)
/* Split writes at most this many outputs (the importer's node limit). */
#define LRP_MAX_SPLIT 16

/* ---- Strided box copies ---- */

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
} LrpBoxMap;

void lrp_strides_contiguous (int rank, const int64_t *shape, int64_t *strides);
/* A box covering all of @shape, contiguous on both sides. */
void lrp_box_init (LrpBoxMap *box, int rank, const int64_t *shape);
/* Swaps the source and destination sides. */
void lrp_box_reverse (LrpBoxMap *box);
/* Copies @box from @src to @dst, elements of @esize bytes; with
 * @accumulate (float32 only) adds into @dst instead. */
gboolean lrp_box_copy (const LrpBoxMap *box, const void *src, void *dst, size_t esize,
                       gboolean accumulate, GCancellable *cancellable, GError **error);

/* Adds float tensor @r through @box reversed into float tensor @r_in: the
 * backward of a forward that copied @box from the input to the output. */
gboolean lrp_box_add_back (const LrpBoxMap *box, const LrpTensor *r, LrpTensor *r_in,
                           GCancellable *cancellable, GError **error);

/* ---- Attributes, inputs, outputs ---- */

typedef struct
{
  int n;
  int64_t v[LRP_MAX_INTS];
} LrpIntList;

/* Whether optional input @i is given; need: FALSE with an error if not. */
gboolean lrp_op_has_input (const LrpNode *node, LrpTensor *const *in, int i);
gboolean lrp_op_need_input (const LrpNode *node, LrpTensor *const *in, int i, GError **error);
/* Copies an ints attribute; *present tells whether the file had it. */
gboolean lrp_op_ints_attr (const LrpNode *node, const LrpAttrs *attrs, const char *name, int max,
                           LrpIntList *list, gboolean *present, GError **error);
/* The list from the attribute (already read into @attr) or else the
 * constant 1-D int64 input @i; *found is FALSE when neither is there. */
gboolean lrp_op_ints_attr_or_input (const LrpNode *node, LrpTensor *const *in,
                                    const LrpIntList *attr, gboolean attr_present, int i,
                                    const char *what, int max, LrpIntList *list,
                                    gboolean *found, GError **error);
/* Normalises @axis in [-rank, rank) into *out, with an error if out of range. */
gboolean lrp_op_axis (const LrpNode *node, int64_t axis, int rank, int *out, GError **error);
/* Normalises a list of distinct axes against @rank into @flags. */
gboolean lrp_op_axes_flags (const LrpNode *node, const LrpIntList *axes, int rank,
                            gboolean *flags, GError **error);
/* Checks an output shape (rank, signs, size), then makes it, typed as @like. */
gboolean lrp_op_output (const LrpNode *node, const LrpTensor *like, int rank,
                        const int64_t *shape, LrpTensor **out, GError **error);
/* Gives @node its params, freed with g_free. */
void lrp_op_set_params (LrpNode *node, gpointer params);

/* The one "axis" attribute of Flatten, Concat and Gather. */
typedef struct
{
  int64_t axis;
} LrpAxisParams;

gboolean lrp_op_axis_setup (LrpNode *node, const LrpAttrs *attrs, GError **error);

/* ---- Backward ---- */

/* Data movement routes relevance as its gradient does, in both modes:
 * the Gradient and Pass rules mean that; any other rule is refused. */
gboolean lrp_op_move_rule (const LrpNode *node, const LrpBackwardCtx *ctx, GError **error);
/* r_in[i] when input i takes relevance (a float tensor), else NULL. */
LrpTensor *lrp_op_relevance_in (const LrpNode *node, LrpTensor *const *r_in, int i);
/* The whole backward of an op whose forward copied @box from input 0 to
 * its output: checks the rule, then adds relevance @r (NULL: none) back
 * into r_in[0]. */
gboolean lrp_op_box_backward (const LrpNode *node, const LrpBackwardCtx *ctx,
                              const LrpBoxMap *box, const LrpTensor *r, LrpTensor *const *r_in,
                              GError **error);

/* ---- The family ---- */

#define LRP_SHAPE_OP(NAME, ATTRS, MININ, MAXIN, MAXOUT, SETUP, INFER, FORWARD, BACKWARD) \
  { .op_type = NAME, .attrs = ATTRS, .min_inputs = MININ, .max_inputs = MAXIN, \
    .min_outputs = 1, .max_outputs = MAXOUT, .setup = SETUP, .infer = INFER, \
    .forward = FORWARD, .backward = BACKWARD, .default_rule = LRP_RULE_GRADIENT }

extern const LrpOpClass lrp_flatten_op, lrp_reshape_op, lrp_squeeze_op, lrp_unsqueeze_op,
  lrp_transpose_op;
extern const LrpOpClass lrp_slice_op, lrp_pad_op;
extern const LrpOpClass lrp_concat_op, lrp_split_op, lrp_gather_op;

G_END_DECLS
