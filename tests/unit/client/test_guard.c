/* test_guard.c — the guard sample: sampling and primaries, persistence
 * across a restart, garbage state files, unlisted guards, failures and
 * retries, the path restriction, directory guards, the state text format. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef _WIN32
#include <direct.h>
#define rmdir _rmdir
#else
#include <unistd.h>
#endif

#include "client/guard.h"
#include "client/guard_state.h"
#include "client/path.h"
#include "lib/alloc.h"
#include "lib/crypto/rand.h"
#include "nodes.h"
#include "testutil.h"

#define T0 INT64_C(1800000000)
#define DAY 86400

/* Ten Guard relays (ids 1..10, bandwidth rising with the id), two middles,
 * two exits. */
static nodelist_t *
guard_net(void)
{
  nodelist_t *nl = nodelist_new();
  for (uint8_t id = 1; id <= 10; id++)
    tn_add(nl, id, TN_GUARD, 100u * id, NULL, NULL);
  tn_add(nl, 20, TN_MIDDLE, 500, NULL, NULL);
  tn_add(nl, 21, TN_MIDDLE, 500, NULL, NULL);
  tn_add(nl, 30, TN_EXIT, 500, "accept 80,443", NULL);
  tn_add(nl, 31, TN_EXIT, 500, "accept 80,443", NULL);
  return nl;
}

/* The same network without node id. */
static nodelist_t *
guard_net_without(uint8_t gone)
{
  nodelist_t *full = guard_net(), *nl = nodelist_new();
  for (size_t i = 0; i < nodelist_count(full); i++) {
    const node_t *n = nodelist_get(full, i);
    if (n->rsa_id[0] != gone)
      tn_add(nl, n->rsa_id[0], n->flags, n->bandwidth, n->rsa_id[0] >= 30 ? "accept 80,443" : NULL,
             NULL);
  }
  nodelist_free(full);
  return nl;
}

static void
fresh_state_path(char *out, size_t n)
{
  uint32_t r;
  crypto_rand(&r, sizeof(r));
  snprintf(out, n, "test-guard-state-%08x", (unsigned)r);
}

static void
write_text(const char *path, const char *text, size_t len)
{
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(text, 1, len, f), len);
  fclose(f);
}

static void
clear_family(node_t *n)
{
  for (size_t i = 0; i < n->n_family; i++)
    x_free(n->family[i]);
  FREE_AND_NULL(x_free, n->family);
  n->n_family = 0;
}

static uint8_t
choose_id(guard_set_t *gs, const nodelist_t *nl, int64_t now, tn_rng_t *r)
{
  const node_t *g = guard_choose(gs, nl, NULL, now, &r->rng);
  ck_assert_ptr_nonnull(g);
  return g->rsa_id[0];
}

START_TEST(test_sample_primaries_and_stickiness)
{
  nodelist_t *nl = guard_net();
  guard_set_t *gs = guard_set_new(NULL);
  tn_rng_t r;
  tn_rng_init(&r, 1);
  uint8_t first = choose_id(gs, nl, T0, &r);
  /* Three primaries sampled; only Guard-flagged relays. */
  ck_assert_uint_eq(guard_set_count(gs), 3);
  for (size_t i = 0; i < 3; i++) {
    const guard_entry_t *e = guard_set_get(gs, i);
    ck_assert(e->rsa_id[0] >= 1 && e->rsa_id[0] <= 10);
    ck_assert(e->is_primary);
    ck_assert(e->sampled_on == T0);
  }
  ck_assert_int_eq(first, guard_set_get(gs, 0)->rsa_id[0]);
  /* The same guard for every circuit, whatever the random source says. */
  for (int i = 0; i < 200; i++)
    ck_assert_int_eq(choose_id(gs, nl, T0 + i, &r), first);
  ck_assert_uint_eq(guard_set_count(gs), 3);
  /* Paths use it as their first hop. */
  path_options_t o;
  path_options_init_exit(&o, 80, 0);
  for (int i = 0; i < 100; i++) {
    path_t p;
    ck_assert_int_eq(path_choose(nl, gs, &o, T0, &r.rng, &p), PATH_OK);
    ck_assert_int_eq(p.hops[0]->rsa_id[0], first);
  }
  /* guard-n-primary-guards changes how many are sampled up front. */
  guard_set_t *gs5 = guard_set_new(NULL);
  nodelist_set_param(nl, "guard-n-primary-guards", 5);
  choose_id(gs5, nl, T0, &r);
  ck_assert_uint_eq(guard_set_count(gs5), 5);
  guard_set_free(gs5);
  guard_set_free(gs);
  nodelist_free(nl);
}
END_TEST

