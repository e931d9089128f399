/* test_dirsched.c — the consensus refresh window (dir-spec §5.1) and the
 * retry back-off. */
#include <stdint.h>
#include <stdlib.h>

#include "dir/dirsched.h"
#include "testutil.h"

static uint64_t rand_state = 0x1234567;

static uint64_t
rnd_low(uint64_t max)
{
  (void)max;
  return 0;
}

static uint64_t
rnd_high(uint64_t max)
{
  return max - 1;
}

static uint64_t
rnd_any(uint64_t max)
{
  return testutil_rand_range(&rand_state, 0, (size_t)(max - 1));
}

START_TEST(test_spec_example)
{
  /* dir-spec §5.1: valid at 1:00, fresh until 2:00, expires at 4:00 → a
   * random time between 2:45 and 3:50 (the spec rounds: 7/8 of 75 minutes
   * is 65 min 37.5 s, so tor's integer arithmetic ends it at 3:50:37). */
  int64_t va = 3600, fu = 7200, vu = 14400, start, len;
  ck_assert_int_eq(dirsched_refresh_window(va, fu, vu, &start, &len), 0);
  ck_assert_int_eq(start, 2 * 3600 + 45 * 60);
  ck_assert_int_eq(len, 75 * 60 * 7 / 8);
  ck_assert_int_eq(len, 65 * 60 + 37);
  ck_assert_int_eq(dirsched_refresh_time(va, fu, vu, rnd_low), start);
  ck_assert_int_eq(dirsched_refresh_time(va, fu, vu, rnd_high), start + len - 1);
  for (int i = 0; i < 1000; i++) {
    int64_t t = dirsched_refresh_time(va, fu, vu, rnd_any);
    ck_assert(t >= 2 * 3600 + 45 * 60 && t < 3 * 3600 + 50 * 60 + 37);
  }
}
END_TEST

START_TEST(test_public_network_times)
{
  /* The public network: valid-after, fresh-until 1 h later, valid-until 3 h later. */
  int64_t va = 1796036400, start, len;
  ck_assert_int_eq(dirsched_refresh_window(va, va + 3600, va + 3 * 3600, &start, &len), 0);
  ck_assert_int_eq(start, va + 3600 + 2700);
  ck_assert_int_eq(len, (3 * 3600 - 3600 - 2700) * 7 / 8);
  ck_assert(start + len < va + 3 * 3600);
}
END_TEST

START_TEST(test_test_network_times)
{
  /* A test network votes every 10 s: fresh 10 s, valid 20 s (the fixture). */
  int64_t va = 1796036530, start, len;
  ck_assert_int_eq(dirsched_refresh_window(va, va + 10, va + 20, &start, &len), 0);
  ck_assert(start > va + 10);
  ck_assert(len >= 1);
  ck_assert(start + len < va + 20);
  for (int i = 0; i < 100; i++) {
    int64_t t = dirsched_refresh_time(va, va + 10, va + 20, rnd_any);
    ck_assert(t > va + 10 && t < va + 20);
  }
  /* Degenerate: 1 s apart each. */
  ck_assert_int_eq(dirsched_refresh_window(va, va + 1, va + 2, &start, &len), 0);
  ck_assert(start >= va + 1 && len >= 1);
  /* Disordered times are refused; the time falls back to fresh-until. */
  ck_assert_int_eq(dirsched_refresh_window(va, va, va + 20, &start, &len), -1);
  ck_assert_int_eq(dirsched_refresh_window(va, va + 30, va + 20, &start, &len), -1);
  ck_assert_int_eq(dirsched_refresh_time(va, va + 30, va + 20, rnd_any), va + 30);
  ck_assert_int_eq(dirsched_refresh_time(va, va - 5, va + 20, rnd_any), va + 60);
}
END_TEST

START_TEST(test_backoff_schedule)
{
  dirsched_backoff_t b;
  dirsched_backoff_init(&b, 2.0, 120.0);
  static const double bound[] = { 2, 4, 8, 16, 32, 64, 120, 120, 120 };
  for (unsigned n = 1; n <= 9; n++)
    ck_assert_double_eq_tol(dirsched_backoff_bound(&b, n), bound[n - 1], 1e-9);
  /* Lowest jitter: half the bound; highest: the bound. */
  for (unsigned n = 1; n <= 9; n++) {
    double d = dirsched_backoff_failed(&b, rnd_low);
    ck_assert_double_eq_tol(d, bound[n - 1] / 2, 1e-9);
  }
  dirsched_backoff_succeeded(&b);
  ck_assert_uint_eq(b.n_failures, 0);
  for (unsigned n = 1; n <= 9; n++) {
    double d = dirsched_backoff_failed(&b, rnd_high);
    ck_assert_double_eq_tol(d, bound[n - 1], 1e-3);
  }
  /* Random jitter stays in [bound/2, bound] and is not constant. */
  dirsched_backoff_succeeded(&b);
  double first = -1;
  int varied = 0;
  for (int i = 0; i < 200; i++) {
    dirsched_backoff_init(&b, 2.0, 120.0);
    for (int k = 0; k < 3; k++) {
      double d = dirsched_backoff_failed(&b, rnd_any);
      ck_assert(d >= bound[k] / 2 - 1e-9 && d <= bound[k] + 1e-9);
      if (k == 2) {
        if (first >= 0 && d != first)
          varied = 1;
        first = d;
      }
    }
  }
  ck_assert(varied);
  /* Testing-network parameters. */
  dirsched_backoff_init(&b, DIRSCHED_TESTING_BACKOFF_BASE, DIRSCHED_TESTING_BACKOFF_CAP);
  ck_assert_double_eq_tol(dirsched_backoff_bound(&b, 1), 0.5, 1e-9);
  ck_assert_double_eq_tol(dirsched_backoff_bound(&b, 30), 5.0, 1e-9);
  /* Many failures do not overflow. */
  for (int i = 0; i < 5000; i++)
    ck_assert(dirsched_backoff_failed(&b, rnd_any) <= 5.0 + 1e-9);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("dir_dirsched");
  TESTUTIL_ADD(s, test_spec_example, 10);
  TESTUTIL_ADD(s, test_public_network_times, 10);
  TESTUTIL_ADD(s, test_test_network_times, 10);
  TESTUTIL_ADD(s, test_backoff_schedule, 10);
  return s;
}
