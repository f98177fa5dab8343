/* Mojibake repair of the normalise stage, in the manner of ftfy: text that
 * was UTF-8 but got decoded as a single-byte code page (windows-1252 and
 * latin-1, windows-1251, -1250, -1253, -1254, ISO-8859-2, MacRoman;
 * "sloppy", so the bytes a
 * code page leaves undefined read as U+0080..U+00FF) is re-encoded to those
 * bytes and decoded as UTF-8 again, sequence by sequence, so that a line with
 * both correct and broken characters is repaired only where it is broken. A
 * line changes only when the repair lowers its "badness" (pairs of
 * characters that real text almost never has, such as "Ã©" or "â€") and
 * every decoded character is plausible in its place; up to four rounds undo
 * mojibake of mojibake. C1 control characters that are left stand for
 * windows-1252 punctuation and are mapped to it. The code page tables come
 * from iconv, built once. */
#include <iconv.h>
#include <pthread.h>
#include <string.h>
#include <utf8proc.h>

#include "docpipe/alloc.h"
#include "docpipe/utf8.h"
#include "nz.h"

/* The code pages UTF-8 gets misread as, in the order ties are broken (the
 * ones ftfy knows, cp437 aside); at most seven, one bit each below. */
enum { E_1252, E_1251, E_1250, E_1253, E_1254, E_LATIN2, E_MAC, NENC };

static const char *const enc_names[NENC] = {"CP1252", "CP1251",     "CP1250",   "CP1253",
                                            "CP1254", "ISO-8859-2", "MACINTOSH"};
static int32_t dec_tab[NENC][128];           /* byte 0x80 + i -> code point */
static unsigned char enc_tab[NENC][0x10000]; /* BMP code point -> byte (0: none) */
static unsigned char lead_any[0x10000 / 8];  /* encodes to a UTF-8 lead byte somewhere */
/* Per code point, one bit per code page: encodes to a lead byte / to a
 * continuation byte there; bit 7 of lead_bits: a lead whose 0xA0 byte is
 * often turned into a space. Two neighbours with a common bit are the
 * smallest possible piece of mojibake: lines without one are skipped. */
static unsigned char lead_bits[0x10000], cont_bits[0x10000];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;
static dp_status tables_status = DP_OK;

static void build_tables(void)
{
    for (int e = 0; e < NENC; e++) {
        iconv_t cd = iconv_open("UTF-32LE", enc_names[e]);
        if (cd == (iconv_t)-1) {
            tables_status = DP_ERR;
            return;
        }
        for (int b = 0x80; b < 0x100; b++) {
            char in = (char)b, outb[8];
            char *ip = &in, *op = outb;
            size_t il = 1, ol = sizeof outb;
            int32_t cp = b; /* sloppy: an undefined byte reads as latin-1 */
            iconv(cd, NULL, NULL, NULL, NULL);
            if (iconv(cd, &ip, &il, &op, &ol) != (size_t)-1 && ol == sizeof outb - 4) {
                unsigned char *u = (unsigned char *)outb;
                cp = (int32_t)(u[0] | (u[1] << 8) | (u[2] << 16) | ((unsigned)u[3] << 24));
            }
            dec_tab[e][b - 0x80] = cp;
            if (cp < 0x10000)
                enc_tab[e][cp] = (unsigned char)b;
        }
        iconv_close(cd);
        /* Latin-1 readings of the bytes 0x80..0x9F (C1 controls) too. */
        for (int cp = 0x80; cp < 0xA0; cp++)
            if (!enc_tab[e][cp])
                enc_tab[e][cp] = (unsigned char)cp;
        for (int cp = 0x80; cp < 0x10000; cp++) {
            unsigned char b = enc_tab[e][cp];
            if ((b >= 0xC2 && b <= 0xF4) || (cp >= 0x80 && cp < 0xA0))
                lead_any[cp >> 3] |= (unsigned char)(1u << (cp & 7));
            if (b >= 0xC2 && b <= 0xF4)
                lead_bits[cp] |= (unsigned char)(1u << e);
            if (b >= 0x80 && b <= 0xBF)
                cont_bits[cp] |= (unsigned char)(1u << e);
            if (e != E_MAC && (b == 0xC2 || b == 0xC3 || b == 0xC5 || b == 0xCE || b == 0xD0 ||
                               b == 0xD9 || b == 0xE2 || b == 0xE3 || b == 0xF0))
                lead_bits[cp] |= 0x80u;
        }
    }
}

