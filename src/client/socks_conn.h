/* socks_conn.h — the SOCKS port: a listener whose connections run the SOCKS
 * handshake (proto/socks/socks.h) and hand each complete request to an owner.
 *
 * Life of a SOCKS connection:
 *
 *   accept ─▶ HANDSHAKE: parse, send method/auth replies; bad input gets its
 *             error reply (or the HTTP page) and close-after-flush; nothing
 *             complete within the handshake timeout: closed.
 *          ─▶ the request callback cb(sc, req, arg).  Before it returns, the
 *             owner must do one of:
 *               - socks_conn_reply_error()        refuse it (closes after flush);
 *               - socks_conn_reply_resolved()     answer a RESOLVE at once (closes);
 *               - socks_conn_take_edge()          take the connection over.
 *             If it does none, the client gets "general failure" and the
 *             connection closes: sc is then invalid after the callback.
 *          ─▶ EDGE (after take_edge): the owner's hooks get every event of
 *             the connection; the owner later sends the final reply:
 *             socks_conn_reply_connected() (data flows on), _reply_error()
 *             or _reply_resolved() (both close after flush).
 *
 * Optimistic data the application sent after its request stays in the
 * inbuf: right after the callback returns, `readable` is called if there is
 * any.  The hooks are how the stream code (src/or) plugs in: each one will
 * call stream_edge_readable/flushed_some/eof/closed(stream).
 *
 * Hostnames are never resolved here. */
#ifndef EVONION_CLIENT_SOCKS_CONN_H
#define EVONION_CLIENT_SOCKS_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "core/conn.h"
#include "core/mainloop.h"
#include "proto/netaddr.h"
#include "proto/socks/socks.h"

struct sockaddr;
typedef struct socks_conn_t socks_conn_t;
typedef struct socks_listener_t socks_listener_t;

/** Default seconds a client has to complete its SOCKS handshake. */
#define SOCKS_HANDSHAKE_TIMEOUT 30.0
/** Seconds to flush an error reply before closing anyway. */
#define SOCKS_ERROR_FLUSH_DEADLINE 10.0

/** A complete request arrived.  req is valid until the connection closes
 *  (socks_conn_request() returns it again).  See the top of this file for
 *  what the callee must do before returning. */
typedef void (*socks_request_cb)(socks_conn_t *sc, const socks_request_t *req, void *arg);

/** What the owner of a taken-over connection is told.  c is the connection
 *  (write with conn_write(), read conn_inbuf(), throttle with
 *  conn_block_read()); stream is the pointer given to take_edge.  Any member
 *  may be NULL except closed. */
typedef struct socks_edge_hooks_t {
  /** New bytes are in conn_inbuf(c) (also called once after the request
   *  callback if optimistic data came with the request). */
  void (*readable)(conn_t *c, void *stream);
  /** The outbuf drained to CONN_WRITE_LOWAT: write more if you stopped. */
  void (*flushed_some)(conn_t *c, void *stream);
  /** The application closed its side.  NULL: the connection is closed. */
  void (*eof)(conn_t *c, void *stream);
  /** The connection is about to be freed (whoever closed it): forget c.
   *  Called from the close sweep; do not write to c. */
  void (*closed)(conn_t *c, void *stream);
} socks_edge_hooks_t;

/** Listen for SOCKS clients on addr (port 0 picks a free port).  A
 *  non-loopback address is refused (NULL, logged) unless allow_nonlocal,
 *  when it is accepted with a warning.  cb(sc, req, arg) gets every complete
 *  request.  Returns NULL on failure. */
socks_listener_t *socks_listen(mainloop_t *ml, const struct sockaddr *addr, int addrlen,
                               int allow_nonlocal, socks_request_cb cb, void *arg);
/** The bound port (useful after port 0), or -1. */
int socks_listener_get_port(const socks_listener_t *l);
/** Handshake timeout in seconds for connections accepted from now on
 *  (default SOCKS_HANDSHAKE_TIMEOUT). */
void socks_listener_set_handshake_timeout(socks_listener_t *l, double seconds);
/** Choose "no authentication" when a client offers both it and
 *  username/password (tor's PreferSOCKSNoAuth; default off, so that
 *  credentials reach us for isolation). */
void socks_listener_set_prefer_no_auth(socks_listener_t *l, int prefer);
/** Connections accepted so far. */
unsigned socks_listener_n_accepted(const socks_listener_t *l);
/** Stop listening and free l (NULL is fine).  Connections already accepted
 *  live on (they belong to the main loop). */
void socks_listener_free(socks_listener_t *l);

/** 1 if addr is a loopback address (127.0.0.0/8, ::1, ::ffff:127.0.0.0/104). */
int socks_addr_is_loopback(const struct sockaddr *addr, int addrlen);

/** The request of sc (complete once the callback ran). */
const socks_request_t *socks_conn_request(const socks_conn_t *sc);
/** The base connection of sc. */
conn_t *socks_conn_to_conn(socks_conn_t *sc);
/** sc if c is a SOCKS connection, else NULL. */
socks_conn_t *socks_conn_from_conn(conn_t *c);

/** Hand the connection to a stream: from now on hooks get its events (with
 *  stream as their argument).  hooks must outlive the connection.  Returns
 *  the base connection, or NULL if sc is not waiting for an owner (no request
 *  yet, already taken, closing). */
conn_t *socks_conn_take_edge(socks_conn_t *sc, const socks_edge_hooks_t *hooks, void *stream);

/** Send the success reply for a CONNECT (bnd: the address the exit reported,
 *  or NULL for 0.0.0.0:0 as tor sends).  Needs take_edge first; data then
 *  flows both ways.  Returns 0, or -1 (not taken, already replied, closing). */
int socks_conn_reply_connected(socks_conn_t *sc, const netaddr_t *bnd, uint16_t bnd_port);
/** Send a failure reply (SOCKS4: 5B) and close after flushing it.  rep must
 *  not be SOCKS5_REP_SUCCEEDED.  Returns 0, or -1 (already replied, closing). */
int socks_conn_reply_error(socks_conn_t *sc, socks5_rep_t rep);
/** Send the answer to a RESOLVE / RESOLVE_PTR (socks_reply_encode_resolved()
 *  arguments) and close after flushing it.  Returns 0 or -1. */
int socks_conn_reply_resolved(socks_conn_t *sc, uint8_t answer_type, const uint8_t *answer,
                              size_t answer_len);
/** 1 once a final reply (connected, error, resolved) was sent. */
int socks_conn_has_replied(const socks_conn_t *sc);

#endif
