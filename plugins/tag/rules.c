/* The tag stage's name rules: walks the word tokens line by line, groups
 * capitalised words into runs (with name particles and "X of Y" chains
 * after organisation and place heads), and decides each run's kind from
 * the gazetteer and the run's shape and context. Why each rule exists is said
 * where it is applied. */
#include "tag_rules.h"

#include <string.h>

#include "docpipe/alloc.h"

const char TAG_PERSON[] = "PERSON";
const char TAG_ORG[] = "ORG";
const char TAG_LOC[] = "LOC";

typedef struct rules {
    const char *text;
    size_t len;
    tag_toks_t *toks;
    const tag_gaz_t *gaz;
    tag_mentions_t *out;
    size_t max_words;
    uint8_t *table_row; /* per line: a results-table row ("Leeds 2 Chelsea 1") */
    size_t nlines;
} rules_t;

dp_status tag_mentions_push(tag_mentions_t *m, size_t start, size_t end, const char *label,
                            float conf, char *canonical, json_t *value, size_t tok_a,
                            size_t tok_b)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        tag_mention_t *v = dp_realloc(m->v, cap * sizeof *v);
        if (!v) {
            dp_free(canonical);
            json_decref(value);
            return DP_ENOMEM;
        }
        m->v = v;
        m->cap = cap;
    }
    tag_mention_t *x = &m->v[m->n++];
    x->start = start;
    x->end = end;
    x->label = label;
    x->conf = conf;
    x->canonical = canonical;
    x->value = value;
    x->tok_a = tok_a;
    x->tok_b = tok_b;
    x->fixed = 0;
    return DP_OK;
}

void tag_mentions_free(tag_mentions_t *m)
{
    for (size_t i = 0; i < m->n; i++) {
        dp_free(m->v[i].canonical);
        json_decref(m->v[i].value);
    }
    dp_free(m->v);
    m->v = NULL;
    m->n = m->cap = 0;
}

/* ---- token helpers -------------------------------------------------------- */

static uint32_t tf(const rules_t *r, size_t i) { return r->toks->v[i].flags; }

static const tag_gaz_entry_t *gz(rules_t *r, size_t i)
{
    tag_tok_t *t = &r->toks->v[i];
    if (!(t->flags & TAG_TOK_LOOKED)) {
        t->gz = tag_gaz_lookup(r->gaz, r->text + t->start, t->end - t->start);
        t->flags |= TAG_TOK_LOOKED;
    }
    return t->gz;
}

static uint32_t gzf(rules_t *r, size_t i)
{
    const tag_gaz_entry_t *e = gz(r, i);
    return e ? e->flags : 0;
}

/* Looks up tokens [a, b) as one key joined by single spaces. */
static const tag_gaz_entry_t *gz_span(rules_t *r, size_t a, size_t b)
{
    if (b == a + 1)
        return gz(r, a);
    /* When a space follows the first token, the key's first word is that
     * token, and the gazetteer marks the first word of every longer key:
     * without the mark no key can match, and the (usually missing) long
     * key need not be built, hashed and looked for in the big table. */
    if ((r->toks->v[a + 1].flags & TAG_TOK_SPACE) && !(gzf(r, a) & TAG_GZ_PREFIX))
        return NULL;
    char key[256];
    size_t n = 0;
    for (size_t i = a; i < b; i++) {
        const tag_tok_t *t = &r->toks->v[i];
        size_t l = t->end - t->start;
        if (n + l + 2 > sizeof key)
            return NULL;
        if (i > a && (t->flags & TAG_TOK_SPACE))
            key[n++] = ' ';
        memcpy(key + n, r->text + t->start, l);
        n += l;
    }
    return tag_gaz_lookup(r->gaz, key, n);
}

static int capword(const rules_t *r, size_t i)
{
    uint32_t f = tf(r, i);
    return (f & TAG_TOK_WORD) && (f & (TAG_TOK_CAP | TAG_TOK_ALLCAPS | TAG_TOK_INITIAL)) &&
           !(f & TAG_TOK_COVERED);
}

/* Tokens i and i+1 are on one line with only spaces between them. */
static int joined(const rules_t *r, size_t i)
{
    return i + 1 < r->toks->n && !(tf(r, i + 1) & TAG_TOK_GAP) &&
           r->toks->v[i + 1].line == r->toks->v[i].line;
}

