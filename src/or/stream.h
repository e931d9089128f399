/* stream.h — client streams on an origin circuit (tor-spec §6, §7.4;
 * protocol-scope.md §A.4).
 *
 * A stream carries the bytes of one application connection (the "edge", a
 * conn_t the client layer owns: SOCKS after its handshake, or a directory
 * connection) to the last hop of a circuit: BEGIN / BEGIN_DIR, CONNECTED,
 * DATA both ways (<= 498 bytes per cell), END.  RESOLVE streams have no edge.
 *
 * The owner of the edge keeps its conn_ops and forwards four events:
 *   process_inbuf  -> stream_edge_readable(s)     (package the inbuf as DATA)
 *   flushed_some   -> stream_edge_flushed_some(s) (maybe send a stream SENDME)
 *   reached_eof    -> stream_edge_eof(s)          (package the rest, send END DONE)
 *   about_to_close -> stream_edge_closed(s)       (send END DONE if still open, free s)
 *
 * Data waits in the edge's inbuf until CONNECTED (no optimistic data).  The
 * edge stops reading (CONN_BLOCK_WINDOW) while the stream or the last hop's
 * package window is empty and (CONN_BLOCK_CIRCQ) while the circuit's queue is
 * over CIRCUIT_QUEUE_HIGHWAT; it resumes on SENDME or when the queue drains.
 * Received DATA is written to the edge's outbuf; a stream SENDME goes out when
 * the deliver window is <= 450 and the edge's outbuf is not full.
 *
 * Lifetime: the owner hears STREAM_EV_CONNECTED, then exactly one of
 * STREAM_EV_END (the exit's END, a failure, the circuit closing, or the edge's
 * EOF after we sent END) or STREAM_EV_RESOLVED (RESOLVE streams).  After that
 * callback returns the stream is gone: forget the pointer (the edge stays the
 * owner's: typically conn_close_after_flush()); stream calls on it from inside
 * that callback are ignored.  stream_edge_closed() and
 * stream_close() end it without a callback. */
#ifndef EVONION_OR_STREAM_H
#define EVONION_OR_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "core/conn.h"
#include "or/circuit.h"
#include "proto/netaddr.h"
#include "proto/relay_stream.h"

typedef struct stream_t stream_t;

typedef enum stream_event_t {
  STREAM_EV_CONNECTED = 1,  /**< CONNECTED arrived (info->addr, ttl if given) */
  STREAM_EV_RESOLVED,       /**< RESOLVED arrived (info->resolved); the stream is done */
  STREAM_EV_END,            /**< the stream is done (info->end_reason, remote, was_connected) */
} stream_event_t;

typedef struct stream_info_t {
  netaddr_t addr;                   /**< CONNECTED's address, or END EXITPOLICY's */
  int has_ttl;
  uint32_t ttl;
  uint8_t end_reason;               /**< END_REASON_* (END_REASON_DESTROY if the circuit closed) */
  int remote;                       /**< 1 if the exit sent END (or the circuit closed remotely) */
  int was_connected;                /**< 1 if CONNECTED had arrived */
  const resolved_cell_t *resolved;  /**< RESOLVED only; valid during the callback */
} stream_info_t;

/** The owner's callback. */
typedef void (*stream_cb_t)(stream_t *s, stream_event_t ev, const stream_info_t *info, void *arg);

/** Open a stream to host:port (flags: BEGIN_FLAG_*) on the open circuit circ,
 *  carrying edge's bytes (borrowed: the owner must call stream_edge_closed()
 *  before it goes).  Marks the circuit dirty.  Returns the stream or NULL (the
 *  circuit is not open, no stream ID is free, or host is unusable). */
stream_t *stream_begin(circuit_t *circ, conn_t *edge, const char *host, uint16_t port,
                       uint32_t flags, stream_cb_t cb, void *arg);
/** Open a BEGIN_DIR stream (to the last hop's directory port) carrying edge.
 *  Returns the stream or NULL, as stream_begin(). */
stream_t *stream_begin_dir(circuit_t *circ, conn_t *edge, stream_cb_t cb, void *arg);
/** Ask the exit to resolve name (a hostname, or an in-addr.arpa name for a
 *  reverse lookup).  No edge; the answer comes as STREAM_EV_RESOLVED (or END).
 *  Returns the stream or NULL. */
stream_t *stream_resolve(circuit_t *circ, const char *name, stream_cb_t cb, void *arg);

/** The edge has new bytes in its inbuf: package what the windows allow. */
void stream_edge_readable(stream_t *s);
/** The edge's outbuf drained some: send a stream SENDME if due. */
void stream_edge_flushed_some(stream_t *s);
/** The application closed its side: package what is left, then send END DONE;
 *  the owner then hears STREAM_EV_END (remote 0). */
void stream_edge_eof(stream_t *s);
/** The edge is going away: send END DONE if the stream is still open, detach
 *  and free the stream (no callback).  NULL is fine. */
void stream_edge_closed(stream_t *s);
/** End the stream from our side with reason (END_REASON_*): send END, detach
 *  the edge, free the stream (no callback).  NULL is fine. */
void stream_close(stream_t *s, uint8_t reason);

/** The stream's ID on its circuit. */
uint16_t stream_get_id(const stream_t *s);
/** The circuit carrying s. */
circuit_t *stream_get_circuit(const stream_t *s);
/** 1 once CONNECTED arrived. */
int stream_is_connected(const stream_t *s);
/** The stream's package window. */
int stream_package_window(const stream_t *s);
/** The stream's deliver window. */
int stream_deliver_window(const stream_t *s);

#endif
