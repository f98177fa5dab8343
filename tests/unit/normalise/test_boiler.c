/* Unit tests of normalise's boilerplate step (boiler.c): the shipped pattern
 * file on crumbs, share lines and credits, repeated captions, whole-line
 * drops, a malformed pattern file, and bad input. */
#include <stdio.h>

#include "nz_test.h"

static nz_boiler_t *boiler;

static int setup(void **state)
{
    (void)state;
    const char *paths[] = {"configs/normalise/boilerplate.txt"};
    char err[256];
    return nz_boiler_load(paths, 1, &boiler, err, sizeof err) == DP_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    nz_boiler_free(boiler);
    return 0;
}

static void expect_boiler(const char *in, const char *want, size_t removed)
{
    dp_buf_t out = DP_BUF_INIT;
    nz_counts_t c;
    memset(&c, 0, sizeof c);
    json_t *report = json_array();
    assert_int_equal(nz_boiler_apply(boiler, true, in, strlen(in), &out, &c, report), DP_OK);
    assert_string_equal(out.len ? out.data : "", want);
    assert_int_equal(c.boilerplate + c.duplicates, removed);
    assert_int_equal(json_array_size(report), removed);
    json_decref(report);
    dp_buf_free(&out);
}

static void test_patterns(void **state)
{
    (void)state;
    expect_boiler("Title\n\n\xc2\xab Back\n\nBody text.", "Title\n\nBody text.", 1);
    expect_boiler("Title\n\nIllustration: Chen Xia/GT\n\nBody.\n\nShare this article",
                  "Title\n\nBody.", 2);
    expect_boiler("We use cookies to improve your experience.\n\nBody.", "Body.", 1);
    /* a sentence that mentions a photo is not a credit */
    expect_boiler("The photo was taken in Tashkent. It shows the delegates.",
                  "The photo was taken in Tashkent. It shows the delegates.", 0);
}

static void test_duplicates(void **state)
{
    (void)state;
    expect_boiler("Title\n\nThe delegates at the summit in Samarkand\n\nBody one.\n\n"
                  "The delegates at the summit in Samarkand\n\nBody two.",
                  "Title\n\nThe delegates at the summit in Samarkand\n\nBody one.\n\nBody two.", 1);
}

static void test_drop_ranges(void **state)
{
    (void)state;
    const char *in = "Title\n\nPublished: Sep 16, 2022\n\nBody.";
    size_t s[1] = {7}, e[1] = {30};
    dp_buf_t out = DP_BUF_INIT;
    assert_int_equal(nz_drop_ranges(in, strlen(in), s, e, 1, &out, NULL, "meta"), DP_OK);
    assert_string_equal(out.data, "Title\n\nBody.");
    dp_buf_free(&out);
}

static void test_bad_pattern_file(void **state)
{
    (void)state;
    const char *path = "tests/data/normalise/.bad-patterns.tmp";
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("# comment\nok line\n(unclosed\n", f);
    fclose(f);
    nz_boiler_t *b = NULL;
    char err[256] = "";
    assert_int_equal(nz_boiler_load(&path, 1, &b, err, sizeof err), DP_EFORMAT);
    assert_non_null(strstr(err, "line 3"));
    remove(path);
    const char *missing = "tests/data/normalise/none.txt";
    assert_int_equal(nz_boiler_load(&missing, 1, &b, err, sizeof err), DP_EIO);
}

static void test_bad_input(void **state)
{
    (void)state;
    expect_boiler("", "", 0);
    expect_boiler("\n\n\n", "", 0);
    dp_buf_t out = DP_BUF_INIT;
    nz_counts_t c;
    memset(&c, 0, sizeof c);
    assert_int_equal(nz_boiler_apply(NULL, false, "a\0b", 3, &out, &c, NULL), DP_OK);
    assert_int_equal(out.len, 3);
    dp_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_patterns),   cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_drop_ranges), cmocka_unit_test(test_bad_pattern_file),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
