/* testutil.h — helpers shared by the unit tests. */
#ifndef EVONION_TESTUTIL_H
#define EVONION_TESTUTIL_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

/** Every test file defines this: the one suite it runs. */
Suite *unit_suite(void);

/** Process-wide set-up done once before the suite (sockets on Windows, threads). */
void testutil_global_init(void);

/** Seconds on a monotonic clock. */
double testutil_now(void);

/** Fill buf with deterministic pseudo-random bytes from *state (xorshift). */
void testutil_fill_random(uint8_t *buf, size_t n, uint64_t *state);

/** A pseudo-random number in [lo, hi] from *state. */
size_t testutil_rand_range(uint64_t *state, size_t lo, size_t hi);

/** Decode a hex string into out (at most outlen bytes); returns the length or -1. */
int testutil_unhex(const char *hex, uint8_t *out, size_t outlen);

/** Add a test with a timeout in seconds to a new TCase called name. */
void testutil_add(Suite *s, const char *name, const TTest *fn, int timeout);
#define TESTUTIL_ADD(s, fn, timeout) testutil_add((s), #fn, (fn), (timeout))

/** One test of a table: its name, function and timeout in seconds. */
typedef struct testutil_case_t {
  const char *name;
  const TTest *fn;
  int timeout;
} testutil_case_t;
/** Add each case of the table as its own TCase, with setup/teardown (may be NULL). */
void testutil_add_cases(Suite *s, const testutil_case_t *cases, size_t n, SFun setup,
                        SFun teardown);

#endif
