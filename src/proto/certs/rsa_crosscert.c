/* rsa_crosscert.c — parse, check and create CERTS type-7 cross-certificates. */
#include <string.h>

#include "proto/certs/rsa_crosscert.h"

#include "lib/alloc.h"
#include "lib/bytes.h"
#include "lib/crypto/digest.h"

/* Bytes covered by the digest: ED25519_KEY | EXPIRATION_DATE. */
#define SIGNED_LEN (RSA_CROSSCERT_KEY_LEN + 4)

int
rsa_crosscert_parse(const uint8_t *buf, size_t len, rsa_crosscert_t *out)
{
  memset(out, 0, sizeof(*out));
  if (len < RSA_CROSSCERT_HEADER_LEN)
    return -1;
  size_t siglen = buf[SIGNED_LEN];
  if (len - RSA_CROSSCERT_HEADER_LEN != siglen)
    return -1;
  memcpy(out->ed_key, buf, RSA_CROSSCERT_KEY_LEN);
  out->exp_hours = get_u32(buf + RSA_CROSSCERT_KEY_LEN);
  out->siglen = (uint8_t)siglen;
  memcpy(out->sig, buf + RSA_CROSSCERT_HEADER_LEN, siglen);
  return 0;
}

/* out = SHA-256(prefix | ed_key | exp). */
static void
crosscert_digest(const uint8_t ed_key[RSA_CROSSCERT_KEY_LEN], uint32_t exp_hours,
                 uint8_t out[DIGEST256_LEN])
{
  uint8_t msg[sizeof(RSA_CROSSCERT_PREFIX) - 1 + SIGNED_LEN];
  size_t plen = sizeof(RSA_CROSSCERT_PREFIX) - 1;
  memcpy(msg, RSA_CROSSCERT_PREFIX, plen);
  memcpy(msg + plen, ed_key, RSA_CROSSCERT_KEY_LEN);
  put_u32(msg + plen + RSA_CROSSCERT_KEY_LEN, exp_hours);
  crypto_sha256(msg, sizeof(msg), out);
}

rsa_crosscert_check_result_t
rsa_crosscert_check(const rsa_crosscert_t *cc, const crypto_rsa_t *rsa_key, time_t now)
{
  uint8_t d[DIGEST256_LEN];
  crosscert_digest(cc->ed_key, cc->exp_hours, d);
  if (crypto_rsa_verify_raw(rsa_key, d, sizeof(d), cc->sig, cc->siglen) != 0)
    return RSA_CROSSCERT_BAD_SIG;
  if ((int64_t)now > (int64_t)cc->exp_hours * 3600)
    return RSA_CROSSCERT_EXPIRED;
  return RSA_CROSSCERT_OK;
}

int
rsa_crosscert_create(const uint8_t ed_key[RSA_CROSSCERT_KEY_LEN], uint32_t exp_hours,
                     const crypto_rsa_t *rsa_key, uint8_t **out, size_t *outlen)
{
  uint8_t d[DIGEST256_LEN];
  uint8_t sig[CRYPTO_RSA_MAX_BITS / 8];
  size_t siglen = sizeof(sig);

  *out = NULL;
  *outlen = 0;
  crosscert_digest(ed_key, exp_hours, d);
  if (crypto_rsa_sign_raw(rsa_key, d, sizeof(d), sig, &siglen) != 0)
    return -1;
  if (siglen > RSA_CROSSCERT_MAX_SIG)
    return -1;
  uint8_t *b = x_malloc(RSA_CROSSCERT_HEADER_LEN + siglen);
  memcpy(b, ed_key, RSA_CROSSCERT_KEY_LEN);
  put_u32(b + RSA_CROSSCERT_KEY_LEN, exp_hours);
  b[SIGNED_LEN] = (uint8_t)siglen;
  memcpy(b + RSA_CROSSCERT_HEADER_LEN, sig, siglen);
  *out = b;
  *outlen = RSA_CROSSCERT_HEADER_LEN + siglen;
  return 0;
}
