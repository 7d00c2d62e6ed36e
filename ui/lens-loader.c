/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Opening a model and an image off the main thread: a VGG16 takes a second
 * to read, and a hostile file must fail in the worker, not in the window.
 */
#define G_LOG_DOMAIN "lens-loader"

#include "config.h"

#include "lens-loader.h"

void
lens_loaded_free (LensLoaded *loaded)
{
  if (loaded == NULL)
    return;
  g_clear_pointer (&loaded->model, lrp_model_unref);
  g_clear_pointer (&loaded->input, lrp_tensor_unref);
  g_clear_pointer (&loaded->view, cairo_surface_destroy);
  g_free (loaded->model_path);
  g_free (loaded->image_path);
  g_free (loaded);
}

static void
load_worker (GTask *task,
             gpointer source,
             gpointer data,
             GCancellable *cancellable)
{
  g_autoptr(LensLoaded) loaded = data;   /* the worker always runs and owns it */
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) view_error = NULL;

  if (loaded->model == NULL)
    {
      loaded->model = lrp_model_load (loaded->model_path, cancellable, &error);
      if (loaded->model == NULL || !lrp_model_check_explainable (loaded->model, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  loaded->input = lrp_model_load_input (loaded->model, loaded->image_path, &error);
  if (loaded->input == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* A tensor input (.npy, .pb) has no picture; the heatmap alone is shown. */
  loaded->view = lrp_model_load_view (loaded->model, loaded->image_path, &view_error);
  if (g_task_return_error_if_cancelled (task))
    return;
  g_task_return_pointer (task, g_steal_pointer (&loaded), (GDestroyNotify) lens_loaded_free);
}

void
lens_load_async (LrpModel *model,
                 const char *model_path,
                 const char *image_path,
                 GCancellable *cancellable,
                 GAsyncReadyCallback callback,
                 gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  LensLoaded *loaded = g_new0 (LensLoaded, 1);

  g_return_if_fail (model_path != NULL && image_path != NULL);
  loaded->model = model ? lrp_model_ref (model) : NULL;
  loaded->model_path = g_strdup (model_path);
  loaded->image_path = g_strdup (image_path);
  g_task_set_source_tag (task, lens_load_async);
  g_task_set_task_data (task, loaded, NULL);
  g_task_run_in_thread (task, load_worker);
}

LensLoaded *
lens_load_finish (GAsyncResult *result,
                  GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
