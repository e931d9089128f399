/* nodelist.c — the node list container (see node.h). */
#include "dir/node.h"

#include <string.h>

#include "lib/alloc.h"
#include "lib/bytes.h"

#define NAME_MAX_LEN 63

typedef struct named_value_t {
  char name[NAME_MAX_LEN + 1];
  int32_t value;
} named_value_t;

typedef struct named_values_t {
  size_t n, cap;
  named_value_t *v;
} named_values_t;

struct nodelist_t {
  size_t n, cap;
  node_t **nodes;
  /* Open-addressed index by RSA id: slots hold node index + 1 (0 = empty). */
  size_t n_slots;
  size_t *slots;
  named_values_t params, weights;
  int64_t valid_after, fresh_until, valid_until;
};

static const struct {
  const char *name;
  uint32_t bit;
} flag_names[] = {
  {"Authority", NODE_FLAG_AUTHORITY}, {"BadExit", NODE_FLAG_BADEXIT},
  {"Exit", NODE_FLAG_EXIT}, {"Fast", NODE_FLAG_FAST}, {"Guard", NODE_FLAG_GUARD},
  {"HSDir", NODE_FLAG_HSDIR}, {"MiddleOnly", NODE_FLAG_MIDDLEONLY},
  {"NoEdConsensus", NODE_FLAG_NOEDCONSENSUS}, {"Running", NODE_FLAG_RUNNING},
  {"Stable", NODE_FLAG_STABLE}, {"StaleDesc", NODE_FLAG_STALEDESC},
  {"Sybil", NODE_FLAG_SYBIL}, {"V2Dir", NODE_FLAG_V2DIR}, {"Valid", NODE_FLAG_VALID},
};

uint32_t
node_flag_from_name(const char *name, size_t len)
{
  for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++) {
    if (strlen(flag_names[i].name) == len && memcmp(flag_names[i].name, name, len) == 0)
      return flag_names[i].bit;
  }
  return 0;
}

nodelist_t *
nodelist_new(void)
{
  return x_calloc(1, sizeof(nodelist_t));
}

void
node_clear(node_t *node)
{
  if (!node)
    return;
  policy_summary_free(node->policy);
  policy_summary_free(node->policy6);
  node->policy = node->policy6 = NULL;
  for (size_t i = 0; i < node->n_family; i++)
    x_free(node->family[i]);
  FREE_AND_NULL(x_free, node->family);
  node->n_family = 0;
  for (size_t i = 0; i < node->n_family_ids; i++)
    x_free(node->family_ids[i]);
  FREE_AND_NULL(x_free, node->family_ids);
  node->n_family_ids = 0;
  protover_clear(&node->protos);
}

void
nodelist_free(nodelist_t *nl)
{
  if (!nl)
    return;
  for (size_t i = 0; i < nl->n; i++) {
    node_clear(nl->nodes[i]);
    x_free(nl->nodes[i]);
  }
  x_free(nl->nodes);
  x_free(nl->slots);
  x_free(nl->params.v);
  x_free(nl->weights.v);
  x_free(nl);
}

static size_t
id_hash(const uint8_t id[20], size_t n_slots)
{
  /* RSA ids are SHA-1 outputs: their first bytes are already uniform. */
  return (size_t)get_u64(id) & (n_slots - 1);
}

static size_t *
index_find_slot(const nodelist_t *nl, const uint8_t id[20])
{
  size_t i = id_hash(id, nl->n_slots);
  for (;;) {
    size_t *s = &nl->slots[i];
    if (*s == 0 || memcmp(nl->nodes[*s - 1]->rsa_id, id, 20) == 0)
      return s;
    i = (i + 1) & (nl->n_slots - 1);
  }
}

static void
index_grow(nodelist_t *nl)
{
  size_t n_slots = nl->n_slots ? nl->n_slots * 2 : 64;
  x_free(nl->slots);
  nl->slots = x_calloc(n_slots, sizeof(size_t));
  nl->n_slots = n_slots;
  for (size_t k = 0; k < nl->n; k++)
    *index_find_slot(nl, nl->nodes[k]->rsa_id) = k + 1;
}

