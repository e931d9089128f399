/* wire.h — bounds-checked cursors over a byte buffer, for the proto codecs.
 *
 * A reader never reads past its end: a short read sets err and yields zeros.
 * A writer never writes past its end: an overflow sets err.  Check err once
 * at the end instead of after every field. */
#ifndef EVONION_PROTO_WIRE_H
#define EVONION_PROTO_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/bytes.h"

typedef struct wire_reader_t {
  const uint8_t *p;
  size_t left;
  int err;
} wire_reader_t;

typedef struct wire_writer_t {
  uint8_t *p;
  size_t left;
  size_t used;
  int err;
} wire_writer_t;

static inline void wr_init(wire_reader_t *r, const uint8_t *p, size_t len)
{
  r->p = p; r->left = len; r->err = 0;
}

/** Return a pointer to the next n bytes and advance, or NULL (and set err). */
static inline const uint8_t *wr_bytes(wire_reader_t *r, size_t n)
{
  if (r->err || n > r->left) {
    r->err = 1;
    return NULL;
  }
  const uint8_t *p = r->p;
  r->p += n;
  r->left -= n;
  return p;
}

static inline uint8_t wr_u8(wire_reader_t *r)
{
  const uint8_t *p = wr_bytes(r, 1);
  return p ? p[0] : 0;
}

static inline uint16_t wr_u16(wire_reader_t *r)
{
  const uint8_t *p = wr_bytes(r, 2);
  return p ? get_u16(p) : 0;
}

static inline uint32_t wr_u32(wire_reader_t *r)
{
  const uint8_t *p = wr_bytes(r, 4);
  return p ? get_u32(p) : 0;
}

/** Copy n bytes into out (zeros on a short read). */
static inline void wr_copy(wire_reader_t *r, void *out, size_t n)
{
  const uint8_t *p = wr_bytes(r, n);
  if (p)
    memcpy(out, p, n);
  else
    memset(out, 0, n);
}

static inline void ww_init(wire_writer_t *w, uint8_t *p, size_t len)
{
  w->p = p; w->left = len; w->used = 0; w->err = 0;
}

/** Reserve n bytes and return a pointer to them, or NULL (and set err). */
static inline uint8_t *ww_reserve(wire_writer_t *w, size_t n)
{
  if (w->err || n > w->left) {
    w->err = 1;
    return NULL;
  }
  uint8_t *p = w->p;
  w->p += n;
  w->left -= n;
  w->used += n;
  return p;
}

static inline void ww_bytes(wire_writer_t *w, const void *src, size_t n)
{
  uint8_t *p = ww_reserve(w, n);
  if (p && n)
    memcpy(p, src, n);
}

static inline void ww_u8(wire_writer_t *w, uint8_t v)
{
  uint8_t *p = ww_reserve(w, 1);
  if (p) p[0] = v;
}

static inline void ww_u16(wire_writer_t *w, uint16_t v)
{
  uint8_t *p = ww_reserve(w, 2);
  if (p) put_u16(p, v);
}

static inline void ww_u32(wire_writer_t *w, uint32_t v)
{
  uint8_t *p = ww_reserve(w, 4);
  if (p) put_u32(p, v);
}

/** The number of bytes written, or -1 after an overflow. */
static inline int ww_result(const wire_writer_t *w)
{
  return w->err ? -1 : (int)w->used;
}

#endif
