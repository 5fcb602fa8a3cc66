/* `hale build`, `hale run` and `hale check`: their arguments and usage text; the compiler
 * (driver.h) does the work. See commands.h. */
#include "commands.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver.h"
#include "posture.h"

static const char build_usage[] =
    "usage: hale build FILE|DIR [-o OUT] [--target-cpu native|baseline] [--lto]\n"
    "                  [--posture guard|aggressive|copy] [--emit-c FILE]\n"
    "                  [--csrc FILE] [--link NAME] [-v]\n"
    "\n"
    "Compiles a Hale program (one .hl file, or a directory whose .hl files form one program)\n"
    "to a native executable. OUT defaults to FILE without .hl, or DIR/DIR.\n"
    "\n"
    "  -o OUT               where to write the executable\n"
    "  --target-cpu CPU     native (default: tuned for this machine) or baseline (runs on any\n"
    "                       x86-64-v2 machine)\n"
    "  --lto                link-time optimisation\n"
    "  --posture P          the memory posture, over hale.toml's [memory] posture: guard,\n"
    "                       aggressive, or copy (every escape a deep copy)\n"
    "  --emit-c FILE        also write the generated C to FILE\n"
    "  --csrc FILE          C source compiled with the program: the functions its @ffi(\"c\")\n"
    "                       declarations call (repeatable)\n"
    "  --link NAME          link the C library NAME (-lNAME) for @ffi functions (repeatable)\n"
    "  -v                   show the C compiler command\n"
    "\n"
    "Builds are cached by content (HALE_CACHE_DIR, else $XDG_CACHE_HOME/hale, else\n"
    "~/.cache/hale). Exit status: 0 built, 1 the program has errors, 2 usage, 3 internal error.\n";

static const char run_usage[] =
    "usage: hale run FILE|DIR [--target-cpu native|baseline] [--lto] [--posture P] [-v]\n"
    "                [--csrc FILE] [--link NAME] [-- ARGS...]\n"
    "\n"
    "Builds the program (reusing the build cache, so an unchanged program is not compiled\n"
    "again) and runs it with ARGS. The exit status is the program's; a program with errors\n"
    "exits 1 without running, a usage error exits 2.\n";

static const char check_usage[] =
    "usage: hale check FILE|DIR [--json] [--escapes] [--posture guard|aggressive|copy]\n"
    "                  [--emit-c FILE]\n"
    "                  [--no-warn-unbounded-alloc] [--warn-resource-leak]\n"
    "                  [--dump-resource-budget] [--check-resource-budget FILE]\n"
    "                  [--deny-warnings]\n"
    "\n"
    "Parses and type-checks a Hale program and reports every error and warning as\n"
    "file:line:col with the source line. Nothing is compiled. Then the advisory analyses:\n"
    "warnings only, they never fail a check.\n"
    "\n"
    "  --json                         one JSON object per diagnostic on stdout (file, line,\n"
    "                                 col, len, severity, message, check, help, notes); then,\n"
    "                                 when there are no errors, one per bus topic (topic,\n"
    "                                 subject, id, lowering: direct|dispatched, reason)\n"
    "  --escapes                      the memory posture in force and where it came from\n"
    "                                 (hale.toml beside the program or above it, --posture,\n"
    "                                 or the default), then every value that escapes to an\n"
    "                                 ancestor locus and how it is lowered (copy, guard,\n"
    "                                 hoist) and why; with --json, one object for the\n"
    "                                 posture, then one per site (file, line, col, value,\n"
    "                                 from, to, lowering, reason, ...)\n"
    "  --posture P                    the posture to report under (overrides hale.toml)\n"
    "  --emit-c FILE                  also write the C that `hale build` would compile (without\n"
    "                                 compiling it) when the program has no errors\n"
    "  --no-warn-unbounded-alloc      leave out the unbounded-accumulation warnings (on by\n"
    "                                 default): growth per message or per iteration of a loop\n"
    "                                 with no constant bound that is given back only when its\n"
    "                                 holder goes (@form(vec|hashmap) inserts, resident\n"
    "                                 children, Strings grown from themselves). Programs with\n"
    "                                 no run() and no bus handler are exempt; `@unbounded` on a\n"
    "                                 function or hook acknowledges one\n"
    "  --warn-resource-leak           also warn where descriptors from listen, accept or\n"
    "                                 connect pile up: kept by resident children, overwritten\n"
    "                                 in `self` without a close, added to a growing collection\n"
    "  --deny-warnings                a warning (an analysis's, or the checker's) fails the\n"
    "                                 check: exit 1, for gating CI on the analyses\n"
    "  --dump-resource-budget         print the pinned threads, cooperative pools, bus subjects\n"
    "                                 and fd acquisition sites (one JSON object with --json)\n"
    "  --check-resource-budget FILE   compare those counts with the ceilings in FILE (TOML,\n"
    "                                 each key optional: pinned_threads, cooperative_pools,\n"
    "                                 bus_subjects, fd_sites); each count past its ceiling is\n"
    "                                 an error\n"
    "\n"
    "Exit status: 0 no errors, 1 errors (or a count past its ceiling, or any warning with\n"
    "--deny-warnings), 2 usage (or a budget file that cannot be read or is not one).\n";

