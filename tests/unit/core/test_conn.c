/* test_conn.c — the connection layer: callbacks, lifetime, transfers, backpressure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event2/buffer.h>
#include <event2/util.h>
#ifdef _WIN32
#include <winsock2.h>
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/select.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

#include "conntest.h"
#include "core/conn.h"
#include "core/mainloop.h"
#include "lib/log.h"
#include "testutil.h"

#define MiB (1024u * 1024u)
/* conn_outbuf_len() counts the socket layer too, where TLS has framed the
 * bytes: 22 bytes per record of at most 16 KiB (header, type, tag), so well
 * under 1 KiB for the ~128 KiB a producer can queue. */
#define TLS_FRAMING_SLACK 1024

static mainloop_t *ml;

static void
setup(void)
{
  tconn_n_freed = 0;
  tconn_n_freed_tls_error = 0;
  tconn_last_freed_error = 0;
  tconn_n_eof_total = 0;
  if (getenv("TEST_DEBUG_LOG")) log_set_severity(LOG_DEBUG);
  ml = mainloop_new();
  ck_assert_ptr_nonnull(ml);
}

static void
teardown(void)
{
  mainloop_free(ml);
  ml = NULL;
}

static int cond_true_int(void *arg) { return *(int *)arg != 0; }
static int cond_no_conns(void *arg) { (void)arg; return mainloop_n_conns(ml) == 0; }

static void
bug_hook(log_severity_t sev, log_domain_t dom, const char *msg, void *arg)
{
  (void)sev;
  if (dom == LD_BUG && strstr(msg, "marked for close twice"))
    ++*(int *)arg;
}

START_TEST(test_callbacks_socketpair)
{
  conn_t *ca, *cb;
  ck_assert_int_eq(conn_new_socketpair(ml, &tconn_ops, sizeof(tconn_t), &tconn_ops,
                                       sizeof(tconn_t), &ca, &cb), 0);
  tconn_t *a = (tconn_t *)ca, *b = (tconn_t *)cb;
  ck_assert_int_eq(mainloop_n_conns(ml), 2);
  b->drain = 1;
  b->rx_seed = 7;
  b->close_on_eof = 1;
  tconn_start_send(a, 7, 1000);
  /* Nothing runs inside conn_write: callbacks are deferred to the loop. */
  ck_assert_int_eq(b->n_process_inbuf, 0);
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &a->n_finished_flushing, 5), 1);
  ck_assert_int_ge(a->n_flushed_some, 1);
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &b->n_process_inbuf, 5), 1);
  ck_assert_uint_eq(b->rx, 1000);
  ck_assert_int_eq(b->rx_bad, 0);
  /* A plain accepted connection is open at once: no finished_connecting. */
  ck_assert_int_eq(a->n_connected, 0);

  /* Closing one side: freed in the sweep, exactly once; the other sees EOF. */
  conn_mark_for_close(ca);
  ck_assert_int_eq(a->n_about_to_close, 0);  /* not inside the mark */
  ck_assert_int_eq(mainloop_run_until(ml, cond_no_conns, NULL, 5), 1);
  ck_assert_int_eq(tconn_n_freed, 2);       /* b closed itself on EOF */
}
END_TEST

START_TEST(test_connect_and_accept)
{
  tlisten_t tl = { 0 };
  tl.drain = 1;
  tl.rx_seed = 11;
  int port = tlisten_start(&tl, ml, NULL, 0);
  ck_assert_int_gt(port, 0);
  tconn_t *c = tconn_connect(ml, port, NULL, 0);
  ck_assert_ptr_nonnull(c);
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &c->n_connected, 5), 1);
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &tl.n_accepted, 5), 1);
#ifdef _WIN32
  ck_assert_int_eq(mainloop_uses_iocp(ml), 1);
  ck_assert_str_eq(conn_backend_type(&c->base), "socket_async");
  ck_assert_str_eq(conn_backend_type(&tl.accepted->base), "socket_async");
#else
  ck_assert_int_eq(mainloop_uses_iocp(ml), 0);
  ck_assert_str_eq(conn_backend_type(&c->base), "socket");
#endif
  tconn_start_send(c, 11, 100000);
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &tl.accepted->n_process_inbuf, 5), 1);
  listener_free(tl.l);
}
END_TEST

