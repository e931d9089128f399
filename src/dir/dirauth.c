/* dirauth.c — DirAuthority lines and the default authorities (see dirauth.h). */
#include "dir/dirauth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/log.h"
#include "proto/netdoc/netdoc.h"

/* The public network's authorities as tor 0.4.9.11 has them built in
 * (tor's src/app/config/auth_dirs.inc; read from Debian's tor 0.4.9.11
 * binary, which is newer than github:torproject/tor@3cb6a690be (2023):
 * tor26 has a new address and keys, faravahar was added).  The bridge
 * authority Serge is left out: evonion has no use for it. */
const char *const dirauth_default_lines[] = {
  "moria1 orport=9201 v3ident=F533C81CEF0BC0267857C99B2F471ADF249FA232 "
  "128.31.0.39:9231 1A25C6358DB91342AA51720A5038B72742732498",
  "tor26 orport=443 v3ident=2F3DF9CA0E5D36F2685A2DA67184EB8DCB8CBA8C "
  "ipv6=[2a02:16a8:662:2203::1]:443 "
  "217.196.147.77:80 FAA4 BCA4 A6AC 0FB4 CA2F 8AD5 A11D 9E12 2BA8 94F6",
  "dizum orport=443 v3ident=E8A9C45EDE6D711294FADF8E7951F4DE6CA56B58 "
  "45.66.35.11:80 7EA6 EAD6 FD83 083C 538F 4403 8BBF A077 587D D755",
  "gabelmoo orport=443 v3ident=ED03BB616EB2F60BEC80151114BB25CEF515B226 "
  "ipv6=[2001:638:a000:4140::ffff:189]:443 "
  "131.188.40.189:80 F204 4413 DAC2 E02E 3D6B CF47 35A1 9BCA 1DE9 7281",
  "dannenberg orport=443 v3ident=0232AF901C31A04EE9848595AF9BB7620D4C5B2E "
  "ipv6=[2001:678:558:1000::244]:443 "
  "193.23.244.244:80 7BE6 83E6 5D48 1413 21C5 ED92 F075 C553 64AC 7123",
  "maatuska orport=80 v3ident=49015F787433103580E3B66A1707A00E60F2D15B "
  "ipv6=[2001:67c:289c::9]:80 "
  "171.25.193.9:443 BD6A 8292 55CB 08E6 6FBE 7D37 4836 3586 E46B 3810",
  "longclaw orport=443 v3ident=23D15D965BC35114467363C165C4F724B64B4F66 "
  "199.58.81.140:80 74A9 1064 6BCE EFBC D2E8 74FC 1DC9 9743 0F96 8145",
  "bastet orport=443 v3ident=27102BC123E7AF1D4741AE047E160C91ADC76B21 "
  "ipv6=[2620:13:4000:6000::1000:118]:443 "
  "204.13.164.118:80 24E2 F139 121D 4394 C54B 5BCC 368B 3B41 1857 C413",
  "faravahar orport=443 v3ident=70849B868D606BAECFB6128C5E3D782029AA394F "
  "216.218.219.41:80 E3E4 2D35 F801 C9D5 AB23 584E 0025 D56F E2B3 3396",
  NULL,
};

#define LINE_MAX_LEN 1024
#define MAX_TOKENS 32

typedef struct tok_t {
  const char *p;
  size_t len;
} tok_t;

static size_t
split_tokens(const char *s, tok_t *toks, size_t max)
{
  size_t n = 0;
  while (*s) {
    while (*s == ' ' || *s == '\t')
      s++;
    if (!*s)
      break;
    const char *start = s;
    while (*s && *s != ' ' && *s != '\t')
      s++;
    if (n == max)
      return max + 1;
    toks[n].p = start;
    toks[n].len = (size_t)(s - start);
    n++;
  }
  return n;
}

static int
tok_is(const tok_t *t, const char *s)
{
  return t->len == strlen(s) && memcmp(t->p, s, t->len) == 0;
}

static int
tok_has_prefix(const tok_t *t, const char *prefix)
{
  size_t n = strlen(prefix);
  return t->len >= n && memcmp(t->p, prefix, n) == 0;
}

/* A decimal port 1..65535 in [p, p+len). */
static int
parse_port(const char *p, size_t len, uint16_t *out)
{
  if (len == 0 || len > 5)
    return -1;
  unsigned v = 0;
  for (size_t i = 0; i < len; i++) {
    if (p[i] < '0' || p[i] > '9')
      return -1;
    v = v * 10 + (unsigned)(p[i] - '0');
  }
  if (v == 0 || v > 65535)
    return -1;
  *out = (uint16_t)v;
  return 0;
}

