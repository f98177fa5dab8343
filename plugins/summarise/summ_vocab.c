/* The per-worker vocabulary of the summarise stage: it maps each distinct
 * lower-cased word to an id carrying its Snowball stem, its stop-word flag
 * and its usual part of speech, computing each only the first time the
 * worker meets the word. Stemming is the costly step of the stage (libstemmer
 * runs near 10,000 articles/s alone), so caching stems is what makes the
 * stage fast. One vocabulary per worker and language; never shared. */
#include "summ.h"

#include <libstemmer.h>
#include <string.h>
#include <utf8proc.h>

/* An open-addressing string table: keys live in one arena, slots hold the
 * id + 1 of the key (0 = empty). Ids are dense, in insertion order. */
typedef struct strtab {
    uint32_t *slots;
    size_t n_slots;   /* a power of two */
    char *arena;
    size_t arena_len, arena_cap;
    size_t *offs;     /* key i is arena[offs[i] .. offs[i] + lens[i]) */
    uint32_t *lens;
    uint64_t *hashes;
    uint32_t count, cap;
} strtab_t;

struct summ_vocab {
    const summ_data_t *data;
    const summ_lang_t *lang;
    char code[16];
    struct sb_stemmer *stemmer; /* NULL when libstemmer has no such language */
    bool use_lexicon;           /* English: the WordNet lexicon applies */
    strtab_t words;
    strtab_t stems;
    summ_word_t *recs; /* parallel to words */
    uint32_t recs_cap;
    char *scratch;     /* lower-casing buffer */
    size_t scratch_cap;
};

static void strtab_free(strtab_t *t)
{
    dp_free(t->slots);
    dp_free(t->arena);
    dp_free(t->offs);
    dp_free(t->lens);
    dp_free(t->hashes);
    memset(t, 0, sizeof(*t));
}

static void strtab_clear(strtab_t *t)
{
    if (t->slots != NULL) {
        memset(t->slots, 0, t->n_slots * sizeof(*t->slots));
    }
    t->count = 0;
    t->arena_len = 0;
}

static dp_status strtab_rehash(strtab_t *t, size_t n_slots)
{
    uint32_t *slots = dp_calloc(n_slots, sizeof(*slots));
    if (slots == NULL) {
        return DP_ENOMEM;
    }
    for (uint32_t i = 0; i < t->count; i++) {
        size_t s = (size_t)t->hashes[i] & (n_slots - 1);
        while (slots[s] != 0) {
            s = (s + 1) & (n_slots - 1);
        }
        slots[s] = i + 1;
    }
    dp_free(t->slots);
    t->slots = slots;
    t->n_slots = n_slots;
    return DP_OK;
}

/* Finds key; when absent and add is true, inserts it. *added tells which.
 * Returns the id, or UINT32_MAX (absent, or allocation failure). */
