/* ap.c — application streams (see ap.h). */
#include "client/ap.h"

#include <stdio.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/log.h"
#include "or/stream.h"

/** Attempts per request: the first stream and one retry (issue: "a stream not
 *  yet connected is retried once on a new circuit"). */
#define AP_MAX_ATTEMPTS 2
/** Seconds a stream may wait for CONNECTED/RESOLVED before we give up on its
 *  circuit (tor: 10 s for the first attempt, 15 s after; CircuitStreamTimeout). */
#define AP_STREAM_TIMEOUT_FIRST 10.0
#define AP_STREAM_TIMEOUT_LATER 15.0

struct ap_ctx_t {
  mainloop_t *ml;
  circpool_t *pool;
  int closing;                   /**< shutting down: no new attempts */
  unsigned n_streams, n_retries;
};

typedef struct ap_conn_t {
  ap_ctx_t *ctx;
  socks_conn_t *sc;
  conn_t *edge;
  socks_request_t req;           /**< our copy */
  char resolve_name[80];         /**< RESOLVE_PTR: the in-addr.arpa / ip6.arpa name */
  size_t iso_len;
  uint8_t iso[CIRCPOOL_ISO_MAX];
  circpool_req_t *creq;
  stream_t *stream;
  const circuit_t *last_circ;    /**< the circuit of the failed attempt (avoided on retry) */
  int attempts;
  mtimer_t *timer;               /**< the stream's CONNECTED/RESOLVED deadline */
  int app_eof;                   /**< the application closed its side before the stream existed */
  int done;                      /**< final reply sent or stream over: no new attempts */
} ap_conn_t;

static void ap_attempt(ap_conn_t *a);

/* --- small helpers ---------------------------------------------------------- */

static int
is_resolve(const ap_conn_t *a)
{
  return a->req.command == SOCKS_CMD_RESOLVE || a->req.command == SOCKS_CMD_RESOLVE_PTR;
}

/** The isolation key: version and credentials (IsolateSOCKSAuth).  Requests
 *  without credentials share circuits with each other only. */
static void
make_iso_key(ap_conn_t *a)
{
  const socks_request_t *r = &a->req;
  a->iso_len = 0;
  if (!r->has_auth)
    return;
  uint8_t *p = a->iso;
  *p++ = r->version;
  *p++ = (uint8_t)r->username_len;
  memcpy(p, r->username, r->username_len);
  p += r->username_len;
  *p++ = (uint8_t)r->password_len;
  memcpy(p, r->password, r->password_len);
  p += r->password_len;
  a->iso_len = (size_t)(p - a->iso);
}

/** The reverse-lookup name of an address ("4.3.2.1.in-addr.arpa"). */
static int
make_ptr_name(const netaddr_t *addr, char *out, size_t outlen)
{
  const uint8_t *b = addr->bytes;
  if (addr->family == NETADDR_IPV4) {
    snprintf(out, outlen, "%u.%u.%u.%u.in-addr.arpa", b[3], b[2], b[1], b[0]);
    return 0;
  }
  if (addr->family == NETADDR_IPV6 && outlen >= 16 * 4 + sizeof("ip6.arpa")) {
    static const char hex[] = "0123456789abcdef";
    char *p = out;
    for (int i = 15; i >= 0; i--) {
      *p++ = hex[b[i] & 0xf];
      *p++ = '.';
      *p++ = hex[b[i] >> 4];
      *p++ = '.';
    }
    strcpy(p, "ip6.arpa");
    return 0;
  }
  return -1;
}

/** Before CONNECTED, is this END worth another circuit?  Not when the
 *  destination itself refused or reset: another exit would hear the same. */
static int
end_reason_is_retriable(uint8_t reason)
{
  switch (reason) {
  case END_REASON_CONNECTREFUSED:
  case END_REASON_DONE:
  case END_REASON_CONNRESET:
    return 0;
  default:
    return 1;
  }
}

/** BEGIN flags as tor's client sets them with its default SocksPort flags
 *  (IPv4 and IPv6 traffic allowed): IPv6 is fine for SOCKS5 hostnames and
 *  IPv6 literals; an IPv4 literal or a SOCKS4 request needs nothing. */
static uint32_t
begin_flags(const ap_conn_t *a)
{
  if (a->req.version == SOCKS_VERSION_4 || a->req.addr.family == NETADDR_IPV4)
    return 0;
  return BEGIN_FLAG_IPV6_OK;
}

