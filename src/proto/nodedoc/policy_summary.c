/* policy_summary.c — parse and query exit-policy summaries ("p"/"p6"
 * lines of microdescriptors, dir-spec §3.3).
 *
 * Leniency follows tor's short-policy parser, which every relay's "p" line
 * has been checked against for years:
 *  - an entry that does not start with a digit ("fred", "-3", an empty
 *    entry between two commas) is skipped, so that future extensions of the
 *    format do not make a whole microdescriptor unusable;
 *  - an entry that starts with a digit must be "N" or "N-M" with
 *    1 <= N <= M <= 65535, else the whole summary is malformed.
 * The ranges are then sorted and merged, so that the stored list is
 * ascending and non-overlapping whatever order the line used. */
#include "proto/nodedoc/policy_summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"

/** Longer lines are refused outright (tor writes at most 1000 bytes). */
#define POLICY_SUMMARY_MAX_LEN 8192

static int
is_digit(char c)
{
  return c >= '0' && c <= '9';
}

/** Parse a decimal port at s[*pos..end); 1..65535.  Returns the port, or -1. */
static long
parse_port(const char *s, size_t end, size_t *pos)
{
  long v = 0;
  size_t i = *pos;
  if (i >= end || !is_digit(s[i]))
    return -1;
  while (i < end && is_digit(s[i])) {
    v = v * 10 + (s[i] - '0');
    if (v > 65535)
      return -1;
    i++;
  }
  if (v < 1)
    return -1;
  *pos = i;
  return v;
}

/** Parse one comma-separated entry s[start..end).  Returns 1 and fills
 *  *r for a range, 0 for an entry to skip, -1 if malformed. */
static int
parse_entry(const char *s, size_t start, size_t end, policy_port_range_t *r)
{
  if (start == end || !is_digit(s[start]))
    return 0;
  size_t pos = start;
  long lo = parse_port(s, end, &pos);
  if (lo < 0)
    return -1;
  long hi = lo;
  if (pos < end) {
    if (s[pos] != '-')
      return -1;
    pos++;
    hi = parse_port(s, end, &pos);
    if (hi < 0 || pos != end || hi < lo)
      return -1;
  }
  r->lo = (uint16_t)lo;
  r->hi = (uint16_t)hi;
  return 1;
}

static int
range_cmp(const void *a, const void *b)
{
  const policy_port_range_t *x = a, *y = b;
  if (x->lo != y->lo)
    return x->lo < y->lo ? -1 : 1;
  if (x->hi != y->hi)
    return x->hi < y->hi ? -1 : 1;
  return 0;
}

/** Sort p's ranges and merge overlapping or adjacent ones. */
static void
normalize_ranges(policy_summary_t *p)
{
  if (p->n_ranges < 2)
    return;
  qsort(p->ranges, p->n_ranges, sizeof(p->ranges[0]), range_cmp);
  size_t out = 0;
  for (size_t i = 1; i < p->n_ranges; i++) {
    policy_port_range_t *last = &p->ranges[out];
    const policy_port_range_t *cur = &p->ranges[i];
    if ((uint32_t)cur->lo <= (uint32_t)last->hi + 1) {
      if (cur->hi > last->hi)
        last->hi = cur->hi;
    } else {
      p->ranges[++out] = *cur;
    }
  }
  p->n_ranges = out + 1;
}

/** Parse the port list s[start..len) into p (which has room for room
 *  ranges: more are refused).  Returns 0 or -1. */
static int
parse_port_list(policy_summary_t *p, const char *s, size_t start, size_t len, size_t room)
{
  size_t i = start;
  while (i <= len) {
    size_t e = i;
    while (e < len && s[e] != ',')
      e++;
    policy_port_range_t r;
    int rv = parse_entry(s, i, e, &r);
    if (rv < 0)
      return -1;
    if (rv > 0) {
      if (p->n_ranges == room)
        return -1; /* only past POLICY_SUMMARY_MAX_RANGES: room counts every entry */
      p->ranges[p->n_ranges++] = r;
    }
    i = e + 1;
  }
  return 0;
}

