/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lrp-tensor"

#include "config.h"

#include "lrp-tensor-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LRP_ALIGN 64

size_t
lrp_dtype_size (LrpDType dtype)
{
  return dtype == LRP_DTYPE_INT64 ? sizeof (int64_t) : sizeof (float);
}

const char *
lrp_dtype_name (LrpDType dtype)
{
  return dtype == LRP_DTYPE_INT64 ? "int64" : "float32";
}

char *
lrp_shape_to_string (int rank,
                     const int64_t *shape)
{
  GString *s = g_string_new ("[");

  for (int i = 0; i < rank; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? ", " : "", shape[i]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

/* Shapes come from files; check every dimension and the product before
 * anything is allocated.  A zero dimension makes the product 0 but must not
 * let absurd dimensions beside it through: shape inference multiplies
 * dimensions in other groupings (rows × columns, spatial planes), so every
 * dimension, and the product of the nonzero ones, stays within
 * LRP_MAX_ELEMENTS; any partial product then fits in int64. */
gboolean
lrp_shape_validate (int rank,
                    const int64_t *shape,
                    int64_t *n_out,
                    GError **error)
{
  int64_t nonzero = 1;
  gboolean empty = FALSE;

  if (rank < 0 || rank > LRP_MAX_RANK)
    {
      g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_SHAPE,
                   "rank %d is not supported (at most %d dimensions)", rank, LRP_MAX_RANK);
      return FALSE;
    }
  for (int i = 0; i < rank; i++)
    {
      if (shape[i] < 0)
        {
          g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_SHAPE,
                       "dimension %d is negative (%" G_GINT64_FORMAT ")", i, shape[i]);
          return FALSE;
        }
      if (shape[i] == 0)
        {
          empty = TRUE;
          continue;
        }
      if (nonzero > LRP_MAX_ELEMENTS / shape[i])
        {
          g_autofree char *s = lrp_shape_to_string (rank, shape);
          g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_SHAPE,
                       "shape %s is too large (more than %" G_GINT64_FORMAT " elements, "
                       "zero dimensions aside)", s, (int64_t) LRP_MAX_ELEMENTS);
          return FALSE;
        }
      nonzero *= shape[i];
    }
  if (n_out)
    *n_out = empty ? 0 : nonzero;
  return TRUE;
}

LrpTensor *
lrp_tensor_new_meta (LrpDType dtype,
                     int rank,
                     const int64_t *shape)
{
  LrpTensor *t = g_new0 (LrpTensor, 1);
  int64_t n = 1;

  g_assert (rank >= 0 && rank <= LRP_MAX_RANK);
  t->ref_count = 1;
  t->dtype = dtype;
  t->rank = rank;
  /* Shape inference makes meta tensors before lrp_shape_validate() has seen
   * their shapes: the count saturates rather than overflow, and the check
   * then refuses it. */
  for (int i = 0; i < rank; i++)
    {
      t->shape[i] = shape[i];
      if (n != G_MAXINT64 && __builtin_mul_overflow (n, shape[i], &n))
        n = G_MAXINT64;
    }
  t->n = n;
  return t;
}

LrpTensor *
lrp_tensor_new (LrpDType dtype,
                int rank,
                const int64_t *shape)
{
  LrpTensor *t = lrp_tensor_new_meta (dtype, rank, shape);
  size_t bytes = (size_t) MAX (t->n, 1) * lrp_dtype_size (dtype);

  bytes = (bytes + LRP_ALIGN - 1) / LRP_ALIGN * LRP_ALIGN;
  t->data = aligned_alloc (LRP_ALIGN, bytes);
  if (t->data == NULL)
    g_error ("out of memory allocating %zu bytes", bytes);
  memset (t->data, 0, bytes);
  return t;
}

LrpTensor *
lrp_tensor_new_like (const LrpTensor *meta)
{
  return lrp_tensor_new (meta->dtype, meta->rank, meta->shape);
}

