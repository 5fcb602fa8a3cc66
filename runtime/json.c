/* See json.h. The builder writes straight into its BytesBuilder; the parser is a recursive
 * descent over the input with a byte stack on which array elements and object members collect
 * until their closing bracket, then move into one exact-size array in the region. */
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

/* ---- builder ---- */

void hale_json_builder_init(hale_json_builder *b, hale_region *r) {
    hale_bytes_builder_init(&b->out, r, 0);
    b->depth = 0;
    b->root_done = false;
    b->error = NULL;
}

void hale_json_builder_destroy(hale_json_builder *b) {
    hale_bytes_builder_destroy(&b->out);
}

void hale_json_builder_reset(hale_json_builder *b) {
    hale_bytes_builder_clear(&b->out);
    b->depth = 0;
    b->root_done = false;
    b->error = NULL;
}

static void misuse(hale_json_builder *b, const char *what) {
    if (!b->error) {
        b->error = what;
    }
}

static inline void put(hale_json_builder *b, char c) {
    hale_bytes_builder_append_byte(&b->out, (uint8_t)c);
}

static inline bool must_escape(unsigned char c) {
    return c < 0x20 || c == '"' || c == '\\';
}

static void write_string(hale_json_builder *b, hale_str s) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s.ptr;
    int64_t n = s.len > 0 ? s.len : 0;
    /* worst case every byte becomes \u00XX */
    uint8_t *o = hale_bytes_builder_reserve(&b->out, n + 2);
    int64_t i = 0, w = 0;
    o[w++] = '"';
    while (i < n) {
        int64_t start = i;
        while (i < n && !must_escape(p[i])) {
            i++;
        }
        memcpy(o + w, p + start, (size_t)(i - start));
        w += i - start;
        if (i == n) {
            break;
        }
        hale_bytes_builder_commit(&b->out, w);
        unsigned char c = p[i++];
        char esc[6] = {'\\', 0};
        int len = 2;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            len = 6;
        }
        hale_bytes_builder_append_raw(&b->out, esc, len);
        o = hale_bytes_builder_reserve(&b->out, n - i + 1);
        w = 0;
    }
    o[w++] = '"';
    hale_bytes_builder_commit(&b->out, w);
}

/* Separator and bookkeeping before a bare value (top level or in an array). */
static bool before_value(hale_json_builder *b) {
    if (b->depth == 0) {
        if (b->root_done) {
            misuse(b, "a second top-level value");
            return false;
        }
        b->root_done = true;
        return true;
    }
    char *top = &b->scopes[b->depth - 1];
    if (*top == 'o' || *top == 'O') {
        misuse(b, "a value inside an object needs a field name");
        return false;
    }
    if (*top == 'A') {
        put(b, ',');
    }
    *top = 'A';
    return true;
}

static bool before_field(hale_json_builder *b, hale_str name) {
    char *top = b->depth ? &b->scopes[b->depth - 1] : NULL;
    if (!top || *top == 'a' || *top == 'A') {
        misuse(b, "a field outside an object");
        return false;
    }
    if (*top == 'O') {
        put(b, ',');
    }
    *top = 'O';
    write_string(b, name);
    put(b, ':');
    return true;
}

static void open_scope(hale_json_builder *b, char kind) {
    if (b->depth == HALE_JSON_MAX_DEPTH) {
        misuse(b, "nesting deeper than the builder's limit");
        return;
    }
    b->scopes[b->depth++] = kind;
    put(b, kind == 'o' ? '{' : '[');
}

static void close_scope(hale_json_builder *b, char kind) {
    char top = b->depth ? b->scopes[b->depth - 1] : 0;
    if (top != kind && top != kind - 32) {
        misuse(b, kind == 'o' ? "end_object without a matching begin_object"
                              : "end_array without a matching begin_array");
        return;
    }
    b->depth--;
    put(b, kind == 'o' ? '}' : ']');
}

void hale_json_builder_begin_object(hale_json_builder *b) {
    if (before_value(b)) {
        open_scope(b, 'o');
    }
}

void hale_json_builder_end_object(hale_json_builder *b) {
    close_scope(b, 'o');
}

