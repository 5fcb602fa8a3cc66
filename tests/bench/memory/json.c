/* json_build / json_parse: 200k small objects
 *   {"id":I,"name":"user-I","active":B,"score":F,"tags":["a","b"]}
 * in one array. Ours: std::json::Builder and the parser into a region. Baselines in the same
 * process: idiomatic C output (snprintf into a doubling buffer) and jansson (a widely used C
 * JSON library, parse into its DOM) when built with HAVE_JANSSON. */
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "json.h"
#ifdef HAVE_JANSSON
#include <jansson.h>
#endif

enum { N = 200000 };

static hale_str text; /* the document, built once by our builder for the parse runs */

/* The document: N objects in one array. */
static void build_doc(hale_json_builder *b) {
    hale_json_builder_begin_array(b);
    char name[32];
    for (int i = 0; i < N; i++) {
        int n = snprintf(name, sizeof name, "user-%d", i);
        hale_json_builder_begin_object(b);
        hale_json_builder_int_field(b, HALE_STR_LIT("id"), i);
        hale_json_builder_string_field(b, HALE_STR_LIT("name"), (hale_str){name, n});
        hale_json_builder_bool_field(b, HALE_STR_LIT("active"), i % 3 == 0);
        hale_json_builder_float_field(b, HALE_STR_LIT("score"), i * 0.25);
        hale_json_builder_begin_array_field(b, HALE_STR_LIT("tags"));
        hale_json_builder_value(b, HALE_STR_LIT("a"));
        hale_json_builder_value(b, HALE_STR_LIT("b"));
        hale_json_builder_end_array(b);
        hale_json_builder_end_object(b);
    }
    hale_json_builder_end_array(b);
}

static void hale_build(void *arg) {
    hale_region *r = arg;
    hale_mark m = hale_region_mark(r);
    hale_json_builder b;
    hale_json_builder_init(&b, r);
    build_doc(&b);
    bench_sink = hale_json_builder_view(&b).len;
    hale_json_builder_destroy(&b);
    hale_region_reset(r, m);
}

typedef struct {
    char *buf;
    size_t len, cap;
} cbuf;

static void cbuf_put(cbuf *c, const char *s, size_t n) {
    if (c->len + n > c->cap) {
        while (c->len + n > c->cap) {
            c->cap = c->cap ? c->cap * 2 : 64;
        }
        c->buf = realloc(c->buf, c->cap);
        if (!c->buf) {
            abort();
        }
    }
    memcpy(c->buf + c->len, s, n);
    c->len += n;
}

static void c_build(void *arg) {
    (void)arg;
    cbuf c = {0};
    char obj[160];
    cbuf_put(&c, "[", 1);
    for (int i = 0; i < N; i++) {
        int n = snprintf(obj, sizeof obj,
                         "%s{\"id\":%d,\"name\":\"user-%d\",\"active\":%s,\"score\":%.17g,"
                         "\"tags\":[\"a\",\"b\"]}",
                         i ? "," : "", i, i, i % 3 == 0 ? "true" : "false", i * 0.25);
        cbuf_put(&c, obj, (size_t)n);
    }
    cbuf_put(&c, "]", 1);
    bench_sink = (int64_t)c.len;
    free(c.buf);
}

static void hale_parse(void *arg) {
    hale_region *r = arg;
    hale_mark m = hale_region_mark(r);
    hale_json *v = hale_json_parse(text.ptr, (size_t)text.len, r, NULL);
    if (!v || v->u.arr.len != N) {
        abort();
    }
    int64_t sum = 0;
    for (int64_t i = 0; i < v->u.arr.len; i++) {
        sum += hale_json_get(&v->u.arr.items[i], HALE_STR_LIT("id"))->u.i;
    }
    bench_sink = sum;
    hale_region_reset(r, m);
}

#ifdef HAVE_JANSSON
static void jansson_parse(void *arg) {
    (void)arg;
    json_error_t err;
    json_t *v = json_loadb(text.ptr, (size_t)text.len, 0, &err);
    if (!v || json_array_size(v) != N) {
        abort();
    }
    int64_t sum = 0;
    for (size_t i = 0; i < json_array_size(v); i++) {
        sum += json_integer_value(json_object_get(json_array_get(v, i), "id"));
    }
    bench_sink = sum;
    json_decref(v);
}
#endif

int main(void) {
    hale_region *r = hale_region_new(NULL, "bench");
    hale_json_builder b;
    hale_json_builder_init(&b, r);
    build_doc(&b);
    text = hale_json_builder_view(&b);
    hale_region *work = hale_region_new(NULL, "work");
    bench_report("json_build_hale", bench_best(7, hale_build, work));
    bench_report("json_build_c_snprintf", bench_best(7, c_build, NULL));
    bench_report("json_parse_hale", bench_best(7, hale_parse, work));
#ifdef HAVE_JANSSON
    bench_report("json_parse_jansson", bench_best(7, jansson_parse, NULL));
#endif
    hale_region_free(work);
    hale_region_free(r);
    return 0;
}