START_TEST(test_connect_ipv6)
{
  tlisten_t tl = { 0 };
  int port = tlisten_start(&tl, ml, NULL, 1);
  if (port < 0) {
    fprintf(stderr, "test_connect_ipv6: no ::1 on this machine; skipped\n");
    return;
  }
  tconn_t *c = tconn_connect(ml, port, NULL, 1);
  ck_assert_ptr_nonnull(c);
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &c->n_connected, 5), 1);
  ck_assert_int_eq(c->base.peer[0], '[');  /* logged as [::1]:port */
  ck_assert_ptr_nonnull(strstr(c->base.peer, "::1"));
  listener_free(tl.l);
}
END_TEST

START_TEST(test_connect_refused)
{
  tlisten_t tl = { 0 };
  int port = tlisten_start(&tl, ml, NULL, 0);
  ck_assert_int_gt(port, 0);
  listener_free(tl.l);  /* now nothing listens on port */
  tconn_t *c = tconn_connect(ml, port, NULL, 0);
  ck_assert_ptr_nonnull(c);
  ck_assert_int_eq(mainloop_run_until(ml, cond_no_conns, NULL, 10), 1);
  ck_assert_int_eq(tconn_n_freed, 1);
}
END_TEST

START_TEST(test_connect_refused_tls)
{
  /* Under a TLS filter the TCP connect event is hidden, and under IOCP a
   * refused connect can surface as an EOF: it must still be a connect failure
   * with an error code, not an EOF and not a TLS error. */
  tls_ctx_t *ct = tls_ctx_new_client();
  tlisten_t tl = { 0 };
  int port = tlisten_start(&tl, ml, NULL, 0);
  ck_assert_int_gt(port, 0);
  listener_free(tl.l);
  tconn_t *c = tconn_connect(ml, port, ct, 0);
  ck_assert_ptr_nonnull(c);
  ck_assert_int_eq(mainloop_run_until(ml, cond_no_conns, NULL, 10), 1);
  ck_assert_int_eq(tconn_n_freed, 1);
  ck_assert_int_eq(tconn_n_eof_total, 0);
  ck_assert_int_eq(tconn_n_freed_tls_error, 0);
  ck_assert_int_ne(tconn_last_freed_error, 0);
  tls_ctx_free(ct);
}
END_TEST

START_TEST(test_double_mark_is_logged)
{
  static int n_bug;
  n_bug = 0;
  conn_t *ca, *cb;
  ck_assert_int_eq(conn_new_socketpair(ml, &tconn_ops, sizeof(tconn_t), &tconn_ops,
                                       sizeof(tconn_t), &ca, &cb), 0);
  ((tconn_t *)cb)->close_on_eof = 1;
  log_set_hook(bug_hook, &n_bug);
  conn_mark_for_close(ca);
  conn_mark_for_close(ca);
  log_set_hook(NULL, NULL);
  ck_assert_int_eq(n_bug, 1);
  ck_assert_int_eq(mainloop_run_until(ml, cond_no_conns, NULL, 5), 1);
  ck_assert_int_eq(tconn_n_freed, 2);
}
END_TEST

START_TEST(test_close_after_flush_delivers_everything)
{
  /* The client queues 4 MiB and closes after flush; the server must get every
   * byte, then EOF. */
  tlisten_t tl = { 0 };
  tl.drain = 1;
  tl.rx_seed = 21;
  int port = tlisten_start(&tl, ml, NULL, 0);
  tconn_t *c = tconn_connect(ml, port, NULL, 0);
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &c->n_connected, 10), 1);
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &tl.n_accepted, 10), 1);
  tconn_t *s = tl.accepted;
  c->close_when_sent = 1;
  tconn_start_send(c, 21, 4 * MiB);
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &s->n_eof, 30), 1);
  ck_assert_uint_eq(s->rx, 4 * MiB);
  ck_assert_int_eq(s->rx_bad, 0);
  ck_assert_int_eq(tconn_n_freed, 1);  /* the client, after its flush */
  conn_mark_for_close(&s->base);
  ck_assert_int_eq(mainloop_run_until(ml, cond_no_conns, NULL, 10), 1);
  ck_assert_int_eq(tconn_n_freed, 2);
  listener_free(tl.l);
}
END_TEST

/* The sender waits for flushed_some (its outbuf is above the low watermark)
 * and has not written for half a second. */
