/* Unit tests of normalise's lexicon (lexicon.c): the word list with regular
 * inflections, Liang hyphenation points from Debian's hyph_en_US.dic, and
 * bad input (missing files, overlong words). */
#include "nz_test.h"

static nz_lexicon_t *lex;

static int setup(void **state)
{
    (void)state;
    char err[256];
    return nz_lexicon_load("configs/normalise/words_en.txt", "configs/normalise/hyph_en_US.dic",
                           &lex, err, sizeof err) == DP_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    nz_lexicon_free(lex);
    return 0;
}

static void test_words(void **state)
{
    (void)state;
    assert_true(nz_lexicon_has(lex, "pandemic", 8));
    assert_true(nz_lexicon_has(lex, "Pandemic", 8));
    assert_true(nz_lexicon_has(lex, "strengthening", 13));
    assert_false(nz_lexicon_has(lex, "tenyear", 7));
    assert_false(nz_lexicon_has(lex, "longterm", 8));
    assert_false(nz_lexicon_has(lex, "", 0));
    char big[200];
    memset(big, 'a', sizeof big);
    assert_false(nz_lexicon_has(lex, big, sizeof big));
}

static void test_patterns(void **state)
{
    (void)state;
    assert_true(nz_lexicon_can_break(lex, "pandemic", 8, 3));     /* pan-demic */
    assert_true(nz_lexicon_can_break(lex, "attracted", 9, 2));    /* at-tracted */
    assert_false(nz_lexicon_can_break(lex, "pandemic", 8, 1));    /* left minimum */
    assert_false(nz_lexicon_can_break(lex, "pandemic", 8, 7));    /* right minimum */
    assert_false(nz_lexicon_can_break(lex, "socioeconomic", 13, 5));
    assert_false(nz_lexicon_can_break(NULL, "pandemic", 8, 3));
    /* UTF-8 words: offsets in bytes, patterns over code points */
    assert_true(nz_lexicon_can_break(lex, "coop\xc3\xa9ration", 12, 8)); /* coopéra-tion */
    assert_false(nz_lexicon_can_break(lex, "coop\xc3\xa9ration", 12, 5)); /* inside é */
}

static void test_bad_files(void **state)
{
    (void)state;
    nz_lexicon_t *l = NULL;
    char err[256] = "";
    assert_int_not_equal(nz_lexicon_load("tests/data/normalise/no-such-file", NULL, &l, err,
                                         sizeof err), DP_OK);
    assert_non_null(strstr(err, "no-such-file"));
    assert_int_equal(nz_lexicon_load(NULL, NULL, &l, err, sizeof err), DP_OK);
    assert_false(nz_lexicon_has(l, "word", 4));
    nz_lexicon_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words), cmocka_unit_test(test_patterns),
        cmocka_unit_test(test_bad_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
