/* test_certs_check.c — CERTS-cell authentication: a real CERTS cell captured
 * from a tor relay (arti's chutney vector) at its fixed time, then generated
 * certificate sets for every failure path, each with its specific code. */
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/crypto/digest.h"
#include "lib/crypto/ed25519.h"
#include "lib/crypto/rsa.h"
#include "lib/crypto/x509.h"
#include "proto/certs/certs_check.h"
#include "proto/certs/edcert.h"
#include "proto/certs/rsa_crosscert.h"
#include "testutil.h"
#include "vecfile.h"

#define CHUTNEY "certs/chutney_certs_cell.txt"
#define LIVE "certs/tor0_4_9_11_certs_cell.txt"
/* Both real CERTS cells: arti's chutney capture and our 0.4.9.11 capture. */
static const char *const real_files[2] = { CHUTNEY, LIVE };
#define DAY (24 * 60 * 60)
#define NOW ((time_t)1800000000) /* 2027-01-15 */
#define HOURS(t) ((uint32_t)((t) / 3600))

/* ---- the real CERTS cell ---------------------------------------------- */

/* Split a CERTS body N | (type len16 body)*; returns N or -1. */
static int
split_body(const uint8_t *b, size_t n, certs_entry_t *out)
{
  if (n < 1)
    return -1;
  size_t pos = 1;
  for (int i = 0; i < b[0]; i++) {
    if (n - pos < 3)
      return -1;
    size_t len = get_u16(b + pos + 1);
    if (n - pos - 3 < len)
      return -1;
    out[i].type = b[pos];
    out[i].body = b + pos + 3;
    out[i].len = len;
    pos += 3 + len;
  }
  return b[0];
}

typedef struct real_t {
  uint8_t *body, *rsa_id, *ed_id, *digest, *signing;
  size_t body_len;
  certs_entry_t e[8];
  int n;
  time_t now;
} real_t;

static void
real_load(real_t *r, const char *file)
{
  size_t len;
  memset(r, 0, sizeof(*r));
  r->body = vecfile_hex(file, "body", &r->body_len);
  r->rsa_id = vecfile_hex(file, "rsa_id", &len);
  r->ed_id = vecfile_hex(file, "ed_id", &len);
  r->digest = vecfile_hex(file, "tls_cert_sha256", &len);
  r->now = (time_t)vecfile_num(file, "now");
  r->n = split_body(r->body, r->body_len, r->e);
  ck_assert_int_eq(r->n, 5);
}

static void
real_free(real_t *r)
{
  free(r->body); free(r->rsa_id); free(r->ed_id); free(r->digest);
  free(r->signing);
}

START_TEST(test_real_cell_ok)
{
  real_t r;
  certs_auth_t a;
  uint8_t d[32];
  real_load(&r, real_files[_i]);

  /* The TLS certificate is the cell's type-1 cert: hash it ourselves. */
  ck_assert_uint_eq(r.e[0].type, 1);
  crypto_sha256(r.e[0].body, r.e[0].len, d);
  ck_assert_mem_eq(d, r.digest, 32);

  ck_assert_int_eq(certs_check_responder(r.e, (size_t)r.n, d, r.now, r.rsa_id, r.ed_id, &a),
                   CERTS_OK);
  ck_assert_int_eq(a.result, CERTS_OK);
  ck_assert_str_eq(a.reason, "ok");
  ck_assert_mem_eq(a.rsa_id, r.rsa_id, 20);
  ck_assert_mem_eq(a.ed_id, r.ed_id, 32);

  /* Without expectations the identities are learned all the same. */
  memset(&a, 0xff, sizeof(a));
  ck_assert_int_eq(certs_check_responder(r.e, (size_t)r.n, d, r.now, NULL, NULL, &a),
                   CERTS_OK);
  ck_assert_mem_eq(a.rsa_id, r.rsa_id, 20);
  ck_assert_mem_eq(a.ed_id, r.ed_id, 32);

  /* Order does not matter; type 1 is not required. */
  certs_entry_t rev[4] = { r.e[4], r.e[3], r.e[2], r.e[1] };
  ck_assert_int_eq(certs_check_responder(rev, 4, d, r.now, r.rsa_id, r.ed_id, &a), CERTS_OK);
  real_free(&r);
}
END_TEST