dp_status nz_mojibake_init(void)
{
    pthread_once(&tables_once, build_tables);
    return tables_status;
}

/* The byte that code point c has in code page e; 0 when it has none. */
static unsigned byte_of(int e, int32_t c)
{
    if (c < 0x80)
        return (unsigned)c;
    if (c >= 0x10000)
        return 0;
    return enc_tab[e][c];
}

static bool is_lead(unsigned b) { return b >= 0xC2 && b <= 0xF4; }
static bool is_cont(unsigned b) { return b >= 0x80 && b <= 0xBF; }
static bool is_c1(int32_t c) { return c >= 0x80 && c < 0xA0; }

static bool is_letter(int32_t c)
{
    utf8proc_category_t k = utf8proc_category(c);
    return k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO;
}

static bool is_lower(int32_t c) { return utf8proc_category(c) == UTF8PROC_CATEGORY_LL; }
static bool is_upper(int32_t c) { return utf8proc_category(c) == UTF8PROC_CATEGORY_LU; }

/* Characters that almost never follow a letter in real text: symbols, signs,
 * the Latin-1 punctuation block, windows-1252's rarer punctuation and
 * letters, and the rarer Cyrillic letters of windows-1251's upper half. */
static bool symbolish(int32_t c)
{
    if (c >= 0xA1 && c <= 0xBF)
        return true;
    switch (c) {
    case 0x201A: case 0x201E: case 0x2020: case 0x2021: case 0x2030: case 0x2039:
    case 0x203A: case 0x2022: case 0x0192: case 0x0160: case 0x0152: case 0x017D:
    case 0x0161: case 0x0153: case 0x017E: case 0x0178: case 0x02C6: case 0x02DC:
    case 0x0402: case 0x0403: case 0x0453: case 0x040B: case 0x045B: case 0x040C:
    case 0x045C: case 0x040E: case 0x045E: case 0x040F: case 0x045F: case 0x0452:
    case 0x0405: case 0x0455: case 0x0408: case 0x0458: case 0x0409: case 0x0459:
    case 0x040A: case 0x045A: case 0x0490: case 0x0491: case 0x0404: case 0x0454:
    case 0x0407: case 0x0457: case 0x2116:
        return true;
    default:
        break;
    }
    utf8proc_category_t k = utf8proc_category(c);
    return k == UTF8PROC_CATEGORY_SM || k == UTF8PROC_CATEGORY_SC ||
           k == UTF8PROC_CATEGORY_SK || k == UTF8PROC_CATEGORY_SO ||
           k == UTF8PROC_CATEGORY_NO || k == UTF8PROC_CATEGORY_CF || k == UTF8PROC_CATEGORY_CO;
}

static bool common_punct(int32_t c)
{
    return c == 0x2019 || c == 0x2018 || c == 0x201C || c == 0x201D || c == 0x2026 ||
           c == 0x2013 || c == 0x2014 || c == 0xA0;
}

/* "Ã" followed by a space that stands for a lost 0xA0 byte ("voilÃ le",
 * "Ã s"): not after a capital (Portuguese capitals: "IRMÃ E"). */
static bool agrave_space(const int32_t *s, size_t n, size_t i)
{
    if (s[i] != 0xC3 || i + 2 >= n || s[i + 1] != ' ')
        return false;
    if (i > 0 && is_upper(s[i - 1]))
        return false;
    size_t k = i + 2; /* "Ã  le": the lost 0xA0 and a real space */
    while (k < n && s[k] == ' ')
        k++;
    return k < n && is_lower(s[k]);
}

