/* bench_crypto.c — single-core throughput of the crypto layer.
 *
 * Prints one line per measurement:  <name> <chunk-bytes> <MB/s>
 * (MB = 10^6 bytes of payload), timed in process CPU time like
 * `openssl speed` (which divides by user CPU time unless -elapsed), so that
 * a loaded machine does not skew the figures.
 * Usage: bench_crypto [cpu-seconds-per-test]
 *
 *   aes128ctr      crypto_aes_ctr_crypt over 16384- and 509-byte chunks
 *   sha1           crypto_digest_add over 16384- and 509-byte chunks
 *   tor1_client_originate_3hop   relay_crypto_client_originate to hop 3
 *                                (3 AES layers + SHA-1 digest per cell)
 *   tor1_relay_forward_pass      relay_crypto_relay_decrypt_forward of a cell
 *                                not for us (middle relay: AES + check)
 *   tor1_relay_forward_recognize relay_crypto_relay_decrypt_forward of a cell
 *                                for us (AES + digest trial with checkpoint)
 *   tor1_client_receive_3hop     relay_crypto_client_receive of a cell from
 *                                hop 3 (3 AES layers + digest checks) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "lib/crypto/aes.h"
#include "lib/crypto/digest.h"
#include "lib/crypto/rand.h"
#include "lib/crypto/relay_crypto.h"

#define P RELAY_PAYLOAD_LEN
#define NCELLS 8192 /* ~4 MB of precomputed cells */

#define now bench_cpu_now
#define report bench_report

static void
bench_aes(double dur, size_t chunk)
{
  uint8_t key[16], iv[16] = { 0 };
  uint8_t *buf = calloc(1, chunk);
  crypto_rand(key, sizeof(key));
  crypto_aes_ctr_t *c = crypto_aes_ctr_new(key, 16, iv);
  double t0 = now(), t;
  double bytes = 0;
  do {
    for (int i = 0; i < 256; i++)
      crypto_aes_ctr_crypt(c, buf, buf, chunk);
    bytes += 256.0 * (double)chunk;
  } while ((t = now()) - t0 < dur);
  report("aes128ctr", chunk, bytes, t - t0);
  crypto_aes_ctr_free(c);
  free(buf);
}

static void
bench_sha1(double dur, size_t chunk)
{
  uint8_t *buf = calloc(1, chunk);
  crypto_digest_t *d = crypto_digest_new_sha1();
  double t0 = now(), t;
  double bytes = 0;
  do {
    for (int i = 0; i < 256; i++)
      crypto_digest_add(d, buf, chunk);
    bytes += 256.0 * (double)chunk;
  } while ((t = now()) - t0 < dur);
  report("sha1", chunk, bytes, t - t0);
  crypto_digest_free(d);
  free(buf);
}

static void
make_hops(relay_crypto_t **hops, int n, uint8_t km[][72], int relay_side)
{
  for (int i = 0; i < n; i++)
    hops[i] = relay_crypto_new(km[i], 72, relay_side);
}

static void
free_hops(relay_crypto_t **hops, int n)
{
  for (int i = 0; i < n; i++)
    relay_crypto_free(hops[i]);
}

static void
bench_tor1(double dur)
{
  uint8_t km[3][72];
  crypto_rand(km, sizeof(km));
  uint8_t *cells = malloc((size_t)NCELLS * P), *orig = malloc((size_t)NCELLS * P);
  crypto_rand(orig, (size_t)NCELLS * P);
  for (int i = 0; i < NCELLS; i++)
    orig[(size_t)i * P + 1] = orig[(size_t)i * P + 2] = 0;
  relay_crypto_t *cl[3], *rl[3];
  double t0, t, bytes;

  /* Client originate to hop 3, repeated over the cell pool. */
  make_hops(cl, 3, km, 0);
  memcpy(cells, orig, (size_t)NCELLS * P);
  t0 = now();
  bytes = 0;
  do {
    for (int i = 0; i < NCELLS; i++)
      relay_crypto_client_originate(cl, 3, 2, cells + (size_t)i * P);
    bytes += (double)NCELLS * P;
  } while ((t = now()) - t0 < dur);
  report("tor1_client_originate_3hop", P, bytes, t - t0);
  free_hops(cl, 3);

  /* Relay forward and client receive need cells made by the other side in
   * stream order: build a batch (untimed), then time processing it, until
   * dur CPU seconds have been timed. */
  double tpass = 0, trec = 0, trecv = 0, nb = 0;
  int bad = 0;
  make_hops(cl, 3, km, 0);
  make_hops(rl, 3, km, 1);
  relay_crypto_t *cl2[3];
  make_hops(cl2, 3, km, 0);
  while (trec < dur || trecv < dur) {
    memcpy(cells, orig, (size_t)NCELLS * P);
    for (int i = 0; i < NCELLS; i++)
      relay_crypto_client_originate(cl, 3, 2, cells + (size_t)i * P);
    t0 = now();
    for (int i = 0; i < NCELLS; i++)
      bad += relay_crypto_relay_decrypt_forward(rl[0], cells + (size_t)i * P) != 0;
    tpass += now() - t0;
    for (int i = 0; i < NCELLS; i++)
      relay_crypto_relay_decrypt_forward(rl[1], cells + (size_t)i * P);
    t0 = now();
    for (int i = 0; i < NCELLS; i++)
      bad += relay_crypto_relay_decrypt_forward(rl[2], cells + (size_t)i * P) != 1;
    trec += now() - t0;

    memcpy(cells, orig, (size_t)NCELLS * P);
    for (int i = 0; i < NCELLS; i++) {
      uint8_t *c = cells + (size_t)i * P;
      relay_crypto_relay_originate(rl[2], c);
      relay_crypto_relay_encrypt_backward(rl[1], c);
      relay_crypto_relay_encrypt_backward(rl[0], c);
    }
    t0 = now();
    for (int i = 0; i < NCELLS; i++)
      bad += relay_crypto_client_receive(cl2, 3, cells + (size_t)i * P) != 2;
    trecv += now() - t0;
    nb += (double)NCELLS * P;
  }
  if (bad)
    fprintf(stderr, "BUG: %d cells were not handled as expected\n", bad);
  report("tor1_relay_forward_pass", P, nb, tpass);
  report("tor1_relay_forward_recognize", P, nb, trec);
  report("tor1_client_receive_3hop", P, nb, trecv);
  free_hops(cl, 3);
  free_hops(cl2, 3);
  free_hops(rl, 3);
  free(cells);
  free(orig);
}

int
main(int argc, char **argv)
{
  double dur = argc > 1 ? atof(argv[1]) : 1.0;
  if (dur <= 0)
    dur = 1.0;
  printf("# name                        bytes       MB/s   (one core)\n");
  bench_aes(dur, 16384);
  bench_aes(dur, P);
  bench_sha1(dur, 16384);
  bench_sha1(dur, P);
  bench_tor1(dur);
  return 0;
}