/* Sampling is bandwidth-weighted: over many fresh samples the first guard is
 * much more often one of the heavy relays (ids 6..10 hold 40/55 of the
 * weight) than a light one. */
START_TEST(test_sampling_is_weighted)
{
  nodelist_t *nl = guard_net();
  tn_rng_t r;
  tn_rng_init(&r, 2);
  unsigned heavy = 0;
  for (int i = 0; i < 500; i++) {
    guard_set_t *gs = guard_set_new(NULL);
    heavy += choose_id(gs, nl, T0, &r) >= 6;
    guard_set_free(gs);
  }
  ck_assert_msg(heavy > 320 && heavy < 410, "heavy %u of 500 (expect ~364)", heavy);
  nodelist_free(nl);
}
END_TEST

START_TEST(test_persistence_round_trip)
{
  char path[64];
  fresh_state_path(path, sizeof(path));
  nodelist_t *nl = guard_net();
  tn_rng_t r;
  tn_rng_init(&r, 3);
  guard_set_t *gs = guard_set_new(path);
  ck_assert_int_eq(guard_set_load(gs), 0);      /* no file yet: fine, empty */
  ck_assert_uint_eq(guard_set_count(gs), 0);
  uint8_t first = choose_id(gs, nl, T0, &r);
  guard_note_success(gs, guard_set_get(gs, 0)->rsa_id, T0 + 5);
  guard_entry_t before[3];
  for (size_t i = 0; i < 3; i++)
    before[i] = *guard_set_get(gs, i);
  guard_set_free(gs);

  /* "Restart": a new set from the file, a different random source. */
  tn_rng_init(&r, 999);
  gs = guard_set_new(path);
  ck_assert_int_eq(guard_set_load(gs), 0);
  ck_assert_uint_eq(guard_set_count(gs), 3);
  for (size_t i = 0; i < 3; i++) {
    const guard_entry_t *e = guard_set_get(gs, i);
    ck_assert_mem_eq(e->rsa_id, before[i].rsa_id, 20);
    ck_assert_str_eq(e->nickname, before[i].nickname);
    ck_assert(e->sampled_on == before[i].sampled_on);
    ck_assert(e->confirmed_on == before[i].confirmed_on);
  }
  ck_assert(guard_set_get(gs, 0)->confirmed_on == T0 + 5);
  ck_assert_int_eq(choose_id(gs, nl, T0 + 60, &r), first);
  ck_assert_uint_eq(guard_set_count(gs), 3);
  guard_set_free(gs);
  /* The temporary file did not stay behind. */
  char tmp[80];
  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  ck_assert_ptr_null(fopen(tmp, "rb"));
  remove(path);
  nodelist_free(nl);
}
END_TEST