static void
fail(ap_conn_t *a, socks5_rep_t rep, const char *why)
{
  log_info(LD_APP, "SOCKS request for %s:%u failed: %s", a->req.host, (unsigned)a->req.port,
           why);
  a->done = 1;
  if (!socks_conn_has_replied(a->sc))
    socks_conn_reply_error(a->sc, rep);
  else if (a->edge && !conn_is_marked(a->edge))
    conn_mark_for_close(a->edge);
}

/* --- stream events ---------------------------------------------------------- */

static void
reply_resolved(ap_conn_t *a, const resolved_cell_t *rc)
{
  /* The first answer the client's SOCKS version can carry: addresses for
   * RESOLVE, a hostname for RESOLVE_PTR. */
  for (size_t i = 0; rc && i < rc->n_answers; i++) {
    const resolved_answer_t *ans = &rc->answers[i];
    if (a->req.command == SOCKS_CMD_RESOLVE_PTR) {
      if (ans->type == RESOLVED_TYPE_HOSTNAME && ans->len > 0) {
        socks_conn_reply_resolved(a->sc, ans->type, ans->value, ans->len);
        return;
      }
    } else if (ans->type == RESOLVED_TYPE_IPV4 ||
               (ans->type == RESOLVED_TYPE_IPV6 && a->req.version == SOCKS_VERSION_5)) {
      socks_conn_reply_resolved(a->sc, ans->type, ans->addr.bytes, netaddr_len(&ans->addr));
      return;
    }
  }
  fail(a, SOCKS5_REP_HOST_UNREACHABLE, "no usable answer in RESOLVED");
}

static void
stream_event(stream_t *s, stream_event_t ev, const stream_info_t *info, void *arg)
{
  ap_conn_t *a = arg;
  (void)s;
  mtimer_cancel(a->timer);
  switch (ev) {
  case STREAM_EV_CONNECTED:
    log_info(LD_APP, "stream %u to %s:%u connected", (unsigned)stream_get_id(s), a->req.host,
             (unsigned)a->req.port);
    socks_conn_reply_connected(a->sc, info->addr.family != NETADDR_NONE ? &info->addr : NULL,
                               a->req.port);
    return;
  case STREAM_EV_RESOLVED:
    a->stream = NULL;
    a->done = 1;
    reply_resolved(a, info->resolved);
    return;
  case STREAM_EV_END:
    a->stream = NULL;
    if (info->was_connected) {
      /* Deliver what came in, then close (half-closed streams end here). */
      a->done = 1;
      if (a->edge && !conn_is_marked(a->edge))
        conn_close_after_flush(a->edge, 30.0);
      return;
    }
    if (!a->done && !a->ctx->closing && end_reason_is_retriable(info->end_reason) &&
        a->attempts < AP_MAX_ATTEMPTS) {
      log_info(LD_APP, "stream to %s:%u ended before it connected (reason %u); retrying on "
               "another circuit", a->req.host, (unsigned)a->req.port,
               (unsigned)info->end_reason);
      a->ctx->n_retries++;
      ap_attempt(a);
      return;
    }
    fail(a, socks_reply_from_end_reason(info->end_reason), "the exit ended the stream");
    return;
  }
}

/* --- circuit answers -------------------------------------------------------- */

static void
got_circuit(circuit_t *circ, const char *err, void *arg)
{
  ap_conn_t *a = arg;
  a->creq = NULL;
  if (!circ) {
    fail(a, SOCKS5_REP_GENERAL_FAILURE, err ? err : "no circuit");
    return;
  }
  a->last_circ = circ;
  a->ctx->n_streams++;
  if (is_resolve(a)) {
    const char *name = a->req.command == SOCKS_CMD_RESOLVE_PTR ? a->resolve_name : a->req.host;
    a->stream = stream_resolve(circ, name, stream_event, a);
  } else {
    a->stream = stream_begin(circ, a->edge, a->req.host, a->req.port, begin_flags(a),
                             stream_event, a);
  }
  if (!a->stream) {
    if (a->attempts < AP_MAX_ATTEMPTS && !a->ctx->closing) {
      ap_attempt(a);
      return;
    }
    fail(a, SOCKS5_REP_GENERAL_FAILURE, "could not open a stream on the circuit");
    return;
  }
  mtimer_schedule(a->timer, a->attempts > 1 ? AP_STREAM_TIMEOUT_LATER : AP_STREAM_TIMEOUT_FIRST);
  if (a->app_eof && !is_resolve(a))
    stream_edge_eof(a->stream);
}

