/* x25519.c — Curve25519 Diffie-Hellman over EVP_PKEY X25519. */
#include "lib/crypto/x25519.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib/alloc.h"
#include "lib/crypto/ct.h"
#include "lib/crypto/rand.h"
#include "lib/log.h"

void
x25519_keypair_generate(x25519_keypair_t *kp)
{
  crypto_rand(kp->secret, sizeof(kp->secret));
  if (x25519_pub_from_secret(kp->secret, kp->pub) < 0) {
    log_err(LD_CRYPTO, "X25519 key generation failed");
    abort();
  }
}

int
x25519_pub_from_secret(const uint8_t secret[X25519_KEY_LEN], uint8_t pub[X25519_KEY_LEN])
{
  EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, secret, X25519_KEY_LEN);
  size_t len = X25519_KEY_LEN;
  int r = (pk && EVP_PKEY_get_raw_public_key(pk, pub, &len) == 1 && len == X25519_KEY_LEN)
          ? 0 : -1;
  EVP_PKEY_free(pk);
  return r;
}

int
x25519_shared(const uint8_t secret[X25519_KEY_LEN], const uint8_t peer_pub[X25519_KEY_LEN],
              uint8_t out[X25519_KEY_LEN])
{
  int r = -1;
  size_t len = X25519_KEY_LEN;
  EVP_PKEY *mine = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, secret, X25519_KEY_LEN);
  EVP_PKEY *peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer_pub, X25519_KEY_LEN);
  EVP_PKEY_CTX *ctx = mine ? EVP_PKEY_CTX_new_from_pkey(NULL, mine, NULL) : NULL;
  /* OpenSSL itself fails the derivation when the result is all zero; we
   * check again so the contract does not depend on that. */
  if (ctx && peer && EVP_PKEY_derive_init(ctx) == 1 &&
      EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) == 1 &&
      EVP_PKEY_derive(ctx, out, &len) == 1 && len == X25519_KEY_LEN &&
      !crypto_ct_is_zero(out, X25519_KEY_LEN))
    r = 0;
  if (r < 0)
    memset(out, 0, X25519_KEY_LEN);
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(peer);
  EVP_PKEY_free(mine);
  return r;
}

void
x25519_keypair_wipe(x25519_keypair_t *kp)
{
  x_memwipe(kp, sizeof(*kp));
}
