/* See http_router.h. Matching walks the pattern and the path segment by segment without
 * copying; the Router keeps its routes in arrays of its own (grown by doubling, freed at
 * dissolve) and the method and pattern texts in its locus region. Each handler and middleware
 * call runs in a frame of the locus it belongs to, so a fault there is that locus's failure and
 * the request gets a 500 instead of taking the caller down. */
#include "http_router.h"

#include <stdio.h>
#include <string.h>

#include "fault.h"
#include "locus_impl.h"
#include "str.h"

#define US '\x1f'
#define RS '\x1e'

/* ---- the matcher ---- */

/* The next segment of s at *at (just after a '/'), advancing *at past it. */
static hale_str segment(hale_str s, int64_t *at) {
    int64_t b = *at, e = b;
    while (e < s.len && s.ptr[e] != '/') {
        e++;
    }
    *at = e < s.len ? e + 1 : e;
    return (hale_str){s.ptr + b, e - b};
}

/* The path without one trailing '/' ("/" stays "/"). */
static hale_str trimmed(hale_str s) {
    if (s.len > 1 && s.ptr[s.len - 1] == '/') {
        s.len--;
    }
    return s;
}

static bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

int hale_route_pattern_check(hale_str pattern, const char **why) {
    const char *w = NULL;
    int n = 0;
    hale_str names[HALE_ROUTE_MAX_CAPTURES];
    if (pattern.len < 1 || pattern.ptr[0] != '/') {
        w = "a pattern starts with '/'";
        goto bad;
    }
    hale_str p = trimmed(pattern);
    for (int64_t at = 1; at < p.len;) {
        hale_str seg = segment(p, &at);
        if (seg.len == 0 || seg.ptr[0] != ':') {
            for (int64_t i = 0; i < seg.len; i++) {
                if ((unsigned char)seg.ptr[i] <= ' ' || seg.ptr[i] == '?') {
                    w = "a pattern segment holds a blank, a control byte or '?'";
                    goto bad;
                }
            }
            continue;
        }
        hale_str name = {seg.ptr + 1, seg.len - 1};
        if (name.len == 0) {
            w = "a capture needs a name after ':'";
            goto bad;
        }
        for (int64_t i = 0; i < name.len; i++) {
            if (!name_char(name.ptr[i])) {
                w = "a capture name is letters, digits and '_'";
                goto bad;
            }
        }
        for (int k = 0; k < n; k++) {
            if (hale_str_eq(names[k], name)) {
                w = "a capture name is used twice";
                goto bad;
            }
        }
        if (n == HALE_ROUTE_MAX_CAPTURES) {
            w = "a pattern has at most 8 captures";
            goto bad;
        }
        names[n++] = name;
    }
    return n;
bad:
    if (why) {
        *why = w;
    }
    return -1;
}

bool hale_route_match(hale_str pattern, hale_str path, hale_route_captures *out) {
    hale_route_captures tmp;
    hale_route_captures *c = out ? out : &tmp;
    c->n = 0;
    hale_str p = trimmed(pattern), q = trimmed(path);
    if (p.len < 1 || q.len < 1 || p.ptr[0] != '/' || q.ptr[0] != '/') {
        return false;
    }
    int64_t pa = 1, qa = 1;
    while (pa < p.len || qa < q.len) {
        if (pa >= p.len || qa >= q.len) {
            c->n = 0; /* one ran out of segments first */
            return false;
        }
        hale_str ps = segment(p, &pa), qs = segment(q, &qa);
        if (ps.len > 1 && ps.ptr[0] == ':' && qs.len > 0) {
            if (c->n == HALE_ROUTE_MAX_CAPTURES) {
                c->n = 0;
                return false;
            }
            c->name[c->n] = (hale_str){ps.ptr + 1, ps.len - 1};
            c->value[c->n] = qs;
            c->n++;
            continue;
        }
        if (!hale_str_eq(ps, qs)) {
            c->n = 0;
            return false;
        }
    }
    return true;
}

void hale_route_split_target(hale_str target, hale_str *path, hale_str *query) {
    const char *q = target.len > 0 ? memchr(target.ptr, '?', (size_t)target.len) : NULL;
    int64_t plen = q ? q - target.ptr : target.len;
    *path = (hale_str){target.ptr, plen};
    *query = q ? (hale_str){q + 1, target.len - plen - 1} : (hale_str){"", 0};
}

/* ---- params ---- */

hale_str hale_http_path_param(const hale_http_route_params *p, hale_str name) {
    hale_str s = p->captures;
    int64_t at = 0;
    while (at < s.len) {
        int64_t e = at;
        while (e < s.len && s.ptr[e] != RS) {
            e++;
        }
        const char *us = memchr(s.ptr + at, US, (size_t)(e - at));
        if (us && hale_str_eq((hale_str){s.ptr + at, us - (s.ptr + at)}, name)) {
            return (hale_str){us + 1, s.ptr + e - us - 1};
        }
        at = e + 1;
    }
    return (hale_str){"", 0};
}

