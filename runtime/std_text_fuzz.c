/* libFuzzer entry point for the standard library's small text readers we own: ISO 8601 times
 * (std_time.c), http(s) URLs (http_client.c), integers and floats (str.c), and base64 through
 * libsodium's decoder (std_codec.c). For every input:
 *  - parse_iso8601 and can_parse_iso8601 agree; a time it reads, written back with
 *    time_from_unix (years 1000-9999), reads back as the same second;
 *  - parse_url answers an http or https scheme, a non-empty host, a port in 1-65535 and a path
 *    starting with '/', or fails with a kind and nothing filled in;
 *  - parse_int and can_parse_int agree, and a read Int prints and reads back as itself;
 *  - base64 that decodes encodes back to text that decodes to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "std.h"
#include "std_codec.h"
#include "std_http.h"
#include "str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_time(hale_region *r, hale_str s) {
    int64_t t;
    bool ok = hale_time_parse_iso8601(s, &t);
    if (ok != hale_time_can_parse_iso8601(s)) {
        abort();
    }
    if (!ok || t < -30610224000 || t > 253402300799) { /* 1000-01-01 .. 9999-12-31 */
        return;
    }
    int64_t again;
    if (!hale_time_parse_iso8601(hale_time_from_unix(r, t), &again) || again != t) {
        abort();
    }
}

static void check_url(hale_region *r, hale_str s) {
    hale_http_url u;
    hale_http_error e = {{"", 0}, {"", 0}};
    if (!hale_http_parse_url(r, s, &u, &e)) {
        if (e.kind.len == 0 || u.host.len != 0 || u.port != 0) {
            abort();
        }
        return;
    }
    if (!(hale_str_eq(u.scheme, HALE_STR_LIT("http")) ||
          hale_str_eq(u.scheme, HALE_STR_LIT("https"))) ||
        u.host.len == 0 || u.port < 1 || u.port > 65535 || u.path.len == 0 ||
        u.path.ptr[0] != '/') {
        abort();
    }
}

static void check_int(hale_region *r, hale_str s) {
    int64_t v;
    bool ok = hale_str_parse_int(s, &v);
    if (ok != hale_str_can_parse_int(s)) {
        abort();
    }
    int64_t again;
    if (ok && (!hale_str_parse_int(hale_str_from_int(r, v), &again) || again != v)) {
        abort();
    }
    double f;
    hale_str_parse_float(s, &f);
}

static void check_base64(hale_region *r, hale_str s) {
    hale_bytes b = hale_base64_decode(r, s);
    if (b.len == 0) {
        return;
    }
    hale_bytes back = hale_base64_decode(r, hale_base64_encode(r, b));
    if (back.len != b.len || memcmp(back.ptr, b.ptr, (size_t)b.len) != 0) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    hale_str s = {(const char *)data, (int64_t)size};
    hale_region *r = hale_region_new(NULL, "fuzz");
    check_time(r, s);
    check_url(r, s);
    check_int(r, s);
    check_base64(r, s);
    hale_region_free(r);
    return 0;
}
