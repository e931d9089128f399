/* fuzz_http_response.c — HTTP response heads (bytes and evbuffer forms must
 * agree; NEED_MORE drains nothing; DONE drains exactly the head, and every
 * shorter prefix of a good head is NEED_MORE), the Content-Encoding mapper,
 * and the request builder with the input as path. */
#include "../fuzz_common.h"

#include <event2/buffer.h>

#include "proto/http/http.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  http_response_t r, r2;
  size_t head_len;
  parse_result_t res = http_response_parse_bytes(data, size, &r, &head_len);
  if (res == PARSE_DONE) {
    FUZZ_CHECK(head_len >= 4 && head_len <= size && head_len <= HTTP_MAX_HEAD_SIZE);
    FUZZ_CHECK(r.status >= 100 && r.status <= 599);
    FUZZ_CHECK(memchr(r.reason, '\0', sizeof(r.reason)) && memchr(r.date, '\0', sizeof(r.date)));
    size_t h2;
    FUZZ_CHECK(http_response_parse_bytes(data, head_len - 1, &r2, &h2) == PARSE_NEED_MORE);
    FUZZ_CHECK(http_response_parse_bytes(data, head_len / 2, &r2, &h2) == PARSE_NEED_MORE);
  } else {
    FUZZ_CHECK(head_len == 0);
  }

  struct evbuffer *b = evbuffer_new();
  /* fed in two pieces, as a connection would see it */
  size_t cut = size / 3;
  evbuffer_add(b, data, cut);
  parse_result_t first = http_response_parse(b, &r2);
  if (first == PARSE_NEED_MORE)
    FUZZ_CHECK(evbuffer_get_length(b) == cut);
  if (first != PARSE_DONE) {
    evbuffer_add(b, data + cut, size - cut);
    parse_result_t second = http_response_parse(b, &r2);
    if (first == PARSE_NEED_MORE) {
      FUZZ_CHECK(second == res);
      if (second == PARSE_DONE) {
        FUZZ_CHECK(evbuffer_get_length(b) == size - head_len);
        FUZZ_CHECK(r2.status == r.status && r2.encoding == r.encoding &&
                   r2.content_length == r.content_length && !strcmp(r2.reason, r.reason));
      } else {
        FUZZ_CHECK(evbuffer_get_length(b) == size);
      }
    }
  }
  evbuffer_free(b);

  int unknown;
  compress_method_t m = http_content_encoding_parse((const char *)data, size, &unknown);
  FUZZ_CHECK(!unknown || m == COMPRESS_IDENTITY);

  char *path = malloc(size + 1);
  memcpy(path, data, size);
  path[size] = '\0';
  b = evbuffer_new();
  if (http_request_build_get(b, path, "127.0.0.1:7000", 1) == 0) {
    FUZZ_CHECK(evbuffer_get_length(b) > 4 && !memcmp(evbuffer_pullup(b, 4), "GET ", 4));
  } else {
    FUZZ_CHECK(evbuffer_get_length(b) == 0);
  }
  evbuffer_free(b);
  free(path);
  return 0;
}