START_TEST(test_garbage_state_file)
{
  char path[64];
  fresh_state_path(path, sizeof(path));
  nodelist_t *nl = guard_net();
  tn_rng_t r;
  tn_rng_init(&r, 4);
  /* Random bytes. */
  uint8_t junk[3000];
  uint64_t st = 42;
  testutil_fill_random(junk, sizeof(junk), &st);
  write_text(path, (const char *)junk, sizeof(junk));
  guard_set_t *gs = guard_set_new(path);
  ck_assert_int_eq(guard_set_load(gs), -1);
  ck_assert_uint_eq(guard_set_count(gs), 0);
  /* The garbage is kept aside as "<path>.bad", byte for byte. */
  char bad[80];
  snprintf(bad, sizeof(bad), "%s.bad", path);
  ck_assert_ptr_null(fopen(path, "rb"));
  FILE *f = fopen(bad, "rb");
  ck_assert_ptr_nonnull(f);
  uint8_t back[3001];
  ck_assert_uint_eq(fread(back, 1, sizeof(back), f), sizeof(junk));
  fclose(f);
  ck_assert_mem_eq(back, junk, sizeof(junk));
  /* Starts fresh, and the next save leaves a valid file. */
  choose_id(gs, nl, T0, &r);
  guard_set_free(gs);
  gs = guard_set_new(path);
  ck_assert_int_eq(guard_set_load(gs), 0);
  ck_assert_uint_eq(guard_set_count(gs), 3);
  guard_set_free(gs);
  /* Text that is not a state file (someone else's format). */
  const char *other = "Guard id=0101010101010101010101010101010101010101 sampled=5\n";
  write_text(path, other, strlen(other));
  gs = guard_set_new(path);
  ck_assert_int_eq(guard_set_load(gs), -1);
  ck_assert_uint_eq(guard_set_count(gs), 0);
  guard_set_free(gs);
  /* Too big. */
  char *big = x_malloc(GUARD_STATE_MAX_SIZE + 100);
  memset(big, '#', GUARD_STATE_MAX_SIZE + 100);
  write_text(path, big, GUARD_STATE_MAX_SIZE + 100);
  x_free(big);
  gs = guard_set_new(path);
  ck_assert_int_eq(guard_set_load(gs), -1);
  guard_set_free(gs);
  ck_assert_ptr_null(fopen(path, "rb"));    /* set aside too */
  remove(path);
  remove(bad);
  nodelist_free(nl);
}
END_TEST

/* guard_set_open: "<data_dir>/state", loaded. */
START_TEST(test_open_data_dir)
{
  char dir[64], path[96];
  fresh_state_path(dir, sizeof(dir));
#ifdef _WIN32
  ck_assert_int_eq(_mkdir(dir), 0);
#else
  ck_assert_int_eq(mkdir(dir, 0700), 0);
#endif
  nodelist_t *nl = guard_net();
  tn_rng_t r;
  tn_rng_init(&r, 15);
  guard_set_t *gs = guard_set_open(dir);
  uint8_t first = choose_id(gs, nl, T0, &r);
  guard_set_free(gs);
  snprintf(path, sizeof(path), "%s/state", dir);
  FILE *f = fopen(path, "rb");
  ck_assert_ptr_nonnull(f);
  fclose(f);
  gs = guard_set_open(dir);
  ck_assert_uint_eq(guard_set_count(gs), 3);
  ck_assert_int_eq(guard_set_get(gs, 0)->rsa_id[0], first);
  guard_set_free(gs);
  remove(path);
  rmdir(dir);
  nodelist_free(nl);
}
END_TEST

