/* The build driver: front end, emitter, the system C compiler, and the build cache.
 *
 * A build is keyed by a hash (BLAKE2b) of every source file of the program (paths and bytes),
 * the hale version, the build flags, the sanitizer flags of this hale, and the identity of the
 * runtime it links (size and modification time of libhale.a, libhale_config.a and prelude.h).
 * The cache lives in $HALE_CACHE_DIR, else $XDG_CACHE_HOME/hale, else ~/.cache/hale; an entry is
 * a directory <key>/ holding the generated C and the executable, made under a temporary name and
 * renamed into place, so concurrent builds never see half an entry. A hit skips checking,
 * emitting and compiling. A C compiler failure on a checked program is hale's bug: it is reported
 * as an internal error naming the kept generated file. */
#ifndef HALE_COMPILER_DRIVER_H
#define HALE_COMPILER_DRIVER_H

#include <stddef.h>

typedef struct {
    const char *path;    /* FILE.hl or DIR */
    int baseline_cpu;    /* --target-cpu baseline (else native) */
    int lto;             /* --lto */
    int verbose;         /* print the C compiler command */
    const char *emit_c;  /* also write the generated C here */
    const char *posture; /* --posture: overrides hale.toml's [memory] posture (NULL: none) */
    /* the C side of `@ffi("c")` functions: --csrc FILE (compiled with the program) and
     * --link NAME (-lNAME), each repeatable up to HC_MAX_FFI */
    const char *csrc[8];
    int ncsrc;
    const char *links[8];
    int nlinks;
} hc_build_opts;

enum { HC_MAX_FFI = 8 };

enum { HC_OK = 0, HC_PROGRAM_ERROR = 1, HC_USAGE = 2, HC_INTERNAL = 3 };

/* Builds (or finds in the cache) the program; on success writes the cached executable's path
 * into `bin`. Diagnostics go to stderr. Returns one of the HC_ codes. */
int hc_build(const hc_build_opts *o, char *bin, size_t binlen);

/* What `hale check` is asked for besides checking. */
typedef struct {
    const char *path;
    int json;                /* --json: diagnostics (and reports) as JSON lines on stdout */
    int escapes;             /* --escapes: the escape report (escape.h) on stdout */
    const char *posture;     /* --posture */
    const char *emit_c;      /* --emit-c FILE: the generated C, without compiling it */
    int no_unbounded_alloc;  /* --no-warn-unbounded-alloc */
    int resource_leak;       /* --warn-resource-leak */
    int deny_warnings;       /* --deny-warnings: any warning fails the check */
    int dump_budget;         /* --dump-resource-budget */
    const char *budget_file; /* --check-resource-budget FILE */
} hc_check_opts;

/* Checks the program and runs the analyses `o` asks for (analyze.h); prints diagnostics (JSON
 * lines on stdout when o->json, else text on stderr), then, without errors, the bus report
 * (--json) or the escape report (--escapes), and the resource budget (stdout). Returns HC_OK,
 * HC_PROGRAM_ERROR (errors, or a count past its ceiling) or HC_USAGE (an unknown posture, or a
 * budget file that cannot be read or is not one). */
int hc_check_path(const hc_check_opts *o);

/* The default output name for `hale build PATH`: x/main.hl -> x/main, dir/ -> dir/<dir>. */
void hc_default_output(const char *path, char *out, size_t outlen);

#endif
