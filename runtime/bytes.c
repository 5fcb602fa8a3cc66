/* See bytes.h. */
#include "bytes.h"

#include <string.h>

#include "fatal.h"

void hale_bytes_builder_init(hale_bytes_builder *b, hale_region *r, int64_t initial_cap) {
    b->region = r;
    b->len = 0;
    b->cap = 0;
    b->buf = NULL;
    b->on_block = false;
    b->finished = false;
    if (initial_cap > 0) {
        hale_bytes_builder_reserve(b, initial_cap);
    }
}

void hale_bytes_builder_destroy(hale_bytes_builder *b) {
    if (b->on_block) {
        hale_region_block_free(b->region, b->buf);
    }
    b->buf = NULL;
    b->len = b->cap = 0;
    b->on_block = false;
}

/* Grows the buffer to at least `need` bytes: doubling, from the region while small, a block
 * (resized in place when possible) once large. */
static void grow(hale_bytes_builder *b, int64_t need) {
    if (need < 0 || need > INT64_MAX / 2) {
        hale_oom((size_t)-1, "a bytes builder");
    }
    int64_t cap = b->cap ? b->cap : HALE_BYTES_DEFAULT_CAP;
    while (cap < need) {
        cap *= 2;
    }
    if (b->on_block) {
        b->buf = hale_region_block_realloc(b->region, b->buf, (size_t)cap);
    } else if (cap >= HALE_BYTES_BLOCK_MIN) {
        uint8_t *nb = hale_region_block_alloc(b->region, (size_t)cap);
        if (b->len) {
            memcpy(nb, b->buf, (size_t)b->len);
        }
        b->buf = nb;
        b->on_block = true;
    } else {
        uint8_t *nb = hale_region_alloc(b->region, (size_t)cap, 16);
        if (b->len) {
            memcpy(nb, b->buf, (size_t)b->len);
        }
        b->buf = nb;
    }
    b->cap = cap;
}

uint8_t *hale_bytes_builder_reserve(hale_bytes_builder *b, int64_t n) {
    if (n < 0) {
        n = 0;
    }
    if (n > b->cap - b->len) {
        grow(b, b->len + n);
    }
    return b->buf + b->len;
}

void hale_bytes_builder_commit(hale_bytes_builder *b, int64_t n) {
    if (n > 0 && n <= b->cap - b->len) {
        b->len += n;
    }
}

void hale_bytes_builder_append_raw(hale_bytes_builder *b, const void *p, int64_t n) {
    if (n <= 0) {
        return;
    }
    if (n > b->cap - b->len) {
        grow(b, b->len + n);
    }
    memcpy(b->buf + b->len, p, (size_t)n);
    b->len += n;
}

void hale_bytes_builder_append(hale_bytes_builder *b, hale_bytes chunk) {
    hale_bytes_builder_append_raw(b, chunk.ptr, chunk.len);
}

void hale_bytes_builder_append_str(hale_bytes_builder *b, hale_str s) {
    hale_bytes_builder_append_raw(b, s.ptr, s.len);
}

void hale_bytes_builder_append_byte(hale_bytes_builder *b, uint8_t c) {
    if (b->len == b->cap) {
        grow(b, b->len + 1);
    }
    b->buf[b->len++] = c;
}

hale_bytes hale_bytes_builder_finish(const hale_bytes_builder *b, hale_region *into) {
    return hale_bytes_copy_into(into, (hale_bytes){b->buf, b->len});
}

hale_bytes hale_bytes_builder_view(const hale_bytes_builder *b) {
    if (b->len == 0) {
        return (hale_bytes){(const uint8_t *)"", 0};
    }
    return (hale_bytes){b->buf, b->len};
}

hale_str hale_bytes_builder_text_view(const hale_bytes_builder *b) {
    hale_bytes v = hale_bytes_builder_view(b);
    return (hale_str){(const char *)v.ptr, v.len};
}

hale_bytes hale_bytes_from_string(hale_str s) {
    if (s.len <= 0) {
        return (hale_bytes){(const uint8_t *)"", 0};
    }
    return (hale_bytes){(const uint8_t *)s.ptr, s.len};
}

hale_bytes hale_bytes_copy_into(hale_region *r, hale_bytes b) {
    if (b.len <= 0) {
        return (hale_bytes){(const uint8_t *)"", 0};
    }
    uint8_t *p = hale_region_alloc(r, (size_t)b.len, 1);
    memcpy(p, b.ptr, (size_t)b.len);
    return (hale_bytes){p, b.len};
}

hale_str hale_str_from_bytes(hale_bytes b) {
    if (b.len <= 0) {
        return (hale_str){"", 0};
    }
    return (hale_str){(const char *)b.ptr, b.len};
}

hale_bytes hale_bytes_slice(hale_bytes b, int64_t lo, int64_t hi) {
    int64_t n = b.len > 0 ? b.len : 0;
    lo = lo < 0 ? 0 : (lo > n ? n : lo);
    hi = hi < 0 ? 0 : (hi > n ? n : hi);
    if (lo >= hi) {
        return (hale_bytes){(const uint8_t *)"", 0};
    }
    return (hale_bytes){b.ptr + lo, hi - lo};
}

bool hale_bytes_at(hale_bytes b, int64_t i, int64_t *out) {
    bool ok = i >= 0 && i < b.len;
    if (out) {
        *out = ok ? b.ptr[i] : -1;
    }
    return ok;
}

hale_bytes hale_bytes_from_int(hale_region *r, int64_t v) {
    uint8_t *p = hale_region_alloc(r, 1, 1);
    *p = (uint8_t)(v & 0xff);
    return (hale_bytes){p, 1};
}

hale_bytes hale_bytes_concat(hale_region *r, hale_bytes a, hale_bytes b) {
    if (a.len <= 0) {
        return b.len > 0 ? b : (hale_bytes){(const uint8_t *)"", 0};
    }
    if (b.len <= 0) {
        return a;
    }
    uint8_t *p = hale_region_alloc(r, (size_t)(a.len + b.len), 1);
    memcpy(p, a.ptr, (size_t)a.len);
    memcpy(p + a.len, b.ptr, (size_t)b.len);
    return (hale_bytes){p, a.len + b.len};
}

int64_t hale_bytes_find_byte(hale_bytes b, int64_t off, int64_t needle) {
    if (off < 0) {
        off = 0;
    }
    if (off >= b.len) {
        return -1;
    }
    const uint8_t *hit = memchr(b.ptr + off, (int)(needle & 0xff), (size_t)(b.len - off));
    return hit ? (int64_t)(hit - b.ptr) : -1;
}

void hale_bytes_builder_shift_front(hale_bytes_builder *b, int64_t n) {
    if (n <= 0) {
        return;
    }
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->buf, b->buf + n, (size_t)(b->len - n));
    b->len -= n;
}
