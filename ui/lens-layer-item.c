/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * LensLayerItem: one row of the layer list, a layer of a result (or the
 * input, below the first layer) with the relevance that reached it.
 */
#define G_LOG_DOMAIN "lens-layer-item"

#include "config.h"

#include "lens-layer-item.h"

#include <math.h>

struct _LensLayerItem
{
  GObject parent_instance;

  LensResult *result;          /* owned */
  int index;                   /* into result->layers; -1 for the input */
};

G_DEFINE_FINAL_TYPE (LensLayerItem, lens_layer_item, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
lens_layer_item_finalize (GObject *object)
{
  LensLayerItem *self = LENS_LAYER_ITEM (object);

  g_clear_pointer (&self->result, lens_result_unref);
  G_OBJECT_CLASS (lens_layer_item_parent_class)->finalize (object);
}

static void
lens_layer_item_class_init (LensLayerItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lens_layer_item_finalize;

  /* A newer result for the same layer: rows redraw in place, so an open
   * rule editor stays open while its edits are computed. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lens_layer_item_init (LensLayerItem *self)
{
}

LensLayerItem *
lens_layer_item_new (LensResult *result,
                     int index)
{
  LensLayerItem *self = g_object_new (LENS_TYPE_LAYER_ITEM, NULL);

  self->result = lens_result_ref (result);
  self->index = index;
  return self;
}

void
lens_layer_item_set_result (LensLayerItem *self,
                            LensResult *result)
{
  g_return_if_fail (LENS_IS_LAYER_ITEM (self));
  lens_result_ref (result);
  g_clear_pointer (&self->result, lens_result_unref);
  self->result = result;
  g_signal_emit (self, signals[CHANGED], 0);
}

const LrpLayer *
lens_layer_item_get_layer (LensLayerItem *self)
{
  g_return_val_if_fail (LENS_IS_LAYER_ITEM (self), NULL);
  return self->index >= 0 ? g_ptr_array_index (self->result->layers, self->index) : NULL;
}

int
lens_layer_item_get_index (LensLayerItem *self)
{
  g_return_val_if_fail (LENS_IS_LAYER_ITEM (self), -1);
  return self->index;
}

/* The name a person reads: torch's exporter calls nodes after their
 * module path and operator ("/layer1/layer1.0/conv1/Conv"), which a narrow
 * column would cut to nothing.  The module's own name in PyTorch,
 * "layer1.0.conv1", says the same and tells ResNet's many "conv1" apart:
 * the path's parts joined by dots, each part that only repeats the start
 * of the next ("layer1" before "layer1.0") left out. */
char *
lens_layer_display_name (const char *name)
{
  g_auto(GStrv) parts = NULL;
  GString *shown;
  int n;

  if (name[0] != '/')
    return g_strdup (name);
  parts = g_strsplit (name + 1, "/", -1);
  n = (int) g_strv_length (parts);
  /* The operator is the last part, capitalised as ONNX's op types are. */
  if (n >= 2 && g_ascii_isupper (parts[n - 1][0]))
    n--;
  if (n < 1 || *parts[n - 1] == '\0')
    return g_strdup (name);
  shown = g_string_new (NULL);
  for (int i = 0; i < n; i++)
    {
      g_autofree char *prefix = g_strconcat (parts[i], ".", NULL);

      if (*parts[i] == '\0' || (i + 1 < n && g_str_has_prefix (parts[i + 1], prefix)))
        continue;
      g_string_append_printf (shown, "%s%s", shown->len ? "." : "", parts[i]);
    }
  return g_string_free (shown, FALSE);
}

char *
lens_layer_item_dup_display_name (LensLayerItem *self)
{
  const LrpLayer *layer = lens_layer_item_get_layer (self);

  return layer ? lens_layer_display_name (layer->name) : g_strdup ("input");
}

/* "8×28×28": the output shape without the batch of one. */
char *
lens_layer_item_dup_shape (LensLayerItem *self)
{
  const LrpLayer *layer = lens_layer_item_get_layer (self);
  GString *s = g_string_new (NULL);
  int rank;
  const int64_t *shape;

  if (layer)
    {
      rank = layer->rank;
      shape = layer->shape;
    }
  else
    shape = lrp_model_get_input_shape (self->result->model, &rank);
  for (int i = rank > 1 && shape[0] == 1 ? 1 : 0; i < rank; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, s->len ? "×" : "", shape[i]);
  return g_string_free (s, FALSE);
}

/* The rule as a person reads it: "γ = 0.25", "ε = 1e-06", "ZBox". */
char *
lens_layer_item_dup_rule_label (LensLayerItem *self)
{
  const LrpLayer *l = lens_layer_item_get_layer (self);
  const char *kind;

  if (l == NULL)
    return g_strdup ("");
  kind = l->rule;
  if (g_str_equal (kind, "epsilon"))
    return l->epsilon == 0 ? g_strdup ("LRP-0") : g_strdup_printf ("ε = %g", l->epsilon);
  if (g_str_equal (kind, "gamma"))
    return g_strdup_printf ("γ = %g", l->gamma);
  if (g_str_equal (kind, "alpha_beta"))
    /* As the literature writes it (LRP-α2β1): "α = 2, β = 1" would not fit
     * the column. */
    return g_strdup_printf ("α%gβ%g", l->alpha, l->beta);
  if (g_str_equal (kind, "zplus"))
    return g_strdup ("Z⁺");
  if (g_str_equal (kind, "zbox"))
    return g_strdup ("ZBox");
  if (g_str_equal (kind, "flat"))
    return g_strdup ("Flat");
  if (g_str_equal (kind, "wsquare"))
    return g_strdup ("W²");
  if (g_str_equal (kind, "gradient"))
    return g_strdup ("Gradient");
  if (g_str_equal (kind, "pass"))
    return g_strdup ("Pass");
  if (g_str_equal (kind, "norm"))
    return g_strdup ("Norm");
  return g_strdup (kind);
}

double
lens_layer_item_get_sum (LensLayerItem *self)
{
  g_return_val_if_fail (LENS_IS_LAYER_ITEM (self), NAN);
  if (self->index < 0)
    return lrp_heatmap_get_sum (self->result->heatmap);
  return self->result->layer_sums[self->index];
}

/* The conservation figure: ΣR here over ΣR where the explanation started. */
double
lens_layer_item_get_share (LensLayerItem *self)
{
  double sum = lens_layer_item_get_sum (self), start = self->result->start_sum;

  return isfinite (sum) && isfinite (start) && start != 0 ? sum / start : NAN;
}
