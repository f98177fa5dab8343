/* The tag stage's pattern matcher: reads LABEL<TAB>REGEX pattern files,
 * joins every pattern into one PCRE2 expression whose branches carry their
 * label as a (*MARK), so that one JIT-compiled pass over the text finds all
 * DATE, TIME, MONEY, PERCENT, QUANTITY, EMAIL and URL mentions; and
 * normalises each mention's value. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "tag_patterns.h"

#include <math.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "docpipe/alloc.h"
#include "docpipe/buf.h"

#define MAX_LABELS 64
#define MAX_DEFINES 64

struct tag_patterns {
    dp_buf_t source;          /* the joined expression */
    size_t npat;
    char *labels[MAX_LABELS]; /* distinct labels, owned */
    size_t nlabels;
    char *def_names[MAX_DEFINES];
    char *def_values[MAX_DEFINES];
    size_t ndefs;
    pcre2_code *code;
};

tag_patterns_t *tag_patterns_new(void)
{
    return dp_calloc(1, sizeof(tag_patterns_t));
}

void tag_patterns_free(tag_patterns_t *p)
{
    if (!p)
        return;
    dp_buf_free(&p->source);
    for (size_t i = 0; i < p->nlabels; i++)
        dp_free(p->labels[i]);
    for (size_t i = 0; i < p->ndefs; i++) {
        dp_free(p->def_names[i]);
        dp_free(p->def_values[i]);
    }
    pcre2_code_free(p->code);
    dp_free(p);
}

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
        /* Check this pattern alone so that an error names its line. */
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
        pcre2_code_free(c);
        if ((p->npat && dp_buf_putc(&p->source, '|')) || dp_buf_puts(&p->source, "(?:") ||
            dp_buf_append(&p->source, one.data, one.len) ||
            dp_buf_printf(&p->source, ")(*MARK:%d)", li)) {
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

dp_status tag_patterns_compile(tag_patterns_t *p, char *err, size_t errcap)
{
    if (p->code) {
        pcre2_code_free(p->code);
        p->code = NULL;
    }
    if (p->npat == 0)
        return DP_OK;
    int ec;
    PCRE2_SIZE eo;
    p->code = pcre2_compile((PCRE2_SPTR)p->source.data, p->source.len, PCRE2_UTF, &ec, &eo, NULL);
    if (!p->code) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(ec, msg, sizeof msg);
        snprintf(err, errcap, "patterns: cannot compile the joined patterns: %s",
                 (const char *)msg);
        return DP_EFORMAT;
    }
    /* JIT is an optimisation only; without it pcre2_match interprets. */
    (void)pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE);
    return DP_OK;
}

dp_status tag_patterns_scan(const tag_patterns_t *p, const char *text, size_t len,
                            tag_pattern_cb cb, void *ctx)
{
    if (!p->code || len == 0)
        return DP_OK;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(p->code, NULL);
    if (!md)
        return DP_ENOMEM;
    dp_status rc = DP_OK;
    size_t pos = 0;
    while (pos < len) {
        int r = pcre2_match(p->code, (PCRE2_SPTR)text, len, pos, PCRE2_NO_UTF_CHECK, md, NULL);
        if (r == PCRE2_ERROR_NOMATCH)
            break;
        if (r < 0) {
            rc = DP_ERR;
            break;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t s = ov[0], e = ov[1];
        PCRE2_SPTR mark = pcre2_get_mark(md);
        if (e > s && mark) {
            long li = strtol((const char *)mark, NULL, 10);
            if (li >= 0 && (size_t)li < p->nlabels && cb(ctx, p->labels[li], s, e))
                break;
        }
        if (e > pos) {
            pos = e;
        } else {
            /* An empty match: step over one whole code point. */
            pos++;
            while (pos < len && ((unsigned char)text[pos] & 0xC0u) == 0x80u)
                pos++;
        }
    }
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
