/* test_socks_conn.c — the SOCKS port over loopback, with a plain socket
 * client made here: each protocol variant reaches the request callback with
 * the right fields and gets the right reply; garbage, truncated and oversized
 * input get an error reply or a close (never a crash); HTTP gets the page;
 * the handshake timeout; the hand-over to a stream (hooks, optimistic data,
 * replies later); non-loopback addresses are refused. */
#include <stdio.h>
#include <string.h>
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#endif

#include <event2/buffer.h>
#include <event2/util.h>

#include "client/socks_conn.h"
#include "core/listener.h"
#include "core/mainloop.h"
#include "proto/relay_stream.h"
#include "testutil.h"

/* ---- the owner (what the client glue will be) ---- */

enum {
  OWN_CONNECT_ECHO,  /* take the edge, reply connected, echo every byte back */
  OWN_HOLD,          /* take the edge, do nothing yet (the test replies later) */
  OWN_REFUSE,        /* refuse: connection refused */
  OWN_IGNORE,        /* neither answer nor take (a bug in the owner) */
  OWN_RESOLVE_NOW,   /* answer RESOLVE with 1.2.3.4, RESOLVE_PTR with ptr.example */
};

typedef struct owner_t {
  int mode;
  int n_requests;
  socks_request_t last;
  socks_conn_t *sc;        /* taken connection, until its closed hook */
  conn_t *c;
  int n_readable, n_flushed, n_eof, n_closed;
  size_t n_read;           /* bytes the hold-mode readable hook drained */
} owner_t;

static mainloop_t *ml;
static socks_listener_t *sl;
static int port;
static owner_t own;

static void
echo_readable(conn_t *c, void *stream)
{
  owner_t *o = stream;
  o->n_readable++;
  conn_write_buffer(c, conn_inbuf(c));
}

static void
hold_readable(conn_t *c, void *stream)
{
  owner_t *o = stream;
  struct evbuffer *in = conn_inbuf(c);
  o->n_readable++;
  o->n_read += evbuffer_get_length(in);
  evbuffer_drain(in, evbuffer_get_length(in));
}

static void
hook_flushed(conn_t *c, void *stream)
{
  (void)c;
  ((owner_t *)stream)->n_flushed++;
}

static void
hook_eof(conn_t *c, void *stream)
{
  ((owner_t *)stream)->n_eof++;
  conn_close_after_flush(c, 0);
}

static void
hook_closed(conn_t *c, void *stream)
{
  owner_t *o = stream;
  o->n_closed++;
  if (c == o->c) {   /* (with several connections, o->c is the newest) */
    o->c = NULL;
    o->sc = NULL;
  }
}

static const socks_edge_hooks_t echo_hooks = { echo_readable, hook_flushed, hook_eof,
                                               hook_closed };
static const socks_edge_hooks_t hold_hooks = { hold_readable, hook_flushed, hook_eof,
                                               hook_closed };

static void
on_request(socks_conn_t *sc, const socks_request_t *req, void *arg)
{
  owner_t *o = arg;
  o->n_requests++;
  o->last = *req;
  ck_assert_ptr_eq(socks_conn_request(sc), req);
  ck_assert_ptr_eq(socks_conn_from_conn(socks_conn_to_conn(sc)), sc);
  switch (o->mode) {
  case OWN_CONNECT_ECHO:
    o->c = socks_conn_take_edge(sc, &echo_hooks, o);
    ck_assert_ptr_nonnull(o->c);
    o->sc = sc;
    ck_assert_ptr_null(socks_conn_take_edge(sc, &echo_hooks, o)); /* only once */
    ck_assert_int_eq(socks_conn_reply_connected(sc, NULL, 0), 0);
    ck_assert_int_eq(socks_conn_has_replied(sc), 1);
    break;
  case OWN_HOLD:
    o->c = socks_conn_take_edge(sc, &hold_hooks, o);
    ck_assert_ptr_nonnull(o->c);
    o->sc = sc;
    break;
  case OWN_REFUSE:
    ck_assert_int_eq(socks_conn_reply_connected(sc, NULL, 0), -1); /* not taken */
    ck_assert_int_eq(socks_conn_reply_error(sc, SOCKS5_REP_SUCCEEDED), -1);
    ck_assert_int_eq(socks_conn_reply_error(sc, SOCKS5_REP_CONN_REFUSED), 0);
    ck_assert_int_eq(socks_conn_reply_error(sc, SOCKS5_REP_CONN_REFUSED), -1);
    ck_assert_ptr_null(socks_conn_take_edge(sc, &echo_hooks, o));
    break;
  case OWN_RESOLVE_NOW:
    if (req->command == SOCKS_CMD_RESOLVE_PTR)
      ck_assert_int_eq(socks_conn_reply_resolved(sc, RESOLVED_TYPE_HOSTNAME,
                                                 (const uint8_t *)"ptr.example", 11), 0);
    else
      ck_assert_int_eq(socks_conn_reply_resolved(sc, RESOLVED_TYPE_IPV4,
                                                 (const uint8_t *)"\x01\x02\x03\x04", 4), 0);
    break;
  case OWN_IGNORE:
  default:
    break;
  }
}