/* Whether s[i], s[i + 1] is an odd pair in one of the code pages: a lead
 * byte there followed by a continuation byte that looks out of place after
 * it. "Â" and "Ã" followed by anything of the upper half are odd (they stand
 * for no-break spaces and accented letters); after other letters only
 * symbols are, not the punctuation real text puts after a letter
 * ("MARQUÉ…", "«ШОС»", "20°"). */
static bool weird_at(const int32_t *s, size_t n, size_t i)
{
    int32_t c = s[i];
    if (c < 0x80 || c >= 0x10000 || !((lead_any[c >> 3] >> (c & 7)) & 1u) || i + 1 >= n)
        return false;
    if (agrave_space(s, n, i))
        return true;
    int32_t d = s[i + 1];
    for (int e = 0; e < E_MAC; e++) {
        if (!is_lead(byte_of(e, c)) || !is_cont(byte_of(e, d)))
            continue;
        bool weird = is_c1(d) || (symbolish(d) && d != 0xAB && d != 0xBB && d != 0xB0);
        if (c == 0xC2 || c == 0xC3)
            weird = true;
        if (common_punct(d) && d != 0xA0 && is_lower(c))
            weird = true;
        /* A capital inside a lowercase word ("JenÄŤa", "AntГіnio", "prĂŞtres"):
         * words do not change case in their middle. */
        if (is_upper(c) && i > 0 && is_lower(s[i - 1]) && (is_letter(d) || symbolish(d)))
            weird = true;
        /* "Ã’s": a capital with a possessive, not mojibake */
        if (c == 0xC3 && (d == 0x2019 || d == 0x2018) && (i == 0 || !is_letter(s[i - 1])))
            weird = false;
        if (weird)
            return true;
    }
    return false;
}

/* Pairs of characters that real text almost never has but mojibake always
 * does (weird_at), C1 controls, and leads cut short by U+FFFD. MacRoman
 * pairs are counted apart (mac) since they are rarer and look like math. */
static size_t badness(const int32_t *s, size_t n)
{
    size_t bad = 0, mac = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t c = s[i];
        if (is_c1(c)) {
            bad++;
            continue;
        }
        if (c == 0xFFFD && i > 0 && s[i - 1] >= 0xC0 && s[i - 1] < 0x250 &&
            ((lead_any[s[i - 1] >> 3] >> (s[i - 1] & 7)) & 1u)) {
            bad++;
            continue;
        }
        if (weird_at(s, n, i)) {
            bad++;
            continue;
        }
        if (c >= 0x80 && c < 0x10000 && i + 1 < n && is_lead(byte_of(E_MAC, c)) &&
            is_cont(byte_of(E_MAC, s[i + 1])) && !is_letter(c) &&
            (symbolish(s[i + 1]) || is_letter(s[i + 1])))
            mac++;
    }
    return bad + (mac >= 2 ? mac : 0);
}

