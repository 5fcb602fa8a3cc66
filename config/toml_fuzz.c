/* Fuzz entry for the TOML reader. Any bytes either fail with a "fuzz.toml:LINE: ..." message
 * (one line) whose line exists in the input, or parse into a tree whose lines are in range; that tree,
 * written back out as TOML (inline tables and arrays only), must parse again to an equal tree. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "toml.h"

typedef struct {
    char *p;
    size_t len, cap;
} out;

static void put(out *o, const char *s, size_t n) {
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 256;
        while (cap < o->len + n + 1) {
            cap *= 2;
        }
        o->p = realloc(o->p, cap);
        if (!o->p) {
            abort();
        }
        o->cap = cap;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

static void puts_(out *o, const char *s) {
    put(o, s, strlen(s));
}

static void quoted(out *o, const char *s, size_t n) {
    puts_(o, "\"");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            snprintf(esc, sizeof esc, "\\%c", c);
            puts_(o, esc);
        } else if (c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof esc, "\\u%04X", c);
            puts_(o, esc);
        } else {
            put(o, (const char *)&s[i], 1);
        }
    }
    puts_(o, "\"");
}

static void emit(out *o, const cfg_value *v) {
    char num[32];
    switch (cfg_type_of(v)) {
    case CFG_STRING:
        quoted(o, cfg_str(v), cfg_str_len(v));
        break;
    case CFG_INT:
        snprintf(num, sizeof num, "%lld", (long long)cfg_int(v));
        puts_(o, num);
        break;
    case CFG_BOOL:
        puts_(o, cfg_bool(v) ? "true" : "false");
        break;
    case CFG_ARRAY:
        puts_(o, "[");
        for (size_t i = 0; i < cfg_len(v); i++) {
            puts_(o, i ? ", " : "");
            emit(o, cfg_at(v, i));
        }
        puts_(o, "]");
        break;
    case CFG_TABLE:
        puts_(o, "{");
        for (size_t i = 0; i < cfg_len(v); i++) {
            puts_(o, i ? ", " : "");
            quoted(o, cfg_key_at(v, i), strlen(cfg_key_at(v, i)));
            puts_(o, " = ");
            emit(o, cfg_at(v, i));
        }
        puts_(o, "}");
        break;
    }
}

static int equal(const cfg_value *a, const cfg_value *b) {
    if (cfg_type_of(a) != cfg_type_of(b)) {
        return 0;
    }
    switch (cfg_type_of(a)) {
    case CFG_STRING:
        return cfg_str_len(a) == cfg_str_len(b) &&
               memcmp(cfg_str(a), cfg_str(b), cfg_str_len(a)) == 0;
    case CFG_INT:
        return cfg_int(a) == cfg_int(b);
    case CFG_BOOL:
        return cfg_bool(a) == cfg_bool(b);
    case CFG_ARRAY:
    case CFG_TABLE:
        if (cfg_len(a) != cfg_len(b)) {
            return 0;
        }
        for (size_t i = 0; i < cfg_len(a); i++) {
            if (cfg_type_of(a) == CFG_TABLE && (strcmp(cfg_key_at(a, i), cfg_key_at(b, i)) != 0 ||
                                                cfg_get(a, cfg_key_at(a, i)) != cfg_at(a, i))) {
                return 0;
            }
            if (!equal(cfg_at(a, i), cfg_at(b, i))) {
                return 0;
            }
        }
        return 1;
    }
    return 0;
}

static void check_lines(const cfg_value *v, int max_line) {
    if (cfg_line(v) < 1 || cfg_line(v) > max_line || cfg_key_line(v) < 1 ||
        cfg_key_line(v) > max_line) {
        abort();
    }
    if (cfg_type_of(v) == CFG_STRING && strlen(cfg_str(v)) != cfg_str_len(v)) {
        abort();
    }
    for (size_t i = 0; i < cfg_len(v); i++) {
        check_lines(cfg_at(v, i), max_line);
    }
}

static const cfg_field fields[] = {
    {"name", CFG_T(CFG_STRING), 1},
    {"serve", CFG_T(CFG_TABLE), 0},
    {"process", CFG_T(CFG_ARRAY) | CFG_T(CFG_TABLE), 0},
    {NULL, 0, 0},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    int lines = 1;
    for (size_t i = 0; i < size; i++) {
        lines += data[i] == '\n';
    }
    char err[512];
    cfg_doc *doc = cfg_parse("fuzz.toml", (const char *)data, size, err, sizeof err);
    if (!doc) {
        int line = 0;
        if (sscanf(err, "fuzz.toml:%d: ", &line) != 1 || line < 1 || line > lines ||
            strchr(err, '\n')) {
            abort(); /* one line, naming a line of the input */
        }
        return 0;
    }
    const cfg_value *root = cfg_root(doc);
    check_lines(root, lines);
    int64_t i64;
    int e;
    const char *s;
    const char *names[] = {"one", "two", NULL};
    (void)cfg_check(doc, root, "the file", fields, err, sizeof err);
    (void)cfg_get_duration(doc, root, "name", &i64, err, sizeof err);
    (void)cfg_get_enum(doc, root, "name", names, &e, err, sizeof err);
    (void)cfg_get_str(doc, root, "name", &s, err, sizeof err);

    out o = {0};
    puts_(&o, "");
    for (size_t i = 0; i < cfg_len(root); i++) {
        quoted(&o, cfg_key_at(root, i), strlen(cfg_key_at(root, i)));
        puts_(&o, " = ");
        emit(&o, cfg_at(root, i));
        puts_(&o, "\n");
    }
    cfg_doc *again = cfg_parse("again.toml", o.p, o.len, err, sizeof err);
    if (!again) {
        fprintf(stderr, "re-parse failed: %s\n", err);
        abort();
    }
    if (!equal(root, cfg_root(again))) {
        abort();
    }
    cfg_free(again);
    cfg_free(doc);
    free(o.p);
    return 0;
}
