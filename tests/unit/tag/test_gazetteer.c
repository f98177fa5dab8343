/* Unit tests of the tag stage's gazetteer module: loading the shipped lists,
 * kinds and canonical names, case-free lookups, several-word keys, user
 * lists, and bad files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "tag_gazetteer.h"
#include "tag_lists.h"

static const char *const lists[] = {
    TAG_SHIPPED_PATHS};

static int setup(void **state)
{
    tag_gaz_t *g = tag_gaz_new();
    char err[512];
    if (!g)
        return -1;
    for (size_t i = 0; lists[i]; i++)
        if (tag_gaz_load_file(g, lists[i], err, sizeof err) != DP_OK) {
            fprintf(stderr, "%s\n", err);
            tag_gaz_free(g);
            return -1;
        }
    *state = g;
    return 0;
}

static int teardown(void **state)
{
    tag_gaz_free(*state);
    return 0;
}

static uint32_t flags_of(const tag_gaz_t *g, const char *key)
{
    const tag_gaz_entry_t *e = tag_gaz_lookup(g, key, strlen(key));
    return e ? e->flags : 0;
}

static void test_places(void **state)
{
    const tag_gaz_t *g = *state;
    assert_true(flags_of(g, "Uzbekistan") & TAG_GZ_COUNTRY);
    assert_true(flags_of(g, "UZBEKISTAN") & TAG_GZ_COUNTRY); /* case-free */
    assert_true(flags_of(g, "Tashkent") & TAG_GZ_CITY);
    assert_true(flags_of(g, "Central Asia") & TAG_GZ_REGION);
    assert_true(flags_of(g, "Central") & TAG_GZ_PREFIX); /* starts a longer key */
    const tag_gaz_entry_t *e = tag_gaz_lookup(g, "U.S.", 4);
    assert_non_null(e);
    assert_string_equal(e->place_canon, "United States");
    /* a country's canonical name wins over a town of the same name */
    e = tag_gaz_lookup(g, "Russian Federation", 18);
    assert_non_null(e);
    assert_true(e->flags & TAG_GZ_COUNTRY);
    /* GeoNames' "Saint Petersburg" is also found as news writes it */
    assert_true(flags_of(g, "St. Petersburg") & TAG_GZ_CITY);
    assert_true(tag_gaz_max_words(g) >= 3);
    assert_true(tag_gaz_count(g) > 50000);
    assert_true(tag_gaz_bytes(g) > 0);
}

static void test_kinds(void **state)
{
    const tag_gaz_t *g = *state;
    assert_true(flags_of(g, "Vladimir") & TAG_GZ_GIVEN);
    assert_true(flags_of(g, "Secretary-General") & TAG_GZ_TITLE);
    assert_true(flags_of(g, "Mr.") & TAG_GZ_TITLE);
    assert_true(flags_of(g, "Ministry") & TAG_GZ_ORG_HEAD);
    assert_true(flags_of(g, "GmbH") & TAG_GZ_ORG_LEGAL);
    assert_true(flags_of(g, "Uzbek") & TAG_GZ_NATIONALITY);
    assert_true(flags_of(g, "however") & TAG_GZ_COMMON);
    assert_true(flags_of(g, "Republic") & TAG_GZ_LOC_HEAD);
    assert_int_equal(flags_of(g, "Xqzwv"), 0);
    const tag_gaz_entry_t *e = tag_gaz_lookup(g, "euros", 5);
    assert_non_null(e);
    assert_true(e->flags & TAG_GZ_CURRENCY);
    assert_string_equal(e->other_canon, "EUR");
    /* the typographic apostrophe reads as the ASCII one */
    char key[32];
    assert_int_equal(tag_gaz_fold("O\xE2\x80\x99Neill", 9, key, sizeof key), 7);
    assert_string_equal(key, "o'neill");
}

static void test_user_list(void **state)
{
    (void)state;
    char path[] = "/tmp/tag_gaz_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *body = "# a user list\n#kind: ORG\nAcme Widgets\nZorblax\tPERSON\tZorblax the Great\n";
    assert_int_equal(write(fd, body, strlen(body)), (ssize_t)strlen(body));
    close(fd);
    tag_gaz_t *g = tag_gaz_new();
    char err[256];
    assert_int_equal(tag_gaz_load_file(g, path, err, sizeof err), DP_OK);
    assert_true(flags_of(g, "acme widgets") & TAG_GZ_ORG);
    const tag_gaz_entry_t *e = tag_gaz_lookup(g, "Zorblax", 7);
    assert_non_null(e);
    assert_true(e->flags & TAG_GZ_PERSON);
    assert_string_equal(e->other_canon, "Zorblax the Great");
    tag_gaz_free(g);
    unlink(path);
}

static void test_bad_files(void **state)
{
    (void)state;
    tag_gaz_t *g = tag_gaz_new();
    char err[256] = "";
    assert_int_equal(tag_gaz_load_file(g, "tests/data/tag/no-such-file.tsv", err, sizeof err),
                     DP_EIO);
    assert_non_null(strstr(err, "no-such-file.tsv"));

    char path[] = "/tmp/tag_gaz_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *body = "Fine\tcity\nBroken\tspaceship\n";
    assert_int_equal(write(fd, body, strlen(body)), (ssize_t)strlen(body));
    close(fd);
    assert_int_equal(tag_gaz_load_file(g, path, err, sizeof err), DP_EFORMAT);
    assert_non_null(strstr(err, "line 2"));
    assert_non_null(strstr(err, "spaceship"));

    /* a name without a kind and no '#kind:' line */
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "Lonely\n", 7), 7);
    close(fd);
    assert_int_equal(tag_gaz_load_file(g, path, err, sizeof err), DP_EFORMAT);
    assert_non_null(strstr(err, "no kind"));

    /* invalid UTF-8 in a list is an error naming the line */
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "Good\tcity\nBa\xff\xfe" "d\tcity\n", 18), 18);
    close(fd);
    assert_int_equal(tag_gaz_load_file(g, path, err, sizeof err), DP_EUTF8);
    assert_non_null(strstr(err, "line 2"));

    /* over-long and empty names are ignored, never stored */
    char big[600];
    memset(big, 'a', sizeof big);
    assert_int_equal(tag_gaz_add(g, big, sizeof big, "city", NULL, 0), DP_OK);
    assert_null(tag_gaz_lookup(g, big, sizeof big));
    assert_int_equal(tag_gaz_add(g, "", 0, "city", NULL, 0), DP_OK);
    assert_int_equal(tag_gaz_add(g, "x", 1, "nonsense", NULL, 0), DP_EINVAL);
    tag_gaz_free(g);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_places),
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_user_list),
        cmocka_unit_test(test_bad_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
