/* consensus.c — parse the microdesc-flavour consensus (dir-spec §3.4.1, §3.9.2). */
#include "proto/netdoc/consensus.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/alloc.h"
#include "proto/netdoc/netdoc.h"

static const netdoc_rule_t header_rules[] = {
  { "network-status-version", 1, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN,
    NETDOC_RULE_EXACTLY_ONCE | NETDOC_RULE_AT_START },
  { "vote-status", 1, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_EXACTLY_ONCE },
  { "consensus-method", 1, 1, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_EXACTLY_ONCE },
  { "valid-after", 2, 2, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_EXACTLY_ONCE },
  { "fresh-until", 2, 2, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_EXACTLY_ONCE },
  { "valid-until", 2, 2, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_EXACTLY_ONCE },
  { "voting-delay", 2, 2, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_EXACTLY_ONCE },
  { "client-versions", 0, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_ONCE },
  { "server-versions", 0, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_ONCE },
  { "known-flags", 0, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_EXACTLY_ONCE },
  { "params", 0, CONS_MAX_PARAMS, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_ONCE },
  { "recommended-client-protocols", 0, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_ONCE },
  { "recommended-relay-protocols", 0, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_ONCE },
  { "required-client-protocols", 0, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_ONCE },
  { "required-relay-protocols", 0, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_ONCE },
  { "dir-source", 6, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN, 0 },
};

static const netdoc_rule_t router_rules[] = {
  { "r", 7, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN,
    NETDOC_RULE_EXACTLY_ONCE | NETDOC_RULE_AT_START },
  { "a", 1, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN, 0 },
  { "m", 1, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_EXACTLY_ONCE },
  { "s", 0, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_ONCE },
  { "v", 0, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_ONCE },
  { "pr", 0, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_ONCE },
  { "w", 0, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_ONCE },
};

static const netdoc_rule_t footer_rules[] = {
  { "directory-footer", 0, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN,
    NETDOC_RULE_EXACTLY_ONCE | NETDOC_RULE_AT_START },
  { "bandwidth-weights", 0, CONS_MAX_PARAMS, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_ONCE },
  { "directory-signature", 2, NETDOC_ARGS_ANY, NETDOC_OBJ_REQUIRED, NETDOC_RULE_REQUIRED },
};

#define N_RULES(t) (sizeof(t) / sizeof((t)[0]))

static const char *const flag_names[] = {
  "Authority", "BadExit", "Exit", "Fast", "Guard", "HSDir", "MiddleOnly", "NoEdConsensus",
  "Running", "Stable", "StaleDesc", "Sybil", "V2Dir", "Valid",
};

uint32_t
consensus_flag_from_name(const char *name, size_t len)
{
  for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
    if (strlen(flag_names[i]) == len && memcmp(flag_names[i], name, len) == 0)
      return 1u << i;
  }
  return 0;
}

/* Parsing context. */
typedef struct cparse_t {
  netdoc_t doc;       /* the section being parsed (tokenized on its own) */
  size_t base;        /* offset of that section in the text */
  const char *text;   /* the whole document */
  size_t len;
  size_t start;       /* offset of "network-status-version" */
  consensus_t *c;
  char *err;
  size_t errlen;
} cparse_t;

static int
perr(cparse_t *p, const char *fmt, ...)
{
  if (p->errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, p->errlen, fmt, ap);
    va_end(ap);
  }
  return -1;
}

/* A string field pointing into c->text for the item's rest of line. */
static cons_str_t
rest_str(const cparse_t *p, const netdoc_item_t *it)
{
  cons_str_t s = { p->c->text + p->base + (size_t)(it->rest - p->doc.text), it->rest_len };
  return s;
}

static int
parse_u16(const netdoc_arg_t *a, uint16_t *out)
{
  uint64_t v;
  if (netdoc_parse_uint(a->s, a->len, 65535, &v) < 0)
    return -1;
  *out = (uint16_t)v;
  return 0;
}

static int
parse_ipv4(const netdoc_arg_t *a, netaddr_t *out)
{
  char buf[16];
  if (a->len >= sizeof(buf))
    return -1;
  memcpy(buf, a->s, a->len);
  buf[a->len] = '\0';
  return netaddr_parse(out, buf) < 0 || out->family != NETADDR_IPV4 ? -1 : 0;
}

static int
parse_nickname(const netdoc_arg_t *a, char out[20])
{
  if (a->len < 1 || a->len > 19)
    return -1;
  for (size_t i = 0; i < a->len; i++) {
    char ch = a->s[i];
    if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')))
      return -1;
  }
  memcpy(out, a->s, a->len);
  out[a->len] = '\0';
  return 0;
}

