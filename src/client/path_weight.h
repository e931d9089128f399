/* path_weight.h — bandwidth-weighted random choice of relays (path-spec
 * §2.2, §5.1; dir-spec §3.8.3 "bandwidth-weights").
 *
 * A node's weight for a position is its consensus "w Bandwidth" times the
 * weight for its class in that position, divided by "bwweightscale":
 *
 *   class (flags)           guard   middle  exit   directory
 *   Guard only              Wgg     Wmg     Weg    Wbg
 *   Exit only               0       Wme     Wee    Wbe
 *   Guard and Exit          Wgd     Wmd     Wed    Wbd
 *   neither                 Wgm     Wmm     Wem    Wbm
 *
 * "Exit" means the Exit flag without BadExit (nor MiddleOnly); in the guard,
 * middle and exit positions a V2Dir node's weight is further multiplied by
 * Wgb / Wmb / Web / Wdb (its class's BEGIN_DIR weight) ÷ scale, as tor does.
 * Unmeasured bandwidths are used as they are (the authorities already cap
 * them); a zero bandwidth or weight gives weight 0; when every candidate
 * weighs 0 the choice is uniform.  Randomness comes from a path_rng_t that
 * tests replace with a seeded generator. */
#ifndef EVONION_CLIENT_PATH_WEIGHT_H
#define EVONION_CLIENT_PATH_WEIGHT_H

#include <stddef.h>
#include <stdint.h>

#include "dir/node.h"

/** A source of uniform random integers. */
typedef struct path_rng_t {
  /** A uniformly distributed integer in [0, max); max > 0. */
  uint64_t (*uniform)(void *arg, uint64_t max);
  void *arg;
} path_rng_t;

/** The default source: crypto_rand_uint64 (OpenSSL's DRBG).  Static storage. */
const path_rng_t *path_rng_default(void);

/** The position a relay is chosen for. */
typedef enum path_position_t {
  PATH_POS_GUARD = 0,
  PATH_POS_MIDDLE,
  PATH_POS_EXIT,
  PATH_POS_DIR,       /**< a directory cache for a one-hop BEGIN_DIR circuit */
} path_position_t;

/** The weight of node in position pos under nl's bandwidth weights
 *  (>= 0; see the table above).  The unit is arbitrary: only ratios count. */
double path_node_weight(const nodelist_t *nl, const node_t *node, path_position_t pos);

/** Choose one of the n nodes (n > 0) at random, each with probability
 *  proportional to its weight in position pos (uniformly if all weigh 0).
 *  Returns its index, or -1 if n == 0. */
long path_choose_weighted(const nodelist_t *nl, const node_t *const *nodes, size_t n,
                          path_position_t pos, const path_rng_t *rng);

/** The same choice over precomputed weights (each >= 0): the index of the
 *  chosen one, or -1 if n == 0. */
long path_choose_by_weights(const double *weights, size_t n, const path_rng_t *rng);

#endif
