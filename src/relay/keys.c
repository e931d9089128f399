/* keys.c — a relay's identity, signing, link-auth and TLS keys (see keys.h). */
#include "relay/keys.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#ifdef _WIN32
#include <direct.h>
#else
#include <fcntl.h>
#include <unistd.h>
#endif

#include "core/tls.h"
#include "lib/alloc.h"
#include "lib/crypto/rand.h"
#include "lib/log.h"
#include "proto/certs/certs_check.h"
#include "proto/certs/edcert.h"

#define SEED_TAG "== evonion-ed25519-seed: v1 =="
#define CERT_TAG "== ed25519v1-cert: type4 =="
#define FILE_TAG_LEN 32
#define KEY_FILE_MAX 65536

#ifdef _WIN32
#define PATH_SEP "\\"
#else
#define PATH_SEP "/"
#endif

static char *
path_join(const char *dir, const char *name)
{
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = x_malloc(n);
  snprintf(p, n, "%s" PATH_SEP "%s", dir, name);
  return p;
}

/* Read a whole file (at most KEY_FILE_MAX bytes).  Returns 1 and a new buffer,
 * 0 if the file does not exist, -1 on another error (err set). */
static int
read_file(const char *path, uint8_t **out, size_t *len, char *err, size_t errlen)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    if (errno == ENOENT)
      return 0;
    snprintf(err, errlen, "cannot open \"%s\": %s", path, strerror(errno));
    return -1;
  }
  uint8_t *buf = x_malloc(KEY_FILE_MAX + 1);
  size_t n = fread(buf, 1, KEY_FILE_MAX + 1, f);
  int bad = ferror(f);
  fclose(f);
  if (bad || n > KEY_FILE_MAX) {
    snprintf(err, errlen, "cannot read \"%s\": %s", path, bad ? "read error" : "too large");
    x_free(buf);
    return -1;
  }
  *out = buf;
  *len = n;
  return 1;
}

/* Write data to path through a temporary file, mode 0600 on POSIX. */
static int
write_private_file(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
  size_t tn = strlen(path) + 5;
  char *tmp = x_malloc(tn);
  snprintf(tmp, tn, "%s.tmp", path);
#ifdef _WIN32
  FILE *f = fopen(tmp, "wb");
#else
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
  if (!f && fd >= 0)
    close(fd);
#endif
  int ok = f && fwrite(data, 1, len, f) == len;
  if (f && fclose(f) != 0)
    ok = 0;
#ifdef _WIN32
  if (ok)
    remove(path);
#endif
  if (!ok || rename(tmp, path) != 0) {
    snprintf(err, errlen, "cannot write \"%s\": %s", path, strerror(errno));
    remove(tmp);
    x_free(tmp);
    return -1;
  }
  x_free(tmp);
  return 0;
}

static int
write_tagged(const char *path, const char *tag, const uint8_t *body, size_t len, char *err,
             size_t errlen)
{
  uint8_t *buf = x_calloc(1, FILE_TAG_LEN + len);
  memcpy(buf, tag, strlen(tag));
  memcpy(buf + FILE_TAG_LEN, body, len);
  int r = write_private_file(path, buf, FILE_TAG_LEN + len, err, errlen);
  x_memwipe(buf, FILE_TAG_LEN + len);
  x_free(buf);
  return r;
}

/* Check the 32-byte tag of a file's contents.  Returns the body length or -1. */
static long
check_tag(const uint8_t *buf, size_t len, const char *tag)
{
  uint8_t want[FILE_TAG_LEN];
  memset(want, 0, sizeof(want));
  memcpy(want, tag, strlen(tag));
  if (len < FILE_TAG_LEN || memcmp(buf, want, FILE_TAG_LEN) != 0)
    return -1;
  return (long)(len - FILE_TAG_LEN);
}

/* Load or create an Ed25519 seed file.  Returns 1 loaded, 0 created, -1 error. */
static int
load_or_make_seed(const char *dir, const char *name, ed25519_keypair_t *kp, int create,
                  char *err, size_t errlen)
{
  char *path = path_join(dir, name);
  uint8_t *buf = NULL;
  size_t len = 0;
  int r = read_file(path, &buf, &len, err, errlen);
  if (r > 0) {
    if (check_tag(buf, len, SEED_TAG) != ED25519_SEED_LEN ||
        ed25519_keypair_from_seed(kp, buf + FILE_TAG_LEN) < 0) {
      snprintf(err, errlen, "key file \"%s\" is corrupt (not an evonion Ed25519 seed file)",
               path);
      r = -1;
    }
    x_memwipe(buf, len);
    x_free(buf);
  } else if (r == 0 && create) {
    ed25519_keypair_generate(kp);
    if (write_tagged(path, SEED_TAG, kp->seed, ED25519_SEED_LEN, err, errlen) < 0)
      r = -1;
  }
  x_free(path);
  return r;
}

