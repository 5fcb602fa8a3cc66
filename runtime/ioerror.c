/* See ioerror.h. */
#include "ioerror.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *hale_io_kind(int err) {
    switch (err) {
    case ENOENT:
        return "not_found";
    case EACCES:
    case EPERM:
        return "permission_denied";
    case EEXIST:
        return "already_exists";
    case EAGAIN:
        return "would_block";
    case ECONNREFUSED:
        return "connection_refused";
    case ECONNRESET:
        return "connection_reset";
    case ECONNABORTED:
        return "connection_aborted";
    case ETIMEDOUT:
        return "timeout";
    case EHOSTUNREACH:
        return "host_unreachable";
    case ENETUNREACH:
        return "network_unreachable";
    case EADDRINUSE:
        return "address_in_use";
    case EADDRNOTAVAIL:
        return "address_not_available";
    case EPIPE:
        return "broken_pipe";
    case EINTR:
        return "interrupted";
    case ECANCELED:
        return "cancelled";
    case EINVAL:
        return "invalid";
    case EMFILE:
    case ENFILE:
        return "too_many_open_files";
    case ENOTCONN:
        return "not_connected";
    case ENOMEM:
    case ENOBUFS:
        return "out_of_memory";
    case EISDIR:
        return "is_dir";
    case EPROTO:
        return "protocol";
    default:
        return "io";
    }
}

void hale_io_error_set(hale_io_error *e, int err, const char *op, const char *path) {
    if (!e) {
        return;
    }
    e->err = err;
    e->kind = hale_io_kind(err);
    snprintf(e->path, sizeof e->path, "%s", path ? path : "");
    char buf[128];
    const char *what = strerror_r(err, buf, sizeof buf);
    if (e->path[0]) {
        snprintf(e->message, sizeof e->message, "%s %s: %s", op, e->path, what);
    } else {
        snprintf(e->message, sizeof e->message, "%s: %s", op, what);
    }
}
