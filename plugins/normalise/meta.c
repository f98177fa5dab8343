/* normalise's metadata reader: finds a release's title (its first
 * paragraph) and its publication date in the lines at the top of the
 * normalised text, and marks the lines that only repeat that date or the
 * title with a timestamp, so the stage can remove them. The date parsing
 * itself is libdocpipe's (docpipe/date.h); this file decides which dates
 * count: the title block, a dateline, a date line near the top. */
#include "meta.h"

#include <string.h>

#include "docpipe/alloc.h"

/* How far "the top" reaches and what a heading can be. A heading longer than
 * TITLE_MAX bytes is a body paragraph (texts that start with the body); a
 * line longer than BODY_MIN is body text and ends the top zone. */
enum {
    TOP_LINES = 14,
    TITLE_MAX = 300,
    BODY_MIN = 200,
    DATELINE_PREFIX_MAX = 80,
    MAX_DATES = 4,
    MAX_CANDIDATES = 16
};

/* The label words that mark a date as a revision rather than the
 * publication ("Updated: 28 June 2020"). They are compiled in because this
 * module is called with no configuration (the interface is a pure function
 * of the text) and the set is closed: the words that newspapers' CMSs print
 * before a revision date in the languages the date parser reads. */
static const char *const k_updated_words[] = {
    "updated", "update", "modified", "revised", "aktualisiert", "geändert", "actualizado",
    "actualizada", "actualización", "modifié", "actualisé", "aggiornato", "atualizado",
    "обновлено", "изменено",
};

typedef struct line {
    size_t s, e; /* trimmed content */
    size_t para; /* paragraph number, counted from 0 */
} line_t;

typedef struct found_date {
    size_t s, e; /* absolute byte span */
    dp_date_t d;
} found_date_t;

typedef struct candidate {
    dp_date_t d;
    bool updated;
} candidate_t;

/* Bytes of a horizontal space at s[i] (ASCII space, tab, CR, NBSP, the
 * U+2000 spaces, narrow NBSP, ideographic space), or 0. */
static size_t space_len(const char *s, size_t len, size_t i) {
    unsigned char c = (unsigned char)s[i];
    if (c == ' ' || c == '\t' || c == '\r')
        return 1;
    if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] == 0xA0)
        return 2;
    if (c == 0xE2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80) {
        unsigned char d = (unsigned char)s[i + 2];
        if (d <= 0x8A || d == 0xAF)
            return 3;
    }
    if (c == 0xE3 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
        (unsigned char)s[i + 2] == 0x80)
        return 3;
    return 0;
}

