/* The tag stage's tokeniser: splits text into words, numbers and single
 * punctuation characters, keeping initials ("V.", "H.E.", "U.S.") and
 * hyphenated or apostrophe words ("Jean-Luc", "O'Neill") whole and a
 * possessive "'s" apart, and marks line starts, sentence starts and
 * all-capitals lines. It works on any text, with or without the segment
 * stage's layers: the name rules need word shapes that a general tokeniser
 * does not give. */
#include "tag_tokens.h"

#include <string.h>
#include <utf8proc.h>

#include "docpipe/alloc.h"
#include "docpipe/utf8.h"

static int32_t cp_at(const char *s, size_t len, size_t pos, size_t *next)
{
    unsigned char c = (unsigned char)s[pos];
    if (c < 0x80) {
        *next = pos + 1;
        return c;
    }
    size_t p = pos;
    int32_t cp = dp_utf8_next(s, len, &p);
    *next = p;
    return cp;
}

static int is_letter(int32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    if (cp < 0)
        return 0;
    utf8proc_category_t c = utf8proc_category(cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
           c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC;
}

static int is_digit(int32_t cp) { return cp >= '0' && cp <= '9'; }

static int is_upper(int32_t cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z';
    return cp > 0 && utf8proc_isupper(cp);
}

static int is_lower(int32_t cp)
{
    if (cp < 0x80)
        return cp >= 'a' && cp <= 'z';
    return cp > 0 && utf8proc_islower(cp);
}

static int is_space(int32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0 || cp == 0x2009 ||
           cp == 0x202F || cp == 0x3000;
}

/* A newline inside a hard-wrapped paragraph: the line before it is long,
 * ends in a letter or a comma, and the next line goes on without a blank
 * line. Names may run across such a break ("President of Uzbekistan
 * Shavkat\nMirziyoyev"); a blank line or a short line is a real break. */
static int soft_wrap(const char *text, size_t len, size_t s, size_t nl)
{
    if (nl - s < 60)
        return 0;
    size_t e = nl;
    while (e > s && (text[e - 1] == ' ' || text[e - 1] == '\t'))
        e--;
    if (e == s)
        return 0;
    unsigned char last = (unsigned char)text[e - 1];
    if (!((last >= 'a' && last <= 'z') || (last >= 'A' && last <= 'Z') || last == ','))
        return 0;
    size_t n = nl + 1;
    while (n < len && (text[n] == ' ' || text[n] == '\t'))
        n++;
    if (n >= len || text[n] == '\n')
        return 0;
    /* a next line that ends soon is a heading or a list, not a wrap */
    size_t ne = n;
    while (ne < len && text[ne] != '\n')
        ne++;
    return ne - n >= 20;
}

static dp_status push(tag_toks_t *t, size_t start, size_t end, uint32_t flags, uint32_t line)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        tag_tok_t *v = dp_realloc(t->v, cap * sizeof *v);
        if (!v)
            return DP_ENOMEM;
        t->v = v;
        t->cap = cap;
    }
    tag_tok_t *k = &t->v[t->n++];
    k->start = start;
    k->end = end;
    k->flags = flags;
    k->line = line;
    k->gz = NULL;
    return DP_OK;
}

/* Shape flags of any word, letter by letter through utf8proc. */
static uint32_t word_shape_full(const char *text, size_t s, size_t e)
{
    size_t p = s, next;
    size_t letters = 0, uppers = 0, lowers = 0;
    int32_t first_letter = -1;
    int first_is_lower_prefix = 0;
    while (p < e) {
        int32_t cp = cp_at(text, e, p, &next);
        if (is_letter(cp)) {
            letters++;
            if (is_upper(cp))
                uppers++;
            else if (is_lower(cp))
                lowers++;
            if (first_letter < 0)
                first_letter = cp;
        } else if ((cp == '-' || cp == '\'' || cp == 0x2019) && first_letter >= 0 &&
                   is_lower(first_letter) && letters <= 3 && p + 1 < e) {
            /* "al-Boushi", "d'Alema": a short small-letter particle joined to
             * a capitalised name. */
            size_t n2;
            int32_t c2 = cp_at(text, e, next, &n2);
            if (is_upper(c2))
                first_is_lower_prefix = 1;
        }
        p = next;
    }
    uint32_t f = 0;
    if (letters) {
        f |= TAG_TOK_WORD;
        if (is_upper(first_letter) || first_is_lower_prefix)
            f |= TAG_TOK_CAP;
        else if (is_lower(first_letter))
            f |= TAG_TOK_LOWER;
        if (letters >= 2 && lowers == 0 && uppers >= 2)
            f |= TAG_TOK_ALLCAPS;
        if (lowers)
            f |= TAG_TOK_HASLOWER;
    }
    return f;
}

