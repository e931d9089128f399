/* test_circuit.c — client circuits and streams (src/or/circuit*.c, stream.c,
 * chanmgr.c) against a fake path (fakerelay.c) that plays every hop with the
 * library's server pieces over a real TLS channel on 127.0.0.1. */
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "core/conn.h"
#include "core/tls.h"
#include "fakerelay.h"
#include "lib/alloc.h"
#include "lib/log.h"
#include "or/chanmgr.h"
#include "or/channel_st.h"
#include "or/circuit.h"
#include "or/circuit_st.h"
#include "or/stream.h"
#include "proto/circ_cells.h"
#include "proto/relay_stream.h"
#include "testutil.h"

/* ---- fixture ---- */

typedef struct circ_obs_t {
  circuit_t *c;
  int built, failed, closed;
  uint8_t reason;
  int remote;
} circ_obs_t;

typedef struct edge_t {
  conn_t base;
  stream_t *s;
} edge_t;

typedef struct app_t {
  conn_t base;
  struct evbuffer *got;
  int eof;
} app_t;

typedef struct sobs_t {
  stream_t *s;
  edge_t *edge;
  app_t *app;
  int connected, ended, resolved;
  int close_in_cb;   /**< call stream_close() from inside the END callback */
  stream_info_t info;
  netaddr_t resolved_addr;
} sobs_t;

static mainloop_t *ml;
static tls_ctx_t *ctls;
static chanmgr_t *cm;
static circuit_ctx_t *cc;
static fake_relay_t *fr;
/* the application ends of the streams' socket pairs, until they close: the
 * teardown closes those a case left open */
#define MAX_APPS 16
static conn_t *apps[MAX_APPS];

static void
setup(void)
{
  ml = mainloop_new();
  ck_assert_ptr_nonnull(ml);
  fr = fake_relay_new(ml);
  ctls = tls_ctx_new_client();
  cm = chanmgr_new(ml, ctls);
  cc = circuit_ctx_new(ml, cm);
}

static int
cond_no_conns(void *arg)
{
  return mainloop_n_conns(arg) == 0;
}

static void
teardown(void)
{
  circuit_ctx_free(cc);
  chanmgr_free(cm);
  fake_relay_stop(fr);
  for (int i = 0; i < MAX_APPS; i++)
    if (apps[i])
      conn_mark_for_close(apps[i]);
  /* the closing channels (both ends) and the apps go before the loop is freed */
  ck_assert(mainloop_run_until(ml, cond_no_conns, ml, 5));
  mainloop_free(ml);
  fake_relay_free(fr);
  tls_ctx_free(ctls);
}

static void
circ_cb(circuit_t *c, circuit_event_t ev, void *arg)
{
  circ_obs_t *o = arg;
  if (ev == CIRCUIT_EV_BUILT) {
    o->built++;
    return;
  }
  if (ev == CIRCUIT_EV_FAILED)
    o->failed++;
  else
    o->closed++;
  o->reason = circuit_close_reason(c);
  o->remote = circuit_close_is_remote(c);
  o->c = NULL;
}

static int
cond_circ_done(void *arg)
{
  circ_obs_t *o = arg;
  return o->built || o->failed || o->closed;
}

static int
cond_circ_gone(void *arg)
{
  circ_obs_t *o = arg;
  return o->failed || o->closed;
}

static circuit_t *
build(circ_obs_t *o, int n_hops)
{
  circ_hop_t path[FR_MAX_HOPS];
  fake_relay_path(fr, path, n_hops);
  memset(o, 0, sizeof(*o));
  o->c = circuit_launch(cc, path, n_hops, circ_cb, o);
  ck_assert_ptr_nonnull(o->c);
  ck_assert(mainloop_run_until(ml, cond_circ_done, o, 20));
  ck_assert_int_eq(o->built, 1);
  ck_assert(circuit_is_open(o->c));
  return o->c;
}

/* the edge forwards its events to the stream; the app collects bytes */
static void edge_inbuf(conn_t *c) { stream_edge_readable(((edge_t *)c)->s); }
static void edge_flushed(conn_t *c) { stream_edge_flushed_some(((edge_t *)c)->s); }
static void edge_eof(conn_t *c) { stream_edge_eof(((edge_t *)c)->s); }
static int n_edges_closed;
static void
edge_close(conn_t *c)
{
  edge_t *e = (edge_t *)c;
  stream_edge_closed(e->s);
  e->s = NULL;
  n_edges_closed++;
}

static int
cond_edges_closed(void *arg)
{
  return n_edges_closed >= *(int *)arg;
}

/* Close the test's edge and wait until it is gone (its stream detached), so
 * nothing refers to the test's stack afterwards. */
