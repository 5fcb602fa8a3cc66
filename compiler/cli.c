/* See cli.h. */
#include "cli.h"

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
    "                  [--posture guard|aggressive|copy] [--emit-c FILE] [-v]\n"
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
    "  -v                   show the C compiler command\n"
    "\n"
    "Builds are cached by content (HALE_CACHE_DIR, else $XDG_CACHE_HOME/hale, else\n"
    "~/.cache/hale). Exit status: 0 built, 1 the program has errors, 2 usage, 3 internal error.\n";

static const char run_usage[] =
    "usage: hale run FILE|DIR [--target-cpu native|baseline] [--lto] [--posture P] [-v]\n"
    "                [-- ARGS...]\n"
    "\n"
    "Builds the program (reusing the build cache, so an unchanged program is not compiled\n"
    "again) and runs it with ARGS. The exit status is the program's; a program with errors\n"
    "exits 1 without running, a usage error exits 2.\n";

static const char check_usage[] =
    "usage: hale check FILE|DIR [--json] [--escapes] [--posture guard|aggressive|copy]\n"
    "\n"
    "Parses and type-checks a Hale program and reports every error and warning as\n"
    "file:line:col with the source line. Nothing is compiled.\n"
    "\n"
    "  --json      one JSON object per diagnostic on stdout (file, line, col, len, severity,\n"
    "              message, help, notes); then, when there are no errors, one per bus topic\n"
    "              (topic, subject, id, lowering: direct|dispatched, reason)\n"
    "  --escapes   the memory posture in force and where it came from (hale.toml beside the\n"
    "              program or above it, --posture, or the default), then every value that\n"
    "              escapes to an ancestor locus and how it is lowered (copy, guard, hoist) and\n"
    "              why; with --json, one object for the posture, then one per site (file,\n"
    "              line, col, value, from, to, lowering, reason, ...)\n"
    "  --posture P the posture to report under (overrides hale.toml)\n"
    "\n"
    "Exit status: 0 no errors, 1 errors, 2 usage.\n";

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

int hc_cmd_build(int argc, char **argv) {
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

int hc_cmd_run(int argc, char **argv) {
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

int hc_cmd_check(int argc, char **argv) {
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
        } else if (strcmp(a, "--posture") == 0 || strncmp(a, "--posture=", 10) == 0) {
            const char *v = a[9] == '=' ? a + 10 : (i + 1 < argc ? argv[++i] : NULL);
            if (posture_check("check", v) != 0) {
                return HC_USAGE;
            }
            o.posture = v;
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
