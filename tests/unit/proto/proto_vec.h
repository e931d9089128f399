/* proto_vec.h — helpers for the proto unit tests: load a named vector from a
 * file under tests/vectors/proto/ ("<name> <command> <hex>" lines, "-" for an
 * empty body), and evbuffer round-trip helpers. */
#ifndef EVONION_TEST_PROTO_VEC_H
#define EVONION_TEST_PROTO_VEC_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define VEC_MAX 8192

typedef struct vec_t {
  int cmd;
  size_t len;
  uint8_t b[VEC_MAX];
} vec_t;

/* Load vector `name` from tests/vectors/proto/<file>; fails the test if absent. */
static inline void
vec_load(vec_t *v, const char *file, const char *name)
{
  char path[1024];
  snprintf(path, sizeof(path), "%s/tests/vectors/proto/%s", EVONION_SOURCE_ROOT, file);
  FILE *f = fopen(path, "r");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  static char line[2 * VEC_MAX + 256];
  int found = 0;
  while (fgets(line, sizeof(line), f)) {
    char n[128], hex[2 * VEC_MAX + 8];
    int cmd;
    if (line[0] == '#' || sscanf(line, "%127s %d %16390s", n, &cmd, hex) != 3)
      continue;
    if (strcmp(n, name) != 0)
      continue;
    v->cmd = cmd;
    if (strcmp(hex, "-") == 0) {
      v->len = 0;
    } else {
      int r = testutil_unhex(hex, v->b, sizeof(v->b));
      ck_assert_msg(r >= 0, "bad hex in vector %s", name);
      v->len = (size_t)r;
    }
    found = 1;
    break;
  }
  fclose(f);
  ck_assert_msg(found, "vector %s not found in %s", name, file);
}

#endif
