/* See schema.h. Messages speak of keys as the user wrote them and say what was expected. */
#include "schema.h"

#include <stdio.h>
#include <string.h>

#include "duration.h"

#define MAX_CHOICES 64

/* Optimal-string-alignment distance (Levenshtein plus adjacent swaps), case-insensitive. Words
 * longer than 63 bytes are never close. */
static size_t distance(const char *a, const char *b) {
    size_t n = strlen(a), m = strlen(b);
    if (n > 63 || m > 63) {
        return (size_t)-1;
    }
    size_t d[64][64];
    for (size_t i = 0; i <= n; i++) {
        d[i][0] = i;
    }
    for (size_t j = 0; j <= m; j++) {
        d[0][j] = j;
    }
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            size_t cost = (a[i - 1] | 0x20) == (b[j - 1] | 0x20) ? 0 : 1;
            size_t best = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < best) {
                best = d[i - 1][j] + 1;
            }
            if (d[i][j - 1] + 1 < best) {
                best = d[i][j - 1] + 1;
            }
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best) {
                best = d[i - 2][j - 2] + 1;
            }
            d[i][j] = best;
        }
    }
    return d[n][m];
}

const char *cfg_did_you_mean(const char *word, const char *const *choices) {
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    size_t len = strlen(word);
    /* A typo is at most 2 edits, and fewer than half the word. */
    size_t limit = len < 4 ? 1 : 2;
    for (size_t i = 0; choices[i]; i++) {
        size_t d = distance(word, choices[i]);
        if (d <= limit && d < best_d) {
            best = choices[i];
            best_d = d;
        }
    }
    return best;
}

/* "a string or an array" from a type mask. */
static void types_text(unsigned mask, char *out, size_t n) {
    size_t used = 0;
    out[0] = '\0';
    for (int t = CFG_STRING; t <= CFG_TABLE && used < n; t++) {
        if (mask & CFG_T(t)) {
            int w = snprintf(out + used, n - used, "%s%s", used ? " or " : "",
                             cfg_type_name((cfg_type)t));
            used += w > 0 ? (size_t)w : 0;
        }
    }
}

static int unknown_key(const cfg_doc *doc, const cfg_value *table, size_t i, const char *where,
                       const cfg_field *fields, char *err, size_t errlen) {
    const char *names[MAX_CHOICES + 1];
    size_t n = 0;
    for (; fields[n].key && n < MAX_CHOICES; n++) {
        names[n] = fields[n].key;
    }
    names[n] = NULL;
    const char *key = cfg_key_at(table, i);
    int line = cfg_key_line(cfg_at(table, i));
    const char *hint = cfg_did_you_mean(key, names);
    if (hint) {
        return cfg_errorf(doc, line, err, errlen, "unknown key '%s' in %s; did you mean '%s'?", key,
                          where, hint);
    }
    char list[512];
    size_t used = 0;
    list[0] = '\0';
    for (size_t k = 0; k < n && used < sizeof list; k++) {
        int w = snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "", names[k]);
        used += w > 0 ? (size_t)w : 0;
    }
    return cfg_errorf(doc, line, err, errlen, "unknown key '%s' in %s (allowed: %s)", key, where,
                      list);
}

int cfg_check(const cfg_doc *doc, const cfg_value *table, const char *where,
              const cfg_field *fields, char *err, size_t errlen) {
    if (cfg_type_of(table) != CFG_TABLE) {
        return cfg_errorf(doc, cfg_line(table), err, errlen, "%s must be a table, not %s", where,
                          cfg_type_name(cfg_type_of(table)));
    }
    for (size_t i = 0; i < cfg_len(table); i++) {
        const char *key = cfg_key_at(table, i);
        const cfg_value *v = cfg_at(table, i);
        const cfg_field *f = fields;
        while (f->key && strcmp(f->key, key) != 0) {
            f++;
        }
        if (!f->key) {
            return unknown_key(doc, table, i, where, fields, err, errlen);
        }
        if (f->types && !(f->types & CFG_T(cfg_type_of(v)))) {
            char want[128];
            types_text(f->types, want, sizeof want);
            return cfg_errorf(doc, cfg_line(v), err, errlen, "'%s' in %s must be %s, not %s", key,
                              where, want, cfg_type_name(cfg_type_of(v)));
        }
    }
    for (const cfg_field *f = fields; f->key; f++) {
        if (f->required && !cfg_get(table, f->key)) {
            return cfg_errorf(doc, cfg_line(table), err, errlen, "%s is missing '%s'", where,
                              f->key);
        }
    }
    return 0;
}

/* The value for key if present with type t: 1; absent: 0; wrong type: -1 with a message. */
static int lookup(const cfg_doc *doc, const cfg_value *table, const char *key, cfg_type t,
                  const cfg_value **v, char *err, size_t errlen) {
    *v = cfg_get(table, key);
    if (!*v) {
        return 0;
    }
    if (cfg_type_of(*v) != t) {
        return cfg_errorf(doc, cfg_line(*v), err, errlen, "'%s' must be %s, not %s", key,
                          cfg_type_name(t), cfg_type_name(cfg_type_of(*v)));
    }
    return 1;
}

