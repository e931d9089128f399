/* fuzz_consensus.c — libFuzzer target for the microdesc consensus
 * (proto/netdoc/consensus.h): parse, then verify against the authorities and
 * certificates of tests/vectors/dir (loaded once, if found). */
#include "fuzz_common.h"

#include "proto/netdoc/consensus.h"

#define FIXED_NOW ((int64_t)1796036538)

static authcert_t **certs;
static size_t n_certs;
static uint8_t auths[CONS_MAX_AUTHORITIES][DIGEST_LEN];
static size_t n_auths;

/* The captured certificates: from the source root the build names
 * (EVONION_SOURCE_ROOT), else relative to the source root (fuzzing by hand)
 * or to a build directory inside it. */
static void
load_certs(void)
{
  static const char *const paths[] = {
#ifdef EVONION_SOURCE_ROOT
    EVONION_SOURCE_ROOT "/tests/vectors/dir/keys-all",
#endif
    "tests/vectors/dir/keys-all", "../tests/vectors/dir/keys-all" };
  FILE *f = NULL;
  for (size_t i = 0; !f && i < sizeof(paths) / sizeof(paths[0]); i++)
    f = fopen(paths[i], "rb");
  if (!f)
    return;
  static char buf[1 << 16];
  size_t n = fread(buf, 1, sizeof(buf), f);
  fclose(f);
  if (authcert_parse_all(buf, n, &certs, &n_certs) != AUTHCERT_OK)
    return;
  for (size_t i = 0; i < n_certs && i < CONS_MAX_AUTHORITIES; i++)
    memcpy(auths[n_auths++], certs[i]->v3ident, DIGEST_LEN);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static int loaded;
  if (!loaded) {
    loaded = 1;
    load_certs();
  }
  consensus_t *c = NULL;
  char err[256];
  if (consensus_parse((const char *)data, size, &c, err, sizeof(err)) == 0) {
    FUZZ_CHECK(c != NULL && c->signed_len <= size && c->n_sigs > 0);
    for (size_t i = 0; i < c->n_routers; i++) {
      const cons_router_t *r = &c->routers[i];
      FUZZ_CHECK(r->nickname[0] != '\0');
      FUZZ_CHECK(!r->protocols.s || (r->protocols.s >= c->text &&
                                     r->protocols.s + r->protocols.len <= c->text + c->text_len));
    }
    consensus_verify_t v;
    if (n_auths) {
      consensus_verify_result_t r = consensus_verify(c, (const uint8_t (*)[DIGEST_LEN])auths,
                                                     n_auths, certs, n_certs, FIXED_NOW, &v);
      FUZZ_CHECK(r == v.result && v.n_missing <= n_auths);
      (void)consensus_verify_result_to_string(r);
    }
    (void)consensus_verify(c, (const uint8_t (*)[DIGEST_LEN])auths, 1, NULL, 0, c->valid_after,
                           &v);
    (void)consensus_get_param(c, "circwindow", 1000, 100, 1000);
    consensus_free(c);
  } else {
    FUZZ_CHECK(c == NULL);
  }
  return 0;
}
