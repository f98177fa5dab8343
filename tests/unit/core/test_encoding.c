/* Unit tests of encoding detection and decoding (core/encoding.c): every
 * branch of the rule (BOM, UTF-16 by NUL pattern, UTF-8, mixed,
 * windows-1252) on small hand-made cases, other code pages named by uchardet
 * when windows-1252 makes no sense, plus empty, truncated, invalid and huge
 * input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <iconv.h>

#include "docpipe/alloc.h"
#include "docpipe/encoding.h"

/* Decodes len bytes and checks the label, the text and the repair count. */
static void check(const char *bytes, size_t len, const char *label, const char *expected,
                  size_t expected_len, uint64_t repaired)
{
    char *text = NULL;
    size_t text_len = 0;
    const char *got_label = NULL;
    uint64_t got_repaired = 99;
    assert_int_equal(dp_encoding_decode((const unsigned char *)bytes, len, &text, &text_len,
                                        &got_label, &got_repaired),
                     DP_OK);
    assert_non_null(text);
    assert_string_equal(got_label, label);
    assert_int_equal(text_len, expected_len);
    assert_memory_equal(text, expected, expected_len);
    assert_int_equal(text[text_len], 0);
    assert_int_equal(got_repaired, repaired);
    assert_string_equal(dp_encoding_detect((const unsigned char *)bytes, len), label);
    dp_free(text);
}

#define CHECK(bytes, label, expected, repaired) \
    check(bytes, sizeof(bytes) - 1, label, expected, sizeof(expected) - 1, repaired)

static void test_empty(void **state)
{
    (void)state;
    CHECK("", "utf-8", "", 0);
    char *text = NULL;
    size_t len = 1;
    const char *label = NULL;
    uint64_t rep = 1;
    assert_int_equal(dp_encoding_decode(NULL, 0, &text, &len, &label, &rep), DP_OK);
    assert_string_equal(text, "");
    assert_int_equal(len, 0);
    dp_free(text);
}

static void test_ascii_and_utf8(void **state)
{
    (void)state;
    CHECK("Press release", "utf-8", "Press release", 0);
    CHECK("Caf\xc3\xa9", "utf-8", "Caf\xc3\xa9", 0);
    /* A lone em dash: its bytes are also windows-1252, but UTF-8 wins. */
    CHECK("\xe2\x80\x94", "utf-8", "\xe2\x80\x94", 0);
    /* Four-byte sequence. */
    CHECK("x\xf0\x9f\x98\x80y", "utf-8", "x\xf0\x9f\x98\x80y", 0);
}

static void test_bom(void **state)
{
    (void)state;
    CHECK("\xef\xbb\xbfHi", "utf-8", "Hi", 0);
    CHECK("\xff\xfeH\0i\0", "utf-16le", "Hi", 0);
    CHECK("\xfe\xff\0S\0\xe3\0o", "utf-16be", "S\xc3\xa3o", 0);
    /* A BOM and nothing else. */
    CHECK("\xff\xfe", "utf-16le", "", 0);
    /* UTF-8 BOM followed by a stray windows-1252 quote: repaired. */
    CHECK("\xef\xbb\xbf\x93Hi\x94", "mixed", "\xe2\x80\x9cHi\xe2\x80\x9d", 2);
}

static void test_utf16_without_bom(void **state)
{
    (void)state;
    CHECK("F\0O\0R\0 \0I\0\x22\x20", "utf-16le", "FOR I\xe2\x80\xa2", 0);
    CHECK("\0F\0O\0R\0 \0I", "utf-16be", "FOR I", 0);
    /* An odd last byte and a lone surrogate are repaired as U+FFFD. */
    CHECK("A\0B\0C\0D\0\x00\xd8" "E\0F", "utf-16le", "ABCD\xef\xbf\xbd" "E\xef\xbf\xbd", 3);
}

static void test_nul_bytes_in_utf8(void **state)
{
    (void)state;
    /* NULs on both parities are not UTF-16; they stay in the text. */
    CHECK("ab\0cd\0\0ef", "utf-8", "ab\0cd\0\0ef", 0);
}

static void test_windows_1252(void **state)
{
    (void)state;
    CHECK("Caf\xe9", "windows-1252", "Caf\xc3\xa9", 0);
    CHECK("\x93Yes\x94", "windows-1252", "\xe2\x80\x9cYes\xe2\x80\x9d", 0);
    CHECK("\x80" "5m", "windows-1252", "\xe2\x82\xac" "5m", 0);
    CHECK("The company\x92s results", "windows-1252", "The company\xe2\x80\x99s results", 0);
    /* The five undefined bytes become C1 controls and count as repaired. */
    CHECK("\x81\x8d\x8f\x90\x9d", "windows-1252", "\xc2\x81\xc2\x8d\xc2\x8f\xc2\x90\xc2\x9d", 5);
}

