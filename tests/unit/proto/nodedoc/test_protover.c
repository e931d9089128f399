/* test_protover.c — subprotocol lists.
 *
 * The parse, parse_fail, vote_roundtrip, all_supported and supports_version
 * inputs are copied from tor's src/test/test_protover.c
 * (github.com/torproject/tor; the 0.4.5+ version with the 0..63 limit).
 * tor's canonical output sorts every name; ours lists the known names in
 * enum order and then the others as parsed, so the expected strings below
 * are tor's with that order (noted where it differs).  The protocol lines
 * of the live 0.4.9.11 network are from docs/protocol-scope.md §A.7. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/netdoc/consensus.h"
#include "proto/nodedoc/protover.h"
#include "testutil.h"

/* Parse s; NULL expected = must fail; else its canonical form. */
static void
check_roundtrip(const char *in, const char *expected)
{
  protover_t p;
  memset(&p, 0xAA, sizeof(p));
  int rv = protover_parse(&p, in, strlen(in));
  if (!expected) {
    ck_assert_msg(rv == -1, "accepted: '%s'", in);
    ck_assert_ptr_null(p.other);
    ck_assert_uint_eq(p.n_other, 0);
    for (int k = 0; k < PROTO_N_KNOWN; k++)
      ck_assert_uint_eq(p.known[k], 0);
    return;
  }
  ck_assert_msg(rv == 0, "refused: '%s'", in);
  char buf[1024];
  size_t n = protover_write(&p, buf, sizeof(buf));
  ck_assert_uint_eq(n, strlen(buf));
  ck_assert_str_eq(buf, expected);
  protover_clear(&p);
}

START_TEST(test_tor_parse)
{
  const char *orig = "Foo=1,3 Bar=3 Baz= Quux=9-12,14,15-16";
  protover_t p;
  ck_assert_int_eq(protover_parse(&p, orig, strlen(orig)), 0);
  ck_assert_uint_eq(p.n_other, 4);
  ck_assert_str_eq(p.other[0].name, "Foo");
  ck_assert_uint_eq(p.other[0].versions, 0x0a);
  ck_assert_str_eq(p.other[1].name, "Bar");
  ck_assert_uint_eq(p.other[1].versions, 0x08);
  ck_assert_str_eq(p.other[2].name, "Baz");
  ck_assert_uint_eq(p.other[2].versions, 0x00);
  ck_assert_str_eq(p.other[3].name, "Quux");
  ck_assert_uint_eq(p.other[3].versions, 0x1de00);
  char buf[128];
  protover_write(&p, buf, sizeof(buf));
  ck_assert_str_eq(buf, "Foo=1,3 Bar=3 Quux=9-12,14-16"); /* tor keeps "Baz=" */
  protover_clear(&p);
  ck_assert_ptr_null(p.other);
}
END_TEST

