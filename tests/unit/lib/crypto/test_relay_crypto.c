/* test_relay_crypto.c — tor1 relay crypto.
 *
 * No published known-answer vector exists, so the implementation is checked
 * (1) against an independent model written here from tor-spec §5.2.2/§6.1
 * using only the AES-CTR and one-shot SHA-1 primitives: each direction of a
 * hop is one AES-128-CTR key stream with IV 0 (precomputed here, XORed at an
 * offset), and the digest of a cell is SHA1(Df | every cell so far with its
 * digest field zeroed); and (2) client against relay over 3 hops in both
 * directions, including the SENDME v1 tags, digest checkpoint/restore on
 * failed recognition, and refusal of bad input. */
#include <stdlib.h>
#include <string.h>

#include "lib/crypto/aes.h"
#include "lib/crypto/digest.h"
#include "lib/crypto/relay_crypto.h"
#include "testutil.h"

#define NHOPS 3
#define NCELLS 400
#define P RELAY_PAYLOAD_LEN

/* Independent model of one hop. */
typedef struct model_dir_t {
  uint8_t seed[20];   /* Df or Db */
  uint8_t *ks;        /* key stream, NCELLS*P bytes */
  size_t off;         /* key stream used so far */
  uint8_t *hist;      /* seed | cells digested so far */
  size_t histlen;
} model_dir_t;

typedef struct model_hop_t {
  model_dir_t f, b;
} model_hop_t;

static void
model_dir_init(model_dir_t *d, const uint8_t seed[20], const uint8_t key[16])
{
  static const uint8_t iv[16];
  memcpy(d->seed, seed, 20);
  d->ks = calloc(NCELLS, P);
  crypto_aes_ctr_t *c = crypto_aes_ctr_new(key, 16, iv);
  ck_assert_ptr_nonnull(c);
  crypto_aes_ctr_crypt(c, d->ks, d->ks, (size_t)NCELLS * P);
  crypto_aes_ctr_free(c);
  d->off = 0;
  d->hist = malloc(20 + (size_t)NCELLS * P);
  memcpy(d->hist, seed, 20);
  d->histlen = 20;
}

static void
model_hop_init(model_hop_t *h, const uint8_t km[72])
{
  model_dir_init(&h->f, km, km + 40);
  model_dir_init(&h->b, km + 20, km + 56);
}

static void
model_hop_clear(model_hop_t *h)
{
  free(h->f.ks);
  free(h->f.hist);
  free(h->b.ks);
  free(h->b.hist);
}

static void
model_xor(model_dir_t *d, uint8_t *cell)
{
  ck_assert_uint_le(d->off + P, (size_t)NCELLS * P);
  for (size_t i = 0; i < P; i++)
    cell[i] ^= d->ks[d->off + i];
  d->off += P;
}

/* Digest an originated cell: recognized=0, digest=0, append, set field.
 * full gets the 20-byte value. */
static void
model_digest(model_dir_t *d, uint8_t *cell, uint8_t full[20])
{
  memset(cell + 1, 0, 2);
  memset(cell + 5, 0, 4);
  memcpy(d->hist + d->histlen, cell, P);
  d->histlen += P;
  crypto_sha1(d->hist, d->histlen, full);
  memcpy(cell + 5, full, 4);
}

static void
make_keys(uint8_t km[NHOPS][72], uint64_t *st)
{
  for (int i = 0; i < NHOPS; i++)
    testutil_fill_random(km[i], 72, st);
}

static void
make_cell(uint8_t *cell, uint64_t *st)
{
  testutil_fill_random(cell, P, st);
  cell[1] = cell[2] = 0;
}