START_TEST(test_state_parse_lines)
{
  const char *text =
    "# comment\r\n"
    "\n"
    "EvonionState 1\r\n"
    "Guard id=0101010101010101010101010101010101010101 nick=n1 sampled=100 confirmed=150\n"
    "Guard id=0202 nick=n2 sampled=100\n"                                   /* short id */
    "Guard id=0303030303030303030303030303030303030303 nick=n3\n"           /* no sampled */
    "Guard id=0404040404040404040404040404040404040404 sampled=-4\n"        /* bad time */
    "Guard id=0505050505050505050505050505050505050505 nick=bad!nick sampled=1\n"
    "Guard id=0606060606060606060606060606060606060606 sampled=1 sampled=2\n" /* twice */
    "Guard id=0101010101010101010101010101010101010101 nick=dup sampled=7\n"  /* duplicate */
    "Guard id=0707070707070707070707070707070707070707 nick=- sampled=9 unlisted=10 future=x\n"
    "SomethingNew 42\n";
  guard_entry_t *v;
  size_t n;
  ck_assert_int_eq(guard_state_parse(text, strlen(text), &v, &n), 0);
  ck_assert_uint_eq(n, 2);
  ck_assert_int_eq(v[0].rsa_id[19], 1);
  ck_assert_str_eq(v[0].nickname, "n1");
  ck_assert(v[0].sampled_on == 100 && v[0].confirmed_on == 150 && v[0].unlisted_since == 0);
  ck_assert_int_eq(v[1].rsa_id[0], 7);
  ck_assert_str_eq(v[1].nickname, "");
  ck_assert(v[1].sampled_on == 9 && v[1].unlisted_since == 10);
  /* format -> parse gives the same entries back. */
  char *out = guard_state_format(v, n);
  guard_entry_t *w;
  size_t m;
  ck_assert_int_eq(guard_state_parse(out, strlen(out), &w, &m), 0);
  ck_assert_uint_eq(m, 2);
  for (size_t i = 0; i < 2; i++) {
    ck_assert_mem_eq(w[i].rsa_id, v[i].rsa_id, 20);
    ck_assert_str_eq(w[i].nickname, v[i].nickname);
    ck_assert(w[i].sampled_on == v[i].sampled_on && w[i].unlisted_since == v[i].unlisted_since &&
              w[i].confirmed_on == v[i].confirmed_on);
  }
  x_free(out);
  x_free(w);
  x_free(v);
  /* Version 2, a NUL byte, an empty text: not state files. */
  const char *v2 = "EvonionState 2\n";
  ck_assert_int_eq(guard_state_parse(v2, strlen(v2), &v, &n), -1);
  ck_assert_int_eq(guard_state_parse("EvonionState 1\n\0", 16, &v, &n), -1);
  ck_assert_int_eq(guard_state_parse("", 0, &v, &n), -1);
  ck_assert_ptr_null(v);
  ck_assert_uint_eq(n, 0);
  /* An empty sample is a valid file. */
  ck_assert_int_eq(guard_state_parse("EvonionState 1", 14, &v, &n), 0);
  ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_state_parse_caps_entries)
{
  size_t cap = 100 + (GUARD_SAMPLE_HARD_MAX + 10) * 80;
  char *text = x_malloc(cap);
  size_t off = (size_t)snprintf(text, cap, "EvonionState 1\n");
  for (int i = 0; i < GUARD_SAMPLE_HARD_MAX + 10; i++) {
    off += (size_t)snprintf(text + off, cap - off, "Guard id=");
    for (int k = 0; k < 20; k++)
      off += (size_t)snprintf(text + off, cap - off, "%02X", i + 1);
    off += (size_t)snprintf(text + off, cap - off, " sampled=1\n");
  }
  guard_entry_t *v;
  size_t n;
  ck_assert_int_eq(guard_state_parse(text, off, &v, &n), 0);
  ck_assert_uint_eq(n, GUARD_SAMPLE_HARD_MAX);
  x_free(v);
  x_free(text);
}
END_TEST

