/* fuzz_extend2.c — EXTEND2 bodies and link specifiers: parse, check,
 * encode → parse round trips. */
#include "fuzz_common.h"

#include "proto/linkspec.h"
#include "proto/relay_circ.h"

static void
fuzz_linkspecs(const uint8_t *data, size_t size)
{
  size_t off = 0;
  uint8_t out[300];
  while (off < size) {
    linkspec_t ls, again;
    size_t used = 0;
    if (linkspec_parse(&ls, data + off, size - off, &used) < 0)
      return;
    FUZZ_CHECK(used >= 2 && used <= size - off);
    FUZZ_CHECK(linkspec_encoded_len(&ls) == used);
    int len = linkspec_encode(&ls, out, sizeof(out));
    FUZZ_CHECK(len == (int)used && memcmp(out, data + off, used) == 0);
    size_t used2 = 0;
    FUZZ_CHECK(linkspec_parse(&again, out, (size_t)len, &used2) == 0 && used2 == used);
    FUZZ_CHECK(linkspec_eq(&ls, &again));
    off += used;
  }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static extend2_cell_t c, d;
  static uint8_t out[RELAY_BODY_MAX_LEN];
  fuzz_linkspecs(data, size);
  if (extend2_cell_parse(&c, data, size) < 0)
    return 0;
  (void)extend2_cell_check(&c);
  int len = extend2_cell_encode(&c, out, sizeof(out));
  if (size <= RELAY_BODY_MAX_LEN) {
    /* Everything that parsed from a relay body fits back into one. */
    FUZZ_CHECK(len > 0);
    FUZZ_CHECK(memcmp(out, data, (size_t)len) == 0);
  }
  if (len < 0)
    return 0;
  FUZZ_CHECK(extend2_cell_parse(&d, out, (size_t)len) == 0);
  FUZZ_CHECK(d.n_spec == c.n_spec && d.htype == c.htype && d.hlen == c.hlen);
  FUZZ_CHECK(memcmp(d.hdata, c.hdata, c.hlen) == 0);
  for (unsigned i = 0; i < c.n_spec; i++)
    FUZZ_CHECK(linkspec_eq(&c.specs[i], &d.specs[i]));
  FUZZ_CHECK(extend2_cell_check(&c) == extend2_cell_check(&d));
  return 0;
}
