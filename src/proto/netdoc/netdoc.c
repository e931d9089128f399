/* netdoc.c — the dir-spec §1.2 tokenizer and the token-table checker. */
#include "proto/netdoc/netdoc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/alloc.h"

#define BEGIN_PREFIX "-----BEGIN "
#define END_PREFIX "-----END "
#define DASHES "-----"

static int
is_ws(char c)
{
  return c == ' ' || c == '\t';
}

static int
is_alnum(char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int
fail(netdoc_t *doc, size_t offset, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(doc->errbuf_, sizeof(doc->errbuf_), fmt, ap);
  va_end(ap);
  doc->error = doc->errbuf_;
  doc->error_offset = offset;
  return -1;
}

/* Tokenizer state for one document. */
typedef struct tok_state_t {
  netdoc_t *doc;
  netdoc_limits_t lim;
  size_t pos;  /* start of the current line */
} tok_state_t;

/* The line starting at pos: its length without NL, and where the next one starts. */
static void
line_at(const netdoc_t *doc, size_t pos, size_t *line_len, size_t *next)
{
  const char *nl = memchr(doc->text + pos, '\n', doc->len - pos);
  if (nl) {
    *line_len = (size_t)(nl - (doc->text + pos));
    *next = *line_len + pos + 1;
  } else {
    *line_len = doc->len - pos;
    *next = doc->len;
  }
}

static netdoc_item_t *
new_item(tok_state_t *st)
{
  netdoc_t *doc = st->doc;
  if (doc->n_items >= st->lim.max_items)
    return NULL;
  if (doc->n_items == doc->cap_items_) {
    size_t cap = doc->cap_items_ ? doc->cap_items_ * 2 : 64;
    doc->items = x_realloc(doc->items, cap * sizeof(*doc->items));
    doc->cap_items_ = cap;
  }
  netdoc_item_t *it = &doc->items[doc->n_items++];
  memset(it, 0, sizeof(*it));
  return it;
}

static void
push_arg(netdoc_t *doc, const char *s, size_t len)
{
  if (doc->n_args_ == doc->cap_args_) {
    size_t cap = doc->cap_args_ ? doc->cap_args_ * 2 : 256;
    doc->args_ = x_realloc(doc->args_, cap * sizeof(*doc->args_));
    doc->cap_args_ = cap;
  }
  doc->args_[doc->n_args_].s = s;
  doc->args_[doc->n_args_].len = len;
  doc->n_args_++;
}

/* Parse the keyword line text[pos..pos+n) into it.  Returns 0 or -1. */
static int
parse_keyword_line(tok_state_t *st, netdoc_item_t *it, size_t n)
{
  netdoc_t *doc = st->doc;
  const char *line = doc->text + st->pos;
  size_t k = 0;
  if (!is_alnum(line[0]))
    return fail(doc, st->pos, "line does not start with a keyword");
  while (k < n && (is_alnum(line[k]) || line[k] == '-'))
    k++;
  if (k < n && !is_ws(line[k]))
    return fail(doc, st->pos, "bad character in keyword");
  it->kw = line;
  it->kw_len = k;
  it->args_idx_ = doc->n_args_;
  size_t end = n;
  while (end > k && is_ws(line[end - 1]))
    end--;
  size_t i = k;
  while (i < end && is_ws(line[i]))
    i++;
  it->rest = line + i;
  it->rest_len = end - i;
  while (i < end) {
    size_t a = i;
    while (i < end && !is_ws(line[i]))
      i++;
    if (it->n_args >= st->lim.max_args)
      return fail(doc, st->pos, "more than %zu arguments on a line", st->lim.max_args);
    push_arg(doc, line + a, i - a);
    it->n_args++;
    while (i < end && is_ws(line[i]))
      i++;
  }
  return 0;
}

/* A BEGIN/END line's type: line[0..n) must be prefix Type "-----" with Type a
 * non-empty run of keyword characters and single spaces. */
static int
object_type(const char *line, size_t n, const char *prefix, const char **type, size_t *type_len)
{
  size_t pl = strlen(prefix);
  if (n < pl + 1 + 5 || memcmp(line, prefix, pl) != 0 || memcmp(line + n - 5, DASHES, 5) != 0)
    return -1;
  const char *t = line + pl;
  size_t tl = n - pl - 5;
  if (!is_alnum(t[0]) || !is_alnum(t[tl - 1]))
    return -1;
  for (size_t i = 0; i < tl; i++) {
    if (!(is_alnum(t[i]) || t[i] == '-' || (t[i] == ' ' && t[i - 1] != ' ')))
      return -1;
  }
  *type = t;
  *type_len = tl;
  return 0;
}

/* Decode an object body into the object arena; records the arena offset. */
static int
store_object(tok_state_t *st, netdoc_item_t *it, size_t body, size_t body_len)
{
  netdoc_t *doc = st->doc;
  size_t need = NETDOC_BASE64_DECODED_MAX(body_len);
  if (doc->objbuf_cap_ - doc->objbuf_len_ < need) {
    size_t cap = doc->objbuf_cap_ ? doc->objbuf_cap_ : 1024;
    while (cap - doc->objbuf_len_ < need)
      cap *= 2;
    doc->objbuf_ = x_realloc(doc->objbuf_, cap);
    doc->objbuf_cap_ = cap;
  }
  size_t got = 0;
  if (netdoc_base64_decode(doc->text + body, body_len, doc->objbuf_ + doc->objbuf_len_, need,
                           &got) < 0)
    return fail(doc, body, "bad base64 in object");
  it->obj_off_ = doc->objbuf_len_;
  it->obj_len = got;
  doc->objbuf_len_ += got;
  return 0;
}

/* With st->pos at a BEGIN line after item it: parse the object through its END
 * line and leave st->pos after it.  Returns 0 or -1. */
static int
parse_object(tok_state_t *st, netdoc_item_t *it, size_t begin_len, size_t next)
{
  netdoc_t *doc = st->doc;
  if (object_type(doc->text + st->pos, begin_len, BEGIN_PREFIX, &it->obj_type,
                  &it->obj_type_len) < 0)
    return fail(doc, st->pos, "malformed object BEGIN line");
  size_t body = next, pos = next;
  for (;;) {
    if (pos >= doc->len)
      return fail(doc, st->pos, "object not terminated");
    size_t n, nx;
    line_at(doc, pos, &n, &nx);
    if (n > st->lim.max_line_len)
      return fail(doc, pos, "line longer than %zu bytes", st->lim.max_line_len);
    if (n >= 9 && memcmp(doc->text + pos, END_PREFIX, 9) == 0) {
      const char *t;
      size_t tl;
      if (object_type(doc->text + pos, n, END_PREFIX, &t, &tl) < 0)
        return fail(doc, pos, "malformed object END line");
      if (tl != it->obj_type_len || memcmp(t, it->obj_type, tl) != 0)
        return fail(doc, pos, "object END type does not match BEGIN");
      if (store_object(st, it, body, pos - body) < 0)
        return -1;
      it->has_object = 1;
      it->end = nx;
      st->pos = nx;
      return 0;
    }
    if (pos - body + n > st->lim.max_object_len)
      return fail(doc, body, "object larger than %zu bytes", st->lim.max_object_len);
    pos = nx;
  }
}

static void
normalize_limits(netdoc_limits_t *out, const netdoc_limits_t *in)
{
  netdoc_limits_t z = {0};
  *out = in ? *in : z;
  if (!out->max_line_len)
    out->max_line_len = NETDOC_DEFAULT_MAX_LINE_LEN;
  if (!out->max_args)
    out->max_args = NETDOC_DEFAULT_MAX_ARGS;
  if (!out->max_object_len)
    out->max_object_len = NETDOC_DEFAULT_MAX_OBJECT_LEN;
  if (!out->max_items)
    out->max_items = NETDOC_DEFAULT_MAX_ITEMS;
}

static int
blank_line(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (!is_ws(s[i]))
      return 0;
  return 1;
}

/* Size the item and argument arrays from the number of lines (capped), so
 * that a large document is not copied by repeated doubling. */
static void
presize(tok_state_t *st)
{
  netdoc_t *doc = st->doc;
  size_t lines = 0;
  const char *p = doc->text, *end = doc->text + doc->len;
  while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
    lines++;
    p++;
  }
  if (lines > st->lim.max_items)
    lines = st->lim.max_items;
  if (lines < 64 || lines <= doc->cap_items_)
    return;
  x_free(doc->items);
  doc->cap_items_ = lines;
  doc->items = x_malloc(lines * sizeof(*doc->items));
  if (doc->cap_args_ < lines * 4) {
    x_free(doc->args_);
    doc->cap_args_ = lines * 4;
    doc->args_ = x_malloc(doc->cap_args_ * sizeof(*doc->args_));
  }
}