START_TEST(test_unlisted_guard_skipped_then_dropped)
{
  nodelist_t *nl = guard_net();
  guard_set_t *gs = guard_set_new(NULL);
  tn_rng_t r;
  tn_rng_init(&r, 5);
  uint8_t first = choose_id(gs, nl, T0, &r);
  uint8_t second = guard_set_get(gs, 1)->rsa_id[0];
  nodelist_t *without = guard_net_without(first);
  /* Gone from the consensus: the next primary is used, the first is kept. */
  ck_assert_int_eq(choose_id(gs, without, T0 + DAY, &r), second);
  const guard_entry_t *e = guard_set_get(gs, 0);
  ck_assert_int_eq(e->rsa_id[0], first);
  ck_assert(e->unlisted_since == T0 + DAY);
  ck_assert(!e->is_primary);
  ck_assert_uint_eq(guard_set_count(gs), 4);    /* a third primary was sampled */
  /* Back within the limit: primary again. */
  ck_assert_int_eq(choose_id(gs, nl, T0 + 10 * DAY, &r), first);
  ck_assert(guard_set_get(gs, 0)->unlisted_since == 0);
  /* Unlisted for more than 20 days (tor's default): dropped. */
  choose_id(gs, without, T0 + 11 * DAY, &r);
  choose_id(gs, without, T0 + 31 * DAY + 1, &r);
  int found = 0;
  for (size_t i = 0; i < guard_set_count(gs); i++)
    found |= guard_set_get(gs, i)->rsa_id[0] == first;
  ck_assert(!found);
  /* Even when it comes back, it is not the first guard any more. */
  ck_assert_int_eq(choose_id(gs, nl, T0 + 32 * DAY, &r), second);
  guard_set_free(gs);
  nodelist_free(without);
  nodelist_free(nl);
}
END_TEST

START_TEST(test_unlisted_param_from_consensus)
{
  nodelist_t *nl = guard_net();
  guard_set_t *gs = guard_set_new(NULL);
  tn_rng_t r;
  tn_rng_init(&r, 6);
  uint8_t first = choose_id(gs, nl, T0, &r);
  nodelist_t *without = guard_net_without(first);
  nodelist_set_param(without, "guard-remove-unlisted-guards-after-days", 2);
  choose_id(gs, without, T0, &r);
  choose_id(gs, without, T0 + 2 * DAY, &r);
  uint8_t id[20];
  memset(id, first, 20);
  ck_assert_ptr_nonnull(guard_set_find(gs, id));       /* 2 days: not yet */
  choose_id(gs, without, T0 + 2 * DAY + 1, &r);
  ck_assert_ptr_null(guard_set_find(gs, id));
  guard_set_free(gs);
  nodelist_free(without);
  nodelist_free(nl);
}
END_TEST

/* A guard that loses its Guard flag (or Running) counts as unlisted. */
START_TEST(test_flag_loss_is_unlisted)
{
  nodelist_t *nl = guard_net();
  guard_set_t *gs = guard_set_new(NULL);
  tn_rng_t r;
  tn_rng_init(&r, 7);
  uint8_t first = choose_id(gs, nl, T0, &r);
  uint8_t id[20];
  memset(id, first, 20);
  node_t *n = nodelist_find_by_rsa_id(nl, id);
  n->flags &= ~(uint32_t)NODE_FLAG_GUARD;
  ck_assert_int_ne(choose_id(gs, nl, T0 + 1, &r), first);
  ck_assert(guard_set_find(gs, id)->unlisted_since == T0 + 1);
  n->flags |= NODE_FLAG_GUARD;
  ck_assert_int_eq(choose_id(gs, nl, T0 + 2, &r), first);
  guard_set_free(gs);
  nodelist_free(nl);
}
END_TEST

START_TEST(test_failure_and_retry)
{
  nodelist_t *nl = guard_net();
  guard_set_t *gs = guard_set_new(NULL);
  tn_rng_t r;
  tn_rng_init(&r, 8);
  uint8_t first = choose_id(gs, nl, T0, &r);
  uint8_t second = guard_set_get(gs, 1)->rsa_id[0];
  uint8_t third = guard_set_get(gs, 2)->rsa_id[0];
  uint8_t id1[20], id2[20];
  memset(id1, first, 20);
  memset(id2, second, 20);
  guard_note_failure(gs, id1, T0);
  ck_assert_int_eq(choose_id(gs, nl, T0 + 1, &r), second);
  guard_note_failure(gs, id2, T0 + 1);
  ck_assert_int_eq(choose_id(gs, nl, T0 + 2, &r), third);
  /* A primary is retried 10 minutes after its last attempt. */
  ck_assert_int_eq(choose_id(gs, nl, T0 + 599, &r), third);
  ck_assert_int_eq(choose_id(gs, nl, T0 + 600, &r), first);
  /* The retry is under way: the next circuit does not pile onto it. */
  ck_assert_int_eq(choose_id(gs, nl, T0 + 601, &r), second);
  ck_assert_int_eq(choose_id(gs, nl, T0 + 602, &r), third);
  /* It worked: back to the first guard, confirmed. */
  guard_note_success(gs, id1, T0 + 603);
  ck_assert_int_eq(choose_id(gs, nl, T0 + 604, &r), first);
  ck_assert(guard_set_find(gs, id1)->confirmed_on == T0 + 603);
  ck_assert(guard_set_find(gs, id1)->failing_since == 0);
  /* Unknown ids are ignored. */
  uint8_t nobody[20];
  memset(nobody, 0xee, 20);
  guard_note_failure(gs, nobody, T0);
  guard_note_success(gs, nobody, T0);
  guard_set_free(gs);
  nodelist_free(nl);
}
END_TEST

