/* fakerelay.c — see fakerelay.h. */
#include "fakerelay.h"

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

#include <check.h>

#include "core/tls.h"
#include "lib/alloc.h"
#include "lib/bytes.h"
#include "lib/crypto/ntor.h"
#include "lib/crypto/rand.h"
#include "proto/circ_cells.h"
#include "proto/relay_circ.h"
#include "proto/relay_msg.h"
#include "proto/relay_stream.h"
#include "relay/keys.h"

static void
get_keys_cb(void *arg, struct certs_our_keys_t *out)
{
  relay_keys_get_certs_keys(arg, out);
}

fcirc_t *
fake_relay_find(fake_relay_t *f, uint32_t id)
{
  for (int i = 0; i < f->n_circs; i++)
    if (f->circs[i].id == id)
      return &f->circs[i];
  return NULL;
}

void
fake_relay_send_payload(fake_relay_t *f, fcirc_t *fc, int hop, const uint8_t *payload)
{
  cell_t c;
  memset(&c, 0, sizeof(c));
  c.circ_id = fc->id;
  c.command = CELL_RELAY;
  memcpy(c.payload, payload, CELL_PAYLOAD_LEN);
  relay_crypto_relay_originate(fc->rc[hop], c.payload);
  for (int j = hop - 1; j >= 0; j--)
    relay_crypto_relay_encrypt_backward(fc->rc[j], c.payload);
  if (f->ch)
    channel_send_cell(f->ch, &c);
}

void
fake_relay_send(fake_relay_t *f, fcirc_t *fc, int hop, uint8_t cmd, uint16_t stream_id,
                const uint8_t *body, size_t len)
{
  cell_t c;
  memset(&c, 0, sizeof(c));
  c.circ_id = fc->id;
  c.command = CELL_RELAY;
  ck_assert_int_eq(relay_msg_pack(c.payload, cmd, stream_id, body, len, NULL), 0);
  relay_crypto_relay_originate(fc->rc[hop], c.payload);
  for (int j = hop - 1; j >= 0; j--)
    relay_crypto_relay_encrypt_backward(fc->rc[j], c.payload);
  if (f->ch)
    channel_send_cell(f->ch, &c);
}

void
fake_relay_destroy(fake_relay_t *f, fcirc_t *fc, uint8_t reason)
{
  cell_t c;
  memset(&c, 0, sizeof(c));
  c.circ_id = fc->id;
  c.command = CELL_DESTROY;
  c.payload[0] = reason;
  channel_send_cell(f->ch, &c);
  fc->destroyed = 1;
}

void
fake_relay_send_circ_sendme(fake_relay_t *f, fcirc_t *fc, int bad)
{
  int last = fc->n_built - 1;
  sendme_cell_t s;
  memset(&s, 0, sizeof(s));
  s.version = 1;
  s.data_len = 20;
  if (fc->n_rtags) {
    memcpy(s.digest, fc->rtags[fc->rtag_head], 20);
    fc->rtag_head = (fc->rtag_head + 1) % 10;
    fc->n_rtags--;
  } else {
    relay_crypto_get_sendme_tag_received(fc->rc[last], s.digest);
  }
  if (bad)
    s.digest[7] ^= 0x40;
  uint8_t body[32];
  int n = sendme_cell_encode(&s, body, sizeof(body));
  fake_relay_send(f, fc, last, RELAY_COMMAND_SENDME, 0, body, (size_t)n);
}

/* The exit sends as much of pending_out as its windows allow, recording the
 * tags the client's circuit SENDMEs must carry. */
static void
exit_flush(fake_relay_t *f, fcirc_t *fc)
{
  int last = fc->n_built - 1;
  uint8_t buf[RELAY_BODY_MAX_LEN];
  size_t n;
  while ((n = evbuffer_get_length(fc->pending_out)) > 0 && fc->pkg_circ > 0 &&
         fc->pkg_stream > 0 && !fc->destroyed) {
    if (n > sizeof(buf))
      n = sizeof(buf);
    evbuffer_remove(fc->pending_out, buf, n);
    fake_relay_send(f, fc, last, RELAY_COMMAND_DATA, fc->stream_id, buf, n);
    if (fc->pkg_circ != CIRCWINDOW_START_DEFAULT && (fc->pkg_circ - 1) % 100 == 0 &&
        fc->n_tags < 10) {
      relay_crypto_get_sendme_tag_sent(fc->rc[last], fc->tags[(fc->tag_head + fc->n_tags) % 10]);
      fc->n_tags++;
    }
    fc->pkg_circ--;
    fc->pkg_stream--;
  }
}

