/* Unit tests of the tag stage's name rules and linking: titles and
 * honorifics, initials, organisation heads and "X of Y" names, acronyms
 * defined in brackets, places that are part of an organisation, sentence
 * starts, headlines and datelines, results tables, linking of short
 * mentions; and bad input (no capitals, all capitals, 1 MB of one token,
 * non-Latin scripts, empty text, NUL bytes). */
#include "tag_fixture.h"

#include <stdlib.h>
#include <time.h>

#include "docpipe/utf8.h"

static tag_mentions_t M;
static const char *T;

static void run(const fixture_t *f, const char *text)
{
    T = text;
    run_text(f, text, strlen(text), NULL, &M);
}

static void done(void) { tag_mentions_free(&M); }

static const char *canon(const char *want)
{
    const tag_mention_t *x = find_mention(&M, T, want);
    assert_non_null(x);
    return x->canonical ? x->canonical : want;
}

static void test_titles_and_people(void **state)
{
    const fixture_t *f = *state;
    run(f, "SCO Secretary-General Vladimir Norov met President Emil Constantinescu on Monday.");
    expect(&M, T, "SCO", "ORG");
    expect(&M, T, "Vladimir Norov", "PERSON");
    expect(&M, T, "Emil Constantinescu", "PERSON");
    expect_none(&M, T, "Secretary-General");
    done();
    run(f, "The letter of H.E. Mr. António Guterres was read out.");
    expect(&M, T, "António Guterres", "PERSON");
    done();
    run(f, "In this context, V. Norov and S.Valiyev spoke, as did Deputy Director Sanjar Valiyev.");
    expect(&M, T, "V. Norov", "PERSON");
    expect(&M, T, "S.Valiyev", "PERSON");
    expect(&M, T, "Sanjar Valiyev", "PERSON");
    done();
    /* a place then a person after "President of" */
    run(f, "the initiative of the President of Uzbekistan Shavkat Mirziyoyev to create a centre");
    expect(&M, T, "Uzbekistan", "LOC");
    expect(&M, T, "Shavkat Mirziyoyev", "PERSON");
    done();
}

static void test_organisations(void **state)
{
    const fixture_t *f = *state;
    run(f, "representatives of the Ministry of Foreign Affairs of Turkmenistan attended.");
    expect(&M, T, "Ministry of Foreign Affairs of Turkmenistan", "ORG");
    done();
    run(f, "The Institute for Strategic and Regional Studies under the President of Uzbekistan "
           "and Acme Widgets Ltd signed.");
    /* the official name runs on through "under the President of ..." */
    expect(&M, T, "Institute for Strategic and Regional Studies under the President of Uzbekistan",
           "ORG");
    expect(&M, T, "Acme Widgets Ltd", "ORG");
    done();
    run(f, "The Information and Analytical Center for International Relations and the Ministry "
           "of Trade and Industry met the Institute of World Economy and Politics.");
    expect(&M, T, "Information and Analytical Center for International Relations", "ORG");
    expect(&M, T, "Ministry of Trade and Industry", "ORG");
    expect(&M, T, "Institute of World Economy and Politics", "ORG");
    done();
    run(f, "Global Times invited experts. The SCO RATS and WHO agreed on the Hairaton-Herat line.");
    expect(&M, T, "Global Times", "ORG");
    expect(&M, T, "SCO RATS", "ORG");
    expect(&M, T, "WHO", "ORG");
    expect(&M, T, "Hairaton", "LOC");
    expect(&M, T, "Herat", "LOC");
    done();
    /* a place alone, and the same place inside an organisation's name */
    run(f, "Officials in Beijing said the Beijing Municipal Government would pay.");
    expect(&M, T, "Beijing", "LOC");
    expect(&M, T, "Beijing Municipal Government", "ORG");
    done();
}

