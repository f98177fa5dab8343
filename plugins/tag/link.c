/* In-document linking for the tag stage: an acronym defined in brackets
 * takes the label and full name of what it follows ("Shanghai Cooperation
 * Organisation (SCO)"), a surname alone takes the label and full name of
 * the person named in full earlier ("Norov"), names in all-capitals
 * headlines are found through the names of the body, and one name keeps one
 * label throughout the document. */
#include <string.h>

#include "docpipe/alloc.h"
#include "docpipe/hash.h"
#include "tag_rules.h"

typedef struct alias {
    const char *label;
    float conf;
    char *canon;       /* owned copy: mentions' canonicals change during linking */
    size_t canon_len;
    int weak; /* an ordinary word too ("Major"): matches only mid-sentence */
} alias_t;

typedef struct linker {
    const char *text;
    tag_toks_t *toks;
    const tag_gaz_t *gaz;
    tag_mentions_t *m;
    dp_map_t *map;
    alias_t *al;
    size_t nal, capal;
} linker_t;

static size_t fold_key(const char *s, size_t n, char *out, size_t cap)
{
    /* Possessive-free, case-free key; "the" before a name is not part of it. */
    return tag_gaz_fold(s, n, out, cap);
}

static const alias_t *find(linker_t *l, const char *s, size_t n)
{
    char key[256];
    size_t k = fold_key(s, n, key, sizeof key);
    if (!k)
        return NULL;
    void *v = dp_map_get(l->map, key, k);
    return v ? &l->al[(uintptr_t)v - 1] : NULL;
}

/* Records key -> (label, canonical). The surer record decides the label;
 * among records of that label the longest canonical (the fullest name)
 * wins. */
static dp_status put(linker_t *l, const char *s, size_t n, const char *label, float conf,
                     const char *canon, size_t canon_len, int weak)
{
    char key[256];
    size_t k = fold_key(s, n, key, sizeof key);
    if (!k)
        return DP_OK;
    void *v = dp_map_get(l->map, key, k);
    alias_t *a = v ? &l->al[(uintptr_t)v - 1] : NULL;
    if (a && label != a->label && conf <= a->conf)
        return DP_OK;
    if (a && label == a->label && canon_len <= a->canon_len) {
        if (conf > a->conf)
            a->conf = conf;
        return DP_OK;
    }
    char *copy = dp_strndup(canon, canon_len);
    if (!copy)
        return DP_ENOMEM;
    if (a) {
        if (label != a->label || conf > a->conf)
            a->conf = conf;
        a->label = label;
        dp_free(a->canon);
        a->canon = copy;
        a->canon_len = canon_len;
        a->weak = weak;
        return DP_OK;
    }
    if (l->nal == l->capal) {
        size_t cap = l->capal ? l->capal * 2 : 64;
        alias_t *na = dp_realloc(l->al, cap * sizeof *na);
        if (!na) {
            dp_free(copy);
            return DP_ENOMEM;
        }
        l->al = na;
        l->capal = cap;
    }
    l->al[l->nal] = (alias_t){label, conf, copy, canon_len, weak};
    l->nal++;
    return dp_map_put(l->map, key, k, (void *)(uintptr_t)l->nal);
}

static const char *canon_of(const linker_t *l, const tag_mention_t *x, size_t *len)
{
    if (x->canonical) {
        *len = strlen(x->canonical);
        return x->canonical;
    }
    *len = x->end - x->start;
    return l->text + x->start;
}

static dp_status set_canon(tag_mention_t *x, const char *c, size_t n, const char *text)
{
    if (x->end - x->start == n && memcmp(text + x->start, c, n) == 0)
        return DP_OK; /* its own text already */
    char *copy = dp_strndup(c, n);
    if (!copy)
        return DP_ENOMEM;
    dp_free(x->canonical);
    x->canonical = copy;
    return DP_OK;
}

/* Token i's gazetteer entry, kept on the token (the rules looked most
 * words up already). */
static const tag_gaz_entry_t *tok_gz(linker_t *l, size_t i)
{
    tag_tok_t *t = &l->toks->v[i];
    if (!(t->flags & TAG_TOK_LOOKED)) {
        t->gz = tag_gaz_lookup(l->gaz, l->text + t->start, t->end - t->start);
        t->flags |= TAG_TOK_LOOKED;
    }
    return t->gz;
}

