/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Composites: Zennit's built-ins under their names and defaults (§3 of
 * lrp-rules.md), and user rule maps in one text format shared by the
 * command line and the GUI:
 *
 *   JSON:    {"composite": "epsilon_plus",
 *             "rules": [{"layers": "conv", "rule": "gamma", "gamma": 0.5},
 *                       {"name": "features.1*", "rule": "zplus"},
 *                       {"position": -1, "rule": "epsilon", "epsilon": 0.1}]}
 *   compact: epsilon_plus;conv=gamma(gamma=0.5);name:features.1*=zplus;#-1=epsilon(epsilon=0.1)
 *
 * Entries are applied in order and the last match wins.
 */
#define G_LOG_DOMAIN "lrp-composite"

#include "config.h"

#include "lrp-composite-private.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const rule_names[LRP_RULE_COUNT] = {
  [LRP_RULE_GRADIENT] = "gradient",
  [LRP_RULE_EPSILON] = "epsilon",
  [LRP_RULE_GAMMA] = "gamma",
  [LRP_RULE_ALPHA_BETA] = "alpha_beta",
  [LRP_RULE_ZPLUS] = "zplus",
  [LRP_RULE_ZBOX] = "zbox",
  [LRP_RULE_FLAT] = "flat",
  [LRP_RULE_WSQUARE] = "wsquare",
  [LRP_RULE_PASS] = "pass",
  [LRP_RULE_NORM] = "norm",
};

static const char *const match_names[] = {
  [LRP_MATCH_CONV] = "conv",
  [LRP_MATCH_DENSE] = "dense",
  [LRP_MATCH_LINEAR] = "linear",
  [LRP_MATCH_FIRST] = "first",
  [LRP_MATCH_FIRST_CONV] = "first_conv",
  [LRP_MATCH_UPPER_CONV] = "upper_conv",
};

LrpRule
lrp_rule_default (LrpRuleKind kind)
{
  LrpRule r = { 0 };

  r.kind = kind;
  r.epsilon = 1e-6f;
  r.stabilizer = 1e-6f;
  r.gamma = 0.25f;
  r.alpha = 2.f;
  r.beta = 1.f;
  return r;
}

const char *
lrp_rule_kind_name (LrpRuleKind kind)
{
  return kind < LRP_RULE_COUNT ? rule_names[kind] : "unknown";
}

gboolean
lrp_rule_kind_from_name (const char *name,
                         LrpRuleKind *kind)
{
  /* A few spellings people use for the same rule. */
  if (g_str_equal (name, "lrp0") || g_str_equal (name, "zero") || g_str_equal (name, "0"))
    {
      *kind = LRP_RULE_EPSILON;
      return TRUE;
    }
  if (g_str_equal (name, "alphabeta") || g_str_equal (name, "alpha-beta"))
    {
      *kind = LRP_RULE_ALPHA_BETA;
      return TRUE;
    }
  for (int k = 0; k < LRP_RULE_COUNT; k++)
    if (g_str_equal (name, rule_names[k]))
      {
        *kind = k;
        return TRUE;
      }
  return FALSE;
}

/* ---- building ------------------------------------------------------------ */

static LrpComposite *
composite_new (const char *name)
{
  LrpComposite *c = g_new0 (LrpComposite, 1);

  c->name = g_strdup (name);
  c->entries = g_array_new (FALSE, TRUE, sizeof (LrpCompositeEntry));
  return c;
}

void
lrp_composite_free (LrpComposite *composite)
{
  if (composite == NULL)
    return;
  for (guint i = 0; i < composite->entries->len; i++)
    g_free (g_array_index (composite->entries, LrpCompositeEntry, i).pattern);
  g_array_unref (composite->entries);
  g_free (composite->name);
  g_free (composite);
}

static void
add_entry (LrpComposite *c,
           LrpMatchKind match,
           LrpRuleKind kind)
{
  LrpCompositeEntry e = { .match = match, .rule = lrp_rule_default (kind) };

  e.box_from_model = kind == LRP_RULE_ZBOX;
  g_array_append_val (c->entries, e);
}

static LrpCompositeEntry *
last_entry (LrpComposite *c)
{
  return &g_array_index (c->entries, LrpCompositeEntry, c->entries->len - 1);
}

typedef struct
{
  const char *name;
  const char *description;
} Builtin;

