/* socks_conn.c — the SOCKS port: listener, handshake, and the hand-over of
 * each request to its owner (see socks_conn.h). */
#include "client/socks_conn.h"

#include <string.h>
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <netinet/in.h>
#include <sys/socket.h>
#endif

#include <event2/buffer.h>

#include "core/listener.h"
#include "lib/alloc.h"
#include "lib/log.h"

#define SOCKS_CONN_MAGIC 0x534f434bu  /* "SOCK" */

typedef enum sc_state_t {
  SC_HANDSHAKE = 0,  /**< running the SOCKS handshake */
  SC_WAITING,        /**< the request callback is running */
  SC_EDGE,           /**< taken over by a stream: hooks get the events */
  SC_CLOSING,        /**< refused, failed or answered: closing after flush */
} sc_state_t;

struct socks_conn_t {
  conn_t base;                        /* first: conn.c allocates and frees us */
  uint32_t magic;
  sc_state_t state;
  unsigned replied : 1;               /* the final reply went out */
  socks_parser_t parser;
  mtimer_t *timer;                    /* handshake timeout */
  socks_request_cb cb;                /* copied from the listener, which may go first */
  void *cb_arg;
  const socks_edge_hooks_t *hooks;
  void *stream;
};

struct socks_listener_t {
  listener_t *l;
  mainloop_t *ml;
  socks_request_cb cb;
  void *arg;
  double handshake_timeout;
  int prefer_no_auth;
  unsigned n_accepted;
};

static void socks_process_inbuf(conn_t *c);
static void socks_flushed_some(conn_t *c);
static void socks_reached_eof(conn_t *c);
static void socks_about_to_close(conn_t *c);

static const conn_ops_t socks_conn_ops = {
  .name = "socks",
  .process_inbuf = socks_process_inbuf,
  .flushed_some = socks_flushed_some,
  .reached_eof = socks_reached_eof,
  .about_to_close = socks_about_to_close,
};

socks_conn_t *
socks_conn_from_conn(conn_t *c)
{
  if (!c || c->ops != &socks_conn_ops)
    return NULL;
  socks_conn_t *sc = (socks_conn_t *)c;
  return sc->magic == SOCKS_CONN_MAGIC ? sc : NULL;
}

conn_t *
socks_conn_to_conn(socks_conn_t *sc)
{
  return &sc->base;
}

const socks_request_t *
socks_conn_request(const socks_conn_t *sc)
{
  return &sc->parser.req;
}

int
socks_conn_has_replied(const socks_conn_t *sc)
{
  return sc->replied;
}

/* ---- replies ---- */

static int
send_final(socks_conn_t *sc, const uint8_t *reply, int len, int close)
{
  if (len <= 0 || sc->replied || sc->state == SC_CLOSING || conn_is_marked(&sc->base))
    return -1;
  sc->replied = 1;
  conn_write(&sc->base, reply, (size_t)len);
  if (close) {
    sc->state = SC_CLOSING;
    conn_close_after_flush(&sc->base, SOCKS_ERROR_FLUSH_DEADLINE);
  }
  return 0;
}

int
socks_conn_reply_connected(socks_conn_t *sc, const netaddr_t *bnd, uint16_t bnd_port)
{
  uint8_t out[SOCKS_REPLY_MAX];
  if (sc->state != SC_EDGE)
    return -1;
  int n = socks_reply_encode(out, sizeof(out), sc->parser.req.version, SOCKS5_REP_SUCCEEDED,
                             bnd, bnd_port);
  return send_final(sc, out, n, 0);
}

int
socks_conn_reply_error(socks_conn_t *sc, socks5_rep_t rep)
{
  uint8_t out[SOCKS_REPLY_MAX];
  if (rep == SOCKS5_REP_SUCCEEDED || (sc->state != SC_WAITING && sc->state != SC_EDGE))
    return -1;
  int n = socks_reply_encode(out, sizeof(out), sc->parser.req.version, rep, NULL, 0);
  return send_final(sc, out, n, 1);
}

int
socks_conn_reply_resolved(socks_conn_t *sc, uint8_t answer_type, const uint8_t *answer,
                          size_t answer_len)
{
  uint8_t out[SOCKS_REPLY_MAX];
  if (sc->state != SC_WAITING && sc->state != SC_EDGE)
    return -1;
  int n = socks_reply_encode_resolved(out, sizeof(out), sc->parser.req.version, answer_type,
                                      answer, answer_len);
  return send_final(sc, out, n, 1);
}

