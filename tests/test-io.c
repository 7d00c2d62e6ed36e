/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Tensor files: .npy read/write, .pb read, and tensors as model inputs.
 */
#include "config.h"

#include "lrp-test-util.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static char *tmp_dir;

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

static char *
data_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", name, NULL);
}

/* Writes a .npy file with any version, header text and data. */
static char *
write_npy (const char *name,
           int version,
           const char *header,
           const void *data,
           gsize data_len)
{
  g_autoptr(GByteArray) b = g_byte_array_new ();
  guint8 prefix[8] = { 0x93, 'N', 'U', 'M', 'P', 'Y', (guint8) version, 0 };
  guint32 hlen = (guint32) strlen (header);
  guint8 len_le[4] = { hlen & 0xff, (hlen >> 8) & 0xff, (hlen >> 16) & 0xff, hlen >> 24 };
  char *path = tmp_path (name);

  g_byte_array_append (b, prefix, 8);
  g_byte_array_append (b, len_le, version == 1 ? 2 : 4);
  g_byte_array_append (b, (const guint8 *) header, hlen);
  if (data_len)
    g_byte_array_append (b, data, (guint) data_len);
  g_assert_true (g_file_set_contents (path, (const char *) b->data, b->len, NULL));
  return path;
}

static char *
write_file (const char *name,
            const char *contents,
            gssize len)
{
  char *path = tmp_path (name);

  g_assert_true (g_file_set_contents (path, contents, len, NULL));
  return path;
}

static LrpTensor *
make_tensor (int rank,
             const int64_t *shape)
{
  LrpTensor *t = lrp_tensor_new_float (rank, shape);

  for (int64_t i = 0; i < t->n; i++)
    lrp_tensor_f (t)[i] = (float) g_test_rand_double_range (-10, 10);
  return t;
}

static void
assert_unreadable (const char *path,
                   const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpTensor) t = lrp_tensor_load (path, &error);
  g_autofree char *base = g_path_get_basename (path);

  g_assert_null (t);
  g_assert_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, base));
  g_assert_null (strchr (error->message, '\n'));
  if (fragment && strstr (error->message, fragment) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, fragment);
}

static void
test_npy_round_trip (void)
{
  const int64_t shapes[][4] = { { 0 }, { 5 }, { 2, 3 }, { 1, 3, 4, 5 }, { 0, 3 } };
  const int ranks[] = { 0, 1, 2, 4, 2 };

  for (guint k = 0; k < G_N_ELEMENTS (ranks); k++)
    {
      g_autoptr(LrpTensor) t = make_tensor (ranks[k], shapes[k]);
      g_autofree char *path = tmp_path ("round-trip.npy");
      g_autoptr(GError) error = NULL;
      g_autoptr(LrpTensor) back = NULL;
      g_autofree char *contents = NULL;
      gsize len;

      g_assert_true (lrp_tensor_save_npy (t, path, &error));
      g_assert_no_error (error);
      back = lrp_tensor_load (path, &error);
      g_assert_no_error (error);
      g_assert_true (lrp_tensor_same_shape (t, back));
      g_assert_cmpint (memcmp (t->data, back->data, (size_t) t->n * 4), ==, 0);
      /* numpy's layout: version 1.0, data aligned to 64 bytes */
      g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
      g_assert_cmpuint ((len - (gsize) t->n * 4) % 64, ==, 0);
      g_assert_cmpint (contents[6], ==, 1);
    }
}

static const float f32_2x3[] = { 1.5f, -2.25f, 3.0f, 0.0f, 1e-7f, -65504.0f };

/* Our files are byte for byte what numpy.save writes. */
static void
test_npy_same_bytes_as_numpy (void)
{
  const int64_t shape[] = { 2, 3 };
  g_autoptr(LrpTensor) t = lrp_tensor_new_float (2, shape);
  g_autofree char *ours = tmp_path ("ours.npy");
  g_autofree char *theirs = data_path ("f32-2x3.npy");
  g_autofree char *a = NULL, *b = NULL;
  gsize la, lb;

  memcpy (t->data, f32_2x3, sizeof f32_2x3);
  g_assert_true (lrp_tensor_save_npy (t, ours, NULL));
  g_assert_true (g_file_get_contents (ours, &a, &la, NULL));
  g_assert_true (g_file_get_contents (theirs, &b, &lb, NULL));
  g_assert_cmpmem (a, la, b, lb);
}