static void
close_edge(sobs_t *o)
{
  int want = n_edges_closed + 1;
  o->edge->s = NULL;
  stream_edge_closed(o->s);
  o->s = NULL;
  conn_mark_for_close(&o->edge->base);
  ck_assert(mainloop_run_until(ml, cond_edges_closed, &want, 5));
}
static const conn_ops_t edge_ops = {
  .name = "test-edge", .process_inbuf = edge_inbuf, .flushed_some = edge_flushed,
  .reached_eof = edge_eof, .about_to_close = edge_close,
};
static void
app_inbuf(conn_t *c)
{
  app_t *a = (app_t *)c;
  evbuffer_add_buffer(a->got, conn_inbuf(c));
}
static void
app_eof(conn_t *c)
{
  ((app_t *)c)->eof = 1;
}
static void
app_close(conn_t *c)
{
  evbuffer_free(((app_t *)c)->got);
  for (int i = 0; i < MAX_APPS; i++)
    if (apps[i] == c)
      apps[i] = NULL;
}
static const conn_ops_t app_ops = {
  .name = "test-app", .process_inbuf = app_inbuf, .reached_eof = app_eof,
  .about_to_close = app_close,
};

static void
stream_cb(stream_t *s, stream_event_t ev, const stream_info_t *info, void *arg)
{
  (void)s;
  sobs_t *o = arg;
  o->info = *info;
  if (ev == STREAM_EV_CONNECTED) {
    o->connected++;
    return;
  }
  if (ev == STREAM_EV_RESOLVED) {
    o->resolved++;
    if (info->resolved->n_answers)
      o->resolved_addr = info->resolved->answers[0].addr;
  } else {
    o->ended++;
    if (o->close_in_cb)
      stream_close(s, END_REASON_MISC); /* must be harmless: the stream is done */
  }
  o->s = NULL;
  if (o->edge)
    o->edge->s = NULL;
}

/* A socket pair: the edge end for the stream, the application end for the
 * test (closed by the teardown if a case leaves it open). */
static void
new_pair(sobs_t *o)
{
  conn_t *a, *b;
  memset(o, 0, sizeof(*o));
  ck_assert_int_eq(conn_new_socketpair(ml, &edge_ops, sizeof(edge_t), &app_ops, sizeof(app_t),
                                       &a, &b), 0);
  o->edge = (edge_t *)a;
  o->app = (app_t *)b;
  o->app->got = evbuffer_new();
  int slot = 0;
  while (slot < MAX_APPS && apps[slot])
    slot++;
  ck_assert_int_lt(slot, MAX_APPS);
  apps[slot] = b;
}

static void
open_stream(sobs_t *o, circuit_t *c)
{
  new_pair(o);
  o->s = stream_begin(c, &o->edge->base, "example.com", 80, 0, stream_cb, o);
  ck_assert_ptr_nonnull(o->s);
  o->edge->s = o->s;
}

static int
cond_connected(void *arg)
{
  sobs_t *o = arg;
  return o->connected || o->ended;
}

static int
cond_fc_destroyed(void *arg)
{
  return ((fcirc_t *)arg)->destroyed;
}

static int
cond_fc_ended(void *arg)
{
  return ((fcirc_t *)arg)->ends_in > 0;
}

static int
cond_stream_ended(void *arg)
{
  return ((sobs_t *)arg)->ended || ((sobs_t *)arg)->resolved;
}

/* ---- tests ---- */

START_TEST(test_build_three_hops)
{
  circ_obs_t o;
  circuit_t *c = build(&o, 3);
  fcirc_t *fc = fake_relay_find(fr, circuit_get_id(c));
  ck_assert_ptr_nonnull(fc);
  ck_assert(circuit_get_id(c) & 0x80000000u);
  ck_assert_int_eq(fc->n_built, 3);
  /* both EXTEND2 cells came as RELAY_EARLY, with IPv4, RSA and Ed25519 specifiers */
  ck_assert_int_eq(fc->n_extend2, 2);
  ck_assert_int_eq(fc->n_extend2_early, 2);
  ck_assert(fc->ext_had_ipv4 && fc->ext_had_rsa && fc->ext_had_ed);
  ck_assert_int_eq(fc->n_unrecognized, 0);
  ck_assert_int_eq(circuit_dirty_since(c), 0);
  /* a channel that carries circuits never idles out */
  channel_t *ch = circuit_get_channel(c);
  ck_assert(ch->idle_timeout <= 0);
  /* our close sends DESTROY; the owner hears CLOSED (local) */
  circuit_close(c);
  ck_assert(mainloop_run_until(ml, cond_circ_gone, &o, 5));
  ck_assert_int_eq(o.closed, 1);
  ck_assert_int_eq(o.remote, 0);
  ck_assert(ch->idle_timeout == CHANNEL_IDLE_TIMEOUT);
  ck_assert(mainloop_run_until(ml, cond_fc_destroyed, fc, 5));
}
END_TEST

static void
pattern(uint8_t *buf, size_t n, size_t off)
{
  for (size_t i = 0; i < n; i++)
    buf[i] = (uint8_t)(((off + i) * 131u) ^ ((off + i) >> 9));
}

static void
app_send(sobs_t *o, size_t n)
{
  uint8_t *buf = x_malloc(n);
  pattern(buf, n, 0);
  conn_write(&o->app->base, buf, n);
  x_free(buf);
}

