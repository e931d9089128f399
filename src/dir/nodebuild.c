/* nodebuild.c — consensus + microdescriptors -> node list (see nodebuild.h). */
#include "dir/nodebuild.h"

#include <string.h>

#include "lib/alloc.h"
#include "lib/log.h"

/* node.h's NODE_FLAG_* and consensus.h's CONS_FLAG_* are the same bits. */
_Static_assert((int)NODE_FLAG_AUTHORITY == (int)CONS_FLAG_AUTHORITY &&
                 (int)NODE_FLAG_BADEXIT == (int)CONS_FLAG_BADEXIT &&
                 (int)NODE_FLAG_EXIT == (int)CONS_FLAG_EXIT &&
                 (int)NODE_FLAG_FAST == (int)CONS_FLAG_FAST &&
                 (int)NODE_FLAG_GUARD == (int)CONS_FLAG_GUARD &&
                 (int)NODE_FLAG_HSDIR == (int)CONS_FLAG_HSDIR &&
                 (int)NODE_FLAG_MIDDLEONLY == (int)CONS_FLAG_MIDDLEONLY &&
                 (int)NODE_FLAG_NOEDCONSENSUS == (int)CONS_FLAG_NOEDCONSENSUS &&
                 (int)NODE_FLAG_RUNNING == (int)CONS_FLAG_RUNNING &&
                 (int)NODE_FLAG_STABLE == (int)CONS_FLAG_STABLE &&
                 (int)NODE_FLAG_STALEDESC == (int)CONS_FLAG_STALEDESC &&
                 (int)NODE_FLAG_SYBIL == (int)CONS_FLAG_SYBIL &&
                 (int)NODE_FLAG_V2DIR == (int)CONS_FLAG_V2DIR &&
                 (int)NODE_FLAG_VALID == (int)CONS_FLAG_VALID,
               "node and consensus flag bits differ");

static char **
copy_strings(char *const *v, size_t n)
{
  if (n == 0)
    return NULL;
  char **out = x_calloc(n, sizeof(char *));
  for (size_t i = 0; i < n; i++)
    out[i] = x_strdup(v[i]);
  return out;
}

static policy_summary_t *
copy_policy(const policy_summary_t *p)
{
  if (!p)
    return NULL;
  policy_summary_t *q = x_memdup(p, sizeof(*p));
  q->ranges = p->n_ranges ? x_memdup(p->ranges, p->n_ranges * sizeof(policy_port_range_t))
                          : NULL;
  return q;
}

/* The microdescriptor half of a node. */
static void
fill_from_md(node_t *n, const microdesc_t *md)
{
  n->has_md = 1;
  memcpy(n->ntor_key, md->ntor_key, 32);
  n->has_ed_id = md->has_ed25519_id;
  if (md->has_ed25519_id)
    memcpy(n->ed_id, md->ed25519_id, 32);
  n->policy = md->policy ? copy_policy(md->policy) : policy_summary_new_reject_all();
  n->policy6 = copy_policy(md->policy6);
  n->n_family = md->n_family;
  n->family = copy_strings(md->family, md->n_family);
  n->n_family_ids = md->n_family_ids;
  n->family_ids = copy_strings(md->family_ids, md->n_family_ids);
}

static void
fill_from_router(node_t *n, const cons_router_t *r)
{
  memset(n, 0, sizeof(*n));
  memcpy(n->nickname, r->nickname, sizeof(n->nickname));
  n->nickname[sizeof(n->nickname) - 1] = '\0';
  memcpy(n->rsa_id, r->rsa_id, 20);
  n->ipv4 = r->ipv4;
  n->or_port = r->or_port;
  n->dir_port = r->dir_port;
  n->ipv6 = r->ipv6;
  n->ipv6_port = r->ipv6_port;
  n->flags = r->flags;
  n->bandwidth = r->has_bandwidth ? r->bandwidth : 0;
  n->bw_unmeasured = r->bw_unmeasured;
  memcpy(n->md_digest, r->md_digest, 32);
  if (r->protocols.s && protover_parse(&n->protos, r->protocols.s, r->protocols.len) < 0)
    memset(&n->protos, 0, sizeof(n->protos));  /* a bad "pr" line: no protocols known */
}

nodelist_t *
nodebuild_from_consensus(const consensus_t *c, const mdstore_t *mds, size_t *n_with_md)
{
  nodelist_t *nl = nodelist_new();
  size_t with_md = 0;
  for (size_t i = 0; i < c->n_params; i++)
    nodelist_set_param(nl, c->params[i].name, c->params[i].value);
  for (size_t i = 0; i < c->n_weights; i++)
    nodelist_set_weight(nl, c->weights[i].name, c->weights[i].value);
  nodelist_set_times(nl, c->valid_after, c->fresh_until, c->valid_until);
  for (size_t i = 0; i < c->n_routers; i++) {
    node_t n;
    fill_from_router(&n, &c->routers[i]);
    const microdesc_t *md = mds ? mdstore_get(mds, n.md_digest) : NULL;
    if (md)
      fill_from_md(&n, md);
    if (!nodelist_add(nl, &n)) {
      log_info(LD_DIR, "The consensus lists %s twice; using the first entry.", n.nickname);
      node_clear(&n);
      continue;
    }
    with_md += md ? 1 : 0;
  }
  if (n_with_md)
    *n_with_md = with_md;
  return nl;
}

int
nodebuild_min_paths_pct(const consensus_t *c)
{
  return (int)consensus_get_param(c, "min_paths_for_circs_pct", 60, 25, 95);
}

int
nodebuild_is_enough(const consensus_t *c, size_t n_with_md, size_t n_total)
{
  if (n_total == 0)
    return 0;
  return n_with_md * 100 >= (size_t)nodebuild_min_paths_pct(c) * n_total;
}
