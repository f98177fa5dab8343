/* Unit tests of normalise's language detector (plugins/normalise/language.c)
 * with the shipped profiles (configs/lang/profiles): press-release sentences
 * in the languages the stage is checked on, a headline in capitals, and bad
 * input (empty, white space only, digits only, NUL bytes, invalid UTF-8, a
 * 50 MB text, a missing or malformed profile folder). The sentences were
 * written for this test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "docpipe/alloc.h"
#include "language.h"

static const char *k_profiles = "configs/lang/profiles";

static int setup(void **state)
{
    nz_language_t *lang = NULL;
    char err[256];
    if (nz_language_load(k_profiles, &lang, err, sizeof err) != DP_OK) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    *state = lang;
    return 0;
}

static int teardown(void **state)
{
    nz_language_free(*state);
    return 0;
}

static void expect(const nz_language_t *lang, const char *text, const char *code)
{
    const char *got = nz_language_detect(lang, text, strlen(text));
    if (!code) {
        if (got)
            fail_msg("'%.40s...': got %s, expected none", text, got);
        return;
    }
    if (!got || strcmp(got, code) != 0)
        fail_msg("'%.40s...': got %s, expected %s", text, got ? got : "NULL", code);
}

static void test_languages(void **state)
{
    const nz_language_t *lang = *state;
    expect(lang,
           "The ministry announced on Tuesday that the new agreement will strengthen trade "
           "between the two countries and create thousands of jobs over the next five years.",
           "en");
    expect(lang,
           "Le ministère a annoncé mardi que le nouvel accord renforcera les échanges entre les "
           "deux pays et créera des milliers d'emplois au cours des cinq prochaines années.",
           "fr");
    expect(lang,
           "Das Ministerium teilte am Dienstag mit, dass das neue Abkommen den Handel zwischen "
           "beiden Ländern stärken und in den nächsten fünf Jahren Tausende Arbeitsplätze "
           "schaffen werde.",
           "de");
    expect(lang,
           "El ministerio anunció el martes que el nuevo acuerdo fortalecerá el comercio entre "
           "los dos países y creará miles de empleos en los próximos cinco años.",
           "es");
    expect(lang,
           "O ministério anunciou na terça-feira que o novo acordo vai reforçar o comércio entre "
           "os dois países e criar milhares de empregos nos próximos cinco anos.",
           "pt");
    expect(lang,
           "Министерство объявило во вторник, что новое соглашение укрепит торговлю между двумя "
           "странами и создаст тысячи рабочих мест в ближайшие пять лет.",
           "ru");
    expect(lang,
           "Министерството обяви във вторник, че новото споразумение ще укрепи търговията между "
           "двете страни и ще създаде хиляди работни места през следващите пет години.",
           "bg");
    expect(lang,
           "Ministerstwo poinformowało we wtorek, że nowe porozumienie wzmocni handel między "
           "obydwoma krajami i stworzy tysiące miejsc pracy w ciągu najbliższych pięciu lat.",
           "pl");
    expect(lang,
           "أعلنت الوزارة يوم الثلاثاء أن الاتفاق الجديد سيعزز التجارة بين البلدين ويوفر آلاف "
           "فرص العمل خلال السنوات الخمس المقبلة.",
           "ar");
    expect(lang, "政府星期二宣布，新的贸易协定将加强两国之间的贸易，并在未来五年创造数千个就业机会。", "zh");
    expect(lang, "東京都は木曜日、新しい経済対策を発表しました。対策には中小企業への支援が含まれています。", "ja");
    expect(lang, "정부는 화요일 새로운 무역 협정이 두 나라 사이의 교역을 강화할 것이라고 발표했다.", "ko");
}

static void test_capitals(void **state)
{
    /* A headline in capitals is folded before it is compared. */
    expect(*state,
           "LE MINISTÈRE ANNONCE UN NOUVEL ACCORD COMMERCIAL ENTRE LES DEUX PAYS POUR LES CINQ "
           "PROCHAINES ANNÉES",
           "fr");
}

static void test_bad_input(void **state)
{
    const nz_language_t *lang = *state;
    expect(lang, "", NULL);
    expect(lang, " \n\t  \n", NULL);
    expect(lang, "2020 2021 12.5% 41.2 +1 202 555 0142", NULL);
    expect(lang, "Café", NULL); /* too short to tell */
    assert_null(nz_language_detect(NULL, "text", 4));
    assert_null(nz_language_detect(lang, NULL, 0));
    const char nul[] = "The ministry\0 announced on Tuesday that the new agreement will "
                       "strengthen trade between the two countries.";
    assert_string_equal(nz_language_detect(lang, nul, sizeof nul - 1), "en");
    const char bad[] = "\xff\xfe The ministry \xc3 announced on Tuesday \xe2\x80 that the new "
                       "agreement will strengthen trade between the two countries.";
    assert_string_equal(nz_language_detect(lang, bad, sizeof bad - 1), "en");
    /* 50 MB: only the head is read. */
    size_t n = 50u << 20;
    char *big = dp_malloc(n);
    assert_non_null(big);
    const char *s = "Das Ministerium teilte mit, dass das Abkommen den Handel stärken werde. ";
    size_t sl = strlen(s);
    for (size_t i = 0; i < n; i++)
        big[i] = s[i % sl];
    assert_string_equal(nz_language_detect(lang, big, n), "de");
    /* 100,000 lines of one character. */
    for (size_t i = 0; i < 200000; i += 2) {
        big[i] = 'a';
        big[i + 1] = '\n';
    }
    const char *got = nz_language_detect(lang, big, 200000);
    (void)got; /* any answer, or none, without a crash */
    dp_free(big);
}

static void test_load_errors(void **state)
{
    (void)state;
    nz_language_t *lang = (nz_language_t *)1;
    char err[256];
    assert_int_equal(nz_language_load("tests/no-such-folder", &lang, err, sizeof err), DP_EIO);
    assert_null(lang);
    assert_non_null(strstr(err, "tests/no-such-folder"));

    char dir[] = "/tmp/docpipe-lang-XXXXXX";
    assert_non_null(mkdtemp(dir));
    /* A folder without profiles. */
    assert_int_equal(nz_language_load(dir, &lang, err, sizeof err), DP_ENOTFOUND);
    /* A malformed line: an n-gram far too long. */
    char path[512];
    snprintf(path, sizeof path, "%s/xx.lm", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("_\t 10\nabcdefghijklmnopqrstuvwxyz0123456789\t 5\n", f);
    fclose(f);
    assert_int_equal(nz_language_load(dir, &lang, err, sizeof err), DP_EFORMAT);
    assert_non_null(strstr(err, "xx.lm: line 2"));
    /* A well-formed one-language set answers with its code. */
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("_\t 10\ne\t 5\n_t\t 4\nth\t 3\n", f);
    fclose(f);
    assert_int_equal(nz_language_load(dir, &lang, err, sizeof err), DP_OK);
    /* Most of its n-grams are in the profile: that language. */
    const char *text = "e e e e e e e e e e e e e e e e e e e e e e";
    const char *got = nz_language_detect(lang, text, strlen(text));
    assert_non_null(got);
    assert_string_equal(got, "xx");
    /* Almost none are: no language rather than a guess. */
    text = "the theme of the thesis is the theatre there";
    assert_null(nz_language_detect(lang, text, strlen(text)));
    nz_language_free(lang);
    unlink(path);
    rmdir(dir);
    nz_language_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_languages),
        cmocka_unit_test(test_capitals),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_load_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
