/* test_cell.c — cell framing: fixed and variable cells, both CircID widths,
 * NEED_MORE leaves the evbuffer untouched, size caps, encoders. */
#include <string.h>

#include <event2/buffer.h>

#include "proto/cell.h"
#include "proto_vec.h"

/* Known framing: tor-spec §3 layouts written out by hand. */
static const char *versions_narrow_hex = "0000" "07" "0006" "000300040005";

START_TEST(test_var_cell_known_encoding)
{
  uint8_t expect[32];
  int n = testutil_unhex(versions_narrow_hex, expect, sizeof(expect));
  ck_assert_int_eq(n, 11);
  uint16_t body_vals[] = { 3, 4, 5 };
  uint8_t body[6];
  for (int i = 0; i < 3; i++) {
    body[2 * i] = (uint8_t)(body_vals[i] >> 8);
    body[2 * i + 1] = (uint8_t)body_vals[i];
  }
  var_cell_t *v = var_cell_new_with_body(CELL_VERSIONS, 0, body, 6);
  struct evbuffer *buf = evbuffer_new();
  ck_assert_int_eq(var_cell_encode_to_evbuffer(buf, v, 0), 0);
  ck_assert_uint_eq(evbuffer_get_length(buf), 11);
  uint8_t got[11];
  evbuffer_copyout(buf, got, 11);
  ck_assert_mem_eq(got, expect, 11);

  cell_t c;
  var_cell_t *out = NULL;
  ck_assert_int_eq(cell_parse_from_evbuffer(buf, 0, &c, &out), PARSE_DONE);
  ck_assert_ptr_nonnull(out);
  ck_assert_uint_eq(evbuffer_get_length(buf), 0);
  ck_assert_uint_eq(out->command, CELL_VERSIONS);
  ck_assert_uint_eq(out->circ_id, 0);
  ck_assert_uint_eq(out->payload_len, 6);
  ck_assert_mem_eq(out->payload, body, 6);
  var_cell_free(out);
  var_cell_free(v);
  evbuffer_free(buf);
}
END_TEST

START_TEST(test_fixed_cell_known_encoding)
{
  /* A wide DESTROY cell for circuit 0x80000001 with reason 1. */
  cell_t c;
  memset(&c, 0, sizeof(c));
  c.circ_id = 0x80000001u;
  c.command = CELL_DESTROY;
  c.payload[0] = 1;
  uint8_t wire[CELL_MAX_NETWORK_LEN];
  ck_assert_int_eq(cell_pack(wire, &c, 1), 514);
  uint8_t expect_hdr[] = { 0x80, 0x00, 0x00, 0x01, 0x04, 0x01, 0x00 };
  ck_assert_mem_eq(wire, expect_hdr, sizeof(expect_hdr));
  for (int i = 6; i < 514; i++)
    ck_assert_uint_eq(wire[i], 0);
  /* Narrow: 2-byte CircID, 512 bytes. */
  c.circ_id = 0x1234;
  ck_assert_int_eq(cell_pack(wire, &c, 0), 512);
  ck_assert_uint_eq(wire[0], 0x12);
  ck_assert_uint_eq(wire[1], 0x34);
  ck_assert_uint_eq(wire[2], CELL_DESTROY);
  ck_assert_uint_eq(wire[3], 1);
  /* A CircID that does not fit in 2 bytes cannot be encoded narrow. */
  c.circ_id = 0x10000;
  ck_assert_int_eq(cell_pack(wire, &c, 0), -1);
  struct evbuffer *buf = evbuffer_new();
  ck_assert_int_eq(cell_encode_to_evbuffer(buf, &c, 0), -1);
  ck_assert_uint_eq(evbuffer_get_length(buf), 0);
  evbuffer_free(buf);
}
END_TEST

/* Every strict prefix of a fixed cell is NEED_MORE and leaves the buffer alone. */
static void
check_prefixes(const uint8_t *wire, size_t n, int wide)
{
  for (size_t k = 0; k < n; k++) {
    struct evbuffer *buf = evbuffer_new();
    evbuffer_add(buf, wire, k);
    cell_t c;
    var_cell_t *v = NULL;
    ck_assert_int_eq(cell_parse_from_evbuffer(buf, wide, &c, &v), PARSE_NEED_MORE);
    ck_assert_ptr_null(v);
    ck_assert_uint_eq(evbuffer_get_length(buf), k);
    size_t used = 0;
    ck_assert_int_eq(cell_parse_from_bytes(wire, k, wide, &c, &v, &used), PARSE_NEED_MORE);
    ck_assert_ptr_null(v);
    evbuffer_free(buf);
  }
}

