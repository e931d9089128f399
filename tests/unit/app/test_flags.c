/* test_flags.c — every flag parses; every bad input exits 2 with one line naming the flag. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef _WIN32
#include <direct.h>
#else
#include <unistd.h>
#endif

#include "app/app.h"
#include "app/config.h"
#include "app/flags.h"
#include "lib/alloc.h"
#include "lib/log.h"
#include "testutil.h"

#define MiB (1024ull * 1024ull)

static int
parse(evonion_config_t *cfg, int argc, char **argv, char *err)
{
  const char *stopped = NULL;
  memset(cfg, 0, sizeof(*cfg));
  int r = flags_parse(evonion_flags, cfg, argc, argv, &stopped, err, 256);
  if (r == 0 && config_finish(cfg, err, 256) < 0)
    r = -1;
  return r;
}

START_TEST(test_sizes_in_tors_units)
{
  static const struct { const char *in; uint64_t want; } ok[] = {
    { "0", 0 }, { "1048576", MiB }, { "100 bytes", 100 }, { "1 byte", 1 }, { "3b", 3 },
    { "500 KB", 500 * 1024 }, { "500 KBytes", 500 * 1024 }, { "2 kilobytes", 2048 },
    { "1 MB", MiB }, { "1 MBytes", MiB }, { "2 megabytes", 2 * MiB }, { "1 mbyte", MiB },
    { "1 GB", 1024 * MiB }, { "1 GBytes", 1024 * MiB }, { "1 gigabyte", 1024 * MiB },
    { "1 TB", 1024ull * 1024 * MiB },
    { "8 KBits", 1024 }, { "1 kbit", 128 }, { "8 MBits", MiB }, { "1 megabit", MiB / 8 },
    { "1 GBits", 128 * MiB }, { "1 gigabits", 128 * MiB },
    { "1.5 MB", 3 * MiB / 2 }, { "1mb", MiB }, { "1 mB", MiB }, { "2 MiB", 2 * MiB },
  };
  for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
    uint64_t v = 12345;
    ck_assert_msg(flags_parse_size(ok[i].in, &v) == 0, "rejected %s", ok[i].in);
    ck_assert_msg(v == ok[i].want, "%s gave %llu", ok[i].in, (unsigned long long)v);
  }
  static const char *bad[] = { "", "MB", "-1", "1 XB", "1.", ".5 MB", "1 MB extra",
                               "99999999999999999999", "20000000000 TB", "1e6", "0x10" };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    uint64_t v;
    ck_assert_msg(flags_parse_size(bad[i], &v) == -1, "accepted %s", bad[i]);
  }
}
END_TEST

START_TEST(test_every_flag_parses)
{
  char err[256];
  evonion_config_t cfg;
  char *argv[] = { "evonion", "--log", "debug", "--log-file", "x.log", "--data-directory",
                   "/tmp/evonion-dd", "--bandwidth-rate", "1 MB", "--bandwidth-burst=2 MB",
                   "--relay-bandwidth-rate", "500 KB", "--relay-bandwidth-burst", "1 MB",
                   "--per-conn-bandwidth-rate", "100 KBytes", "--per-conn-bandwidth-burst",
                   "200 KBytes" };
  ck_assert_int_eq(parse(&cfg, (int)(sizeof(argv) / sizeof(argv[0])), argv, err), 0);
  ck_assert_int_eq(cfg.log_level, LOG_DEBUG);
  ck_assert_str_eq(cfg.log_file, "x.log");
  ck_assert_str_eq(cfg.data_directory, "/tmp/evonion-dd");
  ck_assert_uint_eq(cfg.bandwidth_rate, MiB);
  ck_assert_uint_eq(cfg.bandwidth_burst, 2 * MiB);
  ck_assert_uint_eq(cfg.relay_bandwidth_rate, 500 * 1024);
  ck_assert_uint_eq(cfg.relay_bandwidth_burst, MiB);
  ck_assert_uint_eq(cfg.per_conn_bandwidth_rate, 100 * 1024);
  ck_assert_uint_eq(cfg.per_conn_bandwidth_burst, 200 * 1024);
  config_free(&cfg);
}
END_TEST

START_TEST(test_defaults)
{
  char err[256];
  evonion_config_t cfg;
  char *argv[] = { "evonion", "--bandwidth-rate", "3 MB" };
  ck_assert_int_eq(parse(&cfg, 3, argv, err), 0);
  ck_assert_int_eq(cfg.log_level, LOG_NOTICE);
  ck_assert_ptr_null(cfg.log_file);
  ck_assert_uint_eq(cfg.bandwidth_burst, 3 * MiB);   /* burst defaults to the rate */
  ck_assert_uint_eq(cfg.relay_bandwidth_rate, 0);     /* unlimited */
  char *def = config_default_data_directory();
  if (def) {
    ck_assert_str_eq(cfg.data_directory, def);
#ifdef _WIN32
    ck_assert_ptr_nonnull(strstr(def, "\\evonion"));
#else
    ck_assert_ptr_nonnull(strstr(def, "/.evonion"));
#endif
  }
  x_free(def);
  config_free(&cfg);
}
END_TEST

