/* hale.toml discovery (a real folder tree under /tmp) and the [memory] table: defaults, every
 * key, and each kind of bad input naming its line. */
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

#include "project.h"

static char root[256];

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *at(const char *rel) {
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", root, rel);
    return buf[k];
}

static int setup(void **state) {
    (void)state;
    snprintf(root, sizeof root, "/tmp/hale-project-test-XXXXXX");
    assert_non_null(mkdtemp(root));
    assert_int_equal(mkdir(at("app"), 0755), 0);
    assert_int_equal(mkdir(at("app/src"), 0755), 0);
    assert_int_equal(mkdir(at("app/src/deep"), 0755), 0);
    assert_int_equal(mkdir(at("other"), 0755), 0);
    write_file(at("app/src/deep/main.hl"), "fn main() { }\n");
    write_file(at("other/main.hl"), "fn main() { }\n");
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static void finds_nearest(void **state) {
    (void)state;
    char out[1024];
    /* none anywhere above other/ (up to /tmp and /, which hold no hale.toml in a sane test box) */
    int none = cfg_project_find(at("other/main.hl"), out, sizeof out);
    if (none) {
        assert_null(strstr(out, root)); /* something above the test root: not ours */
    }
    write_file(at("app/hale.toml"), "[memory]\nposture = \"aggressive\"\n");
    assert_int_equal(cfg_project_find(at("app/src/deep/main.hl"), out, sizeof out), 1);
    assert_string_equal(out, at("app/hale.toml"));
    assert_int_equal(cfg_project_find(at("app/src/deep"), out, sizeof out), 1);
    assert_string_equal(out, at("app/hale.toml"));
    /* a nearer one wins */
    write_file(at("app/src/hale.toml"), "");
    assert_int_equal(cfg_project_find(at("app/src/deep/main.hl"), out, sizeof out), 1);
    assert_string_equal(out, at("app/src/hale.toml"));
    /* a folder named hale.toml is not the file */
    assert_int_equal(mkdir(at("app/src/deep/hale.toml"), 0755), 0);
    assert_int_equal(cfg_project_find(at("app/src/deep/main.hl"), out, sizeof out), 1);
    assert_string_equal(out, at("app/src/hale.toml"));
    assert_int_equal(cfg_project_find(at("does/not/exist.hl"), out, sizeof out), 0);
}

static void load_text(const char *text, cfg_memory *m, int want, const char *needle) {
    write_file(at("m.toml"), text);
    char err[512] = "";
    int rc = cfg_memory_load(at("m.toml"), m, err, sizeof err);
    assert_int_equal(rc, want);
    if (needle && !strstr(err, needle)) {
        fail_msg("error <<%s>> lacks <<%s>>", err, needle);
    }
}

static void defaults(void **state) {
    (void)state;
    cfg_memory m;
    char err[256];
    assert_int_equal(cfg_memory_load(NULL, &m, err, sizeof err), 0);
    assert_int_equal(m.posture, CFG_POSTURE_GUARD);
    assert_int_equal(m.posture_line, 0);
    assert_int_equal(m.hoist_record, CFG_HOIST_ANNOTATION);
    assert_null(m.file);
    cfg_memory_free(&m);
    load_text("[serve]\nname = \"x\"\n", &m, 0, NULL); /* no [memory]: defaults */
    assert_int_equal(m.posture, CFG_POSTURE_GUARD);
    assert_non_null(m.file);
    cfg_memory_free(&m);
}

static void every_key(void **state) {
    (void)state;
    cfg_memory m;
    load_text("# project\n[memory]\nposture = \"aggressive\"\nhoist_record = \"project\"\n"
              "hoist = [\"Worker.run:frame\",\n  \"Sensor.on_tick:Frames\"]\n",
              &m, 0, NULL);
    assert_int_equal(m.posture, CFG_POSTURE_AGGRESSIVE);
    assert_int_equal(m.posture_line, 3);
    assert_int_equal(m.hoist_record, CFG_HOIST_PROJECT);
    assert_int_equal(m.hoist_record_line, 4);
    assert_int_equal(m.nhoists, 2);
    assert_string_equal(m.hoists[0].key, "Worker.run:frame");
    assert_int_equal(m.hoists[0].line, 5);
    assert_string_equal(m.hoists[1].key, "Sensor.on_tick:Frames");
    assert_int_equal(m.hoists[1].line, 6);
    cfg_memory_free(&m);
    load_text("[memory]\nposture = \"copy\"\n", &m, 0, NULL);
    assert_int_equal(m.posture, CFG_POSTURE_COPY);
    cfg_memory_free(&m);
}

static void bad_input(void **state) {
    (void)state;
    cfg_memory m;
    load_text("[memory]\nposture = \"gaurd\"\n", &m, -1, "m.toml:2: 'posture' = \"gaurd\"");
    cfg_memory_free(&m);
    load_text("[memory]\nposture = \"gaurd\"\n", &m, -1, "did you mean \"guard\"");
    cfg_memory_free(&m);
    load_text("[memory]\nposture = 1\n", &m, -1, "m.toml:2:");
    cfg_memory_free(&m);
    load_text("[memory]\n\npostur = \"guard\"\n", &m, -1, "m.toml:3:");
    cfg_memory_free(&m);
    load_text("[memory]\nhoist_record = \"file\"\n", &m, -1, "\"annotation\", \"project\"");
    cfg_memory_free(&m);
    load_text("[memory]\nhoist = [\"frame\"]\n", &m, -1,
              "m.toml:2: 'hoist': \"frame\" is not a site");
    cfg_memory_free(&m);
    load_text("[memory]\nhoist = [1]\n", &m, -1, "array of strings");
    cfg_memory_free(&m);
    load_text("memory = 3\n", &m, -1, "m.toml:1: 'memory' must be a table");
    cfg_memory_free(&m);
    load_text("[memory\nposture = \"guard\"\n", &m, -1, "m.toml:1:");
    cfg_memory_free(&m);
    char err[256] = "";
    assert_int_equal(cfg_memory_load(at("missing.toml"), &m, err, sizeof err), -1);
    assert_non_null(strstr(err, "missing.toml"));
    cfg_memory_free(&m);
}

static void names(void **state) {
    (void)state;
    cfg_posture p;
    assert_int_equal(cfg_posture_parse("aggressive", &p), 0);
    assert_int_equal(p, CFG_POSTURE_AGGRESSIVE);
    assert_string_equal(cfg_posture_name(p), "aggressive");
    assert_int_equal(cfg_posture_parse("Guard", &p), -1);
    assert_string_equal(cfg_posture_name(CFG_POSTURE_COPY), "copy");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_nearest), cmocka_unit_test(defaults), cmocka_unit_test(every_key),
        cmocka_unit_test(bad_input),     cmocka_unit_test(names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
