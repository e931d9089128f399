/* fuzz_certs_check.c — libFuzzer target for the CERTS-cell checks.  The input
 * is a CERTS cell body (N | N x (type len16 body)); it is split into entries
 * and both the responder and the initiator checks run at a fixed time (a
 * second one when the first finds a cert expired, so that seeds from both
 * real captures reach every check).  The TLS certificate is taken to be the
 * type-1 entry (as tor sends it). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/crypto/digest.h"
#include "proto/certs/certs_check.h"

#define FIXED_NOW ((time_t)1601143280)  /* 2020-09-26T18:01:20Z: chutney seed */
#define FIXED_NOW2 ((time_t)1796026899) /* 2026-11-30T08:21:39Z: 0.4.9.11 seed */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  certs_entry_t e[CERTS_MAX_ENTRIES];
  uint8_t tls[DIGEST256_LEN];
  size_t n = 0, pos = 1;

  if (size < 1)
    return 0;
  memset(tls, 0, sizeof(tls));
  for (unsigned i = 0; i < data[0]; i++) {
    if (size - pos < 3)
      return 0;
    size_t len = get_u16(data + pos + 1);
    if (size - pos - 3 < len)
      return 0;
    e[n].type = data[pos];
    e[n].body = data + pos + 3;
    e[n].len = len;
    if (e[n].type == CERTTYPE_RSA1024_ID_LINK)
      crypto_sha256(e[n].body, len, tls);
    n++;
    pos += 3 + len;
  }

  certs_auth_t a;
  time_t now = FIXED_NOW;
  certs_result_t r = certs_check_responder(e, n, tls, now, NULL, NULL, &a);
  if (r == CERTS_ERR_EXPIRED) {
    now = FIXED_NOW2;
    r = certs_check_responder(e, n, tls, now, NULL, NULL, &a);
  }
  if (r != a.result || (r == CERTS_OK) != (a.failed_type == 0 && a.reason[0] == 'o'))
    abort();
  if (memchr(a.reason, '\0', sizeof(a.reason)) == NULL)
    abort();
  if (r == CERTS_OK) {
    /* The learned identities must be accepted as expectations. */
    uint8_t rsa_id[20], ed_id[32];
    memcpy(rsa_id, a.rsa_id, 20);
    memcpy(ed_id, a.ed_id, 32);
    if (certs_check_responder(e, n, tls, now, rsa_id, ed_id, &a) != CERTS_OK)
      abort();
  }
  (void)certs_result_to_string(r);
  r = certs_check_initiator(e, n, now, NULL, NULL, &a);
  if (r != a.result)
    abort();
  return 0;
}
