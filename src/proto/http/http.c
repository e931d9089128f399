/* http.c — HTTP/1.0 GET requests and response heads for directory fetches. */
#include "proto/http/http.h"

#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "lib/log.h"

/** 1 if s (n bytes) is non-empty, at most max bytes, and only printable
 *  ASCII other than space. */
static int
is_request_token(const char *s, size_t max)
{
  if (!s)
    return 0;
  size_t n = strlen(s);
  if (n == 0 || n > max)
    return 0;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
      return 0;
  return 1;
}

int
http_request_build_get(struct evbuffer *out, const char *path, const char *host,
                       int accept_deflate)
{
  if (!is_request_token(path, HTTP_MAX_PATH_LEN) || path[0] != '/')
    return -1;
  if (host && !is_request_token(host, HTTP_MAX_HOST_LEN))
    return -1;
  struct evbuffer *tmp = evbuffer_new();
  if (!tmp)
    return -1;
  int bad = evbuffer_add_printf(tmp, "GET %s HTTP/1.0\r\n", path) < 0;
  if (host)
    bad |= evbuffer_add_printf(tmp, "Host: %s\r\n", host) < 0;
  if (accept_deflate)
    bad |= evbuffer_add_printf(tmp, "Accept-Encoding: deflate, identity\r\n") < 0;
  bad |= evbuffer_add(tmp, "\r\n", 2) < 0;
  if (!bad)
    bad = evbuffer_add_buffer(out, tmp) < 0;
  evbuffer_free(tmp);
  return bad ? -1 : 0;
}

static char
lower(char c)
{
  return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/** 1 if s[0..n) equals the lower-case word w, ignoring case. */
static int
eq_nocase(const char *s, size_t n, const char *w)
{
  if (strlen(w) != n)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (lower(s[i]) != w[i])
      return 0;
  return 1;
}

static int
is_blank(char c)
{
  return c == ' ' || c == '\t';
}

/** Trim blanks from both ends of s[0..*n); returns the new start. */
static const char *
trim(const char *s, size_t *n)
{
  while (*n > 0 && is_blank(s[0])) {
    s++;
    (*n)--;
  }
  while (*n > 0 && is_blank(s[*n - 1]))
    (*n)--;
  return s;
}

compress_method_t
http_content_encoding_parse(const char *value, size_t len, int *unknown)
{
  const char *v = trim(value, &len);
  if (unknown)
    *unknown = 0;
  if (len == 0 || eq_nocase(v, len, "identity"))
    return COMPRESS_IDENTITY;
  if (eq_nocase(v, len, "deflate") || eq_nocase(v, len, "x-deflate") ||
      eq_nocase(v, len, "x-zlib"))
    return COMPRESS_ZLIB;
  if (eq_nocase(v, len, "gzip") || eq_nocase(v, len, "x-gzip"))
    return COMPRESS_GZIP;
  if (unknown)
    *unknown = 1;
  return COMPRESS_IDENTITY;
}

static int
is_digit(char c)
{
  return c >= '0' && c <= '9';
}

/** Parse "HTTP/1.x NNN[ reason]" (n bytes, no CRLF) into out.  0 or -1. */
static int
parse_status_line(const char *s, size_t n, http_response_t *out)
{
  if (n < 12 || memcmp(s, "HTTP/1.", 7) || !is_digit(s[7]) || s[8] != ' ')
    return -1;
  out->minor = s[7] - '0';
  if (!is_digit(s[9]) || !is_digit(s[10]) || !is_digit(s[11]))
    return -1;
  out->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
  if (out->status < 100 || out->status > 599)
    return -1;
  if (n == 12)
    return 0;
  if (s[12] != ' ')
    return -1;
  size_t r = 0;
  for (size_t i = 13; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 && c != '\t')
      return -1;
    if (r + 1 < sizeof(out->reason))
      out->reason[r++] = (c >= 0x7f || c == '\t') ? '?' : (char)c;
  }
  out->reason[r] = '\0';
  return 0;
}