static int usage_error(const char *cmd, const char *fmt, const char *arg) {
    fprintf(stderr, "hale %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see hale %s --help)\n", cmd);
    return HC_USAGE;
}

/* A posture name, or a usage error (reported). */
static int posture_check(const char *cmd, const char *v) {
    cfg_posture p;
    if (!v) {
        usage_error(cmd, "%s needs a value (guard, aggressive or copy)", "--posture");
        return -1;
    }
    if (cfg_posture_parse(v, &p) != 0) {
        usage_error(cmd, "unknown posture '%s' (guard, aggressive or copy)", v);
        return -1;
    }
    return 0;
}

/* Options shared by build and run; returns 1 when argv[*i] was one of them, 0 when not, -1 on
 * a usage error (already reported). */
static int common_option(const char *cmd, int argc, char **argv, int *i, hc_build_opts *o) {
    const char *a = argv[*i];
    if (strcmp(a, "--lto") == 0) {
        o->lto = 1;
    } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
        o->verbose = 1;
    } else if (strcmp(a, "--posture") == 0 || strncmp(a, "--posture=", 10) == 0) {
        const char *v = a[9] == '=' ? a + 10 : (*i + 1 < argc ? argv[++*i] : NULL);
        if (!v || posture_check(cmd, v) != 0) {
            return -1;
        }
        o->posture = v;
    } else if (strcmp(a, "--csrc") == 0 || strcmp(a, "--link") == 0) {
        int csrc = a[2] == 'c';
        if (*i + 1 >= argc) {
            usage_error(cmd, "%s needs a value", a);
            return -1;
        }
        if ((csrc ? o->ncsrc : o->nlinks) >= HC_MAX_FFI) {
            usage_error(cmd, "at most 8 uses of %s", a);
            return -1;
        }
        const char *v = argv[++*i];
        if (csrc) {
            o->csrc[o->ncsrc++] = v;
        } else {
            o->links[o->nlinks++] = v;
        }
    } else if (strcmp(a, "--target-cpu") == 0 || strncmp(a, "--target-cpu=", 13) == 0) {
        const char *v = a[12] == '=' ? a + 13 : (*i + 1 < argc ? argv[++*i] : NULL);
        if (!v) {
            usage_error(cmd, "%s needs a value (native or baseline)", "--target-cpu");
            return -1;
        }
        if (strcmp(v, "native") == 0) {
            o->baseline_cpu = 0;
        } else if (strcmp(v, "baseline") == 0) {
            o->baseline_cpu = 1;
        } else {
            usage_error(cmd, "unknown CPU target '%s' (native or baseline)", v);
            return -1;
        }
    } else {
        return 0;
    }
    return 1;
}

static int wants_help(int argc, char **argv) {
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            return 1;
        }
    }
    return 0;
}

static int copy_file(const char *from, const char *to) {
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        return -1;
    }
    unlink(to);
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    if (out < 0) {
        int e = errno;
        close(in);
        errno = e;
        return -1;
    }
    char buf[65536];
    ssize_t n;
    int rc = 0;
    while ((n = read(in, buf, sizeof buf)) > 0) {
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0) {
                if (errno == EINTR) {
                    continue;
                }
                rc = -1;
                break;
            }
            off += w;
        }
        if (rc) {
            break;
        }
    }
    if (n < 0) {
        rc = -1;
    }
    int e = errno;
    close(in);
    if (close(out) != 0) {
        rc = -1;
    }
    errno = e;
    fchmodat(AT_FDCWD, to, 0755, 0);
    return rc;
}

