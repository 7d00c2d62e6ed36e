/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fuzz target: a tensor file's bytes (.npy by its signature, else a
 * serialized ONNX TensorProto), then the tensor written back as .npy.
 */
#define G_LOG_DOMAIN "lrp-fuzz"

#include "config.h"

#include "fuzz-common.h"

#include "lrp-image-private.h"

int
LLVMFuzzerInitialize (int *argc,
                      char ***argv)
{
  (void) argc;
  (void) argv;
  fuzz_setup ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t size)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpTensor) t = NULL;

  /* The name decides only the message when the bytes are neither format. */
  fuzz_heap_start ();
  t = lrp_tensor_load_bytes (bytes, size > 0 && data[0] & 1 ? "fuzz.pb" : "fuzz.bin", &error);
  fuzz_heap_check (64 * size + (64 << 10), "lrp_tensor_load_bytes", size);
  fuzz_check_result (t != NULL, error, "lrp_tensor_load_bytes");
  if (t == NULL)
    return 0;
  g_assert (t->dtype == LRP_DTYPE_FLOAT && t->data != NULL);
  g_assert (lrp_shape_validate (t->rank, t->shape, NULL, NULL));
  /* Reading every value: ASan sees a buffer shorter than the shape. */
  {
    volatile float sum = 0.f;

    for (int64_t i = 0; i < t->n; i++)
      sum += lrp_tensor_f (t)[i];
    (void) sum;
  }
  return 0;
}
