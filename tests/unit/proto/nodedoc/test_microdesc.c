/* test_microdesc.c — splitting, digesting and parsing microdescriptors.
 *
 * Vectors:
 *  - tests/vectors/dir/{microdescs,consensus-microdesc,expected.json}: a live
 *    tor 0.4.9.11 test network (see that folder's README): every digest must
 *    be a consensus "m" line, and ntor keys / ed25519 ids must equal what the
 *    harness read from the relays' own key files;
 *  - the exit1 microdescriptor and its "m" line from docs/protocol-scope.md
 *    (appendix; a 0.4.9.11 network of 2026-11-29);
 *  - arti's crates/tor-netdoc/testdata/microdesc3.txt, microdesc4.txt and
 *    bad-mds/wrong-id (github.com/zydou/arti, a mirror of torproject/arti;
 *    commits 023d61c7, dfca319a, 42d6d02f).
 * Expected digests and decoded keys were computed with Python's hashlib and
 * base64 modules, not with this code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/netdoc/consensus.h"
#include "proto/netdoc/netdoc.h"
#include "proto/nodedoc/microdesc.h"
#include "testutil.h"

static char *
read_file(const char *rel, size_t *len)
{
  char path[1024];
  snprintf(path, sizeof(path), "%s/%s", EVONION_SOURCE_ROOT, rel);
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
  buf[n] = '\0';
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static void
unhex32(const char *hex, uint8_t out[32])
{
  ck_assert_int_eq(testutil_unhex(hex, out, 32), 32);
}

static void
b64_32(const char *b64, uint8_t out[32])
{
  ck_assert_int_eq(netdoc_base64_decode_exact(b64, strlen(b64), out, 32), 0);
}

static const char EXIT1_MD[] =
  "onion-key\n"
  "-----BEGIN RSA PUBLIC KEY-----\n"
  "MIGJAoGBALYD5MT7QMHlXmc7qM1o6LYGnMSaJ/icI9aaH5Xr+r8+S6OOQ+cyxvFw\n"
  "0YMHESqe8+Uyg8P0Uxn7GkLE99x9pfC/dnKl0l68/SMvlyQz/HiaHywCUJSKl336\n"
  "OFdubhg8MovV1CTTpNGePVQn1lD+tbYvwYAJSji5n+qkh5HbYHCHAgMBAAE=\n"
  "-----END RSA PUBLIC KEY-----\n"
  "ntor-onion-key nogGHFcclQ7feQtg+N7Eg1KYnUtWgcVS9ictznudiW4\n"
  "p accept 1-65535\n"
  "id ed25519 M0Dw+Nju2m3J6rHmH9NKBxmVK5UYGo0F4DhzlxsJoZA\n";
static const char EXIT1_M[] = "2UfWaQeHQ7nfvIBbFIEY61NcKA29esbgPxzasDBJrbE";

START_TEST(test_exit1_known_answer)
{
  const char *err = "unset";
  microdesc_t *md = microdesc_parse_one(EXIT1_MD, sizeof(EXIT1_MD) - 1, &err);
  ck_assert_ptr_nonnull(md);
  ck_assert_ptr_null(err);
  uint8_t want[32];
  b64_32(EXIT1_M, want);
  ck_assert_int_eq(memcmp(md->digest, want, 32), 0);
  unhex32("9e88061c571c950edf790b60f8dec48352989d4b5681c552f6272dce7b9d896e", want);
  ck_assert_int_eq(memcmp(md->ntor_key, want, 32), 0);
  ck_assert_int_eq(md->has_ed25519_id, 1);
  unhex32("3340f0f8d8eeda6dc9eab1e61fd34a0719952b95181a8d05e03873971b09a190", want);
  ck_assert_int_eq(memcmp(md->ed25519_id, want, 32), 0);
  ck_assert_int_eq(md->has_tap_key, 1);
  ck_assert_int_eq(md->bad_policy, 0);
  ck_assert_int_eq(policy_summary_allows_port(md->policy, 80), 1);
  ck_assert_int_eq(policy_summary_allows_port(md->policy, 1), 1);
  ck_assert_int_eq(policy_summary_allows_any(md->policy6), 0); /* no p6: reject-all */
  ck_assert_uint_eq(md->n_family, 0);
  ck_assert_uint_eq(md->offset, 0);
  ck_assert_uint_eq(md->len, sizeof(EXIT1_MD) - 1);
  microdesc_free(md);

  /* one changed byte changes the digest */
  char *copy = strdup(EXIT1_MD);
  copy[strlen(copy) - 2] ^= 1;
  md = microdesc_parse_one(copy, strlen(copy), NULL);
  b64_32(EXIT1_M, want);
  ck_assert(md == NULL || memcmp(md->digest, want, 32) != 0);
  microdesc_free(md);
  free(copy);

  char path[64];
  const uint8_t (*d)[32] = (const uint8_t (*)[32])want;
  ck_assert_int_eq(microdesc_build_path(d, 1, path, sizeof(path)), 13 + 43);
  ck_assert_str_eq(path, "/tor/micro/d/2UfWaQeHQ7nfvIBbFIEY61NcKA29esbgPxzasDBJrbE");
}
END_TEST

