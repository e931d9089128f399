/* test_ratelim.c — bandwidth limits through libevent's token buckets:
 * the global group, the relayed-traffic group stacked over it, per-connection
 * limits, and changing them at run time.  Tests assert that a limit holds
 * (a transfer takes at least about so long) with a generous upper margin,
 * and print the measured figures. */
#include <stdio.h>
#include <stdlib.h>

#include "conntest.h"
#include "core/conn.h"
#include "core/mainloop.h"
#include "testutil.h"

#define MiB (1024u * 1024u)
#define KiB 1024u

static mainloop_t *ml;

static void
setup(void)
{
  ml = mainloop_new();
  ck_assert_ptr_nonnull(ml);
}

static void
teardown(void)
{
  mainloop_free(ml);
}

static int cond_true_int(void *arg) { return *(int *)arg != 0; }

typedef struct flow_t {
  tlisten_t tl;
  tconn_t *client, *server;  /* client sends, server receives */
} flow_t;

/* Open a connection (TLS if tls) from a client tconn to an accepted one. */
static void
flow_open(flow_t *f, tls_ctx_t *server_tls, tls_ctx_t *client_tls, uint64_t seed)
{
  f->tl.drain = 1;
  f->tl.rx_seed = seed;
  int port = tlisten_start(&f->tl, ml, server_tls, 0);
  ck_assert_int_gt(port, 0);
  f->client = tconn_connect(ml, port, client_tls, 0);
  ck_assert_ptr_nonnull(f->client);
  f->client->rng = seed;
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &f->client->n_connected, 10), 1);
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &f->tl.n_accepted, 10), 1);
  f->server = f->tl.accepted;
  if (server_tls)
    ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &f->server->n_connected, 10), 1);
}

typedef struct until_rx_t { tconn_t *t; uint64_t n; } until_rx_t;
static int cond_rx(void *arg)
{
  until_rx_t *u = arg;
  return u->t->rx >= u->n;
}

/* Receive `total` bytes; return the seconds it took from when the first
 * `skip` bytes had arrived (so the initial full bucket is not measured). */
static double
timed_receive(flow_t *f, uint64_t skip, uint64_t total, double timeout)
{
  tconn_start_send(f->client, f->tl.rx_seed, total);
  until_rx_t u = { f->server, skip };
  ck_assert_int_eq(mainloop_run_until(ml, cond_rx, &u, timeout), 1);
  double t0 = testutil_now();
  u.n = total;
  ck_assert_int_eq(mainloop_run_until(ml, cond_rx, &u, timeout), 1);
  ck_assert_int_eq(f->server->rx_bad, 0);
  return testutil_now() - t0;
}

START_TEST(test_global_limit_8mib_at_1mib)
{
  /* 8 MiB (after a 1 MiB burst is spent) through a 1 MiB/s group: 8 s. */
  ck_assert_int_eq(mainloop_set_limit(ml, LIMIT_GLOBAL, MiB, MiB), 0);
  flow_t f = { 0 };
  flow_open(&f, NULL, NULL, 31);
  double took = timed_receive(&f, MiB, 9 * MiB, 60);
  printf("MEASURE global_limit: 8 MiB at 1 MiB/s took %.2f s (expected 8.00 s, error %+.1f%%)\n",
         took, (took / 8.0 - 1) * 100);
  fflush(stdout);
  ck_assert_double_ge(took, 8.0 * 0.9);
  ck_assert_double_le(took, 8.0 * 1.5);
  listener_free(f.tl.l);
}
END_TEST

static int cond_window(void *arg) { return testutil_now() >= *(double *)arg; }

START_TEST(test_two_groups_stack)
{
  /* Global 2 MiB/s over everything, relayed traffic 1 MiB/s: a relayed TLS
   * connection gets at most 1 MiB/s; both together at most 2 MiB/s. */
  ck_assert_int_eq(mainloop_set_limit(ml, LIMIT_GLOBAL, 2 * MiB, 2 * MiB), 0);
  ck_assert_int_eq(mainloop_set_limit(ml, LIMIT_RELAYED, MiB, MiB), 0);
  tls_ctx_t *st = testcert_server_ctx();
  tls_ctx_t *ct = tls_ctx_new_client();
  flow_t r = { 0 }, n = { 0 };
  flow_open(&r, st, ct, 41);
  flow_open(&n, st, ct, 42);
  conn_set_relayed(&r.client->base, 1);
  conn_set_relayed(&r.server->base, 1);
  tconn_start_send(r.client, 41, 1024ull * MiB);
  tconn_start_send(n.client, 42, 1024ull * MiB);
  /* Let the initial buckets drain, then measure over a fixed window. */
  double warm = testutil_now() + 2.0;
  mainloop_run_until(ml, cond_window, &warm, 10);
  uint64_t r0 = r.server->rx, n0 = n.server->rx;
  double t0 = testutil_now(), end = t0 + 5.0;
  mainloop_run_until(ml, cond_window, &end, 20);
  double secs = testutil_now() - t0;
  double r_rate = (double)(r.server->rx - r0) / secs / MiB;
  double n_rate = (double)(n.server->rx - n0) / secs / MiB;
  printf("MEASURE two_groups: relayed %.3f MiB/s (limit 1), other %.3f MiB/s, sum %.3f MiB/s "
         "(limit 2, counted with TLS overhead)\n", r_rate, n_rate, r_rate + n_rate);
  fflush(stdout);
  ck_assert_double_le(r_rate, 1.0 * 1.10);
  ck_assert_double_ge(r_rate, 0.5);
  ck_assert_double_le(r_rate + n_rate, 2.0 * 1.10);
  ck_assert_double_ge(r_rate + n_rate, 1.2);
  ck_assert_double_ge(n_rate, 0.5);  /* the rest goes to unrelayed traffic */
  ck_assert_int_eq(r.server->rx_bad + n.server->rx_bad, 0);
  listener_free(r.tl.l);
  listener_free(n.tl.l);
  tls_ctx_free(st);
  tls_ctx_free(ct);
}
END_TEST

