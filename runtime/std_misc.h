/* Small std loci whose methods are text utilities Hale programs lean on, implemented in the
 * runtime (each is a locus in Hale; its state is the struct here):
 *
 *   std::iter::Lines        line_at(s, from) -> String: the line starting at byte `from` (no
 *                           "\n"); next_idx(s, from) -> Int: where the next line starts, -1 when
 *                           this was the last; is_skippable(line) -> Bool: blank or a `#` comment.
 *   std::name::Convention { strip }   camel_to_snake, snake_to_camel, strip_extension (drops
 *                           `strip` when the name ends with it), propose_locus_name (stripped,
 *                           CamelCased, then "L"; "?L" when nothing is left).
 *   std::tagged::Accumulator  over text of "TAG:body" lines: first_body, count, each_body (the
 *                           bodies, one a line), collect_csv ("a, b"), collect_array (a JSON
 *                           array of strings).
 *   std::cli::Resolver { env_prefix, argv_keys }  get(key, fallback) and get_int: the command
 *                           line (argv_keys lists keys by position, one a line, blank lines not
 *                           counting), then the environment (env_prefix + KEY upper-cased), then
 *                           the fallback; an empty value at a layer falls through, and so does a
 *                           value get_int cannot parse.
 *   std::test::assert(cond, msg), assert_eq_int(actual, expected, msg), assert_eq_str(...):
 *                           on failure prints "ASSERTION FAILED: msg" (with both values for the
 *                           eq forms) and ends the program with status 1. */
#ifndef HALE_RUNTIME_STD_MISC_H
#define HALE_RUNTIME_STD_MISC_H

#include <stdbool.h>
#include <stdint.h>

#include "region.h"
#include "value.h"

typedef struct {
    int unused;
} hale_lines;

hale_str hale_lines_line_at(hale_lines *l, hale_str s, int64_t from, hale_region *r);
int64_t hale_lines_next_idx(hale_lines *l, hale_str s, int64_t from);
bool hale_lines_is_skippable(hale_lines *l, hale_str line);

typedef struct {
    hale_str strip;
} hale_name_convention;

void hale_name_convention_init(hale_name_convention *n, hale_str strip);
hale_str hale_name_convention_camel_to_snake(hale_name_convention *n, hale_str s, hale_region *r);
hale_str hale_name_convention_snake_to_camel(hale_name_convention *n, hale_str s, hale_region *r);
hale_str hale_name_convention_strip_extension(hale_name_convention *n, hale_str s, hale_region *r);
hale_str hale_name_convention_propose_locus_name(hale_name_convention *n, hale_str file,
                                                 hale_region *r);

typedef struct {
    int unused;
} hale_tagged;

hale_str hale_tagged_first_body(hale_tagged *t, hale_str acc, hale_str tag, hale_region *r);
int64_t hale_tagged_count(hale_tagged *t, hale_str acc, hale_str tag);
hale_str hale_tagged_each_body(hale_tagged *t, hale_str acc, hale_str tag, hale_region *r);
hale_str hale_tagged_collect_csv(hale_tagged *t, hale_str acc, hale_str tag, hale_region *r);
hale_str hale_tagged_collect_array(hale_tagged *t, hale_str acc, hale_str tag, hale_region *r);

typedef struct {
    hale_str env_prefix;
    hale_str argv_keys;
} hale_cli_resolver;

void hale_cli_resolver_init(hale_cli_resolver *c, hale_str env_prefix, hale_str argv_keys);
hale_str hale_cli_resolver_get(hale_cli_resolver *c, hale_str key, hale_str fallback,
                               hale_region *r);
int64_t hale_cli_resolver_get_int(hale_cli_resolver *c, hale_str key, int64_t fallback);

void hale_test_assert(bool cond, hale_str msg);
void hale_test_assert_eq_int(int64_t actual, int64_t expected, hale_str msg);
void hale_test_assert_eq_str(hale_str actual, hale_str expected, hale_str msg);

#endif
