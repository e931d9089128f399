/* bootstrap.h — bootstrap progress, logged like tor's
 * ("Bootstrapped 45% (requesting_descriptors): Asking for relay descriptors").
 *
 * The phases and percentages are tor's (control_events.h
 * bootstrap_status_t; tags and summaries from control_bootstrap.c).  Progress
 * is monotonic: a report at or below the current percentage is ignored, so
 * each phase is logged at most once, at notice level.  The directory client
 * reports 5..75; the client layer reports the later phases (80..100) through
 * the same tracker. */
#ifndef EVONION_DIR_BOOTSTRAP_H
#define EVONION_DIR_BOOTSTRAP_H

/** Phases; the value is the percentage. */
typedef enum bootstrap_status_t {
  BOOTSTRAP_STARTING = 0,
  BOOTSTRAP_CONN = 5,
  BOOTSTRAP_CONN_DONE = 10,
  BOOTSTRAP_HANDSHAKE = 14,
  BOOTSTRAP_HANDSHAKE_DONE = 15,
  BOOTSTRAP_ONEHOP_CREATE = 20,
  BOOTSTRAP_REQUESTING_STATUS = 25,
  BOOTSTRAP_LOADING_STATUS = 30,
  BOOTSTRAP_LOADING_KEYS = 40,
  BOOTSTRAP_REQUESTING_DESCRIPTORS = 45,
  BOOTSTRAP_LOADING_DESCRIPTORS = 50,
  BOOTSTRAP_ENOUGH_DIRINFO = 75,
  BOOTSTRAP_AP_CONN = 80,
  BOOTSTRAP_AP_CONN_DONE = 85,
  BOOTSTRAP_AP_HANDSHAKE = 89,
  BOOTSTRAP_AP_HANDSHAKE_DONE = 90,
  BOOTSTRAP_CIRCUIT_CREATE = 95,
  BOOTSTRAP_DONE = 100,
} bootstrap_status_t;

/** A progress tracker (one per client; start it with bootstrap_init). */
typedef struct bootstrap_t {
  int percent;              /**< the last percentage reported (-1: none yet) */
  bootstrap_status_t phase; /**< the last phase reported */
} bootstrap_t;

/** Reset to "nothing reported yet". */
void bootstrap_init(bootstrap_t *b);

/** Report that status is reached (progress: a percentage within the phase,
 *  or 0 for the phase's own).  Logs "Bootstrapped N% (tag): summary" at
 *  notice level if this is further than before; returns 1 if it logged, 0
 *  if it was not progress. */
int bootstrap_report(bootstrap_t *b, bootstrap_status_t status, int progress);

/** The current percentage (-1 before the first report). */
int bootstrap_percent(const bootstrap_t *b);

/** The tag of a phase ("enough_dirinfo"); "undef" for a value that is not one. */
const char *bootstrap_status_to_tag(bootstrap_status_t status);

/** The summary of a phase ("Loaded enough directory info to build circuits"). */
const char *bootstrap_status_to_summary(bootstrap_status_t status);

#endif
