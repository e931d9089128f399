/* test_channel.c — the link handshake over TLS on 127.0.0.1 inside one loop:
 * our initiator (client and authenticating relay) against our responder, and
 * our initiator against a scripted fake responder that breaks the protocol or
 * its certificates in one way at a time. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#ifdef _WIN32
#include <direct.h>
#include <winsock2.h>
#define rmdir _rmdir
#else
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include <event2/buffer.h>

#include "core/conn.h"
#include "core/listener.h"
#include "core/tls.h"
#include "fakecerts.h"
#include "lib/alloc.h"
#include "lib/bytes.h"
#include "lib/crypto/rand.h"
#include "lib/log.h"
#include "or/channel.h"
#include "or/channel_st.h"
#include "proto/circ_cells.h"
#include "proto/link_cells.h"
#include "relay/keys.h"
#include "testutil.h"

/* ---- fixtures ---- */

typedef struct keyset_t {
  char dir[64];
  relay_keys_t *k;
  tls_ctx_t *tls;
  channel_relay_t relay;
} keyset_t;

static void
get_keys_cb(void *arg, struct certs_our_keys_t *out)
{
  relay_keys_get_certs_keys(arg, out);
}

static void
keyset_init(keyset_t *ks)
{
  char err[256];
  uint32_t r;
  crypto_rand(&r, sizeof(r));
  snprintf(ks->dir, sizeof(ks->dir), "test-channel-%08x", (unsigned)r);
#ifdef _WIN32
  _mkdir(ks->dir);
#else
  mkdir(ks->dir, 0700);
#endif
  ks->k = relay_keys_load_or_create(ks->dir, time(NULL), err, sizeof(err));
  ck_assert_msg(ks->k != NULL, "%s", err);
  ks->tls = relay_keys_new_tls_ctx(ks->k);
  ck_assert_ptr_nonnull(ks->tls);
  memset(&ks->relay, 0, sizeof(ks->relay));
  ks->relay.get_keys = get_keys_cb;
  ks->relay.keys_arg = ks->k;
  ks->relay.tls = ks->tls;
}

static void
keyset_free(keyset_t *ks)
{
  static const char *files[] = { "secret_id_key", "ed25519_master_id_secret_key",
                                 "ed25519_signing_secret_key", "ed25519_signing_cert" };
  char p[256];
  for (int i = 0; i < 4; i++) {
    snprintf(p, sizeof(p), "%s/keys/%s", ks->dir, files[i]);
    remove(p);
  }
  snprintf(p, sizeof(p), "%s/keys", ks->dir);
  rmdir(p);
  rmdir(ks->dir);
  relay_keys_free(ks->k);
  tls_ctx_free(ks->tls);
}

/* What the owner of a channel saw. */
typedef struct obs_t {
  channel_t *ch;
  int opened, closed;
  char reason[256];
  int link_proto;
  int peer_auth, we_auth;
  uint8_t peer_rsa[DIGEST_LEN], peer_ed[32];
  int n_cells;
  cell_t last_cell;
} obs_t;

static obs_t accepted_obs;

static void
obs_cb(channel_t *ch, channel_event_t ev, void *arg)
{
  obs_t *o = arg;
  o->ch = ch;
  if (ev == CHANNEL_EV_OPEN) {
    o->opened++;
    o->link_proto = channel_link_proto(ch);
    o->peer_auth = channel_peer_is_authenticated(ch);
    o->we_auth = channel_we_authenticated(ch);
    if (channel_peer_rsa_id(ch))
      memcpy(o->peer_rsa, channel_peer_rsa_id(ch), DIGEST_LEN);
    if (channel_peer_ed_id(ch))
      memcpy(o->peer_ed, channel_peer_ed_id(ch), 32);
  } else {
    o->closed++;
    snprintf(o->reason, sizeof(o->reason), "%s", channel_close_reason(ch));
    o->ch = NULL;
  }
}