static const Builtin builtins[] = {
  { "epsilon_plus", "Conv: ZPlus; dense: Epsilon (Zennit EpsilonPlus)" },
  { "epsilon_gamma_box", "Conv: Gamma; dense: Epsilon; first Conv: ZBox (Zennit EpsilonGammaBox)" },
  { "epsilon_alpha2_beta1", "Conv: AlphaBeta(2,1); dense: Epsilon (Zennit EpsilonAlpha2Beta1)" },
  { "epsilon_plus_flat",
    "Conv: ZPlus; dense: Epsilon; first layer: Flat (Zennit EpsilonPlusFlat)" },
  { "epsilon_alpha2_beta1_flat", "Conv: AlphaBeta(2,1); dense: Epsilon; first layer: Flat" },
  { "montavon2019", "dense: LRP-0; upper third of Convs: Epsilon(0.25); other Convs: "
    "Gamma(0.25); first Conv: ZBox (Montavon et al. 2019)" },
  { "epsilon", "Epsilon on every Conv and dense layer" },
};

static gboolean
builtin_entries (LrpComposite *c,
                 const char *name)
{
  if (g_str_equal (name, "epsilon_plus") || g_str_equal (name, "epsilon_plus_flat"))
    {
      add_entry (c, LRP_MATCH_CONV, LRP_RULE_ZPLUS);
      add_entry (c, LRP_MATCH_DENSE, LRP_RULE_EPSILON);
      if (g_str_has_suffix (name, "_flat"))
        add_entry (c, LRP_MATCH_FIRST, LRP_RULE_FLAT);
    }
  else if (g_str_has_prefix (name, "epsilon_alpha2_beta1"))
    {
      if (!g_str_equal (name, "epsilon_alpha2_beta1")
          && !g_str_equal (name, "epsilon_alpha2_beta1_flat"))
        return FALSE;
      add_entry (c, LRP_MATCH_CONV, LRP_RULE_ALPHA_BETA);
      add_entry (c, LRP_MATCH_DENSE, LRP_RULE_EPSILON);
      if (g_str_has_suffix (name, "_flat"))
        add_entry (c, LRP_MATCH_FIRST, LRP_RULE_FLAT);
    }
  else if (g_str_equal (name, "epsilon_gamma_box"))
    {
      add_entry (c, LRP_MATCH_CONV, LRP_RULE_GAMMA);
      add_entry (c, LRP_MATCH_DENSE, LRP_RULE_EPSILON);
      add_entry (c, LRP_MATCH_FIRST_CONV, LRP_RULE_ZBOX);
    }
  else if (g_str_equal (name, "montavon2019"))
    {
      add_entry (c, LRP_MATCH_CONV, LRP_RULE_GAMMA);
      add_entry (c, LRP_MATCH_UPPER_CONV, LRP_RULE_EPSILON);
      last_entry (c)->rule.epsilon = 0.25f;
      add_entry (c, LRP_MATCH_DENSE, LRP_RULE_EPSILON);
      last_entry (c)->rule.epsilon = 0.f;
      add_entry (c, LRP_MATCH_FIRST_CONV, LRP_RULE_ZBOX);
    }
  else if (g_str_equal (name, "epsilon"))
    add_entry (c, LRP_MATCH_LINEAR, LRP_RULE_EPSILON);
  else
    return FALSE;
  return TRUE;
}

const char *const *
lrp_composite_list_builtin (const char *const **descriptions)
{
  static const char *names[G_N_ELEMENTS (builtins) + 1];
  static const char *descs[G_N_ELEMENTS (builtins) + 1];

  for (gsize i = 0; i < G_N_ELEMENTS (builtins); i++)
    {
      names[i] = builtins[i].name;
      descs[i] = builtins[i].description;
    }
  if (descriptions)
    *descriptions = descs;
  return names;
}

/* ---- parameters ------------------------------------------------------------ */

static gboolean
bad (GError **error,
     const char *format,
     ...) G_GNUC_PRINTF (2, 3);

static gboolean
bad (GError **error,
     const char *format,
     ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, LRP_RUN_ERROR, LRP_RUN_ERROR_BAD_RULES, msg);
  return FALSE;
}

