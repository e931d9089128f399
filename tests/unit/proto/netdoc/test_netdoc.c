/* test_netdoc.c — the dir-spec meta-format tokenizer, token tables, base64,
 * hex, integers and times. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/netdoc/netdoc.h"
#include "testutil.h"

#define OBJ "-----BEGIN K-----\nAAAA\n-----END K-----\n"

static int
tok(netdoc_t *d, const char *s)
{
  return netdoc_tokenize(d, s, strlen(s), NULL);
}

static int
arg_eq(const netdoc_item_t *it, size_t i, const char *s)
{
  return netdoc_arg_is(it, i, s);
}

START_TEST(test_items_and_offsets)
{
  static const char doc_text[] =
    "alpha 1 two\tthree  \n"
    "\n"
    "beta\n"
    "gamma x\n"
    "-----BEGIN TEST OBJECT-----\n"
    "aGVsbG8g\n"
    "d29ybGQ=\n"
    "-----END TEST OBJECT-----\n"
    "delta-2 last";
  netdoc_t d;
  ck_assert_int_eq(tok(&d, doc_text), 0);
  ck_assert_uint_eq(d.n_items, 4);
  const netdoc_item_t *a = &d.items[0], *b = &d.items[1], *g = &d.items[2], *e = &d.items[3];
  ck_assert(netdoc_item_is(a, "alpha"));
  ck_assert(!netdoc_item_is(a, "alph"));
  ck_assert_uint_eq(a->n_args, 3);
  ck_assert(arg_eq(a, 0, "1") && arg_eq(a, 1, "two") && arg_eq(a, 2, "three"));
  ck_assert(!arg_eq(a, 3, "three"));
  ck_assert_uint_eq(a->rest_len, strlen("1 two\tthree"));
  ck_assert(memcmp(a->rest, "1 two\tthree", a->rest_len) == 0);
  ck_assert_uint_eq(a->start, 0);
  ck_assert_uint_eq(a->end, strlen("alpha 1 two\tthree  \n"));
  ck_assert(netdoc_item_is(b, "beta"));
  ck_assert_uint_eq(b->n_args, 0);
  ck_assert_uint_eq(b->rest_len, 0);
  ck_assert_uint_eq(b->start, strlen("alpha 1 two\tthree  \n\n"));
  ck_assert(netdoc_item_is(g, "gamma"));
  ck_assert(g->has_object);
  ck_assert(netdoc_obj_is(g, "TEST OBJECT"));
  ck_assert(!netdoc_obj_is(g, "TEST"));
  ck_assert_uint_eq(g->obj_len, 11);
  ck_assert(memcmp(g->obj, "hello world", 11) == 0);
  ck_assert_uint_eq(g->line_end, g->start + strlen("gamma x\n"));
  const char *endline = strstr(doc_text, "-----END TEST OBJECT-----\n");
  ck_assert_uint_eq(g->end, (size_t)(endline - doc_text) + strlen("-----END TEST OBJECT-----\n"));
  ck_assert(netdoc_item_is(e, "delta-2"));
  ck_assert_uint_eq(e->end, strlen(doc_text)); /* last line without NL */
  ck_assert(!e->has_object);
  ck_assert_uint_eq(netdoc_find(&d, 0, d.n_items, "gamma"), 2);
  ck_assert_uint_eq(netdoc_find(&d, 3, d.n_items, "gamma"), (size_t)-1);
  netdoc_clear(&d);
  netdoc_clear(&d); /* twice is fine */
  netdoc_clear(NULL);
}
END_TEST

START_TEST(test_empty_document)
{
  netdoc_t d;
  ck_assert_int_eq(netdoc_tokenize(&d, "", 0, NULL), 0);
  ck_assert_uint_eq(d.n_items, 0);
  netdoc_clear(&d);
  ck_assert_int_eq(tok(&d, "\n\n  \n"), 0);
  ck_assert_uint_eq(d.n_items, 0);
  netdoc_clear(&d);
}
END_TEST

