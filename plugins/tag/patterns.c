/* The tag stage's pattern matcher: reads LABEL<TAB>REGEX pattern files,
 * joins every pattern into one PCRE2 expression whose branches carry their
 * label as a (*MARK), so that one JIT-compiled pass over the text finds all
 * DATE, TIME, MONEY, PERCENT, QUANTITY, EMAIL and URL mentions; and
 * normalises each mention's value. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "tag_patterns.h"

#include <math.h>
#include <pcre2.h>
#include <utf8proc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "docpipe/alloc.h"
#include "docpipe/buf.h"
#include "docpipe/utf8.h"

#define MAX_LABELS 64
#define MAX_DEFINES 64
#define MAX_PATTERNS 128

/* One pattern line: its regex (defines expanded), label, the bytes a match
 * can start with, and an optional literal the text must hold ("@"). */
typedef struct pattern {
    char *regex;
    int label;
    unsigned char first[256];
    char *requires;
} pattern_t;

/* A compiled group of patterns, joined in file order with their label as a
 * (*MARK). */
typedef struct group {
    pcre2_code *code;
    int jit; /* JIT-compiled: pcre2_jit_match may be used */
} group_t;

struct tag_patterns {
    pattern_t pat[MAX_PATTERNS];
    size_t npat;
    char *labels[MAX_LABELS]; /* distinct labels, owned */
    size_t nlabels;
    char *def_names[MAX_DEFINES];
    char *def_values[MAX_DEFINES];
    size_t ndefs;
    char *pending_requires;   /* from an "@requires" line, for the next pattern */
    /* Patterns without a required literal: for each first byte, the group
     * (compiled anchored) of the patterns that can start with it. */
    group_t *groups;
    size_t ngroups;
    int16_t group_of[256];    /* -1: no pattern starts with this byte */
    /* second[b0][b1 / 8] bit b1 % 8: a match may start with the ASCII bytes
     * b0 b1 (found once, by partial matching on every pair). */
    uint8_t second[128][16];
    /* Patterns with a required literal, each compiled alone, unanchored. */
    pcre2_code *rare[MAX_PATTERNS];
};

tag_patterns_t *tag_patterns_new(void)
{
    return dp_calloc(1, sizeof(tag_patterns_t));
}

static void free_groups(tag_patterns_t *p)
{
    for (size_t i = 0; i < p->ngroups; i++)
        pcre2_code_free(p->groups[i].code);
    dp_free(p->groups);
    p->groups = NULL;
    p->ngroups = 0;
    for (size_t i = 0; i < MAX_PATTERNS; i++) {
        pcre2_code_free(p->rare[i]);
        p->rare[i] = NULL;
    }
}

void tag_patterns_free(tag_patterns_t *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->npat; i++) {
        dp_free(p->pat[i].regex);
        dp_free(p->pat[i].requires);
    }
    for (size_t i = 0; i < p->nlabels; i++)
        dp_free(p->labels[i]);
    for (size_t i = 0; i < p->ndefs; i++) {
        dp_free(p->def_names[i]);
        dp_free(p->def_values[i]);
    }
    dp_free(p->pending_requires);
    free_groups(p);
    dp_free(p);
}

static void first_bytes(const pcre2_code *code, unsigned char first[256]);

static int label_index(tag_patterns_t *p, const char *label, size_t len)
{
    for (size_t i = 0; i < p->nlabels; i++)
        if (strlen(p->labels[i]) == len && memcmp(p->labels[i], label, len) == 0)
            return (int)i;
    if (p->nlabels == MAX_LABELS)
        return -1;
    p->labels[p->nlabels] = dp_strndup(label, len);
    if (!p->labels[p->nlabels])
        return -1;
    return (int)p->nlabels++;
}

