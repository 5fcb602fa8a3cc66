/* See json_scan.h. Every scan is bounded by an explicit end offset, so a window of a larger
 * text (find_field_raw_in, the iter_* lookups on one array element) never reads past it. */
#include "json_scan.h"

#include <string.h>

#include "json.h"
#include "str.h"

/* One table lookup per byte instead of a chain of compares: the scans below run over every
 * byte of every document a generated T::from_json reads. */
enum { C_WS = 1, C_END = 2 };
static const unsigned char char_class[256] = {
    [' '] = C_WS | C_END, ['\t'] = C_WS | C_END, ['\n'] = C_WS | C_END, ['\r'] = C_WS | C_END,
    [','] = C_END,        ['}'] = C_END,         [']'] = C_END,         [':'] = C_END,
    ['"'] = C_END,        ['{'] = C_END,         ['['] = C_END,
};

static bool is_ws(char c) {
    return char_class[(unsigned char)c] & C_WS;
}

static int64_t skip_ws(const char *p, int64_t i, int64_t end) {
    while (i < end && is_ws(p[i])) {
        i++;
    }
    return i;
}

/* Past the closing quote of the string opening at p[i], or -1. */
static int64_t string_end(const char *p, int64_t i, int64_t end) {
    for (i++; i < end; i++) {
        if (p[i] == '\\') {
            i++;
        } else if (p[i] == '"') {
            return i + 1;
        }
    }
    return -1;
}

static bool ends_token(char c) {
    return char_class[(unsigned char)c] & C_END;
}

/* Past the value starting exactly at p[i] (no whitespace), or -1. */
static int64_t value_end_at(const char *p, int64_t i, int64_t end) {
    if (i >= end) {
        return -1;
    }
    char c = p[i];
    if (c == '"') {
        return string_end(p, i, end);
    }
    if (c == '{' || c == '[') {
        char open[HALE_JSON_MAX_DEPTH];
        int depth = 0;
        for (; i < end; i++) {
            c = p[i];
            if (c == '"') {
                int64_t e = string_end(p, i, end);
                if (e < 0) {
                    return -1;
                }
                i = e - 1;
            } else if (c == '{' || c == '[') {
                if (depth == HALE_JSON_MAX_DEPTH) {
                    return -1;
                }
                open[depth++] = c;
            } else if (c == '}' || c == ']') {
                if (depth == 0 || open[depth - 1] != (c == '}' ? '{' : '[')) {
                    return -1;
                }
                if (--depth == 0) {
                    return i + 1;
                }
            }
        }
        return -1;
    }
    if (ends_token(c)) {
        return -1;
    }
    int64_t j = i;
    while (j < end && !ends_token(p[j])) {
        j++;
    }
    return j;
}

int64_t hale_json_value_end(hale_str s, int64_t i, int64_t *start) {
    if (i < 0) {
        i = 0;
    }
    i = skip_ws(s.ptr, i, s.len);
    if (start) {
        *start = i;
    }
    return value_end_at(s.ptr, i, s.len);
}

/* ---- objects ---- */

/* The member starting at or after p[i] (whitespace skipped) up to `end`: its key (inside the
 * quotes) and value ranges, and `next` at the ',' or '}' after it. False when there is none. */
static bool member_at(const char *p, int64_t i, int64_t end, hale_json_object_span *m) {
    i = skip_ws(p, i, end);
    if (i >= end || p[i] != '"') {
        return false;
    }
    int64_t ke = string_end(p, i, end);
    if (ke < 0) {
        return false;
    }
    int64_t colon = skip_ws(p, ke, end);
    if (colon >= end || p[colon] != ':') {
        return false;
    }
    int64_t vs = skip_ws(p, colon + 1, end);
    int64_t ve = value_end_at(p, vs, end);
    if (ve < 0) {
        return false;
    }
    m->done = false;
    m->key_start = i + 1;
    m->key_end = ke - 1;
    m->value_start = vs;
    m->value_end = ve;
    m->next = skip_ws(p, ve, end);
    return true;
}

static void obj_done(hale_json_object_span *m) {
    memset(m, 0, sizeof *m);
    m->done = true;
}

/* The first member of the object at s[start, end) (a missing `{` is tolerated: a window cut
 * from the middle of an object still lists its members). */
static void first_in(const char *p, int64_t start, int64_t end, hale_json_object_span *out) {
    int64_t i = skip_ws(p, start, end);
    if (i < end && p[i] == '{') {
        i++;
    }
    if (!member_at(p, i, end, out)) {
        obj_done(out);
    }
}

static void next_in(const hale_json_object_span *it, const char *p, int64_t end,
                    hale_json_object_span *out) {
    int64_t i = it->next;
    if (it->done || i < 0 || i >= end || p[i] != ',' || !member_at(p, i + 1, end, out)) {
        obj_done(out);
    }
}

