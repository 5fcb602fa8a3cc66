/* libFuzzer entry point for std::http's text forms (http_text.c). For every input:
 *  - parse_request never crashes, and every field it answers is a view inside the input;
 *  - a header name taken from the input's first line is looked up in both header blocks, and
 *    what is found lies inside the block;
 *  - a Response made of the input's pieces is written with a head that ends in one blank line
 *    and a Content-Length equal to the body's length. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "std_http.h"
#include "str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(hale_str whole, hale_str part) {
    if (part.len < 0 ||
        (part.len && (part.ptr < whole.ptr || part.ptr + part.len > whole.ptr + whole.len))) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    hale_str raw = {(const char *)data, (int64_t)size};
    hale_http_request r;
    hale_http_parse_request(raw, &r);
    inside(raw, r.method);
    inside(raw, r.path);
    inside(raw, r.version);
    inside(raw, r.headers);
    inside(raw, r.body);
    const char *nl = memchr(raw.ptr, '\n', (size_t)raw.len);
    hale_str name = {raw.ptr, nl ? (int64_t)(nl - raw.ptr) : raw.len};
    inside(r.headers, hale_http_request_header(&r, name));
    inside(raw, hale_http_header_in(raw, name));

    hale_region *reg = hale_region_new(NULL, "fuzz");
    hale_http_response resp = {.status = (int64_t)(size * 37) - 50,
                               .content_type = r.method,
                               .headers = (hale_str){"", 0},
                               .body = r.body};
    hale_str text = hale_http_response_text(reg, &resp);
    int64_t head = hale_str_index_of(text, HALE_STR_LIT("\r\n\r\n"));
    if (head < 0 || text.len - head - 4 != r.body.len) {
        abort();
    }
    char cl[48];
    snprintf(cl, sizeof cl, "Content-Length: %lld\r\n", (long long)r.body.len);
    if (!hale_str_contains((hale_str){text.ptr, head + 2}, (hale_str){cl, (int64_t)strlen(cl)})) {
        abort();
    }
    hale_region_free(reg);
    return 0;
}