/* Appends regex with every {NAME} replaced by its @define. */
static dp_status expand(tag_patterns_t *p, dp_buf_t *out, const char *re)
{
    while (*re) {
        if (*re == '{') {
            const char *close = strchr(re, '}');
            int found = 0;
            if (close) {
                size_t n = (size_t)(close - re - 1);
                for (size_t i = 0; i < p->ndefs; i++) {
                    if (strlen(p->def_names[i]) == n && memcmp(p->def_names[i], re + 1, n) == 0) {
                        if (dp_buf_puts(out, "(?:") || dp_buf_puts(out, p->def_values[i]) ||
                            dp_buf_putc(out, ')'))
                            return DP_ENOMEM;
                        re = close + 1;
                        found = 1;
                        break;
                    }
                }
            }
            if (found)
                continue;
        }
        if (dp_buf_putc(out, *re++))
            return DP_ENOMEM;
    }
    return DP_OK;
}

dp_status tag_patterns_load_file(tag_patterns_t *p, const char *path, char *err, size_t errcap)
{
    FILE *f = fopen(path, "rb");
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    dp_status rc = DP_OK;
    dp_buf_t one = DP_BUF_INIT;
    if (!f) {
        snprintf(err, errcap, "%s: cannot open pattern file", path);
        return DP_EIO;
    }
    ssize_t n;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        size_t len = (size_t)n;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        if (strncmp(line, "@requires ", 10) == 0) {
            dp_free(p->pending_requires);
            p->pending_requires = dp_strdup(line + 10);
            if (!p->pending_requires) {
                rc = DP_ENOMEM;
                break;
            }
            continue;
        }
        if (strncmp(line, "@define ", 8) == 0) {
            char *name = line + 8;
            char *sp = strchr(name, ' ');
            if (!sp || p->ndefs == MAX_DEFINES) {
                snprintf(err, errcap, "%s: line %zu: @define wants NAME REGEX (at most %d)", path,
                         lineno, MAX_DEFINES);
                rc = DP_EFORMAT;
                break;
            }
            *sp = '\0';
            dp_buf_clear(&one);
            if (expand(p, &one, sp + 1) != DP_OK) {
                rc = DP_ENOMEM;
                break;
            }
            p->def_names[p->ndefs] = dp_strdup(name);
            p->def_values[p->ndefs] = dp_strdup(one.data ? one.data : "");
            if (!p->def_names[p->ndefs] || !p->def_values[p->ndefs]) {
                dp_free(p->def_names[p->ndefs]);
                dp_free(p->def_values[p->ndefs]);
                rc = DP_ENOMEM;
                break;
            }
            p->ndefs++;
            continue;
        }
        char *tab = strchr(line, '\t');
        if (!tab || tab == line || !tab[1]) {
            snprintf(err, errcap, "%s: line %zu: expected LABEL<TAB>REGEX", path, lineno);
            rc = DP_EFORMAT;
            break;
        }
        int li = label_index(p, line, (size_t)(tab - line));
        if (li < 0) {
            snprintf(err, errcap, "%s: line %zu: too many labels (at most %d)", path, lineno,
                     MAX_LABELS);
            rc = DP_EFORMAT;
            break;
        }
        if (p->npat == MAX_PATTERNS) {
            snprintf(err, errcap, "%s: line %zu: too many patterns (at most %d)", path, lineno,
                     MAX_PATTERNS);
            rc = DP_EFORMAT;
            break;
        }
        /* Compile this pattern alone: an error names its line, and PCRE2
         * tells which bytes can start a match. */
        dp_buf_clear(&one);
        if (expand(p, &one, tab + 1) != DP_OK) {
            rc = DP_ENOMEM;
            break;
        }
        int ec;
        PCRE2_SIZE eo;
        pcre2_code *c = pcre2_compile((PCRE2_SPTR)one.data, one.len, PCRE2_UTF, &ec, &eo, NULL);
        if (!c) {
            PCRE2_UCHAR msg[160];
            pcre2_get_error_message(ec, msg, sizeof msg);
            snprintf(err, errcap, "%s: line %zu: bad pattern at offset %zu: %s", path, lineno,
                     (size_t)eo, (const char *)msg);
            rc = DP_EFORMAT;
            break;
        }
        pattern_t *pt = &p->pat[p->npat];
        memset(pt, 0, sizeof *pt);
        first_bytes(c, pt->first);
        pcre2_code_free(c);
        pt->label = li;
        pt->regex = dp_strndup(one.data, one.len);
        pt->requires = p->pending_requires;
        p->pending_requires = NULL;
        if (!pt->regex) {
            dp_free(pt->requires);
            rc = DP_ENOMEM;
            break;
        }
        p->npat++;
    }
    free(line); /* getline's buffer comes from the C library */
    fclose(f);
    dp_buf_free(&one);
    return rc;
}