policy_summary_t *
policy_summary_parse(const char *s, size_t len)
{
  if (!s || len > POLICY_SUMMARY_MAX_LEN)
    return NULL;
  while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
    len--;

  int accept;
  size_t kw;
  if (len >= 6 && !memcmp(s, "accept", 6)) {
    accept = 1;
    kw = 6;
  } else if (len >= 6 && !memcmp(s, "reject", 6)) {
    accept = 0;
    kw = 6;
  } else {
    return NULL;
  }
  size_t pos = kw;
  if (pos >= len || (s[pos] != ' ' && s[pos] != '\t'))
    return NULL;
  while (pos < len && (s[pos] == ' ' || s[pos] == '\t'))
    pos++;
  if (pos == len)
    return NULL;

  /* room for every entry (commas + 1), but never more than the cap */
  size_t room = 1;
  for (size_t i = pos; i < len && room <= POLICY_SUMMARY_MAX_RANGES; i++)
    room += s[i] == ',';
  if (room > POLICY_SUMMARY_MAX_RANGES)
    room = POLICY_SUMMARY_MAX_RANGES;
  policy_summary_t *p = x_calloc(1, sizeof(*p));
  p->accept = accept;
  p->ranges = x_calloc(room, sizeof(p->ranges[0]));
  if (parse_port_list(p, s, pos, len, room) < 0 || p->n_ranges == 0) {
    /* tor refuses a summary whose entries were all skipped, too. */
    policy_summary_free(p);
    return NULL;
  }
  normalize_ranges(p);
  return p;
}

policy_summary_t *
policy_summary_new_reject_all(void)
{
  policy_summary_t *p = x_calloc(1, sizeof(*p));
  p->accept = 0;
  p->n_ranges = 1;
  p->ranges = x_calloc(1, sizeof(p->ranges[0]));
  p->ranges[0].lo = 1;
  p->ranges[0].hi = 65535;
  return p;
}

int
policy_summary_allows_port(const policy_summary_t *p, uint16_t port)
{
  if (!p || port == 0)
    return 0;
  /* Binary search over the ascending, non-overlapping ranges. */
  size_t lo = 0, hi = p->n_ranges;
  int in_list = 0;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (port < p->ranges[mid].lo) {
      hi = mid;
    } else if (port > p->ranges[mid].hi) {
      lo = mid + 1;
    } else {
      in_list = 1;
      break;
    }
  }
  return p->accept ? in_list : !in_list;
}

int
policy_summary_allows_any(const policy_summary_t *p)
{
  if (!p)
    return 0;
  if (p->accept)
    return p->n_ranges > 0;
  /* A reject list allows something unless its ranges cover 1..65535. */
  return !(p->n_ranges == 1 && p->ranges[0].lo == 1 && p->ranges[0].hi == 65535);
}

void
policy_summary_free(policy_summary_t *p)
{
  if (!p)
    return;
  x_free(p->ranges);
  x_free(p);
}

/** Append s (n bytes) at *off into buf, truncating; *off counts every byte. */
static void
append(char *buf, size_t buflen, size_t *off, const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++, (*off)++)
    if (buflen > 0 && *off < buflen - 1)
      buf[*off] = s[i];
}

size_t
policy_summary_write(const policy_summary_t *p, char *buf, size_t buflen)
{
  size_t off = 0;
  if (p) {
    append(buf, buflen, &off, p->accept ? "accept " : "reject ", 7);
    for (size_t i = 0; i < p->n_ranges; i++) {
      char tmp[16];
      int n;
      if (p->ranges[i].lo == p->ranges[i].hi)
        n = snprintf(tmp, sizeof(tmp), "%s%u", i ? "," : "", (unsigned)p->ranges[i].lo);
      else
        n = snprintf(tmp, sizeof(tmp), "%s%u-%u", i ? "," : "", (unsigned)p->ranges[i].lo,
                     (unsigned)p->ranges[i].hi);
      append(buf, buflen, &off, tmp, (size_t)n);
    }
  }
  if (buflen > 0)
    buf[off < buflen ? off : buflen - 1] = '\0';
  return off;
}
