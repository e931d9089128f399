/* test_ed25519.c — Ed25519 against RFC 8032 §7.1 and tor's
 * ed25519_vectors.inc; the curve25519 <-> ed25519 relation of the ntor
 * crosscert (both directions agree with tor's vectors and with each other);
 * bad signatures and keys are rejected. */
#include <stdlib.h>
#include <string.h>

#include "lib/crypto/ed25519.h"
#include "testutil.h"
#include "vectors.h"

START_TEST(test_ed25519_rfc8032)
{
  vec_file_t *vf = vec_load("ed25519.txt");
  size_t n = vec_count(vf, "rfc8032");
  ck_assert_uint_eq(n, 3);
  for (size_t i = 0; i < n; i++) {
    uint8_t seed[32], pub[32], sig[64], got[64];
    size_t mlen;
    vec_hex_n(vf, "rfc8032", i, "Seed", seed, 32);
    vec_hex_n(vf, "rfc8032", i, "Pub", pub, 32);
    vec_hex_n(vf, "rfc8032", i, "Sig", sig, 64);
    uint8_t *msg = vec_hex(vf, "rfc8032", i, "Msg", &mlen);
    ed25519_keypair_t kp;
    ck_assert_int_eq(ed25519_keypair_from_seed(&kp, seed), 0);
    ck_assert_mem_eq(kp.pub, pub, 32);
    ck_assert_mem_eq(kp.seed, seed, 32);
    ck_assert_int_eq(ed25519_sign(&kp, msg, mlen, got), 0);
    ck_assert_mem_eq(got, sig, 64);
    ck_assert_int_eq(ed25519_verify(pub, msg, mlen, sig), 0);
    /* Any flipped bit in the signature, key or message is refused. */
    for (int bit = 0; bit < 512; bit += 7) {
      got[bit / 8] ^= (uint8_t)(1 << (bit % 8));
      ck_assert_int_eq(ed25519_verify(pub, msg, mlen, got), -1);
      got[bit / 8] ^= (uint8_t)(1 << (bit % 8));
    }
    uint8_t pub2[32];
    memcpy(pub2, pub, 32);
    pub2[3] ^= 0x10;
    ck_assert_int_eq(ed25519_verify(pub2, msg, mlen, sig), -1);
    uint8_t *msg2 = malloc(mlen + 1);
    memcpy(msg2, msg, mlen);
    msg2[mlen] = 0;
    ck_assert_int_eq(ed25519_verify(pub, msg2, mlen + 1, sig), -1);
    free(msg2);
    free(msg);
  }
  vec_free(vf);
}
END_TEST

/* S >= L (non-canonical) must be refused: add L to a valid S. */
START_TEST(test_ed25519_rejects_noncanonical_s)
{
  static const uint8_t L[32] = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10 };
  ed25519_keypair_t kp;
  uint8_t sig[64];
  const uint8_t msg[] = "x";
  ed25519_keypair_generate(&kp);
  /* Find a signature whose S + L still fits in 256 bits (S < 2^253 always). */
  ck_assert_int_eq(ed25519_sign(&kp, msg, 1, sig), 0);
  ck_assert_int_eq(ed25519_verify(kp.pub, msg, 1, sig), 0);
  unsigned carry = 0;
  for (int i = 0; i < 32; i++) {
    unsigned v = sig[32 + i] + L[i] + carry;
    sig[32 + i] = (uint8_t)v;
    carry = v >> 8;
  }
  ck_assert_uint_eq(carry, 0);
  ck_assert_int_eq(ed25519_verify(kp.pub, msg, 1, sig), -1);
}
END_TEST

