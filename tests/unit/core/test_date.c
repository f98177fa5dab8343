/* Unit tests of the shared date parser (core/date.c): every date style the
 * parser reads, the ambiguity rules (day/month order, two-digit years,
 * year-less dates against a reference, ranges), numbers that must not become
 * dates, ISO formatting and parsing, and bad input (empty, invalid UTF-8,
 * huge). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>

#include "docpipe/alloc.h"
#include "docpipe/date.h"

typedef struct date_case {
    const char *ref;      /* ISO reference date or NULL */
    const char *text;     /* the text searched */
    const char *expected; /* ISO result or NULL for "no date" */
    const char *span;     /* the matched text, or NULL not to check it */
} date_case_t;

/* Finds the first date of c->text and compares it with c->expected. */
static void check_case(const date_case_t *c)
{
    dp_date_t ref, d;
    const dp_date_t *refp = NULL;
    if (c->ref) {
        assert_int_equal(dp_date_parse_iso(c->ref, strlen(c->ref), &ref), DP_OK);
        refp = &ref;
    }
    size_t start = 0, end = 0;
    dp_status rc = dp_date_find(c->text, strlen(c->text), refp, &d, &start, &end);
    if (!c->expected) {
        if (rc == DP_OK)
            fail_msg("'%s' gave a date, none expected", c->text);
        assert_int_equal(rc, DP_ENOTFOUND);
        return;
    }
    if (rc != DP_OK)
        fail_msg("'%s': no date found, expected %s", c->text, c->expected);
    char iso[32];
    assert_true(dp_date_format(&d, iso, sizeof iso) > 0);
    if (strcmp(iso, c->expected) != 0)
        fail_msg("'%s': got %s, expected %s", c->text, iso, c->expected);
    assert_true(start < end && end <= strlen(c->text));
    if (c->span) {
        assert_int_equal(end - start, strlen(c->span));
        assert_memory_equal(c->text + start, c->span, end - start);
    }
}

static void run_cases(const date_case_t *cases, size_t n)
{
    for (size_t i = 0; i < n; i++)
        check_case(&cases[i]);
}

#define RUN(cases) run_cases(cases, sizeof(cases) / sizeof(cases[0]))

static void test_month_names(void **state)
{
    (void)state;
    static const date_case_t cases[] = {
        {NULL, "July 4, 2019", "2019-07-04", "July 4, 2019"},
        {NULL, "Aug 14, 2021", "2021-08-14", NULL},
        {NULL, "14 Aug 2021", "2021-08-14", NULL},
        {NULL, "14-Aug-2021", "2021-08-14", NULL},
        {NULL, "3rd March 2019", "2019-03-03", NULL},
        {NULL, "March 3rd, 2019", "2019-03-03", NULL},
        {NULL, "Sept. 9, 2019", "2019-09-09", NULL},
        {NULL, "Dec. 1, 2019", "2019-12-01", NULL},
        {NULL, "Thursday 1 October, 2020", "2020-10-01", "Thursday 1 October, 2020"},
        {NULL, "AUGUST 14, 2021", "2021-08-14", NULL},
        {NULL, "14 august 2021", "2021-08-14", NULL},
        {NULL, "Sat, 3 Oct 2020", "2020-10-03", NULL},
        {NULL, "Mar 3, 2020", "2020-03-03", NULL}, /* "Mar" is also a weekday */
        {NULL, "on the 2nd of November 2021 we", "2021-11-02", "2nd of November 2021"},
        {NULL, "Wednesday, 7 July 2021", "2021-07-07", NULL},
        {NULL, "5 march 2021", "2021-03-05", NULL},
    };
    RUN(cases);
}

static void test_month_only(void **state)
{
    (void)state;
    static const date_case_t cases[] = {
        {NULL, "October 2021", "2021-10", NULL},
        {NULL, "Annual report — May 2019 issue", "2019-05", "May 2019"},
        {NULL, "November, 2019", "2019-11", NULL},
    };
    RUN(cases);
}

