/* test_compress.c — lib/compress: zlib/gzip inflate with caps, deflate.
 * (Lives with the nodedoc tests: the helper H-md owns this directory.)
 *
 * Known answers: the zlib and gzip streams below were made by Python's
 * zlib and gzip modules (python3 -c "zlib.compress(b'hello')";
 * gzip.GzipFile(mtime=0)), not by this code. */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "lib/alloc.h"
#include "lib/compress/compress.h"
#include "testutil.h"

static const char *const HELLO_ZLIB = "789ccb48cdc9c90700062c0215";
static const char *const HELLO_GZIP =
  "1f8b08000000000002ffcb48cdc9c9d75128c92f5248c92c4a4d06322ab900c5c329dd15000000";
static const char *const ONION_ZLIB9 = "78dacbcfcbcccfd3cd4eade4cac7c20200aeab0aea";

static size_t
unhex(const char *hex, uint8_t *out, size_t cap)
{
  int n = testutil_unhex(hex, out, cap);
  ck_assert_int_ge(n, 0);
  return (size_t)n;
}

START_TEST(test_known_answers)
{
  uint8_t in[128], *out;
  size_t n = unhex(HELLO_ZLIB, in, sizeof(in)), out_len;
  ck_assert_int_eq(compress_inflate_buf(COMPRESS_ZLIB, in, n, 1000, 25, &out, &out_len),
                   COMPRESS_DONE);
  ck_assert_uint_eq(out_len, 5);
  ck_assert_str_eq((char *)out, "hello"); /* NUL-terminated */
  x_free(out);

  n = unhex(HELLO_GZIP, in, sizeof(in));
  ck_assert_int_eq(compress_inflate_buf(COMPRESS_GZIP, in, n, 1000, 25, &out, &out_len),
                   COMPRESS_DONE);
  ck_assert_str_eq((char *)out, "hello, tor directory\n");
  x_free(out);
  /* the wrong method for the data */
  ck_assert_int_eq(compress_inflate_buf(COMPRESS_ZLIB, in, n, 1000, 25, &out, &out_len),
                   COMPRESS_INVALID);
  ck_assert_ptr_null(out);
  ck_assert_uint_eq(out_len, 0);

  n = unhex(ONION_ZLIB9, in, sizeof(in));
  ck_assert_int_eq(compress_inflate_buf(COMPRESS_ZLIB, in, n, 1000, 25, &out, &out_len),
                   COMPRESS_DONE);
  ck_assert_str_eq((char *)out, "onion-key\nonion-key\nonion-key\n");
  x_free(out);
}
END_TEST

/* Deflate data with method, then inflate it fed in pieces of random size
 * (1..max_piece); the output must be the input. */
static void
roundtrip(compress_method_t m, int level, const uint8_t *data, size_t len, size_t max_piece,
          uint64_t *rng)
{
  uint8_t *c;
  size_t clen;
  ck_assert_int_eq(compress_deflate_buf(m, level, data, len, &c, &clen), 0);
  ck_assert_int_eq(compress_detect_method(c, clen), m == COMPRESS_IDENTITY ? (int)compress_detect_method(data, len) : (int)m);
  compress_inflater_t *z = compress_inflater_new(m, len, COMPRESS_DEFAULT_MAX_RATIO);
  struct evbuffer *out = evbuffer_new();
  size_t off = 0;
  compress_result_t r = COMPRESS_NEED_MORE;
  while (off < clen) {
    size_t piece = testutil_rand_range(rng, 1, max_piece);
    if (piece > clen - off)
      piece = clen - off;
    r = compress_inflater_feed(z, c + off, piece, out);
    off += piece;
    if (off < clen)
      ck_assert_int_eq(r, COMPRESS_NEED_MORE);
  }
  ck_assert_int_eq(r, m == COMPRESS_IDENTITY ? COMPRESS_NEED_MORE : COMPRESS_DONE);
  ck_assert_int_eq(compress_inflater_finish(z), COMPRESS_DONE);
  ck_assert_uint_eq(compress_inflater_total_in(z), clen);
  ck_assert_uint_eq(compress_inflater_total_out(z), len);
  ck_assert_uint_eq(evbuffer_get_length(out), len);
  ck_assert(len == 0 || memcmp(evbuffer_pullup(out, -1), data, len) == 0);
  evbuffer_free(out);
  compress_inflater_free(z);
  x_free(c);
}

