/* The lexical data that decides line-end hyphens: an English word list (from
 * Debian's wamerican and wbritish, shipped in configs/normalise/) and Liang's
 * hyphenation patterns (Debian's hyphen-en-us, hyph_en_US.dic). Both are
 * loaded once at init into read-only hash maps shared by every worker. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>
#include <utf8proc.h>

#include "docpipe/alloc.h"
#include "docpipe/hash.h"
#include "docpipe/utf8.h"
#include "nz.h"

/* Longest word the lexicon looks at; longer "words" are never split. */
#define NZ_MAX_WORD 64

struct nz_lexicon {
    dp_map_t *words;    /* lowercase word -> (void *)1 */
    dp_map_t *patterns; /* pattern letters, and their shorter starts -> record (new_record) */
    int left_min, right_min;
    size_t max_pattern; /* longest pattern, in bytes of letters */
    unsigned char **digits; /* owned digit arrays, freed with the lexicon */
    size_t n_digits, cap_digits;
    unsigned long serial; /* tells lexicons apart in the break memo */
};

/* Serial numbers of loaded lexicons, so that a memo never takes a new
 * lexicon at a freed one's address for the old one. */
static atomic_ulong lexicon_serial;

static dp_status load_words(nz_lexicon_t *lex, const char *path, char *err, size_t errcap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errcap, "%s: cannot open word list", path);
        return DP_EIO;
    }
    char line[256];
    dp_status rc = DP_OK;
    while (fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\r\n");
        line[n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        for (size_t i = 0; i < n; i++)
            line[i] = (char)tolower((unsigned char)line[i]);
        if ((rc = dp_map_put(lex->words, line, n, (void *)1)) != DP_OK)
            break;
    }
    fclose(f);
    if (rc != DP_OK)
        snprintf(err, errcap, "%s: out of memory", path);
    return rc;
}

/* A record of the patterns map, owned by the lexicon: byte 0 holds the
 * REC_ flags, then (REC_PATTERN) the pattern's values. */
enum { REC_PATTERN = 1, /* the letters are a pattern */
       REC_LONGER = 2   /* and a longer pattern starts with them */ };

static unsigned char *new_record(nz_lexicon_t *lex, size_t n)
{
    if (lex->n_digits == lex->cap_digits) {
        size_t cap = lex->cap_digits ? lex->cap_digits * 2 : 1024;
        unsigned char **p = dp_realloc(lex->digits, cap * sizeof *p);
        if (!p)
            return NULL;
        lex->digits = p;
        lex->cap_digits = cap;
    }
    unsigned char *d = dp_malloc(n);
    if (d)
        lex->digits[lex->n_digits++] = d;
    return d;
}