/* "1.2.3.4:80" */
static int
parse_ipv4_port(const tok_t *t, netaddr_t *a, uint16_t *port)
{
  char buf[64];
  const char *colon = memchr(t->p, ':', t->len);
  if (!colon || (size_t)(colon - t->p) >= sizeof(buf))
    return -1;
  size_t alen = (size_t)(colon - t->p);
  memcpy(buf, t->p, alen);
  buf[alen] = '\0';
  if (netaddr_parse(a, buf) < 0 || a->family != NETADDR_IPV4)
    return -1;
  return parse_port(colon + 1, t->len - alen - 1, port);
}

/* "[2001:db8::1]:443" */
static int
parse_ipv6_port(const char *p, size_t len, netaddr_t *a, uint16_t *port)
{
  char buf[64];
  const char *close = memchr(p, ']', len);
  if (len < 4 || p[0] != '[' || !close || close + 1 >= p + len || close[1] != ':' ||
      (size_t)(close - p - 1) >= sizeof(buf))
    return -1;
  size_t alen = (size_t)(close - p - 1);
  memcpy(buf, p + 1, alen);
  buf[alen] = '\0';
  if (netaddr_parse(a, buf) < 0 || a->family != NETADDR_IPV6)
    return -1;
  return parse_port(close + 2, len - alen - 3, port);
}

static int
parse_flag(const tok_t *t, dir_authority_t *out, char *err, size_t errlen)
{
  char esc[64];
  log_escape(t->p, t->len, esc, sizeof(esc));
  if (tok_is(t, "no-v2") || tok_is(t, "v2") || tok_is(t, "hs") || tok_is(t, "no-hs"))
    return 0;
  if (tok_is(t, "bridge")) {
    out->is_bridge = 1;
    return 0;
  }
  if (tok_has_prefix(t, "orport=")) {
    if (parse_port(t->p + 7, t->len - 7, &out->or_port) == 0)
      return 0;
    snprintf(err, errlen, "bad orport in \"%s\" (a port 1-65535)", esc);
    return -1;
  }
  if (tok_has_prefix(t, "v3ident=")) {
    if (netdoc_hex_decode(t->p + 8, t->len - 8, out->v3ident, 20) == 0) {
      out->has_v3ident = 1;
      return 0;
    }
    snprintf(err, errlen, "bad v3ident in \"%s\" (40 hex digits)", esc);
    return -1;
  }
  if (tok_has_prefix(t, "ipv6=")) {
    if (parse_ipv6_port(t->p + 5, t->len - 5, &out->ipv6, &out->ipv6_port) == 0)
      return 0;
    snprintf(err, errlen, "bad ipv6 in \"%s\" (ipv6=[ADDR]:PORT)", esc);
    return -1;
  }
  if (tok_has_prefix(t, "weight=")) {
    for (size_t i = 7; i < t->len; i++) {
      if (t->p[i] < '0' || t->p[i] > '9')
        goto bad_weight;
    }
    if (t->len > 7 && t->len <= 7 + 9)
      return 0;
  bad_weight:
    snprintf(err, errlen, "bad weight in \"%s\"", esc);
    return -1;
  }
  snprintf(err, errlen, "unknown flag \"%s\"", esc);
  return -1;
}

