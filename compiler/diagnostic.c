/* See diagnostic.h. */
#include "diagnostic.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ERRORS 100

typedef struct {
    const char *name;
    const char *text;
    size_t len;
} source;

typedef struct {
    hc_pos at;
    const char *msg;
} note;

struct hc_diag {
    hc_severity sev;
    hc_pos at;
    const char *msg;
    const char *check; /* hc_advisory: the analysis that gave it */
    HC_VEC(const char *) help;
    HC_VEC(note) notes;
    int seq;
    hc_arena *a;
};

struct hc_diags {
    hc_arena *a;
    HC_VEC(source) sources;
    HC_VEC(hc_diag *) all;
    int errors, warnings, dropped;
};

hc_diags *hc_diags_new(hc_arena *a) {
    hc_diags *d = HC_NEW(a, hc_diags);
    d->a = a;
    return d;
}

int hc_diag_add_source(hc_diags *d, const char *display, const char *text, size_t len) {
    source s = {hc_strdup(d->a, display), text, len};
    HC_PUSH(d->a, d->sources, s);
    return d->sources.n - 1;
}

const char *hc_diag_source_name(hc_diags *d, int file) {
    return file >= 0 && file < d->sources.n ? d->sources.v[file].name : "<unknown>";
}

const char *hc_diag_source_text(hc_diags *d, int file, size_t *len) {
    if (file < 0 || file >= d->sources.n) {
        *len = 0;
        return "";
    }
    *len = d->sources.v[file].len;
    return d->sources.v[file].text;
}

static hc_diag *add(hc_diags *d, hc_severity sev, hc_pos at, const char *fmt, va_list ap) {
    if (sev == HC_ERROR && d->errors >= MAX_ERRORS) {
        d->dropped++;
        d->errors++;
        return NULL;
    }
    hc_diag *g = HC_NEW(d->a, hc_diag);
    g->a = d->a;
    g->sev = sev;
    g->at = at;
    g->msg = hc_vsprintf(d->a, fmt, ap);
    g->seq = d->all.n;
    HC_PUSH(d->a, d->all, g);
    if (sev == HC_ERROR) {
        d->errors++;
    } else {
        d->warnings++;
    }
    return g;
}

hc_diag *hc_verror(hc_diags *d, hc_pos at, const char *fmt, va_list ap) {
    return add(d, HC_ERROR, at, fmt, ap);
}

hc_diag *hc_error(hc_diags *d, hc_pos at, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    hc_diag *g = add(d, HC_ERROR, at, fmt, ap);
    va_end(ap);
    return g;
}

hc_diag *hc_warning(hc_diags *d, hc_pos at, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    hc_diag *g = add(d, HC_WARNING, at, fmt, ap);
    va_end(ap);
    return g;
}

hc_diag *hc_advisory(hc_diags *d, const char *check, hc_pos at, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    hc_diag *g = add(d, HC_WARNING, at, fmt, ap);
    va_end(ap);
    g->check = check;
    return g;
}

hc_diag *hc_help(hc_diag *g, const char *fmt, ...) {
    if (!g) {
        return NULL;
    }
    va_list ap;
    va_start(ap, fmt);
    const char *s = hc_vsprintf(g->a, fmt, ap);
    va_end(ap);
    HC_PUSH(g->a, g->help, s);
    return g;
}

hc_diag *hc_note(hc_diag *g, hc_pos at, const char *fmt, ...) {
    if (!g) {
        return NULL;
    }
    va_list ap;
    va_start(ap, fmt);
    note n = {at, hc_vsprintf(g->a, fmt, ap)};
    va_end(ap);
    HC_PUSH(g->a, g->notes, n);
    return g;
}

int hc_diag_total(const hc_diags *d) {
    return d->all.n;
}

hc_diag *hc_diag_nth(const hc_diags *d, int i) {
    return i >= 0 && i < d->all.n ? d->all.v[i] : NULL;
}

int hc_error_count(const hc_diags *d) {
    return d->errors;
}

int hc_warning_count(const hc_diags *d) {
    return d->warnings;
}

int hc_pos_cmp(hc_pos a, hc_pos b) {
    if (a.file != b.file) {
        return a.file < b.file ? -1 : 1;
    }
    if (a.line != b.line) {
        return a.line < b.line ? -1 : 1;
    }
    return a.col < b.col ? -1 : a.col > b.col;
}

static int cmp_diag(const void *x, const void *y) {
    const hc_diag *a = *(hc_diag *const *)x, *b = *(hc_diag *const *)y;
    int c = hc_pos_cmp(a->at, b->at);
    return c ? c : a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* The text of line `line` (1-based) of `file`, without its newline; NULL past the end. */
static const char *line_text(hc_diags *d, int file, int line, int *len) {
    size_t n;
    const char *t = hc_diag_source_text(d, file, &n);
    const char *p = t, *end = t + n;
    if (line < 1) {
        return NULL;
    }
    for (int l = 1; l < line; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            return NULL;
        }
        p = nl + 1;
    }
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    *len = (int)((nl ? nl : end) - p);
    if (*len > 0 && p[*len - 1] == '\r') {
        (*len)--;
    }
    return p;
}

#define SNIPPET_WIDTH 100

