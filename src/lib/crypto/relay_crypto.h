/* relay_crypto.h — tor1 relay cell encryption and digests (tor-spec §5.2.2,
 * §5.5, §6.1; protocol-scope.md §A.3, §A.5).
 *
 * One relay_crypto_t is one hop's state: forward (client->relay) and backward
 * (relay->client) AES-128-CTR streams with IV 0, never reset between cells,
 * and forward/backward running SHA-1 digests seeded with Df / Db.
 *
 * A relay cell body is RELAY_PAYLOAD_LEN (509) bytes:
 *   cmd(1) recognized(2) stream_id(2) digest(4) length(2) data(498)
 * These functions only touch "recognized" and "digest"; the caller builds
 * and parses the rest (proto/ layer).
 *
 * The client holds one relay_crypto_t per hop, hops[0] being the first hop
 * (guard).  A relay holds one per circuit, created with is_relay_side = 1.
 *
 * SENDME v1 (prop 289): after every digest operation, the full 20-byte value
 * of the running digest that covered that cell is saved as the hop's "last
 * sent" or "last received" tag; see relay_crypto_get_sendme_tag_*(). */
#ifndef EVONION_LIB_CRYPTO_RELAY_CRYPTO_H
#define EVONION_LIB_CRYPTO_RELAY_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define RELAY_PAYLOAD_LEN 509
/** Df(20) | Db(20) | Kf(16) | Kb(16). */
#define RELAY_CRYPTO_KEY_MATERIAL_LEN 72
/** tor1 SENDME v1 tag length (a full SHA-1 value). */
#define RELAY_CRYPTO_SENDME_TAG_LEN 20
/** Offsets inside the relay payload. */
#define RELAY_RECOGNIZED_OFFSET 1
#define RELAY_DIGEST_OFFSET 5
#define RELAY_DIGEST_FIELD_LEN 4

/** One hop's tor1 crypto state.  Opaque. */
typedef struct relay_crypto_t relay_crypto_t;

/** Create a hop's state from key_material = Df(20) Db(20) Kf(16) Kb(16); len
 * must be at least 72 (extra bytes, e.g. KH, are ignored).  is_relay_side
 * is 1 at the relay, 0 at the client: the streams and digests are the same,
 * the flag only guards against using client calls on a relay state and vice
 * versa.  Returns NULL if len < 72. */
relay_crypto_t *relay_crypto_new(const uint8_t *key_material, size_t len,
                                 int is_relay_side);

/** Free rc (NULL is fine), wiping keys and digests. */
void relay_crypto_free(relay_crypto_t *rc);

/* ---- client side ---- */

/** Client: prepare payload (a relay cell body) to be sent to hops[target]
 * of an n_hops-hop circuit: set recognized to 0, zero the digest field,
 * add the body to that hop's forward digest, put the digest's first 4 bytes
 * in the digest field (saving the 20-byte value as that hop's "last sent"
 * tag), then encrypt with the forward ciphers of hops target, target-1, ...,
 * 0.  Returns 0, or -1 if target is out of range or a state is relay-side. */
int relay_crypto_client_originate(relay_crypto_t *const *hops, int n_hops,
                                  int target, uint8_t payload[RELAY_PAYLOAD_LEN]);

/** Client: decrypt an incoming relay cell body in place, peeling the
 * backward layers of hops 0, 1, ...; after each layer, if recognized == 0
 * and the digest field matches that hop's running backward digest (checked
 * on a checkpoint, restored on mismatch), stop.  On a match the hop's digest
 * keeps the cell and its 20-byte value becomes the hop's "last received"
 * tag.  Returns the hop index the cell came from, or -1 if no hop recognizes
 * it (the circuit must then be closed). */
int relay_crypto_client_receive(relay_crypto_t *const *hops, int n_hops,
                                uint8_t payload[RELAY_PAYLOAD_LEN]);

/* ---- relay side ---- */

/** Relay: remove our forward layer from payload in place and test whether
 * the cell is for us: recognized == 0 and the digest field matches our
 * running forward digest (kept on a match, restored otherwise).  Returns 1
 * if the cell is for us (its digest value becomes our "last received" tag),
 * 0 if it must be passed on to the next hop, -1 if rc is a client state. */
int relay_crypto_relay_decrypt_forward(relay_crypto_t *rc,
                                       uint8_t payload[RELAY_PAYLOAD_LEN]);

/** Relay: add our backward layer to a cell coming from further along the
 * circuit, in place.  Returns 0, or -1 if rc is a client state. */
int relay_crypto_relay_encrypt_backward(relay_crypto_t *rc,
                                         uint8_t payload[RELAY_PAYLOAD_LEN]);

/** Relay: prepare a cell we originate toward the client: zero the digest
 * field, add the body to our backward digest, set the digest field (the
 * 20-byte value becomes our "last sent" tag), then encrypt with our backward
 * cipher.  The recognized field is set to 0 first.  Returns 0, or -1 if rc
 * is a client state. */
int relay_crypto_relay_originate(relay_crypto_t *rc,
                                  uint8_t payload[RELAY_PAYLOAD_LEN]);

/* ---- SENDME v1 tags (prop 289) ---- */

/** Copy into out the 20-byte running digest value after the last cell this
 * hop originated (client: forward digest; relay: backward digest).  All zero
 * before the first one. */
void relay_crypto_get_sendme_tag_sent(const relay_crypto_t *rc,
                                      uint8_t out[RELAY_CRYPTO_SENDME_TAG_LEN]);

/** Copy into out the 20-byte running digest value after the last cell this
 * hop recognized (client: backward digest; relay: forward digest). */
void relay_crypto_get_sendme_tag_received(const relay_crypto_t *rc,
                                          uint8_t out[RELAY_CRYPTO_SENDME_TAG_LEN]);

/** Copy into out the tag of the most recent cell sent OR received on this
 * hop, whichever came last (tor's single "sendme_digest"). */
void relay_crypto_get_sendme_tag(const relay_crypto_t *rc,
                                 uint8_t out[RELAY_CRYPTO_SENDME_TAG_LEN]);

#endif
