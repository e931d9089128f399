/* flags.c — placeholder. */
typedef int flags_placeholder_t;