static void
test_npy_numpy_f32 (void)
{
  g_autofree char *path = data_path ("f32-2x3.npy");
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpTensor) t = lrp_tensor_load (path, &error);

  g_assert_no_error (error);
  g_assert_cmpint (t->rank, ==, 2);
  g_assert_cmpint (t->shape[0], ==, 2);
  g_assert_cmpint (t->shape[1], ==, 3);
  g_assert_cmpmem (t->data, (gsize) t->n * 4, f32_2x3, sizeof f32_2x3);
}

static void
test_npy_numpy_f64 (void)
{
  g_autofree char *path = data_path ("f64-2x2.npy");
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpTensor) t = lrp_tensor_load (path, &error);
  const float *x;

  g_assert_no_error (error);
  g_assert_cmpint (t->dtype, ==, LRP_DTYPE_FLOAT);
  g_assert_cmpint (t->n, ==, 4);
  x = lrp_tensor_f (t);
  g_assert_cmpfloat (x[0], ==, 0.1f);
  g_assert_cmpfloat (x[1], ==, (float) (-1.0 / 3));
  g_assert_true (isinf (x[2]) && x[2] > 0);  /* 1e300 saturates */
  g_assert_cmpfloat (x[3], ==, 2.0f);
}

static void
test_npy_versions (void)
{
  g_autofree char *v2 = data_path ("f32-v2.npy");
  g_autofree char *v3 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpTensor) t = lrp_tensor_load (v2, &error);
  g_autoptr(LrpTensor) t3 = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (t->rank, ==, 2);
  g_assert_cmpint (t->shape[1], ==, 4);
  g_assert_cmpfloat (lrp_tensor_f (t)[3], ==, 1.5f);

  v3 = write_npy ("v3.npy", 3, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }\n",
                  f32_2x3, 12);
  t3 = lrp_tensor_load (v3, &error);
  g_assert_no_error (error);
  g_assert_cmpint (t3->n, ==, 3);
  g_assert_cmpfloat (lrp_tensor_f (t3)[1], ==, -2.25f);
}

static void
test_npy_fortran (void)
{
  g_autofree char *path = data_path ("fortran-2x3.npy");

  assert_unreadable (path, "Fortran");
}

static void
test_npy_truncated (void)
{
  g_autofree char *data_short = write_npy ("short.npy", 1,
                                           "{'descr': '<f4', 'fortran_order': False, "
                                           "'shape': (2, 3), }\n", f32_2x3, 20);
  g_autofree char *magic = write_file ("magic.npy", "\x93NUMPY", 6);
  g_autofree char *version = write_file ("version.npy", "\x93NUMPY\x01\x00", 8);
  g_autofree char *header = write_file ("header.npy", "\x93NUMPY\x01\x00\xc8\x00{'descr'", 18);
  g_autofree char *v2 = write_file ("v2.npy", "\x93NUMPY\x02\x00\xff\xff", 10);

  assert_unreadable (data_short, "truncated");
  assert_unreadable (magic, "header");
  assert_unreadable (version, "header");
  assert_unreadable (header, "header");
  assert_unreadable (v2, "header");
}