/* A capitalised word that is an ordinary English word ("The", "However"),
 * unless it is also a country or region. */
static int common(rules_t *r, size_t i)
{
    uint32_t f = gzf(r, i);
    return (f & (TAG_GZ_COMMON | TAG_GZ_STOP)) && !(f & (TAG_GZ_COUNTRY | TAG_GZ_REGION));
}

/* Length in tokens of a title starting at i (up to three words:
 * "Deputy Prime Minister"), or 0. */
static size_t title_at(rules_t *r, size_t i, size_t b)
{
    /* longer titles only where a longer key starts ("Prime Minister") */
    size_t maxk = (gzf(r, i) & TAG_GZ_PREFIX) ? 3 : 1;
    for (size_t k = maxk; k >= 1; k--) {
        if (i + k > b)
            continue;
        const tag_gaz_entry_t *e = gz_span(r, i, i + k);
        if (e && (e->flags & TAG_GZ_TITLE))
            return k;
    }
    return 0;
}

static dp_status emit(rules_t *r, size_t a, size_t b, const char *label, float conf,
                      const char *canon)
{
    char *c = NULL;
    if (canon) {
        c = dp_strdup(canon);
        if (!c)
            return DP_ENOMEM;
    }
    const tag_tok_t *t = r->toks->v;
    return tag_mentions_push(r->out, t[a].start, t[b - 1].end, label, conf, c, NULL, a, b);
}

/* emit() for a mention decided by where it stands (datelines, results
 * tables): a town in a table is a team there, not everywhere. */
static dp_status emit_fixed(rules_t *r, size_t a, size_t b, const char *label, float conf,
                            const char *canon)
{
    dp_status rc = emit(r, a, b, label, conf, canon);
    if (rc == DP_OK)
        r->out->v[r->out->n - 1].fixed = 1;
    return rc;
}

/* The longest place key that starts at a and ends at or before b; its
 * length in tokens, 0 when none. */
static size_t place_at(rules_t *r, size_t a, size_t b, const tag_gaz_entry_t **out)
{
    size_t maxk = b - a < r->max_words ? b - a : r->max_words;
    uint32_t f0 = gzf(r, a);
    for (size_t k = maxk; k >= 1; k--) {
        if (k > 1 && !(f0 & TAG_GZ_PREFIX))
            continue;
        const tag_gaz_entry_t *e = gz_span(r, a, a + k);
        if (e && (e->flags & TAG_GZ_PLACE)) {
            *out = e;
            return k;
        }
    }
    return 0;
}

/* The token after a run is a number on the same line ("Leeds 2"). */
static int before_number(const rules_t *r, size_t b)
{
    return b < r->toks->n && r->toks->v[b].line == r->toks->v[b - 1].line &&
           (tf(r, b) & TAG_TOK_NUM) && !(tf(r, b) & TAG_TOK_COVERED);
}

/* "Mazar-e-Sharif-Herat", "Hairaton-Mazar-e-Sharif": two places joined by a
 * hyphen in one token. When one side is a known place and the other a
 * capitalised name (not a nationality: "Franco-German"), both are places.
 * Returns 1 when it emitted them. */
static int hyphen_places(rules_t *r, size_t i, dp_status *rc)
{
    const tag_tok_t *t = &r->toks->v[i];
    const char *s = r->text + t->start;
    size_t n = t->end - t->start;
    for (size_t p = 1; p + 1 < n; p++) {
        if (s[p] != '-' || !(s[p + 1] >= 'A' && s[p + 1] <= 'Z'))
            continue;
        const tag_gaz_entry_t *l = tag_gaz_lookup(r->gaz, s, p);
        const tag_gaz_entry_t *rt = tag_gaz_lookup(r->gaz, s + p + 1, n - p - 1);
        uint32_t lf = l ? l->flags : 0, rf = rt ? rt->flags : 0;
        if (!((lf | rf) & TAG_GZ_PLACE) || ((lf | rf) & TAG_GZ_NATIONALITY))
            continue;
        if (((lf & TAG_GZ_COMMON) && !(lf & TAG_GZ_PLACE)) ||
            ((rf & TAG_GZ_COMMON) && !(rf & TAG_GZ_PLACE)))
            continue;
        char *lc = NULL, *rc2 = NULL;
        if ((lf & TAG_GZ_PLACE) && l->place_canon && !(lc = dp_strdup(l->place_canon)))
            goto oom;
        if ((rf & TAG_GZ_PLACE) && rt->place_canon && !(rc2 = dp_strdup(rt->place_canon))) {
            dp_free(lc);
            goto oom;
        }
        if ((*rc = tag_mentions_push(r->out, t->start, t->start + p, TAG_LOC, 0.7f, lc, NULL, i,
                                     i + 1))) {
            dp_free(rc2);
            return 1;
        }
        *rc = tag_mentions_push(r->out, t->start + p + 1, t->end, TAG_LOC, 0.7f, rc2, NULL, i,
                                i + 1);
        return 1;
    oom:
        *rc = DP_ENOMEM;
        return 1;
    }
    return 0;
}