int cfg_get_str(const cfg_doc *doc, const cfg_value *table, const char *key, const char **out,
                char *err, size_t errlen) {
    const cfg_value *v;
    int rc = lookup(doc, table, key, CFG_STRING, &v, err, errlen);
    if (rc == 1) {
        *out = cfg_str(v);
    }
    return rc;
}

int cfg_get_bool(const cfg_doc *doc, const cfg_value *table, const char *key, int *out, char *err,
                 size_t errlen) {
    const cfg_value *v;
    int rc = lookup(doc, table, key, CFG_BOOL, &v, err, errlen);
    if (rc == 1) {
        *out = cfg_bool(v);
    }
    return rc;
}

int cfg_get_int(const cfg_doc *doc, const cfg_value *table, const char *key, int64_t min,
                int64_t max, int64_t *out, char *err, size_t errlen) {
    const cfg_value *v;
    int rc = lookup(doc, table, key, CFG_INT, &v, err, errlen);
    if (rc != 1) {
        return rc;
    }
    int64_t i = cfg_int(v);
    if (i < min || i > max) {
        return cfg_errorf(doc, cfg_line(v), err, errlen,
                          "'%s' must be between %lld and %lld, not %lld", key, (long long)min,
                          (long long)max, (long long)i);
    }
    *out = i;
    return 1;
}

int cfg_get_duration(const cfg_doc *doc, const cfg_value *table, const char *key, int64_t *out_ns,
                     char *err, size_t errlen) {
    const cfg_value *v = cfg_get(table, key);
    if (!v) {
        return 0;
    }
    if (cfg_type_of(v) != CFG_STRING) {
        return cfg_errorf(doc, cfg_line(v), err, errlen,
                          "'%s' must be a duration string such as \"30s\", not %s", key,
                          cfg_type_name(cfg_type_of(v)));
    }
    char why[128];
    int64_t ns;
    if (cfg_duration_parse(cfg_str(v), cfg_str_len(v), &ns, why, sizeof why) != 0) {
        return cfg_errorf(doc, cfg_line(v), err, errlen, "'%s' = \"%.40s\": %s", key, cfg_str(v),
                          why);
    }
    *out_ns = ns;
    return 1;
}

int cfg_get_enum(const cfg_doc *doc, const cfg_value *table, const char *key,
                 const char *const *names, int *out, char *err, size_t errlen) {
    const cfg_value *v;
    int rc = lookup(doc, table, key, CFG_STRING, &v, err, errlen);
    if (rc != 1) {
        return rc;
    }
    char list[256];
    size_t used = 0;
    list[0] = '\0';
    for (int i = 0; names[i]; i++) {
        if (strcmp(names[i], cfg_str(v)) == 0) {
            *out = i;
            return 1;
        }
        int w = snprintf(list + used, sizeof list - used, "%s\"%s\"", i ? ", " : "", names[i]);
        used = w > 0 && used + (size_t)w < sizeof list ? used + (size_t)w : used;
    }
    const char *hint = cfg_did_you_mean(cfg_str(v), names);
    if (hint) {
        return cfg_errorf(doc, cfg_line(v), err, errlen,
                          "'%s' = \"%.40s\" is not one of %s; did you mean \"%s\"?", key,
                          cfg_str(v), list, hint);
    }
    return cfg_errorf(doc, cfg_line(v), err, errlen, "'%s' = \"%.40s\" is not one of %s", key,
                      cfg_str(v), list);
}

int cfg_get_str_array(const cfg_doc *doc, const cfg_value *table, const char *key, int nonempty,
                      const cfg_value **out, char *err, size_t errlen) {
    const cfg_value *v;
    int rc = lookup(doc, table, key, CFG_ARRAY, &v, err, errlen);
    if (rc != 1) {
        if (rc == -1) {
            return cfg_errorf(doc, cfg_line(cfg_get(table, key)), err, errlen,
                              "'%s' must be an array of strings", key);
        }
        return rc;
    }
    if (nonempty && cfg_len(v) == 0) {
        return cfg_errorf(doc, cfg_line(v), err, errlen, "'%s' must not be empty", key);
    }
    for (size_t i = 0; i < cfg_len(v); i++) {
        const cfg_value *s = cfg_at(v, i);
        if (cfg_type_of(s) != CFG_STRING) {
            return cfg_errorf(doc, cfg_line(s), err, errlen,
                              "'%s' must be an array of strings; element %zu is %s", key, i + 1,
                              cfg_type_name(cfg_type_of(s)));
        }
        if (nonempty && cfg_str_len(s) == 0) {
            return cfg_errorf(doc, cfg_line(s), err, errlen, "'%s': element %zu is empty", key,
                              i + 1);
        }
    }
    *out = v;
    return 1;
}