START_TEST(test_tor_parse_fail)
{
  check_roundtrip("!!3@*", NULL);
  check_roundtrip("Link=4 Haprauxymatyve Desc=9", NULL);
  check_roundtrip("Link=4 =3 Desc=9", NULL);
  check_roundtrip("Link=fred", NULL);
  check_roundtrip("Link=1,fred", NULL);
  check_roundtrip("Link=1,fred,3", NULL);
  check_roundtrip("Link=1,9-8,3", NULL);
  check_roundtrip("DoSaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL);
}
END_TEST

START_TEST(test_tor_vote_roundtrip)
{
  static const struct { const char *in, *out; } ex[] = {
    { "Risqu\xc3\xa9=1", NULL },
    { ",,,=1", NULL },
    { "\xc1=1", NULL },
    { "Foo_Bar=1", NULL },
    { "Fkrkljdsf", NULL },
    { "Zn=4294967295", NULL },
    { "Zn=4294967295-1", NULL },
    { "Zn=4294967293-4294967295", NULL },
    { "Foo=1,3 Bar=3 Baz= Quux=9-12,14,15-16,900 Zn=1,4294967295", NULL },
    /* tor: "Bar=3 Foo=1,3 Quux=9-12,14-16,50 Zn=1,42" */
    { "Foo=1,3 Bar=3 Baz= Quux=9-12,14,15-16,50 Zn=1,42",
      "Foo=1,3 Bar=3 Quux=9-12,14-16,50 Zn=1,42" },
    { "Zu16=1,63", "Zu16=1,63" },
    { "N-1=1,2", "N-1=1-2" },
    { "-1=4294967295", NULL },
    { "-1=3", "-1=3" },
    { "Foo=,", NULL },
    { "Foo=,1", NULL },
    { "Foo=1,,3", NULL },
    { "Foo=1,3,", NULL },
    { "!!3@*", NULL },
    { "Link=4 Haprauxymatyve Desc=9", NULL },
    /* tor: "Desc=9 Haprauxymatyve=7 Link=4" */
    { "Link=4 Haprauxymatyve=7 Desc=9", "Desc=9 Link=4 Haprauxymatyve=7" },
    { "=10-11", NULL },
    { "X=10-11", "X=10-11" },
    { "Link=4 =3 Desc=9", NULL },
    { "Link=4 Z=3 Desc=9", "Desc=9 Link=4 Z=3" },
    { "Link=fred", NULL },
    { "Link=1,fred", NULL },
    { "Link=1,fred,3", NULL },
    { "Link=1,9-8,3", NULL },
    { "Faux=-0", NULL },
    { "Faux=0--0", NULL },
    { "Faux=-1", NULL },
    { "Faux=-1-3", NULL },
    { "Faux=1--1", NULL },
    { "Link=1-2-", NULL },
    { "Link=1-2-3", NULL },
    { "Faux=1-2-", NULL },
    { "Faux=1-2-3", NULL },
    { "Link=\t1,3", NULL },
    { "Link=1\n,3", NULL },
    { "Faux=1,\r3", NULL },
    { "Faux=1,3\f", NULL },
    { "Link=4294967296", NULL },
    { "Sleen=1-63", "Sleen=1-63" },
    { "Sleen=1-65537", NULL },
    /* ours: the 0..63 bound, duplicates merged, blanks between entries */
    { "Link=64", NULL },
    { "Link=0-63", "Link=0-63" },
    { "Link=4 Link=5", "Link=4-5" },
    { "Link=4  Relay=2 ", "Link=4 Relay=2" },
    { " Link=4", NULL },
    { "Link=4\tRelay=2", NULL },
    { "", "" },
  };
  for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++)
    check_roundtrip(ex[i].in, ex[i].out);
}
END_TEST

START_TEST(test_name_and_entry_caps)
{
  /* 31-byte names fit our struct; 32 do not. */
  check_roundtrip("Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1", "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1");
  check_roundtrip("Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1", NULL);

  /* 64 distinct names fit, 65 do not; repeats do not count. */
  char s[2048];
  size_t off = 0;
  for (int i = 0; i < PROTOVER_MAX_ENTRIES - PROTO_N_KNOWN; i++)
    off += (size_t)snprintf(s + off, sizeof(s) - off, "P%d=1 ", i);
  off += (size_t)snprintf(s + off, sizeof(s) - off,
                          "Conflux=1 Cons=1 Desc=1 DirCache=1 FlowCtrl=1 HSDir=1 HSIntro=1 "
                          "HSRend=1 Link=1 LinkAuth=1 Microdesc=1 Padding=1 Relay=1 Link=2 P0=2");
  protover_t p;
  ck_assert_int_eq(protover_parse(&p, s, off), 0);
  ck_assert_uint_eq(p.n_other, PROTOVER_MAX_ENTRIES - PROTO_N_KNOWN);
  ck_assert_uint_eq(p.known[PROTO_LINK], 0x6);
  ck_assert_uint_eq(p.other[0].versions, 0x6);
  protover_clear(&p);
  off += (size_t)snprintf(s + off, sizeof(s) - off, " Extra=1");
  ck_assert_int_eq(protover_parse(&p, s, off), -1);
  ck_assert_ptr_null(p.other);
}
END_TEST

