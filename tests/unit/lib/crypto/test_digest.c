/* test_digest.c — SHA-1/SHA-256/SHA3-256/HMAC known answers (FIPS 180,
 * FIPS 202, RFC 4231), running digests, constant-time helpers, RNG. */
#include <stdlib.h>
#include <string.h>

#include "lib/crypto/ct.h"
#include "lib/crypto/digest.h"
#include "lib/crypto/rand.h"
#include "testutil.h"
#include "vectors.h"

typedef void (*oneshot_fn)(const void *, size_t, uint8_t *);

/* Build the message of record i (Msg repeated Repeat times). */
static uint8_t *
build_msg(const vec_file_t *vf, const char *sec, size_t i, size_t *len)
{
  size_t mlen = 0;
  uint8_t *m = vec_hex(vf, sec, i, "Msg", &mlen);
  const char *rep = vec_str(vf, sec, i, "Repeat");
  size_t r = rep ? (size_t)strtoul(rep, NULL, 10) : 1;
  uint8_t *out = malloc(mlen * r + 1);
  for (size_t k = 0; k < r; k++)
    memcpy(out + k * mlen, m, mlen);
  free(m);
  *len = mlen * r;
  return out;
}

static void
check_section(const char *sec, oneshot_fn fn, size_t outlen,
              crypto_digest_t *(*newfn)(void))
{
  vec_file_t *vf = vec_load("digest.txt");
  size_t n = vec_count(vf, sec);
  ck_assert_uint_ge(n, 4);
  for (size_t i = 0; i < n; i++) {
    size_t len;
    uint8_t *m = build_msg(vf, sec, i, &len);
    uint8_t expect[64], got[64];
    vec_hex_n(vf, sec, i, "Out", expect, outlen);
    fn(m, len, got);
    ck_assert_mem_eq(got, expect, outlen);
    /* Running digest fed in uneven pieces gives the same answer. */
    crypto_digest_t *d = newfn();
    ck_assert_uint_eq(crypto_digest_len(d), outlen);
    size_t off = 0, step = 1;
    while (off < len) {
      size_t take = len - off < step ? len - off : step;
      crypto_digest_add(d, m + off, take);
      off += take;
      step = step * 3 + 1;
    }
    memset(got, 0, sizeof(got));
    crypto_digest_get(d, got, outlen);
    ck_assert_mem_eq(got, expect, outlen);
    crypto_digest_free(d);
    free(m);
  }
  vec_free(vf);
}

START_TEST(test_sha1_kat)
{
  check_section("sha1", crypto_sha1, DIGEST_LEN, crypto_digest_new_sha1);
}
END_TEST

START_TEST(test_sha256_kat)
{
  check_section("sha256", crypto_sha256, DIGEST256_LEN, crypto_digest_new_sha256);
}
END_TEST

START_TEST(test_sha3_256_kat)
{
  check_section("sha3_256", crypto_sha3_256, DIGEST256_LEN, crypto_digest_new_sha3_256);
}
END_TEST

START_TEST(test_hmac_sha256_kat)
{
  vec_file_t *vf = vec_load("digest.txt");
  size_t n = vec_count(vf, "hmac_sha256");
  ck_assert_uint_eq(n, 6);
  for (size_t i = 0; i < n; i++) {
    size_t klen, mlen;
    uint8_t *k = vec_hex(vf, "hmac_sha256", i, "Key", &klen);
    uint8_t *m = vec_hex(vf, "hmac_sha256", i, "Msg", &mlen);
    uint8_t expect[32], got[32];
    vec_hex_n(vf, "hmac_sha256", i, "Out", expect, 32);
    crypto_hmac_sha256(k, klen, m, mlen, got);
    ck_assert_mem_eq(got, expect, 32);
    free(k);
    free(m);
  }
  vec_free(vf);
}
END_TEST

