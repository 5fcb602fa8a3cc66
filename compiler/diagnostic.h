/* Diagnostics: every message the compiler gives about a program.
 *
 * A diagnostic names its place as file:line:col, says what is wrong in the program's own names,
 * shows the source line with a caret under the offending text, and may carry a `help:` line and
 * notes pointing at related places (a previous declaration). Phases report as many errors as
 * they can; the driver prints them sorted by position, as text or (--json) one JSON object per
 * line. Sources are registered here so that every phase can turn a position into a line. */
#ifndef HALE_COMPILER_DIAGNOSTIC_H
#define HALE_COMPILER_DIAGNOSTIC_H

#include <stdio.h>

#include "arena.h"

/* A place in a source: file id (from hc_diag_add_source), 1-based line and column (bytes), and
 * the length of the text to underline (at least 1 when printed). */
typedef struct {
    int file;
    int line;
    int col;
    int len;
} hc_pos;

typedef enum { HC_ERROR, HC_WARNING } hc_severity;

typedef struct hc_diag hc_diag;
typedef struct hc_diags hc_diags;

hc_diags *hc_diags_new(hc_arena *a);

/* Registers a source text; `display` is how the file is named in messages (as given on the
 * command line or relative to it). The text must outlive the diagnostics. */
int hc_diag_add_source(hc_diags *d, const char *display, const char *text, size_t len);
const char *hc_diag_source_name(hc_diags *d, int file);
const char *hc_diag_source_text(hc_diags *d, int file, size_t *len);

hc_diag *hc_error(hc_diags *d, hc_pos at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
hc_diag *hc_verror(hc_diags *d, hc_pos at, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
hc_diag *hc_warning(hc_diags *d, hc_pos at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* An advisory warning of one of `hale check`'s analyses (DESIGN.md section 9): a warning like
 * any other, tagged with the name of the check that gave it (`unbounded-alloc`, the flag's
 * spelling), which --json prints as "check" so tools can sort findings by analysis. */
hc_diag *hc_advisory(hc_diags *d, const char *check, hc_pos at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Adds a `help:` line; returns `g` so calls can chain. Safe on NULL (a suppressed message). */
hc_diag *hc_help(hc_diag *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds a note at another place ("previous declaration here"). */
hc_diag *hc_note(hc_diag *g, hc_pos at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

int hc_error_count(const hc_diags *d);
/* Every diagnostic so far, in the order they were made: how many, and the i-th (NULL past the
 * end), so a phase can add a note to the ones a step of it gave. */
int hc_diag_total(const hc_diags *d);
hc_diag *hc_diag_nth(const hc_diags *d, int i);
int hc_warning_count(const hc_diags *d);

/* Prints every diagnostic sorted by position: text (with source line and caret) or JSON lines.
 * Warnings are left out when `warnings` is 0. */
void hc_diags_print(hc_diags *d, FILE *out, int json, int warnings);

/* Orders places by file, line, column (-1, 0, 1): how every report is sorted. */
int hc_pos_cmp(hc_pos a, hc_pos b);

/* The source line of `at` with a caret under it (as under every diagnostic); nothing when the
 * place has no source line. For other reports that point into the program (report.h). */
void hc_diag_print_snippet(hc_diags *d, FILE *out, hc_pos at);

/* Edit distance between two names, for `help: did you mean`; 99 when either is longer than 40
 * bytes. */
int hc_edit_distance(const char *a, const char *b);

/* Appends `s` to `buf` as a JSON string literal (quotes included). */
void hc_json_string(hc_buf *buf, const char *s);

#endif
