/* Escapes: values a locus makes that an ancestor locus gets hold of, and how the posture lowers
 * each one (compiler/README.md, "Escapes and the memory posture").
 *
 * The analysis runs once per compilation, after checking (hc_check calls it when there are no
 * errors), so `hale check --escapes` reports exactly what `hale build` lowers. Its results are
 * the list of sites (for the report) and marks on the tree the emitter reads (fields marked
 * "escape:" in ast.h): each send's plan, the allocations placed out of scratch, the handlers that
 * take a delivery's origin, the keeps, and the fields that may hold a guarded reference. */
#ifndef HALE_COMPILER_ESCAPE_H
#define HALE_COMPILER_ESCAPE_H

#include "bus_plan.h"
#include "check.h"

/* The project's memory settings for this compilation (project.c reads them). */
typedef enum { HC_POSTURE_GUARD, HC_POSTURE_AGGRESSIVE, HC_POSTURE_COPY } hc_posture;
typedef enum { HC_RECORD_ANNOTATION, HC_RECORD_PROJECT } hc_hoist_record;

typedef struct {
    const char *key; /* "Locus.method:value" */
    hc_pos pos;      /* its place in hale.toml (a registered source), or file -1 */
    int used;        /* a site took it */
} hc_hoist_entry;

typedef struct hc_memory {
    hc_posture posture;
    const char *origin; /* where the posture came from: "--posture", a hale.toml path, NULL */
    int origin_line;    /* hale.toml's line of `posture` (0: the file did not set it) */
    const char *toml;   /* the project file found, or NULL */
    hc_hoist_record record;
    HC_VEC(hc_hoist_entry) hoists;
} hc_memory;

typedef enum { HC_LOWER_COPY, HC_LOWER_GUARD, HC_LOWER_HOIST } hc_lowering;
typedef enum { HC_ESC_PUBLISH, HC_ESC_CONTRACT, HC_ESC_RESULT } hc_escape_kind;

/* One escape: a value of `from` reaching `to`. A send with several ancestor subscribers is one
 * site per subscriber. */
typedef struct {
    hc_escape_kind kind;
    hc_pos pos;             /* the value at the send, or the read */
    const char *value;      /* as the user wrote it: `frame`, `c.stats` */
    const char *key;        /* "Locus.method:value", the name hale.toml's hoist list uses */
    hc_decl *from, *to;     /* producer and holder locus types */
    hc_decl *fn;            /* the function holding the site */
    hc_stmt *stmt;          /* the S_SEND, or the S_ASSIGN that keeps a contract read */
    hc_bus_topic *topic;    /* publish: the topic */
    hc_decl *handler;       /* publish: the ancestor's handler */
    const char *keep_field; /* the field of `to` that keeps it, or NULL (only read) */
    int runtime_ancestor;   /* `to` is an ancestor chosen at run time */
    int cross_pool;
    hc_lowering lowering;
    int only_read; /* with HC_LOWER_GUARD: lent to a handler that only reads it, nothing to check */
    const char *reason; /* the plain-language sentence, after "`value` escapes ..." */
    const char *help;   /* the hoist offer (or why none is possible), or NULL */
} hc_escape_site;

/* What the emitter does at one send statement (ast.h: hc_stmt.send_plan). */
typedef struct hc_send_plan {
    int borrow;        /* HALE_BUS_BORROW: same-thread deliveries get its parts by reference */
    int scratch_reset; /* a loop around the send resets scratch every iteration */
    int place;         /* allocations of the value: 0 scratch, 1 the sender's region, 2 hoisted */
    hc_decl *hoist_to; /* place 2: the ancestor locus type whose heap holds the value */
    int origin;        /* hand the delivery's origin to handlers (some handler keeps) */
    int id;            /* unique in the program: names the emitter's temporaries */
} hc_send_plan;

typedef struct hc_escapes {
    HC_VEC(hc_escape_site *) sites;
} hc_escapes;

/* The parameter `name` of locus type `locus` (its escape marks), or NULL. */
hc_locus_param *hc_escape_param(hc_decl *locus, const char *name);

/* Runs the analysis (hc_check calls it). Without P->mem the posture is guard. */
void hc_escape_analyze(hc_program *P);

/* report (escape_report.c): the posture line, then one note per site; JSON: one object for the
 * posture, then one per site. */
void hc_escape_report(hc_program *P, FILE *out, int json);

/* "guard" | "aggressive" | "copy"; "copy" | "guard" | "hoist". */
const char *hc_posture_name(hc_posture p);
const char *hc_lowering_name(hc_lowering l);

#endif
