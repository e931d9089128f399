/* test_consensus.c — the microdesc consensus captured from tor 0.4.9.11
 * (tests/vectors/dir/consensus-microdesc): parsed fields against what the
 * harness knows (expected.json) and the microdescriptors; verification at the
 * capture time; and forged variants made here, each refused with its own
 * reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dir/node.h" /* only to check that CONS_FLAG_* == NODE_FLAG_* */
#include "dirvec.h"
#include "forge.h"
#include "lib/crypto/digest.h"
#include "proto/netdoc/authcert.h"
#include "proto/netdoc/consensus.h"
#include "proto/netdoc/netdoc.h"
#include "testutil.h"

static dirvec_expected_t ex;
static char *cons_text, *keys;
static size_t cons_len, keys_len;
static authcert_t **certs;
static size_t n_certs;

static void
setup(void)
{
  dirvec_load_expected(&ex);
  cons_text = dirvec_read("consensus-microdesc", &cons_len);
  keys = dirvec_read("keys-all", &keys_len);
  ck_assert_int_eq(authcert_parse_all(keys, keys_len, &certs, &n_certs), AUTHCERT_OK);
}

static void
teardown(void)
{
  authcert_free_all(certs, n_certs);
  free(cons_text);
  free(keys);
}

static consensus_t *
parse_ok(const char *text, size_t len)
{
  consensus_t *c = NULL;
  char err[256];
  int r = consensus_parse(text, len, &c, err, sizeof(err));
  ck_assert_msg(r == 0, "parse failed: %s", err);
  return c;
}

static consensus_verify_result_t
verify(const consensus_t *c, authcert_t *const *cs, size_t ncs, int64_t now,
       consensus_verify_t *out)
{
  return consensus_verify(c, (const uint8_t (*)[DIGEST_LEN])ex.v3idents, ex.n_auth, cs, ncs, now,
                          out);
}

/* A malloc'd NUL-terminated copy of s[0..n) (strndup is not on Windows). */
static char *
copy_n(const char *s, size_t n)
{
  char *r = malloc(n + 1);
  memcpy(r, s, n);
  r[n] = '\0';
  return r;
}

static int
str_eq(cons_str_t s, const char *want)
{
  return s.s && s.len == strlen(want) && memcmp(s.s, want, s.len) == 0;
}

