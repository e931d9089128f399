/* test_policy_summary.c — exit-policy summaries ("p"/"p6" lines).
 *
 * Inputs and expected canonical forms of the "tor" cases are copied from
 * tor's src/test/test_policy.c, test_policies_general (the
 * test_short_policy_parse() calls and TT_BAD_SHORT_POLICY cases),
 * github.com/torproject/tor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/nodedoc/policy_summary.h"
#include "testutil.h"

static void
check_roundtrip(const char *in, const char *expected)
{
  policy_summary_t *p = policy_summary_parse(in, strlen(in));
  ck_assert_msg(p != NULL, "did not parse: %s", in);
  char buf[4096];
  size_t n = policy_summary_write(p, buf, sizeof(buf));
  ck_assert_uint_eq(n, strlen(buf));
  ck_assert_str_eq(buf, expected ? expected : in);
  /* The invariant the header promises: ascending, non-overlapping. */
  for (size_t i = 0; i < p->n_ranges; i++) {
    ck_assert_uint_ge(p->ranges[i].lo, 1);
    ck_assert_uint_le(p->ranges[i].lo, p->ranges[i].hi);
    if (i > 0)
      ck_assert_uint_gt(p->ranges[i].lo, (unsigned)p->ranges[i - 1].hi + 1);
  }
  policy_summary_free(p);
}

START_TEST(test_tor_lenient_cases)
{
  /* tor: "Short policies with unrecognized formats should get accepted." */
  check_roundtrip("accept fred,2,3-5", "accept 2-5");   /* tor: "accept 2,3-5"; we merge */
  check_roundtrip("accept 2,fred,3", "accept 2-3");     /* tor: "accept 2,3" */
  check_roundtrip("accept 2,fred,3,bob", "accept 2-3"); /* tor: "accept 2,3" */
  check_roundtrip("accept 2,-3,500-600", "accept 2,500-600");
  /* tor: "Short policies with nil entries are accepted too." */
  check_roundtrip("accept 1,,3", "accept 1,3");
  check_roundtrip("accept 100-200,,", "accept 100-200");
  check_roundtrip("reject ,1-10,,,,30-40", "reject 1-10,30-40");
}
END_TEST

