/* path.h — choosing the relays of a circuit (path-spec §2.2, §2.2.1, §5).
 *
 * Order (path-spec §2.2): the last hop first (an exit for the target port,
 * or a middle-weighted relay for internal circuits), then the first hop (a
 * guard from the guard set when one is given, else a weighted Guard-flagged
 * relay), then the hops in between (middle-weighted).  No relay twice, no
 * two relays of one family, no two in one IPv4 /16 or IPv6 /32 unless
 * testing_tor_network (tor's EnforceDistinctSubnets 0 under
 * TestingTorNetwork).  A one-hop path is a directory circuit: a V2Dir relay,
 * the guard when there is a guard set.  Rules per relay: path_node.h;
 * weights: path_weight.h; guards: guard.h. */
#ifndef EVONION_CLIENT_PATH_H
#define EVONION_CLIENT_PATH_H

#include <stdint.h>

#include "client/guard.h"
#include "client/path_weight.h"
#include "dir/node.h"

/** The longest path path_choose builds. */
#define PATH_MAX_HOPS 8

/** What a circuit needs. */
typedef struct path_options_t {
  int testing_tor_network;  /**< no /16 rule (EnforceDistinctSubnets 0) */
  uint16_t target_port;     /**< with need_exit: the exit must accept it (0: any port) */
  int need_exit;            /**< the last hop must be an exit (path_node_can_exit) */
  int n_hops;               /**< 1 (directory circuit) .. PATH_MAX_HOPS; usually 3 */
  int need_fast;            /**< every hop Fast (tor's need_capacity: general circuits) */
  int need_stable;          /**< every hop Stable (long-lived ports, see path_port_needs_stable) */
} path_options_t;

/** Fill *o for a general 3-hop circuit: an exit for target_port (0: an exit
 *  for some port, e.g. a pre-built circuit or a RESOLVE), Fast hops, Stable
 *  hops if the port is long-lived, testing_tor_network as given. */
void path_options_init_exit(path_options_t *o, uint16_t target_port, int testing_tor_network);

/** Fill *o for a one-hop directory circuit (BEGIN_DIR to a V2Dir relay). */
void path_options_init_dir(path_options_t *o, int testing_tor_network);

/** 1 if streams to port are long-lived (tor's LongLivedPorts: 21, 22, 706,
 *  1863, 5050, 5190, 5222, 5223, 6523, 6667, 6697, 8300), so need Stable. */
int path_port_needs_stable(uint16_t port);

/** A chosen path: hops[0] is the first hop (guard), hops[n_hops-1] the last.
 *  The nodes belong to the node list they came from. */
typedef struct path_t {
  int n_hops;
  const node_t *hops[PATH_MAX_HOPS];
} path_t;

typedef enum path_result_t {
  PATH_OK = 0,
  PATH_ERR_OPTIONS,         /**< n_hops out of range, or an exit on a one-hop path */
  PATH_ERR_NO_EXIT,         /**< no usable relay can be the last hop */
  PATH_ERR_NO_GUARD,        /**< no guard fits */
  PATH_ERR_NO_MIDDLE,       /**< no relay left for a middle hop */
} path_result_t;

/** A short name for r ("no exit"). */
const char *path_result_to_string(path_result_t r);

/** Choose a path through nl for o into *out, using guards from gs (NULL: no
 *  guard set; the first hop is any weighted Guard-flagged relay) and
 *  randomness from rng (NULL: path_rng_default()); now is the time for the
 *  guard rules.  Returns PATH_OK, or why not (then out->n_hops is 0). */
path_result_t path_choose(const nodelist_t *nl, guard_set_t *gs, const path_options_t *o,
                          int64_t now, const path_rng_t *rng, path_t *out);

#endif
