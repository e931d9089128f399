/* test_authcert.c — authority key certificates: the 3 certificates captured
 * from tor 0.4.9.11 (tests/vectors/dir/keys-all) verify; altered ones are
 * refused with the specific reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dirvec.h"
#include "forge.h"
#include "proto/netdoc/authcert.h"
#include "proto/netdoc/netdoc.h"
#include "testutil.h"

static dirvec_expected_t ex;
static char *keys;
static size_t keys_len;

static void
setup(void)
{
  dirvec_load_expected(&ex);
  keys = dirvec_read("keys-all", &keys_len);
}

static void
teardown(void)
{
  free(keys);
}

/* A copy of the first certificate of keys-all (NUL-terminated, malloc'd). */
static char *
first_cert(size_t *len)
{
  const char *end = strstr(keys, "-----END SIGNATURE-----\n");
  ck_assert_ptr_nonnull(end);
  *len = (size_t)(end - keys) + strlen("-----END SIGNATURE-----\n");
  char *c = malloc(*len + 1);
  memcpy(c, keys, *len);
  c[*len] = '\0';
  return c;
}

static authcert_result_t
parse_check(const char *text, int64_t now, authcert_result_t *parse_result)
{
  authcert_t *c = NULL;
  size_t used = 0;
  authcert_result_t r = authcert_parse(text, strlen(text), &c, &used);
  *parse_result = r;
  if (r != AUTHCERT_OK) {
    ck_assert_ptr_null(c);
    return r;
  }
  r = authcert_check(c, now);
  authcert_free(c);
  return r;
}

START_TEST(test_real_certs)
{
  authcert_t **certs = NULL;
  size_t n = 0;
  ck_assert_int_eq(authcert_parse_all(keys, keys_len, &certs, &n), AUTHCERT_OK);
  ck_assert_uint_eq(n, 3);
  ck_assert_uint_eq(ex.n_auth, 3);
  for (size_t i = 0; i < n; i++) {
    const authcert_t *c = certs[i];
    ck_assert_int_eq(authcert_check(c, ex.capture_time), AUTHCERT_OK);
    /* the v3ident is one of the authorities' (from tor-gencert's files) */
    const dirvec_node_t *auth = NULL;
    for (size_t k = 0; k < ex.n_nodes; k++)
      if (ex.nodes[k].has_v3ident && memcmp(ex.nodes[k].v3ident, c->v3ident, 20) == 0)
        auth = &ex.nodes[k];
    ck_assert_ptr_nonnull(auth);
    ck_assert(c->has_address);
    ck_assert_int_eq(c->address.family, NETADDR_IPV4);
    ck_assert(memcmp(c->address.bytes, "\x7f\x00\x00\x01", 4) == 0);
    ck_assert_int_eq(c->dir_port, auth->dir_port);
    ck_assert_int_ge(crypto_rsa_bits(c->identity_key), 3072);
    ck_assert(c->published <= ex.capture_time && c->published > ex.capture_time - 3600);
    /* tor-gencert -m 12: twelve months */
    ck_assert(c->expires - c->published >= 365 * 86400 && c->expires - c->published <= 366 * 86400);
    ck_assert(c->text_len > 0 && strncmp(c->text, "dir-key-certificate-version 3\n", 30) == 0);
    ck_assert(strstr(keys, c->text) != NULL);
  }
  /* the first one, dated from the fixture: 2026-11-30 11:02:07 .. 2027-11-30 11:02:07 */
  ck_assert(certs[0]->published == 1796036527);
  ck_assert(certs[0]->expires == 1827572527);
  authcert_free_all(certs, n);
}
END_TEST

START_TEST(test_parse_one_consumed)
{
  authcert_t *c = NULL;
  size_t used = 0, len1;
  char *one = first_cert(&len1);
  ck_assert_int_eq(authcert_parse(keys, keys_len, &c, &used), AUTHCERT_OK);
  ck_assert_uint_eq(used, len1);
  ck_assert_uint_eq(c->text_len, len1);
  authcert_free(c);
  /* leading blank lines are fine */
  char *padded = NULL;
  forge_append(&padded, "\n\n");
  forge_append(&padded, one);
  ck_assert_int_eq(authcert_parse(padded, strlen(padded), &c, &used), AUTHCERT_OK);
  ck_assert_uint_eq(used, len1 + 2);
  authcert_free(c);
  free(padded);
  free(one);
}
END_TEST

