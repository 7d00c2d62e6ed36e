/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lrp.h: the one engine header that the application, the UI and UI tests
 * include.  Everything else in engine/ is private.
 */
#pragma once

#include <cairo.h>
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
  LRP_RUN_ERROR_BAD_TARGET,    /* class, layer, channel or neuron out of range */
  LRP_RUN_ERROR_BAD_RULES,     /* composite, rule map or parameter we cannot use */
  LRP_RUN_ERROR_UNEXPLAINABLE, /* an operator LRP cannot pass relevance through */
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

/* Process-wide set-up, once, before anything else.  Note for programs that
 * use OpenBLAS themselves: the engine sets it single-threaded (its own
 * threads split the products), and that setting is the process's. */
void lrp_init (void);

/* Tensors (float32 unless said otherwise) */
LrpTensor *lrp_tensor_ref (LrpTensor *tensor);
void lrp_tensor_unref (LrpTensor *tensor);
int lrp_tensor_get_rank (const LrpTensor *tensor);
const int64_t *lrp_tensor_get_shape (const LrpTensor *tensor);
int64_t lrp_tensor_get_n_elements (const LrpTensor *tensor);
const float *lrp_tensor_get_data (const LrpTensor *tensor);
LrpTensor *lrp_tensor_load (const char *path, GError **error);
LrpTensor *lrp_tensor_new_random (int rank, const int64_t *shape, guint32 seed);
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
gboolean lrp_model_get_output_is_softmax (const LrpModel *model);
gboolean lrp_model_check_explainable (const LrpModel *model, GError **error);
char *lrp_model_describe (const LrpModel *model);

/* Inputs shaped for a model */
LrpTensor *lrp_model_load_input (const LrpModel *model, const char *path, GError **error);

/* Runs: activations of one input through one model */
LrpRun *lrp_run_new (LrpModel *model);
void lrp_run_free (LrpRun *run);
gboolean lrp_run_forward (LrpRun *run, LrpTensor *input, GCancellable *cancellable,
                          GError **error);
LrpTensor *lrp_run_get_output (LrpRun *run);

/* Composites and rule maps: a built-in name ("epsilon_plus"), a compact map
 * ("epsilon_plus;conv=gamma(gamma=0.5)") or JSON; see lrp-composite.c. */
typedef struct _LrpComposite LrpComposite;

LrpComposite *lrp_composite_parse (const char *spec, GError **error);
gboolean lrp_composite_set_param (LrpComposite *composite, const char *name, const char *value,
                                  GError **error);
const char *lrp_composite_get_name (const LrpComposite *composite);
const char *const *lrp_composite_list_builtin (const char *const **descriptions);
LrpComposite *lrp_composite_copy (const LrpComposite *composite);
void lrp_composite_free (LrpComposite *composite);

/* Sets one layer's rule, e.g. ("conv1", "gamma(gamma=0.5)"): an entry for that
 * name appended last (so it wins), replacing an earlier entry set this way for
 * the same name (a dragged slider does not grow the map).  NULL or "" removes
 * it (the layer goes back to what the rest of the map gives it).  Bad rule
 * text: FALSE and LRP_RUN_ERROR_BAD_RULES, the composite unchanged.  The name
 * is a name: entry, so * and ? in it would match as a glob. */
gboolean lrp_composite_set_layer_rule (LrpComposite *composite, const char *layer,
                                       const char *rule_text, GError **error);
/* Returns: (transfer full): the map as JSON, which lrp_composite_parse reads
 * back into the same rule for every layer. */
char *lrp_composite_to_json (const LrpComposite *composite);
/* Every name and position entry selects at least one layer of @model; else
 * FALSE and LRP_RUN_ERROR_BAD_RULES naming the entry (1-based) and its text. */
gboolean lrp_composite_check_model (const LrpComposite *composite, const LrpModel *model,
                                    GError **error);

/* One node of a model in graph order, with the rule a composite gives it. */
#define LRP_LAYER_MAX_RANK 8
#define LRP_LAYER_MAX_BOX 16

typedef struct
{
  char *name;                  /* node name */
  char *op_type;               /* "Conv", "Gemm", "Relu", ... */
  char *input;                 /* first input tensor: where the relevance it passes lands */
  char *output;                /* first output tensor: the relevance that reaches it */
  int rank;
  int64_t shape[LRP_LAYER_MAX_RANK]; /* of the output */
  int linear_index;            /* among Conv/dense layers (#N of rule maps), or -1 */
  char *rule;                  /* "epsilon", "gamma", "alpha_beta", "zplus", "zbox", "flat",
                                  "wsquare", "gradient", "pass", "norm" */
  char *rule_text;             /* "gamma(gamma=0.25)": lrp_composite_set_layer_rule reads it */
  double epsilon, gamma, alpha, beta, stabilizer;
  int n_box;                   /* zbox: 1 bound, or one per input channel */
  double low[LRP_LAYER_MAX_BOX], high[LRP_LAYER_MAX_BOX];
  gboolean zero_bias;
  gboolean overridden;         /* the map gives it another rule than its preset would */
} LrpLayer;

