/* test_relay_circ.c — SENDME (v0, v1, unknown versions), EXTEND2 (+ the relay
 * checks), EXTENDED2, TRUNCATED: tor's and arti's encodings, round trips,
 * truncations and bad lengths. */
#include <string.h>

#include "proto/relay_circ.h"
#include "proto_vec.h"

static vec_t v;
static uint8_t out[RELAY_BODY_MAX_LEN];

START_TEST(test_sendme)
{
  sendme_cell_t s;
  vec_load(&v, "relaymsg.txt", "sendme_v0_hand");
  ck_assert_int_eq(sendme_cell_parse(&s, v.b, v.len), 0);
  ck_assert_uint_eq(s.version, 0);
  ck_assert_int_eq(sendme_cell_encode(&s, out, sizeof(out)), 0);
  vec_load(&v, "relaymsg.txt", "sendme_v1_hand");
  ck_assert_int_eq(sendme_cell_parse(&s, v.b, v.len), 0);
  ck_assert_uint_eq(s.version, 1);
  ck_assert_uint_eq(s.data_len, 20);
  ck_assert_mem_eq(s.digest, v.b + 3, 20);
  ck_assert_int_eq(sendme_cell_encode(&s, out, sizeof(out)), 23);
  ck_assert_mem_eq(out, v.b, 23);
  ck_assert_int_eq(sendme_cell_encode(&s, out, 22), -1);
  /* Truncated v1 bodies are invalid (from 1 byte: the version says 1). */
  for (size_t k = 1; k < v.len; k++)
    ck_assert_int_eq(sendme_cell_parse(&s, v.b, k), -1);
  /* DATA_LEN < 20 is invalid; > 20 takes the first 20 bytes. */
  uint8_t b[40];
  memset(b, 0x33, sizeof(b));
  b[0] = 1; b[1] = 0; b[2] = 19;
  ck_assert_int_eq(sendme_cell_parse(&s, b, 3 + 19), -1);
  b[2] = 24;
  ck_assert_int_eq(sendme_cell_parse(&s, b, 3 + 24), 0);
  ck_assert_uint_eq(s.data_len, 24);
  ck_assert_int_eq(sendme_cell_parse(&s, b, 3 + 23), -1);
  /* Version 0 with junk: the rest is ignored. */
  b[0] = 0;
  ck_assert_int_eq(sendme_cell_parse(&s, b, 10), 0);
  ck_assert_uint_eq(s.version, 0);
  /* Unknown versions parse (prop 289: treat as v0); we never emit them. */
  b[0] = 2;
  ck_assert_int_eq(sendme_cell_parse(&s, b, 1), 0);
  ck_assert_uint_eq(s.version, 2);
  ck_assert_int_eq(sendme_cell_encode(&s, out, sizeof(out)), -1);
}
END_TEST

static uint8_t hs[RELAY_BODY_MAX_LEN];

START_TEST(test_extend2_arti)
{
  static extend2_cell_t e;
  char buf[64];
  vec_load(&v, "relaymsg.txt", "extend2");
  ck_assert_int_eq(extend2_cell_parse(&e, v.b, v.len), 0);
  ck_assert_uint_eq(e.n_spec, 2);
  ck_assert_uint_eq(e.specs[0].type, LINKSPEC_IPV4);
  ck_assert_str_eq(netaddr_format(&e.specs[0].addr, buf, sizeof(buf)), "127.0.0.1");
  ck_assert_uint_eq(e.specs[0].port, 5000);
  ck_assert_uint_eq(e.specs[1].type, LINKSPEC_LEGACY_ID);
  ck_assert_uint_eq(e.specs[1].legacy_id[0], 0x03);
  ck_assert_uint_eq(e.specs[1].legacy_id[19], 0x3E);
  ck_assert_uint_eq(e.htype, HANDSHAKE_TYPE_NTOR);
  ck_assert_uint_eq(e.hlen, 84);
  ck_assert_mem_eq(e.hdata, v.b + v.len - 84, 84);
  ck_assert_int_eq(extend2_cell_check(&e), 0);
  ck_assert_int_eq(extend2_cell_encode(&e, out, sizeof(out)), (int)v.len);
  ck_assert_mem_eq(out, v.b, v.len);
  for (size_t k = 0; k < v.len; k++)
    ck_assert_int_eq(extend2_cell_parse(&e, v.b, k), -1);
}
END_TEST

