/* dirvec.h — the captured directory documents of tests/vectors/dir/ and the
 * values expected.json holds about the network they came from. */
#ifndef EVONION_TESTS_DIRVEC_H
#define EVONION_TESTS_DIRVEC_H

#include <stddef.h>
#include <stdint.h>

#define DIRVEC_MAX_NODES 16

typedef struct dirvec_node_t {
  char nickname[32];
  char role[16];               /* "authority", "relay", "exit" */
  uint8_t rsa_id[20];          /* from "fingerprint" */
  int or_port, dir_port;       /* dir_port 0: none (JSON null) */
  int is_exit;
  int has_v3ident;
  uint8_t v3ident[20];
  char ntor_onion_key[64];     /* base64, unpadded */
  char ed25519_id[64];
} dirvec_node_t;

typedef struct dirvec_expected_t {
  int64_t capture_time;
  size_t n_nodes;
  dirvec_node_t nodes[DIRVEC_MAX_NODES];
  size_t n_auth;               /* authorities: their v3idents, in node order */
  uint8_t v3idents[DIRVEC_MAX_NODES][20];
} dirvec_expected_t;

/* Read tests/vectors/dir/<name> into a new malloc'd NUL-terminated buffer;
 * *len is its length.  Fails the test if it cannot. */
char *dirvec_read(const char *name, size_t *len);

/* Load tests/vectors/dir/expected.json (as written by capture.py). */
void dirvec_load_expected(dirvec_expected_t *e);

#endif