typedef struct want_t {
  struct evbuffer *buf;
  size_t n;
} want_t;

static int
cond_have(void *arg)
{
  want_t *w = arg;
  return evbuffer_get_length(w->buf) >= w->n;
}

static void
check_pattern(struct evbuffer *b, size_t n)
{
  ck_assert_uint_eq(evbuffer_get_length(b), n);
  uint8_t *want = x_malloc(n);
  pattern(want, n, 0);
  ck_assert(memcmp(evbuffer_pullup(b, -1), want, n) == 0);
  x_free(want);
}

static void
wait_connected(sobs_t *so)
{
  ck_assert(mainloop_run_until(ml, cond_connected, so, 10));
  ck_assert_int_eq(so->connected, 1);
}

/* 600 KB each way through the fake exit's echo: more than a stream window
 * (500 cells) and a circuit window (1000 cells), so both kinds of SENDME
 * flow both ways and the fake checks every v1 tag we send. */

typedef struct echo_sendmes_t {
  fcirc_t *fc;
  int cells;
} echo_sendmes_t;

/* The fake has received the circuit and stream SENDMEs that cells DATA cells call for. */
static int
cond_echo_sendmes(void *arg)
{
  echo_sendmes_t *e = arg;
  return e->fc->sendme_ok >= e->cells / 100 - 1 && e->fc->stream_sendmes >= e->cells / 50 - 2;
}

START_TEST(test_stream_echo)
{
  circ_obs_t o;
  sobs_t so;
  fr->echo = fr->auto_circ_sendme = fr->auto_stream_sendme = 1;
  circuit_t *c = build(&o, 3);
  open_stream(&so, c);
  ck_assert(circuit_dirty_since(c) != 0);
  ck_assert_int_eq(circuit_n_streams(c), 1);
  wait_connected(&so);
  char a[64];
  ck_assert_str_eq(netaddr_format(&so.info.addr, a, sizeof(a)), "127.0.0.1");
  ck_assert_int_eq(so.info.ttl, 300);
  fcirc_t *fc = fake_relay_find(fr, circuit_get_id(c));
  ck_assert_str_eq(fc->begin_host, "example.com");
  ck_assert_int_eq(fc->begin_port, 80);
  const size_t n = 600 * 1000;
  app_send(&so, n);
  want_t w = { so.app->got, n };
  ck_assert(mainloop_run_until(ml, cond_have, &w, 60));
  check_pattern(so.app->got, n);
  check_pattern(fc->data_in, n);
  int cells = fc->data_cells_in;
  ck_assert_int_ge(cells, (int)(n / 498));
  /* the fake checked our circuit SENDMEs' tags (the last ones may still be in
   * flight when the application has everything: wait for them) */
  echo_sendmes_t es = { fc, cells };
  ck_assert(mainloop_run_until(ml, cond_echo_sendmes, &es, 30));
  ck_assert_int_eq(fc->sendme_bad, 0);
  ck_assert_int_eq(fc->sendme_v0, 0);
  ck_assert_int_ge(fc->sendme_ok, cells / 100 - 1);
  ck_assert_int_ge(fc->stream_sendmes, cells / 50 - 2);
  /* RELAY_EARLY: 2 EXTEND2, then 6 more non-first-hop cells, then RELAY */
  ck_assert_int_eq(fc->n_relay_early, CIRCUIT_MAX_RELAY_EARLY);
  ck_assert_int_eq(fc->n_unrecognized, 0);
  /* the application closes: we send END DONE and the stream ends (local) */
  conn_mark_for_close(&so.app->base);
  ck_assert(mainloop_run_until(ml, cond_stream_ended, &so, 5));
  ck_assert_int_eq(so.info.remote, 0);
  ck_assert_int_eq(so.info.end_reason, END_REASON_DONE);
  ck_assert(so.info.was_connected);
  close_edge(&so);
  ck_assert(circuit_is_open(c));
  ck_assert(mainloop_run_until(ml, cond_fc_ended, fc, 5));
  ck_assert_int_eq(fc->ends_in, 1);
  ck_assert_int_eq(fc->end_reason, END_REASON_DONE);
  ck_assert_int_eq(circuit_n_streams(c), 0);
}
END_TEST

static int
cond_cells(void *arg)
{
  int *p = arg;
  return fr->n_order >= *p;
}

/* A circuit SENDME with a wrong v1 tag closes the circuit (PROTOCOL) and its
 * stream ends with DESTROY. */
START_TEST(test_sendme_wrong_tag)
{
  circ_obs_t o;
  sobs_t so;
  fr->auto_circ_sendme = fr->auto_stream_sendme = 1;
  fr->bad_tag = 1;
  circuit_t *c = build(&o, 3);
  fcirc_t *fc = fake_relay_find(fr, circuit_get_id(c));
  open_stream(&so, c);
  wait_connected(&so);
  app_send(&so, 120 * 498);
  ck_assert(mainloop_run_until(ml, cond_circ_gone, &o, 10));
  ck_assert_int_eq(o.closed, 1);
  ck_assert_int_eq(o.reason, DESTROY_REASON_PROTOCOL);
  ck_assert_int_eq(o.remote, 0);
  ck_assert_int_eq(so.ended, 1);
  ck_assert_int_eq(so.info.end_reason, END_REASON_DESTROY);
  ck_assert(mainloop_run_until(ml, cond_fc_destroyed, fc, 5));
  close_edge(&so);
}
END_TEST

