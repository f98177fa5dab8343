/* Source encoding detection and decoding to UTF-8 (include/docpipe/encoding.h):
 * BOM, UTF-16 by its NUL-byte pattern, valid UTF-8, UTF-8 with a few stray
 * windows-1252 bytes ("mixed"), else windows-1252 -- unless the bytes make no
 * sense as windows-1252 (another script's code page), when uchardet names the
 * code page. One scan of the bytes gathers every count the decision and the
 * output sizes need, so decoding is a second pass into an exactly sized
 * buffer. */
#include "docpipe/encoding.h"

#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <uchardet.h>

#include "docpipe/alloc.h"
#include "encoding_internal.h"

static const char LABEL_UTF8[] = "utf-8";
static const char LABEL_UTF16LE[] = "utf-16le";
static const char LABEL_UTF16BE[] = "utf-16be";
static const char LABEL_UTF32LE[] = "utf-32le";
static const char LABEL_UTF32BE[] = "utf-32be";
static const char LABEL_CP1252[] = "windows-1252";
static const char LABEL_MIXED[] = "mixed";

/* ---- the windows-1252 table ---------------------------------------------
 * Built once from iconv, so the mapping is the C library's and not a
 * hand-typed list; a table (rather than an iconv call per run of bytes) keeps
 * decoding as fast as copying. iconv refuses the five bytes windows-1252
 * leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D); they map to the C1
 * control of the same number, as Windows and browsers do, and count as
 * repaired. */

typedef struct cp1252_entry {
    unsigned char len;      /* UTF-8 length: 1..3 */
    unsigned char undefined; /* 1 when windows-1252 does not define the byte */
    unsigned char utf8[3];
} cp1252_entry_t;

static cp1252_entry_t cp1252_table[256];
static pthread_once_t cp1252_once = PTHREAD_ONCE_INIT;

static size_t encode_utf8(unsigned cp, unsigned char out[4])
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

static void cp1252_build(void)
{
    iconv_t cd = iconv_open("UTF-8", "WINDOWS-1252");
    for (unsigned b = 0; b < 256; b++) {
        cp1252_entry_t *e = &cp1252_table[b];
        unsigned char tmp[4];
        size_t n = 0;
        if (b < 0x80) {
            e->len = 1;
            e->utf8[0] = (unsigned char)b;
            continue;
        }
        if (cd != (iconv_t)-1) {
            char in = (char)b, out[8];
            char *ip = &in, *op = out;
            size_t il = 1, ol = sizeof out;
            if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1 && il == 0) {
                n = (size_t)(op - out);
                if (n > 3)
                    n = 0; /* never happens: windows-1252 is all in the BMP */
                memcpy(tmp, out, n);
            }
            iconv(cd, NULL, NULL, NULL, NULL);
        }
        if (n == 0) {
            /* Undefined in windows-1252 (or no iconv converter): the byte
             * becomes the code point of the same number (latin-1). */
            n = encode_utf8(b, tmp);
            e->undefined = 1;
        }
        e->len = (unsigned char)n;
        memcpy(e->utf8, tmp, n);
    }
    if (cd != (iconv_t)-1)
        iconv_close(cd);
}

/* ---- UTF-8 scanning ----------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at p (2..4, Unicode table 3-7:
 * no overlongs, no surrogates, nothing above U+10FFFF), or 0 when the lead
 * byte p[0] (>= 0x80) does not start one within avail bytes. */
static size_t utf8_seq(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0];
    if (c >= 0xC2 && c <= 0xDF)
        return (avail >= 2 && (p[1] & 0xC0) == 0x80) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (avail < 3 || (p[2] & 0xC0) != 0x80)
            return 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
        return (p[1] >= lo && p[1] <= hi) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (avail < 4 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
        return (p[1] >= lo && p[1] <= hi) ? 4 : 0;
    }
    return 0;
}

/* Number of leading ASCII bytes of p[0..n), eight at a time. */
static size_t ascii_prefix(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i + 8 <= n) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (w & UINT64_C(0x8080808080808080))
            break;
        i += 8;
    }
    while (i < n && p[i] < 0x80)
        i++;
    return i;
}

