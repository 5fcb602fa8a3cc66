/* The type checker: declarations, function bodies, loci.
 *
 * hc_check annotates the whole tree of a loaded program (see ast.h "checker:" fields) and
 * reports every error it can find. It never stops at the first error: a wrong expression gets
 * TY_ERROR, which is compatible with everything, so the rest of the program is still checked
 * without cascades. */
#ifndef HALE_COMPILER_CHECK_H
#define HALE_COMPILER_CHECK_H

#include "builtins.h"
#include "resolve.h"
#include "types.h"

/* Checks the loaded program. Errors go to the program's diagnostics. */
void hc_check(hc_program *P);

/* Placement, valid after hc_check (check_place.c). The pool every instance of `locus` runs on:
 * "main" (the main thread), a cooperative pool's name ("io"), "pinned:<field>" for a pinned
 * parameter of `main`; "*" when instances run on several pools; NULL when the program never
 * makes one. Two loci whose pools are equal and not "*" run on the same thread. */
const char *hc_place_pool(const hc_decl *locus);
/* The `placement { }` entry of the main locus's parameter `field`, or NULL; and the pool name it
 * gives (as above). */
hc_placement *hc_place_entry(hc_program *P, const char *field);
const char *hc_place_entry_pool(hc_program *P, hc_placement *pl);

/* ---- what the checker leaves on the tree for the phases after it ---- */

/* @form on a locus, checked (check_form.c). */
typedef enum { FORM_VEC = 1, FORM_HASHMAP, FORM_RING, FORM_LRU } hc_form_kind;

typedef enum {
    FM_PUSH,
    FM_GET,
    FM_SET,
    FM_POP,
    FM_LEN,
    FM_IS_EMPTY,
    FM_SORT,
    FM_SORT_BY,
    FM_SORT_DESC_BY,
    FM_HAS,
    FM_REMOVE,
    FM_KEY_AT,
    FM_ENTRY_AT,
    FM_BUMP,
    FM_IS_FULL,
    FM_PUT,
    FM_CONTAINS,
} hc_form_method;

/* Capacity slot operations (REF_SLOT). */
typedef enum { SLOT_ALLOC, SLOT_FREE, SLOT_ACQUIRE, SLOT_RELEASE } hc_slot_op;

struct hc_form {
    hc_form_kind kind;
    hc_slot *slot;             /* the capacity slot the form lays out */
    hc_type *elem;             /* the cell type */
    hc_type *key;              /* hashmap, lru_cache: the `indexed_by` field's type */
    const char *key_field;     /* ... and its name */
    const char *counter_field; /* hashmap: the Int field `bump` counts in, or NULL */
    int64_t cap;               /* ring_buffer, lru_cache */
};

/* The method of `locus` named `name` (check_locus.c), and how many accumulators a locus type's
 * closures keep (check_accum.c): the emitter asks both. */
hc_decl *ck_locus_method(hc_decl *locus, const char *name);
int ck_accumulators(hc_decl *locus);

#endif
