/* test_dirauth.c — DirAuthority lines, the default list, and the
 * --dir-authority / --testing-tor-network flags. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/config.h"
#include "app/flags.h"
#include "dir/dirauth.h"
#include "testutil.h"

/* A line from the captured test network (tests/vectors/dir/dir-authorities.torrc). */
#define AUTH1 "auth1 orport=34303 no-v2 v3ident=FB78E1D2E1B75125D9EDA503F1846AC63E9A6E18 " \
  "127.0.0.1:44919 4E1C3F41DF884449638FB682CF523802C57E2E27"

START_TEST(test_parse_testnet_line)
{
  dir_authority_t a;
  char err[256], hex[41];
  ck_assert_int_eq(dirauth_parse_line(AUTH1, &a, err, sizeof(err)), 0);
  ck_assert_str_eq(a.nickname, "auth1");
  ck_assert_uint_eq(a.or_port, 34303);
  ck_assert_uint_eq(a.dir_port, 44919);
  ck_assert_int_eq(a.ipv4.family, NETADDR_IPV4);
  ck_assert_int_eq(a.ipv4.bytes[0], 127);
  ck_assert_int_eq(a.ipv4.bytes[3], 1);
  ck_assert_int_eq(a.has_v3ident, 1);
  dirauth_hex_id(a.v3ident, hex);
  ck_assert_str_eq(hex, "FB78E1D2E1B75125D9EDA503F1846AC63E9A6E18");
  dirauth_hex_id(a.rsa_id, hex);
  ck_assert_str_eq(hex, "4E1C3F41DF884449638FB682CF523802C57E2E27");
  ck_assert_int_eq(a.is_bridge, 0);
  ck_assert_int_eq(a.ipv6.family, NETADDR_NONE);
}
END_TEST

START_TEST(test_parse_grouped_fingerprint_ipv6_no_nickname)
{
  dir_authority_t a;
  char err[256], hex[41];
  ck_assert_int_eq(dirauth_parse_line("orport=443 v3ident=2F3DF9CA0E5D36F2685A2DA67184EB8DCB8CBA8C "
                                      "ipv6=[2a02:16a8:662:2203::1]:443 217.196.147.77:80 "
                                      "FAA4 BCA4 A6AC 0FB4 CA2F 8AD5 A11D 9E12 2BA8 94F6",
                                      &a, err, sizeof(err)), 0);
  ck_assert_str_eq(a.nickname, "");
  dirauth_hex_id(a.rsa_id, hex);
  ck_assert_str_eq(hex, "FAA4BCA4A6AC0FB4CA2F8AD5A11D9E122BA894F6");
  ck_assert_int_eq(a.ipv6.family, NETADDR_IPV6);
  ck_assert_uint_eq(a.ipv6.bytes[0], 0x2a);
  ck_assert_uint_eq(a.ipv6.bytes[15], 1);
  ck_assert_uint_eq(a.ipv6_port, 443);
  ck_assert_int_eq(dirauth_parse_line("Serge orport=9001 bridge 66.111.2.131:9030 "
                                      "BA44 A889 E64B 93FA A2B1 14E0 2C2A 279A 8555 C533",
                                      &a, err, sizeof(err)), 0);
  ck_assert_int_eq(a.is_bridge, 1);
  ck_assert_int_eq(a.has_v3ident, 0);
}
END_TEST

START_TEST(test_bad_lines)
{
  static const struct { const char *line; const char *why; } bad[] = {
    { "", "no IPV4:DIRPORT" },
    { "auth1 v3ident=FB78 127.0.0.1:44919 4E1C3F41DF884449638FB682CF523802C57E2E27", "v3ident" },
    { "auth1 127.0.0.1:44919 4E1C3F41DF884449638FB682CF523802C57E2E2", "fingerprint" },
    { "auth1 127.0.0.1:44919 4E1C3F41DF884449638FB682CF523802C57E2E2G", "fingerprint" },
    { "auth1 127.0.0.1:44919", "fingerprint" },
    { "auth1 127.0.0.1:44919 4E1C 3F41 DF88 4449 638F B682 CF52 3802 C57E", "fingerprint" },
    { "auth1 127.0.0.1:0 4E1C3F41DF884449638FB682CF523802C57E2E27", "address" },
    { "auth1 127.0.0.1:65536 4E1C3F41DF884449638FB682CF523802C57E2E27", "address" },
    { "auth1 host.example:80 4E1C3F41DF884449638FB682CF523802C57E2E27", "address" },
    { "auth1 [::1]:80 4E1C3F41DF884449638FB682CF523802C57E2E27", "address" },
    { "auth1 orport=x 127.0.0.1:80 4E1C3F41DF884449638FB682CF523802C57E2E27", "orport" },
    { "auth1 frobnicate 127.0.0.1:80 4E1C3F41DF884449638FB682CF523802C57E2E27", "unknown flag" },
    { "auth1 ipv6=::1:80 127.0.0.1:80 4E1C3F41DF884449638FB682CF523802C57E2E27", "ipv6" },
    { "a-very-long-nickname-indeed 127.0.0.1:80 4E1C3F41DF884449638FB682CF523802C57E2E27",
      "nickname" },
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    dir_authority_t a;
    char err[256] = "";
    ck_assert_msg(dirauth_parse_line(bad[i].line, &a, err, sizeof(err)) == -1, "accepted %s",
                  bad[i].line);
    ck_assert_msg(strstr(err, bad[i].why) != NULL, "%s: error \"%s\" lacks \"%s\"", bad[i].line,
                  err, bad[i].why);
  }
}
END_TEST

