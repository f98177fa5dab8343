/* Patterns of the tag stage: DATE, TIME, MONEY, PERCENT, QUANTITY, EMAIL and
 * URL mentions found with PCRE2 patterns read from a file, and the C code
 * that turns each mention into a normalised value. */
#ifndef TAG_PATTERNS_H
#define TAG_PATTERNS_H

#include <jansson.h>
#include <stddef.h>

#include "docpipe/date.h"
#include "docpipe/status.h"
#include "tag_gazetteer.h"

typedef struct tag_patterns tag_patterns_t;

/* A new empty pattern set; NULL on allocation failure. */
tag_patterns_t *tag_patterns_new(void);
void tag_patterns_free(tag_patterns_t *p);

/* Adds the patterns of a file: one "LABEL<TAB>REGEX" a line, '#' comments,
 * "@define NAME REGEX" for a piece that later patterns use as {NAME}.
 * Errors name the file and line in err. */
dp_status tag_patterns_load_file(tag_patterns_t *p, const char *path, char *err, size_t errcap);

/* Compiles everything loaded into one regular expression (earlier patterns
 * win at the same start). Errors name the pattern's file and line. */
dp_status tag_patterns_compile(tag_patterns_t *p, char *err, size_t errcap);

/* Called for each match: label is an interned-style static string of the
 * pattern set; returns non-zero to stop. */
typedef int (*tag_pattern_cb)(void *ctx, const char *label, size_t start, size_t end);

/* Scans text[0..len) for non-overlapping matches, left to right. Thread-safe
 * (each call uses its own match data). DP_ENOMEM, or DP_ERR when PCRE2
 * fails on the text (the error is then in err). */
dp_status tag_patterns_scan(const tag_patterns_t *p, const char *text, size_t len,
                            tag_pattern_cb cb, void *ctx);

/* The normalised value of a mention of label (DATE, TIME, MONEY, PERCENT,
 * QUANTITY), or NULL when there is none. ref is the document's date or NULL;
 * gaz maps currency words to codes. Caller owns the result. */
json_t *tag_value(const char *label, const char *s, size_t len, const dp_date_t *ref,
                  const tag_gaz_t *gaz);

/* Reads a number with thousands separators and a multiplier word
 * ("1,500", "2.5 million", "6.3 trillion") starting at s[0]; returns the
 * bytes read (0 when s does not start with a number). Exposed for tests. */
size_t tag_parse_amount(const char *s, size_t len, double *out);

#endif
