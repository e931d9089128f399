/* test_kdf.c — HKDF-SHA256 (RFC 5869 A.1-A.3, tor's ntor-salt vectors) and
 * KDF-TOR (tor's test_crypto.c vectors); bad lengths rejected. */
#include <stdlib.h>
#include <string.h>

#include "lib/crypto/kdf.h"
#include "testutil.h"
#include "vectors.h"

START_TEST(test_hkdf_kat)
{
  vec_file_t *vf = vec_load("kdf.txt");
  size_t n = vec_count(vf, "hkdf_sha256");
  ck_assert_uint_eq(n, 5);
  for (size_t i = 0; i < n; i++) {
    size_t il, sl, fl, ol;
    uint8_t *ikm = vec_hex(vf, "hkdf_sha256", i, "Ikm", &il);
    uint8_t *salt = vec_hex(vf, "hkdf_sha256", i, "Salt", &sl);
    uint8_t *info = vec_hex(vf, "hkdf_sha256", i, "Info", &fl);
    uint8_t *expect = vec_hex(vf, "hkdf_sha256", i, "Out", &ol);
    uint8_t got[256];
    ck_assert_uint_le(ol, sizeof(got));
    ck_assert_int_eq(crypto_hkdf_sha256(sl ? salt : NULL, sl, ikm, il, fl ? info : NULL, fl,
                                        got, ol), 0);
    ck_assert_mem_eq(got, expect, ol);
    /* A shorter output is a prefix of the longer one. */
    ck_assert_int_eq(crypto_hkdf_sha256(salt, sl, ikm, il, info, fl, got, 7), 0);
    ck_assert_mem_eq(got, expect, 7);
    free(ikm);
    free(salt);
    free(info);
    free(expect);
  }
  vec_free(vf);
}
END_TEST

START_TEST(test_hkdf_bad_lengths)
{
  uint8_t ikm[4] = { 1, 2, 3, 4 }, out[8];
  ck_assert_int_eq(crypto_hkdf_sha256(NULL, 0, ikm, 4, NULL, 0, out, 0), -1);
  uint8_t *big = malloc(255 * 32 + 1);
  ck_assert_int_eq(crypto_hkdf_sha256(NULL, 0, ikm, 4, NULL, 0, big, 255 * 32 + 1), -1);
  ck_assert_int_eq(crypto_hkdf_sha256(NULL, 0, ikm, 4, NULL, 0, big, 255 * 32), 0);
  free(big);
}
END_TEST

START_TEST(test_kdf_tor_kat)
{
  vec_file_t *vf = vec_load("kdf.txt");
  size_t n = vec_count(vf, "kdf_tor");
  ck_assert_uint_eq(n, 3);
  for (size_t i = 0; i < n; i++) {
    size_t kl, ol;
    uint8_t *k0 = vec_hex(vf, "kdf_tor", i, "K0", &kl);
    uint8_t *expect = vec_hex(vf, "kdf_tor", i, "Out", &ol);
    uint8_t got[100];
    ck_assert_uint_eq(ol, 100);
    ck_assert_int_eq(crypto_kdf_tor(kl ? k0 : NULL, kl, got, ol), 0);
    ck_assert_mem_eq(got, expect, ol);
    /* CREATE_FAST uses 92 bytes: a prefix of the same stream. */
    memset(got, 0, sizeof(got));
    ck_assert_int_eq(crypto_kdf_tor(k0, kl, got, 92), 0);
    ck_assert_mem_eq(got, expect, 92);
    ck_assert_uint_eq(got[92], 0);
    free(k0);
    free(expect);
  }
  vec_free(vf);
}
END_TEST

START_TEST(test_kdf_tor_bad_lengths)
{
  uint8_t k0[2] = { 0 }, out[4];
  ck_assert_int_eq(crypto_kdf_tor(k0, 2, out, 0), -1);
  uint8_t *big = malloc(256 * 20 + 1);
  ck_assert_int_eq(crypto_kdf_tor(k0, 2, big, 256 * 20 + 1), -1);
  ck_assert_int_eq(crypto_kdf_tor(k0, 2, big, 256 * 20), 0);
  free(big);
  ck_assert_int_eq(crypto_kdf_tor(NULL, 5, out, 4), -1);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("lib_crypto_kdf");
  TESTUTIL_ADD(s, test_hkdf_kat, 10);
  TESTUTIL_ADD(s, test_hkdf_bad_lengths, 10);
  TESTUTIL_ADD(s, test_kdf_tor_kat, 10);
  TESTUTIL_ADD(s, test_kdf_tor_bad_lengths, 10);
  return s;
}
