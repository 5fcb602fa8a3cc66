/* Deploy-time route files (see routes.h), read with the config module's TOML reader and schema
 * checks so that errors look like every other config error: "file:line: message". */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "url.h"

static const cfg_field bus_fields[] = {
    {"key_file", CFG_T(CFG_STRING), 0},
    {"insecure", CFG_T(CFG_BOOL), 0},
    {"max_frame", CFG_T(CFG_INT), 0},
    {"routes", CFG_T(CFG_TABLE), 0},
    {NULL, 0, 0},
};

static const cfg_field route_fields[] = {
    {"url", CFG_T(CFG_STRING), 1},
    {"role", CFG_T(CFG_STRING), 0},
    {"insecure", CFG_T(CFG_BOOL), 0},
    {NULL, 0, 0},
};

static int read_route(const cfg_doc *doc, const char *subject, const cfg_value *t, tp_route *r,
                      char *err, size_t errlen) {
    char where[TP_SUBJECT_MAX + 32];
    snprintf(where, sizeof where, "[bus.routes.\"%s\"]", subject);
    if (cfg_type_of(t) != CFG_TABLE) {
        return cfg_errorf(doc, cfg_key_line(t), err, errlen,
                          "route \"%s\" must be a table with url and role", subject);
    }
    if (cfg_check(doc, t, where, route_fields, err, errlen) != 0) {
        return -1;
    }
    size_t slen = strlen(subject);
    if (slen == 0 || slen >= TP_SUBJECT_MAX) {
        return cfg_errorf(doc, cfg_line(t), err, errlen, "route subject must be 1 to %d bytes long",
                          TP_SUBJECT_MAX - 1);
    }
    memcpy(r->subject, subject, slen + 1);
    r->line = cfg_line(t);
    const char *url = NULL;
    cfg_get_str(doc, t, "url", &url, err, errlen);
    const cfg_value *uv = cfg_get(t, "url");
    tp_url parsed;
    char why[300];
    if (strlen(url) >= sizeof r->url || tp_url_parse(url, &parsed, why, sizeof why) != 0) {
        return cfg_errorf(doc, cfg_line(uv), err, errlen, "route \"%s\": %s", subject,
                          strlen(url) >= sizeof r->url ? "url too long" : why);
    }
    strcpy(r->url, url);
    static const char *const roles[] = {"listen", "dial", "connect", NULL};
    int role = -1;
    if (cfg_get_enum(doc, t, "role", roles, &role, err, errlen) < 0) {
        return -1;
    }
    r->role = role < 0 ? TP_ROLE_INFER : role == 0 ? TP_ROLE_LISTEN : TP_ROLE_DIAL;
    int insecure = -1;
    if (cfg_get_bool(doc, t, "insecure", &insecure, err, errlen) < 0) {
        return -1;
    }
    r->insecure = insecure;
    return 0;
}

