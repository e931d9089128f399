/* certs_check.c — the CERTS-cell authentication rules of tor-spec §4.2 as
 * tor 0.4.9 applies them (protocol-scope.md §A.1.3). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proto/certs/certs_check.h"

#include "lib/alloc.h"
#include "lib/crypto/ct.h"
#include "lib/crypto/digest.h"
#include "proto/certs/edcert.h"
#include "proto/certs/rsa_crosscert.h"

#define MAX_KNOWN_TYPE 7

/* Everything decoded from one CERTS cell. */
typedef struct found_t {
  int present[MAX_KNOWN_TYPE + 1];
  crypto_x509_t *x509[MAX_KNOWN_TYPE + 1]; /* types 1-3 */
  edcert_t *ed[MAX_KNOWN_TYPE + 1];        /* types 4-6 */
  rsa_crosscert_t cc;                      /* type 7 */
  crypto_rsa_t *id_key;                    /* type 2's key */
} found_t;

static void
found_clear(found_t *f)
{
  for (int i = 0; i <= MAX_KNOWN_TYPE; i++) {
    crypto_x509_free(f->x509[i]);
    edcert_free(f->ed[i]);
  }
  crypto_rsa_free(f->id_key);
  memset(f, 0, sizeof(*f));
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 4, 5)))
#endif
static certs_result_t
fail(certs_auth_t *out, certs_result_t r, uint8_t type, const char *fmt, ...)
{
  va_list ap;
  out->result = r;
  out->failed_type = type;
  va_start(ap, fmt);
  vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
  va_end(ap);
  return r;
}

/* Decode one entry of a known type into f. */
static certs_result_t
decode_entry(const certs_entry_t *e, found_t *f, certs_auth_t *out)
{
  uint8_t t = e->type;
  if (t <= CERTTYPE_RSA1024_ID_AUTH) {
    f->x509[t] = crypto_x509_from_der(e->body, e->len);
    if (!f->x509[t])
      return fail(out, CERTS_ERR_UNDECODABLE, t,
                  "CERTS: type %d X.509 certificate does not parse", t);
  } else if (t <= CERTTYPE_ED_SIGN_AUTH) {
    edcert_parse_result_t pr = edcert_parse(e->body, e->len, &f->ed[t]);
    if (pr == EDCERT_PARSE_UNKNOWN_CRITICAL)
      return fail(out, CERTS_ERR_CRITICAL_EXTENSION, t,
                  "CERTS: type %d certificate has an unknown extension that "
                  "affects validation", t);
    if (pr != EDCERT_PARSE_OK)
      return fail(out, CERTS_ERR_UNDECODABLE, t,
                  "CERTS: type %d Ed25519 certificate does not parse: %s", t,
                  edcert_parse_result_to_string(pr));
  } else {
    if (rsa_crosscert_parse(e->body, e->len, &f->cc) != 0)
      return fail(out, CERTS_ERR_UNDECODABLE, t,
                  "CERTS: type 7 cross-certificate does not parse");
  }
  return CERTS_OK;
}

/* Decode every entry of a known type (1-7); reject duplicates. */
static certs_result_t
collect(const certs_entry_t *certs, size_t n, found_t *f, certs_auth_t *out)
{
  if (n > CERTS_MAX_ENTRIES)
    return fail(out, CERTS_ERR_UNDECODABLE, 0, "CERTS: too many certificates (%u)",
                (unsigned)n);
  for (size_t i = 0; i < n; i++) {
    uint8_t t = certs[i].type;
    if (t < 1 || t > MAX_KNOWN_TYPE)
      continue; /* unknown types are ignored */
    if (f->present[t])
      return fail(out, CERTS_ERR_DUPLICATE, t, "CERTS: more than one type %d certificate", t);
    f->present[t] = 1;
    certs_result_t r = decode_entry(&certs[i], f, out);
    if (r != CERTS_OK)
      return r;
  }
  return CERTS_OK;
}

/* Type 2: self-signed RSA-1024 X.509, valid at now within tor's slop. */
static certs_result_t
check_id_cert(found_t *f, time_t now, certs_auth_t *out)
{
  const crypto_x509_t *c = f->x509[CERTTYPE_RSA1024_ID_ID];
  f->id_key = crypto_x509_get_rsa(c);
  if (!f->id_key || crypto_rsa_bits(f->id_key) != 1024)
    return fail(out, CERTS_ERR_NOT_RSA1024, 2,
                "CERTS: type 2 identity key is not a 1024-bit RSA key (%d bits)",
                f->id_key ? crypto_rsa_bits(f->id_key) : 0);
  if (crypto_x509_check_signed_by(c, f->id_key) != 0)
    return fail(out, CERTS_ERR_BAD_SIG, 2,
                "CERTS: type 2 identity certificate is not correctly self-signed");
  if (crypto_x509_check_valid_at(c, now, CERTS_X509_PAST_SLOP, CERTS_X509_FUTURE_SLOP) != 0)
    return fail(out, CERTS_ERR_EXPIRED, 2,
                "CERTS: type 2 identity certificate is expired or not yet valid");

  uint8_t *der = NULL;
  size_t der_len = 0;
  if (crypto_rsa_public_der(f->id_key, &der, &der_len) != 0)
    return fail(out, CERTS_ERR_UNDECODABLE, 2, "CERTS: cannot encode the type 2 key");
  crypto_sha1(der, der_len, out->rsa_id);
  crypto_sha256(der, der_len, out->rsa_id_sha256);
  x_free(der);
  return CERTS_OK;
}