/* The value of "key": "value" in line, or NULL. */
static const char *
json_str(const char *line, const char *key, char *out, size_t outlen)
{
  char pat[64];
  snprintf(pat, sizeof(pat), "\"%s\": \"", key);
  const char *p = strstr(line, pat);
  if (!p)
    return NULL;
  p += strlen(pat);
  const char *e = strchr(p, '"');
  ck_assert_ptr_nonnull(e);
  snprintf(out, outlen, "%.*s", (int)(e - p), p);
  return out;
}

/* For each node of expected.json: its md (via the consensus "r" and "m"
 * lines) has the ntor key and ed25519 id that the relay's key files hold,
 * and a policy that matches is_exit. */
static size_t
check_expected_nodes(const consensus_t *c, const microdesc_list_t *l)
{
  size_t len, n_checked = 0;
  char *json = read_file("tests/vectors/dir/expected.json", &len);
  char fp[64] = "", ntor[64] = "", ed[64] = "";
  int is_exit = -1;
  for (char *line = strtok(json, "\n"); line; line = strtok(NULL, "\n")) {
    char tmp[64];
    if (json_str(line, "fingerprint", tmp, sizeof(tmp)))
      snprintf(fp, sizeof(fp), "%s", tmp);
    if (json_str(line, "ntor_onion_key", tmp, sizeof(tmp)))
      snprintf(ntor, sizeof(ntor), "%s", tmp);
    if (json_str(line, "ed25519_id", tmp, sizeof(tmp)))
      snprintf(ed, sizeof(ed), "%s", tmp);
    if (strstr(line, "\"is_exit\": true"))
      is_exit = 1;
    if (strstr(line, "\"is_exit\": false"))
      is_exit = 0;
    if (!strchr(line, '}') || !fp[0])
      continue;
    uint8_t rsa_id[20], want[32];
    ck_assert_int_eq(netdoc_hex_decode(fp, strlen(fp), rsa_id, 20), 0);
    const cons_router_t *r = consensus_find_router(c, rsa_id);
    ck_assert_msg(r != NULL, "relay %s not in the consensus", fp);
    const microdesc_t *md = NULL;
    for (size_t i = 0; i < l->n_mds; i++)
      if (!memcmp(l->mds[i]->digest, r->md_digest, 32))
        md = l->mds[i];
    ck_assert_msg(md != NULL, "no microdescriptor for %s", fp);
    b64_32(ntor, want);
    ck_assert_int_eq(memcmp(md->ntor_key, want, 32), 0);
    b64_32(ed, want);
    ck_assert_int_eq(md->has_ed25519_id, 1);
    ck_assert_int_eq(memcmp(md->ed25519_id, want, 32), 0);
    ck_assert_int_ge(is_exit, 0);
    ck_assert_int_eq(policy_summary_allows_port(md->policy, 443), is_exit);
    ck_assert_int_eq(policy_summary_allows_any(md->policy), is_exit);
    n_checked++;
    fp[0] = ntor[0] = ed[0] = '\0';
    is_exit = -1;
  }
  free(json);
  return n_checked;
}

