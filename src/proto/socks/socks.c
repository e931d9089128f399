/* socks.c — the SOCKS4/4a/5 request parser (see socks.h). */
#include "proto/socks/socks.h"

#include <string.h>

#include <event2/buffer.h>

#include "lib/alloc.h"
#include "lib/bytes.h"
#include "lib/log.h"

/* The longest message: SOCKS4a, 8 + USERID + NUL + hostname + NUL. */
#define SOCKS_MSG_MAX (8 + SOCKS4_USERID_MAX + 1 + SOCKS_HOST_MAX + 1)

/* A view of the bytes at the front of the input. */
typedef struct view_t {
  uint8_t b[SOCKS_MSG_MAX];
  size_t len;
} view_t;

static const uint8_t tor_ext_prefix[] = "<torS0X>";   /* proposal 351 */
#define TOR_EXT_PREFIX_LEN 8

void
socks_parser_init(socks_parser_t *p, int prefer_no_auth)
{
  memset(p, 0, sizeof(*p));
  p->state = SOCKS_STATE_START;
  p->prefer_no_auth = prefer_no_auth ? 1 : 0;
  p->reply = p->reply_buf;
}

void
socks_parser_clear(socks_parser_t *p)
{
  int prefer = p->prefer_no_auth;
  x_memwipe(p, sizeof(*p));
  socks_parser_init(p, prefer);
}

int
socks_parser_is_done(const socks_parser_t *p)
{
  return p->state == SOCKS_STATE_DONE;
}

const char *
socks_state_to_string(socks_state_t st)
{
  switch (st) {
  case SOCKS_STATE_START: return "start";
  case SOCKS_STATE_WANT_AUTH: return "want_auth";
  case SOCKS_STATE_WANT_REQUEST: return "want_request";
  case SOCKS_STATE_DONE: return "done";
  case SOCKS_STATE_FAILED: return "failed";
  }
  return "unknown";
}

/* ---- destination checks ---- */

static int
is_alnum(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* tor's string_is_valid_nonrfc_hostname: labels of [A-Za-z0-9_-], none empty,
 * none starting with '-' or '_'; one trailing dot allowed. */
static int
hostname_is_valid(const char *s)
{
  size_t len = strlen(s);
  if (len == 0)
    return 0;
  if (s[len - 1] == '.')
    len--;
  if (len == 0)
    return 0;
  size_t label = 0;
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (c == '.') {
      if (label == 0)
        return 0;
      label = 0;
      continue;
    }
    if (label == 0 && (c == '-' || c == '_'))
      return 0;
    if (!is_alnum(c) && c != '-' && c != '_')
      return 0;
    label++;
  }
  return label > 0;
}

/* If s is "[v6]" with a valid IPv6 literal inside, write the inside to out. */
static int
strip_ipv6_brackets(const char *s, char *out, size_t outlen)
{
  size_t len = strlen(s);
  netaddr_t a;
  if (len < 3 || s[0] != '[' || s[len - 1] != ']' || len - 2 >= outlen)
    return -1;
  memcpy(out, s + 1, len - 2);
  out[len - 2] = '\0';
  if (netaddr_parse(&a, out) < 0 || a.family != NETADDR_IPV6)
    return -1;
  return 0;
}

int
socks_host_is_valid(const char *s)
{
  char inner[SOCKS_HOST_MAX + 1];
  netaddr_t a;
  if (!s || !*s)
    return 0;
  if (strip_ipv6_brackets(s, inner, sizeof(inner)) == 0)
    return 1;
  if (netaddr_parse(&a, s) == 0)
    return 1;
  return hostname_is_valid(s);
}

/* ---- replies from the parser ---- */

static void
set_reply(socks_parser_t *p, const uint8_t *b, size_t n)
{
  memcpy(p->reply_buf, b, n);
  p->reply = p->reply_buf;
  p->reply_len = n;
}

static void
set_reply_error(socks_parser_t *p, uint8_t version, socks5_rep_t rep)
{
  int n = socks_reply_encode(p->reply_buf, sizeof(p->reply_buf), version, rep, NULL, 0);
  p->reply = p->reply_buf;
  p->reply_len = n > 0 ? (size_t)n : 0;
}

static parse_result_t
fail(socks_parser_t *p)
{
  p->state = SOCKS_STATE_FAILED;
  return PARSE_INVALID;
}

