/* Where the `hale` command finds the runtime it links into programs. The build tree and the
 * install tree share one layout (bin/hale, lib/hale/libhale.a, include/hale/), so the answer
 * is always relative to the running executable; HALE_HOME overrides it. No machine-specific
 * absolute path is ever compiled in. */
#ifndef HALE_COMPILER_HOME_H
#define HALE_COMPILER_HOME_H

#include <stddef.h>

typedef struct {
    char root[3900];    /* the prefix: parent of bin/ */
    char include[4096]; /* <root>/include, holding hale/<header>.h */
    char lib[4096];     /* <root>/lib/hale, holding libhale.a */
} hc_home;

/* Fills `home`. Returns 0, or -1 with a one-line reason (naming where it looked) in `err`. */
int hc_home_find(hc_home *home, char *err, size_t errlen);

#endif
