/* test_socks.c — the SOCKS4/4a/5 request parser and reply encoders.
 *
 * Cases marked [tor] take their inputs and expected outcomes from tor's
 * src/test/test_socks.c (torproject/tor, tag tor-0.4.8.1-alpha, commit
 * e30fdc14b2accb7a83ae19d948a2c37cb7cee8ac).  Cases marked [tor 0.4.9.11]
 * record what a live tor 0.4.9.11 (Debian) did with the same bytes on its
 * SocksPort; where evonion deliberately answers bad input differently the
 * test says so.  The END-reason table is tor's reasons.c
 * (stream_end_reason_to_socks5_response, same commit). */
#include <string.h>

#include <event2/buffer.h>

#include "proto/relay_stream.h"
#include "proto/socks/socks.h"
#include "testutil.h"

static socks_parser_t P;
static struct evbuffer *B;

static void
setup(void)
{
  socks_parser_init(&P, 0);
  B = evbuffer_new();
}

static void
teardown(void)
{
  evbuffer_free(B);
  B = NULL;
}

static void
add(const void *p, size_t n)
{
  ck_assert_int_eq(evbuffer_add(B, p, n), 0);
}
#define ADD(s) add((s), sizeof(s) - 1)

static size_t
buflen(void)
{
  return evbuffer_get_length(B);
}

#define ck_reply(s) do {                                          \
    ck_assert_uint_eq(P.reply_len, sizeof(s) - 1);                \
    ck_assert_mem_eq(P.reply, (s), sizeof(s) - 1);                \
  } while (0)

/* Negotiate "no auth": 05 01 00 -> 05 00. */
static void
negotiate_no_auth(void)
{
  ADD("\x05\x01\x00");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  ck_reply("\x05\x00");
  ck_assert_int_eq(P.state, SOCKS_STATE_WANT_REQUEST);
  ck_assert_uint_eq(buflen(), 0);
}

/* ---- SOCKS4 ---- */

START_TEST(test_socks4_supported) /* [tor] 4_supported_commands */
{
  ADD("\x04\x01\x11\x12\x02\x02\x02\x03\x00");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  ck_assert(socks_parser_is_done(&P));
  ck_assert_uint_eq(P.reply_len, 0);
  ck_assert_uint_eq(P.req.version, 4);
  ck_assert_uint_eq(P.req.command, SOCKS_CMD_CONNECT);
  ck_assert_str_eq(P.req.host, "2.2.2.3");
  ck_assert_uint_eq(P.req.port, 4370);
  ck_assert_int_eq(P.req.addr.family, NETADDR_IPV4);
  ck_assert_uint_eq(P.req.has_auth, 0);
  ck_assert_uint_eq(buflen(), 0);

  socks_parser_clear(&P);
  ADD("\x04\x01\x11\x12\x02\x02\x02\x04me\x00");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  ck_assert_str_eq(P.req.host, "2.2.2.4");
  ck_assert_uint_eq(P.req.port, 4370);
  ck_assert_uint_eq(P.req.has_auth, 1);
  ck_assert_uint_eq(P.req.username_len, 2);
  ck_assert_mem_eq(P.req.username, "me", 2);
  ck_assert_uint_eq(buflen(), 0);

  /* SOCKS4a RESOLVE */
  socks_parser_clear(&P);
  ADD("\x04\xF0\x01\x01\x00\x00\x00\x02me\x00torproject.org\x00");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  ck_assert_uint_eq(P.req.version, 4);
  ck_assert_uint_eq(P.req.command, SOCKS_CMD_RESOLVE);
  ck_assert_uint_eq(P.req.atyp, SOCKS5_ATYP_HOSTNAME);
  ck_assert_str_eq(P.req.host, "torproject.org");
  ck_assert_int_eq(P.req.addr.family, NETADDR_NONE);
  ck_assert_uint_eq(buflen(), 0);
}
END_TEST

START_TEST(test_socks4a_connect_keeps_optimistic_data)
{
  ADD("\x04\x01\x00\x50\x00\x00\x00\x01\x00www.example.com\x00GET / HTTP/1.0\r\n");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  ck_assert_str_eq(P.req.host, "www.example.com");
  ck_assert_uint_eq(P.req.port, 80);
  ck_assert_uint_eq(buflen(), 16);
  char rest[17] = { 0 };
  evbuffer_copyout(B, rest, 16);
  ck_assert_str_eq(rest, "GET / HTTP/1.0\r\n");
}
END_TEST

