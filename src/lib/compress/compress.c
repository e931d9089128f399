/* compress.c — zlib/gzip inflate with output and ratio caps; deflate. */
#include "lib/compress/compress.h"

#include <string.h>

#include <event2/buffer.h>
#include <zlib.h>

#include "lib/alloc.h"
#include "lib/log.h"

/** Output is produced in pieces of at most this size. */
#define INFLATE_CHUNK 16384
/** zlib's windowBits: 15 plus 16 for gzip. */
#define WBITS_ZLIB 15
#define WBITS_GZIP (15 + 16)

struct compress_inflater_t {
  compress_method_t method;
  size_t max_out;
  unsigned max_ratio;
  size_t total_in, total_out;
  int zinit;                     /**< stream initialised (inflateEnd needed) */
  int ended;                     /**< the stream's end was seen */
  compress_result_t error;       /**< first error, or COMPRESS_NEED_MORE */
  z_stream zs;
};

compress_inflater_t *
compress_inflater_new(compress_method_t method, size_t max_out, unsigned max_ratio)
{
  compress_inflater_t *z = x_calloc(1, sizeof(*z));
  z->method = method;
  z->max_out = max_out;
  z->max_ratio = max_ratio;
  z->error = COMPRESS_NEED_MORE;
  if (method == COMPRESS_ZLIB || method == COMPRESS_GZIP) {
    int wbits = method == COMPRESS_GZIP ? WBITS_GZIP : WBITS_ZLIB;
    if (inflateInit2(&z->zs, wbits) != Z_OK) {
      log_warn(LD_GENERAL, "zlib: inflateInit2 failed");
      z->error = COMPRESS_INVALID;
    } else {
      z->zinit = 1;
    }
  } else if (method != COMPRESS_IDENTITY) {
    z->error = COMPRESS_INVALID;
  }
  return z;
}

/** 1 if the output so far is a compression bomb. */
static int
is_bomb(const compress_inflater_t *z)
{
  if (!z->max_ratio || z->total_out <= COMPRESS_RATIO_CHECK_AFTER)
    return 0;
  if (z->total_in == 0)
    return 1;
  return z->total_out / z->total_in > z->max_ratio;
}

static compress_result_t
fail(compress_inflater_t *z, compress_result_t r)
{
  z->error = r;
  return r;
}

static compress_result_t
feed_identity(compress_inflater_t *z, const uint8_t *in, size_t len, struct evbuffer *out)
{
  if (len > z->max_out - z->total_out)
    return fail(z, COMPRESS_TOO_LARGE);
  if (evbuffer_add(out, in, len) < 0)
    return fail(z, COMPRESS_INVALID);
  z->total_in += len;
  z->total_out += len;
  return COMPRESS_NEED_MORE;
}

/** One inflate() call into fresh space of out.  Returns the zlib code, or
 *  Z_MEM_ERROR if out could not grow; *produced is what was written. */
static int
inflate_step(compress_inflater_t *z, struct evbuffer *out, size_t *produced)
{
  size_t room = z->max_out - z->total_out;
  /* One byte beyond the cap, so that passing the cap shows. */
  size_t want = room >= INFLATE_CHUNK ? INFLATE_CHUNK : room + 1;
  struct evbuffer_iovec iov;
  *produced = 0;
  if (evbuffer_reserve_space(out, (ev_ssize_t)want, &iov, 1) < 1)
    return Z_MEM_ERROR;
  if (iov.iov_len > want)
    iov.iov_len = want;
  z->zs.next_out = iov.iov_base;
  z->zs.avail_out = (uInt)iov.iov_len;
  size_t in_before = z->zs.avail_in;
  int rc = inflate(&z->zs, Z_NO_FLUSH);
  *produced = iov.iov_len - z->zs.avail_out;
  z->total_in += in_before - z->zs.avail_in;
  iov.iov_len = *produced;
  evbuffer_commit_space(out, &iov, 1);
  z->total_out += *produced;
  return rc;
}

static compress_result_t
feed_zlib(compress_inflater_t *z, const uint8_t *in, size_t len, struct evbuffer *out)
{
  /* zlib's avail_in is 32-bit: feed huge inputs in slices. */
  while (len > 0) {
    size_t slice = len > (1u << 30) ? (1u << 30) : len;
    z->zs.next_in = (Bytef *)(uintptr_t)in;
    z->zs.avail_in = (uInt)slice;
    for (;;) {
      size_t produced;
      size_t in_before = z->zs.avail_in;
      int rc = inflate_step(z, out, &produced);
      if (z->total_out > z->max_out)
        return fail(z, COMPRESS_TOO_LARGE);
      if (is_bomb(z))
        return fail(z, COMPRESS_BOMB);
      if (rc == Z_STREAM_END) {
        z->ended = 1;
        if (z->zs.avail_in > 0 || slice < len)
          return fail(z, COMPRESS_INVALID); /* bytes after the end */
        return COMPRESS_DONE;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR)
        return fail(z, COMPRESS_INVALID);
      int progress = produced > 0 || z->zs.avail_in != in_before;
      if (z->zs.avail_in == 0 && z->zs.avail_out > 0)
        break;                            /* all used; wants more input */
      if (!progress)
        return fail(z, COMPRESS_INVALID); /* stuck: cannot happen with valid state */
    }
    in += slice;
    len -= slice;
  }
  return COMPRESS_NEED_MORE;
}

