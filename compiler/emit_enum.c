/* Enums whose variants carry values (`type Ev = enum { Tick(Int), Trade(Decimal, Int), Halt };`).
 *
 * A payload-free enum stays an int64_t variant index. An enum with any payload is a flat C struct:
 * the variant index `tag`, then one member per payload value of every variant (`v<k>_<i>`, the
 * i-th value of variant k), the members of the other variants zero. Flat rather than a union so
 * the runtime's descriptor walk (copy, equality, hashing, msgpack) treats it as the record it is
 * and never reads a member another variant wrote: zero members copy and compare as zero. */
#include <stdio.h>
#include <string.h>

#include "emit_impl.h"

int em_enum_has_payload(const hc_type *t) {
    if (!t || t->kind != TY_ENUM) {
        return 0;
    }
    for (int i = 0; i < t->decl->variants.n; i++) {
        if (t->decl->variants.v[i].has_payload) {
            return 1;
        }
    }
    return 0;
}

static hc_type *payload_type(hc_decl *d, int k, int i) {
    hc_texpr *x = d->variants.v[k].payload.v[i];
    return x->resolved;
}

const char *em_enum_ctype(hc_emit *E, hc_type *t) {
    hc_decl *d = t->decl;
    for (int k = 0; k < d->variants.n; k++) {
        for (int i = 0; i < d->variants.v[k].payload.n; i++) {
            em_ctype(E, payload_type(d, k, i)); /* defined before the struct that holds them */
        }
    }
    t->cname = hc_sprintf(E->a, "he_%d_%s", t->id, d->name.name);
    hc_buf_printf(&E->types, "typedef struct { int64_t tag;");
    for (int k = 0; k < d->variants.n; k++) {
        for (int i = 0; i < d->variants.v[k].payload.n; i++) {
            hc_buf_printf(&E->types, " %s v%d_%d;", em_ctype(E, payload_type(d, k, i)), k, i);
        }
    }
    hc_buf_printf(&E->types, " } %s;\n", t->cname);
    return t->cname;
}

void em_enum_value(hc_emit *E, hc_buf *b, hc_type *t, int variant, hc_exprs *args) {
    if (!em_enum_has_payload(t)) {
        hc_buf_printf(b, "INT64_C(%d)", variant);
        return;
    }
    hc_buf_printf(b, "((%s){.tag = INT64_C(%d)", em_ctype(E, t), variant);
    for (int i = 0; args && i < args->n; i++) {
        hc_buf_printf(b, ", .v%d_%d = ", variant, i);
        em_value(E, b, args->v[i], payload_type(t->decl, variant, i));
    }
    hc_buf_puts(b, "})");
}

const char *em_enum_payload_member(hc_emit *E, const char *v, int variant, int i) {
    return hc_sprintf(E->a, "%s.v%d_%d", v, variant, i);
}

hc_type *em_enum_payload_type(hc_type *t, int variant, int i) {
    return payload_type(t->decl, variant, i);
}

/* The tag of value text `v` of enum type `t`. */
const char *em_enum_tag(hc_emit *E, hc_type *t, const char *v) {
    return em_enum_has_payload(t) ? hc_sprintf(E->a, "(%s).tag", v) : v;
}

void em_enum_copy_body(hc_emit *E, hc_type *t, hc_buf *body) {
    hc_decl *d = t->decl;
    hc_buf_puts(body, "    switch (v.tag) {\n");
    for (int k = 0; k < d->variants.n; k++) {
        hc_buf_printf(body, "    case %d:\n", k);
        for (int i = 0; i < d->variants.v[k].payload.n; i++) {
            const char *fc = em_copy_fn(E, payload_type(d, k, i));
            if (fc) {
                hc_buf_printf(body, "        v.v%d_%d = %s(r, v.v%d_%d);\n", k, i, fc, k, i);
            }
        }
        hc_buf_puts(body, "        break;\n");
    }
    hc_buf_puts(body, "    }\n    return v;\n");
}

void em_enum_fmt_body(hc_emit *E, hc_type *t, const char *names, hc_buf *body) {
    hc_decl *d = t->decl;
    hc_buf_printf(body,
                  "    (void)nested;\n    hale_sbuf_puts(b, %s[v.tag]);\n    switch (v.tag) {\n",
                  names);
    for (int k = 0; k < d->variants.n; k++) {
        int n = d->variants.v[k].payload.n;
        if (!n) {
            continue;
        }
        hc_buf_printf(body, "    case %d:\n        hale_sbuf_puts(b, \"(\");\n", k);
        for (int i = 0; i < n; i++) {
            hc_buf_printf(body, "        %s%s(b, v.v%d_%d, 1);\n",
                          i ? "hale_sbuf_puts(b, \", \"); " : "",
                          em_fmt_fn(E, payload_type(d, k, i)), k, i);
        }
        hc_buf_puts(body, "        hale_sbuf_puts(b, \")\");\n        break;\n");
    }
    hc_buf_puts(body, "    default:\n        break;\n    }\n");
}

void em_enum_eq_body(hc_emit *E, hc_type *t, hc_buf *body) {
    hc_decl *d = t->decl;
    hc_buf_puts(body, "    if (a.tag != b.tag) return false;\n    switch (a.tag) {\n");
    for (int k = 0; k < d->variants.n; k++) {
        int n = d->variants.v[k].payload.n;
        if (!n) {
            continue;
        }
        hc_buf_printf(body, "    case %d:\n", k);
        for (int i = 0; i < n; i++) {
            hc_type *pt = payload_type(d, k, i);
            const char *eq = em_eq_fn(E, pt);
            const char *x = hc_sprintf(E->a, "a.v%d_%d", k, i),
                       *y = hc_sprintf(E->a, "b.v%d_%d", k, i);
            hc_buf_printf(body, "        if (!(%s)) return false;\n",
                          eq ? hc_sprintf(E->a, "%s(%s, %s)", eq, x, y)
                             : hc_sprintf(E->a, "(%s) == (%s)", x, y));
        }
        hc_buf_puts(body, "        break;\n");
    }
    hc_buf_puts(body, "    default:\n        break;\n    }\n");
}

/* A record-shaped descriptor: the runtime copies, compares, hashes and encodes it field by field
 * (`tag`, then `Variant.i` for each value). */
void em_enum_descriptor(hc_emit *E, hc_type *t, const char *name, const char *tname,
                        unsigned long long fp) {
    hc_decl *d = t->decl;
    const char *ct = em_ctype(E, t);
    hc_buf fields = {0};
    int n = 1;
    hc_buf_printf(&fields, "    {\"tag\", offsetof(%s, tag), &hale_type_int},\n", ct);
    for (int k = 0; k < d->variants.n; k++) {
        for (int i = 0; i < d->variants.v[k].payload.n; i++) {
            hc_buf_printf(&fields, "    {\"%s.%d\", offsetof(%s, v%d_%d), %s},\n",
                          d->variants.v[k].name.name, i, ct, k, i,
                          em_descriptor(E, payload_type(d, k, i)));
            n++;
        }
    }
    hc_buf_printf(&E->descs, "static const hale_field htf_%d[] = {\n%s};\n", t->id,
                  hc_buf_cstr(&fields));
    hc_buf_printf(&E->descs,
                  "static const hale_type %s = {.kind = HALE_T_RECORD, .name = %s, .size = "
                  "sizeof(%s), .align = _Alignof(%s), .flat = %s, .fingerprint = %lluull, "
                  ".fields = htf_%d, .nfields = %d};\n",
                  name, tname, ct, ct, t->heap ? "false" : "true", fp, t->id, n);
    hc_buf_free(&fields);
}
