/* std::json's readers over JSON text: flat field lookups, array and object cursors that carry
 * byte ranges, and range-bearing lookups for walks that allocate nothing per element.
 *
 * Hale treats JSON input as text to read from, not a tree (json.h has the strict tree parser):
 * a program asks for `find_int_field(body, "id")` and gets an Int. These readers scan the text
 * in place. They are tolerant where Hale's are (a malformed or truncated document reads as
 * "not found": "" / 0 / false / done), match keys by position, never by text (a key name
 * recurring inside an earlier string value does not shadow the real key), skip nested values
 * whole (depth-aware, string-safe, nesting bounded by HALE_JSON_MAX_DEPTH), and look only at
 * the top level of the object they are given: nested members are reached by feeding the
 * returned raw value back in. Keys are compared after decoding their escapes. Results that are
 * raw text are views of the input (no copy); decoded strings are copied only when they hold an
 * escape.
 *
 * Cursors are Hale records (the layouts below match the built-in seed's):
 *   ArrayIter     { done, element, json, next }    array_first(json) / array_next(it)
 *   ArrayIterSpan { done, start, end_pos, next }   array_first_span(json) / array_next_span(it,
 * json) ObjectIterSpan { done, key_start, key_end, value_start, value_end, next }
 *                                                  object_first(json) / object_next(it, json)
 *   JsonFieldRange { ok, start, end_pos }          iter_find_field_range, ..._string_field_range
 * `start`/`end_pos` are byte offsets into the same json text (end exclusive); a string field's
 * range is its body between the quotes, undecoded. This file is fuzzed (json_scan_fuzz.c). */
#ifndef HALE_RUNTIME_JSON_SCAN_H
#define HALE_RUNTIME_JSON_SCAN_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "region.h"
#include "value.h"

typedef struct {
    bool done;
    hale_str element;
    hale_str json;
    int64_t next;
} hale_json_array_iter;

typedef struct {
    bool done;
    int64_t start;
    int64_t end_pos;
    int64_t next;
} hale_json_array_span;

typedef struct {
    bool done;
    int64_t key_start;
    int64_t key_end;
    int64_t value_start;
    int64_t value_end;
    int64_t next;
} hale_json_object_span;

typedef struct {
    bool ok;
    int64_t start;
    int64_t end_pos;
} hale_json_field_range;

/* The end (exclusive) of the JSON value starting at byte i of s (whitespace before it skipped),
 * or -1 when there is no well-delimited value there. *start gets where the value begins. */
int64_t hale_json_value_end(hale_str s, int64_t i, int64_t *start);

/* Top-level members of the object in s (or in s[start, end) for _in). */
hale_str hale_json_find_field_raw(hale_str s, hale_str name);
hale_str hale_json_find_field_raw_in(hale_str s, hale_str name, int64_t start, int64_t end);
hale_str hale_json_find_string_field(hale_region *r, hale_str s, hale_str name);
int64_t hale_json_find_int_field(hale_str s, hale_str name);
bool hale_json_find_bool_field(hale_str s, hale_str name);

void hale_json_array_first(hale_str json, hale_json_array_iter *out);
void hale_json_array_next(const hale_json_array_iter *it, hale_json_array_iter *out);
void hale_json_array_first_span(hale_str json, hale_json_array_span *out);
void hale_json_array_next_span(const hale_json_array_span *it, hale_str json,
                               hale_json_array_span *out);
hale_str hale_json_iter_substring(const hale_json_array_span *it, hale_str json);
hale_str hale_json_iter_find_field_raw(const hale_json_array_span *it, hale_str json,
                                       hale_str name);
hale_str hale_json_iter_find_string_field(hale_region *r, const hale_json_array_span *it,
                                          hale_str json, hale_str name);
int64_t hale_json_iter_find_int_field(const hale_json_array_span *it, hale_str json, hale_str name);
bool hale_json_iter_find_bool_field(const hale_json_array_span *it, hale_str json, hale_str name);
void hale_json_iter_find_field_range(const hale_json_array_span *it, hale_str json, hale_str name,
                                     hale_json_field_range *out);
void hale_json_iter_find_string_field_range(const hale_json_array_span *it, hale_str json,
                                            hale_str name, hale_json_field_range *out);

void hale_json_object_first(hale_str json, hale_json_object_span *out);
void hale_json_object_next(const hale_json_object_span *it, hale_str json,
                           hale_json_object_span *out);

/* s[a, b), or "" when that is not inside s. */
static inline hale_str hale_json_slice(hale_str s, int64_t a, int64_t b) {
    return a >= 0 && b >= a && b <= s.len ? (hale_str){s.ptr + a, b - a} : (hale_str){"", 0};
}

/* Whether the raw (escaped) key `raw` decodes to `name`. An escape always decodes to fewer bytes
 * than it is written with, so a key as long as the name matches by its bytes alone (inline: a
 * generated T::from_json compares every member's key with its fields' names this way, and the C
 * compiler folds the compare of a constant name), and a longer one only through its escapes
 * (hale_json_key_decodes_to, out of line). */
bool hale_json_key_decodes_to(hale_str raw, hale_str name);
static inline bool hale_json_key_eq_raw(hale_str raw, hale_str name) {
    if (raw.len == name.len) {
        /* equal bytes (an escape in them would have been one in the name too) */
        return memcmp(raw.ptr, name.ptr, (size_t)name.len) == 0 &&
               !memchr(name.ptr, '\\', (size_t)name.len);
    }
    return raw.len > name.len && hale_json_key_decodes_to(raw, name);
}

/* The cursor's member: its key compared with `name`, its raw value ("" when done). */
static inline bool hale_json_obj_key_eq(const hale_json_object_span *it, hale_str json,
                                        hale_str name) {
    return !it->done && it->key_start >= 0 && it->key_start <= it->key_end &&
           it->key_end <= json.len &&
           hale_json_key_eq_raw((hale_str){json.ptr + it->key_start, it->key_end - it->key_start},
                                name);
}
static inline hale_str hale_json_obj_value_raw(const hale_json_object_span *it, hale_str json) {
    return it->done ? (hale_str){"", 0} : hale_json_slice(json, it->value_start, it->value_end);
}
int64_t hale_json_obj_key_len(const hale_json_object_span *it);
hale_str hale_json_obj_key_string(hale_region *r, const hale_json_object_span *it, hale_str json);
hale_str hale_json_obj_value_string(hale_region *r, const hale_json_object_span *it, hale_str json);
int64_t hale_json_obj_value_int(const hale_json_object_span *it, hale_str json);
bool hale_json_obj_value_bool(const hale_json_object_span *it, hale_str json);

/* The raw value as an Int (an integer token, or a quoted one), 0 otherwise; as a Bool (only
 * `true`); as a decoded string (a JSON string's body, "" for anything else). */
int64_t hale_json_raw_int(hale_str raw);
bool hale_json_raw_bool(hale_str raw);
hale_str hale_json_raw_string(hale_region *r, hale_str raw);

#endif