static void
cell_cb(channel_t *ch, const cell_t *cell, void *arg)
{
  (void)ch;
  obs_t *o = arg;
  o->n_cells++;
  o->last_cell = *cell;
}

static int
cond_done(void *arg)
{
  obs_t *o = arg;
  return o->opened || o->closed;
}

static int
cond_closed(void *arg)
{
  return ((obs_t *)arg)->closed;
}

static int
cond_both_open(void *arg)
{
  obs_t *o = arg;
  return (o->opened || o->closed) && (accepted_obs.opened || accepted_obs.closed);
}

static void
loopback(struct sockaddr_in *sin, int port)
{
  memset(sin, 0, sizeof(*sin));
  sin->sin_family = AF_INET;
  sin->sin_port = htons((uint16_t)port);
  sin->sin_addr.s_addr = htonl(0x7f000001);
}

/* Start our responder; returns its port. */
static int
start_responder(mainloop_t *ml, keyset_t *ks, channel_listener_t **l)
{
  struct sockaddr_in sin;
  loopback(&sin, 0);
  memset(&accepted_obs, 0, sizeof(accepted_obs));
  ks->relay.cb = obs_cb;
  ks->relay.cb_arg = &accepted_obs;
  channel_relay_set_address(&ks->relay, (struct sockaddr *)&sin);
  *l = channel_listen(ml, (struct sockaddr *)&sin, sizeof(sin), &ks->relay);
  ck_assert_ptr_nonnull(*l);
  return channel_listener_get_port(*l);
}

static channel_t *
connect_to(mainloop_t *ml, tls_ctx_t *ctls, int port, const uint8_t *rsa, const uint8_t *ed,
           const channel_relay_t *relay, obs_t *o)
{
  struct sockaddr_in sin;
  loopback(&sin, port);
  memset(o, 0, sizeof(*o));
  channel_t *ch = channel_connect(ml, ctls, (struct sockaddr *)&sin, sizeof(sin), rsa, ed,
                                  relay, obs_cb, o);
  ck_assert_ptr_nonnull(ch);
  o->ch = ch;
  return ch;
}

static void
drain_all(conn_t *c)
{
  evbuffer_drain(conn_inbuf(c), evbuffer_get_length(conn_inbuf(c)));
}

/* ---- our initiator against our responder ---- */