/* The source line with a caret under `at`; a long line is cut to a window around the caret. */
void hc_diag_print_snippet(hc_diags *d, FILE *out, hc_pos at) {
    int len;
    const char *t = line_text(d, at.file, at.line, &len);
    if (!t) {
        return;
    }
    int col = at.col < 1 ? 1 : at.col;
    int from = 0, to = len;
    if (len > SNIPPET_WIDTH) {
        from = col - 1 - SNIPPET_WIDTH / 2;
        if (from < 0) {
            from = 0;
        }
        to = from + SNIPPET_WIDTH;
        if (to > len) {
            to = len;
            from = len - SNIPPET_WIDTH;
        }
    }
    fprintf(out, "%5d | %s", at.line, from > 0 ? "..." : "");
    for (int i = from; i < to; i++) {
        unsigned char c = (unsigned char)t[i];
        fputc(c == '\t' ? ' ' : (c < 32 ? '?' : c), out);
    }
    fputs(to < len ? "...\n      | " : "\n      | ", out);
    for (int i = from - (from > 0 ? 3 : 0) + 1; i < col; i++) {
        fputc(' ', out);
    }
    int w = at.len;
    if (col - 1 + w > to) {
        w = to - (col - 1);
    }
    if (w < 1) {
        w = 1;
    }
    fputc('^', out);
    for (int i = 1; i < w; i++) {
        fputc('~', out);
    }
    fputc('\n', out);
}

static void print_text(hc_diags *d, FILE *out, hc_diag *g) {
    if (g->at.file < 0) {
        fprintf(out, "hale: %s: %s\n", g->sev == HC_ERROR ? "error" : "warning", g->msg);
        for (int i = 0; i < g->help.n; i++) {
            fprintf(out, "help: %s\n", g->help.v[i]);
        }
        return;
    }
    fprintf(out, "%s:%d:%d: %s: %s\n", hc_diag_source_name(d, g->at.file), g->at.line, g->at.col,
            g->sev == HC_ERROR ? "error" : "warning", g->msg);
    hc_diag_print_snippet(d, out, g->at);
    for (int i = 0; i < g->notes.n; i++) {
        note *n = &g->notes.v[i];
        fprintf(out, "%s:%d:%d: note: %s\n", hc_diag_source_name(d, n->at.file), n->at.line,
                n->at.col, n->msg);
        hc_diag_print_snippet(d, out, n->at);
    }
    for (int i = 0; i < g->help.n; i++) {
        fprintf(out, "help: %s\n", g->help.v[i]);
    }
}

int hc_edit_distance(const char *a, const char *b) {
    size_t n = strlen(a), m = strlen(b);
    if (n > 40 || m > 40) {
        return 99;
    }
    int d[41][41];
    for (size_t i = 0; i <= n; i++) {
        d[i][0] = (int)i;
    }
    for (size_t j = 0; j <= m; j++) {
        d[0][j] = (int)j;
    }
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            int x = d[i - 1][j] + 1, y = d[i][j - 1] + 1;
            d[i][j] = c < x ? (c < y ? c : y) : (x < y ? x : y);
        }
    }
    return d[n][m];
}

void hc_json_string(hc_buf *b, const char *s) {
    hc_buf_put(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            hc_buf_puts(b, "\\\"");
            break;
        case '\\':
            hc_buf_puts(b, "\\\\");
            break;
        case '\n':
            hc_buf_puts(b, "\\n");
            break;
        case '\t':
            hc_buf_puts(b, "\\t");
            break;
        default:
            if (*p < 0x20) {
                hc_buf_printf(b, "\\u%04x", *p);
            } else {
                hc_buf_put(b, (const char *)p, 1);
            }
        }
    }
    hc_buf_put(b, "\"", 1);
}

static void print_json(hc_diags *d, FILE *out, hc_diag *g) {
    hc_buf b = {0};
    hc_buf_puts(&b, "{\"file\":");
    if (g->at.file < 0) {
        hc_buf_puts(&b, "null");
    } else {
        hc_json_string(&b, hc_diag_source_name(d, g->at.file));
    }
    hc_buf_printf(
        &b, ",\"line\":%d,\"col\":%d,\"len\":%d,\"severity\":\"%s\",\"message\":", g->at.line,
        g->at.col, g->at.len < 1 ? 1 : g->at.len, g->sev == HC_ERROR ? "error" : "warning");
    hc_json_string(&b, g->msg);
    if (g->check) {
        hc_buf_puts(&b, ",\"check\":");
        hc_json_string(&b, g->check);
    }
    if (g->help.n) {
        hc_buf_puts(&b, ",\"help\":");
        hc_json_string(&b, g->help.v[0]);
    }
    if (g->notes.n) {
        hc_buf_puts(&b, ",\"notes\":[");
        for (int i = 0; i < g->notes.n; i++) {
            note *n = &g->notes.v[i];
            hc_buf_printf(&b, "%s{\"file\":", i ? "," : "");
            hc_json_string(&b, hc_diag_source_name(d, n->at.file));
            hc_buf_printf(&b, ",\"line\":%d,\"col\":%d,\"message\":", n->at.line, n->at.col);
            hc_json_string(&b, n->msg);
            hc_buf_puts(&b, "}");
        }
        hc_buf_puts(&b, "]");
    }
    hc_buf_puts(&b, "}\n");
    fputs(hc_buf_cstr(&b), out);
    hc_buf_free(&b);
}

void hc_diags_print(hc_diags *d, FILE *out, int json, int warnings) {
    int n = d->all.n;
    if (n == 0) {
        return;
    }
    hc_diag **sorted = malloc((size_t)n * sizeof *sorted);
    if (!sorted) {
        return;
    }
    memcpy(sorted, d->all.v, (size_t)n * sizeof *sorted);
    qsort(sorted, (size_t)n, sizeof *sorted, cmp_diag);
    for (int i = 0; i < n; i++) {
        if (sorted[i]->sev == HC_WARNING && !warnings) {
            continue;
        }
        if (json) {
            print_json(d, out, sorted[i]);
        } else {
            print_text(d, out, sorted[i]);
        }
    }
    if (d->dropped && !json) {
        fprintf(out, "hale: %d more errors not shown\n", d->dropped);
    }
    free(sorted);
}