static void test_acronyms_and_linking(void **state)
{
    const fixture_t *f = *state;
    run(f, "The Shanghai Cooperation Organisation (SCO) summit was held. Later the SCO agreed, "
           "and Secretary-General Vladimir Norov spoke. Norov said more.");
    expect(&M, T, "Shanghai Cooperation Organisation", "ORG");
    expect(&M, T, "SCO", "ORG");
    assert_string_equal(canon("SCO"), "Shanghai Cooperation Organisation");
    expect(&M, T, "Norov", "PERSON");
    assert_string_equal(canon("Norov"), "Vladimir Norov");
    done();
    /* a surname that is also a town is the person in this document */
    run(f, "Brian Lara scored 100. Lara was out later.");
    const tag_mention_t *x = NULL;
    for (size_t i = 0; i < M.n; i++)
        if (M.v[i].start == strlen("Brian Lara scored 100. "))
            x = &M.v[i];
    assert_non_null(x);
    assert_string_equal(x->label, "PERSON");
    done();
}

static void test_sentence_starts(void **state)
{
    const fixture_t *f = *state;
    run(f, "However, Kazakhstan agreed. Today the Forum met. New York and South Korea joined.");
    expect_none(&M, T, "However");
    expect(&M, T, "Kazakhstan", "LOC");
    expect_none(&M, T, "Forum");
    expect(&M, T, "New York", "LOC");
    expect(&M, T, "South Korea", "LOC");
    done();
    /* nationalities are not places or people */
    run(f, "The Uzbek side and Chinese experts met Russian officials.");
    for (size_t i = 0; i < M.n; i++)
        assert_true(strcmp(M.v[i].label, "PERSON") && strcmp(M.v[i].label, "LOC") &&
                    strcmp(M.v[i].label, "ORG"));
    done();
}

static void test_headlines_and_tables(void **state)
{
    const fixture_t *f = *state;
    run(f, "SOCCER - JAPAN BEAT SYRIA, KUTTAB STARS.\nAL-AIN, United Arab Emirates 1996-12-06\n"
           "Japan beat Syria 2-1 as Ali Kuttab scored twice.\n");
    expect(&M, T, "JAPAN", "LOC");
    expect(&M, T, "SYRIA", "LOC");
    expect(&M, T, "KUTTAB", "PERSON"); /* linked from the body */
    expect_none(&M, T, "SOCCER");
    expect_none(&M, T, "BEAT");
    expect(&M, T, "AL-AIN", "LOC");
    expect(&M, T, "United Arab Emirates", "LOC");
    expect(&M, T, "Ali Kuttab", "PERSON");
    done();
    run(f, "Results:\nLeeds 2 Chelsea 1\nJapan 3 Syria 0\n");
    expect(&M, T, "Leeds", "ORG");
    expect(&M, T, "Chelsea", "ORG");
    expect(&M, T, "Japan", "LOC");
    done();
    run(f, "BUCHAREST 1996-12-06\nThe talks went on.");
    expect(&M, T, "BUCHAREST", "LOC");
    done();
}

static void test_context_and_wraps(void **state)
{
    const fixture_t *f = *state;
    run(f, "Experts agreed with that view, and Zhukovets said the plan would work.");
    expect(&M, T, "Zhukovets", "PERSON");
    done();
    /* a hard-wrapped paragraph: the name runs across the line break */
    run(f, "In this regard, he drew attention to the initiative forwarded by the President Shavkat\n"
           "Mirziyoyev at the 75th session of the UN General Assembly to hold a conference.\n");
    expect(&M, T, "Shavkat\nMirziyoyev", "PERSON");
    expect(&M, T, "UN General Assembly", "ORG");
    done();
}

/* No crash, every span inside the text on code point boundaries, labels
 * set, and time bounded. */
static void check_sane(const fixture_t *f, const char *text, size_t len, double max_seconds)
{
    tag_mentions_t m;
    clock_t t0 = clock();
    run_text(f, text, len, NULL, &m);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    for (size_t i = 0; i < m.n; i++) {
        assert_true(m.v[i].start < m.v[i].end && m.v[i].end <= len);
        assert_true(dp_utf8_is_boundary((unsigned char)text[m.v[i].start]));
        assert_true(m.v[i].end == len || dp_utf8_is_boundary((unsigned char)text[m.v[i].end]));
        assert_non_null(m.v[i].label);
        if (i)
            assert_true(m.v[i].start >= m.v[i - 1].end);
    }
    if (secs > max_seconds)
        fprintf(stderr, "took %.2f s for %zu bytes\n", secs, len);
    assert_true(secs <= max_seconds);
    tag_mentions_free(&m);
}

