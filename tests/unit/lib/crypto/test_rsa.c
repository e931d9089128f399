/* test_rsa.c — RSA: known signatures from a real tor descriptor (tor's
 * test_descriptors.inc): fingerprint, onion-key-crosscert and
 * router-signature (PKCS#1 v1.5 without DigestInfo); DER/PEM round trips;
 * raw and SHA-256 signatures; bad keys, signatures and lengths rejected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/crypto/digest.h"
#include "lib/crypto/rsa.h"
#include "testutil.h"
#include "vectors.h"

/* The PEM block that follows "keyword\n" in the descriptor. */
static crypto_rsa_t *
desc_key(const char *desc, const char *keyword)
{
  char kw[64];
  snprintf(kw, sizeof(kw), "\n%s\n-----BEGIN", keyword);
  const char *p = strstr(desc, kw);
  ck_assert_ptr_nonnull(p);
  p += strlen(keyword) + 2;
  const char *e = strstr(p, "-----END RSA PUBLIC KEY-----\n");
  ck_assert_ptr_nonnull(e);
  e += strlen("-----END RSA PUBLIC KEY-----\n");
  crypto_rsa_t *k = crypto_rsa_from_public_pem(p, (size_t)(e - p));
  ck_assert_ptr_nonnull(k);
  return k;
}

static uint8_t *
after_keyword_pem(const char *desc, const char *keyword, const char *label, size_t *len)
{
  const char *p = strstr(desc, keyword);
  ck_assert_ptr_nonnull(p);
  return vec_pem_body(p, label, len);
}

START_TEST(test_descriptor_known_signatures)
{
  size_t dlen;
  char *desc = vec_read_file("tor-descriptor-test001a.txt", &dlen);
  crypto_rsa_t *onion = desc_key(desc, "onion-key");
  crypto_rsa_t *ident = desc_key(desc, "signing-key");
  ck_assert_int_eq(crypto_rsa_bits(onion), 1024);
  ck_assert_int_eq(crypto_rsa_bits(ident), 1024);
  ck_assert_int_eq(crypto_rsa_is_private(ident), 0);

  /* fingerprint line: SHA-1 of the PKCS#1 DER of the identity key. */
  const char *fp = strstr(desc, "\nfingerprint ");
  ck_assert_ptr_nonnull(fp);
  char hex[41];
  size_t h = 0;
  for (fp += 13; *fp != '\n' && h < 40; fp++)
    if (*fp != ' ')
      hex[h++] = *fp;
  hex[h] = '\0';
  uint8_t expect_fp[20], got_fp[20];
  ck_assert_int_eq(testutil_unhex(hex, expect_fp, 20), 20);
  ck_assert_int_eq(crypto_rsa_fingerprint(ident, got_fp), 0);
  ck_assert_mem_eq(got_fp, expect_fp, 20);

  /* onion-key-crosscert: onion key signs SHA1(identity DER) | master ed key. */
  const char *mk = strstr(desc, "master-key-ed25519 ");
  ck_assert_ptr_nonnull(mk);
  mk += strlen("master-key-ed25519 ");
  size_t mlen;
  uint8_t *master = vec_base64(mk, strcspn(mk, "\n"), &mlen);
  ck_assert_uint_eq(mlen, 32);
  uint8_t signed_data[52];
  memcpy(signed_data, got_fp, 20);
  memcpy(signed_data + 20, master, 32);
  size_t slen;
  uint8_t *sig = after_keyword_pem(desc, "onion-key-crosscert", "CROSSCERT", &slen);
  ck_assert_uint_eq(slen, 128);
  ck_assert_int_eq(crypto_rsa_verify_raw(onion, signed_data, 52, sig, slen), 0);
  /* Wrong key, wrong data, wrong signature, wrong lengths: refused. */
  ck_assert_int_eq(crypto_rsa_verify_raw(ident, signed_data, 52, sig, slen), -1);
  signed_data[51] ^= 1;
  ck_assert_int_eq(crypto_rsa_verify_raw(onion, signed_data, 52, sig, slen), -1);
  signed_data[51] ^= 1;
  ck_assert_int_eq(crypto_rsa_verify_raw(onion, signed_data, 51, sig, slen), -1);
  ck_assert_int_eq(crypto_rsa_verify_raw(onion, signed_data, 52, sig, slen - 1), -1);
  sig[100] ^= 4;
  ck_assert_int_eq(crypto_rsa_verify_raw(onion, signed_data, 52, sig, slen), -1);
  free(sig);
  /* It is not a DigestInfo signature. */
  sig = after_keyword_pem(desc, "onion-key-crosscert", "CROSSCERT", &slen);
  ck_assert_int_eq(crypto_rsa_verify_sha256(onion, signed_data, 52, sig, slen), -1);
  free(sig);

  /* router-signature: identity key over SHA1(descriptor up to and including
   * "router-signature\n"). */
  const char *rs = strstr(desc, "\nrouter-signature\n");
  ck_assert_ptr_nonnull(rs);
  size_t signed_len = (size_t)(rs - desc) + strlen("\nrouter-signature\n");
  uint8_t d[20];
  crypto_sha1(desc, signed_len, d);
  sig = after_keyword_pem(rs, "router-signature", "SIGNATURE", &slen);
  ck_assert_int_eq(crypto_rsa_verify_raw(ident, d, 20, sig, slen), 0);
  crypto_sha1(desc, signed_len - 1, d);
  ck_assert_int_eq(crypto_rsa_verify_raw(ident, d, 20, sig, slen), -1);
  free(sig);

  /* PEM writing reproduces the descriptor's text exactly. */
  char *pem;
  size_t pemlen;
  ck_assert_int_eq(crypto_rsa_public_pem(ident, &pem, &pemlen), 0);
  ck_assert_uint_eq(strlen(pem), pemlen);
  ck_assert_ptr_nonnull(strstr(desc, pem));
  x_free(pem);

  free(master);
  crypto_rsa_free(onion);
  crypto_rsa_free(ident);
  free(desc);
}
END_TEST

