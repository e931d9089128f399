/* guard_state.c — the guard sample's text file (see guard_state.h). */
#include "client/guard_state.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <io.h>
#include <windows.h>
#else
#include <unistd.h>
#endif

#include "lib/alloc.h"
#include "lib/log.h"

#define STATE_HEADER "# evonion state file: written by evonion; edits are lost\n"
#define STATE_VERSION_KW "EvonionState"
#define STATE_VERSION 1
#define LINE_MAX_LEN 512
/* 1970 .. 9999-12-31: anything else is garbage. */
#define TIME_MAX_VALUE INT64_C(253402300799)

char *
guard_state_format(const guard_entry_t *entries, size_t n)
{
  size_t cap = 128 + n * 200;
  char *buf = x_malloc(cap);
  size_t off = (size_t)snprintf(buf, cap, STATE_HEADER "%s %d\n", STATE_VERSION_KW,
                                STATE_VERSION);
  for (size_t i = 0; i < n; i++) {
    const guard_entry_t *e = &entries[i];
    char hex[41];
    for (size_t k = 0; k < 20; k++)
      snprintf(hex + 2 * k, 3, "%02X", e->rsa_id[k]);
    off += (size_t)snprintf(buf + off, cap - off, "Guard id=%s nick=%s sampled=%" PRId64, hex,
                            e->nickname[0] ? e->nickname : "-", e->sampled_on);
    if (e->unlisted_since)
      off += (size_t)snprintf(buf + off, cap - off, " unlisted=%" PRId64, e->unlisted_since);
    if (e->confirmed_on)
      off += (size_t)snprintf(buf + off, cap - off, " confirmed=%" PRId64, e->confirmed_on);
    off += (size_t)snprintf(buf + off, cap - off, "\n");
  }
  return buf;
}

static int
parse_time(const char *s, size_t len, int64_t *out)
{
  if (len == 0 || len > 12)
    return -1;
  int64_t v = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  if (v > TIME_MAX_VALUE)
    return -1;
  *out = v;
  return 0;
}

static int
parse_hex_id(const char *s, size_t len, uint8_t id[20])
{
  if (len != 40)
    return -1;
  for (size_t i = 0; i < 40; i++) {
    char c = s[i];
    int v = (c >= '0' && c <= '9') ? c - '0'
          : (c >= 'A' && c <= 'F') ? c - 'A' + 10
          : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (v < 0)
      return -1;
    if (i % 2 == 0)
      id[i / 2] = (uint8_t)(v << 4);
    else
      id[i / 2] |= (uint8_t)v;
  }
  return 0;
}

static int
valid_nickname(const char *s, size_t len)
{
  if (len == 0 || len > 19)
    return 0;
  if (len == 1 && s[0] == '-')
    return 1;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
      return 0;
  }
  return 1;
}

/* Parse one "key=value" item of a Guard line into e; `seen` tracks which
 * keys appeared (bit per key).  Returns 0, or -1 if malformed. */
static int
parse_item(const char *s, size_t len, guard_entry_t *e, unsigned *seen)
{
  const char *eq = memchr(s, '=', len);
  if (!eq)
    return -1;
  size_t klen = (size_t)(eq - s);
  const char *v = eq + 1;
  size_t vlen = len - klen - 1;
  static const char *const keys[] = { "id", "nick", "sampled", "unlisted", "confirmed" };
  for (unsigned k = 0; k < 5; k++) {
    if (strlen(keys[k]) != klen || memcmp(keys[k], s, klen) != 0)
      continue;
    if (*seen & (1u << k))
      return -1;
    *seen |= 1u << k;
    switch (k) {
    case 0: return parse_hex_id(v, vlen, e->rsa_id);
    case 1:
      if (!valid_nickname(v, vlen))
        return -1;
      if (!(vlen == 1 && v[0] == '-'))
        memcpy(e->nickname, v, vlen);
      return 0;
    case 2: return parse_time(v, vlen, &e->sampled_on);
    case 3: return parse_time(v, vlen, &e->unlisted_since);
    default: return parse_time(v, vlen, &e->confirmed_on);
    }
  }
  return 0; /* an unknown key: ignored */
}

/* Parse the items after "Guard" (line without the keyword). */
static int
parse_guard_line(const char *s, size_t len, guard_entry_t *e)
{
  memset(e, 0, sizeof(*e));
  unsigned seen = 0;
  size_t i = 0;
  while (i < len) {
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
      i++;
    size_t start = i;
    while (i < len && s[i] != ' ' && s[i] != '\t')
      i++;
    if (i > start && parse_item(s + start, i - start, e, &seen) < 0)
      return -1;
  }
  /* id and sampled are required. */
  return (seen & 5u) == 5u ? 0 : -1;
}

static int
is_duplicate(const guard_entry_t *v, size_t n, const uint8_t id[20])
{
  for (size_t i = 0; i < n; i++) {
    if (memcmp(v[i].rsa_id, id, 20) == 0)
      return 1;
  }
  return 0;
}