/* arti's vector: the signing key is known too. */
START_TEST(test_real_chutney_signing_key)
{
  real_t r;
  certs_auth_t a;
  size_t len;
  real_load(&r, CHUTNEY);
  r.signing = vecfile_hex(CHUTNEY, "signing_key", &len);
  ck_assert_int_eq(certs_check_responder(r.e, 5, r.digest, r.now, r.rsa_id, r.ed_id, &a),
                   CERTS_OK);
  ck_assert_mem_eq(a.signing_key, r.signing, 32);
  real_free(&r);
}
END_TEST

/* Our 0.4.9.11 capture: the certificate the TLS handshake presented is the
 * cell's type-1 cert, and its digest is what type 5 certifies. */
START_TEST(test_real_live_tls_cert)
{
  real_t r;
  certs_auth_t a;
  size_t len;
  uint8_t d[32];
  real_load(&r, LIVE);
  uint8_t *der = vecfile_hex(LIVE, "tls_cert_der", &len);
  ck_assert_uint_eq(len, r.e[0].len);
  ck_assert_mem_eq(der, r.e[0].body, len);
  crypto_x509_t *c = crypto_x509_from_der(der, len);
  ck_assert_ptr_nonnull(c);
  ck_assert_int_eq(crypto_x509_digest_sha256(c, d), 0);
  ck_assert_int_eq(certs_check_responder(r.e, 5, d, r.now, r.rsa_id, r.ed_id, &a), CERTS_OK);
  /* The type-1 cert is signed by the type-2 identity key (not checked by
   * the Ed25519 rules, but it proves the vector is one relay's). */
  crypto_x509_t *id = crypto_x509_from_der(r.e[1].body, r.e[1].len);
  crypto_rsa_t *k = crypto_x509_get_rsa(id);
  ck_assert_int_eq(crypto_x509_check_signed_by(c, k), 0);
  crypto_rsa_free(k);
  crypto_x509_free(id);
  crypto_x509_free(c);
  free(der);
  real_free(&r);
}
END_TEST

/* A real cell checked at other times: each cert expires in turn. */
START_TEST(test_real_cell_times)
{
  real_t r;
  certs_auth_t a;
  real_load(&r, CHUTNEY);
  const struct { time_t t; certs_result_t res; uint8_t type; } cases[] = {
    { 1601316000, CERTS_OK, 0 },            /* type 5 expiry instant: still valid */
    { 1601316001, CERTS_ERR_EXPIRED, 5 },   /* type 5: 2020-09-28T18:00:00Z */
    { 1603735201, CERTS_ERR_EXPIRED, 4 },   /* type 4: 2020-10-26T18:00:00Z */
    { 1593561600, CERTS_ERR_EXPIRED, 2 },   /* 2020-07-01: X.509 starts 2020-08-10, slop 30 days */
    { 1594512000, CERTS_OK, 0 },            /* 2020-07-12: inside the 30-day future slop */
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    ck_assert_int_eq(certs_check_responder(r.e, 5, r.digest, cases[i].t, r.rsa_id, r.ed_id, &a),
                     cases[i].res);
    ck_assert_uint_eq(a.failed_type, cases[i].type);
  }
  real_free(&r);
}
END_TEST

START_TEST(test_real_live_times)
{
  real_t r;
  certs_auth_t a;
  real_load(&r, LIVE);
  time_t t5 = (time_t)vecfile_num(LIVE, "expiry_t5");
  time_t t4 = (time_t)vecfile_num(LIVE, "expiry_t4");
  time_t t7 = (time_t)vecfile_num(LIVE, "expiry_t7");
  ck_assert_int_lt(t5, t4);
  ck_assert_int_lt(t4, t7);
  ck_assert_int_eq(certs_check_responder(r.e, 5, r.digest, t5, NULL, NULL, &a), CERTS_OK);
  ck_assert_int_eq(certs_check_responder(r.e, 5, r.digest, t5 + 1, NULL, NULL, &a),
                   CERTS_ERR_EXPIRED);
  ck_assert_uint_eq(a.failed_type, 5);
  ck_assert_int_eq(certs_check_responder(r.e, 5, r.digest, t4 + 1, NULL, NULL, &a),
                   CERTS_ERR_EXPIRED);
  ck_assert_uint_eq(a.failed_type, 4);
  /* Type 7 expires last (4 and 5 have expired by then), so check the
   * crosscert itself against the type-2 key. */
  rsa_crosscert_t cc;
  ck_assert_int_eq(rsa_crosscert_parse(r.e[4].body, r.e[4].len, &cc), 0);
  crypto_x509_t *id = crypto_x509_from_der(r.e[1].body, r.e[1].len);
  crypto_rsa_t *k = crypto_x509_get_rsa(id);
  ck_assert_int_eq(rsa_crosscert_check(&cc, k, t7), RSA_CROSSCERT_OK);
  ck_assert_int_eq(rsa_crosscert_check(&cc, k, t7 + 1), RSA_CROSSCERT_EXPIRED);
  crypto_rsa_free(k);
  crypto_x509_free(id);
  real_free(&r);
}
END_TEST

