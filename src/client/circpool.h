/* circpool.h — the client's circuits: which one a new stream uses, when to
 * build more (path-spec §2.1; tor's circuituse.c, in our own terms).
 *
 * A request names a target port and an isolation key (the SOCKS credentials:
 * tor's IsolateSOCKSAuth).  The pool answers it, from the event loop and
 * never from inside circpool_get(), with an open circuit:
 *   - whose exit's policy summary accepts the port (looked up in the current
 *     node list by the exit's identity),
 *   - that was never used, or whose isolation key equals the request's (a
 *     clean circuit takes the key of the first request it serves),
 *   - that has not been dirty (carrying streams) for longer than max_dirty,
 *   - that is not the circuit the request asks to avoid (a retry);
 * else it waits on a suitable circuit being built, else it launches one
 * (path_choose with the guard set).  A failed build is retried on a new path
 * up to max_attempts times per request; then the request fails with a reason.
 *
 * Directory requests (circpool_get_dir) are served the same way with one-hop
 * circuits to the guard (path_options_init_dir: it must have V2Dir) for
 * BEGIN_DIR streams.  Those never carry SOCKS streams (and general circuits
 * never carry BEGIN_DIR), are shared by any number of directory requests
 * while open and not dirty longer than max_dirty, and are closed once they
 * have carried no stream for CIRCPOOL_DIR_IDLE seconds.  They do not count
 * as pre-built circuits nor report bootstrap progress.
 *
 * The pool keeps n_prebuilt clean circuits (exits for port 80) ready once the
 * node list has enough microdescriptors, closes circuits that are dirty
 * longer than max_dirty and carry no stream, and reports bootstrap progress
 * 90-100% ("Bootstrapped 100% (done)" at the first built circuit). */
#ifndef EVONION_CLIENT_CIRCPOOL_H
#define EVONION_CLIENT_CIRCPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "client/guard.h"
#include "core/mainloop.h"
#include "dir/bootstrap.h"
#include "dir/node.h"
#include "or/circuit.h"

/** The longest isolation key (SOCKS version + username + password). */
#define CIRCPOOL_ISO_MAX 520
/** A one-hop directory circuit with no stream for this long is closed
 *  (seconds; checked every 5 s). */
#define CIRCPOOL_DIR_IDLE 60.0

typedef struct circpool_t circpool_t;
typedef struct circpool_req_t circpool_req_t;

/** A request's answer: an open circuit, or NULL and a reason.  The request is
 *  freed after the call. */
typedef void (*circpool_cb_t)(circuit_t *circ, const char *err, void *arg);

typedef struct circpool_options_t {
  mainloop_t *ml;             /**< required */
  circuit_ctx_t *cctx;        /**< required (borrowed) */
  guard_set_t *guards;        /**< may be NULL (no persistent guards) */
  bootstrap_t *bootstrap;     /**< may be NULL */
  int testing_tor_network;    /**< path relaxations */
  int n_prebuilt;             /**< clean circuits to keep ready (default 2; 0 is fine) */
  double max_dirty;           /**< seconds (default 600: tor's MaxCircuitDirtiness) */
  int max_attempts;           /**< builds per request (default 3) */
  double request_timeout;     /**< seconds a request may wait (default 120) */
} circpool_options_t;

/** Fill o with the defaults (ml, cctx still to set). */
void circpool_options_default(circpool_options_t *o);

/** A new pool (opts copied).  Nothing is built before circpool_set_nodelist. */
circpool_t *circpool_new(const circpool_options_t *opts);

/** Fail every waiting request (their callbacks run now, with an error),
 *  close the pool's circuits and free p.  NULL is fine. */
void circpool_free(circpool_t *p);

/** A new node list (borrowed until the next call or circpool_free); enough: 1
 *  if it has enough microdescriptors to build circuits.  Waiting requests are
 *  served and pre-built circuits launched once enough is 1. */
void circpool_set_nodelist(circpool_t *p, const nodelist_t *nl, int enough);

/** Ask for a circuit to an exit for port with isolation key iso[0..iso_len)
 *  (iso_len 0: no credentials), not avoid (may be NULL).  Returns the request
 *  (valid until its callback or circpool_cancel). */
circpool_req_t *circpool_get(circpool_t *p, uint16_t port, const uint8_t *iso, size_t iso_len,
                             const circuit_t *avoid, circpool_cb_t cb, void *arg);

/** Ask for an open one-hop directory circuit (to the guard, for BEGIN_DIR),
 *  not avoid (may be NULL).  Answered like circpool_get(), never from inside
 *  this call.  Returns the request (valid until its callback or
 *  circpool_cancel). */
circpool_req_t *circpool_get_dir(circpool_t *p, const circuit_t *avoid, circpool_cb_t cb,
                                 void *arg);

/** Forget a request before its callback ran.  NULL is fine. */
void circpool_cancel(circpool_req_t *r);

/** Circuits the pool holds (building or open). */
int circpool_n_circuits(const circpool_t *p);

/** Circuits the pool has launched so far (tests: reuse keeps this still). */
unsigned circpool_n_launched(const circpool_t *p);

/** Circuits that reached CIRCUIT_EV_BUILT so far. */
unsigned circpool_n_built(const circpool_t *p);

/** The pool's short ID of circ for logs ("circuit 7"), 0 if not the pool's. */
unsigned circpool_circuit_serial(const circpool_t *p, const circuit_t *circ);

/** Name circ's first hop for logs into out: "nickname ($FINGERPRINT)".
 *  Returns 0, or -1 (not the pool's; out is ""). */
int circpool_circuit_describe(const circpool_t *p, const circuit_t *circ, char *out,
                              size_t outlen);

#endif
