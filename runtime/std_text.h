/* std::str beyond the basics of str.h: splitting into and joining a `@form(vec)` of Strings,
 * byte-range readers, the String builder handles, UTF-8 code point accessors and Hale's ASCII
 * byte classes.
 *
 * Hale has no sequence value, so split writes into storage the caller owns (a `@form(vec)` of
 * Strings, cleared first, so a handler can reuse one vec per message) and join returns a
 * String made in one allocation sized in a first pass. The range readers (`range_eq`,
 * `range_parse_int`) work on [start, end) of an existing String without materialising a
 * substring: with std::json's range cursors, a walk over a large array allocates nothing per
 * element.
 *
 * Generated code:
 *   std::str::split_into(s, sep, v)   hale_str_split_into(s, sep, &v->hf)
 *   std::str::join(v, sep)            hale_str_join(scratch, &v->hf, sep)
 *   std::str::range_eq(s, a, b, x)    hale_str_range_eq(s, a, b, x)
 *   std::str::range_parse_int(s,a,b)  hale_str_range_parse_int(s, a, b, &out) -> ParseError
 *   std::str::builder_new()           hale_str_builder_new(&out)        (StrBuilder record)
 *   std::str::builder_append(b, s)    hale_str_builder_append(&b, s, &out)
 *   std::str::builder_len(b)          hale_str_builder_len(&b)
 *   std::str::builder_finish(b)       hale_str_builder_finish(scratch, &b)
 *   std::str::cp_count(s) / cp_at(s, i) / cp_size(s, i)
 *   std::text::is_alpha(c) ... is_word_char(c)   (c: a byte as an Int) */
#ifndef HALE_RUNTIME_STD_TEXT_H
#define HALE_RUNTIME_STD_TEXT_H

#include <stdbool.h>
#include <stdint.h>

#include "form_vec.h"
#include "region.h"
#include "value.h"

/* Replaces v's contents with the fields of s between occurrences of sep (empty fields kept:
 * "a,,b," is four). An empty sep yields s whole. v's cells must be Strings. */
void hale_str_split_into(hale_str s, hale_str sep, hale_vec *v);
/* v's Strings joined with sep, in r ("" for an empty vec). */
hale_str hale_str_join(hale_region *r, const hale_vec *v, hale_str sep);

/* Whether s[start, end) is exactly x (false when the range is not inside s). */
bool hale_str_range_eq(hale_str s, int64_t start, int64_t end, hale_str x);
/* s[start, end) as a decimal Int; false when the range is not inside s or not an Int. */
bool hale_str_range_parse_int(hale_str s, int64_t start, int64_t end, int64_t *out);

/* std::str's String builder: a handle (Hale's `StrBuilder { handle: Int }`) to a growable
 * buffer kept per thread. Copies of a handle name the same builder; finish() hands the text
 * out and retires the handle, after which (and for any handle that is not live) the calls are
 * no-ops answering "" / 0. At most HALE_STR_BUILDERS builders are live per thread; past that
 * builder_new answers a handle that is not live. */
#define HALE_STR_BUILDERS 1024
typedef struct {
    int64_t handle;
} hale_str_builder_ref;
void hale_str_builder_new(hale_str_builder_ref *out);
void hale_str_builder_append(const hale_str_builder_ref *b, hale_str s, hale_str_builder_ref *out);
int64_t hale_str_builder_len(const hale_str_builder_ref *b);
hale_str hale_str_builder_finish(hale_region *r, const hale_str_builder_ref *b);
/* Retires every builder of the calling thread (thread exit, tests). */
void hale_str_builders_reset(void);

/* UTF-8 (String stays bytes): the number of code points, or -1 when s is not valid UTF-8;
 * the code point starting at byte i and its length in bytes, or -1 when i is outside s, in the
 * middle of a sequence, or starts an invalid one. */
int64_t hale_str_cp_count(hale_str s);
int64_t hale_str_cp_at(hale_str s, int64_t i);
int64_t hale_str_cp_size(hale_str s, int64_t i);

/* std::text byte classes (ASCII; a byte value 0..255, anything else is false). */
bool hale_text_is_alpha(int64_t c);
bool hale_text_is_digit(int64_t c);
bool hale_text_is_alnum(int64_t c);
bool hale_text_is_whitespace(int64_t c);
bool hale_text_is_word_char(int64_t c);
/* std::text::tokenize_words_into(s, v): v's contents become the words of s, lower-cased: the
 * maximal runs of [A-Za-z0-9_] and of apostrophes between them ("It's" is "it's"). */
void hale_text_tokenize_words_into(hale_str s, hale_vec *v);

#endif
