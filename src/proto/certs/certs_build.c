/* certs_build.c — build our own CERTS entries (protocol-scope.md §B.3, §B.4). */
#include <string.h>

#include "proto/certs/certs_check.h"

#include "lib/alloc.h"
#include "proto/certs/edcert.h"
#include "proto/certs/rsa_crosscert.h"

/* Append (type, body) to l, taking ownership of body. */
static void
list_push(certs_list_t *l, uint8_t type, uint8_t *body, size_t len)
{
  l->owned[l->n] = body;
  l->entries[l->n].type = type;
  l->entries[l->n].body = body;
  l->entries[l->n].len = len;
  l->n++;
}

static void
push_x509(certs_list_t *l, uint8_t type, const crypto_x509_t *c)
{
  size_t len = 0;
  const uint8_t *der = crypto_x509_der(c, &len);
  list_push(l, type, x_memdup(der, len), len);
}

/* Types 2, 4, <leaf>, 7 (and 1 first for the responder). */
static int
build(const certs_our_keys_t *k, uint8_t leaf, certs_list_t *out)
{
  uint8_t *b = NULL;
  size_t len = 0;

  memset(out, 0, sizeof(*out));
  if (!k->rsa_id || !k->id_cert || !k->master || !k->signing)
    return -1;
  if (leaf == CERTTYPE_ED_SIGN_LINK && !k->link_cert)
    return -1;
  if (leaf == CERTTYPE_ED_SIGN_AUTH && !k->link_auth)
    return -1;

  if (leaf == CERTTYPE_ED_SIGN_LINK)
    push_x509(out, CERTTYPE_RSA1024_ID_LINK, k->link_cert);
  push_x509(out, CERTTYPE_RSA1024_ID_ID, k->id_cert);

  if (edcert_create(EDCERT_TYPE_ID_SIGNING, EDCERT_KEYTYPE_ED25519, k->signing->pub,
                    k->signing_exp_hours, k->master, 1, &b, &len) != 0)
    goto err;
  list_push(out, CERTTYPE_ED_ID_SIGN, b, len);

  if (leaf == CERTTYPE_ED_SIGN_LINK) {
    uint8_t digest[DIGEST256_LEN];
    if (crypto_x509_digest_sha256(k->link_cert, digest) != 0 ||
        edcert_create(EDCERT_TYPE_SIGNING_LINK, EDCERT_KEYTYPE_SHA256_X509, digest,
                      k->link_exp_hours, k->signing, 0, &b, &len) != 0)
      goto err;
  } else if (edcert_create(EDCERT_TYPE_SIGNING_AUTH, EDCERT_KEYTYPE_ED25519,
                           k->link_auth->pub, k->link_exp_hours, k->signing, 0,
                           &b, &len) != 0) {
    goto err;
  }
  list_push(out, leaf, b, len);

  if (rsa_crosscert_create(k->master->pub, k->crosscert_exp_hours, k->rsa_id, &b, &len) != 0)
    goto err;
  list_push(out, CERTTYPE_RSA_ED_CROSSCERT, b, len);
  return 0;
 err:
  certs_list_clear(out);
  return -1;
}

int
certs_build_responder(const certs_our_keys_t *keys, certs_list_t *out)
{
  return build(keys, CERTTYPE_ED_SIGN_LINK, out);
}

int
certs_build_initiator(const certs_our_keys_t *keys, certs_list_t *out)
{
  return build(keys, CERTTYPE_ED_SIGN_AUTH, out);
}

void
certs_list_clear(certs_list_t *l)
{
  for (size_t i = 0; i < l->n; i++)
    x_free(l->owned[i]);
  memset(l, 0, sizeof(*l));
}