static void test_times_and_zones(void **state)
{
    (void)state;
    static const date_case_t cases[] = {
        {NULL, "Monday, July 6, 2020 11:15 AM EST", "2020-07-06T11:15-05:00", NULL},
        {NULL, "Wed, 1 Jul 2020 08:00:30 -0400", "2020-07-01T08:00:30-04:00", NULL},
        {NULL, "1 Jul 2020 08:00 UTC", "2020-07-01T08:00Z", NULL},
        {NULL, "2021-03-04 22:10:05 GMT", "2021-03-04T22:10:05Z", NULL},
        {NULL, "1 Jul 2020 | 8:05", "2020-07-01T08:05", NULL},
        {NULL, "Jul 1, 2020, 12:30 p.m. ET", "2020-07-01T12:30", NULL},
        {NULL, "Jul 1, 2020, 12:30 a.m.", "2020-07-01T00:30", NULL},
        {NULL, "1 July 2020 09:15 CET", "2020-07-01T09:15+01:00", NULL},
        {NULL, "1 July 2020 09:15 BST", "2020-07-01T09:15+01:00", NULL},
        {NULL, "1 July 2020 09:15 MSK", "2020-07-01T09:15+03:00", NULL},
        {NULL, "08:15, 3 May 2021", "2021-05-03T08:15", NULL},
        {NULL, "Released at 11:00 on 2 June 2021", "2021-06-02T11:00", "11:00 on 2 June 2021"},
        {NULL, "2 June 2021 11:00 (Moscow time)", "2021-06-02T11:00", "2 June 2021 11:00"},
        {NULL, "Friday, 2 July 2021 at 15:45", "2021-07-02T15:45", NULL},
        {NULL, "2 July 2021, 3:45 pm", "2021-07-02T15:45", NULL},
        {NULL, "Jul 2, 2021 at 9 a.m.", "2021-07-02T09:00", NULL},
        {NULL, "2 July 2021 14:05 GMT+3", "2021-07-02T14:05+03:00", NULL},
        {NULL, "Dienstag, 6. Juli 2021, 14:05 Uhr", "2021-07-06T14:05", NULL},
        {NULL, "mardi 6 juillet 2021 à 16h30", "2021-07-06T16:30", NULL},
        {NULL, "Mon 4 Jan 2021 10.30 GMT", "2021-01-04T10:30Z", NULL},
        {NULL, "Fri Jun 26 17:38:00 UTC 2020", "2020-06-26T17:38:00Z", NULL},
        {NULL, "Fri Jun 26 17:38:00 2020", "2020-06-26T17:38:00", NULL},
        {NULL, "4 Jan 2021 10.30 pm", "2021-01-04T22:30", NULL},
        {NULL, "10:30 AM ET, Mon January 4, 2021", "2021-01-04T10:30", NULL},
        {NULL, "4 January 2021 at 10:30 (GMT+3)", "2021-01-04T10:30+03:00", NULL},
        /* "10:30 - 12:00": a hyphen after a space is a range, not an offset */
        {NULL, "2 July 2021 10:30 - 12:00", "2021-07-02T10:30", NULL},
    };
    RUN(cases);
}

static void test_iso_forms(void **state)
{
    (void)state;
    static const date_case_t cases[] = {
        {NULL, "2021-03-04T05:06:07Z", "2021-03-04T05:06:07Z", NULL},
        {NULL, "2021-03-04T05:06:07.123+05:30", "2021-03-04T05:06:07+05:30", NULL},
        {NULL, "2021-03-04 05:06", "2021-03-04T05:06", NULL},
        {NULL, "Date: 2021-03-04", "2021-03-04", "2021-03-04"},
        {NULL, "2021/03/04", "2021-03-04", NULL},
        {NULL, "2021.03.04", "2021-03-04", NULL},
        {NULL, "20210304", "2021-03-04", NULL},
        {NULL, "2020年6月26日", "2020-06-26", NULL},
    };
    RUN(cases);
}

