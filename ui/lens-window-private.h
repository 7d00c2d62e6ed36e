/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * LensWindow is split over lens-window.c (layout, loading, showing results)
 * and lens-window-actions.c (the win.* actions); this is what they share.
 */
#pragma once

#include "lens-colorbar.h"
#include "lens-folder-strip.h"
#include "lens-heatmap-view.h"
#include "lens-layer-list.h"
#include "lens-prediction-list.h"
#include "lens-window.h"

G_BEGIN_DECLS

struct _LensWindow
{
  AdwApplicationWindow parent_instance;

  /* template children */
  AdwToastOverlay *toasts;
  AdwWindowTitle *title;
  GtkMenuButton *samples_button;
  GtkDropDown *colormap;
  GtkDropDown *preset;
  LensLayerList *layers;
  GtkLabel *timing;
  LensHeatmapView *view;
  GtkLabel *readout;
  GtkLabel *explained;
  char *explained_text;        /* owned: what the last result explains */
  GtkWidget *scale_box;
  GtkRevealer *progress_revealer;
  GtkLabel *progress_label;
  GtkProgressBar *progress_bar;
  LensColorbar *colorbar;
  GtkDropDown *normalization;
  GtkAdjustment *clip_adjustment;
  GtkAdjustment *opacity_adjustment;
  GtkWidget *opacity_box;
  LensPredictionList *prediction;
  GtkRevealer *strip_revealer;
  LensFolderStrip *strip;
  GtkPaned *inner_paned;
  GMenu *recent_menu;

  GSettings *settings;         /* owned */
  LensDocument *document;      /* owned */
  LensRunner *runner;          /* owned */
  GCancellable *load;          /* owned: the running load, if any */
  char *loading_model;         /* owned: the model that load reads, if a new one */
  char *loading_image;         /* owned: the image that load reads */
  /* The model and input of the explanation on screen (refs and copies of
   * the document's), to go back to when the first run on new ones is
   * stopped. */
  struct {
    guint serial;
    LrpModel *model;
    char *model_path;
    LrpTensor *input;
    cairo_surface_t *view;
    char *image_path;
    char *rules;               /* the rule map in force, as JSON */
  } shown;
  gboolean updating;           /* drop-downs set from state, not by the user */
  char *last_error;            /* owned: the last message shown, for scripts */
  char *export_what;           /* owned: what the open export dialog saves */
  char *export_size;           /* owned: its size choice: "auto", "1", "4", "8" */
};

typedef void (*LensPathFunc) (LensWindow *self, const char *path);

gboolean _lens_window_revert_source (LensWindow *self);

GtkFileChooser *_lens_window_chooser_new (LensWindow *self, const char *title,
                                          GtkFileChooserAction mode, const char *suggested,
                                          const char *patterns, LensPathFunc func);
void _lens_window_choose (LensWindow *self, const char *title, GtkFileChooserAction mode,
                          const char *suggested, const char *patterns, LensPathFunc func);
void _lens_window_actions_init (LensWindow *self);
void _lens_window_actions_update (LensWindow *self);
void _lens_window_show_error (LensWindow *self, const char *heading, const GError *error);

G_END_DECLS
