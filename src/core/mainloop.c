/* mainloop.c — the event base, the close sweep, timers and rate-limit groups. */
#include "core/mainloop.h"

#include <math.h>
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
  ml->iocp = 1;
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

int
mainloop_run_until(mainloop_t *ml, int (*cond)(void *arg), void *arg, double timeout)
{
  int expired = 0;
  struct event *ev = evtimer_new(ml->base, run_until_deadline_cb, &expired);
  struct timeval tv = { (long)timeout, (long)((timeout - floor(timeout)) * 1e6) };
  evtimer_add(ev, &tv);
  int ok = cond(arg);
  while (!ok && !expired) {
    event_base_loop(ml->base, EVLOOP_ONCE);
    ok = cond(arg);
  }
  event_free(ev);
  return ok;
}

/* ---- rate limits ---- */

static struct ev_token_bucket_cfg *
make_bucket_cfg(uint64_t rate, uint64_t burst)
{
  const uint64_t ticks_per_sec = 1000 / MAINLOOP_REFILL_MSEC;
  const uint64_t max = 0x7fffffff;   /* libevent keeps bucket sizes in ev_ssize_t-sized fields */
  uint64_t per_tick = rate / ticks_per_sec;
  if (per_tick == 0)
    per_tick = 1;
  if (burst < rate)
    burst = rate;
  if (per_tick > max)
    per_tick = max;
  if (burst > max)
    burst = max;
  struct timeval tick = { 0, MAINLOOP_REFILL_MSEC * 1000 };
  return ev_token_bucket_cfg_new((size_t)per_tick, (size_t)burst, (size_t)per_tick,
                                 (size_t)burst, &tick);
}

/* Remove every connection from the group of kind, and free the group. */
static void
drop_group(mainloop_t *ml, mainloop_limit_t kind)
{
  struct bufferevent_rate_limit_group **gp =
    kind == LIMIT_GLOBAL ? &ml->group_global : &ml->group_relayed;
  if (!*gp)
    return;
  for (conn_t *c = ml->conns; c; c = c->next) {
    struct bufferevent *b = kind == LIMIT_GLOBAL ? c->bev_sock : (c->is_tls ? c->bev : NULL);
    if (b)
      bufferevent_remove_from_rate_limit_group(b);
  }
  bufferevent_rate_limit_group_free(*gp);
  *gp = NULL;
}

int
mainloop_set_limit(mainloop_t *ml, mainloop_limit_t kind, uint64_t rate, uint64_t burst)
{
  struct ev_token_bucket_cfg *cfg = NULL;
  if (kind < 0 || kind >= LIMIT_N_KINDS)
    return -1;
  if (rate) {
    cfg = make_bucket_cfg(rate, burst);
    if (!cfg)
      return -1;
  }
  struct ev_token_bucket_cfg *old = ml->cfg[kind];
  ml->cfg[kind] = cfg;
  ml->rate[kind] = rate;
  ml->burst[kind] = rate ? (burst < rate ? rate : burst) : 0;

  if (kind == LIMIT_PER_CONN) {
    for (conn_t *c = ml->conns; c; c = c->next)
      conn_apply_limits_(c);
  } else {
    struct bufferevent_rate_limit_group **gp =
      kind == LIMIT_GLOBAL ? &ml->group_global : &ml->group_relayed;
    if (!cfg) {
      drop_group(ml, kind);
    } else if (*gp) {
      bufferevent_rate_limit_group_set_cfg(*gp, cfg);
    } else {
      *gp = bufferevent_rate_limit_group_new(ml->base, cfg);
      if (!*gp) {
        ml->cfg[kind] = old;
        ev_token_bucket_cfg_free(cfg);
        return -1;
      }
      for (conn_t *c = ml->conns; c; c = c->next)
        conn_apply_limits_(c);
    }
  }
  /* A group copies its cfg; per-connection limits keep a pointer to theirs,
   * so the old one can only go once nothing uses it (done above). */
  if (old)
    ev_token_bucket_cfg_free(old);
  log_info(LD_NET, "%s bandwidth limit: %s", kind == LIMIT_GLOBAL ? "global"
           : kind == LIMIT_RELAYED ? "relayed-traffic" : "per-connection",
           rate ? "set" : "off");
  return 0;
}

uint64_t
mainloop_get_limit_rate(const mainloop_t *ml, mainloop_limit_t kind)
{
  return (kind >= 0 && kind < LIMIT_N_KINDS) ? ml->rate[kind] : 0;
}

void
mainloop_free(mainloop_t *ml)
{
  if (!ml)
    return;
  /* Close what is still open; conn_free_ removes each from its groups. */
  for (conn_t *c = ml->conns; c; c = c->next)
    if (!c->marked)
      conn_mark_for_close(c);
  sweep_cb(-1, 0, ml);
  drop_group(ml, LIMIT_GLOBAL);
  drop_group(ml, LIMIT_RELAYED);
  for (int k = 0; k < LIMIT_N_KINDS; k++)
    if (ml->cfg[k])
      ev_token_bucket_cfg_free(ml->cfg[k]);
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