/* Whether a decoded code point is plausible where it stands. */
static bool plausible(int32_t cp, int32_t before, int32_t after)
{
    if (cp == 0xFFFD || is_c1(cp)) /* C1: a middle layer of mojibake of mojibake */
        return true;
    utf8proc_category_t k = utf8proc_category(cp);
    if (k == UTF8PROC_CATEGORY_CC || k == UTF8PROC_CATEGORY_CN || k == UTF8PROC_CATEGORY_CO ||
        k == UTF8PROC_CATEGORY_CS)
        return false;
    if (cp >= 0x0180 && cp <= 0x024F)
        return (cp >= 0x0218 && cp <= 0x021B) || cp == 0x01A0 || cp == 0x01A1 ||
               cp == 0x01AF || cp == 0x01B0 || cp == 0x0192;
    if (cp >= 0x0250 && cp <= 0x02FF) /* IPA and spacing modifiers */
        return cp == 0x02BC || cp == 0x02C6 || cp == 0x02C7 || cp == 0x02DC ||
               (cp >= 0x02D8 && cp <= 0x02DD);
    if (cp >= 0x0300 && cp <= 0x036F) /* a combining accent needs a letter to sit on */
        return before >= 0 && is_letter(before);
    if ((cp >= 0x0460 && cp <= 0x048F) || (cp >= 0x0530 && cp <= 0x05CF) ||
        (cp >= 0x0700 && cp <= 0x08FF) || (cp >= 0x1D00 && cp <= 0x1DFF))
        return false; /* historic Cyrillic, Armenian, Hebrew points, Syriac..., phonetic */
    /* Right-to-left letters are never glued to a Latin word. */
    bool ascii_before = before >= 0 && before < 0x80 && is_letter(before);
    bool ascii_after = after >= 0 && after < 0x80 && is_letter(after);
    if (cp >= 0x0590 && cp <= 0x06FF && (ascii_before || ascii_after))
        return false;
    if (k == UTF8PROC_CATEGORY_MN || k == UTF8PROC_CATEGORY_MC || k == UTF8PROC_CATEGORY_ME)
        return before >= 0x250 && is_letter(before); /* a vowel sign after its letter */
    bool cjk = (cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x2E80 && cp <= 0x9FFF) ||
               (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
               (cp >= 0xFF00 && cp <= 0xFFEF);
    if (cjk) {
        bool latin_before = before >= 0 && before < 0x250 && is_letter(before);
        bool latin_after = after >= 0 && after < 0x250 && is_letter(after);
        return !latin_before && !latin_after;
    }
    return true;
}

typedef struct cpbuf {
    int32_t *v;
    size_t n, cap;
} cpbuf_t;

static dp_status cp_push(cpbuf_t *b, int32_t c)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        int32_t *p = dp_realloc(b->v, cap * sizeof *p);
        if (!p)
            return DP_ENOMEM;
        b->v = p;
        b->cap = cap;
    }
    b->v[b->n++] = c;
    return DP_OK;
}

static bool starts_with(const int32_t *s, size_t n, size_t i, const char *w)
{
    for (size_t k = 0; w[k]; k++)
        if (i + k >= n || s[i + k] != (unsigned char)w[k])
            return false;
    return true;
}

/* Tries to read a UTF-8 sequence in code page e at s[i]. On success sets
 * *cp (U+FFFD for a sequence cut short by a lost byte) and *end, and tells
 * whether it relied on a space standing for 0xA0. */
static bool read_seq(int e, const int32_t *s, size_t n, size_t i, int32_t *cp, size_t *end,
                     bool *space_a0)
{
    unsigned b0 = byte_of(e, s[i]);
    if (!is_lead(b0))
        return false;
    unsigned k = b0 < 0xE0 ? 1 : b0 < 0xF0 ? 2 : 3;
    unsigned by[4] = {b0, 0, 0, 0};
    size_t j = i + 1;
    *space_a0 = false;
    for (unsigned t = 1; t <= k; t++) {
        if (j >= n)
            return false;
        int32_t c = s[j];
        if ((c == 0xFFFD && (t >= 2 || (s[i] >= 0xC0 && s[i] < 0x250))) ||
            (c == '?' && t == k && t >= 2)) {
            /* A byte lost to a replacement character (or a question mark):
             * the sequence stands for U+FFFD, with what is left of it. */
            j++;
            for (t++; t <= k && j < n && c != '?' && is_cont(byte_of(e, s[j])); t++)
                j++;
            *cp = 0xFFFD;
            *end = j;
            return true;
        }
        if (c == ' ' && e != E_MAC &&
            (b0 == 0xC2 || b0 == 0xC3 || b0 == 0xC5 || b0 == 0xCE || b0 == 0xD0 || b0 == 0xD9 ||
             b0 == 0xE2 || b0 == 0xE3 || b0 == 0xF0)) {
            by[t] = 0xA0;
            *space_a0 = true;
            j++;
            continue;
        }
        unsigned bt = byte_of(e, c);
        if (!is_cont(bt))
            return false;
        by[t] = bt;
        j++;
    }
    int32_t v;
    if (k == 1) {
        v = (int32_t)(((b0 & 0x1F) << 6) | (by[1] & 0x3F));
    } else if (k == 2) {
        if ((b0 == 0xE0 && by[1] < 0xA0))
            return false;
        v = (int32_t)(((b0 & 0x0F) << 12) | ((by[1] & 0x3F) << 6) | (by[2] & 0x3F));
        if (v >= 0xD800 && v <= 0xDBFF) {
            /* CESU-8: a surrogate pair written as two 3-byte sequences */
            int32_t lo_cp;
            size_t lo_end;
            bool sp;
            if (j >= n || byte_of(e, s[j]) != 0xED ||
                !read_seq(e, s, n, j, &lo_cp, &lo_end, &sp) || lo_cp < 0xDC00 || lo_cp > 0xDFFF)
                return false;
            v = 0x10000 + ((v - 0xD800) << 10) + (lo_cp - 0xDC00);
            j = lo_end;
        }
    } else {
        if ((b0 == 0xF0 && by[1] < 0x90) || (b0 == 0xF4 && by[1] >= 0x90))
            return false;
        v = (int32_t)(((b0 & 0x07) << 18) | ((by[1] & 0x3F) << 12) | ((by[2] & 0x3F) << 6) |
                      (by[3] & 0x3F));
    }
    *cp = v;
    *end = j;
    return true;
}

