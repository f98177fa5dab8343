/* Language identification for meta.language: the text's most frequent
 * character n-grams (1 to 5 code points of "_word_"), ranked, against each
 * language's ranked fingerprint, by the "out-of-place" distance of Cavnar &
 * Trenkle (1994), as libtextcat does. The fingerprints are libexttextcat's
 * (configs/lang/profiles/, see the README there), so no library is needed
 * at run time and users can add a language by dropping in a .lm file.
 * A text whose first 512 bytes already put one profile far ahead is not
 * read further (decide_early); others are read to 1 KB, as before. */
#include "language.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "docpipe/alloc.h"

/* N-grams of at most 5 code points of at most 4 bytes. */
enum {
    NGRAM_MAX_CP = 5,
    NGRAM_KEY = 20,
    PROFILE_MAX = 400,  /* fingerprint length, as libtextcat's */
    TEXT_MAX = 1024,    /* bytes of text read */
    TEXT_SLOTS = 4096,  /* n-gram table of one text: power of two */
    MIN_LETTERS = 20,
    WORD_MAX_CP = 32,
    KEY_PAD = 24,       /* NGRAM_KEY rounded up to 8 bytes */
    CHECK_AT = 512,     /* bytes read before an early answer may be given */
    LEAD_PERMILLE = 40, /* its lead over the runner-up: see decide_early */
    DENSE_MIN = 8,      /* profiles an n-gram is in to get a dense row */
    DENSE_LANG_MAX = 256, /* more profiles than this: postings only */
    DENSE_FLUSH = 128,  /* dense n-grams summed in 16 bits: 128 * 400 fits */
    BLOOM_BITS_LOG2 = 19 /* 64 KB of filter bits */
};
#define NO_RANK UINT16_MAX

typedef struct gram {
    char key[NGRAM_KEY];
    uint8_t len;
    uint32_t value; /* row in the rank matrix (models) or count (text) */
    bool used;
} gram_t;

/* An n-gram of the text being identified, kept densely in order of first
 * appearance; the text's open-addressing table (TEXT_SLOTS slots of 16-bit
 * entry numbers) only points at them, so a call zeroes 8 KB, not a whole
 * table of keys, and the slot of every n-gram (which orders ties) is that of
 * a plain table probed the same way. Its key is a run of the text's word
 * bytes (the arena below), so nothing is copied and a call's data stay in
 * the first-level cache. */
typedef struct tgram {
    uint32_t hash;
    uint16_t off;   /* key: arena[off .. off + len) */
    uint16_t count;
    uint16_t slot;  /* its slot in the table */
    uint8_t len;
} tgram_t;

enum { TEXT_GRAMS = TEXT_SLOTS / 4 * 3 }; /* new n-grams stop at 3/4 full */
/* A slot holds its entry number + 1 (under 4096) in the low 12 bits and bits
 * 12..15 of the n-gram's hash (the slot index used bits 0..11) in the top
 * four, so a probe passes over fifteen of sixteen other n-grams without
 * reading their entries. */
enum { ENTRY_MASK = 0x0FFF, TAG_MASK = 0xF000 };
_Static_assert((int)TEXT_GRAMS <= (int)ENTRY_MASK && (int)TEXT_SLOTS == 4096, "entry numbers fit 12 bits");

/* One slot of the run-time model table: an n-gram's hash and its row + 1
 * (0: empty). Eight bytes, so the probes of a document stay in cache. */
typedef struct mslot {
    uint32_t hash;
    uint32_t row1;
} mslot_t;

