/* test_dirclient_big.c — the directory client on a synthetic network of 250
 * relays, signed in the test by three authorities made here (keys from
 * lib/crypto, certificates and signatures from tests/unit/proto/netdoc's
 * forge.c), served by an in-test evhttp authority:
 *   - microdescriptors are fetched in requests of at most 92 digests, each
 *     digest asked for exactly once, and every node gets its md;
 *   - "enough directory information" follows min_paths_for_circs_pct: with
 *     45% of the mds withheld, 55% is not enough at the default 60%, and is
 *     enough when the consensus sets the parameter to 50.
 * Every wait has a deadline; nothing sleeps. */
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <event2/buffer.h>
#include <event2/http.h>
#ifdef _WIN32
#include <winsock2.h>
#else
#include <netinet/in.h>
#include <sys/socket.h>
#endif

#include "core/mainloop.h"
#include "dir/dirclient.h"
#include "lib/alloc.h"
#include "lib/crypto/rsa.h"
#include "lib/log.h"
#include "proto/netdoc/authcert.h"
#include "proto/netdoc/forge.h"
#include "proto/netdoc/netdoc.h"
#include "testutil.h"

#define N_RELAYS 250
#define N_AUTH 3

static const int64_t T0 = 1796036400;  /* 2026-11-30 11:00:00 UTC */

static struct {
  crypto_rsa_t *id[N_AUTH], *sk[N_AUTH];
  char *certs;                 /* the three certificates, concatenated */
  uint8_t v3[N_AUTH][20];
  char *md_text[N_RELAYS];
  uint8_t md_digest[N_RELAYS][32];
  char *consensus;
  int withheld[N_RELAYS];      /* 1: the server never sends this md */
  unsigned n_md_requests, n_md_digests, max_per_request;
  unsigned asked[N_RELAYS];    /* how often each md was asked for */
} net;

