/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * LensApplication: the window side of `lrplens`.  `lrplens` opens the last
 * model and image (the bundled ones the first time), `lrplens MODEL [IMAGE]`
 * or `lrplens FOLDER` opens those; the app.* actions open files, samples and
 * folders in the active window.
 */
#define G_LOG_DOMAIN "lens-application"

#include "config.h"

#include "lens-application.h"

#include "lens-loop-meter.h"
#include "lens-window.h"

#include "lrp.h"

struct _LensApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (LensApplication, lens_application, ADW_TYPE_APPLICATION)

/* Blocks of the main loop count once there is a window to answer. */
static void
window_mapped_cb (GtkWidget *window,
                  gpointer user_data)
{
  lens_loop_meter_start ();
}

static LensWindow *
new_window (GtkApplication *app)
{
  LensWindow *window = lens_window_new (app);

  g_signal_connect (window, "map", G_CALLBACK (window_mapped_cb), NULL);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static LensWindow *
active_window (LensApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  return LENS_IS_WINDOW (window) ? LENS_WINDOW (window) : new_window (GTK_APPLICATION (self));
}

/* app.open-model, app.open-image, app.open-folder: a path, or '' for a
 * file chooser. */
static void
open_action (GSimpleAction *action,
             GVariant *parameter,
             gpointer user_data)
{
  const char *name = g_action_get_name (G_ACTION (action));
  const char *path = g_variant_get_string (parameter, NULL);
  LensWindow *window = active_window (user_data);

  if (g_str_equal (name, "open-model") && *path)
    lens_window_open (window, path, NULL);
  else if (g_str_equal (name, "open-model"))
    lens_window_choose_model (window);
  else if (g_str_equal (name, "open-image") && *path)
    lens_window_open (window, NULL, path);
  else if (g_str_equal (name, "open-image"))
    lens_window_choose_image (window);
  else if (*path)
    lens_window_open_folder (window, path);
  else
    lens_window_choose_folder (window);
}

/* "models/fashion-resnet.onnx" or "images/fmnist-17-coat.png": bundled. */
static void
sample_action (GSimpleAction *action,
               GVariant *parameter,
               gpointer user_data)
{
  const char *id = g_variant_get_string (parameter, NULL);
  g_autofree char *path = g_strconcat ("resource:///org/lrplens/Lens/", id, NULL);
  LensWindow *window = active_window (user_data);

  if (g_str_has_prefix (id, "models/"))
    lens_window_open (window, path, NULL);
  else
    lens_window_open (window, NULL, path);
}

static void
about_action (GSimpleAction *action,
              GVariant *parameter,
              gpointer user_data)
{
  const char *developers[] = { "The lrplens developers", NULL };
  const char *zennit[] = { "Zennit, the reference implementation of LRP rules, by "
                           "Christopher J. Anders et al. https://github.com/chr5tphr/zennit",
                           NULL };
  AdwAboutWindow *about = ADW_ABOUT_WINDOW (adw_about_window_new ());

  g_object_set (about,
                "transient-for", gtk_application_get_active_window (GTK_APPLICATION (user_data)),
                "application-name", "lrplens",
                "application-icon", "org.lrplens.Lrplens",
                "version", PACKAGE_VERSION,
                "comments", "See where a neural network finds the evidence for its prediction: "
                            "Layer-wise Relevance Propagation, exactly as Zennit computes it.",
                "website", "https://lrplens.org",
                "developers", developers,
                "license-type", GTK_LICENSE_GPL_3_0,
                NULL);
  adw_about_window_add_acknowledgement_section (about, "Rules as computed by", zennit);
  /* The bundled samples carry their own licences (resources/images/README.md),
   * in custom texts: the standard ones speak of "this application". */
  adw_about_window_add_legal_section (
    about, "Fashion-MNIST sample images", "Copyright © 2017 Zalando SE, https://tech.zalando.com",
    GTK_LICENSE_CUSTOM,
    "Permission is hereby granted, free of charge, to any person obtaining a copy of this "
    "software and associated documentation files (the \"Software\"), to deal in the Software "
    "without restriction, including without limitation the rights to use, copy, modify, merge, "
    "publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons "
    "to whom the Software is furnished to do so, subject to the following conditions:\n\n"
    "The above copyright notice and this permission notice shall be included in all copies or "
    "substantial portions of the Software.\n\n"
    "THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, "
    "INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR "
    "PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE "
    "FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR "
    "OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER "
    "DEALINGS IN THE SOFTWARE.");
  adw_about_window_add_legal_section (about, "Sample photos", NULL, GTK_LICENSE_CUSTOM,
                                      "From scikit-image's sample data. Chelsea the cat and the "
                                      "coffee cup: CC0, no copyright restrictions. The astronaut "
                                      "(NASA) and the rocket launch (SpaceX): public domain.");
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_action (GSimpleAction *action,
             GVariant *parameter,
             gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_entries[] = {
  { "open-model", open_action, "s", NULL, NULL },
  { "open-image", open_action, "s", NULL, NULL },
  { "open-folder", open_action, "s", NULL, NULL },
  { "sample", sample_action, "s", NULL, NULL },
  { "about", about_action, NULL, NULL, NULL },
  { "quit", quit_action, NULL, NULL, NULL },
};

static void
set_accels (GtkApplication *app)
{
  static const struct { const char *action; const char *accels[3]; } accels[] = {
    { "app.open-model('')", { "<Control>o", NULL } },
    { "app.open-image('')", { "<Control><Shift>o", NULL } },
    { "app.open-folder('')", { "<Control><Alt>o", NULL } },
    { "app.quit", { "<Control>q", NULL } },
    { "win.undo", { "<Control>z", NULL } },
    { "win.redo", { "<Control><Shift>z", "<Control>y", NULL } },
    { "win.export-dialog('heatmap')", { "<Control>e", NULL } },
    { "win.export-dialog('overlay')", { "<Control><Shift>e", NULL } },
    { "win.save-rules('')", { "<Control>s", NULL } },
    { "win.load-rules('')", { "<Control>l", NULL } },
    { "win.zoom-in", { "<Control>plus", "<Control>equal", NULL } },
    { "win.zoom-out", { "<Control>minus", NULL } },
    { "win.zoom-fit", { "<Control>0", NULL } },
    { "win.view('image')", { "<Control>1", NULL } },
    { "win.view('heatmap')", { "<Control>2", NULL } },
    { "win.view('overlay')", { "<Control>3", NULL } },
    { "win.cancel", { "Escape", NULL } },
    { "win.next-image", { "<Alt>Right", "Page_Down", NULL } },
    { "win.previous-image", { "<Alt>Left", "Page_Up", NULL } },
    { "win.show-help-overlay", { "F1", "<Control>question", NULL } },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (app, accels[i].action, accels[i].accels);
}

static void
lens_application_startup (GApplication *app)
{
  G_APPLICATION_CLASS (lens_application_parent_class)->startup (app);
  lrp_init ();
  g_action_map_add_action_entries (G_ACTION_MAP (app), app_entries,
                                   G_N_ELEMENTS (app_entries), app);
  set_accels (GTK_APPLICATION (app));
  gtk_window_set_default_icon_name ("org.lrplens.Lrplens");
}

static void
lens_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *model = NULL, *image = NULL;

  if (window)
    {
      gtk_window_present (window);
      return;
    }
  window = GTK_WINDOW (new_window (GTK_APPLICATION (app)));
  /* Where the last session ended, if those files are still there. */
  settings = g_settings_new ("org.lrplens.Lrplens");
  model = g_settings_get_string (settings, "last-model");
  image = g_settings_get_string (settings, "last-image");
  if (*model && !g_str_has_prefix (model, "resource://") && !g_file_test (model, G_FILE_TEST_EXISTS))
    g_clear_pointer (&model, g_free);
  if (*image && !g_str_has_prefix (image, "resource://") && !g_file_test (image, G_FILE_TEST_EXISTS))
    g_clear_pointer (&image, g_free);
  lens_window_open (LENS_WINDOW (window), model && *model ? model : NULL,
                    image && *image ? image : NULL);
}

/* `lrplens MODEL.onnx IMAGE`, `lrplens IMAGE`, `lrplens FOLDER`. */
static void
lens_application_open (GApplication *app,
                       GFile **files,
                       int n_files,
                       const char *hint)
{
  LensWindow *window;
  g_autofree char *model = NULL, *image = NULL, *folder = NULL;

  for (int i = 0; i < n_files; i++)
    {
      char *path = g_file_get_path (files[i]);
      char **slot = path == NULL ? NULL
                    : g_file_test (path, G_FILE_TEST_IS_DIR) ? &folder
                    : g_str_has_suffix (path, ".onnx") ? &model : &image;

      if (slot == NULL)
        continue;
      g_free (*slot);
      *slot = path;
    }
  window = active_window (LENS_APPLICATION (app));
  if (folder && model)
    lens_window_open (window, model, NULL);
  if (folder)
    lens_window_open_folder (window, folder);
  else
    lens_window_open (window, model, image);
}

static void
lens_application_class_init (LensApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->startup = lens_application_startup;
  app_class->activate = lens_application_activate;
  app_class->open = lens_application_open;
}

static void
lens_application_init (LensApplication *self)
{
}

/* Run from the build tree, the schema is beside the binary's build, not
 * installed: point GSettings there before anything reads it. */
static void
find_schemas (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = exe ? g_path_get_dirname (exe) : NULL;
  g_autofree char *build_app = g_build_filename (LRPLENS_BUILD_DIR, "app", NULL);

  if (g_getenv ("GSETTINGS_SCHEMA_DIR") == NULL && dir && g_str_equal (dir, build_app))
    g_setenv ("GSETTINGS_SCHEMA_DIR", LRPLENS_BUILD_DIR "/resources/data", TRUE);
}

LensApplication *
lens_application_new (void)
{
  find_schemas ();
  return g_object_new (LENS_TYPE_APPLICATION,
                       "application-id", "org.lrplens.Lrplens",
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/org/lrplens/Lrplens",
                       NULL);
}
