/* channel.h — an OR connection: the Tor link handshake (tor-spec §2–§4;
 * protocol-scope.md §A.1, §B.3, §B.4) over a TLS conn_t, in both roles.
 *
 * Initiator: send VERSIONS(3,4,5); receive VERSIONS (highest common >= 4),
 * CERTS (checked against the identity we meant to reach), AUTH_CHALLENGE and
 * NETINFO; when authenticating (a relay), send CERTS(2,4,6,7) after VERSIONS
 * and AUTHENTICATE (AUTH0003) on AUTH_CHALLENGE; then send NETINFO: open.
 * Responder: on VERSIONS, answer VERSIONS, CERTS(1,2,4,5,7),
 * AUTH_CHALLENGE(3), NETINFO; accept a client's NETINFO, or a relay's
 * CERTS + AUTHENTICATE + NETINFO (then the peer is recorded as authenticated).
 *
 * Any protocol fault (garbage, an unexpected cell, a bad certificate, a wrong
 * identity, a handshake that takes longer than CHANNEL_HANDSHAKE_TIMEOUT)
 * closes the channel with a logged reason (channel_close_reason()).  The
 * owner hears about the channel through one callback: CHANNEL_EV_OPEN, then
 * exactly one CHANNEL_EV_CLOSED (from the close sweep, just before the
 * channel is freed: do not keep the pointer after it). */
#ifndef EVONION_OR_CHANNEL_H
#define EVONION_OR_CHANNEL_H

#include <stddef.h>
#include <stdint.h>
#include <event2/util.h>

#include "core/conn.h"
#include "core/mainloop.h"
#include "lib/crypto/digest.h"
#include "proto/cell.h"
#include "proto/netaddr.h"

struct sockaddr;
struct certs_our_keys_t; /* proto/certs/certs_check.h */
typedef struct channel_t channel_t;
typedef struct channel_listener_t channel_listener_t;

/** Seconds from the TCP connect (or accept) to the open channel. */
#define CHANNEL_HANDSHAKE_TIMEOUT 30.0
/** An open channel that carries no cell but padding for this long is closed. */
#define CHANNEL_IDLE_TIMEOUT 300.0
/** The link protocol versions we speak, lowest first. */
#define CHANNEL_MIN_LINK_PROTO 4
#define CHANNEL_MAX_LINK_PROTO 5

typedef enum channel_state_t {
  CHANNEL_STATE_CONNECTING = 0,  /**< TCP connect and TLS handshake */
  CHANNEL_STATE_WAIT_VERSIONS,   /**< TLS up, VERSIONS not yet received */
  CHANNEL_STATE_HANDSHAKING,     /**< VERSIONS done, waiting for the rest (up to NETINFO) */
  CHANNEL_STATE_OPEN,            /**< ready for circuits */
  CHANNEL_STATE_CLOSED,          /**< marked for close */
} channel_state_t;

typedef enum channel_event_t {
  CHANNEL_EV_OPEN = 1,   /**< the handshake completed */
  CHANNEL_EV_CLOSED,     /**< the channel is about to be freed (reason: channel_close_reason) */
} channel_event_t;

/** The owner's callback. */
typedef void (*channel_cb_t)(channel_t *ch, channel_event_t ev, void *arg);
/** Fills *out with borrowed pointers to our current relay keys (valid during
 *  the call that asked; e.g. relay_keys_get_certs_keys()). */
typedef void (*channel_keys_fn)(void *arg, struct certs_our_keys_t *out);
/** Called with each fixed cell received on an open channel other than
 *  padding (circuit layer hook).  Without one, CREATE/CREATE2/CREATE_FAST are
 *  answered with DESTROY (RESOURCELIMIT) and other cells are dropped. */
typedef void (*channel_cell_fn)(channel_t *ch, const cell_t *cell, void *arg);

/** Our relay identity, for the responder role and the authenticating initiator. */
typedef struct channel_relay_t {
  channel_keys_fn get_keys;   /**< required */
  void *keys_arg;
  tls_ctx_t *tls;             /**< server context (responder role; borrowed) */
  channel_cb_t cb;            /**< events of accepted channels (may be NULL) */
  void *cb_arg;
  netaddr_t my_addr;          /**< our address for NETINFO (NETADDR_NONE: send none) */
} channel_relay_t;

/** Set r->my_addr from a socket address (an unspecified address such as
 *  0.0.0.0 sets NETADDR_NONE). */
void channel_relay_set_address(channel_relay_t *r, const struct sockaddr *sa);

/** Start a channel to addr as initiator.  expect_rsa_id (20 bytes) is the
 *  identity we mean to reach (required); expect_ed_id (32 bytes) may be NULL.
 *  relay: NULL to connect as a client (no authentication), else our keys to
 *  authenticate with (borrowed, must outlive the channel).  tls is a client
 *  context (borrowed).  Returns the channel (it reports through cb), or NULL
 *  if no socket could be made. */
