/* consensus.h — the microdesc-flavour consensus (dir-spec §3.4.1, §3.9.2):
 * parse it into a struct and verify its signatures and lifetime.
 *
 * Parsing keeps what a client needs: the times, voting delays, known flags,
 * "params", the four protocol lines (as strings: parse them with
 * proto/nodedoc/protover.h), dir-sources, every router entry ("r", "a", "m",
 * "s", "v", "pr", "w"), "bandwidth-weights" and the signatures.  Unknown
 * keywords are ignored.  The signed text runs (as in tor's
 * router_get_networkstatus_v3_signed_boundaries) from "network-status-version"
 * through the first "\ndirectory-signature" and the first space after it; its
 * SHA-256 (and SHA-1, for signatures without an algorithm) is computed at
 * parse time.  The header, each router entry (from one "r" line to the next)
 * and the footer (from "directory-footer") are tokenized one at a time, so
 * the parser's memory is the result plus one section, not the whole token
 * list; at most CONS_MAX_ROUTERS entries.  The caller caps the document size.
 *
 * Verification (tor's networkstatus_check_consensus_signature and
 * networkstatus_get_reasonably_live_consensus): good signatures are needed from
 * more than half of the configured authorities, each checked against a
 * certificate whose (v3ident, signing-key digest) match and which passes
 * authcert_check() at now; and valid-after - CONS_EARLY_SKEW <= now <=
 * valid-until + CONS_REASONABLY_LIVE_TIME. */
#ifndef EVONION_PROTO_NETDOC_CONSENSUS_H
#define EVONION_PROTO_NETDOC_CONSENSUS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/crypto/digest.h"
#include "proto/netaddr.h"
#include "proto/netdoc/authcert.h"

/** Router flags ("s" line), one bit each.  The values are the SAME as
 * NODE_FLAG_* in src/dir/node.h (same names, same order, alphabetical), so the
 * directory layer can copy the mask; proto/ may not include dir/, so they are
 * repeated here and a unit test of dir/ can assert they agree. */
enum {
  CONS_FLAG_AUTHORITY = 1u << 0,
  CONS_FLAG_BADEXIT = 1u << 1,
  CONS_FLAG_EXIT = 1u << 2,
  CONS_FLAG_FAST = 1u << 3,
  CONS_FLAG_GUARD = 1u << 4,
  CONS_FLAG_HSDIR = 1u << 5,
  CONS_FLAG_MIDDLEONLY = 1u << 6,
  CONS_FLAG_NOEDCONSENSUS = 1u << 7,
  CONS_FLAG_RUNNING = 1u << 8,
  CONS_FLAG_STABLE = 1u << 9,
  CONS_FLAG_STALEDESC = 1u << 10,
  CONS_FLAG_SYBIL = 1u << 11,
  CONS_FLAG_V2DIR = 1u << 12,
  CONS_FLAG_VALID = 1u << 13,
};

/** tor's REASONABLY_LIVE_TIME: a consensus is still usable this long after
 * its valid-until (networkstatus_get_reasonably_live_consensus). */
#define CONS_REASONABLY_LIVE_TIME (24 * 60 * 60)
/** tor's EARLY_CONSENSUS_NOTICE_SKEW: a consensus up to this long before its
 * valid-after is accepted (tor warns about our clock beyond it; we refuse). */
#define CONS_EARLY_SKEW 60
/** Caps. */
#define CONS_MAX_SIGNATURES 64
#define CONS_MAX_AUTHORITIES 32
#define CONS_MAX_DIRSOURCES 64
#define CONS_MAX_PARAMS 256
#define CONS_MAX_ROUTERS 65536

/** Parse a flag name ("Guard", len bytes) into its CONS_FLAG_ bit; 0 if unknown. */
uint32_t consensus_flag_from_name(const char *name, size_t len);

/** A "name=value" of "params" or "bandwidth-weights". */
typedef struct cons_param_t {
  char name[64];   /**< NUL-terminated */
  int32_t value;
} cons_param_t;

/** A string inside the consensus text (not NUL-terminated). */
typedef struct cons_str_t {
  const char *s;   /**< NULL if absent */
  size_t len;
} cons_str_t;

/** "dir-source nickname v3ident address IP dirport orport". */
typedef struct cons_dirsource_t {
  char nickname[20];
  uint8_t v3ident[DIGEST_LEN];
  netaddr_t addr;
  uint16_t dir_port, or_port;
} cons_dirsource_t;

/** One router entry. */
typedef struct cons_router_t {
  char nickname[20];             /**< NUL-terminated, 1..19 characters */
  uint8_t rsa_id[DIGEST_LEN];    /**< from base64 on the "r" line */
  int64_t published;             /**< "r" publication time (2038-01-01 in md flavour) */
  netaddr_t ipv4;
  uint16_t or_port, dir_port;    /**< dir_port 0: none */
  netaddr_t ipv6;                /**< first IPv6 "a" line (family NETADDR_NONE: none) */
  uint16_t ipv6_port;
  uint8_t md_digest[DIGEST256_LEN];  /**< "m": SHA-256 of the microdescriptor */
  uint32_t flags;                /**< CONS_FLAG_*; unknown flag names are ignored */
  int has_bandwidth;             /**< a "w Bandwidth=" was given */
  uint32_t bandwidth;            /**< kilobytes/s */
  int bw_unmeasured;             /**< "Unmeasured=1" */
  cons_str_t version;            /**< "v" line text */
  cons_str_t protocols;          /**< "pr" line text (for protover_parse) */
} cons_router_t;

