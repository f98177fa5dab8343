/* Internal interfaces of the summarise plugin: the shared read-only data
 * (stop words, part-of-speech lexicon, background document frequencies),
 * the per-worker vocabulary with its stem cache, the per-document word view,
 * the sentence ranker and the keyphrase extractor. The modules are built into
 * one static library that the plugin module and the unit tests both link, so
 * the tests drive every step directly. Nothing here is public API. */
#ifndef DOCPIPE_SUMMARISE_SUMM_H
#define DOCPIPE_SUMMARISE_SUMM_H

#include <docpipe/docpipe.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- shared data (summ_data.c) ------------------------------------------ */

/* Part-of-speech evidence for one word: 0 when WordNet has no sense of that
 * part of speech, else 1 + how often it was tagged so in its concordance. */
typedef struct summ_pos {
    uint32_t noun, verb, adj, adv;
    uint32_t flags; /* SUMM_LEX_* */
} summ_pos_t;

#define SUMM_LEX_NUMBER 0x1u /* a number word ("two", "third", "million") */
#define SUMM_LEX_TIME 0x2u   /* a time noun ("today", "year", "tuesday") */

/* A detachment rule of WordNet's morphy: strip suffix, append ending. */
typedef struct summ_morph_rule {
    int pos; /* SUMM_POS_NOUN, SUMM_POS_VERB or SUMM_POS_ADJ */
    char suffix[8];
    char ending[8];
    size_t suffix_len, ending_len;
} summ_morph_rule_t;

/* The stop words of one language. */
typedef struct summ_lang {
    char code[16];  /* ISO 639-1 code from the file name ("en") */
    dp_map_t *stop; /* lower-case word -> (void *)1 */
    dp_map_t *phrase_stop; /* extra stop words of keyphrases only; may be NULL */
    bool capitalised_nouns; /* the orthography capitalises every noun (de) */
} summ_lang_t;

/* Everything loaded once in init and read by all workers without locks. */
typedef struct summ_data {
    summ_lang_t *langs;
    size_t n_langs;
    dp_map_t *lexicon;     /* word -> summ_pos_t * (into pos_pool); NULL when not loaded */
    summ_pos_t *pos_pool;
    summ_morph_rule_t *rules;
    size_t n_rules;
    dp_map_t *df;          /* stem -> (void *)(uintptr_t)(document count + 1); NULL when none */
    double df_docs;        /* number of background documents */
} summ_data_t;

/* Loads the stop-word files of a folder (every "<code>.txt"). Errors are
 * written into err (one line). DP_EIO / DP_ENOMEM / DP_EFORMAT. */
dp_status summ_data_load_stopwords(summ_data_t *data, const char *dir, char *err, size_t errcap);
/* Loads the extra keyphrase stop words of a folder ("<code>.txt") into the
 * languages of those codes (a language without stop words is added). */
dp_status summ_data_load_phrase_stopwords(summ_data_t *data, const char *dir, char *err,
                                          size_t errcap);
/* Loads language properties ("code<TAB>capitalised-nouns" lines); a
 * language not yet known is added. */
dp_status summ_data_load_languages(summ_data_t *data, const char *path, char *err, size_t errcap);
/* Loads the POS lexicon (word<TAB>n<TAB>v<TAB>a<TAB>r) and the morphy rules. */
dp_status summ_data_load_lexicon(summ_data_t *data, const char *lexicon_path,
                                 const char *morphy_path, char *err, size_t errcap);
/* Loads background document frequencies ("#docs N" header, then stem<TAB>df). */
dp_status summ_data_load_df(summ_data_t *data, const char *path, char *err, size_t errcap);
/* The stop-word set of a language, or NULL. Borrowed. */
const summ_lang_t *summ_data_lang(const summ_data_t *data, const char *code);
/* Frees everything data owns (not data itself). */
void summ_data_free(summ_data_t *data);

/* ---- per-worker vocabulary (summ_vocab.c) -------------------------------- */

