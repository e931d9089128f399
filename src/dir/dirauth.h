/* dirauth.h — directory authorities: tor's "DirAuthority" line syntax and
 * the public network's default list.
 *
 *   nickname [flags] IPV4:DIRPORT FINGERPRINT
 *
 * flags: orport=N, v3ident=HEX40, ipv6=[ADDR]:PORT, weight=N, no-v2, v2,
 * bridge, hs, no-hs.  FINGERPRINT (the relay RSA identity) is 40 hex digits,
 * or 10 groups of 4 separated by spaces.  The nickname may be omitted, as in
 * tor.  Only authorities with v3ident (and not "bridge") sign consensuses. */
#ifndef EVONION_DIR_DIRAUTH_H
#define EVONION_DIR_DIRAUTH_H

#include <stddef.h>
#include <stdint.h>

#include "proto/netaddr.h"

typedef struct dir_authority_t {
  char nickname[20];        /**< "" if the line had none */
  uint8_t rsa_id[20];       /**< the relay identity (FINGERPRINT) */
  int has_v3ident;
  uint8_t v3ident[20];      /**< SHA-1 of the authority's v3 identity key (certs, signatures) */
  netaddr_t ipv4;           /**< the DirPort address */
  uint16_t dir_port;
  uint16_t or_port;         /**< 0: not given */
  netaddr_t ipv6;           /**< NETADDR_NONE: not given */
  uint16_t ipv6_port;
  int is_bridge;            /**< "bridge": a bridge authority, never used by evonion */
} dir_authority_t;

/** A list of authorities (the configured set). */
typedef struct dir_authorities_t {
  size_t n;
  dir_authority_t *v;
} dir_authorities_t;

/** Parse one DirAuthority line (without the "DirAuthority" keyword) into *out.
 *  Returns 0, or -1 with a one-line reason in err (errlen bytes). */
int dirauth_parse_line(const char *line, dir_authority_t *out, char *err, size_t errlen);

/** The public Tor network's authority lines (tor 0.4.9.11's list), ending
 *  with NULL. */
extern const char *const dirauth_default_lines[];

/** Parse lines[0..n) (or, with n == 0, dirauth_default_lines) into *out
 *  (free with dirauth_list_clear).  Returns 0, or -1 with the reason for the
 *  first bad line in err; *out is then empty.  Fails too if no line names a
 *  v3 authority. */
int dirauth_list_parse(dir_authorities_t *out, const char *const *lines, size_t n, char *err,
                       size_t errlen);

/** The number of authorities that sign consensuses (v3ident, not bridge). */
size_t dirauth_list_n_voting(const dir_authorities_t *l);

/** The voting authority with this v3ident, or NULL. */
const dir_authority_t *dirauth_list_find_v3(const dir_authorities_t *l, const uint8_t v3[20]);

/** Free what *l holds and zero it (NULL is fine). */
void dirauth_list_clear(dir_authorities_t *l);

/** Format 20 bytes as 40 upper-case hex digits into out (41 bytes). */
void dirauth_hex_id(const uint8_t id[20], char out[41]);

#endif
