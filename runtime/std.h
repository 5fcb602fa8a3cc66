/* std::env, std::process and std::time for sequential programs, and the program entry.
 *
 * hale_start stashes argv for std::env and sets up output; hale_finish flushes it. Between
 * them runs `fn main`. std::process::exit flushes output before it exits. */
#ifndef HALE_RUNTIME_STD_H
#define HALE_RUNTIME_STD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fatal.h"
#include "region.h"
#include "value.h"

void hale_start(int argc, char **argv);
int hale_finish(void);
/* `return n;` from `fn main`: the process's exit status once the program has finished (n's low
 * eight bits, as the system keeps them). */
void hale_set_exit_status(int64_t code);

/* std::env: arguments (arg(0) is the program) and environment variables; missing ones read as
 * "" (arg_or/var_or give a default instead). */
int64_t hale_env_args_count(void);
hale_str hale_env_arg(int64_t i);
hale_str hale_env_arg_or(int64_t i, hale_str dflt);
hale_str hale_env_var(hale_str name);
hale_str hale_env_var_or(hale_str name, hale_str dflt);
bool hale_env_var_exists(hale_str name);

/* Copies `s` into `buf` as a C string (a name or path for the system); false when it is empty,
 * does not fit in `cap` bytes or holds a NUL. */
bool hale_std_cstr(hale_str s, char *buf, size_t cap);

/* std::process */
HALE_NORETURN void hale_process_exit(int64_t code);
int64_t hale_process_pid(void);
int64_t hale_process_rss_bytes(void);

/* std::time: monotonic clock in nanoseconds, wall clock in Unix seconds, sleeping. */
int64_t hale_time_monotonic(void);
int64_t hale_time_now(void);
void hale_time_sleep(int64_t ns);
/* Unix seconds as ISO 8601 UTC ("2023-11-14T22:13:20Z"), in r. */
hale_str hale_time_from_unix(hale_region *r, int64_t secs);
/* The inverse: "YYYY-MM-DDTHH:MM:SS[.fff]Z" (or without the Z) to Unix seconds. UTC only: an
 * offset such as "+01:00" is refused rather than ignored. */
bool hale_time_parse_iso8601(hale_str s, int64_t *out);
bool hale_time_can_parse_iso8601(hale_str s);

#endif
