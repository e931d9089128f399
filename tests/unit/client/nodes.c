/* nodes.c — see nodes.h. */
#include "nodes.h"

#include <stdio.h>
#include <string.h>

#include "lib/alloc.h"

node_t *
tn_add(nodelist_t *nl, uint8_t id_byte, uint32_t flags, uint64_t bw, const char *policy,
       const char *ipv4)
{
  node_t n;
  memset(&n, 0, sizeof(n));
  memset(n.rsa_id, id_byte, 20);
  snprintf(n.nickname, sizeof(n.nickname), "n%u", (unsigned)id_byte);
  char addr[32];
  if (!ipv4) {
    snprintf(addr, sizeof(addr), "10.%u.0.1", (unsigned)id_byte);
    ipv4 = addr;
  }
  if (netaddr_parse(&n.ipv4, ipv4) != 0)
    return NULL;
  n.or_port = 9001;
  n.flags = flags;
  n.bandwidth = bw;
  if (protover_parse(&n.protos, "Link=4-5 Relay=2-4", strlen("Link=4-5 Relay=2-4")) != 0)
    return NULL;
  n.has_md = 1;
  memset(n.ntor_key, id_byte ^ 0x55, 32);
  n.has_ed_id = 1;
  memset(n.ed_id, id_byte ^ 0xaa, 32);
  n.policy = policy ? policy_summary_parse(policy, strlen(policy))
                    : policy_summary_new_reject_all();
  if (!n.policy)
    return NULL;
  node_t *stored = nodelist_add(nl, &n);
  if (!stored)
    node_clear(&n);
  return stored;
}

static char **
copy_list(const char *const *entries, size_t *n_out)
{
  size_t n = 0;
  while (entries[n])
    n++;
  char **v = x_calloc(n ? n : 1, sizeof(char *));
  for (size_t i = 0; i < n; i++)
    v[i] = x_strdup(entries[i]);
  *n_out = n;
  return v;
}

void
tn_set_family(node_t *node, const char *const *entries)
{
  node->family = copy_list(entries, &node->n_family);
}

void
tn_set_family_ids(node_t *node, const char *const *ids)
{
  node->family_ids = copy_list(ids, &node->n_family_ids);
}

const char *
tn_hexid(const node_t *node, char *out)
{
  out[0] = '$';
  for (int i = 0; i < 20; i++)
    snprintf(out + 1 + 2 * i, 3, "%02X", node->rsa_id[i]);
  return out;
}

static uint64_t
tn_uniform(void *arg, uint64_t max)
{
  tn_rng_t *r = arg;
  /* xorshift64*, then rejection sampling so there is no modulo bias. */
  uint64_t limit = UINT64_MAX - UINT64_MAX % max;
  for (;;) {
    uint64_t x = r->state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->state = x;
    uint64_t v = x * UINT64_C(2685821657736338717);
    if (v < limit)
      return v % max;
  }
}

void
tn_rng_init(tn_rng_t *r, uint64_t seed)
{
  r->state = seed ? seed : 1;
  r->rng.uniform = tn_uniform;
  r->rng.arg = r;
}

int
tn_hop_index(const node_t *const *hops, int n, uint8_t id_byte)
{
  for (int i = 0; i < n; i++) {
    if (hops[i] && hops[i]->rsa_id[0] == id_byte)
      return i;
  }
  return -1;
}
