/* circ_cells.h — bodies of the circuit-management cells (tor-spec §5.1, §5.4):
 * CREATE2/CREATED2, CREATE_FAST/CREATED_FAST and DESTROY.  The same
 * HLEN|HDATA layout is used by EXTENDED2 (proto/relay_circ.h).
 *
 * Parsers return 0/-1 and never read past len; encoders return the number of
 * bytes written or -1. */
#ifndef EVONION_PROTO_CIRC_CELLS_H
#define EVONION_PROTO_CIRC_CELLS_H

#include <stddef.h>
#include <stdint.h>

#include "proto/cell.h"

/** Handshake types (tor-spec §5.1). */
#define HANDSHAKE_TYPE_TAP 0x0000
#define HANDSHAKE_TYPE_FAST 0x0001
#define HANDSHAKE_TYPE_NTOR 0x0002
#define HANDSHAKE_TYPE_NTOR_V3 0x0003

/** Most handshake data a CREATE2 can carry: 509 - HTYPE - HLEN. */
#define CREATE2_MAX_HLEN (CELL_PAYLOAD_LEN - 4)
/** Most reply data we accept in CREATED2: it must fit in an EXTENDED2
 *  (498 - HLEN), as tor requires. */
#define CREATED2_MAX_HLEN 496

#define CREATE_FAST_LEN 20
#define CREATED_FAST_LEN 40

typedef struct create2_cell_t {
  uint16_t htype;
  uint16_t hlen;
  uint8_t hdata[CREATE2_MAX_HLEN];
} create2_cell_t;

typedef struct created2_cell_t {
  uint16_t hlen;
  uint8_t hdata[CREATED2_MAX_HLEN];
} created2_cell_t;

typedef struct create_fast_cell_t {
  uint8_t x[CREATE_FAST_LEN];
} create_fast_cell_t;

typedef struct created_fast_cell_t {
  uint8_t y[20];
  uint8_t kh[20];
} created_fast_cell_t;

/** Parse HTYPE u16 | HLEN u16 | HDATA.  Returns -1 if HLEN > CREATE2_MAX_HLEN
 *  or runs past len.  Trailing bytes (cell padding) are ignored. */
int create2_cell_parse(create2_cell_t *out, const uint8_t *body, size_t len);

/** Encode c.  Returns the length (4 + hlen) or -1. */
int create2_cell_encode(const create2_cell_t *c, uint8_t *out, size_t outlen);

/** Parse HLEN u16 | HDATA.  Returns -1 if HLEN > CREATED2_MAX_HLEN or runs
 *  past len. */
int created2_cell_parse(created2_cell_t *out, const uint8_t *body, size_t len);

/** Encode c.  Returns the length (2 + hlen) or -1. */
int created2_cell_encode(const created2_cell_t *c, uint8_t *out, size_t outlen);

/** Parse X[20].  Returns -1 if len < 20. */
int create_fast_cell_parse(create_fast_cell_t *out, const uint8_t *body, size_t len);

/** Encode c.  Returns 20 or -1. */
int create_fast_cell_encode(const create_fast_cell_t *c, uint8_t *out, size_t outlen);

/** Parse Y[20] | KH[20].  Returns -1 if len < 40. */
int created_fast_cell_parse(created_fast_cell_t *out, const uint8_t *body, size_t len);

/** Encode c.  Returns 40 or -1. */
int created_fast_cell_encode(const created_fast_cell_t *c, uint8_t *out, size_t outlen);

/* DESTROY reasons, tor-spec §5.4. */
#define DESTROY_REASON_NONE 0
#define DESTROY_REASON_PROTOCOL 1
#define DESTROY_REASON_INTERNAL 2
#define DESTROY_REASON_REQUESTED 3
#define DESTROY_REASON_HIBERNATING 4
#define DESTROY_REASON_RESOURCELIMIT 5
#define DESTROY_REASON_CONNECTFAILED 6
#define DESTROY_REASON_OR_IDENTITY 7
#define DESTROY_REASON_CHANNEL_CLOSED 8
#define DESTROY_REASON_FINISHED 9
#define DESTROY_REASON_TIMEOUT 10
#define DESTROY_REASON_DESTROYED 11
#define DESTROY_REASON_NOSUCHSERVICE 12

/** Parse a DESTROY body: the reason byte.  Returns -1 if len == 0. */
int destroy_cell_parse(uint8_t *reason_out, const uint8_t *body, size_t len);

/** Encode a DESTROY body.  Returns 1 or -1. */
int destroy_cell_encode(uint8_t reason, uint8_t *out, size_t outlen);

/** The spec name of a DESTROY reason ("PROTOCOL", ...), or "UNKNOWN". */
const char *destroy_reason_to_string(uint8_t reason);

#endif
