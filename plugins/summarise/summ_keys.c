/* Keyphrase extraction for the summarise stage, in the SingleRank /
 * PositionRank family: nouns and adjectives (by the WordNet-built lexicon
 * and the context rules of summ_doc.c) are the nodes of a word graph whose
 * edges count co-occurrences within a window; PageRank, biased towards words
 * that appear early and often (PositionRank), scores the words; candidate
 * phrases are noun phrases (adjectives then nouns, no stop word or
 * punctuation inside), scored by the sum of their words' scores, optionally
 * weighted by background idf, and de-duplicated by their stems.
 *
 * Cost is bounded by max_tokens: only the first max_tokens tokens build the
 * graph and the candidates, so edges are at most max_tokens * window.
 * Determinism: words and phrases get local ids in order of first appearance
 * and ties go to the earlier phrase. */
#include "summ.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct edge {
    uint32_t a, b;
} edge_t;

typedef struct cand {
    size_t first_tok;     /* its first occurrence: token index */
    size_t n_words;
    size_t stems_off;     /* into keyer->cstems */
    uint64_t hash;
    double score;
    double count; /* occurrences */
    bool taken;   /* picked, or ruled out */
} cand_t;

struct summ_keyer {
    uint32_t *local; /* stem id -> node + 1 */
    size_t cap_local;
    uint32_t *touched;
    size_t n_nodes, cap_touched;
    double *pers, *pr, *pr2, *outw, *share;
    size_t cap_nodes;
    edge_t *edges;
    size_t n_edges, cap_edges;
    size_t *row;       /* CSR offsets, n_nodes + 1 */
    size_t cap_row;
    uint32_t *col;
    double *val;
    size_t cap_col;
    uint32_t *node_of_tok; /* token -> node + 1 (0: not a node) */
    size_t cap_tok;
    cand_t *cands;
    size_t n_cands, cap_cands;
    uint32_t *cstems;
    size_t n_cstems, cap_cstems;
    uint32_t *slots; /* candidate hash table: cand index + 1 */
    size_t n_slots;
    size_t *order;
    size_t cap_order;
};

summ_keyer_t *summ_keyer_new(void)
{
    return dp_calloc(1, sizeof(summ_keyer_t));
}

void summ_keyer_free(summ_keyer_t *k)
{
    if (k == NULL) {
        return;
    }
    dp_free(k->local);
    dp_free(k->touched);
    dp_free(k->pers);
    dp_free(k->pr);
    dp_free(k->pr2);
    dp_free(k->outw);
    dp_free(k->share);
    dp_free(k->edges);
    dp_free(k->row);
    dp_free(k->col);
    dp_free(k->val);
    dp_free(k->node_of_tok);
    dp_free(k->cands);
    dp_free(k->cstems);
    dp_free(k->slots);
    dp_free(k->order);
    dp_free(k);
}

static bool is_node_pos(uint8_t pos)
{
    return pos == SUMM_POS_NOUN || pos == SUMM_POS_ADJ || pos == SUMM_POS_TIME;
}