static int
cond_stalled(void *arg)
{
  tconn_t *a = arg;
  return a->tx_sent > 0 && conn_outbuf_len(&a->base) > CONN_WRITE_LOWAT &&
         testutil_now() - a->last_write_time > 0.5;
}

static int
cond_stalled_or_64mib(void *arg)
{
  tconn_t *a = arg;
  return cond_stalled(arg) || a->tx_sent >= 64ull * MiB;
}

START_TEST(test_close_after_flush_deadline)
{
  /* The peer never reads: the connection closes at its deadline, not before. */
  conn_t *ca, *cb;
  ck_assert_int_eq(conn_new_socketpair(ml, &tconn_ops, sizeof(tconn_t), &tconn_ops,
                                       sizeof(tconn_t), &ca, &cb), 0);
  tconn_t *a = (tconn_t *)ca;
  conn_block_read(cb, CONN_BLOCK_TEST_A);
  a->max_write = 65536;
  tconn_start_send(a, 3, 64 * MiB);
  /* Fill the socket buffers until the pump stalls. */
  ck_assert_int_eq(mainloop_run_until(ml, cond_stalled, a, 30), 1);
  ck_assert_uint_gt(conn_outbuf_len(ca), CONN_WRITE_LOWAT);
  double start = testutil_now();
  conn_close_after_flush(ca, 0.5);
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &tconn_n_freed, 10), 1);
  double took = testutil_now() - start;
  ck_assert_double_ge(took, 0.45);
  ck_assert_double_lt(took, 5.0);
}
END_TEST

typedef struct xfer_t {
  tconn_t *client, *server;
  uint64_t total;
} xfer_t;

static int
cond_xfer_done(void *arg)
{
  xfer_t *x = arg;
  return x->server && x->client->rx >= x->total && x->server->rx >= x->total;
}

/* 64 MiB each way at once, writes of random sizes, checked byte by byte. */
static double
transfer_64mib(tls_ctx_t *server_tls, tls_ctx_t *client_tls, const char *what)
{
  const uint64_t total = 64ull * MiB;
  tlisten_t tl = { 0 };
  tl.drain = 1;
  tl.rx_seed = 101;
  int port = tlisten_start(&tl, ml, server_tls, 0);
  ck_assert_int_gt(port, 0);
  tconn_t *c = tconn_connect(ml, port, client_tls, 0);
  c->drain = 1;
  c->rx_seed = 202;
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &c->n_connected, 10), 1);
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &tl.n_accepted, 10), 1);
  tconn_t *s = tl.accepted;
  if (server_tls)  /* the server's handshake completes too */
    ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &s->n_connected, 10), 1);
  double t0 = testutil_now();
  s->rng = 5;
  c->rng = 9;
  tconn_start_send(c, 101, total);
  tconn_start_send(s, 202, total);
  xfer_t x = { c, s, total };
  ck_assert_int_eq(mainloop_run_until(ml, cond_xfer_done, &x, 240), 1);
  double took = testutil_now() - t0;
  ck_assert_int_eq(c->rx_bad, 0);
  ck_assert_int_eq(s->rx_bad, 0);
  ck_assert_uint_eq(c->rx, total);
  ck_assert_uint_eq(s->rx, total);
  /* The producer never queued much past the watermark: below it, plus one
   * write, plus the TLS framing of what sits in the socket layer. */
  ck_assert_uint_le(c->max_outbuf_seen, CONN_WRITE_HIGHWAT + 65536 + TLS_FRAMING_SLACK);
  printf("MEASURE transfer_64mib_%s: 2 x 64 MiB in %.3f s (%.1f MiB/s each way)\n", what, took,
         64.0 / took);
  fflush(stdout);
  listener_free(tl.l);
  return took;
}

START_TEST(test_transfer_64mib_plain)
{
  transfer_64mib(NULL, NULL, "plain");
}
END_TEST

START_TEST(test_transfer_64mib_tls)
{
  tls_ctx_t *st = testcert_server_ctx();
  tls_ctx_t *ct = tls_ctx_new_client();
  transfer_64mib(st, ct, "tls");
  tls_ctx_free(st);
  tls_ctx_free(ct);
}
END_TEST

/* Many connects at once: every one reports finished_connecting.  Under IOCP
 * the connect completes on libevent's IOCP thread, which dropped the event
 * when it came before conn_connect had set the callbacks (seen under Wine). */
