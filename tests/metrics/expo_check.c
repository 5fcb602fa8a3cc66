/* A strict reader of the Prometheus text exposition format (version 0.0.4), for the metrics
 * tests: it fetches a scrape, checks every rule of the format and our naming conventions, and
 * answers queries on the values, so the shell test can compare them with what happened.
 *
 *   expo_check scrape HOST:PORT OUT   GET /metrics: status 200, the 0.0.4 content type, a
 *                                     Content-Length that matches; the body goes to OUT
 *   expo_check check FILE             every rule below; "FILE:LINE: message" and exit 1 on the
 *                                     first broken one
 *   expo_check value FILE SERIES      the value of SERIES, `name{k="v",...}` in any label order
 *                                     (exit 1 when absent)
 *   expo_check sum FILE NAME [K=V...] the sum over the samples of NAME whose labels include K=V
 *   expo_check count FILE NAME        how many samples NAME has
 *
 * The format's rules: lines end with \n (the last one too), no \r; `# HELP name text` with only
 * \\ and \n escaped, `# TYPE name counter|gauge|histogram|summary|untyped`, each at most once per
 * name and before the family's first sample; samples `name{label="value",...} value
 * [timestamp]`, names [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]* not starting
 * with "__" and not repeated, label values with only \\, \" and \n escaped, values that parse
 * as floats (NaN, +Inf, -Inf), integer timestamps; a family's samples together, never a series
 * twice. Our conventions on top: every family has HELP and TYPE, counters end in _total and are
 * never negative or NaN, only counters end in _total, and no name uses a scaled unit (_ms,
 * _milliseconds, _kb, _mb, _kib, _mib, _percent): base units only. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_LABELS 16
#define MAX_SERIES 100000
#define MAX_FAMILIES 4096

typedef struct {
    char name[128];
    int nlabels;
    char key[MAX_LABELS][64];
    char val[MAX_LABELS][256];
    double value;
    int line;
} sample;

typedef struct {
    char name[128];
    char type[16]; /* "" until TYPE */
    int has_help;
    int closed; /* another family's samples came after ours */
    int nsamples;
    int line;
} family;

static sample *samples;
static int nsamples;
static family families[MAX_FAMILIES];
static int nfamilies;
static const char *fname;

