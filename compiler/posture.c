/* The project file for one compilation: finds hale.toml beside the program or above it
 * (config/project.h), reads its [memory] table and applies `--posture`. The file's text is
 * registered as a diagnostics source, so a warning about one of its entries (a hoist that names
 * no site) points at its line like any other diagnostic, and the build cache key, which hashes
 * every source, changes with it. */
#include "posture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "resolve.h"

/* Where a value on `line` of the registered file starts (its first non-blank column). */
static hc_pos line_pos(const char *text, size_t len, int file, int line) {
    hc_pos p = {file, line, 1, 1};
    const char *s = text, *end = text + len;
    for (int l = 1; l < line && s < end; l++) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        if (!nl) {
            return p;
        }
        s = nl + 1;
    }
    while (s + p.col - 1 < end && (s[p.col - 1] == ' ' || s[p.col - 1] == '\t')) {
        p.col++;
    }
    const char *e = s + p.col - 1;
    while (e < end && *e != '\n' && *e != '#') {
        e++;
    }
    p.len = (int)(e - (s + p.col - 1));
    while (p.len > 1 && (s[p.col - 1 + p.len - 1] == ' ' || s[p.col - 1 + p.len - 1] == ',')) {
        p.len--;
    }
    return p;
}

/* `path` as the user would write it from here: relative to the working directory when inside
 * it (so messages read `hale.toml:3`, and golden files hold no machine's paths). */
static const char *display(hc_arena *a, const char *path) {
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) {
        return hc_strdup(a, path);
    }
    size_t n = strlen(cwd);
    if (strncmp(path, cwd, n) == 0 && path[n] == '/') {
        return hc_strdup(a, path + n + 1);
    }
    return hc_strdup(a, path);
}

int hc_posture_load(hc_program *P, const char *path, const char *posture) {
    hc_memory *m = HC_NEW(P->a, hc_memory);
    P->mem = m;
    char toml[4096];
    int found = cfg_project_find(path, toml, sizeof toml);
    cfg_memory cm;
    char err[600];
    const char *shown = found ? display(P->a, toml) : NULL;
    if (cfg_memory_load(shown, &cm, err, sizeof err) != 0) {
        fprintf(stderr, "hale: %s\n", err);
        cfg_memory_free(&cm);
        return -1;
    }
    m->posture = (hc_posture)cm.posture;
    m->record = (hc_hoist_record)cm.hoist_record;
    if (found) {
        m->toml = shown;
        if (cm.posture_line) {
            m->origin = m->toml;
            m->origin_line = cm.posture_line;
        }
        size_t len = 0;
        const char *text = hc_read_file(P->a, shown, &len);
        int file = text ? hc_diag_add_source(P->d, m->toml, text, len) : -1;
        for (size_t i = 0; i < cm.nhoists; i++) {
            hc_hoist_entry h = {0};
            h.key = hc_strdup(P->a, cm.hoists[i].key);
            h.pos = text ? line_pos(text, len, file, cm.hoists[i].line)
                         : (hc_pos){-1, cm.hoists[i].line, 0, 0};
            HC_PUSH(P->a, m->hoists, h);
        }
    }
    cfg_memory_free(&cm);
    if (posture) {
        cfg_posture p;
        if (cfg_posture_parse(posture, &p) != 0) {
            fprintf(stderr, "hale: unknown posture '%s' (guard, aggressive or copy)\n", posture);
            return -2;
        }
        m->posture = (hc_posture)p;
        m->origin = "--posture";
        m->origin_line = 0;
    }
    return 0;
}
