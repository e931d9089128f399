/* test_dirclient.c — the directory client end to end against a fake
 * authority (libevent evhttp in the test) that serves the documents captured
 * from a tor 0.4.9.11 test network (tests/vectors/dir/), with the clock
 * pinned to the capture time:
 *   - bootstrap: certificates, consensus, microdescriptors -> a node list
 *     whose identities, ntor keys, Ed25519 ids and flags match expected.json
 *     (ntor keys there come from the relays' key files, not from mds);
 *   - the cache: written atomically, loaded again without any network;
 *     only missing microdescriptors are fetched;
 *   - forged documents: a changed byte (bad signature), too few signatures,
 *     an expired consensus, a microdescriptor that does not match its "m"
 *     line — each refused with its reason in the log;
 *   - retries move to the next authority when one does not answer;
 *   - the transport hook (dirclient_set_tunnel): unused for the first
 *     bootstrap; once there is enough directory information, the missing
 *     microdescriptors and the consensus refresh go through it (here a
 *     second server, "the cache") and not to a DirPort; a hook that fails
 *     (its connection closes after the request) or cannot (NULL) leaves
 *     every request to complete at an authority's DirPort.
 * Every wait has a deadline; nothing sleeps. */
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#ifdef _WIN32
#include <direct.h>
#include <process.h>
#include <winsock2.h>
#define getpid _getpid
#else
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

#include "core/conn.h"
#include "core/mainloop.h"
#include "dir/dirconn.h"
#include "dir/dircache.h"
#include "dir/dirclient.h"
#include "lib/alloc.h"
#include "lib/log.h"
#include "proto/netdoc/netdoc.h"
#include "testutil.h"

#define VEC EVONION_SOURCE_ROOT "/tests/vectors/dir/"

static char *
slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = x_malloc((size_t)n + 1);
  ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
  buf[n] = '\0';
  fclose(f);
  *len = (size_t)n;
  return buf;
}

/* ---- the fixture ---- */

typedef struct fx_md_t {
  uint8_t digest[32];
  const char *text;   /* into fx.mds */
  size_t len;
} fx_md_t;

typedef struct fx_node_t {
  char nickname[20];
  char fingerprint[41];
  char ntor[64];
  char ed[64];
  int is_exit;
  int is_authority;
} fx_node_t;

static struct {
  char *consensus, *keys, *mds, *expected;
  size_t consensus_len, keys_len, mds_len, expected_len;
  fx_md_t md[16];
  size_t n_md;
  fx_node_t node[16];
  size_t n_node;
  int64_t capture_time;
  char *auth_lines[3];
} fx;

/* Split the microdescriptors at each "onion-key" line, by hand (not with
 * the code under test), and hash each with OpenSSL. */
static void
fx_split_mds(void)
{
  const char *p = fx.mds, *end = fx.mds + fx.mds_len;
  while (p < end) {
    const char *next = p + 1;
    for (;;) {
      next = strstr(next, "\nonion-key\n");
      if (!next || next >= end) {
        next = end;
        break;
      }
      next++;
      break;
    }
    ck_assert_uint_lt(fx.n_md, 16);
    fx_md_t *m = &fx.md[fx.n_md++];
    m->text = p;
    m->len = (size_t)(next - p);
    SHA256((const unsigned char *)p, m->len, m->digest);
    p = next;
  }
}

/* The value of "key": "..." (or true/false) inside [obj, obj_end). */
static int
json_field(const char *obj, const char *obj_end, const char *key, char *out, size_t outlen)
{
  char pat[64];
  snprintf(pat, sizeof(pat), "\"%s\": ", key);
  const char *k = strstr(obj, pat);
  if (!k || k >= obj_end)
    return -1;
  k += strlen(pat);
  size_t n = 0;
  if (*k == '"') {
    k++;
    while (k[n] && k[n] != '"')
      n++;
  } else {
    while (k[n] && k[n] != ',' && k[n] != '\n' && k[n] != '}')
      n++;
  }
  if (n >= outlen)
    return -1;
  memcpy(out, k, n);
  out[n] = '\0';
  return 0;
}

static void
fx_parse_expected(void)
{
  char buf[64];
  const char *ct = strstr(fx.expected, "\"capture_time\": ");
  ck_assert_ptr_nonnull(ct);
  fx.capture_time = strtoll(ct + 16, NULL, 10);
  const char *p = strstr(fx.expected, "\"dir_authority_values\": [");
  ck_assert_ptr_nonnull(p);
  p += strlen("\"dir_authority_values\": [");
  for (int i = 0; i < 3; i++) {
    p = strchr(p, '"');
    const char *e = strchr(p + 1, '"');
    ck_assert(p && e);
    fx.auth_lines[i] = x_malloc((size_t)(e - p));
    memcpy(fx.auth_lines[i], p + 1, (size_t)(e - p - 1));
    fx.auth_lines[i][e - p - 1] = '\0';
    p = e + 1;
  }
  p = strstr(fx.expected, "\"nodes\": [");
  ck_assert_ptr_nonnull(p);
  while ((p = strchr(p, '{')) != NULL) {
    const char *e = strchr(p, '}');
    fx_node_t *n = &fx.node[fx.n_node];
    if (json_field(p, e, "fingerprint", n->fingerprint, sizeof(n->fingerprint)) < 0)
      break;
    ck_assert_int_eq(json_field(p, e, "nickname", n->nickname, sizeof(n->nickname)), 0);
    ck_assert_int_eq(json_field(p, e, "ntor_onion_key", n->ntor, sizeof(n->ntor)), 0);
    ck_assert_int_eq(json_field(p, e, "ed25519_id", n->ed, sizeof(n->ed)), 0);
    ck_assert_int_eq(json_field(p, e, "is_exit", buf, sizeof(buf)), 0);
    n->is_exit = !strcmp(buf, "true");
    ck_assert_int_eq(json_field(p, e, "role", buf, sizeof(buf)), 0);
    n->is_authority = !strcmp(buf, "authority");
    fx.n_node++;
    p = e;
  }
}

