/* kdf.h — key derivation: HKDF-SHA256 (RFC 5869) and tor's KDF-TOR. */
#ifndef EVONION_LIB_CRYPTO_KDF_H
#define EVONION_LIB_CRYPTO_KDF_H

#include <stddef.h>
#include <stdint.h>

/** HKDF-SHA256 (RFC 5869, extract then expand) of ikm with salt and info,
 * writing outlen bytes to out.  salt and info may be empty (NULL with length
 * 0).  outlen must be 1..255*32.  Returns 0 on success, -1 on failure. */
int crypto_hkdf_sha256(const uint8_t *salt, size_t saltlen,
                       const uint8_t *ikm, size_t ikmlen,
                       const uint8_t *info, size_t infolen,
                       uint8_t *out, size_t outlen);

/** KDF-TOR (tor-spec §5.2.1): out = SHA1(K0|00) | SHA1(K0|01) | ... truncated
 * to outlen bytes.  outlen must be 1..256*20.  Returns 0 or -1. */
int crypto_kdf_tor(const uint8_t *k0, size_t k0len, uint8_t *out, size_t outlen);

#endif