struct nz_language {
    size_t nlang;
    char **stems;     /* nlang file names without ".lm": "sr-Cyrl" */
    char **codes;     /* nlang language codes: the stem up to its '-': "sr" */
    /* While loading: */
    gram_t *table;    /* open addressing, cap slots: n-gram -> row */
    size_t cap, rows, rows_cap;
    uint16_t *ranks;  /* rows x nlang: rank of the n-gram in each language */
    /* Built once from those at the end of the load, read by every call: an
     * n-gram's row gives the (language, rank) pairs of the profiles that
     * have it, so a document's n-gram is looked up once and touches only
     * the languages that know it (most n-grams are in a few profiles). */
    mslot_t *slots;   /* smask + 1 slots */
    size_t smask;
    char (*keys)[KEY_PAD]; /* rows keys, zero-padded */
    uint32_t *post_start; /* rows + 1 offsets into post */
    uint32_t *post;   /* language << 16 | rank */
    /* The n-grams most profiles share (the top of every text's ranking) as
     * dense rows of lpad ranks, NO_RANK where a profile lacks it, so that
     * their distances are one vectorised loop instead of a walk of
     * postings: dense_row[row] is the dense row + 1, or 0 (postings). */
    uint32_t *dense_row;
    uint16_t *dense;
    size_t lpad;
    /* One bit per n-gram hash (bloom_bit) of the model's n-grams: most of a
     * text's ranked n-grams are in no profile, and this 64 KB answers for
     * them without touching the larger slot table. */
    uint64_t *bloom;
};

static uint32_t hash_key(const char *k, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)k[i];
        h *= 16777619u;
    }
    return h;
}

/* Finds the slot of key in table (cap a power of two): the slot holding it,
 * or the empty slot where it goes; NULL when the table is full. */
static gram_t *slot_of(gram_t *table, size_t cap, const char *key, size_t n) {
    size_t mask = cap - 1, i = hash_key(key, n) & mask;
    for (size_t probes = 0; probes < cap; probes++, i = (i + 1) & mask) {
        gram_t *g = &table[i];
        if (!g->used || (g->len == n && memcmp(g->key, key, n) == 0))
            return g;
    }
    return NULL;
}

static int cmp_code(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Reads one .lm file into the rank matrix column lang_index. */
static dp_status load_profile(nz_language_t *L, size_t lang_index, const char *path, char *err,
                              size_t errcap) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errcap, "%s: cannot open (%s)", path, strerror(errno));
        return DP_EIO;
    }
    char line[256];
    size_t rank = 0, lineno = 0;
    dp_status rc = DP_OK;
    while (rank < PROFILE_MAX && fgets(line, sizeof line, f)) {
        lineno++;
        size_t n = strcspn(line, "\t \r\n");
        if (n == 0 || line[0] == '#')
            continue;
        if (n >= NGRAM_KEY) {
            snprintf(err, errcap, "%s: line %zu: n-gram too long (expected 'NGRAM<TAB>COUNT')",
                     path, lineno);
            rc = DP_EFORMAT;
            goto fail;
        }
        gram_t *g = slot_of(L->table, L->cap, line, n);
        if (!g) {
            snprintf(err, errcap, "%s: too many n-grams", path);
            rc = DP_ELIMIT;
            goto fail;
        }
        if (!g->used) {
            if (L->rows == L->rows_cap) {
                size_t nc = L->rows_cap ? L->rows_cap * 2 : 1024;
                uint16_t *r = dp_realloc(L->ranks, nc * L->nlang * sizeof *r);
                if (!r) {
                    snprintf(err, errcap, "%s: out of memory", path);
                    rc = DP_ENOMEM;
                    goto fail;
                }
                memset(r + L->rows_cap * L->nlang, 0xFF, (nc - L->rows_cap) * L->nlang * sizeof *r);
                L->ranks = r;
                L->rows_cap = nc;
            }
            g->used = true;
            memcpy(g->key, line, n);
            g->len = (uint8_t)n;
            g->value = (uint32_t)L->rows++;
        }
        uint16_t *r = &L->ranks[(size_t)g->value * L->nlang + lang_index];
        if (*r == NO_RANK)
            *r = (uint16_t)rank;
        rank++;
    }
fail:
    fclose(f);
    return rc;
}

static inline uint32_t bloom_bit(uint32_t h) {
    return (h * 0x9E3779B1u) >> (32 - BLOOM_BITS_LOG2);
}

/* Builds the run-time tables (slots, keys, postings) from the load-time
 * matrix and frees the matrix. Postings keep the matrix's ranks, the first
 * rank of an n-gram that a profile lists twice. */
