/* relay_msg.h — the relay header inside a RELAY/RELAY_EARLY payload
 * (tor-spec §6.1):
 *
 *   command u8 | recognized u16 | stream_id u16 | digest[4] | length u16 |
 *   body[length] | padding to 509
 *
 * length is at most 498.  Padding is 4 zero bytes then random bytes (§6.1). */
#ifndef EVONION_PROTO_RELAY_MSG_H
#define EVONION_PROTO_RELAY_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "proto/cell.h"

#define RELAY_HEADER_LEN 11
#define RELAY_BODY_MAX_LEN (CELL_PAYLOAD_LEN - RELAY_HEADER_LEN)   /* 498 */
/** Offset of the 4-byte digest field in the payload. */
#define RELAY_DIGEST_OFFSET 5

/* Relay commands, tor-spec §6.1 (and the HS/CC ones we only need to name). */
#define RELAY_COMMAND_BEGIN 1
#define RELAY_COMMAND_DATA 2
#define RELAY_COMMAND_END 3
#define RELAY_COMMAND_CONNECTED 4
#define RELAY_COMMAND_SENDME 5
#define RELAY_COMMAND_EXTEND 6
#define RELAY_COMMAND_EXTENDED 7
#define RELAY_COMMAND_TRUNCATE 8
#define RELAY_COMMAND_TRUNCATED 9
#define RELAY_COMMAND_DROP 10
#define RELAY_COMMAND_RESOLVE 11
#define RELAY_COMMAND_RESOLVED 12
#define RELAY_COMMAND_BEGIN_DIR 13
#define RELAY_COMMAND_EXTEND2 14
#define RELAY_COMMAND_EXTENDED2 15
#define RELAY_COMMAND_ESTABLISH_INTRO 32
#define RELAY_COMMAND_ESTABLISH_RENDEZVOUS 33
#define RELAY_COMMAND_INTRODUCE1 34
#define RELAY_COMMAND_INTRODUCE2 35
#define RELAY_COMMAND_RENDEZVOUS1 36
#define RELAY_COMMAND_RENDEZVOUS2 37
#define RELAY_COMMAND_INTRO_ESTABLISHED 38
#define RELAY_COMMAND_RENDEZVOUS_ESTABLISHED 39
#define RELAY_COMMAND_INTRODUCE_ACK 40
#define RELAY_COMMAND_PADDING_NEGOTIATE 41
#define RELAY_COMMAND_PADDING_NEGOTIATED 42
#define RELAY_COMMAND_XOFF 43
#define RELAY_COMMAND_XON 44

typedef struct relay_header_t {
  uint8_t command;
  uint16_t recognized;
  uint16_t stream_id;
  uint8_t digest[4];
  uint16_t length;
} relay_header_t;

/** Fills buf[0..n) with random bytes (for padding). */
typedef void (*relay_rand_fn)(uint8_t *buf, size_t n);

/** Read the 11-byte header at the start of payload (509 bytes).  No checks. */
void relay_header_unpack(relay_header_t *out, const uint8_t *payload);

/** Write h as the first 11 bytes of payload. */
void relay_header_pack(uint8_t *payload, const relay_header_t *h);

/** Unpack the header of payload and point *body_out at the body.
 *  Returns -1 if the length field is over 498 (the body would overrun). */
int relay_msg_parse(relay_header_t *out, const uint8_t **body_out, const uint8_t *payload);

/** Build a 509-byte relay payload: header (recognized 0, digest 0), body,
 *  then 4 zero bytes and random padding from rand_fn (zeros if rand_fn is
 *  NULL).  Returns 0, or -1 if len > 498. */
int relay_msg_pack(uint8_t *payload, uint8_t command, uint16_t stream_id,
                   const uint8_t *body, size_t len, relay_rand_fn rand_fn);

/** The spec name of a relay command ("BEGIN", ...), or "UNKNOWN". */
const char *relay_command_to_string(uint8_t command);

#endif