static void
fx_load(void)
{
  fx.consensus = slurp(VEC "consensus-microdesc", &fx.consensus_len);
  fx.keys = slurp(VEC "keys-all", &fx.keys_len);
  fx.mds = slurp(VEC "microdescs", &fx.mds_len);
  fx.expected = slurp(VEC "expected.json", &fx.expected_len);
  fx_split_mds();
  fx_parse_expected();
}

static void
fx_free(void)
{
  x_free(fx.consensus);
  x_free(fx.keys);
  x_free(fx.mds);
  x_free(fx.expected);
  for (int i = 0; i < 3; i++)
    x_free(fx.auth_lines[i]);
  memset(&fx, 0, sizeof(fx));
}

/* ---- the fake authority ---- */

typedef enum { MD_GOOD, MD_ONE_ALTERED } md_mode_t;

typedef struct srv_counts_t {
  unsigned n_consensus, n_keys, n_md_requests, n_md_digests;
} srv_counts_t;

static struct {
  const char *consensus;     /* what /consensus-microdesc serves */
  size_t consensus_len;
  int deflate;               /* deflate the consensus */
  md_mode_t md_mode;
  unsigned n_consensus, n_keys, n_md_requests, n_md_digests;
} srv;

/* What the second server (a directory cache reached through the transport
 * hook) was asked; it serves the same documents. */
static srv_counts_t cache_srv;

static void
send_body(struct evhttp_request *req, const void *body, size_t len, int deflate)
{
  struct evbuffer *b = evbuffer_new();
  if (deflate) {
    uLongf cap = compressBound((uLong)len);
    uint8_t *z = x_malloc(cap);
    ck_assert_int_eq(compress2(z, &cap, body, (uLong)len, 6), Z_OK);
    evbuffer_add(b, z, cap);
    x_free(z);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Encoding", "deflate");
  } else {
    evbuffer_add(b, body, len);
  }
  evhttp_send_reply(req, 200, "OK", b);
  evbuffer_free(b);
}

static void
serve_mds(struct evhttp_request *req, const char *list, srv_counts_t *cache)
{
  struct evbuffer *out = evbuffer_new();
  if (cache)
    cache->n_md_requests++;
  else
    srv.n_md_requests++;
  const char *p = list;
  int altered = 0;
  while (*p) {
    const char *e = strchr(p, '-');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    uint8_t d[32];
    if (netdoc_base64_decode_exact(p, n, d, 32) == 0) {
      if (cache)
        cache->n_md_digests++;
      else
        srv.n_md_digests++;
      for (size_t i = 0; i < fx.n_md; i++) {
        if (memcmp(fx.md[i].digest, d, 32) != 0)
          continue;
        if (srv.md_mode == MD_ONE_ALTERED && !altered) {
          /* Change one character of the ntor key: the digest no longer matches. */
          char *copy = x_memdup(fx.md[i].text, fx.md[i].len);
          char *k = strstr(copy, "ntor-onion-key ");
          ck_assert_ptr_nonnull(k);
          k[20] = k[20] == 'A' ? 'B' : 'A';
          evbuffer_add(out, copy, fx.md[i].len);
          x_free(copy);
          altered = 1;
        } else {
          evbuffer_add(out, fx.md[i].text, fx.md[i].len);
        }
      }
    }
    p += n;
    if (*p == '-')
      p++;
  }
  evhttp_send_reply(req, 200, "OK", out);
  evbuffer_free(out);
}

/* arg: NULL for the authorities (counted in srv), &cache_srv for the cache. */
static void
auth_cb(struct evhttp_request *req, void *arg)
{
  srv_counts_t *cache = arg;
  const char *uri = evhttp_request_get_uri(req);
  if (!strcmp(uri, "/tor/status-vote/current/consensus-microdesc")) {
    if (cache)
      cache->n_consensus++;
    else
      srv.n_consensus++;
    send_body(req, srv.consensus, srv.consensus_len, srv.deflate);
  } else if (!strncmp(uri, "/tor/keys/", 10)) {
    if (cache)
      cache->n_keys++;
    else
      srv.n_keys++;
    send_body(req, fx.keys, fx.keys_len, 0);
  } else if (!strncmp(uri, "/tor/micro/d/", 13)) {
    serve_mds(req, uri + 13, cache);
  } else {
    evhttp_send_reply(req, 404, "Not found", NULL);
  }
}

