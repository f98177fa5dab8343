/* The sentence splitter of the segment stage. It walks a paragraph once,
 * stopping only at bytes that may end a sentence (a table lookup per byte),
 * and decides each candidate from the word before it and the word after it,
 * with the language pack saying which words are abbreviations, which start
 * sentences, and which continue a date or a time. List items found before the
 * walk cut the paragraph into independent pieces. */
#include "seg_sent.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "seg_text.h"

typedef struct ctx {
    const seg_lang_t *lang;
    const char *t;
    bool newline_ends;
    seg_ranges_t *out;
    const seg_ranges_t *protect;
    size_t next_protect; /* index into protect */
    const seg_ranges_t *quotes; /* sorted by opening offset */
    size_t next_quote;          /* quotations opened before the walk's position */
    size_t open_until;          /* the furthest closing offset among them */
} ctx_t;

/* Bytes at which the walk stops: '.', '!', '?', the lead bytes of the
 * multi-byte stops (U+2026 …, U+203C ‼, U+3002 。, U+FF01 ！, U+061F ؟ ...)
 * and, when asked, the line feed. */
static const unsigned char stop_byte[256] = {
    ['.'] = 1, ['!'] = 1, ['?'] = 1, ['\n'] = 2,
    [0xCD] = 1, [0xD8] = 1, [0xDB] = 1, [0xE0] = 1, [0xE1] = 1, [0xE2] = 1, [0xE3] = 1, [0xEF] = 1,
};

/* ---- small scanners ------------------------------------------------------ */

static size_t skip_space(const char *t, size_t p, size_t end)
{
    while (p < end) {
        unsigned char c = (unsigned char)t[p];
        if (c < 0x80u) {
            if (c == ' ' || (c >= 0x09 && c <= 0x0D)) {
                p++;
                continue;
            }
            break;
        }
        size_t q = p;
        if (!seg_is_space(seg_next(t, end, &q)))
            break;
        p = q;
    }
    return p;
}

static size_t trim_right(const char *t, size_t begin, size_t end)
{
    while (end > begin) {
        unsigned char c = (unsigned char)t[end - 1];
        if (c < 0x80u) {
            if (c == ' ' || (c >= 0x09 && c <= 0x0D)) {
                end--;
                continue;
            }
            break;
        }
        size_t q = end;
        if (!seg_is_space(seg_prev(t, begin, &q)))
            break;
        end = q;
    }
    return end;
}

static bool space_at(const char *t, size_t p, size_t end)
{
    if (p >= end)
        return true;
    size_t q = p;
    return seg_is_space(seg_next(t, end, &q));
}

static int32_t cp_at(const char *t, size_t p, size_t end)
{
    return p < end ? seg_next(t, end, &p) : -1;
}

static int32_t cp_before(const char *t, size_t begin, size_t p)
{
    return p > begin ? seg_prev(t, begin, &p) : -1;
}

/* ---- list markers -------------------------------------------------------- */

enum { M_NONE = 0, M_DIGIT = 1, M_LOWER = 2, M_UPPER = 3, M_RLOWER = 4, M_RUPPER = 5 };
enum { P_DOT = 1, P_DOT_PAREN = 2, P_PAREN = 3, P_PARENS = 4 };

typedef struct marker {
    size_t end;   /* just past the marker */
    int style;    /* class * 8 + punctuation; 0 when none */
    long value;   /* the number, the letter (a = 0) or the Roman numeral */
    long roman;   /* a single letter i, v, x ... read as a Roman numeral, else 0 */
    size_t dot;   /* the marker's full stop, or SIZE_MAX */
} marker_t;

/* The value of a Roman numeral in lower or upper case, 0 when s[0..n) is
 * none. Only the small numbers lists use. */
static long roman_value(const char *s, size_t n)
{
    long total = 0, prev = 0;
    for (size_t i = n; i-- > 0;) {
        long v;
        switch (s[i] | 0x20) {
        case 'i': v = 1; break;
        case 'v': v = 5; break;
        case 'x': v = 10; break;
        case 'l': v = 50; break;
        case 'c': v = 100; break;
        default: return 0;
        }
        total += v < prev ? -v : v;
        if (v > prev)
            prev = v;
    }
    return total > 0 && total < 400 ? total : 0;
}

/* Bullets that may mark list items anywhere in a paragraph. */
static bool strong_bullet(int32_t c)
{
    return c == 0x2022 || c == 0x25E6 || c == 0x25AA || c == 0x25AB || c == 0x2023 ||
           c == 0x2043 || c == 0x25CF || c == 0x25CB || c == 0x25A0 || c == 0x25A1 ||
           c == 0x27A2 || c == 0x25BA || c == 0x2219 || c == 0x25C6 || c == 0x2713 ||
           c == 0x2714 || c == 0x27A4 || c == 0x2192;
}

/* Characters that mark a list item only at the start of a line, since they
 * also occur inside sentences. */
static bool weak_bullet(int32_t c)
{
    return c == '-' || c == '*' || c == 0x2013 || c == 0x2014 || c == 0x00B7 || c == 0x2212;
}

/* A numbered, lettered or Roman marker at p: "12.", "3.)", "4)", "(5)",
 * "a.", "b)", "(c)", "ii)", "(iv)", followed by white space. */
