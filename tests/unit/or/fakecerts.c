/* fakecerts.c — see fakecerts.h. */
#include "fakecerts.h"

#include <string.h>

#include "lib/alloc.h"
#include "lib/bytes.h"
#include "proto/certs/certs_check.h"

static int
find(const certs_list_t *l, uint8_t type)
{
  for (size_t i = 0; i < l->n; i++)
    if (l->entries[i].type == type)
      return (int)i;
  return -1;
}

int
fake_certs_body(const relay_keys_t *k, fake_certs_t how, time_t now, uint8_t **body,
                size_t *len)
{
  certs_our_keys_t keys;
  certs_list_t l;
  memset(&l, 0, sizeof(l));
  relay_keys_get_certs_keys(k, &keys);
  if (how == FAKE_CERTS_EXPIRED)
    keys.signing_exp_hours = (uint32_t)(now / 3600 - 1);
  if (how == FAKE_CERTS_TLS_MISMATCH)
    keys.link_cert = k->id_cert; /* signed by the identity, but not the TLS cert */
  if (certs_build_responder(&keys, &l) < 0)
    return -1;
  int i4 = find(&l, CERTTYPE_ED_ID_SIGN), i5 = find(&l, CERTTYPE_ED_SIGN_LINK);
  if (how == FAKE_CERTS_BAD_SIG)
    l.owned[i4][l.entries[i4].len - 10] ^= 0x04;
  if (how == FAKE_CERTS_WRONG_TYPE) {
    l.entries[i4].type = CERTTYPE_ED_SIGN_LINK;
    l.entries[i5].type = CERTTYPE_ED_ID_SIGN;
  }
  size_t n = l.n;
  if (how == FAKE_CERTS_MISSING)
    n--; /* type 7 is last */
  int dup = how == FAKE_CERTS_DUPLICATE ? find(&l, CERTTYPE_RSA1024_ID_ID) : -1;
  size_t total = 1;
  for (size_t i = 0; i < n; i++)
    total += 3 + l.entries[i].len;
  if (dup >= 0)
    total += 3 + l.entries[dup].len;
  uint8_t *out = x_malloc(total), *p = out;
  *p++ = (uint8_t)(n + (dup >= 0));
  for (size_t i = 0; i < n + (dup >= 0); i++) {
    const certs_entry_t *e = &l.entries[i < n ? i : (size_t)dup];
    *p++ = e->type;
    put_u16(p, (uint16_t)e->len);
    memcpy(p + 2, e->body, e->len);
    p += 2 + e->len;
  }
  certs_list_clear(&l);
  *body = out;
  *len = total;
  return 0;
}

static int n_lying_calls;
static ed25519_keypair_t lying_key;

void
fake_lying_reset(void)
{
  n_lying_calls = 0;
  ed25519_keypair_generate(&lying_key);
}

void
fake_lying_get_keys(void *arg, struct certs_our_keys_t *out)
{
  relay_keys_get_certs_keys(arg, out);
  if (n_lying_calls++ > 0)
    out->link_auth = &lying_key;
}

void
fake_expired_get_keys(void *arg, struct certs_our_keys_t *out)
{
  relay_keys_get_certs_keys(arg, out);
  out->signing_exp_hours = (uint32_t)(time(NULL) / 3600 - 1);
}
