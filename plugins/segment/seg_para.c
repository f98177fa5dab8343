/* The paragraph splitter and classifier of the segment stage. Blank lines
 * always separate paragraphs. Inside a block, a line break separates two
 * paragraphs when the next line is a list item, or when the block is not
 * hard-wrapped prose and the next line does not continue a sentence (it does
 * not start in lower case); in hard-wrapped prose only a short line ends a
 * paragraph. Kinds come from the shape of a paragraph (length, final
 * punctuation, capitals, list markers, dates) and the pack's cues. */
#include "seg_para.h"

#include <string.h>
#include <strings.h>

#include "seg_sent.h"
#include "seg_text.h"

static const char *const kind_names[SEG_PARA_KIND_COUNT] = {
    "body", "heading", "list_item", "dateline", "byline", "caption"};

const char *seg_para_kind_name(seg_para_kind_t kind)
{
    return (unsigned)kind < SEG_PARA_KIND_COUNT ? kind_names[kind] : "body";
}

static bool ascii_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Trims white space (ASCII and Unicode) from both ends of [*s, *e). */
static void trim(const char *t, size_t *s, size_t *e)
{
    size_t a = *s, b = *e;
    while (a < b) {
        size_t q = a;
        if (!seg_is_space(seg_next(t, b, &q)))
            break;
        a = q;
    }
    while (b > a) {
        size_t q = b;
        if (!seg_is_space(seg_prev(t, a, &q)))
            break;
        b = q;
    }
    *s = a;
    *e = b;
}

/* ---- classification ------------------------------------------------------ */

typedef struct shape {
    size_t words;
    size_t lower_letters, upper_letters;
    int32_t last; /* last character that is not a closing quote or bracket */
} shape_t;

/* Counts words and letters up to MEASURE_WORDS words: no rule looks at
 * longer paragraphs, which are body text, so long ones cost little. */
#define MEASURE_WORDS 41

static void measure(const char *t, size_t s, size_t e, shape_t *sh)
{
    memset(sh, 0, sizeof *sh);
    bool in = false;
    for (size_t p = s; p < e;) {
        int32_t c = seg_next(t, e, &p);
        bool sp = seg_is_space(c);
        if (!sp && !in && ++sh->words >= MEASURE_WORDS)
            break;
        in = !sp;
        if (seg_is_lower(c))
            sh->lower_letters++;
        else if (seg_is_upper(c))
            sh->upper_letters++;
    }
    size_t q = e;
    while (q > s) {
        int32_t c = seg_prev(t, s, &q);
        if (!seg_is_closer(c)) {
            sh->last = c;
            break;
        }
    }
}

/* "16.10.2020", "2020-10-16", "10/16/2020": three groups of digits joined
 * by one kind of separator, one of them a year. */
static bool numeric_date(const char *w, size_t n)
{
    char sep = 0;
    size_t groups = 0, len = 0, year = 0;
    for (size_t i = 0; i <= n; i++) {
        char c = i < n ? w[i] : '\0';
        if (c >= '0' && c <= '9') {
            len++;
            continue;
        }
        if (len == 0 || len > 4)
            return false;
        groups++;
        if (len == 4)
            year++;
        len = 0;
        if (i == n)
            break;
        if (c != '.' && c != '/' && c != '-')
            return false;
        if (sep && c != sep)
            return false;
        sep = c;
    }
    return groups == 3 && year == 1;
}

/* Counts the words of a short paragraph that belong to a date or time
 * ("June 26, 2020", "16.10.2020 16:57", "Tuesday", "09:23 AM") and the
 * others; true when it holds a real date and few other words. */