/* What one pass over the bytes learns. */
typedef struct scan {
    size_t valid_multi;   /* well-formed multi-byte UTF-8 sequences */
    size_t invalid;       /* bytes not part of a well-formed sequence */
    size_t out_mixed;     /* output size decoding as UTF-8, invalid bytes as windows-1252 */
    size_t out_cp1252;    /* output size decoding everything as windows-1252 */
    size_t undefined;     /* bytes windows-1252 leaves undefined */
} scan_t;

static void scan_utf8(const unsigned char *p, size_t n, scan_t *s)
{
    size_t i = 0;
    memset(s, 0, sizeof *s);
    while (i < n) {
        size_t a = ascii_prefix(p + i, n - i);
        s->out_mixed += a;
        s->out_cp1252 += a;
        i += a;
        if (i >= n)
            break;
        size_t k = utf8_seq(p + i, n - i);
        if (k) {
            s->valid_multi++;
            s->out_mixed += k;
            for (size_t j = 0; j < k; j++) {
                const cp1252_entry_t *e = &cp1252_table[p[i + j]];
                s->out_cp1252 += e->len;
                s->undefined += e->undefined;
            }
            i += k;
        } else {
            const cp1252_entry_t *e = &cp1252_table[p[i]];
            s->invalid++;
            s->out_mixed += e->len;
            s->out_cp1252 += e->len;
            s->undefined += e->undefined;
            i++;
        }
    }
}

/* ---- UTF-16 by its NUL pattern -------------------------------------------
 * Text in UTF-16 has a zero high byte for every ASCII character (spaces,
 * digits and punctuation even in other scripts), so the NULs fall on one
 * parity. A UTF-8 text that holds NUL bytes has them on both parities. */

static const char *utf16_pattern(const unsigned char *p, size_t n)
{
    if (n < 2 || !memchr(p, 0, n))
        return NULL;
    size_t pairs = n / 2, even_only = 0, odd_only = 0;
    for (size_t i = 0; i + 1 < n; i += 2) {
        bool z0 = p[i] == 0, z1 = p[i + 1] == 0;
        even_only += (size_t)(z0 && !z1);
        odd_only += (size_t)(z1 && !z0);
    }
    /* At least one character in eight with a zero high byte, and zero low
     * bytes (U+0100, U+0400, U+4E00...) at most a quarter as often. */
    if (odd_only * 8 >= pairs && even_only * 4 <= odd_only)
        return LABEL_UTF16LE;
    if (even_only * 8 >= pairs && odd_only * 4 <= even_only)
        return LABEL_UTF16BE;
    return NULL;
}

/* UTF-8 with a few stray invalid bytes beside real multi-byte sequences is
 * UTF-8 that picked up windows-1252 bytes (a pasted quote or dash); a
 * windows-1252 text almost never forms a well-formed multi-byte sequence,
 * so the real sequences must be at least as many as the invalid bytes. */
static bool looks_mixed(const scan_t *s)
{
    return s->valid_multi > 0 && s->invalid <= s->valid_multi;
}

/* ---- decoding ----------------------------------------------------------- */

static char *decode_utf8_repair(const unsigned char *p, size_t n, size_t out_len)
{
    char *out = dp_malloc(out_len + 1);
    if (!out)
        return NULL;
    unsigned char *o = (unsigned char *)out;
    size_t i = 0;
    while (i < n) {
        size_t a = ascii_prefix(p + i, n - i);
        memcpy(o, p + i, a);
        o += a;
        i += a;
        if (i >= n)
            break;
        size_t k = utf8_seq(p + i, n - i);
        if (k) {
            memcpy(o, p + i, k);
            o += k;
            i += k;
        } else {
            const cp1252_entry_t *e = &cp1252_table[p[i]];
            memcpy(o, e->utf8, e->len);
            o += e->len;
            i++;
        }
    }
    *o = 0;
    return out;
}

static char *decode_cp1252(const unsigned char *p, size_t n, size_t out_len)
{
    char *out = dp_malloc(out_len + 1);
    if (!out)
        return NULL;
    unsigned char *o = (unsigned char *)out;
    size_t i = 0;
    while (i < n) {
        size_t a = ascii_prefix(p + i, n - i);
        memcpy(o, p + i, a);
        o += a;
        i += a;
        while (i < n && p[i] >= 0x80) {
            const cp1252_entry_t *e = &cp1252_table[p[i]];
            memcpy(o, e->utf8, e->len);
            o += e->len;
            i++;
        }
    }
    *o = 0;
    return out;
}