static struct evhttp *
http_start(mainloop_t *ml, int *port, srv_counts_t *cache)
{
  struct evhttp *http = evhttp_new(mainloop_base(ml));
  evhttp_set_gencb(http, auth_cb, cache);
  struct evhttp_bound_socket *bs = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
  ck_assert_ptr_nonnull(bs);
  struct sockaddr_storage ss;
  ev_socklen_t len = sizeof(ss);
  ck_assert_int_eq(getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&ss, &len), 0);
  *port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
  return http;
}

static struct evhttp *
auth_start(mainloop_t *ml, int *port)
{
  return http_start(ml, port, NULL);
}

/* The fixture's authorities, with their DirPorts moved to ports[i]. */
static void
make_auths(dir_authorities_t *l, const int ports[3])
{
  char err[256];
  const char *lines[3] = { fx.auth_lines[0], fx.auth_lines[1], fx.auth_lines[2] };
  ck_assert_int_eq(dirauth_list_parse(l, lines, 3, err, sizeof(err)), 0);
  for (int i = 0; i < 3; i++)
    l->v[i].dir_port = (uint16_t)ports[i];
}

/* ---- the clock and the log ---- */

static int64_t now_value;
static int64_t
pinned_now(void)
{
  return now_value;
}

static char log_text[32768];
static size_t log_len;
static void
log_hook(log_severity_t sev, log_domain_t dom, const char *msg, void *arg)
{
  (void)dom; (void)arg;
  if (sev > LOG_NOTICE)
    return;
  int n = snprintf(log_text + log_len, sizeof(log_text) - log_len, "%s\n", msg);
  if (n > 0 && log_len + (size_t)n < sizeof(log_text))
    log_len += (size_t)n;
}

static char data_dir[256];
static dirsched_rand_fn test_rnd;

static void
setup(void)
{
  fx_load();
  memset(&srv, 0, sizeof(srv));
  memset(&cache_srv, 0, sizeof(cache_srv));
  srv.consensus = fx.consensus;
  srv.consensus_len = fx.consensus_len;
  now_value = fx.capture_time;
  test_rnd = NULL;
  log_len = 0;
  log_text[0] = '\0';
  log_set_hook(log_hook, NULL);
  snprintf(data_dir, sizeof(data_dir), "evonion-test-dirclient-%d", (int)getpid());
#ifdef _WIN32
  _mkdir(data_dir);
#else
  mkdir(data_dir, 0700);
#endif
}

static void
rm_cache(void)
{
  const char *names[] = { DIRCACHE_CERTS, DIRCACHE_CONSENSUS, DIRCACHE_MICRODESCS };
  char path[512];
  for (int i = 0; i < 3; i++) {
    snprintf(path, sizeof(path), "%s/%s", data_dir, names[i]);
    remove(path);
  }
}

static void
teardown(void)
{
  log_set_hook(NULL, NULL);
  rm_cache();
  rmdir(data_dir);
  fx_free();
}

/* ---- running a client ---- */

typedef struct run_t {
  dirclient_t *dc;
  int n_lists;
  int enough;
} run_t;

static void
nodelist_cb(const nodelist_t *nl, int enough, void *arg)
{
  run_t *r = arg;
  (void)nl;
  r->n_lists++;
  r->enough = enough;
}

static int
is_enough(void *arg)
{
  run_t *r = arg;
  return dirclient_has_enough_dirinfo(r->dc) && nodelist_md_fraction(
           dirclient_get_nodelist(r->dc)) >= 1.0;
}

static int
consensus_rejected(void *arg)
{
  dirclient_stats_t st;
  dirclient_get_stats(((run_t *)arg)->dc, &st);
  return st.n_consensus_rejected > 0;
}

static dirclient_t *
client_new(mainloop_t *ml, const dir_authorities_t *auths, run_t *r, bootstrap_t *boot,
           int no_fetch)
{
  dirclient_options_t o;
  memset(&o, 0, sizeof(o));
  o.auths = auths;
  o.data_dir = data_dir;
  o.testing_tor_network = 1;
  o.bootstrap = boot;
  o.on_nodelist = nodelist_cb;
  o.arg = r;
  o.no_fetch = no_fetch;
  o.now = pinned_now;
  o.rnd = test_rnd;
  memset(r, 0, sizeof(*r));
  r->dc = dirclient_new(ml, &o);
  return r->dc;
}

