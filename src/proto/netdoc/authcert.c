/* authcert.c — directory authority key certificates (dir-spec §3.1). */
#include "proto/netdoc/authcert.h"

#include <string.h>

#include "lib/alloc.h"
#include "lib/log.h"
#include "proto/netdoc/netdoc.h"

static const netdoc_rule_t authcert_rules[] = {
  { "dir-key-certificate-version", 1, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN,
    NETDOC_RULE_EXACTLY_ONCE | NETDOC_RULE_AT_START },
  { "dir-address", 1, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_ONCE },
  { "fingerprint", 1, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_EXACTLY_ONCE },
  { "dir-key-published", 2, 2, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_EXACTLY_ONCE },
  { "dir-key-expires", 2, 2, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_EXACTLY_ONCE },
  { "dir-identity-key", 0, 0, NETDOC_OBJ_REQUIRED, NETDOC_RULE_EXACTLY_ONCE },
  { "dir-signing-key", 0, 0, NETDOC_OBJ_REQUIRED, NETDOC_RULE_EXACTLY_ONCE },
  { "dir-key-crosscert", 0, 0, NETDOC_OBJ_REQUIRED, NETDOC_RULE_EXACTLY_ONCE },
  { "dir-key-certification", 0, 0, NETDOC_OBJ_REQUIRED,
    NETDOC_RULE_EXACTLY_ONCE | NETDOC_RULE_AT_END },
};
#define N_AUTHCERT_RULES (sizeof(authcert_rules) / sizeof(authcert_rules[0]))

const char *
authcert_result_to_string(authcert_result_t r)
{
  switch (r) {
  case AUTHCERT_OK: return "ok";
  case AUTHCERT_MALFORMED: return "malformed certificate";
  case AUTHCERT_BAD_FINGERPRINT: return "fingerprint is not the identity key's";
  case AUTHCERT_BAD_CERTIFICATION: return "bad dir-key-certification signature";
  case AUTHCERT_BAD_CROSSCERT: return "bad dir-key-crosscert signature";
  case AUTHCERT_NOT_YET_VALID: return "certificate published in the future";
  case AUTHCERT_EXPIRED: return "certificate expired";
  }
  return "unknown";
}

void
authcert_free(authcert_t *c)
{
  if (!c)
    return;
  crypto_rsa_free(c->identity_key);
  crypto_rsa_free(c->signing_key);
  x_free(c->certification);
  x_free(c->crosscert);
  x_free(c->text);
  x_free(c);
}

void
authcert_free_all(authcert_t **certs, size_t n)
{
  if (!certs)
    return;
  for (size_t i = 0; i < n; i++)
    authcert_free(certs[i]);
  x_free(certs);
}

/* "a.b.c.d:port" into c. */
static int
parse_dir_address(authcert_t *c, const netdoc_arg_t *a)
{
  char buf[32];
  const char *colon = NULL;
  for (size_t i = 0; i < a->len; i++)
    if (a->s[i] == ':')
      colon = a->s + i;
  if (!colon || (size_t)(colon - a->s) >= sizeof(buf))
    return -1;
  size_t hl = (size_t)(colon - a->s);
  memcpy(buf, a->s, hl);
  buf[hl] = '\0';
  uint64_t port;
  if (netaddr_parse(&c->address, buf) < 0 || c->address.family != NETADDR_IPV4 ||
      netdoc_parse_uint(colon + 1, a->len - hl - 1, 65535, &port) < 0)
    return -1;
  c->dir_port = (uint16_t)port;
  c->has_address = 1;
  return 0;
}

static const netdoc_item_t *
find_item(const netdoc_t *d, size_t first, size_t last, const char *kw)
{
  size_t i = netdoc_find(d, first, last + 1, kw);
  return i == (size_t)-1 ? NULL : &d->items[i];
}

static crypto_rsa_t *
item_key(const netdoc_item_t *it)
{
  if (!netdoc_obj_is(it, "RSA PUBLIC KEY"))
    return NULL;
  return crypto_rsa_from_public_der(it->obj, it->obj_len);
}

static int
copy_sig(const netdoc_item_t *it, uint8_t **out, size_t *outlen)
{
  if (it->obj_len == 0 || it->obj_len > AUTHCERT_MAX_SIG)
    return -1;
  *out = x_memdup(it->obj, it->obj_len);
  *outlen = it->obj_len;
  return 0;
}

