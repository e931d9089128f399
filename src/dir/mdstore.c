/* mdstore.c — microdescriptors by digest (see mdstore.h). */
#include "dir/mdstore.h"

#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/bytes.h"
#include "lib/log.h"
#include "proto/netdoc/netdoc.h"

typedef struct md_entry_t {
  microdesc_t *md;   /* owned; NULL: empty slot */
  char *text;        /* owned copy of its bytes */
  size_t len;
} md_entry_t;

struct mdstore_t {
  size_t n, n_slots;
  md_entry_t *slots;   /* open addressing on the digest */
};

static int
cmp_digest(const void *a, const void *b)
{
  return memcmp(a, b, 32);
}

void
mdstore_wanted_sort(md_wanted_t *w)
{
  if (w->n > 1)
    qsort(w->d, w->n, 32, cmp_digest);
}

int
mdstore_wanted_has(const md_wanted_t *w, const uint8_t digest[32])
{
  return w->n && bsearch(digest, w->d, w->n, 32, cmp_digest) != NULL;
}

mdstore_t *
mdstore_new(void)
{
  return x_calloc(1, sizeof(mdstore_t));
}

static void
entry_clear(md_entry_t *e)
{
  microdesc_free(e->md);
  x_free(e->text);
  memset(e, 0, sizeof(*e));
}

void
mdstore_free(mdstore_t *s)
{
  if (!s)
    return;
  for (size_t i = 0; i < s->n_slots; i++)
    entry_clear(&s->slots[i]);
  x_free(s->slots);
  x_free(s);
}

static md_entry_t *
find_slot(md_entry_t *slots, size_t n_slots, const uint8_t d[32])
{
  /* SHA-256 digests are uniform: their first bytes make a good hash. */
  size_t i = (size_t)get_u64(d) & (n_slots - 1);
  for (;;) {
    md_entry_t *e = &slots[i];
    if (!e->md || memcmp(e->md->digest, d, 32) == 0)
      return e;
    i = (i + 1) & (n_slots - 1);
  }
}

static void
grow(mdstore_t *s)
{
  size_t n_slots = s->n_slots ? s->n_slots * 2 : 256;
  md_entry_t *slots = x_calloc(n_slots, sizeof(md_entry_t));
  for (size_t i = 0; i < s->n_slots; i++) {
    if (s->slots[i].md)
      *find_slot(slots, n_slots, s->slots[i].md->digest) = s->slots[i];
  }
  x_free(s->slots);
  s->slots = slots;
  s->n_slots = n_slots;
}

const microdesc_t *
mdstore_get(const mdstore_t *s, const uint8_t digest[32])
{
  if (!s || s->n_slots == 0)
    return NULL;
  return find_slot(s->slots, s->n_slots, digest)->md;
}

size_t
mdstore_count(const mdstore_t *s)
{
  return s->n;
}

/* Take md (owned) with its text. */
static void
store_put(mdstore_t *s, microdesc_t *md, const char *text, size_t len)
{
  if ((s->n + 1) * 2 > s->n_slots)
    grow(s);
  md_entry_t *e = find_slot(s->slots, s->n_slots, md->digest);
  if (e->md) {
    microdesc_free(md);
    return;
  }
  e->md = md;
  e->text = x_malloc(len + 1);
  memcpy(e->text, text, len);
  e->text[len] = '\0';
  e->len = len;
  s->n++;
}

int
mdstore_add_body(mdstore_t *s, const char *body, size_t len, const md_wanted_t *wanted,
                 const char *src, int from_cache, unsigned *n_added, unsigned *n_rejected)
{
  microdesc_list_t list;
  *n_added = *n_rejected = 0;
  log_severity_t sev = from_cache ? LOG_INFO : LOG_WARN;
  if (microdesc_parse_all(body, len, &list) < 0) {
    log_fn_(sev, LD_DIR, __func__, "Rejected the microdescriptors from %s: too many pieces.",
            src);
    *n_rejected = 1;
    return -1;
  }
  for (size_t i = 0; i < list.n_invalid; i++) {
    char b64[48];
    netdoc_base64_encode(list.invalid_digests[i], 32, b64, sizeof(b64));
    log_fn_(sev, LD_DIR, __func__, "Discarded a malformed microdescriptor from %s (digest %s).",
            src, b64);
  }
  if (list.n_garbage)
    log_fn_(sev, LD_DIR, __func__, "Discarded %zu pieces of text from %s that are not "
            "microdescriptors.", list.n_garbage, src);
  *n_rejected += (unsigned)(list.n_invalid + list.n_garbage);
  for (size_t i = 0; i < list.n_mds; i++) {
    const microdesc_t *md = list.mds[i];
    if (mdstore_get(s, md->digest))
      continue;  /* already held (a duplicate): harmless */
    if (!mdstore_wanted_has(wanted, md->digest)) {
      char b64[48];
      netdoc_base64_encode(md->digest, 32, b64, sizeof(b64));
      if (from_cache)
        log_info(LD_DIR, "Dropping cached microdescriptor %s: the consensus no longer lists it.",
                 b64);
      else
        log_warn(LD_DIR, "Discarded a microdescriptor from %s that was not asked for: its "
                 "digest %s is not one we requested from the consensus.", src, b64);
      (*n_rejected)++;
      continue;
    }
    microdesc_t *taken = microdesc_list_take(&list, i);
    store_put(s, taken, body + taken->offset, taken->len);
    (*n_added)++;
    i--;  /* the list shifted down */
  }
  microdesc_list_clear(&list);
  return 0;
}

void
mdstore_retain(mdstore_t *s, const md_wanted_t *keep)
{
  if (s->n_slots == 0)
    return;
  /* Rebuild: simpler than deleting from an open-addressed table. */
  md_entry_t *old = s->slots;
  size_t n_old = s->n_slots;
  s->slots = x_calloc(n_old, sizeof(md_entry_t));
  s->n = 0;
  for (size_t i = 0; i < n_old; i++) {
    if (!old[i].md)
      continue;
    if (mdstore_wanted_has(keep, old[i].md->digest)) {
      *find_slot(s->slots, s->n_slots, old[i].md->digest) = old[i];
      s->n++;
    } else {
      entry_clear(&old[i]);
    }
  }
  x_free(old);
}

char *
mdstore_to_text(const mdstore_t *s, size_t *len)
{
  size_t total = 0;
  for (size_t i = 0; i < s->n_slots; i++)
    total += s->slots[i].md ? s->slots[i].len : 0;
  char *out = x_malloc(total + 1), *p = out;
  for (size_t i = 0; i < s->n_slots; i++) {
    if (!s->slots[i].md)
      continue;
    memcpy(p, s->slots[i].text, s->slots[i].len);
    p += s->slots[i].len;
  }
  *p = '\0';
  *len = (size_t)(p - out);
  return out;
}
