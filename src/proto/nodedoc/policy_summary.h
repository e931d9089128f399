/* policy_summary.h — exit-policy summaries as microdescriptors carry them
 * (dir-spec §3.3 "p" / "p6" lines: "accept|reject PortList", PortList =
 * comma-separated ports or ranges "lo-hi", ascending).
 *
 * A missing "p" line means "reject 1-65535". */
#ifndef EVONION_PROTO_NODEDOC_POLICY_SUMMARY_H
#define EVONION_PROTO_NODEDOC_POLICY_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

/** At most this many ranges in one summary (tor caps the line at 1000 bytes). */
#define POLICY_SUMMARY_MAX_RANGES 512

typedef struct policy_port_range_t {
  uint16_t lo, hi;             /**< inclusive, 1 <= lo <= hi */
} policy_port_range_t;

typedef struct policy_summary_t {
  int accept;                  /**< 1: the ranges are accepted, the rest rejected; 0: the reverse */
  size_t n_ranges;
  policy_port_range_t *ranges; /**< ascending, non-overlapping */
} policy_summary_t;

/** Parse "accept 80,443,1000-2000" or "reject 1-65535" (the text after
 *  the "p"/"p6" keyword, no newline).  Returns a new summary (free with
 *  policy_summary_free) or NULL on a malformed or oversized line. */
policy_summary_t *policy_summary_parse(const char *s, size_t len);

/** A summary that rejects every port (what a missing "p" line means). */
policy_summary_t *policy_summary_new_reject_all(void);

/** 1 if the summary allows connections to port (1..65535), else 0. */
int policy_summary_allows_port(const policy_summary_t *p, uint16_t port);

/** 1 if the summary allows at least one port, else 0. */
int policy_summary_allows_any(const policy_summary_t *p);

/** Write p as its canonical line ("accept 80,443,1000-2000") into buf
 *  (NUL-terminated, truncated to buflen).  Returns the length the whole
 *  line needs, without the NUL (as snprintf does). */
size_t policy_summary_write(const policy_summary_t *p, char *buf, size_t buflen);

/** Free p (NULL is fine). */
void policy_summary_free(policy_summary_t *p);

#endif
