/* libFuzzer entry point for std::json's text readers (json_scan.h). The input's first line is a
 * key, the rest a document. For every input:
 *  - no reader crashes or reads outside the document, whatever the bytes;
 *  - every raw result is a view inside the document, every range lies within it, and the
 *    cursors move strictly forward (so every walk ends);
 *  - when the strict parser (json.h) accepts the document: an object's cursor visits exactly its
 *    members, in order, and each member found by key has the value the strict parser decodes
 *    for its first occurrence; an array's cursor visits exactly its elements. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "json_scan.h"
#include "str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(hale_str doc, hale_str part) {
    if (part.len && (part.ptr < doc.ptr || part.ptr + part.len > doc.ptr + doc.len)) {
        abort();
    }
}

static void in_range(hale_str doc, int64_t a, int64_t b) {
    if (a < 0 || b < a || b > doc.len) {
        abort();
    }
}

static void walk_array(hale_region *r, hale_str doc, hale_str key, const hale_json *tree) {
    hale_json_array_span it;
    int64_t n = 0, last = -1;
    for (hale_json_array_first_span(doc, &it); !it.done; hale_json_array_next_span(&it, doc, &it)) {
        in_range(doc, it.start, it.end_pos);
        if (it.start <= last || it.next < it.end_pos) {
            abort();
        }
        last = it.start;
        inside(doc, hale_json_iter_substring(&it, doc));
        inside(doc, hale_json_iter_find_field_raw(&it, doc, key));
        hale_json_iter_find_string_field(r, &it, doc, key);
        hale_json_iter_find_int_field(&it, doc, key);
        hale_json_field_range fr;
        hale_json_iter_find_string_field_range(&it, doc, key, &fr);
        if (fr.ok) {
            in_range(doc, fr.start, fr.end_pos);
        }
        n++;
    }
    if (tree && tree->kind == HALE_JSON_ARRAY && n != tree->u.arr.len) {
        abort();
    }
    hale_json_array_iter ai;
    int64_t m = 0;
    for (hale_json_array_first(doc, &ai); !ai.done; hale_json_array_next(&ai, &ai)) {
        inside(doc, ai.element);
        m++;
    }
    if (m != n) {
        abort();
    }
}

static void walk_object(hale_region *r, hale_str doc, const hale_json *tree) {
    hale_json_object_span it;
    int64_t n = 0, last = -1;
    for (hale_json_object_first(doc, &it); !it.done; hale_json_object_next(&it, doc, &it)) {
        in_range(doc, it.key_start, it.key_end);
        in_range(doc, it.value_start, it.value_end);
        if (it.key_start <= last || it.value_start < it.key_end || it.next < it.value_end) {
            abort();
        }
        last = it.key_start;
        hale_str key = hale_json_obj_key_string(r, &it, doc);
        if (!hale_json_obj_key_eq(&it, doc, key) && tree) {
            abort(); /* a decoded key matches itself (when the document is valid) */
        }
        inside(doc, hale_json_obj_value_raw(&it, doc));
        if (tree && tree->kind == HALE_JSON_OBJECT) {
            if (n >= tree->u.obj.len) {
                abort();
            }
            const hale_json_member *mem = &tree->u.obj.members[n];
            if (!hale_str_eq(mem->key, key)) {
                abort();
            }
            /* the first member with this key is the one find_field_raw answers */
            int64_t first = 0;
            while (!hale_str_eq(tree->u.obj.members[first].key, key)) {
                first++;
            }
            if (first == n) {
                hale_str raw = hale_json_find_field_raw(doc, key);
                if (raw.ptr != doc.ptr + it.value_start) {
                    abort();
                }
                const hale_json *v = &mem->value;
                if (v->kind == HALE_JSON_STRING &&
                    !hale_str_eq(hale_json_find_string_field(r, doc, key), v->u.s)) {
                    abort();
                }
                if (v->kind == HALE_JSON_INT && hale_json_find_int_field(doc, key) != v->u.i) {
                    abort();
                }
                if (v->kind == HALE_JSON_BOOL && hale_json_find_bool_field(doc, key) != v->u.b) {
                    abort();
                }
            }
        }
        n++;
    }
    if (tree && tree->kind == HALE_JSON_OBJECT && n != tree->u.obj.len) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    hale_str key = {text, nl ? (int64_t)(nl - text) : 0};
    hale_str doc = nl ? (hale_str){nl + 1, (int64_t)(size - (size_t)(nl - text) - 1)}
                      : (hale_str){text, (int64_t)size};
    hale_region *r = hale_region_new(NULL, "fuzz");
    const hale_json *tree = hale_json_parse(doc.ptr, (size_t)doc.len, r, NULL);
    inside(doc, hale_json_find_field_raw(doc, key));
    inside(doc, hale_json_find_field_raw_in(doc, key, key.len, doc.len - key.len));
    hale_json_find_string_field(r, doc, key);
    walk_array(r, doc, key, tree);
    walk_object(r, doc, tree);
    hale_str esc = hale_json_escape(r, key), back;
    if (!hale_json_unescape(r, esc, &back) || !hale_str_eq(back, key)) {
        abort();
    }
    hale_json_unescape_or_self(r, doc);
    hale_region_free(r);
    return 0;
}