/* Several words before a number in a table are a team when one of them is
 * a place or an organisation word ("Aston Villa" is not, and stays a
 * guess); otherwise they are more often a player ("Ijaz Ahmad 12"). */
static int team_words(rules_t *r, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++)
        if (gzf(r, i) & (TAG_GZ_PLACE | TAG_GZ_ORG_HEAD | TAG_GZ_ORG_LEGAL))
            return 1;
    return 0;
}

/* ---- classification ------------------------------------------------------- */

static dp_status classify(rules_t *r, size_t a, size_t b, int after_title, int depth);

/* A run right after a title ("President Emil Constantinescu"): a person,
 * unless it is a place or an organisation. */
static dp_status person_after_title(rules_t *r, size_t a, size_t b, int depth)
{
    if (a >= b)
        return DP_OK;
    return classify(r, a, b, 1, depth + 1);
}

static dp_status classify(rules_t *r, size_t a, size_t b, int after_title, int depth)
{
    if (depth > 8)
        return DP_OK;
    /* Leading words that are not part of the name: titles (remembered),
     * sentence-initial ordinary words, stop words. */
    while (a < b) {
        size_t k = title_at(r, a, b);
        if (k && !(gzf(r, a + k - 1) & TAG_GZ_ORG_HEAD) && a + k < b) {
            after_title = 1;
            a += k;
            continue;
        }
        if (k && a + k == b)
            return DP_OK; /* only a title ("the President") */
        uint32_t f = gzf(r, a);
        if (f & (TAG_GZ_STOP | TAG_GZ_ARTICLE)) {
            a++; /* "The Shanghai Cooperation Organisation": the article is not the name's */
            continue;
        }
        if ((tf(r, a) & TAG_TOK_SENT_START) && common(r, a)) {
            /* "The", "However": a sentence's first word, not a name; but a
             * given name with a surname after it stays ("Bill Gates"), and
             * so does the first word of a longer place ("New York"). */
            const tag_gaz_entry_t *pe;
            if ((f & TAG_GZ_PREFIX) && place_at(r, a, b, &pe) > 1)
                break;
            if ((f & TAG_GZ_GIVEN) && a + 1 < b && !common(r, a + 1))
                break;
            if ((f & (TAG_GZ_ORG_HEAD | TAG_GZ_LOC_HEAD)) && a + 1 < b)
                break;
            /* "Global Times invited...": the run is an organisation's name */
            if (a + 1 < b && (gzf(r, b - 1) & (TAG_GZ_ORG_HEAD | TAG_GZ_ORG_LEGAL)) &&
                capword(r, b - 1))
                break;
            a++;
            continue;
        }
        break;
    }
    if (a >= b)
        return DP_OK;
    size_t n = b - a;
    size_t line = r->toks->v[a].line;
    int row = line < r->nlines && r->table_row[line];

    /* The whole run is a known name. */
    if (n <= r->max_words) {
        const tag_gaz_entry_t *e = gz_span(r, a, b);
        uint32_t f = e ? e->flags : 0;
        /* "UN", "GT": a short word in capitals is an acronym, not the town
         * that happens to share its letters; only countries ("UK") count. */
        if (n == 1 && (tf(r, a) & TAG_TOK_ALLCAPS) && !(tf(r, a) & TAG_TOK_HEADLINE) &&
            r->toks->v[a].end - r->toks->v[a].start <= 4 &&
            !(f & (TAG_GZ_COUNTRY | TAG_GZ_REGION | TAG_GZ_LOC)))
            f &= ~(uint32_t)TAG_GZ_PLACE;
        if (f & TAG_GZ_PERSON)
            return emit(r, a, b, TAG_PERSON, 0.95f, e->other_canon);
        if (f & TAG_GZ_ORG)
            return emit(r, a, b, TAG_ORG, 0.95f, e->other_canon);
        if (f & TAG_GZ_PLACE) {
            /* A given name that is also a small place ("Jordan" the city) is
             * a person after a title. */
            if (after_title && (f & TAG_GZ_GIVEN) && !(f & (TAG_GZ_COUNTRY | TAG_GZ_REGION)))
                return emit(r, a, b, TAG_PERSON, 0.7f, NULL);
            /* In a results table a town stands for its team. */
            if (row && !(f & (TAG_GZ_COUNTRY | TAG_GZ_REGION)) && before_number(r, b))
                return emit_fixed(r, a, b, TAG_ORG, 0.8f, NULL);
            if (n == 1 && (f & TAG_GZ_COMMON) && !(f & (TAG_GZ_COUNTRY | TAG_GZ_REGION)) &&
                !(tf(r, a) & TAG_TOK_ALLCAPS) && (tf(r, a) & TAG_TOK_SENT_START))
                return DP_OK;
            float conf = (f & (TAG_GZ_COUNTRY | TAG_GZ_REGION)) ? 0.9f : 0.75f;
            if (n == 1 && (f & TAG_GZ_COMMON) && !(f & (TAG_GZ_COUNTRY | TAG_GZ_REGION)) &&
                e->population < 500000)
                conf = 0.45f; /* "Date", "Split": kept only when linking confirms it */
            return emit(r, a, b, TAG_LOC, conf, e->place_canon);
        }
        if (f & TAG_GZ_NATIONALITY)
            return DP_OK;
    }

    /* Organisation heads and legal forms at the end ("Kyrgyz National Bank",
     * "Acme Ltd"), and chains after a head ("Ministry of Foreign Affairs"). */
    int has_org_head = 0, has_loc_head = 0;
    size_t first_head = b;
    for (size_t i = a; i < b; i++) {
        uint32_t f = gzf(r, i);
        if ((f & (TAG_GZ_ORG_HEAD | TAG_GZ_ORG_LEGAL)) && capword(r, i)) {
            has_org_head = 1;
            if (first_head == b)
                first_head = i;
        }
        if ((f & TAG_GZ_LOC_HEAD) && capword(r, i))
            has_loc_head = 1;
    }
    uint32_t flast = gzf(r, b - 1);
    int chained = 0;
    for (size_t i = a; i < b; i++)
        if (!capword(r, i) && !(gzf(r, i) & TAG_GZ_PARTICLE))
            chained = 1;
    if (n >= 2 && ((flast & (TAG_GZ_ORG_HEAD | TAG_GZ_ORG_LEGAL)) || (chained && has_org_head)))
        return emit(r, a, b, TAG_ORG, 0.85f, NULL);
    if (n >= 2 && ((flast & TAG_GZ_LOC_HEAD) || (chained && has_loc_head)))
        return emit(r, a, b, TAG_LOC, 0.75f, NULL);
    if (chained) {
        /* a chain without a head: classify its parts alone */
        size_t i = a;
        while (i < b) {
            if (!capword(r, i)) {
                i++;
                continue;
            }
            size_t j = i;
            while (j < b && (capword(r, j) || (gzf(r, j) & TAG_GZ_PARTICLE)))
                j++;
            dp_status rc = classify(r, i, j, 0, depth + 1);
            if (rc)
                return rc;
            i = j;
        }
        return DP_OK;
    }

    /* A title inside the run splits it: "SCO Secretary-General Vladimir
     * Norov" is an organisation, a title and a person; a title at the end
     * ("the UN Secretary-General") leaves what stands before it. */
    for (size_t i = a + 1; i < b; i++) {
        size_t k = title_at(r, i, b);
        /* ... but "John Major": a title word right after a given name is a
         * surname. */
        if (k && i + k == b && !(gzf(r, b - 1) & (TAG_GZ_ORG_HEAD | TAG_GZ_LOC_HEAD)) &&
            !(k == 1 && (gzf(r, i - 1) & TAG_GZ_GIVEN) && !(gzf(r, i - 1) & TAG_GZ_TITLE)))
            return classify(r, a, i, 0, depth + 1);
        if (k && i + k < b && !(gzf(r, i + k - 1) & TAG_GZ_ORG_HEAD)) {
            dp_status rc = classify(r, a, i, after_title, depth + 1);
            if (rc)
                return rc;
            return person_after_title(r, i + k, b, depth);
        }
    }

    /* A place at the front followed by a person ("Uzbekistan Shavkat
     * Mirziyoyev" after "President of"). */
    if (n >= 3 || (n == 2 && after_title)) {
        const tag_gaz_entry_t *pe = NULL;
        size_t k = place_at(r, a, b, &pe);
        if (k && k < n && (pe->flags & (TAG_GZ_COUNTRY | TAG_GZ_REGION | TAG_GZ_SUBDIV))) {
            dp_status rc = emit(r, a, a + k, TAG_LOC, 0.8f, pe->place_canon);
            if (rc)
                return rc;
            return classify(r, a + k, b, 1, depth + 1);
        }
    }

    uint32_t f0 = gzf(r, a);
    if (after_title && n <= 4 && (!common(r, b - 1) || (n >= 2 && (f0 & TAG_GZ_GIVEN))))
        return emit(r, a, b, TAG_PERSON, 0.9f, NULL);
    /* "West Indies", "East Timor": a compass word before a name. */
    if (n == 2 && (f0 & TAG_GZ_LOC_PREFIX) && !common(r, a + 1) &&
        !(gzf(r, a + 1) & TAG_GZ_NATIONALITY))
        return emit(r, a, b, TAG_LOC, 0.7f, NULL);
    /* A given name that is also an ordinary word ("Will", "Rose") is
     * weaker evidence. */
    if (n >= 2 && n <= 4 && (f0 & TAG_GZ_GIVEN) && !(gzf(r, b - 1) & TAG_GZ_NATIONALITY))
        return emit(r, a, b, TAG_PERSON, (f0 & TAG_GZ_COMMON) ? 0.65f : 0.85f, NULL);
    if (n >= 2 && n <= 4 && (tf(r, a) & TAG_TOK_INITIAL) && !(tf(r, b - 1) & TAG_TOK_INITIAL))
        return emit(r, a, b, TAG_PERSON, 0.85f, NULL);

    if (row && before_number(r, b) && !(f0 & TAG_GZ_GIVEN) && !(tf(r, a) & TAG_TOK_INITIAL) &&
        (n == 1 || team_words(r, a, b)))
        return emit_fixed(r, a, b, TAG_ORG, 0.7f, NULL); /* a team in a results table */

    if (n == 1) {
        uint32_t t = tf(r, a);
        size_t tlen = r->toks->v[a].end - r->toks->v[a].start;
        /* An acronym; an ordinary word in capitals inside a normal line is
         * one too ("WHO", "CIS"), unless its neighbours shout as well. */
        int shouting = (a > 0 && (tf(r, a - 1) & TAG_TOK_ALLCAPS) && joined(r, a - 1)) ||
                       (b < r->toks->n && (tf(r, b) & TAG_TOK_ALLCAPS) && joined(r, b - 1));
        if ((t & TAG_TOK_ALLCAPS) && tlen <= 6 && !(t & TAG_TOK_HEADLINE) && !(f0 & TAG_GZ_STOP) &&
            (!(f0 & TAG_GZ_COMMON) || (tlen >= 3 && !shouting)))
            return emit(r, a, b, TAG_ORG, 0.6f, NULL);
        if (!(t & TAG_TOK_HEADLINE)) {
            dp_status rc = DP_OK;
            if (hyphen_places(r, a, &rc) || rc)
                return rc;
        }
        if ((t & TAG_TOK_INITIAL) && tlen >= 4 && !(t & TAG_TOK_HEADLINE) && !(f0 & TAG_GZ_STOP))
            return emit(r, a, b, TAG_ORG, 0.6f, NULL); /* a dotted acronym ("U.N.") */
        if (common(r, a) || (f0 & (TAG_GZ_TITLE | TAG_GZ_ORG_HEAD | TAG_GZ_LOC_HEAD)))
            return DP_OK;
        if (t & TAG_TOK_INITIAL)
            return DP_OK;
        /* Unknown: linking or the context decides later. */
        return emit(r, a, b, NULL, 0.4f, NULL);
    }

    /* Two to four capitalised words that are neither ordinary words nor
     * nationalities are most often a person's name in news text; in a
     * results table they are a team. */
    int commons = 0, nationality = 0, mixed = 0;
    for (size_t i = a; i < b; i++) {
        uint32_t f = gzf(r, i);
        if (common(r, i))
            commons++;
        if (f & TAG_GZ_NATIONALITY)
            nationality = 1;
        if ((tf(r, i) & TAG_TOK_ALLCAPS) || (f & (TAG_GZ_COUNTRY | TAG_GZ_REGION)))
            mixed = 1;
    }
    if (nationality)
        return DP_OK;
    /* "SCO RATS": acronyms side by side name one body. */
    int all_acronyms = n <= 3;
    for (size_t i = a; i < b && all_acronyms; i++)
        if (!(tf(r, i) & TAG_TOK_ALLCAPS) || (gzf(r, i) & (TAG_GZ_COUNTRY | TAG_GZ_REGION)) ||
            r->toks->v[i].end - r->toks->v[i].start > 6)
            all_acronyms = 0;
    if (all_acronyms && !(tf(r, a) & TAG_TOK_HEADLINE))
        return emit(r, a, b, TAG_ORG, 0.6f, NULL);
    if (mixed && !(tf(r, a) & TAG_TOK_HEADLINE)) {
        /* "Russia MGIMO" (a line break between them): a country or an
         * acronym does not belong to a person's name; take each alone. */
        for (size_t i = a; i < b; i++) {
            dp_status rc = classify(r, i, i + 1, 0, depth + 1);
            if (rc)
                return rc;
        }
        return DP_OK;
    }
    if (n <= 3 && commons == 0)
        return emit(r, a, b, row ? TAG_ORG : TAG_PERSON, 0.6f, NULL);
    if (n <= 4 && !common(r, b - 1) && commons < (int)n - 1)
        return emit(r, a, b, NULL, 0.4f, NULL);
    return DP_OK;
}

