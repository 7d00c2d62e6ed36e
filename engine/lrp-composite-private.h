/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Composites and rule maps: an ordered list of (matcher → rule) entries;
 * for each layer the LAST matching entry wins, so a user map appended to a
 * built-in composite overrides it.
 */
#pragma once

#include "lrp-rules-private.h"

G_BEGIN_DECLS

typedef enum {
  LRP_MATCH_CONV,        /* every Conv */
  LRP_MATCH_DENSE,       /* every Gemm, and MatMul with a constant weight */
  LRP_MATCH_LINEAR,      /* both */
  LRP_MATCH_FIRST,       /* the first Conv or dense layer in graph order */
  LRP_MATCH_FIRST_CONV,  /* the first Conv */
  LRP_MATCH_UPPER_CONV,  /* the last third of the Convs (montavon2019's ε layers) */
  LRP_MATCH_NAME,        /* node name glob, any node */
  LRP_MATCH_POSITION,    /* n-th linear layer, from 0; negative from the end */
} LrpMatchKind;

typedef struct
{
  LrpMatchKind match;
  char *pattern;         /* owned; LRP_MATCH_NAME */
  int position;          /* LRP_MATCH_POSITION */
  LrpRule rule;
  gboolean box_from_model; /* ZBox without bounds: the model's pixel range */
} LrpCompositeEntry;

struct _LrpComposite
{
  char *name;            /* owned: built-in name or "custom" */
  GArray *entries;       /* owned; LrpCompositeEntry */
};

gboolean lrp_composite_validate (const LrpComposite *composite, GError **error);

/* TRUE for nodes the rules treat as linear layers. */
gboolean lrp_node_is_conv (const LrpModel *model, const LrpNode *node);
gboolean lrp_node_is_dense (const LrpModel *model, const LrpNode *node);

/* Fills @rules (one per node of @model) from @composite; ZBox bounds
 * without values come from the model's metadata. */
gboolean lrp_composite_assign (const LrpComposite *composite, const LrpModel *model,
                               LrpRule *rules, GError **error);

/* lrp-composite.c, for the files below */
LrpComposite *_lrp_composite_new (const char *name);
gboolean _lrp_composite_add_builtin (LrpComposite *c, const char *name);
const char *_lrp_match_name (LrpMatchKind match);
gboolean _lrp_composite_parse_rule (const char *text, LrpCompositeEntry *e, GError **error);

/* lrp-composite-edit.c */
gboolean _lrp_rule_equal (const LrpRule *a, const LrpRule *b);
/* "gamma(gamma=0.25)"; ZBox bounds only when set (not from the model) */
char *_lrp_rule_to_text (const LrpRule *rule, gboolean box_from_model);
/* "conv=gamma(gamma=0.25)", "name:fc1=flat", "#-1=epsilon(epsilon=0)" */
char *_lrp_composite_entry_to_text (const LrpCompositeEntry *e);
/* How many entries at the start come from the preset (its built-in name). */
guint _lrp_composite_preset_length (const LrpComposite *c);

G_END_DECLS