static bool parse_numbered(const char *t, size_t p, size_t end, marker_t *m)
{
    size_t q = p;
    bool open = false;
    if (q < end && t[q] == '(') {
        open = true;
        q++;
    }
    int cls;
    long value = 0, roman = 0;
    size_t d = q;
    while (d < end && d - q < 4 && t[d] >= '0' && t[d] <= '9') {
        value = value * 10 + (t[d] - '0');
        d++;
    }
    if (d > q) {
        if (d - q > 3)
            return false;
        cls = M_DIGIT;
    } else {
        while (d < end && d - q < 6 && ((t[d] >= 'a' && t[d] <= 'z') || (t[d] >= 'A' && t[d] <= 'Z')))
            d++;
        size_t n = d - q;
        if (n == 0)
            return false;
        bool lower = t[q] >= 'a';
        if (n == 1) {
            cls = lower ? M_LOWER : M_UPPER;
            value = (t[q] | 0x20) - 'a';
            roman = roman_value(t + q, 1);
        } else {
            for (size_t k = q; k < d; k++)
                if ((t[k] >= 'a') != lower)
                    return false;
            value = roman_value(t + q, n);
            if (!value)
                return false;
            cls = lower ? M_RLOWER : M_RUPPER;
        }
    }
    int punct;
    size_t dot = SIZE_MAX;
    if (open) {
        if (d >= end || t[d] != ')')
            return false;
        punct = P_PARENS;
        d++;
    } else if (d < end && t[d] == '.') {
        /* A Roman numeral of several letters with a full stop is too often
         * a word ("mix.", "civil."); only letters and numbers take one. */
        if (cls == M_RLOWER || cls == M_RUPPER)
            return false;
        dot = d;
        if (d + 1 < end && t[d + 1] == ')') {
            punct = P_DOT_PAREN;
            d += 2;
        } else {
            punct = P_DOT;
            d++;
        }
    } else if (d < end && t[d] == ')') {
        punct = P_PAREN;
        d++;
    } else {
        return false;
    }
    if (d >= end || !space_at(t, d, end))
        return false;
    m->end = d;
    m->style = cls * 8 + punct;
    m->value = value;
    m->roman = roman;
    m->dot = dot;
    return true;
}

/* The class of a marker read as a Roman numeral (M_NONE when it is none). */
static int roman_class(const marker_t *m)
{
    int cls = m->style / 8;
    if (cls == M_RLOWER || cls == M_RUPPER)
        return cls;
    if (m->roman)
        return cls == M_LOWER ? M_RLOWER : M_RUPPER;
    return M_NONE;
}

static long roman_of(const marker_t *m)
{
    int cls = m->style / 8;
    return (cls == M_RLOWER || cls == M_RUPPER) ? m->value : m->roman;
}

/* A bullet at p followed by a space or a numbered marker; *bullet receives
 * it and the return value is the offset after it (p when none). */
static size_t parse_bullet(const char *t, size_t p, size_t end, bool line_start, int32_t *bullet)
{
    if (p >= end)
        return p;
    size_t q = p;
    int32_t c = seg_next(t, end, &q);
    bool strong = strong_bullet(c);
    if (!strong && !(line_start && weak_bullet(c)))
        return p;
    if (q < end && !space_at(t, q, end)) {
        /* "⁃9. The first item": a strong bullet glued to a number. */
        marker_t m;
        if (!strong || !parse_numbered(t, q, end, &m))
            return p;
    }
    if (q >= end)
        return p;
    *bullet = c;
    return q;
}

size_t seg_list_marker(const char *text, size_t pos, size_t end)
{
    int32_t bullet = 0;
    size_t q = parse_bullet(text, pos, end, true, &bullet);
    marker_t m;
    size_t r = skip_space(text, q, end);
    if (parse_numbered(text, r, end, &m))
        return m.end;
    return q;
}

static dp_status find_chains(const char *t, size_t end, size_t s0, seg_sent_scratch_t *sc);

static bool line_start_before(const char *t, size_t begin, size_t p)
{
    while (p > begin && (t[p - 1] == ' ' || t[p - 1] == '\t'))
        p--;
    return p == begin || t[p - 1] == '\n';
}

/* Finds the list items of a paragraph that begins with a list marker: every
 * later occurrence of its bullet, or the next numbers or letters of its
 * sequence ("1. ... 2. ... 3."), starts a new sentence, and the full stops
 * of the markers never end one. */
static dp_status find_list(const char *t, size_t start, size_t end, seg_sent_scratch_t *sc)
{
    size_t s0 = skip_space(t, start, end);
    int32_t bullet = 0;
    size_t after = parse_bullet(t, s0, end, line_start_before(t, start, s0), &bullet);
    marker_t m;
    bool numbered = parse_numbered(t, skip_space(t, after, end), end, &m);
    if (bullet) {
        if (numbered && m.dot != SIZE_MAX &&
            seg_ranges_push(&sc->protect, m.dot, m.dot + 1, 0) != DP_OK)
            return DP_ENOMEM;
        bool weak = weak_bullet(bullet);
        size_t p = after;
        while (p < end) {
            size_t q = p;
            int32_t c = seg_next(t, end, &q);
            if (c == bullet && space_at(t, p - 1, end) &&
                (!weak || line_start_before(t, start, p))) {
                if (seg_ranges_push(&sc->cuts, p, p, 0) != DP_OK)
                    return DP_ENOMEM;
                marker_t m2;
                if (parse_numbered(t, skip_space(t, q, end), end, &m2) && m2.dot != SIZE_MAX &&
                    seg_ranges_push(&sc->protect, m2.dot, m2.dot + 1, 0) != DP_OK)
                    return DP_ENOMEM;
            }
            p = q;
        }
        return DP_OK;
    }
    return find_chains(t, end, s0, sc);
}