static char *repeat(const char *unit, size_t total, size_t *len)
{
    size_t u = strlen(unit);
    char *s = malloc(total + u + 1);
    assert_non_null(s);
    size_t n = 0;
    while (n + u <= total) {
        memcpy(s + n, unit, u);
        n += u;
    }
    s[n] = '\0';
    *len = n;
    return s;
}

static void test_bad_input(void **state)
{
    const fixture_t *f = *state;
    size_t len;
    check_sane(f, "", 0, 1);
    check_sane(f, "a\0b Norov\0", 10, 1);

    /* no capital letters at all: no names */
    char *s = repeat("the minister of foreign affairs met the press in tashkent. ", 200000, &len);
    tag_mentions_t m;
    run_text(f, s, len, NULL, &m);
    for (size_t i = 0; i < m.n; i++)
        assert_true(strcmp(m.v[i].label, "PERSON") && strcmp(m.v[i].label, "ORG"));
    tag_mentions_free(&m);
    free(s);

    /* all capitals: only gazetteer places and nothing that floods */
    s = repeat("THE MINISTER OF FOREIGN AFFAIRS MET THE PRESS IN TASHKENT ON MONDAY. ", 200000, &len);
    run_text(f, s, len, NULL, &m);
    size_t names = 0;
    for (size_t i = 0; i < m.n; i++)
        names += strcmp(m.v[i].label, "PERSON") == 0 || strcmp(m.v[i].label, "ORG") == 0;
    assert_int_equal(names, 0);
    tag_mentions_free(&m);
    free(s);

    /* 1 MB of one token, in several shapes */
    s = repeat("a", 1 << 20, &len);
    check_sane(f, s, len, 5);
    free(s);
    s = repeat("A", 1 << 20, &len);
    check_sane(f, s, len, 5);
    free(s);
    s = repeat("7", 1 << 20, &len);
    check_sane(f, s, len, 5);
    free(s);
    s = repeat("Norov ", 1 << 20, &len);
    check_sane(f, s, len, 10);
    free(s);
    s = repeat("Mr ", 1 << 20, &len);
    check_sane(f, s, len, 10);
    free(s);
    s = repeat("of ", 1 << 20, &len);
    check_sane(f, s, len, 10);
    free(s);
    /* chains that never end must not recurse */
    s = repeat("Institute under the President of Ministry of Trade and Industry ", 1 << 20, &len);
    check_sane(f, s, len, 10);
    free(s);
    s = repeat("Mr Dr Prof ", 1 << 20, &len);
    check_sane(f, s, len, 10);
    free(s);

    /* non-Latin scripts */
    check_sane(f, "Генеральный секретарь ШОС Владимир Норов посетил Ташкент 26 июня 2020 года.", 
               strlen("Генеральный секретарь ШОС Владимир Норов посетил Ташкент 26 июня 2020 года."), 1);
    const char *ar = "التقى الأمين العام لمنظمة شنغهاي للتعاون فلاديمير نوروف في طشقند.";
    check_sane(f, ar, strlen(ar), 1);
    const char *zh = "上海合作组织秘书长诺罗夫在北京会见了记者。2020年6月26日";
    check_sane(f, zh, strlen(zh), 1);
    s = repeat("Ташкент ШОС 北京 ", 1 << 20, &len);
    check_sane(f, s, len, 10);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_titles_and_people),
        cmocka_unit_test(test_organisations),
        cmocka_unit_test(test_acronyms_and_linking),
        cmocka_unit_test(test_sentence_starts),
        cmocka_unit_test(test_headlines_and_tables),
        cmocka_unit_test(test_context_and_wraps),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