static int
is_token_char(char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) ||
         (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/** Parse a Content-Length value.  0 or -1. */
static int
parse_content_length(const char *v, size_t n, uint64_t *out)
{
  uint64_t x = 0;
  if (n == 0 || n > 19)
    return -1;
  for (size_t i = 0; i < n; i++) {
    if (!is_digit(v[i]))
      return -1;
    x = x * 10 + (uint64_t)(v[i] - '0');
  }
  *out = x;
  return 0;
}

/** Parse one header line s[0..n) (no CRLF) into out.  0 or -1. */
static int
parse_header_line(const char *s, size_t n, http_response_t *out)
{
  if (n > 0 && is_blank(s[0]))
    return 0; /* an obsolete folded continuation: ignored */
  size_t colon = 0;
  while (colon < n && is_token_char(s[colon]))
    colon++;
  if (colon == 0 || colon == n || s[colon] != ':')
    return -1;
  size_t vlen = n - colon - 1;
  const char *v = trim(s + colon + 1, &vlen);
  for (size_t i = 0; i < vlen; i++)
    if ((unsigned char)v[i] < 0x20 && v[i] != '\t')
      return -1;
  if (eq_nocase(s, colon, "content-encoding")) {
    out->encoding = http_content_encoding_parse(v, vlen, &out->encoding_unknown);
  } else if (eq_nocase(s, colon, "content-length")) {
    uint64_t cl;
    if (parse_content_length(v, vlen, &cl) < 0)
      return -1;
    if (out->has_content_length && out->content_length != cl)
      return -1; /* two different lengths */
    out->has_content_length = 1;
    out->content_length = cl;
  } else if (eq_nocase(s, colon, "date")) {
    size_t m = vlen < sizeof(out->date) - 1 ? vlen : sizeof(out->date) - 1;
    memcpy(out->date, v, m);
    out->date[m] = '\0';
  }
  return 0;
}

/** Offset of the first CRLFCRLF in d[0..n), or n if none. */
static size_t
find_head_end(const uint8_t *d, size_t n)
{
  for (size_t i = 0; i + 4 <= n; i++)
    if (d[i] == '\r' && d[i + 1] == '\n' && d[i + 2] == '\r' && d[i + 3] == '\n')
      return i;
  return n;
}

/** Parse the head d[0..end) (end = the offset of CRLFCRLF).  0 or -1. */
static int
parse_head(const char *d, size_t end, http_response_t *out)
{
  size_t pos = 0, n_headers = 0;
  int first = 1;
  while (pos <= end) {
    /* d[end..end+4) is CRLFCRLF, so the search stops at end at the latest */
    size_t eol = pos;
    while (eol < end && !(d[eol] == '\r' && d[eol + 1] == '\n'))
      eol++;
    if (memchr(d + pos, '\0', eol - pos))
      return -1;
    if (first) {
      if (parse_status_line(d + pos, eol - pos, out) < 0)
        return -1;
      first = 0;
    } else {
      if (++n_headers > HTTP_MAX_HEADERS)
        return -1;
      if (parse_header_line(d + pos, eol - pos, out) < 0)
        return -1;
    }
    pos = eol + 2;
  }
  return 0;
}

parse_result_t
http_response_parse_bytes(const uint8_t *data, size_t len, http_response_t *out,
                          size_t *head_len)
{
  memset(out, 0, sizeof(*out));
  *head_len = 0;
  size_t scan = len < HTTP_MAX_HEAD_SIZE ? len : HTTP_MAX_HEAD_SIZE;
  size_t end = find_head_end(data, scan);
  if (end == scan) {
    if (len >= HTTP_MAX_HEAD_SIZE)
      return PARSE_INVALID;
    /* A prefix that can never become a status line fails early. */
    size_t k = len < 7 ? len : 7;
    if (memcmp(data, "HTTP/1.", k))
      return PARSE_INVALID;
    return PARSE_NEED_MORE;
  }
  if (parse_head((const char *)data, end, out) < 0) {
    memset(out, 0, sizeof(*out));
    return PARSE_INVALID;
  }
  *head_len = end + 4;
  return PARSE_DONE;
}

parse_result_t
http_response_parse(struct evbuffer *in, http_response_t *out)
{
  size_t len = evbuffer_get_length(in);
  size_t want = len < HTTP_MAX_HEAD_SIZE ? len : HTTP_MAX_HEAD_SIZE;
  const uint8_t *d = want ? evbuffer_pullup(in, (ev_ssize_t)want) : (const uint8_t *)"";
  size_t head_len;
  if (!d) {
    memset(out, 0, sizeof(*out));
    return PARSE_INVALID;
  }
  /* Show the parser at most the capped prefix; it reports INVALID when
   * that prefix is full and holds no CRLFCRLF. */
  parse_result_t r = http_response_parse_bytes(d, want, out, &head_len);
  if (r == PARSE_NEED_MORE && len >= HTTP_MAX_HEAD_SIZE)
    r = PARSE_INVALID;
  if (r == PARSE_DONE)
    evbuffer_drain(in, head_len);
  else if (r == PARSE_INVALID)
    log_protocol_warn(LD_PROTOCOL, "Malformed or oversized HTTP response head from a "
                      "directory server");
  return r;
}
