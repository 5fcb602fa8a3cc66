/* See spec.h. The schema lives in the two field tables below; semantic checks (names, `after`
 * references and cycles, env) follow, each naming the line of the offending key. */
#include "spec.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "metrics_http.h"
#include "schema.h"

#define SEC 1000000000LL
#define MAX_NAME 64
#define MAX_REPLICAS 1000

static const cfg_field serve_fields[] = {
    {"name", CFG_T(CFG_STRING), 0},
    {"strategy", CFG_T(CFG_STRING), 0},
    {"max_restarts", CFG_T(CFG_INT), 0},
    {"within", CFG_T(CFG_STRING), 0},
    {"stop_timeout", CFG_T(CFG_STRING), 0},
    {"control", CFG_T(CFG_STRING), 0},
    {"backoff", CFG_T(CFG_STRING), 0},
    {"max_backoff", CFG_T(CFG_STRING), 0},
    {"process", CFG_T(CFG_ARRAY), 0},
    {"metrics", CFG_T(CFG_STRING), 0},
    {NULL, 0, 0},
};

static const cfg_field proc_fields[] = {
    {"name", CFG_T(CFG_STRING), 1},
    {"program", CFG_T(CFG_STRING), 0},
    {"exec", CFG_T(CFG_ARRAY), 0},
    {"replicas", CFG_T(CFG_INT), 0},
    {"restart", CFG_T(CFG_STRING), 0},
    {"after", CFG_T(CFG_ARRAY), 0},
    {"env", CFG_T(CFG_TABLE), 0},
    {"ready", CFG_T(CFG_STRING), 0},
    {"ready_timeout", CFG_T(CFG_STRING), 0},
    {"watchdog", CFG_T(CFG_STRING), 0},
    {"stop_timeout", CFG_T(CFG_STRING), 0},
    {NULL, 0, 0},
};

static const char *const strategies[] = {"one_for_one", "one_for_all", "rest_for_one", NULL};
static const char *const restarts[] = {"permanent", "transient", "temporary", NULL};
static const char *const readies[] = {"started", "notify", NULL};
/* Set by serve for each child; a file may not override them. */
static const char *const reserved_env[] = {"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID",
                                           "HALE_INSTANCE", "HALE_REPLICA",  NULL};

const char *sv_strategy_name(sv_strategy s) {
    return strategies[s];
}

typedef struct {
    const cfg_doc *doc;
    char *err;
    size_t errlen;
} ctx;

static char *dupstr(const char *s) {
    char *d = strdup(s);
    if (!d) {
        perror("hale serve");
        abort();
    }
    return d;
}

static void *alloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        perror("hale serve");
        abort();
    }
    return p;
}

/* `rel` made absolute against `dir` (unchanged when already absolute). */
static char *resolve(const char *dir, const char *rel) {
    if (rel[0] == '/') {
        return dupstr(rel);
    }
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = alloc(n, 1);
    snprintf(p, n, "%s/%s", dir, rel);
    return p;
}

static void free_strv(char **v, size_t n) {
    for (size_t i = 0; v && i < n; i++) {
        free(v[i]);
    }
    free(v);
}

static void proc_free(sv_proc *p) {
    free(p->name);
    free(p->program);
    size_t argc = 0;
    while (p->argv && p->argv[argc]) {
        argc++;
    }
    free_strv(p->argv, argc);
    free_strv(p->after, p->nafter);
    free_strv(p->env, p->nenv);
}

void sv_spec_free(sv_spec *s) {
    for (size_t i = 0; i < s->nprocs; i++) {
        proc_free(&s->procs[i]);
    }
    free(s->procs);
    free(s->file);
    free(s->dir);
    free(s->name);
    free(s->control);
    free(s->metrics);
    memset(s, 0, sizeof *s);
}

static int valid_name(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > MAX_NAME) {
        return 0;
    }
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-' || *s == '.')) {
            return 0;
        }
    }
    return 1;
}

static char **str_array(const cfg_value *a) {
    char **v = alloc(cfg_len(a) + 1, sizeof *v);
    for (size_t i = 0; i < cfg_len(a); i++) {
        v[i] = dupstr(cfg_str(cfg_at(a, i)));
    }
    return v;
}