START_TEST(test_live_fixtures)
{
  size_t mlen, clen;
  char *mds = read_file("tests/vectors/dir/microdescs", &mlen);
  char *cons_text = read_file("tests/vectors/dir/consensus-microdesc", &clen);
  consensus_t *c = NULL;
  char err[256];
  ck_assert_msg(consensus_parse(cons_text, clen, &c, err, sizeof(err)) == 0, "%s", err);

  microdesc_list_t l;
  ck_assert_int_eq(microdesc_parse_all(mds, mlen, &l), 0);
  ck_assert_uint_eq(l.n_invalid, 0);
  ck_assert_uint_eq(l.n_garbage, 0);
  ck_assert_uint_eq(l.n_mds, c->n_routers);
  ck_assert_uint_ge(l.n_mds, 7);

  /* every md's digest is an "m" line and every "m" line has its md */
  uint8_t (*wanted)[32] = calloc(c->n_routers, 32);
  for (size_t i = 0; i < c->n_routers; i++)
    memcpy(wanted[i], c->routers[i].md_digest, 32);
  uint8_t *found = calloc(c->n_routers, 1);
  ck_assert_uint_eq(microdesc_list_match(&l, (const uint8_t (*)[32])wanted, c->n_routers, found),
                    c->n_routers);
  for (size_t i = 0; i < c->n_routers; i++)
    ck_assert_int_eq(found[i], 1);
  size_t covered = 0;
  for (size_t i = 0; i < l.n_mds; i++) {
    ck_assert_int_eq(l.mds[i]->match, MICRODESC_WANTED);
    ck_assert_int_eq(l.mds[i]->bad_policy, 0);
    covered += l.mds[i]->len;
    /* the span starts with onion-key and the spans tile the input */
    ck_assert_int_eq(strncmp(mds + l.mds[i]->offset, "onion-key\n", 10), 0);
    if (i + 1 < l.n_mds)
      ck_assert_uint_eq(l.mds[i]->offset + l.mds[i]->len, l.mds[i + 1]->offset);
  }
  ck_assert_uint_eq(covered, mlen);
  ck_assert_uint_eq(microdesc_list_keep_wanted(&l), 0);

  ck_assert_uint_eq(check_expected_nodes(c, &l), c->n_routers);

  /* the request path for all of them has every digest, '-'-separated */
  char path[4096];
  int n = microdesc_build_path((const uint8_t (*)[32])wanted, c->n_routers, path, sizeof(path));
  ck_assert_int_eq(n, (int)(13 + 43 * c->n_routers + (c->n_routers - 1)));

  free(found);
  free(wanted);
  microdesc_list_clear(&l);
  consensus_free(c);
  free(cons_text);
  free(mds);
}
END_TEST

static const char ARTI_MD3[] =
  "onion-key\n"
  "ntor-onion-key AppBt6CSeb1kKid/36ototmFA24ddfW5JpjWPLuoJgs=\n"
  "id ed25519 VGhpcyBpc24ndCBhY3R1YWxseSBhIHB1YmxpYyBrZXk\n";
static const char ARTI_MD4[] =
  "onion-key\n"
  "ntor-onion-key VHlycmFueSwgbGlrZSBoZWxsLCBpcyBub3QgZWFzaWw\n"
  "id ed25519 eSBjb25xdWVyZWQ7IHlldCB3ZSBoYXZlIHRoaXMgY28\n"
  "family-ids\n"
  "onion-key\n"
  "ntor-onion-key bnNvbGF0aW9uIHdpdGggdXMsIHRoYXQgdGhlIGhhcmQ\n"
  "id ed25519 ZXIgdGhlIGNvbmZsaWN0LCB0aGUgbW9yZSBnbG9yaW8\n"
  "family-ids ed25519:dXMgdGhlIHRyaXVtcGguICAgIC1UaG9tYXMgUGFpbmU other:Example\n";
static const char ARTI_WRONG_ID[] =
  "onion-key\n"
  "-----BEGIN RSA PUBLIC KEY-----\n"
  "MIGJAoGBANhtnxQfS5GA9vga2NDM9OHN3bdDMd4HE2M39WGedt7dHuiopkKd4fxb\n"
  "0NVmEEyNJAbkBErgetsjUVL54TxYi8D9/3WVeRLDJBALH7QBFgJd/ADSe6AYySXr\n"
  "UTk4Rw04j8VbkRi2QaSa25mSbOty0tHJ1fSGntH092J0mDkADFQ3AgMBAAE=\n"
  "-----END RSA PUBLIC KEY-----\n"
  "ntor-onion-key /fws6MoOl8/n43vQitjj7sIMUwsDIHK9SC5C1NvMS10\n"
  "id explodo hgncrBuwMLKGDCCnpwzeiJ+kXohhfI2mKBqplig1QXQ\n";