/* Each of these documents must be refused. */
START_TEST(test_malformed)
{
  static const char *const bad[] = {
    " leading-space\n",
    "-dash-first\n",
    "bad_underscore x\n",
    "kw\n-----BEGIN X-----\nAAAA\n",                   /* unterminated object */
    "kw\n-----BEGIN X-----\nAAAA\n-----END Y-----\n",   /* type mismatch */
    "kw\n-----BEGIN X----\nAAAA\n-----END X----\n",     /* 4 dashes */
    "kw\n-----BEGIN -----\n-----END -----\n",           /* empty type */
    "kw\n-----BEGIN A  B-----\n-----END A  B-----\n",   /* double space in type */
    "kw\n-----BEGIN X-----\nAA!A\n-----END X-----\n",   /* bad base64 */
    "kw\n-----BEGIN X-----\nA\n-----END X-----\n",      /* 1 leftover base64 char */
    "-----BEGIN X-----\nAAAA\n-----END X-----\n",       /* object without keyword */
    "kw\n-----BEGIN X-----\nAAAA\n-----END X-----\n-----BEGIN X-----\nAAAA\n-----END X-----\n",
    "kw\n-----\n",
    "kw\n-----END X-----\n",
    "kw\n-----BEGIN X-----",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    netdoc_t d;
    ck_assert_msg(tok(&d, bad[i]) == -1, "accepted bad document %d", (int)i);
    ck_assert_ptr_nonnull(d.error);
    ck_assert_uint_eq(d.n_items, 0);
    ck_assert_ptr_null(d.items);
    netdoc_clear(&d);
  }
  /* an embedded NUL */
  netdoc_t d;
  ck_assert_int_eq(netdoc_tokenize(&d, "a b\0c\n", 6, NULL), -1);
  ck_assert_uint_eq(d.error_offset, 3);
  netdoc_clear(&d);
  /* the error offset names the bad line */
  ck_assert_int_eq(tok(&d, "good\nbad_kw\n"), -1);
  ck_assert_uint_eq(d.error_offset, 5);
  netdoc_clear(&d);
}
END_TEST

START_TEST(test_reuse)
{
  netdoc_t d;
  memset(&d, 0, sizeof(d));
  ck_assert_int_eq(netdoc_tokenize_reuse(&d, "a 1\nb\n" OBJ, strlen("a 1\nb\n" OBJ), NULL), 0);
  ck_assert_uint_eq(d.n_items, 2);
  ck_assert(d.items[1].has_object && d.items[1].obj_len == 3);
  /* a failure keeps the arrays but leaves no items */
  ck_assert_int_eq(netdoc_tokenize_reuse(&d, "bad_kw\n", 7, NULL), -1);
  ck_assert_uint_eq(d.n_items, 0);
  ck_assert_ptr_nonnull(d.error);
  /* the next document starts from scratch */
  ck_assert_int_eq(netdoc_tokenize_reuse(&d, "c x y z\n", 8, NULL), 0);
  ck_assert_uint_eq(d.n_items, 1);
  ck_assert(netdoc_item_is(&d.items[0], "c") && d.items[0].n_args == 3);
  ck_assert(arg_eq(&d.items[0], 2, "z"));
  ck_assert(!d.items[0].has_object);
  netdoc_clear(&d);
}
END_TEST

START_TEST(test_limits)
{
  netdoc_t d;
  netdoc_limits_t lim = { .max_line_len = 8, .max_args = 2, .max_object_len = 8, .max_items = 3 };
  ck_assert_int_eq(netdoc_tokenize(&d, "a 1234\n", 7, &lim), 0);       /* 6 bytes */
  netdoc_clear(&d);
  ck_assert_int_eq(netdoc_tokenize(&d, "a 1234567\n", 10, &lim), -1);  /* 9 bytes */
  ck_assert_int_eq(netdoc_tokenize(&d, "a 1 2\n", 6, &lim), 0);
  netdoc_clear(&d);
  ck_assert_int_eq(netdoc_tokenize(&d, "a 1 2 3\n", 8, &lim), -1);
  ck_assert_int_eq(netdoc_tokenize(&d, "a\nb\nc\n", 6, &lim), 0);
  netdoc_clear(&d);
  ck_assert_int_eq(netdoc_tokenize(&d, "a\nb\nc\nd\n", 8, &lim), -1);
  lim.max_line_len = 32;
  static const char obj_ok[] = "a\n-----BEGIN X-----\nAAAA\nAAA\n-----END X-----\n";
  ck_assert_int_eq(netdoc_tokenize(&d, obj_ok, strlen(obj_ok), &lim), 0); /* 4+1+3 = 8 */
  ck_assert_uint_eq(d.items[0].obj_len, 5);
  netdoc_clear(&d);
  static const char obj_big[] = "a\n-----BEGIN X-----\nAAAA\nAAAA\n-----END X-----\n";
  ck_assert_int_eq(netdoc_tokenize(&d, obj_big, strlen(obj_big), &lim), -1);
  ck_assert(strstr(d.error, "object larger") != NULL);
  /* a long BEGIN line is a long line */
  netdoc_limits_t lim2 = { .max_line_len = 12 };
  static const char longbegin[] = "a\n-----BEGIN XYZ-----\n-----END XYZ-----\n";
  ck_assert_int_eq(netdoc_tokenize(&d, longbegin, strlen(longbegin), &lim2), -1);
}
END_TEST

