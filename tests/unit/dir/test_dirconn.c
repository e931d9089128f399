/* test_dirconn.c — a directory connection against small in-test HTTP
 * servers: libevent's evhttp (Content-Length bodies) and a raw server over
 * core/listener (bodies that end at close, heads that never come), plus a
 * socketpair transport.  Deflate bodies are made with zlib here, not with
 * lib/compress.  Every wait has a deadline; nothing sleeps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <netinet/in.h>
#include <sys/socket.h>
#endif

#include "core/conn.h"
#include "core/listener.h"
#include "core/mainloop.h"
#include "dir/dirconn.h"
#include "lib/alloc.h"
#include "testutil.h"

/* ---- the result of one request ---- */

typedef struct got_t {
  int n_calls;
  dirconn_status_t status;
  int http_status;
  char *body;
  size_t body_len;
  char reason[160];
} got_t;

static void
done_cb(dirconn_result_t *res, void *arg)
{
  got_t *g = arg;
  g->n_calls++;
  g->status = res->status;
  g->http_status = res->http_status;
  g->body = res->body;        /* take it */
  g->body_len = res->body_len;
  res->body = NULL;
  snprintf(g->reason, sizeof(g->reason), "%s", res->reason);
}

static int
got_done(void *arg)
{
  return ((got_t *)arg)->n_calls > 0;
}

static void
got_clear(got_t *g)
{
  x_free(g->body);
  memset(g, 0, sizeof(*g));
}

static void
loopback(struct sockaddr_in *sin, int port)
{
  memset(sin, 0, sizeof(*sin));
  sin->sin_family = AF_INET;
  sin->sin_addr.s_addr = htonl(0x7f000001);
  sin->sin_port = htons((uint16_t)port);
}

/* Run one request to port and wait for its callback (deadline 20 s). */
static void
fetch(mainloop_t *ml, int port, const char *path, size_t max_body, double total, got_t *g)
{
  struct sockaddr_in sin;
  loopback(&sin, port);
  dirconn_request_t req = { path, "127.0.0.1", max_body, 5.0, total, done_cb, g };
  memset(g, 0, sizeof(*g));
  conn_t *c = dirconn_connect_tcp(ml, (struct sockaddr *)&sin, sizeof(sin), &req);
  ck_assert_ptr_nonnull(c);
  ck_assert_int_eq(g->n_calls, 0);  /* never from inside the call */
  ck_assert_int_eq(mainloop_run_until(ml, got_done, g, 20.0), 1);
  ck_assert_int_eq(g->n_calls, 1);
}

/* ---- the evhttp server ---- */

static char *big_text;        /* deterministic text body */
static size_t big_text_len;
static char last_accept_encoding[128];
static char last_uri[256];

static void
make_text(size_t n)
{
  uint64_t st = 99;
  x_free(big_text);
  big_text = x_malloc(n + 1);
  for (size_t i = 0; i < n; i++)
    big_text[i] = (char)('a' + testutil_rand_range(&st, 0, 25));
  big_text[n] = '\0';
  big_text_len = n;
}

static uint8_t *
zlib_deflate(const void *in, size_t n, size_t *out_len)
{
  uLongf cap = compressBound((uLong)n);
  uint8_t *out = x_malloc(cap);
  ck_assert_int_eq(compress2(out, &cap, in, (uLong)n, 6), Z_OK);
  *out_len = cap;
  return out;
}

static void
http_cb(struct evhttp_request *req, void *arg)
{
  (void)arg;
  const char *uri = evhttp_request_get_uri(req);
  snprintf(last_uri, sizeof(last_uri), "%s", uri);
  const char *ae = evhttp_find_header(evhttp_request_get_input_headers(req), "Accept-Encoding");
  snprintf(last_accept_encoding, sizeof(last_accept_encoding), "%s", ae ? ae : "");
  struct evbuffer *b = evbuffer_new();
  struct evkeyvalq *h = evhttp_request_get_output_headers(req);
  if (!strcmp(uri, "/identity")) {
    evbuffer_add(b, big_text, big_text_len);
    evhttp_send_reply(req, 200, "OK", b);
  } else if (!strcmp(uri, "/deflate")) {
    size_t n;
    uint8_t *z = zlib_deflate(big_text, big_text_len, &n);
    evbuffer_add(b, z, n);
    x_free(z);
    evhttp_add_header(h, "Content-Encoding", "deflate");
    evhttp_send_reply(req, 200, "OK", b);
  } else if (!strcmp(uri, "/bomb")) {
    /* 32 MiB of zeros, deflated to ~32 KiB. */
    size_t n, len = 32u << 20;
    uint8_t *zeros = x_calloc(1, len);
    uint8_t *z = zlib_deflate(zeros, len, &n);
    evbuffer_add(b, z, n);
    x_free(z);
    x_free(zeros);
    evhttp_add_header(h, "Content-Encoding", "deflate");
    evhttp_send_reply(req, 200, "OK", b);
  } else if (!strcmp(uri, "/corrupt")) {
    size_t n;
    uint8_t *z = zlib_deflate(big_text, big_text_len, &n);
    z[n / 2] ^= 0x55;
    z[n / 2 + 1] ^= 0x55;
    evbuffer_add(b, z, n);
    x_free(z);
    evhttp_add_header(h, "Content-Encoding", "deflate");
    evhttp_send_reply(req, 200, "OK", b);
  } else {
    evbuffer_add_printf(b, "not here");
    evhttp_send_reply(req, 404, "Not found", b);
  }
  evbuffer_free(b);
}