/** Signature digest algorithms. */
typedef enum cons_sig_alg_t {
  CONS_SIG_SHA1 = 1,     /**< no algorithm field, or "sha1" */
  CONS_SIG_SHA256 = 2,   /**< "sha256" (the microdesc flavour) */
  CONS_SIG_UNKNOWN = 3,  /**< anything else: ignored by verification */
} cons_sig_alg_t;

/** One "directory-signature [alg] v3ident signing-key-digest" with its object. */
typedef struct cons_sig_t {
  cons_sig_alg_t alg;
  uint8_t v3ident[DIGEST_LEN];
  uint8_t sk_digest[DIGEST_LEN];
  uint8_t *sig;
  size_t sig_len;
} cons_sig_t;

/** A parsed consensus.  Owns everything, including a copy of the text (the
 * cons_str_t fields point into it).  Free with consensus_free(). */
typedef struct consensus_t {
  char *text;
  size_t text_len;
  unsigned consensus_method;
  int64_t valid_after, fresh_until, valid_until;
  uint32_t vote_delay, dist_delay;    /**< "voting-delay" */
  uint32_t known_flags;               /**< CONS_FLAG_* bits named in "known-flags" */
  cons_str_t known_flags_line;
  cons_str_t recommended_client_protocols, recommended_relay_protocols;
  cons_str_t required_client_protocols, required_relay_protocols;
  cons_param_t *params;               /**< "params", in document order */
  size_t n_params;
  cons_dirsource_t *dirsources;
  size_t n_dirsources;
  cons_router_t *routers;             /**< in document order */
  size_t n_routers;
  cons_param_t *weights;              /**< "bandwidth-weights" */
  size_t n_weights;
  cons_sig_t *sigs;
  size_t n_sigs;
  size_t signed_len;                  /**< bytes of text covered by the signatures */
  uint8_t digest_sha256[DIGEST256_LEN];  /**< of text[0..signed_len) */
  uint8_t digest_sha1[DIGEST_LEN];       /**< of the same */
} consensus_t;

/** Parse a microdesc-flavour consensus from text[0..len).  On success returns
 * 0 and *out is a new consensus (caller frees).  On failure returns -1, *out
 * is NULL and err (if errlen > 0) holds a reason (no document text in it). */
int consensus_parse(const char *text, size_t len, consensus_t **out, char *err, size_t errlen);

/** Free c and what it owns (NULL is fine). */
void consensus_free(consensus_t *c);

/** A "params" value clipped to [min, max]; dflt if absent. */
int32_t consensus_get_param(const consensus_t *c, const char *name, int32_t dflt, int32_t min,
                            int32_t max);

/** The router with this RSA identity, or NULL (linear search). */
const cons_router_t *consensus_find_router(const consensus_t *c, const uint8_t rsa_id[DIGEST_LEN]);

/** Outcomes of consensus_verify(), in the order they are decided. */
typedef enum consensus_verify_result_t {
  CONS_VERIFY_OK = 0,
  CONS_VERIFY_MALFORMED,         /**< bad arguments (no authorities, too many) */
  CONS_VERIFY_NOT_YET_VALID,     /**< now < valid-after - CONS_EARLY_SKEW */
  CONS_VERIFY_EXPIRED,           /**< now > valid-until + CONS_REASONABLY_LIVE_TIME */
  CONS_VERIFY_MISSING_CERTS,     /**< not enough good signatures, but certificates for the
                                      authorities listed in missing[] could make enough */
  CONS_VERIFY_BAD_SIGNATURE,     /**< a configured authority's signature did not verify */
  CONS_VERIFY_UNKNOWN_AUTHORITY, /**< not enough good signatures, and some were by
                                      authorities that are not configured */
  CONS_VERIFY_TOO_FEW_SIGNATURES,/**< not enough signatures by configured authorities */
} consensus_verify_result_t;

/** The details of one verification. */
typedef struct consensus_verify_t {
  consensus_verify_result_t result;
  size_t n_needed;        /**< n_authorities / 2 + 1 */
  size_t n_good;          /**< configured authorities with a good signature */
  size_t n_bad;           /**< configured authorities whose signatures all failed */
  size_t n_unknown;       /**< signatures by authorities not configured */
  size_t n_missing;       /**< configured authorities that signed, but no usable certificate */
  uint8_t missing[CONS_MAX_AUTHORITIES][DIGEST_LEN];  /**< their v3idents (ask /tor/keys/fp/) */
  char reason[256];       /**< for the log, e.g. "2 good signatures of 3 authorities, 2 needed" */
} consensus_verify_t;

/** Verify c at now against the configured authorities (authorities[i] is a
 * v3ident; at most CONS_MAX_AUTHORITIES, duplicates count once) and the
 * certificates certs[0..n_certs) (any order, any authority; a certificate
 * counts only if authcert_check(cert, now) is AUTHCERT_OK).  Fills *out
 * (result, counts, missing v3idents, reason) and returns out->result. */
consensus_verify_result_t consensus_verify(const consensus_t *c,
                                           const uint8_t (*authorities)[DIGEST_LEN],
                                           size_t n_authorities, authcert_t *const *certs,
                                           size_t n_certs, int64_t now, consensus_verify_t *out);

/** A static name for r ("ok", "bad signature", ...). */
const char *consensus_verify_result_to_string(consensus_verify_result_t r);

#endif
