/* http.h — the HTTP/1.0 a directory client speaks (dir-spec §4.3, App. B):
 * GET requests, and the head of a response ("HTTP/1.0 200 OK\r\n" headers
 * "\r\n\r\n").  The body follows the head and ends at connection close (a
 * DirPort) or at the stream's END (BEGIN_DIR); it is the caller's.
 *
 * Pure: no connection; the response parser reads a struct evbuffer (or
 * plain bytes) and drains only a complete head. */
#ifndef EVONION_PROTO_HTTP_HTTP_H
#define EVONION_PROTO_HTTP_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "lib/compress/compress.h"
#include "lib/parse.h"

struct evbuffer;

/** A response head longer than this (status line, headers, CRLFCRLF) is
 *  refused; tor's directory servers send a few hundred bytes. */
#define HTTP_MAX_HEAD_SIZE 16384
/** At most this many header lines. */
#define HTTP_MAX_HEADERS 64
/** Paths and hosts longer than this are refused by the request builder. */
#define HTTP_MAX_PATH_LEN 8192
#define HTTP_MAX_HOST_LEN 256

typedef struct http_response_t {
  int minor;                  /**< HTTP/1.<minor> (0 or 1 in practice) */
  int status;                 /**< 100..599 */
  char reason[128];           /**< printable ASCII, truncated; may be empty */
  compress_method_t encoding; /**< from Content-Encoding (identity if absent) */
  int encoding_unknown;       /**< 1: Content-Encoding named something else;
                                   encoding is then identity (protocol-scope
                                   §A.8) and compress_detect_method may help */
  int has_content_length;     /**< 1 if Content-Length was given */
  uint64_t content_length;
  char date[64];              /**< the Date header as sent (truncated), or "" */
} http_response_t;

/** Append to out a GET request for path (which starts with '/') in
 *  HTTP/1.0, with a Host header if host is not NULL and "Accept-Encoding:
 *  deflate, identity" if accept_deflate, then the empty line.  Returns 0,
 *  or -1 (nothing appended) if path or host is empty, too long, or holds a
 *  space, a control byte or a non-ASCII byte. */
int http_request_build_get(struct evbuffer *out, const char *path, const char *host,
                           int accept_deflate);

/** Parse a response head from data[0..len).  PARSE_DONE: *out is filled
 *  and *head_len is the head's length (through CRLFCRLF); PARSE_NEED_MORE:
 *  no CRLFCRLF yet and len is under the cap; PARSE_INVALID: malformed or
 *  over a cap.  *out is zeroed first in every case. */
parse_result_t http_response_parse_bytes(const uint8_t *data, size_t len, http_response_t *out,
                                         size_t *head_len);

/** The same from the front of in; on PARSE_DONE the head is drained from
 *  in (the body, if any, stays); otherwise nothing is drained. */
parse_result_t http_response_parse(struct evbuffer *in, http_response_t *out);

/** Map a Content-Encoding value (len bytes, surrounding blanks allowed,
 *  case-insensitive): "identity" or "" -> identity, "deflate" / "x-deflate"
 *  / "x-zlib" -> zlib, "gzip" / "x-gzip" -> gzip.  Anything else is
 *  identity with *unknown set to 1 (else 0; unknown may be NULL). */
compress_method_t http_content_encoding_parse(const char *value, size_t len, int *unknown);

#endif
