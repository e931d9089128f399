/* conn.c — connections over bufferevents: the only code that calls bufferevent_*.
 *
 * Callback flow (design.md §1):
 *   bufferevent read cb   → ops->process_inbuf        (unless a block reason is set)
 *   bufferevent write cb  → ops->flushed_some         (outbuf at or below CONN_WRITE_LOWAT)
 *   output evbuffer cbs   → aux event → ops->finished_flushing (every layer empty)
 *   event cb CONNECTED    → ops->finished_connecting
 *   event cb EOF          → ops->reached_eof
 *   event cb ERROR        → mark for close (an OpenSSL 3 unexpected EOF counts as EOF)
 * All bufferevents use BEV_OPT_DEFER_CALLBACKS, so no callback runs inside a
 * conn_* call made by the upper layers. */
#include "core/conn.h"

#include <errno.h>
#include <string.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/bufferevent_struct.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#ifdef _WIN32
#include <winsock2.h>
#else
#include <sys/socket.h>
#endif

#include "core/listener.h"
#include "core/mainloop_st.h"
#include "core/tls.h"
#include "lib/alloc.h"
#include "lib/log.h"

#define CONN_AUX_REPROCESS 1u
#define CONN_AUX_FLUSHCHECK 2u
#define CONN_AUX_FLUSHED_SOME 4u

static void conn_read_cb(struct bufferevent *bev, void *arg);
static void conn_check_inbuf_full(conn_t *c);
static void conn_write_cb(struct bufferevent *bev, void *arg);
static void conn_event_cb(struct bufferevent *bev, short what, void *arg);
static void conn_aux_cb(evutil_socket_t fd, short what, void *arg);
static void conn_inbuf_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg);
static void conn_outbuf_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg);
static void conn_flush_deadline_cb(mtimer_t *t, void *arg);
static void conn_release_bev(conn_t *c);

static conn_t *
conn_alloc(mainloop_t *ml, const conn_ops_t *ops, size_t size)
{
  if (size < sizeof(conn_t))
    size = sizeof(conn_t);
  conn_t *c = x_calloc(1, size);
  c->ops = ops;
  c->aux_ev = event_new(mainloop_base(ml), -1, 0, conn_aux_cb, c);
  mainloop_add_conn_(ml, c);
  return c;
}

static void
conn_schedule_aux(conn_t *c, unsigned what)
{
  c->aux_pending |= what;
  event_active(c->aux_ev, EV_TIMEOUT, 0);
}