/* One round in code page e: decodes every plausible sequence of in into
 * out. Returns the number of sequences decoded (0: nothing to do). */
static size_t fix_round(int e, const cpbuf_t *in, cpbuf_t *out, dp_status *rc)
{
    const int32_t *s = in->v;
    size_t n = in->n, i = 0, fixed = 0, strong = 0;
    bool prev_seq = false;
    out->n = 0;
    while (i < n) {
        int32_t cp;
        size_t end;
        bool sp;
        if ((e == E_1252 || e == E_1250) && agrave_space(s, n, i)) {
            /* "Ã s crianças": the space was the 0xA0 of "à" and "às" is one
             * word; otherwise ("voilÃ le") the space after "à" was real. */
            bool glued = starts_with(s, n, i + 2, "s ") || starts_with(s, n, i + 2, "quele") ||
                         starts_with(s, n, i + 2, "quela") || starts_with(s, n, i + 2, "quilo");
            if ((*rc = cp_push(out, e == E_1252 ? 0xE0 : 0x0103)) != DP_OK)
                return 0;
            i += glued ? 2 : 1;
            fixed++;
            strong++;
            prev_seq = true;
            continue;
        }
        if (s[i] >= 0x80 && read_seq(e, s, n, i, &cp, &end, &sp)) {
            int32_t before = out->n ? out->v[out->n - 1] : -1;
            int32_t after = end < n ? s[end] : -1;
            int32_t c3;
            size_t e3;
            bool sp3;
            if (end < n && s[end] >= 0x80 && read_seq(e, s, n, end, &c3, &e3, &sp3))
                after = -1; /* mojibake follows: no context to judge by */
            bool ok = plausible(cp, before, after);
            /* A lead that is not a letter ("×", "√") needs a neighbour
             * that is mojibake too: "5×£35" is a price, "×¢×‘" Hebrew.
             * (MacRoman's leads are all symbols; its badness asks for two
             * odd pairs instead.) */
            if (ok && e != E_MAC && !is_letter(s[i]) && !prev_seq) {
                int32_t c2;
                size_t e2;
                bool sp2;
                ok = end < n && s[end] >= 0x80 && read_seq(e, s, n, end, &c2, &e2, &sp2);
            }
            /* Letters that decode to a symbol ("ВІ" to "²" in Ukrainian
             * "ВІКІ") are real words, unless more mojibake adjoins. */
            if (ok && !prev_seq && cp != 0xFFFD && !is_letter(cp) && is_letter(s[i]) &&
                !weird_at(s, n, i)) {
                bool letters = true;
                for (size_t q = i + 1; q < end; q++)
                    letters = letters && is_letter(s[q]);
                if (letters) {
                    int32_t c2;
                    size_t e2;
                    bool sp2;
                    ok = end < n && s[end] >= 0x80 && read_seq(e, s, n, end, &c2, &e2, &sp2);
                }
            }
            if (ok) {
                if ((*rc = cp_push(out, cp)) != DP_OK)
                    return 0;
                fixed++;
                strong += !sp;
                prev_seq = true;
                i = end;
                continue;
            }
        }
        if ((*rc = cp_push(out, s[i])) != DP_OK)
            return 0;
        prev_seq = false;
        i++;
    }
    /* Spaces taken for lost 0xA0 bytes only with other evidence. */
    return strong ? fixed : 0;
}

