/* Unwrapping of hard-wrapped text: page furniture (running headers, footers,
 * page numbers around form feeds) is removed, lines wrapped at a fixed width
 * are joined into one line per paragraph, and a line-end hyphen is dropped or
 * kept by the document's own vocabulary, the word list and the hyphenation
 * patterns (lexicon.c). A document whose lines are not wrapped at a width
 * (web scrapes with one paragraph a line) keeps its lines as paragraphs. */
#include <ctype.h>
#include <string.h>
#include <utf8proc.h>

#include "docpipe/alloc.h"
#include "docpipe/hash.h"
#include "docpipe/utf8.h"
#include "nz.h"

typedef struct line {
    size_t s, e;   /* content without outer white space: text[s..e) */
    size_t width;  /* code points of the content */
    int indent;    /* leading white space, a tab counting 4 */
    bool blank;    /* nothing but white space */
    bool ff;       /* a page break marker (a form feed), not text */
    bool drop;     /* furniture: removed */
} line_t;

typedef struct doc {
    const char *t;
    line_t *l;
    size_t n;
    size_t width; /* the wrap width, 0 when the text is not hard-wrapped */
    int base_indent;
    dp_map_t *vocab; /* spellings of the hyphen sites -> count + 1, built on demand */
} doc_t;

static size_t cp_count(const char *s, size_t n)
{
    /* Code points = bytes - continuation bytes (10xxxxxx), eight at a time. */
    size_t cont = 0, i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t m = (w & ~(w << 1) & 0x8080808080808080ull) >> 7; /* one bit a byte */
        cont += (size_t)((m * 0x0101010101010101ull) >> 56);           /* their sum */
    }
    for (; i < n; i++)
        cont += !dp_utf8_is_boundary((unsigned char)s[i]);
    return n - cont;
}

static dp_status add_line(doc_t *d, size_t *cap, size_t s, size_t e, bool ff)
{
    if (d->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 256;
        line_t *p = dp_realloc(d->l, nc * sizeof *p);
        if (!p)
            return DP_ENOMEM;
        d->l = p;
        *cap = nc;
    }
    line_t *ln = &d->l[d->n++];
    memset(ln, 0, sizeof *ln);
    ln->ff = ff;
    if (ff) {
        ln->blank = true;
        return DP_OK;
    }
    size_t a = s;
    int ind = 0;
    while (a < e && (d->t[a] == ' ' || d->t[a] == '\t')) {
        ind += d->t[a] == '\t' ? 4 : 1;
        a++;
    }
    size_t b = e;
    while (b > a && (d->t[b - 1] == ' ' || d->t[b - 1] == '\t'))
        b--;
    ln->s = a;
    ln->e = b;
    ln->indent = ind;
    ln->blank = a == b;
    ln->width = cp_count(d->t + a, b - a); /* indents are added after filling */
    return DP_OK;
}

static dp_status split_lines(doc_t *d, size_t len)
{
    size_t cap = 0, i = 0;
    /* Most texts have no page break: one search then spares one a line. */
    const bool any_ff = len > 0 && memchr(d->t, '\f', len) != NULL;
    while (i <= len) {
        const char *nl = i < len ? memchr(d->t + i, '\n', len - i) : NULL;
        size_t end = nl ? (size_t)(nl - d->t) : len;
        size_t a = i;
        for (;;) {
            const char *ff = any_ff && a < end ? memchr(d->t + a, '\f', end - a) : NULL;
            size_t e = ff ? (size_t)(ff - d->t) : end;
            if (!(ff && e == a) && add_line(d, &cap, a, e, false) != DP_OK)
                return DP_ENOMEM;
            if (!ff)
                break;
            if (add_line(d, &cap, 0, 0, true) != DP_OK)
                return DP_ENOMEM;
            a = e + 1;
        }
        if (!nl)
            break;
        i = end + 1;
    }
    return DP_OK;
}

/* ---- page furniture ------------------------------------------------------ */