static int
http_port(struct evhttp_bound_socket *bs)
{
  struct sockaddr_storage ss;
  ev_socklen_t len = sizeof(ss);
  ck_assert_int_eq(getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&ss, &len), 0);
  return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static struct evhttp *
http_start(mainloop_t *ml, int *port)
{
  struct evhttp *http = evhttp_new(mainloop_base(ml));
  ck_assert_ptr_nonnull(http);
  evhttp_set_gencb(http, http_cb, NULL);
  struct evhttp_bound_socket *bs = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
  ck_assert_ptr_nonnull(bs);
  *port = http_port(bs);
  return http;
}

START_TEST(test_identity_and_request)
{
  mainloop_t *ml = mainloop_new();
  int port;
  struct evhttp *http = http_start(ml, &port);
  make_text(300 * 1000);
  got_t g;
  fetch(ml, port, "/identity", 1u << 20, 10, &g);
  ck_assert_msg(g.status == DIRCONN_OK, "status %d: %s", g.status, g.reason);
  ck_assert_int_eq(g.http_status, 200);
  ck_assert_uint_eq(g.body_len, big_text_len);
  ck_assert_int_eq(memcmp(g.body, big_text, big_text_len), 0);
  ck_assert_int_eq(g.body[g.body_len], '\0');
  ck_assert_str_eq(last_uri, "/identity");
  ck_assert_ptr_nonnull(strstr(last_accept_encoding, "deflate"));
  got_clear(&g);
  evhttp_free(http);
  mainloop_free(ml);
}
END_TEST

START_TEST(test_deflate)
{
  mainloop_t *ml = mainloop_new();
  int port;
  struct evhttp *http = http_start(ml, &port);
  make_text(500 * 1000);
  got_t g;
  fetch(ml, port, "/deflate", 1u << 20, 10, &g);
  ck_assert_msg(g.status == DIRCONN_OK, "status %d: %s", g.status, g.reason);
  ck_assert_uint_eq(g.body_len, big_text_len);
  ck_assert_int_eq(memcmp(g.body, big_text, big_text_len), 0);
  got_clear(&g);
  evhttp_free(http);
  mainloop_free(ml);
}
END_TEST

START_TEST(test_http_errors_and_caps)
{
  mainloop_t *ml = mainloop_new();
  int port;
  struct evhttp *http = http_start(ml, &port);
  make_text(300 * 1000);
  got_t g;
  fetch(ml, port, "/missing", 1u << 20, 10, &g);
  ck_assert_int_eq(g.status, DIRCONN_HTTP_STATUS);
  ck_assert_int_eq(g.http_status, 404);
  ck_assert_ptr_null(g.body);
  ck_assert_ptr_nonnull(strstr(g.reason, "404"));
  got_clear(&g);
  /* A body over the cap, identity (Content-Length says so) ... */
  fetch(ml, port, "/identity", 100 * 1000, 10, &g);
  ck_assert_int_eq(g.status, DIRCONN_TOO_BIG);
  ck_assert_ptr_null(g.body);
  got_clear(&g);
  /* ... and deflated: small on the wire, 32 MiB decoded. */
  fetch(ml, port, "/bomb", 1u << 20, 10, &g);
  ck_assert_msg(g.status == DIRCONN_TOO_BIG, "status %d: %s", g.status, g.reason);
  ck_assert_ptr_null(g.body);
  got_clear(&g);
  fetch(ml, port, "/corrupt", 1u << 20, 10, &g);
  ck_assert_msg(g.status == DIRCONN_BAD_ENCODING, "status %d: %s", g.status, g.reason);
  got_clear(&g);
  evhttp_free(http);
  mainloop_free(ml);
}
END_TEST

/* ---- the raw server: canned bytes, then close (or silence) ---- */