/* arti's certs_missing / certs_wrongtarget / certs_badsig on the real cell. */
START_TEST(test_real_cell_failures)
{
  real_t r;
  certs_auth_t a;
  real_load(&r, real_files[_i]);
  uint8_t other20[20], other32[32];
  memset(other20, 0x99, sizeof(other20));
  memset(other32, 0x10, sizeof(other32));

  for (int omit = 1; omit < 5; omit++) {
    certs_entry_t e[4];
    int k = 0;
    for (int i = 1; i < 5; i++)
      if (i != omit)
        e[k++] = r.e[i];
    ck_assert_int_eq(certs_check_responder(e, 3, r.digest, r.now, r.rsa_id, r.ed_id, &a),
                     CERTS_ERR_MISSING);
    ck_assert_uint_eq(a.failed_type, r.e[omit].type);
  }
  ck_assert_int_eq(certs_check_responder(r.e, 5, r.digest, r.now, r.rsa_id, other32, &a),
                   CERTS_ERR_ED_ID_MISMATCH);
  ck_assert_int_eq(certs_check_responder(r.e, 5, r.digest, r.now, other20, r.ed_id, &a),
                   CERTS_ERR_RSA_ID_MISMATCH);
  ck_assert_int_eq(certs_check_responder(r.e, 5, other32, r.now, r.rsa_id, r.ed_id, &a),
                   CERTS_ERR_TLS_MISMATCH);
  ck_assert_str_eq(a.reason, "CERTS: type 5 certificate does not match the TLS certificate");

  /* Munge the last byte of the type-5 and of the type-7 signatures. */
  for (int idx = 3; idx <= 4; idx++) {
    uint8_t *copy = malloc(r.e[idx].len);
    memcpy(copy, r.e[idx].body, r.e[idx].len);
    copy[r.e[idx].len - 1] ^= 0x10;
    certs_entry_t e[5];
    memcpy(e, r.e, sizeof(e));
    e[idx].body = copy;
    ck_assert_int_eq(certs_check_responder(e, 5, r.digest, r.now, r.rsa_id, r.ed_id, &a),
                     CERTS_ERR_BAD_SIG);
    ck_assert_uint_eq(a.failed_type, e[idx].type);
    free(copy);
  }
  real_free(&r);
}
END_TEST

/* ---- generated relays ------------------------------------------------- */

typedef struct relay_t {
  crypto_rsa_t *rsa_id, *link_key;
  crypto_x509_t *id_cert, *link_cert;
  ed25519_keypair_t master, signing, link_auth;
  certs_our_keys_t keys;
  uint8_t tls_digest[32];
  uint8_t rsa_fp[20];
  certs_list_t list;       /* what certs_build_* made */
  certs_entry_t e[10];     /* a mutable view of it */
  size_t n;
  uint8_t *extra[16];      /* bodies the test made, freed by relay_free */
  int n_extra;
} relay_t;

static void
relay_make_id_cert(relay_t *r, const crypto_rsa_t *issuer, time_t nb, time_t na)
{
  crypto_x509_free(r->id_cert);
  r->id_cert = crypto_x509_create(r->rsa_id, issuer, "www.idtest.com", "www.idtest.com", nb, na);
  ck_assert_ptr_nonnull(r->id_cert);
  r->keys.id_cert = r->id_cert;
}