enum {
    SUMM_POS_OTHER = 0, /* unknown to the lexicon */
    SUMM_POS_NOUN = 1,
    SUMM_POS_VERB = 2,
    SUMM_POS_ADJ = 3,
    SUMM_POS_ADV = 4,
    SUMM_POS_NUM = 5,
    SUMM_POS_STOP = 6,
    SUMM_POS_PUNCT = 7,
    SUMM_POS_TIME = 8 /* a time noun: no keyphrase is made of it */
};

/* Flags of a vocabulary word. */
#define SUMM_W_STOP 0x1u    /* a stop word of the language */
#define SUMM_W_ALPHA 0x2u   /* has at least one letter */
#define SUMM_W_DIGIT 0x4u   /* has at least one digit */
#define SUMM_W_WORD 0x8u    /* starts with a letter or digit (not punctuation) */
#define SUMM_W_CONTENT 0x10u /* a word, not a stop word: counts for similarity */
#define SUMM_W_PSTOP 0x20u   /* a keyphrase-only stop word */

typedef struct summ_word {
    uint32_t stem;   /* stem id */
    uint8_t flags;   /* SUMM_W_* */
    uint8_t pos;     /* SUMM_POS_* reading for chunking (lexicon's usual one) */
    uint8_t can_noun, can_adj; /* the lexicon allows these readings */
} summ_word_t;

typedef struct summ_vocab summ_vocab_t;

/* A vocabulary for one language: lower-cased word -> id with its stem (a
 * Snowball stemmer for the language when libstemmer has one, else the word
 * itself) and flags; stems are cached, so each distinct word is stemmed once
 * per worker. Not thread-safe: one per worker. lang may be NULL (no stop
 * words); data must outlive the vocabulary. NULL on allocation failure. */
summ_vocab_t *summ_vocab_new(const summ_data_t *data, const char *lang_code);
void summ_vocab_free(summ_vocab_t *vocab);
const char *summ_vocab_lang(const summ_vocab_t *vocab);
/* True when the chunker reads capitalisation as the noun mark: the language
 * capitalises nouns and has no lexicon. */
bool summ_vocab_capitalised_nouns(const summ_vocab_t *vocab);

/* The id of the word s[0..len) (any case; lower-cased here), adding it when
 * new. Returns UINT32_MAX on allocation failure. */
uint32_t summ_vocab_word(summ_vocab_t *vocab, const char *s, size_t len);
/* The record of a word id. Borrowed until the next summ_vocab_word. */
const summ_word_t *summ_vocab_get(const summ_vocab_t *vocab, uint32_t id);
/* Lower-cased word and stem text of an id (borrowed). */
const char *summ_vocab_text(const summ_vocab_t *vocab, uint32_t id, size_t *len);
const char *summ_vocab_stem_text(const summ_vocab_t *vocab, uint32_t stem, size_t *len);
uint32_t summ_vocab_word_count(const summ_vocab_t *vocab);
uint32_t summ_vocab_stem_count(const summ_vocab_t *vocab);
/* Forgets every word when the vocabulary has grown past limit entries (call
 * between documents only: ids change). Keeps memory bounded on long runs. */
void summ_vocab_trim(summ_vocab_t *vocab, uint32_t limit);

/* ---- the document view (summ_doc.c) -------------------------------------- */

/* Grows the array *arr of elem-byte entries (capacity *cap) to hold at least
 * need, doubling from 64; the scratch arrays of every module grow this way. */
dp_status summ_grow(void **arr, size_t *cap, size_t need, size_t elem);

typedef struct summ_token {
    size_t start, end; /* bytes in the text */
    uint32_t word;     /* vocabulary id; UINT32_MAX for punctuation */
    uint32_t stem;     /* stem id; UINT32_MAX for punctuation */
    uint32_t sent;     /* sentence index */
    uint8_t pos;       /* SUMM_POS_* for this occurrence */
    uint8_t cap;       /* starts with an upper-case letter */
    uint8_t first;     /* first word of its sentence */
    uint8_t poss;      /* a possessive ending was split off after it */
} summ_token_t;

