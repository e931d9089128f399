/* relay_crypto.c — tor1 relay cell crypto: per-hop AES-128-CTR streams and
 * running SHA-1 digests (tor-spec §5.2.2, §5.5, §6.1). */
#include "lib/crypto/relay_crypto.h"

#include <string.h>

#include "lib/alloc.h"
#include "lib/crypto/aes.h"
#include "lib/crypto/ct.h"
#include "lib/crypto/digest.h"
#include "lib/log.h"

#define KEY_LEN 16

struct relay_crypto_t {
  crypto_aes_ctr_t *f_crypto;  /* forward: client -> relay */
  crypto_aes_ctr_t *b_crypto;  /* backward: relay -> client */
  crypto_digest_t *f_digest;   /* SHA-1 seeded with Df */
  crypto_digest_t *b_digest;   /* SHA-1 seeded with Db */
  crypto_digest_t *scratch;    /* checkpoint for trial digests */
  uint8_t tag_sent[RELAY_CRYPTO_SENDME_TAG_LEN];
  uint8_t tag_received[RELAY_CRYPTO_SENDME_TAG_LEN];
  uint8_t tag_last[RELAY_CRYPTO_SENDME_TAG_LEN];
  int is_relay_side;
};

relay_crypto_t *
relay_crypto_new(const uint8_t *km, size_t len, int is_relay_side)
{
  static const uint8_t zero_iv[CRYPTO_AES_IV_LEN];
  if (!km || len < RELAY_CRYPTO_KEY_MATERIAL_LEN)
    return NULL;
  const uint8_t *df = km, *db = km + DIGEST_LEN;
  const uint8_t *kf = km + 2 * DIGEST_LEN, *kb = kf + KEY_LEN;
  relay_crypto_t *rc = x_calloc(1, sizeof(*rc));
  rc->is_relay_side = is_relay_side ? 1 : 0;
  rc->f_crypto = crypto_aes_ctr_new(kf, KEY_LEN, zero_iv);
  rc->b_crypto = crypto_aes_ctr_new(kb, KEY_LEN, zero_iv);
  if (!rc->f_crypto || !rc->b_crypto) {
    relay_crypto_free(rc);
    return NULL;
  }
  rc->f_digest = crypto_digest_new_sha1();
  rc->b_digest = crypto_digest_new_sha1();
  rc->scratch = crypto_digest_new_sha1();
  crypto_digest_add(rc->f_digest, df, DIGEST_LEN);
  crypto_digest_add(rc->b_digest, db, DIGEST_LEN);
  return rc;
}

void
relay_crypto_free(relay_crypto_t *rc)
{
  if (!rc)
    return;
  crypto_aes_ctr_free(rc->f_crypto);
  crypto_aes_ctr_free(rc->b_crypto);
  crypto_digest_free(rc->f_digest);
  crypto_digest_free(rc->b_digest);
  crypto_digest_free(rc->scratch);
  x_memwipe(rc, sizeof(*rc));
  x_free(rc);
}

/* Set the digest field of a cell we originate: recognized = 0, digest field
 * = 0, add the body to *d, then write the first 4 bytes of its value.  The
 * full value goes to tag. */
static void
digest_set(relay_crypto_t *rc, crypto_digest_t *d, uint8_t *payload)
{
  uint8_t val[DIGEST_LEN];
  memset(payload + RELAY_RECOGNIZED_OFFSET, 0, 2);
  memset(payload + RELAY_DIGEST_OFFSET, 0, RELAY_DIGEST_FIELD_LEN);
  crypto_digest_add(d, payload, RELAY_PAYLOAD_LEN);
  crypto_digest_get(d, val, sizeof(val));
  memcpy(payload + RELAY_DIGEST_OFFSET, val, RELAY_DIGEST_FIELD_LEN);
  memcpy(rc->tag_sent, val, sizeof(val));
  memcpy(rc->tag_last, val, sizeof(val));
}

/* Is this decrypted cell for the hop whose running digest is *dp?  Tries the
 * digest on a checkpoint copy; on a match the copy becomes the running state
 * (swapped into *dp) and the value becomes the received tag.  The payload is
 * left unchanged either way.  Returns 1 on a match, 0 otherwise. */
