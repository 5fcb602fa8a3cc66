/* Naming codec failures: status words, the path of the failing value, one-line rendering. */
#include "codec_path.h"

#include <stdio.h>
#include <string.h>

static const char *const status_names[] = {
    [TP_CODEC_OK] = "ok",
    [TP_CODEC_TYPE] = "type",
    [TP_CODEC_ARITY] = "arity",
    [TP_CODEC_TRUNCATED] = "truncated",
    [TP_CODEC_TRAILING] = "trailing",
    [TP_CODEC_DEPTH] = "depth",
    [TP_CODEC_LIMIT] = "limit",
    [TP_CODEC_RANGE] = "range",
    [TP_CODEC_UTF8] = "utf8",
    [TP_CODEC_VALUE] = "value",
    [TP_CODEC_SPACE] = "space",
};

const char *tp_codec_status_name(tp_codec_status s) {
    if ((unsigned)s < sizeof status_names / sizeof status_names[0] && status_names[s]) {
        return status_names[s];
    }
    return "unknown";
}

tp_limits tp_limits_default(void) {
    return (tp_limits){.max_depth = TP_DEFAULT_MAX_DEPTH,
                       .max_bytes = (size_t)16 << 20,
                       .max_elems = (size_t)1 << 20,
                       .max_decoded = TP_DEFAULT_MAX_DECODED};
}

/* Renders root-first: "Msg.items[2].name". Paths deeper than the buffer are cut with "...". */
static void render_path(const tp_path *at, char *buf, size_t len) {
    const tp_path *chain[64];
    size_t n = 0;
    for (const tp_path *p = at; p && n < sizeof chain / sizeof chain[0]; p = p->up) {
        chain[n++] = p;
    }
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = n; i-- > 0 && used + 1 < len;) {
        const tp_path *p = chain[i];
        int w;
        if (p->name && i == n - 1) {
            w = snprintf(buf + used, len - used, "%s", p->name);
        } else if (p->name) {
            w = snprintf(buf + used, len - used, ".%s", p->name);
        } else {
            w = snprintf(buf + used, len - used, "[%lld]", (long long)p->index);
        }
        if (w < 0 || (size_t)w >= len - used) {
            used = len - 1;
            break;
        }
        used += (size_t)w;
    }
    if (used + 1 >= len && len > 4) {
        memcpy(buf + len - 4, "...", 4);
    }
}

int tp_codec_fail(tp_codec_err *err, const tp_path *at, tp_codec_status status, const char *fmt,
                  ...) {
    if (!err) {
        return -1;
    }
    err->status = status;
    render_path(at, err->path, sizeof err->path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

void tp_codec_err_format(const tp_codec_err *err, char *buf, size_t len) {
    if (err->path[0]) {
        snprintf(buf, len, "%s: %s", err->path, err->msg);
    } else {
        snprintf(buf, len, "%s", err->msg);
    }
}