/* Whether m2 continues the sequence of m (same punctuation, next number,
 * letter or Roman numeral). *mode: 0 undecided, 1 letters/numbers, 2 Roman. */
static bool continues(const marker_t *m, const marker_t *m2, long step, int *mode)
{
    if ((m->style & 7) != (m2->style & 7))
        return false;
    if (*mode != 2 && m2->style == m->style && m2->value == m->value + step) {
        *mode = 1;
        return true;
    }
    int rc = roman_class(m);
    if (*mode != 1 && rc != M_NONE && roman_class(m2) == rc &&
        roman_of(m2) == roman_of(m) + step) {
        *mode = 2;
        return true;
    }
    return false;
}

/* Marks after which a list may begin. */
static const unsigned char chain_stop[256] = {['.'] = 1, ['!'] = 1, ['?'] = 1, [':'] = 1, [';'] = 1};

/* How far after one list item the next must begin. */
#define LIST_ITEM_REACH 400

/* Finds sequences of list markers ("1. ... 2. ...", "a) ... b) ...",
 * "(i) ... (ii) ...") that start at the paragraph's start or right after the
 * end of a sentence, and cuts the paragraph before each later item. */
static dp_status find_chains(const char *t, size_t end, size_t s0, seg_sent_scratch_t *sc)
{
    size_t p = s0;
    while (p < end) {
        marker_t m;
        bool at_start = p == s0;
        if (!at_start) {
            /* A candidate start: after white space that follows . ! ? : ;
             * Jump to the next such mark first: most bytes are none. */
            if (!chain_stop[(unsigned char)t[p]]) {
                p++;
                while (p < end && !chain_stop[(unsigned char)t[p]])
                    p++;
                continue;
            }
            p++;
            if (p >= end || !(t[p] == ' ' || t[p] == '\t' || t[p] == '\n'))
                continue;
            p = skip_space(t, p, end);
            if (p >= end)
                break;
            unsigned char b = (unsigned char)t[p];
            if (!((b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || b == '(' ||
                  (b >= 'A' && b <= 'Z')) ||
                !(t[p - 1] == ' ' || t[p - 1] == '\t' || t[p - 1] == '\n')) {
                p++;
                continue;
            }
        }
        if (!parse_numbered(t, p, end, &m)) {
            p++;
            continue;
        }
        /* Capital letters after a full stop are mostly initials ("A. B. Smith"). */
        if (!at_start && m.style / 8 == M_UPPER) {
            p = m.end;
            continue;
        }
        if (at_start && m.dot != SIZE_MAX &&
            seg_ranges_push(&sc->protect, m.dot, m.dot + 1, 0) != DP_OK)
            return DP_ENOMEM;
        /* Follow the sequence. */
        marker_t last = m;
        int mode = 0;
        size_t items = 1;
        size_t q = m.end;
        while (q < end && q < last.end + LIST_ITEM_REACH) {
            unsigned char b = (unsigned char)t[q];
            unsigned char pb = (unsigned char)t[q - 1];
            marker_t m2;
            if ((pb == ' ' || pb == '\t' || pb == '\n') &&
                ((b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') ||
                 b == '(') &&
                parse_numbered(t, q, end, &m2) && continues(&last, &m2, 1, &mode)) {
                if (items == 1 && !at_start && m.dot != SIZE_MAX &&
                    seg_ranges_push(&sc->protect, m.dot, m.dot + 1, 0) != DP_OK)
                    return DP_ENOMEM;
                if (items == 1 && !at_start && seg_ranges_push(&sc->cuts, p, p, 0) != DP_OK)
                    return DP_ENOMEM;
                if (seg_ranges_push(&sc->cuts, q, q, 0) != DP_OK)
                    return DP_ENOMEM;
                if (m2.dot != SIZE_MAX &&
                    seg_ranges_push(&sc->protect, m2.dot, m2.dot + 1, 0) != DP_OK)
                    return DP_ENOMEM;
                items++;
                last = m2;
                q = m2.end;
                continue;
            }
            q++;
        }
        p = items > 1 ? last.end : m.end;
    }
    return DP_OK;
}

/* ---- quotations and brackets ---------------------------------------------- */

/* A stop inside a quotation or a bracket that closes later in the paragraph
 * does not end the sentence: '"We understand. We refuse." he said' is one
 * sentence, as Pragmatic Segmenter has it. The marks are paired first, with
 * the direction of the ambiguous ASCII quotes read from their neighbours;
 * an opening mark that never closes in the paragraph protects nothing. */

enum { Q_PAREN = 1, Q_SQUARE, Q_DOUBLE, Q_SINGLE, Q_CURLY, Q_CURLY_SINGLE, Q_LOW, Q_GUILLEMET,
       Q_TICKS };

static const unsigned char quote_byte[256] = {
    ['"'] = 1, ['\''] = 1, ['('] = 1, [')'] = 1, ['['] = 1, [']'] = 1, ['`'] = 1, [0xC2] = 1,
    [0xE2] = 1,
};

/* Pops the innermost open mark of kind k (dropping unmatched ones above it,
 * which never closed) and records the pair. */
/* Only the innermost marks are searched: an opening mark buried under more
 * than this many others never closes in real text, and the bound keeps a
 * paragraph of brackets linear. */
#define QUOTE_DEPTH 64

static dp_status close_mark(seg_sent_scratch_t *sc, uint32_t k, size_t close)
{
    size_t floor = sc->stack.n > QUOTE_DEPTH ? sc->stack.n - QUOTE_DEPTH : 0;
    for (size_t i = sc->stack.n; i-- > floor;) {
        if (sc->stack.v[i].kind != k)
            continue;
        size_t open = sc->stack.v[i].start;
        sc->stack.n = i;
        return seg_ranges_push(&sc->quotes, open, close, k);
    }
    return DP_OK;
}

/* Speech broken off with a dash ("... afore she comes, to--\" At this
 * moment") ends its sentence at the closing quotation mark when a capital
 * follows. q is just past the closing mark. */
static dp_status cut_after_broken_speech(const char *t, size_t start, size_t close, size_t q,
                                         size_t end, seg_sent_scratch_t *sc)
{
    if (close <= start)
        return DP_OK;
    int32_t before = cp_before(t, start, close);
    if (before != '-' && before != 0x2014 && before != 0x2013)
        return DP_OK;
    if (q >= end || !space_at(t, q, end))
        return DP_OK;
    size_t w = skip_space(t, q, end);
    if (w < end && seg_is_upper(cp_at(t, w, end)))
        return seg_ranges_push(&sc->cuts, w, w, 0);
    return DP_OK;
}

static bool top_is(const seg_sent_scratch_t *sc, uint32_t k)
{
    size_t floor = sc->stack.n > QUOTE_DEPTH ? sc->stack.n - QUOTE_DEPTH : 0;
    for (size_t i = sc->stack.n; i-- > floor;)
        if (sc->stack.v[i].kind == k)
            return true;
    return false;
}

static int compare_open(const void *a, const void *b)
{
    const seg_range_t *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static dp_status pair_quotes(const char *t, size_t start, size_t end, seg_sent_scratch_t *sc)
{
    sc->quotes.n = sc->stack.n = 0;
    for (size_t p = start; p < end;) {
        if (!quote_byte[(unsigned char)t[p]]) {
            p++;
            continue;
        }
        size_t q = p;
        int32_t c = seg_next(t, end, &q);
        int32_t before = p > start ? cp_before(t, start, p) : -1;
        int32_t after = q < end ? cp_at(t, q, end) : -1;
        bool space_before = before < 0 || seg_is_space(before) || seg_is_opener(before) ||
                            before == '-' || before == 0x2014 || before == 0x2013;
        bool space_after = after < 0 || seg_is_space(after);
        dp_status rc = DP_OK;
        switch (c) {
        case '(':
            rc = seg_ranges_push(&sc->stack, p, p, Q_PAREN);
            break;
        case ')':
            rc = close_mark(sc, Q_PAREN, p);
            break;
        case '[':
            rc = seg_ranges_push(&sc->stack, p, p, Q_SQUARE);
            break;
        case ']':
            rc = close_mark(sc, Q_SQUARE, p);
            break;
        case '"':
            if (space_before && !space_after)
                rc = seg_ranges_push(&sc->stack, p, p, Q_DOUBLE);
            else if (top_is(sc, Q_DOUBLE)) {
                rc = close_mark(sc, Q_DOUBLE, p);
                if (rc == DP_OK)
                    rc = cut_after_broken_speech(t, start, p, q, end, sc);
            }
            break;
        case '`':
            /* ``news-wire quotes'' (Penn Treebank style). */
            if (q < end && t[q] == '`') {
                rc = seg_ranges_push(&sc->stack, p, p, Q_TICKS);
                q++;
            }
            break;
        case '\'':
            if (q < end && t[q] == '\'' && top_is(sc, Q_TICKS)) {
                rc = close_mark(sc, Q_TICKS, q);
                q++;
                break;
            }
            /* An apostrophe inside or before a word ("don't", "'90s") is no
             * quotation mark; one after a word may close a quotation. */
            if (space_before && after >= 0 && seg_is_letter(after))
                rc = seg_ranges_push(&sc->stack, p, p, Q_SINGLE);
            else if (!space_before && !(after >= 0 && seg_is_letter(after)) &&
                     top_is(sc, Q_SINGLE))
                rc = close_mark(sc, Q_SINGLE, p);
            break;
        case 0x201C: /* “ opens in English, closes German „...“ */
            if (top_is(sc, Q_LOW) && !space_before)
                rc = close_mark(sc, Q_LOW, p);
            else
                rc = seg_ranges_push(&sc->stack, p, p, Q_CURLY);
            break;
        case 0x201D:
            if (top_is(sc, Q_CURLY)) {
                rc = close_mark(sc, Q_CURLY, p);
                if (rc == DP_OK)
                    rc = cut_after_broken_speech(t, start, p, q, end, sc);
            }
            break;
        case 0x201E:
            rc = seg_ranges_push(&sc->stack, p, p, Q_LOW);
            break;
        case 0x2018:
            if (space_before)
                rc = seg_ranges_push(&sc->stack, p, p, Q_CURLY_SINGLE);
            break;
        case 0x2019:
            if (!(after >= 0 && seg_is_letter(after)))
                rc = close_mark(sc, Q_CURLY_SINGLE, p);
            break;
        case 0xAB:
            rc = seg_ranges_push(&sc->stack, p, p, Q_GUILLEMET);
            break;
        case 0xBB:
            rc = close_mark(sc, Q_GUILLEMET, p);
            break;
        default:
            break;
        }
        if (rc != DP_OK)
            return rc;
        p = q;
    }
    if (sc->quotes.n > 1)
        qsort(sc->quotes.v, sc->quotes.n, sizeof *sc->quotes.v, compare_open);
    if (sc->cuts.n > 1)
        qsort(sc->cuts.v, sc->cuts.n, sizeof *sc->cuts.v, compare_open);
    return DP_OK;
}

/* True when a quotation or bracket opened before i closes at or after ce,
 * i.e. the stop at i with its cluster up to ce lies inside it. Calls come
 * with growing i. */
static bool inside_quote(ctx_t *c, size_t i, size_t ce)
{
    const seg_ranges_t *q = c->quotes;
    while (c->next_quote < q->n && q->v[c->next_quote].start < i) {
        if (q->v[c->next_quote].end > c->open_until)
            c->open_until = q->v[c->next_quote].end;
        c->next_quote++;
    }
    return c->next_quote > 0 && c->open_until >= ce;
}

/* ---- the words around a candidate ---------------------------------------- */

enum { N_END = 0, N_LOWER, N_UPPER, N_DIGIT, N_OTHER };

typedef struct next_word {
    int cls;
    size_t start, end; /* the word (letters) after any opening quotes */
    unsigned flags;    /* its flags in the pack */
    bool single_letter_abbr; /* "B." in "z. B." */
    bool paren;        /* the next thing is an opening bracket: "Inc. (“Company A”)" */
} next_word_t;

static void look_next(const ctx_t *c, size_t p, size_t end, next_word_t *n)
{
    const char *t = c->t;
    memset(n, 0, sizeof *n);
    p = skip_space(t, p, end);
    if (p >= end) {
        n->cls = N_END;
        return;
    }
    size_t q = p;
    int32_t ch = seg_next(t, end, &q);
    n->paren = ch == '(' || ch == '[';
    /* Opening quotes and brackets, and dashes ("-- voila! -- you", "? -
     * Posted"), stand before the word whose case tells. */
    bool dash = false;
    while (q < end) {
        bool is_dash = ch == '-' || ch == 0x2013 || ch == 0x2014;
        if (!(seg_is_opener(ch) || is_dash || (dash && seg_is_space(ch))))
            break;
        dash = dash || is_dash;
        p = q;
        ch = seg_next(t, end, &q);
    }
    if (seg_is_digit(ch)) {
        n->cls = N_DIGIT;
        return;
    }
    if (!seg_is_letter(ch)) {
        n->cls = N_OTHER;
        return;
    }
    size_t ws = p, we = q;
    bool inner_upper = false;
    while (we < end) {
        size_t r = we;
        int32_t d = seg_next(t, end, &r);
        if (!seg_is_letter(d))
            break;
        if (seg_is_upper(d))
            inner_upper = true;
        we = r;
    }
    n->start = ws;
    n->end = we;
    if (seg_is_upper(ch) || (!seg_is_lower(ch)))
        n->cls = N_UPPER;
    else
        /* "iPhone", "eBay": a brand in camel case may start a sentence. */
        n->cls = inner_upper ? N_UPPER : N_LOWER;
    n->flags = seg_lang_lookup(c->lang, t + ws, we - ws);
    n->single_letter_abbr = (q == we) && we < end && t[we] == '.';
}

/* True when [s, e) holds an e-mail address or a web address. */
static bool looks_like_address(const char *t, size_t s, size_t e)
{
    if (memchr(t + s, '@', e - s))
        return true;
    for (size_t p = s; p + 2 < e; p++)
        if (t[p] == ':' && t[p + 1] == '/' && t[p + 2] == '/')
            return true;
    if (e - s > 4 && (t[s] == 'w' || t[s] == 'W') && (t[s + 1] == 'w' || t[s + 1] == 'W') &&
        (t[s + 2] == 'w' || t[s + 2] == 'W') && t[s + 3] == '.')
        return true;
    return false;
}

/* "U.S", "a.m", "Ph.D", "e.g": letters in groups of one or two joined by
 * full stops. */
static bool dotted_acronym(const char *t, size_t s, size_t e)
{
    size_t p = s, group = 0, groups = 0;
    bool dot = false;
    while (p < e) {
        int32_t ch = seg_next(t, e, &p);
        if (ch == '.') {
            if (group == 0)
                return false;
            dot = true;
            groups++;
            group = 0;
        } else if (seg_is_letter(ch)) {
            if (++group > 2)
                return false;
        } else {
            return false;
        }
    }
    return dot && group > 0 && groups >= 1;
}

/* The number of words in [s, e) is at most max. */
static size_t count_words(const char *t, size_t s, size_t e, size_t max)
{
    size_t n = 0;
    bool in = false;
    for (size_t p = s; p < e; p++) {
        bool sp = t[p] == ' ' || t[p] == '\t' || t[p] == '\n';
        if (!sp && !in && ++n > max)
            return n;
        in = !sp;
    }
    return n;
}

/* The sentence so far is a fronted time phrase ("At 5"): its first word is
 * in fronted.txt and it has at most three words. */
static bool fronted_phrase(const ctx_t *c, size_t s, size_t ws)
{
    const char *t = c->t;
    size_t e = s;
    while (e < ws && seg_is_letter(cp_at(t, e, ws)))
        seg_next(t, ws, &e);
    if (e == s || !(seg_lang_lookup(c->lang, t + s, e - s) & SEG_W_FRONTED))
        return false;
    return count_words(t, s, ws, 3) <= 3;
}

/* ---- full stops without a space after them ------------------------------- */

#define GLUE_REACH 256

bool seg_glued_stop(const char *t, size_t start, size_t dot, size_t end)
{
    if (dot + 2 >= end || dot <= start || t[dot] != '.')
        return false;
    size_t q = dot + 1;
    int32_t c1 = seg_next(t, end, &q);
    if (!seg_is_upper(c1) || q >= end)
        return false;
    int32_t c2 = seg_next(t, end, &q);
    if (!seg_is_lower(c2))
        return false;
    /* Before: letters ending in lower case, at least two, or a number. */
    size_t b = dot, letters = 0, digits = 0;
    int32_t last = cp_before(t, start, dot);
    while (b > start) {
        size_t r = b;
        int32_t c = seg_prev(t, start, &r);
        /* Only letters with case: an ideograph before is a word of its own. */
        if (seg_is_upper(c) || seg_is_lower(c))
            letters++;
        else if (seg_is_digit(c) || c == ',')
            digits += c != ',';
        else
            break;
        b = r;
    }
    if (letters > 0 && digits > 0)
        return false;
    if (letters > 0 && (letters < 2 || !seg_is_lower(last)))
        return false;
    if (letters == 0 && digits == 0)
        return false;
    /* No address: look over the run of non-space characters around, at most
     * GLUE_REACH bytes each way so that a long run stays linear. */
    size_t a = b;
    while (a > start && dot - a < GLUE_REACH && !space_at(t, a - 1, end) &&
           !((unsigned char)t[a - 1] & 0x80u))
        a--;
    size_t e = q;
    while (e < end && e - dot < GLUE_REACH && !space_at(t, e, end) &&
           !((unsigned char)t[e] & 0x80u))
        e++;
    for (size_t k = a; k < e; k++) {
        char c = t[k];
        if (c == '@' || c == '/' || (c == ':' && k + 1 < e && t[k + 1] == '/'))
            return false;
        if ((c | 0x20) == 'w' && k + 4 <= e && strncasecmp(t + k, "www.", 4) == 0)
            return false;
        /* "example.Awesome.com": a later dot between letters is a domain. */
        if (c == '.' && k > dot && k + 1 < e && ((t[k + 1] | 0x20) >= 'a' && (t[k + 1] | 0x20) <= 'z'))
            return false;
    }
    return true;
}

/* ---- the decision for one full stop -------------------------------------- */

/* Decides whether the full stop at i (with the closing marks that follow,
 * ending at j) ends the sentence that began at s. */
/* Before a lower-case word a full stop ends the sentence only after an
 * ordinary word of three or more letters, with nothing between the stop and
 * the space ("... in the second set. and afterwards", a typing slip that
 * every segmenter splits), never after an abbreviation, an initial, a number
 * or a closing quote or bracket ("'This is great.' she said"). */
static bool ends_before_lower(const ctx_t *c, size_t ws, size_t we, bool closers)
{
    if (closers)
        return false;
    size_t letters = 0;
    for (size_t p = ws; p < we;) {
        if (!seg_is_letter(seg_next(c->t, we, &p)))
            return false;
        letters++;
    }
    return letters >= 3 && !(seg_lang_lookup(c->lang, c->t + ws, we - ws) & SEG_W_ABBR_MASK);
}

static bool period_ends(const ctx_t *c, size_t s, size_t i, const next_word_t *n, size_t end,
                        bool closers)
{
    const char *t = c->t;
    const seg_lang_t *lang = c->lang;
    /* The word before the full stop, without brackets and quotes around it. */
    size_t ws = i;
    while (ws > s && !space_at(t, ws - 1, end) && !((unsigned char)t[ws - 1] & 0x80u))
        ws--;
    while (ws > s) {
        size_t q = ws;
        if (seg_is_space(seg_prev(t, s, &q)))
            break;
        ws = q;
    }
    size_t we = i;
    while (ws < we) {
        size_t q = ws;
        if (!seg_is_opener(seg_next(t, we, &q)))
            break;
        ws = q;
    }
    while (we > ws) {
        size_t q = we;
        if (!seg_is_closer(seg_prev(t, ws, &q)))
            break;
        we = q;
    }
    if (n->cls == N_LOWER)
        return we > ws && ends_before_lower(c, ws, we, closers);
    if (we == ws)
        return true;
    if (looks_like_address(t, ws, we))
        return true;

    int32_t last = cp_before(t, ws, we);
    if (seg_is_digit(last)) {
        /* German "am 12. Juni": a one- or two-digit number is an ordinal. */
        if (seg_lang_ordinal_period(lang)) {
            size_t a = ws + (t[ws] == '-');
            size_t len = we - a;
            bool digits = len >= 1 && len <= 2;
            for (size_t p = a; digits && p < we; p++)
                digits = t[p] >= '0' && t[p] <= '9';
            if (digits)
                return false;
        }
        return true;
    }

    /* "then-U.S.", "ex-Gov.": the part after the last hyphen decides. */
    bool at_sentence_start = ws == s;
    for (size_t k = we; k > ws + 1; k--) {
        if (t[k - 1] == '-' && k < we) {
            ws = k;
            break;
        }
    }
    unsigned flags = seg_lang_lookup(lang, t + ws, we - ws);
    unsigned abbr = flags & SEG_W_ABBR_MASK;
    size_t p1 = ws;
    int32_t first = seg_next(t, we, &p1);
    bool single = p1 == we && seg_is_letter(first);
    bool dotted = !single && dotted_acronym(t, ws, we);
    bool starter = n->cls == N_UPPER && (n->flags & SEG_W_STARTER);

    if (abbr == SEG_ABBR_PREFIX)
        return n->cls == N_OTHER;
    /* An abbreviation before a bracket goes on: "Inc. (“Company A”)". */
    if ((abbr != SEG_ABBR_NONE || single || dotted) && n->paren)
        return false;
    if (abbr == SEG_ABBR_NUMBER && n->cls == N_DIGIT)
        return false;
    if (abbr == SEG_ABBR_TIME) {
        if (n->cls == N_DIGIT)
            return false;
        if (n->cls == N_UPPER) {
            /* "6 p.m. Tuesday", "9 a.m. EST" go on with the date. */
            if (n->flags & SEG_W_CALENDAR)
                return false;
            if (fronted_phrase(c, s, ws))
                return false;
        }
        return true;
    }
    if (single) {
        if (n->cls == N_DIGIT)
            return false;
        /* A letter that opens the sentence labels it: "Q. What ...? A. His ...". */
        if (at_sentence_start)
            return false;
        /* "z. B.", "u. Ä.", "A. I. Semenov": letters with full stops in a row. */
        if (n->single_letter_abbr)
            return false;
        int32_t pron = seg_lang_pronoun_letter(lang);
        if (pron && first == pron) {
            /* "you and I. Did ..." but "Albert I. Jones". */
            /* The first letter of the word before it. */
            int32_t before = -1;
            size_t q = ws;
            while (q > s) {
                size_t r = q;
                int32_t ch = seg_prev(t, s, &r);
                if (!seg_is_space(ch) && ch != ',')
                    break;
                q = r;
            }
            while (q > s) {
                size_t r = q;
                int32_t ch = seg_prev(t, s, &r);
                if (!seg_is_letter(ch))
                    break;
                before = ch;
                q = r;
            }
            /* A pronoun follows a lower-case word; after a capital or a
             * colon ("Did not bat: I. Healy") it is an initial. */
            if (before >= 0 && seg_is_lower(before))
                return n->cls != N_LOWER;
        }
        if (abbr == SEG_ABBR_NONE && seg_is_lower(first))
            return n->cls == N_UPPER || n->cls == N_OTHER;
        return starter;
    }
    if (dotted && abbr == SEG_ABBR_NONE)
        return starter;
    if (abbr != SEG_ABBR_NONE) {
        if (n->cls == N_DIGIT)
            return false;
        if (dotted)
            return starter;
        if (seg_lang_abbr_split_before_capital(lang))
            return n->cls == N_UPPER || n->cls == N_OTHER;
        return starter;
    }
    return true;
}

/* The word before the '!' at i is a name written with it ("Yahoo!"). */
static bool bang_word(const ctx_t *c, size_t s, size_t i)
{
    size_t ws = i;
    while (ws > s) {
        size_t q = ws;
        if (!seg_is_letter(seg_prev(c->t, s, &q)))
            break;
        ws = q;
    }
    return ws < i && (seg_lang_lookup(c->lang, c->t + ws, i - ws) & SEG_W_BANG);
}

/* ---- the walk ------------------------------------------------------------ */

static dp_status emit(ctx_t *c, size_t s, size_t e)
{
    e = trim_right(c->t, s, e);
    if (e <= s)
        return DP_OK;
    return seg_ranges_push(c->out, s, e, 0);
}

static bool is_protected(ctx_t *c, size_t i)
{
    const seg_ranges_t *pr = c->protect;
    while (c->next_protect < pr->n && pr->v[c->next_protect].start < i)
        c->next_protect++;
    return c->next_protect < pr->n && pr->v[c->next_protect].start == i;
}

/* Extends a run of stop marks at j over closing quotes and brackets and over
 * stop marks after them ("?»." , "!)."). */
static size_t extend_cluster(const char *t, size_t j, size_t end)
{
    for (;;) {
        size_t q = j;
        if (q >= end)
            return j;
        int32_t ch = seg_next(t, end, &q);
        /* Marks and format characters (U+200D, U+FE0F, accents) stay with
         * the character before them, as the token rules keep them. */
        utf8proc_category_t k = ch >= 0x80 ? seg_cat(ch) : UTF8PROC_CATEGORY_CN;
        if (seg_is_closer(ch) || ch == '.' || seg_is_stop_mark(ch) || ch == 0x2026 ||
            k == UTF8PROC_CATEGORY_MN || k == UTF8PROC_CATEGORY_ME || k == UTF8PROC_CATEGORY_CF)
            j = q;
        else
            return j;
    }
}

/* Whether [*scanned, upto) holds a letter or a digit, remembered in *seen
 * so that each byte is looked at once per sentence. */
static bool has_alnum(const char *t, size_t *scanned, size_t upto, bool *seen)
{
    while (!*seen && *scanned < upto) {
        size_t q = *scanned;
        if (seg_is_alnum(seg_next(t, upto, &q)))
            *seen = true;
        *scanned = q;
    }
    return *seen;
}

static dp_status split_piece(ctx_t *c, size_t start, size_t end)
{
    const char *t = c->t;
    size_t s = skip_space(t, start, end);
    size_t i = s;
    next_word_t n;
    /* A sentence needs a letter or a digit: "..." or "!!!" alone is not one. */
    size_t scanned = s;
    bool seen = false;
    size_t first_out = c->out->n;
#define SENTENCE_OK(upto) has_alnum(t, &scanned, (upto), &seen)
#define RESTART(at) (s = (at), scanned = s, seen = false)
    while (i < end) {
        unsigned char b = (unsigned char)t[i];
        unsigned kind = stop_byte[b];
        if (!kind) {
            i++;
            continue;
        }
        if (kind == 2) {
            if (c->newline_ends) {
                if (emit(c, s, i) != DP_OK)
                    return DP_ENOMEM;
                RESTART(skip_space(t, i + 1, end));
                i = s;
            } else {
                i++;
            }
            continue;
        }
        size_t q = i;
        int32_t ch = seg_next(t, end, &q);
        if (ch == '.') {
            if (is_protected(c, i)) {
                i = q;
                continue;
            }
            size_t j = q;
            while (j < end && t[j] == '.')
                j++;
            size_t ndots = j - i;
            /* Spaced ellipsis ". . ." (and ". . . ." with a full stop). */
            if (ndots == 1 && j + 1 < end && t[j] == ' ' && t[j + 1] == '.') {
                size_t k = 1, e = j;
                while (e + 1 < end && t[e] == ' ' && t[e + 1] == '.') {
                    k++;
                    e += 2;
                }
                if (k >= 3) {
                    bool attached = i > s && !space_at(t, i - 1, end);
                    size_t ce = extend_cluster(t, e, end);
                    look_next(c, ce, end, &n);
                    if (n.cls == N_END) {
                        i = end;
                        continue;
                    }
                    bool capital = n.cls == N_UPPER || n.cls == N_OTHER || n.cls == N_DIGIT;
                    if (inside_quote(c, i, ce))
                        capital = false;
                    if (!SENTENCE_OK(i))
                        capital = false;
                    if (attached && k >= 4 && capital && space_at(t, ce, end)) {
                        /* "compounds. . . . The": the full stop ends the
                         * sentence and the ellipsis opens the next one. */
                        if (emit(c, s, i + 1) != DP_OK)
                            return DP_ENOMEM;
                        RESTART(skip_space(t, i + 1, end));
                    } else if (!attached && k >= 4 && capital && space_at(t, ce, end)) {
                        /* ". . . ." : an ellipsis and the sentence's full stop. */
                        if (emit(c, s, ce) != DP_OK)
                            return DP_ENOMEM;
                        RESTART(skip_space(t, ce, end));
                    }
                    /* Three spaced dots leave something out mid-sentence. */
                    i = ce > i ? ce : i + 1;
                    continue;
                }
            }
            size_t ce = extend_cluster(t, j, end);
            if (ce < end && !space_at(t, ce, end) &&
                !(ndots == 1 && ce == j && seg_glued_stop(t, s, i, end))) {
                i = ce;
                continue;
            }
            look_next(c, ce, end, &n);
            if (n.cls == N_END) {
                i = end;
                continue;
            }
            bool ends;
            if (inside_quote(c, i, ce)) {
                ends = false;
            } else if (ndots >= 2) {
                /* "[...]" and "(...)" mark an omission inside a quotation. */
                int32_t before = cp_before(t, s, i);
                if (before == '[' || before == '(')
                    ends = false;
                else
                    ends = n.cls == N_UPPER || n.cls == N_OTHER;
            } else {
                ends = period_ends(c, s, i, &n, end, ce > j);
            }
            if (ends && SENTENCE_OK(i)) {
                if (emit(c, s, ce) != DP_OK)
                    return DP_ENOMEM;
                RESTART(skip_space(t, ce, end));
            }
            i = ce;
            continue;
        }
        if (ch == 0x2026 || seg_is_stop_mark(ch)) {
            size_t ce = extend_cluster(t, q, end);
            if (ce < end && !space_at(t, ce, end) && !seg_is_spaceless_stop(ch)) {
                i = ce;
                continue;
            }
            look_next(c, ce, end, &n);
            if (n.cls == N_END) {
                i = end;
                continue;
            }
            bool ends;
            if (inside_quote(c, i, ce)) {
                ends = false;
            } else if (ch == 0x2026) {
                int32_t before = cp_before(t, s, i);
                ends = !(before == '[' || before == '(') &&
                       (n.cls == N_UPPER || n.cls == N_OTHER);
            } else if (ch == '!' && bang_word(c, s, i)) {
                ends = false;
            } else {
                /* "firma? 13:28": a number after ? or ! goes on. */
                ends = n.cls == N_UPPER || n.cls == N_OTHER;
            }
            if (ends && SENTENCE_OK(i)) {
                if (emit(c, s, ce) != DP_OK)
                    return DP_ENOMEM;
                RESTART(skip_space(t, ce, end));
            }
            i = ce;
            continue;
        }
        i = q;
    }
    /* A tail without letters or digits (a stray closing quote) belongs to
     * the sentence before it in this piece. */
    if (!SENTENCE_OK(end) && c->out->n > first_out) {
        size_t e = trim_right(t, s, end);
        if (e > s)
            c->out->v[c->out->n - 1].end = e;
        return DP_OK;
    }
    return emit(c, s, end);
#undef SENTENCE_OK
#undef RESTART
}

dp_status seg_sentences(const seg_lang_t *lang, bool newline_ends, const char *text,
                        size_t start, size_t end, seg_sent_scratch_t *scratch,
                        seg_ranges_t *out)
{
    scratch->cuts.n = 0;
    scratch->protect.n = 0;
    if (find_list(text, start, end, scratch) != DP_OK)
        return DP_ENOMEM;
    if (pair_quotes(text, start, end, scratch) != DP_OK)
        return DP_ENOMEM;
    ctx_t c = {lang, text, newline_ends, out, &scratch->protect, 0, &scratch->quotes, 0, 0};
    size_t from = start;
    for (size_t k = 0; k < scratch->cuts.n; k++) {
        size_t cut = scratch->cuts.v[k].start;
        if (cut <= from)
            continue;
        if (split_piece(&c, from, cut) != DP_OK)
            return DP_ENOMEM;
        from = cut;
    }
    return split_piece(&c, from, end);
}

void seg_sent_scratch_free(seg_sent_scratch_t *scratch)
{
    seg_ranges_free(&scratch->cuts);
    seg_ranges_free(&scratch->protect);
    seg_ranges_free(&scratch->quotes);
    seg_ranges_free(&scratch->stack);
}