/* The bytes a match of code can start with (all of them when PCRE2 cannot
 * tell). */
static void first_bytes(const pcre2_code *code, unsigned char first[256])
{
    const uint8_t *bitmap = NULL;
    uint32_t type = 0;
    memset(first, 1, 256);
    if (pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODETYPE, &type) == 0 && type == 1) {
        uint32_t unit = 0;
        pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODEUNIT, &unit);
        memset(first, 0, 256);
        first[unit & 0xFF] = 1;
        /* a caseless first letter is reported once; allow both cases */
        if ((unit >= 'a' && unit <= 'z') || (unit >= 'A' && unit <= 'Z'))
            first[(unit ^ 0x20) & 0xFF] = 1;
    } else if (pcre2_pattern_info(code, PCRE2_INFO_FIRSTBITMAP, &bitmap) == 0 && bitmap) {
        for (int b = 0; b < 256; b++)
            first[b] = (bitmap[b / 8] >> (b % 8)) & 1;
    }
}

static pcre2_code *compile_join(tag_patterns_t *p, const uint8_t *member, uint32_t options,
                                 int *jit, char *err, size_t errcap)
{
    dp_buf_t src = DP_BUF_INIT;
    int n = 0;
    for (size_t i = 0; i < p->npat; i++) {
        if (!member[i])
            continue;
        if ((n++ && dp_buf_putc(&src, '|')) || dp_buf_puts(&src, "(?:") ||
            dp_buf_puts(&src, p->pat[i].regex) ||
            dp_buf_printf(&src, ")(*MARK:%d)", p->pat[i].label)) {
            dp_buf_free(&src);
            snprintf(err, errcap, "patterns: out of memory");
            return NULL;
        }
    }
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)src.data, src.len, PCRE2_UTF | options, &ec, &eo,
                                     NULL);
    dp_buf_free(&src);
    if (!code) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(ec, msg, sizeof msg);
        snprintf(err, errcap, "patterns: cannot compile the joined patterns: %s",
                 (const char *)msg);
        return NULL;
    }
    /* JIT is an optimisation only; without it pcre2_match interprets. */
    *jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
    return code;
}

dp_status tag_patterns_compile(tag_patterns_t *p, char *err, size_t errcap)
{
    free_groups(p);
    for (int b = 0; b < 256; b++)
        p->group_of[b] = -1;
    /* One anchored expression per distinct set of patterns that can start
     * with a byte: at a token start only the patterns that can match there
     * are tried. */
    uint8_t sets[256][MAX_PATTERNS];
    memset(sets, 0, sizeof sets);
    p->groups = dp_calloc(256, sizeof *p->groups);
    if (!p->groups)
        return DP_ENOMEM;
    for (int b = 0; b < 256; b++) {
        int any = 0;
        for (size_t i = 0; i < p->npat; i++)
            if (!p->pat[i].requires && p->pat[i].first[b])
                any = sets[b][i] = 1;
        if (!any)
            continue;
        int same = -1;
        for (int c = 0; c < b && same < 0; c++)
            if (p->group_of[c] >= 0 && memcmp(sets[c], sets[b], p->npat) == 0)
                same = p->group_of[c];
        if (same >= 0) {
            p->group_of[b] = (int16_t)same;
            continue;
        }
        int jit = 0;
        pcre2_code *code = compile_join(p, sets[b], PCRE2_ANCHORED, &jit, err, errcap);
        if (!code)
            return DP_EFORMAT;
        p->groups[p->ngroups].code = code;
        p->groups[p->ngroups].jit = jit;
        p->group_of[b] = (int16_t)p->ngroups++;
    }
    /* Which two-byte beginnings can start a match: a partial match of each
     * ASCII pair (PCRE2_PARTIAL_HARD) says whether a longer text could
     * match. The scan then skips most words at a table lookup ("the",
     * "was", "SCO") instead of running the expression. */
    memset(p->second, 0, sizeof p->second);
    pcre2_match_data *md = pcre2_match_data_create(2, NULL);
    if (!md)
        return DP_ENOMEM;
    for (int b0 = 0; b0 < 128; b0++) {
        if (p->group_of[b0] < 0)
            continue;
        for (int b1 = 0; b1 < 128; b1++) {
            char pair[2] = {(char)b0, (char)b1};
            int r = pcre2_match(p->groups[p->group_of[b0]].code, (PCRE2_SPTR)pair, 2, 0,
                                PCRE2_PARTIAL_HARD, md, NULL);
            if (r >= 0 || r == PCRE2_ERROR_PARTIAL)
                p->second[b0][b1 / 8] |= (uint8_t)(1u << (b1 % 8));
        }
    }
    pcre2_match_data_free(md);
    /* Patterns that need a literal ("@" for e-mail) run alone, and only
     * over texts that hold it. */
    for (size_t i = 0; i < p->npat; i++) {
        if (!p->pat[i].requires)
            continue;
        uint8_t one[MAX_PATTERNS] = {0};
        one[i] = 1;
        int jit = 0;
        p->rare[i] = compile_join(p, one, 0, &jit, err, errcap);
        if (!p->rare[i])
            return DP_EFORMAT;
    }
    return DP_OK;
}

