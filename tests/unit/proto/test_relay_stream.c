/* test_relay_stream.c — BEGIN, CONNECTED, END, RESOLVE, RESOLVED bodies and
 * netaddr: tor's test_cell_formats.c and arti's testvec_relaymsg.rs
 * encodings, round trips, truncations and bad inputs. */
#include <string.h>

#include "proto/relay_stream.h"
#include "proto_vec.h"

static vec_t v;
static uint8_t out[RELAY_BODY_MAX_LEN];

static void
expect_begin(const char *file, const char *name, const char *host, unsigned port, uint32_t flags)
{
  begin_cell_t b;
  vec_load(&v, file, name);
  ck_assert_msg(begin_cell_parse(&b, v.b, v.len) == 0, "%s", name);
  ck_assert_str_eq(b.host, host);
  ck_assert_uint_eq(b.port, port);
  ck_assert_uint_eq(b.flags, flags);
}

START_TEST(test_begin_vectors)
{
  expect_begin("torvec_relay.txt", "begin_short", "a.b", 9, 0);
  expect_begin("torvec_relay.txt", "begin_long", "here-is-a-nice-long.hostname.com", 65535, 0);
  expect_begin("torvec_relay.txt", "begin_v4", "18.9.22.169", 80, 0);
  expect_begin("torvec_relay.txt", "begin_v6", "2620::6b0:b:1a1a:0:26e5:480e", 80, 0);
  expect_begin("torvec_relay.txt", "begin_junk", "another.example.com", 80, 0);
  expect_begin("torvec_relay.txt", "begin_flags", "another.example.com", 443, 0x01020304);
  expect_begin("torvec_relay.txt", "begin_flags_cruft", "a-further.example.com", 22, 0xeeaa00ff);
  const char *bad[] = { "begin_bad_empty", "begin_bad_nocolon", "begin_bad_noport",
                        "begin_bad_xyz", "begin_bad_100000", "begin_bad_nonul" };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    begin_cell_t b;
    vec_load(&v, "torvec_relay.txt", bad[i]);
    ck_assert_msg(begin_cell_parse(&b, v.b, v.len) == -1, "%s", bad[i]);
  }
  /* arti: exact re-encodings. */
  const char *arti[] = { "begin_ipv4", "begin_flags", "begin_ipv6" };
  for (size_t i = 0; i < 3; i++) {
    begin_cell_t b;
    vec_load(&v, "relaymsg.txt", arti[i]);
    ck_assert_int_eq(begin_cell_parse(&b, v.b, v.len), 0);
    ck_assert_int_eq(begin_cell_encode(&b, out, sizeof(out)), (int)v.len);
    ck_assert_mem_eq(out, v.b, v.len);
  }
  expect_begin("relaymsg.txt", "begin_flags", "www.xkcd.com", 443, 3);
  expect_begin("relaymsg.txt", "begin_ipv6", "2001:db8::1", 22, 0);
  begin_cell_t b;
  vec_load(&v, "relaymsg.txt", "begin_noport_hand");
  ck_assert_int_eq(begin_cell_parse(&b, v.b, v.len), -1);
  vec_load(&v, "relaymsg.txt", "begin_nonascii_hand");
  ck_assert_int_eq(begin_cell_parse(&b, v.b, v.len), -1);
}
END_TEST

static int
begin_str(const char *s)
{
  begin_cell_t b;
  return begin_cell_parse(&b, (const uint8_t *)s, strlen(s) + 1);
}