static dp_status load_patterns(nz_lexicon_t *lex, const char *path, char *err, size_t errcap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errcap, "%s: cannot open hyphenation patterns", path);
        return DP_EIO;
    }
    char line[512];
    dp_status rc = DP_OK;
    bool first = true;
    while (fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\r\n");
        line[n] = '\0';
        if (first) { /* the first line names the character set */
            first = false;
            continue;
        }
        if (n == 0 || line[0] == '%' || line[0] == '#')
            continue;
        if (strncmp(line, "LEFTHYPHENMIN", 13) == 0) {
            lex->left_min = (int)strtol(line + 13, NULL, 10);
            continue;
        }
        if (strncmp(line, "RIGHTHYPHENMIN", 14) == 0) {
            lex->right_min = (int)strtol(line + 14, NULL, 10);
            continue;
        }
        /* Keywords in capitals and non-standard patterns (with '/') are not
         * Liang patterns. */
        if (isupper((unsigned char)line[0]) || strchr(line, '/'))
            continue;
        /* letters: the pattern's letters as UTF-8 (the map key); dig[k]:
         * the value before its k-th letter, counted in code points. */
        char letters[512];
        unsigned char dig[512];
        size_t nl = 0, nb = 0;
        memset(dig, 0, sizeof dig);
        for (size_t i = 0; i < n; i++) {
            if (line[i] >= '0' && line[i] <= '9') {
                dig[nl] = (unsigned char)(line[i] - '0');
                continue;
            }
            letters[nb++] = line[i];
            if (((unsigned char)line[i] & 0xC0u) != 0x80u)
                nl++; /* a code point starts here */
        }
        if (nl == 0)
            continue;
        if (nl > lex->max_pattern)
            lex->max_pattern = nl;
        const unsigned char *old = dp_map_get(lex->patterns, letters, nb);
        unsigned char *d = new_record(lex, nl + 2);
        if (!d) {
            rc = DP_ENOMEM;
            break;
        }
        d[0] = (unsigned char)(REC_PATTERN | (old ? old[0] & REC_LONGER : 0));
        memcpy(d + 1, dig, nl + 1);
        if ((rc = dp_map_put(lex->patterns, letters, nb, d)) != DP_OK)
            break;
        /* Its shorter starts, so that matching stops where no pattern goes
         * on. */
        for (size_t k = 1; k < nb && rc == DP_OK; k++) {
            if (((unsigned char)letters[k] & 0xC0u) == 0x80u)
                continue;
            unsigned char *e = dp_map_get(lex->patterns, letters, k);
            if (e) {
                e[0] |= REC_LONGER;
                continue;
            }
            if (!(e = new_record(lex, 1))) {
                rc = DP_ENOMEM;
                break;
            }
            e[0] = REC_LONGER;
            rc = dp_map_put(lex->patterns, letters, k, e);
        }
        if (rc != DP_OK)
            break;
    }
    fclose(f);
    if (rc != DP_OK)
        snprintf(err, errcap, "%s: out of memory", path);
    return rc;
}

dp_status nz_lexicon_load(const char *words_path, const char *patterns_path, nz_lexicon_t **out,
                          char *err, size_t errcap)
{
    dp_status rc = DP_ENOMEM;
    nz_lexicon_t *lex = dp_calloc(1, sizeof *lex);
    if (lex)
        lex->serial = atomic_fetch_add(&lexicon_serial, 1) + 1;
    if (!lex)
        goto fail;
    lex->left_min = 2;
    lex->right_min = 3;
    if (!(lex->words = dp_map_new()) || !(lex->patterns = dp_map_new()))
        goto fail;
    if (words_path && (rc = load_words(lex, words_path, err, errcap)) != DP_OK)
        goto fail;
    if (patterns_path && (rc = load_patterns(lex, patterns_path, err, errcap)) != DP_OK)
        goto fail;
    *out = lex;
    return DP_OK;
fail:
    if (rc == DP_ENOMEM)
        snprintf(err, errcap, "out of memory loading the lexicon");
    nz_lexicon_free(lex);
    return rc;
}

void nz_lexicon_free(nz_lexicon_t *lex)
{
    if (!lex)
        return;
    dp_map_free(lex->words);
    dp_map_free(lex->patterns);
    for (size_t i = 0; i < lex->n_digits; i++)
        dp_free(lex->digits[i]);
    dp_free(lex->digits);
    dp_free(lex);
}

static bool has_exact(const nz_lexicon_t *lex, const char *w, size_t n)
{
    return n > 0 && dp_map_get(lex->words, w, n) != NULL;
}

bool nz_lexicon_has(const nz_lexicon_t *lex, const char *w, size_t len)
{
    char b[NZ_MAX_WORD + 4];
    if (!lex || len == 0 || len > NZ_MAX_WORD)
        return false;
    for (size_t i = 0; i < len; i++)
        b[i] = (char)tolower((unsigned char)w[i]);
    if (has_exact(lex, b, len))
        return true;
    /* Regular inflections the list may lack: plural and 3rd person -s/-es,
     * -ed, -ing (with a dropped e or a doubled consonant), adverbs in -ly. */
    struct { const char *suffix; const char *add; } rules[] = {
        {"s", ""}, {"es", ""}, {"ies", "y"}, {"ed", ""}, {"ed", "e"}, {"ied", "y"},
        {"ing", ""}, {"ing", "e"}, {"ly", ""}, {"ally", ""}, {"ily", "y"}, {"ness", ""},
        {"ment", ""}, {"ments", ""},
    };
    for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++) {
        size_t sl = strlen(rules[r].suffix), al = strlen(rules[r].add);
        if (len <= sl + 2 || memcmp(b + len - sl, rules[r].suffix, sl) != 0)
            continue;
        char t[NZ_MAX_WORD + 4];
        size_t stem = len - sl;
        memcpy(t, b, stem);
        memcpy(t + stem, rules[r].add, al);
        if (has_exact(lex, t, stem + al))
            return true;
        /* stopped -> stop, running -> run */
        if (al == 0 && stem >= 3 && t[stem - 1] == t[stem - 2] && has_exact(lex, t, stem - 1))
            return true;
    }
    return false;
}

