/* The tokenizer of the segment stage. Each code point gets a class from its
 * Unicode Word_Break property (ICU's u_getIntPropertyValue; ASCII through a
 * table built from the same function once), and a word runs on as UAX #29
 * says: letters and digits with extending marks, joined across a full stop
 * or apostrophe between letters ("U.S", "don't") and across a full stop or
 * comma between digits ("3.5", "1,000"). docpipe's refinements on top: a
 * colon or slash between digits ("09:23", "24/7"), a hyphen between letters
 * or digits ("e-mail", "COVID-19"), a final full stop of dotted acronyms and
 * of the pack's abbreviations ("U.S.", "Mr."), a per cent sign after a
 * number ("3.5%"), and web and e-mail addresses as one token each. */
#include "seg_tok.h"

#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <unicode/uchar.h>

#include "seg_sent.h"
#include "seg_text.h"

enum {
    C_SPACE = 0,
    C_LETTER,
    C_DIGIT,
    C_IDEO,      /* a letter that is a word by itself (Han, Hiragana, ...) */
    C_EXTEND,    /* Extend, Format, ZWJ: stays with what precedes it */
    C_CONNECT,   /* ExtendNumLet: "_" */
    C_MIDLETTER, /* ":" "·" */
    C_MIDNUM,    /* "," ";" */
    C_MIDNUMLET, /* "." "'" "’" */
    C_PUNCT,
    C_SYMBOL,
    C_RI /* regional indicator (flags come in pairs) */
};

static unsigned char ascii_class[128];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static const char *const kind_names[SEG_TOK_KIND_COUNT] = {"word",   "number", "punct",
                                                           "symbol", "url",    "email"};

const char *seg_tok_kind_name(seg_tok_kind_t kind)
{
    return (unsigned)kind < SEG_TOK_KIND_COUNT ? kind_names[kind] : "word";
}

static unsigned char classify(int32_t c)
{
    if (seg_is_space(c))
        return C_SPACE;
    switch (u_getIntPropertyValue(c, UCHAR_WORD_BREAK)) {
    case U_WB_ALETTER:
    case U_WB_HEBREW_LETTER:
    case U_WB_KATAKANA:
        return C_LETTER;
    case U_WB_NUMERIC:
        return C_DIGIT;
    case U_WB_EXTEND:
    case U_WB_FORMAT:
    case U_WB_ZWJ:
        return C_EXTEND;
    case U_WB_EXTENDNUMLET:
        return C_CONNECT;
    case U_WB_MIDLETTER:
        return C_MIDLETTER;
    case U_WB_MIDNUM:
        return C_MIDNUM;
    case U_WB_MIDNUMLET:
    case U_WB_SINGLE_QUOTE:
        return C_MIDNUMLET;
    case U_WB_REGIONAL_INDICATOR:
        return C_RI;
    case U_WB_NEWLINE:
    case U_WB_CR:
    case U_WB_LF:
    case U_WB_WSEGSPACE:
        return C_SPACE;
    default:
        break;
    }
    int8_t t = u_charType(c);
    switch (t) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
        return C_IDEO;
    case U_DECIMAL_DIGIT_NUMBER:
    case U_LETTER_NUMBER:
    case U_OTHER_NUMBER:
        return C_DIGIT;
    case U_DASH_PUNCTUATION:
    case U_START_PUNCTUATION:
    case U_END_PUNCTUATION:
    case U_CONNECTOR_PUNCTUATION:
    case U_OTHER_PUNCTUATION:
    case U_INITIAL_PUNCTUATION:
    case U_FINAL_PUNCTUATION:
        return C_PUNCT;
    default:
        return C_SYMBOL;
    }
}

static void build_tables(void)
{
    for (int32_t c = 0; c < 128; c++)
        ascii_class[c] = classify(c);
}

void seg_tok_global_init(void)
{
    pthread_once(&tables_once, build_tables);
}

static inline unsigned char class_at(const char *t, size_t p, size_t end, size_t *next,
                                     int32_t *cp)
{
    unsigned char b = (unsigned char)t[p];
    if (b < 0x80u) {
        *next = p + 1;
        *cp = b;
        return ascii_class[b];
    }
    size_t q = p;
    int32_t c = seg_next(t, end, &q);
    *next = q;
    *cp = c;
    return classify(c);
}

/* Skips extending marks after a character (UAX #29 WB4). */
static size_t skip_extend(const char *t, size_t p, size_t end)
{
    while (p < end && ((unsigned char)t[p] >= 0x80u)) {
        size_t q;
        int32_t c;
        if (class_at(t, p, end, &q, &c) != C_EXTEND)
            break;
        p = q;
    }
    return p;
}

