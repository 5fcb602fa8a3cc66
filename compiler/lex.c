/* See lex.h. */
#include "lex.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"

typedef struct {
    hc_arena *a;
    hc_diags *d;
    int file;
    const char *src;
    const char *p, *end;
    int line;
    const char *line_start;
    hc_tokens out;
    int space;
    int first_line, col0; /* sub-lexing (f-string parts): column offset of the first line */
} lexer;

static const struct {
    const char *word;
    hc_tok_kind kind;
} keywords[] = {
    {"as", K_AS},     {"break", K_BREAK},   {"const", K_CONST},   {"continue", K_CONTINUE},
    {"else", K_ELSE}, {"enum", K_ENUM},     {"false", K_FALSE},   {"fn", K_FN},
    {"for", K_FOR},   {"if", K_IF},         {"import", K_IMPORT}, {"in", K_IN},
    {"let", K_LET},   {"locus", K_LOCUS},   {"match", K_MATCH},   {"mut", K_MUT},
    {"nil", K_NIL},   {"return", K_RETURN}, {"self", K_SELF},     {"true", K_TRUE},
    {"type", K_TYPE}, {"while", K_WHILE},
};

static const struct {
    const char *text;
    hc_tok_kind kind;
} puncts[] = {
    /* longest first */
    {"..=", P_DOTDOTEQ}, {"::", P_COLONCOLON}, {"..", P_DOTDOT},    {"->", P_ARROW},
    {"=>", P_FATARROW},  {"<-", P_SEND},       {"==", P_EQ},        {"!=", P_NE},
    {"<=", P_LE},        {">=", P_GE},         {"&&", P_ANDAND},    {"||", P_OROR},
    {"<<", P_SHL},       {">>", P_SHR},        {"+=", P_PLUSEQ},    {"-=", P_MINUSEQ},
    {"*=", P_STAREQ},    {"/=", P_SLASHEQ},    {"%=", P_PERCENTEQ}, {"&=", P_AMPEQ},
    {"|=", P_PIPEEQ},    {"^=", P_CARETEQ},    {"~~", P_APPROX},    {"(", P_LPAREN},
    {")", P_RPAREN},     {"{", P_LBRACE},      {"}", P_RBRACE},     {"[", P_LBRACKET},
    {"]", P_RBRACKET},   {",", P_COMMA},       {";", P_SEMI},       {":", P_COLON},
    {".", P_DOT},        {"=", P_ASSIGN},      {"<", P_LT},         {">", P_GT},
    {"+", P_PLUS},       {"-", P_MINUS},       {"*", P_STAR},       {"/", P_SLASH},
    {"%", P_PERCENT},    {"&", P_AMP},         {"|", P_PIPE},       {"^", P_CARET},
    {"~", P_TILDE},      {"!", P_BANG},        {"@", P_AT},         {"?", P_QUESTION},
};

const char *hc_tok_describe(hc_tok_kind k) {
    switch (k) {
    case T_EOF:
        return "end of file";
    case T_IDENT:
        return "identifier";
    case T_INT:
        return "integer literal";
    case T_FLOAT:
        return "float literal";
    case T_DECIMAL:
        return "decimal literal";
    case T_STRING:
        return "string literal";
    case T_FSTRING:
        return "f-string";
    case T_BYTES:
        return "bytes literal";
    case T_DURATION:
        return "duration literal";
    case T_TIME:
        return "time literal";
    default:
        break;
    }
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++) {
        if (keywords[i].kind == k) {
            static _Thread_local char buf[32];
            snprintf(buf, sizeof buf, "`%s`", keywords[i].word);
            return buf;
        }
    }
    for (size_t i = 0; i < sizeof puncts / sizeof puncts[0]; i++) {
        if (puncts[i].kind == k) {
            static _Thread_local char buf[16];
            snprintf(buf, sizeof buf, "`%s`", puncts[i].text);
            return buf;
        }
    }
    return "token";
}

