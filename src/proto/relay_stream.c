/* relay_stream.c — BEGIN, CONNECTED, END, RESOLVE, RESOLVED bodies. */
#include "proto/relay_stream.h"

#include <stdio.h>
#include <string.h>

#include "proto/wire.h"

static int
host_char_ok(uint8_t c)
{
  return c > 0x20 && c < 0x7f;
}

/* Parse the decimal port in s[0..n); -1 unless 1..65535. */
static long
begin_parse_port(const uint8_t *s, size_t n)
{
  long port = 0;
  if (n == 0 || n > 5)
    return -1;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    port = port * 10 + (s[i] - '0');
  }
  return (port >= 1 && port <= 65535) ? port : -1;
}

int
begin_cell_parse(begin_cell_t *out, const uint8_t *body, size_t len)
{
  memset(out, 0, sizeof(*out));
  const uint8_t *nul = len ? memchr(body, '\0', len) : NULL;
  if (!nul)
    return -1;
  size_t slen = (size_t)(nul - body);
  const uint8_t *colon = NULL;
  for (size_t i = slen; i > 0; i--)
    if (body[i - 1] == ':') {
      colon = body + i - 1;
      break;
    }
  if (!colon)
    return -1;
  long port = begin_parse_port(colon + 1, (size_t)(nul - colon - 1));
  const uint8_t *host = body;
  size_t hlen = (size_t)(colon - body);
  int bracketed = hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']';
  if (bracketed) {
    host++;
    hlen -= 2;
  }
  if (port < 0 || hlen == 0 || hlen >= sizeof(out->host))
    return -1;
  for (size_t i = 0; i < hlen; i++) {
    if (!host_char_ok(host[i]) || host[i] == '[' || host[i] == ']' ||
        (host[i] == ':' && !bracketed))
      return -1;
  }
  memcpy(out->host, host, hlen);
  out->host[hlen] = '\0';
  out->port = (uint16_t)port;
  size_t rest = len - slen - 1;
  if (rest >= 4)
    out->flags = get_u32(nul + 1);
  return 0;
}

int
begin_cell_encode(const begin_cell_t *c, uint8_t *out, size_t outlen)
{
  char portbuf[8];
  size_t hlen = strnlen(c->host, sizeof(c->host));
  if (hlen == 0 || hlen == sizeof(c->host) || c->port == 0)
    return -1;
  for (size_t i = 0; i < hlen; i++)
    if (!host_char_ok((uint8_t)c->host[i]) || c->host[i] == '[' || c->host[i] == ']')
      return -1;
  int v6 = memchr(c->host, ':', hlen) != NULL;
  snprintf(portbuf, sizeof(portbuf), "%u", (unsigned)c->port);
  size_t plen = strlen(portbuf);
  size_t total = hlen + (v6 ? 2 : 0) + 1 + plen + 1 + (c->flags ? 4 : 0);
  if (total > outlen || total > RELAY_BODY_MAX_LEN)
    return -1;
  uint8_t *p = out;
  if (v6)
    *p++ = '[';
  memcpy(p, c->host, hlen);
  p += hlen;
  if (v6)
    *p++ = ']';
  *p++ = ':';
  memcpy(p, portbuf, plen);
  p += plen;
  *p++ = '\0';
  if (c->flags)
    put_u32(p, c->flags);
  return (int)total;
}

int
connected_cell_parse(connected_cell_t *out, const uint8_t *body, size_t len)
{
  static const uint8_t zero4[4] = { 0, 0, 0, 0 };
  memset(out, 0, sizeof(*out));
  if (len == 0)
    return 0;
  if (len < 4)
    return -1;
  if (memcmp(body, zero4, 4) != 0) {
    netaddr_set_ipv4(&out->addr, body);
    if (len >= 8) {
      out->has_ttl = 1;
      out->ttl = get_u32(body + 4);
    }
    return 0;
  }
  if (len < 25 || body[4] != NETADDR_IPV6) {
    memset(out, 0, sizeof(*out));
    return -1;
  }
  netaddr_set_ipv6(&out->addr, body + 5);
  out->has_ttl = 1;
  out->ttl = get_u32(body + 21);
  return 0;
}

int
connected_cell_encode(const connected_cell_t *c, uint8_t *out, size_t outlen)
{
  wire_writer_t w;
  ww_init(&w, out, outlen);
  uint32_t ttl = c->has_ttl ? c->ttl : 0;
  switch (c->addr.family) {
  case NETADDR_NONE:
    break;
  case NETADDR_IPV4:
    ww_bytes(&w, c->addr.bytes, 4);
    ww_u32(&w, ttl);
    break;
  case NETADDR_IPV6:
    ww_u32(&w, 0);
    ww_u8(&w, NETADDR_IPV6);
    ww_bytes(&w, c->addr.bytes, 16);
    ww_u32(&w, ttl);
    break;
  default:
    return -1;
  }
  return ww_result(&w);
}

int
end_cell_parse(end_cell_t *out, const uint8_t *body, size_t len)
{
  memset(out, 0, sizeof(*out));
  if (len == 0) {
    out->reason = END_REASON_MISC;
    return 0;
  }
  out->reason = body[0];
  if (out->reason != END_REASON_EXITPOLICY)
    return 0;
  if (len == 5 || len == 9) {
    netaddr_set_ipv4(&out->addr, body + 1);
    if (len == 9) {
      out->has_ttl = 1;
      out->ttl = get_u32(body + 5);
    }
  } else if (len == 17 || len == 21) {
    netaddr_set_ipv6(&out->addr, body + 1);
    if (len == 21) {
      out->has_ttl = 1;
      out->ttl = get_u32(body + 17);
    }
  }
  return 0;
}

