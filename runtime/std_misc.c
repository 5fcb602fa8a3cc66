/* See std_misc.h. */
#include "std_misc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "json.h"
#include "std.h"
#include "str.h"

static hale_str empty(void) {
    return (hale_str){"", 0};
}

/* ---- std::iter::Lines ---- */

hale_str hale_lines_line_at(hale_lines *l, hale_str s, int64_t from, hale_region *r) {
    (void)r;
    (void)l;
    if (from < 0 || from >= s.len) {
        return empty();
    }
    const char *nl = memchr(s.ptr + from, '\n', (size_t)(s.len - from));
    int64_t end = nl ? (int64_t)(nl - s.ptr) : s.len;
    if (end > from && s.ptr[end - 1] == '\r') {
        end--;
    }
    return (hale_str){s.ptr + from, end - from};
}

int64_t hale_lines_next_idx(hale_lines *l, hale_str s, int64_t from) {
    (void)l;
    if (from < 0 || from >= s.len) {
        return -1;
    }
    const char *nl = memchr(s.ptr + from, '\n', (size_t)(s.len - from));
    return nl ? (int64_t)(nl - s.ptr) + 1 : -1;
}

bool hale_lines_is_skippable(hale_lines *l, hale_str line) {
    (void)l;
    hale_str t = hale_str_trim(line);
    return t.len == 0 || t.ptr[0] == '#';
}

/* ---- std::name::Convention ---- */

void hale_name_convention_init(hale_name_convention *n, hale_str strip) {
    n->strip = strip;
}

static bool upper(char c) {
    return c >= 'A' && c <= 'Z';
}

static char to_lower(char c) {
    return upper(c) ? (char)(c + 32) : c;
}

static char to_upper(char c) {
    return c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
}

hale_str hale_name_convention_camel_to_snake(hale_name_convention *n, hale_str s, hale_region *r) {
    (void)n;
    if (s.len <= 0) {
        return empty();
    }
    char *p = hale_region_alloc(r, (size_t)s.len * 2, 1);
    int64_t w = 0;
    for (int64_t i = 0; i < s.len; i++) {
        if (i > 0 && upper(s.ptr[i])) {
            p[w++] = '_';
        }
        p[w++] = to_lower(s.ptr[i]);
    }
    return (hale_str){p, w};
}

hale_str hale_name_convention_snake_to_camel(hale_name_convention *n, hale_str s, hale_region *r) {
    (void)n;
    if (s.len <= 0) {
        return empty();
    }
    char *p = hale_region_alloc(r, (size_t)s.len, 1);
    int64_t w = 0;
    bool start = true;
    for (int64_t i = 0; i < s.len; i++) {
        if (s.ptr[i] == '_') {
            start = true;
            continue;
        }
        p[w++] = start ? to_upper(s.ptr[i]) : s.ptr[i];
        start = false;
    }
    return (hale_str){w ? p : "", w};
}

hale_str hale_name_convention_strip_extension(hale_name_convention *n, hale_str s, hale_region *r) {
    (void)r;
    if (n->strip.len > 0 && hale_str_ends_with(s, n->strip)) {
        return (hale_str){s.ptr, s.len - n->strip.len};
    }
    return s;
}

hale_str hale_name_convention_propose_locus_name(hale_name_convention *n, hale_str file,
                                                 hale_region *r) {
    hale_str base =
        hale_name_convention_snake_to_camel(n, hale_name_convention_strip_extension(n, file, r), r);
    hale_str parts[2] = {base.len ? base : HALE_STR_LIT("?"), HALE_STR_LIT("L")};
    return hale_str_concat_n(r, parts, 2);
}

/* ---- std::tagged::Accumulator ---- */

/* Calls fn(body) for each line "TAG:body" of acc; stops when fn answers false. */
static void each_tagged(hale_str acc, hale_str tag, bool (*fn)(hale_str body, void *ctx),
                        void *ctx) {
    int64_t i = 0;
    while (i < acc.len) {
        const char *nl = memchr(acc.ptr + i, '\n', (size_t)(acc.len - i));
        int64_t end = nl ? (int64_t)(nl - acc.ptr) : acc.len;
        hale_str line = {acc.ptr + i, end - i};
        if (line.len > tag.len && hale_str_starts_with(line, tag) && line.ptr[tag.len] == ':') {
            if (!fn((hale_str){line.ptr + tag.len + 1, line.len - tag.len - 1}, ctx)) {
                return;
            }
        }
        i = end + 1;
    }
}

static bool take_first(hale_str body, void *ctx) {
    *(hale_str *)ctx = body;
    return false;
}

hale_str hale_tagged_first_body(hale_tagged *t, hale_str acc, hale_str tag, hale_region *r) {
    (void)t;
    (void)r;
    hale_str out = empty();
    each_tagged(acc, tag, take_first, &out);
    return out;
}

static bool counting(hale_str body, void *ctx) {
    (void)body;
    (*(int64_t *)ctx)++;
    return true;
}

int64_t hale_tagged_count(hale_tagged *t, hale_str acc, hale_str tag) {
    (void)t;
    int64_t n = 0;
    each_tagged(acc, tag, counting, &n);
    return n;
}

typedef struct {
    hale_bytes_builder *b;
    int kind; /* 0 lines, 1 csv, 2 json */
    hale_region *r;
    int64_t n;
} joiner;