/* "0.1" or "0.1,0.2,0.3" into @out; returns the count, 0 on error. */
static int
parse_floats (const char *text,
              float *out,
              int max)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  int n = 0;

  for (int i = 0; parts[i]; i++)
    {
      char *end = NULL;
      double v = g_ascii_strtod (g_strstrip (parts[i]), &end);

      if (n == max || end == parts[i] || *end != '\0' || !isfinite (v))
        return 0;
      out[n++] = (float) v;
    }
  return n;
}

/* Sets one parameter of @rule; the value is text (from either format). */
static gboolean
rule_set_param (LrpRule *rule,
                gboolean *box_from_model,
                const char *key,
                const char *value,
                GError **error)
{
  float v[LRP_MAX_BOX_CHANNELS];
  int n = parse_floats (value, v, LRP_MAX_BOX_CHANNELS);

  if (g_str_equal (key, "zero_bias"))
    {
      if (!g_str_equal (value, "true") && !g_str_equal (value, "false")
          && !g_str_equal (value, "1") && !g_str_equal (value, "0"))
        return bad (error, "zero_bias takes true or false, not “%s”", value);
      rule->zero_bias = g_str_equal (value, "true") || g_str_equal (value, "1");
      return TRUE;
    }
  if (n == 0)
    return bad (error, "“%s” needs a number, not “%s”", key, value);
  if ((g_str_equal (key, "low") || g_str_equal (key, "high")))
    {
      float *dst = key[0] == 'l' ? rule->low : rule->high;

      if (rule->n_box != 0 && rule->n_box != n && !*box_from_model)
        return bad (error, "low and high need the same number of values");
      memcpy (dst, v, sizeof (float) * (size_t) n);
      rule->n_box = n;
      *box_from_model = FALSE;
      return TRUE;
    }
  if (n != 1)
    return bad (error, "“%s” takes one number", key);
  if (g_str_equal (key, "epsilon"))
    rule->epsilon = v[0];
  else if (g_str_equal (key, "stabilizer"))
    rule->stabilizer = v[0];
  else if (g_str_equal (key, "gamma"))
    rule->gamma = v[0];
  else if (g_str_equal (key, "alpha"))
    rule->alpha = v[0];
  else if (g_str_equal (key, "beta"))
    rule->beta = v[0];
  else
    return bad (error, "unknown parameter “%s” (expected epsilon, stabilizer, gamma, alpha, "
                "beta, low, high or zero_bias)", key);
  if (v[0] < 0.f)
    return bad (error, "“%s” must not be negative", key);
  return TRUE;
}

/* Zennit refuses AlphaBeta unless α − β = 1 exactly (§2). */
static gboolean
rule_validate (const LrpRule *rule,
               GError **error)
{
  if (rule->kind == LRP_RULE_ALPHA_BETA && rule->alpha - rule->beta != 1.f)
    return bad (error, "alpha_beta needs alpha − beta = 1 (got alpha %g, beta %g)",
                (double) rule->alpha, (double) rule->beta);
  if (rule->kind == LRP_RULE_ZBOX && rule->n_box > 0)
    for (int c = 0; c < rule->n_box; c++)
      if (!(rule->low[c] <= rule->high[c]))
        return bad (error, "zbox needs low ≤ high");
  return TRUE;
}

gboolean
lrp_composite_set_param (LrpComposite *composite,
                         const char *key,
                         const char *value,
                         GError **error)
{
  gboolean any = FALSE;

  g_return_val_if_fail (composite != NULL, FALSE);
  for (guint i = 0; i < composite->entries->len; i++)
    {
      LrpCompositeEntry *e = &g_array_index (composite->entries, LrpCompositeEntry, i);
      LrpRuleKind k = e->rule.kind;
      gboolean applies =
        (g_str_equal (key, "epsilon") && k == LRP_RULE_EPSILON && e->rule.epsilon != 0.f)
        || (g_str_equal (key, "gamma") && k == LRP_RULE_GAMMA)
        || ((g_str_equal (key, "alpha") || g_str_equal (key, "beta")) && k == LRP_RULE_ALPHA_BETA)
        || ((g_str_equal (key, "low") || g_str_equal (key, "high")) && k == LRP_RULE_ZBOX)
        || g_str_equal (key, "stabilizer") || g_str_equal (key, "zero_bias");

      if (!applies)
        continue;
      if (!rule_set_param (&e->rule, &e->box_from_model, key, value, error))
        return FALSE;
      any = TRUE;
    }
  if (!any)
    return bad (error, "composite “%s” has no rule that takes “%s”", composite->name, key);
  return TRUE;
}