/* Fill c from the items [first, last] of d, which the rules accepted. */
static authcert_result_t
fill_cert(authcert_t *c, const netdoc_t *d, size_t first, size_t last)
{
  const netdoc_item_t *it;
  uint8_t declared[DIGEST_LEN];
  if (!netdoc_arg_is(&d->items[first], 0, "3"))
    return AUTHCERT_MALFORMED;
  it = find_item(d, first, last, "fingerprint");
  if (netdoc_hex_decode(it->rest, it->rest_len, declared, DIGEST_LEN) < 0)
    return AUTHCERT_MALFORMED;
  if (!(c->identity_key = item_key(find_item(d, first, last, "dir-identity-key"))) ||
      !(c->signing_key = item_key(find_item(d, first, last, "dir-signing-key"))))
    return AUTHCERT_MALFORMED;
  if (crypto_rsa_fingerprint(c->identity_key, c->v3ident) < 0 ||
      crypto_rsa_fingerprint(c->signing_key, c->signing_key_digest) < 0)
    return AUTHCERT_MALFORMED;
  if (memcmp(declared, c->v3ident, DIGEST_LEN) != 0)
    return AUTHCERT_BAD_FINGERPRINT;
  if (netdoc_item_time(find_item(d, first, last, "dir-key-published"), 0, &c->published) < 0 ||
      netdoc_item_time(find_item(d, first, last, "dir-key-expires"), 0, &c->expires) < 0)
    return AUTHCERT_MALFORMED;
  if ((it = find_item(d, first, last, "dir-address")) && parse_dir_address(c, &it->args[0]) < 0)
    return AUTHCERT_MALFORMED;
  it = find_item(d, first, last, "dir-key-crosscert");
  if (!(netdoc_obj_is(it, "ID SIGNATURE") || netdoc_obj_is(it, "SIGNATURE")) ||
      copy_sig(it, &c->crosscert, &c->crosscert_len) < 0)
    return AUTHCERT_MALFORMED;
  it = &d->items[last];
  if (!netdoc_obj_is(it, "SIGNATURE") ||
      copy_sig(it, &c->certification, &c->certification_len) < 0)
    return AUTHCERT_MALFORMED;
  /* signed: "dir-key-certificate-version" through "dir-key-certification\n" */
  size_t s0 = d->items[first].start;
  crypto_sha1(d->text + s0, it->line_end - s0, c->signed_digest);
  c->text_len = it->end - s0;
  c->text = x_malloc(c->text_len + 1);
  memcpy(c->text, d->text + s0, c->text_len);
  c->text[c->text_len] = '\0';
  return AUTHCERT_OK;
}

/* Parse the certificate that starts at item first of d; *next is the item
 * after it. */
static authcert_result_t
parse_at(netdoc_t *d, size_t first, authcert_t **out, size_t *next)
{
  *out = NULL;
  if (!netdoc_item_is(&d->items[first], "dir-key-certificate-version"))
    return AUTHCERT_MALFORMED;
  size_t last = netdoc_find(d, first, d->n_items, "dir-key-certification");
  if (last == (size_t)-1)
    return AUTHCERT_MALFORMED;
  if (d->items[last].end - d->items[first].start > AUTHCERT_MAX_LEN)
    return AUTHCERT_MALFORMED;
  if (netdoc_check_rules(d, first, last + 1, authcert_rules, N_AUTHCERT_RULES) < 0) {
    log_info(LD_DIR, "authority certificate: %s", d->error);
    return AUTHCERT_MALFORMED;
  }
  authcert_t *c = x_calloc(1, sizeof(*c));
  authcert_result_t r = fill_cert(c, d, first, last);
  if (r != AUTHCERT_OK) {
    authcert_free(c);
    return r;
  }
  *out = c;
  *next = last + 1;
  return AUTHCERT_OK;
}

static int
tokenize_certs(netdoc_t *d, const char *s, size_t n)
{
  netdoc_limits_t lim = { 0, 0, 0, AUTHCERT_MAX_CERTS * 16 };
  if (netdoc_tokenize(d, s, n, &lim) < 0) {
    log_info(LD_DIR, "authority certificates: %s at byte %zu", d->error, d->error_offset);
    return -1;
  }
  return 0;
}

authcert_result_t
authcert_parse(const char *s, size_t n, authcert_t **out, size_t *consumed)
{
  netdoc_t d;
  size_t next = 0;
  *out = NULL;
  if (tokenize_certs(&d, s, n) < 0)
    return AUTHCERT_MALFORMED;
  authcert_result_t r = d.n_items ? parse_at(&d, 0, out, &next) : AUTHCERT_MALFORMED;
  if (r == AUTHCERT_OK)
    *consumed = d.items[next - 1].end;
  netdoc_clear(&d);
  return r;
}

authcert_result_t
authcert_parse_all(const char *s, size_t n, authcert_t ***out, size_t *n_out)
{
  netdoc_t d;
  authcert_t **certs = NULL;
  size_t nc = 0, i = 0;
  authcert_result_t r = AUTHCERT_MALFORMED;
  *out = NULL;
  *n_out = 0;
  if (tokenize_certs(&d, s, n) < 0)
    return AUTHCERT_MALFORMED;
  while (i < d.n_items) {
    authcert_t *c;
    if (nc == AUTHCERT_MAX_CERTS) {
      r = AUTHCERT_MALFORMED;
      break;
    }
    r = parse_at(&d, i, &c, &i);
    if (r != AUTHCERT_OK)
      break;
    certs = x_realloc(certs, (nc + 1) * sizeof(*certs));
    certs[nc++] = c;
  }
  netdoc_clear(&d);
  if (r != AUTHCERT_OK || nc == 0) {
    authcert_free_all(certs, nc);
    return r == AUTHCERT_OK ? AUTHCERT_MALFORMED : r;
  }
  *out = certs;
  *n_out = nc;
  return AUTHCERT_OK;
}

authcert_result_t
authcert_check(const authcert_t *c, int64_t now)
{
  /* The crosscert first: it lies inside the certified text, so a damaged
   * crosscert is reported as such rather than as a bad certification. */
  if (crypto_rsa_verify_raw(c->signing_key, c->v3ident, DIGEST_LEN, c->crosscert,
                            c->crosscert_len) < 0)
    return AUTHCERT_BAD_CROSSCERT;
  if (crypto_rsa_verify_raw(c->identity_key, c->signed_digest, DIGEST_LEN, c->certification,
                            c->certification_len) < 0)
    return AUTHCERT_BAD_CERTIFICATION;
  if (c->published > now + AUTHCERT_PUBLISHED_SKEW)
    return AUTHCERT_NOT_YET_VALID;
  if (now > c->expires)
    return AUTHCERT_EXPIRED;
  return AUTHCERT_OK;
}