/* The line in lowercase with its digit runs as '#' and white space collapsed:
 * "Page 2 of 5" and "Page 3 of 5" share a key. */
static size_t furniture_key(const char *s, size_t n, char *key, size_t cap)
{
    size_t k = 0;
    bool space = false;
    for (size_t i = 0; i < n && k + 2 < cap; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == ' ' || ch == '\t') {
            space = k > 0;
            continue;
        }
        if (space) {
            key[k++] = ' ';
            space = false;
        }
        /* ASCII tests: the stage runs in the "C" locale, where isdigit and
         * tolower are these, without a library call a byte. */
        if (ch >= '0' && ch <= '9') {
            key[k++] = '#';
            while (i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9')
                i++;
        } else {
            key[k++] = (char)(ch >= 'A' && ch <= 'Z' ? ch | 0x20 : ch);
        }
    }
    key[k] = '\0';
    return k;
}

/* A page number on its own: "12", "- 12 -", "Page 12", "Page 2 of 5",
 * "2/5", "[12]". */
static bool is_page_number(const char *key)
{
    static const char *forms[] = {"#", "- # -", "-#-", "page #", "page # of #", "# of #",
                                  "#/#", "# / #", "[#]", "(#)", "p. #", "— # —", "– # –"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
        if (strcmp(key, forms[i]) == 0)
            return true;
    return false;
}

/* The bytes of the forms above, in lower case, and white space: a table, as
 * this runs on many short lines (a search of the list cost a call a byte). */
static const bool page_number_byte[256] = {
    ['0'] = true, ['1'] = true, ['2'] = true, ['3'] = true, ['4'] = true, ['5'] = true,
    ['6'] = true, ['7'] = true, ['8'] = true, ['9'] = true, [' '] = true, ['\t'] = true,
    ['#'] = true, ['-'] = true, ['/'] = true, ['['] = true, [']'] = true, ['('] = true,
    [')'] = true, ['.'] = true, ['p'] = true, ['a'] = true, ['g'] = true, ['e'] = true,
    ['o'] = true, ['f'] = true,
    [0xE2] = true, [0x80] = true, [0x93] = true, [0x94] = true, /* "—", "–" */
};

/* Whether the line s[0..n) may give a key is_page_number accepts: every byte
 * is white space, a digit, or one whose lower case occurs in those forms.
 * Most text lines fail at their first letters, so their key is not built. */
static bool may_be_page_number(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\0')
            return true; /* the key ends there */
        if (ch >= 'A' && ch <= 'Z')
            ch |= 0x20;
        if (!page_number_byte[ch])
            return false;
    }
    return true;
}

static size_t next_text(const doc_t *d, size_t i)
{
    while (i < d->n && (d->l[i].blank || d->l[i].drop))
        i++;
    return i;
}

static size_t prev_text(const doc_t *d, size_t i)
{
    /* returns index + 1 of the text line before i, or 0 when none */
    while (i > 0 && (d->l[i - 1].blank || d->l[i - 1].drop))
        i--;
    return i;
}

