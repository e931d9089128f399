/* microdesc.c — split, digest and parse microdescriptors (dir-spec §3.3). */
#include "proto/nodedoc/microdesc.h"

#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/crypto/digest.h"
#include "proto/netdoc/netdoc.h"

static const netdoc_rule_t md_rules[] = {
  { "onion-key", 0, NETDOC_ARGS_ANY, NETDOC_OBJ_OPTIONAL,
    NETDOC_RULE_EXACTLY_ONCE | NETDOC_RULE_AT_START },
  { "ntor-onion-key", 1, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_EXACTLY_ONCE },
  { "id", 2, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN, 0 },
  { "family", 0, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_ONCE },
  { "family-ids", 0, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_ONCE },
  { "p", 1, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_ONCE },
  { "p6", 1, NETDOC_ARGS_ANY, NETDOC_OBJ_FORBIDDEN, NETDOC_RULE_ONCE },
};

void
microdesc_free(microdesc_t *md)
{
  if (!md)
    return;
  for (size_t i = 0; i < md->n_family; i++)
    x_free(md->family[i]);
  x_free(md->family);
  for (size_t i = 0; i < md->n_family_ids; i++)
    x_free(md->family_ids[i]);
  x_free(md->family_ids);
  policy_summary_free(md->policy);
  policy_summary_free(md->policy6);
  x_free(md);
}

/** Copy the arguments of it into a new array of strings. */
static char **
copy_args(const netdoc_item_t *it, size_t *n_out)
{
  *n_out = it->n_args;
  if (!it->n_args)
    return NULL;
  char **v = x_calloc(it->n_args, sizeof(char *));
  for (size_t i = 0; i < it->n_args; i++) {
    v[i] = x_malloc(it->args[i].len + 1);
    memcpy(v[i], it->args[i].s, it->args[i].len);
    v[i][it->args[i].len] = '\0';
  }
  return v;
}

/** The summary of a "p"/"p6" item, or reject-all (setting *bad) if it is malformed. */
static policy_summary_t *
item_policy(const netdoc_item_t *it, int *bad)
{
  policy_summary_t *p = policy_summary_parse(it->rest, it->rest_len);
  if (!p) {
    *bad = 1;
    p = policy_summary_new_reject_all();
  }
  return p;
}

/** Fill md from the items of doc (already checked against md_rules).
 *  Returns NULL or a static reason. */
static const char *
fill_from_items(microdesc_t *md, const netdoc_t *doc)
{
  int have_ntor = 0;
  for (size_t i = 0; i < doc->n_items; i++) {
    const netdoc_item_t *it = &doc->items[i];
    if (netdoc_item_is(it, "onion-key")) {
      if (it->has_object && !netdoc_obj_is(it, "RSA PUBLIC KEY"))
        return "onion-key object is not an RSA PUBLIC KEY";
      md->has_tap_key = it->has_object;
    } else if (netdoc_item_is(it, "ntor-onion-key")) {
      if (netdoc_base64_decode_exact(it->args[0].s, it->args[0].len, md->ntor_key, 32) < 0)
        return "bad ntor-onion-key";
      have_ntor = 1;
    } else if (netdoc_item_is(it, "id")) {
      if (!netdoc_arg_is(it, 0, "ed25519"))
        continue; /* rsa1024 and unknown key types are ignored */
      if (md->has_ed25519_id)
        return "more than one id ed25519";
      if (netdoc_base64_decode_exact(it->args[1].s, it->args[1].len, md->ed25519_id, 32) < 0)
        return "bad id ed25519";
      md->has_ed25519_id = 1;
    } else if (netdoc_item_is(it, "family")) {
      md->family = copy_args(it, &md->n_family);
    } else if (netdoc_item_is(it, "family-ids")) {
      md->family_ids = copy_args(it, &md->n_family_ids);
    } else if (netdoc_item_is(it, "p")) {
      md->policy = item_policy(it, &md->bad_policy);
    } else if (netdoc_item_is(it, "p6")) {
      md->policy6 = item_policy(it, &md->bad_policy);
    }
  }
  return have_ntor ? NULL : "no ntor-onion-key";
}

