/* netdoc.h — the directory meta-format (dir-spec §1.2): split a document into
 * items (a keyword line and an optional object), with byte offsets for signed
 * ranges; base64 and time helpers; a token-table checker.
 *
 *   Document    ::= (Item | NL)+
 *   Item        ::= KeywordLine Object?
 *   KeywordLine ::= Keyword (WS Argument)* NL       WS = (SP | TAB)+
 *   Keyword     ::= [A-Za-z0-9][A-Za-z0-9-]*
 *   Object      ::= "-----BEGIN " Type "-----" NL base64 lines "-----END " Type "-----" NL
 *
 * The document is a pointer and a length (not NUL-terminated, never modified,
 * and it must outlive the netdoc_t: items and arguments point into it).  Blank
 * lines are skipped; trailing SP/TAB on a line is allowed; the last line may
 * lack its NL (as tor accepts).  A NUL byte anywhere, a bad keyword, a stray or
 * unterminated object, or a cap exceeded makes the whole document invalid.
 *
 *   netdoc_t doc;
 *   if (netdoc_tokenize(&doc, text, len, NULL) < 0) { log doc.error; }
 *   for (size_t i = 0; i < doc.n_items; i++) if (netdoc_item_is(&doc.items[i], "r")) ...
 *   netdoc_clear(&doc);
 */
#ifndef EVONION_PROTO_NETDOC_NETDOC_H
#define EVONION_PROTO_NETDOC_NETDOC_H

#include <stddef.h>
#include <stdint.h>

/** Hard caps of one tokenization.  Zero fields take the default. */
typedef struct netdoc_limits_t {
  size_t max_line_len;    /**< bytes in one line, NL excluded (default 65536) */
  size_t max_args;        /**< arguments on one keyword line (default 1024) */
  size_t max_object_len;  /**< encoded bytes of one object, BEGIN/END lines excluded (default 131072) */
  size_t max_items;       /**< items in the document (default 262144) */
} netdoc_limits_t;

#define NETDOC_DEFAULT_MAX_LINE_LEN 65536
#define NETDOC_DEFAULT_MAX_ARGS 1024
#define NETDOC_DEFAULT_MAX_OBJECT_LEN 131072
#define NETDOC_DEFAULT_MAX_ITEMS 262144

/** One argument: len bytes at s (inside the document, not NUL-terminated). */
typedef struct netdoc_arg_t {
  const char *s;
  size_t len;
} netdoc_arg_t;

/** One item.  Every pointer points into the document or into storage owned by
 * the netdoc_t; all stay valid until netdoc_clear(). */
typedef struct netdoc_item_t {
  const char *kw;          /**< the keyword (kw_len bytes) */
  size_t kw_len;
  const netdoc_arg_t *args;  /**< n_args arguments */
  size_t n_args;
  const char *rest;        /**< the text after the keyword and its WS, up to the end of the
                                line without trailing SP/TAB (rest_len bytes; may be 0) */
  size_t rest_len;
  size_t start;            /**< offset of the keyword's first byte */
  size_t line_end;         /**< offset just past the keyword line's NL (or the document end) */
  size_t end;              /**< offset just past the item: past the END line's NL if there
                                is an object, else line_end */
  int has_object;          /**< 1 if an object follows */
  const char *obj_type;    /**< e.g. "RSA PUBLIC KEY" (obj_type_len bytes) */
  size_t obj_type_len;
  const uint8_t *obj;      /**< the decoded object (obj_len bytes; owned by the netdoc_t) */
  size_t obj_len;
  size_t args_idx_, obj_off_;  /* private */
} netdoc_item_t;

/** A tokenized document. */
typedef struct netdoc_t {
  const char *text;        /**< the document (borrowed) */
  size_t len;
  netdoc_item_t *items;    /**< n_items items in document order */
  size_t n_items;
  const char *error;       /**< after a failure: a description (valid until the next call
                                on doc); never contains document text */
  size_t error_offset;     /**< after a failure: the offset of the offending line */
  /* private storage */
  netdoc_arg_t *args_;
  size_t n_args_, cap_args_, cap_items_;
  uint8_t *objbuf_;
  size_t objbuf_len_, objbuf_cap_;
  char errbuf_[112];
} netdoc_t;

/** Split text[0..len) into items under lim (NULL = defaults).  *doc is
 * overwritten (it need not be initialised).  Returns 0; or -1 with
 * doc->error / doc->error_offset set and no items (doc still needs no
 * netdoc_clear, but calling it is harmless). */
int netdoc_tokenize(netdoc_t *doc, const char *text, size_t len, const netdoc_limits_t *lim);

/** Like netdoc_tokenize(), but reuses the arrays doc already holds (doc must
 * be zeroed, or left by an earlier netdoc_tokenize*() call): for tokenizing
 * many small sections one after the other without allocating each time.  On
 * failure doc->error is set and doc has no items but keeps its arrays.  Free
 * with netdoc_clear() in any case. */
int netdoc_tokenize_reuse(netdoc_t *doc, const char *text, size_t len,
                          const netdoc_limits_t *lim);

/** Free what doc owns and zero it (the text is not touched).  NULL is fine. */
void netdoc_clear(netdoc_t *doc);

/** 1 if it's keyword is exactly kw (NUL-terminated), else 0. */
int netdoc_item_is(const netdoc_item_t *it, const char *kw);

