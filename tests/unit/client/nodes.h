/* nodes.h — hand-made node lists and a seeded random source for the
 * client tests. */
#ifndef EVONION_TEST_CLIENT_NODES_H
#define EVONION_TEST_CLIENT_NODES_H

#include <stdint.h>

#include "client/path_weight.h"
#include "dir/node.h"

/* Common flag sets. */
#define TN_LISTED (NODE_FLAG_RUNNING | NODE_FLAG_VALID | NODE_FLAG_FAST | NODE_FLAG_STABLE)
#define TN_GUARD (TN_LISTED | NODE_FLAG_GUARD | NODE_FLAG_V2DIR)
#define TN_EXIT (TN_LISTED | NODE_FLAG_EXIT)
#define TN_MIDDLE TN_LISTED

/** Add a usable node: rsa_id = 20 bytes of id_byte, nickname "n<id_byte>",
 *  IPv4 "10.<id_byte>.0.1" unless ipv4 is given, md with ntor + ed keys,
 *  "pr Relay=2", policy summary "p" (NULL: "reject 1-65535").  Returns the
 *  stored node (the test may still edit it). */
node_t *tn_add(nodelist_t *nl, uint8_t id_byte, uint32_t flags, uint64_t bw, const char *policy,
               const char *ipv4);

/** Set node's md family entries (NULL-terminated list of strings). */
void tn_set_family(node_t *node, const char *const *entries);

/** Set node's family-ids (NULL-terminated). */
void tn_set_family_ids(node_t *node, const char *const *ids);

/** "$" + 40 hex digits of node's identity, in out (>= 42 bytes). */
const char *tn_hexid(const node_t *node, char *out);

/** A seeded deterministic random source (xorshift64*). */
typedef struct tn_rng_t {
  path_rng_t rng;
  uint64_t state;
} tn_rng_t;
void tn_rng_init(tn_rng_t *r, uint64_t seed);

/** Index of node in the path (or -1). */
int tn_hop_index(const node_t *const *hops, int n, uint8_t id_byte);

#endif
