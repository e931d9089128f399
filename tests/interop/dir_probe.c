/* dir_probe.c — print the node list evonion's directory client builds from
 * a data directory's cache, as JSON (for tests/interop/test_bootstrap.py).
 *
 *   dir_probe DATA_DIR 'auth1 orport=... v3ident=... 127.0.0.1:PORT FP' ...
 *
 * It runs the library's dirclient with no_fetch (cache only, no network):
 * the same load, verification and merge the evonion binary uses.  Output:
 *   {"enough": 1, "used_cache": 1, "n_nodes": N, "nodes": [{"nickname": ...,
 *    "fingerprint": HEX, "ntor": B64, "ed25519": B64, "flags": [...],
 *    "or_port": P, "has_md": 1, "exit_any_port": 0}, ...]}
 * Exit status: 0 if a node list was built, 1 if not, 2 on bad arguments. */
#include <stdio.h>
#include <string.h>

#include "core/mainloop.h"
#include "dir/dirauth.h"
#include "dir/dirclient.h"
#include "lib/log.h"
#include "proto/netdoc/netdoc.h"

static const char *flag_names[] = {
  "Authority", "BadExit", "Exit", "Fast", "Guard", "HSDir", "MiddleOnly", "NoEdConsensus",
  "Running", "Stable", "StaleDesc", "Sybil", "V2Dir", "Valid",
};

static void
print_node(const node_t *n, int first)
{
  char fp[41], ntor[48] = "", ed[48] = "";
  dirauth_hex_id(n->rsa_id, fp);
  if (n->has_md)
    netdoc_base64_encode(n->ntor_key, 32, ntor, sizeof(ntor));
  if (n->has_ed_id)
    netdoc_base64_encode(n->ed_id, 32, ed, sizeof(ed));
  printf("%s\n  {\"nickname\": \"%s\", \"fingerprint\": \"%s\", \"ntor\": \"%s\", "
         "\"ed25519\": \"%s\", \"or_port\": %u, \"has_md\": %d, \"exit_any_port\": %d, "
         "\"flags\": [", first ? "" : ",", n->nickname, fp, ntor, ed, (unsigned)n->or_port,
         n->has_md, n->policy ? policy_summary_allows_any(n->policy) : 0);
  int k = 0;
  for (unsigned b = 0; b < sizeof(flag_names) / sizeof(flag_names[0]); b++) {
    if (n->flags & (1u << b))
      printf("%s\"%s\"", k++ ? ", " : "", flag_names[b]);
  }
  printf("]}");
}

int
main(int argc, char **argv)
{
  if (argc < 3) {
    fprintf(stderr, "usage: dir_probe DATA_DIR AUTHORITY_LINE...\n");
    return 2;
  }
  dir_authorities_t auths;
  char err[256];
  if (dirauth_list_parse(&auths, (const char *const *)argv + 2, (size_t)(argc - 2), err,
                         sizeof(err)) < 0) {
    fprintf(stderr, "dir_probe: %s\n", err);
    return 2;
  }
  log_set_severity(LOG_INFO);
  mainloop_t *ml = mainloop_new();
  dirclient_options_t o;
  memset(&o, 0, sizeof(o));
  o.auths = &auths;
  o.data_dir = argv[1];
  o.testing_tor_network = 1;
  o.no_fetch = 1;
  dirclient_t *dc = dirclient_new(ml, &o);
  dirclient_start(dc);
  const nodelist_t *nl = dirclient_get_nodelist(dc);
  dirclient_stats_t st;
  dirclient_get_stats(dc, &st);
  int rv = 1;
  if (nl) {
    printf("{\"enough\": %d, \"used_cache\": %d, \"n_nodes\": %zu, \"nodes\": [",
           dirclient_has_enough_dirinfo(dc), st.used_cached_consensus, nodelist_count(nl));
    for (size_t i = 0; i < nodelist_count(nl); i++)
      print_node(nodelist_get(nl, i), i == 0);
    printf("\n]}\n");
    rv = 0;
  }
  dirclient_free(dc);
  mainloop_free(ml);
  dirauth_list_clear(&auths);
  return rv;
}
