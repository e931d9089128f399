/* netaddr.h — a raw IPv4/IPv6 address as it travels in cells.
 *
 * The family values equal the wire type codes used by NETINFO, RESOLVED and
 * CONNECTED (4 = IPv4, 6 = IPv6), so codecs can store the type byte as is. */
#ifndef EVONION_PROTO_NETADDR_H
#define EVONION_PROTO_NETADDR_H

#include <stddef.h>
#include <stdint.h>

typedef enum netaddr_family_t {
  NETADDR_NONE = 0,  /**< no address */
  NETADDR_IPV4 = 4,  /**< 4 bytes in bytes[0..3] */
  NETADDR_IPV6 = 6,  /**< 16 bytes */
} netaddr_family_t;

typedef struct netaddr_t {
  netaddr_family_t family;
  uint8_t bytes[16];       /**< network order; unused bytes are zero */
} netaddr_t;

/** Length in bytes of an address of this family (4, 16, or 0 for NONE). */
size_t netaddr_len(const netaddr_t *a);

/** Set *a to the IPv4 address in the 4 bytes at p. */
void netaddr_set_ipv4(netaddr_t *a, const uint8_t *p);

/** Set *a to the IPv6 address in the 16 bytes at p. */
void netaddr_set_ipv6(netaddr_t *a, const uint8_t *p);

/** Return 1 if a and b have the same family and bytes, else 0. */
int netaddr_eq(const netaddr_t *a, const netaddr_t *b);

/** Write a printable form ("1.2.3.4", "2001:db8::1", "<none>") into out
 *  (outlen >= 46 is always enough); returns out. */
const char *netaddr_format(const netaddr_t *a, char *out, size_t outlen);

/** Parse a dotted IPv4 or a (bracket-free) IPv6 literal into *a.
 *  Returns 0, or -1 if s is neither. */
int netaddr_parse(netaddr_t *a, const char *s);

#endif
