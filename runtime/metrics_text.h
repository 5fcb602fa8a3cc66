/* The Prometheus text exposition format (version 0.0.4), written: what `hale serve` and a
 * compiled program answer on `/metrics`.
 *
 * A scrape is a handful of *families* (one `# HELP` and one `# TYPE` line, then every sample of
 * that name, one per label set) built into a growable text. The writer keeps the rules a strict
 * parser checks, so callers cannot get them wrong: names are checked against the format's
 * grammar (a bad one is skipped and counted in `bad`), label values are escaped (`\\`, `\"`,
 * `\n`), HELP text is escaped (`\\`, `\n`), and a family is opened once with its type before its
 * samples. Values are integers (counters, byte counts) or floats (seconds).
 *
 *     hale_mtext t = {0};
 *     hale_metric_family(&t, "hale_bus_published_total", "counter", "Publishes per topic.");
 *     hale_metric_int(&t, "hale_bus_published_total", 12, "topic", "chat.said", NULL);
 *     ... t.p holds t.len bytes; hale_mtext_free(&t);
 *
 * Names follow Prometheus's conventions: base units (seconds, bytes), `_total` on counters,
 * `_seconds` / `_bytes` suffixes. Memory comes from hale_sys_* (counted by std::diag). */
#ifndef HALE_RUNTIME_METRICS_TEXT_H
#define HALE_RUNTIME_METRICS_TEXT_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *p; /* NUL-terminated while len > 0 */
    size_t len, cap;
    int oom; /* an append could not grow the text: the scrape is incomplete */
    int bad; /* names or label names that broke the grammar and were left out */
} hale_mtext;

void hale_mtext_free(hale_mtext *t);
void hale_mtext_append(hale_mtext *t, const char *s, size_t n);
void hale_mtext_printf(hale_mtext *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* `[a-zA-Z_:][a-zA-Z0-9_:]*` for metric names; labels the same without ':' and not starting
 * with "__" (reserved). */
int hale_metric_name_ok(const char *name);
int hale_metric_label_ok(const char *label);

/* "# HELP name help" (left out when help is NULL or empty) and "# TYPE name type" (counter,
 * gauge, untyped). */
void hale_metric_family(hale_mtext *t, const char *name, const char *type, const char *help);

/* One sample: `name{k="v",...} value`. The labels are (key, value) string pairs ending with a
 * NULL key; a NULL value is written as "". */
void hale_metric_int(hale_mtext *t, const char *name, int64_t value, ...) __attribute__((sentinel));
void hale_metric_float(hale_mtext *t, const char *name, double value, ...)
    __attribute__((sentinel));

#endif
