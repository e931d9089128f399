/* mainloop.c — the event base, the close sweep, timers and rate-limit groups. */
#include "core/mainloop.h"

#include <math.h>
#include <signal.h>
#include <string.h>
#include <event2/event.h>
#include <event2/thread.h>
#ifdef _WIN32
#include <winsock2.h>
#endif

#include "core/conn.h"
#include "core/mainloop_st.h"
#include "lib/alloc.h"
#include "lib/log.h"

static void sweep_cb(evutil_socket_t fd, short what, void *arg);

#ifdef _WIN32
/* libevent's own accessor (exported, not in its public headers): the IOCP port
 * of a base, or NULL if IOCP did not start (libevent then falls back quietly). */
struct event_iocp_port *event_base_get_iocp_(struct event_base *base);
#endif

static int
threads_init_once(void)
{
  static int done;
  if (done)
    return 0;
#ifdef _WIN32
  if (evthread_use_windows_threads() < 0)
    return -1;
#else
  if (evthread_use_pthreads() < 0)
    return -1;
  /* A write to a socket whose peer has gone (a killed relay, a SOCKS client
   * that hung up) must fail with EPIPE and close that connection, not end
   * the process with SIGPIPE: neither libevent's writev nor OpenSSL's socket
   * BIO asks for MSG_NOSIGNAL. */
  signal(SIGPIPE, SIG_IGN);
#endif
  done = 1;
  return 0;
}

mainloop_t *
mainloop_new(void)
{
  if (threads_init_once() < 0) {
    log_err(LD_NET, "libevent could not set up threading");
    return NULL;
  }
  struct event_config *cfg = event_config_new();
  if (!cfg)
    return NULL;
#ifdef _WIN32
  event_config_set_flag(cfg, EVENT_BASE_FLAG_STARTUP_IOCP);
  event_config_set_num_cpus_hint(cfg, 2);
#endif
  struct event_base *base = event_base_new_with_config(cfg);
  event_config_free(cfg);
  if (!base) {
    log_err(LD_NET, "libevent could not create an event base");
    return NULL;
  }
  mainloop_t *ml = x_calloc(1, sizeof(*ml));
  ml->base = base;
#ifdef _WIN32
  ml->iocp = event_base_get_iocp_(base) != NULL;
#endif
  ml->sweep_ev = event_new(base, -1, 0, sweep_cb, ml);
  log_info(LD_NET, "libevent %s, method %s%s", event_get_version(),
           event_base_get_method(base), ml->iocp ? " with IOCP" : "");
  return ml;
}

struct event_base *
mainloop_base(mainloop_t *ml)
{
  return ml->base;
}

int
mainloop_uses_iocp(const mainloop_t *ml)
{
  return ml->iocp;
}

static void
sweep_cb(evutil_socket_t fd, short what, void *arg)
{
  mainloop_t *ml = arg;
  (void)fd; (void)what;
  /* about_to_close may mark more connections: loop until none is left. */
  while (ml->marked) {
    conn_t *c = ml->marked;
    ml->marked = c->next_marked;
    c->next_marked = NULL;
    conn_free_(c);
  }
}

void
mainloop_schedule_sweep_(mainloop_t *ml, conn_t *c)
{
  c->next_marked = ml->marked;
  ml->marked = c;
  if (!event_pending(ml->sweep_ev, EV_TIMEOUT, NULL))
    event_active(ml->sweep_ev, EV_TIMEOUT, 0);
}

void
mainloop_add_conn_(mainloop_t *ml, conn_t *c)
{
  c->ml = ml;
  c->global_id = ++ml->next_conn_id;
  c->next = ml->conns;
  if (ml->conns)
    ml->conns->prev = c;
  ml->conns = c;
  ml->n_conns++;
}

void
mainloop_remove_conn_(mainloop_t *ml, conn_t *c)
{
  if (c->prev)
    c->prev->next = c->next;
  else
    ml->conns = c->next;
  if (c->next)
    c->next->prev = c->prev;
  c->next = c->prev = NULL;
  ml->n_conns--;
}

