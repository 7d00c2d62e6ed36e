/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * protobuf-c unpacks nested messages recursively with no depth limit, so a
 * hostile file of a few hundred kilobytes of nested headers would overflow
 * the stack.  This pass reads only tags and lengths (guided by protobuf-c's
 * own descriptors, so it knows which fields are messages), iteratively, and
 * says where a file is cut short or stops being protobuf.
 */
#define G_LOG_DOMAIN "lrp-onnx"

#include "config.h"

#include "lrp-onnx-private.h"

#include <protobuf-c/protobuf-c.h>

#define MAX_DEPTH 64

typedef struct
{
  gsize end;
  const ProtobufCMessageDescriptor *desc;
} Frame;

/* 0: ok, 1: ran past @end, 2: more than 10 bytes */
static int
read_varint (const guint8 *data,
             gsize *pos,
             gsize end,
             guint64 *out)
{
  guint64 v = 0;

  for (int shift = 0; shift < 70; shift += 7)
    {
      guint8 byte;

      if (*pos >= end)
        return 1;
      byte = data[(*pos)++];
      v |= (guint64) (byte & 0x7f) << MIN (shift, 63);
      if (!(byte & 0x80))
        {
          *out = v;
          return 0;
        }
    }
  return 2;
}

static gboolean
fail (GError **error,
      int code,
      const char *display_name,
      const char *what,
      gsize offset)
{
  g_set_error (error, LRP_ONNX_ERROR, code, "%s: %s (%s at byte %" G_GSIZE_FORMAT ")",
               display_name, code == LRP_ONNX_ERROR_TRUNCATED ? "the file is cut short"
                                                               : "not an ONNX model",
               what, offset);
  return FALSE;
}

gboolean
lrp_onnx_wire_check (const guint8 *data,
                     gsize len,
                     gconstpointer descriptor,
                     const char *display_name,
                     GError **error)
{
  Frame stack[MAX_DEPTH + 1];
  int depth = 0;
  gsize pos = 0;

  stack[0].end = len;
  stack[0].desc = descriptor;

  for (;;)
    {
      guint64 key, value;
      gsize start = pos;
      int r;

      while (depth > 0 && pos == stack[depth].end)
        depth--;
      if (depth == 0 && pos == len)
        return TRUE;

      r = read_varint (data, &pos, stack[depth].end, &key);
      if (r != 0 || (key >> 3) == 0)
        return fail (error, r == 1 ? LRP_ONNX_ERROR_TRUNCATED : LRP_ONNX_ERROR_NOT_ONNX,
                     display_name, r == 1 ? "it ends inside a field" :
                     "invalid protobuf field header", start);
      switch (key & 7)
        {
        case 0:
          r = read_varint (data, &pos, stack[depth].end, &value);
          if (r != 0)
            return fail (error, r == 1 ? LRP_ONNX_ERROR_TRUNCATED : LRP_ONNX_ERROR_NOT_ONNX,
                         display_name, "invalid number", start);
          break;
        case 1:
        case 5:
          {
            gsize size = (key & 7) == 1 ? 8 : 4;

            if (stack[depth].end - pos < size)
              return fail (error, LRP_ONNX_ERROR_TRUNCATED, display_name,
                           "it ends inside a field", start);
            pos += size;
          }
          break;
        case 2:
          {
            const ProtobufCFieldDescriptor *fd = NULL;

            r = read_varint (data, &pos, stack[depth].end, &value);
            if (r != 0 || value > stack[depth].end - pos)
              return fail (error, r == 2 ? LRP_ONNX_ERROR_NOT_ONNX : LRP_ONNX_ERROR_TRUNCATED,
                           display_name, r == 2 ? "invalid length" :
                           "a field runs past the end of its message",
                           start);
            if (stack[depth].desc)
              fd = protobuf_c_message_descriptor_get_field (stack[depth].desc,
                                                            (unsigned) (key >> 3));
            if (fd && fd->type == PROTOBUF_C_TYPE_MESSAGE)
              {
                if (depth == MAX_DEPTH)
                  return fail (error, LRP_ONNX_ERROR_NOT_ONNX, display_name,
                               "messages nested too deeply", start);
                depth++;
                stack[depth].end = pos + value;
                stack[depth].desc = fd->descriptor;
              }
            else
              pos += value;
          }
          break;
        default:
          return fail (error, LRP_ONNX_ERROR_NOT_ONNX, display_name,
                       "invalid protobuf wire type", start);
        }
    }
}
