/* vecfile.h — read `name = value` vector files from tests/vectors/. */
#ifndef EVONION_TEST_VECFILE_H
#define EVONION_TEST_VECFILE_H

#include <stddef.h>
#include <stdint.h>

/** Return the hex value of `name` in tests/vectors/<relpath> decoded into a
 * new malloc'd buffer (caller frees) and its length in *len.  Fails the
 * current test if the file or name is missing. */
uint8_t *vecfile_hex(const char *relpath, const char *name, size_t *len);

/** Return the decimal value of `name` in tests/vectors/<relpath>. */
long long vecfile_num(const char *relpath, const char *name);

#endif
