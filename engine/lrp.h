/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lrp.h: the one engine header that the application, the UI and UI tests
 * include.  Everything else in engine/ is private.
 */
#pragma once

#include <gio/gio.h>
#include <stdint.h>

G_BEGIN_DECLS

#define LRP_ONNX_ERROR (lrp_onnx_error_quark ())
#define LRP_MODEL_ERROR (lrp_model_error_quark ())
#define LRP_RUN_ERROR (lrp_run_error_quark ())
#define LRP_INPUT_ERROR (lrp_input_error_quark ())

/* The container: the bytes are not an ONNX model we can read. */
typedef enum {
  LRP_ONNX_ERROR_NOT_ONNX,
  LRP_ONNX_ERROR_TRUNCATED,
  LRP_ONNX_ERROR_FAILED,
} LrpOnnxError;

/* The graph: readable, but not something we can compute. */
typedef enum {
  LRP_MODEL_ERROR_UNSUPPORTED, /* operator, attribute or data type we lack */
  LRP_MODEL_ERROR_SHAPE,       /* shapes that do not fit, or are absurd */
  LRP_MODEL_ERROR_FAILED,
} LrpModelError;

typedef enum {
  LRP_RUN_ERROR_BAD_TARGET,
  LRP_RUN_ERROR_FAILED,
} LrpRunError;

/* Input files: images, .npy and .pb tensors. */
typedef enum {
  LRP_INPUT_ERROR_UNREADABLE,
  LRP_INPUT_ERROR_SHAPE,
  LRP_INPUT_ERROR_FAILED,
} LrpInputError;

GQuark lrp_onnx_error_quark (void);
GQuark lrp_model_error_quark (void);
GQuark lrp_run_error_quark (void);
GQuark lrp_input_error_quark (void);

typedef struct _LrpTensor LrpTensor;
typedef struct _LrpModel LrpModel;
typedef struct _LrpRun LrpRun;

void lrp_init (void);

/* Tensors (float32 unless said otherwise) */
LrpTensor *lrp_tensor_ref (LrpTensor *tensor);
void lrp_tensor_unref (LrpTensor *tensor);
int lrp_tensor_get_rank (const LrpTensor *tensor);
const int64_t *lrp_tensor_get_shape (const LrpTensor *tensor);
int64_t lrp_tensor_get_n_elements (const LrpTensor *tensor);
const float *lrp_tensor_get_data (const LrpTensor *tensor);
LrpTensor *lrp_tensor_load (const char *path, GError **error);
gboolean lrp_tensor_save_npy (const LrpTensor *tensor, const char *path, GError **error);

/* Models: immutable after loading, ref-counted, safe to share between threads */
LrpModel *lrp_model_load (const char *path, GCancellable *cancellable, GError **error);
LrpModel *lrp_model_load_bytes (GBytes *bytes, const char *display_name,
                                GCancellable *cancellable, GError **error);
LrpModel *lrp_model_ref (LrpModel *model);
void lrp_model_unref (LrpModel *model);
int lrp_model_get_n_nodes (const LrpModel *model);
const int64_t *lrp_model_get_input_shape (const LrpModel *model, int *rank);
int lrp_model_get_n_classes (const LrpModel *model);
const char *lrp_model_get_label (const LrpModel *model, int class_index);
char *lrp_model_describe (const LrpModel *model);

/* Inputs shaped for a model */
LrpTensor *lrp_model_load_input (const LrpModel *model, const char *path, GError **error);

/* Runs: activations of one input through one model */
LrpRun *lrp_run_new (LrpModel *model);
void lrp_run_free (LrpRun *run);
gboolean lrp_run_forward (LrpRun *run, LrpTensor *input, GCancellable *cancellable,
                          GError **error);
LrpTensor *lrp_run_get_output (LrpRun *run);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LrpTensor, lrp_tensor_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LrpModel, lrp_model_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LrpRun, lrp_run_free)

G_END_DECLS