/* The pattern values of one word, kept for the next call: unwrap asks
 * about several break points of the same joined word in a row, and the
 * values do not depend on the point. One per thread, as the workers share
 * the lexicon. */
typedef struct break_memo {
    unsigned long serial; /* lexicon; 0: empty */
    size_t len;
    char w[NZ_MAX_WORD];
    bool ok;                            /* valid UTF-8 */
    size_t letters;                     /* code points of the word */
    unsigned char cp_at[NZ_MAX_WORD + 1]; /* code points before byte k, or 0xFF
                                           * where k is inside a character */
    unsigned char v[NZ_MAX_WORD + 4];
} break_memo_t;
static _Thread_local break_memo_t memo;

/* Fills m with the values of w[0..len) (0 < len <= NZ_MAX_WORD). */
static void memo_fill(const nz_lexicon_t *lex, const char *w, size_t len, break_memo_t *m)
{
    m->serial = lex->serial;
    m->len = len;
    memcpy(m->w, w, len);
    m->ok = false;
    memset(m->cp_at, 0xFF, sizeof m->cp_at);
    /* ".word." in lowercase UTF-8; off[k] is the byte offset of its k-th
     * code point, so patterns are matched on code point boundaries and
     * their values land on the gaps between letters. */
    char b[4 * NZ_MAX_WORD + 8];
    size_t off[NZ_MAX_WORD + 4];
    size_t nb = 0, n = 0;
    off[n++] = nb;
    b[nb++] = '.';
    size_t i = 0;
    while (i < len) {
        m->cp_at[i] = (unsigned char)(n - 1); /* letters before i */
        int32_t c = dp_utf8_next(w, len, &i);
        if (c < 0)
            return;
        c = utf8proc_tolower(c);
        off[n++] = nb;
        nb += dp_utf8_encode(c, b + nb);
    }
    m->letters = n - 1;
    off[n++] = nb;
    b[nb++] = '.';
    off[n] = nb;
    memset(m->v, 0, sizeof m->v);
    for (size_t p = 0; p < n; p++) {
        for (size_t q = p + 1; q <= n && q - p <= lex->max_pattern; q++) {
            const unsigned char *d = dp_map_get(lex->patterns, b + off[p], off[q] - off[p]);
            if (!d)
                break; /* no pattern starts with these letters */
            if (d[0] & REC_PATTERN)
                for (size_t k = 0; k <= q - p; k++)
                    if (d[1 + k] > m->v[p + k])
                        m->v[p + k] = d[1 + k];
            if (!(d[0] & REC_LONGER))
                break;
        }
    }
    m->ok = true;
}

bool nz_lexicon_can_break(const nz_lexicon_t *lex, const char *w, size_t len, size_t at)
{
    if (!lex || dp_map_count(lex->patterns) == 0 || len == 0 || len > NZ_MAX_WORD || at == 0 ||
        at >= len)
        return false;
    break_memo_t *m = &memo;
    if (m->serial != lex->serial || m->len != len || memcmp(m->w, w, len) != 0)
        memo_fill(lex, w, len, m);
    if (!m->ok)
        return false;
    size_t at_cp = m->cp_at[at] == 0xFF ? 0 : m->cp_at[at];
    if (at_cp == 0 || (int)at_cp < lex->left_min || (int)(m->letters - at_cp) < lex->right_min)
        return false;
    /* v[k] is the value of the gap before the k-th code point of ".word.";
     * the break comes before letter at_cp, code point at_cp + 1. */
    return (m->v[at_cp + 1] & 1u) != 0;
}