static void
relay_init(relay_t *r, int id_bits)
{
  memset(r, 0, sizeof(*r));
  r->rsa_id = crypto_rsa_generate(id_bits);
  r->link_key = crypto_rsa_generate(1024);
  ck_assert_ptr_nonnull(r->rsa_id);
  ck_assert_ptr_nonnull(r->link_key);
  relay_make_id_cert(r, r->rsa_id, NOW - DAY, NOW + 365 * DAY);
  r->link_cert = crypto_x509_create(r->link_key, r->rsa_id, "www.linktest.net",
                                    "www.idtest.com", NOW - DAY, NOW + 365 * DAY);
  ck_assert_ptr_nonnull(r->link_cert);
  ck_assert_int_eq(crypto_x509_digest_sha256(r->link_cert, r->tls_digest), 0);
  ck_assert_int_eq(crypto_rsa_fingerprint(r->rsa_id, r->rsa_fp), 0);
  ed25519_keypair_generate(&r->master);
  ed25519_keypair_generate(&r->signing);
  ed25519_keypair_generate(&r->link_auth);
  r->keys.rsa_id = r->rsa_id;
  r->keys.link_cert = r->link_cert;
  r->keys.master = &r->master;
  r->keys.signing = &r->signing;
  r->keys.link_auth = &r->link_auth;
  r->keys.signing_exp_hours = HOURS(NOW) + 30 * 24;
  r->keys.link_exp_hours = HOURS(NOW) + 2 * 24;
  r->keys.crosscert_exp_hours = HOURS(NOW) + 180 * 24;
}

/* (Re)build the list; initiator selects the 2,4,6,7 set. */
static void
relay_build(relay_t *r, int initiator)
{
  certs_list_clear(&r->list);
  int rv = initiator ? certs_build_initiator(&r->keys, &r->list)
                     : certs_build_responder(&r->keys, &r->list);
  ck_assert_int_eq(rv, 0);
  memcpy(r->e, r->list.entries, r->list.n * sizeof(certs_entry_t));
  r->n = r->list.n;
}

static void
relay_free(relay_t *r)
{
  certs_list_clear(&r->list);
  for (int i = 0; i < r->n_extra; i++)
    free(r->extra[i]);
  crypto_x509_free(r->id_cert);
  crypto_x509_free(r->link_cert);
  crypto_rsa_free(r->rsa_id);
  crypto_rsa_free(r->link_key);
}

static size_t
relay_find(const relay_t *r, uint8_t type)
{
  for (size_t i = 0; i < r->n; i++)
    if (r->e[i].type == type)
      return i;
  ck_abort_msg("no type %d", type);
  return 0;
}

/* Replace the body of entry `type` with b (owned by r from now on). */
static void
relay_replace(relay_t *r, uint8_t type, uint8_t *b, size_t len)
{
  size_t i = relay_find(r, type);
  ck_assert_int_lt(r->n_extra, 16);
  r->extra[r->n_extra++] = b;
  r->e[i].body = b;
  r->e[i].len = len;
}

/* Replace entry `type` with a copy whose byte at offset (from the end if
 * negative) is xored with x. */
static void
relay_flip(relay_t *r, uint8_t type, long off, uint8_t x)
{
  size_t i = relay_find(r, type);
  uint8_t *b = malloc(r->e[i].len);
  memcpy(b, r->e[i].body, r->e[i].len);
  size_t at = off < 0 ? r->e[i].len - (size_t)(-off) : (size_t)off;
  b[at] ^= x;
  relay_replace(r, type, b, r->e[i].len);
}

static certs_result_t
resp(relay_t *r, certs_auth_t *a)
{
  return certs_check_responder(r->e, r->n, r->tls_digest, NOW, r->rsa_fp, r->master.pub, a);
}

static certs_result_t
init_check(relay_t *r, certs_auth_t *a)
{
  return certs_check_initiator(r->e, r->n, NOW, r->rsa_fp, r->master.pub, a);
}

#define EXPECT_FAIL(call, code, type) do {                 \
    certs_auth_t a_;                                        \
    ck_assert_int_eq((call)(&r, &a_), (code));              \
    ck_assert_int_eq(a_.result, (code));                    \
    ck_assert_uint_eq(a_.failed_type, (type));              \
    ck_assert_msg(strncmp(a_.reason, "CERTS: ", 7) == 0, "%s", a_.reason); \
  } while (0)