static void
test_npy_bad_header (void)
{
  const char *headers[] = {
    "",
    "{",
    "garbage",
    "{'descr': '<f4', 'fortran_order': False}",
    "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}",
    "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,)}",
    "{'descr': '<f4, 'fortran_order': False, 'shape': (2,)}",
    "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}",
    "{'descr': '<f4', 'fortran_order': False, 'shape': (2 3)}",
    "{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}",
    "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1)}",
    "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} trailing",
    "{'descr': '<f4' 'fortran_order': False, 'shape': (2,)}",
    "{'descr': 'a very long data type string', 'fortran_order': False, 'shape': (2,)}",
    "{'descr': '<f4', 'fortran_order': False, 'shape': (2,),,}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
    {
      g_autofree char *path = write_npy ("bad.npy", 1, headers[i], f32_2x3, sizeof f32_2x3);

      g_test_message ("header: %s", headers[i]);
      assert_unreadable (path, NULL);
    }
  {
    g_autofree char *v4 = write_npy ("v4.npy", 4, "{'descr': '<f4', 'fortran_order': False, "
                                     "'shape': (2,)}", f32_2x3, 8);

    assert_unreadable (v4, "version");
  }
}

static void
test_npy_dtype (void)
{
  const char *dtypes[] = { "<i4", ">f4", "|u1", "<f2", "<i8", "" };

  for (guint i = 0; i < G_N_ELEMENTS (dtypes); i++)
    {
      g_autofree char *header = g_strdup_printf ("{'descr': '%s', 'fortran_order': False, "
                                                 "'shape': (2,), }", dtypes[i]);
      g_autofree char *path = write_npy ("dtype.npy", 1, header, f32_2x3, 8);
      g_autofree char *quoted = g_strdup_printf ("'%s'", dtypes[i]);

      assert_unreadable (path, quoted);
    }
}

static void
test_npy_absurd_shape (void)
{
  const char *shapes[] = { "(100000, 100000, 100000)", "(99999999999999999999999999999,)",
                           "(268435457,)", "(65536, 65536, 0, 65536, 65536)" };

  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      g_autofree char *header = g_strdup_printf ("{'descr': '<f4', 'fortran_order': False, "
                                                 "'shape': %s, }", shapes[i]);
      g_autofree char *path = write_npy ("absurd.npy", 1, header, f32_2x3, sizeof f32_2x3);
      g_autoptr(GError) error = NULL;
      g_autoptr(LrpTensor) t = lrp_tensor_load (path, &error);

      /* Even with a zero dimension: the partial products are absurd. */
      g_assert_null (t);
      g_assert_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE);
    }
}

static void
test_load_not_a_tensor (void)
{
  g_autofree char *npy = write_file ("x.npy", "hello, world\n", -1);
  g_autofree char *bin = write_file ("x.bin", "hello, world\n", -1);
  g_autofree char *pb = write_file ("x.pb", "\xff\xff\xff\xff", 4);
  g_autofree char *empty = write_file ("empty.npy", "", 0);
  g_autofree char *missing = tmp_path ("missing.npy");

  assert_unreadable (npy, "signature");
  assert_unreadable (bin, "neither");
  assert_unreadable (pb, NULL);
  assert_unreadable (empty, "empty");
  assert_unreadable (missing, NULL);
  assert_unreadable (tmp_dir, "folder");
}

static void
test_save_failure (void)
{
  const int64_t shape[] = { 2 };
  g_autoptr(LrpTensor) t = lrp_tensor_new_float (1, shape);
  g_autofree char *path = tmp_path ("no-such-dir/x.npy");
  g_autoptr(GError) error = NULL;
  g_autofree char *said = NULL;

  g_assert_false (lrp_tensor_save_npy (t, path, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  /* The file asked for, not the temporary one GLib writes first. */
  said = g_strdup_printf ("%s: %s", path, g_strerror (ENOENT));
  g_assert_cmpstr (error->message, ==, said);
}

static void
test_pb_reference (void)
{
  g_autofree char *ref = lrp_test_dir_from_env ("LRPLENS_REFERENCE_DIR");
  const char *inputs[] = { "fmnist_cnn/inputs/test0", "vgg_mini/inputs/chelsea" };

  if (ref == NULL)
    {
      g_test_skip ("LRPLENS_REFERENCE_DIR is not set or missing: no reference inputs");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autofree char *pb = g_build_filename (ref, inputs[i], "input_0.pb", NULL);
      g_autofree char *npy = g_build_filename (ref, inputs[i], "input.npy", NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(LrpTensor) a = lrp_tensor_load (pb, &error);
      g_autoptr(LrpTensor) b = NULL;

      g_assert_no_error (error);
      b = lrp_tensor_load (npy, &error);
      g_assert_no_error (error);
      g_assert_true (lrp_tensor_same_shape (a, b));
      g_assert_cmpint (a->rank, ==, 4);
      g_assert_cmpmem (a->data, (gsize) a->n * 4, b->data, (gsize) b->n * 4);
    }
}

static LrpModel *
load_test_model (const char *name)
{
  g_autofree char *path = data_path (name);
  g_autoptr(GError) error = NULL;
  LrpModel *model = lrp_model_load (path, NULL, &error);

  g_assert_no_error (error);
  return model;
}

static void
test_input_tensor_shapes (void)
{
  g_autoptr(LrpModel) model = load_test_model ("identity-1x3x8x8.onnx");
  const int64_t full[] = { 1, 3, 8, 8 }, wrong[] = { 3, 8, 8, 1 };
  g_autoptr(LrpTensor) t = make_tensor (4, full);
  g_autoptr(LrpTensor) t3 = make_tensor (3, full + 1);
  g_autoptr(LrpTensor) bad = make_tensor (4, wrong);
  g_autofree char *p4 = tmp_path ("full.npy"), *p3 = tmp_path ("no-batch.npy");
  g_autofree char *pbad = tmp_path ("wrong.npy");
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpTensor) in4 = NULL, in3 = NULL, inbad = NULL;

  g_assert_true (lrp_tensor_save_npy (t, p4, NULL));
  g_assert_true (lrp_tensor_save_npy (t3, p3, NULL));
  g_assert_true (lrp_tensor_save_npy (bad, pbad, NULL));

  in4 = lrp_model_load_input (model, p4, &error);
  g_assert_no_error (error);
  g_assert_true (lrp_tensor_same_shape (in4, t));
  g_assert_cmpmem (in4->data, (gsize) in4->n * 4, t->data, (gsize) t->n * 4);

  in3 = lrp_model_load_input (model, p3, &error);
  g_assert_no_error (error);
  g_assert_true (lrp_tensor_same_shape (in3, t));  /* batch dimension added */
  g_assert_cmpmem (in3->data, (gsize) in3->n * 4, t3->data, (gsize) t3->n * 4);

  inbad = lrp_model_load_input (model, pbad, &error);
  g_assert_null (inbad);
  g_assert_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "wrong.npy"));
  g_assert_nonnull (strstr (error->message, "[1, 3, 8, 8]"));
  g_assert_nonnull (strstr (error->message, "[3, 8, 8, 1]"));
}

