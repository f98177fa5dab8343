/* Unit tests of the tag stage's patterns: one test per family (DATE, TIME,
 * MONEY, PERCENT, QUANTITY, EMAIL, URL) with the normalised values, the
 * amount reader, and bad pattern files. */
#include "tag_fixture.h"

#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>

static const dp_date_t REF = {2020, 10, 16, 0, 0, 0, 0, false, DP_DATE_DAY};

/* Asserts that want is a mention of label whose value prints as json. */
static void expect_val(const fixture_t *f, const char *text, const char *want,
                         const char *label, const char *json)
{
    tag_mentions_t m;
    run_text(f, text, strlen(text), &REF, &m);
    expect(&m, text, want, label);
    const tag_mention_t *x = find_mention(&m, text, want);
    if (json && json_is_real(x->value)) {
        /* fractions: compare as numbers */
        double want_v = strtod(json, NULL), got_v = json_real_value(x->value);
        if (got_v - want_v > 1e-12 || want_v - got_v > 1e-12)
            fprintf(stderr, "%s: value %.17g, expected %s\n", want, got_v, json);
        assert_true(got_v - want_v <= 1e-12 && want_v - got_v <= 1e-12);
    } else if (json) {
        assert_non_null(x->value);
        char *got = json_dumps(x->value, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        if (strcmp(got, json) != 0)
            fprintf(stderr, "%s: value %s, expected %s\n", want, got, json);
        assert_string_equal(got, json);
        free(got);
    } else {
        assert_null(x->value);
    }
    tag_mentions_free(&m);
}

static void test_dates(void **state)
{
    const fixture_t *f = *state;
    expect_val(f, "It met on June 26, 2020 in Moscow.", "June 26, 2020", "DATE", "\"2020-06-26\"");
    expect_val(f, "Session 16.10.2020 16:57", "16.10.2020", "DATE", "\"2020-10-16\"");
    expect_val(f, "Held on 1 December 2019 in Kunming.", "1 December 2019", "DATE",
                 "\"2019-12-01\"");
    expect_val(f, "Tuesday, 29 September 2020 was busy.", "Tuesday, 29 September 2020", "DATE",
                 "\"2020-09-29\"");
    expect_val(f, "ROME 1996-12-06", "1996-12-06", "DATE", "\"1996-12-06\"");
    /* the reference date gives the year and anchors relative dates */
    expect_val(f, "It was held on June 22 by video.", "June 22", "DATE", "\"2020-06-22\"");
    expect_val(f, "It ended on Friday.", "Friday", "DATE", "\"2020-10-16\"");
    expect_val(f, "They met last Tuesday.", "last Tuesday", "DATE", "\"2020-10-13\"");
    expect_val(f, "They met yesterday.", "yesterday", "DATE", "\"2020-10-15\"");
    expect_val(f, "It grew in June again.", "June", "DATE", "\"2020-06\"");
    expect_val(f, "It grew by 20% since 2013.", "2013", "DATE", "\"2013\"");
    expect_val(f, "Published: Sep 16, 2022 09:23 AM", "Sep 16, 2022", "DATE", "\"2022-09-16\"");
    /* "May" is a date only where a date is expected */
    tag_mentions_t m;
    const char *t = "We may meet in May.";
    run_text(f, t, strlen(t), &REF, &m);
    expect(&m, t, "May", "DATE");
    assert_int_equal(m.n, 1);
    tag_mentions_free(&m);
}

static void test_times(void **state)
{
    const fixture_t *f = *state;
    expect_val(f, "Published at 09:23 AM today", "09:23 AM", "TIME", "\"09:23\"");
    expect_val(f, "at 4 PM local", "4 PM", "TIME", "\"16:00\"");
    expect_val(f, "until 16:57:30 sharp", "16:57:30", "TIME", "\"16:57:30\"");
    expect_val(f, "at 12:15 a.m. sharp", "12:15 a.m.", "TIME", "\"00:15\"");
}

static void test_money(void **state)
{
    const fixture_t *f = *state;
    expect_val(f, "It paid $1.5 million.", "$1.5 million", "MONEY",
                 "{\"amount\":1500000,\"currency\":\"USD\"}");
    expect_val(f, "trade exceeded US$ 6.3 trillion.", "US$ 6.3 trillion", "MONEY",
                 "{\"amount\":6300000000000,\"currency\":\"USD\"}");
    expect_val(f, "Tickets cost EUR 20 each.", "EUR 20", "MONEY",
                 "{\"amount\":20,\"currency\":\"EUR\"}");
    expect_val(f, "fined 5,500 roubles.", "5,500 roubles", "MONEY",
                 "{\"amount\":5500,\"currency\":\"RUB\"}");
    expect_val(f, "a £3bn deal", "£3bn", "MONEY", "{\"amount\":3000000000,\"currency\":\"GBP\"}");
    expect_val(f, "priced at €4,990 now", "€4,990", "MONEY",
                 "{\"amount\":4990,\"currency\":\"EUR\"}");
    expect_val(f, "worth 2.5 billion yen in all", "2.5 billion yen", "MONEY",
                 "{\"amount\":2500000000,\"currency\":\"JPY\"}");
}

static void test_percent(void **state)
{
    const fixture_t *f = *state;
    expect_val(f, "China (16.4%) led.", "16.4%", "PERCENT", "0.164");
    expect_val(f, "60 per cent of the continent", "60 per cent", "PERCENT", "0.6");
    expect_val(f, "up 20 percentage points", "20 percentage points", "PERCENT",
                 "0.2");
    expect_val(f, "a 3.5 percent rise", "3.5 percent", "PERCENT", "0.035");
}

static void test_quantity(void **state)
{
    const fixture_t *f = *state;
    expect_val(f, "a length of 7,000 km linking", "7,000 km", "QUANTITY",
                 "{\"amount\":7000,\"unit\":\"km\"}");
    expect_val(f, "over 10 tons of drugs", "10 tons", "QUANTITY",
                 "{\"amount\":10,\"unit\":\"tons\"}");
    expect_val(f, "150,000 barrels a day", "150,000 barrels", "QUANTITY",
                 "{\"amount\":150000,\"unit\":\"barrels\"}");
}

static void test_email_url(void **state)
{
    const fixture_t *f = *state;
    expect_val(f, "Write to press@sco-int.org today.", "press@sco-int.org", "EMAIL", NULL);
    expect_val(f, "See https://eng.sectsco.org/news/20200929/1.html.",
                 "https://eng.sectsco.org/news/20200929/1.html", "URL", NULL);
    expect_val(f, "Visit www.example.com, then", "www.example.com", "URL", NULL);
}

static void test_amounts(void **state)
{
    (void)state;
    double v;
    assert_int_equal(tag_parse_amount("1,500", 5, &v), 5);
    assert_true(v == 1500);
    assert_int_equal(tag_parse_amount("2.5 million", 11, &v), 11);
    assert_true(v == 2.5e6);
    assert_int_equal(tag_parse_amount("5m", 2, &v), 2);
    assert_true(v == 5e6);
    /* "5 m" is five metres, not five million */
    assert_int_equal(tag_parse_amount("5 m", 3, &v), 1);
    assert_true(v == 5);
    assert_int_equal(tag_parse_amount("abc", 3, &v), 0);
    assert_int_equal(tag_parse_amount(",5", 2, &v), 0);
}

static void test_bad_pattern_files(void **state)
{
    (void)state;
    tag_patterns_t *p = tag_patterns_new();
    char err[512] = "";
    assert_int_equal(tag_patterns_load_file(p, "tests/data/tag/none.txt", err, sizeof err), DP_EIO);
    char path[] = "/tmp/tag_pat_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *body = "# ok\nWORD\t\\bfoo\\b\nBAD\t(unclosed\n";
    assert_int_equal(write(fd, body, strlen(body)), (ssize_t)strlen(body));
    close(fd);
    assert_int_equal(tag_patterns_load_file(p, path, err, sizeof err), DP_EFORMAT);
    assert_non_null(strstr(err, "line 3"));
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_int_equal(write(fd, "no tab here\n", 12), 12);
    close(fd);
    assert_int_equal(tag_patterns_load_file(p, path, err, sizeof err), DP_EFORMAT);
    assert_non_null(strstr(err, "LABEL<TAB>REGEX"));
    /* the good pattern loaded before the error still works */
    assert_int_equal(tag_patterns_compile(p, err, sizeof err), DP_OK);
    unlink(path);
    tag_patterns_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),     cmocka_unit_test(test_times),
        cmocka_unit_test(test_money),     cmocka_unit_test(test_percent),
        cmocka_unit_test(test_quantity),  cmocka_unit_test(test_email_url),
        cmocka_unit_test(test_amounts),   cmocka_unit_test(test_bad_pattern_files),
    };
    return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
