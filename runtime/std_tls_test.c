/* std::io::tls against a real TLS server on loopback (OpenSSL's server side in a thread, a
 * throwaway self-signed certificate made here): a verified-off handshake and echo, a verifying
 * client refusing the self-signed peer, a receive timeout, and bad peers: one that closes at
 * once, one that answers the ClientHello with garbage, one that sends half a record; upgrade of
 * a socket that is not a stream leaves it open. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "std_tls.h"
#include "str.h"

static hale_str S(const char *s) {
    return (hale_str){s, (int64_t)strlen(s)};
}

static int listener(int *port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 8), 0);
    socklen_t n = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &n);
    *port = ntohs(a.sin_port);
    return fd;
}

static int dial(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

/* A server context with a fresh self-signed certificate for "localhost". */
static SSL_CTX *server_ctx(void) {
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1,
                               0);
    X509_set_issuer_name(x, name);
    X509_sign(x, key, EVP_sha256());
    SSL_CTX *c = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(c, x);
    SSL_CTX_use_PrivateKey(c, key);
    X509_free(x);
    EVP_PKEY_free(key);
    return c;
}

typedef struct {
    int lfd;
    int mode; /* 0 TLS echo, 1 close at once, 2 garbage, 3 half a record */
    int conns;
} server_arg;

static void *serve(void *p) {
    server_arg *a = p;
    SSL_CTX *c = server_ctx();
    for (int i = 0; i < a->conns; i++) {
        int fd = accept(a->lfd, NULL, NULL);
        if (fd < 0) {
            break;
        }
        if (a->mode == 1) {
            close(fd);
            continue;
        }
        if (a->mode == 2 || a->mode == 3) {
            char hello[512];
            (void)!recv(fd, hello, sizeof hello, 0);
            if (a->mode == 2) {
                (void)!send(fd, "HTTP/1.1 400 Bad Request\r\n\r\n", 28, 0);
            } else {
                /* a handshake record header announcing 512 bytes, then 5 of them */
                (void)!send(fd, "\x16\x03\x03\x02\x00\x02\x00\x01\xfc\x03", 10, 0);
            }
            close(fd);
            continue;
        }
        SSL *s = SSL_new(c);
        SSL_set_fd(s, fd);
        if (SSL_accept(s) == 1) {
            char buf[256];
            int n;
            while ((n = SSL_read(s, buf, sizeof buf)) > 0) {
                if (n == 4 && memcmp(buf, "wait", 4) == 0) {
                    continue; /* says nothing: the client's receive times out */
                }
                SSL_write(s, buf, n);
            }
        }
        SSL_free(s);
        close(fd);
    }
    SSL_CTX_free(c);
    return NULL;
}

static pthread_t start(server_arg *a, int mode, int conns, int *port) {
    a->lfd = listener(port);
    a->mode = mode;
    a->conns = conns;
    pthread_t t;
    pthread_create(&t, NULL, serve, a);
    return t;
}

static void test_echo_and_verification(void **state) {
    (void)state;
    server_arg a;
    int port;
    pthread_t t = start(&a, 0, 2, &port);
    hale_region *r = hale_region_new(NULL, "tls");
    hale_io_error e;
    int64_t h;
    /* verifying: a self-signed peer is refused, the socket stays the caller's */
    int fd = dial(port);
    assert_false(hale_tls_upgrade(fd, S("localhost"), true, &h, &e));
    assert_string_equal(e.kind, "protocol");
    assert_non_null(strstr(e.path, "certificate verify failed"));
    assert_int_equal(close(fd), 0);
    /* not verifying: encrypted, echoes */
    fd = dial(port);
    assert_true(hale_tls_upgrade(fd, S("localhost"), false, &h, &e));
    assert_int_equal(hale_tls_send_bytes(h, (hale_bytes){(const uint8_t *)"ping", 4}), 4);
    hale_bytes back = hale_tls_recv_bytes(r, h, 64);
    assert_int_equal(back.len, 4);
    assert_memory_equal(back.ptr, "ping", 4);
    assert_true(hale_tls_set_recv_timeout(h, 50000000, NULL, &e));
    assert_int_equal(hale_tls_send_bytes(h, (hale_bytes){(const uint8_t *)"wait", 4}), 4);
    hale_bytes_builder b;
    hale_bytes_builder_init(&b, r, 0);
    assert_int_equal(hale_tls_recv_into(h, &b, 64), -2);
    assert_true(hale_tls_set_nodelay(h, true, NULL, &e));
    assert_int_equal(hale_tls_close(h), 0);
    assert_int_equal(hale_tls_close(h), -1); /* twice */
    assert_int_equal(hale_tls_send_bytes(h, (hale_bytes){(const uint8_t *)"x", 1}), -1);
    assert_int_equal(hale_tls_recv_bytes(r, h, 8).len, 0);
    assert_false(hale_tls_set_recv_timeout(h, 1, NULL, &e));
    assert_string_equal(e.kind, "invalid");
    pthread_join(t, NULL);
    close(a.lfd);
    hale_region_free(r);
}

static void test_bad_peers(void **state) {
    (void)state;
    const char *kinds[] = {"", "connection_reset", "protocol", "protocol"};
    for (int mode = 1; mode <= 3; mode++) {
        server_arg a;
        int port;
        pthread_t t = start(&a, mode, 1, &port);
        hale_io_error e;
        int64_t h = 7;
        int fd = dial(port);
        assert_false(hale_tls_upgrade(fd, S("localhost"), false, &h, &e));
        assert_int_equal(h, -1);
        if (mode == 1) { /* a reset or an end of stream, by timing: never a success */
            assert_true(strcmp(e.kind, "connection_reset") == 0 || strcmp(e.kind, "protocol") == 0);
        } else {
            assert_string_equal(e.kind, kinds[mode]);
        }
        assert_int_equal(close(fd), 0); /* still open: the caller's */
        pthread_join(t, NULL);
        close(a.lfd);
    }
    hale_io_error e;
    int64_t h;
    int port;
    int lfd = listener(&port);
    assert_false(hale_tls_upgrade(-1, S("x"), false, &h, &e));
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    assert_false(hale_tls_upgrade(u, S("x"), false, &h, &e));
    assert_int_equal(close(u), 0);
    assert_false(hale_tls_upgrade(lfd, S("x"), false, &h, &e)); /* listening, not connected */
    assert_int_equal(close(lfd), 0);
    assert_false(hale_tls_connect(S("127.0.0.1"), port, &h, &e)); /* nothing listens now */
    assert_string_equal(e.kind, "connection_refused");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_and_verification),
        cmocka_unit_test(test_bad_peers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
