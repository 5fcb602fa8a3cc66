/* `T::to_json(v)` and `T::from_json(s)` on a record T: the emitter writes a schema-specialised
 * writer and reader per record type, Hale's compiler-generated JSON (spec: semantics.md, JSON).
 *
 * The writer drives the runtime's json Builder (escaping and separators are its job). The reader
 * walks the object once with the std::json cursor (json_scan.h): each member's key is matched
 * against the fields' keys (hale_json_obj_key_eq, inline for a key written plainly), its raw
 * value parsed by the field's type; unknown keys (and nested values under them) are skipped
 * whole. A field's key is its `json:"name"` tag, else its name.
 * A field missing from the text takes its declared default, or is the error `missing_field`; a
 * value of the wrong shape is `bad_value`; text that is not an object is `not_object`. Records
 * nest, arrays ([T]) of every supported type too. */
#include <string.h>

#include "emit_impl.h"

/* The JSON key of field `f`: its `json:"..."` tag's value, else its name. */
static const char *json_key(hc_emit *E, const hc_param *f) {
    const char *tag = f->tag;
    const char *at = tag ? strstr(tag, "json:\"") : NULL;
    if (at) {
        at += 6;
        const char *end = strchr(at, '"');
        if (end && end > at) {
            return hc_strndup(E->a, at, (size_t)(end - at));
        }
    }
    return f->name.name;
}

static hc_type *field_ty(const hc_param *f) {
    return f->type ? f->type->resolved : NULL;
}

static void c_key(hc_buf *b, const char *key) {
    em_c_string(b, key, (int64_t)strlen(key));
}

static const char *writer(hc_emit *E, hc_type *t);
static const char *reader(hc_emit *E, hc_type *t);

/* ---- writing ---- */

/* Writes value `v` (C lvalue of type t): a member `key` of an object, or (key NULL) a value. */
static void write_value(hc_emit *E, hc_buf *b, hc_type *t, const char *v, const char *key,
                        int depth) {
    const char *sfx = key ? "_field" : "_value";
    char kbuf[512] = "";
    if (key) {
        hc_buf kb = {0};
        c_key(&kb, key);
        snprintf(kbuf, sizeof kbuf, "(hale_str){%s, %lld}, ", hc_buf_cstr(&kb),
                 (long long)strlen(key));
        hc_buf_free(&kb);
    }
    switch (t->kind) {
    case TY_INT:
        hc_buf_printf(b, "hale_json_builder_int%s(hb, %s%s);\n", sfx, kbuf, v);
        return;
    case TY_FLOAT:
        hc_buf_printf(b, "hale_json_builder_float%s(hb, %s%s);\n", sfx, kbuf, v);
        return;
    case TY_BOOL:
        hc_buf_printf(b, "hale_json_builder_bool%s(hb, %s%s);\n", sfx, kbuf, v);
        return;
    case TY_STRING:
        hc_buf_printf(b, "hale_json_builder_string%s(hb, %s%s);\n", sfx, kbuf, v);
        return;
    case TY_RECORD:
        if (key) {
            hc_buf_printf(b, "hale_json_builder_begin_object_field(hb, %.*s);\n",
                          (int)strlen(kbuf) - 2, kbuf);
        } else {
            hc_buf_puts(b, "hale_json_builder_begin_object(hb);\n");
        }
        hc_buf_printf(b, "%s(hb, &%s);\nhale_json_builder_end_object(hb);\n", writer(E, t), v);
        return;
    case TY_ARRAY: {
        if (key) {
            hc_buf_printf(b, "hale_json_builder_begin_array_field(hb, %.*s);\n",
                          (int)strlen(kbuf) - 2, kbuf);
        } else {
            hc_buf_puts(b, "hale_json_builder_begin_array(hb);\n");
        }
        const char *i = hc_sprintf(E->a, "hi%d", depth);
        const char *et = em_ctype(E, t->elem);
        hc_buf_printf(b, "for (int64_t %s = 0; %s < (%s).len; %s++) {\n", i, i, v, i);
        write_value(E, b, t->elem, hc_sprintf(E->a, "((%s *)(%s).data)[%s]", et, v, i), NULL,
                    depth + 1);
        hc_buf_puts(b, "}\nhale_json_builder_end_array(hb);\n");
        return;
    }
    default:
        hc_buf_puts(b, "hale_json_builder_null_value(hb);\n");
    }
}