static const netdoc_rule_t rules[] = {
  { "first", 1, 1, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_EXACTLY_ONCE | NETDOC_RULE_AT_START },
  { "key", 0, 0, NETDOC_OBJ_REQUIRED, NETDOC_RULE_EXACTLY_ONCE },
  { "maybe", 0, NETDOC_ARGS_ANY, NETDOC_OBJ_OPTIONAL, 0 },
  { "last", 0, 0, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_ONCE | NETDOC_RULE_AT_END },
};
#define N_RULES (sizeof(rules) / sizeof(rules[0]))

static int
check(const char *text)
{
  netdoc_t d;
  ck_assert_int_eq(tok(&d, text), 0);
  int r = netdoc_check_rules(&d, 0, d.n_items, rules, N_RULES);
  if (r < 0)
    ck_assert_ptr_nonnull(d.error);
  netdoc_clear(&d);
  return r;
}


START_TEST(test_rules)
{
  ck_assert_int_eq(check("first 1\nkey\n" OBJ "unknown 1 2 3\n" OBJ "maybe\nmaybe 1 2\n" OBJ
                         "last\n"), 0);
  ck_assert_int_eq(check("first 1\nkey\n" OBJ), 0);             /* last is optional */
  ck_assert_int_eq(check("key\n" OBJ "first 1\n"), -1);          /* not at start */
  ck_assert_int_eq(check("first\nkey\n" OBJ), -1);               /* too few args */
  ck_assert_int_eq(check("first 1 2\nkey\n" OBJ), -1);           /* too many */
  ck_assert_int_eq(check("first 1\nkey\n"), -1);                 /* object missing */
  ck_assert_int_eq(check("first 1\n" OBJ "key\n" OBJ), -1);      /* object forbidden */
  ck_assert_int_eq(check("first 1\n"), -1);                      /* key missing */
  ck_assert_int_eq(check("first 1\nkey\n" OBJ "key\n" OBJ), -1); /* twice */
  ck_assert_int_eq(check("first 1\nlast\nkey\n" OBJ), -1);       /* last not last */
  /* sections: the same table over a sub-range */
  netdoc_t d;
  ck_assert_int_eq(tok(&d, "junk\nfirst 1\nkey\n" OBJ "junk\n"), 0);
  ck_assert_int_eq(netdoc_check_rules(&d, 1, 3, rules, N_RULES), 0);
  ck_assert_int_eq(netdoc_check_rules(&d, 0, 3, rules, N_RULES), -1);
  ck_assert(strstr(d.error, "\"first\"") != NULL);
  netdoc_clear(&d);
}
END_TEST