START_TEST(test_socks4_refused) /* [tor] 4_unsupported_commands, 4_bad_arguments */
{
  static const struct { const char *b; size_t n; } bad[] = {
    { "\x04\x02\x11\x11\x02\x02\x02\x02\x00", 9 },          /* BIND */
    { "\x04\xF1\x00\x50\x00\x00\x00\x01\x00" "abc\x00", 13 }, /* RESOLVE_PTR: SOCKS5 only */
    { "\x04\x01\x00\x50\x00\x00\x00\x00\x00", 9 },          /* address 0 */
    { "\x04\x01\x00\x00\x01\x02\x03\x04\x00", 9 },          /* port 0 */
    { "\x04\x01\x00\x50\x00\x00\x00\x01\x00" "---\x00", 13 }, /* bogus hostname */
    { "\x04\x01\x00\x50\x00\x00\x00\x01\x00" "\x00", 10 },   /* empty hostname */
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    socks_parser_clear(&P);
    evbuffer_drain(B, buflen());
    add(bad[i].b, bad[i].n);
    ck_assert_int_eq(socks_parse(&P, B), PARSE_INVALID);
    ck_assert_int_eq(P.state, SOCKS_STATE_FAILED);
    /* [tor 0.4.9.11] answers 00 5B 000000000000 and closes. */
    ck_reply("\x00\x5B\x00\x00\x00\x00\x00\x00");
    ck_assert_uint_eq(buflen(), bad[i].n); /* nothing drained */
  }
}
END_TEST

START_TEST(test_socks4_resolve_port_zero_ok)
{
  ADD("\x04\xF0\x00\x00\x00\x00\x00\x01\x00" "example.com\x00");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  ck_assert_uint_eq(P.req.port, 0);
}
END_TEST

START_TEST(test_socks4_caps) /* [tor] 4_bad_arguments: 2000-byte fields */
{
  uint8_t m[2100];
  memcpy(m, "\x04\x01\x00\x50\x01\x02\x03\x04", 8);
  memset(m + 8, 'u', 2000);
  m[2008] = 0;
  add(m, 2009);
  ck_assert_int_eq(socks_parse(&P, B), PARSE_INVALID);
  evbuffer_drain(B, buflen());

  /* a long USERID with no NUL yet is refused once it passes the cap */
  socks_parser_clear(&P);
  add(m, 8 + SOCKS4_USERID_MAX);
  ck_assert_int_eq(socks_parse(&P, B), PARSE_NEED_MORE);
  add("u", 1);
  ck_assert_int_eq(socks_parse(&P, B), PARSE_INVALID);
  evbuffer_drain(B, buflen());

  /* exactly the cap is fine */
  socks_parser_clear(&P);
  m[8 + SOCKS4_USERID_MAX] = 0;
  add(m, 8 + SOCKS4_USERID_MAX + 1);
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  ck_assert_uint_eq(P.req.username_len, SOCKS4_USERID_MAX);
  ck_assert_uint_eq(buflen(), 0);

  /* SOCKS4a hostname: 2000 bytes, terminated or not, is refused */
  socks_parser_clear(&P);
  memcpy(m, "\x04\x01\x00\x50\x00\x00\x00\x01\x00", 9);
  memset(m + 9, 'a', 2000);
  add(m, 2009);
  ck_assert_int_eq(socks_parse(&P, B), PARSE_INVALID);
  ck_reply("\x00\x5B\x00\x00\x00\x00\x00\x00");
  evbuffer_drain(B, buflen());

  /* 255 bytes is the longest hostname */
  socks_parser_clear(&P);
  m[9 + SOCKS_HOST_MAX] = 0;
  add(m, 9 + SOCKS_HOST_MAX + 1);
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  ck_assert_uint_eq(strlen(P.req.host), SOCKS_HOST_MAX);
  socks_parser_clear(&P);
  m[9 + SOCKS_HOST_MAX] = 'a';
  m[9 + SOCKS_HOST_MAX + 1] = 0;
  add(m, 9 + SOCKS_HOST_MAX + 2);
  ck_assert_int_eq(socks_parse(&P, B), PARSE_INVALID);
}
END_TEST

/* ---- SOCKS5 ---- */

START_TEST(test_socks5_unsupported_commands) /* [tor] 5_unsupported_commands */
{
  negotiate_no_auth();
  ADD("\x05\x02\x00\x01\x02\x02\x02\x01\x01\x01"); /* BIND */
  ck_assert_int_eq(socks_parse(&P, B), PARSE_INVALID);
  ck_reply("\x05\x07\x00\x01\x00\x00\x00\x00\x00\x00");

  socks_parser_clear(&P);
  evbuffer_drain(B, buflen());
  negotiate_no_auth();
  ADD("\x05\x03\x00\x01\x02\x02\x02\x01\x01\x01"); /* UDP ASSOCIATE */
  ck_assert_int_eq(socks_parse(&P, B), PARSE_INVALID);
  ck_reply("\x05\x07\x00\x01\x00\x00\x00\x00\x00\x00");
}
END_TEST

static void
expect_request(const char *msg, size_t n, uint8_t cmd, const char *host, uint16_t port)
{
  socks_parser_clear(&P);
  evbuffer_drain(B, buflen());
  negotiate_no_auth();
  add(msg, n);
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  ck_assert(socks_parser_is_done(&P));
  ck_assert_uint_eq(P.reply_len, 0);
  ck_assert_uint_eq(P.req.version, 5);
  ck_assert_uint_eq(P.req.command, cmd);
  ck_assert_str_eq(P.req.host, host);
  ck_assert_uint_eq(P.req.port, port);
  ck_assert_uint_eq(buflen(), 0);
}
#define EXPECT_REQ(m, cmd, host, port) expect_request((m), sizeof(m) - 1, (cmd), (host), (port))