static int read_env(ctx *c, const cfg_value *env, sv_proc *p) {
    p->env = alloc(cfg_len(env) + 1, sizeof *p->env);
    for (size_t i = 0; i < cfg_len(env); i++) {
        const char *k = cfg_key_at(env, i);
        const cfg_value *v = cfg_at(env, i);
        if (!*k || strchr(k, '=')) {
            return cfg_errorf(c->doc, cfg_key_line(v), c->err, c->errlen,
                              "env name '%s' is not a valid variable name", k);
        }
        for (const char *const *r = reserved_env; *r; r++) {
            if (strcmp(*r, k) == 0) {
                return cfg_errorf(c->doc, cfg_key_line(v), c->err, c->errlen,
                                  "env may not set %s: serve sets it for each process", k);
            }
        }
        if (cfg_type_of(v) != CFG_STRING) {
            return cfg_errorf(c->doc, cfg_line(v), c->err, c->errlen,
                              "env value '%s' must be a string, not %s", k,
                              cfg_type_name(cfg_type_of(v)));
        }
        size_t n = strlen(k) + cfg_str_len(v) + 2;
        p->env[i] = alloc(n, 1);
        snprintf(p->env[i], n, "%s=%s", k, cfg_str(v));
        p->nenv++;
    }
    return 0;
}

#define TRY(x)                                                                                     \
    do {                                                                                           \
        if ((x) < 0) {                                                                             \
            return -1;                                                                             \
        }                                                                                          \
    } while (0)

static int read_proc(ctx *c, const sv_spec *s, const cfg_value *t, sv_proc *p) {
    TRY(cfg_check(c->doc, t, "[[serve.process]]", proc_fields, c->err, c->errlen));
    p->line = cfg_line(t);
    const char *name = NULL, *program = NULL;
    TRY(cfg_get_str(c->doc, t, "name", &name, c->err, c->errlen));
    if (!valid_name(name)) {
        return cfg_errorf(c->doc, cfg_line(cfg_get(t, "name")), c->err, c->errlen,
                          "process name '%.64s' must be 1-%d letters, digits, '_', '-' or '.'",
                          name, MAX_NAME);
    }
    p->name = dupstr(name);
    const cfg_value *exec = NULL, *after = NULL, *env = cfg_get(t, "env");
    TRY(cfg_get_str(c->doc, t, "program", &program, c->err, c->errlen));
    TRY(cfg_get_str_array(c->doc, t, "exec", 0, &exec, c->err, c->errlen));
    if (exec && (cfg_len(exec) == 0 || cfg_str_len(cfg_at(exec, 0)) == 0)) {
        return cfg_errorf(c->doc, cfg_line(exec), c->err, c->errlen,
                          "'exec' needs a command: [\"/path/to/program\", \"args\"...]");
    }
    if (!program == !exec) {
        return cfg_errorf(c->doc, p->line, c->err, c->errlen,
                          "process '%s' needs exactly one of 'program' (a .hl file to build) or "
                          "'exec' (a command)",
                          name);
    }
    if (program) {
        if (!*program) {
            return cfg_errorf(c->doc, cfg_line(cfg_get(t, "program")), c->err, c->errlen,
                              "'program' must not be empty");
        }
        p->program = resolve(s->dir, program);
    } else {
        p->argv = str_array(exec);
    }
    int64_t replicas = 1;
    TRY(cfg_get_int(c->doc, t, "replicas", 1, MAX_REPLICAS, &replicas, c->err, c->errlen));
    p->replicas = (int)replicas;
    int e = SV_PERMANENT;
    TRY(cfg_get_enum(c->doc, t, "restart", restarts, &e, c->err, c->errlen));
    p->restart = (sv_restart)e;
    e = program ? SV_READY_NOTIFY : SV_READY_STARTED;
    TRY(cfg_get_enum(c->doc, t, "ready", readies, &e, c->err, c->errlen));
    p->ready = (sv_ready)e;
    p->ready_timeout_ns = 30 * SEC;
    p->stop_timeout_ns = s->stop_timeout_ns;
    TRY(cfg_get_duration(c->doc, t, "ready_timeout", &p->ready_timeout_ns, c->err, c->errlen));
    TRY(cfg_get_duration(c->doc, t, "watchdog", &p->watchdog_ns, c->err, c->errlen));
    TRY(cfg_get_duration(c->doc, t, "stop_timeout", &p->stop_timeout_ns, c->err, c->errlen));
    if (p->ready_timeout_ns <= 0) {
        return cfg_errorf(c->doc, cfg_line(cfg_get(t, "ready_timeout")), c->err, c->errlen,
                          "'ready_timeout' must be longer than 0s");
    }
    TRY(cfg_get_str_array(c->doc, t, "after", 0, &after, c->err, c->errlen));
    if (after) {
        p->after = str_array(after);
        p->nafter = cfg_len(after);
    }
    if (env) {
        TRY(read_env(c, env, p));
    }
    return 0;
}

