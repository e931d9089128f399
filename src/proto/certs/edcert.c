/* edcert.c — parse, check and create Ed25519 certificates (cert-spec §2.1). */
#include <string.h>

#include "proto/certs/edcert.h"

#include "lib/alloc.h"
#include "lib/bytes.h"
#include "lib/crypto/ct.h"

/* Offsets of the fixed header fields. */
#define OFF_VERSION 0
#define OFF_TYPE 1
#define OFF_EXP 2
#define OFF_KEYTYPE 6
#define OFF_KEY 7
#define OFF_NEXT 39
#define HEADER_LEN 40
#define EXT_HEADER_LEN 4

/* Walk the n extensions in p[0..len) (which excludes the signature), filling
 * ext-04 fields of c.  Sets *used to the bytes consumed. */
static edcert_parse_result_t
parse_extensions(const uint8_t *p, size_t len, unsigned n, edcert_t *c, size_t *used)
{
  size_t pos = 0;
  for (unsigned i = 0; i < n; i++) {
    if (len - pos < EXT_HEADER_LEN)
      return EDCERT_PARSE_TRUNCATED;
    size_t ext_len = get_u16(p + pos);
    uint8_t ext_type = p[pos + 2];
    uint8_t ext_flags = p[pos + 3];
    pos += EXT_HEADER_LEN;
    if (len - pos < ext_len)
      return EDCERT_PARSE_TRUNCATED;
    if (ext_type == EDCERT_EXT_SIGNED_WITH_KEY) {
      if (ext_len != EDCERT_KEY_LEN || c->has_signing_key)
        return EDCERT_PARSE_BAD_SIGNER_EXT;
      memcpy(c->signing_key, p + pos, EDCERT_KEY_LEN);
      c->has_signing_key = 1;
    } else if (ext_flags & EDCERT_EXT_FLAG_AFFECTS_VALIDATION) {
      return EDCERT_PARSE_UNKNOWN_CRITICAL;
    }
    pos += ext_len;
  }
  *used = pos;
  return EDCERT_PARSE_OK;
}

edcert_parse_result_t
edcert_parse(const uint8_t *buf, size_t len, edcert_t **out)
{
  *out = NULL;
  if (len > EDCERT_MAX_LEN)
    return EDCERT_PARSE_TOO_LONG;
  if (len >= 1 && buf[OFF_VERSION] != EDCERT_VERSION)
    return EDCERT_PARSE_BAD_VERSION;
  if (len < EDCERT_MIN_LEN)
    return EDCERT_PARSE_TRUNCATED;

  edcert_t *c = x_calloc(1, sizeof(*c));
  c->cert_type = buf[OFF_TYPE];
  c->exp_hours = get_u32(buf + OFF_EXP);
  c->key_type = buf[OFF_KEYTYPE];
  memcpy(c->certified_key, buf + OFF_KEY, EDCERT_KEY_LEN);
  c->n_extensions = buf[OFF_NEXT];

  size_t body_len = len - EDCERT_SIG_LEN; /* bytes covered by the signature */
  size_t used = 0;
  edcert_parse_result_t r = parse_extensions(buf + HEADER_LEN, body_len - HEADER_LEN,
                                             c->n_extensions, c, &used);
  if (r == EDCERT_PARSE_OK && HEADER_LEN + used != body_len)
    r = EDCERT_PARSE_TRAILING;
  if (r != EDCERT_PARSE_OK) {
    edcert_free(c);
    return r;
  }
  memcpy(c->signature, buf + body_len, EDCERT_SIG_LEN);
  c->encoded = x_memdup(buf, len);
  c->encoded_len = len;
  *out = c;
  return EDCERT_PARSE_OK;
}

time_t
edcert_expiry(const edcert_t *c)
{
  return (time_t)((int64_t)c->exp_hours * 3600);
}

edcert_check_result_t
edcert_check(const edcert_t *c, const uint8_t *signer, time_t now)
{
  const uint8_t *key = signer;
  if (c->has_signing_key) {
    if (key && !crypto_ct_memeq(key, c->signing_key, EDCERT_KEY_LEN))
      return EDCERT_CHECK_KEY_MISMATCH;
    key = c->signing_key;
  }
  if (!key)
    return EDCERT_CHECK_NO_KEY;
  if (ed25519_verify(key, c->encoded, c->encoded_len - EDCERT_SIG_LEN, c->signature) != 0)
    return EDCERT_CHECK_BAD_SIG;
  if ((int64_t)now > (int64_t)edcert_expiry(c))
    return EDCERT_CHECK_EXPIRED;
  return EDCERT_CHECK_OK;
}

int
edcert_create(uint8_t cert_type, uint8_t key_type,
              const uint8_t certified_key[EDCERT_KEY_LEN], uint32_t exp_hours,
              const ed25519_keypair_t *signer, int include_signer_key,
              uint8_t **out, size_t *outlen)
{
  size_t ext_len = include_signer_key ? EXT_HEADER_LEN + EDCERT_KEY_LEN : 0;
  size_t len = HEADER_LEN + ext_len + EDCERT_SIG_LEN;
  uint8_t *b = x_malloc(len);

  b[OFF_VERSION] = EDCERT_VERSION;
  b[OFF_TYPE] = cert_type;
  put_u32(b + OFF_EXP, exp_hours);
  b[OFF_KEYTYPE] = key_type;
  memcpy(b + OFF_KEY, certified_key, EDCERT_KEY_LEN);
  b[OFF_NEXT] = include_signer_key ? 1 : 0;
  if (include_signer_key) {
    put_u16(b + HEADER_LEN, EDCERT_KEY_LEN);
    b[HEADER_LEN + 2] = EDCERT_EXT_SIGNED_WITH_KEY;
    b[HEADER_LEN + 3] = 0;
    memcpy(b + HEADER_LEN + EXT_HEADER_LEN, signer->pub, EDCERT_KEY_LEN);
  }
  if (ed25519_sign(signer, b, len - EDCERT_SIG_LEN, b + len - EDCERT_SIG_LEN) != 0) {
    x_free(b);
    *out = NULL;
    *outlen = 0;
    return -1;
  }
  *out = b;
  *outlen = len;
  return 0;
}

const char *
edcert_parse_result_to_string(edcert_parse_result_t r)
{
  switch (r) {
    case EDCERT_PARSE_OK: return "ok";
    case EDCERT_PARSE_TRUNCATED: return "truncated";
    case EDCERT_PARSE_TOO_LONG: return "too long";
    case EDCERT_PARSE_BAD_VERSION: return "unsupported version";
    case EDCERT_PARSE_TRAILING: return "trailing bytes before the signature";
    case EDCERT_PARSE_BAD_SIGNER_EXT: return "malformed signed-with-ed25519-key extension";
    case EDCERT_PARSE_UNKNOWN_CRITICAL: return "unknown extension that affects validation";
  }
  return "unknown error";
}

const char *
edcert_check_result_to_string(edcert_check_result_t r)
{
  switch (r) {
    case EDCERT_CHECK_OK: return "ok";
    case EDCERT_CHECK_NO_KEY: return "no signing key";
    case EDCERT_CHECK_KEY_MISMATCH: return "signed-with key does not match";
    case EDCERT_CHECK_BAD_SIG: return "bad signature";
    case EDCERT_CHECK_EXPIRED: return "expired";
  }
  return "unknown error";
}

void
edcert_free(edcert_t *c)
{
  if (!c)
    return;
  x_free(c->encoded);
  x_free(c);
}
