/* stream.c — client streams: BEGIN/BEGIN_DIR/RESOLVE, CONNECTED, DATA both
 * ways with stream windows and SENDMEs, END, and the edge's read blocking
 * (see stream.h). */
#include "or/circuit_st.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "lib/alloc.h"
#include "lib/crypto/rand.h"
#include "lib/log.h"
#include "proto/relay_msg.h"
#include "proto/relay_stream.h"

/* ---- lookup and lifetime ---- */

static stream_t *
stream_find(circuit_t *c, uint16_t id)
{
  for (stream_t *s = c->streams; s; s = s->next)
    if (s->id == id)
      return s;
  return NULL;
}

static void
stream_unlink(stream_t *s)
{
  circuit_t *c = s->circ;
  if (!c)
    return;
  for (stream_t **pp = &c->streams; *pp; pp = &(*pp)->next) {
    if (*pp == s) {
      *pp = s->next;
      c->n_streams--;
      break;
    }
  }
  s->circ = NULL;
}

static void
stream_free(stream_t *s)
{
  stream_unlink(s);
  s->magic = 0;
  x_free(s);
}

/* Tell the owner the stream is done (ev END or RESOLVED), then free it. */
static void
stream_finish(stream_t *s, stream_event_t ev, stream_info_t *info)
{
  s->ended = 1;
  stream_unlink(s);
  info->was_connected = s->connected;
  stream_cb_t cb = s->cb;
  void *arg = s->arg;
  /* From here the stream is dead: a stream_close() or stream_edge_*() call
   * on it from inside the callback does nothing. */
  s->magic = 0;
  if (cb)
    cb(s, ev, info, arg);
  x_free(s);
}

static stream_t *
stream_new(circuit_t *c, conn_t *edge, stream_cb_t cb, void *arg)
{
  if (!circuit_is_open(c))
    return NULL;
  if (c->next_stream_id == 0)
    crypto_rand(&c->next_stream_id, sizeof(c->next_stream_id));
  uint16_t id = 0;
  for (int tries = 0; tries < 65536 && !id; tries++) {
    uint16_t cand = c->next_stream_id++;
    if (cand && !stream_find(c, cand))
      id = cand;
  }
  if (!id)
    return NULL;
  stream_t *s = x_calloc(1, sizeof(*s));
  s->magic = STREAM_MAGIC;
  s->circ = c;
  s->edge = edge;
  s->cb = cb;
  s->arg = arg;
  s->id = id;
  s->package_window = STREAMWINDOW_START;
  s->deliver_window = STREAMWINDOW_START;
  s->next = c->streams;
  c->streams = s;
  c->n_streams++;
  if (!c->dirty_since)
    c->dirty_since = time(NULL);
  return s;
}

static stream_t *
stream_open(circuit_t *c, conn_t *edge, uint8_t cmd, const uint8_t *body, size_t len,
            stream_cb_t cb, void *arg)
{
  stream_t *s = stream_new(c, edge, cb, arg);
  if (!s)
    return NULL;
  if (circuit_send_relay(c, -1, cmd, s->id, body, len) < 0) {
    stream_free(s);
    return NULL;
  }
  return s;
}

stream_t *
stream_begin(circuit_t *c, conn_t *edge, const char *host, uint16_t port, uint32_t flags,
             stream_cb_t cb, void *arg)
{
  begin_cell_t b;
  memset(&b, 0, sizeof(b));
  if (!host || strlen(host) >= sizeof(b.host))
    return NULL;
  snprintf(b.host, sizeof(b.host), "%s", host);
  b.port = port;
  b.flags = flags;
  uint8_t body[RELAY_BODY_MAX_LEN];
  int len = begin_cell_encode(&b, body, sizeof(body));
  if (len < 0)
    return NULL;
  return stream_open(c, edge, RELAY_COMMAND_BEGIN, body, (size_t)len, cb, arg);
}

stream_t *
stream_begin_dir(circuit_t *c, conn_t *edge, stream_cb_t cb, void *arg)
{
  return stream_open(c, edge, RELAY_COMMAND_BEGIN_DIR, NULL, 0, cb, arg);
}

stream_t *
stream_resolve(circuit_t *c, const char *name, stream_cb_t cb, void *arg)
{
  uint8_t body[RELAY_BODY_MAX_LEN];
  if (!name)
    return NULL;
  int len = resolve_cell_encode(name, body, sizeof(body));
  if (len < 0)
    return NULL;
  stream_t *s = stream_open(c, NULL, RELAY_COMMAND_RESOLVE, body, (size_t)len, cb, arg);
  if (s)
    s->is_resolve = 1;
  return s;
}

/* ---- sending ---- */

