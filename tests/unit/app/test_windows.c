/* test_windows.c — the program's platform parts: the default data directory
 * (%APPDATA%\evonion on Windows, ~/.evonion elsewhere) and, on Windows, the
 * console control handler (Ctrl-C, console close) shutting evonion down
 * cleanly with its state written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef _WIN32
#include <windows.h>
#endif

#include "app/app.h"
#include "app/config.h"
#include "lib/alloc.h"
#include "lib/log.h"
#include "testutil.h"

#ifdef _WIN32
#define HOME_VAR "APPDATA"
#else
#define HOME_VAR "HOME"
#endif

/* Set (value non-NULL) or remove an environment variable, portably. */
static void
set_env(const char *name, const char *value)
{
#ifdef _WIN32
  char buf[512];
  snprintf(buf, sizeof(buf), "%s=%s", name, value ? value : "");
  ck_assert_int_eq(_putenv(buf), 0);
#else
  if (value)
    ck_assert_int_eq(setenv(name, value, 1), 0);
  else
    ck_assert_int_eq(unsetenv(name), 0);
#endif
}

START_TEST(test_default_data_directory)
{
  const char *orig = getenv(HOME_VAR);
  char *saved = orig ? x_strdup(orig) : NULL;
#ifdef _WIN32
  /* Wine and Windows both set APPDATA for a user's process. */
  ck_assert_msg(saved != NULL && saved[0] && saved[1] == ':', "APPDATA is not a drive path");
  set_env(HOME_VAR, "C:\\Users\\tester\\AppData\\Roaming");
  const char *want = "C:\\Users\\tester\\AppData\\Roaming\\evonion";
#else
  set_env(HOME_VAR, "/home/tester");
  const char *want = "/home/tester/.evonion";
#endif
  char *d = config_default_data_directory();
  ck_assert_ptr_nonnull(d);
  ck_assert_str_eq(d, want);
  x_free(d);
  /* config_finish fills it in when --data-directory is absent. */
  evonion_config_t cfg;
  char err[256];
  const char *stopped = NULL;
  char *argv[] = { "evonion" };
  memset(&cfg, 0, sizeof(cfg));
  ck_assert_int_eq(flags_parse(evonion_flags, &cfg, 1, argv, &stopped, err, sizeof(err)), 0);
  ck_assert_int_eq(config_finish(&cfg, err, sizeof(err)), 0);
  ck_assert_str_eq(cfg.data_directory, want);
  config_free(&cfg);
  /* Without the variable: no default, and the error names the variable. */
  set_env(HOME_VAR, NULL);
  ck_assert_ptr_null(config_default_data_directory());
  memset(&cfg, 0, sizeof(cfg));
  ck_assert_int_eq(flags_parse(evonion_flags, &cfg, 1, argv, &stopped, err, sizeof(err)), 0);
  ck_assert_int_eq(config_finish(&cfg, err, sizeof(err)), -1);
  ck_assert_msg(strstr(err, HOME_VAR " is not set") != NULL, "%s", err);
  config_free(&cfg);
  set_env(HOME_VAR, saved);
  x_free(saved);
}
END_TEST

#ifdef _WIN32
/* What the log said, seen from another thread. */
static volatile LONG seen_started, seen_caught, seen_stopped;

static void
log_watch(log_severity_t sev, log_domain_t dom, const char *msg, void *arg)
{
  (void)sev; (void)dom; (void)arg;
  if (strstr(msg, "libevent backend: ") && strstr(msg, "(IOCP on)"))
    InterlockedExchange(&seen_started, 1);
  if (strstr(msg, "Caught console close: exiting cleanly.") ||
      strstr(msg, "Caught Ctrl-C: exiting cleanly."))
    InterlockedExchange(&seen_caught, 1);
  if (strstr(msg, "evonion stopped (exit status 0)."))
    InterlockedExchange(&seen_stopped, 1);
}

/* The system's side: a thread of its own calls the handler with the event. */
typedef struct sender_t {
  DWORD type;
  int handled;           /* what the handler returned */
  int stopped_at_return; /* evonion had shut down when the handler returned */
  double waited;         /* seconds the handler took */
} sender_t;

