/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine's graph: values (named tensors), nodes in topological order,
 * and the operator table every node points into.
 */
#pragma once

#include "lrp-tensor-private.h"
#include "lrp-metadata-private.h"

G_BEGIN_DECLS

typedef enum {
  LRP_ATTR_FLOAT,
  LRP_ATTR_INT,
  LRP_ATTR_STRING,
  LRP_ATTR_TENSOR,
  LRP_ATTR_FLOATS,
  LRP_ATTR_INTS,
  LRP_ATTR_OTHER,   /* graphs, sparse tensors, string lists: never accepted */
} LrpAttrType;

typedef struct
{
  char *name;
  LrpAttrType type;
  double f;
  int64_t i;
  char *s;
  LrpTensor *t;
  int n;            /* FLOATS / INTS */
  float *floats;
  int64_t *ints;
} LrpAttr;

/* The attributes of one node, as read from the file (owned by the importer,
 * only borrowed by an op's setup function). */
typedef struct
{
  const char *node_name;
  const char *op_type;
  int n_attrs;
  LrpAttr *attrs;
} LrpAttrs;

/* Accessors fail with a message naming the node when the attribute has the
 * wrong type; an absent attribute gives the default. */
gboolean lrp_attrs_get_int (const LrpAttrs *a, const char *name, int64_t def, int64_t *out,
                            GError **error);
gboolean lrp_attrs_get_float (const LrpAttrs *a, const char *name, double def, double *out,
                              GError **error);
gboolean lrp_attrs_get_ints (const LrpAttrs *a, const char *name, int *n, const int64_t **out,
                             GError **error);
gboolean lrp_attrs_get_floats (const LrpAttrs *a, const char *name, int *n, const float **out,
                               GError **error);
const char *lrp_attrs_get_string (const LrpAttrs *a, const char *name);
LrpTensor *lrp_attrs_get_tensor (const LrpAttrs *a, const char *name);
gboolean lrp_attrs_has (const LrpAttrs *a, const char *name);

/* Inputs or outputs of one node at most (DenseNet's Concats read dozens). */
#define LRP_MAX_NODE_IO 256

typedef struct _LrpNode LrpNode;
typedef struct _LrpBackwardCtx LrpBackwardCtx;   /* lrp-rules-private.h */

typedef struct
{
  const char *op_type;
  /* NULL-terminated list of the attributes the op understands; any other
   * attribute is refused at load, naming it and the node. */
  const char *const *attrs;
  int min_inputs, max_inputs;
  int min_outputs, max_outputs;

  /* Reads and checks the attributes into node->params.  May be NULL. */
  gboolean (*setup) (LrpNode *node, const LrpAttrs *attrs, GError **error);
  /* Computes the output tensors' dtype and shape from the inputs.  An input
   * is "meta" (data == NULL) unless it is a constant.  Outputs are returned
   * as meta tensors, or with data when the op can tell their value (Shape). */
  gboolean (*infer) (LrpNode *node, LrpTensor *const *in, LrpTensor **out, GError **error);
  /* Computes outputs (allocated with the inferred shapes) from inputs. */
  gboolean (*forward) (const LrpNode *node, LrpTensor *const *in, LrpTensor *const *out,
                       GCancellable *cancellable, GError **error);
  /* Relevance (LRP mode) or gradient (gradient mode) from outputs to inputs.
   * r_out[k] is the relevance of output k, or NULL when none reached it
   * (read it as zeros); r_in[i] is a zeroed tensor shaped like input i to
   * ADD into, or NULL when input i needs none (constants, integer inputs).
   * NULL: the op cannot be explained (refused when an explanation is planned). */
  gboolean (*backward) (const LrpNode *node, const LrpBackwardCtx *ctx, LrpTensor *const *in,
                        LrpTensor *const *out, LrpTensor *const *r_out, LrpTensor *const *r_in,
                        GError **error);
  /* The rule LRP gives this op when no composite entry names it (§3, §10 of
   * lrp-rules.md): LRP_RULE_PASS for activations, NORM for average pooling
   * and residual Add, GRADIENT (the zero value) for data movement. */
  int default_rule;
  /* forward writes every output element: a reused buffer needs no zeroing */
  gboolean fills_output;
} LrpOpClass;

