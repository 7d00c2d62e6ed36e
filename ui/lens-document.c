/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * LensDocument: the question being asked, as properties (model and input,
 * class, contrast class, start, rule map) and the undo stack of rule
 * edits.  It knows nothing of threads or widgets; LensRunner watches
 * "generation" (any change of what to explain) and "source-serial" (a new
 * model or input) and computes.
 */
#define G_LOG_DOMAIN "lens-document"

#include "config.h"

#include "lens-document.h"

struct _LensDocument
{
  GObject parent_instance;

  LrpModel *model;             /* owned ref */
  LrpTensor *input;            /* owned ref */
  cairo_surface_t *view;       /* owned: the image as the model sees it, or NULL */
  char *model_path;            /* owned */
  char *image_path;            /* owned */
  guint source_serial;

  int class_index;             /* -1: the predicted class */
  int contrast;                /* -1: none */
  LrpStart start;
  char *preset;                /* owned: the composite the rules start from */
  LrpComposite *composite;     /* owned: preset plus the user's edits */
  guint generation;

  char *last_layer;            /* owned: the layer edited last, for merging */
  gint64 last_edit;            /* monotonic µs of that edit */
  GPtrArray *undo;             /* owned; of Edit */
  GPtrArray *redo;             /* owned; of Edit */
};

G_DEFINE_FINAL_TYPE (LensDocument, lens_document, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MODEL_PATH,
  PROP_IMAGE_PATH,
  PROP_SOURCE_SERIAL,
  PROP_CLASS,
  PROP_CONTRAST,
  PROP_START,
  PROP_PRESET,
  PROP_GENERATION,
  PROP_CAN_UNDO,
  PROP_CAN_REDO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* A state of the rules, as undo restores it. */
typedef struct
{
  char *preset;
  LrpComposite *composite;
} Edit;

static void
edit_free (Edit *edit)
{
  g_free (edit->preset);
  lrp_composite_free (edit->composite);
  g_free (edit);
}

static Edit *
edit_new (LensDocument *self)
{
  Edit *edit = g_new0 (Edit, 1);

  edit->preset = g_strdup (self->preset);
  edit->composite = lrp_composite_copy (self->composite);
  return edit;
}

void
lens_settings_free (LensSettings *settings)
{
  if (settings == NULL)
    return;
  lrp_composite_free (settings->composite);
  g_free (settings);
}

static void
bump_generation (LensDocument *self)
{
  self->generation++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GENERATION]);
}

static void
notify_undo (LensDocument *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REDO]);
}

static void
lens_document_finalize (GObject *object)
{
  LensDocument *self = LENS_DOCUMENT (object);

  g_clear_pointer (&self->model, lrp_model_unref);
  g_clear_pointer (&self->input, lrp_tensor_unref);
  g_clear_pointer (&self->view, cairo_surface_destroy);
  g_free (self->model_path);
  g_free (self->image_path);
  g_free (self->preset);
  g_free (self->last_layer);
  lrp_composite_free (self->composite);
  g_ptr_array_unref (self->undo);
  g_ptr_array_unref (self->redo);
  G_OBJECT_CLASS (lens_document_parent_class)->finalize (object);
}