bool hale_json_key_decodes_to(hale_str raw, hale_str name) {
    if (raw.len <= name.len || !memchr(raw.ptr, '\\', (size_t)raw.len)) {
        return false; /* longer than the name, with nothing to decode */
    }
    int64_t w = 0;
    const char *q = raw.ptr, *end = raw.ptr + raw.len;
    while (q < end) {
        char buf[4];
        int n = 1;
        if (*q == '\\') {
            q++;
            n = hale_json_decode_escape(&q, end, buf);
            if (n < 0) {
                return false;
            }
        } else {
            buf[0] = *q++;
        }
        if (w + n > name.len || memcmp(name.ptr + w, buf, (size_t)n) != 0) {
            return false;
        }
        w += n;
    }
    return w == name.len;
}

/* Whether the raw (escaped) key p[ks, ke) decodes to name. */
static bool key_is(const char *p, int64_t ks, int64_t ke, hale_str name) {
    return ks >= 0 && ke >= ks && hale_json_key_eq_raw((hale_str){p + ks, ke - ks}, name);
}

/* The raw value of the top-level member `name` of the object in s[start, end), or false. */
static bool find_in(hale_str s, hale_str name, int64_t start, int64_t end, int64_t *vs,
                    int64_t *ve) {
    if (start < 0) {
        start = 0;
    }
    if (end > s.len) {
        end = s.len;
    }
    if (start >= end) {
        return false;
    }
    hale_json_object_span m;
    for (first_in(s.ptr, start, end, &m); !m.done; next_in(&m, s.ptr, end, &m)) {
        if (key_is(s.ptr, m.key_start, m.key_end, name)) {
            *vs = m.value_start;
            *ve = m.value_end;
            return true;
        }
    }
    return false;
}

hale_str hale_json_find_field_raw_in(hale_str s, hale_str name, int64_t start, int64_t end) {
    int64_t vs, ve;
    return find_in(s, name, start, end, &vs, &ve) ? hale_json_slice(s, vs, ve) : (hale_str){"", 0};
}

hale_str hale_json_find_field_raw(hale_str s, hale_str name) {
    return hale_json_find_field_raw_in(s, name, 0, s.len);
}

hale_str hale_json_find_string_field(hale_region *r, hale_str s, hale_str name) {
    return hale_json_raw_string(r, hale_json_find_field_raw(s, name));
}

int64_t hale_json_find_int_field(hale_str s, hale_str name) {
    return hale_json_raw_int(hale_json_find_field_raw(s, name));
}

bool hale_json_find_bool_field(hale_str s, hale_str name) {
    return hale_json_raw_bool(hale_json_find_field_raw(s, name));
}

/* ---- raw values ---- */

int64_t hale_json_raw_int(hale_str raw) {
    if (raw.len >= 2 && raw.ptr[0] == '"' && raw.ptr[raw.len - 1] == '"') {
        raw = (hale_str){raw.ptr + 1, raw.len - 2};
    }
    int64_t v;
    return hale_str_parse_int(raw, &v) ? v : 0;
}

bool hale_json_raw_bool(hale_str raw) {
    return hale_str_eq(raw, HALE_STR_LIT("true"));
}

hale_str hale_json_raw_string(hale_region *r, hale_str raw) {
    if (raw.len < 2 || raw.ptr[0] != '"' || raw.ptr[raw.len - 1] != '"') {
        return (hale_str){"", 0};
    }
    hale_str body = {raw.ptr + 1, raw.len - 2}, out;
    return hale_json_unescape(r, body, &out) ? out : body;
}

/* ---- arrays ---- */

static void span_done(hale_json_array_span *out) {
    memset(out, 0, sizeof *out);
    out->done = true;
}

/* The element starting at or after p[i] up to `end`. */
static void element_at(const char *p, int64_t i, int64_t end, hale_json_array_span *out) {
    i = skip_ws(p, i, end);
    int64_t e = value_end_at(p, i, end);
    if (e < 0) {
        span_done(out);
        return;
    }
    out->done = false;
    out->start = i;
    out->end_pos = e;
    out->next = skip_ws(p, e, end);
}

void hale_json_array_first_span(hale_str json, hale_json_array_span *out) {
    int64_t i = skip_ws(json.ptr, 0, json.len);
    if (i >= json.len || json.ptr[i] != '[') {
        span_done(out);
        return;
    }
    element_at(json.ptr, i + 1, json.len, out);
}

