/* test_listener.c — address parsing and the accept pause on fd exhaustion. */
#include <stdio.h>
#include <string.h>
#ifndef _WIN32
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>
#endif

#include "conntest.h"
#include "core/listener.h"
#include "core/mainloop.h"
#include "testutil.h"

START_TEST(test_addr_parse)
{
  struct sockaddr_storage ss;
  int len;
  char buf[80];
  ck_assert_int_eq(addr_parse("127.0.0.1:9050", -1, &ss, &len), 0);
  ck_assert_str_eq(addr_to_string((struct sockaddr *)&ss, buf, sizeof(buf)), "127.0.0.1:9050");
  ck_assert_int_eq(addr_parse("[::1]:443", -1, &ss, &len), 0);
  ck_assert_str_eq(addr_to_string((struct sockaddr *)&ss, buf, sizeof(buf)), "[::1]:443");
  ck_assert_int_eq(addr_parse("0.0.0.0:0", -1, &ss, &len), 0);
  ck_assert_int_eq(addr_parse("127.0.0.1", 9050, &ss, &len), 0);
  ck_assert_str_eq(addr_to_string((struct sockaddr *)&ss, buf, sizeof(buf)), "127.0.0.1:9050");
  ck_assert_int_eq(addr_parse("::1", 80, &ss, &len), 0);
  ck_assert_str_eq(addr_to_string((struct sockaddr *)&ss, buf, sizeof(buf)), "[::1]:80");
  /* bad ones */
  const char *bad[] = { "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
                        "127.0.0.1:80x", "256.1.1.1:80", "[::1]", "[::1]x", "[::1:80", "",
                        "example.com:80", ":80", "1.2.3.4:123456" };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    ck_assert_msg(addr_parse(bad[i], -1, &ss, &len) == -1, "accepted %s", bad[i]);
}
END_TEST

#ifndef _WIN32
static int cond_true_int(void *arg) { return *(int *)arg != 0; }
static int cond_paused(void *arg) { return listener_is_paused(arg); }
#endif

START_TEST(test_pause_on_emfile)
{
#ifdef _WIN32
  fprintf(stderr, "test_pause_on_emfile: needs setrlimit; skipped on Windows\n");
#else
  /* Runs in its own forked process (Check), so lowering the limit is local. */
  mainloop_t *ml = mainloop_new();
  tlisten_t tl = { 0 };
  int port = tlisten_start(&tl, ml, NULL, 0);
  ck_assert_int_gt(port, 0);
  /* The client socket connects (the kernel completes it into the backlog)
   * before the descriptors run out. */
  int cli = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_port = htons((uint16_t)port);
  sin.sin_addr.s_addr = htonl(0x7f000001);
  ck_assert_int_eq(connect(cli, (struct sockaddr *)&sin, sizeof(sin)), 0);
  struct rlimit rl, saved;
  getrlimit(RLIMIT_NOFILE, &rl);
  saved = rl;
  int top = dup(0);
  rl.rlim_cur = (rlim_t)top + 1;
  close(top);
  ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
  int fill[64], n_fill = 0;
  while (n_fill < 64 && (fill[n_fill] = dup(0)) >= 0)
    n_fill++;
  ck_assert_int_lt(n_fill, 64);
  ck_assert_int_eq(mainloop_run_until(ml, cond_paused, tl.l, 10), 1);
  ck_assert_uint_ge(listener_n_pauses(tl.l), 1);
  ck_assert_int_eq(tl.n_accepted, 0);
  /* Free descriptors: after the pause the queued connection is accepted. */
  for (int i = 0; i < n_fill; i++)
    close(fill[i]);
  ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &saved), 0);
  ck_assert_int_eq(mainloop_run_until(ml, cond_true_int, &tl.n_accepted, 10), 1);
  ck_assert_int_eq(listener_is_paused(tl.l), 0);
  ck_assert_uint_eq(listener_n_pauses(tl.l), 1);
  close(cli);
  listener_free(tl.l);
  mainloop_free(ml);
#endif
}
END_TEST

START_TEST(test_listen_on_busy_port_fails)
{
  mainloop_t *ml = mainloop_new();
  tlisten_t a = { 0 }, b = { 0 };
  int port = tlisten_start(&a, ml, NULL, 0);
  ck_assert_int_gt(port, 0);
  struct sockaddr_storage ss;
  int len;
  char where[32];
  snprintf(where, sizeof(where), "127.0.0.1:%d", port);
  ck_assert_int_eq(addr_parse(where, -1, &ss, &len), 0);
  b.ml = ml;
  ck_assert_ptr_null(listener_new(ml, (struct sockaddr *)&ss, len, NULL, &b));
  listener_free(a.l);
  mainloop_free(ml);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("core_listener");
  TESTUTIL_ADD(s, test_addr_parse, 10);
  TESTUTIL_ADD(s, test_pause_on_emfile, 30);
  TESTUTIL_ADD(s, test_listen_on_busy_port_fails, 10);
  return s;
}
