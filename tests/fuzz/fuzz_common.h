/* fuzz_common.h — shared bits of the proto fuzz targets. */
#ifndef EVONION_FUZZ_COMMON_H
#define EVONION_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** A round-trip or invariant failure: abort so that libFuzzer (or the replay
 *  test) reports it. */
#define FUZZ_CHECK(cond) do {                                              \
    if (!(cond)) {                                                         \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      abort();                                                             \
    }                                                                      \
  } while (0)

#endif
