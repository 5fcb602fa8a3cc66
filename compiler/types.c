/* See types.h: interning and naming of types. */
#include "types.h"

#include <stdio.h>

struct hc_types {
    hc_arena *a;
    hc_type *prims[TY_TOPIC + 1];
    HC_VEC(hc_type *) all;
    int next_id;
};

static hc_type *new_type(hc_types *t, hc_type_kind k) {
    hc_type *ty = HC_NEW(t->a, hc_type);
    ty->kind = k;
    ty->id = t->next_id++;
    return ty;
}

hc_types *hc_types_new(hc_arena *a) {
    hc_types *t = HC_NEW(a, hc_types);
    t->a = a;
    for (int k = TY_ERROR; k <= TY_UINT; k++) {
        t->prims[k] = new_type(t, (hc_type_kind)k);
    }
    t->prims[TY_STRING]->heap = 1;
    t->prims[TY_BYTES]->heap = 1;
    t->prims[TY_TIME]->heap = 1; /* its source spelling, as Hale's v0 keeps it */
    return t;
}

hc_type *hc_ty_prim(hc_types *t, hc_type_kind k) {
    return t->prims[k];
}

static hc_type *intern(hc_types *t, hc_type *probe) {
    for (int i = 0; i < t->all.n; i++) {
        hc_type *c = t->all.v[i];
        if (c->kind != probe->kind || c->elem != probe->elem || c->len != probe->len ||
            c->nitems != probe->nitems || c->decl != probe->decl) {
            continue;
        }
        int same = 1;
        for (int j = 0; j < c->nitems && same; j++) {
            same = c->items[j] == probe->items[j];
        }
        if (same) {
            return c;
        }
    }
    hc_type *ty = new_type(t, probe->kind);
    ty->elem = probe->elem;
    ty->len = probe->len;
    ty->decl = probe->decl;
    ty->nitems = probe->nitems;
    if (probe->nitems) {
        ty->items = hc_alloc(t->a, sizeof(hc_type *) * (size_t)probe->nitems);
        memcpy(ty->items, probe->items, sizeof(hc_type *) * (size_t)probe->nitems);
    }
    ty->heap = probe->heap;
    HC_PUSH(t->a, t->all, ty);
    return ty;
}

hc_type *hc_ty_array(hc_types *t, hc_type *elem, int64_t len) {
    hc_type probe = {.kind = TY_ARRAY, .elem = elem, .len = len, .heap = 1};
    return intern(t, &probe);
}

hc_type *hc_ty_bounded(hc_types *t, hc_type *elem, int64_t cap) {
    hc_type probe = {.kind = TY_BOUNDED, .elem = elem, .len = cap, .heap = elem->heap};
    return intern(t, &probe);
}

hc_type *hc_ty_cell(hc_types *t, hc_type *elem) {
    hc_type probe = {.kind = TY_CELL, .elem = elem};
    return intern(t, &probe);
}

hc_type *hc_ty_tuple(hc_types *t, hc_type **items, int n) {
    hc_type probe = {.kind = TY_TUPLE, .items = items, .nitems = n};
    for (int i = 0; i < n; i++) {
        probe.heap |= items[i]->heap;
    }
    return intern(t, &probe);
}

hc_type *hc_ty_fn(hc_types *t, hc_type **params, int n, hc_type *ret) {
    hc_type probe = {.kind = TY_FN, .items = params, .nitems = n, .elem = ret};
    return intern(t, &probe);
}

hc_type *hc_ty_nominal(hc_types *t, hc_type_kind k, hc_decl *d) {
    hc_type probe = {.kind = k, .decl = d, .heap = k == TY_LOCUS};
    return intern(t, &probe);
}

int hc_types_count(hc_types *t) {
    return t->all.n;
}

hc_type *hc_types_at(hc_types *t, int i) {
    return t->all.v[i];
}

