/* See project.h. */
#include "project.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "schema.h"

static const char *const postures[] = {"guard", "aggressive", "copy", NULL};
static const char *const records[] = {"annotation", "project", NULL};

static const cfg_field memory_fields[] = {
    {"posture", CFG_T(CFG_STRING), 0},
    {"hoist_record", CFG_T(CFG_STRING), 0},
    {"hoist", CFG_T(CFG_ARRAY), 0},
    {NULL, 0, 0},
};

const char *cfg_posture_name(cfg_posture p) {
    return p >= CFG_POSTURE_GUARD && p <= CFG_POSTURE_COPY ? postures[p] : "?";
}

int cfg_posture_parse(const char *s, cfg_posture *out) {
    for (int i = 0; postures[i]; i++) {
        if (strcmp(s, postures[i]) == 0) {
            *out = (cfg_posture)i;
            return 0;
        }
    }
    return -1;
}

static int is_file(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int cfg_project_find(const char *start, char *out, size_t outlen) {
    char dir[PATH_MAX];
    struct stat st;
    if (!realpath(start, dir)) {
        return 0;
    }
    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        char *slash = strrchr(dir, '/');
        if (!slash) {
            return 0;
        }
        slash[slash == dir ? 1 : 0] = '\0';
    }
    for (;;) {
        char cand[PATH_MAX + 16];
        size_t n = strlen(dir);
        snprintf(cand, sizeof cand, "%s%shale.toml", dir, n && dir[n - 1] == '/' ? "" : "/");
        if (is_file(cand)) {
            if (strlen(cand) >= outlen) {
                return 0;
            }
            memcpy(out, cand, strlen(cand) + 1);
            return 1;
        }
        char *slash = strrchr(dir, '/');
        if (!slash || (slash == dir && dir[1] == '\0')) {
            return 0;
        }
        slash[slash == dir ? 1 : 0] = '\0';
    }
}

static char *dupstr(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) {
        memcpy(d, s, n);
    }
    return d;
}

void cfg_memory_free(cfg_memory *m) {
    for (size_t i = 0; i < m->nhoists; i++) {
        free(m->hoists[i].key);
    }
    free(m->hoists);
    free(m->file);
    memset(m, 0, sizeof *m);
}

/* A hoist key names a site as `Locus.method:value`. */
static int valid_key(const char *k) {
    const char *dot = strchr(k, '.');
    const char *colon = dot ? strchr(dot, ':') : NULL;
    return dot && dot > k && colon && colon > dot + 1 && colon[1] != '\0' &&
           !strchr(colon + 1, ':');
}

static int read_memory(const cfg_doc *doc, const cfg_value *mem, cfg_memory *m, char *err,
                       size_t errlen) {
    if (cfg_check(doc, mem, "[memory]", memory_fields, err, errlen) != 0) {
        return -1;
    }
    int idx = 0;
    int rc = cfg_get_enum(doc, mem, "posture", postures, &idx, err, errlen);
    if (rc < 0) {
        return -1;
    }
    if (rc == 1) {
        m->posture = (cfg_posture)idx;
        m->posture_line = cfg_key_line(cfg_get(mem, "posture"));
    }
    rc = cfg_get_enum(doc, mem, "hoist_record", records, &idx, err, errlen);
    if (rc < 0) {
        return -1;
    }
    if (rc == 1) {
        m->hoist_record = (cfg_hoist_record)idx;
        m->hoist_record_line = cfg_key_line(cfg_get(mem, "hoist_record"));
    }
    const cfg_value *list = NULL;
    rc = cfg_get_str_array(doc, mem, "hoist", 0, &list, err, errlen);
    if (rc < 0) {
        return -1;
    }
    if (rc == 1 && cfg_len(list)) {
        m->hoists = calloc(cfg_len(list), sizeof *m->hoists);
        if (!m->hoists) {
            return cfg_errorf(doc, cfg_line(list), err, errlen, "out of memory");
        }
        for (size_t i = 0; i < cfg_len(list); i++) {
            const cfg_value *s = cfg_at(list, i);
            if (!valid_key(cfg_str(s))) {
                return cfg_errorf(doc, cfg_line(s), err, errlen,
                                  "'hoist': \"%s\" is not a site; write \"Locus.method:value\" as "
                                  "`hale check --escapes` names it",
                                  cfg_str(s));
            }
            m->hoists[i].key = dupstr(cfg_str(s));
            m->hoists[i].line = cfg_line(s);
            m->nhoists = i + 1;
            if (!m->hoists[i].key) {
                return cfg_errorf(doc, cfg_line(s), err, errlen, "out of memory");
            }
        }
    }
    return 0;
}

int cfg_memory_load(const char *path, cfg_memory *m, char *err, size_t errlen) {
    memset(m, 0, sizeof *m);
    if (!path) {
        return 0;
    }
    m->file = dupstr(path);
    cfg_doc *doc = cfg_parse_file(path, err, errlen);
    if (!doc) {
        return -1;
    }
    const cfg_value *mem = cfg_get(cfg_root(doc), "memory");
    int rc = 0;
    if (mem && cfg_type_of(mem) != CFG_TABLE) {
        rc = cfg_errorf(doc, cfg_key_line(mem), err, errlen, "'memory' must be a table ([memory])");
    } else if (mem) {
        rc = read_memory(doc, mem, m, err, errlen);
    }
    cfg_free(doc);
    return rc;
}