START_TEST(test_header)
{
  consensus_t *c = parse_ok(cons_text, cons_len);
  ck_assert_uint_eq(c->consensus_method, 35);
  /* "2026-11-30 11:02:17" etc., converted with GNU date */
  ck_assert(c->valid_after == 1796036537);
  ck_assert(c->fresh_until == 1796036547);
  ck_assert(c->valid_until == 1796036557);
  ck_assert_uint_eq(c->vote_delay, 2);
  ck_assert_uint_eq(c->dist_delay, 2);
  ck_assert_uint_eq(c->known_flags,
                    CONS_FLAG_AUTHORITY | CONS_FLAG_EXIT | CONS_FLAG_FAST | CONS_FLAG_GUARD |
                    CONS_FLAG_HSDIR | CONS_FLAG_NOEDCONSENSUS | CONS_FLAG_RUNNING |
                    CONS_FLAG_STABLE | CONS_FLAG_STALEDESC | CONS_FLAG_SYBIL | CONS_FLAG_V2DIR |
                    CONS_FLAG_VALID);
  ck_assert(str_eq(c->required_client_protocols,
                   "Cons=2 Desc=2 FlowCtrl=1 Link=4 Microdesc=2 Relay=2"));
  ck_assert(str_eq(c->recommended_client_protocols,
                   "Cons=2 Desc=2 DirCache=2 FlowCtrl=1-2 HSDir=2 HSIntro=4 HSRend=2 Link=4-5 "
                   "Microdesc=2 Relay=2-4"));
  ck_assert(c->required_relay_protocols.s && c->recommended_relay_protocols.s);
  ck_assert_uint_eq(c->n_params, 0); /* the capture network set no ConsensusParams */
  ck_assert_int_eq(consensus_get_param(c, "circwindow", 1000, 100, 1000), 1000);
  /* dir-sources: one per authority, with its v3ident, DirPort and ORPort */
  ck_assert_uint_eq(c->n_dirsources, 3);
  for (size_t i = 0; i < ex.n_nodes; i++) {
    const dirvec_node_t *n = &ex.nodes[i];
    if (!n->has_v3ident)
      continue;
    int found = 0;
    for (size_t k = 0; k < c->n_dirsources; k++) {
      const cons_dirsource_t *ds = &c->dirsources[k];
      if (memcmp(ds->v3ident, n->v3ident, 20) != 0)
        continue;
      found = 1;
      ck_assert_str_eq(ds->nickname, n->nickname);
      ck_assert_int_eq(ds->dir_port, n->dir_port);
      ck_assert_int_eq(ds->or_port, n->or_port);
    }
    ck_assert_msg(found, "no dir-source for %s", n->nickname);
  }
  /* footer */
  ck_assert_uint_eq(c->n_weights, 19);
  ck_assert_str_eq(c->weights[0].name, "Wbd");
  ck_assert_int_eq(c->weights[0].value, 3333);
  ck_assert_str_eq(c->weights[18].name, "Wmm");
  ck_assert_int_eq(c->weights[18].value, 10000);
  ck_assert_uint_eq(c->n_sigs, 3);
  for (size_t i = 0; i < c->n_sigs; i++) {
    ck_assert_int_eq(c->sigs[i].alg, CONS_SIG_SHA256);
    ck_assert_uint_eq(c->sigs[i].sig_len, 256); /* RSA-2048 signing keys (tor-gencert) */
  }
  /* the signed range ends with the first "directory-signature " */
  const char *first_sig = strstr(cons_text, "\ndirectory-signature ");
  ck_assert_uint_eq(c->signed_len, (size_t)(first_sig - cons_text) + 21);
  uint8_t d[32];
  crypto_sha256(cons_text, c->signed_len, d);
  ck_assert(memcmp(d, c->digest_sha256, 32) == 0);
  consensus_free(c);
}
END_TEST

/* The digests of the microdescriptors file: each starts at an "onion-key" line. */
static size_t
md_digests(uint8_t out[][32], size_t max)
{
  size_t len, n = 0;
  char *mds = dirvec_read("microdescs", &len);
  const char *p = mds, *end = mds + len;
  while (p < end) {
    const char *next = strstr(p + 1, "\nonion-key\n");
    const char *stop = next ? next + 1 : end;
    ck_assert_uint_lt(n, max);
    crypto_sha256(p, (size_t)(stop - p), out[n++]);
    p = stop;
  }
  free(mds);
  return n;
}

START_TEST(test_routers)
{
  consensus_t *c = parse_ok(cons_text, cons_len);
  uint8_t mds[16][32];
  size_t n_mds = md_digests(mds, 16);
  ck_assert_uint_eq(c->n_routers, ex.n_nodes);
  ck_assert_uint_eq(n_mds, ex.n_nodes);
  for (size_t i = 0; i < ex.n_nodes; i++) {
    const dirvec_node_t *n = &ex.nodes[i];
    const cons_router_t *r = consensus_find_router(c, n->rsa_id);
    ck_assert_msg(r != NULL, "%s not in the consensus", n->nickname);
    ck_assert_str_eq(r->nickname, n->nickname);
    ck_assert_int_eq(r->ipv4.family, NETADDR_IPV4);
    ck_assert(memcmp(r->ipv4.bytes, "\x7f\x00\x00\x01", 4) == 0);
    ck_assert_int_eq(r->or_port, n->or_port);
    ck_assert_int_eq(r->dir_port, n->dir_port);
    ck_assert_int_eq(r->ipv6.family, NETADDR_NONE);
    ck_assert(r->published == 2145916800); /* 2038-01-01 00:00:00 */
    uint32_t must = CONS_FLAG_RUNNING | CONS_FLAG_VALID | CONS_FLAG_FAST | CONS_FLAG_V2DIR;
    ck_assert_uint_eq(r->flags & must, must);
    ck_assert_int_eq(!!(r->flags & CONS_FLAG_EXIT), n->is_exit);
    ck_assert_int_eq(!!(r->flags & CONS_FLAG_AUTHORITY), n->has_v3ident);
    ck_assert(r->has_bandwidth && r->bandwidth == 0 && r->bw_unmeasured);
    ck_assert(str_eq(r->version, "Tor 0.4.9.11"));
    ck_assert(r->protocols.s && r->protocols.len > 0 &&
              memcmp(r->protocols.s, "Conflux=1 Cons=1-2", 18) == 0);
    /* its "m" digest is the SHA-256 of one of the fetched microdescriptors */
    int found = 0;
    for (size_t k = 0; k < n_mds; k++)
      found |= memcmp(mds[k], r->md_digest, 32) == 0;
    ck_assert_msg(found, "m digest of %s matches no microdescriptor", n->nickname);
  }
  consensus_free(c);
}
END_TEST

