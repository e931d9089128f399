/* app.h — the program: flags → configuration → event loop. */
#ifndef EVONION_APP_APP_H
#define EVONION_APP_APP_H

#include <stdio.h>

#include "app/config.h"
#include "core/mainloop.h"

/** Run evonion with argv.  Returns the process exit status: 0 ok, 1 a runtime
 *  failure, 2 a bad command line (one line on stderr, nothing started). */
int app_main(int argc, char **argv);
/** app_main writing --help/--version to out and command-line errors to err. */
int app_main_io(int argc, char **argv, FILE *out, FILE *err);

/** Apply cfg's bandwidth limits to ml.  Returns 0 or -1. */
int app_apply_limits(mainloop_t *ml, const evonion_config_t *cfg);

/** Create dir (and missing parents) private to the user (0700).  Returns 0,
 *  or -1 with a message in err. */
int app_make_private_dir(const char *dir, char *err, size_t errlen);

#ifdef _WIN32
/** What the console control handler does for a console event of this type
 *  (CTRL_C_EVENT ...), callable from any thread: while app_main runs a loop,
 *  makes it exit cleanly and returns 1 (for close/logoff/shutdown only after
 *  the state is saved and the log closed, at most ~4.5 s; during that cleanup
 *  an event is only waited out); with no loop running, returns 0 (the next
 *  handler, the system's exit, applies).  Exposed for tests. */
int app_console_event_(unsigned long type);
#endif

#endif
