/* circuit_relay.c — relay cells on client circuits: sending with tor1 crypto
 * (RELAY_EARLY rule, DATA windows, SENDME v1 tags we expect back) and
 * receiving (recognise the hop, circuit windows, the SENDMEs we send,
 * dispatch).  protocol-scope.md §A.3, §A.5. */
#include "or/circuit_st.h"

#include <string.h>

#include "lib/crypto/ct.h"
#include "lib/crypto/rand.h"
#include "lib/log.h"
#include "proto/circ_cells.h"
#include "proto/relay_circ.h"
#include "proto/relay_msg.h"

static void
padding_rand(uint8_t *buf, size_t n)
{
  crypto_rand(buf, n);
}

static int
resolve_hop(const circuit_t *c, int hop)
{
  return hop < 0 ? c->n_hops - 1 : hop;
}

int
circuit_package_window(const circuit_t *c, int hop)
{
  hop = resolve_hop(c, hop);
  return hop < c->n_hops ? c->hops[hop].package_window : 0;
}

int
circuit_deliver_window(const circuit_t *c, int hop)
{
  hop = resolve_hop(c, hop);
  return hop < c->n_hops ? c->hops[hop].deliver_window : 0;
}

static void
crypto_array(const circuit_t *c, relay_crypto_t **out)
{
  for (int i = 0; i < c->n_built; i++)
    out[i] = c->hops[i].crypto;
}

/* Remember the tag of a DATA cell we just sent if a SENDME will answer it
 * (prop 289: the cell that takes the window to a multiple of 100 below its
 * start).  window is the package window before this cell. */
static void
record_sent_tag(circuit_t *c, circ_hop_state_t *h, int window)
{
  if (window == c->params.circwindow || (window - 1) % CIRCWINDOW_INCREMENT != 0)
    return;
  if (h->n_tags == CIRCUIT_MAX_SENDME_TAGS) {
    log_bug("circuit %u: SENDME tag FIFO full", (unsigned)c->circ_id);
    return;
  }
  int slot = (h->tag_head + h->n_tags) % CIRCUIT_MAX_SENDME_TAGS;
  relay_crypto_get_sendme_tag_sent(h->crypto, h->tags[slot]);
  h->n_tags++;
}

int
circuit_send_relay(circuit_t *c, int hop, uint8_t command, uint16_t stream_id,
                   const uint8_t *body, size_t len)
{
  hop = resolve_hop(c, hop);
  if (c->marked || !c->mux || hop < 0 || hop >= c->n_built || len > RELAY_BODY_MAX_LEN)
    return -1;
  circ_hop_state_t *h = &c->hops[hop];
  if (command == RELAY_COMMAND_DATA && h->package_window <= 0)
    return -1;
  cell_t cell;
  cell.circ_id = c->circ_id;
  cell.command = CELL_RELAY;
  if (relay_msg_pack(cell.payload, command, stream_id, body, len, padding_rand) < 0)
    return -1;
  relay_crypto_t *cr[CIRCUIT_MAX_HOPS];
  crypto_array(c, cr);
  if (relay_crypto_client_originate(cr, c->n_built, hop, cell.payload) < 0)
    return -1;
  if (command == RELAY_COMMAND_DATA) {
    record_sent_tag(c, h, h->package_window);
    h->package_window--;
  }
  /* tor: any cell beyond the first hop, and EXTEND2 always, while any are left. */
  if (c->relay_early_left > 0 && (hop != 0 || command == RELAY_COMMAND_EXTEND2)) {
    cell.command = CELL_RELAY_EARLY;
    c->relay_early_left--;
  }
  circuit_mux_queue_cell(c, &cell);
  return 0;
}

/* A circuit-level SENDME from hop: check its version and tag, open the window. */
static void
handle_circ_sendme(circuit_t *c, int hop, const uint8_t *body, size_t len)
{
  circ_hop_state_t *h = &c->hops[hop];
  sendme_cell_t s;
  if (sendme_cell_parse(&s, body, len) < 0) {
    circuit_protocol_error(c, "unparseable circuit SENDME");
    return;
  }
  if (s.version < c->params.sendme_accept_min_version) {
    circuit_protocol_error(c, "unacceptable SENDME version %u (need %d)", s.version,
                           c->params.sendme_accept_min_version);
    return;
  }
  if (h->package_window + CIRCWINDOW_INCREMENT > CIRCWINDOW_START_MAX || h->n_tags == 0) {
    circuit_protocol_error(c, "unexpected circuit SENDME from hop %d", hop + 1);
    return;
  }
  const uint8_t *expect = h->tags[h->tag_head];
  h->tag_head = (h->tag_head + 1) % CIRCUIT_MAX_SENDME_TAGS;
  h->n_tags--;
  if (s.version == 1) {
    if (s.data_len != RELAY_CRYPTO_SENDME_TAG_LEN ||
        !crypto_ct_memeq(expect, s.digest, RELAY_CRYPTO_SENDME_TAG_LEN)) {
      circuit_protocol_error(c, "circuit SENDME v1 with a wrong tag from hop %d", hop + 1);
      return;
    }
  }
  h->package_window += CIRCWINDOW_INCREMENT;
  if (hop == c->n_hops - 1)
    stream_circuit_resume(c);
}