/* Put bev_sock (and the TLS filter over it, if tls) into service. */
static int
conn_setup_bev(conn_t *c, struct bufferevent *bev_sock, tls_ctx_t *tls, int accepting)
{
  c->bev_sock = bev_sock;
  c->bev = bev_sock;
  if (tls) {
    struct ssl_st *ssl = tls_ctx_new_ssl(tls);
    if (!ssl)
      return -1;
    struct bufferevent *f = bufferevent_openssl_filter_new(
      mainloop_base(c->ml), bev_sock, ssl,
      accepting ? BUFFEREVENT_SSL_ACCEPTING : BUFFEREVENT_SSL_CONNECTING,
      BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
    if (!f) {
      /* Not handed over: we still own the SSL; the socket bev is freed by the caller. */
      SSL_free(ssl);
      return -1;
    }
    bufferevent_openssl_set_allow_dirty_shutdown(f, 1);
    c->bev = f;
    c->is_tls = 1;
    c->connecting = 1;
  }
  c->out_cb_top = evbuffer_add_cb(bufferevent_get_output(c->bev), conn_outbuf_cb, c);
  if (c->is_tls)
    c->out_cb_sock = evbuffer_add_cb(bufferevent_get_output(c->bev_sock), conn_outbuf_cb, c);
  c->in_cb = evbuffer_add_cb(bufferevent_get_input(c->bev), conn_inbuf_cb, c);
  bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
  bufferevent_setwatermark(c->bev, EV_READ, 0, CONN_READ_HIGHWAT);
  bufferevent_setwatermark(c->bev, EV_WRITE, CONN_WRITE_LOWAT, 0);
  conn_apply_limits_(c);
  bufferevent_enable(c->bev, EV_READ | EV_WRITE);
  return 0;
}

/* Free a connection that never got a working bufferevent (bev_sock: a socket
 * bufferevent not handed to conn_setup_bev, or NULL). */
static void
conn_abort_new(conn_t *c, struct bufferevent *bev_sock)
{
  if (bev_sock && bev_sock != c->bev)
    bufferevent_free(bev_sock);
  conn_release_bev(c);
  mainloop_remove_conn_(c->ml, c);
  event_free(c->aux_ev);
  x_free(c);
}

conn_t *
conn_connect(mainloop_t *ml, const conn_ops_t *ops, size_t size, const struct sockaddr *addr,
             int addrlen, tls_ctx_t *tls)
{
  conn_t *c = conn_alloc(ml, ops, size);
  addr_to_string(addr, c->peer, sizeof(c->peer));
  struct bufferevent *b = bufferevent_socket_new(mainloop_base(ml), -1,
                                                 BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
  if (!b) {
    log_warn(LD_NET, "Cannot create a bufferevent to connect to %s", c->peer);
    conn_abort_new(c, NULL);
    return NULL;
  }
  c->connecting = 1;
  c->outgoing = 1;
  /* Callbacks (and the TLS filter) first, then the connect: libevent drops an
   * event that comes while a bufferevent has no event callback, and under IOCP
   * the connect can complete on libevent's IOCP thread before
   * bufferevent_socket_connect() has even returned.  An immediate connect
   * failure is reported through the (deferred) event callback. */
  if (conn_setup_bev(c, b, tls, 0) < 0) {
    log_warn(LD_NET, "Cannot start TLS toward %s", c->peer);
    conn_abort_new(c, b);
    return NULL;
  }
  if (bufferevent_socket_connect(b, (struct sockaddr *)addr, addrlen) < 0) {
    log_warn(LD_NET, "Cannot connect to %s: %s", c->peer,
             evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
    conn_abort_new(c, NULL);
    return NULL;
  }
  log_debug(LD_NET, "conn %llu (%s): connecting to %s%s", (unsigned long long)c->global_id,
            ops->name, c->peer, tls ? " with TLS" : "");
  return c;
}

conn_t *
conn_new_accepted(mainloop_t *ml, const conn_ops_t *ops, size_t size, evutil_socket_t fd,
                  const struct sockaddr *addr, int addrlen, tls_ctx_t *tls)
{
  (void)addrlen;
  evutil_make_socket_nonblocking(fd);
  conn_t *c = conn_alloc(ml, ops, size);
  if (addr)
    addr_to_string(addr, c->peer, sizeof(c->peer));
  struct bufferevent *b = bufferevent_socket_new(mainloop_base(ml), fd,
                                                 BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
  if (!b) {
    evutil_closesocket(fd);
    conn_abort_new(c, NULL);
    return NULL;
  }
  if (conn_setup_bev(c, b, tls, 1) < 0) {
    conn_abort_new(c, b);
    return NULL;
  }
  return c;
}

int
conn_new_socketpair(mainloop_t *ml, const conn_ops_t *ops_a, size_t size_a,
                    const conn_ops_t *ops_b, size_t size_b, conn_t **a, conn_t **b)
{
  evutil_socket_t fds[2];
#ifdef _WIN32
  int family = AF_INET;
#else
  int family = AF_UNIX;
#endif
  if (evutil_socketpair(family, SOCK_STREAM, 0, fds) < 0)
    return -1;
  *a = conn_new_accepted(ml, ops_a, size_a, fds[0], NULL, 0, NULL);
  *b = conn_new_accepted(ml, ops_b, size_b, fds[1], NULL, 0, NULL);
  if (!*a || !*b)
    return -1;
  snprintf((*a)->peer, sizeof((*a)->peer), "socketpair");
  snprintf((*b)->peer, sizeof((*b)->peer), "socketpair");
  return 0;
}

/* ---- data ---- */

struct evbuffer *
conn_inbuf(conn_t *c)
{
  return bufferevent_get_input(c->bev);
}

struct evbuffer *
conn_outbuf(conn_t *c)
{
  return bufferevent_get_output(c->bev);
}

int
conn_write(conn_t *c, const void *p, size_t n)
{
  if (c->marked)
    return -1;
  return bufferevent_write(c->bev, p, n);
}

int
conn_write_buffer(conn_t *c, struct evbuffer *buf)
{
  if (c->marked)
    return -1;
  return bufferevent_write_buffer(c->bev, buf);
}

size_t
conn_outbuf_len(conn_t *c)
{
  size_t n = evbuffer_get_length(bufferevent_get_output(c->bev));
  if (c->bev_sock != c->bev)
    n += evbuffer_get_length(bufferevent_get_output(c->bev_sock));
  return n;
}

int
conn_outbuf_is_full(conn_t *c)
{
  return conn_outbuf_len(c) >= CONN_WRITE_HIGHWAT;
}

/* ---- reading control ---- */

static void
conn_update_reading(conn_t *c)
{
  if (c->block_reasons || c->got_eof)   /* (after EOF a read would only say EOF again) */
    bufferevent_disable(c->bev, EV_READ);
  else
    bufferevent_enable(c->bev, EV_READ);
}

void
conn_block_read(conn_t *c, conn_block_t why)
{
  unsigned before = c->block_reasons;
  c->block_reasons |= (unsigned)why;
  if (!before && c->block_reasons)
    conn_update_reading(c);
}

void
conn_unblock_read(conn_t *c, conn_block_t why)
{
  unsigned before = c->block_reasons;
  c->block_reasons &= ~(unsigned)why;
  if (before && !c->block_reasons && !c->marked) {
    conn_update_reading(c);
    if (evbuffer_get_length(conn_inbuf(c)))
      conn_schedule_aux(c, CONN_AUX_REPROCESS);
  }
}

int
conn_is_reading(const conn_t *c)
{
  return !c->marked && c->block_reasons == 0;
}

/* ---- closing ---- */

static void
conn_queue_sweep(conn_t *c)
{
  if (c->in_sweep)
    return;
  c->in_sweep = 1;
  bufferevent_disable(c->bev, EV_READ | EV_WRITE);
  mainloop_schedule_sweep_(c->ml, c);
}

void
conn_mark_for_close_(conn_t *c, const char *file, int line)
{
  if (c->marked) {
    if (c->close_after_flush && !c->in_sweep) {
      /* Closing after flush, and now told to close at once: do so. */
      conn_queue_sweep(c);
      return;
    }
    log_bug("conn %llu (%s) marked for close twice: at %s:%d, first at %s:%d",
            (unsigned long long)c->global_id, c->ops->name, file, line, c->mark_file,
            c->mark_line);
    return;
  }
  c->marked = 1;
  c->mark_file = file;
  c->mark_line = line;
  conn_queue_sweep(c);
}

void
conn_close_after_flush_(conn_t *c, double deadline, const char *file, int line)
{
  if (c->marked) {
    log_bug("conn %llu (%s) closed after flush at %s:%d but already marked at %s:%d",
            (unsigned long long)c->global_id, c->ops->name, file, line, c->mark_file,
            c->mark_line);
    return;
  }
  c->marked = 1;
  c->close_after_flush = 1;
  c->mark_file = file;
  c->mark_line = line;
  c->block_reasons |= CONN_BLOCK_CLOSING;
  bufferevent_disable(c->bev, EV_READ);
  if (conn_outbuf_len(c) == 0) {
    conn_queue_sweep(c);
    return;
  }
  c->flush_deadline = mtimer_new(c->ml, conn_flush_deadline_cb, c);
  mtimer_schedule(c->flush_deadline, deadline > 0 ? deadline : CONN_FLUSH_DEADLINE);
}

static void
conn_flush_deadline_cb(mtimer_t *t, void *arg)
{
  conn_t *c = arg;
  (void)t;
  log_info(LD_NET, "conn %llu (%s, %s): closing with %llu bytes unflushed after the deadline",
           (unsigned long long)c->global_id, c->ops->name, c->peer,
           (unsigned long long)conn_outbuf_len(c));
  conn_queue_sweep(c);
}

int
conn_is_marked(const conn_t *c)
{
  return c->marked;
}

void
conn_free_(conn_t *c)
{
  if (c->ops->about_to_close)
    c->ops->about_to_close(c);
  mainloop_remove_conn_(c->ml, c);
  conn_release_bev(c);
  event_free(c->aux_ev);
  mtimer_free(c->flush_deadline);
  x_free(c);
}

/* Stop and free c's bufferevents (the TLS filter and the socket one), if any. */
static void
conn_release_bev(conn_t *c)
{
  if (c->bev) {
    if (c->out_cb_top)
      evbuffer_remove_cb_entry(bufferevent_get_output(c->bev), c->out_cb_top);
    if (c->out_cb_sock)
      evbuffer_remove_cb_entry(bufferevent_get_output(c->bev_sock), c->out_cb_sock);
    if (c->in_cb)
      evbuffer_remove_cb_entry(bufferevent_get_input(c->bev), c->in_cb);
    bufferevent_setcb(c->bev, NULL, NULL, NULL, NULL);
    bufferevent_disable(c->bev, EV_READ | EV_WRITE);
    /* libevent 2.1 finalizes a freed bufferevent later, in the loop: leave the
     * groups and drop our bucket config now, so that a group or config freed
     * before then is never used. */
    bufferevent_remove_from_rate_limit_group(c->bev_sock);
    bufferevent_set_rate_limit(c->bev_sock, NULL);
    if (c->bev != c->bev_sock)
      bufferevent_remove_from_rate_limit_group(c->bev);
    /* Frees the socket bufferevent too (BEV_OPT_CLOSE_ON_FREE on the filter). */
    bufferevent_free(c->bev);
  }
  c->bev = c->bev_sock = NULL;
  c->out_cb_top = c->out_cb_sock = c->in_cb = NULL;
}

/* ---- callbacks ---- */

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
  conn_t *c = arg;
  (void)bev;
  if (c->marked || c->block_reasons)
    return;  /* kept in the inbuf until reading is unblocked */
  if (c->ops->process_inbuf)
    c->ops->process_inbuf(c);
  conn_check_inbuf_full(c);
}

/* libevent 2.1 re-runs the read callback at once, forever, while the inbuf
 * is at its high watermark and reading is enabled.  A type that leaves a
 * full inbuf (its consumer is stalled) would spin: stop reading instead,
 * until the inbuf drains (conn_inbuf_cb). */
static void
conn_check_inbuf_full(conn_t *c)
{
  if (!c->marked && evbuffer_get_length(conn_inbuf(c)) >= CONN_READ_HIGHWAT)
    conn_block_read(c, CONN_BLOCK_INBUF);
}

static void
conn_inbuf_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
  conn_t *c = arg;
  if (info->n_deleted && (c->block_reasons & CONN_BLOCK_INBUF) &&
      evbuffer_get_length(buf) < CONN_READ_HIGHWAT)
    conn_unblock_read(c, CONN_BLOCK_INBUF);
}

static void
conn_check_flushed(conn_t *c)
{
  if (conn_outbuf_len(c) != 0)
    return;
  if (c->marked) {
    if (c->close_after_flush)
      conn_queue_sweep(c);
    return;
  }
  if (c->flush_pending) {
    c->flush_pending = 0;
    if (c->ops->finished_flushing)
      c->ops->finished_flushing(c);
  }
}

static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
  conn_t *c = arg;
  (void)bev;
  if (!c->marked && c->ops->flushed_some)
    c->ops->flushed_some(c);
  conn_check_flushed(c);
}

/* Runs where the buffer changes: for the socket layer under IOCP, on libevent's
 * IOCP thread (so it only notes what happened and schedules aux work). */
static void
conn_outbuf_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
  conn_t *c = arg;
  if (info->n_added)
    c->flush_pending = 1;
  if (info->n_deleted && c->bev_sock && buf == bufferevent_get_output(c->bev_sock)) {
    c->tcp_sent = 1;
    /* Under TLS the filter's write callback only sees the filter's own outbuf,
     * which SSL_write empties at once: the bytes wait in the socket layer.
     * When that layer drains the total to CONN_WRITE_LOWAT, say so, or a
     * producer that waits for flushed_some waits until it is all gone. */
    if (c->is_tls) {
      size_t top = evbuffer_get_length(bufferevent_get_output(c->bev));
      size_t after = evbuffer_get_length(buf) + top;
      if (info->orig_size + top > CONN_WRITE_LOWAT && after <= CONN_WRITE_LOWAT)
        conn_schedule_aux(c, CONN_AUX_FLUSHED_SOME);
    }
  }
  if (info->n_deleted && conn_outbuf_len(c) == 0 && (c->flush_pending || c->close_after_flush))
    conn_schedule_aux(c, CONN_AUX_FLUSHCHECK);
}