static dp_status finish_load(nz_language_t *L) {
    size_t rows = L->rows, nl = L->nlang, npost = 0;
    for (size_t i = 0; i < rows * nl; i++)
        npost += L->ranks[i] != NO_RANK;
    size_t scap = 16;
    while (scap < rows * 2)
        scap <<= 1;
    L->smask = scap - 1;
    L->slots = dp_calloc(scap, sizeof *L->slots);
    L->keys = dp_calloc(rows ? rows : 1, sizeof *L->keys);
    L->post_start = dp_malloc((rows + 1) * sizeof *L->post_start);
    L->post = dp_malloc((npost ? npost : 1) * sizeof *L->post);
    L->bloom = dp_calloc((size_t)1 << (BLOOM_BITS_LOG2 - 6), sizeof *L->bloom);
    if (!L->slots || !L->keys || !L->post_start || !L->post || !L->bloom)
        return DP_ENOMEM;
    for (size_t i = 0; i < L->cap; i++) {
        const gram_t *g = &L->table[i];
        if (!g->used)
            continue;
        memcpy(L->keys[g->value], g->key, g->len);
        uint32_t h = hash_key(g->key, g->len);
        size_t j = h & L->smask;
        while (L->slots[j].row1)
            j = (j + 1) & L->smask;
        L->slots[j].hash = h;
        L->slots[j].row1 = g->value + 1;
        L->bloom[bloom_bit(h) >> 6] |= 1ull << (bloom_bit(h) & 63);
    }
    size_t k = 0;
    for (size_t r = 0; r < rows; r++) {
        L->post_start[r] = (uint32_t)k;
        for (size_t l = 0; l < nl; l++) {
            uint16_t v = L->ranks[r * nl + l];
            if (v != NO_RANK)
                L->post[k++] = (uint32_t)l << 16 | v;
        }
    }
    L->post_start[rows] = (uint32_t)k;
    /* Dense rows for the n-grams in DENSE_MIN profiles or more. */
    L->lpad = (nl + 15) & ~(size_t)15;
    size_t ndense = 0;
    if (L->lpad <= DENSE_LANG_MAX) {
        L->dense_row = dp_calloc(rows ? rows : 1, sizeof *L->dense_row);
        if (!L->dense_row)
            return DP_ENOMEM;
        for (size_t r = 0; r < rows; r++)
            if (L->post_start[r + 1] - L->post_start[r] >= DENSE_MIN)
                L->dense_row[r] = (uint32_t)++ndense;
        L->dense = dp_malloc((ndense ? ndense : 1) * L->lpad * sizeof *L->dense);
        if (!L->dense)
            return DP_ENOMEM;
        memset(L->dense, 0xFF, (ndense ? ndense : 1) * L->lpad * sizeof *L->dense);
        for (size_t r = 0; r < rows; r++) {
            if (!L->dense_row[r])
                continue;
            uint16_t *d = L->dense + (size_t)(L->dense_row[r] - 1) * L->lpad;
            for (uint32_t p = L->post_start[r]; p < L->post_start[r + 1]; p++)
                d[L->post[p] >> 16] = (uint16_t)(L->post[p] & 0xFFFFu);
        }
    }
    dp_free(L->table);
    dp_free(L->ranks);
    L->table = NULL;
    L->ranks = NULL;
    return DP_OK;
}

