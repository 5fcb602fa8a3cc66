/* See toml.h. A recursive-descent reader over a byte buffer. The document is validated as UTF-8
 * first, so every later step can treat bytes >= 0x80 as opaque string content. Nesting is capped
 * (CFG_MAX_DEPTH) so hostile input cannot exhaust the stack, and tables past a few members get a
 * hash index so neither duplicate checks nor lookups go quadratic. */
#include "toml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CFG_MAX_DEPTH 64
#define CFG_MAX_FILE (16u << 20)
#define INDEX_FROM 8 /* members before a table gets a hash index */

/* How a table came to exist: the rules for reopening it depend on it (TOML 1.0 section
 * "Table"): an implicit table may later get its own header once; a table made by dotted keys
 * or a header may not be defined again; an inline table is closed. */
enum { T_ROOT, T_IMPLICIT, T_HEADER, T_DOTTED, T_INLINE };

struct cfg_value {
    cfg_type type;
    int line;
    int key_line;
    unsigned char origin; /* tables: T_*; arrays: 1 when made by [[...]] */
    unsigned char sealed; /* inline tables, once closed */
    unsigned short depth;
    union {
        int64_t i;
        int b;
        struct {
            char *p;
            size_t len;
        } s;
        struct {
            cfg_value **items;
            size_t len, cap;
        } a;
        struct {
            char **keys;
            cfg_value **vals;
            size_t len, cap;
            uint32_t *index; /* open addressing, member index + 1, 0 = empty */
            size_t index_cap;
        } t;
    } u;
};

struct cfg_doc {
    char *name;
    cfg_value *root;
};

typedef struct {
    const cfg_doc *doc;
    const char *p, *end;
    int line;
    char *err;
    size_t errlen;
    int failed;
    cfg_value *cur; /* the table key/value lines go into */
} parser;

typedef struct {
    char *seg[CFG_MAX_DEPTH];
    size_t n;
    int line;
} keypath;

typedef struct {
    char *p;
    size_t len, cap;
} buf;

/* ---- errors ---------------------------------------------------------------------------- */

/* Every message is one line: the text it quotes from the file (a key with "\n" in its
 * quotes, say) has its control bytes written as escapes. */
static void vformat(const char *name, int line, char *err, size_t errlen, const char *fmt,
                    va_list ap) {
    if (!err || errlen == 0) {
        return;
    }
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    int n = snprintf(err, errlen, "%s:%d: ", name, line);
    size_t at = n < 0 ? 0 : (size_t)n;
    for (const char *p = msg; *p && at + 1 < errlen; p++) {
        unsigned char c = (unsigned char)*p;
        char esc[8];
        if (c >= 0x20 && c != 0x7f) {
            err[at++] = (char)c;
            continue;
        }
        snprintf(esc, sizeof esc,
                 c == '\n'   ? "\\n"
                 : c == '\r' ? "\\r"
                 : c == '\t' ? "\\t"
                             : "\\x%02x",
                 c);
        for (const char *e = esc; *e && at + 1 < errlen; e++) {
            err[at++] = *e;
        }
    }
    if (at < errlen) {
        err[at] = '\0';
    }
}