/* Split off the keyword of a line: returns its length. */
static size_t
keyword_len(const char *line, size_t len)
{
  size_t k = 0;
  while (k < len && line[k] != ' ' && line[k] != '\t')
    k++;
  return k;
}

static int
kw_is(const char *line, size_t klen, const char *kw)
{
  return strlen(kw) == klen && memcmp(line, kw, klen) == 0;
}

int
guard_state_parse(const char *text, size_t len, guard_entry_t **out, size_t *n_out)
{
  *out = NULL;
  *n_out = 0;
  if (len > GUARD_STATE_MAX_SIZE || memchr(text, '\0', len))
    return -1;
  guard_entry_t *v = x_calloc(GUARD_SAMPLE_HARD_MAX, sizeof(guard_entry_t));
  size_t n = 0, lineno = 0;
  int have_version = 0;
  size_t pos = 0;
  while (pos < len) {
    const char *nl = memchr(text + pos, '\n', len - pos);
    size_t llen = nl ? (size_t)(nl - (text + pos)) : len - pos;
    const char *line = text + pos;
    pos += llen + (nl ? 1 : 0);
    lineno++;
    if (llen > 0 && line[llen - 1] == '\r')
      llen--;
    if (llen == 0 || line[0] == '#')
      continue;
    size_t klen = keyword_len(line, llen);
    if (!have_version) {
      /* The first non-comment line must name our format and version. */
      if (!kw_is(line, klen, STATE_VERSION_KW) || llen - klen != 2 ||
          line[klen + 1] != '0' + STATE_VERSION)
        break;
      have_version = 1;
      continue;
    }
    if (!kw_is(line, klen, "Guard"))
      continue;
    guard_entry_t e;
    if (llen > LINE_MAX_LEN || parse_guard_line(line + klen, llen - klen, &e) < 0) {
      log_warn(LD_CIRC, "State file line %zu: malformed Guard line; skipping it.", lineno);
      continue;
    }
    if (n == GUARD_SAMPLE_HARD_MAX || is_duplicate(v, n, e.rsa_id))
      continue;
    v[n++] = e;
  }
  if (!have_version) {
    x_free(v);
    return -1;
  }
  if (n == 0)
    FREE_AND_NULL(x_free, v);
  *out = v;
  *n_out = n;
  return 0;
}

/* Flush f's data to the disk (best effort). */
static void
sync_file(FILE *f)
{
#ifdef _WIN32
  (void)_commit(_fileno(f));
#else
  (void)fsync(fileno(f));
#endif
}

static int
replace_file(const char *tmp, const char *path)
{
#ifdef _WIN32
  return MoveFileExA(tmp, path, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH) ? 0 : -1;
#else
  return rename(tmp, path);
#endif
}

int
guard_state_write_file(const char *path, const char *data, size_t len)
{
  size_t tn = strlen(path) + 5;
  char *tmp = x_malloc(tn);
  snprintf(tmp, tn, "%s.tmp", path);
  FILE *f = fopen(tmp, "wb");
  int ok = f && fwrite(data, 1, len, f) == len && fflush(f) == 0;
  if (f) {
    if (ok)
      sync_file(f);
    if (fclose(f) != 0)
      ok = 0;
  }
  if (!ok || replace_file(tmp, path) != 0) {
    log_warn(LD_CIRC, "Cannot write the state file \"%s\": %s", path, strerror(errno));
    remove(tmp);
    x_free(tmp);
    return -1;
  }
  x_free(tmp);
  return 0;
}

int
guard_state_set_aside(const char *path)
{
  size_t bn = strlen(path) + 5;
  char *bad = x_malloc(bn);
  snprintf(bad, bn, "%s.bad", path);
  int r = replace_file(path, bad);
  if (r != 0)
    log_warn(LD_CIRC, "Cannot rename \"%s\" to \"%s\": %s", path, bad, strerror(errno));
  else
    log_notice(LD_CIRC, "Kept the unreadable state file as \"%s\".", bad);
  x_free(bad);
  return r == 0 ? 0 : -1;
}

int
guard_state_read_file(const char *path, char **out, size_t *len)
{
  *out = NULL;
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f) {
    if (errno == ENOENT)
      return 0;
    log_warn(LD_CIRC, "Cannot open the state file \"%s\": %s", path, strerror(errno));
    return -1;
  }
  char *buf = x_malloc(GUARD_STATE_MAX_SIZE + 2);
  size_t n = fread(buf, 1, GUARD_STATE_MAX_SIZE + 1, f);
  int err = ferror(f);
  fclose(f);
  if (err || n > GUARD_STATE_MAX_SIZE) {
    log_warn(LD_CIRC, "The state file \"%s\" is %s.", path, err ? "unreadable" : "too big");
    x_free(buf);
    return err ? -1 : -2;
  }
  buf[n] = '\0';
  *out = buf;
  *len = n;
  return 1;
}