/* ---- runs ----------------------------------------------------------------- */

/* The end of the run of capitalised words that starts at a. */
static size_t run_end(rules_t *r, size_t a)
{
    size_t j = a + 1;
    while (j < r->toks->n && joined(r, j - 1)) {
        if (capword(r, j) && !(tf(r, j) & TAG_TOK_HEADLINE)) {
            j++;
            continue;
        }
        /* "Ludwig van Beethoven", "Nihad al Boushi" */
        /* the token tests first: they are cheaper than the lookup */
        if ((tf(r, j) & TAG_TOK_LOWER) && joined(r, j) && capword(r, j + 1) &&
            (gzf(r, j) & TAG_GZ_PARTICLE))
            j += 2;
        else
            break;
    }
    return j;
}

static int run_has_head(rules_t *r, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++)
        if (capword(r, i) && (gzf(r, i) & (TAG_GZ_ORG_HEAD | TAG_GZ_LOC_HEAD)))
            return 1;
    return 0;
}

/* Extends a run with "of/for ... [the] Name" after an organisation or place
 * head, and "and" inside such a chain when its left side is a single
 * ordinary word ("Ministry of Trade and Industry"). */
static size_t chain_end(rules_t *r, size_t a, size_t b)
{
    if (!run_has_head(r, a, b) && !(b < r->toks->n && (gzf(r, b) & TAG_GZ_ORG_LINK) &&
                                    (gzf(r, b - 1) & TAG_GZ_LOC_HEAD)))
        return b;
    for (;;) {
        size_t j = b;
        if (j >= r->toks->n || !joined(r, j - 1) || !(tf(r, j) & TAG_TOK_LOWER) ||
            !(gzf(r, j) & TAG_GZ_ORG_LINK))
            break;
        j++;
        if (j < r->toks->n && joined(r, j - 1) && (gzf(r, j) & TAG_GZ_ARTICLE) &&
            (tf(r, j) & TAG_TOK_LOWER))
            j++;
        if (j >= r->toks->n || !joined(r, j - 1) || !capword(r, j) ||
            (tf(r, j) & TAG_TOK_HEADLINE))
            break;
        size_t e = run_end(r, j);
        /* "... Center for International Relations Kristina Jurakulova": a
         * given name followed by another name ends the organisation. */
        for (size_t q = j + 1; q + 1 < e; q++) {
            uint32_t f = gzf(r, q);
            if ((f & TAG_GZ_GIVEN) && !(f & (TAG_GZ_COMMON | TAG_GZ_ORG_HEAD | TAG_GZ_PLACE)) &&
                !(gzf(r, q + 1) & (TAG_GZ_ORG_HEAD | TAG_GZ_COMMON))) {
                e = q;
                break;
            }
        }
        /* "... Trade and Industry", "... World Economy and Politics" */
        if (e < r->toks->n && joined(r, e - 1) && (gzf(r, e) & TAG_GZ_ORG_AND) && joined(r, e) &&
            capword(r, e + 1) && !(tf(r, e + 1) & TAG_TOK_HEADLINE)) {
            size_t e2 = run_end(r, e + 1);
            if ((e == j + 1 && common(r, j)) || (e2 == e + 2 && common(r, e + 1)))
                e = e2;
        }
        b = e;
        /* "Institute for Strategic Studies under the President of the
         * Republic of Tajikistan": the official name goes on. */
        if (b + 3 < r->toks->n && joined(r, b - 1) && (gzf(r, b) & TAG_GZ_ORG_UNDER) &&
            (tf(r, b) & TAG_TOK_LOWER) && joined(r, b) && (gzf(r, b + 1) & TAG_GZ_ARTICLE) &&
            joined(r, b + 1)) {
            size_t k = title_at(r, b + 2, r->toks->n);
            size_t q = b + 2 + k;
            if (k && q + 1 < r->toks->n && joined(r, q - 1) && (gzf(r, q) & TAG_GZ_ORG_LINK) &&
                (tf(r, q) & TAG_TOK_LOWER)) {
                size_t z = q + 1;
                if (z < r->toks->n && joined(r, z - 1) && (gzf(r, z) & TAG_GZ_ARTICLE) &&
                    (tf(r, z) & TAG_TOK_LOWER))
                    z++;
                if (z < r->toks->n && joined(r, z - 1) && capword(r, z)) {
                    /* go on with the chain after the new run (a loop, not
                     * a call: a hostile text may repeat this forever) */
                    b = run_end(r, z);
                    continue;
                }
            }
        }
    }
    return b;
}

