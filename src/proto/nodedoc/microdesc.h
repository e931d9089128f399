/* microdesc.h — microdescriptors (dir-spec §3.3) as a /tor/micro/d/
 * response or a cache file carries them: split a concatenation, digest each
 * one, parse what a client uses.
 *
 * Where one microdescriptor starts: at a line whose keyword is exactly
 * "onion-key".  The current dir-spec makes the *key* after it optional
 * (Microdesc=3 / prop 350 drop the TAP key) but keeps the "onion-key" line
 * itself as the start marker, and tor's find_start_of_next_microdesc()
 * splits on "onion-key" and "@" annotation lines; we do the same.  A
 * microdescriptor runs from its "onion-key" line up to (not including) the
 * next "onion-key" line, the next annotation line ("@..."), or the end of
 * the input; its digest is SHA-256 over exactly those bytes (what the
 * consensus "m" line names).  Annotation lines (our cache may write
 * "@last-listed ...") are skipped and are not part of any digest.  Text
 * before the first "onion-key", or right after an annotation, that is not
 * blank and not "onion-key" is a garbage piece (counted, never parsed).
 *
 * Inside one microdescriptor (unknown keywords ignored, as dir-spec says):
 *   onion-key          exactly once, first; its RSA key object is optional
 *   ntor-onion-key     exactly once; 32 bytes of base64, '=' padding optional
 *   id ed25519 KEY     at most once (32 bytes); "id rsa1024" and other types ignored
 *   family ...         at most once; its arguments kept as strings
 *   family-ids ...     at most once; likewise
 *   p / p6             at most once each; a missing or malformed summary is
 *                      reject-all (as tor treats it), a malformed one flagged
 *   a                  ignored (the consensus gives addresses) */
#ifndef EVONION_PROTO_NODEDOC_MICRODESC_H
#define EVONION_PROTO_NODEDOC_MICRODESC_H

#include <stddef.h>
#include <stdint.h>

#include "proto/nodedoc/policy_summary.h"

#define MICRODESC_DIGEST_LEN 32
/** A microdescriptor longer than this is invalid (real ones are ~0.5-2 KiB;
 *  a big family line can reach tens of KiB). */
#define MICRODESC_MAX_LEN (128 * 1024)
/** At most this many microdescriptors (valid or not) in one parse. */
#define MICRODESC_MAX_COUNT 65536
/** At most this many entries on a family / family-ids line. */
#define MICRODESC_MAX_FAMILY 4096
/** dir-spec §4.3: ask for at most this many digests in one request. */
#define MICRODESC_MAX_PER_REQUEST 92

/** What microdesc_list_match() found for one microdescriptor. */
typedef enum microdesc_match_t {
  MICRODESC_NOT_CHECKED = 0,  /**< no match done yet */
  MICRODESC_WANTED,           /**< its digest was asked for */
  MICRODESC_UNWANTED,         /**< not asked for (a misbehaving server) */
  MICRODESC_DUPLICATE,        /**< the same digest came earlier in the list */
} microdesc_match_t;

typedef struct microdesc_t {
  uint8_t digest[MICRODESC_DIGEST_LEN]; /**< SHA-256 of its bytes */
  size_t offset, len;           /**< where its bytes are in the parsed input */
  int has_tap_key;              /**< an object followed "onion-key" */
  uint8_t ntor_key[32];         /**< curve25519 public key */
  int has_ed25519_id;
  uint8_t ed25519_id[32];
  char **family;                /**< n_family NUL-terminated strings, as sent */
  size_t n_family;
  char **family_ids;            /**< n_family_ids NUL-terminated strings */
  size_t n_family_ids;
  policy_summary_t *policy;     /**< "p"; never NULL (reject-all if absent/bad) */
  policy_summary_t *policy6;    /**< "p6"; never NULL */
  int bad_policy;               /**< 1: "p" or "p6" was malformed (now reject-all) */
  microdesc_match_t match;      /**< set by microdesc_list_match() */
} microdesc_t;

/** The result of splitting and parsing a concatenation. */
typedef struct microdesc_list_t {
  microdesc_t **mds;            /**< n_mds parsed microdescriptors, in input order */
  size_t n_mds;
  /** Digests of the pieces that looked like microdescriptors but did not
   *  parse (so that the caller can stop asking for them). */
  uint8_t (*invalid_digests)[MICRODESC_DIGEST_LEN];
  size_t n_invalid;
  size_t n_garbage;             /**< pieces that did not start with "onion-key": text
                                     before the first one or after an annotation */
} microdesc_list_t;

/** Parse exactly one microdescriptor text[0..len) (offset 0; its digest is
 *  over all len bytes).  Returns a new microdesc_t (free with
 *  microdesc_free) or NULL if it is invalid; then *err (if err is not NULL)
 *  names the reason (a static string). */
microdesc_t *microdesc_parse_one(const char *text, size_t len, const char **err);

/** Split text[0..len) into microdescriptors and parse each into *out
 *  (overwritten; clear with microdesc_list_clear).  Invalid pieces are
 *  skipped and their digests listed; they do not fail the whole input.
 *  Returns 0, or -1 if there are more than MICRODESC_MAX_COUNT pieces (out
 *  is then empty). */
int microdesc_parse_all(const char *text, size_t len, microdesc_list_t *out);

/** Match the parsed microdescriptors against the digests asked for
 *  (wanted[0..n_wanted), any order, duplicates allowed): sets each md's
 *  match field, and wanted_found[j] (if not NULL; n_wanted bytes) to 1 if
 *  wanted[j] arrived, else 0.  Returns the number of distinct wanted
 *  digests that arrived. */
size_t microdesc_list_match(microdesc_list_t *list, const uint8_t (*wanted)[MICRODESC_DIGEST_LEN],
                            size_t n_wanted, uint8_t *wanted_found);

/** Remove from list every microdescriptor whose match is not
 *  MICRODESC_WANTED (freeing them); returns how many were removed. */
size_t microdesc_list_keep_wanted(microdesc_list_t *list);

/** Take md i out of the list (the caller owns and frees it); the list keeps
 *  its order.  Returns NULL if i is out of range. */
microdesc_t *microdesc_list_take(microdesc_list_t *list, size_t i);

/** Free what list holds and zero it (NULL is fine). */
void microdesc_list_clear(microdesc_list_t *list);

/** Free md (NULL is fine). */
void microdesc_free(microdesc_t *md);

/** Write the path "/tor/micro/d/D1-D2-..." (digests in unpadded base64)
 *  for digests[0..n) into buf (NUL-terminated).  Returns the length, or -1
 *  if n is 0 or above MICRODESC_MAX_PER_REQUEST or buf is too small
 *  (13 + 44 * n bytes always suffice). */
int microdesc_build_path(const uint8_t (*digests)[MICRODESC_DIGEST_LEN], size_t n, char *buf,
                         size_t buflen);

#endif