/* A DATA cell from hop counted: send a circuit SENDME when the deliver
 * window has fallen by 100 (v1 carries the tag of this very cell). */
static void
count_delivered(circuit_t *c, int hop)
{
  circ_hop_state_t *h = &c->hops[hop];
  if (--h->deliver_window < 0) {
    circuit_protocol_error(c, "hop %d overran the circuit deliver window", hop + 1);
    return;
  }
  if (h->deliver_window > c->params.circwindow - CIRCWINDOW_INCREMENT)
    return;
  sendme_cell_t s;
  memset(&s, 0, sizeof(s));
  uint8_t body[32];
  int blen = 0;
  if (c->params.sendme_emit_min_version >= 1) {
    s.version = 1;
    s.data_len = RELAY_CRYPTO_SENDME_TAG_LEN;
    relay_crypto_get_sendme_tag_received(h->crypto, s.digest);
    blen = sendme_cell_encode(&s, body, sizeof(body));
  }
  h->deliver_window += CIRCWINDOW_INCREMENT;
  if (blen < 0 || circuit_send_relay(c, hop, RELAY_COMMAND_SENDME, 0, body, (size_t)blen) < 0)
    circuit_mark_for_close(c, DESTROY_REASON_INTERNAL, 0, "cannot send a circuit SENDME");
}

static void
dispatch(circuit_t *c, int hop, const relay_header_t *hdr, const uint8_t *body)
{
  switch (hdr->command) {
  case RELAY_COMMAND_DATA:
    count_delivered(c, hop);
    if (c->marked)
      return;
    break; /* then to its stream */
  case RELAY_COMMAND_SENDME:
    if (hdr->stream_id == 0) {
      handle_circ_sendme(c, hop, body, hdr->length);
      return;
    }
    break;
  case RELAY_COMMAND_TRUNCATED: {
    uint8_t reason = DESTROY_REASON_NONE;
    truncated_cell_parse(&reason, body, hdr->length);
    circuit_mark_for_close(c, reason, 1, "TRUNCATED");
    return;
  }
  case RELAY_COMMAND_EXTENDED2:
    if (hop != c->n_built - 1) {
      circuit_protocol_error(c, "EXTENDED2 from hop %d", hop + 1);
      return;
    }
    circuit_handle_extended2(c, body, hdr->length);
    return;
  case RELAY_COMMAND_CONNECTED:
  case RELAY_COMMAND_END:
  case RELAY_COMMAND_RESOLVED:
    break;
  default:
    /* DROP, padding negotiation, XON/XOFF, anything unknown: counted for
     * the digest already, nothing else to do. */
    return;
  }
  if (hdr->stream_id == 0) {
    log_protocol_warn(LD_PROTOCOL, "relay %s with stream ID 0 on circuit %u: dropped",
                      relay_command_to_string(hdr->command), (unsigned)c->circ_id);
    return;
  }
  stream_handle_relay(c, hop, hdr->command, hdr->stream_id, body, hdr->length);
}

void
circuit_relay_receive(circuit_t *c, cell_t *cell)
{
  if (c->n_built == 0) {
    circuit_protocol_error(c, "RELAY cell before CREATED2");
    return;
  }
  relay_crypto_t *cr[CIRCUIT_MAX_HOPS];
  crypto_array(c, cr);
  int hop = relay_crypto_client_receive(cr, c->n_built, cell->payload);
  if (hop < 0) {
    circuit_protocol_error(c, "relay cell recognised by no hop");
    return;
  }
  relay_header_t hdr;
  const uint8_t *body;
  if (relay_msg_parse(&hdr, &body, cell->payload) < 0) {
    circuit_protocol_error(c, "relay cell with a bad length");
    return;
  }
  dispatch(c, hop, &hdr, body);
}
