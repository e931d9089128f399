/* linkspec.c — EXTEND2 link specifiers. */
#include "proto/linkspec.h"

#include <string.h>

#include "proto/wire.h"

static int
linkspec_known_len(uint8_t type)
{
  switch (type) {
  case LINKSPEC_IPV4: return 6;
  case LINKSPEC_IPV6: return 18;
  case LINKSPEC_LEGACY_ID: return LINKSPEC_LEGACY_ID_LEN;
  case LINKSPEC_ED25519_ID: return LINKSPEC_ED25519_ID_LEN;
  default: return -1;
  }
}

int
linkspec_parse(linkspec_t *out, const uint8_t *buf, size_t len, size_t *consumed)
{
  wire_reader_t r;
  memset(out, 0, sizeof(*out));
  wr_init(&r, buf, len);
  out->type = wr_u8(&r);
  uint8_t lslen = wr_u8(&r);
  const uint8_t *v = wr_bytes(&r, lslen);
  if (!v)
    goto bad;
  int want = linkspec_known_len(out->type);
  if (want >= 0 && lslen != want)
    goto bad;
  switch (out->type) {
  case LINKSPEC_IPV4:
    netaddr_set_ipv4(&out->addr, v);
    out->port = get_u16(v + 4);
    break;
  case LINKSPEC_IPV6:
    netaddr_set_ipv6(&out->addr, v);
    out->port = get_u16(v + 16);
    break;
  case LINKSPEC_LEGACY_ID:
    memcpy(out->legacy_id, v, LINKSPEC_LEGACY_ID_LEN);
    break;
  case LINKSPEC_ED25519_ID:
    memcpy(out->ed25519_id, v, LINKSPEC_ED25519_ID_LEN);
    break;
  default:
    out->unknown_len = lslen;
    out->unknown = v;
    break;
  }
  *consumed = 2 + (size_t)lslen;
  return 0;
 bad:
  memset(out, 0, sizeof(*out));
  return -1;
}

size_t
linkspec_encoded_len(const linkspec_t *ls)
{
  int n = linkspec_known_len(ls->type);
  return 2 + (n >= 0 ? (size_t)n : ls->unknown_len);
}

int
linkspec_encode(const linkspec_t *ls, uint8_t *out, size_t outlen)
{
  wire_writer_t w;
  ww_init(&w, out, outlen);
  ww_u8(&w, ls->type);
  switch (ls->type) {
  case LINKSPEC_IPV4:
  case LINKSPEC_IPV6:
    if (ls->addr.family != (ls->type == LINKSPEC_IPV4 ? NETADDR_IPV4 : NETADDR_IPV6))
      return -1;
    ww_u8(&w, (uint8_t)(netaddr_len(&ls->addr) + 2));
    ww_bytes(&w, ls->addr.bytes, netaddr_len(&ls->addr));
    ww_u16(&w, ls->port);
    break;
  case LINKSPEC_LEGACY_ID:
    ww_u8(&w, LINKSPEC_LEGACY_ID_LEN);
    ww_bytes(&w, ls->legacy_id, LINKSPEC_LEGACY_ID_LEN);
    break;
  case LINKSPEC_ED25519_ID:
    ww_u8(&w, LINKSPEC_ED25519_ID_LEN);
    ww_bytes(&w, ls->ed25519_id, LINKSPEC_ED25519_ID_LEN);
    break;
  default:
    if (ls->unknown_len && !ls->unknown)
      return -1;
    ww_u8(&w, ls->unknown_len);
    ww_bytes(&w, ls->unknown, ls->unknown_len);
    break;
  }
  return ww_result(&w);
}

int
linkspec_set_addr(linkspec_t *ls, const netaddr_t *addr, uint16_t port)
{
  memset(ls, 0, sizeof(*ls));
  if (addr->family == NETADDR_IPV4)
    ls->type = LINKSPEC_IPV4;
  else if (addr->family == NETADDR_IPV6)
    ls->type = LINKSPEC_IPV6;
  else
    return -1;
  ls->addr = *addr;
  ls->port = port;
  return 0;
}

void
linkspec_set_legacy_id(linkspec_t *ls, const uint8_t *id20)
{
  memset(ls, 0, sizeof(*ls));
  ls->type = LINKSPEC_LEGACY_ID;
  memcpy(ls->legacy_id, id20, LINKSPEC_LEGACY_ID_LEN);
}

void
linkspec_set_ed25519_id(linkspec_t *ls, const uint8_t *id32)
{
  memset(ls, 0, sizeof(*ls));
  ls->type = LINKSPEC_ED25519_ID;
  memcpy(ls->ed25519_id, id32, LINKSPEC_ED25519_ID_LEN);
}

int
linkspec_eq(const linkspec_t *a, const linkspec_t *b)
{
  if (a->type != b->type)
    return 0;
  switch (a->type) {
  case LINKSPEC_IPV4:
  case LINKSPEC_IPV6:
    return netaddr_eq(&a->addr, &b->addr) && a->port == b->port;
  case LINKSPEC_LEGACY_ID:
    return memcmp(a->legacy_id, b->legacy_id, LINKSPEC_LEGACY_ID_LEN) == 0;
  case LINKSPEC_ED25519_ID:
    return memcmp(a->ed25519_id, b->ed25519_id, LINKSPEC_ED25519_ID_LEN) == 0;
  default:
    return a->unknown_len == b->unknown_len &&
      (a->unknown_len == 0 || memcmp(a->unknown, b->unknown, a->unknown_len) == 0);
  }
}