/* Decodes bytes in the encoding iconv calls from to UTF-8. A sequence iconv
 * refuses (a lone surrogate, a byte the code page leaves undefined, a cut-off
 * last character) becomes U+FFFD, skipping unit bytes, and counts as
 * repaired bytes. DP_ENOMEM only when memory runs out. */
static dp_status decode_iconv(const unsigned char *p, size_t n, const char *from, size_t unit,
                              char **text, size_t *text_len, uint64_t *repaired)
{
    /* Three bytes of UTF-8 for every input byte cover every code page here
     * (a BMP character from one byte; two code points from two bytes in
     * Big5-HKSCS); the buffer still grows if a converter needs more. */
    size_t cap = n * 3 + 8;
    char *out = dp_malloc(cap);
    if (!out)
        return DP_ENOMEM;
    iconv_t cd = iconv_open("UTF-8", from);
    char *ip = (char *)(uintptr_t)p, *op = out;
    size_t il = n, ol = cap - 1;
    uint64_t bad = 0;
    while (il > 0) {
        if (cd != (iconv_t)-1) {
            if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1)
                break;
            /* Room for a held-back character (at most four bytes) and a
             * U+FFFD before the refused bytes are replaced. */
            if (errno == E2BIG || ol < 8) {
                size_t used = (size_t)(op - out);
                char *grown = dp_realloc(out, cap * 2);
                if (!grown) {
                    iconv_close(cd);
                    dp_free(out);
                    return DP_ENOMEM;
                }
                out = grown;
                cap *= 2;
                op = out + used;
                ol = cap - 1 - used;
                continue;
            }
        }
        /* EILSEQ or EINVAL (or no converter): replace one unit. A
         * converter may still hold the character before it (windows-1255
         * waits for a combining point): write it out first, which also
         * returns the converter to its initial state. A reset with no
         * output buffer would drop that character. */
        if (cd != (iconv_t)-1)
            iconv(cd, NULL, NULL, &op, &ol);
        size_t skip = il >= unit ? unit : il;
        memcpy(op, "\xEF\xBF\xBD", 3);
        op += 3;
        ol -= 3;
        ip += skip;
        il -= skip;
        bad += skip;
    }
    if (cd != (iconv_t)-1) {
        /* Some converters hold the last character back (windows-1255
         * waits for a combining point to compose with): flush it. */
        if (ol < 8) {
            size_t used = (size_t)(op - out);
            char *grown = dp_realloc(out, cap + 8);
            if (!grown) {
                iconv_close(cd);
                dp_free(out);
                return DP_ENOMEM;
            }
            out = grown;
            cap += 8;
            op = out + used;
            ol += 8;
        }
        iconv(cd, NULL, NULL, &op, &ol);
        iconv_close(cd);
    }
    *op = 0;
    size_t used = (size_t)(op - out);
    /* Most pages give two bytes of UTF-8 a byte, not three: give back what
     * a large document left unused (shrinking never fails for good). */
    if (cap - used > ((size_t)64 << 10)) {
        char *fit = dp_realloc(out, used + 1);
        if (fit)
            out = fit;
    }
    *text = out;
    *text_len = used;
    *repaired = bad;
    return DP_OK;
}

static dp_status decode_utf16(const unsigned char *p, size_t n, bool big_endian, char **text,
                              size_t *text_len, uint64_t *repaired)
{
    return decode_iconv(p, n, big_endian ? "UTF-16BE" : "UTF-16LE", 2, text, text_len,
                        repaired);
}

/* ---- other code pages ----------------------------------------------------
 * windows-1252 is the answer for bytes that are not UTF-8 only while they
 * read as Western text. A Greek, Cyrillic, Hebrew, Arabic, Turkish or CJK
 * code page read as windows-1252 gives words made of accented capitals and
 * symbols ("Ãåéá óáò", "baþkent"); such bytes go to uchardet, whose
 * per-language models name the code page. The gate matters: on short Western
 * texts uchardet guesses Central European or Greek pages, so it is asked only
 * when the windows-1252 reading is implausible. */

/* What a byte >= 0x80 is when read as windows-1252. */
enum { HB_LETTER, HB_ODD, HB_RARE_LETTER, HB_OTHER };