/* Run app_main with args; return its status and what it wrote to err. */
static int
run_app(const char *const *args, int n, char *errtext, size_t errlen, char *outtext, size_t outlen)
{
  char *argv[32];
  argv[0] = "evonion";
  for (int i = 0; i < n; i++)
    argv[i + 1] = (char *)args[i];
  FILE *out = tmpfile(), *err = tmpfile();
  ck_assert_ptr_nonnull(out);
  ck_assert_ptr_nonnull(err);
  int rv = app_main_io(n + 1, argv, out, err);
  rewind(err);
  size_t k = fread(errtext, 1, errlen - 1, err);
  errtext[k] = '\0';
  rewind(out);
  k = fread(outtext, 1, outlen - 1, out);
  outtext[k] = '\0';
  fclose(out);
  fclose(err);
  return rv;
}

START_TEST(test_bad_input_exits_2_with_one_line)
{
  static const struct { const char *args[4]; int n; const char *must_name; } cases[] = {
    { { "--bogus" }, 1, "--bogus" },
    { { "--log" }, 1, "--log" },
    { { "--log", "loud" }, 2, "--log" },
    { { "--bandwidth-rate" }, 1, "--bandwidth-rate" },
    { { "--bandwidth-rate", "fast" }, 2, "--bandwidth-rate" },
    { { "--bandwidth-rate", "3 GB" }, 2, "--bandwidth-rate" },         /* over 2^31-1 */
    { { "--bandwidth-rate", "-5" }, 2, "--bandwidth-rate" },
    { { "--bandwidth-burst", "1 MB" }, 2, "--bandwidth-burst" },       /* without a rate */
    { { "--bandwidth-rate", "2 MB", "--bandwidth-burst", "1 MB" }, 4, "--bandwidth-burst" },
    { { "--relay-bandwidth-rate", "2 MB", "--relay-bandwidth-burst", "1 MB" }, 4,
      "--relay-bandwidth-burst" },
    { { "--per-conn-bandwidth-rate", "1 XB" }, 2, "--per-conn-bandwidth-rate" },
    { { "--per-conn-bandwidth-burst" }, 1, "--per-conn-bandwidth-burst" },
    { { "--relay-bandwidth-burst", "9999999999" }, 2, "--relay-bandwidth-burst" },
    { { "--log-file", "" }, 2, "--log-file" },
    { { "--help=yes" }, 1, "--help" },
    { { "--log", "info", "--log", "debug" }, 4, "--log" },
    { { "stray" }, 1, "stray" },
    { { "-h" }, 1, "-h" },
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char err[512], out[512];
    int rv = run_app(cases[i].args, cases[i].n, err, sizeof(err), out, sizeof(out));
    ck_assert_msg(rv == 2, "case %d: exit %d", (int)i, rv);
    ck_assert_msg(!strncmp(err, "evonion: ", 9), "case %d: %s", (int)i, err);
    ck_assert_msg(strchr(err, '\n') == err + strlen(err) - 1, "case %d: not one line: %s", (int)i,
                  err);
    ck_assert_msg(strstr(err, cases[i].must_name) != NULL, "case %d: %s", (int)i, err);
    ck_assert_str_eq(out, "");
  }
}
END_TEST

START_TEST(test_nothing_started_on_error)
{
  char dir[256], err[512], out[512];
  snprintf(dir, sizeof(dir), "evonion-test-dd-%d", (int)(testutil_now() * 1000) % 1000000);
  const char *args[] = { "--data-directory", dir, "--bandwidth-rate", "oops" };
  ck_assert_int_eq(run_app(args, 4, err, sizeof(err), out, sizeof(out)), 2);
  struct stat st;
  ck_assert_int_ne(stat(dir, &st), 0);  /* the data directory was not created */
}
END_TEST

