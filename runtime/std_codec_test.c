#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "std.h"
#include "std_codec.h"
#include "std_os.h"
#include "str.h"

static hale_bytes B(const char *s) {
    return (hale_bytes){(const uint8_t *)s, (int64_t)strlen(s)};
}

static hale_str S(const char *s) {
    return (hale_str){s, (int64_t)strlen(s)};
}

static void test_base64(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "c");
    const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char *enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (int i = 0; i < 7; i++) { /* RFC 4648's vectors, both ways */
        assert_true(hale_str_eq(hale_base64_encode(r, B(plain[i])), S(enc[i])));
        hale_bytes d = hale_base64_decode(r, S(enc[i]));
        assert_int_equal(d.len, (int64_t)strlen(plain[i]));
        assert_memory_equal(d.ptr, plain[i], d.len);
    }
    assert_true(hale_str_eq(hale_base64_url_encode(r, B("\xfb\xff")), S("-_8")));
    assert_int_equal(hale_base64_decode(r, S("not!base64@@")).len, 0);
    assert_int_equal(hale_base64_decode(r, S("Zm9v=")).len, 0);  /* bad padding */
    assert_int_equal(hale_base64_decode(r, S("Zm9vY")).len, 0);  /* truncated */
    assert_int_equal(hale_base64_decode(r, S("Zm9v\n")).len, 0); /* trailing junk */
    hale_region_free(r);
}

static void test_digests(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "c");
    assert_true(hale_str_eq(hale_hex_encode(r, hale_crypto_sha1(r, B("abc"))),
                            S("a9993e364706816aba3e25717850c26c9cd0d89d")));
    assert_true(hale_str_eq(hale_hex_encode(r, hale_crypto_sha256(r, B(""))),
                            S("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")));
    assert_int_equal(hale_crypto_sha512(r, B("abc")).len, 64);
    /* RFC 4231 test case 2 */
    assert_true(
        hale_str_eq(hale_hex_encode(r, hale_crypto_hmac_sha256(r, B("Jefe"),
                                                               B("what do ya want for nothing?"))),
                    S("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")));
    assert_int_equal(hale_crypto_hmac_sha512(r, B(""), B("")).len, 64);
    assert_int_equal(hale_crypto_crc32(B("123456789")), 0xcbf43926);
    assert_int_equal(hale_crypto_crc32(B("")), 0);
    /* the WebSocket accept key (RFC 6455 section 1.3) */
    hale_bytes key = B("dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    assert_true(hale_str_eq(hale_base64_encode(r, hale_crypto_sha1(r, key)),
                            S("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")));
    hale_region_free(r);
}

static void test_random(void **state) {
    (void)state;
    hale_region *r = hale_region_new(NULL, "c");
    hale_io_error e;
    hale_bytes a, b;
    assert_true(hale_os_getrandom(r, 32, &a, &e));
    assert_true(hale_os_getrandom(r, 32, &b, &e));
    assert_int_equal(a.len, 32);
    assert_memory_not_equal(a.ptr, b.ptr, 32);
    assert_true(hale_os_getrandom(r, 0, &a, &e));
    assert_int_equal(a.len, 0);
    assert_true(hale_os_getrandom(r, -5, &a, &e));
    assert_int_equal(a.len, 0);
    assert_false(hale_os_getrandom(r, HALE_GETRANDOM_MAX + 1, &a, &e));
    assert_string_equal(e.kind, "invalid");
    /* the PRNG: in range, every value reached, reproducible from a seed */
    hale_rand_seed(42);
    int seen[7] = {0};
    for (int i = 0; i < 7000; i++) {
        int64_t v = hale_rand_next_int(7);
        assert_true(v >= 0 && v < 7);
        seen[v]++;
    }
    for (int i = 0; i < 7; i++) {
        assert_true(seen[i] > 800 && seen[i] < 1200);
    }
    hale_rand_seed(42);
    int64_t first = hale_rand_next_int(1000000);
    hale_rand_seed(42);
    assert_int_equal(hale_rand_next_int(1000000), first);
    assert_int_equal(hale_rand_next_int(0), 0);
    assert_int_equal(hale_rand_next_int(-3), 0);
    hale_rand_seed_from_time();
    hale_region_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_digests),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