START_TEST(test_roundtrip_pieces)
{
  uint64_t rng = 42;
  size_t len = 300000;
  uint8_t *data = malloc(len);
  /* half text-like (random letters of a small alphabet: compressible, but
   * well under the ratio cap), half random bytes */
  testutil_fill_random(data, len / 2, &rng);
  for (size_t i = 0; i < len / 2; i++)
    data[i] = (uint8_t)"onion-key ntor\n"[data[i] % 15];
  testutil_fill_random(data + len / 2, len - len / 2, &rng);
  static const compress_method_t methods[] = { COMPRESS_ZLIB, COMPRESS_GZIP, COMPRESS_IDENTITY };
  for (size_t m = 0; m < 3; m++) {
    roundtrip(methods[m], 6, data, len, 1, &rng);       /* byte by byte */
    roundtrip(methods[m], 9, data, len, 4096, &rng);
    roundtrip(methods[m], 1, data, len, 1 << 20, &rng); /* one piece */
    roundtrip(methods[m], 6, data, 0, 10, &rng);        /* empty document */
  }
  free(data);
}
END_TEST

START_TEST(test_truncated_corrupt_trailing)
{
  const char *text = "network-status-version 3 microdesc\nvote-status consensus\n";
  uint8_t *c, *out;
  size_t clen, out_len;
  ck_assert_int_eq(compress_deflate_buf(COMPRESS_ZLIB, 9, (const uint8_t *)text, strlen(text),
                                        &c, &clen), 0);
  /* every truncation is refused at the end of input */
  for (size_t cut = 0; cut < clen; cut++)
    ck_assert_int_eq(compress_inflate_buf(COMPRESS_ZLIB, c, cut, 1000, 25, &out, &out_len),
                     COMPRESS_INVALID);
  /* a flipped bit in the checksum (the last 4 bytes: Adler-32) */
  c[clen - 1] ^= 1;
  ck_assert_int_eq(compress_inflate_buf(COMPRESS_ZLIB, c, clen, 1000, 25, &out, &out_len),
                   COMPRESS_INVALID);
  c[clen - 1] ^= 1;
  /* bytes after the end, in the same piece or a later one */
  uint8_t *more = x_malloc(clen + 1);
  memcpy(more, c, clen);
  more[clen] = 'x';
  ck_assert_int_eq(compress_inflate_buf(COMPRESS_ZLIB, more, clen + 1, 1000, 25, &out, &out_len),
                   COMPRESS_INVALID);
  compress_inflater_t *z = compress_inflater_new(COMPRESS_ZLIB, 1000, 25);
  struct evbuffer *buf = evbuffer_new();
  ck_assert_int_eq(compress_inflater_feed(z, c, clen, buf), COMPRESS_DONE);
  ck_assert_int_eq(compress_inflater_feed(z, NULL, 0, buf), COMPRESS_DONE);
  ck_assert_int_eq(compress_inflater_feed(z, (const uint8_t *)"x", 1, buf), COMPRESS_INVALID);
  ck_assert_int_eq(compress_inflater_finish(z), COMPRESS_INVALID);
  compress_inflater_free(z);
  evbuffer_free(buf);
  /* garbage from the first byte */
  ck_assert_int_eq(compress_inflate_buf(COMPRESS_ZLIB, (const uint8_t *)"HTTP/1.0", 8, 1000, 25,
                                        &out, &out_len), COMPRESS_INVALID);
  x_free(more);
  x_free(c);
}
END_TEST

