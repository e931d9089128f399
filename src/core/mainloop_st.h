/* mainloop_st.h — the body of mainloop_t, shared by core/ files only. */
#ifndef EVONION_CORE_MAINLOOP_ST_H
#define EVONION_CORE_MAINLOOP_ST_H

#include <event2/bufferevent.h>

#include "core/mainloop.h"

struct mainloop_t {
  struct event_base *base;
  struct event *sweep_ev;          /**< frees marked connections after the loop turn */
  conn_t *conns;                   /**< every connection of this loop */
  conn_t *marked;                  /**< connections waiting for the sweep */
  int n_conns;
  uint64_t next_conn_id;
  int iocp;
  /** Limits, bytes per second (0 = unlimited). */
  uint64_t rate[LIMIT_N_KINDS], burst[LIMIT_N_KINDS];
  struct ev_token_bucket_cfg *cfg[LIMIT_N_KINDS];
  struct bufferevent_rate_limit_group *group_global, *group_relayed;
};

/** Link a new connection into ml and apply the current limits to it (conn.c). */
void mainloop_add_conn_(mainloop_t *ml, conn_t *c);
/** Unlink c from ml's list (conn.c, in the sweep). */
void mainloop_remove_conn_(mainloop_t *ml, conn_t *c);
/** Queue c for the sweep. */
void mainloop_schedule_sweep_(mainloop_t *ml, conn_t *c);
/** Apply ml's limits to c's bufferevents (conn.c). */
void conn_apply_limits_(conn_t *c);
/** Remove every connection from the groups, free groups and configs (conn_ratelim.c). */
void conn_ratelim_free_(mainloop_t *ml);
/** Free c now (the sweep; also mainloop_free). */
void conn_free_(conn_t *c);

#endif
