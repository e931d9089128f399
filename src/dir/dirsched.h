/* dirsched.h — when the directory client fetches: the consensus refresh
 * time (dir-spec §5.1) and the retry back-off after failures.  Pure
 * functions of their inputs and a random source, so tests can pin them. */
#ifndef EVONION_DIR_DIRSCHED_H
#define EVONION_DIR_DIRSCHED_H

#include <stdint.h>

/** A random source: a uniform integer in [0, max) (max > 0). */
typedef uint64_t (*dirsched_rand_fn)(uint64_t max);

/** The window in which a client fetches the next consensus (dir-spec §5.1,
 *  as tor's client does it): it starts 3/4 of the way through the first
 *  interval after fresh-until (interval = fresh_until - valid_after) and
 *  lasts 7/8 of what remains until valid-until, at least 1 second, and ends
 *  before valid-until.  Sets *start and *len (seconds).  Returns 0, or -1 if
 *  the times are not ordered valid_after < fresh_until < valid_until. */
int dirsched_refresh_window(int64_t valid_after, int64_t fresh_until, int64_t valid_until,
                            int64_t *start, int64_t *len);

/** A uniformly random time in the refresh window (rnd picks it).  With
 *  disordered times: fresh_until (or valid_after + 60 if even that is not
 *  after valid_after) — never earlier than valid_after. */
int64_t dirsched_refresh_time(int64_t valid_after, int64_t fresh_until, int64_t valid_until,
                              dirsched_rand_fn rnd);

/** Exponential back-off with jitter, one per kind of download.
 *  Attempt n (after n failures) waits a random time in
 *  [d/2, d] with d = min(cap, base * 2^(n-1)); the first attempt waits 0. */
typedef struct dirsched_backoff_t {
  double base;            /**< seconds before the first retry (its upper bound) */
  double cap;             /**< the longest wait */
  unsigned n_failures;    /**< failures since the last success */
} dirsched_backoff_t;

/** Normal back-off parameters: 2 s doubling to 120 s. */
#define DIRSCHED_BACKOFF_BASE 2.0
#define DIRSCHED_BACKOFF_CAP 120.0
/** Under --testing-tor-network (tor sets the download initial delays to 0
 *  there): 0.5 s doubling to 5 s. */
#define DIRSCHED_TESTING_BACKOFF_BASE 0.5
#define DIRSCHED_TESTING_BACKOFF_CAP 5.0

/** Start a back-off with these parameters and no failures. */
void dirsched_backoff_init(dirsched_backoff_t *b, double base, double cap);

/** Record a failure; returns how long to wait before the next attempt
 *  (seconds, > 0). */
double dirsched_backoff_failed(dirsched_backoff_t *b, dirsched_rand_fn rnd);

/** Record a success: the next failure starts from base again. */
void dirsched_backoff_succeeded(dirsched_backoff_t *b);

/** The upper bound of the wait after n failures (n >= 1): min(cap, base * 2^(n-1)). */
double dirsched_backoff_bound(const dirsched_backoff_t *b, unsigned n);

#endif
