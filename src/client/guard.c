/* guard.c — the entry-guard sample (see guard.h). */
#include "client/guard.h"

#include <stdio.h>
#include <string.h>

#include "client/guard_state.h"
#include "client/path_node.h"
#include "lib/alloc.h"
#include "lib/log.h"

#define DAY 86400

struct guard_set_t {
  char *state_path;
  size_t n;
  guard_entry_t g[GUARD_SAMPLE_HARD_MAX];
  int64_t last_success;  /**< last guard_note_success, any guard (0: none) */
};

guard_set_t *
guard_set_new(const char *state_path)
{
  guard_set_t *gs = x_calloc(1, sizeof(guard_set_t));
  gs->state_path = state_path ? x_strdup(state_path) : NULL;
  return gs;
}

void
guard_set_free(guard_set_t *gs)
{
  if (!gs)
    return;
  x_free(gs->state_path);
  x_free(gs);
}

size_t
guard_set_count(const guard_set_t *gs)
{
  return gs->n;
}

const guard_entry_t *
guard_set_get(const guard_set_t *gs, size_t i)
{
  return i < gs->n ? &gs->g[i] : NULL;
}

static guard_entry_t *
find_entry(guard_set_t *gs, const uint8_t rsa_id[20])
{
  for (size_t i = 0; i < gs->n; i++) {
    if (memcmp(gs->g[i].rsa_id, rsa_id, 20) == 0)
      return &gs->g[i];
  }
  return NULL;
}

const guard_entry_t *
guard_set_find(const guard_set_t *gs, const uint8_t rsa_id[20])
{
  return find_entry((guard_set_t *)gs, rsa_id);
}

int
guard_set_load(guard_set_t *gs)
{
  gs->n = 0;
  if (!gs->state_path)
    return 0;
  char *text = NULL;
  size_t len = 0;
  int r = guard_state_read_file(gs->state_path, &text, &len);
  if (r == 0) {
    log_info(LD_CIRC, "No state file yet; guards will be sampled.");
    return 0;
  }
  guard_entry_t *v = NULL;
  size_t n = 0;
  if (r == -1) {
    log_warn(LD_CIRC, "Starting with no guards (the state file will be replaced).");
    return -1;
  }
  if (r == -2 || guard_state_parse(text, len, &v, &n) < 0) {
    log_warn(LD_CIRC, "The state file \"%s\" is not a valid evonion state file; "
             "starting with no guards.", gs->state_path);
    x_free(text);
    guard_state_set_aside(gs->state_path);
    return -1;
  }
  x_free(text);
  memcpy(gs->g, v, n * sizeof(guard_entry_t));
  gs->n = n;
  x_free(v);
  log_info(LD_CIRC, "Loaded %zu guards from the state file.", n);
  return 0;
}

guard_set_t *
guard_set_open(const char *data_dir)
{
  size_t n = strlen(data_dir) + sizeof("/state");
  char *path = x_malloc(n);
  snprintf(path, n, "%s/state", data_dir);
  guard_set_t *gs = guard_set_new(path);
  x_free(path);
  guard_set_load(gs);
  return gs;
}

int
guard_set_save(guard_set_t *gs)
{
  if (!gs->state_path)
    return -1;
  char *text = guard_state_format(gs->g, gs->n);
  int r = guard_state_write_file(gs->state_path, text, strlen(text));
  x_free(text);
  return r;
}

/* The node for e if the consensus lists it as a usable guard, else NULL. */
static const node_t *
entry_node(const nodelist_t *nl, const guard_entry_t *e)
{
  const node_t *node = nodelist_find_by_rsa_id(nl, e->rsa_id);
  return node && path_node_can_guard(node) ? node : NULL;
}

static int
n_primary_wanted(const nodelist_t *nl)
{
  return (int)nodelist_get_param(nl, "guard-n-primary-guards", 3, 1, GUARD_SAMPLE_HARD_MAX);
}

