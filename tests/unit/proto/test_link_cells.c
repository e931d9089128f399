/* test_link_cells.c — VERSIONS, CERTS container, AUTH_CHALLENGE,
 * AUTHENTICATE, NETINFO, PADDING_NEGOTIATE: arti's captured tor encodings,
 * round trips, and every truncation. */
#include <string.h>

#include "proto/cell.h"
#include "proto/link_cells.h"
#include "proto_vec.h"

static vec_t v;
static uint8_t out[VEC_MAX];

START_TEST(test_versions)
{
  versions_cell_t vc;
  vec_load(&v, "chanmsg.txt", "versions");
  ck_assert_int_eq(v.cmd, CELL_VERSIONS);
  ck_assert_int_eq(versions_cell_parse(&vc, v.b, v.len), 0);
  ck_assert_uint_eq(vc.n_versions, 3);
  ck_assert_uint_eq(vc.versions[0], 3);
  ck_assert_uint_eq(vc.versions[1], 4);
  ck_assert_uint_eq(vc.versions[2], 5);
  uint16_t mine[] = { 3, 4, 5 };
  ck_assert_int_eq(versions_cell_encode(mine, 3, out, sizeof(out)), (int)v.len);
  ck_assert_mem_eq(out, v.b, v.len);
  ck_assert_int_eq(versions_cell_encode(mine, 3, out, 5), -1);
  /* Odd lengths are invalid; every even prefix is a valid (shorter) list. */
  for (size_t k = 0; k <= v.len; k++)
    ck_assert_int_eq(versions_cell_parse(&vc, v.b, k), (k % 2) ? -1 : 0);
  ck_assert_int_eq(versions_cell_parse(&vc, v.b, 0), 0);
  ck_assert_uint_eq(vc.n_versions, 0);
  /* Highest common version. */
  uint16_t ours45[] = { 4, 5 }, ours12[] = { 1, 2 }, ours3[] = { 3 };
  ck_assert_int_eq(versions_cell_parse(&vc, v.b, v.len), 0);
  ck_assert_uint_eq(versions_cell_highest_common(&vc, ours45, 2), 5);
  ck_assert_uint_eq(versions_cell_highest_common(&vc, ours3, 1), 3);
  ck_assert_uint_eq(versions_cell_highest_common(&vc, ours12, 2), 0);
  /* Over the cap. */
  static uint8_t big[2 * VERSIONS_MAX + 2];
  memset(big, 0, sizeof(big));
  ck_assert_int_eq(versions_cell_parse(&vc, big, 2 * VERSIONS_MAX), 0);
  ck_assert_int_eq(versions_cell_parse(&vc, big, sizeof(big)), -1);
}
END_TEST