struct _LrpNode
{
  char *name;                  /* owned; never empty (generated when absent) */
  char *op_type;               /* owned */
  const LrpOpClass *klass;     /* borrowed, static */
  int opset;                   /* of the default domain */
  int n_inputs;
  int *inputs;                 /* owned; value ids, -1 for an absent optional input */
  int n_outputs;
  int *outputs;                /* owned; value ids, -1 for an unused optional output */
  gpointer params;             /* owned, freed with free_params */
  GDestroyNotify free_params;
};

typedef struct
{
  char *name;                  /* owned */
  LrpTensor *tensor;           /* owned; meta, or with data when constant */
  int producer;                /* index into nodes, -1 for inputs and constants */
  gboolean is_input;
} LrpValue;

/* Forward-pass fusion of a Conv and the BatchNormalization after it
 * (lrp-fuse.c).  Per node: for a fused Conv, the BatchNorm's index and the
 * merged weights; for that BatchNorm, the Conv's index. */
typedef struct
{
  int bn;                      /* Conv: the BatchNorm it computes, or -1 */
  int conv;                    /* BatchNorm: the Conv computing it, or -1 */
  LrpTensor *weight;           /* owned; merged, for the Conv */
  LrpTensor *bias;             /* owned */
} LrpFusion;

struct _LrpModel
{
  gint ref_count;
  char *display_name;          /* owned: the file's basename */
  int opset;

  int n_values;
  LrpValue *values;            /* owned */
  int n_nodes;
  LrpNode *nodes;              /* owned; topological order, constants folded away */
  int n_inputs;
  int *inputs;                 /* owned; value ids of the runtime inputs */
  int n_outputs;
  int *outputs;                /* owned; value ids */
  GPtrArray *folded;           /* owned; char*: "name (Op)" of each folded node */
  LrpFusion *fusions;          /* owned; one per node */
  LrpMetadata *meta;           /* owned */
  double macs;                 /* multiply-adds of a forward pass (Conv, Gemm, MatMul) */
};

const LrpOpClass *lrp_op_lookup (const char *op_type);
const char *const *lrp_op_list (void);

/* Sets a LRP_MODEL_ERROR that names the node and its op type. */
void lrp_node_error (GError **error, int code, const LrpNode *node, const char *format, ...)
  G_GNUC_PRINTF (4, 5);

/* Builds a model from parsed pieces: see lrp-graph.c. */
typedef struct
{
  char *name;
  LrpTensor *tensor;           /* meta for inputs, data for initializers */
} LrpGraphTensor;

typedef struct
{
  char *name;
  char *op_type;
  char *domain;
  int n_inputs;
  char **inputs;
  int n_outputs;
  char **outputs;
  LrpAttrs attrs;
} LrpGraphNode;

LrpModel *lrp_graph_build (const char *display_name, int opset, GPtrArray *inputs,
                           GPtrArray *initializers, GPtrArray *nodes, GStrv outputs,
                           GCancellable *cancellable, GError **error);
LrpModel *lrp_graph_build_bounded (const char *display_name, int opset, GPtrArray *inputs,
                                   GPtrArray *initializers, GPtrArray *nodes, GStrv outputs,
                                   int64_t fold_budget, GCancellable *cancellable,
                                   GError **error);
void lrp_model_set_metadata (LrpModel *model, LrpMetadata *meta);
int lrp_model_find_value (const LrpModel *model, const char *name);
void lrp_attrs_clear (LrpAttrs *attrs);

void lrp_model_fuse (LrpModel *model);
/* Too little work in a pass to split it over the cores (lrp_parallel_serial_begin). */
gboolean lrp_model_is_small (const LrpModel *model);

/* Value @v (-1: absent) is a constant known at load: no producer, not an
 * input, with data. */
static inline gboolean
lrp_value_is_constant (const LrpModel *model,
                       int v)
{
  return v >= 0 && model->values[v].producer < 0 && !model->values[v].is_input
         && model->values[v].tensor->data != NULL;
}
void lrp_model_free_fusions (LrpModel *model);
/* Fused Conv @n: writes the BatchNorm's output, drops the Conv's. */
gboolean lrp_node_forward_fused (const LrpModel *model, int n, LrpTensor **acts,
                                 GCancellable *cancellable, GError **error);
/* An output buffer for @meta: @previous reused when it fits, else new. */
LrpTensor *lrp_reusable_output (const LrpOpClass *klass, const LrpTensor *meta,
                                LrpTensor *previous);

/* Runs one node's forward with freshly allocated outputs. */
gboolean lrp_node_forward (const LrpModel *model, const LrpNode *node, LrpTensor **acts,
                           GCancellable *cancellable, GError **error);

G_END_DECLS
