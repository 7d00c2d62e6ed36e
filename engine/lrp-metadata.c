/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lrp-metadata"

#include "config.h"

#include "lrp-metadata-private.h"

#include "lrp.h"

#include <json-glib/json-glib.h>
#include <stdlib.h>

LrpMetadata *
lrp_metadata_new (void)
{
  LrpMetadata *meta = g_new0 (LrpMetadata, 1);

  meta->range_low = 0.f;
  meta->range_high = 1.f;
  return meta;
}

void
lrp_metadata_free (LrpMetadata *meta)
{
  if (meta == NULL)
    return;
  g_free (meta->name);
  g_free (meta->description);
  g_strfreev (meta->labels);
  g_free (meta);
}

static gboolean
bad_value (GError **error,
           const char *expected)
{
  g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_FAILED, "expected %s", expected);
  return FALSE;
}

/* A JSON array of 1..max numbers. */
static gboolean
parse_numbers (JsonNode *node,
               int max,
               float *out,
               int *n_out,
               GError **error)
{
  JsonArray *array;
  guint len;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return bad_value (error, "a JSON array of numbers");
  array = json_node_get_array (node);
  len = json_array_get_length (array);
  if (len == 0 || len > (guint) max)
    return bad_value (error, max == 2 ? "two numbers" : "one number per channel (1 to 4)");
  for (guint i = 0; i < len; i++)
    {
      JsonNode *e = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) == G_TYPE_STRING)
        return bad_value (error, "numbers");
      out[i] = (float) json_node_get_double (e);
    }
  *n_out = (int) len;
  return TRUE;
}

static gboolean
parse_labels (JsonNode *node,
              LrpMetadata *meta,
              GError **error)
{
  JsonArray *array;
  guint len;
  GStrv labels;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return bad_value (error, "a JSON array of strings");
  array = json_node_get_array (node);
  len = json_array_get_length (array);
  labels = g_new0 (char *, len + 1);
  for (guint i = 0; i < len; i++)
    {
      JsonNode *e = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
        {
          g_strfreev (labels);
          return bad_value (error, "strings");
        }
      labels[i] = g_strdup (json_node_get_string (e));
    }
  g_strfreev (meta->labels);
  meta->labels = labels;
  return TRUE;
}

static gboolean
parse_resize (const char *value,
              LrpMetadata *meta,
              GError **error)
{
  if (g_str_equal (value, "stretch"))
    meta->resize = LRP_RESIZE_STRETCH;
  else if (g_str_has_prefix (value, "crop:"))
    {
      char *end = NULL;
      long size = strtol (value + 5, &end, 10);

      if (end == value + 5 || *end != '\0' || size < 1 || size > 16384)
        return bad_value (error, "“crop:SIZE” with SIZE a number of pixels");
      meta->resize = LRP_RESIZE_CROP;
      meta->crop_size = (int) size;
    }
  else
    return bad_value (error, "“stretch” or “crop:SIZE”");
  return TRUE;
}

/* Applies one key from a JSON node (the sidecar file's members, or the
 * parsed value of an ONNX metadata string). */
static gboolean
apply (LrpMetadata *meta,
       const char *key,
       JsonNode *node,
       GError **error)
{
  const char *s = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
                  ? json_node_get_string (node) : NULL;

  if (g_str_equal (key, "labels"))
    return parse_labels (node, meta, error);
  if (g_str_equal (key, "mean"))
    return parse_numbers (node, 4, meta->mean, &meta->n_mean, error);
  if (g_str_equal (key, "std"))
    {
      if (!parse_numbers (node, 4, meta->std, &meta->n_std, error))
        return FALSE;
      for (int i = 0; i < meta->n_std; i++)
        if (!(meta->std[i] > 0.f))
          return bad_value (error, "positive standard deviations");
      return TRUE;
    }
  if (g_str_equal (key, "input_range"))
    {
      float r[2];
      int n = 0;

      /* parse_numbers () has said what is wrong when it fails: the error
       * must not be set a second time. */
      if (!parse_numbers (node, 2, r, &n, error))
        return FALSE;
      if (n != 2 || !(r[0] < r[1]))
        return bad_value (error, "[low, high] with low < high");
      meta->range_low = r[0];
      meta->range_high = r[1];
      return TRUE;
    }
  if (s == NULL)
    return g_str_equal (key, "test_accuracy") || bad_value (error, "a string");
  if (g_str_equal (key, "name"))
    {
      g_free (meta->name);
      meta->name = g_strdup (s);
    }
  else if (g_str_equal (key, "description"))
    {
      g_free (meta->description);
      meta->description = g_strdup (s);
    }
  else if (g_str_equal (key, "color"))
    {
      if (g_str_equal (s, "gray") || g_str_equal (s, "grey"))
        meta->color = LRP_COLOR_GRAY;
      else if (g_str_equal (s, "rgb"))
        meta->color = LRP_COLOR_RGB;
      else
        return bad_value (error, "“gray” or “rgb”");
    }
  else if (g_str_equal (key, "resize"))
    return parse_resize (s, meta, error);
  /* Unknown keys are kept for other tools: ignore them. */
  return TRUE;
}

gboolean
lrp_metadata_set (LrpMetadata *meta,
                  const char *key,
                  const char *value,
                  GError **error)
{
  g_autoptr(JsonNode) node = NULL;
  gboolean structured = g_str_equal (key, "labels") || g_str_equal (key, "mean")
                        || g_str_equal (key, "std") || g_str_equal (key, "input_range");

  if (structured)
    {
      g_autoptr(GError) local = NULL;

      /* json-glib's errors are in its own domain, and an empty string is
       * NULL without one: the engine's domain either way. */
      node = json_from_string (value, &local);
      if (node == NULL)
        {
          /* Its message quotes the text with escapes decoded: not UTF-8. */
          g_autofree char *message = g_utf8_make_valid (local ? local->message
                                                        : "the value is empty", -1);

          g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_FAILED, "not JSON: %s", message);
          return FALSE;
        }
    }
  else
    {
      node = json_node_new (JSON_NODE_VALUE);
      json_node_set_string (node, value);
    }
  return apply (meta, key, node, error);
}

gboolean
lrp_metadata_load_json (LrpMetadata *meta,
                        const char *path,
                        GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *base = g_filename_display_basename (path);
  g_autoptr(GError) local = NULL;
  JsonObject *object;
  g_autoptr(GList) members = NULL;

  if (!json_parser_load_from_file (parser, path, &local))
    {
      g_autofree char *message = g_utf8_make_valid (local->message, -1);

      g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_FAILED, "%s: %s", base, message);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, LRP_MODEL_ERROR, LRP_MODEL_ERROR_FAILED,
                   "%s: expected a JSON object", base);
      return FALSE;
    }
  object = json_node_get_object (json_parser_get_root (parser));
  members = json_object_get_members (object);
  for (GList *l = members; l; l = l->next)
    if (!apply (meta, l->data, json_object_get_member (object, l->data), error))
      {
        g_prefix_error (error, "%s: “%s”: ", base, (const char *) l->data);
        return FALSE;
      }
  return TRUE;
}