int cfg_errorf(const cfg_doc *doc, int line, char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vformat(doc ? doc->name : "?", line, err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

__attribute__((format(printf, 3, 4))) static int fail_at(parser *ps, int line, const char *fmt,
                                                         ...) {
    if (!ps->failed) {
        va_list ap;
        va_start(ap, fmt);
        vformat(ps->doc->name, line, ps->err, ps->errlen, fmt, ap);
        va_end(ap);
        ps->failed = 1;
    }
    return -1;
}

#define fail(ps, ...) fail_at((ps), (ps)->line, __VA_ARGS__)

/* A printable rendering of the byte at p for "found X" messages. */
static const char *show(const parser *ps, char *tmp, size_t n) {
    if (ps->p >= ps->end) {
        return "end of file";
    }
    unsigned char c = (unsigned char)*ps->p;
    if (c == '\n' || c == '\r') {
        return "end of line";
    }
    if (c < 0x20 || c == 0x7f) {
        snprintf(tmp, n, "control character 0x%02x", c);
    } else if (c >= 0x80) {
        return "a non-ASCII character";
    } else {
        snprintf(tmp, n, "'%c'", c);
    }
    return tmp;
}

/* ---- values ---------------------------------------------------------------------------- */

static void free_value(cfg_value *v) {
    if (!v) {
        return;
    }
    if (v->type == CFG_STRING) {
        free(v->u.s.p);
    } else if (v->type == CFG_ARRAY) {
        for (size_t i = 0; i < v->u.a.len; i++) {
            free_value(v->u.a.items[i]);
        }
        free(v->u.a.items);
    } else if (v->type == CFG_TABLE) {
        for (size_t i = 0; i < v->u.t.len; i++) {
            free(v->u.t.keys[i]);
            free_value(v->u.t.vals[i]);
        }
        free(v->u.t.keys);
        free(v->u.t.vals);
        free(v->u.t.index);
    }
    free(v);
}

static cfg_value *new_value(parser *ps, cfg_type type, int line, unsigned depth) {
    if (depth > CFG_MAX_DEPTH) {
        fail_at(ps, line, "nesting is deeper than %d levels", CFG_MAX_DEPTH);
        return NULL;
    }
    cfg_value *v = calloc(1, sizeof *v);
    if (!v) {
        fail_at(ps, line, "out of memory");
        return NULL;
    }
    v->type = type;
    v->line = v->key_line = line;
    v->depth = (unsigned short)depth;
    return v;
}

static uint32_t hash_key(const char *k) {
    uint32_t h = 2166136261u;
    for (; *k; k++) {
        h = (h ^ (unsigned char)*k) * 16777619u;
    }
    return h;
}

static void index_put(cfg_value *t, size_t member) {
    size_t mask = t->u.t.index_cap - 1;
    size_t at = hash_key(t->u.t.keys[member]) & mask;
    while (t->u.t.index[at]) {
        at = (at + 1) & mask;
    }
    t->u.t.index[at] = (uint32_t)(member + 1);
}

static int index_grow(cfg_value *t) {
    size_t cap = t->u.t.index_cap ? t->u.t.index_cap * 2 : 32;
    uint32_t *idx = calloc(cap, sizeof *idx);
    if (!idx) {
        return -1;
    }
    free(t->u.t.index);
    t->u.t.index = idx;
    t->u.t.index_cap = cap;
    for (size_t i = 0; i < t->u.t.len; i++) {
        index_put(t, i);
    }
    return 0;
}

static cfg_value *table_find(const cfg_value *t, const char *key) {
    if (t->u.t.index) {
        size_t mask = t->u.t.index_cap - 1;
        for (size_t at = hash_key(key) & mask; t->u.t.index[at]; at = (at + 1) & mask) {
            uint32_t m = t->u.t.index[at] - 1;
            if (strcmp(t->u.t.keys[m], key) == 0) {
                return t->u.t.vals[m];
            }
        }
        return NULL;
    }
    for (size_t i = 0; i < t->u.t.len; i++) {
        if (strcmp(t->u.t.keys[i], key) == 0) {
            return t->u.t.vals[i];
        }
    }
    return NULL;
}

/* Adds key -> v to table t; takes ownership of v (freed on failure). */
static int table_add(parser *ps, cfg_value *t, const char *key, cfg_value *v) {
    if (t->u.t.len == t->u.t.cap) {
        size_t cap = t->u.t.cap ? t->u.t.cap * 2 : 4;
        char **keys = realloc(t->u.t.keys, cap * sizeof *keys);
        if (keys) {
            t->u.t.keys = keys;
        }
        cfg_value **vals = keys ? realloc(t->u.t.vals, cap * sizeof *vals) : NULL;
        if (!vals) {
            free_value(v);
            return fail(ps, "out of memory");
        }
        t->u.t.vals = vals;
        t->u.t.cap = cap;
    }
    char *k = strdup(key);
    if (!k) {
        free_value(v);
        return fail(ps, "out of memory");
    }
    size_t m = t->u.t.len++;
    t->u.t.keys[m] = k;
    t->u.t.vals[m] = v;
    if (t->u.t.len >= INDEX_FROM) {
        if (t->u.t.len * 2 > t->u.t.index_cap) {
            if (index_grow(t) != 0) {
                return fail(ps, "out of memory");
            }
        } else {
            index_put(t, m);
        }
    }
    return 0;
}

static int array_add(parser *ps, cfg_value *a, cfg_value *v) {
    if (a->u.a.len == a->u.a.cap) {
        size_t cap = a->u.a.cap ? a->u.a.cap * 2 : 4;
        cfg_value **items = realloc(a->u.a.items, cap * sizeof *items);
        if (!items) {
            free_value(v);
            return fail(ps, "out of memory");
        }
        a->u.a.items = items;
        a->u.a.cap = cap;
    }
    a->u.a.items[a->u.a.len++] = v;
    return 0;
}

/* ---- lexical helpers ------------------------------------------------------------------- */

static int at(const parser *ps, char c) {
    return ps->p < ps->end && *ps->p == c;
}

static int is_bare(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/* Control characters TOML forbids in comments and strings (tab is allowed). */
static int is_forbidden(unsigned char c) {
    return (c < 0x20 && c != '\t') || c == 0x7f;
}

static void skip_ws(parser *ps) {
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t')) {
        ps->p++;
    }
}

/* Consumes one newline if there is one: 1 if consumed, 0 if none, -1 on a lone CR. */
static int eat_newline(parser *ps) {
    if (at(ps, '\n')) {
        ps->p++;
        ps->line++;
        return 1;
    }
    if (at(ps, '\r')) {
        if (ps->p + 1 < ps->end && ps->p[1] == '\n') {
            ps->p += 2;
            ps->line++;
            return 1;
        }
        return fail(ps, "carriage return without a line feed");
    }
    return 0;
}

static int skip_comment(parser *ps) {
    if (!at(ps, '#')) {
        return 0;
    }
    for (ps->p++; ps->p < ps->end && *ps->p != '\n'; ps->p++) {
        if (*ps->p == '\r' && ps->p + 1 < ps->end && ps->p[1] == '\n') {
            break;
        }
        if (is_forbidden((unsigned char)*ps->p)) {
            return fail(ps, "control character 0x%02x in a comment", (unsigned char)*ps->p);
        }
    }
    return 0;
}

/* Whitespace, newlines and comments, as allowed between array elements. */
static int skip_blank(parser *ps) {
    for (;;) {
        skip_ws(ps);
        if (skip_comment(ps) < 0) {
            return -1;
        }
        int nl = eat_newline(ps);
        if (nl < 0) {
            return -1;
        }
        if (nl == 0) {
            return 0;
        }
    }
}

static int buf_put(parser *ps, buf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 32;
        while (cap < b->len + n + 1) {
            cap *= 2;
        }
        char *p = realloc(b->p, cap);
        if (!p) {
            return fail(ps, "out of memory");
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

static int buf_utf8(parser *ps, buf *b, uint32_t cp) {
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        u[0] = (char)(0xf0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    return buf_put(ps, b, u, n);
}

/* ---- strings --------------------------------------------------------------------------- */

static int hexval(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* After a backslash (ps->p is on the escape letter). */
static int parse_escape(parser *ps, buf *b) {
    if (ps->p >= ps->end) {
        return fail(ps, "unterminated string");
    }
    char c = *ps->p++;
    const char *simple = "b\bt\tn\nf\fr\r\"\"\\\\";
    for (const char *s = simple; *s; s += 2) {
        if (c == s[0]) {
            return buf_put(ps, b, s + 1, 1);
        }
    }
    if (c != 'u' && c != 'U') {
        if (c > 0x20 && c < 0x7f) {
            return fail(ps, "invalid escape '\\%c' in a string", c);
        }
        return fail(ps, "invalid escape in a string (a lone backslash)");
    }
    int digits = c == 'u' ? 4 : 8;
    uint32_t cp = 0;
    for (int i = 0; i < digits; i++) {
        int h = ps->p < ps->end ? hexval(*ps->p) : -1;
        if (h < 0) {
            return fail(ps, "\\%c needs %d hex digits", c, digits);
        }
        cp = cp * 16 + (uint32_t)h;
        ps->p++;
    }
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return fail(ps, "\\%c%0*X is not a Unicode scalar value", c, digits, cp);
    }
    if (cp == 0) {
        return fail(ps, "NUL characters are not allowed in strings");
    }
    return buf_utf8(ps, b, cp);
}

/* A line-ending backslash in a """ string: skips whitespace and newlines up to the next
 * non-blank. Returns 1 if it was one, 0 if the backslash starts an ordinary escape. */
static int line_continuation(parser *ps) {
    const char *q = ps->p;
    while (q < ps->end && (*q == ' ' || *q == '\t')) {
        q++;
    }
    if (q >= ps->end || (*q != '\n' && *q != '\r')) {
        return 0;
    }
    ps->p = q;
    for (;;) {
        skip_ws(ps);
        int nl = eat_newline(ps);
        if (nl <= 0) {
            return nl < 0 ? -1 : 1;
        }
    }
}

/* ps->p is just past the opening delimiter (1 or 3 quote characters q). */
static int parse_string_body(parser *ps, buf *b, char q, int multi, int open_line) {
    for (;;) {
        if (ps->p >= ps->end) {
            return fail_at(ps, open_line, "unterminated string");
        }
        unsigned char c = (unsigned char)*ps->p;
        if (c == (unsigned char)q) {
            size_t run = 0;
            while (ps->p + run < ps->end && ps->p[run] == q) {
                run++;
            }
            if (!multi) {
                ps->p++;
                return 0;
            }
            if (run >= 3) {
                if (run > 5) {
                    return fail(ps, "too many quotes closing a multi-line string");
                }
                ps->p += run;
                return buf_put(ps, b, ps->p - run, run - 3);
            }
            ps->p += run;
            if (buf_put(ps, b, ps->p - run, run) < 0) {
                return -1;
            }
        } else if (c == '\\' && q == '"') {
            ps->p++;
            int cont = multi ? line_continuation(ps) : 0;
            if (cont < 0 || (cont == 0 && parse_escape(ps, b) < 0)) {
                return -1;
            }
        } else if (c == '\n' || c == '\r') {
            if (!multi) {
                return fail(ps, "unterminated string (strings end on the line they start; "
                                "use \"\"\" for several lines)");
            }
            if (eat_newline(ps) < 0 || buf_put(ps, b, "\n", 1) < 0) {
                return -1;
            }
        } else if (is_forbidden(c)) {
            return fail(ps, "control character 0x%02x in a string (escape it)", c);
        } else {
            const char *s = ps->p++;
            while (ps->p < ps->end && *ps->p != q && (*ps->p != '\\' || q != '"') &&
                   !is_forbidden((unsigned char)*ps->p)) {
                ps->p++;
            }
            if (buf_put(ps, b, s, (size_t)(ps->p - s)) < 0) {
                return -1;
            }
        }
    }
}

/* ps->p is on the opening quote. */
static int parse_string(parser *ps, buf *b, int allow_multi) {
    char q = *ps->p;
    int open_line = ps->line;
    int multi = ps->end - ps->p >= 3 && ps->p[1] == q && ps->p[2] == q;
    if (multi && !allow_multi) {
        return fail(ps, "a key cannot be a multi-line string");
    }
    ps->p += multi ? 3 : 1;
    if (buf_put(ps, b, "", 0) < 0) {
        return -1;
    }
    if (multi && eat_newline(ps) < 0) {
        return -1;
    }
    return parse_string_body(ps, b, q, multi, open_line);
}

/* ---- keys ------------------------------------------------------------------------------ */

static void keypath_free(keypath *k) {
    for (size_t i = 0; i < k->n; i++) {
        free(k->seg[i]);
    }
    k->n = 0;
}

static int parse_key_segment(parser *ps, keypath *k) {
    if (k->n == CFG_MAX_DEPTH) {
        return fail(ps, "key has more than %d parts", CFG_MAX_DEPTH);
    }
    buf b = {0};
    if (at(ps, '"') || at(ps, '\'')) {
        if (parse_string(ps, &b, 0) < 0) {
            free(b.p);
            return -1;
        }
    } else {
        const char *s = ps->p;
        while (ps->p < ps->end && is_bare(*ps->p)) {
            ps->p++;
        }
        if (ps->p == s) {
            char tmp[40];
            return fail(ps, "expected a key, found %s", show(ps, tmp, sizeof tmp));
        }
        if (buf_put(ps, &b, s, (size_t)(ps->p - s)) < 0) {
            free(b.p);
            return -1;
        }
    }
    k->seg[k->n++] = b.p;
    return 0;
}

/* key = simple-key *( ws "." ws simple-key ) */
static int parse_key(parser *ps, keypath *k) {
    k->n = 0;
    k->line = ps->line;
    for (;;) {
        if (parse_key_segment(ps, k) < 0) {
            return -1;
        }
        skip_ws(ps);
        if (!at(ps, '.')) {
            return 0;
        }
        ps->p++;
        skip_ws(ps);
    }
}

/* Renders the first n parts of a key for messages: a.b."c d" */
static const char *key_text(const keypath *k, size_t n, char *out, size_t outlen) {
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used < outlen; i++) {
        const char *s = k->seg[i];
        int bare = *s != '\0';
        for (const char *c = s; *c; c++) {
            bare = bare && is_bare(*c);
        }
        int w = snprintf(out + used, outlen - used, bare ? "%s%s" : "%s\"%s\"", i ? "." : "", s);
        if (w < 0) {
            break;
        }
        used += (size_t)w;
    }
    return out;
}

/* ---- scalars, arrays, inline tables ---------------------------------------------------- */

static cfg_value *parse_value(parser *ps, unsigned depth);
static int keyval(parser *ps, cfg_value *table);

/* Parses an integer token; 0 ok, -1 malformed, -2 out of range. */
static int int_token(const char *t, size_t n, int64_t *out) {
    size_t i = 0;
    int neg = 0, base = 10;
    if (n > 0 && (t[0] == '+' || t[0] == '-')) {
        neg = t[0] == '-';
        i = 1;
    }
    if (n - i > 2 && t[i] == '0' && (t[i + 1] == 'x' || t[i + 1] == 'o' || t[i + 1] == 'b')) {
        if (i) {
            return -1; /* no sign on prefixed integers */
        }
        base = t[1] == 'x' ? 16 : t[1] == 'o' ? 8 : 2;
        i = 2;
    } else if (n - i > 1 && t[i] == '0') {
        return -1; /* leading zero */
    }
    if (i >= n) {
        return -1;
    }
    uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    int prev_digit = 0;
    for (; i < n; i++) {
        if (t[i] == '_') {
            if (!prev_digit || i + 1 >= n) {
                return -1;
            }
            prev_digit = 0;
            continue;
        }
        int d = hexval(t[i]);
        if (d < 0 || d >= base) {
            return -1;
        }
        if (v > (limit - (uint64_t)d) / (uint64_t)base) {
            return -2;
        }
        v = v * (uint64_t)base + (uint64_t)d;
        prev_digit = 1;
    }
    if (!prev_digit) {
        return -1;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

static int has_any(const char *t, size_t n, const char *chars) {
    for (size_t i = 0; i < n; i++) {
        if (strchr(chars, t[i])) {
            return 1;
        }
    }
    return 0;
}

static int is_digit(char c) {
    return c >= '0' && c <= '9';
}

/* 1979-05-27..., 07:32:00...: dates and times, which our files do not use. */
static int is_date(const char *t, size_t n) {
    return (n >= 5 && is_digit(t[0]) && is_digit(t[1]) && is_digit(t[2]) && is_digit(t[3]) &&
            t[4] == '-') ||
           (n >= 3 && is_digit(t[0]) && is_digit(t[1]) && t[2] == ':');
}

/* 1.5, 1e3, inf, -nan: floats, which our files do not use. */
static int is_float(const char *t, size_t n) {
    size_t i = n > 0 && (t[0] == '+' || t[0] == '-');
    if (n - i == 3 && (memcmp(t + i, "inf", 3) == 0 || memcmp(t + i, "nan", 3) == 0)) {
        return 1;
    }
    int prefixed =
        n - i > 1 && t[i] == '0' && (t[i + 1] == 'x' || t[i + 1] == 'o' || t[i + 1] == 'b');
    return i < n && is_digit(t[i]) && !prefixed && has_any(t, n, ".eE");
}

static cfg_value *parse_scalar(parser *ps, unsigned depth) {
    const char *t = ps->p;
    while (ps->p < ps->end && !strchr(" \t\r\n,]}#=[{\"'", *ps->p) &&
           !is_forbidden((unsigned char)*ps->p)) {
        ps->p++;
    }
    size_t n = (size_t)(ps->p - t);
    if (n == 0) {
        char tmp[40];
        fail(ps, "expected a value, found %s", show(ps, tmp, sizeof tmp));
        return NULL;
    }
    int shown = n > 40 ? 40 : (int)n;
    cfg_value *v = NULL;
    int64_t i = 0;
    int rc;
    if ((n == 4 && memcmp(t, "true", 4) == 0) || (n == 5 && memcmp(t, "false", 5) == 0)) {
        if ((v = new_value(ps, CFG_BOOL, ps->line, depth))) {
            v->u.b = n == 4;
        }
    } else if ((rc = int_token(t, n, &i)) == 0) {
        if ((v = new_value(ps, CFG_INT, ps->line, depth))) {
            v->u.i = i;
        }
    } else if (rc == -2) {
        fail(ps, "integer '%.*s' is out of range", shown, t);
    } else if (is_date(t, n)) {
        fail(ps, "dates and times are not supported; write '%.*s' as a string", shown, t);
    } else if (is_float(t, n)) {
        fail(ps, "floating-point numbers are not supported ('%.*s')", shown, t);
    } else if (is_digit(t[0]) || t[0] == '+' || t[0] == '-') {
        fail(ps, "invalid integer '%.*s'", shown, t);
    } else {
        fail(ps, "expected a value, found '%.*s' (strings need quotes)", shown, t);
    }
    return v;
}

static cfg_value *parse_array(parser *ps, unsigned depth) {
    cfg_value *a = new_value(ps, CFG_ARRAY, ps->line, depth);
    if (!a) {
        return NULL;
    }
    ps->p++; /* [ */
    for (;;) {
        if (skip_blank(ps) < 0) {
            break;
        }
        if (at(ps, ']')) {
            ps->p++;
            return a;
        }
        cfg_value *item = parse_value(ps, depth + 1);
        if (!item || array_add(ps, a, item) < 0 || skip_blank(ps) < 0) {
            break;
        }
        if (at(ps, ',')) {
            ps->p++;
        } else if (at(ps, ']')) {
            ps->p++;
            return a;
        } else {
            char tmp[40];
            fail(ps, "expected ',' or ']' in the array opened on line %d, found %s", a->line,
                 show(ps, tmp, sizeof tmp));
            break;
        }
    }
    free_value(a);
    return NULL;
}

static cfg_value *parse_inline_table(parser *ps, unsigned depth) {
    cfg_value *t = new_value(ps, CFG_TABLE, ps->line, depth);
    if (!t) {
        return NULL;
    }
    t->origin = T_INLINE;
    ps->p++; /* { */
    skip_ws(ps);
    if (at(ps, '}')) {
        ps->p++;
        t->sealed = 1;
        return t;
    }
    for (;;) {
        skip_ws(ps);
        if (ps->p >= ps->end || at(ps, '\n') || at(ps, '\r')) {
            fail(ps, "inline table opened on line %d must close with '}' on the same line",
                 t->line);
            break;
        }
        if (keyval(ps, t) < 0) {
            break;
        }
        skip_ws(ps);
        if (at(ps, '}')) {
            ps->p++;
            t->sealed = 1;
            return t;
        }
        if (!at(ps, ',')) {
            char tmp[40];
            if (at(ps, '\n') || at(ps, '\r') || ps->p >= ps->end) {
                fail(ps, "inline table opened on line %d must close with '}' on the same line",
                     t->line);
            } else {
                fail(ps, "expected ',' or '}' in an inline table, found %s",
                     show(ps, tmp, sizeof tmp));
            }
            break;
        }
        ps->p++;
        skip_ws(ps);
        if (at(ps, '}')) {
            fail(ps, "trailing comma in an inline table");
            break;
        }
    }
    free_value(t);
    return NULL;
}

static cfg_value *parse_value(parser *ps, unsigned depth) {
    if (at(ps, '"') || at(ps, '\'')) {
        int line = ps->line;
        buf b = {0};
        if (parse_string(ps, &b, 1) < 0) {
            free(b.p);
            return NULL;
        }
        cfg_value *v = new_value(ps, CFG_STRING, line, depth);
        if (!v) {
            free(b.p);
            return NULL;
        }
        v->u.s.p = b.p;
        v->u.s.len = b.len;
        return v;
    }
    if (at(ps, '[')) {
        return parse_array(ps, depth);
    }
    if (at(ps, '{')) {
        return parse_inline_table(ps, depth);
    }
    return parse_scalar(ps, depth);
}

/* ---- key/value lines and headers ------------------------------------------------------- */

static const char *what(const cfg_value *v) {
    if (v->type == CFG_TABLE) {
        return v->origin == T_INLINE ? "an inline table" : "a table";
    }
    if (v->type == CFG_ARRAY) {
        return v->origin ? "an array of tables" : "an array";
    }
    return cfg_type_name(v->type);
}

/* key = value, into `table` (the current [table] or an inline table being read). */
static int keyval(parser *ps, cfg_value *table) {
    keypath k;
    char kt[256];
    if (parse_key(ps, &k) < 0) {
        keypath_free(&k);
        return -1;
    }
    cfg_value *t = table;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i + 1 < k.n; i++) {
        cfg_value *m = table_find(t, k.seg[i]);
        if (!m) {
            m = new_value(ps, CFG_TABLE, k.line, t->depth + 1u);
            if (!m) {
                rc = -1;
                break;
            }
            m->origin = T_DOTTED;
            rc = table_add(ps, t, k.seg[i], m);
        } else if (m->type != CFG_TABLE || m->origin != T_DOTTED || m->sealed) {
            rc = fail_at(ps, k.line, "cannot add to '%s': it is already %s (line %d)",
                         key_text(&k, i + 1, kt, sizeof kt), what(m), m->key_line);
        }
        t = m;
    }
    cfg_value *old = rc == 0 ? table_find(t, k.seg[k.n - 1]) : NULL;
    if (old) {
        rc = fail_at(ps, k.line, "duplicate key '%s' (first set on line %d)",
                     key_text(&k, k.n, kt, sizeof kt), old->key_line);
    }
    if (rc == 0) {
        skip_ws(ps);
        if (!at(ps, '=')) {
            char tmp[40];
            rc = fail(ps, "expected '=' after key '%s', found %s", key_text(&k, k.n, kt, sizeof kt),
                      show(ps, tmp, sizeof tmp));
        }
    }
    if (rc == 0) {
        ps->p++;
        skip_ws(ps);
        cfg_value *v = parse_value(ps, t->depth + 1u);
        if (!v) {
            rc = -1;
        } else {
            v->key_line = k.line;
            rc = table_add(ps, t, k.seg[k.n - 1], v);
        }
    }
    keypath_free(&k);
    return rc;
}

/* Walks a header's leading parts from the root, creating implicit tables. */
static cfg_value *header_walk(parser *ps, const keypath *k) {
    cfg_value *t = ps->doc->root;
    char kt[256];
    for (size_t i = 0; i + 1 < k->n; i++) {
        cfg_value *m = table_find(t, k->seg[i]);
        if (!m) {
            m = new_value(ps, CFG_TABLE, k->line, t->depth + 1u);
            if (!m || table_add(ps, t, k->seg[i], m) < 0) {
                return NULL;
            }
            m->origin = T_IMPLICIT;
        } else if (m->type == CFG_ARRAY && m->origin && m->u.a.len > 0) {
            m = m->u.a.items[m->u.a.len - 1];
        } else if (m->type != CFG_TABLE || m->sealed) {
            fail_at(ps, k->line, "'%s' is already %s (line %d), not a table",
                    key_text(k, i + 1, kt, sizeof kt), what(m), m->key_line);
            return NULL;
        }
        t = m;
    }
    return t;
}

static cfg_value *header_table(parser *ps, const keypath *k, cfg_value *parent) {
    const char *last = k->seg[k->n - 1];
    char kt[256];
    key_text(k, k->n, kt, sizeof kt);
    cfg_value *m = table_find(parent, last);
    if (!m) {
        m = new_value(ps, CFG_TABLE, k->line, parent->depth + 1u);
        if (!m || table_add(ps, parent, last, m) < 0) {
            return NULL;
        }
        m->origin = T_HEADER;
        return m;
    }
    if (m->type == CFG_TABLE && m->origin == T_IMPLICIT) {
        m->origin = T_HEADER;
        m->line = m->key_line = k->line;
        return m;
    }
    if (m->type == CFG_TABLE && m->origin == T_HEADER) {
        fail_at(ps, k->line, "table [%s] is defined twice (first on line %d)", kt, m->line);
    } else if (m->type == CFG_TABLE && m->origin == T_DOTTED) {
        fail_at(ps, k->line, "table [%s] was already defined by dotted keys on line %d", kt,
                m->key_line);
    } else {
        fail_at(ps, k->line, "cannot define table [%s]: it is already %s (line %d)", kt, what(m),
                m->key_line);
    }
    return NULL;
}

static cfg_value *header_array(parser *ps, const keypath *k, cfg_value *parent) {
    const char *last = k->seg[k->n - 1];
    char kt[256];
    cfg_value *a = table_find(parent, last);
    if (!a) {
        a = new_value(ps, CFG_ARRAY, k->line, parent->depth + 1u);
        if (!a || table_add(ps, parent, last, a) < 0) {
            return NULL;
        }
        a->origin = 1;
    } else if (a->type != CFG_ARRAY || !a->origin) {
        fail_at(ps, k->line, "cannot define [[%s]]: it is already %s (line %d)",
                key_text(k, k->n, kt, sizeof kt), what(a), a->key_line);
        return NULL;
    }
    cfg_value *t = new_value(ps, CFG_TABLE, k->line, a->depth + 1u);
    if (!t || array_add(ps, a, t) < 0) {
        return NULL;
    }
    t->origin = T_HEADER;
    return t;
}

/* [a.b] or [[a.b]]; ps->p is on the first '['. */
static int header(parser *ps) {
    int aot = ps->end - ps->p >= 2 && ps->p[1] == '[';
    ps->p += aot ? 2 : 1;
    skip_ws(ps);
    keypath k;
    if (parse_key(ps, &k) < 0) {
        keypath_free(&k);
        return -1;
    }
    skip_ws(ps);
    int closed = at(ps, ']') && (!aot || (ps->end - ps->p >= 2 && ps->p[1] == ']'));
    cfg_value *t = NULL;
    if (!closed) {
        char tmp[40];
        fail(ps, "expected '%s' to close the table header, found %s", aot ? "]]" : "]",
             show(ps, tmp, sizeof tmp));
    } else {
        ps->p += aot ? 2 : 1;
        cfg_value *parent = header_walk(ps, &k);
        t = !parent ? NULL : aot ? header_array(ps, &k, parent) : header_table(ps, &k, parent);
    }
    keypath_free(&k);
    if (!t) {
        return -1;
    }
    ps->cur = t;
    return 0;
}

/* ---- document -------------------------------------------------------------------------- */

/* Returns the line of the first byte that is not valid UTF-8, or 0 when all is well. */
static int bad_utf8_line(const unsigned char *s, size_t n) {
    int line = 1;
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c < 0x80) {
            line += c == '\n';
            i++;
            continue;
        }
        size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
        if (len == 0 || c > 0xf4 || i + len > n) {
            return line;
        }
        uint32_t cp = c & (0x7f >> len);
        for (size_t j = 1; j < len; j++) {
            if ((s[i + j] & 0xc0) != 0x80) {
                return line;
            }
            cp = (cp << 6) | (s[i + j] & 0x3f);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10ffff))) {
            return line;
        }
        i += len;
    }
    return 0;
}

static int parse_line(parser *ps) {
    skip_ws(ps);
    if (at(ps, '[')) {
        if (header(ps) < 0) {
            return -1;
        }
    } else if (ps->p < ps->end && !at(ps, '#') && !at(ps, '\n') && !at(ps, '\r')) {
        if (keyval(ps, ps->cur) < 0) {
            return -1;
        }
    }
    skip_ws(ps);
    if (skip_comment(ps) < 0) {
        return -1;
    }
    int nl = eat_newline(ps);
    if (nl < 0) {
        return -1;
    }
    if (nl == 0 && ps->p < ps->end) {
        char tmp[40];
        return fail(ps, "expected the end of the line, found %s", show(ps, tmp, sizeof tmp));
    }
    return 0;
}

cfg_doc *cfg_parse(const char *name, const char *text, size_t len, char *err, size_t errlen) {
    cfg_doc *doc = calloc(1, sizeof *doc);
    if (!doc || !(doc->name = strdup(name ? name : "<input>"))) {
        free(doc);
        if (err && errlen) {
            snprintf(err, errlen, "%s: out of memory", name ? name : "<input>");
        }
        return NULL;
    }
    parser ps = {.doc = doc, .p = text, .end = text + len, .line = 1, .err = err, .errlen = errlen};
    int bad = bad_utf8_line((const unsigned char *)text, len);
    if (bad) {
        fail_at(&ps, bad, "invalid UTF-8");
    } else if ((doc->root = new_value(&ps, CFG_TABLE, 1, 0))) {
        doc->root->origin = T_ROOT;
        ps.cur = doc->root;
        if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
            ps.p += 3;
        }
        while (ps.p < ps.end && parse_line(&ps) == 0) {
        }
    }
    if (ps.failed) {
        cfg_free(doc);
        return NULL;
    }
    return doc;
}