static bool looks_like_date_line(const seg_lang_t *lang, const char *t, size_t s, size_t e)
{
    size_t other = 0, numbers = 0, calendar = 0, numeric_dates = 0;
    size_t p = s;
    while (p < e) {
        while (p < e && (ascii_space((unsigned char)t[p]) || t[p] == ',' || t[p] == '\n'))
            p++;
        if (p >= e)
            break;
        size_t w = p;
        while (w < e && !ascii_space((unsigned char)t[w]) && t[w] != ',' && t[w] != '\n')
            w++;
        size_t digits = 0, seps = 0, letters = 0;
        for (size_t k = p; k < w; k++) {
            unsigned char c = (unsigned char)t[k];
            if (c >= '0' && c <= '9')
                digits++;
            else if (c == '.' || c == '/' || c == '-' || c == ':')
                seps++;
            else
                letters++;
        }
        size_t wl = w - p;
        while (wl > 0 && (t[p + wl - 1] == '.' || t[p + wl - 1] == ':'))
            wl--;
        if (digits > 0 && letters <= 2) {
            numbers++;
            if (numeric_date(t + p, wl))
                numeric_dates++;
        } else if (wl > 0 && (seg_lang_lookup(lang, t + p, wl) & SEG_W_CALENDAR)) {
            calendar++;
        } else if (!(wl == 2 && (strncasecmp(t + p, "am", 2) == 0 ||
                                 strncasecmp(t + p, "pm", 2) == 0))) {
            other++;
        }
        p = w;
    }
    /* "June 26, 2020", "Tuesday, 29 September 2020", "AL-AIN, United Arab
     * Emirates 1996-12-06", but not "Ties to be played on 19/20 February". */
    if (numeric_dates > 0)
        return other <= 5;
    return calendar > 0 && numbers > 0 && other <= 3;
}

/* Most words of [s, e) start with a capital ("Why Has The SCO Become A
 * Model?"). */
static bool title_case(const char *t, size_t s, size_t e)
{
    size_t words = 0, caps = 0;
    bool in = false;
    for (size_t p = s; p < e;) {
        int32_t c = seg_next(t, e, &p);
        bool sp = seg_is_space(c);
        if (!sp && !in) {
            words++;
            caps += seg_is_upper(c) || seg_is_digit(c);
        }
        in = !sp;
    }
    return words > 0 && words <= 12 && caps * 10 >= words * 7;
}

/* "Anton Bugayenko, chief expert of the ... Institute in Kazakhstan": a
 * name of two or more capitalised words, a comma, a description in lower
 * case, and no full stop at the end: whom the next paragraphs quote. */
static bool speaker_line(const char *t, size_t s, size_t e, int32_t last)
{
    if (last == '.' || last == '!' || last == '?' || last == ';' || last == ':' || last == 0x2026)
        return false;
    size_t p = s, caps = 0;
    for (;;) {
        if (p >= e)
            return false;
        int32_t c = seg_next(t, e, &(size_t){p});
        if (!seg_is_upper(c))
            break;
        while (p < e) {
            size_t q = p;
            int32_t d = seg_next(t, e, &q);
            if (!(seg_is_letter(d) || d == '-' || d == '\'' || d == 0x2019))
                break;
            p = q;
        }
        caps++;
        if (p < e && t[p] == ',')
            break;
        if (p >= e || t[p] != ' ')
            return false;
        p++;
    }
    if (caps < 2 || caps > 4 || p >= e || t[p] != ',')
        return false;
    p++;
    while (p < e && t[p] == ' ')
        p++;
    return p < e && seg_is_lower(seg_next(t, e, &(size_t){p}));
}

/* The paragraph starts with the cue's words, then a colon ("Photo: ...")
 * or a space; *colon says which. */
static bool cue_matches(const char *t, size_t s, size_t e, const seg_cue_t *cue, size_t *after,
                        bool *colon)
{
    if (e - s < cue->len || ((t[s] ^ cue->prefix[0]) & ~0x20) != 0 ||
        strncasecmp(t + s, cue->prefix, cue->len) != 0)
        return false;
    size_t p = s + cue->len;
    if (p < e && t[p] != ' ' && t[p] != ':' && t[p] != '\t')
        return false;
    *colon = false;
    while (p < e && (t[p] == ' ' || t[p] == ':' || t[p] == '\t')) {
        if (t[p] == ':')
            *colon = true;
        p++;
    }
    *after = p;
    return true;
}

