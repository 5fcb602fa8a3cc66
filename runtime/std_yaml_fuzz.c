/* libFuzzer entry point for std::yaml's Reader (the tree walk and the subtree emitter around
 * libyaml). The input's first line is a key, the rest a document. For every input: nothing
 * crashes or leaks; every subtree the Reader hands out (list_item, nested) is YAML that a new
 * Reader loads without an error, recursively to a bounded depth. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "std_yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(hale_region *r, hale_str text, hale_str key, int depth) {
    hale_yaml_reader y;
    hale_yaml_reader_init(&y, text);
    hale_yaml_reader_scalar(&y, key, r);
    hale_yaml_reader_has(&y, key);
    hale_yaml_reader_error(&y, r);
    int64_t n = hale_yaml_reader_list_count(&y, key);
    for (int64_t i = -1; i <= n && i < 4; i++) {
        hale_str item = hale_yaml_reader_list_item(&y, key, i, r);
        if ((i < 0 || i >= n) && item.len) {
            abort();
        }
        if (item.len && depth < 3) {
            hale_yaml_reader sub;
            hale_yaml_reader_init(&sub, item);
            if (sub.error[0]) {
                abort(); /* what we emit must load */
            }
            hale_yaml_reader_dissolve(&sub);
            walk(r, item, key, depth + 1);
        }
    }
    hale_str nested = hale_yaml_reader_nested(&y, key, r);
    if (nested.len && depth < 3) {
        walk(r, nested, key, depth + 1);
    }
    hale_yaml_reader_dissolve(&y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    hale_str key = {text, nl ? (int64_t)(nl - text) : 0};
    hale_str doc = nl ? (hale_str){nl + 1, (int64_t)(size - (size_t)(nl - text) - 1)}
                      : (hale_str){text, (int64_t)size};
    hale_region *r = hale_region_new(NULL, "fuzz");
    walk(r, doc, key, 0);
    hale_region_free(r);
    return 0;
}
