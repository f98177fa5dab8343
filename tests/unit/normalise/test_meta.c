/* Unit tests of normalise's metadata reader (plugins/normalise/meta.c): the
 * title, which dates may become meta.date (title block, dateline, date lines
 * near the top; never a body sentence), publication over "Updated", the lines
 * marked for removal, and bad input (empty, only white space, NUL bytes, one
 * huge line, many tiny lines). The texts are the top lines of the project's
 * sample releases and hand-written variants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "docpipe/alloc.h"
#include "meta.h"

/* Extracts meta from text and checks title, date (ISO or NULL) and the
 * dropped lines (NULL-terminated list of their exact text). */
static void check(const char *text, const char *ref, const char *title, const char *date,
                  const char *const *drops)
{
    dp_date_t r;
    const dp_date_t *rp = NULL;
    if (ref) {
        assert_int_equal(dp_date_parse_iso(ref, strlen(ref), &r), DP_OK);
        rp = &r;
    }
    nz_meta_t m;
    assert_int_equal(nz_meta_extract(text, strlen(text), rp, &m), DP_OK);
    if (title) {
        assert_non_null(m.title);
        assert_string_equal(m.title, title);
    } else {
        assert_null(m.title);
    }
    if (date) {
        assert_true(m.has_date);
        char iso[32];
        dp_date_format(&m.date, iso, sizeof iso);
        assert_string_equal(iso, date);
    } else {
        assert_false(m.has_date);
    }
    size_t n = 0;
    while (drops && drops[n])
        n++;
    assert_int_equal(m.n_drop, n);
    for (size_t i = 0; i < n; i++) {
        assert_true(m.drop_start[i] < m.drop_end[i]);
        if (i > 0)
            assert_true(m.drop_start[i] >= m.drop_end[i - 1]);
        assert_int_equal(m.drop_end[i] - m.drop_start[i], strlen(drops[i]));
        assert_memory_equal(text + m.drop_start[i], drops[i], strlen(drops[i]));
    }
    nz_meta_free(&m);
}

static void test_seed_styles(void **state)
{
    (void)state;
    /* seed 001: a crumb, then the title repeated with a timestamp (NBSP). */
    static const char *const drop1[] = {"SCO Forum anniversary session\xc2\xa0" "16.10.2020 16:57",
                                        NULL};
    check("SCO Forum anniversary session\n\n\xc2\xab Back\n\nSCO Forum anniversary "
          "session\xc2\xa0" "16.10.2020 16:57\n\nThe 15th anniversary session of the SCO Forum "
          "was held on September 29 with the participation of heads and experts.\n",
          "2020-10-20", "SCO Forum anniversary session", "2020-10-16T16:57", drop1);
    /* seed 003: a "Published:" line under the title. */
    static const char *const drop3[] = {"Published: Sep 16, 2022 09:23 AM", NULL};
    check("SCO a model of successful regional cooperation\nPublished: Sep 16, 2022 09:23 AM\n"
          "Illustration: Chen Xia/GT\n\nEditor's Note:\n\nThe summit was held in Samarkand.\n",
          NULL, "SCO a model of successful regional cooperation", "2022-09-16T09:23", drop3);
}

static void test_body_dates_never_count(void **state)
{
    (void)state;
    /* seed 000: "held on September 29" is a body sentence, mtime or not. */
    check("SCO Expert Forum outlines prospects for future collaboration\n\nThe 15th session of "
          "the SCO Forum was held on September 29 via videoconference. The meeting was "
          "organized by the National Institute for Strategic Studies of the Kyrgyz Republic.\n",
          "2020-10-01", "SCO Expert Forum outlines prospects for future collaboration", NULL,
          NULL);
    /* seed 002: "June 2019" inside the body. */
    check("Address by SCO Secretary-General Vladimir Norov at a press conference\n\nToday, on "
          "the eve of the 19th anniversary of SCO, I would like to share with you the results "
          "of the Organisation's activities in the period following the Bishkek summit in June "
          "2019.\n",
          "2020-06-10", "Address by SCO Secretary-General Vladimir Norov at a press conference",
          NULL, NULL);
    /* A dated line further down is body text too. */
    check("Heading\n\nA long first paragraph that goes on and on about the organisation and its "
          "work in the region, with numbers and names, and more words so that it is clearly "
          "body text of a release rather than a heading or a date line at all.\n\nThe talks "
          "ended on 3 July 2021.\n",
          NULL, "Heading", NULL, NULL);
}