/* Builds the node set, position weights and co-occurrence edges. */
static dp_status build_graph(summ_keyer_t *k, const summ_docview_t *view, size_t n_tok,
                             const summ_key_opts_t *opts)
{
    size_t wordpos = 0;
    if (summ_grow((void **)&k->node_of_tok, &k->cap_tok, n_tok + 1, sizeof(uint32_t)) != DP_OK) {
        return DP_ENOMEM;
    }
    k->n_nodes = 0;
    k->n_edges = 0;
    for (size_t t = 0; t < n_tok; t++) {
        const summ_token_t *tok = &view->toks[t];
        k->node_of_tok[t] = 0;
        if (tok->pos == SUMM_POS_PUNCT) {
            continue;
        }
        wordpos++;
        if (!is_node_pos(tok->pos)) {
            continue;
        }
        uint32_t node;
        if (k->local[tok->stem] == 0) {
            if (summ_grow((void **)&k->touched, &k->cap_touched, k->n_nodes + 1, sizeof(uint32_t)) !=
                    DP_OK ||
                summ_grow((void **)&k->pers, &k->cap_nodes, k->n_nodes + 1, sizeof(double)) != DP_OK) {
                return DP_ENOMEM;
            }
            k->touched[k->n_nodes] = tok->stem;
            k->pers[k->n_nodes] = 0.0;
            k->local[tok->stem] = (uint32_t)++k->n_nodes;
        }
        node = k->local[tok->stem] - 1;
        k->node_of_tok[t] = node + 1;
        /* PositionRank: each occurrence adds the inverse of its position. */
        k->pers[node] += 1.0 / (double)wordpos;
    }
    /* Edges between nodes whose words are less than window words apart
     * (punctuation does not count as a word, sentence ends do not cut). */
    for (size_t t = 0; t < n_tok; t++) {
        if (k->node_of_tok[t] == 0) {
            continue;
        }
        size_t seen = 1;
        for (size_t u = t + 1; u < n_tok && seen < opts->window; u++) {
            if (view->toks[u].pos == SUMM_POS_PUNCT) {
                continue;
            }
            seen++;
            if (k->node_of_tok[u] == 0 || k->node_of_tok[u] == k->node_of_tok[t]) {
                continue;
            }
            if (summ_grow((void **)&k->edges, &k->cap_edges, k->n_edges + 1, sizeof(edge_t)) != DP_OK) {
                return DP_ENOMEM;
            }
            uint32_t a = k->node_of_tok[t] - 1, b = k->node_of_tok[u] - 1;
            k->edges[k->n_edges].a = a < b ? a : b;
            k->edges[k->n_edges].b = a < b ? b : a;
            k->n_edges++;
        }
    }
    return DP_OK;
}

/* Turns the edge list into a symmetric weighted CSR matrix and runs
 * PageRank with the personalisation vector. */
