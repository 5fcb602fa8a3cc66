/* See keyfile.h. Randomness and hex coding come from libsodium; the key is wiped from stack
 * buffers once copied out. */
#include "keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

static int fail(char *err, size_t errlen, const char *fmt, ...) {
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

const char *tp_aead_name(tp_aead a) {
    return a == TP_AEAD_AES256GCM ? "aes256gcm" : "xchacha20poly1305";
}

int tp_aead_available(tp_aead a) {
    if (sodium_init() < 0) {
        return 0;
    }
    return a == TP_AEAD_XCHACHA20POLY1305 || crypto_aead_aes256gcm_is_available();
}

tp_aead tp_aead_default(void) {
    return tp_aead_available(TP_AEAD_AES256GCM) ? TP_AEAD_AES256GCM : TP_AEAD_XCHACHA20POLY1305;
}

int tp_key_generate(const char *path, int force, tp_aead aead, char *err, size_t errlen) {
    if (sodium_init() < 0) {
        return fail(err, errlen, "libsodium could not be initialised");
    }
    if (!tp_aead_available(aead)) {
        return fail(err, errlen,
                    "%s: %s needs the CPU's AES instructions, which this machine lacks "
                    "(use --aead xchacha20poly1305)",
                    path, tp_aead_name(aead));
    }
    uint8_t key[TP_KEY_BYTES];
    char hex[TP_KEY_BYTES * 2 + 64];
    randombytes_buf(key, sizeof key);
    sodium_bin2hex(hex, sizeof hex, key, sizeof key);
    sodium_memzero(key, sizeof key);
    size_t len = strlen(hex);
    len += (size_t)snprintf(hex + len, sizeof hex - len, "\naead = %s\n", tp_aead_name(aead));

    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (force ? O_TRUNC : O_EXCL);
    int fd = open(path, flags, 0600);
    if (fd < 0) {
        int e = errno;
        sodium_memzero(hex, sizeof hex);
        if (e == EEXIST) {
            return fail(err, errlen, "%s: already exists (pass --force to replace it)", path);
        }
        return fail(err, errlen, "%s: %s", path, strerror(e));
    }
    int rc = fchmod(fd, 0600) == 0 && write_all(fd, hex, len) == 0 && fsync(fd) == 0 ? 0 : -1;
    int e = errno;
    sodium_memzero(hex, sizeof hex);
    if (close(fd) != 0 || rc != 0) {
        return fail(err, errlen, "%s: cannot write key: %s", path, strerror(e));
    }
    return 0;
}

/* The optional `aead = NAME` line (line 2). Returns 0, or -1 with a reason. */
static int parse_aead(const char *path, const char *line, size_t len, tp_aead *out, char *err,
                      size_t errlen) {
    while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r')) {
        len--;
    }
    const char *p = line, *end = line + len;
    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }
    if ((size_t)(end - p) < 4 || memcmp(p, "aead", 4) != 0) {
        return fail(err, errlen,
                    "key file %s:2: expected `aead = aes256gcm` or `aead = "
                    "xchacha20poly1305` after the key",
                    path);
    }
    p += 4;
    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }
    if (p == end || *p != '=') {
        return fail(err, errlen, "key file %s:2: expected `=` after `aead`", path);
    }
    p++;
    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }
    size_t n = (size_t)(end - p);
    if (n == 9 && memcmp(p, "aes256gcm", 9) == 0) {
        *out = TP_AEAD_AES256GCM;
    } else if (n == 17 && memcmp(p, "xchacha20poly1305", 17) == 0) {
        *out = TP_AEAD_XCHACHA20POLY1305;
    } else {
        return fail(err, errlen,
                    "key file %s:2: unknown AEAD \"%.*s\" (aes256gcm or xchacha20poly1305)", path,
                    (int)(n > 64 ? 64 : n), p);
    }
    if (!tp_aead_available(*out)) {
        return fail(err, errlen,
                    "key file %s:2: aes256gcm needs the CPU's AES instructions, which this "
                    "machine lacks; the deployment needs a key made with `hale keygen --aead "
                    "xchacha20poly1305`",
                    path);
    }
    return 0;
}

int tp_key_load(const char *path, uint8_t key[TP_KEY_BYTES], tp_aead *aead, char *err,
                size_t errlen) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        return fail(err, errlen, "key file %s: %s", path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return fail(err, errlen, "key file %s: not a regular file", path);
    }
    if (st.st_mode & 077) {
        close(fd);
        return fail(err, errlen,
                    "key file %s is accessible by group or others (mode %03o); "
                    "run `chmod 600 %s`",
                    path, (unsigned)(st.st_mode & 0777), path);
    }
    char buf[TP_KEY_BYTES * 2 + 128];
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    size_t total = n > 0 ? (size_t)n : 0;
    /* line 1: the key; line 2 (optional): the AEAD; nothing after but blank lines */
    const char *nl = memchr(buf, '\n', total);
    size_t len = nl ? (size_t)(nl - buf) : total;
    const char *rest = nl ? nl + 1 : buf + total;
    size_t rest_len = (size_t)(buf + total - rest);
    while (len > 0 && buf[len - 1] == '\r') {
        len--;
    }
    size_t bin_len = 0;
    const char *end = NULL;
    int rc = total < sizeof buf && len == TP_KEY_BYTES * 2 &&
                     sodium_hex2bin(key, TP_KEY_BYTES, buf, len, NULL, &bin_len, &end) == 0 &&
                     bin_len == TP_KEY_BYTES && end == buf + len
                 ? 0
                 : -1;
    if (rc != 0) {
        sodium_memzero(buf, sizeof buf);
        return fail(err, errlen,
                    "key file %s: expected %d hex characters (make one with "
                    "`hale keygen -o FILE`)",
                    path, TP_KEY_BYTES * 2);
    }
    tp_aead a = TP_AEAD_XCHACHA20POLY1305;
    const char *l2end = memchr(rest, '\n', rest_len);
    size_t l2 = l2end ? (size_t)(l2end - rest) : rest_len;
    size_t blank = 0;
    while (blank < l2 && (rest[blank] == ' ' || rest[blank] == '\t' || rest[blank] == '\r')) {
        blank++;
    }
    if (blank < l2) {
        rc = parse_aead(path, rest, l2, &a, err, errlen);
    }
    for (size_t i = l2end ? (size_t)(l2end - buf) + 1 : total; rc == 0 && i < total; i++) {
        if (buf[i] != '\n' && buf[i] != '\r' && buf[i] != ' ' && buf[i] != '\t') {
            rc = fail(err, errlen, "key file %s:3: unexpected text after the aead line", path);
        }
    }
    sodium_memzero(buf, sizeof buf);
    if (rc != 0) {
        sodium_memzero(key, TP_KEY_BYTES);
        return -1;
    }
    if (aead) {
        *aead = a;
    }
    return 0;
}