typedef struct hit {
    size_t s, e;
    long label;
} hit_t;

static int hit_cmp(const void *pa, const void *pb)
{
    const hit_t *a = pa, *b = pb;
    return a->s < b->s ? -1 : a->s > b->s;
}

/* The label index a match carries in its (*MARK), or -1. */
static long mark_label(const tag_patterns_t *p, pcre2_match_data *md)
{
    PCRE2_SPTR mark = pcre2_get_mark(md);
    if (!mark)
        return -1;
    long li = strtol((const char *)mark, NULL, 10);
    return li >= 0 && (size_t)li < p->nlabels ? li : -1;
}

/* Matches of the patterns that need a literal, over the whole text. */
static dp_status rare_hits(const tag_patterns_t *p, const char *text, size_t len,
                           pcre2_match_data *md, hit_t **out, size_t *n)
{
    size_t cap = 0;
    for (size_t i = 0; i < p->npat; i++) {
        if (!p->rare[i] || !memmem(text, len, p->pat[i].requires, strlen(p->pat[i].requires)))
            continue;
        size_t pos = 0;
        while (pos < len) {
            int r = pcre2_match(p->rare[i], (PCRE2_SPTR)text, len, pos, PCRE2_NO_UTF_CHECK, md,
                                NULL);
            if (r == PCRE2_ERROR_NOMATCH)
                break;
            if (r < 0)
                return DP_ERR;
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            if (ov[1] <= ov[0]) {
                pos = ov[0] + 1;
                while (pos < len && ((unsigned char)text[pos] & 0xC0u) == 0x80u)
                    pos++;
                continue;
            }
            if (*n == cap) {
                cap = cap ? cap * 2 : 16;
                hit_t *v = dp_realloc(*out, cap * sizeof *v);
                if (!v)
                    return DP_ENOMEM;
                *out = v;
            }
            (*out)[(*n)++] = (hit_t){ov[0], ov[1], mark_label(p, md)};
            pos = ov[1];
        }
    }
    if (*n > 1)
        qsort(*out, *n, sizeof **out, hit_cmp);
    return DP_OK;
}

/* ASCII letters and digits: bytes that go on a word (is_word_byte less
 * the non-ASCII ones, which take the full path). */
static const unsigned char ascii_word[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
    ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
    ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
    ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,
    ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1,
};

static int is_word_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c >= 0x80;
}

/* Every pattern starts at the start of a token (after a character that is
 * not a letter or digit), so the scan tries, anchored and only there, the
 * group of patterns that can start with the byte found. This is several
 * times faster than one unanchored search, which tries every alternative at
 * every position inside words. Matches of the patterns that need a literal
 * are merged in; at one place the earlier match wins. */