typedef struct raw_server_t {
  listener_t *l;
  mainloop_t *ml;
  const char *reply;         /* NULL: never answer */
  size_t reply_len;
  int n_accepted;
} raw_server_t;

typedef struct raw_conn_t {
  conn_t base;
  raw_server_t *srv;
  int replied;
} raw_conn_t;

static void
raw_process_inbuf(conn_t *c)
{
  raw_conn_t *r = (raw_conn_t *)c;
  struct evbuffer *in = conn_inbuf(c);
  /* Answer once the request head is in. */
  struct evbuffer_ptr p = evbuffer_search(in, "\r\n\r\n", 4, NULL);
  if (p.pos < 0) {
    return;
  }
  evbuffer_drain(in, evbuffer_get_length(in));
  if (r->replied || !r->srv->reply)
    return;
  r->replied = 1;
  conn_write(c, r->srv->reply, r->srv->reply_len);
  conn_close_after_flush(c, 5.0);
}

static const conn_ops_t raw_ops = { .name = "rawhttp", .process_inbuf = raw_process_inbuf };

static void
raw_accept(listener_t *l, evutil_socket_t fd, const struct sockaddr *addr, int addrlen, void *arg)
{
  raw_server_t *s = arg;
  (void)l;
  raw_conn_t *r = (raw_conn_t *)conn_new_accepted(s->ml, &raw_ops, sizeof(raw_conn_t), fd, addr,
                                                   addrlen, NULL);
  ck_assert_ptr_nonnull(r);
  r->srv = s;
  s->n_accepted++;
}

static int
raw_start(raw_server_t *s, mainloop_t *ml, const char *reply, size_t len)
{
  struct sockaddr_in sin;
  loopback(&sin, 0);
  memset(s, 0, sizeof(*s));
  s->ml = ml;
  s->reply = reply;
  s->reply_len = len;
  s->l = listener_new(ml, (struct sockaddr *)&sin, sizeof(sin), raw_accept, s);
  ck_assert_ptr_nonnull(s->l);
  return listener_get_port(s->l);
}

static int
no_conns(void *arg)
{
  return mainloop_n_conns(arg) == 0;
}

/* Let the raw server's closing-after-flush connections finish before the
 * loop is freed (mainloop_free does not sweep those: see the report). */
static void
drain(mainloop_t *ml)
{
  ck_assert_int_eq(mainloop_run_until(ml, no_conns, ml, 10.0), 1);
}

START_TEST(test_body_until_close_deflate)
{
  mainloop_t *ml = mainloop_new();
  make_text(200 * 1000);
  size_t zn;
  uint8_t *z = zlib_deflate(big_text, big_text_len, &zn);
  const char head[] = "HTTP/1.0 200 OK\r\nDate: Mon, 30 Nov 2026 11:00:00 GMT\r\n"
                      "Content-Type: text/plain\r\nContent-Encoding: deflate\r\n\r\n";
  size_t n = strlen(head) + zn;
  char *reply = x_malloc(n);
  memcpy(reply, head, strlen(head));
  memcpy(reply + strlen(head), z, zn);
  raw_server_t s;
  int port = raw_start(&s, ml, reply, n);
  got_t g;
  fetch(ml, port, "/tor/status-vote/current/consensus-microdesc", 1u << 20, 10, &g);
  ck_assert_msg(g.status == DIRCONN_OK, "status %d: %s", g.status, g.reason);
  ck_assert_uint_eq(g.body_len, big_text_len);
  ck_assert_int_eq(memcmp(g.body, big_text, big_text_len), 0);
  got_clear(&g);
  /* An unknown encoding is treated as identity (tor does the same). */
  const char plain[] = "HTTP/1.0 200 OK\r\nContent-Encoding: x-unknown\r\n\r\nhello body";
  s.reply = plain;
  s.reply_len = strlen(plain);
  fetch(ml, port, "/x", 1024, 10, &g);
  ck_assert_msg(g.status == DIRCONN_OK, "status %d: %s", g.status, g.reason);
  ck_assert_str_eq(g.body, "hello body");
  got_clear(&g);
  /* Not HTTP. */
  const char junk[] = "SSH-2.0-OpenSSH_9.2\r\n\r\n";
  s.reply = junk;
  s.reply_len = strlen(junk);
  fetch(ml, port, "/x", 1024, 10, &g);
  ck_assert_msg(g.status == DIRCONN_BAD_RESPONSE, "status %d: %s", g.status, g.reason);
  got_clear(&g);
  /* Closed in the middle of the head. */
  const char cut[] = "HTTP/1.0 200 OK\r\nContent-Ty";
  s.reply = cut;
  s.reply_len = strlen(cut);
  fetch(ml, port, "/x", 1024, 10, &g);
  ck_assert_msg(g.status == DIRCONN_CLOSED, "status %d: %s", g.status, g.reason);
  got_clear(&g);
  /* Over the cap with no Content-Length: stops reading at the cap. */
  s.reply = reply;
  s.reply_len = n;
  fetch(ml, port, "/x", 10 * 1000, 10, &g);
  ck_assert_msg(g.status == DIRCONN_TOO_BIG, "status %d: %s", g.status, g.reason);
  got_clear(&g);
  drain(ml);
  listener_free(s.l);
  mainloop_free(ml);
  x_free(reply);
  x_free(z);
}
END_TEST