START_TEST(test_begin_bad)
{
  ck_assert_int_eq(begin_str("a.b:0"), -1);         /* port 0 */
  ck_assert_int_eq(begin_str("a.b:65536"), -1);
  ck_assert_int_eq(begin_str(":80"), -1);           /* empty host */
  ck_assert_int_eq(begin_str("[]:80"), -1);
  ck_assert_int_eq(begin_str("::1:80"), -1);        /* IPv6 without brackets */
  ck_assert_int_eq(begin_str("[::1:80"), -1);
  ck_assert_int_eq(begin_str("a b:80"), -1);        /* space */
  ck_assert_int_eq(begin_str("a.b:+80"), -1);
  ck_assert_int_eq(begin_str("a.b:-1"), -1);
  ck_assert_int_eq(begin_str("a.b: 80"), -1);
  ck_assert_int_eq(begin_str("a.b:65535"), 0);
  ck_assert_int_eq(begin_str("a.b:1"), 0);
  ck_assert_int_eq(begin_str("[::1]:1"), 0);
  /* Every truncation of a good cell fails (the NUL goes first). */
  const char *good = "www.example.com:443";
  for (size_t k = 0; k <= strlen(good); k++) {
    begin_cell_t b;
    ck_assert_int_eq(begin_cell_parse(&b, (const uint8_t *)good, k), -1);
  }
  /* A host that cannot fit in a relay body is refused even if the caller
   * passes more than 498 bytes. */
  static uint8_t longb[700];
  memset(longb, 'a', sizeof(longb));
  memcpy(longb + 600, ":80", 4);
  {
    begin_cell_t b;
    ck_assert_int_eq(begin_cell_parse(&b, longb, sizeof(longb)), -1);
    memcpy(longb + 497, ":80", 4);    /* 497-byte host: the largest */
    ck_assert_int_eq(begin_cell_parse(&b, longb, sizeof(longb)), 0);
    ck_assert_uint_eq(strlen(b.host), 497);
  }
  /* Encoder refusals. */
  begin_cell_t b;
  memset(&b, 0, sizeof(b));
  b.port = 80;
  ck_assert_int_eq(begin_cell_encode(&b, out, sizeof(out)), -1);   /* empty host */
  strcpy(b.host, "x.y");
  b.port = 0;
  ck_assert_int_eq(begin_cell_encode(&b, out, sizeof(out)), -1);
  b.port = 80;
  ck_assert_int_eq(begin_cell_encode(&b, out, 6), -1);              /* "x.y:80\0" is 7 */
  ck_assert_int_eq(begin_cell_encode(&b, out, 7), 7);
  strcpy(b.host, "bad host");
  ck_assert_int_eq(begin_cell_encode(&b, out, sizeof(out)), -1);
}
END_TEST