START_TEST(test_fixed_roundtrip_and_prefixes)
{
  uint64_t rs = 42;
  for (int wide = 0; wide <= 1; wide++) {
    cell_t c, d;
    var_cell_t *v = NULL;
    c.circ_id = wide ? 0xdeadbeefu : 0xbeef;
    c.command = CELL_RELAY;
    testutil_fill_random(c.payload, sizeof(c.payload), &rs);
    uint8_t wire[CELL_MAX_NETWORK_LEN];
    int n = cell_pack(wire, &c, wide);
    ck_assert_int_eq(n, wide ? 514 : 512);
    ck_assert_uint_eq((size_t)n, cell_network_len(wide));
    check_prefixes(wire, (size_t)n, wide);
    /* The whole cell plus one extra byte: one cell drained, one byte left. */
    struct evbuffer *buf = evbuffer_new();
    evbuffer_add(buf, wire, (size_t)n);
    evbuffer_add(buf, "\x00", 1);
    ck_assert_int_eq(cell_parse_from_evbuffer(buf, wide, &d, &v), PARSE_DONE);
    ck_assert_ptr_null(v);
    ck_assert_uint_eq(evbuffer_get_length(buf), 1);
    ck_assert_uint_eq(d.circ_id, c.circ_id);
    ck_assert_uint_eq(d.command, c.command);
    ck_assert_mem_eq(d.payload, c.payload, CELL_PAYLOAD_LEN);
    evbuffer_free(buf);
  }
}
END_TEST

START_TEST(test_var_roundtrip_and_prefixes)
{
  uint64_t rs = 7;
  const uint8_t cmds[] = { CELL_VERSIONS, CELL_VPADDING, CELL_CERTS, CELL_AUTH_CHALLENGE,
                           CELL_AUTHENTICATE, CELL_AUTHORIZE, 200 };
  const uint16_t lens[] = { 0, 1, 6, 300 };
  for (int wide = 0; wide <= 1; wide++)
    for (size_t ci = 0; ci < sizeof(cmds); ci++)
      for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
        var_cell_t *v = var_cell_new(cmds[ci], wide ? 0x80000005u : 5, lens[li]);
        testutil_fill_random(v->payload, lens[li], &rs);
        struct evbuffer *buf = evbuffer_new();
        ck_assert_int_eq(var_cell_encode_to_evbuffer(buf, v, wide), 0);
        size_t n = evbuffer_get_length(buf);
        ck_assert_uint_eq(n, (wide ? 7u : 5u) + lens[li]);
        uint8_t *wire = evbuffer_pullup(buf, -1);
        check_prefixes(wire, n, wide);
        cell_t c;
        var_cell_t *out = NULL;
        ck_assert_int_eq(cell_parse_from_evbuffer(buf, wide, &c, &out), PARSE_DONE);
        ck_assert_uint_eq(evbuffer_get_length(buf), 0);
        ck_assert_ptr_nonnull(out);
        ck_assert_uint_eq(out->command, v->command);
        ck_assert_uint_eq(out->circ_id, v->circ_id);
        ck_assert_uint_eq(out->payload_len, v->payload_len);
        if (lens[li])
          ck_assert_mem_eq(out->payload, v->payload, lens[li]);
        var_cell_free(out);
        var_cell_free(v);
        evbuffer_free(buf);
      }
}
END_TEST

START_TEST(test_var_caps)
{
  /* Over the per-command cap: INVALID as soon as the header is there, nothing drained. */
  struct {
    uint8_t cmd;
    size_t cap;
  } caps[] = {
    { CELL_VERSIONS, 512 }, { CELL_CERTS, 16384 }, { CELL_AUTH_CHALLENGE, 1024 },
    { CELL_AUTHENTICATE, 2048 }, { CELL_AUTHORIZE, 1024 },
  };
  for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
    ck_assert_uint_eq(cell_var_max_payload(caps[i].cmd), caps[i].cap);
    uint8_t hdr[7] = { 0, 0, 0, 1, caps[i].cmd, 0, 0 };
    hdr[5] = (uint8_t)((caps[i].cap + 1) >> 8);
    hdr[6] = (uint8_t)(caps[i].cap + 1);
    struct evbuffer *buf = evbuffer_new();
    evbuffer_add(buf, hdr, 7);
    cell_t c;
    var_cell_t *v = NULL;
    ck_assert_int_eq(cell_parse_from_evbuffer(buf, 1, &c, &v), PARSE_INVALID);
    ck_assert_ptr_null(v);
    ck_assert_uint_eq(evbuffer_get_length(buf), 7);
    /* At the cap it is merely incomplete. */
    hdr[5] = (uint8_t)(caps[i].cap >> 8);
    hdr[6] = (uint8_t)caps[i].cap;
    evbuffer_drain(buf, 7);
    evbuffer_add(buf, hdr, 7);
    ck_assert_int_eq(cell_parse_from_evbuffer(buf, 1, &c, &v), PARSE_NEED_MORE);
    ck_assert_uint_eq(evbuffer_get_length(buf), 7);
    evbuffer_free(buf);
  }
  /* VPADDING and unknown var commands take the full u16 range. */
  ck_assert_uint_eq(cell_var_max_payload(CELL_VPADDING), 65535);
  ck_assert_uint_eq(cell_var_max_payload(250), 65535);
}
END_TEST

