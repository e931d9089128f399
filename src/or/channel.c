/* channel.c — OR connections: cell I/O and the link-handshake state machine
 * of both roles (see channel.h).  Certificates and AUTHENTICATE are in
 * channel_auth.c. */
#include "or/channel_st.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <netinet/in.h>
#include <sys/socket.h>
#endif
#include <event2/buffer.h>

#include "core/listener.h"
#include "core/tls.h"
#include "lib/alloc.h"
#include "lib/bytes.h"
#include "lib/crypto/rand.h"
#include "lib/log.h"
#include "proto/circ_cells.h"
#include "proto/link_cells.h"

static const uint16_t our_versions[] = { 3, 4, 5 };
#define N_OUR_VERSIONS (sizeof(our_versions) / sizeof(our_versions[0]))

static void channel_process_inbuf(conn_t *c);
static void channel_finished_connecting(conn_t *c);
static void channel_reached_eof(conn_t *c);
static void channel_about_to_close(conn_t *c);

static void channel_flushed_some(conn_t *c);

static const conn_ops_t channel_ops = {
  .name = "or",
  .process_inbuf = channel_process_inbuf,
  .flushed_some = channel_flushed_some,
  .finished_flushing = channel_flushed_some,
  .finished_connecting = channel_finished_connecting,
  .reached_eof = channel_reached_eof,
  .about_to_close = channel_about_to_close,
};

channel_t *
channel_from_conn(conn_t *c)
{
  if (!c || c->ops != &channel_ops)
    return NULL;
  channel_t *ch = (channel_t *)c;
  return ch->magic == CHANNEL_MAGIC ? ch : NULL;
}

conn_t *
channel_to_conn(channel_t *ch)
{
  return &ch->base;
}

/* ---- closing ---- */

static void
close_with(channel_t *ch)
{
  if (conn_is_marked(&ch->base))
    return;
  ch->state = CHANNEL_STATE_CLOSED;
  mtimer_cancel(ch->handshake_timer);
  mtimer_cancel(ch->idle_timer);
  conn_mark_for_close(&ch->base);
}

void
channel_close_protocol(channel_t *ch, const char *fmt, ...)
{
  if (conn_is_marked(&ch->base))
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ch->reason, sizeof(ch->reason), fmt, ap);
  va_end(ap);
  log_protocol_warn(LD_PROTOCOL, "Closing OR connection %llu to %s: %s",
                    (unsigned long long)ch->base.global_id, ch->base.peer, ch->reason);
  close_with(ch);
}

void
channel_close(channel_t *ch, const char *reason)
{
  if (conn_is_marked(&ch->base))
    return;
  snprintf(ch->reason, sizeof(ch->reason), "%s", reason);
  log_info(LD_OR, "Closing OR connection %llu to %s: %s",
           (unsigned long long)ch->base.global_id, ch->base.peer, reason);
  close_with(ch);
}

static void
handshake_timeout_cb(mtimer_t *t, void *arg)
{
  (void)t;
  channel_t *ch = arg;
  if (ch->state != CHANNEL_STATE_OPEN)
    channel_close_protocol(ch, "handshake did not complete in time (state %s)",
                           channel_state_to_string(ch->state));
}

static void
idle_timeout_cb(mtimer_t *t, void *arg)
{
  (void)t;
  channel_close(arg, "idle timeout");
}

static void
note_activity(channel_t *ch)
{
  if (ch->state == CHANNEL_STATE_OPEN && ch->idle_timeout > 0)
    mtimer_schedule(ch->idle_timer, ch->idle_timeout);
}

/* ---- sending ---- */

static int
send_bytes(channel_t *ch, const uint8_t *p, size_t n)
{
  if (ch->record_sent)
    crypto_digest_add(ch->digest_sent, p, n);
  return conn_write(&ch->base, p, n);
}

static int
send_cell_raw(channel_t *ch, const cell_t *cell)
{
  uint8_t buf[CELL_MAX_NETWORK_LEN];
  int n = cell_pack(buf, cell, ch->wide);
  return n < 0 ? -1 : send_bytes(ch, buf, (size_t)n);
}

