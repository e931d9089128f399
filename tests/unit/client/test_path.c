/* test_path.c — path selection rules over hand-made node lists: usability,
 * exits by port, BadExit, families, /16, bandwidth weights, hop order and
 * options.  Randomness comes from a seeded generator, so every run draws
 * the same paths; the bounds are loose enough for any honest seed. */
#include <stdio.h>
#include <string.h>

#include "client/path.h"
#include "client/path_node.h"
#include "client/path_weight.h"
#include "nodes.h"
#include "testutil.h"

#define DRAWS 1000

/* Draw paths and count how often each node id (0..255) is used per hop. */
typedef struct counts_t {
  unsigned hop[PATH_MAX_HOPS][256];
  unsigned ok;
} counts_t;

static void
draw(const nodelist_t *nl, const path_options_t *o, unsigned n, uint64_t seed, counts_t *c)
{
  tn_rng_t r;
  tn_rng_init(&r, seed);
  memset(c, 0, sizeof(*c));
  for (unsigned i = 0; i < n; i++) {
    path_t p;
    if (path_choose(nl, NULL, o, 0, &r.rng, &p) != PATH_OK)
      continue;
    c->ok++;
    ck_assert_int_eq(p.n_hops, o->n_hops);
    for (int h = 0; h < p.n_hops; h++) {
      c->hop[h][p.hops[h]->rsa_id[0]]++;
      for (int k = 0; k < h; k++)
        ck_assert_ptr_ne(p.hops[h], p.hops[k]);   /* never a relay twice */
    }
  }
}

/* The ids used at hop h in any of the draws, as a bit mask over ids < 64. */
static uint64_t
used_mask(const counts_t *c, int h)
{
  uint64_t m = 0;
  for (int id = 0; id < 64; id++) {
    if (c->hop[h][id])
      m |= (uint64_t)1 << id;
  }
  return m;
}

START_TEST(test_usable_needs_each_condition)
{
  nodelist_t *nl = nodelist_new();
  node_t *n = tn_add(nl, 1, TN_EXIT, 100, "accept 80", NULL);
  ck_assert_ptr_nonnull(n);
  ck_assert(path_node_is_usable(n));
  n->flags &= ~(uint32_t)NODE_FLAG_RUNNING;
  ck_assert(!path_node_is_usable(n));
  n->flags |= NODE_FLAG_RUNNING;
  n->flags &= ~(uint32_t)NODE_FLAG_VALID;
  ck_assert(!path_node_is_usable(n));
  n->flags |= NODE_FLAG_VALID;
  n->has_md = 0;
  ck_assert(!path_node_is_usable(n));
  n->has_md = 1;
  n->has_ed_id = 0;
  ck_assert(!path_node_is_usable(n));
  n->has_ed_id = 1;
  protover_clear(&n->protos);
  ck_assert_int_eq(protover_parse(&n->protos, "Link=4-5 Relay=1", 16), 0);
  ck_assert(!path_node_is_usable(n));                  /* no EXTEND2 */
  protover_clear(&n->protos);
  ck_assert_int_eq(protover_parse(&n->protos, "Relay=3-4", 9), 0);
  ck_assert(!path_node_is_usable(n));                  /* Relay=2 itself is needed */
  protover_clear(&n->protos);
  ck_assert_int_eq(protover_parse(&n->protos, "Relay=2", 7), 0);
  ck_assert(path_node_is_usable(n));
  nodelist_free(nl);
}
END_TEST

