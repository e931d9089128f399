/* chanmgr.c — get-or-launch client channels by relay identity (see chanmgr.h). */
#include "or/chanmgr.h"

#include <string.h>
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <netinet/in.h>
#include <sys/socket.h>
#endif

#include "lib/alloc.h"
#include "lib/log.h"

typedef struct chan_entry_t chan_entry_t;

struct chanmgr_req_t {
  chanmgr_t *m;
  chan_entry_t *e;
  chanmgr_cb_t cb;
  void *arg;
  mtimer_t *timer;           /**< delivers to a waiter on an already open channel */
  chanmgr_req_t *next;
};

struct chan_entry_t {
  channel_t *ch;
  uint8_t rsa_id[20];
  uint8_t ed_id[32];
  int has_ed;
  int open;
  chanmgr_req_t *waiters;
  chan_entry_t *next;
};

struct chanmgr_t {
  mainloop_t *ml;
  tls_ctx_t *tls;
  chan_entry_t *entries;
  int n_entries;
  unsigned n_launched;
};

static void
req_free(chanmgr_req_t *r)
{
  mtimer_free(r->timer);
  x_free(r);
}

/* Take r off its entry's waiter list. */
static void
req_unlink(chanmgr_req_t *r)
{
  if (!r->e)
    return;
  for (chanmgr_req_t **pp = &r->e->waiters; *pp; pp = &(*pp)->next) {
    if (*pp == r) {
      *pp = r->next;
      break;
    }
  }
  r->e = NULL;
}

static void
entry_remove(chanmgr_t *m, chan_entry_t *e)
{
  for (chan_entry_t **pp = &m->entries; *pp; pp = &(*pp)->next) {
    if (*pp == e) {
      *pp = e->next;
      m->n_entries--;
      break;
    }
  }
  x_free(e);
}

/* Call every waiter of e (ch or NULL + err) and free the requests. */
static void
entry_notify(chan_entry_t *e, channel_t *ch, const char *err)
{
  while (e->waiters) {
    chanmgr_req_t *r = e->waiters;
    e->waiters = r->next;
    r->e = NULL;
    chanmgr_cb_t cb = r->cb;
    void *arg = r->arg;
    req_free(r);
    cb(ch, err, arg);
  }
}

static void
chan_cb(channel_t *ch, channel_event_t ev, void *arg)
{
  chan_entry_t *e = arg;
  if (ev == CHANNEL_EV_OPEN) {
    e->open = 1;
    entry_notify(e, e->ch, NULL);
    return;
  }
  /* Closed: the entry stays (without a channel) until the manager next
   * sweeps, so the channel callback never frees manager state. */
  e->ch = NULL;
  e->open = 0;
  entry_notify(e, NULL, channel_close_reason(ch));
}

/* Forget entries whose channel is gone. */
static void
sweep_entries(chanmgr_t *m)
{
  chan_entry_t **pp = &m->entries;
  while (*pp) {
    chan_entry_t *e = *pp;
    if (!e->ch && !e->waiters) {
      *pp = e->next;
      m->n_entries--;
      x_free(e);
    } else {
      pp = &e->next;
    }
  }
}

chanmgr_t *
chanmgr_new(mainloop_t *ml, tls_ctx_t *tls)
{
  chanmgr_t *m = x_calloc(1, sizeof(*m));
  m->ml = ml;
  m->tls = tls;
  return m;
}

void
chanmgr_free(chanmgr_t *m)
{
  if (!m)
    return;
  while (m->entries) {
    chan_entry_t *e = m->entries;
    while (e->waiters) {
      chanmgr_req_t *r = e->waiters;
      e->waiters = r->next;
      req_free(r);
    }
    if (e->ch) {
      channel_set_callback(e->ch, NULL, NULL);
      channel_close(e->ch, "channel manager shutting down");
    }
    entry_remove(m, e);
  }
  x_free(m);
}