static uint32_t strtab_get(strtab_t *t, const char *key, size_t len, bool add, bool *added)
{
    uint64_t h = dp_hash64(key, len);
    *added = false;
    if (t->n_slots != 0) {
        size_t s = (size_t)h & (t->n_slots - 1);
        while (t->slots[s] != 0) {
            uint32_t id = t->slots[s] - 1;
            if (t->hashes[id] == h && t->lens[id] == len &&
                memcmp(t->arena + t->offs[id], key, len) == 0) {
                return id;
            }
            s = (s + 1) & (t->n_slots - 1);
        }
    }
    if (!add || len > UINT32_MAX || t->count >= UINT32_MAX - 1) {
        return UINT32_MAX;
    }
    if ((size_t)(t->count + 1) * 2 > t->n_slots) {
        if (strtab_rehash(t, t->n_slots ? t->n_slots * 2 : 1024) != DP_OK) {
            return UINT32_MAX;
        }
    }
    if (t->count == t->cap) {
        uint32_t ncap = t->cap ? t->cap * 2 : 512;
        size_t *offs = dp_realloc(t->offs, ncap * sizeof(*offs));
        if (offs == NULL) {
            return UINT32_MAX;
        }
        t->offs = offs;
        uint32_t *lens = dp_realloc(t->lens, ncap * sizeof(*lens));
        if (lens == NULL) {
            return UINT32_MAX;
        }
        t->lens = lens;
        uint64_t *hashes = dp_realloc(t->hashes, ncap * sizeof(*hashes));
        if (hashes == NULL) {
            return UINT32_MAX;
        }
        t->hashes = hashes;
        t->cap = ncap;
    }
    if (t->arena_cap - t->arena_len < len + 1) {
        size_t ncap = t->arena_cap ? t->arena_cap * 2 : 16384;
        while (ncap - t->arena_len < len + 1) {
            ncap *= 2;
        }
        char *arena = dp_realloc(t->arena, ncap);
        if (arena == NULL) {
            return UINT32_MAX;
        }
        t->arena = arena;
        t->arena_cap = ncap;
    }
    uint32_t id = t->count++;
    memcpy(t->arena + t->arena_len, key, len);
    t->arena[t->arena_len + len] = '\0';
    t->offs[id] = t->arena_len;
    t->lens[id] = (uint32_t)len;
    t->hashes[id] = h;
    t->arena_len += len + 1;
    size_t s = (size_t)h & (t->n_slots - 1);
    while (t->slots[s] != 0) {
        s = (s + 1) & (t->n_slots - 1);
    }
    t->slots[s] = id + 1;
    *added = true;
    return id;
}

summ_vocab_t *summ_vocab_new(const summ_data_t *data, const char *lang_code)
{
    summ_vocab_t *v = dp_calloc(1, sizeof(*v));
    if (v == NULL) {
        return NULL;
    }
    v->data = data;
    if (lang_code != NULL) {
        size_t n = strlen(lang_code);
        if (n >= sizeof(v->code)) {
            n = sizeof(v->code) - 1;
        }
        memcpy(v->code, lang_code, n);
        v->lang = summ_data_lang(data, v->code);
        /* libstemmer knows its languages by ISO 639-1 code too ("en"). */
        v->stemmer = sb_stemmer_new(v->code, "UTF_8");
    }
    v->use_lexicon = data->lexicon != NULL && strcmp(v->code, "en") == 0;
    return v;
}

void summ_vocab_free(summ_vocab_t *vocab)
{
    if (vocab == NULL) {
        return;
    }
    if (vocab->stemmer != NULL) {
        sb_stemmer_delete(vocab->stemmer);
    }
    strtab_free(&vocab->words);
    strtab_free(&vocab->stems);
    dp_free(vocab->recs);
    dp_free(vocab->scratch);
    dp_free(vocab);
}

const char *summ_vocab_lang(const summ_vocab_t *vocab)
{
    return vocab->code;
}

bool summ_vocab_capitalised_nouns(const summ_vocab_t *vocab)
{
    return !vocab->use_lexicon && vocab->lang != NULL && vocab->lang->capitalised_nouns;
}

void summ_vocab_trim(summ_vocab_t *vocab, uint32_t limit)
{
    if (vocab->words.count > limit || vocab->stems.count > limit) {
        strtab_clear(&vocab->words);
        strtab_clear(&vocab->stems);
    }
}

/* Lower-cases s into the scratch buffer (ASCII directly, the rest through
 * utf8proc), folding the typographic apostrophe to ' so that "don’t" and
 * "don't" are one word. Returns the length, or SIZE_MAX on failure. */