int
end_cell_encode(const end_cell_t *c, uint8_t *out, size_t outlen)
{
  wire_writer_t w;
  ww_init(&w, out, outlen);
  ww_u8(&w, c->reason);
  if (c->reason == END_REASON_EXITPOLICY && c->addr.family != NETADDR_NONE) {
    size_t alen = netaddr_len(&c->addr);
    if (alen == 0)
      return -1;
    ww_bytes(&w, c->addr.bytes, alen);
    if (c->has_ttl)
      ww_u32(&w, c->ttl);
  }
  return ww_result(&w);
}

const char *
end_reason_to_string(uint8_t reason)
{
  static const char *const names[] = {
    "UNKNOWN", "MISC", "RESOLVEFAILED", "CONNECTREFUSED", "EXITPOLICY", "DESTROY",
    "DONE", "TIMEOUT", "NOROUTE", "HIBERNATING", "INTERNAL", "RESOURCELIMIT",
    "CONNRESET", "TORPROTOCOL", "NOTDIRECTORY",
  };
  if (reason < sizeof(names) / sizeof(names[0]))
    return names[reason];
  return "UNKNOWN";
}

int
resolve_cell_parse(resolve_cell_t *out, const uint8_t *body, size_t len)
{
  memset(out, 0, sizeof(*out));
  if (len > RELAY_BODY_MAX_LEN)
    len = RELAY_BODY_MAX_LEN;
  const uint8_t *nul = len ? memchr(body, '\0', len) : NULL;
  if (!nul || nul == body)
    return -1;
  memcpy(out->name, body, (size_t)(nul - body));
  return 0;
}

int
resolve_cell_encode(const char *name, uint8_t *out, size_t outlen)
{
  wire_writer_t w;
  size_t n = strlen(name);
  if (n == 0 || n + 1 > RELAY_BODY_MAX_LEN)
    return -1;
  ww_init(&w, out, outlen);
  ww_bytes(&w, name, n + 1);
  return ww_result(&w);
}

/* Validate and store one answer; returns -1 if its value is malformed. */
static int
resolved_store(resolved_answer_t *a, uint8_t type, uint8_t alen, const uint8_t *val,
               uint32_t ttl)
{
  memset(a, 0, sizeof(*a));
  a->type = type;
  a->len = alen;
  a->ttl = ttl;
  switch (type) {
  case RESOLVED_TYPE_IPV4:
    if (alen != 4)
      return -1;
    netaddr_set_ipv4(&a->addr, val);
    break;
  case RESOLVED_TYPE_IPV6:
    if (alen != 16)
      return -1;
    netaddr_set_ipv6(&a->addr, val);
    break;
  case RESOLVED_TYPE_HOSTNAME:
    if (alen == 0)
      return -1;
    a->value = val;
    break;
  default:
    a->value = val;
    break;
  }
  return 0;
}

int
resolved_cell_parse(resolved_cell_t *out, const uint8_t *body, size_t len)
{
  wire_reader_t r;
  memset(out, 0, sizeof(*out));
  wr_init(&r, body, len);
  while (r.left > 0) {
    uint8_t type = wr_u8(&r);
    uint8_t alen = wr_u8(&r);
    const uint8_t *val = wr_bytes(&r, alen);
    uint32_t ttl = wr_u32(&r);
    if (r.err)
      goto bad;
    if (type != RESOLVED_TYPE_HOSTNAME && type != RESOLVED_TYPE_IPV4 &&
        type != RESOLVED_TYPE_IPV6 && type != RESOLVED_TYPE_ERROR_TRANSIENT &&
        type != RESOLVED_TYPE_ERROR) {
      out->n_skipped++;
      continue;
    }
    if (out->n_answers >= RESOLVED_MAX_ANSWERS)
      goto bad;
    if (resolved_store(&out->answers[out->n_answers], type, alen, val, ttl) < 0)
      goto bad;
    out->n_answers++;
  }
  return 0;
 bad:
  memset(out, 0, sizeof(*out));
  return -1;
}

int
resolved_cell_encode(const resolved_cell_t *c, uint8_t *out, size_t outlen)
{
  wire_writer_t w;
  if (c->n_answers > RESOLVED_MAX_ANSWERS)
    return -1;
  ww_init(&w, out, outlen);
  for (size_t i = 0; i < c->n_answers; i++) {
    const resolved_answer_t *a = &c->answers[i];
    ww_u8(&w, a->type);
    if (a->type == RESOLVED_TYPE_IPV4 || a->type == RESOLVED_TYPE_IPV6) {
      size_t alen = a->type == RESOLVED_TYPE_IPV4 ? 4 : 16;
      if (netaddr_len(&a->addr) != alen)
        return -1;
      ww_u8(&w, (uint8_t)alen);
      ww_bytes(&w, a->addr.bytes, alen);
    } else {
      if (a->len && !a->value)
        return -1;
      ww_u8(&w, a->len);
      ww_bytes(&w, a->value, a->len);
    }
    ww_u32(&w, a->ttl);
  }
  return ww_result(&w);
}