static void test_mixed(void **state)
{
    (void)state;
    CHECK("The Organization\xe2\x80\x99s member states met. \x96 OK", "mixed",
          "The Organization\xe2\x80\x99s member states met. \xe2\x80\x93 OK", 1);
    /* More invalid bytes than real sequences: windows-1252 throughout. */
    CHECK("\xc3\xa9 \xe9\xe8\xe0", "windows-1252", "\xc3\x83\xc2\xa9 \xc3\xa9\xc3\xa8\xc3\xa0", 0);
}

static void test_invalid_utf8_forms(void **state)
{
    (void)state;
    /* Overlong, surrogate and beyond-U+10FFFF forms are not UTF-8: without
     * real sequences beside them the text is windows-1252. */
    CHECK("\xc0\xaf", "windows-1252", "\xc3\x80\xc2\xaf", 0);
    CHECK("\xed\xa0\x80", "windows-1252", "\xc3\xad\xc2\xa0\xe2\x82\xac", 0);
    CHECK("\xf4\x90\x80\x80", "windows-1252", "\xc3\xb4\xc2\x90\xe2\x82\xac\xe2\x82\xac", 1);
    /* A truncated sequence after real ones: mixed, the tail repaired. */
    CHECK("\xc3\xa9\xc3\xa9\xe2\x80", "mixed", "\xc3\xa9\xc3\xa9\xc3\xa2\xe2\x82\xac", 2);
}

static void test_huge(void **state)
{
    (void)state;
    /* 8 MiB of ASCII with one windows-1252 byte at the very end. */
    size_t n = (size_t)8 << 20;
    unsigned char *b = malloc(n);
    assert_non_null(b);
    memset(b, 'a', n);
    b[n - 1] = 0xE9;
    char *text = NULL;
    size_t len = 0;
    const char *label = NULL;
    uint64_t rep = 0;
    assert_int_equal(dp_encoding_decode(b, n, &text, &len, &label, &rep), DP_OK);
    assert_string_equal(label, "windows-1252");
    assert_int_equal(len, n + 1);
    assert_memory_equal(text + n - 1, "\xc3\xa9", 2);
    dp_free(text);
    free(b);
}

/* The UTF-8 text in code page `page`, through iconv; the caller frees it. */
static char *encode_in(const char *utf8, const char *page, size_t *len)
{
    iconv_t cd = iconv_open(page, "UTF-8");
    assert_true(cd != (iconv_t)-1);
    size_t in_left = strlen(utf8), cap = in_left * 4 + 16, out_left = cap;
    char *out = malloc(cap), *ip = (char *)(uintptr_t)utf8, *op = out;
    assert_non_null(out);
    assert_true(iconv(cd, &ip, &in_left, &op, &out_left) != (size_t)-1);
    assert_true(iconv(cd, NULL, NULL, &op, &out_left) != (size_t)-1);
    iconv_close(cd);
    *len = (size_t)(op - out);
    return out;
}

/* Encodes the text in page, decodes it back: the label and the text. */
static void check_page(const char *utf8, const char *page, const char *label)
{
    size_t len;
    char *bytes = encode_in(utf8, page, &len);
    check(bytes, len, label, utf8, strlen(utf8), 0);
    free(bytes);
}

/* Press-release sentences written for these tests. */
static const char GREEK[] =
    "Η εταιρεία ανακοίνωσε σήμερα ότι τα έσοδα του τρίτου τριμήνου αυξήθηκαν κατά "
    "δώδεκα τοις εκατό, χάρη στις πωλήσεις στην Ελλάδα και στην Κύπρο.";
static const char GREEK_QUOTE[] =
    "«Είμαστε πολύ ικανοποιημένοι με τα αποτελέσματα…», δήλωσε ο διευθύνων σύμβουλος "
    "της εταιρείας στην Αθήνα.";
static const char RUSSIAN[] =
    "Компания сообщила сегодня, что выручка за третий квартал выросла на двенадцать "
    "процентов благодаря продажам в Москве и Санкт-Петербурге.";
static const char TURKISH[] =
    "Şirket bugün yaptığı açıklamada, üçüncü çeyrek gelirlerinin İstanbul ve "
    "Ankara'daki satışlar sayesinde yüzde on iki arttığını duyurdu.";