START_TEST(test_client_to_responder)
{
  mainloop_t *ml = mainloop_new();
  keyset_t ks;
  channel_listener_t *l;
  obs_t o;
  keyset_init(&ks);
  tls_ctx_t *ctls = tls_ctx_new_client();
  int port = start_responder(ml, &ks, &l);
  double t0 = testutil_now();
  connect_to(ml, ctls, port, ks.k->rsa_id_digest, ks.k->master.pub, NULL, &o);
  ck_assert_int_eq(mainloop_run_until(ml, cond_both_open, &o, 20), 1);
  fprintf(stderr, "client handshake with our responder: %.1f ms\n", (testutil_now() - t0) * 1e3);
  ck_assert_msg(o.opened == 1, "initiator closed: %s", o.reason);
  ck_assert_msg(accepted_obs.opened == 1, "responder closed: %s", accepted_obs.reason);
  ck_assert_int_eq(o.link_proto, 5);
  ck_assert_int_eq(accepted_obs.link_proto, 5);
  ck_assert_int_eq(o.peer_auth, 1);
  ck_assert_mem_eq(o.peer_rsa, ks.k->rsa_id_digest, DIGEST_LEN);
  ck_assert_mem_eq(o.peer_ed, ks.k->master.pub, 32);
  ck_assert_int_eq(o.we_auth, 0);
  ck_assert_int_eq(accepted_obs.peer_auth, 0); /* a client proves nothing */
  ck_assert_ptr_null(channel_peer_rsa_id(accepted_obs.ch));
  /* The responder's NETINFO named its address; the client's named none. */
  netaddr_t lo;
  ck_assert_int_eq(netaddr_parse(&lo, "127.0.0.1"), 0);
  ck_assert_int_eq(o.ch->peer_my_addrs, 1);
  ck_assert_int_eq(netaddr_eq(&o.ch->peer_my_addr, &lo), 1);
  ck_assert_int_eq(accepted_obs.ch->peer_my_addrs, 0);
  ck_assert_int_eq(netaddr_eq(&o.ch->peer_addr, &lo), 1);

  /* Circuit IDs: the initiator's have the high bit set, the responder's not. */
  for (int i = 0; i < 50; i++) {
    uint32_t a = channel_alloc_circ_id(o.ch, NULL, NULL);
    uint32_t b = channel_alloc_circ_id(accepted_obs.ch, NULL, NULL);
    ck_assert_uint_ne(a & 0x80000000u, 0);
    ck_assert_uint_ne(a & 0x7fffffffu, 0);
    ck_assert_uint_eq(b & 0x80000000u, 0);
    ck_assert_uint_ne(b, 0);
  }

  /* A CREATE2 to our responder is answered with DESTROY (no relay circuits yet);
   * padding is dropped silently. */
  channel_set_cell_handler(o.ch, cell_cb, &o);
  cell_t pad, c2;
  memset(&pad, 0, sizeof(pad));
  memset(&c2, 0, sizeof(c2));
  pad.command = CELL_PADDING;
  c2.command = CELL_CREATE2;
  c2.circ_id = channel_alloc_circ_id(o.ch, NULL, NULL);
  ck_assert_int_eq(channel_send_cell(o.ch, &pad), 0);
  ck_assert_int_eq(channel_send_cell(o.ch, &c2), 0);
  double until = testutil_now() + 10;
  while (o.n_cells == 0 && testutil_now() < until)
    mainloop_run_until(ml, cond_closed, &o, 0.05);
  ck_assert_int_eq(o.n_cells, 1);
  ck_assert_int_eq(o.last_cell.command, CELL_DESTROY);
  ck_assert_uint_eq(o.last_cell.circ_id, c2.circ_id);
  ck_assert_int_eq(o.last_cell.payload[0], DESTROY_REASON_RESOURCELIMIT);
  ck_assert_int_eq(o.closed + accepted_obs.closed, 0);

  /* Idle timeout closes an open channel that carries nothing. */
  channel_set_idle_timeout(o.ch, 0.2);
  ck_assert_int_eq(mainloop_run_until(ml, cond_closed, &o, 10), 1);
  ck_assert_str_eq(o.reason, "idle timeout");
  ck_assert_int_eq(mainloop_run_until(ml, cond_closed, &accepted_obs, 10), 1);

  channel_listener_free(l);
  mainloop_free(ml);
  tls_ctx_free(ctls);
  keyset_free(&ks);
}
END_TEST

START_TEST(test_authenticating_initiator)
{
  mainloop_t *ml = mainloop_new();
  keyset_t resp, init;
  channel_listener_t *l;
  obs_t o;
  keyset_init(&resp);
  keyset_init(&init);
  tls_ctx_t *ctls = tls_ctx_new_client();
  int port = start_responder(ml, &resp, &l);
  connect_to(ml, ctls, port, resp.k->rsa_id_digest, resp.k->master.pub, &init.relay, &o);
  ck_assert_int_eq(mainloop_run_until(ml, cond_both_open, &o, 20), 1);
  ck_assert_msg(o.opened == 1, "initiator closed: %s", o.reason);
  ck_assert_msg(accepted_obs.opened == 1, "responder closed: %s", accepted_obs.reason);
  ck_assert_int_eq(o.we_auth, 1);
  ck_assert_int_eq(accepted_obs.peer_auth, 1);
  ck_assert_mem_eq(accepted_obs.peer_rsa, init.k->rsa_id_digest, DIGEST_LEN);
  ck_assert_mem_eq(accepted_obs.peer_ed, init.k->master.pub, 32);
  channel_listener_free(l);
  mainloop_free(ml);
  tls_ctx_free(ctls);
  keyset_free(&resp);
  keyset_free(&init);
}
END_TEST

