/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `lrplens explain`: relevance of one input for one class, by a composite,
 * a rule map or a baseline, written as .npy, per-layer .npy files with an
 * index, or heatmap images (PNG, PDF or SVG, drawn by the engine's renderer).
 */
#include "config.h"

#include "lens-explain.h"

#include "lrp.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <glib/gstdio.h>

static const char *const baseline_names[] = {
  "gradient", "gradient_x_input", "smoothgrad", "integrated_gradients", NULL,
};

static gboolean
fail_usage (GError **error,
            const char *message)
{
  g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, message);
  return FALSE;
}

/* --composite NAME, --rules MAP|FILE, plus the parameter options. */
static LrpComposite *
make_composite (const LensExplainOptions *o,
                GError **error)
{
  g_autoptr(LrpComposite) c = NULL;
  const struct { const char *name; const char *value; } params[] = {
    { "epsilon", o->epsilon }, { "gamma", o->gamma }, { "alpha", o->alpha },
    { "beta", o->beta }, { "low", o->low }, { "high", o->high },
  };

  if (o->rules && g_file_test (o->rules, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *text = NULL;
      g_autofree char *base = g_path_get_basename (o->rules);

      if (!g_file_get_contents (o->rules, &text, NULL, error))
        return NULL;
      c = lrp_composite_parse (text, error);
      if (c == NULL)
        g_prefix_error (error, "%s: ", base);
    }
  else
    c = lrp_composite_parse (o->rules ? o->rules : o->composite ? o->composite
                                                                : "epsilon_plus", error);
  if (c == NULL)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (params); i++)
    if (params[i].value && !lrp_composite_set_param (c, params[i].name, params[i].value, error))
      return NULL;
  return g_steal_pointer (&c);
}

static gboolean
write_layers (LrpExplainer *e,
              const char *dir,
              GError **error)
{
  g_auto(GStrv) names = lrp_explainer_list_tensors (e);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *index_path = g_build_filename (dir, "index.json", NULL);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", dir,
                   g_strerror (errno));
      return FALSE;
    }
  json_builder_begin_object (b);
  for (int i = 0; names[i]; i++)
    {
      LrpTensor *r = lrp_explainer_get_relevance (e, names[i]);
      g_autofree char *file = NULL, *path = NULL;
      g_autoptr(GString) safe = g_string_new (names[i][0] == '/' ? names[i] + 1 : names[i]);
      const float *v = lrp_tensor_get_data (r);
      double sum = 0;

      /* File names as the reference set makes them: "/a/b" → "a__b.npy". */
      g_string_replace (safe, "/", "__", 0);
      file = g_strdup_printf ("%03d-%s.npy", i, safe->str);
      path = g_build_filename (dir, file, NULL);
      if (!lrp_tensor_save_npy (r, path, error))
        return FALSE;
      for (int64_t k = 0; k < lrp_tensor_get_n_elements (r); k++)
        sum += v[k];
      json_builder_set_member_name (b, names[i]);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, file);
      json_builder_set_member_name (b, "sum");
      json_builder_add_double_value (b, sum);
      json_builder_set_member_name (b, "shape");
      json_builder_begin_array (b);
      for (int d = 0; d < lrp_tensor_get_rank (r); d++)
        json_builder_add_int_value (b, lrp_tensor_get_shape (r)[d]);
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_file (gen, index_path, error);
}

/* --verbose: which rule every node gets, marking those the map changed
 * from its preset. */
