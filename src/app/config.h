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
} evonion_config_t;

/** The flag table (ends with a NULL name). */
extern const flag_def_t evonion_flags[];

/** Check relations between flags and fill in computed defaults (data directory,
 *  bursts).  Returns 0, or -1 with a one-line message in err. */
int config_finish(evonion_config_t *cfg, char *err, size_t errlen);
/** The default data directory: $HOME/.evonion, or %APPDATA%\evonion on Windows
 *  (x_free the result). */
char *config_default_data_directory(void);
/** Free the strings in cfg. */
void config_free(evonion_config_t *cfg);

#endif
