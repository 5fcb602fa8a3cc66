#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "keyfile.h"

static char dir[] = "/tmp/hale-keyfile-XXXXXX";

static int setup(void **state) {
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void path_in(char *buf, size_t len, const char *name) {
    snprintf(buf, len, "%s/%s", dir, name);
}

static void test_generate_then_load(void **state) {
    (void)state;
    char path[256], err[256];
    uint8_t a[TP_KEY_BYTES], b[TP_KEY_BYTES];
    path_in(path, sizeof path, "k1");
    assert_int_equal(tp_key_generate(path, 0, tp_aead_default(), err, sizeof err), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(tp_key_load(path, a, NULL, err, sizeof err), 0);
    assert_int_equal(tp_key_load(path, b, NULL, err, sizeof err), 0);
    assert_memory_equal(a, b, TP_KEY_BYTES);
}

static void test_two_keys_differ(void **state) {
    (void)state;
    char p1[256], p2[256], err[256];
    uint8_t a[TP_KEY_BYTES], b[TP_KEY_BYTES];
    path_in(p1, sizeof p1, "d1");
    path_in(p2, sizeof p2, "d2");
    assert_int_equal(tp_key_generate(p1, 0, tp_aead_default(), err, sizeof err), 0);
    assert_int_equal(tp_key_generate(p2, 0, tp_aead_default(), err, sizeof err), 0);
    assert_int_equal(tp_key_load(p1, a, NULL, err, sizeof err), 0);
    assert_int_equal(tp_key_load(p2, b, NULL, err, sizeof err), 0);
    assert_memory_not_equal(a, b, TP_KEY_BYTES);
}

static void test_refuses_overwrite_without_force(void **state) {
    (void)state;
    char path[256], err[256];
    path_in(path, sizeof path, "k2");
    assert_int_equal(tp_key_generate(path, 0, tp_aead_default(), err, sizeof err), 0);
    assert_int_equal(tp_key_generate(path, 0, tp_aead_default(), err, sizeof err), -1);
    assert_non_null(strstr(err, "already exists"));
    assert_int_equal(tp_key_generate(path, 1, tp_aead_default(), err, sizeof err), 0);
}

static void test_refuses_group_readable(void **state) {
    (void)state;
    char path[256], err[256];
    uint8_t k[TP_KEY_BYTES];
    path_in(path, sizeof path, "k3");
    assert_int_equal(tp_key_generate(path, 0, tp_aead_default(), err, sizeof err), 0);
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(tp_key_load(path, k, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "group or others"));
    assert_non_null(strstr(err, "chmod 600"));
}

static void test_refuses_malformed(void **state) {
    (void)state;
    char path[256], err[256];
    uint8_t k[TP_KEY_BYTES];
    const char *bodies[] = {"", "abcd\n", "zz" /* not hex */,
                            "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00\n"};
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        path_in(path, sizeof path, "bad");
        unlink(path);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(bodies[i], f);
        fclose(f);
        assert_int_equal(chmod(path, 0600), 0);
        assert_int_equal(tp_key_load(path, k, NULL, err, sizeof err), -1);
        assert_non_null(strstr(err, "hex characters"));
    }
}

static void write_key_file(const char *path, const char *body) {
    unlink(path);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(body, f);
    fclose(f);
    assert_int_equal(chmod(path, 0600), 0);
}

#define HEX "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

/* The AEAD line: written by keygen, read back; absent means XChaCha20 (files made before the
 * choice existed); each way of getting it wrong is refused with the file and line. */
static void test_aead_line(void **state) {
    (void)state;
    char path[256], err[256];
    uint8_t k[TP_KEY_BYTES];
    tp_aead a = TP_AEAD_AES256GCM;
    path_in(path, sizeof path, "aead");

    assert_int_equal(tp_key_generate(path, 1, TP_AEAD_XCHACHA20POLY1305, err, sizeof err), 0);
    assert_int_equal(tp_key_load(path, k, &a, err, sizeof err), 0);
    assert_int_equal(a, TP_AEAD_XCHACHA20POLY1305);
    if (tp_aead_available(TP_AEAD_AES256GCM)) {
        assert_int_equal(tp_key_generate(path, 1, TP_AEAD_AES256GCM, err, sizeof err), 0);
        assert_int_equal(tp_key_load(path, k, &a, err, sizeof err), 0);
        assert_int_equal(a, TP_AEAD_AES256GCM);
        assert_int_equal(tp_aead_default(), TP_AEAD_AES256GCM);
        write_key_file(path, HEX "\n  aead =aes256gcm \n\n");
        a = TP_AEAD_XCHACHA20POLY1305;
        assert_int_equal(tp_key_load(path, k, &a, err, sizeof err), 0);
        assert_int_equal(a, TP_AEAD_AES256GCM);
    } else {
        assert_int_equal(tp_key_generate(path, 1, TP_AEAD_AES256GCM, err, sizeof err), -1);
        assert_non_null(strstr(err, "AES instructions"));
        write_key_file(path, HEX "\naead = aes256gcm\n");
        assert_int_equal(tp_key_load(path, k, &a, err, sizeof err), -1);
        assert_non_null(strstr(err, ":2: aes256gcm needs"));
    }

    write_key_file(path, HEX "\n");
    a = TP_AEAD_AES256GCM;
    assert_int_equal(tp_key_load(path, k, &a, err, sizeof err), 0);
    assert_int_equal(a, TP_AEAD_XCHACHA20POLY1305);
    assert_int_equal(k[1], 0x11);

    write_key_file(path, HEX "\naead = rot13\n");
    assert_int_equal(tp_key_load(path, k, &a, err, sizeof err), -1);
    assert_non_null(strstr(err, ":2: unknown AEAD \"rot13\""));
    write_key_file(path, HEX "\ncipher = aes256gcm\n");
    assert_int_equal(tp_key_load(path, k, &a, err, sizeof err), -1);
    assert_non_null(strstr(err, ":2: expected `aead = "));
    write_key_file(path, HEX "\naead aes256gcm\n");
    assert_int_equal(tp_key_load(path, k, &a, err, sizeof err), -1);
    assert_non_null(strstr(err, ":2: expected `=`"));
    write_key_file(path, HEX "\naead = xchacha20poly1305\nmore\n");
    assert_int_equal(tp_key_load(path, k, &a, err, sizeof err), -1);
    assert_non_null(strstr(err, ":3: unexpected text"));
}

static void test_missing_file(void **state) {
    (void)state;
    char path[256], err[256];
    uint8_t k[TP_KEY_BYTES];
    path_in(path, sizeof path, "nope");
    assert_int_equal(tp_key_load(path, k, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "nope"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate_then_load),
        cmocka_unit_test(test_two_keys_differ),
        cmocka_unit_test(test_refuses_overwrite_without_force),
        cmocka_unit_test(test_refuses_group_readable),
        cmocka_unit_test(test_refuses_malformed),
        cmocka_unit_test(test_aead_line),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
