/* circuit_mux.c — each channel's circuits, their cell queues and the fair
 * scheduler that moves cells into the channel's outbuf (design.md §2), plus
 * the global queue accounting and its OOM handler.
 *
 * Every cell a circuit sends (already encrypted) joins that circuit's FIFO.
 * A circuit with queued cells is on its channel's ring of active circuits;
 * the scheduler takes one cell from the head circuit, moves it to the tail,
 * and repeats while the channel's outbuf is under CONN_WRITE_HIGHWAT, so no
 * circuit starves another.  It runs after each queued cell and whenever the
 * channel's outbuf drains (flushed_some).  When a circuit's queue falls to
 * CIRCUIT_QUEUE_LOWWAT the edges it blocked may read again. */
#include "or/circuit_st.h"

#include <string.h>

#include "lib/alloc.h"
#include "lib/log.h"
#include "proto/circ_cells.h"

/* ---- the mux of a channel ---- */

static void
mux_flushed_cb(channel_t *ch, void *arg)
{
  (void)ch;
  circuit_mux_flush(arg);
}

static void
mux_unlink(circ_mux_t *mux)
{
  for (circ_mux_t **pp = &mux->ctx->muxes; *pp; pp = &(*pp)->next) {
    if (*pp == mux) {
      *pp = mux->next;
      return;
    }
  }
}

/* The channel is going away: every circuit on it closes (remotely: we can
 * send nothing more), then the mux goes. */
static void
mux_closed_cb(channel_t *ch, void *arg)
{
  (void)ch;
  circ_mux_t *mux = arg;
  while (mux->circs) {
    circuit_t *c = mux->circs;
    if (!c->marked)
      circuit_mark_for_close(c, DESTROY_REASON_CHANNEL_CLOSED, 1, "channel closed");
    else
      circuit_mux_detach(c);
  }
  mux_unlink(mux);
  x_free(mux);
}

circ_mux_t *
circuit_mux_get(circuit_ctx_t *ctx, channel_t *ch)
{
  for (circ_mux_t *m = ctx->muxes; m; m = m->next)
    if (m->ch == ch)
      return m;
  circ_mux_t *m = x_calloc(1, sizeof(*m));
  m->ctx = ctx;
  m->ch = ch;
  m->next = ctx->muxes;
  ctx->muxes = m;
  channel_set_cell_handler(ch, circuit_chan_cell, m);
  channel_set_mux_hooks(ch, mux_flushed_cb, mux_closed_cb, m);
  return m;
}

void
circuit_mux_free_all(circuit_ctx_t *ctx)
{
  while (ctx->muxes) {
    circ_mux_t *m = ctx->muxes;
    ctx->muxes = m->next;
    while (m->circs)
      circuit_mux_detach(m->circs);
    channel_set_cell_handler(m->ch, NULL, NULL);
    channel_set_mux_hooks(m->ch, NULL, NULL, NULL);
    x_free(m);
  }
}

static int
id_in_use(void *arg, uint32_t id)
{
  return circuit_mux_find(arg, id) != NULL;
}

void
circuit_mux_attach(circ_mux_t *mux, circuit_t *c)
{
  c->mux = mux;
  c->circ_id = channel_alloc_circ_id(mux->ch, id_in_use, mux);
  c->mux_prev = NULL;
  c->mux_next = mux->circs;
  if (!mux->circs)
    channel_set_idle_timeout(mux->ch, 0); /* a channel with circuits is not idle */
  if (mux->circs)
    mux->circs->mux_prev = c;
  mux->circs = c;
}

circuit_t *
circuit_mux_find(circ_mux_t *mux, uint32_t id)
{
  for (circuit_t *c = mux->circs; c; c = c->mux_next)
    if (c->circ_id == id)
      return c;
  return NULL;
}

/* ---- the ring of active circuits ---- */

static void
ring_add(circ_mux_t *mux, circuit_t *c)
{
  if (c->active)
    return;
  c->active = 1;
  if (!mux->active_tail) {
    c->active_next = c;
  } else {
    c->active_next = mux->active_tail->active_next;
    mux->active_tail->active_next = c;
  }
  mux->active_tail = c;
}

static void
ring_remove(circ_mux_t *mux, circuit_t *c)
{
  if (!c->active)
    return;
  c->active = 0;
  if (c->active_next == c) {
    mux->active_tail = NULL;
  } else {
    circuit_t *p = c;
    while (p->active_next != c)
      p = p->active_next;
    p->active_next = c->active_next;
    if (mux->active_tail == c)
      mux->active_tail = p;
  }
  c->active_next = NULL;
}

