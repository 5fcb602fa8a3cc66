/* The lexer: source bytes to tokens.
 *
 * Hale keeps its hard keyword set small; most framework words (`params`, `birth`, `subscribe`,
 * `pool`, ...) are contextual and reach the parser as identifiers, which recognises them only
 * where the grammar admits them. Literal values are decoded here (escapes, digit separators,
 * duration units), so later phases never re-read source text. A malformed token is reported
 * with its position and skipped; the lexer always reaches EOF. */
#ifndef HALE_COMPILER_LEX_H
#define HALE_COMPILER_LEX_H

#include <stdint.h>

#include "arena.h"
#include "diagnostic.h"

typedef enum {
    T_EOF,
    T_IDENT,
    T_INT,
    T_FLOAT,
    T_DECIMAL,  /* 1.50d: text kept, value unsupported for now */
    T_STRING,   /* decoded bytes in str/slen */
    T_FSTRING,  /* f"...": raw body in str/slen, split by the parser */
    T_BYTES,    /* b"...": decoded bytes */
    T_DURATION, /* nanoseconds in i */
    T_TIME,     /* `2026-05-08T12:00:00Z`: text in str */
    /* hard keywords */
    K_AS,
    K_BREAK,
    K_CONST,
    K_CONTINUE,
    K_ELSE,
    K_ENUM,
    K_FALSE,
    K_FN,
    K_FOR,
    K_IF,
    K_IMPORT,
    K_IN,
    K_LET,
    K_LOCUS,
    K_MATCH,
    K_MUT,
    K_NIL,
    K_RETURN,
    K_SELF,
    K_TRUE,
    K_TYPE,
    K_WHILE,
    /* punctuation */
    P_LPAREN,
    P_RPAREN,
    P_LBRACE,
    P_RBRACE,
    P_LBRACKET,
    P_RBRACKET,
    P_COMMA,
    P_SEMI,
    P_COLON,
    P_COLONCOLON,
    P_DOT,
    P_DOTDOT,
    P_DOTDOTEQ,
    P_ARROW,    /* -> */
    P_FATARROW, /* => */
    P_SEND,     /* <- */
    P_ASSIGN,   /* = */
    P_EQ,
    P_NE,
    P_LT,
    P_GT,
    P_LE,
    P_GE,
    P_PLUS,
    P_MINUS,
    P_STAR,
    P_SLASH,
    P_PERCENT,
    P_AMP,
    P_PIPE,
    P_CARET,
    P_TILDE,
    P_BANG,
    P_ANDAND,
    P_OROR,
    P_SHL,
    P_SHR,
    P_PLUSEQ,
    P_MINUSEQ,
    P_STAREQ,
    P_SLASHEQ,
    P_PERCENTEQ,
    P_AMPEQ,
    P_PIPEEQ,
    P_CARETEQ,
    P_APPROX, /* ~~ */
    P_AT,
    P_QUESTION,
    T_COUNT
} hc_tok_kind;

typedef struct {
    hc_tok_kind kind;
    hc_pos pos;
    const char *text; /* the token's source text (arena copy, NUL-terminated) */
    const char *str;  /* decoded string/bytes/fstring body */
    int64_t slen;
    int64_t i;
    double f;
    /* 1 when the token is immediately preceded by whitespace or a comment (or starts a file). */
    int space_before;
} hc_token;

typedef HC_VEC(hc_token) hc_tokens;

/* Tokenizes `len` bytes of `src` (file id `file` in `d`). The result ends with T_EOF. */
hc_tokens hc_lex(hc_arena *a, hc_diags *d, int file, const char *src, size_t len);

/* The same for a piece of a file (an f-string's embedded expression) that starts at line:col. */
hc_tokens hc_lex_at(hc_arena *a, hc_diags *d, int file, const char *src, size_t len, int line,
                    int col);

/* The token kind's spelling for messages ("`;`", "identifier", "end of file"). */
const char *hc_tok_describe(hc_tok_kind k);

#endif