START_TEST(test_socks5_supported_commands) /* [tor] 5_supported_commands */
{
  EXPECT_REQ("\x05\x01\x00\x01\x02\x02\x02\x02\x11\x11", SOCKS_CMD_CONNECT, "2.2.2.2", 4369);
  ck_assert_int_eq(P.req.atyp, SOCKS5_ATYP_IPV4);
  ck_assert_int_eq(P.req.addr.family, NETADDR_IPV4);
  /* tor writes "[2002:41b8:...]"; we never bracket (BEGIN's encoder adds them) */
  EXPECT_REQ("\x05\x01\x00\x04"
             "\x20\x02\x41\xb8\x02\x02\x0d\xeb\x02\x13\x21\xff\xfe\x20\x14\x26"
             "\x00\x50", SOCKS_CMD_CONNECT, "2002:41b8:202:deb:213:21ff:fe20:1426", 80);
  ck_assert_int_eq(P.req.atyp, SOCKS5_ATYP_IPV6);
  ck_assert_int_eq(P.req.addr.family, NETADDR_IPV6);
  EXPECT_REQ("\x05\x01\x00\x03\x0Etorproject.org\x11\x11", SOCKS_CMD_CONNECT,
             "torproject.org", 4369);
  ck_assert_int_eq(P.req.atyp, SOCKS5_ATYP_HOSTNAME);
  ck_assert_int_eq(P.req.addr.family, NETADDR_NONE);
  EXPECT_REQ("\x05\xF0\x00\x03\x0Etorproject.org\x01\x02", SOCKS_CMD_RESOLVE,
             "torproject.org", 258);
  EXPECT_REQ("\x05\xF0\x00\x03\x07" "8.8.8.8" "\x11\x11", SOCKS_CMD_RESOLVE, "8.8.8.8", 4369);
  ck_assert_int_eq(P.req.addr.family, NETADDR_IPV4);
  EXPECT_REQ("\x05\xF0\x00\x03\x29" "[2001:0db8:85a3:0000:0000:8a2e:0370:7334]" "\x01\x02",
             SOCKS_CMD_RESOLVE, "2001:0db8:85a3:0000:0000:8a2e:0370:7334", 258);
  ck_assert_int_eq(P.req.addr.family, NETADDR_IPV6);
  EXPECT_REQ("\x05\xF0\x00\x03\x27" "2001:0db8:85a3:0000:0000:8a2e:0370:7334" "\x01\x02",
             SOCKS_CMD_RESOLVE, "2001:0db8:85a3:0000:0000:8a2e:0370:7334", 258);
  EXPECT_REQ("\x05\xF1\x00\x01\x02\x02\x02\x05\x01\x03", SOCKS_CMD_RESOLVE_PTR, "2.2.2.5", 259);
  EXPECT_REQ("\x05\xF1\x00\x04"
             "\x20\x01\x0d\xb8\x85\xa3\x00\x00\x00\x00\x8a\x2e\x03\x70\x73\x34"
             "\x12\x34", SOCKS_CMD_RESOLVE_PTR, "2001:db8:85a3::8a2e:370:7334", 0x1234);
  EXPECT_REQ("\x05\xF1\x00\x03\x1e" "[2001:db8:85a3::8a2e:370:7334]" "\x12\x34",
             SOCKS_CMD_RESOLVE_PTR, "2001:db8:85a3::8a2e:370:7334", 0x1234);
  ck_assert_int_eq(P.req.addr.family, NETADDR_IPV6);
}
END_TEST

START_TEST(test_socks5_no_authenticate_then_auth_anyway) /* [tor] 5_no_authenticate */
{
  negotiate_no_auth();
  ADD("\x01\x02\x01\x01\x02\x01\x01");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  ck_reply("\x01\x00");
  ck_assert_int_eq(P.state, SOCKS_STATE_WANT_REQUEST);
  ck_assert_uint_eq(P.req.username_len, 2);
  ck_assert_uint_eq(P.req.password_len, 2);
  ck_assert_mem_eq(P.req.username, "\x01\x01", 2);
  ck_assert_mem_eq(P.req.password, "\x01\x01", 2);
  ck_assert_uint_eq(P.req.has_auth, 1);
  /* only once: a second one is not a request */
  ADD("\x01\x01x\x01y");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_INVALID);
  ck_reply("\x05\x01\x00\x01\x00\x00\x00\x00\x00\x00");
}
END_TEST

START_TEST(test_socks5_authenticate) /* [tor] 5_authenticate */
{
  ADD("\x05\x01\x02");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  ck_reply("\x05\x02");
  ck_assert_int_eq(P.state, SOCKS_STATE_WANT_AUTH);
  ck_assert_uint_eq(buflen(), 0);
  ADD("\x01\x02me\x08mypasswd");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  ck_reply("\x01\x00");
  ck_assert_uint_eq(P.req.username_len, 2);
  ck_assert_uint_eq(P.req.password_len, 8);
  ck_assert_mem_eq(P.req.username, "me", 2);
  ck_assert_mem_eq(P.req.password, "mypasswd", 8);
  ck_assert_int_eq(P.state, SOCKS_STATE_WANT_REQUEST);
}
END_TEST

