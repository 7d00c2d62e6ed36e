/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Unpacking a model that can be cancelled.  protobuf-c unpacks a whole
 * ModelProto in one call, copying every weight on the way: a third of a
 * second for VGG16 during which a cancel went unheard.  Here the graph's
 * initializers are cut out of the bytes and the rest (small) goes to
 * protobuf-c; each initializer is unpacked on its own, and a large raw_data
 * is copied in slices, with the cancellable checked between them.  The
 * result is the ModelProto protobuf-c would have built, so
 * onnx__model_proto__free_unpacked frees it.
 *
 * The bytes have passed lrp_onnx_wire_check; anything unexpected here
 * (groups, a graph given twice) falls back to protobuf-c's single call.
 */
#define G_LOG_DOMAIN "lrp-onnx"

#include "config.h"

#include "lrp-onnx-private.h"

#include "onnx.pb-c.h"

#include <stdlib.h>
#include <string.h>

enum {
  WIRE_VARINT = 0, WIRE_FIXED64 = 1, WIRE_LEN = 2, WIRE_FIXED32 = 5,
  MODEL_GRAPH = 7,              /* ModelProto.graph */
  GRAPH_INITIALIZER = 5,        /* GraphProto.initializer */
  TENSOR_RAW_DATA = 9,          /* TensorProto.raw_data */
};

/* Copied between two looks at the cancellable: a few milliseconds. */
#define SLICE_BYTES ((gsize) 8 << 20)
/* A raw_data this large is copied by us, in slices. */
#define LARGE_BYTES ((gsize) 1 << 20)

typedef struct
{
  gsize start;                  /* of the tag */
  gsize data;                   /* of the payload */
  gsize end;                    /* after the payload */
  guint field;
  guint wire;
} Field;

static gboolean
varint (const guint8 *d,
        gsize *pos,
        gsize end,
        guint64 *out)
{
  guint64 v = 0;

  for (int shift = 0; shift < 64 && *pos < end; shift += 7)
    {
      guint8 b = d[(*pos)++];

      v |= (guint64) (b & 0x7f) << shift;
      if (!(b & 0x80))
        {
          *out = v;
          return TRUE;
        }
    }
  return FALSE;
}

/* The field at *pos of a message ending at @end; FALSE for groups and
 * anything malformed. */
static gboolean
next_field (const guint8 *d,
            gsize *pos,
            gsize end,
            Field *f)
{
  guint64 tag, n = 0;

  f->start = *pos;
  if (!varint (d, pos, end, &tag))
    return FALSE;
  f->field = (guint) (tag >> 3);
  f->wire = (guint) (tag & 7);
  switch (f->wire)
    {
    case WIRE_VARINT:
      f->data = *pos;
      if (!varint (d, pos, end, &n))
        return FALSE;
      break;
    case WIRE_FIXED64:
    case WIRE_FIXED32:
      f->data = *pos;
      n = f->wire == WIRE_FIXED64 ? 8 : 4;
      if (n > end - *pos)
        return FALSE;
      *pos += n;
      break;
    case WIRE_LEN:
      if (!varint (d, pos, end, &n) || n > end - *pos)
        return FALSE;
      f->data = *pos;
      *pos += n;
      break;
    default:
      return FALSE;
    }
  f->end = *pos;
  return TRUE;
}

static void
append_varint (GByteArray *out,
               guint64 v)
{
  guint8 b;

  do
    {
      b = (guint8) (v & 0x7f);
      v >>= 7;
      if (v)
        b |= 0x80;
      g_byte_array_append (out, &b, 1);
    }
  while (v);
}

/* @d[from, to) without the length-delimited fields numbered @skip, whose
 * payloads are listed in @cut (may be NULL); FALSE if the bytes surprise us. */
static gboolean
strip_fields (const guint8 *d,
              gsize from,
              gsize to,
              guint skip,
              GByteArray *out,
              GArray *cut)
{
  gsize pos = from;
  Field f;

  while (pos < to)
    {
      if (!next_field (d, &pos, to, &f))
        return FALSE;
      if (f.field == skip && f.wire == WIRE_LEN)
        {
          if (cut)
            g_array_append_val (cut, f);
          continue;
        }
      g_byte_array_append (out, d + f.start, (guint) (f.end - f.start));
    }
  return TRUE;
}

/* One initializer; a large raw_data is copied in slices.  On failure *out
 * may still hold a tensor (cut short by a cancel), which the caller frees. */