typedef struct summ_sentence {
    size_t start, end;
    size_t tok0, tok1; /* tokens [tok0, tok1) */
    bool eligible;     /* may be chosen (not a heading, dateline, byline, caption) */
    uint32_t n_content;
} summ_sentence_t;

typedef struct summ_docview {
    const char *text;
    size_t text_len;
    summ_sentence_t *sents;
    size_t n_sents, cap_sents;
    summ_token_t *toks;
    size_t n_toks, cap_toks;
} summ_docview_t;

/* Builds the view of doc from its sentence, paragraph and (when present)
 * token layers; without a token layer the sentences are tokenised here.
 * DP_ENOTFOUND when the document has no sentence layer. Reuses view's
 * arrays; free with summ_docview_free. */
dp_status summ_docview_build(summ_docview_t *view, dp_doc_t *doc, summ_vocab_t *vocab,
                             bool heading_guard);
void summ_docview_free(summ_docview_t *view);

/* ---- sentence ranking (summ_rank.c) ------------------------------------- */

typedef struct summ_rank_opts {
    size_t budget;            /* sentences to choose */
    double surface_weight;    /* weight of exact (lower-cased) word matches */
    double stem_weight;       /* weight of stem matches */
    double damping;           /* PageRank damping */
    double freq_weight;       /* weight of the term-frequency score */
    double position_weight;   /* weight of the position prior 1/(1+rank) */
    double lead_weight;       /* added to the first eligible sentence (the lead) */
    double redundancy;        /* MMR penalty on similarity to chosen sentences */
    double idf_weight;        /* 0: plain tf; 1: tf-idf with background df */
    size_t max_graph;         /* at most this many candidate sentences (the first ones) */
} summ_rank_opts_t;

typedef struct summ_ranker summ_ranker_t; /* per-worker scratch */
summ_ranker_t *summ_ranker_new(void);
void summ_ranker_free(summ_ranker_t *ranker);

/* Chooses up to opts->budget eligible sentences of view; writes their
 * indexes in document order to out (capacity opts->budget) and their number
 * to *n_out. Scores of all sentences go to scores when it is not NULL
 * (capacity view->n_sents; 0 for sentences outside the graph). */
dp_status summ_rank_sentences(summ_ranker_t *ranker, const summ_docview_t *view,
                              const summ_vocab_t *vocab, const summ_data_t *data,
                              const summ_rank_opts_t *opts, size_t *out, size_t *n_out,
                              double *scores);

/* ---- keyphrases (summ_keys.c) -------------------------------------------- */

typedef struct summ_key_opts {
    size_t count;          /* keyphrases wanted */
    size_t window;         /* co-occurrence window in words */
    size_t max_words;      /* longest phrase */
    double damping;
    double position_weight; /* 0: SingleRank (uniform); 1: PositionRank */
    double idf_weight;      /* exponent of the background idf on word scores */
    double frequency_weight; /* phrase score times occurrences^frequency_weight */
    bool skip_extensions;    /* leave out phrases that extend a picked one */
    double redundancy;       /* share of score lost per already used word */
    bool subphrases;         /* the tails of a noun phrase are candidates too */
    double length_norm;      /* phrase score divided by words^length_norm */
    size_t max_tokens;      /* only the first max_tokens tokens feed the graph */
} summ_key_opts_t;

typedef struct summ_keyphrase {
    size_t start, end; /* the surface form shown: its chosen occurrence */
    double score;
} summ_keyphrase_t;

typedef struct summ_keyer summ_keyer_t; /* per-worker scratch */
summ_keyer_t *summ_keyer_new(void);
void summ_keyer_free(summ_keyer_t *keyer);

/* Ranks keyphrases of view; writes up to opts->count to out (capacity
 * opts->count), best first, and their number to *n_out. */
dp_status summ_keyphrases(summ_keyer_t *keyer, const summ_docview_t *view,
                          const summ_vocab_t *vocab, const summ_data_t *data,
                          const summ_key_opts_t *opts, summ_keyphrase_t *out, size_t *n_out);

#endif