START_TEST(test_gen_responder_ok)
{
  relay_t r;
  certs_auth_t a;
  relay_init(&r, 1024);
  relay_build(&r, 0);
  ck_assert_uint_eq(r.n, 5);
  const uint8_t order[5] = { 1, 2, 4, 5, 7 };
  for (int i = 0; i < 5; i++)
    ck_assert_uint_eq(r.e[i].type, order[i]);
  ck_assert_int_eq(resp(&r, &a), CERTS_OK);
  ck_assert_mem_eq(a.rsa_id, r.rsa_fp, 20);
  ck_assert_mem_eq(a.ed_id, r.master.pub, 32);
  ck_assert_mem_eq(a.signing_key, r.signing.pub, 32);
  uint8_t *der = NULL;
  size_t der_len = 0;
  uint8_t d[32];
  ck_assert_int_eq(crypto_rsa_public_der(r.rsa_id, &der, &der_len), 0);
  crypto_sha256(der, der_len, d);
  ck_assert_mem_eq(a.rsa_id_sha256, d, 32);
  free(der);

  /* Unknown types are ignored, even twice. */
  static const uint8_t junk[3] = { 1, 2, 3 };
  r.e[r.n++] = (certs_entry_t){ 99, junk, sizeof(junk) };
  r.e[r.n++] = (certs_entry_t){ 99, junk, sizeof(junk) };
  r.e[r.n++] = (certs_entry_t){ 0, junk, 0 };
  ck_assert_int_eq(resp(&r, &a), CERTS_OK);
  relay_free(&r);
}
END_TEST

START_TEST(test_gen_missing_and_duplicate)
{
  relay_t r;
  relay_init(&r, 1024);
  relay_build(&r, 0);
  const uint8_t required[4] = { 2, 4, 5, 7 };
  for (int k = 0; k < 4; k++) {
    relay_build(&r, 0);
    size_t i = relay_find(&r, required[k]);
    r.e[i] = r.e[--r.n];
    EXPECT_FAIL(resp, CERTS_ERR_MISSING, required[k]);
  }
  /* An empty cell. */
  r.n = 0;
  EXPECT_FAIL(resp, CERTS_ERR_MISSING, 2);
  /* A duplicate of any known type, required or not. */
  const uint8_t dup[5] = { 1, 2, 4, 5, 7 };
  for (int k = 0; k < 5; k++) {
    relay_build(&r, 0);
    r.e[r.n++] = r.e[relay_find(&r, dup[k])];
    EXPECT_FAIL(resp, CERTS_ERR_DUPLICATE, dup[k]);
  }
  relay_free(&r);
}
END_TEST

START_TEST(test_gen_wrong_type)
{
  relay_t r;
  relay_init(&r, 1024);
  relay_build(&r, 0);
  /* The type-5 cert sent as type 4 (and vice versa). */
  size_t i4 = relay_find(&r, 4), i5 = relay_find(&r, 5);
  r.e[i4].type = 5;
  r.e[i5].type = 4;
  EXPECT_FAIL(resp, CERTS_ERR_WRONG_TYPE, 4);

  /* A type-5 cert with CERT_KEY_TYPE 02 (SHA-256 of an RSA key). */
  relay_build(&r, 0);
  uint8_t *b = NULL;
  size_t n = 0;
  ck_assert_int_eq(edcert_create(EDCERT_TYPE_SIGNING_LINK, EDCERT_KEYTYPE_SHA256_RSA,
                                 r.tls_digest, r.keys.link_exp_hours, &r.signing, 0,
                                 &b, &n), 0);
  relay_replace(&r, 5, b, n);
  EXPECT_FAIL(resp, CERTS_ERR_WRONG_TYPE, 5);

  /* Old tor's key type 01 on type 5 is accepted. */
  relay_build(&r, 0);
  ck_assert_int_eq(edcert_create(EDCERT_TYPE_SIGNING_LINK, EDCERT_KEYTYPE_ED25519,
                                 r.tls_digest, r.keys.link_exp_hours, &r.signing, 0,
                                 &b, &n), 0);
  relay_replace(&r, 5, b, n);
  certs_auth_t a;
  ck_assert_int_eq(resp(&r, &a), CERTS_OK);
  relay_free(&r);
}
END_TEST

START_TEST(test_gen_undecodable)
{
  relay_t r;
  relay_init(&r, 1024);
  static const uint8_t junk[5] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
  const uint8_t types[6] = { 1, 2, 3, 4, 5, 7 };
  for (int k = 0; k < 6; k++) {
    relay_build(&r, 0);
    r.e[r.n++] = (certs_entry_t){ types[k], junk, sizeof(junk) };
    if (types[k] != 3) {
      r.e[relay_find(&r, types[k])] = r.e[--r.n];   /* move junk into its slot */
    }
    EXPECT_FAIL(resp, CERTS_ERR_UNDECODABLE, types[k]);
  }
  relay_free(&r);
}
END_TEST