static const char HEBREW[] =
    "החברה הודיעה היום כי ההכנסות ברבעון השלישי עלו בשנים עשר אחוזים בזכות המכירות "
    "בתל אביב ובחיפה";
static const char CHINESE[] =
    "公司今天宣布，由於台北和高雄的銷售強勁，第三季度的收入增長了百分之十二。"
    "董事會對這一結果表示滿意，並將繼續投資新的產品。";
static const char KOREAN[] =
    "회사는 오늘 서울과 부산의 판매 호조에 힘입어 3분기 매출이 12% 증가했다고 "
    "발표했습니다. 이사회는 이 결과에 만족을 표시했습니다.";
static const char CZECH[] =
    "Společnost dnes oznámila, že tržby za třetí čtvrtletí vzrostly o dvanáct procent "
    "díky silným prodejům v Praze a v Brně. Představenstvo je s výsledkem spokojeno.";
static const char UKRAINIAN[] =
    "Компанія сьогодні повідомила, що виручка за третій квартал зросла на дванадцять "
    "відсотків завдяки продажам у Києві та Львові.";
static const char JAPANESE[] =
    "同社は本日、東京と大阪での販売が好調だったため、第3四半期の売上高が12％増加したと"
    "発表しました。取締役会はこの結果に満足しており、新製品への投資を続ける方針です。";
static const char HUNGARIAN[] =
    "A vállalat ma bejelentette, hogy a harmadik negyedéves bevétel tizenkét százalékkal "
    "nőtt a budapesti és debreceni erős értékesítésnek köszönhetően.";
static const char CROATIAN[] =
    "Tvrtka je danas objavila da su prihodi u trećem tromjesečju porasli za dvanaest posto "
    "zahvaljujući snažnoj prodaji u Zagrebu i Splitu. Uprava je zadovoljna rezultatom i "
    "sljedeće će godine otvoriti novu proizvodnu liniju u Osijeku, gdje će nastati tristo "
    "radnih mjesta; glavna skupština održat će se u studenome.";
static const char ITALIAN[] =
    "La società ha annunciato oggi che i ricavi del terzo trimestre sono cresciuti del dodici "
    "per cento grazie alle forti vendite a Milano e a Forlì; è un risultato che però non "
    "cambierà la strategia, perché la città di Cantù resterà al centro.";
static const char ENGLISH_NAMES[] =
    "Acme Corp. today announced revenue up 12% on strong sales in Zürich, São Paulo and "
    "Málaga. “We are very pleased,” said José Müller; Société Générale and Nestlé attended "
    "the opening in Düsseldorf.";
static const char FRENCH[] =
    "La société a annoncé aujourd'hui que son chiffre d'affaires du troisième "
    "trimestre a progressé de 12 % grâce à la forte demande à Montréal et à Genève ; "
    "« nous sommes très satisfaits », a déclaré la présidente.";

static void test_other_code_pages(void **state)
{
    (void)state;
    /* The two Greek pages agree on these letters: either label decodes. */
    check_page(GREEK, "WINDOWS-1253", "iso-8859-7");
    check_page(GREEK, "ISO-8859-7", "iso-8859-7");
    /* ... but an ellipsis (0x85) is a C1 control in ISO-8859-7. */
    check_page(GREEK_QUOTE, "WINDOWS-1253", "windows-1253");
    check_page(RUSSIAN, "WINDOWS-1251", "windows-1251");
    check_page(RUSSIAN, "KOI8-R", "koi8-r");
    check_page(RUSSIAN, "IBM866", "ibm866");
    /* uchardet says KOI8-R; і ї є ґ are box-drawing pieces there. */
    check_page(UKRAINIAN, "KOI8-U", "koi8-u");
    /* uchardet says ISO-8859-2; š ž at 0x9A 0x9E are C1 controls there. */
    check_page(CZECH, "WINDOWS-1250", "windows-1250");
    check_page(CZECH, "ISO-8859-2", "iso-8859-2");
    check_page(JAPANESE, "SHIFT_JIS", "shift_jis");
    check_page(JAPANESE, "EUC-JP", "euc-jp");
    check_page(TURKISH, "WINDOWS-1254", "iso-8859-9");
    check_page(CHINESE, "BIG5", "big5");
    check_page(KOREAN, "EUC-KR", "cp949"); /* cp949: the superset of EUC-KR */
    /* windows-1255 holds a letter back to compose it with a following
     * point: the text's last letter must still come out. */
    check_page(HEBREW, "WINDOWS-1255", "windows-1255");
}

/* A byte windows-1255 leaves undefined (0xCA) right after a letter, which
 * the converter holds back: the letter must come out before the U+FFFD, not
 * be dropped when the converter's state is reset after the refused byte. */
