/* tls.h — OpenSSL contexts for the TLS filter bufferevents.
 *
 * Tor's link TLS: TLS 1.2 or 1.3, no certificate verification by OpenSSL
 * (peers authenticate in the CERTS cell), no session tickets or resumption,
 * no renegotiation.  A peer's close without close_notify is an ordinary close
 * (SSL_OP_IGNORE_UNEXPECTED_EOF), not an error. */
#ifndef EVONION_CORE_TLS_H
#define EVONION_CORE_TLS_H

#include <stddef.h>
#include <stdint.h>

typedef struct tls_ctx_t tls_ctx_t;
struct ssl_st;

/** A client context.  Returns NULL (logged) on failure. */
tls_ctx_t *tls_ctx_new_client(void);
/** A server context presenting the certificate cert_der with private key
 *  key_der (DER, any key type OpenSSL reads).  Returns NULL (logged) if they
 *  do not parse or do not match. */
tls_ctx_t *tls_ctx_new_server(const uint8_t *cert_der, size_t cert_len,
                              const uint8_t *key_der, size_t key_len);
/** Replace a server context's certificate and key (link-key rotation);
 *  new connections use them.  Returns 0 or -1. */
int tls_ctx_set_cert(tls_ctx_t *t, const uint8_t *cert_der, size_t cert_len,
                     const uint8_t *key_der, size_t key_len);
/** 1 for a server context. */
int tls_ctx_is_server(const tls_ctx_t *t);
/** A new SSL object for one connection (caller owns it until it is handed to a bufferevent). */
struct ssl_st *tls_ctx_new_ssl(tls_ctx_t *t);
/** Drop a reference (contexts are shared by connections); NULL is fine. */
void tls_ctx_free(tls_ctx_t *t);

/** DER of the peer's certificate into a new buffer (x_free it).  Returns 0 or -1. */
int tls_get_peer_cert_der(struct ssl_st *ssl, uint8_t **der, size_t *len);
/** RFC 5705 keying material export.  Returns 0 or -1. */
int tls_export_keying_material(struct ssl_st *ssl, uint8_t *out, size_t outlen, const char *label,
                               const uint8_t *context, size_t ctxlen);
/** The last OpenSSL error as text in buf (for logs); clears the error queue. */
const char *tls_last_error_string(char *buf, size_t len);

#endif