static dp_status rank_words(summ_keyer_t *k, const summ_key_opts_t *opts)
{
    size_t n = k->n_nodes, m = 0;
    if (summ_grow((void **)&k->row, &k->cap_row, n + 1, sizeof(size_t)) != DP_OK ||
        summ_grow((void **)&k->col, &k->cap_col, 2 * k->n_edges + 1, sizeof(uint32_t)) != DP_OK) {
        return DP_ENOMEM;
    }
    double *val = dp_realloc(k->val, k->cap_col * sizeof(double));
    if (val == NULL) {
        return DP_ENOMEM;
    }
    k->val = val;
    {
        size_t cap = k->cap_nodes;
        double *pr = dp_realloc(k->pr, cap * sizeof(double));
        if (pr == NULL) {
            return DP_ENOMEM;
        }
        k->pr = pr;
        double *pr2 = dp_realloc(k->pr2, cap * sizeof(double));
        if (pr2 == NULL) {
            return DP_ENOMEM;
        }
        k->pr2 = pr2;
        double *outw = dp_realloc(k->outw, cap * sizeof(double));
        if (outw == NULL) {
            return DP_ENOMEM;
        }
        k->outw = outw;
        double *share = dp_realloc(k->share, cap * sizeof(double));
        if (share == NULL) {
            return DP_ENOMEM;
        }
        k->share = share;
    }
    /* Merge repeated edges into weights, in O(edges + nodes): a counting
     * sort by the first node (stable, so the order stays the document's),
     * then a marker per second node. The unique edges end up at the front
     * of edges[], their weights in val[]. */
    {
        size_t ne = k->n_edges;
        size_t *start = dp_calloc(n + 1, sizeof(size_t));
        uint32_t *bs = dp_malloc((ne + 1) * sizeof(uint32_t));
        size_t *mark = dp_calloc(n + 1, sizeof(size_t));
        size_t *pos = dp_malloc((n + 1) * sizeof(size_t));
        if (start == NULL || bs == NULL || mark == NULL || pos == NULL) {
            dp_free(start);
            dp_free(bs);
            dp_free(mark);
            dp_free(pos);
            return DP_ENOMEM;
        }
        for (size_t i = 0; i < ne; i++) {
            start[k->edges[i].a + 1]++;
        }
        for (size_t i = 0; i < n; i++) {
            start[i + 1] += start[i];
        }
        for (size_t i = 0; i < ne; i++) {
            bs[start[k->edges[i].a]++] = k->edges[i].b;
        }
        /* start[a] is now the end of a's run; runs are consecutive. */
        size_t run = 0;
        for (size_t a = 0; a < n; a++) {
            for (; run < start[a]; run++) {
                uint32_t b = bs[run];
                if (mark[b] != a + 1) {
                    mark[b] = a + 1;
                    pos[b] = m;
                    k->edges[m].a = (uint32_t)a;
                    k->edges[m].b = b;
                    k->val[m] = 1.0;
                    m++;
                } else {
                    k->val[pos[b]] += 1.0;
                }
            }
        }
        dp_free(start);
        dp_free(bs);
        dp_free(mark);
        dp_free(pos);
    }
    /* Degree count, then fill both directions. The weights sit in
     * val[0..m) and move to the tail first so the fill can overwrite. */
    for (size_t i = 0; i <= n; i++) {
        k->row[i] = 0;
    }
    for (size_t i = 0; i < m; i++) {
        k->row[k->edges[i].a + 1]++;
        k->row[k->edges[i].b + 1]++;
    }
    for (size_t i = 0; i < n; i++) {
        k->row[i + 1] += k->row[i];
    }
    double *w = dp_malloc((m + 1) * sizeof(double));
    size_t *fill = dp_malloc((n + 1) * sizeof(size_t));
    if (w == NULL || fill == NULL) {
        dp_free(w);
        dp_free(fill);
        return DP_ENOMEM;
    }
    if (m > 0) {
        memcpy(w, k->val, m * sizeof(double));
    }
    memcpy(fill, k->row, (n + 1) * sizeof(size_t));
    for (size_t i = 0; i < m; i++) {
        uint32_t a = k->edges[i].a, b = k->edges[i].b;
        k->col[fill[a]] = b;
        k->val[fill[a]++] = w[i];
        k->col[fill[b]] = a;
        k->val[fill[b]++] = w[i];
    }
    dp_free(w);
    dp_free(fill);
    /* Personalisation: a mix of uniform and position weights. */
    double psum = 0.0;
    for (size_t i = 0; i < n; i++) {
        psum += k->pers[i];
    }
    for (size_t i = 0; i < n; i++) {
        double pos = psum > 0.0 ? k->pers[i] / psum : 1.0 / (double)n;
        k->pers[i] = (1.0 - opts->position_weight) / (double)n + opts->position_weight * pos;
        k->pr[i] = k->pers[i];
        double o = 0.0;
        for (size_t e = k->row[i]; e < k->row[i + 1]; e++) {
            o += k->val[e];
        }
        k->outw[i] = o;
    }
    for (int it = 0; it < 100; it++) {
        double dangling = 0.0, diff = 0.0;
        /* share[j] = pr[j] / outw[j], what node j sends along each unit
         * of edge weight (pr2 holds it until it is overwritten below). */
        double *share = k->share;
        for (size_t i = 0; i < n; i++) {
            if (k->outw[i] == 0.0) {
                dangling += k->pr[i];
                share[i] = 0.0;
            } else {
                share[i] = k->pr[i] / k->outw[i];
            }
        }
        for (size_t i = 0; i < n; i++) {
            double in = 0.0;
            for (size_t e = k->row[i]; e < k->row[i + 1]; e++) {
                in += k->val[e] * share[k->col[e]];
            }
            k->pr2[i] = (1.0 - opts->damping) * k->pers[i] +
                        opts->damping * (in + dangling * k->pers[i]);
            diff += fabs(k->pr2[i] - k->pr[i]);
        }
        double *tmp = k->pr;
        k->pr = k->pr2;
        k->pr2 = tmp;
        /* The scores sum to 1 and the error shrinks by the damping factor
         * each step; 1e-6 in L1 (about 80 steps at 0.85) leaves phrase
         * ranks where an exact solution puts them (scores are written with
         * 4 decimals). */
        if (diff < 1e-6) {
            break;
        }
    }
    return DP_OK;
}