static bool upper_equal(const char *a, size_t an, const char *b, size_t bn)
{
    /* Case-insensitive prefix test for a header that repeats the title in
     * capitals, possibly cut short. */
    if (an < 8 || an > bn)
        return false;
    for (size_t i = 0; i < an; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return false;
    return true;
}

static bool is_wrap(const doc_t *d, const line_t *a, const line_t *b, bool page_break);

/* Whether line i of a wrapped text will be a paragraph of its own: joined
 * neither to the text line before it nor to the one after. */
static bool own_paragraph(const doc_t *d, size_t i)
{
    if (i > 0 && !d->l[i - 1].blank && !d->l[i - 1].drop &&
        is_wrap(d, &d->l[i - 1], &d->l[i], false))
        return false;
    if (i + 1 < d->n && !d->l[i + 1].blank && !d->l[i + 1].drop &&
        is_wrap(d, &d->l[i], &d->l[i + 1], false))
        return false;
    return true;
}

static void mark_furniture(doc_t *d, nz_counts_t *c, json_t *removed)
{
    /* Candidates: the text line right after each page break (header) and the
     * one right before it (footer), and the last line of the document when
     * the document has page breaks. */
    size_t nbreaks = 0;
    for (size_t i = 0; i < d->n; i++)
        nbreaks += d->l[i].ff;
    /* Keys of repeated headers and footers exist only with page breaks. */
    dp_map_t *keys = nbreaks ? dp_map_new() : NULL;
    if (nbreaks && !keys)
        return;
    size_t first = next_text(d, 0);
    char key[256];
    for (int pass = 0; pass < 2 && keys; pass++) {
        for (size_t i = 0; i < d->n; i++) {
            if (!d->l[i].ff)
                continue;
            size_t cand[4];
            size_t nc = 0;
            size_t h = next_text(d, i + 1);
            if (h < d->n)
                cand[nc++] = h;
            size_t f = prev_text(d, i);
            if (f > 0)
                cand[nc++] = f - 1;
            for (size_t k = 0; k < nc; k++) {
                line_t *ln = &d->l[cand[k]];
                if (ln->width > 90 || ln->drop)
                    continue;
                furniture_key(d->t + ln->s, ln->e - ln->s, key, sizeof key);
                if (pass == 0) {
                    uintptr_t v = (uintptr_t)dp_map_get(keys, key, strlen(key));
                    dp_map_put(keys, key, strlen(key), (void *)(v + 1));
                    continue;
                }
                uintptr_t count = (uintptr_t)dp_map_get(keys, key, strlen(key));
                bool title = first < d->n && cand[k] != first &&
                             upper_equal(d->t + ln->s, ln->e - ln->s, d->t + d->l[first].s,
                                         d->l[first].e - d->l[first].s);
                /* A header stands alone between the page break and a blank line. */
                bool alone = (cand[k] == h && cand[k] + 1 < d->n && d->l[cand[k] + 1].blank) ||
                             (cand[k] != h && cand[k] > 0 && d->l[cand[k] - 1].blank);
                if (is_page_number(key) || count >= 2 || title || (alone && nbreaks == 1)) {
                    ln->drop = true;
                }
            }
        }
    }
    /* The same keys anywhere else standing alone (the last page's footer,
     * a header repeated without a form feed). */
    for (size_t i = 0; i < d->n; i++) {
        line_t *ln = &d->l[i];
        /* Without page breaks only a page number can be furniture. */
        if (ln->blank || ln->drop || ln->width > (nbreaks ? 90u : 16u))
            continue;
        /* Without page breaks there are no keys: only a page number matters. */
        bool maybe = may_be_page_number(d->t + ln->s, ln->e - ln->s);
        if (!nbreaks && !maybe)
            continue;
        /* Furniture stands between blank lines, page breaks or the ends (or
         * anywhere in a text whose every line is a paragraph). */
        bool alone = !d->width ||
                     ((i == 0 || d->l[i - 1].blank) && (i + 1 == d->n || d->l[i + 1].blank)) ||
                     own_paragraph(d, i);
        if (!alone && !(maybe && d->width))
            continue;
        furniture_key(d->t + ln->s, ln->e - ln->s, key, sizeof key);
        /* "Page 2 of 5" or "- 2 -" on a line of its own inside wrapped text
         * is a page break without its form feed: it goes, and the text
         * around it joins up. */
        bool page_no = maybe && is_page_number(key) && strcmp(key, "#") != 0;
        if (!alone && !(page_no && d->width))
            continue;
        uintptr_t count = keys ? (uintptr_t)dp_map_get(keys, key, strlen(key)) : 0;
        if ((nbreaks > 0 && count >= 1 && i != first) || page_no)
            ln->drop = true;
    }
    for (size_t i = 0; i < d->n; i++)
        if (d->l[i].drop) {
            c->furniture++;
            nz_report(removed, "furniture", d->t + d->l[i].s, d->l[i].e - d->l[i].s);
        }
    dp_map_free(keys);
}

static bool ends_sentence(const doc_t *d, const line_t *ln)
{
    size_t e = ln->e;
    while (e > ln->s) {
        unsigned char ch = (unsigned char)d->t[e - 1];
        if (ch == '"' || ch == '\'' || ch == ')')
            e--;
        else if (e - ln->s >= 3 && ch >= 0x80 && (unsigned char)d->t[e - 3] == 0xE2)
            e -= 3; /* a closing curly quote */
        else
            break;
    }
    if (e == ln->s)
        return false;
    char ch = d->t[e - 1];
    return ch == '.' || ch == '!' || ch == '?' || ch == ':';
}

/* ---- wrap width ---------------------------------------------------------- */

/* The width the text was wrapped at: a high percentile of the lengths of
 * lines followed by another text line. 0 when those lines are long (a web
 * scrape with a paragraph a line) or too few to tell. */
static dp_status find_width(doc_t *d)
{
    size_t n = 0, long_lines = 0, text_lines = 0, sentence_ends = 0;
    size_t *w = dp_malloc((d->n + 1) * sizeof *w);
    if (!w)
        return DP_ENOMEM;
    int indents[9] = {0};
    for (size_t i = 0; i < d->n; i++) {
        line_t *ln = &d->l[i];
        if (ln->blank || ln->drop)
            continue;
        indents[ln->indent < 8 ? ln->indent : 8]++;
        text_lines++;
        size_t j = i + 1;
        while (j < d->n && (d->l[j].drop || d->l[j].ff ||
                            (d->l[j].blank && j + 1 < d->n && d->l[j + 1].ff)))
            j++;
        if (j >= d->n || d->l[j].blank)
            continue;
        w[n++] = ln->width;
        long_lines += ln->width > 160;
        sentence_ends += ends_sentence(d, ln);
    }
    int best = 0;
    for (int k = 1; k < 9; k++)
        if (indents[k] > indents[best])
            best = k;
    d->base_indent = best;
    d->width = 0;
    /* Hard-wrapped: most text lines run on into the next one. */
    /* ... and they stop anywhere in a sentence: lines that mostly end a
     * sentence are paragraphs (a web scrape), whatever their length. */
    if (n >= 2 && n * 2 >= text_lines && long_lines * 5 < n && sentence_ends * 5 < n * 3) {
        /* The k-th smallest width by counting, not sorting: any width over
         * 160 means no wrap width, so those share one bucket. */
        size_t k = (n * 9) / 10 < n ? (n * 9) / 10 : n - 1;
        size_t hist[162] = {0};
        for (size_t i = 0; i < n; i++)
            hist[w[i] > 160 ? 161 : w[i]]++;
        size_t v = 0, seen = hist[0];
        while (seen <= k)
            seen += hist[++v];
        d->width = v;
        if (d->width > 160 || d->width < 20)
            d->width = 0;
    }
    dp_free(w);
    return DP_OK;
}

/* ---- joining ------------------------------------------------------------- */

static bool is_letter_byte(unsigned char c)
{
    return isalpha(c) || c >= 0x80;
}

/* UTF-8 letters: the end of the run of letters that starts at i, and the
 * start of the run that ends at e (both i itself / e itself when none). */
static size_t letters_forward(const char *s, size_t len, size_t i)
{
    while (i < len) {
        unsigned char b = (unsigned char)s[i];
        if (b < 0x80) {
            if (!isalpha(b))
                break;
            i++;
            continue;
        }
        size_t j = i;
        int32_t c = dp_utf8_next(s, len, &j);
        utf8proc_category_t k = c < 0 ? UTF8PROC_CATEGORY_CN : utf8proc_category(c);
        if (k < UTF8PROC_CATEGORY_LU || k > UTF8PROC_CATEGORY_MC)
            break; /* letters and the marks that belong to them */
        i = j;
    }
    return i;
}

static size_t letters_back(const char *s, size_t start, size_t e)
{
    while (e > start) {
        unsigned char b = (unsigned char)s[e - 1];
        if (b < 0x80) {
            if (!isalpha(b))
                break;
            e--;
            continue;
        }
        size_t j = e;
        int32_t c = dp_utf8_prev(s, &j);
        utf8proc_category_t k = c < 0 ? UTF8PROC_CATEGORY_CN : utf8proc_category(c);
        if (j < start || k < UTF8PROC_CATEGORY_LU || k > UTF8PROC_CATEGORY_MC)
            break;
        e = j;
    }
    return e;
}

static bool starts_lower(const char *s, size_t n)
{
    size_t i = 0;
    int32_t c = n ? dp_utf8_next(s, n, &i) : -1;
    return c >= 0 && utf8proc_category(c) == UTF8PROC_CATEGORY_LL;
}

/* Length in code points of the first word of a line. */
static size_t first_word_width(const doc_t *d, const line_t *ln)
{
    size_t i = ln->s;
    while (i < ln->e && d->t[i] != ' ' && d->t[i] != '\t')
        i++;
    return cp_count(d->t + ln->s, i - ln->s);
}

/* A list item, a bullet or a numbered point. */
static bool starts_item(const doc_t *d, const line_t *ln)
{
    const char *s = d->t + ln->s;
    size_t n = ln->e - ln->s;
    if (n >= 2 && (s[0] == '-' || s[0] == '*') && s[1] == ' ')
        return true;
    if (n >= 4 && (unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 &&
        (unsigned char)s[2] == 0xA2) /* • */
        return true;
    size_t k = 0;
    while (k < n && k < 3 && isdigit((unsigned char)s[k]))
        k++;
    if (k > 0 && k + 1 < n && (s[k] == '.' || s[k] == ')') && s[k + 1] == ' ')
        return true;
    if (n >= 4 && s[0] == '(' && isalnum((unsigned char)s[1]) && s[2] == ')' && s[3] == ' ')
        return true;
    return false;
}

/* Whether the break between a and b is a wrap (join) or a paragraph end. */
static bool is_wrap(const doc_t *d, const line_t *a, const line_t *b, bool page_break)
{
    if (b->indent >= d->base_indent + 2)
        return false;
    size_t need = a->width + 1 + first_word_width(d, b);
    bool full = need * 5 > d->width * 4; /* the next word would (nearly) not have fitted */
    const char *as = d->t + a->s;
    size_t an = a->e - a->s;
    bool hyphen = an >= 2 && as[an - 1] == '-' && is_letter_byte((unsigned char)as[an - 2]);
    if (hyphen)
        return true;
    /* Greedy filling ends a line early only when the next word does not fit:
     * a line with room left ends its paragraph (headings, bylines, the last
     * line of a paragraph). */
    if (!full)
        return false;
    /* Across a page break a full line that ends a sentence before a capital
     * most likely ended its paragraph at the foot of the page. */
    if (page_break)
        return need + 1 > d->width;
    /* A list item after a line that ends a sentence or announces the list. */
    if (starts_item(d, b) && (ends_sentence(d, a) || as[an - 1] == ';'))
        return false;
    return true;
}

/* Bytes of words for the vocabulary: ASCII letters and, roughly, every byte
 * of a non-ASCII character, so nothing is decoded. */
static inline bool word_byte(unsigned char b)
{
    return (unsigned)((b | 0x20u) - 'a') < 26u || b >= 0x80;
}

static void lower_copy(char *dst, const char *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = (char)tolower((unsigned char)src[i]);
}

/* Registers the two spellings of one line-end hyphen site, "pan-demic" and
 * "pandemic" (lowercase), as words to count. */
static dp_status want_site(doc_t *d, const char *head, size_t hn, const char *tail, size_t tn)
{
    char w[140];
    if (hn + tn + 1 >= 64)
        return DP_OK;
    lower_copy(w, head, hn);
    lower_copy(w + hn, tail, tn);
    if (dp_map_put(d->vocab, w, hn + tn, (void *)1) != DP_OK)
        return DP_ENOMEM;
    lower_copy(w, head, hn);
    w[hn] = '-';
    lower_copy(w + hn + 1, tail, tn);
    if (dp_map_put(d->vocab, w, hn + tn + 1, (void *)1) != DP_OK)
        return DP_ENOMEM;
    return DP_OK;
}

/* dst[0..n) = src[0..n) with ASCII capitals in lowercase (lower_copy's
 * tolower in the "C" locale the stage runs in), eight bytes at a time. */
static void lower_ascii(char *dst, const char *src, size_t n)
{
    size_t i = 0;
    const uint64_t hi = 0x8080808080808080ull;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, src + i, 8);
        uint64_t t = w & ~hi;
        /* With the high bits cleared, adding 0x3F reaches 0x80 from 'A' up
         * and adding 0x25 from '[' up; neither carries into the next byte. */
        uint64_t up = (t + 0x3F3F3F3F3F3F3F3Full) & ~(t + 0x2525252525252525ull) & ~w & hi;
        w |= up >> 2;
        memcpy(dst + i, &w, 8);
    }
    lower_copy(dst + i, src + i, n - i);
}

