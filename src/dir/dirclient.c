/* dirclient.c — the directory client state machine (see dirclient.h). */
#include "dir/dirclient.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <netinet/in.h>
#include <sys/socket.h>
#endif

#include "dir/certstore.h"
#include "dir/dircache.h"
#include "dir/dirconn.h"
#include "dir/mdstore.h"
#include "dir/nodebuild.h"
#include "lib/alloc.h"
#include "lib/crypto/rand.h"
#include "lib/log.h"
#include "proto/netdoc/consensus.h"
#include "proto/netdoc/netdoc.h"
#include "proto/nodedoc/protover.h"

#define MAX_REQUESTS (DIRCLIENT_MAX_MD_REQUESTS + 2)
/** Cap on the cached microdescriptors file (the public network's is ~10 MB). */
#define MAX_MD_CACHE (64u * 1024 * 1024)

typedef enum req_kind_t { REQ_CONSENSUS = 1, REQ_CERTS, REQ_MDS } req_kind_t;

typedef struct dir_req_t {
  dirclient_t *dc;
  conn_t *conn;              /* NULL: slot free */
  req_kind_t kind;
  size_t auth;               /* index into dc->auths.v (unused when tunnelled) */
  int tunnelled;             /* over the transport hook (BEGIN_DIR), not a DirPort */
  char *path;                /* owned: to retry it at a DirPort */
  size_t max_body;
  md_wanted_t digests;       /* REQ_MDS: what was asked for (owned) */
} dir_req_t;

struct dirclient_t {
  mainloop_t *ml;
  dirclient_options_t opts;
  dir_authorities_t auths;   /* copy */
  char *data_dir;
  certstore_t certs;
  consensus_t *cons;         /* the accepted consensus */
  consensus_t *pending;      /* downloaded, waiting for certificates */
  char pending_src[96];
  mdstore_t *mds;
  md_wanted_t cons_digests;  /* sorted m digests of cons */
  md_wanted_t md_failed;     /* asked for and not received: wait for md_timer */
  char *md_cache_text;       /* the md cache file, kept until a consensus is accepted */
  size_t md_cache_len;
  nodelist_t *nl;
  int enough;
  dir_req_t reqs[MAX_REQUESTS];
  mtimer_t *cons_timer, *certs_timer, *md_timer;
  dirsched_backoff_t bo_cons, bo_certs, bo_md;
  dirclient_tunnel_fn tunnel;  /* the transport hook (NULL: DirPorts only) */
  void *tunnel_arg;
  int tunnel_blocked;        /* a tunnelled request failed: DirPorts until tunnel_timer */
  mtimer_t *tunnel_timer;
  dirsched_backoff_t bo_tunnel;
  size_t next_auth;
  int64_t next_cons_fetch;
  int64_t protocols_warned_for;  /* valid-after of the consensus already warned about */
  int mds_dirty;             /* the md cache file is behind the store */
  dirclient_stats_t stats;
};

static int64_t
default_now(void)
{
  return (int64_t)time(NULL);
}

static int64_t
dc_now(const dirclient_t *dc)
{
  return dc->opts.now ? dc->opts.now() : default_now();
}

