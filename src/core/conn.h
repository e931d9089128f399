/* conn.h — a connection: a thin wrapper that owns one bufferevent.
 *
 * Every network connection in evonion is a conn_t embedded first in a
 * per-type struct (channel, SOCKS, exit, directory).  Data arrives in the
 * bufferevent's input evbuffer and leaves through its output evbuffer; the
 * per-type behaviour is a conn_ops_t table (design.md §1), never a switch:
 *
 *   tor                           evonion
 *   connection_process_inbuf      ops->process_inbuf      (new bytes in conn_inbuf())
 *   connection_flushed_some       ops->flushed_some       (outbuf fell to CONN_WRITE_LOWAT)
 *   connection_finished_flushing  ops->finished_flushing  (everything handed to the kernel)
 *   connection_finished_connecting ops->finished_connecting (TCP connected; with TLS, handshake done)
 *   connection_reached_eof        ops->reached_eof        (peer closed; default: close)
 *   connection_about_to_close     ops->about_to_close     (last call, in the sweep)
 *
 * Lifetime: never free a connection; conn_mark_for_close() it and the sweep
 * at the end of the loop turn calls about_to_close and frees it.  A marked
 * connection gets no further callbacks.  Only src/core/conn*.c calls
 * bufferevent_* (style.md §3).
 *
 * Layers: with TLS, a bufferevent_openssl filter sits over the socket
 * bufferevent.  The socket bufferevent is in the global rate-limit group; the
 * TLS one joins the relayed-traffic group when conn_set_relayed() is set. */
#ifndef EVONION_CORE_CONN_H
#define EVONION_CORE_CONN_H

#include <stddef.h>
#include <stdint.h>
#include <event2/util.h>

#include "core/mainloop.h"

struct evbuffer;
struct sockaddr;
typedef struct tls_ctx_t tls_ctx_t;

/** Reasons to stop reading; reading is on only when none is set (design.md §2). */
typedef enum conn_block_t {
  CONN_BLOCK_WINDOW = 1u << 0,   /**< a stream or circuit package window is empty */
  CONN_BLOCK_CIRCQ = 1u << 1,    /**< the circuit's queue toward its channel is too long */
  CONN_BLOCK_CLOSING = 1u << 2,  /**< closing after flush: read nothing more */
  CONN_BLOCK_HANDSHAKE = 1u << 3,/**< the protocol is waiting for something else first */
  CONN_BLOCK_INBUF = 1u << 4,    /**< set by conn.c: process_inbuf left a full inbuf; cleared when it drains */
  CONN_BLOCK_TEST_A = 1u << 6,   /**< for tests */
  CONN_BLOCK_TEST_B = 1u << 7,   /**< for tests */
} conn_block_t;

/** Read high watermark of every bufferevent: reading stops while the inbuf holds this much. */
#define CONN_READ_HIGHWAT (64 * 1024)
/** flushed_some() fires when the outbuf drains to this. */
#define CONN_WRITE_LOWAT (16 * 1024)
/** Producers stop writing while conn_outbuf_len() is at least this. */
#define CONN_WRITE_HIGHWAT (64 * 1024)
/** Default deadline for close-after-flush, seconds. */
#define CONN_FLUSH_DEADLINE 30.0

/** Per-type behaviour.  Every member may be NULL except the ones marked. */
typedef struct conn_ops_t {
  const char *name;                         /**< "or", "socks", ... for logs (required) */
  void (*process_inbuf)(conn_t *c);         /**< new data is in conn_inbuf(c) */
  void (*flushed_some)(conn_t *c);          /**< the outbuf drained to CONN_WRITE_LOWAT or less */
  void (*finished_flushing)(conn_t *c);     /**< the outbuf became empty (all given to the kernel) */
  void (*finished_connecting)(conn_t *c);   /**< connected (and TLS handshake done, with TLS) */
  void (*reached_eof)(conn_t *c);           /**< the peer closed; NULL means conn_mark_for_close */
  void (*about_to_close)(conn_t *c);        /**< last call before free: release per-type state */
} conn_ops_t;

