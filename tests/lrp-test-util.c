/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "lrp-test-util.h"

#include "lrp-onnx-private.h"

#include <locale.h>
#include <math.h>

void
lrp_test_init (int *argc,
               char ***argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (argc, argv, NULL);
  setlocale (LC_ALL, "C.UTF-8");
  lrp_init ();
}

char *
lrp_test_dir_from_env (const char *var)
{
  const char *dir = g_getenv (var);

  if (dir == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    return NULL;
  return g_canonicalize_filename (dir, NULL);
}

double
lrp_test_closeness (const LrpTensor *got,
                    const LrpTensor *want,
                    double rtol,
                    double atol)
{
  double worst = 0;

  if (got == NULL || want == NULL || got->dtype != want->dtype || !lrp_tensor_same_shape (got, want))
    return INFINITY;
  for (int64_t i = 0; i < want->n; i++)
    {
      double g = lrp_tensor_get_number (got, i), w = lrp_tensor_get_number (want, i);
      double d;

      if (isnan (w) && isnan (g))
        continue;
      if (isinf (w) && g == w)
        continue;
      d = fabs (g - w) / (atol + rtol * fabs (w));
      if (!(d <= worst))
        worst = isnan (d) ? INFINITY : d;
    }
  return worst;
}

double
lrp_test_rel_error (const LrpTensor *got,
                    const LrpTensor *want)
{
  double max_want = 0, max_diff = 0;

  if (got == NULL || want == NULL || got->n != want->n)
    return INFINITY;
  for (int64_t i = 0; i < want->n; i++)
    {
      double g = lrp_tensor_get_number (got, i), w = lrp_tensor_get_number (want, i);

      max_want = MAX (max_want, fabs (w));
      if (!(fabs (g - w) <= max_diff))
        max_diff = isnan (g - w) ? INFINITY : fabs (g - w);
    }
  return max_want > 0 ? max_diff / max_want : max_diff;
}

LrpTensor *
lrp_test_load_pb (const char *path,
                  char **name,
                  GError **error)
{
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr(GBytes) bytes = NULL;

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
  return lrp_onnx_read_tensor (bytes, path, name, error);
}
