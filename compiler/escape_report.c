/* See escape.h: `hale check --escapes`. The posture in force and where it came from, then one
 * note per escape site (report.h), then a count per lowering. With --json: one object for the
 * posture, then one per site (file, line, col, value, from, to, lowering, reason, and the
 * site's kind, topic, key and help), then nothing else. */
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "report.h"

static const char *kind_name(hc_escape_kind k) {
    return k == HC_ESC_PUBLISH ? "publish" : k == HC_ESC_CONTRACT ? "contract" : "result";
}

static void posture_line(hc_program *P, FILE *out, int json) {
    hc_memory *m = P->mem;
    const char *name = hc_posture_name(m ? m->posture : HC_POSTURE_GUARD);
    hc_buf b = {0};
    if (json) {
        hc_buf_printf(&b, "{\"posture\":\"%s\",\"source\":", name);
        if (m && m->origin && strcmp(m->origin, "--posture") == 0) {
            hc_buf_puts(&b, "\"--posture\"");
        } else if (m && m->origin) {
            hc_buf_puts(&b, "\"hale.toml\",\"file\":");
            hc_json_string(&b, m->origin);
            hc_buf_printf(&b, ",\"line\":%d", m->origin_line);
        } else {
            hc_buf_puts(&b, "\"default\"");
            if (m && m->toml) {
                hc_buf_puts(&b, ",\"file\":");
                hc_json_string(&b, m->toml);
            }
        }
        hc_buf_printf(&b, ",\"hoist_record\":\"%s\"}\n",
                      m && m->record == HC_RECORD_PROJECT ? "project" : "annotation");
    } else if (m && m->origin && strcmp(m->origin, "--posture") == 0) {
        hc_buf_printf(&b, "posture: %s (--posture)\n", name);
    } else if (m && m->origin) {
        hc_buf_printf(&b, "posture: %s (%s:%d)\n", name, m->origin, m->origin_line);
    } else if (m && m->toml) {
        hc_buf_printf(&b, "posture: %s (the default: %s does not set [memory] posture)\n", name,
                      m->toml);
    } else {
        hc_buf_printf(
            &b, "posture: %s (the default: no hale.toml beside the program or above it)\n", name);
    }
    fputs(hc_buf_cstr(&b), out);
    hc_buf_free(&b);
}

void hc_escape_report(hc_program *P, FILE *out, int json) {
    posture_line(P, out, json);
    hc_escapes *X = P->escapes;
    if (!X) {
        return;
    }
    hc_report *r = hc_report_new(P->a, P->d, "note");
    int count[HC_LOWER_HOIST + 2] = {0}; /* by lowering, then the sites only read */
    for (int i = 0; i < X->sites.n; i++) {
        hc_escape_site *s = X->sites.v[i];
        int lent = s->only_read && s->lowering == HC_LOWER_GUARD; /* read in place, unchecked */
        hc_advice *g;
        if (s->kind == HC_ESC_PUBLISH && s->runtime_ancestor) {
            g = hc_advise(r, s->pos,
                          "`%s` escapes to `%s`, an ancestor chosen at run time (topic `%s`), "
                          "and %s",
                          s->value, s->to->name.name, s->topic->name, s->reason);
        } else if (s->kind == HC_ESC_PUBLISH) {
            g = hc_advise(r, s->pos, "`%s` escapes to ancestor locus `%s` (topic `%s`) and %s",
                          s->value, s->to->name.name, s->topic->name, s->reason);
        } else {
            g = hc_advise(r, s->pos, "`%s` escapes from `%s` to `%s` and %s", s->value,
                          s->from->name.name, s->to->name.name, s->reason);
        }
        if (s->help) {
            hc_advice_help(g, "%s", s->help);
        }
        hc_advice_str(g, "value", s->value);
        hc_advice_str(g, "from", s->from->name.name);
        hc_advice_str(g, "to", s->to->name.name);
        hc_advice_str(g, "lowering", hc_lowering_name(s->lowering));
        hc_advice_int(g, "checked", s->lowering == HC_LOWER_GUARD && !lent);
        hc_advice_str(g, "reason", s->reason);
        hc_advice_str(g, "kind", kind_name(s->kind));
        if (s->topic) {
            hc_advice_str(g, "topic", s->topic->name);
        }
        if (s->keep_field) {
            hc_advice_str(g, "kept_in", s->keep_field);
        }
        hc_advice_str(g, "key", s->key);
        hc_advice_int(g, "runtime_ancestor", s->runtime_ancestor);
        hc_advice_int(g, "cross_pool", s->cross_pool);
        if (s->help) {
            hc_advice_str(g, "help", s->help);
        }
        count[lent ? HC_LOWER_HOIST + 1 : s->lowering]++;
    }
    hc_report_print(r, out, json);
    if (!json) {
        fprintf(out, "%d escape site%s: %d copied, %d guarded, %d hoisted", X->sites.n,
                X->sites.n == 1 ? "" : "s", count[HC_LOWER_COPY], count[HC_LOWER_GUARD],
                count[HC_LOWER_HOIST]);
        if (count[HC_LOWER_HOIST + 1]) {
            fprintf(out, ", %d only read (lent: no copy, no check)", count[HC_LOWER_HOIST + 1]);
        }
        fputc('\n', out);
    }
}
