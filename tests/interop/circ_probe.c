/* circ_probe.c — build one circuit through real relays and move bytes over
 * one stream (tests/interop/test_circuit.py).
 *
 *   circ_probe [--log LEVEL] [--sendme-accept V] [--sendme-emit V]
 *              --hop IP:PORT,RSAHEX,EDHEX,NTORHEX [--hop ...]
 *              --target HOST:PORT (--get PATH | --post NBYTES) [--dir]
 *
 * The stream's edge is one end of a socketpair; the other end plays the
 * application: it writes an HTTP/1.0 request (for --post, NBYTES of a
 * deterministic pattern, written as the socket drains) and reads the answer.
 * With --dir the stream is BEGIN_DIR to the last hop and --get fetches PATH
 * from its directory port.
 * Prints "BUILT ms=T", then "GOT status=S bytes=N sha256=HEX secs=T MBps=R"
 * (the response body) or "POSTED bytes=N sha256=HEX reply=TEXT secs=T MBps=R",
 * and "END reason=R"; exits 0 if the exchange completed, 1 otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#ifdef _WIN32
#include <winsock2.h>
#else
#include <signal.h>
#endif

#include <event2/buffer.h>
#include <event2/util.h>

#include "core/conn.h"
#include "core/tls.h"
#include "lib/log.h"
#include "or/chanmgr.h"
#include "or/circuit.h"
#include "or/stream.h"

typedef struct edge_t {
  conn_t base;
  stream_t *s;
} edge_t;

typedef struct app_t {
  conn_t base;
} app_t;

static struct {
  mainloop_t *ml;
  circuit_t *circ;
  edge_t *edge;
  app_t *app;
  int built, failed, done, ok, ended;
  double t0, t_built, t_connected, t_end;
  char target[256];
  uint16_t port;
  const char *get_path;
  size_t post_len, post_sent;
  int dir;
  /* response */
  int in_body;
  struct evbuffer *hdr;
  size_t body_len;
  int status;
  EVP_MD_CTX *md;
  EVP_MD_CTX *md_post;
  char reply[128];
  size_t reply_len;
  int end_reason;
} P;

static double
now_sec(void)
{
  struct timeval tv;
  evutil_gettimeofday(&tv, NULL);
  return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

/* ---- the edge: forwards conn events to the stream ---- */

static void
edge_inbuf(conn_t *c)
{
  stream_edge_readable(((edge_t *)c)->s);
}
static void
edge_flushed(conn_t *c)
{
  stream_edge_flushed_some(((edge_t *)c)->s);
}
static void
edge_eof(conn_t *c)
{
  stream_edge_eof(((edge_t *)c)->s);
}
static void
edge_close(conn_t *c)
{
  edge_t *e = (edge_t *)c;
  stream_edge_closed(e->s);
  e->s = NULL;
  P.edge = NULL;
}
static const conn_ops_t edge_ops = {
  .name = "probe-edge", .process_inbuf = edge_inbuf, .flushed_some = edge_flushed,
  .reached_eof = edge_eof, .about_to_close = edge_close,
};

/* ---- the application side ---- */

static void
pattern(uint8_t *buf, size_t off, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    size_t x = off + i;
    buf[i] = (uint8_t)((x * 31u) ^ (x >> 8) ^ (x >> 16));
  }
}

static void
app_write_more(conn_t *c)
{
  uint8_t buf[16384];
  while (P.post_sent < P.post_len && !conn_outbuf_is_full(c)) {
    size_t n = P.post_len - P.post_sent;
    if (n > sizeof(buf))
      n = sizeof(buf);
    pattern(buf, P.post_sent, n);
    EVP_DigestUpdate(P.md_post, buf, n);
    conn_write(c, buf, n);
    P.post_sent += n;
  }
}

static void
consume_body(struct evbuffer *in)
{
  size_t n;
  while ((n = evbuffer_get_length(in)) > 0) {
    uint8_t buf[16384];
    if (n > sizeof(buf))
      n = sizeof(buf);
    evbuffer_remove(in, buf, n);
    EVP_DigestUpdate(P.md, buf, n);
    if (P.reply_len + n < sizeof(P.reply)) {
      memcpy(P.reply + P.reply_len, buf, n);
      P.reply_len += n;
    }
    P.body_len += n;
  }
}

static void
app_inbuf(conn_t *c)
{
  struct evbuffer *in = conn_inbuf(c);
  if (!P.in_body) {
    evbuffer_add_buffer(P.hdr, in);
    struct evbuffer_ptr p = evbuffer_search(P.hdr, "\r\n\r\n", 4, NULL);
    if (p.pos < 0)
      return;
    size_t hl = (size_t)p.pos + 4;
    char line[64] = { 0 };
    evbuffer_copyout(P.hdr, line, sizeof(line) - 1);
    sscanf(line, "HTTP/%*d.%*d %d", &P.status);
    evbuffer_drain(P.hdr, hl);
    P.in_body = 1;
    consume_body(P.hdr);
  }
  consume_body(in);
}