static int read_bus(const cfg_doc *doc, const cfg_value *bus, tp_routes *out, char *err,
                    size_t errlen) {
    if (cfg_check(doc, bus, "[bus]", bus_fields, err, errlen) != 0) {
        return -1;
    }
    const char *key_file = NULL;
    cfg_get_str(doc, bus, "key_file", &key_file, err, errlen);
    if (key_file) {
        snprintf(out->key_file, sizeof out->key_file, "%s", key_file);
    }
    int insecure = 0;
    cfg_get_bool(doc, bus, "insecure", &insecure, err, errlen);
    out->insecure = insecure;
    int64_t max_frame = 0;
    if (cfg_get_int(doc, bus, "max_frame", 1024, (int64_t)1 << 30, &max_frame, err, errlen) < 0) {
        return -1;
    }
    out->max_frame = (size_t)max_frame;
    const cfg_value *routes = cfg_get(bus, "routes");
    size_t n = routes ? cfg_len(routes) : 0;
    out->routes = n ? calloc(n, sizeof *out->routes) : NULL;
    if (n && !out->routes) {
        return cfg_errorf(doc, cfg_line(routes), err, errlen, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        if (read_route(doc, cfg_key_at(routes, i), cfg_at(routes, i), &out->routes[i], err,
                       errlen) != 0) {
            return -1;
        }
        out->n++;
    }
    return 0;
}

int tp_routes_from_table(const cfg_doc *doc, const cfg_value *bus, tp_routes *out, char *err,
                         size_t errlen) {
    memset(out, 0, sizeof *out);
    snprintf(out->source, sizeof out->source, "%s", cfg_name(doc));
    if (!bus) {
        return 0;
    }
    if (cfg_type_of(bus) != CFG_TABLE) {
        return cfg_errorf(doc, cfg_key_line(bus), err, errlen, "bus must be a table");
    }
    if (read_bus(doc, bus, out, err, errlen) != 0) {
        tp_routes_free(out);
        return -1;
    }
    return 0;
}

static const cfg_field file_fields[] = {
    {"bus", CFG_T(CFG_TABLE), 1},
    {"metrics", CFG_T(CFG_TABLE), 0}, /* the program's /metrics address: runtime/metrics.c */
    {NULL, 0, 0},
};

int tp_routes_load(const char *path, tp_routes *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    cfg_doc *doc = cfg_parse_file(path, err, errlen);
    if (!doc) {
        return -1;
    }
    int rc = cfg_check(doc, cfg_root(doc), "the bus configuration", file_fields, err, errlen);
    if (rc == 0) {
        rc = tp_routes_from_table(doc, cfg_get(cfg_root(doc), "bus"), out, err, errlen);
    }
    cfg_free(doc);
    return rc;
}

int tp_routes_from_env(tp_routes *out, char *err, size_t errlen) {
    const char *var = "HALE_BUS_CONFIG";
    const char *path = getenv(var);
    int lines = 0;
    if (!path || !path[0]) {
        var = "LOTUS_BUS_CONFIG"; /* Hale's name and format */
        path = getenv(var);
        lines = 1;
    }
    if (!path || !path[0]) {
        memset(out, 0, sizeof *out);
        return 0;
    }
    int rc = lines ? tp_routes_load_lines(path, out, err, errlen)
                   : tp_routes_load(path, out, err, errlen);
    if (rc != 0) {
        char inner[512];
        snprintf(inner, sizeof inner, "%s", err);
        snprintf(err, errlen, "%s: %s", var, inner);
        return -1;
    }
    return 0;
}

const tp_route *tp_routes_find(const tp_routes *r, const char *subject) {
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->routes[i].subject, subject) == 0) {
            return &r->routes[i];
        }
    }
    return NULL;
}

bool tp_route_insecure(const tp_routes *r, const tp_route *route) {
    return route && route->insecure >= 0 ? route->insecure : r->insecure;
}

int tp_infer_role(tp_dir dir) {
    return dir == TP_DIR_PUBLISH ? TP_ROLE_DIAL : dir == TP_DIR_SUBSCRIBE ? TP_ROLE_LISTEN : -1;
}

int tp_route_binding_opts(const tp_routes *r, const tp_route *route, tp_dir dir, const uint8_t *key,
                          tp_binding_opts *out, char *err, size_t errlen) {
    int role = route->role != TP_ROLE_INFER ? route->role : tp_infer_role(dir);
    if (role < 0) {
        snprintf(err, errlen,
                 "%s:%d: route \"%s\": this program both publishes and subscribes it, so the "
                 "route must say role = \"listen\" or \"dial\"",
                 r->source, route->line, route->subject);
        return -1;
    }
    *out = (tp_binding_opts){.url = route->url,
                             .role = (tp_role)role,
                             .dir = dir,
                             .key = key,
                             .insecure = tp_route_insecure(r, route),
                             .label = route->subject,
                             .max_frame = r->max_frame};
    return 0;
}

int tp_routes_key(const tp_routes *r, uint8_t key[TP_KEY_BYTES], tp_aead *aead, char *err,
                  size_t errlen) {
    const char *env = getenv("HALE_KEY_FILE");
    const char *path = env && env[0] ? env : r->key_file[0] ? r->key_file : NULL;
    if (!path) {
        return 0;
    }
    return tp_key_load(path, key, aead, err, errlen) == 0 ? 1 : -1;
}

void tp_routes_free(tp_routes *r) {
    free(r->routes);
    r->routes = NULL;
    r->n = 0;
}