START_TEST(test_tor_supports_version)
{
  protover_t p;
  ck_assert_int_eq(protover_parse(&p, "Link=3-6", 8), 0);
  ck_assert_int_eq(protover_supports(&p, PROTO_LINK, 3), 1);
  ck_assert_int_eq(protover_supports(&p, PROTO_LINK, 6), 1);
  ck_assert_int_eq(protover_supports(&p, PROTO_LINK, 7), 0);
  ck_assert_int_eq(protover_supports(&p, PROTO_LINKAUTH, 3), 0);
  ck_assert_int_eq(protover_supports(&p, PROTO_LINK, 64), 0);
  ck_assert_int_eq(protover_supports(&p, PROTO_N_KNOWN, 3), 0);
  protover_clear(&p);
  const char *s = "Link=4-6 LinkAuth=3";
  ck_assert_int_eq(protover_parse(&p, s, strlen(s)), 0);
  ck_assert_int_eq(protover_supports(&p, PROTO_LINKAUTH, 2), 0);
  ck_assert_int_eq(protover_supports(&p, PROTO_LINKAUTH, 3), 1);
  ck_assert_int_eq(protover_supports(&p, PROTO_LINKAUTH, 4), 0);
  ck_assert_int_eq(protover_supports(&p, PROTO_DESC, 2), 0);
  protover_clear(&p);
  /* tor: "Link=1" supports Link 1, not 10 */
  ck_assert_int_eq(protover_parse(&p, "Link=1", 6), 0);
  ck_assert_int_eq(protover_supports(&p, PROTO_LINK, 1), 1);
  ck_assert_int_eq(protover_supports(&p, PROTO_LINK, 10), 0);
  protover_clear(&p);
  ck_assert_int_eq(protover_supports(NULL, PROTO_LINK, 1), 0);
}
END_TEST

/* tor's test_protover_all_supported, against the list tor supported when
 * it was written (Link=1-5 ...), so that its expected answers hold. */
static size_t
missing(const char *req, const char *has, char *buf, size_t buflen)
{
  protover_t r, h;
  ck_assert_int_eq(protover_parse(&r, req, strlen(req)), 0);
  ck_assert_int_eq(protover_parse(&h, has, strlen(has)), 0);
  size_t n = protover_list_missing(&r, &h, buf, buflen);
  protover_clear(&r);
  protover_clear(&h);
  return n;
}

START_TEST(test_tor_all_supported)
{
  const char *tor = "Cons=1-2 Desc=1-2 DirCache=2 FlowCtrl=1 HSDir=1-2 HSIntro=3-5 HSRend=1-2 "
                    "Link=1-5 LinkAuth=1,3 Microdesc=1-2 Padding=2 Relay=1-4";
  char buf[256];
  ck_assert_uint_eq(missing("", tor, buf, sizeof(buf)), 0);
  ck_assert_str_eq(buf, "");
  ck_assert_uint_eq(missing("Link=3-4", tor, buf, sizeof(buf)), 0);
  ck_assert_uint_eq(missing("Link=3-4 Desc=2", tor, buf, sizeof(buf)), 0);
  ck_assert_str_eq(buf, "");
  ck_assert_uint_eq(missing("Wombat=9", tor, buf, sizeof(buf)), 1);
  ck_assert_str_eq(buf, "Wombat=9");
  ck_assert_uint_eq(missing("Link=60", tor, buf, sizeof(buf)), 1);
  ck_assert_str_eq(buf, "Link=60");
  ck_assert_uint_eq(missing("Link=3-4 Wombat=9", tor, buf, sizeof(buf)), 1);
  ck_assert_str_eq(buf, "Wombat=9");
  ck_assert_uint_eq(missing("Link=3-60", tor, buf, sizeof(buf)), 55);
  ck_assert_str_eq(buf, "Link=6-60");
  ck_assert_uint_eq(missing("Link=1-3,50-63", tor, buf, sizeof(buf)), 14);
  ck_assert_str_eq(buf, "Link=50-63");
  ck_assert_uint_eq(missing("Link=1-3,5-12", tor, buf, sizeof(buf)), 7);
  ck_assert_str_eq(buf, "Link=6-12");
  ck_assert_uint_eq(missing("Link=1-3,5-12 Quokka=40-41", tor, buf, sizeof(buf)), 9);
  ck_assert_str_eq(buf, "Link=6-12 Quokka=40-41");
  ck_assert_uint_eq(missing("Fribble=", tor, buf, sizeof(buf)), 0);
  ck_assert_str_eq(buf, "");
  /* an unknown name the other side has too */
  ck_assert_uint_eq(missing("Quokka=40-41", "Quokka=41", buf, sizeof(buf)), 1);
  ck_assert_str_eq(buf, "Quokka=40");
  /* truncation keeps the count */
  ck_assert_uint_eq(missing("Link=1-3,5-12 Quokka=40-41", tor, buf, 6), 9);
  ck_assert_str_eq(buf, "Link=");
  ck_assert_uint_eq(missing("Link=7", tor, NULL, 0), 1);
}
END_TEST

