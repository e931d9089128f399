/* circuit.c — client circuits: the context, building (CREATE2, EXTEND2),
 * the channel's cell dispatch, mark-for-close and the sweep (see circuit.h).
 * Relay cells are in circuit_relay.c, the queue and scheduler in
 * circuit_mux.c. */
#include "or/circuit_st.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/log.h"
#include "or/chanmgr.h"
#include "proto/circ_cells.h"
#include "proto/relay_circ.h"

/* ---- parameters and context ---- */

void
circuit_params_default(circuit_params_t *p)
{
  memset(p, 0, sizeof(*p));
  p->circwindow = CIRCWINDOW_START_DEFAULT;
  p->sendme_emit_min_version = 1;
  p->sendme_accept_min_version = 0;
  p->build_timeout = CIRCUIT_BUILD_TIMEOUT;
}

static void sweep_cb(mtimer_t *t, void *arg);

circuit_ctx_t *
circuit_ctx_new(mainloop_t *ml, chanmgr_t *cm)
{
  circuit_ctx_t *ctx = x_calloc(1, sizeof(*ctx));
  ctx->ml = ml;
  ctx->cm = cm;
  circuit_params_default(&ctx->params);
  ctx->max_mem = CIRCUIT_DEFAULT_MAX_MEM;
  ctx->sweep_timer = mtimer_new(ml, sweep_cb, ctx);
  return ctx;
}

static void circuit_free(circuit_t *c);

void
circuit_ctx_free(circuit_ctx_t *ctx)
{
  if (!ctx)
    return;
  /* Circuit owners are not called back; stream owners hear END (they hold
   * stream pointers from their edges). */
  for (circuit_t *c = ctx->all; c; c = c->all_next) {
    c->cb = NULL;
    circuit_mark_for_close(c, DESTROY_REASON_NONE, 0, "shutting down");
  }
  while (ctx->all) {
    stream_circuit_closed(ctx->all);
    circuit_free(ctx->all);
  }
  ctx->marked = NULL;
  circuit_mux_free_all(ctx);
  mtimer_free(ctx->sweep_timer);
  x_free(ctx);
}

void
circuit_ctx_set_params(circuit_ctx_t *ctx, const circuit_params_t *p)
{
  ctx->params = *p;
  if (ctx->params.circwindow < CIRCWINDOW_START_MIN)
    ctx->params.circwindow = CIRCWINDOW_START_MIN;
  if (ctx->params.circwindow > CIRCWINDOW_START_MAX)
    ctx->params.circwindow = CIRCWINDOW_START_MAX;
  if (ctx->params.build_timeout <= 0)
    ctx->params.build_timeout = CIRCUIT_BUILD_TIMEOUT;
}

void
circuit_ctx_set_max_mem(circuit_ctx_t *ctx, size_t bytes)
{
  ctx->max_mem = bytes ? bytes : CIRCUIT_DEFAULT_MAX_MEM;
}

size_t
circuit_ctx_queued_bytes(const circuit_ctx_t *ctx)
{
  return ctx->queued_bytes;
}

int
circuit_ctx_n_circuits(const circuit_ctx_t *ctx)
{
  return ctx->n_circuits;
}

unsigned
circuit_ctx_n_oom_closed(const circuit_ctx_t *ctx)
{
  return ctx->n_oom_closed;
}

/* ---- closing ---- */

void
circuit_mark_for_close_(circuit_t *c, uint8_t reason, int remote, const char *msg,
                        const char *file, int line)
{
  if (c->marked) {
    log_debug(LD_CIRC, "circuit %u marked twice (first at %s:%d, now %s:%d)",
              (unsigned)c->circ_id, c->mark_file, c->mark_line, file, line);
    return;
  }
  c->marked = 1;
  c->mark_file = file;
  c->mark_line = line;
  c->state = CIRCUIT_STATE_CLOSED;
  c->close_reason = reason;
  c->close_remote = remote ? 1 : 0;
  snprintf(c->close_msg, sizeof(c->close_msg), "%s", msg ? msg : "");
  log_info(LD_CIRC, "circuit %u closing (%s, %s): %s", (unsigned)c->circ_id,
           destroy_reason_to_string(reason), remote ? "remote" : "local", c->close_msg);
  if (c->chan_req) {
    chanmgr_cancel(c->chan_req);
    c->chan_req = NULL;
  }
  mtimer_cancel(c->build_timer);
  if (c->mux) {
    channel_t *ch = c->chan;
    uint32_t id = c->circ_id;
    circuit_mux_detach(c);
    if (!remote && id && ch && channel_get_state(ch) == CHANNEL_STATE_OPEN) {
      cell_t d;
      memset(&d, 0, sizeof(d));
      d.circ_id = id;
      d.command = CELL_DESTROY;
      destroy_cell_encode(DESTROY_REASON_NONE, d.payload, sizeof(d.payload));
      channel_send_cell(ch, &d);
    }
  }
  c->next_marked = c->ctx->marked;
  c->ctx->marked = c;
  mtimer_schedule(c->ctx->sweep_timer, 0);
}