void hale_json_builder_begin_array(hale_json_builder *b) {
    if (before_value(b)) {
        open_scope(b, 'a');
    }
}

void hale_json_builder_end_array(hale_json_builder *b) {
    close_scope(b, 'a');
}

void hale_json_builder_begin_object_field(hale_json_builder *b, hale_str name) {
    if (before_field(b, name)) {
        open_scope(b, 'o');
    }
}

void hale_json_builder_begin_array_field(hale_json_builder *b, hale_str name) {
    if (before_field(b, name)) {
        open_scope(b, 'a');
    }
}

static void write_int(hale_json_builder *b, int64_t v) {
    char buf[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        buf[sizeof buf - 1 - n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) {
        buf[sizeof buf - 1 - n++] = '-';
    }
    hale_bytes_builder_append_raw(&b->out, buf + sizeof buf - n, n);
}

/* The shortest of %.15g/%.16g/%.17g that reads back as the same double, always spelled as a
 * float (so -0.0 and 3.0 keep their kind through a parse). */
/* Fast path for values with at most six decimals (prices, scores, ratios): d / 10^6 computed in
 * doubles is the correctly rounded value of that decimal, exactly what a reader's strtod gives,
 * so when it equals v the decimal reads back as v. Returns false when v needs the slow path. */
static bool write_short_decimal(hale_json_builder *b, double v) {
    if (!(v < 1e9 && v > -1e9)) {
        return false;
    }
    double scaled = v * 1e6;
    long long d = (long long)(scaled < 0 ? scaled - 0.5 : scaled + 0.5);
    if ((double)d / 1e6 != v || (d == 0 && signbit(v))) {
        return false;
    }
    char buf[32];
    unsigned long long u = d < 0 ? 0ULL - (unsigned long long)d : (unsigned long long)d;
    unsigned long long ip = u / 1000000, fp = u % 1000000;
    char rev[12];
    int k = 0, n = 0;
    do {
        rev[k++] = (char)('0' + ip % 10);
        ip /= 10;
    } while (ip);
    if (d < 0) {
        buf[n++] = '-';
    }
    while (k) {
        buf[n++] = rev[--k];
    }
    buf[n++] = '.';
    int digits = 6;
    while (digits > 1 && fp % 10 == 0) {
        fp /= 10;
        digits--;
    }
    for (int i = digits - 1; i >= 0; i--) {
        buf[n + i] = (char)('0' + fp % 10);
        fp /= 10;
    }
    hale_bytes_builder_append_raw(&b->out, buf, n + digits);
    return true;
}

static void write_float(hale_json_builder *b, double v) {
    if (!isfinite(v)) {
        hale_bytes_builder_append_raw(&b->out, "null", 4);
        return;
    }
    if (write_short_decimal(b, v)) {
        return;
    }
    char buf[40];
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) {
            break;
        }
    }
    if (!strpbrk(buf, ".eE")) {
        memcpy(buf + n, ".0", 2); /* keep it a float when read back: 3.0, not 3 */
        n += 2;
    }
    hale_bytes_builder_append_raw(&b->out, buf, n);
}

void hale_json_builder_string_value(hale_json_builder *b, hale_str v) {
    if (before_value(b)) {
        write_string(b, v);
    }
}

void hale_json_builder_int_value(hale_json_builder *b, int64_t v) {
    if (before_value(b)) {
        write_int(b, v);
    }
}

void hale_json_builder_float_value(hale_json_builder *b, double v) {
    if (before_value(b)) {
        write_float(b, v);
    }
}

void hale_json_builder_bool_value(hale_json_builder *b, bool v) {
    if (before_value(b)) {
        hale_bytes_builder_append_raw(&b->out, v ? "true" : "false", v ? 4 : 5);
    }
}

void hale_json_builder_null_value(hale_json_builder *b) {
    if (before_value(b)) {
        hale_bytes_builder_append_raw(&b->out, "null", 4);
    }
}

void hale_json_builder_string_field(hale_json_builder *b, hale_str name, hale_str v) {
    if (before_field(b, name)) {
        write_string(b, v);
    }
}