static uint64_t hash_stems(const uint32_t *s, size_t n)
{
    return dp_hash64(s, n * sizeof(*s));
}

/* Adds the phrase of tokens [t0, t1) (all nodes, at most 16) unless a
 * phrase with the same stems is already there. */
static dp_status add_candidate(summ_keyer_t *k, size_t t0, size_t t1)
{
    size_t n = t1 - t0;
    uint32_t tmp[16];
    for (size_t i = 0; i < n; i++) {
        tmp[i] = k->node_of_tok[t0 + i] - 1;
    }
    uint64_t h = hash_stems(tmp, n);
    if ((k->n_cands + 1) * 2 > k->n_slots) {
        size_t ns = k->n_slots ? k->n_slots * 2 : 256;
        uint32_t *slots = dp_calloc(ns, sizeof(uint32_t));
        if (slots == NULL) {
            return DP_ENOMEM;
        }
        for (size_t c = 0; c < k->n_cands; c++) {
            size_t s = (size_t)k->cands[c].hash & (ns - 1);
            while (slots[s] != 0) {
                s = (s + 1) & (ns - 1);
            }
            slots[s] = (uint32_t)c + 1;
        }
        dp_free(k->slots);
        k->slots = slots;
        k->n_slots = ns;
    }
    size_t s = (size_t)h & (k->n_slots - 1);
    while (k->slots[s] != 0) {
        cand_t *c = &k->cands[k->slots[s] - 1];
        if (c->hash == h && c->n_words == n &&
            memcmp(k->cstems + c->stems_off, tmp, n * sizeof(uint32_t)) == 0) {
            c->count += 1.0; /* seen: the first occurrence stays the surface form */
            return DP_OK;
        }
        s = (s + 1) & (k->n_slots - 1);
    }
    if (summ_grow((void **)&k->cands, &k->cap_cands, k->n_cands + 1, sizeof(cand_t)) != DP_OK ||
        summ_grow((void **)&k->cstems, &k->cap_cstems, k->n_cstems + n, sizeof(uint32_t)) != DP_OK) {
        return DP_ENOMEM;
    }
    cand_t *c = &k->cands[k->n_cands];
    c->first_tok = t0;
    c->n_words = n;
    c->stems_off = k->n_cstems;
    c->hash = h;
    c->score = 0.0;
    c->count = 1.0;
    memcpy(k->cstems + k->n_cstems, tmp, n * sizeof(uint32_t));
    k->n_cstems += n;
    k->slots[s] = (uint32_t)++k->n_cands;
    return DP_OK;
}

/* Noun phrases: inside a run of node tokens of one sentence, adjectives
 * followed by at least one noun ({ADJ}*{NOUN}+); runs break at stop words,
 * punctuation, numbers, verbs and adverbs. Longer phrases than max_words
 * are left out: they are names or lists rather than keyphrases. */