START_TEST(test_command_kinds)
{
  for (int cmd = 0; cmd < 256; cmd++) {
    int want = cmd == 7 || cmd >= 128;
    ck_assert_int_eq(cell_command_is_var((uint8_t)cmd), want);
  }
  ck_assert_int_eq(CELL_PADDING_NEGOTIATE, 12);
  ck_assert_int_eq(CELL_VPADDING, 128);
  ck_assert_int_eq(CELL_AUTHORIZE, 132);
  ck_assert_uint_eq(cell_circ_id_len(0), 2);
  ck_assert_uint_eq(cell_circ_id_len(1), 4);
}
END_TEST

START_TEST(test_stream_of_mixed_cells)
{
  /* VERSIONS (narrow) then, after switching, a wide fixed and a wide var cell:
   * fed one byte at a time, each cell appears exactly when complete. */
  struct evbuffer *src = evbuffer_new();
  var_cell_t *ver = var_cell_new_with_body(CELL_VERSIONS, 0, (const uint8_t *)"\x00\x04\x00\x05", 4);
  cell_t net;
  memset(&net, 0, sizeof(net));
  net.command = CELL_NETINFO;
  var_cell_t *vp = var_cell_new(CELL_VPADDING, 0, 3);
  ck_assert_int_eq(var_cell_encode_to_evbuffer(src, ver, 0), 0);
  size_t len1 = evbuffer_get_length(src);
  ck_assert_int_eq(cell_encode_to_evbuffer(src, &net, 1), 0);
  ck_assert_int_eq(var_cell_encode_to_evbuffer(src, vp, 1), 0);
  size_t total = evbuffer_get_length(src);
  uint8_t *all = evbuffer_pullup(src, -1);
  struct evbuffer *in = evbuffer_new();
  int got = 0, wide = 0;
  for (size_t i = 0; i < total; i++) {
    evbuffer_add(in, all + i, 1);
    cell_t c;
    var_cell_t *v = NULL;
    parse_result_t r = cell_parse_from_evbuffer(in, wide, &c, &v);
    ck_assert_int_ne(r, PARSE_INVALID);
    if (r == PARSE_DONE) {
      got++;
      if (got == 1) {
        ck_assert_uint_eq(i + 1, len1);
        ck_assert_uint_eq(v->command, CELL_VERSIONS);
        wide = 1;
      } else if (got == 2) {
        ck_assert_ptr_null(v);
        ck_assert_uint_eq(c.command, CELL_NETINFO);
      } else {
        ck_assert_uint_eq(v->command, CELL_VPADDING);
        ck_assert_uint_eq(i + 1, total);
      }
      var_cell_free(v);
      ck_assert_uint_eq(evbuffer_get_length(in), 0);
    }
  }
  ck_assert_int_eq(got, 3);
  var_cell_free(ver);
  var_cell_free(vp);
  evbuffer_free(src);
  evbuffer_free(in);
}
END_TEST

START_TEST(test_var_copy)
{
  var_cell_t *v = var_cell_new_with_body(CELL_CERTS, 9, (const uint8_t *)"abc", 3);
  var_cell_t *w = var_cell_copy(v);
  ck_assert_ptr_ne(v, w);
  ck_assert_uint_eq(w->payload_len, 3);
  ck_assert_mem_eq(w->payload, "abc", 3);
  ck_assert_uint_eq(w->circ_id, 9);
  uint8_t hdr[VAR_CELL_MAX_HEADER_LEN];
  ck_assert_int_eq(var_cell_pack_header(hdr, w, 1), 7);
  ck_assert_int_eq(var_cell_pack_header(hdr, w, 0), 5);
  var_cell_free(v);
  var_cell_free(w);
  var_cell_free(NULL);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("proto_cell");
  TESTUTIL_ADD(s, test_var_cell_known_encoding, 30);
  TESTUTIL_ADD(s, test_fixed_cell_known_encoding, 30);
  TESTUTIL_ADD(s, test_fixed_roundtrip_and_prefixes, 60);
  TESTUTIL_ADD(s, test_var_roundtrip_and_prefixes, 60);
  TESTUTIL_ADD(s, test_var_caps, 30);
  TESTUTIL_ADD(s, test_command_kinds, 30);
  TESTUTIL_ADD(s, test_stream_of_mixed_cells, 30);
  TESTUTIL_ADD(s, test_var_copy, 30);
  return s;
}
