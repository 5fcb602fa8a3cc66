/* See analyze.h. This file: the resource budget (--dump-resource-budget,
 * --check-resource-budget FILE).
 *
 * The static resource surface of a program, counted from its declarations: OS threads it pins
 * (`pinned` entries of main's placement), cooperative pools besides the main thread (each pool
 * is one more thread), bus subjects (the topic table the runtime boots), and the sites that make
 * file descriptors (tcp listen, accept and connect calls). A ceiling file in CI turns a change of
 * surface into a failed check ("this change added a pinned thread; raise the ceiling if you meant
 * to"). The file is TOML read with config/toml.h; every key is optional:
 *
 *     pinned_threads = 4
 *     cooperative_pools = 2
 *     bus_subjects = 16
 *     fd_sites = 3
 *
 * A count past its ceiling is an error at its key in the file, so it prints like every other
 * diagnostic (and as JSON under --json); a file that cannot be read or is not a budget file is an
 * error naming the file and line. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "schema.h"
#include "toml.h"

/* ---- counting ---- */

typedef struct {
    hc_program *P;
    hc_budget *b;
} counter;

static int fd_site(hc_walker *hw, hc_expr *e) {
    counter *c = hw->ctx;
    if (e->kind == E_CALL && an_fd_call(e) == e) {
        HC_PUSH(c->P->a, c->b->fd_sites, e);
    }
    return HC_WALK_ON;
}

void hc_budget_count(hc_program *P, hc_budget *b) {
    memset(b, 0, sizeof *b);
    hc_decl *m = P->main_locus;
    for (int i = 0; m && i < m->members.n; i++) {
        hc_decl *mm = m->members.v[i];
        for (int k = 0; mm->kind == M_PLACEMENT && k < mm->placements.n; k++) {
            hc_placement *pl = &mm->placements.v[k];
            if (strcmp(pl->kind.name, "pinned") == 0) {
                HC_PUSH(P->a, b->pinned, pl);
                continue;
            }
            const char *pool = hc_place_entry_pool(P, pl);
            int seen = strcmp(pool, "main") == 0;
            for (int j = 0; !seen && j < b->pools.n; j++) {
                seen = strcmp(hc_place_entry_pool(P, b->pools.v[j]), pool) == 0;
            }
            if (!seen) {
                HC_PUSH(P->a, b->pools, pl);
            }
        }
    }
    for (int i = 0; P->bus && i < P->bus->topics.n; i++) {
        HC_PUSH(P->a, b->subjects, P->bus->topics.v[i]);
    }
    counter c = {P, b};
    hc_walker hw = {fd_site, NULL, &c};
    for (int si = 0; si < P->seeds.n; si++) {
        hc_seed *s = P->seeds.v[si];
        for (int i = 0; s != P->std && i < s->decls.n; i++) {
            hc_decl *d = s->decls.v[i];
            hc_walk_block(&hw, d->kind == D_FN ? d->body : NULL);
            for (int k = 0; d->kind == D_LOCUS && k < d->members.n; k++) {
                hc_decl *mm = d->members.v[k];
                hc_walk_block(&hw, mm->body);
                for (int j = 0; mm->kind == M_PARAMS && j < mm->lparams.n; j++) {
                    hc_walk_expr(&hw, mm->lparams.v[j].value);
                }
            }
        }
    }
}

/* ---- the dump ---- */

static const char *fd_call_name(hc_expr *e) {
    return e->lhs->builtin ? e->lhs->builtin->path : "?";
}

static void names(hc_program *P, const hc_budget *b, int which, hc_buf *out, int json) {
    int n = which == 0 ? b->pinned.n : which == 1 ? b->pools.n : b->subjects.n;
    for (int i = 0; i < n; i++) {
        const char *name = which == 0   ? b->pinned.v[i]->field.name
                           : which == 1 ? hc_place_entry_pool(P, b->pools.v[i])
                                        : b->subjects.v[i]->subject;
        if (json) {
            hc_buf_puts(out, i ? "," : "");
            hc_json_string(out, name);
        } else {
            hc_buf_printf(out, "%s%s", i ? ", " : "", name);
        }
    }
}

void hc_budget_print(hc_program *P, const hc_budget *b, hc_buf *out, int json) {
    static const char *const text[] = {"OS threads (pinned loci)", "cooperative pools",
                                       "bus subjects"};
    static const char *const keys[] = {"pinned_threads", "cooperative_pools", "bus_subjects"};
    int counts[] = {b->pinned.n, b->pools.n, b->subjects.n};
    if (json) {
        hc_buf_puts(out, "{\"resource_budget\":{");
    }
    for (int w = 0; w < 3; w++) {
        if (json) {
            hc_buf_printf(out, "\"%s\":{\"count\":%d,\"names\":[", keys[w], counts[w]);
            names(P, b, w, out, 1);
            hc_buf_puts(out, "]},");
        } else {
            hc_buf_printf(out, "%s: %d", text[w], counts[w]);
            if (counts[w]) {
                hc_buf_puts(out, " [");
                names(P, b, w, out, 0);
                hc_buf_puts(out, "]");
            }
            hc_buf_puts(out, "\n");
        }
    }
    if (json) {
        hc_buf_printf(out, "\"fd_sites\":{\"count\":%d,\"sites\":[", b->fd_sites.n);
    } else {
        hc_buf_printf(out, "fd acquisition sites: %d%s", b->fd_sites.n, b->fd_sites.n ? " [" : "");
    }
    for (int i = 0; i < b->fd_sites.n; i++) {
        hc_expr *e = b->fd_sites.v[i];
        const char *file = hc_diag_source_name(P->d, e->pos.file);
        if (json) {
            hc_buf_puts(out, i ? ",{\"file\":" : "{\"file\":");
            hc_json_string(out, file);
            hc_buf_printf(out, ",\"line\":%d,\"col\":%d,\"call\":", e->pos.line, e->pos.col);
            hc_json_string(out, fd_call_name(e));
            hc_buf_puts(out, "}");
        } else {
            hc_buf_printf(out, "%s%s:%d:%d %s", i ? ", " : "", file, e->pos.line, e->pos.col,
                          fd_call_name(e));
        }
    }
    hc_buf_puts(out, json ? "]}}}\n" : b->fd_sites.n ? "]\n" : "\n");
}