dp_status nz_language_load(const char *dir, nz_language_t **out, char *err, size_t errcap) {
    if (!dir || !out || !err || errcap == 0)
        return DP_EINVAL;
    *out = NULL;
    err[0] = '\0';
    dp_status rc = DP_ENOMEM;
    char *path = NULL;
    nz_language_t *L = dp_calloc(1, sizeof *L);
    if (!L)
        goto fail;
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errcap, "%s: cannot open language profiles (%s)", dir, strerror(errno));
        rc = DP_EIO;
        goto fail;
    }
    size_t capc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 4 || strcmp(e->d_name + n - 3, ".lm") != 0 || e->d_name[0] == '.')
            continue;
        if (L->nlang == capc) {
            size_t nc = capc ? capc * 2 : 64;
            char **stems = dp_realloc(L->stems, nc * sizeof *stems);
            if (!stems) {
                closedir(d);
                goto fail;
            }
            L->stems = stems;
            capc = nc;
        }
        L->stems[L->nlang] = dp_strndup(e->d_name, n - 3);
        if (!L->stems[L->nlang]) {
            closedir(d);
            goto fail;
        }
        L->nlang++;
    }
    closedir(d);
    if (L->nlang == 0) {
        snprintf(err, errcap, "%s: no language profiles (expected <code>.lm files)", dir);
        rc = DP_ENOTFOUND;
        goto fail;
    }
    /* Sorted, so ties and the result never depend on the folder's order. */
    qsort(L->stems, L->nlang, sizeof *L->stems, cmp_code);
    /* Script variants ("sr-Cyrl", "sr-Latn", "zh-Hans") report one code. */
    L->codes = dp_calloc(L->nlang, sizeof *L->codes);
    if (!L->codes)
        goto fail;
    for (size_t i = 0; i < L->nlang; i++) {
        L->codes[i] = dp_strndup(L->stems[i], strcspn(L->stems[i], "-"));
        if (!L->codes[i])
            goto fail;
    }

    size_t most = L->nlang * PROFILE_MAX;
    L->cap = 1;
    while (L->cap < most * 2)
        L->cap <<= 1;
    L->table = dp_calloc(L->cap, sizeof *L->table);
    if (!L->table)
        goto fail;
    size_t dl = strlen(dir);
    for (size_t i = 0; i < L->nlang; i++) {
        size_t cl = strlen(L->stems[i]);
        dp_free(path);
        path = dp_malloc(dl + cl + 5);
        if (!path)
            goto fail;
        memcpy(path, dir, dl);
        path[dl] = '/';
        memcpy(path + dl + 1, L->stems[i], cl);
        memcpy(path + dl + 1 + cl, ".lm", 4);
        rc = load_profile(L, i, path, err, errcap);
        if (rc != DP_OK)
            goto fail;
    }
    dp_free(path);
    path = NULL;
    rc = DP_ENOMEM;
    if (L->nlang > UINT16_MAX || finish_load(L) != DP_OK)
        goto fail;
    *out = L;
    return DP_OK;

fail:
    if (rc == DP_ENOMEM && !err[0])
        snprintf(err, errcap, "%s: out of memory loading language profiles", dir);
    dp_free(path);
    nz_language_free(L);
    return rc;
}

void nz_language_free(nz_language_t *L) {
    if (!L)
        return;
    for (size_t i = 0; i < L->nlang; i++) {
        dp_free(L->stems ? L->stems[i] : NULL);
        dp_free(L->codes ? L->codes[i] : NULL);
    }
    dp_free(L->stems);
    dp_free(L->codes);
    dp_free(L->table);
    dp_free(L->ranks);
    dp_free(L->slots);
    dp_free(L->keys);
    dp_free(L->post_start);
    dp_free(L->post);
    dp_free(L->dense_row);
    dp_free(L->dense);
    dp_free(L->bloom);
    dp_free(L);
}

static bool is_word_cp(int32_t cp) {
    if (cp < 0x80)
        return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
    utf8proc_category_t c = utf8proc_category(cp);
    return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_ME;
}

/* The n-grams of one text: entries in order of first appearance, the table
 * of TEXT_SLOTS slots (entry number + 1, 0: empty) that finds them, and the
 * words' bytes ("_word_", folded) that their keys point into. A word is at
 * most 34 code points of at most 4 bytes, and the TEXT_MAX bytes read hold
 * at most TEXT_MAX letters and TEXT_MAX / 2 + 1 words. */
enum { ARENA = TEXT_MAX * 6 + (WORD_MAX_CP + 2) * 4 };
typedef struct text_grams {
    uint16_t idx[TEXT_SLOTS];
    tgram_t g[TEXT_GRAMS];
    size_t used, alen;
    uint8_t arena[ARENA];
} text_grams_t;

/* Whether the n keys at a and b are equal; both may be read up to eight
 * bytes past their end (count_word leaves zeros after each word). */
static inline bool same_key(const uint8_t *a, const uint8_t *b, size_t n) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    size_t j = 0;
    for (; j + 8 <= n; j += 8) {
        uint64_t x, y;
        memcpy(&x, a + j, 8);
        memcpy(&y, b + j, 8);
        if (x != y)
            return false;
    }
    if (j == n)
        return true;
    uint64_t x, y;
    memcpy(&x, a + j, 8);
    memcpy(&y, b + j, 8);
    return ((x ^ y) & (~0ull >> (64 - 8 * (n - j)))) == 0; /* the first n - j bytes */