static dp_status collect_candidates(summ_keyer_t *k, const summ_docview_t *view, size_t n_tok,
                                    const summ_key_opts_t *opts)
{
    size_t t = 0;
    size_t max_words = opts->max_words < 16 ? opts->max_words : 16;
    k->n_cands = 0;
    k->n_cstems = 0;
    if (k->slots != NULL) {
        memset(k->slots, 0, k->n_slots * sizeof(uint32_t));
    }
    while (t < n_tok) {
        if (k->node_of_tok[t] == 0) {
            t++;
            continue;
        }
        size_t start = t;
        uint32_t sent = view->toks[t].sent;
        while (t < n_tok && view->toks[t].pos == SUMM_POS_ADJ && view->toks[t].sent == sent) {
            t++;
        }
        size_t nouns = t;
        while (t < n_tok && view->toks[t].pos == SUMM_POS_NOUN && view->toks[t].sent == sent) {
            t++;
        }
        /* A lower-case time noun may head a phrase after a noun ("tornado
         * season", "fiscal year" no: the modifier must be a noun). */
        if (t > nouns && t < n_tok && view->toks[t].pos == SUMM_POS_TIME && !view->toks[t].cap &&
            view->toks[t].sent == sent && k->node_of_tok[t] != 0) {
            t++;
        }
        if (t > nouns) {
            /* The chunk when it has at most max_words words (a longer one
             * is a name or a list: its tail scored worse on DUC); with
             * subphrases also its last max_words words and every shorter
             * tail ("2,000-acre forest fire" also gives "forest fire" and
             * "fire"), each a candidate of its own. */
            size_t first = t - start <= max_words ? start : t - max_words;
            if (t - start <= max_words || opts->subphrases) {
                if (add_candidate(k, first, t) != DP_OK) {
                    return DP_ENOMEM;
                }
            }
            for (size_t s = first + 1; opts->subphrases && s < t; s++) {
                if (view->toks[s].pos == SUMM_POS_TIME) {
                    break; /* a time noun alone is no keyphrase */
                }
                if (add_candidate(k, s, t) != DP_OK) {
                    return DP_ENOMEM;
                }
            }
        }
        if (t == start) {
            t++;
        }
    }
    return DP_OK;
}

typedef struct sort_ctx {
    const cand_t *cands;
} sort_ctx_t;

/* True when cd contains, as a contiguous part, a phrase of two or more
 * words already picked: "Shining Path leaders" after "Shining Path" adds a
 * word, not a new keyphrase. */
static bool extends_picked(const summ_keyer_t *k, const cand_t *cd, const size_t *picked,
                           size_t n_picked)
{
    const uint32_t *a = k->cstems + cd->stems_off;
    for (size_t p = 0; p < n_picked; p++) {
        const cand_t *pc = &k->cands[picked[p]];
        const uint32_t *b = k->cstems + pc->stems_off;
        if (pc->n_words < 2 || pc->n_words >= cd->n_words) {
            continue;
        }
        for (size_t off = 0; off + pc->n_words <= cd->n_words; off++) {
            if (memcmp(a + off, b, pc->n_words * sizeof(uint32_t)) == 0) {
                return true;
            }
        }
    }
    return false;
}

/* Best score first; among equal scores the earlier phrase. */
static int cmp_order(const void *x, const void *y, void *vctx)
{
    const sort_ctx_t *ctx = vctx;
    const cand_t *a = &ctx->cands[*(const size_t *)x], *b = &ctx->cands[*(const size_t *)y];
    if (a->score != b->score) {
        return a->score < b->score ? 1 : -1;
    }
    return (a->first_tok > b->first_tok) - (a->first_tok < b->first_tok);
}

