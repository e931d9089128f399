/* test_linkspec.c — link specifiers: each known type's exact encoding,
 * wrong lengths, truncations, unknown types kept opaque. */
#include <string.h>

#include "proto/linkspec.h"
#include "proto_vec.h"

START_TEST(test_known_types)
{
  linkspec_t ls, back;
  netaddr_t a;
  uint8_t out[300], exp[64];
  size_t used;
  /* IPv4 127.0.0.1:5000 as in arti's EXTEND2 vector: 00 06 7F000001 1388. */
  ck_assert_int_eq(netaddr_parse(&a, "127.0.0.1"), 0);
  ck_assert_int_eq(linkspec_set_addr(&ls, &a, 5000), 0);
  ck_assert_int_eq(testutil_unhex("00067F0000011388", exp, sizeof(exp)), 8);
  ck_assert_uint_eq(linkspec_encoded_len(&ls), 8);
  ck_assert_int_eq(linkspec_encode(&ls, out, sizeof(out)), 8);
  ck_assert_mem_eq(out, exp, 8);
  ck_assert_int_eq(linkspec_parse(&back, exp, 8, &used), 0);
  ck_assert_uint_eq(used, 8);
  ck_assert(linkspec_eq(&ls, &back));
  ck_assert_int_eq(linkspec_encode(&ls, out, 7), -1);
  /* IPv6 2002::f0:c51e port 4370 as in tor's "fanciful" EXTEND2. */
  ck_assert_int_eq(netaddr_parse(&a, "2002::f0:c51e"), 0);
  ck_assert_int_eq(linkspec_set_addr(&ls, &a, 4370), 0);
  ck_assert_int_eq(testutil_unhex("011220020000000000000000000000f0c51e1112", exp, sizeof(exp)), 20);
  ck_assert_int_eq(linkspec_encode(&ls, out, sizeof(out)), 20);
  ck_assert_mem_eq(out, exp, 20);
  /* RSA and Ed25519 ids. */
  uint8_t id[32];
  for (int i = 0; i < 32; i++)
    id[i] = (uint8_t)i;
  linkspec_set_legacy_id(&ls, id);
  ck_assert_int_eq(linkspec_encode(&ls, out, sizeof(out)), 22);
  ck_assert_uint_eq(out[0], 2);
  ck_assert_uint_eq(out[1], 20);
  ck_assert_mem_eq(out + 2, id, 20);
  linkspec_set_ed25519_id(&ls, id);
  ck_assert_int_eq(linkspec_encode(&ls, out, sizeof(out)), 34);
  ck_assert_uint_eq(out[0], 3);
  ck_assert_uint_eq(out[1], 32);
  ck_assert_mem_eq(out + 2, id, 32);
  ck_assert_int_eq(linkspec_parse(&back, out, 34, &used), 0);
  ck_assert(linkspec_eq(&ls, &back));
  /* Truncations of each. */
  for (size_t k = 0; k < 34; k++)
    ck_assert_int_eq(linkspec_parse(&back, out, k, &used), -1);
  /* An address of the wrong family for the type cannot be encoded. */
  memset(&ls, 0, sizeof(ls));
  ls.type = LINKSPEC_IPV6;
  ck_assert_int_eq(netaddr_parse(&ls.addr, "1.2.3.4"), 0);
  ck_assert_int_eq(linkspec_encode(&ls, out, sizeof(out)), -1);
  netaddr_t none;
  memset(&none, 0, sizeof(none));
  ck_assert_int_eq(linkspec_set_addr(&ls, &none, 1), -1);
}
END_TEST

START_TEST(test_wrong_lengths)
{
  linkspec_t ls;
  size_t used;
  uint8_t b[64];
  memset(b, 0, sizeof(b));
  const uint8_t types[] = { 0, 1, 2, 3 };
  const uint8_t lens[] = { 6, 18, 20, 32 };
  for (int t = 0; t < 4; t++)
    for (int l = 0; l <= 40; l++) {
      b[0] = types[t];
      b[1] = (uint8_t)l;
      int r = linkspec_parse(&ls, b, sizeof(b), &used);
      ck_assert_int_eq(r, l == lens[t] ? 0 : -1);
    }
}
END_TEST

START_TEST(test_unknown_opaque)
{
  linkspec_t ls, again;
  size_t used;
  uint8_t out[300];
  const uint8_t b[] = { 0x42, 3, 'a', 'b', 'c', 0xff };
  ck_assert_int_eq(linkspec_parse(&ls, b, sizeof(b), &used), 0);
  ck_assert_uint_eq(used, 5);
  ck_assert_uint_eq(ls.type, 0x42);
  ck_assert_uint_eq(ls.unknown_len, 3);
  ck_assert_ptr_eq(ls.unknown, b + 2);
  ck_assert_int_eq(linkspec_encode(&ls, out, sizeof(out)), 5);
  ck_assert_mem_eq(out, b, 5);
  ck_assert_int_eq(linkspec_parse(&again, out, 5, &used), 0);
  ck_assert(linkspec_eq(&ls, &again));
  ck_assert_int_eq(linkspec_parse(&ls, b, 4, &used), -1);
  /* Zero-length unknown and the largest (255). */
  uint8_t big[257];
  memset(big, 0x61, sizeof(big));
  big[0] = 0x99;
  big[1] = 255;
  ck_assert_int_eq(linkspec_parse(&ls, big, sizeof(big), &used), 0);
  ck_assert_uint_eq(used, 257);
  ck_assert_int_eq(linkspec_encode(&ls, out, sizeof(out)), 257);
  ck_assert_mem_eq(out, big, 257);
  big[1] = 0;
  ck_assert_int_eq(linkspec_parse(&ls, big, 2, &used), 0);
  ck_assert_uint_eq(used, 2);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("proto_linkspec");
  TESTUTIL_ADD(s, test_known_types, 30);
  TESTUTIL_ADD(s, test_wrong_lengths, 30);
  TESTUTIL_ADD(s, test_unknown_opaque, 30);
  return s;
}
