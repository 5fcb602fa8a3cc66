/* See metrics_text.h. */
#include "metrics_text.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "region.h"

void hale_mtext_free(hale_mtext *t) {
    hale_sys_free(t->p);
    t->p = NULL;
    t->len = t->cap = 0;
}

static int reserve(hale_mtext *t, size_t more) {
    if (t->oom) {
        return -1;
    }
    if (t->len + more + 1 <= t->cap) {
        return 0;
    }
    size_t cap = t->cap ? t->cap : 4096;
    while (cap < t->len + more + 1) {
        cap *= 2;
    }
    char *p = hale_sys_realloc(t->p, cap);
    if (!p) {
        t->oom = 1;
        return -1;
    }
    t->p = p;
    t->cap = cap;
    return 0;
}

void hale_mtext_append(hale_mtext *t, const char *s, size_t n) {
    if (reserve(t, n) != 0) {
        return;
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

void hale_mtext_printf(hale_mtext *t, const char *fmt, ...) {
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    if ((size_t)n < sizeof small) {
        hale_mtext_append(t, small, (size_t)n);
        return;
    }
    if (reserve(t, (size_t)n) != 0) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(t->p + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

static int name_char(char c, int first, int colon) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':') ||
           (!first && c >= '0' && c <= '9');
}

static int ident_ok(const char *s, int colon) {
    if (!s || !*s) {
        return 0;
    }
    for (const char *p = s; *p; p++) {
        if (!name_char(*p, p == s, colon)) {
            return 0;
        }
    }
    return 1;
}

int hale_metric_name_ok(const char *name) {
    return ident_ok(name, 1);
}

int hale_metric_label_ok(const char *label) {
    return ident_ok(label, 0) && strncmp(label, "__", 2) != 0;
}

/* Appends `s` escaped: backslash and newline always, the double quote inside label values. */
static void escaped(hale_mtext *t, const char *s, int quote) {
    const char *run = s;
    for (; *s; s++) {
        const char *esc = *s == '\\'           ? "\\\\"
                          : *s == '\n'         ? "\\n"
                          : quote && *s == '"' ? "\\\""
                                               : 0;
        if (esc) {
            hale_mtext_append(t, run, (size_t)(s - run));
            hale_mtext_append(t, esc, 2);
            run = s + 1;
        }
    }
    hale_mtext_append(t, run, (size_t)(s - run));
}

void hale_metric_family(hale_mtext *t, const char *name, const char *type, const char *help) {
    if (!hale_metric_name_ok(name)) {
        t->bad++;
        return;
    }
    if (help && *help) {
        hale_mtext_printf(t, "# HELP %s ", name);
        escaped(t, help, 0);
        hale_mtext_append(t, "\n", 1);
    }
    hale_mtext_printf(t, "# TYPE %s %s\n", name, type);
}

/* `name{k="v",...} ` or nothing (and 0) when a name breaks the grammar. */
static int sample_head(hale_mtext *t, const char *name, va_list ap) {
    if (!hale_metric_name_ok(name)) {
        t->bad++;
        return 0;
    }
    /* check every label before writing any of the line */
    va_list check;
    va_copy(check, ap);
    int ok = 1;
    for (const char *k; (k = va_arg(check, const char *)) != NULL;) {
        (void)va_arg(check, const char *);
        ok &= hale_metric_label_ok(k);
    }
    va_end(check);
    if (!ok) {
        t->bad++;
        return 0;
    }
    hale_mtext_append(t, name, strlen(name));
    const char *sep = "{";
    for (const char *k; (k = va_arg(ap, const char *)) != NULL;) {
        const char *v = va_arg(ap, const char *);
        hale_mtext_printf(t, "%s%s=\"", sep, k);
        escaped(t, v ? v : "", 1);
        hale_mtext_append(t, "\"", 1);
        sep = ",";
    }
    if (sep[0] == ',') {
        hale_mtext_append(t, "}", 1);
    }
    hale_mtext_append(t, " ", 1);
    return 1;
}

void hale_metric_int(hale_mtext *t, const char *name, int64_t value, ...) {
    va_list ap;
    va_start(ap, value);
    if (sample_head(t, name, ap)) {
        hale_mtext_printf(t, "%" PRId64 "\n", value);
    }
    va_end(ap);
}

void hale_metric_float(hale_mtext *t, const char *name, double value, ...) {
    va_list ap;
    va_start(ap, value);
    if (sample_head(t, name, ap)) {
        if (isnan(value)) {
            hale_mtext_append(t, "NaN\n", 4);
        } else if (isinf(value)) {
            hale_mtext_printf(t, "%cInf\n", value > 0 ? '+' : '-');
        } else {
            hale_mtext_printf(t, "%.15g\n", value);
        }
    }
    va_end(ap);
}
