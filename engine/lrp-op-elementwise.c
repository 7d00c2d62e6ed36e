/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Elementwise operators: arithmetic with broadcasting, activations, and the
 * identities (Dropout, Identity) of inference.
 */
#define G_LOG_DOMAIN "lrp-op"

#include "config.h"

#include "lrp-ops-private.h"

#include "lrp-exact-private.h"
#include "lrp-parallel-private.h"
#include "lrp-rules-private.h"

#include <math.h>
#include <string.h>

/* ---- Add, Sub, Mul, Div ---------------------------------------------- */

typedef enum { BIN_ADD, BIN_SUB, BIN_MUL, BIN_DIV } BinaryKind;

typedef struct
{
  BinaryKind kind;
  gboolean legacy;    /* opset < 7 with broadcast=1: B aligned to A at axis */
  int64_t axis;
} BinaryParams;

static BinaryKind
binary_kind (const char *op_type)
{
  if (g_str_equal (op_type, "Add"))
    return BIN_ADD;
  if (g_str_equal (op_type, "Sub"))
    return BIN_SUB;
  if (g_str_equal (op_type, "Mul"))
    return BIN_MUL;
  return BIN_DIV;
}

static gboolean
binary_setup (LrpNode *node,
              const LrpAttrs *attrs,
              GError **error)
{
  BinaryParams *p = g_new0 (BinaryParams, 1);
  int64_t broadcast;

  node->params = p;
  node->free_params = g_free;
  p->kind = binary_kind (node->op_type);
  if (!lrp_attrs_get_int (attrs, "broadcast", 0, &broadcast, error)
      || !lrp_attrs_get_int (attrs, "axis", G_MININT64, &p->axis, error))
    return FALSE;
  p->legacy = node->opset < 7 && broadcast != 0;
  return TRUE;
}

/* The shape B has for broadcasting: under legacy rules it is padded with
 * ones so that it lines up with A at axis. */
static void
legacy_b_shape (const BinaryParams *p,
                const LrpTensor *a,
                const LrpTensor *b,
                LrpTensor *view)
{
  int64_t axis = p->axis == G_MININT64 ? a->rank - b->rank : p->axis;
  int rank = 0;

  if (axis < 0)
    axis += a->rank;
  *view = *b;
  for (int i = 0; i < axis && rank < LRP_MAX_RANK; i++)
    view->shape[rank++] = 1;
  for (int i = 0; i < b->rank && rank < LRP_MAX_RANK; i++)
    view->shape[rank++] = b->shape[i];
  while (rank < a->rank)
    view->shape[rank++] = 1;
  view->rank = rank;
}

static gboolean
binary_operands (const LrpNode *node,
                 LrpTensor *const *in,
                 LrpTensor *b_view,
                 GError **error)
{
  const BinaryParams *p = node->params;

  if (in[0] == NULL || in[1] == NULL)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_FAILED, node, "needs two inputs");
      return FALSE;
    }
  if (in[0]->dtype != in[1]->dtype)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_UNSUPPORTED, node, "inputs are %s and %s",
                      lrp_dtype_name (in[0]->dtype), lrp_dtype_name (in[1]->dtype));
      return FALSE;
    }
  if (p->legacy)
    {
      if (in[1]->rank > in[0]->rank)
        {
          lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node,
                          "legacy broadcast needs B no larger than A");
          return FALSE;
        }
      legacy_b_shape (p, in[0], in[1], b_view);
    }
  else
    *b_view = *in[1];
  return TRUE;
}

static gboolean
binary_infer (LrpNode *node,
              LrpTensor *const *in,
              LrpTensor **out,
              GError **error)
{
  LrpTensor b;
  int64_t shape[LRP_MAX_RANK];
  int rank;

  if (!binary_operands (node, in, &b, error)
      || !lrp_broadcast_shapes (node, in[0], &b, &rank, shape, error))
    return FALSE;
  out[0] = lrp_tensor_new_meta (in[0]->dtype, rank, shape);
  return TRUE;
}