/* Decides the line s[0..len): *changed is false when it stays as it is (the
 * caller copies it), else its repaired code points are in bufs[0]. */
static dp_status repair_line(const char *s, size_t len, bool *changed, size_t *repairs,
                             cpbuf_t bufs[3])
{
    *changed = false;
    cpbuf_t *cur = &bufs[0], *cand = &bufs[1], *best = &bufs[2];
    cur->n = 0;
    size_t i = 0;
    bool candidate = false;
    dp_status rc;
    int32_t prev = 0;
    while (i < len && !candidate) {
        int32_t c;
        if ((unsigned char)s[i] < 0x80) {
            c = (unsigned char)s[i++];
            if (c == ' ' && prev >= 0x80 && prev < 0x10000 && (lead_bits[prev] & 0x80u))
                candidate = true;
            /* The rest of an ASCII run follows an ASCII character, so none
             * of it can start a candidate: skip it, eight bytes at a time. */
            while (i + 8 <= len) {
                uint64_t w;
                memcpy(&w, s + i, 8);
                if (w & 0x8080808080808080ull)
                    break;
                i += 8;
            }
            while (i < len && (unsigned char)s[i] < 0x80)
                i++;
        } else {
            c = dp_utf8_next(s, len, &i);
            if (c < 0 || is_c1(c) || c == 0xFFFD)
                candidate = true;
            else if (c < 0x10000 && prev >= 0x80 && prev < 0x10000 &&
                     (lead_bits[prev] & cont_bits[c] & 0x7Fu))
                candidate = true;
        }
        prev = c;
    }
    if (!candidate)
        return DP_OK;
    i = 0;
    while (i < len) {
        int32_t c = dp_utf8_next(s, len, &i);
        if ((rc = cp_push(cur, c < 0 ? 0xFFFD : c)) != DP_OK)
            return rc;
    }
    size_t b0 = badness(cur->v, cur->n), bcur = b0, rounds = 0, seqs = 0;
    while (bcur > 0 && rounds < 4) {
        size_t bbest = bcur, nbest = 0;
        for (int e = 0; e < NENC; e++) {
            rc = DP_OK;
            size_t k = fix_round(e, cur, cand, &rc);
            if (rc != DP_OK)
                return rc;
            if (!k)
                continue;
            size_t b = badness(cand->v, cand->n);
            /* The first code page, in the order of enc_names, that lowers
             * the badness wins: windows-1252 is by far the commonest
             * misreading, and a rarer page that happens to score lower
             * makes stranger text. A round may also leave as many odd pairs
             * while it peels a layer (mojibake of mojibake); it always
             * shortens the line, and is taken when nothing does better. */
            bool better = b < bcur;
            if (better || (b == bcur && !nbest && cand->n < cur->n)) {
                cpbuf_t t = *best;
                *best = *cand;
                *cand = t;
                bbest = b;
                nbest = k;
            }
            if (better)
                break;
        }
        if (!nbest)
            break;
        cpbuf_t t = *cur;
        *cur = *best;
        *best = t;
        bcur = bbest;
        seqs += nbest;
        rounds++;
    }
    /* C1 controls left over stand for windows-1252 punctuation ("parlé\x85"). */
    for (size_t k = 0; k < cur->n; k++) {
        int32_t c = cur->v[k];
        if (is_c1(c) && dec_tab[E_1252][c - 0x80] != c) {
            cur->v[k] = dec_tab[E_1252][c - 0x80];
            seqs++;
        }
    }
    /* Keep the repair only when it removed (nearly) all the oddities. */
    size_t bfinal = rounds ? badness(cur->v, cur->n) : b0;
    bool accept = rounds > 0 && bfinal < b0 && (bfinal == 0 || bfinal * 10 <= b0);
    if (!accept) {
        cur->n = 0;
        i = 0;
        while (i < len) {
            int32_t c = dp_utf8_next(s, len, &i);
            if ((rc = cp_push(cur, c < 0 ? 0xFFFD : c)) != DP_OK)
                return rc;
        }
        seqs = 0;
        for (size_t k = 0; k < cur->n; k++) {
            int32_t c = cur->v[k];
            if (is_c1(c) && dec_tab[E_1252][c - 0x80] != c) {
                cur->v[k] = dec_tab[E_1252][c - 0x80];
                seqs++;
            }
        }
    }
    if (!seqs)
        return DP_OK;
    *repairs += seqs;
    *changed = true;
    return DP_OK;
}