START_TEST(test_arti_vectors)
{
  uint8_t want[32];
  /* microdesc3: padded ntor key, no TAP key */
  microdesc_t *md = microdesc_parse_one(ARTI_MD3, sizeof(ARTI_MD3) - 1, NULL);
  ck_assert_ptr_nonnull(md);
  ck_assert_int_eq(md->has_tap_key, 0);
  unhex32("029a41b7a09279bd642a277fdfaa2da2d985036e1d75f5b92698d63cbba8260b", want);
  ck_assert_int_eq(memcmp(md->ntor_key, want, 32), 0);
  ck_assert_int_eq(memcmp(md->ed25519_id, "This isn't actually a public key", 32), 0);
  ck_assert_int_eq(policy_summary_allows_any(md->policy), 0); /* no p: reject-all */
  microdesc_free(md);

  /* microdesc4: two mds without TAP keys, family-ids empty and with two ids */
  microdesc_list_t l;
  ck_assert_int_eq(microdesc_parse_all(ARTI_MD4, sizeof(ARTI_MD4) - 1, &l), 0);
  ck_assert_uint_eq(l.n_mds, 2);
  ck_assert_uint_eq(l.n_invalid, 0);
  unhex32("11098db4793ca86ec4398f7184ae96517ac6d4e2b94fdf87e0da9c6cefecd50f", want);
  ck_assert_int_eq(memcmp(l.mds[0]->digest, want, 32), 0);
  unhex32("4ff9932b730793a17e679cc061a8364d079a2e12698b59a022b0a4c308e83df6", want);
  ck_assert_int_eq(memcmp(l.mds[1]->digest, want, 32), 0);
  ck_assert_int_eq(memcmp(l.mds[0]->ntor_key, "Tyrrany, like hell, is not easil", 32), 0);
  ck_assert_int_eq(memcmp(l.mds[0]->ed25519_id, "y conquered; yet we have this co", 32), 0);
  ck_assert_int_eq(memcmp(l.mds[1]->ntor_key, "nsolation with us, that the hard", 32), 0);
  ck_assert_int_eq(memcmp(l.mds[1]->ed25519_id, "er the conflict, the more glorio", 32), 0);
  ck_assert_uint_eq(l.mds[0]->n_family_ids, 0);
  ck_assert_uint_eq(l.mds[1]->n_family_ids, 2);
  ck_assert_str_eq(l.mds[1]->family_ids[0], "ed25519:dXMgdGhlIHRyaXVtcGguICAgIC1UaG9tYXMgUGFpbmU");
  ck_assert_str_eq(l.mds[1]->family_ids[1], "other:Example");
  ck_assert_uint_eq(l.mds[1]->offset, (size_t)(strstr(ARTI_MD4 + 1, "onion-key\n") - ARTI_MD4));
  ck_assert_uint_eq(l.mds[0]->len, l.mds[1]->offset);
  microdesc_list_clear(&l);

  /* wrong-id: an unknown id key type is ignored (dir-spec: MUST ignore);
   * arti refuses this md only because it requires an ed25519 id */
  md = microdesc_parse_one(ARTI_WRONG_ID, sizeof(ARTI_WRONG_ID) - 1, NULL);
  ck_assert_ptr_nonnull(md);
  ck_assert_int_eq(md->has_ed25519_id, 0);
  ck_assert_int_eq(md->has_tap_key, 1);
  microdesc_free(md);
}
END_TEST

#define NTOR_A "ntor-onion-key nogGHFcclQ7feQtg+N7Eg1KYnUtWgcVS9ictznudiW4\n"
#define ID_A "id ed25519 M0Dw+Nju2m3J6rHmH9NKBxmVK5UYGo0F4DhzlxsJoZA\n"