hale_str hale_http_query_param(const hale_http_route_params *p, hale_str name) {
    hale_str s = p->qs;
    int64_t at = 0;
    while (at < s.len) {
        int64_t e = at;
        while (e < s.len && s.ptr[e] != '&') {
            e++;
        }
        const char *eq = memchr(s.ptr + at, '=', (size_t)(e - at));
        hale_str key = {s.ptr + at, eq ? eq - (s.ptr + at) : e - at};
        if (hale_str_eq(key, name)) {
            return eq ? (hale_str){eq + 1, s.ptr + e - eq - 1} : (hale_str){"", 0};
        }
        at = e + 1;
    }
    return (hale_str){"", 0};
}

void hale_http_build_context(const hale_http_request *req, hale_http_context *out) {
    hale_str path;
    out->req = *req;
    hale_route_split_target(req->path, &path, &out->params.qs);
    out->params.captures = (hale_str){"", 0};
}

static bool method_is(hale_str want, hale_str got) {
    if (want.len != got.len) {
        return false;
    }
    for (int64_t i = 0; i < want.len; i++) {
        char a = want.ptr[i], b = got.ptr[i];
        if ((a >= 'a' && a <= 'z' ? a - 32 : a) != (b >= 'a' && b <= 'z' ? b - 32 : b)) {
            return false;
        }
    }
    return true;
}

bool hale_http_is_route(const hale_http_context *ctx, hale_str method, hale_str pattern) {
    hale_str path, query;
    hale_route_split_target(ctx->req.path, &path, &query);
    return method_is(method, ctx->req.method) && hale_route_match(pattern, path, NULL);
}

/* The captures packed into r (see hale_http_route_params). */
static hale_str pack(hale_region *r, const hale_route_captures *c) {
    int64_t n = 0;
    for (int i = 0; i < c->n; i++) {
        n += c->name[i].len + c->value[i].len + 2;
    }
    if (n == 0) {
        return (hale_str){"", 0};
    }
    char *p = hale_region_alloc(r, (size_t)n, 1), *w = p;
    for (int i = 0; i < c->n; i++) {
        memcpy(w, c->name[i].ptr, (size_t)c->name[i].len);
        w += c->name[i].len;
        *w++ = US;
        memcpy(w, c->value[i].ptr, (size_t)c->value[i].len);
        w += c->value[i].len;
        *w++ = RS;
    }
    return (hale_str){p, n - 1}; /* no separator after the last pair */
}

/* ---- the Router ---- */

void hale_http_router_init(hale_http_router *r, hale_region *region) {
    memset(r, 0, sizeof *r);
    r->region = region;
}

void hale_http_router_birth(hale_http_router *r, hale_locus *not_found) {
    r->not_found = not_found;
}

void hale_http_router_dissolve(hale_http_router *r) {
    hale_sys_free(r->routes);
    hale_sys_free(r->middleware);
    r->routes = NULL;
    r->middleware = NULL;
    r->nroutes = r->routes_cap = r->nmiddleware = r->middleware_cap = 0;
}

static void *grow(void *v, int64_t *cap, int64_t n, size_t elem) {
    if (n < *cap) {
        return v;
    }
    int64_t c = *cap ? *cap * 2 : 8;
    void *p = hale_sys_realloc(v, (size_t)c * elem);
    if (!p) {
        hale_fault("std::http::Router", "out of memory");
    }
    *cap = c;
    return p;
}

static hale_http_route *new_route(hale_http_router *r, hale_str method, hale_str pattern);

void hale_http_router_add(hale_http_router *r, hale_str method, hale_str pattern,
                          hale_locus *handler) {
    new_route(r, method, pattern)->handler = handler;
}

void hale_http_router_add_fn(hale_http_router *r, hale_str method, hale_str pattern,
                             hale_fn_call call, void (*fn)(void)) {
    hale_http_route *rt = new_route(r, method, pattern);
    rt->call = call;
    rt->fn = fn;
}

static hale_http_route *new_route(hale_http_router *r, hale_str method, hale_str pattern) {
    const char *why = NULL;
    if (hale_route_pattern_check(pattern, &why) < 0) {
        hale_fault("std::http::Router.add", "route pattern \"%.*s\": %s",
                   (int)(pattern.len > 200 ? 200 : pattern.len), pattern.ptr, why);
    }
    r->routes = grow(r->routes, &r->routes_cap, r->nroutes, sizeof *r->routes);
    char *m = hale_region_alloc(r->region, (size_t)method.len + 1, 1);
    for (int64_t i = 0; i < method.len; i++) {
        char ch = method.ptr[i];
        m[i] = ch >= 'a' && ch <= 'z' ? (char)(ch - 32) : ch;
    }
    r->routes[r->nroutes] = (hale_http_route){
        .method = {m, method.len},
        .pattern = hale_str_copy(r->region, pattern),
    };
    return &r->routes[r->nroutes++];
}

