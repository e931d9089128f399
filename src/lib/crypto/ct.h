/* ct.h — constant-time comparisons for secrets and authenticators. */
#ifndef EVONION_LIB_CRYPTO_CT_H
#define EVONION_LIB_CRYPTO_CT_H

#include <stddef.h>

/** Return 1 if the n bytes at a and b are equal, 0 otherwise.  The running
 * time depends only on n, never on the contents. */
int crypto_ct_memeq(const void *a, const void *b, size_t n);

/** Return 1 if all n bytes at a are zero, 0 otherwise, in time depending only
 * on n. */
int crypto_ct_is_zero(const void *a, size_t n);

#endif
