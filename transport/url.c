/* Binding URL parsing (see url.h). nng parses URLs again when it opens them; this pass exists to
 * refuse bad ones with our own message before nng is involved and to classify the address. */
#include "url.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int fail(char *err, size_t errlen, const char *url, const char *why) {
    snprintf(err, errlen, "%s: %s", url, why);
    return -1;
}

static bool host_is_loopback(const char *host) {
    if (strcasecmp(host, "localhost") == 0) {
        return true;
    }
    struct in_addr a4;
    if (inet_pton(AF_INET, host, &a4) == 1) {
        return (ntohl(a4.s_addr) >> 24) == 127;
    }
    struct in6_addr a6;
    if (inet_pton(AF_INET6, host, &a6) == 1) {
        return IN6_IS_ADDR_LOOPBACK(&a6);
    }
    return false;
}

static int parse_ipc(const char *url, const char *rest, tp_url *out, char *err, size_t errlen) {
    out->kind = TP_URL_IPC;
    out->loopback = true;
    if (rest[0] == '\0') {
        return fail(err, errlen, url, "no socket path after ipc://");
    }
    if (strlen(rest) >= sizeof out->path) {
        return fail(err, errlen, url, "socket path longer than 107 bytes");
    }
    strcpy(out->path, rest);
    return 0;
}

static int parse_tcp(const char *url, const char *rest, tp_url *out, char *err, size_t errlen) {
    out->kind = TP_URL_TCP;
    const char *colon;
    const char *host = rest;
    size_t hlen;
    if (rest[0] == '[') {
        const char *close = strchr(rest, ']');
        if (!close || close[1] != ':') {
            return fail(err, errlen, url, "expected [ipv6-address]:port");
        }
        host = rest + 1;
        hlen = (size_t)(close - host);
        colon = close + 1;
    } else {
        colon = strrchr(rest, ':');
        if (!colon) {
            return fail(err, errlen, url, "expected tcp://host:port");
        }
        hlen = (size_t)(colon - rest);
    }
    if (hlen >= sizeof out->host) {
        return fail(err, errlen, url, "host name too long");
    }
    memcpy(out->host, host, hlen);
    out->host[hlen] = '\0';
    if (strchr(out->host, '/')) {
        return fail(err, errlen, url, "unexpected '/' in the host");
    }
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || port < 0 || port > 65535) {
        return fail(err, errlen, url, "port must be a number from 0 to 65535");
    }
    out->port = (int)port;
    out->loopback = out->host[0] != '\0' && host_is_loopback(out->host);
    return 0;
}

int tp_url_parse(const char *url, tp_url *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    if (strncmp(url, "ipc://", 6) == 0) {
        return parse_ipc(url, url + 6, out, err, errlen);
    }
    static const char *const tcp[] = {"tcp://", "tcp4://", "tcp6://"};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(tcp[i]);
        if (strncmp(url, tcp[i], n) == 0) {
            return parse_tcp(url, url + n, out, err, errlen);
        }
    }
    return fail(err, errlen, url, "unsupported scheme (expected ipc:// or tcp://)");
}

int tp_url_from_unix_path(const char *path, char *buf, size_t len) {
    int n = snprintf(buf, len, "ipc://%s", path);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}