#else
    return memcmp(a, b, n) == 0;
#endif
}

/* Counts the n-grams of one padded word cps[0..n) ("_", letters, "_") into
 * t; new ones stop at three quarters full, which keeps probes short (a text
 * of TEXT_MAX bytes rarely gets there). The word is encoded once into the
 * arena; a key is a run of its bytes and its FNV-1a hash grows with it, byte
 * by byte, so each n-gram lands in the slot a table hashing the whole key
 * would give it. */
static void count_word(text_grams_t *t, const int32_t *cps, size_t n) {
    if (t->alen + n * 4 + 8 > ARENA)
        return; /* cannot happen: see ARENA */
    uint8_t *bytes = t->arena + t->alen;
    size_t off[WORD_MAX_CP + 3];
    size_t bl = 0;
    for (size_t p = 0; p < n; p++) {
        off[p] = bl;
        if (cps[p] < 0x80) {
            bytes[bl++] = (uint8_t)cps[p];
            continue;
        }
        utf8proc_ssize_t b = utf8proc_encode_char(cps[p], bytes + bl);
        if (b <= 0)
            return; /* not a scalar value: utf8proc never yields one */
        bl += (size_t)b;
    }
    off[n] = bl;
    /* Eight zero bytes after the word: keys are compared eight bytes at a
     * time (same_key), which may read that far past the last one. */
    memset(bytes + bl, 0, 8);
    const size_t mask = TEXT_SLOTS - 1;
    for (size_t p = 0; p < n; p++) {
        uint32_t h = 2166136261u;
        const uint8_t *key = bytes + off[p];
        size_t kl = 0;
        for (size_t k = 0; k < NGRAM_MAX_CP && p + k < n; k++) {
            for (size_t e = off[p + k + 1] - off[p]; kl < e; kl++) {
                h ^= key[kl];
                h *= 16777619u;
            }
            size_t i = h & mask;
            const uint16_t tag = (uint16_t)(h & TAG_MASK);
            tgram_t *g = NULL;
            for (;;) {
                uint16_t e = t->idx[i];
                if (e == 0)
                    break;
                if ((e & TAG_MASK) != tag)
                    goto next; /* another hash: its entry is not read */
                tgram_t *c = &t->g[(e & ENTRY_MASK) - 1];
                if (c->hash == h && c->len == kl && same_key(t->arena + c->off, key, kl)) {
                    g = c;
                    break;
                }
            next:
                i = (i + 1) & mask;
            }
            if (!g) {
                if (t->used >= TEXT_GRAMS)
                    continue;
                g = &t->g[t->used++];
                t->idx[i] = (uint16_t)(tag | t->used);
                g->hash = h;
                g->off = (uint16_t)(key - t->arena);
                g->len = (uint8_t)kl;
                g->slot = (uint16_t)i;
                g->count = 0;
            }
            if (g->count < UINT16_MAX)
                g->count++;
        }
    }
    t->alen += bl;
}

/* Row of the n-gram key[0..n) in the model, or -1. */
static long model_row(const nz_language_t *L, const char *key, uint32_t h) {
    for (size_t i = h & L->smask;; i = (i + 1) & L->smask) {
        const mslot_t *s = &L->slots[i];
        if (!s->row1)
            return -1;
        /* Keys hold no NUL bytes, so equal padded keys have equal lengths */
        if (s->hash == h && memcmp(L->keys[s->row1 - 1], key, KEY_PAD) == 0)
            return (long)s->row1 - 1;
    }
}

/* The text's fingerprint: the entries of its PROFILE_MAX most frequent
 * n-grams, most frequent first, into order; returns how many. Ties go in the
 * order of the n-grams' slots in the table, which depends only on the text,
 * so the result is deterministic. Most n-grams of a text occur once: they
 * come last and only the first few are needed. So the others are ranked by
 * a counting sort (stable, in slot order; a comparison sort of thousands of
 * n-grams cost more than everything else), and the single ones fill the
 * places left in slot order, until the fingerprint is full. */
