/* config.c — the flag table and the checks that span several flags. */
#include "app/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/alloc.h"
#include "lib/log.h"
#include "dir/dirauth.h"
#include "relay/keys.h"

#define CFG(field) offsetof(evonion_config_t, field)
/* libevent keeps token-bucket sizes in 32 bits; tor has the same ceiling. */
#define MAX_RATE 2147483647

const flag_def_t evonion_flags[] = {
  { "help", FLAG_BOOL, NULL, CFG(help), NULL, "Show this help and exit.", 0, 0, FLAG_STOPS },
  { "version", FLAG_BOOL, NULL, CFG(version), NULL, "Show the version and exit.", 0, 0,
    FLAG_STOPS },
  { "log", FLAG_LOGLEVEL, "notice", CFG(log_level), "LEVEL",
    "Log messages at least this severe: err, warn, notice, info or debug.", 0, 0, 0 },
  { "log-file", FLAG_STRING, NULL, CFG(log_file), "PATH",
    "Append log messages to this file instead of standard error.", 0, 0, 0 },
  { "data-directory", FLAG_STRING, NULL, CFG(data_directory), "DIR",
    "Keep keys, state and cached directory documents here (default: ~/.evonion; "
    "%APPDATA%\\evonion on Windows).", 0, 0, 0 },
  { "bandwidth-rate", FLAG_SIZE, "0", CFG(bandwidth_rate), "N",
    "Average bytes per second over all connections, each way; 0 means no limit. Units as "
    "tor's: bytes, KBytes, MBytes, GBytes, KBits, MBits, GBits.", 0, MAX_RATE, 0 },
  { "bandwidth-burst", FLAG_SIZE, NULL, CFG(bandwidth_burst), "N",
    "Largest burst over all connections (at least --bandwidth-rate; default: the rate).", 0,
    MAX_RATE, 0 },
  { "relay-bandwidth-rate", FLAG_SIZE, "0", CFG(relay_bandwidth_rate), "N",
    "Average bytes per second of relayed traffic, within --bandwidth-rate; 0 means no limit.",
    0, MAX_RATE, 0 },
  { "relay-bandwidth-burst", FLAG_SIZE, NULL, CFG(relay_bandwidth_burst), "N",
    "Largest burst of relayed traffic (default: the relay rate).", 0, MAX_RATE, 0 },
  { "per-conn-bandwidth-rate", FLAG_SIZE, "0", CFG(per_conn_bandwidth_rate), "N",
    "Average bytes per second of each connection on its own; 0 means no limit.", 0, MAX_RATE,
    0 },
  { "per-conn-bandwidth-burst", FLAG_SIZE, NULL, CFG(per_conn_bandwidth_burst), "N",
    "Largest burst of each connection (default: the per-connection rate).", 0, MAX_RATE, 0 },
  { "or-port", FLAG_ADDRPORT, NULL, CFG(or_port), "[ADDR:]PORT",
    "Accept Tor link connections (the ORPort) here; the relay keys live in the data directory.",
    1, 65535, 0 },
  { "nickname", FLAG_STRING, NULL, CFG(nickname), "NAME",
    "The relay's nickname: 1 to 19 letters and digits (default: Unnamed).", 0, 0, 0 },
  { "list-fingerprint", FLAG_BOOL, NULL, CFG(list_fingerprint), NULL,
    "Print the relay's nickname and RSA identity fingerprint (creating the keys if needed) "
    "and exit.", 0, 0, 0 },
  { "dir-authority", FLAG_STRING, NULL, CFG(dir_authorities), "LINE",
    "A directory authority, in tor's DirAuthority syntax: \"nickname [orport=N] "
    "[v3ident=HEX] IPV4:DIRPORT FINGERPRINT\". Repeatable; replaces the public network's "
    "authorities.", 0, 0, FLAG_REPEATABLE },
  { "testing-tor-network", FLAG_BOOL, NULL, CFG(testing_tor_network), NULL,
    "Use tor's TestingTorNetwork relaxations (for a private test network with --dir-authority): "
    "relays may share a /16 or be on private addresses, directory retries come quickly.", 0, 0,
    0 },
  { "socks-port", FLAG_STRING, NULL, CFG(socks_ports), "[ADDR:]PORT",
    "Accept SOCKS4/4a/5 clients here (default 127.0.0.1:9050; a bare PORT means 127.0.0.1; "
    "ADDR:0 picks a free port). Repeatable; 0 turns the SOCKS proxy off.", 0, 0, FLAG_REPEATABLE },
  { "socks-allow-nonlocal", FLAG_BOOL, NULL, CFG(socks_allow_nonlocal), NULL,
    "Allow --socks-port on a non-loopback address (anyone who reaches it can use the proxy).",
    0, 0, 0 },
  { "max-mem-in-queues", FLAG_SIZE, "256 MBytes", CFG(max_mem_in_queues), "N",
    "Bound on cells queued in all circuits; past it the circuits holding the most are closed.",
    1048576, (int64_t)1 << 40, 0 },
  { NULL, FLAG_BOOL, NULL, 0, NULL, NULL, 0, 0, 0 },
};