START_TEST(test_default_list)
{
  dir_authorities_t l;
  char err[256];
  ck_assert_int_eq(dirauth_list_parse(&l, NULL, 0, err, sizeof(err)), 0);
  ck_assert_uint_eq(l.n, 9);
  ck_assert_uint_eq(dirauth_list_n_voting(&l), 9);
  uint8_t moria_v3[20];
  ck_assert_int_eq(testutil_unhex("F533C81CEF0BC0267857C99B2F471ADF249FA232", moria_v3, 20), 20);
  const dir_authority_t *m = dirauth_list_find_v3(&l, moria_v3);
  ck_assert_ptr_nonnull(m);
  ck_assert_str_eq(m->nickname, "moria1");
  ck_assert_uint_eq(m->dir_port, 9231);
  moria_v3[0] ^= 1;
  ck_assert_ptr_null(dirauth_list_find_v3(&l, moria_v3));
  dirauth_list_clear(&l);
  ck_assert_uint_eq(l.n, 0);
}
END_TEST

START_TEST(test_list_needs_a_v3_authority_and_no_duplicates)
{
  dir_authorities_t l;
  char err[256];
  const char *bridge_only[] = { "Serge orport=9001 bridge 66.111.2.131:9030 "
                                "BA44A889E64B93FAA2B114E02C2A279A8555C533" };
  ck_assert_int_eq(dirauth_list_parse(&l, bridge_only, 1, err, sizeof(err)), -1);
  ck_assert_ptr_nonnull(strstr(err, "v3"));
  const char *twice[] = { AUTH1, AUTH1 };
  ck_assert_int_eq(dirauth_list_parse(&l, twice, 2, err, sizeof(err)), -1);
  ck_assert_ptr_nonnull(strstr(err, "FB78E1D2E1B75125D9EDA503F1846AC63E9A6E18"));
  ck_assert_uint_eq(l.n, 0);
}
END_TEST

static int
parse_flags(evonion_config_t *cfg, int argc, char **argv, char *err)
{
  const char *stopped = NULL;
  memset(cfg, 0, sizeof(*cfg));
  int r = flags_parse(evonion_flags, cfg, argc, argv, &stopped, err, 256);
  if (r == 0 && config_finish(cfg, err, 256) < 0)
    r = -1;
  return r;
}

START_TEST(test_flags)
{
  evonion_config_t cfg;
  char err[256];
  char *ok[] = { "evonion", "--data-directory", "/tmp/x", "--dir-authority", AUTH1,
                 "--dir-authority=auth2 orport=35697 no-v2 "
                 "v3ident=E78A26659B16D6D3CE639C6DA4766BF6B9D63485 127.0.0.1:49271 "
                 "A015DF23EECA56C369FEF172A23A69E6BAF61723",
                 "--testing-tor-network" };
  ck_assert_int_eq(parse_flags(&cfg, 7, ok, err), 0);
  ck_assert_int_eq(cfg.dir_authorities.n, 2);
  ck_assert_str_eq(cfg.dir_authorities.items[0], AUTH1);
  ck_assert_int_eq(cfg.testing_tor_network, 1);
  config_free(&cfg);

  char *none[] = { "evonion", "--data-directory", "/tmp/x" };
  ck_assert_int_eq(parse_flags(&cfg, 3, none, err), 0);
  ck_assert_int_eq(cfg.dir_authorities.n, 0);
  ck_assert_int_eq(cfg.testing_tor_network, 0);
  config_free(&cfg);

  char *bad[] = { "evonion", "--data-directory", "/tmp/x", "--dir-authority",
                  "auth1 127.0.0.1:44919 nothex" };
  ck_assert_int_eq(parse_flags(&cfg, 5, bad, err), -1);
  ck_assert_ptr_nonnull(strstr(err, "--dir-authority"));
  ck_assert_ptr_nonnull(strstr(err, "fingerprint"));
  ck_assert_ptr_null(strchr(err, '\n'));
  config_free(&cfg);

  char *testing_alone[] = { "evonion", "--data-directory", "/tmp/x", "--testing-tor-network" };
  ck_assert_int_eq(parse_flags(&cfg, 4, testing_alone, err), -1);
  ck_assert_ptr_nonnull(strstr(err, "--dir-authority"));
  config_free(&cfg);
}
END_TEST

START_TEST(test_app_exits_2_on_a_bad_line)
{
  FILE *out = tmpfile(), *err = tmpfile();
  ck_assert_ptr_nonnull(out);
  ck_assert_ptr_nonnull(err);
  char *argv[] = { "evonion", "--data-directory", "/tmp/x", "--dir-authority",
                   "auth1 127.0.0.1:99999 4E1C3F41DF884449638FB682CF523802C57E2E27" };
  ck_assert_int_eq(app_main_io(5, argv, out, err), 2);
  char buf[512] = "";
  rewind(err);
  size_t n = fread(buf, 1, sizeof(buf) - 1, err);
  buf[n] = '\0';
  ck_assert_ptr_nonnull(strstr(buf, "--dir-authority"));
  ck_assert_ptr_nonnull(strstr(buf, "bad address"));
  ck_assert_ptr_eq(strchr(buf, '\n'), buf + n - 1);  /* one line */
  fclose(out);
  fclose(err);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("dir_dirauth");
  TESTUTIL_ADD(s, test_parse_testnet_line, 10);
  TESTUTIL_ADD(s, test_parse_grouped_fingerprint_ipv6_no_nickname, 10);
  TESTUTIL_ADD(s, test_bad_lines, 10);
  TESTUTIL_ADD(s, test_default_list, 10);
  TESTUTIL_ADD(s, test_list_needs_a_v3_authority_and_no_duplicates, 10);
  TESTUTIL_ADD(s, test_flags, 10);
  TESTUTIL_ADD(s, test_app_exits_2_on_a_bad_line, 10);
  return s;
}
