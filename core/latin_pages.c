/* Western or Central European? Bytes that are not UTF-8 and read as
 * plausible windows-1252 may still be Hungarian, Czech, Polish, Croatian,
 * Slovene or Romanian in windows-1250 or ISO-8859-2: those pages put their
 * own letters where windows-1252 has other accented letters ("ő" reads as
 * "õ", "č" as "è"), so no symbol gives them away. What does is the
 * alphabet: the accented letters of a text belong to one language. Read as
 * windows-1252, Hungarian mixes Portuguese "õ" with German "ö" and French
 * "û"; read as windows-1250 they are all Hungarian letters. So the bytes are
 * read in each page, and the reading whose letters one language's alphabet
 * covers best wins -- windows-1252 unless a Central European reading is
 * clearly better. uchardet cannot make this call: on Western text with a
 * few accents it often answers windows-1250 itself. */
#include "encoding_internal.h"

#include <iconv.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <utf8proc.h>

/* The lowercase letters beyond ASCII of each language's alphabet. Western:
 * the languages windows-1252 was made for; Central European: those of
 * windows-1250 and ISO-8859-2 (German's letters are in both pages). */
static const char *const western_alphabets[] = {
    "àâæçéèêëîïôœùûüÿ", /* French */
    "áéíóúñü",          /* Spanish, Galician */
    "áâãàçéêíóôõúü",    /* Portuguese */
    "äöüß",             /* German */
    "àèéìíîòóùú",       /* Italian */
    "éèëïöüáíóú",       /* Dutch */
    "àçéèíïóòúü",       /* Catalan, Occitan */
    "æøåéèóòô",         /* Danish, Norwegian */
    "åäöé",             /* Swedish */
    "äöåšž",            /* Finnish */
    "áðéíóúýþæö",       /* Icelandic */
    "áðíóúýæø",         /* Faroese */
    "õäöüšž",           /* Estonian */
    "êëîïôûéèáó",       /* Afrikaans */
    "çë",               /* Albanian */
};
static const char *const central_alphabets[] = {
    "ąćęłńóśźż",         /* Polish */
    "áčďéěíňóřšťúůýž",   /* Czech */
    "áäčďéíĺľňóôŕšťúýž", /* Slovak */
    "áéíóöőúüű",         /* Hungarian */
    "čćđšž",             /* Croatian, Bosnian, Slovene */
    "ăâîşţșț",           /* Romanian */
    "äöüß",              /* German */
    "çë",                /* Albanian */
};

/* The pages a reading is made in, and what each byte >= 0x80 reads as in
 * each: built from iconv once, so the mapping is the C library's. */
enum { PAGE_CP1252, PAGE_CP1250, PAGE_LATIN2, NPAGES };
static const char *const page_iconv[NPAGES] = {"WINDOWS-1252", "WINDOWS-1250", "ISO-8859-2"};
static const char *const page_label[NPAGES] = {"windows-1252", "windows-1250", "iso-8859-2"};

enum {
    B_OTHER,  /* a space, or punctuation words hold (apostrophes, middle dot) */
    B_LETTER, /* a letter: lower holds it in lowercase */
    B_SYMBOL, /* a symbol or sign: a misfit when glued between letters */
    B_MISFIT  /* undefined in the page, or a C1 control: always a misfit */
};
typedef struct byte_reading {
    unsigned char kind;
    int32_t lower;
} byte_reading_t;
static byte_reading_t page_table[NPAGES][128];
static pthread_once_t pages_once = PTHREAD_ONCE_INIT;

static int32_t iconv_one(iconv_t cd, unsigned char b)
{
    if (cd == (iconv_t)-1)
        return 0;
    char in = (char)b;
    unsigned char out[8];
    char *ip = &in, *op = (char *)out;
    size_t il = 1, ol = sizeof out;
    int32_t cp = 0;
    if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1 && ol == sizeof out - 4)
        cp = (int32_t)((uint32_t)out[0] | (uint32_t)out[1] << 8 | (uint32_t)out[2] << 16 |
                       (uint32_t)out[3] << 24);
    iconv(cd, NULL, NULL, NULL, NULL);
    return cp;
}