START_TEST(test_base64)
{
  uint8_t out[64];
  size_t n = 0;
  static const struct { const char *in; const char *out; } ok[] = {
    { "", "" }, { "Zg", "f" }, { "Zg==", "f" }, { "Zm8", "fo" }, { "Zm8=", "fo" },
    { "Zm9v", "foo" }, { "Zm9vYg", "foob" }, { "Zm9v\nYmFy\n", "foobar" },
    { " Zm 9v\tYm\r\nE ", "fooba" },
  };
  for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
    ck_assert_msg(netdoc_base64_decode(ok[i].in, strlen(ok[i].in), out, sizeof(out), &n) == 0,
                  "refused %s", ok[i].in);
    ck_assert_uint_eq(n, strlen(ok[i].out));
    ck_assert(memcmp(out, ok[i].out, n) == 0);
  }
  static const char *const bad[] = { "Z", "Zm9vY", "Zg=", "Zg===", "Z===", "Zg==Zg", "Zm9v=",
                                     "Zm-v", "Zm_v", "Zm9v\x80" };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    ck_assert_msg(netdoc_base64_decode(bad[i], strlen(bad[i]), out, sizeof(out), &n) == -1,
                  "accepted %s", bad[i]);
  ck_assert_int_eq(netdoc_base64_decode("Zm9vYmFy", 8, out, 5, &n), -1); /* out too small */

  /* exact: no whitespace, exact length */
  ck_assert_int_eq(netdoc_base64_decode_exact("Zm9v", 4, out, 3), 0);
  ck_assert_int_eq(netdoc_base64_decode_exact("Zm9v", 4, out, 2), -1);
  ck_assert_int_eq(netdoc_base64_decode_exact("Zm 9v", 5, out, 3), -1);

  /* encode: unpadded, round trip over every length */
  char enc[128];
  ck_assert_uint_eq(netdoc_base64_encode((const uint8_t *)"foob", 4, enc, sizeof(enc)), 6);
  ck_assert_str_eq(enc, "Zm9vYg");
  ck_assert_uint_eq(netdoc_base64_encode((const uint8_t *)"foob", 4, enc, 6), (size_t)-1);
  uint64_t st = 7;
  for (size_t len = 0; len < 40; len++) {
    uint8_t raw[40];
    testutil_fill_random(raw, len, &st);
    size_t el = netdoc_base64_encode(raw, len, enc, sizeof(enc));
    ck_assert_uint_eq(el, (len * 4 + 2) / 3);
    ck_assert_ptr_null(strchr(enc, '='));
    ck_assert_int_eq(netdoc_base64_decode(enc, el, out, sizeof(out), &n), 0);
    ck_assert_uint_eq(n, len);
    ck_assert(memcmp(out, raw, len) == 0);
  }
}
END_TEST

START_TEST(test_hex_and_ints)
{
  uint8_t b[4];
  ck_assert_int_eq(netdoc_hex_decode("00aBFf10", 8, b, 4), 0);
  ck_assert(b[0] == 0 && b[1] == 0xab && b[2] == 0xff && b[3] == 0x10);
  ck_assert_int_eq(netdoc_hex_decode("00aBFf1", 7, b, 4), -1);
  ck_assert_int_eq(netdoc_hex_decode("00aBFg10", 8, b, 4), -1);
  uint64_t u;
  ck_assert_int_eq(netdoc_parse_uint("65535", 5, 65535, &u), 0);
  ck_assert_uint_eq(u, 65535);
  ck_assert_int_eq(netdoc_parse_uint("65536", 5, 65535, &u), -1);
  ck_assert_int_eq(netdoc_parse_uint("", 0, 65535, &u), -1);
  ck_assert_int_eq(netdoc_parse_uint("+1", 2, 65535, &u), -1);
  ck_assert_int_eq(netdoc_parse_uint("18446744073709551615", 20, UINT64_MAX, &u), 0);
  ck_assert(u == UINT64_MAX);
  ck_assert_int_eq(netdoc_parse_uint("18446744073709551616", 20, UINT64_MAX, &u), -1);
  ck_assert_int_eq(netdoc_parse_uint("7", 1, 5, &u), -1);
  int64_t v;
  ck_assert_int_eq(netdoc_parse_int("-2147483648", 11, INT32_MIN, INT32_MAX, &v), 0);
  ck_assert(v == INT32_MIN);
  ck_assert_int_eq(netdoc_parse_int("-2147483649", 11, INT32_MIN, INT32_MAX, &v), -1);
  ck_assert_int_eq(netdoc_parse_int("2147483647", 10, INT32_MIN, INT32_MAX, &v), 0);
  ck_assert_int_eq(netdoc_parse_int("2147483648", 10, INT32_MIN, INT32_MAX, &v), -1);
  ck_assert_int_eq(netdoc_parse_int("-", 1, INT32_MIN, INT32_MAX, &v), -1);
  ck_assert_int_eq(netdoc_parse_int("-9223372036854775808", 20, INT64_MIN, INT64_MAX, &v), 0);
  ck_assert(v == INT64_MIN);
}
END_TEST

