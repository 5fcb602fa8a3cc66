/* IoError: how every fallible I/O operation of the runtime reports failure.
 *
 * Hale's `IoError` has a `kind` (an errno-derived tag such as "connection_refused"), the raw
 * `errno`, and a `path` (the file path or connection target, empty for operations on an open
 * socket). Generated code turns a failed call into that record for the `or` at the call site;
 * C callers can print `message`, which names the operation and the target. */
#ifndef HALE_RUNTIME_IOERROR_H
#define HALE_RUNTIME_IOERROR_H

typedef struct {
    int err;           /* errno value; 0 when no error was recorded */
    const char *kind;  /* static tag, see hale_io_kind */
    char path[128];    /* target of the operation ("127.0.0.1:8080"), may be empty */
    char message[224]; /* "connect 127.0.0.1:8080: Connection refused" */
} hale_io_error;

/* The Hale tag for an errno value: "not_found", "permission_denied", "already_exists",
 * "would_block", "connection_refused", "connection_reset", "connection_aborted", "timeout",
 * "host_unreachable", "network_unreachable", "address_in_use", "address_not_available",
 * "broken_pipe", "interrupted", "cancelled", "invalid", "too_many_open_files",
 * "not_connected", "out_of_memory", "is_dir", "protocol" (a peer that does not speak the protocol:
 * a failed TLS handshake), or "io" for anything else. */
const char *hale_io_kind(int err);

/* Fills `e` (when not NULL) for a failure of `op` on `path` (may be NULL or empty). */
void hale_io_error_set(hale_io_error *e, int err, const char *op, const char *path);

#endif