/* Client originate == model, relays recognize at exactly the target hop. */
START_TEST(test_forward_vs_model_and_relays)
{
  uint64_t st = 0xfeed;
  uint8_t km[NHOPS][72];
  make_keys(km, &st);
  relay_crypto_t *cl[NHOPS], *rl[NHOPS];
  model_hop_t m[NHOPS];
  for (int i = 0; i < NHOPS; i++) {
    cl[i] = relay_crypto_new(km[i], 72, 0);
    rl[i] = relay_crypto_new(km[i], 72, 1);
    ck_assert_ptr_nonnull(cl[i]);
    ck_assert_ptr_nonnull(rl[i]);
    model_hop_init(&m[i], km[i]);
  }
  for (int n = 0; n < 300; n++) {
    int t = (int)testutil_rand_range(&st, 0, NHOPS - 1);
    uint8_t orig[P], cell[P], expect[P], full[20], tag[20];
    make_cell(orig, &st);
    memcpy(cell, orig, P);
    memcpy(expect, orig, P);
    model_digest(&m[t].f, expect, full);
    uint8_t plain_expect[P];
    memcpy(plain_expect, expect, P);
    for (int i = t; i >= 0; i--)
      model_xor(&m[i].f, expect);

    ck_assert_int_eq(relay_crypto_client_originate(cl, NHOPS, t, cell), 0);
    ck_assert_mem_eq(cell, expect, P);
    relay_crypto_get_sendme_tag_sent(cl[t], tag);
    ck_assert_mem_eq(tag, full, 20);
    relay_crypto_get_sendme_tag(cl[t], tag);
    ck_assert_mem_eq(tag, full, 20);

    /* Relays peel one layer each; only hop t recognizes it. */
    for (int i = 0; i <= t; i++) {
      int r = relay_crypto_relay_decrypt_forward(rl[i], cell);
      ck_assert_int_eq(r, i == t ? 1 : 0);
    }
    ck_assert_mem_eq(cell, plain_expect, P);
    /* Everything but the digest field is the original cell. */
    ck_assert_mem_eq(cell, orig, 5);
    ck_assert_mem_eq(cell + 9, orig + 9, P - 9);
    relay_crypto_get_sendme_tag_received(rl[t], tag);
    ck_assert_mem_eq(tag, full, 20);
  }
  for (int i = 0; i < NHOPS; i++) {
    relay_crypto_free(cl[i]);
    relay_crypto_free(rl[i]);
    model_hop_clear(&m[i]);
  }
}
END_TEST

/* Relay originate + backward layers == model; the client finds the hop. */
START_TEST(test_backward_vs_model_and_client)
{
  uint64_t st = 0xbeef;
  uint8_t km[NHOPS][72];
  make_keys(km, &st);
  relay_crypto_t *cl[NHOPS], *rl[NHOPS];
  model_hop_t m[NHOPS];
  for (int i = 0; i < NHOPS; i++) {
    cl[i] = relay_crypto_new(km[i], 72, 0);
    rl[i] = relay_crypto_new(km[i], 72, 1);
    model_hop_init(&m[i], km[i]);
  }
  for (int n = 0; n < 300; n++) {
    int t = (int)testutil_rand_range(&st, 0, NHOPS - 1);
    uint8_t orig[P], cell[P], expect[P], plain[P], full[20], tag[20];
    make_cell(orig, &st);
    memcpy(cell, orig, P);
    memcpy(expect, orig, P);
    model_digest(&m[t].b, expect, full);
    memcpy(plain, expect, P);
    for (int i = t; i >= 0; i--)
      model_xor(&m[i].b, expect);

    ck_assert_int_eq(relay_crypto_relay_originate(rl[t], cell), 0);
    relay_crypto_get_sendme_tag_sent(rl[t], tag);
    ck_assert_mem_eq(tag, full, 20);
    for (int i = t - 1; i >= 0; i--)
      ck_assert_int_eq(relay_crypto_relay_encrypt_backward(rl[i], cell), 0);
    ck_assert_mem_eq(cell, expect, P);

    ck_assert_int_eq(relay_crypto_client_receive(cl, NHOPS, cell), t);
    ck_assert_mem_eq(cell, plain, P);
    relay_crypto_get_sendme_tag_received(cl[t], tag);
    ck_assert_mem_eq(tag, full, 20);
    relay_crypto_get_sendme_tag(cl[t], tag);
    ck_assert_mem_eq(tag, full, 20);
  }
  for (int i = 0; i < NHOPS; i++) {
    relay_crypto_free(cl[i]);
    relay_crypto_free(rl[i]);
    model_hop_clear(&m[i]);
  }
}
END_TEST