dp_status summ_keyphrases(summ_keyer_t *k, const summ_docview_t *view, const summ_vocab_t *vocab,
                          const summ_data_t *data, const summ_key_opts_t *opts,
                          summ_keyphrase_t *out, size_t *n_out)
{
    size_t n_tok = view->n_toks < opts->max_tokens ? view->n_toks : opts->max_tokens;
    dp_status rc = DP_ENOMEM;
    *n_out = 0;
    if (opts->count == 0 || n_tok == 0) {
        return DP_OK;
    }
    size_t nstem = summ_vocab_stem_count(vocab), old = k->cap_local;
    if (nstem > old) {
        if (summ_grow((void **)&k->local, &k->cap_local, nstem, sizeof(uint32_t)) != DP_OK) {
            return DP_ENOMEM;
        }
        memset(k->local + old, 0, (k->cap_local - old) * sizeof(uint32_t));
    }
    if (build_graph(k, view, n_tok, opts) != DP_OK || k->n_nodes == 0) {
        rc = k->n_nodes == 0 ? DP_OK : DP_ENOMEM;
        goto done;
    }
    if (rank_words(k, opts) != DP_OK || collect_candidates(k, view, n_tok, opts) != DP_OK) {
        goto done;
    }
    /* Word weights: PageRank score times background idf^idf_weight. */
    if (opts->idf_weight > 0.0 && data != NULL && data->df != NULL) {
        for (size_t i = 0; i < k->n_nodes; i++) {
            size_t len;
            const char *s = summ_vocab_stem_text(vocab, k->touched[i], &len);
            uintptr_t v = (uintptr_t)dp_map_get(data->df, s, len);
            double df = v ? (double)(v - 1) : 0.0;
            k->pr[i] *= pow(log((data->df_docs + 1.0) / (df + 1.0)), opts->idf_weight);
        }
    }
    if (summ_grow((void **)&k->order, &k->cap_order, 2 * k->n_cands + 1, sizeof(size_t)) != DP_OK) {
        goto done;
    }
    for (size_t c = 0; c < k->n_cands; c++) {
        cand_t *cd = &k->cands[c];
        double sc = 0.0;
        for (size_t i = 0; i < cd->n_words; i++) {
            sc += k->pr[k->cstems[cd->stems_off + i]];
        }
        if (opts->frequency_weight > 0.0) {
            sc *= pow(cd->count, opts->frequency_weight);
        }
        if (opts->length_norm > 0.0) {
            sc /= pow((double)cd->n_words, opts->length_norm);
        }
        cd->score = sc;
        k->order[c] = c;
    }
    sort_ctx_t ctx = {k->cands};
    if (k->n_cands > 0) {
        qsort_r(k->order, k->n_cands, sizeof(size_t), cmp_order, &ctx);
    }
    double top = k->n_cands > 0 ? k->cands[k->order[0]].score : 0.0;
    /* Greedy selection in score order: a phrase that only extends a picked
     * one is skipped, and with redundancy > 0 a phrase loses that share of
     * its score for each of its words already used by a picked phrase
     * ("SCO countries" after "SCO" and "SCO Forum"), so the list covers
     * more of the document. Scores stay non-increasing down the list. */
    size_t *picked = k->order + k->n_cands; /* room reserved above */
    size_t n_picked = 0;
    double *used = k->pr2; /* free after PageRank: words used so far */
    for (size_t i = 0; i < k->n_nodes; i++) {
        used[i] = 0.0;
    }
    for (size_t c = 0; c < k->n_cands; c++) {
        k->cands[c].taken = false;
    }
    while (*n_out < opts->count) {
        size_t best = SIZE_MAX;
        double best_v = -1.0;
        for (size_t i = 0; i < k->n_cands; i++) {
            cand_t *cd = &k->cands[k->order[i]];
            if (cd->score <= best_v) {
                break; /* sorted: no later phrase can do better */
            }
            if (cd->taken) {
                continue;
            }
            if (opts->skip_extensions && extends_picked(k, cd, picked, n_picked)) {
                cd->taken = true;
                continue;
            }
            double seen = 0.0;
            for (size_t w = 0; w < cd->n_words; w++) {
                seen += used[k->cstems[cd->stems_off + w]] > 0.0;
            }
            double v = cd->score * (1.0 - opts->redundancy * seen / (double)cd->n_words);
            if (v > best_v) {
                best_v = v;
                best = k->order[i];
            }
        }
        if (best == SIZE_MAX) {
            break;
        }
        cand_t *cd = &k->cands[best];
        cd->taken = true;
        picked[n_picked++] = best;
        for (size_t w = 0; w < cd->n_words; w++) {
            used[k->cstems[cd->stems_off + w]] += 1.0;
        }
        summ_keyphrase_t *kp = &out[(*n_out)++];
        kp->start = view->toks[cd->first_tok].start;
        kp->end = view->toks[cd->first_tok + cd->n_words - 1].end;
        kp->score = top > 0.0 ? (best_v > 0.0 ? best_v : 0.0) / top : 0.0;
    }
    rc = DP_OK;
done:
    for (size_t i = 0; i < k->n_nodes; i++) {
        k->local[k->touched[i]] = 0;
    }
    k->n_nodes = 0;
    return rc;
}