START_TEST(test_tor_bad_cases)
{
  static const char *bad[] = {
    "accept 200-199", "", "rejekt 1,2,3", "reject ", "reject", "rej",
    "accept 2,3,100000", "accept 2,3x,4", "accept 2-", "accept 2-x", "accept 1-,3",
    /* ours: port 0, the keyword glued to the list, only skipped entries */
    "accept 0", "accept 0-5", "accept80", "accept fred", "reject ,,,", "accept 70000-70001",
    "accept 1-65536", "accept 5-4,6",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    ck_assert_msg(policy_summary_parse(bad[i], strlen(bad[i])) == NULL, "accepted: '%s'", bad[i]);
  ck_assert_ptr_null(policy_summary_parse(NULL, 0));
}
END_TEST

START_TEST(test_tor_too_long)
{
  /* tor's "too-long policy": accept 1,2,...,9999,20000 */
  char *s = malloc(80000);
  size_t off = (size_t)sprintf(s, "accept ");
  for (int i = 1; i < 10000; i++)
    off += (size_t)sprintf(s + off, "%d,", i);
  off += (size_t)sprintf(s + off, "20000");
  ck_assert_ptr_null(policy_summary_parse(s, off));
  free(s);
}
END_TEST

START_TEST(test_range_cap)
{
  /* 512 disjoint ranges fit; 513 do not. */
  char *s = malloc(16000);
  size_t off = (size_t)sprintf(s, "accept ");
  for (int i = 0; i < POLICY_SUMMARY_MAX_RANGES; i++)
    off += (size_t)sprintf(s + off, "%s%d", i ? "," : "", 1 + 2 * i);
  policy_summary_t *p = policy_summary_parse(s, off);
  ck_assert_ptr_nonnull(p);
  ck_assert_uint_eq(p->n_ranges, POLICY_SUMMARY_MAX_RANGES);
  ck_assert_int_eq(policy_summary_allows_port(p, 1023), 1);
  ck_assert_int_eq(policy_summary_allows_port(p, 1024), 0);
  ck_assert_int_eq(policy_summary_allows_port(p, 1025), 0);
  policy_summary_free(p);
  off += (size_t)sprintf(s + off, ",%d", 1 + 2 * POLICY_SUMMARY_MAX_RANGES);
  ck_assert_ptr_null(policy_summary_parse(s, off));
  free(s);
}
END_TEST

START_TEST(test_unsorted_and_overlapping)
{
  check_roundtrip("accept 443,80,22-25,24-30,31", "accept 22-31,80,443");
  check_roundtrip("reject 1-10,11-65535", "reject 1-65535");
  check_roundtrip("accept 1-65535", NULL);
  check_roundtrip("accept 65535", NULL);
  check_roundtrip("accept  80 ", "accept 80"); /* extra blanks around the list */
}
END_TEST

START_TEST(test_allows_port)
{
  const char *s = "accept 20-23,43,53,79-81,88,110,143,194,220,389,443,464-465,531,543-544";
  policy_summary_t *p = policy_summary_parse(s, strlen(s));
  ck_assert_ptr_nonnull(p);
  static const struct { uint16_t port; int ok; } cases[] = {
    { 19, 0 }, { 20, 1 }, { 23, 1 }, { 24, 0 }, { 43, 1 }, { 80, 1 }, { 82, 0 },
    { 443, 1 }, { 465, 1 }, { 466, 0 }, { 544, 1 }, { 545, 0 }, { 65535, 0 }, { 0, 0 },
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    ck_assert_msg(policy_summary_allows_port(p, cases[i].port) == cases[i].ok, "port %u",
                  (unsigned)cases[i].port);
  ck_assert_int_eq(policy_summary_allows_any(p), 1);
  policy_summary_free(p);

  s = "reject 25,119,135-139,445,563,1214,4661-4666,6346-6429,6699,6881-6999";
  p = policy_summary_parse(s, strlen(s));
  ck_assert_ptr_nonnull(p);
  ck_assert_int_eq(policy_summary_allows_port(p, 80), 1);
  ck_assert_int_eq(policy_summary_allows_port(p, 25), 0);
  ck_assert_int_eq(policy_summary_allows_port(p, 6400), 0);
  ck_assert_int_eq(policy_summary_allows_port(p, 7000), 1);
  ck_assert_int_eq(policy_summary_allows_port(p, 65535), 1);
  ck_assert_int_eq(policy_summary_allows_port(p, 0), 0);
  ck_assert_int_eq(policy_summary_allows_any(p), 1);
  policy_summary_free(p);
}
END_TEST

START_TEST(test_reject_all)
{
  policy_summary_t *p = policy_summary_new_reject_all();
  ck_assert_int_eq(policy_summary_allows_any(p), 0);
  ck_assert_int_eq(policy_summary_allows_port(p, 1), 0);
  ck_assert_int_eq(policy_summary_allows_port(p, 80), 0);
  ck_assert_int_eq(policy_summary_allows_port(p, 65535), 0);
  char buf[64];
  policy_summary_write(p, buf, sizeof(buf));
  ck_assert_str_eq(buf, "reject 1-65535");
  policy_summary_free(p);

  /* the same from text, and its opposite: exit1's "p accept 1-65535" */
  const char *s = "reject 1-65535";
  p = policy_summary_parse(s, strlen(s));
  ck_assert_int_eq(policy_summary_allows_any(p), 0);
  policy_summary_free(p);
  s = "accept 1-65535";
  p = policy_summary_parse(s, strlen(s));
  ck_assert_int_eq(policy_summary_allows_any(p), 1);
  ck_assert_int_eq(policy_summary_allows_port(p, 1), 1);
  ck_assert_int_eq(policy_summary_allows_port(p, 65535), 1);
  policy_summary_free(p);

  ck_assert_int_eq(policy_summary_allows_any(NULL), 0);
  ck_assert_int_eq(policy_summary_allows_port(NULL, 80), 0);
  policy_summary_free(NULL);
}
END_TEST

START_TEST(test_write_truncates)
{
  const char *s = "accept 80,443";
  policy_summary_t *p = policy_summary_parse(s, strlen(s));
  char buf[8];
  memset(buf, 'X', sizeof(buf));
  ck_assert_uint_eq(policy_summary_write(p, buf, sizeof(buf)), strlen(s));
  ck_assert_str_eq(buf, "accept ");
  ck_assert_uint_eq(policy_summary_write(p, NULL, 0), strlen(s));
  policy_summary_free(p);
}
END_TEST

START_TEST(test_not_nul_terminated)
{
  /* the parser honours len and never reads past it */
  const char s[] = "accept 80,443,8080";
  policy_summary_t *p = policy_summary_parse(s, 13); /* "accept 80,443" */
  ck_assert_ptr_nonnull(p);
  ck_assert_int_eq(policy_summary_allows_port(p, 443), 1);
  ck_assert_int_eq(policy_summary_allows_port(p, 8080), 0);
  policy_summary_free(p);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("proto_nodedoc_policy_summary");
  TESTUTIL_ADD(s, test_tor_lenient_cases, 30);
  TESTUTIL_ADD(s, test_tor_bad_cases, 30);
  TESTUTIL_ADD(s, test_tor_too_long, 30);
  TESTUTIL_ADD(s, test_range_cap, 30);
  TESTUTIL_ADD(s, test_unsorted_and_overlapping, 30);
  TESTUTIL_ADD(s, test_allows_port, 30);
  TESTUTIL_ADD(s, test_reject_all, 30);
  TESTUTIL_ADD(s, test_write_truncates, 30);
  TESTUTIL_ADD(s, test_not_nul_terminated, 30);
  return s;
}
