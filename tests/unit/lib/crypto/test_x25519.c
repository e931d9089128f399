/* test_x25519.c — X25519 against RFC 7748 §5.2 and §6.1; all-zero shared
 * secrets (small-order points) are rejected; generated keys agree. */
#include <string.h>

#include "lib/crypto/x25519.h"
#include "testutil.h"
#include "vectors.h"

START_TEST(test_x25519_rfc7748_5_2)
{
  vec_file_t *vf = vec_load("x25519.txt");
  size_t n = vec_count(vf, "rfc7748_5_2");
  ck_assert_uint_eq(n, 2);
  for (size_t i = 0; i < n; i++) {
    uint8_t k[32], u[32], expect[32], got[32];
    vec_hex_n(vf, "rfc7748_5_2", i, "Scalar", k, 32);
    vec_hex_n(vf, "rfc7748_5_2", i, "U", u, 32);
    vec_hex_n(vf, "rfc7748_5_2", i, "Out", expect, 32);
    ck_assert_int_eq(x25519_shared(k, u, got), 0);
    ck_assert_mem_eq(got, expect, 32);
  }
  vec_free(vf);
}
END_TEST

START_TEST(test_x25519_rfc7748_6_1)
{
  vec_file_t *vf = vec_load("x25519.txt");
  const char *S = "rfc7748_6_1";
  uint8_t a[32], ap[32], b[32], bp[32], shared[32], got[32];
  vec_hex_n(vf, S, 0, "AlicePriv", a, 32);
  vec_hex_n(vf, S, 0, "AlicePub", ap, 32);
  vec_hex_n(vf, S, 0, "BobPriv", b, 32);
  vec_hex_n(vf, S, 0, "BobPub", bp, 32);
  vec_hex_n(vf, S, 0, "Shared", shared, 32);
  ck_assert_int_eq(x25519_pub_from_secret(a, got), 0);
  ck_assert_mem_eq(got, ap, 32);
  ck_assert_int_eq(x25519_pub_from_secret(b, got), 0);
  ck_assert_mem_eq(got, bp, 32);
  ck_assert_int_eq(x25519_shared(a, bp, got), 0);
  ck_assert_mem_eq(got, shared, 32);
  ck_assert_int_eq(x25519_shared(b, ap, got), 0);
  ck_assert_mem_eq(got, shared, 32);
  vec_free(vf);
}
END_TEST

/* Points of small order give an all-zero result, which must be refused. */
START_TEST(test_x25519_rejects_zero_result)
{
  x25519_keypair_t kp;
  x25519_keypair_generate(&kp);
  uint8_t out[32];
  uint8_t zero[32] = { 0 }, one[32] = { 1 };
  /* u = p (2^255 - 19) reduces to 0. */
  uint8_t p[32];
  memset(p, 0xff, sizeof(p));
  p[0] = 0xed;
  p[31] = 0x7f;
  const uint8_t *bad[] = { zero, one, p };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    memset(out, 0xaa, sizeof(out));
    ck_assert_int_eq(x25519_shared(kp.secret, bad[i], out), -1);
    for (int k = 0; k < 32; k++)
      ck_assert_uint_eq(out[k], 0);
  }
  x25519_keypair_wipe(&kp);
  for (size_t i = 0; i < sizeof(kp); i++)
    ck_assert_uint_eq(((uint8_t *)&kp)[i], 0);
}
END_TEST

START_TEST(test_x25519_generated_agree)
{
  x25519_keypair_t a, b;
  uint8_t s1[32], s2[32], pub[32];
  x25519_keypair_generate(&a);
  x25519_keypair_generate(&b);
  ck_assert_int_ne(memcmp(a.pub, b.pub, 32), 0);
  ck_assert_int_eq(x25519_pub_from_secret(a.secret, pub), 0);
  ck_assert_mem_eq(pub, a.pub, 32);
  ck_assert_int_eq(x25519_shared(a.secret, b.pub, s1), 0);
  ck_assert_int_eq(x25519_shared(b.secret, a.pub, s2), 0);
  ck_assert_mem_eq(s1, s2, 32);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("lib_crypto_x25519");
  TESTUTIL_ADD(s, test_x25519_rfc7748_5_2, 10);
  TESTUTIL_ADD(s, test_x25519_rfc7748_6_1, 10);
  TESTUTIL_ADD(s, test_x25519_rejects_zero_result, 10);
  TESTUTIL_ADD(s, test_x25519_generated_agree, 10);
  return s;
}
