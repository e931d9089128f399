/* dirconn.c — one HTTP/1.0 directory request over a conn_t (see dirconn.h). */
#include "dir/dirconn.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <event2/buffer.h>
#include <event2/util.h>

#include "lib/alloc.h"
#include "lib/compress/compress.h"
#include "lib/log.h"
#include "proto/http/http.h"

typedef enum dc_state_t {
  DC_IDLE = 0,     /* no request yet */
  DC_HEAD,         /* waiting for the response head */
  DC_BODY,         /* reading the body */
  DC_DONE,         /* the callback ran (or was cancelled) */
} dc_state_t;

typedef struct dirconn_t {
  conn_t base;               /* first: conn_t * <-> dirconn_t * */
  uint32_t magic;
  dc_state_t state;
  int connected;
  char *path;
  dirconn_done_fn done;
  void *arg;
  size_t max_body;
  double started;
  mtimer_t *connect_timer, *total_timer;
  http_response_t head;
  struct evbuffer *body;     /* raw body bytes */
  char peer[96];             /* for logs and results: "addr:port" (c->peer at start) */
} dirconn_t;

#define DIRCONN_MAGIC 0xd1c0aa17u

static dirconn_t *
to_dc(conn_t *c)
{
  dirconn_t *d = (dirconn_t *)c;
  return (d && d->magic == DIRCONN_MAGIC) ? d : NULL;
}

size_t
dirconn_size(void)
{
  return sizeof(dirconn_t);
}

const char *
dirconn_status_to_string(dirconn_status_t status)
{
  switch (status) {
  case DIRCONN_OK: return "ok";
  case DIRCONN_CONNECT_FAILED: return "connect failed";
  case DIRCONN_TIMEOUT: return "timeout";
  case DIRCONN_HTTP_STATUS: return "http status";
  case DIRCONN_BAD_RESPONSE: return "bad response";
  case DIRCONN_TOO_BIG: return "too big";
  case DIRCONN_BAD_ENCODING: return "bad encoding";
  case DIRCONN_CLOSED: return "closed";
  }
  return "?";
}

static double
now_monotonic(void)
{
  struct timeval tv;
  evutil_gettimeofday(&tv, NULL);
  return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* Deliver the result once and close the connection.  body (may be NULL) is
 * handed to the callback. */
static void
dc_finish(dirconn_t *d, dirconn_status_t status, char *body, size_t body_len,
          const char *fmt, ...) LOG_FORMAT_ATTR(5, 6);

static void
dc_finish(dirconn_t *d, dirconn_status_t status, char *body, size_t body_len, const char *fmt,
          ...)
{
  if (d->state == DC_DONE) {
    x_free(body);
    return;
  }
  d->state = DC_DONE;
  mtimer_cancel(d->connect_timer);
  mtimer_cancel(d->total_timer);
  dirconn_result_t res;
  memset(&res, 0, sizeof(res));
  res.status = status;
  res.http_status = d->head.status;
  res.body = body;
  res.body_len = body_len;
  res.raw_len = d->body ? evbuffer_get_length(d->body) : 0;
  res.elapsed = now_monotonic() - d->started;
  snprintf(res.peer, sizeof(res.peer), "%s", d->peer);
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res.reason, sizeof(res.reason), fmt, ap);
    va_end(ap);
  }
  dirconn_done_fn done = d->done;
  d->done = NULL;
  if (!conn_is_marked(&d->base))
    conn_mark_for_close(&d->base);
  if (done)
    done(&res, d->arg);
  x_free(res.body);
}

/* The body is complete: decode it and deliver it. */
static void
dc_complete_body(dirconn_t *d)
{
  size_t raw_len = evbuffer_get_length(d->body);
  const uint8_t *raw = raw_len ? evbuffer_pullup(d->body, -1) : (const uint8_t *)"";
  compress_method_t method = d->head.encoding;
  if (d->head.encoding_unknown)
    method = compress_detect_method(raw, raw_len);  /* as tor does with odd encodings */
  uint8_t *out = NULL;
  size_t out_len = 0;
  compress_result_t r = compress_inflate_buf(method, raw, raw_len, d->max_body,
                                             method == COMPRESS_IDENTITY
                                               ? 0 : COMPRESS_DEFAULT_MAX_RATIO,
                                             &out, &out_len);
  if (r != COMPRESS_DONE) {
    dirconn_status_t st = (r == COMPRESS_TOO_LARGE || r == COMPRESS_BOMB) ? DIRCONN_TOO_BIG
                                                                          : DIRCONN_BAD_ENCODING;
    dc_finish(d, st, NULL, 0, "%s %s: %s body: %s", d->peer, d->path,
              compress_method_to_string(method), compress_result_to_string(r));
    return;
  }
  dc_finish(d, DIRCONN_OK, (char *)out, out_len, NULL);
}