static int
send_var_raw(channel_t *ch, uint8_t command, const uint8_t *body, size_t len)
{
  uint8_t hdr[VAR_CELL_MAX_HEADER_LEN];
  if (len > UINT16_MAX)
    return -1;
  var_cell_t v;
  memset(&v, 0, sizeof(v));
  v.command = command;
  v.payload_len = (uint16_t)len;
  int h = var_cell_pack_header(hdr, &v, ch->wide);
  if (h < 0 || send_bytes(ch, hdr, (size_t)h) < 0)
    return -1;
  return send_bytes(ch, body, len);
}

int
channel_send_cell(channel_t *ch, const cell_t *cell)
{
  if (ch->state != CHANNEL_STATE_OPEN)
    return -1;
  if (cell->command != CELL_PADDING)
    note_activity(ch);
  return send_cell_raw(ch, cell);
}

int
channel_send_var_cell(channel_t *ch, const var_cell_t *v)
{
  if (ch->state != CHANNEL_STATE_OPEN)
    return -1;
  if (v->command != CELL_VPADDING)
    note_activity(ch);
  return send_var_raw(ch, v->command, v->payload, v->payload_len);
}

static int
send_versions(channel_t *ch)
{
  uint8_t body[2 * N_OUR_VERSIONS];
  int n = versions_cell_encode(our_versions, N_OUR_VERSIONS, body, sizeof(body));
  return n < 0 ? -1 : send_var_raw(ch, CELL_VERSIONS, body, (size_t)n);
}

static int
send_certs(channel_t *ch)
{
  uint8_t *body = NULL;
  size_t len = 0;
  if (channel_auth_build_certs(ch, &body, &len) < 0)
    return -1;
  int r = send_var_raw(ch, CELL_CERTS, body, len);
  x_free(body);
  return r;
}

static int
send_auth_challenge(channel_t *ch)
{
  auth_challenge_cell_t ac;
  uint8_t body[AUTH_CHALLENGE_LEN + 4];
  memset(&ac, 0, sizeof(ac));
  crypto_rand(ac.challenge, AUTH_CHALLENGE_LEN);
  ac.n_stored = 1;
  ac.methods[0] = 3;
  int n = auth_challenge_cell_encode(&ac, body, sizeof(body));
  return n < 0 ? -1 : send_var_raw(ch, CELL_AUTH_CHALLENGE, body, (size_t)n);
}

/* NETINFO: a client sends time 0 (tor-spec §4.5), a relay its clock; the
 * peer's address; no address of ours.  Recording of sent cells stops here. */
static int
send_netinfo(channel_t *ch)
{
  netinfo_cell_t ni;
  cell_t cell;
  memset(&ni, 0, sizeof(ni));
  memset(&cell, 0, sizeof(cell));
  if (ch->relay) {
    ni.timestamp = (uint32_t)time(NULL);
    if (ch->relay->my_addr.family != NETADDR_NONE) {
      ni.n_my_addrs = 1;
      ni.my_addrs[0] = ch->relay->my_addr;
    }
  }
  ni.other_addr = ch->peer_addr;
  if (netinfo_cell_encode(&ni, cell.payload, sizeof(cell.payload)) < 0)
    return -1;
  cell.command = CELL_NETINFO;
  ch->record_sent = 0;
  ch->sent_netinfo = 1;
  return send_cell_raw(ch, &cell);
}

static int
send_authenticate(channel_t *ch)
{
  uint8_t *auth = NULL;
  size_t len = 0;
  uint8_t body[4 + 512];
  if (channel_auth_build_authenticate(ch, &auth, &len) < 0)
    return -1;
  authenticate_cell_t a = { 3, (uint16_t)len, auth };
  int n = authenticate_cell_encode(&a, body, sizeof(body));
  x_free(auth);
  return n < 0 ? -1 : send_var_raw(ch, CELL_AUTHENTICATE, body, (size_t)n);
}

/* ---- the handshake ---- */

static void
become_open(channel_t *ch)
{
  ch->state = CHANNEL_STATE_OPEN;
  ch->record_received = 0;
  mtimer_cancel(ch->handshake_timer);
  crypto_digest_free(ch->digest_sent);
  crypto_digest_free(ch->digest_received);
  ch->digest_sent = ch->digest_received = NULL;
  note_activity(ch);
  log_info(LD_OR, "OR connection %llu to %s open (link protocol %u, %s%s).",
           (unsigned long long)ch->base.global_id, ch->base.peer, ch->link_proto,
           ch->initiator ? "initiator" : "responder",
           ch->authenticated && !ch->initiator ? ", peer authenticated" : "");
  if (ch->cb)
    ch->cb(ch, CHANNEL_EV_OPEN, ch->cb_arg);
}

