/* linkspec.h — EXTEND2 link specifiers (tor-spec §5.1.2):
 * LSTYPE u8 | LSLEN u8 | LSPEC[LSLEN].
 *   00 IPv4 (4) + port (2)     01 IPv6 (16) + port (2)
 *   02 legacy RSA identity (20) 03 Ed25519 identity (32)
 * Unknown types are kept opaque (a view into the parsed buffer) so they can
 * be re-encoded unchanged. */
#ifndef EVONION_PROTO_LINKSPEC_H
#define EVONION_PROTO_LINKSPEC_H

#include <stddef.h>
#include <stdint.h>

#include "proto/netaddr.h"

#define LINKSPEC_IPV4 0
#define LINKSPEC_IPV6 1
#define LINKSPEC_LEGACY_ID 2
#define LINKSPEC_ED25519_ID 3

#define LINKSPEC_LEGACY_ID_LEN 20
#define LINKSPEC_ED25519_ID_LEN 32

typedef struct linkspec_t {
  uint8_t type;
  netaddr_t addr;                          /**< IPV4 / IPV6 */
  uint16_t port;                           /**< IPV4 / IPV6 */
  uint8_t legacy_id[LINKSPEC_LEGACY_ID_LEN];   /**< LEGACY_ID */
  uint8_t ed25519_id[LINKSPEC_ED25519_ID_LEN]; /**< ED25519_ID */
  uint8_t unknown_len;                     /**< unknown types */
  const uint8_t *unknown;                  /**< unknown types: view, not owned */
} linkspec_t;

/** Parse one link specifier at the front of buf[0..len) into out and set
 *  *consumed.  Returns -1 if truncated or a known type has the wrong length. */
int linkspec_parse(linkspec_t *out, const uint8_t *buf, size_t len, size_t *consumed);

/** Encoded length of ls (2 + LSLEN). */
size_t linkspec_encoded_len(const linkspec_t *ls);

/** Encode ls into out.  Returns the length or -1 (no room, or an address of
 *  the wrong family for the type). */
int linkspec_encode(const linkspec_t *ls, uint8_t *out, size_t outlen);

/** Fill ls as an IPv4 or IPv6 specifier (by addr's family).  Returns 0 or -1
 *  if addr has no family. */
int linkspec_set_addr(linkspec_t *ls, const netaddr_t *addr, uint16_t port);

/** Fill ls as a legacy RSA identity specifier. */
void linkspec_set_legacy_id(linkspec_t *ls, const uint8_t *id20);

/** Fill ls as an Ed25519 identity specifier. */
void linkspec_set_ed25519_id(linkspec_t *ls, const uint8_t *id32);

/** Return 1 if a and b are the same specifier (type and contents). */
int linkspec_eq(const linkspec_t *a, const linkspec_t *b);

#endif