/* An initiator whose AUTHENTICATE is signed by a key other than the type-6
 * one: the responder refuses it. */

START_TEST(test_bad_authenticate)
{
  mainloop_t *ml = mainloop_new();
  keyset_t resp, init;
  channel_listener_t *l;
  obs_t o;
  keyset_init(&resp);
  keyset_init(&init);
  fake_lying_reset();
  init.relay.get_keys = fake_lying_get_keys;
  tls_ctx_t *ctls = tls_ctx_new_client();
  int port = start_responder(ml, &resp, &l);
  connect_to(ml, ctls, port, resp.k->rsa_id_digest, NULL, &init.relay, &o);
  ck_assert_int_eq(mainloop_run_until(ml, cond_closed, &accepted_obs, 20), 1);
  ck_assert_int_eq(accepted_obs.opened, 0);
  ck_assert_msg(strstr(accepted_obs.reason, "AUTHENTICATE signature") != NULL, "%s",
                accepted_obs.reason);
  ck_assert_int_eq(mainloop_run_until(ml, cond_closed, &o, 20), 1);
  channel_listener_free(l);
  mainloop_free(ml);
  tls_ctx_free(ctls);
  keyset_free(&resp);
  keyset_free(&init);
}
END_TEST

/* An authenticating initiator whose certificates expired: the responder
 * refuses its CERTS. */
START_TEST(test_initiator_certs_expired)
{
  mainloop_t *ml = mainloop_new();
  keyset_t resp, init;
  channel_listener_t *l;
  obs_t o;
  keyset_init(&resp);
  keyset_init(&init);
  init.relay.get_keys = fake_expired_get_keys;
  tls_ctx_t *ctls = tls_ctx_new_client();
  int port = start_responder(ml, &resp, &l);
  connect_to(ml, ctls, port, resp.k->rsa_id_digest, NULL, &init.relay, &o);
  ck_assert_int_eq(mainloop_run_until(ml, cond_closed, &accepted_obs, 20), 1);
  ck_assert_int_eq(accepted_obs.opened, 0);
  ck_assert_msg(strstr(accepted_obs.reason, "bad CERTS (expired)") != NULL, "%s",
                accepted_obs.reason);
  ck_assert_int_eq(mainloop_run_until(ml, cond_closed, &o, 20), 1);
  channel_listener_free(l);
  mainloop_free(ml);
  tls_ctx_free(ctls);
  keyset_free(&resp);
  keyset_free(&init);
}
END_TEST

START_TEST(test_wrong_identity)
{
  mainloop_t *ml = mainloop_new();
  keyset_t ks;
  channel_listener_t *l;
  obs_t o;
  keyset_init(&ks);
  tls_ctx_t *ctls = tls_ctx_new_client();
  int port = start_responder(ml, &ks, &l);
  uint8_t wrong[DIGEST_LEN], wrong_ed[32];
  memcpy(wrong, ks.k->rsa_id_digest, DIGEST_LEN);
  wrong[19] ^= 1;
  connect_to(ml, ctls, port, wrong, NULL, NULL, &o);
  ck_assert_int_eq(mainloop_run_until(ml, cond_done, &o, 20), 1);
  ck_assert_int_eq(o.opened, 0);
  ck_assert_msg(strstr(o.reason, "RSA identity mismatch") != NULL, "%s", o.reason);

  memcpy(wrong_ed, ks.k->master.pub, 32);
  wrong_ed[0] ^= 1;
  connect_to(ml, ctls, port, ks.k->rsa_id_digest, wrong_ed, NULL, &o);
  ck_assert_int_eq(mainloop_run_until(ml, cond_done, &o, 20), 1);
  ck_assert_int_eq(o.opened, 0);
  ck_assert_msg(strstr(o.reason, "Ed25519 identity mismatch") != NULL, "%s", o.reason);
  channel_listener_free(l);
  mainloop_free(ml);
  tls_ctx_free(ctls);
  keyset_free(&ks);
}
END_TEST

