/* libFuzzer target: Hale's route lines (routes_lines.c). Any input either parses into routes or
 * is reported; nothing it contains may crash the reader or escape a route's fixed fields. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "routes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    tp_routes r;
    char err[512];
    if (tp_routes_parse_lines("fuzz", (const char *)data, size, NULL, &r, err, sizeof err) == 0) {
        for (size_t i = 0; i < r.n; i++) {
            if (!memchr(r.routes[i].subject, '\0', sizeof r.routes[i].subject) ||
                !memchr(r.routes[i].url, '\0', sizeof r.routes[i].url)) {
                __builtin_trap();
            }
        }
        tp_routes_free(&r);
    }
    return 0;
}