START_TEST(test_items)
{
  const char *s = "onion-key\n" NTOR_A
                  "family $0123456789ABCDEF0123456789ABCDEF01234567 friend\n"
                  "p reject 25,119,135-139\n"
                  "p6 accept 80,443\n"
                  "a [::1]:9001\n"
                  "id rsa1024 AAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
                  "some-future-item with args\n" ID_A;
  microdesc_t *md = microdesc_parse_one(s, strlen(s), NULL);
  ck_assert_ptr_nonnull(md);
  ck_assert_uint_eq(md->n_family, 2);
  ck_assert_str_eq(md->family[0], "$0123456789ABCDEF0123456789ABCDEF01234567");
  ck_assert_str_eq(md->family[1], "friend");
  ck_assert_int_eq(policy_summary_allows_port(md->policy, 25), 0);
  ck_assert_int_eq(policy_summary_allows_port(md->policy, 80), 1);
  ck_assert_int_eq(policy_summary_allows_port(md->policy6, 443), 1);
  ck_assert_int_eq(policy_summary_allows_port(md->policy6, 25), 0);
  ck_assert_int_eq(md->has_ed25519_id, 1);
  ck_assert_int_eq(md->bad_policy, 0);
  microdesc_free(md);

  /* a malformed summary is reject-all, flagged; the md stays */
  s = "onion-key\n" NTOR_A "p accept 80x\n" ID_A;
  md = microdesc_parse_one(s, strlen(s), NULL);
  ck_assert_ptr_nonnull(md);
  ck_assert_int_eq(md->bad_policy, 1);
  ck_assert_int_eq(policy_summary_allows_any(md->policy), 0);
  microdesc_free(md);
}
END_TEST

START_TEST(test_invalid_mds)
{
  static const char *bad[] = {
    "onion-key\n" ID_A,                                        /* no ntor key */
    "onion-key\n" NTOR_A NTOR_A,                               /* two ntor keys */
    "onion-key\nntor-onion-key AAAA\n",                        /* short ntor key */
    "onion-key\nntor-onion-key\n",                             /* no argument */
    "onion-key\nntor-onion-key nogGHFcclQ7feQtg+N7Eg1KYnUtWgcVS9ictznudiW4=\n"
    "id ed25519 M0Dw+Nju2m3J6rHmH9NKBxmVK5UYGo0F4DhzlxsJoZ\n", /* 31-byte id */
    "onion-key\n" NTOR_A ID_A ID_A,                            /* two ed25519 ids */
    "onion-key\n" NTOR_A "family a\nfamily b\n",                /* two families */
    "onion-key\n" NTOR_A "p accept 80\np accept 443\n",         /* two p lines */
    "onion-key\n" NTOR_A "p\n",                                /* p without a summary */
    NTOR_A "onion-key\n",                                      /* onion-key not first */
    "onion-key\n-----BEGIN ED25519 CERT-----\nAAAA\n-----END ED25519 CERT-----\n" NTOR_A,
    "onion-key\n" NTOR_A "-----BEGIN X-----\nAAAA\n-----END X-----\n", /* object on ntor */
    "onion-key\n" NTOR_A "!bad keyword\n",                     /* not a keyword */
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    const char *err = NULL;
    ck_assert_msg(microdesc_parse_one(bad[i], strlen(bad[i]), &err) == NULL, "accepted #%d",
                  (int)i);
    ck_assert_ptr_nonnull(err);
  }
  /* a padded ntor key is fine */
  const char *ok = "onion-key\nntor-onion-key nogGHFcclQ7feQtg+N7Eg1KYnUtWgcVS9ictznudiW4=\n";
  microdesc_t *md = microdesc_parse_one(ok, strlen(ok), NULL);
  ck_assert_ptr_nonnull(md);
  microdesc_free(md);
}
END_TEST

