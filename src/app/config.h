/* config.h — evonion's configuration, filled from the command line. */
#ifndef EVONION_APP_CONFIG_H
#define EVONION_APP_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "app/flags.h"

typedef struct evonion_config_t {
  int help, version;
  int log_level;                       /**< a log_severity_t */
  char *log_file;                      /**< NULL: stderr */
  char *data_directory;                /**< NULL until config_finish(): the platform default */
  uint64_t bandwidth_rate, bandwidth_burst;
  uint64_t relay_bandwidth_rate, relay_bandwidth_burst;
  uint64_t per_conn_bandwidth_rate, per_conn_bandwidth_burst;
  char *or_port;                       /**< "ADDR:PORT" to accept relay links on, or NULL */
  char *nickname;                      /**< relay nickname, or NULL ("Unnamed") */
  int list_fingerprint;                /**< print "NICKNAME FINGERPRINT" and exit */
  flag_list_t dir_authorities;         /**< --dir-authority lines (none: the public network's) */
  int testing_tor_network;             /**< --testing-tor-network: tor's TestingTorNetwork
                                            relaxations (dir/dirclient.h, client/path) */
  flag_list_t socks_ports;             /**< --socks-port values (none: 127.0.0.1:9050; "0": off) */
  int socks_allow_nonlocal;            /**< --socks-allow-nonlocal */
  uint64_t max_mem_in_queues;          /**< --max-mem-in-queues, bytes */
} evonion_config_t;

/** The flag table (ends with a NULL name). */
extern const flag_def_t evonion_flags[];

/** Check relations between flags and fill in computed defaults (data directory,
 *  bursts).  Returns 0, or -1 with a one-line message in err. */
int config_finish(evonion_config_t *cfg, char *err, size_t errlen);
/** The default data directory: $HOME/.evonion, or %APPDATA%\evonion on Windows
 *  (x_free the result). */
char *config_default_data_directory(void);
/** The SOCKS ports to open, into out[0..max): the --socks-port values, the
 *  default 127.0.0.1:9050 when none was given, nothing for "--socks-port 0".
 *  Returns how many (the strings belong to cfg or are static). */
size_t config_socks_ports(const evonion_config_t *cfg, const char **out, size_t max);
/** Free the strings in cfg. */
void config_free(evonion_config_t *cfg);

#endif