/** The base of every connection.  Treat as opaque outside core/. */
struct conn_t {
  const conn_ops_t *ops;
  mainloop_t *ml;
  uint64_t global_id;                /**< for logs: "conn 17" */
  struct bufferevent *bev;           /**< the top bufferevent (TLS filter, or the socket one) */
  struct bufferevent *bev_sock;      /**< the socket-level bufferevent */
  struct event *aux_ev;              /**< runs deferred work: reprocess inbuf, flush check */
  mtimer_t *flush_deadline;          /**< close-after-flush deadline */
  conn_t *next, *prev;               /**< all connections of this loop */
  conn_t *next_marked;               /**< the list the sweep frees */
  const char *mark_file;             /**< where it was marked for close */
  int mark_line;
  unsigned block_reasons;            /**< conn_block_t bits */
  unsigned aux_pending;              /**< CONN_AUX_* work for aux_ev */
  int last_error;                    /**< socket error (EVUTIL_SOCKET_ERROR) that closed it, or 0 */
  unsigned marked : 1;
  unsigned close_after_flush : 1;
  unsigned connecting : 1;           /**< no finished_connecting yet */
  unsigned is_tls : 1;
  unsigned relayed : 1;              /**< in the relayed-traffic rate-limit group */
  unsigned got_eof : 1;
  unsigned tls_error : 1;            /**< closed by a TLS error (not a clean or dirty EOF) */
  unsigned tcp_sent : 1;             /**< the socket has sent bytes (so TCP connected) */
  unsigned outgoing : 1;             /**< made by conn_connect (not accepted) */
  char peer[64];                     /**< "addr:port" of the peer, for logs */
  struct evbuffer_cb_entry *out_cb_top, *out_cb_sock; /**< watch the outbufs drain */
  struct evbuffer_cb_entry *in_cb;   /**< watch the inbuf drain (CONN_BLOCK_INBUF) */
  unsigned flush_pending : 1;        /**< bytes added since finished_flushing last fired */
  unsigned in_sweep : 1;             /**< queued for the sweep */
};

/** Connect to addr (IPv4 or IPv6).  Allocates size bytes (>= sizeof(conn_t)),
 *  zeroed, for the caller's per-type struct with the conn_t first.  With tls
 *  (client context) a TLS filter runs the handshake after the TCP connect.
 *  finished_connecting fires when it is all done; a failure marks the
 *  connection for close with last_error set.  Returns NULL only if no socket
 *  could be made (logged). */
conn_t *conn_connect(mainloop_t *ml, const conn_ops_t *ops, size_t size,
                     const struct sockaddr *addr, int addrlen, tls_ctx_t *tls);
/** Wrap an accepted socket (ownership of fd passes to the connection, also on
 *  failure).  With tls (server context) the TLS handshake runs first and
 *  finished_connecting fires when it is done; without, the connection is open
 *  at once and finished_connecting is not called.  Returns NULL on failure. */
conn_t *conn_new_accepted(mainloop_t *ml, const conn_ops_t *ops, size_t size,
                          evutil_socket_t fd, const struct sockaddr *addr, int addrlen,
                          tls_ctx_t *tls);
/** Make a connected pair of plain connections inside one loop (tests and
 *  in-process links).  Returns 0 and sets *a, *b, or -1. */
int conn_new_socketpair(mainloop_t *ml, const conn_ops_t *ops_a, size_t size_a,
                        const conn_ops_t *ops_b, size_t size_b, conn_t **a, conn_t **b);

/** The input buffer: bytes read from the peer (decrypted, with TLS). */
struct evbuffer *conn_inbuf(conn_t *c);
/** The output buffer: bytes to send.  Prefer conn_write(). */
struct evbuffer *conn_outbuf(conn_t *c);
/** Queue n bytes for the peer.  Ignored (returns -1) once marked for close. */
int conn_write(conn_t *c, const void *p, size_t n);
/** Move all of buf into the outbuf (zero-copy where libevent can). */
int conn_write_buffer(conn_t *c, struct evbuffer *buf);
/** Bytes queued and not yet given to the kernel, at every layer. */
size_t conn_outbuf_len(conn_t *c);
/** 1 if producers should stop writing (conn_outbuf_len >= CONN_WRITE_HIGHWAT). */
int conn_outbuf_is_full(conn_t *c);

/** Add a reason to stop reading. */
void conn_block_read(conn_t *c, conn_block_t why);
/** Remove a reason; when none is left, reading resumes and bytes already in
 *  the inbuf are handed to process_inbuf again. */
void conn_unblock_read(conn_t *c, conn_block_t why);
/** 1 if reading is on. */
int conn_is_reading(const conn_t *c);

/** Mark for close (freed by the sweep after this loop turn).  A second mark logs a bug. */
#define conn_mark_for_close(c) conn_mark_for_close_((c), __FILE__, __LINE__)
void conn_mark_for_close_(conn_t *c, const char *file, int line);
/** Stop reading, send everything queued, then close; close anyway after
 *  deadline seconds (<= 0: CONN_FLUSH_DEADLINE). */
#define conn_close_after_flush(c, deadline) \
  conn_close_after_flush_((c), (deadline), __FILE__, __LINE__)
void conn_close_after_flush_(conn_t *c, double deadline, const char *file, int line);
/** 1 once marked (or closing after flush). */
int conn_is_marked(const conn_t *c);

/** Put the connection's TLS bufferevent in (or out of) the relayed-traffic group. */
void conn_set_relayed(conn_t *c, int relayed);

/** The libevent type name of the socket-level bufferevent: "socket" for the
 *  readiness-based kind, "socket_async" for IOCP ("async") ones. */
const char *conn_backend_type(const conn_t *c);
/** The SSL object of a TLS connection (borrowed), or NULL. */
struct ssl_st *conn_get_ssl(conn_t *c);

#endif
