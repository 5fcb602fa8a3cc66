/* libFuzzer entry point for the JSON parser and builder. For every input:
 *  - parsing never crashes, whatever the bytes;
 *  - a document that parses is written back through the builder without a builder error, the
 *    output parses again to an equal tree, and writing that tree gives the same text;
 *  - the input taken as one string value is escaped by the builder so that, when the result
 *    parses (the input was valid UTF-8), it decodes to exactly the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    hale_region *r = hale_region_new(NULL, "fuzz");
    hale_json_error err;
    hale_json *v = hale_json_parse((const char *)data, size, r, &err);
    if (v) {
        hale_json_builder b;
        hale_json_builder_init(&b, r);
        hale_json_builder_write(&b, v);
        if (hale_json_builder_error(&b)) {
            abort();
        }
        hale_str text = hale_json_builder_result(&b, r);
        hale_json *again = hale_json_parse(text.ptr, (size_t)text.len, r, &err);
        if (!again || !hale_json_equal(v, again)) {
            abort();
        }
        hale_json_builder_reset(&b);
        hale_json_builder_write(&b, again);
        hale_str text2 = hale_json_builder_view(&b);
        if (text2.len != text.len || memcmp(text2.ptr, text.ptr, (size_t)text.len) != 0) {
            abort();
        }
    } else if (err.line < 1 || err.col < 1 || err.offset < 0 || (size_t)err.offset > size) {
        abort();
    }
    hale_json_builder s;
    hale_json_builder_init(&s, r);
    hale_json_builder_string_value(&s, (hale_str){(const char *)data, (int64_t)size});
    hale_str quoted = hale_json_builder_view(&s);
    hale_json *back = hale_json_parse(quoted.ptr, (size_t)quoted.len, r, NULL);
    if (back && (back->kind != HALE_JSON_STRING || (size_t)back->u.s.len != size ||
                 (size && memcmp(back->u.s.ptr, data, size) != 0))) {
        abort();
    }
    hale_region_free(r);
    return 0;
}
