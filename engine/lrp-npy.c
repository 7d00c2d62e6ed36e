/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Tensor files: NumPy .npy (read float32/float64, write float32) and
 * serialized ONNX TensorProto (.pb, read only).
 *
 * The .npy header is a Python dict literal; we parse exactly the subset
 * numpy writes ({'descr': str, 'fortran_order': bool, 'shape': tuple}) and
 * check every number against the file size before allocating.
 */
#define G_LOG_DOMAIN "lrp-npy"

#include "config.h"

#include "lrp-image-private.h"
#include "lrp-onnx-private.h"

#include <errno.h>
#include <float.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_ALIGN 64
/* numpy ≥ 1.24 leaves room in the header for the first axis to grow. */
#define NPY_GROWTH_DIGITS 21
/* The largest tensor (LRP_MAX_ELEMENTS float64s) plus room for a header. */
#define LRP_MAX_TENSOR_FILE ((goffset) LRP_MAX_ELEMENTS * 8 + (1 << 20))

gboolean
lrp_input_check_file (const char *path,
                      goffset max_size,
                      GError **error)
{
  g_autofree char *base = g_filename_display_basename (path);
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      int saved = errno;

      g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE, "%s: %s", base,
                   g_strerror (saved));
      return FALSE;
    }
  if (S_ISDIR (st.st_mode))
    g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE,
                 "%s: is a folder, not a file", base);
  else if (!S_ISREG (st.st_mode))
    g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE,
                 "%s: not a regular file", base);
  else if (st.st_size == 0)
    g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE, "%s: the file is empty",
                 base);
  else if ((goffset) st.st_size > max_size)
    {
      g_autofree char *size = g_format_size ((guint64) st.st_size);
      g_autofree char *max = g_format_size ((guint64) max_size);

      g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE,
                   "%s: the file is too large (%s, at most %s)", base, size, max);
    }
  else
    return TRUE;
  return FALSE;
}

/* ---- .npy header ------------------------------------------------------ */

typedef struct
{
  const char *p, *end;
} Cursor;

typedef struct
{
  char descr[8];
  gboolean fortran_order;
  int rank;
  int64_t shape[LRP_MAX_RANK];
} NpyHeader;

static void
cursor_skip_space (Cursor *c)
{
  while (c->p < c->end && g_ascii_isspace (*c->p))
    c->p++;
}

static gboolean
cursor_accept (Cursor *c,
               char ch)
{
  cursor_skip_space (c);
  if (c->p < c->end && *c->p == ch)
    {
      c->p++;
      return TRUE;
    }
  return FALSE;
}

/* A quoted string without escapes (numpy's keys and dtype strings), copied
 * into @out (at most @size - 1 bytes). */
static gboolean
cursor_string (Cursor *c,
               char *out,
               size_t size)
{
  const char *start;
  char quote;

  if (!cursor_accept (c, '\'') && !cursor_accept (c, '"'))
    return FALSE;
  quote = c->p[-1];
  start = c->p;
  while (c->p < c->end && *c->p != quote && *c->p != '\\')
    c->p++;
  if (c->p == c->end || *c->p != quote || (size_t) (c->p - start) >= size)
    return FALSE;
  memcpy (out, start, (size_t) (c->p - start));
  out[c->p - start] = '\0';
  c->p++;
  return TRUE;
}

static gboolean
cursor_word (Cursor *c,
             const char *word)
{
  size_t len = strlen (word);

  cursor_skip_space (c);
  if ((size_t) (c->end - c->p) < len || memcmp (c->p, word, len) != 0)
    return FALSE;
  c->p += len;
  return TRUE;
}

/* A non-negative integer; values past LRP_MAX_ELEMENTS saturate so that the
 * shape check reports them as too large. */
static gboolean
cursor_dim (Cursor *c,
            int64_t *out)
{
  int64_t v = 0;

  cursor_skip_space (c);
  if (c->p == c->end || !g_ascii_isdigit (*c->p))
    return FALSE;
  while (c->p < c->end && g_ascii_isdigit (*c->p))
    {
      v = MIN (v * 10 + (*c->p - '0'), LRP_MAX_ELEMENTS + 1);
      c->p++;
    }
  if (c->p < c->end && *c->p == 'L')  /* Python 2 longs */
    c->p++;
  *out = v;
  return TRUE;
}

