/* relay_circ.c — SENDME, EXTEND2/EXTENDED2, TRUNCATED bodies. */
#include "proto/relay_circ.h"

#include <string.h>

#include "proto/wire.h"

int
sendme_cell_parse(sendme_cell_t *out, const uint8_t *body, size_t len)
{
  wire_reader_t r;
  memset(out, 0, sizeof(*out));
  if (len == 0)
    return 0;
  wr_init(&r, body, len);
  out->version = wr_u8(&r);
  if (out->version != 1)
    return 0;
  out->data_len = wr_u16(&r);
  const uint8_t *data = wr_bytes(&r, out->data_len);
  if (!data || out->data_len < SENDME_DIGEST_LEN) {
    memset(out, 0, sizeof(*out));
    return -1;
  }
  memcpy(out->digest, data, SENDME_DIGEST_LEN);
  return 0;
}

int
sendme_cell_encode(const sendme_cell_t *c, uint8_t *out, size_t outlen)
{
  wire_writer_t w;
  if (c->version == 0)
    return 0;
  if (c->version != 1)
    return -1;
  ww_init(&w, out, outlen);
  ww_u8(&w, 1);
  ww_u16(&w, SENDME_DIGEST_LEN);
  ww_bytes(&w, c->digest, SENDME_DIGEST_LEN);
  return ww_result(&w);
}

int
extend2_cell_parse(extend2_cell_t *out, const uint8_t *body, size_t len)
{
  wire_reader_t r;
  memset(out, 0, sizeof(*out));
  wr_init(&r, body, len);
  uint8_t n = wr_u8(&r);
  if (r.err || n > EXTEND2_MAX_LINKSPECS)
    goto bad;
  for (unsigned i = 0; i < n; i++) {
    size_t used = 0;
    if (linkspec_parse(&out->specs[i], r.p, r.left, &used) < 0)
      goto bad;
    wr_bytes(&r, used);
  }
  out->n_spec = n;
  out->htype = wr_u16(&r);
  out->hlen = wr_u16(&r);
  if (r.err || out->hlen > r.left || out->hlen > sizeof(out->hdata))
    goto bad;
  wr_copy(&r, out->hdata, out->hlen);
  return 0;
 bad:
  memset(out, 0, sizeof(*out));
  return -1;
}

int
extend2_cell_check(const extend2_cell_t *c)
{
  int n_rsa = 0, n_ed = 0, n_addr = 0;
  for (unsigned i = 0; i < c->n_spec && i < EXTEND2_MAX_LINKSPECS; i++) {
    switch (c->specs[i].type) {
    case LINKSPEC_IPV4:
    case LINKSPEC_IPV6: n_addr++; break;
    case LINKSPEC_LEGACY_ID: n_rsa++; break;
    case LINKSPEC_ED25519_ID: n_ed++; break;
    default: break;
    }
  }
  if (n_rsa != 1 || n_ed > 1 || n_addr == 0)
    return -1;
  if (c->htype == HANDSHAKE_TYPE_FAST)
    return -1;
  return 0;
}

int
extend2_cell_encode(const extend2_cell_t *c, uint8_t *out, size_t outlen)
{
  wire_writer_t w;
  if (c->n_spec > EXTEND2_MAX_LINKSPECS || c->hlen > RELAY_BODY_MAX_LEN)
    return -1;
  if (outlen > RELAY_BODY_MAX_LEN)
    outlen = RELAY_BODY_MAX_LEN;
  ww_init(&w, out, outlen);
  ww_u8(&w, c->n_spec);
  for (unsigned i = 0; i < c->n_spec && !w.err; i++) {
    int n = linkspec_encode(&c->specs[i], w.p, w.left);
    if (n < 0)
      return -1;
    ww_reserve(&w, (size_t)n);
  }
  ww_u16(&w, c->htype);
  ww_u16(&w, c->hlen);
  ww_bytes(&w, c->hdata, c->hlen);
  return ww_result(&w);
}

int
extended2_cell_parse(created2_cell_t *out, const uint8_t *body, size_t len)
{
  return created2_cell_parse(out, body, len);
}

int
extended2_cell_encode(const created2_cell_t *c, uint8_t *out, size_t outlen)
{
  return created2_cell_encode(c, out, outlen);
}

int
truncated_cell_parse(uint8_t *reason_out, const uint8_t *body, size_t len)
{
  *reason_out = len ? body[0] : DESTROY_REASON_NONE;
  return 0;
}

int
truncated_cell_encode(uint8_t reason, uint8_t *out, size_t outlen)
{
  return destroy_cell_encode(reason, out, outlen);
}
