/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input as the model sees it, as a picture: the preprocessed tensor
 * (an image after its resize and crop, or a .npy / .pb tensor) mapped back
 * through the model's mean, std and pixel range to 8-bit RGB.  Going
 * through the tensor keeps one definition of "what the model saw".
 */
#define G_LOG_DOMAIN "lrp-view"

#include "config.h"

#include "lrp-graph-private.h"
#include "lrp-render-private.h"

#include <math.h>

static float
channel_value (const float *values,
               int n,
               int c,
               float fallback)
{
  return n == 0 ? fallback : values[n == 1 ? 0 : c];
}

/* One channel of the input back to 0..255. */
static void
denormalize (const LrpMetadata *meta,
             const float *x,
             int c,
             int64_t n,
             guint8 *out)
{
  float mean = channel_value (meta->mean, meta->n_mean, c, 0.f);
  float std = channel_value (meta->std, meta->n_std, c, 1.f);
  float span = meta->range_high - meta->range_low;

  for (int64_t i = 0; i < n; i++)
    {
      float p = x[i] * std + mean;

      if (meta->range_low != 0.f || meta->range_high != 1.f)
        p = span != 0.f ? (p - meta->range_low) / span : 0.f;
      p = roundf (p * 255.f);
      out[i] = (guint8) (p == p ? CLAMP (p, 0.f, 255.f) : 0.f);
    }
}

/**
 * lrp_model_load_view:
 * Reads @path as lrp_model_load_input() does and shows it as the model
 * sees it: after its resize and crop, gray models' inputs as gray RGB.
 *
 * Returns: (transfer full): an RGB24 image surface of the input's H × W, or
 * NULL with LRP_INPUT_ERROR set (also when the model's input is not an
 * image of 1 or 3 channels).
 */
cairo_surface_t *
lrp_model_load_view (const LrpModel *model,
                     const char *path,
                     GError **error)
{
  g_autoptr(LrpTensor) input = NULL;
  g_autofree guint8 *planes = NULL;
  cairo_surface_t *surface;
  const int64_t *shape;
  int64_t channels, height, width, n;
  guint8 *data;
  int stride;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);
  input = lrp_model_load_input (model, path, error);
  if (input == NULL)
    return NULL;
  shape = input->shape;
  if (input->rank != 4 || shape[0] != 1 || (shape[1] != 1 && shape[1] != 3) || shape[2] > 32767
      || shape[3] > 32767)
    {
      g_autofree char *base = g_path_get_basename (path);
      g_autofree char *s = lrp_shape_to_string (input->rank, shape);

      g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_SHAPE,
                   "%s: an input of shape %s is not an image ([1, C, H, W] with C = 1 or 3)",
                   base, s);
      return NULL;
    }
  channels = shape[1];
  height = shape[2];
  width = shape[3];
  n = height * width;
  planes = g_new (guint8, channels * n);
  for (int c = 0; c < channels; c++)
    denormalize (model->meta, lrp_tensor_f (input) + c * n, c, n, planes + c * n);
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) width, (int) height);
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int64_t i = 0; data && i < n; i++)
    {
      guint8 rgb[3];

      for (int k = 0; k < 3; k++)
        rgb[k] = planes[(channels == 3 ? k : 0) * n + i];
      ((guint32 *) (data + (i / width) * stride))[i % width] = lrp_rgb_pixel (rgb);
    }
  cairo_surface_mark_dirty (surface);
  return surface;
}