/* How often the lowercase spelling w[0..n) (letters, perhaps inner
 * hyphens) occurs as a whole word of t[0..len), low being t in lowercase:
 * where the run of word bytes through it neither starts earlier nor goes
 * on (an inner hyphen between word bytes joins), and no line-end hyphen
 * follows (a word broken there is not evidence for itself). */
static size_t count_spelling(const char *t, const char *low, size_t len, const char *w, size_t n)
{
    const unsigned char *u = (const unsigned char *)t;
    size_t count = 0, p = 0;
    while (p + n <= len) {
        /* memmem (the build defines _GNU_SOURCE): a search for the first
         * byte alone stops at nearly every word */
        const char *hit = memmem(low + p, len - p, w, n);
        if (!hit)
            break;
        size_t s = (size_t)(hit - low), e = s + n;
        p = s + 1;
        if (s > 0 && (word_byte(u[s - 1]) || (u[s - 1] == '-' && s >= 2 && word_byte(u[s - 2]))))
            continue;
        if (e < len && (word_byte(u[e]) || (u[e] == '-' && e + 1 < len && word_byte(u[e + 1]))))
            continue;
        if (e + 1 < len && u[e] == '-' && (u[e + 1] == '\n' || u[e + 1] == ' ' || u[e + 1] == '\t'))
            continue;
        count++;
    }
    return count;
}