START_TEST(test_certs_container)
{
  static certs_cell_t c, d;
  vec_load(&v, "chanmsg.txt", "certs");
  ck_assert_int_eq(v.cmd, CELL_CERTS);
  ck_assert_int_eq(certs_cell_parse(&c, v.b, v.len), 0);
  ck_assert_uint_eq(c.n_certs, 5);
  const uint8_t types[] = { 1, 2, 4, 5, 7 };
  const uint16_t lens[] = { 0x23E, 0x1BD, 0x8C, 0x68, 0xA5 };
  for (int i = 0; i < 5; i++) {
    ck_assert_uint_eq(c.certs[i].cert_type, types[i]);
    ck_assert_uint_eq(c.certs[i].cert_len, lens[i]);
  }
  /* The type-2 cert is a DER SEQUENCE starting 30 82 01 B9; the type-4 cert starts 01 04. */
  ck_assert_uint_eq(c.certs[1].body[0], 0x30);
  ck_assert_uint_eq(c.certs[1].body[3], 0xB9);
  ck_assert_uint_eq(c.certs[2].body[0], 0x01);
  ck_assert_uint_eq(c.certs[2].body[1], 0x04);
  ck_assert_uint_eq(certs_cell_encoded_len(&c), v.len);
  ck_assert_int_eq(certs_cell_encode(&c, out, sizeof(out)), (int)v.len);
  ck_assert_mem_eq(out, v.b, v.len);
  ck_assert_int_eq(certs_cell_encode(&c, out, v.len - 1), -1);
  /* Every truncation fails; trailing padding is tolerated. */
  for (size_t k = 0; k < v.len; k++)
    ck_assert_int_eq(certs_cell_parse(&d, v.b, k), -1);
  memset(v.b + v.len, 0, 10);
  ck_assert_int_eq(certs_cell_parse(&d, v.b, v.len + 10), 0);
  ck_assert_uint_eq(d.n_certs, 5);
  /* Duplicates and unknown types are kept in order (the checker decides). */
  const uint8_t dup[] = { 3, 9, 0, 1, 0xAA, 9, 0, 0, 200, 0, 2, 1, 2 };
  ck_assert_int_eq(certs_cell_parse(&d, dup, sizeof(dup)), 0);
  ck_assert_uint_eq(d.n_certs, 3);
  ck_assert_uint_eq(d.certs[0].cert_type, 9);
  ck_assert_uint_eq(d.certs[1].cert_type, 9);
  ck_assert_uint_eq(d.certs[1].cert_len, 0);
  ck_assert_uint_eq(d.certs[2].cert_type, 200);
  ck_assert_int_eq(certs_cell_encode(&d, out, sizeof(out)), (int)sizeof(dup));
  ck_assert_mem_eq(out, dup, sizeof(dup));
  /* Empty list. */
  ck_assert_int_eq(certs_cell_parse(&d, (const uint8_t *)"\0", 1), 0);
  ck_assert_uint_eq(d.n_certs, 0);
}
END_TEST

START_TEST(test_auth_challenge)
{
  auth_challenge_cell_t c;
  vec_load(&v, "chanmsg.txt", "auth_challenge");
  ck_assert_int_eq(v.cmd, CELL_AUTH_CHALLENGE);
  ck_assert_int_eq(auth_challenge_cell_parse(&c, v.b, v.len), 0);
  ck_assert_uint_eq(c.challenge[0], 0x00);
  ck_assert_uint_eq(c.challenge[1], 0xDA);
  ck_assert_uint_eq(c.challenge[31], 0x51);
  ck_assert_uint_eq(c.n_methods, 2);
  ck_assert_uint_eq(c.methods[0], 1);
  ck_assert_uint_eq(c.methods[1], 3);
  ck_assert(auth_challenge_cell_has_method(&c, 3));
  ck_assert(!auth_challenge_cell_has_method(&c, 2));
  ck_assert_int_eq(auth_challenge_cell_encode(&c, out, sizeof(out)), (int)v.len);
  ck_assert_mem_eq(out, v.b, v.len);
  for (size_t k = 0; k < v.len; k++)
    ck_assert_int_eq(auth_challenge_cell_parse(&c, v.b, k), -1);
  /* More methods than we store: counted, first 64 kept. */
  uint8_t big[34 + 2 * 70];
  memset(big, 0, sizeof(big));
  big[32] = 0;
  big[33] = 70;
  for (int i = 0; i < 70; i++)
    big[34 + 2 * i + 1] = (uint8_t)i;
  ck_assert_int_eq(auth_challenge_cell_parse(&c, big, sizeof(big)), 0);
  ck_assert_uint_eq(c.n_methods, 70);
  ck_assert_uint_eq(c.n_stored, AUTH_CHALLENGE_MAX_METHODS);
  ck_assert(auth_challenge_cell_has_method(&c, 63));
  ck_assert(!auth_challenge_cell_has_method(&c, 65));
}
END_TEST