static void
fmt_time(int64_t t, char *out)
{
  time_t tt = (time_t)t;
  struct tm tm;
#ifdef _WIN32
  gmtime_s(&tm, &tt);
#else
  gmtime_r(&tt, &tm);
#endif
  strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

static void
make_authorities(void)
{
  for (int i = 0; i < N_AUTH; i++) {
    net.id[i] = crypto_rsa_generate(2048);
    net.sk[i] = crypto_rsa_generate(1024);
    char *c = forge_authcert(net.id[i], net.sk[i], T0 - 86400, T0 + 30 * 86400);
    authcert_t *parsed = NULL;
    size_t used;
    ck_assert_int_eq(authcert_parse(c, strlen(c), &parsed, &used), AUTHCERT_OK);
    memcpy(net.v3[i], parsed->v3ident, 20);
    authcert_free(parsed);
    forge_append(&net.certs, c);
    free(c);
  }
}

static void
make_mds(void)
{
  uint64_t st = 42;
  for (int i = 0; i < N_RELAYS; i++) {
    uint8_t k[32], ed[32];
    char kb[48], eb[48], buf[512];
    testutil_fill_random(k, 32, &st);
    testutil_fill_random(ed, 32, &st);
    netdoc_base64_encode(k, 32, kb, sizeof(kb));
    netdoc_base64_encode(ed, 32, eb, sizeof(eb));
    snprintf(buf, sizeof(buf), "onion-key\nntor-onion-key %s\n%sid ed25519 %s\n", kb,
             i % 10 == 0 ? "p accept 80,443\n" : "", eb);
    net.md_text[i] = x_strdup(buf);
    SHA256((const unsigned char *)buf, strlen(buf), net.md_digest[i]);
  }
}

/* A consensus listing every relay, signed by the three authorities. */
static const char *required_client = "Cons=2 Desc=2 FlowCtrl=1 Link=4 Microdesc=2 Relay=2";

static void
make_consensus(int dir_port, const char *params)
{
  char *t = NULL, line[512], va[20], fu[20], vu[20], hex[41];
  fmt_time(T0, va);
  fmt_time(T0 + 3600, fu);
  fmt_time(T0 + 3 * 3600, vu);
  snprintf(line, sizeof(line),
           "network-status-version 3 microdesc\nvote-status consensus\nconsensus-method 35\n"
           "valid-after %s\nfresh-until %s\nvalid-until %s\nvoting-delay 300 300\n"
           "client-versions \nserver-versions \n"
           "known-flags Exit Fast Guard Running Stable V2Dir Valid\n", va, fu, vu);
  forge_append(&t, line);
  if (params) {
    snprintf(line, sizeof(line), "params %s\n", params);
    forge_append(&t, line);
  }
  snprintf(line, sizeof(line), "required-client-protocols %s\n", required_client);
  forge_append(&t, line);
  for (int i = 0; i < N_AUTH; i++) {
    dirauth_hex_id(net.v3[i], hex);
    snprintf(line, sizeof(line), "dir-source auth%d %s 127.0.0.1 127.0.0.1 %d 9001\n"
             "contact auth%d@test.test\nvote-digest %040d\n", i + 1, hex, dir_port, i + 1, 0);
    forge_append(&t, line);
  }
  for (int i = 0; i < N_RELAYS; i++) {
    uint8_t id[20];
    char idb[40], mdb[48];
    memset(id, 0, 20);
    id[0] = (uint8_t)(i >> 8);
    id[1] = (uint8_t)i;
    id[19] = 0x5a;
    netdoc_base64_encode(id, 20, idb, sizeof(idb));
    netdoc_base64_encode(net.md_digest[i], 32, mdb, sizeof(mdb));
    snprintf(line, sizeof(line),
             "r relay%d %s 2038-01-01 00:00:00 10.%d.%d.1 9001 0\nm %s\n"
             "s Fast Guard Running Stable V2Dir Valid%s\nv Tor 0.4.9.11\n"
             "pr Cons=1-2 Desc=1-4 Link=3-5 Microdesc=1-3 Relay=2-4\nw Bandwidth=%d\n",
             i, idb, i / 200, i % 200, mdb, i % 10 == 0 ? " Exit" : "", 100 + i);
    forge_append(&t, line);
  }
  forge_append(&t, "directory-footer\nbandwidth-weights Wbd=3333 Wbe=0 Wbg=0 Wbm=10000 "
               "Wdb=10000 Web=10000 Wed=3333 Wee=10000 Weg=3333 Wem=10000 Wgb=10000 Wgd=3333 "
               "Wgg=10000 Wgm=10000 Wmb=10000 Wmd=3333 Wme=0 Wmg=0 Wmm=10000\n");
  /* All sign the text through the first "directory-signature ". */
  char *signed_text = NULL;
  forge_append(&signed_text, t);
  forge_append(&signed_text, "directory-signature ");
  uint8_t digest[32];
  SHA256((const unsigned char *)signed_text, strlen(signed_text), digest);
  free(signed_text);
  for (int i = 0; i < N_AUTH; i++) {
    char *sig = forge_dirsig(net.id[i], net.sk[i], digest, 32);
    forge_append(&t, sig);
    free(sig);
  }
  free(net.consensus);
  net.consensus = t;
}

static void
serve_mds(struct evhttp_request *req, const char *list)
{
  struct evbuffer *out = evbuffer_new();
  unsigned n = 0;
  net.n_md_requests++;
  for (const char *p = list; *p;) {
    const char *e = strchr(p, '-');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    uint8_t d[32];
    ck_assert_int_eq(netdoc_base64_decode_exact(p, len, d, 32), 0);
    n++;
    for (int i = 0; i < N_RELAYS; i++) {
      if (memcmp(net.md_digest[i], d, 32) == 0) {
        net.asked[i]++;
        if (!net.withheld[i])
          evbuffer_add(out, net.md_text[i], strlen(net.md_text[i]));
      }
    }
    p += len;
    if (*p == '-')
      p++;
  }
  net.n_md_digests += n;
  if (n > net.max_per_request)
    net.max_per_request = n;
  evhttp_send_reply(req, 200, "OK", out);
  evbuffer_free(out);
}

static void
auth_cb(struct evhttp_request *req, void *arg)
{
  (void)arg;
  const char *uri = evhttp_request_get_uri(req);
  struct evbuffer *b = evbuffer_new();
  if (!strcmp(uri, "/tor/status-vote/current/consensus-microdesc")) {
    evbuffer_add(b, net.consensus, strlen(net.consensus));
    evhttp_send_reply(req, 200, "OK", b);
  } else if (!strncmp(uri, "/tor/keys/", 10)) {
    evbuffer_add(b, net.certs, strlen(net.certs));
    evhttp_send_reply(req, 200, "OK", b);
  } else if (!strncmp(uri, "/tor/micro/d/", 13)) {
    serve_mds(req, uri + 13);
  } else {
    evhttp_send_reply(req, 404, "Not found", NULL);
  }
  evbuffer_free(b);
}

static struct evhttp *
auth_start(mainloop_t *ml, int *port)
{
  struct evhttp *http = evhttp_new(mainloop_base(ml));
  evhttp_set_gencb(http, auth_cb, NULL);
  struct evhttp_bound_socket *bs = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
  ck_assert_ptr_nonnull(bs);
  struct sockaddr_storage ss;
  ev_socklen_t len = sizeof(ss);
  ck_assert_int_eq(getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&ss, &len), 0);
  *port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
  return http;
}

