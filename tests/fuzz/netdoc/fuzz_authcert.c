/* fuzz_authcert.c — libFuzzer target for authority key certificates
 * (proto/netdoc/authcert.h): one, then a concatenation; every parsed
 * certificate goes through the checks. */
#include "fuzz_common.h"

#include "proto/netdoc/authcert.h"

/* the capture time of tests/vectors/dir (2026-11-30 11:02:18 UTC) */
#define FIXED_NOW ((int64_t)1796036538)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *s = (const char *)data;
  authcert_t *c = NULL;
  size_t used = 0;
  authcert_result_t r = authcert_parse(s, size, &c, &used);
  if (r == AUTHCERT_OK) {
    FUZZ_CHECK(c != NULL && used <= size && c->text_len <= used);
    (void)authcert_check(c, FIXED_NOW);
    (void)authcert_check(c, c->expires + 1);
    authcert_free(c);
  } else {
    FUZZ_CHECK(c == NULL);
  }
  (void)authcert_result_to_string(r);

  authcert_t **all = NULL;
  size_t n = 0;
  r = authcert_parse_all(s, size, &all, &n);
  if (r == AUTHCERT_OK) {
    FUZZ_CHECK(all != NULL && n > 0 && n <= AUTHCERT_MAX_CERTS);
    for (size_t i = 0; i < n; i++)
      (void)authcert_check(all[i], FIXED_NOW);
    authcert_free_all(all, n);
  } else {
    FUZZ_CHECK(all == NULL && n == 0);
  }
  return 0;
}
