/* ntor.h — the ntor circuit handshake (tor-spec §5.1.4, protocol-scope.md
 * §A.3): curve25519, HMAC-SHA256, key expansion with HKDF-SHA256 (§5.2.2).
 *
 * Client: ntor_client_create() gives the 84-byte onionskin
 *   NODEID(20) | KEYID B(32) | X(32)
 * for CREATE2/EXTEND2; ntor_client_finish() consumes the 64-byte reply
 *   Y(32) | AUTH(32)
 * and yields keylen bytes of key material (72 for tor1: Df Db Kf Kb). */
#ifndef EVONION_LIB_CRYPTO_NTOR_H
#define EVONION_LIB_CRYPTO_NTOR_H

#include <stddef.h>
#include <stdint.h>

#include "lib/crypto/x25519.h"

#define NTOR_ONIONSKIN_LEN 84
#define NTOR_REPLY_LEN 64
#define NTOR_NODE_ID_LEN 20
#define NTOR_PROTOID "ntor-curve25519-sha256-1"

/** The client's pending handshake (its ephemeral key).  Opaque. */
typedef struct ntor_client_state_t ntor_client_state_t;

/** Start a handshake with the relay whose RSA identity digest is node_id and
 * whose ntor onion key is B, using a fresh ephemeral key; write the onionskin
 * to onionskin_out.  Returns the state (caller frees), never NULL. */
ntor_client_state_t *ntor_client_create(const uint8_t node_id[NTOR_NODE_ID_LEN],
                                        const uint8_t B[X25519_KEY_LEN],
                                        uint8_t onionskin_out[NTOR_ONIONSKIN_LEN]);

/** As ntor_client_create() but with the ephemeral secret x given (for
 * known-answer tests).  Returns NULL if x is unusable. */
ntor_client_state_t *ntor_client_create_with_x(const uint8_t node_id[NTOR_NODE_ID_LEN],
                                               const uint8_t B[X25519_KEY_LEN],
                                               const uint8_t x[X25519_KEY_LEN],
                                               uint8_t onionskin_out[NTOR_ONIONSKIN_LEN]);

/** Finish the handshake with the server's reply: check AUTH in constant time
 * and that no shared secret is all-zero, then derive keylen bytes into
 * keys_out.  Returns 0 on success, -1 if the reply is bad (keys_out is then
 * zeroed).  The state may be freed afterwards either way. */
int ntor_client_finish(ntor_client_state_t *st, const uint8_t reply[NTOR_REPLY_LEN],
                       uint8_t *keys_out, size_t keylen);

/** Free st (NULL is fine), wiping the ephemeral secret. */
void ntor_client_state_free(ntor_client_state_t *st);

/** Server side: answer onionskin using our identity digest my_id and our ntor
 * keys (keys[0] current, keys[1] previous, ...; the onionskin's KEYID picks
 * one).  Writes the 64-byte reply and keylen bytes of key material.  Returns
 * 0, or -1 if NODEID != my_id, KEYID matches none of the keys, or a shared
 * secret is all zero. */
int ntor_server_handshake(const uint8_t my_id[NTOR_NODE_ID_LEN],
                          const x25519_keypair_t *keys, size_t n_keys,
                          const uint8_t onionskin[NTOR_ONIONSKIN_LEN],
                          uint8_t reply_out[NTOR_REPLY_LEN],
                          uint8_t *keys_out, size_t keylen);

/** As ntor_server_handshake() with the server's ephemeral secret y given
 * (for known-answer tests). */
int ntor_server_handshake_with_y(const uint8_t my_id[NTOR_NODE_ID_LEN],
                                 const x25519_keypair_t *keys, size_t n_keys,
                                 const uint8_t onionskin[NTOR_ONIONSKIN_LEN],
                                 const uint8_t y[X25519_KEY_LEN],
                                 uint8_t reply_out[NTOR_REPLY_LEN],
                                 uint8_t *keys_out, size_t keylen);

#endif