START_TEST(test_socks5_authenticate_empty) /* [tor] 5_authenticate_empty_user_pass */
{
  ADD("\x05\x01\x02");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  ADD("\x01\x00\x00");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  ck_reply("\x01\x00");
  ck_assert_uint_eq(P.req.username_len, 0);
  ck_assert_uint_eq(P.req.password_len, 0);
  ck_assert_uint_eq(P.req.has_auth, 1);
}
END_TEST

START_TEST(test_socks5_authenticate_with_data) /* [tor] 5_authenticate_with_data */
{
  ADD("\x05\x01\x02");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  ADD("\x01\x02me\x03you\x05\x01\x00\x01\x02\x02\x02\x02\x11\x11" "data");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  ck_reply("\x01\x00");
  ck_assert_uint_eq(buflen(), 10 + 4);
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  ck_assert(socks_parser_is_done(&P));
  ck_assert_uint_eq(P.reply_len, 0);
  ck_assert_str_eq(P.req.host, "2.2.2.2");
  ck_assert_uint_eq(P.req.port, 4369);
  ck_assert_mem_eq(P.req.username, "me", 2);
  ck_assert_mem_eq(P.req.password, "you", 3);
  ck_assert_uint_eq(buflen(), 4); /* optimistic data stays */
  /* a finished parser takes nothing more */
  ck_assert_int_eq(socks_parse(&P, B), PARSE_INVALID);
  ck_assert_uint_eq(P.reply_len, 0);
  ck_assert_uint_eq(buflen(), 4);
}
END_TEST

START_TEST(test_socks5_method_choice)
{
  /* tor picks username/password when offered, so that isolation works */
  ADD("\x05\x02\x00\x02");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  ck_reply("\x05\x02"); /* [tor 0.4.9.11] the same */
  socks_parser_init(&P, 1);
  ADD("\x05\x02\x00\x02");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  ck_reply("\x05\x00");
  socks_parser_init(&P, 1);
  ADD("\x05\x01\x02");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  ck_reply("\x05\x02");
}
END_TEST

START_TEST(test_socks5_auth_unsupported_type) /* [tor] 5_auth_unsupported_type */
{
  ADD("\x05\x03\x99\x21\x10");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_INVALID);
  ck_reply("\x05\xff");
  /* no method at all: tor closes silently, we send 05 FF */
  socks_parser_clear(&P);
  evbuffer_drain(B, buflen());
  ADD("\x05\x00");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_INVALID);
  ck_reply("\x05\xff");
}
END_TEST

START_TEST(test_socks5_auth_unsupported_version) /* [tor] 5_auth_unsupported_version */
{
  ADD("\x05\x01\x02");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  ADD("\x02\x05" "hello" "\x05" "world");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_INVALID);
  ck_reply("\x01\x01");
}
END_TEST

START_TEST(test_socks5_auth_before_negotiation) /* [tor] 5_auth_before_negotiation */
{
  ADD("\x01\x02me\x02me");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_INVALID);
  ck_assert_uint_eq(P.reply_len, 0);
}
END_TEST

static parse_result_t
auth_with_user(const char *user, size_t ulen)
{
  uint8_t m[300];
  socks_parser_clear(&P);
  evbuffer_drain(B, buflen());
  ADD("\x05\x01\x02");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  m[0] = 1;
  m[1] = (uint8_t)ulen;
  memcpy(m + 2, user, ulen);
  m[2 + ulen] = 2;
  memcpy(m + 3 + ulen, "pw", 2);
  add(m, 5 + ulen);
  return socks_parse(&P, B);
}

START_TEST(test_socks5_prop351_usernames) /* [tor 0.4.9.11] refuses the same set */
{
  ck_assert_int_eq(auth_with_user("<torS0X>0", 9), PARSE_DONE);
  ck_reply("\x01\x00");
  ck_assert_uint_eq(P.req.username_len, 9);
  ck_assert_int_eq(auth_with_user("<torS0X>1abc", 12), PARSE_INVALID);
  ck_reply("\x01\x01"); /* tor sends a SOCKS5 general failure here */
  ck_assert_int_eq(auth_with_user("<torS0X>0x", 10), PARSE_INVALID);
  ck_assert_int_eq(auth_with_user("<torS0X>", 8), PARSE_INVALID);
  ck_assert_int_eq(auth_with_user("<torS0X", 7), PARSE_DONE);
  ck_assert_int_eq(auth_with_user("<TorS0X>1", 9), PARSE_DONE);
  ck_assert_int_eq(auth_with_user("x<torS0X>1", 10), PARSE_DONE);
}
END_TEST