/** 1 if argument i of it exists and is exactly s (NUL-terminated), else 0. */
int netdoc_arg_is(const netdoc_item_t *it, size_t i, const char *s);

/** 1 if it has an object whose type is exactly type, else 0. */
int netdoc_obj_is(const netdoc_item_t *it, const char *type);

/** The index of the first item in [from, to) with keyword kw, or (size_t)-1. */
size_t netdoc_find(const netdoc_t *doc, size_t from, size_t to, const char *kw);

/* ---- token tables ---- */

/** What a rule says about the object of its items. */
typedef enum netdoc_obj_rule_t {
  NETDOC_OBJ_FORBIDDEN = 0,  /**< no object allowed */
  NETDOC_OBJ_REQUIRED,       /**< an object must follow */
  NETDOC_OBJ_OPTIONAL,       /**< either */
} netdoc_obj_rule_t;

/** Rule flags (or'ed). */
#define NETDOC_RULE_REQUIRED 0x1u  /**< at least once in the section */
#define NETDOC_RULE_ONCE 0x2u      /**< at most once in the section */
#define NETDOC_RULE_AT_START 0x4u  /**< if present, it is the section's first item */
#define NETDOC_RULE_AT_END 0x8u    /**< if present, it is the section's last item */
/** Shorthand for tor's T1 (exactly once). */
#define NETDOC_RULE_EXACTLY_ONCE (NETDOC_RULE_REQUIRED | NETDOC_RULE_ONCE)

/** No upper bound on arguments. */
#define NETDOC_ARGS_ANY ((uint16_t)0xffff)

/** One row of a token table: items with this keyword must have min_args..max_args
 * arguments, follow obj, and satisfy flags. */
typedef struct netdoc_rule_t {
  const char *kw;
  uint16_t min_args, max_args;
  netdoc_obj_rule_t obj;
  unsigned flags;
} netdoc_rule_t;

/** At most this many rules in one table. */
#define NETDOC_MAX_RULES 64

/** Check items [from, to) of doc against rules[0..n_rules).  Keywords that no
 * rule names are ignored (dir-spec: unknown keywords are skipped).  Returns 0,
 * or -1 with doc->error (naming the rule's keyword) and doc->error_offset set.  A table of
 * more than NETDOC_MAX_RULES rules is refused (-1). */
int netdoc_check_rules(netdoc_t *doc, size_t from, size_t to, const netdoc_rule_t *rules,
                       size_t n_rules);

/* ---- base64, hex, time ---- */

/** The largest number of bytes n characters of base64 can decode to. */
#define NETDOC_BASE64_DECODED_MAX(n) (((n) / 4) * 3 + 3)

/** Decode base64 s[0..n) into out (capacity outcap), skipping SP, TAB, CR and
 * NL anywhere.  '=' padding is optional, but if present it must be correct
 * and last.  Sets *outlen.  Returns 0, or -1 on a bad character, a bad length
 * (one leftover character), bad padding, or out too small. */
int netdoc_base64_decode(const char *s, size_t n, uint8_t *out, size_t outcap, size_t *outlen);

/** Decode base64 s[0..n) that must decode to exactly want bytes (no
 * whitespace allowed; padding optional).  Returns 0 or -1. */
int netdoc_base64_decode_exact(const char *s, size_t n, uint8_t *out, size_t want);

/** Encode in[0..n) as base64 WITHOUT padding and without line breaks, NUL-terminated,
 * into out (capacity outcap, at least (n*4+2)/3 + 1).  Returns the length
 * written (not counting the NUL), or (size_t)-1 if out is too small. */
size_t netdoc_base64_encode(const uint8_t *in, size_t n, char *out, size_t outcap);

/** Decode exactly 2*want hex digits (either case) from s[0..n) into out.
 * Returns 0, or -1 if n != 2*want or a character is not a hex digit. */
int netdoc_hex_decode(const char *s, size_t n, uint8_t *out, size_t want);

/** Parse "YYYY-MM-DD HH:MM:SS" (exactly 19 bytes in s[0..n), UTC) into seconds
 * since 1970-01-01 without timegm.  Years 1970..9999, real month lengths
 * (leap years), seconds 0..60 (a leap second counts as the next second).
 * Returns 0, or -1 if malformed. */
int netdoc_parse_time(const char *s, size_t n, int64_t *out);

/** Parse the time in arguments i and i+1 of it ("YYYY-MM-DD" "HH:MM:SS").
 * Returns 0, or -1 if absent or malformed. */
int netdoc_item_time(const netdoc_item_t *it, size_t i, int64_t *out);

/** Format t (seconds since the epoch, >= 0) as "YYYY-MM-DD HH:MM:SS" into
 * out[20] (NUL-terminated).  Returns 0, or -1 if t is out of 1970..9999. */
int netdoc_format_time(int64_t t, char out[20]);

/** Parse a decimal unsigned integer from s[0..n) (digits only, no sign, at
 * least one digit) that is <= max.  Returns 0, or -1. */
int netdoc_parse_uint(const char *s, size_t n, uint64_t max, uint64_t *out);

/** Parse a decimal signed integer ("-12", "7") in [min, max].  Returns 0 or -1. */
int netdoc_parse_int(const char *s, size_t n, int64_t min, int64_t max, int64_t *out);

#endif