static void
lens_document_get_property (GObject *object,
                            guint prop_id,
                            GValue *value,
                            GParamSpec *pspec)
{
  LensDocument *self = LENS_DOCUMENT (object);

  switch (prop_id)
    {
    case PROP_MODEL_PATH: g_value_set_string (value, self->model_path); break;
    case PROP_IMAGE_PATH: g_value_set_string (value, self->image_path); break;
    case PROP_SOURCE_SERIAL: g_value_set_uint (value, self->source_serial); break;
    case PROP_CLASS: g_value_set_int (value, self->class_index); break;
    case PROP_CONTRAST: g_value_set_int (value, self->contrast); break;
    case PROP_START: g_value_set_int (value, self->start); break;
    case PROP_PRESET: g_value_set_string (value, self->preset); break;
    case PROP_GENERATION: g_value_set_uint (value, self->generation); break;
    case PROP_CAN_UNDO: g_value_set_boolean (value, lens_document_can_undo (self)); break;
    case PROP_CAN_REDO: g_value_set_boolean (value, lens_document_can_redo (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lens_document_class_init (LensDocumentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = lens_document_finalize;
  object_class->get_property = lens_document_get_property;

  properties[PROP_MODEL_PATH] = g_param_spec_string ("model-path", NULL, NULL, NULL, ro);
  properties[PROP_IMAGE_PATH] = g_param_spec_string ("image-path", NULL, NULL, NULL, ro);
  properties[PROP_SOURCE_SERIAL] = g_param_spec_uint ("source-serial", NULL, NULL,
                                                      0, G_MAXUINT, 0, ro);
  properties[PROP_CLASS] = g_param_spec_int ("class", NULL, NULL, -1, G_MAXINT, -1, ro);
  properties[PROP_CONTRAST] = g_param_spec_int ("contrast", NULL, NULL, -1, G_MAXINT, -1, ro);
  properties[PROP_START] = g_param_spec_int ("start", NULL, NULL, 0, 1, 0, ro);
  properties[PROP_PRESET] = g_param_spec_string ("preset", NULL, NULL, NULL, ro);
  properties[PROP_GENERATION] = g_param_spec_uint ("generation", NULL, NULL,
                                                   0, G_MAXUINT, 0, ro);
  properties[PROP_CAN_UNDO] = g_param_spec_boolean ("can-undo", NULL, NULL, FALSE, ro);
  properties[PROP_CAN_REDO] = g_param_spec_boolean ("can-redo", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lens_document_init (LensDocument *self)
{
  self->class_index = -1;
  self->contrast = -1;
  self->start = LRP_START_LOGIT;
  self->preset = g_strdup ("epsilon_plus");
  self->composite = lrp_composite_parse (self->preset, NULL);
  self->undo = g_ptr_array_new_with_free_func ((GDestroyNotify) edit_free);
  self->redo = g_ptr_array_new_with_free_func ((GDestroyNotify) edit_free);
}

LensDocument *
lens_document_new (void)
{
  return g_object_new (LENS_TYPE_DOCUMENT, NULL);
}

/**
 * lens_document_set_source:
 * A new model and input, loaded together.  A different model keeps the
 * rules where they fit it and forgets the undo history; either change goes
 * back to explaining the predicted class.
 */
void
lens_document_set_source (LensDocument *self,
                          LrpModel *model,
                          const char *model_path,
                          LrpTensor *input,
                          cairo_surface_t *view,
                          const char *image_path)
{
  gboolean new_model;

  g_return_if_fail (LENS_IS_DOCUMENT (self));
  g_return_if_fail (model != NULL && input != NULL);

  new_model = model != self->model;
  lrp_model_ref (model);
  g_clear_pointer (&self->model, lrp_model_unref);
  self->model = model;
  lrp_tensor_ref (input);
  g_clear_pointer (&self->input, lrp_tensor_unref);
  self->input = input;
  if (view)
    cairo_surface_reference (view);
  g_clear_pointer (&self->view, cairo_surface_destroy);
  self->view = view;
  g_free (self->model_path);
  self->model_path = g_strdup (model_path);
  g_free (self->image_path);
  self->image_path = g_strdup (image_path);

  /* The rules stay if they fit the new model (a preset, a map by layer
   * kind); a map naming another model's layers goes back to its preset. */
  if (new_model && !lrp_composite_check_model (self->composite, model, NULL))
    {
      LrpComposite *preset = lrp_composite_parse (self->preset, NULL);

      if (preset == NULL)
        {
          preset = lrp_composite_parse ("epsilon_plus", NULL);
          g_free (self->preset);
          self->preset = g_strdup ("epsilon_plus");
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRESET]);
        }
      lrp_composite_free (self->composite);
      self->composite = preset;
    }
  if (new_model)
    lens_document_clear_history (self);
  self->class_index = -1;
  self->contrast = -1;
  self->source_serial++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL_PATH]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IMAGE_PATH]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLASS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTRAST]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE_SERIAL]);
  bump_generation (self);
}

LrpModel *
lens_document_get_model (LensDocument *self)
{
  g_return_val_if_fail (LENS_IS_DOCUMENT (self), NULL);
  return self->model;
}

