/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lrp-ops"

#include "config.h"

#include "lrp-ops-private.h"
#include "lrp-rules-private.h"

static const LrpOpClass *const *const families[] = {
  lrp_ops_elementwise,
  lrp_ops_conv,
  lrp_ops_pool,
  lrp_ops_norm,
  lrp_ops_shape,
};

const LrpOpClass *
lrp_op_lookup (const char *op_type)
{
  for (gsize f = 0; f < G_N_ELEMENTS (families); f++)
    for (const LrpOpClass *const *k = families[f]; *k; k++)
      if (g_str_equal ((*k)->op_type, op_type))
        return *k;
  return NULL;
}

/* The supported ONNX operator names, sorted; the array is static. */
const char *const *
lrp_op_list (void)
{
  static const char **names = NULL;

  if (g_once_init_enter (&names))
    {
      GPtrArray *list = g_ptr_array_new ();

      for (gsize f = 0; f < G_N_ELEMENTS (families); f++)
        for (const LrpOpClass *const *k = families[f]; *k; k++)
          g_ptr_array_add (list, (gpointer) (*k)->op_type);
      g_ptr_array_sort (list, (GCompareFunc) g_strcmp0);
      g_ptr_array_add (list, NULL);
      g_once_init_leave (&names, (const char **) g_ptr_array_free (list, FALSE));
    }
  return names;
}

void
lrp_node_error (GError **error,
                int code,
                const LrpNode *node,
                const char *format,
                ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, LRP_MODEL_ERROR, code, "node “%s” (%s): %s", node->name, node->op_type,
               message);
}

gboolean
lrp_broadcast_shapes (const LrpNode *node,
                      const LrpTensor *a,
                      const LrpTensor *b,
                      int *rank,
                      int64_t *shape,
                      GError **error)
{
  int r = MAX (a->rank, b->rank);

  for (int i = 0; i < r; i++)
    {
      int ia = i - (r - a->rank), ib = i - (r - b->rank);
      int64_t da = ia >= 0 ? a->shape[ia] : 1;
      int64_t db = ib >= 0 ? b->shape[ib] : 1;

      if (da != db && da != 1 && db != 1)
        {
          g_autofree char *sa = lrp_shape_to_string (a->rank, a->shape);
          g_autofree char *sb = lrp_shape_to_string (b->rank, b->shape);

          lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                          "shapes %s and %s do not broadcast", sa, sb);
          return FALSE;
        }
      shape[i] = da == 1 ? db : da;
    }
  *rank = r;
  return TRUE;
}

gboolean
lrp_check_input (const LrpNode *node,
                 LrpTensor *const *in,
                 int i,
                 LrpDType dtype,
                 int rank,
                 GError **error)
{
  if (i >= node->n_inputs || in[i] == NULL)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_FAILED, node, "input %d is missing", i);
      return FALSE;
    }
  if (in[i]->dtype != dtype)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_UNSUPPORTED, node, "input %d is %s, expected %s",
                      i, lrp_dtype_name (in[i]->dtype), lrp_dtype_name (dtype));
      return FALSE;
    }
  if (rank >= 0 && in[i]->rank != rank)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node, "input %d has rank %d, expected %d",
                      i, in[i]->rank, rank);
      return FALSE;
    }
  return TRUE;
}

gboolean
lrp_check_constant (const LrpNode *node,
                    LrpTensor *const *in,
                    int i,
                    GError **error)
{
  if (i < node->n_inputs && in[i] != NULL && in[i]->data == NULL)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_UNSUPPORTED, node,
                      "input %d must be a constant (lrplens needs shapes known at load)", i);
      return FALSE;
    }
  return TRUE;
}

/* Which of the three @node's rule asks for; BAD_RULES for any other. */
static gboolean
lrp_back_kind (const LrpNode *node,
               const LrpBackwardCtx *ctx,
               const LrpTensor *x,
               const LrpTensor *r,
               LrpBackKind *kind,
               GError **error)
{
  LrpRuleKind k = ctx->rule.kind;

  if (ctx->mode == LRP_BACKWARD_GRADIENT || k == LRP_RULE_GRADIENT)
    *kind = LRP_BACK_GRADIENT;
  else if (k == LRP_RULE_NORM)
    *kind = LRP_BACK_NORM;
  else if (k == LRP_RULE_PASS && x->n == r->n)
    *kind = LRP_BACK_PASS;
  else if (k == LRP_RULE_PASS)
    {
      g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES,
                   "node “%s” (%s) cannot take the pass rule: its input has %" G_GINT64_FORMAT
                   " elements, its output %" G_GINT64_FORMAT, node->name, node->op_type, x->n,
                   r->n);
      return FALSE;
    }
  else
    {
      g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES,
                   "node “%s” (%s) cannot take the %s rule", node->name, node->op_type,
                   lrp_rule_kind_name (k));
      return FALSE;
    }
  return TRUE;
}

/* The seed for @kind (GRADIENT or NORM) from relevance @r and output @y. */
float *
lrp_back_seed (LrpBackKind kind,
               const LrpBackwardCtx *ctx,
               const LrpTensor *r,
               const LrpTensor *y)
{
  float *s = g_new (float, MAX (r->n, 1));

  for (int64_t o = 0; o < r->n; o++)
    s[o] = kind == LRP_BACK_NORM
           ? lrp_tensor_f (r)[o] / lrp_stabilize (lrp_tensor_f (y)[o], ctx->rule.stabilizer)
           : lrp_tensor_f (r)[o];
  return s;
}

static void
lrp_back_pass (const LrpTensor *r,
           LrpTensor *rx)
{
  for (int64_t i = 0; i < rx->n; i++)
    lrp_tensor_f (rx)[i] += lrp_tensor_f (r)[i];
}

gboolean
lrp_back_begin (const LrpNode *node,
                const LrpBackwardCtx *ctx,
                const LrpTensor *x,
                LrpTensor *const *r_out,
                LrpTensor *const *r_in,
                LrpBackKind *kind,
                gboolean *done,
                GError **error)
{
  *done = TRUE;
  if (r_out[0] == NULL || r_in[0] == NULL)
    return TRUE;
  if (!lrp_back_kind (node, ctx, x, r_out[0], kind, error))
    return FALSE;
  if (*kind == LRP_BACK_PASS)
    {
      lrp_back_pass (r_out[0], r_in[0]);
      return TRUE;
    }
  *done = FALSE;
  return TRUE;
}
