/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The model's front door: loading from a file or bytes, the metadata
 * sidecar, and what a model can tell about itself.
 */
#define G_LOG_DOMAIN "lrp-model"

#include "config.h"

#include "lrp-onnx-private.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <string.h>

/* Model files larger than this are refused before reading them whole. */
#define LRP_MAX_MODEL_BYTES ((goffset) 2 << 30)

void
lrp_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      /* OpenBLAS is set single-threaded by the first product
       * (lrp-blas.c): the engine splits products over its own threads. */
#ifdef __GLIBC__
      /* Activations and scratch buffers of a few MB come and go at every
       * layer: keep them in the heap instead of mmap/munmap each one, which
       * made page faults a tenth of a forward pass. */
      mallopt (M_MMAP_THRESHOLD, 256 << 20);
      mallopt (M_TRIM_THRESHOLD, 512 << 20);
#endif
      g_once_init_leave (&done, 1);
    }
}

LrpModel *
lrp_model_load_bytes (GBytes *bytes,
                      const char *display_name,
                      GCancellable *cancellable,
                      GError **error)
{
  g_return_val_if_fail (bytes != NULL, NULL);
  lrp_init ();
  return lrp_onnx_load (g_bytes_ref (bytes), display_name ? display_name : "model", NULL,
                        cancellable, error);
}

/* A file that is not mapped (a pipe, a GVfs URI), read in slices so that a
 * cancel is heard within one. */