/* The document's own vocabulary, as far as the hyphen sites need it: the
 * sites that drop_hyphen can take to the vocabulary (a lowercase letter after
 * the break) are collected first, then each of their spellings is counted
 * where it occurs in a lowercase copy of the text as a whole word (a word:
 * a run of word bytes, inner hyphens joining runs, as count_spelling
 * checks), not followed by a line-end hyphen. The text is not split into
 * words at all. It is built on the first such decision, so a text without
 * one never pays for it. Counts are stored plus one. */
static dp_status build_vocab(doc_t *d, size_t len)
{
    if (d->vocab)
        return DP_OK;
    if (!(d->vocab = dp_map_new()))
        return DP_ENOMEM;
    for (size_t i = 0; i + 1 < d->n; i++) {
        const line_t *a = &d->l[i];
        size_t an = a->e - a->s;
        if (a->blank || an < 3 || d->t[a->e - 1] != '-' ||
            !is_letter_byte((unsigned char)d->t[a->e - 2]))
            continue;
        size_t hs = letters_back(d->t, a->s, a->e - 1);
        size_t j = i + 1;
        while (j < d->n && (d->l[j].blank || d->l[j].drop))
            j++;
        if (j >= d->n)
            break;
        const line_t *b = &d->l[j];
        size_t tn = letters_forward(d->t, b->e, b->s) - b->s;
        /* drop_hyphen decides a capital (or no letter) after the break
         * without counts */
        if (!tn || hs >= a->e - 1 || !starts_lower(d->t + b->s, tn))
            continue;
        if (want_site(d, d->t + hs, a->e - 1 - hs, d->t + b->s, tn) != DP_OK)
            return DP_ENOMEM;
    }
    size_t nw = dp_map_count(d->vocab);
    if (nw == 0)
        return DP_OK;
    dp_status rc = DP_ENOMEM;
    char *low = dp_malloc(len + 1);
    char(*words)[64] = dp_malloc(nw * sizeof *words);
    uint8_t *wlen = dp_malloc(nw);
    if (!low || !words || !wlen)
        goto fail;
    lower_ascii(low, d->t, len);
    size_t it = 0, k = 0, kl;
    const char *key;
    void *v;
    while (k < nw && dp_map_next(d->vocab, &it, &key, &kl, &v)) {
        memcpy(words[k], key, kl); /* under 64: see want_site */
        wlen[k++] = (uint8_t)kl;
    }
    for (size_t i = 0; i < k; i++) {
        size_t n = count_spelling(d->t, low, len, words[i], wlen[i]);
        if (dp_map_put(d->vocab, words[i], wlen[i], (void *)(uintptr_t)(n + 1)) != DP_OK)
            goto fail;
    }
    rc = DP_OK;
fail:
    dp_free(low);
    dp_free(words);
    dp_free(wlen);
    return rc;
}