static size_t rank_grams(const text_grams_t *t, uint16_t *order) {
    uint64_t many[TEXT_SLOTS / 64] = {0}, once[TEXT_SLOTS / 64] = {0};
    uint32_t maxc = 1;
    for (size_t e = 0; e < t->used; e++) {
        const uint32_t c = t->g[e].count, s = t->g[e].slot;
        many[s >> 6] |= (uint64_t)(c > 1) << (s & 63);
        once[s >> 6] |= (uint64_t)(c == 1) << (s & 63);
        maxc = c > maxc ? c : maxc;
    }
    if (maxc > TEXT_MAX * NGRAM_MAX_CP)
        maxc = TEXT_MAX * NGRAM_MAX_CP;
    /* Bucket maxc - count (counts over maxc in bucket 0): most frequent
     * first. The n-grams seen twice or more, in slot order: */
    uint16_t start[TEXT_MAX * NGRAM_MAX_CP + 2];
    uint16_t ent[TEXT_GRAMS];
    uint16_t bucket[TEXT_GRAMS];
    size_t nmany = 0;
    memset(start, 0, ((size_t)maxc + 2) * sizeof *start);
    for (size_t w = 0; w < TEXT_SLOTS / 64; w++) {
        for (uint64_t m = many[w]; m; m &= m - 1) {
            size_t s = w * 64 + (size_t)__builtin_ctzll(m);
            uint16_t e = (uint16_t)((t->idx[s] & ENTRY_MASK) - 1);
            uint32_t c = t->g[e].count;
            uint16_t b = (uint16_t)(maxc - (c < maxc ? c : maxc));
            ent[nmany] = e;
            bucket[nmany++] = b;
            start[b]++;
        }
    }
    size_t acc = 0;
    for (size_t c = 0; c <= maxc; c++) {
        size_t k = start[c];
        start[c] = (uint16_t)acc;
        acc += k;
    }
    for (size_t k = 0; k < nmany; k++) {
        uint16_t at = start[bucket[k]]++;
        if (at < PROFILE_MAX)
            order[at] = ent[k];
    }
    size_t ng = nmany < PROFILE_MAX ? nmany : PROFILE_MAX;
    for (size_t w = 0; w < TEXT_SLOTS / 64 && ng < PROFILE_MAX; w++) {
        for (uint64_t m = once[w]; m && ng < PROFILE_MAX; m &= m - 1) {
            size_t s = w * 64 + (size_t)__builtin_ctzll(m);
            order[ng++] = (uint16_t)((t->idx[s] & ENTRY_MASK) - 1);
        }
    }
    return ng;
}

/* The closest profile to the n-grams counted so far in t: its index, and
 * how sure: dist, the out-of-place distance, against worst, that of a text
 * no profile shares an n-gram with; lead, the bonus of the best profile over
 * the runner-up. t is only read, so counting can go on afterwards. */
