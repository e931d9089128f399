/* test_edcert.c — Ed25519 certificates and the RSA->Ed25519 cross-certificate:
 * real vectors from arti and from a live tor 0.4.9.11 relay, malformed inputs,
 * and create/parse/check round trips. */
#include <stdlib.h>
#include <string.h>

#include "lib/crypto/ed25519.h"
#include "lib/crypto/rsa.h"
#include "proto/certs/edcert.h"
#include "proto/certs/rsa_crosscert.h"
#include "testutil.h"
#include "vecfile.h"

#define CHUTNEY "certs/chutney_certs_cell.txt"
#define ARTI "certs/arti_cert_cases.txt"
#define LIVE "certs/relay1_0_4_9_11.txt"

static edcert_t *
parse_ok(const uint8_t *b, size_t n)
{
  edcert_t *c = NULL;
  ck_assert_int_eq(edcert_parse(b, n, &c), EDCERT_PARSE_OK);
  ck_assert_ptr_nonnull(c);
  return c;
}

START_TEST(test_chutney_type4)
{
  size_t n, kn, sn;
  uint8_t *b = vecfile_hex(CHUTNEY, "cert4", &n);
  uint8_t *ed_id = vecfile_hex(CHUTNEY, "ed_id", &kn);
  uint8_t *signing = vecfile_hex(CHUTNEY, "signing_key", &sn);
  time_t now = (time_t)vecfile_num(CHUTNEY, "now");
  time_t expiry = (time_t)vecfile_num(ARTI, "expiry_t4");
  edcert_t *c = parse_ok(b, n);

  ck_assert_uint_eq(c->cert_type, EDCERT_TYPE_ID_SIGNING);
  ck_assert_uint_eq(c->key_type, EDCERT_KEYTYPE_ED25519);
  ck_assert_uint_eq(c->n_extensions, 1);
  ck_assert_int_eq(c->has_signing_key, 1);
  ck_assert_mem_eq(c->signing_key, ed_id, 32);
  ck_assert_mem_eq(c->certified_key, signing, 32);
  ck_assert_mem_eq(c->encoded, b, n);
  ck_assert_int_eq((long long)edcert_expiry(c), (long long)expiry);
  /* Signed by its own ext-04 key, with or without naming it explicitly. */
  ck_assert_int_eq(edcert_check(c, NULL, now), EDCERT_CHECK_OK);
  ck_assert_int_eq(edcert_check(c, ed_id, now), EDCERT_CHECK_OK);
  /* Valid up to and including the expiry second, expired one second later,
   * and one day later (arti's expired_cert). */
  ck_assert_int_eq(edcert_check(c, NULL, expiry), EDCERT_CHECK_OK);
  ck_assert_int_eq(edcert_check(c, NULL, expiry + 1), EDCERT_CHECK_EXPIRED);
  ck_assert_int_eq(edcert_check(c, NULL, (time_t)vecfile_num(ARTI, "expired_time")),
                   EDCERT_CHECK_EXPIRED);
  edcert_free(c);
  free(b); free(ed_id); free(signing);
}
END_TEST

START_TEST(test_chutney_type5)
{
  size_t n, sn, dn;
  uint8_t *b = vecfile_hex(CHUTNEY, "cert5", &n);
  uint8_t *signing = vecfile_hex(CHUTNEY, "signing_key", &sn);
  uint8_t *digest = vecfile_hex(CHUTNEY, "tls_cert_sha256", &dn);
  time_t now = (time_t)vecfile_num(CHUTNEY, "now");
  edcert_t *c = parse_ok(b, n);

  ck_assert_uint_eq(c->cert_type, EDCERT_TYPE_SIGNING_LINK);
  ck_assert_uint_eq(c->key_type, EDCERT_KEYTYPE_SHA256_X509);
  ck_assert_uint_eq(c->n_extensions, 0);
  ck_assert_int_eq(c->has_signing_key, 0);
  ck_assert_mem_eq(c->certified_key, digest, 32);
  ck_assert_int_eq((long long)edcert_expiry(c), vecfile_num(ARTI, "expiry_t5"));
  ck_assert_int_eq(edcert_check(c, signing, now), EDCERT_CHECK_OK);
  /* No ext 04 and no key given: nothing to verify with. */
  ck_assert_int_eq(edcert_check(c, NULL, now), EDCERT_CHECK_NO_KEY);
  /* The wrong key fails the signature. */
  signing[0] ^= 1;
  ck_assert_int_eq(edcert_check(c, signing, now), EDCERT_CHECK_BAD_SIG);
  edcert_free(c);
  free(b); free(signing); free(digest);
}
END_TEST

