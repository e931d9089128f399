/* test_log.c — severities, the hook, rate limiting and escaping. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <unistd.h>
#endif

#include "lib/log.h"
#include "testutil.h"

static int n_seen;
static char last_msg[2048];

static void
hook(log_severity_t sev, log_domain_t dom, const char *msg, void *arg)
{
  (void)sev; (void)dom; (void)arg;
  n_seen++;
  snprintf(last_msg, sizeof(last_msg), "%s", msg);
}

START_TEST(test_severity_names)
{
  ck_assert_int_eq(log_severity_from_string("err"), LOG_ERR);
  ck_assert_int_eq(log_severity_from_string("WARN"), LOG_WARN);
  ck_assert_int_eq(log_severity_from_string("Notice"), LOG_NOTICE);
  ck_assert_int_eq(log_severity_from_string("info"), LOG_INFO);
  ck_assert_int_eq(log_severity_from_string("debug"), LOG_DEBUG);
  ck_assert_int_eq(log_severity_from_string("loud"), -1);
  ck_assert_int_eq(log_severity_from_string(""), -1);
  ck_assert_str_eq(log_severity_to_string(LOG_INFO), "info");
  ck_assert_str_eq(log_domain_to_string(LD_NET), "net");
}
END_TEST

START_TEST(test_ratelim)
{
  log_ratelim_t rl = { 10, 0, 0 };
  unsigned n = 99;
  ck_assert_int_eq(log_ratelim_check(&rl, 1000, &n), 1);
  ck_assert_uint_eq(n, 0);
  ck_assert_int_eq(log_ratelim_check(&rl, 1001, &n), 0);
  ck_assert_int_eq(log_ratelim_check(&rl, 1009, &n), 0);
  ck_assert_int_eq(log_ratelim_check(&rl, 1010, &n), 1);
  ck_assert_uint_eq(n, 2);
}
END_TEST

START_TEST(test_protocol_warn_is_ratelimited)
{
  log_set_hook(hook, NULL);
  n_seen = 0;
  for (int i = 0; i < 50; i++)
    log_protocol_warn(LD_PROTOCOL, "bad cell %d", i);
  log_set_hook(NULL, NULL);
  ck_assert_int_eq(n_seen, 1);
  ck_assert_str_eq(last_msg, "bad cell 0");
}
END_TEST

START_TEST(test_file_destination)
{
  char path[] = "evonion-test-log.XXXXXX";
#ifdef _WIN32
  snprintf(path, sizeof(path), "evonion-test-log.txt");
#else
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  close(fd);
#endif
  ck_assert_int_eq(log_set_file(path), 0);
  log_set_severity(LOG_INFO);
  log_info(LD_GENERAL, "hello %s", "file");
  log_debug(LD_GENERAL, "not written");
  log_close_file();
  FILE *f = fopen(path, "r");
  ck_assert_ptr_nonnull(f);
  char buf[512] = "";
  size_t n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  remove(path);
  buf[n] = '\0';
  ck_assert_ptr_nonnull(strstr(buf, "[info] hello file"));
  ck_assert_ptr_null(strstr(buf, "not written"));
  ck_assert_int_eq(log_set_file("/nonexistent-dir/x/y.log"), -1);
}
END_TEST

START_TEST(test_escape)
{
  char out[32];
  ck_assert_str_eq(log_escape("a\"b\n", 4, out, sizeof(out)), "a\\\"b\\x0a");
  char big[100];
  memset(big, 'x', sizeof(big));
  log_escape(big, sizeof(big), out, sizeof(out));
  ck_assert_uint_lt(strlen(out), sizeof(out));
  ck_assert_ptr_nonnull(strstr(out, "..."));
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("lib_log");
  TESTUTIL_ADD(s, test_severity_names, 10);
  TESTUTIL_ADD(s, test_ratelim, 10);
  TESTUTIL_ADD(s, test_protocol_warn_is_ratelimited, 10);
  TESTUTIL_ADD(s, test_file_destination, 10);
  TESTUTIL_ADD(s, test_escape, 10);
  return s;
}