/* After 6 hours of failing, a primary is retried only every 90 minutes;
 * when all sampled guards fail, the sample grows. */
START_TEST(test_retry_schedule_and_growth)
{
  nodelist_t *nl = guard_net();
  guard_set_t *gs = guard_set_new(NULL);
  tn_rng_t r;
  tn_rng_init(&r, 9);
  uint8_t first = choose_id(gs, nl, T0, &r);
  uint8_t id1[20];
  memset(id1, first, 20);
  guard_note_failure(gs, id1, T0);
  int64_t t = T0 + 7 * 3600;
  guard_note_failure(gs, id1, t);                    /* failing for 7 h */
  ck_assert_int_ne(choose_id(gs, nl, t + 600, &r), first);
  ck_assert_int_ne(choose_id(gs, nl, t + 90 * 60 - 1, &r), first);
  ck_assert_int_eq(choose_id(gs, nl, t + 90 * 60, &r), first);
  /* Every guard failing: new ones get sampled, up to the cap: here
   * guard-min-filtered-sample-size 3 (20% of ten guards is 2, less). */
  nodelist_set_param(nl, "guard-min-filtered-sample-size", 3);
  int64_t t2 = t + 90 * 60 + 1;
  for (size_t i = 0; i < guard_set_count(gs); i++)
    guard_note_failure(gs, guard_set_get(gs, i)->rsa_id, t2);
  ck_assert_ptr_null(guard_choose(gs, nl, NULL, t2 + 1, &r.rng));
  ck_assert_uint_eq(guard_set_count(gs), 3);
  /* guard-max-sample-threshold-percent 60: six. */
  nodelist_set_param(nl, "guard-max-sample-threshold-percent", 60);
  for (int round = 0; round < 20; round++) {
    const node_t *g = guard_choose(gs, nl, NULL, t2 + 2, &r.rng);
    if (!g)
      break;
    guard_note_failure(gs, g->rsa_id, t2 + 2);
  }
  ck_assert_uint_eq(guard_set_count(gs), 6);
  /* Tor's default floor of 20: all ten guards of this small network. */
  nodelist_set_param(nl, "guard-min-filtered-sample-size", 20);
  for (int round = 0; round < 20; round++) {
    const node_t *g = guard_choose(gs, nl, NULL, t2 + 3, &r.rng);
    if (!g)
      break;
    guard_note_failure(gs, g->rsa_id, t2 + 3);
  }
  ck_assert_uint_eq(guard_set_count(gs), 10);
  guard_set_free(gs);
  nodelist_free(nl);
}
END_TEST

/* A success through a non-primary guard after a silence makes the failing
 * primaries due at once (the network was down, not they). */