void lrp_layer_free (LrpLayer *layer);
/* Returns: (element-type LrpLayer) (transfer full): every node of @model. */
GPtrArray *lrp_composite_list_layers (const LrpComposite *composite, const LrpModel *model,
                                      GError **error);

/* What to explain.  LRP_TARGET_INIT: the predicted class, from its logit. */
typedef enum {
  LRP_START_LOGIT,             /* relevance starts as the output value */
  LRP_START_ONE,               /* relevance starts as 1 */
} LrpStart;

typedef struct
{
  int class_index;             /* -1: the predicted class */
  int contrast_class;          /* -1: none; else class_index minus this class */
  LrpStart start;
  const char *layer;           /* NULL: the output; else a tensor name to start from */
  int channel;                 /* with layer: -1 = every channel */
  int64_t neuron;              /* with layer: -1, or a flat index into the tensor */
} LrpTarget;

#define LRP_TARGET_INIT { -1, -1, LRP_START_LOGIT, NULL, -1, -1 }

typedef enum {
  LRP_BASELINE_GRADIENT,
  LRP_BASELINE_GRADIENT_X_INPUT,
  LRP_BASELINE_SMOOTHGRAD,
  LRP_BASELINE_INTEGRATED_GRADIENTS,
} LrpBaseline;

/* One input through one model: forward activations cached, relevance kept
 * at every tensor; a new rule or class recomputes only what it must. */
typedef struct _LrpExplainer LrpExplainer;

LrpExplainer *lrp_explainer_new (LrpModel *model, LrpTensor *input, GCancellable *cancellable,
                                 GError **error);
void lrp_explainer_free (LrpExplainer *explainer);
gboolean lrp_explainer_explain (LrpExplainer *explainer, const LrpComposite *composite,
                                const LrpTarget *target, GCancellable *cancellable,
                                GError **error);
gboolean lrp_explainer_baseline (LrpExplainer *explainer, LrpBaseline baseline,
                                 const LrpTarget *target, int samples, float noise,
                                 GCancellable *cancellable, GError **error);
int lrp_explainer_get_class (const LrpExplainer *explainer);
/* (transfer none) Relevance at @tensor (NULL: the input); NULL where none arrived, and for
 * every tensor after a failed or cancelled explain or baseline call until one succeeds. */
LrpTensor *lrp_explainer_get_relevance (const LrpExplainer *explainer, const char *tensor);
GStrv lrp_explainer_list_tensors (const LrpExplainer *explainer);
char *lrp_explainer_describe (const LrpExplainer *explainer);
/* Returns: (transfer none): the scores explanations start from (the logits:
 * the input of a final Softmax), [1, n_classes]. */
LrpTensor *lrp_explainer_get_logits (const LrpExplainer *explainer);

/* Called from the thread running an explain or baseline call after each node
 * of a relevance pass (and of a forward pass), with the node's index (graph
 * order), its name and the share of the call done, 0..1. */
typedef void (*LrpProgressFunc) (int node, const char *name, double fraction,
                                 gpointer user_data);
void lrp_explainer_set_progress (LrpExplainer *explainer, LrpProgressFunc func,
                                 gpointer user_data);

/* Colormaps: Zennit's (zennit/image.py), by name: gray, wred, wblue, hot, cold, coldnhot,
 * bwr (the default), france, seismic, coolio, coleus.  256 entries interpolated linearly
 * between the colour stops, as Zennit's palettes. */
const char *const *lrp_colormap_list (void);          /* NULL-terminated, static; "bwr" first */
gboolean lrp_colormap_is_valid (const char *name);

/* How relevance becomes colour.  Symmetric: R / s from [−1, 1] onto the colormap, 0 at its
 * centre (index 0x80); absolute: |R| / s from [0, 1] onto the whole colormap.  s is the
 * @clip percentile of |R| (0 < clip <= 100), so that a few hot pixels do not wash out the
 * rest; larger values take the end colour. */
typedef enum {
  LRP_NORM_SYMMETRIC,
  LRP_NORM_ABSOLUTE,
} LrpNormalization;

