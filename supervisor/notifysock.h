/* The supervisor's end of systemd's notify protocol: a datagram socket per child, whose path
 * the child gets as $NOTIFY_SOCKET, and a parser for what arrives on it (KEY=VALUE lines:
 * READY=1, STOPPING=1, WATCHDOG=1, WATCHDOG=trigger, WATCHDOG_USEC=, STATUS=). One socket per
 * child means a message's sender is known without trusting anything in it. */
#ifndef HALE_SUPERVISOR_NOTIFYSOCK_H
#define HALE_SUPERVISOR_NOTIFYSOCK_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int ready;             /* READY=1 */
    int stopping;          /* STOPPING=1 */
    int watchdog;          /* WATCHDOG=1 */
    int watchdog_trigger;  /* WATCHDOG=trigger: fail now */
    int64_t watchdog_usec; /* WATCHDOG_USEC=N, or -1 */
    int has_status;
    char status[160]; /* STATUS=..., truncated, control characters replaced */
} sv_notify_msg;

/* Creates a non-blocking datagram socket bound at `path` (replacing a stale file), mode 0600.
 * Returns the fd or -1 with errno set. */
int sv_notify_open(const char *path);

/* Reads one pending datagram into *m. Returns 1 when one was read, 0 when none is pending, -1
 * on error. File descriptors passed along with a message are closed, never kept. */
int sv_notify_recv(int fd, sv_notify_msg *m);

/* Parses the n bytes of one datagram. Unknown keys are ignored, as systemd does. */
void sv_notify_parse(const char *buf, size_t n, sv_notify_msg *m);

#endif