int cmd_build(int argc, char **argv) {
    if (wants_help(argc, argv)) {
        fputs(build_usage, stdout);
        return 0;
    }
    hc_build_opts o = {0};
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        int c = common_option("build", argc, argv, &i, &o);
        if (c < 0) {
            return HC_USAGE;
        }
        if (c) {
            continue;
        }
        if (strcmp(argv[i], "-o") == 0) {
            if (i + 1 >= argc) {
                return usage_error("build", "%s needs a file name", "-o");
            }
            out = argv[++i];
        } else if (strcmp(argv[i], "--emit-c") == 0) {
            if (i + 1 >= argc) {
                return usage_error("build", "%s needs a file name", "--emit-c");
            }
            o.emit_c = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return usage_error("build", "unknown option '%s'", argv[i]);
        } else if (o.path) {
            return usage_error("build", "unexpected argument '%s'", argv[i]);
        } else {
            o.path = argv[i];
        }
    }
    if (!o.path) {
        return usage_error("build", "%s", "missing FILE or DIR to build");
    }
    char bin[PATH_MAX + 200], dflt[PATH_MAX];
    int rc = hc_build(&o, bin, sizeof bin);
    if (rc != HC_OK) {
        return rc;
    }
    if (!out) {
        hc_default_output(o.path, dflt, sizeof dflt);
        out = dflt;
    }
    struct stat st;
    if (stat(out, &st) == 0 && S_ISDIR(st.st_mode)) {
        fprintf(stderr, "hale build: %s is a directory; name the executable with -o\n", out);
        return HC_USAGE;
    }
    if (copy_file(bin, out) != 0) {
        fprintf(stderr, "hale build: cannot write %s: %s\n", out, strerror(errno));
        return HC_PROGRAM_ERROR;
    }
    return HC_OK;
}

int cmd_run(int argc, char **argv) {
    if (wants_help(argc, argv)) {
        fputs(run_usage, stdout);
        return 0;
    }
    hc_build_opts o = {0};
    int args_at = argc;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            args_at = i + 1;
            break;
        }
        int c = common_option("run", argc, argv, &i, &o);
        if (c < 0) {
            return HC_USAGE;
        }
        if (c) {
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1]) {
            return usage_error("run", "unknown option '%s'", argv[i]);
        } else if (o.path) {
            return usage_error("run", "unexpected argument '%s' (program arguments go after --)",
                               argv[i]);
        } else {
            o.path = argv[i];
        }
    }
    if (!o.path) {
        return usage_error("run", "%s", "missing FILE or DIR to run");
    }
    char bin[PATH_MAX + 200], name[PATH_MAX];
    int rc = hc_build(&o, bin, sizeof bin);
    if (rc != HC_OK) {
        return rc;
    }
    hc_default_output(o.path, name, sizeof name);
    int nargs = argc - args_at;
    char **pargv = calloc((size_t)nargs + 2, sizeof *pargv);
    if (!pargv) {
        fputs("hale run: out of memory\n", stderr);
        return HC_INTERNAL;
    }
    pargv[0] = name;
    for (int i = 0; i < nargs; i++) {
        pargv[i + 1] = argv[args_at + i];
    }
    fflush(stdout);
    fflush(stderr);
    execv(bin, pargv);
    fprintf(stderr, "hale run: cannot run %s: %s\n", bin, strerror(errno));
    free(pargv);
    return HC_INTERNAL;
}

int cmd_check(int argc, char **argv) {
    if (wants_help(argc, argv)) {
        fputs(check_usage, stdout);
        return 0;
    }
    hc_check_opts o = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) {
            o.json = 1;
        } else if (strcmp(a, "--escapes") == 0) {
            o.escapes = 1;
        } else if (strcmp(a, "--emit-c") == 0) {
            if (i + 1 >= argc || !*argv[i + 1]) {
                return usage_error("check", "%s needs a file name", "--emit-c");
            }
            o.emit_c = argv[++i];
        } else if (strcmp(a, "--posture") == 0 || strncmp(a, "--posture=", 10) == 0) {
            const char *v = a[9] == '=' ? a + 10 : (i + 1 < argc ? argv[++i] : NULL);
            if (posture_check("check", v) != 0) {
                return HC_USAGE;
            }
            o.posture = v;
        } else if (strcmp(a, "--no-warn-unbounded-alloc") == 0) {
            o.no_unbounded_alloc = 1;
        } else if (strcmp(a, "--warn-unbounded-alloc") == 0) {
            o.no_unbounded_alloc = 0; /* the default; Hale's former opt-in spelling */
        } else if (strcmp(a, "--warn-resource-leak") == 0) {
            o.resource_leak = 1;
        } else if (strcmp(a, "--deny-warnings") == 0) {
            o.deny_warnings = 1;
        } else if (strcmp(a, "--dump-resource-budget") == 0) {
            o.dump_budget = 1;
        } else if (strcmp(a, "--check-resource-budget") == 0 ||
                   strncmp(a, "--check-resource-budget=", 24) == 0) {
            o.budget_file = a[23] == '=' ? a + 24 : (i + 1 < argc ? argv[++i] : NULL);
            if (!o.budget_file || !*o.budget_file) {
                return usage_error("check", "%s needs a file", "--check-resource-budget");
            }
        } else if (a[0] == '-' && a[1]) {
            return usage_error("check", "unknown option '%s'", a);
        } else if (o.path) {
            return usage_error("check", "unexpected argument '%s'", a);
        } else {
            o.path = a;
        }
    }
    if (!o.path) {
        return usage_error("check", "%s", "missing FILE or DIR to check");
    }
    return hc_check_path(&o);
}
