/* Sentence boundaries inside one paragraph, by rules in the spirit of
 * Pragmatic Segmenter's Golden Rules: abbreviations (from the language
 * pack), initials, numbers, URLs and e-mail addresses, quotations and
 * brackets, ellipses, and numbered, lettered and bulleted lists. */
#ifndef DOCPIPE_SEG_SENT_H
#define DOCPIPE_SEG_SENT_H

#include <stdbool.h>
#include <stddef.h>

#include "seg_lang.h"
#include "seg_range.h"

/* Scratch kept by a worker between calls (list markers of the paragraph). */
typedef struct seg_sent_scratch {
    seg_ranges_t cuts;    /* forced sentence starts (list items) */
    seg_ranges_t protect; /* full stops that belong to a list marker */
    seg_ranges_t quotes;  /* matched quotations and brackets [open, close] */
    seg_ranges_t stack;   /* open quotations while pairing */
} seg_sent_scratch_t;

#define SEG_SENT_SCRATCH_INIT {SEG_RANGES_INIT, SEG_RANGES_INIT, SEG_RANGES_INIT, SEG_RANGES_INIT}

void seg_sent_scratch_free(seg_sent_scratch_t *scratch);

/* Appends to out the sentences of the paragraph text[start..end) as byte
 * ranges without surrounding white space, in order, never empty. lang is
 * borrowed (read-only); newline_ends makes every line break inside the
 * paragraph end a sentence. DP_ENOMEM on allocation failure. Thread-safe
 * with one scratch per thread. */
dp_status seg_sentences(const seg_lang_t *lang, bool newline_ends, const char *text,
                        size_t start, size_t end, seg_sent_scratch_t *scratch,
                        seg_ranges_t *out);

/* True when the full stop at text[dot] ends a sentence although no space
 * follows it ("Hello world.Today is Tuesday.Mr. Smith"): a word of two or
 * more letters or a number before it, a capitalised word after it, and no
 * web or e-mail address around it ("www.example.Org", "ASP.NET" stay).
 * [start, end) bounds the look around. The tokenizer uses it too, so that no
 * token runs across such a boundary. */
bool seg_glued_stop(const char *text, size_t start, size_t dot, size_t end);

/* When text[pos..end) begins with a list marker ("1.", "2.)", "(3)", "a)",
 * "•", "⁃9."), returns the offset just past it (before the space that
 * follows), else pos. Used by the paragraph splitter too. */
size_t seg_list_marker(const char *text, size_t pos, size_t end);

#endif