START_TEST(test_output_cap)
{
  size_t len = 100000;
  uint8_t *data = malloc(len), *c, *out;
  uint64_t rng = 7;
  testutil_fill_random(data, len, &rng);
  size_t clen, out_len;
  ck_assert_int_eq(compress_deflate_buf(COMPRESS_ZLIB, 6, data, len, &c, &clen), 0);
  ck_assert_int_eq(compress_inflate_buf(COMPRESS_ZLIB, c, clen, len, 25, &out, &out_len),
                   COMPRESS_DONE);
  ck_assert_uint_eq(out_len, len);
  x_free(out);
  ck_assert_int_eq(compress_inflate_buf(COMPRESS_ZLIB, c, clen, len - 1, 25, &out, &out_len),
                   COMPRESS_TOO_LARGE);
  ck_assert_ptr_null(out);
  /* streaming: the cap is hit and the output stays within one byte past it */
  compress_inflater_t *z = compress_inflater_new(COMPRESS_ZLIB, 5000, 0);
  struct evbuffer *buf = evbuffer_new();
  ck_assert_int_eq(compress_inflater_feed(z, c, clen, buf), COMPRESS_TOO_LARGE);
  ck_assert_uint_le(evbuffer_get_length(buf), 5001);
  ck_assert_int_eq(compress_inflater_finish(z), COMPRESS_TOO_LARGE);
  ck_assert_int_eq(compress_inflater_feed(z, c, 1, buf), COMPRESS_TOO_LARGE);
  compress_inflater_free(z);
  evbuffer_free(buf);
  /* identity has the same cap */
  ck_assert_int_eq(compress_inflate_buf(COMPRESS_IDENTITY, data, len, len, 25, &out, &out_len),
                   COMPRESS_DONE);
  x_free(out);
  ck_assert_int_eq(compress_inflate_buf(COMPRESS_IDENTITY, data, len, len - 1, 25, &out,
                                        &out_len), COMPRESS_TOO_LARGE);
  x_free(c);
  free(data);
}
END_TEST

START_TEST(test_bomb)
{
  /* 16 MiB of zeros deflate to ~16 KiB: a ratio of ~1000 */
  size_t len = 16u << 20;
  uint8_t *zeros = calloc(1, len), *c, *out;
  size_t clen, out_len;
  ck_assert_int_eq(compress_deflate_buf(COMPRESS_ZLIB, 9, zeros, len, &c, &clen), 0);
  ck_assert_uint_lt(clen, len / 500);
  compress_inflater_t *z = compress_inflater_new(COMPRESS_ZLIB, SIZE_MAX, 25);
  struct evbuffer *buf = evbuffer_new();
  ck_assert_int_eq(compress_inflater_feed(z, c, clen, buf), COMPRESS_BOMB);
  /* it stopped early: not much past the point where the ratio is checked */
  ck_assert_uint_le(compress_inflater_total_out(z), 1u << 20);
  compress_inflater_free(z);
  evbuffer_free(buf);
  /* without a ratio cap it is fine */
  ck_assert_int_eq(compress_inflate_buf(COMPRESS_ZLIB, c, clen, len, 0, &out, &out_len),
                   COMPRESS_DONE);
  ck_assert_uint_eq(out_len, len);
  x_free(out);
  x_free(c);
  /* a small, very compressible document is under the check threshold */
  ck_assert_int_eq(compress_deflate_buf(COMPRESS_ZLIB, 9, zeros, COMPRESS_RATIO_CHECK_AFTER, &c,
                                        &clen), 0);
  ck_assert_int_eq(compress_inflate_buf(COMPRESS_ZLIB, c, clen, len, 25, &out, &out_len),
                   COMPRESS_DONE);
  x_free(out);
  x_free(c);
  free(zeros);
}
END_TEST