static int read_serve(ctx *c, const cfg_value *t, sv_spec *s) {
    TRY(cfg_check(c->doc, t, "[serve]", serve_fields, c->err, c->errlen));
    const char *name = NULL, *control = NULL;
    TRY(cfg_get_str(c->doc, t, "name", &name, c->err, c->errlen));
    if (name && !valid_name(name)) {
        return cfg_errorf(c->doc, cfg_line(cfg_get(t, "name")), c->err, c->errlen,
                          "name '%.64s' must be 1-%d letters, digits, '_', '-' or '.'", name,
                          MAX_NAME);
    }
    s->name = dupstr(name ? name : "hale");
    int e = SV_ONE_FOR_ONE;
    TRY(cfg_get_enum(c->doc, t, "strategy", strategies, &e, c->err, c->errlen));
    s->strategy = (sv_strategy)e;
    int64_t max = 5;
    TRY(cfg_get_int(c->doc, t, "max_restarts", 0, 63, &max, c->err, c->errlen));
    s->max_restarts = (int)max;
    s->within_ns = 10 * SEC;
    s->stop_timeout_ns = 10 * SEC;
    s->backoff_ns = SEC / 10;
    s->max_backoff_ns = 5 * SEC;
    TRY(cfg_get_duration(c->doc, t, "within", &s->within_ns, c->err, c->errlen));
    TRY(cfg_get_duration(c->doc, t, "stop_timeout", &s->stop_timeout_ns, c->err, c->errlen));
    TRY(cfg_get_duration(c->doc, t, "backoff", &s->backoff_ns, c->err, c->errlen));
    TRY(cfg_get_duration(c->doc, t, "max_backoff", &s->max_backoff_ns, c->err, c->errlen));
    if (s->within_ns <= 0) {
        return cfg_errorf(c->doc, cfg_line(cfg_get(t, "within")), c->err, c->errlen,
                          "'within' must be longer than 0s");
    }
    if (s->max_backoff_ns < s->backoff_ns) {
        return cfg_errorf(c->doc, cfg_line(cfg_get(t, "max_backoff")), c->err, c->errlen,
                          "'max_backoff' must not be shorter than 'backoff'");
    }
    const char *metrics = NULL;
    TRY(cfg_get_str(c->doc, t, "metrics", &metrics, c->err, c->errlen));
    if (metrics) {
        char why[128];
        if (hale_mhttp_check_address(metrics, why, sizeof why) != 0) {
            return cfg_errorf(c->doc, cfg_line(cfg_get(t, "metrics")), c->err, c->errlen,
                              "'metrics' (\"%.60s\"): %s", metrics, why);
        }
        s->metrics = dupstr(metrics);
    }
    TRY(cfg_get_str(c->doc, t, "control", &control, c->err, c->errlen));
    if (control) {
        s->control = resolve(s->dir, control);
        if (!*control || strlen(s->control) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
            return cfg_errorf(c->doc, cfg_line(cfg_get(t, "control")), c->err, c->errlen,
                              "'control' must be a socket path of 1-107 bytes (\"%.60s\")",
                              s->control);
        }
    }
    return 0;
}

static const sv_proc *find(const sv_proc *procs, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++) {
        if (strcmp(procs[i].name, name) == 0) {
            return &procs[i];
        }
    }
    return NULL;
}

