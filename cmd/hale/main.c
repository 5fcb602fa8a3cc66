/* The `hale` command: one executable, one subcommand per job. Each subcommand lives in its own
 * module and is reached through the table below. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "home.h"
#include "keyfile.h"

#ifndef HALE_VERSION
#define HALE_VERSION "0.0.0"
#endif

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static int cmd_version(int argc, char **argv);
static int cmd_keygen(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const command commands[] = {
    {"build", cmd_build, "compile a Hale program (FILE.hl or DIR) to an executable"},
    {"run", cmd_run, "build (cached) and run a Hale program"},
    {"check", cmd_check, "parse and type-check a Hale program, report diagnostics"},
    {"keygen", cmd_keygen, "write a new deployment key for sealing bus frames"},
    {"serve", cmd_serve, "run a deployment's processes under a supervision tree"},
    {"ctl", cmd_ctl, "status, restart or stop a running `hale serve`"},
    {"version", cmd_version, "print the version and where the runtime was found"},
    {"help", cmd_help, "show this help"},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static int wants_help(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            return 1;
        }
    }
    return 0;
}

static int cmd_help(int argc, char **argv) {
    (void)argc;
    (void)argv;
    printf("usage: hale <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++) {
        printf("  %-10s %s\n", commands[i].name, commands[i].summary);
    }
    printf("\n`hale <command> --help` describes one command.\n");
    return 0;
}

static int cmd_version(int argc, char **argv) {
    if (wants_help(argc, argv)) {
        printf("usage: hale version\n\nPrints the version and the runtime this hale links.\n");
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "hale version: unexpected argument '%s'\n", argv[1]);
        return 2;
    }
    hc_home home;
    char err[4300];
    printf("hale %s\n", HALE_VERSION);
    if (hc_home_find(&home, err, sizeof err) != 0) {
        printf("runtime: not found (%s)\n", err);
        return 1;
    }
    printf("runtime: %s/libhale.a\nheaders: %s/hale\n", home.lib, home.include);
    return 0;
}

static int cmd_keygen(int argc, char **argv) {
    const char *out = NULL;
    int force = 0;
    tp_aead aead = tp_aead_default();
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: hale keygen -o FILE [--force] [--aead aes256gcm|xchacha20poly1305]\n\n"
                   "Writes a new 256-bit deployment key (hex, mode 0600) to FILE. Every process\n"
                   "of a deployment seals and opens bus frames with it; point HALE_KEY_FILE or\n"
                   "hale.toml at it. An existing FILE is kept unless --force is given.\n\n"
                   "The file also names the AEAD every process seals with: aes256gcm (the\n"
                   "default where this CPU has AES instructions: much faster there) or\n"
                   "xchacha20poly1305 (the default elsewhere). Every machine of the deployment\n"
                   "must be able to use it.\n");
            return 0;
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (strcmp(argv[i], "--force") == 0) {
            force = 1;
        } else if (strcmp(argv[i], "--aead") == 0 && i + 1 < argc) {
            const char *a = argv[++i];
            if (strcmp(a, "aes256gcm") == 0) {
                aead = TP_AEAD_AES256GCM;
            } else if (strcmp(a, "xchacha20poly1305") == 0) {
                aead = TP_AEAD_XCHACHA20POLY1305;
            } else {
                fprintf(stderr, "hale keygen: unknown AEAD '%s' (aes256gcm or xchacha20poly1305)\n",
                        a);
                return 2;
            }
        } else {
            fprintf(stderr, "hale keygen: unexpected argument '%s' (see hale keygen --help)\n",
                    argv[i]);
            return 2;
        }
    }
    if (!out) {
        fprintf(stderr, "hale keygen: missing -o FILE (see hale keygen --help)\n");
        return 2;
    }
    char err[512];
    if (tp_key_generate(out, force, aead, err, sizeof err) != 0) {
        fprintf(stderr, "hale keygen: %s\n", err);
        return 1;
    }
    printf("wrote key %s (mode 0600, %s)\n", out, tp_aead_name(aead));
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        cmd_help(0, NULL);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        return cmd_version(1, argv + 1);
    }
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "hale: unknown command '%s' (see hale --help)\n", argv[1]);
    return 2;
}
