/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <gio/gio.h>

#include "lrp.h"

G_BEGIN_DECLS

#define LENS_TYPE_DOCUMENT (lens_document_get_type ())
G_DECLARE_FINAL_TYPE (LensDocument, lens_document, LENS, DOCUMENT, GObject)

/* What an explanation is computed for; copied on the main thread and
 * handed to a worker, never shared. */
typedef struct
{
  guint generation;            /* the document's generation these were read at */
  LrpComposite *composite;     /* owned copy */
  LrpTarget target;            /* layer is NULL: the explanation starts at the output */
} LensSettings;

void lens_settings_free (LensSettings *settings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LensSettings, lens_settings_free)

LensDocument *lens_document_new (void);

/* The model and input together: they change at once, after a load. */
void lens_document_set_source (LensDocument *self, LrpModel *model, const char *model_path,
                               LrpTensor *input, cairo_surface_t *view, const char *image_path);
LrpModel *lens_document_get_model (LensDocument *self);
LrpTensor *lens_document_get_input (LensDocument *self);
cairo_surface_t *lens_document_get_view (LensDocument *self);
const char *lens_document_get_model_path (LensDocument *self);
const char *lens_document_get_image_path (LensDocument *self);
guint lens_document_get_source_serial (LensDocument *self);

/* The question: which class, against which, from what start, by what rules. */
void lens_document_set_class (LensDocument *self, int class_index);
int lens_document_get_class (LensDocument *self);
void lens_document_set_contrast (LensDocument *self, int class_index);
int lens_document_get_contrast (LensDocument *self);
void lens_document_set_start (LensDocument *self, LrpStart start);
LrpStart lens_document_get_start (LensDocument *self);
gboolean lens_document_set_preset (LensDocument *self, const char *preset, GError **error);
const char *lens_document_get_preset (LensDocument *self);
gboolean lens_document_set_layer_rule (LensDocument *self, const char *layer, const char *rule,
                                       GError **error);
gboolean lens_document_set_rules (LensDocument *self, const char *rule_map, GError **error);
const LrpComposite *lens_document_get_composite (LensDocument *self);
guint lens_document_get_generation (LensDocument *self);
LensSettings *lens_document_dup_settings (LensDocument *self);

/* Undo and redo of rule edits (preset, layer rule, loaded map). */
gboolean lens_document_undo (LensDocument *self);
gboolean lens_document_redo (LensDocument *self);
gboolean lens_document_can_undo (LensDocument *self);
gboolean lens_document_can_redo (LensDocument *self);
void lens_document_clear_history (LensDocument *self);

G_END_DECLS
