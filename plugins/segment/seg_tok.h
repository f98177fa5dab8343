/* Tokens: word, number, punctuation and symbol tokens following the Unicode
 * word-boundary rules (UAX #29, with the Word_Break property from ICU and an
 * ASCII table), refined so that "U.S.", "09:23", "3.5%", "e-mail", web
 * addresses and e-mail addresses are single tokens. */
#ifndef DOCPIPE_SEG_TOK_H
#define DOCPIPE_SEG_TOK_H

#include <stddef.h>

#include "seg_lang.h"
#include "seg_range.h"

typedef enum seg_tok_kind {
    SEG_TOK_WORD = 0,
    SEG_TOK_NUMBER,
    SEG_TOK_PUNCT,
    SEG_TOK_SYMBOL,
    SEG_TOK_URL,
    SEG_TOK_EMAIL,
    SEG_TOK_KIND_COUNT
} seg_tok_kind_t;

/* Prepares the character tables; call once before threads start (it is
 * also safe to call again, and thread-safe through pthread_once). */
void seg_tok_global_init(void);

/* The name of a kind ("word", "number", ...). Static. */
const char *seg_tok_kind_name(seg_tok_kind_t kind);

/* Appends the tokens of text[start..end) to out (kind = seg_tok_kind_t),
 * in order, never overlapping, never containing white space. lang (may be
 * NULL) tells which words keep their full stop ("Mr.", "Inc."). DP_ENOMEM
 * on allocation failure. Thread-safe. */
dp_status seg_tokens(const seg_lang_t *lang, const char *text, size_t start, size_t end,
                     seg_ranges_t *out);

#endif