/* A circuit SENDME when we sent no DATA is unexpected: the circuit closes. */
START_TEST(test_sendme_unexpected)
{
  circ_obs_t o;
  circuit_t *c = build(&o, 3);
  fcirc_t *fc = fake_relay_find(fr, circuit_get_id(c));
  fake_relay_send_circ_sendme(fr, fc, 0);
  ck_assert(mainloop_run_until(ml, cond_circ_gone, &o, 10));
  ck_assert_int_eq(o.reason, DESTROY_REASON_PROTOCOL);
}
END_TEST

/* Windows: with no SENDMEs from the exit the edge stops reading after
 * exactly 500 DATA cells (stream window) and resumes on a stream SENDME (50
 * more); with stream SENDMEs only, it stops at 1000 (circuit window) and
 * resumes on a circuit SENDME carrying the right tag. */
START_TEST(test_windows_block_edge)
{
  circ_obs_t o;
  sobs_t so;
  circuit_t *c = build(&o, 3);
  fcirc_t *fc = fake_relay_find(fr, circuit_get_id(c));
  open_stream(&so, c);
  wait_connected(&so);
  app_send(&so, 1200 * 498);
  int want = 500;
  ck_assert(mainloop_run_until(ml, cond_cells, &want, 10));
  want = 501;
  ck_assert(!mainloop_run_until(ml, cond_cells, &want, 0.3));
  ck_assert_int_eq(fc->data_cells_in, 500);
  ck_assert_int_eq(stream_package_window(so.s), 0);
  ck_assert(!conn_is_reading(&so.edge->base));
  fake_relay_send(fr, fc, 2, RELAY_COMMAND_SENDME, fc->stream_id, NULL, 0);
  want = 550;
  ck_assert(mainloop_run_until(ml, cond_cells, &want, 10));
  want = 551;
  ck_assert(!mainloop_run_until(ml, cond_cells, &want, 0.3));
  ck_assert_int_eq(fc->data_cells_in, 550);
  /* now let the stream window follow: the circuit window (1000) stops it */
  fr->auto_stream_sendme = 1;
  for (int i = 0; i < 10; i++)
    fake_relay_send(fr, fc, 2, RELAY_COMMAND_SENDME, fc->stream_id, NULL, 0);
  fc->deliver_stream += 550; /* our 11 SENDMEs answered 550 cells */
  want = 1000;
  ck_assert(mainloop_run_until(ml, cond_cells, &want, 10));
  want = 1001;
  ck_assert(!mainloop_run_until(ml, cond_cells, &want, 0.3));
  ck_assert_int_eq(fc->data_cells_in, 1000);
  ck_assert_int_eq(circuit_package_window(c, -1), 0);
  ck_assert(!conn_is_reading(&so.edge->base));
  fake_relay_send_circ_sendme(fr, fc, 0);
  want = 1100;
  ck_assert(mainloop_run_until(ml, cond_cells, &want, 10));
  want = 1101;
  ck_assert(!mainloop_run_until(ml, cond_cells, &want, 0.3));
  ck_assert_int_eq(fc->data_cells_in, 1100);
  ck_assert(circuit_is_open(c));
  close_edge(&so);
}
END_TEST

typedef struct two_t {
  circuit_t *a, *b;
} two_t;

static int
cond_both_queued(void *arg)
{
  two_t *t = arg;
  return circuit_queued_cells(t->a) >= CIRCUIT_QUEUE_HIGHWAT &&
         circuit_queued_cells(t->b) >= CIRCUIT_QUEUE_HIGHWAT;
}

/* Two circuits on one channel (chanmgr reuses it) with full queues: the
 * scheduler alternates between them cell by cell, and every byte arrives. */
