/* The deployment `hale serve` runs, as read from the [serve] table of hale.toml (or the file
 * given to `hale serve FILE`): the tree's strategy and intensity, and one sv_proc per
 * [[serve.process]] entry, sorted into start order. Everything is checked here, before a single
 * process starts, so that a bad file exits 2 with one `file:line: message` and nothing else. */
#ifndef HALE_SUPERVISOR_SPEC_H
#define HALE_SUPERVISOR_SPEC_H

#include <stddef.h>
#include <stdint.h>

typedef enum { SV_ONE_FOR_ONE, SV_ONE_FOR_ALL, SV_REST_FOR_ONE } sv_strategy;
typedef enum { SV_PERMANENT, SV_TRANSIENT, SV_TEMPORARY } sv_restart;
typedef enum { SV_READY_STARTED, SV_READY_NOTIFY } sv_ready;

typedef struct {
    char *name;
    char *program; /* absolute path of a .hl file or directory to build, or NULL */
    char **argv;   /* exec argv, NULL-terminated; NULL for program entries until built */
    int replicas;
    sv_restart restart;
    char **after; /* names of processes that must be ready first */
    size_t nafter;
    char **env; /* "KEY=VALUE" additions to the environment */
    size_t nenv;
    sv_ready ready;
    int64_t ready_timeout_ns;
    int64_t watchdog_ns; /* 0: no watchdog */
    int64_t stop_timeout_ns;
    int line; /* the [[serve.process]] header, for messages */
} sv_proc;

typedef struct {
    char *file; /* the file as given */
    char *dir;  /* its directory (absolute): children run there, relative paths resolve there */
    char *name;
    sv_strategy strategy;
    int max_restarts;
    int64_t within_ns;
    int64_t stop_timeout_ns;
    int64_t backoff_ns;     /* first restart delay, doubling per consecutive restart ... */
    int64_t max_backoff_ns; /* ... up to this; a run this long resets the doubling */
    char *control;          /* absolute path of the control socket */
    char *metrics;          /* "HOST:PORT" for /metrics, or NULL */
    sv_proc *procs;         /* in start order: `after` first, otherwise file order */
    size_t nprocs;
} sv_spec;

/* Reads and checks `path`. On error writes "file:line: message" (or "file: reason") into err
 * and returns -1; `out` is then empty and needs no sv_spec_free. */
int sv_spec_load(const char *path, sv_spec *out, char *err, size_t errlen);
void sv_spec_free(sv_spec *spec);

/* Only the control socket path of `path` (what `hale ctl` needs): reads [serve] name and control
 * and nothing else, so ctl still works while the rest of the file is being edited. Returns a
 * malloc'd path, or NULL with "file:line: message" in err. */
char *sv_spec_control_path(const char *path, char *err, size_t errlen);

/* The entry named `name` in `spec` (which may be NULL), or NULL. */
const sv_proc *sv_spec_find(const sv_spec *spec, const char *name);

/* Whether two entries would run the same thing the same way (SIGHUP keeps those running). */
int sv_proc_equal(const sv_proc *a, const sv_proc *b);

const char *sv_strategy_name(sv_strategy s);

#endif