microdesc_t *
microdesc_parse_one(const char *text, size_t len, const char **err)
{
  const char *why = NULL;
  microdesc_t *md = NULL;
  if (err)
    *err = NULL;
  if (len > MICRODESC_MAX_LEN) {
    if (err)
      *err = "microdescriptor too long";
    return NULL;
  }
  netdoc_limits_t lim = { MICRODESC_MAX_LEN, MICRODESC_MAX_FAMILY, 0, 4096 };
  netdoc_t doc;
  if (netdoc_tokenize(&doc, text, len, &lim) < 0) {
    why = "not a well-formed document";
    goto done;
  }
  if (netdoc_check_rules(&doc, 0, doc.n_items, md_rules, sizeof(md_rules) / sizeof(md_rules[0])) <
      0) {
    why = "an item is missing, repeated or malformed";
    goto done;
  }
  md = x_calloc(1, sizeof(*md));
  md->len = len;
  crypto_sha256(text, len, md->digest);
  why = fill_from_items(md, &doc);
  if (!md->policy)
    md->policy = policy_summary_new_reject_all();
  if (!md->policy6)
    md->policy6 = policy_summary_new_reject_all();
done:
  netdoc_clear(&doc);
  if (why) {
    FREE_AND_NULL(microdesc_free, md);
    if (err)
      *err = why;
  }
  return md;
}

/* ---- splitting ---- */

/** 1 if the line s[0..n) has the keyword exactly "onion-key". */
static int
is_onion_key_line(const char *s, size_t n)
{
  if (n < 9 || memcmp(s, "onion-key", 9))
    return 0;
  return n == 9 || s[9] == ' ' || s[9] == '\t' || s[9] == '\r';
}

static int
is_blank_line(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
      return 0;
  return 1;
}

/** The splitter's state: the current piece and the output. */
typedef struct split_state_t {
  const char *text;
  microdesc_list_t *out;
  size_t cap_mds, cap_invalid;
  size_t n_pieces;
  int in_piece, piece_is_md;
  size_t piece_start;
} split_state_t;

/** End the current piece (if any) at end: parse it or count it.
 *  Returns 0, or -1 past MICRODESC_MAX_COUNT. */
static int
close_piece(split_state_t *st, size_t end)
{
  if (!st->in_piece)
    return 0;
  st->in_piece = 0;
  if (++st->n_pieces > MICRODESC_MAX_COUNT)
    return -1;
  microdesc_list_t *out = st->out;
  if (!st->piece_is_md) {
    out->n_garbage++;
    return 0;
  }
  const char *s = st->text + st->piece_start;
  size_t n = end - st->piece_start;
  microdesc_t *md = microdesc_parse_one(s, n, NULL);
  if (md) {
    md->offset = st->piece_start;
    if (out->n_mds == st->cap_mds) {
      st->cap_mds = st->cap_mds ? 2 * st->cap_mds : 64;
      out->mds = x_realloc(out->mds, st->cap_mds * sizeof(out->mds[0]));
    }
    out->mds[out->n_mds++] = md;
  } else {
    if (out->n_invalid == st->cap_invalid) {
      st->cap_invalid = st->cap_invalid ? 2 * st->cap_invalid : 8;
      out->invalid_digests =
        x_realloc(out->invalid_digests, st->cap_invalid * sizeof(out->invalid_digests[0]));
    }
    crypto_sha256(s, n, out->invalid_digests[out->n_invalid++]);
  }
  return 0;
}

/** Handle the line text[pos..pos+n) (n without the NL).  0 or -1. */
static int
split_line(split_state_t *st, size_t pos, size_t n)
{
  const char *line = st->text + pos;
  if (n > 0 && line[0] == '@')
    return close_piece(st, pos); /* an annotation: in no piece */
  if (is_onion_key_line(line, n)) {
    if (close_piece(st, pos) < 0)
      return -1;
    st->in_piece = 1;
    st->piece_is_md = 1;
    st->piece_start = pos;
  } else if (!st->in_piece && !is_blank_line(line, n)) {
    st->in_piece = 1;
    st->piece_is_md = 0;
    st->piece_start = pos;
  }
  return 0;
}

int
microdesc_parse_all(const char *text, size_t len, microdesc_list_t *out)
{
  memset(out, 0, sizeof(*out));
  split_state_t st;
  memset(&st, 0, sizeof(st));
  st.text = text;
  st.out = out;
  size_t pos = 0;
  while (pos < len) {
    const char *nl = memchr(text + pos, '\n', len - pos);
    size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
    if (split_line(&st, pos, n) < 0) {
      microdesc_list_clear(out);
      return -1;
    }
    pos += n + (nl ? 1 : 0);
  }
  if (close_piece(&st, len) < 0) {
    microdesc_list_clear(out);
    return -1;
  }
  return 0;
}

