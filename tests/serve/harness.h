/* Test harness for `hale serve`: runs the real `hale` command on a config written into a fresh
 * directory, collects its stdout and stderr, and reads the record file the supervised
 * serve_child programs append to (see child.c). Waits poll for a condition with a generous
 * deadline and return as soon as it holds, so tests are quick but never timing-flaky.
 *
 * In a config, @CHILD@ stands for the serve_child program and @DIR@ for the run's directory. */
#ifndef HALE_TESTS_SERVE_HARNESS_H
#define HALE_TESTS_SERVE_HARNESS_H

#include <stddef.h>
#include <sys/types.h>

typedef struct {
    char *p;
    size_t len, cap;
} sr_text;

typedef struct {
    char dir[512];
    char file[600];
    char record[600];
    pid_t pid;
    int out_fd, err_fd;
    sr_text out, err, all; /* serve's stdout, its stderr, and both interleaved */
    int exited;
    int status;
} sr;

typedef struct {
    char event[16];
    char inst[64];
    int pid;
    long long ns;
} sr_event;

#define SR_WAIT_MS 15000

/* argv: test-binary HALE SERVE_CHILD WORKDIR */
void sr_init(int argc, char **argv);
const char *sr_hale(void);
const char *sr_child(void);

/* Makes a run directory, writes hale.toml there, starts `hale serve` on it. `env` (may be NULL)
 * is a NULL-terminated list of extra NAME=VALUE for serve. */
void sr_start(sr *r, const char *name, const char *toml, char *const *env);
/* The two halves of sr_start: make the directory and file, then start serve on them. */
void sr_prepare(sr *r, const char *name, const char *toml);
void sr_launch(sr *r, char *const *env);
void sr_write_config(sr *r, const char *toml);

/* Reads serve's output for up to ms milliseconds (or until it exits). */
void sr_pump(sr *r, int ms);
/* Waits until `needle` has appeared at least `count` times in serve's output. */
int sr_wait_count(sr *r, const char *needle, int count);
int sr_wait_for(sr *r, const char *needle);
int sr_count(const sr *r, const char *needle);
/* Waits for serve to exit; returns 1 when it did (status in r->status). */
int sr_wait_exit(sr *r, int ms);
void sr_signal(sr *r, int sig);
/* Ends the run: SIGTERM, then SIGKILL if needed; closes everything. */
void sr_finish(sr *r);

/* Events from the record file, in order. */
size_t sr_events(const sr *r, sr_event *out, size_t max);
int sr_count_events(const sr *r, const char *event, const char *inst);
/* Waits until `event` has been recorded `count` times for `inst` (NULL: any instance). */
int sr_wait_events(sr *r, const char *event, const char *inst, int count);
/* The pid of the latest `start` of `inst`, or 0. */
int sr_last_pid(const sr *r, const char *inst);

/* Runs `hale ctl FILE args...` (NULL-terminated); its stdout+stderr go to out. Returns the exit
 * status. */
int sr_ctl(sr *r, char *out, size_t n, ...);

/* Prints serve's output so a failing assertion shows what happened. */
void sr_dump(const sr *r);

#define SR_CHECK(r, cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            sr_dump(r);                                                                            \
            fail_msg("%s:%d: check failed: %s", __FILE__, __LINE__, #cond);                        \
        }                                                                                          \
    } while (0)

#endif