START_TEST(test_client_supported_vs_live_network)
{
  /* the lines of the 0.4.9.11 test-network consensus (protocol-scope §A.7) */
  const char *req_client = "Cons=2 Desc=2 FlowCtrl=1 Link=4 Microdesc=2 Relay=2";
  const char *rec_client = "Cons=2 Desc=2 DirCache=2 FlowCtrl=1-2 HSDir=2 HSIntro=4 HSRend=2 "
                           "Link=4-5 Microdesc=2 Relay=2-4";
  protover_t ours, req, rec;
  protover_get_client_supported(&ours);
  char buf[256];
  protover_write(&ours, buf, sizeof(buf));
  ck_assert_str_eq(buf, "Cons=1-2 Desc=1-2 DirCache=2 FlowCtrl=1 Link=4-5 Microdesc=1-2 Relay=2");
  ck_assert_int_eq(protover_parse(&req, req_client, strlen(req_client)), 0);
  ck_assert_int_eq(protover_parse(&rec, rec_client, strlen(rec_client)), 0);
  ck_assert_uint_eq(protover_list_missing(&req, &ours, buf, sizeof(buf)), 0);
  ck_assert_str_eq(buf, "");
  ck_assert_uint_eq(protover_list_missing(&rec, &ours, buf, sizeof(buf)), 6);
  ck_assert_str_eq(buf, "FlowCtrl=2 HSDir=2 HSIntro=4 HSRend=2 Relay=3-4");
  protover_clear(&ours);
  protover_clear(&req);
  protover_clear(&rec);
}
END_TEST

START_TEST(test_live_relay_line)
{
  /* exit1's "pr" line and the required-relay-protocols line */
  const char *pr = "Conflux=1 Cons=1-2 Desc=1-4 DirCache=2 FlowCtrl=1-2 HSDir=2 HSIntro=4-5 "
                   "HSRend=1-2 Link=3-5 LinkAuth=3 Microdesc=1-3 Padding=2 Relay=2-6";
  const char *req = "Cons=2 Desc=2 DirCache=2 FlowCtrl=1-2 HSDir=2 HSIntro=4-5 HSRend=2 "
                    "Link=4-5 LinkAuth=3 Microdesc=2 Relay=2-4";
  protover_t p, r;
  ck_assert_int_eq(protover_parse(&p, pr, strlen(pr)), 0);
  ck_assert_uint_eq(p.n_other, 0);
  char buf[256];
  protover_write(&p, buf, sizeof(buf));
  ck_assert_str_eq(buf, pr); /* already in canonical order */
  ck_assert_int_eq(protover_supports(&p, PROTO_RELAY, 2), 1);
  ck_assert_int_eq(protover_supports(&p, PROTO_RELAY, 6), 1);
  ck_assert_int_eq(protover_supports(&p, PROTO_RELAY, 7), 0);
  ck_assert_int_eq(protover_supports(&p, PROTO_CONFLUX, 1), 1);
  ck_assert_int_eq(protover_supports(&p, PROTO_PADDING, 1), 0);
  ck_assert_int_eq(protover_parse(&r, req, strlen(req)), 0);
  ck_assert_uint_eq(protover_list_missing(&r, &p, buf, sizeof(buf)), 0);
  ck_assert_str_eq(protover_proto_to_string(PROTO_MICRODESC), "Microdesc");
  ck_assert_str_eq(protover_proto_to_string(PROTO_N_KNOWN), "?");
  protover_clear(&p);
  protover_clear(&r);
  protover_clear(NULL);
}
END_TEST