START_TEST(test_scheduler_fairness)
{
  circ_obs_t oa, ob;
  sobs_t sa, sb;
  fr->auto_circ_sendme = fr->auto_stream_sendme = 1;
  circuit_t *a = build(&oa, 3);
  circuit_t *b = build(&ob, 3);
  ck_assert_uint_eq(chanmgr_n_launched(cm), 1);
  ck_assert_ptr_eq(circuit_get_channel(a), circuit_get_channel(b));
  ck_assert_uint_ne(circuit_get_id(a), circuit_get_id(b));
  open_stream(&sa, a);
  open_stream(&sb, b);
  wait_connected(&sa);
  wait_connected(&sb);
  cc->sched_paused = 1;
  const size_t n = 200 * 1000;
  app_send(&sa, n);
  app_send(&sb, n);
  two_t t = { a, b };
  ck_assert(mainloop_run_until(ml, cond_both_queued, &t, 10));
  ck_assert(!conn_is_reading(&sa.edge->base));
  ck_assert(!conn_is_reading(&sb.edge->base));
  ck_assert_uint_eq(circuit_ctx_queued_bytes(cc),
                    (circuit_queued_cells(a) + circuit_queued_cells(b)) * CELLQ_NODE_BYTES);
  fr->n_order = 0;
  cc->sched_paused = 0;
  circuit_mux_flush(a->mux);
  fcirc_t *fa = fake_relay_find(fr, circuit_get_id(a));
  fcirc_t *fb = fake_relay_find(fr, circuit_get_id(b));
  want_t wa = { fa->data_in, n }, wb = { fb->data_in, n };
  ck_assert(mainloop_run_until(ml, cond_have, &wa, 30));
  ck_assert(mainloop_run_until(ml, cond_have, &wb, 30));
  check_pattern(fa->data_in, n);
  check_pattern(fb->data_in, n);
  /* the first 2 * 256 cells after the pause strictly alternate */
  ck_assert_int_ge(fr->n_order, 2 * CIRCUIT_QUEUE_HIGHWAT);
  int na = 0, nb = 0;
  for (int i = 0; i < 2 * CIRCUIT_QUEUE_HIGHWAT; i++) {
    na += fr->order[i] == fa->id;
    nb += fr->order[i] == fb->id;
    if (i)
      ck_assert_uint_ne(fr->order[i], fr->order[i - 1]);
  }
  ck_assert_int_eq(na, CIRCUIT_QUEUE_HIGHWAT);
  ck_assert_int_eq(nb, CIRCUIT_QUEUE_HIGHWAT);
  close_edge(&sa);
  close_edge(&sb);
}
END_TEST

static int
cond_queued_30(void *arg)
{
  return circuit_queued_cells(arg) >= 30;
}

/* Past max_mem the circuit holding the most queued cells is closed first
 * (RESOURCELIMIT); the other one lives on and its cells still go out. */
START_TEST(test_oom_closes_biggest)
{
  circ_obs_t oa, ob;
  sobs_t sa, sb;
  fr->auto_circ_sendme = fr->auto_stream_sendme = 1;
  circuit_t *a = build(&oa, 3);
  circuit_t *b = build(&ob, 3);
  open_stream(&sa, a);
  open_stream(&sb, b);
  wait_connected(&sa);
  wait_connected(&sb);
  circuit_ctx_set_max_mem(cc, 100 * CELLQ_NODE_BYTES);
  cc->sched_paused = 1;
  app_send(&sb, 30 * 498);
  ck_assert(mainloop_run_until(ml, cond_queued_30, b, 10));
  app_send(&sa, 200 * 1000);
  ck_assert(mainloop_run_until(ml, cond_circ_gone, &oa, 10));
  ck_assert_int_eq(oa.closed, 1);
  ck_assert_int_eq(oa.reason, DESTROY_REASON_RESOURCELIMIT);
  ck_assert_int_eq(sa.ended, 1);
  ck_assert(circuit_is_open(b));
  ck_assert_uint_eq(circuit_ctx_n_oom_closed(cc), 1);
  /* (the app's bytes may come in reads that are not multiples of 498) */
  ck_assert_uint_ge(circuit_queued_cells(b), 30);
  ck_assert_uint_eq(circuit_ctx_queued_bytes(cc), circuit_queued_cells(b) * CELLQ_NODE_BYTES);
  cc->sched_paused = 0;
  circuit_mux_flush(b->mux);
  fcirc_t *fb = fake_relay_find(fr, circuit_get_id(b));
  want_t wb = { fb->data_in, 30 * 498 };
  ck_assert(mainloop_run_until(ml, cond_have, &wb, 10));
  check_pattern(fb->data_in, 30 * 498);
  close_edge(&sa);
  close_edge(&sb);
}
END_TEST

/* DESTROY from the relay: the circuit closes (remote, with its reason) and
 * its stream ends with DESTROY. */
START_TEST(test_destroy_remote)
{
  circ_obs_t o;
  sobs_t so;
  circuit_t *c = build(&o, 3);
  open_stream(&so, c);
  wait_connected(&so);
  fake_relay_destroy(fr, fake_relay_find(fr, circuit_get_id(c)), DESTROY_REASON_OR_IDENTITY);
  ck_assert(mainloop_run_until(ml, cond_circ_gone, &o, 10));
  ck_assert_int_eq(o.closed, 1);
  ck_assert_int_eq(o.remote, 1);
  ck_assert_int_eq(o.reason, DESTROY_REASON_OR_IDENTITY);
  ck_assert_int_eq(so.ended, 1);
  ck_assert_int_eq(so.info.end_reason, END_REASON_DESTROY);
  ck_assert_int_eq(so.info.remote, 1);
  close_edge(&so);
}
END_TEST

