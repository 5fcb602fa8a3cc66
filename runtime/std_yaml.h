/* std::yaml: a Reader over a YAML document and a Builder of block-style YAML lines.
 *
 * Reading uses libyaml (Debian's libyaml-0-2), the reference C implementation of YAML 1.1:
 * quoting, escapes, flow and block collections, anchors and aliases, multi-line scalars and
 * comments are its job, and its parser has been fuzzed for years; a configuration format is
 * not something to half-implement. A Reader loads its `text` once, at instantiation, into
 * libyaml's document tree, then answers from the top-level mapping:
 *   scalar(key) -> String      the value when it is a scalar (quotes and escapes resolved), ""
 *   has(key) -> Bool
 *   list_count(key) -> Int     the length of a sequence value, 0 otherwise
 *   list_item(key, i) -> String   item i of that sequence as YAML text, "" out of range
 *   nested(key) -> String      a mapping or sequence value as YAML text, ""
 *   error() -> String          why the text is not YAML ("" when it is; every answer is then
 *                              the empty one)
 * The YAML-text answers are emitted by libyaml from the subtree, so `Reader { text: r.list_item(
 * "bins", 0) }` reads the item as a document of its own (Hale's recursion pattern).
 *
 * The Builder writes block-style lines at an indent level n (content at column 2n; a list item's
 * dash at 2n - 2): field(n, k, v), field_q (v double-quoted and escaped), field_i, field_b,
 * field_null, nested_open(n, k) ("k:"), list_item_first(n, k, v) / list_item_first_q ("- k: v").
 * Each returns its line, newline included, for the program to concatenate. */
#ifndef HALE_RUNTIME_STD_YAML_H
#define HALE_RUNTIME_STD_YAML_H

#include <stdbool.h>
#include <stdint.h>

#include <yaml.h>

#include "region.h"
#include "value.h"

typedef struct {
    yaml_document_t doc;
    bool loaded;     /* doc holds a document (maybe empty) */
    char error[160]; /* the parser's complaint, "" when none */
} hale_yaml_reader;

void hale_yaml_reader_init(hale_yaml_reader *y, hale_str text);
void hale_yaml_reader_dissolve(hale_yaml_reader *y);
hale_str hale_yaml_reader_scalar(hale_yaml_reader *y, hale_str key, hale_region *r);
bool hale_yaml_reader_has(hale_yaml_reader *y, hale_str key);
int64_t hale_yaml_reader_list_count(hale_yaml_reader *y, hale_str key);
hale_str hale_yaml_reader_list_item(hale_yaml_reader *y, hale_str key, int64_t i, hale_region *r);
hale_str hale_yaml_reader_nested(hale_yaml_reader *y, hale_str key, hale_region *r);
hale_str hale_yaml_reader_error(hale_yaml_reader *y, hale_region *r);

typedef struct {
    int unused;
} hale_yaml_builder;

hale_str hale_yaml_builder_field(hale_yaml_builder *b, int64_t n, hale_str k, hale_str v,
                                 hale_region *r);
hale_str hale_yaml_builder_field_q(hale_yaml_builder *b, int64_t n, hale_str k, hale_str v,
                                   hale_region *r);
hale_str hale_yaml_builder_field_i(hale_yaml_builder *b, int64_t n, hale_str k, int64_t v,
                                   hale_region *r);
hale_str hale_yaml_builder_field_b(hale_yaml_builder *b, int64_t n, hale_str k, bool v,
                                   hale_region *r);
hale_str hale_yaml_builder_field_null(hale_yaml_builder *b, int64_t n, hale_str k, hale_region *r);
hale_str hale_yaml_builder_nested_open(hale_yaml_builder *b, int64_t n, hale_str k, hale_region *r);
hale_str hale_yaml_builder_list_item_first(hale_yaml_builder *b, int64_t n, hale_str k, hale_str v,
                                           hale_region *r);
hale_str hale_yaml_builder_list_item_first_q(hale_yaml_builder *b, int64_t n, hale_str k,
                                             hale_str v, hale_region *r);

#endif