dp_status tag_patterns_scan(const tag_patterns_t *p, const char *text, size_t len,
                            tag_pattern_cb cb, void *ctx)
{
    if (p->npat == 0 || len == 0)
        return DP_OK;
    pcre2_match_data *md = pcre2_match_data_create(4, NULL);
    hit_t *hits = NULL;
    size_t nh = 0, hi = 0;
    dp_status rc = DP_OK;
    if (!md)
        return DP_ENOMEM;
    if ((rc = rare_hits(p, text, len, md, &hits, &nh)))
        goto done;
    size_t pos = 0;
    int prev_word = 0;
    while (pos < len) {
        while (hi < nh && hits[hi].s < pos)
            hi++; /* overlaps a match already given */
        if (hi < nh && hits[hi].s == pos) {
            if (hits[hi].label >= 0 && cb(ctx, p->labels[hits[hi].label], hits[hi].s, hits[hi].e))
                goto done;
            pos = hits[hi].e;
            prev_word = is_word_byte((unsigned char)text[pos - 1]);
            hi++;
            continue;
        }
        if (prev_word) {
            /* Inside a word no pattern starts: run over its ASCII letters
             * and digits up to the next rare hit (other bytes take the
             * full path below). */
            size_t stop = hi < nh ? hits[hi].s : len, q = pos;
            while (q < stop && ascii_word[(unsigned char)text[q]])
                q++;
            if (q > pos) {
                pos = q;
                continue;
            }
        }
        unsigned char c = (unsigned char)text[pos];
        size_t next = pos + 1;
        int word;
        if (c < 0x80) {
            word = is_word_byte(c);
        } else {
            /* A non-ASCII letter or digit continues a word; a no-break
             * space or a dash does not ("on\u00A05 December"). */
            size_t q = pos;
            int32_t cp = dp_utf8_next(text, len, &q);
            utf8proc_category_t cat = cp > 0 ? utf8proc_category(cp) : UTF8PROC_CATEGORY_CN;
            word = cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_NO;
            next = q > pos ? q : pos + 1;
        }
        int g = p->group_of[c];
        if (g >= 0 && c < 0x80 && pos + 1 < len && (unsigned char)text[pos + 1] < 0x80) {
            unsigned char c1 = (unsigned char)text[pos + 1];
            if (!(p->second[c][c1 / 8] & (1u << (c1 % 8))))
                g = -1; /* no match begins with these two bytes */
        }
        if (!(prev_word && word) && g >= 0) {
            /* pcre2_jit_match skips the checks pcre2_match repeats on each
             * call; it needs the JIT, which pcre2_match falls back from. */
            int r = p->groups[g].jit
                        ? pcre2_jit_match(p->groups[g].code, (PCRE2_SPTR)text, len, pos, 0, md, NULL)
                        : pcre2_match(p->groups[g].code, (PCRE2_SPTR)text, len, pos,
                                      PCRE2_NO_UTF_CHECK, md, NULL);
            if (r >= 0) {
                PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
                long li = mark_label(p, md);
                if (ov[1] > ov[0] && ov[1] > pos) {
                    if (li >= 0 && cb(ctx, p->labels[li], ov[0], ov[1]))
                        goto done;
                    pos = ov[1];
                    prev_word = is_word_byte((unsigned char)text[pos - 1]);
                    continue;
                }
            } else if (r != PCRE2_ERROR_NOMATCH) {
                rc = DP_ERR;
                goto done;
            }
        }
        prev_word = word;
        pos = next;
    }
done:
    dp_free(hits);
    pcre2_match_data_free(md);
    return rc;
}

/* ---- values --------------------------------------------------------------- */