static int
nickname_ok(const tok_t *t)
{
  if (t->len == 0 || t->len > 19)
    return 0;
  for (size_t i = 0; i < t->len; i++) {
    char c = t->p[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
      return 0;
  }
  return 1;
}

/* The fingerprint: one 40-digit token or ten 4-digit ones. */
static int
parse_fingerprint(const tok_t *toks, size_t n, uint8_t out[20])
{
  char hex[41];
  if (n == 1 && toks[0].len == 40) {
    memcpy(hex, toks[0].p, 40);
  } else if (n == 10) {
    for (size_t i = 0; i < 10; i++) {
      if (toks[i].len != 4)
        return -1;
      memcpy(hex + 4 * i, toks[i].p, 4);
    }
  } else {
    return -1;
  }
  return netdoc_hex_decode(hex, 40, out, 20);
}

int
dirauth_parse_line(const char *line, dir_authority_t *out, char *err, size_t errlen)
{
  tok_t toks[MAX_TOKENS];
  memset(out, 0, sizeof(*out));
  if (strlen(line) > LINE_MAX_LEN) {
    snprintf(err, errlen, "the line is too long");
    return -1;
  }
  size_t n = split_tokens(line, toks, MAX_TOKENS);
  if (n > MAX_TOKENS) {
    snprintf(err, errlen, "too many words");
    return -1;
  }
  /* The address is the first token with a ':' that is not a flag. */
  size_t addr_i = n;
  for (size_t i = 0; i < n; i++) {
    if (memchr(toks[i].p, ':', toks[i].len) && !memchr(toks[i].p, '=', toks[i].len)) {
      addr_i = i;
      break;
    }
  }
  if (addr_i == n) {
    snprintf(err, errlen, "no IPV4:DIRPORT address "
             "(expected: nickname [flags] IPV4:DIRPORT FINGERPRINT)");
    return -1;
  }
  size_t first_flag = 0;
  if (addr_i > 0 && !memchr(toks[0].p, '=', toks[0].len) && !tok_is(&toks[0], "no-v2") &&
      !tok_is(&toks[0], "v2") && !tok_is(&toks[0], "bridge") && !tok_is(&toks[0], "hs") &&
      !tok_is(&toks[0], "no-hs")) {
    if (!nickname_ok(&toks[0])) {
      char esc[64];
      log_escape(toks[0].p, toks[0].len, esc, sizeof(esc));
      snprintf(err, errlen, "bad nickname \"%s\" (1 to 19 letters and digits)", esc);
      return -1;
    }
    memcpy(out->nickname, toks[0].p, toks[0].len);
    out->nickname[toks[0].len] = '\0';
    first_flag = 1;
  }
  for (size_t i = first_flag; i < addr_i; i++) {
    if (parse_flag(&toks[i], out, err, errlen) < 0)
      return -1;
  }
  if (parse_ipv4_port(&toks[addr_i], &out->ipv4, &out->dir_port) < 0) {
    char esc[64];
    log_escape(toks[addr_i].p, toks[addr_i].len, esc, sizeof(esc));
    snprintf(err, errlen, "bad address \"%s\" (an IPv4 address and a DirPort, e.g. "
             "127.0.0.1:7000)", esc);
    return -1;
  }
  if (parse_fingerprint(&toks[addr_i + 1], n - addr_i - 1, out->rsa_id) < 0) {
    snprintf(err, errlen, "bad or missing fingerprint after the address (40 hex digits, or "
             "10 groups of 4)");
    return -1;
  }
  return 0;
}

int
dirauth_list_parse(dir_authorities_t *out, const char *const *lines, size_t n, char *err,
                   size_t errlen)
{
  memset(out, 0, sizeof(*out));
  if (n == 0) {
    lines = dirauth_default_lines;
    while (lines[n])
      n++;
  }
  out->v = x_calloc(n, sizeof(dir_authority_t));
  for (size_t i = 0; i < n; i++) {
    char why[200];
    if (dirauth_parse_line(lines[i], &out->v[out->n], why, sizeof(why)) < 0) {
      char esc[80];
      log_escape(lines[i], strlen(lines[i]), esc, sizeof(esc));
      snprintf(err, errlen, "--dir-authority \"%s\": %s", esc, why);
      dirauth_list_clear(out);
      return -1;
    }
    const dir_authority_t *a = &out->v[out->n];
    if (a->has_v3ident && !a->is_bridge && dirauth_list_find_v3(out, a->v3ident)) {
      char hex[41];
      dirauth_hex_id(a->v3ident, hex);
      snprintf(err, errlen, "--dir-authority: two authorities have v3ident %s", hex);
      dirauth_list_clear(out);
      return -1;
    }
    out->n++;
  }
  if (dirauth_list_n_voting(out) == 0) {
    snprintf(err, errlen, "--dir-authority: no line names a v3 authority (v3ident=...)");
    dirauth_list_clear(out);
    return -1;
  }
  return 0;
}

size_t
dirauth_list_n_voting(const dir_authorities_t *l)
{
  size_t k = 0;
  for (size_t i = 0; i < l->n; i++)
    k += (l->v[i].has_v3ident && !l->v[i].is_bridge) ? 1 : 0;
  return k;
}

const dir_authority_t *
dirauth_list_find_v3(const dir_authorities_t *l, const uint8_t v3[20])
{
  for (size_t i = 0; i < l->n; i++) {
    if (l->v[i].has_v3ident && !l->v[i].is_bridge && memcmp(l->v[i].v3ident, v3, 20) == 0)
      return &l->v[i];
  }
  return NULL;
}

void
dirauth_list_clear(dir_authorities_t *l)
{
  if (!l)
    return;
  x_free(l->v);
  memset(l, 0, sizeof(*l));
}

void
dirauth_hex_id(const uint8_t id[20], char out[41])
{
  static const char digits[] = "0123456789ABCDEF";
  for (size_t i = 0; i < 20; i++) {
    out[2 * i] = digits[id[i] >> 4];
    out[2 * i + 1] = digits[id[i] & 15];
  }
  out[40] = '\0';
}