static void
exit_got_data(fake_relay_t *f, fcirc_t *fc, uint16_t sid, const uint8_t *body, size_t len)
{
  int last = fc->n_built - 1;
  fc->data_cells_in++;
  evbuffer_add(fc->data_in, body, len);
  if (f->n_order < FR_MAX_ORDER)
    f->order[f->n_order++] = fc->id;
  fc->deliver_circ--;
  fc->deliver_stream--;
  if (fc->data_cells_in % 100 == 0 && fc->n_rtags < 10) {
    relay_crypto_get_sendme_tag_received(fc->rc[last],
                                         fc->rtags[(fc->rtag_head + fc->n_rtags) % 10]);
    fc->n_rtags++;
  }
  if (f->auto_circ_sendme && fc->deliver_circ <= CIRCWINDOW_START_DEFAULT - 100) {
    fake_relay_send_circ_sendme(f, fc, f->bad_tag);
    fc->deliver_circ += 100;
  }
  if (f->auto_stream_sendme && fc->deliver_stream <= STREAMWINDOW_START - STREAMWINDOW_INCREMENT) {
    fake_relay_send(f, fc, last, RELAY_COMMAND_SENDME, sid, NULL, 0);
    fc->deliver_stream += STREAMWINDOW_INCREMENT;
  }
  if (f->echo) {
    evbuffer_add(fc->pending_out, body, len);
    exit_flush(f, fc);
  }
}

static void
exit_got_sendme(fake_relay_t *f, fcirc_t *fc, uint16_t sid, const uint8_t *body, size_t len)
{
  if (sid) {
    fc->stream_sendmes++;
    fc->pkg_stream += STREAMWINDOW_INCREMENT;
    exit_flush(f, fc);
    return;
  }
  sendme_cell_t s;
  if (sendme_cell_parse(&s, body, len) < 0 || fc->n_tags == 0) {
    fc->sendme_bad++;
    return;
  }
  const uint8_t *want = fc->tags[fc->tag_head];
  fc->tag_head = (fc->tag_head + 1) % 10;
  fc->n_tags--;
  if (s.version == 0)
    fc->sendme_v0++;
  else if (s.version == 1 && s.data_len == 20 && !memcmp(want, s.digest, 20))
    fc->sendme_ok++;
  else
    fc->sendme_bad++;
  fc->pkg_circ += 100;
  exit_flush(f, fc);
}

static void
exit_begin(fake_relay_t *f, fcirc_t *fc, int hop, uint8_t cmd, uint16_t sid,
           const uint8_t *body, size_t len)
{
  fc->stream_id = sid;
  fc->begun = 1;
  fc->deliver_stream = STREAMWINDOW_START;
  fc->pkg_stream = STREAMWINDOW_START;
  if (cmd == RELAY_COMMAND_BEGIN) {
    begin_cell_t b;
    ck_assert_int_eq(begin_cell_parse(&b, body, len), 0);
    snprintf(fc->begin_host, sizeof(fc->begin_host), "%s", b.host);
    fc->begin_port = b.port;
  } else if (cmd == RELAY_COMMAND_BEGIN_DIR) {
    fc->begin_dir = 1;
  } else {
    fc->resolve = 1;
    resolved_cell_t r;
    memset(&r, 0, sizeof(r));
    r.n_answers = 1;
    r.answers[0].type = RESOLVED_TYPE_IPV4;
    r.answers[0].len = 4;
    netaddr_parse(&r.answers[0].addr, "10.1.2.3");
    r.answers[0].ttl = 60;
    uint8_t out[64];
    int n = resolved_cell_encode(&r, out, sizeof(out));
    fake_relay_send(f, fc, hop, RELAY_COMMAND_RESOLVED, sid, out, (size_t)n);
    return;
  }
  if (f->no_connected)
    return;
  connected_cell_t cc;
  memset(&cc, 0, sizeof(cc));
  netaddr_parse(&cc.addr, "127.0.0.1");
  cc.has_ttl = 1;
  cc.ttl = 300;
  uint8_t out[32];
  int n = connected_cell_encode(&cc, out, sizeof(out));
  fake_relay_send(f, fc, hop, RELAY_COMMAND_CONNECTED, sid, out, (size_t)n);
  if (f->end_after_connected) {
    uint8_t r = END_REASON_DONE;
    fake_relay_send(f, fc, hop, RELAY_COMMAND_END, sid, &r, 1);
  }
}