static void
send_end(stream_t *s, uint8_t reason)
{
  if (s->ended)
    return;
  s->ended = 1;
  end_cell_t e;
  memset(&e, 0, sizeof(e));
  e.reason = reason;
  uint8_t body[32];
  int len = end_cell_encode(&e, body, sizeof(body));
  if (s->circ && len > 0)
    circuit_send_relay(s->circ, -1, RELAY_COMMAND_END, s->id, body, (size_t)len);
}

static void
set_block(stream_t *s, conn_block_t why, int on)
{
  unsigned have = why == CONN_BLOCK_WINDOW ? s->blocked_window : s->blocked_circq;
  unsigned want = on ? 1u : 0u;
  if (have == want || !s->edge)
    return;
  if (why == CONN_BLOCK_WINDOW)
    s->blocked_window = want;
  else
    s->blocked_circq = want;
  if (on)
    conn_block_read(s->edge, why);
  else
    conn_unblock_read(s->edge, why);
}

/* Package the edge's inbuf as DATA cells while the windows and the queue
 * allow; block or unblock the edge's reading to match.  Returns 0, or -1 if
 * the stream ended (and was freed) here. */
static int
stream_package(stream_t *s)
{
  circuit_t *c = s->circ;
  if (!c || !s->edge || s->ended || !s->connected || s->in_package || c->marked)
    return 0;
  s->in_package = 1;
  struct evbuffer *in = conn_inbuf(s->edge);
  uint8_t buf[RELAY_BODY_MAX_LEN];
  size_t avail;
  while ((avail = evbuffer_get_length(in)) > 0) {
    if (s->package_window <= 0 || circuit_package_window(c, -1) <= 0)
      break;
    if (c->q_len >= CIRCUIT_QUEUE_HIGHWAT)
      break;
    size_t n = avail < sizeof(buf) ? avail : sizeof(buf);
    evbuffer_remove(in, buf, n);
    if (circuit_send_relay(c, -1, RELAY_COMMAND_DATA, s->id, buf, n) < 0)
      break;
    s->package_window--;
    if (c->marked)
      break;
  }
  s->in_package = 0;
  int win_empty = s->package_window <= 0 || circuit_package_window(c, -1) <= 0;
  int q_full = c->q_len >= CIRCUIT_QUEUE_HIGHWAT;
  set_block(s, CONN_BLOCK_WINDOW, win_empty);
  set_block(s, CONN_BLOCK_CIRCQ, q_full && !win_empty);
  if (q_full && !win_empty)
    c->edges_blocked = 1;
  if (s->eof_pending && evbuffer_get_length(in) == 0 && !c->marked) {
    send_end(s, END_REASON_DONE);
    stream_info_t info;
    memset(&info, 0, sizeof(info));
    info.end_reason = END_REASON_DONE;
    stream_finish(s, STREAM_EV_END, &info);
    return -1;
  }
  return 0;
}

/* Send stream SENDMEs while the deliver window is low and the edge can take
 * more (tor: connection_edge_consider_sending_sendme). */
static void
maybe_send_sendme(stream_t *s)
{
  if (!s->edge || s->ended || !s->circ)
    return;
  while (s->deliver_window <= STREAMWINDOW_START - STREAMWINDOW_INCREMENT &&
         !conn_outbuf_is_full(s->edge)) {
    if (circuit_send_relay(s->circ, -1, RELAY_COMMAND_SENDME, s->id, NULL, 0) < 0)
      return;
    s->deliver_window += STREAMWINDOW_INCREMENT;
  }
}

/* ---- the edge's events ---- */

void
stream_edge_readable(stream_t *s)
{
  if (s && s->magic == STREAM_MAGIC)
    stream_package(s);
}

void
stream_edge_flushed_some(stream_t *s)
{
  if (s && s->magic == STREAM_MAGIC)
    maybe_send_sendme(s);
}

void
stream_edge_eof(stream_t *s)
{
  if (!s || s->magic != STREAM_MAGIC || s->ended)
    return;
  s->eof_pending = 1;
  if (s->connected)
    stream_package(s);
}

void
stream_close(stream_t *s, uint8_t reason)
{
  if (!s || s->magic != STREAM_MAGIC)
    return;
  if (s->circ && !s->circ->marked)
    send_end(s, reason);
  s->edge = NULL;
  stream_free(s);
}

void
stream_edge_closed(stream_t *s)
{
  stream_close(s, END_REASON_DONE);
}

/* ---- cells from the circuit ---- */

