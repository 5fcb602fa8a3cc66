/* A blocking HTTP/1.x client for the runtime's unit tests of the /metrics endpoint: connects to
 * 127.0.0.1:PORT, sends a request as given, reads until the server closes. Included only by
 * *_test.c files. */
#ifndef HALE_RUNTIME_TEST_HTTP_H
#define HALE_RUNTIME_TEST_HTTP_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The port of "HOST:PORT". */
static inline int test_http_port(const char *addr) {
    const char *c = strrchr(addr, ':');
    return c ? atoi(c + 1) : -1;
}

static inline int test_http_connect(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Reads everything until the peer closes into out (NUL-terminated, at most cap - 1 bytes).
 * Returns the length, or -1. */
static inline ssize_t test_http_read_all(int fd, char *out, size_t cap) {
    size_t len = 0;
    for (;;) {
        ssize_t n = recv(fd, out + len, cap - 1 - len, 0);
        if (n <= 0) {
            break;
        }
        len += (size_t)n;
        if (len == cap - 1) {
            break;
        }
    }
    out[len] = '\0';
    return (ssize_t)len;
}

/* Sends `request` whole and returns the answer, as above. */
static inline ssize_t test_http(int port, const char *request, char *out, size_t cap) {
    int fd = test_http_connect(port);
    if (fd < 0) {
        return -1;
    }
    size_t n = strlen(request);
    if (send(fd, request, n, MSG_NOSIGNAL) != (ssize_t)n) {
        close(fd);
        return -1;
    }
    ssize_t len = test_http_read_all(fd, out, cap);
    close(fd);
    return len;
}

/* The body of an answer (after the blank line), or NULL. */
static inline const char *test_http_body(const char *answer) {
    const char *b = strstr(answer, "\r\n\r\n");
    return b ? b + 4 : NULL;
}

#endif