/* Classes of ASCII bytes for the tokeniser's fast path. */
enum { C_OTHER = 0, C_UPPER = 1, C_LOWER = 2, C_DIGIT = 3, C_SPACE = 4 };
static const unsigned char ascii_class[128] = {
    ['\t'] = C_SPACE, ['\n'] = C_SPACE, ['\r'] = C_SPACE, [' '] = C_SPACE,
    ['0'] = C_DIGIT, ['1'] = C_DIGIT, ['2'] = C_DIGIT, ['3'] = C_DIGIT, ['4'] = C_DIGIT,
    ['5'] = C_DIGIT, ['6'] = C_DIGIT, ['7'] = C_DIGIT, ['8'] = C_DIGIT, ['9'] = C_DIGIT,
    ['A'] = C_UPPER, ['B'] = C_UPPER, ['C'] = C_UPPER, ['D'] = C_UPPER, ['E'] = C_UPPER,
    ['F'] = C_UPPER, ['G'] = C_UPPER, ['H'] = C_UPPER, ['I'] = C_UPPER, ['J'] = C_UPPER,
    ['K'] = C_UPPER, ['L'] = C_UPPER, ['M'] = C_UPPER, ['N'] = C_UPPER, ['O'] = C_UPPER,
    ['P'] = C_UPPER, ['Q'] = C_UPPER, ['R'] = C_UPPER, ['S'] = C_UPPER, ['T'] = C_UPPER,
    ['U'] = C_UPPER, ['V'] = C_UPPER, ['W'] = C_UPPER, ['X'] = C_UPPER, ['Y'] = C_UPPER,
    ['Z'] = C_UPPER,
    ['a'] = C_LOWER, ['b'] = C_LOWER, ['c'] = C_LOWER, ['d'] = C_LOWER, ['e'] = C_LOWER,
    ['f'] = C_LOWER, ['g'] = C_LOWER, ['h'] = C_LOWER, ['i'] = C_LOWER, ['j'] = C_LOWER,
    ['k'] = C_LOWER, ['l'] = C_LOWER, ['m'] = C_LOWER, ['n'] = C_LOWER, ['o'] = C_LOWER,
    ['p'] = C_LOWER, ['q'] = C_LOWER, ['r'] = C_LOWER, ['s'] = C_LOWER, ['t'] = C_LOWER,
    ['u'] = C_LOWER, ['v'] = C_LOWER, ['w'] = C_LOWER, ['x'] = C_LOWER, ['y'] = C_LOWER,
    ['z'] = C_LOWER,
};

/* Shape flags of a word token text[s..e): plain ASCII words in one pass
 * over a table, the rest through word_shape_full. */
static uint32_t word_shape(const char *text, size_t s, size_t e)
{
    size_t uppers = 0, lowers = 0, i;
    for (i = s; i < e; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 0x80 || c == '-' || c == '\'')
            break;
        unsigned char k = ascii_class[c];
        uppers += k == C_UPPER;
        lowers += k == C_LOWER;
    }
    if (i < e)
        return word_shape_full(text, s, e);
    size_t letters = uppers + lowers;
    if (!letters)
        return 0;
    unsigned char k0 = ascii_class[(unsigned char)text[s]];
    uint32_t f = TAG_TOK_WORD;
    if (k0 == C_UPPER)
        f |= TAG_TOK_CAP;
    else if (k0 == C_LOWER)
        f |= TAG_TOK_LOWER;
    if (lowers)
        f |= TAG_TOK_HASLOWER;
    if (letters >= 2 && lowers == 0 && uppers >= 2)
        f |= TAG_TOK_ALLCAPS;
    return f;
}