static void test_numeric_order(void **state)
{
    (void)state;
    static const date_case_t cases[] = {
        {NULL, "04.03.2021", "2021-03-04", NULL},    /* dotted: day first */
        {NULL, "4.3.2021", "2021-03-04", NULL},
        {NULL, "04.03.21", "2021-03-04", NULL},      /* two-digit year: 20YY */
        {NULL, "04-03-2021", "2021-03-04", NULL},    /* dashed: day first */
        {NULL, "03-25-2021", "2021-03-25", NULL},    /* ... unless only month first fits */
        {NULL, "25/03/2021", "2021-03-25", NULL},    /* slashed, first > 12: day first */
        {NULL, "03/25/2021", "2021-03-25", NULL},    /* second > 12: month first */
        {NULL, "04/03/2021", "2021-04-03", NULL},    /* both <= 12: month first */
        {NULL, "Released 5/10/20", "2020-05-10", NULL}, /* slashed, two-digit year */
        {NULL, "on 25/3/21", "2021-03-25", NULL},
        {NULL, "25/03/21", "2021-03-25", NULL},
        {NULL, "Posted on 25.03.2021, 10:05", "2021-03-25T10:05", NULL},
        {NULL, "31.02.2021", NULL, NULL},            /* no such day */
        {NULL, "29.02.2020", "2020-02-29", NULL},    /* leap day */
        {NULL, "29.02.2021", NULL, NULL},
    };
    RUN(cases);
}

static void test_yearless(void **state)
{
    (void)state;
    static const date_case_t cases[] = {
        {"2021-07-05", "PARIS, July 2 — The ministry", "2021-07-02", NULL},
        {"2021-07-05", "PARIS, July 12 — The ministry", "2021-07-12", NULL},  /* 7 days later */
        {"2021-07-05", "PARIS, July 13 — The ministry", "2020-07-13", NULL},  /* 8: year before */
        {"2021-01-02", "TOKYO, Dec. 30 (Kyodo) --", "2020-12-30", NULL},
        {"2021-07-05", "ROME, 3 July — Talks", "2021-07-03", NULL},
        {NULL, "PARIS, July 2 — The ministry", NULL, NULL}, /* no reference: no year */
    };
    RUN(cases);
}

static void test_ranges_and_languages(void **state)
{
    (void)state;
    static const date_case_t cases[] = {
        {NULL, "October 12-14, 2021", "2021-10-12", NULL},
        {NULL, "12–14 October 2021", "2021-10-12", NULL},
        {NULL, "from 12 to 14 October 2021", "2021-10-12", NULL},
        {NULL, "28 December 2020 - 2 January 2021", "2020-12-28", NULL},
        {NULL, "28 December - 2 January 2021", "2020-12-28", NULL},
        {NULL, "September 28 to October 2, 2020", "2020-09-28", NULL},
        {NULL, "04.01.2021г.", "2021-01-04", NULL},
        {NULL, "3. März 2021", "2021-03-03", NULL},
        {NULL, "3 mars 2021", "2021-03-03", NULL},
        {NULL, "1er juin 2021", "2021-06-01", NULL},
        {NULL, "3 de marzo de 2021", "2021-03-03", NULL},
        {NULL, "martes, 2 de marzo de 2021", "2021-03-02", NULL},
        {NULL, "3 de março de 2021", "2021-03-03", NULL},
        {NULL, "3 marzo 2021", "2021-03-03", NULL},
        {NULL, "3 maart 2021", "2021-03-03", NULL},
        {NULL, "3 марта 2021 г.", "2021-03-03", NULL},
        {NULL, "3 березня 2021 року", "2021-03-03", NULL},
        {NULL, "piątek, 3 września 2021", "2021-09-03", NULL},
        {NULL, "3. září 2021", "2021-09-03", NULL},
        {NULL, "3 Eylül 2021", "2021-09-03", NULL},
        {NULL, "3 septembrie 2021", "2021-09-03", NULL},
        {NULL, "2021년 9월 3일", "2021-09-03", NULL},
        {NULL, "sold out 2020 tickets", NULL, NULL},
    };
    RUN(cases);
}