static void
dc_read_body(dirconn_t *d)
{
  struct evbuffer *in = conn_inbuf(&d->base);
  evbuffer_add_buffer(d->body, in);
  size_t have = evbuffer_get_length(d->body);
  if (have > d->max_body) {
    dc_finish(d, DIRCONN_TOO_BIG, NULL, 0, "%s %s: body over %zu bytes", d->peer, d->path,
              d->max_body);
    return;
  }
  if (d->head.has_content_length && have >= d->head.content_length) {
    if (have > d->head.content_length)
      evbuffer_drain(d->body, have - d->head.content_length);  /* not ours: ignore */
    dc_complete_body(d);
  }
}

static void
dc_process_inbuf(conn_t *c)
{
  dirconn_t *d = to_dc(c);
  if (!d || d->state == DC_DONE || d->state == DC_IDLE) {
    if (d && d->state == DC_IDLE)
      return;  /* nothing asked yet: leave it */
    evbuffer_drain(conn_inbuf(c), evbuffer_get_length(conn_inbuf(c)));
    return;
  }
  if (d->state == DC_HEAD) {
    parse_result_t r = http_response_parse(conn_inbuf(c), &d->head);
    if (r == PARSE_NEED_MORE)
      return;
    if (r != PARSE_DONE) {
      dc_finish(d, DIRCONN_BAD_RESPONSE, NULL, 0, "%s %s: not an HTTP/1.x response head (or "
                "one over %d bytes)", d->peer, d->path, HTTP_MAX_HEAD_SIZE);
      return;
    }
    if (d->head.status != 200) {
      dc_finish(d, DIRCONN_HTTP_STATUS, NULL, 0, "%s %s: HTTP status %d %s", d->peer, d->path,
                d->head.status, d->head.reason);
      return;
    }
    if (d->head.has_content_length && d->head.content_length > d->max_body) {
      dc_finish(d, DIRCONN_TOO_BIG, NULL, 0, "%s %s: Content-Length %llu over %zu bytes",
                d->peer, d->path, (unsigned long long)d->head.content_length, d->max_body);
      return;
    }
    d->state = DC_BODY;
  }
  dc_read_body(d);
}

static void
dc_reached_eof(conn_t *c)
{
  dirconn_t *d = to_dc(c);
  if (d && d->state == DC_HEAD) {
    dc_process_inbuf(c);  /* a head and body may have come with the close */
  }
  if (d && d->state == DC_BODY) {
    dc_read_body(d);
    if (d->state == DC_BODY) {
      if (d->head.has_content_length)
        dc_finish(d, DIRCONN_CLOSED, NULL, 0, "%s %s: closed after %zu of %llu body bytes",
                  d->peer, d->path, evbuffer_get_length(d->body),
                  (unsigned long long)d->head.content_length);
      else
        dc_complete_body(d);
    }
  }
  if (d && d->state == DC_HEAD)
    dc_finish(d, DIRCONN_CLOSED, NULL, 0, "%s %s: closed before a complete response head",
              d->peer, d->path);
  if (!conn_is_marked(c))
    conn_mark_for_close(c);
}

static void
dc_finished_connecting(conn_t *c)
{
  dirconn_t *d = to_dc(c);
  if (!d)
    return;
  d->connected = 1;
  mtimer_cancel(d->connect_timer);
}