static bool is_word_class(unsigned char k)
{
    return k == C_LETTER || k == C_DIGIT || k == C_CONNECT;
}

/* ---- addresses ------------------------------------------------------------ */

static bool url_char(unsigned char c)
{
    return c > 0x20 && c < 0x7F && c != '<' && c != '>' && c != '"' && c != '`' && c != '{' &&
           c != '}' && c != '|' && c != '\\' && c != '^';
}

/* A web address at p ("https://...", "ftp://...", "www.example.org/...");
 * returns its end or p. Final punctuation is left out, and a closing bracket
 * only stays when the address opened one. */
static size_t url_at(const char *t, size_t p, size_t end)
{
    size_t n = end - p, q;
    /* Most words starting with h, f or w are no address: one look first. */
    if (n < 6 || !(t[p + 3] == ':' || t[p + 3] == '.' || t[p + 4] == ':' || t[p + 5] == ':'))
        return p;
    if (n > 8 && strncasecmp(t + p, "https://", 8) == 0)
        q = p + 8;
    else if (n > 7 && strncasecmp(t + p, "http://", 7) == 0)
        q = p + 7;
    else if (n > 6 && strncasecmp(t + p, "ftp://", 6) == 0)
        q = p + 6;
    else if (n > 5 && strncasecmp(t + p, "www.", 4) == 0 &&
             ((t[p + 4] | 0x20) >= 'a' && (t[p + 4] | 0x20) <= 'z'))
        q = p + 4;
    else
        return p;
    size_t host = q;
    while (q < end && url_char((unsigned char)t[q]))
        q++;
    if (q == host)
        return p;
    int open = 0;
    for (size_t k = p; k < q; k++)
        open += t[k] == '(' ? 1 : t[k] == ')' ? -1 : 0;
    while (q > host) {
        char c = t[q - 1];
        if (c == ')' && open < 0) {
            open++;
            q--;
        } else if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' ||
                   c == '\'' || c == ']') {
            q--;
        } else {
            break;
        }
    }
    return q;
}

static bool local_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

static bool domain_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* An e-mail address at p; returns its end or p. *scanned receives how far
 * the local part was scanned, so a failed try is not repeated inside it. */
static size_t email_at(const char *t, size_t p, size_t end, size_t *scanned)
{
    size_t q = p;
    while (q < end && local_char((unsigned char)t[q]))
        q++;
    *scanned = q;
    if (q == p || q >= end || t[q] != '@' || t[q - 1] == '.')
        return p;
    size_t d = q + 1, last = p;
    int labels = 0;
    for (;;) {
        size_t l = d;
        while (d < end && domain_char((unsigned char)t[d]))
            d++;
        if (d == l)
            break;
        labels++;
        last = d;
        if (d + 1 < end && t[d] == '.' && domain_char((unsigned char)t[d + 1]))
            d++;
        else
            break;
    }
    return labels >= 2 ? last : p;
}

/* ---- words ---------------------------------------------------------------- */

/* The end of the word that starts at p with class k0 (letter, digit or
 * connector). */
static size_t word_end(const char *t, size_t p, size_t end, unsigned char k0)
{
    unsigned char prev = k0;
    size_t q, e;
    int32_t c;
    class_at(t, p, end, &e, &c);
    e = skip_extend(t, e, end);
    while (e < end) {
        /* ASCII letters and digits need no joiner logic. */
        unsigned char b = (unsigned char)t[e];
        if (b < 0x80u && (ascii_class[b] == C_LETTER || ascii_class[b] == C_DIGIT)) {
            prev = ascii_class[b];
            e++;
            continue;
        }
        unsigned char k = class_at(t, e, end, &q, &c);
        if (is_word_class(k)) {
            prev = k == C_CONNECT ? prev : k;
            e = skip_extend(t, q, end);
            continue;
        }
        /* Joiners need a letter or digit on both sides. */
        if (q >= end)
            break;
        size_t r;
        int32_t c2;
        unsigned char k2 = class_at(t, q, end, &r, &c2);
        bool join = false;
        /* A full-width full stop ends sentences without a space after it,
         * so it never joins a word. */
        if (k == C_MIDNUMLET && seg_is_spaceless_stop(c))
            join = false;
        else if (c == '.' && seg_glued_stop(t, p, e, end))
            join = false;
        else if (k == C_MIDNUMLET)
            join = (prev == C_LETTER && k2 == C_LETTER) ||
                   (c == '.' && prev == C_DIGIT && k2 == C_DIGIT);
        else if (k == C_MIDNUM)
            join = prev == C_DIGIT && k2 == C_DIGIT;
        else if (c == ':' || c == '/')
            join = prev == C_DIGIT && k2 == C_DIGIT;
        else if (c == '-' || c == 0x2010 || c == 0x2011)
            join = (prev == C_LETTER || prev == C_DIGIT) && (k2 == C_LETTER || k2 == C_DIGIT);
        if (!join)
            break;
        prev = k2;
        e = skip_extend(t, r, end);
    }
    return e;
}