START_TEST(test_verify_ok_and_times)
{
  consensus_t *c = parse_ok(cons_text, cons_len);
  consensus_verify_t v;
  ck_assert_int_eq(verify(c, certs, n_certs, ex.capture_time, &v), CONS_VERIFY_OK);
  ck_assert_uint_eq(v.n_good, 3);
  ck_assert_uint_eq(v.n_needed, 2);
  ck_assert_uint_eq(v.n_bad + v.n_missing + v.n_unknown, 0);
  /* reasonably live: up to 24 h after valid-until */
  ck_assert_int_eq(verify(c, certs, n_certs, c->valid_until + 86400, &v), CONS_VERIFY_OK);
  ck_assert_int_eq(verify(c, certs, n_certs, c->valid_until + 86401, &v), CONS_VERIFY_EXPIRED);
  ck_assert_int_eq(verify(c, certs, n_certs, ex.capture_time + 3 * 86400, &v),
                   CONS_VERIFY_EXPIRED);
  ck_assert_ptr_nonnull(strstr(v.reason, "valid-until"));
  ck_assert_int_eq(verify(c, certs, n_certs, c->valid_after - 60, &v), CONS_VERIFY_OK);
  ck_assert_int_eq(verify(c, certs, n_certs, c->valid_after - 61, &v),
                   CONS_VERIFY_NOT_YET_VALID);
  /* no configured authorities */
  ck_assert_int_eq(consensus_verify(c, NULL, 0, certs, n_certs, ex.capture_time, &v),
                   CONS_VERIFY_MALFORMED);
  consensus_free(c);
}
END_TEST

START_TEST(test_bad_signature)
{
  /* one byte of the signed text: relay1's bandwidth */
  char *t = copy_n(cons_text, cons_len);
  char *w = strstr(t, "w Bandwidth=0");
  ck_assert_ptr_nonnull(w);
  w[12] = '1';
  consensus_t *c = parse_ok(t, cons_len);
  consensus_verify_t v;
  ck_assert_int_eq(verify(c, certs, n_certs, ex.capture_time, &v), CONS_VERIFY_BAD_SIGNATURE);
  ck_assert_uint_eq(v.n_bad, 3);
  ck_assert_uint_eq(v.n_good, 0);
  consensus_free(c);
  /* one byte of one signature: the other two still make a majority */
  strcpy(t, cons_text);
  char *sig = strstr(t, "-----BEGIN SIGNATURE-----\n") + 26;
  sig[5] = sig[5] == 'A' ? 'B' : 'A';
  c = parse_ok(t, cons_len);
  ck_assert_int_eq(verify(c, certs, n_certs, ex.capture_time, &v), CONS_VERIFY_OK);
  ck_assert_uint_eq(v.n_good, 2);
  ck_assert_uint_eq(v.n_bad, 1);
  consensus_free(c);
  free(t);
}
END_TEST

/* The consensus with only its first keep signatures. */
static char *
keep_signatures(size_t keep)
{
  char *t = copy_n(cons_text, cons_len);
  char *p = strstr(t, "\ndirectory-signature ");
  for (size_t i = 0; i < keep && p; i++)
    p = strstr(p + 1, "\ndirectory-signature ");
  if (p)
    p[1] = '\0';
  return t;
}