/* get() must not end the running state: H(a) then H(a|b) from one context. */
START_TEST(test_running_get_dup_assign)
{
  static const char a[] = "abc", b[] = "dbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  uint8_t v1[20], v2[20], e1[20], e2[20], full[200];
  crypto_sha1(a, 3, e1);
  memcpy(full, a, 3);
  memcpy(full + 3, b, strlen(b));
  crypto_sha1(full, 3 + strlen(b), e2);

  crypto_digest_t *d = crypto_digest_new_sha1();
  crypto_digest_add(d, a, 3);
  crypto_digest_get(d, v1, 20);
  crypto_digest_get(d, v2, 20); /* twice: same value */
  ck_assert_mem_eq(v1, e1, 20);
  ck_assert_mem_eq(v2, e1, 20);

  crypto_digest_t *cp = crypto_digest_dup(d); /* checkpoint at "abc" */
  crypto_digest_add(d, b, strlen(b));
  crypto_digest_get(d, v1, 20);
  ck_assert_mem_eq(v1, e2, 20);
  crypto_digest_get(cp, v2, 20); /* the copy did not move */
  ck_assert_mem_eq(v2, e1, 20);

  crypto_digest_assign(d, cp); /* restore */
  crypto_digest_get(d, v1, 20);
  ck_assert_mem_eq(v1, e1, 20);
  crypto_digest_add(d, b, strlen(b));
  crypto_digest_get(d, v1, 20);
  ck_assert_mem_eq(v1, e2, 20);

  /* A truncated get writes only outlen bytes. */
  uint8_t small[8];
  memset(small, 0xee, sizeof(small));
  crypto_digest_get(d, small, 4);
  ck_assert_mem_eq(small, e2, 4);
  ck_assert_uint_eq(small[4], 0xee);

  crypto_digest_free(cp);
  crypto_digest_free(d);
  crypto_digest_free(NULL);
}
END_TEST

START_TEST(test_ct)
{
  uint8_t a[64], b[64];
  uint64_t st = 7;
  testutil_fill_random(a, sizeof(a), &st);
  memcpy(b, a, sizeof(a));
  ck_assert_int_eq(crypto_ct_memeq(a, b, sizeof(a)), 1);
  ck_assert_int_eq(crypto_ct_memeq(a, b, 0), 1);
  for (size_t i = 0; i < sizeof(a); i++) {
    for (int bit = 0; bit < 8; bit++) {
      b[i] ^= (uint8_t)(1 << bit);
      ck_assert_int_eq(crypto_ct_memeq(a, b, sizeof(a)), 0);
      b[i] ^= (uint8_t)(1 << bit);
    }
  }
  uint8_t z[33] = { 0 };
  ck_assert_int_eq(crypto_ct_is_zero(z, sizeof(z)), 1);
  ck_assert_int_eq(crypto_ct_is_zero(z, 0), 1);
  for (size_t i = 0; i < sizeof(z); i++) {
    for (int v = 1; v < 256; v <<= 1) {
      z[i] = (uint8_t)v;
      ck_assert_int_eq(crypto_ct_is_zero(z, sizeof(z)), 0);
    }
    z[i] = 0xff;
    ck_assert_int_eq(crypto_ct_is_zero(z, sizeof(z)), 0);
    z[i] = 0;
  }
}
END_TEST

START_TEST(test_rand)
{
  uint8_t a[32] = { 0 }, b[32] = { 0 };
  crypto_rand(a, sizeof(a));
  crypto_rand(b, sizeof(b));
  /* 2^-256 chance of a false failure. */
  ck_assert_int_eq(crypto_ct_memeq(a, b, sizeof(a)), 0);
  ck_assert_int_eq(crypto_ct_is_zero(a, sizeof(a)), 0);
  crypto_rand(a, 0);

  ck_assert_uint_eq(crypto_rand_uint64(0), 0);
  ck_assert_uint_eq(crypto_rand_uint64(1), 0);
  /* Every value of a small range appears, none outside it. */
  int seen[7] = { 0 };
  for (int i = 0; i < 2000; i++) {
    uint64_t v = crypto_rand_uint64(7);
    ck_assert_uint_lt(v, 7);
    seen[v]++;
  }
  for (int i = 0; i < 7; i++)
    ck_assert_int_gt(seen[i], 150); /* expected ~286; failure odds negligible */
  /* A range just above 2^63 exercises rejection sampling. */
  uint64_t big = (UINT64_C(1) << 63) + 12345;
  for (int i = 0; i < 100; i++)
    ck_assert_uint_lt(crypto_rand_uint64(big), big);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("lib_crypto_digest");
  TESTUTIL_ADD(s, test_sha1_kat, 30);
  TESTUTIL_ADD(s, test_sha256_kat, 30);
  TESTUTIL_ADD(s, test_sha3_256_kat, 30);
  TESTUTIL_ADD(s, test_hmac_sha256_kat, 10);
  TESTUTIL_ADD(s, test_running_get_dup_assign, 10);
  TESTUTIL_ADD(s, test_ct, 10);
  TESTUTIL_ADD(s, test_rand, 10);
  return s;
}