START_TEST(test_rsa_der_pem_roundtrip)
{
  crypto_rsa_t *k = crypto_rsa_generate(1024);
  ck_assert_ptr_nonnull(k);
  ck_assert_int_eq(crypto_rsa_bits(k), 1024);
  ck_assert_int_eq(crypto_rsa_is_private(k), 1);

  uint8_t *der, *pder;
  size_t len, plen;
  ck_assert_int_eq(crypto_rsa_public_der(k, &der, &len), 0);
  ck_assert_uint_eq(der[0], 0x30); /* SEQUENCE { n, e }: PKCS#1, no SPKI wrapper */
  ck_assert_uint_lt(len, 150);
  crypto_rsa_t *pub = crypto_rsa_from_public_der(der, len);
  ck_assert_ptr_nonnull(pub);
  ck_assert_int_eq(crypto_rsa_is_private(pub), 0);
  ck_assert_int_eq(crypto_rsa_public_eq(pub, k), 1);
  uint8_t fp1[20], fp2[20];
  crypto_sha1(der, len, fp1);
  ck_assert_int_eq(crypto_rsa_fingerprint(pub, fp2), 0);
  ck_assert_mem_eq(fp1, fp2, 20);

  ck_assert_int_eq(crypto_rsa_private_der(k, &pder, &plen), 0);
  uint8_t *none = NULL;
  size_t nonelen = 0;
  ck_assert_int_eq(crypto_rsa_private_der(pub, &none, &nonelen), -1); /* public only */
  ck_assert_ptr_null(none);
  crypto_rsa_t *priv = crypto_rsa_from_private_der(pder, plen);
  ck_assert_ptr_nonnull(priv);
  ck_assert_int_eq(crypto_rsa_is_private(priv), 1);
  ck_assert_int_eq(crypto_rsa_public_eq(priv, k), 1);
  /* A private DER is not a public DER and vice versa. */
  ck_assert_ptr_null(crypto_rsa_from_public_der(pder, plen));
  ck_assert_ptr_null(crypto_rsa_from_private_der(der, len));

  char *pem;
  size_t pemlen;
  ck_assert_int_eq(crypto_rsa_public_pem(k, &pem, &pemlen), 0);
  ck_assert_ptr_nonnull(strstr(pem, "-----BEGIN RSA PUBLIC KEY-----\n"));
  crypto_rsa_t *p2 = crypto_rsa_from_public_pem(pem, pemlen);
  ck_assert_ptr_nonnull(p2);
  ck_assert_int_eq(crypto_rsa_public_eq(p2, k), 1);
  ck_assert_ptr_null(crypto_rsa_from_private_pem(pem, pemlen));
  x_free(pem);

  ck_assert_int_eq(crypto_rsa_private_pem(k, &pem, &pemlen), 0);
  ck_assert_ptr_nonnull(strstr(pem, "-----BEGIN RSA PRIVATE KEY-----\n"));
  crypto_rsa_t *p3 = crypto_rsa_from_private_pem(pem, pemlen);
  ck_assert_ptr_nonnull(p3);
  ck_assert_int_eq(crypto_rsa_is_private(p3), 1);
  ck_assert_int_eq(crypto_rsa_public_eq(p3, k), 1);
  ck_assert_ptr_null(crypto_rsa_from_public_pem(pem, pemlen));
  x_free(pem);

  crypto_rsa_t *other = crypto_rsa_generate(1024);
  ck_assert_int_eq(crypto_rsa_public_eq(other, k), 0);

  crypto_rsa_t *dup = crypto_rsa_dup(k);
  crypto_rsa_free(k);
  ck_assert_int_eq(crypto_rsa_public_eq(dup, p3), 1); /* still alive */
  ck_assert_ptr_eq(crypto_rsa_get_evp_pkey(dup), crypto_rsa_get_evp_pkey(dup));

  x_free(der);
  x_memwipe(pder, plen);
  x_free(pder);
  crypto_rsa_free(dup);
  crypto_rsa_free(pub);
  crypto_rsa_free(priv);
  crypto_rsa_free(p2);
  crypto_rsa_free(p3);
  crypto_rsa_free(other);
  crypto_rsa_free(NULL);
}
END_TEST

