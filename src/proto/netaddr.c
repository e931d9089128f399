/* netaddr.c — raw IPv4/IPv6 addresses for the cell codecs. */
#include "proto/netaddr.h"

#include <stdio.h>
#include <string.h>

#include <event2/util.h>

size_t
netaddr_len(const netaddr_t *a)
{
  switch (a->family) {
  case NETADDR_IPV4: return 4;
  case NETADDR_IPV6: return 16;
  default: return 0;
  }
}

void
netaddr_set_ipv4(netaddr_t *a, const uint8_t *p)
{
  memset(a, 0, sizeof(*a));
  a->family = NETADDR_IPV4;
  memcpy(a->bytes, p, 4);
}

void
netaddr_set_ipv6(netaddr_t *a, const uint8_t *p)
{
  memset(a, 0, sizeof(*a));
  a->family = NETADDR_IPV6;
  memcpy(a->bytes, p, 16);
}

int
netaddr_eq(const netaddr_t *a, const netaddr_t *b)
{
  if (a->family != b->family)
    return 0;
  return memcmp(a->bytes, b->bytes, netaddr_len(a)) == 0;
}

const char *
netaddr_format(const netaddr_t *a, char *out, size_t outlen)
{
  if (outlen == 0)
    return out;
  out[0] = '\0';
  switch (a->family) {
  case NETADDR_IPV4:
    snprintf(out, outlen, "%u.%u.%u.%u", a->bytes[0], a->bytes[1], a->bytes[2], a->bytes[3]);
    break;
  case NETADDR_IPV6:
    if (!evutil_inet_ntop(AF_INET6, a->bytes, out, outlen))
      snprintf(out, outlen, "<bad>");
    break;
  default:
    snprintf(out, outlen, "<none>");
    break;
  }
  return out;
}

int
netaddr_parse(netaddr_t *a, const char *s)
{
  uint8_t buf[16];
  memset(a, 0, sizeof(*a));
  if (strchr(s, ':')) {
    if (evutil_inet_pton(AF_INET6, s, buf) != 1)
      return -1;
    netaddr_set_ipv6(a, buf);
    return 0;
  }
  if (evutil_inet_pton(AF_INET, s, buf) != 1)
    return -1;
  netaddr_set_ipv4(a, buf);
  return 0;
}
