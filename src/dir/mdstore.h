/* mdstore.h — the microdescriptors the directory client holds, by SHA-256
 * digest, each with its text (for the cache) and its parsed fields.
 * Only microdescriptors that were asked for are stored: a body may carry
 * others (a broken or hostile server); they are discarded and logged. */
#ifndef EVONION_DIR_MDSTORE_H
#define EVONION_DIR_MDSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/nodedoc/microdesc.h"

typedef struct mdstore_t mdstore_t;

/** A set of wanted digests (sorted; see mdstore_wanted_sort). */
typedef struct md_wanted_t {
  uint8_t (*d)[32];
  size_t n;
} md_wanted_t;

/** Sort w so that mdstore_wanted_has works (binary search). */
void mdstore_wanted_sort(md_wanted_t *w);

/** 1 if digest is in the sorted set w. */
int mdstore_wanted_has(const md_wanted_t *w, const uint8_t digest[32]);

/** A new, empty store. */
mdstore_t *mdstore_new(void);

/** Free the store and everything in it (NULL is fine). */
void mdstore_free(mdstore_t *s);

/** Split body (a /tor/micro/d/ response or the cache file) into
 *  microdescriptors and keep those whose SHA-256 is in wanted.  Others, and
 *  ones that do not parse, are discarded; each such rejection is logged
 *  (warn for a network source, info for the cache), naming src.  Returns -1
 *  if the body is not microdescriptors at all, else 0; *n_added and
 *  *n_rejected count the outcome. */
int mdstore_add_body(mdstore_t *s, const char *body, size_t len, const md_wanted_t *wanted,
                     const char *src, int from_cache, unsigned *n_added, unsigned *n_rejected);

/** The microdescriptor with this digest, or NULL. */
const microdesc_t *mdstore_get(const mdstore_t *s, const uint8_t digest[32]);

/** The number held. */
size_t mdstore_count(const mdstore_t *s);

/** Drop every microdescriptor not in keep (sorted). */
void mdstore_retain(mdstore_t *s, const md_wanted_t *keep);

/** All texts concatenated, for the cache: a new NUL-terminated buffer of
 *  *len bytes (x_free it). */
char *mdstore_to_text(const mdstore_t *s, size_t *len);

#endif
