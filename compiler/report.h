/* Advisory reports: what an analysis of `hale check` says about a program that has no errors.
 *
 * A report is a list of items, each at a place in the source, with a one-line message, `help:`
 * lines and named fields for tools. Printed as text, an item looks like a diagnostic (diagnostic.h):
 * `file:line:col: <label>: message`, the source line with a caret, then the help lines; printed
 * as JSON, it is one object per line: file, line, col, then its fields in the order they were
 * added (an item that sets no "message" field gets one from its message, and likewise "help").
 * Items are printed sorted by place, so a report reads top to bottom like the program. The
 * escape report (escape_report.c) is one user; the accumulation, resource and budget analyses
 * use the same calls. */
#ifndef HALE_COMPILER_REPORT_H
#define HALE_COMPILER_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "diagnostic.h"

typedef struct hc_report hc_report;
typedef struct hc_advice hc_advice;

/* `label` is the word after the place in text output ("note", "warning"). */
hc_report *hc_report_new(hc_arena *a, hc_diags *d, const char *label);

hc_advice *hc_advise(hc_report *r, hc_pos at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void hc_advice_help(hc_advice *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Named fields for JSON (text output shows only the message and help). */
void hc_advice_str(hc_advice *g, const char *key, const char *value);
void hc_advice_int(hc_advice *g, const char *key, int64_t value);

int hc_report_count(const hc_report *r);

/* Every item, sorted by place: text or one JSON object per line. */
void hc_report_print(hc_report *r, FILE *out, int json);

#endif