START_TEST(test_rsa_bad_encodings)
{
  crypto_rsa_t *k = crypto_rsa_generate(1024);
  uint8_t *der;
  size_t len;
  ck_assert_int_eq(crypto_rsa_public_der(k, &der, &len), 0);
  ck_assert_ptr_null(crypto_rsa_from_public_der(der, 0));
  ck_assert_ptr_null(crypto_rsa_from_public_der(NULL, len));
  for (size_t cut = 1; cut < len; cut += 7)
    ck_assert_ptr_null(crypto_rsa_from_public_der(der, len - cut));
  uint8_t *longer = malloc(len + 1);
  memcpy(longer, der, len);
  longer[len] = 0;
  ck_assert_ptr_null(crypto_rsa_from_public_der(longer, len + 1)); /* trailing byte */
  free(longer);
  uint8_t junk[140];
  uint64_t st = 5;
  testutil_fill_random(junk, sizeof(junk), &st);
  ck_assert_ptr_null(crypto_rsa_from_public_der(junk, sizeof(junk)));
  ck_assert_ptr_null(crypto_rsa_from_private_der(junk, sizeof(junk)));
  /* PEM with the wrong label, or garbage. */
  static const char spki[] = "-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----\n";
  ck_assert_ptr_null(crypto_rsa_from_public_pem(spki, strlen(spki)));
  ck_assert_ptr_null(crypto_rsa_from_public_pem("hello", 5));
  ck_assert_ptr_null(crypto_rsa_from_public_pem("", 0));
  /* Too-small and too-large generation requests. */
  ck_assert_ptr_null(crypto_rsa_generate(256));
  ck_assert_ptr_null(crypto_rsa_generate(CRYPTO_RSA_MAX_BITS + 1));
  x_free(der);
  crypto_rsa_free(k);
}
END_TEST