static size_t lower_into_scratch(summ_vocab_t *v, const char *s, size_t len, uint8_t *flags)
{
    size_t need = len * 2 + 8, out = 0, pos = 0;
    uint8_t f = 0;
    if (v->scratch_cap < need) {
        char *ns = dp_realloc(v->scratch, need);
        if (ns == NULL) {
            return SIZE_MAX;
        }
        v->scratch = ns;
        v->scratch_cap = need;
    }
    while (pos < len) {
        unsigned char b = (unsigned char)s[pos];
        if (b < 0x80) {
            char c = (char)b;
            if (c >= 'A' && c <= 'Z') {
                c = (char)(c - 'A' + 'a');
            }
            if ((c >= 'a' && c <= 'z')) {
                f |= SUMM_W_ALPHA;
            } else if (c >= '0' && c <= '9') {
                f |= SUMM_W_DIGIT;
            }
            if (pos == 0 && (f & (SUMM_W_ALPHA | SUMM_W_DIGIT))) {
                f |= SUMM_W_WORD;
            }
            v->scratch[out++] = c;
            pos++;
            continue;
        }
        size_t at = pos;
        int32_t cp = dp_utf8_next(s, len, &pos);
        if (cp < 0) {
            continue;
        }
        utf8proc_category_t cat = utf8proc_category(cp);
        if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) {
            f |= SUMM_W_ALPHA;
        } else if (cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME) {
            /* combining marks belong to the letter before them */
        } else if (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO) {
            f |= SUMM_W_DIGIT;
        }
        if (at == 0 && (f & (SUMM_W_ALPHA | SUMM_W_DIGIT))) {
            f |= SUMM_W_WORD;
        }
        if (cp == 0x2019) {
            cp = '\'';
        } else {
            cp = utf8proc_tolower(cp);
        }
        out += dp_utf8_encode(cp, v->scratch + out);
    }
    *flags = f;
    return out;
}

/* Part-of-speech evidence for a lower-case English word: the lexicon's row,
 * else the rows of the base forms that morphy's rules reach (a noun rule
 * gives noun evidence only, and so on). False when nothing is known. */
static bool lookup_pos(const summ_vocab_t *v, const char *w, size_t len, summ_pos_t *out)
{
    const summ_pos_t *p = dp_map_get(v->data->lexicon, w, len);
    bool found = p != NULL;
    char base[96];
    memset(out, 0, sizeof(*out));
    /* Like morphy, the word itself and every base form its rules reach both
     * count: "calculated" is an adjective lemma but mostly a verb form. */
    if (p != NULL) {
        *out = *p;
    }
    for (size_t i = 0; i < v->data->n_rules; i++) {
        const summ_morph_rule_t *r = &v->data->rules[i];
        if (len <= r->suffix_len + 1 || len - r->suffix_len + r->ending_len >= sizeof(base) ||
            memcmp(w + len - r->suffix_len, r->suffix, r->suffix_len) != 0) {
            continue;
        }
        size_t bl = len - r->suffix_len;
        memcpy(base, w, bl);
        memcpy(base + bl, r->ending, r->ending_len);
        bl += r->ending_len;
        p = dp_map_get(v->data->lexicon, base, bl);
        if (p == NULL) {
            continue;
        }
        if (r->pos == SUMM_POS_NOUN && p->noun > 0) {
            out->flags |= p->flags; /* "years" is a time noun like "year" */
        }
        if (r->pos == SUMM_POS_NOUN && p->noun > out->noun) {
            out->noun = p->noun;
            found = true;
        } else if (r->pos == SUMM_POS_VERB && p->verb > out->verb) {
            out->verb = p->verb;
            found = true;
        } else if (r->pos == SUMM_POS_ADJ && p->adj > out->adj) {
            out->adj = p->adj;
            found = true;
        }
    }
    return found;
}

/* True for digits ("14", "100") and number words of the lexicon ("eight"). */
static bool is_number_word(const summ_vocab_t *v, const char *w, size_t len)
{
    bool digits = len > 0;
    for (size_t i = 0; i < len; i++) {
        if ((w[i] < '0' || w[i] > '9') && w[i] != ',' && w[i] != '.') {
            digits = false;
        }
    }
    if (digits) {
        return true;
    }
    const summ_pos_t *p = dp_map_get(v->data->lexicon, w, len);
    return p != NULL && (p->flags & SUMM_LEX_NUMBER);
}