/* ---- a raw TLS client against our responder ---- */

typedef struct raw_t {
  conn_t base;
  const uint8_t *send;
  size_t send_len;
} raw_t;

static void
raw_connected(conn_t *c)
{
  raw_t *r = (raw_t *)c;
  conn_write(c, r->send, r->send_len);
}

static void
raw_inbuf(conn_t *c)
{
  drain_all(c);
}

static const conn_ops_t raw_ops = { .name = "raw", .finished_connecting = raw_connected,
                                    .process_inbuf = raw_inbuf };

static void
responder_refuses(const uint8_t *bytes, size_t n, const char *why)
{
  mainloop_t *ml = mainloop_new();
  keyset_t ks;
  channel_listener_t *l;
  keyset_init(&ks);
  tls_ctx_t *ctls = tls_ctx_new_client();
  int port = start_responder(ml, &ks, &l);
  struct sockaddr_in sin;
  loopback(&sin, port);
  raw_t *r = (raw_t *)conn_connect(ml, &raw_ops, sizeof(raw_t), (struct sockaddr *)&sin,
                                   sizeof(sin), ctls);
  ck_assert_ptr_nonnull(r);
  r->send = bytes;
  r->send_len = n;
  ck_assert_int_eq(mainloop_run_until(ml, cond_closed, &accepted_obs, 20), 1);
  ck_assert_int_eq(accepted_obs.opened, 0);
  ck_assert_msg(strstr(accepted_obs.reason, why) != NULL, "want \"%s\", got \"%s\"", why,
                accepted_obs.reason);
  channel_listener_free(l);
  mainloop_free(ml);
  tls_ctx_free(ctls);
  keyset_free(&ks);
}

START_TEST(test_responder_refuses_bad_starts)
{
  uint8_t http[600];
  memset(http, 'x', sizeof(http));
  memcpy(http, "GET / HTTP/1.0\r\n", 16);
  responder_refuses(http, sizeof(http), "before VERSIONS");
  static const uint8_t v3only[] = { 0, 0, CELL_VERSIONS, 0, 2, 0, 3 };
  responder_refuses(v3only, sizeof(v3only), "no common link protocol");
  static const uint8_t oddv[] = { 0, 0, CELL_VERSIONS, 0, 3, 0, 4, 0 };
  responder_refuses(oddv, sizeof(oddv), "malformed VERSIONS");
  /* VERSIONS then NETINFO-sized junk with a bogus CERTS length (over the cap). */
  static const uint8_t bigcerts[] = { 0, 0, CELL_VERSIONS, 0, 2, 0, 5,
                                      0, 0, 0, 0, CELL_CERTS, 0xff, 0xff };
  responder_refuses(bigcerts, sizeof(bigcerts), "garbage");
}
END_TEST

/* ---- our initiator against a scripted fake responder ---- */

typedef enum script_t {
  SCRIPT_CERTS,          /* VERSIONS, CERTS (fake_certs_t), AUTH_CHALLENGE, NETINFO */
  SCRIPT_SILENT,         /* never answers */
  SCRIPT_GARBAGE,        /* random bytes instead of VERSIONS */
  SCRIPT_OLD_VERSIONS,   /* VERSIONS(3) only */
  SCRIPT_NETINFO_FIRST,  /* VERSIONS, NETINFO */
  SCRIPT_UNEXPECTED,     /* VERSIONS, CERTS, CREATED2 */
  SCRIPT_PADDED,         /* VPADDING and PADDING mixed in, then a good handshake */
  SCRIPT_V4,             /* VERSIONS(3,4): link protocol 4 */
} script_t;

static script_t fake_script;
static fake_certs_t fake_how;
static keyset_t *fake_keys;

typedef struct fake_t {
  conn_t base;
  int done;
} fake_t;