START_TEST(test_help_and_version)
{
  char err[512], out[8192];
  const char *h[] = { "--help" };
  ck_assert_int_eq(run_app(h, 1, err, sizeof(err), out, sizeof(out)), 0);
  ck_assert_str_eq(err, "");
  for (const flag_def_t *f = evonion_flags; f->name; f++) {
    char want[64];
    snprintf(want, sizeof(want), "--%s", f->name);
    ck_assert_msg(strstr(out, want) != NULL, "--help lacks %s", want);
  }
  /* Fits an 80-column console. */
  for (char *line = out, *nl; *line; line = nl + 1) {
    nl = strchr(line, '\n');
    ck_assert_ptr_nonnull(nl);
    ck_assert_int_lt(nl - line, 80);
  }
  const char *v[] = { "--version" };
  ck_assert_int_eq(run_app(v, 1, err, sizeof(err), out, sizeof(out)), 0);
  ck_assert_ptr_nonnull(strstr(out, "evonion " EVONION_VERSION));
}
END_TEST

/* A port flag as later features add them: one table row. */
typedef struct portcfg_t { char *port; flag_list_t many; int64_t n; } portcfg_t;
static const flag_def_t port_flags[] = {
  { "or-port", FLAG_ADDRPORT, NULL, offsetof(portcfg_t, port), "[ADDR:]PORT", "x", 1, 65535, 0 },
  { "socks-port", FLAG_ADDRPORT, "127.0.0.1:9050", offsetof(portcfg_t, many), "[ADDR:]PORT", "x",
    0, 65535, FLAG_REPEATABLE },
  { "count", FLAG_INT, "3", offsetof(portcfg_t, n), "N", "x", 1, 10, 0 },
  { NULL, FLAG_BOOL, NULL, 0, NULL, NULL, 0, 0, 0 },
};

START_TEST(test_port_and_int_types)
{
  char err[256];
  const char *stopped;
  portcfg_t c;
  memset(&c, 0, sizeof(c));
  char *a1[] = { "x", "--or-port", "9001", "--socks-port", "[::1]:9150", "--socks-port", "0" };
  ck_assert_int_eq(flags_parse(port_flags, &c, 7, a1, &stopped, err, sizeof(err)), 0);
  ck_assert_str_eq(c.port, "127.0.0.1:9001");
  ck_assert_int_eq(c.many.n, 2);  /* the user's values replace the default */
  ck_assert_str_eq(c.many.items[0], "[::1]:9150");
  ck_assert_str_eq(c.many.items[1], "127.0.0.1:0");
  ck_assert_int_eq(c.n, 3);
  flags_free(port_flags, &c);
  static const struct { const char *flag, *val, *want; } bad[] = {
    { "--or-port", "70000", "out of range" }, { "--or-port", "0", "out of range" },
    { "--or-port", "127.0.0.1:65536", "out of range" }, { "--or-port", "abc", "[ADDR:]PORT" },
    { "--or-port", "1.2.3:80", "[ADDR:]PORT" }, { "--count", "11", "out of range" },
    { "--count", "3x", "whole number" }, { "--or-port", "9999999", "out of range" },
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    memset(&c, 0, sizeof(c));
    char *a[] = { "x", (char *)bad[i].flag, (char *)bad[i].val };
    ck_assert_int_eq(flags_parse(port_flags, &c, 3, a, &stopped, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, bad[i].flag) && strstr(err, bad[i].want), "%s %s: %s", bad[i].flag,
                  bad[i].val, err);
    flags_free(port_flags, &c);
  }
}
END_TEST

START_TEST(test_private_dir)
{
  char top[64], sub[128], dir[256], err[256];
  snprintf(top, sizeof(top), "evonion-test-priv-%d", (int)(testutil_now() * 1000) % 1000000);
  snprintf(sub, sizeof(sub), "%s/sub", top);
  snprintf(dir, sizeof(dir), "%s/dd", sub);
  ck_assert_int_eq(app_make_private_dir(dir, err, sizeof(err)), 0);
  struct stat st;
  ck_assert_int_eq(stat(dir, &st), 0);
#ifndef _WIN32
  ck_assert_int_eq(st.st_mode & 077, 0);
#endif
  ck_assert_int_eq(app_make_private_dir(dir, err, sizeof(err)), 0);  /* again: fine */
  ck_assert_int_eq(rmdir(dir), 0);
  ck_assert_int_eq(rmdir(sub), 0);
  ck_assert_int_eq(rmdir(top), 0);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("app_flags");
  TESTUTIL_ADD(s, test_sizes_in_tors_units, 10);
  TESTUTIL_ADD(s, test_every_flag_parses, 10);
  TESTUTIL_ADD(s, test_defaults, 10);
  TESTUTIL_ADD(s, test_bad_input_exits_2_with_one_line, 10);
  TESTUTIL_ADD(s, test_nothing_started_on_error, 10);
  TESTUTIL_ADD(s, test_help_and_version, 10);
  TESTUTIL_ADD(s, test_port_and_int_types, 10);
  TESTUTIL_ADD(s, test_private_dir, 10);
  return s;
}