#define N_MANY 32
static tconn_t *many[N_MANY];
static int
cond_all_connected(void *arg)
{
  (void)arg;
  for (int i = 0; i < N_MANY; i++)
    if (!many[i]->n_connected)
      return 0;
  return 1;
}

START_TEST(test_connect_many_all_report)
{
  tlisten_t tl = { 0 };
  tl.drain = 1;
  int port = tlisten_start(&tl, ml, NULL, 0);
  ck_assert_int_gt(port, 0);
  for (int i = 0; i < N_MANY; i++) {
    many[i] = tconn_connect(ml, port, NULL, 0);
    ck_assert_ptr_nonnull(many[i]);
  }
  int ok = mainloop_run_until(ml, cond_all_connected, NULL, 20);
  int n = 0;
  for (int i = 0; i < N_MANY; i++)
    n += many[i]->n_connected != 0;
  ck_assert_msg(ok == 1, "%d of %d connects reported finished_connecting", n, N_MANY);
  for (int i = 0; i < N_MANY; i++) {
    ck_assert_int_eq(many[i]->n_connected, 1);
    ck_assert(!conn_is_marked(&many[i]->base));
  }
  listener_free(tl.l);
}
END_TEST

/* A producer that refills only on flushed_some (never on finished_flushing)
 * still gets everything across: flushed_some comes whenever the outbuf, at
 * every layer, drains to CONN_WRITE_LOWAT.  Under TLS the bytes wait in the
 * socket layer, below the filter whose own write callback never sees them. */
static int
cond_server_got_all(void *arg)
{
  xfer_t *x = arg;
  return x->server->rx >= x->total;
}

static void
flushed_some_drives(tls_ctx_t *server_tls, tls_ctx_t *client_tls)
{
  const uint64_t total = 8ull * MiB;
  tlisten_t tl = { 0 };
  tl.drain = 1;
  tl.rx_seed = 31;
  int port = tlisten_start(&tl, ml, server_tls, 0);
  tconn_t *c = tconn_connect(ml, port, client_tls, 0);
  c->refill_on_flushed_some_only = 1;
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &c->n_connected, 10), 1);
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &tl.n_accepted, 10), 1);
  tconn_t *s = tl.accepted;
  if (server_tls)
    ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &s->n_connected, 10), 1);
  tconn_start_send(c, 31, total);
  xfer_t x = { c, s, total };
  ck_assert_msg(mainloop_run_until(ml, cond_server_got_all, &x, 60) == 1,
                "stuck: sent %llu of %llu, received %llu, sender outbuf %llu",
                (unsigned long long)c->tx_sent, (unsigned long long)total,
                (unsigned long long)s->rx, (unsigned long long)conn_outbuf_len(&c->base));
  ck_assert_int_eq(s->rx_bad, 0);
  ck_assert_uint_eq(s->rx, total);
  ck_assert_int_ge(c->n_flushed_some, 1);
  listener_free(tl.l);
}

START_TEST(test_flushed_some_drives_plain)
{
  flushed_some_drives(NULL, NULL);
}
END_TEST

START_TEST(test_flushed_some_drives_tls)
{
  tls_ctx_t *st = testcert_server_ctx();
  tls_ctx_t *ct = tls_ctx_new_client();
  flushed_some_drives(st, ct);
  tls_ctx_free(st);
  tls_ctx_free(ct);
}
END_TEST

static int cond_rx_5000(void *arg) { return ((tconn_t *)arg)->rx >= 5000; }

START_TEST(test_block_reasons)
{
  conn_t *ca, *cb;
  ck_assert_int_eq(conn_new_socketpair(ml, &tconn_ops, sizeof(tconn_t), &tconn_ops,
                                       sizeof(tconn_t), &ca, &cb), 0);
  tconn_t *a = (tconn_t *)ca, *b = (tconn_t *)cb;
  b->drain = 1;
  b->rx_seed = 4;
  conn_block_read(cb, CONN_BLOCK_TEST_A);
  conn_block_read(cb, CONN_BLOCK_TEST_B);
  ck_assert_int_eq(conn_is_reading(cb), 0);
  tconn_start_send(a, 4, 5000);
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &a->n_finished_flushing, 5), 1);
  /* Let the loop turn a few times: nothing may be delivered while blocked. */
  for (int i = 0; i < 20; i++)
    mainloop_run_until(ml, cond_no_conns, NULL, 0.01);
  ck_assert_int_eq(b->n_process_inbuf, 0);
  conn_unblock_read(cb, CONN_BLOCK_TEST_A);
  ck_assert_int_eq(conn_is_reading(cb), 0);
  for (int i = 0; i < 20; i++)
    mainloop_run_until(ml, cond_no_conns, NULL, 0.01);
  ck_assert_int_eq(b->n_process_inbuf, 0);
  conn_unblock_read(cb, CONN_BLOCK_TEST_B);
  ck_assert_int_eq(conn_is_reading(cb), 1);
  ck_assert_int_eq(mainloop_run_until(ml, cond_rx_5000, b, 5), 1);
  ck_assert_int_eq(b->rx_bad, 0);
}
END_TEST