/* Element strides of @t viewed at @rank dims of @shape (0 where broadcast). */
static void
broadcast_strides (const LrpTensor *t,
                   int rank,
                   const int64_t *shape,
                   int64_t *strides)
{
  int64_t s = 1;

  for (int i = rank - 1; i >= 0; i--)
    {
      int ti = i - (rank - t->rank);
      int64_t dim = ti >= 0 ? t->shape[ti] : 1;

      strides[i] = dim == 1 && shape[i] != 1 ? 0 : s;
      s *= dim;
    }
}

typedef struct
{
  BinaryKind kind;
  const float *a, *b;
  float *y;
} BinaryJob;

static void
binary_range (int64_t begin,
              int64_t end,
              gpointer data)
{
  const BinaryJob *j = data;

  switch (j->kind)
    {
    case BIN_ADD:
      for (int64_t i = begin; i < end; i++)
        j->y[i] = j->a[i] + j->b[i];
      break;
    case BIN_SUB:
      for (int64_t i = begin; i < end; i++)
        j->y[i] = j->a[i] - j->b[i];
      break;
    case BIN_MUL:
      for (int64_t i = begin; i < end; i++)
        j->y[i] = j->a[i] * j->b[i];
      break;
    default:
      for (int64_t i = begin; i < end; i++)
        j->y[i] = j->a[i] / j->b[i];
      break;
    }
}

