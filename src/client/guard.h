/* guard.h — entry guards: tor's basic guard rules (guard-spec), simplified.
 *
 * A guard set is a small persistent *sample* of Guard-flagged relays, in the
 * order they were sampled (bandwidth-weighted, guard position).  Its
 * *primary* guards are the first n (consensus "guard-n-primary-guards",
 * default 3) sampled guards that the current consensus lists as usable
 * guards; a circuit uses the first primary guard that is reachable and fits
 * the circuit (not the exit, nor its family or /16), else the next usable
 * sampled guard, else the sample grows by one.  So a client keeps its first
 * guard as long as that guard is listed and working.  The sample holds at
 * most "guard-max-sample-size" (60) or "guard-max-sample-threshold-percent"
 * (20%) of the possible guards, whichever is less, but never fewer than
 * "guard-min-filtered-sample-size" (20) when there are that many.
 *
 * - A guard the consensus no longer lists (or lists without Guard, Running,
 *   Valid ...) is skipped but kept; after "guard-remove-unlisted-guards-
 *   after-days" (tor's default 20) unlisted days it is dropped.  Guards
 *   sampled "guard-lifetime-days" (120) ago are dropped unless they were
 *   first used (confirmed) within "guard-confirmed-min-lifetime-days" (60).
 * - guard_note_failure() marks a guard unreachable; it is retried on tor's
 *   schedule (primary: every 10 min for 6 h, 90 min up to 4 days, 4 h up to
 *   7 days, then 9 h; others 1 h / 4 h / 18 h / 36 h).  guard_note_success()
 *   clears that; a success on a non-primary guard after a long silence
 *   ("guard-internet-likely-down-interval", 600 s) makes the primaries due
 *   for a retry at once (the network was probably down, not they).
 * - The sample is persisted in a small text file (guard_state.h), rewritten
 *   atomically whenever a guard is added, removed, confirmed or changes
 *   listed state.  Reachability is not persisted (tor does not either).
 *
 * Not done (tor does): confirmed guards ordered before unconfirmed ones,
 * sampled_on randomised into the past, bridges, EntryNodes, waiting for a
 * better guard before using a circuit through a non-primary one. */
#ifndef EVONION_CLIENT_GUARD_H
#define EVONION_CLIENT_GUARD_H

#include <stddef.h>
#include <stdint.h>

#include "client/path_weight.h"
#include "dir/node.h"

/** The most guards a sample (and a state file) may hold. */
#define GUARD_SAMPLE_HARD_MAX 64

/** One sampled guard. */
typedef struct guard_entry_t {
  uint8_t rsa_id[20];
  char nickname[20];           /**< NUL-terminated; informational */
  int64_t sampled_on;          /**< seconds since the epoch */
  int64_t unlisted_since;      /**< 0: listed as a usable guard at the last update */
  int64_t confirmed_on;        /**< first successful use; 0: never */
  /* Not persisted: */
  int64_t failing_since;       /**< 0: not known to fail */
  int64_t last_tried;          /**< last attempt while failing */
  int is_primary;              /**< as of the last guard_choose / guard_set_update */
} guard_entry_t;

/** What a circuit needs of its guard. */
typedef struct guard_restriction_t {
  int for_dir;                 /**< a directory fetch: the guard must be V2Dir */
  const node_t *const *avoid;  /**< nodes already in the path (may be NULL) */
  size_t n_avoid;
  int enforce_subnets;         /**< apply the /16 rule against avoid (0 under --testing-tor-network) */
} guard_restriction_t;

typedef struct guard_set_t guard_set_t;

/** A new, empty guard set.  state_path (copied; NULL: not persisted) is the
 *  file the sample is saved to; call guard_set_load to read it. */
guard_set_t *guard_set_new(const char *state_path);

/** guard_set_new("<data_dir>/state") then guard_set_load: the guard set of
 *  a data directory (which must exist).  Never NULL. */
guard_set_t *guard_set_open(const char *data_dir);

/** Free gs (NULL is fine).  Does not save. */
void guard_set_free(guard_set_t *gs);

/** Replace the sample with the one in the state file.  Returns 0 if the file
 *  was read or does not exist (empty sample), -1 if it is unreadable or not
 *  a state file (logged; the sample starts empty; a file that is not a
 *  state file is first renamed to "<path>.bad"; the next save writes a new
 *  one).  Malformed guard lines are skipped with a warning. */
int guard_set_load(guard_set_t *gs);

/** Write the sample to the state file now (temporary file + rename).
 *  Returns 0, or -1 (logged) on an I/O error or if gs has no state path. */
int guard_set_save(guard_set_t *gs);

/** Bring the sample up to date with a (new) consensus: note which guards
 *  are listed, drop those unlisted or sampled too long, recompute the
 *  primaries; saves if anything persistent changed.  guard_choose calls it. */
void guard_set_update(guard_set_t *gs, const nodelist_t *nl, int64_t now);

/** The guard for a new circuit (see the rules above), sampling new guards
 *  from nl with rng when needed.  Returns a node of nl, or NULL if no guard
 *  fits (all failing, conflicting, or no Guard-flagged usable relay). */
const node_t *guard_choose(guard_set_t *gs, const nodelist_t *nl, const guard_restriction_t *r,
                           int64_t now, const path_rng_t *rng);

/** The circuit code could not connect or build through the guard with this
 *  identity (unknown ids are ignored). */
void guard_note_failure(guard_set_t *gs, const uint8_t rsa_id[20], int64_t now);

/** A circuit through this guard was built (unknown ids are ignored). */
void guard_note_success(guard_set_t *gs, const uint8_t rsa_id[20], int64_t now);

/** The number of sampled guards. */
size_t guard_set_count(const guard_set_t *gs);

/** Sampled guard i (0 <= i < guard_set_count), in sample order; owned by gs,
 *  valid until the next call that changes the set. */
const guard_entry_t *guard_set_get(const guard_set_t *gs, size_t i);

/** The sampled guard with this identity, or NULL. */
const guard_entry_t *guard_set_find(const guard_set_t *gs, const uint8_t rsa_id[20]);

#endif