static unsigned char high_class(unsigned char b)
{
    switch (b) {
    case 0x81: case 0x8D: case 0x8F: case 0x90: case 0x9D: /* undefined */
    case 0x83: case 0x86: case 0x87: case 0x88: case 0x89: /* ƒ † ‡ ˆ ‰ */
    case 0x95: case 0x98: case 0x99: case 0x8B: case 0x9B: /* • ˜ ™ ‹ › */
    case 0xA2: case 0xA3: case 0xA7:                       /* ¢ £ § */
    case 0xA4: case 0xA5: case 0xA6: case 0xA8: case 0xAA: /* ¤ ¥ ¦ ¨ ª */
    case 0xAC: case 0xAF: case 0xB1: case 0xB2: case 0xB3: /* ¬ ¯ ± ² ³ */
    case 0xB5: case 0xB6: case 0xB8: case 0xB9: case 0xBA: /* µ ¶ ¸ ¹ º */
    case 0xBC: case 0xBD: case 0xBE: case 0xBF: case 0xD7: /* ¼ ½ ¾ ¿ × */
    case 0xF7: /* ÷ */
        return HB_ODD;
    case 0xD0: case 0xDD: case 0xDE: case 0xF0: case 0xFD: case 0xFE:
        return HB_RARE_LETTER; /* Ð Ý Þ ð ý þ: Icelandic and Faroese only */
    case 0x8A: case 0x8C: case 0x8E: case 0x9A: case 0x9C: case 0x9E: case 0x9F:
        return HB_LETTER; /* Š Œ Ž š œ ž Ÿ */
    default:
        return b >= 0xC0 ? HB_LETTER : HB_OTHER;
    }
}

static bool ascii_letter(unsigned char b)
{
    return (unsigned char)((b | 0x20) - 'a') < 26;
}

/* True when the bytes (not UTF-8) make no sense as Western windows-1252:
 * a quarter of the non-space bytes are high (a single-byte page of another
 * script, or a double-byte page; at least eight, fewer are no evidence), or
 * at least two high bytes, and one in twenty, are symbols inside a word or
 * Icelandic letters beside one ("WYSY£ANIE", "baþkent"), which Western
 * text does not have. */
static bool cp1252_implausible(const unsigned char *p, size_t n)
{
    size_t high = 0, odd = 0, visible = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = p[i];
        if (b < 0x80) {
            visible += b > ' ';
            continue;
        }
        high++;
        visible++;
        unsigned char c = high_class(b);
        if (c != HB_ODD && c != HB_RARE_LETTER)
            continue;
        bool before = i > 0 && (ascii_letter(p[i - 1]) || high_class(p[i - 1]) == HB_LETTER);
        bool after = i + 1 < n && (ascii_letter(p[i + 1]) || high_class(p[i + 1]) == HB_LETTER);
        if (c == HB_ODD ? (before && after) : (before || after))
            odd++;
    }
    return (high >= 8 && high * 4 >= visible) || (odd >= 2 && odd * 20 >= high);
}

/* uchardet's name of a code page -> the label docpipe reports (a name both
 * iconv and Python's codecs know) and the iconv name. Names not listed are
 * used lowercased as the label and as they are for iconv. */
static const struct {
    const char *uchardet, *label, *iconv;
} legacy_names[] = {
    {"UHC", "cp949", "CP949"},
    {"SHIFT_JIS", "shift_jis", "SHIFT_JIS"},
};

/* Answers that are not another code page: windows-1252 (or a subset) and
 * the Unicode forms the rule already tried. */
static bool western_or_unicode(const char *name)
{
    static const char *const skip[] = {"", "ASCII", "UTF-8", "UTF-16", "UTF-16LE", "UTF-16BE",
                                       "UTF-32", "UTF-32LE", "UTF-32BE", "ISO-8859-1",
                                       "ISO-8859-15", "WINDOWS-1252"};
    if (strncmp(name, "ISO-2022", 8) == 0 || strncmp(name, "X-ISO-10646", 11) == 0)
        return true;
    for (size_t i = 0; i < sizeof skip / sizeof *skip; i++)
        if (strcmp(name, skip[i]) == 0)
            return true;
    return false;
}

/* uchardet names the ISO page of a script where the Windows page of the
 * same script is also possible. The ISO pages leave 0x80-0x9F as C1
 * controls, which text does not contain; when those bytes occur, the text
 * is in the Windows page. Likewise KOI8-U is KOI8-R with Ukrainian letters
 * where KOI8-R has box-drawing pieces, which text does not contain. */