static void
setup(void)
{
  testutil_global_init();
  memset(&own, 0, sizeof(own));
  ml = mainloop_new();
  ck_assert_ptr_nonnull(ml);
  struct sockaddr_storage ss;
  int len;
  ck_assert_int_eq(addr_parse("127.0.0.1:0", -1, &ss, &len), 0);
  sl = socks_listen(ml, (struct sockaddr *)&ss, len, 0, on_request, &own);
  ck_assert_ptr_nonnull(sl);
  port = socks_listener_get_port(sl);
  ck_assert_int_gt(port, 0);
}

static void
teardown(void)
{
  socks_listener_free(sl);
  sl = NULL;
  mainloop_free(ml);
  ml = NULL;
}

/* ---- a plain socket client ---- */

typedef struct client_t {
  evutil_socket_t fd;
  uint8_t buf[8192];       /* the first bytes received */
  size_t len;              /* bytes kept in buf */
  size_t total;            /* bytes received in all */
  size_t want;
  int eof;                 /* EOF or reset seen */
} client_t;

static void
client_connect(client_t *cl)
{
  memset(cl, 0, sizeof(*cl));
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_port = htons((uint16_t)port);
  sin.sin_addr.s_addr = htonl(0x7f000001);
  cl->fd = socket(AF_INET, SOCK_STREAM, 0);
  ck_assert_int_ne((int)cl->fd, -1);
  ck_assert_int_eq(connect(cl->fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
  ck_assert_int_eq(evutil_make_socket_nonblocking(cl->fd), 0);
}

static void
client_close(client_t *cl)
{
  if (cl->fd != (evutil_socket_t)-1)
    evutil_closesocket(cl->fd);
  cl->fd = (evutil_socket_t)-1;
}

static int
cond_false(void *arg)
{
  (void)arg;
  return 0;
}

static int
would_block(void)
{
#ifdef _WIN32
  return WSAGetLastError() == WSAEWOULDBLOCK;
#else
  return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
#endif
}

static void
client_send(client_t *cl, const void *p, size_t n)
{
  const char *b = p;
  double until = testutil_now() + 10;
  while (n > 0) {
    int r = (int)send(cl->fd, b, (int)(n > 65536 ? 65536 : n), 0);
    if (r > 0) {
      b += r;
      n -= (size_t)r;
    } else {
      ck_assert_msg(r < 0 && would_block(), "send failed");
      ck_assert_msg(testutil_now() < until, "send stalled");
      mainloop_run_until(ml, cond_false, NULL, 0.02); /* let the server read */
    }
  }
}
#define SEND(cl, s) client_send((cl), (s), sizeof(s) - 1)

static void
client_poll(client_t *cl)
{
  char tmp[16384];
  while (!cl->eof) {
    int r = (int)recv(cl->fd, tmp, sizeof(tmp), 0);
    if (r > 0) {
      size_t keep = sizeof(cl->buf) - cl->len;
      if (keep > (size_t)r)
        keep = (size_t)r;
      memcpy(cl->buf + cl->len, tmp, keep);
      cl->len += keep;
      cl->total += (size_t)r;
    } else if (r == 0 || !would_block()) {
      cl->eof = 1;
    } else {
      break;
    }
  }
}

static int
cond_client_has(void *arg)
{
  client_t *cl = arg;
  client_poll(cl);
  return cl->total >= cl->want || cl->eof;
}

static int
cond_client_eof(void *arg)
{
  client_t *cl = arg;
  client_poll(cl);
  return cl->eof;
}

/* Run the loop until the client has n bytes in all (or EOF); returns total. */
static size_t
client_wait(client_t *cl, size_t n)
{
  cl->want = n;
  mainloop_run_until(ml, cond_client_has, cl, 10);
  return cl->total;
}

static int
client_wait_eof(client_t *cl, double timeout)
{
  return mainloop_run_until(ml, cond_client_eof, cl, timeout);
}

static int
cond_no_conns(void *arg)
{
  (void)arg;
  return mainloop_n_conns(ml) == 0;
}

static int
cond_int_set(void *arg)
{
  return *(int *)arg != 0;
}

/* Threshold conditions: *(int or size_t *)target >= goal. */
static int int_goal;
static int
cond_int_reaches(void *arg)
{
  return *(int *)arg >= int_goal;
}
static size_t size_goal;
static int
cond_size_reaches(void *arg)
{
  return *(size_t *)arg >= size_goal;
}

#define ck_client_got(cl, s) do {                                  \
    ck_assert_uint_eq(client_wait((cl), sizeof(s) - 1), sizeof(s) - 1); \
    ck_assert_mem_eq((cl)->buf, (s), sizeof(s) - 1);               \
  } while (0)

/* ---- tests ---- */

START_TEST(test_socks5_userpass_connect_and_data)
{
  client_t cl;
  own.mode = OWN_CONNECT_ECHO;
  client_connect(&cl);
  SEND(&cl, "\x05\x02\x00\x02");
  ck_client_got(&cl, "\x05\x02");
  SEND(&cl, "\x01\x04user\x06secret");
  ck_client_got(&cl, "\x05\x02\x01\x00");
  /* the request and optimistic data in one segment */
  SEND(&cl, "\x05\x01\x00\x03\x0b" "example.com" "\x01\xbb" "hello");
  ck_client_got(&cl, "\x05\x02\x01\x00" "\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00" "hello");
  ck_assert_int_eq(own.n_requests, 1);
  ck_assert_uint_eq(own.last.version, 5);
  ck_assert_uint_eq(own.last.command, SOCKS_CMD_CONNECT);
  ck_assert_str_eq(own.last.host, "example.com");
  ck_assert_uint_eq(own.last.port, 443);
  ck_assert_uint_eq(own.last.has_auth, 1);
  ck_assert_uint_eq(own.last.username_len, 4);
  ck_assert_mem_eq(own.last.username, "user", 4);
  ck_assert_uint_eq(own.last.password_len, 6);
  ck_assert_mem_eq(own.last.password, "secret", 6);
  /* data both ways through the hooks */
  SEND(&cl, "world");
  ck_client_got(&cl, "\x05\x02\x01\x00" "\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00" "helloworld");
  ck_assert_int_ge(own.n_readable, 2);
  /* the application closes: eof hook, then closed hook, nothing left */
  client_close(&cl);
  ck_assert_int_eq(mainloop_run_until(ml, cond_no_conns, NULL, 10), 1);
  ck_assert_int_eq(own.n_eof, 1);
  ck_assert_int_eq(own.n_closed, 1);
  ck_assert_ptr_null(own.c);
}
END_TEST

typedef struct variant_t {
  const char *name;
  int mode;
  const char *send; size_t send_len;
  uint8_t version, command;
  const char *host;
  uint16_t port;
  const char *user;
  const char *reply; size_t reply_len;
} variant_t;
#define S(s) (s), sizeof(s) - 1

START_TEST(test_protocol_variants)
{
  static const variant_t v[] = {
    { "socks4 connect", OWN_REFUSE, S("\x04\x01\x11\x12\x02\x02\x02\x03me\x00"), 4,
      SOCKS_CMD_CONNECT, "2.2.2.3", 4370, "me", S("\x00\x5B\x00\x00\x00\x00\x00\x00") },
    { "socks4a connect", OWN_REFUSE,
      S("\x04\x01\x00\x50\x00\x00\x00\x01\x00www.example.com\x00"), 4, SOCKS_CMD_CONNECT,
      "www.example.com", 80, "", S("\x00\x5B\x00\x00\x00\x00\x00\x00") },
    { "socks4a resolve", OWN_RESOLVE_NOW,
      S("\x04\xF0\x00\x00\x00\x00\x00\x02id\x00torproject.org\x00"), 4, SOCKS_CMD_RESOLVE,
      "torproject.org", 0, "id", S("\x00\x5A\x00\x00\x01\x02\x03\x04") },
    { "socks5 connect ipv4", OWN_REFUSE,
      S("\x05\x01\x00" "\x05\x01\x00\x01\x0a\x00\x00\x07\x00\x16"), 5, SOCKS_CMD_CONNECT,
      "10.0.0.7", 22, "", S("\x05\x00" "\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00") },
    { "socks5 connect ipv6", OWN_REFUSE,
      S("\x05\x01\x00" "\x05\x01\x00\x04\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01\x00\x50"),
      5, SOCKS_CMD_CONNECT, "2001:db8::1", 80, "",
      S("\x05\x00" "\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00") },
    { "socks5 resolve", OWN_RESOLVE_NOW,
      S("\x05\x01\x00" "\x05\xF0\x00\x03\x0b" "example.org" "\x00\x00"), 5, SOCKS_CMD_RESOLVE,
      "example.org", 0, "", S("\x05\x00" "\x05\x00\x00\x01\x01\x02\x03\x04\x00\x00") },
    { "socks5 resolve_ptr", OWN_RESOLVE_NOW,
      S("\x05\x01\x00" "\x05\xF1\x00\x01\x01\x02\x03\x04\x00\x00"), 5, SOCKS_CMD_RESOLVE_PTR,
      "1.2.3.4", 0, "", S("\x05\x00" "\x05\x00\x00\x03\x0b" "ptr.example" "\x00\x00") },
    { "socks5 ignored by the owner", OWN_IGNORE,
      S("\x05\x01\x00" "\x05\x01\x00\x03\x01" "x" "\x00\x50"), 5, SOCKS_CMD_CONNECT, "x", 80,
      "", S("\x05\x00" "\x05\x01\x00\x01\x00\x00\x00\x00\x00\x00") },
  };
  for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
    client_t cl;
    memset(&own, 0, sizeof(own));
    own.mode = v[i].mode;
    client_connect(&cl);
    client_send(&cl, v[i].send, v[i].send_len);
    ck_assert_msg(client_wait_eof(&cl, 10) == 1, "%s: no close", v[i].name);
    ck_assert_msg(cl.total == v[i].reply_len && memcmp(cl.buf, v[i].reply, cl.total) == 0,
                  "%s: wrong reply", v[i].name);
    ck_assert_msg(own.n_requests == 1, "%s: callback not called once", v[i].name);
    ck_assert_uint_eq(own.last.version, v[i].version);
    ck_assert_uint_eq(own.last.command, v[i].command);
    ck_assert_str_eq(own.last.host, v[i].host);
    ck_assert_uint_eq(own.last.port, v[i].port);
    ck_assert_uint_eq(own.last.username_len, strlen(v[i].user));
    ck_assert_mem_eq(own.last.username, v[i].user, strlen(v[i].user));
    client_close(&cl);
    ck_assert_int_eq(mainloop_run_until(ml, cond_no_conns, NULL, 10), 1);
  }
}
END_TEST