void hale_http_router_use(hale_http_router *r, hale_locus *middleware) {
    r->middleware = grow(r->middleware, &r->middleware_cap, r->nmiddleware, sizeof *r->middleware);
    r->middleware[r->nmiddleware++] = middleware;
}

int64_t hale_http_router_len(hale_http_router *r) {
    return r->nroutes;
}

/* The scratch side a callee may use while its result goes to `into`. */
static hale_region *other_side(hale_region *into) {
    hale_scratch *sc = hale_scratch_current();
    hale_region *a = hale_scratch_side(sc, 0);
    return a == into ? hale_scratch_side(sc, 1) : a;
}

typedef struct {
    hale_locus *l;
    hale_region *into;
    const hale_http_context *ctx;
    const hale_http_response *resp_in;
    hale_http_context *ctx_out;
    hale_http_response *resp;
} call;

static void call_handle(void *arg) {
    call *c = arg;
    c->l->type->std_handle(c->into, other_side(c->into), c->l, c->ctx, c->resp);
}

static void call_before(void *arg) {
    call *c = arg;
    c->l->type->std_before(c->into, other_side(c->into), c->l, c->ctx, c->ctx_out);
}

static void call_after(void *arg) {
    call *c = arg;
    c->l->type->std_after(c->into, other_side(c->into), c->l, c->ctx, c->resp_in, c->resp);
}

static void answer(hale_http_response *resp, int64_t status, const char *body) {
    memset(resp, 0, sizeof *resp);
    resp->status = status;
    resp->content_type = (hale_str){"text/plain", 10};
    resp->body = (hale_str){body, (int64_t)strlen(body)};
}

/* Runs one framed call; false when it was left by a fault. */
static bool framed(void (*fn)(void *), call *c) {
    return hale_locus_framed(c->l, FR_HOOK, fn, c) == 0;
}

hale_http_response hale_http_router_dispatch(hale_http_router *r, hale_http_request req,
                                             hale_region *into) {
    hale_http_response resp;
    hale_http_context ctx;
    hale_http_build_context(&req, &ctx);
    for (int64_t i = 0; i < r->nmiddleware; i++) {
        hale_locus *m = r->middleware[i];
        if (!m->type->std_before) {
            continue;
        }
        hale_http_context next = ctx;
        call c = {.l = m, .into = into, .ctx = &ctx, .ctx_out = &next};
        if (!framed(call_before, &c)) {
            answer(&resp, 500, "internal server error");
            return resp;
        }
        ctx = next;
    }
    hale_str path, query;
    hale_route_split_target(ctx.req.path, &path, &query);
    hale_locus *h = r->not_found;
    const hale_http_route *hit = NULL;
    hale_route_captures caps;
    for (int64_t i = 0; i < r->nroutes; i++) {
        if (method_is(r->routes[i].method, ctx.req.method) &&
            hale_route_match(r->routes[i].pattern, path, &caps)) {
            hit = &r->routes[i];
            h = hit->handler;
            ctx.params.captures = pack(into, &caps);
            break;
        }
    }
    if (hit && hit->call) {
        hit->call(into, other_side(into), hit->fn, &ctx, &resp); /* in the caller's frame */
    } else if (h && h->type->std_handle) {
        call c = {.l = h, .into = into, .ctx = &ctx, .resp = &resp};
        if (!framed(call_handle, &c)) {
            answer(&resp, 500, "internal server error");
        }
    } else {
        answer(&resp, 404, "not found");
    }
    for (int64_t i = r->nmiddleware - 1; i >= 0; i--) {
        hale_locus *m = r->middleware[i];
        if (!m->type->std_after) {
            continue;
        }
        hale_http_response in = resp;
        call c = {.l = m, .into = into, .ctx = &ctx, .resp_in = &in, .resp = &resp};
        if (!framed(call_after, &c)) {
            answer(&resp, 500, "internal server error");
        }
    }
    return resp;
}

hale_http_response hale_http_router_handle(hale_http_router *r, hale_http_request req,
                                           hale_region *into) {
    return hale_http_router_dispatch(r, req, into);
}

void hale_http_router_serve(hale_region *ho, hale_region *hm, hale_http_router *r, const void *req,
                            void *resp) {
    (void)hm;
    *(hale_http_response *)resp = hale_http_router_dispatch(r, *(const hale_http_request *)req, ho);
}

hale_http_context hale_http_no_handler_before(hale_http_no_handler *n, hale_http_context ctx,
                                              hale_region *into) {
    (void)n;
    (void)into;
    return ctx;
}

hale_http_response hale_http_no_handler_after(hale_http_no_handler *n, hale_http_context ctx,
                                              hale_http_response resp, hale_region *into) {
    (void)n;
    (void)ctx;
    (void)into;
    return resp;
}