START_TEST(test_extend2_tor)
{
  static extend2_cell_t e;
  char buf[64];
  vec_load(&v, "torvec_relay.txt", "extend2_minimal");
  ck_assert_int_eq(extend2_cell_parse(&e, v.b, v.len), 0);
  ck_assert_str_eq(netaddr_format(&e.specs[0].addr, buf, sizeof(buf)), "18.244.0.1");
  ck_assert_uint_eq(e.specs[0].port, 61681);
  ck_assert_mem_eq(e.specs[1].legacy_id, "anarchoindividualist", 20);
  ck_assert_uint_eq(e.hlen, 84);
  ck_assert_int_eq(extend2_cell_encode(&e, out, sizeof(out)), (int)v.len);
  ck_assert_mem_eq(out, v.b, v.len);

  /* The "fanciful" one: IPv6 and an unknown specifier (type 0xf0), kept
   * opaque and re-encoded in place (tor drops it; we keep it). */
  vec_load(&v, "torvec_relay.txt", "extend2_fanciful");
  ck_assert_int_eq(extend2_cell_parse(&e, v.b, v.len), 0);
  ck_assert_uint_eq(e.n_spec, 4);
  ck_assert_mem_eq(e.specs[1].legacy_id, "anthropomorphization", 20);
  ck_assert_uint_eq(e.specs[2].type, LINKSPEC_IPV6);
  ck_assert_str_eq(netaddr_format(&e.specs[2].addr, buf, sizeof(buf)), "2002::f0:c51e");
  ck_assert_uint_eq(e.specs[2].port, 4370);
  ck_assert_uint_eq(e.specs[3].type, 0xf0);
  ck_assert_uint_eq(e.specs[3].unknown_len, 32);
  ck_assert_mem_eq(e.specs[3].unknown, "upupdowndownleftrightleftrightba", 32);
  ck_assert_uint_eq(e.htype, 0x105);
  ck_assert_uint_eq(e.hlen, 99);
  ck_assert_int_eq(extend2_cell_check(&e), 0);
  ck_assert_int_eq(extend2_cell_encode(&e, out, sizeof(out)), (int)v.len);
  ck_assert_mem_eq(out, v.b, v.len);

  const char *bad[] = { "extend2_bad_toolong_hs", "extend2_bad_v4len7", "extend2_bad_v4len5",
                        "extend2_bad_v6len19", "extend2_bad_v6len17", "extend2_bad_spec_overrun" };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    vec_load(&v, "torvec_relay.txt", bad[i]);
    ck_assert_msg(extend2_cell_parse(&e, v.b, v.len) == -1, "%s", bad[i]);
  }
}
END_TEST

/* Build an EXTEND2 from specifiers; returns the parse of its encoding's check. */
static int
check_specs(const linkspec_t *specs, int n, uint16_t htype)
{
  static extend2_cell_t e;
  memset(&e, 0, sizeof(e));
  e.n_spec = (uint8_t)n;
  for (int i = 0; i < n; i++)
    e.specs[i] = specs[i];
  e.htype = htype;
  e.hlen = 84;
  memset(e.hdata, 7, 84);
  return extend2_cell_check(&e);
}

START_TEST(test_extend2_check)
{
  linkspec_t s[5];
  netaddr_t a;
  uint8_t id[32];
  memset(id, 1, sizeof(id));
  netaddr_parse(&a, "1.2.3.4");
  linkspec_set_addr(&s[0], &a, 9001);
  linkspec_set_legacy_id(&s[1], id);
  linkspec_set_ed25519_id(&s[2], id);
  linkspec_set_legacy_id(&s[3], id);
  linkspec_set_ed25519_id(&s[4], id);
  ck_assert_int_eq(check_specs(s, 3, HANDSHAKE_TYPE_NTOR), 0);
  ck_assert_int_eq(check_specs(s, 2, HANDSHAKE_TYPE_NTOR), 0);          /* no ed: ok */
  ck_assert_int_eq(check_specs(s, 3, HANDSHAKE_TYPE_FAST), -1);         /* CREATE_FAST */
  ck_assert_int_eq(check_specs(s, 4, HANDSHAKE_TYPE_NTOR), -1);         /* two RSA ids */
  ck_assert_int_eq(check_specs(s + 1, 2, HANDSHAKE_TYPE_NTOR), -1);     /* no address */
  ck_assert_int_eq(check_specs(s, 1, HANDSHAKE_TYPE_NTOR), -1);         /* no RSA id */
  linkspec_t t[4] = { s[0], s[1], s[2], s[4] };
  ck_assert_int_eq(check_specs(t, 4, HANDSHAKE_TYPE_NTOR), -1);         /* two ed ids */
}
END_TEST