/* Bad input: the expected reply (possibly none) and a close; the callback is
 * never called.  With prefix_ok, a prefix of the reply is enough (the server
 * may close with the client's bytes unread, and a reset can beat the reply). */
static void
expect_refused(const char *name, const void *send, size_t send_len, const char *reply,
               size_t reply_len, int prefix_ok)
{
  client_t cl;
  memset(&own, 0, sizeof(own));
  own.mode = OWN_CONNECT_ECHO;
  client_connect(&cl);
  client_send(&cl, send, send_len);
  ck_assert_msg(client_wait_eof(&cl, 10) == 1, "%s: no close", name);
  if (prefix_ok)
    ck_assert_msg(cl.total <= reply_len && memcmp(cl.buf, reply, cl.total) == 0,
                  "%s: wrong reply", name);
  else
    ck_assert_msg(cl.total == reply_len && memcmp(cl.buf, reply, reply_len) == 0,
                  "%s: wrong reply", name);
  ck_assert_msg(own.n_requests == 0, "%s: callback called", name);
  client_close(&cl);
  ck_assert_int_eq(mainloop_run_until(ml, cond_no_conns, NULL, 10), 1);
}

START_TEST(test_bad_input_gets_error_or_close)
{
  expect_refused("unknown version", S("\x06\x01\x00\x00"), "", 0, 0);
  expect_refused("auth first", S("\x01\x02me\x02me"), "", 0, 0);
  expect_refused("socks5 bind", S("\x05\x01\x00" "\x05\x02\x00\x01\x02\x02\x02\x01\x01\x01"),
                 S("\x05\x00" "\x05\x07\x00\x01\x00\x00\x00\x00\x00\x00"), 0);
  expect_refused("socks5 bad atyp", S("\x05\x01\x00" "\x05\x01\x00\x23\x02\x02\x02\x02\x11\x11"),
                 S("\x05\x00" "\x05\x08\x00\x01\x00\x00\x00\x00\x00\x00"), 0);
  expect_refused("socks5 bad host", S("\x05\x01\x00" "\x05\x01\x00\x03\x03" "a b" "\x00\x50"),
                 S("\x05\x00" "\x05\x01\x00\x01\x00\x00\x00\x00\x00\x00"), 0);
  expect_refused("no acceptable method", S("\x05\x01\x80"), S("\x05\xff"), 0);
  expect_refused("prop351 username", S("\x05\x01\x02" "\x01\x09<torS0X>1\x00"),
                 S("\x05\x02" "\x01\x01"), 0);
  expect_refused("socks4 bind", S("\x04\x02\x11\x11\x02\x02\x02\x02\x00"),
                 S("\x00\x5B\x00\x00\x00\x00\x00\x00"), 0);
  /* oversized: a 4000-byte SOCKS4 USERID, a never-ending SOCKS4a hostname */
  uint8_t big[4009];
  memcpy(big, "\x04\x01\x00\x50\x01\x02\x03\x04", 8);
  memset(big + 8, 'u', 4000);
  big[4008] = 0;
  expect_refused("oversized userid", big, sizeof(big), S("\x00\x5B\x00\x00\x00\x00\x00\x00"), 1);
  memcpy(big, "\x04\x01\x00\x50\x00\x00\x00\x01\x00", 9);
  memset(big + 9, 'h', 4000);
  expect_refused("oversized hostname", big, sizeof(big),
                 S("\x00\x5B\x00\x00\x00\x00\x00\x00"), 1);
  /* random garbage (whatever its first byte says) never reaches the callback */
  uint64_t rng = 0x1234567;
  for (int i = 0; i < 20; i++) {
    uint8_t g[300];
    testutil_fill_random(g, sizeof(g), &rng);
    g[0] = (uint8_t)(i < 10 ? 0x04 : 0x05);
    g[1] = (uint8_t)(i % 2 ? 0xF2 : g[1]);  /* some with an impossible command */
    client_t cl;
    memset(&own, 0, sizeof(own));
    own.mode = OWN_REFUSE;
    client_connect(&cl);
    client_send(&cl, g, sizeof(g));
    client_close(&cl);
    ck_assert_int_eq(mainloop_run_until(ml, cond_no_conns, NULL, 10), 1);
  }
}
END_TEST