/* A cell that decrypts to recognized == 0 with a wrong digest must leave
 * every running digest as it was (checkpoint/restore). */
START_TEST(test_failed_recognition_restores_digest)
{
  uint64_t st = 0x5eed;
  uint8_t km[NHOPS][72];
  make_keys(km, &st);
  relay_crypto_t *cl[NHOPS], *rl;
  model_hop_t m[NHOPS];
  for (int i = 0; i < NHOPS; i++) {
    cl[i] = relay_crypto_new(km[i], 72, 0);
    model_hop_init(&m[i], km[i]);
  }
  rl = relay_crypto_new(km[0], 72, 1);

  for (int round = 0; round < 5; round++) {
    /* Client side: a bogus cell that hop 0 sees as recognized == 0 with a
     * bad digest; the remaining layers turn it into garbage. */
    uint8_t cell[P], full[20], plain[P];
    make_cell(cell, &st);
    cell[5] ^= 0x5a; /* surely not the right digest */
    model_xor(&m[0].b, cell); /* the client will strip this layer first */
    m[1].b.off += P;          /* and then decrypt with hops 1 and 2 */
    m[2].b.off += P;
    ck_assert_int_eq(relay_crypto_client_receive(cl, NHOPS, cell), -1);

    /* Now a genuine cell from each hop (model-built) is still recognized,
     * so no digest moved. */
    for (int t = 0; t < NHOPS; t++) {
      make_cell(cell, &st);
      model_digest(&m[t].b, cell, full);
      memcpy(plain, cell, P);
      for (int i = t; i >= 0; i--)
        model_xor(&m[i].b, cell);
      ck_assert_int_eq(relay_crypto_client_receive(cl, NHOPS, cell), t);
      ck_assert_mem_eq(cell, plain, P);
    }

    /* Relay side, the same idea in the forward direction. */
    make_cell(cell, &st);
    cell[6] ^= 0xa5;
    model_xor(&m[0].f, cell);
    ck_assert_int_eq(relay_crypto_relay_decrypt_forward(rl, cell), 0);
    make_cell(cell, &st);
    model_digest(&m[0].f, cell, full);
    model_xor(&m[0].f, cell);
    ck_assert_int_eq(relay_crypto_relay_decrypt_forward(rl, cell), 1);
  }
  for (int i = 0; i < NHOPS; i++) {
    relay_crypto_free(cl[i]);
    model_hop_clear(&m[i]);
  }
  relay_crypto_free(rl);
}
END_TEST

/* Cells from the wrong keys, or replayed, are not recognized. */
START_TEST(test_unrecognized_cells)
{
  uint64_t st = 0x1111;
  uint8_t km[NHOPS][72], other[72];
  make_keys(km, &st);
  testutil_fill_random(other, 72, &st);
  relay_crypto_t *cl[NHOPS];
  for (int i = 0; i < NHOPS; i++)
    cl[i] = relay_crypto_new(km[i], 72, 0);
  relay_crypto_t *stranger = relay_crypto_new(other, 72, 1);
  uint8_t cell[P];
  make_cell(cell, &st);
  ck_assert_int_eq(relay_crypto_relay_originate(stranger, cell), 0);
  ck_assert_int_eq(relay_crypto_client_receive(cl, NHOPS, cell), -1);

  /* Relay: a replay of a recognized cell is not recognized again. */
  relay_crypto_t *c1 = relay_crypto_new(km[0], 72, 0), *r1 = relay_crypto_new(km[0], 72, 1);
  relay_crypto_t *r1b = relay_crypto_new(km[0], 72, 1);
  uint8_t copy[P];
  make_cell(cell, &st);
  ck_assert_int_eq(relay_crypto_client_originate(&c1, 1, 0, cell), 0);
  memcpy(copy, cell, P);
  ck_assert_int_eq(relay_crypto_relay_decrypt_forward(r1, cell), 1);
  ck_assert_int_eq(relay_crypto_relay_decrypt_forward(r1, copy), 0);
  /* A flipped bit anywhere in the cell defeats recognition (fresh relay). */
  make_cell(cell, &st);
  relay_crypto_t *c2 = relay_crypto_new(km[1], 72, 0), *r2 = relay_crypto_new(km[1], 72, 1);
  ck_assert_int_eq(relay_crypto_client_originate(&c2, 1, 0, cell), 0);
  cell[400] ^= 0x01;
  ck_assert_int_eq(relay_crypto_relay_decrypt_forward(r2, cell), 0);
  relay_crypto_free(c1);
  relay_crypto_free(r1);
  relay_crypto_free(r1b);
  relay_crypto_free(c2);
  relay_crypto_free(r2);
  relay_crypto_free(stranger);
  for (int i = 0; i < NHOPS; i++)
    relay_crypto_free(cl[i]);
}
END_TEST

