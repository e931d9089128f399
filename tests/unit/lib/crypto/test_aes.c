/* test_aes.c — AES-128/256-CTR against NIST SP 800-38A F.5.1/F.5.5; the
 * stream is continuous across arbitrary split points; in-place works; bad
 * key lengths are rejected. */
#include <stdlib.h>
#include <string.h>

#include "lib/crypto/aes.h"
#include "testutil.h"
#include "vectors.h"

START_TEST(test_aes_ctr_kat)
{
  vec_file_t *vf = vec_load("aes.txt");
  size_t n = vec_count(vf, "aes_ctr");
  ck_assert_uint_eq(n, 2);
  for (size_t i = 0; i < n; i++) {
    size_t kl, pl, cl;
    uint8_t iv[16], got[64];
    uint8_t *key = vec_hex(vf, "aes_ctr", i, "Key", &kl);
    uint8_t *pt = vec_hex(vf, "aes_ctr", i, "Plain", &pl);
    uint8_t *ct = vec_hex(vf, "aes_ctr", i, "Cipher", &cl);
    vec_hex_n(vf, "aes_ctr", i, "Iv", iv, 16);
    ck_assert_uint_eq(pl, 64);
    ck_assert_uint_eq(cl, 64);
    crypto_aes_ctr_t *c = crypto_aes_ctr_new(key, kl, iv);
    ck_assert_ptr_nonnull(c);
    crypto_aes_ctr_crypt(c, pt, got, pl);
    ck_assert_mem_eq(got, ct, 64);
    crypto_aes_ctr_free(c);
    /* Decryption is the same operation, here in place. */
    c = crypto_aes_ctr_new(key, kl, iv);
    crypto_aes_ctr_crypt(c, got, got, cl);
    ck_assert_mem_eq(got, pt, 64);
    crypto_aes_ctr_free(c);
    free(key);
    free(pt);
    free(ct);
  }
  vec_free(vf);
}
END_TEST

/* Encrypting in pieces of random sizes equals encrypting all at once. */
START_TEST(test_aes_ctr_split_stream)
{
  enum { LEN = 5000 };
  uint8_t key[16], iv[16], *pt = malloc(LEN), *whole = malloc(LEN), *parts = malloc(LEN);
  uint64_t st = 0x1234;
  testutil_fill_random(key, sizeof(key), &st);
  testutil_fill_random(iv, sizeof(iv), &st);
  iv[15] = 0xf0; /* make the counter carry into the next byte soon */
  testutil_fill_random(pt, LEN, &st);
  crypto_aes_ctr_t *c = crypto_aes_ctr_new(key, 16, iv);
  crypto_aes_ctr_crypt(c, pt, whole, LEN);
  crypto_aes_ctr_free(c);
  for (int trial = 0; trial < 50; trial++) {
    c = crypto_aes_ctr_new(key, 16, iv);
    size_t off = 0;
    while (off < LEN) {
      size_t take = testutil_rand_range(&st, 0, 100);
      if (take > LEN - off)
        take = LEN - off;
      crypto_aes_ctr_crypt(c, pt + off, parts + off, take);
      off += take;
    }
    ck_assert_mem_eq(parts, whole, LEN);
    crypto_aes_ctr_free(c);
  }
  /* Key stream differs from the plaintext and depends on the key. */
  ck_assert_int_ne(memcmp(whole, pt, LEN), 0);
  key[0] ^= 1;
  c = crypto_aes_ctr_new(key, 16, iv);
  crypto_aes_ctr_crypt(c, pt, parts, LEN);
  ck_assert_int_ne(memcmp(parts, whole, LEN), 0);
  crypto_aes_ctr_free(c);
  free(pt);
  free(whole);
  free(parts);
}
END_TEST

START_TEST(test_aes_ctr_bad_key)
{
  uint8_t key[32] = { 0 }, iv[16] = { 0 };
  ck_assert_ptr_null(crypto_aes_ctr_new(key, 0, iv));
  ck_assert_ptr_null(crypto_aes_ctr_new(key, 15, iv));
  ck_assert_ptr_null(crypto_aes_ctr_new(key, 24, iv)); /* AES-192 not offered */
  ck_assert_ptr_null(crypto_aes_ctr_new(key, 33, iv));
  crypto_aes_ctr_free(NULL);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("lib_crypto_aes");
  TESTUTIL_ADD(s, test_aes_ctr_kat, 10);
  TESTUTIL_ADD(s, test_aes_ctr_split_stream, 20);
  TESTUTIL_ADD(s, test_aes_ctr_bad_key, 10);
  return s;
}
