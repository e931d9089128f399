/* bench_util.c — CPU-time clock and report line for the benchmarks. */
#include "bench_util.h"

#include <stdio.h>
#include <time.h>
#ifdef _WIN32
#include <windows.h>
#endif

double
bench_cpu_now(void)
{
#ifdef _WIN32
  FILETIME c, e, k, u;
  GetProcessTimes(GetCurrentProcess(), &c, &e, &k, &u);
  ULARGE_INTEGER uk, uu;
  uk.LowPart = k.dwLowDateTime;
  uk.HighPart = k.dwHighDateTime;
  uu.LowPart = u.dwLowDateTime;
  uu.HighPart = u.dwHighDateTime;
  return (double)(uk.QuadPart + uu.QuadPart) / 1e7;
#else
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
#endif
}

void
bench_report(const char *name, size_t chunk, double bytes, double secs)
{
  printf("%-30s %6zu %10.1f\n", name, chunk, bytes / secs / 1e6);
  fflush(stdout);
}
