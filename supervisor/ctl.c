/* `hale ctl`: finds the control socket of a running `hale serve` (from the same FILE, or a
 * given path), sends one command and prints the reply. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "serve.h"
#include "spec.h"

static int send_command(const char *path, const char *cmd) {
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path) {
        fprintf(stderr, "hale ctl: control socket path %s is too long\n", path);
        return 1;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int e = errno;
        fprintf(stderr, "hale ctl: cannot reach hale serve at %s: %s%s\n", path, strerror(e),
                e == EACCES || e == EPERM
                    ? " (only the user serve runs as, and root, may control it)"
                    : " (is it running?)");
        if (fd >= 0) {
            close(fd);
        }
        return 1;
    }
    char line[600];
    int n = snprintf(line, sizeof line, "%s\n", cmd);
    if (send(fd, line, (size_t)n, MSG_NOSIGNAL) != n) {
        fprintf(stderr, "hale ctl: sending to %s: %s\n", path, strerror(errno));
        close(fd);
        return 1;
    }
    shutdown(fd, SHUT_WR);
    char buf[8192];
    ssize_t got;
    int first = 1, failed = 0;
    while ((got = read(fd, buf, sizeof buf)) > 0) {
        if (first && got >= 7 && memcmp(buf, "error: ", 7) == 0) {
            failed = 1;
        }
        first = 0;
        fwrite(buf, 1, (size_t)got, failed ? stderr : stdout);
    }
    close(fd);
    if (first) {
        fprintf(stderr, "hale ctl: hale serve at %s closed the connection without a reply\n", path);
        return 1;
    }
    return failed;
}

int sv_ctl(const char *file, const char *socket_path, const char *cmd) {
    if (socket_path) {
        return send_command(socket_path, cmd);
    }
    char err[1024];
    char *control = sv_spec_control_path(file, err, sizeof err);
    if (!control) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    int rc = send_command(control, cmd);
    free(control);
    return rc;
}
