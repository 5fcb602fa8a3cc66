/* std::json: a streaming Builder for output and a small strict parser for input.
 *
 * Builder. JSON output assembled into one growing buffer (a BytesBuilder), with separators and
 * string escaping done for the caller: `,` between siblings, `:` after keys, `"` `\` and control
 * characters escaped per RFC 8259 (other bytes, UTF-8 included, pass through). It tracks the open
 * scopes; a call that would produce invalid JSON (a field outside an object, a bare value inside
 * one, an end that does not match, a second top-level value) is ignored and recorded, so a
 * program never emits broken JSON silently: `hale_json_builder_error` says what went wrong first.
 * Non-finite floats are written as null (JSON has no NaN).
 *
 * Parser. RFC 8259 text into a tree of `hale_json` nodes allocated in a region (one reset frees a
 * whole parse). Strict: UTF-8 is validated, `\u` escapes are decoded (surrogate pairs joined, a
 * lone surrogate is an error), integers that fit int64 stay exact (HALE_JSON_INT), other numbers
 * are doubles, nesting is limited to HALE_JSON_MAX_DEPTH, trailing content is an error. Errors
 * carry line:col and a short message. A parse allocates nothing from the system for documents
 * whose nesting fits a 4 KiB working stack. It is fuzzed (runtime/json_fuzz.c).
 *
 * Generated code (Builder is a locus in Hale; its state is hale_json_builder):
 *   let b = std::json::Builder { };   hale_json_builder_init(&b, region)
 *   b.begin_object() / end_object() / begin_array() / end_array()
 *   b.field(n, s) = string_field, int_field, bool_field, null_field, (float_field)
 *   b.value(s) = string_value, int_value, bool_value, null_value, (float_value)
 *   b.begin_object_field(n) / begin_array_field(n)
 *   b.result()                        hale_json_builder_result(&b, scratch)   (a copy) */
#ifndef HALE_RUNTIME_JSON_H
#define HALE_RUNTIME_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "region.h"
#include "value.h"

#define HALE_JSON_MAX_DEPTH 512

/* ---- builder ---- */

typedef struct hale_json_builder {
    hale_bytes_builder out;
    int depth;
    bool root_done;
    const char *error;                /* first misuse, NULL while the output is valid so far */
    char scopes[HALE_JSON_MAX_DEPTH]; /* 'o'/'O' object without/with members, 'a'/'A' arrays */
} hale_json_builder;

void hale_json_builder_init(hale_json_builder *b, hale_region *r);
void hale_json_builder_destroy(hale_json_builder *b);
/* Empties the builder for the next document, keeping its buffer. */
void hale_json_builder_reset(hale_json_builder *b);

void hale_json_builder_begin_object(hale_json_builder *b);
void hale_json_builder_end_object(hale_json_builder *b);
void hale_json_builder_begin_array(hale_json_builder *b);
void hale_json_builder_end_array(hale_json_builder *b);
void hale_json_builder_begin_object_field(hale_json_builder *b, hale_str name);
void hale_json_builder_begin_array_field(hale_json_builder *b, hale_str name);

void hale_json_builder_string_field(hale_json_builder *b, hale_str name, hale_str v);
void hale_json_builder_int_field(hale_json_builder *b, hale_str name, int64_t v);
void hale_json_builder_float_field(hale_json_builder *b, hale_str name, double v);
void hale_json_builder_bool_field(hale_json_builder *b, hale_str name, bool v);
void hale_json_builder_null_field(hale_json_builder *b, hale_str name);
static inline void hale_json_builder_field(hale_json_builder *b, hale_str name, hale_str v) {
    hale_json_builder_string_field(b, name, v);
}

void hale_json_builder_string_value(hale_json_builder *b, hale_str v);
void hale_json_builder_int_value(hale_json_builder *b, int64_t v);
void hale_json_builder_float_value(hale_json_builder *b, double v);
void hale_json_builder_bool_value(hale_json_builder *b, bool v);
void hale_json_builder_null_value(hale_json_builder *b);
static inline void hale_json_builder_value(hale_json_builder *b, hale_str v) {
    hale_json_builder_string_value(b, v);
}

/* Fragment assembly (Hale's Builder string helpers): `acc, entry` joined with ", " (entry alone
 * when acc is empty), and `[inner]` / `{inner}`; each a new String in `into`. */
hale_str hale_json_builder_append_entry(hale_json_builder *b, hale_str acc, hale_str entry,
                                        hale_region *into);
hale_str hale_json_builder_wrap_array(hale_json_builder *b, hale_str inner, hale_region *into);
hale_str hale_json_builder_wrap_object(hale_json_builder *b, hale_str inner, hale_region *into);

/* `s` with the escapes a JSON string needs (quotes not added), in r: std::json::escape_string. */
hale_str hale_json_escape(hale_region *r, hale_str s);
/* The inverse for the body of a JSON string (no quotes): false on a malformed escape. Text
 * without a backslash is answered as is (no copy). */
bool hale_json_unescape(hale_region *r, hale_str s, hale_str *out);
/* std::json::unescape_string: as above, `s` unchanged when it is malformed. */
hale_str hale_json_unescape_or_self(hale_region *r, hale_str s);

/* Decodes the escape at *pp (just past its backslash, before `end`) into `out` (1 to 4 UTF-8
 * bytes) and moves *pp past it; -1 for a malformed escape. */
int hale_json_decode_escape(const char **pp, const char *end, char out[4]);

/* The text so far, copied into `into` (result) or aliased (view, valid until the next call). */
hale_str hale_json_builder_result(const hale_json_builder *b, hale_region *into);
hale_str hale_json_builder_view(const hale_json_builder *b);

/* The first misuse, or "unclosed scope" when the document is not finished, or NULL. */
const char *hale_json_builder_error(const hale_json_builder *b);

/* ---- parser ---- */

typedef enum {
    HALE_JSON_NULL,
    HALE_JSON_BOOL,
    HALE_JSON_INT,
    HALE_JSON_FLOAT,
    HALE_JSON_STRING,
    HALE_JSON_ARRAY,
    HALE_JSON_OBJECT,
} hale_json_kind;

typedef struct hale_json hale_json;
typedef struct hale_json_member hale_json_member;

struct hale_json {
    hale_json_kind kind;
    union {
        bool b;
        int64_t i;
        double f;
        hale_str s;
        struct {
            hale_json *items;
            int64_t len;
        } arr;
        struct {
            hale_json_member *members;
            int64_t len;
        } obj;
    } u;
};

struct hale_json_member {
    hale_str key;
    hale_json value;
};

typedef struct {
    int64_t offset; /* byte offset of the error */
    int line;       /* 1-based */
    int col;        /* 1-based, in bytes */
    char message[96];
} hale_json_error;

/* Parses `len` bytes of `text` (no terminator needed) into a tree in `r`. Returns the root, or
 * NULL with `*err` filled in (err may be NULL). */
hale_json *hale_json_parse(const char *text, size_t len, hale_region *r, hale_json_error *err);

/* The member named `key` (the last one when a key repeats), or NULL; NULL for a non-object. */
const hale_json *hale_json_get(const hale_json *obj, hale_str key);

/* The i-th array element, or NULL when out of range or not an array. */
const hale_json *hale_json_at(const hale_json *arr, int64_t i);

/* Deep equality; numbers compare by value (the INT 3 equals the FLOAT 3.0). */
bool hale_json_equal(const hale_json *a, const hale_json *b);

/* Writes a tree through a builder, as a value in the builder's current position. */
void hale_json_builder_write(hale_json_builder *b, const hale_json *v);

#endif