static int
load_or_make_rsa(relay_keys_t *k, char *err, size_t errlen)
{
  char *path = path_join(k->keys_dir, "secret_id_key");
  uint8_t *buf = NULL;
  size_t len = 0;
  int r = read_file(path, &buf, &len, err, errlen);
  if (r > 0) {
    k->rsa_id = crypto_rsa_from_private_pem((const char *)buf, len);
    if (!k->rsa_id || crypto_rsa_bits(k->rsa_id) != 1024) {
      snprintf(err, errlen, "key file \"%s\" is corrupt (not an RSA-1024 private key)", path);
      r = -1;
    }
    x_memwipe(buf, len);
    x_free(buf);
  } else if (r == 0) {
    char *pem = NULL;
    size_t pemlen = 0;
    k->rsa_id = crypto_rsa_generate(1024);
    if (!k->rsa_id || crypto_rsa_private_pem(k->rsa_id, &pem, &pemlen) < 0) {
      snprintf(err, errlen, "cannot generate the RSA identity key");
      r = -1;
    } else {
      r = write_private_file(path, pem, pemlen, err, errlen);
      x_memwipe(pem, pemlen);
      x_free(pem);
    }
  }
  x_free(path);
  if (r >= 0 && crypto_rsa_fingerprint(k->rsa_id, k->rsa_id_digest) < 0) {
    snprintf(err, errlen, "cannot compute the RSA fingerprint");
    r = -1;
  }
  return r < 0 ? -1 : 0;
}

/* Make a new signing key and its type-4 cert, and save both. */
static int
make_signing_key(relay_keys_t *k, time_t now, char *err, size_t errlen)
{
  ed25519_keypair_generate(&k->signing);
  k->signing_exp_hours = (uint32_t)((now + RELAY_SIGNING_KEY_LIFETIME) / 3600);
  FREE_AND_NULL(x_free, k->signing_cert);
  if (edcert_create(EDCERT_TYPE_ID_SIGNING, EDCERT_KEYTYPE_ED25519, k->signing.pub,
                    k->signing_exp_hours, &k->master, 1, &k->signing_cert,
                    &k->signing_cert_len) < 0) {
    snprintf(err, errlen, "cannot sign the Ed25519 signing key certificate");
    return -1;
  }
  char *kp = path_join(k->keys_dir, "ed25519_signing_secret_key");
  char *cp = path_join(k->keys_dir, "ed25519_signing_cert");
  int r = write_tagged(kp, SEED_TAG, k->signing.seed, ED25519_SEED_LEN, err, errlen);
  if (r == 0)
    r = write_tagged(cp, CERT_TAG, k->signing_cert, k->signing_cert_len, err, errlen);
  x_free(kp);
  x_free(cp);
  if (r == 0)
    log_notice(LD_CRYPTO, "New Ed25519 signing key; its certificate expires in %d days.",
               RELAY_SIGNING_KEY_LIFETIME / 86400);
  return r;
}

/* Load the signing key and its cert; either missing makes a new pair.  A cert
 * that does not certify the key under the master is corrupt. */
static int
load_signing_key(relay_keys_t *k, time_t now, char *err, size_t errlen)
{
  int r = load_or_make_seed(k->keys_dir, "ed25519_signing_secret_key", &k->signing, 0, err,
                            errlen);
  if (r < 0)
    return -1;
  char *cp = path_join(k->keys_dir, "ed25519_signing_cert");
  uint8_t *buf = NULL;
  size_t len = 0;
  int rc = r > 0 ? read_file(cp, &buf, &len, err, errlen) : 0;
  if (rc < 0) {
    x_free(cp);
    return -1;
  }
  if (rc == 0) {
    x_free(cp);
    return make_signing_key(k, now, err, errlen);
  }
  edcert_t *c = NULL;
  long body = check_tag(buf, len, CERT_TAG);
  int ok = body > 0 && edcert_parse(buf + FILE_TAG_LEN, (size_t)body, &c) == EDCERT_PARSE_OK &&
           c->cert_type == EDCERT_TYPE_ID_SIGNING &&
           !memcmp(c->certified_key, k->signing.pub, ED25519_PUBKEY_LEN) &&
           edcert_check(c, k->master.pub, 0) == EDCERT_CHECK_OK;
  if (ok) {
    k->signing_cert = x_memdup(buf + FILE_TAG_LEN, (size_t)body);
    k->signing_cert_len = (size_t)body;
    k->signing_exp_hours = c->exp_hours;
  } else {
    snprintf(err, errlen, "key file \"%s\" is corrupt or does not certify the signing key "
             "under the master identity", cp);
  }
  edcert_free(c);
  x_free(buf);
  x_free(cp);
  if (!ok)
    return -1;
  if ((time_t)k->signing_exp_hours * 3600 - now < RELAY_SIGNING_KEY_RENEW_BEFORE)
    return make_signing_key(k, now, err, errlen);
  return 0;
}

