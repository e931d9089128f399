/* kdf.c — HKDF-SHA256 over EVP_KDF "HKDF", and KDF-TOR over SHA-1. */
#include "lib/crypto/kdf.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "lib/alloc.h"
#include "lib/crypto/digest.h"
#include "lib/log.h"

int
crypto_hkdf_sha256(const uint8_t *salt, size_t saltlen,
                   const uint8_t *ikm, size_t ikmlen,
                   const uint8_t *info, size_t infolen,
                   uint8_t *out, size_t outlen)
{
  static uint8_t empty[1];
  if (outlen == 0 || outlen > 255 * DIGEST256_LEN)
    return -1;
  EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
  EVP_KDF_CTX *kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
  EVP_KDF_free(kdf);
  if (!kctx) {
    log_warn(LD_CRYPTO, "HKDF unavailable");
    return -1;
  }
  OSSL_PARAM params[5], *p = params;
  *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
  *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                           (void *)(ikmlen ? ikm : empty), ikmlen);
  *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                           (void *)(saltlen ? salt : empty), saltlen);
  if (infolen)
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, infolen);
  *p = OSSL_PARAM_construct_end();
  int r = EVP_KDF_derive(kctx, out, outlen, params) == 1 ? 0 : -1;
  EVP_KDF_CTX_free(kctx);
  if (r < 0) {
    log_warn(LD_CRYPTO, "HKDF derivation failed");
    memset(out, 0, outlen);
  }
  return r;
}

int
crypto_kdf_tor(const uint8_t *k0, size_t k0len, uint8_t *out, size_t outlen)
{
  if (outlen == 0 || outlen > 256 * DIGEST_LEN || (k0len && !k0))
    return -1;
  uint8_t *buf = x_malloc(k0len + 1);
  uint8_t block[DIGEST_LEN];
  if (k0len)
    memcpy(buf, k0, k0len);
  for (size_t i = 0, off = 0; off < outlen; i++, off += DIGEST_LEN) {
    buf[k0len] = (uint8_t)i;
    crypto_sha1(buf, k0len + 1, block);
    size_t take = outlen - off < DIGEST_LEN ? outlen - off : DIGEST_LEN;
    memcpy(out + off, block, take);
  }
  x_memwipe(block, sizeof(block));
  x_memwipe(buf, k0len + 1);
  x_free(buf);
  return 0;
}