int hc_ty_has_array(const hc_type *t) {
    switch (t->kind) {
    case TY_ARRAY:
        return 1;
    case TY_BOUNDED:
        return hc_ty_has_array(t->elem);
    case TY_TUPLE:
        for (int i = 0; i < t->nitems; i++) {
            if (hc_ty_has_array(t->items[i])) {
                return 1;
            }
        }
        return 0;
    case TY_RECORD:
        for (int i = 0; i < t->decl->fields.n; i++) {
            hc_texpr *fx = t->decl->fields.v[i].type;
            if (fx && fx->resolved && hc_ty_has_array(fx->resolved)) {
                return 1;
            }
        }
        return 0;
    default:
        return 0;
    }
}

void hc_ty_set_heap(hc_type *t, int heap) {
    t->heap = heap;
}

static void name_into(hc_buf *b, const hc_type *t) {
    switch (t->kind) {
    case TY_ERROR:
        hc_buf_puts(b, "<error>");
        return;
    case TY_UNIT:
        hc_buf_puts(b, "()");
        return;
    case TY_NEVER:
        hc_buf_puts(b, "!");
        return;
    case TY_INT:
        hc_buf_puts(b, "Int");
        return;
    case TY_FLOAT:
        hc_buf_puts(b, "Float");
        return;
    case TY_BOOL:
        hc_buf_puts(b, "Bool");
        return;
    case TY_STRING:
        hc_buf_puts(b, "String");
        return;
    case TY_DURATION:
        hc_buf_puts(b, "Duration");
        return;
    case TY_BYTES:
        hc_buf_puts(b, "Bytes");
        return;
    case TY_TIME:
        hc_buf_puts(b, "Time");
        return;
    case TY_DECIMAL:
        hc_buf_puts(b, "Decimal");
        return;
    case TY_UINT:
        hc_buf_puts(b, "Uint");
        return;
    case TY_RECORD:
    case TY_ENUM:
    case TY_LOCUS:
    case TY_TOPIC:
    case TY_IFACE:
        hc_buf_puts(b, t->decl->name.name);
        return;
    case TY_ARRAY:
        hc_buf_puts(b, "[");
        name_into(b, t->elem);
        if (t->len >= 0) {
            hc_buf_printf(b, "; %lld", (long long)t->len);
        }
        hc_buf_puts(b, "]");
        return;
    case TY_BOUNDED:
        hc_buf_puts(b, "bounded[");
        name_into(b, t->elem);
        hc_buf_printf(b, "; %lld]", (long long)t->len);
        return;
    case TY_CELL:
        hc_buf_puts(b, "Cell<");
        name_into(b, t->elem);
        hc_buf_puts(b, ">");
        return;
    case TY_TUPLE:
        hc_buf_puts(b, "(");
        for (int i = 0; i < t->nitems; i++) {
            if (i) {
                hc_buf_puts(b, ", ");
            }
            name_into(b, t->items[i]);
        }
        hc_buf_puts(b, ")");
        return;
    case TY_FN:
        hc_buf_puts(b, "fn(");
        for (int i = 0; i < t->nitems; i++) {
            if (i) {
                hc_buf_puts(b, ", ");
            }
            name_into(b, t->items[i]);
        }
        hc_buf_puts(b, ")");
        if (t->elem && t->elem->kind != TY_UNIT) {
            hc_buf_puts(b, " -> ");
            name_into(b, t->elem);
        }
        return;
    }
}

const char *hc_type_name(hc_arena *a, const hc_type *t) {
    hc_buf b = {0};
    name_into(&b, t);
    const char *s = hc_strdup(a, hc_buf_cstr(&b));
    hc_buf_free(&b);
    return s;
}

int hc_ty_is_numeric(const hc_type *t) {
    return t->kind == TY_INT || t->kind == TY_FLOAT;
}

int hc_ty_assignable(const hc_type *from, const hc_type *to) {
    if (from == to || from->kind == TY_ERROR || to->kind == TY_ERROR || from->kind == TY_NEVER) {
        return 1;
    }
    if (from->kind == TY_ARRAY && to->kind == TY_ARRAY) {
        int elem_ok =
            from->elem == to->elem || from->elem->kind == TY_ERROR || to->elem->kind == TY_ERROR;
        return elem_ok && (to->len < 0 || from->len == to->len);
    }
    return 0;
}