static int col_of(lexer *L, const char *start, const char *ls, int line) {
    return (int)(start - ls) + 1 + (line == L->first_line ? L->col0 : 0);
}

static hc_pos pos_at(lexer *L, const char *start) {
    hc_pos p = {L->file, L->line, col_of(L, start, L->line_start, L->line), 1};
    return p;
}

static hc_token *emit(lexer *L, hc_tok_kind k, const char *start, int line, const char *ls) {
    hc_token t = {0};
    t.kind = k;
    t.pos.file = L->file;
    t.pos.line = line;
    t.pos.col = col_of(L, start, ls, line);
    size_t n = (size_t)(L->p - start);
    /* A multi-line token (string) underlines only its first line. */
    const char *nl = memchr(start, '\n', n);
    t.pos.len = (int)((nl ? nl : L->p) - start);
    t.text = hc_strndup(L->a, start, n);
    t.space_before = L->space;
    L->space = 0;
    HC_PUSH(L->a, L->out, t);
    return &L->out.v[L->out.n - 1];
}

static void newline(lexer *L, const char *nl) {
    L->line++;
    L->line_start = nl + 1;
}

/* Skips whitespace and comments; returns 0 at end of input. */
static void skip_space(lexer *L) {
    while (L->p < L->end) {
        char c = *L->p;
        if (c == '\n') {
            newline(L, L->p);
            L->p++;
            L->space = 1;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            L->p++;
            L->space = 1;
        } else if (c == '/' && L->p + 1 < L->end && L->p[1] == '/') {
            while (L->p < L->end && *L->p != '\n') {
                L->p++;
            }
            L->space = 1;
        } else if (c == '/' && L->p + 1 < L->end && L->p[1] == '*') {
            const char *start = L->p;
            hc_pos at = pos_at(L, start);
            at.len = 2;
            L->p += 2;
            int closed = 0;
            while (L->p < L->end) {
                if (*L->p == '*' && L->p + 1 < L->end && L->p[1] == '/') {
                    L->p += 2;
                    closed = 1;
                    break;
                }
                if (*L->p == '\n') {
                    newline(L, L->p);
                }
                L->p++;
            }
            if (!closed) {
                hc_error(L->d, at, "unterminated block comment");
            }
            L->space = 1;
        } else {
            break;
        }
    }
}

static int ident_start(int c) {
    return isalpha(c) || c == '_';
}

static int ident_char(int c) {
    return isalnum(c) || c == '_';
}

/* Decodes the body of a "..." literal starting after the opening quote. Stops at the closing
 * quote (consumed). `raw` keeps escapes as written (f-strings decode per segment later).
 * Returns 0 when the literal is unterminated. */
static int read_string(lexer *L, hc_buf *out, int raw, int bytes) {
    while (L->p < L->end) {
        char c = *L->p;
        if (c == '"') {
            L->p++;
            return 1;
        }
        if (c == '\n') {
            return 0; /* a string ends on its line; \n writes a newline */
        }
        if (c != '\\') {
            hc_buf_put(out, L->p, 1);
            L->p++;
            continue;
        }
        const char *esc = L->p;
        if (L->p + 1 >= L->end) {
            L->p++;
            return 0;
        }
        char e = L->p[1];
        L->p += 2;
        if (raw) {
            hc_buf_put(out, esc, 2);
            continue;
        }
        char ch;
        switch (e) {
        case 'n':
            ch = '\n';
            break;
        case 't':
            ch = '\t';
            break;
        case 'r':
            ch = '\r';
            break;
        case '\\':
            ch = '\\';
            break;
        case '"':
            ch = '"';
            break;
        case '\'':
            ch = '\'';
            break;
        case '0':
            ch = '\0';
            break;
        case '{':
            ch = '{';
            break;
        case '}':
            ch = '}';
            break;
        case 'x': {
            int v = 0, ok = L->p + 2 <= L->end && isxdigit((unsigned char)L->p[0]) &&
                            isxdigit((unsigned char)L->p[1]);
            if (ok) {
                char hex[3] = {L->p[0], L->p[1], 0};
                v = (int)strtol(hex, NULL, 16);
                L->p += 2;
            }
            hc_pos at = pos_at(L, esc);
            at.len = ok ? 4 : 2;
            if (!ok) {
                hc_error(L->d, at, "`\\x` must be followed by two hex digits");
                ch = '?';
            } else if (v > 0x7f && !bytes) {
                hc_help(hc_error(L->d, at, "`\\x%02x` is not ASCII; a String is UTF-8 text", v),
                        "write the character itself, or build raw bytes with std::bytes");
                ch = '?';
            } else {
                ch = (char)v;
            }
            break;
        }
        default: {
            hc_pos at = pos_at(L, esc);
            at.len = 2;
            hc_help(
                hc_error(L->d, at, "unknown escape `\\%c`", isprint((unsigned char)e) ? e : '?'),
                "the escapes are \\n \\t \\r \\\\ \\\" \\' \\0 and \\xNN");
            ch = e;
        }
        }
        hc_buf_put(out, &ch, 1);
    }
    return 0;
}