/* A type-4 cert with ext 04 and an unknown extension flagged
 * AFFECTS_VALIDATION, correctly signed by the master key. */
static void
make_critical_ext_cert(relay_t *r, uint8_t **out, size_t *outlen)
{
  size_t len = 40 + 36 + 6 + 64;
  uint8_t *b = calloc(1, len);
  b[0] = 1;
  b[1] = EDCERT_TYPE_ID_SIGNING;
  put_u32(b + 2, r->keys.signing_exp_hours);
  b[6] = EDCERT_KEYTYPE_ED25519;
  memcpy(b + 7, r->signing.pub, 32);
  b[39] = 2;
  put_u16(b + 40, 32);
  b[42] = EDCERT_EXT_SIGNED_WITH_KEY;
  memcpy(b + 44, r->master.pub, 32);
  put_u16(b + 76, 2);
  b[78] = 0x77;                             /* unknown type */
  b[79] = EDCERT_EXT_FLAG_AFFECTS_VALIDATION;
  ck_assert_int_eq(ed25519_sign(&r->master, b, len - 64, b + len - 64), 0);
  *out = b;
  *outlen = len;
}

START_TEST(test_gen_critical_extension)
{
  relay_t r;
  uint8_t *b;
  size_t n;
  relay_init(&r, 1024);
  relay_build(&r, 0);
  make_critical_ext_cert(&r, &b, &n);
  relay_replace(&r, 4, b, n);
  EXPECT_FAIL(resp, CERTS_ERR_CRITICAL_EXTENSION, 4);

  /* The same cert with the flag cleared (and re-signed) is accepted. */
  relay_build(&r, 0);
  make_critical_ext_cert(&r, &b, &n);
  b[79] = 0;
  ck_assert_int_eq(ed25519_sign(&r.master, b, n - 64, b + n - 64), 0);
  relay_replace(&r, 4, b, n);
  certs_auth_t a;
  ck_assert_int_eq(resp(&r, &a), CERTS_OK);
  relay_free(&r);
}
END_TEST

START_TEST(test_gen_no_signing_key)
{
  relay_t r;
  uint8_t *b;
  size_t n;
  relay_init(&r, 1024);
  relay_build(&r, 0);
  ck_assert_int_eq(edcert_create(EDCERT_TYPE_ID_SIGNING, EDCERT_KEYTYPE_ED25519, r.signing.pub,
                                 r.keys.signing_exp_hours, &r.master, 0, &b, &n), 0);
  relay_replace(&r, 4, b, n);
  EXPECT_FAIL(resp, CERTS_ERR_NO_SIGNING_KEY, 4);
  relay_free(&r);
}
END_TEST

START_TEST(test_gen_bad_signatures)
{
  relay_t r;
  relay_init(&r, 1024);
  const uint8_t types[3] = { 4, 5, 7 };
  for (int k = 0; k < 3; k++) {
    relay_build(&r, 0);
    relay_flip(&r, types[k], -1, 0x01);
    EXPECT_FAIL(resp, CERTS_ERR_BAD_SIG, types[k]);
  }
  /* Type 4's ext-04 key replaced: signature no longer verifies with it. */
  relay_build(&r, 0);
  relay_flip(&r, 4, 44, 0x01);
  EXPECT_FAIL(resp, CERTS_ERR_BAD_SIG, 4);

  /* Type 5 signed by the master key instead of the signing key. */
  relay_build(&r, 0);
  uint8_t *b;
  size_t n;
  ck_assert_int_eq(edcert_create(EDCERT_TYPE_SIGNING_LINK, EDCERT_KEYTYPE_SHA256_X509,
                                 r.tls_digest, r.keys.link_exp_hours, &r.master, 0, &b, &n), 0);
  relay_replace(&r, 5, b, n);
  EXPECT_FAIL(resp, CERTS_ERR_BAD_SIG, 5);

  /* Type 7 signed by another RSA key. */
  relay_build(&r, 0);
  crypto_rsa_t *other = crypto_rsa_generate(1024);
  ck_assert_int_eq(rsa_crosscert_create(r.master.pub, r.keys.crosscert_exp_hours, other,
                                        &b, &n), 0);
  relay_replace(&r, 7, b, n);
  EXPECT_FAIL(resp, CERTS_ERR_BAD_SIG, 7);

  /* Type 2 not self-signed: issued by another key. */
  relay_make_id_cert(&r, other, NOW - DAY, NOW + 365 * DAY);
  relay_build(&r, 0);
  EXPECT_FAIL(resp, CERTS_ERR_BAD_SIG, 2);
  crypto_rsa_free(other);
  relay_free(&r);
}
END_TEST

