/* fuzz_relay_msg.c — the relay header and every relay body parser, chosen by
 * the header's command.  The input is a relay payload (zero-padded to 509).
 * Checks: parse → encode → parse round trips; the header re-packs exactly. */
#include "fuzz_common.h"

#include "proto/relay_circ.h"
#include "proto/relay_msg.h"
#include "proto/relay_stream.h"

static uint8_t out[RELAY_BODY_MAX_LEN];

static void
fuzz_begin(const uint8_t *b, size_t n)
{
  static begin_cell_t c, d;
  if (begin_cell_parse(&c, b, n) < 0)
    return;
  FUZZ_CHECK(c.host[0] != '\0' && c.port != 0);
  int len = begin_cell_encode(&c, out, sizeof(out));
  FUZZ_CHECK(len > 0);
  FUZZ_CHECK(begin_cell_parse(&d, out, (size_t)len) == 0);
  FUZZ_CHECK(strcmp(c.host, d.host) == 0 && c.port == d.port && c.flags == d.flags);
}

static void
fuzz_connected(const uint8_t *b, size_t n)
{
  connected_cell_t c, d;
  if (connected_cell_parse(&c, b, n) < 0)
    return;
  int len = connected_cell_encode(&c, out, sizeof(out));
  FUZZ_CHECK(len >= 0);
  FUZZ_CHECK(connected_cell_parse(&d, out, (size_t)len) == 0);
  FUZZ_CHECK(netaddr_eq(&c.addr, &d.addr));
  if (c.has_ttl)
    FUZZ_CHECK(d.has_ttl && d.ttl == c.ttl);
}

static void
fuzz_end(const uint8_t *b, size_t n)
{
  end_cell_t c, d;
  FUZZ_CHECK(end_cell_parse(&c, b, n) == 0);
  int len = end_cell_encode(&c, out, sizeof(out));
  FUZZ_CHECK(len >= 1);
  FUZZ_CHECK(end_cell_parse(&d, out, (size_t)len) == 0);
  FUZZ_CHECK(c.reason == d.reason && netaddr_eq(&c.addr, &d.addr));
  FUZZ_CHECK(c.has_ttl == d.has_ttl && c.ttl == d.ttl);
  FUZZ_CHECK(end_reason_to_string(c.reason) != NULL);
}

static void
fuzz_resolve(const uint8_t *b, size_t n)
{
  static resolve_cell_t c, d;
  if (resolve_cell_parse(&c, b, n) < 0)
    return;
  int len = resolve_cell_encode(c.name, out, sizeof(out));
  FUZZ_CHECK(len > 1 && memcmp(out, b, (size_t)len) == 0);
  FUZZ_CHECK(resolve_cell_parse(&d, out, (size_t)len) == 0);
  FUZZ_CHECK(strcmp(c.name, d.name) == 0);
}

static void
fuzz_resolved(const uint8_t *b, size_t n)
{
  static resolved_cell_t c, d;
  if (resolved_cell_parse(&c, b, n) < 0)
    return;
  int len = resolved_cell_encode(&c, out, sizeof(out));
  FUZZ_CHECK(len >= 0 && (size_t)len <= n);
  FUZZ_CHECK(resolved_cell_parse(&d, out, (size_t)len) == 0);
  FUZZ_CHECK(d.n_answers == c.n_answers && d.n_skipped == 0);
  for (size_t i = 0; i < c.n_answers; i++) {
    const resolved_answer_t *x = &c.answers[i], *y = &d.answers[i];
    FUZZ_CHECK(x->type == y->type && x->len == y->len && x->ttl == y->ttl);
    FUZZ_CHECK(netaddr_eq(&x->addr, &y->addr));
    if (x->value)
      FUZZ_CHECK(y->value && memcmp(x->value, y->value, x->len) == 0);
  }
  if (c.n_skipped == 0)
    FUZZ_CHECK((size_t)len == n && memcmp(out, b, n) == 0);
}

static void
fuzz_sendme(const uint8_t *b, size_t n)
{
  sendme_cell_t c, d;
  if (sendme_cell_parse(&c, b, n) < 0) {
    FUZZ_CHECK(n >= 1 && b[0] == 1);
    return;
  }
  if (c.version > 1)
    return;
  int len = sendme_cell_encode(&c, out, sizeof(out));
  FUZZ_CHECK(len == (c.version == 1 ? 23 : 0));
  FUZZ_CHECK(sendme_cell_parse(&d, out, (size_t)len) == 0);
  FUZZ_CHECK(d.version == c.version && memcmp(d.digest, c.digest, SENDME_DIGEST_LEN) == 0);
}

static void
fuzz_extended2(const uint8_t *b, size_t n)
{
  static created2_cell_t c, d;
  if (extended2_cell_parse(&c, b, n) < 0)
    return;
  int len = extended2_cell_encode(&c, out, sizeof(out));
  FUZZ_CHECK(len == 2 + c.hlen && memcmp(out, b, (size_t)len) == 0);
  FUZZ_CHECK(extended2_cell_parse(&d, out, (size_t)len) == 0);
  FUZZ_CHECK(memcmp(&c, &d, sizeof(c)) == 0);
}