static DWORD WINAPI
sender_main(LPVOID arg)
{
  sender_t *s = arg;
  double deadline = testutil_now() + 30;
  while (!InterlockedCompareExchange(&seen_started, 0, 0) && testutil_now() < deadline)
    Sleep(10);          /* poll for the loop to be up */
  double t0 = testutil_now();
  s->handled = app_console_event_(s->type);
  s->waited = testutil_now() - t0;
  s->stopped_at_return = (int)InterlockedCompareExchange(&seen_stopped, 0, 0);
  return 0;
}

/* Run evonion (no SOCKS port, an authority nobody answers for) until a console
 * event of this type from another thread stops it.  Returns app_main's status. */
static int
run_until_console_event(sender_t *s, const char *dir)
{
  char logpath[300];
  snprintf(logpath, sizeof(logpath), "%s.log", dir);   /* opened before the dir exists */
  const char *args[] = {
    "evonion", "--data-directory", dir, "--socks-port", "0", "--log-file", logpath,
    "--testing-tor-network", "--dir-authority",
    "auth1 orport=9 v3ident=0123456789ABCDEF0123456789ABCDEF01234567 127.0.0.1:9 "
    "0123456789ABCDEF0123456789ABCDEF01234567",
  };
  char state[320];
  snprintf(state, sizeof(state), "%s\\state", dir);
  remove(state);        /* left by an earlier run: it must be written anew */
  remove(logpath);
  InterlockedExchange(&seen_started, 0);
  InterlockedExchange(&seen_caught, 0);
  InterlockedExchange(&seen_stopped, 0);
  log_set_hook(log_watch, NULL);
  HANDLE th = CreateThread(NULL, 0, sender_main, s, 0, NULL);
  ck_assert_ptr_nonnull(th);
  FILE *out = tmpfile(), *err = tmpfile();
  int rv = app_main_io((int)(sizeof(args) / sizeof(args[0])), (char **)args, out, err);
  fclose(out);
  fclose(err);
  ck_assert_int_eq(WaitForSingleObject(th, 20000), WAIT_OBJECT_0);
  CloseHandle(th);
  log_set_hook(NULL, NULL);
  return rv;
}

static void
make_dir_name(char *buf, size_t len, const char *what)
{
  snprintf(buf, len, "evonion-test-console-%s-%d", what, (int)GetCurrentProcessId());
}

START_TEST(test_console_close_waits_for_clean_shutdown)
{
  char dir[128], state[160];
  make_dir_name(dir, sizeof(dir), "close");
  sender_t s = { CTRL_CLOSE_EVENT, 0, 0, 0 };
  ck_assert_int_eq(run_until_console_event(&s, dir), 0);
  ck_assert_int_eq(s.handled, 1);
  ck_assert(InterlockedCompareExchange(&seen_caught, 0, 0));
  /* Windows ends the process when the handler returns: it must return only
   * after evonion has stopped (state written, log closed). */
  ck_assert_msg(s.stopped_at_return, "the handler returned before the shutdown ended");
  ck_assert_msg(s.waited < 4.6, "handler waited %.2f s", s.waited);
  snprintf(state, sizeof(state), "%s\\state", dir);
  struct stat st;
  ck_assert_msg(stat(state, &st) == 0, "no state file at %s", state);
}
END_TEST

START_TEST(test_console_ctrl_c_returns_at_once)
{
  char dir[128];
  make_dir_name(dir, sizeof(dir), "ctrlc");
  sender_t s = { CTRL_C_EVENT, 0, 0, 0 };
  ck_assert_int_eq(run_until_console_event(&s, dir), 0);
  ck_assert_int_eq(s.handled, 1);
  ck_assert(InterlockedCompareExchange(&seen_caught, 0, 0));
  ck_assert(InterlockedCompareExchange(&seen_stopped, 0, 0));
}
END_TEST

START_TEST(test_console_event_without_loop)
{
  /* No evonion loop runs: the handler declines, so the next one (the
   * system's default: exit) applies. */
  ck_assert_int_eq(app_console_event_(CTRL_C_EVENT), 0);
  ck_assert_int_eq(app_console_event_(CTRL_CLOSE_EVENT), 0);
}
END_TEST
#endif

Suite *
unit_suite(void)
{
  Suite *s = suite_create("app_windows");
  TESTUTIL_ADD(s, test_default_data_directory, 10);
#ifdef _WIN32
  TESTUTIL_ADD(s, test_console_event_without_loop, 10);
  TESTUTIL_ADD(s, test_console_ctrl_c_returns_at_once, 60);
  TESTUTIL_ADD(s, test_console_close_waits_for_clean_shutdown, 60);
#endif
  return s;
}
