/* See driver.h. */
#include "driver.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analyze.h"
#include "bus_plan.h"
#include "check.h"
#include "emit.h"
#include "escape.h"
#include "posture.h"
#include "home.h"

#ifndef HALE_VERSION
#define HALE_VERSION "0.0.0"
#endif
#ifndef HALE_SAN_FLAGS
#define HALE_SAN_FLAGS ""
#endif
#ifndef HALE_DEFAULT_CC
#define HALE_DEFAULT_CC "cc"
#endif

extern char **environ;

/* ---- the front end ---- */

/* The project's [memory] settings for P; an HC_ code when they cannot be had. */
static int load_project(hc_program *P, const char *path, const char *posture) {
    int r = hc_posture_load(P, path, posture);
    return r == 0 ? HC_OK : r == -2 ? HC_USAGE : HC_PROGRAM_ERROR;
}

static int emit_c_only(hc_program *P, hc_diags *d, const char *path);

int hc_check_path(const hc_check_opts *o) {
    hc_arena *a = hc_arena_new();
    hc_diags *d = hc_diags_new(a);
    hc_program *P = hc_load_path(a, d, o->path);
    int rc = load_project(P, o->path, o->posture);
    if (rc != HC_OK) {
        hc_arena_free(a);
        return rc;
    }
    if (!P->parse_errors) {
        hc_check(P);
    }
    int clean = !hc_error_count(d);
    if (clean && o->emit_c && (rc = emit_c_only(P, d, o->emit_c)) != HC_OK) {
        hc_diags_print(d, stderr, 0, 1);
        hc_arena_free(a);
        return rc;
    }
    int bad_budget = 0;
    hc_budget budget;
    if (clean) {
        hc_analyze_opts ao = {.unbounded_alloc = !o->no_unbounded_alloc,
                              .resource_leak = o->resource_leak};
        hc_analyze(P, &ao);
        hc_budget_count(P, &budget);
        if (o->budget_file) {
            bad_budget = hc_budget_check(P, &budget, o->budget_file) != 0;
        }
    }
    hc_diags_print(d, o->json ? stdout : stderr, o->json, 1);
    rc = bad_budget                                    ? HC_USAGE
         : hc_error_count(d)                           ? HC_PROGRAM_ERROR
         : o->deny_warnings && hc_warning_count(d) > 0 ? HC_PROGRAM_ERROR
                                                       : HC_OK;
    hc_buf b = {0};
    if (rc == HC_OK && o->escapes) {
        fflush(stderr);
        hc_escape_report(P, stdout, o->json);
    } else if (o->json && rc == HC_OK) {
        hc_bus_report_json(P, &b); /* one line per topic: its lowering and why */
    }
    if (o->dump_budget && clean) {
        hc_budget_print(P, &budget, &b, o->json);
    }
    fputs(hc_buf_cstr(&b), stdout);
    hc_buf_free(&b);
    hc_arena_free(a);
    return rc;
}

/* ---- cache ---- */

static void cache_dir(char *out, size_t n) {
    const char *env = getenv("HALE_CACHE_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (env && *env) {
        snprintf(out, n, "%s", env);
    } else if (xdg && *xdg) {
        snprintf(out, n, "%s/hale", xdg);
    } else if (home && *home) {
        snprintf(out, n, "%s/.cache/hale", home);
    } else {
        snprintf(out, n, "/tmp/hale-cache-%ld", (long)getuid());
    }
}