void
circuit_protocol_error(circuit_t *c, const char *fmt, ...)
{
  char msg[128];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  log_protocol_warn(LD_PROTOCOL, "Closing circuit %u: %s", (unsigned)c->circ_id, msg);
  circuit_mark_for_close(c, DESTROY_REASON_PROTOCOL, 0, msg);
}

void
circuit_close(circuit_t *c)
{
  if (c && !c->marked)
    circuit_mark_for_close(c, DESTROY_REASON_NONE, 0, "closed by its owner");
}

static void
circuit_free(circuit_t *c)
{
  if (c->mux)
    circuit_mux_detach(c);
  if (c->chan_req)
    chanmgr_cancel(c->chan_req);
  for (int i = 0; i < CIRCUIT_MAX_HOPS; i++)
    relay_crypto_free(c->hops[i].crypto);
  ntor_client_state_free(c->ntor);
  mtimer_free(c->build_timer);
  circuit_ctx_t *ctx = c->ctx;
  if (c->all_prev)
    c->all_prev->all_next = c->all_next;
  else
    ctx->all = c->all_next;
  if (c->all_next)
    c->all_next->all_prev = c->all_prev;
  ctx->n_circuits--;
  c->magic = 0;
  x_memwipe(c, sizeof(*c));
  x_free(c);
}

static void
sweep_cb(mtimer_t *t, void *arg)
{
  (void)t;
  circuit_ctx_t *ctx = arg;
  if (ctx->queued_bytes > ctx->max_mem)
    circuit_mux_handle_oom(ctx);
  while (ctx->marked) {
    circuit_t *c = ctx->marked;
    ctx->marked = c->next_marked;
    stream_circuit_closed(c);
    if (c->cb)
      c->cb(c, c->was_built ? CIRCUIT_EV_CLOSED : CIRCUIT_EV_FAILED, c->arg);
    circuit_free(c);
  }
}

/* ---- building ---- */

static void
build_timeout_cb(mtimer_t *t, void *arg)
{
  (void)t;
  circuit_t *c = arg;
  if (c->state != CIRCUIT_STATE_OPEN && !c->marked)
    circuit_mark_for_close(c, DESTROY_REASON_TIMEOUT, 0, "build timed out");
}

static circuit_t *
circuit_new(circuit_ctx_t *ctx, const circ_hop_t *path, int n_hops, circuit_cb_t cb, void *arg)
{
  if (!path || n_hops < 1 || n_hops > CIRCUIT_MAX_HOPS)
    return NULL;
  circuit_t *c = x_calloc(1, sizeof(*c));
  c->magic = CIRCUIT_MAGIC;
  c->ctx = ctx;
  c->n_hops = n_hops;
  c->params = ctx->params;
  for (int i = 0; i < n_hops; i++) {
    c->hops[i].spec = path[i];
    c->hops[i].package_window = c->params.circwindow;
    c->hops[i].deliver_window = c->params.circwindow;
  }
  c->relay_early_left = CIRCUIT_MAX_RELAY_EARLY;
  c->cb = cb;
  c->arg = arg;
  c->build_timer = mtimer_new(ctx->ml, build_timeout_cb, c);
  mtimer_schedule(c->build_timer, c->params.build_timeout);
  c->all_next = ctx->all;
  if (ctx->all)
    ctx->all->all_prev = c;
  ctx->all = c;
  ctx->n_circuits++;
  return c;
}