static const char *refine_page(const char *name, const unsigned char *p, size_t n)
{
    static const char *const windows[][2] = {{"ISO-8859-2", "WINDOWS-1250"},
                                             {"ISO-8859-7", "WINDOWS-1253"},
                                             {"ISO-8859-8", "WINDOWS-1255"},
                                             {"ISO-8859-9", "WINDOWS-1254"},
                                             {"ISO-8859-13", "WINDOWS-1257"}};
    bool c1 = false, koi8u = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = p[i];
        c1 |= b >= 0x80 && b <= 0x9F;
        /* і ї є ґ and their capitals in KOI8-U */
        koi8u |= (b & 0xEF) == 0xA4 || (b & 0xEF) == 0xA6 || (b & 0xEF) == 0xA7 ||
                 (b & 0xEF) == 0xAD;
    }
    if (strcmp(name, "KOI8-R") == 0)
        return koi8u ? "KOI8-U" : name;
    for (size_t i = 0; c1 && i < sizeof windows / sizeof *windows; i++)
        if (strcmp(name, windows[i][0]) == 0)
            return windows[i][1];
    return name;
}

#define LEGACY_SAMPLE ((size_t)64 << 10) /* bytes the code-page guesses read */
#define LEGACY_LABEL_MAX 32

/* Names the code page of bytes that are neither UTF-8 nor plausible
 * windows-1252: fills label (lowercase, for source.encoding) and iconv_name
 * and returns true, or false when the answer stays windows-1252. */
static bool legacy_detect(const unsigned char *p, size_t n, char label[LEGACY_LABEL_MAX],
                          char iconv_name[LEGACY_LABEL_MAX])
{
    /* A text keeps its code page throughout: its first LEGACY_SAMPLE bytes
     * decide, so a large document costs no more than a small one. */
    size_t sample = n < LEGACY_SAMPLE ? n : LEGACY_SAMPLE;
    if (!cp1252_implausible(p, sample))
        return false;
    uchardet_t ud = uchardet_new();
    if (!ud)
        return false;
    bool found = false;
    if (uchardet_handle_data(ud, (const char *)p, sample) == 0) {
        uchardet_data_end(ud);
        const char *name = uchardet_get_charset(ud);
        if (name && !western_or_unicode(name) && strlen(name) < LEGACY_LABEL_MAX) {
            name = refine_page(name, p, sample);
            const char *lab = NULL, *conv = name;
            for (size_t i = 0; i < sizeof legacy_names / sizeof *legacy_names; i++)
                if (strcmp(name, legacy_names[i].uchardet) == 0) {
                    lab = legacy_names[i].label;
                    conv = legacy_names[i].iconv;
                }
            size_t k = 0;
            for (const char *c = lab ? lab : name; *c && k + 1 < LEGACY_LABEL_MAX; c++)
                label[k++] = (char)((*c >= 'A' && *c <= 'Z') ? *c + 32 : *c);
            label[k] = 0;
            snprintf(iconv_name, LEGACY_LABEL_MAX, "%s", conv);
            found = true;
        }
    }
    uchardet_delete(ud);
    return found;
}

/* Labels of other code pages, kept for the life of the process: the public
 * functions hand out labels that never need freeing, and a code page's name
 * is only known at run time. Every call that finds the same page gets the
 * same pointer. uchardet knows fewer pages than there are slots. */
static pthread_mutex_t legacy_lock = PTHREAD_MUTEX_INITIALIZER;
static char legacy_labels[64][LEGACY_LABEL_MAX];
static size_t legacy_count;

static const char *intern_label(const char *label)
{
    const char *found = NULL;
    pthread_mutex_lock(&legacy_lock);
    for (size_t i = 0; i < legacy_count && !found; i++)
        if (strcmp(legacy_labels[i], label) == 0)
            found = legacy_labels[i];
    if (!found && legacy_count < sizeof legacy_labels / sizeof *legacy_labels) {
        snprintf(legacy_labels[legacy_count], LEGACY_LABEL_MAX, "%s", label);
        found = legacy_labels[legacy_count++];
    }
    pthread_mutex_unlock(&legacy_lock);
    return found;
}

/* Decodes bytes in another code page when legacy_detect names one (or,
 * for text that reads as Latin script, dp__latin_page_guess does) and the
 * bytes convert with at most one in fifty refused. Returns DP_OK with
 * *label NULL when the answer stays windows-1252. */