/* TRUNCATED from a middle hop tears the whole circuit down. */
START_TEST(test_truncated)
{
  circ_obs_t o;
  circuit_t *c = build(&o, 3);
  fcirc_t *fc = fake_relay_find(fr, circuit_get_id(c));
  uint8_t r = DESTROY_REASON_CONNECTFAILED;
  fake_relay_send(fr, fc, 1, RELAY_COMMAND_TRUNCATED, 0, &r, 1);
  ck_assert(mainloop_run_until(ml, cond_circ_gone, &o, 10));
  ck_assert_int_eq(o.remote, 1);
  ck_assert_int_eq(o.reason, DESTROY_REASON_CONNECTFAILED);
}
END_TEST

/* The exit's END after CONNECTED ends the stream (remote, DONE); the circuit stays. */
START_TEST(test_end_from_exit)
{
  circ_obs_t o;
  sobs_t so;
  fr->end_after_connected = 1;
  circuit_t *c = build(&o, 3);
  open_stream(&so, c);
  so.close_in_cb = 1;
  ck_assert(mainloop_run_until(ml, cond_stream_ended, &so, 10));
  ck_assert_int_eq(so.connected, 1);
  ck_assert_int_eq(so.ended, 1);
  ck_assert_int_eq(so.info.remote, 1);
  ck_assert_int_eq(so.info.end_reason, END_REASON_DONE);
  ck_assert(so.info.was_connected);
  ck_assert(circuit_is_open(c));
  close_edge(&so);
}
END_TEST

/* One-hop circuit, BEGIN_DIR, bytes both ways. */
START_TEST(test_begin_dir_one_hop)
{
  circ_obs_t o;
  sobs_t so;
  fr->echo = 1;
  circuit_t *c = build(&o, 1);
  new_pair(&so);
  so.s = so.edge->s = stream_begin_dir(c, &so.edge->base, stream_cb, &so);
  ck_assert_ptr_nonnull(so.s);
  wait_connected(&so);
  fcirc_t *fc = fake_relay_find(fr, circuit_get_id(c));
  ck_assert(fc->begin_dir);
  app_send(&so, 5000);
  want_t w = { so.app->got, 5000 };
  ck_assert(mainloop_run_until(ml, cond_have, &w, 10));
  check_pattern(so.app->got, 5000);
  /* a one-hop circuit never uses RELAY_EARLY */
  ck_assert_int_eq(fc->n_relay_early, 0);
  close_edge(&so);
}
END_TEST

START_TEST(test_resolve)
{
  circ_obs_t o;
  sobs_t so;
  circuit_t *c = build(&o, 3);
  memset(&so, 0, sizeof(so));
  so.s = stream_resolve(c, "example.com", stream_cb, &so);
  ck_assert_ptr_nonnull(so.s);
  ck_assert(mainloop_run_until(ml, cond_stream_ended, &so, 10));
  ck_assert_int_eq(so.resolved, 1);
  char a[64];
  ck_assert_str_eq(netaddr_format(&so.resolved_addr, a, sizeof(a)), "10.1.2.3");
  ck_assert_int_eq(circuit_n_streams(c), 0);
}
END_TEST

/* The channel closing closes every circuit on it (remote, CHANNEL_CLOSED). */
START_TEST(test_channel_close)
{
  circ_obs_t oa, ob;
  build(&oa, 3);
  build(&ob, 2);
  channel_close(fr->ch, "test");
  ck_assert(mainloop_run_until(ml, cond_circ_gone, &oa, 10));
  ck_assert(mainloop_run_until(ml, cond_circ_gone, &ob, 10));
  ck_assert_int_eq(oa.closed + ob.closed, 2);
  ck_assert_int_eq(oa.reason, DESTROY_REASON_CHANNEL_CLOSED);
  ck_assert_int_eq(oa.remote, 1);
  ck_assert_int_eq(circuit_ctx_n_circuits(cc), 0);
}
END_TEST

/* A hop that never answers EXTEND2: the build times out (FAILED, TIMEOUT). */
START_TEST(test_build_timeout)
{
  circuit_params_t p;
  circuit_params_default(&p);
  p.build_timeout = 0.5;
  circuit_ctx_set_params(cc, &p);
  fr->no_extend = 1;
  circ_hop_t path[3];
  fake_relay_path(fr, path, 3);
  circ_obs_t o;
  memset(&o, 0, sizeof(o));
  o.c = circuit_launch(cc, path, 3, circ_cb, &o);
  ck_assert(mainloop_run_until(ml, cond_circ_gone, &o, 10));
  ck_assert_int_eq(o.failed, 1);
  ck_assert_int_eq(o.reason, DESTROY_REASON_TIMEOUT);
}
END_TEST

/* No channel: the first hop refuses connections. */
START_TEST(test_no_channel)
{
  circ_hop_t path[1];
  fake_relay_path(fr, path, 1);
  fake_relay_stop(fr); /* no listener any more */
  circ_obs_t o;
  memset(&o, 0, sizeof(o));
  o.c = circuit_launch(cc, path, 1, circ_cb, &o);
  ck_assert_ptr_nonnull(o.c);
  ck_assert(mainloop_run_until(ml, cond_circ_gone, &o, 20));
  ck_assert_int_eq(o.failed, 1);
  ck_assert_int_eq(o.reason, DESTROY_REASON_CHANNEL_CLOSED);
}
END_TEST

