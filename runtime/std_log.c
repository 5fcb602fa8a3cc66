/* See std_log.h. */
#include "std_log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "str.h"

enum { SINK_STDOUT, SINK_CONSOLE, SINK_FILE };

static pthread_mutex_t sinks_lock = PTHREAD_MUTEX_INITIALIZER;
static hale_log_sink *sinks; /* in the order they were made */

static const char *level_name(int level) {
    static const char *names[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR"};
    return level >= 0 && level <= HALE_LOG_ERROR ? names[level] : "INFO";
}

static void add_sink(hale_log_sink *s) {
    s->next = NULL;
    pthread_mutex_lock(&sinks_lock);
    hale_log_sink **at = &sinks;
    while (*at) {
        at = &(*at)->next;
    }
    *at = s;
    pthread_mutex_unlock(&sinks_lock);
}

void hale_log_sink_dissolve(hale_log_sink *s) {
    pthread_mutex_lock(&sinks_lock);
    for (hale_log_sink **at = &sinks; *at; at = &(*at)->next) {
        if (*at == s) {
            *at = s->next;
            break;
        }
    }
    pthread_mutex_unlock(&sinks_lock);
}

int64_t hale_log_sink_failures(hale_log_sink *s) {
    pthread_mutex_lock(&sinks_lock);
    int64_t n = s->failures;
    pthread_mutex_unlock(&sinks_lock);
    return n;
}

void hale_log_stdout_init(hale_log_sink *s) {
    memset(s, 0, sizeof *s);
    s->kind = SINK_STDOUT;
    add_sink(s);
}

static bool env_set(const char *name) {
    const char *v = getenv(name);
    return v && *v && strcmp(v, "0") != 0;
}

void hale_log_console_init(hale_log_sink *s, bool color, bool show_time) {
    memset(s, 0, sizeof *s);
    s->kind = SINK_CONSOLE;
    s->show_time = show_time;
    bool tty = isatty(2);
    s->color = color && !getenv("NO_COLOR") &&
               (tty || env_set("FORCE_COLOR") || env_set("CLICOLOR_FORCE"));
    add_sink(s);
}

void hale_log_file_init(hale_log_sink *s, hale_str path, int64_t max_size, int64_t keep) {
    memset(s, 0, sizeof *s);
    s->kind = SINK_FILE;
    int n = path.len < 0 ? 0 : (path.len >= (int64_t)sizeof s->path - 8 ? 0 : (int)path.len);
    memcpy(s->path, path.ptr, (size_t)n);
    s->path[n] = 0;
    s->max_size = max_size > 0 ? max_size : 0;
    s->keep = keep > 0 ? keep : 1;
    add_sink(s);
}

/* ---- the sinks ---- */

static void put_str(hale_sbuf *b, hale_str s) {
    hale_sbuf_put(b, s.ptr, (size_t)s.len);
}

static void to_stdout(int level, hale_str path, hale_str msg) {
    hale_sbuf *o = hale_out(level >= HALE_LOG_WARN ? 2 : 1);
    hale_sbuf_puts(o, "[");
    hale_sbuf_puts(o, level_name(level));
    hale_sbuf_puts(o, " ");
    put_str(o, path);
    hale_sbuf_puts(o, "] ");
    put_str(o, msg);
    hale_out_done(o, 1);
}

static void to_console(const hale_log_sink *s, int level, hale_str path, hale_str msg) {
    static const char *colors[] = {"\x1b[90m", "\x1b[36m", "\x1b[32m", "\x1b[33m", "\x1b[31m"};
    hale_sbuf *o = hale_out(level >= HALE_LOG_WARN ? 2 : 1);
    if (s->show_time) {
        char t[16];
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        strftime(t, sizeof t, "%H:%M:%S ", &tm);
        hale_sbuf_puts(o, s->color ? "\x1b[2m" : "");
        hale_sbuf_puts(o, t);
        hale_sbuf_puts(o, s->color ? "\x1b[0m" : "");
    }
    char badge[8];
    snprintf(badge, sizeof badge, "%-5s", level_name(level));
    hale_sbuf_puts(o, s->color ? colors[level] : "");
    hale_sbuf_puts(o, badge);
    hale_sbuf_puts(o, s->color ? "\x1b[0m " : " ");
    hale_sbuf_puts(o, s->color ? "\x1b[2m" : "");
    put_str(o, path);
    hale_sbuf_puts(o, s->color ? "\x1b[0m " : " ");
    put_str(o, msg);
    hale_out_done(o, 1);
}

/* Shifts path.(k-1) to path.k ... path to path.1 (the oldest falls off). */
static void rotate(const hale_log_sink *s) {
    char from[540], to[540];
    for (int64_t k = s->keep; k >= 1; k--) {
        if (k == 1) {
            snprintf(from, sizeof from, "%s", s->path);
        } else {
            snprintf(from, sizeof from, "%s.%lld", s->path, (long long)(k - 1));
        }
        snprintf(to, sizeof to, "%s.%lld", s->path, (long long)k);
        rename(from, to); /* a missing link in the chain is not an error */
    }
}

static void to_file(hale_log_sink *s, int level, hale_str path, hale_str msg) {
    char head[96];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    size_t h = strftime(head, sizeof head, "%Y-%m-%dT%H:%M:%SZ ", &tm);
    h += (size_t)snprintf(head + h, sizeof head - h, "%-5s ", level_name(level));
    int64_t len = (int64_t)h + path.len + 1 + msg.len + 1;
    if (s->max_size > 0) {
        struct stat st;
        if (stat(s->path, &st) == 0 && st.st_size > 0 && st.st_size + len > s->max_size) {
            rotate(s);
        }
    }
    int fd = s->path[0] ? open(s->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644) : -1;
    if (fd < 0) {
        s->failures++;
        return;
    }
    char *line = malloc((size_t)len);
    if (!line) {
        close(fd);
        s->failures++;
        return;
    }
    memcpy(line, head, h);
    memcpy(line + h, path.ptr, (size_t)path.len);
    line[h + (size_t)path.len] = ' ';
    memcpy(line + h + (size_t)path.len + 1, msg.ptr, (size_t)msg.len);
    line[len - 1] = '\n';
    if (write(fd, line, (size_t)len) != len) {
        s->failures++;
    }
    free(line);
    close(fd);
}

void hale_log_emit(int level, hale_str path, hale_str msg) {
    pthread_mutex_lock(&sinks_lock);
    for (hale_log_sink *s = sinks; s; s = s->next) {
        switch (s->kind) {
        case SINK_STDOUT:
            to_stdout(level, path, msg);
            break;
        case SINK_CONSOLE:
            to_console(s, level, path, msg);
            break;
        default:
            to_file(s, level, path, msg);
        }
    }
    pthread_mutex_unlock(&sinks_lock);
}

/* ---- Logger ---- */

void hale_logger_init(hale_logger *l, hale_region *r, hale_str name, hale_str parent_path) {
    if (parent_path.len > 0 && name.len > 0) {
        hale_str parts[3] = {parent_path, HALE_STR_LIT("."), name};
        l->path = hale_str_concat_n(r, parts, 3);
    } else {
        l->path = hale_str_copy(r, name.len > 0 ? name : parent_path);
    }
}

void hale_logger_trace(hale_logger *l, hale_str msg) {
    hale_log_emit(HALE_LOG_TRACE, l->path, msg);
}

void hale_logger_debug(hale_logger *l, hale_str msg) {
    hale_log_emit(HALE_LOG_DEBUG, l->path, msg);
}

void hale_logger_info(hale_logger *l, hale_str msg) {
    hale_log_emit(HALE_LOG_INFO, l->path, msg);
}

void hale_logger_warn(hale_logger *l, hale_str msg) {
    hale_log_emit(HALE_LOG_WARN, l->path, msg);
}

void hale_logger_error(hale_logger *l, hale_str msg) {
    hale_log_emit(HALE_LOG_ERROR, l->path, msg);
}

hale_str hale_logger_path(hale_logger *l, hale_region *r) {
    (void)r;
    return l->path;
}