static void
fmt_time(int64_t t, char *out, size_t outlen)
{
  time_t tt = (time_t)t;
  struct tm tm;
#ifdef _WIN32
  if (gmtime_s(&tm, &tt) != 0) {
#else
  if (!gmtime_r(&tt, &tm)) {
#endif
    snprintf(out, outlen, "%lld", (long long)t);
    return;
  }
  strftime(out, outlen, "%Y-%m-%d %H:%M:%S", &tm);
}

static void
auth_name(const dir_authority_t *a, char *out, size_t outlen)
{
  char ip[64];
  netaddr_format(&a->ipv4, ip, sizeof(ip));
  snprintf(out, outlen, "%s (%s:%u)", a->nickname[0] ? a->nickname : "authority", ip,
           (unsigned)a->dir_port);
}

static void
report(dirclient_t *dc, bootstrap_status_t st, int progress)
{
  if (dc->opts.bootstrap)
    bootstrap_report(dc->opts.bootstrap, st, progress);
}

/* ---- authorities and requests ---- */

static int
auth_usable(const dir_authority_t *a)
{
  return a->has_v3ident && !a->is_bridge && a->dir_port != 0;
}

/* The next authority in rotation (never avoid while another exists). */
static size_t
pick_authority(dirclient_t *dc, size_t avoid)
{
  size_t n = dc->auths.n;
  for (size_t k = 0; k < n; k++) {
    size_t i = (dc->next_auth + k) % n;
    if (!auth_usable(&dc->auths.v[i]) || (i == avoid && n > 1))
      continue;
    dc->next_auth = (i + 1) % n;
    return i;
  }
  return avoid < n ? avoid : 0;
}

static dir_req_t *
find_free_req(dirclient_t *dc)
{
  for (size_t i = 0; i < MAX_REQUESTS; i++) {
    if (!dc->reqs[i].conn)
      return &dc->reqs[i];
  }
  return NULL;
}

static int
n_in_flight(const dirclient_t *dc, req_kind_t kind)
{
  int n = 0;
  for (size_t i = 0; i < MAX_REQUESTS; i++)
    n += (dc->reqs[i].conn && dc->reqs[i].kind == kind) ? 1 : 0;
  return n;
}

static void request_done_cb(dirconn_result_t *res, void *arg);

/* 1 if the next request should go through the transport hook: one is set,
 * there is enough directory information to build circuits, and no
 * tunnelled request failed recently. */
static int
tunnel_usable(const dirclient_t *dc)
{
  return dc->tunnel && dc->enough && !dc->tunnel_blocked;
}

/* Take a free slot and fill it (takes digests); NULL if none (digests freed). */
static dir_req_t *
claim_req(dirclient_t *dc, req_kind_t kind, size_t auth, const char *path, size_t max_body,
          md_wanted_t *digests)
{
  dir_req_t *r = find_free_req(dc);
  if (!r) {
    if (digests)
      FREE_AND_NULL(x_free, digests->d);
    return NULL;
  }
  memset(r, 0, sizeof(*r));
  r->dc = dc;
  r->kind = kind;
  r->auth = auth;
  r->path = x_strdup(path);
  r->max_body = max_body;
  if (digests) {
    r->digests = *digests;
    memset(digests, 0, sizeof(*digests));
  }
  return r;
}

static void
release_req(dir_req_t *r)
{
  FREE_AND_NULL(x_free, r->digests.d);
  FREE_AND_NULL(x_free, r->path);
  memset(r, 0, sizeof(*r));
}

/* Run r over the transport hook.  Returns 0, or -1 (the hook cannot now). */
static int
start_tunnelled(dirclient_t *dc, dir_req_t *r)
{
  conn_t *c = dc->tunnel(dc->tunnel_arg);
  if (!c)
    return -1;
  dirconn_request_t req = { r->path, NULL, r->max_body, 0, 0, request_done_cb, r };
  if (dirconn_start(c, &req) < 0) {
    if (!conn_is_marked(c))
      conn_mark_for_close(c);
    return -1;
  }
  r->conn = c;
  r->tunnelled = 1;
  dc->stats.n_requests++;
  dc->stats.n_tunnel_requests++;
  log_info(LD_DIR, "Fetching %.60s%s over BEGIN_DIR (a one-hop circuit to a directory cache)",
           r->path, strlen(r->path) > 60 ? "..." : "");
  return 0;
}

/* Run r at the DirPort of authority r->auth.  Returns 0 or -1. */
static int
start_direct(dirclient_t *dc, dir_req_t *r)
{
  const dir_authority_t *a = &dc->auths.v[r->auth];
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  memcpy(&sin.sin_addr, a->ipv4.bytes, 4);
  sin.sin_port = htons(a->dir_port);
  char host[64], ip[48];
  netaddr_format(&a->ipv4, ip, sizeof(ip));
  snprintf(host, sizeof(host), "%s:%u", ip, (unsigned)a->dir_port);
  dirconn_request_t req = { r->path, host, r->max_body, 0, 0, request_done_cb, r };
  r->tunnelled = 0;
  r->conn = dirconn_connect_tcp(dc->ml, (struct sockaddr *)&sin, sizeof(sin), &req);
  if (!r->conn)
    return -1;
  dc->stats.n_requests++;
  dc->stats.n_dirport_requests++;
  char name[96];
  auth_name(a, name, sizeof(name));
  log_info(LD_DIR, "Fetching %.60s%s from %s", r->path, strlen(r->path) > 60 ? "..." : "",
           name);
  return 0;
}

/* Start a request of kind for path (takes digests): over the transport hook
 * when it is usable, else (or if the hook cannot now) at authority auth's
 * DirPort.  Returns 0, or -1 (logged; the caller schedules a retry). */
static int
start_request(dirclient_t *dc, req_kind_t kind, size_t auth, const char *path, size_t max_body,
              md_wanted_t *digests)
{
  dir_req_t *r = claim_req(dc, kind, auth, path, max_body, digests);
  if (!r)
    return -1;
  if (tunnel_usable(dc) && start_tunnelled(dc, r) == 0)
    return 0;
  if (start_direct(dc, r) == 0)
    return 0;
  release_req(r);
  return -1;
}

/* ---- consensus ---- */

static void launch_consensus_fetch(dirclient_t *dc);
static void launch_md_fetches(dirclient_t *dc);
static void launch_cert_fetch(dirclient_t *dc, const consensus_verify_t *v, size_t avoid);
static void load_cached_mds(dirclient_t *dc, char *text, size_t len);

static void
schedule_consensus_at(dirclient_t *dc, int64_t when)
{
  int64_t now = dc_now(dc);
  dc->next_cons_fetch = when;
  mtimer_schedule(dc->cons_timer, when > now ? (double)(when - now) : 0.0);
}

static void
consensus_failed(dirclient_t *dc)
{
  double wait = dirsched_backoff_failed(&dc->bo_cons, dc->opts.rnd);
  log_info(LD_DIR, "Next consensus attempt in %.1f s.", wait);
  dc->next_cons_fetch = dc_now(dc) + (int64_t)wait;
  mtimer_schedule(dc->cons_timer, wait);
}

static void
cons_timer_cb(mtimer_t *t, void *arg)
{
  (void)t;
  launch_consensus_fetch(arg);
}

static void
launch_consensus_fetch(dirclient_t *dc)
{
  if (dc->opts.no_fetch || n_in_flight(dc, REQ_CONSENSUS) > 0)
    return;
  report(dc, BOOTSTRAP_CONN, 0);
  report(dc, BOOTSTRAP_REQUESTING_STATUS, 0);
  size_t auth = pick_authority(dc, (size_t)-1);
  dc->next_cons_fetch = 0;
  if (start_request(dc, REQ_CONSENSUS, auth, "/tor/status-vote/current/consensus-microdesc",
                    DIRCONN_MAX_CONSENSUS, NULL) < 0)
    consensus_failed(dc);
}

/* Compute the sorted m digests of c. */
static void
collect_digests(const consensus_t *c, md_wanted_t *out)
{
  out->n = c->n_routers;
  out->d = x_malloc((c->n_routers ? c->n_routers : 1) * 32);
  for (size_t i = 0; i < c->n_routers; i++)
    memcpy(out->d[i], c->routers[i].md_digest, 32);
  mdstore_wanted_sort(out);
}

static void
check_protocols(dirclient_t *dc, const consensus_t *c)
{
  if (dc->protocols_warned_for == c->valid_after || !c->required_client_protocols.s)
    return;
  protover_t req, have;
  if (protover_parse(&req, c->required_client_protocols.s, c->required_client_protocols.len) < 0) {
    log_warn(LD_DIR, "The consensus has a malformed required-client-protocols line; ignoring it.");
    dc->protocols_warned_for = c->valid_after;
    return;
  }
  protover_get_client_supported(&have);
  char missing[256];
  if (protover_list_missing(&req, &have, missing, sizeof(missing)) > 0) {
    /* tor exits here; evonion keeps running (see README: a consensus must not
     * be a remote off switch while our protocol list is still growing). */
    log_warn(LD_DIR, "The consensus requires client protocols evonion lacks: %s. tor would "
             "refuse to run; evonion continues, but relays may refuse its circuits. Upgrade "
             "evonion.", missing);
  }
  dc->protocols_warned_for = c->valid_after;
  protover_clear(&req);
  protover_clear(&have);
}

/* The number of consensus routers whose microdescriptor is held. */
static size_t
count_with_md(const dirclient_t *dc)
{
  size_t with_md = 0;
  for (size_t i = 0; i < dc->cons->n_routers; i++)
    with_md += mdstore_get(dc->mds, dc->cons->routers[i].md_digest) ? 1 : 0;
  return with_md;
}

/* 50..74% while microdescriptors arrive, in steps of 5 (as tor logs them). */
static void
report_md_progress(dirclient_t *dc, size_t with_md, size_t total)
{
  if (with_md == 0 || total == 0)
    return;
  int pct = BOOTSTRAP_LOADING_DESCRIPTORS +
            (int)((BOOTSTRAP_ENOUGH_DIRINFO - BOOTSTRAP_LOADING_DESCRIPTORS - 1) * with_md / total);
  report(dc, BOOTSTRAP_LOADING_DESCRIPTORS, pct - pct % 5);
}

/* Rebuild the node list and tell the owner. */
static void
publish_nodelist(dirclient_t *dc)
{
  if (!dc->cons)
    return;
  size_t with_md = 0;
  nodelist_t *nl = nodebuild_from_consensus(dc->cons, dc->mds, &with_md);
  size_t total = nodelist_count(nl);
  int enough = nodebuild_is_enough(dc->cons, with_md, total);
  nodelist_t *old = dc->nl;
  dc->nl = nl;
  if (enough && !dc->enough)
    log_notice(LD_DIR, "We now have enough directory information to build circuits "
               "(microdescriptors for %zu of %zu relays).", with_md, total);
  dc->enough = enough;
  if (enough)
    report(dc, BOOTSTRAP_ENOUGH_DIRINFO, 0);
  else
    report_md_progress(dc, with_md, total);
  if (dc->opts.on_nodelist)
    dc->opts.on_nodelist(nl, enough, dc->opts.arg);
  nodelist_free(old);
}

static void
log_consensus_summary(dirclient_t *dc, const char *what)
{
  char vu[32];
  fmt_time(dc->cons->valid_until, vu, sizeof(vu));
  size_t with_md = count_with_md(dc);
  log_notice(LD_DIR, "%s: %zu relays, %zu with microdescriptors, valid-until %s UTC.", what,
             dc->cons->n_routers, with_md, vu);
}

/* c passed verification: make it current. */
static void
accept_consensus(dirclient_t *dc, consensus_t *c, const char *src, int from_cache)
{
  if (dc->cons && c->valid_after <= dc->cons->valid_after) {
    /* A cache that has not caught up yet: ask again after a back-off (not at
     * the refresh time computed from ours again: that may be past). */
    log_info(LD_DIR, "The consensus from %s is not newer than ours; keeping ours.", src);
    consensus_free(c);
    consensus_failed(dc);
    return;
  }
  consensus_free(dc->cons);
  dc->cons = c;
  FREE_AND_NULL(x_free, dc->cons_digests.d);
  collect_digests(c, &dc->cons_digests);
  mdstore_retain(dc->mds, &dc->cons_digests);
  if (dc->md_cache_text) {
    load_cached_mds(dc, dc->md_cache_text, dc->md_cache_len);
    dc->md_cache_text = NULL;
  }
  dc->stats.n_consensus_accepted++;
  dc->stats.used_cached_consensus = from_cache;
  if (!from_cache && dc->data_dir)
    dircache_write(dc->data_dir, DIRCACHE_CONSENSUS, c->text, c->text_len);
  check_protocols(dc, c);
  if (!from_cache) {
    char va[32];
    fmt_time(c->valid_after, va, sizeof(va));
    log_info(LD_DIR, "Accepted the consensus valid-after %s UTC from %s.", va, src);
    log_consensus_summary(dc, "New consensus");
  }
  dirsched_backoff_succeeded(&dc->bo_cons);
  int64_t now = dc_now(dc);
  if (now > dc->cons->valid_until)
    schedule_consensus_at(dc, now);  /* only reasonably live: get a fresh one now */
  else
    schedule_consensus_at(dc, dirsched_refresh_time(dc->cons->valid_after,
                                                    dc->cons->fresh_until,
                                                    dc->cons->valid_until, dc->opts.rnd));
  launch_md_fetches(dc);
  publish_nodelist(dc);
}

/* Verify c (owned) from src; accept it, park it for certificates, or reject it. */
static void
consider_consensus(dirclient_t *dc, consensus_t *c, const char *src, int from_cache,
                   size_t src_auth)
{
  size_t n_auth = 0;
  uint8_t (*v3)[20] = x_malloc((dc->auths.n ? dc->auths.n : 1) * 20);
  for (size_t i = 0; i < dc->auths.n; i++) {
    if (dc->auths.v[i].has_v3ident && !dc->auths.v[i].is_bridge)
      memcpy(v3[n_auth++], dc->auths.v[i].v3ident, 20);
  }
  consensus_verify_t v;
  certstore_expire(&dc->certs, dc_now(dc));
  consensus_verify(c, (const uint8_t (*)[20])v3, n_auth, dc->certs.certs, dc->certs.n,
                   dc_now(dc), &v);
  x_free(v3);
  if (v.result == CONS_VERIFY_OK) {
    accept_consensus(dc, c, src, from_cache);
    return;
  }
  if (v.result == CONS_VERIFY_MISSING_CERTS && !dc->opts.no_fetch) {
    log_info(LD_DIR, "The consensus from %s needs %zu more authority certificates: %s", src,
             v.n_missing, v.reason);
    consensus_free(dc->pending);
    dc->pending = c;
    snprintf(dc->pending_src, sizeof(dc->pending_src), "%s", src);
    launch_cert_fetch(dc, &v, src_auth);
    return;
  }
  dc->stats.n_consensus_rejected++;
  if (from_cache)
    log_notice(LD_DIR, "Not using the cached consensus: %s: %s",
               consensus_verify_result_to_string(v.result), v.reason);
  else
    log_warn(LD_DIR, "Rejected the consensus from %s: %s: %s", src,
             consensus_verify_result_to_string(v.result), v.reason);
  consensus_free(c);
  if (!from_cache)
    consensus_failed(dc);
}

static void
handle_consensus_body(dirclient_t *dc, char *body, size_t len, const char *src, size_t auth)
{
  char err[160] = "";
  consensus_t *c = NULL;
  report(dc, BOOTSTRAP_LOADING_STATUS, 0);
  if (consensus_parse(body, len, &c, err, sizeof(err)) < 0) {
    dc->stats.n_consensus_rejected++;
    log_warn(LD_DIR, "Rejected the consensus from %s: malformed: %s", src, err);
    consensus_failed(dc);
    return;
  }
  consider_consensus(dc, c, src, 0, auth);
}

/* ---- certificates ---- */

static void
certs_timer_cb(mtimer_t *t, void *arg)
{
  dirclient_t *dc = arg;
  (void)t;
  if (!dc->pending)
    return;
  consensus_t *c = dc->pending;
  dc->pending = NULL;
  char src[96];
  snprintf(src, sizeof(src), "%s", dc->pending_src);
  consider_consensus(dc, c, src, 0, (size_t)-1);
}

static void
launch_cert_fetch(dirclient_t *dc, const consensus_verify_t *v, size_t avoid)
{
  if (n_in_flight(dc, REQ_CERTS) > 0)
    return;
  report(dc, BOOTSTRAP_LOADING_KEYS, 0);
  char path[64 + CONS_MAX_AUTHORITIES * 41];
  size_t off = (size_t)snprintf(path, sizeof(path), "/tor/keys/fp/");
  for (size_t i = 0; i < v->n_missing && i < CONS_MAX_AUTHORITIES; i++) {
    char hex[41];
    dirauth_hex_id(v->missing[i], hex);
    off += (size_t)snprintf(path + off, sizeof(path) - off, "%s%s", i ? "+" : "", hex);
  }
  if (v->n_missing == 0)
    snprintf(path, sizeof(path), "/tor/keys/all");
  size_t auth = pick_authority(dc, avoid);
  if (start_request(dc, REQ_CERTS, auth, path, DIRCONN_MAX_CERTS, NULL) < 0)
    mtimer_schedule(dc->certs_timer, dirsched_backoff_failed(&dc->bo_certs, dc->opts.rnd));
}

/* Returns the number of new certificates. */
static unsigned
handle_certs_body(dirclient_t *dc, const char *body, size_t len, const char *src)
{
  certstore_added_t added;
  memset(&added, 0, sizeof(added));
  if (certstore_add_body(&dc->certs, &dc->auths, body, len, dc_now(dc), src, &added) == 0) {
    dc->stats.n_certs_accepted += added.n_added;
    dc->stats.n_certs_rejected += added.n_rejected;
    if (added.n_added && dc->data_dir) {
      size_t n;
      char *text = certstore_to_text(&dc->certs, &n);
      dircache_write(dc->data_dir, DIRCACHE_CERTS, text, n);
      x_free(text);
    }
    if (added.n_added)
      dirsched_backoff_succeeded(&dc->bo_certs);
  } else {
    dc->stats.n_certs_rejected++;
  }
  return added.n_added;
}

/* ---- microdescriptors ---- */

/* The back-off is over: ask again for what did not come. */
static void
md_timer_cb(mtimer_t *t, void *arg)
{
  dirclient_t *dc = arg;
  (void)t;
  dc->md_failed.n = 0;
  launch_md_fetches(dc);
}

/* Of the digests asked for, remember those that did not arrive: they are
 * asked for again (at another authority) once the back-off timer fires;
 * the other downloads go on meanwhile. */
static void
md_note_missing(dirclient_t *dc, const md_wanted_t *asked)
{
  size_t n_missing = 0;
  for (size_t i = 0; i < asked->n; i++) {
    if (mdstore_get(dc->mds, asked->d[i]) || mdstore_wanted_has(&dc->md_failed, asked->d[i]))
      continue;
    dc->md_failed.d = x_realloc(dc->md_failed.d, (dc->md_failed.n + 1) * 32);
    memcpy(dc->md_failed.d[dc->md_failed.n++], asked->d[i], 32);
    mdstore_wanted_sort(&dc->md_failed);
    n_missing++;
  }
  if (n_missing && !mtimer_is_pending(dc->md_timer))
    mtimer_schedule(dc->md_timer, dirsched_backoff_failed(&dc->bo_md, dc->opts.rnd));
}

static int
md_in_flight(const dirclient_t *dc, const uint8_t d[32])
{
  for (size_t i = 0; i < MAX_REQUESTS; i++) {
    if (dc->reqs[i].conn && dc->reqs[i].kind == REQ_MDS &&
        mdstore_wanted_has(&dc->reqs[i].digests, d))
      return 1;
  }
  return 0;
}

static void
write_md_cache(dirclient_t *dc)
{
  if (!dc->mds_dirty || !dc->data_dir)
    return;
  size_t n;
  char *text = mdstore_to_text(dc->mds, &n);
  dircache_write(dc->data_dir, DIRCACHE_MICRODESCS, text, n);
  x_free(text);
  dc->mds_dirty = 0;
}

static void
launch_md_fetches(dirclient_t *dc)
{
  if (!dc->cons || dc->opts.no_fetch)
    return;
  size_t avoid = (size_t)-1;
  int started_any = 0;
  while (n_in_flight(dc, REQ_MDS) < DIRCLIENT_MAX_MD_REQUESTS) {
    md_wanted_t batch = { x_malloc(DIRCLIENT_MDS_PER_REQUEST * 32), 0 };
    for (size_t i = 0; i < dc->cons->n_routers && batch.n < DIRCLIENT_MDS_PER_REQUEST; i++) {
      const uint8_t *d = dc->cons->routers[i].md_digest;
      if (mdstore_get(dc->mds, d) || md_in_flight(dc, d) || mdstore_wanted_has(&batch, d) ||
          mdstore_wanted_has(&dc->md_failed, d))
        continue;
      memcpy(batch.d[batch.n++], d, 32);
      mdstore_wanted_sort(&batch);
    }
    if (batch.n == 0) {
      x_free(batch.d);
      break;
    }
    char *path = x_malloc(16 + DIRCLIENT_MDS_PER_REQUEST * 44);
    microdesc_build_path((const uint8_t (*)[32])batch.d, batch.n, path,
                         16 + DIRCLIENT_MDS_PER_REQUEST * 44);
    report(dc, BOOTSTRAP_REQUESTING_DESCRIPTORS, 0);
    size_t auth = pick_authority(dc, avoid);
    avoid = auth;
    int r = start_request(dc, REQ_MDS, auth, path, DIRCONN_MAX_MICRODESCS, &batch);
    x_free(path);
    if (r < 0) {
      if (!mtimer_is_pending(dc->md_timer))
        mtimer_schedule(dc->md_timer, dirsched_backoff_failed(&dc->bo_md, dc->opts.rnd));
      break;
    }
    started_any = 1;
  }
  if (!started_any && n_in_flight(dc, REQ_MDS) == 0)
    write_md_cache(dc);
}

static void
handle_md_body(dirclient_t *dc, const md_wanted_t *digests, const char *body, size_t len,
               const char *src)
{
  unsigned added = 0, rejected = 0;
  report(dc, BOOTSTRAP_LOADING_DESCRIPTORS, 0);
  mdstore_add_body(dc->mds, body, len, digests, src, 0, &added, &rejected);
  dc->stats.n_mds_accepted += added;
  dc->stats.n_mds_rejected += rejected;
  if (added)
    dc->mds_dirty = 1;
  if (added < digests->n) {
    log_info(LD_DIR, "%s sent %u of the %zu microdescriptors asked for.", src, added,
             digests->n);
    md_note_missing(dc, digests);
  } else {
    dirsched_backoff_succeeded(&dc->bo_md);
  }
}

/* ---- the callback of every request ---- */

/* A tunnelled request failed: use the DirPorts for a while, and run this
 * request again at once at an authority's DirPort.  Returns 1 if it was
 * restarted there (r keeps its slot), 0 if not. */
static int
tunnel_failed(dirclient_t *dc, dir_req_t *r, const dirconn_result_t *res)
{
  dc->stats.n_tunnel_failures++;
  double wait = dirsched_backoff_failed(&dc->bo_tunnel, dc->opts.rnd);
  dc->tunnel_blocked = 1;
  mtimer_schedule(dc->tunnel_timer, wait);
  log_info(LD_DIR, "Directory request over BEGIN_DIR failed (%s): %s; asking an authority's "
           "DirPort instead, and no BEGIN_DIR for %.1f s.",
           dirconn_status_to_string(res->status), res->reason, wait);
  r->auth = pick_authority(dc, (size_t)-1);
  r->conn = NULL;
  return start_direct(dc, r) == 0;
}

static void
tunnel_timer_cb(mtimer_t *t, void *arg)
{
  dirclient_t *dc = arg;
  (void)t;
  dc->tunnel_blocked = 0;
}

static void
request_done_cb(dirconn_result_t *res, void *arg)
{
  dir_req_t *r = arg;
  dirclient_t *dc = r->dc;
  if (r->tunnelled && res->status != DIRCONN_OK && tunnel_failed(dc, r, res))
    return;
  char src[96];
  if (r->tunnelled)
    snprintf(src, sizeof(src), "a directory cache over BEGIN_DIR");
  else
    auth_name(&dc->auths.v[r->auth], src, sizeof(src));
  if (r->tunnelled && res->status == DIRCONN_OK)
    dirsched_backoff_succeeded(&dc->bo_tunnel);
  req_kind_t kind = r->kind;
  size_t auth = r->tunnelled ? (size_t)-1 : r->auth;
  md_wanted_t digests = r->digests;
  r->conn = NULL;  /* the slot is free again (dirconn closes the connection) */
  memset(&r->digests, 0, sizeof(r->digests));
  FREE_AND_NULL(x_free, r->path);
  if (res->status != DIRCONN_OK) {
    dc->stats.n_failures++;
    log_info(LD_DIR, "Directory request to %s failed (%s): %s", src,
             dirconn_status_to_string(res->status), res->reason);
    if (kind == REQ_CONSENSUS)
      consensus_failed(dc);
    else if (kind == REQ_CERTS)
      mtimer_schedule(dc->certs_timer, dirsched_backoff_failed(&dc->bo_certs, dc->opts.rnd));
    else
      md_note_missing(dc, &digests);
    x_free(digests.d);
    return;
  }
  log_info(LD_DIR, "Got %zu bytes (%zu on the wire) from %s in %.2f s.", res->body_len,
           res->raw_len, src, res->elapsed);
  if (kind == REQ_CONSENSUS) {
    handle_consensus_body(dc, res->body, res->body_len, src, auth);
  } else if (kind == REQ_CERTS) {
    unsigned n_new = handle_certs_body(dc, res->body, res->body_len, src);
    /* Try the parked consensus again: now, or after a back-off if no cert came. */
    if (dc->pending)
      mtimer_schedule(dc->certs_timer,
                      n_new ? 0.0 : dirsched_backoff_failed(&dc->bo_certs, dc->opts.rnd));
  } else {
    handle_md_body(dc, &digests, res->body, res->body_len, src);
    launch_md_fetches(dc);
    /* Rebuild the node list when this round is over, or when it first has
     * enough; in between only report progress (the public network needs
     * ~90 requests). */
    size_t with_md = count_with_md(dc), total = dc->cons->n_routers;
    int round_over = n_in_flight(dc, REQ_MDS) == 0;
    if (round_over || (!dc->enough && nodebuild_is_enough(dc->cons, with_md, total)))
      publish_nodelist(dc);
    else
      report_md_progress(dc, with_md, total);
    if (round_over && dc->md_failed.n == 0)
      log_consensus_summary(dc, "Microdescriptor downloads done");
  }
  x_free(digests.d);
}

/* ---- the cache ---- */

/* Add the cached microdescriptors that the current consensus lists (takes text). */
static void
load_cached_mds(dirclient_t *dc, char *text, size_t len)
{
  if (!text)
    return;
  unsigned added = 0, rejected = 0;
  mdstore_add_body(dc->mds, text, len, &dc->cons_digests, "the cache", 1, &added, &rejected);
  x_free(text);
  log_info(LD_DIR, "Loaded %u cached microdescriptors (%u no longer listed).", added, rejected);
}

static void
load_cache(dirclient_t *dc)
{
  size_t len;
  char *text = dircache_read(dc->data_dir, DIRCACHE_CERTS, DIRCONN_MAX_CERTS, &len);
  if (text) {
    certstore_added_t added;
    certstore_add_body(&dc->certs, &dc->auths, text, len, dc_now(dc), "the cache", &added);
    x_free(text);
  }
  text = dircache_read(dc->data_dir, DIRCACHE_CONSENSUS, DIRCONN_MAX_CONSENSUS, &len);
  if (text) {
    char err[160];
    consensus_t *c = NULL;
    if (consensus_parse(text, len, &c, err, sizeof(err)) < 0) {
      log_notice(LD_DIR, "Not using the cached consensus: malformed: %s", err);
    } else {
      int no_fetch = dc->opts.no_fetch;
      dc->opts.no_fetch = 1;  /* do not launch fetches from inside the load */
      consider_consensus(dc, c, "the cache", 1, (size_t)-1);
      dc->opts.no_fetch = no_fetch;
    }
    x_free(text);
  }
  text = dircache_read(dc->data_dir, DIRCACHE_MICRODESCS, MAX_MD_CACHE, &len);
  if (!dc->cons) {
    /* Keep them for the next consensus: most relays will still be listed. */
    dc->md_cache_text = text;
    dc->md_cache_len = len;
    return;
  }
  load_cached_mds(dc, text, len);
  log_consensus_summary(dc, "Loaded the cached consensus");
  publish_nodelist(dc);
}

/* ---- life cycle ---- */

static uint64_t
default_rand(uint64_t max)
{
  return crypto_rand_uint64(max);
}

dirclient_t *
dirclient_new(mainloop_t *ml, const dirclient_options_t *opts)
{
  dirclient_t *dc = x_calloc(1, sizeof(*dc));
  dc->ml = ml;
  dc->opts = *opts;
  if (!dc->opts.rnd)
    dc->opts.rnd = default_rand;
  dc->auths.n = opts->auths->n;
  dc->auths.v = x_memdup(opts->auths->v, opts->auths->n * sizeof(dir_authority_t));
  dc->opts.auths = &dc->auths;
  dc->data_dir = opts->data_dir ? x_strdup(opts->data_dir) : NULL;
  dc->opts.data_dir = dc->data_dir;
  certstore_init(&dc->certs);
  dc->mds = mdstore_new();
  dc->cons_timer = mtimer_new(ml, cons_timer_cb, dc);
  dc->certs_timer = mtimer_new(ml, certs_timer_cb, dc);
  dc->md_timer = mtimer_new(ml, md_timer_cb, dc);
  dc->tunnel_timer = mtimer_new(ml, tunnel_timer_cb, dc);
  double base = opts->testing_tor_network ? DIRSCHED_TESTING_BACKOFF_BASE : DIRSCHED_BACKOFF_BASE;
  double cap = opts->testing_tor_network ? DIRSCHED_TESTING_BACKOFF_CAP : DIRSCHED_BACKOFF_CAP;
  dirsched_backoff_init(&dc->bo_cons, base, cap);
  dirsched_backoff_init(&dc->bo_certs, base, cap);
  dirsched_backoff_init(&dc->bo_md, base, cap);
  dirsched_backoff_init(&dc->bo_tunnel, base, cap);
  dc->next_auth = dc->auths.n ? (size_t)dc->opts.rnd(dc->auths.n) : 0;
  return dc;
}

int
dirclient_start(dirclient_t *dc)
{
  report(dc, BOOTSTRAP_STARTING, 0);
  if (dc->data_dir)
    load_cache(dc);
  if (dc->opts.no_fetch)
    return 0;
  if (!dc->cons)
    launch_consensus_fetch(dc);
  else
    launch_md_fetches(dc);
  return 0;
}

void
dirclient_free(dirclient_t *dc)
{
  if (!dc)
    return;
  for (size_t i = 0; i < MAX_REQUESTS; i++) {
    if (dc->reqs[i].conn)
      dirconn_cancel(dc->reqs[i].conn);
    x_free(dc->reqs[i].digests.d);
    x_free(dc->reqs[i].path);
  }
  write_md_cache(dc);
  mtimer_free(dc->cons_timer);
  mtimer_free(dc->certs_timer);
  mtimer_free(dc->md_timer);
  mtimer_free(dc->tunnel_timer);
  consensus_free(dc->cons);
  consensus_free(dc->pending);
  x_free(dc->cons_digests.d);
  x_free(dc->md_failed.d);
  x_free(dc->md_cache_text);
  mdstore_free(dc->mds);
  certstore_clear(&dc->certs);
  nodelist_free(dc->nl);
  dirauth_list_clear(&dc->auths);
  x_free(dc->data_dir);
  x_free(dc);
}

const nodelist_t *
dirclient_get_nodelist(const dirclient_t *dc)
{
  return dc->nl;
}

int
dirclient_has_enough_dirinfo(const dirclient_t *dc)
{
  return dc->enough;
}

void
dirclient_get_stats(const dirclient_t *dc, dirclient_stats_t *out)
{
  *out = dc->stats;
}

int64_t
dirclient_next_consensus_fetch(const dirclient_t *dc)
{
  return mtimer_is_pending(dc->cons_timer) ? dc->next_cons_fetch : 0;
}

void
dirclient_set_tunnel(dirclient_t *dc, dirclient_tunnel_fn fn, void *arg)
{
  dc->tunnel = fn;
  dc->tunnel_arg = arg;
}