/* hjw_<id>(builder, value): the members of record t into an open object. */
static const char *writer(hc_emit *E, hc_type *t) {
    const char *name = hc_sprintf(E->a, "hjw_%d", t->id);
    if (t->json_emitted & 1) {
        return name;
    }
    t->json_emitted |= 1;
    const char *ct = em_ctype(E, t);
    hc_buf_printf(&E->protos, "static void %s(hale_json_builder *hb, const %s *v);\n", name, ct);
    hc_buf body = {0};
    hc_decl *d = t->decl;
    for (int i = 0; i < d->fields.n; i++) {
        hc_param *f = &d->fields.v[i];
        hc_type *ft = field_ty(f);
        if (ft) {
            write_value(E, &body, ft, hc_sprintf(E->a, "v->%s", em_field(E, f->name.name)),
                        json_key(E, f), 0);
        }
    }
    hc_buf_printf(&E->helpers, "static void %s(hale_json_builder *hb, const %s *v) {\n%s}\n\n",
                  name, ct, hc_buf_cstr(&body));
    hc_buf_free(&body);
    return name;
}

/* ---- reading ---- */

/* Code that reads raw JSON value `raw` (a hale_str) into lvalue `dst` of type t, leaving `hok`
 * false (and the error filled) when it cannot. */
static void read_value(hc_emit *E, hc_buf *b, hc_type *t, const char *dst, const char *raw,
                       const char *what, int depth) {
    hc_buf w = {0};
    c_key(&w, what);
    const char *bad =
        hc_sprintf(E->a, "{ hok = false; hjson_err(herr, \"bad_value\", %s); }", hc_buf_cstr(&w));
    hc_buf_free(&w);
    switch (t->kind) {
    case TY_INT:
        hc_buf_printf(b, "if (!hale_str_parse_int(%s, &%s)) %s\n", raw, dst, bad);
        return;
    case TY_FLOAT:
        hc_buf_printf(b, "if (!hale_str_parse_float(%s, &%s)) %s\n", raw, dst, bad);
        return;
    case TY_BOOL:
        hc_buf_printf(b,
                      "if (hale_str_eq(%s, HALE_STR_LIT(\"true\"))) %s = true; else if "
                      "(hale_str_eq(%s, HALE_STR_LIT(\"false\"))) %s = false; else %s\n",
                      raw, dst, raw, dst, bad);
        return;
    case TY_STRING:
        hc_buf_printf(b,
                      "if ((%s).len >= 2 && (%s).ptr[0] == '\"') %s = hale_json_raw_string(hr, "
                      "%s); else %s\n",
                      raw, raw, dst, raw, bad);
        return;
    case TY_RECORD:
        hc_buf_printf(b, "if (!%s(hr, %s, &%s, herr)) hok = false;\n", reader(E, t), raw, dst);
        return;
    case TY_ARRAY: {
        const char *it = hc_sprintf(E->a, "hit%d", depth), *n = hc_sprintf(E->a, "hn%d", depth);
        const char *et = em_ctype(E, t->elem);
        hc_buf_printf(b,
                      "{ hale_json_array_span %s; int64_t %s = 0;\n"
                      "if (!hale_str_starts_with(hale_str_trim(%s), HALE_STR_LIT(\"[\"))) %s\n"
                      "for (hale_json_array_first_span(%s, &%s); !%s.done; "
                      "hale_json_array_next_span(&%s, %s, &%s)) %s++;\n"
                      "%s = hale_array_new(hr, %s, sizeof(%s), _Alignof(%s)); %s.len = 0;\n"
                      "for (hale_json_array_first_span(%s, &%s); hok && !%s.done; "
                      "hale_json_array_next_span(&%s, %s, &%s)) {\n"
                      "hale_str hel%d = hale_json_iter_substring(&%s, %s);\n",
                      it, n, raw, bad, raw, it, it, it, raw, it, n, dst, n, et, et, dst, raw, it,
                      it, it, raw, it, depth, it, raw);
        read_value(E, b, t->elem, hc_sprintf(E->a, "((%s *)%s.data)[%s.len]", et, dst, dst),
                   hc_sprintf(E->a, "hel%d", depth), what, depth + 1);
        hc_buf_printf(b, "%s.len++; } }\n", dst);
        return;
    }
    default:
        hc_buf_printf(b, "%s\n", bad);
    }
}