/* burst defaults to rate; a burst below the rate, or without one, is an error. */
static int
check_pair(const char *what, uint64_t rate, uint64_t *burst, char *err, size_t errlen)
{
  if (!rate && *burst) {
    snprintf(err, errlen, "--%s-burst needs --%s-rate", what, what);
    return -1;
  }
  if (!*burst)
    *burst = rate;
  if (*burst < rate) {
    snprintf(err, errlen, "--%s-burst (%llu bytes) must be at least --%s-rate (%llu bytes)",
             what, (unsigned long long)*burst, what, (unsigned long long)rate);
    return -1;
  }
  return 0;
}

int
config_finish(evonion_config_t *cfg, char *err, size_t errlen)
{
  if (check_pair("bandwidth", cfg->bandwidth_rate, &cfg->bandwidth_burst, err, errlen) < 0 ||
      check_pair("relay-bandwidth", cfg->relay_bandwidth_rate, &cfg->relay_bandwidth_burst, err,
                 errlen) < 0 ||
      check_pair("per-conn-bandwidth", cfg->per_conn_bandwidth_rate,
                 &cfg->per_conn_bandwidth_burst, err, errlen) < 0)
    return -1;
  if (cfg->nickname && !relay_nickname_is_valid(cfg->nickname)) {
    snprintf(err, errlen, "--nickname: \"%s\" is not 1 to 19 letters and digits",
             cfg->nickname);
    return -1;
  }
  if (cfg->dir_authorities.n > 0) {
    dir_authorities_t auths;
    if (dirauth_list_parse(&auths, (const char *const *)cfg->dir_authorities.items,
                           (size_t)cfg->dir_authorities.n, err, errlen) < 0)
      return -1;
    dirauth_list_clear(&auths);
  }
  if (cfg->testing_tor_network && cfg->dir_authorities.n == 0) {
    snprintf(err, errlen, "--testing-tor-network needs --dir-authority (a test network's "
             "authorities)");
    return -1;
  }
  for (int i = 0; i < cfg->socks_ports.n; i++) {
    const char *v = cfg->socks_ports.items[i];
    if (strcmp(v, "0") == 0) {
      if (cfg->socks_ports.n > 1) {
        snprintf(err, errlen, "--socks-port 0 (no SOCKS port) cannot be combined with other "
                 "--socks-port flags");
        return -1;
      }
      continue;
    }
    long port = -1;
    const char *colon = strrchr(v, ':');
    const char *ps = colon ? colon + 1 : v;
    char *end = NULL;
    if (*ps)
      port = strtol(ps, &end, 10);
    /* ADDR:0 picks a free port (logged); a bare 0 turns SOCKS off. */
    if (port < (colon ? 0 : 1) || port > 65535 || !end || *end) {
      snprintf(err, errlen, "--socks-port: \"%s\" is not [ADDR:]PORT with PORT 1-65535 (ADDR:0 "
               "picks a free port; 0 alone turns SOCKS off)", v);
      return -1;
    }
  }
  if (!cfg->data_directory) {
    cfg->data_directory = config_default_data_directory();
    if (!cfg->data_directory) {
#ifdef _WIN32
      snprintf(err, errlen, "no default data directory (APPDATA is not set): give "
               "--data-directory");
#else
      snprintf(err, errlen, "no default data directory (HOME is not set): give --data-directory");
#endif
      return -1;
    }
  }
  return 0;
}

size_t
config_socks_ports(const evonion_config_t *cfg, const char **out, size_t max)
{
  static const char *const dflt = "127.0.0.1:9050";
  if (cfg->socks_ports.n == 0) {
    if (max > 0)
      out[0] = dflt;
    return max > 0 ? 1 : 0;
  }
  size_t n = 0;
  for (int i = 0; i < cfg->socks_ports.n && n < max; i++) {
    if (strcmp(cfg->socks_ports.items[i], "0") != 0)
      out[n++] = cfg->socks_ports.items[i];
  }
  return n;
}

char *
config_default_data_directory(void)
{
  char buf[1024];
#ifdef _WIN32
  const char *base = getenv("APPDATA");
  if (!base || !*base)
    return NULL;
  snprintf(buf, sizeof(buf), "%s\\evonion", base);
#else
  const char *base = getenv("HOME");
  if (!base || !*base)
    return NULL;
  snprintf(buf, sizeof(buf), "%s/.evonion", base);
#endif
  return x_strdup(buf);
}

void
config_free(evonion_config_t *cfg)
{
  flags_free(evonion_flags, cfg);
}