START_TEST(test_gen_expired)
{
  relay_t r;
  certs_auth_t a;
  relay_init(&r, 1024);
  uint32_t good4 = r.keys.signing_exp_hours, good5 = r.keys.link_exp_hours;
  uint32_t good7 = r.keys.crosscert_exp_hours;

  r.keys.signing_exp_hours = HOURS(NOW) - 1;
  relay_build(&r, 0);
  EXPECT_FAIL(resp, CERTS_ERR_EXPIRED, 4);
  r.keys.signing_exp_hours = good4;

  r.keys.link_exp_hours = HOURS(NOW) - 1;
  relay_build(&r, 0);
  EXPECT_FAIL(resp, CERTS_ERR_EXPIRED, 5);
  r.keys.link_exp_hours = good5;

  r.keys.crosscert_exp_hours = HOURS(NOW) - 1;
  relay_build(&r, 0);
  EXPECT_FAIL(resp, CERTS_ERR_EXPIRED, 7);
  r.keys.crosscert_exp_hours = good7;

  /* X.509 type 2: expired 3 days ago fails, 1 day ago is inside the slop;
   * starting in 31 days fails, in 29 days is inside the slop. */
  const struct { time_t nb, na; certs_result_t res; } x[] = {
    { NOW - 30 * DAY, NOW - 3 * DAY, CERTS_ERR_EXPIRED },
    { NOW - 30 * DAY, NOW - 1 * DAY, CERTS_OK },
    { NOW + 31 * DAY, NOW + 365 * DAY, CERTS_ERR_EXPIRED },
    { NOW + 29 * DAY, NOW + 365 * DAY, CERTS_OK },
  };
  for (size_t i = 0; i < sizeof(x) / sizeof(x[0]); i++) {
    relay_make_id_cert(&r, r.rsa_id, x[i].nb, x[i].na);
    relay_build(&r, 0);
    ck_assert_int_eq(resp(&r, &a), x[i].res);
    ck_assert_uint_eq(a.failed_type, x[i].res == CERTS_OK ? 0 : 2);
  }
  relay_free(&r);
}
END_TEST

START_TEST(test_gen_tls_mismatch)
{
  relay_t r;
  relay_init(&r, 1024);
  relay_build(&r, 0);
  r.tls_digest[0] ^= 1;
  EXPECT_FAIL(resp, CERTS_ERR_TLS_MISMATCH, 5);
  relay_free(&r);
}
END_TEST

START_TEST(test_gen_rsa_not_1024)
{
  relay_t r;
  /* A whole consistent set around a 1536-bit identity (its crosscert
   * signature still fits SIGLEN). */
  relay_init(&r, 1536);
  relay_build(&r, 0);
  EXPECT_FAIL(resp, CERTS_ERR_NOT_RSA1024, 2);
  relay_free(&r);

  /* A self-signed 2048-bit identity cert in a 1024-bit set. */
  relay_init(&r, 1024);
  relay_build(&r, 0);
  crypto_rsa_t *big = crypto_rsa_generate(2048);
  ck_assert_ptr_nonnull(big);
  crypto_x509_t *c = crypto_x509_create(big, big, "www.big.com", "www.big.com",
                                        NOW - DAY, NOW + DAY);
  ck_assert_ptr_nonnull(c);
  size_t n = 0;
  const uint8_t *der = crypto_x509_der(c, &n);
  uint8_t *b = malloc(n);
  memcpy(b, der, n);
  relay_replace(&r, 2, b, n);
  EXPECT_FAIL(resp, CERTS_ERR_NOT_RSA1024, 2);
  crypto_x509_free(c);
  crypto_rsa_free(big);
  relay_free(&r);
}
END_TEST

START_TEST(test_gen_identity_mismatch)
{
  relay_t r;
  relay_init(&r, 1024);
  relay_build(&r, 0);
  r.rsa_fp[19] ^= 1;
  EXPECT_FAIL(resp, CERTS_ERR_RSA_ID_MISMATCH, 2);
  r.rsa_fp[19] ^= 1;
  r.master.pub[0] ^= 1;  /* only the expectation changes: the certs are built */
  EXPECT_FAIL(resp, CERTS_ERR_ED_ID_MISMATCH, 4);
  relay_free(&r);
}
END_TEST