static void
set_dest_ipv4(socks_request_t *r, const uint8_t *ip)
{
  netaddr_set_ipv4(&r->addr, ip);
  netaddr_format(&r->addr, r->host, sizeof(r->host));
}

static void
set_dest_ipv6(socks_request_t *r, const uint8_t *ip)
{
  netaddr_set_ipv6(&r->addr, ip);
  netaddr_format(&r->addr, r->host, sizeof(r->host));
}

/* Store a client-given hostname (NUL-free, <= SOCKS_HOST_MAX bytes):
 * brackets around an IPv6 literal are dropped; addr is set for literals.
 * Returns -1 if tor would refuse the destination. */
static int
set_dest_name(socks_request_t *r, const uint8_t *name, size_t len)
{
  char tmp[SOCKS_HOST_MAX + 1];
  memcpy(tmp, name, len);
  tmp[len] = '\0';
  if (memchr(name, '\0', len) || !socks_host_is_valid(tmp))
    return -1;
  if (strip_ipv6_brackets(tmp, r->host, sizeof(r->host)) < 0)
    memcpy(r->host, tmp, len + 1);
  if (netaddr_parse(&r->addr, r->host) < 0)
    memset(&r->addr, 0, sizeof(r->addr));
  return 0;
}

/* ---- SOCKS4 / SOCKS4a ---- */

/* Find the NUL in b[from..len) no further than max bytes on: its index, or
 * -1 if not there yet (*too_long set if it can no longer come in time). */
static long
find_nul(const view_t *v, size_t from, size_t max, int *too_long)
{
  size_t end = v->len;
  *too_long = 0;
  if (from > end)
    return -1;
  for (size_t i = from; i < end; i++) {
    if (v->b[i] == '\0')
      return (i - from > max) ? (*too_long = 1, -1) : (long)i;
  }
  if (end - from > max)
    *too_long = 1;
  return -1;
}

/* Differs from tor only on bad input: tor also accepts a USERID of up to
 * ~500 bytes. */
static parse_result_t
parse_socks4(socks_parser_t *p, struct evbuffer *in, const view_t *v)
{
  socks_request_t *r = &p->req;
  int too_long;
  if (v->len < 8)
    return PARSE_NEED_MORE;
  r->version = SOCKS_VERSION_4;
  long uend = find_nul(v, 8, SOCKS4_USERID_MAX, &too_long);
  if (uend < 0) {
    if (!too_long)
      return PARSE_NEED_MORE;
    log_protocol_warn(LD_APP, "socks4: USERID too long; rejecting");
    set_reply_error(p, SOCKS_VERSION_4, SOCKS5_REP_GENERAL_FAILURE);
    return fail(p);
  }
  uint32_t ip = get_u32(v->b + 4);
  int is_4a = ip != 0 && (ip >> 8) == 0;
  size_t msg_len = (size_t)uend + 1;
  long hend = -1;
  if (is_4a) {
    hend = find_nul(v, msg_len, SOCKS_HOST_MAX, &too_long);
    if (hend < 0) {
      if (!too_long)
        return PARSE_NEED_MORE;
      log_protocol_warn(LD_APP, "socks4a: hostname too long; rejecting");
      set_reply_error(p, SOCKS_VERSION_4, SOCKS5_REP_GENERAL_FAILURE);
      return fail(p);
    }
  }
  /* The whole message is here: check it. */
  r->command = v->b[1];
  r->port = get_u16(v->b + 2);
  if ((r->command != SOCKS_CMD_CONNECT && r->command != SOCKS_CMD_RESOLVE) || ip == 0 ||
      (r->port == 0 && r->command != SOCKS_CMD_RESOLVE)) {
    log_protocol_warn(LD_APP, "socks4: unsupported command %u, or zero port or address; "
                      "rejecting", r->command);
    set_reply_error(p, SOCKS_VERSION_4, SOCKS5_REP_GENERAL_FAILURE);
    return fail(p);
  }
  if (is_4a) {
    r->atyp = SOCKS5_ATYP_HOSTNAME;
    if (set_dest_name(r, v->b + msg_len, (size_t)hend - msg_len) < 0) {
      log_protocol_warn(LD_APP, "socks4a: malformed hostname; rejecting");
      set_reply_error(p, SOCKS_VERSION_4, SOCKS5_REP_GENERAL_FAILURE);
      return fail(p);
    }
    msg_len = (size_t)hend + 1;
  } else {
    r->atyp = SOCKS5_ATYP_IPV4;
    set_dest_ipv4(r, v->b + 4);
  }
  r->username_len = (size_t)uend - 8;
  memcpy(r->username, v->b + 8, r->username_len);
  r->has_auth = r->username_len > 0;
  evbuffer_drain(in, msg_len);
  p->state = SOCKS_STATE_DONE;
  return PARSE_DONE;
}

