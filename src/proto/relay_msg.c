/* relay_msg.c — the relay header and payload layout (tor-spec §6.1). */
#include "proto/relay_msg.h"

#include <string.h>

#include "lib/bytes.h"

void
relay_header_unpack(relay_header_t *out, const uint8_t *payload)
{
  out->command = payload[0];
  out->recognized = get_u16(payload + 1);
  out->stream_id = get_u16(payload + 3);
  memcpy(out->digest, payload + RELAY_DIGEST_OFFSET, 4);
  out->length = get_u16(payload + 9);
}

void
relay_header_pack(uint8_t *payload, const relay_header_t *h)
{
  payload[0] = h->command;
  put_u16(payload + 1, h->recognized);
  put_u16(payload + 3, h->stream_id);
  memcpy(payload + RELAY_DIGEST_OFFSET, h->digest, 4);
  put_u16(payload + 9, h->length);
}

int
relay_msg_parse(relay_header_t *out, const uint8_t **body_out, const uint8_t *payload)
{
  relay_header_unpack(out, payload);
  if (out->length > RELAY_BODY_MAX_LEN)
    return -1;
  *body_out = payload + RELAY_HEADER_LEN;
  return 0;
}

int
relay_msg_pack(uint8_t *payload, uint8_t command, uint16_t stream_id,
               const uint8_t *body, size_t len, relay_rand_fn rand_fn)
{
  relay_header_t h;
  if (len > RELAY_BODY_MAX_LEN)
    return -1;
  memset(&h, 0, sizeof(h));
  h.command = command;
  h.stream_id = stream_id;
  h.length = (uint16_t)len;
  relay_header_pack(payload, &h);
  if (len)
    memmove(payload + RELAY_HEADER_LEN, body, len);
  size_t used = RELAY_HEADER_LEN + len;
  size_t zeros = CELL_PAYLOAD_LEN - used < 4 ? CELL_PAYLOAD_LEN - used : 4;
  memset(payload + used, 0, zeros);
  used += zeros;
  if (used < CELL_PAYLOAD_LEN) {
    if (rand_fn)
      rand_fn(payload + used, CELL_PAYLOAD_LEN - used);
    else
      memset(payload + used, 0, CELL_PAYLOAD_LEN - used);
  }
  return 0;
}

const char *
relay_command_to_string(uint8_t command)
{
  static const char *const low[] = {
    "UNKNOWN", "BEGIN", "DATA", "END", "CONNECTED", "SENDME", "EXTEND", "EXTENDED",
    "TRUNCATE", "TRUNCATED", "DROP", "RESOLVE", "RESOLVED", "BEGIN_DIR", "EXTEND2",
    "EXTENDED2",
  };
  static const char *const hs[] = {
    "ESTABLISH_INTRO", "ESTABLISH_RENDEZVOUS", "INTRODUCE1", "INTRODUCE2",
    "RENDEZVOUS1", "RENDEZVOUS2", "INTRO_ESTABLISHED", "RENDEZVOUS_ESTABLISHED",
    "INTRODUCE_ACK", "PADDING_NEGOTIATE", "PADDING_NEGOTIATED", "XOFF", "XON",
  };
  if (command < sizeof(low) / sizeof(low[0]))
    return low[command];
  if (command >= 32 && command - 32 < (int)(sizeof(hs) / sizeof(hs[0])))
    return hs[command - 32];
  return "UNKNOWN";
}