/* VERSIONS from the peer: choose the link protocol (both roles). */
static int
handle_versions(channel_t *ch, const var_cell_t *v)
{
  versions_cell_t vc;
  if (versions_cell_parse(&vc, v->payload, v->payload_len) < 0) {
    channel_close_protocol(ch, "malformed VERSIONS cell");
    return -1;
  }
  uint16_t best = versions_cell_highest_common(&vc, our_versions, N_OUR_VERSIONS);
  if (best < CHANNEL_MIN_LINK_PROTO) {
    channel_close_protocol(ch, "no common link protocol >= %d (best common: %u)",
                           CHANNEL_MIN_LINK_PROTO, best);
    return -1;
  }
  ch->link_proto = best;
  ch->state = CHANNEL_STATE_HANDSHAKING;
  if (ch->initiator) {
    ch->wide = 1;
    if (ch->relay && send_certs(ch) < 0) {
      channel_close(ch, "cannot build our CERTS cell");
      return -1;
    }
    return 0;
  }
  /* Responder: VERSIONS in the 2-byte format, then wide CircIDs. */
  if (send_versions(ch) < 0)
    return -1;
  ch->wide = 1;
  if (send_certs(ch) < 0 || send_auth_challenge(ch) < 0 || send_netinfo(ch) < 0) {
    channel_close(ch, "cannot send our handshake cells");
    return -1;
  }
  return 0;
}

static int
handle_certs(channel_t *ch, const var_cell_t *v)
{
  certs_cell_t *cc = x_malloc(sizeof(*cc));
  chan_certref_t refs[255];
  if (ch->got_certs) {
    x_free(cc);
    channel_close_protocol(ch, "a second CERTS cell");
    return -1;
  }
  if (certs_cell_parse(cc, v->payload, v->payload_len) < 0) {
    x_free(cc);
    channel_close_protocol(ch, "malformed CERTS cell");
    return -1;
  }
  for (size_t i = 0; i < cc->n_certs; i++) {
    refs[i].type = cc->certs[i].cert_type;
    refs[i].body = cc->certs[i].body;
    refs[i].len = cc->certs[i].cert_len;
  }
  int r = channel_auth_check_certs(ch, refs, cc->n_certs);
  x_free(cc);
  if (r < 0) {
    char why[sizeof(ch->reason)];
    memcpy(why, ch->reason, sizeof(why));
    channel_close_protocol(ch, "%s", why);
    return -1;
  }
  ch->got_certs = 1;
  return 0;
}

/* Initiator: AUTH_CHALLENGE.  A client ignores its content; a relay answers
 * AUTHENTICATE if method 3 is offered. */
static int
handle_auth_challenge(channel_t *ch, const var_cell_t *v)
{
  auth_challenge_cell_t ac;
  if (!ch->got_certs || ch->got_auth_challenge) {
    channel_close_protocol(ch, "AUTH_CHALLENGE %s", ch->got_certs ? "twice" : "before CERTS");
    return -1;
  }
  ch->got_auth_challenge = 1;
  if (!ch->relay)
    return 0;
  if (auth_challenge_cell_parse(&ac, v->payload, v->payload_len) < 0) {
    channel_close_protocol(ch, "malformed AUTH_CHALLENGE cell");
    return -1;
  }
  if (!auth_challenge_cell_has_method(&ac, 3)) {
    log_info(LD_OR, "%s offers no AUTH0003; not authenticating.", ch->base.peer);
    return 0;
  }
  crypto_digest_get(ch->digest_received, ch->slog, DIGEST256_LEN);
  if (send_authenticate(ch) < 0) {
    channel_close(ch, "cannot build our AUTHENTICATE cell");
    return -1;
  }
  ch->we_authenticated = 1;
  return 0;
}

