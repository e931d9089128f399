/* dirtunnel.c — BEGIN_DIR tunnels for the directory client (see dirtunnel.h). */
#include "client/dirtunnel.h"

#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "dir/dirconn.h"
#include "lib/alloc.h"
#include "lib/log.h"
#include "or/stream.h"

#define EDGE_MAGIC 0xd17e0d9eu
/** Seconds the edge may take to flush the response to the dirconn end. */
#define EDGE_FLUSH_DEADLINE 30.0

typedef struct tunnel_edge_t {
  conn_t base;                     /* first: conn_t * <-> tunnel_edge_t * */
  uint32_t magic;
  dirtunnel_t *t;                  /* NULL once the tunnel maker is freed */
  struct tunnel_edge_t *next, *prev;
  circpool_req_t *creq;            /* waiting for a directory circuit */
  stream_t *stream;
  unsigned serial;                 /* for logs */
  char relay[96];                  /* "nick ($FP)" once on a circuit */
  char request[80];                /* the request line, for logs */
  int connected;
  int client_gone;                 /* the dirconn end closed (EOF on the edge) */
} tunnel_edge_t;

struct dirtunnel_t {
  mainloop_t *ml;
  circpool_t *pool;
  tunnel_edge_t *edges;            /* live edges */
  dirtunnel_stats_t stats;
};

static tunnel_edge_t *
to_edge(conn_t *c)
{
  tunnel_edge_t *e = (tunnel_edge_t *)c;
  return (e && e->magic == EDGE_MAGIC) ? e : NULL;
}

static void
edge_unlink(tunnel_edge_t *e)
{
  dirtunnel_t *t = e->t;
  if (!t)
    return;
  if (e->prev)
    e->prev->next = e->next;
  else
    t->edges = e->next;
  if (e->next)
    e->next->prev = e->prev;
  e->next = e->prev = NULL;
  t->stats.n_live--;
  e->t = NULL;
}

/* Remember the request line ("GET /tor/... HTTP/1.0") for the logs. */
static void
peek_request(tunnel_edge_t *e)
{
  if (e->request[0])
    return;
  char buf[sizeof(e->request)];
  ev_ssize_t n = evbuffer_copyout(conn_inbuf(&e->base), buf, sizeof(buf) - 1);
  if (n <= 0)
    return;
  buf[n] = '\0';
  char *eol = strpbrk(buf, "\r\n");
  if (!eol && (size_t)n < sizeof(buf) - 1)
    return;  /* not the whole line yet */
  if (eol)
    *eol = '\0';
  if (!strncmp(buf, "GET ", 4)) {
    char *sp = strchr(buf + 4, ' ');
    if (sp)
      *sp = '\0';  /* drop " HTTP/1.0" */
  }
  snprintf(e->request, sizeof(e->request), "%s", buf);
}

/* The tunnel failed before a response could come: close the edge now, so
 * the dirconn end sees the close and the dir client falls back. */
static void
edge_fail(tunnel_edge_t *e, const char *why)
{
  if (e->t)
    e->t->stats.n_failed++;
  log_info(LD_DIR, "BEGIN_DIR tunnel %u%s%s failed: %s", e->serial, e->relay[0] ? " to " : "",
           e->relay, why);
  if (!conn_is_marked(&e->base))
    conn_mark_for_close(&e->base);
}

/* ---- the stream ---- */

static void
stream_event(stream_t *s, stream_event_t ev, const stream_info_t *info, void *arg)
{
  tunnel_edge_t *e = arg;
  if (ev == STREAM_EV_CONNECTED) {
    e->connected = 1;
    if (e->t)
      e->t->stats.n_connected++;
    peek_request(e);
    log_info(LD_DIR, "BEGIN_DIR stream %u to %s on circuit %u connected: %s",
             (unsigned)stream_get_id(s), e->relay,
             e->t ? circpool_circuit_serial(e->t->pool, stream_get_circuit(s)) : 0,
             e->request[0] ? e->request : "(request not read yet)");
    return;
  }
  /* STREAM_EV_END (no RESOLVED on a BEGIN_DIR stream): s is gone after this. */
  e->stream = NULL;
  if (!info->was_connected) {
    char why[64];
    snprintf(why, sizeof(why), "stream ended before CONNECTED (reason %u)",
             (unsigned)info->end_reason);
    edge_fail(e, why);
    return;
  }
  log_info(LD_DIR, "BEGIN_DIR stream %u to %s ended (reason %u, %s): %s",
           (unsigned)stream_get_id(s), e->relay, (unsigned)info->end_reason,
           info->remote ? "by the relay" : "by us", e->request);
  if (conn_is_marked(&e->base))
    return;
  if (e->client_gone)
    conn_mark_for_close(&e->base);   /* the dir client is gone: nothing to deliver */
  else
    conn_close_after_flush(&e->base, EDGE_FLUSH_DEADLINE);  /* EOF ends the HTTP body */
}