/* Checks every entry once all parameters are in (α and β are set one by one). */
gboolean
lrp_composite_validate (const LrpComposite *composite,
                        GError **error)
{
  for (guint i = 0; i < composite->entries->len; i++)
    {
      const LrpCompositeEntry *e = &g_array_index (composite->entries, LrpCompositeEntry, i);

      if (!rule_validate (&e->rule, error))
        {
          g_prefix_error (error, "rule %u (%s): ", i + 1, lrp_rule_kind_name (e->rule.kind));
          return FALSE;
        }
      if (e->rule.kind == LRP_RULE_ZBOX && !e->box_from_model
          && (e->rule.n_box == 0))
        return bad (error, "rule %u (zbox) needs both low and high", i + 1);
    }
  return TRUE;
}

/* ---- compact text ------------------------------------------------------------ */

static gboolean
parse_matcher (const char *text,
               LrpCompositeEntry *e,
               GError **error)
{
  if (g_str_has_prefix (text, "name:"))
    {
      if (text[5] == '\0')
        return bad (error, "“name:” needs a layer name or glob");
      e->match = LRP_MATCH_NAME;
      e->pattern = g_strdup (text + 5);
      return TRUE;
    }
  if (text[0] == '#')
    {
      char *end = NULL;
      long pos = strtol (text + 1, &end, 10);

      if (end == text + 1 || *end != '\0' || pos < -100000 || pos > 100000)
        return bad (error, "“%s”: a position is # and a number, e.g. #0 or #-1", text);
      e->match = LRP_MATCH_POSITION;
      e->position = (int) pos;
      return TRUE;
    }
  for (gsize m = 0; m < G_N_ELEMENTS (match_names); m++)
    if (g_str_equal (text, match_names[m]))
      {
        e->match = (LrpMatchKind) m;
        return TRUE;
      }
  return bad (error, "unknown layer selector “%s” (expected conv, dense, linear, first, "
              "first_conv, upper_conv, name:GLOB or #N)", text);
}