START_TEST(test_split_annotations_garbage)
{
  /* garbage, an annotated md, an invalid md, a valid md, blank lines */
  const char *in =
    "HTTP junk\n\n"
    "@last-listed 2026-11-30 11:02:18\n"
    "onion-key\n" NTOR_A "\n"
    "onion-key\n" ID_A
    "@last-listed 2026-11-30 11:02:18\n"
    "\n"
    "onion-key\n" NTOR_A ID_A
    "@annotation\nstray text\n";
  microdesc_list_t l;
  ck_assert_int_eq(microdesc_parse_all(in, strlen(in), &l), 0);
  ck_assert_uint_eq(l.n_mds, 2);
  ck_assert_uint_eq(l.n_invalid, 1);
  ck_assert_uint_eq(l.n_garbage, 2);
  /* md 0 spans its onion-key up to the next onion-key, blank line included */
  const char *md0 = strstr(in, "onion-key");
  ck_assert_uint_eq(l.mds[0]->offset, (size_t)(md0 - in));
  ck_assert_uint_eq(l.mds[0]->len, strlen("onion-key\n" NTOR_A "\n"));
  /* md 1 ends before the annotation */
  const char *md1 = strstr(in, "onion-key\n" NTOR_A ID_A);
  ck_assert_uint_eq(l.mds[1]->offset, (size_t)(md1 - in));
  ck_assert_uint_eq(l.mds[1]->len, strlen("onion-key\n" NTOR_A ID_A));
  /* the invalid md's digest is its span's */
  microdesc_t *tmp = microdesc_parse_one(EXIT1_MD, sizeof(EXIT1_MD) - 1, NULL);
  ck_assert(memcmp(l.invalid_digests[0], tmp->digest, 32) != 0);
  microdesc_free(tmp);
  microdesc_list_clear(&l);
  microdesc_list_clear(NULL);

  /* "onion-keyX" is not a start; empty input is empty */
  in = "onion-key\n" NTOR_A "onion-keys\n";
  ck_assert_int_eq(microdesc_parse_all(in, strlen(in), &l), 0);
  ck_assert_uint_eq(l.n_mds, 1);
  ck_assert_uint_eq(l.mds[0]->len, strlen(in));
  microdesc_list_clear(&l);
  ck_assert_int_eq(microdesc_parse_all("", 0, &l), 0);
  ck_assert_uint_eq(l.n_mds + l.n_invalid + l.n_garbage, 0);
  /* no final newline */
  in = "onion-key\n" NTOR_A "id ed25519 M0Dw+Nju2m3J6rHmH9NKBxmVK5UYGo0F4DhzlxsJoZA";
  ck_assert_int_eq(microdesc_parse_all(in, strlen(in), &l), 0);
  ck_assert_uint_eq(l.n_mds, 1);
  ck_assert_uint_eq(l.mds[0]->len, strlen(in));
  microdesc_list_clear(&l);
}
END_TEST

START_TEST(test_match)
{
  size_t n;
  const char *in = "onion-key\n" NTOR_A "p accept 1\n"
                   "onion-key\n" NTOR_A "p accept 2\n"
                   "onion-key\n" NTOR_A "p accept 1\n"  /* same bytes as the first */
                   "onion-key\n" NTOR_A "p accept 3\n";
  microdesc_list_t l;
  ck_assert_int_eq(microdesc_parse_all(in, strlen(in), &l), 0);
  ck_assert_uint_eq(l.n_mds, 4);
  ck_assert_int_eq(memcmp(l.mds[0]->digest, l.mds[2]->digest, 32), 0);
  /* asked for md 0 (twice), md 1, and one that never came */
  uint8_t wanted[4][32];
  memcpy(wanted[0], l.mds[1]->digest, 32);
  memset(wanted[1], 0x55, 32);
  memcpy(wanted[2], l.mds[0]->digest, 32);
  memcpy(wanted[3], l.mds[0]->digest, 32);
  uint8_t found[4];
  n = microdesc_list_match(&l, (const uint8_t (*)[32])wanted, 4, found);
  ck_assert_uint_eq(n, 2);
  ck_assert_int_eq(found[0], 1);
  ck_assert_int_eq(found[1], 0);
  ck_assert_int_eq(found[2], 1);
  ck_assert_int_eq(found[3], 1);
  ck_assert_int_eq(l.mds[0]->match, MICRODESC_WANTED);
  ck_assert_int_eq(l.mds[1]->match, MICRODESC_WANTED);
  ck_assert_int_eq(l.mds[2]->match, MICRODESC_DUPLICATE);
  ck_assert_int_eq(l.mds[3]->match, MICRODESC_UNWANTED);
  ck_assert_uint_eq(microdesc_list_keep_wanted(&l), 2);
  ck_assert_uint_eq(l.n_mds, 2);
  ck_assert_int_eq(policy_summary_allows_port(l.mds[0]->policy, 1), 1);
  ck_assert_int_eq(policy_summary_allows_port(l.mds[1]->policy, 2), 1);
  microdesc_t *md = microdesc_list_take(&l, 0);
  ck_assert_uint_eq(l.n_mds, 1);
  ck_assert_int_eq(policy_summary_allows_port(l.mds[0]->policy, 2), 1);
  ck_assert_ptr_null(microdesc_list_take(&l, 1));
  microdesc_free(md);
  /* nothing wanted: all unwanted */
  ck_assert_uint_eq(microdesc_list_match(&l, NULL, 0, NULL), 0);
  ck_assert_int_eq(l.mds[0]->match, MICRODESC_UNWANTED);
  microdesc_list_clear(&l);
}
END_TEST

