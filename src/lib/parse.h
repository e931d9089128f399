/* parse.h — the tri-state result every incremental parser returns. */
#ifndef EVONION_LIB_PARSE_H
#define EVONION_LIB_PARSE_H

typedef enum parse_result_t {
  PARSE_DONE = 0,       /**< a whole item was parsed (and drained from the input) */
  PARSE_NEED_MORE = 1,  /**< input is a valid prefix; nothing was drained */
  PARSE_INVALID = -1,   /**< input can never become valid; the caller closes */
} parse_result_t;

#endif
