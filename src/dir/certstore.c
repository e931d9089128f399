/* certstore.c — verified authority certificates (see certstore.h). */
#include "dir/certstore.h"

#include <string.h>

#include "lib/alloc.h"
#include "lib/log.h"

void
certstore_init(certstore_t *s)
{
  memset(s, 0, sizeof(*s));
}

void
certstore_clear(certstore_t *s)
{
  if (!s)
    return;
  for (size_t i = 0; i < s->n; i++)
    authcert_free(s->certs[i]);
  x_free(s->certs);
  memset(s, 0, sizeof(*s));
}

static void
remove_at(certstore_t *s, size_t i)
{
  authcert_free(s->certs[i]);
  memmove(&s->certs[i], &s->certs[i + 1], (s->n - i - 1) * sizeof(authcert_t *));
  s->n--;
}

const authcert_t *
certstore_find(const certstore_t *s, const uint8_t v3ident[20], const uint8_t sk_digest[20])
{
  for (size_t i = 0; i < s->n; i++) {
    if (memcmp(s->certs[i]->v3ident, v3ident, 20) == 0 &&
        memcmp(s->certs[i]->signing_key_digest, sk_digest, 20) == 0)
      return s->certs[i];
  }
  return NULL;
}

int
certstore_has_authority(const certstore_t *s, const uint8_t v3ident[20])
{
  for (size_t i = 0; i < s->n; i++) {
    if (memcmp(s->certs[i]->v3ident, v3ident, 20) == 0)
      return 1;
  }
  return 0;
}

/* Keep at most CERTSTORE_MAX_PER_AUTH per authority: drop the oldest published. */
static void
trim_authority(certstore_t *s, const uint8_t v3ident[20])
{
  for (;;) {
    size_t count = 0, oldest = 0;
    for (size_t i = 0; i < s->n; i++) {
      if (memcmp(s->certs[i]->v3ident, v3ident, 20) != 0)
        continue;
      if (count == 0 || s->certs[i]->published < s->certs[oldest]->published)
        oldest = i;
      count++;
    }
    if (count <= CERTSTORE_MAX_PER_AUTH)
      return;
    remove_at(s, oldest);
  }
}

/* Take ownership of c. */
static void
store_add(certstore_t *s, authcert_t *c)
{
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 8;
    s->certs = x_realloc(s->certs, s->cap * sizeof(authcert_t *));
  }
  s->certs[s->n++] = c;
  trim_authority(s, c->v3ident);
}

int
certstore_add_body(certstore_t *s, const dir_authorities_t *auths, const char *body, size_t len,
                   int64_t now, const char *src, certstore_added_t *added)
{
  authcert_t **certs = NULL;
  size_t n = 0;
  memset(added, 0, sizeof(*added));
  authcert_result_t r = authcert_parse_all(body, len, &certs, &n);
  if (r != AUTHCERT_OK) {
    log_warn(LD_DIR, "Rejected the authority certificates from %s: %s", src,
             authcert_result_to_string(r));
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    authcert_t *c = certs[i];
    certs[i] = NULL;
    char hex[41];
    dirauth_hex_id(c->v3ident, hex);
    const dir_authority_t *a = dirauth_list_find_v3(auths, c->v3ident);
    if (!a) {
      log_warn(LD_DIR, "Rejected an authority certificate from %s: v3ident %s is not a "
               "configured authority", src, hex);
      added->n_rejected++;
      authcert_free(c);
      continue;
    }
    authcert_result_t cr = authcert_check(c, now);
    if (cr != AUTHCERT_OK) {
      log_warn(LD_DIR, "Rejected the certificate of authority %s (%s) from %s: %s",
               a->nickname, hex, src, authcert_result_to_string(cr));
      added->n_rejected++;
      authcert_free(c);
      continue;
    }
    if (certstore_find(s, c->v3ident, c->signing_key_digest)) {
      added->n_known++;
      authcert_free(c);
      continue;
    }
    log_info(LD_DIR, "Accepted the certificate of authority %s (%s) from %s.", a->nickname, hex,
             src);
    store_add(s, c);
    added->n_added++;
  }
  authcert_free_all(certs, n);
  return 0;
}

void
certstore_expire(certstore_t *s, int64_t now)
{
  for (size_t i = 0; i < s->n;) {
    if (s->certs[i]->expires < now)
      remove_at(s, i);
    else
      i++;
  }
}

char *
certstore_to_text(const certstore_t *s, size_t *len)
{
  size_t total = 0;
  for (size_t i = 0; i < s->n; i++)
    total += s->certs[i]->text_len + 1;
  char *out = x_malloc(total + 1), *p = out;
  for (size_t i = 0; i < s->n; i++) {
    memcpy(p, s->certs[i]->text, s->certs[i]->text_len);
    p += s->certs[i]->text_len;
    if (s->certs[i]->text_len && s->certs[i]->text[s->certs[i]->text_len - 1] != '\n')
      *p++ = '\n';
  }
  *p = '\0';
  *len = (size_t)(p - out);
  return out;
}
