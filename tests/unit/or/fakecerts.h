/* fakecerts.h — CERTS cell bodies for the scripted fake responder of
 * test_channel.c, good or broken in one chosen way.  (A separate file because
 * proto/link_cells.h and proto/certs/certs_check.h cannot share a file.) */
#ifndef EVONION_TEST_FAKECERTS_H
#define EVONION_TEST_FAKECERTS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "relay/keys.h"

typedef enum fake_certs_t {
  FAKE_CERTS_GOOD = 0,
  FAKE_CERTS_EXPIRED,      /**< the type-4 certificate expired an hour ago */
  FAKE_CERTS_BAD_SIG,      /**< one bit of the type-4 signature flipped */
  FAKE_CERTS_TLS_MISMATCH, /**< types 1 and 5 name a certificate other than the TLS one */
  FAKE_CERTS_WRONG_TYPE,   /**< the type-4 and type-5 certificates in each other's slots */
  FAKE_CERTS_MISSING,      /**< no type-7 crosscert */
  FAKE_CERTS_DUPLICATE,    /**< the type-2 certificate twice */
} fake_certs_t;

/** A CERTS body (x_free it) for responder keys k, whose TLS certificate is
 *  k->link_cert.  Returns 0 or -1. */
int fake_certs_body(const relay_keys_t *k, fake_certs_t how, time_t now, uint8_t **body,
                    size_t *len);

/** A channel_keys_fn for relay_keys_t *arg that gives the right keys on its
 *  first call (our CERTS) and a link-auth key other than the certified one
 *  afterwards (so our AUTHENTICATE is signed by the wrong key). */
void fake_lying_get_keys(void *arg, struct certs_our_keys_t *out);
/** A channel_keys_fn for relay_keys_t *arg whose type-4 certificate expired
 *  an hour ago. */
void fake_expired_get_keys(void *arg, struct certs_our_keys_t *out);
/** Reset fake_lying_get_keys() to its first call, with a new wrong key. */
void fake_lying_reset(void);

#endif
