/* fuzz_policy_summary.c — exit-policy summaries: parse; a parsed summary is
 * sorted and disjoint, writes a canonical line that parses back to itself,
 * and answers allows_port like a linear scan. */
#include "../fuzz_common.h"

#include "proto/nodedoc/policy_summary.h"

static int
linear_allows(const policy_summary_t *p, unsigned port)
{
  int in = 0;
  for (size_t i = 0; i < p->n_ranges; i++)
    if (port >= p->ranges[i].lo && port <= p->ranges[i].hi)
      in = 1;
  return p->accept ? in : !in;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  policy_summary_t *p = policy_summary_parse((const char *)data, size);
  if (!p)
    return 0;
  FUZZ_CHECK(p->n_ranges >= 1 && p->n_ranges <= POLICY_SUMMARY_MAX_RANGES);
  for (size_t i = 0; i < p->n_ranges; i++) {
    FUZZ_CHECK(p->ranges[i].lo >= 1 && p->ranges[i].lo <= p->ranges[i].hi);
    if (i)
      FUZZ_CHECK(p->ranges[i].lo > p->ranges[i - 1].hi + 1u);
  }
  static const unsigned ports[] = { 0, 1, 2, 21, 22, 80, 443, 1023, 1024, 8080, 65534, 65535 };
  for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
    FUZZ_CHECK(policy_summary_allows_port(p, (uint16_t)ports[i]) ==
               (ports[i] ? linear_allows(p, ports[i]) : 0));
  for (size_t i = 0; i < p->n_ranges; i++) {
    FUZZ_CHECK(policy_summary_allows_port(p, p->ranges[i].lo) == linear_allows(p, p->ranges[i].lo));
    FUZZ_CHECK(policy_summary_allows_port(p, p->ranges[i].hi) == linear_allows(p, p->ranges[i].hi));
    if (p->ranges[i].hi < 65535)
      FUZZ_CHECK(policy_summary_allows_port(p, (uint16_t)(p->ranges[i].hi + 1)) ==
                 linear_allows(p, p->ranges[i].hi + 1u));
  }
  int any = 0;
  for (unsigned port = 1; port <= 65535 && !any; port += (port < 2048 ? 1 : 97))
    any = linear_allows(p, port);
  if (any)
    FUZZ_CHECK(policy_summary_allows_any(p));

  size_t n = policy_summary_write(p, NULL, 0);
  char *line = malloc(n + 1);
  FUZZ_CHECK(policy_summary_write(p, line, n + 1) == n && strlen(line) == n);
  policy_summary_t *q = policy_summary_parse(line, n);
  FUZZ_CHECK(q != NULL && q->accept == p->accept && q->n_ranges == p->n_ranges);
  FUZZ_CHECK(memcmp(q->ranges, p->ranges, p->n_ranges * sizeof(p->ranges[0])) == 0);
  policy_summary_free(q);
  free(line);
  policy_summary_free(p);
  return 0;
}