/* Two circuits launched at once to the same first hop share one connect. */
START_TEST(test_chanmgr_shares_pending)
{
  circ_hop_t path[3];
  fake_relay_path(fr, path, 3);
  circ_obs_t oa, ob;
  memset(&oa, 0, sizeof(oa));
  memset(&ob, 0, sizeof(ob));
  oa.c = circuit_launch(cc, path, 3, circ_cb, &oa);
  ob.c = circuit_launch(cc, path, 2, circ_cb, &ob);
  ck_assert(mainloop_run_until(ml, cond_circ_done, &oa, 20));
  ck_assert(mainloop_run_until(ml, cond_circ_done, &ob, 20));
  ck_assert_int_eq(oa.built + ob.built, 2);
  ck_assert_uint_eq(chanmgr_n_launched(cm), 1);
  ck_assert_int_eq(chanmgr_n_channels(cm), 1);
  ck_assert_int_eq(fr->n_accepted, 1);
  ck_assert_ptr_eq(chanmgr_find_open(cm, path[0].rsa_id), circuit_get_channel(oa.c));
}
END_TEST

/* A first hop whose identity is not the one asked for: no channel, FAILED. */
START_TEST(test_wrong_identity)
{
  circ_hop_t path[1];
  fake_relay_path(fr, path, 1);
  path[0].rsa_id[0] ^= 1;
  circ_obs_t o;
  memset(&o, 0, sizeof(o));
  o.c = circuit_launch(cc, path, 1, circ_cb, &o);
  ck_assert(mainloop_run_until(ml, cond_circ_gone, &o, 20));
  ck_assert_int_eq(o.failed, 1);
  ck_assert_int_eq(o.reason, DESTROY_REASON_CHANNEL_CLOSED);
  ck_assert_ptr_null(chanmgr_find_open(cm, path[0].rsa_id));
}
END_TEST

/* Bad input from the path closes the circuit (PROTOCOL), never crashes:
 * a relay cell no hop recognises, a recognised one whose length field runs
 * past the payload, a stream DATA beyond the stream's deliver window. */
static int
cond_conn_drained(void *arg)
{
  return conn_outbuf_len(arg) == 0;
}

static void
garbage_case(int which)
{
  circ_obs_t o;
  sobs_t so;
  circuit_t *c = build(&o, 3);
  fcirc_t *fc = fake_relay_find(fr, circuit_get_id(c));
  uint8_t p[CELL_PAYLOAD_LEN];
  if (which == 0) {
    cell_t cell;
    memset(&cell, 0, sizeof(cell));
    cell.circ_id = fc->id;
    cell.command = CELL_RELAY;
    uint64_t st = 7;
    testutil_fill_random(cell.payload, sizeof(cell.payload), &st);
    channel_send_cell(fr->ch, &cell);
  } else if (which == 1) {
    memset(p, 0, sizeof(p));
    p[0] = RELAY_COMMAND_DATA;
    p[9] = 0x01; /* length 499 */
    p[10] = 0xf3;
    fake_relay_send_payload(fr, fc, 2, p);
  } else {
    /* the application reads nothing: once the socket buffers and then the
     * edge's outbuf are full we send no stream SENDME, and an exit that goes
     * on sending overruns.  How much the sockets absorb first depends on the
     * platform: 208 KiB for an AF_UNIX pair on Linux, but Windows' socket
     * pair is loopback TCP, which took 4 MiB on the CI host (under Wine 2 MiB
     * sometimes all went into it, and the exit never overran).  So the fake
     * exit sends until the circuit closes, 200 cells at a time whenever its
     * own outbuf is drained, up to 64 MiB. */
    open_stream(&so, c);
    wait_connected(&so);
    conn_block_read(&so.app->base, CONN_BLOCK_TEST_A);
    uint8_t d[RELAY_BODY_MAX_LEN] = { 0 };
    conn_t *fconn = channel_to_conn(fr->ch);
    int sent = 0;
    while (!cond_circ_gone(&o) && sent < 64 * 1024 * 1024 / RELAY_BODY_MAX_LEN) {
      for (int i = 0; i < 200; i++)
        fake_relay_send(fr, fc, 2, RELAY_COMMAND_DATA, fc->stream_id, d, sizeof(d));
      sent += 200;
      ck_assert(mainloop_run_until(ml, cond_conn_drained, fconn, 20));
    }
    /* the exit overran the stream window (500) in the end, not before it */
    ck_assert_int_gt(sent, STREAMWINDOW_START);
  }
  ck_assert(mainloop_run_until(ml, cond_circ_gone, &o, 60));
  ck_assert_int_eq(o.reason, DESTROY_REASON_PROTOCOL);
  ck_assert_int_eq(o.remote, 0);
  ck_assert(mainloop_run_until(ml, cond_fc_destroyed, fc, 5));
  if (which == 2)
    close_edge(&so);
}