static void test_held_back_letter_before_bad_byte(void **state)
{
    (void)state;
    size_t len;
    char *page = encode_in(HEBREW, "WINDOWS-1255", &len);
    size_t word = 5; /* "החברה": five letters, one byte each */
    char *bytes = malloc(len + 1);
    assert_non_null(bytes);
    memcpy(bytes, page, word);
    bytes[word] = (char)0xCA;
    memcpy(bytes + word + 1, page + word, len - word);
    size_t head = strlen("החברה"), rest = strlen(HEBREW) - head;
    char *expected = malloc(head + 3 + rest);
    assert_non_null(expected);
    memcpy(expected, HEBREW, head);
    memcpy(expected + head, "\xEF\xBF\xBD", 3);
    memcpy(expected + head + 3, HEBREW + head, rest);
    check(bytes, len + 1, "windows-1255", expected, head + 3 + rest, 1);
    free(expected);
    free(bytes);
    free(page);
}

/* Central European text reads as plausible windows-1252 ("nõtt", "treæem"):
 * its accented letters make one Central European alphabet, not a Western
 * one. */
static void test_central_european_letters(void **state)
{
    (void)state;
    check_page(HUNGARIAN, "WINDOWS-1250", "windows-1250");
    check_page(HUNGARIAN, "ISO-8859-2", "windows-1250"); /* the same bytes here */
    check_page(CROATIAN, "WINDOWS-1250", "windows-1250");
    check_page(CZECH, "ISO-8859-2", "iso-8859-2");
    /* Western alphabets stay windows-1252, names from several included. */
    check_page(ITALIAN, "WINDOWS-1252", "windows-1252");
    check_page(ENGLISH_NAMES, "WINDOWS-1252", "windows-1252");
}

/* UTF-32 with and without its BOM; ISO-2022, which is valid ASCII. */
static void test_utf32_and_iso2022(void **state)
{
    (void)state;
    check_page("Press release: caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80", "UTF-32LE", "utf-32le");
    check_page("Press release: caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80", "UTF-32BE", "utf-32be");
    check_page(RUSSIAN, "UTF-32LE", "utf-32le");
    /* "UTF-32" writes a BOM (in the machine's order), which is dropped. */
    check_page(GREEK, "UTF-32", "utf-32le");
    check_page(JAPANESE, "ISO-2022-JP", "iso-2022-jp");
    check_page(KOREAN, "ISO-2022-KR", "iso-2022-kr");
    /* An escape character alone is no ISO-2022 text. */
    CHECK("col\x1b[1mbold\x1b[0m", "utf-8", "col\x1b[1mbold\x1b[0m", 0);
}

/* A large text in another page: decoded whole, its buffer shrunk to fit
 * (exercised under the sanitizers). */
static void test_large_code_page_text(void **state)
{
    (void)state;
    size_t one = strlen(RUSSIAN), times = 5000;
    char *big = malloc(one * times + 1);
    assert_non_null(big);
    for (size_t k = 0; k < times; k++)
        memcpy(big + k * one, RUSSIAN, one);
    big[one * times] = 0;
    check_page(big, "WINDOWS-1251", "windows-1251");
    free(big);
}

/* Western text stays windows-1252 (uchardet, asked about short Western
 * texts, guesses Central European or Greek pages: it must not be asked). */
static void test_western_stays_windows_1252(void **state)
{
    (void)state;
    check_page(FRENCH, "WINDOWS-1252", "windows-1252");
    check_page("Die Größe der Straße: 3 m² für 5 €.", "WINDOWS-1252", "windows-1252");
    check_page("“Quoted” – and ‘single’ … dashes — here", "WINDOWS-1252", "windows-1252");
    check_page("Ísland og Færeyjar", "WINDOWS-1252", "windows-1252");
    /* Symbols inside words but only one: no evidence. */
    check_page("Ma£ka", "WINDOWS-1252", "windows-1252");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_ascii_and_utf8),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_utf16_without_bom),
        cmocka_unit_test(test_nul_bytes_in_utf8),
        cmocka_unit_test(test_windows_1252),
        cmocka_unit_test(test_mixed),
        cmocka_unit_test(test_invalid_utf8_forms),
        cmocka_unit_test(test_huge),
        cmocka_unit_test(test_other_code_pages),
        cmocka_unit_test(test_western_stays_windows_1252),
        cmocka_unit_test(test_large_code_page_text),
        cmocka_unit_test(test_central_european_letters),
        cmocka_unit_test(test_utf32_and_iso2022),
        cmocka_unit_test(test_held_back_letter_before_bad_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