/* ---- SOCKS5 ---- */

static parse_result_t
parse_methods(socks_parser_t *p, struct evbuffer *in, const view_t *v)
{
  if (v->len < 2)
    return PARSE_NEED_MORE;
  size_t n = v->b[1];
  if (v->len < 2 + n)
    return PARSE_NEED_MORE;
  int have_none = 0, have_userpass = 0;
  for (size_t i = 0; i < n; i++) {
    if (v->b[2 + i] == SOCKS5_METHOD_NO_AUTH)
      have_none = 1;
    else if (v->b[2 + i] == SOCKS5_METHOD_USER_PASS)
      have_userpass = 1;
  }
  p->req.version = SOCKS_VERSION_5;
  uint8_t rep[2] = { SOCKS_VERSION_5, SOCKS5_METHOD_NONE_ACCEPTABLE };
  if (have_userpass && !(have_none && p->prefer_no_auth)) {
    rep[1] = SOCKS5_METHOD_USER_PASS;
    p->state = SOCKS_STATE_WANT_AUTH;
  } else if (have_none) {
    rep[1] = SOCKS5_METHOD_NO_AUTH;
    p->state = SOCKS_STATE_WANT_REQUEST;
  }
  set_reply(p, rep, 2);
  if (rep[1] == SOCKS5_METHOD_NONE_ACCEPTABLE) {
    /* tor sends nothing when no method is offered at all; 05 FF is what
     * RFC 1928 asks for either way. */
    log_protocol_warn(LD_APP, "socks5: neither 'no auth' nor username/password offered");
    return fail(p);
  }
  evbuffer_drain(in, 2 + n);
  return PARSE_DONE;
}

/* RFC 1929: 01 ULEN UNAME PLEN PASSWD.  tor answers a refused message with a
 * SOCKS5 general-failure reply; we send the RFC 1929 failure status 01 01. */
static parse_result_t
parse_auth(socks_parser_t *p, struct evbuffer *in, const view_t *v)
{
  static const uint8_t ok[2] = { 0x01, 0x00 }, refused[2] = { 0x01, 0x01 };
  socks_request_t *r = &p->req;
  if (v->b[0] != 0x01) {
    log_protocol_warn(LD_APP, "socks5: username/password message of version %u", v->b[0]);
    set_reply(p, refused, 2);
    return fail(p);
  }
  if (v->len < 2)
    return PARSE_NEED_MORE;
  size_t ulen = v->b[1];
  if (v->len < 3 + ulen)
    return PARSE_NEED_MORE;
  size_t plen = v->b[2 + ulen];
  if (v->len < 3 + ulen + plen)
    return PARSE_NEED_MORE;
  const uint8_t *user = v->b + 2, *pass = v->b + 3 + ulen;
  if (ulen >= TOR_EXT_PREFIX_LEN && memcmp(user, tor_ext_prefix, TOR_EXT_PREFIX_LEN) == 0 &&
      !(ulen == TOR_EXT_PREFIX_LEN + 1 && user[TOR_EXT_PREFIX_LEN] == '0')) {
    log_protocol_warn(LD_APP, "socks5: username of an unsupported extended format "
                      "(proposal 351); rejecting");
    set_reply(p, refused, 2);
    return fail(p);
  }
  memcpy(r->username, user, ulen);
  r->username_len = ulen;
  memcpy(r->password, pass, plen);
  r->password_len = plen;
  r->has_auth = 1;
  p->got_auth = 1;
  p->state = SOCKS_STATE_WANT_REQUEST;
  set_reply(p, ok, 2);
  evbuffer_drain(in, 3 + ulen + plen);
  return PARSE_DONE;
}

/* Differs from tor only on bad input: an unknown ATYP gets 08 (tor: 01), and
 * a hostname with a NUL is refused (tor waits). */