LrpTensor *
lens_document_get_input (LensDocument *self)
{
  g_return_val_if_fail (LENS_IS_DOCUMENT (self), NULL);
  return self->input;
}

cairo_surface_t *
lens_document_get_view (LensDocument *self)
{
  g_return_val_if_fail (LENS_IS_DOCUMENT (self), NULL);
  return self->view;
}

const char *
lens_document_get_model_path (LensDocument *self)
{
  g_return_val_if_fail (LENS_IS_DOCUMENT (self), NULL);
  return self->model_path;
}

const char *
lens_document_get_image_path (LensDocument *self)
{
  g_return_val_if_fail (LENS_IS_DOCUMENT (self), NULL);
  return self->image_path;
}

guint
lens_document_get_source_serial (LensDocument *self)
{
  g_return_val_if_fail (LENS_IS_DOCUMENT (self), 0);
  return self->source_serial;
}

static gboolean
set_int (LensDocument *self,
         int *field,
         int value,
         guint prop)
{
  if (*field == value)
    return FALSE;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
  bump_generation (self);
  return TRUE;
}

void
lens_document_set_class (LensDocument *self,
                         int class_index)
{
  g_return_if_fail (LENS_IS_DOCUMENT (self));
  set_int (self, &self->class_index, MAX (class_index, -1), PROP_CLASS);
}

int
lens_document_get_class (LensDocument *self)
{
  g_return_val_if_fail (LENS_IS_DOCUMENT (self), -1);
  return self->class_index;
}

void
lens_document_set_contrast (LensDocument *self,
                            int class_index)
{
  g_return_if_fail (LENS_IS_DOCUMENT (self));
  set_int (self, &self->contrast, MAX (class_index, -1), PROP_CONTRAST);
}

int
lens_document_get_contrast (LensDocument *self)
{
  g_return_val_if_fail (LENS_IS_DOCUMENT (self), -1);
  return self->contrast;
}

void
lens_document_set_start (LensDocument *self,
                         LrpStart start)
{
  g_return_if_fail (LENS_IS_DOCUMENT (self));
  if (self->start == start)
    return;
  self->start = start;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_START]);
  bump_generation (self);
}

LrpStart
lens_document_get_start (LensDocument *self)
{
  g_return_val_if_fail (LENS_IS_DOCUMENT (self), LRP_START_LOGIT);
  return self->start;
}

/* Edits of one layer this close together are one step of undo: dragging
 * a parameter is one change, not fifty. */
#define MERGE_US (1000 * 1000)

/* Makes @composite (owned) the rules, remembering the old ones for undo
 * unless this continues the last edit of the same @layer. */
static void
replace_rules (LensDocument *self,
               const char *preset,
               LrpComposite *composite,
               const char *layer)
{
  gint64 now = g_get_monotonic_time ();
  gboolean merge = layer && g_strcmp0 (layer, self->last_layer) == 0
                   && now - self->last_edit < MERGE_US && self->undo->len > 0
                   && self->redo->len == 0;

  if (!merge)
    g_ptr_array_add (self->undo, edit_new (self));
  g_free (self->last_layer);
  self->last_layer = g_strdup (layer);
  self->last_edit = now;
  g_ptr_array_set_size (self->redo, 0);
  lrp_composite_free (self->composite);
  self->composite = composite;
  if (g_strcmp0 (preset, self->preset) != 0)
    {
      g_free (self->preset);
      self->preset = g_strdup (preset);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRESET]);
    }
  notify_undo (self);
  bump_generation (self);
}

