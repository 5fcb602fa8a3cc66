#include "home.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int exists(const char *dir, const char *name) {
    char path[8192];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

/* Drops the last path component in place ("/a/b/c" -> "/a/b"). */
static void dirname_inplace(char *path) {
    char *slash = strrchr(path, '/');
    if (slash == path) {
        slash[1] = '\0';
    } else if (slash) {
        *slash = '\0';
    }
}

int hc_home_find(hc_home *home, char *err, size_t errlen) {
    const char *env = getenv("HALE_HOME");
    if (env && *env) {
        snprintf(home->root, sizeof home->root, "%s", env);
    } else {
        ssize_t n = readlink("/proc/self/exe", home->root, sizeof home->root - 1);
        if (n <= 0) {
            snprintf(err, errlen, "cannot locate the hale executable (/proc/self/exe)");
            return -1;
        }
        home->root[n] = '\0';
        dirname_inplace(home->root); /* .../bin */
        dirname_inplace(home->root); /* ... */
    }
    snprintf(home->include, sizeof home->include, "%s/include", home->root);
    snprintf(home->lib, sizeof home->lib, "%s/lib/hale", home->root);
    if (!exists(home->lib, "libhale.a") || !exists(home->include, "hale/fatal.h")) {
        snprintf(err, errlen,
                 "runtime not found under %s (expected lib/hale/libhale.a and include/hale/); "
                 "set HALE_HOME to the directory hale was installed into",
                 home->root);
        return -1;
    }
    return 0;
}
