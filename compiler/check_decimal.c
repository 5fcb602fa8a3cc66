/* Decimal in the checker: its literals (`100.40d`, `1d`) read into the exact mantissa the
 * runtime keeps (a 128-bit integer at scale 9, runtime/decimal.h), and the operators it takes.
 *
 * Decimal is closed under + - * / and compares with itself; Hale never mixes it implicitly with
 * Int or Float (std::decimal::from_int and to_float convert), so a mixed expression is an error
 * that says how to convert. A literal with more than nine fraction digits would lose digits
 * silently and is refused at its position. */
#include <string.h>

#include "check_impl.h"

int hc_decimal_literal(const char *text, int64_t *hi, uint64_t *lo) {
    __extension__ typedef unsigned __int128 u128;
    u128 m = 0;
    const u128 limit = ((u128)1 << 127) - 1;
    int frac = -1;
    for (const char *s = text; *s && *s != 'd'; s++) {
        if (*s == '_') {
            continue;
        }
        if (*s == '.') {
            frac = 0;
            continue;
        }
        if (frac >= 0 && ++frac > 9) {
            return 1;
        }
        if (m > (limit - (u128)(*s - '0')) / 10) {
            return 2;
        }
        m = m * 10 + (u128)(*s - '0');
    }
    for (int k = frac < 0 ? 0 : frac; k < 9; k++) {
        if (m > limit / 10) {
            return 2;
        }
        m *= 10;
    }
    *hi = (int64_t)(uint64_t)(m >> 64);
    *lo = (uint64_t)m;
    return 0;
}

hc_type *ck_decimal_literal(hc_ctx *c, hc_expr *e) {
    int64_t hi;
    uint64_t lo;
    int rc = hc_decimal_literal(e->str, &hi, &lo);
    if (rc == 1) {
        hc_help(hc_error(c->P->d, e->pos, "a Decimal keeps nine fraction digits; `%s` has more",
                         e->str),
                "round the literal to nine places");
    } else if (rc == 2) {
        hc_error(c->P->d, e->pos, "the Decimal literal `%s` does not fit 128 bits at scale 9",
                 e->str);
    }
    return TY(c, TY_DECIMAL);
}

hc_type *ck_decimal_binary(hc_ctx *c, hc_expr *e, hc_type *a, hc_type *b) {
    if (a->kind != TY_DECIMAL && b->kind != TY_DECIMAL) {
        return NULL;
    }
    if (a->kind == TY_DECIMAL && b->kind == TY_DECIMAL) {
        switch (e->op) {
        case OP_ADD:
        case OP_SUB:
        case OP_MUL:
        case OP_DIV:
            return a;
        case OP_EQ:
        case OP_NE:
        case OP_LT:
        case OP_GT:
        case OP_LE:
        case OP_GE:
            return TY(c, TY_BOOL);
        default:
            break;
        }
    }
    hc_type *other = a->kind == TY_DECIMAL ? b : a;
    if (other->kind == TY_STRING && e->op == OP_ADD) {
        return NULL; /* string concatenation converts it */
    }
    static const char *ops[] = {
        [OP_ADD] = "+",  [OP_SUB] = "-",  [OP_MUL] = "*",    [OP_DIV] = "/",   [OP_MOD] = "%",
        [OP_AND] = "&&", [OP_OR] = "||",  [OP_BITAND] = "&", [OP_BITOR] = "|", [OP_BITXOR] = "^",
        [OP_SHL] = "<<", [OP_SHR] = ">>", [OP_EQ] = "==",    [OP_NE] = "!=",   [OP_LT] = "<",
        [OP_GT] = ">",   [OP_LE] = "<=",  [OP_GE] = ">="};
    hc_diag *g =
        hc_error(c->P->d, e->pos, "`%s` cannot be applied to `%s` and `%s`",
                 e->op <= OP_GE && ops[e->op] ? ops[e->op] : "?", TNAME(c, a), TNAME(c, b));
    if (other->kind == TY_INT) {
        hc_help(g, "Decimal never mixes with Int implicitly: convert with "
                   "std::decimal::from_int(...) or write a Decimal literal (`2d`)");
    } else if (other->kind == TY_FLOAT) {
        hc_help(g, "Decimal never mixes with Float implicitly: convert the Decimal with "
                   "std::decimal::to_float(...)");
    } else if (a->kind == TY_DECIMAL && b->kind == TY_DECIMAL) {
        hc_help(g, "Decimal takes + - * / and comparisons");
    }
    return TY(c, TY_ERROR);
}
