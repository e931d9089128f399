/* socks.h — the SOCKS4/4a/5 server side: an incremental request parser and
 * the reply encoders (RFC 1928, RFC 1929, socks-extensions.txt).
 *
 * The parser is a small state machine over the client's messages:
 *
 *   START ──SOCKS4/4a request──────────────────────────────▶ DONE
 *   START ──SOCKS5 methods──▶ WANT_AUTH (02 chosen) ──RFC 1929──▶ WANT_REQUEST
 *                         └─▶ WANT_REQUEST (00 chosen) ──request──▶ DONE
 *   any   ──bad input──▶ FAILED
 *
 * socks_parse() handles ONE message per call:
 *   PARSE_NEED_MORE  the buffer holds a valid prefix; nothing was drained.
 *   PARSE_DONE       one whole message was drained (exactly its bytes; what
 *                    follows, e.g. optimistic data, stays).  Send the reply
 *                    in p->reply (may be empty), then call again until
 *                    socks_parser_is_done(p).
 *   PARSE_INVALID    the client broke the protocol: send p->reply (an error
 *                    reply, an HTTP error page, or nothing) and close.
 *                    Nothing is drained.
 *
 * Behaviour follows tor 0.4.9 (proto_socks.c): username/password (02) is
 * chosen when offered, unless prefer_no_auth and 00 is offered too; an
 * RFC 1929 message is accepted once even after 00 was chosen; empty
 * username/password fields are allowed; SOCKS5 usernames starting with
 * "<torS0X>" other than exactly "<torS0X>0" are refused (proposal 351); a
 * first byte 'G', 'H', 'P' or 'C' gets an HTTP error page.  Hostnames are
 * never resolved here.  Where we differ from tor (on bad input only), the
 * comment at the function says so. */
#ifndef EVONION_PROTO_SOCKS_SOCKS_H
#define EVONION_PROTO_SOCKS_SOCKS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/parse.h"
#include "proto/netaddr.h"

struct evbuffer;

/** Longest hostname (SOCKS5 ATYP 03 carries a u8 length; SOCKS4a is capped
 *  the same). */
#define SOCKS_HOST_MAX 255
/** Longest RFC 1929 username or password (u8 lengths). */
#define SOCKS_AUTH_FIELD_MAX 255
/** Longest SOCKS4 USERID we accept (tor allows somewhat more; no client we
 *  know sends longer ones). */
#define SOCKS4_USERID_MAX 255
/** Largest reply socks_parse() or the encoders produce, except the HTTP page. */
#define SOCKS_REPLY_MAX (4 + 1 + 255 + 2)

/** SOCKS versions. */
#define SOCKS_VERSION_4 4
#define SOCKS_VERSION_5 5

/** Commands we accept (others are refused). */
typedef enum socks_command_t {
  SOCKS_CMD_CONNECT = 0x01,
  SOCKS_CMD_RESOLVE = 0xF0,       /**< tor extension: resolve a hostname */
  SOCKS_CMD_RESOLVE_PTR = 0xF1,   /**< tor extension (SOCKS5 only): reverse lookup */
} socks_command_t;

/** SOCKS5 address types. */
#define SOCKS5_ATYP_IPV4 0x01
#define SOCKS5_ATYP_HOSTNAME 0x03
#define SOCKS5_ATYP_IPV6 0x04

/** SOCKS5 methods. */
#define SOCKS5_METHOD_NO_AUTH 0x00
#define SOCKS5_METHOD_USER_PASS 0x02
#define SOCKS5_METHOD_NONE_ACCEPTABLE 0xFF

/** SOCKS5 reply codes (RFC 1928 §6). */
typedef enum socks5_rep_t {
  SOCKS5_REP_SUCCEEDED = 0x00,
  SOCKS5_REP_GENERAL_FAILURE = 0x01,
  SOCKS5_REP_NOT_ALLOWED = 0x02,
  SOCKS5_REP_NET_UNREACHABLE = 0x03,
  SOCKS5_REP_HOST_UNREACHABLE = 0x04,
  SOCKS5_REP_CONN_REFUSED = 0x05,
  SOCKS5_REP_TTL_EXPIRED = 0x06,
  SOCKS5_REP_CMD_NOT_SUPPORTED = 0x07,
  SOCKS5_REP_ATYP_NOT_SUPPORTED = 0x08,
} socks5_rep_t;

/** SOCKS4 reply codes. */
#define SOCKS4_REP_GRANTED 0x5A
#define SOCKS4_REP_REJECTED 0x5B

/** A complete request. */
typedef struct socks_request_t {
  uint8_t version;          /**< SOCKS_VERSION_4 or SOCKS_VERSION_5 */
  uint8_t command;          /**< a socks_command_t */
  uint8_t atyp;             /**< SOCKS5 ATYP as sent; SOCKS4: IPV4, SOCKS4a: HOSTNAME */
  uint16_t port;            /**< host order; 0 is possible for RESOLVE */
  /** NUL-terminated destination as the client gave it, never resolved:
   *  "1.2.3.4", "2001:db8::1" (no brackets, even if the client sent
   *  "[2001:db8::1]" as a hostname), or "www.example.com". */
  char host[SOCKS_HOST_MAX + 1];
  /** The address when host is an IPv4/IPv6 literal (any ATYP), else NONE. */
  netaddr_t addr;
  /** 1 if the client sent credentials: an RFC 1929 message (even with empty
   *  fields) or a non-empty SOCKS4 USERID.  Streams with different
   *  credentials must not share a circuit (IsolateSOCKSAuth). */
  uint8_t has_auth;
  uint8_t username[SOCKS_AUTH_FIELD_MAX];  /**< SOCKS5 username or SOCKS4 USERID */
  size_t username_len;
  uint8_t password[SOCKS_AUTH_FIELD_MAX];
  size_t password_len;
} socks_request_t;