START_TEST(test_arti_invalid)
{
  size_t n;
  uint8_t *b;
  edcert_t *c = (edcert_t *)1;

  b = vecfile_hex(ARTI, "bad_version", &n);
  ck_assert_int_eq(edcert_parse(b, n, &c), EDCERT_PARSE_BAD_VERSION);
  ck_assert_ptr_null(c);
  free(b);
  b = vecfile_hex(ARTI, "signer_ext_len_33", &n);
  ck_assert_int_eq(edcert_parse(b, n, &c), EDCERT_PARSE_BAD_SIGNER_EXT);
  ck_assert_ptr_null(c);
  free(b);
  b = vecfile_hex(ARTI, "unknown_critical_ext", &n);
  ck_assert_int_eq(edcert_parse(b, n, &c), EDCERT_PARSE_UNKNOWN_CRITICAL);
  ck_assert_ptr_null(c);
  /* The same extension without AFFECTS_VALIDATION is skipped: the cert
   * parses, has no signer key, and its signature no longer verifies. */
  b[43] = 0x00;
  c = parse_ok(b, n);
  ck_assert_int_eq(c->has_signing_key, 0);
  ck_assert_int_eq(edcert_check(c, NULL, 0), EDCERT_CHECK_NO_KEY);
  edcert_free(c);
  free(b);
}
END_TEST

START_TEST(test_arti_key_mismatch)
{
  size_t n, kn;
  uint8_t *b = vecfile_hex(CHUTNEY, "cert4", &n);
  uint8_t *other = vecfile_hex(ARTI, "not_that_key", &kn);
  edcert_t *c = parse_ok(b, n);
  ck_assert_int_eq(edcert_check(c, other, (time_t)vecfile_num(CHUTNEY, "now")),
                   EDCERT_CHECK_KEY_MISMATCH);
  edcert_free(c);
  free(b); free(other);
}
END_TEST

/* Every strict prefix and every one-byte extension of a valid cert is
 * refused; every single-bit flip is refused by parse or check. */
START_TEST(test_truncation_and_flips)
{
  size_t n;
  uint8_t *b = vecfile_hex(CHUTNEY, "cert4", &n);
  time_t now = (time_t)vecfile_num(CHUTNEY, "now");
  edcert_t *c = NULL;

  for (size_t i = 0; i < n; i++) {
    ck_assert_int_ne(edcert_parse(b, i, &c), EDCERT_PARSE_OK);
    ck_assert_ptr_null(c);
  }
  uint8_t *longer = malloc(n + 1);
  memcpy(longer, b, n);
  longer[n] = 0;
  ck_assert_int_eq(edcert_parse(longer, n + 1, &c), EDCERT_PARSE_TRAILING);
  free(longer);

  for (size_t i = 0; i < n * 8; i++) {
    b[i / 8] ^= (uint8_t)(1u << (i % 8));
    if (edcert_parse(b, n, &c) == EDCERT_PARSE_OK) {
      ck_assert_msg(edcert_check(c, NULL, now) != EDCERT_CHECK_OK, "bit %u", (unsigned)i);
      edcert_free(c);
    }
    b[i / 8] ^= (uint8_t)(1u << (i % 8));
  }
  free(b);
}
END_TEST

START_TEST(test_live_identity_cert)
{
  size_t n, kn;
  uint8_t *b = vecfile_hex(LIVE, "identity_ed25519", &n);
  uint8_t *master = vecfile_hex(LIVE, "master_key", &kn);
  time_t published = (time_t)vecfile_num(LIVE, "published");
  edcert_t *c = parse_ok(b, n);

  ck_assert_uint_eq(c->cert_type, EDCERT_TYPE_ID_SIGNING);
  ck_assert_int_eq(c->has_signing_key, 1);
  ck_assert_mem_eq(c->signing_key, master, 32);
  ck_assert_int_eq((long long)edcert_expiry(c), vecfile_num(LIVE, "identity_expiry"));
  ck_assert_int_eq(edcert_check(c, master, published), EDCERT_CHECK_OK);
  ck_assert_int_eq(edcert_check(c, NULL, edcert_expiry(c) + 1), EDCERT_CHECK_EXPIRED);
  edcert_free(c);
  free(b); free(master);
}
END_TEST