START_TEST(test_too_few_signatures)
{
  consensus_verify_t v;
  char *t = keep_signatures(1); /* n/2 = 1 of 3 */
  consensus_t *c = parse_ok(t, strlen(t));
  ck_assert_uint_eq(c->n_sigs, 1);
  ck_assert_int_eq(verify(c, certs, n_certs, ex.capture_time, &v),
                   CONS_VERIFY_TOO_FEW_SIGNATURES);
  ck_assert_uint_eq(v.n_good, 1);
  consensus_free(c);
  free(t);
  t = keep_signatures(2);
  c = parse_ok(t, strlen(t));
  ck_assert_int_eq(verify(c, certs, n_certs, ex.capture_time, &v), CONS_VERIFY_OK);
  consensus_free(c);
  free(t);
  /* no signature at all is a parse error: the footer needs one */
  t = keep_signatures(0);
  consensus_t *none = NULL;
  ck_assert_int_eq(consensus_parse(t, strlen(t), &none, NULL, 0), -1);
  free(t);
}
END_TEST

START_TEST(test_missing_certs)
{
  consensus_t *c = parse_ok(cons_text, cons_len);
  consensus_verify_t v;
  /* only the certificate of the authority whose signature comes first */
  size_t k = 0;
  while (memcmp(certs[k]->v3ident, c->sigs[0].v3ident, 20) != 0)
    k++;
  ck_assert_int_eq(verify(c, &certs[k], 1, ex.capture_time, &v), CONS_VERIFY_MISSING_CERTS);
  ck_assert_uint_eq(v.n_good, 1);
  ck_assert_uint_eq(v.n_missing, 2);
  for (size_t i = 0; i < 2; i++) {
    ck_assert(memcmp(v.missing[i], certs[k]->v3ident, 20) != 0);
    int listed = 0;
    for (size_t a = 0; a < ex.n_auth; a++)
      listed |= memcmp(v.missing[i], ex.v3idents[a], 20) == 0;
    ck_assert(listed);
  }
  ck_assert(memcmp(v.missing[0], v.missing[1], 20) != 0);
  /* no certificates at all */
  ck_assert_int_eq(verify(c, NULL, 0, ex.capture_time, &v), CONS_VERIFY_MISSING_CERTS);
  ck_assert_uint_eq(v.n_missing, 3);
  consensus_free(c);
}
END_TEST

/* A consensus of the captured signed text and the signatures [0, keep) plus
 * extra (a forged signature item). */
static char *
with_extra_signature(size_t keep, const char *extra)
{
  char *t = keep_signatures(keep);
  forge_append(&t, extra);
  return t;
}