/* Results-table rows: the line's first name is followed by a number and the
 * line holds at least two numbers. */
static void find_table_rows(rules_t *r)
{
    const tag_toks_t *t = r->toks;
    size_t i = 0;
    while (i < t->n) {
        size_t line = t->v[i].line;
        size_t j = i, nums = 0;
        int first_run_then_num = 0, seen_word = 0;
        while (j < t->n && t->v[j].line == line) {
            uint32_t f = t->v[j].flags;
            /* numbers inside dates, money or percentages are not table cells */
            if ((f & TAG_TOK_NUM) && !(f & TAG_TOK_COVERED))
                nums++;
            if (!seen_word && (f & TAG_TOK_WORD)) {
                seen_word = 1;
                size_t k = j;
                while (k < t->n && t->v[k].line == line && capword(r, k))
                    k++;
                if (k > j && k < t->n && t->v[k].line == line && (t->v[k].flags & TAG_TOK_NUM) &&
                    !(t->v[k].flags & TAG_TOK_COVERED))
                    first_run_then_num = 1;
            }
            j++;
        }
        if (line < r->nlines && first_run_then_num && nums >= 2)
            r->table_row[line] = 1;
        i = j;
    }
}

/* Headlines and datelines (lines without small letters): only places found
 * in the gazetteer, and the dateline's place ("BUCHAREST 1996-12-06",
 * "AL-AIN, United Arab Emirates"); other names there come from linking. */
