/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * LRP rules as small immutable values, and the context a node's backward
 * function gets.  ../shared/lrp-rules.md states each rule exactly as Zennit
 * computes it; comments below refer to its sections.
 */
#pragma once

#include "lrp-graph-private.h"

G_BEGIN_DECLS

typedef enum {
  LRP_RULE_GRADIENT,     /* the plain gradient of the layer */
  LRP_RULE_EPSILON,      /* ε = 0 is LRP-0 */
  LRP_RULE_GAMMA,
  LRP_RULE_ALPHA_BETA,
  LRP_RULE_ZPLUS,
  LRP_RULE_ZBOX,
  LRP_RULE_FLAT,
  LRP_RULE_WSQUARE,
  LRP_RULE_PASS,
  LRP_RULE_NORM,
  LRP_RULE_COUNT,
} LrpRuleKind;

#define LRP_MAX_BOX_CHANNELS 16

typedef struct
{
  LrpRuleKind kind;
  float epsilon;         /* Epsilon's ε */
  float stabilizer;      /* ε of the stabilizer of every other rule (§1) */
  float gamma;
  float alpha, beta;
  int n_box;             /* ZBox bounds: 1 (scalar) or one per input channel */
  float low[LRP_MAX_BOX_CHANNELS], high[LRP_MAX_BOX_CHANNELS];
  gboolean zero_bias;    /* replace the bias by zeros in every pass */
} LrpRule;

/* Defaults as Zennit's (ε = stabilizer = 1e-6, γ = 0.25, α = 2, β = 1). */
LrpRule lrp_rule_default (LrpRuleKind kind);
const char *lrp_rule_kind_name (LrpRuleKind kind);
gboolean lrp_rule_kind_from_name (const char *name, LrpRuleKind *kind);

/* stab(z) = z + ε·(sign(z) + [z = 0]) (§1) */
static inline float
lrp_stabilize (float z,
               float eps)
{
  return z + (z >= 0.f ? eps : -eps);
}

/* A linear layer as the rules see it, after canonization: BatchNorm merged
 * (§4), Gemm's alpha/beta/transB and MatMul+Add folded, and a bias always
 * present (zeros where the graph has none, §9). */
typedef struct
{
  LrpTensor *weight;     /* owned; Conv: [Cout, Cin/g, k...]; dense: [out, in] */
  LrpTensor *bias;       /* owned; [Cout] or [out] */
  int in_value;          /* the layer's input tensor */
  int out_value;         /* tensor whose activation is f(x; W, b): the Conv/Gemm
                            output, or that of the BatchNorm/Add merged into it */
  gboolean is_first;     /* the composite's first layer */
} LrpLinear;

typedef enum {
  LRP_BACKWARD_GRADIENT, /* baselines: every node takes its gradient */
  LRP_BACKWARD_LRP,      /* every node applies ctx->rule */
} LrpBackwardMode;

struct _LrpBackwardCtx
{
  LrpBackwardMode mode;
  LrpRule rule;            /* the node's rule; op defaults filled in by the driver */
  const LrpLinear *linear; /* for Conv/Gemm/MatMul in LRP mode: the canonized layer */
  LrpTensor *const *acts;  /* every activation of the forward pass, by value id */
  LrpRun *run;             /* the run of @acts, or NULL (then MaxPool ties by tolerance) */
  GCancellable *cancellable;
};

G_END_DECLS