static gboolean
print_assignment (const LrpModel *model,
                  const LrpComposite *composite,
                  GError **error)
{
  g_autoptr(GPtrArray) layers = lrp_composite_list_layers (composite, model, error);
  const char *preset = lrp_composite_get_name (composite);

  if (layers == NULL)
    return FALSE;
  if (g_str_equal (preset, "custom"))
    g_print ("rules: no preset; * = set by the map (a Conv/dense layer no entry names keeps "
             "its gradient)\n");
  else
    g_print ("rules: preset %s; * = the map changes the preset's rule\n", preset);
  g_print ("%-4s %-5s %-40s %-20s %-18s   %s\n", "#", "N", "layer", "op", "output", "rule");
  for (guint n = 0; n < layers->len; n++)
    {
      const LrpLayer *l = g_ptr_array_index (layers, n);
      g_autofree char *index = l->linear_index >= 0 ? g_strdup_printf ("#%d", l->linear_index)
                                                    : g_strdup ("");
      g_autoptr(GString) shape = g_string_new ("[");

      for (int d = 0; d < l->rank; d++)
        g_string_append_printf (shape, "%s%" G_GINT64_FORMAT, d ? ", " : "", l->shape[d]);
      g_string_append_c (shape, ']');
      g_print ("%-4u %-5s %-40s %-20s %-18s %s %s\n", n, index, l->name, l->op_type, shape->str,
               l->overridden ? "*" : " ", l->rule_text);
    }
  return TRUE;
}

static gboolean
run_method (LrpExplainer *e,
            const LrpModel *model,
            const LensExplainOptions *o,
            const LrpTarget *target,
            GError **error)
{
  g_autoptr(LrpComposite) composite = NULL;

  if (o->baseline)
    {
      for (int b = 0; baseline_names[b]; b++)
        if (g_str_equal (o->baseline, baseline_names[b]))
          return lrp_explainer_baseline (e, (LrpBaseline) b, target, o->samples, (float) o->noise,
                                         NULL, error);
      return fail_usage (error, "--baseline takes gradient, gradient_x_input, smoothgrad or "
                         "integrated_gradients");
    }
  composite = make_composite (o, error);
  /* An entry that selects no layer is a typo more often than not. */
  if (composite == NULL || !lrp_composite_check_model (composite, model, error))
    return FALSE;
  if (o->verbose && !print_assignment (model, composite, error))
    return FALSE;
  return lrp_explainer_explain (e, composite, target, NULL, error);
}

/* --heatmap, --overlay and --colorbar: a format the file name says. */
static gboolean
check_image_path (const char *option,
                  const char *path,
                  GError **error)
{
  LrpExportFormat format;

  if (path == NULL || lrp_export_format_from_name (path, &format))
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "%s %s: give a file ending in .png, .pdf or .svg", option, path);
  return FALSE;
}

static gboolean
check_render_options (const LensExplainOptions *o,
                      GError **error)
{
  if (o->colormap && !lrp_colormap_is_valid (o->colormap))
    {
      g_autofree char *names = g_strjoinv (", ", (char **) lrp_colormap_list ());

      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--colormap %s: not a colormap; there are %s", o->colormap, names);
      return FALSE;
    }
  if (!(o->clip > 0.0 && o->clip <= 100.0))
    return fail_usage (error, "--clip takes a percentile above 0 and at most 100");
  if (o->normalization && !g_str_equal (o->normalization, "symmetric")
      && !g_str_equal (o->normalization, "absolute"))
    return fail_usage (error, "--normalization takes symmetric or absolute");
  if (!(o->opacity >= 0.0 && o->opacity <= 1.0))
    return fail_usage (error, "--opacity takes a value from 0 to 1");
  return check_image_path ("--heatmap", o->heatmap, error)
         && check_image_path ("--overlay", o->overlay, error)
         && check_image_path ("--colorbar", o->colorbar, error);
}

static gboolean
check_options (const LensExplainOptions *o,
               LrpTarget *target,
               GError **error)
{
  if (!check_render_options (o, error))
    return FALSE;
  if ((o->composite != NULL) + (o->rules != NULL) + (o->baseline != NULL) > 1)
    return fail_usage (error, "give one of --composite, --rules and --baseline");
  if (o->start && !g_str_equal (o->start, "logit") && !g_str_equal (o->start, "one"))
    return fail_usage (error, "--start takes logit or one");
  if (o->layer == NULL && (o->channel >= 0 || o->neuron >= 0))
    return fail_usage (error, "--channel and --neuron need --from-layer");
  target->class_index = o->class_index;
  target->contrast_class = o->contrast;
  target->start = o->start && g_str_equal (o->start, "one") ? LRP_START_ONE : LRP_START_LOGIT;
  target->layer = o->layer;
  target->channel = o->channel;
  target->neuron = o->neuron;
  return TRUE;
}

