/* cell.h — link-layer cell framing (tor-spec §3).
 *
 * A fixed cell is CircID | Command | Payload[509]; a variable-length cell
 * (command 7 or >= 128) is CircID | Command | Length(u16) | Payload[Length].
 * CircID is 2 bytes before and for VERSIONS, 4 bytes once link protocol >= 4
 * is negotiated ("wide_circ_ids"). */
#ifndef EVONION_PROTO_CELL_H
#define EVONION_PROTO_CELL_H

#include <stddef.h>
#include <stdint.h>

#include "lib/parse.h"

struct evbuffer;

#define CELL_PAYLOAD_LEN 509
/** Largest fixed cell on the wire (4-byte CircID). */
#define CELL_MAX_NETWORK_LEN 514
/** Largest variable-cell header on the wire (4-byte CircID). */
#define VAR_CELL_MAX_HEADER_LEN 7

/* Cell commands, tor-spec §3. */
#define CELL_PADDING 0
#define CELL_CREATE 1
#define CELL_CREATED 2
#define CELL_RELAY 3
#define CELL_DESTROY 4
#define CELL_CREATE_FAST 5
#define CELL_CREATED_FAST 6
#define CELL_VERSIONS 7
#define CELL_NETINFO 8
#define CELL_RELAY_EARLY 9
#define CELL_CREATE2 10
#define CELL_CREATED2 11
#define CELL_PADDING_NEGOTIATE 12
#define CELL_VPADDING 128
#define CELL_CERTS 129
#define CELL_AUTH_CHALLENGE 130
#define CELL_AUTHENTICATE 131
#define CELL_AUTHORIZE 132

/** A fixed-length cell.  Unused payload bytes are zero when we build one. */
typedef struct cell_t {
  uint32_t circ_id;
  uint8_t command;
  uint8_t payload[CELL_PAYLOAD_LEN];
} cell_t;

/** A variable-length cell; allocated with var_cell_new(), freed with var_cell_free(). */
typedef struct var_cell_t {
  uint32_t circ_id;
  uint8_t command;
  uint16_t payload_len;
  uint8_t payload[];
} var_cell_t;

/** Return 1 if command is a variable-length command (7 or >= 128), else 0.
 *  (We speak link protocol >= 3 only, where this rule always holds.) */
int cell_command_is_var(uint8_t command);

/** The largest payload we accept in a variable cell with this command.
 *  VERSIONS 512, AUTH_CHALLENGE 1024, AUTHENTICATE 2048, AUTHORIZE 1024,
 *  CERTS 16384 (real ones are ~1.5 KB); VPADDING and unknown commands
 *  65535 (they must be skipped, not refused; a u16 bounds them anyway). */
size_t cell_var_max_payload(uint8_t command);

/** Allocate a zeroed var cell with room for payload_len bytes.  Caller frees
 *  with var_cell_free(). */
var_cell_t *var_cell_new(uint8_t command, uint32_t circ_id, uint16_t payload_len);

/** Allocate a var cell holding a copy of body[0..len).  Caller frees. */
var_cell_t *var_cell_new_with_body(uint8_t command, uint32_t circ_id,
                                   const uint8_t *body, uint16_t len);

/** Return a copy of v (caller frees). */
var_cell_t *var_cell_copy(const var_cell_t *v);

/** Free a var cell; NULL is fine. */
void var_cell_free(var_cell_t *v);

/** Length of the CircID field: 4 if wide_circ_ids, else 2. */
size_t cell_circ_id_len(int wide_circ_ids);

/** Length of a fixed cell on the wire: 514 if wide_circ_ids, else 512. */
size_t cell_network_len(int wide_circ_ids);

/** Decode one cell from the front of in.
 *  PARSE_DONE: a cell was drained from in; if it is variable-length *var_out
 *  is set to a new var_cell_t (caller frees), else *var_out is NULL and
 *  *cell_out is filled.  PARSE_NEED_MORE: in is a prefix of a cell and is
 *  left untouched.  PARSE_INVALID: the header can never be valid (a variable
 *  cell longer than cell_var_max_payload()); nothing is drained.
 *  With !wide_circ_ids a CircID is 2 bytes. */
parse_result_t cell_parse_from_evbuffer(struct evbuffer *in, int wide_circ_ids,
                                        cell_t *cell_out, var_cell_t **var_out);

/** Decode one cell from a flat buffer, as cell_parse_from_evbuffer() does;
 *  on PARSE_DONE *consumed is set to the number of bytes it used. */
parse_result_t cell_parse_from_bytes(const uint8_t *buf, size_t len, int wide_circ_ids,
                                     cell_t *cell_out, var_cell_t **var_out,
                                     size_t *consumed);

/** Write the wire form of c into out (which holds CELL_MAX_NETWORK_LEN bytes).
 *  Returns the length (512 or 514), or -1 if the CircID does not fit in 2
 *  bytes when !wide_circ_ids. */
int cell_pack(uint8_t *out, const cell_t *c, int wide_circ_ids);

/** Write the header of v (CircID, command, length) into out (which holds
 *  VAR_CELL_MAX_HEADER_LEN bytes).  Returns its length (5 or 7), or -1 as cell_pack(). */
int var_cell_pack_header(uint8_t *out, const var_cell_t *v, int wide_circ_ids);

/** Append the wire form of c to out.  Returns 0, or -1 (CircID too wide, or
 *  the evbuffer refused the data). */
int cell_encode_to_evbuffer(struct evbuffer *out, const cell_t *c, int wide_circ_ids);

/** Append the wire form of v to out.  Returns 0 or -1 as cell_encode_to_evbuffer(). */
int var_cell_encode_to_evbuffer(struct evbuffer *out, const var_cell_t *v, int wide_circ_ids);

#endif