void hale_json_builder_int_field(hale_json_builder *b, hale_str name, int64_t v) {
    if (before_field(b, name)) {
        write_int(b, v);
    }
}

void hale_json_builder_float_field(hale_json_builder *b, hale_str name, double v) {
    if (before_field(b, name)) {
        write_float(b, v);
    }
}

void hale_json_builder_bool_field(hale_json_builder *b, hale_str name, bool v) {
    if (before_field(b, name)) {
        hale_bytes_builder_append_raw(&b->out, v ? "true" : "false", v ? 4 : 5);
    }
}

void hale_json_builder_null_field(hale_json_builder *b, hale_str name) {
    if (before_field(b, name)) {
        hale_bytes_builder_append_raw(&b->out, "null", 4);
    }
}

hale_str hale_json_builder_result(const hale_json_builder *b, hale_region *into) {
    return hale_str_from_bytes(hale_bytes_builder_finish(&b->out, into));
}

hale_str hale_json_builder_view(const hale_json_builder *b) {
    return hale_bytes_builder_text_view(&b->out);
}

const char *hale_json_builder_error(const hale_json_builder *b) {
    if (b->error) {
        return b->error;
    }
    if (b->depth > 0) {
        return "unclosed scope";
    }
    return NULL;
}

/* Writes `v` with the value/field entry points, so the builder's checks apply. */
static void write_tree(hale_json_builder *b, const hale_str *name, const hale_json *v) {
    switch (v->kind) {
    case HALE_JSON_NULL:
        name ? hale_json_builder_null_field(b, *name) : hale_json_builder_null_value(b);
        return;
    case HALE_JSON_BOOL:
        name ? hale_json_builder_bool_field(b, *name, v->u.b)
             : hale_json_builder_bool_value(b, v->u.b);
        return;
    case HALE_JSON_INT:
        name ? hale_json_builder_int_field(b, *name, v->u.i)
             : hale_json_builder_int_value(b, v->u.i);
        return;
    case HALE_JSON_FLOAT:
        name ? hale_json_builder_float_field(b, *name, v->u.f)
             : hale_json_builder_float_value(b, v->u.f);
        return;
    case HALE_JSON_STRING:
        name ? hale_json_builder_string_field(b, *name, v->u.s)
             : hale_json_builder_string_value(b, v->u.s);
        return;
    case HALE_JSON_ARRAY:
        name ? hale_json_builder_begin_array_field(b, *name) : hale_json_builder_begin_array(b);
        for (int64_t i = 0; i < v->u.arr.len; i++) {
            write_tree(b, NULL, &v->u.arr.items[i]);
        }
        hale_json_builder_end_array(b);
        return;
    case HALE_JSON_OBJECT:
        name ? hale_json_builder_begin_object_field(b, *name) : hale_json_builder_begin_object(b);
        for (int64_t i = 0; i < v->u.obj.len; i++) {
            write_tree(b, &v->u.obj.members[i].key, &v->u.obj.members[i].value);
        }
        hale_json_builder_end_object(b);
        return;
    }
}

void hale_json_builder_write(hale_json_builder *b, const hale_json *v) {
    write_tree(b, NULL, v);
}

/* ---- parser ---- */

typedef struct {
    const char *p;
    const char *start;
    const char *end;
    hale_region *r;
    hale_json_error *err;
    bool failed;
    int depth;
    char *stack; /* elements and members collecting for the open arrays/objects */
    size_t top;
    size_t cap;
    bool stack_on_block;
} parser;

static void fail(parser *ps, const char *at, const char *msg) {
    if (ps->failed) {
        return;
    }
    ps->failed = true;
    if (!ps->err) {
        return;
    }
    hale_json_error *e = ps->err;
    e->offset = at - ps->start;
    e->line = 1;
    e->col = 1;
    for (const char *c = ps->start; c < at; c++) {
        if (*c == '\n') {
            e->line++;
            e->col = 1;
        } else {
            e->col++;
        }
    }
    snprintf(e->message, sizeof e->message, "%s", msg);
}