/* Send CREATE2 (ntor) to the first hop over ch. */
static void
start_create(circuit_t *c, channel_t *ch)
{
  if (channel_get_state(ch) != CHANNEL_STATE_OPEN) {
    circuit_mark_for_close(c, DESTROY_REASON_CHANNEL_CLOSED, 1, "channel not open");
    return;
  }
  c->chan = ch;
  circuit_mux_attach(circuit_mux_get(c->ctx, ch), c);
  if (!c->circ_id) {
    circuit_mark_for_close(c, DESTROY_REASON_RESOURCELIMIT, 0, "no free circuit ID");
    return;
  }
  c->state = CIRCUIT_STATE_BUILDING;
  create2_cell_t cr;
  memset(&cr, 0, sizeof(cr));
  cr.htype = HANDSHAKE_TYPE_NTOR;
  cr.hlen = NTOR_ONIONSKIN_LEN;
  c->ntor = ntor_client_create(c->hops[0].spec.rsa_id, c->hops[0].spec.ntor_key, cr.hdata);
  cell_t cell;
  memset(&cell, 0, sizeof(cell));
  cell.circ_id = c->circ_id;
  cell.command = CELL_CREATE2;
  create2_cell_encode(&cr, cell.payload, sizeof(cell.payload));
  circuit_mux_queue_cell(c, &cell);
}

static void
chan_ready_cb(channel_t *ch, const char *err, void *arg)
{
  circuit_t *c = arg;
  c->chan_req = NULL;
  if (!ch) {
    char msg[128];
    snprintf(msg, sizeof(msg), "no channel to the first hop: %s", err ? err : "?");
    circuit_mark_for_close(c, DESTROY_REASON_CHANNEL_CLOSED, 1, msg);
    return;
  }
  start_create(c, ch);
}

circuit_t *
circuit_launch(circuit_ctx_t *ctx, const circ_hop_t *path, int n_hops, circuit_cb_t cb,
               void *arg)
{
  if (!ctx->cm || !path || path[0].ipv4.family == NETADDR_NONE)
    return NULL;
  circuit_t *c = circuit_new(ctx, path, n_hops, cb, arg);
  if (!c)
    return NULL;
  const circ_hop_t *h = &path[0];
  c->chan_req = chanmgr_get(ctx->cm, &h->ipv4, h->ipv4_port, h->rsa_id,
                            h->has_ed ? h->ed_id : NULL, chan_ready_cb, c);
  if (!c->chan_req)
    circuit_mark_for_close(c, DESTROY_REASON_INTERNAL, 0, "cannot connect to the first hop");
  return c;
}

circuit_t *
circuit_launch_on_channel(circuit_ctx_t *ctx, channel_t *ch, const circ_hop_t *path, int n_hops,
                          circuit_cb_t cb, void *arg)
{
  if (!ch)
    return NULL;
  circuit_t *c = circuit_new(ctx, path, n_hops, cb, arg);
  if (c)
    start_create(c, ch);
  return c;
}

/* Send EXTEND2 for hops[n_built] to the last built hop. */
static void
send_extend2(circuit_t *c)
{
  const circ_hop_t *h = &c->hops[c->n_built].spec;
  extend2_cell_t *e = x_calloc(1, sizeof(*e));
  if (h->ipv4.family == NETADDR_IPV4)
    linkspec_set_addr(&e->specs[e->n_spec++], &h->ipv4, h->ipv4_port);
  linkspec_set_legacy_id(&e->specs[e->n_spec++], h->rsa_id);
  if (h->has_ed)
    linkspec_set_ed25519_id(&e->specs[e->n_spec++], h->ed_id);
  if (h->ipv6.family == NETADDR_IPV6)
    linkspec_set_addr(&e->specs[e->n_spec++], &h->ipv6, h->ipv6_port);
  e->htype = HANDSHAKE_TYPE_NTOR;
  e->hlen = NTOR_ONIONSKIN_LEN;
  c->ntor = ntor_client_create(h->rsa_id, h->ntor_key, e->hdata);
  uint8_t body[RELAY_BODY_MAX_LEN];
  int len = extend2_cell_encode(e, body, sizeof(body));
  x_free(e);
  if (len < 0 || circuit_send_relay(c, c->n_built - 1, RELAY_COMMAND_EXTEND2, 0, body,
                                    (size_t)len) < 0)
    circuit_mark_for_close(c, DESTROY_REASON_INTERNAL, 0, "cannot send EXTEND2");
}