/* 1 if e should leave the sample at time now. */
static int
entry_expired(const nodelist_t *nl, const guard_entry_t *e, int64_t now)
{
  int64_t unlisted_max =
    (int64_t)nodelist_get_param(nl, "guard-remove-unlisted-guards-after-days", 20, 1, 3650) * DAY;
  int64_t lifetime = (int64_t)nodelist_get_param(nl, "guard-lifetime-days", 120, 1, 3650) * DAY;
  int64_t confirmed_min =
    (int64_t)nodelist_get_param(nl, "guard-confirmed-min-lifetime-days", 60, 1, 3650) * DAY;
  if (e->unlisted_since && now - e->unlisted_since > unlisted_max)
    return 1;
  if (now - e->sampled_on > lifetime)
    return !e->confirmed_on || now - e->confirmed_on > confirmed_min;
  return 0;
}

void
guard_set_update(guard_set_t *gs, const nodelist_t *nl, int64_t now)
{
  int changed = 0;
  size_t out = 0;
  for (size_t i = 0; i < gs->n; i++) {
    guard_entry_t *e = &gs->g[i];
    int listed = entry_node(nl, e) != NULL;
    if (listed && e->unlisted_since) {
      e->unlisted_since = 0;
      changed = 1;
    } else if (!listed && !e->unlisted_since) {
      e->unlisted_since = now;
      changed = 1;
    }
    if (entry_expired(nl, e, now)) {
      log_notice(LD_CIRC, "Guard %s leaves the sample (%s).", e->nickname,
                 e->unlisted_since ? "unlisted too long" : "sampled too long ago");
      changed = 1;
      continue;
    }
    gs->g[out++] = *e;
  }
  gs->n = out;
  int want = n_primary_wanted(nl), have = 0;
  for (size_t i = 0; i < gs->n; i++) {
    guard_entry_t *e = &gs->g[i];
    e->is_primary = !e->unlisted_since && have < want;
    have += e->is_primary;
  }
  if (changed && gs->state_path)
    guard_set_save(gs);
}

/* Seconds after the last attempt before a failing guard is tried again
 * (tor's schedule, guard-spec "retry"). */
static int64_t
retry_delay(int64_t failing_for, int is_primary)
{
  static const struct {
    int64_t upto, primary, other;
  } steps[] = {
    { 6 * 3600, 10 * 60, 3600 },
    { 4 * DAY, 90 * 60, 4 * 3600 },
    { 7 * DAY, 4 * 3600, 18 * 3600 },
    { INT64_MAX, 9 * 3600, 36 * 3600 },
  };
  size_t i = 0;
  while (failing_for > steps[i].upto)
    i++;
  return is_primary ? steps[i].primary : steps[i].other;
}

static int
entry_reachable(const guard_entry_t *e, int64_t now)
{
  if (!e->failing_since)
    return 1;
  int64_t failing_for = now > e->failing_since ? now - e->failing_since : 0;
  return now >= e->last_tried + retry_delay(failing_for, e->is_primary);
}

static int
node_fits(const node_t *node, const guard_restriction_t *r)
{
  if (!r)
    return 1;
  if (r->for_dir && !(node->flags & NODE_FLAG_V2DIR))
    return 0;
  for (size_t i = 0; i < r->n_avoid; i++) {
    if (r->avoid[i] && path_nodes_conflict(node, r->avoid[i], r->enforce_subnets))
      return 0;
  }
  return 1;
}

/* The first sampled guard with is_primary == primary that is listed,
 * reachable and fits r; NULL if none. */
static const node_t *
first_fitting(guard_set_t *gs, const nodelist_t *nl, const guard_restriction_t *r,
              int64_t now, int primary)
{
  for (size_t i = 0; i < gs->n; i++) {
    guard_entry_t *e = &gs->g[i];
    if (e->is_primary != primary || e->unlisted_since || !entry_reachable(e, now))
      continue;
    const node_t *node = entry_node(nl, e);
    if (!node || !node_fits(node, r))
      continue;
    if (e->failing_since)
      e->last_tried = now; /* a retry: wait for its outcome before the next */
    return node;
  }
  return NULL;
}

/* How large the sample may grow (tor's get_max_sample_size):
 * guard-max-sample-size (60) or guard-max-sample-threshold-percent (20%) of
 * the possible guards, whichever is less, but at least
 * guard-min-filtered-sample-size (20), so small networks are sampled whole. */
