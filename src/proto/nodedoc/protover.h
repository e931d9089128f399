/* protover.h — subprotocol version lists ("pr" lines of the consensus,
 * "*-protocols" header lines; tor-spec §9, dir-spec §3.4.1):
 * "Name=1-3,5 Other=2", names ordered, versions 0..63.
 *
 * Unknown protocol names are kept (so "required" lists naming them can
 * be checked); versions above 63 make the list invalid. */
#ifndef EVONION_PROTO_NODEDOC_PROTOVER_H
#define EVONION_PROTO_NODEDOC_PROTOVER_H

#include <stddef.h>
#include <stdint.h>

/** The protocols evonion knows by name (index into protover_t.known). */
typedef enum protover_proto_t {
  PROTO_CONFLUX = 0, PROTO_CONS, PROTO_DESC, PROTO_DIRCACHE, PROTO_FLOWCTRL, PROTO_HSDIR,
  PROTO_HSINTRO, PROTO_HSREND, PROTO_LINK, PROTO_LINKAUTH, PROTO_MICRODESC, PROTO_PADDING,
  PROTO_RELAY,
  PROTO_N_KNOWN
} protover_proto_t;

/** At most this many distinct protocol names in one list. */
#define PROTOVER_MAX_ENTRIES 64

typedef struct protover_other_t {
  char name[32];               /**< NUL-terminated */
  uint64_t versions;           /**< bit v set = version v */
} protover_other_t;

typedef struct protover_t {
  uint64_t known[PROTO_N_KNOWN];  /**< bit v of known[p] set = version v of protocol p */
  size_t n_other;
  protover_other_t *other;        /**< names evonion does not know */
} protover_t;

/** Parse a list ("Link=4-5 Relay=2"; len bytes, no newline) into *out
 *  (zeroed first; free with protover_clear).  An empty list is valid.
 *  Returns 0, or -1 if malformed (out is left empty). */
int protover_parse(protover_t *out, const char *s, size_t len);

/** 1 if p lists version v of protocol proto, else 0. */
int protover_supports(const protover_t *p, protover_proto_t proto, unsigned v);

/** The protocols evonion's client implements (Link=4-5 Relay=2 FlowCtrl=1
 *  Cons=2 Microdesc=2 ...), into *out (free with protover_clear). */
void protover_get_client_supported(protover_t *out);

/** Write into buf (NUL-terminated, truncated to buflen) the parts of
 *  required that have is missing ("Relay=3 Foo=1"); returns the number of
 *  missing versions (0 = has covers required). */
size_t protover_list_missing(const protover_t *required, const protover_t *has, char *buf,
                             size_t buflen);

/** Write p as a list ("Cons=1-2 Link=4-5 Foo=3": known names in enum
 *  order, then the others as parsed; names without versions left out) into
 *  buf (NUL-terminated, truncated to buflen).  Returns the length the whole
 *  list needs, without the NUL (as snprintf does). */
size_t protover_write(const protover_t *p, char *buf, size_t buflen);

/** The name of a known protocol ("Link"), or "?" if out of range. */
const char *protover_proto_to_string(protover_proto_t proto);

/** Free what p holds and zero it (NULL is fine). */
void protover_clear(protover_t *p);

#endif