channel_t *channel_connect(mainloop_t *ml, tls_ctx_t *tls, const struct sockaddr *addr,
                           int addrlen, const uint8_t *expect_rsa_id, const uint8_t *expect_ed_id,
                           const channel_relay_t *relay, channel_cb_t cb, void *arg);

/** Take an accepted socket (ownership passes, also on failure) as a responder
 *  channel with relay's keys (borrowed, must outlive the channel).  Returns
 *  the channel or NULL. */
channel_t *channel_accept(mainloop_t *ml, const channel_relay_t *relay, evutil_socket_t fd,
                          const struct sockaddr *addr, int addrlen);

/** Listen on addr and make a responder channel of every connection accepted
 *  (the ORPort).  relay is borrowed.  Returns the listener (free with
 *  channel_listener_free) or NULL (logged). */
channel_listener_t *channel_listen(mainloop_t *ml, const struct sockaddr *addr, int addrlen,
                                   const channel_relay_t *relay);
/** The port the listener is bound to, or -1. */
int channel_listener_get_port(const channel_listener_t *l);
/** Stop listening (channels already accepted stay); NULL is fine. */
void channel_listener_free(channel_listener_t *l);

/** Close ch (the owner's decision); reason is kept for channel_close_reason().
 *  A second close is ignored. */
void channel_close(channel_t *ch, const char *reason);

/** The state of ch. */
channel_state_t channel_get_state(const channel_t *ch);
/** A static name for a state ("open", ...). */
const char *channel_state_to_string(channel_state_t s);
/** 1 if we started this channel. */
int channel_is_initiator(const channel_t *ch);
/** The negotiated link protocol (0 before VERSIONS). */
int channel_link_proto(const channel_t *ch);
/** Why the channel closed ("" while it has not). */
const char *channel_close_reason(const channel_t *ch);
/** The peer's RSA identity (20 bytes) once its CERTS verified, else NULL.
 *  As responder, only an authenticated peer has one. */
const uint8_t *channel_peer_rsa_id(const channel_t *ch);
/** The peer's Ed25519 identity (32 bytes), as channel_peer_rsa_id(). */
const uint8_t *channel_peer_ed_id(const channel_t *ch);
/** 1 if the peer proved a relay identity (responder: a valid AUTHENTICATE;
 *  initiator: always, its CERTS were checked). */
int channel_peer_is_authenticated(const channel_t *ch);
/** 1 if we authenticated to the peer (initiator that sent AUTHENTICATE). */
int channel_we_authenticated(const channel_t *ch);
/** The peer's clock minus ours in seconds, from its NETINFO (0 if it sent 0). */
long channel_clock_skew(const channel_t *ch);
/** The underlying connection (borrowed). */
conn_t *channel_to_conn(channel_t *ch);
/** The channel of a connection made by this module, else NULL. */
channel_t *channel_from_conn(conn_t *c);

/** Set the callback for fixed cells on the open channel. */
void channel_set_cell_handler(channel_t *ch, channel_cell_fn fn, void *arg);
/** Set the owner's event callback (e.g. for an accepted channel). */
void channel_set_callback(channel_t *ch, channel_cb_t cb, void *arg);
/** Set the idle timeout in seconds (default CHANNEL_IDLE_TIMEOUT; <= 0: never). */
void channel_set_idle_timeout(channel_t *ch, double seconds);

/** Replace the handshake deadline: seconds from now (before the channel is open). */
void channel_set_handshake_timeout(channel_t *ch, double seconds);

/** The circuit layer's hooks on a channel (or/circuit_mux.c): flushed is
 *  called when the channel's outbuf drained to CONN_WRITE_LOWAT (the cell
 *  scheduler refills it); closed is called once, from the close sweep, just
 *  before the owner's CHANNEL_EV_CLOSED.  Either may be NULL; pass NULLs to
 *  detach. */
typedef void (*channel_hook_fn)(channel_t *ch, void *arg);
void channel_set_mux_hooks(channel_t *ch, channel_hook_fn flushed, channel_hook_fn closed,
                           void *arg);

/** Queue a fixed cell.  Returns 0, or -1 if the channel is not open. */
int channel_send_cell(channel_t *ch, const cell_t *cell);
/** Queue a variable cell.  Returns 0 or -1 as channel_send_cell(). */
int channel_send_var_cell(channel_t *ch, const var_cell_t *v);

/** A circuit ID for a circuit we create on ch: random, nonzero, with the high
 *  bit set when we are the initiator and clear when the responder (tor-spec
 *  §5.1.1), and not one for which in_use(arg, id) returns 1 (in_use may be
 *  NULL).  Returns 0 if none was found after many tries or ch is not open. */
uint32_t channel_alloc_circ_id(channel_t *ch, int (*in_use)(void *arg, uint32_t id), void *arg);

#endif