START_TEST(test_success_resets_primaries)
{
  nodelist_t *nl = guard_net();
  guard_set_t *gs = guard_set_new(NULL);
  tn_rng_t r;
  tn_rng_init(&r, 10);
  uint8_t first = choose_id(gs, nl, T0, &r);
  for (size_t i = 0; i < 3; i++)
    guard_note_failure(gs, guard_set_get(gs, i)->rsa_id, T0);
  const node_t *other = guard_choose(gs, nl, NULL, T0 + 1, &r.rng);
  ck_assert_ptr_nonnull(other);
  const guard_entry_t *oe = guard_set_find(gs, other->rsa_id);
  ck_assert(!oe->is_primary);
  guard_note_success(gs, other->rsa_id, T0 + 2);
  ck_assert_int_eq(choose_id(gs, nl, T0 + 3, &r), first);
  guard_set_free(gs);
  nodelist_free(nl);
}
END_TEST

/* The exit is in the first guard's family: the circuit uses the second
 * primary, and the first stays first for other circuits. */
START_TEST(test_restriction_family_and_subnet)
{
  nodelist_t *nl = guard_net();
  guard_set_t *gs = guard_set_new(NULL);
  tn_rng_t r;
  tn_rng_init(&r, 11);
  uint8_t first = choose_id(gs, nl, T0, &r);
  uint8_t second = guard_set_get(gs, 1)->rsa_id[0];
  uint8_t id[20];
  memset(id, first, 20);
  node_t *g = nodelist_find_by_rsa_id(nl, id);
  memset(id, 30, 20);
  node_t *exit30 = nodelist_find_by_rsa_id(nl, id);
  char h1[42], h2[42];
  const char *fg[] = { tn_hexid(exit30, h1), NULL };
  const char *fe[] = { tn_hexid(g, h2), NULL };
  tn_set_family(g, fg);
  tn_set_family(exit30, fe);
  path_options_t o;
  path_options_init_exit(&o, 80, 0);
  int saw30 = 0;
  for (int i = 0; i < 200; i++) {
    path_t p;
    ck_assert_int_eq(path_choose(nl, gs, &o, T0, &r.rng, &p), PATH_OK);
    if (p.hops[2] == exit30) {
      saw30 = 1;
      ck_assert_int_eq(p.hops[0]->rsa_id[0], second);
    } else {
      ck_assert_int_eq(p.hops[0]->rsa_id[0], first);
    }
  }
  ck_assert(saw30);
  /* The /16 rule applies to the guard too, unless testing. */
  guard_restriction_t rs = { 0, (const node_t *const *)&exit30, 1, 1 };
  clear_family(g);
  exit30->ipv4 = g->ipv4;
  ck_assert_int_eq(guard_choose(gs, nl, &rs, T0, &r.rng)->rsa_id[0], second);
  rs.enforce_subnets = 0;
  ck_assert_int_eq(guard_choose(gs, nl, &rs, T0, &r.rng)->rsa_id[0], first);
  guard_set_free(gs);
  nodelist_free(nl);
}
END_TEST

START_TEST(test_dir_guard_needs_v2dir)
{
  nodelist_t *nl = guard_net();
  guard_set_t *gs = guard_set_new(NULL);
  tn_rng_t r;
  tn_rng_init(&r, 12);
  uint8_t first = choose_id(gs, nl, T0, &r);
  path_options_t o;
  path_options_init_dir(&o, 0);
  path_t p;
  ck_assert_int_eq(path_choose(nl, gs, &o, T0, &r.rng, &p), PATH_OK);
  ck_assert_int_eq(p.n_hops, 1);
  ck_assert_int_eq(p.hops[0]->rsa_id[0], first);     /* the guard serves directories too */
  uint8_t id[20];
  memset(id, first, 20);
  nodelist_find_by_rsa_id(nl, id)->flags &= ~(uint32_t)NODE_FLAG_V2DIR;
  ck_assert_int_eq(path_choose(nl, gs, &o, T0, &r.rng, &p), PATH_OK);
  ck_assert_int_eq(p.hops[0]->rsa_id[0], guard_set_get(gs, 1)->rsa_id[0]);
  /* Circuits still use the first guard. */
  ck_assert_int_eq(choose_id(gs, nl, T0, &r), first);
  guard_set_free(gs);
  nodelist_free(nl);
}
END_TEST