node_t *
nodelist_add(nodelist_t *nl, const node_t *node)
{
  if ((nl->n + 1) * 2 > nl->n_slots)
    index_grow(nl);
  size_t *slot = index_find_slot(nl, node->rsa_id);
  if (*slot != 0)
    return NULL;
  if (nl->n == nl->cap) {
    nl->cap = nl->cap ? nl->cap * 2 : 64;
    nl->nodes = x_realloc(nl->nodes, nl->cap * sizeof(node_t *));
  }
  node_t *copy = x_memdup(node, sizeof(*node));
  nl->nodes[nl->n++] = copy;
  *slot = nl->n;
  return copy;
}

size_t
nodelist_count(const nodelist_t *nl)
{
  return nl->n;
}

node_t *
nodelist_get(const nodelist_t *nl, size_t i)
{
  return i < nl->n ? nl->nodes[i] : NULL;
}

node_t *
nodelist_find_by_rsa_id(const nodelist_t *nl, const uint8_t rsa_id[20])
{
  if (nl->n_slots == 0)
    return NULL;
  size_t s = *index_find_slot(nl, rsa_id);
  return s ? nl->nodes[s - 1] : NULL;
}

static void
named_set(named_values_t *t, const char *name, int32_t value)
{
  for (size_t i = 0; i < t->n; i++) {
    if (strcmp(t->v[i].name, name) == 0) {
      t->v[i].value = value;
      return;
    }
  }
  if (t->n == t->cap) {
    t->cap = t->cap ? t->cap * 2 : 16;
    t->v = x_realloc(t->v, t->cap * sizeof(named_value_t));
  }
  named_value_t *e = &t->v[t->n++];
  memset(e, 0, sizeof(*e));
  strncpy(e->name, name, NAME_MAX_LEN);
  e->value = value;
}

static const named_value_t *
named_get(const named_values_t *t, const char *name)
{
  for (size_t i = 0; i < t->n; i++) {
    if (strcmp(t->v[i].name, name) == 0)
      return &t->v[i];
  }
  return NULL;
}

void
nodelist_set_param(nodelist_t *nl, const char *name, int32_t value)
{
  named_set(&nl->params, name, value);
}

int32_t
nodelist_get_param(const nodelist_t *nl, const char *name, int32_t dflt, int32_t min, int32_t max)
{
  const named_value_t *e = named_get(&nl->params, name);
  int32_t v = e ? e->value : dflt;
  if (v < min)
    v = min;
  if (v > max)
    v = max;
  return v;
}

void
nodelist_set_weight(nodelist_t *nl, const char *name, int32_t value)
{
  named_set(&nl->weights, name, value);
}

int32_t
nodelist_get_weight(const nodelist_t *nl, const char *name)
{
  const named_value_t *e = named_get(&nl->weights, name);
  return (e && e->value >= 0) ? e->value : 10000;
}

int32_t
nodelist_weight_scale(const nodelist_t *nl)
{
  return nodelist_get_param(nl, "bwweightscale", 10000, 1, INT32_MAX);
}

void
nodelist_set_times(nodelist_t *nl, int64_t valid_after, int64_t fresh_until, int64_t valid_until)
{
  nl->valid_after = valid_after;
  nl->fresh_until = fresh_until;
  nl->valid_until = valid_until;
}

void
nodelist_get_times(const nodelist_t *nl, int64_t *valid_after, int64_t *fresh_until,
                   int64_t *valid_until)
{
  if (valid_after)
    *valid_after = nl->valid_after;
  if (fresh_until)
    *fresh_until = nl->fresh_until;
  if (valid_until)
    *valid_until = nl->valid_until;
}

double
nodelist_md_fraction(const nodelist_t *nl)
{
  if (nl->n == 0)
    return 0.0;
  size_t have = 0;
  for (size_t i = 0; i < nl->n; i++)
    have += nl->nodes[i]->has_md ? 1 : 0;
  return (double)have / (double)nl->n;
}
