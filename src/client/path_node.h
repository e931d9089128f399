/* path_node.h — the per-node rules of path selection (path-spec §2.2,
 * §2.2.1): which relays may be used at all, which may be exits for a port,
 * and which pairs may not share a circuit (same relay, same family, same
 * /16 or IPv6 /32).
 *
 * Pure predicates over dir/node.h; no state, no randomness. */
#ifndef EVONION_CLIENT_PATH_NODE_H
#define EVONION_CLIENT_PATH_NODE_H

#include <stdint.h>

#include "dir/node.h"

/** 1 if a circuit may use node at all, else 0: listed as Running and Valid,
 *  its microdescriptor is known with an ntor key and an Ed25519 identity
 *  (every EXTEND2 we send names it), and its "pr" line has Relay=2 (EXTEND2,
 *  tor's router_can_choose_node). */
int path_node_is_usable(const node_t *node);

/** 1 if node may be the last hop of a circuit that leaves the network:
 *  usable, not BadExit, not MiddleOnly, and its "p" policy summary accepts
 *  port (port 0: accepts some port, tor's "does not reject all").  The Exit
 *  flag is not required (tor does not require it either; it only decides
 *  the node's weight class), and not enough (a test network's authorities
 *  give Exit to "p reject 1-65535" relays). */
int path_node_can_exit(const node_t *node, uint16_t port);

/** 1 if node may be a guard (first hop): usable, Guard flag, not MiddleOnly. */
int path_node_can_guard(const node_t *node);

/** 1 if node's md "family" line names other: by "$HEX" identity (also
 *  "$HEX=nick" / "$HEX~nick"), or by a bare nickname (case-insensitive),
 *  as tor's nodefamily_contains_node does.  One-sided: a family needs both. */
int path_node_family_lists(const node_t *node, const node_t *other);

/** 1 if a and b are in the same family: each one's "family" lists the other
 *  (path-spec §2.2), or their "family-ids" share an entry (proposal 321). */
int path_nodes_same_family(const node_t *a, const node_t *b);

/** 1 if a and b have IPv4 addresses in the same /16, or IPv6 addresses in the
 *  same /32 (tor's router_addrs_in_same_network). */
int path_nodes_same_subnet(const node_t *a, const node_t *b);

/** 1 if a and b may not be in one circuit: the same relay, the same family,
 *  or (when enforce_subnets) the same subnet. */
int path_nodes_conflict(const node_t *a, const node_t *b, int enforce_subnets);

#endif