static int64_t
pinned_now(void)
{
  return T0 + 600;
}

static int n_proto_warnings;
static char proto_warning[512];

static void
log_hook(log_severity_t sev, log_domain_t dom, const char *msg, void *arg)
{
  (void)dom; (void)arg;
  if (sev == LOG_WARN && strstr(msg, "requires client protocols")) {
    n_proto_warnings++;
    snprintf(proto_warning, sizeof(proto_warning), "%s", msg);
  }
}

static void
setup(void)
{
  memset(&net, 0, sizeof(net));
  required_client = "Cons=2 Desc=2 FlowCtrl=1 Link=4 Microdesc=2 Relay=2";
  n_proto_warnings = 0;
  log_set_hook(log_hook, NULL);
  make_authorities();
  make_mds();
}

static void
teardown(void)
{
  log_set_hook(NULL, NULL);
  for (int i = 0; i < N_AUTH; i++) {
    crypto_rsa_free(net.id[i]);
    crypto_rsa_free(net.sk[i]);
  }
  for (int i = 0; i < N_RELAYS; i++)
    x_free(net.md_text[i]);
  free(net.certs);
  free(net.consensus);
}

typedef struct run_t {
  mainloop_t *ml;
  struct evhttp *http;
  dir_authorities_t auths;
  bootstrap_t boot;
  dirclient_t *dc;
} run_t;

static void
run_start(run_t *r, const char *params)
{
  memset(r, 0, sizeof(*r));
  r->ml = mainloop_new();
  int port;
  r->http = auth_start(r->ml, &port);
  make_consensus(port, params);
  r->auths.n = N_AUTH;
  r->auths.v = x_calloc(N_AUTH, sizeof(dir_authority_t));
  for (int i = 0; i < N_AUTH; i++) {
    dir_authority_t *a = &r->auths.v[i];
    snprintf(a->nickname, sizeof(a->nickname), "auth%d", i + 1);
    a->has_v3ident = 1;
    memcpy(a->v3ident, net.v3[i], 20);
    a->rsa_id[0] = (uint8_t)i;
    uint8_t lo[4] = { 127, 0, 0, 1 };
    netaddr_set_ipv4(&a->ipv4, lo);
    a->dir_port = (uint16_t)port;
  }
  bootstrap_init(&r->boot);
  dirclient_options_t o;
  memset(&o, 0, sizeof(o));
  o.auths = &r->auths;
  o.testing_tor_network = 1;
  o.bootstrap = &r->boot;
  o.now = pinned_now;
  r->dc = dirclient_new(r->ml, &o);
  ck_assert_int_eq(dirclient_start(r->dc), 0);
}

static void
run_end(run_t *r)
{
  dirclient_free(r->dc);
  dirauth_list_clear(&r->auths);
  evhttp_free(r->http);
  mainloop_free(r->ml);
}

static size_t
n_with_md(const nodelist_t *nl)
{
  size_t k = 0;
  for (size_t i = 0; i < nodelist_count(nl); i++)
    k += nodelist_get(nl, i)->has_md ? 1 : 0;
  return k;
}

static int
all_mds(void *arg)
{
  const nodelist_t *nl = dirclient_get_nodelist(((run_t *)arg)->dc);
  return nl && n_with_md(nl) == N_RELAYS;
}