static dp_status decode_legacy(const unsigned char *p, size_t n, char **text, size_t *text_len,
                               const char **label, uint64_t *repaired)
{
    char lab[LEGACY_LABEL_MAX], conv[LEGACY_LABEL_MAX];
    const char *latin = NULL, *latin_conv = NULL;
    *label = NULL;
    if (!legacy_detect(p, n, lab, conv) &&
        !(latin = dp__latin_page_guess(p, n < LEGACY_SAMPLE ? n : LEGACY_SAMPLE, &latin_conv)))
        return DP_OK;
    char *out;
    size_t out_len;
    uint64_t bad;
    dp_status rc = decode_iconv(p, n, latin ? latin_conv : conv, 1, &out, &out_len, &bad);
    if (rc != DP_OK)
        return rc;
    const char *interned = bad * 50 > n ? NULL : latin ? latin : intern_label(lab);
    if (!interned) {
        dp_free(out);
        return DP_OK;
    }
    *text = out;
    *text_len = out_len;
    *repaired = bad;
    *label = interned;
    return DP_OK;
}

/* ---- UTF-32 and ISO-2022 ------------------------------------------------
 * UTF-32 has three zero bytes beside every ASCII character; its NULs fall on
 * a pattern UTF-16's test would also accept, so it is tried first: every
 * four bytes must be one Unicode scalar value, which text in any other
 * encoding with NULs in it never is throughout. */
static const char *utf32_pattern(const unsigned char *p, size_t n)
{
    if (n < 8 || n % 4 != 0 || !memchr(p, 0, n))
        return NULL;
    bool le = true, be = true, any = false;
    for (size_t i = 0; i < n && (le || be); i += 4) {
        uint32_t l = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
                     (uint32_t)p[i + 3] << 24;
        uint32_t b = (uint32_t)p[i + 3] | (uint32_t)p[i + 2] << 8 | (uint32_t)p[i + 1] << 16 |
                     (uint32_t)p[i] << 24;
        le = le && l <= 0x10FFFF && (l < 0xD800 || l > 0xDFFF);
        be = be && b <= 0x10FFFF && (b < 0xD800 || b > 0xDFFF);
        any = any || l != 0;
    }
    if (!any)
        return NULL;
    return le ? LABEL_UTF32LE : be ? LABEL_UTF32BE : NULL;
}

/* 7-bit text that switches character sets with escape sequences (Japanese,
 * Korean or Chinese mail and news): valid ASCII, so it passes as UTF-8.
 * The designation after an ESC names the family; iconv_name gets the
 * converter (ISO-2022-JP-2 reads every ISO-2022-JP variant). */
static const char *iso2022_label(const unsigned char *p, size_t n, const char **iconv_name)
{
    static const struct {
        const char *seq, *label, *conv;
    } designations[] = {
        {"$B", "iso-2022-jp", "ISO-2022-JP-2"},  {"$@", "iso-2022-jp", "ISO-2022-JP-2"},
        {"$(D", "iso-2022-jp", "ISO-2022-JP-2"}, {"$)C", "iso-2022-kr", "ISO-2022-KR"},
        {"$)A", "iso-2022-cn", "ISO-2022-CN"},   {"$)G", "iso-2022-cn", "ISO-2022-CN"},
    };
    const unsigned char *e = n ? memchr(p, 0x1B, n) : NULL;
    while (e) {
        size_t at = (size_t)(e - p) + 1;
        for (size_t d = 0; d < sizeof designations / sizeof *designations; d++) {
            size_t k = strlen(designations[d].seq);
            if (n - at >= k && memcmp(p + at, designations[d].seq, k) == 0) {
                *iconv_name = designations[d].conv;
                return designations[d].label;
            }
        }
        e = at < n ? memchr(p + at, 0x1B, n - at) : NULL;
    }
    return NULL;
}

/* ---- the public functions ----------------------------------------------- */

/* The label for bytes without a BOM; fills *s unless the label is UTF-16. */
static const char *detect_no_bom(const unsigned char *p, size_t n, scan_t *s)
{
    const char *u16 = utf16_pattern(p, n);
    if (u16)
        return u16;
    scan_utf8(p, n, s);
    if (s->invalid == 0)
        return LABEL_UTF8;
    if (looks_mixed(s))
        return LABEL_MIXED;
    return LABEL_CP1252;
}