static void
fuzz_extend2(const uint8_t *b, size_t n)
{
  static extend2_cell_t c, d;
  if (extend2_cell_parse(&c, b, n) < 0)
    return;
  int len = extend2_cell_encode(&c, out, sizeof(out));
  FUZZ_CHECK(len > 0 && memcmp(out, b, (size_t)len) == 0);
  FUZZ_CHECK(extend2_cell_parse(&d, out, (size_t)len) == 0);
  FUZZ_CHECK(d.n_spec == c.n_spec && d.hlen == c.hlen);
}

static void
fuzz_body(uint8_t cmd, const uint8_t *b, size_t n)
{
  uint8_t reason;
  switch (cmd) {
  case RELAY_COMMAND_BEGIN: fuzz_begin(b, n); break;
  case RELAY_COMMAND_CONNECTED: fuzz_connected(b, n); break;
  case RELAY_COMMAND_END: fuzz_end(b, n); break;
  case RELAY_COMMAND_RESOLVE: fuzz_resolve(b, n); break;
  case RELAY_COMMAND_RESOLVED: fuzz_resolved(b, n); break;
  case RELAY_COMMAND_SENDME: fuzz_sendme(b, n); break;
  case RELAY_COMMAND_EXTEND2: fuzz_extend2(b, n); break;
  case RELAY_COMMAND_EXTENDED2: fuzz_extended2(b, n); break;
  case RELAY_COMMAND_TRUNCATED:
    FUZZ_CHECK(truncated_cell_parse(&reason, b, n) == 0);
    break;
  default:
    /* DATA, DROP, BEGIN_DIR, TRUNCATE and unknown commands: no structure. */
    FUZZ_CHECK(relay_command_to_string(cmd) != NULL);
    break;
  }
}

/* Every parser on a body of any length: only memory safety is checked
 * (the encoders' 498-byte limit makes round trips meaningless here). */
static void
fuzz_body_any(uint8_t cmd, const uint8_t *b, size_t n)
{
  static begin_cell_t bc;
  static resolve_cell_t rc;
  static resolved_cell_t rdc;
  static extend2_cell_t ec;
  static created2_cell_t c2;
  connected_cell_t cc;
  end_cell_t e;
  sendme_cell_t s;
  uint8_t reason;
  switch (cmd % 9) {
  case 0: (void)begin_cell_parse(&bc, b, n); break;
  case 1: (void)resolve_cell_parse(&rc, b, n); break;
  case 2: (void)resolved_cell_parse(&rdc, b, n); break;
  case 3: (void)extend2_cell_parse(&ec, b, n); break;
  case 4: (void)extended2_cell_parse(&c2, b, n); break;
  case 5: (void)connected_cell_parse(&cc, b, n); break;
  case 6: (void)end_cell_parse(&e, b, n); break;
  case 7: (void)sendme_cell_parse(&s, b, n); break;
  default: (void)truncated_cell_parse(&reason, b, n); break;
  }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  uint8_t payload[CELL_PAYLOAD_LEN];
  uint8_t again[CELL_PAYLOAD_LEN];
  relay_header_t h;
  const uint8_t *body = NULL;
  if (size > CELL_PAYLOAD_LEN) {
    /* Longer than a payload: byte 0 is a command and the rest a body of any
     * length, to check that no body parser trusts len <= 498. */
    uint8_t *raw = malloc(size - 1);
    FUZZ_CHECK(raw != NULL);
    memcpy(raw, data + 1, size - 1);
    fuzz_body_any(data[0], raw, size - 1);
    free(raw);
    return 0;
  }
  memset(payload, 0, sizeof(payload));
  memcpy(payload, data, size < sizeof(payload) ? size : sizeof(payload));

  relay_header_unpack(&h, payload);
  relay_header_pack(again, &h);
  FUZZ_CHECK(memcmp(again, payload, RELAY_HEADER_LEN) == 0);
  if (relay_msg_parse(&h, &body, payload) < 0) {
    FUZZ_CHECK(h.length > RELAY_BODY_MAX_LEN);
    return 0;
  }
  /* Re-pack the body: header fields other than recognized/digest survive. */
  FUZZ_CHECK(relay_msg_pack(again, h.command, h.stream_id, body, h.length, NULL) == 0);
  relay_header_t h2;
  relay_header_unpack(&h2, again);
  FUZZ_CHECK(h2.command == h.command && h2.stream_id == h.stream_id && h2.length == h.length);
  FUZZ_CHECK(memcmp(again + RELAY_HEADER_LEN, body, h.length) == 0);

  /* Body parsers get an exact-size copy so that overreads are caught. */
  uint8_t *copy = malloc(h.length ? h.length : 1);
  FUZZ_CHECK(copy != NULL);
  memcpy(copy, body, h.length);
  fuzz_body(h.command, copy, h.length);
  free(copy);
  return 0;
}
