/* mainloop.h — the event base, timers, the close sweep and the rate-limit
 * configuration: the context every connection lives in.
 *
 * One mainloop_t per event loop (design.md §6: no scattered globals, so a relay
 * can later run one loop per core).  On Windows the base is created with
 * IOCP (EVENT_BASE_FLAG_STARTUP_IOCP after evthread_use_windows_threads()). */
#ifndef EVONION_CORE_MAINLOOP_H
#define EVONION_CORE_MAINLOOP_H

#include <stdint.h>

struct event_base;
typedef struct mainloop_t mainloop_t;
typedef struct conn_t conn_t;

/** Which bandwidth limit a setting is for. */
typedef enum mainloop_limit_t {
  LIMIT_GLOBAL = 0,  /**< --bandwidth-rate/-burst: every socket-level bufferevent */
  LIMIT_RELAYED,     /**< --relay-bandwidth-rate/-burst: TLS bufferevents of relayed connections */
  LIMIT_PER_CONN,    /**< --per-conn-bandwidth-rate/-burst: each connection on its own */
  LIMIT_N_KINDS,
} mainloop_limit_t;

/** How often token buckets are refilled (tor's TokenBucketRefillInterval). */
#define MAINLOOP_REFILL_MSEC 100

/** Create an event loop.  Returns NULL (and logs) if libevent cannot start.
 *  The first call also sets up libevent's threading and, on POSIX, ignores
 *  SIGPIPE for the process (a peer that goes away gives EPIPE, not death). */
mainloop_t *mainloop_new(void);
/** Free the loop: closes every connection still open (calling about_to_close),
 *  removes every bufferevent from its rate-limit group, then frees the groups. */
void mainloop_free(mainloop_t *ml);
/** The libevent base.  Only core/ uses it. */
struct event_base *mainloop_base(mainloop_t *ml);
/** 1 if bufferevents on this loop are IOCP ("async") bufferevents. */
int mainloop_uses_iocp(const mainloop_t *ml);

/** Run until mainloop_exit().  Returns 0, or -1 on a libevent error. */
int mainloop_run(mainloop_t *ml);
/** Make mainloop_run() return after the current loop turn. */
void mainloop_exit(mainloop_t *ml);
/** Run the loop until cond(arg) is true or timeout seconds pass; cond is
 *  checked after every loop turn and at least every 20 ms.
 *  Returns 1 if the condition became true, 0 on timeout. */
int mainloop_run_until(mainloop_t *ml, int (*cond)(void *arg), void *arg, double timeout);

/** Set a bandwidth limit in bytes per second (rate 0 = unlimited; burst 0 = rate).
 *  Takes effect at once for every connection, also at run time.
 *  Returns 0, or -1 if libevent refuses the configuration. */
int mainloop_set_limit(mainloop_t *ml, mainloop_limit_t kind, uint64_t rate, uint64_t burst);
/** The current rate of a limit (0 = unlimited). */
uint64_t mainloop_get_limit_rate(const mainloop_t *ml, mainloop_limit_t kind);

/** Number of connections that exist (open or marked, not yet swept). */
int mainloop_n_conns(const mainloop_t *ml);

/* ---- timers ---- */
typedef struct mtimer_t mtimer_t;
typedef void (*mtimer_cb_t)(mtimer_t *t, void *arg);
/** A timer that calls cb(t, arg) once per mtimer_schedule(). */
mtimer_t *mtimer_new(mainloop_t *ml, mtimer_cb_t cb, void *arg);
/** (Re)arm the timer to fire after seconds. */
void mtimer_schedule(mtimer_t *t, double seconds);
/** Disarm the timer. */
void mtimer_cancel(mtimer_t *t);
/** 1 if the timer is armed. */
int mtimer_is_pending(const mtimer_t *t);
/** Free the timer (disarming it); NULL is fine. */
void mtimer_free(mtimer_t *t);

#endif
