/* path.c — choosing the relays of a circuit (see path.h). */
#include "client/path.h"

#include <string.h>

#include "client/path_node.h"
#include "lib/alloc.h"
#include "lib/log.h"

void
path_options_init_exit(path_options_t *o, uint16_t target_port, int testing_tor_network)
{
  memset(o, 0, sizeof(*o));
  o->testing_tor_network = testing_tor_network;
  o->target_port = target_port;
  o->need_exit = 1;
  o->n_hops = 3;
  o->need_fast = 1;
  o->need_stable = path_port_needs_stable(target_port);
}

void
path_options_init_dir(path_options_t *o, int testing_tor_network)
{
  memset(o, 0, sizeof(*o));
  o->testing_tor_network = testing_tor_network;
  o->n_hops = 1;
}

int
path_port_needs_stable(uint16_t port)
{
  static const uint16_t long_lived[] = { 21, 22, 706, 1863, 5050, 5190, 5222, 5223, 6523,
                                         6667, 6697, 8300 };
  for (size_t i = 0; i < sizeof(long_lived) / sizeof(long_lived[0]); i++) {
    if (long_lived[i] == port)
      return 1;
  }
  return 0;
}

const char *
path_result_to_string(path_result_t r)
{
  switch (r) {
  case PATH_OK: return "ok";
  case PATH_ERR_OPTIONS: return "bad options";
  case PATH_ERR_NO_EXIT: return "no exit";
  case PATH_ERR_NO_GUARD: return "no guard";
  case PATH_ERR_NO_MIDDLE: return "no middle";
  }
  return "?";
}

/* 1 if node meets o's Fast/Stable needs. */
static int
meets_flags(const node_t *node, const path_options_t *o)
{
  if (o->need_fast && !(node->flags & NODE_FLAG_FAST))
    return 0;
  if (o->need_stable && !(node->flags & NODE_FLAG_STABLE))
    return 0;
  return 1;
}

/* 1 if node may join the hops chosen so far. */
static int
fits_path(const node_t *node, const path_t *p, const path_options_t *o)
{
  for (int i = 0; i < PATH_MAX_HOPS; i++) {
    if (p->hops[i] && path_nodes_conflict(node, p->hops[i], !o->testing_tor_network))
      return 0;
  }
  return 1;
}

/* 1 if node may be used in position pos (before the path constraints). */
static int
node_ok_for(const node_t *node, path_position_t pos, const path_options_t *o)
{
  if (!meets_flags(node, o))
    return 0;
  switch (pos) {
  case PATH_POS_EXIT: return path_node_can_exit(node, o->target_port);
  case PATH_POS_GUARD: return path_node_can_guard(node);
  case PATH_POS_DIR: return path_node_is_usable(node) && (node->flags & NODE_FLAG_V2DIR);
  default: return path_node_is_usable(node);
  }
}

/* A weighted random node for pos that fits the path so far; NULL if none. */
static const node_t *
choose_node(const nodelist_t *nl, path_position_t pos, const path_t *p, const path_options_t *o,
            const path_rng_t *rng)
{
  size_t n = nodelist_count(nl), k = 0;
  const node_t **cand = x_malloc((n ? n : 1) * sizeof(node_t *));
  for (size_t i = 0; i < n; i++) {
    const node_t *node = nodelist_get(nl, i);
    if (node_ok_for(node, pos, o) && fits_path(node, p, o))
      cand[k++] = node;
  }
  long pick = path_choose_weighted(nl, cand, k, pos, rng);
  const node_t *node = pick >= 0 ? cand[pick] : NULL;
  x_free(cand);
  return node;
}

/* The first hop: from the guard set if any, else a weighted guard. */
static const node_t *
choose_first(const nodelist_t *nl, guard_set_t *gs, const path_t *p, const path_options_t *o,
             int64_t now, const path_rng_t *rng)
{
  int for_dir = o->n_hops == 1;
  if (!gs)
    return choose_node(nl, for_dir ? PATH_POS_DIR : PATH_POS_GUARD, p, o, rng);
  const node_t *avoid[PATH_MAX_HOPS];
  size_t n_avoid = 0;
  for (int i = 0; i < PATH_MAX_HOPS; i++) {
    if (p->hops[i])
      avoid[n_avoid++] = p->hops[i];
  }
  guard_restriction_t r = { for_dir, avoid, n_avoid, !o->testing_tor_network };
  const node_t *g = guard_choose(gs, nl, &r, now, rng);
  /* The guard rules ignore Fast/Stable (tor's guards are already both). */
  return g;
}

path_result_t
path_choose(const nodelist_t *nl, guard_set_t *gs, const path_options_t *o, int64_t now,
            const path_rng_t *rng, path_t *out)
{
  memset(out, 0, sizeof(*out));
  if (!rng)
    rng = path_rng_default();
  int n = o->n_hops;
  if (n < 1 || n > PATH_MAX_HOPS || (n == 1 && o->need_exit))
    return PATH_ERR_OPTIONS;
  path_t p;
  memset(&p, 0, sizeof(p));
  if (n > 1) {
    p.hops[n - 1] = choose_node(nl, o->need_exit ? PATH_POS_EXIT : PATH_POS_MIDDLE, &p, o, rng);
    if (!p.hops[n - 1]) {
      log_info(LD_CIRC, "No relay can be the last hop (port %u).", (unsigned)o->target_port);
      return PATH_ERR_NO_EXIT;
    }
  }
  p.hops[0] = choose_first(nl, gs, &p, o, now, rng);
  if (!p.hops[0]) {
    log_info(LD_CIRC, "No guard fits this path.");
    return PATH_ERR_NO_GUARD;
  }
  for (int i = 1; i < n - 1; i++) {
    p.hops[i] = choose_node(nl, PATH_POS_MIDDLE, &p, o, rng);
    if (!p.hops[i]) {
      log_info(LD_CIRC, "No relay left for hop %d of %d.", i + 1, n);
      return PATH_ERR_NO_MIDDLE;
    }
  }
  p.n_hops = n;
  *out = p;
  return PATH_OK;
}