START_TEST(test_batches_of_92)
{
  run_t r;
  run_start(&r, NULL);
  ck_assert_int_eq(mainloop_run_until(r.ml, all_mds, &r, 60.0), 1);
  const nodelist_t *nl = dirclient_get_nodelist(r.dc);
  ck_assert_uint_eq(nodelist_count(nl), N_RELAYS);
  ck_assert_int_eq(dirclient_has_enough_dirinfo(r.dc), 1);
  ck_assert_int_eq(bootstrap_percent(&r.boot), 75);
  ck_assert_uint_eq(net.n_md_requests, 3);           /* 92 + 92 + 66 */
  ck_assert_uint_eq(net.max_per_request, 92);
  ck_assert_uint_eq(net.n_md_digests, N_RELAYS);
  for (int i = 0; i < N_RELAYS; i++)
    ck_assert_uint_eq(net.asked[i], 1);
  /* The merge: node i is relay i, with its md's exit policy and the weights. */
  for (int i = 0; i < N_RELAYS; i += 37) {
    const node_t *n = nodelist_get(nl, (size_t)i);
    char nick[20];
    snprintf(nick, sizeof(nick), "relay%d", i);
    ck_assert_str_eq(n->nickname, nick);
    ck_assert_uint_eq(n->bandwidth, (uint64_t)(100 + i));
    ck_assert_int_eq(policy_summary_allows_port(n->policy, 443), i % 10 == 0);
    ck_assert_int_eq(!!(n->flags & NODE_FLAG_EXIT), i % 10 == 0);
  }
  ck_assert_int_eq(nodelist_get_weight(nl, "Wmd"), 3333);
  ck_assert_int_eq(nodelist_get_weight(nl, "Wme"), 0);
  ck_assert_int_eq(n_proto_warnings, 0);  /* tor 0.4.9's list: we have it all */
  run_end(&r);
}
END_TEST

static int
round_retried(void *arg)
{
  (void)arg;
  return net.n_md_requests >= 4;  /* the 3 first ones and a retry of the missing */
}

START_TEST(test_enough_threshold)
{
  /* Withhold 45% of the mds (9 of every 20): 55% arrive. */
  for (int i = 0; i < N_RELAYS; i++)
    net.withheld[i] = (i % 20) < 9;
  run_t r;
  run_start(&r, NULL);
  ck_assert_int_eq(mainloop_run_until(r.ml, round_retried, &r, 60.0), 1);
  const nodelist_t *nl = dirclient_get_nodelist(r.dc);
  ck_assert_ptr_nonnull(nl);
  size_t served = 0;
  for (int i = 0; i < N_RELAYS; i++)
    served += net.withheld[i] ? 0 : 1;
  ck_assert_uint_eq(n_with_md(nl), served);
  ck_assert(served * 100 < 60 * N_RELAYS && served * 100 >= 50 * N_RELAYS);
  ck_assert_int_eq(dirclient_has_enough_dirinfo(r.dc), 0);   /* 55% < 60% */
  ck_assert_int_lt(bootstrap_percent(&r.boot), 75);
  ck_assert_int_ge(bootstrap_percent(&r.boot), 50);
  run_end(&r);

  memset(net.asked, 0, sizeof(net.asked));
  net.n_md_requests = 0;
  run_start(&r, "min_paths_for_circs_pct=50");
  ck_assert_int_eq(mainloop_run_until(r.ml, round_retried, &r, 60.0), 1);
  ck_assert_int_eq(dirclient_has_enough_dirinfo(r.dc), 1);   /* 55% >= 50% */
  ck_assert_int_eq(bootstrap_percent(&r.boot), 75);
  run_end(&r);
}
END_TEST

/* A required protocol we lack: one loud warning for the consensus, naming it;
 * the client goes on (see src/dir/README.md). */
START_TEST(test_required_protocols_warned_once)
{
  required_client = "Cons=2 Desc=2 FlowCtrl=1 Link=4 Microdesc=2 Relay=2,9 Zebra=3";
  run_t r;
  run_start(&r, NULL);
  ck_assert_int_eq(mainloop_run_until(r.ml, all_mds, &r, 60.0), 1);
  ck_assert_int_eq(n_proto_warnings, 1);
  ck_assert_msg(strstr(proto_warning, "Relay=9") && strstr(proto_warning, "Zebra=3"), "%s",
                proto_warning);
  ck_assert_int_eq(dirclient_has_enough_dirinfo(r.dc), 1);
  run_end(&r);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("dir_dirclient_big");
  const testutil_case_t cases[] = {
    { "batches_of_92", test_batches_of_92, 120 },
    { "enough_threshold", test_enough_threshold, 120 },
    { "required_protocols_warned_once", test_required_protocols_warned_once, 120 },
  };
  testutil_add_cases(s, cases, sizeof(cases) / sizeof(cases[0]), setup, teardown);
  return s;
}