START_TEST(test_authenticate)
{
  authenticate_cell_t c;
  vec_load(&v, "chanmsg.txt", "authenticate");
  ck_assert_int_eq(v.cmd, CELL_AUTHENTICATE);
  ck_assert_int_eq(authenticate_cell_parse(&c, v.b, v.len), 0);
  ck_assert_uint_eq(c.auth_type, 3);
  ck_assert_uint_eq(c.auth_len, 352);
  ck_assert_mem_eq(c.auth, "AUTH0003", 8);
  ck_assert_int_eq(authenticate_cell_encode(&c, out, sizeof(out)), (int)v.len);
  ck_assert_mem_eq(out, v.b, v.len);
  for (size_t k = 0; k < v.len; k++)
    ck_assert_int_eq(authenticate_cell_parse(&c, v.b, k), -1);
}
END_TEST

static void
fixed_body(const char *name)
{
  vec_load(&v, "chanmsg.txt", name);
  /* Fixed cells travel padded to 509 bytes with zeros. */
  memset(v.b + v.len, 0, CELL_PAYLOAD_LEN - v.len);
}

START_TEST(test_netinfo_vectors)
{
  netinfo_cell_t c;
  char buf[64];
  uint8_t lo6[16] = { 0 };
  lo6[15] = 1;

  fixed_body("netinfo_client");
  ck_assert_int_eq(netinfo_cell_parse(&c, v.b, CELL_PAYLOAD_LEN), 0);
  ck_assert_uint_eq(c.timestamp, 0);
  ck_assert_str_eq(netaddr_format(&c.other_addr, buf, sizeof(buf)), "127.0.0.1");
  ck_assert_uint_eq(c.n_my_addrs, 0);
  ck_assert_int_eq(netinfo_cell_encode(&c, out, sizeof(out)), (int)v.len);
  ck_assert_mem_eq(out, v.b, v.len);

  fixed_body("netinfo_relay");
  ck_assert_int_eq(netinfo_cell_parse(&c, v.b, CELL_PAYLOAD_LEN), 0);
  ck_assert_uint_eq(c.timestamp, 0x5F6F80E1);
  ck_assert_uint_eq(c.n_my_addrs, 1);
  ck_assert_str_eq(netaddr_format(&c.my_addrs[0], buf, sizeof(buf)), "127.0.0.1");
  ck_assert_int_eq(netinfo_cell_encode(&c, out, sizeof(out)), (int)v.len);
  ck_assert_mem_eq(out, v.b, v.len);

  fixed_body("netinfo_relay_v6");
  ck_assert_int_eq(netinfo_cell_parse(&c, v.b, CELL_PAYLOAD_LEN), 0);
  ck_assert_int_eq(c.other_addr.family, NETADDR_IPV6);
  ck_assert_mem_eq(c.other_addr.bytes, lo6, 16);
  ck_assert_uint_eq(c.n_my_addrs, 2);
  ck_assert_int_eq(c.my_addrs[0].family, NETADDR_IPV4);
  ck_assert_int_eq(c.my_addrs[1].family, NETADDR_IPV6);
  ck_assert_str_eq(netaddr_format(&c.my_addrs[1], buf, sizeof(buf)), "::1");
  ck_assert_int_eq(netinfo_cell_encode(&c, out, sizeof(out)), (int)v.len);
  ck_assert_mem_eq(out, v.b, v.len);

  /* arti's hand-made bogus one: wrong-length other address, an IPv4 with
   * length 6, an unknown type: all skipped, leaving the one IPv6. */
  vec_load(&v, "chanmsg.txt", "netinfo_bogus");
  ck_assert_int_eq(netinfo_cell_parse(&c, v.b, v.len), 0);
  ck_assert_uint_eq(c.timestamp, 0x5F6F859C);
  ck_assert_int_eq(c.other_addr.family, NETADDR_NONE);
  ck_assert_uint_eq(c.n_my_addrs, 1);
  ck_assert_int_eq(c.my_addrs[0].family, NETADDR_IPV6);
  ck_assert_mem_eq(c.my_addrs[0].bytes, lo6, 16);
}
END_TEST

