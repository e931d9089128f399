/* link_cells.c — VERSIONS, CERTS container, AUTH_CHALLENGE, AUTHENTICATE,
 * NETINFO and PADDING_NEGOTIATE bodies. */
#include "proto/link_cells.h"

#include <string.h>

#include "proto/wire.h"

int
versions_cell_parse(versions_cell_t *out, const uint8_t *body, size_t len)
{
  memset(out, 0, sizeof(*out));
  if (len % 2 || len / 2 > VERSIONS_MAX)
    return -1;
  out->n_versions = len / 2;
  for (size_t i = 0; i < out->n_versions; i++)
    out->versions[i] = get_u16(body + 2 * i);
  return 0;
}

int
versions_cell_encode(const uint16_t *versions, size_t n, uint8_t *out, size_t outlen)
{
  wire_writer_t w;
  if (n > VERSIONS_MAX)
    return -1;
  ww_init(&w, out, outlen);
  for (size_t i = 0; i < n; i++)
    ww_u16(&w, versions[i]);
  return ww_result(&w);
}

uint16_t
versions_cell_highest_common(const versions_cell_t *v, const uint16_t *ours, size_t n_ours)
{
  uint16_t best = 0;
  for (size_t i = 0; i < v->n_versions; i++)
    for (size_t j = 0; j < n_ours; j++)
      if (v->versions[i] == ours[j] && ours[j] > best)
        best = ours[j];
  return best;
}

int
certs_cell_parse(certs_cell_t *out, const uint8_t *body, size_t len)
{
  wire_reader_t r;
  memset(out, 0, sizeof(*out));
  wr_init(&r, body, len);
  uint8_t n = wr_u8(&r);
  for (unsigned i = 0; i < n && !r.err; i++) {
    link_cert_entry_t *e = &out->certs[i];
    e->cert_type = wr_u8(&r);
    e->cert_len = wr_u16(&r);
    e->body = wr_bytes(&r, e->cert_len);
  }
  if (r.err) {
    memset(out, 0, sizeof(*out));
    return -1;
  }
  out->n_certs = n;
  return 0;
}

size_t
certs_cell_encoded_len(const certs_cell_t *c)
{
  size_t n = 1;
  for (unsigned i = 0; i < c->n_certs; i++)
    n += 3 + (size_t)c->certs[i].cert_len;
  return n;
}

int
certs_cell_encode(const certs_cell_t *c, uint8_t *out, size_t outlen)
{
  wire_writer_t w;
  ww_init(&w, out, outlen);
  ww_u8(&w, c->n_certs);
  for (unsigned i = 0; i < c->n_certs; i++) {
    ww_u8(&w, c->certs[i].cert_type);
    ww_u16(&w, c->certs[i].cert_len);
    ww_bytes(&w, c->certs[i].body, c->certs[i].cert_len);
  }
  return ww_result(&w);
}

int
auth_challenge_cell_parse(auth_challenge_cell_t *out, const uint8_t *body, size_t len)
{
  wire_reader_t r;
  memset(out, 0, sizeof(*out));
  wr_init(&r, body, len);
  wr_copy(&r, out->challenge, AUTH_CHALLENGE_LEN);
  out->n_methods = wr_u16(&r);
  for (unsigned i = 0; i < out->n_methods && !r.err; i++) {
    uint16_t m = wr_u16(&r);
    if (i < AUTH_CHALLENGE_MAX_METHODS)
      out->methods[out->n_stored++] = m;
  }
  if (r.err) {
    memset(out, 0, sizeof(*out));
    return -1;
  }
  return 0;
}

int
auth_challenge_cell_encode(const auth_challenge_cell_t *c, uint8_t *out, size_t outlen)
{
  wire_writer_t w;
  if (c->n_stored > AUTH_CHALLENGE_MAX_METHODS)
    return -1;
  ww_init(&w, out, outlen);
  ww_bytes(&w, c->challenge, AUTH_CHALLENGE_LEN);
  ww_u16(&w, c->n_stored);
  for (unsigned i = 0; i < c->n_stored; i++)
    ww_u16(&w, c->methods[i]);
  return ww_result(&w);
}

int
auth_challenge_cell_has_method(const auth_challenge_cell_t *c, uint16_t method)
{
  for (unsigned i = 0; i < c->n_stored && i < AUTH_CHALLENGE_MAX_METHODS; i++)
    if (c->methods[i] == method)
      return 1;
  return 0;
}