START_TEST(test_feed_evbuffer)
{
  /* a body in an evbuffer made of many small chains, as a connection has it */
  size_t len = 50000;
  uint8_t *data = malloc(len), *c;
  uint64_t rng = 3;
  testutil_fill_random(data, len, &rng);
  for (size_t i = 0; i < len; i++)
    data[i] = (uint8_t)('a' + data[i] % 8);
  size_t clen;
  ck_assert_int_eq(compress_deflate_buf(COMPRESS_ZLIB, 6, data, len, &c, &clen), 0);
  struct evbuffer *in = evbuffer_new(), *out = evbuffer_new();
  compress_inflater_t *z = compress_inflater_new(COMPRESS_ZLIB, len, 25);
  ck_assert_int_eq(compress_inflater_feed_evbuffer(z, in, out), COMPRESS_NEED_MORE);
  size_t off = 0;
  compress_result_t r = COMPRESS_NEED_MORE;
  while (off < clen) {
    for (int k = 0; k < 3 && off < clen; k++) {
      size_t piece = testutil_rand_range(&rng, 1, 700);
      if (piece > clen - off)
        piece = clen - off;
      evbuffer_add(in, c + off, piece);
      off += piece;
    }
    r = compress_inflater_feed_evbuffer(z, in, out);
    ck_assert_uint_eq(evbuffer_get_length(in), 0);
    if (off < clen)
      ck_assert_int_eq(r, COMPRESS_NEED_MORE);
  }
  ck_assert_int_eq(r, COMPRESS_DONE);
  ck_assert_uint_eq(evbuffer_get_length(out), len);
  ck_assert_int_eq(memcmp(evbuffer_pullup(out, -1), data, len), 0);
  /* bytes after the end are refused and drained */
  evbuffer_add(in, "zz", 2);
  ck_assert_int_eq(compress_inflater_feed_evbuffer(z, in, out), COMPRESS_INVALID);
  ck_assert_uint_eq(evbuffer_get_length(in), 0);
  compress_inflater_free(z);
  evbuffer_free(in);
  evbuffer_free(out);
  x_free(c);
  free(data);
}
END_TEST

START_TEST(test_detect_and_names)
{
  uint8_t in[64];
  size_t n = unhex(HELLO_ZLIB, in, sizeof(in));
  ck_assert_int_eq(compress_detect_method(in, n), COMPRESS_ZLIB);
  n = unhex(ONION_ZLIB9, in, sizeof(in));
  ck_assert_int_eq(compress_detect_method(in, n), COMPRESS_ZLIB);
  n = unhex(HELLO_GZIP, in, sizeof(in));
  ck_assert_int_eq(compress_detect_method(in, n), COMPRESS_GZIP);
  ck_assert_int_eq(compress_detect_method((const uint8_t *)"onion-key\n", 10), COMPRESS_IDENTITY);
  ck_assert_int_eq(compress_detect_method((const uint8_t *)"x", 1), COMPRESS_IDENTITY);
  ck_assert_int_eq(compress_detect_method(NULL, 0), COMPRESS_IDENTITY);
  ck_assert_int_eq(compress_detect_method((const uint8_t *)"\x78\x9d", 2), COMPRESS_IDENTITY);
  ck_assert_str_eq(compress_method_to_string(COMPRESS_ZLIB), "zlib");
  ck_assert_str_eq(compress_method_to_string(COMPRESS_GZIP), "gzip");
  ck_assert_str_eq(compress_method_to_string(COMPRESS_IDENTITY), "identity");
  ck_assert_str_eq(compress_result_to_string(COMPRESS_BOMB), "compression bomb");
  ck_assert_str_eq(compress_result_to_string(COMPRESS_TOO_LARGE), "too large");
  compress_inflater_free(NULL);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("lib_compress");
  TESTUTIL_ADD(s, test_known_answers, 30);
  TESTUTIL_ADD(s, test_roundtrip_pieces, 120);
  TESTUTIL_ADD(s, test_truncated_corrupt_trailing, 30);
  TESTUTIL_ADD(s, test_output_cap, 30);
  TESTUTIL_ADD(s, test_bomb, 60);
  TESTUTIL_ADD(s, test_feed_evbuffer, 30);
  TESTUTIL_ADD(s, test_detect_and_names, 30);
  return s;
}
