/* protover.c — subprotocol version lists (tor-spec §9).
 *
 * Grammar, as tor 0.4.9 accepts it:
 *   list    = [entry *(SP+ entry)] *SP      (no leading space)
 *   entry   = name "=" [range *("," range)]
 *   name    = 1*(ALPHA / DIGIT / "-")      (we keep at most 31 bytes)
 *   range   = INT / INT "-" INT             (0 <= lo <= hi <= 63)
 * A name given twice has its versions merged. */
#include "proto/nodedoc/protover.h"

#include <stdio.h>
#include <string.h>

#include "lib/alloc.h"

static const char *const known_names[PROTO_N_KNOWN] = {
  [PROTO_CONFLUX] = "Conflux", [PROTO_CONS] = "Cons",         [PROTO_DESC] = "Desc",
  [PROTO_DIRCACHE] = "DirCache", [PROTO_FLOWCTRL] = "FlowCtrl", [PROTO_HSDIR] = "HSDir",
  [PROTO_HSINTRO] = "HSIntro",  [PROTO_HSREND] = "HSRend",     [PROTO_LINK] = "Link",
  [PROTO_LINKAUTH] = "LinkAuth", [PROTO_MICRODESC] = "Microdesc", [PROTO_PADDING] = "Padding",
  [PROTO_RELAY] = "Relay",
};

#define PROTOVER_MAX_VERSION 63
#define PROTOVER_MAX_NAME (sizeof(((protover_other_t *)0)->name) - 1)

static int
is_name_char(char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '-';
}

static int
is_digit(char c)
{
  return c >= '0' && c <= '9';
}

/** Parse a version number at s[*pos..end), 0..63.  Returns it or -1. */
static int
parse_version(const char *s, size_t end, size_t *pos)
{
  size_t i = *pos;
  int v = 0;
  if (i >= end || !is_digit(s[i]))
    return -1;
  while (i < end && is_digit(s[i])) {
    v = v * 10 + (s[i] - '0');
    if (v > PROTOVER_MAX_VERSION)
      return -1;
    i++;
  }
  *pos = i;
  return v;
}

/** Parse "1,3-5" (s[start..end), possibly empty) into a bit set.
 *  Returns 0 or -1. */
static int
parse_ranges(const char *s, size_t start, size_t end, uint64_t *bits)
{
  *bits = 0;
  if (start == end)
    return 0;
  size_t pos = start;
  for (;;) {
    int lo = parse_version(s, end, &pos);
    if (lo < 0)
      return -1;
    int hi = lo;
    if (pos < end && s[pos] == '-') {
      pos++;
      hi = parse_version(s, end, &pos);
      if (hi < lo)  /* also catches hi == -1 */
        return -1;
    }
    for (int v = lo; v <= hi; v++)
      *bits |= (uint64_t)1 << v;
    if (pos == end)
      return 0;
    if (s[pos] != ',')
      return -1;
    pos++;
  }
}

static int
known_index(const char *name, size_t n)
{
  for (int i = 0; i < PROTO_N_KNOWN; i++)
    if (strlen(known_names[i]) == n && !memcmp(known_names[i], name, n))
      return i;
  return -1;
}

/** Record versions for the name (n bytes) in out; *n_names counts the
 *  distinct names seen so far.  Returns 0 or -1 (too many names). */
static int
add_entry(protover_t *out, const char *name, size_t n, uint64_t bits, size_t *n_names,
          uint64_t *known_seen)
{
  int k = known_index(name, n);
  if (k >= 0) {
    if (!(*known_seen & ((uint64_t)1 << k))) {
      *known_seen |= (uint64_t)1 << k;
      if (++*n_names > PROTOVER_MAX_ENTRIES)
        return -1;
    }
    out->known[k] |= bits;
    return 0;
  }
  for (size_t i = 0; i < out->n_other; i++) {
    if (strlen(out->other[i].name) == n && !memcmp(out->other[i].name, name, n)) {
      out->other[i].versions |= bits;
      return 0;
    }
  }
  if (++*n_names > PROTOVER_MAX_ENTRIES)
    return -1;
  out->other = x_realloc(out->other, (out->n_other + 1) * sizeof(out->other[0]));
  protover_other_t *o = &out->other[out->n_other++];
  memset(o, 0, sizeof(*o));
  memcpy(o->name, name, n);
  o->versions = bits;
  return 0;
}

/** Parse one "Name=ranges" entry s[start..end) into out.  Returns 0 or -1. */
static int
parse_entry(protover_t *out, const char *s, size_t start, size_t end, size_t *n_names,
            uint64_t *known_seen)
{
  size_t eq = start;
  while (eq < end && is_name_char(s[eq]))
    eq++;
  size_t name_len = eq - start;
  if (eq == end || s[eq] != '=' || name_len == 0 || name_len > PROTOVER_MAX_NAME)
    return -1;
  uint64_t bits;
  if (parse_ranges(s, eq + 1, end, &bits) < 0)
    return -1;
  return add_entry(out, s + start, name_len, bits, n_names, known_seen);
}

