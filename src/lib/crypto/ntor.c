/* ntor.c — the ntor handshake (tor-spec §5.1.4) and its key expansion. */
#include "lib/crypto/ntor.h"

#include <string.h>

#include "lib/alloc.h"
#include "lib/crypto/ct.h"
#include "lib/crypto/digest.h"
#include "lib/crypto/kdf.h"
#include "lib/log.h"

#define PROTOID_LEN (sizeof(NTOR_PROTOID) - 1)
#define T_MAC NTOR_PROTOID ":mac"
#define T_KEY NTOR_PROTOID ":key_extract"
#define T_VERIFY NTOR_PROTOID ":verify"
#define M_EXPAND NTOR_PROTOID ":key_expand"
#define SERVER_STR "Server"

#define SECRET_INPUT_LEN (32 + 32 + NTOR_NODE_ID_LEN + 32 + 32 + 32 + PROTOID_LEN)
#define AUTH_INPUT_LEN (32 + NTOR_NODE_ID_LEN + 32 + 32 + 32 + PROTOID_LEN + 6)

struct ntor_client_state_t {
  uint8_t node_id[NTOR_NODE_ID_LEN];
  uint8_t B[X25519_KEY_LEN];
  x25519_keypair_t x; /* ephemeral: x secret, X public */
};

/* Append n bytes at src to *pp. */
static void
put_bytes(uint8_t **pp, const void *src, size_t n)
{
  memcpy(*pp, src, n);
  *pp += n;
}

/* Given the two shared secrets and the public values, compute the expected
 * AUTH and keylen bytes of key material.  Shared by client and server. */
static int
ntor_derive(const uint8_t exp1[32], const uint8_t exp2[32],
            const uint8_t id[NTOR_NODE_ID_LEN], const uint8_t B[32],
            const uint8_t X[32], const uint8_t Y[32],
            uint8_t auth_out[DIGEST256_LEN], uint8_t *keys_out, size_t keylen)
{
  uint8_t si[SECRET_INPUT_LEN], ai[AUTH_INPUT_LEN], verify[DIGEST256_LEN];
  uint8_t *p = si;
  put_bytes(&p, exp1, 32);
  put_bytes(&p, exp2, 32);
  put_bytes(&p, id, NTOR_NODE_ID_LEN);
  put_bytes(&p, B, 32);
  put_bytes(&p, X, 32);
  put_bytes(&p, Y, 32);
  put_bytes(&p, NTOR_PROTOID, PROTOID_LEN);

  crypto_hmac_sha256(T_VERIFY, sizeof(T_VERIFY) - 1, si, sizeof(si), verify);
  p = ai;
  put_bytes(&p, verify, sizeof(verify));
  put_bytes(&p, id, NTOR_NODE_ID_LEN);
  put_bytes(&p, B, 32);
  put_bytes(&p, Y, 32);
  put_bytes(&p, X, 32);
  put_bytes(&p, NTOR_PROTOID, PROTOID_LEN);
  put_bytes(&p, SERVER_STR, 6);
  crypto_hmac_sha256(T_MAC, sizeof(T_MAC) - 1, ai, sizeof(ai), auth_out);

  /* KDF-RFC5869: PRK = HMAC(t_key, secret_input) = KEY_SEED, then expand. */
  int r = crypto_hkdf_sha256((const uint8_t *)T_KEY, sizeof(T_KEY) - 1, si, sizeof(si),
                             (const uint8_t *)M_EXPAND, sizeof(M_EXPAND) - 1,
                             keys_out, keylen);
  x_memwipe(si, sizeof(si));
  x_memwipe(ai, sizeof(ai));
  x_memwipe(verify, sizeof(verify));
  return r;
}

static ntor_client_state_t *
client_start(const uint8_t node_id[NTOR_NODE_ID_LEN], const uint8_t B[X25519_KEY_LEN],
             const uint8_t x[X25519_KEY_LEN], uint8_t onionskin_out[NTOR_ONIONSKIN_LEN])
{
  ntor_client_state_t *st = x_calloc(1, sizeof(*st));
  memcpy(st->node_id, node_id, NTOR_NODE_ID_LEN);
  memcpy(st->B, B, X25519_KEY_LEN);
  if (x) {
    memcpy(st->x.secret, x, X25519_KEY_LEN);
    if (x25519_pub_from_secret(st->x.secret, st->x.pub) < 0) {
      ntor_client_state_free(st);
      return NULL;
    }
  } else {
    x25519_keypair_generate(&st->x);
  }
  uint8_t *p = onionskin_out;
  put_bytes(&p, node_id, NTOR_NODE_ID_LEN);
  put_bytes(&p, B, X25519_KEY_LEN);
  put_bytes(&p, st->x.pub, X25519_KEY_LEN);
  return st;
}