START_TEST(test_socks5_malformed_commands) /* [tor] 5_malformed_commands, 5_bad_arguments */
{
  negotiate_no_auth();
  ADD("\x05\xF1\x00\x03\x0Etorproject.org\x11\x11");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_INVALID);
  ck_reply("\x05\x08\x00\x01\x00\x00\x00\x00\x00\x00");

  socks_parser_clear(&P);
  evbuffer_drain(B, buflen());
  negotiate_no_auth();
  ADD("\x05\x01\x00\x03\x09\"\"\"\"\".com\x11\x11");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_INVALID);
  ck_reply("\x05\x01\x00\x01\x00\x00\x00\x00\x00\x00");

  socks_parser_clear(&P);
  evbuffer_drain(B, buflen());
  negotiate_no_auth();
  ADD("\x05\x01\x00\x03\x03---\x00\x50");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_INVALID);
  ck_reply("\x05\x01\x00\x01\x00\x00\x00\x00\x00\x00");

  /* address type 0x23: tor answers 01 (its parser fails); RFC 1928 says 08 */
  socks_parser_clear(&P);
  evbuffer_drain(B, buflen());
  negotiate_no_auth();
  ADD("\x05\x01\x00\x23\x02\x02\x02\x02\x11\x11");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_INVALID);
  ck_reply("\x05\x08\x00\x01\x00\x00\x00\x00\x00\x00");
}
END_TEST

START_TEST(test_socks5_bad_requests) /* [tor 0.4.9.11] answers each with 05 01 */
{
  static const struct { const char *b; size_t n; } bad[] = {
    { "\x05\x01\x01\x03\x03" "abc\x00\x50", 10 },   /* reserved byte not 0 */
    { "\x05\x01\x00\x03\x00\x00\x50", 7 },          /* empty hostname */
    { "\x05\x01\x00\x03\x03" "a c\x00\x50", 10 },   /* space in hostname */
    { "\x05\x01\x00\x03\x03" "a\x00" "c\x00\x50", 10 }, /* NUL in hostname (tor waits) */
    { "\x04\x01\x00\x03\x03" "abc\x00\x50", 10 },   /* version 4 after SOCKS5 methods (tor waits) */
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    socks_parser_clear(&P);
    evbuffer_drain(B, buflen());
    negotiate_no_auth();
    add(bad[i].b, bad[i].n);
    ck_assert_int_eq(socks_parse(&P, B), PARSE_INVALID);
    ck_reply("\x05\x01\x00\x01\x00\x00\x00\x00\x00\x00");
    ck_assert_uint_eq(buflen(), bad[i].n);
  }
}
END_TEST

START_TEST(test_socks5_longest_hostname)
{
  uint8_t m[4 + 1 + 255 + 2];
  memcpy(m, "\x05\x01\x00\x03\xff", 5);
  for (int i = 0; i < 255; i++)
    m[5 + i] = (i % 64 == 63) ? '.' : 'a';
  m[260] = 0x01;
  m[261] = 0xbb;
  negotiate_no_auth();
  add(m, sizeof(m));
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  ck_assert_uint_eq(strlen(P.req.host), 255);
  ck_assert_uint_eq(P.req.port, 443);
}
END_TEST

/* [tor] truncated: every strict prefix of a valid message is NEED_MORE and
 * leaves the buffer alone. */
START_TEST(test_truncated)
{
  enum { NONE, AUTH, ALL };
  static const struct { int setup; const char *body; size_t len; } cmds[] = {
    { NONE, "\x04\x01\x05\x05\x01\x02\x03\x04\x00", 9 },
    { NONE, "\x04\x01\x05\x05\x01\x02\x03\x04hello\x00", 14 },
    { NONE, "\x04\x01\x09\x09\x00\x00\x00\x01\x00www.example.com\x00", 25 },
    { NONE, "\x04\x01\x09\x09\x00\x00\x00\x01hi\x00www.example.com\x00", 27 },
    { NONE, "\x05\x00", 2 },
    { NONE, "\x05\x03\x99\x21\x10", 5 },
    { AUTH, "\x01\x00\x00", 3 },
    { AUTH, "\x01\x01x\x01y", 5 },
    { ALL, "\x05\x01\x00\x01\x01\x02\x03\x04\x20\x20", 10 },
    { ALL, "\x05\x01\x00\x04"
      "\x49\x20\x48\x41\x5a\x20\x45\x41\x53\x54\x45\x52\x20\x45\x47\x47"
      "\x20\x20", 22 },
    { ALL, "\x05\x01\x00\x03" "\x00" "\x00\x50", 7 },
    { ALL, "\x05\x01\x00\x03" "\x11" "onion.example.com" "\x00\x50", 24 },
  };
  for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
    for (size_t j = 0; j < cmds[i].len; j++) {
      socks_parser_clear(&P);
      evbuffer_drain(B, buflen());
      if (cmds[i].setup == AUTH) {
        ADD("\x05\x01\x02");
        ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
      } else if (cmds[i].setup == ALL) {
        negotiate_no_auth();
      }
      add(cmds[i].body, j);
      ck_assert_int_eq(socks_parse(&P, B), PARSE_NEED_MORE);
      ck_assert_uint_eq(buflen(), j);
      ck_assert_uint_eq(P.reply_len, 0);
    }
  }
  /* the 255/255 RFC 1929 message, one byte short */
  uint8_t m[513];
  m[0] = 1;
  m[1] = 255;
  memset(m + 2, 'u', 255);
  m[257] = 255;
  memset(m + 258, 'p', 255);
  socks_parser_clear(&P);
  evbuffer_drain(B, buflen());
  ADD("\x05\x01\x02");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  add(m, 512);
  ck_assert_int_eq(socks_parse(&P, B), PARSE_NEED_MORE);
  ck_assert_uint_eq(buflen(), 512);
  add(m + 512, 1);
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  ck_assert_uint_eq(P.req.username_len, 255);
  ck_assert_uint_eq(P.req.password_len, 255);
  ck_assert_uint_eq(buflen(), 0);
}
END_TEST

