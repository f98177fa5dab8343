/* Unit tests of the summarise plugin's modules, driven directly on documents
 * built through the API: the vocabulary (stems, stop words, parts of speech
 * from the WordNet lexicon), the chunker, the sentence ranker (centrality,
 * excluded paragraph kinds, the heading guard, budgets), determinism across
 * workers, the plugin through its descriptor, and bad input (one sentence,
 * no content words, 100,000 sentences, no sentence layer, empty text). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "doc_internal.h"
#include "host_internal.h"
#include "summ.h"

extern const dp_plugin_t docpipe_plugin;

static summ_data_t g_data;

static int setup_data(void **state)
{
    char err[512] = "";
    (void)state;
    memset(&g_data, 0, sizeof(g_data));
    if (summ_data_load_stopwords(&g_data, "configs/summarise/stopwords", err, sizeof(err)) !=
            DP_OK ||
        summ_data_load_phrase_stopwords(&g_data, "configs/summarise/phrase-stopwords", err,
                                        sizeof(err)) != DP_OK ||
        summ_data_load_languages(&g_data, "configs/summarise/languages.tsv", err, sizeof(err)) !=
            DP_OK ||
        summ_data_load_lexicon(&g_data, "configs/summarise/en/lexicon.tsv",
                               "configs/summarise/en/morphy.txt", err, sizeof(err)) != DP_OK) {
        fprintf(stderr, "setup: %s\n", err);
        return -1;
    }
    return 0;
}

static int teardown_data(void **state)
{
    (void)state;
    summ_data_free(&g_data);
    return 0;
}

/* A document whose paragraphs are given as arrays of sentences; kinds[i]
 * is the paragraph's attrs.kind (NULL: none). Sentences are separated by a
 * space, paragraphs by a blank line. The caller frees with dp__doc_free. */
static dp_doc_t *make_doc(const char *const *const *paras, const char *const *kinds, size_t np)
{
    dp_buf_t b = DP_BUF_INIT;
    size_t spans[4096][2], ns = 0, pspans[256][2];
    for (size_t p = 0; p < np; p++) {
        if (p > 0) {
            dp_buf_puts(&b, "\n\n");
        }
        pspans[p][0] = b.len;
        for (size_t s = 0; paras[p][s] != NULL; s++) {
            if (s > 0) {
                dp_buf_putc(&b, ' ');
            }
            spans[ns][0] = b.len;
            dp_buf_puts(&b, paras[p][s]);
            spans[ns][1] = b.len;
            ns++;
        }
        pspans[p][1] = b.len;
    }
    dp_doc_t *doc = dp__doc_new(json_string("t"));
    assert_non_null(doc);
    assert_int_equal(dp_doc_set_text(doc, b.data ? b.data : "", b.len), DP_OK);
    dp_layer_t *pl = dp_doc_add_layer(doc, "paragraph");
    for (size_t p = 0; p < np; p++) {
        json_t *a = kinds[p] ? json_pack("{s:s}", "kind", kinds[p]) : NULL;
        assert_int_equal(dp_layer_add(pl, pspans[p][0], pspans[p][1], NULL, a), DP_OK);
    }
    dp_layer_t *sl = dp_doc_add_layer(doc, "sentence");
    for (size_t s = 0; s < ns; s++) {
        assert_int_equal(dp_layer_add(sl, spans[s][0], spans[s][1], NULL, NULL), DP_OK);
    }
    dp_buf_free(&b);
    return doc;
}

static summ_rank_opts_t rank_opts(size_t budget)
{
    summ_rank_opts_t o = {.budget = budget, .surface_weight = 1, .stem_weight = 1,
                          .damping = 0.85, .freq_weight = 0.2, .max_graph = 1000};
    return o;
}

static summ_key_opts_t key_opts(size_t count)
{
    summ_key_opts_t o = {.count = count, .window = 20, .max_words = 3, .damping = 0.85,
                         .position_weight = 1, .frequency_weight = 0.3,
                         .skip_extensions = true, .max_tokens = 50000};
    return o;
}