/* "()", "(3,)", "(2, 3)" or "(2, 3,)". */
static gboolean
cursor_shape (Cursor *c,
              NpyHeader *h)
{
  if (!cursor_accept (c, '('))
    return FALSE;
  h->rank = 0;
  while (!cursor_accept (c, ')'))
    {
      int64_t dim;

      if (h->rank == LRP_MAX_RANK || !cursor_dim (c, &dim))
        return FALSE;
      h->shape[h->rank++] = dim;
      if (!cursor_accept (c, ','))
        return cursor_accept (c, ')');
    }
  return TRUE;
}

/* Parses the value of @key into @h; sets the bit of @key in @seen. */
static gboolean
parse_value (Cursor *c,
             const char *key,
             NpyHeader *h,
             guint *seen)
{
  if (g_str_equal (key, "descr") && cursor_string (c, h->descr, sizeof h->descr))
    *seen |= 1;
  else if (g_str_equal (key, "fortran_order") && cursor_word (c, "True"))
    {
      h->fortran_order = TRUE;
      *seen |= 2;
    }
  else if (g_str_equal (key, "fortran_order") && cursor_word (c, "False"))
    {
      h->fortran_order = FALSE;
      *seen |= 2;
    }
  else if (g_str_equal (key, "shape") && cursor_shape (c, h))
    *seen |= 4;
  else
    return FALSE;
  return TRUE;
}

/* Returns a static description of what went wrong, or NULL. */
static const char *
parse_dict (Cursor *c,
            NpyHeader *h)
{
  guint seen = 0;
  char key[32];

  if (!cursor_accept (c, '{'))
    return "expected a dictionary";
  while (!cursor_accept (c, '}'))
    {
      if (!cursor_string (c, key, sizeof key) || !cursor_accept (c, ':'))
        return "expected a quoted key and a colon";
      if (!parse_value (c, key, h, &seen))
        return "unknown key, or a value that is not a dtype string, True/False or a shape "
               "of at most 8 dimensions";
      if (!cursor_accept (c, ','))
        {
          if (!cursor_accept (c, '}'))
            return "expected a comma or a closing brace";
          break;
        }
    }
  cursor_skip_space (c);
  if (c->p != c->end)
    return "unexpected text after the dictionary";
  if (seen != 7)
    return "the keys 'descr', 'fortran_order' and 'shape' are required";
  return NULL;
}

/* numpy writes the header as ASCII; anything else would end up quoted in
 * messages that must be UTF-8. */
static gboolean
header_is_ascii (const guint8 *p,
                 gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (p[i] >= 0x80 || (p[i] < 0x20 && !g_ascii_isspace (p[i])))
      return FALSE;
  return TRUE;
}

/* Checks the version and parses the header of @data (which starts with the
 * signature); sets @offset to the start of the array data. */
static gboolean
npy_read_header (const guint8 *data,
                 gsize len,
                 const char *base,
                 NpyHeader *h,
                 gsize *offset,
                 GError **error)
{
  int version = len > 6 ? data[6] : 0;
  gsize start = version == 1 ? 10 : 12;
  const char *why = NULL;

  if (len > 6 && (version < 1 || version > 3))
    why = "unknown format version (lrplens reads 1.0, 2.0 and 3.0)";
  else if (len < start)
    why = "the file ends inside the header";
  else
    {
      guint32 hlen32 = 0;
      gsize hlen;
      Cursor c;

      if (version == 1)
        hlen32 = (guint32) (data[8] | data[9] << 8);
      else
        memcpy (&hlen32, data + 8, 4);
      hlen = version == 1 ? hlen32 : GUINT32_FROM_LE (hlen32);
      if (hlen > len - start)
        why = "the file ends inside the header";
      else if (!header_is_ascii (data + start, hlen))
        why = "the header is not ASCII text";
      else
        {
          c.p = (const char *) data + start;
          c.end = c.p + hlen;
          why = parse_dict (&c, h);
          *offset = start + hlen;
        }
    }
  if (why != NULL)
    {
      g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE,
                   "%s: not a valid .npy file: %s", base, why);
      return FALSE;
    }
  return TRUE;
}