/* Unusable relays are never part of a path, even when they weigh the most. */
START_TEST(test_unusable_never_chosen)
{
  nodelist_t *nl = nodelist_new();
  for (uint8_t id = 1; id <= 6; id++)
    tn_add(nl, id, TN_GUARD | NODE_FLAG_EXIT, 100, "accept 1-65535", NULL);
  node_t *down = tn_add(nl, 7, TN_GUARD | NODE_FLAG_EXIT, 100000, "accept 1-65535", NULL);
  down->flags &= ~(uint32_t)NODE_FLAG_RUNNING;
  node_t *nomd = tn_add(nl, 8, TN_GUARD | NODE_FLAG_EXIT, 100000, "accept 1-65535", NULL);
  nomd->has_md = 0;
  path_options_t o;
  path_options_init_exit(&o, 80, 0);
  counts_t c;
  draw(nl, &o, DRAWS, 11, &c);
  ck_assert_uint_eq(c.ok, DRAWS);
  for (int h = 0; h < 3; h++) {
    ck_assert_uint_eq(c.hop[h][7], 0);
    ck_assert_uint_eq(c.hop[h][8], 0);
  }
  nodelist_free(nl);
}
END_TEST

START_TEST(test_exit_port_filter)
{
  nodelist_t *nl = nodelist_new();
  for (uint8_t id = 1; id <= 4; id++)
    tn_add(nl, id, TN_GUARD, 100, NULL, NULL);
  tn_add(nl, 10, TN_EXIT, 100, "accept 80", NULL);
  tn_add(nl, 11, TN_EXIT, 100, "accept 443,8000-9000", NULL);
  tn_add(nl, 12, TN_EXIT, 100, "reject 1-79,81-65535", NULL);   /* = accept 80 */
  path_options_t o;
  path_options_init_exit(&o, 443, 0);
  counts_t c;
  draw(nl, &o, 300, 1, &c);
  ck_assert_uint_eq(c.ok, 300);
  ck_assert_uint_eq(c.hop[2][11], 300);                  /* the only exit for 443 */
  path_options_init_exit(&o, 80, 0);
  draw(nl, &o, 300, 2, &c);
  ck_assert_uint_eq(c.hop[2][10] + c.hop[2][12], 300);
  ck_assert_uint_gt(c.hop[2][10], 0);
  ck_assert_uint_gt(c.hop[2][12], 0);
  path_options_init_exit(&o, 8500, 0);
  draw(nl, &o, 50, 3, &c);
  ck_assert_uint_eq(c.hop[2][11], 50);
  /* Nobody exits to 22: no path, and the reason says so. */
  path_options_init_exit(&o, 22, 0);
  path_t p;
  ck_assert_int_eq(path_choose(nl, NULL, &o, 0, NULL, &p), PATH_ERR_NO_EXIT);
  ck_assert_int_eq(p.n_hops, 0);
  ck_assert_str_eq(path_result_to_string(PATH_ERR_NO_EXIT), "no exit");
  nodelist_free(nl);
}
END_TEST

/* The Exit flag is neither needed (a non-Exit relay whose policy accepts the
 * port may exit, as in tor) nor enough (a test network's "Exit" relays with
 * "p reject 1-65535"); port 0 means "accepts something". */
START_TEST(test_exit_flag_neither_needed_nor_enough)
{
  nodelist_t *nl = nodelist_new();
  node_t *flagged_reject = tn_add(nl, 1, TN_EXIT, 100, NULL, NULL);
  node_t *unflagged_accept = tn_add(nl, 2, TN_MIDDLE, 100, "accept 80", NULL);
  ck_assert(!path_node_can_exit(flagged_reject, 80));
  ck_assert(!path_node_can_exit(flagged_reject, 0));
  ck_assert(path_node_can_exit(unflagged_accept, 80));
  ck_assert(path_node_can_exit(unflagged_accept, 0));
  ck_assert(!path_node_can_exit(unflagged_accept, 81));
  unflagged_accept->flags |= NODE_FLAG_MIDDLEONLY;
  ck_assert(!path_node_can_exit(unflagged_accept, 80));
  nodelist_free(nl);
}
END_TEST

