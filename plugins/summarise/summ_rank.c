/* Sentence selection for the summarise stage: a LexRank-style graph over the
 * eligible sentences (cosine similarity of term-frequency vectors whose terms
 * are lower-cased content words and their Snowball stems), PageRank by power
 * iteration, a term-frequency score and a position prior added with their
 * own weights, then MMR-style greedy selection that penalises similarity to
 * the sentences already chosen.
 *
 * Cost is bounded: only the first max_graph eligible sentences enter the
 * graph (a 100,000-sentence document costs the same as a max_graph one:
 * max_graph^2 / 2 sparse dot products and a max_graph^2 matrix), and every
 * per-document array is linear in the document's tokens.
 *
 * Determinism: terms get document-local ids in order of first appearance,
 * so every sum runs in the same order whatever the worker's vocabulary
 * holds, and ties go to the earlier sentence. */
#include "summ.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct feat {
    uint32_t id;
    double w;
} feat_t;

struct summ_ranker {
    uint32_t *local_word, *local_stem; /* vocabulary id -> local id + 1 (0 = none) */
    size_t cap_word, cap_stem;
    uint32_t *touched_word, *touched_stem;
    size_t n_touched_word, n_touched_stem, cap_touched_word, cap_touched_stem;
    double *stem_tf;  /* by local stem id */
    double *stem_idf; /* by local stem id */
    size_t cap_stem_local;
    feat_t *feats;
    size_t n_feats, cap_feats;
    size_t *foff; /* features of graph sentence g: feats[foff[g] .. foff[g + 1]) */
    double *norm;
    size_t *gsent; /* graph node -> sentence index */
    double *mat, *out_w, *pr, *pr2, *score, *maxsim;
    size_t cap_nodes, cap_mat;
    bool *chosen;
};

/* Grows a zero-filled id map to hold n entries. */
static dp_status grow_zeroed(uint32_t **arr, size_t *cap, size_t n)
{
    size_t old = *cap;
    if (n <= old) {
        return DP_OK;
    }
    if (summ_grow((void **)arr, cap, n, sizeof(**arr)) != DP_OK) {
        return DP_ENOMEM;
    }
    memset(*arr + old, 0, (*cap - old) * sizeof(**arr));
    return DP_OK;
}

summ_ranker_t *summ_ranker_new(void)
{
    return dp_calloc(1, sizeof(summ_ranker_t));
}

void summ_ranker_free(summ_ranker_t *r)
{
    if (r == NULL) {
        return;
    }
    dp_free(r->local_word);
    dp_free(r->local_stem);
    dp_free(r->touched_word);
    dp_free(r->touched_stem);
    dp_free(r->stem_tf);
    dp_free(r->stem_idf);
    dp_free(r->feats);
    dp_free(r->foff);
    dp_free(r->norm);
    dp_free(r->gsent);
    dp_free(r->mat);
    dp_free(r->out_w);
    dp_free(r->pr);
    dp_free(r->pr2);
    dp_free(r->score);
    dp_free(r->maxsim);
    dp_free(r->chosen);
    dp_free(r);
}

/* Local id of a vocabulary id in one of the two namespaces, assigned on
 * first sight. UINT32_MAX on allocation failure. */
static uint32_t local_id(uint32_t *map, uint32_t **touched, size_t *n_touched, size_t *cap_touched,
                         uint32_t id)
{
    if (map[id] != 0) {
        return map[id] - 1;
    }
    if (summ_grow((void **)touched, cap_touched, *n_touched + 1, sizeof(**touched)) != DP_OK) {
        return UINT32_MAX;
    }
    (*touched)[(*n_touched)++] = id;
    map[id] = (uint32_t)*n_touched;
    return (uint32_t)(*n_touched - 1);
}

