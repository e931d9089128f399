/* test_relay_msg.c — the relay header (tor's test_cfmt_relay_header vector),
 * the 498-byte length limit, and the padding layout of packed payloads. */
#include <string.h>

#include "proto/relay_msg.h"
#include "proto_vec.h"

static vec_t v;

START_TEST(test_header_vector)
{
  relay_header_t h;
  uint8_t out[CELL_PAYLOAD_LEN];
  vec_load(&v, "torvec_relay.txt", "relay_header");
  ck_assert_uint_eq(v.len, RELAY_HEADER_LEN);
  relay_header_unpack(&h, v.b);
  ck_assert_uint_eq(h.command, 3);
  ck_assert_uint_eq(h.recognized, 0);
  ck_assert_uint_eq(h.stream_id, 0x2122);
  ck_assert_mem_eq(h.digest, "ABCD", 4);
  ck_assert_uint_eq(h.length, 0x103);
  relay_header_pack(out, &h);
  ck_assert_mem_eq(out, v.b, RELAY_HEADER_LEN);
}
END_TEST

START_TEST(test_parse_length_limit)
{
  uint8_t p[CELL_PAYLOAD_LEN];
  relay_header_t h;
  const uint8_t *body = NULL;
  memset(p, 0, sizeof(p));
  p[0] = RELAY_COMMAND_DATA;
  p[9] = 0x01; p[10] = 0xF2;            /* 498: the maximum */
  ck_assert_int_eq(relay_msg_parse(&h, &body, p), 0);
  ck_assert_uint_eq(h.length, 498);
  ck_assert_ptr_eq(body, p + RELAY_HEADER_LEN);
  p[10] = 0xF3;                         /* 499 */
  ck_assert_int_eq(relay_msg_parse(&h, &body, p), -1);
  p[9] = 0xFF; p[10] = 0xFF;
  ck_assert_int_eq(relay_msg_parse(&h, &body, p), -1);
}
END_TEST

static uint8_t fill_byte;
static size_t fill_calls, fill_len;
static void
fake_rand(uint8_t *buf, size_t n)
{
  fill_calls++;
  fill_len = n;
  memset(buf, fill_byte, n);
}

START_TEST(test_pack_padding)
{
  uint8_t p[CELL_PAYLOAD_LEN];
  relay_header_t h;
  const uint8_t *body;
  fill_byte = 0xA5;
  fill_calls = 0;
  memset(p, 0xEE, sizeof(p));
  ck_assert_int_eq(relay_msg_pack(p, RELAY_COMMAND_DATA, 7, (const uint8_t *)"hello", 5, fake_rand), 0);
  ck_assert_int_eq(relay_msg_parse(&h, &body, p), 0);
  ck_assert_uint_eq(h.command, RELAY_COMMAND_DATA);
  ck_assert_uint_eq(h.recognized, 0);
  ck_assert_uint_eq(h.stream_id, 7);
  const uint8_t zero4[4] = { 0, 0, 0, 0 };
  ck_assert_mem_eq(h.digest, zero4, 4);
  ck_assert_uint_eq(h.length, 5);
  ck_assert_mem_eq(body, "hello", 5);
  /* 4 zero bytes, then random bytes to the end (tor-spec §6.1). */
  ck_assert_mem_eq(p + 16, zero4, 4);
  ck_assert_uint_eq(fill_calls, 1);
  ck_assert_uint_eq(fill_len, CELL_PAYLOAD_LEN - 20);
  for (size_t i = 20; i < CELL_PAYLOAD_LEN; i++)
    ck_assert_uint_eq(p[i], 0xA5);
  /* Without a random source the padding is all zero. */
  memset(p, 0xEE, sizeof(p));
  ck_assert_int_eq(relay_msg_pack(p, RELAY_COMMAND_END, 1, (const uint8_t *)"\x06", 1, NULL), 0);
  for (size_t i = 12; i < CELL_PAYLOAD_LEN; i++)
    ck_assert_uint_eq(p[i], 0);
}
END_TEST

START_TEST(test_pack_edges)
{
  uint8_t p[CELL_PAYLOAD_LEN], body[RELAY_BODY_MAX_LEN + 1];
  uint64_t rs = 3;
  testutil_fill_random(body, sizeof(body), &rs);
  fill_byte = 0x11;
  /* Bodies of 494..498 bytes leave 4..0 bytes: all zero, the source is not called. */
  for (size_t len = 494; len <= RELAY_BODY_MAX_LEN; len++) {
    fill_calls = 0;
    memset(p, 0xEE, sizeof(p));
    ck_assert_int_eq(relay_msg_pack(p, RELAY_COMMAND_DATA, 1, body, len, fake_rand), 0);
    ck_assert_mem_eq(p + RELAY_HEADER_LEN, body, len);
    for (size_t i = RELAY_HEADER_LEN + len; i < CELL_PAYLOAD_LEN; i++)
      ck_assert_uint_eq(p[i], 0);
    ck_assert_uint_eq(fill_calls, 0);
  }
  /* 493: 4 zeros and one random byte. */
  fill_calls = 0;
  ck_assert_int_eq(relay_msg_pack(p, RELAY_COMMAND_DATA, 1, body, 493, fake_rand), 0);
  ck_assert_uint_eq(fill_calls, 1);
  ck_assert_uint_eq(p[CELL_PAYLOAD_LEN - 1], 0x11);
  ck_assert_int_eq(relay_msg_pack(p, RELAY_COMMAND_DATA, 1, body, RELAY_BODY_MAX_LEN + 1, NULL), -1);
  /* An empty body. */
  ck_assert_int_eq(relay_msg_pack(p, RELAY_COMMAND_BEGIN_DIR, 9, NULL, 0, NULL), 0);
  ck_assert_uint_eq(p[10], 0);
}
END_TEST

START_TEST(test_command_names)
{
  ck_assert_str_eq(relay_command_to_string(RELAY_COMMAND_BEGIN), "BEGIN");
  ck_assert_str_eq(relay_command_to_string(RELAY_COMMAND_EXTENDED2), "EXTENDED2");
  ck_assert_str_eq(relay_command_to_string(RELAY_COMMAND_XON), "XON");
  ck_assert_str_eq(relay_command_to_string(RELAY_COMMAND_ESTABLISH_INTRO), "ESTABLISH_INTRO");
  ck_assert_str_eq(relay_command_to_string(0), "UNKNOWN");
  ck_assert_str_eq(relay_command_to_string(16), "UNKNOWN");
  ck_assert_str_eq(relay_command_to_string(45), "UNKNOWN");
  ck_assert_str_eq(relay_command_to_string(255), "UNKNOWN");
  ck_assert_int_eq(RELAY_COMMAND_BEGIN_DIR, 13);
  ck_assert_int_eq(RELAY_COMMAND_EXTEND2, 14);
  ck_assert_int_eq(RELAY_COMMAND_DROP, 10);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("proto_relay_msg");
  TESTUTIL_ADD(s, test_header_vector, 30);
  TESTUTIL_ADD(s, test_parse_length_limit, 30);
  TESTUTIL_ADD(s, test_pack_padding, 30);
  TESTUTIL_ADD(s, test_pack_edges, 30);
  TESTUTIL_ADD(s, test_command_names, 30);
  return s;
}
