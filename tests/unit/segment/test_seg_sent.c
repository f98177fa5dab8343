/* Unit tests of the sentence splitter, one test per rule family
 * (abbreviations, initials, numbers, addresses, quotations and brackets,
 * ellipses, lists, newlines, the German pack), and bad input: empty text, no
 * punctuation, 1 MB without a full stop, only punctuation, long runs of
 * marks that could make a naive scanner quadratic. */
#include "seg_test.h"

#include "docpipe/alloc.h"

static seg_lang_t *en, *de;

static int setup(void **state)
{
    (void)state;
    en = seg_test_pack("en");
    de = seg_test_pack("de");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    seg_lang_free(en);
    seg_lang_free(de);
    return 0;
}

static void test_abbreviations(void **state)
{
    (void)state;
    SEG_EXPECT(en, "Mr. Smith met Dr. Jones at St. Mary's.", "Mr. Smith met Dr. Jones at St. Mary's.");
    SEG_EXPECT(en, "They closed the deal with Pitt, Briggs & Co. It closed yesterday.",
               "They closed the deal with Pitt, Briggs & Co.", "It closed yesterday.");
    SEG_EXPECT(en, "Apple Inc. said profit rose.", "Apple Inc. said profit rose.");
    SEG_EXPECT(en, "See No. 5 and pp. 10-12.", "See No. 5 and pp. 10-12.");
    SEG_EXPECT(en, "I live in the U.S. How about you?", "I live in the U.S.", "How about you?");
    SEG_EXPECT(en, "I work for the U.S. Government in Virginia.",
               "I work for the U.S. Government in Virginia.");
    SEG_EXPECT(en, "At 5 a.m. Mr. Smith went to the bank. He left the bank at 6 P.M. Mr. Smith "
                   "then went to the store.",
               "At 5 a.m. Mr. Smith went to the bank.", "He left the bank at 6 P.M.",
               "Mr. Smith then went to the store.");
    SEG_EXPECT(en, "The vote is at 9 a.m. EST on Friday.", "The vote is at 9 a.m. EST on Friday.");
}

static void test_initials(void **state)
{
    (void)state;
    SEG_EXPECT(en, "My name is Jonas E. Smith.", "My name is Jonas E. Smith.");
    SEG_EXPECT(en, "We make a good team, you and I. Did you see Albert I. Jones yesterday?",
               "We make a good team, you and I.", "Did you see Albert I. Jones yesterday?");
    SEG_EXPECT(en, "It was Plan B. The rest failed.", "It was Plan B.", "The rest failed.");
}

static void test_numbers(void **state)
{
    (void)state;
    SEG_EXPECT(en, "She has $100.00 in her bag.", "She has $100.00 in her bag.");
    SEG_EXPECT(en, "She has $100.00. It is in her bag.", "She has $100.00.", "It is in her bag.");
    SEG_EXPECT(en, "You can find it at N°. 1026.253.553. That is where the treasure is.",
               "You can find it at N°. 1026.253.553.", "That is where the treasure is.");
    SEG_EXPECT(de, "Was sind die Konsequenzen der Abstimmung vom 12. Juni?",
               "Was sind die Konsequenzen der Abstimmung vom 12. Juni?");
    SEG_EXPECT(en, "It ended in 2019. 20 people stayed.", "It ended in 2019.", "20 people stayed.");
}

static void test_addresses(void **state)
{
    (void)state;
    SEG_EXPECT(en, "Her email is Jane.Doe@example.com. I sent her an email.",
               "Her email is Jane.Doe@example.com.", "I sent her an email.");
    SEG_EXPECT(en, "The site is: https://www.example.50.com/new-site/awesome_content.html. "
                   "Please check it out.",
               "The site is: https://www.example.50.com/new-site/awesome_content.html.",
               "Please check it out.");
}

static void test_quotes_brackets(void **state)
{
    (void)state;
    SEG_EXPECT(en, "She turned to him, \"This is great.\" she said.",
               "She turned to him, \"This is great.\" she said.");
    SEG_EXPECT(en, "She turned to him, \"This is great.\" She held the book out to show him.",
               "She turned to him, \"This is great.\"", "She held the book out to show him.");
    SEG_EXPECT(en, "He teaches science (He previously worked for 5 years as an engineer.) at the "
                   "local University.",
               "He teaches science (He previously worked for 5 years as an engineer.) at the "
               "local University.");
    SEG_EXPECT(de, "Ich persönlich kaufe kein Junkfood (ich traue mir da selbst nicht!). Ich finde "
                   "jeden Vorwand.",
               "Ich persönlich kaufe kein Junkfood (ich traue mir da selbst nicht!).",
               "Ich finde jeden Vorwand.");
    SEG_EXPECT(en, "She works at Yahoo! in the accounting department.",
               "She works at Yahoo! in the accounting department.");
    SEG_EXPECT(en, "Hello?! Is that you?", "Hello?!", "Is that you?");
}

static void test_ellipses(void **state)
{
    (void)state;
    SEG_EXPECT(en, "I never meant that.... She left the store.", "I never meant that....",
               "She left the store.");
    SEG_EXPECT(en, "I wasn’t really ... well, what I mean...see . . . what I'm saying, the thing "
                   "is . . . I didn’t mean it.",
               "I wasn’t really ... well, what I mean...see . . . what I'm saying, the thing is "
               ". . . I didn’t mean it.");
    SEG_EXPECT(en, "One habit was weakened . . . was that of combining words. . . . The practice "
                   "was not abandoned. . . .",
               "One habit was weakened . . . was that of combining words.",
               ". . . The practice was not abandoned. . . .");
    SEG_EXPECT(en, "\"Bohr [...] used the analogy of parallel stairways [...]\" (Smith 55).",
               "\"Bohr [...] used the analogy of parallel stairways [...]\" (Smith 55).");
}

