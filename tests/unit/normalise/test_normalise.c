/* Unit tests of the normalise plugin as a whole (normalise.c and every
 * step): the five seed releases against their hand-cleaned form, options
 * that switch steps off, the counts and report in meta.normalise,
 * idempotence, and bad input (empty text, one 50 MB line, only white space,
 * NUL bytes, every Unicode space, 100,000 lines of one character). */
#include <stdio.h>

#include "nz_test.h"

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = dp_malloc((size_t)n + 1);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return s;
}

static const char *const seeds[5][2] = {
    {"000_a1df9edd4e64cfe6.txt", "seed_000.txt"}, {"001_d86c24bc3c0f2f87.txt", "seed_001.txt"},
    {"002_5053c25469639f1a.txt", "seed_002.txt"}, {"003_03caac5132b6a04d.txt", "seed_003.txt"},
    {"004_5bb96ff83e967dd9.txt", "seed_004.txt"},
};

/* Runs the plugin twice and checks the second run changes nothing. */
static void check_idempotent(nz_fx_t *fx, const char *text, size_t len)
{
    size_t n1, n2;
    char *once = nz_fx_run(fx, text, len, &n1, NULL);
    char *twice = nz_fx_run(fx, once, n1, &n2, NULL);
    assert_int_equal(n1, n2);
    assert_memory_equal(once, twice, n1);
    dp_free(once);
    dp_free(twice);
}

static void test_seeds_clean_form(void **state)
{
    (void)state;
    nz_fx_t fx;
    nz_fx_init(&fx, NULL);
    for (int i = 0; i < 5; i++) {
        char path[256];
        size_t len, clen, n;
        snprintf(path, sizeof path, "tests/data/normalise/seeds/%s", seeds[i][0]);
        char *raw = read_file(path, &len);
        snprintf(path, sizeof path, "tests/data/normalise/clean/%s", seeds[i][1]);
        char *clean = read_file(path, &clen);
        while (clen && (clean[clen - 1] == '\n' || clean[clen - 1] == ' '))
            clean[--clen] = '\0';
        json_t *meta = NULL;
        char *out = nz_fx_run(&fx, raw, len, &n, &meta);
        assert_string_equal(out, clean);
        json_t *counts = json_object_get(meta, "normalise");
        assert_true(json_is_object(counts));
        check_idempotent(&fx, raw, len);
        json_decref(meta);
        dp_free(out);
        dp_free(clean);
        dp_free(raw);
    }
    nz_fx_fini(&fx);
}

static void test_options_and_report(void **state)
{
    (void)state;
    nz_fx_t fx;
    nz_fx_init(&fx, "{\"report_removed\": true}");
    const char *in = "Title of the release\n\n\xc2\xab Back\n\nPage 2 of 5\n\nBody\xc3\xa2\xe2\x82\xac\xe2\x84\xa2s text.";
    json_t *meta = NULL;
    size_t n;
    char *out = nz_fx_run(&fx, in, strlen(in), &n, &meta);
    assert_string_equal(out, "Title of the release\n\nBody\xe2\x80\x99s text.");
    json_t *c = json_object_get(meta, "normalise");
    assert_int_equal(json_integer_value(json_object_get(c, "mojibake")), 1);
    assert_int_equal(json_integer_value(json_object_get(c, "boilerplate")), 1);
    assert_int_equal(json_integer_value(json_object_get(c, "furniture")), 1);
    assert_int_equal(json_array_size(json_object_get(c, "removed")), 2);
    json_decref(meta);
    dp_free(out);
    nz_fx_fini(&fx);

    /* every step off: only line ends change */
    nz_fx_init(&fx, "{\"mojibake\": false, \"nfc\": false, \"plain_spaces\": false, "
                    "\"remove_invisible\": false, \"remove_controls\": false, \"whitespace\": false, "
                    "\"boilerplate\": false, \"dedupe_lines\": false, \"metadata\": false, "
                    "\"language\": false}");
    nz_fx_expect(&fx, "a  \xc3\xa2\xe2\x82\xac\xe2\x84\xa2\r\n\r\nb ", "a  \xc3\xa2\xe2\x82\xac\xe2\x84\xa2\n\nb ");
    nz_fx_fini(&fx);

    /* unwrap off keeps the lines of a block */
    nz_fx_init(&fx, "{\"unwrap\": false, \"metadata\": false}");
    nz_fx_expect(&fx, "one  line\ntwo line\n\n\nthree", "one line\ntwo line\n\nthree");
    nz_fx_fini(&fx);

    /* ascii_punctuation */
    nz_fx_init(&fx, "{\"ascii_punctuation\": true, \"metadata\": false}");
    nz_fx_expect(&fx, "\xe2\x80\x9cYes\xe2\x80\x9d \xe2\x80\x94 it\xe2\x80\x99s", "\"Yes\" - it's");
    nz_fx_fini(&fx);
}

