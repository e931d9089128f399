/* dirvec.c — read tests/vectors/dir/ (see dirvec.h).  expected.json is read
 * line by line: capture.py writes it with json.dump(indent=1), one
 * "key": value per line. */
#include "dirvec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

char *
dirvec_read(const char *name, size_t *len)
{
  char path[1024];
  snprintf(path, sizeof(path), "%s/tests/vectors/dir/%s", EVONION_SOURCE_ROOT, name);
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  for (;;) {
    if (n + 1 >= cap)
      buf = realloc(buf, cap *= 2);
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    if (got == 0)
      break;
    n += got;
  }
  fclose(f);
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* The value of "key": on this line (without quotes), or NULL. */
static const char *
value_of(const char *line, const char *key, char *out, size_t outlen)
{
  char pat[64];
  snprintf(pat, sizeof(pat), "\"%s\": ", key);
  const char *p = strstr(line, pat);
  if (!p)
    return NULL;
  p += strlen(pat);
  if (*p == '"')
    p++;
  size_t n = strcspn(p, "\",\r\n");
  if (n >= outlen)
    n = outlen - 1;
  memcpy(out, p, n);
  out[n] = '\0';
  return out;
}

static void
copy_str(char *dst, size_t cap, const char *src)
{
  size_t n = strlen(src);
  ck_assert_uint_lt(n, cap);
  memcpy(dst, src, n + 1);
}

static void
node_field(dirvec_node_t *nd, const char *line)
{
  char v[128];
  if (value_of(line, "nickname", v, sizeof(v)))
    copy_str(nd->nickname, sizeof(nd->nickname), v);
  else if (value_of(line, "role", v, sizeof(v)))
    copy_str(nd->role, sizeof(nd->role), v);
  else if (value_of(line, "fingerprint", v, sizeof(v)))
    ck_assert_int_eq(testutil_unhex(v, nd->rsa_id, 20), 20);
  else if (value_of(line, "or_port", v, sizeof(v)))
    nd->or_port = atoi(v);
  else if (value_of(line, "dir_port", v, sizeof(v)))
    nd->dir_port = strcmp(v, "null") == 0 ? 0 : atoi(v);
  else if (value_of(line, "is_exit", v, sizeof(v)))
    nd->is_exit = strcmp(v, "true") == 0;
  else if (value_of(line, "v3ident", v, sizeof(v)) && strcmp(v, "null") != 0) {
    ck_assert_int_eq(testutil_unhex(v, nd->v3ident, 20), 20);
    nd->has_v3ident = 1;
  } else if (value_of(line, "ntor_onion_key", v, sizeof(v)))
    copy_str(nd->ntor_onion_key, sizeof(nd->ntor_onion_key), v);
  else if (value_of(line, "ed25519_id", v, sizeof(v)))
    copy_str(nd->ed25519_id, sizeof(nd->ed25519_id), v);
}

void
dirvec_load_expected(dirvec_expected_t *e)
{
  size_t len;
  char *text = dirvec_read("expected.json", &len);
  memset(e, 0, sizeof(*e));
  int in_nodes = 0;
  dirvec_node_t *cur = NULL;
  for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
    char v[64];
    if (!in_nodes && value_of(line, "capture_time", v, sizeof(v)))
      e->capture_time = strtoll(v, NULL, 10);
    if (strstr(line, "\"nodes\": ["))
      in_nodes = 1;
    else if (in_nodes && strncmp(line, " ]", 2) == 0)
      in_nodes = 0;
    else if (in_nodes && strcmp(line, "  {") == 0) {
      ck_assert_uint_lt(e->n_nodes, DIRVEC_MAX_NODES);
      cur = &e->nodes[e->n_nodes++];
    } else if (in_nodes && cur)
      node_field(cur, line);
  }
  for (size_t i = 0; i < e->n_nodes; i++)
    if (e->nodes[i].has_v3ident)
      memcpy(e->v3idents[e->n_auth++], e->nodes[i].v3ident, 20);
  ck_assert_int_gt(e->capture_time, 0);
  free(text);
}