START_TEST(test_server_never_answers)
{
  mainloop_t *ml = mainloop_new();
  raw_server_t s;
  int port = raw_start(&s, ml, NULL, 0);
  got_t g;
  double t0 = testutil_now();
  fetch(ml, port, "/tor/keys/all", 1024, 0.5, &g);
  double took = testutil_now() - t0;
  ck_assert_int_eq(g.status, DIRCONN_TIMEOUT);
  ck_assert_int_eq(s.n_accepted, 1);
  ck_assert_msg(took >= 0.45 && took < 5.0, "took %.3f s", took);
  got_clear(&g);
  listener_free(s.l);
  mainloop_free(ml);
}
END_TEST

START_TEST(test_connect_refused_and_cancel)
{
  mainloop_t *ml = mainloop_new();
  raw_server_t s;
  int port = raw_start(&s, ml, NULL, 0);
  listener_free(s.l);  /* now nothing listens there */
  got_t g;
  fetch(ml, port, "/x", 1024, 10, &g);
  ck_assert_msg(g.status == DIRCONN_CONNECT_FAILED, "status %d: %s", g.status, g.reason);
  got_clear(&g);
  /* A cancelled request never calls back, and its connection goes away. */
  port = raw_start(&s, ml, NULL, 0);
  struct sockaddr_in sin;
  loopback(&sin, port);
  dirconn_request_t req = { "/x", NULL, 1024, 5.0, 0.3, done_cb, &g };
  conn_t *c = dirconn_connect_tcp(ml, (struct sockaddr *)&sin, sizeof(sin), &req);
  ck_assert_ptr_nonnull(c);
  dirconn_cancel(c);
  ck_assert_int_eq(mainloop_run_until(ml, got_done, &g, 1.0), 0);
  ck_assert_int_eq(g.n_calls, 0);
  ck_assert_int_eq(mainloop_n_conns(ml), 0);
  listener_free(s.l);
  mainloop_free(ml);
}
END_TEST

/* ---- any conn_t: a socketpair end ---- */

START_TEST(test_over_socketpair)
{
  mainloop_t *ml = mainloop_new();
  raw_server_t s;
  memset(&s, 0, sizeof(s));
  const char reply[] = "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  s.reply = reply;
  s.reply_len = strlen(reply);
  conn_t *a, *b;
  ck_assert_int_eq(conn_new_socketpair(ml, &dirconn_ops, dirconn_size(), &raw_ops,
                                       sizeof(raw_conn_t), &a, &b), 0);
  ((raw_conn_t *)b)->srv = &s;
  got_t g;
  memset(&g, 0, sizeof(g));
  dirconn_request_t req = { "/tor/micro/d/AAAA", NULL, 1024, 0, 5.0, done_cb, &g };
  ck_assert_int_eq(dirconn_start(a, &req), 0);
  ck_assert_int_eq(dirconn_start(a, &req), -1);  /* one request per connection */
  ck_assert_int_eq(mainloop_run_until(ml, got_done, &g, 10.0), 1);
  ck_assert_msg(g.status == DIRCONN_OK, "status %d: %s", g.status, g.reason);
  ck_assert_str_eq(g.body, "hello");
  got_clear(&g);
  drain(ml);
  mainloop_free(ml);
}
END_TEST

static void
teardown(void)
{
  FREE_AND_NULL(x_free, big_text);
}

Suite *
unit_suite(void)
{
  Suite *s = suite_create("dir_dirconn");
  const testutil_case_t cases[] = {
    { "identity_and_request", test_identity_and_request, 30 },
    { "deflate", test_deflate, 30 },
    { "http_errors_and_caps", test_http_errors_and_caps, 30 },
    { "body_until_close_deflate", test_body_until_close_deflate, 30 },
    { "server_never_answers", test_server_never_answers, 30 },
    { "connect_refused_and_cancel", test_connect_refused_and_cancel, 30 },
    { "over_socketpair", test_over_socketpair, 30 },
  };
  testutil_add_cases(s, cases, sizeof(cases) / sizeof(cases[0]), NULL, teardown);
  return s;
}
