/* The memory settings of one compilation (hale.toml's [memory], `--posture`); see posture.c. */
#ifndef HALE_COMPILER_POSTURE_H
#define HALE_COMPILER_POSTURE_H

#include "project.h"
#include "types.h"

/* Sets P->mem for the program at `path` (a .hl file or a folder): the nearest hale.toml's
 * [memory] table, then `posture` (NULL: none) over it. Returns 0; -1 after printing a bad
 * hale.toml's "file:line: message" on stderr; -2 for an unknown posture name. */
int hc_posture_load(hc_program *P, const char *path, const char *posture);

#endif