START_TEST(test_badexit_never_exit)
{
  nodelist_t *nl = nodelist_new();
  for (uint8_t id = 1; id <= 4; id++)
    tn_add(nl, id, TN_GUARD, 100, NULL, NULL);
  node_t *bad = tn_add(nl, 10, TN_EXIT | NODE_FLAG_BADEXIT, 100000, "accept 1-65535", NULL);
  tn_add(nl, 11, TN_EXIT, 10, "accept 1-65535", NULL);
  ck_assert(!path_node_can_exit(bad, 80));
  path_options_t o;
  path_options_init_exit(&o, 80, 0);
  counts_t c;
  draw(nl, &o, DRAWS, 4, &c);
  ck_assert_uint_eq(c.ok, DRAWS);
  ck_assert_uint_eq(c.hop[2][10], 0);
  ck_assert_uint_eq(c.hop[2][11], DRAWS);
  ck_assert_uint_gt(c.hop[1][10], 0);    /* a BadExit is still a fine middle */
  nodelist_free(nl);
}
END_TEST

/* A network where, without the family rule, nodes 1 and 2 would often share
 * a path: both guards and both middles, the heaviest. */
static nodelist_t *
family_net(node_t **a, node_t **b)
{
  nodelist_t *nl = nodelist_new();
  *a = tn_add(nl, 1, TN_GUARD, 1000, NULL, NULL);
  *b = tn_add(nl, 2, TN_GUARD, 1000, NULL, NULL);
  tn_add(nl, 3, TN_GUARD, 100, NULL, NULL);
  tn_add(nl, 4, TN_MIDDLE, 100, NULL, NULL);
  tn_add(nl, 5, TN_EXIT, 100, "accept 80", NULL);
  tn_add(nl, 6, TN_EXIT, 100, "accept 80", NULL);
  return nl;
}

/* Count the draws whose path holds both ids x and y. */
static unsigned
count_together(const nodelist_t *nl, uint8_t x, uint8_t y, int testing, uint64_t seed)
{
  tn_rng_t r;
  tn_rng_init(&r, seed);
  path_options_t o;
  path_options_init_exit(&o, 80, testing);
  unsigned both = 0;
  for (int i = 0; i < DRAWS; i++) {
    path_t p;
    ck_assert_int_eq(path_choose(nl, NULL, &o, 0, &r.rng, &p), PATH_OK);
    if (tn_hop_index(p.hops, p.n_hops, x) >= 0 && tn_hop_index(p.hops, p.n_hops, y) >= 0)
      both++;
  }
  return both;
}

START_TEST(test_family_mutual_ids)
{
  node_t *a, *b;
  nodelist_t *nl = family_net(&a, &b);
  ck_assert_uint_gt(count_together(nl, 1, 2, 0, 5), 50);  /* the pair is popular */
  char ha[42], hb[42];
  const char *fa[] = { tn_hexid(b, hb), NULL };
  tn_set_family(a, fa);
  /* One-sided: not a family. */
  ck_assert(path_node_family_lists(a, b));
  ck_assert(!path_nodes_same_family(a, b));
  ck_assert_uint_gt(count_together(nl, 1, 2, 0, 5), 50);
  /* Mutual ("$HEX=nick" form on this side): never together. */
  char eb[64];
  snprintf(eb, sizeof(eb), "%s=n1", tn_hexid(a, ha));
  const char *fb[] = { "$0000000000000000000000000000000000000000", eb, NULL };
  tn_set_family(b, fb);
  ck_assert(path_nodes_same_family(a, b));
  ck_assert(path_nodes_same_family(b, a));
  ck_assert_uint_eq(count_together(nl, 1, 2, 0, 5), 0);
  nodelist_free(nl);
}
END_TEST

