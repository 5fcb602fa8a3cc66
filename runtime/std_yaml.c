/* See std_yaml.h. */
#include "std_yaml.h"

#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "str.h"

#define YAML_MAX_DEPTH 256 /* deeper subtrees are not copied out (a hostile document) */

static hale_str empty(void) {
    return (hale_str){"", 0};
}

void hale_yaml_reader_init(hale_yaml_reader *y, hale_str text) {
    memset(y, 0, sizeof *y);
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        snprintf(y->error, sizeof y->error, "out of memory");
        return;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)(text.len ? text.ptr : ""),
                                 (size_t)(text.len > 0 ? text.len : 0));
    if (yaml_parser_load(&p, &y->doc)) {
        y->loaded = true;
    } else {
        snprintf(y->error, sizeof y->error, "line %zu column %zu: %s", p.problem_mark.line + 1,
                 p.problem_mark.column + 1, p.problem ? p.problem : "not YAML");
    }
    yaml_parser_delete(&p);
}

void hale_yaml_reader_dissolve(hale_yaml_reader *y) {
    if (y->loaded) {
        yaml_document_delete(&y->doc);
        y->loaded = false;
    }
}

/* The value node of `key` in the top-level mapping, or NULL. */
static yaml_node_t *value_of(hale_yaml_reader *y, hale_str key) {
    if (!y->loaded) {
        return NULL;
    }
    yaml_node_t *root = yaml_document_get_root_node(&y->doc);
    if (!root || root->type != YAML_MAPPING_NODE) {
        return NULL;
    }
    for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top;
         pr++) {
        yaml_node_t *k = yaml_document_get_node(&y->doc, pr->key);
        if (k && k->type == YAML_SCALAR_NODE &&
            hale_str_eq(
                (hale_str){(const char *)k->data.scalar.value, (int64_t)k->data.scalar.length},
                key)) {
            return yaml_document_get_node(&y->doc, pr->value);
        }
    }
    return NULL;
}

hale_str hale_yaml_reader_scalar(hale_yaml_reader *y, hale_str key, hale_region *r) {
    yaml_node_t *v = value_of(y, key);
    if (!v || v->type != YAML_SCALAR_NODE) {
        return empty();
    }
    return hale_str_copy(
        r, (hale_str){(const char *)v->data.scalar.value, (int64_t)v->data.scalar.length});
}

bool hale_yaml_reader_has(hale_yaml_reader *y, hale_str key) {
    return value_of(y, key) != NULL;
}

int64_t hale_yaml_reader_list_count(hale_yaml_reader *y, hale_str key) {
    yaml_node_t *v = value_of(y, key);
    return v && v->type == YAML_SEQUENCE_NODE
               ? (int64_t)(v->data.sequence.items.top - v->data.sequence.items.start)
               : 0;
}

/* ---- a subtree as YAML text ---- */

/* Copies node `id` of `from` (and everything under it) into `to`; the new node's id, or 0. */
static int copy_node(yaml_document_t *from, int id, yaml_document_t *to, int depth) {
    yaml_node_t *n = yaml_document_get_node(from, id);
    if (!n || depth > YAML_MAX_DEPTH) {
        return 0;
    }
    switch (n->type) {
    case YAML_SCALAR_NODE:
        return yaml_document_add_scalar(to, NULL, n->data.scalar.value, (int)n->data.scalar.length,
                                        n->data.scalar.style);
    case YAML_SEQUENCE_NODE: {
        int s = yaml_document_add_sequence(to, NULL, YAML_BLOCK_SEQUENCE_STYLE);
        for (yaml_node_item_t *it = n->data.sequence.items.start;
             s && it < n->data.sequence.items.top; it++) {
            int c = copy_node(from, *it, to, depth + 1);
            if (!c || !yaml_document_append_sequence_item(to, s, c)) {
                return 0;
            }
        }
        return s;
    }
    case YAML_MAPPING_NODE: {
        int m = yaml_document_add_mapping(to, NULL, YAML_BLOCK_MAPPING_STYLE);
        for (yaml_node_pair_t *pr = n->data.mapping.pairs.start;
             m && pr < n->data.mapping.pairs.top; pr++) {
            int k = copy_node(from, pr->key, to, depth + 1);
            int v = k ? copy_node(from, pr->value, to, depth + 1) : 0;
            if (!v || !yaml_document_append_mapping_pair(to, m, k, v)) {
                return 0;
            }
        }
        return m;
    }
    default:
        return 0;
    }
}

static int write_handler(void *data, unsigned char *buffer, size_t size) {
    hale_bytes_builder_append_raw(data, buffer, (int64_t)size);
    return 1;
}

/* Node `id` of the reader's document emitted as a YAML document of its own, in r. */
static hale_str emit_subtree(hale_yaml_reader *y, int id, hale_region *r) {
    yaml_document_t d;
    if (!yaml_document_initialize(&d, NULL, NULL, NULL, 1, 1)) {
        return empty();
    }
    if (!copy_node(&y->doc, id, &d, 0)) {
        yaml_document_delete(&d);
        return empty();
    }
    hale_bytes_builder out;
    hale_bytes_builder_init(&out, r, 256);
    yaml_emitter_t em;
    hale_str text = empty();
    if (yaml_emitter_initialize(&em)) {
        yaml_emitter_set_output(&em, write_handler, &out);
        yaml_emitter_set_unicode(&em, 1);
        yaml_emitter_set_width(&em, -1);
        if (yaml_emitter_open(&em) && yaml_emitter_dump(&em, &d) && yaml_emitter_close(&em)) {
            yaml_emitter_flush(&em);
            text = hale_str_copy(r, hale_bytes_builder_text_view(&out));
        } else {
            yaml_document_delete(&d); /* dump deletes it only when it succeeds */
        }
        yaml_emitter_delete(&em);
    } else {
        yaml_document_delete(&d);
    }
    hale_bytes_builder_destroy(&out);
    return text;
}