START_TEST(test_unblock_reprocesses_buffered_input)
{
  /* Bytes already in the inbuf when reading resumes are handed over again,
   * even though no new bytes arrive. */
  conn_t *ca, *cb;
  ck_assert_int_eq(conn_new_socketpair(ml, &tconn_ops, sizeof(tconn_t), &tconn_ops,
                                       sizeof(tconn_t), &ca, &cb), 0);
  tconn_t *a = (tconn_t *)ca, *b = (tconn_t *)cb;
  b->drain = 0;  /* first look, leave it there */
  b->rx_seed = 6;
  tconn_start_send(a, 6, 3000);
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &b->n_process_inbuf, 5), 1);
  ck_assert_uint_eq(b->rx, 0);
  conn_block_read(cb, CONN_BLOCK_WINDOW);
  b->drain = 1;
  conn_unblock_read(cb, CONN_BLOCK_WINDOW);
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, (int *)&b->rx, 5), 1);
  ck_assert_int_ge(b->n_process_inbuf, 2);
}
END_TEST


static void
never_reading_peer(tls_ctx_t *server_tls, tls_ctx_t *client_tls, int reader_blocked)
{
  tlisten_t tl = { 0 };
  tl.drain = 0;
  int port = tlisten_start(&tl, ml, server_tls, 0);
  tconn_t *c = tconn_connect(ml, port, client_tls, 0);
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &c->n_connected, 10), 1);
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &tl.n_accepted, 10), 1);
  tconn_t *s = tl.accepted;
  if (server_tls)
    ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &s->n_connected, 10), 1);
  if (reader_blocked)
    conn_block_read(&s->base, CONN_BLOCK_TEST_A);
  tconn_start_send(c, 1, 1024ull * MiB);
  /* Normally the sender stalls once the kernel's buffers are full (~3 MB).
   * Wine may buffer more under IOCP; either way what must hold is that our
   * own buffers stay within their watermarks while 64 MiB are pushed.  (A
   * stalled TLS sender once sat with its outbuf under CONN_WRITE_LOWAT, which
   * cond_stalled does not count: its last write was stuck in the socket layer
   * and no flushed_some had told it to refill; see flushed_some_drives.) */
  ck_assert_int_eq(mainloop_run_until(ml, cond_stalled_or_64mib, c, 120), 1);
  /* The sender holds at most the watermark plus one write; the receiver at
   * most its read watermark (plus one TLS record of overrun). */
  ck_assert_uint_le(c->max_outbuf_seen, CONN_WRITE_HIGHWAT + 65536 + TLS_FRAMING_SLACK);
  size_t inbuf = evbuffer_get_length(conn_inbuf(&s->base));
  ck_assert_uint_le(inbuf, CONN_READ_HIGHWAT + 17 * 1024);
  ck_assert_uint_lt(c->tx_sent, 1024ull * MiB);
  printf("MEASURE never_reading_%s%s: sender %s after %llu bytes; sender outbuf max %zu, "
         "receiver inbuf %zu\n", server_tls ? "tls" : "plain", reader_blocked ? "_blocked" : "",
         cond_stalled(c) ? "stalled" : "still going", (unsigned long long)c->tx_sent,
         c->max_outbuf_seen, inbuf);
  listener_free(tl.l);
}

START_TEST(test_never_reading_peer_plain)
{
  never_reading_peer(NULL, NULL, 0);
}
END_TEST

START_TEST(test_never_reading_peer_blocked)
{
  never_reading_peer(NULL, NULL, 1);
}
END_TEST

START_TEST(test_never_reading_peer_tls)
{
  tls_ctx_t *st = testcert_server_ctx();
  tls_ctx_t *ct = tls_ctx_new_client();
  never_reading_peer(st, ct, 0);
  tls_ctx_free(st);
  tls_ctx_free(ct);
}
END_TEST