/* ---- the ceiling file ---- */

/* A reader's "name:line: message" as an error at that line of the file `src`. */
static void config_error(hc_program *P, int src, const char *path, const char *err) {
    size_t n = strlen(path);
    hc_pos at = {src, 0, 1, 0};
    const char *msg = err;
    if (strncmp(err, path, n) == 0 && err[n] == ':') {
        char *end;
        long line = strtol(err + n + 1, &end, 10);
        if (end != err + n + 1 && *end == ':' && line > 0) {
            at.line = (int)line;
            msg = end[1] == ' ' ? end + 2 : end + 1;
        }
    }
    if (at.line == 0) {
        at.file = -1;
    }
    hc_error(P->d, at, "%s", msg);
}

/* The place of `key` on line `line` of source `src` (column 1 when it cannot be found). */
static hc_pos key_pos(hc_program *P, int src, int line, const char *key) {
    hc_pos at = {src, line, 1, (int)strlen(key)};
    size_t len;
    const char *t = hc_diag_source_text(P->d, src, &len), *end = t + len;
    for (int l = 1; l < line && t < end; l++) {
        const char *nl = memchr(t, '\n', (size_t)(end - t));
        t = nl ? nl + 1 : end;
    }
    const char *nl = memchr(t, '\n', (size_t)(end - t));
    size_t ll = (size_t)((nl ? nl : end) - t), kl = strlen(key);
    for (size_t i = 0; i + kl <= ll; i++) {
        if (memcmp(t + i, key, kl) == 0) {
            at.col = (int)i + 1;
            break;
        }
    }
    return at;
}

int hc_budget_check(hc_program *P, const hc_budget *b, const char *path) {
    size_t len = 0;
    char *kept = hc_read_file(P->a, path, &len); /* the diagnostics show its lines */
    if (!kept) {
        hc_error(P->d, (hc_pos){-1, 0, 0, 0}, "cannot read the budget file %s: %s", path,
                 strerror(errno));
        return -1;
    }
    int src = hc_diag_add_source(P->d, path, kept, len);
    static const cfg_field fields[] = {
        {"pinned_threads", CFG_T(CFG_INT), 0},
        {"cooperative_pools", CFG_T(CFG_INT), 0},
        {"bus_subjects", CFG_T(CFG_INT), 0},
        {"fd_sites", CFG_T(CFG_INT), 0},
        {NULL, 0, 0},
    };
    char err[512];
    cfg_doc *doc = cfg_parse(path, kept, len, err, sizeof err);
    if (!doc || cfg_check(doc, cfg_root(doc), "the budget file", fields, err, sizeof err) != 0) {
        config_error(P, src, path, err);
        cfg_free(doc);
        return -1;
    }
    static const char *const what[] = {"pinned threads", "cooperative pools", "bus subjects",
                                       "fd acquisition sites"};
    int counts[] = {b->pinned.n, b->pools.n, b->subjects.n, b->fd_sites.n};
    int rc = 0;
    for (int k = 0; k < 4; k++) {
        int64_t ceiling = 0;
        int got =
            cfg_get_int(doc, cfg_root(doc), fields[k].key, 0, INT64_MAX, &ceiling, err, sizeof err);
        if (got < 0) {
            config_error(P, src, path, err);
            rc = -1;
            continue;
        }
        if (got == 0 || counts[k] <= ceiling) {
            continue;
        }
        int line = cfg_key_line(cfg_get(cfg_root(doc), fields[k].key));
        hc_diag *g = hc_error(P->d, key_pos(P, src, line, fields[k].key),
                              "the program has %d %s, over the `%s` ceiling of %lld", counts[k],
                              what[k], fields[k].key, (long long)ceiling);
        if (k < 3) {
            hc_buf names_text = {0};
            names(P, b, k, &names_text, 0);
            hc_help(g, "%s: %s; raise the ceiling if the new one is meant", what[k],
                    hc_buf_cstr(&names_text));
            hc_buf_free(&names_text);
        } else {
            for (int i = 0; i < b->fd_sites.n; i++) {
                hc_note(g, b->fd_sites.v[i]->pos, "`%s` makes a descriptor here",
                        fd_call_name(b->fd_sites.v[i]));
            }
            hc_help(g, "raise the ceiling if the new site is meant");
        }
    }
    cfg_free(doc);
    return rc;
}
