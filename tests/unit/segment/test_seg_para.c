/* Unit tests of the paragraph splitter and its kinds: blank-line blocks,
 * headings and list items on lines of their own, hard-wrapped prose kept
 * together, datelines, bylines and captions from the pack's cues, and bad
 * input (empty, whitespace only, 100,000 one-character lines). */
#include "seg_test.h"

#include "docpipe/alloc.h"

static seg_lang_t *en;

static int setup(void **state)
{
    (void)state;
    en = seg_test_pack("en");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    seg_lang_free(en);
    return 0;
}

/* Paragraphs as "kind:text" joined by " | ". */
static const char *paras(const char *text, char *buf, size_t cap)
{
    seg_ranges_t out = SEG_RANGES_INIT, lines = SEG_RANGES_INIT;
    assert_int_equal(seg_paragraphs(en, text, strlen(text), &lines, &out), DP_OK);
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < out.n; i++) {
        int n = snprintf(buf + o, cap - o, "%s%s:%.*s", i ? " | " : "",
                         seg_para_kind_name((seg_para_kind_t)out.v[i].kind),
                         (int)(out.v[i].end - out.v[i].start), text + out.v[i].start);
        assert_true(n > 0 && (size_t)n < cap - o);
        o += (size_t)n;
    }
    seg_ranges_free(&out);
    seg_ranges_free(&lines);
    return buf;
}

#define PARAS(text, expected)                                                                \
    do {                                                                                     \
        char buf_[4096];                                                                     \
        assert_string_equal(paras(text, buf_, sizeof buf_), expected);                      \
    } while (0)

static void test_blocks_and_kinds(void **state)
{
    (void)state;
    PARAS("SCO Forum anniversary session\n\n  The session was held online.  \n\n",
          "heading:SCO Forum anniversary session | body:The session was held online.");
    PARAS("SCO a model of successful regional cooperation\nPublished: Sep 16, 2022 09:23 AM\n"
          "Illustration: Chen Xia/GT\n\nThe summit was held in Samarkand.",
          "heading:SCO a model of successful regional cooperation | "
          "dateline:Published: Sep 16, 2022 09:23 AM | caption:Illustration: Chen Xia/GT | "
          "body:The summit was held in Samarkand.");
    PARAS("By John Smith\n\nBy 2025, the plan will be complete.",
          "byline:By John Smith | body:By 2025, the plan will be complete.");
    PARAS("AL-AIN, United Arab Emirates 1996-12-06\nJapan began the defence of their title.",
          "dateline:AL-AIN, United Arab Emirates 1996-12-06 | "
          "body:Japan began the defence of their title.");
    PARAS("SOCCER - JAPAN GET LUCKY WIN, CHINA IN SURPRISE DEFEAT.",
          "heading:SOCCER - JAPAN GET LUCKY WIN, CHINA IN SURPRISE DEFEAT.");
    PARAS("Ethiopia produced 14.27 million tonnes of crops in 2004, a report says.",
          "body:Ethiopia produced 14.27 million tonnes of crops in 2004, a report says.");
    PARAS("Why Has The SCO Become A Model?\n\nIt grew.",
          "heading:Why Has The SCO Become A Model? | body:It grew.");
    PARAS("So what is the gap between Labour and the Tories nowadays?\n\nIt grew.",
          "body:So what is the gap between Labour and the Tories nowadays? | body:It grew.");
    PARAS("Video games could soon be studied at university.\n\nVideo: the launch",
          "body:Video games could soon be studied at university. | caption:Video: the launch");
    PARAS("Ties to be played on 19/20 February.", "body:Ties to be played on 19/20 February.");
    PARAS("Anton Bugayenko, chief expert of the Institute of World Economy in Kazakhstan\n\n"
          "Norov, in turn, pointed out the risks\n\nJohn Smith, a farmer, said it was poor.",
          "byline:Anton Bugayenko, chief expert of the Institute of World Economy in Kazakhstan | "
          "heading:Norov, in turn, pointed out the risks | "
          "body:John Smith, a farmer, said it was poor.");
}

static void test_lists(void **state)
{
    (void)state;
    PARAS("Key points:\n• growth\n• jobs\n1. first\n2. second",
          "heading:Key points: | list_item:• growth | list_item:• jobs | list_item:1. first | "
          "list_item:2. second");
    PARAS("J. Smith said so.", "body:J. Smith said so.");
}

static void test_wrapped_prose(void **state)
{
    (void)state;
    const char *text =
        "The 15th session of the SCO Forum was held on September 29 via videoconference.\n"
        "The meeting, organized by the National Institute for Strategic Studies of the\n"
        "Kyrgyz Republic jointly with the SCO Secretariat, was attended by many experts\n"
        "of the region.\n"
        "   The forum was attended by 35 experts and specialists from 18 leading research\n"
        "institutes of the member states.";
    char buf[4096];
    paras(text, buf, sizeof buf);
    assert_non_null(strstr(buf, "body:The 15th session"));
    assert_non_null(strstr(buf, "the\nKyrgyz Republic"));
    assert_non_null(strstr(buf, "region. | body:The forum"));
}

static void test_bad_input(void **state)
{
    (void)state;
    PARAS("", "");
    PARAS(" \n\n\t\n ", "");
    size_t n = 100000;
    char *text = dp_malloc(2 * n + 1);
    assert_non_null(text);
    for (size_t i = 0; i < n; i++) {
        text[2 * i] = 'x';
        text[2 * i + 1] = '\n';
    }
    text[2 * n] = '\0';
    seg_ranges_t out = SEG_RANGES_INIT, lines = SEG_RANGES_INIT;
    assert_int_equal(seg_paragraphs(en, text, 2 * n, &lines, &out), DP_OK);
    assert_true(out.n >= 1);
    seg_ranges_free(&out);
    seg_ranges_free(&lines);
    dp_free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocks_and_kinds),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_wrapped_prose),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
