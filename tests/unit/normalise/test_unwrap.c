/* Unit tests of normalise's unwrapping (unwrap.c): hard-wrapped paragraphs
 * separated by blank lines or by indents, headings and short lines kept,
 * web-scrape lines (a paragraph a line) left alone, line-end hyphens joined
 * or kept, page furniture around form feeds, and bad input. */
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

static char *unwrap(const char *in, size_t len, nz_counts_t *c)
{
    nz_unwrap_opts_t o = {true, true, true, lex};
    dp_buf_t out = DP_BUF_INIT;
    memset(c, 0, sizeof *c);
    assert_int_equal(nz_unwrap(in, len, &o, &out, c, NULL), DP_OK);
    size_t n;
    return dp_buf_steal(&out, &n);
}

static void expect_unwrap(const char *in, const char *want)
{
    nz_counts_t c;
    char *got = unwrap(in, strlen(in), &c);
    assert_string_equal(got, want);
    dp_free(got);
}

static void test_blank_separated(void **state)
{
    (void)state;
    expect_unwrap("Title of the release\n\n"
                  "The meeting was held in Tashkent on Monday and it was\n"
                  "attended by experts from eighteen research institutes of\n"
                  "the member states.\n\n"
                  "The participants exchanged views on the situation in the\n"
                  "region and on new approaches to building cooperation.\n",
                  "Title of the release\n\n"
                  "The meeting was held in Tashkent on Monday and it was attended by experts from "
                  "eighteen research institutes of the member states.\n\n"
                  "The participants exchanged views on the situation in the region and on new "
                  "approaches to building cooperation.");
}

static void test_indent_separated(void **state)
{
    (void)state;
    expect_unwrap("   The meeting was held in Tashkent on Monday and it was\n"
                  "attended by experts from eighteen research institutes.\n"
                  "   The participants exchanged views on the situation in the\n"
                  "region and on new approaches to building cooperation.\n",
                  "The meeting was held in Tashkent on Monday and it was attended by experts from "
                  "eighteen research institutes.\n\n"
                  "The participants exchanged views on the situation in the region and on new "
                  "approaches to building cooperation.");
}

static void test_hyphens(void **state)
{
    (void)state;
    nz_counts_t c;
    const char *in = "The consequences of the coronavirus pan-\n"
                     "demic were discussed at length by the ten-\n"
                     "year old forum and its long-\n"
                     "term partners in the region, well-\n"
                     "being included, and the experts.\n";
    char *got = unwrap(in, strlen(in), &c);
    assert_string_equal(got, "The consequences of the coronavirus pandemic were discussed at length "
                             "by the ten-year old forum and its long-term partners in the region, "
                             "well-being included, and the experts.");
    assert_int_equal(c.hyphens_joined, 1);
    assert_int_equal(c.hyphens_kept, 3);
    dp_free(got);
    /* a later hyphenation point would have fitted: the break was the word's
     * own hyphen, though "multifaceted" is a listed word */
    expect_unwrap("The forum has served for the mobilization of the member states\n"
                  "for a multi-\n"
                  "faceted cooperation in the region and the organisation as such.\n"
                  "It helped to prepare the ground for what is today the initiative.\n",
                  "The forum has served for the mobilization of the member states for a "
                  "multi-faceted cooperation in the region and the organisation as such. It "
                  "helped to prepare the ground for what is today the initiative.");
    /* the document's own vocabulary decides a compound the lists do not know */
    expect_unwrap("The Mazar-Herat corridor and the other routes of the Mazar-\n"
                  "Herat line were discussed by all the experts of the forum\n"
                  "who came from the capitals of the member states to meet\n"
                  "in Tashkent.\n",
                  "The Mazar-Herat corridor and the other routes of the Mazar-Herat line were "
                  "discussed by all the experts of the forum who came from the capitals of the "
                  "member states to meet in Tashkent.");
}

static void test_hyphens_other_languages(void **state)
{
    (void)state;
    /* words with accents, and words the English lists do not know */
    expect_unwrap("Les ministres des Affaires \xc3\xa9trang\xc3\xa8res ont examin\xc3\xa9 la coop\xc3\xa9ra-\n"
                  "tion r\xc3\xa9gionale et la situation en Afgha-\n"
                  "nistan et au Moyen-\n"
                  "Orient, puis les cons\xc3\xa9quences de la pand\xc3\xa9mie pour la r\xc3\xa9gion.\n",
                  "Les ministres des Affaires \xc3\xa9trang\xc3\xa8res ont examin\xc3\xa9 la coop\xc3\xa9ration "
                  "r\xc3\xa9gionale et la situation en Afghanistan et au Moyen-Orient, puis les "
                  "cons\xc3\xa9quences de la pand\xc3\xa9mie pour la r\xc3\xa9gion.");
}

