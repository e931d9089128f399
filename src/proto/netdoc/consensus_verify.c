/* consensus_verify.c — check a parsed consensus's signatures and lifetime
 * (dir-spec §3.4.1 "directory-signature"; tor's
 * networkstatus_check_consensus_signature and
 * networkstatus_get_reasonably_live_consensus). */
#include "proto/netdoc/consensus.h"

#include <stdio.h>
#include <string.h>

const char *
consensus_verify_result_to_string(consensus_verify_result_t r)
{
  switch (r) {
  case CONS_VERIFY_OK: return "ok";
  case CONS_VERIFY_MALFORMED: return "malformed";
  case CONS_VERIFY_NOT_YET_VALID: return "not yet valid";
  case CONS_VERIFY_EXPIRED: return "expired";
  case CONS_VERIFY_MISSING_CERTS: return "missing authority certificates";
  case CONS_VERIFY_BAD_SIGNATURE: return "bad signature";
  case CONS_VERIFY_UNKNOWN_AUTHORITY: return "signed by unknown authorities";
  case CONS_VERIFY_TOO_FEW_SIGNATURES: return "too few signatures";
  }
  return "unknown";
}

/* What we learnt about one configured authority. */
typedef enum auth_state_t {
  AUTH_NO_SIG = 0,   /* did not sign (or only with an unknown algorithm) */
  AUTH_MISSING_CERT, /* signed, no usable certificate for the signing key */
  AUTH_BAD,          /* signed, a certificate matched, the signature failed */
  AUTH_GOOD,         /* a signature verified */
} auth_state_t;

static consensus_verify_result_t
finish(consensus_verify_t *out, consensus_verify_result_t r)
{
  out->result = r;
  return r;
}

/* The usable certificate for (v3ident, signing key digest), or NULL. */
static const authcert_t *
find_cert(authcert_t *const *certs, size_t n_certs, const cons_sig_t *s, int64_t now)
{
  for (size_t i = 0; i < n_certs; i++) {
    const authcert_t *c = certs[i];
    if (memcmp(c->v3ident, s->v3ident, DIGEST_LEN) == 0 &&
        memcmp(c->signing_key_digest, s->sk_digest, DIGEST_LEN) == 0 &&
        authcert_check(c, now) == AUTHCERT_OK)
      return c;
  }
  return NULL;
}

/* Index of v3ident among the configured authorities, or -1. */
static int
auth_index(const uint8_t (*authorities)[DIGEST_LEN], size_t n, const uint8_t *v3ident)
{
  for (size_t i = 0; i < n; i++)
    if (memcmp(authorities[i], v3ident, DIGEST_LEN) == 0)
      return (int)i;
  return -1;
}

static auth_state_t
check_sig(const consensus_t *c, const cons_sig_t *s, authcert_t *const *certs, size_t n_certs,
          int64_t now)
{
  const authcert_t *cert = find_cert(certs, n_certs, s, now);
  if (!cert)
    return AUTH_MISSING_CERT;
  const uint8_t *digest = s->alg == CONS_SIG_SHA256 ? c->digest_sha256 : c->digest_sha1;
  size_t dlen = s->alg == CONS_SIG_SHA256 ? DIGEST256_LEN : DIGEST_LEN;
  return crypto_rsa_verify_raw(cert->signing_key, digest, dlen, s->sig, s->sig_len) == 0
           ? AUTH_GOOD : AUTH_BAD;
}

/* Tally the signatures into state[] (one entry per configured authority). */
static void
tally(const consensus_t *c, const uint8_t (*authorities)[DIGEST_LEN], size_t n_auth,
      authcert_t *const *certs, size_t n_certs, int64_t now, auth_state_t *state,
      consensus_verify_t *out)
{
  for (size_t i = 0; i < c->n_sigs; i++) {
    const cons_sig_t *s = &c->sigs[i];
    if (s->alg == CONS_SIG_UNKNOWN)
      continue;
    int a = auth_index(authorities, n_auth, s->v3ident);
    if (a < 0) {
      out->n_unknown++;
      continue;
    }
    if (state[a] == AUTH_GOOD)
      continue;
    auth_state_t st = check_sig(c, s, certs, n_certs, now);
    if (st > state[a])
      state[a] = st;
  }
}

consensus_verify_result_t
consensus_verify(const consensus_t *c, const uint8_t (*authorities)[DIGEST_LEN],
                 size_t n_authorities, authcert_t *const *certs, size_t n_certs, int64_t now,
                 consensus_verify_t *out)
{
  uint8_t uniq[CONS_MAX_AUTHORITIES][DIGEST_LEN];
  auth_state_t state[CONS_MAX_AUTHORITIES];
  size_t n_auth = 0;
  memset(out, 0, sizeof(*out));
  if (n_authorities == 0 || n_authorities > CONS_MAX_AUTHORITIES) {
    snprintf(out->reason, sizeof(out->reason), "%zu configured authorities", n_authorities);
    return finish(out, CONS_VERIFY_MALFORMED);
  }
  for (size_t i = 0; i < n_authorities; i++)
    if (auth_index((const uint8_t (*)[DIGEST_LEN])uniq, n_auth, authorities[i]) < 0)
      memcpy(uniq[n_auth++], authorities[i], DIGEST_LEN);
  out->n_needed = n_auth / 2 + 1;
  if (now < c->valid_after - CONS_EARLY_SKEW) {
    snprintf(out->reason, sizeof(out->reason), "valid-after is %lld s in the future",
             (long long)(c->valid_after - now));
    return finish(out, CONS_VERIFY_NOT_YET_VALID);
  }
  if (now > c->valid_until + CONS_REASONABLY_LIVE_TIME) {
    snprintf(out->reason, sizeof(out->reason), "valid-until was %lld s ago (%d s allowed)",
             (long long)(now - c->valid_until), CONS_REASONABLY_LIVE_TIME);
    return finish(out, CONS_VERIFY_EXPIRED);
  }
  memset(state, 0, sizeof(state));
  tally(c, (const uint8_t (*)[DIGEST_LEN])uniq, n_auth, certs, n_certs, now, state, out);
  for (size_t a = 0; a < n_auth; a++) {
    if (state[a] == AUTH_GOOD)
      out->n_good++;
    else if (state[a] == AUTH_BAD)
      out->n_bad++;
    else if (state[a] == AUTH_MISSING_CERT)
      memcpy(out->missing[out->n_missing++], uniq[a], DIGEST_LEN);
  }
  snprintf(out->reason, sizeof(out->reason),
           "%zu good, %zu bad, %zu without certificate, %zu by unknown authorities; "
           "%zu of %zu configured authorities needed",
           out->n_good, out->n_bad, out->n_missing, out->n_unknown, out->n_needed, n_auth);
  if (out->n_good >= out->n_needed)
    return finish(out, CONS_VERIFY_OK);
  if (out->n_good + out->n_missing >= out->n_needed)
    return finish(out, CONS_VERIFY_MISSING_CERTS);
  if (out->n_bad > 0)
    return finish(out, CONS_VERIFY_BAD_SIGNATURE);
  if (out->n_unknown > 0)
    return finish(out, CONS_VERIFY_UNKNOWN_AUTHORITY);
  return finish(out, CONS_VERIFY_TOO_FEW_SIGNATURES);
}