/* The node list agrees with what the harness knew about every relay. */
static void
check_nodes(const nodelist_t *nl)
{
  ck_assert_uint_eq(nodelist_count(nl), fx.n_node);
  for (size_t i = 0; i < fx.n_node; i++) {
    const fx_node_t *e = &fx.node[i];
    uint8_t id[20], ntor[32], ed[32];
    ck_assert_int_eq(testutil_unhex(e->fingerprint, id, 20), 20);
    const node_t *n = nodelist_find_by_rsa_id(nl, id);
    ck_assert_msg(n != NULL, "%s missing", e->nickname);
    ck_assert_str_eq(n->nickname, e->nickname);
    ck_assert_int_eq(n->has_md, 1);
    ck_assert_int_eq(netdoc_base64_decode_exact(e->ntor, strlen(e->ntor), ntor, 32), 0);
    ck_assert_msg(memcmp(n->ntor_key, ntor, 32) == 0, "%s ntor key", e->nickname);
    ck_assert_int_eq(netdoc_base64_decode_exact(e->ed, strlen(e->ed), ed, 32), 0);
    ck_assert_int_eq(n->has_ed_id, 1);
    ck_assert_msg(memcmp(n->ed_id, ed, 32) == 0, "%s ed25519 id", e->nickname);
    ck_assert_int_eq(!!(n->flags & NODE_FLAG_EXIT), e->is_exit);
    ck_assert_int_eq(!!(n->flags & NODE_FLAG_AUTHORITY), e->is_authority);
    ck_assert(n->flags & NODE_FLAG_RUNNING);
    ck_assert(n->flags & NODE_FLAG_VALID);
    ck_assert_uint_eq(n->ipv4.family, NETADDR_IPV4);
    ck_assert_ptr_nonnull(n->policy);
    ck_assert(protover_supports(&n->protos, PROTO_RELAY, 2));
    /* The exit accepts some port; the others reject everything. */
    ck_assert_int_eq(policy_summary_allows_any(n->policy), e->is_exit);
  }
  ck_assert_int_eq(nodelist_get_param(nl, "nonexistent", 7, 0, 10), 7);
  int64_t va, fu, vu;
  nodelist_get_times(nl, &va, &fu, &vu);
  ck_assert(va < fu && fu < vu);
}

START_TEST(test_bootstrap_then_cache)
{
  mainloop_t *ml = mainloop_new();
  int port;
  struct evhttp *http = auth_start(ml, &port);
  int ports[3] = { port, port, port };
  dir_authorities_t auths;
  make_auths(&auths, ports);
  srv.deflate = 1;
  bootstrap_t boot;
  bootstrap_init(&boot);
  run_t r;
  client_new(ml, &auths, &r, &boot, 0);
  ck_assert_int_eq(dirclient_start(r.dc), 0);
  ck_assert_int_eq(mainloop_run_until(ml, is_enough, &r, 20.0), 1);
  check_nodes(dirclient_get_nodelist(r.dc));
  ck_assert_int_eq(r.enough, 1);
  ck_assert_int_eq(bootstrap_percent(&boot), 75);
  ck_assert_ptr_nonnull(strstr(log_text, "Bootstrapped 25% (requesting_status)"));
  ck_assert_ptr_nonnull(strstr(log_text, "Bootstrapped 40% (loading_keys)"));
  ck_assert_ptr_nonnull(strstr(log_text, "Bootstrapped 45% (requesting_descriptors)"));
  ck_assert_ptr_nonnull(strstr(log_text, "Bootstrapped 75% (enough_dirinfo)"));
  ck_assert_ptr_nonnull(strstr(log_text, "7 relays"));
  dirclient_stats_t st;
  dirclient_get_stats(r.dc, &st);
  ck_assert_uint_eq(st.n_consensus_accepted, 1);
  ck_assert_uint_eq(st.n_certs_accepted, 3);
  ck_assert_uint_eq(st.n_mds_accepted, 7);
  ck_assert_uint_eq(st.n_mds_rejected, 0);
  ck_assert_uint_eq(srv.n_md_digests, 7);  /* each asked for once */
  /* The refresh is scheduled inside the dir-spec window. */
  int64_t next = dirclient_next_consensus_fetch(r.dc);
  const nodelist_t *nl = dirclient_get_nodelist(r.dc);
  int64_t va, fu, vu;
  nodelist_get_times(nl, &va, &fu, &vu);
  ck_assert_msg(next > fu && next < vu, "next fetch %lld not in (%lld, %lld)", (long long)next,
                (long long)fu, (long long)vu);
  dirclient_free(r.dc);

  /* Start again from the cache only: no request at all, same view. */
  unsigned before = srv.n_consensus + srv.n_keys + srv.n_md_requests;
  client_new(ml, &auths, &r, NULL, 1);
  ck_assert_int_eq(dirclient_start(r.dc), 0);
  ck_assert_ptr_nonnull(dirclient_get_nodelist(r.dc));
  check_nodes(dirclient_get_nodelist(r.dc));
  ck_assert_int_eq(dirclient_has_enough_dirinfo(r.dc), 1);
  dirclient_get_stats(r.dc, &st);
  ck_assert_int_eq(st.used_cached_consensus, 1);
  ck_assert_uint_eq(st.n_requests, 0);
  ck_assert_uint_eq(srv.n_consensus + srv.n_keys + srv.n_md_requests, before);
  dirclient_free(r.dc);
  dirauth_list_clear(&auths);
  evhttp_free(http);
  mainloop_free(ml);
}
END_TEST