START_TEST(test_per_conn_limit)
{
  /* 512 KiB/s per connection: two connections each move 2 MiB (after the
   * burst) in about 4 s at once — they do not share one bucket. */
  ck_assert_int_eq(mainloop_set_limit(ml, LIMIT_PER_CONN, 512 * KiB, 512 * KiB), 0);
  flow_t a = { 0 }, b = { 0 };
  flow_open(&a, NULL, NULL, 51);
  flow_open(&b, NULL, NULL, 52);
  tconn_start_send(a.client, 51, 2 * MiB + 512 * KiB);
  tconn_start_send(b.client, 52, 2 * MiB + 512 * KiB);
  until_rx_t ua = { a.server, 512 * KiB }, ub = { b.server, 512 * KiB };
  ck_assert_int_eq(mainloop_run_until(ml, cond_rx, &ua, 30), 1);
  ck_assert_int_eq(mainloop_run_until(ml, cond_rx, &ub, 30), 1);
  double t0 = testutil_now();
  ua.n = ub.n = 2 * MiB + 512 * KiB;
  ck_assert_int_eq(mainloop_run_until(ml, cond_rx, &ua, 30), 1);
  ck_assert_int_eq(mainloop_run_until(ml, cond_rx, &ub, 30), 1);
  double took = testutil_now() - t0;
  printf("MEASURE per_conn_limit: 2 x 2 MiB at 512 KiB/s each took %.2f s (expected 4.00 s)\n",
         took);
  fflush(stdout);
  ck_assert_double_ge(took, 4.0 * 0.85);
  ck_assert_double_le(took, 4.0 * 1.6);
  listener_free(a.tl.l);
  listener_free(b.tl.l);
}
END_TEST

START_TEST(test_reconfigure_at_run_time)
{
  /* Start at 256 KiB/s (16 MiB would take 64 s), lift the limit after 1 s:
   * the rest goes at once.  Then set one again and free the loop with the
   * group in use (every bufferevent must leave the group first). */
  ck_assert_int_eq(mainloop_set_limit(ml, LIMIT_GLOBAL, 256 * KiB, 256 * KiB), 0);
  flow_t f = { 0 };
  flow_open(&f, NULL, NULL, 61);
  tconn_start_send(f.client, 61, 16 * MiB);
  double t1 = testutil_now() + 1.0;
  mainloop_run_until(ml, cond_window, &t1, 5);
  ck_assert_uint_lt(f.server->rx, 2 * MiB);
  double t0 = testutil_now();
  ck_assert_int_eq(mainloop_set_limit(ml, LIMIT_GLOBAL, 0, 0), 0);
  ck_assert_uint_eq(mainloop_get_limit_rate(ml, LIMIT_GLOBAL), 0);
  until_rx_t u = { f.server, 16 * MiB };
  ck_assert_int_eq(mainloop_run_until(ml, cond_rx, &u, 30), 1);
  double took = testutil_now() - t0;
  printf("MEASURE reconfigure: rest of 16 MiB after lifting the limit took %.2f s\n", took);
  ck_assert_double_lt(took, 15.0);
  ck_assert_int_eq(mainloop_set_limit(ml, LIMIT_GLOBAL, MiB, 2 * MiB), 0);
  ck_assert_int_eq(mainloop_set_limit(ml, LIMIT_RELAYED, MiB, MiB), 0);
  conn_set_relayed(&f.client->base, 1);  /* not TLS: no effect, no crash */
  listener_free(f.tl.l);
  /* teardown frees the loop while the groups hold connections */
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("core_ratelim");
  const testutil_case_t tests[] = {
    { "global_limit_8mib_at_1mib", test_global_limit_8mib_at_1mib, 90 },
    { "two_groups_stack", test_two_groups_stack, 90 },
    { "per_conn_limit", test_per_conn_limit, 90 },
    { "reconfigure_at_run_time", test_reconfigure_at_run_time, 90 },
  };
  testutil_add_cases(s, tests, sizeof(tests) / sizeof(tests[0]), setup, teardown);
  return s;
}