START_TEST(test_caps)
{
  /* one md over MICRODESC_MAX_LEN: invalid (its digest listed) */
  size_t big = MICRODESC_MAX_LEN + 100;
  char *s = malloc(big + 1);
  size_t off = (size_t)sprintf(s, "onion-key\n" NTOR_A "family");
  while (off < big - 1)
    off += (size_t)sprintf(s + off, " x");
  s[off++] = '\n';
  s[off] = '\0';
  microdesc_list_t l;
  ck_assert_int_eq(microdesc_parse_all(s, off, &l), 0);
  ck_assert_uint_eq(l.n_mds, 0);
  ck_assert_uint_eq(l.n_invalid, 1);
  microdesc_list_clear(&l);
  free(s);

  /* MICRODESC_MAX_COUNT pieces pass, one more fails the whole input */
  size_t piece = strlen("onion-key\n");
  s = malloc(piece * (MICRODESC_MAX_COUNT + 1) + 1);
  for (size_t i = 0; i <= MICRODESC_MAX_COUNT; i++)
    memcpy(s + i * piece, "onion-key\n", piece);
  ck_assert_int_eq(microdesc_parse_all(s, piece * MICRODESC_MAX_COUNT, &l), 0);
  ck_assert_uint_eq(l.n_invalid, MICRODESC_MAX_COUNT);
  microdesc_list_clear(&l);
  ck_assert_int_eq(microdesc_parse_all(s, piece * (MICRODESC_MAX_COUNT + 1), &l), -1);
  ck_assert_uint_eq(l.n_mds + l.n_invalid, 0);
  ck_assert_ptr_null(l.invalid_digests);
  free(s);
}
END_TEST

START_TEST(test_build_path)
{
  uint8_t d[MICRODESC_MAX_PER_REQUEST + 1][32];
  memset(d, 0, sizeof(d));
  char buf[13 + 44 * (MICRODESC_MAX_PER_REQUEST + 1)];
  ck_assert_int_eq(microdesc_build_path((const uint8_t (*)[32])d, 2, buf, sizeof(buf)),
                   13 + 43 + 1 + 43);
  ck_assert_str_eq(buf, "/tor/micro/d/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-"
                        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  ck_assert_int_eq(microdesc_build_path((const uint8_t (*)[32])d, MICRODESC_MAX_PER_REQUEST, buf,
                                        sizeof(buf)), 13 + 44 * MICRODESC_MAX_PER_REQUEST - 1);
  ck_assert_int_eq(microdesc_build_path((const uint8_t (*)[32])d, MICRODESC_MAX_PER_REQUEST + 1,
                                        buf, sizeof(buf)), -1);
  ck_assert_int_eq(microdesc_build_path((const uint8_t (*)[32])d, 0, buf, sizeof(buf)), -1);
  ck_assert_int_eq(microdesc_build_path((const uint8_t (*)[32])d, 2, buf, 13 + 43 + 1 + 43), -1);
  ck_assert_int_eq(microdesc_build_path((const uint8_t (*)[32])d, 2, buf, 13 + 43 + 1 + 44),
                   13 + 43 + 1 + 43);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("proto_nodedoc_microdesc");
  TESTUTIL_ADD(s, test_exit1_known_answer, 30);
  TESTUTIL_ADD(s, test_live_fixtures, 30);
  TESTUTIL_ADD(s, test_arti_vectors, 30);
  TESTUTIL_ADD(s, test_items, 30);
  TESTUTIL_ADD(s, test_invalid_mds, 30);
  TESTUTIL_ADD(s, test_split_annotations_garbage, 30);
  TESTUTIL_ADD(s, test_match, 30);
  TESTUTIL_ADD(s, test_caps, 60);
  TESTUTIL_ADD(s, test_build_path, 30);
  return s;
}
