/* Fuzz entry for the duration parser: any bytes either parse to a non-negative value that
 * formats and re-parses to itself, or fail with a message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    int64_t ns = 0;
    char err[128];
    if (cfg_duration_parse((const char *)data, size, &ns, err, sizeof err) == 0) {
        char buf[64];
        int64_t again = -1;
        if (ns < 0) {
            abort();
        }
        cfg_duration_format(ns, buf, sizeof buf);
        if (cfg_duration_parse(buf, strlen(buf), &again, err, sizeof err) != 0 || again != ns) {
            abort();
        }
    }
    return 0;
}
