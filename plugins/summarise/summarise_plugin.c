/* The summarise plugin (PARALLEL): from the sentence, token and paragraph
 * layers it writes the "summary" result (the chosen sentences' indexes in
 * document order and their text) and the "keywords" result (ranked
 * keyphrases with scores). The work is done by the modules of summ.h; this
 * file holds the descriptor, the options and the per-worker scratch. */
#include "summ.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const dp_option_spec_t summarise_options[] = {
    {.name = "sentences", .type = DP_OPT_INTEGER, .default_json = "3",
     .description = "number of sentences in the summary (the budget unless ratio is set)",
     .flags = DP_OPT_HAS_MIN | DP_OPT_HAS_MAX, .min = 0, .max = 100000},
    {.name = "ratio", .type = DP_OPT_NUMBER, .default_json = "0",
     .description = "when above 0, the budget is this share of the eligible sentences "
                    "(rounded up) instead of sentences",
     .flags = DP_OPT_HAS_MIN | DP_OPT_HAS_MAX, .min = 0, .max = 1},
    {.name = "keywords", .type = DP_OPT_INTEGER, .default_json = "10",
     .description = "number of keyphrases written to the keywords result",
     .flags = DP_OPT_HAS_MIN | DP_OPT_HAS_MAX, .min = 0, .max = 10000},
    {.name = "language", .type = DP_OPT_STRING, .default_json = "\"auto\"",
     .description = "ISO 639-1 code choosing stop words and Snowball stemmer; auto takes "
                    "meta.language, else en"},
    {.name = "surface_weight", .type = DP_OPT_NUMBER, .default_json = "1",
     .description = "weight of exact (lower-cased) word matches in sentence similarity",
     .flags = DP_OPT_HAS_MIN, .min = 0},
    {.name = "stem_weight", .type = DP_OPT_NUMBER, .default_json = "1",
     .description = "weight of Snowball stem matches in sentence similarity",
     .flags = DP_OPT_HAS_MIN, .min = 0},
    {.name = "damping", .type = DP_OPT_NUMBER, .default_json = "0.85",
     .description = "PageRank damping factor of the sentence and word graphs",
     .flags = DP_OPT_HAS_MIN | DP_OPT_HAS_MAX, .min = 0, .max = 1},
    {.name = "frequency_weight", .type = DP_OPT_NUMBER, .default_json = "0.2",
     .description = "weight of a sentence's summed term frequencies, added to its "
                    "normalised graph score",
     .flags = DP_OPT_HAS_MIN, .min = 0},
    {.name = "position_weight", .type = DP_OPT_NUMBER, .default_json = "0",
     .description = "weight of the position prior 1/(1+k) of the k-th eligible sentence",
     .flags = DP_OPT_HAS_MIN, .min = 0},
    {.name = "lead_weight", .type = DP_OPT_NUMBER, .default_json = "0",
     .description = "added to the score of the first eligible sentence, the lead of a news "
                    "story",
     .flags = DP_OPT_HAS_MIN, .min = 0},
    {.name = "redundancy", .type = DP_OPT_NUMBER, .default_json = "0",
     .description = "MMR penalty: times the highest similarity to an already chosen sentence",
     .flags = DP_OPT_HAS_MIN, .min = 0},
    {.name = "idf_weight", .type = DP_OPT_NUMBER, .default_json = "0",
     .description = "exponent of the background idf on sentence terms (0: plain term "
                    "frequencies; needs background_df)",
     .flags = DP_OPT_HAS_MIN, .min = 0},
    {.name = "max_graph_sentences", .type = DP_OPT_INTEGER, .default_json = "1000",
     .description = "only the first N eligible sentences are ranked, which bounds time and "
                    "memory on huge documents",
     .flags = DP_OPT_HAS_MIN | DP_OPT_HAS_MAX, .min = 1, .max = 20000},
    {.name = "heading_guard", .type = DP_OPT_BOOLEAN, .default_json = "true",
     .description = "treat a heading paragraph that reads as a full sentence (final . ! or ? "
                    "and 8+ words) as body text"},
    {.name = "keyword_window", .type = DP_OPT_INTEGER, .default_json = "20",
     .description = "co-occurrence window of the keyphrase word graph, in words",
     .flags = DP_OPT_HAS_MIN | DP_OPT_HAS_MAX, .min = 2, .max = 100},
    {.name = "keyword_max_words", .type = DP_OPT_INTEGER, .default_json = "3",
     .description = "longest keyphrase in words",
     .flags = DP_OPT_HAS_MIN | DP_OPT_HAS_MAX, .min = 1, .max = 16},
    {.name = "keyword_position_weight", .type = DP_OPT_NUMBER, .default_json = "1",
     .description = "PositionRank bias of the word graph towards early words (0: SingleRank)",
     .flags = DP_OPT_HAS_MIN | DP_OPT_HAS_MAX, .min = 0, .max = 1},
    {.name = "keyword_idf_weight", .type = DP_OPT_NUMBER, .default_json = "0",
     .description = "exponent of the background idf on keyphrase word scores (needs "
                    "background_df)",
     .flags = DP_OPT_HAS_MIN, .min = 0},
    {.name = "keyword_frequency_weight", .type = DP_OPT_NUMBER, .default_json = "0.3",
     .description = "a phrase's score is multiplied by its occurrences to this power",
     .flags = DP_OPT_HAS_MIN, .min = 0},
    {.name = "keyword_skip_extensions", .type = DP_OPT_BOOLEAN, .default_json = "true",
     .description = "leave out a phrase that contains an already chosen phrase of two or "
                    "more words"},
    {.name = "keyword_redundancy", .type = DP_OPT_NUMBER, .default_json = "0",
     .description = "a phrase loses this share of its score times the share of its words "
                    "already used by higher-ranked phrases",
     .flags = DP_OPT_HAS_MIN | DP_OPT_HAS_MAX, .min = 0, .max = 1},
    {.name = "keyword_subphrases", .type = DP_OPT_BOOLEAN, .default_json = "false",
     .description = "the shorter tails of a noun phrase are candidates too (\"forest fire\" "
                    "in \"2,000-acre forest fire\")"},
    {.name = "keyword_length_norm", .type = DP_OPT_NUMBER, .default_json = "0",
     .description = "a phrase's summed word scores are divided by its length in words to "
                    "this power (0: plain sum, favouring longer phrases)",
     .flags = DP_OPT_HAS_MIN | DP_OPT_HAS_MAX, .min = 0, .max = 1},
    {.name = "keyword_max_tokens", .type = DP_OPT_INTEGER, .default_json = "50000",
     .description = "only the first N tokens feed the keyphrase graph (bounds huge documents)",
     .flags = DP_OPT_HAS_MIN, .min = 1},
    {.name = "stopwords", .type = DP_OPT_STRING, .default_json = "\"summarise/stopwords\"",
     .description = "folder of stop-word files <code>.txt (data path)"},
    {.name = "phrase_stopwords", .type = DP_OPT_STRING,
     .default_json = "\"summarise/phrase-stopwords\"",
     .description = "folder of extra keyphrase-only stop-word files <code>.txt (data path; "
                    "empty: none)"},
    {.name = "languages", .type = DP_OPT_STRING, .default_json = "\"summarise/languages.tsv\"",
     .description = "language properties for the chunker without a lexicon (data path; "
                    "empty: none)"},
    {.name = "lexicon", .type = DP_OPT_STRING, .default_json = "\"summarise/en\"",
     .description = "folder with lexicon.tsv and morphy.txt, the English part-of-speech "
                    "lexicon (data path; empty: no part-of-speech filter)"},
    {.name = "background_df", .type = DP_OPT_STRING, .default_json = "\"\"",
     .description = "background document frequencies (stem<TAB>count, data path) for the "
                    "idf weights; empty: none"},
    {.name = NULL}};

