/* conntest.c — the counting test connection type. */
#include "conntest.h"

#include <check.h>
#include <string.h>
#include <event2/buffer.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#ifdef _WIN32
#include <winsock2.h>
#endif

#include "lib/alloc.h"
#include "testutil.h"

int tconn_n_freed;
int tconn_n_freed_tls_error;
int tconn_last_freed_error;
int tconn_n_eof_total;

static uint64_t
splitmix(uint64_t x)
{
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

void
pattern_fill(uint64_t seed, uint64_t off, uint8_t *buf, size_t n)
{
  size_t i = 0;
  /* Byte at stream position p is byte p%8 of splitmix(seed ^ f(p/8)), so any
   * chunking of the stream gives the same bytes. */
  while (i < n && ((off + i) % 8 || n - i < 8)) {
    uint64_t pos = off + i;
    uint64_t v = splitmix(seed ^ ((pos / 8) * 0x100000001b3ULL));
    buf[i++] = (uint8_t)(v >> (8 * (pos % 8)));
  }
  for (; n - i >= 8; i += 8) {
    uint64_t v = splitmix(seed ^ (((off + i) / 8) * 0x100000001b3ULL));
    for (int k = 0; k < 8; k++)
      buf[i + (size_t)k] = (uint8_t)(v >> (8 * k));
  }
  while (i < n) {
    uint64_t pos = off + i;
    uint64_t v = splitmix(seed ^ ((pos / 8) * 0x100000001b3ULL));
    buf[i++] = (uint8_t)(v >> (8 * (pos % 8)));
  }
}

void
tconn_pump(tconn_t *t)
{
  static uint8_t chunk[128 * 1024];
  conn_t *c = &t->base;
  while (!conn_is_marked(c) && t->tx_sent < t->tx_total && !conn_outbuf_is_full(c)) {
    size_t n = testutil_rand_range(&t->rng, 1, t->max_write ? t->max_write : 65536);
    if (n > t->tx_total - t->tx_sent)
      n = (size_t)(t->tx_total - t->tx_sent);
    pattern_fill(t->tx_seed, t->tx_sent, chunk, n);
    ck_assert_int_eq(conn_write(c, chunk, n), 0);
    t->tx_sent += n;
    t->last_write_time = testutil_now();
    size_t ob = conn_outbuf_len(c);
    if (ob > t->max_outbuf_seen)
      t->max_outbuf_seen = ob;
  }
  if (t->close_when_sent && t->tx_sent == t->tx_total && !conn_is_marked(c))
    conn_close_after_flush(c, t->close_deadline);
}

void
tconn_start_send(tconn_t *t, uint64_t seed, uint64_t total)
{
  t->tx_seed = seed;
  t->tx_total = total;
  t->tx_sent = 0;
  if (!t->rng)
    t->rng = seed | 1;
  tconn_pump(t);
}

static void
tc_process_inbuf(conn_t *c)
{
  static uint8_t got[64 * 1024], want[64 * 1024];
  tconn_t *t = (tconn_t *)c;
  struct evbuffer *in = conn_inbuf(c);
  t->n_process_inbuf++;
  size_t len = evbuffer_get_length(in);
  if (len > t->max_inbuf_seen)
    t->max_inbuf_seen = len;
  if (!t->drain)
    return;
  for (;;) {
    int n = evbuffer_remove(in, got, sizeof(got));
    if (n <= 0)
      break;
    pattern_fill(t->rx_seed, t->rx, want, (size_t)n);
    if (memcmp(got, want, (size_t)n))
      t->rx_bad = 1;
    t->rx += (uint64_t)n;
  }
}

static void
tc_flushed_some(conn_t *c)
{
  tconn_t *t = (tconn_t *)c;
  t->n_flushed_some++;
  tconn_pump(t);
}

static void
tc_finished_flushing(conn_t *c)
{
  tconn_t *t = (tconn_t *)c;
  t->n_finished_flushing++;
  if (!t->refill_on_flushed_some_only)
    tconn_pump(t);
}

static void
tc_finished_connecting(conn_t *c)
{
  tconn_t *t = (tconn_t *)c;
  t->n_connected++;
  tconn_pump(t);
}

static void
tc_reached_eof(conn_t *c)
{
  tconn_t *t = (tconn_t *)c;
  t->n_eof++;
  tconn_n_eof_total++;
  tc_process_inbuf(c);
  if (t->close_on_eof)
    conn_mark_for_close(c);
}

static void
tc_about_to_close(conn_t *c)
{
  tconn_t *t = (tconn_t *)c;
  t->n_about_to_close++;
  ck_assert_int_eq(t->n_about_to_close, 1);
  tconn_n_freed++;
  tconn_last_freed_error = c->last_error;
  if (c->tls_error)
    tconn_n_freed_tls_error++;
}

const conn_ops_t tconn_ops = {
  .name = "test",
  .process_inbuf = tc_process_inbuf,
  .flushed_some = tc_flushed_some,
  .finished_flushing = tc_finished_flushing,
  .finished_connecting = tc_finished_connecting,
  .reached_eof = tc_reached_eof,
  .about_to_close = tc_about_to_close,
};

static void
tlisten_accept(listener_t *l, evutil_socket_t fd, const struct sockaddr *addr, int addrlen,
               void *arg)
{
  tlisten_t *tl = arg;
  (void)l;
  tconn_t *t = (tconn_t *)conn_new_accepted(tl->ml, &tconn_ops, sizeof(tconn_t), fd, addr,
                                            addrlen, tl->tls);
  ck_assert_ptr_nonnull(t);
  t->rx_seed = tl->rx_seed;
  t->drain = tl->drain;
  tl->accepted = t;
  tl->n_accepted++;
}

int
tlisten_start(tlisten_t *tl, mainloop_t *ml, tls_ctx_t *tls, int ipv6)
{
  struct sockaddr_storage ss;
  int len;
  tl->ml = ml;
  tl->tls = tls;
  ck_assert_int_eq(addr_parse(ipv6 ? "[::1]:0" : "127.0.0.1:0", -1, &ss, &len), 0);
  tl->l = listener_new(ml, (struct sockaddr *)&ss, len, tlisten_accept, tl);
  if (!tl->l)
    return -1;
  return listener_get_port(tl->l);
}

tconn_t *
tconn_connect(mainloop_t *ml, int port, tls_ctx_t *tls, int ipv6)
{
  struct sockaddr_storage ss;
  int len;
  char where[64];
  snprintf(where, sizeof(where), ipv6 ? "[::1]:%d" : "127.0.0.1:%d", port);
  ck_assert_int_eq(addr_parse(where, -1, &ss, &len), 0);
  return (tconn_t *)conn_connect(ml, &tconn_ops, sizeof(tconn_t), (struct sockaddr *)&ss, len,
                                 tls);
}

void
testcert_make(uint8_t **cert, size_t *cert_len, uint8_t **key, size_t *key_len)
{
  EVP_PKEY *pk = EVP_EC_gen("P-256");
  ck_assert_ptr_nonnull(pk);
  X509 *x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400);
  X509_set_pubkey(x, pk);
  X509_NAME *name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"www.example.net",
                             -1, -1, 0);
  X509_set_issuer_name(x, name);
  ck_assert_int_gt(X509_sign(x, pk, EVP_sha256()), 0);
  unsigned char *out = NULL;
  int n = i2d_X509(x, &out);
  ck_assert_int_gt(n, 0);
  *cert = x_memdup(out, (size_t)n);
  *cert_len = (size_t)n;
  OPENSSL_free(out);
  out = NULL;
  n = i2d_PrivateKey(pk, &out);
  ck_assert_int_gt(n, 0);
  *key = x_memdup(out, (size_t)n);
  *key_len = (size_t)n;
  OPENSSL_free(out);
  X509_free(x);
  EVP_PKEY_free(pk);
}

tls_ctx_t *
testcert_server_ctx(void)
{
  uint8_t *cert, *key;
  size_t cl, kl;
  testcert_make(&cert, &cl, &key, &kl);
  tls_ctx_t *t = tls_ctx_new_server(cert, cl, key, kl);
  x_free(cert);
  x_free(key);
  ck_assert_ptr_nonnull(t);
  return t;
}