static uintptr_t vocab_count(const doc_t *d, const char *w, size_t n)
{
    char b[72];
    if (n >= sizeof b)
        return 0;
    lower_copy(b, w, n);
    uintptr_t v = (uintptr_t)dp_map_get(d->vocab, b, n);
    return v ? v - 1 : 0;
}

/* Decides a line-end hyphen between head (the letters before the hyphen,
 * back to the previous hyphen or space) and tail (the letters starting the
 * next line). True: drop the hyphen (a word broken by hyphenation). */
static bool drop_hyphen(doc_t *d, size_t len, const char *head, size_t hn, const char *tail,
                        size_t tn, const nz_lexicon_t *lex, size_t line_width)
{
    if (hn == 0 || tn == 0)
        return false;
    /* A capital or digit after the break, or a digit before it, marks a
     * compound ("non-Western", "COVID-19"): hyphenation never splits there. */
    if (!starts_lower(tail, tn) || isdigit((unsigned char)head[hn - 1]))
        return false;
    char joined[140], hyph[140];
    if (hn + tn + 1 >= sizeof joined)
        return false;
    memcpy(joined, head, hn);
    memcpy(joined + hn, tail, tn);
    memcpy(hyph, head, hn);
    hyph[hn] = '-';
    memcpy(hyph + hn + 1, tail, tn);
    if (build_vocab(d, len) == DP_OK) {
        uintptr_t kept = vocab_count(d, hyph, hn + tn + 1);
        uintptr_t join = vocab_count(d, joined, hn + tn);
        if (kept != join)
            return join > kept;
    }
    /* Hyphenators break words only where the patterns allow; a break
     * anywhere else is a compound's own hyphen. At an allowed point a listed
     * joined word wins, and two listed words that do not join into one
     * ("well-being", "cross-border") keep their hyphen. */
    bool head_word = nz_lexicon_has(lex, head, hn), tail_word = nz_lexicon_has(lex, tail, tn);
    if (!nz_lexicon_can_break(lex, joined, hn + tn, hn))
        /* ...unless neither side is a word: then the patterns do not know
         * the language ("Afgha-nistan", "pandé-mie"), and compounds are
         * made of words. */
        return lex && !head_word && !tail_word;
    /* A hyphenator filling lines greedily breaks a word at the last point
     * that fits: when a later point of the joined word would have fitted
     * on the line too, this break was the word's own hyphen
     * ("multi-faceted" where "multifac-" fitted). line_width: the line with
     * single spaces, hyphen included; 0 when unknown. */
    if (line_width && d->width) {
        for (size_t p = hn + 1; p < hn + tn; p++) {
            if (!dp_utf8_is_boundary((unsigned char)joined[p]) ||
                !nz_lexicon_can_break(lex, joined, hn + tn, p))
                continue;
            if (line_width + cp_count(joined + hn, p - hn) <= d->width)
                return false;
            break;
        }
    }
    if (nz_lexicon_has(lex, joined, hn + tn))
        return true;
    return !(hn >= 2 && tn >= 2 && head_word && tail_word);
}