static int ci_prefix(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);
    if (len < n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char a = s[i], b = word[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a + 32);
        if (a != b)
            return 0;
    }
    /* a whole word: the next byte is not a letter */
    return len == n || !((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z'));
}

size_t tag_parse_amount(const char *s, size_t len, double *out)
{
    size_t i = 0;
    double mant = 0; /* the digits as an integer: exact below 2^53 */
    int digits = 0, decimals = 0;
    while (i < len && ((s[i] >= '0' && s[i] <= '9') ||
                       (s[i] == ',' && i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '9' &&
                        digits))) {
        if (s[i] != ',') {
            mant = mant * 10 + (s[i] - '0');
            digits++;
        }
        i++;
    }
    if (!digits)
        return 0;
    if (i + 1 < len && s[i] == '.' && s[i + 1] >= '0' && s[i + 1] <= '9') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            mant = mant * 10 + (s[i] - '0');
            decimals++;
            i++;
        }
    }
    /* One division by a power of ten rounds correctly ("16.4" is the
     * double nearest 16.4), where adding tenths one by one would not. */
    double v = mant / pow(10.0, decimals);
    size_t j = i;
    while (j < len && s[j] == ' ')
        j++;
    static const struct {
        const char *w;
        double m;
    } mult[] = {{"thousand", 1e3}, {"million", 1e6}, {"billion", 1e9}, {"trillion", 1e12},
                {"mln", 1e6},      {"bln", 1e9},     {"bn", 1e9},      {"tn", 1e12},
                {"m", 1e6},        {"k", 1e3}};
    for (size_t k = 0; k < sizeof mult / sizeof mult[0]; k++) {
        if (ci_prefix(s + j, len - j, mult[k].w)) {
            /* "5 m" is a length, not five million: single letters only count
             * when they touch the number ("$5m"). */
            if (strlen(mult[k].w) == 1 && j != i)
                continue;
            v *= mult[k].m;
            i = j + strlen(mult[k].w);
            break;
        }
    }
    *out = v;
    return i;
}

static json_t *number_json(double v)
{
    if (v == floor(v) && fabs(v) < 9e15)
        return json_integer((json_int_t)v);
    return json_real(v);
}

/* The ISO 4217 code for a currency sign, code or word at s[0..len), or NULL. */
static const char *currency_code(const tag_gaz_t *gaz, const char *s, size_t len)
{
    while (len && (s[len - 1] == ' ' || s[len - 1] == '.'))
        len--;
    while (len && *s == ' ') {
        s++;
        len--;
    }
    if (!len || !gaz)
        return NULL;
    const tag_gaz_entry_t *e = tag_gaz_lookup(gaz, s, len);
    if (e && (e->flags & TAG_GZ_CURRENCY))
        return e->other_canon ? e->other_canon : NULL;
    return NULL;
}

static json_t *money_value(const char *s, size_t len, const tag_gaz_t *gaz)
{
    size_t i = 0;
    while (i < len && !(s[i] >= '0' && s[i] <= '9'))
        i++;
    if (i == len)
        return NULL;
    double amount;
    size_t n = tag_parse_amount(s + i, len - i, &amount);
    const char *code = NULL;
    if (i > 0)
        code = currency_code(gaz, s, i);
    if (!code && i + n < len)
        code = currency_code(gaz, s + i + n, len - i - n);
    json_t *v = json_object();
    if (!v)
        return NULL;
    json_object_set_new(v, "amount", number_json(amount));
    json_object_set_new(v, "currency", code ? json_string(code) : json_null());
    return v;
}

static json_t *time_value(const char *s, size_t len)
{
    int h = 0, m = 0, sec = -1;
    size_t i = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        h = h * 10 + (s[i++] - '0');
    if (i < len && s[i] == ':') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            m = m * 10 + (s[i++] - '0');
        if (i < len && s[i] == ':') {
            i++;
            sec = 0;
            while (i < len && s[i] >= '0' && s[i] <= '9')
                sec = sec * 10 + (s[i++] - '0');
        }
    }
    while (i < len && s[i] == ' ')
        i++;
    if (i < len && (s[i] == 'p' || s[i] == 'P') && h < 12)
        h += 12;
    else if (i < len && (s[i] == 'a' || s[i] == 'A') && h == 12)
        h = 0;
    char buf[48];
    if (sec >= 0)
        snprintf(buf, sizeof buf, "%02d:%02d:%02d", h, m, sec);
    else
        snprintf(buf, sizeof buf, "%02d:%02d", h, m);
    return json_string(buf);
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long dd = doy - (153 * mp + 2) / 5 + 1;
    long mm = mp + (mp < 10 ? 3 : -9);
    *y = (int)(yoe + era * 400 + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

static int word_in(const char *s, size_t len, const char *const *words, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ci_prefix(s, len, words[i]))
            return (int)i;
    return -1;
}

static json_t *day_json(long days)
{
    int y, m, d;
    char buf[16];
    civil_from_days(days, &y, &m, &d);
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    return json_string(buf);
}

