/* `hale serve` and `hale ctl`: their arguments and usage text; the supervisor (serve.h) does
 * the work. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "serve.h"

static int serve_usage(FILE *to) {
    fprintf(to, "usage: hale serve [FILE] [--check]\n\n"
                "Runs the processes of FILE's [serve] table (default ./hale.toml) under a\n"
                "supervision tree: starts them in `after` order, waits for readiness, restarts\n"
                "them by strategy with backoff, forwards their output, and on SIGTERM/SIGINT\n"
                "drains them in reverse order. SIGHUP re-reads FILE. `hale ctl` controls it.\n"
                "--check only reads and checks FILE (exit 0, or 2 with the error).\n");
    return to == stdout ? 0 : 2;
}

int cmd_serve(int argc, char **argv) {
    const char *file = NULL;
    int check = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            return serve_usage(stdout);
        } else if (strcmp(argv[i], "--check") == 0) {
            check = 1;
        } else if (argv[i][0] == '-' || file) {
            fprintf(stderr, "hale serve: unexpected argument '%s'\n", argv[i]);
            return serve_usage(stderr);
        } else {
            file = argv[i];
        }
    }
    return sv_serve(file ? file : "hale.toml", check);
}

static int ctl_usage(FILE *to) {
    fprintf(to, "usage: hale ctl [FILE] [--socket PATH] status | restart NAME | stop\n\n"
                "Talks to the `hale serve` running FILE (default ./hale.toml) over its control\n"
                "socket (FILE's [serve] control, or --socket PATH):\n"
                "  status        one line per instance: name, pid, state, restarts, uptime\n"
                "  restart NAME  restart a process (all its replicas) or one instance (NAME-0)\n"
                "  stop          drain every process in reverse order and end serve\n");
    return to == stdout ? 0 : 2;
}

static int is_ctl_command(const char *s) {
    return strcmp(s, "status") == 0 || strcmp(s, "restart") == 0 || strcmp(s, "stop") == 0;
}

int cmd_ctl(int argc, char **argv) {
    const char *file = NULL, *socket_path = NULL;
    int i = 1;
    for (; i < argc && !is_ctl_command(argv[i]); i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            return ctl_usage(stdout);
        } else if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
            socket_path = argv[++i];
        } else if (argv[i][0] == '-' || file) {
            fprintf(stderr, "hale ctl: unexpected argument '%s'\n", argv[i]);
            return ctl_usage(stderr);
        } else {
            file = argv[i];
        }
    }
    if (i >= argc) {
        fprintf(stderr, "hale ctl: missing command\n");
        return ctl_usage(stderr);
    }
    char cmd[600];
    if (strcmp(argv[i], "restart") == 0) {
        if (i + 2 != argc) {
            fprintf(stderr, "hale ctl: restart needs exactly one NAME\n");
            return ctl_usage(stderr);
        }
        snprintf(cmd, sizeof cmd, "restart %.500s", argv[i + 1]);
    } else if (i + 1 != argc) {
        fprintf(stderr, "hale ctl: unexpected argument '%s'\n", argv[i + 1]);
        return ctl_usage(stderr);
    } else {
        snprintf(cmd, sizeof cmd, "%s", argv[i]);
    }
    return sv_ctl(file ? file : "hale.toml", socket_path, cmd);
}