static void
dc_about_to_close(conn_t *c)
{
  dirconn_t *d = to_dc(c);
  if (!d)
    return;
  if (d->state == DC_HEAD || d->state == DC_BODY) {
    if (!d->connected && c->outgoing)
      dc_finish(d, DIRCONN_CONNECT_FAILED, NULL, 0, "%s %s: cannot connect: %s", c->peer,
                d->path, c->last_error ? evutil_socket_error_to_string(c->last_error)
                                       : "closed");
    else
      dc_finish(d, DIRCONN_CLOSED, NULL, 0, "%s %s: connection closed%s%s", d->peer, d->path,
                c->last_error ? ": " : "",
                c->last_error ? evutil_socket_error_to_string(c->last_error) : "");
  }
  mtimer_free(d->connect_timer);
  mtimer_free(d->total_timer);
  d->connect_timer = d->total_timer = NULL;
  if (d->body)
    evbuffer_free(d->body);
  d->body = NULL;
  FREE_AND_NULL(x_free, d->path);
  d->magic = 0;
}

const conn_ops_t dirconn_ops = {
  .name = "dir",
  .process_inbuf = dc_process_inbuf,
  .finished_connecting = dc_finished_connecting,
  .reached_eof = dc_reached_eof,
  .about_to_close = dc_about_to_close,
};

static void
connect_timeout_cb(mtimer_t *t, void *arg)
{
  dirconn_t *d = arg;
  (void)t;
  if (!d->connected)
    dc_finish(d, DIRCONN_TIMEOUT, NULL, 0, "%s %s: connect timed out", d->peer, d->path);
}

static void
total_timeout_cb(mtimer_t *t, void *arg)
{
  dirconn_t *d = arg;
  (void)t;
  dc_finish(d, DIRCONN_TIMEOUT, NULL, 0, "%s %s: no complete response within the timeout "
            "(%s)", d->peer, d->path, d->state == DC_HEAD ? "no head" : "body incomplete");
}

int
dirconn_start(conn_t *c, const dirconn_request_t *req)
{
  if (!c || c->ops != &dirconn_ops || conn_is_marked(c) || !req->done || !req->path)
    return -1;
  dirconn_t *d = (dirconn_t *)c;
  if (d->magic == DIRCONN_MAGIC && d->state != DC_IDLE)
    return -1;
  d->magic = DIRCONN_MAGIC;
  d->state = DC_HEAD;
  d->connected = !c->connecting;
  d->path = x_strdup(req->path);
  d->done = req->done;
  d->arg = req->arg;
  d->max_body = req->max_body ? req->max_body : DIRCONN_MAX_CERTS;
  d->started = now_monotonic();
  snprintf(d->peer, sizeof(d->peer), "%s", c->peer);
  d->body = evbuffer_new();
  d->connect_timer = mtimer_new(c->ml, connect_timeout_cb, d);
  d->total_timer = mtimer_new(c->ml, total_timeout_cb, d);
  if (!d->connected)
    mtimer_schedule(d->connect_timer,
                    req->connect_timeout > 0 ? req->connect_timeout : DIRCONN_CONNECT_TIMEOUT);
  mtimer_schedule(d->total_timer,
                  req->total_timeout > 0 ? req->total_timeout : DIRCONN_TOTAL_TIMEOUT);
  struct evbuffer *out = evbuffer_new();
  if (http_request_build_get(out, req->path, req->host, 1) < 0) {
    evbuffer_free(out);
    d->state = DC_DONE;
    d->done = NULL;
    return -1;
  }
  conn_write_buffer(c, out);
  evbuffer_free(out);
  log_debug(LD_DIR, "conn %llu: GET %s from %s", (unsigned long long)c->global_id, req->path,
            d->peer);
  /* Bytes may already be waiting (a transport that delivered early). */
  return 0;
}

conn_t *
dirconn_connect_tcp(mainloop_t *ml, const struct sockaddr *addr, int addrlen,
                    const dirconn_request_t *req)
{
  conn_t *c = conn_connect(ml, &dirconn_ops, sizeof(dirconn_t), addr, addrlen, NULL);
  if (!c)
    return NULL;
  if (dirconn_start(c, req) < 0) {
    conn_mark_for_close(c);
    return NULL;
  }
  return c;
}

void
dirconn_cancel(conn_t *c)
{
  dirconn_t *d = to_dc(c);
  if (!d)
    return;
  d->done = NULL;
  d->state = DC_DONE;
  mtimer_cancel(d->connect_timer);
  mtimer_cancel(d->total_timer);
  if (!conn_is_marked(c))
    conn_mark_for_close(c);
}