static void test_web_lines_kept(void **state)
{
    (void)state;
    const char *in =
        "Allow me to express gratitude to each of you for your attention to the activities of the "
        "Shanghai Cooperation Organisation.\n"
        "Your publications and articles have strengthened the positive image of SCO and increased "
        "the interest of the general public towards it.\n"
        "Today, on the eve of the 19th anniversary of SCO, I would like to share with you the results "
        "of the Organisation's activities in the period following the Bishkek summit in June 2019.\n";
    nz_counts_t c;
    char *got = unwrap(in, strlen(in), &c);
    assert_int_equal(c.lines_joined, 0);
    assert_non_null(strstr(got, "Organisation.\n\nYour"));
    dp_free(got);
}

static void test_furniture(void **state)
{
    (void)state;
    nz_counts_t c;
    const char *in = "FORUM TITLE\n\n"
                     "The meeting was held in Tashkent on Monday and it was\n"
                     "attended by experts from eighteen research institutes\n"
                     "and universities of the member states of the regional\n"
                     "organisation and of the observer states, who came from\n\n"
                     "Page 1 of 2\n"
                     "\fFORUM TITLE\n\n"
                     "their capitals and from the regions to discuss the new\n"
                     "projects of the organisation and the future of the region.\n\n"
                     "Page 2 of 2\n";
    char *got = unwrap(in, strlen(in), &c);
    assert_string_equal(got, "FORUM TITLE\n\nThe meeting was held in Tashkent on Monday and it was "
                             "attended by experts from eighteen research institutes and universities "
                             "of the member states of the regional organisation and of the observer "
                             "states, who came from their capitals and from the regions to discuss "
                             "the new projects of the organisation and the future of the region.");
    assert_int_equal(c.furniture, 3);
    dp_free(got);
}

static void test_page_number_without_form_feed(void **state)
{
    (void)state;
    expect_unwrap("The meeting was held in Tashkent on Monday and it was\n"
                  "attended by experts from eighteen research institutes\n"
                  "Page 1 of 2\n"
                  "and universities of the member states of the regional\n"
                  "organisation and of the observer states, who came from\n"
                  "their capitals to discuss the future of the region.\n",
                  "The meeting was held in Tashkent on Monday and it was attended by experts from "
                  "eighteen research institutes and universities of the member states of the "
                  "regional organisation and of the observer states, who came from their capitals "
                  "to discuss the future of the region.");
}

/* Every form of page number on a line of its own inside wrapped text goes,
 * in capitals or not; a short line with other letters stays. (The furniture
 * pass builds a line's key only when every byte can be part of such a form:
 * this checks that filter keeps all of them.) */
static void test_page_number_forms(void **state)
{
    (void)state;
    static const char *const forms[] = {"- 2 -", "-2-",   "PAGE 2", "Page 2 of 5", "2 of 5",
                                        "2/5",   "2 / 5", "[12]",   "(12)",        "P. 2",
                                        "\xe2\x80\x94 2 \xe2\x80\x94", "\xe2\x80\x93 2 \xe2\x80\x93"};
    const char *head = "The meeting was held in Tashkent on Monday and it was\n"
                       "attended by experts from eighteen research institutes\n";
    const char *tail = "\nand universities of the member states of the regional\n"
                       "organisation and of the observer states, who came from\n"
                       "their capitals to discuss the future of the region.\n";
    const char *want = "The meeting was held in Tashkent on Monday and it was attended by experts "
                       "from eighteen research institutes and universities of the member states of "
                       "the regional organisation and of the observer states, who came from their "
                       "capitals to discuss the future of the region.";
    char in[1024];
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        snprintf(in, sizeof in, "%s%s%s", head, forms[i], tail);
        expect_unwrap(in, want);
    }
    /* Not a page number: kept as a line of its own. */
    snprintf(in, sizeof in, "%s%s%s", head, "Page two", tail);
    nz_counts_t c;
    char *got = unwrap(in, strlen(in), &c);
    assert_non_null(strstr(got, "Page two"));
    assert_int_equal(c.furniture, 0);
    dp_free(got);
}

static void test_bad_input(void **state)
{
    (void)state;
    expect_unwrap("", "");
    expect_unwrap(" \n\t\n\f\n  ", "");
    expect_unwrap("-\n-\n", "-\n\n-");
    /* 100,000 lines of one character */
    size_t n = 100000;
    char *in = dp_malloc(2 * n + 1);
    for (size_t i = 0; i < n; i++) {
        in[2 * i] = 'x';
        in[2 * i + 1] = '\n';
    }
    nz_counts_t c;
    char *got = unwrap(in, 2 * n, &c);
    assert_true(strlen(got) > 0);
    dp_free(got);
    dp_free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blank_separated), cmocka_unit_test(test_indent_separated),
        cmocka_unit_test(test_hyphens),          cmocka_unit_test(test_hyphens_other_languages),
        cmocka_unit_test(test_web_lines_kept),
        cmocka_unit_test(test_furniture),        cmocka_unit_test(test_page_number_without_form_feed),
        cmocka_unit_test(test_page_number_forms), cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