seg_para_kind_t seg_para_classify(const seg_lang_t *lang, const char *t, size_t s, size_t e,
                                  int first)
{
    if (e <= s)
        return SEG_PARA_BODY;
    /* A list marker ("1.", "•", "a)"); a capital and a full stop is an
     * initial ("J. Smith said"), not a list. */
    size_t m = seg_list_marker(t, s, e);
    if (m != s && !(t[s] >= 'A' && t[s] <= 'Z' && m == s + 2))
        return SEG_PARA_LIST_ITEM;

    shape_t sh;
    measure(t, s, e, &sh);
    if (sh.words >= MEASURE_WORDS)
        return SEG_PARA_BODY;
    size_t ncues = 0;
    const seg_cue_t *cues = lang ? seg_lang_cues(lang, &ncues) : NULL;
    /* Without a colon a cue word may just begin a sentence ("Video games
     * could ...", "By Tuesday, ..."): then the paragraph must be short and
     * end without a full stop. */
    int32_t l0 = sh.last;
    bool ends_like_sentence = l0 == '.' || l0 == '!' || l0 == '?' || l0 == 0x2026;
    for (size_t i = 0; i < ncues; i++) {
        size_t after;
        bool colon;
        if (!cue_matches(t, s, e, &cues[i], &after, &colon))
            continue;
        if (!colon && (ends_like_sentence || sh.words > 12))
            continue;
        switch (cues[i].kind) {
        case SEG_PARA_BYLINE:
            /* "By John Smith", not "By 2025, ..." or "By contrast, ...". */
            if (sh.words <= 12 && after < e && seg_is_upper(seg_next(t, e, &(size_t){after})))
                return SEG_PARA_BYLINE;
            break;
        case SEG_PARA_DATELINE:
            /* "Published: Sep 16, 2022 09:23 AM": the cue and a number. */
            if (sh.words <= 16) {
                for (size_t k = after; k < e; k++)
                    if (t[k] >= '0' && t[k] <= '9')
                        return SEG_PARA_DATELINE;
            }
            break;
        case SEG_PARA_CAPTION:
            if (sh.words <= 40)
                return SEG_PARA_CAPTION;
            break;
        default:
            if (sh.words <= 16)
                return cues[i].kind;
            break;
        }
    }
    if (sh.words <= 14 && lang && looks_like_date_line(lang, t, s, e))
        return SEG_PARA_DATELINE;
    if (sh.words <= 30 && speaker_line(t, s, e, sh.last))
        return SEG_PARA_BYLINE;

    /* Headings: short, without the punctuation that ends a sentence, not
     * starting in lower case; a line all in capitals even with a full stop. */
    int32_t c0 = seg_next(t, e, &(size_t){s});
    if (seg_is_lower(c0))
        return SEG_PARA_BODY;
    bool caps = sh.upper_letters >= 2 && sh.lower_letters == 0;
    if (caps && sh.words <= 20)
        return SEG_PARA_HEADING;
    if (sh.words <= 16 && e - s <= 160 && memchr(t + s, '\n', e - s) == NULL) {
        int32_t l = sh.last;
        bool stop = l == '.' || l == '!' || l == '?' || l == ';' || l == ',' || l == 0x2026 ||
                    seg_is_stop_mark(l);
        /* A title may ask a question, but only in title case: a first
         * paragraph that is a plain question is body text. */
        if (!stop || (first && (l == '?' || l == '!') && title_case(t, s, e)))
            return SEG_PARA_HEADING;
    }
    return SEG_PARA_BODY;
}

/* ---- splitting ----------------------------------------------------------- */

static bool starts_lower(const char *t, size_t s, size_t e)
{
    return s < e && seg_is_lower(seg_next(t, e, &(size_t){s}));
}

/* The last character of [s, e) that is not a closing quote or bracket. */
static int32_t last_char(const char *t, size_t s, size_t e)
{
    size_t q = e;
    while (q > s) {
        int32_t c = seg_prev(t, s, &q);
        if (!seg_is_closer(c))
            return c;
    }
    return -1;
}

/* Most words start with a capital (a heading, "Quarterly Results"), or the
 * line has no lower-case letters at all. */
static bool title_like(const char *t, size_t s, size_t e)
{
    size_t words = 0, caps = 0, lower = 0;
    bool in = false;
    for (size_t p = s; p < e;) {
        int32_t c = seg_next(t, e, &p);
        bool sp = seg_is_space(c);
        if (!sp && !in) {
            words++;
            if (seg_is_upper(c) || seg_is_digit(c))
                caps++;
        }
        if (seg_is_lower(c))
            lower++;
        in = !sp;
    }
    return words > 0 && words <= 12 && (lower == 0 || caps * 10 >= words * 6);
}

