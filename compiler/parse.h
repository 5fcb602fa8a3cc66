/* The parser: tokens of one file to top-level declarations (recursive descent).
 *
 * Errors name what was expected and what was found; after an error the parser resynchronises at
 * the next `;` or `}` (statements) or the next top-level keyword (declarations), so one run
 * reports several independent mistakes without cascades. The tree it returns for a file with
 * errors is partial and is not checked further. */
#ifndef HALE_COMPILER_PARSE_H
#define HALE_COMPILER_PARSE_H

#include "ast.h"
#include "lex.h"

/* Appends the declarations of one file to `out`. */
void hc_parse_file(hc_arena *a, hc_diags *d, const hc_tokens *toks, hc_decls *out);

/* Parses generic template `tmpl` (a top-level declaration with type parameters) again from its
 * tokens, as a fresh tree in which each type parameter names[i] written as a type stands for
 * types[i] (its type expression comes back resolved). The checker names the result. */
hc_decl *hc_parse_instance(hc_arena *a, hc_diags *d, const hc_decl *tmpl, const char *const *names,
                           hc_type *const *types, int n);

#endif
