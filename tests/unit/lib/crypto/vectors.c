/* vectors.c — known-answer file reader for the crypto tests. */
#include "vectors.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VEC_MAX_FIELDS 16

typedef struct vec_rec_t {
  char *section;
  size_t n;
  char *key[VEC_MAX_FIELDS];
  char *val[VEC_MAX_FIELDS];
} vec_rec_t;

struct vec_file_t {
  char *text;
  vec_rec_t *recs;
  size_t n_recs;
};

char *
vec_read_file(const char *name, size_t *len)
{
  char path[1024];
  snprintf(path, sizeof(path), "%s/tests/vectors/crypto/%s", EVONION_SOURCE_ROOT, name);
  FILE *f = fopen(path, "rb");
  if (!f)
    ck_abort_msg("cannot open vector file %s", path);
  fseek(f, 0, SEEK_END);
  long sz = ftell(f);
  fseek(f, 0, SEEK_SET);
  ck_assert_int_ge(sz, 0);
  char *buf = malloc((size_t)sz + 1);
  ck_assert_ptr_nonnull(buf);
  ck_assert_uint_eq(fread(buf, 1, (size_t)sz, f), (size_t)sz);
  buf[sz] = '\0';
  fclose(f);
  if (len)
    *len = (size_t)sz;
  return buf;
}

static char *
trim(char *s)
{
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
    s[--n] = '\0';
  return s;
}

vec_file_t *
vec_load(const char *name)
{
  vec_file_t *vf = calloc(1, sizeof(*vf));
  ck_assert_ptr_nonnull(vf);
  vf->text = vec_read_file(name, NULL);
  char *section = (char *)"";
  vec_rec_t *cur = NULL;
  for (char *line = vf->text, *next; line; line = next) {
    next = strchr(line, '\n');
    if (next)
      *next++ = '\0';
    char *l = trim(line);
    if (*l == '#')
      continue;
    if (*l == '\0') {
      cur = NULL;
      continue;
    }
    if (*l == '[') {
      char *e = strchr(l, ']');
      ck_assert_ptr_nonnull(e);
      *e = '\0';
      section = l + 1;
      cur = NULL;
      continue;
    }
    char *eq = strchr(l, '=');
    ck_assert_msg(eq != NULL, "bad line in %s: %s", name, l);
    *eq = '\0';
    if (!cur) {
      vf->recs = realloc(vf->recs, (vf->n_recs + 1) * sizeof(*vf->recs));
      ck_assert_ptr_nonnull(vf->recs);
      cur = &vf->recs[vf->n_recs++];
      memset(cur, 0, sizeof(*cur));
      cur->section = section;
    }
    ck_assert_uint_lt(cur->n, VEC_MAX_FIELDS);
    cur->key[cur->n] = trim(l);
    cur->val[cur->n] = trim(eq + 1);
    cur->n++;
  }
  return vf;
}

void
vec_free(vec_file_t *vf)
{
  if (!vf)
    return;
  free(vf->recs);
  free(vf->text);
  free(vf);
}

static const vec_rec_t *
nth(const vec_file_t *vf, const char *section, size_t i)
{
  for (size_t k = 0; k < vf->n_recs; k++) {
    if (section && strcmp(vf->recs[k].section, section) != 0)
      continue;
    if (i-- == 0)
      return &vf->recs[k];
  }
  return NULL;
}

size_t
vec_count(const vec_file_t *vf, const char *section)
{
  size_t n = 0;
  while (nth(vf, section, n))
    n++;
  return n;
}

const char *
vec_str(const vec_file_t *vf, const char *section, size_t i, const char *key)
{
  const vec_rec_t *r = nth(vf, section, i);
  if (!r)
    return NULL;
  for (size_t k = 0; k < r->n; k++)
    if (strcmp(r->key[k], key) == 0)
      return r->val[k];
  return NULL;
}

static int
hexval(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

uint8_t *
vec_hex(const vec_file_t *vf, const char *section, size_t i, const char *key, size_t *len)
{
  const char *s = vec_str(vf, section, i, key);
  ck_assert_msg(s != NULL, "vector %s[%lu] has no %s", section, (unsigned long)i, key);
  size_t n = strlen(s);
  ck_assert_msg(n % 2 == 0, "odd hex length for %s", key);
  uint8_t *out = malloc(n / 2 + 1);
  ck_assert_ptr_nonnull(out);
  for (size_t k = 0; k < n / 2; k++) {
    int hi = hexval(s[2 * k]), lo = hexval(s[2 * k + 1]);
    ck_assert_msg(hi >= 0 && lo >= 0, "bad hex for %s", key);
    out[k] = (uint8_t)(hi << 4 | lo);
  }
  *len = n / 2;
  return out;
}

void
vec_hex_n(const vec_file_t *vf, const char *section, size_t i, const char *key, uint8_t *out,
          size_t n)
{
  size_t len = 0;
  uint8_t *buf = vec_hex(vf, section, i, key, &len);
  ck_assert_msg(len == n, "%s: expected %lu bytes, got %lu", key, (unsigned long)n, (unsigned long)len);
  memcpy(out, buf, n);
  free(buf);
}

static int
b64val(char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

uint8_t *
vec_base64(const char *s, size_t n, size_t *len)
{
  uint8_t *out = malloc(n * 3 / 4 + 3);
  ck_assert_ptr_nonnull(out);
  uint32_t acc = 0;
  int bits = 0;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
      continue;
    if (c == '=')
      break;
    int v = b64val(c);
    ck_assert_msg(v >= 0, "bad base64 character 0x%02x", (unsigned char)c);
    acc = (acc << 6) | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (uint8_t)(acc >> bits);
    }
  }
  *len = o;
  return out;
}

uint8_t *
vec_pem_body(const char *text, const char *label, size_t *len)
{
  char begin[128], end[128];
  snprintf(begin, sizeof(begin), "-----BEGIN %s-----", label);
  snprintf(end, sizeof(end), "-----END %s-----", label);
  const char *b = strstr(text, begin);
  ck_assert_msg(b != NULL, "no PEM block %s", label);
  b += strlen(begin);
  const char *e = strstr(b, end);
  ck_assert_ptr_nonnull(e);
  return vec_base64(b, (size_t)(e - b), len);
}