START_TEST(test_connected)
{
  connected_cell_t c;
  char buf[64];
  vec_load(&v, "torvec_relay.txt", "connected_empty");
  ck_assert_int_eq(connected_cell_parse(&c, v.b, v.len), 0);
  ck_assert_int_eq(c.addr.family, NETADDR_NONE);
  ck_assert_int_eq(c.has_ttl, 0);
  vec_load(&v, "torvec_relay.txt", "connected_v4_only");
  ck_assert_int_eq(connected_cell_parse(&c, v.b, v.len), 0);
  ck_assert_str_eq(netaddr_format(&c.addr, buf, sizeof(buf)), "32.48.64.80");
  ck_assert_int_eq(c.has_ttl, 0);
  vec_load(&v, "torvec_relay.txt", "connected_v4_truncttl");
  ck_assert_int_eq(connected_cell_parse(&c, v.b, v.len), 0);
  ck_assert_str_eq(netaddr_format(&c.addr, buf, sizeof(buf)), "17.18.19.20");
  ck_assert_int_eq(c.has_ttl, 0);
  vec_load(&v, "torvec_relay.txt", "connected_v4_ttl");
  ck_assert_int_eq(connected_cell_parse(&c, v.b, v.len), 0);
  ck_assert_str_eq(netaddr_format(&c.addr, buf, sizeof(buf)), "2.3.4.5");
  ck_assert_uint_eq(c.ttl, 3600);
  vec_load(&v, "torvec_relay.txt", "connected_v6");
  ck_assert_int_eq(connected_cell_parse(&c, v.b, v.len), 0);
  ck_assert_str_eq(netaddr_format(&c.addr, buf, sizeof(buf)), "2607:f8b0:400c:c02::68");
  ck_assert_uint_eq(c.ttl, 600);
  const char *bad[] = { "connected_bad3", "connected_bad_family7", "connected_bad_trunc_v6" };
  for (int i = 0; i < 3; i++) {
    vec_load(&v, "torvec_relay.txt", bad[i]);
    ck_assert_msg(connected_cell_parse(&c, v.b, v.len) == -1, "%s", bad[i]);
  }
  /* tor's formatted outputs (connected_cell_format_payload). */
  memset(&c, 0, sizeof(c));
  ck_assert_int_eq(netaddr_parse(&c.addr, "30.40.50.60"), 0);
  c.has_ttl = 1;
  c.ttl = 128;
  vec_load(&v, "torvec_relay.txt", "connected_fmt_v4");
  ck_assert_int_eq(connected_cell_encode(&c, out, sizeof(out)), 8);
  ck_assert_mem_eq(out, v.b, 8);
  ck_assert_int_eq(netaddr_parse(&c.addr, "2620::6b0:b:1a1a:0:26e5:480e"), 0);
  c.ttl = 3600;
  vec_load(&v, "torvec_relay.txt", "connected_fmt_v6");
  ck_assert_int_eq(connected_cell_encode(&c, out, sizeof(out)), 25);
  ck_assert_mem_eq(out, v.b, 25);
  for (size_t k = 1; k < 25; k++)
    ck_assert_int_eq(connected_cell_parse(&c, v.b, k), -1);
  /* arti's encodings round-trip exactly. */
  const char *arti[] = { "connected_empty", "connected_ipv4", "connected_ipv6_hand" };
  for (int i = 0; i < 3; i++) {
    vec_load(&v, "relaymsg.txt", arti[i]);
    ck_assert_int_eq(connected_cell_parse(&c, v.b, v.len), 0);
    ck_assert_int_eq(connected_cell_encode(&c, out, sizeof(out)), (int)v.len);
    if (v.len)
      ck_assert_mem_eq(out, v.b, v.len);
  }
  vec_load(&v, "relaymsg.txt", "connected_badtype_hand");
  ck_assert_int_eq(connected_cell_parse(&c, v.b, v.len), -1);
}
END_TEST