gboolean
lens_document_set_preset (LensDocument *self,
                          const char *preset,
                          GError **error)
{
  LrpComposite *composite;

  g_return_val_if_fail (LENS_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (preset != NULL, FALSE);
  composite = lrp_composite_parse (preset, error);
  if (composite == NULL)
    return FALSE;
  replace_rules (self, lrp_composite_get_name (composite), composite, NULL);
  return TRUE;
}

const char *
lens_document_get_preset (LensDocument *self)
{
  g_return_val_if_fail (LENS_IS_DOCUMENT (self), NULL);
  return self->preset;
}

/* One layer's rule; an empty @rule goes back to the preset's. */
gboolean
lens_document_set_layer_rule (LensDocument *self,
                              const char *layer,
                              const char *rule,
                              GError **error)
{
  g_autoptr(LrpComposite) composite = NULL;

  g_return_val_if_fail (LENS_IS_DOCUMENT (self), FALSE);
  g_return_val_if_fail (layer != NULL, FALSE);
  composite = lrp_composite_copy (self->composite);
  if (!lrp_composite_set_layer_rule (composite, layer, rule, error))
    return FALSE;
  if (self->model && !lrp_composite_check_model (composite, self->model, error))
    return FALSE;
  replace_rules (self, self->preset, g_steal_pointer (&composite), layer);
  return TRUE;
}

/* A whole rule map (compact text or JSON), as `lrplens explain --rules`. */
gboolean
lens_document_set_rules (LensDocument *self,
                         const char *rule_map,
                         GError **error)
{
  g_autoptr(LrpComposite) composite = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (LENS_IS_DOCUMENT (self), FALSE);
  composite = lrp_composite_parse (rule_map, error);
  if (composite == NULL)
    return FALSE;
  if (self->model && !lrp_composite_check_model (composite, self->model, error))
    return FALSE;
  /* The name first: arguments are evaluated in no set order. */
  name = g_strdup (lrp_composite_get_name (composite));
  replace_rules (self, name, g_steal_pointer (&composite), NULL);
  return TRUE;
}

const LrpComposite *
lens_document_get_composite (LensDocument *self)
{
  g_return_val_if_fail (LENS_IS_DOCUMENT (self), NULL);
  return self->composite;
}

guint
lens_document_get_generation (LensDocument *self)
{
  g_return_val_if_fail (LENS_IS_DOCUMENT (self), 0);
  return self->generation;
}

LensSettings *
lens_document_dup_settings (LensDocument *self)
{
  LensSettings *s;

  g_return_val_if_fail (LENS_IS_DOCUMENT (self), NULL);
  s = g_new0 (LensSettings, 1);
  s->generation = self->generation;
  s->composite = lrp_composite_copy (self->composite);
  s->target = (LrpTarget) LRP_TARGET_INIT;
  s->target.class_index = self->class_index;
  s->target.contrast_class = self->contrast;
  s->target.start = self->start;
  return s;
}

/* Moves the current rules onto @to and restores the last of @from. */
static gboolean
swap_edit (LensDocument *self,
           GPtrArray *from,
           GPtrArray *to)
{
  Edit *edit;

  if (from->len == 0)
    return FALSE;
  g_ptr_array_add (to, edit_new (self));
  g_clear_pointer (&self->last_layer, g_free);
  edit = g_ptr_array_steal_index (from, from->len - 1);
  lrp_composite_free (self->composite);
  self->composite = g_steal_pointer (&edit->composite);
  if (g_strcmp0 (edit->preset, self->preset) != 0)
    {
      g_free (self->preset);
      self->preset = g_steal_pointer (&edit->preset);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRESET]);
    }
  edit_free (edit);
  notify_undo (self);
  bump_generation (self);
  return TRUE;
}

gboolean
lens_document_undo (LensDocument *self)
{
  g_return_val_if_fail (LENS_IS_DOCUMENT (self), FALSE);
  return swap_edit (self, self->undo, self->redo);
}

gboolean
lens_document_redo (LensDocument *self)
{
  g_return_val_if_fail (LENS_IS_DOCUMENT (self), FALSE);
  return swap_edit (self, self->redo, self->undo);
}

gboolean
lens_document_can_undo (LensDocument *self)
{
  g_return_val_if_fail (LENS_IS_DOCUMENT (self), FALSE);
  return self->undo->len > 0;
}

gboolean
lens_document_can_redo (LensDocument *self)
{
  g_return_val_if_fail (LENS_IS_DOCUMENT (self), FALSE);
  return self->redo->len > 0;
}

/* Forgets every edit: the rules as they are become where undo stops. */
void
lens_document_clear_history (LensDocument *self)
{
  g_return_if_fail (LENS_IS_DOCUMENT (self));
  g_ptr_array_set_size (self->undo, 0);
  g_ptr_array_set_size (self->redo, 0);
  g_clear_pointer (&self->last_layer, g_free);
  notify_undo (self);
}