static void
put_var(conn_t *c, uint8_t cmd, int wide, const uint8_t *body, size_t len)
{
  uint8_t hdr[7];
  size_t h = 0;
  if (wide) {
    put_u32(hdr, 0);
    h = 4;
  } else {
    put_u16(hdr, 0);
    h = 2;
  }
  hdr[h++] = cmd;
  put_u16(hdr + h, (uint16_t)len);
  h += 2;
  conn_write(c, hdr, h);
  conn_write(c, body, len);
}

static void
put_fixed(conn_t *c, uint8_t cmd, uint32_t circ_id, const uint8_t *body, size_t len)
{
  cell_t cell;
  uint8_t buf[CELL_MAX_NETWORK_LEN];
  memset(&cell, 0, sizeof(cell));
  cell.command = cmd;
  cell.circ_id = circ_id;
  memcpy(cell.payload, body, len);
  int n = cell_pack(buf, &cell, 1);
  conn_write(c, buf, (size_t)n);
}

static void
fake_send_certs(conn_t *c)
{
  uint8_t *body = NULL;
  size_t len = 0;
  ck_assert_int_eq(fake_certs_body(fake_keys->k, fake_how, time(NULL), &body, &len), 0);
  put_var(c, CELL_CERTS, 1, body, len);
  x_free(body);
}

static void
fake_send_rest(conn_t *c)
{
  uint8_t ac[AUTH_CHALLENGE_LEN + 4], ni[64];
  memset(ac, 0x5a, AUTH_CHALLENGE_LEN);
  put_u16(ac + AUTH_CHALLENGE_LEN, 1);
  put_u16(ac + AUTH_CHALLENGE_LEN + 2, 3);
  put_var(c, CELL_AUTH_CHALLENGE, 1, ac, sizeof(ac));
  /* NETINFO as tor sends it: time | 04 04 7f000001 | 01 | 04 04 7f000001 */
  static const uint8_t tail[] = { 4, 4, 127, 0, 0, 1, 1, 4, 4, 127, 0, 0, 1 };
  put_u32(ni, (uint32_t)time(NULL));
  memcpy(ni + 4, tail, sizeof(tail));
  put_fixed(c, CELL_NETINFO, 0, ni, 4 + sizeof(tail));
}

static void
fake_inbuf(conn_t *c)
{
  fake_t *f = (fake_t *)c;
  drain_all(c);
  if (f->done++ || fake_script == SCRIPT_SILENT)
    return;
  uint8_t v45[] = { 0, 4, 0, 5 }, v34[] = { 0, 3, 0, 4 }, v3[] = { 0, 3 }, junk[600];
  switch (fake_script) {
  case SCRIPT_GARBAGE:
    testutil_fill_random(junk, sizeof(junk), &(uint64_t){ 42 });
    junk[2] = CELL_VERSIONS;  /* a VERSIONS header with an absurd length */
    junk[3] = 0xff;
    conn_write(c, junk, sizeof(junk));
    return;
  case SCRIPT_OLD_VERSIONS:
    put_var(c, CELL_VERSIONS, 0, v3, sizeof(v3));
    return;
  default:
    break;
  }
  if (fake_script == SCRIPT_V4)
    put_var(c, CELL_VERSIONS, 0, v34, sizeof(v34));
  else
    put_var(c, CELL_VERSIONS, 0, v45, sizeof(v45));
  if (fake_script == SCRIPT_NETINFO_FIRST) {
    fake_send_rest(c);
    return;
  }
  if (fake_script == SCRIPT_PADDED) {
    put_var(c, CELL_VPADDING, 1, junk, 100);
    put_fixed(c, CELL_PADDING, 0, junk, 0);
  }
  fake_send_certs(c);
  if (fake_script == SCRIPT_UNEXPECTED) {
    put_fixed(c, CELL_CREATED2, 0x80000001u, junk, 10);
    return;
  }
  if (fake_script == SCRIPT_PADDED)
    put_fixed(c, CELL_PADDING, 0, junk, 0);
  fake_send_rest(c);
}

static const conn_ops_t fake_ops = { .name = "fake", .process_inbuf = fake_inbuf };