static bool dotted_letters(const char *t, size_t s, size_t e)
{
    bool dot = false;
    size_t group = 0;
    for (size_t p = s; p < e;) {
        int32_t c = seg_next(t, e, &p);
        if (c == '.') {
            if (group == 0)
                return false;
            dot = true;
            group = 0;
        } else if (seg_is_letter(c)) {
            if (++group > 2)
                return false;
        } else {
            return false;
        }
    }
    return dot;
}

dp_status seg_tokens(const seg_lang_t *lang, const char *text, size_t start, size_t end,
                     seg_ranges_t *out)
{
    seg_tok_global_init();
    const char *t = text;
    bool has_at = memchr(t + start, '@', end - start) != NULL;
    size_t no_email_until = start;
    int32_t pronoun = lang ? seg_lang_pronoun_letter(lang) : 0;
    size_t p = start;
    while (p < end) {
        size_t q;
        int32_t c;
        unsigned char k = class_at(t, p, end, &q, &c);
        if (k == C_SPACE) {
            p = q;
            continue;
        }
        size_t e;
        uint32_t kind;
        if (is_word_class(k)) {
            unsigned char b = (unsigned char)t[p];
            if ((b | 0x20) == 'h' || (b | 0x20) == 'f' || (b | 0x20) == 'w') {
                e = url_at(t, p, end);
                if (e > p) {
                    kind = SEG_TOK_URL;
                    goto push;
                }
            }
            if (has_at && p >= no_email_until && b < 0x80u) {
                size_t scanned;
                e = email_at(t, p, end, &scanned);
                if (e > p) {
                    kind = SEG_TOK_EMAIL;
                    goto push;
                }
                no_email_until = scanned;
            }
            e = word_end(t, p, end, k);
            kind = k == C_DIGIT ? SEG_TOK_NUMBER : SEG_TOK_WORD;
            if (e < end && t[e] == '.' && kind == SEG_TOK_WORD) {
                /* "U.S.", "Mr.", "E.": the full stop belongs to the word. */
                size_t one = p;
                int32_t c0 = seg_next(t, e, &one);
                bool initial = one == e && seg_is_upper(c0) && c0 != pronoun;
                unsigned abbr = seg_lang_lookup(lang, t + p, e - p) & SEG_W_ABBR_MASK;
                /* "No." keeps its full stop only before a number ("No. 5"). */
                if (abbr == SEG_ABBR_NUMBER) {
                    size_t r = e + 1;
                    while (r < end && t[r] == ' ')
                        r++;
                    if (!(r < end && t[r] >= '0' && t[r] <= '9') && !initial)
                        abbr = SEG_ABBR_NONE;
                }
                if (initial || abbr != SEG_ABBR_NONE || dotted_letters(t, p, e))
                    e++;
            } else if (e < end && t[e] == '%' && kind == SEG_TOK_NUMBER) {
                e++;
            }
            goto push;
        }
        e = skip_extend(t, q, end);
        if (k == C_IDEO) {
            kind = SEG_TOK_WORD;
        } else if (k == C_RI) {
            if (e < end) {
                size_t r;
                int32_t c2;
                if (class_at(t, e, end, &r, &c2) == C_RI)
                    e = skip_extend(t, r, end);
            }
            kind = SEG_TOK_SYMBOL;
        } else if (k == C_SYMBOL || k == C_EXTEND) {
            kind = SEG_TOK_SYMBOL;
        } else {
            /* Punctuation; a run of the same mark ("...", "--", "!!") is one. */
            while (e < end) {
                size_t r;
                int32_t c2;
                class_at(t, e, end, &r, &c2);
                if (c2 != c)
                    break;
                e = r;
            }
            kind = SEG_TOK_PUNCT;
        }
    push:
        if (seg_ranges_push(out, p, e, kind) != DP_OK)
            return DP_ENOMEM;
        p = e;
    }
    return DP_OK;
}