/* Tokenize every line; on failure doc->error is set. */
static int
tokenize_all(tok_state_t *st)
{
  netdoc_t *doc = st->doc;
  while (st->pos < doc->len) {
    size_t n, next;
    line_at(doc, st->pos, &n, &next);
    if (n > st->lim.max_line_len)
      return fail(doc, st->pos, "line longer than %zu bytes", st->lim.max_line_len);
    if ((n == 0 || is_ws(doc->text[st->pos])) && blank_line(doc->text + st->pos, n)) {
      st->pos = next;
      continue;
    }
    netdoc_item_t *it = new_item(st);
    if (!it)
      return fail(doc, st->pos, "more than %zu items", st->lim.max_items);
    it->start = st->pos;
    if (parse_keyword_line(st, it, n) < 0)
      return -1;
    it->line_end = it->end = next;
    st->pos = next;
    if (st->pos < doc->len) {
      line_at(doc, st->pos, &n, &next);
      if (n > st->lim.max_line_len)
        return fail(doc, st->pos, "line longer than %zu bytes", st->lim.max_line_len);
      if (n >= 5 && memcmp(doc->text + st->pos, DASHES, 5) == 0 &&
          parse_object(st, it, n, next) < 0)
        return -1;
    }
  }
  return 0;
}

/* Tokenize into doc, reusing whatever arrays it holds.  On failure n_items is 0. */
static int
tokenize_into(netdoc_t *doc, const char *text, size_t len, const netdoc_limits_t *lim)
{
  tok_state_t st;
  doc->text = text;
  doc->len = len;
  doc->n_items = doc->n_args_ = doc->objbuf_len_ = 0;
  doc->error = NULL;
  doc->error_offset = 0;
  st.doc = doc;
  st.pos = 0;
  normalize_limits(&st.lim, lim);
  if (len && memchr(text, '\0', len))
    return fail(doc, (size_t)((const char *)memchr(text, '\0', len) - text), "NUL byte in document");
  presize(&st);
  if (tokenize_all(&st) < 0) {
    doc->n_items = 0;
    return -1;
  }
  for (size_t i = 0; i < doc->n_items; i++) {
    netdoc_item_t *it = &doc->items[i];
    it->args = it->n_args ? doc->args_ + it->args_idx_ : NULL;
    if (it->has_object)
      it->obj = doc->objbuf_ + it->obj_off_;
  }
  return 0;
}