START_TEST(test_times)
{
  authcert_t *c = NULL;
  size_t used;
  ck_assert_int_eq(authcert_parse(keys, keys_len, &c, &used), AUTHCERT_OK);
  ck_assert_int_eq(authcert_check(c, c->expires), AUTHCERT_OK);
  ck_assert_int_eq(authcert_check(c, c->expires + 1), AUTHCERT_EXPIRED);
  ck_assert_int_eq(authcert_check(c, ex.capture_time + 400 * 86400), AUTHCERT_EXPIRED);
  ck_assert_int_eq(authcert_check(c, c->published - AUTHCERT_PUBLISHED_SKEW), AUTHCERT_OK);
  ck_assert_int_eq(authcert_check(c, c->published - AUTHCERT_PUBLISHED_SKEW - 1),
                   AUTHCERT_NOT_YET_VALID);
  authcert_free(c);
}
END_TEST

/* Replace the first occurrence of from (after the start of the line `after`)
 * in a copy of the first certificate. */
static char *
altered(const char *after, const char *from, const char *to)
{
  size_t len;
  char *c = first_cert(&len);
  char *at = strstr(c, after);
  ck_assert_ptr_nonnull(at);
  at = strstr(at, from);
  ck_assert_ptr_nonnull(at);
  ck_assert_uint_eq(strlen(from), strlen(to));
  memcpy(at, to, strlen(to));
  return c;
}

START_TEST(test_bad_certification)
{
  /* one byte of the certified text: the dir-address port */
  char *c = altered("dir-address", "127.0.0.1:", "127.0.0.2:");
  authcert_result_t pr;
  ck_assert_int_eq(parse_check(c, ex.capture_time, &pr), AUTHCERT_BAD_CERTIFICATION);
  ck_assert_int_eq(pr, AUTHCERT_OK);
  free(c);
  /* one byte of the certification signature */
  size_t len;
  c = first_cert(&len);
  char *sig = strstr(strstr(c, "dir-key-certification\n"), "-----\n") + 6;
  sig[10] = sig[10] == 'A' ? 'B' : 'A';
  ck_assert_int_eq(parse_check(c, ex.capture_time, &pr), AUTHCERT_BAD_CERTIFICATION);
  free(c);
}
END_TEST

START_TEST(test_bad_crosscert)
{
  size_t len;
  char *c = first_cert(&len);
  char *sig = strstr(strstr(c, "dir-key-crosscert\n"), "-----\n") + 6;
  sig[20] = sig[20] == 'A' ? 'B' : 'A';
  authcert_result_t pr;
  /* checked before the certification (which covers it too) */
  ck_assert_int_eq(parse_check(c, ex.capture_time, &pr), AUTHCERT_BAD_CROSSCERT);
  ck_assert_int_eq(pr, AUTHCERT_OK);
  free(c);
}
END_TEST

START_TEST(test_bad_fingerprint)
{
  size_t len;
  char *c = first_cert(&len);
  char *fp = strstr(c, "fingerprint ") + strlen("fingerprint ");
  fp[5] = fp[5] == '0' ? '1' : '0';
  authcert_result_t pr;
  ck_assert_int_eq(parse_check(c, ex.capture_time, &pr), AUTHCERT_BAD_FINGERPRINT);
  free(c);
}
END_TEST