LrpTensor *
lrp_tensor_new_float (int rank,
                      const int64_t *shape)
{
  return lrp_tensor_new (LRP_DTYPE_FLOAT, rank, shape);
}

LrpTensor *
lrp_tensor_copy (const LrpTensor *tensor)
{
  LrpTensor *t;

  if (tensor->data == NULL)
    return lrp_tensor_new_meta (tensor->dtype, tensor->rank, tensor->shape);
  t = lrp_tensor_new_like (tensor);
  memcpy (t->data, tensor->data, (size_t) tensor->n * lrp_dtype_size (tensor->dtype));
  return t;
}

gboolean
lrp_tensor_same_shape (const LrpTensor *a,
                       const LrpTensor *b)
{
  if (a->rank != b->rank)
    return FALSE;
  for (int i = 0; i < a->rank; i++)
    if (a->shape[i] != b->shape[i])
      return FALSE;
  return TRUE;
}

double
lrp_tensor_get_number (const LrpTensor *t,
                       int64_t i)
{
  g_assert (t->data != NULL && i >= 0 && i < t->n);
  if (t->dtype == LRP_DTYPE_INT64)
    return (double) lrp_tensor_i64 (t)[i];
  return lrp_tensor_f (t)[i];
}

int64_t
lrp_tensor_get_int (const LrpTensor *t,
                    int64_t i)
{
  g_assert (t->data != NULL && i >= 0 && i < t->n);
  if (t->dtype == LRP_DTYPE_INT64)
    return lrp_tensor_i64 (t)[i];
  return (int64_t) lrp_tensor_f (t)[i];
}

gboolean
lrp_axis_normalize (int64_t axis,
                    int rank,
                    int *out)
{
  if (axis < -rank || axis >= rank)
    return FALSE;
  *out = (int) (axis < 0 ? axis + rank : axis);
  return TRUE;
}

LrpTensor *
lrp_tensor_ref (LrpTensor *tensor)
{
  g_return_val_if_fail (tensor != NULL, NULL);
  g_atomic_int_inc (&tensor->ref_count);
  return tensor;
}

void
lrp_tensor_unref (LrpTensor *tensor)
{
  g_return_if_fail (tensor != NULL);
  if (g_atomic_int_dec_and_test (&tensor->ref_count))
    {
      free (tensor->data);
      g_free (tensor);
    }
}

int
lrp_tensor_get_rank (const LrpTensor *tensor)
{
  g_return_val_if_fail (tensor != NULL, 0);
  return tensor->rank;
}

const int64_t *
lrp_tensor_get_shape (const LrpTensor *tensor)
{
  g_return_val_if_fail (tensor != NULL, NULL);
  return tensor->shape;
}

int64_t
lrp_tensor_get_n_elements (const LrpTensor *tensor)
{
  g_return_val_if_fail (tensor != NULL, 0);
  return tensor->n;
}

const float *
lrp_tensor_get_data (const LrpTensor *tensor)
{
  g_return_val_if_fail (tensor != NULL, NULL);
  g_return_val_if_fail (tensor->dtype == LRP_DTYPE_FLOAT, NULL);
  return tensor->data;
}

/* Returns: (transfer full): standard normal values (Box–Muller), seeded:
 * inputs for benchmarks and tests. */
LrpTensor *
lrp_tensor_new_random (int rank,
                       const int64_t *shape,
                       guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  LrpTensor *t;

  g_return_val_if_fail (lrp_shape_validate (rank, shape, NULL, NULL), NULL);
  t = lrp_tensor_new_float (rank, shape);
  for (int64_t i = 0; i < t->n; i++)
    {
      double u1 = g_rand_double_range (rand, 1e-12, 1.0), u2 = g_rand_double (rand);

      lrp_tensor_f (t)[i] = (float) (sqrt (-2 * log (u1)) * cos (2 * G_PI * u2));
    }
  return t;
}