/* The heatmap as text, two characters per pixel (so it looks square):
 * darker glyphs for more positive relevance, '-' and '=' for negative. */
static void
print_ascii (LrpTensor *r)
{
  static const char ramp[] = " .:;+*o#%@";
  const int64_t *shape = lrp_tensor_get_shape (r);
  int rank = lrp_tensor_get_rank (r);
  const float *v = lrp_tensor_get_data (r);
  int64_t h, w, channels, step;
  g_autofree double *plane = NULL;
  double max = 0;

  if (rank < 3)
    return;
  h = shape[rank - 2];
  w = shape[rank - 1];
  channels = lrp_tensor_get_n_elements (r) / (h * w);
  step = (MAX (h, w) + 47) / 48;             /* at most 48 pixels across */
  plane = g_new0 (double, h * w);
  for (int64_t c = 0; c < channels; c++)
    for (int64_t i = 0; i < h * w; i++)
      plane[i] += v[c * h * w + i];
  for (int64_t i = 0; i < h * w; i++)
    max = MAX (max, fabs (plane[i]));
  if (max == 0)
    return;
  for (int64_t y = 0; y < h; y += step)
    {
      for (int64_t x = 0; x < w; x += step)
        {
          double p = plane[y * w + x] / max;
          char ch = p >= 0 ? ramp[(int) MIN (9.0, p * 10.0)]
                            : (p < -0.3 ? '=' : p < -0.1 ? '-' : ' ');

          g_print ("%c%c", ch, ch);
        }
      g_print ("\n");
    }
}

static gboolean
export_one (LrpHeatmap *heatmap,
            cairo_surface_t *view,
            const LensExplainOptions *o,
            LrpExportKind kind,
            const char *path,
            GError **error)
{
  LrpRenderOptions options = LRP_RENDER_OPTIONS_INIT;
  LrpExportFormat format = LRP_EXPORT_PNG;

  if (path == NULL)
    return TRUE;
  options.colormap = o->colormap;
  options.clip = o->clip;
  if (o->normalization && g_str_equal (o->normalization, "absolute"))
    options.normalization = LRP_NORM_ABSOLUTE;
  lrp_export_format_from_name (path, &format);
  return lrp_heatmap_export (heatmap, view, &options, o->opacity, kind, format, 0, path, error);
}

/* --heatmap, --overlay, --colorbar: the renderer the GUI uses, to files. */
static gboolean
write_images (const LrpModel *model,
              const char *input_path,
              LrpTensor *relevance,
              const LensExplainOptions *o,
              GError **error)
{
  g_autoptr(LrpHeatmap) heatmap = NULL;
  cairo_surface_t *view = NULL;
  gboolean ok;

  if (o->heatmap == NULL && o->overlay == NULL && o->colorbar == NULL)
    return TRUE;
  heatmap = lrp_heatmap_new (relevance, error);
  if (heatmap == NULL)
    return FALSE;
  if (o->overlay)
    {
      view = lrp_model_load_view (model, input_path, error);
      if (view == NULL)
        return FALSE;
    }
  ok = export_one (heatmap, view, o, LRP_EXPORT_HEATMAP, o->heatmap, error)
       && export_one (heatmap, view, o, LRP_EXPORT_OVERLAY, o->overlay, error)
       && export_one (heatmap, view, o, LRP_EXPORT_COLORBAR, o->colorbar, error);
  if (view)
    cairo_surface_destroy (view);
  return ok;
}

