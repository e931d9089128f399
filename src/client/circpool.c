/* circpool.c — the client's circuits (see circpool.h). */
#include "client/circpool.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/util.h>

#include "client/path.h"
#include "lib/alloc.h"
#include "lib/log.h"

/** How often the housekeeping timer runs (seconds). */
#define CIRCPOOL_TICK 5.0
/** The port pre-built circuits are for (tor predicts port 80 at start). */
#define CIRCPOOL_PREBUILT_PORT 80

typedef struct pool_circ_t {
  struct pool_circ_t *next;
  circpool_t *pool;
  circuit_t *circ;
  unsigned serial;
  int built;
  uint8_t exit_id[20];
  uint8_t guard_id[20];
  char guard_nick[20];
  int used;                    /**< handed to a request: iso is fixed */
  size_t iso_len;
  uint8_t iso[CIRCPOOL_ISO_MAX];
  uint16_t port;               /**< the port it was launched for (0: any) */
  int is_dir;                  /**< a one-hop directory circuit (BEGIN_DIR only) */
  double idle_since;           /**< is_dir: monotonic time it was first seen without streams (0: busy) */
} pool_circ_t;

struct circpool_req_t {
  circpool_req_t *next;
  circpool_t *pool;
  uint16_t port;
  size_t iso_len;
  uint8_t iso[CIRCPOOL_ISO_MAX];
  const circuit_t *avoid;
  circpool_cb_t cb;
  void *arg;
  int attempts;
  double deadline;             /**< monotonic seconds */
  int is_dir;                  /**< wants a one-hop directory circuit */
  pool_circ_t *waiting_on;     /**< the building circuit launched for it */
};

struct circpool_t {
  circpool_options_t o;
  const nodelist_t *nl;
  int enough;
  pool_circ_t *circs;
  circpool_req_t *reqs;        /**< waiting, oldest first */
  mtimer_t *process;           /**< zero-delay: serve requests */
  mtimer_t *tick;              /**< housekeeping */
  unsigned n_launched, n_built, next_serial;
  int fail_streak;             /**< builds failed in a row (reset by a built one) */
  double prebuild_after;       /**< no pre-building before this (back-off) */
  int freeing;
};

/** Pre-building backs off after failures: 0.5 s doubling up to this. */
#define CIRCPOOL_PREBUILD_BACKOFF_MAX 60.0