static dp_status headline_line(rules_t *r, size_t a, size_t b)
{
    size_t i = a;
    size_t line = a < b ? r->toks->v[a].line : 0;
    int row = a < b && line < r->nlines && r->table_row[line];
    while (i < b) {
        if (!capword(r, i)) {
            i++;
            continue;
        }
        if (row) {
            /* "HARTFORD 12 7 6 77 76 30": the name before the numbers is a
             * team, unless it is a country. */
            size_t j = i;
            while (j < b && capword(r, j) && joined(r, j))
                j++;
            if (j < b && capword(r, j))
                j++;
            if (before_number(r, j)) {
                const tag_gaz_entry_t *e = gz_span(r, i, j);
                uint32_t f = e ? e->flags : 0;
                dp_status rc = (f & (TAG_GZ_COUNTRY | TAG_GZ_REGION))
                                   ? emit_fixed(r, i, j, TAG_LOC, 0.8f, e->place_canon)
                                   : emit_fixed(r, i, j, TAG_ORG, 0.8f, NULL);
                if (rc)
                    return rc;
                i = j;
                continue;
            }
        }
        const tag_gaz_entry_t *e = NULL;
        size_t k = place_at(r, i, b, &e);
        if (k) {
            uint32_t f = e->flags;
            int weak = k == 1 && (f & (TAG_GZ_COMMON | TAG_GZ_GIVEN | TAG_GZ_TITLE |
                                       TAG_GZ_ORG_HEAD | TAG_GZ_STOP)) &&
                       !(f & (TAG_GZ_COUNTRY | TAG_GZ_REGION));
            if (!weak) {
                dp_status rc = emit(r, i, i + k, TAG_LOC, 0.7f, e->place_canon);
                if (rc)
                    return rc;
            }
            i += k;
            continue;
        }
        i++;
    }
    return DP_OK;
}