START_TEST(test_unknown_authority)
{
  consensus_t *orig = parse_ok(cons_text, cons_len);
  crypto_rsa_t *id = crypto_rsa_generate(2048), *sk = crypto_rsa_generate(1024);
  char *cert_text = forge_authcert(id, sk, ex.capture_time - 3600, ex.capture_time + 86400);
  authcert_t *fresh = NULL;
  size_t used;
  ck_assert_int_eq(authcert_parse(cert_text, strlen(cert_text), &fresh, &used), AUTHCERT_OK);
  char *sig = forge_dirsig(id, sk, orig->digest_sha256, 32);
  authcert_t *all[4] = { certs[0], certs[1], certs[2], fresh };
  consensus_verify_t v;

  /* one real signature + one by an authority that is not configured */
  char *t = with_extra_signature(1, sig);
  consensus_t *c = parse_ok(t, strlen(t));
  ck_assert_uint_eq(c->n_sigs, 2);
  ck_assert_int_eq(verify(c, all, 4, ex.capture_time, &v), CONS_VERIFY_UNKNOWN_AUTHORITY);
  ck_assert_uint_eq(v.n_unknown, 1);
  ck_assert_uint_eq(v.n_good, 1);

  /* control: configured, the same forged signature counts (so it is well made) */
  uint8_t four[4][20];
  memcpy(four, ex.v3idents, 3 * 20);
  memcpy(four[3], fresh->v3ident, 20);
  consensus_verify_t v4;
  ck_assert_int_eq(consensus_verify(c, (const uint8_t (*)[20])four, 4, all, 4, ex.capture_time,
                                    &v4), CONS_VERIFY_TOO_FEW_SIGNATURES); /* 2 of 4: 3 needed */
  ck_assert_uint_eq(v4.n_good, 2);
  consensus_free(c);
  free(t);
  t = with_extra_signature(3, sig);
  c = parse_ok(t, strlen(t));
  ck_assert_int_eq(consensus_verify(c, (const uint8_t (*)[20])four, 4, all, 4, ex.capture_time,
                                    &v4), CONS_VERIFY_OK);
  ck_assert_uint_eq(v4.n_good, 4);
  /* ... and with its certificate expired, it is missing a certificate */
  authcert_free(fresh);
  free(cert_text);
  cert_text = forge_authcert(id, sk, ex.capture_time - 7200, ex.capture_time - 3600);
  ck_assert_int_eq(authcert_parse(cert_text, strlen(cert_text), &fresh, &used), AUTHCERT_OK);
  ck_assert_int_eq(authcert_check(fresh, ex.capture_time), AUTHCERT_EXPIRED);
  all[3] = fresh;
  consensus_free(c);
  free(t);
  t = with_extra_signature(2, sig);
  c = parse_ok(t, strlen(t));
  ck_assert_int_eq(consensus_verify(c, (const uint8_t (*)[20])four, 4, all, 4, ex.capture_time,
                                    &v4), CONS_VERIFY_MISSING_CERTS);
  ck_assert_uint_eq(v4.n_good, 2);
  ck_assert_uint_eq(v4.n_missing, 1);
  ck_assert(memcmp(v4.missing[0], fresh->v3ident, 20) == 0);
  consensus_free(c);
  free(t);
  authcert_free(fresh);
  free(cert_text);
  free(sig);
  crypto_rsa_free(id);
  crypto_rsa_free(sk);
  consensus_free(orig);
}
END_TEST

/* A certificate whose crosscert is broken does not count. */
START_TEST(test_broken_crosscert_cert)
{
  consensus_verify_t v;
  char *t = keep_signatures(2);
  consensus_t *c = parse_ok(t, strlen(t));
  /* break the crosscert of the second signer's certificate */
  size_t k = 0;
  while (memcmp(certs[k]->v3ident, c->sigs[1].v3ident, 20) != 0)
    k++;
  certs[k]->crosscert[7] ^= 0x01;
  ck_assert_int_eq(authcert_check(certs[k], ex.capture_time), AUTHCERT_BAD_CROSSCERT);
  ck_assert_int_eq(verify(c, certs, n_certs, ex.capture_time, &v), CONS_VERIFY_MISSING_CERTS);
  ck_assert_uint_eq(v.n_missing, 1);
  ck_assert(memcmp(v.missing[0], certs[k]->v3ident, 20) == 0);
  consensus_free(c);
  free(t);
}
END_TEST

