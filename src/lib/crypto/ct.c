/* ct.c — constant-time comparisons. */
#include "lib/crypto/ct.h"

#include <stdint.h>

#include <openssl/crypto.h>

int
crypto_ct_memeq(const void *a, const void *b, size_t n)
{
  if (n == 0)
    return 1;
  return CRYPTO_memcmp(a, b, n) == 0;
}

int
crypto_ct_is_zero(const void *a, size_t n)
{
  const volatile uint8_t *p = a;
  uint8_t acc = 0;
  for (size_t i = 0; i < n; i++)
    acc |= p[i];
  /* 1 if acc == 0, computed without a data-dependent branch. */
  return (int)(1 & ((uint32_t)(acc - 1) >> 8));
}
