/* One document through the tag stage's steps, without the document model:
 * patterns, tokens, name rules and linking over a text. The plugin and the
 * unit tests both call it. */
#ifndef TAG_PIPELINE_H
#define TAG_PIPELINE_H

#include "docpipe/date.h"
#include "tag_gazetteer.h"
#include "tag_patterns.h"
#include "tag_rules.h"
#include "tag_tokens.h"

/* Finds every mention in text[0..len) and leaves them in out sorted by
 * start, overlaps removed (out must be empty; free it with
 * tag_mentions_free). sent_starts/nsent: sentence starts from the segment
 * stage, or NULL/0. ref: the reference date or NULL. link: run linking.
 * Returns DP_ENOMEM, or DP_ERR when pattern matching fails. */
dp_status tag_run(const tag_gaz_t *gaz, const tag_patterns_t *patterns, const char *text,
                  size_t len, const size_t *sent_starts, size_t nsent, const dp_date_t *ref,
                  int link, tag_mentions_t *out);

/* The same with a caller's token buffer, kept between documents so that a
 * worker does not allocate (and fault in) a large array for each one.
 * toks is emptied first; its memory stays the caller's. */
dp_status tag_run_with(const tag_gaz_t *gaz, const tag_patterns_t *patterns, const char *text,
                       size_t len, const size_t *sent_starts, size_t nsent, const dp_date_t *ref,
                       int link, tag_mentions_t *out, tag_toks_t *toks);

#endif