typedef struct
{
  const char *colormap;        /* NULL: "bwr" */
  LrpNormalization normalization;
  double clip;                 /* percentile of |R| that is full colour; 99 by default */
} LrpRenderOptions;

#define LRP_RENDER_OPTIONS_INIT { NULL, LRP_NORM_SYMMETRIC, 99.0 }

/* The input relevance as a plane: the channel sum, H × W, with sorted |R| precomputed so
 * that re-colouring is instant.  Immutable and ref-counted: safe to share between threads. */
typedef struct _LrpHeatmap LrpHeatmap;

/* @relevance: [1, C, H, W] or [C, H, W]; anything else: NULL + LRP_RUN_ERROR_FAILED. */
LrpHeatmap *lrp_heatmap_new (const LrpTensor *relevance, GError **error);
LrpHeatmap *lrp_heatmap_ref (LrpHeatmap *heatmap);
void lrp_heatmap_unref (LrpHeatmap *heatmap);
int lrp_heatmap_get_width (const LrpHeatmap *heatmap);
int lrp_heatmap_get_height (const LrpHeatmap *heatmap);
float lrp_heatmap_get_value (const LrpHeatmap *heatmap, int x, int y);  /* 0 outside */
double lrp_heatmap_get_sum (const LrpHeatmap *heatmap);
/* The values the colours span under @options (NULL: defaults): [−s, s] symmetric, [0, s]
 * absolute; s is the clip percentile of |R|, the maximum if that is 0, 1 if all is 0. */
void lrp_heatmap_get_range (const LrpHeatmap *heatmap, const LrpRenderOptions *options,
                            double *low, double *high);
/* Opaque ARGB32 image surfaces of width × height, one pixel per input pixel (enlarge them
 * with CAIRO_FILTER_NEAREST).  Pure: any thread, any number of times.  The overlay draws the
 * heatmap over @image greyed (the model's view; any format, scaled if its size differs);
 * @opacity 0..1 weighs the heatmap: 1 as the command line's --overlay, 0 the image alone. */
cairo_surface_t *lrp_heatmap_render (const LrpHeatmap *heatmap, const LrpRenderOptions *options);
cairo_surface_t *lrp_heatmap_render_overlay (const LrpHeatmap *heatmap, cairo_surface_t *image,
                                             const LrpRenderOptions *options, double opacity);
/* A horizontal bar of @colormap (NULL: "bwr"), low on the left; 256 wide: one entry a pixel. */
cairo_surface_t *lrp_colormap_render_bar (const char *colormap, int width, int height);

/* The input as the model sees it (after its resize and crop; RGB even for gray models; a
 * .npy or .pb input through the model's mean and std back to pixels): an RGB24 image
 * surface of the input's H × W, or NULL + LRP_INPUT_ERROR. */
cairo_surface_t *lrp_model_load_view (const LrpModel *model, const char *path, GError **error);

/* Export for slides and papers: the heatmap, the overlay (with @image, the model's view) or
 * the colour bar with its low, middle and high values, as PNG, PDF or SVG.  Vector where it
 * can be (the bar and its labels); the maps are images drawn with NEAREST filtering.
 * @scale enlarges them pixel for pixel (>= 1; 0: small inputs up to at least 256 px). */
typedef enum {
  LRP_EXPORT_HEATMAP,
  LRP_EXPORT_OVERLAY,
  LRP_EXPORT_COLORBAR,
} LrpExportKind;

typedef enum {
  LRP_EXPORT_PNG,
  LRP_EXPORT_PDF,
  LRP_EXPORT_SVG,
} LrpExportFormat;

/* "png", "pdf", "svg" (any case) or a path ending in one of them. */
gboolean lrp_export_format_from_name (const char *name_or_path, LrpExportFormat *format);
/* @image: for LRP_EXPORT_OVERLAY, else may be NULL.  Errors: G_FILE_ERROR (the file),
 * G_IO_ERROR_INVALID_ARGUMENT (colormap, clip, missing image); no file is left behind. */
gboolean lrp_heatmap_export (const LrpHeatmap *heatmap, cairo_surface_t *image,
                             const LrpRenderOptions *options, double opacity, LrpExportKind kind,
                             LrpExportFormat format, int scale, const char *path,
                             GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LrpTensor, lrp_tensor_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LrpModel, lrp_model_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LrpRun, lrp_run_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LrpComposite, lrp_composite_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LrpExplainer, lrp_explainer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LrpHeatmap, lrp_heatmap_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LrpLayer, lrp_layer_free)

G_END_DECLS
