/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * LensRunner: computes what the document asks, one job at a time, in a
 * worker thread.  It owns the LrpExplainer (the cached forward pass and
 * relevance, so a new class or one layer's rule re-runs only what it must);
 * while a job runs only the worker touches it.
 *
 * The newest request wins: a change cancels the running job and marks one
 * pending slot; when the job returns, the document's settings as they are
 * then run next.  So a dragged slider costs one run at a time, never a
 * queue, and a result is shown only for the settings it was computed for.
 */
#define G_LOG_DOMAIN "lens-runner"

#include "config.h"

#include "lens-runner.h"

#include "lens-layer-item.h"

#include <math.h>

/* Jobs shorter than this finish without a progress bar flashing up. */
#define PROGRESS_DELAY_US (150 * 1000)

/* What the worker reports, read by the main thread on a timer. */
typedef struct
{
  GMutex lock;
  char *layer;                 /* the node being computed */
  double fraction;
} Progress;

struct _LensRunner
{
  GObject parent_instance;

  LensDocument *document;      /* owned */
  LrpExplainer *explainer;     /* owned, NULL while a job has it or none was made */
  guint explainer_serial;      /* the document source it was made for */
  LensResult *result;          /* owned */

  GCancellable *cancellable;   /* owned: the running job's */
  gboolean running;
  gboolean pending;            /* run again with the newest settings when done */
  gint64 started;              /* monotonic µs of the running job's start */
  guint progress_id;
  Progress *progress;          /* owned; shared with the running job */
  char *progress_text;
  double progress_fraction;
  gboolean show_progress;
  guint n_runs;
};

G_DEFINE_FINAL_TYPE (LensRunner, lens_runner, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RESULT,
  PROP_BUSY,
  PROP_SHOW_PROGRESS,
  PROP_PROGRESS_TEXT,
  PROP_PROGRESS_FRACTION,
  N_PROPS
};

enum {
  FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct
{
  LrpModel *model;             /* owned ref */
  LrpTensor *input;            /* owned ref */
  cairo_surface_t *image;      /* owned ref, may be NULL */
  LrpExplainer *explainer;     /* owned while the job holds it */
  guint source_serial;
  LensSettings *settings;      /* owned */
  Progress *progress;          /* borrowed: the runner outlives its jobs */
} Job;

static void
job_free (Job *job)
{
  lrp_model_unref (job->model);
  lrp_tensor_unref (job->input);
  g_clear_pointer (&job->image, cairo_surface_destroy);
  lrp_explainer_free (job->explainer);
  lens_settings_free (job->settings);
  g_free (job);
}

static void
progress_cb (int node,
             const char *name,
             double fraction,
             gpointer user_data)
{
  Progress *p = user_data;

  g_mutex_lock (&p->lock);
  g_free (p->layer);
  p->layer = g_strdup (name);
  p->fraction = fraction;
  g_mutex_unlock (&p->lock);
}

static void
softmax (const float *logits,
         int n,
         double *out)
{
  double top = -INFINITY, sum = 0;

  for (int i = 0; i < n; i++)
    top = MAX (top, logits[i]);
  for (int i = 0; i < n; i++)
    sum += out[i] = exp (logits[i] - top);
  for (int i = 0; i < n; i++)
    out[i] /= sum;
}

static const double *sort_probabilities;

static int
by_probability (gconstpointer a,
                gconstpointer b)
{
  double pa = sort_probabilities[*(const int *) a], pb = sort_probabilities[*(const int *) b];

  return pa < pb ? 1 : pa > pb ? -1 : *(const int *) a - *(const int *) b;
}

/* ΣR of a tensor, for the layer list: VGG16 holds 15 M values of relevance,
 * so blocks are summed in float across 8 lanes (the compiler vectorises it)
 * and the blocks in double; far finer than the 0.1 % the list shows. */
static double
tensor_sum (const LrpTensor *t)
{
  const float *v = lrp_tensor_get_data (t);
  int64_t n = lrp_tensor_get_n_elements (t);
  double total = 0;

  for (int64_t start = 0; start < n; start += 1024)
    {
      int64_t end = MIN (n, start + 1024);
      float lane[8] = { 0 };
      int64_t i = start;

      for (; i + 8 <= end; i += 8)
        for (int k = 0; k < 8; k++)
          lane[k] += v[i + k];
      for (; i < end; i++)
        lane[0] += v[i];
      for (int k = 0; k < 8; k++)
        total += lane[k];
    }
  return total;
}

/* Everything the views need, read off the explainer in the worker. */
static LensResult *
collect_result (Job *job,
                GError **error)
{
  g_autoptr(LensResult) r = lens_result_new ();
  LrpTensor *logits = lrp_explainer_get_logits (job->explainer);
  LrpTensor *input_relevance = lrp_explainer_get_relevance (job->explainer, NULL);

  r->generation = job->settings->generation;
  r->source_serial = job->source_serial;
  r->model = lrp_model_ref (job->model);
  if (input_relevance == NULL)
    {
      g_set_error (error, LRP_RUN_ERROR, LRP_RUN_ERROR_FAILED, "No relevance reached the input");
      return NULL;
    }
  r->relevance = lrp_tensor_ref (input_relevance);
  r->heatmap = lrp_heatmap_new (input_relevance, error);
  if (r->heatmap == NULL)
    return NULL;
  r->image = job->image ? cairo_surface_reference (job->image) : NULL;
  r->class_index = lrp_explainer_get_class (job->explainer);
  r->contrast = job->settings->target.contrast_class;
  r->start = job->settings->target.start;

  r->n_classes = (int) lrp_tensor_get_n_elements (logits);
  r->probabilities = g_new (double, r->n_classes);
  softmax (lrp_tensor_get_data (logits), r->n_classes, r->probabilities);
  r->ranking = g_new (int, r->n_classes);
  for (int i = 0; i < r->n_classes; i++)
    r->ranking[i] = i;
  /* Only one worker runs at a time, so the comparator's global is safe. */
  sort_probabilities = r->probabilities;
  qsort (r->ranking, (size_t) r->n_classes, sizeof (int), by_probability);

  r->layers = lrp_composite_list_layers (job->settings->composite, job->model, error);
  if (r->layers == NULL)
    return NULL;
  r->layer_sums = g_new (double, r->layers->len);
  for (guint i = 0; i < r->layers->len; i++)
    {
      const LrpLayer *layer = g_ptr_array_index (r->layers, i);
      LrpTensor *rel = lrp_explainer_get_relevance (job->explainer, layer->output);

      r->layer_sums[i] = rel ? tensor_sum (rel) : NAN;
      if (rel)
        r->start_sum = r->layer_sums[i];   /* the topmost layer holding relevance */
    }
  return g_steal_pointer (&r);
}

static void
explain_worker (GTask *task,
                gpointer source,
                gpointer data,
                GCancellable *cancellable)
{
  Job *job = data;
  g_autoptr(GError) error = NULL;
  LensResult *result;
  gint64 t0 = g_get_monotonic_time ();

  if (job->explainer == NULL)
    {
      job->explainer = lrp_explainer_new (job->model, job->input, cancellable, &error);
      if (job->explainer == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  lrp_explainer_set_progress (job->explainer, progress_cb, job->progress);
  if (!lrp_explainer_explain (job->explainer, job->settings->composite, &job->settings->target,
                              cancellable, &error)
      || (result = collect_result (job, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  result->milliseconds = (double) (g_get_monotonic_time () - t0) / 1000.0;
  g_task_return_pointer (task, result, (GDestroyNotify) lens_result_unref);
}

static void
set_show_progress (LensRunner *self,
                   gboolean show)
{
  if (self->show_progress == show)
    return;
  self->show_progress = show;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_PROGRESS]);
}

static gboolean
progress_tick_cb (gpointer user_data)
{
  LensRunner *self = user_data;
  g_autofree char *layer = NULL;

  if (g_get_monotonic_time () - self->started < PROGRESS_DELAY_US)
    return G_SOURCE_CONTINUE;
  g_mutex_lock (&self->progress->lock);
  layer = g_strdup (self->progress->layer);
  self->progress_fraction = self->progress->fraction;
  g_mutex_unlock (&self->progress->lock);
  g_free (self->progress_text);
  if (layer)
    {
      g_autofree char *name = lens_layer_display_name (layer);

      self->progress_text = g_strdup_printf ("Computing %s…", name);
    }
  else
    self->progress_text = g_strdup ("Computing the forward pass…");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS_TEXT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS_FRACTION]);
  set_show_progress (self, TRUE);
  return G_SOURCE_CONTINUE;
}

static void start_job (LensRunner *self);

static void
set_busy (LensRunner *self,
          gboolean busy)
{
  if (self->running == busy)
    return;
  self->running = busy;
  if (!busy)
    {
      g_clear_handle_id (&self->progress_id, g_source_remove);
      set_show_progress (self, FALSE);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
explain_done_cb (GObject *source,
                 GAsyncResult *res,
                 gpointer user_data)
{
  g_autoptr(LensRunner) self = user_data;
  Job *job = g_task_get_task_data (G_TASK (res));
  g_autoptr(GError) error = NULL;
  g_autoptr(LensResult) result = NULL;
  LensDocument *doc = self->document;

  /* The explainer comes back; it is worth keeping only for the same input. */
  if (job->source_serial == lens_document_get_source_serial (doc) && self->explainer == NULL)
    {
      self->explainer = g_steal_pointer (&job->explainer);
      self->explainer_serial = job->source_serial;
    }
  g_clear_object (&self->cancellable);
  result = g_task_propagate_pointer (G_TASK (res), &error);
  if (result)
    self->n_runs++;
  if (result && result->generation == lens_document_get_generation (doc))
    {
      g_clear_pointer (&self->result, lens_result_unref);
      self->result = g_steal_pointer (&result);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULT]);
    }
  else if (error && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
           && job->settings->generation == lens_document_get_generation (doc))
    g_signal_emit (self, signals[FAILED], 0, error);

  if (self->pending)
    start_job (self);
  else
    set_busy (self, FALSE);
}

static void
start_job (LensRunner *self)
{
  g_autoptr(GTask) task = NULL;
  LensDocument *doc = self->document;
  cairo_surface_t *view = lens_document_get_view (doc);
  Job *job;

  self->pending = FALSE;
  if (lens_document_get_model (doc) == NULL)
    {
      set_busy (self, FALSE);
      return;
    }
  job = g_new0 (Job, 1);
  job->model = lrp_model_ref (lens_document_get_model (doc));
  job->input = lrp_tensor_ref (lens_document_get_input (doc));
  job->image = view ? cairo_surface_reference (view) : NULL;
  job->source_serial = lens_document_get_source_serial (doc);
  job->settings = lens_document_dup_settings (doc);
  job->progress = self->progress;
  if (self->explainer && self->explainer_serial == job->source_serial)
    job->explainer = g_steal_pointer (&self->explainer);
  g_clear_pointer (&self->explainer, lrp_explainer_free);

  g_mutex_lock (&self->progress->lock);
  g_clear_pointer (&self->progress->layer, g_free);
  self->progress->fraction = 0;
  g_mutex_unlock (&self->progress->lock);

  self->cancellable = g_cancellable_new ();
  self->started = g_get_monotonic_time ();
  set_busy (self, TRUE);
  if (self->progress_id == 0)
    self->progress_id = g_timeout_add (50, progress_tick_cb, self);

  task = g_task_new (NULL, self->cancellable, explain_done_cb, g_object_ref (self));
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, explain_worker);
}

/* The document changed: run now, or after the running job gives up. */
static void
request (LensRunner *self)
{
  if (self->running)
    {
      self->pending = TRUE;
      g_cancellable_cancel (self->cancellable);
      return;
    }
  start_job (self);
}

static void
generation_changed_cb (LensRunner *self)
{
  request (self);
}

static void
source_changed_cb (LensRunner *self)
{
  /* A cached forward pass of another input is of no use. */
  g_clear_pointer (&self->explainer, lrp_explainer_free);
}

void
lens_runner_cancel (LensRunner *self)
{
  g_return_if_fail (LENS_IS_RUNNER (self));
  self->pending = FALSE;
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
}

LensResult *
lens_runner_get_result (LensRunner *self)
{
  g_return_val_if_fail (LENS_IS_RUNNER (self), NULL);
  return self->result;
}

gboolean
lens_runner_get_busy (LensRunner *self)
{
  g_return_val_if_fail (LENS_IS_RUNNER (self), FALSE);
  return self->running;
}

/* Results computed so far (shown or dropped as stale); tests count on it. */
guint
lens_runner_get_n_runs (LensRunner *self)
{
  g_return_val_if_fail (LENS_IS_RUNNER (self), 0);
  return self->n_runs;
}

static void
lens_runner_dispose (GObject *object)
{
  LensRunner *self = LENS_RUNNER (object);

  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->progress_id, g_source_remove);
  if (self->document)
    g_signal_handlers_disconnect_by_data (self->document, self);
  g_clear_object (&self->document);
  G_OBJECT_CLASS (lens_runner_parent_class)->dispose (object);
}

static void
lens_runner_finalize (GObject *object)
{
  LensRunner *self = LENS_RUNNER (object);

  lrp_explainer_free (self->explainer);
  g_clear_pointer (&self->result, lens_result_unref);
  g_free (self->progress->layer);
  g_mutex_clear (&self->progress->lock);
  g_free (self->progress);
  g_free (self->progress_text);
  G_OBJECT_CLASS (lens_runner_parent_class)->finalize (object);
}

static void
lens_runner_get_property (GObject *object,
                          guint prop_id,
                          GValue *value,
                          GParamSpec *pspec)
{
  LensRunner *self = LENS_RUNNER (object);

  switch (prop_id)
    {
    case PROP_RESULT: g_value_set_boxed (value, self->result); break;
    case PROP_BUSY: g_value_set_boolean (value, self->running); break;
    case PROP_SHOW_PROGRESS: g_value_set_boolean (value, self->show_progress); break;
    case PROP_PROGRESS_TEXT: g_value_set_string (value, self->progress_text); break;
    case PROP_PROGRESS_FRACTION: g_value_set_double (value, self->progress_fraction); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lens_runner_class_init (LensRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = lens_runner_dispose;
  object_class->finalize = lens_runner_finalize;
  object_class->get_property = lens_runner_get_property;

  properties[PROP_RESULT] = g_param_spec_boxed ("result", NULL, NULL, LENS_TYPE_RESULT, ro);
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, ro);
  /* Busy for longer than a glance: show what is being computed. */
  properties[PROP_SHOW_PROGRESS] = g_param_spec_boolean ("show-progress", NULL, NULL, FALSE, ro);
  properties[PROP_PROGRESS_TEXT] = g_param_spec_string ("progress-text", NULL, NULL, NULL, ro);
  properties[PROP_PROGRESS_FRACTION] = g_param_spec_double ("progress-fraction", NULL, NULL,
                                                            0, 1, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A job failed for the current settings (not cancelled): say why. */
  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
lens_runner_init (LensRunner *self)
{
  self->progress = g_new0 (Progress, 1);
  g_mutex_init (&self->progress->lock);
}

LensRunner *
lens_runner_new (LensDocument *document)
{
  LensRunner *self = g_object_new (LENS_TYPE_RUNNER, NULL);

  self->document = g_object_ref (document);
  g_signal_connect_swapped (document, "notify::source-serial",
                            G_CALLBACK (source_changed_cb), self);
  g_signal_connect_swapped (document, "notify::generation",
                            G_CALLBACK (generation_changed_cb), self);
  return self;
}