const sv_proc *sv_spec_find(const sv_spec *spec, const char *name) {
    return spec ? find(spec->procs, spec->nprocs, name) : NULL;
}

/* Names and `after` references: unique, known, not self. */
static int check_names(ctx *c, const cfg_value *list, const sv_proc *procs, size_t n) {
    const char **names = alloc(n + 1, sizeof *names);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        names[i] = procs[i].name;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const sv_proc *first = find(procs, i, procs[i].name);
        if (first) {
            rc = cfg_errorf(c->doc, procs[i].line, c->err, c->errlen,
                            "duplicate process name '%s' (first on line %d)", procs[i].name,
                            first->line);
        }
        const cfg_value *after = cfg_get(cfg_at(list, i), "after");
        for (size_t a = 0; rc == 0 && a < procs[i].nafter; a++) {
            const char *dep = procs[i].after[a];
            int line = cfg_line(cfg_at(after, a));
            const char *hint = cfg_did_you_mean(dep, names);
            if (strcmp(dep, procs[i].name) == 0) {
                rc = cfg_errorf(c->doc, line, c->err, c->errlen,
                                "process '%s' cannot come after itself", dep);
            } else if (!find(procs, n, dep)) {
                rc = hint ? cfg_errorf(c->doc, line, c->err, c->errlen,
                                       "'after' names unknown process '%s'; did you mean '%s'?",
                                       dep, hint)
                          : cfg_errorf(c->doc, line, c->err, c->errlen,
                                       "'after' names unknown process '%s'", dep);
            }
        }
    }
    free(names);
    return rc;
}

/* Depth-first visit for the topological sort; state 1 = on the path, 2 = done. */
static int visit(ctx *c, const sv_proc *procs, size_t n, size_t i, char *state, size_t *order,
                 size_t *norder, size_t *path, size_t depth) {
    if (state[i] == 2) {
        return 0;
    }
    path[depth] = i;
    if (state[i] == 1) {
        char cycle[512] = "";
        size_t used = 0, from = 0;
        while (path[from] != i) {
            from++;
        }
        for (size_t k = from; k <= depth && used < sizeof cycle; k++) {
            int w = snprintf(cycle + used, sizeof cycle - used, "%s%s", k > from ? " -> " : "",
                             procs[path[k]].name);
            used += w > 0 ? (size_t)w : 0;
        }
        return cfg_errorf(c->doc, procs[i].line, c->err, c->errlen, "'after' makes a cycle: %s",
                          cycle);
    }
    state[i] = 1;
    for (size_t a = 0; a < procs[i].nafter; a++) {
        size_t dep = (size_t)(find(procs, n, procs[i].after[a]) - procs);
        TRY(visit(c, procs, n, dep, state, order, norder, path, depth + 1));
    }
    state[i] = 2;
    order[(*norder)++] = i;
    return 0;
}

/* Reorders procs so every process comes after the ones it names (file order otherwise). */
static int sort_procs(ctx *c, sv_spec *s) {
    size_t n = s->nprocs, norder = 0;
    char *state = alloc(n, 1);
    size_t *order = alloc(n, sizeof *order), *path = alloc(n + 1, sizeof *path);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = visit(c, s->procs, n, i, state, order, &norder, path, 0);
    }
    if (rc == 0) {
        sv_proc *sorted = alloc(n, sizeof *sorted);
        for (size_t i = 0; i < n; i++) {
            sorted[i] = s->procs[order[i]];
        }
        free(s->procs);
        s->procs = sorted;
    }
    free(state);
    free(order);
    free(path);
    return rc;
}

/* $XDG_RUNTIME_DIR/hale/NAME.ctl, or /tmp/hale-UID/NAME.ctl. */
static char *default_control(const char *name) {
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    char buf[PATH_MAX];
    if (xdg && xdg[0] == '/') {
        snprintf(buf, sizeof buf, "%s/hale/%s.ctl", xdg, name);
    } else {
        snprintf(buf, sizeof buf, "/tmp/hale-%u/%s.ctl", (unsigned)getuid(), name);
    }
    return dupstr(buf);
}