static void *stack_push(parser *ps, const void *item, size_t n) {
    if (ps->top + n > ps->cap) {
        size_t cap = ps->cap * 2;
        while (cap < ps->top + n) {
            cap *= 2;
        }
        if (ps->stack_on_block) {
            ps->stack = hale_region_block_realloc(ps->r, ps->stack, cap);
        } else {
            char *s = hale_region_block_alloc(ps->r, cap);
            memcpy(s, ps->stack, ps->top);
            ps->stack = s;
            ps->stack_on_block = true;
        }
        ps->cap = cap;
    }
    void *dst = ps->stack + ps->top;
    memcpy(dst, item, n);
    ps->top += n;
    return dst;
}

/* Moves the `n` bytes collected since `base` into the region. */
static void *stack_take(parser *ps, size_t base) {
    size_t n = ps->top - base;
    ps->top = base;
    if (n == 0) {
        return NULL;
    }
    void *out = hale_region_alloc(ps->r, n, 8);
    memcpy(out, ps->stack + base, n);
    return out;
}

static void skip_ws(parser *ps) {
    while (ps->p < ps->end &&
           (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t')) {
        ps->p++;
    }
}

static bool parse_value(parser *ps, hale_json *out);

static int hex_digit(char c) {
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

static long read_hex4(const char *p, const char *end) {
    if (end - p < 4) {
        return -1;
    }
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int d = hex_digit(p[i]);
        if (d < 0) {
            return -1;
        }
        v = v * 16 + d;
    }
    return v;
}

static int put_utf8(char *o, uint32_t cp) {
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Decodes one escape at *pp (just past the backslash) into o; returns bytes written or -1. */
static int decode_escape(parser *ps, const char **pp, char *o) {
    const char *p = *pp;
    if (p >= ps->end) {
        fail(ps, p, "unfinished escape");
        return -1;
    }
    char c = *p++;
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *hit = c ? strchr(from, c) : NULL;
    if (hit) {
        *o = to[hit - from];
        *pp = p;
        return 1;
    }
    if (c != 'u') {
        fail(ps, p - 2, "invalid escape");
        return -1;
    }
    long cp = read_hex4(p, ps->end);
    if (cp < 0) {
        fail(ps, p - 2, "invalid \\u escape");
        return -1;
    }
    p += 4;
    if (cp >= 0xdc00 && cp <= 0xdfff) {
        fail(ps, p - 6, "lone low surrogate in \\u escape");
        return -1;
    }
    if (cp >= 0xd800 && cp <= 0xdbff) {
        long lo =
            (ps->end - p >= 6 && p[0] == '\\' && p[1] == 'u') ? read_hex4(p + 2, ps->end) : -1;
        if (lo < 0xdc00 || lo > 0xdfff) {
            fail(ps, p - 6, "lone high surrogate in \\u escape");
            return -1;
        }
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        p += 6;
    }
    *pp = p;
    return put_utf8(o, (uint32_t)cp);
}

/* At the opening quote. */
static bool parse_string(parser *ps, hale_str *out) {
    const char *q = ++ps->p;
    /* Fast path: plain ASCII up to the closing quote. */
    while (q < ps->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20 &&
           (unsigned char)*q < 0x80) {
        q++;
    }
    if (q < ps->end && *q == '"') {
        int64_t n = q - ps->p;
        char *s = n ? hale_region_alloc(ps->r, (size_t)n, 1) : (char *)"";
        if (n) {
            memcpy(s, ps->p, (size_t)n);
        }
        *out = (hale_str){s, n};
        ps->p = q + 1;
        return true;
    }
    /* General path: find the end (escapes never grow the text), then decode. */
    const char *e = q;
    while (e < ps->end && *e != '"') {
        e += (*e == '\\' && ps->end - e > 1) ? 2 : 1;
    }
    if (e >= ps->end) {
        fail(ps, ps->p - 1, "unterminated string");
        return false;
    }
    char *o = hale_region_alloc(ps->r, (size_t)(e - ps->p), 1);
    int64_t w = 0;
    const char *p = ps->p;
    while (p < e) {
        unsigned char c = (unsigned char)*p;
        if (c == '\\') {
            p++;
            int n = decode_escape(ps, &p, o + w);
            if (n < 0) {
                return false;
            }
            w += n;
        } else if (c < 0x20) {
            fail(ps, p, "control character in string");
            return false;
        } else {
            int n = hale_utf8_seq_len((const unsigned char *)p, (const unsigned char *)e);
            if (n == 0) {
                fail(ps, p, "invalid UTF-8 in string");
                return false;
            }
            memcpy(o + w, p, (size_t)n);
            w += n;
            p += n;
        }
    }
    *out = (hale_str){o, w};
    ps->p = e + 1;
    return true;
}

static bool is_digit(const parser *ps, const char *p) {
    return p < ps->end && *p >= '0' && *p <= '9';
}

static bool parse_number(parser *ps, hale_json *out) {
    const char *s = ps->p, *p = s;
    bool neg = p < ps->end && *p == '-';
    p += neg;
    if (!is_digit(ps, p)) {
        fail(ps, s, "invalid number");
        return false;
    }
    bool integral = true;
    if (*p == '0') {
        p++;
    } else {
        while (is_digit(ps, p)) {
            p++;
        }
    }
    if (p < ps->end && *p == '.') {
        p++;
        if (!is_digit(ps, p)) {
            fail(ps, p, "digits expected after the decimal point");
            return false;
        }
        while (is_digit(ps, p)) {
            p++;
        }
        integral = false;
    }
    if (p < ps->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < ps->end && (*p == '+' || *p == '-')) {
            p++;
        }
        if (!is_digit(ps, p)) {
            fail(ps, p, "digits expected in the exponent");
            return false;
        }
        while (is_digit(ps, p)) {
            p++;
        }
        integral = false;
    }
    ps->p = p;
    if (integral) {
        uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        const char *d = s + neg;
        for (; d < p; d++) {
            uint64_t digit = (uint64_t)(*d - '0');
            if (v > (limit - digit) / 10) {
                break; /* does not fit: read it as a double */
            }
            v = v * 10 + digit;
        }
        if (d == p) {
            out->kind = HALE_JSON_INT;
            out->u.i = neg ? (int64_t)(0 - v) : (int64_t)v;
            return true;
        }
    }
    size_t n = (size_t)(p - s);
    char local[64];
    char *buf = n < sizeof local ? local : hale_region_alloc(ps->r, n + 1, 1);
    memcpy(buf, s, n);
    buf[n] = 0;
    double f = strtod(buf, NULL);
    if (!isfinite(f)) {
        fail(ps, s, "number out of range");
        return false;
    }
    out->kind = HALE_JSON_FLOAT;
    out->u.f = f;
    return true;
}

static bool parse_literal(parser *ps, const char *word, size_t n) {
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0) {
        fail(ps, ps->p, "invalid literal");
        return false;
    }
    ps->p += n;
    return true;
}

