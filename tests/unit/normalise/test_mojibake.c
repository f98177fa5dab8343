/* Unit tests of normalise's mojibake repair (mojibake.c): windows-1252 and
 * latin-1 readings of UTF-8, mojibake of mojibake, other code pages, lossy
 * sequences, a lost 0xA0, C1 punctuation, partial lines, and correct text
 * that only looks like mojibake, which must never change. */
#include "nz_test.h"

static void expect_fix(const char *in, const char *want)
{
    dp_buf_t out = DP_BUF_INIT;
    size_t repairs = 0;
    assert_int_equal(nz_mojibake_fix(in, strlen(in), &out, &repairs), DP_OK);
    assert_string_equal(out.len ? out.data : "", want);
    if (strcmp(in, want) == 0)
        assert_int_equal(repairs, 0);
    else
        assert_true(repairs > 0);
    dp_buf_free(&out);
}

static void test_cp1252(void **state)
{
    (void)state;
    expect_fix("Organization\xc3\xa2\xe2\x82\xac\xe2\x84\xa2s member states",
               "Organization\xe2\x80\x99s member states"); /* â€™ -> ’ */
    expect_fix("H\xc3\x83\xc2\xb4tel", "H\xc3\xb4tel");      /* HÃ´tel */
    expect_fix("SCO Forum\xc3\x82\xc2\xa0" "16.10.2020", "SCO Forum\xc2\xa0" "16.10.2020");
}

static void test_latin1(void **state)
{
    (void)state;
    /* ’ read as latin-1: â U+0080 U+0099 */
    expect_fix("It\xc3\xa2\xc2\x80\xc2\x99s", "It\xe2\x80\x99s");
}

static void test_layers_and_code_pages(void **state)
{
    (void)state;
    /* three layers of windows-1252 */
    expect_fix("doesn\xc3\x83\xc6\x92\xc3\x82\xc2\xa2\xc3\x83\xc2\xa2\xc3\xa2\xe2\x82\xac\xc5\xa1"
               "\xc3\x82\xc2\xac\xc3\x83\xc2\xa2\xc3\xa2\xe2\x82\xac\xc5\xbe\xc3\x82\xc2\xa2t",
               "doesn\xe2\x80\x99t");
    /* windows-1251: "вЂ™" -> ’ */
    expect_fix("Ukrsotsbank\xd0\xb2\xd0\x82\xe2\x84\xa2s", "Ukrsotsbank\xe2\x80\x99s");
    /* Hebrew through windows-1252 */
    expect_fix("\xc3\x97\xc2\xa2\xc3\x97\xe2\x80\x98\xc3\x97\xc2\xa8\xc3\x97\xe2\x84\xa2\xc3\x97\xc2\xaa",
               "\xd7\xa2\xd7\x91\xd7\xa8\xd7\x99\xd7\xaa");
}

static void test_partial_and_c1(void **state)
{
    (void)state;
    /* a correct ’ and a broken one in the same line */
    expect_fix("l\xe2\x80\x99humanit\xc3\x83\xc2\xa9", "l\xe2\x80\x99humanit\xc3\xa9");
    /* C1 control standing for an ellipsis */
    expect_fix("parl\xc3\xa9\xc2\x85 Tu", "parl\xc3\xa9\xe2\x80\xa6 Tu");
    /* a lost 0xA0 turned into a space: "voilÃ le" */
    expect_fix("voil\xc3\x83 le travail", "voil\xc3\xa0 le travail");
    /* windows-1250 with a capital inside a word: "JenÄŤa" */
    expect_fix("Mr Jen\xc3\x84\xc5\xa4" "a said", "Mr Jen\xc4\x8d" "a said");
    /* a combining accent on a Cyrillic letter: "Москва́" */
    expect_fix("\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0\xc3\x8c\xc2\x81 (x)",
               "\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0\xcc\x81 (x)");
    /* lossy: the last byte became U+FFFD */
    expect_fix("\xc3\xa2\xe2\x82\xac\xc5\x93lossy\xc3\xa2\xe2\x82\xac\xef\xbf\xbd",
               "\xe2\x80\x9clossy\xef\xbf\xbd");
}