void hale_json_array_next_span(const hale_json_array_span *it, hale_str json,
                               hale_json_array_span *out) {
    int64_t i = it->next;
    if (it->done || i < 0 || i >= json.len || json.ptr[i] != ',') {
        span_done(out);
        return;
    }
    element_at(json.ptr, i + 1, json.len, out);
}

static void iter_from_span(hale_str json, const hale_json_array_span *sp,
                           hale_json_array_iter *out) {
    out->done = sp->done;
    out->json = json;
    out->next = sp->next;
    out->element = sp->done ? (hale_str){"", 0} : hale_json_slice(json, sp->start, sp->end_pos);
}

void hale_json_array_first(hale_str json, hale_json_array_iter *out) {
    hale_json_array_span sp;
    hale_json_array_first_span(json, &sp);
    iter_from_span(json, &sp, out);
}

void hale_json_array_next(const hale_json_array_iter *it, hale_json_array_iter *out) {
    hale_json_array_span sp = {.done = it->done, .next = it->next}, nx;
    hale_str json = it->json;
    hale_json_array_next_span(&sp, json, &nx);
    iter_from_span(json, &nx, out);
}

hale_str hale_json_iter_substring(const hale_json_array_span *it, hale_str json) {
    return it->done ? (hale_str){"", 0} : hale_json_slice(json, it->start, it->end_pos);
}

static bool iter_find(const hale_json_array_span *it, hale_str json, hale_str name, int64_t *vs,
                      int64_t *ve) {
    return !it->done && it->end_pos <= json.len &&
           find_in(json, name, it->start, it->end_pos, vs, ve);
}

hale_str hale_json_iter_find_field_raw(const hale_json_array_span *it, hale_str json,
                                       hale_str name) {
    int64_t vs, ve;
    return iter_find(it, json, name, &vs, &ve) ? hale_json_slice(json, vs, ve) : (hale_str){"", 0};
}

hale_str hale_json_iter_find_string_field(hale_region *r, const hale_json_array_span *it,
                                          hale_str json, hale_str name) {
    return hale_json_raw_string(r, hale_json_iter_find_field_raw(it, json, name));
}

int64_t hale_json_iter_find_int_field(const hale_json_array_span *it, hale_str json,
                                      hale_str name) {
    return hale_json_raw_int(hale_json_iter_find_field_raw(it, json, name));
}

bool hale_json_iter_find_bool_field(const hale_json_array_span *it, hale_str json, hale_str name) {
    return hale_json_raw_bool(hale_json_iter_find_field_raw(it, json, name));
}

void hale_json_iter_find_field_range(const hale_json_array_span *it, hale_str json, hale_str name,
                                     hale_json_field_range *out) {
    int64_t vs, ve;
    out->ok = iter_find(it, json, name, &vs, &ve);
    out->start = out->ok ? vs : 0;
    out->end_pos = out->ok ? ve : 0;
}

void hale_json_iter_find_string_field_range(const hale_json_array_span *it, hale_str json,
                                            hale_str name, hale_json_field_range *out) {
    hale_json_iter_find_field_range(it, json, name, out);
    if (out->ok && out->end_pos - out->start >= 2 && json.ptr[out->start] == '"') {
        out->start++;
        out->end_pos--;
    } else {
        out->ok = false;
        out->start = out->end_pos = 0;
    }
}

/* ---- the object cursor ---- */

void hale_json_object_first(hale_str json, hale_json_object_span *out) {
    int64_t i = skip_ws(json.ptr, 0, json.len);
    if (i >= json.len || json.ptr[i] != '{') {
        obj_done(out);
        return;
    }
    first_in(json.ptr, i, json.len, out);
}

void hale_json_object_next(const hale_json_object_span *it, hale_str json,
                           hale_json_object_span *out) {
    next_in(it, json.ptr, json.len, out);
}

int64_t hale_json_obj_key_len(const hale_json_object_span *it) {
    return it->done ? 0 : it->key_end - it->key_start;
}

hale_str hale_json_obj_key_string(hale_region *r, const hale_json_object_span *it, hale_str json) {
    if (it->done) {
        return (hale_str){"", 0};
    }
    hale_str raw = hale_json_slice(json, it->key_start, it->key_end), out;
    return hale_json_unescape(r, raw, &out) ? out : raw;
}

hale_str hale_json_obj_value_string(hale_region *r, const hale_json_object_span *it,
                                    hale_str json) {
    return hale_json_raw_string(r, hale_json_obj_value_raw(it, json));
}

int64_t hale_json_obj_value_int(const hale_json_object_span *it, hale_str json) {
    return hale_json_raw_int(hale_json_obj_value_raw(it, json));
}

bool hale_json_obj_value_bool(const hale_json_object_span *it, hale_str json) {
    return hale_json_raw_bool(hale_json_obj_value_raw(it, json));
}
