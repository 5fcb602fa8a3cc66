/* Telling a supervisor how a compiled Hale program is doing, over systemd's notify protocol: one
 * datagram of KEY=VALUE lines to the socket named by $NOTIFY_SOCKET. `hale serve` and systemd
 * (Type=notify) both hand that socket to the programs they start, so a program behaves the same
 * under either and does nothing at all when started by hand (no NOTIFY_SOCKET).
 *
 * The runtime calls these at three points of the program's life:
 *   hale_notify_ready()     once `main`'s children are born (birth complete: ready to serve);
 *   hale_notify_stopping()  when drain begins (SIGTERM/SIGINT received, shutdown started);
 *   hale_notify_watchdog()  from the main loop, every hale_notify_watchdog_interval_ns(), e.g.
 *                           from a repeating libev timer on the main loop when the interval is
 *                           non-zero, so a wedged loop stops the pings and gets restarted.
 *
 * Every call opens, sends on and closes its own socket, so calls are safe from any thread. Each
 * returns 1 when a message was sent, 0 when NOTIFY_SOCKET is unset (nothing to do), and -1 with
 * errno set when sending failed; a program should carry on either way. */
#ifndef HALE_RUNTIME_NOTIFY_H
#define HALE_RUNTIME_NOTIFY_H

#include <stdint.h>

int hale_notify_ready(void);
int hale_notify_stopping(void);
int hale_notify_watchdog(void);

/* "STATUS=<text>": a one-line human-readable state ("serving 12 connections"); shown by
 * `hale ctl status` and `systemctl status`. Newlines in text are sent as spaces. */
int hale_notify_status(const char *text);

/* How often to call hale_notify_watchdog(): half of $WATCHDOG_USEC, or 0 when no watchdog was
 * asked for (unset, malformed, or $WATCHDOG_PID names another process). */
int64_t hale_notify_watchdog_interval_ns(void);

/* Sends `message` (KEY=VALUE lines) as is. The primitive the functions above use. */
int hale_notify_send(const char *message);

#endif
