/* Fuzz entry for what `hale serve --check` reads: the [serve] table and its processes on top of
 * the TOML reader. Any bytes either load into a spec whose every process has a name, something
 * to run, at least one replica and start order respecting `after`, or fail with one line that
 * starts with the file's name and, when it names a line, one that exists in the input. The file
 * is a memfd, read through /proc/self/fd. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int fd = -1;
    if (fd < 0 && (fd = memfd_create("hale.toml", 0)) < 0) {
        abort();
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size) {
        abort();
    }
    char path[64], err[1024];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    int lines = 1;
    for (size_t i = 0; i < size; i++) {
        lines += data[i] == '\n';
    }
    sv_spec s;
    if (sv_spec_load(path, &s, err, sizeof err) != 0) {
        size_t n = strlen(path);
        if (strncmp(err, path, n) != 0 || strchr(err, '\n')) {
            abort();
        }
        int line = 0;
        if (err[n] == ':' && sscanf(err + n + 1, "%d:", &line) == 1 && (line < 1 || line > lines)) {
            abort();
        }
        return 0;
    }
    for (size_t i = 0; i < s.nprocs; i++) {
        const sv_proc *p = &s.procs[i];
        if (!p->name[0] || (!p->program && !p->argv) || p->replicas < 1 ||
            sv_spec_find(&s, p->name) != p) {
            abort();
        }
        for (size_t a = 0; a < p->nafter; a++) { /* what it comes after starts before it */
            const sv_proc *dep = sv_spec_find(&s, p->after[a]);
            if (!dep || dep >= p) {
                abort();
            }
        }
    }
    sv_spec_free(&s);
    return 0;
}