/* RULE or RULE(key=value,key=value) */
static gboolean
parse_rule_text (const char *text,
                 LrpCompositeEntry *e,
                 GError **error)
{
  g_autofree char *name = NULL;
  const char *open = strchr (text, '(');
  LrpRuleKind kind;

  name = open ? g_strndup (text, (gsize) (open - text)) : g_strdup (text);
  if (!lrp_rule_kind_from_name (g_strstrip (name), &kind))
    return bad (error, "unknown rule “%s” (expected gradient, epsilon, lrp0, gamma, alpha_beta, "
                "zplus, zbox, flat, wsquare, pass or norm)", name);
  e->rule = lrp_rule_default (kind);
  e->box_from_model = kind == LRP_RULE_ZBOX;
  if (g_str_equal (name, "lrp0") || g_str_equal (name, "zero") || g_str_equal (name, "0"))
    e->rule.epsilon = 0.f;
  if (open)
    {
      g_autofree char *inner = NULL;
      g_auto(GStrv) params = NULL;
      size_t len = strlen (open);

      if (len < 2 || open[len - 1] != ')')
        return bad (error, "“%s”: parameters go in parentheses, e.g. gamma(gamma=0.5)", text);
      inner = g_strndup (open + 1, len - 2);
      /* key=v1,v2 lists: split on '=' boundaries rather than commas. */
      params = g_regex_split_simple (",(?=[A-Za-z_]+=)", inner, 0, 0);
      if (params == NULL)
        return bad (error, "“%s”: the parameters are not readable text", text);
      for (int i = 0; params[i]; i++)
        {
          g_auto(GStrv) kv = g_strsplit (params[i], "=", 2);

          if (g_strv_length (kv) != 2)
            return bad (error, "“%s”: expected key=value", params[i]);
          if (!rule_set_param (&e->rule, &e->box_from_model, g_strstrip (kv[0]),
                               g_strstrip (kv[1]), error))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
parse_compact (LrpComposite *c,
               const char *spec,
               GError **error)
{
  g_auto(GStrv) items = g_strsplit (spec, ";", -1);

  for (int i = 0; items[i]; i++)
    {
      char *item = g_strstrip (items[i]);
      char *eq = strchr (item, '=');
      g_autofree char *matcher = NULL;
      LrpCompositeEntry e = { 0 };

      if (item[0] == '\0')
        continue;
      if (eq == NULL || (strchr (item, '(') && strchr (item, '(') < eq))
        {
          if (i == 0 && builtin_entries (c, item))
            {
              g_free (c->name);
              c->name = g_strdup (item);
              continue;
            }
          if (i == 0)
            return bad (error, "“%s” is not a composite (epsilon_plus, epsilon_gamma_box, "
                        "epsilon_alpha2_beta1, epsilon_plus_flat, epsilon_alpha2_beta1_flat, "
                        "montavon2019, epsilon) nor a rule LAYERS=RULE", item);
          return bad (error, "rule map entry %d (“%s”): expected LAYERS=RULE (a composite "
                      "name may only come first)", i + 1, item);
        }
      matcher = g_strndup (item, (gsize) (eq - item));
      if (!parse_matcher (g_strstrip (matcher), &e, error)
          || !parse_rule_text (eq + 1, &e, error))
        {
          g_free (e.pattern);
          g_prefix_error (error, "rule map entry %d (“%s”): ", i + 1, item);
          return FALSE;
        }
      g_array_append_val (c->entries, e);
    }
  return TRUE;
}

/* ---- JSON ---------------------------------------------------------------------- */

static char *
member_text (JsonNode *node)
{
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType t = json_node_get_value_type (node);

      if (t == G_TYPE_STRING)
        return g_strdup (json_node_get_string (node));
      if (t == G_TYPE_BOOLEAN)
        return g_strdup (json_node_get_boolean (node) ? "true" : "false");
      if (t == G_TYPE_INT64 || t == G_TYPE_DOUBLE)
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];

          return g_strdup (g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node)));
        }
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *a = json_node_get_array (node);
      GString *s = g_string_new (NULL);

      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          g_autofree char *t = member_text (json_array_get_element (a, i));

          g_string_append_printf (s, "%s%s", i ? "," : "", t ? t : "?");
        }
      return g_string_free (s, FALSE);
    }
  return NULL;
}

static gboolean
parse_json_entry (JsonObject *o,
                  LrpCompositeEntry *e,
                  GError **error)
{
  g_autoptr(GList) members = json_object_get_members (o);
  g_autofree char *rule = NULL;
  int selectors = 0;

  if (!json_object_has_member (o, "rule"))
    return bad (error, "needs a \"rule\"");
  rule = member_text (json_object_get_member (o, "rule"));
  if (rule == NULL)
    return bad (error, "\"rule\" must be a string");
  if (!parse_rule_text (rule, e, error))
    return FALSE;

  for (GList *l = members; l; l = l->next)
    {
      const char *key = l->data;
      g_autofree char *value = member_text (json_object_get_member (o, key));
      g_autofree char *text = NULL;

      if (g_str_equal (key, "rule"))
        continue;
      if (value == NULL)
        return bad (error, "\"%s\" has a value of the wrong kind", key);
      if (g_str_equal (key, "layers") || g_str_equal (key, "name") || g_str_equal (key, "position"))
        {
          if (++selectors > 1)
            break;
          text = g_str_equal (key, "layers") ? g_strdup (value)
                 : g_str_equal (key, "name") ? g_strconcat ("name:", value, NULL)
                 : g_strconcat ("#", value, NULL);
          if (!parse_matcher (text, e, error))
            return FALSE;
        }
      else if (!rule_set_param (&e->rule, &e->box_from_model, key, value, error))
        return FALSE;
    }
  if (selectors != 1)
    return bad (error, "needs exactly one of \"layers\", \"name\" or \"position\"");
  return TRUE;
}

