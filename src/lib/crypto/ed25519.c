/* ed25519.c — Ed25519 over EVP_PKEY ED25519, and the Curve25519 relation. */
#include "lib/crypto/ed25519.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>

#include "lib/alloc.h"
#include "lib/crypto/digest.h"
#include "lib/crypto/rand.h"
#include "lib/log.h"

void
ed25519_keypair_generate(ed25519_keypair_t *kp)
{
  uint8_t seed[ED25519_SEED_LEN];
  crypto_rand(seed, sizeof(seed));
  if (ed25519_keypair_from_seed(kp, seed) < 0) {
    log_err(LD_CRYPTO, "Ed25519 key generation failed");
    abort();
  }
  x_memwipe(seed, sizeof(seed));
}

int
ed25519_keypair_from_seed(ed25519_keypair_t *kp, const uint8_t seed[ED25519_SEED_LEN])
{
  EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, ED25519_SEED_LEN);
  size_t len = ED25519_PUBKEY_LEN;
  uint8_t pub[ED25519_PUBKEY_LEN];
  int r = (pk && EVP_PKEY_get_raw_public_key(pk, pub, &len) == 1 &&
           len == ED25519_PUBKEY_LEN) ? 0 : -1;
  EVP_PKEY_free(pk);
  if (r == 0) {
    memmove(kp->seed, seed, ED25519_SEED_LEN);
    memcpy(kp->pub, pub, ED25519_PUBKEY_LEN);
  }
  return r;
}

int
ed25519_sign(const ed25519_keypair_t *kp, const uint8_t *msg, size_t n,
             uint8_t sig[ED25519_SIG_LEN])
{
  static const uint8_t empty = 0;
  int r = -1;
  size_t siglen = ED25519_SIG_LEN;
  EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, kp->seed,
                                              ED25519_SEED_LEN);
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (pk && ctx && EVP_DigestSignInit_ex(ctx, NULL, NULL, NULL, NULL, pk, NULL) == 1 &&
      EVP_DigestSign(ctx, sig, &siglen, n ? msg : &empty, n) == 1 &&
      siglen == ED25519_SIG_LEN)
    r = 0;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pk);
  return r;
}

int
ed25519_verify(const uint8_t pub[ED25519_PUBKEY_LEN], const uint8_t *msg, size_t n,
               const uint8_t sig[ED25519_SIG_LEN])
{
  static const uint8_t empty = 0;
  int r = -1;
  EVP_PKEY *pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, ED25519_PUBKEY_LEN);
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (pk && ctx && EVP_DigestVerifyInit_ex(ctx, NULL, NULL, NULL, NULL, pk, NULL) == 1 &&
      EVP_DigestVerify(ctx, sig, ED25519_SIG_LEN, n ? msg : &empty, n) == 1)
    r = 0;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pk);
  return r;
}

int
ed25519_keypair_to_x25519(const ed25519_keypair_t *kp, x25519_keypair_t *out)
{
  uint8_t h[DIGEST512_LEN];
  crypto_sha512(kp->seed, ED25519_SEED_LEN, h);
  /* RFC 8032 §5.1.5 / RFC 7748 clamping; X25519 clamps identically. */
  h[0] &= 248;
  h[31] &= 127;
  h[31] |= 64;
  memcpy(out->secret, h, X25519_KEY_LEN);
  x_memwipe(h, sizeof(h));
  if (x25519_pub_from_secret(out->secret, out->pub) < 0) {
    x25519_keypair_wipe(out);
    return -1;
  }
  return 0;
}

/* Reverse n bytes (little-endian <-> big-endian for BN_bin2bn/BN_bn2binpad). */
static void
reverse_bytes(uint8_t *dst, const uint8_t *src, size_t n)
{
  for (size_t i = 0; i < n; i++)
    dst[i] = src[n - 1 - i];
}

int
ed25519_pub_from_x25519_pub(const uint8_t x_pub[X25519_KEY_LEN], int signbit,
                            uint8_t ed_pub[ED25519_PUBKEY_LEN])
{
  if (signbit != 0 && signbit != 1)
    return -1;
  int r = -1;
  uint8_t be[32];
  BN_CTX *bnctx = BN_CTX_new();
  BIGNUM *p = BN_new(), *u = BN_new(), *num = BN_new(), *den = BN_new(), *y = BN_new();
  if (!bnctx || !p || !u || !num || !den || !y)
    goto done;
  /* p = 2^255 - 19 */
  if (!BN_set_bit(p, 255) || !BN_sub_word(p, 19))
    goto done;
  reverse_bytes(be, x_pub, 32);
  be[0] &= 0x7f; /* bit 255 of u is ignored (RFC 7748 §5) */
  if (!BN_bin2bn(be, 32, u) || !BN_nnmod(u, u, p, bnctx))
    goto done;
  if (!BN_copy(num, u) || !BN_copy(den, u) ||
      !BN_mod_sub(num, num, BN_value_one(), p, bnctx) ||
      !BN_mod_add(den, den, BN_value_one(), p, bnctx))
    goto done;
  if (BN_is_zero(den))
    goto done; /* u = -1: no corresponding point */
  if (!BN_mod_inverse(den, den, p, bnctx) || !BN_mod_mul(y, num, den, p, bnctx))
    goto done;
  if (BN_bn2binpad(y, be, 32) != 32)
    goto done;
  reverse_bytes(ed_pub, be, 32);
  ed_pub[31] = (uint8_t)((ed_pub[31] & 0x7f) | (signbit << 7));
  r = 0;
 done:
  BN_free(y);
  BN_free(den);
  BN_free(num);
  BN_free(u);
  BN_free(p);
  BN_CTX_free(bnctx);
  return r;
}

void
ed25519_keypair_wipe(ed25519_keypair_t *kp)
{
  x_memwipe(kp, sizeof(*kp));
}