static int load(ctx *c, sv_spec *s) {
    const cfg_value *serve = cfg_get(cfg_root(c->doc), "serve");
    if (!serve) {
        return cfg_errorf(c->doc, 1, c->err, c->errlen,
                          "no [serve] table (hale serve needs [serve] and at least one "
                          "[[serve.process]])");
    }
    TRY(read_serve(c, serve, s));
    const cfg_value *list = cfg_get(serve, "process");
    if (cfg_len(list) == 0) {
        return cfg_errorf(c->doc, cfg_line(list ? list : serve), c->err, c->errlen,
                          "[serve] has no processes (add a [[serve.process]] entry)");
    }
    s->procs = alloc(cfg_len(list), sizeof *s->procs);
    for (size_t i = 0; i < cfg_len(list); i++) {
        const cfg_value *t = cfg_at(list, i);
        if (cfg_type_of(t) != CFG_TABLE) {
            return cfg_errorf(c->doc, cfg_line(t), c->err, c->errlen,
                              "each entry of 'process' must be a table, not %s",
                              cfg_type_name(cfg_type_of(t)));
        }
        s->nprocs++;
        TRY(read_proc(c, s, t, &s->procs[i]));
    }
    TRY(check_names(c, list, s->procs, s->nprocs));
    TRY(sort_procs(c, s));
    if (!s->control) {
        s->control = default_control(s->name);
    }
    return 0;
}

/* The absolute directory of `path`, or NULL. */
static char *dir_of(const char *path) {
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (slash) {
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path + (slash == path)), path);
    } else {
        snprintf(dir, sizeof dir, ".");
    }
    return realpath(dir, NULL);
}

int sv_spec_load(const char *path, sv_spec *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    cfg_doc *doc = cfg_parse_file(path, err, errlen);
    if (!doc) {
        return -1;
    }
    char *abs = dir_of(path);
    if (!abs) {
        cfg_free(doc);
        snprintf(err, errlen, "%s: cannot resolve its directory", path);
        return -1;
    }
    out->file = dupstr(path);
    out->dir = abs;
    ctx c = {doc, err, errlen};
    int rc = load(&c, out);
    cfg_free(doc);
    if (rc != 0) {
        sv_spec_free(out);
    }
    return rc;
}

char *sv_spec_control_path(const char *path, char *err, size_t errlen) {
    cfg_doc *doc = cfg_parse_file(path, err, errlen);
    if (!doc) {
        return NULL;
    }
    const cfg_value *serve = cfg_get(cfg_root(doc), "serve");
    const char *name = "hale", *control = NULL;
    char *dir = NULL, *out = NULL;
    if (!serve) {
        cfg_errorf(doc, 1, err, errlen, "no [serve] table");
    } else if (cfg_get_str(doc, serve, "name", &name, err, errlen) >= 0 &&
               cfg_get_str(doc, serve, "control", &control, err, errlen) >= 0) {
        if (!control) {
            out = default_control(name);
        } else if ((dir = dir_of(path)) != NULL) {
            out = resolve(dir, control);
        } else {
            snprintf(err, errlen, "%s: cannot resolve its directory", path);
        }
    }
    free(dir);
    cfg_free(doc);
    return out;
}

static int strv_equal(char **a, size_t na, char **b, size_t nb) {
    if (na != nb) {
        return 0;
    }
    for (size_t i = 0; i < na; i++) {
        if (strcmp(a[i], b[i]) != 0) {
            return 0;
        }
    }
    return 1;
}

static size_t strv_len(char **v) {
    size_t n = 0;
    while (v && v[n]) {
        n++;
    }
    return n;
}

static int opt_equal(const char *a, const char *b) {
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int sv_proc_equal(const sv_proc *a, const sv_proc *b) {
    return strcmp(a->name, b->name) == 0 && opt_equal(a->program, b->program) &&
           strv_equal(a->argv, strv_len(a->argv), b->argv, strv_len(b->argv)) &&
           a->replicas == b->replicas && a->restart == b->restart &&
           strv_equal(a->after, a->nafter, b->after, b->nafter) &&
           strv_equal(a->env, a->nenv, b->env, b->nenv) && a->ready == b->ready &&
           a->ready_timeout_ns == b->ready_timeout_ns && a->watchdog_ns == b->watchdog_ns &&
           a->stop_timeout_ns == b->stop_timeout_ns;
}
