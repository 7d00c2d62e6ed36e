/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lrp-graph-private.h"

G_BEGIN_DECLS

/* Builds a model from ONNX bytes (transfer full: released as soon as they
 * are parsed, to keep one copy of the weights in memory).  @bind (name → LrpTensor, may be NULL)
 * turns graph inputs into constants, as the conformance tests need for
 * inputs that decide shapes (Reshape's shape, Slice's starts...). */
LrpModel *lrp_onnx_load (GBytes *bytes, const char *display_name, GHashTable *bind,
                         GCancellable *cancellable, GError **error);

/* Reads a serialized TensorProto (.pb test data). */
LrpTensor *lrp_onnx_read_tensor (GBytes *bytes, const char *display_name, char **name_out,
                                 GError **error);

/* protobuf-c's unpacking of a checked ModelProto, in pieces, checking
 * @cancellable while it copies the weights.  NULL with @error set when
 * cancelled (or out of memory); NULL without: protobuf-c cannot read it. */
struct Onnx__ModelProto *lrp_onnx_unpack_model (const guint8 *data, gsize len,
                                                GCancellable *cancellable, GError **error);

/* Walks the protobuf wire format without recursion, checking nesting depth
 * and lengths before protobuf-c (which recurses) sees the bytes. */
gboolean lrp_onnx_wire_check (const guint8 *data, gsize len, gconstpointer descriptor,
                              const char *display_name, GError **error);

G_END_DECLS
