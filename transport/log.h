/* Where the transport's diagnostics go: stderr by default, or a sink the runtime installs so
 * they join its own log. Lines carry no trailing newline. */
#ifndef HALE_TRANSPORT_LOG_H
#define HALE_TRANSPORT_LOG_H

typedef void (*tp_log_fn)(void *ctx, const char *line);

/* Installs `fn` (NULL restores stderr). Call before opening bindings. */
void tp_log_set(tp_log_fn fn, void *ctx);

/* Formats one line, prefixed "hale: bus: ". */
void tp_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