static size_t score(const nz_language_t *L, const text_grams_t *t, uint32_t *bonus,
                    uint64_t *dist, uint64_t *worst, uint32_t *lead) {
    uint16_t order[PROFILE_MAX];
    size_t ng = rank_grams(t, order);

    /* Out-of-place distance to every profile: an n-gram at rank i of the
     * text costs |i - rank| in a profile that has it and PROFILE_MAX in one
     * that has not. Written as PROFILE_MAX for every n-gram less a bonus of
     * PROFILE_MAX - |i - rank| where a profile has it, so each n-gram costs
     * one look-up and a step per profile that knows it. */
    const size_t nl = L->nlang;
    memset(bonus, 0, nl * sizeof *bonus);
    uint16_t sum[DENSE_LANG_MAX];
    size_t pending = 0;
    if (L->dense_row)
        memset(sum, 0, L->lpad * sizeof *sum);
    /* The look-ups below miss the cache (a 64 KB filter, a larger slot
     * table, the keys and rows); done one n-gram after another each waits
     * for the last. So they go in passes that first prefetch what the next
     * reads: the filter words of all ranked n-grams, the slots of those it
     * passes, then the keys and rank rows of those found. The sums are
     * taken in the same order as before: same result. */
    for (size_t i = 0; i < ng; i++) {
        const uint32_t bit = bloom_bit(t->g[order[i]].hash);
        __builtin_prefetch(&L->bloom[bit >> 6]);
    }
    uint16_t cand[PROFILE_MAX];
    size_t nc = 0;
    for (size_t i = 0; i < ng; i++) {
        const uint32_t h = t->g[order[i]].hash;
        const uint32_t bit = bloom_bit(h);
        if (!((L->bloom[bit >> 6] >> (bit & 63)) & 1u))
            continue; /* in no profile */
        __builtin_prefetch(&L->slots[h & L->smask]);
        cand[nc++] = (uint16_t)i;
    }
    long rows[PROFILE_MAX];
    for (size_t c = 0; c < nc; c++) {
        const tgram_t *tg = &t->g[order[cand[c]]];
        char key[KEY_PAD] = {0};
        memcpy(key, t->arena + tg->off, tg->len);
        long row = model_row(L, key, tg->hash);
        rows[c] = row;
        if (row < 0)
            continue;
        if (L->dense_row && L->dense_row[row])
            __builtin_prefetch(L->dense + (size_t)(L->dense_row[row] - 1) * L->lpad);
        else
            __builtin_prefetch(&L->post[L->post_start[row]]);
    }
    for (size_t c = 0; c < nc; c++) {
        const size_t i = cand[c];
        const long row = rows[c];
        if (row < 0)
            continue;
        if (L->dense_row && L->dense_row[row]) {
            /* The same bonus; a missing rank (NO_RANK) is too far to earn
             * any. */
            const uint16_t *r = L->dense + (size_t)(L->dense_row[row] - 1) * L->lpad;
            const uint16_t at16 = (uint16_t)i;
            for (size_t l = 0; l < L->lpad; l++) {
                uint16_t rv = r[l];
                uint16_t d = (uint16_t)(rv > at16 ? rv - at16 : at16 - rv);
                sum[l] = (uint16_t)(sum[l] + (d < PROFILE_MAX ? PROFILE_MAX - d : 0));
            }
            if (++pending == DENSE_FLUSH) {
                for (size_t l = 0; l < nl; l++)
                    bonus[l] += sum[l];
                memset(sum, 0, L->lpad * sizeof *sum);
                pending = 0;
            }
            continue;
        }
        const uint32_t at = (uint32_t)i;
        for (uint32_t k = L->post_start[row], end = L->post_start[row + 1]; k < end; k++) {
            uint32_t rv = L->post[k] & 0xFFFFu;
            uint32_t d = rv > at ? rv - at : at - rv;
            bonus[L->post[k] >> 16] += (uint32_t)PROFILE_MAX - d;
        }
    }
    if (pending)
        for (size_t l = 0; l < nl; l++)
            bonus[l] += sum[l];
    size_t bi = 0;
    for (size_t l = 1; l < nl; l++)
        if (bonus[l] > bonus[bi])
            bi = l;
    uint32_t runner_up = 0;
    for (size_t l = 0; l < nl; l++)
        if (l != bi && bonus[l] > runner_up)
            runner_up = bonus[l];
    *worst = (uint64_t)ng * PROFILE_MAX;
    *dist = *worst - bonus[bi];
    *lead = bonus[bi] - runner_up;
    return bi;
}

/* The answer from the first CHECK_AT bytes when the rest cannot make it a
 * Chinese, Japanese or Korean text (rest: bytes left, at most a CJK letter
 * per three), and the best profile is close (as in nz_language_detect) and
 * leads the runner-up by LEAD_PERMILLE of the worst distance; else NULL:
 * read on. Calibrated on the benchmark texts, press releases and the test
 * sentences, where answers of the first 1 KB with such a lead never differed
 * from those of the first 512 bytes. */
static const char *decide_early(const nz_language_t *L, const text_grams_t *t, uint32_t *bonus,
                                size_t letters, size_t cjk, size_t rest) {
    if (letters < MIN_LETTERS || cjk * 2 > letters || (letters - cjk * 2) * 3 < rest)
        return NULL;
    uint64_t dist, worst;
    uint32_t lead;
    size_t bi = score(L, t, bonus, &dist, &worst, &lead);
    if (dist < worst * 85 / 100 && (uint64_t)lead * 1000 >= worst * LEAD_PERMILLE)
        return L->codes[bi];
    return NULL;
}

