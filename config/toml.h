/* A strict reader for the TOML our files use: hale.toml ([memory], [serve], [bus], [build]),
 * budget.toml and deployment route files. Debian ships no C TOML library, so this is ours.
 *
 * It reads TOML 1.0 tables, arrays of tables, dotted keys, basic and literal strings (single and
 * multi-line), integers (decimal, 0x, 0o, 0b, with `_` separators), booleans, arrays and inline
 * tables, and comments. Floats and dates are refused with a message that says so: none of our
 * files has a use for them, and a refused value is better than a misread one. Every key and value
 * keeps the line it came from, so a later check can say `file:line: message`.
 *
 * Usage:
 *     char err[512];
 *     cfg_doc *doc = cfg_parse_file("hale.toml", err, sizeof err);
 *     if (!doc) { fprintf(stderr, "%s\n", err); exit(2); }    // "hale.toml:7: ..."
 *     const cfg_value *serve = cfg_get(cfg_root(doc), "serve");
 *     ...
 *     cfg_free(doc);
 *
 * Values belong to their document and live until cfg_free. Schema checks (allowed keys, types,
 * durations, enums) are in schema.h. */
#ifndef HALE_CONFIG_TOML_H
#define HALE_CONFIG_TOML_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    CFG_STRING,
    CFG_INT,
    CFG_BOOL,
    CFG_ARRAY, /* a value array `[1, 2]` or an array of tables `[[x]]` */
    CFG_TABLE, /* the root, a `[table]`, an inline `{ }` table, or one made by dotted keys */
} cfg_type;

typedef struct cfg_doc cfg_doc;
typedef struct cfg_value cfg_value;

/* Parses `len` bytes of `text`. `name` (usually the file path) is kept for messages. On error
 * returns NULL and writes "name:line: message" into err. Never reads past text[len-1]. */
cfg_doc *cfg_parse(const char *name, const char *text, size_t len, char *err, size_t errlen);

/* Reads and parses a file (at most 16 MiB). Errors as cfg_parse; an unreadable file gives
 * "path: reason". */
cfg_doc *cfg_parse_file(const char *path, char *err, size_t errlen);

void cfg_free(cfg_doc *doc);

/* The top-level table and the name given at parse time. */
const cfg_value *cfg_root(const cfg_doc *doc);
const char *cfg_name(const cfg_doc *doc);

cfg_type cfg_type_of(const cfg_value *v);
/* "a string", "an integer", "a boolean", "an array", "a table": for messages. */
const char *cfg_type_name(cfg_type t);

/* The line the value starts on (for a [table] its header, for the root 1). */
int cfg_line(const cfg_value *v);
/* The line of the key that names the value in its table; for array elements and the root the
 * same as cfg_line. */
int cfg_key_line(const cfg_value *v);

/* Scalars. Each returns a neutral value (NULL, 0) when v has another type. Strings are
 * NUL-terminated and never contain NUL (the reader refuses \u0000). */
const char *cfg_str(const cfg_value *v);
size_t cfg_str_len(const cfg_value *v);
int64_t cfg_int(const cfg_value *v);
int cfg_bool(const cfg_value *v);

/* Arrays and tables: number of elements or members, and the i-th one in document order. */
size_t cfg_len(const cfg_value *v);
const cfg_value *cfg_at(const cfg_value *v, size_t i);
/* Table only: the key of the i-th member (NULL for arrays). */
const char *cfg_key_at(const cfg_value *table, size_t i);
/* Table only: the member named `key`, or NULL (also when `table` is NULL or not a table). */
const cfg_value *cfg_get(const cfg_value *table, const char *key);

/* Writes "name:line: <formatted message>" into err (truncating safely); returns -1 so callers
 * can `return cfg_errorf(...)`. */
int cfg_errorf(const cfg_doc *doc, int line, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
