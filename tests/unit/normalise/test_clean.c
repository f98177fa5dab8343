/* Unit tests of normalise's Unicode clean-up (clean.c): line ends, space
 * separators, invisible and control characters, NFC on the fast path and
 * off it, the ascii_punctuation fold, and bad input. */
#include "nz_test.h"

static const nz_clean_opts_t all_on = {true, true, true, true, false};

static void expect_clean(const nz_clean_opts_t *o, const char *in, size_t len, const char *want)
{
    dp_buf_t out = DP_BUF_INIT;
    nz_counts_t c;
    memset(&c, 0, sizeof c);
    assert_int_equal(nz_clean(in, len, o, &out, &c), DP_OK);
    assert_string_equal(out.len ? out.data : "", want);
    dp_buf_free(&out);
}

#define EXPECT(in, want) expect_clean(&all_on, in, sizeof(in) - 1, want)

static void test_line_ends(void **state)
{
    (void)state;
    EXPECT("a\r\nb\rc\n", "a\nb\nc\n");
    EXPECT("a\xe2\x80\xa8" "b", "a\nb");        /* U+2028 */
    EXPECT("a\xc2\x85" "b", "a\nb");             /* NEL */
}

static void test_spaces(void **state)
{
    (void)state;
    EXPECT("a\xc2\xa0" "b\xe2\x80\xaf" "c\xe3\x80\x80" "d", "a b c d");
    nz_clean_opts_t keep = all_on;
    keep.plain_spaces = false;
    expect_clean(&keep, "a\xc2\xa0" "b", 4, "a\xc2\xa0" "b");
}

static void test_invisible_and_controls(void **state)
{
    (void)state;
    EXPECT("pan\xc2\xad" "demic", "pandemic");             /* soft hyphen */
    EXPECT("\xef\xbb\xbfTitle\xe2\x80\x8b!", "Title!");    /* BOM, ZWSP */
    EXPECT("a\x01" "b\x7f" "c\tz\fy", "abc\tz\fy");         /* tab and form feed stay */
    EXPECT("zwj\xe2\x80\x8d", "zwj\xe2\x80\x8d");           /* ZWJ is kept */
    expect_clean(&all_on, "a\0b", 3, "ab");                /* NUL is a control */
    /* controls inside eight-byte blocks that the fast path reads at once */
    EXPECT("abcdefg\n\x0bhijklmnopq\x7f" "rstuvwxyz", "abcdefg\nhijklmnopqrstuvwxyz");
}

static void test_nfc(void **state)
{
    (void)state;
    EXPECT("Cafe\xcc\x81", "Caf\xc3\xa9");                  /* e + U+0301 */
    EXPECT("\xe2\x84\xab", "\xc3\x85");                     /* Angstrom sign -> Å */
    EXPECT("\xe1\x84\x80\xe1\x85\xa1", "\xea\xb0\x80");     /* jamo -> 가 */
    EXPECT("d\xc3\xa9j\xc3\xa0 vu \xe2\x80\x99", "d\xc3\xa9j\xc3\xa0 vu \xe2\x80\x99");
}

static void test_ascii_punctuation(void **state)
{
    (void)state;
    nz_clean_opts_t o = all_on;
    o.ascii_punctuation = true;
    const char *in = "\xe2\x80\x9cIt\xe2\x80\x99s\xe2\x80\x9d \xe2\x80\x94 ok\xe2\x80\xa6";
    expect_clean(&o, in, strlen(in), "\"It's\" - ok...");
    EXPECT("\xe2\x80\x9cq\xe2\x80\x9d", "\xe2\x80\x9cq\xe2\x80\x9d"); /* kept by default */
}

static void test_bad_input(void **state)
{
    (void)state;
    EXPECT("", "");
    /* every space separator of Unicode (Zs) */
    const char *zs = "a\xc2\xa0" "b\xe1\x9a\x80" "c\xe2\x80\x80" "d\xe2\x80\x81" "e\xe2\x80\x82"
                     "f\xe2\x80\x83" "g\xe2\x80\x84" "h\xe2\x80\x85" "i\xe2\x80\x86" "j\xe2\x80\x87"
                     "k\xe2\x80\x88" "l\xe2\x80\x89" "m\xe2\x80\x8a" "n\xe2\x80\xaf" "o\xe2\x81\x9f"
                     "p\xe3\x80\x80" "q";
    expect_clean(&all_on, zs, strlen(zs), "a b c d e f g h i j k l m n o p q");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_ends),  cmocka_unit_test(test_spaces),
        cmocka_unit_test(test_invisible_and_controls), cmocka_unit_test(test_nfc),
        cmocka_unit_test(test_ascii_punctuation), cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