/* Responder: AUTHENTICATE after the initiator's CERTS. */
static int
handle_authenticate(channel_t *ch, const var_cell_t *v)
{
  authenticate_cell_t a;
  if (!ch->got_certs || ch->authenticated) {
    channel_close_protocol(ch, "AUTHENTICATE %s", ch->got_certs ? "twice" : "without CERTS");
    return -1;
  }
  if (authenticate_cell_parse(&a, v->payload, v->payload_len) < 0) {
    channel_close_protocol(ch, "malformed AUTHENTICATE cell");
    return -1;
  }
  if (channel_auth_verify_authenticate(ch, a.auth_type, a.auth, a.auth_len) < 0) {
    char why[sizeof(ch->reason)];
    memcpy(why, ch->reason, sizeof(why));
    channel_close_protocol(ch, "%s", why);
    return -1;
  }
  ch->authenticated = 1;
  return 0;
}

static int
handle_netinfo(channel_t *ch, const cell_t *cell)
{
  netinfo_cell_t ni;
  if (ch->initiator && !ch->got_certs) {
    channel_close_protocol(ch, "NETINFO before CERTS");
    return -1;
  }
  if (!ch->initiator && ch->got_certs && !ch->authenticated) {
    channel_close_protocol(ch, "NETINFO after CERTS without AUTHENTICATE");
    return -1;
  }
  if (netinfo_cell_parse(&ni, cell->payload, CELL_PAYLOAD_LEN) < 0) {
    channel_close_protocol(ch, "malformed NETINFO cell");
    return -1;
  }
  ch->clock_skew = ni.timestamp ? (long)((int64_t)ni.timestamp - (int64_t)time(NULL)) : 0;
  ch->peer_my_addrs = ni.n_my_addrs;
  if (ni.n_my_addrs)
    ch->peer_my_addr = ni.my_addrs[0];
  if (ch->initiator) {
    if (send_netinfo(ch) < 0) {
      channel_close(ch, "cannot send NETINFO");
      return -1;
    }
    ch->authenticated = 1; /* its CERTS proved the identity we expected */
  }
  become_open(ch);
  return 0;
}

/* A cell during the handshake.  Returns 0 to go on, -1 once closed. */
static int
handshake_cell(channel_t *ch, const cell_t *cell, const var_cell_t *v)
{
  uint8_t cmd = v ? v->command : cell->command;
  if (cmd == CELL_PADDING || cmd == CELL_VPADDING)
    return 0;
  if (ch->state == CHANNEL_STATE_WAIT_VERSIONS) {
    if (!ch->initiator && cmd == CELL_AUTHORIZE)
      return 0;
    if (cmd != CELL_VERSIONS) {
      channel_close_protocol(ch, "cell command %u before VERSIONS", cmd);
      return -1;
    }
    return handle_versions(ch, v);
  }
  switch (cmd) {
  case CELL_CERTS:
    return handle_certs(ch, v);
  case CELL_AUTH_CHALLENGE:
    if (ch->initiator)
      return handle_auth_challenge(ch, v);
    break;
  case CELL_AUTHENTICATE:
    if (!ch->initiator)
      return handle_authenticate(ch, v);
    break;
  case CELL_NETINFO:
    return handle_netinfo(ch, cell);
  default:
    break;
  }
  channel_close_protocol(ch, "unexpected cell command %u during the handshake", cmd);
  return -1;
}

/* A fixed cell on an open channel. */
static void
open_cell(channel_t *ch, const cell_t *cell)
{
  switch (cell->command) {
  case CELL_PADDING:
  case CELL_PADDING_NEGOTIATE:
    return;
  case CELL_VERSIONS:
  case CELL_NETINFO:
    channel_close_protocol(ch, "handshake cell %u on an open channel", cell->command);
    return;
  default:
    break;
  }
  note_activity(ch);
  if (ch->cell_fn) {
    ch->cell_fn(ch, cell, ch->cell_arg);
    return;
  }
  if (cell->command == CELL_CREATE || cell->command == CELL_CREATE2 ||
      cell->command == CELL_CREATE_FAST) {
    cell_t d;
    memset(&d, 0, sizeof(d));
    d.circ_id = cell->circ_id;
    d.command = CELL_DESTROY;
    d.payload[0] = DESTROY_REASON_RESOURCELIMIT;
    log_info(LD_OR, "Refusing a CREATE on %s: no relay circuits yet.", ch->base.peer);
    channel_send_cell(ch, &d);
  }
}