static double
now_mono(void)
{
  struct timeval tv;
  evutil_gettimeofday(&tv, NULL);
  return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

void
circpool_options_default(circpool_options_t *o)
{
  memset(o, 0, sizeof(*o));
  o->n_prebuilt = 2;
  o->max_dirty = 600.0;
  o->max_attempts = 3;
  o->request_timeout = 120.0;
}

static void
schedule_process(circpool_t *p)
{
  if (!p->freeing && !mtimer_is_pending(p->process))
    mtimer_schedule(p->process, 0.0);
}

/* --- suitability ---------------------------------------------------------- */

static int
exit_allows_port(const circpool_t *p, const pool_circ_t *pc, uint16_t port)
{
  if (port == 0)
    return 1;
  if (!p->nl)
    return 0;
  const node_t *n = nodelist_find_by_rsa_id(p->nl, pc->exit_id);
  if (!n || !n->has_md || !n->policy)
    return 0;
  return policy_summary_allows_port(n->policy, port);
}

static int
iso_matches(const pool_circ_t *pc, const uint8_t *iso, size_t iso_len)
{
  if (!pc->used)
    return 1;
  return pc->iso_len == iso_len && (iso_len == 0 || memcmp(pc->iso, iso, iso_len) == 0);
}

static int
too_dirty(const circpool_t *p, const pool_circ_t *pc)
{
  time_t d = circuit_dirty_since(pc->circ);
  return d != 0 && difftime(time(NULL), d) > p->o.max_dirty;
}

static int
circ_suits(const circpool_t *p, const pool_circ_t *pc, const circpool_req_t *r, int want_built)
{
  if (pc->built != want_built)
    return 0;
  if (want_built && !circuit_is_open(pc->circ))
    return 0;
  if (pc->circ == r->avoid)
    return 0;
  /* Directory circuits and general ones never serve each other's requests;
   * a directory circuit carries any number of BEGIN_DIR streams. */
  if (pc->is_dir != r->is_dir)
    return 0;
  if (r->is_dir)
    return !want_built || !too_dirty(p, pc);
  if (!iso_matches(pc, r->iso, r->iso_len))
    return 0;
  if (want_built) {
    if (too_dirty(p, pc))
      return 0;
    return exit_allows_port(p, pc, r->port);
  }
  /* A circuit being built: its exit was chosen for pc->port. */
  return pc->port == r->port || exit_allows_port(p, pc, r->port);
}

static pool_circ_t *
find_circ(const circpool_t *p, const circpool_req_t *r, int want_built)
{
  pool_circ_t *best = NULL;
  for (pool_circ_t *pc = p->circs; pc; pc = pc->next) {
    if (!circ_suits(p, pc, r, want_built))
      continue;
    /* Prefer a circuit already isolated to this key over a clean one. */
    if (!best || (pc->used && !best->used))
      best = pc;
  }
  return best;
}

/* --- launching ------------------------------------------------------------ */

static void circ_event(circuit_t *circ, circuit_event_t ev, void *arg);

static void
hop_from_node(circ_hop_t *h, const node_t *n)
{
  memset(h, 0, sizeof(*h));
  h->ipv4 = n->ipv4;
  h->ipv4_port = n->or_port;
  h->ipv6 = n->ipv6;
  h->ipv6_port = n->ipv6_port;
  memcpy(h->rsa_id, n->rsa_id, 20);
  if (n->has_ed_id) {
    memcpy(h->ed_id, n->ed_id, 32);
    h->has_ed = 1;
  }
  memcpy(h->ntor_key, n->ntor_key, 32);
}

/** Launch a circuit for port (is_dir: a one-hop directory circuit to the
 *  guard instead); returns it, or NULL with *err set. */
static pool_circ_t *
launch(circpool_t *p, uint16_t port, int is_dir, const char **err)
{
  if (!p->nl || !p->enough) {
    *err = "not enough directory information";
    return NULL;
  }
  path_options_t po;
  if (is_dir)
    path_options_init_dir(&po, p->o.testing_tor_network);
  else
    path_options_init_exit(&po, port, p->o.testing_tor_network);
  path_t path;
  path_result_t pr = path_choose(p->nl, p->o.guards, &po, (int64_t)time(NULL), NULL, &path);
  if (pr != PATH_OK) {
    *err = path_result_to_string(pr);
    log_info(LD_CIRC, "no path for %s %u: %s", is_dir ? "a directory circuit" : "port",
             is_dir ? 0u : (unsigned)port, *err);
    return NULL;
  }
  circ_hop_t hops[PATH_MAX_HOPS];
  for (int i = 0; i < path.n_hops; i++)
    hop_from_node(&hops[i], path.hops[i]);
  pool_circ_t *pc = x_calloc(1, sizeof(*pc));
  pc->pool = p;
  pc->port = port;
  pc->is_dir = is_dir;
  pc->serial = ++p->next_serial;
  memcpy(pc->exit_id, path.hops[path.n_hops - 1]->rsa_id, 20);
  memcpy(pc->guard_id, path.hops[0]->rsa_id, 20);
  snprintf(pc->guard_nick, sizeof(pc->guard_nick), "%s", path.hops[0]->nickname);
  pc->circ = circuit_launch(p->o.cctx, hops, path.n_hops, circ_event, pc);
  if (!pc->circ) {
    x_free(pc);
    *err = "circuit launch failed";
    return NULL;
  }
  pc->next = p->circs;
  p->circs = pc;
  p->n_launched++;
  if (p->o.bootstrap)
    bootstrap_report(p->o.bootstrap, BOOTSTRAP_CIRCUIT_CREATE, 0);
  if (is_dir)
    log_info(LD_CIRC, "circuit %u launched: one hop to %s (directory, BEGIN_DIR)", pc->serial,
             path.hops[0]->nickname);
  else
    log_info(LD_CIRC, "circuit %u launched: %s -> %s -> %s (port %u)", pc->serial,
             path.hops[0]->nickname, path.n_hops > 2 ? path.hops[1]->nickname : "-",
             path.hops[path.n_hops - 1]->nickname, (unsigned)port);
  return pc;
}

static int
n_clean(const circpool_t *p)
{
  int n = 0;
  for (pool_circ_t *pc = p->circs; pc; pc = pc->next) {
    if (!pc->used && !pc->is_dir && (!pc->built || circuit_is_open(pc->circ)))
      n++;
  }
  return n;
}

static void
keep_prebuilt(circpool_t *p)
{
  const char *err;
  if (now_mono() < p->prebuild_after) {
    if (!mtimer_is_pending(p->process))
      mtimer_schedule(p->process, p->prebuild_after - now_mono());
    return;
  }
  int want = p->o.n_prebuilt - n_clean(p);
  for (int i = 0; i < want && p->nl && p->enough; i++) {
    if (!launch(p, CIRCPOOL_PREBUILT_PORT, 0, &err))
      break;
  }
}

/* --- requests ------------------------------------------------------------- */

static void
req_unlink(circpool_req_t *r)
{
  circpool_t *p = r->pool;
  for (circpool_req_t **rp = &p->reqs; *rp; rp = &(*rp)->next) {
    if (*rp == r) {
      *rp = r->next;
      return;
    }
  }
}

static void
req_finish(circpool_req_t *r, circuit_t *circ, const char *err)
{
  req_unlink(r);
  circpool_cb_t cb = r->cb;
  void *arg = r->arg;
  x_free(r);
  cb(circ, err, arg);
}

static void
give(circpool_req_t *r, pool_circ_t *pc)
{
  if (!pc->used) {
    pc->used = 1;
    pc->iso_len = r->iso_len;
    memcpy(pc->iso, r->iso, r->iso_len);
  }
  req_finish(r, pc->circ, NULL);
}

/** Try to serve r; returns 1 if r is gone (answered). */
static int
serve_one(circpool_t *p, circpool_req_t *r, double now)
{
  pool_circ_t *pc = find_circ(p, r, 1);
  if (pc) {
    give(r, pc);
    return 1;
  }
  if (now >= r->deadline) {
    req_finish(r, NULL, "timed out waiting for a circuit");
    return 1;
  }
  if (!p->nl || !p->enough)
    return 0;                   /* wait for directory information */
  if (r->waiting_on || find_circ(p, r, 0))
    return 0;                   /* a suitable circuit is being built */
  if (r->attempts >= p->o.max_attempts) {
    req_finish(r, NULL, "every circuit built for this request failed");
    return 1;
  }
  const char *err = NULL;
  pc = launch(p, r->port, r->is_dir, &err);
  if (!pc) {
    req_finish(r, NULL, err);
    return 1;
  }
  r->attempts++;
  r->waiting_on = pc;
  /* Reserve it for this request's key so others do not take it. */
  pc->used = 1;
  pc->iso_len = r->iso_len;
  memcpy(pc->iso, r->iso, r->iso_len);
  return 0;
}

static void
serve_all(circpool_t *p)
{
  double now = now_mono();
  /* Restart after each answer: callbacks may add or cancel requests. */
  for (int again = 1; again;) {
    again = 0;
    for (circpool_req_t *r = p->reqs; r; r = r->next) {
      if (serve_one(p, r, now)) {
        again = 1;
        break;
      }
    }
  }
  keep_prebuilt(p);
}

static void
process_cb(mtimer_t *t, void *arg)
{
  (void)t;
  serve_all(arg);
}

/* --- circuit events -------------------------------------------------------- */

static void
forget_circ(circpool_t *p, pool_circ_t *pc)
{
  for (pool_circ_t **pp = &p->circs; *pp; pp = &(*pp)->next) {
    if (*pp == pc) {
      *pp = pc->next;
      break;
    }
  }
  for (circpool_req_t *r = p->reqs; r; r = r->next) {
    if (r->waiting_on == pc)
      r->waiting_on = NULL;
  }
  x_free(pc);
}

static void
circ_event(circuit_t *circ, circuit_event_t ev, void *arg)
{
  pool_circ_t *pc = arg;
  circpool_t *p = pc->pool;
  (void)circ;
  if (ev == CIRCUIT_EV_BUILT) {
    pc->built = 1;
    p->n_built++;
    p->fail_streak = 0;
    p->prebuild_after = 0;
    log_info(LD_CIRC, "circuit %u built", pc->serial);
    if (p->o.guards)
      guard_note_success(p->o.guards, pc->guard_id, (int64_t)time(NULL));
    if (p->o.bootstrap && !pc->is_dir)
      bootstrap_report(p->o.bootstrap, BOOTSTRAP_DONE, 0);
    /* A circuit reserved for a request that went away is clean again. */
    int reserved = 0;
    for (circpool_req_t *r = p->reqs; r; r = r->next)
      reserved |= r->waiting_on == pc;
    if (!reserved && pc->used && circuit_dirty_since(pc->circ) == 0 && pc->iso_len == 0)
      pc->used = 0;
    for (circpool_req_t *r = p->reqs; r; r = r->next) {
      if (r->waiting_on == pc)
        r->waiting_on = NULL;
    }
  } else {
    log_info(LD_CIRC, "circuit %u %s: %s", pc->serial,
             ev == CIRCUIT_EV_FAILED ? "failed" : "closed", circuit_close_message(circ));
    if (ev == CIRCUIT_EV_FAILED) {
      if (p->o.guards && circuit_n_hops_built(circ) == 0) {
        /* The guard never answered our CREATE2 (no channel, or it timed
         * out): tor's "guard failure", so that the next circuit tries
         * another guard.  A refusal by a later hop is not the guard's. */
        guard_note_failure(p->o.guards, pc->guard_id, (int64_t)time(NULL));
      }
      /* Back off before pre-building again, so that a dead relay or a
       * broken network does not make us launch circuits in a loop. */
      double delay = 0.5;
      for (int i = 0; i < p->fail_streak && delay < CIRCPOOL_PREBUILD_BACKOFF_MAX; i++)
        delay *= 2;
      if (delay > CIRCPOOL_PREBUILD_BACKOFF_MAX)
        delay = CIRCPOOL_PREBUILD_BACKOFF_MAX;
      p->fail_streak++;
      p->prebuild_after = now_mono() + delay;
    }
    forget_circ(p, pc);
  }
  schedule_process(p);
}

/* --- housekeeping ---------------------------------------------------------- */

/* Close a directory circuit that has carried no stream for
 * CIRCPOOL_DIR_IDLE seconds (seen at the 5 s ticks). */
static void
expire_idle_dir(pool_circ_t *pc, double now)
{
  if (!pc->is_dir || !pc->built || !circuit_is_open(pc->circ))
    return;
  if (circuit_n_streams(pc->circ) > 0) {
    pc->idle_since = 0;
    return;
  }
  if (pc->idle_since == 0) {
    pc->idle_since = now;
  } else if (now - pc->idle_since >= CIRCPOOL_DIR_IDLE) {
    log_info(LD_CIRC, "circuit %u: directory circuit idle for %.0f s: closing", pc->serial,
             now - pc->idle_since);
    circuit_close(pc->circ);
  }
}

static void
tick_cb(mtimer_t *t, void *arg)
{
  circpool_t *p = arg;
  double now = now_mono();
  for (pool_circ_t *pc = p->circs; pc; pc = pc->next) {
    expire_idle_dir(pc, now);
    if (pc->built && circuit_is_open(pc->circ) && too_dirty(p, pc) &&
        circuit_n_streams(pc->circ) == 0) {
      log_info(LD_CIRC, "circuit %u: dirty for over %.0f s and idle: closing", pc->serial,
               p->o.max_dirty);
      circuit_close(pc->circ);
    }
  }
  serve_all(p);
  mtimer_schedule(t, CIRCPOOL_TICK);
}

/* --- API ------------------------------------------------------------------ */

circpool_t *
circpool_new(const circpool_options_t *opts)
{
  circpool_t *p = x_calloc(1, sizeof(*p));
  p->o = *opts;
  if (p->o.max_attempts < 1)
    p->o.max_attempts = 1;
  if (p->o.max_dirty <= 0)
    p->o.max_dirty = 600.0;
  if (p->o.request_timeout <= 0)
    p->o.request_timeout = 120.0;
  p->process = mtimer_new(p->o.ml, process_cb, p);
  p->tick = mtimer_new(p->o.ml, tick_cb, p);
  mtimer_schedule(p->tick, CIRCPOOL_TICK);
  return p;
}

void
circpool_free(circpool_t *p)
{
  if (!p)
    return;
  p->freeing = 1;
  while (p->reqs)
    req_finish(p->reqs, NULL, "shutting down");
  while (p->circs) {
    pool_circ_t *pc = p->circs;
    p->circs = pc->next;
    circuit_set_callback(pc->circ, NULL, NULL);
    circuit_close(pc->circ);
    x_free(pc);
  }
  mtimer_free(p->process);
  mtimer_free(p->tick);
  x_free(p);
}

void
circpool_set_nodelist(circpool_t *p, const nodelist_t *nl, int enough)
{
  p->nl = nl;
  p->enough = enough;
  schedule_process(p);
}

circpool_req_t *
circpool_get_dir(circpool_t *p, const circuit_t *avoid, circpool_cb_t cb, void *arg)
{
  circpool_req_t *r = circpool_get(p, 0, NULL, 0, avoid, cb, arg);
  r->is_dir = 1;  /* served from the event loop, never before this returns */
  return r;
}

circpool_req_t *
circpool_get(circpool_t *p, uint16_t port, const uint8_t *iso, size_t iso_len,
             const circuit_t *avoid, circpool_cb_t cb, void *arg)
{
  if (iso_len > CIRCPOOL_ISO_MAX)
    iso_len = CIRCPOOL_ISO_MAX;
  circpool_req_t *r = x_calloc(1, sizeof(*r));
  r->pool = p;
  r->port = port;
  r->iso_len = iso_len;
  if (iso_len)
    memcpy(r->iso, iso, iso_len);
  r->avoid = avoid;
  r->cb = cb;
  r->arg = arg;
  r->deadline = now_mono() + p->o.request_timeout;
  circpool_req_t **rp = &p->reqs;
  while (*rp)
    rp = &(*rp)->next;
  *rp = r;
  schedule_process(p);
  return r;
}

void
circpool_cancel(circpool_req_t *r)
{
  if (!r)
    return;
  req_unlink(r);
  x_free(r);
}

int
circpool_n_circuits(const circpool_t *p)
{
  int n = 0;
  for (pool_circ_t *pc = p->circs; pc; pc = pc->next)
    n++;
  return n;
}

unsigned
circpool_n_launched(const circpool_t *p)
{
  return p->n_launched;
}

unsigned
circpool_n_built(const circpool_t *p)
{
  return p->n_built;
}

unsigned
circpool_circuit_serial(const circpool_t *p, const circuit_t *circ)
{
  for (pool_circ_t *pc = p->circs; pc; pc = pc->next) {
    if (pc->circ == circ)
      return pc->serial;
  }
  return 0;
}

int
circpool_circuit_describe(const circpool_t *p, const circuit_t *circ, char *out, size_t outlen)
{
  for (pool_circ_t *pc = p->circs; pc; pc = pc->next) {
    if (pc->circ != circ)
      continue;
    char hex[41];
    for (int i = 0; i < 20; i++)
      snprintf(hex + 2 * i, 3, "%02X", pc->guard_id[i]);
    snprintf(out, outlen, "%s ($%s)", pc->guard_nick[0] ? pc->guard_nick : "?", hex);
    return 0;
  }
  if (outlen)
    out[0] = '\0';
  return -1;
}