static GBytes *
read_stream (GFile *file,
             goffset size,
             GCancellable *cancellable,
             GError **error)
{
  g_autoptr(GFileInputStream) in = g_file_read (file, cancellable, error);
  g_autoptr(GByteArray) buf = NULL;
  gsize got = 1;

  if (in == NULL)
    return NULL;
  buf = g_byte_array_sized_new ((guint) MAX (size, 1));
  while (got > 0)
    {
      gsize at = buf->len, want = 8 << 20;

      if (at + want > LRP_MAX_MODEL_BYTES)
        want = LRP_MAX_MODEL_BYTES - at + 1;
      g_byte_array_set_size (buf, (guint) (at + want));
      if (!g_input_stream_read_all (G_INPUT_STREAM (in), buf->data + at, want, &got,
                                    cancellable, error))
        return NULL;
      g_byte_array_set_size (buf, (guint) (at + got));
      if (buf->len > LRP_MAX_MODEL_BYTES)
        break;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

/* A local regular file is mapped, not read: no time goes to reading it
 * before the weights are copied out (cancellably, lrp-onnx-split.c), and
 * unmapping it costs less than freeing a copy.  The mapping lives only
 * while loading. */
static GBytes *
read_file (const char *path,
           const char *display_name,
           GCancellable *cancellable,
           GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *local_path = NULL;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                            G_FILE_QUERY_INFO_NONE, NULL, &local);
  if (info == NULL)
    {
      /* As the image and tensor readers say it: GIO's own text repeats the
       * whole path ("Error when getting information for file …"). */
      const char *why = g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
                        ? g_strerror (ENOENT)
                        : g_error_matches (local, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED)
                        ? g_strerror (EACCES) : local->message;

      g_set_error (error, LRP_ONNX_ERROR, LRP_ONNX_ERROR_FAILED, "%s: %s", display_name, why);
      return NULL;
    }
  if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    {
      g_set_error (error, LRP_ONNX_ERROR, LRP_ONNX_ERROR_FAILED, "%s: is a folder, not a file",
                   display_name);
      return NULL;
    }
  if (g_file_info_get_size (info) > LRP_MAX_MODEL_BYTES)
    {
      g_set_error (error, LRP_ONNX_ERROR, LRP_ONNX_ERROR_FAILED,
                   "%s: the file is larger than 2 GiB, the ONNX limit", display_name);
      return NULL;
    }
  /* Pipes (lrplens info <(curl …)) and files that cannot be mapped are read. */
  local_path = g_file_get_path (file);
  if (local_path && g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR)
    {
      g_autoptr(GMappedFile) mapped = g_mapped_file_new (local_path, FALSE, NULL);

      if (mapped)
        bytes = g_mapped_file_get_bytes (mapped);
    }
  if (bytes == NULL)
    bytes = read_stream (file, g_file_info_get_size (info), cancellable, &local);
  if (bytes && g_bytes_get_size (bytes) > LRP_MAX_MODEL_BYTES)
    {
      g_set_error (error, LRP_ONNX_ERROR, LRP_ONNX_ERROR_FAILED,
                   "%s: the file is larger than 2 GiB, the ONNX limit", display_name);
      return NULL;
    }
  if (bytes == NULL && g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  if (bytes == NULL)
    {
      g_set_error (error, LRP_ONNX_ERROR, LRP_ONNX_ERROR_FAILED, "%s: %s", display_name,
                   local->message);
      return NULL;
    }
  return g_steal_pointer (&bytes);
}

/* MODEL.json beside MODEL.onnx overrides the embedded metadata. */
static gboolean
apply_sidecar (LrpModel *model,
               const char *path,
               GError **error)
{
  g_autofree char *stem = g_str_has_suffix (path, ".onnx")
                          ? g_strndup (path, strlen (path) - 5) : g_strdup (path);
  g_autofree char *json = g_strconcat (stem, ".json", NULL);

  if (!g_file_test (json, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  return lrp_metadata_load_json (model->meta, json, error);
}

LrpModel *
lrp_model_load (const char *path,
                GCancellable *cancellable,
                GError **error)
{
  g_autofree char *display_name = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(LrpModel) model = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  display_name = g_filename_display_basename (path);
  bytes = read_file (path, display_name, cancellable, error);
  if (bytes == NULL)
    return NULL;
  lrp_init ();
  model = lrp_onnx_load (g_steal_pointer (&bytes), display_name, NULL, cancellable, error);
  if (model == NULL || !apply_sidecar (model, path, error))
    return NULL;
  return g_steal_pointer (&model);
}

int
lrp_model_get_n_classes (const LrpModel *model)
{
  const LrpTensor *out;

  g_return_val_if_fail (model != NULL, 0);
  out = model->values[model->outputs[0]].tensor;
  return out->rank > 0 ? (int) out->shape[out->rank - 1] : 1;
}

/* Returns: (transfer none): the label of @class_index, or NULL when the
 * model has none for it (callers show "class N"). */
const char *
lrp_model_get_label (const LrpModel *model,
                     int class_index)
{
  g_return_val_if_fail (model != NULL, NULL);
  if (model->meta->labels == NULL || class_index < 0
      || class_index >= (int) g_strv_length (model->meta->labels))
    return NULL;
  return model->meta->labels[class_index];
}

/* TRUE when the first output is computed by a Softmax: it holds
 * probabilities, and explanations start from the Softmax's input. */
gboolean
lrp_model_get_output_is_softmax (const LrpModel *model)
{
  int producer;

  g_return_val_if_fail (model != NULL, FALSE);
  producer = model->values[model->outputs[0]].producer;
  return producer >= 0 && g_str_equal (model->nodes[producer].op_type, "Softmax");
}

static int64_t
node_parameters (const LrpModel *model,
                 const LrpNode *node)
{
  int64_t n = 0;

  for (int i = 0; i < node->n_inputs; i++)
    if (node->inputs[i] >= 0 && !model->values[node->inputs[i]].is_input
        && model->values[node->inputs[i]].tensor->data != NULL
        && model->values[node->inputs[i]].tensor->dtype == LRP_DTYPE_FLOAT)
      n += model->values[node->inputs[i]].tensor->n;
  return n;
}

static void
append_floats (GString *s,
               const float *v,
               int n,
               float fallback)
{
  g_string_append_c (s, '[');
  for (int i = 0; i < MAX (n, 1); i++)
    g_string_append_printf (s, "%s%g", i ? ", " : "", (double) (n ? v[i] : fallback));
  g_string_append_c (s, ']');
}

/* What preprocessing an image gets, and the classes. */
static void
describe_metadata (const LrpModel *model,
                   GString *s)
{
  const LrpMetadata *m = model->meta;
  int n = lrp_model_get_n_classes (model);

  g_string_append (s, "preprocessing: mean ");
  append_floats (s, m->mean, m->n_mean, 0.f);
  g_string_append (s, ", std ");
  append_floats (s, m->std, m->n_std, 1.f);
  g_string_append_printf (s, ", pixels in [%g, %g], %s, resize %s", (double) m->range_low,
                          (double) m->range_high,
                          m->color == LRP_COLOR_GRAY ? "gray" : m->color == LRP_COLOR_RGB
                          ? "rgb" : "colour from the channel count",
                          m->resize == LRP_RESIZE_STRETCH ? "stretch"
                          : m->resize == LRP_RESIZE_CROP ? "crop" : "automatic");
  if (m->resize == LRP_RESIZE_CROP)
    g_string_append_printf (s, ":%d", m->crop_size);
  g_string_append_printf (s, "\nclasses: %d", n);
  if (m->labels)
    for (int i = 0; i < MIN (n, 5) && m->labels[i]; i++)
      g_string_append_printf (s, "%s%s", i ? ", " : " (", m->labels[i]);
  if (m->labels && n > 0)
    g_string_append (s, n > 5 ? ", …)" : ")");
  g_string_append_c (s, '\n');
}

/* Returns: (transfer full): the graph as text, one layer a line. */
char *
lrp_model_describe (const LrpModel *model)
{
  GString *s = g_string_new (NULL);
  int64_t total = 0;

  g_return_val_if_fail (model != NULL, NULL);
  g_string_append_printf (s, "%s: opset %d, %d nodes\n", model->display_name, model->opset,
                          model->n_nodes);
  if (model->meta->description)
    g_string_append_printf (s, "%s\n", model->meta->description);
  describe_metadata (model, s);
  for (int i = 0; i < model->n_inputs; i++)
    {
      const LrpValue *v = &model->values[model->inputs[i]];
      g_autofree char *shape = lrp_shape_to_string (v->tensor->rank, v->tensor->shape);

      g_string_append_printf (s, "input  %s %s %s\n", v->name, lrp_dtype_name (v->tensor->dtype),
                              shape);
    }
  g_string_append_printf (s, "%-4s %-40s %-20s %-22s %12s\n", "#", "layer", "op", "output",
                          "parameters");
  for (int n = 0; n < model->n_nodes; n++)
    {
      const LrpNode *node = &model->nodes[n];
      const LrpTensor *out = model->values[node->outputs[0]].tensor;
      g_autofree char *shape = lrp_shape_to_string (out->rank, out->shape);
      int64_t params = node_parameters (model, node);

      total += params;
      g_string_append_printf (s, "%-4d %-40s %-20s %-22s %12" G_GINT64_FORMAT "\n", n,
                              node->name, node->op_type, shape, params);
    }
  g_string_append_printf (s, "total parameters: %" G_GINT64_FORMAT "\n", total);
  if (model->folded->len == 0)
    g_string_append (s, "folded at load: nothing\n");
  else
    {
      g_string_append_printf (s, "folded at load (%u constant nodes):", model->folded->len);
      for (guint i = 0; i < model->folded->len; i++)
        g_string_append_printf (s, "%s %s", i ? "," : "",
                                (char *) g_ptr_array_index (model->folded, i));
      g_string_append_c (s, '\n');
    }
  return g_string_free (s, FALSE);
}
