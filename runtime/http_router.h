/* std::http::Router: routes `METHOD /path/:capture` patterns to RouteHandler loci, with
 * Middleware around them (Hale's std::http::Router, Context, RouteParams, path_param,
 * query_param, build_context, is_route).
 *
 * A pattern is a path of '/'-separated segments; a segment `:name` captures whatever one
 * segment of the request path holds there (at most HALE_ROUTE_MAX_CAPTURES per pattern, names
 * of letters, digits and '_'); every other segment must be equal. A trailing '/' is ignored on
 * both sides, empty segments are not ("//a" is not "/a"), and there is no wildcard. The request
 * target's query string ("?..." ) takes no part in matching; it becomes RouteParams.qs. Methods
 * compare case-insensitively. Values are not URL-decoded (Hale's v1).
 *
 * The Router keeps its routes in registration order: the first match wins, so specific patterns
 * go before general ones. A handler given to `add` (a locus literal) is born as a child of the
 * Router and lives until the Router dissolves. Middleware run onion-wise: every `before(ctx)` in
 * registration order (each may rewrite the Context), the route, then every `after(ctx, resp)` in
 * reverse order. No route matching the path, or none with the request's method: the
 * `not_found` handler (by default a 404).
 *
 * The matcher (hale_route_match) is pure and fuzzed (http_router_fuzz.c). */
#ifndef HALE_RUNTIME_HTTP_ROUTER_H
#define HALE_RUNTIME_HTTP_ROUTER_H

#include <stdbool.h>
#include <stdint.h>

#include "locus.h"
#include "region.h"
#include "std_http.h"
#include "value.h"

#define HALE_ROUTE_MAX_CAPTURES 8

/* Hale's `RouteParams { captures: String; qs: String; }`: the captures packed as
 * name US value RS name US value ... (US = 0x1f, RS = 0x1e), and the query string without its
 * '?'. Read them with path_param / query_param. */
typedef struct {
    hale_str captures;
    hale_str qs;
} hale_http_route_params;

/* Hale's `Context { req: Request; params: RouteParams; }` */
typedef struct {
    hale_http_request req;
    hale_http_route_params params;
} hale_http_context;

typedef struct {
    int n;
    hale_str name[HALE_ROUTE_MAX_CAPTURES];
    hale_str value[HALE_ROUTE_MAX_CAPTURES];
} hale_route_captures;

/* The number of captures in `pattern`, or -1 when it is not a pattern (no leading '/', an empty
 * or malformed capture name, a repeated name, more than HALE_ROUTE_MAX_CAPTURES captures);
 * `why` (may be NULL) then says what. */
int hale_route_pattern_check(hale_str pattern, const char **why);

/* Whether `path` (no query string) matches `pattern`; the captures (views into both) go to
 * `out` (may be NULL), which is left with n = 0 on a miss. */
bool hale_route_match(hale_str pattern, hale_str path, hale_route_captures *out);

/* The target's path and query string (views; the query without its '?', "" when none). */
void hale_route_split_target(hale_str target, hale_str *path, hale_str *query);

/* std::http::path_param(params, name), query_param(params, name): the value or "". A query
 * parameter given without '=' answers ""; the first occurrence wins. */
hale_str hale_http_path_param(const hale_http_route_params *p, hale_str name);
hale_str hale_http_query_param(const hale_http_route_params *p, hale_str name);

/* std::http::build_context(req) -> Context: the request with the query split into params.qs
 * and no captures. */
void hale_http_build_context(const hale_http_request *req, hale_http_context *out);

/* std::http::is_route(ctx, method, pattern) -> Bool: the Router's matcher against one method and
 * pattern (the query string ignored). Records are values here, so the captures are not written
 * back into the caller's Context. */
bool hale_http_is_route(const hale_http_context *ctx, hale_str method, hale_str pattern);

/* ---- the Router locus ---- */

/* How the runtime calls a Hale function value of one argument: `call(ho, hm, fn, &arg, &result)`
 * (the compiler emits one per function type). */
typedef void (*hale_fn_call)(hale_region *ho, hale_region *hm, void (*fn)(void), const void *arg,
                             void *result);

typedef struct {
    hale_str method;  /* upper-cased */
    hale_str pattern; /* checked */
    hale_locus *handler;
    hale_fn_call call; /* add_fn: the function and its adapter instead of a handler */
    void (*fn)(void);
} hale_http_route;

typedef struct {
    hale_region *region; /* the Router locus's: method and pattern copies */
    hale_http_route *routes;
    int64_t nroutes, routes_cap;
    hale_locus **middleware;
    int64_t nmiddleware, middleware_cap;
    hale_locus *not_found;
} hale_http_router;

void hale_http_router_init(hale_http_router *r, hale_region *region);
void hale_http_router_birth(hale_http_router *r, hale_locus *not_found);
void hale_http_router_dissolve(hale_http_router *r);
/* add(method, pattern, h): a pattern that is not one is a fault naming it (Hale raises at
 * registration). */
void hale_http_router_add(hale_http_router *r, hale_str method, hale_str pattern,
                          hale_locus *handler);
/* add_fn(method, pattern, f): a bare `fn(Context) -> Response`, in the same list and order as
 * the handler loci. */
void hale_http_router_add_fn(hale_http_router *r, hale_str method, hale_str pattern,
                             hale_fn_call call, void (*fn)(void));
void hale_http_router_use(hale_http_router *r, hale_locus *middleware);
int64_t hale_http_router_len(hale_http_router *r);
/* dispatch(req) / handle(req): the response, its text in `into`. */
hale_http_response hale_http_router_dispatch(hale_http_router *r, hale_http_request req,
                                             hale_region *into);
hale_http_response hale_http_router_handle(hale_http_router *r, hale_http_request req,
                                           hale_region *into);
/* The Router as a std::http::Handler (a Server's handler): hale_http_handle_fn's shape. */
void hale_http_router_serve(hale_region *ho, hale_region *hm, hale_http_router *r, const void *req,
                            void *resp);

/* std::http::Middleware's own state (a Middleware literal): passes everything through. */
hale_http_context hale_http_no_handler_before(hale_http_no_handler *n, hale_http_context ctx,
                                              hale_region *into);
hale_http_response hale_http_no_handler_after(hale_http_no_handler *n, hale_http_context ctx,
                                              hale_http_response resp, hale_region *into);

#endif
