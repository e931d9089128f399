/* channel_auth.c — the certificate side of the link handshake: checking the
 * peer's CERTS, building ours, and the AUTH0003 AUTHENTICATE authenticator
 * (tor-spec §4.2, §4.4.2; protocol-scope.md §A.1.3, §B.3, §B.4). */
#include <string.h>
#include <time.h>
#include <openssl/ssl.h>

#include "or/channel_st.h"

#include "core/tls.h"
#include "lib/alloc.h"
#include "lib/bytes.h"
#include "lib/crypto/ct.h"
#include "lib/crypto/rand.h"
#include "lib/log.h"
#include "proto/certs/certs_check.h"

#define AUTH3_TYPE "AUTH0003"
#define AUTH3_LABEL "EXPORTER FOR TOR TLS CLIENT BINDING AUTH0003"
#define AUTH3_CHECKED_LEN 264  /* TYPE..TLSSECRETS: what the responder recomputes */
#define AUTH3_SIGNED_LEN 288   /* + RAND */
#define AUTH3_LEN 352          /* + SIG */
#define AUTH3_RAND_LEN 24

/* Our own TLS certificate (the one this connection presented), or NULL. */
static crypto_x509_t *
own_cert(channel_t *ch)
{
  SSL *ssl = conn_get_ssl(&ch->base);
  X509 *x = ssl ? SSL_get_certificate(ssl) : NULL;
  return x ? crypto_x509_new_from_openssl(x) : NULL;
}

int
channel_auth_own_cert_sha256(channel_t *ch, uint8_t out[DIGEST256_LEN])
{
  crypto_x509_t *c = own_cert(ch);
  int r = c ? crypto_x509_digest_sha256(c, out) : -1;
  crypto_x509_free(c);
  return r;
}

static void
set_reason(channel_t *ch, const char *msg)
{
  snprintf(ch->reason, sizeof(ch->reason), "%s", msg);
}

int
channel_auth_check_certs(channel_t *ch, const chan_certref_t *refs, size_t n)
{
  certs_entry_t entries[CERTS_MAX_ENTRIES];
  certs_auth_t auth;
  certs_result_t r;
  memset(&auth, 0, sizeof(auth));
  for (size_t i = 0; i < n && i < CERTS_MAX_ENTRIES; i++) {
    entries[i].type = refs[i].type;
    entries[i].body = refs[i].body;
    entries[i].len = refs[i].len;
  }
  if (n > CERTS_MAX_ENTRIES)
    n = CERTS_MAX_ENTRIES;
  if (ch->initiator) {
    r = certs_check_responder(entries, n, ch->responder_cert_sha256, time(NULL),
                              ch->expect_rsa_id, ch->has_expect_ed ? ch->expect_ed_id : NULL,
                              &auth);
  } else {
    r = certs_check_initiator(entries, n, time(NULL), NULL, NULL, &auth);
  }
  if (r != CERTS_OK) {
    snprintf(ch->reason, sizeof(ch->reason), "bad CERTS (%s): %s", certs_result_to_string(r),
             auth.reason);
    return -1;
  }
  memcpy(ch->peer_rsa_id, auth.rsa_id, DIGEST_LEN);
  memcpy(ch->peer_rsa_sha256, auth.rsa_id_sha256, DIGEST256_LEN);
  memcpy(ch->peer_ed_id, auth.ed_id, CHANNEL_KEY_LEN);
  if (!ch->initiator)
    memcpy(ch->peer_link_auth, auth.link_auth_key, CHANNEL_KEY_LEN);
  return 0;
}

int
channel_auth_build_certs(channel_t *ch, uint8_t **body, size_t *len)
{
  certs_our_keys_t keys;
  certs_list_t list;
  crypto_x509_t *mine = NULL;
  memset(&list, 0, sizeof(list));
  if (!ch->relay || !ch->relay->get_keys)
    return -1;
  ch->relay->get_keys(ch->relay->keys_arg, &keys);
  if (!ch->initiator) {
    /* Types 1 and 5 must name the certificate this TLS connection presented,
     * even if the link key rotated since it was accepted. */
    mine = own_cert(ch);
    if (!mine)
      return -1;
    keys.link_cert = mine;
  }
  int r = ch->initiator ? certs_build_initiator(&keys, &list)
                        : certs_build_responder(&keys, &list);
  crypto_x509_free(mine);
  if (r < 0)
    return -1;
  size_t total = 1;
  for (size_t i = 0; i < list.n; i++)
    total += 3 + list.entries[i].len;
  uint8_t *out = x_malloc(total), *p = out;
  *p++ = (uint8_t)list.n;
  for (size_t i = 0; i < list.n; i++) {
    *p++ = list.entries[i].type;
    put_u16(p, (uint16_t)list.entries[i].len);
    p += 2;
    memcpy(p, list.entries[i].body, list.entries[i].len);
    p += list.entries[i].len;
  }
  certs_list_clear(&list);
  *body = out;
  *len = total;
  return 0;
}