static char net_log[2048];
static void
net_hook(log_severity_t sev, log_domain_t dom, const char *msg, void *arg)
{
  (void)sev; (void)arg;
  if (dom == LD_NET && strlen(net_log) + strlen(msg) + 2 < sizeof(net_log)) {
    strcat(net_log, msg);
    strcat(net_log, "\n");
  }
}

/* A tconn connected to a raw socket of the test's (*peer, blocking): the
 * peer's side is driven by hand (closed, shut down, read). */
static tconn_t *
tconn_to_raw_peer(evutil_socket_t *peer)
{
  evutil_socket_t lfd = socket(AF_INET, SOCK_STREAM, 0);
  ck_assert(lfd != (evutil_socket_t)EVUTIL_INVALID_SOCKET);
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
  ck_assert_int_eq(listen(lfd, 4), 0);
  ev_socklen_t sl = sizeof(sin);
  ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&sin, &sl), 0);
  tconn_t *c = tconn_connect(ml, ntohs(sin.sin_port), NULL, 0);
  ck_assert_ptr_nonnull(c);
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &c->n_connected, 5), 1);
  *peer = accept(lfd, NULL, NULL);
  ck_assert(*peer != (evutil_socket_t)EVUTIL_INVALID_SOCKET);
  evutil_closesocket(lfd);
  return c;
}

/* A peer that goes away while we write to it (a killed relay, a SOCKS client
 * that hangs up) ends the connection with an error, never the process: on
 * POSIX the write after the peer's RST raises SIGPIPE, which mainloop_new()
 * makes ignored (EPIPE instead).  Evonion died this way in the SOCKS interop
 * test when a relay was killed mid-transfer.  Ten rounds: the peer accepts
 * and closes at once, we keep sending 4 MiB. */
START_TEST(test_peer_gone_while_writing)
{
#ifndef _WIN32
  struct sigaction sa;
  ck_assert_int_eq(sigaction(SIGPIPE, NULL, &sa), 0);
  ck_assert(sa.sa_handler == SIG_IGN);
#endif
  for (int round = 0; round < 10; round++) {
    evutil_socket_t afd;
    tconn_t *c = tconn_to_raw_peer(&afd);
    evutil_closesocket(afd);
    tconn_start_send(c, 5, 4 * MiB);
    ck_assert_int_eq(mainloop_run_until(ml, cond_no_conns, NULL, 20), 1);
  }
}
END_TEST

static int
cond_sent_and_flushed(void *arg)
{
  tconn_t *t = arg;
  return t->tx_sent == t->tx_total && conn_outbuf_len(&t->base) == 0;
}

/* A peer that half-closes (shutdown of its sending side) still reads: after
 * our EOF we can still write to it, and what we queue reaches it.  (libevent's
 * IOCP bufferevent stopped writing for good at EOF, so the bytes stayed queued
 * on Windows: .ci/windows/libevent-async-eof.patch.) */
START_TEST(test_write_after_peer_half_close)
{
  evutil_socket_t afd;
  tconn_t *c = tconn_to_raw_peer(&afd);
#ifdef _WIN32
  ck_assert_int_eq(shutdown(afd, SD_SEND), 0);
#else
  ck_assert_int_eq(shutdown(afd, SHUT_WR), 0);
#endif
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &c->n_eof, 5), 1);
  const size_t total = 48 * 1024;  /* fits in the peer's socket buffers unread */
  tconn_start_send(c, 9, total);
  ck_assert_int_eq(mainloop_run_until(ml, cond_sent_and_flushed, c, 10), 1);
  /* the peer reads it all */
  size_t got = 0;
  char buf[16384];
  while (got < total) {
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(afd, &rs);
    struct timeval tv = { 5, 0 };
    ck_assert_int_eq(select((int)afd + 1, &rs, NULL, NULL, &tv), 1);
    int n = recv(afd, buf, sizeof(buf), 0);
    ck_assert_int_gt(n, 0);
    got += (size_t)n;
  }
  ck_assert_uint_eq(got, total);
  evutil_closesocket(afd);
  conn_mark_for_close(&c->base);
  ck_assert_int_eq(mainloop_run_until(ml, cond_no_conns, NULL, 5), 1);
}
END_TEST