int
mainloop_n_conns(const mainloop_t *ml)
{
  return ml->n_conns;
}

int
mainloop_run(mainloop_t *ml)
{
  return event_base_dispatch(ml->base) < 0 ? -1 : 0;
}

void
mainloop_exit(mainloop_t *ml)
{
  event_base_loopbreak(ml->base);
}

static void
run_until_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
  (void)fd; (void)what;
  *(int *)arg = 1;
}

static void
run_until_tick_cb(evutil_socket_t fd, short what, void *arg)
{
  (void)fd; (void)what; (void)arg;  /* only wakes the loop */
}

int
mainloop_run_until(mainloop_t *ml, int (*cond)(void *arg), void *arg, double timeout)
{
  int expired = 0;
  struct event *ev = evtimer_new(ml->base, run_until_deadline_cb, &expired);
  /* A condition may depend on time alone ("nothing happened for 0.5 s"):
   * wake up every 20 ms to look at it again. */
  struct event *tick = event_new(ml->base, -1, EV_PERSIST, run_until_tick_cb, NULL);
  struct timeval tv = { (long)timeout, (long)((timeout - floor(timeout)) * 1e6) };
  struct timeval tick_tv = { 0, 20000 };
  evtimer_add(ev, &tv);
  event_add(tick, &tick_tv);
  int ok = cond(arg);
  while (!ok && !expired) {
    event_base_loop(ml->base, EVLOOP_ONCE);
    ok = cond(arg);
  }
  event_free(tick);
  event_free(ev);
  return ok;
}

void
mainloop_free(mainloop_t *ml)
{
  if (!ml)
    return;
  /* Close what is still open, and what is still flushing before its close;
   * conn_free_ removes each from its groups. */
  for (conn_t *c = ml->conns; c; c = c->next)
    if (!c->marked || (c->close_after_flush && !c->in_sweep))
      conn_mark_for_close(c);
  sweep_cb(-1, 0, ml);
  /* libevent 2.1 frees a bufferevent in a finalizer callback, and a TLS
   * filter's finalizer frees the socket bufferevent, which queues another
   * one.  event_base_free() runs only the finalizers already queued, so the
   * socket layer (and the SSL) leaked.  A few non-blocking loop turns run
   * them all; nothing else is left to fire (every owner freed its timers). */
  for (int i = 0; i < 4; i++)
    event_base_loop(ml->base, EVLOOP_NONBLOCK);
  conn_ratelim_free_(ml);
  event_free(ml->sweep_ev);
  event_base_free(ml->base);
  x_free(ml);
}

/* ---- timers ---- */

struct mtimer_t {
  struct event *ev;
  mtimer_cb_t cb;
  void *arg;
};

static void
mtimer_fire_cb(evutil_socket_t fd, short what, void *arg)
{
  mtimer_t *t = arg;
  (void)fd; (void)what;
  t->cb(t, t->arg);
}

mtimer_t *
mtimer_new(mainloop_t *ml, mtimer_cb_t cb, void *arg)
{
  mtimer_t *t = x_calloc(1, sizeof(*t));
  t->cb = cb;
  t->arg = arg;
  t->ev = evtimer_new(ml->base, mtimer_fire_cb, t);
  return t;
}

void
mtimer_schedule(mtimer_t *t, double seconds)
{
  if (seconds < 0)
    seconds = 0;
  struct timeval tv = { (long)seconds, (long)((seconds - floor(seconds)) * 1e6) };
  evtimer_add(t->ev, &tv);
}

void
mtimer_cancel(mtimer_t *t)
{
  evtimer_del(t->ev);
}

int
mtimer_is_pending(const mtimer_t *t)
{
  return evtimer_pending(t->ev, NULL) != 0;
}

void
mtimer_free(mtimer_t *t)
{
  if (!t)
    return;
  event_free(t->ev);
  x_free(t);
}
