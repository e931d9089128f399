/* test_x509.c — X.509 creation (Tor-style identity and link certs), DER
 * round trip, signature checks, validity windows with slop, bad DER. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>

#include "lib/crypto/digest.h"
#include "lib/crypto/rsa.h"
#include "lib/crypto/x509.h"
#include "testutil.h"

static crypto_rsa_t *id_key, *link_key, *other_key;

static void
setup(void)
{
  id_key = crypto_rsa_generate(1024);
  link_key = crypto_rsa_generate(2048);
  other_key = crypto_rsa_generate(1024);
  ck_assert_ptr_nonnull(id_key);
  ck_assert_ptr_nonnull(link_key);
  ck_assert_ptr_nonnull(other_key);
}

static void
teardown(void)
{
  crypto_rsa_free(id_key);
  crypto_rsa_free(link_key);
  crypto_rsa_free(other_key);
}

START_TEST(test_x509_create_parse_check)
{
  time_t now = time(NULL);
  /* Self-signed identity cert (CERTS type 2) and a link cert (type 1). */
  crypto_x509_t *idc = crypto_x509_create(id_key, id_key, "www.abcdefgh.net",
                                          "www.abcdefgh.net", now - 86400, now + 86400 * 365);
  crypto_x509_t *lc = crypto_x509_create(link_key, id_key, "www.ijklmnop.com",
                                         "www.abcdefgh.net", now - 86400, now + 86400 * 2);
  ck_assert_ptr_nonnull(idc);
  ck_assert_ptr_nonnull(lc);

  size_t n;
  const uint8_t *der = crypto_x509_der(lc, &n);
  ck_assert_uint_gt(n, 100);
  crypto_x509_t *parsed = crypto_x509_from_der(der, n);
  ck_assert_ptr_nonnull(parsed);
  size_t n2;
  const uint8_t *der2 = crypto_x509_der(parsed, &n2);
  ck_assert_uint_eq(n, n2);
  ck_assert_mem_eq(der, der2, n);

  uint8_t d1[32], d2[32];
  ck_assert_int_eq(crypto_x509_digest_sha256(parsed, d1), 0);
  crypto_sha256(der, n, d2);
  ck_assert_mem_eq(d1, d2, 32);

  crypto_rsa_t *k = crypto_x509_get_rsa(parsed);
  ck_assert_ptr_nonnull(k);
  ck_assert_int_eq(crypto_rsa_public_eq(k, link_key), 1);
  ck_assert_int_eq(crypto_rsa_is_private(k), 0);
  ck_assert_int_eq(crypto_rsa_bits(k), 2048);
  crypto_rsa_free(k);

  ck_assert_int_eq(crypto_x509_check_signed_by(parsed, id_key), 0);
  ck_assert_int_eq(crypto_x509_check_signed_by(parsed, link_key), -1);
  ck_assert_int_eq(crypto_x509_check_signed_by(parsed, other_key), -1);
  ck_assert_int_eq(crypto_x509_check_signed_by(parsed, NULL), -1);
  ck_assert_int_eq(crypto_x509_check_signed_by(idc, id_key), 0);

  /* The signature algorithm is sha256WithRSAEncryption. */
  ck_assert_int_eq(X509_get_signature_nid(crypto_x509_get_openssl(parsed)),
                   NID_sha256WithRSAEncryption);

  /* A flipped byte in the signed part breaks the signature. */
  uint8_t *bad = malloc(n);
  memcpy(bad, der, n);
  bad[n / 2] ^= 0x01;
  crypto_x509_t *badc = crypto_x509_from_der(bad, n);
  if (badc) /* may or may not still parse; if it does, it must not verify */
    ck_assert_int_eq(crypto_x509_check_signed_by(badc, id_key), -1);
  crypto_x509_free(badc);
  free(bad);

  crypto_x509_t *dup = crypto_x509_dup(parsed);
  crypto_x509_free(parsed);
  ck_assert_int_eq(crypto_x509_check_signed_by(dup, id_key), 0);
  crypto_x509_t *wrapped = crypto_x509_new_from_openssl(crypto_x509_get_openssl(dup));
  ck_assert_ptr_nonnull(wrapped);
  der2 = crypto_x509_der(wrapped, &n2);
  ck_assert_mem_eq(der2, der, n);
  crypto_x509_free(wrapped);
  crypto_x509_free(dup);
  crypto_x509_free(lc);
  crypto_x509_free(idc);
  crypto_x509_free(NULL);
}
END_TEST

