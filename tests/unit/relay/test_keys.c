/* test_keys.c — relay keys: creation, reload, file modes, corruption,
 * signing-key rotation, the link certificate, fingerprint formatting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#ifdef _WIN32
#include <direct.h>
#define rmdir _rmdir
#else
#include <unistd.h>
#endif
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "app/app.h"
#include "lib/alloc.h"
#include "lib/crypto/rand.h"
#include "proto/certs/certs_check.h"
#include "proto/certs/edcert.h"
#include "relay/keys.h"
#include "testutil.h"

static const char *key_files[] = { "secret_id_key", "ed25519_master_id_secret_key",
                                   "ed25519_signing_secret_key", "ed25519_signing_cert" };
#define N_KEY_FILES 4

/* A fresh relative data directory name (meson runs tests in the build dir). */
static void
fresh_dir(char *out, size_t n)
{
  uint32_t r;
  crypto_rand(&r, sizeof(r));
  snprintf(out, n, "test-relay-keys-%08x", (unsigned)r);
}

static void
key_path(char *out, size_t n, const char *dir, const char *file)
{
  snprintf(out, n, "%s/keys/%s", dir, file);
}

static void
remove_dir(const char *dir)
{
  char p[512];
  for (int i = 0; i < N_KEY_FILES; i++) {
    key_path(p, sizeof(p), dir, key_files[i]);
    remove(p);
  }
  snprintf(p, sizeof(p), "%s/keys", dir);
  rmdir(p);
  rmdir(dir);
}

static relay_keys_t *
load(const char *dir, time_t now)
{
  char err[256];
#ifdef _WIN32
  _mkdir(dir);
#else
  mkdir(dir, 0700);
#endif
  relay_keys_t *k = relay_keys_load_or_create(dir, now, err, sizeof(err));
  ck_assert_msg(k != NULL, "load failed: %s", err);
  return k;
}

START_TEST(test_create_and_reload)
{
  char dir[64];
  fresh_dir(dir, sizeof(dir));
  time_t now = time(NULL);
  relay_keys_t *a = load(dir, now);
  relay_keys_t *b = load(dir, now);
  ck_assert_mem_eq(a->rsa_id_digest, b->rsa_id_digest, DIGEST_LEN);
  ck_assert_mem_eq(a->master.pub, b->master.pub, ED25519_PUBKEY_LEN);
  ck_assert_mem_eq(a->signing.pub, b->signing.pub, ED25519_PUBKEY_LEN);
  ck_assert_int_eq(a->signing_exp_hours, b->signing_exp_hours);
  ck_assert_int_eq(crypto_rsa_bits(a->rsa_id), 1024);
  /* The in-memory keys are fresh on each start. */
  ck_assert_int_ne(memcmp(a->link_auth.pub, b->link_auth.pub, ED25519_PUBKEY_LEN), 0);
#ifndef _WIN32
  for (int i = 0; i < N_KEY_FILES; i++) {
    char p[512];
    struct stat st;
    key_path(p, sizeof(p), dir, key_files[i]);
    ck_assert_int_eq(stat(p, &st), 0);
    ck_assert_msg((st.st_mode & 0777) == 0600, "%s has mode %o", key_files[i],
                  (unsigned)(st.st_mode & 0777));
  }
#endif
  relay_keys_free(a);
  relay_keys_free(b);
  remove_dir(dir);
}
END_TEST

/* The fingerprint is SHA-1 of the PKCS#1 RSAPublicKey DER, computed here
 * with OpenSSL directly from the saved PEM file. */
START_TEST(test_fingerprint_matches_openssl)
{
  char dir[64], p[512];
  fresh_dir(dir, sizeof(dir));
  relay_keys_t *k = load(dir, time(NULL));
  key_path(p, sizeof(p), dir, "secret_id_key");
  BIO *bio = BIO_new_file(p, "r");
  ck_assert_ptr_nonnull(bio);
  EVP_PKEY *pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
  BIO_free(bio);
  ck_assert_ptr_nonnull(pk);
  unsigned char *der = NULL;
  int n = i2d_PublicKey(pk, &der);
  ck_assert_int_gt(n, 0);
  unsigned char sha[20];
  SHA1(der, (size_t)n, sha);
  OPENSSL_free(der);
  EVP_PKEY_free(pk);
  ck_assert_mem_eq(sha, k->rsa_id_digest, 20);
  relay_keys_free(k);
  remove_dir(dir);
}
END_TEST