static void
convert_f64 (const guint8 *src,
             float *dst,
             int64_t n)
{
  for (int64_t i = 0; i < n; i++)
    {
      guint64 bits;
      double v;

      memcpy (&bits, src + 8 * i, 8);
      bits = GUINT64_FROM_LE (bits);
      memcpy (&v, &bits, 8);
      /* Out-of-range conversions are undefined in C: saturate explicitly. */
      dst[i] = v > FLT_MAX ? INFINITY : v < -FLT_MAX ? -INFINITY : (float) v;
    }
}

static void
convert_f32 (const guint8 *src,
             float *dst,
             int64_t n)
{
  memcpy (dst, src, (size_t) n * 4);
#if G_BYTE_ORDER == G_BIG_ENDIAN
  for (int64_t i = 0; i < n; i++)
    {
      guint32 bits;

      memcpy (&bits, dst + i, 4);
      bits = GUINT32_SWAP_LE_BE (bits);
      memcpy (dst + i, &bits, 4);
    }
#endif
}

static LrpTensor *
npy_parse (const guint8 *data,
           gsize len,
           const char *base,
           GError **error)
{
  NpyHeader h = { 0 };
  g_autoptr(GError) local = NULL;
  gsize offset = 0, esize;
  int64_t n;
  LrpTensor *t;

  if (!npy_read_header (data, len, base, &h, &offset, error))
    return NULL;
  esize = g_str_equal (h.descr, "<f4") ? 4 : g_str_equal (h.descr, "<f8") ? 8 : 0;
  if (esize == 0)
    g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE,
                 "%s: data type '%s' is not supported (lrplens reads little-endian float32 "
                 "'<f4' and float64 '<f8')", base, h.descr);
  else if (h.fortran_order)
    g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE,
                 "%s: the array is stored in Fortran order; save it in C order "
                 "(numpy.ascontiguousarray)", base);
  else if (!lrp_shape_validate (h.rank, h.shape, &n, &local))
    g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE, "%s: %s", base,
                 local->message);
  else if ((guint64) n * esize > len - offset)
    g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE,
                 "%s: the file is truncated: the header announces %" G_GINT64_FORMAT
                 " values (%" G_GUINT64_FORMAT " bytes) but %" G_GSIZE_FORMAT
                 " bytes of data follow", base, n, (guint64) n * esize, len - offset);
  else
    {
      t = lrp_tensor_new_float (h.rank, h.shape);
      if (esize == 8)
        convert_f64 (data + offset, t->data, n);
      else
        convert_f32 (data + offset, t->data, n);
      return t;
    }
  return NULL;
}

/* ---- loading ---------------------------------------------------------- */

static LrpTensor *
pb_parse (GBytes *bytes,
          const char *base,
          GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(LrpTensor) t = lrp_onnx_read_tensor (bytes, base, NULL, &local);

  if (t == NULL)
    {
      if (g_str_has_suffix (base, ".pb") || g_str_has_suffix (base, ".PB"))
        g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE, "%s", local->message);
      else
        g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE,
                     "%s: neither a NumPy .npy file nor a serialized ONNX tensor (.pb)", base);
      return NULL;
    }
  if (t->dtype != LRP_DTYPE_FLOAT)
    {
      g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE,
                   "%s: the tensor holds %s values; lrplens expects float32", base,
                   lrp_dtype_name (t->dtype));
      return NULL;
    }
  return g_steal_pointer (&t);
}

/* The bytes of a tensor file named @base (.npy by its signature, else a
 * serialized TensorProto): lrp_tensor_load() and the fuzz target. */
LrpTensor *
lrp_tensor_load_bytes (GBytes *bytes,
                       const char *base,
                       GError **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  if (len >= NPY_MAGIC_LEN && memcmp (data, NPY_MAGIC, NPY_MAGIC_LEN) == 0)
    return npy_parse (data, len, base, error);
  if (g_str_has_suffix (base, ".npy") || g_str_has_suffix (base, ".NPY"))
    {
      g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE,
                   "%s: not a NumPy .npy file (the \\x93NUMPY signature is missing)", base);
      return NULL;
    }
  return pb_parse (bytes, base, error);
}