typedef struct summarise {
    dp_host_t *host;
    summ_data_t data;
    summ_rank_opts_t rank;
    summ_key_opts_t keys;
    double ratio;
    bool heading_guard;
    char language[16]; /* "" for auto */
} summarise_t;

#define MAX_VOCABS 8

typedef struct summarise_worker {
    summ_vocab_t *vocabs[MAX_VOCABS];
    size_t n_vocabs;
    summ_ranker_t *ranker;
    summ_keyer_t *keyer;
    summ_docview_t view;
    size_t *chosen;
    size_t cap_chosen;
    summ_keyphrase_t *kps;
    size_t cap_kps;
} summarise_worker_t;

static double opt_num(const json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

static size_t opt_size(const json_t *o, const char *k)
{
    json_int_t v = json_integer_value(json_object_get(o, k));
    return v > 0 ? (size_t)v : 0;
}

/* Resolves a data path (see dp_host_find_data); a folder is found through
 * a file that must be in it. The caller frees. */
static char *find_folder(dp_host_t *host, const char *folder, const char *member)
{
    char rel[4096];
    snprintf(rel, sizeof(rel), "%s/%s", folder, member);
    char *p = dp_host_find_data(host, rel);
    if (p != NULL) {
        p[strlen(p) - strlen(member) - 1] = '\0';
    }
    return p;
}

static void summarise_fini(void *vstate)
{
    summarise_t *st = vstate;
    if (st == NULL) {
        return;
    }
    summ_data_free(&st->data);
    dp_free(st);
}

static dp_status summarise_init(const json_t *options, dp_host_t *host, void **state)
{
    char err[512] = "";
    char *path = NULL, *path2 = NULL;
    dp_status rc = DP_ENOMEM;
    summarise_t *st = dp_calloc(1, sizeof(*st));
    if (st == NULL) {
        dp_host_error(host, "out of memory");
        return DP_ENOMEM;
    }
    st->host = host;
    st->rank.budget = opt_size(options, "sentences");
    st->ratio = opt_num(options, "ratio");
    st->rank.surface_weight = opt_num(options, "surface_weight");
    st->rank.stem_weight = opt_num(options, "stem_weight");
    st->rank.damping = opt_num(options, "damping");
    st->rank.freq_weight = opt_num(options, "frequency_weight");
    st->rank.position_weight = opt_num(options, "position_weight");
    st->rank.redundancy = opt_num(options, "redundancy");
    st->rank.lead_weight = opt_num(options, "lead_weight");
    st->rank.idf_weight = opt_num(options, "idf_weight");
    st->rank.max_graph = opt_size(options, "max_graph_sentences");
    st->heading_guard = json_is_true(json_object_get(options, "heading_guard"));
    st->keys.count = opt_size(options, "keywords");
    st->keys.window = opt_size(options, "keyword_window");
    st->keys.max_words = opt_size(options, "keyword_max_words");
    st->keys.damping = st->rank.damping;
    st->keys.position_weight = opt_num(options, "keyword_position_weight");
    st->keys.idf_weight = opt_num(options, "keyword_idf_weight");
    st->keys.max_tokens = opt_size(options, "keyword_max_tokens");
    st->keys.frequency_weight = opt_num(options, "keyword_frequency_weight");
    st->keys.redundancy = opt_num(options, "keyword_redundancy");
    st->keys.length_norm = opt_num(options, "keyword_length_norm");
    st->keys.subphrases = json_is_true(json_object_get(options, "keyword_subphrases"));
    st->keys.skip_extensions = json_is_true(json_object_get(options, "keyword_skip_extensions"));

    const char *lang = json_string_value(json_object_get(options, "language"));
    if (lang != NULL && strcmp(lang, "auto") != 0) {
        if (strlen(lang) >= sizeof(st->language) || lang[0] == '\0') {
            dp_host_error(host, "option language: expected auto or an ISO 639-1 code, got \"%s\"",
                          lang);
            rc = DP_EINVAL;
            goto fail;
        }
        memcpy(st->language, lang, strlen(lang) + 1);
    }

    const char *sw = json_string_value(json_object_get(options, "stopwords"));
    path = find_folder(host, sw, "en.txt");
    if (path == NULL) {
        rc = DP_ENOTFOUND;
        goto fail; /* the host has the message */
    }
    rc = summ_data_load_stopwords(&st->data, path, err, sizeof(err));
    if (rc != DP_OK) {
        dp_host_error(host, "%s", err);
        goto fail;
    }
    dp_free(path);
    path = NULL;

    const char *psw = json_string_value(json_object_get(options, "phrase_stopwords"));
    if (psw != NULL && psw[0] != '\0') {
        path = find_folder(host, psw, "en.txt");
        if (path == NULL) {
            rc = DP_ENOTFOUND;
            goto fail;
        }
        rc = summ_data_load_phrase_stopwords(&st->data, path, err, sizeof(err));
        if (rc != DP_OK) {
            dp_host_error(host, "%s", err);
            goto fail;
        }
        dp_free(path);
        path = NULL;
    }

    const char *lp_opt = json_string_value(json_object_get(options, "languages"));
    if (lp_opt != NULL && lp_opt[0] != '\0') {
        path = dp_host_find_data(host, lp_opt);
        if (path == NULL) {
            rc = DP_ENOTFOUND;
            goto fail;
        }
        rc = summ_data_load_languages(&st->data, path, err, sizeof(err));
        if (rc != DP_OK) {
            dp_host_error(host, "%s", err);
            goto fail;
        }
        dp_free(path);
        path = NULL;
    }

    const char *lex = json_string_value(json_object_get(options, "lexicon"));
    if (lex != NULL && lex[0] != '\0') {
        path = find_folder(host, lex, "lexicon.tsv");
        if (path == NULL) {
            rc = DP_ENOTFOUND;
            goto fail;
        }
        char lp[4096], mp[4096];
        snprintf(lp, sizeof(lp), "%s/lexicon.tsv", path);
        snprintf(mp, sizeof(mp), "%s/morphy.txt", path);
        rc = summ_data_load_lexicon(&st->data, lp, mp, err, sizeof(err));
        if (rc != DP_OK) {
            dp_host_error(host, "%s", err);
            goto fail;
        }
    }
    const char *df = json_string_value(json_object_get(options, "background_df"));
    if (df != NULL && df[0] != '\0') {
        path2 = dp_host_find_data(host, df);
        if (path2 == NULL) {
            rc = DP_ENOTFOUND;
            goto fail;
        }
        rc = summ_data_load_df(&st->data, path2, err, sizeof(err));
        if (rc != DP_OK) {
            dp_host_error(host, "%s", err);
            goto fail;
        }
    } else if (st->rank.idf_weight > 0 || st->keys.idf_weight > 0) {
        dp_host_error(host, "idf_weight and keyword_idf_weight need the background_df option");
        rc = DP_EINVAL;
        goto fail;
    }
    dp_free(path);
    dp_free(path2);
    *state = st;
    return DP_OK;
fail:
    dp_free(path);
    dp_free(path2);
    summarise_fini(st);
    return rc;
}

static dp_status summarise_worker_init(void *vstate, void **worker)
{
    (void)vstate;
    summarise_worker_t *w = dp_calloc(1, sizeof(*w));
    if (w == NULL) {
        return DP_ENOMEM;
    }
    w->ranker = summ_ranker_new();
    w->keyer = summ_keyer_new();
    if (w->ranker == NULL || w->keyer == NULL) {
        summ_ranker_free(w->ranker);
        summ_keyer_free(w->keyer);
        dp_free(w);
        return DP_ENOMEM;
    }
    *worker = w;
    return DP_OK;
}

static void summarise_worker_fini(void *vstate, void *vworker)
{
    summarise_worker_t *w = vworker;
    (void)vstate;
    if (w == NULL) {
        return;
    }
    for (size_t i = 0; i < w->n_vocabs; i++) {
        summ_vocab_free(w->vocabs[i]);
    }
    summ_ranker_free(w->ranker);
    summ_keyer_free(w->keyer);
    summ_docview_free(&w->view);
    dp_free(w->chosen);
    dp_free(w->kps);
    dp_free(w);
}

/* The language of a document: the option, else meta.language (its primary
 * subtag, "en" of "en-GB"), else English. */
static void doc_language(const summarise_t *st, dp_doc_t *doc, char out[16])
{
    const char *l = st->language;
    if (l[0] == '\0') {
        l = json_string_value(json_object_get(dp_doc_meta(doc), "language"));
    }
    if (l == NULL || l[0] == '\0') {
        l = "en";
    }
    size_t len = strnlen(l, 15), n = 0;
    for (; n < len && l[n] != '-' && l[n] != '_'; n++) {
        char c = l[n];
        out[n] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    out[n] = '\0';
}

static summ_vocab_t *worker_vocab(summarise_worker_t *w, const summ_data_t *data,
                                  const char *lang)
{
    for (size_t i = 0; i < w->n_vocabs; i++) {
        if (strcmp(summ_vocab_lang(w->vocabs[i]), lang) == 0) {
            return w->vocabs[i];
        }
    }
    if (w->n_vocabs == MAX_VOCABS) {
        /* Many languages in one worker: drop the oldest cache. */
        summ_vocab_free(w->vocabs[0]);
        memmove(w->vocabs, w->vocabs + 1, (MAX_VOCABS - 1) * sizeof(w->vocabs[0]));
        w->n_vocabs--;
    }
    summ_vocab_t *v = summ_vocab_new(data, lang);
    if (v != NULL) {
        w->vocabs[w->n_vocabs++] = v;
    }
    return v;
}

static double round4(double x)
{
    return floor(x * 10000.0 + 0.5) / 10000.0;
}

static dp_status summarise_process(void *vstate, void *vworker, dp_doc_t *doc)
{
    summarise_t *st = vstate;
    summarise_worker_t *w = vworker;
    char lang[16];
    json_t *summary = NULL, *idx = NULL, *kws = NULL;
    dp_buf_t text = DP_BUF_INIT;
    dp_status rc;

    if (w == NULL) {
        dp_host_error(st->host, "no worker state (worker_init was not called)");
        return DP_ESTATE;
    }
    doc_language(st, doc, lang);
    summ_vocab_t *vocab = worker_vocab(w, &st->data, lang);
    if (vocab == NULL) {
        goto nomem;
    }
    /* Bounded memory on long runs: the cache restarts past a million words. */
    summ_vocab_trim(vocab, 1u << 20);
    rc = summ_docview_build(&w->view, doc, vocab, st->heading_guard);
    if (rc == DP_ENOTFOUND) {
        dp_host_error(st->host, "the document has no sentence layer (run segment before summarise)");
        return DP_ESTATE;
    }
    if (rc != DP_OK) {
        goto nomem;
    }

    summ_rank_opts_t ro = st->rank;
    if (st->ratio > 0.0) {
        size_t eligible = 0;
        for (size_t i = 0; i < w->view.n_sents; i++) {
            eligible += w->view.sents[i].eligible;
        }
        ro.budget = (size_t)ceil(st->ratio * (double)eligible);
    }
    if (ro.budget > w->view.n_sents) {
        ro.budget = w->view.n_sents;
    }
    if (w->cap_chosen < ro.budget + 1) {
        size_t *p = dp_realloc(w->chosen, (ro.budget + 1) * sizeof(size_t));
        if (p == NULL) {
            goto nomem;
        }
        w->chosen = p;
        w->cap_chosen = ro.budget + 1;
    }
    size_t n_chosen = 0;
    if (summ_rank_sentences(w->ranker, &w->view, vocab, &st->data, &ro, w->chosen, &n_chosen,
                            NULL) != DP_OK) {
        goto nomem;
    }
    summary = json_object();
    idx = json_array();
    if (summary == NULL || idx == NULL) {
        goto nomem;
    }
    for (size_t i = 0; i < n_chosen; i++) {
        const summ_sentence_t *s = &w->view.sents[w->chosen[i]];
        if (json_array_append_new(idx, json_integer((json_int_t)w->chosen[i])) != 0 ||
            (i > 0 && dp_buf_putc(&text, ' ') != DP_OK) ||
            dp_buf_append(&text, w->view.text + s->start, s->end - s->start) != DP_OK) {
            goto nomem;
        }
    }
    if (json_object_set_new(summary, "sentences", idx) != 0) {
        idx = NULL;
        goto nomem;
    }
    idx = NULL;
    if (json_object_set_new(summary, "text", json_stringn(text.data ? text.data : "", text.len)) !=
        0) {
        goto nomem;
    }

    if (w->cap_kps < st->keys.count + 1) {
        summ_keyphrase_t *p = dp_realloc(w->kps, (st->keys.count + 1) * sizeof(*p));
        if (p == NULL) {
            goto nomem;
        }
        w->kps = p;
        w->cap_kps = st->keys.count + 1;
    }
    size_t n_kps = 0;
    dp_buf_clear(&text);
    if (summ_keyphrases(w->keyer, &w->view, vocab, &st->data, &st->keys, w->kps, &n_kps) !=
        DP_OK) {
        goto nomem;
    }
    kws = json_array();
    if (kws == NULL) {
        goto nomem;
    }
    for (size_t i = 0; i < n_kps; i++) {
        const summ_keyphrase_t *k = &w->kps[i];
        /* The surface form with inner line breaks and space runs as one
         * space: a phrase of hard-wrapped text reads as the words it is. */
        dp_buf_clear(&text);
        for (size_t b = k->start; b < k->end; b++) {
            char c = w->view.text[b];
            bool sp = c == ' ' || c == '\n' || c == '\t' || c == '\r';
            if (sp && text.len > 0 && text.data[text.len - 1] == ' ') {
                continue;
            }
            if (dp_buf_putc(&text, sp ? ' ' : c) != DP_OK) {
                goto nomem;
            }
        }
        json_t *o = json_pack("{s:s%,s:f}", "text", text.data ? text.data : "", text.len,
                              "score", round4(k->score));
        if (o == NULL || json_array_append_new(kws, o) != 0) {
            goto nomem;
        }
    }
    rc = dp_doc_set_result(doc, "summary", summary);
    summary = NULL;
    if (rc != DP_OK) {
        json_decref(kws);
        goto nomem;
    }
    rc = dp_doc_set_result(doc, "keywords", kws);
    if (rc != DP_OK) {
        goto nomem_noref;
    }
    dp_buf_free(&text);
    return DP_OK;
nomem:
    json_decref(summary);
    json_decref(idx);
    json_decref(kws);
nomem_noref:
    dp_buf_free(&text);
    dp_host_error(st->host, "out of memory");
    return DP_ENOMEM;
}

DP_PLUGIN_DEFINE = {
    .abi = DP_ABI_VERSION,
    .size = sizeof(dp_plugin_t),
    .name = "summarise",
    .version = "1.0.0",
    .description = "extractive summary (graph-ranked sentences) and keyphrases (PositionRank "
                   "over noun phrases)",
    .options = summarise_options,
    .threading = DP_THREADING_PARALLEL,
    .init = summarise_init,
    .process = summarise_process,
    .fini = summarise_fini,
    .worker_init = summarise_worker_init,
    .worker_fini = summarise_worker_fini,
};