static void
app_eof(conn_t *c)
{
  if (evbuffer_get_length(conn_inbuf(c)))
    fprintf(stderr, "app EOF with %zu unread bytes\n", evbuffer_get_length(conn_inbuf(c)));
  app_inbuf(c);
  P.done = 1;
  conn_mark_for_close(c);
}

static void
app_close(conn_t *c)
{
  (void)c;
  P.app = NULL;
  P.done = 1;
}

static const conn_ops_t app_ops = {
  .name = "probe-app", .process_inbuf = app_inbuf, .flushed_some = app_write_more,
  .reached_eof = app_eof, .about_to_close = app_close,
};

/* ---- stream and circuit ---- */

static void
stream_cb(stream_t *s, stream_event_t ev, const stream_info_t *info, void *arg)
{
  (void)s;
  (void)arg;
  if (ev == STREAM_EV_CONNECTED) {
    P.t_connected = now_sec();
    return;
  }
  P.ended = 1;
  P.end_reason = info->end_reason;
  P.t_end = now_sec();
  if (P.edge) {
    P.edge->s = NULL;
    conn_close_after_flush(&P.edge->base, 10);
  }
}

static void
start_stream(void)
{
  conn_t *a, *b;
  if (conn_new_socketpair(P.ml, &edge_ops, sizeof(edge_t), &app_ops, sizeof(app_t), &a, &b) < 0) {
    P.failed = 1;
    return;
  }
  P.edge = (edge_t *)a;
  P.app = (app_t *)b;
  if (P.dir)
    P.edge->s = stream_begin_dir(P.circ, a, stream_cb, NULL);
  else
    P.edge->s = stream_begin(P.circ, a, P.target, P.port, 0, stream_cb, NULL);
  if (!P.edge->s) {
    P.failed = 1;
    return;
  }
  char req[512];
  if (P.get_path)
    snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", P.get_path, P.target);
  else
    snprintf(req, sizeof(req),
             "POST /upload HTTP/1.0\r\nHost: %s\r\nContent-Length: %zu\r\n\r\n", P.target,
             P.post_len);
  conn_write(b, req, strlen(req));
  app_write_more(b);
}

static void
circ_cb(circuit_t *c, circuit_event_t ev, void *arg)
{
  (void)arg;
  if (ev == CIRCUIT_EV_BUILT) {
    P.built = 1;
    P.t_built = now_sec();
    printf("BUILT ms=%.1f hops=%d\n", (P.t_built - P.t0) * 1e3, circuit_n_hops(c));
    fflush(stdout);
    start_stream();
    return;
  }
  printf("CIRCUIT %s: %s (%s)\n", ev == CIRCUIT_EV_FAILED ? "FAILED" : "CLOSED",
         circuit_close_message(c), circuit_close_is_remote(c) ? "remote" : "local");
  P.circ = NULL;
  P.failed = 1;
}

static int
cond_finished(void *arg)
{
  (void)arg;
  return P.failed || (P.done && P.ended);
}

static int
cond_no_conns(void *arg)
{
  (void)arg;
  return mainloop_n_conns(P.ml) == 0;
}

/* ---- arguments ---- */

static int
unhex(const char *s, size_t n, uint8_t *out)
{
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    if (sscanf(s + 2 * i, "%2x", &v) != 1)
      return -1;
    out[i] = (uint8_t)v;
  }
  return 0;
}

/* IP:PORT,RSAHEX,EDHEX,NTORHEX (EDHEX may be empty). */
static int
parse_hop(const char *arg, circ_hop_t *h)
{
  char ip[64], rsa[64], ed[80], ntor[80];
  unsigned port;
  memset(h, 0, sizeof(*h));
  if (sscanf(arg, "%63[^:]:%u,%63[^,],%79[^,],%79s", ip, &port, rsa, ed, ntor) == 5) {
    h->has_ed = 1;
  } else if (sscanf(arg, "%63[^:]:%u,%63[^,],,%79s", ip, &port, rsa, ntor) != 4) {
    return -1;
  }
  if (netaddr_parse(&h->ipv4, ip) < 0 || port == 0 || port > 65535 || strlen(rsa) != 40 ||
      strlen(ntor) != 64 || unhex(rsa, 20, h->rsa_id) < 0 || unhex(ntor, 32, h->ntor_key) < 0)
    return -1;
  if (h->has_ed && (strlen(ed) != 64 || unhex(ed, 32, h->ed_id) < 0))
    return -1;
  h->ipv4_port = (uint16_t)port;
  return 0;
}