START_TEST(test_fetch_only_missing_mds)
{
  /* A cache with the certs, the consensus and 3 of the 7 microdescriptors. */
  ck_assert_int_eq(dircache_write(data_dir, DIRCACHE_CERTS, fx.keys, fx.keys_len), 0);
  ck_assert_int_eq(dircache_write(data_dir, DIRCACHE_CONSENSUS, fx.consensus, fx.consensus_len),
                   0);
  size_t three = (size_t)(fx.md[3].text - fx.mds);
  ck_assert_int_eq(dircache_write(data_dir, DIRCACHE_MICRODESCS, fx.mds, three), 0);
  mainloop_t *ml = mainloop_new();
  int port;
  struct evhttp *http = auth_start(ml, &port);
  int ports[3] = { port, port, port };
  dir_authorities_t auths;
  make_auths(&auths, ports);
  run_t r;
  client_new(ml, &auths, &r, NULL, 0);
  ck_assert_int_eq(dirclient_start(r.dc), 0);
  ck_assert_int_eq(mainloop_run_until(ml, is_enough, &r, 20.0), 1);
  check_nodes(dirclient_get_nodelist(r.dc));
  ck_assert_uint_eq(srv.n_consensus, 0);
  ck_assert_uint_eq(srv.n_keys, 0);
  ck_assert_uint_eq(srv.n_md_digests, 4);
  dirclient_free(r.dc);
  /* The md cache now holds all 7. */
  size_t len;
  char *text = dircache_read(data_dir, DIRCACHE_MICRODESCS, 1 << 20, &len);
  ck_assert_ptr_nonnull(text);
  ck_assert_uint_eq(len, fx.mds_len);
  x_free(text);
  dirauth_list_clear(&auths);
  evhttp_free(http);
  mainloop_free(ml);
}
END_TEST

START_TEST(test_cached_mds_wait_for_a_consensus)
{
  /* Cached certificates and microdescriptors, but no usable consensus: the
   * mds are kept until the fetched consensus lists them, and none is fetched. */
  ck_assert_int_eq(dircache_write(data_dir, DIRCACHE_CERTS, fx.keys, fx.keys_len), 0);
  ck_assert_int_eq(dircache_write(data_dir, DIRCACHE_MICRODESCS, fx.mds, fx.mds_len), 0);
  ck_assert_int_eq(dircache_write(data_dir, DIRCACHE_CONSENSUS, "garbage\n", 8), 0);
  mainloop_t *ml = mainloop_new();
  int port;
  struct evhttp *http = auth_start(ml, &port);
  int ports[3] = { port, port, port };
  dir_authorities_t auths;
  make_auths(&auths, ports);
  run_t r;
  client_new(ml, &auths, &r, NULL, 0);
  ck_assert_int_eq(dirclient_start(r.dc), 0);
  ck_assert_int_eq(mainloop_run_until(ml, is_enough, &r, 20.0), 1);
  check_nodes(dirclient_get_nodelist(r.dc));
  ck_assert_uint_eq(srv.n_consensus, 1);
  ck_assert_uint_eq(srv.n_keys, 0);          /* the cached certificates were enough */
  ck_assert_uint_eq(srv.n_md_requests, 0);
  ck_assert_ptr_nonnull(strstr(log_text, "Not using the cached consensus: malformed"));
  dirclient_free(r.dc);
  dirauth_list_clear(&auths);
  evhttp_free(http);
  mainloop_free(ml);
}
END_TEST

/* Serve body as the consensus; expect it refused with why in the log. */
static void
expect_consensus_refused(const char *body, size_t len, const char *why)
{
  mainloop_t *ml = mainloop_new();
  int port;
  struct evhttp *http = auth_start(ml, &port);
  int ports[3] = { port, port, port };
  dir_authorities_t auths;
  make_auths(&auths, ports);
  srv.consensus = body;
  srv.consensus_len = len;
  run_t r;
  client_new(ml, &auths, &r, NULL, 0);
  ck_assert_int_eq(dirclient_start(r.dc), 0);
  ck_assert_int_eq(mainloop_run_until(ml, consensus_rejected, &r, 20.0), 1);
  ck_assert_ptr_null(dirclient_get_nodelist(r.dc));
  ck_assert_int_eq(dirclient_has_enough_dirinfo(r.dc), 0);
  ck_assert_msg(strstr(log_text, "Rejected the consensus from auth") != NULL, "log: %s",
                log_text);
  ck_assert_msg(strstr(log_text, why) != NULL, "no \"%s\" in the log: %s", why, log_text);
  /* Nothing was cached. */
  size_t n;
  char *cached = dircache_read(data_dir, DIRCACHE_CONSENSUS, 1 << 24, &n);
  ck_assert_ptr_null(cached);
  ck_assert_int_gt(dirclient_next_consensus_fetch(r.dc), 0);  /* a retry is scheduled */
  dirclient_free(r.dc);
  dirauth_list_clear(&auths);
  evhttp_free(http);
  mainloop_free(ml);
}

