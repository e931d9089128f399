/* test_http.c — proto/http: GET requests and response heads.
 * (Lives with the nodedoc tests: the helper H-md owns this directory.)
 * The response heads imitate tor's directory server
 * (dircache.c: write_http_response_header_impl, as protocol-scope §A.8
 * quotes it). */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "proto/http/http.h"
#include "testutil.h"

static char *
drain_string(struct evbuffer *b)
{
  size_t n = evbuffer_get_length(b);
  char *s = calloc(1, n + 1);
  evbuffer_remove(b, s, n);
  return s;
}

START_TEST(test_build_get)
{
  struct evbuffer *b = evbuffer_new();
  ck_assert_int_eq(http_request_build_get(b, "/tor/status-vote/current/consensus-microdesc",
                                          "127.0.0.1:7010", 1), 0);
  char *s = drain_string(b);
  ck_assert_str_eq(s, "GET /tor/status-vote/current/consensus-microdesc HTTP/1.0\r\n"
                      "Host: 127.0.0.1:7010\r\n"
                      "Accept-Encoding: deflate, identity\r\n"
                      "\r\n");
  free(s);
  ck_assert_int_eq(http_request_build_get(b, "/tor/keys/all.z", NULL, 0), 0);
  s = drain_string(b);
  ck_assert_str_eq(s, "GET /tor/keys/all.z HTTP/1.0\r\n\r\n");
  free(s);

  static const char *bad_paths[] = { "", "tor/keys/all", "/a b", "/a\r\nX: y", "/\x7f",
                                     "/caf\xc3\xa9", "/a\tb" };
  for (size_t i = 0; i < sizeof(bad_paths) / sizeof(bad_paths[0]); i++)
    ck_assert_int_eq(http_request_build_get(b, bad_paths[i], "h", 1), -1);
  ck_assert_int_eq(http_request_build_get(b, NULL, "h", 1), -1);
  ck_assert_int_eq(http_request_build_get(b, "/", "a b", 1), -1);
  ck_assert_int_eq(http_request_build_get(b, "/", "", 1), -1);
  ck_assert_int_eq(http_request_build_get(b, "/", "h\r\n", 1), -1);
  char *longp = malloc(HTTP_MAX_PATH_LEN + 2);
  memset(longp, 'a', HTTP_MAX_PATH_LEN + 1);
  longp[0] = '/';
  longp[HTTP_MAX_PATH_LEN + 1] = '\0';
  ck_assert_int_eq(http_request_build_get(b, longp, "h", 1), -1);
  longp[HTTP_MAX_PATH_LEN] = '\0';
  ck_assert_int_eq(http_request_build_get(b, longp, "h", 1), 0);
  evbuffer_drain(b, evbuffer_get_length(b));
  free(longp);
  ck_assert_uint_eq(evbuffer_get_length(b), 0); /* the failures appended nothing */
  evbuffer_free(b);
}
END_TEST

static const char TOR_HEAD[] =
  "HTTP/1.0 200 OK\r\n"
  "Date: Sun, 29 Nov 2026 13:31:45 GMT\r\n"
  "Content-Type: text/plain\r\n"
  "X-Your-Address-Is: 127.0.0.1\r\n"
  "Content-Encoding: deflate\r\n"
  "Expires: Sun, 29 Nov 2026 13:32:20 GMT\r\n"
  "\r\n";

START_TEST(test_tor_response)
{
  struct evbuffer *b = evbuffer_new();
  http_response_t r;
  /* fed a byte at a time: NEED_MORE and nothing drained until the end */
  for (size_t i = 0; i + 1 < sizeof(TOR_HEAD) - 1; i++) {
    evbuffer_add(b, TOR_HEAD + i, 1);
    ck_assert_int_eq(http_response_parse(b, &r), PARSE_NEED_MORE);
    ck_assert_uint_eq(evbuffer_get_length(b), i + 1);
  }
  evbuffer_add(b, TOR_HEAD + sizeof(TOR_HEAD) - 2, 1);
  evbuffer_add(b, "\x78\x9c body", 7);
  ck_assert_int_eq(http_response_parse(b, &r), PARSE_DONE);
  ck_assert_int_eq(r.status, 200);
  ck_assert_int_eq(r.minor, 0);
  ck_assert_str_eq(r.reason, "OK");
  ck_assert_int_eq(r.encoding, COMPRESS_ZLIB);
  ck_assert_int_eq(r.encoding_unknown, 0);
  ck_assert_int_eq(r.has_content_length, 0);
  ck_assert_str_eq(r.date, "Sun, 29 Nov 2026 13:31:45 GMT");
  /* the body stays */
  ck_assert_uint_eq(evbuffer_get_length(b), 7);
  ck_assert_int_eq(memcmp(evbuffer_pullup(b, -1), "\x78\x9c body", 7), 0);
  evbuffer_free(b);
}
END_TEST

