/* test_ntor.c — ntor against arti's test vector (fixed b, x, y, id); random
 * handshakes agree; tampered replies, wrong ids/keys and all-zero shared
 * secrets are rejected; the server picks the previous key too. */
#include <string.h>

#include "lib/crypto/ntor.h"
#include "lib/crypto/relay_crypto.h"
#include "testutil.h"
#include "vectors.h"

typedef struct ntor_vec_t {
  x25519_keypair_t b;
  uint8_t x[32], xpub[32], y[32], ypub[32], id[20];
  uint8_t onionskin[84], reply[64], keys[72];
} ntor_vec_t;

static void
load_vec(ntor_vec_t *v)
{
  vec_file_t *vf = vec_load("ntor.txt");
  vec_hex_n(vf, "ntor", 0, "BSecret", v->b.secret, 32);
  vec_hex_n(vf, "ntor", 0, "BPub", v->b.pub, 32);
  vec_hex_n(vf, "ntor", 0, "XSecret", v->x, 32);
  vec_hex_n(vf, "ntor", 0, "XPub", v->xpub, 32);
  vec_hex_n(vf, "ntor", 0, "YSecret", v->y, 32);
  vec_hex_n(vf, "ntor", 0, "YPub", v->ypub, 32);
  vec_hex_n(vf, "ntor", 0, "Id", v->id, 20);
  vec_hex_n(vf, "ntor", 0, "Onionskin", v->onionskin, 84);
  vec_hex_n(vf, "ntor", 0, "Reply", v->reply, 64);
  vec_hex_n(vf, "ntor", 0, "Keys", v->keys, 72);
  vec_free(vf);
}

START_TEST(test_ntor_kat)
{
  ntor_vec_t v;
  load_vec(&v);
  uint8_t skin[84], reply[64], ckeys[72], skeys[72];
  ntor_client_state_t *st = ntor_client_create_with_x(v.id, v.b.pub, v.x, skin);
  ck_assert_ptr_nonnull(st);
  ck_assert_mem_eq(skin, v.onionskin, 84);
  ck_assert_int_eq(ntor_server_handshake_with_y(v.id, &v.b, 1, skin, v.y, reply, skeys, 72), 0);
  ck_assert_mem_eq(reply, v.reply, 64);
  ck_assert_mem_eq(skeys, v.keys, 72);
  ck_assert_int_eq(ntor_client_finish(st, reply, ckeys, 72), 0);
  ck_assert_mem_eq(ckeys, v.keys, 72);
  ntor_client_state_free(st);
  /* The keys are a valid tor1 key block. */
  relay_crypto_t *rc = relay_crypto_new(ckeys, 72, 0);
  ck_assert_ptr_nonnull(rc);
  relay_crypto_free(rc);
}
END_TEST

START_TEST(test_ntor_kat_tampered)
{
  ntor_vec_t v;
  load_vec(&v);
  uint8_t skin[84], reply[64], keys[72];
  /* Every byte of the reply matters: flip one bit per byte. */
  for (int i = 0; i < 64; i++) {
    ntor_client_state_t *st = ntor_client_create_with_x(v.id, v.b.pub, v.x, skin);
    memcpy(reply, v.reply, 64);
    reply[i] ^= (uint8_t)(1 << (i % 8));
    memset(keys, 0x55, sizeof(keys));
    ck_assert_int_eq(ntor_client_finish(st, reply, keys, 72), -1);
    for (int k = 0; k < 72; k++)
      ck_assert_uint_eq(keys[k], 0); /* no keys leak out on failure */
    ntor_client_state_free(st);
  }
  /* A client that used the wrong relay identity rejects the real reply. */
  uint8_t id2[20];
  memcpy(id2, v.id, 20);
  id2[0] ^= 1;
  ntor_client_state_t *st = ntor_client_create_with_x(id2, v.b.pub, v.x, skin);
  ck_assert_int_eq(ntor_client_finish(st, v.reply, keys, 72), -1);
  ntor_client_state_free(st);
}
END_TEST