/* "name=int32" list (params, bandwidth-weights) into a new array. */
static int
parse_kv_list(const netdoc_item_t *it, cons_param_t **out, size_t *n_out)
{
  cons_param_t *v = it->n_args ? x_calloc(it->n_args, sizeof(*v)) : NULL;
  for (size_t i = 0; i < it->n_args; i++) {
    const netdoc_arg_t *a = &it->args[i];
    const char *eq = memchr(a->s, '=', a->len);
    int64_t val;
    if (!eq || eq == a->s || (size_t)(eq - a->s) >= sizeof(v[i].name) ||
        netdoc_parse_int(eq + 1, a->len - (size_t)(eq - a->s) - 1, INT32_MIN, INT32_MAX,
                         &val) < 0) {
      x_free(v);
      return -1;
    }
    memcpy(v[i].name, a->s, (size_t)(eq - a->s));
    v[i].value = (int32_t)val;
  }
  *out = v;
  *n_out = it->n_args;
  return 0;
}

static int
parse_dirsource(const netdoc_item_t *it, cons_dirsource_t *ds)
{
  memset(ds, 0, sizeof(*ds));
  /* nicknames of dir-sources may carry a "-legacy" suffix: not a router nickname */
  if (it->args[0].len >= sizeof(ds->nickname))
    return -1;
  memcpy(ds->nickname, it->args[0].s, it->args[0].len);
  if (netdoc_hex_decode(it->args[1].s, it->args[1].len, ds->v3ident, DIGEST_LEN) < 0 ||
      parse_ipv4(&it->args[3], &ds->addr) < 0 || parse_u16(&it->args[4], &ds->dir_port) < 0 ||
      parse_u16(&it->args[5], &ds->or_port) < 0)
    return -1;
  return 0;
}

static int
parse_header_times(cparse_t *p, size_t from, size_t to)
{
  consensus_t *c = p->c;
  const netdoc_t *d = &p->doc;
  uint64_t v1, v2;
  const netdoc_item_t *it;
  if (netdoc_item_time(&d->items[netdoc_find(d, from, to, "valid-after")], 0, &c->valid_after) <
        0 ||
      netdoc_item_time(&d->items[netdoc_find(d, from, to, "fresh-until")], 0, &c->fresh_until) <
        0 ||
      netdoc_item_time(&d->items[netdoc_find(d, from, to, "valid-until")], 0, &c->valid_until) <
        0)
    return perr(p, "bad time in header");
  if (c->valid_after > c->fresh_until || c->fresh_until > c->valid_until)
    return perr(p, "valid-after, fresh-until, valid-until out of order");
  it = &d->items[netdoc_find(d, from, to, "voting-delay")];
  if (netdoc_parse_uint(it->args[0].s, it->args[0].len, UINT32_MAX, &v1) < 0 ||
      netdoc_parse_uint(it->args[1].s, it->args[1].len, UINT32_MAX, &v2) < 0)
    return perr(p, "bad voting-delay");
  c->vote_delay = (uint32_t)v1;
  c->dist_delay = (uint32_t)v2;
  return 0;
}

/* Optional protocol line kw into *out. */
static void
protocol_line(cparse_t *p, size_t from, size_t to, const char *kw, cons_str_t *out)
{
  size_t i = netdoc_find(&p->doc, from, to, kw);
  if (i != (size_t)-1)
    *out = rest_str(p, &p->doc.items[i]);
}