/* No CONNECTED / RESOLVED in time: end the stream (END TIMEOUT to the exit)
 * and try another circuit once, else answer "TTL expired" as tor does. */
static void
stream_timeout(mtimer_t *t, void *arg)
{
  ap_conn_t *a = arg;
  (void)t;
  if (!a->stream || stream_is_connected(a->stream))
    return;
  log_info(LD_APP, "stream to %s:%u: no answer from the exit in time", a->req.host,
           (unsigned)a->req.port);
  stream_close(a->stream, END_REASON_TIMEOUT);
  a->stream = NULL;
  if (a->attempts < AP_MAX_ATTEMPTS && !a->ctx->closing) {
    a->ctx->n_retries++;
    ap_attempt(a);
    return;
  }
  fail(a, SOCKS5_REP_TTL_EXPIRED, "timed out waiting for the exit");
}

static void
ap_attempt(ap_conn_t *a)
{
  a->attempts++;
  uint16_t port = is_resolve(a) ? 0 : a->req.port;
  a->creq = circpool_get(a->ctx->pool, port, a->iso, a->iso_len, a->last_circ, got_circuit, a);
}

/* --- the connection's hooks -------------------------------------------------- */

static void
hook_readable(conn_t *c, void *arg)
{
  ap_conn_t *a = arg;
  (void)c;
  if (a->stream)
    stream_edge_readable(a->stream);
  /* Before the stream exists the bytes wait in the inbuf (optimistic data). */
}

static void
hook_flushed_some(conn_t *c, void *arg)
{
  ap_conn_t *a = arg;
  (void)c;
  if (a->stream)
    stream_edge_flushed_some(a->stream);
}

static void
hook_eof(conn_t *c, void *arg)
{
  ap_conn_t *a = arg;
  if (a->stream) {
    stream_edge_eof(a->stream);
  } else if (a->done) {
    conn_mark_for_close(c);
  } else {
    a->app_eof = 1;              /* send END once the stream exists */
  }
}

static void
hook_closed(conn_t *c, void *arg)
{
  ap_conn_t *a = arg;
  (void)c;
  circpool_cancel(a->creq);
  if (a->stream)
    stream_edge_closed(a->stream);
  mtimer_free(a->timer);
  x_free(a);
}

static const socks_edge_hooks_t ap_hooks = {
  .readable = hook_readable,
  .flushed_some = hook_flushed_some,
  .eof = hook_eof,
  .closed = hook_closed,
};

/* --- API -------------------------------------------------------------------- */

ap_ctx_t *
ap_ctx_new(mainloop_t *ml, circpool_t *pool)
{
  ap_ctx_t *ctx = x_calloc(1, sizeof(*ctx));
  ctx->ml = ml;
  ctx->pool = pool;
  return ctx;
}

void
ap_ctx_shutdown(ap_ctx_t *ctx)
{
  ctx->closing = 1;
}

void
ap_ctx_free(ap_ctx_t *ctx)
{
  x_free(ctx);
}

void
ap_handle_socks_request(socks_conn_t *sc, const socks_request_t *req, void *arg)
{
  ap_ctx_t *ctx = arg;
  if (req->command == SOCKS_CMD_RESOLVE_PTR && req->addr.family == NETADDR_NONE) {
    socks_conn_reply_error(sc, SOCKS5_REP_ATYP_NOT_SUPPORTED);
    return;
  }
  ap_conn_t *a = x_calloc(1, sizeof(*a));
  a->ctx = ctx;
  a->sc = sc;
  a->timer = mtimer_new(ctx->ml, stream_timeout, a);
  a->req = *req;
  if (req->command == SOCKS_CMD_RESOLVE_PTR)
    make_ptr_name(&req->addr, a->resolve_name, sizeof(a->resolve_name));
  make_iso_key(a);
  a->edge = socks_conn_take_edge(sc, &ap_hooks, a);
  if (!a->edge) {
    mtimer_free(a->timer);
    x_free(a);
    socks_conn_reply_error(sc, SOCKS5_REP_GENERAL_FAILURE);
    return;
  }
  log_info(LD_APP, "SOCKS%u %s request for %s:%u", (unsigned)req->version,
           req->command == SOCKS_CMD_CONNECT ? "CONNECT" : "RESOLVE", req->host,
           (unsigned)req->port);
  ap_attempt(a);
}

unsigned
ap_ctx_n_streams(const ap_ctx_t *ctx)
{
  return ctx->n_streams;
}

unsigned
ap_ctx_n_retries(const ap_ctx_t *ctx)
{
  return ctx->n_retries;
}
