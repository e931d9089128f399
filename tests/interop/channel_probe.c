/* channel_probe.c — open one channel to ADDR:PORT and report.
 *
 *   channel_probe [--auth DATADIR] [--ed ED25519_ID_BASE64] [--hold SECONDS] [--log LEVEL]
 *                 ADDR:PORT FINGERPRINT
 *
 * FINGERPRINT is the RSA identity we expect (40 hex digits, spaces allowed).
 * With --auth, authenticate as the relay whose keys are in DATADIR (created
 * if missing).  Prints "OPEN link=N ms=T we_authenticated=B" and exits 0 once
 * the channel is open (after keeping it open --hold seconds), or
 * "CLOSED: <reason>" and exits 1.  Used by tests/interop/test_channel.py. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#ifdef _WIN32
#include <winsock2.h>
#endif

#include "core/listener.h"
#include "core/tls.h"
#include "lib/log.h"
#include "or/channel.h"
#include "relay/keys.h"

typedef struct probe_t {
  int opened, closed;
  char reason[256];
  double t_open;
} probe_t;

static double
now_sec(void)
{
  struct timeval tv;
  evutil_gettimeofday(&tv, NULL);
  return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static void
probe_cb(channel_t *ch, channel_event_t ev, void *arg)
{
  probe_t *p = arg;
  if (ev == CHANNEL_EV_OPEN) {
    p->opened = 1;
    p->t_open = now_sec();
  } else {
    p->closed = 1;
    snprintf(p->reason, sizeof(p->reason), "%s", channel_close_reason(ch));
  }
}

static int
cond_done(void *arg)
{
  probe_t *p = arg;
  return p->opened || p->closed;
}

static int
cond_closed(void *arg)
{
  return ((probe_t *)arg)->closed;
}

static int
parse_hex_id(const char *s, uint8_t out[20])
{
  int n = 0;
  for (; *s && n < 40; s++) {
    int v;
    if (*s == ' ')
      continue;
    if (*s >= '0' && *s <= '9') v = *s - '0';
    else if (*s >= 'a' && *s <= 'f') v = *s - 'a' + 10;
    else if (*s >= 'A' && *s <= 'F') v = *s - 'A' + 10;
    else return -1;
    if (n % 2 == 0)
      out[n / 2] = (uint8_t)(v << 4);
    else
      out[n / 2] |= (uint8_t)v;
    n++;
  }
  return n == 40 && !*s ? 0 : -1;
}

static int
parse_b64_ed(const char *s, uint8_t out[32])
{
  char buf[64];
  unsigned char dec[48];
  size_t n = strlen(s);
  if (n > 44)
    return -1;
  snprintf(buf, sizeof(buf), "%s%s", s, n == 43 ? "=" : "");
  int r = EVP_DecodeBlock(dec, (const unsigned char *)buf, (int)strlen(buf));
  if (r < 32)
    return -1;
  memcpy(out, dec, 32);
  return 0;
}

static void
keys_cb(void *arg, struct certs_our_keys_t *out)
{
  relay_keys_get_certs_keys(arg, out);
}

static int
usage(void)
{
  fprintf(stderr, "usage: channel_probe [--auth DATADIR] [--ed ID] [--hold S] [--log LEVEL] "
          "ADDR:PORT FINGERPRINT\n");
  return 2;
}

int
main(int argc, char **argv)
{
  const char *auth_dir = NULL, *ed = NULL, *level = "warn";
  double hold = 0;
  int i = 1;
  for (; i + 1 < argc && !strncmp(argv[i], "--", 2); i += 2) {
    if (!strcmp(argv[i], "--auth")) auth_dir = argv[i + 1];
    else if (!strcmp(argv[i], "--ed")) ed = argv[i + 1];
    else if (!strcmp(argv[i], "--hold")) hold = atof(argv[i + 1]);
    else if (!strcmp(argv[i], "--log")) level = argv[i + 1];
    else return usage();
  }
  if (argc - i != 2)
    return usage();
#ifdef _WIN32
  WSADATA wsa;
  WSAStartup(MAKEWORD(2, 2), &wsa);
#endif
  log_set_severity((log_severity_t)log_severity_from_string(level));
  struct sockaddr_storage ss;
  int sslen = 0;
  uint8_t rsa_id[20], ed_id[32];
  if (addr_parse(argv[i], -1, &ss, &sslen) < 0 || parse_hex_id(argv[i + 1], rsa_id) < 0 ||
      (ed && parse_b64_ed(ed, ed_id) < 0))
    return usage();

  relay_keys_t *keys = NULL;
  channel_relay_t relay;
  memset(&relay, 0, sizeof(relay));
  if (auth_dir) {
    char err[256];
    keys = relay_keys_load_or_create(auth_dir, time(NULL), err, sizeof(err));
    if (!keys) {
      printf("CLOSED: cannot load keys: %s\n", err);
      return 1;
    }
    relay.get_keys = keys_cb;
    relay.keys_arg = keys;
  }
  mainloop_t *ml = mainloop_new();
  tls_ctx_t *tls = tls_ctx_new_client();
  probe_t p;
  memset(&p, 0, sizeof(p));
  double t0 = now_sec();
  channel_t *ch = channel_connect(ml, tls, (struct sockaddr *)&ss, sslen, rsa_id,
                                  ed ? ed_id : NULL, auth_dir ? &relay : NULL, probe_cb, &p);
  int rc = 1;
  if (!ch) {
    printf("CLOSED: cannot connect\n");
  } else {
    channel_set_handshake_timeout(ch, 20);
    mainloop_run_until(ml, cond_done, &p, 25);
    if (p.opened) {
      printf("OPEN link=%d ms=%.1f we_authenticated=%d\n", channel_link_proto(ch),
             (p.t_open - t0) * 1e3, channel_we_authenticated(ch));
      fflush(stdout);
      if (hold > 0)
        mainloop_run_until(ml, cond_closed, &p, hold);
      rc = p.closed ? 1 : 0;
      if (p.closed) {
        printf("CLOSED: %s\n", p.reason);
      } else {
        /* Let our NETINFO reach the peer before leaving. */
        conn_close_after_flush(channel_to_conn(ch), 5);
        mainloop_run_until(ml, cond_closed, &p, 6);
      }
    } else {
      printf("CLOSED: %s\n", p.closed ? p.reason : "timeout");
    }
  }
  fflush(stdout);
  mainloop_free(ml);
  tls_ctx_free(tls);
  relay_keys_free(keys);
  return rc;
}