const char *dp_encoding_detect(const unsigned char *bytes, size_t len)
{
    /* The label of a full decode, so the two can never disagree (the rarer
     * answers need the decoded text to be sure anyway). */
    char *text = NULL;
    size_t text_len;
    const char *label = LABEL_UTF8;
    uint64_t repaired;
    dp_encoding_decode(bytes, len, &text, &text_len, &label, &repaired);
    dp_free(text);
    return label;
}

dp_status dp_encoding_decode(const unsigned char *bytes, size_t len, char **text,
                             size_t *text_len, const char **label, uint64_t *repaired)
{
    pthread_once(&cp1252_once, cp1252_build);
    *text = NULL;
    *text_len = 0;
    *repaired = 0;
    if (!bytes)
        len = 0;

    /* UTF-32's BOMs first: FF FE also begins UTF-16LE's. */
    if (len >= 4 && bytes[0] == 0xFF && bytes[1] == 0xFE && bytes[2] == 0 && bytes[3] == 0) {
        *label = LABEL_UTF32LE;
        return decode_iconv(bytes + 4, len - 4, "UTF-32LE", 4, text, text_len, repaired);
    }
    if (len >= 4 && bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 0xFE && bytes[3] == 0xFF) {
        *label = LABEL_UTF32BE;
        return decode_iconv(bytes + 4, len - 4, "UTF-32BE", 4, text, text_len, repaired);
    }
    if (len >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE) {
        *label = LABEL_UTF16LE;
        return decode_utf16(bytes + 2, len - 2, false, text, text_len, repaired);
    }
    if (len >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF) {
        *label = LABEL_UTF16BE;
        return decode_utf16(bytes + 2, len - 2, true, text, text_len, repaired);
    }

    const unsigned char *p = bytes;
    size_t n = len;
    scan_t s = {0, 0, 0, 0, 0};
    const char *l;
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        /* A UTF-8 BOM settles the encoding; stray bytes are repaired. */
        p += 3;
        n -= 3;
        scan_utf8(p, n, &s);
        l = s.invalid ? LABEL_MIXED : LABEL_UTF8;
    } else if ((l = utf32_pattern(p, n)) != NULL) {
        *label = l;
        return decode_iconv(p, n, l == LABEL_UTF32LE ? "UTF-32LE" : "UTF-32BE", 4, text,
                            text_len, repaired);
    } else {
        l = detect_no_bom(p, n, &s);
    }
    *label = l;
    if (l == LABEL_UTF16LE || l == LABEL_UTF16BE)
        return decode_utf16(p, n, l == LABEL_UTF16BE, text, text_len, repaired);
    const char *conv;
    const char *iso = l == LABEL_UTF8 && s.valid_multi == 0 ? iso2022_label(p, n, &conv) : NULL;
    if (iso) {
        /* Taken when iconv reads it with at most one byte in fifty refused;
         * else it is the ASCII it looks like. */
        char *out;
        size_t out_len;
        uint64_t bad;
        dp_status rc = decode_iconv(p, n, conv, 1, &out, &out_len, &bad);
        if (rc != DP_OK)
            return rc;
        if (bad * 50 <= n) {
            *label = iso;
            *text = out;
            *text_len = out_len;
            *repaired = bad;
            return DP_OK;
        }
        dp_free(out);
    }

    char *out;
    if (l == LABEL_UTF8) {
        out = dp_malloc(n + 1);
        if (out) {
            if (n)
                memcpy(out, p, n);
            out[n] = 0;
        }
        *text_len = n;
    } else if (l == LABEL_MIXED) {
        out = decode_utf8_repair(p, n, s.out_mixed);
        *text_len = s.out_mixed;
        *repaired = s.invalid;
    } else {
        const char *legacy;
        dp_status rc = decode_legacy(p, n, text, text_len, &legacy, repaired);
        if (rc != DP_OK || legacy) {
            if (legacy)
                *label = legacy;
            return rc;
        }
        out = decode_cp1252(p, n, s.out_cp1252);
        *text_len = s.out_cp1252;
        *repaired = s.undefined;
    }
    if (!out) {
        *text_len = 0;
        return DP_ENOMEM;
    }
    *text = out;
    return DP_OK;
}