static gboolean
binary_forward (const LrpNode *node,
                LrpTensor *const *in,
                LrpTensor *const *out,
                GCancellable *cancellable,
                GError **error)
{
  const BinaryParams *p = node->params;
  LrpTensor *o = out[0];
  LrpTensor b;
  int64_t sa[LRP_MAX_RANK], sb[LRP_MAX_RANK], idx[LRP_MAX_RANK] = { 0 };
  int64_t oa = 0, ob = 0;

  if (!binary_operands (node, in, &b, error))
    return FALSE;
  if (o->dtype == LRP_DTYPE_FLOAT && in[0]->n == o->n && in[1]->n == o->n)
    {
      /* Same shapes (residual sums): one flat loop, on every core. */
      BinaryJob job = { p->kind, lrp_tensor_f (in[0]), lrp_tensor_f (in[1]), lrp_tensor_f (o) };

      lrp_parallel_for (o->n, 1 << 16, binary_range, &job);
      return TRUE;
    }
  broadcast_strides (in[0], o->rank, o->shape, sa);
  broadcast_strides (&b, o->rank, o->shape, sb);

  for (int64_t i = 0; i < o->n; i++)
    {
      if (o->dtype == LRP_DTYPE_FLOAT)
        {
          float x = lrp_tensor_f (in[0])[oa], y = lrp_tensor_f (in[1])[ob], r;

          switch (p->kind)
            {
            case BIN_ADD: r = x + y; break;
            case BIN_SUB: r = x - y; break;
            case BIN_MUL: r = x * y; break;
            default: r = x / y; break;
            }
          lrp_tensor_f (o)[i] = r;
        }
      else
        {
          /* Shape arithmetic: exact, and a hostile file's overflow is an error. */
          int64_t x = lrp_tensor_i64 (in[0])[oa], y = lrp_tensor_i64 (in[1])[ob], r = 0;
          gboolean over;

          if (p->kind == BIN_DIV && y == 0)
            {
              lrp_node_error (error, LRP_MODEL_ERROR_FAILED, node, "integer division by zero");
              return FALSE;
            }
          switch (p->kind)
            {
            case BIN_ADD: over = __builtin_add_overflow (x, y, &r); break;
            case BIN_SUB: over = __builtin_sub_overflow (x, y, &r); break;
            case BIN_MUL: over = __builtin_mul_overflow (x, y, &r); break;
            default: over = y == -1 && x == G_MININT64; r = over ? 0 : x / y; break;
            }
          if (over)
            {
              lrp_node_error (error, LRP_MODEL_ERROR_FAILED, node,
                              "the integer result overflows");
              return FALSE;
            }
          lrp_tensor_i64 (o)[i] = r;
        }
      /* Advance the multi-index and both offsets. */
      for (int d = o->rank - 1; d >= 0; d--)
        {
          idx[d]++;
          oa += sa[d];
          ob += sb[d];
          if (idx[d] < o->shape[d])
            break;
          oa -= sa[d] * idx[d];
          ob -= sb[d] * idx[d];
          idx[d] = 0;
        }
      if ((i & 0xfffff) == 0xfffff && lrp_cancelled (cancellable, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
refuse_rule (const LrpNode *node,
             const LrpBackwardCtx *ctx,
             GError **error)
{
  g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES,
               "node “%s” (%s) cannot take the %s rule", node->name, node->op_type,
               lrp_rule_kind_name (ctx->rule.kind));
  return FALSE;
}

/* What each operand receives of one output element's relevance r. */
static void
binary_share (const BinaryParams *p,
              const LrpBackwardCtx *ctx,
              gboolean gradient,
              float a,
              float b,
              float z,
              float r,
              float *ra,
              float *rb)
{
  if (gradient)
    {
      switch (p->kind)
        {
        case BIN_ADD: *ra = r; *rb = r; break;
        case BIN_SUB: *ra = r; *rb = -r; break;
        case BIN_MUL: *ra = r * b; *rb = r * a; break;
        default: *ra = r / b; *rb = -r * a / (b * b); break;
        }
    }
  else if (ctx->rule.kind == LRP_RULE_NORM)
    {
      /* Proportional split of a residual sum (§4, §10): a·R/z and ±b·R/z. */
      float q = r / lrp_stabilize (z, ctx->rule.stabilizer);

      *ra = a * q;
      *rb = (p->kind == BIN_SUB ? -b : b) * q;
    }
  else
    {
      *ra = r;
      *rb = r;
    }
}

/* Add/Sub/Mul/Div.  With a constant operand LRP passes relevance to the
 * other (§10); Add and Sub of two activations split it in proportion (Norm,
 * the default); the gradient is the gradient. */
static gboolean
binary_backward (const LrpNode *node,
                 const LrpBackwardCtx *ctx,
                 LrpTensor *const *in,
                 LrpTensor *const *out,
                 LrpTensor *const *r_out,
                 LrpTensor *const *r_in,
                 GError **error)
{
  const BinaryParams *p = node->params;
  const LrpTensor *o = out[0];
  gboolean gradient = ctx->mode == LRP_BACKWARD_GRADIENT || ctx->rule.kind == LRP_RULE_GRADIENT;
  gboolean two = r_in[0] != NULL && r_in[1] != NULL;
  int64_t sa[LRP_MAX_RANK], sb[LRP_MAX_RANK], idx[LRP_MAX_RANK] = { 0 };
  int64_t oa = 0, ob = 0;
  LrpTensor b;

  if (r_out[0] == NULL || (r_in[0] == NULL && r_in[1] == NULL))
    return TRUE;
  if (!gradient)
    {
      LrpRuleKind k = ctx->rule.kind;

      if (k != LRP_RULE_PASS && k != LRP_RULE_NORM)
        return refuse_rule (node, ctx, error);
      if (two && (p->kind == BIN_MUL || p->kind == BIN_DIV))
        {
          g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_UNEXPLAINABLE,
                       "node “%s” (%s) multiplies two activations; LRP has no rule for that",
                       node->name, node->op_type);
          return FALSE;
        }
      if (!two)
        gradient = FALSE;
    }
  if (!binary_operands (node, in, &b, error))
    return FALSE;
  broadcast_strides (in[0], o->rank, o->shape, sa);
  broadcast_strides (&b, o->rank, o->shape, sb);

  for (int64_t i = 0; i < o->n; i++)
    {
      float av = lrp_tensor_f (in[0])[oa], bv = lrp_tensor_f (in[1])[ob];
      float ra, rb;

      if (!gradient && !two)
        ra = rb = lrp_tensor_f (r_out[0])[i];     /* pass to the activation */
      else
        binary_share (p, ctx, gradient, av, bv, lrp_tensor_f (o)[i],
                      lrp_tensor_f (r_out[0])[i], &ra, &rb);
      if (r_in[0])
        lrp_tensor_f (r_in[0])[oa] += ra;
      if (r_in[1])
        lrp_tensor_f (r_in[1])[ob] += rb;
      for (int d = o->rank - 1; d >= 0; d--)
        {
          idx[d]++;
          oa += sa[d];
          ob += sb[d];
          if (idx[d] < o->shape[d])
            break;
          oa -= sa[d] * idx[d];
          ob -= sb[d] * idx[d];
          idx[d] = 0;
        }
    }
  return TRUE;
}

static const char *const binary_attrs[] = { "broadcast", "axis", "consumed_inputs", NULL };

#define BINARY_OP(NAME) \
  { .op_type = NAME, .attrs = binary_attrs, .min_inputs = 2, .max_inputs = 2, \
    .min_outputs = 1, .max_outputs = 1, .setup = binary_setup, .infer = binary_infer, \
    .forward = binary_forward, .backward = binary_backward, .default_rule = LRP_RULE_NORM, \
    .fills_output = TRUE }

static const LrpOpClass add_op = BINARY_OP ("Add");
static const LrpOpClass sub_op = BINARY_OP ("Sub");
static const LrpOpClass mul_op = BINARY_OP ("Mul");
static const LrpOpClass div_op = BINARY_OP ("Div");

/* ---- Activations -------------------------------------------------------- */

typedef enum { ACT_RELU, ACT_LEAKY, ACT_CLIP, ACT_SIGMOID, ACT_TANH, ACT_IDENTITY } ActKind;

typedef struct
{
  ActKind kind;
  float alpha;        /* LeakyRelu */
  float lo, hi;       /* Clip (attributes, opset < 11) */
} ActParams;

static gboolean
act_setup (LrpNode *node,
           const LrpAttrs *attrs,
           GError **error)
{
  ActParams *p = g_new0 (ActParams, 1);
  double alpha, lo, hi;

  node->params = p;
  node->free_params = g_free;
  if (g_str_equal (node->op_type, "Relu"))
    p->kind = ACT_RELU;
  else if (g_str_equal (node->op_type, "LeakyRelu"))
    p->kind = ACT_LEAKY;
  else if (g_str_equal (node->op_type, "Clip"))
    p->kind = ACT_CLIP;
  else if (g_str_equal (node->op_type, "Sigmoid"))
    p->kind = ACT_SIGMOID;
  else if (g_str_equal (node->op_type, "Tanh"))
    p->kind = ACT_TANH;
  else
    p->kind = ACT_IDENTITY;

  if (!lrp_attrs_get_float (attrs, "alpha", 0.01, &alpha, error)
      || !lrp_attrs_get_float (attrs, "min", -INFINITY, &lo, error)
      || !lrp_attrs_get_float (attrs, "max", INFINITY, &hi, error))
    return FALSE;
  p->alpha = (float) alpha;
  p->lo = (float) lo;
  p->hi = (float) hi;
  if (p->kind == ACT_IDENTITY && node->n_outputs > 1 && g_str_equal (node->op_type, "Dropout"))
    {
      /* The mask output is boolean; nothing in inference reads it. */
      lrp_node_error (error, LRP_MODEL_ERROR_UNSUPPORTED, node, "the mask output is not supported");
      return FALSE;
    }
  return TRUE;
}

static gboolean
act_infer (LrpNode *node,
           LrpTensor *const *in,
           LrpTensor **out,
           GError **error)
{
  const ActParams *p = node->params;

  if (in[0] == NULL)
    {
      lrp_node_error (error, LRP_MODEL_ERROR_FAILED, node, "input 0 is missing");
      return FALSE;
    }
  if (p->kind != ACT_IDENTITY && !lrp_check_input (node, in, 0, LRP_DTYPE_FLOAT, -1, error))
    return FALSE;
  if (p->kind == ACT_CLIP)
    for (int i = 1; i < node->n_inputs; i++)
      if (in[i] && (in[i]->n != 1 || in[i]->dtype != LRP_DTYPE_FLOAT))
        {
          lrp_node_error (error, LRP_MODEL_ERROR_SHAPE, node, "min and max must be float scalars");
          return FALSE;
        }
  out[0] = lrp_tensor_new_meta (in[0]->dtype, in[0]->rank, in[0]->shape);
  return TRUE;
}

typedef struct
{
  const ActParams *p;
  const float *x;
  float *y;
  float lo, hi;
} ActJob;

static void
act_range (int64_t begin,
           int64_t end,
           gpointer data)
{
  const ActJob *j = data;
  const float *x = j->x;
  float *y = j->y;
  float lo = j->lo, hi = j->hi, alpha = j->p->alpha;

  switch (j->p->kind)
    {
    case ACT_RELU:
      for (int64_t i = begin; i < end; i++)
        y[i] = x[i] > 0.f ? x[i] : 0.f;
      break;
    case ACT_LEAKY:
      for (int64_t i = begin; i < end; i++)
        y[i] = x[i] >= 0.f ? x[i] : alpha * x[i];
      break;
    case ACT_CLIP:
      for (int64_t i = begin; i < end; i++)
        y[i] = x[i] < lo ? lo : (x[i] > hi ? hi : x[i]);
      break;
    case ACT_SIGMOID:
      for (int64_t i = begin; i < end; i++)
        y[i] = x[i] >= 0.f ? 1.f / (1.f + expf (-x[i])) : expf (x[i]) / (1.f + expf (x[i]));
      break;
    case ACT_TANH:
      for (int64_t i = begin; i < end; i++)
        y[i] = tanhf (x[i]);
      break;
    case ACT_IDENTITY:
      break;
    }
}

static gboolean
act_forward (const LrpNode *node,
             LrpTensor *const *in,
             LrpTensor *const *out,
             GCancellable *cancellable,
             GError **error)
{
  const ActParams *p = node->params;
  ActJob job = { p, lrp_tensor_f (in[0]), lrp_tensor_f (out[0]), p->lo, p->hi };

  (void) cancellable;
  (void) error;
  if (p->kind == ACT_IDENTITY)
    {
      memcpy (out[0]->data, in[0]->data, (size_t) in[0]->n * lrp_dtype_size (in[0]->dtype));
      return TRUE;
    }
  if (p->kind == ACT_CLIP && node->n_inputs > 1 && in[1])
    job.lo = lrp_tensor_f (in[1])[0];
  if (p->kind == ACT_CLIP && node->n_inputs > 2 && in[2])
    job.hi = lrp_tensor_f (in[2])[0];
  lrp_parallel_for (in[0]->n, 1 << 16, act_range, &job);
  return TRUE;
}

/* Activations pass relevance unchanged (Pass, §3); their gradient is the
 * derivative. */
static gboolean
act_backward (const LrpNode *node,
              const LrpBackwardCtx *ctx,
              LrpTensor *const *in,
              LrpTensor *const *out,
              LrpTensor *const *r_out,
              LrpTensor *const *r_in,
              GError **error)
{
  const ActParams *p = node->params;
  gboolean gradient = ctx->mode == LRP_BACKWARD_GRADIENT || ctx->rule.kind == LRP_RULE_GRADIENT;
  const float *x = lrp_tensor_f (in[0]), *y = lrp_tensor_f (out[0]);
  const float *r;
  float *rx;
  float lo = p->lo, hi = p->hi;
  g_autofree float *exact = NULL;

  if (r_out[0] == NULL || r_in[0] == NULL)
    return TRUE;
  if (!gradient && ctx->rule.kind != LRP_RULE_PASS)
    return refuse_rule (node, ctx, error);
  r = lrp_tensor_f (r_out[0]);
  rx = lrp_tensor_f (r_in[0]);
  if (!gradient || p->kind == ACT_IDENTITY)
    {
      for (int64_t i = 0; i < in[0]->n; i++)
        rx[i] += r[i];
      return TRUE;
    }
  if (p->kind == ACT_CLIP)
    {
      if (node->n_inputs > 1 && in[1])
        lo = lrp_tensor_f (in[1])[0];
      if (node->n_inputs > 2 && in[2])
        hi = lrp_tensor_f (in[2])[0];
    }
  /* Gates on inputs closer to zero than float32 resolves open as the
   * exact sign says (lrp-near-ties.c). */
  if ((p->kind == ACT_RELU || p->kind == ACT_LEAKY) && ctx->run != NULL
      && !lrp_exact_fix_near_zero (ctx->run, node->inputs[0], in[0], &exact, ctx->cancellable,
                                   error))
    return FALSE;
  if (exact)
    x = exact;
  for (int64_t i = 0; i < in[0]->n; i++)
    {
      float d;

      switch (p->kind)
        {
        case ACT_RELU: d = x[i] > 0.f ? 1.f : 0.f; break;
        case ACT_LEAKY: d = x[i] >= 0.f ? 1.f : p->alpha; break;
        case ACT_CLIP: d = x[i] > lo && x[i] < hi ? 1.f : 0.f; break;
        case ACT_SIGMOID: d = y[i] * (1.f - y[i]); break;
        case ACT_TANH: d = 1.f - y[i] * y[i]; break;
        default: d = 1.f; break;
        }
      rx[i] += d * r[i];
    }
  return TRUE;
}

#define ACT_OP(NAME, ATTRS, MAXIN, MAXOUT) \
  { .op_type = NAME, .attrs = ATTRS, .min_inputs = 1, .max_inputs = MAXIN, \
    .min_outputs = 1, .max_outputs = MAXOUT, .setup = act_setup, .infer = act_infer, \
    .forward = act_forward, .backward = act_backward, .default_rule = LRP_RULE_PASS, \
    .fills_output = TRUE }

static const char *const no_attrs[] = { "consumed_inputs", NULL };
static const char *const leaky_attrs[] = { "alpha", "consumed_inputs", NULL };
static const char *const clip_attrs[] = { "min", "max", "consumed_inputs", NULL };
static const char *const dropout_attrs[] = { "ratio", "is_test", "seed", NULL };

static const LrpOpClass relu_op = ACT_OP ("Relu", no_attrs, 1, 1);
static const LrpOpClass leaky_op = ACT_OP ("LeakyRelu", leaky_attrs, 1, 1);
static const LrpOpClass clip_op = ACT_OP ("Clip", clip_attrs, 3, 1);
static const LrpOpClass sigmoid_op = ACT_OP ("Sigmoid", no_attrs, 1, 1);
static const LrpOpClass tanh_op = ACT_OP ("Tanh", no_attrs, 1, 1);
static const LrpOpClass dropout_op = ACT_OP ("Dropout", dropout_attrs, 3, 2);
static const LrpOpClass identity_op = ACT_OP ("Identity", no_attrs, 1, 1);

const LrpOpClass *const lrp_ops_elementwise[] = {
  &add_op, &sub_op, &mul_op, &div_op,
  &relu_op, &leaky_op, &clip_op, &sigmoid_op, &tanh_op, &dropout_op, &identity_op,
  NULL,
};
