/* fuzz_guard_state.c — libFuzzer target for the guard state file parser:
 * parse; a parsed sample formats to a text that parses back to the same
 * entries (identities, nicknames, times). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../fuzz_common.h"
#include "client/guard_state.h"
#include "lib/alloc.h"
#include "lib/log.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static int quiet;
  if (!quiet) {
    log_set_severity(LOG_ERR);
    quiet = 1;
  }
  guard_entry_t *v = NULL;
  size_t n = 0;
  if (guard_state_parse((const char *)data, size, &v, &n) != 0) {
    FUZZ_CHECK(v == NULL && n == 0);
    return 0;
  }
  FUZZ_CHECK(n <= GUARD_SAMPLE_HARD_MAX);
  FUZZ_CHECK((n == 0) == (v == NULL));
  char *text = guard_state_format(v, n);
  guard_entry_t *w = NULL;
  size_t m = 0;
  FUZZ_CHECK(guard_state_parse(text, strlen(text), &w, &m) == 0);
  FUZZ_CHECK(m == n);
  for (size_t i = 0; i < n; i++) {
    FUZZ_CHECK(memcmp(w[i].rsa_id, v[i].rsa_id, 20) == 0);
    FUZZ_CHECK(strcmp(w[i].nickname, v[i].nickname) == 0);
    FUZZ_CHECK(w[i].sampled_on == v[i].sampled_on);
    FUZZ_CHECK(w[i].unlisted_since == v[i].unlisted_since);
    FUZZ_CHECK(w[i].confirmed_on == v[i].confirmed_on);
  }
  x_free(text);
  x_free(w);
  x_free(v);
  return 0;
}