static void
print_summary (const LrpModel *model,
               LrpExplainer *e,
               const LensExplainOptions *o)
{
  LrpTensor *r = lrp_explainer_get_relevance (e, NULL);
  int c = lrp_explainer_get_class (e);
  const char *label = c >= 0 ? lrp_model_get_label (model, c) : NULL;
  double sum = 0;

  for (int64_t i = 0; r && i < lrp_tensor_get_n_elements (r); i++)
    sum += lrp_tensor_get_data (r)[i];
  if (c >= 0)
    g_print ("explained class %d%s%s%s\n", c, label ? " (" : "", label ? label : "",
             label ? ")" : "");
  else
    g_print ("explained tensor %s\n", o->layer);
  g_print ("method: %s\n", o->baseline ? o->baseline : o->rules ? "rule map"
           : o->composite ? o->composite : "epsilon_plus");
  g_print ("input relevance sum: %.6g\n", sum);
  if (o->ascii)
    print_ascii (r);
  if (o->verbose)
    {
      g_autofree char *table = lrp_explainer_describe (e);

      g_print ("%s", table);
    }
}

gboolean
lens_explain (const char *model_path,
              const char *input_path,
              const LensExplainOptions *o,
              GError **error)
{
  g_autoptr(LrpModel) model = NULL;
  g_autoptr(LrpTensor) input = NULL;
  g_autoptr(LrpExplainer) e = NULL;
  LrpTarget target = LRP_TARGET_INIT;
  LrpTensor *r;

  if (!check_options (o, &target, error))
    return FALSE;
  model = lrp_model_load (model_path, NULL, error);
  if (model == NULL)
    return FALSE;
  input = lrp_model_load_input (model, input_path, error);
  if (input == NULL)
    return FALSE;
  e = lrp_explainer_new (model, input, NULL, error);
  if (e == NULL || !run_method (e, model, o, &target, error))
    return FALSE;
  r = lrp_explainer_get_relevance (e, NULL);
  if (r == NULL)
    return fail_usage (error, "no relevance reached the input");
  if ((o->out && !lrp_tensor_save_npy (r, o->out, error))
      || (o->layers && !write_layers (e, o->layers, error))
      || !write_images (model, input_path, r, o, error))
    return FALSE;
  print_summary (model, e, o);
  return TRUE;
}

static void
print_colormaps (void)
{
  g_autofree char *names = g_strjoinv (", ", (char **) lrp_colormap_list ());

  g_print ("\nColormaps (--colormap NAME; Zennit's, bwr by default):\n  %s.\n"
           "  --normalization symmetric (default): 0 at the colormap's centre, −s and s at its\n"
           "  ends; absolute: |R| from 0 to s.  s is the --clip percentile of |R| (99).\n",
           names);
}

void
lens_explain_print_list (void)
{
  const char *const *desc = NULL;
  const char *const *names = lrp_composite_list_builtin (&desc);

  g_print ("Composites (--composite NAME):\n");
  for (int i = 0; names[i]; i++)
    g_print ("  %-26s %s\n", names[i], desc[i]);
  g_print ("\nRules (in --rules maps), with their parameters and defaults:\n"
           "  epsilon      epsilon=1e-6 (lrp0: epsilon=0)   zplus       stabilizer=1e-6\n"
           "  gamma        gamma=0.25                         alpha_beta  alpha=2, beta=1\n"
           "  zbox         low, high (one value or one per channel; default: the model's\n"
           "               pixel range through its mean/std)\n"
           "  flat, wsquare, pass, norm, gradient             every rule: stabilizer, zero_bias\n"
           "\nRule maps: [COMPOSITE;]LAYERS=RULE[(key=value,...)];...  LAYERS is conv, dense,\n"
           "  linear, first, first_conv, upper_conv, name:GLOB or #N (N-th Conv/dense layer,\n"
           "  negative from the end); later entries override earlier ones.  Or a JSON file:\n"
           "  {\"composite\": \"epsilon_plus\", \"rules\": [{\"layers\": \"conv\",\n"
           "  \"rule\": \"gamma\", \"gamma\": 0.5}, {\"name\": \"/0/*\", \"rule\": \"flat\"}]}\n"
           "\nBaselines (--baseline NAME): gradient, gradient_x_input, smoothgrad (--samples,\n"
           "  --noise), integrated_gradients (--samples); seeded like LRP.\n");
  print_colormaps ();
}
