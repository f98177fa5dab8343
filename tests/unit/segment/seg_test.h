/* Helpers shared by the segment unit tests: loading a language pack from
 * configs/lang/ (the tests run from the source root), splitting a text into
 * paragraphs and sentences the way the plugin does, and comparing the
 * sentences with an expected list. */
#ifndef DOCPIPE_TEST_SEG_TEST_H
#define DOCPIPE_TEST_SEG_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seg_lang.h"
#include "seg_para.h"
#include "seg_sent.h"
#include "seg_tok.h"

static inline seg_lang_t *seg_test_pack(const char *code)
{
    char dir[256], err[512];
    snprintf(dir, sizeof dir, "configs/lang/%s", code);
    seg_lang_t *lang = NULL;
    dp_status rc = seg_lang_load(dir, code, &lang, err, sizeof err);
    if (rc != DP_OK)
        fprintf(stderr, "cannot load %s: %s\n", dir, err);
    assert_int_equal(rc, DP_OK);
    return lang;
}

/* Sentences of text (paragraphs first, as the plugin does). */
static inline void seg_test_split(const seg_lang_t *lang, bool newline_ends, const char *text,
                                  size_t len, seg_ranges_t *out)
{
    seg_ranges_t paras = SEG_RANGES_INIT, lines = SEG_RANGES_INIT;
    seg_sent_scratch_t sc = SEG_SENT_SCRATCH_INIT;
    out->n = 0;
    assert_int_equal(seg_paragraphs(lang, text, len, &lines, &paras), DP_OK);
    for (size_t i = 0; i < paras.n; i++)
        assert_int_equal(seg_sentences(lang, newline_ends, text, paras.v[i].start,
                                       paras.v[i].end, &sc, out),
                         DP_OK);
    seg_ranges_free(&paras);
    seg_ranges_free(&lines);
    seg_sent_scratch_free(&sc);
}

/* True when the sentences of text are exactly the n strings of expected;
 * prints both on a mismatch. */
static inline bool seg_test_matches(const seg_lang_t *lang, bool newline_ends, const char *text,
                                    const char *const *expected, size_t n, bool verbose)
{
    seg_ranges_t out = SEG_RANGES_INIT;
    seg_test_split(lang, newline_ends, text, strlen(text), &out);
    bool ok = out.n == n;
    for (size_t i = 0; ok && i < n; i++) {
        size_t len = out.v[i].end - out.v[i].start;
        ok = strlen(expected[i]) == len && memcmp(text + out.v[i].start, expected[i], len) == 0;
    }
    if (!ok && verbose) {
        fprintf(stderr, "text:     %s\n", text);
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, "expected: [%s]\n", expected[i]);
        for (size_t i = 0; i < out.n; i++)
            fprintf(stderr, "produced: [%.*s]\n", (int)(out.v[i].end - out.v[i].start),
                    text + out.v[i].start);
    }
    seg_ranges_free(&out);
    return ok;
}

#define SEG_EXPECT(lang, text, ...)                                                          \
    do {                                                                                     \
        const char *const seg_exp_[] = {__VA_ARGS__};                                        \
        assert_true(seg_test_matches(lang, false, text, seg_exp_,                            \
                                     sizeof seg_exp_ / sizeof seg_exp_[0], true));           \
    } while (0)

#endif