/* A handshake reply for hops[n_built]: keys, then extend further or done. */
static void
finish_hop(circuit_t *c, const uint8_t *hdata, size_t hlen)
{
  uint8_t keys[RELAY_CRYPTO_KEY_MATERIAL_LEN];
  if (hlen != NTOR_REPLY_LEN ||
      ntor_client_finish(c->ntor, hdata, keys, sizeof(keys)) < 0) {
    circuit_protocol_error(c, "bad ntor reply from hop %d", c->n_built + 1);
    return;
  }
  ntor_client_state_free(c->ntor);
  c->ntor = NULL;
  c->hops[c->n_built].crypto = relay_crypto_new(keys, sizeof(keys), 0);
  x_memwipe(keys, sizeof(keys));
  c->n_built++;
  if (c->n_built < c->n_hops) {
    send_extend2(c);
    return;
  }
  c->state = CIRCUIT_STATE_OPEN;
  c->was_built = 1;
  mtimer_cancel(c->build_timer);
  log_info(LD_CIRC, "circuit %u built (%d hops)", (unsigned)c->circ_id, c->n_hops);
  if (c->cb)
    c->cb(c, CIRCUIT_EV_BUILT, c->arg);
}

void
circuit_handle_extended2(circuit_t *c, const uint8_t *body, size_t len)
{
  created2_cell_t r;
  if (c->state != CIRCUIT_STATE_BUILDING || !c->ntor) {
    circuit_protocol_error(c, "unexpected EXTENDED2");
    return;
  }
  if (extended2_cell_parse(&r, body, len) < 0) {
    circuit_protocol_error(c, "unparseable EXTENDED2");
    return;
  }
  finish_hop(c, r.hdata, r.hlen);
}

/* ---- cells from the channel ---- */

void
circuit_chan_cell(channel_t *ch, const cell_t *cell, void *arg)
{
  (void)ch;
  circ_mux_t *mux = arg;
  circuit_t *c = circuit_mux_find(mux, cell->circ_id);
  if (!c || c->marked)
    return; /* a late cell for a circuit we closed */
  switch (cell->command) {
  case CELL_CREATED2: {
    created2_cell_t r;
    if (c->state != CIRCUIT_STATE_BUILDING || c->n_built != 0 || !c->ntor ||
        created2_cell_parse(&r, cell->payload, sizeof(cell->payload)) < 0) {
      circuit_protocol_error(c, "unexpected or bad CREATED2");
      return;
    }
    finish_hop(c, r.hdata, r.hlen);
    return;
  }
  case CELL_RELAY: {
    cell_t copy = *cell;
    circuit_relay_receive(c, &copy);
    return;
  }
  case CELL_DESTROY: {
    uint8_t reason = DESTROY_REASON_NONE;
    destroy_cell_parse(&reason, cell->payload, sizeof(cell->payload));
    char msg[64];
    snprintf(msg, sizeof(msg), "DESTROY (%s)", destroy_reason_to_string(reason));
    circuit_mark_for_close(c, reason, 1, msg);
    return;
  }
  case CELL_RELAY_EARLY:
    circuit_protocol_error(c, "inbound RELAY_EARLY cell");
    return;
  default:
    circuit_protocol_error(c, "unexpected cell command %u", cell->command);
    return;
  }
}

/* ---- accessors ---- */

circuit_state_t
circuit_get_state(const circuit_t *c)
{
  return c->state;
}

int
circuit_is_open(const circuit_t *c)
{
  return c->state == CIRCUIT_STATE_OPEN && !c->marked;
}

int
circuit_n_hops_built(const circuit_t *c)
{
  return c->n_built;
}

int
circuit_n_hops(const circuit_t *c)
{
  return c->n_hops;
}

channel_t *
circuit_get_channel(const circuit_t *c)
{
  return c->marked ? NULL : c->chan;
}

uint32_t
circuit_get_id(const circuit_t *c)
{
  return c->circ_id;
}

time_t
circuit_dirty_since(const circuit_t *c)
{
  return c->dirty_since;
}

int
circuit_n_streams(const circuit_t *c)
{
  return c->n_streams;
}

size_t
circuit_queued_cells(const circuit_t *c)
{
  return c->q_len;
}

uint8_t
circuit_close_reason(const circuit_t *c)
{
  return c->close_reason;
}

int
circuit_close_is_remote(const circuit_t *c)
{
  return c->close_remote;
}

const char *
circuit_close_message(const circuit_t *c)
{
  return c->close_msg;
}

void
circuit_set_callback(circuit_t *c, circuit_cb_t cb, void *arg)
{
  c->cb = cb;
  c->arg = arg;
}