START_TEST(test_end)
{
  end_cell_t e;
  char buf[64];
  vec_load(&v, "relaymsg.txt", "end_misc");
  ck_assert_int_eq(end_cell_parse(&e, v.b, v.len), 0);
  ck_assert_uint_eq(e.reason, END_REASON_MISC);
  vec_load(&v, "relaymsg.txt", "end_done");
  ck_assert_int_eq(end_cell_parse(&e, v.b, v.len), 0);
  ck_assert_uint_eq(e.reason, END_REASON_DONE);
  ck_assert_int_eq(end_cell_encode(&e, out, sizeof(out)), 1);
  ck_assert_uint_eq(out[0], 6);
  vec_load(&v, "relaymsg.txt", "end_empty_hand");
  ck_assert_int_eq(end_cell_parse(&e, v.b, v.len), 0);
  ck_assert_uint_eq(e.reason, END_REASON_MISC);
  vec_load(&v, "relaymsg.txt", "end_exitpolicy_v4_hand");
  ck_assert_int_eq(end_cell_parse(&e, v.b, v.len), 0);
  ck_assert_uint_eq(e.reason, END_REASON_EXITPOLICY);
  ck_assert_str_eq(netaddr_format(&e.addr, buf, sizeof(buf)), "127.0.0.7");
  ck_assert(e.has_ttl);
  ck_assert_uint_eq(e.ttl, 256);
  ck_assert_int_eq(end_cell_encode(&e, out, sizeof(out)), (int)v.len);
  ck_assert_mem_eq(out, v.b, v.len);
  vec_load(&v, "relaymsg.txt", "end_exitpolicy_v6_hand");
  ck_assert_int_eq(end_cell_parse(&e, v.b, v.len), 0);
  ck_assert_str_eq(netaddr_format(&e.addr, buf, sizeof(buf)), "2001:db8::f00b");
  ck_assert_uint_eq(e.ttl, 512);
  ck_assert_int_eq(end_cell_encode(&e, out, sizeof(out)), (int)v.len);
  ck_assert_mem_eq(out, v.b, v.len);
  vec_load(&v, "relaymsg.txt", "end_exitpolicy_nottl_hand");
  ck_assert_int_eq(end_cell_parse(&e, v.b, v.len), 0);
  ck_assert_str_eq(netaddr_format(&e.addr, buf, sizeof(buf)), "127.0.0.7");
  ck_assert(!e.has_ttl);
  ck_assert_int_eq(end_cell_encode(&e, out, sizeof(out)), 5);
  ck_assert_mem_eq(out, v.b, 5);
  /* An EXITPOLICY END of an odd length carries no address; other reasons ignore extra bytes. */
  const uint8_t odd[] = { 4, 1, 2, 3 };
  ck_assert_int_eq(end_cell_parse(&e, odd, sizeof(odd)), 0);
  ck_assert_int_eq(e.addr.family, NETADDR_NONE);
  const uint8_t done_extra[] = { 6, 1, 2, 3, 4 };
  ck_assert_int_eq(end_cell_parse(&e, done_extra, sizeof(done_extra)), 0);
  ck_assert_int_eq(e.addr.family, NETADDR_NONE);
  ck_assert_int_eq(end_cell_encode(&e, out, sizeof(out)), 1);
  /* Reason names, tor-spec §6.3. */
  const char *names[] = { "MISC", "RESOLVEFAILED", "CONNECTREFUSED", "EXITPOLICY", "DESTROY",
                          "DONE", "TIMEOUT", "NOROUTE", "HIBERNATING", "INTERNAL",
                          "RESOURCELIMIT", "CONNRESET", "TORPROTOCOL", "NOTDIRECTORY" };
  for (int i = 1; i <= 14; i++)
    ck_assert_str_eq(end_reason_to_string((uint8_t)i), names[i - 1]);
  ck_assert_str_eq(end_reason_to_string(0), "UNKNOWN");
  ck_assert_str_eq(end_reason_to_string(15), "UNKNOWN");
}
END_TEST

START_TEST(test_resolve)
{
  resolve_cell_t r;
  vec_load(&v, "relaymsg.txt", "resolve_hand");
  ck_assert_int_eq(resolve_cell_parse(&r, v.b, v.len), 0);
  ck_assert_str_eq(r.name, "www.torproject.org");
  ck_assert_int_eq(resolve_cell_encode(r.name, out, sizeof(out)), (int)v.len);
  ck_assert_mem_eq(out, v.b, v.len);
  for (size_t k = 0; k < v.len; k++)
    ck_assert_int_eq(resolve_cell_parse(&r, v.b, k), -1);
  vec_load(&v, "relaymsg.txt", "resolve_reverse_hand");
  ck_assert_int_eq(resolve_cell_parse(&r, v.b, v.len), 0);
  ck_assert_str_eq(r.name, "1.0.0.127.in-addr.arpa");
  ck_assert_int_eq(resolve_cell_parse(&r, (const uint8_t *)"\0", 1), -1);
  ck_assert_int_eq(resolve_cell_encode("", out, sizeof(out)), -1);
  ck_assert_int_eq(resolve_cell_encode("abc", out, 3), -1);
}
END_TEST

