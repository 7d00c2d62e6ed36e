/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Builds small ONNX models in memory (through protobuf-c) for tests: hand
 * computed examples, hostile files, unsupported operators.
 */
#pragma once

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

typedef struct _LrpTestGraph LrpTestGraph;

LrpTestGraph *lrp_test_graph_new (int opset);
void lrp_test_graph_free (LrpTestGraph *g);
void lrp_test_graph_input (LrpTestGraph *g, const char *name, int rank, const int64_t *shape);
void lrp_test_graph_output (LrpTestGraph *g, const char *name);
void lrp_test_graph_initializer (LrpTestGraph *g, const char *name, int rank,
                                 const int64_t *shape, const float *data);
/* Adds a node; inputs and outputs are comma-separated tensor names. */
void lrp_test_graph_node (LrpTestGraph *g, const char *op_type, const char *name,
                          const char *inputs, const char *outputs);
/* Attributes of the node added last. */
void lrp_test_graph_attr_int (LrpTestGraph *g, const char *name, int64_t value);
void lrp_test_graph_attr_float (LrpTestGraph *g, const char *name, float value);
void lrp_test_graph_attr_ints (LrpTestGraph *g, const char *name, int n, const int64_t *values);
void lrp_test_graph_metadata (LrpTestGraph *g, const char *key, const char *value);
GBytes *lrp_test_graph_pack (LrpTestGraph *g);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LrpTestGraph, lrp_test_graph_free)

typedef struct _LrpModel LrpModel;

/* x[1,3,4,4] → Conv(pad 1) → Relu → Conv(pad 1) → Relu → Flatten → Gemm(5)
 * → Relu → Gemm(3), fixed weights, mean/std metadata (0.5; 0.25, 0.5, 1). */
LrpModel *lrp_test_model_small_cnn (void);
GBytes *lrp_test_model_small_cnn_bytes (void);
/* x[1,3] → Gemm(4) → Relu → Gemm(4) → Relu → Gemm(2), fixed weights with
 * both signs, biases of both signs. */
LrpModel *lrp_test_model_mlp (void);

G_END_DECLS