static void pages_build(void)
{
    for (int pg = 0; pg < NPAGES; pg++) {
        iconv_t cd = iconv_open("UTF-32LE", page_iconv[pg]);
        for (unsigned b = 0x80; b < 0x100; b++) {
            int32_t cp = iconv_one(cd, (unsigned char)b);
            byte_reading_t *e = &page_table[pg][b - 0x80];
            utf8proc_category_t c = cp ? utf8proc_category(cp) : UTF8PROC_CATEGORY_CN;
            if (cp == 0 || (cp >= 0x80 && cp < 0xA0)) {
                e->kind = B_MISFIT;
            } else if (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) {
                e->kind = B_LETTER;
                e->lower = utf8proc_tolower(cp);
            } else if (c == UTF8PROC_CATEGORY_ZS || cp == 0x2019 || cp == 0x2018 || cp == 0x00B7 ||
                       cp == 0x00B4) {
                e->kind = B_OTHER;
            } else {
                e->kind = B_SYMBOL;
            }
        }
        if (cd != (iconv_t)-1)
            iconv_close(cd);
    }
}

/* The accented letters of one reading: each distinct lowercase letter and
 * how often it occurs, and the bytes that read as no letter where a letter
 * is expected (a symbol inside a word, an undefined byte, a C1 control). */
enum { MAX_LETTERS = 128 };
typedef struct reading {
    int32_t letter[MAX_LETTERS];
    size_t count[MAX_LETTERS];
    size_t distinct, letters, misfits;
} reading_t;

static bool letter_at(int pg, unsigned char b)
{
    if (b < 0x80)
        return (unsigned char)((b | 0x20) - 'a') < 26;
    return page_table[pg][b - 0x80].kind == B_LETTER;
}

static void read_in(int pg, const unsigned char *p, size_t n, reading_t *r)
{
    size_t per_byte[128] = {0};
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < n; i++) {
        unsigned char b = p[i];
        if (b < 0x80)
            continue;
        const byte_reading_t *e = &page_table[pg][b - 0x80];
        if (e->kind == B_LETTER)
            per_byte[b - 0x80]++;
        else if (e->kind == B_MISFIT || (e->kind == B_SYMBOL && i > 0 && i + 1 < n &&
                                         letter_at(pg, p[i - 1]) && letter_at(pg, p[i + 1])))
            r->misfits++; /* "wzros³y" */
    }
    /* Capitals and small letters of one letter count together. */
    for (size_t b = 0; b < 128; b++) {
        if (!per_byte[b])
            continue;
        int32_t low = page_table[pg][b].lower;
        size_t k = 0;
        while (k < r->distinct && r->letter[k] != low)
            k++;
        if (k == r->distinct)
            r->letter[r->distinct++] = low;
        r->count[k] += per_byte[b];
        r->letters += per_byte[b];
    }
}

static bool in_alphabet(const char *alphabet, int32_t cp)
{
    const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)alphabet;
    utf8proc_ssize_t len = (utf8proc_ssize_t)strlen(alphabet), i = 0;
    while (i < len) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate(s + i, len - i, &c);
        if (k <= 0)
            return false;
        if (c == cp)
            return true;
        i += k;
    }
    return false;
}

/* The share, in thousandths, of a reading's accented letters (misfits
 * counted against it) that the best-fitting alphabet of the list covers. */
static size_t fit(const reading_t *r, const char *const *alphabets, size_t n_alphabets)
{
    size_t total = r->letters + r->misfits, best = 0;
    if (total == 0)
        return 1000;
    for (size_t a = 0; a < n_alphabets; a++) {
        size_t covered = 0;
        for (size_t k = 0; k < r->distinct; k++)
            if (in_alphabet(alphabets[a], r->letter[k]))
                covered += r->count[k];
        if (covered > best)
            best = covered;
    }
    return best * 1000 / total;
}

#define MIN_ACCENTED 6    /* fewer accented letters are no evidence */
#define WESTERN_DOUBT 900 /* below this windows-1252 fit, look further */
#define CENTRAL_FIT 950   /* a Central European reading must fit this well */
#define CENTRAL_MARGIN 50 /* ... and this much better than windows-1252 */

const char *dp__latin_page_guess(const unsigned char *p, size_t n, const char **iconv_name)
{
    pthread_once(&pages_once, pages_build);
    reading_t r;
    read_in(PAGE_CP1252, p, n, &r);
    if (r.letters < MIN_ACCENTED)
        return NULL;
    size_t western =
        fit(&r, western_alphabets, sizeof western_alphabets / sizeof *western_alphabets);
    if (western >= WESTERN_DOUBT)
        return NULL;
    int best_page = -1;
    size_t best = 0;
    for (int pg = PAGE_CP1250; pg < NPAGES; pg++) {
        read_in(pg, p, n, &r);
        size_t f = fit(&r, central_alphabets, sizeof central_alphabets / sizeof *central_alphabets);
        if (f > best) {
            best = f;
            best_page = pg;
        }
    }
    if (best_page < 0 || best < CENTRAL_FIT || best < western + CENTRAL_MARGIN)
        return NULL;
    *iconv_name = page_iconv[best_page];
    return page_label[best_page];
}