static void fail(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void fail(int line, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s:%d: ", fname, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static int name_char(int c, int first, int colon) {
    return isalpha(c) || c == '_' || (colon && c == ':') || (!first && isdigit(c));
}

/* Reads a name at *p; returns its length (0 when none). */
static size_t read_name(const char *p, int colon) {
    size_t n = 0;
    while (p[n] && name_char((unsigned char)p[n], n == 0, colon)) {
        n++;
    }
    return n;
}

static family *find_family(const char *name) {
    for (int i = 0; i < nfamilies; i++) {
        if (strcmp(families[i].name, name) == 0) {
            return &families[i];
        }
    }
    return NULL;
}

static family *get_family(const char *name, int line) {
    family *f = find_family(name);
    if (!f) {
        if (nfamilies == MAX_FAMILIES) {
            fail(line, "too many families");
        }
        f = &families[nfamilies++];
        memset(f, 0, sizeof *f);
        snprintf(f->name, sizeof f->name, "%s", name);
        f->line = line;
    }
    return f;
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* The family a sample name belongs to: NAME_bucket/_sum/_count of a histogram or summary NAME. */
static family *family_of(const char *name, int line) {
    static const char *const parts[] = {"_bucket", "_sum", "_count", NULL};
    for (const char *const *s = parts; *s; s++) {
        if (ends_with(name, *s)) {
            char base[128];
            snprintf(base, sizeof base, "%.*s", (int)(strlen(name) - strlen(*s)), name);
            family *f = find_family(base);
            if (f && (strcmp(f->type, "histogram") == 0 || strcmp(f->type, "summary") == 0)) {
                return f;
            }
        }
    }
    return get_family(name, line);
}

static family *current; /* the family whose samples are being read */

static void check_help_text(const char *p, int line) {
    for (; *p; p++) {
        if (*p == '\\' && p[1] != '\\' && p[1] != 'n') {
            fail(line, "HELP text has an escape other than \\\\ or \\n");
        }
        if (*p == '\\') {
            p++;
        }
    }
}

static void comment(char *p, int line) {
    /* "# HELP name text", "# TYPE name type", or any other comment */
    if (strncmp(p, "# HELP ", 7) != 0 && strncmp(p, "# TYPE ", 7) != 0) {
        return;
    }
    int help = p[2] == 'H';
    p += 7;
    size_t n = read_name(p, 1);
    if (n == 0 || (p[n] != ' ' && p[n] != '\0')) {
        fail(line, "%s needs a metric name", help ? "HELP" : "TYPE");
    }
    char name[128];
    if (n >= sizeof name) {
        fail(line, "metric name too long");
    }
    memcpy(name, p, n);
    name[n] = '\0';
    family *f = get_family(name, line);
    if (f != current) {
        /* a family's HELP or TYPE ends the samples of the one before it */
        if (current) {
            current->closed = 1;
        }
        if (f->closed) {
            fail(line, "%s for %s after its samples ended", help ? "HELP" : "TYPE", name);
        }
        current = f;
    }
    const char *rest = p[n] ? p + n + 1 : p + n;
    if (help) {
        if (f->has_help) {
            fail(line, "a second HELP for %s", name);
        }
        check_help_text(rest, line);
        f->has_help = 1;
        return;
    }
    if (f->type[0]) {
        fail(line, "a second TYPE for %s", name);
    }
    if (f->nsamples) {
        fail(line, "TYPE for %s after its samples", name);
    }
    static const char *const types[] = {"counter", "gauge",   "histogram",
                                        "summary", "untyped", NULL};
    int ok = 0;
    for (const char *const *t = types; *t; t++) {
        ok |= strcmp(rest, *t) == 0;
    }
    if (!ok) {
        fail(line, "unknown type '%s' for %s", rest, name);
    }
    snprintf(f->type, sizeof f->type, "%s", rest);
}

static double parse_value(const char *tok, int line) {
    if (strcmp(tok, "NaN") == 0) {
        return NAN;
    }
    if (strcmp(tok, "+Inf") == 0) {
        return INFINITY;
    }
    if (strcmp(tok, "-Inf") == 0) {
        return -INFINITY;
    }
    char *end;
    errno = 0;
    double v = strtod(tok, &end);
    if (end == tok || *end || errno == ERANGE || isnan(v) || isinf(v)) {
        fail(line, "'%s' is not a sample value", tok);
    }
    return v;
}

static int same_labels(const sample *a, const sample *b) {
    if (a->nlabels != b->nlabels || strcmp(a->name, b->name) != 0) {
        return 0;
    }
    for (int i = 0; i < a->nlabels; i++) {
        int found = 0;
        for (int j = 0; j < b->nlabels && !found; j++) {
            found = strcmp(a->key[i], b->key[j]) == 0 && strcmp(a->val[i], b->val[j]) == 0;
        }
        if (!found) {
            return 0;
        }
    }
    return 1;
}

/* Parses `{k="v",...}` at *pp into s. */
static void labels(const char **pp, sample *s, int line) {
    const char *p = *pp + 1;
    for (;;) {
        if (*p == '}') {
            p++;
            break;
        }
        size_t n = read_name(p, 0);
        if (n == 0) {
            fail(line, "expected a label name at '%.20s'", p);
        }
        if (n >= sizeof s->key[0] || s->nlabels == MAX_LABELS) {
            fail(line, "label name too long, or too many labels");
        }
        char *k = s->key[s->nlabels];
        memcpy(k, p, n);
        k[n] = '\0';
        if (strncmp(k, "__", 2) == 0) {
            fail(line, "label name %s is reserved (starts with __)", k);
        }
        for (int i = 0; i < s->nlabels; i++) {
            if (strcmp(s->key[i], k) == 0) {
                fail(line, "label %s given twice", k);
            }
        }
        p += n;
        if (p[0] != '=' || p[1] != '"') {
            fail(line, "expected =\" after label %s", k);
        }
        p += 2;
        char *v = s->val[s->nlabels];
        size_t len = 0;
        while (*p != '"') {
            if (*p == '\0') {
                fail(line, "unterminated value of label %s", k);
            }
            char c = *p++;
            if (c == '\\') {
                c = *p++;
                if (c == 'n') {
                    c = '\n';
                } else if (c != '\\' && c != '"') {
                    fail(line, "label %s: escape \\%c is not \\\\, \\\" or \\n", k, c ? c : '0');
                }
            }
            if (len + 1 >= sizeof s->val[0]) {
                fail(line, "label value too long");
            }
            v[len++] = c;
        }
        v[len] = '\0';
        p++;
        s->nlabels++;
        if (*p == ',') {
            p++;
        } else if (*p != '}') {
            fail(line, "expected , or } after the value of label %s", k);
        }
    }
    *pp = p;
}

static void sample_line(const char *p, int line) {
    if (nsamples == MAX_SERIES) {
        fail(line, "too many samples");
    }
    sample *s = &samples[nsamples];
    memset(s, 0, sizeof *s);
    s->line = line;
    size_t n = read_name(p, 1);
    if (n == 0 || n >= sizeof s->name) {
        fail(line, "expected a metric name at '%.20s'", p);
    }
    memcpy(s->name, p, n);
    p += n;
    if (*p == '{') {
        labels(&p, s, line);
    }
    if (*p != ' ' && *p != '\t') {
        fail(line, "expected a space before the value of %s", s->name);
    }
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    char tok[64];
    n = strcspn(p, " \t");
    if (n == 0 || n >= sizeof tok) {
        fail(line, "missing or overlong value for %s", s->name);
    }
    memcpy(tok, p, n);
    tok[n] = '\0';
    s->value = parse_value(tok, line);
    p += n;
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    if (*p) {
        char *end;
        strtoll(p, &end, 10);
        if (end == p || *end) {
            fail(line, "'%s' is not a timestamp (milliseconds, an integer)", p);
        }
    }
    family *f = family_of(s->name, line);
    if (f != current) {
        if (current) {
            current->closed = 1;
        }
        if (f->closed) {
            fail(line, "samples of %s are split: its family began on line %d", f->name, f->line);
        }
        current = f;
    }
    for (int i = nsamples - 1; i >= 0 && strcmp(samples[i].name, s->name) == 0; i--) {
        if (same_labels(&samples[i], s)) {
            fail(line, "the series of line %d again", samples[i].line);
        }
    }
    f->nsamples++;
    nsamples++;
}

static void conventions(void) {
    static const char *const scaled[] = {"_ms",  "_milliseconds", "_microseconds", "_us",
                                         "_ns",  "_kb",           "_mb",           "_kib",
                                         "_mib", "_percent",      "_minutes",      NULL};
    for (int i = 0; i < nfamilies; i++) {
        family *f = &families[i];
        if (!f->nsamples) {
            continue;
        }
        if (!f->has_help || !f->type[0]) {
            fail(f->line, "%s has no %s", f->name, f->has_help ? "TYPE" : "HELP");
        }
        int counter = strcmp(f->type, "counter") == 0;
        if (counter != ends_with(f->name, "_total")) {
            fail(f->line,
                 counter ? "counter %s does not end in _total"
                         : "%s ends in _total but is not a counter",
                 f->name);
        }
        for (const char *const *u = scaled; *u; u++) {
            char mid[32];
            snprintf(mid, sizeof mid, "%s_", *u);
            if (ends_with(f->name, *u) || strstr(f->name, mid)) {
                fail(f->line, "%s uses a scaled unit (%s): use base units", f->name, *u);
            }
        }
    }
    for (int i = 0; i < nsamples; i++) {
        family *f = family_of(samples[i].name, samples[i].line);
        if (strcmp(f->type, "counter") == 0 && !(samples[i].value >= 0)) {
            fail(samples[i].line, "counter %s is negative or NaN", samples[i].name);
        }
    }
}

static void parse_file(const char *path) {
    fname = path;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        exit(1);
    }
    static char text[1 << 22];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    if (strlen(text) != len) {
        fail(1, "a NUL byte in the exposition");
    }
    if (len == 0) {
        fail(1, "empty exposition");
    }
    if (text[len - 1] != '\n') {
        fail(1, "the last line does not end with \\n");
    }
    samples = calloc(MAX_SERIES, sizeof *samples);
    int line = 0;
    for (char *p = text; *p;) {
        char *nl = strchr(p, '\n');
        *nl = '\0';
        line++;
        if (strchr(p, '\r')) {
            fail(line, "a carriage return");
        }
        if (p[0] == '#') {
            comment(p, line);
        } else if (p[0] != '\0') {
            sample_line(p, line);
        }
        p = nl + 1;
    }
    conventions();
}

/* ---- queries ---- */

static int query(const char *spec, sample *want) {
    memset(want, 0, sizeof *want);
    size_t n = read_name(spec, 1);
    if (n == 0 || n >= sizeof want->name) {
        return -1;
    }
    memcpy(want->name, spec, n);
    const char *p = spec + n;
    if (*p == '{') {
        fname = "query";
        labels(&p, want, 0);
    }
    return *p ? -1 : 0;
}

/* ---- scraping ---- */

static int scrape(const char *addr, const char *out) {
    const char *colon = strrchr(addr, ':');
    if (!colon) {
        fprintf(stderr, "scrape: expected HOST:PORT, not %s\n", addr);
        return 1;
    }
    char host[64];
    snprintf(host, sizeof host, "%.*s", (int)(colon - addr), addr);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        fprintf(stderr, "scrape: %s is not an IPv4 address\n", host);
        return 1;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        fprintf(stderr, "scrape: connect %s: %s\n", addr, strerror(errno));
        return 1;
    }
    char req[256];
    int rn = snprintf(req, sizeof req,
                      "GET /metrics HTTP/1.1\r\nHost: %s\r\nAccept: text/plain\r\n\r\n", addr);
    if (send(fd, req, (size_t)rn, MSG_NOSIGNAL) != rn) {
        fprintf(stderr, "scrape: send: %s\n", strerror(errno));
        return 1;
    }
    static char buf[1 << 22];
    size_t len = 0;
    ssize_t r;
    while (len < sizeof buf - 1 && (r = recv(fd, buf + len, sizeof buf - 1 - len, 0)) > 0) {
        len += (size_t)r;
    }
    close(fd);
    buf[len] = '\0';
    if (strncmp(buf, "HTTP/1.1 200 ", 13) != 0) {
        fprintf(stderr, "scrape: %s answered: %.60s\n", addr, buf);
        return 1;
    }
    char *body = strstr(buf, "\r\n\r\n");
    if (!body) {
        fprintf(stderr, "scrape: no end of headers\n");
        return 1;
    }
    *body = '\0';
    body += 4;
    if (!strstr(buf, "\r\nContent-Type: text/plain; version=0.0.4")) {
        fprintf(stderr, "scrape: not the 0.0.4 text format:\n%s\n", buf);
        return 1;
    }
    const char *cl = strstr(buf, "\r\nContent-Length: ");
    size_t blen = len - (size_t)(body - buf);
    if (!cl || (size_t)atoll(cl + 18) != blen) {
        fprintf(stderr, "scrape: Content-Length does not match the %zu bytes of the body\n", blen);
        return 1;
    }
    FILE *f = fopen(out, "wb");
    if (!f || fwrite(body, 1, blen, f) != blen || fclose(f) != 0) {
        fprintf(stderr, "scrape: cannot write %s\n", out);
        return 1;
    }
    return 0;
}