/* A dateline: the line starts with a name in capitals followed by a comma or
 * a date, and the line holds a date. */
static dp_status dateline(rules_t *r, size_t a, size_t b)
{
    if (!(tf(r, a) & TAG_TOK_ALLCAPS) || (tf(r, a) & TAG_TOK_COVERED))
        return DP_OK;
    size_t j = a;
    while (j < b && (tf(r, j) & TAG_TOK_ALLCAPS) && !(tf(r, j) & TAG_TOK_COVERED) && j - a < 4)
        j++;
    if (j >= b)
        return DP_OK;
    int date = 0;
    for (size_t k = j; k < b; k++)
        if ((tf(r, k) & TAG_TOK_COVERED) && (tf(r, k) & TAG_TOK_NUM))
            date = 1;
    char c = r->text[r->toks->v[j].start];
    if (!date || !(c == ',' || (tf(r, j) & TAG_TOK_COVERED)))
        return DP_OK;
    const tag_gaz_entry_t *e = gz_span(r, a, j);
    for (size_t k = a; k < j; k++)
        if (gzf(r, k) & TAG_GZ_COMMON && !(gzf(r, k) & TAG_GZ_PLACE) && j - a > 1)
            return DP_OK;
    return emit_fixed(r, a, j, TAG_LOC, 0.9f,
                      e && (e->flags & TAG_GZ_PLACE) ? e->place_canon : NULL);
}