/* Content decides: a .npy file under another name is still read as one. */
static void
test_input_npy_any_name (void)
{
  g_autoptr(LrpModel) model = load_test_model ("identity-1x10.onnx");
  const int64_t shape[] = { 10 };
  g_autoptr(LrpTensor) t = make_tensor (1, shape);
  g_autofree char *path = tmp_path ("tensor.dat");
  g_autoptr(GError) error = NULL;
  g_autoptr(LrpTensor) in = NULL;

  g_assert_true (lrp_tensor_save_npy (t, path, NULL));
  in = lrp_model_load_input (model, path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (in->rank, ==, 2);
  g_assert_cmpint (in->shape[1], ==, 10);
}

static void
remove_tmp_dir (void)
{
  g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = tmp_path (name);

      g_remove (path);
    }
  g_rmdir (tmp_dir);
}

int
main (int argc,
      char *argv[])
{
  int ret;

  lrp_test_init (&argc, &argv);
  tmp_dir = g_dir_make_tmp ("lrplens-test-io-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);

  g_test_add_func ("/io/npy/round-trip", test_npy_round_trip);
  g_test_add_func ("/io/npy/same-bytes-as-numpy", test_npy_same_bytes_as_numpy);
  g_test_add_func ("/io/npy/numpy-f32", test_npy_numpy_f32);
  g_test_add_func ("/io/npy/numpy-f64", test_npy_numpy_f64);
  g_test_add_func ("/io/npy/versions", test_npy_versions);
  g_test_add_func ("/io/npy/fortran", test_npy_fortran);
  g_test_add_func ("/io/npy/truncated", test_npy_truncated);
  g_test_add_func ("/io/npy/bad-header", test_npy_bad_header);
  g_test_add_func ("/io/npy/dtype", test_npy_dtype);
  g_test_add_func ("/io/npy/absurd-shape", test_npy_absurd_shape);
  g_test_add_func ("/io/load/not-a-tensor", test_load_not_a_tensor);
  g_test_add_func ("/io/save/failure", test_save_failure);
  g_test_add_func ("/io/pb/reference", test_pb_reference);
  g_test_add_func ("/io/input/tensor-shapes", test_input_tensor_shapes);
  g_test_add_func ("/io/input/npy-any-name", test_input_npy_any_name);

  ret = g_test_run ();
  remove_tmp_dir ();
  g_free (tmp_dir);
  return ret;
}
