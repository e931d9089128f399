/* node.h — the client's merged view of one relay (a consensus entry joined
 * with its microdescriptor) and the node list that holds them.
 *
 * The node list is a plain container: the directory client (dir/) fills it
 * from a verified consensus and microdescriptors; path selection
 * (client/path) and the circuit code read it.  Nodes are owned by the list
 * and live until the list is replaced or freed. */
#ifndef EVONION_DIR_NODE_H
#define EVONION_DIR_NODE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/netaddr.h"
#include "proto/nodedoc/policy_summary.h"
#include "proto/nodedoc/protover.h"

/** Router status flags (consensus "s" line), one bit each. */
enum {
  NODE_FLAG_AUTHORITY = 1u << 0,
  NODE_FLAG_BADEXIT = 1u << 1,
  NODE_FLAG_EXIT = 1u << 2,
  NODE_FLAG_FAST = 1u << 3,
  NODE_FLAG_GUARD = 1u << 4,
  NODE_FLAG_HSDIR = 1u << 5,
  NODE_FLAG_MIDDLEONLY = 1u << 6,
  NODE_FLAG_NOEDCONSENSUS = 1u << 7,
  NODE_FLAG_RUNNING = 1u << 8,
  NODE_FLAG_STABLE = 1u << 9,
  NODE_FLAG_STALEDESC = 1u << 10,
  NODE_FLAG_SYBIL = 1u << 11,
  NODE_FLAG_V2DIR = 1u << 12,
  NODE_FLAG_VALID = 1u << 13,
};

/** Parse one flag name ("Guard") into its NODE_FLAG_ bit; 0 if unknown. */
uint32_t node_flag_from_name(const char *name, size_t len);

typedef struct node_t {
  char nickname[20];           /**< NUL-terminated, at most 19 characters */
  uint8_t rsa_id[20];          /**< SHA-1 of the RSA identity key */
  netaddr_t ipv4;              /**< from the "r" line */
  uint16_t or_port;
  uint16_t dir_port;           /**< 0: none */
  netaddr_t ipv6;              /**< from an "a" line (NETADDR_NONE: none) */
  uint16_t ipv6_port;
  uint32_t flags;              /**< NODE_FLAG_* */
  uint64_t bandwidth;          /**< "w Bandwidth=" in kilobytes/s */
  int bw_unmeasured;           /**< "Unmeasured=1" */
  protover_t protos;           /**< "pr" line */
  uint8_t md_digest[32];       /**< SHA-256 of the microdescriptor ("m" line) */

  /* From the microdescriptor; valid when has_md. */
  int has_md;
  uint8_t ntor_key[32];        /**< "ntor-onion-key" */
  int has_ed_id;
  uint8_t ed_id[32];           /**< "id ed25519" */
  policy_summary_t *policy;    /**< "p" (never NULL once has_md: reject-all if absent) */
  policy_summary_t *policy6;   /**< "p6" (NULL: none) */
  size_t n_family;
  char **family;               /**< "family" entries as written ("$HEX", "$HEX=nick", "nick") */
  size_t n_family_ids;
  char **family_ids;           /**< "family-ids" entries ("ed25519:...") */
} node_t;

typedef struct nodelist_t nodelist_t;

/** A new, empty node list. */
nodelist_t *nodelist_new(void);

/** Free the list and every node in it (NULL is fine). */
void nodelist_free(nodelist_t *nl);

/** Add a node: the list takes ownership of *node's heap members (policy,
 *  policy6, family, family_ids, protos) and copies the struct.  Returns the
 *  stored node, or NULL if a node with the same rsa_id is already listed (then
 *  nothing is taken: the caller still owns *node's members). */
node_t *nodelist_add(nodelist_t *nl, const node_t *node);

/** Free the heap members of a node that was not added (NULL is fine). */
void node_clear(node_t *node);

/** The number of nodes. */
size_t nodelist_count(const nodelist_t *nl);

/** Node i (0 <= i < nodelist_count), in the order added (the consensus order). */
node_t *nodelist_get(const nodelist_t *nl, size_t i);

/** The node with this RSA identity, or NULL. */
node_t *nodelist_find_by_rsa_id(const nodelist_t *nl, const uint8_t rsa_id[20]);

/** Set a consensus "params" value (name up to 63 characters). */
void nodelist_set_param(nodelist_t *nl, const char *name, int32_t value);

/** A consensus parameter clipped to [min, max]; dflt if it is absent. */
int32_t nodelist_get_param(const nodelist_t *nl, const char *name, int32_t dflt, int32_t min,
                           int32_t max);

/** Set a "bandwidth-weights" value ("Wgg", ...). */
void nodelist_set_weight(nodelist_t *nl, const char *name, int32_t value);

/** A bandwidth weight ("Wgg", "Wmd", ...); 10000 if absent or negative. */
int32_t nodelist_get_weight(const nodelist_t *nl, const char *name);

/** The consensus "bwweightscale" parameter (default 10000, at least 1). */
int32_t nodelist_weight_scale(const nodelist_t *nl);

/** Set the consensus times (seconds since the epoch, UTC). */
void nodelist_set_times(nodelist_t *nl, int64_t valid_after, int64_t fresh_until,
                        int64_t valid_until);

/** The consensus times set by nodelist_set_times (0 if unset). */
void nodelist_get_times(const nodelist_t *nl, int64_t *valid_after, int64_t *fresh_until,
                        int64_t *valid_until);

/** The fraction (0..1) of nodes that have their microdescriptor. */
double nodelist_md_fraction(const nodelist_t *nl);

#endif