static void
conn_aux_cb(evutil_socket_t fd, short what, void *arg)
{
  conn_t *c = arg;
  (void)fd; (void)what;
  unsigned pending = c->aux_pending;
  c->aux_pending = 0;
  if ((pending & CONN_AUX_FLUSHED_SOME) && !c->marked && c->ops->flushed_some &&
      conn_outbuf_len(c) <= CONN_WRITE_LOWAT)
    c->ops->flushed_some(c);
  if (pending & (CONN_AUX_FLUSHCHECK | CONN_AUX_FLUSHED_SOME))
    conn_check_flushed(c);
  if ((pending & CONN_AUX_REPROCESS) && !c->marked && !c->block_reasons &&
      evbuffer_get_length(conn_inbuf(c)) && c->ops->process_inbuf) {
    c->ops->process_inbuf(c);
    conn_check_inbuf_full(c);
  }
}

static void
conn_handle_eof(conn_t *c)
{
  c->got_eof = 1;
  if (c->marked) {
    if (!c->close_after_flush)
      return;
    /* The peer is gone for reading too?  Keep flushing until the deadline or an error. */
    return;
  }
  log_debug(LD_NET, "conn %llu (%s, %s): EOF", (unsigned long long)c->global_id, c->ops->name,
            c->peer);
  if (c->ops->reached_eof)
    c->ops->reached_eof(c);
  else
    conn_mark_for_close(c);
}