conn_t *
socks_conn_take_edge(socks_conn_t *sc, const socks_edge_hooks_t *hooks, void *stream)
{
  if (sc->state != SC_WAITING || sc->replied || conn_is_marked(&sc->base) || !hooks ||
      !hooks->closed)
    return NULL;
  sc->hooks = hooks;
  sc->stream = stream;
  sc->state = SC_EDGE;
  return &sc->base;
}

/* ---- connection callbacks ---- */

/* Run the handshake over what is in the inbuf.  Returns 1 once a whole
 * request is parsed, 0 if more is needed, -1 if the connection is closing. */
static int
run_handshake(socks_conn_t *sc)
{
  conn_t *c = &sc->base;
  for (;;) {
    parse_result_t r = socks_parse(&sc->parser, conn_inbuf(c));
    if (r == PARSE_NEED_MORE)
      return 0;
    if (sc->parser.reply_len)
      conn_write(c, sc->parser.reply, sc->parser.reply_len);
    if (r == PARSE_INVALID) {
      log_info(LD_APP, "conn %llu: bad SOCKS handshake; closing",
               (unsigned long long)c->global_id);
      sc->state = SC_CLOSING;
      conn_close_after_flush(c, SOCKS_ERROR_FLUSH_DEADLINE);
      return -1;
    }
    if (socks_parser_is_done(&sc->parser))
      return 1;
  }
}

static void
hand_over(socks_conn_t *sc)
{
  conn_t *c = &sc->base;
  mtimer_cancel(sc->timer);
  sc->state = SC_WAITING;
  sc->cb(sc, &sc->parser.req, sc->cb_arg);
  if (conn_is_marked(c))
    return;
  if (sc->state == SC_WAITING) {
    log_warn(LD_BUG, "SOCKS request on conn %llu was neither answered nor taken; refusing it",
             (unsigned long long)c->global_id);
    socks_conn_reply_error(sc, SOCKS5_REP_GENERAL_FAILURE);
    return;
  }
  if (sc->state == SC_EDGE && sc->hooks->readable && evbuffer_get_length(conn_inbuf(c)) > 0)
    sc->hooks->readable(c, sc->stream);
}

static void
socks_process_inbuf(conn_t *c)
{
  socks_conn_t *sc = (socks_conn_t *)c;
  switch (sc->state) {
  case SC_HANDSHAKE:
    if (run_handshake(sc) == 1)
      hand_over(sc);
    break;
  case SC_EDGE:
    if (sc->hooks->readable)
      sc->hooks->readable(c, sc->stream);
    break;
  case SC_WAITING:   /* data during the callback: handled after it returns */
  case SC_CLOSING:
    break;
  }
}

static void
socks_flushed_some(conn_t *c)
{
  socks_conn_t *sc = (socks_conn_t *)c;
  if (sc->state == SC_EDGE && sc->hooks->flushed_some)
    sc->hooks->flushed_some(c, sc->stream);
}

static void
socks_reached_eof(conn_t *c)
{
  socks_conn_t *sc = (socks_conn_t *)c;
  if (sc->state == SC_EDGE && sc->hooks->eof) {
    sc->hooks->eof(c, sc->stream);
    return;
  }
  if (sc->state == SC_HANDSHAKE)
    log_info(LD_APP, "conn %llu: SOCKS client closed during the handshake (state %s)",
             (unsigned long long)c->global_id, socks_state_to_string(sc->parser.state));
  if (!conn_is_marked(c))
    conn_mark_for_close(c);
}

static void
socks_about_to_close(conn_t *c)
{
  socks_conn_t *sc = (socks_conn_t *)c;
  if (sc->hooks)
    sc->hooks->closed(c, sc->stream);
  sc->hooks = NULL;
  sc->stream = NULL;
  mtimer_free(sc->timer);
  sc->timer = NULL;
  socks_parser_clear(&sc->parser);
  sc->magic = 0;
}

static void
handshake_timeout_cb(mtimer_t *t, void *arg)
{
  socks_conn_t *sc = arg;
  (void)t;
  if (sc->state != SC_HANDSHAKE || conn_is_marked(&sc->base))
    return;
  log_info(LD_APP, "conn %llu: SOCKS handshake timed out (state %s); closing",
           (unsigned long long)sc->base.global_id, socks_state_to_string(sc->parser.state));
  sc->state = SC_CLOSING;
  conn_mark_for_close(&sc->base);
}

