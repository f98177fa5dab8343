/* Unit tests of normalise's white-space step (whitespace.c): runs of spaces
 * and tabs, trailing spaces, blank lines and form feeds, and bad input. */
#include "nz_test.h"

static void expect_ws(const char *in, size_t len, const char *want)
{
    dp_buf_t out = DP_BUF_INIT;
    assert_int_equal(nz_whitespace(in, len, &out), DP_OK);
    assert_string_equal(out.len ? out.data : "", want);
    dp_buf_free(&out);
}

#define EXPECT(in, want) expect_ws(in, sizeof(in) - 1, want)

static void test_collapse(void **state)
{
    (void)state;
    EXPECT("  a  b\t\tc  \n", "a b c");
    EXPECT("a\n\n\n\nb", "a\n\nb");
    EXPECT("\n\n a\nb \n\n", "a\nb");
    EXPECT("a\fb", "a\n\nb");
    /* runs across and inside the eight-byte blocks of the fast path */
    EXPECT("abcdefg  hijklmno\tpqrstuv \t wxyz       end", "abcdefg hijklmno pqrstuv wxyz end");
    EXPECT("abcdefgh ijklmnop qrstuvwx", "abcdefgh ijklmnop qrstuvwx");
}

static void test_line(void **state)
{
    (void)state;
    dp_buf_t out = DP_BUF_INIT;
    assert_int_equal(nz_ws_line("  x   y  ", 9, &out), DP_OK);
    assert_string_equal(out.data, "x y");
    dp_buf_free(&out);
}

static void test_bad_input(void **state)
{
    (void)state;
    EXPECT("", "");
    EXPECT(" \t \n \n\t\f  ", "");
    /* 100,000 lines of one character */
    size_t n = 100000;
    char *in = dp_malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++) {
        in[2 * i] = 'x';
        in[2 * i + 1] = '\n';
    }
    dp_buf_t out = DP_BUF_INIT;
    assert_int_equal(nz_whitespace(in, 2 * n, &out), DP_OK);
    assert_int_equal(out.len, 2 * n - 1);
    dp_buf_free(&out);
    dp_free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_collapse), cmocka_unit_test(test_line),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