static void test_not_dates(void **state)
{
    (void)state;
    static const date_case_t cases[] = {
        {NULL, "Version 3.11.4 is out.", NULL, NULL},
        {NULL, "Version 3.10.12 is out.", NULL, NULL},
        {NULL, "Version 3.1.12 is out.", NULL, NULL}, /* dotted: needs 29.09.20 */
        {NULL, "Call +44 20 7946 0958 today.", NULL, NULL},
        {NULL, "Call 1-800-555-0199 today.", NULL, NULL},
        {NULL, "Sales grew 14.5% to 32.1 million.", NULL, NULL},
        {NULL, "The panel of 12 experts met 3 times.", NULL, NULL},
        {NULL, "Server 10.0.0.1 and 192.168.10.12", NULL, NULL},
        {NULL, "open 24/7, score 3-2", NULL, NULL},
        {NULL, "the 2020-21 season", NULL, NULL},
        {NULL, "the 2010-11 budget", NULL, NULL},             /* no bare "YYYY-MM" */
        {NULL, "2020 10.5 million and 12.50 euros", NULL, NULL},
        {NULL, "in 2021 and 2022", NULL, NULL},
        {NULL, "You may 2 ways", NULL, NULL},
        {NULL, "They march 5 miles", NULL, NULL},
        {NULL, "Monday", NULL, NULL},
        {NULL, "10:30", NULL, NULL},
        {NULL, "", NULL, NULL},
    };
    RUN(cases);
}

static void test_parse_at_start(void **state)
{
    (void)state;
    dp_date_t d;
    size_t used = 0;
    const char *s = "  26 June 2020 17:38 and more";
    assert_int_equal(dp_date_parse(s, strlen(s), NULL, &d, &used), DP_OK);
    assert_int_equal(used, strlen("  26 June 2020 17:38"));
    assert_int_equal(d.year, 2020);
    assert_int_equal(d.month, 6);
    assert_int_equal(d.day, 26);
    assert_int_equal(d.hour, 17);
    assert_int_equal(d.minute, 38);
    assert_int_equal(d.precision, DP_DATE_MINUTE);
    assert_false(d.has_tz);
    const char *t = "The date is 26 June 2020";
    assert_int_equal(dp_date_parse(t, strlen(t), NULL, &d, &used), DP_EFORMAT);
    assert_int_equal(dp_date_parse(NULL, 0, NULL, &d, &used), DP_EINVAL);
}

static void test_format(void **state)
{
    (void)state;
    char out[32];
    dp_date_t d = {2020, 6, 26, 16, 57, 3, 180, true, DP_DATE_SECOND};
    assert_int_equal(dp_date_format(&d, out, sizeof out), strlen("2020-06-26T16:57:03+03:00"));
    assert_string_equal(out, "2020-06-26T16:57:03+03:00");
    d.tz_offset_minutes = -330;
    d.precision = DP_DATE_MINUTE;
    dp_date_format(&d, out, sizeof out);
    assert_string_equal(out, "2020-06-26T16:57-05:30");
    d.tz_offset_minutes = 0;
    dp_date_format(&d, out, sizeof out);
    assert_string_equal(out, "2020-06-26T16:57Z");
    d.precision = DP_DATE_DAY;
    dp_date_format(&d, out, sizeof out);
    assert_string_equal(out, "2020-06-26"); /* an offset only goes with a time */
    d.precision = DP_DATE_MONTH;
    dp_date_format(&d, out, sizeof out);
    assert_string_equal(out, "2020-06");
    d.precision = DP_DATE_YEAR;
    dp_date_format(&d, out, sizeof out);
    assert_string_equal(out, "2020");
    d.precision = DP_DATE_NONE;
    assert_int_equal(dp_date_format(&d, out, sizeof out), 0);
    d.precision = DP_DATE_DAY;
    assert_int_equal(dp_date_format(&d, out, 5), 0); /* too small */
}