START_TEST(test_ntor_random_roundtrip)
{
  x25519_keypair_t keys[2];
  uint8_t id[20], skin[84], reply[64], ck[92], sk[92];
  uint64_t s = 99;
  testutil_fill_random(id, 20, &s);
  x25519_keypair_generate(&keys[0]);
  x25519_keypair_generate(&keys[1]);
  for (int which = 0; which < 2; which++) {
    ntor_client_state_t *st = ntor_client_create(id, keys[which].pub, skin);
    ck_assert_ptr_nonnull(st);
    ck_assert_mem_eq(skin, id, 20);
    ck_assert_mem_eq(skin + 20, keys[which].pub, 32);
    ck_assert_int_eq(ntor_server_handshake(id, keys, 2, skin, reply, sk, sizeof(sk)), 0);
    ck_assert_int_eq(ntor_client_finish(st, reply, ck, sizeof(ck)), 0);
    ck_assert_mem_eq(ck, sk, sizeof(ck));
    ntor_client_state_free(st);
  }
  /* Two handshakes with the same relay give different keys. */
  uint8_t ck2[92];
  ntor_client_state_t *st = ntor_client_create(id, keys[0].pub, skin);
  ck_assert_int_eq(ntor_server_handshake(id, keys, 2, skin, reply, sk, sizeof(sk)), 0);
  ck_assert_int_eq(ntor_client_finish(st, reply, ck2, sizeof(ck2)), 0);
  ck_assert_int_ne(memcmp(ck, ck2, sizeof(ck)), 0);
  ntor_client_state_free(st);
}
END_TEST

START_TEST(test_ntor_server_rejects)
{
  x25519_keypair_t key, other;
  uint8_t id[20] = { 7 }, skin[84], reply[64], k[72];
  x25519_keypair_generate(&key);
  x25519_keypair_generate(&other);
  ntor_client_state_t *st = ntor_client_create(id, key.pub, skin);
  /* Wrong NODEID. */
  uint8_t id2[20] = { 8 };
  ck_assert_int_eq(ntor_server_handshake(id2, &key, 1, skin, reply, k, 72), -1);
  /* KEYID not ours. */
  ck_assert_int_eq(ntor_server_handshake(id, &other, 1, skin, reply, k, 72), -1);
  ck_assert_int_eq(ntor_server_handshake(id, &key, 0, skin, reply, k, 72), -1);
  /* Client X of small order: EXP(X,y) and EXP(X,b) are all zero. */
  uint8_t bad[84];
  memcpy(bad, skin, 52);
  memset(bad + 52, 0, 32);
  ck_assert_int_eq(ntor_server_handshake(id, &key, 1, bad, reply, k, 72), -1);
  bad[52] = 1;
  ck_assert_int_eq(ntor_server_handshake(id, &key, 1, bad, reply, k, 72), -1);
  ntor_client_state_free(st);
}
END_TEST

START_TEST(test_ntor_client_rejects_zero_y)
{
  x25519_keypair_t key;
  uint8_t id[20] = { 1 }, skin[84], reply[64], k[72];
  x25519_keypair_generate(&key);
  /* Y = 0 (or 1) makes EXP(Y,x) zero; AUTH is irrelevant then. */
  for (int yv = 0; yv < 2; yv++) {
    ntor_client_state_t *st = ntor_client_create(id, key.pub, skin);
    memset(reply, 0, sizeof(reply));
    reply[0] = (uint8_t)yv;
    ck_assert_int_eq(ntor_client_finish(st, reply, k, 72), -1);
    ntor_client_state_free(st);
  }
  /* A relay key B of small order: even when a server answers with a valid
   * AUTH for it (its secret does not correspond to B), EXP(B,x) is zero and
   * the client refuses. */
  x25519_keypair_t zero_b;
  x25519_keypair_generate(&zero_b);
  memset(zero_b.pub, 0, 32);
  ntor_client_state_t *st = ntor_client_create(id, zero_b.pub, skin);
  ck_assert_int_eq(ntor_server_handshake(id, &zero_b, 1, skin, reply, k, 72), 0);
  ck_assert_int_eq(ntor_client_finish(st, reply, k, 72), -1);
  ntor_client_state_free(st);
  ntor_client_state_free(NULL);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("lib_crypto_ntor");
  TESTUTIL_ADD(s, test_ntor_kat, 10);
  TESTUTIL_ADD(s, test_ntor_kat_tampered, 20);
  TESTUTIL_ADD(s, test_ntor_random_roundtrip, 10);
  TESTUTIL_ADD(s, test_ntor_server_rejects, 10);
  TESTUTIL_ADD(s, test_ntor_client_rejects_zero_y, 10);
  return s;
}