static int
digest_check(relay_crypto_t *rc, crypto_digest_t **dp, uint8_t *payload)
{
  uint8_t field[RELAY_DIGEST_FIELD_LEN], val[DIGEST_LEN];
  if (payload[RELAY_RECOGNIZED_OFFSET] || payload[RELAY_RECOGNIZED_OFFSET + 1])
    return 0;
  memcpy(field, payload + RELAY_DIGEST_OFFSET, sizeof(field));
  memset(payload + RELAY_DIGEST_OFFSET, 0, sizeof(field));
  crypto_digest_assign(rc->scratch, *dp);
  crypto_digest_add(rc->scratch, payload, RELAY_PAYLOAD_LEN);
  crypto_digest_get(rc->scratch, val, sizeof(val));
  memcpy(payload + RELAY_DIGEST_OFFSET, field, sizeof(field));
  if (!crypto_ct_memeq(val, field, sizeof(field)))
    return 0;
  crypto_digest_t *tmp = *dp;
  *dp = rc->scratch;
  rc->scratch = tmp;
  memcpy(rc->tag_received, val, sizeof(val));
  memcpy(rc->tag_last, val, sizeof(val));
  return 1;
}

int
relay_crypto_client_originate(relay_crypto_t *const *hops, int n_hops, int target,
                              uint8_t payload[RELAY_PAYLOAD_LEN])
{
  if (!hops || target < 0 || target >= n_hops)
    return -1;
  for (int i = 0; i <= target; i++)
    if (!hops[i] || hops[i]->is_relay_side) {
      log_bug("relay_crypto_client_originate on a relay-side or missing hop state");
      return -1;
    }
  digest_set(hops[target], hops[target]->f_digest, payload);
  for (int i = target; i >= 0; i--)
    crypto_aes_ctr_crypt(hops[i]->f_crypto, payload, payload, RELAY_PAYLOAD_LEN);
  return 0;
}

int
relay_crypto_client_receive(relay_crypto_t *const *hops, int n_hops,
                            uint8_t payload[RELAY_PAYLOAD_LEN])
{
  if (!hops)
    return -1;
  for (int i = 0; i < n_hops; i++) {
    relay_crypto_t *h = hops[i];
    if (!h || h->is_relay_side) {
      log_bug("relay_crypto_client_receive on a relay-side or missing hop state");
      return -1;
    }
    crypto_aes_ctr_crypt(h->b_crypto, payload, payload, RELAY_PAYLOAD_LEN);
    if (digest_check(h, &h->b_digest, payload))
      return i;
  }
  return -1;
}

int
relay_crypto_relay_decrypt_forward(relay_crypto_t *rc, uint8_t payload[RELAY_PAYLOAD_LEN])
{
  if (!rc->is_relay_side) {
    log_bug("relay_crypto_relay_decrypt_forward on a client state");
    return -1;
  }
  crypto_aes_ctr_crypt(rc->f_crypto, payload, payload, RELAY_PAYLOAD_LEN);
  return digest_check(rc, &rc->f_digest, payload);
}

int
relay_crypto_relay_encrypt_backward(relay_crypto_t *rc, uint8_t payload[RELAY_PAYLOAD_LEN])
{
  if (!rc->is_relay_side) {
    log_bug("relay_crypto_relay_encrypt_backward on a client state");
    return -1;
  }
  crypto_aes_ctr_crypt(rc->b_crypto, payload, payload, RELAY_PAYLOAD_LEN);
  return 0;
}

int
relay_crypto_relay_originate(relay_crypto_t *rc, uint8_t payload[RELAY_PAYLOAD_LEN])
{
  if (!rc->is_relay_side) {
    log_bug("relay_crypto_relay_originate on a client state");
    return -1;
  }
  digest_set(rc, rc->b_digest, payload);
  crypto_aes_ctr_crypt(rc->b_crypto, payload, payload, RELAY_PAYLOAD_LEN);
  return 0;
}

void
relay_crypto_get_sendme_tag_sent(const relay_crypto_t *rc,
                                 uint8_t out[RELAY_CRYPTO_SENDME_TAG_LEN])
{
  memcpy(out, rc->tag_sent, RELAY_CRYPTO_SENDME_TAG_LEN);
}

void
relay_crypto_get_sendme_tag_received(const relay_crypto_t *rc,
                                     uint8_t out[RELAY_CRYPTO_SENDME_TAG_LEN])
{
  memcpy(out, rc->tag_received, RELAY_CRYPTO_SENDME_TAG_LEN);
}

void
relay_crypto_get_sendme_tag(const relay_crypto_t *rc, uint8_t out[RELAY_CRYPTO_SENDME_TAG_LEN])
{
  memcpy(out, rc->tag_last, RELAY_CRYPTO_SENDME_TAG_LEN);
}
