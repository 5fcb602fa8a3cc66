/* See std_text.h. */
#include "std_text.h"

#include <string.h>

#include "copy.h"
#include "diag.h"
#include "str.h"

/* ---- split and join ---- */

static void vec_clear(hale_vec *v) {
    if (!v->elem->flat) {
        for (int64_t i = 0; i < v->len; i++) {
            hale_value_release(v->elem, hale_vec_at(v, i), &v->heap);
        }
    }
    v->len = 0;
}

static void push_str(hale_vec *v, const char *p, int64_t n) {
    hale_str f = {n ? p : "", n};
    hale_vec_push(v, &f);
}

void hale_str_split_into(hale_str s, hale_str sep, hale_vec *v) {
    vec_clear(v);
    if (sep.len <= 0) {
        push_str(v, s.ptr, s.len);
        return;
    }
    int64_t from = 0;
    for (;;) {
        hale_str rest = {s.ptr + from, s.len - from};
        int64_t at = rest.len >= sep.len ? hale_str_index_of(rest, sep) : -1;
        if (at < 0) {
            push_str(v, rest.ptr, rest.len);
            return;
        }
        push_str(v, rest.ptr, at);
        from += at + sep.len;
    }
}

hale_str hale_str_join(hale_region *r, const hale_vec *v, hale_str sep) {
    if (v->len == 0) {
        return HALE_STR_LIT("");
    }
    int64_t total = sep.len * (v->len - 1);
    for (int64_t i = 0; i < v->len; i++) {
        total += ((const hale_str *)hale_vec_at(v, i))->len;
    }
    if (total == 0) {
        return HALE_STR_LIT("");
    }
    char *p = hale_region_alloc(r, (size_t)total, 1), *q = p;
    for (int64_t i = 0; i < v->len; i++) {
        const hale_str *f = hale_vec_at(v, i);
        if (i && sep.len) {
            memcpy(q, sep.ptr, (size_t)sep.len);
            q += sep.len;
        }
        if (f->len) {
            memcpy(q, f->ptr, (size_t)f->len);
            q += f->len;
        }
    }
    return (hale_str){p, total};
}

/* ---- ranges ---- */

static bool range_ok(hale_str s, int64_t start, int64_t end) {
    return start >= 0 && start <= end && end <= s.len;
}

bool hale_str_range_eq(hale_str s, int64_t start, int64_t end, hale_str x) {
    return range_ok(s, start, end) && hale_str_eq((hale_str){s.ptr + start, end - start}, x);
}

bool hale_str_range_parse_int(hale_str s, int64_t start, int64_t end, int64_t *out) {
    if (!range_ok(s, start, end) || start == end) {
        if (out) {
            *out = 0;
        }
        return false;
    }
    return hale_str_parse_int((hale_str){s.ptr + start, end - start}, out);
}

/* ---- builders ---- */

typedef struct {
    char *buf;
    int64_t len, cap;
    uint32_t gen;
    bool live;
} builder_slot;

static _Thread_local builder_slot builders[HALE_STR_BUILDERS];

/* handle = gen * HALE_STR_BUILDERS + index + 1; 0 is never live */
static builder_slot *slot_of(const hale_str_builder_ref *b) {
    if (!b || b->handle <= 0) {
        return NULL;
    }
    int64_t h = b->handle - 1;
    builder_slot *s = &builders[h % HALE_STR_BUILDERS];
    return s->live && (int64_t)s->gen == h / HALE_STR_BUILDERS ? s : NULL;
}

void hale_str_builder_new(hale_str_builder_ref *out) {
    out->handle = 0;
    for (int64_t i = 0; i < HALE_STR_BUILDERS; i++) {
        builder_slot *s = &builders[i];
        if (!s->live) {
            s->gen = (s->gen + 1) & 0x3fffff;
            s->live = true;
            s->len = 0;
            out->handle = (int64_t)s->gen * HALE_STR_BUILDERS + i + 1;
            return;
        }
    }
}

void hale_str_builder_append(const hale_str_builder_ref *b, hale_str x, hale_str_builder_ref *out) {
    hale_str_builder_ref self = *b;
    builder_slot *s = slot_of(&self);
    if (out) {
        *out = self;
    }
    if (!s || x.len <= 0) {
        return;
    }
    if (x.len > s->cap - s->len) {
        int64_t cap = s->cap ? s->cap : 64;
        while (cap < s->len + x.len) {
            cap *= 2;
        }
        char *nb = hale_sys_realloc(s->buf, (size_t)cap);
        if (!nb) {
            return;
        }
        s->buf = nb;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, x.ptr, (size_t)x.len);
    s->len += x.len;
}

