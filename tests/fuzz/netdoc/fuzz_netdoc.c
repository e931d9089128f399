/* fuzz_netdoc.c — libFuzzer target for the dir-spec meta-format tokenizer, the
 * token-table checker, base64 and the time parser (proto/netdoc/netdoc.h). */
#include "fuzz_common.h"

#include "proto/netdoc/netdoc.h"

static const netdoc_rule_t rules[] = {
  { "network-status-version", 1, 2, NETDOC_OBJ_FORBIDDEN,
    NETDOC_RULE_EXACTLY_ONCE | NETDOC_RULE_AT_START },
  { "r", 6, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN, 0 },
  { "directory-signature", 2, 3, NETDOC_OBJ_REQUIRED, 0 },
  { "dir-key-certification", 0, 0, NETDOC_OBJ_REQUIRED, NETDOC_RULE_ONCE | NETDOC_RULE_AT_END },
};

static void
check_items(const netdoc_t *d, size_t size)
{
  size_t prev_end = 0;
  for (size_t i = 0; i < d->n_items; i++) {
    const netdoc_item_t *it = &d->items[i];
    FUZZ_CHECK(it->start >= prev_end);
    FUZZ_CHECK(it->start < it->line_end && it->line_end <= it->end && it->end <= size);
    FUZZ_CHECK(it->kw == d->text + it->start && it->kw_len > 0);
    FUZZ_CHECK(it->has_object || it->end == it->line_end);
    for (size_t a = 0; a < it->n_args; a++) {
      FUZZ_CHECK(it->args[a].len > 0);
      FUZZ_CHECK(it->args[a].s >= d->text + it->start &&
                 it->args[a].s + it->args[a].len <= d->text + it->line_end);
    }
    (void)netdoc_item_time(it, 0, &(int64_t){ 0 });
    prev_end = it->end;
  }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  netdoc_t d;
  netdoc_limits_t small = { 256, 16, 512, 64 };
  const char *text = (const char *)data;
  if (netdoc_tokenize(&d, text, size, NULL) == 0) {
    check_items(&d, size);
    (void)netdoc_check_rules(&d, 0, d.n_items, rules, sizeof(rules) / sizeof(rules[0]));
    if (d.n_items > 2)
      (void)netdoc_check_rules(&d, 1, d.n_items - 1, rules, sizeof(rules) / sizeof(rules[0]));
  } else {
    FUZZ_CHECK(d.error != NULL && d.n_items == 0);
  }
  netdoc_clear(&d);
  if (netdoc_tokenize(&d, text, size, &small) == 0)
    check_items(&d, size);
  netdoc_clear(&d);

  uint8_t out[1024];
  size_t n = 0;
  if (size <= 1024 && netdoc_base64_decode(text, size, out, sizeof(out), &n) == 0) {
    char enc[1400];
    size_t el = netdoc_base64_encode(out, n, enc, sizeof(enc));
    uint8_t back[1024];
    size_t bn = 0;
    FUZZ_CHECK(el != (size_t)-1);
    FUZZ_CHECK(netdoc_base64_decode(enc, el, back, sizeof(back), &bn) == 0);
    FUZZ_CHECK(bn == n && memcmp(back, out, n) == 0);
  }
  int64_t t;
  if (size >= 19 && netdoc_parse_time(text, 19, &t) == 0) {
    char s[20];
    int64_t t2;
    FUZZ_CHECK(netdoc_format_time(t, s) == 0);
    FUZZ_CHECK(netdoc_parse_time(s, 19, &t2) == 0 && t2 == t);
  }
  return 0;
}