/* The usual reading of a word for the chunker. Nouns get a bias of 2 over
 * the concordance counts because the counts come from running text where
 * ambiguous words ("report", "plan") are verbs a little more often than in
 * the noun-heavy stretches keyphrases come from. */
static void classify(summ_vocab_t *v, const char *w, size_t len, summ_word_t *rec)
{
    summ_pos_t p;
    if (rec->flags & (SUMM_W_STOP | SUMM_W_PSTOP)) {
        rec->pos = SUMM_POS_STOP;
        return;
    }
    if (!(rec->flags & SUMM_W_WORD)) {
        rec->pos = SUMM_POS_PUNCT;
        return;
    }
    if (!(rec->flags & SUMM_W_ALPHA)) {
        rec->pos = SUMM_POS_NUM;
        return;
    }
    if (!v->use_lexicon) {
        /* No lexicon for this language: every content word may be part of a
         * phrase (the chunker falls back to stop-word-delimited runs). */
        rec->pos = SUMM_POS_NOUN;
        rec->can_noun = 1;
        rec->can_adj = 1;
        return;
    }
    /* A hyphenated compound reads like its last part ("oil-rich" like
     * "rich"), unless the lexicon knows the whole; but one that ends in a
     * number is a name ("F-14", "A-10") and one that starts with a number
     * is a measure that modifies a noun ("eight-year", "100-meter"). */
    const char *look = w;
    size_t look_len = len;
    if (dp_map_get(v->data->lexicon, w, len) == NULL) {
        const char *dash = NULL, *first_dash = NULL;
        for (size_t i = 0; i + 1 < len; i++) {
            if (w[i] == '-') {
                dash = w + i;
                if (first_dash == NULL) {
                    first_dash = w + i;
                }
            }
        }
        if (dash != NULL) {
            look = dash + 1;
            look_len = len - (size_t)(look - w);
            if (is_number_word(v, look, look_len)) {
                rec->pos = SUMM_POS_NOUN;
                rec->can_noun = 1;
                return;
            }
            if (first_dash > w && is_number_word(v, w, (size_t)(first_dash - w))) {
                rec->pos = SUMM_POS_ADJ;
                rec->can_adj = 1;
                return;
            }
        }
    }
    if (!lookup_pos(v, look, look_len, &p)) {
        /* Unknown words are mostly names and new coinages: nouns, except
         * the unmistakable adverb ending. */
        bool ly = look_len > 4 && memcmp(look + look_len - 2, "ly", 2) == 0;
        rec->pos = ly ? SUMM_POS_ADV : SUMM_POS_NOUN;
        rec->can_noun = !ly;
        return;
    }
    /* The context rule of summ_doc.c reads a word as a noun after a noun
     * ("oil spill") only when the noun reading is not rare: "say" (noun 1,
     * verb 2168 in the concordance) stays a verb in "officials say". */
    if (p.flags & SUMM_LEX_NUMBER) {
        rec->pos = SUMM_POS_NUM;
        return;
    }
    if (p.flags & SUMM_LEX_TIME) {
        rec->pos = SUMM_POS_TIME;
        return;
    }
    rec->can_noun = p.noun > 0 && (uint64_t)p.noun * 8 >= p.verb;
    rec->can_adj = p.adj > 0;
    uint64_t n = (uint64_t)p.noun * 2, vb = p.verb, a = p.adj, r = p.adv;
    if (n > 0 && n >= vb && n >= a && n >= r) {
        rec->pos = SUMM_POS_NOUN;
    } else if (a > 0 && a >= vb && a >= r) {
        rec->pos = SUMM_POS_ADJ;
    } else if (vb > 0 && vb >= r) {
        rec->pos = SUMM_POS_VERB;
    } else {
        rec->pos = SUMM_POS_ADV;
    }
}

