/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fuzz target: an image file's bytes through gdk-pixbuf (with lrplens's size
 * and memory checks) and the preprocessing of a 3 × 32 × 32 model that
 * resizes and crops, and of a 1 × 28 × 28 one that stretches.
 */
#define G_LOG_DOMAIN "lrp-fuzz"

#include "config.h"

#include "fuzz-common.h"

#include "lrp-image-private.h"

static LrpMetadata *crop_meta, *stretch_meta;  /* owned, for the process */

int
LLVMFuzzerInitialize (int *argc,
                      char ***argv)
{
  (void) argc;
  (void) argv;
  fuzz_setup ();
  crop_meta = lrp_metadata_new ();
  stretch_meta = lrp_metadata_new ();
  g_assert (lrp_metadata_set (crop_meta, "resize", "crop:36", NULL));
  g_assert (lrp_metadata_set (crop_meta, "mean", "[0.5, 0.4, 0.3]", NULL));
  g_assert (lrp_metadata_set (crop_meta, "std", "[0.2, 0.25, 0.3]", NULL));
  g_assert (lrp_metadata_set (stretch_meta, "resize", "stretch", NULL));
  g_assert (lrp_metadata_set (stretch_meta, "color", "gray", NULL));
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t size)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(LrpTensor) rgb = NULL, gray = NULL;

  /* The decoded image may take 64 bytes per byte of file or 16 MiB, and
   * gdk-pixbuf's loader a copy of the file and a few rows beside it. */
  fuzz_heap_start ();
  pixbuf = lrp_image_load_bytes (bytes, "fuzz.img", &error);
  fuzz_heap_check (MAX (64 * size, 16 << 20) + 2 * size + (1 << 20), "lrp_image_load_bytes",
                   size);
  fuzz_check_result (pixbuf != NULL, error, "lrp_image_load_bytes");
  if (pixbuf == NULL)
    return 0;
  rgb = lrp_image_preprocess (crop_meta, 3, 32, 32, pixbuf, &error);
  fuzz_check_result (rgb != NULL, error, "lrp_image_preprocess (crop)");
  g_clear_error (&error);
  gray = lrp_image_preprocess (stretch_meta, 1, 28, 28, pixbuf, &error);
  fuzz_check_result (gray != NULL, error, "lrp_image_preprocess (stretch)");
  return 0;
}
