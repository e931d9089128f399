/* circ_cells.c — CREATE2/CREATED2, CREATE_FAST/CREATED_FAST and DESTROY. */
#include "proto/circ_cells.h"

#include <string.h>

#include "proto/wire.h"

int
create2_cell_parse(create2_cell_t *out, const uint8_t *body, size_t len)
{
  wire_reader_t r;
  memset(out, 0, sizeof(*out));
  wr_init(&r, body, len);
  out->htype = wr_u16(&r);
  out->hlen = wr_u16(&r);
  if (r.err || out->hlen > CREATE2_MAX_HLEN) {
    memset(out, 0, sizeof(*out));
    return -1;
  }
  wr_copy(&r, out->hdata, out->hlen);
  if (r.err) {
    memset(out, 0, sizeof(*out));
    return -1;
  }
  return 0;
}

int
create2_cell_encode(const create2_cell_t *c, uint8_t *out, size_t outlen)
{
  wire_writer_t w;
  if (c->hlen > CREATE2_MAX_HLEN)
    return -1;
  ww_init(&w, out, outlen);
  ww_u16(&w, c->htype);
  ww_u16(&w, c->hlen);
  ww_bytes(&w, c->hdata, c->hlen);
  return ww_result(&w);
}

int
created2_cell_parse(created2_cell_t *out, const uint8_t *body, size_t len)
{
  wire_reader_t r;
  memset(out, 0, sizeof(*out));
  wr_init(&r, body, len);
  out->hlen = wr_u16(&r);
  if (r.err || out->hlen > CREATED2_MAX_HLEN) {
    memset(out, 0, sizeof(*out));
    return -1;
  }
  wr_copy(&r, out->hdata, out->hlen);
  if (r.err) {
    memset(out, 0, sizeof(*out));
    return -1;
  }
  return 0;
}

int
created2_cell_encode(const created2_cell_t *c, uint8_t *out, size_t outlen)
{
  wire_writer_t w;
  if (c->hlen > CREATED2_MAX_HLEN)
    return -1;
  ww_init(&w, out, outlen);
  ww_u16(&w, c->hlen);
  ww_bytes(&w, c->hdata, c->hlen);
  return ww_result(&w);
}

int
create_fast_cell_parse(create_fast_cell_t *out, const uint8_t *body, size_t len)
{
  if (len < CREATE_FAST_LEN)
    return -1;
  memcpy(out->x, body, CREATE_FAST_LEN);
  return 0;
}

int
create_fast_cell_encode(const create_fast_cell_t *c, uint8_t *out, size_t outlen)
{
  if (outlen < CREATE_FAST_LEN)
    return -1;
  memcpy(out, c->x, CREATE_FAST_LEN);
  return CREATE_FAST_LEN;
}

int
created_fast_cell_parse(created_fast_cell_t *out, const uint8_t *body, size_t len)
{
  if (len < CREATED_FAST_LEN)
    return -1;
  memcpy(out->y, body, 20);
  memcpy(out->kh, body + 20, 20);
  return 0;
}

int
created_fast_cell_encode(const created_fast_cell_t *c, uint8_t *out, size_t outlen)
{
  if (outlen < CREATED_FAST_LEN)
    return -1;
  memcpy(out, c->y, 20);
  memcpy(out + 20, c->kh, 20);
  return CREATED_FAST_LEN;
}

int
destroy_cell_parse(uint8_t *reason_out, const uint8_t *body, size_t len)
{
  if (len < 1)
    return -1;
  *reason_out = body[0];
  return 0;
}

int
destroy_cell_encode(uint8_t reason, uint8_t *out, size_t outlen)
{
  if (outlen < 1)
    return -1;
  out[0] = reason;
  return 1;
}

const char *
destroy_reason_to_string(uint8_t reason)
{
  static const char *const names[] = {
    "NONE", "PROTOCOL", "INTERNAL", "REQUESTED", "HIBERNATING", "RESOURCELIMIT",
    "CONNECTFAILED", "OR_IDENTITY", "CHANNEL_CLOSED", "FINISHED", "TIMEOUT",
    "DESTROYED", "NOSUCHSERVICE",
  };
  if (reason < sizeof(names) / sizeof(names[0]))
    return names[reason];
  return "UNKNOWN";
}
