/* Hale's own route file format, so a deployment written for Hale runs here unchanged:
 * LOTUS_BUS_CONFIG=FILE, one route per line,
 *
 *     chat.posted = unix:///run/chat/posted.sock : listen
 *     metrics     = tcp://10.0.0.5:7100 : connect
 *
 * `subject = URL : ROLE`, the role being `listen` or `connect`; blank lines and `#` comments are
 * skipped. As Hale specifies, a malformed line is reported (file and line) and skipped, while a
 * well-formed route whose transport cannot be opened refuses the boot like any other route.
 * `unix://PATH` is our `ipc://PATH`; other schemes are passed to the URL parser as written, so
 * one we do not carry (Hale's `udp://`) is a route that cannot be opened.
 *
 * Why a reader of our own: the format is a line of three fields that no TOML reader accepts
 * (the URL is unquoted), and it is small enough that a hand-written scanner is the clearest
 * statement of it. It is fuzzed (routes_lines_fuzz.c). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routes.h"

#define LINE_MAX_BYTES 1024

static char *trim(char *s) {
    while (*s && isspace((unsigned char)*s)) {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) {
        s[--n] = '\0';
    }
    return s;
}

static FILE *warn_to; /* where skipped lines are reported (NULL: nowhere) */

static void skipped(const char *path, int line, const char *why) {
    if (warn_to) {
        fprintf(warn_to, "hale: %s:%d: %s; the line is skipped\n", path, line, why);
    }
}

/* Parses one line into `r`. Returns 1 for a route, 0 for nothing (blank, comment) and -1 for a
 * malformed line (reported). */
static int parse_line(const char *path, int lineno, char *text, tp_route *r) {
    char *hash = strchr(text, '#');
    if (hash) {
        *hash = '\0';
    }
    char *s = trim(text);
    if (!*s) {
        return 0;
    }
    char *eq = strchr(s, '=');
    if (!eq) {
        skipped(path, lineno, "a route is `subject = url : role`");
        return -1;
    }
    *eq = '\0';
    char *subject = trim(s);
    char *rest = trim(eq + 1);
    char *colon = strrchr(rest, ':');
    if (!colon) {
        skipped(path, lineno, "the route has no `: listen` or `: connect`");
        return -1;
    }
    *colon = '\0';
    char *role = trim(colon + 1);
    char *url = trim(rest);
    if (!*subject || strlen(subject) >= sizeof r->subject) {
        skipped(path, lineno, "the subject must be 1 to 255 bytes long");
        return -1;
    }
    if (strcmp(role, "listen") == 0) {
        r->role = TP_ROLE_LISTEN;
    } else if (strcmp(role, "connect") == 0 || strcmp(role, "dial") == 0) {
        r->role = TP_ROLE_DIAL;
    } else {
        skipped(path, lineno, "the role must be `listen` or `connect`");
        return -1;
    }
    const char *scheme_rest = strncmp(url, "unix://", 7) == 0 ? url + 7 : NULL;
    int n = scheme_rest ? snprintf(r->url, sizeof r->url, "ipc://%s", scheme_rest)
                        : snprintf(r->url, sizeof r->url, "%s", url);
    if (!*url || n < 0 || (size_t)n >= sizeof r->url) {
        skipped(path, lineno, !*url ? "the route has no url" : "the url is too long");
        return -1;
    }
    memcpy(r->subject, subject, strlen(subject) + 1);
    r->insecure = -1;
    r->line = lineno;
    return 1;
}

int tp_routes_parse_lines(const char *path, const char *text, size_t len, FILE *warn,
                          tp_routes *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    warn_to = warn;
    snprintf(out->source, sizeof out->source, "%s", path);
    size_t cap = 0;
    int lineno = 0;
    for (size_t at = 0; at < len;) {
        size_t end = at;
        while (end < len && text[end] != '\n') {
            end++;
        }
        lineno++;
        char line[LINE_MAX_BYTES];
        size_t n = end - at;
        if (n >= sizeof line || memchr(text + at, '\0', n)) {
            skipped(path, lineno, n >= sizeof line ? "the line is too long" : "a NUL byte");
        } else {
            memcpy(line, text + at, n);
            line[n] = '\0';
            tp_route r;
            memset(&r, 0, sizeof r);
            if (parse_line(path, lineno, line, &r) == 1) {
                if (tp_routes_find(out, r.subject)) {
                    tp_routes_free(out);
                    snprintf(err, errlen, "%s:%d: a second route for \"%s\"", path, lineno,
                             r.subject);
                    return -1;
                }
                if (out->n == cap) {
                    cap = cap ? cap * 2 : 8;
                    tp_route *grown = realloc(out->routes, cap * sizeof *grown);
                    if (!grown) {
                        tp_routes_free(out);
                        snprintf(err, errlen, "%s: out of memory", path);
                        return -1;
                    }
                    out->routes = grown;
                }
                out->routes[out->n++] = r;
            }
        }
        at = end < len ? end + 1 : end;
    }
    return 0;
}

int tp_routes_load_lines(const char *path, tp_routes *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot read it", path);
        return -1;
    }
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 4096;
            char *grown = cap <= ((size_t)1 << 24) ? realloc(text, cap) : NULL;
            if (!grown) {
                free(text);
                fclose(f);
                snprintf(err, errlen, "%s: too large for a route file", path);
                return -1;
            }
            text = grown;
        }
        size_t got = fread(text + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            break;
        }
    }
    fclose(f);
    int rc = tp_routes_parse_lines(path, text, len, stderr, out, err, errlen);
    free(text);
    return rc;
}