/* Record a received cell in its wire form (re-encoding is exact). */
static void
record_received(channel_t *ch, const cell_t *cell, const var_cell_t *v, int wide)
{
  uint8_t buf[CELL_MAX_NETWORK_LEN];
  int n = v ? var_cell_pack_header(buf, v, wide) : cell_pack(buf, cell, wide);
  if (n < 0)
    return;
  crypto_digest_add(ch->digest_received, buf, (size_t)n);
  if (v)
    crypto_digest_add(ch->digest_received, v->payload, v->payload_len);
}

static void
channel_process_inbuf(conn_t *c)
{
  channel_t *ch = channel_from_conn(c);
  cell_t cell;
  while (ch && !conn_is_marked(c)) {
    var_cell_t *v = NULL;
    int wide = ch->wide;
    parse_result_t r = cell_parse_from_evbuffer(conn_inbuf(c), wide, &cell, &v);
    if (r == PARSE_NEED_MORE)
      return;
    if (r == PARSE_INVALID) {
      channel_close_protocol(ch, "unparseable cell header (garbage)");
      return;
    }
    if (ch->state == CHANNEL_STATE_OPEN) {
      if (v) {
        if (v->command == CELL_VERSIONS || v->command == CELL_CERTS ||
            v->command == CELL_AUTH_CHALLENGE || v->command == CELL_AUTHENTICATE)
          channel_close_protocol(ch, "handshake cell %u on an open channel", v->command);
      } else {
        open_cell(ch, &cell);
      }
    } else if (ch->state == CHANNEL_STATE_WAIT_VERSIONS ||
               ch->state == CHANNEL_STATE_HANDSHAKING) {
      /* tor records every handshake cell but AUTHENTICATE (it is checked
       * against the digest of what came before it). */
      uint8_t cmd = v ? v->command : cell.command;
      if (ch->record_received && cmd != CELL_AUTHENTICATE)
        record_received(ch, &cell, v, wide);
      handshake_cell(ch, &cell, v);
    }
    var_cell_free(v);
  }
}

/* TLS is up: note the responder's certificate and start the handshake. */
static void
channel_finished_connecting(conn_t *c)
{
  channel_t *ch = channel_from_conn(c);
  if (!ch)
    return;
  ch->state = CHANNEL_STATE_WAIT_VERSIONS;
  if (ch->initiator) {
    uint8_t *der = NULL;
    size_t len = 0;
    if (tls_get_peer_cert_der(conn_get_ssl(c), &der, &len) < 0) {
      channel_close_protocol(ch, "the responder sent no TLS certificate");
      return;
    }
    crypto_sha256(der, len, ch->responder_cert_sha256);
    x_free(der);
    if (send_versions(ch) < 0)
      channel_close(ch, "cannot send VERSIONS");
  } else if (channel_auth_own_cert_sha256(ch, ch->responder_cert_sha256) < 0) {
    channel_close(ch, "no TLS certificate of our own");
  }
}

static void
channel_reached_eof(conn_t *c)
{
  channel_t *ch = channel_from_conn(c);
  if (!ch)
    return;
  if (ch->state == CHANNEL_STATE_OPEN)
    channel_close(ch, "the peer closed the connection");
  else
    channel_close_protocol(ch, "the peer closed the connection during the handshake (%s)",
                           channel_state_to_string(ch->state));
}

/* Also the finished_flushing op: with a TLS filter the top layer drains into
 * the socket layer at once, so its write callback can fire while the socket
 * layer is still full; the scheduler then gets another chance only when
 * everything has gone out. */
static void
channel_flushed_some(conn_t *c)
{
  channel_t *ch = channel_from_conn(c);
  if (ch && ch->state == CHANNEL_STATE_OPEN && ch->mux_flushed)
    ch->mux_flushed(ch, ch->mux_arg);
}

