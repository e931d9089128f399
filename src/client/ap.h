/* ap.h — application streams: a SOCKS request becomes a Tor stream.
 *
 * For each complete SOCKS request (client/socks_conn.h) the AP layer takes
 * the connection over, asks the circuit pool (client/circpool.h) for a
 * circuit that fits the target port and the request's isolation key (its
 * SOCKS credentials), and opens the stream (or/stream.h): BEGIN for CONNECT,
 * RESOLVE for RESOLVE / RESOLVE_PTR.  CONNECTED answers the client with
 * success and data flows; RESOLVED answers with the first usable address.
 * A stream that ends before it connected for a reason another exit might not
 * have (exit policy, timeout, resource limit, the circuit closing, ...) is
 * retried once on another circuit; otherwise, and after the retry, the client
 * gets the SOCKS error tor maps from the END reason.  A stream that ends after
 * it connected closes the client's connection once what was received is
 * flushed.  A stream that gets no CONNECTED (RESOLVED) within 10 s (15 s on
 * the retry) is ended with reason TIMEOUT and retried the same way; the
 * client finally hears "TTL expired", like tor's. */
#ifndef EVONION_CLIENT_AP_H
#define EVONION_CLIENT_AP_H

#include "client/circpool.h"
#include "client/socks_conn.h"

typedef struct ap_ctx_t ap_ctx_t;

/** A new AP layer on ml serving requests with circuits from pool (borrowed). */
ap_ctx_t *ap_ctx_new(mainloop_t *ml, circpool_t *pool);

/** Start shutting down: streams that end from now on are not retried (call
 *  before freeing the circuit pool and the circuit layer). */
void ap_ctx_shutdown(ap_ctx_t *ctx);

/** Free ctx (NULL is fine), after the circuit pool and the circuit layer:
 *  their teardown still reports to the AP layer's streams. */
void ap_ctx_free(ap_ctx_t *ctx);

/** The socks_request_cb to give socks_listen(), with ctx as its argument. */
void ap_handle_socks_request(socks_conn_t *sc, const socks_request_t *req, void *ctx);

/** Streams opened so far, and how many were retried on another circuit. */
unsigned ap_ctx_n_streams(const ap_ctx_t *ctx);
/** Streams retried on another circuit after an END before CONNECTED. */
unsigned ap_ctx_n_retries(const ap_ctx_t *ctx);

#endif