START_TEST(test_live_ntor_crosscert)
{
  size_t n, kn, xn;
  uint8_t *b = vecfile_hex(LIVE, "ntor_crosscert", &n);
  uint8_t *master = vecfile_hex(LIVE, "master_key", &kn);
  uint8_t *ntor = vecfile_hex(LIVE, "ntor_onion_key", &xn);
  time_t published = (time_t)vecfile_num(LIVE, "published");
  uint8_t signer[32];
  edcert_t *c = parse_ok(b, n);

  ck_assert_uint_eq(c->cert_type, EDCERT_TYPE_NTOR_CROSSCERT);
  ck_assert_uint_eq(c->key_type, EDCERT_KEYTYPE_ED25519);
  ck_assert_int_eq(c->has_signing_key, 0);
  ck_assert_mem_eq(c->certified_key, master, 32);
  ck_assert_int_eq((long long)edcert_expiry(c), vecfile_num(LIVE, "ntor_crosscert_expiry"));
  ck_assert_int_eq(ed25519_pub_from_x25519_pub(ntor, (int)vecfile_num(LIVE, "ntor_signbit"),
                                               signer), 0);
  ck_assert_int_eq(edcert_check(c, signer, published), EDCERT_CHECK_OK);
  /* The other sign bit gives another key, which must fail. */
  ck_assert_int_eq(ed25519_pub_from_x25519_pub(ntor, 1, signer), 0);
  ck_assert_int_eq(edcert_check(c, signer, published), EDCERT_CHECK_BAD_SIG);
  edcert_free(c);
  free(b); free(master); free(ntor);
}
END_TEST

START_TEST(test_create_roundtrip)
{
  ed25519_keypair_t signer, subject;
  uint8_t *b = NULL;
  size_t n = 0;
  edcert_t *c;

  ed25519_keypair_generate(&signer);
  ed25519_keypair_generate(&subject);
  for (int with_ext = 0; with_ext <= 1; with_ext++) {
    ck_assert_int_eq(edcert_create(EDCERT_TYPE_SIGNING_AUTH, EDCERT_KEYTYPE_ED25519,
                                   subject.pub, 500000, &signer, with_ext, &b, &n), 0);
    ck_assert_uint_eq(n, with_ext ? 140 : 104);
    c = parse_ok(b, n);
    ck_assert_uint_eq(c->cert_type, EDCERT_TYPE_SIGNING_AUTH);
    ck_assert_uint_eq(c->exp_hours, 500000);
    ck_assert_mem_eq(c->certified_key, subject.pub, 32);
    ck_assert_int_eq(c->has_signing_key, with_ext);
    if (with_ext)
      ck_assert_mem_eq(c->signing_key, signer.pub, 32);
    ck_assert_int_eq(edcert_check(c, signer.pub, 500000LL * 3600), EDCERT_CHECK_OK);
    ck_assert_int_eq(edcert_check(c, subject.pub, 0),
                     with_ext ? EDCERT_CHECK_KEY_MISMATCH : EDCERT_CHECK_BAD_SIG);
    ck_assert_int_eq(edcert_check(c, signer.pub, 500000LL * 3600 + 1), EDCERT_CHECK_EXPIRED);
    edcert_free(c);
    free(b);
  }
}
END_TEST