START_TEST(test_truncated_then_closed)
{
  static const struct { const char *b; size_t n; } t[] = {
    { S("\x05") }, { S("\x05\x02\x00") }, { S("\x05\x01\x00" "\x05\x01\x00\x03\x0b" "exam") },
    { S("\x05\x01\x02" "\x01\x04us") }, { S("\x04\x01\x00\x50\x00\x00\x00\x01me\x00www") },
  };
  for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    client_t cl;
    memset(&own, 0, sizeof(own));
    client_connect(&cl);
    client_send(&cl, t[i].b, t[i].n);
    client_close(&cl);
    ck_assert_int_eq(mainloop_run_until(ml, cond_no_conns, NULL, 10), 1);
    ck_assert_int_eq(own.n_requests, 0);
  }
}
END_TEST

START_TEST(test_http_gets_the_page)
{
  client_t cl;
  size_t len;
  const char *page = socks_http_error_page(&len);
  client_connect(&cl);
  SEND(&cl, "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n");
  ck_assert_int_eq(client_wait_eof(&cl, 10), 1);
  ck_assert_uint_eq(cl.total, len);
  ck_assert_mem_eq(cl.buf, page, len);
  ck_assert_int_eq(memcmp(cl.buf, "HTTP/1.0 501 ", 13), 0);
  ck_assert_int_eq(own.n_requests, 0);
  client_close(&cl);
}
END_TEST