int
protover_parse(protover_t *out, const char *s, size_t len)
{
  memset(out, 0, sizeof(*out));
  if (!s)
    return len == 0 ? 0 : -1;
  size_t n_names = 0;
  uint64_t known_seen = 0;
  size_t pos = 0;
  while (pos < len) {
    size_t end = pos;
    while (end < len && s[end] != ' ')
      end++;
    if (parse_entry(out, s, pos, end, &n_names, &known_seen) < 0) {
      protover_clear(out);
      return -1;
    }
    pos = end;
    while (pos < len && s[pos] == ' ')
      pos++;
  }
  return 0;
}

int
protover_supports(const protover_t *p, protover_proto_t proto, unsigned v)
{
  if (!p || (unsigned)proto >= PROTO_N_KNOWN || v > PROTOVER_MAX_VERSION)
    return 0;
  return (p->known[proto] >> v) & 1;
}

void
protover_get_client_supported(protover_t *out)
{
  memset(out, 0, sizeof(*out));
  /* Cons=1-2 Desc=1-2 DirCache=2 FlowCtrl=1 Link=4-5 Microdesc=1-2 Relay=2:
   * 4-byte circuit IDs (Link=4) and link 5's padding negotiation, CREATE2
   * with ntor and EXTEND2 (Relay=2), authenticated SENDMEs (FlowCtrl=1),
   * microdescriptors with ed25519 ids (Cons=2, Microdesc=2). */
  out->known[PROTO_CONS] = 0x6;
  out->known[PROTO_DESC] = 0x6;
  out->known[PROTO_DIRCACHE] = 0x4;
  out->known[PROTO_FLOWCTRL] = 0x2;
  out->known[PROTO_LINK] = 0x30;
  out->known[PROTO_MICRODESC] = 0x6;
  out->known[PROTO_RELAY] = 0x4;
}

/** Append text to buf at *off (truncating, NUL kept); *off counts all. */
static void
append(char *buf, size_t buflen, size_t *off, const char *text)
{
  for (; *text; text++, (*off)++)
    if (buflen > 0 && *off < buflen - 1)
      buf[*off] = *text;
}

/** Append " Name=1,3-5" (no leading space for the first) for bits. */
static void
append_entry(char *buf, size_t buflen, size_t *off, const char *name, uint64_t bits)
{
  if (*off > 0)
    append(buf, buflen, off, " ");
  append(buf, buflen, off, name);
  append(buf, buflen, off, "=");
  int first = 1;
  for (int v = 0; v <= PROTOVER_MAX_VERSION; v++) {
    if (!((bits >> v) & 1))
      continue;
    int hi = v;
    while (hi < PROTOVER_MAX_VERSION && ((bits >> (hi + 1)) & 1))
      hi++;
    char tmp[16];
    if (hi == v)
      snprintf(tmp, sizeof(tmp), "%s%d", first ? "" : ",", v);
    else
      snprintf(tmp, sizeof(tmp), "%s%d-%d", first ? "" : ",", v, hi);
    append(buf, buflen, off, tmp);
    first = 0;
    v = hi;
  }
}

static size_t
popcount64(uint64_t x)
{
  size_t n = 0;
  for (; x; x &= x - 1)
    n++;
  return n;
}

/** The versions of the unknown name that p lists (0 if none). */
static uint64_t
other_versions(const protover_t *p, const char *name)
{
  for (size_t i = 0; i < p->n_other; i++)
    if (!strcmp(p->other[i].name, name))
      return p->other[i].versions;
  return 0;
}

size_t
protover_list_missing(const protover_t *required, const protover_t *has, char *buf,
                      size_t buflen)
{
  size_t off = 0, n_missing = 0;
  if (buflen > 0)
    buf[0] = '\0';
  if (!required)
    return 0;
  for (int k = 0; k < PROTO_N_KNOWN; k++) {
    uint64_t miss = required->known[k] & ~(has ? has->known[k] : 0);
    if (miss) {
      append_entry(buf, buflen, &off, known_names[k], miss);
      n_missing += popcount64(miss);
    }
  }
  for (size_t i = 0; i < required->n_other; i++) {
    uint64_t miss = required->other[i].versions;
    if (has)
      miss &= ~other_versions(has, required->other[i].name);
    if (miss) {
      append_entry(buf, buflen, &off, required->other[i].name, miss);
      n_missing += popcount64(miss);
    }
  }
  if (buflen > 0)
    buf[off < buflen ? off : buflen - 1] = '\0';
  return n_missing;
}

void
protover_clear(protover_t *p)
{
  if (!p)
    return;
  x_free(p->other);
  memset(p, 0, sizeof(*p));
}

size_t
protover_write(const protover_t *p, char *buf, size_t buflen)
{
  size_t off = 0;
  if (buflen > 0)
    buf[0] = '\0';
  if (!p)
    return 0;
  for (int k = 0; k < PROTO_N_KNOWN; k++)
    if (p->known[k])
      append_entry(buf, buflen, &off, known_names[k], p->known[k]);
  for (size_t i = 0; i < p->n_other; i++)
    if (p->other[i].versions)
      append_entry(buf, buflen, &off, p->other[i].name, p->other[i].versions);
  if (buflen > 0)
    buf[off < buflen ? off : buflen - 1] = '\0';
  return off;
}

const char *
protover_proto_to_string(protover_proto_t proto)
{
  if ((unsigned)proto >= PROTO_N_KNOWN)
    return "?";
  return known_names[proto];
}
