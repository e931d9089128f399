/* link_cells.h — bodies of the link-handshake cells (tor-spec §4, §7.2):
 * VERSIONS, CERTS (the container only), AUTH_CHALLENGE, AUTHENTICATE,
 * NETINFO and PADDING_NEGOTIATE.
 *
 * Parsers take a body (a cell payload) and its length and never read past it;
 * they return 0 or -1.  Encoders write into a caller buffer and return the
 * number of bytes written, or -1 if it does not fit or the input is invalid. */
#ifndef EVONION_PROTO_LINK_CELLS_H
#define EVONION_PROTO_LINK_CELLS_H

#include <stddef.h>
#include <stdint.h>

#include "proto/netaddr.h"

/* ---- VERSIONS ---- */

/** At most this many versions are kept (the VERSIONS cap, 512 bytes, / 2). */
#define VERSIONS_MAX 256

typedef struct versions_cell_t {
  size_t n_versions;
  uint16_t versions[VERSIONS_MAX];
} versions_cell_t;

/** Parse a VERSIONS body (u16 list).  Returns -1 if len is odd or more than
 *  2*VERSIONS_MAX. */
int versions_cell_parse(versions_cell_t *out, const uint8_t *body, size_t len);

/** Encode n versions into out.  Returns the length (2n) or -1. */
int versions_cell_encode(const uint16_t *versions, size_t n, uint8_t *out, size_t outlen);

/** The highest version listed in both v and ours[0..n_ours), or 0 if none. */
uint16_t versions_cell_highest_common(const versions_cell_t *v, const uint16_t *ours,
                                      size_t n_ours);

/* ---- CERTS container (tor-spec §4.2); checking is in proto/certs/ ---- */

typedef struct link_cert_entry_t {
  uint8_t cert_type;
  uint16_t cert_len;
  const uint8_t *body;   /**< points into the parsed buffer (not owned) */
} link_cert_entry_t;

typedef struct certs_cell_t {
  uint8_t n_certs;
  link_cert_entry_t certs[255];
} certs_cell_t;

/** Parse a CERTS body into out: N, then N x {type u8, len u16, body}.
 *  Entries point into body, which must outlive out.  Trailing bytes after the
 *  N entries are ignored (variable cells may be padded).  Duplicates and
 *  unknown types are kept in order.  Returns -1 if an entry runs past len. */
int certs_cell_parse(certs_cell_t *out, const uint8_t *body, size_t len);

/** Encoded length of c. */
size_t certs_cell_encoded_len(const certs_cell_t *c);

/** Encode c into out.  Returns the length or -1 if it does not fit. */
int certs_cell_encode(const certs_cell_t *c, uint8_t *out, size_t outlen);

/* ---- AUTH_CHALLENGE (tor-spec §4.3) ---- */

#define AUTH_CHALLENGE_LEN 32
/** Methods beyond this many are counted but not stored. */
#define AUTH_CHALLENGE_MAX_METHODS 64

typedef struct auth_challenge_cell_t {
  uint8_t challenge[AUTH_CHALLENGE_LEN];
  uint16_t n_methods;     /**< as on the wire */
  uint16_t n_stored;      /**< min(n_methods, AUTH_CHALLENGE_MAX_METHODS) */
  uint16_t methods[AUTH_CHALLENGE_MAX_METHODS];
} auth_challenge_cell_t;

/** Parse an AUTH_CHALLENGE body: challenge[32] | N u16 | N x u16.
 *  Trailing bytes are ignored.  Returns -1 if truncated. */
int auth_challenge_cell_parse(auth_challenge_cell_t *out, const uint8_t *body, size_t len);

/** Encode c (its n_stored methods; n_methods is ignored).  Returns the length or -1. */
int auth_challenge_cell_encode(const auth_challenge_cell_t *c, uint8_t *out, size_t outlen);

/** Return 1 if method is among the stored methods of c. */
int auth_challenge_cell_has_method(const auth_challenge_cell_t *c, uint16_t method);

/* ---- AUTHENTICATE (tor-spec §4.4) ---- */

typedef struct authenticate_cell_t {
  uint16_t auth_type;
  uint16_t auth_len;
  const uint8_t *auth;   /**< points into the parsed buffer (not owned) */
} authenticate_cell_t;

/** Parse an AUTHENTICATE body: type u16 | len u16 | auth[len]; trailing
 *  bytes ignored.  Returns -1 if truncated. */
int authenticate_cell_parse(authenticate_cell_t *out, const uint8_t *body, size_t len);

/** Encode c into out.  Returns the length or -1. */
int authenticate_cell_encode(const authenticate_cell_t *c, uint8_t *out, size_t outlen);

/* ---- NETINFO (tor-spec §4.5) ---- */

/** At most this many "my addresses" are kept; further ones are skipped. */
#define NETINFO_MAX_MY_ADDRS 8

typedef struct netinfo_cell_t {
  uint32_t timestamp;
  netaddr_t other_addr;             /**< NETADDR_NONE if unknown type or bad length */
  uint8_t n_my_addrs;               /**< recognised addresses stored below */
  netaddr_t my_addrs[NETINFO_MAX_MY_ADDRS];
} netinfo_cell_t;

/** Parse a NETINFO body.  Addresses of unknown type, or whose length does not
 *  match their type, are skipped; bytes after the last address are ignored.
 *  Returns -1 only if the body is truncated (an address runs past len). */
int netinfo_cell_parse(netinfo_cell_t *out, const uint8_t *body, size_t len);

/** Encode c (an other_addr of NETADDR_NONE is sent as IPv4 0.0.0.0).
 *  Returns the length or -1. */
int netinfo_cell_encode(const netinfo_cell_t *c, uint8_t *out, size_t outlen);

/* ---- PADDING_NEGOTIATE (tor-spec §7.2, padding-spec §2.2) ---- */

#define PADDING_NEGOTIATE_STOP 1
#define PADDING_NEGOTIATE_START 2

typedef struct padding_negotiate_cell_t {
  uint8_t command;        /**< PADDING_NEGOTIATE_START or _STOP */
  uint16_t ito_low_ms;
  uint16_t ito_high_ms;
} padding_negotiate_cell_t;

/** Parse version(0) | command | ito_low u16 | ito_high u16.  Returns -1 on
 *  truncation, a version other than 0, or an unknown command. */
int padding_negotiate_cell_parse(padding_negotiate_cell_t *out, const uint8_t *body, size_t len);

/** Encode c (version 0).  Returns the length (6) or -1. */
int padding_negotiate_cell_encode(const padding_negotiate_cell_t *c, uint8_t *out, size_t outlen);

#endif