START_TEST(test_handshake_timeout)
{
  socks_listener_set_handshake_timeout(sl, 0.2);
  client_t a, b, c;
  client_connect(&a);                  /* says nothing */
  client_connect(&b);
  SEND(&b, "\x05\x01\x00" "\x05\x01");  /* stops halfway through its request */
  ck_assert_int_eq(client_wait_eof(&a, 10), 1);
  ck_assert_int_eq(client_wait_eof(&b, 10), 1);
  ck_assert_uint_eq(a.total, 0);
  ck_assert_uint_eq(b.total, 2);       /* the method reply, then the close */
  ck_assert_int_eq(mainloop_run_until(ml, cond_no_conns, NULL, 10), 1);
  /* once the request is complete and taken, the timeout no longer applies */
  own.mode = OWN_HOLD;
  client_connect(&c);
  SEND(&c, "\x05\x01\x00" "\x05\x01\x00\x01\x0a\x00\x00\x01\x00\x50");
  ck_assert_int_eq(mainloop_run_until(ml, cond_int_set, &own.n_requests, 10), 1);
  ck_assert_int_eq(client_wait_eof(&c, 1.0), 0);   /* 5x the timeout: still open */
  ck_assert_ptr_nonnull(own.sc);
  ck_assert_int_eq(socks_conn_reply_error(own.sc, SOCKS5_REP_TTL_EXPIRED), 0);
  ck_assert_int_eq(client_wait_eof(&c, 10), 1);
  ck_assert_uint_eq(c.total, 12);
  ck_assert_mem_eq(c.buf, "\x05\x00" "\x05\x06\x00\x01\x00\x00\x00\x00\x00\x00", 12);
  ck_assert_int_eq(own.n_closed, 1);
  client_close(&a);
  client_close(&b);
  client_close(&c);
}
END_TEST

