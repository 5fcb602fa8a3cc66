#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "spec.h"

#define SEC 1000000000LL

static char dir[] = "/tmp/spec_test_XXXXXX";
static char file[128];

static void write_file(const char *text) {
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_defaults_and_order(void **state) {
    (void)state;
    write_file("[serve]\n"
               "[[serve.process]]\nname = \"web\"\nexec = [\"./web\", \"--port\", \"80\"]\n"
               "after = [\"api\", \"db\"]\n"
               "[[serve.process]]\nname = \"api\"\nprogram = \"api.hl\"\nafter = [\"db\"]\n"
               "replicas = 3\nenv = { LOG = \"debug\" }\nwatchdog = \"2s\"\n"
               "[[serve.process]]\nname = \"db\"\nexec = [\"postgres\"]\nrestart = \"transient\"\n"
               "stop_timeout = \"1m\"\n"
               "[[serve.process]]\nname = \"cron\"\nexec = [\"cron\"]\n");
    setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
    sv_spec s;
    char err[512];
    assert_int_equal(sv_spec_load(file, &s, err, sizeof err), 0);
    assert_string_equal(s.name, "hale");
    assert_int_equal(s.strategy, SV_ONE_FOR_ONE);
    assert_int_equal(s.max_restarts, 5);
    assert_true(s.within_ns == 10 * SEC && s.stop_timeout_ns == 10 * SEC);
    assert_string_equal(s.control, "/run/user/1000/hale/hale.ctl");
    assert_null(s.metrics); /* no /metrics unless asked for */
    assert_string_equal(s.dir, dir);
    assert_int_equal(s.nprocs, 4);
    /* `after` first, file order otherwise. */
    assert_string_equal(s.procs[0].name, "db");
    assert_string_equal(s.procs[1].name, "api");
    assert_string_equal(s.procs[2].name, "web");
    assert_string_equal(s.procs[3].name, "cron");
    const sv_proc *api = &s.procs[1], *db = &s.procs[0], *web = &s.procs[2];
    char want[200];
    snprintf(want, sizeof want, "%s/api.hl", dir);
    assert_string_equal(api->program, want);
    assert_null(api->argv);
    assert_int_equal(api->ready, SV_READY_NOTIFY); /* compiled programs report readiness */
    assert_int_equal(web->ready, SV_READY_STARTED);
    assert_int_equal(api->replicas, 3);
    assert_true(api->watchdog_ns == 2 * SEC);
    assert_int_equal(api->nenv, 1);
    assert_string_equal(api->env[0], "LOG=debug");
    assert_int_equal(db->restart, SV_TRANSIENT);
    assert_true(db->stop_timeout_ns == 60 * SEC);
    assert_true(web->stop_timeout_ns == 10 * SEC);
    assert_string_equal(web->argv[0], "./web");
    assert_string_equal(web->argv[2], "80");
    assert_null(web->argv[3]);
    assert_int_equal(web->line, 2);
    assert_true(sv_proc_equal(web, web));
    assert_false(sv_proc_equal(web, db));
    sv_spec_free(&s);
}

static void test_equal_and_control(void **state) {
    (void)state;
    const char *v1 = "[serve]\nname = \"shop\"\ncontrol = \"run/ctl\"\nmetrics = \"[::1]:0\"\n"
                     "[[serve.process]]\nname = \"a\"\nexec = [\"a\"]\nenv = { X = \"1\" }\n";
    const char *v2 = "[serve]\nname = \"shop\"\ncontrol = \"run/ctl\"\n"
                     "[[serve.process]]\nname = \"a\"\nexec = [\"a\"]\nenv = { X = \"2\" }\n";
    sv_spec a, b, c;
    char err[512];
    write_file(v1);
    assert_int_equal(sv_spec_load(file, &a, err, sizeof err), 0);
    assert_int_equal(sv_spec_load(file, &c, err, sizeof err), 0);
    write_file(v2);
    assert_int_equal(sv_spec_load(file, &b, err, sizeof err), 0);
    assert_true(sv_proc_equal(&a.procs[0], &c.procs[0]));
    assert_false(sv_proc_equal(&a.procs[0], &b.procs[0]));
    char want[200];
    snprintf(want, sizeof want, "%s/run/ctl", dir);
    assert_string_equal(a.control, want);
    assert_string_equal(a.metrics, "[::1]:0");
    assert_null(b.metrics);
    sv_spec_free(&a);
    sv_spec_free(&b);
    sv_spec_free(&c);
    /* ctl's reader needs only the control path, even from a file serve would refuse. */
    write_file("[serve]\nname = \"shop\"\n[[serve.process]]\nnmae = \"x\"\n");
    assert_int_equal(sv_spec_load(file, &a, err, sizeof err), -1);
    unsetenv("XDG_RUNTIME_DIR");
    char *path = sv_spec_control_path(file, err, sizeof err);
    snprintf(want, sizeof want, "/tmp/hale-%u/shop.ctl", (unsigned)getuid());
    assert_string_equal(path, want);
    free(path);
    write_file("[serve\n");
    assert_null(sv_spec_control_path(file, err, sizeof err));
    assert_non_null(strstr(err, ":1: expected ']'"));
}

int main(void) {
    assert_non_null(mkdtemp(dir));
    snprintf(file, sizeof file, "%s/hale.toml", dir);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_order),
        cmocka_unit_test(test_equal_and_control),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    unlink(file);
    rmdir(dir);
    return rc;
}