static size_t
sample_cap(const nodelist_t *nl, size_t n_possible)
{
  size_t abs_max = (size_t)nodelist_get_param(nl, "guard-max-sample-size", 60, 1,
                                              GUARD_SAMPLE_HARD_MAX);
  size_t pct = (size_t)nodelist_get_param(nl, "guard-max-sample-threshold-percent", 20, 1, 100);
  size_t min = (size_t)nodelist_get_param(nl, "guard-min-filtered-sample-size", 20, 1,
                                          GUARD_SAMPLE_HARD_MAX);
  size_t cap = n_possible * pct / 100;
  if (cap > abs_max)
    cap = abs_max;
  return cap < min ? min : cap;
}

/* Sample one more guard (weighted, guard position) from nl's possible
 * guards not yet sampled.  Returns its entry, or NULL if none is left or
 * the sample is full. */
static guard_entry_t *
sample_one(guard_set_t *gs, const nodelist_t *nl, int64_t now, const path_rng_t *rng)
{
  size_t n = nodelist_count(nl), n_possible = 0, k = 0;
  const node_t **cand = x_malloc((n ? n : 1) * sizeof(node_t *));
  for (size_t i = 0; i < n; i++) {
    const node_t *node = nodelist_get(nl, i);
    if (!path_node_can_guard(node))
      continue;
    n_possible++;
    if (!find_entry(gs, node->rsa_id))
      cand[k++] = node;
  }
  guard_entry_t *e = NULL;
  if (k > 0 && gs->n < sample_cap(nl, n_possible)) {
    long pick = path_choose_weighted(nl, cand, k, PATH_POS_GUARD, rng);
    e = &gs->g[gs->n++];
    memset(e, 0, sizeof(*e));
    memcpy(e->rsa_id, cand[pick]->rsa_id, 20);
    memcpy(e->nickname, cand[pick]->nickname, sizeof(e->nickname) - 1);
    e->sampled_on = now;
    log_info(LD_CIRC, "Sampled guard %s (%zu in the sample).", e->nickname, gs->n);
  }
  x_free(cand);
  return e;
}

const node_t *
guard_choose(guard_set_t *gs, const nodelist_t *nl, const guard_restriction_t *r, int64_t now,
             const path_rng_t *rng)
{
  guard_set_update(gs, nl, now);
  /* Until there are enough primaries, grow the sample first, so the
   * primaries are the first guards ever sampled. */
  int want = n_primary_wanted(nl), added = 0;
  for (;;) {
    int have = 0;
    for (size_t i = 0; i < gs->n; i++)
      have += gs->g[i].is_primary;
    if (have >= want || !sample_one(gs, nl, now, rng))
      break;
    added = 1;
    guard_set_update(gs, nl, now);
  }
  const node_t *node = first_fitting(gs, nl, r, now, 1);
  if (!node)
    node = first_fitting(gs, nl, r, now, 0);
  while (!node) {
    guard_entry_t *e = sample_one(gs, nl, now, rng);
    if (!e)
      break;
    added = 1;
    const node_t *cand = entry_node(nl, e);
    if (cand && node_fits(cand, r))
      node = cand;
  }
  if (added && gs->state_path)
    guard_set_save(gs);
  if (!node)
    log_info(LD_CIRC, "No guard fits this circuit (%zu sampled).", gs->n);
  return node;
}

void
guard_note_failure(guard_set_t *gs, const uint8_t rsa_id[20], int64_t now)
{
  guard_entry_t *e = find_entry(gs, rsa_id);
  if (!e)
    return;
  if (!e->failing_since) {
    e->failing_since = now;
    log_info(LD_CIRC, "Guard %s failed; trying others until it is due for a retry.",
             e->nickname);
  }
  e->last_tried = now;
}

void
guard_note_success(guard_set_t *gs, const uint8_t rsa_id[20], int64_t now)
{
  guard_entry_t *e = find_entry(gs, rsa_id);
  if (!e)
    return;
  e->failing_since = 0;
  e->last_tried = 0;
  if (!e->is_primary && (gs->last_success == 0 || now - gs->last_success > 600)) {
    /* We were probably offline: give the primaries another chance now. */
    for (size_t i = 0; i < gs->n; i++) {
      if (gs->g[i].is_primary && gs->g[i].failing_since)
        gs->g[i].last_tried = INT64_MIN / 2;
    }
  }
  gs->last_success = now;
  if (!e->confirmed_on) {
    e->confirmed_on = now;
    if (gs->state_path)
      guard_set_save(gs);
  }
}