ntor_client_state_t *
ntor_client_create(const uint8_t node_id[NTOR_NODE_ID_LEN], const uint8_t B[X25519_KEY_LEN],
                   uint8_t onionskin_out[NTOR_ONIONSKIN_LEN])
{
  return client_start(node_id, B, NULL, onionskin_out);
}

ntor_client_state_t *
ntor_client_create_with_x(const uint8_t node_id[NTOR_NODE_ID_LEN],
                          const uint8_t B[X25519_KEY_LEN], const uint8_t x[X25519_KEY_LEN],
                          uint8_t onionskin_out[NTOR_ONIONSKIN_LEN])
{
  return client_start(node_id, B, x, onionskin_out);
}

int
ntor_client_finish(ntor_client_state_t *st, const uint8_t reply[NTOR_REPLY_LEN],
                   uint8_t *keys_out, size_t keylen)
{
  const uint8_t *Y = reply, *auth = reply + 32;
  uint8_t exp1[32], exp2[32], expect[DIGEST256_LEN];
  int bad = 0;
  /* Compute everything even on failure so timing says little about which
   * check failed. */
  bad |= x25519_shared(st->x.secret, Y, exp1) < 0;
  bad |= x25519_shared(st->x.secret, st->B, exp2) < 0;
  bad |= ntor_derive(exp1, exp2, st->node_id, st->B, st->x.pub, Y, expect,
                     keys_out, keylen) < 0;
  bad |= !crypto_ct_memeq(expect, auth, DIGEST256_LEN);
  x_memwipe(exp1, sizeof(exp1));
  x_memwipe(exp2, sizeof(exp2));
  if (bad) {
    if (keylen)
      x_memwipe(keys_out, keylen);
    log_protocol_warn(LD_PROTOCOL, "ntor handshake reply failed verification");
    return -1;
  }
  return 0;
}

void
ntor_client_state_free(ntor_client_state_t *st)
{
  if (!st)
    return;
  x_memwipe(st, sizeof(*st));
  x_free(st);
}

static int
server_handshake(const uint8_t my_id[NTOR_NODE_ID_LEN], const x25519_keypair_t *keys,
                 size_t n_keys, const uint8_t onionskin[NTOR_ONIONSKIN_LEN],
                 const uint8_t *y_given, uint8_t reply_out[NTOR_REPLY_LEN],
                 uint8_t *keys_out, size_t keylen)
{
  const uint8_t *id = onionskin, *B = onionskin + NTOR_NODE_ID_LEN;
  const uint8_t *X = onionskin + NTOR_NODE_ID_LEN + 32;
  const x25519_keypair_t *kp = NULL;
  x25519_keypair_t y;
  uint8_t exp1[32], exp2[32];
  int r = -1, bad = 0;

  if (!crypto_ct_memeq(id, my_id, NTOR_NODE_ID_LEN))
    return -1;
  for (size_t i = 0; i < n_keys && !kp; i++)
    if (crypto_ct_memeq(keys[i].pub, B, X25519_KEY_LEN))
      kp = &keys[i];
  if (!kp)
    return -1;
  if (y_given) {
    memcpy(y.secret, y_given, X25519_KEY_LEN);
    if (x25519_pub_from_secret(y.secret, y.pub) < 0)
      goto done;
  } else {
    x25519_keypair_generate(&y);
  }
  bad |= x25519_shared(y.secret, X, exp1) < 0;
  bad |= x25519_shared(kp->secret, X, exp2) < 0;
  memcpy(reply_out, y.pub, 32);
  bad |= ntor_derive(exp1, exp2, my_id, kp->pub, X, y.pub, reply_out + 32,
                     keys_out, keylen) < 0;
  r = bad ? -1 : 0;
 done:
  if (r < 0) {
    memset(reply_out, 0, NTOR_REPLY_LEN);
    if (keylen)
      x_memwipe(keys_out, keylen);
  }
  x25519_keypair_wipe(&y);
  x_memwipe(exp1, sizeof(exp1));
  x_memwipe(exp2, sizeof(exp2));
  return r;
}

int
ntor_server_handshake(const uint8_t my_id[NTOR_NODE_ID_LEN], const x25519_keypair_t *keys,
                      size_t n_keys, const uint8_t onionskin[NTOR_ONIONSKIN_LEN],
                      uint8_t reply_out[NTOR_REPLY_LEN], uint8_t *keys_out, size_t keylen)
{
  return server_handshake(my_id, keys, n_keys, onionskin, NULL, reply_out, keys_out, keylen);
}

int
ntor_server_handshake_with_y(const uint8_t my_id[NTOR_NODE_ID_LEN],
                             const x25519_keypair_t *keys, size_t n_keys,
                             const uint8_t onionskin[NTOR_ONIONSKIN_LEN],
                             const uint8_t y[X25519_KEY_LEN],
                             uint8_t reply_out[NTOR_REPLY_LEN], uint8_t *keys_out,
                             size_t keylen)
{
  return server_handshake(my_id, keys, n_keys, onionskin, y, reply_out, keys_out, keylen);
}