dp_status tag_tokenize(const char *text, size_t len, const size_t *sent_starts, size_t nsent,
                       tag_toks_t *toks)
{
    toks->n = 0;
    size_t pos = 0, next;
    uint32_t line = 0;
    int line_start = 1, gap = 0, space = 0;
    size_t line_begin = 0; /* where the current physical line starts */
    while (pos < len) {
        if (text[pos] == ' ') {
            /* the commonest byte: a plain space */
            space = 1;
            pos++;
            continue;
        }
        int32_t cp = cp_at(text, len, pos, &next);
        if (is_space(cp) || cp == 0 || cp < 0) {
            if (cp == '\n') {
                size_t begin = line_begin;
                line_begin = pos + 1;
                if (!soft_wrap(text, len, begin, pos)) {
                    line++;
                    line_start = 1;
                    gap = 1;
                }
            }
            space = 1;
            pos = next;
            continue;
        }
        size_t start = pos;
        uint32_t flags = 0;
        if (is_letter(cp) || is_digit(cp)) {
            int numeric = is_digit(cp);
            size_t seg_letters = is_letter(cp) ? 1 : 0; /* letters since the last '.' */
            pos = next;
            while (pos < len) {
                unsigned char cb = (unsigned char)text[pos];
                if (cb < 0x80 && ascii_class[cb] >= C_UPPER && ascii_class[cb] <= C_DIGIT) {
                    seg_letters += ascii_class[cb] != C_DIGIT;
                    pos++;
                    continue;
                }
                int32_t c = cp_at(text, len, pos, &next);
                if (is_letter(c) || is_digit(c)) {
                    seg_letters += is_letter(c) ? 1 : 0;
                    pos = next;
                    continue;
                }
                if (next >= len)
                    break;
                size_t n2;
                int32_t c2 = cp_at(text, len, next, &n2);
                if (numeric && (c == '.' || c == ',' || c == ':') && is_digit(c2)) {
                    pos = next; /* 1,000.5  09:23 */
                    continue;
                }
                if (!numeric && c == '-' && (is_letter(c2) || is_digit(c2))) {
                    pos = next;
                    seg_letters = 0;
                    continue;
                }
                if (!numeric && (c == '\'' || c == 0x2019) && is_letter(c2)) {
                    /* Keep "O'Neill" whole but leave a possessive "'s" apart. */
                    size_t n3;
                    int32_t c3 = n2 < len ? cp_at(text, len, n2, &n3) : ' ';
                    if ((c2 == 's' || c2 == 't') && !is_letter(c3))
                        break;
                    pos = next;
                    continue;
                }
                break;
            }
            flags = numeric ? TAG_TOK_NUM : word_shape(text, start, pos);
            /* "St. Petersburg", "Mr. Norov", "Dr. Li": a short capitalised
             * abbreviation keeps its full stop when a capitalised word
             * follows, so that it stays inside the name. */
            if (!numeric && pos - start >= 2 && pos - start <= 3 && (flags & TAG_TOK_CAP) &&
                !(flags & TAG_TOK_ALLCAPS) && pos + 2 < len && text[pos] == '.' &&
                text[pos + 1] == ' ' && text[pos + 2] >= 'A' && text[pos + 2] <= 'Z')
                pos++;
            /* Initials: one letter and a full stop ("V."), or such groups
             * ("H.E.", "U.S."). */
            if (!numeric && seg_letters == 1 && pos - start <= 4 && pos < len && text[pos] == '.') {
                size_t q = pos + 1;
                while (q + 1 < len && is_letter((unsigned char)text[q]) && text[q + 1] == '.')
                    q += 2;
                pos = q;
                flags |= TAG_TOK_INITIAL;
                if (flags & TAG_TOK_ALLCAPS)
                    flags &= ~(uint32_t)TAG_TOK_ALLCAPS;
            }
        } else {
            pos = next;
            flags = TAG_TOK_PUNCT;
        }
        if (line_start)
            flags |= TAG_TOK_LINE_START;
        if (gap)
            flags |= TAG_TOK_GAP;
        if (space)
            flags |= TAG_TOK_SPACE;
        line_start = gap = space = 0;
        if (push(toks, start, pos, flags, line) != DP_OK)
            return DP_ENOMEM;
    }

    /* Sentence starts: the first word token of every line, after ". ! ?"
     * (possibly behind a closing quote), and at each sentence the segment
     * stage found. */
    size_t si = 0;
    int expect = 1;
    for (size_t i = 0; i < toks->n; i++) {
        tag_tok_t *t = &toks->v[i];
        if (t->flags & TAG_TOK_LINE_START)
            expect = 1;
        while (sent_starts && si < nsent && sent_starts[si] <= t->start) {
            expect = 1;
            si++;
        }
        if (t->flags & TAG_TOK_WORD) {
            if (expect)
                t->flags |= TAG_TOK_SENT_START;
            expect = 0;
        } else if ((t->flags & TAG_TOK_PUNCT) && !sent_starts) {
            char c = text[t->start];
            if ((c == '.' || c == '!' || c == '?') && i > 0 &&
                !(toks->v[i - 1].flags & TAG_TOK_INITIAL))
                expect = 1;
        } else if (t->flags & TAG_TOK_NUM) {
            /* "1. Jesper Ronnback": a list number keeps the start pending. */
        }
    }

    /* Lines with no small letter at all are headlines or datelines: their
     * capitals say nothing about names. */
    size_t a = 0;
    while (a < toks->n) {
        size_t b = a;
        int lower = 0, caps = 0;
        while (b < toks->n && toks->v[b].line == toks->v[a].line) {
            uint32_t f = toks->v[b].flags;
            if (f & (TAG_TOK_LOWER | TAG_TOK_HASLOWER))
                lower = 1;
            if (f & TAG_TOK_ALLCAPS)
                caps++;
            b++;
        }
        if (!lower && caps >= 1)
            for (size_t k = a; k < b; k++)
                toks->v[k].flags |= TAG_TOK_HEADLINE;
        a = b;
    }
    return DP_OK;
}

void tag_toks_free(tag_toks_t *toks)
{
    dp_free(toks->v);
    toks->v = NULL;
    toks->n = toks->cap = 0;
}