static chan_entry_t *
entry_find(chanmgr_t *m, const uint8_t *rsa_id, const uint8_t *ed_id)
{
  for (chan_entry_t *e = m->entries; e; e = e->next) {
    if (!e->ch || channel_get_state(e->ch) == CHANNEL_STATE_CLOSED)
      continue;
    if (memcmp(e->rsa_id, rsa_id, 20) != 0)
      continue;
    if (ed_id) {
      const uint8_t *peer_ed = e->open ? channel_peer_ed_id(e->ch) : NULL;
      if (peer_ed && memcmp(peer_ed, ed_id, 32) != 0)
        continue;
      if (!peer_ed && e->has_ed && memcmp(e->ed_id, ed_id, 32) != 0)
        continue;
    }
    return e;
  }
  return NULL;
}

static void
deliver_open_cb(mtimer_t *t, void *arg)
{
  (void)t;
  chanmgr_req_t *r = arg;
  chan_entry_t *e = r->e;
  req_unlink(r);
  chanmgr_cb_t cb = r->cb;
  void *cb_arg = r->arg;
  channel_t *ch = e ? e->ch : NULL;
  int ok = ch && channel_get_state(ch) == CHANNEL_STATE_OPEN;
  req_free(r);
  cb(ok ? ch : NULL, ok ? NULL : "channel closed", cb_arg);
}

static int
make_sockaddr(const netaddr_t *addr, uint16_t port, struct sockaddr_storage *ss)
{
  memset(ss, 0, sizeof(*ss));
  if (addr->family == NETADDR_IPV4) {
    struct sockaddr_in *sin = (struct sockaddr_in *)ss;
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    memcpy(&sin->sin_addr, addr->bytes, 4);
    return (int)sizeof(*sin);
  }
  if (addr->family == NETADDR_IPV6) {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    memcpy(&sin6->sin6_addr, addr->bytes, 16);
    return (int)sizeof(*sin6);
  }
  return -1;
}

chanmgr_req_t *
chanmgr_get(chanmgr_t *m, const netaddr_t *addr, uint16_t port, const uint8_t *rsa_id,
            const uint8_t *ed_id, chanmgr_cb_t cb, void *arg)
{
  if (!rsa_id || !cb)
    return NULL;
  sweep_entries(m);
  chan_entry_t *e = entry_find(m, rsa_id, ed_id);
  if (!e) {
    struct sockaddr_storage ss;
    int len = make_sockaddr(addr, port, &ss);
    if (len < 0 || port == 0)
      return NULL;
    e = x_calloc(1, sizeof(*e));
    memcpy(e->rsa_id, rsa_id, 20);
    if (ed_id) {
      memcpy(e->ed_id, ed_id, 32);
      e->has_ed = 1;
    }
    e->ch = channel_connect(m->ml, m->tls, (struct sockaddr *)&ss, len, rsa_id, ed_id, NULL,
                            chan_cb, e);
    if (!e->ch) {
      x_free(e);
      return NULL;
    }
    m->n_launched++;
    e->next = m->entries;
    m->entries = e;
    m->n_entries++;
  }
  chanmgr_req_t *r = x_calloc(1, sizeof(*r));
  r->m = m;
  r->e = e;
  r->cb = cb;
  r->arg = arg;
  r->next = e->waiters;
  e->waiters = r;
  if (e->open) {
    r->timer = mtimer_new(m->ml, deliver_open_cb, r);
    mtimer_schedule(r->timer, 0);
  }
  return r;
}

void
chanmgr_cancel(chanmgr_req_t *r)
{
  if (!r)
    return;
  req_unlink(r);
  req_free(r);
}

channel_t *
chanmgr_find_open(chanmgr_t *m, const uint8_t *rsa_id)
{
  for (chan_entry_t *e = m->entries; e; e = e->next)
    if (e->ch && e->open && channel_get_state(e->ch) == CHANNEL_STATE_OPEN &&
        memcmp(e->rsa_id, rsa_id, 20) == 0)
      return e->ch;
  return NULL;
}

int
chanmgr_n_channels(const chanmgr_t *m)
{
  int n = 0;
  for (const chan_entry_t *e = m->entries; e; e = e->next)
    n += e->ch != NULL;
  return n;
}

unsigned
chanmgr_n_launched(const chanmgr_t *m)
{
  return m->n_launched;
}