static void test_lists(void **state)
{
    (void)state;
    SEG_EXPECT(en, "1.) The first item 2.) The second item", "1.) The first item",
               "2.) The second item");
    SEG_EXPECT(en, "1. The first item. 2. The second item.", "1. The first item.",
               "2. The second item.");
    SEG_EXPECT(en, "• 9. The first item • 10. The second item", "• 9. The first item",
               "• 10. The second item");
    SEG_EXPECT(en, "a. The first item b. The second item c. The third list item",
               "a. The first item", "b. The second item", "c. The third list item");
    SEG_EXPECT(en, "Steps:\n- open the box\n- switch it on", "Steps:", "- open the box",
               "- switch it on");
    /* A dash inside a sentence is no bullet. */
    SEG_EXPECT(en, "- One thing - and another - happened.",
               "- One thing - and another - happened.");
}

static void test_newlines(void **state)
{
    (void)state;
    const char *text = "The first line has no stop\nand the second one continues. Next one.";
    const char *const joined[] = {"The first line has no stop\nand the second one continues.",
                                  "Next one."};
    assert_true(seg_test_matches(en, false, text, joined, 2, true));
    const char *const split[] = {"The first line has no stop", "and the second one continues.",
                                 "Next one."};
    assert_true(seg_test_matches(en, true, text, split, 3, true));
    SEG_EXPECT(en, "Title\n\nBody text. More text.", "Title", "Body text.", "More text.");
}

static void test_german_pack(void **state)
{
    (void)state;
    SEG_EXPECT(de, "Wir trafen Dr. med. Meyer in der Stadt.",
               "Wir trafen Dr. med. Meyer in der Stadt.");
    SEG_EXPECT(de, "Frau Prof. Schulze ist z. Z. nicht da.", "Frau Prof. Schulze ist z. Z. nicht da.");
    SEG_EXPECT(de, "Wir brauchen Bier usw. Die Lieferung kommt morgen.", "Wir brauchen Bier usw.",
               "Die Lieferung kommt morgen.");
}

/* ---- bad input ------------------------------------------------------------ */

static size_t count_sentences(const seg_lang_t *lang, const char *text, size_t len)
{
    seg_ranges_t out = SEG_RANGES_INIT;
    seg_test_split(lang, false, text, len, &out);
    for (size_t i = 0; i < out.n; i++) {
        assert_true(out.v[i].start < out.v[i].end);
        assert_true(out.v[i].end <= len);
        assert_false(text[out.v[i].start] == ' ' || text[out.v[i].end - 1] == ' ');
    }
    size_t n = out.n;
    seg_ranges_free(&out);
    return n;
}

static void test_empty(void **state)
{
    (void)state;
    assert_int_equal(count_sentences(en, "", 0), 0);
    assert_int_equal(count_sentences(en, "   \n\n \t ", 8), 0);
}

static void test_no_punctuation(void **state)
{
    (void)state;
    SEG_EXPECT(en, "no punctuation here at all", "no punctuation here at all");
}

static void test_only_punctuation(void **state)
{
    (void)state;
    SEG_EXPECT(en, "... !!! ???", "... !!! ???");
    SEG_EXPECT(en, ".", ".");
    assert_int_equal(count_sentences(en, "?", 1), 1);
}

static void test_megabyte_without_stop(void **state)
{
    (void)state;
    size_t len = 1u << 20;
    char *text = dp_malloc(len + 1);
    assert_non_null(text);
    for (size_t i = 0; i < len; i++)
        text[i] = "abc def "[i % 8];
    text[len - 1] = 'x';
    text[len] = '\0';
    assert_int_equal(count_sentences(en, text, len), 1);
    /* A megabyte of marks and of full stops between spaces: linear time. */
    for (size_t i = 0; i < len; i++)
        text[i] = "! . "[i % 4];
    assert_int_equal(count_sentences(en, text, len), 1);
    for (size_t i = 0; i < len; i++)
        text[i] = (i % 2) ? ' ' : '.';
    assert_int_equal(count_sentences(en, text, len), 1);
    for (size_t i = 0; i < len; i++)
        text[i] = "1. "[i % 3];
    assert_true(count_sentences(en, text, len) >= 1);
    /* Half a megabyte of opening brackets, then closing quotation marks
     * that match none of them: pairing stays linear. */
    for (size_t i = 0; i < len / 2; i++)
        text[i] = '(';
    for (size_t i = len / 2; i + 3 <= len; i += 3)
        memcpy(text + i, "\xE2\x80\x9D", 3);
    for (size_t i = len / 2 + ((len - len / 2) / 3) * 3; i < len; i++)
        text[i] = ' ';
    assert_int_equal(count_sentences(en, text, len), 1);
    /* A megabyte of "ab.Cd.ab.Cd..." without a space: every full stop is a
     * glued-stop candidate whose look around is bounded. */
    for (size_t i = 0; i < len; i++)
        text[i] = "ab.Cd."[i % 6];
    assert_int_equal(count_sentences(en, text, len), 1);
    dp_free(text);
}

static void test_nul_and_odd_bytes(void **state)
{
    (void)state;
    const char text[] = "First one.\0 Second one. Third\xE2\x80\xA6 Fourth.";
    assert_int_equal(count_sentences(en, text, sizeof text - 1), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_abbreviations),
        cmocka_unit_test(test_initials),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_quotes_brackets),
        cmocka_unit_test(test_ellipses),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_newlines),
        cmocka_unit_test(test_german_pack),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_no_punctuation),
        cmocka_unit_test(test_only_punctuation),
        cmocka_unit_test(test_megabyte_without_stop),
        cmocka_unit_test(test_nul_and_odd_bytes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