const char *nz_language_detect(const nz_language_t *L, const char *text, size_t len) {
    if (!L || !text || len == 0)
        return NULL;
    if (len > TEXT_MAX) {
        len = TEXT_MAX;
        while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--; /* do not cut a character */
    }
    text_grams_t *t = dp_malloc(sizeof *t);
    uint32_t *bonus = dp_calloc(L->nlang, sizeof *bonus);
    const char *best = NULL;
    if (!t || !bonus)
        goto done;
    memset(t->idx, 0, sizeof t->idx);
    t->used = 0;
    t->alen = 0;

    int32_t word[WORD_MAX_CP + 2];
    size_t wn = 0, letters = 0, han = 0, kana = 0, hangul = 0;
    bool upper_only = true;
    const unsigned char *u = (const unsigned char *)text;
    bool checked = len <= CHECK_AT;
    for (size_t i = 0; i <= len;) {
        if (!checked && i >= CHECK_AT && wn == 0) {
            /* Every word so far is counted: when one profile is already far
             * ahead, the rest of the text is not read. */
            checked = true;
            const char *early = decide_early(L, t, bonus, letters, han + kana + hangul, len - i);
            if (early) {
                best = early;
                goto done;
            }
        }
        utf8proc_int32_t cp = -1;
        utf8proc_ssize_t n = 1;
        bool word_cp;
        if (i < len && u[i] < 0x80) {
            /* ASCII: a letter or a break, no table look-ups */
            cp = u[i];
            word_cp = (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
            if (word_cp) {
                if (wn < WORD_MAX_CP) {
                    word[1 + wn++] = cp;
                    if (cp >= 'a')
                        upper_only = false;
                }
                letters++;
                i++;
                continue;
            }
        } else {
            if (i < len) {
                n = utf8proc_iterate(u + i, (utf8proc_ssize_t)(len - i), &cp);
                if (n <= 0) {
                    n = 1;
                    cp = -1;
                }
            }
            word_cp = cp >= 0 && is_word_cp(cp);
        }
        if (word_cp) {
            if (wn < WORD_MAX_CP) {
                word[1 + wn++] = cp;
                if (utf8proc_tolower(cp) == cp && utf8proc_toupper(cp) != cp)
                    upper_only = false;
            }
            letters++;
            if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF))
                han++;
            else if (cp >= 0x3040 && cp <= 0x30FF)
                kana++;
            else if ((cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0x1100 && cp <= 0x11FF))
                hangul++;
        } else if (wn > 0) {
            /* Headlines in capitals: fold them, the profiles are of running
             * text. A capitalised word keeps its case, as in the profiles. */
            if (upper_only && wn > 1)
                for (size_t k = 1; k <= wn; k++)
                    word[k] = word[k] < 0x80 ? (word[k] | 0x20) : utf8proc_tolower(word[k]);
            word[0] = '_';
            word[wn + 1] = '_';
            count_word(t, word, wn + 2);
            wn = 0;
            upper_only = true;
        }
        i += (size_t)n;
    }
    if (letters < MIN_LETTERS)
        goto done;
    /* Chinese, Japanese and Korean are told by their scripts: their text has
     * no spaces, so "words" are whole clauses and the n-gram profiles (made
     * for alphabetic text) barely separate them from noise. Kana appears in
     * nearly every Japanese sentence and in no Chinese one. */
    if ((han + kana + hangul) * 2 > letters) {
        if (hangul > han + kana)
            best = "ko";
        else if (kana * 10 > han + kana)
            best = "ja";
        else
            best = "zh";
        goto done;
    }

    uint64_t dist, worst;
    uint32_t lead;
    size_t bi = score(L, t, bonus, &dist, &worst, &lead);
    /* Nothing close (a script no profile has, or text decoded with the wrong
     * code page): no answer. On the benchmark texts real language scores at
     * most 0.77 of the worst distance and such garbage at least 0.87. */
    if (dist < worst * 85 / 100)
        best = L->codes[bi];

done:
    dp_free(t);
    dp_free(bonus);
    return best;
}