static int
usage(void)
{
  fprintf(stderr, "usage: circ_probe [--log L] [--sendme-accept V] [--sendme-emit V] "
          "--hop IP:PORT,RSA,ED,NTOR ... --target HOST:PORT (--get PATH | --post N) [--dir]\n");
  return 2;
}

int
main(int argc, char **argv)
{
  circ_hop_t path[CIRCUIT_MAX_HOPS];
  int n_hops = 0;
  const char *level = "warn";
  circuit_params_t params;
  circuit_params_default(&params);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--dir")) {
      P.dir = 1;
      continue;
    }
    if (!v)
      return usage();
    i++;
    if (!strcmp(a, "--log")) level = v;
    else if (!strcmp(a, "--sendme-accept")) params.sendme_accept_min_version = atoi(v);
    else if (!strcmp(a, "--sendme-emit")) params.sendme_emit_min_version = atoi(v);
    else if (!strcmp(a, "--get")) P.get_path = v;
    else if (!strcmp(a, "--post")) P.post_len = (size_t)strtoull(v, NULL, 10);
    else if (!strcmp(a, "--target")) {
      unsigned port;
      if (sscanf(v, "%255[^:]:%u", P.target, &port) != 2 || port == 0 || port > 65535)
        return usage();
      P.port = (uint16_t)port;
    } else if (!strcmp(a, "--hop")) {
      if (n_hops == CIRCUIT_MAX_HOPS || parse_hop(v, &path[n_hops]) < 0)
        return usage();
      n_hops++;
    } else {
      return usage();
    }
  }
  if (!n_hops || (!P.get_path && !P.post_len) || (!P.dir && !P.port))
    return usage();
#ifdef _WIN32
  WSADATA wsa;
  WSAStartup(MAKEWORD(2, 2), &wsa);
#else
  signal(SIGPIPE, SIG_IGN);
#endif
  log_set_severity((log_severity_t)log_severity_from_string(level));
  P.hdr = evbuffer_new();
  P.md = EVP_MD_CTX_new();
  P.md_post = EVP_MD_CTX_new();
  EVP_DigestInit_ex(P.md, EVP_sha256(), NULL);
  EVP_DigestInit_ex(P.md_post, EVP_sha256(), NULL);
  P.ml = mainloop_new();
  tls_ctx_t *tls = tls_ctx_new_client();
  chanmgr_t *cm = chanmgr_new(P.ml, tls);
  circuit_ctx_t *ctx = circuit_ctx_new(P.ml, cm);
  circuit_ctx_set_params(ctx, &params);
  P.t0 = now_sec();
  P.circ = circuit_launch(ctx, path, n_hops, circ_cb, NULL);
  int rc = 1;
  if (P.circ && mainloop_run_until(P.ml, cond_finished, NULL, 600) && !P.failed) {
    unsigned char d[32];
    char hex[65];
    double secs = P.t_end - (P.t_connected ? P.t_connected : P.t_built);
    EVP_DigestFinal_ex(P.get_path ? P.md : P.md_post, d, NULL);
    for (int i = 0; i < 32; i++)
      snprintf(hex + 2 * i, 3, "%02x", d[i]);
    size_t bytes = P.get_path ? P.body_len : P.post_sent;
    if (P.get_path) {
      printf("GOT status=%d bytes=%zu sha256=%s secs=%.3f MBps=%.2f\n", P.status, bytes, hex,
             secs, secs > 0 ? bytes / secs / 1e6 : 0.0);
    } else {
      P.reply[P.reply_len < sizeof(P.reply) ? P.reply_len : sizeof(P.reply) - 1] = 0;
      for (char *q = P.reply; *q; q++)
        if (*q == '\r' || *q == '\n')
          *q = ' ';
      printf("POSTED status=%d bytes=%zu sha256=%s reply=%s secs=%.3f MBps=%.2f\n", P.status,
             bytes, hex, P.reply, secs, secs > 0 ? bytes / secs / 1e6 : 0.0);
    }
    printf("END reason=%d\n", P.end_reason);
    rc = 0;
  } else {
    printf("FAILED built=%d ended=%d done=%d body=%zu\n", P.built, P.ended, P.done, P.body_len);
  }
  fflush(stdout);
  if (P.circ)
    circuit_close(P.circ);
  circuit_ctx_free(ctx);
  chanmgr_free(cm);
  /* let the channel close (its DESTROY flushed) before the loop goes */
  mainloop_run_until(P.ml, cond_no_conns, NULL, 5);
  mainloop_free(P.ml);
  tls_ctx_free(tls);
  evbuffer_free(P.hdr);
  EVP_MD_CTX_free(P.md);
  EVP_MD_CTX_free(P.md_post);
  return rc;
}