START_TEST(test_gen_crosscert_mismatch)
{
  relay_t r;
  uint8_t *b;
  size_t n;
  ed25519_keypair_t other;
  relay_init(&r, 1024);
  relay_build(&r, 0);
  ed25519_keypair_generate(&other);
  ck_assert_int_eq(rsa_crosscert_create(other.pub, r.keys.crosscert_exp_hours, r.rsa_id,
                                        &b, &n), 0);
  relay_replace(&r, 7, b, n);
  EXPECT_FAIL(resp, CERTS_ERR_CROSSCERT_MISMATCH, 7);
  relay_free(&r);
}
END_TEST

START_TEST(test_gen_initiator)
{
  relay_t r;
  certs_auth_t a;
  relay_init(&r, 1024);
  relay_build(&r, 1);
  ck_assert_uint_eq(r.n, 4);
  const uint8_t order[4] = { 2, 4, 6, 7 };
  for (int i = 0; i < 4; i++)
    ck_assert_uint_eq(r.e[i].type, order[i]);
  ck_assert_int_eq(init_check(&r, &a), CERTS_OK);
  ck_assert_mem_eq(a.link_auth_key, r.link_auth.pub, 32);
  ck_assert_mem_eq(a.rsa_id, r.rsa_fp, 20);
  ck_assert_mem_eq(a.ed_id, r.master.pub, 32);
  ck_assert_int_eq(certs_check_initiator(r.e, r.n, NOW, NULL, NULL, &a), CERTS_OK);

  /* A responder set is not an initiator set and vice versa. */
  EXPECT_FAIL(resp, CERTS_ERR_MISSING, 5);
  relay_build(&r, 0);
  EXPECT_FAIL(init_check, CERTS_ERR_MISSING, 6);

  relay_build(&r, 1);
  relay_flip(&r, 6, -1, 0x80);
  EXPECT_FAIL(init_check, CERTS_ERR_BAD_SIG, 6);

  r.keys.link_exp_hours = HOURS(NOW) - 1;
  relay_build(&r, 1);
  EXPECT_FAIL(init_check, CERTS_ERR_EXPIRED, 6);
  relay_free(&r);
}
END_TEST

START_TEST(test_build_needs_keys)
{
  relay_t r;
  certs_list_t l;
  relay_init(&r, 1024);
  r.keys.link_cert = NULL;
  ck_assert_int_eq(certs_build_responder(&r.keys, &l), -1);
  ck_assert_uint_eq(l.n, 0);
  ck_assert_int_eq(certs_build_initiator(&r.keys, &l), 0);
  certs_list_clear(&l);
  r.keys.link_auth = NULL;
  ck_assert_int_eq(certs_build_initiator(&r.keys, &l), -1);
  relay_free(&r);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("proto_certs_check");
  TCase *tc = tcase_create("real_cells");
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, test_real_cell_ok, 0, 2);
  tcase_add_loop_test(tc, test_real_cell_failures, 0, 2);
  suite_add_tcase(s, tc);
  TESTUTIL_ADD(s, test_real_chutney_signing_key, 30);
  TESTUTIL_ADD(s, test_real_live_tls_cert, 30);
  TESTUTIL_ADD(s, test_real_cell_times, 30);
  TESTUTIL_ADD(s, test_real_live_times, 30);
  TESTUTIL_ADD(s, test_gen_responder_ok, 60);
  TESTUTIL_ADD(s, test_gen_missing_and_duplicate, 60);
  TESTUTIL_ADD(s, test_gen_wrong_type, 60);
  TESTUTIL_ADD(s, test_gen_undecodable, 60);
  TESTUTIL_ADD(s, test_gen_critical_extension, 60);
  TESTUTIL_ADD(s, test_gen_no_signing_key, 60);
  TESTUTIL_ADD(s, test_gen_bad_signatures, 60);
  TESTUTIL_ADD(s, test_gen_expired, 60);
  TESTUTIL_ADD(s, test_gen_tls_mismatch, 60);
  TESTUTIL_ADD(s, test_gen_rsa_not_1024, 60);
  TESTUTIL_ADD(s, test_gen_identity_mismatch, 60);
  TESTUTIL_ADD(s, test_gen_crosscert_mismatch, 60);
  TESTUTIL_ADD(s, test_gen_initiator, 60);
  TESTUTIL_ADD(s, test_build_needs_keys, 60);
  return s;
}