START_TEST(test_forged_one_byte_changed)
{
  char *bad = x_memdup(fx.consensus, fx.consensus_len + 1);
  char *w = strstr(bad, "w Bandwidth=0");
  ck_assert_ptr_nonnull(w);
  w[12] = '9';  /* inside the signed text */
  expect_consensus_refused(bad, fx.consensus_len, "bad signature");
  x_free(bad);
}
END_TEST

START_TEST(test_forged_too_few_signatures)
{
  /* Keep only the first directory-signature (1 of 3; 2 are needed). */
  char *bad = x_memdup(fx.consensus, fx.consensus_len + 1);
  char *first = strstr(bad, "directory-signature ");
  char *second = strstr(first + 1, "directory-signature ");
  ck_assert_ptr_nonnull(second);
  *second = '\0';
  expect_consensus_refused(bad, strlen(bad), "too few");
  x_free(bad);
}
END_TEST

START_TEST(test_expired)
{
  now_value = fx.capture_time + 3 * 24 * 3600;
  expect_consensus_refused(fx.consensus, fx.consensus_len, "expired");
}
END_TEST

static int
md_refused_twice(void *arg)
{
  dirclient_stats_t st;
  dirclient_get_stats(((run_t *)arg)->dc, &st);
  return st.n_mds_rejected >= 2;
}

START_TEST(test_md_digest_mismatch)
{
  mainloop_t *ml = mainloop_new();
  int port;
  struct evhttp *http = auth_start(ml, &port);
  int ports[3] = { port, port, port };
  dir_authorities_t auths;
  make_auths(&auths, ports);
  srv.md_mode = MD_ONE_ALTERED;  /* every response alters its first md */
  run_t r;
  client_new(ml, &auths, &r, NULL, 0);
  ck_assert_int_eq(dirclient_start(r.dc), 0);
  /* 6 of 7 (86%) are enough; the altered one never arrives intact: wait
   * until it has been refused twice (the first answer and a retry). */
  ck_assert_int_eq(mainloop_run_until(ml, md_refused_twice, &r, 20.0), 1);
  dirclient_stats_t st;
  dirclient_get_stats(r.dc, &st);
  ck_assert_uint_ge(st.n_mds_rejected, 2);
  ck_assert_uint_eq(st.n_mds_accepted, 6);
  ck_assert_uint_eq(st.n_consensus_rejected, 0);
  ck_assert_int_eq(dirclient_has_enough_dirinfo(r.dc), 1);
  ck_assert_msg(strstr(log_text, "microdescriptor") != NULL &&
                strstr(log_text, "not asked for") != NULL, "log: %s", log_text);
  const nodelist_t *nl = dirclient_get_nodelist(r.dc);
  size_t with_md = 0;
  for (size_t i = 0; i < nodelist_count(nl); i++)
    with_md += nodelist_get(nl, i)->has_md ? 1 : 0;
  ck_assert_uint_eq(with_md, 6);
  dirclient_free(r.dc);
  dirauth_list_clear(&auths);
  evhttp_free(http);
  mainloop_free(ml);
}
END_TEST

static uint64_t
rnd_zero(uint64_t max)
{
  (void)max;
  return 0;
}

/* A port on which nothing listens. */
static int
dead_port(void)
{
  evutil_socket_t fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(0x7f000001);
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
  ev_socklen_t len = sizeof(sin);
  ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
  evutil_closesocket(fd);
  return ntohs(sin.sin_port);
}

START_TEST(test_retry_next_authority)
{
  mainloop_t *ml = mainloop_new();
  int port;
  struct evhttp *http = auth_start(ml, &port);
  /* auth1 and auth2 refuse connections; auth3 answers.  With the random
   * source pinned to 0 the client starts at auth1 and moves on after each
   * failure, waiting half the back-off bound each time. */
  int ports[3] = { dead_port(), dead_port(), port };
  dir_authorities_t auths;
  make_auths(&auths, ports);
  test_rnd = rnd_zero;
  run_t r;
  client_new(ml, &auths, &r, NULL, 0);
  double t0 = testutil_now();
  ck_assert_int_eq(dirclient_start(r.dc), 0);
  ck_assert_int_eq(mainloop_run_until(ml, is_enough, &r, 30.0), 1);
  double took = testutil_now() - t0;
  dirclient_stats_t st;
  dirclient_get_stats(r.dc, &st);
  ck_assert_uint_ge(st.n_failures, 2);
  ck_assert_uint_eq(srv.n_consensus, 1);   /* the third attempt, at auth3 */
  /* Back-off: 0.25 s then 0.5 s before the consensus, and not much more. */
  ck_assert_msg(took >= 0.7 && took < 15.0, "took %.2f s", took);
  check_nodes(dirclient_get_nodelist(r.dc));
  dirclient_free(r.dc);
  dirauth_list_clear(&auths);
  evhttp_free(http);
  mainloop_free(ml);
}
END_TEST

/* ---- the transport hook (BEGIN_DIR stand-ins) ---- */

typedef enum { HOOK_CACHE, HOOK_FAIL, HOOK_NULL } hook_mode_t;

static struct {
  mainloop_t *ml;
  hook_mode_t mode;
  int cache_port;
  unsigned n_calls;
} hook;

