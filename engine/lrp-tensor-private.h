/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lrp.h"

G_BEGIN_DECLS

#define LRP_MAX_RANK 8
/* Per-tensor ceiling: 1 GiB of floats.  Larger shapes in a model file are
 * treated as hostile rather than allocated. */
#define LRP_MAX_ELEMENTS ((int64_t) 1 << 28)

typedef enum {
  LRP_DTYPE_FLOAT,
  LRP_DTYPE_INT64,
} LrpDType;

/* A tensor whose data is NULL is "meta": shape and type only, as shape
 * inference produces them. */
struct _LrpTensor
{
  gint ref_count;
  LrpDType dtype;
  int rank;
  int64_t shape[LRP_MAX_RANK];
  int64_t n;        /* element count, product of shape */
  void *data;       /* owned, 64-byte aligned, or NULL */
};

gboolean lrp_shape_validate (int rank, const int64_t *shape, int64_t *n_out, GError **error);
LrpTensor *lrp_tensor_new_meta (LrpDType dtype, int rank, const int64_t *shape);
LrpTensor *lrp_tensor_new (LrpDType dtype, int rank, const int64_t *shape);
LrpTensor *lrp_tensor_new_like (const LrpTensor *meta);
LrpTensor *lrp_tensor_new_float (int rank, const int64_t *shape);
LrpTensor *lrp_tensor_copy (const LrpTensor *tensor);
gboolean lrp_tensor_same_shape (const LrpTensor *a, const LrpTensor *b);
size_t lrp_dtype_size (LrpDType dtype);
const char *lrp_dtype_name (LrpDType dtype);
char *lrp_shape_to_string (int rank, const int64_t *shape);

static inline float *
lrp_tensor_f (const LrpTensor *t)
{
  return (float *) t->data;
}

static inline int64_t *
lrp_tensor_i64 (const LrpTensor *t)
{
  return (int64_t *) t->data;
}

/* Reads element i of a FLOAT or INT64 tensor as a number. */
double lrp_tensor_get_number (const LrpTensor *t, int64_t i);
int64_t lrp_tensor_get_int (const LrpTensor *t, int64_t i);

/* Normalises an axis in [-rank, rank) to [0, rank); FALSE if out of range. */
gboolean lrp_axis_normalize (int64_t axis, int rank, int *out);

G_END_DECLS