/* The captured 0.4.9.11 consensus (tests/vectors/dir): its four protocol
 * lines and every relay's "pr" line parse; evonion's client has all the
 * required-client-protocols; every relay has the required-relay ones. */
START_TEST(test_fixture_consensus_lines)
{
  char path[1024];
  snprintf(path, sizeof(path), "%s/tests/vectors/dir/consensus-microdesc", EVONION_SOURCE_ROOT);
  FILE *f = fopen(path, "rb");
  ck_assert_ptr_nonnull(f);
  char *text = malloc(1 << 20);
  size_t len = fread(text, 1, 1 << 20, f);
  fclose(f);
  consensus_t *c = NULL;
  char err[256];
  ck_assert_msg(consensus_parse(text, len, &c, err, sizeof(err)) == 0, "%s", err);
  protover_t req_client, req_relay, rec_client, ours, pr;
  ck_assert_int_eq(protover_parse(&req_client, c->required_client_protocols.s,
                                  c->required_client_protocols.len), 0);
  ck_assert_int_eq(protover_parse(&req_relay, c->required_relay_protocols.s,
                                  c->required_relay_protocols.len), 0);
  ck_assert_int_eq(protover_parse(&rec_client, c->recommended_client_protocols.s,
                                  c->recommended_client_protocols.len), 0);
  ck_assert_int_eq(protover_supports(&req_client, PROTO_RELAY, 2), 1);
  protover_get_client_supported(&ours);
  char buf[256];
  ck_assert_uint_eq(protover_list_missing(&req_client, &ours, buf, sizeof(buf)), 0);
  ck_assert_uint_gt(protover_list_missing(&rec_client, &ours, buf, sizeof(buf)), 0);
  ck_assert_uint_ge(c->n_routers, 1);
  for (size_t i = 0; i < c->n_routers; i++) {
    ck_assert_int_eq(protover_parse(&pr, c->routers[i].protocols.s, c->routers[i].protocols.len),
                     0);
    ck_assert_uint_eq(protover_list_missing(&req_relay, &pr, buf, sizeof(buf)), 0);
    ck_assert_int_eq(protover_supports(&pr, PROTO_RELAY, 2), 1);
    protover_clear(&pr);
  }
  protover_clear(&req_client);
  protover_clear(&req_relay);
  protover_clear(&rec_client);
  protover_clear(&ours);
  consensus_free(c);
  free(text);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("proto_nodedoc_protover");
  TESTUTIL_ADD(s, test_tor_parse, 30);
  TESTUTIL_ADD(s, test_tor_parse_fail, 30);
  TESTUTIL_ADD(s, test_tor_vote_roundtrip, 30);
  TESTUTIL_ADD(s, test_name_and_entry_caps, 30);
  TESTUTIL_ADD(s, test_tor_supports_version, 30);
  TESTUTIL_ADD(s, test_tor_all_supported, 30);
  TESTUTIL_ADD(s, test_client_supported_vs_live_network, 30);
  TESTUTIL_ADD(s, test_live_relay_line, 30);
  TESTUTIL_ADD(s, test_fixture_consensus_lines, 30);
  return s;
}