START_TEST(test_malformed)
{
  static const struct { const char *after, *from, *to; } cases[] = {
    { "dir-key-certificate-version", "version 3", "version 4" },
    { "dir-key-published", "2026-11-30", "2026-11-31" },
    { "dir-signing-key", "dir-signing-key", "dir-signing-kez" },   /* missing */
    { "dir-key-crosscert", "dir-key-crosscert", "dir-key-crosscerx" },
    { "fingerprint", "fingerprint", "fingerprinX" },
    { "dir-identity-key\n", "RSA PUBLIC KEY-----\nMII", "RSA PUBLIC KEY-----\nAII" },
    { "dir-key-certification\n", "BEGIN SIGNATURE", "BEGIN SIGNATURX" }, /* END mismatch */
    { "dir-address", "127.0.0.1:", "127.0.0.1x" },
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char *c = altered(cases[i].after, cases[i].from, cases[i].to);
    authcert_result_t pr;
    ck_assert_msg(parse_check(c, ex.capture_time, &pr) == AUTHCERT_MALFORMED, "case %d", (int)i);
    free(c);
  }
  authcert_t *c = NULL;
  size_t used;
  ck_assert_int_eq(authcert_parse("", 0, &c, &used), AUTHCERT_MALFORMED);
  ck_assert_int_eq(authcert_parse("hello world\n", 12, &c, &used), AUTHCERT_MALFORMED);
  /* truncated: no certification */
  size_t len;
  char *one = first_cert(&len);
  *strstr(one, "dir-key-certification") = '\0';
  ck_assert_int_eq(authcert_parse(one, strlen(one), &c, &used), AUTHCERT_MALFORMED);
  ck_assert_ptr_null(c);
  free(one);
  /* a list with one bad certificate is refused as a whole */
  char *list = malloc(keys_len + 1);
  memcpy(list, keys, keys_len + 1);
  char *third = strstr(strstr(strstr(list, "fingerprint ") + 1, "fingerprint ") + 1, "fingerprint ");
  third[12] = third[12] == '0' ? '1' : '0';
  authcert_t **all = NULL;
  size_t n = 9;
  ck_assert_int_eq(authcert_parse_all(list, keys_len, &all, &n), AUTHCERT_BAD_FINGERPRINT);
  ck_assert_ptr_null(all);
  ck_assert_uint_eq(n, 0);
  free(list);
  ck_assert_int_eq(authcert_parse_all("", 0, &all, &n), AUTHCERT_MALFORMED);
  ck_assert_str_eq(authcert_result_to_string(AUTHCERT_BAD_CROSSCERT),
                   "bad dir-key-crosscert signature");
}
END_TEST

/* Certificates made here with fresh keys parse and verify (so that the
 * consensus tests can use them), and a crosscert by the wrong key fails. */
START_TEST(test_forged_cert)
{
  crypto_rsa_t *id = crypto_rsa_generate(2048), *sk = crypto_rsa_generate(1024);
  crypto_rsa_t *other = crypto_rsa_generate(1024);
  char *text = forge_authcert(id, sk, 1796000000, 1796000000 + 86400);
  authcert_t *c = NULL;
  size_t used;
  ck_assert_int_eq(authcert_parse(text, strlen(text), &c, &used), AUTHCERT_OK);
  ck_assert_uint_eq(used, strlen(text));
  ck_assert_int_eq(authcert_check(c, 1796000000), AUTHCERT_OK);
  ck_assert_int_eq(authcert_check(c, 1796000000 + 86401), AUTHCERT_EXPIRED);
  ck_assert(crypto_rsa_public_eq(c->signing_key, sk));
  ck_assert(!c->has_address);
  authcert_free(c);
  free(text);
  /* a crosscert made by another key, under a valid certification */
  text = forge_authcert_ex(id, sk, other, 1796000000, 1796000000 + 86400);
  authcert_result_t pr;
  ck_assert_int_eq(parse_check(text, 1796000000, &pr), AUTHCERT_BAD_CROSSCERT);
  ck_assert_int_eq(pr, AUTHCERT_OK);
  free(text);
  crypto_rsa_free(id);
  crypto_rsa_free(sk);
  crypto_rsa_free(other);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("proto_netdoc_authcert");
  const testutil_case_t cases[] = {
    { "real_certs", test_real_certs, 30 },
    { "parse_one_consumed", test_parse_one_consumed, 30 },
    { "times", test_times, 30 },
    { "bad_certification", test_bad_certification, 30 },
    { "bad_crosscert", test_bad_crosscert, 30 },
    { "bad_fingerprint", test_bad_fingerprint, 30 },
    { "malformed", test_malformed, 30 },
    { "forged_cert", test_forged_cert, 60 },
  };
  testutil_add_cases(s, cases, sizeof(cases) / sizeof(cases[0]), setup, teardown);
  return s;
}