START_TEST(test_time)
{
  /* Reference values: `date -u -d '...' +%s` (GNU date). */
  static const struct { const char *s; int64_t t; } ok[] = {
    { "1970-01-01 00:00:00", 0 },
    { "2000-02-29 12:00:00", 951825600 },
    { "2026-11-29 13:31:40", 1795959100 },
    { "2038-01-01 00:00:00", 2145916800 },
    { "2100-03-01 00:00:00", 4107542400 },
    { "9999-12-31 23:59:59", 253402300799 },
  };
  for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
    int64_t t = -1;
    ck_assert_msg(netdoc_parse_time(ok[i].s, 19, &t) == 0, "refused %s", ok[i].s);
    ck_assert_msg(t == ok[i].t, "%s parsed to %lld", ok[i].s, (long long)t);
    char back[20];
    ck_assert_int_eq(netdoc_format_time(t, back), 0);
    ck_assert_str_eq(back, ok[i].s);
  }
  int64_t t;
  ck_assert_int_eq(netdoc_parse_time("2016-12-31 23:59:60", 19, &t), 0);
  ck_assert(t == 1483228800); /* the leap second counts as the next second */
  static const char *const bad[] = {
    "1969-12-31 23:59:59", "2026-13-01 00:00:00", "2026-00-01 00:00:00", "2026-02-29 00:00:00",
    "2100-02-29 00:00:00", "2026-04-31 00:00:00", "2026-01-01 24:00:00", "2026-01-01 00:60:00",
    "2026-01-01 00:00:61", "2026-01-01T00:00:00", "2026-1-01 00:00:00", "2026-01-01 00:00:0x",
    "+026-01-01 00:00:00",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    ck_assert_msg(netdoc_parse_time(bad[i], 19, &t) == -1, "accepted %s", bad[i]);
  ck_assert_int_eq(netdoc_parse_time("2026-01-01 00:00:00 ", 20, &t), -1);
  ck_assert_int_eq(netdoc_parse_time("2026-01-01 00:00:0", 18, &t), -1);
  char buf[20];
  ck_assert_int_eq(netdoc_format_time(-1, buf), -1);
  ck_assert_int_eq(netdoc_format_time(253402300800, buf), -1);

  /* two arguments of an item */
  netdoc_t d;
  ck_assert_int_eq(tok(&d, "valid-after 2026-11-29 13:31:40\nx 2026-11-29\ny 2026-11-29 1:31:40\n"),
                   0);
  ck_assert_int_eq(netdoc_item_time(&d.items[0], 0, &t), 0);
  ck_assert(t == 1795959100);
  ck_assert_int_eq(netdoc_item_time(&d.items[1], 0, &t), -1);
  ck_assert_int_eq(netdoc_item_time(&d.items[2], 0, &t), -1);
  netdoc_clear(&d);
}
END_TEST

/* The captured consensus: every line is one item or part of an object. */
START_TEST(test_real_consensus)
{
  char path[1024];
  snprintf(path, sizeof(path), "%s/tests/vectors/dir/consensus-microdesc", EVONION_SOURCE_ROOT);
  FILE *f = fopen(path, "rb");
  ck_assert_ptr_nonnull(f);
  static char buf[1 << 20];
  size_t n = fread(buf, 1, sizeof(buf), f);
  fclose(f);
  netdoc_t d;
  ck_assert_int_eq(netdoc_tokenize(&d, buf, n, NULL), 0);
  size_t lines = 0, obj_lines = 0, in_obj = 0;
  for (size_t i = 0; i < n; i++) {
    if (buf[i] != '\n')
      continue;
    lines++;
  }
  for (size_t i = 0; i < d.n_items; i++) {
    const netdoc_item_t *it = &d.items[i];
    ck_assert(i == 0 || it->start == d.items[i - 1].end); /* no gaps: no blank lines here */
    ck_assert(buf[it->end - 1] == '\n');
    if (it->has_object) {
      in_obj++;
      for (size_t k = it->line_end; k < it->end; k++)
        obj_lines += buf[k] == '\n';
      ck_assert(netdoc_obj_is(it, "SIGNATURE"));
      ck_assert(netdoc_item_is(it, "directory-signature"));
    }
  }
  ck_assert_uint_eq(d.items[d.n_items - 1].end, n);
  ck_assert_uint_eq(d.n_items + obj_lines, lines);
  ck_assert_uint_eq(in_obj, 3);
  netdoc_clear(&d);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("proto_netdoc");
  TESTUTIL_ADD(s, test_items_and_offsets, 10);
  TESTUTIL_ADD(s, test_empty_document, 10);
  TESTUTIL_ADD(s, test_malformed, 10);
  TESTUTIL_ADD(s, test_reuse, 10);
  TESTUTIL_ADD(s, test_limits, 10);
  TESTUTIL_ADD(s, test_rules, 10);
  TESTUTIL_ADD(s, test_base64, 10);
  TESTUTIL_ADD(s, test_hex_and_ints, 10);
  TESTUTIL_ADD(s, test_time, 10);
  TESTUTIL_ADD(s, test_real_consensus, 10);
  return s;
}