START_TEST(test_format_fingerprint)
{
  uint8_t id[20];
  char out[RELAY_FINGERPRINT_FMT_LEN + 1];
  for (int i = 0; i < 20; i++)
    id[i] = (uint8_t)(i == 19 ? 0xfe : i);
  relay_keys_format_fingerprint(id, out);
  ck_assert_str_eq(out, "0001 0203 0405 0607 0809 0A0B 0C0D 0E0F 1011 12FE");
  ck_assert_int_eq(strlen(out), RELAY_FINGERPRINT_FMT_LEN);
}
END_TEST

static void
corrupt_and_expect_error(const char *file, const char *junk, size_t junklen)
{
  char dir[64], p[512], err[256];
  fresh_dir(dir, sizeof(dir));
  relay_keys_free(load(dir, time(NULL)));
  key_path(p, sizeof(p), dir, file);
  FILE *f = fopen(p, "wb");
  ck_assert_ptr_nonnull(f);
  fwrite(junk, 1, junklen, f);
  fclose(f);
  relay_keys_t *k = relay_keys_load_or_create(dir, time(NULL), err, sizeof(err));
  ck_assert_ptr_null(k);
  ck_assert_msg(strstr(err, file) != NULL, "error does not name %s: %s", file, err);
  ck_assert_msg(strstr(err, "corrupt") != NULL, "error does not say corrupt: %s", err);
  remove_dir(dir);
}

