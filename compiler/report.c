/* See report.h. */
#include "report.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *key;
    const char *str; /* NULL: an integer */
    int64_t num;
} field;

struct hc_advice {
    hc_pos at;
    const char *msg;
    HC_VEC(const char *) help;
    HC_VEC(field) fields;
    int seq;
    hc_arena *a;
};

struct hc_report {
    hc_arena *a;
    hc_diags *d;
    const char *label;
    HC_VEC(hc_advice *) items;
};

hc_report *hc_report_new(hc_arena *a, hc_diags *d, const char *label) {
    hc_report *r = HC_NEW(a, hc_report);
    r->a = a;
    r->d = d;
    r->label = label;
    return r;
}

hc_advice *hc_advise(hc_report *r, hc_pos at, const char *fmt, ...) {
    hc_advice *g = HC_NEW(r->a, hc_advice);
    g->a = r->a;
    g->at = at;
    va_list ap;
    va_start(ap, fmt);
    g->msg = hc_vsprintf(r->a, fmt, ap);
    va_end(ap);
    g->seq = r->items.n;
    HC_PUSH(r->a, r->items, g);
    return g;
}

void hc_advice_help(hc_advice *g, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    const char *s = hc_vsprintf(g->a, fmt, ap);
    va_end(ap);
    HC_PUSH(g->a, g->help, s);
}

void hc_advice_str(hc_advice *g, const char *key, const char *value) {
    field f = {key, value ? value : "", 0};
    HC_PUSH(g->a, g->fields, f);
}

void hc_advice_int(hc_advice *g, const char *key, int64_t value) {
    field f = {key, NULL, value};
    HC_PUSH(g->a, g->fields, f);
}

int hc_report_count(const hc_report *r) {
    return r->items.n;
}

static int cmp_advice(const void *x, const void *y) {
    const hc_advice *a = *(hc_advice *const *)x, *b = *(hc_advice *const *)y;
    int c = hc_pos_cmp(a->at, b->at);
    return c ? c : a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int has_field(hc_advice *g, const char *key) {
    for (int i = 0; i < g->fields.n; i++) {
        if (strcmp(g->fields.v[i].key, key) == 0) {
            return 1;
        }
    }
    return 0;
}

static void print_json(hc_report *r, FILE *out, hc_advice *g) {
    hc_buf b = {0};
    hc_buf_puts(&b, "{\"file\":");
    if (g->at.file < 0) {
        hc_buf_puts(&b, "null");
    } else {
        hc_json_string(&b, hc_diag_source_name(r->d, g->at.file));
    }
    hc_buf_printf(&b, ",\"line\":%d,\"col\":%d", g->at.line, g->at.col);
    for (int i = 0; i < g->fields.n; i++) {
        field *f = &g->fields.v[i];
        hc_buf_puts(&b, ",");
        hc_json_string(&b, f->key);
        hc_buf_puts(&b, ":");
        if (f->str) {
            hc_json_string(&b, f->str);
        } else {
            hc_buf_printf(&b, "%lld", (long long)f->num);
        }
    }
    if (!has_field(g, "message")) {
        hc_buf_puts(&b, ",\"message\":");
        hc_json_string(&b, g->msg);
    }
    if (g->help.n && !has_field(g, "help")) {
        hc_buf_puts(&b, ",\"help\":");
        hc_json_string(&b, g->help.v[0]);
    }
    hc_buf_puts(&b, "}\n");
    fputs(hc_buf_cstr(&b), out);
    hc_buf_free(&b);
}

static void print_text(hc_report *r, FILE *out, hc_advice *g) {
    if (g->at.file < 0) {
        fprintf(out, "hale: %s: %s\n", r->label, g->msg);
    } else {
        fprintf(out, "%s:%d:%d: %s: %s\n", hc_diag_source_name(r->d, g->at.file), g->at.line,
                g->at.col, r->label, g->msg);
        hc_diag_print_snippet(r->d, out, g->at);
    }
    for (int i = 0; i < g->help.n; i++) {
        fprintf(out, "help: %s\n", g->help.v[i]);
    }
}

void hc_report_print(hc_report *r, FILE *out, int json) {
    int n = r->items.n;
    if (n == 0) {
        return;
    }
    hc_advice **sorted = malloc((size_t)n * sizeof *sorted);
    if (!sorted) {
        return;
    }
    memcpy(sorted, r->items.v, (size_t)n * sizeof *sorted);
    qsort(sorted, (size_t)n, sizeof *sorted, cmp_advice);
    for (int i = 0; i < n; i++) {
        if (json) {
            print_json(r, out, sorted[i]);
        } else {
            print_text(r, out, sorted[i]);
        }
    }
    free(sorted);
}
