/* rand.c — strong random numbers from OpenSSL's DRBG. */
#include "lib/crypto/rand.h"

#include <limits.h>
#include <stdlib.h>

#include <openssl/rand.h>

#include "lib/log.h"

void
crypto_rand(void *buf, size_t n)
{
  unsigned char *p = buf;
  while (n > 0) {
    int chunk = n > INT_MAX ? INT_MAX : (int)n;
    if (RAND_bytes(p, chunk) != 1) {
      log_err(LD_CRYPTO, "RAND_bytes failed: cannot continue without randomness");
      abort();
    }
    p += chunk;
    n -= (size_t)chunk;
  }
}

uint64_t
crypto_rand_uint64(uint64_t max)
{
  if (max == 0)
    return 0;
  /* Accept values below the largest multiple of max that fits in 2^64. */
  uint64_t cutoff = UINT64_MAX - (UINT64_MAX % max);
  for (;;) {
    uint64_t v;
    crypto_rand(&v, sizeof(v));
    if (v < cutoff)
      return v % max;
  }
}