static void
got_connected(stream_t *s, const uint8_t *body, size_t len)
{
  circuit_t *c = s->circ;
  uint16_t id = s->id;
  if (s->connected || s->is_resolve) {
    log_protocol_warn(LD_PROTOCOL, "unexpected CONNECTED on stream %u: dropped", id);
    return;
  }
  connected_cell_t cc;
  stream_info_t info;
  memset(&info, 0, sizeof(info));
  if (connected_cell_parse(&cc, body, len) == 0) {
    info.addr = cc.addr;
    info.has_ttl = cc.has_ttl;
    info.ttl = cc.ttl;
  }
  s->connected = 1;
  info.was_connected = 1;
  if (s->cb)
    s->cb(s, STREAM_EV_CONNECTED, &info, s->arg);
  /* The owner may have closed the stream or the circuit in its callback. */
  s = stream_find(c, id);
  if (s && !c->marked) {
    if (s->eof_pending || s->edge)
      stream_package(s);
  }
}

static void
got_data(stream_t *s, const uint8_t *body, size_t len)
{
  if (!s->edge) {
    log_protocol_warn(LD_PROTOCOL, "DATA on stream %u without an edge: dropped", s->id);
    return;
  }
  if (--s->deliver_window < 0) {
    circuit_protocol_error(s->circ, "stream %u overran its deliver window", s->id);
    return;
  }
  conn_write(s->edge, body, len);
  maybe_send_sendme(s);
}

static void
got_stream_sendme(stream_t *s)
{
  if (s->package_window + STREAMWINDOW_INCREMENT > STREAMWINDOW_START) {
    circuit_protocol_error(s->circ, "unexpected stream SENDME on stream %u", s->id);
    return;
  }
  s->package_window += STREAMWINDOW_INCREMENT;
  stream_package(s);
}

void
stream_handle_relay(circuit_t *c, int hop, uint8_t command, uint16_t stream_id,
                    const uint8_t *body, size_t len)
{
  stream_t *s = stream_find(c, stream_id);
  if (!s || s->ended)
    return; /* late cells of a stream we ended: tolerated */
  if (hop != c->n_hops - 1) {
    log_protocol_warn(LD_PROTOCOL, "relay %s for stream %u from hop %d of %d: dropped",
                      relay_command_to_string(command), stream_id, hop + 1, c->n_hops);
    return;
  }
  stream_info_t info;
  memset(&info, 0, sizeof(info));
  switch (command) {
  case RELAY_COMMAND_CONNECTED:
    got_connected(s, body, len);
    return;
  case RELAY_COMMAND_DATA:
    got_data(s, body, len);
    return;
  case RELAY_COMMAND_SENDME:
    got_stream_sendme(s);
    return;
  case RELAY_COMMAND_END: {
    end_cell_t e;
    end_cell_parse(&e, body, len);
    info.end_reason = e.reason;
    info.addr = e.addr;
    info.has_ttl = e.has_ttl;
    info.ttl = e.ttl;
    info.remote = 1;
    stream_finish(s, STREAM_EV_END, &info);
    return;
  }
  case RELAY_COMMAND_RESOLVED: {
    if (!s->is_resolve) {
      log_protocol_warn(LD_PROTOCOL, "RESOLVED on a non-resolve stream %u: dropped", stream_id);
      return;
    }
    resolved_cell_t *r = x_calloc(1, sizeof(*r));
    if (resolved_cell_parse(r, body, len) < 0) {
      x_free(r);
      circuit_protocol_error(c, "unparseable RESOLVED on stream %u", stream_id);
      return;
    }
    info.resolved = r;
    info.remote = 1;
    stream_finish(s, STREAM_EV_RESOLVED, &info);
    x_free(r);
    return;
  }
  default:
    return;
  }
}

/* ---- circuit events ---- */

void
stream_circuit_closed(circuit_t *c)
{
  while (c->streams) {
    stream_t *s = c->streams;
    stream_info_t info;
    memset(&info, 0, sizeof(info));
    info.end_reason = END_REASON_DESTROY;
    info.remote = c->close_remote;
    stream_finish(s, STREAM_EV_END, &info);
  }
}

void
stream_circuit_resume(circuit_t *c)
{
  if (c->marked || c->n_streams == 0)
    return;
  int n = c->n_streams;
  uint16_t *ids = x_malloc(sizeof(uint16_t) * (size_t)n);
  int i = 0;
  for (stream_t *s = c->streams; s && i < n; s = s->next)
    ids[i++] = s->id;
  /* Start at a rotating offset so no stream always goes first. */
  unsigned start = c->resume_rr++;
  for (int k = 0; k < i && !c->marked; k++) {
    stream_t *s = stream_find(c, ids[(start + (unsigned)k) % (unsigned)i]);
    if (s && s->edge)
      stream_package(s);
  }
  x_free(ids);
}

/* ---- accessors ---- */

uint16_t
stream_get_id(const stream_t *s)
{
  return s->id;
}

circuit_t *
stream_get_circuit(const stream_t *s)
{
  return s->circ;
}

int
stream_is_connected(const stream_t *s)
{
  return s->connected;
}

int
stream_package_window(const stream_t *s)
{
  return s->package_window;
}

int
stream_deliver_window(const stream_t *s)
{
  return s->deliver_window;
}
