/* forge.c — see forge.h.  Uses the library's RSA signing and our base64
 * encoder; the documents are checked by parsing them back in the tests. */
#include "forge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/crypto/digest.h"
#include "proto/netdoc/netdoc.h"
#include "testutil.h"

void
forge_append(char **buf, const char *s)
{
  size_t old = *buf ? strlen(*buf) : 0, n = strlen(s);
  *buf = realloc(*buf, old + n + 1);
  memcpy(*buf + old, s, n + 1);
}

void
forge_append_object(char **buf, const char *type, const uint8_t *data, size_t n)
{
  char line[80], *b64 = malloc(n * 2 + 8);
  size_t len = netdoc_base64_encode(data, n, b64, n * 2 + 8);
  while (len % 4)
    b64[len++] = '=';
  b64[len] = '\0';
  snprintf(line, sizeof(line), "-----BEGIN %s-----\n", type);
  forge_append(buf, line);
  for (size_t i = 0; i < len; i += 64) {
    snprintf(line, sizeof(line), "%.64s\n", b64 + i);
    forge_append(buf, line);
  }
  snprintf(line, sizeof(line), "-----END %s-----\n", type);
  forge_append(buf, line);
  free(b64);
}

static void
hex(const uint8_t *d, size_t n, char *out)
{
  for (size_t i = 0; i < n; i++)
    sprintf(out + 2 * i, "%02X", d[i]);
}

static void
append_sig(char **buf, const char *type, const crypto_rsa_t *k, const uint8_t *m, size_t n)
{
  uint8_t sig[1024];
  size_t siglen = sizeof(sig);
  ck_assert_int_eq(crypto_rsa_sign_raw(k, m, n, sig, &siglen), 0);
  forge_append_object(buf, type, sig, siglen);
}

static void
append_key(char **buf, const crypto_rsa_t *k)
{
  char *pem;
  size_t len;
  ck_assert_int_eq(crypto_rsa_public_pem(k, &pem, &len), 0);
  forge_append(buf, pem);
  x_free(pem);
}

char *
forge_authcert(const crypto_rsa_t *id, const crypto_rsa_t *sk, int64_t published,
               int64_t expires)
{
  return forge_authcert_ex(id, sk, sk, published, expires);
}

char *
forge_authcert_ex(const crypto_rsa_t *id, const crypto_rsa_t *sk, const crypto_rsa_t *cross_key,
                  int64_t published, int64_t expires)
{
  uint8_t fp[DIGEST_LEN], digest[DIGEST_LEN];
  char line[256], fphex[41], t1[20], t2[20];
  char *buf = NULL;
  ck_assert_int_eq(crypto_rsa_fingerprint(id, fp), 0);
  hex(fp, DIGEST_LEN, fphex);
  ck_assert_int_eq(netdoc_format_time(published, t1), 0);
  ck_assert_int_eq(netdoc_format_time(expires, t2), 0);
  snprintf(line, sizeof(line),
           "dir-key-certificate-version 3\nfingerprint %s\ndir-key-published %s\n"
           "dir-key-expires %s\ndir-identity-key\n", fphex, t1, t2);
  forge_append(&buf, line);
  append_key(&buf, id);
  forge_append(&buf, "dir-signing-key\n");
  append_key(&buf, sk);
  forge_append(&buf, "dir-key-crosscert\n");
  append_sig(&buf, "ID SIGNATURE", cross_key, fp, DIGEST_LEN);
  forge_append(&buf, "dir-key-certification\n");
  crypto_sha1(buf, strlen(buf), digest);
  append_sig(&buf, "SIGNATURE", id, digest, DIGEST_LEN);
  return buf;
}

char *
forge_dirsig(const crypto_rsa_t *id, const crypto_rsa_t *sk, const uint8_t *digest, size_t dlen)
{
  uint8_t v3[DIGEST_LEN], skd[DIGEST_LEN];
  char line[128], h1[41], h2[41];
  char *buf = NULL;
  ck_assert_int_eq(crypto_rsa_fingerprint(id, v3), 0);
  ck_assert_int_eq(crypto_rsa_fingerprint(sk, skd), 0);
  hex(v3, DIGEST_LEN, h1);
  hex(skd, DIGEST_LEN, h2);
  snprintf(line, sizeof(line), "directory-signature sha256 %s %s\n", h1, h2);
  forge_append(&buf, line);
  append_sig(&buf, "SIGNATURE", sk, digest, dlen);
  return buf;
}