START_TEST(test_extend2_limits)
{
  static extend2_cell_t e;
  /* More specifiers than we accept. */
  uint8_t b[RELAY_BODY_MAX_LEN];
  memset(b, 0, sizeof(b));
  b[0] = EXTEND2_MAX_LINKSPECS + 1;
  for (int i = 0; i < EXTEND2_MAX_LINKSPECS + 1; i++) {
    b[1 + 2 * i] = 0x77;   /* unknown type, length 0 */
    b[2 + 2 * i] = 0;
  }
  ck_assert_int_eq(extend2_cell_parse(&e, b, sizeof(b)), -1);
  b[0] = EXTEND2_MAX_LINKSPECS;
  ck_assert_int_eq(extend2_cell_parse(&e, b, sizeof(b)), 0);
  ck_assert_uint_eq(e.n_spec, EXTEND2_MAX_LINKSPECS);
  /* A handshake that would not fit in a relay body cannot be encoded. */
  memset(&e, 0, sizeof(e));
  e.hlen = RELAY_BODY_MAX_LEN - 4;   /* 1 + 4 + 494 = 499 > 498 */
  ck_assert_int_eq(extend2_cell_encode(&e, out, sizeof(out)), -1);
  e.hlen = RELAY_BODY_MAX_LEN - 5;
  ck_assert_int_eq(extend2_cell_encode(&e, out, sizeof(out)), RELAY_BODY_MAX_LEN);
  /* Found by fuzz_extend2: given more than a relay body, HLEN over 498 must
   * still be refused, not copied past hdata. */
  static uint8_t longbody[1200];
  memset(longbody, 0, sizeof(longbody));
  longbody[0] = 0;                 /* no specifiers */
  longbody[1] = 0; longbody[2] = 2;
  longbody[3] = 0x02; longbody[4] = 0x14;   /* HLEN 532 */
  ck_assert_int_eq(extend2_cell_parse(&e, longbody, sizeof(longbody)), -1);
  longbody[3] = 0x01; longbody[4] = 0xF2;   /* 498 is the largest */
  ck_assert_int_eq(extend2_cell_parse(&e, longbody, sizeof(longbody)), 0);
  ck_assert_uint_eq(e.hlen, 498);
  (void)hs;
}
END_TEST

START_TEST(test_extended2)
{
  static created2_cell_t c;
  vec_load(&v, "relaymsg.txt", "extended2");
  ck_assert_int_eq(extended2_cell_parse(&c, v.b, v.len), 0);
  ck_assert_uint_eq(c.hlen, 64);
  ck_assert_int_eq(extended2_cell_encode(&c, out, sizeof(out)), (int)v.len);
  ck_assert_mem_eq(out, v.b, v.len);
  for (size_t k = 0; k < v.len; k++)
    ck_assert_int_eq(extended2_cell_parse(&c, v.b, k), -1);
  vec_load(&v, "torvec_relay.txt", "extended2_42");
  ck_assert_int_eq(extended2_cell_parse(&c, v.b, v.len), 0);
  ck_assert_uint_eq(c.hlen, 42);
  vec_load(&v, "torvec_relay.txt", "extended2_max");
  ck_assert_int_eq(extended2_cell_parse(&c, v.b, v.len), 0);
  ck_assert_uint_eq(c.hlen, 496);
  vec_load(&v, "torvec_relay.txt", "extended2_bad_497");
  ck_assert_int_eq(extended2_cell_parse(&c, v.b, v.len), -1);
}
END_TEST

START_TEST(test_truncated)
{
  uint8_t r = 77;
  vec_load(&v, "relaymsg.txt", "truncated");
  ck_assert_int_eq(truncated_cell_parse(&r, v.b, v.len), 0);
  ck_assert_uint_eq(r, DESTROY_REASON_CHANNEL_CLOSED);
  ck_assert_int_eq(truncated_cell_encode(r, out, sizeof(out)), 1);
  ck_assert_mem_eq(out, v.b, 1);
  ck_assert_int_eq(truncated_cell_parse(&r, v.b, 0), 0);
  ck_assert_uint_eq(r, DESTROY_REASON_NONE);
  vec_load(&v, "relaymsg.txt", "truncate");
  ck_assert_uint_eq(v.len, 0);
  ck_assert_int_eq(v.cmd, RELAY_COMMAND_TRUNCATE);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("proto_relay_circ");
  TESTUTIL_ADD(s, test_sendme, 30);
  TESTUTIL_ADD(s, test_extend2_arti, 30);
  TESTUTIL_ADD(s, test_extend2_tor, 30);
  TESTUTIL_ADD(s, test_extend2_check, 30);
  TESTUTIL_ADD(s, test_extend2_limits, 30);
  TESTUTIL_ADD(s, test_extended2, 30);
  TESTUTIL_ADD(s, test_truncated, 30);
  return s;
}