uint32_t summ_vocab_word(summ_vocab_t *vocab, const char *s, size_t len)
{
    uint8_t flags = 0;
    bool added;
    size_t lo = lower_into_scratch(vocab, s, len, &flags);
    if (lo == SIZE_MAX) {
        return UINT32_MAX;
    }
    uint32_t id = strtab_get(&vocab->words, vocab->scratch, lo, false, &added);
    if (id != UINT32_MAX) {
        return id;
    }
    id = strtab_get(&vocab->words, vocab->scratch, lo, true, &added);
    if (id == UINT32_MAX) {
        return UINT32_MAX;
    }
    if (vocab->recs_cap < vocab->words.cap) {
        summ_word_t *recs = dp_realloc(vocab->recs, (size_t)vocab->words.cap * sizeof(*recs));
        if (recs == NULL) {
            /* Forget the half-added word: rebuilding the slots from the
             * first count keys drops it. */
            vocab->words.count--;
            strtab_rehash(&vocab->words, vocab->words.n_slots);
            return UINT32_MAX;
        }
        vocab->recs = recs;
        vocab->recs_cap = vocab->words.cap;
    }
    summ_word_t *rec = &vocab->recs[id];
    memset(rec, 0, sizeof(*rec));
    rec->flags = flags;
    const char *w = vocab->words.arena + vocab->words.offs[id];
    if (vocab->lang != NULL && vocab->lang->stop != NULL &&
        dp_map_get(vocab->lang->stop, w, lo) != NULL) {
        rec->flags |= SUMM_W_STOP;
    }
    if (vocab->lang != NULL && vocab->lang->phrase_stop != NULL &&
        dp_map_get(vocab->lang->phrase_stop, w, lo) != NULL) {
        rec->flags |= SUMM_W_PSTOP;
    }
    if ((rec->flags & SUMM_W_WORD) && !(rec->flags & SUMM_W_STOP)) {
        rec->flags |= SUMM_W_CONTENT;
    }
    /* The stem: Snowball's for words with letters, the word itself else. */
    const char *stem = w;
    size_t stem_len = lo;
    if (vocab->stemmer != NULL && (flags & SUMM_W_ALPHA) && lo < 256) {
        const sb_symbol *st = sb_stemmer_stem(vocab->stemmer, (const sb_symbol *)w, (int)lo);
        if (st != NULL) {
            stem = (const char *)st;
            stem_len = (size_t)sb_stemmer_length(vocab->stemmer);
        }
    }
    uint32_t sid = strtab_get(&vocab->stems, stem, stem_len, true, &added);
    if (sid == UINT32_MAX) {
        vocab->words.count--;
        strtab_rehash(&vocab->words, vocab->words.n_slots);
        return UINT32_MAX;
    }
    rec = &vocab->recs[id];
    rec->stem = sid;
    classify(vocab, vocab->words.arena + vocab->words.offs[id], lo, rec);
    return id;
}

const summ_word_t *summ_vocab_get(const summ_vocab_t *vocab, uint32_t id)
{
    return &vocab->recs[id];
}

const char *summ_vocab_text(const summ_vocab_t *vocab, uint32_t id, size_t *len)
{
    if (len != NULL) {
        *len = vocab->words.lens[id];
    }
    return vocab->words.arena + vocab->words.offs[id];
}

const char *summ_vocab_stem_text(const summ_vocab_t *vocab, uint32_t stem, size_t *len)
{
    if (len != NULL) {
        *len = vocab->stems.lens[stem];
    }
    return vocab->stems.arena + vocab->stems.offs[stem];
}

uint32_t summ_vocab_word_count(const summ_vocab_t *vocab)
{
    return vocab->words.count;
}

uint32_t summ_vocab_stem_count(const summ_vocab_t *vocab)
{
    return vocab->stems.count;
}