START_TEST(test_garbage_unrecognized)
{
  garbage_case(0);
}
END_TEST

START_TEST(test_garbage_length)
{
  garbage_case(1);
}
END_TEST

START_TEST(test_garbage_stream_window)
{
  garbage_case(2);
}
END_TEST

static void
set_sendme_params(int emit, int accept)
{
  circuit_params_t p;
  circuit_params_default(&p);
  p.sendme_emit_min_version = emit;
  p.sendme_accept_min_version = accept;
  circuit_ctx_set_params(cc, &p);
}

/* A version-0 circuit SENDME: accepted when sendme_accept_min_version is 0
 * (the window opens), refused (PROTOCOL) when it is 1. */
static void
sendme_v0_case(int accept)
{
  circ_obs_t o;
  sobs_t so;
  set_sendme_params(1, accept);
  fr->auto_stream_sendme = 1;
  circuit_t *c = build(&o, 3);
  fcirc_t *fc = fake_relay_find(fr, circuit_get_id(c));
  open_stream(&so, c);
  wait_connected(&so);
  app_send(&so, 150 * 498);
  int want = 150;
  ck_assert(mainloop_run_until(ml, cond_cells, &want, 10));
  int before = circuit_package_window(c, -1);
  fake_relay_send(fr, fc, 2, RELAY_COMMAND_SENDME, 0, NULL, 0);
  if (accept) {
    ck_assert(mainloop_run_until(ml, cond_circ_gone, &o, 10));
    ck_assert_int_eq(o.reason, DESTROY_REASON_PROTOCOL);
  } else {
    /* (a DROP is ignored too) */
    fake_relay_send(fr, fc, 2, RELAY_COMMAND_DROP, 0, NULL, 0);
    ck_assert(!mainloop_run_until(ml, cond_circ_gone, &o, 0.5));
    ck_assert_int_eq(circuit_package_window(c, -1), before + CIRCWINDOW_INCREMENT);
    ck_assert(circuit_is_open(c));
  }
  close_edge(&so);
}

START_TEST(test_sendme_v0_accepted)
{
  sendme_v0_case(0);
}
END_TEST

START_TEST(test_sendme_v0_refused)
{
  sendme_v0_case(1);
}
END_TEST

static int
cond_fc_two_v0(void *arg)
{
  return ((fcirc_t *)arg)->sendme_v0 >= 2;
}

/* sendme_emit_min_version 0: our circuit SENDMEs are version 0 (empty). */
START_TEST(test_sendme_emit_v0)
{
  circ_obs_t o;
  sobs_t so;
  set_sendme_params(0, 0);
  fr->echo = fr->auto_circ_sendme = fr->auto_stream_sendme = 1;
  circuit_t *c = build(&o, 3);
  fcirc_t *fc = fake_relay_find(fr, circuit_get_id(c));
  open_stream(&so, c);
  wait_connected(&so);
  app_send(&so, 250 * 498);
  want_t w = { so.app->got, 250 * 498 };
  ck_assert(mainloop_run_until(ml, cond_have, &w, 20));
  /* the SENDME for the 200th cell may still be on its way to the fake */
  ck_assert(mainloop_run_until(ml, cond_fc_two_v0, fc, 10));
  ck_assert_int_eq(fc->sendme_ok, 0);
  ck_assert_int_eq(fc->sendme_bad, 0);
  close_edge(&so);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("or_circuit");
  const testutil_case_t cases[] = {
    { "build_three_hops", test_build_three_hops, 30 },
    { "stream_echo", test_stream_echo, 90 },
    { "sendme_wrong_tag", test_sendme_wrong_tag, 30 },
    { "sendme_unexpected", test_sendme_unexpected, 30 },
    { "sendme_v0_accepted", test_sendme_v0_accepted, 30 },
    { "sendme_v0_refused", test_sendme_v0_refused, 30 },
    { "sendme_emit_v0", test_sendme_emit_v0, 30 },
    { "windows_block_edge", test_windows_block_edge, 60 },
    { "scheduler_fairness", test_scheduler_fairness, 60 },
    { "oom_closes_biggest", test_oom_closes_biggest, 60 },
    { "destroy_remote", test_destroy_remote, 30 },
    { "truncated", test_truncated, 30 },
    { "end_from_exit", test_end_from_exit, 30 },
    { "begin_dir_one_hop", test_begin_dir_one_hop, 30 },
    { "resolve", test_resolve, 30 },
    { "channel_close", test_channel_close, 30 },
    { "build_timeout", test_build_timeout, 30 },
    { "no_channel", test_no_channel, 30 },
    { "chanmgr_shares_pending", test_chanmgr_shares_pending, 30 },
    { "wrong_identity", test_wrong_identity, 30 },
    { "garbage_unrecognized", test_garbage_unrecognized, 30 },
    { "garbage_length", test_garbage_length, 30 },
    { "garbage_stream_window", test_garbage_stream_window, 30 },
  };
  testutil_add_cases(s, cases, sizeof(cases) / sizeof(cases[0]), setup, teardown);
  return s;
}
