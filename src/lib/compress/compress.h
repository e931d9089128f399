/* compress.h — inflate directory bodies (zlib, gzip, identity) with hard
 * limits, and deflate for tests.
 *
 * dir-spec's "deflate" (Content-Encoding: deflate, x-zlib, URLs ending in
 * ".z") is the zlib format of RFC 1950, not raw RFC 1951 data.
 *
 * Every inflater has two guards: a hard cap on the total output, and a cap
 * on the output/input ratio (a zip-bomb guard), checked once the output has
 * passed COMPRESS_RATIO_CHECK_AFTER bytes so that small, very compressible
 * documents still pass.  Output goes into a caller's evbuffer; a one-shot
 * helper returns a heap buffer instead. */
#ifndef EVONION_LIB_COMPRESS_COMPRESS_H
#define EVONION_LIB_COMPRESS_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

struct evbuffer;

typedef enum compress_method_t {
  COMPRESS_IDENTITY = 0,  /**< no compression: bytes pass through */
  COMPRESS_ZLIB,          /**< RFC 1950 (what tor calls "deflate") */
  COMPRESS_GZIP,          /**< RFC 1952 */
} compress_method_t;

typedef enum compress_result_t {
  COMPRESS_DONE = 0,       /**< the stream ended cleanly (all its input used) */
  COMPRESS_NEED_MORE = 1,  /**< all input used; the stream has not ended yet */
  COMPRESS_INVALID = -1,   /**< corrupt or truncated data, or bytes after the end */
  COMPRESS_TOO_LARGE = -2, /**< the output would pass the cap */
  COMPRESS_BOMB = -3,      /**< the output/input ratio passed the cap */
} compress_result_t;

/** tor's limit on the compression ratio of what it receives. */
#define COMPRESS_DEFAULT_MAX_RATIO 25
/** The ratio is checked only once this much output has been produced. */
#define COMPRESS_RATIO_CHECK_AFTER (64 * 1024)

typedef struct compress_inflater_t compress_inflater_t;

/** A new streaming inflater for method that refuses to produce more than
 *  max_out bytes or (past COMPRESS_RATIO_CHECK_AFTER bytes of output) more
 *  than max_ratio bytes out per byte in (0: no ratio check).  Free with
 *  compress_inflater_free. */
compress_inflater_t *compress_inflater_new(compress_method_t method, size_t max_out,
                                           unsigned max_ratio);

/** Feed len bytes of input; what they decode to is appended to out.
 *  Returns COMPRESS_NEED_MORE (feed more, or call _finish at the end of
 *  the input), COMPRESS_DONE (the compressed stream ended; for identity
 *  never), or an error; after an error or DONE, further non-empty input is
 *  COMPRESS_INVALID.  On an error, out may hold partial output. */
compress_result_t compress_inflater_feed(compress_inflater_t *z, const uint8_t *in, size_t len,
                                         struct evbuffer *out);

/** Feed everything in `in` (draining it) as compress_inflater_feed does
 *  with its bytes; the result is that of the last piece fed (or of an
 *  empty feed if in is empty).  On an error, in is drained anyway. */
compress_result_t compress_inflater_feed_evbuffer(compress_inflater_t *z, struct evbuffer *in,
                                                  struct evbuffer *out);

/** The input has ended: COMPRESS_DONE if what was fed is complete
 *  (identity: always, unless an error came first), else COMPRESS_INVALID
 *  (a truncated stream) or the error already returned. */
compress_result_t compress_inflater_finish(compress_inflater_t *z);

/** Bytes consumed / produced so far. */
size_t compress_inflater_total_in(const compress_inflater_t *z);
size_t compress_inflater_total_out(const compress_inflater_t *z);

/** Free z (NULL is fine). */
void compress_inflater_free(compress_inflater_t *z);

/** One shot: inflate in[0..len) (which must be the whole stream) with the
 *  caps above.  On COMPRESS_DONE, *out is a new buffer of *out_len bytes
 *  plus a NUL (free with x_free); else *out is NULL and *out_len 0. */
compress_result_t compress_inflate_buf(compress_method_t method, const uint8_t *in, size_t len,
                                       size_t max_out, unsigned max_ratio, uint8_t **out,
                                       size_t *out_len);

/** Compress in[0..len) with method at zlib level 1..9 (identity copies).
 *  *out is a new buffer (free with x_free).  Returns 0, or -1 if zlib
 *  failed (then *out is NULL). */
int compress_deflate_buf(compress_method_t method, int level, const uint8_t *in, size_t len,
                         uint8_t **out, size_t *out_len);

/** Guess a body's format from its first bytes (as tor does when a server's
 *  Content-Encoding looks wrong): COMPRESS_GZIP for 1f 8b, COMPRESS_ZLIB for
 *  a valid zlib header (CM 8, header check), else COMPRESS_IDENTITY. */
compress_method_t compress_detect_method(const uint8_t *in, size_t len);

/** "identity", "zlib", "gzip" ("?" for anything else). */
const char *compress_method_to_string(compress_method_t method);

/** "done", "need more", "invalid", "too large", "compression bomb". */
const char *compress_result_to_string(compress_result_t r);

#endif