static void test_bad_input(void **state)
{
    (void)state;
    nz_fx_t fx;
    nz_fx_init(&fx, NULL);
    nz_fx_expect(&fx, "", "");
    nz_fx_expect(&fx, " \t\n\n \xc2\xa0\n\r\n\f  ", "");
    size_t n;
    char *out = nz_fx_run(&fx, "a\0b\0\0c", 6, &n, NULL);
    assert_string_equal(out, "abc");
    dp_free(out);
    nz_fx_expect(&fx,
                 "a\xc2\xa0" "b\xe1\x9a\x80" "c\xe2\x80\x80" "d\xe2\x80\x81" "e\xe2\x80\x82"
                 "f\xe2\x80\x83" "g\xe2\x80\x84" "h\xe2\x80\x85" "i\xe2\x80\x86" "j\xe2\x80\x87"
                 "k\xe2\x80\x88" "l\xe2\x80\x89" "m\xe2\x80\x8a" "n\xe2\x80\xaf" "o\xe2\x81\x9f"
                 "p\xe3\x80\x80" "q",
                 "a b c d e f g h i j k l m n o p q");

    /* one 50 MB line of words */
    size_t big = 50u * 1000 * 1000;
    char *text = dp_malloc(big + 1);
    for (size_t i = 0; i < big; i++)
        text[i] = (i % 9 == 8) ? ' ' : (char)('a' + i % 7);
    text[big] = '\0';
    out = nz_fx_run(&fx, text, big, &n, NULL);
    assert_int_equal(n, big);
    assert_memory_equal(out, text, n);
    dp_free(out);
    dp_free(text);

    /* 100,000 lines of one character */
    size_t lines = 100000;
    text = dp_malloc(2 * lines + 1);
    for (size_t i = 0; i < lines; i++) {
        text[2 * i] = 'x';
        text[2 * i + 1] = '\n';
    }
    check_idempotent(&fx, text, 2 * lines);
    dp_free(text);
    nz_fx_fini(&fx);
}

static void test_idempotent_degraded(void **state)
{
    (void)state;
    nz_fx_t fx;
    nz_fx_init(&fx, NULL);
    const char *cases[] = {
        "SCO FORUM\n\nThe  forum was  attended  by  35  experts  and  specialists  from 18  leading\n"
        "research institutes of the Organization\xc3\xa2\xe2\x82\xac\xe2\x84\xa2s member states, ten-\n"
        "year results of the pan-\ndemic.\n\n- 2 -\n\fSCO FORUM\n\ncontinued here.\n",
        "Title\r\n\r\nPublished: Sep 16, 2022 09:23 AM\r\nIllustration: X/GT\r\n\r\nBody\xc2\xa0text.\r\n",
        "   Indented paragraph one that runs on to a second line of\ntext.\n   And another one.\n",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_idempotent(&fx, cases[i], strlen(cases[i]));
    nz_fx_fini(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seeds_clean_form), cmocka_unit_test(test_options_and_report),
        cmocka_unit_test(test_bad_input), cmocka_unit_test(test_idempotent_degraded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