static void
hop_extend(fake_relay_t *f, fcirc_t *fc, int hop, const uint8_t *body, size_t len)
{
  extend2_cell_t e;
  fc->n_extend2++;
  ck_assert_int_eq(extend2_cell_parse(&e, body, len), 0);
  ck_assert_int_eq(extend2_cell_check(&e), 0);
  ck_assert_int_eq(hop, fc->n_built - 1);
  int next = fc->n_built;
  ck_assert_int_lt(next, FR_MAX_HOPS);
  for (int i = 0; i < e.n_spec; i++) {
    if (e.specs[i].type == LINKSPEC_IPV4)
      fc->ext_had_ipv4 = 1;
    if (e.specs[i].type == LINKSPEC_LEGACY_ID) {
      fc->ext_had_rsa = 1;
      ck_assert(!memcmp(e.specs[i].legacy_id, f->ids[next], 20));
    }
    if (e.specs[i].type == LINKSPEC_ED25519_ID) {
      fc->ext_had_ed = 1;
      ck_assert(!memcmp(e.specs[i].ed25519_id, f->eds[next], 32));
    }
  }
  ck_assert_int_eq(e.htype, HANDSHAKE_TYPE_NTOR);
  ck_assert_int_eq(e.hlen, NTOR_ONIONSKIN_LEN);
  uint8_t reply[NTOR_REPLY_LEN], keys[RELAY_CRYPTO_KEY_MATERIAL_LEN];
  ck_assert_int_eq(ntor_server_handshake(f->ids[next], &f->ntor[next], 1, e.hdata, reply, keys,
                                         sizeof(keys)), 0);
  fc->rc[next] = relay_crypto_new(keys, sizeof(keys), 1);
  fc->n_built++;
  created2_cell_t r;
  r.hlen = NTOR_REPLY_LEN;
  memcpy(r.hdata, reply, NTOR_REPLY_LEN);
  uint8_t out[RELAY_BODY_MAX_LEN];
  int n = extended2_cell_encode(&r, out, sizeof(out));
  fake_relay_send(f, fc, hop, RELAY_COMMAND_EXTENDED2, 0, out, (size_t)n);
}

static void
hop_cell(fake_relay_t *f, fcirc_t *fc, int hop, int early, const uint8_t *payload)
{
  relay_header_t h;
  const uint8_t *body;
  ck_assert_int_eq(relay_msg_parse(&h, &body, payload), 0);
  int last = hop == fc->n_built - 1;
  switch (h.command) {
  case RELAY_COMMAND_EXTEND2:
    if (f->no_extend)
      return;
    fc->n_extend2_early += early;
    hop_extend(f, fc, hop, body, h.length);
    return;
  case RELAY_COMMAND_BEGIN:
  case RELAY_COMMAND_BEGIN_DIR:
  case RELAY_COMMAND_RESOLVE:
    if (last)
      exit_begin(f, fc, hop, h.command, h.stream_id, body, h.length);
    return;
  case RELAY_COMMAND_DATA:
    if (last)
      exit_got_data(f, fc, h.stream_id, body, h.length);
    return;
  case RELAY_COMMAND_SENDME:
    if (last)
      exit_got_sendme(f, fc, h.stream_id, body, h.length);
    return;
  case RELAY_COMMAND_END:
    fc->ends_in++;
    fc->end_reason = h.length ? body[0] : END_REASON_MISC;
    return;
  default:
    return;
  }
}

static void
fr_cell(channel_t *ch, const cell_t *cell, void *arg)
{
  (void)ch;
  fake_relay_t *f = arg;
  fcirc_t *fc = fake_relay_find(f, cell->circ_id);
  if (cell->command == CELL_CREATE2) {
    ck_assert_ptr_null(fc);
    ck_assert_int_lt(f->n_circs, FR_MAX_CIRCS);
    ck_assert(cell->circ_id & 0x80000000u);
    fc = &f->circs[f->n_circs++];
    memset(fc, 0, sizeof(*fc));
    fc->id = cell->circ_id;
    fc->data_in = evbuffer_new();
    fc->pending_out = evbuffer_new();
    fc->deliver_circ = fc->pkg_circ = CIRCWINDOW_START_DEFAULT;
    create2_cell_t cr;
    ck_assert_int_eq(create2_cell_parse(&cr, cell->payload, CELL_PAYLOAD_LEN), 0);
    ck_assert_int_eq(cr.htype, HANDSHAKE_TYPE_NTOR);
    uint8_t keys[RELAY_CRYPTO_KEY_MATERIAL_LEN];
    created2_cell_t r;
    r.hlen = NTOR_REPLY_LEN;
    ck_assert_int_eq(ntor_server_handshake(f->ids[0], &f->ntor[0], 1, cr.hdata, r.hdata, keys,
                                           sizeof(keys)), 0);
    fc->rc[0] = relay_crypto_new(keys, sizeof(keys), 1);
    fc->n_built = 1;
    cell_t out;
    memset(&out, 0, sizeof(out));
    out.circ_id = fc->id;
    out.command = CELL_CREATED2;
    created2_cell_encode(&r, out.payload, sizeof(out.payload));
    channel_send_cell(f->ch, &out);
    return;
  }
  if (!fc || fc->destroyed)
    return;
  if (cell->command == CELL_DESTROY) {
    fc->destroyed = 1;
    return;
  }
  if (cell->command != CELL_RELAY && cell->command != CELL_RELAY_EARLY)
    return;
  int early = cell->command == CELL_RELAY_EARLY;
  fc->n_relay += !early;
  fc->n_relay_early += early;
  uint8_t p[CELL_PAYLOAD_LEN];
  memcpy(p, cell->payload, sizeof(p));
  for (int i = 0; i < fc->n_built; i++) {
    if (relay_crypto_relay_decrypt_forward(fc->rc[i], p) == 1) {
      hop_cell(f, fc, i, early, p);
      return;
    }
  }
  fc->n_unrecognized++;
}