static parse_result_t
parse_str(const char *s, http_response_t *r, size_t *head_len)
{
  return http_response_parse_bytes((const uint8_t *)s, strlen(s), r, head_len);
}

START_TEST(test_statuses_and_headers)
{
  http_response_t r;
  size_t hl;
  ck_assert_int_eq(parse_str("HTTP/1.0 404 Not found\r\n\r\n", &r, &hl), PARSE_DONE);
  ck_assert_int_eq(r.status, 404);
  ck_assert_str_eq(r.reason, "Not found");
  ck_assert_int_eq(r.encoding, COMPRESS_IDENTITY);
  ck_assert_uint_eq(hl, 26);

  ck_assert_int_eq(parse_str("HTTP/1.1 503 Directory busy, try again later\r\n"
                             "Content-Length: 0\r\n\r\n", &r, &hl), PARSE_DONE);
  ck_assert_int_eq(r.minor, 1);
  ck_assert_int_eq(r.status, 503);
  ck_assert_str_eq(r.reason, "Directory busy, try again later");
  ck_assert_int_eq(r.has_content_length, 1);
  ck_assert_uint_eq(r.content_length, 0);

  ck_assert_int_eq(parse_str("HTTP/1.0 200\r\ncontent-length:  1234567 \r\n"
                             "CONTENT-ENCODING: identity\r\nX: \r\n\r\n", &r, &hl), PARSE_DONE);
  ck_assert_str_eq(r.reason, "");
  ck_assert_uint_eq(r.content_length, 1234567);
  ck_assert_int_eq(r.encoding, COMPRESS_IDENTITY);
  ck_assert_int_eq(r.encoding_unknown, 0);

  /* the same length twice is fine; two lengths are not */
  ck_assert_int_eq(parse_str("HTTP/1.0 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
                             &r, &hl), PARSE_DONE);
  ck_assert_int_eq(parse_str("HTTP/1.0 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                             &r, &hl), PARSE_INVALID);

  /* unknown compressions are identity, flagged */
  ck_assert_int_eq(parse_str("HTTP/1.0 200 OK\r\nContent-Encoding: x-tor-lzma\r\n\r\n", &r, &hl),
                   PARSE_DONE);
  ck_assert_int_eq(r.encoding, COMPRESS_IDENTITY);
  ck_assert_int_eq(r.encoding_unknown, 1);
  ck_assert_int_eq(parse_str("HTTP/1.0 200 OK\r\nContent-Encoding: gzip\r\n\r\n", &r, &hl),
                   PARSE_DONE);
  ck_assert_int_eq(r.encoding, COMPRESS_GZIP);
  /* a folded continuation line is ignored */
  ck_assert_int_eq(parse_str("HTTP/1.0 200 OK\r\nX-Long: a\r\n  b\r\n\r\n", &r, &hl), PARSE_DONE);
}
END_TEST

START_TEST(test_content_encoding_names)
{
  static const struct { const char *v; compress_method_t m; int unknown; } cases[] = {
    { "identity", COMPRESS_IDENTITY, 0 }, { "", COMPRESS_IDENTITY, 0 },
    { "  ", COMPRESS_IDENTITY, 0 },      { "deflate", COMPRESS_ZLIB, 0 },
    { "Deflate", COMPRESS_ZLIB, 0 },     { "x-deflate", COMPRESS_ZLIB, 0 },
    { "x-zlib", COMPRESS_ZLIB, 0 },      { " gzip ", COMPRESS_GZIP, 0 },
    { "x-gzip", COMPRESS_GZIP, 0 },      { "x-zstd", COMPRESS_IDENTITY, 1 },
    { "x-tor-lzma", COMPRESS_IDENTITY, 1 }, { "deflate2", COMPRESS_IDENTITY, 1 },
    { "br", COMPRESS_IDENTITY, 1 },
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    int unknown = -1;
    ck_assert_int_eq(http_content_encoding_parse(cases[i].v, strlen(cases[i].v), &unknown),
                     cases[i].m);
    ck_assert_int_eq(unknown, cases[i].unknown);
  }
  ck_assert_int_eq(http_content_encoding_parse("gzip", 4, NULL), COMPRESS_GZIP);
}
END_TEST

START_TEST(test_malformed)
{
  static const char *bad[] = {
    "HTTP/2 200 OK\r\n\r\n",
    "HTTP/1.0 99 Low\r\n\r\n",
    "HTTP/1.0 600 High\r\n\r\n",
    "HTTP/1.0 200OK\r\n\r\n",
    "HTTP/1.0 2x0 OK\r\n\r\n",
    "HTTP/1.0  200 OK\r\n\r\n",
    "HTTP/1.x 200 OK\r\n\r\n",
    "HTTP/1.0 200 O\x01K\r\n\r\n",
    "\r\n\r\n",
    "HTTP/1.0 200 OK\r\nNo colon here\r\n\r\n",
    "HTTP/1.0 200 OK\r\n: empty name\r\n\r\n",
    "HTTP/1.0 200 OK\r\nContent-Length : 5\r\n\r\n",
    "HTTP/1.0 200 OK\r\nContent-Length: -5\r\n\r\n",
    "HTTP/1.0 200 OK\r\nContent-Length: 5x\r\n\r\n",
    "HTTP/1.0 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
    "HTTP/1.0 200 OK\r\nContent-Length: \r\n\r\n",
    "HTTP/1.0 200 OK\r\nX: a\nb\r\n\r\n",
    "GET / HTTP/1.0\r\n\r\n",
  };
  http_response_t r;
  size_t hl;
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    ck_assert_msg(parse_str(bad[i], &r, &hl) == PARSE_INVALID, "accepted #%d", (int)i);
    ck_assert_int_eq(r.status, 0);
    ck_assert_uint_eq(hl, 0);
  }
  /* a NUL inside the head */
  static const char nul[] = "HTTP/1.0 200 OK\r\nX: a\0b\r\n\r\n";
  ck_assert_int_eq(http_response_parse_bytes((const uint8_t *)nul, sizeof(nul) - 1, &r, &hl),
                   PARSE_INVALID);
  /* prefixes that cannot become a status line fail at once */
  ck_assert_int_eq(parse_str("GET", &r, &hl), PARSE_INVALID);
  ck_assert_int_eq(parse_str("<html>", &r, &hl), PARSE_INVALID);
  ck_assert_int_eq(parse_str("HTTP/1", &r, &hl), PARSE_NEED_MORE);
  ck_assert_int_eq(parse_str("", &r, &hl), PARSE_NEED_MORE);
}
END_TEST

START_TEST(test_caps)
{
  http_response_t r;
  struct evbuffer *b = evbuffer_new();
  /* HTTP_MAX_HEADERS headers pass, one more does not */
  evbuffer_add_printf(b, "HTTP/1.0 200 OK\r\n");
  for (int i = 0; i < HTTP_MAX_HEADERS; i++)
    evbuffer_add_printf(b, "X-%d: %d\r\n", i, i);
  struct evbuffer *b2 = evbuffer_new();
  evbuffer_add_buffer_reference(b2, b);
  evbuffer_add_printf(b, "\r\n");
  ck_assert_int_eq(http_response_parse(b, &r), PARSE_DONE);
  ck_assert_uint_eq(evbuffer_get_length(b), 0);
  evbuffer_add_printf(b2, "X-one-more: 1\r\n\r\n");
  size_t before = evbuffer_get_length(b2);
  ck_assert_int_eq(http_response_parse(b2, &r), PARSE_INVALID);
  ck_assert_uint_eq(evbuffer_get_length(b2), before); /* nothing drained */
  evbuffer_free(b2);

  /* a head without an end: NEED_MORE below the cap, INVALID at it */
  evbuffer_add_printf(b, "HTTP/1.0 200 OK\r\nX: ");
  while (evbuffer_get_length(b) < HTTP_MAX_HEAD_SIZE - 1)
    evbuffer_add(b, "a", 1);
  ck_assert_int_eq(http_response_parse(b, &r), PARSE_NEED_MORE);
  evbuffer_add(b, "a", 1);
  ck_assert_int_eq(http_response_parse(b, &r), PARSE_INVALID);
  evbuffer_drain(b, evbuffer_get_length(b));

  /* a head that ends exactly at the cap passes; one byte more does not */
  evbuffer_add_printf(b, "HTTP/1.0 200 OK\r\nX: ");
  while (evbuffer_get_length(b) < HTTP_MAX_HEAD_SIZE - 4)
    evbuffer_add(b, "a", 1);
  evbuffer_add(b, "\r\n\r\nbody", 8);
  ck_assert_int_eq(http_response_parse(b, &r), PARSE_DONE);
  ck_assert_uint_eq(evbuffer_get_length(b), 4);
  evbuffer_drain(b, 4);
  evbuffer_add_printf(b, "HTTP/1.0 200 OK\r\nX: ");
  while (evbuffer_get_length(b) < HTTP_MAX_HEAD_SIZE - 3)
    evbuffer_add(b, "a", 1);
  evbuffer_add(b, "\r\n\r\nbody", 8);
  ck_assert_int_eq(http_response_parse(b, &r), PARSE_INVALID);
  evbuffer_free(b);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("proto_http");
  TESTUTIL_ADD(s, test_build_get, 30);
  TESTUTIL_ADD(s, test_tor_response, 30);
  TESTUTIL_ADD(s, test_statuses_and_headers, 30);
  TESTUTIL_ADD(s, test_content_encoding_names, 30);
  TESTUTIL_ADD(s, test_malformed, 30);
  TESTUTIL_ADD(s, test_caps, 30);
  return s;
}
