/* relay_circ.h — circuit-level relay message bodies: SENDME (tor-spec
 * §7.3.1, prop 289), EXTEND2/EXTENDED2 (§5.1.2), TRUNCATE/TRUNCATED (§5.4).
 *
 * Parsers take the relay body and its length (the header's length field),
 * return 0/-1 and never read past len.  Encoders return the body length or -1. */
#ifndef EVONION_PROTO_RELAY_CIRC_H
#define EVONION_PROTO_RELAY_CIRC_H

#include <stddef.h>
#include <stdint.h>

#include "proto/circ_cells.h"
#include "proto/linkspec.h"
#include "proto/relay_msg.h"

/* ---- SENDME ---- */

#define SENDME_DIGEST_LEN 20

typedef struct sendme_cell_t {
  uint8_t version;        /**< 0 (also for an empty body), 1, or unknown */
  uint16_t data_len;      /**< DATA_LEN as sent (v1: >= 20) */
  uint8_t digest[SENDME_DIGEST_LEN];  /**< v1 only: the first 20 bytes of DATA */
} sendme_cell_t;

/** Parse a SENDME body.  Empty → version 0.  Version 0: the rest is ignored.
 *  Version 1: DATA_LEN u16 then DATA; -1 if DATA_LEN < 20 or DATA is
 *  truncated (more than 20 bytes: the first 20 are the digest, tor-spec
 *  §7.3.1).  Any other version parses with no digest: prop 289 §3.1 and tor
 *  treat it like version 0; the flow-control layer applies
 *  sendme_accept_min_version and closes the circuit if the version is too low. */
int sendme_cell_parse(sendme_cell_t *out, const uint8_t *body, size_t len);

/** Encode a SENDME: version 0 → empty body (0 bytes); version 1 →
 *  01 | 0014 | digest (23 bytes).  Other versions → -1. */
int sendme_cell_encode(const sendme_cell_t *c, uint8_t *out, size_t outlen);

/* ---- EXTEND2 ---- */

/** We refuse EXTEND2 cells with more link specifiers than this (tor sends 3–4). */
#define EXTEND2_MAX_LINKSPECS 16

typedef struct extend2_cell_t {
  uint8_t n_spec;
  linkspec_t specs[EXTEND2_MAX_LINKSPECS];  /**< unknown ones view the parsed buffer */
  uint16_t htype;
  uint16_t hlen;
  uint8_t hdata[RELAY_BODY_MAX_LEN];
} extend2_cell_t;

/** Parse NSPEC | specs | HTYPE u16 | HLEN u16 | HDATA.  Returns -1 on
 *  truncation, a bad known specifier, more than EXTEND2_MAX_LINKSPECS, or
 *  HLEN > 498 (even if len is larger than a relay body).
 *  Trailing bytes after HDATA are ignored.  Semantic checks are in
 *  extend2_cell_check(). */
int extend2_cell_parse(extend2_cell_t *out, const uint8_t *body, size_t len);

/** The checks a relay makes before extending (tor onion.c check_extend_cell):
 *  exactly one legacy RSA id, at most one Ed25519 id, at least one IPv4 or
 *  IPv6 address, and htype is not CREATE_FAST.  Returns 0 or -1. */
int extend2_cell_check(const extend2_cell_t *c);

/** Encode c.  Returns the body length or -1 (does not fit in 498 bytes, or
 *  a bad specifier). */
int extend2_cell_encode(const extend2_cell_t *c, uint8_t *out, size_t outlen);

/* ---- EXTENDED2: HLEN | HDATA, as CREATED2 ---- */

/** Parse an EXTENDED2 body (same layout and limits as CREATED2). */
int extended2_cell_parse(created2_cell_t *out, const uint8_t *body, size_t len);

/** Encode an EXTENDED2 body.  Returns 2 + hlen or -1. */
int extended2_cell_encode(const created2_cell_t *c, uint8_t *out, size_t outlen);

/* ---- TRUNCATE (empty) / TRUNCATED (reason) ---- */

/** Parse a TRUNCATED body: a DESTROY reason; an empty body gives NONE. */
int truncated_cell_parse(uint8_t *reason_out, const uint8_t *body, size_t len);

/** Encode a TRUNCATED body.  Returns 1 or -1. */
int truncated_cell_encode(uint8_t reason, uint8_t *out, size_t outlen);

#endif