START_TEST(test_take_then_reply_later)
{
  client_t cl;
  netaddr_t bnd;
  own.mode = OWN_HOLD;
  client_connect(&cl);
  SEND(&cl, "\x04\x01\x01\xbb\x00\x00\x00\x01\x00onion.example\x00" "early");
  ck_assert_int_eq(mainloop_run_until(ml, cond_int_set, &own.n_requests, 10), 1);
  ck_assert_ptr_nonnull(own.sc);
  ck_assert_str_eq(own.last.host, "onion.example");
  ck_assert_uint_eq(own.last.port, 443);
  /* the optimistic data reached the stream at once */
  ck_assert_int_eq(own.n_readable, 1);
  ck_assert_uint_eq(own.n_read, 5);
  /* CONNECTED arrives: SOCKS4 reply with the exit's address */
  netaddr_set_ipv4(&bnd, (const uint8_t *)"\x0a\x00\x00\x01");
  ck_assert_int_eq(socks_conn_reply_connected(own.sc, &bnd, 8080), 0);
  ck_assert_int_eq(socks_conn_reply_connected(own.sc, &bnd, 8080), -1);
  ck_assert_int_eq(socks_conn_reply_error(own.sc, SOCKS5_REP_GENERAL_FAILURE), -1);
  ck_client_got(&cl, "\x00\x5A\x1f\x90\x0a\x00\x00\x01");
  /* more data goes to the stream */
  SEND(&cl, "more");
  size_goal = 9;
  ck_assert_int_eq(mainloop_run_until(ml, cond_size_reaches, &own.n_read, 10), 1);
  ck_assert_uint_eq(own.n_read, 9);
  ck_assert_int_ge(own.n_readable, 2);
  /* the stream writes a lot: flushed_some fires as the client drains it */
  static uint8_t blob[512 * 1024];
  memset(blob, 'z', sizeof(blob));
  ck_assert_int_eq(conn_write(own.c, blob, sizeof(blob)), 0);
  ck_assert_uint_eq(client_wait(&cl, 8 + sizeof(blob)), 8 + sizeof(blob));
  ck_assert_int_ge(own.n_flushed, 1);
  /* the stream closes it */
  conn_close_after_flush(own.c, 0);
  ck_assert_int_eq(client_wait_eof(&cl, 10), 1);
  ck_assert_int_eq(mainloop_run_until(ml, cond_no_conns, NULL, 10), 1);
  ck_assert_int_eq(own.n_closed, 1);
  ck_assert_int_eq(own.n_eof, 0);
  client_close(&cl);
}
END_TEST