static void print_value(double v) {
    if (v == floor(v) && fabs(v) < 9e15) {
        printf("%lld\n", (long long)v);
    } else {
        printf("%.15g\n", v);
    }
}

static int usage(void) {
    fprintf(stderr, "usage: expo_check scrape HOST:PORT OUT | check FILE | value FILE SERIES |\n"
                    "                  sum FILE NAME [K=V...] | count FILE NAME\n");
    return 2;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        return usage();
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "scrape") == 0) {
        return argc == 4 ? scrape(argv[2], argv[3]) : usage();
    }
    parse_file(argv[2]);
    if (strcmp(cmd, "check") == 0) {
        printf("%s: %d families, %d samples\n", argv[2], nfamilies, nsamples);
        return 0;
    }
    if (strcmp(cmd, "value") == 0 && argc == 4) {
        sample want;
        if (query(argv[3], &want) != 0) {
            return usage();
        }
        for (int i = 0; i < nsamples; i++) {
            if (same_labels(&samples[i], &want)) {
                print_value(samples[i].value);
                return 0;
            }
        }
        fprintf(stderr, "%s: no series %s\n", argv[2], argv[3]);
        return 1;
    }
    if ((strcmp(cmd, "sum") == 0 || strcmp(cmd, "count") == 0) && argc >= 4) {
        double sum = 0;
        int count = 0;
        for (int i = 0; i < nsamples; i++) {
            if (strcmp(samples[i].name, argv[3]) != 0) {
                continue;
            }
            int match = 1;
            for (int a = 4; a < argc && match; a++) {
                const char *eq = strchr(argv[a], '=');
                int found = 0;
                for (int l = 0; eq && l < samples[i].nlabels && !found; l++) {
                    found = strncmp(samples[i].key[l], argv[a], (size_t)(eq - argv[a])) == 0 &&
                            samples[i].key[l][eq - argv[a]] == '\0' &&
                            strcmp(samples[i].val[l], eq + 1) == 0;
                }
                match = found;
            }
            if (match) {
                sum += samples[i].value;
                count++;
            }
        }
        if (strcmp(cmd, "count") == 0) {
            printf("%d\n", count);
        } else {
            print_value(sum);
        }
        return 0;
    }
    return usage();
}