cfg_doc *cfg_parse_file(const char *path, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0) {
        if (err && errlen) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        }
        if (f) {
            fclose(f);
        }
        return NULL;
    }
    if (!S_ISREG(st.st_mode) || st.st_size > (off_t)CFG_MAX_FILE) {
        if (err && errlen) {
            snprintf(err, errlen, "%s: %s", path,
                     S_ISREG(st.st_mode) ? "file is larger than 16 MiB" : "not a regular file");
        }
        fclose(f);
        return NULL;
    }
    size_t size = (size_t)st.st_size;
    char *text = malloc(size ? size : 1);
    size_t got = text ? fread(text, 1, size, f) : 0;
    int read_err = ferror(f);
    fclose(f);
    if (!text || got != size || read_err) {
        if (err && errlen) {
            snprintf(err, errlen, "%s: %s", path, text ? "read error" : "out of memory");
        }
        free(text);
        return NULL;
    }
    cfg_doc *doc = cfg_parse(path, text, size, err, errlen);
    free(text);
    return doc;
}

void cfg_free(cfg_doc *doc) {
    if (doc) {
        free_value(doc->root);
        free(doc->name);
        free(doc);
    }
}

/* ---- read access ----------------------------------------------------------------------- */

const cfg_value *cfg_root(const cfg_doc *doc) {
    return doc->root;
}

