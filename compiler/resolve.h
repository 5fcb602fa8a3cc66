/* Loading and name tables: from a FILE or DIR on disk (or a buffer) to parsed seeds.
 *
 * A seed is one namespace: a directory's .hl files together (sorted by name, so a build is the
 * same everywhere), or a single file. `import "path" as alias;` resolves against the importing
 * seed's directory: `<dir>/<path>.hl`, then `<dir>/<path>/`. A seed imported twice (by any
 * path) is loaded once; an import cycle is an error naming the cycle. Each seed gets a table of
 * its top-level names; duplicates are reported with both places. */
#ifndef HALE_COMPILER_RESOLVE_H
#define HALE_COMPILER_RESOLVE_H

#include "types.h"

typedef struct hc_symtab hc_symtab;

hc_symtab *hc_symtab_new(hc_arena *a);
/* Returns the previous declaration of `name` (and does not replace it), or NULL. */
hc_decl *hc_symtab_put(hc_symtab *t, const char *name, hc_decl *d);
hc_decl *hc_symtab_get(const hc_symtab *t, const char *name);

/* Loads the program rooted at `path` (a .hl file or a directory). Diagnostics go to `d`;
 * the program is returned even when there were errors (check hc_error_count). */
hc_program *hc_load_path(hc_arena *a, hc_diags *d, const char *path);

/* Loads a one-file program from memory (imports are not followed). */
hc_program *hc_load_buffer(hc_arena *a, hc_diags *d, const char *name, const char *text,
                           size_t len);

/* Reads a whole file into the arena (NUL-terminated); NULL with errno on failure. */
char *hc_read_file(hc_arena *a, const char *path, size_t *len);

/* Finds a top-level declaration of `seed` by name (then the built-in seed's). */
hc_decl *hc_seed_lookup(hc_program *P, hc_seed *seed, const char *name);
/* The standard library's types spelt with their path (`std::bytes::BytesBuilder`,
 * `std::json::Builder`), or NULL. */
hc_decl *hc_std_type(hc_program *P, const hc_path *path);
/* The seed an import alias of `seed` names, or NULL. */
hc_seed *hc_seed_import(hc_seed *seed, const char *alias);

#endif