START_TEST(test_resolved_tor)
{
  static resolved_cell_t r;
  char buf[64];
  vec_load(&v, "torvec_relay.txt", "resolved_v4");
  ck_assert_int_eq(resolved_cell_parse(&r, v.b, v.len), 0);
  ck_assert_uint_eq(r.n_answers, 1);
  ck_assert_str_eq(netaddr_format(&r.answers[0].addr, buf, sizeof(buf)), "127.0.2.10");
  ck_assert_uint_eq(r.answers[0].ttl, 256);
  vec_load(&v, "torvec_relay.txt", "resolved_v6");
  ck_assert_int_eq(resolved_cell_parse(&r, v.b, v.len), 0);
  ck_assert_str_eq(netaddr_format(&r.answers[0].addr, buf, sizeof(buf)), "2002:9090::f0f0:abcd");
  ck_assert_uint_eq(r.answers[0].ttl, 0x2000001);
  vec_load(&v, "torvec_relay.txt", "resolved_hostname");
  ck_assert_int_eq(resolved_cell_parse(&r, v.b, v.len), 0);
  ck_assert_uint_eq(r.answers[0].type, RESOLVED_TYPE_HOSTNAME);
  ck_assert_uint_eq(r.answers[0].len, 17);
  ck_assert_mem_eq(r.answers[0].value, "motherbrain.zebes", 17);
  vec_load(&v, "torvec_relay.txt", "resolved_longname");
  ck_assert_int_eq(resolved_cell_parse(&r, v.b, v.len), 0);
  ck_assert_uint_eq(r.answers[0].len, 255);
  ck_assert_uint_eq(r.answers[0].ttl, 65536);
  vec_load(&v, "torvec_relay.txt", "resolved_err_transient");
  ck_assert_int_eq(resolved_cell_parse(&r, v.b, v.len), 0);
  ck_assert_uint_eq(r.n_answers, 1);
  ck_assert_uint_eq(r.answers[0].type, RESOLVED_TYPE_ERROR_TRANSIENT);
  vec_load(&v, "torvec_relay.txt", "resolved_err");
  ck_assert_int_eq(resolved_cell_parse(&r, v.b, v.len), 0);
  ck_assert_uint_eq(r.answers[0].type, RESOLVED_TYPE_ERROR);
  vec_load(&v, "torvec_relay.txt", "resolved_unrecognized");
  ck_assert_int_eq(resolved_cell_parse(&r, v.b, v.len), 0);
  ck_assert_uint_eq(r.n_answers, 0);
  ck_assert_uint_eq(r.n_skipped, 1);
  vec_load(&v, "torvec_relay.txt", "resolved_one_of_each");
  ck_assert_int_eq(resolved_cell_parse(&r, v.b, v.len), 0);
  ck_assert_uint_eq(r.n_answers, 4);    /* error, IPv6, IPv4, hostname */
  ck_assert_uint_eq(r.n_skipped, 1);
  ck_assert_uint_eq(r.answers[0].type, RESOLVED_TYPE_ERROR_TRANSIENT);
  ck_assert_uint_eq(r.answers[1].type, RESOLVED_TYPE_IPV6);
  ck_assert_uint_eq(r.answers[2].type, RESOLVED_TYPE_IPV4);
  ck_assert_uint_eq(r.answers[3].type, RESOLVED_TYPE_HOSTNAME);
  vec_load(&v, "torvec_relay.txt", "resolved_several");
  ck_assert_int_eq(resolved_cell_parse(&r, v.b, v.len), 0);
  ck_assert_uint_eq(r.n_answers, 5);
  ck_assert_str_eq(netaddr_format(&r.answers[1].addr, buf, sizeof(buf)), "8.8.8.8");
  ck_assert_uint_eq(r.answers[2].ttl, 131071);
  ck_assert_str_eq(netaddr_format(&r.answers[3].addr, buf, sizeof(buf)), "2002:9000::cafe:f00d");
  ck_assert_str_eq(netaddr_format(&r.answers[4].addr, buf, sizeof(buf)), "2002:9001::fa:cade");
  ck_assert_int_eq(resolved_cell_encode(&r, out, sizeof(out)), (int)v.len);
  ck_assert_mem_eq(out, v.b, v.len);
  vec_load(&v, "torvec_relay.txt", "resolved_full");
  ck_assert_uint_eq(v.len, RELAY_BODY_MAX_LEN);
  ck_assert_int_eq(resolved_cell_parse(&r, v.b, v.len), 0);
  ck_assert_uint_eq(r.n_answers, 2);
  ck_assert_uint_eq(r.answers[1].len, 231);
  ck_assert_int_eq(resolved_cell_encode(&r, out, sizeof(out)), (int)v.len);
  ck_assert_mem_eq(out, v.b, v.len);
  /* Every strict prefix cuts an answer, except the one ending after the
   * first answer (2 + 255 + 4 = 261 bytes). */
  for (size_t k = 1; k < v.len; k++)
    ck_assert_int_eq(resolved_cell_parse(&r, v.b, k), k == 261 ? 0 : -1);
  const char *bad[] = { "resolved_bad_v4len3", "resolved_bad_v4len5", "resolved_bad_v6len3",
                        "resolved_bad_v6len23", "resolved_bad_v6trunc", "resolved_bad_emptyname",
                        "resolved_bad_trunc1", "resolved_bad_trunc_unknown" };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    vec_load(&v, "torvec_relay.txt", bad[i]);
    ck_assert_msg(resolved_cell_parse(&r, v.b, v.len) == -1, "%s", bad[i]);
    ck_assert_uint_eq(r.n_answers, 0);
  }
}
END_TEST

