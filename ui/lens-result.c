/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * LensResult: a finished explanation, shared read-only between the views.
 */
#define G_LOG_DOMAIN "lens-result"

#include "config.h"

#include "lens-result.h"

#include <math.h>

G_DEFINE_BOXED_TYPE (LensResult, lens_result, lens_result_ref, lens_result_unref)

LensResult *
lens_result_new (void)
{
  LensResult *result = g_atomic_rc_box_new0 (LensResult);

  result->contrast = -1;
  result->start_sum = NAN;
  return result;
}

LensResult *
lens_result_ref (LensResult *result)
{
  return g_atomic_rc_box_acquire (result);
}

static void
result_clear (LensResult *result)
{
  g_clear_pointer (&result->model, lrp_model_unref);
  g_clear_pointer (&result->relevance, lrp_tensor_unref);
  g_clear_pointer (&result->heatmap, lrp_heatmap_unref);
  g_clear_pointer (&result->image, cairo_surface_destroy);
  g_free (result->probabilities);
  g_free (result->ranking);
  g_clear_pointer (&result->layers, g_ptr_array_unref);
  g_free (result->layer_sums);
}

void
lens_result_unref (LensResult *result)
{
  g_atomic_rc_box_release_full (result, (GDestroyNotify) result_clear);
}
