/* fuzz_microdesc.c — microdescriptor concatenations: every parsed md spans
 * bytes of the input that start with "onion-key", its digest is SHA-256 of
 * that span, parsing the span alone gives the same md, and matching the list
 * against its own digests finds every one. */
#include "../fuzz_common.h"

#include "lib/crypto/digest.h"
#include "proto/nodedoc/microdesc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *text = (const char *)data;
  microdesc_list_t l;
  if (microdesc_parse_all(text, size, &l) < 0) {
    FUZZ_CHECK(l.n_mds == 0 && l.mds == NULL && l.n_invalid == 0);
    return 0;
  }
  uint8_t (*digests)[MICRODESC_DIGEST_LEN] = NULL;
  if (l.n_mds)
    digests = malloc(l.n_mds * MICRODESC_DIGEST_LEN);
  for (size_t i = 0; i < l.n_mds; i++) {
    const microdesc_t *md = l.mds[i];
    FUZZ_CHECK(md->offset + md->len <= size && md->len >= 9 && md->len <= MICRODESC_MAX_LEN);
    FUZZ_CHECK(!memcmp(text + md->offset, "onion-key", 9));
    FUZZ_CHECK(md->policy && md->policy6);
    if (i)
      FUZZ_CHECK(md->offset >= l.mds[i - 1]->offset + l.mds[i - 1]->len);
    uint8_t d[32];
    crypto_sha256(text + md->offset, md->len, d);
    FUZZ_CHECK(!memcmp(d, md->digest, 32));
    microdesc_t *again = microdesc_parse_one(text + md->offset, md->len, NULL);
    FUZZ_CHECK(again && !memcmp(again->ntor_key, md->ntor_key, 32) &&
               again->has_ed25519_id == md->has_ed25519_id &&
               again->n_family == md->n_family && again->n_family_ids == md->n_family_ids);
    microdesc_free(again);
    memcpy(digests[i], md->digest, 32);
  }
  uint8_t *found = l.n_mds ? malloc(l.n_mds) : NULL;
  microdesc_list_match(&l, (const uint8_t (*)[MICRODESC_DIGEST_LEN])digests, l.n_mds, found);
  for (size_t i = 0; i < l.n_mds; i++) {
    FUZZ_CHECK(found[i] == 1);
    FUZZ_CHECK(l.mds[i]->match == MICRODESC_WANTED || l.mds[i]->match == MICRODESC_DUPLICATE);
  }
  if (l.n_mds) {
    char path[13 + 44 * MICRODESC_MAX_PER_REQUEST];
    size_t n = l.n_mds < MICRODESC_MAX_PER_REQUEST ? l.n_mds : MICRODESC_MAX_PER_REQUEST;
    FUZZ_CHECK(microdesc_build_path((const uint8_t (*)[MICRODESC_DIGEST_LEN])digests, n, path,
                                    sizeof(path)) == (int)(13 + 44 * n - 1));
  }
  microdesc_list_keep_wanted(&l);
  free(found);
  free(digests);
  microdesc_list_clear(&l);
  return 0;
}