static bool parse_array(parser *ps, hale_json *out) {
    ps->p++; /* [ */
    size_t base = ps->top;
    int64_t n = 0;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
    } else {
        for (;;) {
            hale_json item;
            if (!parse_value(ps, &item)) {
                return false;
            }
            stack_push(ps, &item, sizeof item);
            n++;
            skip_ws(ps);
            if (ps->p < ps->end && *ps->p == ',') {
                ps->p++;
                continue;
            }
            if (ps->p < ps->end && *ps->p == ']') {
                ps->p++;
                break;
            }
            fail(ps, ps->p, "expected ',' or ']' in array");
            return false;
        }
    }
    out->kind = HALE_JSON_ARRAY;
    out->u.arr.len = n;
    out->u.arr.items = stack_take(ps, base);
    return true;
}

static bool parse_object(parser *ps, hale_json *out) {
    ps->p++; /* { */
    size_t base = ps->top;
    int64_t n = 0;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
    } else {
        for (;;) {
            hale_json_member m;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != '"') {
                fail(ps, ps->p, "expected a string key in object");
                return false;
            }
            if (!parse_string(ps, &m.key)) {
                return false;
            }
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') {
                fail(ps, ps->p, "expected ':' after object key");
                return false;
            }
            ps->p++;
            if (!parse_value(ps, &m.value)) {
                return false;
            }
            stack_push(ps, &m, sizeof m);
            n++;
            skip_ws(ps);
            if (ps->p < ps->end && *ps->p == ',') {
                ps->p++;
                continue;
            }
            if (ps->p < ps->end && *ps->p == '}') {
                ps->p++;
                break;
            }
            fail(ps, ps->p, "expected ',' or '}' in object");
            return false;
        }
    }
    out->kind = HALE_JSON_OBJECT;
    out->u.obj.len = n;
    out->u.obj.members = stack_take(ps, base);
    return true;
}

