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

int tp_key_generate(const char *path, int force, char *err, size_t errlen) {
    if (sodium_init() < 0) {
        return fail(err, errlen, "libsodium could not be initialised");
    }
    uint8_t key[TP_KEY_BYTES];
    char hex[TP_KEY_BYTES * 2 + 2];
    randombytes_buf(key, sizeof key);
    sodium_bin2hex(hex, sizeof hex, key, sizeof key);
    sodium_memzero(key, sizeof key);
    size_t len = strlen(hex);
    hex[len++] = '\n';

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

int tp_key_load(const char *path, uint8_t key[TP_KEY_BYTES], char *err, size_t errlen) {
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
    char buf[TP_KEY_BYTES * 2 + 8];
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    size_t len = n > 0 ? (size_t)n : 0;
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r')) {
        len--;
    }
    size_t bin_len = 0;
    const char *end = NULL;
    int rc = len == TP_KEY_BYTES * 2 &&
                     sodium_hex2bin(key, TP_KEY_BYTES, buf, len, NULL, &bin_len, &end) == 0 &&
                     bin_len == TP_KEY_BYTES && end == buf + len
                 ? 0
                 : -1;
    sodium_memzero(buf, sizeof buf);
    if (rc != 0) {
        return fail(err, errlen,
                    "key file %s: expected %d hex characters (make one with "
                    "`hale keygen -o FILE`)",
                    path, TP_KEY_BYTES * 2);
    }
    return 0;
}