/* The far end of a failing tunnel: it takes the request, then closes without
 * an answer (as a stream whose BEGIN_DIR is refused ends). */
static void
closer_inbuf(conn_t *c)
{
  if (!conn_is_marked(c))
    conn_mark_for_close(c);
}

static const conn_ops_t closer_ops = { .name = "test-closer", .process_inbuf = closer_inbuf };

static conn_t *
test_tunnel(void *arg)
{
  ck_assert_ptr_eq(arg, &hook);
  hook.n_calls++;
  if (hook.mode == HOOK_NULL)
    return NULL;
  if (hook.mode == HOOK_FAIL) {
    conn_t *a, *b;
    ck_assert_int_eq(conn_new_socketpair(hook.ml, &dirconn_ops, dirconn_size(), &closer_ops,
                                         sizeof(conn_t), &a, &b), 0);
    return a;
  }
  /* HOOK_CACHE: a connection to the second server. */
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(0x7f000001);
  sin.sin_port = htons((uint16_t)hook.cache_port);
  return conn_connect(hook.ml, &dirconn_ops, dirconn_size(), (struct sockaddr *)&sin,
                      sizeof(sin), NULL);
}

/* Cache: certificates, the consensus and 5 of the 7 microdescriptors (71%:
 * enough); the clock just past valid-until, so the consensus is fetched at
 * once (it is still reasonably live). */
static void
cache_enough_but_stale(mainloop_t *ml, const dir_authorities_t *auths)
{
  ck_assert_int_eq(dircache_write(data_dir, DIRCACHE_CERTS, fx.keys, fx.keys_len), 0);
  ck_assert_int_eq(dircache_write(data_dir, DIRCACHE_CONSENSUS, fx.consensus, fx.consensus_len),
                   0);
  size_t five = (size_t)(fx.md[5].text - fx.mds);
  ck_assert_int_eq(dircache_write(data_dir, DIRCACHE_MICRODESCS, fx.mds, five), 0);
  run_t r;
  client_new(ml, auths, &r, NULL, 1);
  ck_assert_int_eq(dirclient_start(r.dc), 0);
  ck_assert_int_eq(dirclient_has_enough_dirinfo(r.dc), 1);
  int64_t va, fu, vu;
  nodelist_get_times(dirclient_get_nodelist(r.dc), &va, &fu, &vu);
  dirclient_free(r.dc);
  now_value = vu + 60;
}

typedef struct cond_t {
  run_t *r;
  unsigned want_cache_consensus;  /* wait for this many consensus answers from the cache */
  unsigned want_auth_consensus;   /* ... and from the authorities */
} cond_t;

static int
cond_done(void *arg)
{
  cond_t *c = arg;
  return is_enough(c->r) && cache_srv.n_consensus >= c->want_cache_consensus &&
         srv.n_consensus >= c->want_auth_consensus;
}

START_TEST(test_first_bootstrap_uses_dirports)
{
  /* No cache: everything comes from the authorities even with a hook set
   * (no circuits without directory information). */
  mainloop_t *ml = mainloop_new();
  int port, cport;
  struct evhttp *http = auth_start(ml, &port);
  struct evhttp *cache = http_start(ml, &cport, &cache_srv);
  int ports[3] = { port, port, port };
  dir_authorities_t auths;
  make_auths(&auths, ports);
  hook.ml = ml;
  hook.mode = HOOK_CACHE;
  hook.cache_port = cport;
  hook.n_calls = 0;
  run_t r;
  client_new(ml, &auths, &r, NULL, 0);
  dirclient_set_tunnel(r.dc, test_tunnel, &hook);
  ck_assert_int_eq(dirclient_start(r.dc), 0);
  ck_assert_int_eq(mainloop_run_until(ml, is_enough, &r, 20.0), 1);
  check_nodes(dirclient_get_nodelist(r.dc));
  ck_assert_uint_eq(hook.n_calls, 0);
  ck_assert_uint_eq(cache_srv.n_consensus + cache_srv.n_keys + cache_srv.n_md_requests, 0);
  ck_assert_uint_eq(srv.n_consensus, 1);
  ck_assert_uint_eq(srv.n_md_digests, 7);
  dirclient_stats_t st;
  dirclient_get_stats(r.dc, &st);
  ck_assert_uint_eq(st.n_tunnel_requests, 0);
  ck_assert_uint_eq(st.n_dirport_requests, st.n_requests);
  dirclient_free(r.dc);
  dirauth_list_clear(&auths);
  evhttp_free(cache);
  evhttp_free(http);
  mainloop_free(ml);
}
END_TEST

