/* The built-in functions and the first cut of the standard library, as the checker and the
 * emitter see them.
 *
 * Most entries have a fixed signature written in a small code (`SS>B`: two Strings to a Bool;
 * letters I F B S D Y (Bytes), `U` for no value, `!` for a call that never returns, `{Name}` for
 * a record or locus of the built-in seed (`S>{HttpRequest}`), `V` for a `@form(vec)` locus of
 * Strings the call fills or reads) and lower to one C function of the runtime. The generic
 * built-ins (print, len, to_string, min/max/abs, the bounded-list intrinsics) have their own rules
 * in the checker. Adding a std:: function is one line here plus its C function in runtime/std_*.c.
 */
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
    BI_FROM_JSON,      /* T::from_json(s): a record read from JSON text (emit_json.c) */
    BI_TO_JSON,        /* T::to_json(v): a record as JSON text */
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
    int flags;            /* HC_BI_* */
};

/* A fallible std:: path call that may also be used without `or` (Hale's std path calls that
 * answer a sentinel: `std::bytes::at` -1, `std::io::fs::read_file` ""): the runtime function
 * writes that sentinel into the result when it fails. */
#define HC_BI_BARE 1

/* A signature code taken apart. */
#define HC_BUILTIN_MAXP 8
typedef struct {
    int n; /* parameters */
    char
        code[HC_BUILTIN_MAXP]; /* I F B S D Y X(Decimal), 'T' (a built-in seed type), 'V' (a vec) */
    const char *tname[HC_BUILTIN_MAXP]; /* 'T': the declaration's name in the built-in seed */
    char ret;                           /* as above, plus U and ! */
    const char *ret_tname;
} hc_builtin_sig;

/* Takes `sig` apart (the table's codes are well formed; a bad one aborts in a debug build). */
void hc_builtin_parse_sig(hc_arena *a, const char *sig, hc_builtin_sig *out);

/* Looks a built-in up by its full path; NULL when there is none. */
const hc_builtin *hc_builtin_find(const char *path);

/* `T::from_json` / `T::to_json` on a record T (the record is the call's callee decl). */
const hc_builtin *hc_builtin_json(const char *method);

/* The next entry with the same path (an overload on the first argument's type), or NULL. */
const hc_builtin *hc_builtin_next(const hc_builtin *bi);

/* The closest built-in path to a misspelt one (for `help: did you mean`), or NULL. */
const char *hc_builtin_suggest(const char *path);

/* The runtime's C struct for a record of the built-in seed that runtime functions take or fill
 * (hale_process_output for ProcessOutput), or NULL. */
const char *hc_builtin_std_ctype(const char *record);

/* The type a signature code letter stands for ('T' and 'V' are resolved by the checker). */
hc_type *hc_builtin_code_type(hc_types *t, char code);

#endif
