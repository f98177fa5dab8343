/* Language packs of the segment stage: the data that the sentence and
 * paragraph rules consult (abbreviations and how they behave, words that
 * start sentences, fronted time phrases, calendar words, paragraph cues and a
 * few settings), loaded once from configs/lang/<code>/ and then read by every
 * worker without locking. */
#ifndef DOCPIPE_SEG_LANG_H
#define DOCPIPE_SEG_LANG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "docpipe/status.h"

/* How an abbreviation behaves before the next word (abbreviations.txt). */
enum {
    SEG_ABBR_NONE = 0,
    SEG_ABBR_PLAIN = 1,  /* ends a sentence before a capitalised word */
    SEG_ABBR_PREFIX = 2, /* stands before a name: never ends a sentence before a word */
    SEG_ABBR_NUMBER = 3, /* stands before a number: never ends one before a digit */
    SEG_ABBR_TIME = 4    /* a.m., p.m. */
};

/* Flags a word may carry in a pack (a word may be in several files). */
enum {
    SEG_W_ABBR_MASK = 0x07u,
    SEG_W_STARTER = 0x08u,  /* starters.txt */
    SEG_W_FRONTED = 0x10u,  /* fronted.txt */
    SEG_W_CALENDAR = 0x20u, /* calendar.txt */
    SEG_W_BANG = 0x40u      /* exclamations.txt: "Yahoo!" */
};

/* Paragraph kinds, in the order of seg_para_kind_names(). */
typedef enum seg_para_kind {
    SEG_PARA_BODY = 0,
    SEG_PARA_HEADING,
    SEG_PARA_LIST_ITEM,
    SEG_PARA_DATELINE,
    SEG_PARA_BYLINE,
    SEG_PARA_CAPTION,
    SEG_PARA_KIND_COUNT
} seg_para_kind_t;

typedef struct seg_cue {
    seg_para_kind_t kind;
    char *prefix; /* owned, as written in cues.txt */
    size_t len;
} seg_cue_t;

typedef struct seg_lang seg_lang_t;

/* Loads the pack in folder dir (configs/lang/<code>), whose files are all
 * optional except abbreviations.txt. code is copied. On failure returns a
 * negative status and writes a one-line message into err (errlen bytes).
 * The caller frees *out with seg_lang_free. */
dp_status seg_lang_load(const char *dir, const char *code, seg_lang_t **out, char *err,
                        size_t errlen);

/* Adds the abbreviations of one more file (same format as abbreviations.txt).
 * Not thread-safe: call before any worker reads the pack. */
dp_status seg_lang_add_abbreviations(seg_lang_t *lang, const char *path, char *err,
                                     size_t errlen);

/* Frees a pack; NULL is a no-op. */
void seg_lang_free(seg_lang_t *lang);

/* The pack's language code ("en"). Borrowed. */
const char *seg_lang_code(const seg_lang_t *lang);

/* The flags of word[0..len) looked up case-insensitively (0 when unknown).
 * Thread-safe. */
unsigned seg_lang_lookup(const seg_lang_t *lang, const char *word, size_t len);

/* Settings from segment.conf. */
int32_t seg_lang_pronoun_letter(const seg_lang_t *lang); /* 0 when none */
bool seg_lang_ordinal_period(const seg_lang_t *lang);
bool seg_lang_abbr_split_before_capital(const seg_lang_t *lang);

/* The paragraph cues; *n receives their number. Borrowed. */
const seg_cue_t *seg_lang_cues(const seg_lang_t *lang, size_t *n);

#endif
