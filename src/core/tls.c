/* tls.c — OpenSSL contexts for Tor link TLS. */
#include "core/tls.h"

#include <string.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "lib/alloc.h"
#include "lib/log.h"

struct tls_ctx_t {
  SSL_CTX *ctx;
  int is_server;
};

static SSL_CTX *
tls_ctx_common(int server)
{
  SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
  if (!ctx)
    return NULL;
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
                      SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF |
                      SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx, 0);  /* no resumption (tor-spec §2.2) */
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
  SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE |
                   SSL_MODE_RELEASE_BUFFERS);
  return ctx;
}

tls_ctx_t *
tls_ctx_new_client(void)
{
  SSL_CTX *ctx = tls_ctx_common(0);
  if (!ctx) {
    char buf[160];
    log_warn(LD_TLS, "Cannot create a TLS client context: %s",
             tls_last_error_string(buf, sizeof(buf)));
    return NULL;
  }
  tls_ctx_t *t = x_calloc(1, sizeof(*t));
  t->ctx = ctx;
  return t;
}

tls_ctx_t *
tls_ctx_new_server(const uint8_t *cert_der, size_t cert_len, const uint8_t *key_der,
                   size_t key_len)
{
  SSL_CTX *ctx = tls_ctx_common(1);
  if (!ctx)
    return NULL;
  tls_ctx_t *t = x_calloc(1, sizeof(*t));
  t->ctx = ctx;
  t->is_server = 1;
  if (tls_ctx_set_cert(t, cert_der, cert_len, key_der, key_len) < 0) {
    tls_ctx_free(t);
    return NULL;
  }
  return t;
}

int
tls_ctx_set_cert(tls_ctx_t *t, const uint8_t *cert_der, size_t cert_len, const uint8_t *key_der,
                 size_t key_len)
{
  char buf[160];
  const unsigned char *p = cert_der;
  X509 *cert = d2i_X509(NULL, &p, (long)cert_len);
  p = key_der;
  EVP_PKEY *key = d2i_AutoPrivateKey(NULL, &p, (long)key_len);
  int ok = cert && key && SSL_CTX_use_certificate(t->ctx, cert) == 1 &&
           SSL_CTX_use_PrivateKey(t->ctx, key) == 1 && SSL_CTX_check_private_key(t->ctx) == 1;
  if (!ok)
    log_warn(LD_TLS, "Cannot use the TLS certificate and key: %s",
             tls_last_error_string(buf, sizeof(buf)));
  X509_free(cert);
  EVP_PKEY_free(key);
  return ok ? 0 : -1;
}

int
tls_ctx_is_server(const tls_ctx_t *t)
{
  return t->is_server;
}

struct ssl_st *
tls_ctx_new_ssl(tls_ctx_t *t)
{
  return SSL_new(t->ctx);
}

void
tls_ctx_free(tls_ctx_t *t)
{
  if (!t)
    return;
  SSL_CTX_free(t->ctx);  /* connections keep their own references */
  x_free(t);
}

int
tls_get_peer_cert_der(struct ssl_st *ssl, uint8_t **der, size_t *len)
{
  X509 *cert = SSL_get1_peer_certificate(ssl);
  if (!cert)
    return -1;
  unsigned char *out = NULL;
  int n = i2d_X509(cert, &out);
  X509_free(cert);
  if (n <= 0)
    return -1;
  *der = x_memdup(out, (size_t)n);
  *len = (size_t)n;
  OPENSSL_free(out);
  return 0;
}

int
tls_export_keying_material(struct ssl_st *ssl, uint8_t *out, size_t outlen, const char *label,
                           const uint8_t *context, size_t ctxlen)
{
  return SSL_export_keying_material(ssl, out, outlen, label, strlen(label), context, ctxlen,
                                    context != NULL) == 1 ? 0 : -1;
}

const char *
tls_last_error_string(char *buf, size_t len)
{
  unsigned long e = ERR_get_error();
  if (!e)
    snprintf(buf, len, "no OpenSSL error");
  else
    ERR_error_string_n(e, buf, len);
  ERR_clear_error();
  return buf;
}
