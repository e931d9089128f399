/* test_circ_cells.c — CREATE2/CREATED2, CREATE_FAST/CREATED_FAST, DESTROY:
 * arti's captured tor encodings, tor's length limits, truncations. */
#include <string.h>

#include "proto/circ_cells.h"
#include "proto_vec.h"

static vec_t v;
static uint8_t out[CELL_PAYLOAD_LEN];

START_TEST(test_create2)
{
  static create2_cell_t c;
  vec_load(&v, "chanmsg.txt", "create2");
  ck_assert_int_eq(v.cmd, CELL_CREATE2);
  memset(v.b + v.len, 0, CELL_PAYLOAD_LEN - v.len);
  ck_assert_int_eq(create2_cell_parse(&c, v.b, CELL_PAYLOAD_LEN), 0);
  ck_assert_uint_eq(c.htype, HANDSHAKE_TYPE_NTOR);
  ck_assert_uint_eq(c.hlen, 84);
  ck_assert_mem_eq(c.hdata, v.b + 4, 84);
  ck_assert_int_eq(create2_cell_encode(&c, out, sizeof(out)), (int)v.len);
  ck_assert_mem_eq(out, v.b, v.len);
  for (size_t k = 0; k < v.len; k++)
    ck_assert_int_eq(create2_cell_parse(&c, v.b, k), -1);
  /* The largest HLEN that fits a cell, and one more. */
  uint8_t p[CELL_PAYLOAD_LEN];
  memset(p, 0x5a, sizeof(p));
  p[0] = 0; p[1] = 2; p[2] = 0x01; p[3] = 0xF9;   /* 505 */
  ck_assert_int_eq(create2_cell_parse(&c, p, sizeof(p)), 0);
  ck_assert_uint_eq(c.hlen, 505);
  ck_assert_int_eq(create2_cell_encode(&c, out, sizeof(out)), 509);
  ck_assert_mem_eq(out, p, 509);
  p[3] = 0xFA;                                       /* 506 */
  ck_assert_int_eq(create2_cell_parse(&c, p, sizeof(p)), -1);
  c.hlen = 506;
  ck_assert_int_eq(create2_cell_encode(&c, out, sizeof(out)), -1);
}
END_TEST

START_TEST(test_created2)
{
  static created2_cell_t c;
  vec_load(&v, "chanmsg.txt", "created2");
  ck_assert_int_eq(v.cmd, CELL_CREATED2);
  ck_assert_int_eq(created2_cell_parse(&c, v.b, v.len), 0);
  ck_assert_uint_eq(c.hlen, 64);
  ck_assert_int_eq(created2_cell_encode(&c, out, sizeof(out)), (int)v.len);
  ck_assert_mem_eq(out, v.b, v.len);
  for (size_t k = 0; k < v.len; k++)
    ck_assert_int_eq(created2_cell_parse(&c, v.b, k), -1);
  /* tor's limits (test_cfmt_created_cells): 496 is fine, 497 is not. */
  uint8_t p[CELL_PAYLOAD_LEN];
  memset(p, 0, sizeof(p));
  p[0] = 0x01; p[1] = 0xF0;
  ck_assert_int_eq(created2_cell_parse(&c, p, sizeof(p)), 0);
  ck_assert_uint_eq(c.hlen, 496);
  p[1] = 0xF1;
  ck_assert_int_eq(created2_cell_parse(&c, p, sizeof(p)), -1);
  c.hlen = 497;
  ck_assert_int_eq(created2_cell_encode(&c, out, sizeof(out)), -1);
}
END_TEST

START_TEST(test_fast)
{
  create_fast_cell_t cf;
  created_fast_cell_t cdf;
  vec_load(&v, "chanmsg.txt", "create_fast");
  ck_assert_int_eq(v.cmd, CELL_CREATE_FAST);
  ck_assert_int_eq(create_fast_cell_parse(&cf, v.b, v.len), 0);
  ck_assert_int_eq(create_fast_cell_encode(&cf, out, sizeof(out)), 20);
  ck_assert_mem_eq(out, v.b, 20);
  ck_assert_int_eq(create_fast_cell_parse(&cf, v.b, 19), -1);
  ck_assert_int_eq(create_fast_cell_encode(&cf, out, 19), -1);
  vec_load(&v, "chanmsg.txt", "created_fast");
  ck_assert_int_eq(v.cmd, CELL_CREATED_FAST);
  ck_assert_int_eq(created_fast_cell_parse(&cdf, v.b, v.len), 0);
  ck_assert_mem_eq(cdf.y, v.b, 20);
  ck_assert_mem_eq(cdf.kh, v.b + 20, 20);
  ck_assert_int_eq(created_fast_cell_encode(&cdf, out, sizeof(out)), 40);
  ck_assert_mem_eq(out, v.b, 40);
  ck_assert_int_eq(created_fast_cell_parse(&cdf, v.b, 39), -1);
}
END_TEST

START_TEST(test_destroy)
{
  uint8_t r = 99;
  vec_load(&v, "chanmsg.txt", "destroy_4");
  ck_assert_int_eq(destroy_cell_parse(&r, v.b, v.len), 0);
  ck_assert_uint_eq(r, 4);
  vec_load(&v, "chanmsg.txt", "destroy_0");
  ck_assert_int_eq(destroy_cell_parse(&r, v.b, v.len), 0);
  ck_assert_uint_eq(r, 0);
  ck_assert_int_eq(destroy_cell_parse(&r, v.b, 0), -1);
  ck_assert_int_eq(destroy_cell_encode(DESTROY_REASON_FINISHED, out, 1), 1);
  ck_assert_uint_eq(out[0], 9);
  ck_assert_int_eq(destroy_cell_encode(1, out, 0), -1);
  /* tor-spec §5.4 names, in order. */
  const char *names[] = { "NONE", "PROTOCOL", "INTERNAL", "REQUESTED", "HIBERNATING",
                          "RESOURCELIMIT", "CONNECTFAILED", "OR_IDENTITY", "CHANNEL_CLOSED",
                          "FINISHED", "TIMEOUT", "DESTROYED", "NOSUCHSERVICE" };
  for (int i = 0; i <= 12; i++)
    ck_assert_str_eq(destroy_reason_to_string((uint8_t)i), names[i]);
  ck_assert_str_eq(destroy_reason_to_string(13), "UNKNOWN");
  ck_assert_str_eq(destroy_reason_to_string(255), "UNKNOWN");
  ck_assert_int_eq(DESTROY_REASON_NOSUCHSERVICE, 12);
  ck_assert_int_eq(DESTROY_REASON_CHANNEL_CLOSED, 8);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("proto_circ_cells");
  TESTUTIL_ADD(s, test_create2, 30);
  TESTUTIL_ADD(s, test_created2, 30);
  TESTUTIL_ADD(s, test_fast, 30);
  TESTUTIL_ADD(s, test_destroy, 30);
  return s;
}