static parse_result_t
parse_request(socks_parser_t *p, struct evbuffer *in, const view_t *v)
{
  socks_request_t *r = &p->req;
  if (v->b[0] != SOCKS_VERSION_5 || (v->len >= 3 && v->b[2] != 0)) {
    log_protocol_warn(LD_APP, "socks5: bad version or reserved byte in request");
    set_reply_error(p, SOCKS_VERSION_5, SOCKS5_REP_GENERAL_FAILURE);
    return fail(p);
  }
  if (v->len < 4)
    return PARSE_NEED_MORE;
  uint8_t atyp = v->b[3];
  size_t addr_off = 4, addr_len;
  switch (atyp) {
  case SOCKS5_ATYP_IPV4: addr_len = 4; break;
  case SOCKS5_ATYP_IPV6: addr_len = 16; break;
  case SOCKS5_ATYP_HOSTNAME:
    if (v->len < 5)
      return PARSE_NEED_MORE;
    addr_off = 5;
    addr_len = v->b[4];
    break;
  default:
    log_protocol_warn(LD_APP, "socks5: unknown address type %u", atyp);
    set_reply_error(p, SOCKS_VERSION_5, SOCKS5_REP_ATYP_NOT_SUPPORTED);
    return fail(p);
  }
  size_t msg_len = addr_off + addr_len + 2;
  if (v->len < msg_len)
    return PARSE_NEED_MORE;

  uint8_t cmd = v->b[1];
  socks5_rep_t err = SOCKS5_REP_SUCCEEDED;
  r->command = cmd;
  r->atyp = atyp;
  r->port = get_u16(v->b + addr_off + addr_len);
  if (cmd != SOCKS_CMD_CONNECT && cmd != SOCKS_CMD_RESOLVE && cmd != SOCKS_CMD_RESOLVE_PTR) {
    err = SOCKS5_REP_CMD_NOT_SUPPORTED;
  } else if (atyp == SOCKS5_ATYP_IPV4) {
    set_dest_ipv4(r, v->b + addr_off);
  } else if (atyp == SOCKS5_ATYP_IPV6) {
    set_dest_ipv6(r, v->b + addr_off);
  } else if (set_dest_name(r, v->b + addr_off, addr_len) < 0) {
    err = SOCKS5_REP_GENERAL_FAILURE;
  } else if (cmd == SOCKS_CMD_RESOLVE_PTR && r->addr.family == NETADDR_NONE) {
    err = SOCKS5_REP_ATYP_NOT_SUPPORTED;
  }
  if (err != SOCKS5_REP_SUCCEEDED) {
    log_protocol_warn(LD_APP, "socks5: refusing a request (command %u, address type %u): "
                      "reply %u", cmd, atyp, (unsigned)err);
    set_reply_error(p, SOCKS_VERSION_5, err);
    return fail(p);
  }
  evbuffer_drain(in, msg_len);
  p->state = SOCKS_STATE_DONE;
  return PARSE_DONE;
}

static parse_result_t
parse_start(socks_parser_t *p, struct evbuffer *in, const view_t *v)
{
  switch (v->b[0]) {
  case SOCKS_VERSION_4:
    return parse_socks4(p, in, v);
  case SOCKS_VERSION_5:
    return parse_methods(p, in, v);
  case 'G': case 'H': case 'P': case 'C':
    p->reply = (const uint8_t *)socks_http_error_page(&p->reply_len);
    log_protocol_warn(LD_APP, "An HTTP request reached a SOCKS port (this is not an HTTP "
                      "proxy); sending an error page");
    return fail(p);
  default:
    log_protocol_warn(LD_APP, "SOCKS version %u not recognized", v->b[0]);
    return fail(p);
  }
}

parse_result_t
socks_parse(socks_parser_t *p, struct evbuffer *in)
{
  view_t v;
  p->reply = p->reply_buf;
  p->reply_len = 0;
  if (p->state == SOCKS_STATE_DONE || p->state == SOCKS_STATE_FAILED)
    return PARSE_INVALID;
  ev_ssize_t n = evbuffer_copyout(in, v.b, sizeof(v.b));
  if (n <= 0)
    return PARSE_NEED_MORE;
  v.len = (size_t)n;

  switch (p->state) {
  case SOCKS_STATE_START:
    return parse_start(p, in, &v);
  case SOCKS_STATE_WANT_AUTH:
    return parse_auth(p, in, &v);
  case SOCKS_STATE_WANT_REQUEST:
    /* Like tor: a client may send an RFC 1929 message (once) even after we
     * chose "no authentication". */
    if (v.b[0] == 0x01 && !p->got_auth)
      return parse_auth(p, in, &v);
    return parse_request(p, in, &v);
  default:
    return PARSE_INVALID;
  }
}
