/* socks_reply.c — SOCKS replies, the END reason → SOCKS5 code mapping and
 * the HTTP error page (see socks.h). */
#include "proto/socks/socks.h"

#include <string.h>

#include "lib/bytes.h"
#include "proto/relay_stream.h"

static const char http_error_page[] =
  "HTTP/1.0 501 This is a SOCKS proxy, not an HTTP proxy\r\n"
  "Content-Type: text/html; charset=utf-8\r\n"
  "Connection: close\r\n"
  "\r\n"
  "<!DOCTYPE html>\n"
  "<html><head><title>This is a SOCKS proxy, not an HTTP proxy</title></head>\n"
  "<body><h1>This is a SOCKS proxy, not an HTTP proxy</h1>\n"
  "<p>Your application sent an HTTP request to evonion's SOCKS port. Configure it\n"
  "to use this port as a SOCKS5 (or SOCKS4a) proxy, with remote name resolution\n"
  "(e.g. <code>curl --socks5-hostname</code>), not as an HTTP proxy.</p>\n"
  "</body></html>\n";

const char *
socks_http_error_page(size_t *len_out)
{
  if (len_out)
    *len_out = sizeof(http_error_page) - 1;
  return http_error_page;
}

int
socks_reply_encode(uint8_t *out, size_t outlen, uint8_t version, socks5_rep_t rep,
                   const netaddr_t *bnd, uint16_t bnd_port)
{
  if (version == SOCKS_VERSION_4) {
    if (outlen < 8)
      return -1;
    memset(out, 0, 8);
    out[1] = rep == SOCKS5_REP_SUCCEEDED ? SOCKS4_REP_GRANTED : SOCKS4_REP_REJECTED;
    if (bnd && bnd->family == NETADDR_IPV4) {
      put_u16(out + 2, bnd_port);
      memcpy(out + 4, bnd->bytes, 4);
    }
    return 8;
  }
  if (version != SOCKS_VERSION_5)
    return -1;
  int v6 = bnd && bnd->family == NETADDR_IPV6;
  size_t alen = v6 ? 16 : 4;
  if (outlen < 6 + alen)
    return -1;
  out[0] = SOCKS_VERSION_5;
  out[1] = (uint8_t)rep;
  out[2] = 0;
  out[3] = v6 ? SOCKS5_ATYP_IPV6 : SOCKS5_ATYP_IPV4;
  if (bnd && bnd->family != NETADDR_NONE)
    memcpy(out + 4, bnd->bytes, alen);
  else
    memset(out + 4, 0, alen);
  put_u16(out + 4 + alen, bnd_port);
  return (int)(6 + alen);
}

int
socks_reply_encode_resolved(uint8_t *out, size_t outlen, uint8_t version,
                            uint8_t answer_type, const uint8_t *answer, size_t answer_len)
{
  netaddr_t a;
  if (answer_type == RESOLVED_TYPE_IPV4 && answer_len == 4 && answer) {
    netaddr_set_ipv4(&a, answer);
    return socks_reply_encode(out, outlen, version, SOCKS5_REP_SUCCEEDED, &a, 0);
  }
  if (version == SOCKS_VERSION_5 && answer_type == RESOLVED_TYPE_IPV6 && answer_len == 16 &&
      answer) {
    netaddr_set_ipv6(&a, answer);
    return socks_reply_encode(out, outlen, version, SOCKS5_REP_SUCCEEDED, &a, 0);
  }
  if (version == SOCKS_VERSION_5 && answer_type == RESOLVED_TYPE_HOSTNAME && answer &&
      answer_len >= 1 && answer_len <= 255) {
    if (outlen < 5 + answer_len + 2)
      return -1;
    out[0] = SOCKS_VERSION_5;
    out[1] = SOCKS5_REP_SUCCEEDED;
    out[2] = 0;
    out[3] = SOCKS5_ATYP_HOSTNAME;
    out[4] = (uint8_t)answer_len;
    memcpy(out + 5, answer, answer_len);
    put_u16(out + 5 + answer_len, 0);
    return (int)(5 + answer_len + 2);
  }
  /* tor: a SOCKS5 failure is "host unreachable"; SOCKS4 gets 5B. */
  return socks_reply_encode(out, outlen, version, SOCKS5_REP_HOST_UNREACHABLE, NULL, 0);
}

socks5_rep_t
socks_reply_from_end_reason(int end_reason)
{
  /* As tor's reasons.c: stream_end_reason_to_socks5_response(). */
  switch (end_reason) {
  case 0:
    return SOCKS5_REP_SUCCEEDED;
  case END_REASON_RESOLVEFAILED:
  case END_REASON_NOROUTE:
    return SOCKS5_REP_HOST_UNREACHABLE;
  case END_REASON_CONNECTREFUSED:
  case END_REASON_DONE:        /* DONE before CONNECTED: the exit's side closed */
  case END_REASON_CONNRESET:
    return SOCKS5_REP_CONN_REFUSED;
  case END_REASON_EXITPOLICY:
    return SOCKS5_REP_NOT_ALLOWED;
  case END_REASON_TIMEOUT:
    return SOCKS5_REP_TTL_EXPIRED;
  case END_REASON_MISC:
  case END_REASON_DESTROY:
  case END_REASON_HIBERNATING:
  case END_REASON_INTERNAL:
  case END_REASON_RESOURCELIMIT:
  case END_REASON_TORPROTOCOL:
  default:
    return SOCKS5_REP_GENERAL_FAILURE;
  }
}