/* [s, e) has at most max words. */
static bool few_words(const char *t, size_t s, size_t e, size_t max)
{
    size_t words = 0;
    bool in = false;
    for (size_t p = s; p < e; p++) {
        bool sp = t[p] == ' ' || t[p] == '\t';
        if (!sp && !in && ++words > max)
            return false;
        in = !sp;
    }
    return true;
}

/* Decides the breaks inside one block of lines and emits its paragraphs. */
static dp_status emit_block(const seg_lang_t *lang, const char *t, const seg_range_t *ln,
                            size_t n, seg_ranges_t *out)
{
    size_t maxlen = 0;
    for (size_t i = 0; i < n; i++)
        if (ln[i].end - ln[i].start > maxlen)
            maxlen = ln[i].end - ln[i].start;
    /* Hard-wrapped prose: most lines but the last fill the width. */
    size_t full = 0;
    for (size_t i = 0; i + 1 < n; i++)
        if ((ln[i].end - ln[i].start) * 10 >= maxlen * 8)
            full++;
    bool wrapped = n >= 3 && maxlen >= 40 && maxlen <= 160 && full >= 2 && full * 2 >= n - 1;
    /* Lines of a few words each are items ("features\ncontact manager"), not
     * prose wrapped early: every line is its own paragraph. */
    bool items = n >= 2;
    for (size_t i = 0; items && i < n; i++)
        items = few_words(t, ln[i].start, ln[i].end, 5);

    size_t ps = ln[0].start;
    for (size_t i = 0; i < n; i++) {
        bool brk = i + 1 == n;
        if (!brk) {
            const seg_range_t *nx = &ln[i + 1];
            size_t len = ln[i].end - ln[i].start;
            if (items || seg_list_marker(t, nx->start, nx->end) != nx->start)
                brk = true;
            else if (starts_lower(t, nx->start, nx->end))
                brk = false;
            else if (!wrapped)
                brk = true;
            else {
                /* In wrapped prose a paragraph ends with a sentence on a
                 * short line, or before an indented line; a short first line
                 * in title case or capitals is a heading. A short line that
                 * ends with an ordinary word ("announced") was wrapped early. */
                int32_t last = last_char(t, ln[i].start, ln[i].end);
                bool stop = last == '.' || last == '!' || last == '?' || last == ':' ||
                            last == 0x2026 || seg_is_stop_mark(last);
                bool indented = nx->kind >= 2 && nx->kind > ln[i].kind;
                bool short_line = len * 10 < maxlen * 7;
                brk = (stop && (short_line || indented)) ||
                      (short_line && i == 0 && title_like(t, ln[i].start, ln[i].end));
            }
        }
        if (brk) {
            size_t pe = ln[i].end;
            if (pe > ps) {
                seg_para_kind_t k = seg_para_classify(lang, t, ps, pe, out->n == 0);
                if (seg_ranges_push(out, ps, pe, (uint32_t)k) != DP_OK)
                    return DP_ENOMEM;
            }
            if (i + 1 < n)
                ps = ln[i + 1].start;
        }
    }
    return DP_OK;
}

dp_status seg_paragraphs(const seg_lang_t *lang, const char *text, size_t len,
                         seg_ranges_t *lines, seg_ranges_t *out)
{
    lines->n = 0;
    size_t p = 0;
    while (p <= len) {
        const char *nl = p < len ? memchr(text + p, '\n', len - p) : NULL;
        size_t e = nl ? (size_t)(nl - text) : len;
        size_t s = p;
        trim(text, &s, &e);
        if (s < e) {
            /* kind = the line's indentation in bytes (capped). */
            size_t indent = s - p;
            if (seg_ranges_push(lines, s, e, (uint32_t)(indent < 64 ? indent : 64)) != DP_OK)
                return DP_ENOMEM;
        } else if (lines->n > 0) {
            if (emit_block(lang, text, lines->v, lines->n, out) != DP_OK)
                return DP_ENOMEM;
            lines->n = 0;
        }
        if (!nl)
            break;
        p = (size_t)(nl - text) + 1;
    }
    if (lines->n > 0 && emit_block(lang, text, lines->v, lines->n, out) != DP_OK)
        return DP_ENOMEM;
    lines->n = 0;
    return DP_OK;
}