/**
 * lrp_tensor_load:
 * Reads a float tensor from a .npy file (recognised by its signature) or a
 * serialized ONNX TensorProto.
 *
 * Returns: (transfer full): the tensor, or NULL with LRP_INPUT_ERROR set.
 */
LrpTensor *
lrp_tensor_load (const char *path,
                 GError **error)
{
  g_autofree char *base = NULL;
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  base = g_filename_display_basename (path);
  if (!lrp_input_check_file (path, LRP_MAX_TENSOR_FILE, error))
    return NULL;
  file = g_mapped_file_new (path, FALSE, &local);
  if (file == NULL)
    {
      g_set_error (error, LRP_INPUT_ERROR, LRP_INPUT_ERROR_UNREADABLE, "%s: %s", base,
                   local->message);
      return NULL;
    }
  bytes = g_mapped_file_get_bytes (file);
  return lrp_tensor_load_bytes (bytes, base, error);
}

/* ---- saving ----------------------------------------------------------- */

/* The header exactly as numpy.save writes it (format 1.0). */
static GString *
npy_header (const LrpTensor *tensor)
{
  GString *h = g_string_new ("{'descr': '<f4', 'fortran_order': False, 'shape': (");
  gsize dict_len, total;

  for (int i = 0; i < tensor->rank; i++)
    g_string_append_printf (h, "%s%" G_GINT64_FORMAT, i ? ", " : "", tensor->shape[i]);
  g_string_append (h, tensor->rank == 1 ? ",), }" : "), }");
  if (tensor->rank > 0)
    {
      g_autofree char *first = g_strdup_printf ("%" G_GINT64_FORMAT, tensor->shape[0]);
      int spare = NPY_GROWTH_DIGITS - (int) strlen (first);

      for (int i = 0; i < spare; i++)
        g_string_append_c (h, ' ');
    }
  /* magic, version, 2-byte length, header, '\n': padded to a multiple of 64
   * (a full 64 when already aligned, as numpy does). */
  dict_len = h->len;
  total = NPY_MAGIC_LEN + 2 + 2 + dict_len + 1;
  for (gsize i = 0; i < NPY_ALIGN - total % NPY_ALIGN; i++)
    g_string_append_c (h, ' ');
  g_string_append_c (h, '\n');
  g_assert (h->len <= G_MAXUINT16);
  return h;
}

/**
 * lrp_tensor_save_npy:
 * Writes @tensor as a float32 .npy file (format 1.0, C order), atomically.
 *
 * Returns: FALSE with a G_FILE_ERROR set when the file cannot be written.
 */
gboolean
lrp_tensor_save_npy (const LrpTensor *tensor,
                     const char *path,
                     GError **error)
{
  g_autoptr(GString) header = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree guint8 *buf = NULL;
  gsize data_len, len;

  g_return_val_if_fail (tensor != NULL, FALSE);
  g_return_val_if_fail (tensor->dtype == LRP_DTYPE_FLOAT && tensor->data != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  header = npy_header (tensor);
  data_len = (gsize) tensor->n * 4;
  len = 10 + header->len + data_len;
  buf = g_malloc (len);
  memcpy (buf, NPY_MAGIC, NPY_MAGIC_LEN);
  buf[6] = 1;
  buf[7] = 0;
  buf[8] = (guint8) (header->len & 0xff);
  buf[9] = (guint8) (header->len >> 8);
  memcpy (buf + 10, header->str, header->len);
  /* Swapping twice is the identity: the same helper turns host floats into
   * little-endian ones. */
  convert_f32 (tensor->data, (float *) (gpointer) (buf + 10 + header->len), tensor->n);
  if (!g_file_set_contents (path, (const char *) buf, (gssize) len, &local))
    {
      /* GLib names the temporary file it writes first ("rel.npy.2KUJZ3"):
       * say the file asked for, and why (the text after GLib's last colon). */
      g_autofree char *name = g_filename_display_name (path);
      const char *why = strrchr (local->message, ':');

      g_set_error (error, local->domain, local->code, "%s: %s", name,
                   why && why[1] == ' ' ? why + 2 : local->message);
      return FALSE;
    }
  return TRUE;
}
