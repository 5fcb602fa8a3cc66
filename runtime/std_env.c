/* std::env (see std.h). */
#include <stdlib.h>
#include <string.h>

#include "std.h"

static int saved_argc;
static char **saved_argv;

void hale_env_init(int argc, char **argv);

void hale_env_init(int argc, char **argv) {
    saved_argc = argc;
    saved_argv = argv;
}

int64_t hale_env_args_count(void) {
    return saved_argc;
}

hale_str hale_env_arg_or(int64_t i, hale_str dflt) {
    if (i < 0 || i >= saved_argc || !saved_argv || !saved_argv[i]) {
        return dflt;
    }
    return (hale_str){saved_argv[i], (int64_t)strlen(saved_argv[i])};
}

hale_str hale_env_arg(int64_t i) {
    return hale_env_arg_or(i, HALE_STR_LIT(""));
}

bool hale_std_cstr(hale_str s, char *buf, size_t cap) {
    if (s.len <= 0 || (size_t)s.len >= cap || memchr(s.ptr, 0, (size_t)s.len)) {
        return false;
    }
    memcpy(buf, s.ptr, (size_t)s.len);
    buf[s.len] = 0;
    return true;
}

/* getenv needs a NUL-terminated name; names are short, longer ones cannot exist. */
static const char *lookup(hale_str name) {
    char buf[512];
    return hale_std_cstr(name, buf, sizeof buf) ? getenv(buf) : NULL;
}

hale_str hale_env_var_or(hale_str name, hale_str dflt) {
    const char *v = lookup(name);
    return v ? (hale_str){v, (int64_t)strlen(v)} : dflt;
}

hale_str hale_env_var(hale_str name) {
    return hale_env_var_or(name, HALE_STR_LIT(""));
}

bool hale_env_var_exists(hale_str name) {
    return lookup(name) != NULL;
}