/* 1 if err only says "try again" (a stale errno, not a failure). */
static int
conn_err_is_retriable(int err)
{
#ifdef _WIN32
  return err == WSAEWOULDBLOCK || err == WSAEINTR || err == WSAEINPROGRESS;
#else
  return err == EAGAIN || err == EWOULDBLOCK || err == EINTR || err == EINPROGRESS;
#endif
}

/* Drain the errors libevent queued for a TLS bufferevent.  Returns 1 if one
 * is a real TLS protocol error (its text goes to why); 0 if the peer only went
 * away: a close without close_notify (OpenSSL 3's unexpected EOF), a reset, or
 * the bare SSL_ERROR_SYSCALL code that libevent queues for transport errors. */
static int
conn_tls_collect_errors(conn_t *c, char *why, size_t whylen)
{
  unsigned long e;
  int proto = 0;
  why[0] = '\0';
  while ((e = bufferevent_get_openssl_error(c->bev)) != 0) {
    if (ERR_GET_LIB(e) == 0 || ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
      continue;
    if (!proto)
      ERR_error_string_n(e, why, whylen);
    proto = 1;
  }
  return proto;
}

/* The pending error of the socket under c (or -1): why its connect failed. */
static int
conn_socket_error(conn_t *c)
{
  evutil_socket_t fd = bufferevent_getfd(c->bev_sock);
  int err = 0;
  ev_socklen_t elen = sizeof(err);
  if (fd == (evutil_socket_t)-1 ||
      getsockopt(fd, SOL_SOCKET, SO_ERROR, (void *)&err, &elen) < 0 || err == 0)
    return -1;
  return err;
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
  conn_t *c = arg;
  (void)bev;
  if ((what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) && c->connecting && c->outgoing && c->is_tls &&
      !c->marked) {
    /* A TLS filter hides the TCP connect event, and under IOCP a refused
     * connect can come through it as an EOF.  If the socket never sent a
     * byte (the TLS hello goes out first thing), TCP never connected. */
    if (!c->tcp_sent) {
      int cerr = conn_socket_error(c), err = EVUTIL_SOCKET_ERROR();
      c->last_error = cerr != -1 ? cerr : (err && !conn_err_is_retriable(err) ? err : -1);
      while (bufferevent_get_openssl_error(c->bev))
        ;
      log_info(LD_NET, "conn %llu (%s, %s): connect failed: %s",
               (unsigned long long)c->global_id, c->ops->name, c->peer,
               evutil_socket_error_to_string(c->last_error));
      conn_mark_for_close(c);
      return;
    }
  }
  if (what & BEV_EVENT_CONNECTED) {
    c->connecting = 0;
    if (!c->marked && c->ops->finished_connecting)
      c->ops->finished_connecting(c);
    return;
  }
  if (what & BEV_EVENT_EOF) {
    conn_handle_eof(c);
    return;
  }
  if (what & BEV_EVENT_ERROR) {
    int err = EVUTIL_SOCKET_ERROR();
    char why[160] = "";
    if (c->is_tls && conn_tls_collect_errors(c, why, sizeof(why)))
      c->tls_error = 1;
    else if (c->is_tls && !c->connecting) {
      /* The peer went away under TLS: a close, whatever the transport said. */
      if (err && !conn_err_is_retriable(err))
        c->last_error = err;
      log_debug(LD_NET, "conn %llu (%s, %s): TLS peer closed (%s)",
                (unsigned long long)c->global_id, c->ops->name, c->peer,
                err ? evutil_socket_error_to_string(err) : "no close_notify");
      conn_handle_eof(c);
      return;
    }
    c->last_error = err ? err : -1;
    log_info(LD_NET, "conn %llu (%s, %s): %s%s: %s", (unsigned long long)c->global_id,
             c->ops->name, c->peer, c->connecting ? "connect failed" : "error",
             c->tls_error ? " (TLS)" : "",
             c->tls_error ? why : evutil_socket_error_to_string(err));
    if (c->marked)
      conn_queue_sweep(c);
    else
      conn_mark_for_close(c);
    return;
  }
  if (what & BEV_EVENT_TIMEOUT) {
    if (!c->marked)
      conn_mark_for_close(c);
  }
}

/* ---- limits ---- */

void
conn_apply_limits_(conn_t *c)
{
  mainloop_t *ml = c->ml;
  if (ml->group_global)
    bufferevent_add_to_rate_limit_group(c->bev_sock, ml->group_global);
  else
    bufferevent_remove_from_rate_limit_group(c->bev_sock);
  if (c->is_tls) {
    if (c->relayed && ml->group_relayed)
      bufferevent_add_to_rate_limit_group(c->bev, ml->group_relayed);
    else
      bufferevent_remove_from_rate_limit_group(c->bev);
  }
  bufferevent_set_rate_limit(c->bev_sock, ml->cfg[LIMIT_PER_CONN]);
}

void
conn_set_relayed(conn_t *c, int relayed)
{
  c->relayed = relayed ? 1 : 0;
  if (c->bev)
    conn_apply_limits_(c);
}

/* ---- introspection ---- */

const char *
conn_backend_type(const conn_t *c)
{
  /* struct bufferevent is public (bufferevent_struct.h); its be_ops points to
   * libevent's per-kind table, whose first member is the kind's name
   * ("socket", "socket_async", "ssl", ...).  libevent has no other way to ask. */
  if (!c->bev_sock || !c->bev_sock->be_ops)
    return "none";
  return *(const char *const *)(const void *)c->bev_sock->be_ops;
}

struct ssl_st *
conn_get_ssl(conn_t *c)
{
  return c->is_tls ? bufferevent_openssl_get_ssl(c->bev) : NULL;
}
