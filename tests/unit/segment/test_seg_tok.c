/* Unit tests of the tokenizer: UAX #29 words and numbers, docpipe's
 * refinements ("U.S.", "09:23", "3.5%", "e-mail", addresses), kinds,
 * non-Latin scripts, and bad input (empty, one huge token, marks only). */
#include "seg_test.h"

#include "docpipe/alloc.h"

static seg_lang_t *en;

static int setup(void **state)
{
    (void)state;
    seg_tok_global_init();
    en = seg_test_pack("en");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    seg_lang_free(en);
    return 0;
}

/* Tokens of text as "text/kind" joined by spaces, into buf. */
static const char *toks(const char *text, char *buf, size_t cap)
{
    seg_ranges_t out = SEG_RANGES_INIT;
    assert_int_equal(seg_tokens(en, text, 0, strlen(text), &out), DP_OK);
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < out.n; i++) {
        int n = snprintf(buf + o, cap - o, "%s%.*s/%s", i ? " " : "",
                         (int)(out.v[i].end - out.v[i].start), text + out.v[i].start,
                         seg_tok_kind_name((seg_tok_kind_t)out.v[i].kind));
        assert_true(n > 0 && (size_t)n < cap - o);
        o += (size_t)n;
    }
    seg_ranges_free(&out);
    return buf;
}

#define TOKS(text, expected)                                                                 \
    do {                                                                                     \
        char buf_[2048];                                                                     \
        assert_string_equal(toks(text, buf_, sizeof buf_), expected);                       \
    } while (0)

static void test_words_and_punctuation(void **state)
{
    (void)state;
    TOKS("Hello, world!", "Hello/word ,/punct world/word !/punct");
    TOKS("don't Michael's one’s", "don't/word Michael's/word one’s/word");
    TOKS("Wait... what?!", "Wait/word .../punct what/word ?/punct !/punct");
}

static void test_refinements(void **state)
{
    (void)state;
    TOKS("the U.S. army", "the/word U.S./word army/word");
    TOKS("at 09:23 AM", "at/word 09:23/number AM/word");
    TOKS("rose 3.5% to $1,000.50", "rose/word 3.5%/number to/word $/symbol 1,000.50/number");
    TOKS("an e-mail on COVID-19", "an/word e-mail/word on/word COVID-19/word");
    TOKS("Mr. Smith and Jonas E. Smith", "Mr./word Smith/word and/word Jonas/word E./word Smith/word");
    TOKS("No. 5 but no.", "No./word 5/number but/word no/word ./punct");
}

static void test_addresses(void **state)
{
    (void)state;
    TOKS("See https://www.example.50.com/new-site/awesome_content.html. Then",
         "See/word https://www.example.50.com/new-site/awesome_content.html/url ./punct Then/word");
    TOKS("(www.example.org/a_(b))", "(/punct www.example.org/a_(b)/url )/punct");
    TOKS("Mail Jane.Doe@example.com.", "Mail/word Jane.Doe@example.com/email ./punct");
    TOKS("a@b is no address", "a/word @/punct b/word is/word no/word address/word");
}

static void test_scripts(void **state)
{
    (void)state;
    TOKS("Привет, мир.", "Привет/word ,/punct мир/word ./punct");
    TOKS("Straße café", "Straße/word café/word");
    TOKS("東京都", "東/word 京/word 都/word");
    TOKS("x ™ y", "x/word ™/symbol y/word");
}

static void test_bad_input(void **state)
{
    (void)state;
    seg_ranges_t out = SEG_RANGES_INIT;
    assert_int_equal(seg_tokens(en, "", 0, 0, &out), DP_OK);
    assert_int_equal(out.n, 0);
    assert_int_equal(seg_tokens(en, " \n\t ", 0, 4, &out), DP_OK);
    assert_int_equal(out.n, 0);
    size_t len = 1u << 20;
    char *text = dp_malloc(len + 1);
    assert_non_null(text);
    memset(text, 'a', len);
    text[len] = '\0';
    assert_int_equal(seg_tokens(en, text, 0, len, &out), DP_OK);
    assert_int_equal(out.n, 1);
    /* Many candidates for an e-mail address, none complete: linear time. */
    out.n = 0;
    for (size_t i = 0; i < len; i++)
        text[i] = "a.b-c%"[i % 6];
    text[len - 1] = '@';
    assert_int_equal(seg_tokens(en, text, 0, len, &out), DP_OK);
    assert_true(out.n > 0);
    /* Glued full stops everywhere and one megabyte-long web address. */
    out.n = 0;
    for (size_t i = 0; i < len; i++)
        text[i] = "ab.Cd."[i % 6];
    assert_int_equal(seg_tokens(en, text, 0, len, &out), DP_OK);
    assert_true(out.n >= 1);
    out.n = 0;
    memcpy(text, "www.", 4);
    memset(text + 4, 'x', len - 4);
    assert_int_equal(seg_tokens(en, text, 0, len, &out), DP_OK);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.v[0].kind, SEG_TOK_URL);
    out.n = 0;
    memset(text, '%', len);
    assert_int_equal(seg_tokens(en, text, 0, len, &out), DP_OK);
    assert_int_equal(out.n, 1);
    dp_free(text);
    seg_ranges_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words_and_punctuation),
        cmocka_unit_test(test_refinements),
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_scripts),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