static void
fr_chan_cb(channel_t *ch, channel_event_t ev, void *arg)
{
  fake_relay_t *f = arg;
  if (ev == CHANNEL_EV_OPEN) {
    f->ch = ch;
    f->n_accepted++;
    channel_set_cell_handler(ch, fr_cell, f);
  } else if (f->ch == ch) {
    f->ch = NULL;
  }
}

fake_relay_t *
fake_relay_new(mainloop_t *ml)
{
  fake_relay_t *f = x_calloc(1, sizeof(*f));
  char err[256];
  uint32_t r;
  crypto_rand(&r, sizeof(r));
  snprintf(f->dir, sizeof(f->dir), "test-circuit-%08x", (unsigned)r);
#ifdef _WIN32
  _mkdir(f->dir);
#else
  mkdir(f->dir, 0700);
#endif
  relay_keys_t *k = relay_keys_load_or_create(f->dir, time(NULL), err, sizeof(err));
  ck_assert_msg(k != NULL, "%s", err);
  f->keys = k;
  f->tls = relay_keys_new_tls_ctx(k);
  f->ml = ml;
  f->relay.get_keys = get_keys_cb;
  f->relay.keys_arg = k;
  f->relay.tls = f->tls;
  f->relay.cb = fr_chan_cb;
  f->relay.cb_arg = f;
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(0x7f000001);
  channel_relay_set_address(&f->relay, (struct sockaddr *)&sin);
  f->l = channel_listen(ml, (struct sockaddr *)&sin, sizeof(sin), &f->relay);
  ck_assert_ptr_nonnull(f->l);
  f->port = channel_listener_get_port(f->l);
  memcpy(f->ids[0], k->rsa_id_digest, 20);
  memcpy(f->eds[0], k->master.pub, 32);
  for (int i = 0; i < FR_MAX_HOPS; i++) {
    x25519_keypair_generate(&f->ntor[i]);
    if (i) {
      crypto_rand(f->ids[i], 20);
      crypto_rand(f->eds[i], 32);
    }
  }
  return f;
}

void
fake_relay_path(fake_relay_t *f, circ_hop_t *path, int n)
{
  for (int i = 0; i < n; i++) {
    circ_hop_t *h = &path[i];
    memset(h, 0, sizeof(*h));
    netaddr_parse(&h->ipv4, "127.0.0.1");
    h->ipv4_port = (uint16_t)(i == 0 ? f->port : 9000 + i);
    memcpy(h->rsa_id, f->ids[i], 20);
    memcpy(h->ed_id, f->eds[i], 32);
    h->has_ed = 1;
    memcpy(h->ntor_key, f->ntor[i].pub, 32);
  }
}

void
fake_relay_stop(fake_relay_t *f)
{
  channel_listener_free(f->l);
  f->l = NULL;
  if (f->ch) {
    channel_set_callback(f->ch, NULL, NULL);
    channel_set_cell_handler(f->ch, NULL, NULL);
    f->ch = NULL;
  }
  f->relay.cb = NULL;
}

void
fake_relay_free(fake_relay_t *f)
{
  static const char *files[] = { "secret_id_key", "ed25519_master_id_secret_key",
                                 "ed25519_signing_secret_key", "ed25519_signing_cert" };
  char p[256];
  for (int i = 0; i < 4; i++) {
    snprintf(p, sizeof(p), "%s/keys/%s", f->dir, files[i]);
    remove(p);
  }
  snprintf(p, sizeof(p), "%s/keys", f->dir);
  rmdir(p);
  rmdir(f->dir);
  for (int i = 0; i < f->n_circs; i++) {
    for (int j = 0; j < FR_MAX_HOPS; j++)
      relay_crypto_free(f->circs[i].rc[j]);
    evbuffer_free(f->circs[i].data_in);
    evbuffer_free(f->circs[i].pending_out);
  }
  relay_keys_free(f->keys);
  tls_ctx_free(f->tls);
  x_free(f);
}