static void lex_string(lexer *L, hc_tok_kind kind, const char *start) {
    int line = L->line;
    const char *ls = L->line_start;
    hc_buf b = {0};
    int ok = read_string(L, &b, kind == T_FSTRING, kind == T_BYTES);
    hc_token *t = emit(L, kind, start, line, ls);
    t->str = hc_strndup(L->a, b.p ? b.p : "", b.len);
    t->slen = (int64_t)b.len;
    hc_buf_free(&b);
    if (!ok) {
        hc_pos at = t->pos;
        at.len = 1;
        hc_help(hc_error(L->d, at, "unterminated string literal"),
                "close it with `\"` on the same line (write a line break as \\n)");
    }
}

/* Reads digits (with `_` separators) in `base` into *v; returns 0 on overflow. */
static int read_digits(lexer *L, int base, uint64_t *v, int *count) {
    int ok = 1;
    *v = 0;
    *count = 0;
    while (L->p < L->end) {
        int c = (unsigned char)*L->p, d;
        if (c == '_') {
            L->p++;
            continue;
        }
        if (isdigit(c)) {
            d = c - '0';
        } else if (isxdigit(c) && base == 16) {
            d = tolower(c) - 'a' + 10;
        } else {
            break;
        }
        if (d >= base) {
            break;
        }
        if (*v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) {
            ok = 0;
        }
        *v = *v * (uint64_t)base + (uint64_t)d;
        (*count)++;
        L->p++;
    }
    return ok;
}

/* After an integer: one or more <unit>(<digits><unit>)* groups. */
static void lex_duration(lexer *L, const char *start, int line, const char *ls, uint64_t first) {
    __int128 total = 0;
    uint64_t v = first;
    int bad = 0;
    for (;;) {
        size_t best;
        int64_t ns = cfg_duration_unit(L->p, (size_t)(L->end - L->p), &best);
        if (!best) {
            bad = 1;
            break;
        }
        L->p += best;
        total += (__int128)v * ns;
        if (total > INT64_MAX) {
            bad = 2;
        }
        if (L->p < L->end && isdigit((unsigned char)*L->p)) {
            int count;
            if (!read_digits(L, 10, &v, &count)) {
                bad = 2;
            }
            continue;
        }
        break;
    }
    int trailing = 0;
    while (L->p < L->end && ident_char((unsigned char)*L->p)) {
        L->p++;
        trailing = 1;
    }
    hc_token *t = emit(L, T_DURATION, start, line, ls);
    t->i = (int64_t)(total > INT64_MAX ? INT64_MAX : total);
    if (bad == 1 || trailing) {
        hc_help(hc_error(L->d, t->pos, "invalid number suffix in `%s`", t->text),
                "duration units are ns, us, ms, s, m, h and d (e.g. 250ms, 1h30m)");
    } else if (bad == 2) {
        hc_error(L->d, t->pos, "duration literal `%s` is too large", t->text);
    }
}

