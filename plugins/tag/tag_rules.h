/* The rule layer of the tag stage: finds PERSON, ORG and LOC mentions on the
 * word tokens with the gazetteer's help (titles, given names, organisation
 * and place heads, "X of Y" names, initials, headlines and datelines), and
 * links short later mentions to full earlier ones. It only reads the
 * gazetteer through gazetteer.h, so another recogniser (a statistical model)
 * can be combined with it at the level of mentions. */
#ifndef TAG_RULES_H
#define TAG_RULES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "docpipe/status.h"
#include "tag_gazetteer.h"
#include "tag_tokens.h"

/* The labels of names; mentions point at these, so they compare with ==. */
extern const char TAG_PERSON[];
extern const char TAG_ORG[];
extern const char TAG_LOC[];

typedef struct tag_mention {
    size_t start, end;     /* bytes of the text */
    const char *label;     /* a static label string; NULL: a name of unknown kind */
    float conf;            /* 0..1 */
    char *canonical;       /* owned (dp_malloc), or NULL: the mention's own text */
    json_t *value;         /* owned, or NULL */
    size_t tok_a, tok_b;   /* token range [tok_a, tok_b) of a name; 0, 0 for patterns */
    int fixed;             /* decided by its place (a dateline, a results table): linking
                            * neither changes it nor spreads its label */
} tag_mention_t;

typedef struct tag_mentions {
    tag_mention_t *v;
    size_t n, cap;
} tag_mentions_t;

/* Appends a mention (taking ownership of canonical and value, also on
 * failure). DP_ENOMEM on failure. */
dp_status tag_mentions_push(tag_mentions_t *m, size_t start, size_t end, const char *label,
                            float conf, char *canonical, json_t *value, size_t tok_a,
                            size_t tok_b);

/* Frees every mention's canonical and value and the array. */
void tag_mentions_free(tag_mentions_t *m);

/* Finds name mentions in text (tokens from tag_tokenize, pattern matches
 * already marked TAG_TOK_COVERED) and appends them to out; mentions of
 * unknown kind (label NULL) are left for tag_link. */
dp_status tag_rules_find(const char *text, size_t len, tag_toks_t *toks, const tag_gaz_t *gaz,
                         tag_mentions_t *out);

/* In-document linking: acronyms defined in brackets, short mentions of
 * earlier full names ("Norov", "the SCO"), names in all-capitals headlines,
 * and one label for one name throughout the document. Removes mentions whose
 * kind stays unknown. */
dp_status tag_link(const char *text, size_t len, tag_toks_t *toks, const tag_gaz_t *gaz,
                   tag_mentions_t *m);

#endif
