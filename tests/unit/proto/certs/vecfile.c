/* vecfile.c — read `name = value` vector files from tests/vectors/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vecfile.h"

/* Return a malloc'd copy of the value of name, or NULL. */
static char *
lookup(const char *relpath, const char *name)
{
  char path[1024];
  snprintf(path, sizeof(path), "%s/tests/vectors/%s", EVONION_SOURCE_ROOT, relpath);
  FILE *f = fopen(path, "r");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  static char line[65536];
  char *found = NULL;
  size_t nlen = strlen(name);
  while (!found && fgets(line, sizeof(line), f)) {
    if (line[0] == '#' || strncmp(line, name, nlen) != 0)
      continue;
    char *p = line + nlen;
    while (*p == ' ')
      p++;
    if (*p != '=')
      continue;
    p++;
    while (*p == ' ')
      p++;
    size_t vlen = strcspn(p, "\r\n");
    found = malloc(vlen + 1);
    memcpy(found, p, vlen);
    found[vlen] = '\0';
  }
  fclose(f);
  ck_assert_msg(found != NULL, "no %s in %s", name, path);
  return found;
}

uint8_t *
vecfile_hex(const char *relpath, const char *name, size_t *len)
{
  char *hex = lookup(relpath, name);
  size_t cap = strlen(hex) / 2 + 1;
  uint8_t *out = malloc(cap);
  int n = testutil_unhex(hex, out, cap);
  ck_assert_msg(n >= 0, "bad hex for %s", name);
  free(hex);
  *len = (size_t)n;
  return out;
}

long long
vecfile_num(const char *relpath, const char *name)
{
  char *s = lookup(relpath, name);
  long long v = strtoll(s, NULL, 10);
  free(s);
  return v;
}