/* Trims spaces at both ends of [*a, *b). */
static void trim(const char *s, size_t *a, size_t *b) {
    size_t n;
    while (*a < *b && (n = space_len(s, *b, *a)) > 0)
        *a += n;
    while (*b > *a) {
        size_t k = *b - 1;
        while (k > *a && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;
        if (space_len(s, *b, k) == 0)
            break;
        *b = k;
    }
}

static bool is_upper_ascii(char c) {
    return c >= 'A' && c <= 'Z';
}

static bool is_lower_ascii(char c) {
    return c >= 'a' && c <= 'z';
}

/* Copies [a, b) with every run of spaces collapsed to one ASCII space. */
static char *copy_collapsed(const char *s, size_t a, size_t b) {
    char *out = dp_malloc(b - a + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    bool in_space = false;
    for (size_t i = a; i < b;) {
        size_t n = space_len(s, b, i);
        if (n) {
            in_space = true;
            i += n;
            continue;
        }
        if (in_space && o > 0)
            out[o++] = ' ';
        in_space = false;
        out[o++] = s[i++];
    }
    out[o] = '\0';
    return out;
}

/* Whether s[i..) starts with title (spaces compared as runs); on success
 * *end is the index after the matched text. */
static bool starts_with_title(const char *s, size_t i, size_t e, const char *title,
                              size_t *end) {
    size_t t = 0;
    while (title[t]) {
        if (title[t] == ' ') {
            size_t n, k = i;
            while (k < e && (n = space_len(s, e, k)) > 0)
                k += n;
            if (k == i)
                return false;
            i = k;
            t++;
            continue;
        }
        if (i >= e || s[i] != title[t])
            return false;
        i++;
        t++;
    }
    *end = i;
    return true;
}

/* All dates in [a, b), at most MAX_DATES. */
static size_t find_dates(const char *s, size_t a, size_t b, const dp_date_t *ref,
                         found_date_t *out) {
    size_t n = 0, off = a;
    while (n < MAX_DATES && off < b) {
        size_t ds, de;
        dp_date_t d;
        if (dp_date_find(s + off, b - off, ref, &d, &ds, &de) != DP_OK)
            break;
        out[n].s = off + ds;
        out[n].e = off + de;
        out[n].d = d;
        n++;
        off += de > 0 ? de : 1;
    }
    return n;
}

/* Whether the word [a, b) (any case) is one of the "updated" labels. */
static bool is_updated_word(const char *s, size_t a, size_t b) {
    char w[32];
    size_t n = b - a;
    if (n == 0 || n >= sizeof w)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[a + i];
        w[i] = is_upper_ascii(c) ? (char)(c + 32) : c;
    }
    w[n] = '\0';
    /* Cyrillic and accented capitals are rare in a label; compare the first
     * letter folded only for ASCII, which covers "Updated", "Aktualisiert". */
    for (size_t k = 0; k < sizeof k_updated_words / sizeof k_updated_words[0]; k++)
        if (strcmp(w, k_updated_words[k]) == 0)
            return true;
    return false;
}

/* Whether [a, b) contains an "updated" label word. */
static bool has_updated_label(const char *s, size_t a, size_t b) {
    size_t i = a;
    while (i < b) {
        while (i < b && !((unsigned char)s[i] >= 0x80 || is_upper_ascii(s[i]) ||
                          is_lower_ascii(s[i])))
            i++;
        size_t w = i;
        while (i < b && ((unsigned char)s[i] >= 0x80 || is_upper_ascii(s[i]) ||
                         is_lower_ascii(s[i])) &&
               space_len(s, b, i) == 0)
            i++;
        if (i > w && is_updated_word(s, w, i))
            return true;
        if (i == w)
            i++;
    }
    return false;
}

/* Whether the text of a line outside its dates is only a label: "Published:",
 * "Posted on", "Date of publication:", "Posted: ... | Updated: ...", or
 * nothing. Each part between separators has at most 3 words, only its first
 * word (or a word ending in ':') capitalised, and no sentence punctuation:
 * "By John Smith | June 26, 2020" carries a name and is no date line. */
static bool is_label_only(const char *s, size_t a, size_t b, const found_date_t *dates,
                          size_t nd) {
    size_t words = 0, seg_words = 0;
    size_t di = 0;
    size_t i = a;
    while (di < nd && dates[di].e <= a)
        di++; /* dates before a (inside an echoed title) are not ours */
    while (i < b) {
        if (di < nd && i >= dates[di].s) {
            if (dates[di].e > i)
                i = dates[di].e;
            di++;
            seg_words = 0;
            continue;
        }
        size_t n = space_len(s, b, i);
        if (n) {
            i += n;
            continue;
        }
        unsigned char c = (unsigned char)s[i];
        if (c == '|' || c == ',' || c == ';' || c == '/' || c == '(' || c == ')' || c == '[' ||
            c == ']' || c == '-' || c == ':' || c == '*' || c == '#') {
            if (c != ':')
                seg_words = 0;
            i++;
            continue;
        }
        if (c == 0xE2 && i + 2 < b && (unsigned char)s[i + 1] == 0x80 &&
            ((unsigned char)s[i + 2] >= 0x90 && (unsigned char)s[i + 2] <= 0xA2)) {
            seg_words = 0; /* dashes and bullets */
            i += 3;
            continue;
        }
        if (c == 0xC2 && i + 1 < b && ((unsigned char)s[i + 1] == 0xB7 ||
                                       (unsigned char)s[i + 1] == 0xAB ||
                                       (unsigned char)s[i + 1] == 0xBB)) {
            seg_words = 0;
            i += 2;
            continue;
        }
        /* A word: up to a space, a separator or the next date. */
        size_t w = i;
        size_t stop = di < nd ? dates[di].s : b;
        while (i < stop && space_len(s, stop, i) == 0) {
            char ch = s[i];
            if (ch == '|' || ch == ',' || ch == ';' || ch == '(' || ch == ')' || ch == '/')
                break;
            i++;
        }
        if (i == w) {
            i++;
            continue;
        }
        size_t wl = i - w;
        bool colon = s[i - 1] == ':';
        if (wl > 24 || memchr(s + w, '.', wl) || memchr(s + w, '!', wl) || memchr(s + w, '?', wl))
            return false;
        if (seg_words > 0 && is_upper_ascii(s[w]) && !colon)
            return false;
        seg_words++;
        words++;
        if (seg_words > 3 || words > 8)
            return false;
    }
    return true;
}

/* Whether the line's text before its first date is a dateline's place
 * ("MOSCOW,", "NEW YORK,", "LONDON--(BUSINESS WIRE)--", "The Hague,"):
 * short, every word outside brackets capitalised, ending in a comma, a dash
 * or a bracket. An empty prefix counts: the paragraph starts with its date. */
static bool is_dateline_prefix(const char *s, size_t a, size_t b) {
    if (b - a > DATELINE_PREFIX_MAX)
        return false;
    if (a == b)
        return true;
    size_t end = b;
    trim(s, &a, &end);
    if (a == end)
        return true;
    /* "Paris, le 26 juin", "München, den 4. Januar", "Madrid, a 5 de ...":
     * a short lower-case word after the place's comma belongs to the date. */
    size_t k = end;
    while (k > a && is_lower_ascii(s[k - 1]))
        k--;
    if (end - k >= 1 && end - k <= 3 && k >= a + 2 && s[k - 1] == ' ' && s[k - 2] == ',')
        end = k - 1;
    unsigned char last = (unsigned char)s[end - 1];
    bool ends_ok = last == ',' || last == '-' || last == ')' || last == '(' || last == '/' ||
                   last == ':' || (end >= 3 && (unsigned char)s[end - 3] == 0xE2 &&
                    (unsigned char)s[end - 2] == 0x80);
    if (!ends_ok)
        return false;
    int depth = 0;
    bool word_start = true;
    for (size_t i = a; i < end; i++) {
        char c = s[i];
        if (c == '(' || c == '[')
            depth++;
        else if ((c == ')' || c == ']') && depth > 0)
            depth--;
        if (depth == 0 && word_start && is_lower_ascii(c))
            return false; /* "The summit was held on ..." */
        if (c == '.' && depth == 0 && i + 1 < end && s[i + 1] == ' ' && i > a &&
            is_lower_ascii(s[i - 1]))
            return false; /* a sentence ended before the date */
        word_start = c == ' ' || c == '(' || c == '-' || c == '/' || c == ',';
    }
    return true;
}

/* Whether [a, b) holds no word: only spaces, punctuation, or a bracketed
 * aside ("(Moscow time)", "(updated)"). */
static bool nothing_after(const char *s, size_t a, size_t b) {
    int depth = 0;
    for (size_t i = a; i < b; i++) {
        char c = s[i];
        if (c == '(' || c == '[')
            depth++;
        else if ((c == ')' || c == ']') && depth > 0)
            depth--;
        else if (depth == 0 && (is_upper_ascii(c) || is_lower_ascii(c) ||
                                ((unsigned char)c >= 0xC3 && (unsigned char)c <= 0xDF)))
            return false;
    }
    return true;
}

/* Whether a line in the heading's place is a date line all the same: the
 * date comes first or after a label ending in ':' ("Published: ..."), and
 * no word follows the last date. */
static bool is_plain_date_line(const char *s, const line_t *L, const found_date_t *d, size_t nd) {
    size_t a = L->s, b = d[0].s;
    trim(s, &a, &b);
    /* The label before the date: nothing, "Published:", "Date of
     * publication:", "Updated" (one word). Not "Newsletter —" nor "Summit
     * of", which name something: in the heading's place a line is a heading
     * unless it is plainly a date. */
    bool one_word = a != b && memchr(s + a, ' ', b - a) == NULL && s[b - 1] != '-';
    if (a != b && s[b - 1] != ':' && !one_word)
        return false;
    return nothing_after(s, d[nd - 1].e, L->e);
}

/* Whether the line ends with a numeric date (a timestamp, no words in it)
 * after some text: "Heading 16.10.2020 16:57". */
static bool is_trailing_stamp(const char *s, const line_t *L, const found_date_t *d) {
    if (d->s <= L->s || !nothing_after(s, d->e, L->e))
        return false;
    for (size_t i = d->s; i < d->e; i++)
        if (is_upper_ascii(s[i]) || is_lower_ascii(s[i]))
            return false;
    return true;
}

/* Title with a trailing numeric timestamp on one line
 * ("SCO Forum anniversary session 16.10.2020 16:57"): the title part. */
static void strip_trailing_timestamp(const char *s, size_t a, size_t *b, const found_date_t *d) {
    if (d->e != *b || d->s <= a)
        return;
    for (size_t i = d->s; i < d->e; i++)
        if (is_upper_ascii(s[i]) || is_lower_ascii(s[i]))
            return; /* "Released on the 5th of October 2020" keeps its words */
    size_t e = d->s;
    for (;;) {
        size_t e0 = e;
        trim(s, &a, &e);
        while (e > a && (s[e - 1] == '|' || s[e - 1] == '-' || s[e - 1] == ',' || s[e - 1] == ':'))
            e--;
        if (e >= a + 3 && (unsigned char)s[e - 3] == 0xE2 && (unsigned char)s[e - 2] == 0x80)
            e -= 3;
        if (e == e0)
            break;
    }
    if (e > a)
        *b = e;
}

static bool add_drop(nz_meta_t *m, size_t s, size_t e) {
    if (m->n_drop >= NZ_META_MAX_DROP)
        return false;
    m->drop_start[m->n_drop] = s;
    m->drop_end[m->n_drop] = e;
    m->n_drop++;
    return true;
}

static void add_candidates(const char *s, size_t line_s, const found_date_t *dates, size_t nd,
                           size_t first_only, candidate_t *cand, size_t *nc) {
    size_t prev = line_s;
    for (size_t k = 0; k < nd && *nc < MAX_CANDIDATES; k++) {
        cand[*nc].d = dates[k].d;
        cand[*nc].updated = has_updated_label(s, prev, dates[k].s);
        (*nc)++;
        prev = dates[k].e;
        if (first_only)
            break;
    }
}

dp_status nz_meta_extract(const char *text, size_t len, const dp_date_t *ref, nz_meta_t *out) {
    if (!out || (!text && len))
        return DP_EINVAL;
    memset(out, 0, sizeof *out);
    if (len == 0)
        return DP_OK;

    /* The lines of the top zone: non-empty, trimmed, with their paragraph. */
    line_t lines[TOP_LINES];
    size_t nl = 0, para = 0;
    bool blank_before = false;
    for (size_t i = 0; i < len && nl < TOP_LINES;) {
        const char *nlp = memchr(text + i, '\n', len - i);
        size_t e = nlp ? (size_t)(nlp - text) : len;
        size_t a = i, b = e;
        trim(text, &a, &b);
        if (a == b) {
            blank_before = true;
        } else {
            if (blank_before && nl > 0)
                para++;
            blank_before = false;
            lines[nl].s = a;
            lines[nl].e = b;
            lines[nl].para = para;
            nl++;
            if (b - a > BODY_MIN && !(nl == 1 && b - a <= TITLE_MAX))
                break; /* the first body paragraph ends the top zone */
        }
        i = e + 1;
    }
    if (nl == 0)
        return DP_OK;

    candidate_t cand[MAX_CANDIDATES];
    size_t nc = 0;
    found_date_t dates[MAX_DATES];
    size_t title_line = (size_t)-1;
    size_t title_para = lines[0].para;

    for (size_t k = 0; k < nl; k++) {
        const line_t *L = &lines[k];
        /* A long line can only hold a dateline, which starts it: reading
         * its head is enough (and keeps a 50 MB one-line text cheap). */
        size_t scan_end = L->e - L->s > TITLE_MAX ? L->s + DATELINE_PREFIX_MAX + 80 : L->e;
        size_t nd = find_dates(text, L->s, scan_end, ref, dates);
        bool in_title_block = L->para == title_para && L->e - L->s <= TITLE_MAX;
        bool date_only = nd > 0 && is_label_only(text, L->s, L->e, dates, nd);
        if (date_only && title_line == (size_t)-1 && !is_plain_date_line(text, L, dates, nd))
            date_only = false; /* "Newsletter — March 2021 edition" is a heading */

        if (title_line == (size_t)-1 && !date_only) {
            /* The first line that is not a date line is the heading, unless
             * it is already body text. */
            title_line = k;
            title_para = L->para;
            in_title_block = L->e - L->s <= TITLE_MAX;
            if (in_title_block) {
                size_t tb = L->e;
                if (nd > 0)
                    strip_trailing_timestamp(text, L->s, &tb, &dates[nd - 1]);
                out->title = copy_collapsed(text, L->s, tb);
                if (!out->title)
                    goto fail;
            }
        }
        if (nd == 0)
            continue;

        bool echo = false;
        if (out->title && k != title_line) {
            size_t te;
            if (starts_with_title(text, L->s, L->e, out->title, &te) && te > L->s &&
                is_label_only(text, te, L->e, dates, nd))
                echo = true;
        }
        if (date_only || echo) {
            add_candidates(text, L->s, dates, nd, false, cand, &nc);
            /* Never the heading, never the text's only line, and never a
             * line that goes on after its date ("Newsletter — March 2021
             * edition" names something: its date counts, the line stays). */
            if (k != title_line && nl > 1 && nothing_after(text, dates[nd - 1].e, L->e))
                add_drop(out, L->s, L->e);
        } else if (in_title_block) {
            add_candidates(text, L->s, dates, nd, false, cand, &nc);
        } else if (is_dateline_prefix(text, L->s, dates[0].s)) {
            add_candidates(text, L->s, dates, nd, true, cand, &nc);
        } else if (L->e - L->s <= TITLE_MAX && is_trailing_stamp(text, L, &dates[nd - 1])) {
            /* A heading with its timestamp ("Talks in Tashkent 16.10.2020
             * 16:57") that is not the title's echo: the date counts. */
            add_candidates(text, L->s, dates + nd - 1, 1, true, cand, &nc);
        }
    }

    /* The publication date wins over an "Updated" one. */
    for (int pass = 0; pass < 2 && !out->has_date; pass++) {
        for (size_t c = 0; c < nc; c++) {
            if (cand[c].updated == (pass == 1)) {
                out->date = cand[c].d;
                out->has_date = true;
                break;
            }
        }
    }
    return DP_OK;

fail:
    nz_meta_free(out);
    return DP_ENOMEM;
}

void nz_meta_free(nz_meta_t *m) {
    if (!m)
        return;
    dp_free(m->title);
    m->title = NULL;
}