hale_str hale_yaml_reader_list_item(hale_yaml_reader *y, hale_str key, int64_t i, hale_region *r) {
    yaml_node_t *v = value_of(y, key);
    if (!v || v->type != YAML_SEQUENCE_NODE || i < 0 ||
        i >= (int64_t)(v->data.sequence.items.top - v->data.sequence.items.start)) {
        return empty();
    }
    return emit_subtree(y, v->data.sequence.items.start[i], r);
}

hale_str hale_yaml_reader_nested(hale_yaml_reader *y, hale_str key, hale_region *r) {
    yaml_node_t *v = value_of(y, key);
    if (!v || v->type == YAML_SCALAR_NODE) {
        return empty();
    }
    return emit_subtree(y, (int)(v - y->doc.nodes.start) + 1, r);
}

hale_str hale_yaml_reader_error(hale_yaml_reader *y, hale_region *r) {
    return hale_str_copy(r, (hale_str){y->error, (int64_t)strlen(y->error)});
}

/* ---- Builder ---- */

static hale_str line(hale_region *r, int64_t spaces, const char *dash, hale_str k, const char *sep,
                     hale_str v, bool quote) {
    hale_bytes_builder b;
    hale_bytes_builder_init(&b, r, 64);
    for (int64_t i = 0; i < spaces && i < 4096; i++) {
        hale_bytes_builder_append_byte(&b, ' ');
    }
    hale_bytes_builder_append_raw(&b, dash, (int64_t)strlen(dash));
    hale_bytes_builder_append_str(&b, k);
    hale_bytes_builder_append_raw(&b, sep, (int64_t)strlen(sep));
    if (quote) {
        hale_bytes_builder_append_byte(&b, '"');
        for (int64_t i = 0; i < v.len; i++) {
            unsigned char c = (unsigned char)v.ptr[i];
            char esc[8];
            if (c == '"' || c == '\\') {
                snprintf(esc, sizeof esc, "\\%c", c);
            } else if (c == '\n') {
                snprintf(esc, sizeof esc, "\\n");
            } else if (c == '\t') {
                snprintf(esc, sizeof esc, "\\t");
            } else if (c < 0x20 || c == 0x7f) {
                snprintf(esc, sizeof esc, "\\x%02x", c);
            } else {
                hale_bytes_builder_append_byte(&b, c);
                continue;
            }
            hale_bytes_builder_append_raw(&b, esc, (int64_t)strlen(esc));
        }
        hale_bytes_builder_append_byte(&b, '"');
    } else {
        hale_bytes_builder_append_str(&b, v);
    }
    hale_bytes_builder_append_byte(&b, '\n');
    hale_str out = hale_str_copy(r, hale_bytes_builder_text_view(&b));
    hale_bytes_builder_destroy(&b);
    return out;
}

static int64_t column(int64_t n) {
    return n > 0 ? 2 * n : 0;
}

hale_str hale_yaml_builder_field(hale_yaml_builder *b, int64_t n, hale_str k, hale_str v,
                                 hale_region *r) {
    (void)b;
    return line(r, column(n), "", k, ": ", v, false);
}

hale_str hale_yaml_builder_field_q(hale_yaml_builder *b, int64_t n, hale_str k, hale_str v,
                                   hale_region *r) {
    (void)b;
    return line(r, column(n), "", k, ": ", v, true);
}

hale_str hale_yaml_builder_field_i(hale_yaml_builder *b, int64_t n, hale_str k, int64_t v,
                                   hale_region *r) {
    (void)b;
    char num[24];
    int len = snprintf(num, sizeof num, "%lld", (long long)v);
    return line(r, column(n), "", k, ": ", (hale_str){num, len}, false);
}

hale_str hale_yaml_builder_field_b(hale_yaml_builder *b, int64_t n, hale_str k, bool v,
                                   hale_region *r) {
    (void)b;
    return line(r, column(n), "", k, ": ", v ? HALE_STR_LIT("true") : HALE_STR_LIT("false"), false);
}

hale_str hale_yaml_builder_field_null(hale_yaml_builder *b, int64_t n, hale_str k, hale_region *r) {
    (void)b;
    return line(r, column(n), "", k, ": ", HALE_STR_LIT("null"), false);
}

hale_str hale_yaml_builder_nested_open(hale_yaml_builder *b, int64_t n, hale_str k,
                                       hale_region *r) {
    (void)b;
    return line(r, column(n), "", k, ":", empty(), false);
}

hale_str hale_yaml_builder_list_item_first(hale_yaml_builder *b, int64_t n, hale_str k, hale_str v,
                                           hale_region *r) {
    (void)b;
    return line(r, column(n) - 2, "- ", k, ": ", v, false);
}

hale_str hale_yaml_builder_list_item_first_q(hale_yaml_builder *b, int64_t n, hale_str k,
                                             hale_str v, hale_region *r) {
    (void)b;
    return line(r, column(n) - 2, "- ", k, ": ", v, true);
}