START_TEST(test_crosscert_arti)
{
  size_t n, kn, wn, en;
  uint8_t *b = vecfile_hex(CHUTNEY, "cert7", &n);
  uint8_t *pk = vecfile_hex(ARTI, "rsa_pk", &kn);
  uint8_t *wrong = vecfile_hex(ARTI, "rsa_wrong_pk", &wn);
  uint8_t *ed_id = vecfile_hex(CHUTNEY, "ed_id", &en);
  time_t t = (time_t)vecfile_num(ARTI, "cc_time");
  time_t expiry = (time_t)vecfile_num(ARTI, "cc_expiry");
  crypto_rsa_t *k = crypto_rsa_from_public_der(pk, kn);
  crypto_rsa_t *wk = crypto_rsa_from_public_der(wrong, wn);
  rsa_crosscert_t cc;

  ck_assert_ptr_nonnull(k);
  ck_assert_ptr_nonnull(wk);
  ck_assert_int_eq(rsa_crosscert_parse(b, n, &cc), 0);
  ck_assert_mem_eq(cc.ed_key, ed_id, 32);
  ck_assert_uint_eq(cc.siglen, 128);
  ck_assert_int_eq((long long)cc.exp_hours * 3600, (long long)expiry);
  ck_assert_int_eq(rsa_crosscert_check(&cc, k, t), RSA_CROSSCERT_OK);
  ck_assert_int_eq(rsa_crosscert_check(&cc, k, expiry), RSA_CROSSCERT_OK);
  ck_assert_int_eq(rsa_crosscert_check(&cc, k, expiry + 1), RSA_CROSSCERT_EXPIRED);
  ck_assert_int_eq(rsa_crosscert_check(&cc, wk, t), RSA_CROSSCERT_BAD_SIG);
  /* A changed expiry or key is no longer covered by the signature. */
  cc.exp_hours++;
  ck_assert_int_eq(rsa_crosscert_check(&cc, k, t), RSA_CROSSCERT_BAD_SIG);
  cc.exp_hours--;
  cc.ed_key[31] ^= 1;
  ck_assert_int_eq(rsa_crosscert_check(&cc, k, t), RSA_CROSSCERT_BAD_SIG);

  /* Framing: every prefix fails, a trailing byte fails, a wrong SIGLEN fails. */
  for (size_t i = 0; i < n; i++)
    ck_assert_int_eq(rsa_crosscert_parse(b, i, &cc), -1);
  uint8_t *longer = malloc(n + 1);
  memcpy(longer, b, n);
  longer[n] = 0;
  ck_assert_int_eq(rsa_crosscert_parse(longer, n + 1, &cc), -1);
  longer[36]--;
  ck_assert_int_eq(rsa_crosscert_parse(longer, n, &cc), -1);
  free(longer);

  crypto_rsa_free(k);
  crypto_rsa_free(wk);
  free(b); free(pk); free(wrong); free(ed_id);
}
END_TEST

START_TEST(test_crosscert_create)
{
  crypto_rsa_t *k = crypto_rsa_generate(1024);
  crypto_rsa_t *other = crypto_rsa_generate(1024);
  uint8_t ed[32];
  uint8_t *b = NULL;
  size_t n = 0;
  rsa_crosscert_t cc;
  uint64_t seed = 7;

  ck_assert_ptr_nonnull(k);
  ck_assert_ptr_nonnull(other);
  testutil_fill_random(ed, sizeof(ed), &seed);
  ck_assert_int_eq(rsa_crosscert_create(ed, 480000, k, &b, &n), 0);
  ck_assert_uint_eq(n, 37 + 128);
  ck_assert_int_eq(rsa_crosscert_parse(b, n, &cc), 0);
  ck_assert_mem_eq(cc.ed_key, ed, 32);
  ck_assert_uint_eq(cc.exp_hours, 480000);
  ck_assert_int_eq(rsa_crosscert_check(&cc, k, 480000LL * 3600), RSA_CROSSCERT_OK);
  ck_assert_int_eq(rsa_crosscert_check(&cc, other, 0), RSA_CROSSCERT_BAD_SIG);
  free(b);
  crypto_rsa_free(k);
  crypto_rsa_free(other);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("proto_certs_edcert");
  TESTUTIL_ADD(s, test_chutney_type4, 30);
  TESTUTIL_ADD(s, test_chutney_type5, 30);
  TESTUTIL_ADD(s, test_arti_invalid, 30);
  TESTUTIL_ADD(s, test_arti_key_mismatch, 30);
  TESTUTIL_ADD(s, test_truncation_and_flips, 60);
  TESTUTIL_ADD(s, test_live_identity_cert, 30);
  TESTUTIL_ADD(s, test_live_ntor_crosscert, 30);
  TESTUTIL_ADD(s, test_create_roundtrip, 30);
  TESTUTIL_ADD(s, test_crosscert_arti, 30);
  TESTUTIL_ADD(s, test_crosscert_create, 60);
  return s;
}