START_TEST(test_bad_arguments)
{
  uint8_t km[72] = { 0 }, cell[P] = { 0 }, tag[20];
  ck_assert_ptr_null(relay_crypto_new(km, 71, 0));
  ck_assert_ptr_null(relay_crypto_new(NULL, 72, 0));
  relay_crypto_t *c = relay_crypto_new(km, 92, 0); /* extra (KH) ignored */
  relay_crypto_t *r = relay_crypto_new(km, 72, 1);
  ck_assert_ptr_nonnull(c);
  relay_crypto_get_sendme_tag_sent(c, tag); /* all zero before any cell */
  for (int i = 0; i < 20; i++)
    ck_assert_uint_eq(tag[i], 0);
  ck_assert_int_eq(relay_crypto_client_originate(&c, 1, 1, cell), -1);
  ck_assert_int_eq(relay_crypto_client_originate(&c, 1, -1, cell), -1);
  ck_assert_int_eq(relay_crypto_client_originate(NULL, 1, 0, cell), -1);
  /* Client calls on a relay state and relay calls on a client state. */
  ck_assert_int_eq(relay_crypto_client_originate(&r, 1, 0, cell), -1);
  ck_assert_int_eq(relay_crypto_client_receive(&r, 1, cell), -1);
  ck_assert_int_eq(relay_crypto_relay_decrypt_forward(c, cell), -1);
  ck_assert_int_eq(relay_crypto_relay_encrypt_backward(c, cell), -1);
  ck_assert_int_eq(relay_crypto_relay_originate(c, cell), -1);
  ck_assert_int_eq(relay_crypto_client_receive(&c, 0, cell), -1);
  relay_crypto_free(c);
  relay_crypto_free(r);
  relay_crypto_free(NULL);
}
END_TEST

/* originate sets recognized to 0 itself. */
START_TEST(test_originate_clears_recognized)
{
  uint64_t st = 3;
  uint8_t km[72], cell[P];
  testutil_fill_random(km, 72, &st);
  relay_crypto_t *c = relay_crypto_new(km, 72, 0), *r = relay_crypto_new(km, 72, 1);
  testutil_fill_random(cell, P, &st);
  cell[1] = 0xff;
  cell[2] = 0x01;
  ck_assert_int_eq(relay_crypto_client_originate(&c, 1, 0, cell), 0);
  ck_assert_int_eq(relay_crypto_relay_decrypt_forward(r, cell), 1);
  ck_assert_uint_eq(cell[1], 0);
  ck_assert_uint_eq(cell[2], 0);
  relay_crypto_free(c);
  relay_crypto_free(r);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("lib_crypto_relay_crypto");
  TESTUTIL_ADD(s, test_forward_vs_model_and_relays, 30);
  TESTUTIL_ADD(s, test_backward_vs_model_and_client, 30);
  TESTUTIL_ADD(s, test_failed_recognition_restores_digest, 30);
  TESTUTIL_ADD(s, test_unrecognized_cells, 10);
  TESTUTIL_ADD(s, test_bad_arguments, 10);
  TESTUTIL_ADD(s, test_originate_clears_recognized, 10);
  return s;
}
