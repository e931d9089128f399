/* conn_ratelim.c — the rate-limit groups and per-connection buckets
 * (design.md §2): libevent token buckets, never hand-rolled.  Lives beside
 * conn.c because only src/core/conn*.c calls bufferevent_*. */
#include "core/mainloop.h"

#include <event2/bufferevent.h>

#include "core/conn.h"
#include "core/mainloop_st.h"
#include "lib/log.h"


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
conn_ratelim_free_(mainloop_t *ml)
{
  drop_group(ml, LIMIT_GLOBAL);
  drop_group(ml, LIMIT_RELAYED);
  for (int k = 0; k < LIMIT_N_KINDS; k++)
    if (ml->cfg[k])
      ev_token_bucket_cfg_free(ml->cfg[k]);
}
