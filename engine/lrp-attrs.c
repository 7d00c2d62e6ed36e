/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lrp-attrs"

#include "config.h"

#include "lrp-graph-private.h"

static const LrpAttr *
find (const LrpAttrs *a,
      const char *name)
{
  for (int i = 0; i < a->n_attrs; i++)
    if (g_strcmp0 (a->attrs[i].name, name) == 0)
      return &a->attrs[i];
  return NULL;
}

static gboolean
check_type (const LrpAttrs *a,
            const LrpAttr *attr,
            LrpAttrType type,
            const char *expected,
            GError **error)
{
  if (attr->type == type)
    return TRUE;
  g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_UNSUPPORTED,
               "node “%s” (%s): attribute “%s” should be %s", a->node_name, a->op_type,
               attr->name, expected);
  return FALSE;
}

gboolean
lrp_attrs_has (const LrpAttrs *a,
               const char *name)
{
  return find (a, name) != NULL;
}

gboolean
lrp_attrs_get_int (const LrpAttrs *a,
                   const char *name,
                   int64_t def,
                   int64_t *out,
                   GError **error)
{
  const LrpAttr *attr = find (a, name);

  *out = def;
  if (attr == NULL)
    return TRUE;
  if (!check_type (a, attr, LRP_ATTR_INT, "an integer", error))
    return FALSE;
  *out = attr->i;
  return TRUE;
}

gboolean
lrp_attrs_get_float (const LrpAttrs *a,
                     const char *name,
                     double def,
                     double *out,
                     GError **error)
{
  const LrpAttr *attr = find (a, name);

  *out = def;
  if (attr == NULL)
    return TRUE;
  if (!check_type (a, attr, LRP_ATTR_FLOAT, "a float", error))
    return FALSE;
  *out = attr->f;
  return TRUE;
}

gboolean
lrp_attrs_get_ints (const LrpAttrs *a,
                    const char *name,
                    int *n,
                    const int64_t **out,
                    GError **error)
{
  const LrpAttr *attr = find (a, name);

  *n = 0;
  *out = NULL;
  if (attr == NULL)
    return TRUE;
  if (!check_type (a, attr, LRP_ATTR_INTS, "a list of integers", error))
    return FALSE;
  *n = attr->n;
  *out = attr->ints;
  return TRUE;
}

gboolean
lrp_attrs_get_floats (const LrpAttrs *a,
                      const char *name,
                      int *n,
                      const float **out,
                      GError **error)
{
  const LrpAttr *attr = find (a, name);

  *n = 0;
  *out = NULL;
  if (attr == NULL)
    return TRUE;
  if (!check_type (a, attr, LRP_ATTR_FLOATS, "a list of floats", error))
    return FALSE;
  *n = attr->n;
  *out = attr->floats;
  return TRUE;
}

const char *
lrp_attrs_get_string (const LrpAttrs *a,
                      const char *name)
{
  const LrpAttr *attr = find (a, name);

  return attr && attr->type == LRP_ATTR_STRING ? attr->s : NULL;
}

LrpTensor *
lrp_attrs_get_tensor (const LrpAttrs *a,
                      const char *name)
{
  const LrpAttr *attr = find (a, name);

  return attr && attr->type == LRP_ATTR_TENSOR ? attr->t : NULL;
}

void
lrp_attrs_clear (LrpAttrs *attrs)
{
  for (int i = 0; i < attrs->n_attrs; i++)
    {
      LrpAttr *at = &attrs->attrs[i];

      g_free (at->name);
      g_free (at->s);
      g_clear_pointer (&at->t, lrp_tensor_unref);
      g_free (at->floats);
      g_free (at->ints);
    }
  g_clear_pointer (&attrs->attrs, g_free);
  attrs->n_attrs = 0;
}
