/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Editing a rule map and writing it back out: a copy, one layer's rule set
 * on top of the rest (the GUI's rule editor), and the map as JSON that
 * lrp_composite_parse reads back into the same rule for every layer.
 * Numbers are written with the fewest digits that give back the same float.
 */
#define G_LOG_DOMAIN "lrp-composite"

#include "config.h"

#include "lrp-composite-private.h"

#include <string.h>

LrpComposite *
lrp_composite_copy (const LrpComposite *composite)
{
  LrpComposite *c;

  g_return_val_if_fail (composite != NULL, NULL);
  c = _lrp_composite_new (composite->name);
  for (guint i = 0; i < composite->entries->len; i++)
    {
      LrpCompositeEntry e = g_array_index (composite->entries, LrpCompositeEntry, i);

      e.pattern = g_strdup (e.pattern);
      g_array_append_val (c->entries, e);
    }
  return c;
}

gboolean
_lrp_rule_equal (const LrpRule *a,
                 const LrpRule *b)
{
  if (a->kind != b->kind || a->epsilon != b->epsilon || a->stabilizer != b->stabilizer
      || a->gamma != b->gamma || a->alpha != b->alpha || a->beta != b->beta
      || a->n_box != b->n_box || a->zero_bias != b->zero_bias)
    return FALSE;
  for (int c = 0; c < a->n_box; c++)
    if (a->low[c] != b->low[c] || a->high[c] != b->high[c])
      return FALSE;
  return TRUE;
}

static void
append_float (GString *s,
              float v)
{
  char fmt[8], buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (int digits = 6; digits <= 9; digits++)
    {
      g_snprintf (fmt, sizeof fmt, "%%.%dg", digits);
      g_ascii_formatd (buf, sizeof buf, fmt, (double) v);
      if ((float) g_ascii_strtod (buf, NULL) == v)
        break;
    }
  g_string_append (s, buf);
}

static void
append_floats (GString *s,
               const float *v,
               int n,
               const char *sep)
{
  for (int i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (s, sep);
      append_float (s, v[i]);
    }
}

/* The parameters a rule's text states: those its kind reads, then any other
 * that differs from the default (so that reading it back gives the same value). */
typedef struct
{
  const char *key;
  float value;
  gboolean write;
} Param;

static int
rule_params (const LrpRule *r,
             Param *p)
{
  LrpRule d = lrp_rule_default (r->kind);
  LrpRuleKind k = r->kind;
  int n = 0;

  p[n++] = (Param) { "epsilon", r->epsilon, k == LRP_RULE_EPSILON || r->epsilon != d.epsilon };
  p[n++] = (Param) { "gamma", r->gamma, k == LRP_RULE_GAMMA || r->gamma != d.gamma };
  p[n++] = (Param) { "alpha", r->alpha, k == LRP_RULE_ALPHA_BETA || r->alpha != d.alpha };
  p[n++] = (Param) { "beta", r->beta, k == LRP_RULE_ALPHA_BETA || r->beta != d.beta };
  p[n++] = (Param) { "stabilizer", r->stabilizer, r->stabilizer != d.stabilizer };
  return n;
}

char *
_lrp_rule_to_text (const LrpRule *r,
                   gboolean box_from_model)
{
  GString *s = g_string_new (lrp_rule_kind_name (r->kind));
  Param p[8];
  int n = rule_params (r, p);
  const char *sep = "(";

  for (int i = 0; i < n; i++)
    if (p[i].write)
      {
        g_string_append_printf (s, "%s%s=", sep, p[i].key);
        append_float (s, p[i].value);
        sep = ",";
      }
  if (r->n_box > 0 && !box_from_model)
    {
      g_string_append_printf (s, "%slow=", sep);
      append_floats (s, r->low, r->n_box, ",");
      g_string_append (s, ",high=");
      append_floats (s, r->high, r->n_box, ",");
      sep = ",";
    }
  if (r->zero_bias)
    {
      g_string_append_printf (s, "%szero_bias=true", sep);
      sep = ",";
    }
  if (sep[0] == ',')
    g_string_append_c (s, ')');
  return g_string_free (s, FALSE);
}

char *
_lrp_composite_entry_to_text (const LrpCompositeEntry *e)
{
  g_autofree char *rule = _lrp_rule_to_text (&e->rule, e->box_from_model);

  if (e->match == LRP_MATCH_NAME)
    return g_strdup_printf ("name:%s=%s", e->pattern, rule);
  if (e->match == LRP_MATCH_POSITION)
    return g_strdup_printf ("#%d=%s", e->position, rule);
  return g_strdup_printf ("%s=%s", _lrp_match_name (e->match), rule);
}

guint
_lrp_composite_preset_length (const LrpComposite *c)
{
  g_autoptr(LrpComposite) preset = _lrp_composite_new (c->name);

  if (!_lrp_composite_add_builtin (preset, c->name))
    return 0;
  return MIN (preset->entries->len, c->entries->len);
}

/* The preset's entries as the built-in has them (lrp_composite_set_param
 * may have changed their parameters). */
static gboolean
preset_intact (const LrpComposite *c,
               guint n_preset)
{
  g_autoptr(LrpComposite) preset = _lrp_composite_new (c->name);

  if (n_preset == 0 || !_lrp_composite_add_builtin (preset, c->name))
    return FALSE;
  for (guint i = 0; i < n_preset; i++)
    {
      const LrpCompositeEntry *a = &g_array_index (c->entries, LrpCompositeEntry, i);
      const LrpCompositeEntry *b = &g_array_index (preset->entries, LrpCompositeEntry, i);

      if (a->match != b->match || a->box_from_model != b->box_from_model
          || !_lrp_rule_equal (&a->rule, &b->rule))
        return FALSE;
    }
  return TRUE;
}

static gboolean
is_layer_entry (const LrpCompositeEntry *e,
                const char *layer)
{
  return e->match == LRP_MATCH_NAME && g_strcmp0 (e->pattern, layer) == 0;
}

gboolean
lrp_composite_set_layer_rule (LrpComposite *composite,
                              const char *layer,
                              const char *rule_text,
                              GError **error)
{
  LrpCompositeEntry e = { 0 };
  guint n_preset;

  g_return_val_if_fail (composite != NULL, FALSE);
  g_return_val_if_fail (layer != NULL, FALSE);
  if (layer[0] == '\0')
    {
      g_set_error_literal (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES,
                           "a rule needs the name of the layer it is for");
      return FALSE;
    }
  if (rule_text && rule_text[0])
    {
      if (!_lrp_composite_parse_rule (rule_text, &e, error))
        {
          g_prefix_error (error, "layer “%s”, rule “%s”: ", layer, rule_text);
          return FALSE;
        }
      e.match = LRP_MATCH_NAME;
      e.pattern = g_strdup (layer);
    }
  n_preset = _lrp_composite_preset_length (composite);
  for (guint i = composite->entries->len; i-- > n_preset;)
    if (is_layer_entry (&g_array_index (composite->entries, LrpCompositeEntry, i), layer))
      {
        g_free (g_array_index (composite->entries, LrpCompositeEntry, i).pattern);
        g_array_remove_index (composite->entries, i);
      }
  if (e.pattern)
    g_array_append_val (composite->entries, e);
  return TRUE;
}

/* ---- JSON ------------------------------------------------------------------------ */

static void
append_json_string (GString *s,
                    const char *text)
{
  g_string_append_c (s, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (s, "\\%c", *p);
      else if ((guchar) *p < 0x20)
        g_string_append_printf (s, "\\u%04x", (guint) (guchar) *p);
      else
        g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
}

static void
append_json_entry (GString *s,
                   const LrpCompositeEntry *e)
{
  Param p[8];
  int n = rule_params (&e->rule, p);

  g_string_append (s, "    {");
  if (e->match == LRP_MATCH_NAME)
    {
      g_string_append (s, "\"name\": ");
      append_json_string (s, e->pattern);
    }
  else if (e->match == LRP_MATCH_POSITION)
    g_string_append_printf (s, "\"position\": %d", e->position);
  else
    g_string_append_printf (s, "\"layers\": \"%s\"", _lrp_match_name (e->match));
  g_string_append_printf (s, ", \"rule\": \"%s\"", lrp_rule_kind_name (e->rule.kind));
  for (int i = 0; i < n; i++)
    if (p[i].write)
      {
        g_string_append_printf (s, ", \"%s\": ", p[i].key);
        append_float (s, p[i].value);
      }
  if (e->rule.n_box > 0 && !e->box_from_model)
    {
      g_string_append (s, ", \"low\": [");
      append_floats (s, e->rule.low, e->rule.n_box, ", ");
      g_string_append (s, "], \"high\": [");
      append_floats (s, e->rule.high, e->rule.n_box, ", ");
      g_string_append (s, "]");
    }
  if (e->rule.zero_bias)
    g_string_append (s, ", \"zero_bias\": true");
  g_string_append (s, "}");
}

/* Returns: (transfer full): {"composite": PRESET, "rules": [...]}: the
 * entries after the preset's, or every entry when lrp_composite_set_param
 * changed the preset's parameters. */
char *
lrp_composite_to_json (const LrpComposite *composite)
{
  GString *s = g_string_new ("{");
  guint n_preset, first;

  g_return_val_if_fail (composite != NULL, NULL);
  n_preset = _lrp_composite_preset_length (composite);
  first = preset_intact (composite, n_preset) ? n_preset : 0;
  if (n_preset > 0)
    {
      g_string_append (s, "\"composite\": ");
      append_json_string (s, composite->name);
      g_string_append (s, ",\n ");
    }
  g_string_append (s, "\"rules\": [");
  for (guint i = first; i < composite->entries->len; i++)
    {
      g_string_append (s, i > first ? ",\n" : "\n");
      append_json_entry (s, &g_array_index (composite->entries, LrpCompositeEntry, i));
    }
  g_string_append (s, "]}\n");
  return g_string_free (s, FALSE);
}