static void
channel_about_to_close(conn_t *c)
{
  channel_t *ch = channel_from_conn(c);
  if (!ch)
    return;
  if (!ch->reason[0]) {
    if (c->tls_error)
      snprintf(ch->reason, sizeof(ch->reason), "TLS error (handshake failed)");
    else if (c->last_error)
      snprintf(ch->reason, sizeof(ch->reason), "connection failed: %s",
               evutil_socket_error_to_string(c->last_error));
    else
      snprintf(ch->reason, sizeof(ch->reason), "connection closed");
  }
  ch->state = CHANNEL_STATE_CLOSED;
  if (ch->mux_closed) {
    channel_hook_fn fn = ch->mux_closed;
    ch->mux_closed = ch->mux_flushed = NULL;
    fn(ch, ch->mux_arg);
  }
  if (ch->cb)
    ch->cb(ch, CHANNEL_EV_CLOSED, ch->cb_arg);
  mtimer_free(ch->handshake_timer);
  mtimer_free(ch->idle_timer);
  crypto_digest_free(ch->digest_sent);
  crypto_digest_free(ch->digest_received);
  ch->handshake_timer = ch->idle_timer = NULL;
  ch->digest_sent = ch->digest_received = NULL;
  ch->magic = 0;
}

/* ---- creation ---- */

