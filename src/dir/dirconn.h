/* dirconn.h — a directory connection: one HTTP/1.0 GET and its response.
 *
 * The HTTP exchange runs over any conn_t made with dirconn_ops (size
 * dirconn_size()): a TCP connection to an authority's DirPort
 * (dirconn_connect_tcp), or one end of conn_new_socketpair() whose other
 * end is a BEGIN_DIR stream on a one-hop circuit (client/dirtunnel.h calls
 * dirconn_start on that end).  Opening the transport and running the
 * request are separate steps.
 *
 * The request goes out at once (queued while a TCP connect is under way).
 * The response head is parsed with proto/http; the body is read until the
 * peer closes (or Content-Length is reached) and then decompressed
 * (lib/compress: identity or deflate) with a cap on the decoded size.
 * Timeouts: one for the TCP connect, one for the whole exchange.
 *
 * The done callback runs exactly once per started request (never from
 * inside dirconn_start/dirconn_connect_tcp), unless dirconn_cancel() is
 * called first; the connection is closed by dirconn right after it. */
#ifndef EVONION_DIR_DIRCONN_H
#define EVONION_DIR_DIRCONN_H

#include <stddef.h>

#include "core/conn.h"

struct sockaddr;

/** Size caps on decoded response bodies, by document (a request's max_body). */
#define DIRCONN_MAX_CONSENSUS (16u * 1024 * 1024)  /**< md consensus (public: ~3 MB today) */
#define DIRCONN_MAX_CERTS (1u * 1024 * 1024)       /**< /tor/keys/ (~10 certs of ~3 KB) */
#define DIRCONN_MAX_MICRODESCS (8u * 1024 * 1024)  /**< one request of at most 92 mds */

/** Default timeouts, seconds. */
#define DIRCONN_CONNECT_TIMEOUT 10.0
#define DIRCONN_TOTAL_TIMEOUT 60.0

typedef enum dirconn_status_t {
  DIRCONN_OK = 0,            /**< 200 and a complete body */
  DIRCONN_CONNECT_FAILED,    /**< the transport did not connect */
  DIRCONN_TIMEOUT,           /**< connect or total timeout */
  DIRCONN_HTTP_STATUS,       /**< a status other than 200 (http_status says which) */
  DIRCONN_BAD_RESPONSE,      /**< not an HTTP response, or a head over HTTP_MAX_HEAD_SIZE */
  DIRCONN_TOO_BIG,           /**< the body (raw or decoded) is over max_body */
  DIRCONN_BAD_ENCODING,      /**< the body does not decompress */
  DIRCONN_CLOSED,            /**< the connection closed before the response was complete */
} dirconn_status_t;

/** What the done callback gets.  body is NUL-terminated (body_len bytes
 *  before the NUL) on DIRCONN_OK, else NULL; the callback may take it (set
 *  body to NULL) — otherwise it is freed after the callback returns. */
typedef struct dirconn_result_t {
  dirconn_status_t status;
  int http_status;          /**< 0 if no head was read */
  char *body;
  size_t body_len;
  size_t raw_len;           /**< body bytes on the wire (before decompression) */
  double elapsed;           /**< seconds from start to the callback */
  char peer[96];            /**< the connection's peer ("addr:port", "socketpair") */
  char reason[160];         /**< human-readable, for logs ("" on success) */
} dirconn_result_t;

typedef void (*dirconn_done_fn)(dirconn_result_t *res, void *arg);

typedef struct dirconn_request_t {
  const char *path;         /**< "/tor/status-vote/current/consensus-microdesc" (copied) */
  const char *host;         /**< the Host header (copied); NULL: none */
  size_t max_body;          /**< cap on the body, raw and decoded (0: DIRCONN_MAX_CERTS) */
  double connect_timeout;   /**< seconds (0: DIRCONN_CONNECT_TIMEOUT) */
  double total_timeout;     /**< seconds (0: DIRCONN_TOTAL_TIMEOUT) */
  dirconn_done_fn done;     /**< required */
  void *arg;
} dirconn_request_t;

/** The ops of a directory connection (for transports that make their own conn_t). */
extern const conn_ops_t dirconn_ops;

/** The size to allocate for a conn_t that uses dirconn_ops. */
size_t dirconn_size(void);

/** Open a TCP connection to addr and run req over it.  Returns the
 *  connection (a handle for dirconn_cancel; it is freed after the callback),
 *  or NULL if no socket could be made — then done is never called. */
conn_t *dirconn_connect_tcp(mainloop_t *ml, const struct sockaddr *addr, int addrlen,
                            const dirconn_request_t *req);

/** Run req over c, which was made with dirconn_ops and dirconn_size() and has
 *  no request yet (a connecting c waits for finished_connecting, within the
 *  connect timeout).  Returns 0, or -1 (c already used or marked, or a path
 *  or host that proto/http refuses; no callback, c is left open). */
int dirconn_start(conn_t *c, const dirconn_request_t *req);

/** Forget the callback and close c now (it is freed in the sweep).  NULL is
 *  fine; not after the callback has run (c may be gone by then). */
void dirconn_cancel(conn_t *c);

/** A short name for a status ("timeout"). */
const char *dirconn_status_to_string(dirconn_status_t status);

#endif