static gboolean
unpack_tensor (const guint8 *d,
               const Field *init,
               GCancellable *cancellable,
               Onnx__TensorProto **out,
               gboolean *surprised,
               GError **error)
{
  g_autoptr(GByteArray) rest = g_byte_array_new ();
  g_autoptr(GArray) raw = g_array_new (FALSE, FALSE, sizeof (Field));
  Onnx__TensorProto *tp;
  const Field *r;
  guint8 *copy;

  *out = NULL;
  if (!strip_fields (d, init->data, init->end, TENSOR_RAW_DATA, rest, raw) || raw->len > 1)
    {
      *surprised = TRUE;
      return FALSE;
    }
  r = raw->len ? &g_array_index (raw, Field, 0) : NULL;
  if (r == NULL || r->end - r->data < LARGE_BYTES)
    tp = onnx__tensor_proto__unpack (NULL, init->end - init->data, d + init->data);
  else
    tp = onnx__tensor_proto__unpack (NULL, rest->len, rest->data);
  if (tp == NULL)
    {
      *surprised = TRUE;
      return FALSE;
    }
  *out = tp;
  if (r == NULL || r->end - r->data < LARGE_BYTES)
    return TRUE;

  copy = malloc (r->end - r->data);     /* freed with free(), as protobuf-c's */
  if (copy == NULL)
    {
      g_set_error (error, LRP_ONNX_ERROR, LRP_ONNX_ERROR_FAILED,
                   "initializer “%s”: out of memory for %" G_GSIZE_FORMAT " bytes",
                   tp->name ? tp->name : "", (gsize) (r->end - r->data));
      return FALSE;
    }
  tp->has_raw_data = TRUE;
  tp->raw_data.data = copy;
  tp->raw_data.len = r->end - r->data;
  for (gsize off = 0; off < tp->raw_data.len; off += SLICE_BYTES)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      memcpy (copy + off, d + r->data + off, MIN (SLICE_BYTES, tp->raw_data.len - off));
    }
  return TRUE;
}

static gpointer
free_model_thread (gpointer data)
{
  onnx__model_proto__free_unpacked (data, NULL);
  return NULL;
}

/* Giving back a few hundred MB of copied weights takes 50-150 ms (the
 * kernel unmapping the pages): after a cancel that happens on a thread of
 * its own, so that the caller hears back at once. */
static void
free_model_soon (Onnx__ModelProto *mp)
{
  GThread *thread = g_thread_try_new ("lrp-free", free_model_thread, mp, NULL);

  if (thread)
    g_thread_unref (thread);
  else
    onnx__model_proto__free_unpacked (mp, NULL);
}

/* The model without its initializers: ModelProto.graph re-encoded with a
 * new length.  FALSE if the bytes surprise us. */
static gboolean
model_without_initializers (const guint8 *d,
                            gsize len,
                            GByteArray *out,
                            GArray *inits)
{
  g_autoptr(GByteArray) graph = g_byte_array_new ();
  gsize pos = 0;
  gboolean seen = FALSE;
  Field f;

  while (pos < len)
    {
      if (!next_field (d, &pos, len, &f))
        return FALSE;
      if (f.field != MODEL_GRAPH || f.wire != WIRE_LEN)
        {
          g_byte_array_append (out, d + f.start, (guint) (f.end - f.start));
          continue;
        }
      if (seen)
        return FALSE;           /* protobuf merges them: leave that to it */
      seen = TRUE;
      if (!strip_fields (d, f.data, f.end, GRAPH_INITIALIZER, graph, inits))
        return FALSE;
      append_varint (out, (MODEL_GRAPH << 3) | WIRE_LEN);
      append_varint (out, graph->len);
      g_byte_array_append (out, graph->data, graph->len);
    }
  return TRUE;
}

/* Returns: a ModelProto, or NULL with @error set (cancelled, out of memory),
 * or NULL without it: not a model protobuf-c can read. */
Onnx__ModelProto *
lrp_onnx_unpack_model (const guint8 *data,
                       gsize len,
                       GCancellable *cancellable,
                       GError **error)
{
  g_autoptr(GByteArray) rest = g_byte_array_new ();
  g_autoptr(GArray) inits = g_array_new (FALSE, FALSE, sizeof (Field));
  Onnx__ModelProto *mp;
  Onnx__GraphProto *g;
  gboolean surprised = FALSE;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (!model_without_initializers (data, len, rest, inits))
    return onnx__model_proto__unpack (NULL, len, data);
  mp = onnx__model_proto__unpack (NULL, rest->len, rest->data);
  if (mp == NULL || inits->len == 0)
    return mp;
  if (mp->graph == NULL || mp->graph->n_initializer != 0)
    {
      onnx__model_proto__free_unpacked (mp, NULL);
      return onnx__model_proto__unpack (NULL, len, data);
    }
  g = mp->graph;
  g->initializer = malloc (sizeof (Onnx__TensorProto *) * inits->len);
  if (g->initializer == NULL)
    {
      onnx__model_proto__free_unpacked (mp, NULL);
      return onnx__model_proto__unpack (NULL, len, data);
    }
  for (guint i = 0; i < inits->len; i++)
    {
      Onnx__TensorProto *tp = NULL;
      gboolean ok = !g_cancellable_set_error_if_cancelled (cancellable, error)
                    && unpack_tensor (data, &g_array_index (inits, Field, i), cancellable,
                                      &tp, &surprised, error);

      if (tp)
        g->initializer[g->n_initializer++] = tp;
      if (ok)
        continue;
      if (surprised)
        {
          onnx__model_proto__free_unpacked (mp, NULL);
          return onnx__model_proto__unpack (NULL, len, data);
        }
      free_model_soon (mp);
      return NULL;
    }
  return mp;
}
