/* Word tokens for the tag stage's name rules: the shape of each word
 * (capitalised, all capitals, initial, number), line and sentence starts,
 * and all-capitals headline lines. */
#ifndef TAG_TOKENS_H
#define TAG_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include "docpipe/status.h"
#include "tag_gazetteer.h"

enum {
    TAG_TOK_WORD = 1u << 0,       /* has a letter */
    TAG_TOK_CAP = 1u << 1,        /* starts with a capital ("Norov", "al-Boushi" too) */
    TAG_TOK_ALLCAPS = 1u << 2,    /* two or more letters, all capitals ("SCO") */
    TAG_TOK_LOWER = 1u << 3,      /* starts with a small letter */
    TAG_TOK_NUM = 1u << 4,        /* starts with a digit */
    TAG_TOK_PUNCT = 1u << 5,      /* one punctuation or symbol character */
    TAG_TOK_INITIAL = 1u << 6,    /* "V." "H.E." "U.S." */
    TAG_TOK_SENT_START = 1u << 7, /* first word of a sentence */
    TAG_TOK_LINE_START = 1u << 8, /* first token of a line */
    TAG_TOK_HEADLINE = 1u << 9,   /* on a line without small letters */
    TAG_TOK_COVERED = 1u << 10,   /* inside a pattern match (date, money...) */
    TAG_TOK_LOOKED = 1u << 11,    /* gz holds the gazetteer lookup */
    TAG_TOK_GAP = 1u << 12,       /* more than spaces before it (a line break) */
    TAG_TOK_SPACE = 1u << 13,     /* whitespace right before it */
    TAG_TOK_HASLOWER = 1u << 14   /* holds a small letter somewhere ("McLean", "al-Boushi") */
};

typedef struct tag_tok {
    size_t start, end;
    uint32_t flags;
    uint32_t line;
    const tag_gaz_entry_t *gz; /* valid with TAG_TOK_LOOKED */
} tag_tok_t;

typedef struct tag_toks {
    tag_tok_t *v;
    size_t n, cap;
} tag_toks_t;

/* Splits text[0..len) into tokens, appending to toks (cleared first).
 * sent_starts, when not NULL, holds nsent byte offsets where sentences start
 * (from the segment stage's sentence layer); without it sentences start at
 * line starts and after ". ! ?". DP_ENOMEM on failure. */
dp_status tag_tokenize(const char *text, size_t len, const size_t *sent_starts, size_t nsent,
                       tag_toks_t *toks);

void tag_toks_free(tag_toks_t *toks);

#endif