static int
parse_header(cparse_t *p, size_t from, size_t to)
{
  consensus_t *c = p->c;
  netdoc_t *d = &p->doc;
  uint64_t v;
  if (netdoc_check_rules(d, from, to, header_rules, N_RULES(header_rules)) < 0)
    return perr(p, "header: %s", d->error);
  const netdoc_item_t *it = &d->items[from];
  if (!netdoc_arg_is(it, 0, "3") || !netdoc_arg_is(it, 1, "microdesc"))
    return perr(p, "not a version 3 microdesc consensus");
  if (!netdoc_arg_is(&d->items[netdoc_find(d, from, to, "vote-status")], 0, "consensus"))
    return perr(p, "vote-status is not consensus");
  it = &d->items[netdoc_find(d, from, to, "consensus-method")];
  if (netdoc_parse_uint(it->args[0].s, it->args[0].len, UINT32_MAX, &v) < 0)
    return perr(p, "bad consensus-method");
  c->consensus_method = (unsigned)v;
  if (parse_header_times(p, from, to) < 0)
    return -1;
  it = &d->items[netdoc_find(d, from, to, "known-flags")];
  c->known_flags_line = rest_str(p, it);
  for (size_t i = 0; i < it->n_args; i++)
    c->known_flags |= consensus_flag_from_name(it->args[i].s, it->args[i].len);
  size_t i = netdoc_find(d, from, to, "params");
  if (i != (size_t)-1 && parse_kv_list(&d->items[i], &c->params, &c->n_params) < 0)
    return perr(p, "bad params");
  protocol_line(p, from, to, "recommended-client-protocols", &c->recommended_client_protocols);
  protocol_line(p, from, to, "recommended-relay-protocols", &c->recommended_relay_protocols);
  protocol_line(p, from, to, "required-client-protocols", &c->required_client_protocols);
  protocol_line(p, from, to, "required-relay-protocols", &c->required_relay_protocols);
  for (i = from; i < to; i++) {
    if (!netdoc_item_is(&d->items[i], "dir-source"))
      continue;
    if (c->n_dirsources == CONS_MAX_DIRSOURCES)
      return perr(p, "too many dir-source lines");
    if (!c->dirsources)
      c->dirsources = x_calloc(CONS_MAX_DIRSOURCES, sizeof(*c->dirsources));
    if (parse_dirsource(&d->items[i], &c->dirsources[c->n_dirsources++]) < 0)
      return perr(p, "bad dir-source");
  }
  return 0;
}

/* "[IPv6]:port" into the router if it has no IPv6 yet; IPv4 "a" lines are skipped. */
static int
parse_a_line(const netdoc_arg_t *a, cons_router_t *r)
{
  char buf[48];
  const char *close = memchr(a->s, ']', a->len);
  if (a->len < 2 || a->s[0] != '[' || !close)
    return 0; /* not IPv6 (tor also skips those) */
  size_t hl = (size_t)(close - a->s) - 1;
  if (hl >= sizeof(buf) || (size_t)(close - a->s) + 2 > a->len || close[1] != ':')
    return -1;
  memcpy(buf, a->s + 1, hl);
  buf[hl] = '\0';
  netaddr_t addr;
  uint16_t port;
  netdoc_arg_t parg = { close + 2, a->len - (size_t)(close - a->s) - 2 };
  if (netaddr_parse(&addr, buf) < 0 || addr.family != NETADDR_IPV6 || parse_u16(&parg, &port) < 0)
    return -1;
  if (r->ipv6.family == NETADDR_NONE) {
    r->ipv6 = addr;
    r->ipv6_port = port;
  }
  return 0;
}

static int
parse_w_line(const netdoc_item_t *it, cons_router_t *r)
{
  for (size_t i = 0; i < it->n_args; i++) {
    const netdoc_arg_t *a = &it->args[i];
    uint64_t v;
    if (a->len > 10 && memcmp(a->s, "Bandwidth=", 10) == 0) {
      if (netdoc_parse_uint(a->s + 10, a->len - 10, UINT32_MAX, &v) < 0)
        return -1;
      r->bandwidth = (uint32_t)v;
      r->has_bandwidth = 1;
    } else if (a->len == 12 && memcmp(a->s, "Unmeasured=1", 12) == 0) {
      r->bw_unmeasured = 1;
    }
  }
  return 0;
}

static int
parse_r_line(const netdoc_item_t *it, cons_router_t *r)
{
  if (parse_nickname(&it->args[0], r->nickname) < 0 ||
      netdoc_base64_decode_exact(it->args[1].s, it->args[1].len, r->rsa_id, DIGEST_LEN) < 0 ||
      netdoc_item_time(it, 2, &r->published) < 0 || parse_ipv4(&it->args[4], &r->ipv4) < 0 ||
      parse_u16(&it->args[5], &r->or_port) < 0 || parse_u16(&it->args[6], &r->dir_port) < 0)
    return -1;
  return 0;
}