START_TEST(test_x509_validity)
{
  const time_t nb = 1700000000, na = nb + 1000;
  crypto_x509_t *c = crypto_x509_create(link_key, id_key, "a.net", "b.com", nb, na);
  ck_assert_ptr_nonnull(c);
  ck_assert_int_eq(crypto_x509_check_valid_at(c, nb + 10, 0, 0), 0);
  ck_assert_int_eq(crypto_x509_check_valid_at(c, na - 10, 0, 0), 0);
  ck_assert_int_eq(crypto_x509_check_valid_at(c, nb - 10, 0, 0), -1);
  ck_assert_int_eq(crypto_x509_check_valid_at(c, na + 10, 0, 0), -1);
  /* future_slop tolerates a cert that starts slightly in the future... */
  ck_assert_int_eq(crypto_x509_check_valid_at(c, nb - 10, 0, 30), 0);
  ck_assert_int_eq(crypto_x509_check_valid_at(c, nb - 100, 0, 30), -1);
  /* ... past_slop one that has just expired (tor: 2 days). */
  ck_assert_int_eq(crypto_x509_check_valid_at(c, na + 10, 2 * 86400, 0), 0);
  ck_assert_int_eq(crypto_x509_check_valid_at(c, na + 3 * 86400, 2 * 86400, 0), -1);
  ck_assert_int_eq(crypto_x509_check_valid_at(c, nb + 10, -1, 0), -1);
  crypto_x509_free(c);
  /* not_after before not_before, or a public issuer key: refused. */
  ck_assert_ptr_null(crypto_x509_create(link_key, id_key, "a", "b", na, nb));
  crypto_x509_t *tmp = crypto_x509_create(id_key, id_key, "a", "a", nb, na);
  crypto_rsa_t *pub = crypto_x509_get_rsa(tmp);
  ck_assert_ptr_null(crypto_x509_create(link_key, pub, "a", "b", nb, na));
  crypto_rsa_free(pub);
  crypto_x509_free(tmp);
}
END_TEST

START_TEST(test_x509_bad_der)
{
  crypto_x509_t *c = crypto_x509_create(link_key, id_key, "a.net", "b.com", 0, 1000000);
  size_t n;
  const uint8_t *der = crypto_x509_der(c, &n);
  for (size_t cut = 1; cut < n; cut += 13)
    ck_assert_ptr_null(crypto_x509_from_der(der, n - cut));
  uint8_t *longer = malloc(n + 1);
  memcpy(longer, der, n);
  longer[n] = 0;
  ck_assert_ptr_null(crypto_x509_from_der(longer, n + 1));
  free(longer);
  ck_assert_ptr_null(crypto_x509_from_der(der, 0));
  ck_assert_ptr_null(crypto_x509_from_der(NULL, 10));
  uint8_t junk[300];
  uint64_t st = 9;
  testutil_fill_random(junk, sizeof(junk), &st);
  ck_assert_ptr_null(crypto_x509_from_der(junk, sizeof(junk)));
  uint8_t *huge = calloc(1, CRYPTO_X509_MAX_DER + 1);
  ck_assert_ptr_null(crypto_x509_from_der(huge, CRYPTO_X509_MAX_DER + 1));
  free(huge);
  crypto_x509_free(c);
}
END_TEST

static void
add_fixture_test(Suite *s, const char *name, const TTest *fn)
{
  TCase *tc = tcase_create(name);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, fn);
  suite_add_tcase(s, tc);
}

Suite *
unit_suite(void)
{
  Suite *s = suite_create("lib_crypto_x509");
  add_fixture_test(s, "test_x509_create_parse_check", test_x509_create_parse_check);
  add_fixture_test(s, "test_x509_validity", test_x509_validity);
  add_fixture_test(s, "test_x509_bad_der", test_x509_bad_der);
  return s;
}