/* A random DNS-like name: "www." + 8..20 letters/digits + suffix (tor's style). */
static void
random_hostname(char *out, size_t outlen, const char *suffix)
{
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  char mid[24];
  size_t n = 8 + (size_t)crypto_rand_uint64(13);
  for (size_t i = 0; i < n; i++)
    mid[i] = alphabet[crypto_rand_uint64(32)];
  mid[n] = '\0';
  snprintf(out, outlen, "www.%s%s", mid, suffix);
}

/* New link key + cert, identity cert and link-auth key (in memory). */
static int
make_link_keys(relay_keys_t *k, time_t now)
{
  char subject[40], issuer[40];
  random_hostname(subject, sizeof(subject), ".net");
  random_hostname(issuer, sizeof(issuer), ".com");
  /* tor-like validity: started some random time in the past year (on a day
   * boundary), ends about a year from now. */
  time_t start = now - 86400 - (time_t)crypto_rand_uint64(365 * 86400);
  start -= start % 86400;
  time_t end = now + 365 * 86400 - (time_t)crypto_rand_uint64(30 * 86400);
  end -= end % 86400;
  crypto_rsa_t *lk = crypto_rsa_generate(2048);
  crypto_x509_t *lc = lk ? crypto_x509_create(lk, k->rsa_id, subject, issuer, start, end) : NULL;
  char idcn[40];
  random_hostname(idcn, sizeof(idcn), ".com");
  crypto_x509_t *ic = crypto_x509_create(k->rsa_id, k->rsa_id, idcn, idcn, start, end);
  if (!lk || !lc || !ic) {
    log_warn(LD_CRYPTO, "Cannot make the TLS link key and certificates.");
    crypto_rsa_free(lk);
    crypto_x509_free(lc);
    crypto_x509_free(ic);
    return -1;
  }
  crypto_rsa_free(k->link_key);
  crypto_x509_free(k->link_cert);
  crypto_x509_free(k->id_cert);
  k->link_key = lk;
  k->link_cert = lc;
  k->id_cert = ic;
  k->link_cert_created = now;
  ed25519_keypair_generate(&k->link_auth);
  k->link_auth_exp_hours = (uint32_t)((now + RELAY_LINK_AUTH_LIFETIME) / 3600);
  return 0;
}

static int
make_keys_dir(const char *dir, char *err, size_t errlen)
{
#ifdef _WIN32
  int r = _mkdir(dir);
#else
  int r = mkdir(dir, 0700);
#endif
  if (r < 0 && errno != EEXIST) {
    snprintf(err, errlen, "cannot create directory \"%s\": %s", dir, strerror(errno));
    return -1;
  }
  return 0;
}

relay_keys_t *
relay_keys_load_or_create(const char *data_dir, time_t now, char *err, size_t errlen)
{
  relay_keys_t *k = x_calloc(1, sizeof(*k));
  k->keys_dir = path_join(data_dir, "keys");
  if (make_keys_dir(k->keys_dir, err, errlen) < 0 || load_or_make_rsa(k, err, errlen) < 0)
    goto fail;
  /* A missing master key is created (as tor does for an RSA-only data
   * directory); a corrupt one is an error, never replaced. */
  if (load_or_make_seed(k->keys_dir, "ed25519_master_id_secret_key", &k->master, 1, err,
                        errlen) < 0 ||
      load_signing_key(k, now, err, errlen) < 0)
    goto fail;
  if (make_link_keys(k, now) < 0) {
    snprintf(err, errlen, "cannot make the TLS link key");
    goto fail;
  }
  return k;
 fail:
  relay_keys_free(k);
  return NULL;
}

