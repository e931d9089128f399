/* path_weight.c — bandwidth-weighted random choice (see path_weight.h). */
#include "client/path_weight.h"

#include "lib/alloc.h"
#include "lib/crypto/rand.h"

static uint64_t
default_uniform(void *arg, uint64_t max)
{
  (void)arg;
  return crypto_rand_uint64(max);
}

static const path_rng_t default_rng = { default_uniform, NULL };

const path_rng_t *
path_rng_default(void)
{
  return &default_rng;
}

/* Weight names per position, in class order: guard, middle (no flag),
 * exit, guard+exit ("d"). */
static const char *const class_weights[4][4] = {
  [PATH_POS_GUARD] = { "Wgg", "Wgm", NULL, "Wgd" },
  [PATH_POS_MIDDLE] = { "Wmg", "Wmm", "Wme", "Wmd" },
  [PATH_POS_EXIT] = { "Weg", "Wem", "Wee", "Wed" },
  [PATH_POS_DIR] = { "Wbg", "Wbm", "Wbe", "Wbd" },
};

/* BEGIN_DIR weights for V2Dir nodes, same class order. */
static const char *const dir_weights[4] = { "Wgb", "Wmb", "Web", "Wdb" };

/* The weights of one position, looked up once per choice: per class, the
 * position weight and (for V2Dir relays) the product with the BEGIN_DIR
 * weight, both already divided by the scale. */
typedef struct pos_weights_t {
  double w[4], w_dir[4];
} pos_weights_t;

static void
pos_weights_load(const nodelist_t *nl, path_position_t pos, pos_weights_t *pw)
{
  double scale = (double)nodelist_weight_scale(nl);
  for (int cls = 0; cls < 4; cls++) {
    const char *name = class_weights[pos][cls];
    /* An exit-only node in the guard position weighs 0 (tor: We = 0). */
    double w = name ? (double)nodelist_get_weight(nl, name) / scale : 0.0;
    pw->w[cls] = w;
    pw->w_dir[cls] = pos == PATH_POS_DIR ? w
                   : w * (double)nodelist_get_weight(nl, dir_weights[cls]) / scale;
  }
}

static double
pos_weights_of(const pos_weights_t *pw, const node_t *node)
{
  int not_special = !(node->flags & NODE_FLAG_MIDDLEONLY);
  int is_guard = (node->flags & NODE_FLAG_GUARD) && not_special;
  int is_exit = (node->flags & NODE_FLAG_EXIT) && !(node->flags & NODE_FLAG_BADEXIT) &&
                not_special;
  int cls = is_guard && is_exit ? 3 : is_exit ? 2 : is_guard ? 0 : 1;
  double w = (node->flags & NODE_FLAG_V2DIR) ? pw->w_dir[cls] : pw->w[cls];
  return w * (double)node->bandwidth;
}

double
path_node_weight(const nodelist_t *nl, const node_t *node, path_position_t pos)
{
  if ((unsigned)pos > PATH_POS_DIR)
    return 0.0;
  pos_weights_t pw;
  pos_weights_load(nl, pos, &pw);
  return pos_weights_of(&pw, node);
}

long
path_choose_by_weights(const double *weights, size_t n, const path_rng_t *rng)
{
  if (n == 0)
    return -1;
  double total = 0.0;
  for (size_t i = 0; i < n; i++)
    total += weights[i] > 0.0 ? weights[i] : 0.0;
  if (!(total > 0.0))
    return (long)rng->uniform(rng->arg, n);
  /* r uniform in [0, total), with 53 bits of resolution. */
  const uint64_t res = (uint64_t)1 << 53;
  double r = (double)rng->uniform(rng->arg, res) / (double)res * total;
  double cum = 0.0;
  long last = -1;
  for (size_t i = 0; i < n; i++) {
    if (!(weights[i] > 0.0))
      continue;
    cum += weights[i];
    last = (long)i;
    if (r < cum)
      return (long)i;
  }
  return last; /* rounding left r at the very top: the last weighted one */
}

long
path_choose_weighted(const nodelist_t *nl, const node_t *const *nodes, size_t n,
                     path_position_t pos, const path_rng_t *rng)
{
  if (n == 0)
    return -1;
  if ((unsigned)pos > PATH_POS_DIR)
    pos = PATH_POS_MIDDLE;
  pos_weights_t pw;
  pos_weights_load(nl, pos, &pw);
  double *w = x_malloc(n * sizeof(double));
  for (size_t i = 0; i < n; i++)
    w[i] = pos_weights_of(&pw, nodes[i]);
  long r = path_choose_by_weights(w, n, rng);
  x_free(w);
  return r;
}