int
authenticate_cell_parse(authenticate_cell_t *out, const uint8_t *body, size_t len)
{
  wire_reader_t r;
  memset(out, 0, sizeof(*out));
  wr_init(&r, body, len);
  out->auth_type = wr_u16(&r);
  out->auth_len = wr_u16(&r);
  out->auth = wr_bytes(&r, out->auth_len);
  if (r.err) {
    memset(out, 0, sizeof(*out));
    return -1;
  }
  return 0;
}

int
authenticate_cell_encode(const authenticate_cell_t *c, uint8_t *out, size_t outlen)
{
  wire_writer_t w;
  ww_init(&w, out, outlen);
  ww_u16(&w, c->auth_type);
  ww_u16(&w, c->auth_len);
  ww_bytes(&w, c->auth, c->auth_len);
  return ww_result(&w);
}

/* Read one ATYPE ALEN AVAL; *a is NONE unless the type and length match. */
static void
netinfo_read_addr(wire_reader_t *r, netaddr_t *a)
{
  uint8_t type = wr_u8(r);
  uint8_t alen = wr_u8(r);
  const uint8_t *val = wr_bytes(r, alen);
  memset(a, 0, sizeof(*a));
  if (!val)
    return;
  if (type == NETADDR_IPV4 && alen == 4)
    netaddr_set_ipv4(a, val);
  else if (type == NETADDR_IPV6 && alen == 16)
    netaddr_set_ipv6(a, val);
}

int
netinfo_cell_parse(netinfo_cell_t *out, const uint8_t *body, size_t len)
{
  wire_reader_t r;
  memset(out, 0, sizeof(*out));
  wr_init(&r, body, len);
  out->timestamp = wr_u32(&r);
  netinfo_read_addr(&r, &out->other_addr);
  uint8_t n = wr_u8(&r);
  for (unsigned i = 0; i < n && !r.err; i++) {
    netaddr_t a;
    netinfo_read_addr(&r, &a);
    if (a.family != NETADDR_NONE && out->n_my_addrs < NETINFO_MAX_MY_ADDRS)
      out->my_addrs[out->n_my_addrs++] = a;
  }
  if (r.err) {
    memset(out, 0, sizeof(*out));
    return -1;
  }
  return 0;
}

static void
netinfo_write_addr(wire_writer_t *w, const netaddr_t *a)
{
  static const uint8_t zero[4] = { 0, 0, 0, 0 };
  if (a->family == NETADDR_NONE) {
    ww_u8(w, NETADDR_IPV4);
    ww_u8(w, 4);
    ww_bytes(w, zero, 4);
    return;
  }
  ww_u8(w, (uint8_t)a->family);
  ww_u8(w, (uint8_t)netaddr_len(a));
  ww_bytes(w, a->bytes, netaddr_len(a));
}

int
netinfo_cell_encode(const netinfo_cell_t *c, uint8_t *out, size_t outlen)
{
  wire_writer_t w;
  if (c->n_my_addrs > NETINFO_MAX_MY_ADDRS)
    return -1;
  ww_init(&w, out, outlen);
  ww_u32(&w, c->timestamp);
  netinfo_write_addr(&w, &c->other_addr);
  ww_u8(&w, c->n_my_addrs);
  for (unsigned i = 0; i < c->n_my_addrs; i++) {
    if (c->my_addrs[i].family == NETADDR_NONE)
      return -1;
    netinfo_write_addr(&w, &c->my_addrs[i]);
  }
  return ww_result(&w);
}

int
padding_negotiate_cell_parse(padding_negotiate_cell_t *out, const uint8_t *body, size_t len)
{
  wire_reader_t r;
  memset(out, 0, sizeof(*out));
  wr_init(&r, body, len);
  uint8_t version = wr_u8(&r);
  out->command = wr_u8(&r);
  out->ito_low_ms = wr_u16(&r);
  out->ito_high_ms = wr_u16(&r);
  if (r.err || version != 0 ||
      (out->command != PADDING_NEGOTIATE_START && out->command != PADDING_NEGOTIATE_STOP)) {
    memset(out, 0, sizeof(*out));
    return -1;
  }
  return 0;
}

int
padding_negotiate_cell_encode(const padding_negotiate_cell_t *c, uint8_t *out, size_t outlen)
{
  wire_writer_t w;
  if (c->command != PADDING_NEGOTIATE_START && c->command != PADDING_NEGOTIATE_STOP)
    return -1;
  ww_init(&w, out, outlen);
  ww_u8(&w, 0);
  ww_u8(&w, c->command);
  ww_u16(&w, c->ito_low_ms);
  ww_u16(&w, c->ito_high_ms);
  return ww_result(&w);
}
