/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "lrp.h"

G_BEGIN_DECLS

#define LENS_TYPE_RULE_EDITOR (lens_rule_editor_get_type ())
G_DECLARE_FINAL_TYPE (LensRuleEditor, lens_rule_editor, LENS, RULE_EDITOR, GtkPopover)

GtkWidget *lens_rule_editor_new (void);
void lens_rule_editor_set_layer (LensRuleEditor *self, const LrpLayer *layer);
char *lens_rule_editor_dup_rule_text (LensRuleEditor *self);
const char *lens_rule_editor_get_layer_name (LensRuleEditor *self);

G_END_DECLS
