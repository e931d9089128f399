/* nodebuild.h — merge a verified consensus and the microdescriptors held
 * into a new node list (node.h): identity, addresses, ports, flags,
 * bandwidth and protocols from the consensus entry; ntor key, Ed25519 id,
 * policy summaries and family from its microdescriptor (when held). */
#ifndef EVONION_DIR_NODEBUILD_H
#define EVONION_DIR_NODEBUILD_H

#include <stddef.h>

#include "dir/mdstore.h"
#include "dir/node.h"
#include "proto/netdoc/consensus.h"

/** Build a node list from c and the microdescriptors in mds (may be NULL):
 *  every router, in consensus order (a duplicated identity is skipped);
 *  params, bandwidth weights and times copied.  *n_with_md (may be NULL)
 *  counts the nodes that got a microdescriptor.  Returns a new list (free
 *  with nodelist_free). */
nodelist_t *nodebuild_from_consensus(const consensus_t *c, const mdstore_t *mds,
                                     size_t *n_with_md);

/** The percentage of listed relays whose microdescriptor is needed before
 *  there is "enough directory information": the consensus parameter
 *  min_paths_for_circs_pct (default 60, clipped to 25..95 as tor does). */
int nodebuild_min_paths_pct(const consensus_t *c);

/** 1 if n_with_md of n_total relays reaches nodebuild_min_paths_pct(c). */
int nodebuild_is_enough(const consensus_t *c, size_t n_with_md, size_t n_total);

#endif