/* Lines longer than this are repaired in pieces cut at a space, so that a
 * huge line costs no more memory than a few small ones. */
#define NZ_MOJIBAKE_PIECE 65536

dp_status nz_mojibake_fix(const char *s, size_t len, dp_buf_t *out, size_t *repairs)
{
    dp_status rc = nz_mojibake_init();
    if (rc != DP_OK)
        return rc;
    if (dp_buf_reserve(out, len + 1) != DP_OK)
        return DP_ENOMEM;
    cpbuf_t bufs[3] = {{NULL, 0, 0}, {NULL, 0, 0}, {NULL, 0, 0}};
    /* Lines that stay as they are (nearly all) are not copied one by one:
     * s[copied..) goes to out in one piece before the next repaired line,
     * or at the end. */
    size_t i = 0, copied = 0;
    while (i < len) {
        /* Skip ASCII quickly, eight bytes at a time: mojibake needs bytes
         * >= 0x80. */
        size_t j = i;
        while (j + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + j, 8);
            if (w & 0x8080808080808080ull)
                break;
            j += 8;
        }
        while (j < len && (unsigned char)s[j] < 0x80)
            j++;
        if (j == len)
            break;
        /* The line holding s[j]. */
        const char *prev_nl = j > i ? memrchr(s + i, '\n', j - i) : NULL;
        size_t a = prev_nl ? (size_t)(prev_nl - s) + 1 : i;
        if (j - a > NZ_MOJIBAKE_PIECE / 4) /* s[a..j) is ASCII: any byte is a boundary */
            a = j - NZ_MOJIBAKE_PIECE / 4;
        const char *nl = memchr(s + j, '\n', len - j);
        size_t e = nl ? (size_t)(nl - s) : len;
        if (e - a > NZ_MOJIBAKE_PIECE) {
            e = a + NZ_MOJIBAKE_PIECE;
            while (e > a + 1 && s[e - 1] != ' ')
                e--;
            if (e <= j)
                e = j + 1;
            while (e < len && !dp_utf8_is_boundary((unsigned char)s[e]))
                e++;
        }
        bool changed;
        if ((rc = repair_line(s + a, e - a, &changed, repairs, bufs)) != DP_OK)
            break;
        if (changed) {
            if ((rc = dp_buf_append(out, s + copied, a - copied)) != DP_OK)
                break;
            for (size_t k = 0; k < bufs[0].n; k++) {
                char u[4];
                size_t m = dp_utf8_encode(bufs[0].v[k], u);
                if ((rc = dp_buf_append(out, u, m)) != DP_OK)
                    break;
            }
            if (rc != DP_OK)
                break;
            copied = e;
        }
        i = e;
    }
    if (rc == DP_OK)
        rc = dp_buf_append(out, s + copied, len - copied);
    for (int k = 0; k < 3; k++)
        dp_free(bufs[k].v);
    return rc;
}