START_TEST(test_netinfo_truncations)
{
  netinfo_cell_t c;
  vec_load(&v, "chanmsg.txt", "netinfo_relay_v6");
  /* Every strict prefix cuts a field or an address: invalid. */
  for (size_t k = 0; k < v.len; k++)
    ck_assert_int_eq(netinfo_cell_parse(&c, v.b, k), -1);
  ck_assert_int_eq(netinfo_cell_parse(&c, v.b, v.len), 0);
  /* More addresses than we keep: the rest are skipped, not an error. */
  uint8_t many[4 + 6 + 1 + 12 * 6];
  size_t n = 0;
  memset(many, 0, sizeof(many));
  n = 4;
  many[n++] = 4; many[n++] = 4; n += 4;
  many[n++] = 12;
  for (int i = 0; i < 12; i++) {
    many[n++] = 4; many[n++] = 4;
    many[n++] = 10; many[n++] = 0; many[n++] = 0; many[n++] = (uint8_t)i;
  }
  ck_assert_int_eq(netinfo_cell_parse(&c, many, n), 0);
  ck_assert_uint_eq(c.n_my_addrs, NETINFO_MAX_MY_ADDRS);
  ck_assert_uint_eq(c.my_addrs[7].bytes[3], 7);
  /* An address of no family is sent as 0.0.0.0 for OTHERADDR, refused in MYADDRS. */
  netinfo_cell_t e;
  memset(&e, 0, sizeof(e));
  ck_assert_int_eq(netinfo_cell_encode(&e, out, sizeof(out)), 11);
  const uint8_t zero_other[] = { 0, 0, 0, 0, 4, 4, 0, 0, 0, 0, 0 };
  ck_assert_mem_eq(out, zero_other, 11);
  e.n_my_addrs = 1;
  ck_assert_int_eq(netinfo_cell_encode(&e, out, sizeof(out)), -1);
}
END_TEST

START_TEST(test_padding_negotiate)
{
  padding_negotiate_cell_t c;
  fixed_body("padding_negotiate_start");
  ck_assert_int_eq(padding_negotiate_cell_parse(&c, v.b, CELL_PAYLOAD_LEN), 0);
  ck_assert_uint_eq(c.command, PADDING_NEGOTIATE_START);
  ck_assert_uint_eq(c.ito_low_ms, 256);
  ck_assert_uint_eq(c.ito_high_ms, 512);
  ck_assert_int_eq(padding_negotiate_cell_encode(&c, out, sizeof(out)), 6);
  ck_assert_mem_eq(out, v.b, 6);
  for (size_t k = 0; k < 6; k++)
    ck_assert_int_eq(padding_negotiate_cell_parse(&c, v.b, k), -1);
  fixed_body("padding_negotiate_stop");
  ck_assert_int_eq(padding_negotiate_cell_parse(&c, v.b, CELL_PAYLOAD_LEN), 0);
  ck_assert_uint_eq(c.command, PADDING_NEGOTIATE_STOP);
  ck_assert_int_eq(padding_negotiate_cell_encode(&c, out, sizeof(out)), 6);
  ck_assert_mem_eq(out, v.b, 6);
  fixed_body("padding_negotiate_badversion");
  ck_assert_int_eq(padding_negotiate_cell_parse(&c, v.b, CELL_PAYLOAD_LEN), -1);
  const uint8_t badcmd[] = { 0, 3, 0, 0, 0, 0 };
  ck_assert_int_eq(padding_negotiate_cell_parse(&c, badcmd, 6), -1);
  c.command = 3;
  ck_assert_int_eq(padding_negotiate_cell_encode(&c, out, sizeof(out)), -1);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("proto_link_cells");
  TESTUTIL_ADD(s, test_versions, 30);
  TESTUTIL_ADD(s, test_certs_container, 30);
  TESTUTIL_ADD(s, test_auth_challenge, 30);
  TESTUTIL_ADD(s, test_authenticate, 30);
  TESTUTIL_ADD(s, test_netinfo_vectors, 30);
  TESTUTIL_ADD(s, test_netinfo_truncations, 30);
  TESTUTIL_ADD(s, test_padding_negotiate, 30);
  return s;
}
