/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs a fuzz target's entry point on files, without libFuzzer: every file
 * of each directory given (or the files themselves), in name order, as TAP.
 * Built with gcc in every build, so the regression inputs run in the plain
 * test suite and under ASan + UBSan; a crash, a sanitizer report or a GLib
 * critical ends the program.  An input after which the process's peak
 * memory has grown by more than 256 MiB fails too: every regression file is
 * small, and the memory ceiling (64 bytes per byte of file, beyond a
 * model's own weights) keeps what it may cost far below that.
 */
#define G_LOG_DOMAIN "lrp-fuzz"

#include "config.h"

#include "fuzz-common.h"

#include <stdio.h>
#include <sys/resource.h>

#define REPLAY_MAX_GROWTH_KB (256 * 1024)

static long
peak_rss_kb (void)
{
  struct rusage u;

  getrusage (RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

static void
collect (const char *path,
         GPtrArray *files)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (files, g_strdup (path));
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return;
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.' && g_strcmp0 (name, "README") != 0)
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (files, g_build_filename (path, g_ptr_array_index (names, i), NULL));
}

int
main (int argc,
      char **argv)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  long base;
  int status = 0;

  LLVMFuzzerInitialize (&argc, &argv);
  base = peak_rss_kb ();
  for (int i = 1; i < argc; i++)
    collect (argv[i], files);
  printf ("1..%u\n", files->len);
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autoptr(GError) error = NULL;
      g_autofree char *data = NULL;
      gsize len;

      if (!g_file_get_contents (path, &data, &len, &error))
        {
          printf ("not ok %u - %s: %s\n", i + 1, path, error->message);
          status = 1;
          continue;
        }
      fflush (stdout);
      LLVMFuzzerTestOneInput ((const uint8_t *) data, len);
      if (peak_rss_kb () - base > REPLAY_MAX_GROWTH_KB)
        {
          printf ("not ok %u - %s: peak memory grew by %ld MiB\n", i + 1, path,
                  (peak_rss_kb () - base) / 1024);
          status = 1;
          base = peak_rss_kb ();
        }
      else
        printf ("ok %u - %s\n", i + 1, path);
    }
  if (files->len == 0)
    {
      printf ("Bail out! no input files\n");
      return 1;
    }
  return status;
}
