/* Shared set-up of the tag unit tests: the shipped gazetteers and patterns
 * loaded once (tests run from the source root, so configs/ is at hand), and
 * helpers that run the tag steps over a string and look for a mention. */
#ifndef TAG_FIXTURE_H
#define TAG_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "tag_pipeline.h"
#include "tag_lists.h"

static const char *const fixture_lists[] = {
    TAG_SHIPPED_PATHS};

typedef struct fixture {
    tag_gaz_t *gaz;
    tag_patterns_t *pat;
} fixture_t;

static int fixture_setup(void **state)
{
    static fixture_t f;
    char err[512];
    f.gaz = tag_gaz_new();
    f.pat = tag_patterns_new();
    if (!f.gaz || !f.pat)
        return -1;
    for (size_t i = 0; fixture_lists[i]; i++) {
        if (tag_gaz_load_file(f.gaz, fixture_lists[i], err, sizeof err) != DP_OK) {
            fprintf(stderr, "%s\n", err);
            return -1;
        }
    }
    if (tag_patterns_load_file(f.pat, "configs/tag/patterns.txt", err, sizeof err) != DP_OK ||
        tag_patterns_compile(f.pat, err, sizeof err) != DP_OK) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    *state = &f;
    return 0;
}

static int fixture_teardown(void **state)
{
    fixture_t *f = *state;
    tag_gaz_free(f->gaz);
    tag_patterns_free(f->pat);
    return 0;
}

/* Runs the tag steps over s (with linking) into m. */
static inline void run_text(const fixture_t *f, const char *s, size_t len, const dp_date_t *ref,
                     tag_mentions_t *m)
{
    m->v = NULL;
    m->n = m->cap = 0;
    assert_int_equal(tag_run(f->gaz, f->pat, s, len, NULL, 0, ref, 1, m), DP_OK);
}

/* The mention whose text is exactly want (first one), or NULL. */
static inline const tag_mention_t *find_mention(const tag_mentions_t *m, const char *text,
                                         const char *want)
{
    size_t n = strlen(want);
    for (size_t i = 0; i < m->n; i++)
        if (m->v[i].end - m->v[i].start == n && memcmp(text + m->v[i].start, want, n) == 0)
            return &m->v[i];
    return NULL;
}

/* Asserts that want is a mention labelled label. */
static inline void expect(const tag_mentions_t *m, const char *text, const char *want, const char *label)
{
    const tag_mention_t *x = find_mention(m, text, want);
    if (!x || strcmp(x->label, label) != 0) {
        fprintf(stderr, "expected %s as %s, got %s; mentions:", want, label,
                x ? x->label : "nothing");
        for (size_t i = 0; i < m->n; i++)
            fprintf(stderr, " [%.*s:%s]", (int)(m->v[i].end - m->v[i].start),
                    text + m->v[i].start, m->v[i].label);
        fprintf(stderr, "\n");
    }
    assert_non_null(x);
    assert_string_equal(x->label, label);
}

/* Asserts that no mention has exactly the text s. */
static inline void expect_none(const tag_mentions_t *m, const char *text, const char *s)
{
    const tag_mention_t *x = find_mention(m, text, s);
    if (x)
        fprintf(stderr, "unexpected %s as %s\n", s, x->label);
    assert_null(x);
}

#endif
