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

/* std::process::rss_bytes is hale_process_rss_bytes in diag.c (with the other counters). */