static void
fake_accept(listener_t *l, evutil_socket_t fd, const struct sockaddr *addr, int addrlen,
            void *arg)
{
  (void)l;
  conn_new_accepted(arg, &fake_ops, sizeof(fake_t), fd, addr, addrlen, fake_keys->tls);
}

/* Run our client initiator against the fake; returns what it saw. */
static void
run_fake(script_t script, fake_certs_t how, double hs_timeout, obs_t *o)
{
  mainloop_t *ml = mainloop_new();
  keyset_t ks;
  keyset_init(&ks);
  fake_keys = &ks;
  fake_script = script;
  fake_how = how;
  struct sockaddr_in sin;
  loopback(&sin, 0);
  listener_t *l = listener_new(ml, (struct sockaddr *)&sin, sizeof(sin), fake_accept, ml);
  ck_assert_ptr_nonnull(l);
  tls_ctx_t *ctls = tls_ctx_new_client();
  channel_t *ch = connect_to(ml, ctls, listener_get_port(l), ks.k->rsa_id_digest,
                             ks.k->master.pub, NULL, o);
  if (hs_timeout > 0)
    channel_set_handshake_timeout(ch, hs_timeout);
  ck_assert_int_eq(mainloop_run_until(ml, cond_done, o, 20), 1);
  ck_assert_int_eq(o->opened + o->closed, 1);
  obs_t seen = *o;
  listener_free(l);
  mainloop_free(ml);
  tls_ctx_free(ctls);
  keyset_free(&ks);
  *o = seen;
}

static void
expect_fake_closes(script_t script, fake_certs_t how, const char *why)
{
  obs_t o;
  run_fake(script, how, 0, &o);
  ck_assert_int_eq(o.opened, 0);
  ck_assert_msg(strstr(o.reason, why) != NULL, "want \"%s\", got \"%s\"", why, o.reason);
}

START_TEST(test_fake_good)
{
  obs_t o;
  run_fake(SCRIPT_CERTS, FAKE_CERTS_GOOD, 0, &o);
  ck_assert_msg(o.opened == 1, "%s", o.reason);
  ck_assert_int_eq(o.link_proto, 5);
  run_fake(SCRIPT_PADDED, FAKE_CERTS_GOOD, 0, &o);
  ck_assert_msg(o.opened == 1, "%s", o.reason);
  run_fake(SCRIPT_V4, FAKE_CERTS_GOOD, 0, &o);
  ck_assert_msg(o.opened == 1, "%s", o.reason);
  ck_assert_int_eq(o.link_proto, 4);
}
END_TEST

START_TEST(test_fake_expired)
{
  expect_fake_closes(SCRIPT_CERTS, FAKE_CERTS_EXPIRED, "(expired)");
}
END_TEST

START_TEST(test_fake_bad_sig)
{
  expect_fake_closes(SCRIPT_CERTS, FAKE_CERTS_BAD_SIG, "(bad signature)");
}
END_TEST

START_TEST(test_fake_tls_mismatch)
{
  expect_fake_closes(SCRIPT_CERTS, FAKE_CERTS_TLS_MISMATCH, "(TLS certificate mismatch)");
}
END_TEST

START_TEST(test_fake_wrong_type)
{
  expect_fake_closes(SCRIPT_CERTS, FAKE_CERTS_WRONG_TYPE, "(wrong type)");
}
END_TEST

START_TEST(test_fake_missing_and_duplicate)
{
  expect_fake_closes(SCRIPT_CERTS, FAKE_CERTS_MISSING, "(missing)");
  expect_fake_closes(SCRIPT_CERTS, FAKE_CERTS_DUPLICATE, "(duplicate)");
}
END_TEST

START_TEST(test_fake_protocol_faults)
{
  expect_fake_closes(SCRIPT_GARBAGE, FAKE_CERTS_GOOD, "garbage");
  expect_fake_closes(SCRIPT_OLD_VERSIONS, FAKE_CERTS_GOOD, "no common link protocol");
  expect_fake_closes(SCRIPT_NETINFO_FIRST, FAKE_CERTS_GOOD, "before CERTS");
  expect_fake_closes(SCRIPT_UNEXPECTED, FAKE_CERTS_GOOD, "unexpected cell command 11");
}
END_TEST