/* The router entry in items [from, to). */
static int
parse_router(cparse_t *p, size_t from, size_t to, cons_router_t *r)
{
  netdoc_t *d = &p->doc;
  if (netdoc_check_rules(d, from, to, router_rules, N_RULES(router_rules)) < 0)
    return perr(p, "router entry at byte %zu: %s", p->base + d->items[from].start, d->error);
  if (parse_r_line(&d->items[from], r) < 0)
    return perr(p, "bad r line at byte %zu", p->base + d->items[from].start);
  for (size_t i = from + 1; i < to; i++) {
    const netdoc_item_t *it = &d->items[i];
    int bad = 0;
    if (netdoc_item_is(it, "m"))
      bad = netdoc_base64_decode_exact(it->args[0].s, it->args[0].len, r->md_digest,
                                       DIGEST256_LEN);
    else if (netdoc_item_is(it, "a"))
      bad = parse_a_line(&it->args[0], r);
    else if (netdoc_item_is(it, "s"))
      for (size_t k = 0; k < it->n_args; k++)
        r->flags |= consensus_flag_from_name(it->args[k].s, it->args[k].len);
    else if (netdoc_item_is(it, "w"))
      bad = parse_w_line(it, r);
    else if (netdoc_item_is(it, "v"))
      r->version = rest_str(p, it);
    else if (netdoc_item_is(it, "pr"))
      r->protocols = rest_str(p, it);
    if (bad)
      return perr(p, "bad \"%.*s\" line at byte %zu", (int)it->kw_len, it->kw,
                  p->base + it->start);
  }
  return 0;
}

/* The offset of the first line in [pos, end) (pos at a line start) whose
 * keyword is kw, or end. */
static size_t
find_kw_line(const char *t, size_t pos, size_t end, const char *kw)
{
  size_t kl = strlen(kw);
  while (pos < end) {
    if (end - pos >= kl && memcmp(t + pos, kw, kl) == 0 &&
        (end - pos == kl || t[pos + kl] == ' ' || t[pos + kl] == '\t' || t[pos + kl] == '\n'))
      return pos;
    const char *nl = memchr(t + pos, '\n', end - pos);
    if (!nl)
      return end;
    pos = (size_t)(nl - t) + 1;
  }
  return end;
}

/* The start of the line after the one at pos (or end). */
static size_t
next_line(const char *t, size_t pos, size_t end)
{
  const char *nl = memchr(t + pos, '\n', end - pos);
  return nl ? (size_t)(nl - t) + 1 : end;
}

/* Tokenize text[from, to) into p->doc (reusing its arrays). */
static int
tokenize_section(cparse_t *p, size_t from, size_t to)
{
  p->base = from;
  if (netdoc_tokenize_reuse(&p->doc, p->text + from, to - from, NULL) < 0)
    return perr(p, "%s at byte %zu", p->doc.error, from + p->doc.error_offset);
  return 0;
}

/* The router entries in text[from, to): each "r" line starts one, and each is
 * tokenized on its own, so that memory does not grow with the document. */
static int
parse_routers(cparse_t *p, size_t from, size_t to)
{
  consensus_t *c = p->c;
  size_t n = 0;
  for (size_t pos = from; pos < to; pos = find_kw_line(p->text, next_line(p->text, pos, to), to, "r"))
    n++;
  if (n == 0)
    return 0;
  if (n > CONS_MAX_ROUTERS)
    return perr(p, "more than %d routers", CONS_MAX_ROUTERS);
  c->routers = x_calloc(n, sizeof(*c->routers));
  size_t pos = from;
  while (pos < to) {
    size_t next = find_kw_line(p->text, next_line(p->text, pos, to), to, "r");
    if (tokenize_section(p, pos, next) < 0 ||
        parse_router(p, 0, p->doc.n_items, &c->routers[c->n_routers++]) < 0)
      return -1;
    pos = next;
  }
  return 0;
}

static int
parse_signature(const netdoc_item_t *it, cons_sig_t *s)
{
  size_t a = 0;
  if (it->n_args >= 3) {
    s->alg = netdoc_arg_is(it, 0, "sha256") ? CONS_SIG_SHA256
           : netdoc_arg_is(it, 0, "sha1")   ? CONS_SIG_SHA1
                                            : CONS_SIG_UNKNOWN;
    a = 1;
  } else {
    s->alg = CONS_SIG_SHA1;
  }
  if (netdoc_hex_decode(it->args[a].s, it->args[a].len, s->v3ident, DIGEST_LEN) < 0 ||
      netdoc_hex_decode(it->args[a + 1].s, it->args[a + 1].len, s->sk_digest, DIGEST_LEN) < 0)
    return -1;
  if (!netdoc_obj_is(it, "SIGNATURE") || it->obj_len == 0 || it->obj_len > AUTHCERT_MAX_SIG)
    return -1;
  s->sig = x_memdup(it->obj, it->obj_len);
  s->sig_len = it->obj_len;
  return 0;
}