/* A whole SOCKS5 exchange fed one byte at a time gives the same request. */
START_TEST(test_byte_at_a_time)
{
  static const char stream[] = "\x05\x02\x00\x02" "\x01\x04user\x04pass"
    "\x05\x01\x00\x03\x0b" "example.com\x01\xbb";
  size_t n = sizeof(stream) - 1, fed = 0;
  int replies = 0;
  while (!socks_parser_is_done(&P)) {
    ck_assert_uint_lt(fed, n);
    add(stream + fed++, 1);
    size_t before = buflen();
    parse_result_t r = socks_parse(&P, B);
    ck_assert_int_ne(r, PARSE_INVALID);
    if (r == PARSE_NEED_MORE)
      ck_assert_uint_eq(buflen(), before);
    else
      replies += P.reply_len > 0;
  }
  ck_assert_uint_eq(fed, n);
  ck_assert_int_eq(replies, 2);
  ck_assert_str_eq(P.req.host, "example.com");
  ck_assert_uint_eq(P.req.port, 443);
  ck_assert_mem_eq(P.req.username, "user", 4);
  ck_assert_mem_eq(P.req.password, "pass", 4);
}
END_TEST

START_TEST(test_http_and_unknown) /* [tor] wrong_protocol */
{
  static const char *http[] = { "GET /index.html HTTP/1.0", "POST / HTTP/1.1\r\n",
    "HEAD / HTTP/1.1\r\n", "CONNECT example.com:443 HTTP/1.1\r\n", "PUT / HTTP/1.1\r\n" };
  for (size_t i = 0; i < sizeof(http) / sizeof(http[0]); i++) {
    socks_parser_clear(&P);
    evbuffer_drain(B, buflen());
    add(http[i], strlen(http[i]));
    ck_assert_int_eq(socks_parse(&P, B), PARSE_INVALID);
    size_t len;
    const char *page = socks_http_error_page(&len);
    ck_assert_uint_eq(P.reply_len, len);
    ck_assert_ptr_eq(P.reply, (const uint8_t *)page);
    ck_assert_int_eq(strncmp(page, "HTTP/1.0 501 ", 13), 0);
    ck_assert_ptr_nonnull(strstr(page, "\r\n\r\n"));
  }
  /* [tor 0.4.9.11] closes without a word */
  socks_parser_clear(&P);
  evbuffer_drain(B, buflen());
  ADD("\x06\x01");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_INVALID);
  ck_assert_uint_eq(P.reply_len, 0);
  /* nothing at all yet */
  socks_parser_clear(&P);
  evbuffer_drain(B, buflen());
  ck_assert_int_eq(socks_parse(&P, B), PARSE_NEED_MORE);
}
END_TEST

START_TEST(test_host_is_valid)
{
  static const struct { const char *s; int ok; } t[] = {
    { "example.com", 1 }, { "example.com.", 1 }, { "a-b_c.d", 1 }, { "1.2.3.4", 1 },
    { "::1", 1 }, { "[::1]", 1 }, { "2001:db8::1", 1 }, { "x", 1 }, { "1.2.3.999", 1 },
    { "", 0 }, { ".", 0 }, { "..", 0 }, { "a..b", 0 }, { ".a", 0 }, { "a.com..", 0 },
    { "-a.com", 0 }, { "a.-b", 0 }, { "_a", 0 }, { "a b", 0 }, { "a:b", 0 }, { "[a]", 0 },
    { "[1.2.3.4]", 0 }, { "\"\"\"\"\".com", 0 }, { "caf\xc3\xa9.fr", 0 },
  };
  for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
    ck_assert_msg(socks_host_is_valid(t[i].s) == t[i].ok, "host %s", t[i].s);
  ck_assert_int_eq(socks_host_is_valid(NULL), 0);
}
END_TEST

/* ---- replies ---- */