START_TEST(test_resolved_arti)
{
  static resolved_cell_t r;
  const char *exact[] = { "resolved_empty_hand", "resolved_err_transient_hand", "resolved_err_hand",
                          "resolved_two_v4_hand", "resolved_v6_hand", "resolved_hostname_hand" };
  for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++) {
    vec_load(&v, "relaymsg.txt", exact[i]);
    ck_assert_msg(resolved_cell_parse(&r, v.b, v.len) == 0, "%s", exact[i]);
    ck_assert_int_eq(resolved_cell_encode(&r, out, sizeof(out)), (int)v.len);
    if (v.len)
      ck_assert_mem_eq(out, v.b, v.len);
  }
  vec_load(&v, "relaymsg.txt", "resolved_two_v4_hand");
  ck_assert_int_eq(resolved_cell_parse(&r, v.b, v.len), 0);
  ck_assert_uint_eq(r.answers[1].ttl, 7200);
  vec_load(&v, "relaymsg.txt", "resolved_unknown_hand");
  ck_assert_int_eq(resolved_cell_parse(&r, v.b, v.len), 0);
  ck_assert_uint_eq(r.n_answers, 0);
  ck_assert_uint_eq(r.n_skipped, 1);
  vec_load(&v, "relaymsg.txt", "resolved_badlen_hand");
  ck_assert_int_eq(resolved_cell_parse(&r, v.b, v.len), -1);
}
END_TEST

START_TEST(test_netaddr)
{
  netaddr_t a, b;
  char buf[64];
  ck_assert_int_eq(netaddr_parse(&a, "10.0.0.1"), 0);
  ck_assert_int_eq(a.family, NETADDR_IPV4);
  ck_assert_uint_eq(netaddr_len(&a), 4);
  ck_assert_int_eq(netaddr_parse(&b, "::ffff:10.0.0.1"), 0);
  ck_assert_int_eq(b.family, NETADDR_IPV6);
  ck_assert(!netaddr_eq(&a, &b));
  ck_assert_int_eq(netaddr_parse(&b, "10.0.0.1"), 0);
  ck_assert(netaddr_eq(&a, &b));
  ck_assert_int_eq(netaddr_parse(&b, "10.0.0"), -1);
  ck_assert_int_eq(netaddr_parse(&b, "[::1]"), -1);
  ck_assert_int_eq(netaddr_parse(&b, "example.com"), -1);
  memset(&b, 0, sizeof(b));
  ck_assert_str_eq(netaddr_format(&b, buf, sizeof(buf)), "<none>");
  ck_assert_uint_eq(netaddr_len(&b), 0);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("proto_relay_stream");
  TESTUTIL_ADD(s, test_begin_vectors, 30);
  TESTUTIL_ADD(s, test_begin_bad, 30);
  TESTUTIL_ADD(s, test_connected, 30);
  TESTUTIL_ADD(s, test_end, 30);
  TESTUTIL_ADD(s, test_resolve, 30);
  TESTUTIL_ADD(s, test_resolved_tor, 30);
  TESTUTIL_ADD(s, test_resolved_arti, 30);
  TESTUTIL_ADD(s, test_netaddr, 30);
  return s;
}