static int mkdirs(const char *path) {
    char tmp[PATH_MAX * 2];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
                return -1;
            }
            *p = '/';
        }
    }
    return mkdir(tmp, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

static void hash_file_identity(crypto_generichash_state *h, const char *path) {
    struct stat st;
    char line[PATH_MAX + 160];
    if (stat(path, &st) == 0) {
        snprintf(line, sizeof line, "%s %lld %lld.%09ld\n", path, (long long)st.st_size,
                 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    } else {
        snprintf(line, sizeof line, "%s missing\n", path);
    }
    crypto_generichash_update(h, (const unsigned char *)line, strlen(line));
}

static void hash_file_bytes(crypto_generichash_state *h, const char *path) {
    FILE *f = fopen(path, "rb");
    crypto_generichash_update(h, (const unsigned char *)path, strlen(path) + 1);
    if (!f) {
        crypto_generichash_update(h, (const unsigned char *)"missing", 7);
        return;
    }
    unsigned char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        crypto_generichash_update(h, buf, n);
    }
    fclose(f);
}

/* After a failed C compile: the `@ffi` functions whose C symbol the link did not find (the
 * linker's "undefined reference to `name'"), reported at their declarations. Returns how many. */
static int ffi_link_errors(hc_program *P, const char *log) {
    FILE *f = fopen(log, "r");
    if (!f) {
        return 0;
    }
    char line[1024];
    int found = 0;
    hc_decl *seen[64];
    int nseen = 0;
    while (fgets(line, sizeof line, f)) {
        const char *u = strstr(line, "undefined reference to `");
        if (!u) {
            continue;
        }
        u += strlen("undefined reference to `");
        for (int si = 0; si < P->seeds.n; si++) {
            hc_seed *s = P->seeds.v[si];
            for (int i = 0; i < s->decls.n; i++) {
                hc_decl *d = s->decls.v[i];
                size_t nl = d->name.name ? strlen(d->name.name) : 0;
                int again = 0;
                for (int k = 0; k < nseen; k++) {
                    again |= seen[k] == d;
                }
                if (d->kind == D_FN && hc_ffi_annot(d) && !again &&
                    strncmp(u, d->name.name, nl) == 0 && (u[nl] == '\'' || u[nl] == '`')) {
                    if (nseen < 64) {
                        seen[nseen++] = d; /* reported once */
                    }
                    hc_help(hc_error(P->d, d->name.pos,
                                     "the C function `%s` of this `@ffi` declaration was not "
                                     "found when linking",
                                     d->name.name),
                            "pass the C source that defines it with `--csrc FILE`, or its "
                            "library with `--link NAME`");
                    found++;
                }
            }
        }
    }
    fclose(f);
    return found;
}

static void build_key(hc_program *P, const hc_build_opts *o, const hc_home *home, char *hex) {
    hc_diags *d = P->d;
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 32);
    char head[512];
    const char *direct = getenv("HALE_BUS_DIRECT");
    snprintf(head, sizeof head, "hale %s|san %s|cpu %s|lto %d|cc %s|bus direct %s|posture %s\n",
             HALE_VERSION, HALE_SAN_FLAGS, o->baseline_cpu ? "baseline" : "native", o->lto,
             getenv("HALE_CC") ? getenv("HALE_CC") : HALE_DEFAULT_CC, direct ? direct : "",
             hc_posture_name(P->mem ? P->mem->posture : HC_POSTURE_GUARD));
    crypto_generichash_update(&h, (const unsigned char *)head, strlen(head));
    /* the compiler itself: a rebuilt hale must not reuse what an older one generated */
    hash_file_identity(&h, "/proc/self/exe");
    for (int f = 0;; f++) {
        size_t len;
        const char *text = hc_diag_source_text(d, f, &len);
        const char *name = hc_diag_source_name(d, f);
        if (strcmp(name, "<unknown>") == 0) {
            break;
        }
        unsigned char nlen[8] = {0};
        size_t nl = strlen(name);
        memcpy(nlen, &nl, sizeof nl < 8 ? sizeof nl : 8);
        crypto_generichash_update(&h, nlen, 8);
        crypto_generichash_update(&h, (const unsigned char *)name, nl);
        memcpy(nlen, &len, sizeof len < 8 ? sizeof len : 8);
        crypto_generichash_update(&h, nlen, 8);
        crypto_generichash_update(&h, (const unsigned char *)text, len);
    }
    for (int i = 0; i < o->ncsrc; i++) { /* the @ffi glue: its bytes, like the program's */
        hash_file_bytes(&h, o->csrc[i]);
    }
    for (int i = 0; i < o->nlinks; i++) {
        crypto_generichash_update(&h, (const unsigned char *)"-l", 2);
        crypto_generichash_update(&h, (const unsigned char *)o->links[i], strlen(o->links[i]) + 1);
    }
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/libhale.a", home->lib);
    hash_file_identity(&h, p);
    snprintf(p, sizeof p, "%s/libhale_config.a", home->lib);
    hash_file_identity(&h, p);
    snprintf(p, sizeof p, "%s/libhale_transport.a", home->lib);
    hash_file_identity(&h, p);
    snprintf(p, sizeof p, "%s/libnng.a", home->lib);
    hash_file_identity(&h, p);
    snprintf(p, sizeof p, "%s/hale/prelude.h", home->include);
    hash_file_identity(&h, p);
    unsigned char out[32];
    crypto_generichash_final(&h, out, sizeof out);
    sodium_bin2hex(hex, 65, out, sizeof out);
}