/* Map a failed edcert_check() of cert type t to a result. */
static certs_result_t
ed_check_failed(certs_auth_t *out, uint8_t t, edcert_check_result_t r, const char *signer)
{
  if (r == EDCERT_CHECK_EXPIRED)
    return fail(out, CERTS_ERR_EXPIRED, t, "CERTS: type %d certificate is expired", t);
  return fail(out, CERTS_ERR_BAD_SIG, t,
              "CERTS: type %d certificate is not signed by the %s (%s)", t, signer,
              edcert_check_result_to_string(r));
}

/* Type 4: cert_type 4, key type Ed25519, ext 04 = master, self-consistent. */
static certs_result_t
check_id_signing(found_t *f, time_t now, certs_auth_t *out)
{
  const edcert_t *c = f->ed[CERTTYPE_ED_ID_SIGN];
  if (c->cert_type != EDCERT_TYPE_ID_SIGNING || c->key_type != EDCERT_KEYTYPE_ED25519)
    return fail(out, CERTS_ERR_WRONG_TYPE, 4,
                "CERTS: type 4 entry holds a cert of type %d with key type %d",
                c->cert_type, c->key_type);
  if (!c->has_signing_key)
    return fail(out, CERTS_ERR_NO_SIGNING_KEY, 4,
                "CERTS: type 4 certificate lacks the signed-with-ed25519-key extension");
  edcert_check_result_t r = edcert_check(c, NULL, now);
  if (r != EDCERT_CHECK_OK)
    return ed_check_failed(out, 4, r, "master key of its extension");
  memcpy(out->ed_id, c->signing_key, ED25519_PUBKEY_LEN);
  memcpy(out->signing_key, c->certified_key, ED25519_PUBKEY_LEN);
  return CERTS_OK;
}

/* Type 5 (responder) or 6 (initiator): signed by the type-4 signing key. */
static certs_result_t
check_leaf(found_t *f, uint8_t t, const uint8_t *tls_cert_sha256, time_t now,
           certs_auth_t *out)
{
  const edcert_t *c = f->ed[t];
  int key_ok = (t == CERTTYPE_ED_SIGN_LINK)
    ? (c->key_type == EDCERT_KEYTYPE_SHA256_X509 || c->key_type == EDCERT_KEYTYPE_ED25519)
    : (c->key_type == EDCERT_KEYTYPE_ED25519);
  if (c->cert_type != t || !key_ok)
    return fail(out, CERTS_ERR_WRONG_TYPE, t,
                "CERTS: type %d entry holds a cert of type %d with key type %d",
                t, c->cert_type, c->key_type);
  edcert_check_result_t r = edcert_check(c, out->signing_key, now);
  if (r != EDCERT_CHECK_OK)
    return ed_check_failed(out, t, r, "type 4 signing key");
  if (t == CERTTYPE_ED_SIGN_LINK) {
    if (!crypto_ct_memeq(c->certified_key, tls_cert_sha256, DIGEST256_LEN))
      return fail(out, CERTS_ERR_TLS_MISMATCH, 5,
                  "CERTS: type 5 certificate does not match the TLS certificate");
  } else {
    memcpy(out->link_auth_key, c->certified_key, ED25519_PUBKEY_LEN);
  }
  return CERTS_OK;
}

/* Type 7: certifies the type-4 master key, signed by the type-2 key. */
static certs_result_t
check_crosscert(found_t *f, time_t now, certs_auth_t *out)
{
  if (!crypto_ct_memeq(f->cc.ed_key, out->ed_id, ED25519_PUBKEY_LEN))
    return fail(out, CERTS_ERR_CROSSCERT_MISMATCH, 7,
                "CERTS: type 7 cross-certificate does not certify the Ed25519 identity");
  rsa_crosscert_check_result_t r = rsa_crosscert_check(&f->cc, f->id_key, now);
  if (r == RSA_CROSSCERT_BAD_SIG)
    return fail(out, CERTS_ERR_BAD_SIG, 7,
                "CERTS: type 7 cross-certificate is not signed by the RSA identity key");
  if (r == RSA_CROSSCERT_EXPIRED)
    return fail(out, CERTS_ERR_EXPIRED, 7, "CERTS: type 7 cross-certificate is expired");
  return CERTS_OK;
}