START_TEST(test_lifetime)
{
  nodelist_t *nl = guard_net();
  guard_set_t *gs = guard_set_new(NULL);
  tn_rng_t r;
  tn_rng_init(&r, 13);
  uint8_t first = choose_id(gs, nl, T0, &r);
  uint8_t second = guard_set_get(gs, 1)->rsa_id[0];
  uint8_t id1[20], id2[20];
  memset(id1, first, 20);
  memset(id2, second, 20);
  /* The second was used on day 100: kept until day 160; the others go after 120 days. */
  guard_note_success(gs, id2, T0 + 100 * DAY);
  choose_id(gs, nl, T0 + 120 * DAY, &r);
  ck_assert_ptr_nonnull(guard_set_find(gs, id1));
  choose_id(gs, nl, T0 + 120 * DAY + 1, &r);
  /* Gone (or sampled anew, with a new date). */
  const guard_entry_t *e1 = guard_set_find(gs, id1);
  ck_assert(e1 == NULL || e1->sampled_on == T0 + 120 * DAY + 1);
  ck_assert(guard_set_find(gs, id2)->sampled_on == T0);
  ck_assert_int_eq(choose_id(gs, nl, T0 + 121 * DAY, &r), second);
  choose_id(gs, nl, T0 + 160 * DAY + 1, &r);
  const guard_entry_t *e2 = guard_set_find(gs, id2);
  ck_assert(e2 == NULL || e2->sampled_on == T0 + 160 * DAY + 1);
  guard_set_free(gs);
  nodelist_free(nl);
}
END_TEST

START_TEST(test_no_guards_at_all)
{
  nodelist_t *nl = nodelist_new();
  tn_add(nl, 1, TN_MIDDLE, 100, NULL, NULL);
  tn_add(nl, 2, TN_MIDDLE, 100, NULL, NULL);
  tn_add(nl, 3, TN_EXIT, 100, "accept 80", NULL);
  guard_set_t *gs = guard_set_new(NULL);
  tn_rng_t r;
  tn_rng_init(&r, 14);
  ck_assert_ptr_null(guard_choose(gs, nl, NULL, T0, &r.rng));
  path_options_t o;
  path_options_init_exit(&o, 80, 0);
  path_t p;
  ck_assert_int_eq(path_choose(nl, gs, &o, T0, &r.rng, &p), PATH_ERR_NO_GUARD);
  ck_assert_int_eq(guard_set_save(gs), -1);   /* no state path */
  guard_set_free(gs);
  nodelist_free(nl);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("client_guard");
  TESTUTIL_ADD(s, test_sample_primaries_and_stickiness, 10);
  TESTUTIL_ADD(s, test_sampling_is_weighted, 10);
  TESTUTIL_ADD(s, test_persistence_round_trip, 10);
  TESTUTIL_ADD(s, test_garbage_state_file, 10);
  TESTUTIL_ADD(s, test_open_data_dir, 10);
  TESTUTIL_ADD(s, test_state_parse_lines, 10);
  TESTUTIL_ADD(s, test_state_parse_caps_entries, 10);
  TESTUTIL_ADD(s, test_unlisted_guard_skipped_then_dropped, 10);
  TESTUTIL_ADD(s, test_unlisted_param_from_consensus, 10);
  TESTUTIL_ADD(s, test_flag_loss_is_unlisted, 10);
  TESTUTIL_ADD(s, test_failure_and_retry, 10);
  TESTUTIL_ADD(s, test_retry_schedule_and_growth, 10);
  TESTUTIL_ADD(s, test_success_resets_primaries, 10);
  TESTUTIL_ADD(s, test_restriction_family_and_subnet, 10);
  TESTUTIL_ADD(s, test_dir_guard_needs_v2dir, 10);
  TESTUTIL_ADD(s, test_lifetime, 10);
  TESTUTIL_ADD(s, test_no_guards_at_all, 10);
  return s;
}