/* ---- the C compiler ---- */

static const char *c_compiler(void) {
    const char *env = getenv("HALE_CC");
    if (env && *env) {
        return env;
    }
    if (strchr(HALE_DEFAULT_CC, '/') && access(HALE_DEFAULT_CC, X_OK) == 0) {
        return HALE_DEFAULT_CC;
    }
    return "cc";
}

/* Runs argv with stdout and stderr redirected to `log`; returns the exit status or -1. */
static int run_logged(char **argv, const char *log) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return -1;
        }
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void show_log(const char *log) {
    FILE *f = fopen(log, "r");
    if (!f) {
        return;
    }
    char line[1024];
    for (int n = 0; n < 40 && fgets(line, sizeof line, f); n++) {
        fputs("  ", stderr);
        fputs(line, stderr);
    }
    fclose(f);
}

static int compile_c(const hc_build_opts *o, const hc_home *home, const char *cfile,
                     const char *exe, const char *log) {
    char *argv[96];
    int n = 0;
    char inc[PATH_MAX + 64], lib0[PATH_MAX + 64], lib1[PATH_MAX + 64], lib2[PATH_MAX + 64];
    char nng[PATH_MAX + 64];
    snprintf(inc, sizeof inc, "-I%s", home->include);
    /* always linked: a static archive adds only what the program references (the transport
     * when it has topics, which a deploy-time route may bind) */
    snprintf(lib0, sizeof lib0, "%s/libhale_transport.a", home->lib);
    snprintf(lib1, sizeof lib1, "%s/libhale.a", home->lib);
    snprintf(lib2, sizeof lib2, "%s/libhale_config.a", home->lib);
    argv[n++] = (char *)c_compiler();
    argv[n++] = "-std=c11";
    argv[n++] = "-O3"; /* as Hale builds: loops over locus state vectorize for the host */
    argv[n++] = "-w";
    argv[n++] = "-D_GNU_SOURCE";
#if defined(__x86_64__)
    argv[n++] = o->baseline_cpu ? "-march=x86-64-v2" : "-march=native";
#elif defined(__aarch64__)
    argv[n++] = o->baseline_cpu ? "-march=armv8-a" : "-mcpu=native";
#endif
    if (o->lto) {
        argv[n++] = "-flto";
    }
    char sanbuf[512];
    snprintf(sanbuf, sizeof sanbuf, "%s", HALE_SAN_FLAGS);
    for (char *tok = strtok(sanbuf, " "); tok && n < 40; tok = strtok(NULL, " ")) {
        argv[n++] = tok;
    }
    argv[n++] = inc;
    argv[n++] = (char *)cfile;
    for (int i = 0; i < o->ncsrc; i++) {
        argv[n++] = (char *)o->csrc[i];
    }
    argv[n++] = "-o";
    argv[n++] = (char *)exe;
    argv[n++] = lib0;
    argv[n++] = lib1;
    argv[n++] = lib2;
    /* the nng the runtime was built against: the fixed archive staged beside libhale when the
     * system's has the negotiation bug (cmake/HaleDeps.cmake), else the system's */
    snprintf(nng, sizeof nng, "%s/libnng.a", home->lib);
    argv[n++] = access(nng, R_OK) == 0 ? nng : "-lnng";
    /* --as-needed: a program records only the shared libraries it uses (one that never
     * touches TLS, YAML or HTTP does not load libssl, libyaml or libhttp_parser) */
    static const char *libs[] = {"-Wl,--as-needed", "-lsodium", "-lmsgpackc", "-lev",
                                 "-lsystemd",       "-lssl",    "-lcrypto",   "-lyaml",
                                 "-lhttp_parser",   "-lz",      "-lpthread",  "-lm"};
    static char lnames[HC_MAX_FFI][300];
    for (int i = 0; i < o->nlinks; i++) {
        snprintf(lnames[i], sizeof lnames[i], "-l%s", o->links[i]);
        argv[n++] = lnames[i];
    }
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
        argv[n++] = (char *)libs[i];
    }
    argv[n] = NULL;
    if (o->verbose) {
        for (int i = 0; i < n; i++) {
            fprintf(stderr, "%s%s", i ? " " : "", argv[i]);
        }
        fputc('\n', stderr);
    }
    return run_logged(argv, log);
}