/* TYPE..TLSSECRETS (264 bytes) of an AUTH0003 authenticator for this channel.
 * Either role computes the same bytes from its own point of view. */
static int
auth3_fill(channel_t *ch, const certs_our_keys_t *keys, uint8_t out[AUTH3_CHECKED_LEN])
{
  uint8_t our_rsa_sha256[DIGEST256_LEN];
  uint8_t *der = NULL;
  size_t derlen = 0;
  if (crypto_rsa_public_der(keys->rsa_id, &der, &derlen) < 0)
    return -1;
  crypto_sha256(der, derlen, our_rsa_sha256);
  x_free(der);

  const uint8_t *cid = ch->initiator ? our_rsa_sha256 : ch->peer_rsa_sha256;
  const uint8_t *sid = ch->initiator ? ch->peer_rsa_sha256 : our_rsa_sha256;
  const uint8_t *cid_ed = ch->initiator ? keys->master->pub : ch->peer_ed_id;
  const uint8_t *sid_ed = ch->initiator ? ch->peer_ed_id : keys->master->pub;
  uint8_t *p = out;
  memcpy(p, AUTH3_TYPE, 8);
  p += 8;
  memcpy(p, cid, 32);
  memcpy(p + 32, sid, 32);
  memcpy(p + 64, cid_ed, 32);
  memcpy(p + 96, sid_ed, 32);
  p += 128;
  /* SLOG: what the responder sent; CLOG: what the initiator sent. */
  if (ch->initiator) {
    memcpy(p, ch->slog, 32);
    crypto_digest_get(ch->digest_sent, p + 32, 32);
  } else {
    crypto_digest_get(ch->digest_sent, p, 32);
    crypto_digest_get(ch->digest_received, p + 32, 32);
  }
  p += 64;
  memcpy(p, ch->responder_cert_sha256, 32);
  p += 32;
  SSL *ssl = conn_get_ssl(&ch->base);
  if (!ssl || tls_export_keying_material(ssl, p, 32, AUTH3_LABEL, cid, 32) < 0)
    return -1;
  return 0;
}

int
channel_auth_build_authenticate(channel_t *ch, uint8_t **body, size_t *len)
{
  certs_our_keys_t keys;
  if (!ch->relay || !ch->relay->get_keys)
    return -1;
  ch->relay->get_keys(ch->relay->keys_arg, &keys);
  uint8_t *out = x_malloc(AUTH3_LEN);
  if (auth3_fill(ch, &keys, out) < 0) {
    x_free(out);
    return -1;
  }
  crypto_rand(out + AUTH3_CHECKED_LEN, AUTH3_RAND_LEN);
  if (ed25519_sign(keys.link_auth, out, AUTH3_SIGNED_LEN, out + AUTH3_SIGNED_LEN) < 0) {
    x_free(out);
    return -1;
  }
  *body = out;
  *len = AUTH3_LEN;
  return 0;
}

int
channel_auth_verify_authenticate(channel_t *ch, uint16_t type, const uint8_t *auth,
                                 size_t len)
{
  certs_our_keys_t keys;
  uint8_t want[AUTH3_CHECKED_LEN];
  if (type != 3) {
    set_reason(ch, "AUTHENTICATE with an unknown AuthType");
    return -1;
  }
  if (len != AUTH3_LEN) {
    set_reason(ch, "AUTHENTICATE of the wrong length");
    return -1;
  }
  ch->relay->get_keys(ch->relay->keys_arg, &keys);
  if (auth3_fill(ch, &keys, want) < 0) {
    set_reason(ch, "cannot compute the expected AUTHENTICATE");
    return -1;
  }
  if (!crypto_ct_memeq(want, auth, AUTH3_CHECKED_LEN)) {
    set_reason(ch, "AUTHENTICATE fields do not match this handshake");
    return -1;
  }
  if (ed25519_verify(ch->peer_link_auth, auth, AUTH3_SIGNED_LEN, auth + AUTH3_SIGNED_LEN) < 0) {
    set_reason(ch, "AUTHENTICATE signature does not verify with the type-6 key");
    return -1;
  }
  return 0;
}