dp_status tag_rules_find(const char *text, size_t len, tag_toks_t *toks, const tag_gaz_t *gaz,
                         tag_mentions_t *out)
{
    rules_t r = {text, len, toks, gaz, out, tag_gaz_max_words(gaz), NULL, 0};
    if (toks->n == 0)
        return DP_OK;
    r.nlines = toks->v[toks->n - 1].line + 1;
    r.table_row = dp_calloc(r.nlines, 1);
    if (!r.table_row)
        return DP_ENOMEM;
    find_table_rows(&r);
    dp_status rc = DP_OK;
    size_t i = 0;
    while (i < toks->n && rc == DP_OK) {
        /* one line at a time */
        size_t line_end = i;
        while (line_end < toks->n && toks->v[line_end].line == toks->v[i].line)
            line_end++;
        size_t before = out->n;
        rc = dateline(&r, i, line_end);
        if (rc)
            break;
        size_t k = i;
        if (out->n > before)
            k = out->v[out->n - 1].tok_b; /* after the dateline's place */
        if (tf(&r, i) & TAG_TOK_HEADLINE) {
            rc = headline_line(&r, k, line_end);
            i = line_end;
            continue;
        }
        while (k < line_end && rc == DP_OK) {
            if (!capword(&r, k)) {
                k++;
                continue;
            }
            size_t e = run_end(&r, k);
            if (e > line_end)
                e = line_end;
            /* "Information and Analytical Center ...", "Research and
             * Development Bank": an ordinary word joined by "and" to a run
             * that holds an organisation head. */
            if ((e == k + 1 || (e == k + 2 && (gzf(&r, k) & TAG_GZ_ARTICLE))) &&
                common(&r, e - 1) && e + 1 < line_end && joined(&r, e - 1) &&
                (gzf(&r, e) & TAG_GZ_ORG_AND) && (tf(&r, e) & TAG_TOK_LOWER) && joined(&r, e) &&
                capword(&r, e + 1)) {
                size_t e2 = run_end(&r, e + 1);
                if (run_has_head(&r, e + 1, e2))
                    e = e2;
            }
            e = chain_end(&r, k, e);
            rc = classify(&r, k, e, 0, 0);
            k = e;
        }
        i = line_end;
    }
    dp_free(r.table_row);
    return rc;
}
