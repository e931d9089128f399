/* dirtunnel.h — directory connections through the network: the directory
 * client's transport hook (dirclient_set_tunnel) over BEGIN_DIR streams on
 * one-hop circuits (tor-spec §6.2; protocol-scope.md §A.4).
 *
 * dirtunnel_open() makes a pair with conn_new_socketpair(): one end uses
 * dirconn_ops and goes to the directory client (which runs its HTTP/1.0 GET
 * on it, dir/dirconn.h); the other end is the edge of a BEGIN_DIR stream.
 * The edge asks the circuit pool for a one-hop directory circuit
 * (circpool_get_dir: the guard, with V2Dir; shared by directory requests,
 * never by SOCKS streams, closed when idle) and opens stream_begin_dir() on
 * it.  Its conn events go to the stream (stream.h's contract):
 *
 *   process_inbuf  -> stream_edge_readable   (the GET waits until CONNECTED)
 *   flushed_some   -> stream_edge_flushed_some
 *   reached_eof    -> stream_edge_eof        (the dir client is done or gave up)
 *   about_to_close -> stream_edge_closed
 *
 * The stream's END ends the HTTP body: the edge closes after flushing, and
 * the dirconn end reads to EOF.  Failures (no circuit, the circuit fails,
 * END before CONNECTED) close the edge at once: the dirconn end sees the
 * connection close before a response, and the directory client falls back
 * to an authority's DirPort.
 *
 * Logs (info): "BEGIN_DIR stream N to NICK ($FP) on circuit C connected:
 * GET /tor/..." and "BEGIN_DIR stream N to NICK ($FP) ended ..." */
#ifndef EVONION_CLIENT_DIRTUNNEL_H
#define EVONION_CLIENT_DIRTUNNEL_H

#include "client/circpool.h"
#include "core/conn.h"
#include "core/mainloop.h"

typedef struct dirtunnel_t dirtunnel_t;

/** A tunnel maker on ml using circuits from pool (borrowed: free the tunnel
 *  before the pool).  Returns it (never NULL). */
dirtunnel_t *dirtunnel_new(mainloop_t *ml, circpool_t *pool);

/** Cancel the circuit requests of every live tunnel, end its stream, close
 *  its edge (the dirconn ends then see a close) and free t.  Call it before
 *  circpool_free().  NULL is fine. */
void dirtunnel_free(dirtunnel_t *t);

/** The dirclient_tunnel_fn: arg is a dirtunnel_t.  Returns the dirconn end of
 *  a new tunnel (the caller runs dirconn_start on it and owns it), or NULL if
 *  no socket pair could be made. */
conn_t *dirtunnel_open(void *arg);

/** Counters for tests and logs. */
typedef struct dirtunnel_stats_t {
  unsigned n_opened;      /**< tunnels made */
  unsigned n_connected;   /**< BEGIN_DIR streams that got CONNECTED */
  unsigned n_failed;      /**< ended before CONNECTED (no circuit, END, circuit closed) */
  unsigned n_live;        /**< edges alive now */
} dirtunnel_stats_t;

/** Copy the counters into *out. */
void dirtunnel_get_stats(const dirtunnel_t *t, dirtunnel_stats_t *out);

#endif
