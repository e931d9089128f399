/* relay_stream.h — stream-level relay message bodies (tor-spec §6.2–6.4):
 * BEGIN, CONNECTED, END, RESOLVE, RESOLVED.  (DATA, DROP and BEGIN_DIR have
 * no structure: DATA is its body, the others' bodies are ignored.)
 *
 * Parsers take the relay body and its length (the header's length field),
 * return 0/-1 and never read past len.  Encoders return the body length or -1. */
#ifndef EVONION_PROTO_RELAY_STREAM_H
#define EVONION_PROTO_RELAY_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "proto/netaddr.h"
#include "proto/relay_msg.h"

/* ---- BEGIN ---- */

#define BEGIN_FLAG_IPV6_OK (1u << 0)
#define BEGIN_FLAG_IPV4_NOT_OK (1u << 1)
#define BEGIN_FLAG_IPV6_PREFERRED (1u << 2)

typedef struct begin_cell_t {
  char host[RELAY_BODY_MAX_LEN];   /**< NUL-terminated; an IPv6 literal without [] */
  uint16_t port;
  uint32_t flags;
} begin_cell_t;

/** Parse "host:port\0" [flags u32].  An IPv6 literal is written "[addr]:port"
 *  and stored without the brackets.  Returns -1 if the NUL is missing, the
 *  host is empty, contains bytes outside printable ASCII, or contains ':'
 *  outside brackets, is 498 bytes or longer, or the port is missing, not
 *  decimal, 0, or > 65535.
 *  Fewer than 4 bytes after the NUL give flags 0; bytes after the flags are
 *  ignored (as tor does). */
int begin_cell_parse(begin_cell_t *out, const uint8_t *body, size_t len);

/** Encode c: "host:port\0" (brackets added if host contains ':') and the
 *  flags if they are non-zero.  Returns the length or -1 (empty or invalid
 *  host, port 0, or too long). */
int begin_cell_encode(const begin_cell_t *c, uint8_t *out, size_t outlen);

/* ---- CONNECTED ---- */

typedef struct connected_cell_t {
  netaddr_t addr;     /**< NETADDR_NONE for an empty body */
  int has_ttl;
  uint32_t ttl;
} connected_cell_t;

/** Parse a CONNECTED body: empty; IPv4(4) [TTL(4)]; or 00000000 06 IPv6(16)
 *  TTL(4).  Returns -1 for 1–3 bytes, a zero IPv4 prefix with fewer than 25
 *  bytes, or an address type other than 6. */
int connected_cell_parse(connected_cell_t *out, const uint8_t *body, size_t len);

/** Encode c: NONE → empty; IPv4 → addr TTL; IPv6 → 00000000 06 addr TTL
 *  (a TTL is always written; 0 if !has_ttl).  Returns the length or -1. */
int connected_cell_encode(const connected_cell_t *c, uint8_t *out, size_t outlen);

/* ---- END ---- */

#define END_REASON_MISC 1
#define END_REASON_RESOLVEFAILED 2
#define END_REASON_CONNECTREFUSED 3
#define END_REASON_EXITPOLICY 4
#define END_REASON_DESTROY 5
#define END_REASON_DONE 6
#define END_REASON_TIMEOUT 7
#define END_REASON_NOROUTE 8
#define END_REASON_HIBERNATING 9
#define END_REASON_INTERNAL 10
#define END_REASON_RESOURCELIMIT 11
#define END_REASON_CONNRESET 12
#define END_REASON_TORPROTOCOL 13
#define END_REASON_NOTDIRECTORY 14

typedef struct end_cell_t {
  uint8_t reason;
  netaddr_t addr;     /**< EXITPOLICY only; NONE otherwise or if absent */
  int has_ttl;
  uint32_t ttl;
} end_cell_t;

/** Parse an END body.  Empty → MISC.  For EXITPOLICY, 5/9 bytes carry an
 *  IPv4 address (+TTL) and 17/21 bytes an IPv6 address (+TTL); other lengths
 *  carry no address.  Other bytes are ignored.  Never fails (returns 0). */
int end_cell_parse(end_cell_t *out, const uint8_t *body, size_t len);

/** Encode c: the reason, then for EXITPOLICY with an address the address and
 *  (if has_ttl) the TTL.  Returns the length or -1. */
int end_cell_encode(const end_cell_t *c, uint8_t *out, size_t outlen);

/** The spec name of an END reason 1–14 ("MISC", ...), or "UNKNOWN". */
const char *end_reason_to_string(uint8_t reason);

/* ---- RESOLVE ---- */

typedef struct resolve_cell_t {
  char name[RELAY_BODY_MAX_LEN];   /**< NUL-terminated */
} resolve_cell_t;

/** Parse "hostname\0" (trailing bytes ignored).  Returns -1 if the NUL is
 *  missing or the name is empty. */
int resolve_cell_parse(resolve_cell_t *out, const uint8_t *body, size_t len);

/** Encode name with its NUL.  Returns the length or -1. */
int resolve_cell_encode(const char *name, uint8_t *out, size_t outlen);

/* ---- RESOLVED ---- */

#define RESOLVED_TYPE_HOSTNAME 0x00
#define RESOLVED_TYPE_IPV4 0x04
#define RESOLVED_TYPE_IPV6 0x06
#define RESOLVED_TYPE_ERROR_TRANSIENT 0xF0
#define RESOLVED_TYPE_ERROR 0xF1

/** Each answer takes at least 6 bytes: at most 498 / 6 fit. */
#define RESOLVED_MAX_ANSWERS (RELAY_BODY_MAX_LEN / 6)

typedef struct resolved_answer_t {
  uint8_t type;            /**< one of RESOLVED_TYPE_* */
  uint8_t len;
  const uint8_t *value;    /**< hostname / error text: view into the body */
  netaddr_t addr;          /**< IPV4 / IPV6 */
  uint32_t ttl;
} resolved_answer_t;

typedef struct resolved_cell_t {
  size_t n_answers;
  size_t n_skipped;        /**< answers of unknown type, skipped */
  resolved_answer_t answers[RESOLVED_MAX_ANSWERS];
} resolved_cell_t;

/** Parse {type u8 | len u8 | value | ttl u32}*.  Unknown types are skipped.
 *  Returns -1 on truncation, an IPv4 value not 4 bytes, an IPv6 value not 16
 *  bytes, or an empty hostname.  Values view body, which must outlive out. */
int resolved_cell_parse(resolved_cell_t *out, const uint8_t *body, size_t len);

/** Encode every answer of c.  Returns the length or -1. */
int resolved_cell_encode(const resolved_cell_t *c, uint8_t *out, size_t outlen);

#endif