START_TEST(test_reply_encode)
{
  uint8_t out[SOCKS_REPLY_MAX];
  netaddr_t a4, a6;
  netaddr_set_ipv4(&a4, (const uint8_t *)"\x0a\x00\x00\x01");
  netaddr_set_ipv6(&a6, (const uint8_t *)"\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01");
  ck_assert_int_eq(socks_reply_encode(out, sizeof(out), 5, SOCKS5_REP_SUCCEEDED, NULL, 0), 10);
  ck_assert_mem_eq(out, "\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10);
  ck_assert_int_eq(socks_reply_encode(out, sizeof(out), 5, SOCKS5_REP_SUCCEEDED, &a4, 8080), 10);
  ck_assert_mem_eq(out, "\x05\x00\x00\x01\x0a\x00\x00\x01\x1f\x90", 10);
  ck_assert_int_eq(socks_reply_encode(out, sizeof(out), 5, SOCKS5_REP_CONN_REFUSED, &a6, 1), 22);
  ck_assert_mem_eq(out, "\x05\x05\x00\x04\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01\x00\x01",
                   22);
  ck_assert_int_eq(socks_reply_encode(out, sizeof(out), 4, SOCKS5_REP_SUCCEEDED, NULL, 0), 8);
  ck_assert_mem_eq(out, "\x00\x5A\x00\x00\x00\x00\x00\x00", 8);
  ck_assert_int_eq(socks_reply_encode(out, sizeof(out), 4, SOCKS5_REP_SUCCEEDED, &a4, 80), 8);
  ck_assert_mem_eq(out, "\x00\x5A\x00\x50\x0a\x00\x00\x01", 8);
  ck_assert_int_eq(socks_reply_encode(out, sizeof(out), 4, SOCKS5_REP_TTL_EXPIRED, &a4, 80), 8);
  ck_assert_uint_eq(out[1], 0x5B);
  ck_assert_int_eq(socks_reply_encode(out, 9, 5, SOCKS5_REP_SUCCEEDED, NULL, 0), -1);
  ck_assert_int_eq(socks_reply_encode(out, 21, 5, SOCKS5_REP_SUCCEEDED, &a6, 0), -1);
  ck_assert_int_eq(socks_reply_encode(out, 7, 4, SOCKS5_REP_SUCCEEDED, NULL, 0), -1);
  ck_assert_int_eq(socks_reply_encode(out, sizeof(out), 6, SOCKS5_REP_SUCCEEDED, NULL, 0), -1);
}
END_TEST

START_TEST(test_reply_resolved)
{
  uint8_t out[SOCKS_REPLY_MAX];
  const uint8_t v4[4] = { 1, 2, 3, 4 };
  const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 9 };
  ck_assert_int_eq(socks_reply_encode_resolved(out, sizeof(out), 5, RESOLVED_TYPE_IPV4, v4, 4), 10);
  ck_assert_mem_eq(out, "\x05\x00\x00\x01\x01\x02\x03\x04\x00\x00", 10);
  ck_assert_int_eq(socks_reply_encode_resolved(out, sizeof(out), 4, RESOLVED_TYPE_IPV4, v4, 4), 8);
  ck_assert_mem_eq(out, "\x00\x5A\x00\x00\x01\x02\x03\x04", 8);
  ck_assert_int_eq(socks_reply_encode_resolved(out, sizeof(out), 5, RESOLVED_TYPE_IPV6, v6, 16),
                   22);
  ck_assert_mem_eq(out, "\x05\x00\x00\x04\x20\x01\x0d\xb8", 8);
  ck_assert_uint_eq(out[19], 9);
  ck_assert_int_eq(socks_reply_encode_resolved(out, sizeof(out), 4, RESOLVED_TYPE_IPV6, v6, 16),
                   8);
  ck_assert_mem_eq(out, "\x00\x5B\x00\x00\x00\x00\x00\x00", 8);
  ck_assert_int_eq(socks_reply_encode_resolved(out, sizeof(out), 5, RESOLVED_TYPE_HOSTNAME,
                                               (const uint8_t *)"a.example", 9), 16);
  ck_assert_mem_eq(out, "\x05\x00\x00\x03\x09" "a.example" "\x00\x00", 16);
  ck_assert_int_eq(socks_reply_encode_resolved(out, sizeof(out), 5, RESOLVED_TYPE_ERROR,
                                               (const uint8_t *)"x", 1), 10);
  ck_assert_mem_eq(out, "\x05\x04\x00\x01\x00\x00\x00\x00\x00\x00", 10);
  ck_assert_int_eq(socks_reply_encode_resolved(out, sizeof(out), 5, RESOLVED_TYPE_IPV4, v4, 3),
                   10);
  ck_assert_uint_eq(out[1], SOCKS5_REP_HOST_UNREACHABLE);
  ck_assert_int_eq(socks_reply_encode_resolved(out, sizeof(out), 4, RESOLVED_TYPE_ERROR_TRANSIENT,
                                               NULL, 0), 8);
  ck_assert_uint_eq(out[1], 0x5B);
  uint8_t big[255];
  memset(big, 'h', sizeof(big));
  ck_assert_int_eq(socks_reply_encode_resolved(out, sizeof(out), 5, RESOLVED_TYPE_HOSTNAME,
                                               big, 255), 262);
  ck_assert_int_eq(socks_reply_encode_resolved(out, 261, 5, RESOLVED_TYPE_HOSTNAME, big, 255), -1);
}
END_TEST