static void test_datelines(void **state)
{
    (void)state;
    check("Acme opens plant\n\nNEW YORK, June 26, 2020 /PRNewswire/ -- Acme Corp. today "
          "announced a new plant.\n",
          NULL, "Acme opens plant", "2020-06-26", NULL);
    check("UN chief urges ceasefire\n\nGENEVA (4 January 2021) – The Secretary-General "
          "today called for a global ceasefire.",
          NULL, "UN chief urges ceasefire", "2021-01-04", NULL);
    check("Communiqué de presse\n\nParis, le 26 juin 2020. La société annonce.", NULL,
          "Communiqué de presse", "2020-06-26", NULL);
    check("Title\n\nМОСКВА, 4 января. /ТАСС/. Президент провел переговоры.", "2021-01-06",
          "Title", "2021-01-04", NULL);
    check("Acme opens plant\n\nLONDON--(BUSINESS WIRE)--Jun 26, 2020--Acme plc today "
          "announced\n",
          NULL, "Acme opens plant", "2020-06-26", NULL);
    check("Summit in St. Petersburg\n\nMOSCOW, June 26 — Russia will host the summit.\n",
          "2020-06-30", "Summit in St. Petersburg", "2020-06-26", NULL);
    /* Year-less without a reference: no year, no date. */
    check("Summit\n\nMOSCOW, June 26 — Russia will host the summit.\n", NULL, "Summit", NULL,
          NULL);
    /* "On June 26, the ..." is a sentence, not a dateline. */
    check("Summit\n\nOn June 26, 2020, the ministers met in Moscow.\n", NULL, "Summit", NULL,
          NULL);
}

static void test_publication_wins(void **state)
{
    (void)state;
    check("Posted: 26 June 2020 | Updated: 28 June 2020", NULL, NULL, "2020-06-26", NULL);
    static const char *const drops[] = {"Updated: 28 June 2020 10:00", "Posted: 26 June 2020",
                                        NULL};
    check("Title of the release\nUpdated: 28 June 2020 10:00\nPosted: 26 June 2020\n\nBody.\n",
          NULL, "Title of the release", "2020-06-26", drops);
    /* Only an "Updated" date: it is the best there is. */
    static const char *const drops2[] = {"Updated: 28 June 2020", NULL};
    check("Title\nUpdated: 28 June 2020\n\nBody.\n", NULL, "Title", "2020-06-28", drops2);
}