START_TEST(test_many_clients_and_listener_freed_first)
{
  enum { N = 12 };
  client_t cl[N];
  own.mode = OWN_HOLD;
  for (int i = 0; i < N; i++) {
    client_connect(&cl[i]);
    /* methods 02; auth "u<i>" / "p\0"; the request later */
    uint8_t msg[] = { 5, 1, 2, 1, 3, 'u', (uint8_t)('0' + i / 10), (uint8_t)('0' + i % 10),
                      2, 'p', 0 };
    client_send(&cl[i], msg, sizeof(msg));
  }
  for (int i = 0; i < N; i++)
    ck_client_got(&cl[i], "\x05\x02\x01\x00");
  ck_assert_uint_eq(socks_listener_n_accepted(sl), N);
  /* the listener goes; the connections it made live on */
  socks_listener_free(sl);
  sl = NULL;
  for (int i = 0; i < N; i++)
    SEND(&cl[i], "\x05\x01\x00\x03\x03" "a.b" "\x00\x50");
  int_goal = N;
  ck_assert_int_eq(mainloop_run_until(ml, cond_int_reaches, &own.n_requests, 10), 1);
  ck_assert_int_eq(own.n_requests, N);
  ck_assert_int_eq(mainloop_n_conns(ml), N);
  for (int i = 0; i < N; i++)
    client_close(&cl[i]);
  ck_assert_int_eq(mainloop_run_until(ml, cond_no_conns, NULL, 10), 1);
  ck_assert_int_eq(own.n_eof, N);
  ck_assert_int_eq(own.n_closed, N);
}
END_TEST

START_TEST(test_nonlocal_refused)
{
  struct sockaddr_storage ss;
  int len;
  socks_listener_t *l;
  ck_assert_int_eq(addr_parse("0.0.0.0:0", -1, &ss, &len), 0);
  ck_assert_ptr_null(socks_listen(ml, (struct sockaddr *)&ss, len, 0, on_request, &own));
  l = socks_listen(ml, (struct sockaddr *)&ss, len, 1, on_request, &own);
  ck_assert_ptr_nonnull(l);
  ck_assert_int_gt(socks_listener_get_port(l), 0);
  socks_listener_free(l);
  ck_assert_int_eq(addr_parse("127.0.0.2:0", -1, &ss, &len), 0);
  l = socks_listen(ml, (struct sockaddr *)&ss, len, 0, on_request, &own);
#ifndef _WIN32
  ck_assert_ptr_nonnull(l);   /* all of 127/8 is loopback on Linux */
#endif
  socks_listener_free(l);

  static const struct { const char *a; int loop; } t[] = {
    { "127.0.0.1:1", 1 }, { "127.255.0.9:1", 1 }, { "[::1]:1", 1 },
    { "[::ffff:127.0.0.1]:1", 1 }, { "0.0.0.0:1", 0 }, { "10.0.0.1:1", 0 },
    { "128.0.0.1:1", 0 }, { "[::]:1", 0 }, { "[::2]:1", 0 }, { "[::ffff:10.0.0.1]:1", 0 },
    { "[2001:db8::1]:1", 0 },
  };
  for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    ck_assert_int_eq(addr_parse(t[i].a, -1, &ss, &len), 0);
    ck_assert_msg(socks_addr_is_loopback((struct sockaddr *)&ss, len) == t[i].loop, "%s",
                  t[i].a);
  }
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("client_socks_conn");
  const testutil_case_t cases[] = {
    { "socks5_userpass_connect_and_data", test_socks5_userpass_connect_and_data, 30 },
    { "protocol_variants", test_protocol_variants, 60 },
    { "bad_input_gets_error_or_close", test_bad_input_gets_error_or_close, 60 },
    { "truncated_then_closed", test_truncated_then_closed, 30 },
    { "http_gets_the_page", test_http_gets_the_page, 30 },
    { "handshake_timeout", test_handshake_timeout, 30 },
    { "take_then_reply_later", test_take_then_reply_later, 30 },
    { "many_clients_and_listener_freed_first", test_many_clients_and_listener_freed_first, 30 },
    { "nonlocal_refused", test_nonlocal_refused, 30 },
  };
  testutil_add_cases(s, cases, sizeof(cases) / sizeof(cases[0]), setup, teardown);
  return s;
}