START_TEST(test_family_nicknames_and_lowercase_hex)
{
  node_t *a, *b;
  nodelist_t *nl = family_net(&a, &b);
  char hb[42];
  tn_hexid(b, hb);
  for (char *p = hb; *p; p++)
    *p = (char)((*p >= 'A' && *p <= 'F') ? *p - 'A' + 'a' : *p);
  const char *fa[] = { hb, NULL };
  const char *fb[] = { "N1", NULL };     /* a's nickname is "n1": case-insensitive */
  tn_set_family(a, fa);
  tn_set_family(b, fb);
  ck_assert(path_nodes_same_family(a, b));
  ck_assert_uint_eq(count_together(nl, 1, 2, 0, 6), 0);
  /* A malformed id entry names nobody. */
  node_t *c = tn_add(nl, 7, TN_MIDDLE, 1, NULL, NULL);
  const char *fc[] = { "$01", "$0101010101010101010101010101010101010101x", NULL };
  tn_set_family(c, fc);
  ck_assert(!path_node_family_lists(c, a));
  nodelist_free(nl);
}
END_TEST

START_TEST(test_family_ids_shared)
{
  node_t *a, *b;
  nodelist_t *nl = family_net(&a, &b);
  const char *ia[] = { "ed25519:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL };
  const char *ib[] = { "ed25519:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB",
                       "ed25519:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL };
  tn_set_family_ids(a, ia);
  tn_set_family_ids(b, ib);
  ck_assert(path_nodes_same_family(a, b));
  ck_assert_uint_eq(count_together(nl, 1, 2, 0, 7), 0);
  nodelist_free(nl);
}
END_TEST

START_TEST(test_family_ids_disjoint)
{
  node_t *a, *b;
  nodelist_t *nl = family_net(&a, &b);
  const char *ia[] = { "ed25519:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL };
  const char *ib[] = { "ed25519:aAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL };
  tn_set_family_ids(a, ia);
  tn_set_family_ids(b, ib);
  ck_assert(!path_nodes_same_family(a, b));   /* base64 is case-sensitive */
  nodelist_free(nl);
}
END_TEST

START_TEST(test_subnet_rule_on_and_off)
{
  nodelist_t *nl = nodelist_new();
  node_t *a = tn_add(nl, 1, TN_GUARD, 1000, NULL, "192.0.2.1");
  node_t *b = tn_add(nl, 2, TN_GUARD, 1000, NULL, "192.0.77.9");    /* same /16 */
  node_t *c = tn_add(nl, 3, TN_GUARD, 100, NULL, "192.1.2.1");      /* next /16 */
  tn_add(nl, 4, TN_MIDDLE, 100, NULL, NULL);
  tn_add(nl, 5, TN_EXIT, 100, "accept 80", NULL);
  tn_add(nl, 6, TN_EXIT, 100, "accept 80", NULL);
  ck_assert(path_nodes_same_subnet(a, b));
  ck_assert(!path_nodes_same_subnet(a, c));
  ck_assert(path_nodes_conflict(a, b, 1));
  ck_assert(!path_nodes_conflict(a, b, 0));
  ck_assert(path_nodes_conflict(a, a, 0));
  ck_assert_uint_eq(count_together(nl, 1, 2, 0, 8), 0);
  ck_assert_uint_gt(count_together(nl, 1, 2, 1, 8), 50);   /* testing_tor_network */
  nodelist_free(nl);
}
END_TEST

START_TEST(test_subnet_ipv6_32)
{
  nodelist_t *nl = nodelist_new();
  node_t *a = tn_add(nl, 1, TN_GUARD, 1, NULL, NULL);
  node_t *b = tn_add(nl, 2, TN_GUARD, 1, NULL, NULL);
  ck_assert(!path_nodes_same_subnet(a, b));
  ck_assert_int_eq(netaddr_parse(&a->ipv6, "2001:db8:1::1"), 0);
  ck_assert_int_eq(netaddr_parse(&b->ipv6, "2001:db8:ffff::2"), 0);
  ck_assert(path_nodes_same_subnet(a, b));
  ck_assert_int_eq(netaddr_parse(&b->ipv6, "2001:db9::2"), 0);
  ck_assert(!path_nodes_same_subnet(a, b));
  nodelist_free(nl);
}
END_TEST

/* Weights: three exits of bandwidth 1, 2 and 7 are chosen about 10%, 20% and
 * 70% of the time (10000 draws; each proportion within +-0.03, about 10
 * standard deviations of the binomial). */
START_TEST(test_weights_proportional_to_bandwidth)
{
  nodelist_t *nl = nodelist_new();
  const node_t *nodes[3];
  nodes[0] = tn_add(nl, 1, TN_EXIT, 1000, "accept 80", NULL);
  nodes[1] = tn_add(nl, 2, TN_EXIT, 2000, "accept 80", NULL);
  nodes[2] = tn_add(nl, 3, TN_EXIT, 7000, "accept 80", NULL);
  tn_rng_t r;
  tn_rng_init(&r, 12345);
  unsigned hits[3] = { 0, 0, 0 };
  for (int i = 0; i < 10000; i++) {
    long k = path_choose_weighted(nl, nodes, 3, PATH_POS_EXIT, &r.rng);
    ck_assert(k >= 0 && k < 3);
    hits[k]++;
  }
  const double want[3] = { 0.1, 0.2, 0.7 };
  for (int k = 0; k < 3; k++) {
    double got = hits[k] / 10000.0;
    ck_assert_msg(got > want[k] - 0.03 && got < want[k] + 0.03, "node %d: %f", k, got);
  }
  nodelist_free(nl);
}
END_TEST

START_TEST(test_weight_values_by_class_and_position)
{
  nodelist_t *nl = nodelist_new();
  node_t *g = tn_add(nl, 1, TN_LISTED | NODE_FLAG_GUARD, 100, NULL, NULL);
  node_t *e = tn_add(nl, 2, TN_EXIT, 100, "accept 80", NULL);
  node_t *d = tn_add(nl, 3, TN_LISTED | NODE_FLAG_GUARD | NODE_FLAG_EXIT, 100, "accept 80", NULL);
  node_t *m = tn_add(nl, 4, TN_MIDDLE, 100, NULL, NULL);
  /* The [live] test-network line of protocol-scope §A.9. */
  const char *names[] = { "Wbd", "Wbe", "Wbg", "Wbm", "Wdb", "Web", "Wed", "Wee", "Weg", "Wem",
                          "Wgb", "Wgd", "Wgg", "Wgm", "Wmb", "Wmd", "Wme", "Wmg", "Wmm" };
  const int32_t vals[] = { 3333, 0, 0, 10000, 10000, 10000, 3333, 10000, 3333, 10000,
                           10000, 3333, 10000, 10000, 10000, 3333, 0, 0, 10000 };
  for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
    nodelist_set_weight(nl, names[i], vals[i]);
  ck_assert_double_eq_tol(path_node_weight(nl, g, PATH_POS_GUARD), 100.0, 1e-9);  /* Wgg */
  ck_assert_double_eq_tol(path_node_weight(nl, d, PATH_POS_GUARD), 33.33, 1e-9);  /* Wgd */
  ck_assert_double_eq_tol(path_node_weight(nl, e, PATH_POS_GUARD), 0.0, 1e-9);    /* no Wge */
  ck_assert_double_eq_tol(path_node_weight(nl, m, PATH_POS_GUARD), 100.0, 1e-9);  /* Wgm */
  ck_assert_double_eq_tol(path_node_weight(nl, g, PATH_POS_MIDDLE), 0.0, 1e-9);   /* Wmg */
  ck_assert_double_eq_tol(path_node_weight(nl, e, PATH_POS_MIDDLE), 0.0, 1e-9);   /* Wme */
  ck_assert_double_eq_tol(path_node_weight(nl, d, PATH_POS_MIDDLE), 33.33, 1e-9); /* Wmd */
  ck_assert_double_eq_tol(path_node_weight(nl, m, PATH_POS_MIDDLE), 100.0, 1e-9); /* Wmm */
  ck_assert_double_eq_tol(path_node_weight(nl, g, PATH_POS_EXIT), 33.33, 1e-9);   /* Weg */
  ck_assert_double_eq_tol(path_node_weight(nl, e, PATH_POS_EXIT), 100.0, 1e-9);   /* Wee */
  ck_assert_double_eq_tol(path_node_weight(nl, d, PATH_POS_EXIT), 33.33, 1e-9);   /* Wed */
  ck_assert_double_eq_tol(path_node_weight(nl, d, PATH_POS_DIR), 33.33, 1e-9);    /* Wbd */
  ck_assert_double_eq_tol(path_node_weight(nl, e, PATH_POS_DIR), 0.0, 1e-9);      /* Wbe */
  /* BadExit takes a Guard+Exit relay back to the guard class. */
  d->flags |= NODE_FLAG_BADEXIT;
  ck_assert_double_eq_tol(path_node_weight(nl, d, PATH_POS_MIDDLE), 0.0, 1e-9);   /* Wmg */
  d->flags &= ~(uint32_t)NODE_FLAG_BADEXIT;
  /* V2Dir relays: times W?b / scale; bwweightscale changes the unit. */
  nodelist_set_weight(nl, "Wmb", 5000);
  m->flags |= NODE_FLAG_V2DIR;
  ck_assert_double_eq_tol(path_node_weight(nl, m, PATH_POS_MIDDLE), 50.0, 1e-9);
  ck_assert_double_eq_tol(path_node_weight(nl, m, PATH_POS_DIR), 100.0, 1e-9);    /* Wbm only */
  nodelist_set_param(nl, "bwweightscale", 20000);
  ck_assert_double_eq_tol(path_node_weight(nl, m, PATH_POS_DIR), 50.0, 1e-9);
  nodelist_free(nl);
}
END_TEST

/* With the live weights (Wme = Wmg = 0, Wmd = 3333) and every relay
 * Guard+Exit, middles still get chosen (the D weight applies). */
START_TEST(test_live_weights_all_guard_exit)
{
  nodelist_t *nl = nodelist_new();
  for (uint8_t id = 1; id <= 5; id++)
    tn_add(nl, id, TN_GUARD | NODE_FLAG_EXIT, 56, "accept 1-65535", NULL);
  nodelist_set_weight(nl, "Wme", 0);
  nodelist_set_weight(nl, "Wmg", 0);
  nodelist_set_weight(nl, "Wmd", 3333);
  path_options_t o;
  path_options_init_exit(&o, 80, 1);
  counts_t c;
  draw(nl, &o, 500, 9, &c);
  ck_assert_uint_eq(c.ok, 500);
  ck_assert_uint_eq(__builtin_popcountll(used_mask(&c, 1)), 5);
  nodelist_free(nl);
}
END_TEST

START_TEST(test_zero_weights)
{
  nodelist_t *nl = nodelist_new();
  const node_t *nodes[4];
  for (uint8_t id = 1; id <= 3; id++)
    nodes[id - 1] = tn_add(nl, id, TN_MIDDLE, 0, NULL, NULL);
  tn_rng_t r;
  tn_rng_init(&r, 77);
  /* All zero: uniform. */
  unsigned hits[4] = { 0, 0, 0, 0 };
  for (int i = 0; i < 3000; i++)
    hits[path_choose_weighted(nl, nodes, 3, PATH_POS_MIDDLE, &r.rng)]++;
  for (int k = 0; k < 3; k++)
    ck_assert_msg(hits[k] > 850 && hits[k] < 1150, "node %d: %u", k, hits[k]);
  /* One non-zero: the zero ones are never chosen. */
  nodes[3] = tn_add(nl, 4, TN_MIDDLE, 1, NULL, NULL);
  memset(hits, 0, sizeof(hits));
  for (int i = 0; i < 1000; i++)
    hits[path_choose_weighted(nl, nodes, 4, PATH_POS_MIDDLE, &r.rng)]++;
  ck_assert_uint_eq(hits[3], 1000);
  ck_assert_int_eq(path_choose_weighted(nl, nodes, 0, PATH_POS_MIDDLE, &r.rng), -1);
  nodelist_free(nl);
}
END_TEST

/* The exit is chosen first: with one relay that can exit and also be the
 * heaviest guard and middle, it is always the exit, never elsewhere. */
START_TEST(test_exit_chosen_first)
{
  nodelist_t *nl = nodelist_new();
  tn_add(nl, 1, TN_GUARD | NODE_FLAG_EXIT, 100000, "accept 80", NULL);
  for (uint8_t id = 2; id <= 5; id++)
    tn_add(nl, id, TN_GUARD, 10, NULL, NULL);
  path_options_t o;
  path_options_init_exit(&o, 80, 0);
  counts_t c;
  draw(nl, &o, DRAWS, 10, &c);
  ck_assert_uint_eq(c.ok, DRAWS);
  ck_assert_uint_eq(c.hop[2][1], DRAWS);
  ck_assert_uint_eq(c.hop[0][1] + c.hop[1][1], 0);
  nodelist_free(nl);
}
END_TEST

START_TEST(test_first_hop_is_guard_and_fast_filter)
{
  nodelist_t *nl = nodelist_new();
  tn_add(nl, 1, TN_GUARD, 100, NULL, NULL);
  tn_add(nl, 2, TN_MIDDLE, 100000, NULL, NULL);
  node_t *slow = tn_add(nl, 3, TN_MIDDLE, 100000, NULL, NULL);
  slow->flags &= ~(uint32_t)NODE_FLAG_FAST;
  tn_add(nl, 4, TN_EXIT, 100, "accept 80", NULL);
  path_options_t o;
  path_options_init_exit(&o, 80, 0);
  counts_t c;
  draw(nl, &o, 200, 12, &c);
  ck_assert_uint_eq(c.ok, 200);
  ck_assert_uint_eq(c.hop[0][1], 200);     /* the only Guard */
  ck_assert_uint_eq(c.hop[1][2], 200);     /* the only Fast middle */
  o.need_fast = 0;
  draw(nl, &o, 200, 12, &c);
  ck_assert_uint_gt(c.hop[1][3], 0);
  nodelist_free(nl);
}
END_TEST

START_TEST(test_stable_for_long_lived_ports)
{
  ck_assert(path_port_needs_stable(22));
  ck_assert(path_port_needs_stable(6667));
  ck_assert(!path_port_needs_stable(80));
  nodelist_t *nl = nodelist_new();
  tn_add(nl, 1, TN_GUARD, 100, NULL, NULL);
  tn_add(nl, 2, TN_MIDDLE, 100, NULL, NULL);
  node_t *unstable = tn_add(nl, 3, TN_EXIT, 100000, "accept 1-65535", NULL);
  unstable->flags &= ~(uint32_t)NODE_FLAG_STABLE;
  tn_add(nl, 4, TN_EXIT, 100, "accept 1-65535", NULL);
  path_options_t o;
  path_options_init_exit(&o, 22, 0);
  ck_assert(o.need_stable);
  counts_t c;
  draw(nl, &o, 200, 13, &c);
  ck_assert_uint_eq(c.hop[2][4], 200);
  path_options_init_exit(&o, 80, 0);
  draw(nl, &o, 200, 13, &c);
  ck_assert_uint_gt(c.hop[2][3], 150);
  nodelist_free(nl);
}
END_TEST

START_TEST(test_internal_and_dir_paths)
{
  nodelist_t *nl = nodelist_new();
  tn_add(nl, 1, TN_GUARD, 100, NULL, NULL);                  /* V2Dir */
  tn_add(nl, 2, TN_LISTED | NODE_FLAG_GUARD, 100000, NULL, NULL); /* no V2Dir */
  tn_add(nl, 3, TN_MIDDLE, 100, NULL, NULL);
  tn_add(nl, 4, TN_MIDDLE, 100, NULL, NULL);
  /* Internal circuit: no exit needed; the last hop may reject everything. */
  path_options_t o;
  path_options_init_exit(&o, 0, 0);
  o.need_exit = 0;
  counts_t c;
  draw(nl, &o, 100, 14, &c);
  ck_assert_uint_eq(c.ok, 100);
  /* ...but an exit for "some port" finds none here. */
  path_options_init_exit(&o, 0, 0);
  path_t p;
  ck_assert_int_eq(path_choose(nl, NULL, &o, 0, NULL, &p), PATH_ERR_NO_EXIT);
  /* One-hop directory circuits go to V2Dir relays only. */
  path_options_init_dir(&o, 0);
  draw(nl, &o, 100, 15, &c);
  ck_assert_uint_eq(c.ok, 100);
  ck_assert_uint_eq(c.hop[0][2], 0);
  ck_assert_uint_eq(c.hop[0][1], 100);
  /* Bad options. */
  o.need_exit = 1;
  ck_assert_int_eq(path_choose(nl, NULL, &o, 0, NULL, &p), PATH_ERR_OPTIONS);
  o.need_exit = 0;
  o.n_hops = 0;
  ck_assert_int_eq(path_choose(nl, NULL, &o, 0, NULL, &p), PATH_ERR_OPTIONS);
  o.n_hops = PATH_MAX_HOPS + 1;
  ck_assert_int_eq(path_choose(nl, NULL, &o, 0, NULL, &p), PATH_ERR_OPTIONS);
  nodelist_free(nl);
}
END_TEST

START_TEST(test_too_small_network)
{
  nodelist_t *nl = nodelist_new();
  tn_add(nl, 1, TN_GUARD, 100, NULL, NULL);
  tn_add(nl, 2, TN_EXIT, 100, "accept 80", NULL);
  path_options_t o;
  path_options_init_exit(&o, 80, 0);
  path_t p;
  ck_assert_int_eq(path_choose(nl, NULL, &o, 0, NULL, &p), PATH_ERR_NO_MIDDLE);
  nodelist_t *empty = nodelist_new();
  ck_assert_int_eq(path_choose(empty, NULL, &o, 0, NULL, &p), PATH_ERR_NO_EXIT);
  nodelist_free(empty);
  nodelist_free(nl);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("client_path");
  TESTUTIL_ADD(s, test_usable_needs_each_condition, 10);
  TESTUTIL_ADD(s, test_unusable_never_chosen, 10);
  TESTUTIL_ADD(s, test_exit_port_filter, 10);
  TESTUTIL_ADD(s, test_exit_flag_neither_needed_nor_enough, 10);
  TESTUTIL_ADD(s, test_badexit_never_exit, 10);
  TESTUTIL_ADD(s, test_family_mutual_ids, 10);
  TESTUTIL_ADD(s, test_family_nicknames_and_lowercase_hex, 10);
  TESTUTIL_ADD(s, test_family_ids_shared, 10);
  TESTUTIL_ADD(s, test_family_ids_disjoint, 10);
  TESTUTIL_ADD(s, test_subnet_rule_on_and_off, 10);
  TESTUTIL_ADD(s, test_subnet_ipv6_32, 10);
  TESTUTIL_ADD(s, test_weights_proportional_to_bandwidth, 10);
  TESTUTIL_ADD(s, test_weight_values_by_class_and_position, 10);
  TESTUTIL_ADD(s, test_live_weights_all_guard_exit, 10);
  TESTUTIL_ADD(s, test_zero_weights, 10);
  TESTUTIL_ADD(s, test_exit_chosen_first, 10);
  TESTUTIL_ADD(s, test_first_hop_is_guard_and_fast_filter, 10);
  TESTUTIL_ADD(s, test_stable_for_long_lived_ports, 10);
  TESTUTIL_ADD(s, test_internal_and_dir_paths, 10);
  TESTUTIL_ADD(s, test_too_small_network, 10);
  return s;
}