static void
queue_clear(circuit_t *c)
{
  while (c->q_head) {
    cellq_node_t *n = c->q_head;
    c->q_head = n->next;
    x_free(n);
    c->ctx->queued_bytes -= CELLQ_NODE_BYTES;
  }
  c->q_tail = NULL;
  c->q_len = 0;
}

void
circuit_mux_detach(circuit_t *c)
{
  circ_mux_t *mux = c->mux;
  if (!mux)
    return;
  ring_remove(mux, c);
  queue_clear(c);
  if (c->mux_prev)
    c->mux_prev->mux_next = c->mux_next;
  else
    mux->circs = c->mux_next;
  if (c->mux_next)
    c->mux_next->mux_prev = c->mux_prev;
  c->mux_next = c->mux_prev = NULL;
  c->mux = NULL;
  /* the last circuit gone: the channel closes if it stays idle (chanmgr.h) */
  if (!mux->circs && channel_get_state(mux->ch) == CHANNEL_STATE_OPEN)
    channel_set_idle_timeout(mux->ch, CHANNEL_IDLE_TIMEOUT);
}

void
circuit_mux_queue_cell(circuit_t *c, const cell_t *cell)
{
  circ_mux_t *mux = c->mux;
  if (!mux)
    return;
  /* Fast path: nothing waits anywhere on this channel and its outbuf has
   * room, so the round robin would send this cell right now. */
  if (!mux->active_tail && !mux->flushing && !c->ctx->sched_paused &&
      channel_get_state(mux->ch) == CHANNEL_STATE_OPEN &&
      !conn_outbuf_is_full(channel_to_conn(mux->ch))) {
    channel_send_cell(mux->ch, cell);
    return;
  }
  cellq_node_t *n = x_malloc(sizeof(*n));
  n->next = NULL;
  n->cell = *cell;
  if (c->q_tail)
    c->q_tail->next = n;
  else
    c->q_head = n;
  c->q_tail = n;
  c->q_len++;
  c->ctx->queued_bytes += CELLQ_NODE_BYTES;
  if (c->ctx->queued_bytes > c->ctx->max_mem)
    mtimer_schedule(c->ctx->sweep_timer, 0); /* the sweep runs the OOM handler */
  ring_add(c->mux, c);
  circuit_mux_flush(c->mux);
}

/* Let the edges of circuits whose queue drained read again.  A resumed
 * edge may queue cells (and flush) or close circuits, so rescan each time. */
static void
resume_drained(circ_mux_t *mux)
{
  for (;;) {
    circuit_t *c = mux->circs;
    while (c && !(c->edges_blocked && c->q_len <= CIRCUIT_QUEUE_LOWWAT && !c->marked))
      c = c->mux_next;
    if (!c)
      return;
    c->edges_blocked = 0;
    stream_circuit_resume(c);
  }
}

void
circuit_mux_flush(circ_mux_t *mux)
{
  if (mux->flushing || mux->ctx->sched_paused)
    return;
  mux->flushing = 1;
  conn_t *conn = channel_to_conn(mux->ch);
  int any_drained = 0;
  while (mux->active_tail && channel_get_state(mux->ch) == CHANNEL_STATE_OPEN &&
         !conn_outbuf_is_full(conn)) {
    circuit_t *c = mux->active_tail->active_next;
    cellq_node_t *n = c->q_head;
    c->q_head = n->next;
    if (!c->q_head)
      c->q_tail = NULL;
    c->q_len--;
    mux->ctx->queued_bytes -= CELLQ_NODE_BYTES;
    channel_send_cell(mux->ch, &n->cell);
    x_free(n);
    if (c->edges_blocked && c->q_len <= CIRCUIT_QUEUE_LOWWAT)
      any_drained = 1;
    if (c->q_len == 0)
      ring_remove(mux, c);
    else
      mux->active_tail = c; /* round robin: the next circuit goes first */
  }
  mux->flushing = 0;
  if (any_drained)
    resume_drained(mux);
}

/* ---- out of memory ---- */

void
circuit_mux_handle_oom(circuit_ctx_t *ctx)
{
  size_t before = ctx->queued_bytes;
  unsigned closed = 0;
  while (ctx->queued_bytes > ctx->max_mem) {
    circuit_t *worst = NULL;
    for (circuit_t *c = ctx->all; c; c = c->all_next)
      if (!c->marked && c->q_len > 0 && (!worst || c->q_len > worst->q_len))
        worst = c;
    if (!worst)
      break;
    circuit_mark_for_close(worst, DESTROY_REASON_RESOURCELIMIT, 0,
                           "out of memory for queued cells");
    ctx->n_oom_closed++;
    closed++;
  }
  log_notice(LD_CIRC, "queued cells took %zu bytes (limit %zu): closed %u circuit(s), now %zu",
             before, ctx->max_mem, closed, ctx->queued_bytes);
}
