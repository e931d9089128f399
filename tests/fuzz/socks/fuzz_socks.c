/* fuzz_socks.c — libFuzzer target for the SOCKS request parser.
 *
 * Input: byte 0 picks the starting state (bits 0-1: START, after "05 01 00"
 * (WANT_REQUEST), after "05 01 02" (WANT_AUTH)) and bit 2 prefer_no_auth;
 * byte 1 seeds the chunk sizes; the rest is the client's bytes, fed in
 * random splits.  Invariants: NEED_MORE and INVALID never drain and give no
 * reply / keep the state; DONE drains; a finished request has a valid,
 * NUL-terminated host; the split feed ends exactly like feeding everything at
 * once (same state, request and bytes left). */
#include <event2/buffer.h>

#include "fuzz_common.h"
#include "proto/socks/socks.h"

typedef struct outcome_t {
  socks_parser_t p;
  size_t left;
} outcome_t;

static void
start(socks_parser_t *p, struct evbuffer *in, uint8_t mode)
{
  static const char *prefix[] = { NULL, "\x05\x01\x00", "\x05\x01\x02", NULL };
  socks_parser_init(p, (mode >> 2) & 1);
  const char *pre = prefix[mode & 3];
  if (pre) {
    evbuffer_add(in, pre, 3);
    FUZZ_CHECK(socks_parse(p, in) == PARSE_DONE);
    FUZZ_CHECK(p->reply_len == 2);
    FUZZ_CHECK(evbuffer_get_length(in) == 0);
  }
}

/* Parse what is in `in` until it needs more or stops.  Returns 0 to go on
 * feeding, 1 when finished (DONE or FAILED). */
static int
drive(socks_parser_t *p, struct evbuffer *in)
{
  for (;;) {
    size_t before = evbuffer_get_length(in);
    socks_state_t st = p->state;
    parse_result_t r = socks_parse(p, in);
    size_t after = evbuffer_get_length(in);
    switch (r) {
    case PARSE_NEED_MORE:
      FUZZ_CHECK(after == before);
      FUZZ_CHECK(p->reply_len == 0);
      FUZZ_CHECK(p->state == st);
      return 0;
    case PARSE_INVALID:
      FUZZ_CHECK(after == before);
      FUZZ_CHECK(p->state == SOCKS_STATE_FAILED);
      FUZZ_CHECK(p->reply_len <= SOCKS_REPLY_MAX || p->reply_len > 100);
      return 1;
    case PARSE_DONE:
      FUZZ_CHECK(after < before);
      FUZZ_CHECK(p->reply_len <= 2);
      if (socks_parser_is_done(p)) {
        FUZZ_CHECK(p->reply_len == 0);
        FUZZ_CHECK(memchr(p->req.host, '\0', sizeof(p->req.host)) != NULL);
        FUZZ_CHECK(socks_host_is_valid(p->req.host));
        FUZZ_CHECK(p->req.version == 4 || p->req.version == 5);
        return 1;
      }
      break;
    }
  }
}

static void
run(const uint8_t *data, size_t size, uint8_t mode, uint64_t seed, int split, outcome_t *out)
{
  struct evbuffer *in = evbuffer_new();
  start(&out->p, in, mode);
  size_t off = 0;
  int finished = 0;
  while (!finished && off < size) {
    size_t n = size - off;
    if (split) {
      seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
      size_t want = 1 + (size_t)(seed % 64);
      if (want < n)
        n = want;
    }
    evbuffer_add(in, data + off, n);
    off += n;
    finished = drive(&out->p, in);
  }
  out->left = evbuffer_get_length(in) + (size - off);
  evbuffer_free(in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 2)
    return 0;
  uint8_t mode = data[0];
  uint64_t seed = 0x9E3779B97F4A7C15ull ^ ((uint64_t)data[1] << 32 | data[1]);
  data += 2;
  size -= 2;

  static outcome_t whole, split;
  memset(&whole, 0, sizeof(whole));
  memset(&split, 0, sizeof(split));
  run(data, size, mode, seed, 0, &whole);
  run(data, size, mode, seed, 1, &split);
  FUZZ_CHECK(whole.p.state == split.p.state);
  FUZZ_CHECK(whole.left == split.left);
  FUZZ_CHECK(whole.p.reply_len == split.p.reply_len);
  FUZZ_CHECK(memcmp(whole.p.reply, split.p.reply, whole.p.reply_len) == 0);
  FUZZ_CHECK(memcmp(&whole.p.req, &split.p.req, sizeof(whole.p.req)) == 0);

  /* the encoders on arbitrary answers */
  uint8_t out[SOCKS_REPLY_MAX];
  size_t alen = size > 300 ? 300 : size;
  int n = socks_reply_encode_resolved(out, sizeof(out), 5, mode & 7 ? mode : 0, data, alen);
  FUZZ_CHECK(n >= 8 && n <= (int)sizeof(out));
  n = socks_reply_encode_resolved(out, sizeof(out), 4, mode, data, alen);
  FUZZ_CHECK(n == 8);
  (void)socks_reply_from_end_reason(mode);
  return 0;
}