START_TEST(test_ed25519_tor_vectors)
{
  vec_file_t *vf = vec_load("ed25519.txt");
  const char *S = "tor_ed25519_vectors";
  size_t n = vec_count(vf, S);
  ck_assert_uint_eq(n, 10);
  for (size_t i = 0; i < n; i++) {
    uint8_t seed[32], pub[32], curve[32], expanded[64], selfsig[64], got[64];
    vec_hex_n(vf, S, i, "Seed", seed, 32);
    vec_hex_n(vf, S, i, "Pub", pub, 32);
    vec_hex_n(vf, S, i, "Curve", curve, 32);
    vec_hex_n(vf, S, i, "Expanded", expanded, 64);
    vec_hex_n(vf, S, i, "SelfSig", selfsig, 64);
    ed25519_keypair_t kp;
    x25519_keypair_t xkp;
    ck_assert_int_eq(ed25519_keypair_from_seed(&kp, seed), 0);
    ck_assert_mem_eq(kp.pub, pub, 32);
    ck_assert_int_eq(ed25519_sign(&kp, pub, 32, got), 0);
    ck_assert_mem_eq(got, selfsig, 64);
    ck_assert_int_eq(ed25519_verify(pub, pub, 32, selfsig), 0);
    /* ed25519 -> x25519: secret = clamp(SHA512(seed)[0:32]) = tor's
     * expanded key's first half; public = tor's curve25519 vector. */
    ck_assert_int_eq(ed25519_keypair_to_x25519(&kp, &xkp), 0);
    ck_assert_mem_eq(xkp.secret, expanded, 32);
    ck_assert_mem_eq(xkp.pub, curve, 32);
    /* x25519 -> ed25519 (dir-spec App. C) with the sign bit gives pub back. */
    int signbit = pub[31] >> 7;
    uint8_t back[32];
    ck_assert_int_eq(ed25519_pub_from_x25519_pub(curve, signbit, back), 0);
    ck_assert_mem_eq(back, pub, 32);
    /* The wrong sign bit gives a different key. */
    ck_assert_int_eq(ed25519_pub_from_x25519_pub(curve, !signbit, back), 0);
    ck_assert_int_ne(memcmp(back, pub, 32), 0);
  }
  vec_free(vf);
}
END_TEST

/* The two relations agree for fresh keys, and a crosscert-style signature
 * made with the seed verifies under the converted key. */
START_TEST(test_ed25519_x25519_relation_random)
{
  for (int i = 0; i < 20; i++) {
    ed25519_keypair_t kp;
    x25519_keypair_t xkp;
    uint8_t back[32], sig[64];
    ed25519_keypair_generate(&kp);
    ck_assert_int_eq(ed25519_keypair_to_x25519(&kp, &xkp), 0);
    ck_assert_int_eq(ed25519_pub_from_x25519_pub(xkp.pub, kp.pub[31] >> 7, back), 0);
    ck_assert_mem_eq(back, kp.pub, 32);
    ck_assert_int_eq(ed25519_sign(&kp, xkp.pub, 32, sig), 0);
    ck_assert_int_eq(ed25519_verify(back, xkp.pub, 32, sig), 0);
    /* X25519 works with the derived secret. */
    x25519_keypair_t other;
    uint8_t s1[32], s2[32];
    x25519_keypair_generate(&other);
    ck_assert_int_eq(x25519_shared(xkp.secret, other.pub, s1), 0);
    ck_assert_int_eq(x25519_shared(other.secret, xkp.pub, s2), 0);
    ck_assert_mem_eq(s1, s2, 32);
  }
}
END_TEST

START_TEST(test_ed25519_from_x25519_bad)
{
  uint8_t u[32], out[32];
  /* u = p - 1 = -1: u + 1 = 0 has no inverse. */
  memset(u, 0xff, 32);
  u[0] = 0xec;
  u[31] = 0x7f;
  ck_assert_int_eq(ed25519_pub_from_x25519_pub(u, 0, out), -1);
  /* Bit 255 is ignored, so this is -1 again. */
  u[31] = 0xff;
  ck_assert_int_eq(ed25519_pub_from_x25519_pub(u, 0, out), -1);
  memset(u, 0, 32);
  u[0] = 9; /* the base point */
  ck_assert_int_eq(ed25519_pub_from_x25519_pub(u, 2, out), -1);
  ck_assert_int_eq(ed25519_pub_from_x25519_pub(u, -1, out), -1);
  ck_assert_int_eq(ed25519_pub_from_x25519_pub(u, 0, out), 0);
  /* Base point u=9 maps to y = 4/5: the standard Ed25519 base point
   * encoding 5866666666...66. */
  ck_assert_uint_eq(out[0], 0x58);
  for (int i = 1; i < 32; i++)
    ck_assert_uint_eq(out[i], 0x66);
}
END_TEST

