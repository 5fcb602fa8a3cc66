/* Schema checks over a parsed TOML document (toml.h), shared by every file kind we read:
 * hale.toml's [serve], [memory], [bus] and [build], budget.toml, bus route files. Each file kind
 * lists its allowed keys per table; anything else is an error with a did-you-mean, and a value of
 * the wrong type or out of range names its file and line. The first error wins: every function
 * writes "file:line: message" into err and returns -1.
 *
 *     static const cfg_field serve_fields[] = {
 *         {"name", CFG_T(CFG_STRING), 0},
 *         {"max_restarts", CFG_T(CFG_INT), 0},
 *         {"process", CFG_T(CFG_ARRAY), 1},
 *         {NULL, 0, 0},
 *     };
 *     if (cfg_check(doc, serve, "[serve]", serve_fields, err, errlen) != 0) ...
 *     int64_t within = 5 * 1000000000LL;                     // default stays when absent
 *     if (cfg_get_duration(doc, serve, "within", &within, err, errlen) < 0) ...
 */
#ifndef HALE_CONFIG_SCHEMA_H
#define HALE_CONFIG_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "toml.h"

/* A type mask bit; a field may allow several (CFG_T(CFG_STRING) | CFG_T(CFG_ARRAY)). */
#define CFG_T(t) (1u << (t))

typedef struct {
    const char *key;
    unsigned types; /* CFG_T(...) mask; 0 accepts any type */
    int required;
} cfg_field;

/* Checks that `table` is a table whose every key appears in `fields` (terminated by an entry with
 * key NULL) with an allowed type, and that required keys are present. `where` names the table in
 * messages, e.g. "[serve]" or "[[serve.process]]". Returns 0 or -1. */
int cfg_check(const cfg_doc *doc, const cfg_value *table, const char *where,
              const cfg_field *fields, char *err, size_t errlen);

/* The closest of `choices` to `word` (NULL-terminated list), or NULL when none is close enough
 * to be a likely typo. */
const char *cfg_did_you_mean(const char *word, const char *const *choices);

/* Typed getters. Each returns 1 when `key` is present and valid (and sets *out), 0 when it is
 * absent (*out untouched, so it can hold a default), -1 on a wrong type or value. */
int cfg_get_str(const cfg_doc *doc, const cfg_value *table, const char *key, const char **out,
                char *err, size_t errlen);
int cfg_get_bool(const cfg_doc *doc, const cfg_value *table, const char *key, int *out, char *err,
                 size_t errlen);
int cfg_get_int(const cfg_doc *doc, const cfg_value *table, const char *key, int64_t min,
                int64_t max, int64_t *out, char *err, size_t errlen);
/* A duration string ("250ms", "1h30m", see duration.h) in nanoseconds. */
int cfg_get_duration(const cfg_doc *doc, const cfg_value *table, const char *key, int64_t *out_ns,
                     char *err, size_t errlen);
/* A string that must be one of `names` (NULL-terminated); *out is its index. */
int cfg_get_enum(const cfg_doc *doc, const cfg_value *table, const char *key,
                 const char *const *names, int *out, char *err, size_t errlen);
/* An array whose every element is a string; with `nonempty`, the array must have an element and
 * no string may be empty. *out is the array (read it with cfg_len/cfg_at/cfg_str). */
int cfg_get_str_array(const cfg_doc *doc, const cfg_value *table, const char *key, int nonempty,
                      const cfg_value **out, char *err, size_t errlen);

#endif