/* ---- listener ---- */

int
socks_addr_is_loopback(const struct sockaddr *addr, int addrlen)
{
  if (addr->sa_family == AF_INET && addrlen >= (int)sizeof(struct sockaddr_in)) {
    const uint8_t *a = (const uint8_t *)&((const struct sockaddr_in *)addr)->sin_addr;
    return a[0] == 127;
  }
  if (addr->sa_family == AF_INET6 && addrlen >= (int)sizeof(struct sockaddr_in6)) {
    static const uint8_t v6_loop[16] = { [15] = 1 };
    static const uint8_t v4_mapped[12] = { [10] = 0xff, [11] = 0xff };
    const uint8_t *a = (const uint8_t *)&((const struct sockaddr_in6 *)addr)->sin6_addr;
    return memcmp(a, v6_loop, 16) == 0 || (memcmp(a, v4_mapped, 12) == 0 && a[12] == 127);
  }
  return 0;
}

static void
accept_cb(listener_t *l, evutil_socket_t fd, const struct sockaddr *addr, int addrlen, void *arg)
{
  socks_listener_t *sl = arg;
  (void)l;
  conn_t *c = conn_new_accepted(sl->ml, &socks_conn_ops, sizeof(socks_conn_t), fd, addr,
                                addrlen, NULL);
  if (!c)
    return;
  socks_conn_t *sc = (socks_conn_t *)c;
  sc->magic = SOCKS_CONN_MAGIC;
  sc->state = SC_HANDSHAKE;
  sc->cb = sl->cb;
  sc->cb_arg = sl->arg;
  socks_parser_init(&sc->parser, sl->prefer_no_auth);
  sc->timer = mtimer_new(sl->ml, handshake_timeout_cb, sc);
  mtimer_schedule(sc->timer, sl->handshake_timeout);
  sl->n_accepted++;
}

socks_listener_t *
socks_listen(mainloop_t *ml, const struct sockaddr *addr, int addrlen, int allow_nonlocal,
             socks_request_cb cb, void *arg)
{
  char buf[80];
  addr_to_string(addr, buf, sizeof(buf));
  if (!socks_addr_is_loopback(addr, addrlen)) {
    if (!allow_nonlocal) {
      log_warn(LD_CONFIG, "Refusing to open a SOCKS port on %s: it is not a loopback address, "
               "and anyone who can reach it could use this proxy.  Say so explicitly if "
               "you mean it.", buf);
      return NULL;
    }
    log_warn(LD_CONFIG, "Opening a SOCKS port on the non-loopback address %s: anyone who can "
             "reach it can use this proxy, and the traffic between them and us is not "
             "encrypted.", buf);
  }
  socks_listener_t *sl = x_calloc(1, sizeof(*sl));
  sl->ml = ml;
  sl->cb = cb;
  sl->arg = arg;
  sl->handshake_timeout = SOCKS_HANDSHAKE_TIMEOUT;
  sl->l = listener_new(ml, addr, addrlen, accept_cb, sl);
  if (!sl->l) {
    x_free(sl);
    return NULL;
  }
  struct sockaddr_storage bound;
  memcpy(&bound, addr, (size_t)addrlen < sizeof(bound) ? (size_t)addrlen : sizeof(bound));
  uint16_t nport = htons((uint16_t)listener_get_port(sl->l));
  if (bound.ss_family == AF_INET)
    ((struct sockaddr_in *)&bound)->sin_port = nport;
  else if (bound.ss_family == AF_INET6)
    ((struct sockaddr_in6 *)&bound)->sin6_port = nport;
  log_notice(LD_APP, "SOCKS port listening on %s",
             addr_to_string((struct sockaddr *)&bound, buf, sizeof(buf)));
  return sl;
}

int
socks_listener_get_port(const socks_listener_t *l)
{
  return listener_get_port(l->l);
}

void
socks_listener_set_handshake_timeout(socks_listener_t *l, double seconds)
{
  l->handshake_timeout = seconds > 0 ? seconds : SOCKS_HANDSHAKE_TIMEOUT;
}

void
socks_listener_set_prefer_no_auth(socks_listener_t *l, int prefer)
{
  l->prefer_no_auth = prefer ? 1 : 0;
}

unsigned
socks_listener_n_accepted(const socks_listener_t *l)
{
  return l->n_accepted;
}

void
socks_listener_free(socks_listener_t *l)
{
  if (!l)
    return;
  listener_free(l->l);
  x_free(l);
}