START_TEST(test_tunnel_once_enough)
{
  /* Enough directory information: the missing microdescriptors and the
   * consensus refresh go through the hook (the cache), none to a DirPort.
   * The cache's consensus is not newer than ours: asked again after a
   * back-off, through the hook again. */
  mainloop_t *ml = mainloop_new();
  int port, cport;
  struct evhttp *http = auth_start(ml, &port);
  struct evhttp *cache = http_start(ml, &cport, &cache_srv);
  int ports[3] = { port, port, port };
  dir_authorities_t auths;
  make_auths(&auths, ports);
  cache_enough_but_stale(ml, &auths);
  hook.ml = ml;
  hook.mode = HOOK_CACHE;
  hook.cache_port = cport;
  hook.n_calls = 0;
  run_t r;
  client_new(ml, &auths, &r, NULL, 0);
  dirclient_set_tunnel(r.dc, test_tunnel, &hook);
  ck_assert_int_eq(dirclient_start(r.dc), 0);
  cond_t c = { &r, 2, 0 };
  ck_assert_int_eq(mainloop_run_until(ml, cond_done, &c, 20.0), 1);
  check_nodes(dirclient_get_nodelist(r.dc));
  ck_assert_uint_eq(cache_srv.n_md_digests, 2);
  ck_assert_uint_eq(srv.n_consensus + srv.n_keys + srv.n_md_requests, 0);
  dirclient_stats_t st;
  dirclient_get_stats(r.dc, &st);
  ck_assert_uint_eq(st.n_dirport_requests, 0);
  ck_assert_uint_ge(st.n_tunnel_requests, 3);
  ck_assert_uint_eq(st.n_tunnel_failures, 0);
  ck_assert_uint_eq(hook.n_calls, st.n_tunnel_requests);
  ck_assert_uint_eq(st.n_mds_accepted, 2);
  /* Only the cached consensus was accepted: the cache's copies were not newer. */
  ck_assert_uint_eq(st.n_consensus_accepted, 1);
  ck_assert_uint_eq(st.n_consensus_rejected, 0);
  dirclient_free(r.dc);
  dirauth_list_clear(&auths);
  evhttp_free(cache);
  evhttp_free(http);
  mainloop_free(ml);
}
END_TEST

/* As above with a hook that fails (mode): every request still completes, at
 * an authority's DirPort. */
static void
expect_fallback(hook_mode_t mode, dirclient_stats_t *st)
{
  mainloop_t *ml = mainloop_new();
  int port;
  struct evhttp *http = auth_start(ml, &port);
  int ports[3] = { port, port, port };
  dir_authorities_t auths;
  make_auths(&auths, ports);
  cache_enough_but_stale(ml, &auths);
  hook.ml = ml;
  hook.mode = mode;
  hook.n_calls = 0;
  run_t r;
  client_new(ml, &auths, &r, NULL, 0);
  dirclient_set_tunnel(r.dc, test_tunnel, &hook);
  ck_assert_int_eq(dirclient_start(r.dc), 0);
  cond_t c = { &r, 0, 1 };
  ck_assert_int_eq(mainloop_run_until(ml, cond_done, &c, 20.0), 1);
  check_nodes(dirclient_get_nodelist(r.dc));
  ck_assert_uint_eq(srv.n_md_digests, 2);
  ck_assert_uint_ge(hook.n_calls, 1);
  dirclient_get_stats(r.dc, st);
  ck_assert_uint_ge(st->n_dirport_requests, 2);
  ck_assert_uint_eq(st->n_mds_accepted, 2);
  dirclient_free(r.dc);
  dirauth_list_clear(&auths);
  evhttp_free(http);
  mainloop_free(ml);
}

START_TEST(test_tunnel_fails_then_dirport)
{
  dirclient_stats_t st;
  expect_fallback(HOOK_FAIL, &st);
  ck_assert_uint_ge(st.n_tunnel_requests, 1);
  ck_assert_uint_eq(st.n_tunnel_failures, st.n_tunnel_requests);
  ck_assert_uint_eq(st.n_failures, 0);  /* the fallback itself succeeded */
}
END_TEST

START_TEST(test_tunnel_not_now_then_dirport)
{
  dirclient_stats_t st;
  expect_fallback(HOOK_NULL, &st);
  ck_assert_uint_eq(st.n_tunnel_requests, 0);
  ck_assert_uint_eq(st.n_tunnel_failures, 0);
  ck_assert_uint_eq(st.n_dirport_requests, st.n_requests);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("dir_dirclient");
  const testutil_case_t cases[] = {
    { "bootstrap_then_cache", test_bootstrap_then_cache, 60 },
    { "fetch_only_missing_mds", test_fetch_only_missing_mds, 60 },
    { "cached_mds_wait_for_a_consensus", test_cached_mds_wait_for_a_consensus, 60 },
    { "forged_one_byte_changed", test_forged_one_byte_changed, 60 },
    { "forged_too_few_signatures", test_forged_too_few_signatures, 60 },
    { "expired", test_expired, 60 },
    { "md_digest_mismatch", test_md_digest_mismatch, 60 },
    { "retry_next_authority", test_retry_next_authority, 60 },
    { "first_bootstrap_uses_dirports", test_first_bootstrap_uses_dirports, 60 },
    { "tunnel_once_enough", test_tunnel_once_enough, 60 },
    { "tunnel_fails_then_dirport", test_tunnel_fails_then_dirport, 60 },
    { "tunnel_not_now_then_dirport", test_tunnel_not_now_then_dirport, 60 },
  };
  testutil_add_cases(s, cases, sizeof(cases) / sizeof(cases[0]), setup, teardown);
  return s;
}
