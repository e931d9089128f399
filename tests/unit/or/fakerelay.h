/* fakerelay.h — a scripted fake Tor path for the circuit tests: one of our
 * responder channels on 127.0.0.1 whose cell handler plays every hop of a
 * circuit itself with the library's server pieces (ntor_server_handshake,
 * relay-side relay_crypto): CREATE2/EXTEND2 answered, and the last hop acts
 * as an exit (CONNECTED, echo, END, RESOLVED, SENDMEs as tor sends them, and
 * checks of the client's SENDME v1 tags). */
#ifndef EVONION_TESTS_FAKERELAY_H
#define EVONION_TESTS_FAKERELAY_H

#include <stdint.h>

#include <event2/buffer.h>

#include "lib/crypto/relay_crypto.h"
#include "lib/crypto/x25519.h"
#include "or/channel.h"
#include "or/circuit.h"

#define FR_MAX_HOPS 3
#define FR_MAX_CIRCS 8
#define FR_MAX_ORDER 8192

typedef struct fcirc_t {
  uint32_t id;
  int n_built;
  int destroyed;
  relay_crypto_t *rc[FR_MAX_HOPS];
  int n_relay, n_relay_early, n_unrecognized;
  int n_extend2, n_extend2_early;
  int ext_had_ipv4, ext_had_rsa, ext_had_ed;
  /* exit side */
  uint16_t stream_id;
  int begun, begin_dir, resolve;
  char begin_host[512];
  uint16_t begin_port;
  int data_cells_in;
  struct evbuffer *data_in;
  int deliver_circ, deliver_stream;  /**< the exit's deliver windows */
  int pkg_circ, pkg_stream;          /**< the exit's package windows */
  struct evbuffer *pending_out;      /**< echo bytes waiting for window */
  uint8_t rtags[10][RELAY_CRYPTO_SENDME_TAG_LEN]; /**< received-digest tags at each 100th DATA */
  int rtag_head, n_rtags;
  uint8_t tags[10][RELAY_CRYPTO_SENDME_TAG_LEN];
  int tag_head, n_tags;
  int sendme_ok, sendme_bad, sendme_v0, stream_sendmes;
  int ends_in;
  uint8_t end_reason;
} fcirc_t;

typedef struct fake_relay_t {
  mainloop_t *ml;
  void *keys;                        /**< relay_keys_t */
  tls_ctx_t *tls;
  channel_relay_t relay;
  channel_listener_t *l;
  int port;
  char dir[64];
  channel_t *ch;                     /**< the accepted channel */
  int n_accepted;
  x25519_keypair_t ntor[FR_MAX_HOPS];
  uint8_t ids[FR_MAX_HOPS][20];
  uint8_t eds[FR_MAX_HOPS][32];
  fcirc_t circs[FR_MAX_CIRCS];
  int n_circs;
  /* behaviour */
  int echo;          /**< echo DATA back from the exit */
  int auto_circ_sendme;   /**< send circuit SENDMEs for DATA received, as tor does */
  int auto_stream_sendme; /**< send stream SENDMEs for DATA received, as tor does */
  int no_extend;     /**< ignore EXTEND2 */
  int bad_tag;       /**< ...with a wrong tag in circuit SENDMEs */
  int end_after_connected; /**< send END DONE right after CONNECTED */
  int no_connected;  /**< never answer BEGIN */
  /* DATA arrival order (circuit IDs) */
  uint32_t order[FR_MAX_ORDER];
  int n_order;
} fake_relay_t;

/** Start the fake relay on 127.0.0.1 (keys in a fresh directory). */
fake_relay_t *fake_relay_new(mainloop_t *ml);
/** Fill path[0..n) with the fake hops (hop 0 is the listener). */
void fake_relay_path(fake_relay_t *f, circ_hop_t *path, int n);
/** Detach from the loop's channels (call before mainloop_free). */
void fake_relay_stop(fake_relay_t *f);
/** Free everything (after mainloop_free). */
void fake_relay_free(fake_relay_t *f);
/** The fake circuit with our ID id, or NULL. */
fcirc_t *fake_relay_find(fake_relay_t *f, uint32_t id);
/** Send a relay message from hop (0-based) of fc toward the client. */
void fake_relay_send(fake_relay_t *f, fcirc_t *fc, int hop, uint8_t cmd, uint16_t stream_id,
                     const uint8_t *body, size_t len);
/** Send a prepared 509-byte relay payload from hop of fc (digest set and
 *  encrypted here). */
void fake_relay_send_payload(fake_relay_t *f, fcirc_t *fc, int hop, const uint8_t *payload);
/** Send a circuit-level SENDME v1 from the last hop with the tag of the
 *  oldest unanswered 100th DATA cell (or of the last cell if none), or a
 *  wrong one if bad. */
void fake_relay_send_circ_sendme(fake_relay_t *f, fcirc_t *fc, int bad);
/** Send a DESTROY for fc with reason. */
void fake_relay_destroy(fake_relay_t *f, fcirc_t *fc, uint8_t reason);

#endif