START_TEST(test_rsa_raw_sign_verify)
{
  crypto_rsa_t *k = crypto_rsa_generate(1024);
  uint8_t *der;
  size_t len;
  ck_assert_int_eq(crypto_rsa_public_der(k, &der, &len), 0);
  crypto_rsa_t *pub = crypto_rsa_from_public_der(der, len);
  uint8_t m[32], sig[256];
  uint64_t st = 17;
  testutil_fill_random(m, sizeof(m), &st);
  size_t siglen = sizeof(sig);
  ck_assert_int_eq(crypto_rsa_sign_raw(k, m, 32, sig, &siglen), 0);
  ck_assert_uint_eq(siglen, 128);
  ck_assert_int_eq(crypto_rsa_verify_raw(pub, m, 32, sig, siglen), 0);
  /* PKCS#1 v1.5 type-1 padding is deterministic: signing again is equal. */
  uint8_t sig2[128];
  size_t sig2len = sizeof(sig2);
  ck_assert_int_eq(crypto_rsa_sign_raw(k, m, 32, sig2, &sig2len), 0);
  ck_assert_mem_eq(sig, sig2, 128);
  for (int i = 0; i < 128; i += 9) {
    sig[i] ^= 0x40;
    ck_assert_int_eq(crypto_rsa_verify_raw(pub, m, 32, sig, siglen), -1);
    sig[i] ^= 0x40;
  }
  /* The longest message PKCS#1 v1.5 allows is bits/8 - 11. */
  uint8_t big[118];
  testutil_fill_random(big, sizeof(big), &st);
  siglen = sizeof(sig);
  ck_assert_int_eq(crypto_rsa_sign_raw(k, big, 117, sig, &siglen), 0);
  ck_assert_int_eq(crypto_rsa_verify_raw(pub, big, 117, sig, siglen), 0);
  siglen = sizeof(sig);
  ck_assert_int_eq(crypto_rsa_sign_raw(k, big, 118, sig, &siglen), -1);
  /* Output buffer too small; public key cannot sign. */
  siglen = 127;
  ck_assert_int_eq(crypto_rsa_sign_raw(k, m, 32, sig, &siglen), -1);
  siglen = sizeof(sig);
  ck_assert_int_eq(crypto_rsa_sign_raw(pub, m, 32, sig, &siglen), -1);
  x_free(der);
  crypto_rsa_free(pub);
  crypto_rsa_free(k);
}
END_TEST

/* SHA-256 signatures carry the DigestInfo: recovering one raw gives
 * DigestInfo(sha256) | SHA256(m). */
START_TEST(test_rsa_sha256_sign_verify)
{
  static const uint8_t digestinfo_sha256[19] = {
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
    0x01, 0x05, 0x00, 0x04, 0x20 };
  crypto_rsa_t *k = crypto_rsa_generate(2048);
  const uint8_t m[] = "Tor TLS RSA/Ed25519 cross-certificate";
  uint8_t sig[256];
  size_t siglen = sizeof(sig);
  ck_assert_int_eq(crypto_rsa_sign_sha256(k, m, sizeof(m), sig, &siglen), 0);
  ck_assert_uint_eq(siglen, 256);
  ck_assert_int_eq(crypto_rsa_verify_sha256(k, m, sizeof(m), sig, siglen), 0);
  ck_assert_int_eq(crypto_rsa_verify_sha256(k, m, sizeof(m) - 1, sig, siglen), -1);
  uint8_t di[51];
  memcpy(di, digestinfo_sha256, 19);
  crypto_sha256(m, sizeof(m), di + 19);
  ck_assert_int_eq(crypto_rsa_verify_raw(k, di, 51, sig, siglen), 0);
  ck_assert_int_eq(crypto_rsa_verify_raw(k, di + 19, 32, sig, siglen), -1);
  sig[10] ^= 1;
  ck_assert_int_eq(crypto_rsa_verify_sha256(k, m, sizeof(m), sig, siglen), -1);
  ck_assert_int_eq(crypto_rsa_verify_sha256(k, m, sizeof(m), sig, 255), -1);
  crypto_rsa_free(k);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("lib_crypto_rsa");
  TESTUTIL_ADD(s, test_descriptor_known_signatures, 10);
  TESTUTIL_ADD(s, test_rsa_der_pem_roundtrip, 30);
  TESTUTIL_ADD(s, test_rsa_bad_encodings, 30);
  TESTUTIL_ADD(s, test_rsa_raw_sign_verify, 30);
  TESTUTIL_ADD(s, test_rsa_sha256_sign_verify, 30);
  return s;
}
