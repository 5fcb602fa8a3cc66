/* The entry of a sequential program (see std.h): argv for std::env, output set up, and the
 * final flush. */
#include "io.h"
#include "std.h"

void hale_env_init(int argc, char **argv);

void hale_start(int argc, char **argv) {
    hale_env_init(argc, argv);
    hale_out_init();
}

static int exit_status;

void hale_set_exit_status(int64_t code) {
    exit_status = (int)(code & 0xff);
}

int hale_finish(void) {
    hale_out_flush();
    return exit_status;
}