START_TEST(test_malformed)
{
  static const struct { const char *from, *to; } cases[] = {
    { "network-status-version 3 microdesc", "network-status-version 3 microdexc" },
    { "vote-status consensus", "vote-status consensux" },
    { "valid-after 2026-11-30 11:02:17", "valid-after 2026-11-30 11:02:99" },
    { "valid-until 2026-11-30 11:02:37", "valid-until 2026-11-30 11:02:07" }, /* order */
    { "voting-delay 2 2", "voting-delay 2 x" },
    { "\nr relay1 ", "\nr relay_ " },
    { "127.0.0.1 42975 0\n", "127.0.0.1 42975 x\n" },
    { "127.0.0.1 42975 0\n", "127.0.0.1 72975 0\n" },
    { "\nm rS8c", "\nm rS8!" },
    { "\nm rS8c", "\nz rS8c" },            /* m missing */
    { "directory-footer\n", "directory-footex\n" },
    { "Wbd=3333", "Wbd=33x3" },
    { "known-flags", "known-flagz" },
    { "directory-signature sha256 E7", "directory-signature sha256 X7" },
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char *t = copy_n(cons_text, cons_len);
    char *at = strstr(t, cases[i].from);
    ck_assert_msg(at != NULL, "case %d", (int)i);
    ck_assert_uint_eq(strlen(cases[i].from), strlen(cases[i].to));
    memcpy(at, cases[i].to, strlen(cases[i].to));
    consensus_t *c = (consensus_t *)1;
    char err[256];
    ck_assert_msg(consensus_parse(t, cons_len, &c, err, sizeof(err)) == -1, "case %d accepted",
                  (int)i);
    ck_assert_ptr_null(c);
    ck_assert(err[0] != '\0');
    free(t);
  }
  consensus_t *c;
  ck_assert_int_eq(consensus_parse("", 0, &c, NULL, 0), -1);
  /* truncated anywhere: refused, never crashes */
  for (size_t cut = 0; cut < cons_len; cut += 97) {
    if (consensus_parse(cons_text, cut, &c, NULL, 0) == 0) {
      /* only a cut after the last signature's object may still parse */
      ck_assert_uint_ge(cut, (size_t)(strstr(cons_text, "-----END SIGNATURE-----\n") - cons_text));
      consensus_free(c);
    }
  }
}
END_TEST

START_TEST(test_params_and_ipv6)
{
  /* a consensus edited to carry params and an IPv6 "a" line (unsigned: parse only) */
  char *t = NULL;
  const char *kf = strstr(cons_text, "recommended-client-protocols");
  char *head = copy_n(cons_text, (size_t)(kf - cons_text));
  forge_append(&t, head);
  forge_append(&t, "params circwindow=800 sendme_emit_min_version=1 neg=-5\n");
  const char *m = strstr(kf, "\nm ");
  char *mid = copy_n(kf, (size_t)(m - kf) + 1);
  forge_append(&t, mid);
  forge_append(&t, "a [2001:db8::1]:9001\na [2001:db8::2]:9002\nunknown-kw 1 2 3\n");
  forge_append(&t, m + 1);
  consensus_t *c = parse_ok(t, strlen(t));
  ck_assert_uint_eq(c->n_params, 3);
  ck_assert_int_eq(consensus_get_param(c, "circwindow", 1000, 100, 1000), 800);
  ck_assert_int_eq(consensus_get_param(c, "circwindow", 1000, 900, 1000), 900);
  ck_assert_int_eq(consensus_get_param(c, "neg", 0, -10, 10), -5);
  ck_assert_int_eq(consensus_get_param(c, "absent", 7, 0, 10), 7);
  const cons_router_t *r = &c->routers[0];
  ck_assert_int_eq(r->ipv6.family, NETADDR_IPV6);
  ck_assert(memcmp(r->ipv6.bytes, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16) == 0);
  ck_assert_int_eq(r->ipv6_port, 9001);
  consensus_free(c);
  free(t);
  free(head);
  free(mid);
}
END_TEST