static bool parse_value(parser *ps, hale_json *out) {
    skip_ws(ps);
    if (ps->p >= ps->end) {
        fail(ps, ps->p, "unexpected end of input");
        return false;
    }
    switch (*ps->p) {
    case '{':
    case '[': {
        if (++ps->depth > HALE_JSON_MAX_DEPTH) {
            fail(ps, ps->p, "nesting too deep");
            return false;
        }
        bool ok = *ps->p == '{' ? parse_object(ps, out) : parse_array(ps, out);
        ps->depth--;
        return ok;
    }
    case '"':
        out->kind = HALE_JSON_STRING;
        return parse_string(ps, &out->u.s);
    case 't':
        out->kind = HALE_JSON_BOOL;
        out->u.b = true;
        return parse_literal(ps, "true", 4);
    case 'f':
        out->kind = HALE_JSON_BOOL;
        out->u.b = false;
        return parse_literal(ps, "false", 5);
    case 'n':
        out->kind = HALE_JSON_NULL;
        return parse_literal(ps, "null", 4);
    default:
        return parse_number(ps, out);
    }
}

hale_json *hale_json_parse(const char *text, size_t len, hale_region *r, hale_json_error *err) {
    char local[4096];
    parser ps = {.p = text,
                 .start = text,
                 .end = text + len,
                 .r = r,
                 .err = err,
                 .stack = local,
                 .cap = sizeof local};
    hale_json *root = hale_region_alloc(r, sizeof *root, 8);
    bool ok = parse_value(&ps, root);
    if (ok) {
        skip_ws(&ps);
        if (ps.p != ps.end) {
            fail(&ps, ps.p, "unexpected content after the document");
            ok = false;
        }
    }
    if (ps.stack_on_block) {
        hale_region_block_free(r, ps.stack);
    }
    return ok ? root : NULL;
}

/* ---- access ---- */

const hale_json *hale_json_get(const hale_json *obj, hale_str key) {
    if (!obj || obj->kind != HALE_JSON_OBJECT) {
        return NULL;
    }
    for (int64_t i = obj->u.obj.len; i-- > 0;) {
        const hale_json_member *m = &obj->u.obj.members[i];
        if (m->key.len == key.len &&
            (key.len == 0 || memcmp(m->key.ptr, key.ptr, (size_t)key.len) == 0)) {
            return &m->value;
        }
    }
    return NULL;
}

const hale_json *hale_json_at(const hale_json *arr, int64_t i) {
    if (!arr || arr->kind != HALE_JSON_ARRAY || i < 0 || i >= arr->u.arr.len) {
        return NULL;
    }
    return &arr->u.arr.items[i];
}

static bool is_number(const hale_json *v) {
    return v->kind == HALE_JSON_INT || v->kind == HALE_JSON_FLOAT;
}