/* A real ntor-onion-key-crosscert (tor's test_descriptors.inc): the Ed25519
 * cert certifying the master key is signed by the key converted from
 * ntor-onion-key with the published sign bit. */
START_TEST(test_ed25519_descriptor_ntor_crosscert)
{
  size_t dlen, n, certlen;
  char *desc = vec_read_file("tor-descriptor-test001a.txt", &dlen);
  const char *p = strstr(desc, "\nntor-onion-key ");
  ck_assert_ptr_nonnull(p);
  p += strlen("\nntor-onion-key ");
  uint8_t *ntor = vec_base64(p, strcspn(p, "\n"), &n);
  ck_assert_uint_eq(n, 32);
  p = strstr(desc, "\nmaster-key-ed25519 ");
  ck_assert_ptr_nonnull(p);
  p += strlen("\nmaster-key-ed25519 ");
  uint8_t *master = vec_base64(p, strcspn(p, "\n"), &n);
  ck_assert_uint_eq(n, 32);
  p = strstr(desc, "\nntor-onion-key-crosscert ");
  ck_assert_ptr_nonnull(p);
  int signbit = p[strlen("\nntor-onion-key-crosscert ")] - '0';
  ck_assert(signbit == 0 || signbit == 1);
  uint8_t *cert = vec_pem_body(p, "ED25519 CERT", &certlen);
  /* VERSION 01, CERT_TYPE 0A, EXPIRATION(4), KEY_TYPE 01, KEY(32), N_EXT,
   * ..., SIGNATURE(64). */
  ck_assert_uint_ge(certlen, 40 + 64);
  ck_assert_uint_eq(cert[0], 1);
  ck_assert_uint_eq(cert[1], 0x0a);
  ck_assert_mem_eq(cert + 7, master, 32);
  uint8_t edkey[32];
  ck_assert_int_eq(ed25519_pub_from_x25519_pub(ntor, signbit, edkey), 0);
  ck_assert_int_eq(ed25519_verify(edkey, cert, certlen - 64, cert + certlen - 64), 0);
  /* With the other sign bit the key is wrong and the signature fails. */
  ck_assert_int_eq(ed25519_pub_from_x25519_pub(ntor, !signbit, edkey), 0);
  ck_assert_int_eq(ed25519_verify(edkey, cert, certlen - 64, cert + certlen - 64), -1);
  free(cert);
  free(master);
  free(ntor);
  free(desc);
}
END_TEST

START_TEST(test_ed25519_wipe)
{
  ed25519_keypair_t kp;
  ed25519_keypair_generate(&kp);
  ed25519_keypair_wipe(&kp);
  for (size_t i = 0; i < sizeof(kp); i++)
    ck_assert_uint_eq(((uint8_t *)&kp)[i], 0);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("lib_crypto_ed25519");
  TESTUTIL_ADD(s, test_ed25519_rfc8032, 10);
  TESTUTIL_ADD(s, test_ed25519_rejects_noncanonical_s, 10);
  TESTUTIL_ADD(s, test_ed25519_tor_vectors, 10);
  TESTUTIL_ADD(s, test_ed25519_x25519_relation_random, 10);
  TESTUTIL_ADD(s, test_ed25519_from_x25519_bad, 10);
  TESTUTIL_ADD(s, test_ed25519_descriptor_ntor_crosscert, 10);
  TESTUTIL_ADD(s, test_ed25519_wipe, 10);
  return s;
}