static void lex_number(lexer *L) {
    const char *start = L->p;
    int line = L->line;
    const char *ls = L->line_start;
    int base = 10;
    if (*L->p == '0' && L->p + 1 < L->end && strchr("xXoObB", L->p[1])) {
        char b = (char)tolower(L->p[1]);
        base = b == 'x' ? 16 : b == 'o' ? 8 : 2;
        L->p += 2;
    }
    uint64_t v;
    int count;
    int ok = read_digits(L, base, &v, &count);
    int is_float = 0;
    if (base == 10 && L->p + 1 < L->end && L->p[0] == '.' && isdigit((unsigned char)L->p[1])) {
        is_float = 1;
        L->p++;
        while (L->p < L->end && (isdigit((unsigned char)*L->p) || *L->p == '_')) {
            L->p++;
        }
    }
    if (base == 10 && L->p < L->end && (*L->p == 'e' || *L->p == 'E')) {
        const char *q = L->p + 1;
        if (q < L->end && (*q == '+' || *q == '-')) {
            q++;
        }
        if (q < L->end && isdigit((unsigned char)*q)) {
            is_float = 1;
            L->p = q;
            while (L->p < L->end && isdigit((unsigned char)*L->p)) {
                L->p++;
            }
        }
    }
    if (is_float) {
        hc_tok_kind k = T_FLOAT;
        if (L->p < L->end && *L->p == 'd' &&
            !(L->p + 1 < L->end && ident_char((unsigned char)L->p[1]))) {
            L->p++;
            k = T_DECIMAL;
        }
        int junk = 0;
        while (L->p < L->end && ident_char((unsigned char)*L->p)) {
            L->p++;
            junk = 1;
        }
        hc_token *t = emit(L, k, start, line, ls);
        char *clean = hc_alloc(L->a, strlen(t->text) + 1), *c = clean;
        for (const char *s = t->text; *s; s++) {
            if (*s != '_' && *s != 'd') {
                *c++ = *s;
            }
        }
        errno = 0;
        t->f = strtod(clean, NULL);
        if (junk) {
            hc_help(hc_error(L->d, t->pos, "invalid suffix on number `%s`", t->text),
                    "a float is written like 3.14 or 2.5e-3; a decimal like 1.50d");
        } else if (errno == ERANGE && isinf(t->f)) {
            hc_error(L->d, t->pos, "float literal `%s` is out of range", t->text);
        }
        return;
    }
    if (base == 10 && L->p < L->end && *L->p == 'd' && count > 0 &&
        !(L->p + 1 < L->end && ident_char((unsigned char)L->p[1]))) {
        /* `3d` is the Decimal 3 (Hale lets the Decimal suffix win over a day's Duration) */
        L->p++;
        emit(L, T_DECIMAL, start, line, ls);
        return;
    }
    if (base == 10 && L->p < L->end && isalpha((unsigned char)*L->p) && count > 0) {
        lex_duration(L, start, line, ls, v);
        return;
    }
    int junk = 0;
    while (L->p < L->end && ident_char((unsigned char)*L->p)) {
        L->p++;
        junk = 1;
    }
    hc_token *t = emit(L, T_INT, start, line, ls);
    t->i = (int64_t)v;
    if (count == 0) {
        hc_error(L->d, t->pos, "`%s` has no digits", t->text);
    } else if (junk) {
        hc_help(hc_error(L->d, t->pos, "invalid suffix on integer `%s`", t->text),
                "integers are plain (1_000, 0xff, 0o17, 0b1010); sized suffixes are not supported");
    } else if (!ok || v > (uint64_t)INT64_MAX + 1) {
        hc_help(hc_error(L->d, t->pos, "integer literal `%s` does not fit in an Int", t->text),
                "an Int is a 64-bit signed integer");
    } else if (v == (uint64_t)INT64_MAX + 1) {
        /* Only valid as the operand of unary minus; the checker decides. */
        t->i = INT64_MIN;
        t->slen = 1;
    }
}