/** Where the parser is. */
typedef enum socks_state_t {
  SOCKS_STATE_START = 0,      /**< first message: SOCKS4 request or SOCKS5 methods */
  SOCKS_STATE_WANT_AUTH,      /**< SOCKS5, method 02 chosen: RFC 1929 message next */
  SOCKS_STATE_WANT_REQUEST,   /**< SOCKS5: the request next */
  SOCKS_STATE_DONE,           /**< p->req is complete */
  SOCKS_STATE_FAILED,         /**< the client broke the protocol */
} socks_state_t;

/** Parser state.  Initialise with socks_parser_init(). */
typedef struct socks_parser_t {
  socks_state_t state;
  int prefer_no_auth;         /**< choose 00 over 02 when both are offered */
  int got_auth;               /**< an RFC 1929 message was processed */
  socks_request_t req;        /**< filled as messages arrive; whole once DONE */
  /** The reply to send after the last socks_parse() call (reply_len may be 0).
   *  Points into reply_buf or at a static HTTP page. */
  const uint8_t *reply;
  size_t reply_len;
  uint8_t reply_buf[SOCKS_REPLY_MAX];
} socks_parser_t;

/** Reset p to START.  prefer_no_auth: pick "no authentication" when a client
 *  offers both 00 and 02 (tor's PreferSOCKSNoAuth; default 0 so that
 *  credentials, and so isolation, reach us). */
void socks_parser_init(socks_parser_t *p, int prefer_no_auth);

/** Wipe the credentials and reset p to START (with the same prefer_no_auth). */
void socks_parser_clear(socks_parser_t *p);

/** Parse one client message from the front of in (see the top of this file
 *  for the three outcomes).  Reads at most a few hundred bytes; never
 *  drains on NEED_MORE or INVALID.  Calling it in DONE or FAILED returns
 *  PARSE_INVALID with no reply. */
parse_result_t socks_parse(socks_parser_t *p, struct evbuffer *in);

/** 1 once a whole request is in p->req. */
int socks_parser_is_done(const socks_parser_t *p);

/** The name of a state ("start", "want_auth", ...). */
const char *socks_state_to_string(socks_state_t st);

/** 1 if s is a destination tor would accept from a SOCKS client: an IPv4 or
 *  IPv6 literal (an IPv6 one may be in brackets), or a hostname of labels
 *  made of letters, digits, '-' and '_', each non-empty and not starting with
 *  '-' or '_', with at most one trailing dot (tor's string_is_valid_dest). */
int socks_host_is_valid(const char *s);

/* ---- replies ---- */

/** Encode the final reply to a request of this version.
 *  SOCKS5: 05 rep 00 ATYP BND.ADDR BND.PORT, ATYP from bnd (NULL or NONE:
 *  IPv4 0.0.0.0, as tor sends).  SOCKS4: 00 5A|5B port ip (5A iff rep is
 *  SUCCEEDED; ip only if bnd is IPv4, else zero).  Writes into out
 *  (outlen >= 22 is enough) and returns the length, or -1 (bad version or
 *  too small). */
int socks_reply_encode(uint8_t *out, size_t outlen, uint8_t version, socks5_rep_t rep,
                       const netaddr_t *bnd, uint16_t bnd_port);

/** Encode the answer to RESOLVE / RESOLVE_PTR, the way tor does: an IPv4
 *  address (both versions), an IPv6 address (SOCKS5), or a hostname
 *  (SOCKS5, ATYP 03, 1..255 bytes) with port 0.  answer_type is a
 *  RESOLVED_TYPE_* value (proto/relay_stream.h): 4 = IPv4 (len 4),
 *  6 = IPv6 (len 16), 0 = hostname.  Anything else, or a form the version
 *  cannot carry, gives the failure reply (SOCKS5 04 host unreachable,
 *  SOCKS4 5B).  Returns the length (outlen >= SOCKS_REPLY_MAX is enough) or
 *  -1. */
int socks_reply_encode_resolved(uint8_t *out, size_t outlen, uint8_t version,
                                uint8_t answer_type, const uint8_t *answer, size_t answer_len);

/** The SOCKS5 reply code for a stream that ended with this END reason
 *  (tor-spec §6.3) before it connected, as tor maps it (reasons.c,
 *  stream_end_reason_to_socks5_response): 0 → succeeded; RESOLVEFAILED,
 *  NOROUTE → host unreachable; CONNECTREFUSED, DONE, CONNRESET → refused;
 *  EXITPOLICY → not allowed; TIMEOUT → TTL expired; everything else →
 *  general failure. */
socks5_rep_t socks_reply_from_end_reason(int end_reason);

/** The short HTTP error page sent to an HTTP client on the SOCKS port
 *  (static, NUL-terminated; *len_out gets its length without the NUL). */
const char *socks_http_error_page(size_t *len_out);

#endif