/* ---- vocabulary and lexicon --------------------------------------------- */

static uint8_t pos_of(summ_vocab_t *v, const char *w)
{
    uint32_t id = summ_vocab_word(v, w, strlen(w));
    assert_true(id != UINT32_MAX);
    return summ_vocab_get(v, id)->pos;
}

static void test_vocab(void **state)
{
    (void)state;
    summ_vocab_t *v = summ_vocab_new(&g_data, "en");
    assert_non_null(v);
    uint32_t a = summ_vocab_word(v, "Running", 7);
    uint32_t b = summ_vocab_word(v, "runs", 4);
    uint32_t c = summ_vocab_word(v, "running", 7);
    assert_int_equal(a, c); /* lower-cased: one word */
    assert_int_equal(summ_vocab_get(v, a)->stem, summ_vocab_get(v, b)->stem);
    size_t len;
    const char *st = summ_vocab_stem_text(v, summ_vocab_get(v, a)->stem, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(st, "run", 3);
    uint32_t the = summ_vocab_word(v, "The", 3);
    assert_true(summ_vocab_get(v, the)->flags & SUMM_W_STOP);
    assert_false(summ_vocab_get(v, the)->flags & SUMM_W_CONTENT);
    /* "said" is content for similarity, a stop word for keyphrases. */
    uint32_t said = summ_vocab_word(v, "said", 4);
    assert_true(summ_vocab_get(v, said)->flags & SUMM_W_CONTENT);
    assert_int_equal(summ_vocab_get(v, said)->pos, SUMM_POS_STOP);
    /* Parts of speech from the WordNet lexicon and morphy's rules. */
    assert_int_equal(pos_of(v, "tanker"), SUMM_POS_NOUN);
    assert_int_equal(pos_of(v, "tankers"), SUMM_POS_NOUN);
    assert_int_equal(pos_of(v, "environmental"), SUMM_POS_ADJ);
    assert_int_equal(pos_of(v, "biggest"), SUMM_POS_ADJ);
    assert_int_equal(pos_of(v, "spilled"), SUMM_POS_VERB);
    assert_int_equal(pos_of(v, "calculated"), SUMM_POS_VERB);
    assert_int_equal(pos_of(v, "two"), SUMM_POS_NUM);
    assert_int_equal(pos_of(v, "1990"), SUMM_POS_NUM);
    assert_int_equal(pos_of(v, "today"), SUMM_POS_TIME);
    assert_int_equal(pos_of(v, "years"), SUMM_POS_TIME);
    assert_int_equal(pos_of(v, "Norov"), SUMM_POS_NOUN); /* unknown: a name */
    assert_int_equal(pos_of(v, ","), SUMM_POS_PUNCT);
    /* Hyphenated compounds: a name ending in a number, a measure starting
     * with one, else like the last part. */
    assert_int_equal(pos_of(v, "F-14"), SUMM_POS_NOUN);
    assert_int_equal(pos_of(v, "eight-year"), SUMM_POS_ADJ);
    assert_int_equal(pos_of(v, "100-meter"), SUMM_POS_ADJ);
    assert_int_equal(pos_of(v, "oil-rich"), SUMM_POS_ADJ);
    /* Non-ASCII words are lower-cased through utf8proc. */
    uint32_t x = summ_vocab_word(v, "ÉCOLE", strlen("ÉCOLE"));
    uint32_t y = summ_vocab_word(v, "école", strlen("école"));
    assert_int_equal(x, y);
    summ_vocab_trim(v, 0); /* forgets everything */
    assert_int_equal(summ_vocab_word_count(v), 0);
    summ_vocab_free(v);

    /* German: its own stop words and Snowball stemmer, no lexicon (every
     * content word may be part of a keyphrase). */
    summ_vocab_t *de = summ_vocab_new(&g_data, "de");
    assert_non_null(de);
    uint32_t und = summ_vocab_word(de, "und", 3);
    assert_true(summ_vocab_get(de, und)->flags & SUMM_W_STOP);
    uint32_t h1 = summ_vocab_word(de, "Häuser", strlen("Häuser"));
    uint32_t h2 = summ_vocab_word(de, "Haus", 4);
    assert_int_equal(summ_vocab_get(de, h1)->stem, summ_vocab_get(de, h2)->stem);
    assert_int_equal(summ_vocab_get(de, h1)->pos, SUMM_POS_NOUN);
    assert_true(summ_vocab_capitalised_nouns(de)); /* languages.tsv */
    summ_vocab_free(de);

    /* A language without a lexicon or stemmer still works. */
    summ_vocab_t *z = summ_vocab_new(&g_data, "xx");
    assert_non_null(z);
    uint32_t w = summ_vocab_word(z, "Wort", 4);
    assert_int_equal(summ_vocab_get(z, w)->pos, SUMM_POS_NOUN);
    summ_vocab_free(z);
}

/* ---- the chunker and keyphrases ------------------------------------------ */

static bool has_phrase(const summ_docview_t *view, const summ_keyphrase_t *k, size_t n,
                       const char *want)
{
    for (size_t i = 0; i < n; i++) {
        if (k[i].end - k[i].start == strlen(want) &&
            memcmp(view->text + k[i].start, want, strlen(want)) == 0) {
            return true;
        }
    }
    return false;
}

static void test_chunker(void **state)
{
    (void)state;
    static const char *const p1[] = {
        "Crude oil spilled from the tanker into the sound on Friday.",
        "The oil spill is the biggest oil spill in the history of the region.",
        "Cleanup crews said the oil spill was spreading along the coast.",
        "The tanker ran aground on a reef, and crude oil kept leaking.",
        "Alaska's governor and Exxon’s lawyers met the F-14 pilots; thunderstorms hit.", NULL};
    static const char *const *paras[] = {p1};
    static const char *const kinds[] = {"body"};
    dp_doc_t *doc = make_doc(paras, kinds, 1);
    summ_vocab_t *v = summ_vocab_new(&g_data, "en");
    summ_docview_t view = {0};
    summ_keyer_t *k = summ_keyer_new();
    summ_keyphrase_t out[50];
    size_t n = 0;
    assert_int_equal(summ_docview_build(&view, doc, v, true), DP_OK);
    assert_int_equal(view.n_sents, 5);
    summ_key_opts_t o = key_opts(50);
    o.skip_extensions = false;
    assert_int_equal(summ_keyphrases(k, &view, v, &g_data, &o, out, &n), DP_OK);
    assert_true(n > 0);
    /* Noun phrases only: "oil spill" (spill read as a noun after a noun),
     * "crude oil", "tanker"; never a verb, a stop word or a day. */
    assert_true(has_phrase(&view, out, n, "oil spill"));
    assert_true(has_phrase(&view, out, n, "Crude oil") || has_phrase(&view, out, n, "crude oil"));
    assert_true(has_phrase(&view, out, n, "tanker"));
    assert_false(has_phrase(&view, out, n, "spilled"));
    assert_false(has_phrase(&view, out, n, "Friday"));
    /* Possessive endings are split off (ASCII and typographic apostrophe);
     * a plural noun does not turn the verb after it into a noun. */
    assert_true(has_phrase(&view, out, n, "Alaska"));
    assert_true(has_phrase(&view, out, n, "Exxon"));
    assert_true(has_phrase(&view, out, n, "F-14 pilots"));
    assert_false(has_phrase(&view, out, n, "thunderstorms hit"));
    for (size_t i = 0; i < n; i++) {
        char buf[128];
        size_t l = out[i].end - out[i].start;
        assert_true(l < sizeof(buf));
        memcpy(buf, view.text + out[i].start, l);
        buf[l] = '\0';
        assert_null(strstr(buf, "the "));
        assert_null(strchr(buf, ','));
        assert_null(strchr(buf, '\''));
        assert_true(out[i].score <= 1.0 && out[i].score > 0.0);
        if (i > 0) {
            assert_true(out[i].score <= out[i - 1].score);
        }
    }
    /* The top phrase is about the oil. */
    assert_non_null(strstr(view.text + out[0].start, "oil"));
    summ_keyer_free(k);
    summ_docview_free(&view);
    summ_vocab_free(v);
    dp__doc_free(doc);
}

/* ---- the sentence ranker -------------------------------------------------- */

static void test_rank_central(void **state)
{
    (void)state;
    static const char *const p1[] = {
        "The central bank raised interest rates to fight inflation.",
        "Football fans celebrated in the streets overnight.",
        "Higher interest rates from the central bank should slow inflation and bank lending.",
        "Inflation fell last year as the bank held interest rates steady.",
        "A cat sat on a warm windowsill.", NULL};
    static const char *const *paras[] = {p1};
    static const char *const kinds[] = {NULL};
    dp_doc_t *doc = make_doc(paras, kinds, 1);
    summ_vocab_t *v = summ_vocab_new(&g_data, "en");
    summ_docview_t view = {0};
    summ_ranker_t *r = summ_ranker_new();
    size_t out[5], n = 0;
    double scores[5];
    assert_int_equal(summ_docview_build(&view, doc, v, true), DP_OK);
    summ_rank_opts_t o = rank_opts(2);
    assert_int_equal(summ_rank_sentences(r, &view, v, &g_data, &o, out, &n, scores), DP_OK);
    assert_int_equal(n, 2);
    /* The banking sentences are central; the off-topic ones score lowest. */
    assert_true(out[0] == 0 || out[0] == 2 || out[0] == 3);
    assert_true(out[1] == 0 || out[1] == 2 || out[1] == 3);
    assert_true(out[0] < out[1]); /* document order */
    assert_true(scores[1] < scores[2] && scores[4] < scores[2]);
    /* A budget above the sentence count gives every sentence. */
    o = rank_opts(10);
    assert_int_equal(summ_rank_sentences(r, &view, v, &g_data, &o, out, &n, NULL), DP_OK);
    assert_int_equal(n, 5);
    /* Strong redundancy control avoids two near-identical picks. */
    o = rank_opts(2);
    o.redundancy = 5.0;
    assert_int_equal(summ_rank_sentences(r, &view, v, &g_data, &o, out, &n, NULL), DP_OK);
    assert_int_equal(n, 2);
    summ_ranker_free(r);
    summ_docview_free(&view);
    summ_vocab_free(v);
    dp__doc_free(doc);
}

static void test_excluded_kinds(void **state)
{
    (void)state;
    static const char *const h[] = {"Central bank raises interest rates on inflation", NULL};
    static const char *const d[] = {"LONDON, June 26 -", NULL};
    static const char *const by[] = {"By Interest Rates Reporter", NULL};
    static const char *const body[] = {
        "The central bank raised interest rates to fight inflation.",
        "Football fans celebrated in the streets overnight.",
        "Higher interest rates should slow inflation.", NULL};
    static const char *const cap[] = {"Interest rates and inflation, the central bank chart.", NULL};
    static const char *const *paras[] = {h, d, by, body, cap};
    static const char *const kinds[] = {"heading", "dateline", "byline", "body", "caption"};
    dp_doc_t *doc = make_doc(paras, kinds, 5);
    summ_vocab_t *v = summ_vocab_new(&g_data, "en");
    summ_docview_t view = {0};
    summ_ranker_t *r = summ_ranker_new();
    size_t out[8], n = 0;
    assert_int_equal(summ_docview_build(&view, doc, v, true), DP_OK);
    summ_rank_opts_t o = rank_opts(8);
    assert_int_equal(summ_rank_sentences(r, &view, v, &g_data, &o, out, &n, NULL), DP_OK);
    assert_int_equal(n, 3); /* only the body's three */
    assert_int_equal(out[0], 3);
    assert_int_equal(out[1], 4);
    assert_int_equal(out[2], 5);
    summ_ranker_free(r);
    summ_docview_free(&view);
    summ_vocab_free(v);
    dp__doc_free(doc);

    /* A "heading" that is a full sentence is body text (heading_guard). */
    static const char *const h2[] = {
        "Ethiopia produced 14.27 million tonnes of crops in 2004, a report says.", NULL};
    static const char *const *paras2[] = {h2, body};
    static const char *const kinds2[] = {"heading", "body"};
    doc = make_doc(paras2, kinds2, 2);
    v = summ_vocab_new(&g_data, "en");
    memset(&view, 0, sizeof(view));
    assert_int_equal(summ_docview_build(&view, doc, v, true), DP_OK);
    assert_true(view.sents[0].eligible);
    assert_int_equal(summ_docview_build(&view, doc, v, false), DP_OK);
    assert_false(view.sents[0].eligible);
    summ_docview_free(&view);
    summ_vocab_free(v);
    dp__doc_free(doc);
}

/* ---- determinism ----------------------------------------------------------- */

static void run_once(summ_vocab_t *v, dp_doc_t *doc, size_t *sel, size_t *n_sel,
                     summ_keyphrase_t *kp, size_t *n_kp)
{
    summ_docview_t view = {0};
    summ_ranker_t *r = summ_ranker_new();
    summ_keyer_t *k = summ_keyer_new();
    assert_int_equal(summ_docview_build(&view, doc, v, true), DP_OK);
    summ_rank_opts_t ro = rank_opts(3);
    summ_key_opts_t ko = key_opts(10);
    assert_int_equal(summ_rank_sentences(r, &view, v, &g_data, &ro, sel, n_sel, NULL), DP_OK);
    assert_int_equal(summ_keyphrases(k, &view, v, &g_data, &ko, kp, n_kp), DP_OK);
    summ_keyer_free(k);
    summ_ranker_free(r);
    summ_docview_free(&view);
}

static void test_determinism(void **state)
{
    (void)state;
    static const char *const p1[] = {
        "Millions of gallons of crude oil spread across the sound.",
        "The biggest oil spill in the history of the region created a slick.",
        "The coast guard said only two islands had been touched by the slick.",
        "Officials criticised the cleanup efforts as too slow.",
        "The tanker ran aground on a reef early on Friday.",
        "Cleanup equipment at the site was inadequate, an expert said.", NULL};
    static const char *const *paras[] = {p1};
    static const char *const kinds[] = {"body"};
    dp_doc_t *doc = make_doc(paras, kinds, 1);
    /* Two "workers": one fresh vocabulary, one that has seen other words
     * first (so every vocabulary id differs). */
    summ_vocab_t *a = summ_vocab_new(&g_data, "en");
    summ_vocab_t *b = summ_vocab_new(&g_data, "en");
    const char *warm[] = {"slick", "zebra", "cleanup", "reef", "gallons", "Officials", "the"};
    for (size_t i = 0; i < sizeof(warm) / sizeof(warm[0]); i++) {
        summ_vocab_word(b, warm[i], strlen(warm[i]));
    }
    size_t s1[3], s2[3], n1 = 0, n2 = 0, k1 = 0, k2 = 0;
    summ_keyphrase_t kp1[10], kp2[10];
    run_once(a, doc, s1, &n1, kp1, &k1);
    run_once(b, doc, s2, &n2, kp2, &k2);
    assert_int_equal(n1, n2);
    assert_memory_equal(s1, s2, n1 * sizeof(size_t));
    assert_int_equal(k1, k2);
    for (size_t i = 0; i < k1; i++) {
        assert_int_equal(kp1[i].start, kp2[i].start);
        assert_int_equal(kp1[i].end, kp2[i].end);
        assert_memory_equal(&kp1[i].score, &kp2[i].score, sizeof(double)); /* bit for bit */
    }
    /* And again on the same worker, after it saw the document once. */
    run_once(a, doc, s2, &n2, kp2, &k2);
    assert_memory_equal(s1, s2, n1 * sizeof(size_t));
    assert_memory_equal(kp1, kp2, k1 * sizeof(summ_keyphrase_t));
    summ_vocab_free(a);
    summ_vocab_free(b);
    dp__doc_free(doc);
}

/* ---- bad input ------------------------------------------------------------- */

static void test_one_sentence_and_no_content(void **state)
{
    (void)state;
    static const char *const one[] = {"Only one sentence stands here.", NULL};
    static const char *const *paras[] = {one};
    static const char *const kinds[] = {"body"};
    dp_doc_t *doc = make_doc(paras, kinds, 1);
    size_t s[3], n = 0, k = 0;
    summ_keyphrase_t kp[10];
    summ_vocab_t *v = summ_vocab_new(&g_data, "en");
    run_once(v, doc, s, &n, kp, &k);
    assert_int_equal(n, 1);
    assert_int_equal(s[0], 0);
    dp__doc_free(doc);

    static const char *const none[] = {"It is what it is.", "And so it was, to them.", "!!! ???",
                                       "...", NULL};
    static const char *const *paras2[] = {none};
    doc = make_doc(paras2, kinds, 1);
    run_once(v, doc, s, &n, kp, &k);
    assert_int_equal(n, 3); /* still a budget's worth, in order */
    assert_true(s[0] < s[1] && s[1] < s[2]);
    assert_int_equal(k, 0); /* no keyphrase without content words */
    dp__doc_free(doc);
    summ_vocab_free(v);
}

static void test_huge_document(void **state)
{
    (void)state;
    /* 100,000 sentences: the graph takes the first max_graph ones, so time
     * and memory stay bounded (a full graph would need 10^10 similarities
     * and 80 GB). */
    const size_t ns = 100000;
    const char *words[] = {"market", "shares", "bank", "profit", "growth", "oil",
                           "prices", "trade", "export", "rates", "jobs", "tax"};
    dp_buf_t b = DP_BUF_INIT;
    size_t *spans = malloc(ns * 2 * sizeof(size_t));
    assert_non_null(spans);
    for (size_t i = 0; i < ns; i++) {
        spans[2 * i] = b.len;
        dp_buf_printf(&b, "The %s and %s rose in %s again.", words[i % 12], words[(i / 12) % 12],
                      words[(i / 144) % 12]);
        spans[2 * i + 1] = b.len;
        dp_buf_putc(&b, ' ');
    }
    dp_doc_t *doc = dp__doc_new(json_string("huge"));
    assert_int_equal(dp_doc_set_text(doc, b.data, b.len), DP_OK);
    dp_layer_t *sl = dp_doc_add_layer(doc, "sentence");
    assert_int_equal(dp_layer_reserve(sl, ns), DP_OK);
    for (size_t i = 0; i < ns; i++) {
        assert_int_equal(dp_layer_add(sl, spans[2 * i], spans[2 * i + 1], NULL, NULL), DP_OK);
    }
    free(spans);
    dp_buf_free(&b);
    summ_vocab_t *v = summ_vocab_new(&g_data, "en");
    size_t s[3], n = 0, k = 0;
    summ_keyphrase_t kp[10];
    clock_t t0 = clock();
    run_once(v, doc, s, &n, kp, &k);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_int_equal(n, 3);
    assert_true(s[2] < 1000); /* from the ranked first 1000 */
    assert_true(k > 0);
    assert_true(secs < 30.0); /* generous for sanitizer builds */
    summ_vocab_free(v);
    dp__doc_free(doc);
}

/* ---- the plugin through its descriptor --------------------------------------- */

static json_t *default_options(void)
{
    json_t *o = json_object();
    for (const dp_option_spec_t *s = docpipe_plugin.options; s->name != NULL; s++) {
        json_object_set_new(o, s->name, json_loads(s->default_json, JSON_DECODE_ANY, NULL));
    }
    return o;
}

static void test_plugin(void **state)
{
    (void)state;
    json_t *run_info = json_object();
    dp_host_t *host = dp__host_new("summarise", ".", "configs", run_info, 0);
    json_t *opts = default_options();
    void *st = NULL, *worker = NULL;
    assert_string_equal(docpipe_plugin.name, "summarise");
    assert_int_equal(docpipe_plugin.threading, DP_THREADING_PARALLEL);
    assert_int_equal(docpipe_plugin.init(opts, host, &st), DP_OK);
    assert_int_equal(docpipe_plugin.worker_init(st, &worker), DP_OK);

    static const char *const p1[] = {
        "The central bank raised interest rates to fight inflation.",
        "Football fans celebrated in the streets overnight.",
        "Higher interest rates from the central bank should slow inflation.",
        "Inflation fell as the bank held interest rates steady.", NULL};
    static const char *const *paras[] = {p1};
    static const char *const kinds[] = {"body"};
    dp_doc_t *doc = make_doc(paras, kinds, 1);
    assert_int_equal(docpipe_plugin.process(st, worker, doc), DP_OK);
    json_t *sum = dp_doc_result(doc, "summary");
    assert_non_null(sum);
    json_t *idx = json_object_get(sum, "sentences");
    assert_int_equal(json_array_size(idx), 3);
    json_int_t prev = -1;
    for (size_t i = 0; i < 3; i++) {
        json_int_t x = json_integer_value(json_array_get(idx, i));
        assert_true(x > prev);
        prev = x;
    }
    assert_non_null(strstr(json_string_value(json_object_get(sum, "text")), "interest rates"));
    json_t *kws = dp_doc_result(doc, "keywords");
    assert_true(json_is_array(kws));
    assert_true(json_array_size(kws) >= 1 && json_array_size(kws) <= 10);
    assert_true(json_is_string(json_object_get(json_array_get(kws, 0), "text")));
    assert_true(json_is_number(json_object_get(json_array_get(kws, 0), "score")));
    dp__doc_free(doc);

    /* No sentence layer: a clear failure, not a crash. */
    doc = dp__doc_new(json_string("raw"));
    assert_int_equal(dp_doc_set_text(doc, "No layers here.", 15), DP_OK);
    assert_int_equal(docpipe_plugin.process(st, worker, doc), DP_ESTATE);
    assert_non_null(strstr(dp__host_take_error(DP_ESTATE), "sentence layer"));
    dp__doc_free(doc);

    /* Empty text with an empty sentence layer. */
    doc = dp__doc_new(json_string("empty"));
    assert_non_null(dp_doc_add_layer(doc, "sentence"));
    assert_int_equal(docpipe_plugin.process(st, worker, doc), DP_OK);
    assert_int_equal(json_array_size(json_object_get(dp_doc_result(doc, "summary"), "sentences")),
                     0);
    assert_int_equal(json_array_size(dp_doc_result(doc, "keywords")), 0);
    dp__doc_free(doc);

    docpipe_plugin.worker_fini(st, worker);
    docpipe_plugin.fini(st);

    /* ratio replaces sentences; a missing data file fails init. */
    json_object_set_new(opts, "ratio", json_real(0.5));
    assert_int_equal(docpipe_plugin.init(opts, host, &st), DP_OK);
    assert_int_equal(docpipe_plugin.worker_init(st, &worker), DP_OK);
    doc = make_doc(paras, kinds, 1);
    assert_int_equal(docpipe_plugin.process(st, worker, doc), DP_OK);
    assert_int_equal(json_array_size(json_object_get(dp_doc_result(doc, "summary"), "sentences")),
                     2);
    dp__doc_free(doc);
    docpipe_plugin.worker_fini(st, worker);
    docpipe_plugin.fini(st);
    json_object_set_new(opts, "lexicon", json_string("summarise/no-such-folder"));
    assert_int_not_equal(docpipe_plugin.init(opts, host, &st), DP_OK);
    json_object_set_new(opts, "lexicon", json_string("summarise/en"));
    json_object_set_new(opts, "keyword_idf_weight", json_real(1.0));
    assert_int_equal(docpipe_plugin.init(opts, host, &st), DP_EINVAL); /* no background_df */

    json_decref(opts);
    dp__host_free(host);
    json_decref(run_info);
}

int main(void)
{
    json_object_seed(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vocab),
        cmocka_unit_test(test_chunker),
        cmocka_unit_test(test_rank_central),
        cmocka_unit_test(test_excluded_kinds),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_one_sentence_and_no_content),
        cmocka_unit_test(test_huge_document),
        cmocka_unit_test(test_plugin),
    };
    return cmocka_run_group_tests(tests, setup_data, teardown_data);
}