START_TEST(test_flag_names)
{
  static const char *const names[] = { "Authority", "BadExit", "Exit", "Fast", "Guard", "HSDir",
                                       "MiddleOnly", "NoEdConsensus", "Running", "Stable",
                                       "StaleDesc", "Sybil", "V2Dir", "Valid" };
  for (size_t i = 0; i < 14; i++)
    ck_assert_uint_eq(consensus_flag_from_name(names[i], strlen(names[i])), 1u << i);
  ck_assert_uint_eq(consensus_flag_from_name("guard", 5), 0);
  ck_assert_uint_eq(consensus_flag_from_name("Guar", 4), 0);
  ck_assert_uint_eq(CONS_FLAG_VALID, 1u << 13);
  /* the directory layer copies the mask into node_t.flags as is */
  static const uint32_t cons[14] = {
    CONS_FLAG_AUTHORITY, CONS_FLAG_BADEXIT, CONS_FLAG_EXIT, CONS_FLAG_FAST, CONS_FLAG_GUARD,
    CONS_FLAG_HSDIR, CONS_FLAG_MIDDLEONLY, CONS_FLAG_NOEDCONSENSUS, CONS_FLAG_RUNNING,
    CONS_FLAG_STABLE, CONS_FLAG_STALEDESC, CONS_FLAG_SYBIL, CONS_FLAG_V2DIR, CONS_FLAG_VALID,
  };
  static const uint32_t node[14] = {
    NODE_FLAG_AUTHORITY, NODE_FLAG_BADEXIT, NODE_FLAG_EXIT, NODE_FLAG_FAST, NODE_FLAG_GUARD,
    NODE_FLAG_HSDIR, NODE_FLAG_MIDDLEONLY, NODE_FLAG_NOEDCONSENSUS, NODE_FLAG_RUNNING,
    NODE_FLAG_STABLE, NODE_FLAG_STALEDESC, NODE_FLAG_SYBIL, NODE_FLAG_V2DIR, NODE_FLAG_VALID,
  };
  for (size_t i = 0; i < 14; i++) {
    ck_assert_uint_eq(cons[i], node[i]);
    ck_assert_uint_eq(node_flag_from_name(names[i], strlen(names[i])), node[i]);
  }
}
END_TEST

/* Parse speed: the captured consensus with its router entries repeated (with
 * distinct identities) up to about 6 MB.  Prints MB/s; asserts only the
 * result, not the time. */
START_TEST(test_parse_speed)
{
  const char *r0 = strstr(cons_text, "\nr ") + 1;
  const char *foot = strstr(cons_text, "directory-footer\n");
  size_t entries_len = (size_t)(foot - r0);
  size_t target = 6u << 20, reps = target / entries_len + 1;
  size_t cap = (size_t)(r0 - cons_text) + reps * entries_len + strlen(foot) + 1;
  char *big = malloc(cap), *p = big;
  memcpy(p, cons_text, (size_t)(r0 - cons_text));
  p += r0 - cons_text;
  for (size_t k = 0; k < reps; k++) {
    memcpy(p, r0, entries_len);
    /* vary the first identity character of each entry: still 27 base64 chars */
    for (char *q = p; q < p + entries_len; q++)
      if (q[0] == '\n' && q[1] == 'r' && q[2] == ' ')
        q[3 + strcspn(q + 3, " ") + 1] = "ABCDEFGHIJKLMNOP"[k % 16];
    p += entries_len;
  }
  strcpy(p, foot);
  size_t len = strlen(big);
  double dt = 1e9, cpu = 1e9;
  consensus_t *c = NULL;
  for (int run = 0; run < 5; run++) { /* the best of 5: the machine is shared */
    consensus_free(c);
    double t0 = testutil_now();
    clock_t c0 = clock();
    c = parse_ok(big, len);
    double t = testutil_now() - t0, tc = (double)(clock() - c0) / CLOCKS_PER_SEC;
    dt = t < dt ? t : dt;
    cpu = tc < cpu ? tc : cpu;
  }
  ck_assert_uint_eq(c->n_routers, reps * ex.n_nodes);
  printf("consensus parse: %.2f MB, %zu routers in %.1f ms = %.1f ms/MB (CPU %.1f ms/MB)\n",
         (double)len / 1e6, c->n_routers, dt * 1e3, dt * 1e3 / ((double)len / 1e6),
         cpu * 1e3 / ((double)len / 1e6));
  consensus_free(c);
  free(big);
}
END_TEST

/* arti's chutney consensus and certificates (tests/vectors/dir/arti/): an
 * independent producer (tor 0.3.5, consensus method 28). */