static void test_negatives(void **state)
{
    (void)state;
    const char *keep[] = {
        "S\xc3\x83O PAULO",                     /* SÃO PAULO */
        "C\xc3\x82MARA",                        /* CÂMARA */
        "\xc3\x98rsted",                        /* Ørsted */
        "\xe2\x82\xac" "4,990",                 /* €4,990 */
        "Widget\xe2\x84\xa2",                   /* Widget™ */
        "120 \xc3\x97 60 cm",                   /* × */
        "Offering 5\xc3\x97\xc2\xa3" "35 pin ups",
        "There are a lot of \xc3\x83\xe2\x80\x99s in mojibake text",
        "Charlotte Bront\xc3\xab\xe2\x80\xa6\xe2\x80\x9d",
        "SELK\xc3\x84\xc2\xa0" "EDELL\xc3\x84\xc2\xa0MAAHAN",
        "(-1/2)! = \xe2\x88\x9a\xcf\x80",
        "\xd0\x92\xd0\x86\xd0\x9a\xd0\x86 is Ukrainian for WIKI",
        /* «ШОС» — ВІКІ: guillemets after Cyrillic letters */
        "\xc2\xab\xd0\xa8\xd0\x9e\xd0\xa1\xc2\xbb \xe2\x80\x94 \xd0\x92\xd0\x86\xd0\x9a\xd0\x86",
        /* Turkish, Polish, Romanian, Greek capitals and small letters */
        "\xc4\xb0stanbul \xc5\x9e" "anghay \xc4\x9e\xc3\x9c\xc5\x9e\xc4\xb0 \xc5\x81\xc3\xb3" "d\xc5\xba "
        "\xc3\x8eNT\xc3\x82LNIREA \xce\x91\xce\x98\xce\x97\xce\x9d\xce\x91",
        "12 000 m\xc2\xb2, 20\xc2\xb0" "C, \xc2\xa7 5, \xc2\xbd cup",
        "PLAQUES IL Y MARQU\xc3\x89\xe2\x80\xa6",
        "Vi\xe1\xbb\x87t Nam, H\xc3\xa0 N\xe1\xbb\x99i",
        "\xce\x97 \xc2\xa8\xce\xb1\xce\xbd\xce\xb1\xcf\x84\xcf\x81\xce\xbf\xcf\x86\xce\xae\xc2\xa8",
        "plain ASCII text",
        "",
    };
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        expect_fix(keep[i], keep[i]);
}

static void test_bad_input(void **state)
{
    (void)state;
    /* NUL bytes and a huge line of mojibake-free text with one repair at its end */
    const char in[] = "a\0b\xc3\x83\xc2\xa9";
    dp_buf_t out = DP_BUF_INIT;
    size_t repairs = 0;
    assert_int_equal(nz_mojibake_fix(in, sizeof in - 1, &out, &repairs), DP_OK);
    assert_int_equal(out.len, 5);
    assert_memory_equal(out.data, "a\0b\xc3\xa9", 5);
    dp_buf_free(&out);
    size_t n = 3 * 1000 * 1000;
    char *big = dp_malloc(n + 5);
    for (size_t i = 0; i < n; i++)
        big[i] = (i % 7 == 6) ? ' ' : 'x';
    memcpy(big + n, "\xc3\x83\xc2\xa9", 4);
    repairs = 0;
    assert_int_equal(nz_mojibake_fix(big, n + 4, &out, &repairs), DP_OK);
    assert_int_equal(out.len, n + 2);
    assert_int_equal(repairs, 1);
    dp_buf_free(&out);
    dp_free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cp1252), cmocka_unit_test(test_latin1),
        cmocka_unit_test(test_layers_and_code_pages), cmocka_unit_test(test_partial_and_c1),
        cmocka_unit_test(test_negatives), cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