static void lex_time(lexer *L) {
    const char *start = L->p;
    int line = L->line;
    const char *ls = L->line_start;
    L->p++;
    while (L->p < L->end && *L->p != '`' && *L->p != '\n') {
        L->p++;
    }
    int ok = L->p < L->end && *L->p == '`';
    if (ok) {
        L->p++;
    }
    hc_token *t = emit(L, T_TIME, start, line, ls);
    t->str = hc_strndup(L->a, start + 1, (size_t)(L->p - start) - (ok ? 2 : 1));
    t->slen = (int64_t)strlen(t->str);
    if (!ok) {
        hc_error(L->d, t->pos, "unterminated time literal");
    }
}

static void lex_one(lexer *L) {
    const char *start = L->p;
    unsigned char c = (unsigned char)*L->p;
    if ((c == 'f' || c == 'b') && L->p + 1 < L->end && L->p[1] == '"') {
        L->p += 2;
        lex_string(L, c == 'f' ? T_FSTRING : T_BYTES, start);
        return;
    }
    if (ident_start(c)) {
        while (L->p < L->end && ident_char((unsigned char)*L->p)) {
            L->p++;
        }
        size_t n = (size_t)(L->p - start);
        hc_tok_kind k = T_IDENT;
        for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++) {
            if (strlen(keywords[i].word) == n && memcmp(keywords[i].word, start, n) == 0) {
                k = keywords[i].kind;
                break;
            }
        }
        emit(L, k, start, L->line, L->line_start);
        return;
    }
    if (isdigit(c)) {
        lex_number(L);
        return;
    }
    if (c == '"') {
        L->p++;
        lex_string(L, T_STRING, start);
        return;
    }
    if (c == '`') {
        lex_time(L);
        return;
    }
    for (size_t i = 0; i < sizeof puncts / sizeof puncts[0]; i++) {
        size_t n = strlen(puncts[i].text);
        if ((size_t)(L->end - L->p) >= n && memcmp(L->p, puncts[i].text, n) == 0) {
            L->p += n;
            emit(L, puncts[i].kind, start, L->line, L->line_start);
            return;
        }
    }
    hc_pos at = pos_at(L, start);
    if (c >= 0x80) {
        /* Skip the whole UTF-8 sequence so one character gives one error. */
        L->p++;
        while (L->p < L->end && ((unsigned char)*L->p & 0xC0) == 0x80) {
            L->p++;
        }
        hc_help(hc_error(L->d, at, "non-ASCII character outside a string or comment"),
                "Hale source is ASCII outside string literals and comments");
    } else {
        L->p++;
        if (isprint(c)) {
            hc_error(L->d, at, "unexpected character `%c`", c);
        } else {
            hc_error(L->d, at, "unexpected byte 0x%02x", c);
        }
    }
    L->space = 1;
}

hc_tokens hc_lex(hc_arena *a, hc_diags *d, int file, const char *src, size_t len) {
    return hc_lex_at(a, d, file, src, len, 1, 1);
}

hc_tokens hc_lex_at(hc_arena *a, hc_diags *d, int file, const char *src, size_t len, int line,
                    int col) {
    lexer L = {0};
    L.first_line = line;
    L.col0 = col - 1;
    L.a = a;
    L.d = d;
    L.file = file;
    L.src = src;
    L.p = src;
    L.end = src + len;
    L.line = line;
    L.line_start = src;
    L.space = 1;
    for (;;) {
        skip_space(&L);
        if (L.p >= L.end) {
            break;
        }
        lex_one(&L);
    }
    hc_token eof = {0};
    eof.kind = T_EOF;
    eof.pos = pos_at(&L, L.p);
    eof.text = "";
    HC_PUSH(a, L.out, eof);
    return L.out;
}
