/* rand.h — cryptographically strong random numbers (OpenSSL's DRBG). */
#ifndef EVONION_LIB_CRYPTO_RAND_H
#define EVONION_LIB_CRYPTO_RAND_H

#include <stddef.h>
#include <stdint.h>

/** Fill buf with n strong random bytes.  Aborts the process if the RNG fails
 * (there is no safe way to continue without randomness). */
void crypto_rand(void *buf, size_t n);

/** Return a uniformly distributed random integer in [0, max) (rejection
 * sampling, no modulo bias).  max must be nonzero; max == 0 returns 0. */
uint64_t crypto_rand_uint64(uint64_t max);

#endif
