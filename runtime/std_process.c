/* std::process (see std.h). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "io.h"
#include "std.h"

void hale_process_exit(int64_t code) {
    hale_out_flush();
    exit((int)(code & 0xff));
}

int64_t hale_process_pid(void) {
    return (int64_t)getpid();
}

int64_t hale_process_rss_bytes(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) {
        return -1;
    }
    long long size = 0, resident = 0;
    int n = fscanf(f, "%lld %lld", &size, &resident);
    fclose(f);
    if (n != 2) {
        return -1;
    }
    return (int64_t)resident * (int64_t)sysconf(_SC_PAGESIZE);
}
