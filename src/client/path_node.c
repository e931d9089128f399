/* path_node.c — per-node path-selection rules (see path_node.h). */
#include "client/path_node.h"

#include <string.h>

#include "proto/netdoc/netdoc.h"

int
path_node_is_usable(const node_t *node)
{
  const uint32_t need = NODE_FLAG_RUNNING | NODE_FLAG_VALID;
  if ((node->flags & need) != need)
    return 0;
  if (!node->has_md || !node->has_ed_id)
    return 0;
  return protover_supports(&node->protos, PROTO_RELAY, 2);
}

int
path_node_can_exit(const node_t *node, uint16_t port)
{
  if (!path_node_is_usable(node))
    return 0;
  if (node->flags & (NODE_FLAG_BADEXIT | NODE_FLAG_MIDDLEONLY))
    return 0;
  if (!node->policy)
    return 0;
  if (port == 0)
    return policy_summary_allows_any(node->policy);
  return policy_summary_allows_port(node->policy, port);
}

int
path_node_can_guard(const node_t *node)
{
  if (!path_node_is_usable(node))
    return 0;
  return (node->flags & NODE_FLAG_GUARD) && !(node->flags & NODE_FLAG_MIDDLEONLY);
}

/* 1 if entry is "$" + 40 hex digits naming id, optionally followed by
 * "=nick" or "~nick". */
static int
entry_names_id(const char *entry, const uint8_t id[20])
{
  if (entry[0] != '$')
    return 0;
  const char *h = entry + 1;
  /* Never read past a short entry's NUL: the 40 digits must all be there. */
  for (size_t i = 0; i < 40; i++) {
    if (h[i] == '\0')
      return 0;
  }
  uint8_t got[20];
  if (netdoc_hex_decode(h, 40, got, 20) < 0 || memcmp(got, id, 20) != 0)
    return 0;
  return h[40] == '\0' || h[40] == '=' || h[40] == '~';
}

static char
ascii_lower(char c)
{
  return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int
nickname_eq(const char *a, const char *b)
{
  for (; *a && *b; a++, b++) {
    if (ascii_lower(*a) != ascii_lower(*b))
      return 0;
  }
  return *a == *b;
}

int
path_node_family_lists(const node_t *node, const node_t *other)
{
  for (size_t i = 0; i < node->n_family; i++) {
    const char *e = node->family[i];
    if (!e)
      continue;
    if (e[0] == '$') {
      if (entry_names_id(e, other->rsa_id))
        return 1;
    } else if (other->nickname[0] && nickname_eq(e, other->nickname)) {
      return 1;
    }
  }
  return 0;
}

static int
share_family_id(const node_t *a, const node_t *b)
{
  for (size_t i = 0; i < a->n_family_ids; i++) {
    for (size_t j = 0; j < b->n_family_ids; j++) {
      if (a->family_ids[i] && b->family_ids[j] && strcmp(a->family_ids[i], b->family_ids[j]) == 0)
        return 1;
    }
  }
  return 0;
}

int
path_nodes_same_family(const node_t *a, const node_t *b)
{
  if (path_node_family_lists(a, b) && path_node_family_lists(b, a))
    return 1;
  return share_family_id(a, b);
}

static int
same_prefix(const netaddr_t *a, const netaddr_t *b, netaddr_family_t fam, size_t n)
{
  if (a->family != fam || b->family != fam)
    return 0;
  return memcmp(a->bytes, b->bytes, n) == 0;
}

int
path_nodes_same_subnet(const node_t *a, const node_t *b)
{
  return same_prefix(&a->ipv4, &b->ipv4, NETADDR_IPV4, 2) ||
         same_prefix(&a->ipv6, &b->ipv6, NETADDR_IPV6, 4);
}

int
path_nodes_conflict(const node_t *a, const node_t *b, int enforce_subnets)
{
  if (a == b || memcmp(a->rsa_id, b->rsa_id, 20) == 0)
    return 1;
  if (path_nodes_same_family(a, b))
    return 1;
  return enforce_subnets && path_nodes_same_subnet(a, b);
}