START_TEST(test_fake_timeout)
{
  obs_t o;
  double t0 = testutil_now();
  run_fake(SCRIPT_SILENT, FAKE_CERTS_GOOD, 0.3, &o);
  ck_assert_int_eq(o.opened, 0);
  ck_assert_msg(strstr(o.reason, "did not complete in time") != NULL, "%s", o.reason);
  ck_assert(testutil_now() - t0 < 15);
}
END_TEST

/* Nothing listening, or a peer that does not speak TLS: closed with a reason. */
static void
plain_accept(listener_t *l, evutil_socket_t fd, const struct sockaddr *addr, int addrlen,
             void *arg)
{
  (void)l;
  (void)addr;
  (void)addrlen;
  (void)arg;
  static const char junk[] = "HTTP/1.0 400 Bad Request\r\n\r\n";
  send(fd, junk, (int)sizeof(junk) - 1, 0);
  evutil_closesocket(fd);
}

START_TEST(test_connect_failures)
{
  mainloop_t *ml = mainloop_new();
  tls_ctx_t *ctls = tls_ctx_new_client();
  uint8_t id[DIGEST_LEN];
  obs_t o;
  memset(id, 0x11, sizeof(id));
  struct sockaddr_in sin;
  loopback(&sin, 0);
  listener_t *l = listener_new(ml, (struct sockaddr *)&sin, sizeof(sin), plain_accept, NULL);
  ck_assert_ptr_nonnull(l);
  int port = listener_get_port(l);
  connect_to(ml, ctls, port, id, NULL, NULL, &o);
  ck_assert_int_eq(mainloop_run_until(ml, cond_done, &o, 20), 1);
  ck_assert_int_eq(o.opened, 0);
  fprintf(stderr, "non-TLS peer: %s\n", o.reason);
  /* OpenSSL sees a bad record (Linux) or the close first (Wine): either way
   * the channel never got past TLS. */
  ck_assert_msg(strstr(o.reason, "TLS error") != NULL ||
                strstr(o.reason, "during the handshake (connecting)") != NULL, "%s", o.reason);
  listener_free(l);
  /* The port is free now: the connection is refused. */
  connect_to(ml, ctls, port, id, NULL, NULL, &o);
  ck_assert_int_eq(mainloop_run_until(ml, cond_done, &o, 20), 1);
  ck_assert_int_eq(o.opened, 0);
  fprintf(stderr, "refused: %s\n", o.reason);
  ck_assert_msg(strstr(o.reason, "connection failed") != NULL, "%s", o.reason);
  mainloop_free(ml);
  tls_ctx_free(ctls);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("or_channel");
  TESTUTIL_ADD(s, test_client_to_responder, 60);
  TESTUTIL_ADD(s, test_authenticating_initiator, 60);
  TESTUTIL_ADD(s, test_bad_authenticate, 60);
  TESTUTIL_ADD(s, test_initiator_certs_expired, 60);
  TESTUTIL_ADD(s, test_wrong_identity, 60);
  TESTUTIL_ADD(s, test_responder_refuses_bad_starts, 120);
  TESTUTIL_ADD(s, test_fake_good, 60);
  TESTUTIL_ADD(s, test_fake_expired, 60);
  TESTUTIL_ADD(s, test_fake_bad_sig, 60);
  TESTUTIL_ADD(s, test_fake_tls_mismatch, 60);
  TESTUTIL_ADD(s, test_fake_wrong_type, 60);
  TESTUTIL_ADD(s, test_fake_missing_and_duplicate, 60);
  TESTUTIL_ADD(s, test_fake_protocol_faults, 120);
  TESTUTIL_ADD(s, test_fake_timeout, 60);
  TESTUTIL_ADD(s, test_connect_failures, 60);
  return s;
}