static dp_status emit_paragraphs(doc_t *d, size_t len, const nz_unwrap_opts_t *o, dp_buf_t *out,
                                 nz_counts_t *c)
{
    bool any = false;      /* a paragraph has been written */
    bool open = false;     /* the current paragraph has text */
    const line_t *prev = NULL;
    bool gap = false, page = false;
    size_t line_start = 0; /* where the last line written starts in out */
    for (size_t i = 0; i < d->n; i++) {
        const line_t *ln = &d->l[i];
        if (ln->drop)
            continue;
        if (ln->ff) {
            page = true;
            continue;
        }
        if (ln->blank) {
            gap = true;
            continue;
        }
        bool join = false;
        if (prev && open && o->unwrap && d->width) {
            if (page)
                join = is_wrap(d, prev, ln, true);
            else if (!gap)
                join = is_wrap(d, prev, ln, false);
        }
        if (join) {
            const char *ps = d->t + prev->s;
            size_t pn = prev->e - prev->s;
            bool hyphen = pn >= 2 && ps[pn - 1] == '-' && is_letter_byte((unsigned char)ps[pn - 2]);
            /* out ends with the previous line, collapsed */
            if (hyphen && o->hyphens) {
                size_t h = out->len - 1; /* out->data[h] == '-' */
                size_t hs = letters_back(out->data, 0, h);
                const char *ts = d->t + ln->s;
                size_t tn = letters_forward(d->t, ln->e, ln->s) - ln->s;
                if (hs < h && tn > 0 &&
                    drop_hyphen(d, len, out->data + hs, h - hs, ts, tn, o->lex,
                                cp_count(out->data + line_start, out->len - line_start))) {
                    out->len--;
                    out->data[out->len] = '\0';
                    c->hyphens_joined++;
                } else {
                    c->hyphens_kept++;
                }
            } else if (!hyphen || !o->hyphens) {
                if (hyphen && !o->hyphens) {
                    /* keep the line-end hyphen as written, joined without a space */
                } else if (dp_buf_putc(out, ' ') != DP_OK) {
                    return DP_ENOMEM;
                }
            }
            c->lines_joined++;
        } else if (any) {
            /* Without unwrapping, lines of one block stay lines. */
            if (dp_buf_puts(out, !o->unwrap && !gap && !page ? "\n" : "\n\n") != DP_OK)
                return DP_ENOMEM;
        }
        line_start = out->len;
        if (nz_ws_line(d->t + ln->s, ln->e - ln->s, out) != DP_OK)
            return DP_ENOMEM;
        any = open = true;
        prev = ln;
        gap = page = false;
    }
    return DP_OK;
}

dp_status nz_unwrap(const char *s, size_t len, const nz_unwrap_opts_t *o, dp_buf_t *out,
                    nz_counts_t *c, json_t *removed)
{
    doc_t d;
    memset(&d, 0, sizeof d);
    d.t = s;
    dp_status rc = split_lines(&d, len);
    if (rc != DP_OK)
        goto done;
    /* The width first: in a text that is not wrapped every line is a
     * paragraph, so a page number stands alone wherever it is. Then again
     * without the furniture. */
    if ((rc = find_width(&d)) != DP_OK)
        goto done;
    if (o->furniture) {
        mark_furniture(&d, c, removed);
        if ((rc = find_width(&d)) != DP_OK)
            goto done;
    }
    rc = emit_paragraphs(&d, len, o, out, c);
done:
    dp_map_free(d.vocab);
    dp_free(d.l);
    return rc;
}
