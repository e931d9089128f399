/* fuzz_protover.c — subprotocol lists: parse; a parsed list writes a line
 * that parses back to the same sets, misses nothing against itself, and
 * compares with evonion's own list without trouble. */
#include "../fuzz_common.h"

#include "proto/nodedoc/protover.h"

static void
same(const protover_t *a, const protover_t *b)
{
  for (int k = 0; k < PROTO_N_KNOWN; k++)
    FUZZ_CHECK(a->known[k] == b->known[k]);
  /* names without versions are not written, so compare the non-empty ones */
  size_t na = 0, nb = 0;
  for (size_t i = 0; i < a->n_other; i++)
    na += a->other[i].versions != 0;
  for (size_t i = 0; i < b->n_other; i++) {
    nb += b->other[i].versions != 0;
    FUZZ_CHECK(b->other[i].name[0] != '\0');
  }
  FUZZ_CHECK(na == nb);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  protover_t p, q, ours;
  if (protover_parse(&p, (const char *)data, size) < 0) {
    FUZZ_CHECK(p.other == NULL && p.n_other == 0);
    return 0;
  }
  FUZZ_CHECK(p.n_other + PROTO_N_KNOWN <= PROTOVER_MAX_ENTRIES + PROTO_N_KNOWN);
  size_t n = protover_write(&p, NULL, 0);
  char *line = malloc(n + 1);
  FUZZ_CHECK(protover_write(&p, line, n + 1) == n && strlen(line) == n);
  FUZZ_CHECK(protover_parse(&q, line, n) == 0);
  same(&p, &q);
  char small[16];
  FUZZ_CHECK(protover_list_missing(&p, &p, small, sizeof(small)) == 0 && small[0] == '\0');
  FUZZ_CHECK(protover_list_missing(&p, &q, NULL, 0) == 0);
  protover_get_client_supported(&ours);
  size_t miss = protover_list_missing(&p, &ours, small, sizeof(small));
  FUZZ_CHECK((miss == 0) == (small[0] == '\0'));
  FUZZ_CHECK(strlen(small) < sizeof(small));
  for (int k = 0; k < PROTO_N_KNOWN; k++)
    for (unsigned v = 0; v < 64; v += 7)
      FUZZ_CHECK(protover_supports(&p, (protover_proto_t)k, v) == (int)((p.known[k] >> v) & 1));
  protover_clear(&ours);
  protover_clear(&q);
  protover_clear(&p);
  free(line);
  return 0;
}