static bool joining(hale_str body, void *ctx) {
    joiner *j = ctx;
    if (j->kind == 0) {
        hale_bytes_builder_append_str(j->b, body);
        hale_bytes_builder_append_byte(j->b, '\n');
    } else {
        if (j->n) {
            hale_bytes_builder_append_str(j->b, HALE_STR_LIT(", "));
        }
        if (j->kind == 2) {
            hale_bytes_builder_append_byte(j->b, '"');
            hale_bytes_builder_append_str(j->b, hale_json_escape(j->r, body));
            hale_bytes_builder_append_byte(j->b, '"');
        } else {
            hale_bytes_builder_append_str(j->b, body);
        }
    }
    j->n++;
    return true;
}

static hale_str join_bodies(hale_str acc, hale_str tag, int kind, hale_region *r) {
    hale_bytes_builder b;
    hale_bytes_builder_init(&b, r, 64);
    joiner j = {&b, kind, r, 0};
    if (kind == 2) {
        hale_bytes_builder_append_byte(&b, '[');
    }
    each_tagged(acc, tag, joining, &j);
    if (kind == 2) {
        hale_bytes_builder_append_byte(&b, ']');
    }
    hale_str out = hale_bytes_builder_text_view(&b);
    out = hale_str_copy(r, out);
    hale_bytes_builder_destroy(&b);
    return out;
}

hale_str hale_tagged_each_body(hale_tagged *t, hale_str acc, hale_str tag, hale_region *r) {
    (void)t;
    return join_bodies(acc, tag, 0, r);
}

hale_str hale_tagged_collect_csv(hale_tagged *t, hale_str acc, hale_str tag, hale_region *r) {
    (void)t;
    return join_bodies(acc, tag, 1, r);
}

hale_str hale_tagged_collect_array(hale_tagged *t, hale_str acc, hale_str tag, hale_region *r) {
    (void)t;
    return join_bodies(acc, tag, 2, r);
}

/* ---- std::cli::Resolver ---- */

void hale_cli_resolver_init(hale_cli_resolver *c, hale_str env_prefix, hale_str argv_keys) {
    c->env_prefix = env_prefix;
    c->argv_keys = argv_keys;
}

/* The command line's value for key ("" when the key has no position or no argument). */
static hale_str from_argv(const hale_cli_resolver *c, hale_str key) {
    int64_t pos = 0, i = 0;
    hale_str keys = c->argv_keys;
    while (i < keys.len) {
        const char *nl = memchr(keys.ptr + i, '\n', (size_t)(keys.len - i));
        int64_t end = nl ? (int64_t)(nl - keys.ptr) : keys.len;
        hale_str k = hale_str_trim((hale_str){keys.ptr + i, end - i});
        if (k.len) {
            pos++;
            if (hale_str_eq(k, key)) {
                return pos < hale_env_args_count() ? hale_env_arg(pos) : empty();
            }
        }
        i = end + 1;
    }
    return empty();
}

static hale_str from_env(const hale_cli_resolver *c, hale_str key) {
    char name[512];
    if (c->env_prefix.len + key.len >= (int64_t)sizeof name) {
        return empty();
    }
    memcpy(name, c->env_prefix.ptr, (size_t)c->env_prefix.len);
    for (int64_t i = 0; i < key.len; i++) {
        name[c->env_prefix.len + i] = to_upper(key.ptr[i]);
    }
    return hale_env_var((hale_str){name, c->env_prefix.len + key.len});
}

hale_str hale_cli_resolver_get(hale_cli_resolver *c, hale_str key, hale_str fallback,
                               hale_region *r) {
    (void)r;
    hale_str v = from_argv(c, key);
    if (v.len) {
        return v;
    }
    v = from_env(c, key);
    return v.len ? v : fallback;
}

int64_t hale_cli_resolver_get_int(hale_cli_resolver *c, hale_str key, int64_t fallback) {
    int64_t v;
    if (hale_str_parse_int(from_argv(c, key), &v) || hale_str_parse_int(from_env(c, key), &v)) {
        return v;
    }
    return fallback;
}

/* ---- std::test ---- */

static void put_str(hale_sbuf *o, hale_str s) {
    hale_sbuf_put(o, s.ptr, (size_t)s.len);
}

/* Prints the failure (and `detail`, which may be NULL) through the program's stdout, then ends
 * the program with status 1. */
static void assert_failed(hale_str msg, const char *detail) {
    hale_sbuf *o = hale_out(1);
    hale_sbuf_puts(o, "ASSERTION FAILED: ");
    put_str(o, msg);
    if (detail) {
        hale_sbuf_puts(o, "\n");
        hale_sbuf_puts(o, detail);
    }
    hale_out_done(o, 1);
    hale_out_flush();
    exit(1);
}

void hale_test_assert(bool cond, hale_str msg) {
    if (!cond) {
        assert_failed(msg, NULL);
    }
}

void hale_test_assert_eq_int(int64_t actual, int64_t expected, hale_str msg) {
    if (actual != expected) {
        char d[96];
        snprintf(d, sizeof d, "  expected: %lld\n  actual:   %lld", (long long)expected,
                 (long long)actual);
        assert_failed(msg, d);
    }
}

void hale_test_assert_eq_str(hale_str actual, hale_str expected, hale_str msg) {
    if (!hale_str_eq(actual, expected)) {
        char d[512];
        snprintf(d, sizeof d, "  expected: \"%.*s\"\n  actual:   \"%.*s\"",
                 (int)(expected.len > 200 ? 200 : expected.len), expected.ptr,
                 (int)(actual.len > 200 ? 200 : actual.len), actual.ptr);
        assert_failed(msg, d);
    }
}