static int
parse_footer(cparse_t *p, size_t from, size_t to)
{
  netdoc_t *d = &p->doc;
  consensus_t *c = p->c;
  if (netdoc_check_rules(d, from, to, footer_rules, N_RULES(footer_rules)) < 0)
    return perr(p, "footer: %s", d->error);
  size_t i = netdoc_find(d, from, to, "bandwidth-weights");
  if (i != (size_t)-1 && parse_kv_list(&d->items[i], &c->weights, &c->n_weights) < 0)
    return perr(p, "bad bandwidth-weights");
  for (i = from; i < to; i++) {
    if (!netdoc_item_is(&d->items[i], "directory-signature"))
      continue;
    if (c->n_sigs == CONS_MAX_SIGNATURES)
      return perr(p, "too many signatures");
    if (!c->sigs)
      c->sigs = x_calloc(CONS_MAX_SIGNATURES, sizeof(*c->sigs));
    if (parse_signature(&d->items[i], &c->sigs[c->n_sigs++]) < 0)
      return perr(p, "bad directory-signature");
  }
  return 0;
}

/* tor's signed range: through the first "\ndirectory-signature" and the first
 * space after it (router_get_networkstatus_v3_signed_boundaries). */
static int
signed_range(cparse_t *p)
{
  static const char kw[] = "\ndirectory-signature";
  const char *t = p->text;
  size_t len = p->len, kl = sizeof(kw) - 1;
  size_t start = p->start;
  for (size_t i = start; i + kl <= len; i++) {
    const char *nl = memchr(t + i, '\n', len - i);
    if (!nl)
      break;
    i = (size_t)(nl - t);
    if (i + kl > len || memcmp(t + i, kw, kl) != 0)
      continue;
    const char *sp = memchr(t + i + kl, ' ', len - i - kl);
    if (!sp)
      break;
    p->c->signed_len = (size_t)(sp - t) + 1;
    crypto_sha256(t + start, p->c->signed_len - start, p->c->digest_sha256);
    crypto_sha1(t + start, p->c->signed_len - start, p->c->digest_sha1);
    return 0;
  }
  return perr(p, "no signed range");
}

/* Header, routers and footer, each tokenized on its own. */
static int
parse_all(cparse_t *p)
{
  size_t footer = find_kw_line(p->text, 0, p->len, "directory-footer");
  if (footer == p->len)
    return perr(p, "no directory-footer");
  size_t first_r = find_kw_line(p->text, 0, footer, "r");
  if (tokenize_section(p, 0, first_r) < 0)
    return -1;
  if (p->doc.n_items == 0)
    return perr(p, "no header");
  p->start = p->doc.items[0].start;
  if (parse_header(p, 0, p->doc.n_items) < 0 || parse_routers(p, first_r, footer) < 0)
    return -1;
  if (tokenize_section(p, footer, p->len) < 0 || parse_footer(p, 0, p->doc.n_items) < 0)
    return -1;
  return signed_range(p);
}

int
consensus_parse(const char *text, size_t len, consensus_t **out, char *err, size_t errlen)
{
  cparse_t p;
  memset(&p, 0, sizeof(p));
  p.err = err;
  p.errlen = errlen;
  *out = NULL;
  if (errlen)
    err[0] = '\0';
  p.text = text;
  p.len = len;
  if (len && memchr(text, '\0', len))
    return perr(&p, "NUL byte in document");
  p.c = x_calloc(1, sizeof(*p.c));
  p.c->text = x_malloc(len + 1);
  memcpy(p.c->text, text, len);
  p.c->text[len] = '\0';
  p.c->text_len = len;
  int r = parse_all(&p);
  netdoc_clear(&p.doc);
  if (r < 0) {
    consensus_free(p.c);
    return -1;
  }
  *out = p.c;
  return 0;
}

void
consensus_free(consensus_t *c)
{
  if (!c)
    return;
  for (size_t i = 0; i < c->n_sigs; i++)
    x_free(c->sigs[i].sig);
  x_free(c->sigs);
  x_free(c->params);
  x_free(c->weights);
  x_free(c->dirsources);
  x_free(c->routers);
  x_free(c->text);
  x_free(c);
}

int32_t
consensus_get_param(const consensus_t *c, const char *name, int32_t dflt, int32_t min,
                    int32_t max)
{
  for (size_t i = 0; i < c->n_params; i++) {
    if (strcmp(c->params[i].name, name) == 0) {
      int32_t v = c->params[i].value;
      return v < min ? min : v > max ? max : v;
    }
  }
  return dflt;
}

const cons_router_t *
consensus_find_router(const consensus_t *c, const uint8_t rsa_id[DIGEST_LEN])
{
  for (size_t i = 0; i < c->n_routers; i++)
    if (memcmp(c->routers[i].rsa_id, rsa_id, DIGEST_LEN) == 0)
      return &c->routers[i];
  return NULL;
}