START_TEST(test_end_reason_map) /* tor's reasons.c, stream_end_reason_to_socks5_response */
{
  static const struct { int reason; socks5_rep_t rep; } t[] = {
    { 0, 0x00 }, { END_REASON_MISC, 0x01 }, { END_REASON_RESOLVEFAILED, 0x04 },
    { END_REASON_CONNECTREFUSED, 0x05 }, { END_REASON_EXITPOLICY, 0x02 },
    { END_REASON_DESTROY, 0x01 }, { END_REASON_DONE, 0x05 }, { END_REASON_TIMEOUT, 0x06 },
    { END_REASON_NOROUTE, 0x04 }, { END_REASON_HIBERNATING, 0x01 },
    { END_REASON_INTERNAL, 0x01 }, { END_REASON_RESOURCELIMIT, 0x01 },
    { END_REASON_CONNRESET, 0x05 }, { END_REASON_TORPROTOCOL, 0x01 },
    { END_REASON_NOTDIRECTORY, 0x01 }, { 200, 0x01 }, { -1, 0x01 },
  };
  for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
    ck_assert_msg(socks_reply_from_end_reason(t[i].reason) == t[i].rep, "reason %d", t[i].reason);
}
END_TEST

START_TEST(test_state_names)
{
  ck_assert_str_eq(socks_state_to_string(SOCKS_STATE_START), "start");
  ck_assert_str_eq(socks_state_to_string(SOCKS_STATE_WANT_AUTH), "want_auth");
  ck_assert_str_eq(socks_state_to_string(SOCKS_STATE_WANT_REQUEST), "want_request");
  ck_assert_str_eq(socks_state_to_string(SOCKS_STATE_DONE), "done");
  ck_assert_str_eq(socks_state_to_string(SOCKS_STATE_FAILED), "failed");
}
END_TEST

START_TEST(test_clear_wipes_credentials)
{
  socks_parser_init(&P, 1);
  ADD("\x05\x01\x02\x01\x02me\x02pw");
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  ck_assert_int_eq(socks_parse(&P, B), PARSE_DONE);
  ck_assert_uint_eq(P.req.password_len, 2);
  socks_parser_clear(&P);
  ck_assert_uint_eq(P.req.password_len, 0);
  ck_assert_uint_eq(P.req.password[0], 0);
  ck_assert_uint_eq(P.req.username[0], 0);
  ck_assert_int_eq(P.prefer_no_auth, 1);
  ck_assert_int_eq(P.state, SOCKS_STATE_START);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("proto_socks");
  const testutil_case_t cases[] = {
    { "socks4_supported", test_socks4_supported, 10 },
    { "socks4a_connect_keeps_optimistic_data", test_socks4a_connect_keeps_optimistic_data, 10 },
    { "socks4_refused", test_socks4_refused, 10 },
    { "socks4_resolve_port_zero_ok", test_socks4_resolve_port_zero_ok, 10 },
    { "socks4_caps", test_socks4_caps, 10 },
    { "socks5_unsupported_commands", test_socks5_unsupported_commands, 10 },
    { "socks5_supported_commands", test_socks5_supported_commands, 10 },
    { "socks5_no_authenticate_then_auth_anyway", test_socks5_no_authenticate_then_auth_anyway,
      10 },
    { "socks5_authenticate", test_socks5_authenticate, 10 },
    { "socks5_authenticate_empty", test_socks5_authenticate_empty, 10 },
    { "socks5_authenticate_with_data", test_socks5_authenticate_with_data, 10 },
    { "socks5_method_choice", test_socks5_method_choice, 10 },
    { "socks5_auth_unsupported_type", test_socks5_auth_unsupported_type, 10 },
    { "socks5_auth_unsupported_version", test_socks5_auth_unsupported_version, 10 },
    { "socks5_auth_before_negotiation", test_socks5_auth_before_negotiation, 10 },
    { "socks5_prop351_usernames", test_socks5_prop351_usernames, 10 },
    { "socks5_malformed_commands", test_socks5_malformed_commands, 10 },
    { "socks5_bad_requests", test_socks5_bad_requests, 10 },
    { "socks5_longest_hostname", test_socks5_longest_hostname, 10 },
    { "truncated", test_truncated, 10 },
    { "byte_at_a_time", test_byte_at_a_time, 10 },
    { "http_and_unknown", test_http_and_unknown, 10 },
    { "host_is_valid", test_host_is_valid, 10 },
    { "reply_encode", test_reply_encode, 10 },
    { "reply_resolved", test_reply_resolved, 10 },
    { "end_reason_map", test_end_reason_map, 10 },
    { "state_names", test_state_names, 10 },
    { "clear_wipes_credentials", test_clear_wipes_credentials, 10 },
  };
  testutil_add_cases(s, cases, sizeof(cases) / sizeof(cases[0]), setup, teardown);
  return s;
}
