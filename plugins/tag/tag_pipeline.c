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

/* A lone month or year right after a word that makes it a date ("in
 * June", "since 2013", "mid-March"); the patterns take every longer form. */
static dp_status lone_dates(const tag_gaz_t *gaz, const char *text, size_t len, tag_toks_t *toks,
                            const dp_date_t *ref, tag_mentions_t *m)
{
    (void)len;
    for (size_t i = 1; i < toks->n; i++) {
        tag_tok_t *t = &toks->v[i], *prev = &toks->v[i - 1];
        if (t->flags & TAG_TOK_COVERED)
            continue;
        size_t n = t->end - t->start;
        const char *s = text + t->start;
        int year = (t->flags & TAG_TOK_NUM) && n == 4 &&
                   ((s[0] == '1' && s[1] >= '6') || (s[0] == '2' && s[1] == '0')) &&
                   s[2] >= '0' && s[2] <= '9' && s[3] >= '0' && s[3] <= '9';
        int month = 0;
        if (!year && (t->flags & TAG_TOK_CAP) && !(t->flags & TAG_TOK_ALLCAPS) && n >= 3 && n <= 9) {
            /* the rules look this word up too: keep the answer on the token */
            if (!(t->flags & TAG_TOK_LOOKED)) {
                t->gz = tag_gaz_lookup(gaz, s, n);
                t->flags |= TAG_TOK_LOOKED;
            }
            month = t->gz && (t->gz->flags & TAG_GZ_MONTH);
        }
        if (!year && !month)
            continue;
        /* "2019-20" and "2019-2021" are ranges of the patterns' kind, not lone years */
        if (year && t->end < len && text[t->end] == '-')
            continue;
        /* the word before: a date_prep, one space (or "mid-") away */
        size_t gap = t->start - prev->end;
        int hyphen = gap == 0 && i >= 2 && prev->end - prev->start == 1 && text[prev->start] == '-';
        if (hyphen)
            prev = &toks->v[i - 2];
        if (!(prev->flags & TAG_TOK_WORD) || (!hyphen && (gap != 1 || text[prev->end] != ' ')))
            continue;
        /* kept on the token too: the rules look most words up again */
        if (!(prev->flags & TAG_TOK_LOOKED)) {
            prev->gz = tag_gaz_lookup(gaz, text + prev->start, prev->end - prev->start);
            prev->flags |= TAG_TOK_LOOKED;
        }
        const tag_gaz_entry_t *pe = prev->gz;
        if (!pe || !(pe->flags & TAG_GZ_DATE_PREP))
            continue;
        json_t *value = tag_value("DATE", s, n, ref, gaz);
        dp_status rc = tag_mentions_push(m, t->start, t->end, "DATE", 0.9f, NULL, value, 0, 0);
        if (rc)
            return rc;
        t->flags |= TAG_TOK_COVERED;
    }
    return DP_OK;
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
    dp_status rc = tag_run_with(gaz, patterns, text, len, sent_starts, nsent, ref, link, m, &toks);
    tag_toks_free(&toks);
    return rc;
}

dp_status tag_run_with(const tag_gaz_t *gaz, const tag_patterns_t *patterns, const char *text,
                       size_t len, const size_t *sent_starts, size_t nsent, const dp_date_t *ref,
                       int link, tag_mentions_t *m, tag_toks_t *tp)
{
#define toks (*tp)
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
    if ((rc = lone_dates(gaz, text, len, &toks, ref, m)))
        goto fail;
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
    return rc;
#undef toks
}
