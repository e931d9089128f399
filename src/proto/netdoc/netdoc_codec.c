/* netdoc_codec.c — base64, hex, decimal integers and times of directory
 * documents (declared in netdoc.h). */
#include "proto/netdoc/netdoc.h"

#include <string.h>

static const char b64_alphabet[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The 6-bit value of c, -1 for whitespace to skip, -2 for '=', -3 for anything else. */
static int
b64_value(unsigned char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
    return -1;
  if (c == '=')
    return -2;
  return -3;
}

int
netdoc_base64_decode(const char *s, size_t n, uint8_t *out, size_t outcap, size_t *outlen)
{
  uint32_t acc = 0;
  size_t nbits = 0, o = 0, nchars = 0, npad = 0;
  for (size_t i = 0; i < n; i++) {
    int v = b64_value((unsigned char)s[i]);
    if (v == -1)
      continue;
    if (v == -3)
      return -1;
    if (v == -2) {
      npad++;
      continue;
    }
    if (npad)
      return -1; /* data after padding */
    acc = (acc << 6) | (uint32_t)v;
    nbits += 6;
    nchars++;
    if (nbits >= 8) {
      nbits -= 8;
      if (o >= outcap)
        return -1;
      out[o++] = (uint8_t)(acc >> nbits);
      acc &= (1u << nbits) - 1;
    }
  }
  if (nchars % 4 == 1)
    return -1;
  if (npad && (npad > 2 || (nchars + npad) % 4 != 0))
    return -1;
  *outlen = o;
  return 0;
}

int
netdoc_base64_decode_exact(const char *s, size_t n, uint8_t *out, size_t want)
{
  uint8_t tmp[NETDOC_BASE64_DECODED_MAX(256)];
  size_t got = 0;
  if (n > 256 || want > sizeof(tmp))
    return -1;
  for (size_t i = 0; i < n; i++)
    if (b64_value((unsigned char)s[i]) == -1)
      return -1;
  if (netdoc_base64_decode(s, n, tmp, sizeof(tmp), &got) < 0 || got != want)
    return -1;
  memcpy(out, tmp, want);
  return 0;
}

size_t
netdoc_base64_encode(const uint8_t *in, size_t n, char *out, size_t outcap)
{
  size_t need = (n * 4 + 2) / 3;
  if (outcap < need + 1)
    return (size_t)-1;
  size_t o = 0, i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8) | in[i + 2];
    out[o++] = b64_alphabet[(v >> 18) & 63];
    out[o++] = b64_alphabet[(v >> 12) & 63];
    out[o++] = b64_alphabet[(v >> 6) & 63];
    out[o++] = b64_alphabet[v & 63];
  }
  if (n - i == 1) {
    uint32_t v = (uint32_t)in[i] << 16;
    out[o++] = b64_alphabet[(v >> 18) & 63];
    out[o++] = b64_alphabet[(v >> 12) & 63];
  } else if (n - i == 2) {
    uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8);
    out[o++] = b64_alphabet[(v >> 18) & 63];
    out[o++] = b64_alphabet[(v >> 12) & 63];
    out[o++] = b64_alphabet[(v >> 6) & 63];
  }
  out[o] = '\0';
  return o;
}

static int
hex_value(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

int
netdoc_hex_decode(const char *s, size_t n, uint8_t *out, size_t want)
{
  if (n != 2 * want)
    return -1;
  for (size_t i = 0; i < want; i++) {
    int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return -1;
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  return 0;
}

int
netdoc_parse_uint(const char *s, size_t n, uint64_t max, uint64_t *out)
{
  uint64_t v = 0;
  if (n == 0 || n > 20)
    return -1;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    unsigned d = (unsigned)(s[i] - '0');
    if (v > max / 10 || (v == max / 10 && d > max % 10))
      return -1;
    v = v * 10 + d;
  }
  *out = v;
  return 0;
}

int
netdoc_parse_int(const char *s, size_t n, int64_t min, int64_t max, int64_t *out)
{
  uint64_t mag;
  if (n > 0 && s[0] == '-') {
    if (netdoc_parse_uint(s + 1, n - 1, (uint64_t)INT64_MAX + 1, &mag) < 0)
      return -1;
    int64_t v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    if (v < min || v > max)
      return -1;
    *out = v;
    return 0;
  }
  if (netdoc_parse_uint(s, n, (uint64_t)INT64_MAX, &mag) < 0)
    return -1;
  if ((int64_t)mag < min || (int64_t)mag > max)
    return -1;
  *out = (int64_t)mag;
  return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; counts in 400-year eras). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned mp = m > 2 ? m - 3 : m + 9;
  unsigned doy = (153 * mp + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static int
is_leap(int64_t y)
{
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
digits(const char *s, size_t n, unsigned *out)
{
  uint64_t v;
  if (netdoc_parse_uint(s, n, 9999, &v) < 0)
    return -1;
  *out = (unsigned)v;
  return 0;
}

int
netdoc_parse_time(const char *s, size_t n, int64_t *out)
{
  static const unsigned mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  unsigned y, mo, d, h, mi, se;
  if (n != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':')
    return -1;
  if (digits(s, 4, &y) < 0 || digits(s + 5, 2, &mo) < 0 || digits(s + 8, 2, &d) < 0 ||
      digits(s + 11, 2, &h) < 0 || digits(s + 14, 2, &mi) < 0 || digits(s + 17, 2, &se) < 0)
    return -1;
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 60)
    return -1;
  if (d > mdays[mo - 1] + (mo == 2 && is_leap(y)))
    return -1;
  *out = days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + se;
  return 0;
}

int
netdoc_item_time(const netdoc_item_t *it, size_t i, int64_t *out)
{
  char buf[19];
  if (i + 1 >= it->n_args || it->args[i].len != 10 || it->args[i + 1].len != 8)
    return -1;
  memcpy(buf, it->args[i].s, 10);
  buf[10] = ' ';
  memcpy(buf + 11, it->args[i + 1].s, 8);
  return netdoc_parse_time(buf, sizeof(buf), out);
}

int
netdoc_format_time(int64_t t, char out[20])
{
  if (t < 0 || t > days_from_civil(9999, 12, 31) * 86400 + 86399)
    return -1;
  int64_t days = t / 86400, secs = t % 86400;
  /* civil_from_days (inverse of days_from_civil) */
  int64_t z = days + 719468;
  int64_t era = z / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = (int64_t)yoe + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  unsigned vals[6] = { (unsigned)y, m, d, (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60),
                       (unsigned)(secs % 60) };
  static const char fmt[] = "0000-00-00 00:00:00";
  static const unsigned pos[6] = { 0, 5, 8, 11, 14, 17 };
  static const unsigned width[6] = { 4, 2, 2, 2, 2, 2 };
  memcpy(out, fmt, sizeof(fmt));
  for (int f = 0; f < 6; f++) {
    unsigned v = vals[f];
    for (unsigned k = width[f]; k-- > 0;) {
      out[pos[f] + k] = (char)('0' + v % 10);
      v /= 10;
    }
  }
  return 0;
}
