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
    int64_t cap;               /* ring_buffer, lru_cache; hashmap: a size hint (unused) */
    int shared;                /* hashmap `sync = serialized | lockfree`: callable from any pool */
};

/* The method of `locus` named `name` (check_locus.c), and how many accumulators a locus type's
 * closures keep (check_accum.c): the emitter asks both. */
hc_decl *ck_locus_method(hc_decl *locus, const char *name);
int ck_accumulators(hc_decl *locus);

/* Asked by the emitter and the driver (check_ffi.c, check_topology.c, check_decimal.c,
 * check_persp.c). */
hc_annot *hc_ffi_annot(hc_decl *fn); /* the fn's `@ffi(...)`, or NULL */
/* The cores of a static core set (`A..B`, `A..=B`, `{a, b}`, one Int) into out[max]; the count. */
int hc_core_set(hc_expr *v, int *out, int max);
/* The cores a placement's `node = N` or `l3 = name` stands for. */
int hc_topology_cores(hc_program *P, hc_kwarg *kw, int *out, int max);
/* Reads a Decimal literal's text into its scale-9 mantissa; 1 when it has more than nine
 * fraction digits, 2 when it does not fit, else 0. */
int hc_decimal_literal(const char *text, int64_t *hi, uint64_t *lo);
/* Whether `locus` serves perspective `persp`. */
int ck_serves(hc_program *P, hc_decl *locus, hc_decl *persp);

/* The capacity slot of `locus` named `name`, or NULL. */
hc_slot *ck_slot_named(hc_decl *locus, const char *name);
/* The `key = value` argument named `key` of a placement or binding, or NULL. */
hc_kwarg *ck_kwarg(hc_kwargs *kws, const char *key);

#endif