static void test_title_block(void **state)
{
    (void)state;
    check("SCO Forum anniversary session 16.10.2020 16:57", NULL, "SCO Forum anniversary session",
          "2020-10-16T16:57", NULL);
    check("Newsletter — March 2021 edition", NULL, "Newsletter — March 2021 edition", "2021-03",
          NULL);
    /* In the heading's place only a plain date line ("Published: ...",
     * a bare date) is not the heading. */
    check("Released on the 5th of October 2020", NULL, "Released on the 5th of October 2020",
          "2020-10-05", NULL);
    static const char *const drops0[] = {"Published: Sat 27 Jun 2020 08.00 BST", NULL};
    check("Published: Sat 27 Jun 2020 08.00 BST\n\nMarkets rally\n\nShares rose.", NULL,
          "Markets rally", "2020-06-27T08:00+01:00", drops0);
    /* Below the heading, a label of a few words is enough. */
    static const char *const drops5[] = {"Last modified on Sat 27 Jun 2020 08.00 BST", NULL};
    check("Markets rally\nLast modified on Sat 27 Jun 2020 08.00 BST\n\nShares rose.", NULL,
          "Markets rally", "2020-06-27T08:00+01:00", drops5);
    static const char *const drops[] = {"26.06.2020 17:38", NULL};
    check("Dialogue of research centers\n26.06.2020 17:38\n\nA videoconference was held on "
          "June 22.",
          NULL, "Dialogue of research centers", "2020-06-26T17:38", drops);
    /* A date line first: the heading is the next line. */
    static const char *const drops2[] = {"Tuesday, 29 September 2020", NULL};
    check("Tuesday, 29 September 2020\n\nExperts met online\n\nBody text.", NULL,
          "Experts met online", "2020-09-29", drops2);
    /* A title with a date of its own, echoed with a timestamp. */
    static const char *const drops4[] = {"Summit of 26 June 2020 16.10.2020 16:57", NULL};
    check("Summit of 26 June 2020\n\nSummit of 26 June 2020 16.10.2020 16:57\n\nBody text.",
          NULL, "Summit of 26 June 2020", "2020-06-26", drops4);
    /* A heading with a timestamp that is not the title's echo. */
    check("Regional leaders meet\n\nTalks in Tashkent 16.10.2020 16:57\n\nBody text.", NULL,
          "Regional leaders meet", "2020-10-16T16:57", NULL);
    /* A line that goes on after its date gives the date but stays. */
    check("Title\n\nNewsletter — March 2021 edition\n\nBody text.", NULL, "Title", "2021-03",
          NULL);
    static const char *const drops3[] = {"5 October 2020 10:00 (Moscow time)", NULL};
    check("Title\n5 October 2020 10:00 (Moscow time)\n\nBody text.", NULL, "Title",
          "2020-10-05T10:00", drops3);
    /* A byline with a name is not a date-only line and stays. */
    check("Title\nBy John Smith | June 26, 2020\n\nBody.", NULL, "Title", "2020-06-26", NULL);
    check("The meeting was attended by 35 experts from 18 institutes.", NULL,
          "The meeting was attended by 35 experts from 18 institutes.", NULL, NULL);
}

static void test_bad_input(void **state)
{
    (void)state;
    nz_meta_t m;
    assert_int_equal(nz_meta_extract("", 0, NULL, &m), DP_OK);
    assert_null(m.title);
    assert_false(m.has_date);
    nz_meta_free(&m);
    assert_int_equal(nz_meta_extract("  \n\t\n \xc2\xa0 \n", 9, NULL, &m), DP_OK);
    assert_null(m.title);
    nz_meta_free(&m);
    assert_int_equal(nz_meta_extract(NULL, 5, NULL, &m), DP_EINVAL);
    /* NUL bytes inside the text. */
    const char nul[] = "Title\0with NUL\n\n26 June 2020\n\nBody";
    assert_int_equal(nz_meta_extract(nul, sizeof nul - 1, NULL, &m), DP_OK);
    assert_true(m.has_date);
    nz_meta_free(&m);
    /* One 50 MB line: no title (it is body text), no runaway time. */
    size_t n = 50u << 20;
    char *big = dp_malloc(n);
    assert_non_null(big);
    memset(big, 'x', n);
    for (size_t i = 7; i < n; i += 8)
        big[i] = ' ';
    assert_int_equal(nz_meta_extract(big, n, NULL, &m), DP_OK);
    assert_null(m.title);
    assert_false(m.has_date);
    nz_meta_free(&m);
    /* 100,000 lines of one character. */
    for (size_t i = 0; i < 200000; i += 2) {
        big[i] = 'a';
        big[i + 1] = '\n';
    }
    assert_int_equal(nz_meta_extract(big, 200000, NULL, &m), DP_OK);
    assert_string_equal(m.title, "a");
    nz_meta_free(&m);
    dp_free(big);
    nz_meta_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_styles),     cmocka_unit_test(test_body_dates_never_count),
        cmocka_unit_test(test_datelines),       cmocka_unit_test(test_publication_wins),
        cmocka_unit_test(test_title_block),     cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