/* Dates the shared parser leaves to the caller: a year alone ("since
 * 2013"), a month alone ("in June", the reference's year), and dates
 * relative to the reference ("yesterday", "last Tuesday", "on Friday": the
 * closest such day). */
static json_t *date_fallback(const char *s, size_t len, const dp_date_t *ref)
{
    static const char *const weekdays[] = {"monday", "tuesday", "wednesday", "thursday",
                                           "friday", "saturday", "sunday"};
    static const char *const months[] = {"january", "february", "march", "april",
                                         "may", "june", "july", "august",
                                         "september", "october", "november", "december"};
    char buf[16];
    if (len == 4 && s[0] >= '1' && s[0] <= '2') {
        for (size_t i = 0; i < 4; i++)
            if (s[i] < '0' || s[i] > '9')
                return NULL;
        return json_stringn(s, 4);
    }
    int have_ref = ref && ref->year && ref->month && ref->day;
    int mi = word_in(s, len, months, 12);
    if (mi >= 0) {
        if (!ref || !ref->year)
            return NULL;
        snprintf(buf, sizeof buf, "%04d-%02d", ref->year, mi + 1);
        return json_string(buf);
    }
    if (!have_ref)
        return NULL;
    long today = days_from_civil(ref->year, ref->month, ref->day);
    if (ci_prefix(s, len, "yesterday"))
        return day_json(today - 1);
    if (ci_prefix(s, len, "today"))
        return day_json(today);
    if (ci_prefix(s, len, "tomorrow"))
        return day_json(today + 1);
    int dir = 0;
    if (ci_prefix(s, len, "last"))
        dir = -1;
    else if (ci_prefix(s, len, "next"))
        dir = 1;
    else if (ci_prefix(s, len, "this"))
        dir = 2;
    size_t off = 0;
    if (dir) {
        while (off < len && s[off] != ' ')
            off++;
        while (off < len && s[off] == ' ')
            off++;
    }
    int wd = word_in(s + off, len - off, weekdays, 7);
    if (wd < 0)
        return NULL;
    /* 1970-01-01 was a Thursday (index 3 with Monday = 0). */
    long ref_wd = ((today % 7) + 7 + 3) % 7;
    long delta = wd - ref_wd; /* -6..6 */
    if (dir == -1) {
        if (delta >= 0)
            delta -= 7;
    } else if (dir == 1) {
        if (delta <= 0)
            delta += 7;
    } else if (dir == 0) {
        if (delta > 3)
            delta -= 7;
        else if (delta < -3)
            delta += 7;
    }
    return day_json(today + delta);
}

static json_t *date_value(const char *s, size_t len, const dp_date_t *ref)
{
    dp_date_t d;
    size_t consumed = 0;
    char buf[40];
    if (dp_date_parse(s, len, ref, &d, &consumed) != DP_OK || d.precision == DP_DATE_NONE ||
        consumed + 1 < len)
        return date_fallback(s, len, ref);
    if (dp_date_format(&d, buf, sizeof buf) == 0)
        return NULL;
    return json_string(buf);
}

json_t *tag_value(const char *label, const char *s, size_t len, const dp_date_t *ref,
                  const tag_gaz_t *gaz)
{
    if (strcmp(label, "DATE") == 0)
        return date_value(s, len, ref);
    if (strcmp(label, "TIME") == 0)
        return time_value(s, len);
    if (strcmp(label, "MONEY") == 0)
        return money_value(s, len, gaz);
    if (strcmp(label, "PERCENT") == 0) {
        double v;
        if (!tag_parse_amount(s, len, &v))
            return NULL;
        /* percentage points are a difference, still a fraction of 100 */
        return json_real(v / 100.0);
    }
    if (strcmp(label, "QUANTITY") == 0) {
        double v;
        size_t n = tag_parse_amount(s, len, &v);
        if (!n)
            return NULL;
        while (n < len && s[n] == ' ')
            n++;
        json_t *o = json_object();
        if (!o)
            return NULL;
        json_object_set_new(o, "amount", number_json(v));
        json_object_set_new(o, "unit", json_stringn(s + n, len - n));
        return o;
    }
    return NULL;
}