static int write_file(const char *path, const char *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f) {
        return -1;
    }
    size_t w = fwrite(data, 1, len, f);
    int rc = fclose(f);
    return w == len && rc == 0 ? 0 : -1;
}

static void remove_tree(const char *dir) {
    char p[PATH_MAX * 2];
    static const char *files[] = {"prog.c", "prog", "cc.log"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

/* ---- build ---- */

static int internal(const char *fmt, const char *arg) {
    fprintf(stderr, "hale: internal error: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return HC_INTERNAL;
}

/* The checked program's C into `c`: HC_OK, HC_PROGRAM_ERROR (its diagnostics say why), or
 * HC_INTERNAL when the emitter failed without one. */
static int emit(hc_program *P, hc_diags *d, hc_buf *c) {
    if (hc_emit_program(P, c) == 0) {
        return HC_OK;
    }
    return hc_error_count(d) ? HC_PROGRAM_ERROR
                             : internal("%s", "the emitter failed without a diagnostic");
}

/* --emit-c FILE: the generated C where it was asked for. */
static int write_emitted(const char *path, const hc_buf *c) {
    if (write_file(path, c->p, c->len) != 0) {
        fprintf(stderr, "hale: cannot write %s: %s\n", path, strerror(errno));
        return HC_PROGRAM_ERROR;
    }
    return HC_OK;
}

/* `hale check --emit-c`: the C `hale build` would compile, written without compiling it (before
 * the advisory analyses, which only report). */
static int emit_c_only(hc_program *P, hc_diags *d, const char *path) {
    hc_buf c = {0};
    int rc = emit(P, d, &c);
    if (rc == HC_OK) {
        rc = write_emitted(path, &c);
    }
    hc_buf_free(&c);
    return rc;
}

int hc_build(const hc_build_opts *o, char *bin, size_t binlen) {
    if (sodium_init() < 0) {
        return internal("%s", "libsodium failed to initialise");
    }
    hc_home home;
    char herr[4300];
    if (hc_home_find(&home, herr, sizeof herr) != 0) {
        fprintf(stderr, "hale: %s\n", herr);
        return HC_INTERNAL;
    }
    hc_arena *a = hc_arena_new();
    hc_diags *d = hc_diags_new(a);
    int rc = HC_OK;
    hc_program *P = hc_load_path(a, d, o->path);
    rc = load_project(P, o->path, o->posture);
    if (rc != HC_OK) {
        hc_arena_free(a);
        return rc;
    }
    char key[65], cdir[PATH_MAX], entry[PATH_MAX + 80], exe[PATH_MAX + 100];
    cache_dir(cdir, sizeof cdir);
    build_key(P, o, &home, key);
    snprintf(entry, sizeof entry, "%s/%s", cdir, key);
    snprintf(exe, sizeof exe, "%s/prog", entry);
    if (!hc_error_count(d) && !o->emit_c && access(exe, X_OK) == 0) {
        snprintf(bin, binlen, "%s", exe);
        hc_arena_free(a);
        return HC_OK; /* cache hit */
    }
    if (!P->parse_errors) {
        hc_check(P);
    }
    hc_buf c = {0};
    rc = hc_error_count(d) ? HC_PROGRAM_ERROR : emit(P, d, &c);
    hc_diags_print(d, stderr, 0, 1); /* the errors, or the warnings */
    if (rc == HC_OK && o->emit_c) {
        rc = write_emitted(o->emit_c, &c);
    }
    if (rc != HC_OK) {
        hc_buf_free(&c);
        hc_arena_free(a);
        return rc;
    }
    char tmp[PATH_MAX + 120], cfile[PATH_MAX + 140], tmpexe[PATH_MAX + 140], log[PATH_MAX + 140];
    snprintf(tmp, sizeof tmp, "%s/tmp-%ld-%ld", cdir, (long)getpid(), (long)time(NULL));
    if (mkdirs(tmp) != 0) {
        fprintf(stderr, "hale: cannot create the build cache directory %s: %s\n", tmp,
                strerror(errno));
        hc_buf_free(&c);
        hc_arena_free(a);
        return HC_INTERNAL;
    }
    snprintf(cfile, sizeof cfile, "%s/prog.c", tmp);
    snprintf(tmpexe, sizeof tmpexe, "%s/prog", tmp);
    snprintf(log, sizeof log, "%s/cc.log", tmp);
    if (write_file(cfile, c.p, c.len) != 0) {
        rc = internal("cannot write %s", cfile);
    } else {
        int st = compile_c(o, &home, cfile, tmpexe, log);
        if (st != 0) {
            /* keep the evidence outside the cache's temporary space */
            char kept[PATH_MAX + 128];
            snprintf(kept, sizeof kept, "%s/failed-%s.c", cdir, key);
            rename(cfile, kept);
            if (st < 0) {
                fprintf(stderr, "hale: cannot run the C compiler `%s`: %s\n", c_compiler(),
                        strerror(errno));
                fprintf(stderr, "help: install a C compiler (build-essential) or set HALE_CC\n");
            } else if (ffi_link_errors(P, log) > 0) {
                /* the program's C side is missing: the user's to supply, not hale's bug */
                hc_diags_print(d, stderr, 0, 1);
                unlink(kept);
                remove_tree(tmp);
                hc_buf_free(&c);
                hc_arena_free(a);
                return HC_PROGRAM_ERROR;
            } else if (o->ncsrc > 0 || o->nlinks > 0) {
                fprintf(stderr, "hale: the C sources or libraries given with --csrc/--link did "
                                "not build with the program:\n");
                show_log(log);
                unlink(kept);
            } else {
                fprintf(stderr,
                        "hale: internal error: the C compiler rejected the generated code "
                        "(this is a bug in hale)\n  generated C kept at %s\n  compiler output:\n",
                        kept);
                show_log(log);
            }
            rc = o->ncsrc > 0 || o->nlinks > 0 ? HC_PROGRAM_ERROR : HC_INTERNAL;
        } else if (rename(tmp, entry) != 0 && access(exe, X_OK) != 0) {
            rc = internal("cannot move the build into %s", entry);
        }
    }
    remove_tree(tmp);
    if (rc == HC_OK) {
        snprintf(bin, binlen, "%s", exe);
    }
    hc_buf_free(&c);
    hc_arena_free(a);
    return rc;
}

void hc_default_output(const char *path, char *out, size_t outlen) {
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s", path);
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/') {
        p[--n] = '\0';
    }
    if (n > 3 && strcmp(p + n - 3, ".hl") == 0) {
        p[n - 3] = '\0';
        snprintf(out, outlen, "%s", p);
        return;
    }
    const char *base = strrchr(p, '/');
    base = base ? base + 1 : p;
    if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || !*base) {
        char cwd[PATH_MAX];
        char real[PATH_MAX];
        if (realpath(p, real)) {
            const char *b2 = strrchr(real, '/');
            snprintf(cwd, sizeof cwd, "%s", b2 && b2[1] ? b2 + 1 : "program");
        } else {
            snprintf(cwd, sizeof cwd, "program");
        }
        snprintf(out, outlen, "%s/%s", p, cwd);
        return;
    }
    snprintf(out, outlen, "%s/%s", p, base);
}
