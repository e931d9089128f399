/* dirclient.h — the directory client: learn the network from the
 * authorities and keep the node list fresh.
 *
 * Start: load the cached certificates, consensus and microdescriptors from
 * the data directory (dircache.h), verify them, and use them if the
 * consensus is still reasonably live (at most 24 h past valid-until, as
 * tor).  Otherwise (and later, at the dir-spec §5.1 refresh time) fetch
 * from the authorities' DirPorts:
 *
 *   25% consensus  GET /tor/status-vote/current/consensus-microdesc
 *   40% certs      GET /tor/keys/fp/A+B (the signers whose certificate is
 *                  missing; /tor/keys/all when none is known yet)
 *   45% microdescs GET /tor/micro/d/D1-D2-... (only the missing ones, at most
 *                  92 per request, up to DIRCLIENT_MAX_MD_REQUESTS at once,
 *                  each body checked against the consensus m lines)
 *   75% enough directory info: microdescriptors for at least
 *       min_paths_for_circs_pct (consensus parameter, default 60) percent
 *       of the listed relays.
 *
 * Every document is verified before use (certs: signature and
 * cross-certification; consensus: signatures from more than half of the
 * configured authorities, times; microdescriptors: SHA-256 against "m");
 * every rejection is logged at warn level with its reason ("Rejected the
 * consensus from auth1 (127.0.0.1:7000): ...").  Failures retry with
 * exponential back-off and jitter, each attempt at the next authority
 * (never the same one twice in a row while others exist).
 *
 * The transport: authorities' DirPorts, and — once the owner sets a hook
 * with dirclient_set_tunnel() and there is enough directory information to
 * build circuits — the hook's connections (client/dirtunnel.h: a BEGIN_DIR
 * stream on a one-hop circuit to the guard, a directory cache).  Every kind
 * of fetch uses the hook then: consensus refreshes, certificates (caches
 * serve /tor/keys/ too) and microdescriptors, as tor clients fetch from
 * their guards after bootstrap.  A tunnelled request that fails (whatever
 * the reason: no circuit, BEGIN_DIR refused, a 404 from a cache that lacks
 * the document, a timeout) is run again at once at an authority's DirPort,
 * and the hook rests for a back-off; a consensus from a cache that is not
 * newer than ours is retried after the consensus back-off.  The first
 * bootstrap (no consensus, or not enough microdescriptors) always uses the
 * DirPorts.
 *
 * The node list (node.h) is rebuilt from the consensus and the
 * microdescriptors and replaced as a whole — when a consensus is accepted,
 * when enough microdescriptors first arrive, and when a round of
 * microdescriptor requests is over: the owner's callback sees the new list;
 * the previous one is freed after the callback returns. */
#ifndef EVONION_DIR_DIRCLIENT_H
#define EVONION_DIR_DIRCLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/conn.h"
#include "core/mainloop.h"
#include "dir/bootstrap.h"
#include "dir/dirauth.h"
#include "dir/dirsched.h"
#include "dir/node.h"

/** At most this many microdescriptors in one request (dir-spec §4.3 / tor). */
#define DIRCLIENT_MDS_PER_REQUEST 92
/** At most this many microdescriptor requests at once. */
#define DIRCLIENT_MAX_MD_REQUESTS 3

typedef struct dirclient_t dirclient_t;

/** The transport hook: open a directory connection through the network.
 *  Returns a conn_t made with dirconn_ops and dirconn_size() that has no
 *  request yet (the dir client calls dirconn_start on it; bytes it writes
 *  before the transport is ready must wait), or NULL if it cannot now (then
 *  the request goes to a DirPort).  A transport that fails later closes its
 *  end before a complete response: the request fails (DIRCONN_CLOSED) and
 *  the dir client falls back as above.  The dirconn end belongs to the dir
 *  client from then on. */
typedef conn_t *(*dirclient_tunnel_fn)(void *arg);

/** Called with each new node list (borrowed: valid until the next call or
 *  dirclient_free).  enough: 1 if it has enough microdescriptors to build
 *  circuits. */
typedef void (*dirclient_nodelist_fn)(const nodelist_t *nl, int enough, void *arg);

typedef struct dirclient_options_t {
  const dir_authorities_t *auths;   /**< required; copied */
  const char *data_dir;             /**< cache directory (copied); NULL: no cache */
  int testing_tor_network;          /**< quick retries (DIRSCHED_TESTING_BACKOFF_*) */
  bootstrap_t *bootstrap;           /**< progress (borrowed; may be NULL) */
  dirclient_nodelist_fn on_nodelist; /**< may be NULL */
  void *arg;
  int no_fetch;                     /**< 1: use the cache only, never connect (tests, probes) */
  int64_t (*now)(void);             /**< wall clock, seconds (NULL: time()); tests pin it */
  dirsched_rand_fn rnd;             /**< NULL: crypto_rand_uint64 */
} dirclient_options_t;

/** A new directory client on ml (nothing happens until dirclient_start). */
dirclient_t *dirclient_new(mainloop_t *ml, const dirclient_options_t *opts);

/** Load the cache, then fetch what is missing (unless no_fetch).  Returns 0,
 *  or -1 if the cache could not be read at all (never fatal: it logs). */
int dirclient_start(dirclient_t *dc);

/** Cancel every request and timer and free everything, including the
 *  current node list.  NULL is fine. */
void dirclient_free(dirclient_t *dc);

/** The current node list (NULL before the first consensus). */
const nodelist_t *dirclient_get_nodelist(const dirclient_t *dc);

/** 1 once there is enough directory information to build circuits. */
int dirclient_has_enough_dirinfo(const dirclient_t *dc);

/** Set (fn non-NULL) or clear the transport hook; arg is passed to fn.
 *  Requests already running keep their transport. */
void dirclient_set_tunnel(dirclient_t *dc, dirclient_tunnel_fn fn, void *arg);

/** Counters for tests and logs. */
typedef struct dirclient_stats_t {
  unsigned n_requests;            /**< requests started */
  unsigned n_failures;            /**< requests that failed (transport or HTTP) */
  unsigned n_consensus_rejected;  /**< consensuses refused after download */
  unsigned n_consensus_accepted;
  unsigned n_certs_accepted;
  unsigned n_certs_rejected;
  unsigned n_mds_accepted;
  unsigned n_mds_rejected;        /**< not asked for, or digest not in the consensus */
  int used_cached_consensus;      /**< 1 if the consensus came from the cache */
  unsigned n_dirport_requests;    /**< requests started at an authority's DirPort */
  unsigned n_tunnel_requests;     /**< requests started over the transport hook */
  unsigned n_tunnel_failures;     /**< of those, failed (then retried at a DirPort) */
} dirclient_stats_t;

/** Copy the counters into *out. */
void dirclient_get_stats(const dirclient_t *dc, dirclient_stats_t *out);

/** When the next consensus fetch is due (seconds since the epoch; 0 if none
 *  is scheduled). */
int64_t dirclient_next_consensus_fetch(const dirclient_t *dc);

#endif