bool hale_json_equal(const hale_json *a, const hale_json *b) {
    if (is_number(a) && is_number(b)) {
        if (a->kind == HALE_JSON_INT && b->kind == HALE_JSON_INT) {
            return a->u.i == b->u.i;
        }
        double x = a->kind == HALE_JSON_INT ? (double)a->u.i : a->u.f;
        double y = b->kind == HALE_JSON_INT ? (double)b->u.i : b->u.f;
        return x == y;
    }
    if (a->kind != b->kind) {
        return false;
    }
    switch (a->kind) {
    case HALE_JSON_NULL:
        return true;
    case HALE_JSON_BOOL:
        return a->u.b == b->u.b;
    case HALE_JSON_STRING:
        return a->u.s.len == b->u.s.len &&
               (a->u.s.len == 0 || memcmp(a->u.s.ptr, b->u.s.ptr, (size_t)a->u.s.len) == 0);
    case HALE_JSON_ARRAY:
        if (a->u.arr.len != b->u.arr.len) {
            return false;
        }
        for (int64_t i = 0; i < a->u.arr.len; i++) {
            if (!hale_json_equal(&a->u.arr.items[i], &b->u.arr.items[i])) {
                return false;
            }
        }
        return true;
    case HALE_JSON_OBJECT:
        if (a->u.obj.len != b->u.obj.len) {
            return false;
        }
        for (int64_t i = 0; i < a->u.obj.len; i++) {
            const hale_json_member *x = &a->u.obj.members[i], *y = &b->u.obj.members[i];
            hale_json kx = {.kind = HALE_JSON_STRING, .u.s = x->key};
            hale_json ky = {.kind = HALE_JSON_STRING, .u.s = y->key};
            if (!hale_json_equal(&kx, &ky) || !hale_json_equal(&x->value, &y->value)) {
                return false;
            }
        }
        return true;
    default:
        return false;
    }
}

/* ---- escaping alone ---- */

int hale_json_decode_escape(const char **pp, const char *end, char out[4]) {
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.start = *pp;
    ps.end = end;
    return decode_escape(&ps, pp, out);
}

hale_str hale_json_escape(hale_region *r, hale_str s) {
    hale_json_builder b;
    hale_json_builder_init(&b, r);
    write_string(&b, s);
    hale_str body = {(const char *)b.out.buf + 1, b.out.len - 2};
    hale_str out = body.len ? (hale_str){NULL, 0} : (hale_str){"", 0};
    if (body.len) {
        char *p = hale_region_alloc(r, (size_t)body.len, 1);
        memcpy(p, body.ptr, (size_t)body.len);
        out = (hale_str){p, body.len};
    }
    hale_json_builder_destroy(&b);
    return out;
}

bool hale_json_unescape(hale_region *r, hale_str s, hale_str *out) {
    if (s.len <= 0 || !memchr(s.ptr, '\\', (size_t)s.len)) {
        *out = s.len > 0 ? s : (hale_str){"", 0};
        return true;
    }
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.start = s.ptr;
    ps.end = s.ptr + s.len;
    char *o = hale_region_alloc(r, (size_t)s.len, 1); /* escapes never grow the text */
    int64_t w = 0;
    const char *p = s.ptr;
    while (p < ps.end) {
        if (*p != '\\') {
            o[w++] = *p++;
            continue;
        }
        p++;
        int n = decode_escape(&ps, &p, o + w);
        if (n < 0) {
            return false;
        }
        w += n;
    }
    *out = (hale_str){o, w};
    return true;
}

hale_str hale_json_unescape_or_self(hale_region *r, hale_str s) {
    hale_str out;
    return hale_json_unescape(r, s, &out) ? out : s;
}

/* ---- Builder's string helpers (Hale's fragment-assembly surface) ---- */

hale_str hale_json_builder_append_entry(hale_json_builder *b, hale_str acc, hale_str entry,
                                        hale_region *into) {
    (void)b;
    if (acc.len == 0) {
        return hale_str_copy(into, entry);
    }
    hale_str parts[3] = {acc, HALE_STR_LIT(", "), entry};
    return hale_str_concat_n(into, parts, 3);
}

static hale_str wrap(hale_region *into, const char *open, hale_str inner, const char *close) {
    hale_str parts[3] = {{open, 1}, inner, {close, 1}};
    return hale_str_concat_n(into, parts, 3);
}

hale_str hale_json_builder_wrap_array(hale_json_builder *b, hale_str inner, hale_region *into) {
    (void)b;
    return wrap(into, "[", inner, "]");
}

hale_str hale_json_builder_wrap_object(hale_json_builder *b, hale_str inner, hale_region *into) {
    (void)b;
    return wrap(into, "{", inner, "}");
}