const char *cfg_name(const cfg_doc *doc) {
    return doc->name;
}

cfg_type cfg_type_of(const cfg_value *v) {
    return v->type;
}

const char *cfg_type_name(cfg_type t) {
    switch (t) {
    case CFG_STRING:
        return "a string";
    case CFG_INT:
        return "an integer";
    case CFG_BOOL:
        return "a boolean";
    case CFG_ARRAY:
        return "an array";
    case CFG_TABLE:
        return "a table";
    }
    return "a value";
}

int cfg_line(const cfg_value *v) {
    return v->line;
}

int cfg_key_line(const cfg_value *v) {
    return v->key_line;
}

const char *cfg_str(const cfg_value *v) {
    return v && v->type == CFG_STRING ? v->u.s.p : NULL;
}

size_t cfg_str_len(const cfg_value *v) {
    return v && v->type == CFG_STRING ? v->u.s.len : 0;
}

int64_t cfg_int(const cfg_value *v) {
    return v && v->type == CFG_INT ? v->u.i : 0;
}

int cfg_bool(const cfg_value *v) {
    return v && v->type == CFG_BOOL ? v->u.b : 0;
}

size_t cfg_len(const cfg_value *v) {
    if (!v) {
        return 0;
    }
    return v->type == CFG_ARRAY ? v->u.a.len : v->type == CFG_TABLE ? v->u.t.len : 0;
}

const cfg_value *cfg_at(const cfg_value *v, size_t i) {
    if (!v || i >= cfg_len(v)) {
        return NULL;
    }
    return v->type == CFG_ARRAY ? v->u.a.items[i] : v->u.t.vals[i];
}

const char *cfg_key_at(const cfg_value *table, size_t i) {
    if (!table || table->type != CFG_TABLE || i >= table->u.t.len) {
        return NULL;
    }
    return table->u.t.keys[i];
}

const cfg_value *cfg_get(const cfg_value *table, const char *key) {
    if (!table || table->type != CFG_TABLE) {
        return NULL;
    }
    return table_find(table, key);
}
