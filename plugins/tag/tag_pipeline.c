/* The tag stage's steps over one text: pattern matches (DATE, MONEY...)
 * first, so that their words are not taken as names; then tokens, the name
 * rules and in-document linking; finally mentions sorted and overlaps
 * removed. */
#include "tag_pipeline.h"

#include <stdlib.h>

#include "docpipe/alloc.h"

typedef struct scan_ctx {
    tag_mentions_t *m;
    const char *text;
    const dp_date_t *ref;
    const tag_gaz_t *gaz;
    dp_status rc;
} scan_ctx_t;

static int on_pattern(void *vctx, const char *label, size_t start, size_t end)
{
    scan_ctx_t *c = vctx;
    json_t *value = tag_value(label, c->text + start, end - start, c->ref, c->gaz);
    c->rc = tag_mentions_push(c->m, start, end, label, 0.9f, NULL, value, 0, 0);
    return c->rc != DP_OK;
}

static int by_start(const void *pa, const void *pb)
{
    const tag_mention_t *a = pa, *b = pb;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    if (a->end != b->end)
        return a->end > b->end ? -1 : 1;
    return 0;
}

dp_status tag_run(const tag_gaz_t *gaz, const tag_patterns_t *patterns, const char *text,
                  size_t len, const size_t *sent_starts, size_t nsent, const dp_date_t *ref,
                  int link, tag_mentions_t *m)
{
    tag_toks_t toks = {NULL, 0, 0};
    scan_ctx_t sc = {m, text, ref, gaz, DP_OK};
    dp_status rc = tag_patterns_scan(patterns, text, len, on_pattern, &sc);
    if (rc == DP_OK)
        rc = sc.rc;
    if (rc)
        goto fail;
    if ((rc = tag_tokenize(text, len, sent_starts, nsent, &toks)))
        goto fail;
    /* Tokens inside a pattern match belong to it, not to a name. */
    size_t k = 0;
    for (size_t i = 0; i < m->n; i++) {
        while (k < toks.n && toks.v[k].end <= m->v[i].start)
            k++;
        for (size_t q = k; q < toks.n && toks.v[q].start < m->v[i].end; q++)
            toks.v[q].flags |= TAG_TOK_COVERED;
    }
    if ((rc = tag_rules_find(text, len, &toks, gaz, m)))
        goto fail;
    if (link && (rc = tag_link(text, len, &toks, gaz, m)))
        goto fail;
    /* Sort; drop names of unknown kind (without linking) and overlaps, the
     * earlier and longer mention winning. */
    if (m->n > 1)
        qsort(m->v, m->n, sizeof *m->v, by_start);
    size_t w = 0, last_end = 0;
    for (size_t i = 0; i < m->n; i++) {
        tag_mention_t x = m->v[i];
        if (!x.label || (w > 0 && x.start < last_end)) {
            dp_free(x.canonical);
            json_decref(x.value);
            continue;
        }
        m->v[w++] = x;
        last_end = x.end;
    }
    m->n = w;
fail:
    tag_toks_free(&toks);
    return rc;
}
