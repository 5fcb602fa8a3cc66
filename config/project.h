/* hale.toml as the compiler reads it: where the project file is, and its [memory] table.
 *
 * `hale build`, `hale run` and `hale check` look for hale.toml beside the program (the .hl
 * file's folder, or the program's folder) and then in each parent folder, the way tools find
 * their project file; the nearest one is the project's. Its [memory] table chooses the memory
 * posture, how escaping values are lowered (compiler/README.md, "Escapes and the memory
 * posture"):
 *
 *     [memory]
 *     posture = "guard"            # or "aggressive"; "copy" keeps every escape a deep copy
 *     hoist_record = "annotation"  # or "project": how an accepted hoist is recorded
 *     hoist = ["Worker.run:frame"] # hoists accepted in the project file
 *
 * Every key is optional and the table itself may be absent (the defaults: guard, annotation, no
 * hoists). Unknown keys and wrong values are errors naming the file and line, like every other
 * table of the file; other tables ([serve], [bus], ...) are left to their own readers. */
#ifndef HALE_CONFIG_PROJECT_H
#define HALE_CONFIG_PROJECT_H

#include <stddef.h>

typedef enum { CFG_POSTURE_GUARD, CFG_POSTURE_AGGRESSIVE, CFG_POSTURE_COPY } cfg_posture;
typedef enum { CFG_HOIST_ANNOTATION, CFG_HOIST_PROJECT } cfg_hoist_record;

typedef struct {
    char *key; /* "Locus.method:value", as `hale check --escapes` names a site */
    int line;
} cfg_hoist;

typedef struct {
    char *file; /* the hale.toml read, or NULL when there was none */
    cfg_posture posture;
    int posture_line; /* 0: not set in the file (the default) */
    cfg_hoist_record hoist_record;
    int hoist_record_line;
    cfg_hoist *hoists;
    size_t nhoists;
} cfg_memory;

/* Finds hale.toml in `start` (a folder, or a file whose folder is meant) or the nearest parent
 * folder. Writes its path into `out` and returns 1; returns 0 when there is none. */
int cfg_project_find(const char *start, char *out, size_t outlen);

/* Sets `m` to the defaults, then reads the [memory] table of the hale.toml at `path` (NULL: no
 * file, the defaults stay). Returns 0, or -1 with "file:line: message" in err. */
int cfg_memory_load(const char *path, cfg_memory *m, char *err, size_t errlen);
void cfg_memory_free(cfg_memory *m);

/* "guard", "aggressive", "copy"; and back (-1 for anything else). */
const char *cfg_posture_name(cfg_posture p);
int cfg_posture_parse(const char *s, cfg_posture *out);

#endif
