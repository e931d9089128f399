/* check_main.c — the main() of every unit-test program.
 *
 * Each test file defines unit_suite(); this runs it with Check and exits
 * non-zero on any failure.  On Windows an unhandled exception terminates the
 * process with status 99, because under Wine a crash can otherwise exit 0. */
#include <check.h>
#include <stdlib.h>
#include <stdio.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <signal.h>
#endif

#include "testutil.h"

#ifdef _WIN32
static LONG WINAPI
crash_filter(EXCEPTION_POINTERS *info)
{
  (void)info;
  fprintf(stderr, "unhandled exception: terminating with status 99\n");
  fflush(stderr);
  TerminateProcess(GetCurrentProcess(), 99);
  return EXCEPTION_EXECUTE_HANDLER;
}
#endif

int
main(void)
{
#ifdef _WIN32
  SetUnhandledExceptionFilter(crash_filter);
#endif
  /* (SIGPIPE is left as the program finds it: mainloop_new() ignores it, and
   * core_conn's peer_gone_while_writing checks that) */
  testutil_global_init();
  SRunner *sr = srunner_create(unit_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
