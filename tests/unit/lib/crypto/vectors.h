/* vectors.h — reading known-answer files from tests/vectors/crypto/.
 *
 * Format: "[section]" lines start a section; records are blocks of
 * "Name = value" lines separated by blank lines; '#' lines are comments.
 * Values are hex unless read with vec_str(). */
#ifndef EVONION_TEST_CRYPTO_VECTORS_H
#define EVONION_TEST_CRYPTO_VECTORS_H

#include <stddef.h>
#include <stdint.h>

typedef struct vec_file_t vec_file_t;

/** Load tests/vectors/crypto/<name>; aborts the test (ck_abort) on failure. */
vec_file_t *vec_load(const char *name);
/** Free a loaded file. */
void vec_free(vec_file_t *vf);
/** Number of records in section (NULL: all sections). */
size_t vec_count(const vec_file_t *vf, const char *section);
/** Raw string value of key in the i-th record of section, or NULL if absent. */
const char *vec_str(const vec_file_t *vf, const char *section, size_t i, const char *key);
/** Hex-decode the value of key into a new malloc'd buffer (*len bytes).
 * Aborts the test if absent or not hex.  Caller frees. */
uint8_t *vec_hex(const vec_file_t *vf, const char *section, size_t i, const char *key,
                 size_t *len);
/** Hex-decode into a fixed buffer of exactly n bytes (aborts on mismatch). */
void vec_hex_n(const vec_file_t *vf, const char *section, size_t i, const char *key,
               uint8_t *out, size_t n);
/** Read a whole file under tests/vectors/crypto/ into a NUL-terminated malloc'd
 * buffer; *len gets its length.  Aborts on failure. */
char *vec_read_file(const char *name, size_t *len);

/** Decode base64 (whitespace ignored, '=' padding optional) into a new
 * malloc'd buffer; *len gets its length.  Aborts the test on bad input. */
uint8_t *vec_base64(const char *s, size_t n, size_t *len);
/** Find the first PEM block "-----BEGIN <label>-----" in text and return its
 * base64-decoded body (malloc'd, *len bytes).  Aborts if absent. */
uint8_t *vec_pem_body(const char *text, const char *label, size_t *len);

#endif
