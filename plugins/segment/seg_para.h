/* Paragraphs of a document: blocks separated by blank lines, with headings,
 * list items, datelines, bylines and captions split off a block when they
 * stand on lines of their own, each classified by kind. */
#ifndef DOCPIPE_SEG_PARA_H
#define DOCPIPE_SEG_PARA_H

#include <stddef.h>

#include "seg_lang.h"
#include "seg_range.h"

/* Appends the paragraphs of text[0..len) to out, in order, as ranges without
 * surrounding white space, each with kind = a seg_para_kind_t. lines is
 * scratch kept by the caller. lang (borrowed) supplies the cues and calendar
 * words. DP_ENOMEM on allocation failure. Thread-safe. */
dp_status seg_paragraphs(const seg_lang_t *lang, const char *text, size_t len,
                         seg_ranges_t *lines, seg_ranges_t *out);

/* The name of a kind ("body", "heading", ...). Static. */
const char *seg_para_kind_name(seg_para_kind_t kind);

/* Classifies one paragraph text[start..end); first says whether it is the
 * document's first paragraph (a title may end with a question mark). */
seg_para_kind_t seg_para_classify(const seg_lang_t *lang, const char *text, size_t start,
                                  size_t end, int first);

#endif