/* ---- matching against the digests asked for ---- */

static int
digest_cmp(const void *a, const void *b)
{
  return memcmp(a, b, MICRODESC_DIGEST_LEN);
}

size_t
microdesc_list_match(microdesc_list_t *list, const uint8_t (*wanted)[MICRODESC_DIGEST_LEN],
                     size_t n_wanted, uint8_t *wanted_found)
{
  uint8_t (*sorted)[MICRODESC_DIGEST_LEN] = NULL;
  uint8_t *seen = NULL;
  size_t n_sorted = 0, n_found = 0;
  if (n_wanted) {
    sorted = x_memdup(wanted, n_wanted * sizeof(sorted[0]));
    qsort(sorted, n_wanted, sizeof(sorted[0]), digest_cmp);
    for (size_t i = 0; i < n_wanted; i++)  /* drop duplicates */
      if (n_sorted == 0 || memcmp(sorted[n_sorted - 1], sorted[i], MICRODESC_DIGEST_LEN))
        memmove(sorted[n_sorted++], sorted[i], MICRODESC_DIGEST_LEN);
    seen = x_calloc(n_sorted, 1);
  }
  for (size_t i = 0; i < list->n_mds; i++) {
    microdesc_t *md = list->mds[i];
    uint8_t (*hit)[MICRODESC_DIGEST_LEN] =
      n_sorted ? bsearch(md->digest, sorted, n_sorted, sizeof(sorted[0]), digest_cmp) : NULL;
    if (!hit) {
      md->match = MICRODESC_UNWANTED;
    } else if (seen[hit - sorted]) {
      md->match = MICRODESC_DUPLICATE;
    } else {
      seen[hit - sorted] = 1;
      md->match = MICRODESC_WANTED;
      n_found++;
    }
  }
  if (wanted_found) {
    for (size_t j = 0; j < n_wanted; j++) {
      uint8_t (*hit)[MICRODESC_DIGEST_LEN] =
        bsearch(wanted[j], sorted, n_sorted, sizeof(sorted[0]), digest_cmp);
      wanted_found[j] = hit ? seen[hit - sorted] : 0;
    }
  }
  x_free(sorted);
  x_free(seen);
  return n_found;
}

size_t
microdesc_list_keep_wanted(microdesc_list_t *list)
{
  size_t kept = 0, removed = 0;
  for (size_t i = 0; i < list->n_mds; i++) {
    if (list->mds[i]->match == MICRODESC_WANTED) {
      list->mds[kept++] = list->mds[i];
    } else {
      microdesc_free(list->mds[i]);
      removed++;
    }
  }
  list->n_mds = kept;
  return removed;
}

microdesc_t *
microdesc_list_take(microdesc_list_t *list, size_t i)
{
  if (!list || i >= list->n_mds)
    return NULL;
  microdesc_t *md = list->mds[i];
  memmove(&list->mds[i], &list->mds[i + 1], (list->n_mds - i - 1) * sizeof(list->mds[0]));
  list->n_mds--;
  return md;
}

void
microdesc_list_clear(microdesc_list_t *list)
{
  if (!list)
    return;
  for (size_t i = 0; i < list->n_mds; i++)
    microdesc_free(list->mds[i]);
  x_free(list->mds);
  x_free(list->invalid_digests);
  memset(list, 0, sizeof(*list));
}

int
microdesc_build_path(const uint8_t (*digests)[MICRODESC_DIGEST_LEN], size_t n, char *buf,
                     size_t buflen)
{
  static const char prefix[] = "/tor/micro/d/";
  if (n == 0 || n > MICRODESC_MAX_PER_REQUEST || buflen < sizeof(prefix))
    return -1;
  memcpy(buf, prefix, sizeof(prefix));
  size_t off = sizeof(prefix) - 1;
  for (size_t i = 0; i < n; i++) {
    if (i > 0) {
      if (off + 1 >= buflen)
        return -1;
      buf[off++] = '-';
    }
    size_t w = netdoc_base64_encode(digests[i], MICRODESC_DIGEST_LEN, buf + off, buflen - off);
    if (w == (size_t)-1)
      return -1;
    off += w;
  }
  return (int)off;
}