int
relay_keys_rotate(relay_keys_t *k, time_t now)
{
  char err[256];
  if ((time_t)k->signing_exp_hours * 3600 - now < RELAY_SIGNING_KEY_RENEW_BEFORE &&
      make_signing_key(k, now, err, sizeof(err)) < 0) {
    log_warn(LD_CRYPTO, "Cannot replace the Ed25519 signing key: %s", err);
    return -1;
  }
  return make_link_keys(k, now);
}

void
relay_keys_get_certs_keys(const relay_keys_t *k, certs_our_keys_t *out)
{
  memset(out, 0, sizeof(*out));
  out->rsa_id = k->rsa_id;
  out->id_cert = k->id_cert;
  out->link_cert = k->link_cert;
  out->master = &k->master;
  out->signing = &k->signing;
  out->link_auth = &k->link_auth;
  out->signing_exp_hours = k->signing_exp_hours;
  out->link_exp_hours = k->link_auth_exp_hours;
  /* tor gives the crosscert the identity's lifetime; the signing cert's is enough. */
  out->crosscert_exp_hours = k->signing_exp_hours;
}

/* The link cert and key as DER; returns 0 or -1.  *key is wiped and freed by the caller. */
static int
link_der(const relay_keys_t *k, const uint8_t **cert, size_t *cert_len, uint8_t **key,
         size_t *key_len)
{
  *cert = crypto_x509_der(k->link_cert, cert_len);
  return crypto_rsa_private_der(k->link_key, key, key_len);
}

tls_ctx_t *
relay_keys_new_tls_ctx(const relay_keys_t *k)
{
  const uint8_t *cert;
  size_t cl, kl;
  uint8_t *key;
  if (link_der(k, &cert, &cl, &key, &kl) < 0)
    return NULL;
  tls_ctx_t *t = tls_ctx_new_server(cert, cl, key, kl);
  x_memwipe(key, kl);
  x_free(key);
  return t;
}

static void
rotation_cb(mtimer_t *t, void *arg)
{
  relay_keys_t *k = arg;
  time_t now = time(NULL);
  if (relay_keys_rotate(k, now) == 0 && k->tls) {
    const uint8_t *cert;
    size_t cl, kl;
    uint8_t *key;
    if (link_der(k, &cert, &cl, &key, &kl) == 0) {
      if (tls_ctx_set_cert(k->tls, cert, cl, key, kl) < 0)
        log_warn(LD_CRYPTO, "Cannot install the new TLS link certificate.");
      else
        log_info(LD_CRYPTO, "Rotated the TLS link key and certificate.");
      x_memwipe(key, kl);
      x_free(key);
    }
  }
  mtimer_schedule(t, RELAY_LINK_CERT_INTERVAL);
}

void
relay_keys_schedule_rotation(relay_keys_t *k, mainloop_t *ml, tls_ctx_t *tls)
{
  if (!k->timer)
    k->timer = mtimer_new(ml, rotation_cb, k);
  k->tls = tls;
  mtimer_schedule(k->timer, RELAY_LINK_CERT_INTERVAL);
}

void
relay_keys_format_fingerprint(const uint8_t id[DIGEST_LEN],
                              char out[RELAY_FINGERPRINT_FMT_LEN + 1])
{
  static const char hex[] = "0123456789ABCDEF";
  char *p = out;
  for (int i = 0; i < DIGEST_LEN; i++) {
    if (i && i % 2 == 0)
      *p++ = ' ';
    *p++ = hex[id[i] >> 4];
    *p++ = hex[id[i] & 15];
  }
  *p = '\0';
}

int
relay_nickname_is_valid(const char *name)
{
  size_t n = strlen(name);
  if (n < 1 || n > RELAY_NICKNAME_MAX)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
      return 0;
  }
  return 1;
}

void
relay_keys_free(relay_keys_t *k)
{
  if (!k)
    return;
  mtimer_free(k->timer);
  crypto_rsa_free(k->rsa_id);
  crypto_x509_free(k->id_cert);
  crypto_rsa_free(k->link_key);
  crypto_x509_free(k->link_cert);
  ed25519_keypair_wipe(&k->master);
  ed25519_keypair_wipe(&k->signing);
  ed25519_keypair_wipe(&k->link_auth);
  x_free(k->signing_cert);
  x_free(k->keys_dir);
  x_memwipe(k, sizeof(*k));
  x_free(k);
}
