/* test_dircache.c — cache files: round trip, replace, no temp file left,
 * missing and oversized files. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#ifdef _WIN32
#include <direct.h>
#include <process.h>
#define getpid _getpid
#else
#include <unistd.h>
#endif

#include "dir/dircache.h"
#include "lib/alloc.h"
#include "testutil.h"

static char dir[256];

static void
setup(void)
{
  snprintf(dir, sizeof(dir), "evonion-test-dircache-%d", (int)getpid());
#ifdef _WIN32
  _mkdir(dir);
#else
  mkdir(dir, 0700);
#endif
}

static void
teardown(void)
{
  char p[512];
  snprintf(p, sizeof(p), "%s/doc", dir);
  remove(p);
  snprintf(p, sizeof(p), "%s/doc.tmp", dir);
  remove(p);
  rmdir(dir);
}

static int
exists(const char *name)
{
  char p[512];
  struct stat st;
  snprintf(p, sizeof(p), "%s/%s", dir, name);
  return stat(p, &st) == 0;
}

START_TEST(test_round_trip_and_replace)
{
  size_t len = 99;
  ck_assert_ptr_null(dircache_read(dir, "doc", 1024, &len));
  ck_assert_uint_eq(len, 0);
  uint8_t big[200000];
  uint64_t st = 5;
  testutil_fill_random(big, sizeof(big), &st);
  ck_assert_int_eq(dircache_write(dir, "doc", big, sizeof(big)), 0);
  ck_assert_int_eq(exists("doc.tmp"), 0);
  char *got = dircache_read(dir, "doc", sizeof(big), &len);
  ck_assert_ptr_nonnull(got);
  ck_assert_uint_eq(len, sizeof(big));
  ck_assert_int_eq(memcmp(got, big, sizeof(big)), 0);
  ck_assert_int_eq(got[len], '\0');
  x_free(got);
  /* One byte over the cap: refused. */
  ck_assert_ptr_null(dircache_read(dir, "doc", sizeof(big) - 1, &len));
  /* Replacing an existing file (rename over it; MoveFileEx on Windows). */
  ck_assert_int_eq(dircache_write(dir, "doc", "short", 5), 0);
  got = dircache_read(dir, "doc", 1024, &len);
  ck_assert_ptr_nonnull(got);
  ck_assert_str_eq(got, "short");
  x_free(got);
  ck_assert_int_eq(dircache_write(dir, "doc", "", 0), 0);
  got = dircache_read(dir, "doc", 1024, &len);
  ck_assert_ptr_nonnull(got);
  ck_assert_uint_eq(len, 0);
  x_free(got);
  /* A directory that does not exist: an error, nothing written. */
  ck_assert_int_eq(dircache_write("/nonexistent-evonion-dir/x", "doc", "a", 1), -1);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("dir_dircache");
  TCase *tc = tcase_create("round_trip_and_replace");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_round_trip_and_replace);
  suite_add_tcase(s, tc);
  return s;
}