START_TEST(test_tls_close_is_eof_not_error)
{
  net_log[0] = '\0';
  log_set_hook(net_hook, NULL);
  /* A TLS peer that goes away without close_notify is an EOF (OpenSSL 3's
   * unexpected-EOF), reported once through reached_eof. */
  tls_ctx_t *st = testcert_server_ctx();
  tls_ctx_t *ct = tls_ctx_new_client();
  tlisten_t tl = { 0 };
  tl.drain = 1;
  int port = tlisten_start(&tl, ml, st, 0);
  tconn_t *c = tconn_connect(ml, port, ct, 0);
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &c->n_connected, 10), 1);
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &tl.n_accepted, 10), 1);
  tconn_t *s = tl.accepted;
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &s->n_connected, 10), 1);
  conn_mark_for_close(&c->base);
  ck_assert_msg(mainloop_run_until(ml, cond_true_int, &s->n_eof, 10) == 1, "no EOF; log:\n%s",
                net_log);
  ck_assert_msg(s->base.tls_error == 0, "TLS error; log:\n%s", net_log);
  ck_assert_int_eq(s->n_eof, 1);
  log_set_hook(NULL, NULL);
  conn_mark_for_close(&s->base);
  ck_assert_int_eq(mainloop_run_until(ml, cond_no_conns, NULL, 10), 1);
  ck_assert_int_eq(tconn_n_freed_tls_error, 0);
  listener_free(tl.l);
  tls_ctx_free(st);
  tls_ctx_free(ct);
}
END_TEST

START_TEST(test_tls_garbage_is_error)
{
  /* A plain client talking to a TLS server: the server closes with a TLS error. */
  tls_ctx_t *st = testcert_server_ctx();
  tlisten_t tl = { 0 };
  int port = tlisten_start(&tl, ml, st, 0);
  tconn_t *c = tconn_connect(ml, port, NULL, 0);
  c->close_on_eof = 1;
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &c->n_connected, 10), 1);
  ck_assert_int_eq(conn_write(&c->base, "GET / HTTP/1.0\r\n\r\n", 18), 0);
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &tl.n_accepted, 10), 1);
  ck_assert_int_eq(mainloop_run_until(ml, cond_no_conns, NULL, 10), 1);
  /* The server closed on a TLS error, having never finished a handshake. */
  ck_assert_int_eq(tconn_n_freed_tls_error, 1);
  listener_free(tl.l);
  tls_ctx_free(st);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("core_conn");
  const testutil_case_t tests[] = {
    { "callbacks_socketpair", test_callbacks_socketpair, 20 },
    { "connect_and_accept", test_connect_and_accept, 20 },
    { "connect_ipv6", test_connect_ipv6, 20 },
    { "connect_refused", test_connect_refused, 20 },
    { "connect_refused_tls", test_connect_refused_tls, 20 },
    { "double_mark_is_logged", test_double_mark_is_logged, 20 },
    { "close_after_flush_delivers_everything", test_close_after_flush_delivers_everything, 60 },
    { "close_after_flush_deadline", test_close_after_flush_deadline, 60 },
    { "transfer_64mib_plain", test_transfer_64mib_plain, 300 },
    { "transfer_64mib_tls", test_transfer_64mib_tls, 300 },
    { "block_reasons", test_block_reasons, 20 },
    { "unblock_reprocesses_buffered_input", test_unblock_reprocesses_buffered_input, 20 },
    { "never_reading_peer_plain", test_never_reading_peer_plain, 90 },
    { "never_reading_peer_blocked", test_never_reading_peer_blocked, 90 },
    { "never_reading_peer_tls", test_never_reading_peer_tls, 90 },
    { "tls_close_is_eof_not_error", test_tls_close_is_eof_not_error, 20 },
    { "peer_gone_while_writing", test_peer_gone_while_writing, 60 },
    { "write_after_peer_half_close", test_write_after_peer_half_close, 30 },
    { "tls_garbage_is_error", test_tls_garbage_is_error, 20 },
    { "connect_many_all_report", test_connect_many_all_report, 40 },
    { "flushed_some_drives_plain", test_flushed_some_drives_plain, 90 },
    { "flushed_some_drives_tls", test_flushed_some_drives_tls, 90 },
  };
  testutil_add_cases(s, tests, sizeof(tests) / sizeof(tests[0]), setup, teardown);
  return s;
}