static void
got_circuit(circuit_t *circ, const char *err, void *arg)
{
  tunnel_edge_t *e = arg;
  e->creq = NULL;
  if (!circ) {
    edge_fail(e, err ? err : "no directory circuit");
    return;
  }
  if (e->t)
    circpool_circuit_describe(e->t->pool, circ, e->relay, sizeof(e->relay));
  e->stream = stream_begin_dir(circ, &e->base, stream_event, e);
  if (!e->stream) {
    edge_fail(e, "could not open a BEGIN_DIR stream on the circuit");
    return;
  }
  /* The request waits in the edge's inbuf until CONNECTED (stream.h). */
}

/* ---- the edge's conn events ---- */

static void
edge_process_inbuf(conn_t *c)
{
  tunnel_edge_t *e = to_edge(c);
  if (!e)
    return;
  peek_request(e);
  if (e->stream)
    stream_edge_readable(e->stream);
}

static void
edge_flushed_some(conn_t *c)
{
  tunnel_edge_t *e = to_edge(c);
  if (e && e->stream)
    stream_edge_flushed_some(e->stream);
}

static void
edge_reached_eof(conn_t *c)
{
  tunnel_edge_t *e = to_edge(c);
  if (!e) {
    conn_mark_for_close(c);
    return;
  }
  /* The dir client finished (or gave up on) its request. */
  e->client_gone = 1;
  circpool_cancel(e->creq);
  e->creq = NULL;
  if (e->stream && e->connected) {
    stream_edge_eof(e->stream);      /* END DONE; STREAM_EV_END closes the edge */
    return;
  }
  if (e->stream) {
    stream_close(e->stream, END_REASON_DONE);
    e->stream = NULL;
  }
  if (!conn_is_marked(c))
    conn_mark_for_close(c);
}

static void
edge_about_to_close(conn_t *c)
{
  tunnel_edge_t *e = to_edge(c);
  if (!e)
    return;
  circpool_cancel(e->creq);
  e->creq = NULL;
  if (e->stream) {
    stream_edge_closed(e->stream);
    e->stream = NULL;
  }
  edge_unlink(e);
  e->magic = 0;
}

static const conn_ops_t edge_ops = {
  .name = "dir-tunnel",
  .process_inbuf = edge_process_inbuf,
  .flushed_some = edge_flushed_some,
  .reached_eof = edge_reached_eof,
  .about_to_close = edge_about_to_close,
};

/* ---- API ---- */

dirtunnel_t *
dirtunnel_new(mainloop_t *ml, circpool_t *pool)
{
  dirtunnel_t *t = x_calloc(1, sizeof(*t));
  t->ml = ml;
  t->pool = pool;
  return t;
}

void
dirtunnel_free(dirtunnel_t *t)
{
  if (!t)
    return;
  while (t->edges) {
    tunnel_edge_t *e = t->edges;
    circpool_cancel(e->creq);
    e->creq = NULL;
    if (e->stream) {
      stream_edge_closed(e->stream);
      e->stream = NULL;
    }
    edge_unlink(e);
    if (!conn_is_marked(&e->base))
      conn_mark_for_close(&e->base);
  }
  x_free(t);
}

conn_t *
dirtunnel_open(void *arg)
{
  dirtunnel_t *t = arg;
  conn_t *a, *b;
  if (conn_new_socketpair(t->ml, &dirconn_ops, dirconn_size(), &edge_ops,
                          sizeof(tunnel_edge_t), &a, &b) < 0) {
    log_info(LD_DIR, "BEGIN_DIR tunnel: no socket pair");
    return NULL;
  }
  tunnel_edge_t *e = (tunnel_edge_t *)b;
  e->magic = EDGE_MAGIC;
  e->t = t;
  e->serial = ++t->stats.n_opened;
  e->next = t->edges;
  if (t->edges)
    t->edges->prev = e;
  t->edges = e;
  t->stats.n_live++;
  e->creq = circpool_get_dir(t->pool, NULL, got_circuit, e);
  return a;
}

void
dirtunnel_get_stats(const dirtunnel_t *t, dirtunnel_stats_t *out)
{
  *out = t->stats;
}