static certs_result_t
check_identities(const uint8_t *expect_rsa_id, const uint8_t *expect_ed_id,
                 certs_auth_t *out)
{
  if (expect_rsa_id && !crypto_ct_memeq(expect_rsa_id, out->rsa_id, DIGEST_LEN))
    return fail(out, CERTS_ERR_RSA_ID_MISMATCH, 2,
                "CERTS: RSA identity does not match the expected relay");
  if (expect_ed_id && !crypto_ct_memeq(expect_ed_id, out->ed_id, ED25519_PUBKEY_LEN))
    return fail(out, CERTS_ERR_ED_ID_MISMATCH, 4,
                "CERTS: Ed25519 identity does not match the expected relay");
  return CERTS_OK;
}

/* The shared walk: leaf is 5 (responder) or 6 (initiator). */
static certs_result_t
check_all(const certs_entry_t *certs, size_t n, uint8_t leaf,
          const uint8_t *tls_cert_sha256, time_t now, const uint8_t *expect_rsa_id,
          const uint8_t *expect_ed_id, certs_auth_t *out)
{
  static const char *const names[MAX_KNOWN_TYPE + 1] = {
    NULL, NULL, "RSA identity ", NULL, "Ed25519 identity->signing ",
    "Ed25519 signing->link ", "Ed25519 signing->auth ", "RSA->Ed25519 cross-",
  };
  const uint8_t required[4] = { CERTTYPE_RSA1024_ID_ID, CERTTYPE_ED_ID_SIGN, leaf,
                                CERTTYPE_RSA_ED_CROSSCERT };
  found_t f;
  certs_result_t r;

  memset(&f, 0, sizeof(f));
  memset(out, 0, sizeof(*out));
  if ((r = collect(certs, n, &f, out)) != CERTS_OK)
    goto done;
  for (int i = 0; i < 4; i++) {
    if (!f.present[required[i]]) {
      r = fail(out, CERTS_ERR_MISSING, required[i], "CERTS: no type %d (%scertificate)",
               required[i], names[required[i]]);
      goto done;
    }
  }
  if ((r = check_id_cert(&f, now, out)) != CERTS_OK ||
      (r = check_id_signing(&f, now, out)) != CERTS_OK ||
      (r = check_leaf(&f, leaf, tls_cert_sha256, now, out)) != CERTS_OK ||
      (r = check_crosscert(&f, now, out)) != CERTS_OK ||
      (r = check_identities(expect_rsa_id, expect_ed_id, out)) != CERTS_OK)
    goto done;
  out->result = CERTS_OK;
  snprintf(out->reason, sizeof(out->reason), "ok");
 done:
  found_clear(&f);
  return r;
}

certs_result_t
certs_check_responder(const certs_entry_t *certs, size_t n_certs,
                      const uint8_t tls_cert_sha256[DIGEST256_LEN], time_t now,
                      const uint8_t *expect_rsa_id, const uint8_t *expect_ed_id,
                      certs_auth_t *out)
{
  return check_all(certs, n_certs, CERTTYPE_ED_SIGN_LINK, tls_cert_sha256, now,
                   expect_rsa_id, expect_ed_id, out);
}

certs_result_t
certs_check_initiator(const certs_entry_t *certs, size_t n_certs, time_t now,
                      const uint8_t *expect_rsa_id, const uint8_t *expect_ed_id,
                      certs_auth_t *out)
{
  return check_all(certs, n_certs, CERTTYPE_ED_SIGN_AUTH, NULL, now, expect_rsa_id,
                   expect_ed_id, out);
}

const char *
certs_result_to_string(certs_result_t r)
{
  switch (r) {
    case CERTS_OK: return "ok";
    case CERTS_ERR_DUPLICATE: return "duplicate";
    case CERTS_ERR_MISSING: return "missing";
    case CERTS_ERR_UNDECODABLE: return "undecodable";
    case CERTS_ERR_CRITICAL_EXTENSION: return "unknown critical extension";
    case CERTS_ERR_WRONG_TYPE: return "wrong type";
    case CERTS_ERR_NOT_RSA1024: return "not RSA-1024";
    case CERTS_ERR_NO_SIGNING_KEY: return "no signing key";
    case CERTS_ERR_BAD_SIG: return "bad signature";
    case CERTS_ERR_EXPIRED: return "expired";
    case CERTS_ERR_TLS_MISMATCH: return "TLS certificate mismatch";
    case CERTS_ERR_CROSSCERT_MISMATCH: return "crosscert mismatch";
    case CERTS_ERR_RSA_ID_MISMATCH: return "RSA identity mismatch";
    case CERTS_ERR_ED_ID_MISMATCH: return "Ed25519 identity mismatch";
  }
  return "unknown";
}
