/* chanmgr.h — the client's channels by relay identity: get-or-launch.
 *
 * chanmgr_get() hands out an open channel to the relay with the given RSA
 * identity if one exists (and its Ed25519 identity matches when given), else
 * joins the pending connect to that identity or starts one (one connect per
 * identity at a time).  Waiters hear back once, from the event loop (never
 * from inside chanmgr_get()): the open channel, or NULL with a reason.
 * Channels with no circuits close by themselves after their idle timeout
 * (CHANNEL_IDLE_TIMEOUT); a closed channel is forgotten. */
#ifndef EVONION_OR_CHANMGR_H
#define EVONION_OR_CHANMGR_H

#include <stdint.h>

#include "core/mainloop.h"
#include "or/channel.h"
#include "proto/netaddr.h"

typedef struct chanmgr_t chanmgr_t;
typedef struct chanmgr_req_t chanmgr_req_t;

/** A waiter's callback: ch is open, or NULL with err saying why not.  The
 *  request is freed after the call. */
typedef void (*chanmgr_cb_t)(channel_t *ch, const char *err, void *arg);

/** Create a manager for loop ml, connecting with the client TLS context tls
 *  (borrowed).  Returns the manager. */
chanmgr_t *chanmgr_new(mainloop_t *ml, tls_ctx_t *tls);
/** Close every channel it made (their owners get no callback from it),
 *  cancel every request without calling it, and free m.  NULL is fine. */
void chanmgr_free(chanmgr_t *m);

/** Ask for a channel to the relay at addr:port with identity rsa_id (20
 *  bytes) and, if not NULL, ed_id (32 bytes).  Returns the request (valid
 *  until its callback ran or chanmgr_cancel()), or NULL if addr is unusable. */
chanmgr_req_t *chanmgr_get(chanmgr_t *m, const netaddr_t *addr, uint16_t port,
                           const uint8_t *rsa_id, const uint8_t *ed_id, chanmgr_cb_t cb,
                           void *arg);
/** Forget a request before its callback ran (the connect goes on).  NULL is fine. */
void chanmgr_cancel(chanmgr_req_t *r);

/** An open channel to rsa_id, or NULL. */
channel_t *chanmgr_find_open(chanmgr_t *m, const uint8_t *rsa_id);
/** Channels the manager holds (open or connecting). */
int chanmgr_n_channels(const chanmgr_t *m);
/** Connects started so far (tests: reuse means this does not grow). */
unsigned chanmgr_n_launched(const chanmgr_t *m);

#endif
