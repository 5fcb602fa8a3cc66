/* The built-in functions and the first cut of the standard library, as the checker and the
 * emitter see them.
 *
 * Most entries have a fixed signature written in a small code (`SS>B`: two Strings to a Bool;
 * letters I F B S D Y (Bytes), `U` for no value, `!` for a call that never returns) and lower to
 * one C function of the runtime. The generic built-ins (print, len, to_string, min/max/abs, the
 * bounded-list intrinsics) have their own rules in the checker. Adding a std:: function is one
 * line here plus its C function in runtime/std_*.c. */
#ifndef HALE_COMPILER_BUILTINS_H
#define HALE_COMPILER_BUILTINS_H

#include "types.h"

typedef enum {
    BI_SIG, /* fixed signature (sig), lowered to cfn */
    BI_PRINT,
    BI_PRINTLN,
    BI_EPRINT,
    BI_EPRINTLN,
    BI_LEN,
    BI_TO_STRING,
    BI_MIN,
    BI_MAX,
    BI_ABS,
    BI_PUSH,
    BI_AT,
    BI_SET,
    BI_COUNT,
    BI_CLEAR,
    BI_TRUNCATE,
    BI_CHECK_CLOSURES, /* check_closures(): a locus's explicit-epoch closures */
} hc_builtin_kind;

struct hc_builtin {
    const char *path; /* as written: "println", "std::str::parse_int" */
    hc_builtin_kind kind;
    const char *sig;      /* BI_SIG: parameter codes, '>', result code */
    const char *cfn;      /* C function (BI_SIG) */
    const char *err;      /* fallible: the error record's name (built-in seed), else NULL */
    const char *err_kind; /* the `kind` field of the error the emitter builds */
    int allocates;        /* the C function takes the caller's scratch region first (an IoError
                           * call: the error's path is copied into it instead) */
};

/* Looks a built-in up by its full path; NULL when there is none. */
const hc_builtin *hc_builtin_find(const char *path);

/* The closest built-in path to a misspelt one (for `help: did you mean`), or NULL. */
const char *hc_builtin_suggest(const char *path);

/* The type a signature code letter stands for. */
hc_type *hc_builtin_code_type(hc_types *t, char code);

#endif
