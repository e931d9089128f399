/* channel_st.h — the body of channel_t, shared by channel.c (cells, states)
 * and channel_auth.c (CERTS and AUTHENTICATE), and visible to tests.
 *
 * This header includes neither proto/link_cells.h nor
 * proto/certs/certs_check.h (each defines its own certs_entry_t): CERTS
 * entries cross between the two files as chan_certref_t. */
#ifndef EVONION_OR_CHANNEL_ST_H
#define EVONION_OR_CHANNEL_ST_H

#include <time.h>

#include "lib/crypto/digest.h"
#include "or/channel.h"
#include "proto/netaddr.h"

#define CHANNEL_MAGIC 0x4348414eu /* "CHAN" */
#define CHANNEL_KEY_LEN 32

/** One CERTS entry (borrowed body). */
typedef struct chan_certref_t {
  uint8_t type;
  const uint8_t *body;
  size_t len;
} chan_certref_t;

struct channel_t {
  conn_t base;                     /**< must be first */
  uint32_t magic;
  unsigned initiator : 1;
  unsigned wide : 1;               /**< 4-byte CircIDs */
  unsigned record_sent : 1;        /**< add sent cells to digest_sent */
  unsigned record_received : 1;    /**< add received cells to digest_received */
  unsigned got_certs : 1;          /**< the peer's CERTS verified */
  unsigned got_auth_challenge : 1;
  unsigned authenticated : 1;      /**< the peer proved its relay identity */
  unsigned we_authenticated : 1;
  unsigned sent_netinfo : 1;
  unsigned has_expect_ed : 1;
  channel_state_t state;
  uint16_t link_proto;
  const channel_relay_t *relay;    /**< our keys (responder, authenticating initiator) */
  channel_cb_t cb;
  void *cb_arg;
  channel_cell_fn cell_fn;
  void *cell_arg;
  channel_hook_fn mux_flushed;     /**< circuit layer: outbuf drained */
  channel_hook_fn mux_closed;      /**< circuit layer: about to close */
  void *mux_arg;
  crypto_digest_t *digest_sent;     /**< SHA-256 of cells sent during the handshake */
  crypto_digest_t *digest_received; /**< SHA-256 of cells received during the handshake */
  uint8_t expect_rsa_id[DIGEST_LEN];
  uint8_t expect_ed_id[CHANNEL_KEY_LEN];
  uint8_t peer_rsa_id[DIGEST_LEN];
  uint8_t peer_rsa_sha256[DIGEST256_LEN]; /**< SHA-256 of the peer's RSA identity DER */
  uint8_t peer_ed_id[CHANNEL_KEY_LEN];
  uint8_t peer_link_auth[CHANNEL_KEY_LEN]; /**< initiator's type-6 key (responder side) */
  uint8_t responder_cert_sha256[DIGEST256_LEN]; /**< SHA-256 of the responder's TLS cert */
  uint8_t slog[DIGEST256_LEN];     /**< initiator: digest_received at AUTH_CHALLENGE */
  netaddr_t peer_addr;
  netaddr_t peer_my_addr;          /**< first address the peer's NETINFO claims */
  int peer_my_addrs;               /**< how many it claimed */
  long clock_skew;
  double idle_timeout;
  mtimer_t *handshake_timer;
  mtimer_t *idle_timer;
  char reason[192];                /**< why it closed */
};

/** Close ch because the peer broke the protocol: log at protocol-warning
 *  level and keep reason. */
void channel_close_protocol(channel_t *ch, const char *fmt, ...)
#ifdef __GNUC__
  __attribute__((format(printf, 2, 3)))
#endif
  ;

/** Check the peer's CERTS entries for our role (responder's set when we
 *  initiate, initiator's set when we respond) and record the identities in ch.
 *  Returns 0, or -1 with ch->reason set (the caller closes). */
int channel_auth_check_certs(channel_t *ch, const chan_certref_t *certs, size_t n);

/** Build our CERTS cell body for our role (x_free *body).  Returns 0 or -1. */
int channel_auth_build_certs(channel_t *ch, uint8_t **body, size_t *len);

/** Build an AUTHENTICATE cell body (AuthType 3) as initiator (x_free *body).
 *  Returns 0 or -1. */
int channel_auth_build_authenticate(channel_t *ch, uint8_t **body, size_t *len);

/** Verify an AUTH0003 authenticator (the AUTHENTICATE cell's auth field) as
 *  responder.  Returns 0, or -1 with ch->reason set. */
int channel_auth_verify_authenticate(channel_t *ch, uint16_t type, const uint8_t *auth,
                                     size_t len);

/** Our own TLS certificate's SHA-256 (responder side).  Returns 0 or -1. */
int channel_auth_own_cert_sha256(channel_t *ch, uint8_t out[DIGEST256_LEN]);

#endif