static gboolean
parse_json (LrpComposite *c,
            const char *text,
            GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local = NULL;
  JsonNode *root;
  JsonArray *rules = NULL;

  if (!json_parser_load_from_data (parser, text, -1, &local))
    {
      /* json-glib quotes what it read, its escapes decoded: "\333" is the
       * byte 0xDB, not UTF-8. */
      g_autofree char *message = g_utf8_make_valid (local->message, -1);

      return bad (error, "rule map: %s", message);
    }
  root = json_parser_get_root (parser);
  if (JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *o = json_node_get_object (root);

      if (json_object_has_member (o, "composite"))
        {
          JsonNode *member = json_object_get_member (o, "composite");
          const char *base;

          if (!JSON_NODE_HOLDS_VALUE (member)
              || json_node_get_value_type (member) != G_TYPE_STRING)
            return bad (error, "rule map: \"composite\" must be a string, a composite's name");
          base = json_node_get_string (member);
          if (!builtin_entries (c, base))
            return bad (error, "rule map: unknown composite “%s”", base);
          g_free (c->name);
          c->name = g_strdup (base);
        }
      if (json_object_has_member (o, "rules"))
        {
          JsonNode *r = json_object_get_member (o, "rules");

          if (!JSON_NODE_HOLDS_ARRAY (r))
            return bad (error, "rule map: \"rules\" must be an array");
          rules = json_node_get_array (r);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (root))
    rules = json_node_get_array (root);
  else
    return bad (error, "rule map: expected a JSON object or array");

  for (guint i = 0; rules && i < json_array_get_length (rules); i++)
    {
      JsonNode *n = json_array_get_element (rules, i);
      LrpCompositeEntry e = { 0 };

      if (!JSON_NODE_HOLDS_OBJECT (n) || !parse_json_entry (json_node_get_object (n), &e, error))
        {
          g_free (e.pattern);
          if (!JSON_NODE_HOLDS_OBJECT (n))
            bad (error, "must be an object");
          g_prefix_error (error, "rule map entry %u: ", i + 1);
          return FALSE;
        }
      g_array_append_val (c->entries, e);
    }
  return TRUE;
}

/* A built-in composite name, a compact rule map, or JSON text. */
LrpComposite *
lrp_composite_parse (const char *spec,
                     GError **error)
{
  g_autoptr(LrpComposite) c = composite_new ("custom");
  const char *p = spec;

  g_return_val_if_fail (spec != NULL, NULL);
  /* Messages quote the text, and GRegex and JSON need UTF-8. */
  if (!g_utf8_validate (spec, -1, NULL))
    {
      bad (error, "the rule map is not UTF-8 text");
      return NULL;
    }
  while (g_ascii_isspace (*p))
    p++;
  if (*p == '{' || *p == '[')
    {
      if (!parse_json (c, spec, error))
        return NULL;
    }
  else if (!parse_compact (c, spec, error))
    return NULL;
  if (c->entries->len == 0)
    {
      bad (error, "“%s” is neither a composite nor a rule map (composites: epsilon_plus, "
           "epsilon_gamma_box, epsilon_alpha2_beta1, epsilon_plus_flat, "
           "epsilon_alpha2_beta1_flat, montavon2019, epsilon)", spec);
      return NULL;
    }
  if (!lrp_composite_validate (c, error))
    return NULL;
  return g_steal_pointer (&c);
}

LrpComposite *
lrp_composite_load (const char *path,
                    GError **error)
{
  g_autofree char *text = NULL;
  g_autofree char *base = g_filename_display_basename (path);
  LrpComposite *c;

  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  c = lrp_composite_parse (text, error);
  if (c == NULL)
    g_prefix_error (error, "%s: ", base);
  return c;
}

const char *
lrp_composite_get_name (const LrpComposite *composite)
{
  g_return_val_if_fail (composite != NULL, NULL);
  return composite->name;
}

/* ---- for lrp-composite-edit.c ------------------------------------------------ */

LrpComposite *
_lrp_composite_new (const char *name)
{
  return composite_new (name);
}

gboolean
_lrp_composite_add_builtin (LrpComposite *c,
                            const char *name)
{
  return builtin_entries (c, name);
}

const char *
_lrp_match_name (LrpMatchKind match)
{
  return match < G_N_ELEMENTS (match_names) ? match_names[match] : NULL;
}

/* One rule as the compact form writes it, checked as a whole map would be. */
gboolean
_lrp_composite_parse_rule (const char *text,
                           LrpCompositeEntry *e,
                           GError **error)
{
  if (!parse_rule_text (text, e, error) || !rule_validate (&e->rule, error))
    return FALSE;
  if (e->rule.kind == LRP_RULE_ZBOX && !e->box_from_model && e->rule.n_box == 0)
    return bad (error, "zbox needs both low and high");
  return TRUE;
}