static void
sockaddr_to_netaddr(const struct sockaddr *sa, netaddr_t *out)
{
  memset(out, 0, sizeof(*out));
  if (sa->sa_family == AF_INET)
    netaddr_set_ipv4(out, (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr);
  else if (sa->sa_family == AF_INET6)
    netaddr_set_ipv6(out, (const uint8_t *)&((const struct sockaddr_in6 *)sa)->sin6_addr);
}

void
channel_relay_set_address(channel_relay_t *r, const struct sockaddr *sa)
{
  sockaddr_to_netaddr(sa, &r->my_addr);
  size_t n = netaddr_len(&r->my_addr);
  int zero = 1;
  for (size_t i = 0; i < n; i++)
    zero &= r->my_addr.bytes[i] == 0;
  if (zero)
    memset(&r->my_addr, 0, sizeof(r->my_addr));
}

static void
channel_init(channel_t *ch, mainloop_t *ml, const struct sockaddr *addr, int initiator,
             const channel_relay_t *relay)
{
  ch->magic = CHANNEL_MAGIC;
  ch->initiator = initiator ? 1 : 0;
  ch->relay = relay;
  ch->state = CHANNEL_STATE_CONNECTING;
  ch->idle_timeout = CHANNEL_IDLE_TIMEOUT;
  ch->digest_sent = crypto_digest_new_sha256();
  ch->digest_received = crypto_digest_new_sha256();
  ch->record_sent = ch->record_received = 1;
  sockaddr_to_netaddr(addr, &ch->peer_addr);
  ch->handshake_timer = mtimer_new(ml, handshake_timeout_cb, ch);
  ch->idle_timer = mtimer_new(ml, idle_timeout_cb, ch);
  mtimer_schedule(ch->handshake_timer, CHANNEL_HANDSHAKE_TIMEOUT);
}

channel_t *
channel_connect(mainloop_t *ml, tls_ctx_t *tls, const struct sockaddr *addr, int addrlen,
                const uint8_t *expect_rsa_id, const uint8_t *expect_ed_id,
                const channel_relay_t *relay, channel_cb_t cb, void *arg)
{
  if (!expect_rsa_id || !tls)
    return NULL;
  conn_t *c = conn_connect(ml, &channel_ops, sizeof(channel_t), addr, addrlen, tls);
  if (!c)
    return NULL;
  channel_t *ch = (channel_t *)c;
  channel_init(ch, ml, addr, 1, relay);
  ch->cb = cb;
  ch->cb_arg = arg;
  memcpy(ch->expect_rsa_id, expect_rsa_id, DIGEST_LEN);
  if (expect_ed_id) {
    memcpy(ch->expect_ed_id, expect_ed_id, CHANNEL_KEY_LEN);
    ch->has_expect_ed = 1;
  }
  return ch;
}

channel_t *
channel_accept(mainloop_t *ml, const channel_relay_t *relay, evutil_socket_t fd,
               const struct sockaddr *addr, int addrlen)
{
  if (!relay || !relay->tls) {
    evutil_closesocket(fd);
    return NULL;
  }
  conn_t *c = conn_new_accepted(ml, &channel_ops, sizeof(channel_t), fd, addr, addrlen,
                                relay->tls);
  if (!c)
    return NULL;
  channel_t *ch = (channel_t *)c;
  channel_init(ch, ml, addr, 0, relay);
  ch->cb = relay->cb;
  ch->cb_arg = relay->cb_arg;
  return ch;
}

struct channel_listener_t {
  mainloop_t *ml;
  const channel_relay_t *relay;
  listener_t *l;
};

static void
accept_cb(listener_t *l, evutil_socket_t fd, const struct sockaddr *addr, int addrlen, void *arg)
{
  (void)l;
  channel_listener_t *cl = arg;
  channel_accept(cl->ml, cl->relay, fd, addr, addrlen);
}

channel_listener_t *
channel_listen(mainloop_t *ml, const struct sockaddr *addr, int addrlen,
               const channel_relay_t *relay)
{
  channel_listener_t *cl = x_calloc(1, sizeof(*cl));
  cl->ml = ml;
  cl->relay = relay;
  cl->l = listener_new(ml, addr, addrlen, accept_cb, cl);
  if (!cl->l) {
    x_free(cl);
    return NULL;
  }
  return cl;
}

int
channel_listener_get_port(const channel_listener_t *l)
{
  return listener_get_port(l->l);
}

void
channel_listener_free(channel_listener_t *l)
{
  if (!l)
    return;
  listener_free(l->l);
  x_free(l);
}

/* ---- accessors ---- */

void
channel_set_cell_handler(channel_t *ch, channel_cell_fn fn, void *arg)
{
  ch->cell_fn = fn;
  ch->cell_arg = arg;
}

void
channel_set_mux_hooks(channel_t *ch, channel_hook_fn flushed, channel_hook_fn closed, void *arg)
{
  ch->mux_flushed = flushed;
  ch->mux_closed = closed;
  ch->mux_arg = arg;
}

void
channel_set_callback(channel_t *ch, channel_cb_t cb, void *arg)
{
  ch->cb = cb;
  ch->cb_arg = arg;
}

void
channel_set_idle_timeout(channel_t *ch, double seconds)
{
  ch->idle_timeout = seconds;
  if (seconds <= 0)
    mtimer_cancel(ch->idle_timer);
  else
    note_activity(ch);
}

void
channel_set_handshake_timeout(channel_t *ch, double seconds)
{
  if (ch->state != CHANNEL_STATE_OPEN && ch->state != CHANNEL_STATE_CLOSED)
    mtimer_schedule(ch->handshake_timer, seconds);
}

channel_state_t
channel_get_state(const channel_t *ch)
{
  return ch->state;
}

const char *
channel_state_to_string(channel_state_t s)
{
  switch (s) {
  case CHANNEL_STATE_CONNECTING: return "connecting";
  case CHANNEL_STATE_WAIT_VERSIONS: return "waiting for VERSIONS";
  case CHANNEL_STATE_HANDSHAKING: return "handshaking";
  case CHANNEL_STATE_OPEN: return "open";
  case CHANNEL_STATE_CLOSED: return "closed";
  }
  return "?";
}

int
channel_is_initiator(const channel_t *ch)
{
  return ch->initiator;
}

int
channel_link_proto(const channel_t *ch)
{
  return ch->link_proto;
}

const char *
channel_close_reason(const channel_t *ch)
{
  return ch->reason;
}

const uint8_t *
channel_peer_rsa_id(const channel_t *ch)
{
  return ch->authenticated ? ch->peer_rsa_id : NULL;
}

const uint8_t *
channel_peer_ed_id(const channel_t *ch)
{
  return ch->authenticated ? ch->peer_ed_id : NULL;
}

int
channel_peer_is_authenticated(const channel_t *ch)
{
  return ch->authenticated;
}

int
channel_we_authenticated(const channel_t *ch)
{
  return ch->we_authenticated;
}

long
channel_clock_skew(const channel_t *ch)
{
  return ch->clock_skew;
}

uint32_t
channel_alloc_circ_id(channel_t *ch, int (*in_use)(void *arg, uint32_t id), void *arg)
{
  if (ch->state != CHANNEL_STATE_OPEN)
    return 0;
  for (int tries = 0; tries < 64; tries++) {
    uint32_t id;
    crypto_rand(&id, sizeof(id));
    id &= 0x7fffffffu;
    if (ch->initiator)
      id |= 0x80000000u;
    if ((id & 0x7fffffffu) == 0)
      continue;
    if (!in_use || !in_use(arg, id))
      return id;
  }
  return 0;
}
