/* fuzz_inflate.c — lib/compress.  Byte 0 picks the method and the output
 * cap, byte 1 the piece size; the rest is inflated both streaming (in
 * pieces) and in one shot, which must agree.  The rest is also deflated and
 * inflated back, which must give it unchanged. */
#include "../fuzz_common.h"

#include <event2/buffer.h>

#include "lib/alloc.h"
#include "lib/compress/compress.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 2)
    return 0;
  compress_method_t m = (compress_method_t)(data[0] % 3);
  size_t cap = (data[0] & 0x80) ? 300 : (1u << 20);
  size_t piece = (size_t)data[1] + 1;
  const uint8_t *in = data + 2;
  size_t n = size - 2;

  uint8_t *one = NULL;
  size_t one_len = 0;
  compress_result_t r1 = compress_inflate_buf(m, in, n, cap, COMPRESS_DEFAULT_MAX_RATIO, &one,
                                              &one_len);
  FUZZ_CHECK((r1 == COMPRESS_DONE) == (one != NULL));
  FUZZ_CHECK(r1 != COMPRESS_NEED_MORE);

  compress_inflater_t *z = compress_inflater_new(m, cap, COMPRESS_DEFAULT_MAX_RATIO);
  struct evbuffer *out = evbuffer_new();
  compress_result_t r = COMPRESS_NEED_MORE;
  for (size_t off = 0; off < n && (r == COMPRESS_NEED_MORE || r == COMPRESS_DONE);) {
    size_t k = n - off < piece ? n - off : piece;
    r = compress_inflater_feed(z, in + off, k, out);
    off += k;
  }
  if (r == COMPRESS_NEED_MORE || r == COMPRESS_DONE)
    r = compress_inflater_finish(z);
  FUZZ_CHECK(compress_inflater_total_out(z) == evbuffer_get_length(out));
  FUZZ_CHECK(evbuffer_get_length(out) <= cap + 1);
  /* the ratio check depends on how much input was consumed when it fired,
   * so only compare outcomes that do not involve it */
  if (r1 != COMPRESS_BOMB && r != COMPRESS_BOMB)
    FUZZ_CHECK(r == r1);
  if (r == COMPRESS_DONE && r1 == COMPRESS_DONE)
    FUZZ_CHECK(one_len == evbuffer_get_length(out) &&
               (one_len == 0 || !memcmp(one, evbuffer_pullup(out, -1), one_len)));
  compress_inflater_free(z);

  /* the same through an input evbuffer filled in pieces */
  struct evbuffer *ein = evbuffer_new(), *eout = evbuffer_new();
  z = compress_inflater_new(m, cap, COMPRESS_DEFAULT_MAX_RATIO);
  compress_result_t re = COMPRESS_NEED_MORE;
  for (size_t off = 0; off < n && (re == COMPRESS_NEED_MORE || re == COMPRESS_DONE);) {
    size_t k = n - off < piece ? n - off : piece;
    evbuffer_add(ein, in + off, k);
    re = compress_inflater_feed_evbuffer(z, ein, eout);
    FUZZ_CHECK(evbuffer_get_length(ein) == 0);
    off += k;
  }
  if (re == COMPRESS_NEED_MORE || re == COMPRESS_DONE)
    re = compress_inflater_finish(z);
  if (r != COMPRESS_BOMB && re != COMPRESS_BOMB)
    FUZZ_CHECK(re == r);
  if (re == COMPRESS_DONE && r == COMPRESS_DONE)
    FUZZ_CHECK(evbuffer_get_length(eout) == evbuffer_get_length(out));
  compress_inflater_free(z);
  evbuffer_free(ein);
  evbuffer_free(eout);
  evbuffer_free(out);
  x_free(one);

  uint8_t *c;
  size_t clen;
  if (compress_deflate_buf(m, 1 + data[1] % 9, in, n, &c, &clen) == 0) {
    FUZZ_CHECK(compress_inflate_buf(m, c, clen, n, 0, &one, &one_len) == COMPRESS_DONE);
    FUZZ_CHECK(one_len == n && (n == 0 || !memcmp(one, in, n)));
    x_free(one);
    x_free(c);
  }
  return 0;
}