static void test_parse_iso(void **state)
{
    (void)state;
    dp_date_t d;
    assert_int_equal(dp_date_parse_iso("2020-06-30", 10, &d), DP_OK);
    assert_int_equal(d.precision, DP_DATE_DAY);
    assert_int_equal(d.day, 30);
    assert_int_equal(dp_date_parse_iso("2020-06-30T12:00:00Z", 20, &d), DP_OK);
    assert_int_equal(d.precision, DP_DATE_SECOND);
    assert_true(d.has_tz);
    assert_int_equal(d.tz_offset_minutes, 0);
    assert_int_equal(dp_date_parse_iso("2020-06-30T12:00+02:00", 22, &d), DP_OK);
    assert_int_equal(d.tz_offset_minutes, 120);
    assert_int_equal(dp_date_parse_iso("2020-06", 7, &d), DP_OK);
    assert_int_equal(d.precision, DP_DATE_MONTH);
    assert_int_equal(dp_date_parse_iso("2020", 4, &d), DP_OK);
    assert_int_equal(d.precision, DP_DATE_YEAR);
    assert_int_equal(dp_date_parse_iso("2020-06-31", 10, &d), DP_EFORMAT);
    assert_int_equal(dp_date_parse_iso("2020-13-01", 10, &d), DP_EFORMAT);
    assert_int_equal(dp_date_parse_iso("June 30", 7, &d), DP_EFORMAT);
    assert_int_equal(dp_date_parse_iso("2020-06-30 and", 14, &d), DP_EFORMAT);
    assert_int_equal(dp_date_parse_iso("", 0, &d), DP_EFORMAT);
}

static void test_bad_input(void **state)
{
    (void)state;
    dp_date_t d;
    size_t a, b;
    /* Invalid UTF-8 around a date does not hide it or crash. */
    const char bad[] = "\xff\xfe\xc3 26 June 2020 \xe2\x80";
    assert_int_equal(dp_date_find(bad, sizeof bad - 1, NULL, &d, &a, &b), DP_OK);
    assert_int_equal(d.day, 26);
    /* A truncated name at the very end. */
    assert_int_equal(dp_date_find("26 Ju", 5, NULL, &d, &a, &b), DP_ENOTFOUND);
    /* Length is respected: no read past len. */
    assert_int_equal(dp_date_find("26 June 2020", 7, NULL, &d, &a, &b), DP_ENOTFOUND);
    /* A megabyte of digits and dots: no date, and no runaway time. */
    size_t n = 1u << 20;
    char *big = dp_malloc(n);
    assert_non_null(big);
    for (size_t i = 0; i < n; i++)
        big[i] = (char)(i % 3 == 2 ? '.' : '1' + (char)(i % 7));
    assert_int_equal(dp_date_find(big, n, NULL, &d, &a, &b), DP_ENOTFOUND);
    /* A megabyte of one long word, then a date. */
    memset(big, 'a', n);
    memcpy(big + n - 12, " 1 June 2020", 12);
    assert_int_equal(dp_date_find(big, n, NULL, &d, &a, &b), DP_OK);
    assert_int_equal(a, n - 11);
    dp_free(big);
    assert_int_equal(dp_date_find(NULL, 0, NULL, &d, &a, &b), DP_EINVAL);
}

/* The name index is built on first use: several threads starting at once
 * must all see it complete (run under ThreadSanitizer/ASan in CI). */
static void *find_in_thread(void *arg)
{
    const char *text = "Posted on Tuesday, 29 September 2020 at 10:30 CEST";
    dp_date_t d;
    size_t a, b;
    int *ok = arg;
    *ok = 1;
    for (int i = 0; i < 200; i++) {
        if (dp_date_find(text, strlen(text), NULL, &d, &a, &b) != DP_OK || d.day != 29 ||
            d.tz_offset_minutes != 120)
            *ok = 0;
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t t[4];
    int ok[4] = {0, 0, 0, 0};
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, find_in_thread, &ok[i]), 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(ok[i], 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_month_names),   cmocka_unit_test(test_month_only),
        cmocka_unit_test(test_times_and_zones), cmocka_unit_test(test_iso_forms),
        cmocka_unit_test(test_numeric_order), cmocka_unit_test(test_yearless),
        cmocka_unit_test(test_ranges_and_languages), cmocka_unit_test(test_not_dates),
        cmocka_unit_test(test_parse_at_start), cmocka_unit_test(test_format),
        cmocka_unit_test(test_parse_iso),     cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
