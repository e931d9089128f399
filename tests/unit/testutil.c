/* testutil.c — helpers shared by the unit tests. */
#include "testutil.h"

#include <string.h>
#include <time.h>
#ifdef _WIN32
#include <winsock2.h>
#include <windows.h>
#endif

void
testutil_global_init(void)
{
#ifdef _WIN32
  WSADATA wsa;
  WSAStartup(MAKEWORD(2, 2), &wsa);
#endif
}

double
testutil_now(void)
{
#ifdef _WIN32
  LARGE_INTEGER f, c;
  QueryPerformanceFrequency(&f);
  QueryPerformanceCounter(&c);
  return (double)c.QuadPart / (double)f.QuadPart;
#else
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
#endif
}

static uint64_t
xorshift(uint64_t *s)
{
  uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ULL;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *s = x;
}

void
testutil_fill_random(uint8_t *buf, size_t n, uint64_t *state)
{
  for (size_t i = 0; i < n; i += 8) {
    uint64_t r = xorshift(state);
    size_t k = n - i < 8 ? n - i : 8;
    memcpy(buf + i, &r, k);
  }
}

size_t
testutil_rand_range(uint64_t *state, size_t lo, size_t hi)
{
  return lo + (size_t)(xorshift(state) % (uint64_t)(hi - lo + 1));
}

static int
hexval(char c)
{
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int
testutil_unhex(const char *hex, uint8_t *out, size_t outlen)
{
  size_t n = strlen(hex);
  if (n % 2 || n / 2 > outlen)
    return -1;
  for (size_t i = 0; i < n / 2; i++) {
    int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return -1;
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  return (int)(n / 2);
}

void
testutil_add(Suite *s, const char *name, const TTest *fn, int timeout)
{
  TCase *tc = tcase_create(name);
  tcase_set_timeout(tc, timeout);
  tcase_add_test(tc, fn);
  suite_add_tcase(s, tc);
}

void
testutil_add_cases(Suite *s, const testutil_case_t *cases, size_t n, SFun setup, SFun teardown)
{
  for (size_t i = 0; i < n; i++) {
    TCase *tc = tcase_create(cases[i].name);
    if (setup || teardown)
      tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, cases[i].timeout);
    tcase_add_test(tc, cases[i].fn);
    suite_add_tcase(s, tc);
  }
}