/* hjr_<id>(region, json, out, err): record t read from the object `json`. */
static const char *reader(hc_emit *E, hc_type *t) {
    const char *name = hc_sprintf(E->a, "hjr_%d", t->id);
    if (t->json_emitted & 2) {
        return name;
    }
    t->json_emitted |= 2;
    const char *ct = em_ctype(E, t);
    hc_buf_printf(&E->protos,
                  "static bool %s(hale_region *hr, hale_str hjs, %s *out, void *herr);\n", name,
                  ct);
    hc_decl *d = t->decl;
    hc_buf body = {0};
    hc_buf_printf(&body,
                  "    bool hok = true; bool seen[%d] = {0}; memset(out, 0, sizeof *out);\n"
                  "    if (!hale_str_starts_with(hale_str_trim(hjs), HALE_STR_LIT(\"{\"))) { "
                  "hjson_err(herr, \"not_object\", \"%s\"); return false; }\n"
                  "    hale_json_object_span it;\n"
                  "    for (hale_json_object_first(hjs, &it); hok && !it.done; "
                  "hale_json_object_next(&it, hjs, &it)) {\n"
                  "        hale_str raw = hale_json_obj_value_raw(&it, hjs);\n",
                  d->fields.n + 1, d->name.name);
    for (int i = 0; i < d->fields.n; i++) {
        hc_param *f = &d->fields.v[i];
        hc_type *ft = field_ty(f);
        if (!ft) {
            continue;
        }
        const char *key = json_key(E, f);
        hc_buf_puts(&body, "        if (!seen[");
        hc_buf_printf(&body, "%d] && hale_json_obj_key_eq(&it, hjs, (hale_str){", i);
        c_key(&body, key);
        hc_buf_printf(&body, ", %lld})) {\n            seen[%d] = true;\n", (long long)strlen(key),
                      i);
        read_value(E, &body, ft, hc_sprintf(E->a, "out->%s", em_field(E, f->name.name)), "raw", key,
                   0);
        hc_buf_puts(&body, "            continue;\n        }\n");
    }
    hc_buf_puts(&body, "    }\n");
    for (int i = 0; i < d->fields.n; i++) {
        hc_param *f = &d->fields.v[i];
        hc_type *ft = field_ty(f);
        if (!ft) {
            continue;
        }
        if (f->def && f->def->kind == E_ARRAY && f->def->args.n == 0) {
            continue; /* an empty array: already zero */
        }
        hc_buf_printf(&body, "    if (hok && !seen[%d]) ", i);
        if (f->def) {
            hc_buf_printf(&body, "out->%s = ", em_field(E, f->name.name));
            em_value(E, &body, f->def, ft);
            hc_buf_puts(&body, ";\n");
        } else {
            hc_buf_puts(&body, "{ hok = false; hjson_err(herr, \"missing_field\", ");
            const char *key = json_key(E, f);
            c_key(&body, key);
            hc_buf_puts(&body, "); }\n");
        }
    }
    hc_buf_printf(&E->helpers,
                  "static bool %s(hale_region *hr, hale_str hjs, %s *out, void *herr) {\n%s"
                  "    return hok;\n}\n\n",
                  name, ct, hc_buf_cstr(&body));
    hc_buf_free(&body);
    return name;
}

/* The error filler every reader shares (once per program). */
static void error_helper(hc_emit *E, hc_type *et) {
    if (et->json_emitted & 4) {
        return;
    }
    et->json_emitted |= 4;
    const char *ct = em_ctype(E, et);
    hc_buf_printf(&E->protos,
                  "static void hjson_err(void *herr, const char *kind, const char *detail);\n");
    hc_buf_printf(&E->helpers,
                  "static void hjson_err(void *herr, const char *kind, const char *detail) {\n"
                  "    %s *e = herr;\n"
                  "    if (e && !e->%s.len) {\n"
                  "        e->%s = (hale_str){kind, (int64_t)strlen(kind)};\n"
                  "        e->%s = (hale_str){detail, (int64_t)strlen(detail)};\n"
                  "    }\n}\n\n",
                  ct, em_field(E, "kind"), em_field(E, "kind"), em_field(E, "detail"));
}

void em_json_call(hc_emit *E, hc_buf *b, hc_expr *e, const char *res, const char *err) {
    hc_decl *rec = e->lhs->decl;
    hc_type *t = rec->ty;
    const char *arg =
        em_value_text(E, e->args.v[0],
                      e->lhs->builtin->kind == BI_TO_JSON ? t : hc_ty_prim(E->P->types, TY_STRING));
    if (e->lhs->builtin->kind == BI_TO_JSON) {
        const char *v = em_tmp(E, "hjv");
        hc_buf_printf(
            b,
            "({ %s %s = %s; hale_json_builder hjb; hale_json_builder_init(&hjb, hm); "
            "hale_json_builder *hb = &hjb; hale_json_builder_begin_object(hb); %s(hb, &%s); "
            "hale_json_builder_end_object(hb); hale_str hjr = hale_json_builder_result(hb, hm); "
            "hale_json_builder_destroy(hb); hjr; })",
            em_ctype(E, t), v, arg, writer(E, t), v);
        return;
    }
    error_helper(E, e->fallible ? e->fallible : hc_ty_prim(E->P->types, TY_ERROR));
    const char *out = em_tmp(E, "hjo");
    hc_buf_printf(b, "({ %s %s; bool hok = %s(hm, %s, &%s, %s); ", em_ctype(E, t), out,
                  reader(E, t), arg, out, err ? err : "NULL");
    if (res) {
        hc_buf_printf(b, "if (hok) *(%s) = %s; ", res, out);
    }
    hc_buf_puts(b, "hok; })");
}