int
netdoc_tokenize(netdoc_t *doc, const char *text, size_t len, const netdoc_limits_t *lim)
{
  memset(doc, 0, sizeof(*doc));
  if (tokenize_into(doc, text, len, lim) == 0)
    return 0;
  size_t off = doc->error_offset;
  char saved[sizeof(doc->errbuf_)];
  memcpy(saved, doc->errbuf_, sizeof(saved));
  netdoc_clear(doc);
  memcpy(doc->errbuf_, saved, sizeof(saved));
  doc->error = doc->errbuf_;
  doc->error_offset = off;
  doc->text = text;
  doc->len = len;
  return -1;
}

int
netdoc_tokenize_reuse(netdoc_t *doc, const char *text, size_t len, const netdoc_limits_t *lim)
{
  return tokenize_into(doc, text, len, lim);
}

void
netdoc_clear(netdoc_t *doc)
{
  if (!doc)
    return;
  x_free(doc->items);
  x_free(doc->args_);
  x_free(doc->objbuf_);
  memset(doc, 0, sizeof(*doc));
}

int
netdoc_item_is(const netdoc_item_t *it, const char *kw)
{
  size_t n = strlen(kw);
  return it->kw_len == n && memcmp(it->kw, kw, n) == 0;
}

int
netdoc_arg_is(const netdoc_item_t *it, size_t i, const char *s)
{
  size_t n = strlen(s);
  return i < it->n_args && it->args[i].len == n && memcmp(it->args[i].s, s, n) == 0;
}