START_TEST(test_arti_consensus)
{
  static const char *const names[3] = { "arti/cert-5696.txt", "arti/cert-5A23.txt",
                                        "arti/cert-7C47.txt" };
  const int64_t now = 1596804165; /* 2020-08-07 12:42:45, arti's test time */
  authcert_t *ac[3];
  uint8_t ids[3][20];
  for (int i = 0; i < 3; i++) {
    size_t len, used;
    char *t = dirvec_read(names[i], &len);
    ck_assert_int_eq(authcert_parse(t, len, &ac[i], &used), AUTHCERT_OK);
    ck_assert_int_eq(authcert_check(ac[i], now), AUTHCERT_OK);
    free(t);
  }
  ck_assert_int_eq(testutil_unhex("5696AB38CB3852AFA476A5C07B2D4788963D5567", ids[0], 20), 20);
  ck_assert_int_eq(testutil_unhex("5A23BA701776C9C1AB1C06E734E92AB3D5350D64", ids[1], 20), 20);
  ck_assert_int_eq(testutil_unhex("7C47DCB4A90E2C2B7C7AD27BD641D038CF5D7EBE", ids[2], 20), 20);
  for (int i = 0; i < 3; i++)
    ck_assert(memcmp(ac[i]->v3ident, ids[i], 20) == 0);
  size_t len;
  char *t = dirvec_read("arti/mdconsensus1.txt", &len);
  consensus_t *c = parse_ok(t, len);
  ck_assert_uint_eq(c->consensus_method, 28);
  ck_assert_uint_eq(c->n_routers, 6);
  ck_assert_str_eq(c->routers[0].nickname, "test002a");
  ck_assert_int_eq(c->routers[0].or_port, 5002);
  ck_assert_int_eq(c->routers[0].dir_port, 7002);
  ck_assert_int_eq(c->routers[0].ipv6.family, NETADDR_IPV6);
  ck_assert(memcmp(c->routers[0].ipv6.bytes, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16) == 0);
  ck_assert_int_eq(c->routers[0].ipv6_port, 5002);
  ck_assert_uint_eq(c->routers[0].flags & (CONS_FLAG_AUTHORITY | CONS_FLAG_EXIT),
                    CONS_FLAG_AUTHORITY | CONS_FLAG_EXIT);
  ck_assert_uint_eq(c->routers[1].flags & CONS_FLAG_AUTHORITY, 0);
  consensus_verify_t v;
  /* arti's configuration: two authorities; the third signer is unknown */
  ck_assert_int_eq(consensus_verify(c, (const uint8_t (*)[20])ids, 2, ac, 3, now, &v),
                   CONS_VERIFY_OK);
  ck_assert_uint_eq(v.n_good, 2);
  ck_assert_uint_eq(v.n_unknown, 1);
  ck_assert_int_eq(consensus_verify(c, (const uint8_t (*)[20])ids, 3, ac, 3, now, &v),
                   CONS_VERIFY_OK);
  ck_assert_uint_eq(v.n_good, 3);
  /* without the certificates arti starts from, it asks for the same two */
  ck_assert_int_eq(consensus_verify(c, (const uint8_t (*)[20])ids, 2, &ac[2], 1, now, &v),
                   CONS_VERIFY_MISSING_CERTS);
  ck_assert_uint_eq(v.n_missing, 2);
  consensus_free(c);
  free(t);
  for (int i = 0; i < 3; i++)
    authcert_free(ac[i]);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("proto_netdoc_consensus");
  const testutil_case_t cases[] = {
    { "header", test_header, 30 },
    { "routers", test_routers, 30 },
    { "verify_ok_and_times", test_verify_ok_and_times, 30 },
    { "bad_signature", test_bad_signature, 30 },
    { "too_few_signatures", test_too_few_signatures, 30 },
    { "missing_certs", test_missing_certs, 30 },
    { "unknown_authority", test_unknown_authority, 60 },
    { "broken_crosscert_cert", test_broken_crosscert_cert, 30 },
    { "malformed", test_malformed, 60 },
    { "params_and_ipv6", test_params_and_ipv6, 30 },
    { "flag_names", test_flag_names, 10 },
    { "arti_consensus", test_arti_consensus, 30 },
    { "parse_speed", test_parse_speed, 120 },
  };
  testutil_add_cases(s, cases, sizeof(cases) / sizeof(cases[0]), setup, teardown);
  return s;
}
