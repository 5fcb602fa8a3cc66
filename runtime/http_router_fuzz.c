/* Fuzz target: route patterns against request targets. The input is split at its first newline
 * into a pattern and a target; whatever they hold, the checker, the target split, the matcher
 * and the query reader stay in bounds, and agree: the checker says why exactly when it refuses,
 * a miss leaves no captures, and a pattern the checker accepts matches with as many captures as
 * it declares, each a non-empty piece of the path without '/'. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    const char *nl = memchr(s, '\n', size);
    hale_str pattern = {s, nl ? nl - s : (int64_t)size};
    hale_str target =
        nl ? (hale_str){nl + 1, (int64_t)(size - (size_t)(nl - s) - 1)} : (hale_str){"/", 1};
    const char *why = NULL;
    int n = hale_route_pattern_check(pattern, &why);
    if ((n < 0) != (why != NULL) || n > HALE_ROUTE_MAX_CAPTURES) {
        abort();
    }
    hale_str path, query;
    hale_route_split_target(target, &path, &query);
    if (path.len + query.len + (query.len || memchr(target.ptr, '?', (size_t)target.len)) !=
        target.len) {
        abort();
    }
    hale_route_captures caps;
    bool hit = hale_route_match(pattern, path, &caps);
    if (!hit && caps.n != 0) {
        abort();
    }
    if (hit && n >= 0) {
        if (caps.n != n) {
            abort();
        }
        for (int i = 0; i < caps.n; i++) {
            if (caps.value[i].len <= 0 ||
                memchr(caps.value[i].ptr, '/', (size_t)caps.value[i].len) ||
                caps.value[i].ptr < path.ptr ||
                caps.value[i].ptr + caps.value[i].len > path.ptr + path.len) {
                abort();
            }
        }
    }
    /* the query reader stays inside the query for any name */
    hale_http_route_params params = {{"", 0}, query};
    hale_str v = hale_http_query_param(&params, (hale_str){"a", 1});
    if (v.len && (v.ptr < query.ptr || v.ptr + v.len > query.ptr + query.len)) {
        abort();
    }
    return 0;
}