int64_t hale_str_builder_len(const hale_str_builder_ref *b) {
    builder_slot *s = slot_of(b);
    return s ? s->len : 0;
}

hale_str hale_str_builder_finish(hale_region *r, const hale_str_builder_ref *b) {
    builder_slot *s = slot_of(b);
    if (!s) {
        return HALE_STR_LIT("");
    }
    hale_str out = hale_str_copy(r, (hale_str){s->buf, s->len});
    hale_sys_free(s->buf);
    s->buf = NULL;
    s->len = s->cap = 0;
    s->live = false;
    return out;
}

void hale_str_builders_reset(void) {
    for (int i = 0; i < HALE_STR_BUILDERS; i++) {
        hale_sys_free(builders[i].buf);
        builders[i].buf = NULL;
        builders[i].len = builders[i].cap = 0;
        builders[i].live = false;
    }
}

/* ---- UTF-8 ---- */

/* The length of the well-formed UTF-8 sequence at s[i] and its code point, or 0 (RFC 3629:
 * no overlong forms, no surrogates, nothing past U+10FFFF). */
static int utf8_decode_at(hale_str s, int64_t i, int64_t *cp) {
    if (i < 0 || i >= s.len) {
        return 0;
    }
    const unsigned char *p = (const unsigned char *)s.ptr + i;
    int64_t left = s.len - i;
    unsigned c = p[0];
    int n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        n = 2, v = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        n = 3, v = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (left < n) {
        return 0;
    }
    for (int k = 1; k < n; k++) {
        if ((p[k] & 0xc0) != 0x80) {
            return 0;
        }
        v = (v << 6) | (p[k] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
        return 0;
    }
    *cp = v;
    return n;
}

int64_t hale_str_cp_count(hale_str s) {
    int64_t n = 0, cp;
    for (int64_t i = 0; i < s.len;) {
        int k = utf8_decode_at(s, i, &cp);
        if (!k) {
            return -1;
        }
        i += k;
        n++;
    }
    return n;
}

int64_t hale_str_cp_at(hale_str s, int64_t i) {
    int64_t cp;
    return utf8_decode_at(s, i, &cp) ? cp : -1;
}

int64_t hale_str_cp_size(hale_str s, int64_t i) {
    int64_t cp;
    int k = utf8_decode_at(s, i, &cp);
    return k ? k : -1;
}

/* ---- byte classes ---- */

bool hale_text_is_alpha(int64_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool hale_text_is_digit(int64_t c) {
    return c >= '0' && c <= '9';
}

bool hale_text_is_alnum(int64_t c) {
    return hale_text_is_alpha(c) || hale_text_is_digit(c);
}

bool hale_text_is_whitespace(int64_t c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool hale_text_is_word_char(int64_t c) {
    return hale_text_is_alnum(c) || c == '_';
}

/* A word character at s[i]: [A-Za-z0-9_], or an apostrophe between two of them ("it's"). */
static bool in_word(hale_str s, int64_t i) {
    unsigned char c = (unsigned char)s.ptr[i];
    if (hale_text_is_word_char(c)) {
        return true;
    }
    return c == '\'' && i > 0 && i + 1 < s.len &&
           hale_text_is_word_char((unsigned char)s.ptr[i - 1]) &&
           hale_text_is_word_char((unsigned char)s.ptr[i + 1]);
}

void hale_text_tokenize_words_into(hale_str s, hale_vec *v) {
    vec_clear(v);
    char word[256];
    int64_t i = 0;
    while (i < s.len) {
        while (i < s.len && !in_word(s, i)) {
            i++;
        }
        int64_t start = i;
        while (i < s.len && in_word(s, i)) {
            i++;
        }
        if (i > start) {
            /* lower-cased (ASCII); a word longer than the buffer is kept as it is */
            int64_t n = i - start;
            if (n <= (int64_t)sizeof word) {
                for (int64_t k = 0; k < n; k++) {
                    char c = s.ptr[start + k];
                    word[k] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
                }
                push_str(v, word, n);
            } else {
                push_str(v, s.ptr + start, n);
            }
        }
    }
}