compress_result_t
compress_inflater_feed(compress_inflater_t *z, const uint8_t *in, size_t len,
                       struct evbuffer *out)
{
  if (z->error != COMPRESS_NEED_MORE)
    return z->error;
  if (z->ended)
    return len ? fail(z, COMPRESS_INVALID) : COMPRESS_DONE;
  if (len == 0)
    return COMPRESS_NEED_MORE;
  if (z->method == COMPRESS_IDENTITY)
    return feed_identity(z, in, len, out);
  return feed_zlib(z, in, len, out);
}

compress_result_t
compress_inflater_feed_evbuffer(compress_inflater_t *z, struct evbuffer *in, struct evbuffer *out)
{
  compress_result_t r = compress_inflater_feed(z, NULL, 0, out);
  while (evbuffer_get_length(in) > 0) {
    struct evbuffer_iovec v;
    if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
      break;
    r = compress_inflater_feed(z, v.iov_base, v.iov_len, out);
    evbuffer_drain(in, v.iov_len);
    if (r != COMPRESS_NEED_MORE && r != COMPRESS_DONE) {
      evbuffer_drain(in, evbuffer_get_length(in));
      break;
    }
  }
  return r;
}

compress_result_t
compress_inflater_finish(compress_inflater_t *z)
{
  if (z->error != COMPRESS_NEED_MORE)
    return z->error;
  if (z->method == COMPRESS_IDENTITY || z->ended)
    return COMPRESS_DONE;
  return fail(z, COMPRESS_INVALID);
}

size_t
compress_inflater_total_in(const compress_inflater_t *z)
{
  return z->total_in;
}

size_t
compress_inflater_total_out(const compress_inflater_t *z)
{
  return z->total_out;
}

void
compress_inflater_free(compress_inflater_t *z)
{
  if (!z)
    return;
  if (z->zinit)
    inflateEnd(&z->zs);
  x_free(z);
}

compress_result_t
compress_inflate_buf(compress_method_t method, const uint8_t *in, size_t len, size_t max_out,
                     unsigned max_ratio, uint8_t **out, size_t *out_len)
{
  *out = NULL;
  *out_len = 0;
  struct evbuffer *buf = evbuffer_new();
  if (!buf)
    return COMPRESS_INVALID;
  compress_inflater_t *z = compress_inflater_new(method, max_out, max_ratio);
  compress_result_t r = compress_inflater_feed(z, in, len, buf);
  if (r == COMPRESS_NEED_MORE || r == COMPRESS_DONE)
    r = compress_inflater_finish(z);
  compress_inflater_free(z);
  if (r == COMPRESS_DONE) {
    size_t n = evbuffer_get_length(buf);
    *out = x_malloc(n + 1);
    evbuffer_remove(buf, *out, n);
    (*out)[n] = 0;
    *out_len = n;
  }
  evbuffer_free(buf);
  return r;
}

int
compress_deflate_buf(compress_method_t method, int level, const uint8_t *in, size_t len,
                     uint8_t **out, size_t *out_len)
{
  *out = NULL;
  *out_len = 0;
  if (method == COMPRESS_IDENTITY) {
    *out = x_memdup(len ? in : (const uint8_t *)"", len ? len : 1);
    *out_len = len;
    return 0;
  }
  if ((method != COMPRESS_ZLIB && method != COMPRESS_GZIP) || len > (1u << 30))
    return -1;
  z_stream zs;
  memset(&zs, 0, sizeof(zs));
  int wbits = method == COMPRESS_GZIP ? WBITS_GZIP : WBITS_ZLIB;
  if (deflateInit2(&zs, level, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return -1;
  size_t cap = deflateBound(&zs, (uLong)len) + 32; /* gzip header room */
  uint8_t *buf = x_malloc(cap);
  zs.next_in = (Bytef *)(uintptr_t)in;
  zs.avail_in = (uInt)len;
  zs.next_out = buf;
  zs.avail_out = (uInt)cap;
  int rc = deflate(&zs, Z_FINISH);
  size_t n = cap - zs.avail_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    x_free(buf);
    return -1;
  }
  *out = buf;
  *out_len = n;
  return 0;
}

compress_method_t
compress_detect_method(const uint8_t *in, size_t len)
{
  if (len >= 2 && in[0] == 0x1f && in[1] == 0x8b)
    return COMPRESS_GZIP;
  if (len >= 2 && (in[0] & 0x0f) == 8 && (in[0] >> 4) <= 7 && ((in[0] << 8) | in[1]) % 31 == 0)
    return COMPRESS_ZLIB;
  return COMPRESS_IDENTITY;
}

const char *
compress_method_to_string(compress_method_t method)
{
  switch (method) {
  case COMPRESS_IDENTITY: return "identity";
  case COMPRESS_ZLIB: return "zlib";
  case COMPRESS_GZIP: return "gzip";
  }
  return "?";
}

const char *
compress_result_to_string(compress_result_t r)
{
  switch (r) {
  case COMPRESS_DONE: return "done";
  case COMPRESS_NEED_MORE: return "need more";
  case COMPRESS_INVALID: return "invalid";
  case COMPRESS_TOO_LARGE: return "too large";
  case COMPRESS_BOMB: return "compression bomb";
  }
  return "?";
}
