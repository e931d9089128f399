/* bench_util.h — shared by the micro-benchmarks: a process CPU-time clock
 * (like `openssl speed`, so a loaded machine skews less) and the report line
 * "<name> <chunk-bytes> <MB/s>" (MB = 10^6 bytes). */
#ifndef EVONION_BENCH_UTIL_H
#define EVONION_BENCH_UTIL_H

#include <stddef.h>

/** Process CPU seconds (user + system). */
double bench_cpu_now(void);
/** Print one measurement line. */
void bench_report(const char *name, size_t chunk, double bytes, double secs);

#endif