START_TEST(test_corrupt_files)
{
  corrupt_and_expect_error("secret_id_key", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n", 37);
  corrupt_and_expect_error("ed25519_master_id_secret_key", "short", 5);
  char wrongtag[64];
  memset(wrongtag, 'x', sizeof(wrongtag));
  corrupt_and_expect_error("ed25519_signing_secret_key", wrongtag, sizeof(wrongtag));
  corrupt_and_expect_error("ed25519_signing_cert", wrongtag, sizeof(wrongtag));
}
END_TEST

/* A signing cert that certifies another key (or by another master) is refused. */
START_TEST(test_signing_cert_must_match)
{
  char dir[64], dir2[64], p[512], p2[512], err[256];
  fresh_dir(dir, sizeof(dir));
  fresh_dir(dir2, sizeof(dir2));
  relay_keys_free(load(dir, time(NULL)));
  relay_keys_free(load(dir2, time(NULL)));
  key_path(p, sizeof(p), dir, "ed25519_signing_cert");
  key_path(p2, sizeof(p2), dir2, "ed25519_signing_cert");
  ck_assert_int_eq(rename(p2, p) == 0 || (remove(p) == 0 && rename(p2, p) == 0), 1);
  ck_assert_ptr_null(relay_keys_load_or_create(dir, time(NULL), err, sizeof(err)));
  ck_assert_ptr_nonnull(strstr(err, "ed25519_signing_cert"));
  remove_dir(dir);
  remove_dir(dir2);
}
END_TEST

START_TEST(test_signing_key_rotation)
{
  char dir[64];
  fresh_dir(dir, sizeof(dir));
  time_t now = time(NULL);
  relay_keys_t *a = load(dir, now);
  ck_assert_int_ge((time_t)a->signing_exp_hours * 3600, now + RELAY_SIGNING_KEY_LIFETIME - 3600);
  /* Still far from expiry: kept. */
  relay_keys_t *b = load(dir, now + 20 * 86400);
  ck_assert_mem_eq(a->signing.pub, b->signing.pub, ED25519_PUBKEY_LEN);
  /* Less than RELAY_SIGNING_KEY_RENEW_BEFORE left: replaced and saved. */
  time_t later = now + RELAY_SIGNING_KEY_LIFETIME - RELAY_SIGNING_KEY_RENEW_BEFORE + 3600;
  relay_keys_t *c = load(dir, later);
  ck_assert_int_ne(memcmp(a->signing.pub, c->signing.pub, ED25519_PUBKEY_LEN), 0);
  ck_assert_mem_eq(a->master.pub, c->master.pub, ED25519_PUBKEY_LEN);
  ck_assert_mem_eq(a->rsa_id_digest, c->rsa_id_digest, DIGEST_LEN);
  edcert_t *cert = NULL;
  ck_assert_int_eq(edcert_parse(c->signing_cert, c->signing_cert_len, &cert), EDCERT_PARSE_OK);
  ck_assert_int_eq(edcert_check(cert, c->master.pub, later), EDCERT_CHECK_OK);
  ck_assert_mem_eq(cert->certified_key, c->signing.pub, ED25519_PUBKEY_LEN);
  edcert_free(cert);
  relay_keys_t *d = load(dir, later);
  ck_assert_mem_eq(c->signing.pub, d->signing.pub, ED25519_PUBKEY_LEN);
  /* relay_keys_rotate() does the same at run time. */
  ck_assert_int_eq(relay_keys_rotate(a, later), 0);
  ck_assert_int_ne(memcmp(a->signing.pub, b->signing.pub, ED25519_PUBKEY_LEN), 0);
  relay_keys_free(a);
  relay_keys_free(b);
  relay_keys_free(c);
  relay_keys_free(d);
  remove_dir(dir);
}
END_TEST

static void
cn_of(X509_NAME *name, char *out, size_t n)
{
  out[0] = '\0';
  X509_NAME_get_text_by_NID(name, NID_commonName, out, (int)n);
}

static int
looks_like(const char *cn, const char *suffix)
{
  size_t n = strlen(cn), s = strlen(suffix);
  if (strncmp(cn, "www.", 4) || n < 4 + 8 + s || strcmp(cn + n - s, suffix))
    return 0;
  for (size_t i = 4; i < n - s; i++)
    if (!((cn[i] >= 'a' && cn[i] <= 'z') || (cn[i] >= '2' && cn[i] <= '7')))
      return 0;
  return 1;
}

START_TEST(test_link_cert)
{
  char dir[64], cn[128];
  fresh_dir(dir, sizeof(dir));
  time_t now = time(NULL);
  relay_keys_t *k = load(dir, now);
  ck_assert_int_eq(crypto_rsa_bits(k->link_key), 2048);
  ck_assert_int_eq(crypto_x509_check_signed_by(k->link_cert, k->rsa_id), 0);
  ck_assert_int_eq(crypto_x509_check_signed_by(k->id_cert, k->rsa_id), 0);
  ck_assert_int_eq(crypto_x509_check_valid_at(k->link_cert, now, 0, 0), 0);
  crypto_rsa_t *pub = crypto_x509_get_rsa(k->link_cert);
  ck_assert_int_eq(crypto_rsa_public_eq(pub, k->link_key), 1);
  crypto_rsa_free(pub);
  X509 *x = crypto_x509_get_openssl(k->link_cert);
  cn_of(X509_get_subject_name(x), cn, sizeof(cn));
  ck_assert_msg(looks_like(cn, ".net"), "subject %s", cn);
  cn_of(X509_get_issuer_name(x), cn, sizeof(cn));
  ck_assert_msg(looks_like(cn, ".com"), "issuer %s", cn);

  /* CERTS built from these keys pass the initiator's check of a responder. */
  certs_our_keys_t ok;
  certs_list_t list;
  certs_auth_t auth;
  uint8_t tls_sha[DIGEST256_LEN];
  relay_keys_get_certs_keys(k, &ok);
  memset(&list, 0, sizeof(list));
  ck_assert_int_eq(certs_build_responder(&ok, &list), 0);
  crypto_x509_digest_sha256(k->link_cert, tls_sha);
  ck_assert_int_eq(certs_check_responder(list.entries, list.n, tls_sha, now, k->rsa_id_digest,
                                         k->master.pub, &auth), CERTS_OK);
  certs_list_clear(&list);
  ck_assert_int_eq(certs_build_initiator(&ok, &list), 0);
  ck_assert_int_eq(certs_check_initiator(list.entries, list.n, now, k->rsa_id_digest,
                                         k->master.pub, &auth), CERTS_OK);
  ck_assert_mem_eq(auth.link_auth_key, k->link_auth.pub, ED25519_PUBKEY_LEN);
  certs_list_clear(&list);

  /* Rotation replaces the link key and certificate, not the identity. */
  const uint8_t *d1;
  size_t l1, l2;
  d1 = crypto_x509_der(k->link_cert, &l1);
  uint8_t *old = x_memdup(d1, l1);
  ck_assert_int_eq(relay_keys_rotate(k, now + 10), 0);
  const uint8_t *d2 = crypto_x509_der(k->link_cert, &l2);
  ck_assert(l1 != l2 || memcmp(old, d2, l1) != 0);
  ck_assert_int_eq(crypto_x509_check_signed_by(k->link_cert, k->rsa_id), 0);
  x_free(old);
  relay_keys_free(k);
  remove_dir(dir);
}
END_TEST

START_TEST(test_nickname)
{
  ck_assert_int_eq(relay_nickname_is_valid("Unnamed"), 1);
  ck_assert_int_eq(relay_nickname_is_valid("a"), 1);
  ck_assert_int_eq(relay_nickname_is_valid("abcdefghij123456789"), 1);
  ck_assert_int_eq(relay_nickname_is_valid("abcdefghij1234567890"), 0);
  ck_assert_int_eq(relay_nickname_is_valid(""), 0);
  ck_assert_int_eq(relay_nickname_is_valid("bad_name"), 0);
  ck_assert_int_eq(relay_nickname_is_valid("sp ace"), 0);
}
END_TEST

/* `evonion --list-fingerprint --data-directory D [--nickname N]`. */
static int
run_list(const char *dir, const char *nick, char *out, size_t outlen)
{
  char *argv[6] = { "evonion", "--list-fingerprint", "--data-directory", (char *)dir, NULL, NULL };
  int argc = 4;
  char nickarg[64];
  if (nick) {
    snprintf(nickarg, sizeof(nickarg), "--nickname=%s", nick);
    argv[argc++] = nickarg;
  }
  FILE *o = tmpfile(), *e = tmpfile();
  ck_assert_ptr_nonnull(o);
  ck_assert_ptr_nonnull(e);
  int rc = app_main_io(argc, argv, o, e);
  rewind(o);
  size_t n = fread(out, 1, outlen - 1, o);
  out[n] = '\0';
  fclose(o);
  fclose(e);
  return rc;
}

START_TEST(test_list_fingerprint)
{
  char dir[64], out1[256], out2[256], want[128], fp[RELAY_FINGERPRINT_FMT_LEN + 1];
  fresh_dir(dir, sizeof(dir));
  ck_assert_int_eq(run_list(dir, "Relay7", out1, sizeof(out1)), 0);
  ck_assert_int_eq(run_list(dir, "Relay7", out2, sizeof(out2)), 0);
  ck_assert_str_eq(out1, out2);
  relay_keys_t *k = load(dir, time(NULL));
  relay_keys_format_fingerprint(k->rsa_id_digest, fp);
  snprintf(want, sizeof(want), "Relay7 %s\n", fp);
  ck_assert_str_eq(out1, want);
  relay_keys_free(k);
  ck_assert_int_eq(run_list(dir, NULL, out1, sizeof(out1)), 0);
  ck_assert_int_eq(strncmp(out1, "Unnamed ", 8), 0);
  /* A corrupt key file: exit status 1, nothing printed. */
  char p[512];
  key_path(p, sizeof(p), dir, "secret_id_key");
  FILE *f = fopen(p, "wb");
  fputs("junk", f);
  fclose(f);
  ck_assert_int_eq(run_list(dir, NULL, out1, sizeof(out1)), 1);
  ck_assert_str_eq(out1, "");
  remove_dir(dir);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("relay_keys");
  TESTUTIL_ADD(s, test_create_and_reload, 60);
  TESTUTIL_ADD(s, test_fingerprint_matches_openssl, 60);
  TESTUTIL_ADD(s, test_format_fingerprint, 10);
  TESTUTIL_ADD(s, test_corrupt_files, 60);
  TESTUTIL_ADD(s, test_signing_cert_must_match, 60);
  TESTUTIL_ADD(s, test_signing_key_rotation, 60);
  TESTUTIL_ADD(s, test_link_cert, 60);
  TESTUTIL_ADD(s, test_nickname, 10);
  TESTUTIL_ADD(s, test_list_fingerprint, 60);
  return s;
}
