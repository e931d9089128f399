/* test_path_fixture.c — path selection over the node list built from the
 * documents captured from a tor 0.4.9 test network (tests/vectors/dir/:
 * 3 authorities, 3 relays, 1 exit, all on 127.0.0.1, all "Bandwidth=0").
 * Which relay is the exit comes from expected.json (what the harness
 * configured), not from the documents. */
#include <stdlib.h>
#include <string.h>

#include "../proto/netdoc/dirvec.h"
#include "client/guard.h"
#include "client/path.h"
#include "client/path_node.h"
#include "dir/mdstore.h"
#include "dir/nodebuild.h"
#include "lib/alloc.h"
#include "proto/netdoc/consensus.h"
#include "nodes.h"
#include "testutil.h"

#define T0 INT64_C(1800000000)

static nodelist_t *
load_fixture(void)
{
  size_t clen, mlen;
  char *ctext = dirvec_read("consensus-microdesc", &clen);
  char *mtext = dirvec_read("microdescs", &mlen);
  consensus_t *c = NULL;
  char err[256];
  ck_assert_msg(consensus_parse(ctext, clen, &c, err, sizeof(err)) == 0, "%s", err);
  md_wanted_t w;
  w.n = c->n_routers;
  w.d = x_malloc(w.n * 32);
  for (size_t i = 0; i < w.n; i++)
    memcpy(w.d[i], c->routers[i].md_digest, 32);
  mdstore_wanted_sort(&w);
  mdstore_t *s = mdstore_new();
  unsigned added = 0, rejected = 0;
  ck_assert_int_eq(mdstore_add_body(s, mtext, mlen, &w, "fixture", 1, &added, &rejected), 0);
  ck_assert_uint_eq(rejected, 0);
  size_t n_with_md = 0;
  nodelist_t *nl = nodebuild_from_consensus(c, s, &n_with_md);
  ck_assert_uint_eq(n_with_md, c->n_routers);
  mdstore_free(s);
  x_free(w.d);
  consensus_free(c);
  free(ctext);
  free(mtext);
  return nl;
}

static const dirvec_node_t *
expected_exit(const dirvec_expected_t *e)
{
  const dirvec_node_t *x = NULL;
  for (size_t i = 0; i < e->n_nodes; i++) {
    if (e->nodes[i].is_exit) {
      ck_assert_ptr_null(x);   /* the capture has exactly one */
      x = &e->nodes[i];
    }
  }
  ck_assert_ptr_nonnull(x);
  return x;
}

/* Every listed relay is usable; exactly the harness's exit can exit. */
START_TEST(test_fixture_node_rules)
{
  dirvec_expected_t e;
  dirvec_load_expected(&e);
  nodelist_t *nl = load_fixture();
  ck_assert_uint_eq(nodelist_count(nl), e.n_nodes);
  for (size_t i = 0; i < e.n_nodes; i++) {
    const node_t *n = nodelist_find_by_rsa_id(nl, e.nodes[i].rsa_id);
    ck_assert_msg(n != NULL, "%s missing", e.nodes[i].nickname);
    ck_assert(path_node_is_usable(n));
    ck_assert_int_eq(path_node_can_exit(n, 80), e.nodes[i].is_exit);
    ck_assert_int_eq(path_node_can_exit(n, 0), e.nodes[i].is_exit);
    ck_assert(path_node_can_guard(n));
  }
  nodelist_free(nl);
}
END_TEST

/* --testing-tor-network paths: the exit is always the harness's exit, the
 * guard is always the same, no relay twice, and with every bandwidth 0 the
 * middle is uniform over the five others (each seen). */
START_TEST(test_fixture_paths_testing_network)
{
  dirvec_expected_t e;
  dirvec_load_expected(&e);
  const dirvec_node_t *x = expected_exit(&e);
  nodelist_t *nl = load_fixture();
  guard_set_t *gs = guard_set_new(NULL);
  tn_rng_t r;
  tn_rng_init(&r, 21);
  path_options_t o;
  path_options_init_exit(&o, 80, 1);
  const node_t *guard = NULL;
  unsigned middle_hits[8] = { 0 };
  for (int i = 0; i < 600; i++) {
    path_t p;
    ck_assert_int_eq(path_choose(nl, gs, &o, T0, &r.rng, &p), PATH_OK);
    ck_assert_int_eq(p.n_hops, 3);
    ck_assert_mem_eq(p.hops[2]->rsa_id, x->rsa_id, 20);
    if (!guard)
      guard = p.hops[0];
    ck_assert_ptr_eq(p.hops[0], guard);
    ck_assert_ptr_ne(p.hops[1], p.hops[0]);
    ck_assert_ptr_ne(p.hops[1], p.hops[2]);
    for (size_t k = 0; k < nodelist_count(nl) && k < 8; k++)
      middle_hits[k] += nodelist_get(nl, k) == p.hops[1];
  }
  unsigned seen = 0;
  for (size_t k = 0; k < nodelist_count(nl); k++) {
    const node_t *n = nodelist_get(nl, k);
    if (n == guard || memcmp(n->rsa_id, x->rsa_id, 20) == 0) {
      ck_assert_uint_eq(middle_hits[k], 0);
      continue;
    }
    ck_assert_msg(middle_hits[k] > 60 && middle_hits[k] < 180, "%s: %u of 600 (expect ~120)",
                  n->nickname, middle_hits[k]);
    seen++;
  }
  ck_assert_uint_eq(seen, 5);
  guard_set_free(gs);
  nodelist_free(nl);
}
END_TEST

/* Without --testing-tor-network every relay shares 127.0/16: no path. */
START_TEST(test_fixture_subnet_rule)
{
  nodelist_t *nl = load_fixture();
  guard_set_t *gs = guard_set_new(NULL);
  path_options_t o;
  path_options_init_exit(&o, 80, 0);
  path_t p;
  ck_assert_int_eq(path_choose(nl, gs, &o, T0, NULL, &p), PATH_ERR_NO_GUARD);
  ck_assert_int_eq(path_choose(nl, NULL, &o, T0, NULL, &p), PATH_ERR_NO_GUARD);
  /* A one-hop directory circuit has nothing to conflict with. */
  path_options_init_dir(&o, 0);
  ck_assert_int_eq(path_choose(nl, gs, &o, T0, NULL, &p), PATH_OK);
  ck_assert_int_eq(p.n_hops, 1);
  ck_assert(p.hops[0]->flags & NODE_FLAG_V2DIR);
  ck_assert_ptr_nonnull(guard_set_find(gs, p.hops[0]->rsa_id));
  guard_set_free(gs);
  nodelist_free(nl);
}
END_TEST

Suite *
unit_suite(void)
{
  Suite *s = suite_create("client_path_fixture");
  TESTUTIL_ADD(s, test_fixture_node_rules, 20);
  TESTUTIL_ADD(s, test_fixture_paths_testing_network, 20);
  TESTUTIL_ADD(s, test_fixture_subnet_rule, 20);
  return s;
}