static int is_char(const linker_t *l, size_t i, char c)
{
    const tag_tok_t *t = &l->toks->v[i];
    return t->end == t->start + 1 && l->text[t->start] == c;
}

dp_status tag_link(const char *text, size_t len, tag_toks_t *toks, const tag_gaz_t *gaz,
                   tag_mentions_t *m)
{
    (void)len;
    linker_t l = {text, toks, gaz, m, dp_map_new(), NULL, 0, 0};
    uint8_t *inside = NULL;
    dp_status rc = DP_OK;
    if (!l.map)
        return DP_ENOMEM;
    inside = dp_calloc(toks->n ? toks->n : 1, 1);
    if (!inside) {
        rc = DP_ENOMEM;
        goto fail;
    }

    /* 1. Acronyms defined in brackets after a name. */
    size_t n0 = m->n;
    for (size_t i = 0; i < n0; i++) {
        tag_mention_t *x = &m->v[i];
        size_t b = x->tok_b;
        if (x->tok_a == x->tok_b || b + 2 >= toks->n)
            continue;
        if (!is_char(&l, b, '(') || !is_char(&l, b + 2, ')'))
            continue;
        uint32_t f = toks->v[b + 1].flags;
        if (!(f & (TAG_TOK_ALLCAPS | TAG_TOK_CAP)) || (f & TAG_TOK_COVERED))
            continue;
        if (!x->label && x->tok_b - x->tok_a >= 2) {
            x->label = TAG_ORG;
            x->conf = 0.7f;
        }
        if (!x->label || x->label == TAG_PERSON)
            continue;
        size_t cl;
        const char *c = canon_of(&l, x, &cl);
        const tag_tok_t *at = &toks->v[b + 1];
        if ((rc = put(&l, text + at->start, at->end - at->start, x->label, 0.9f, c, cl, 0)))
            goto fail;
    }

    /* 2. Every sure mention, and a person's surname alone. */
    for (size_t i = 0; i < m->n; i++) {
        tag_mention_t *x = &m->v[i];
        if (!x->label || x->conf < 0.6f || x->tok_a == x->tok_b || x->fixed)
            continue;
        size_t cl;
        const char *c = canon_of(&l, x, &cl);
        if ((rc = put(&l, text + x->start, x->end - x->start, x->label, x->conf, c, cl, 0)))
            goto fail;
        /* A company named in full with its legal form ("Santa Fe Pacific
         * Gold Corp") is later named by its first words ("Santa Fe"),
         * which may also be a town's name. */
        if (x->label == TAG_ORG && x->tok_b - x->tok_a >= 3) {
            const tag_gaz_entry_t *le = tok_gz(&l, x->tok_b - 1);
            const tag_tok_t *ft = &toks->v[x->tok_a];
            const tag_gaz_entry_t *fe = tok_gz(&l, x->tok_a);
            uint32_t ff = fe ? fe->flags : 0;
            if (le && (le->flags & TAG_GZ_ORG_LEGAL) &&
                !(ff & (TAG_GZ_COMMON | TAG_GZ_COUNTRY | TAG_GZ_REGION | TAG_GZ_ORG_HEAD))) {
                for (size_t k = 1; k <= 2 && x->tok_a + k < x->tok_b - 1; k++) {
                    const tag_tok_t *kt = &toks->v[x->tok_a + k - 1];
                    if ((rc = put(&l, text + ft->start, kt->end - ft->start, TAG_ORG, 0.8f, c, cl,
                                  0)))
                        goto fail;
                }
            }
        }
        if (x->label == TAG_PERSON && x->tok_b - x->tok_a >= 2) {
            const tag_tok_t *last = &toks->v[x->tok_b - 1];
            const tag_gaz_entry_t *e = tok_gz(&l, x->tok_b - 1);
            uint32_t f = e ? e->flags : 0;
            /* A surname that is also a town ("Lara", "Clinton") is the
             * person in this document; one that is an ordinary word
             * ("Major", "Mills") only where it is capitalised mid-sentence. */
            if (!(f & (TAG_GZ_COUNTRY | TAG_GZ_REGION | TAG_GZ_NATIONALITY | TAG_GZ_TITLE |
                       TAG_GZ_STOP)) &&
                !(last->flags & TAG_TOK_INITIAL))
                if ((rc = put(&l, text + last->start, last->end - last->start, TAG_PERSON,
                              x->conf * 0.95f, c, cl, (f & TAG_GZ_COMMON) != 0)))
                    goto fail;
        }
    }

    /* 3. Relabel and name what was uncertain. */
    for (size_t i = 0; i < m->n; i++) {
        tag_mention_t *x = &m->v[i];
        if (x->tok_a == x->tok_b || x->fixed)
            continue;
        const alias_t *a = find(&l, text + x->start, x->end - x->start);
        if (!a || (a->weak && (toks->v[x->tok_a].flags & (TAG_TOK_SENT_START | TAG_TOK_HEADLINE))))
            continue;
        if (x->label != a->label && (!x->label || x->conf < a->conf)) {
            x->label = a->label;
            x->conf = a->conf < 0.75f ? a->conf : 0.75f;
        }
        if (x->label == a->label && (rc = set_canon(x, a->canon, a->canon_len, text)))
            goto fail;
    }

    /* 4. Capitalised words no rule took (headlines, sentence starts). */
    for (size_t i = 0; i < m->n; i++)
        for (size_t k = m->v[i].tok_a; k < m->v[i].tok_b; k++)
            inside[k] = 1;
    for (size_t k = 0; k < toks->n; k++) {
        uint32_t f = toks->v[k].flags;
        if (inside[k] || !(f & TAG_TOK_WORD) || !(f & (TAG_TOK_CAP | TAG_TOK_ALLCAPS)) ||
            (f & TAG_TOK_COVERED))
            continue;
        for (size_t span = 2; span >= 1; span--) {
            size_t e = k + span;
            if (e > toks->n)
                continue;
            int ok = 1;
            for (size_t q = k + 1; q < e; q++)
                if (inside[q] || !(toks->v[q].flags & TAG_TOK_WORD) ||
                    toks->v[q].line != toks->v[k].line)
                    ok = 0;
            if (!ok)
                continue;
            const alias_t *a =
                find(&l, text + toks->v[k].start, toks->v[e - 1].end - toks->v[k].start);
            if (!a || (a->weak && (f & (TAG_TOK_SENT_START | TAG_TOK_HEADLINE))))
                continue;
            /* a single ordinary word in a headline ("WIN") must not match */
            const tag_gaz_entry_t *ge = tok_gz(&l, k);
            if (span == 1 && ge && (ge->flags & TAG_GZ_COMMON) && (f & TAG_TOK_HEADLINE) &&
                a->label == TAG_PERSON)
                continue;
            char *c = NULL;
            size_t mlen = toks->v[e - 1].end - toks->v[k].start;
            if (a->canon_len != mlen || memcmp(a->canon, text + toks->v[k].start, mlen) != 0) {
                c = dp_strndup(a->canon, a->canon_len);
                if (!c) {
                    rc = DP_ENOMEM;
                    goto fail;
                }
            }
            if ((rc = tag_mentions_push(m, toks->v[k].start, toks->v[e - 1].end, a->label,
                                        0.7f, c, NULL, k, e)))
                goto fail;
            for (size_t q = k; q < e; q++)
                inside[q] = 1;
            k = e - 1;
            break;
        }
    }

    /* 5. What is still of unknown kind: the words around it decide, or it
     * goes. */
    size_t w = 0;
    for (size_t i = 0; i < m->n; i++) {
        tag_mention_t x = m->v[i];
        if (!x.label && x.tok_a != x.tok_b) {
            size_t b = x.tok_b, a = x.tok_a;
            const tag_gaz_entry_t *next = b < toks->n ? tok_gz(&l, b) : NULL;
            const tag_gaz_entry_t *prev = a > 0 ? tok_gz(&l, a - 1) : NULL;
            if (next && (next->flags & TAG_GZ_PERSON_VERB) && (toks->v[b].flags & TAG_TOK_LOWER)) {
                x.label = TAG_PERSON;
                x.conf = 0.55f;
            } else if (prev && (prev->flags & TAG_GZ_LOC_PREP) &&
                       (toks->v[a - 1].flags & TAG_TOK_LOWER)) {
                x.label = TAG_LOC;
                x.conf = 0.5f;
            }
        }
        if (!x.label) {
            dp_free(x.canonical);
            json_decref(x.value);
            continue;
        }
        m->v[w++] = x;
    }
    m->n = w;

fail:
    dp_free(inside);
    for (size_t i = 0; i < l.nal; i++)
        dp_free(l.al[i].canon);
    dp_free(l.al);
    dp_map_free(l.map);
    return rc;
}