static void reset_locals(summ_ranker_t *r)
{
    for (size_t i = 0; i < r->n_touched_word; i++) {
        r->local_word[r->touched_word[i]] = 0;
    }
    for (size_t i = 0; i < r->n_touched_stem; i++) {
        r->local_stem[r->touched_stem[i]] = 0;
    }
    r->n_touched_word = 0;
    r->n_touched_stem = 0;
}

static int cmp_feat(const void *a, const void *b)
{
    const feat_t *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

/* Background idf of a stem: log((N + 1) / (df + 1)), with df 0 for a stem
 * the background never saw; 1 when there is no background. */
static double idf_of(const summ_data_t *data, const summ_vocab_t *vocab, uint32_t stem)
{
    size_t len;
    if (data == NULL || data->df == NULL) {
        return 1.0;
    }
    const char *s = summ_vocab_stem_text(vocab, stem, &len);
    uintptr_t v = (uintptr_t)dp_map_get(data->df, s, len);
    double df = v ? (double)(v - 1) : 0.0;
    return log((data->df_docs + 1.0) / (df + 1.0));
}

static double cosine(const summ_ranker_t *r, size_t a, size_t b)
{
    const feat_t *fa = r->feats + r->foff[a], *ea = r->feats + r->foff[a + 1];
    const feat_t *fb = r->feats + r->foff[b], *eb = r->feats + r->foff[b + 1];
    double dot = 0.0;
    if (r->norm[a] == 0.0 || r->norm[b] == 0.0) {
        return 0.0;
    }
    while (fa < ea && fb < eb) {
        if (fa->id < fb->id) {
            fa++;
        } else if (fa->id > fb->id) {
            fb++;
        } else {
            dot += fa->w * fb->w;
            fa++;
            fb++;
        }
    }
    return dot / (r->norm[a] * r->norm[b]);
}

dp_status summ_rank_sentences(summ_ranker_t *r, const summ_docview_t *view,
                              const summ_vocab_t *vocab, const summ_data_t *data,
                              const summ_rank_opts_t *opts, size_t *out, size_t *n_out,
                              double *scores)
{
    size_t n = 0;
    dp_status rc = DP_ENOMEM;
    *n_out = 0;
    if (scores != NULL) {
        for (size_t i = 0; i < view->n_sents; i++) {
            scores[i] = 0.0;
        }
    }
    for (size_t i = 0; i < view->n_sents && n < opts->max_graph; i++) {
        n += view->sents[i].eligible;
    }
    if (n == 0 || opts->budget == 0) {
        return DP_OK;
    }
    if (grow_zeroed(&r->local_word, &r->cap_word, summ_vocab_word_count(vocab)) != DP_OK ||
        grow_zeroed(&r->local_stem, &r->cap_stem, summ_vocab_stem_count(vocab)) != DP_OK ||
        summ_grow((void **)&r->foff, &r->cap_nodes, n + 1, sizeof(*r->foff)) != DP_OK) {
        return DP_ENOMEM;
    }
    size_t cap = r->cap_nodes;
    /* All per-node arrays share cap_nodes; grow them together. */
    {
        double **arrs[] = {&r->norm, &r->out_w, &r->pr, &r->pr2, &r->score, &r->maxsim};
        for (size_t k = 0; k < sizeof(arrs) / sizeof(arrs[0]); k++) {
            double *p = dp_realloc(*arrs[k], cap * sizeof(double));
            if (p == NULL) {
                return DP_ENOMEM;
            }
            *arrs[k] = p;
        }
        size_t *g = dp_realloc(r->gsent, cap * sizeof(size_t));
        if (g == NULL) {
            return DP_ENOMEM;
        }
        r->gsent = g;
        bool *ch = dp_realloc(r->chosen, cap * sizeof(bool));
        if (ch == NULL) {
            return DP_ENOMEM;
        }
        r->chosen = ch;
    }
    if (summ_grow((void **)&r->mat, &r->cap_mat, n * n, sizeof(double)) != DP_OK) {
        return DP_ENOMEM;
    }

    /* Features of every graph sentence, and the document's stem counts. */
    size_t g = 0;
    r->n_feats = 0;
    for (size_t i = 0; i < view->n_sents && g < n; i++) {
        const summ_sentence_t *s = &view->sents[i];
        if (!s->eligible) {
            continue;
        }
        r->gsent[g] = i;
        r->foff[g] = r->n_feats;
        for (size_t t = s->tok0; t < s->tok1; t++) {
            const summ_token_t *tok = &view->toks[t];
            const summ_word_t *w = summ_vocab_get(vocab, tok->word);
            if (!(w->flags & SUMM_W_CONTENT)) {
                continue;
            }
            bool new_stem = r->local_stem[tok->stem] == 0;
            uint32_t lw = local_id(r->local_word, &r->touched_word, &r->n_touched_word,
                                   &r->cap_touched_word, tok->word);
            uint32_t ls = local_id(r->local_stem, &r->touched_stem, &r->n_touched_stem,
                                   &r->cap_touched_stem, tok->stem);
            if (lw == UINT32_MAX || ls == UINT32_MAX ||
                summ_grow((void **)&r->feats, &r->cap_feats, r->n_feats + 2, sizeof(feat_t)) != DP_OK ||
                summ_grow((void **)&r->stem_tf, &r->cap_stem_local, (size_t)ls + 1, sizeof(double)) !=
                    DP_OK) {
                goto fail;
            }
            if (new_stem) {
                r->stem_tf[ls] = 0.0;
            }
            r->stem_tf[ls] += 1.0;
            /* Three namespaces: the word, the word with a possessive
             * ending (kept apart as it was before the split: "Iraq's" and
             * "Iraq" matched only by stem scored better on BBC), the stem. */
            r->feats[r->n_feats].id = lw * 3 + (tok->poss ? 1u : 0u);
            r->feats[r->n_feats].w = opts->surface_weight;
            r->feats[r->n_feats + 1].id = ls * 3 + 2;
            r->feats[r->n_feats + 1].w = opts->stem_weight;
            r->n_feats += 2;
        }
        g++;
    }
    r->foff[n] = r->n_feats;
    if (opts->idf_weight > 0.0) {
        double *idf = dp_malloc((r->n_touched_stem + 1) * sizeof(double));
        if (idf == NULL) {
            goto fail;
        }
        for (size_t k = 0; k < r->n_touched_stem; k++) {
            idf[k] = pow(idf_of(data, vocab, r->touched_stem[k]), opts->idf_weight);
        }
        /* Surface features take the idf of their token's stem. */
        for (size_t gi = 0; gi < n; gi++) {
            for (size_t f = r->foff[gi]; f + 1 < r->foff[gi + 1]; f += 2) {
                double x = idf[r->feats[f + 1].id / 3];
                r->feats[f].w *= x;
                r->feats[f + 1].w *= x;
            }
        }
        dp_free(idf);
    }
    /* Sort each sentence's features and merge repeats into term frequencies. */
    for (size_t gi = 0; gi < n; gi++) {
        feat_t *f = r->feats + r->foff[gi];
        size_t m = r->foff[gi + 1] - r->foff[gi], k = 0;
        if (m > 1) {
            qsort(f, m, sizeof(*f), cmp_feat);
        }
        for (size_t j = 0; j < m; j++) {
            if (k > 0 && f[k - 1].id == f[j].id) {
                f[k - 1].w += f[j].w;
            } else {
                f[k++] = f[j];
            }
        }
        /* Pad the merged run with zero-weight copies so foff stays valid. */
        for (size_t j = k; j < m; j++) {
            f[j].id = UINT32_MAX;
            f[j].w = 0.0;
        }
        double sq = 0.0;
        for (size_t j = 0; j < k; j++) {
            sq += f[j].w * f[j].w;
        }
        r->norm[gi] = sqrt(sq);
    }
    /* The similarity matrix and each node's total edge weight. */
    for (size_t a = 0; a < n; a++) {
        r->mat[a * n + a] = 0.0;
        for (size_t b = a + 1; b < n; b++) {
            double c = cosine(r, a, b);
            r->mat[a * n + b] = c;
            r->mat[b * n + a] = c;
        }
    }
    for (size_t a = 0; a < n; a++) {
        double sum = 0.0;
        for (size_t b = 0; b < n; b++) {
            sum += r->mat[a * n + b];
        }
        r->out_w[a] = sum;
        r->pr[a] = 1.0 / (double)n;
    }
    /* PageRank by power iteration; a node without edges spreads its rank
     * evenly, as in the usual treatment of dangling nodes. */
    for (int it = 0; it < 200; it++) {
        double dangling = 0.0, diff = 0.0;
        /* maxsim is free until selection: it holds pr[a] / out_w[a]. */
        double *share = r->maxsim;
        for (size_t a = 0; a < n; a++) {
            if (r->out_w[a] == 0.0) {
                dangling += r->pr[a];
                share[a] = 0.0;
            } else {
                share[a] = r->pr[a] / r->out_w[a];
            }
        }
        for (size_t b = 0; b < n; b++) {
            /* The matrix is symmetric: row b holds column b. */
            const double *row = r->mat + b * n;
            double in = 0.0;
            for (size_t a = 0; a < n; a++) {
                in += row[a] * share[a];
            }
            r->pr2[b] = (1.0 - opts->damping) / (double)n +
                        opts->damping * (in + dangling / (double)n);
            diff += fabs(r->pr2[b] - r->pr[b]);
        }
        double *tmp = r->pr;
        r->pr = r->pr2;
        r->pr2 = tmp;
        if (diff < 1e-10) {
            break;
        }
    }
    /* The combined score. */
    double max_pr = 0.0, max_f = 0.0;
    for (size_t a = 0; a < n; a++) {
        double f = 0.0;
        const summ_sentence_t *s = &view->sents[r->gsent[a]];
        for (size_t t = s->tok0; t < s->tok1; t++) {
            const summ_token_t *tok = &view->toks[t];
            if (summ_vocab_get(vocab, tok->word)->flags & SUMM_W_CONTENT) {
                f += r->stem_tf[r->local_stem[tok->stem] - 1];
            }
        }
        r->score[a] = f; /* temporarily the frequency score */
        max_pr = r->pr[a] > max_pr ? r->pr[a] : max_pr;
        max_f = f > max_f ? f : max_f;
    }
    for (size_t a = 0; a < n; a++) {
        double f = max_f > 0.0 ? r->score[a] / max_f : 0.0;
        r->score[a] = (max_pr > 0.0 ? r->pr[a] / max_pr : 0.0) + opts->freq_weight * f +
                      opts->position_weight / (1.0 + (double)a) +
                      (a == 0 ? opts->lead_weight : 0.0);
        if (scores != NULL) {
            scores[r->gsent[a]] = r->score[a];
        }
        r->maxsim[a] = 0.0;
        r->chosen[a] = false;
    }
    /* Greedy MMR selection. */
    size_t k = opts->budget < n ? opts->budget : n;
    for (size_t step = 0; step < k; step++) {
        size_t best = SIZE_MAX;
        double best_v = 0.0;
        for (size_t a = 0; a < n; a++) {
            if (r->chosen[a]) {
                continue;
            }
            double v = r->score[a] - opts->redundancy * r->maxsim[a];
            if (best == SIZE_MAX || v > best_v) {
                best = a;
                best_v = v;
            }
        }
        r->chosen[best] = true;
        for (size_t a = 0; a < n; a++) {
            double c = r->mat[best * n + a];
            if (c > r->maxsim[a]) {
                r->maxsim[a] = c;
            }
        }
    }
    for (size_t a = 0; a < n; a++) {
        if (r->chosen[a]) {
            out[(*n_out)++] = r->gsent[a];
        }
    }
    rc = DP_OK;
fail:
    reset_locals(r);
    return rc;
}
