/* std::env: the arguments the program was started with (in range, out of range, the fallback
 * of arg_or, before hale_env_init), and environment variables (set, set to "", unset, a name
 * that cannot exist: empty, holding a NUL, longer than any name). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "std.h"
#include "str.h"

void hale_env_init(int argc, char **argv);

static hale_str S(const char *s) {
    return (hale_str){s, (int64_t)strlen(s)};
}

static void assert_str(hale_str got, const char *want) {
    assert_int_equal(got.len, (int64_t)strlen(want));
    assert_memory_equal(got.ptr, want, (size_t)got.len);
}

static void test_args(void **state) {
    (void)state;
    hale_env_init(0, NULL); /* as before the program's entry ran */
    assert_int_equal(hale_env_args_count(), 0);
    assert_str(hale_env_arg(0), "");
    assert_str(hale_env_arg_or(0, S("dflt")), "dflt");
    char a0[] = "prog", a1[] = "--port", a2[] = "";
    char *argv[] = {a0, a1, a2, NULL};
    hale_env_init(3, argv);
    assert_int_equal(hale_env_args_count(), 3);
    assert_str(hale_env_arg(0), "prog");
    assert_str(hale_env_arg(1), "--port");
    assert_str(hale_env_arg_or(2, S("dflt")), ""); /* given, though empty */
    assert_str(hale_env_arg(3), "");
    assert_str(hale_env_arg(-1), "");
    assert_str(hale_env_arg_or(3, S("dflt")), "dflt");
    assert_str(hale_env_arg_or(-1, S("dflt")), "dflt");
    hale_env_init(0, NULL);
}

static void test_vars(void **state) {
    (void)state;
    assert_int_equal(setenv("HALE_ENV_TEST_SET", "value 1", 1), 0);
    assert_int_equal(setenv("HALE_ENV_TEST_EMPTY", "", 1), 0);
    unsetenv("HALE_ENV_TEST_UNSET");
    assert_str(hale_env_var(S("HALE_ENV_TEST_SET")), "value 1");
    assert_true(hale_env_var_exists(S("HALE_ENV_TEST_SET")));
    assert_str(hale_env_var_or(S("HALE_ENV_TEST_EMPTY"), S("dflt")), ""); /* set, to "" */
    assert_true(hale_env_var_exists(S("HALE_ENV_TEST_EMPTY")));
    assert_str(hale_env_var(S("HALE_ENV_TEST_UNSET")), "");
    assert_str(hale_env_var_or(S("HALE_ENV_TEST_UNSET"), S("dflt")), "dflt");
    assert_false(hale_env_var_exists(S("HALE_ENV_TEST_UNSET")));
    /* names that cannot exist */
    assert_false(hale_env_var_exists(S("")));
    assert_str(hale_env_var_or(S(""), S("dflt")), "dflt");
    assert_false(hale_env_var_exists((hale_str){"HALE_ENV_TEST_SET\0x", 19}));
    char longname[600];
    memset(longname, 'A', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    assert_false(hale_env_var_exists(S(longname)));
    /* the NUL-terminated copy the lookups use */
    char buf[8];
    assert_true(hale_std_cstr(S("abc"), buf, sizeof buf));
    assert_string_equal(buf, "abc");
    assert_false(hale_std_cstr(S("abcdefgh"), buf, sizeof buf)); /* no room for the NUL */
    assert_false(hale_std_cstr(S(""), buf, sizeof buf));
    unsetenv("HALE_ENV_TEST_SET");
    unsetenv("HALE_ENV_TEST_EMPTY");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_args),
        cmocka_unit_test(test_vars),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