int
netdoc_obj_is(const netdoc_item_t *it, const char *type)
{
  size_t n = strlen(type);
  return it->has_object && it->obj_type_len == n && memcmp(it->obj_type, type, n) == 0;
}

size_t
netdoc_find(const netdoc_t *doc, size_t from, size_t to, const char *kw)
{
  if (to > doc->n_items)
    to = doc->n_items;
  for (size_t i = from; i < to; i++)
    if (netdoc_item_is(&doc->items[i], kw))
      return i;
  return (size_t)-1;
}

/* Check one item against its rule r (index ri) given its position. */
static int
check_item(netdoc_t *doc, const netdoc_item_t *it, const netdoc_rule_t *r, unsigned count,
           int first, int last)
{
  if (it->n_args < r->min_args)
    return fail(doc, it->start, "\"%s\": too few arguments", r->kw);
  if (r->max_args != NETDOC_ARGS_ANY && it->n_args > r->max_args)
    return fail(doc, it->start, "\"%s\": too many arguments", r->kw);
  if (r->obj == NETDOC_OBJ_REQUIRED && !it->has_object)
    return fail(doc, it->start, "\"%s\": object missing", r->kw);
  if (r->obj == NETDOC_OBJ_FORBIDDEN && it->has_object)
    return fail(doc, it->start, "\"%s\": unexpected object", r->kw);
  if ((r->flags & NETDOC_RULE_ONCE) && count > 1)
    return fail(doc, it->start, "\"%s\": appears more than once", r->kw);
  if ((r->flags & NETDOC_RULE_AT_START) && !first)
    return fail(doc, it->start, "\"%s\": must come first", r->kw);
  if ((r->flags & NETDOC_RULE_AT_END) && !last)
    return fail(doc, it->start, "\"%s\": must come last", r->kw);
  return 0;
}

int
netdoc_check_rules(netdoc_t *doc, size_t from, size_t to, const netdoc_rule_t *rules,
                   size_t n_rules)
{
  unsigned counts[NETDOC_MAX_RULES];
  if (n_rules > NETDOC_MAX_RULES)
    return fail(doc, 0, "token table too large");
  if (to > doc->n_items)
    to = doc->n_items;
  memset(counts, 0, sizeof(counts));
  for (size_t i = from; i < to; i++) {
    const netdoc_item_t *it = &doc->items[i];
    for (size_t r = 0; r < n_rules; r++) {
      if (!netdoc_item_is(it, rules[r].kw))
        continue;
      counts[r]++;
      if (check_item(doc, it, &rules[r], counts[r], i == from, i + 1 == to) < 0)
        return -1;
      break;
    }
  }
  for (size_t r = 0; r < n_rules; r++) {
    if ((rules[r].flags & NETDOC_RULE_REQUIRED) && counts[r] == 0)
      return fail(doc, from < doc->n_items ? doc->items[from].start : doc->len,
                  "\"%s\": missing", rules[r].kw);
  }
  return 0;
}
