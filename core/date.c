/* The date parser of libdocpipe (include/docpipe/date.h): reads the date
 * styles of press releases ("16.10.2020 16:57", "Published: Sep 16, 2022
 * 09:23 AM", "Tuesday, 29 September 2020", "MOSCOW, June 26 —", ISO 8601,
 * RFC 2822/3339, German, French, Spanish and other month names) into a
 * dp_date_t, finds the first date in a text, and formats dates as ISO 8601.
 *
 * Ambiguity follows the normalise benchmark's rules: dotted and dashed
 * numeric dates are day first, slashed ones month first unless the first
 * number is > 12, a four-digit number first is year-month-day, two-digit
 * years are 20YY, a year-less date takes the reference's year (or the year
 * before when that would put it more than 7 days after the reference), a
 * range gives its first day. Numbers that only look like dates (versions
 * "2.10.3", phone numbers, "41.2 million") are refused. */
#include "docpipe/date.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

/* The month, weekday and zone names below are compiled in on purpose: this
 * parser is a pure library function (no host, no config folder, usable from
 * any stage or embedder, thread-safe without initialisation), so it cannot
 * load a data file. The tables are small, closed sets that do not change
 * per deployment (month names of a handful of languages and the time-zone
 * abbreviations of the ISO/IANA zone tables); everything that users may want
 * to extend (label words, gazetteers) stays in configs/.
 *
 * Each entry is a '|'-separated list of lower-case names. A leading '^'
 * means the name counts only when the text capitalises it: the English
 * "May" and "March" are also an ordinary verb and noun, the Portuguese
 * "out" an English word. Abbreviations that are common words in some
 * language ("ago", "gen", "set", the Polish "sie", "lip") are left out. */
static const char *const k_month_names[12] = {
    /* en | de | fr | es | it | pt | nl | sv, da, nb | ru | uk | pl | cs | tr | ro
     * (nominative and genitive where the language inflects them) */
    "january|jan|januar|jän|janvier|janv|enero|ene|gennaio|janeiro|januari|январь|января|янв|"
    "січень|січня|styczeń|stycznia|leden|ledna|ocak|ianuarie",
    "february|feb|februar|février|fevrier|févr|fevr|febrero|febbraio|fevereiro|fev|februari|"
    "февраль|февраля|фев|лютий|лютого|luty|lutego|únor|února|şubat|subat|februarie",
    "^march|mar|märz|maerz|mrz|mars|marzo|março|marco|maart|marts|март|марта|мар|березень|"
    "березня|marzec|marca|březen|března|mart|martie",
    "april|apr|avril|avr|abril|abr|aprile|апрель|апреля|апр|квітень|квітня|kwiecień|kwietnia|"
    "duben|dubna|nisan|aprilie",
    "^may|mai|mayo|maggio|maio|mei|maj|май|мая|травень|травня|maja|květen|května|mayıs|mayis",
    "june|jun|juni|juin|junio|giugno|junho|июнь|июня|июн|червень|червня|czerwiec|czerwca|"
    "červen|června|haziran|iunie",
    "july|jul|juli|juillet|juil|julio|luglio|julho|июль|июля|июл|липень|липня|lipiec|lipca|"
    "červenec|července|temmuz|iulie",
    "august|aug|août|aout|agosto|augustus|augusti|август|августа|авг|серпень|серпня|sierpień|"
    "sierpnia|srpen|srpna|ağustos|agustos",
    "september|sept|sep|septembre|septiembre|setiembre|settembre|setembro|сентябрь|сентября|сен|"
    "сент|вересень|вересня|wrzesień|września|září|eylül|eylul|septembrie",
    "october|oct|oktober|okt|octobre|octubre|ottobre|outubro|^out|октябрь|октября|окт|жовтень|"
    "жовтня|październik|października|říjen|října|ekim|octombrie",
    "november|nov|novembre|noviembre|novembro|ноябрь|ноября|ноя|листопад|листопада|listopad|"
    "listopada|listopadu|kasım|kasim|noiembrie",
    "december|dec|dezember|dez|décembre|decembre|déc|diciembre|dic|dicembre|dezembro|desember|"
    "декабрь|декабря|дек|грудень|грудня|grudzień|grudnia|prosinec|prosince|aralık|aralik|"
    "decembrie",
};

static const char *const k_weekday_names[7] = {
    "monday|mon|montag|mo|lundi|lun|lunes|lunedì|segunda-feira|segunda|maandag|понедельник",
    "tuesday|tue|tues|dienstag|di|mardi|mar|martes|martedì|terça-feira|terça|dinsdag|вторник",
    "wednesday|wed|mittwoch|mi|mercredi|mer|miércoles|miercoles|mercoledì|quarta-feira|quarta|"
    "woensdag|среда",
    "thursday|thu|thur|thurs|donnerstag|do|jeudi|jeu|jueves|giovedì|quinta-feira|quinta|"
    "donderdag|четверг",
    "friday|fri|freitag|fr|vendredi|ven|viernes|venerdì|sexta-feira|sexta|vrijdag|пятница",
    "saturday|sat|samstag|sa|samedi|sam|sábado|sabado|sabato|zaterdag|суббота",
    "sunday|sun|sonntag|so|dimanche|dim|domingo|domenica|zondag|воскресенье",
};

/* Words that join a day, a month and a year ("5th of October", "5 de
 * octubre de 2020") or a date and a time ("at 10:30", "um 10:30"). */
static const char *const k_date_joiners = "of|de|del|the|le";
static const char *const k_time_joiners = "at|on|à|a|las|às|um|om|alle|ore|kl|в";
static const char *const k_year_suffixes = "г|года|год";

/* Zone abbreviations with their offsets in minutes east of UTC. Only those
 * that name one zone are here (CST, IST and the like name several). A
 * NO_OFFSET entry is a zone that is understood but gives no offset: "ET"
 * is EST or EDT depending on the date. Zones count only in capitals. */
enum { NO_OFFSET = 100000 };
typedef struct zone_name {
    const char *name;
    int offset;
} zone_name_t;
static const zone_name_t k_zones[] = {
    {"utc", 0},      {"gmt", 0},      {"ut", 0},       {"wet", 0},      {"west", 60},
    {"bst", 60},     {"cet", 60},     {"cest", 120},   {"met", 60},     {"mest", 120},
    {"eet", 120},    {"eest", 180},   {"msk", 180},    {"est", -300},   {"edt", -240},
    {"cdt", -300},   {"mst", -420},   {"mdt", -360},   {"pst", -480},   {"pdt", -420},
    {"akst", -540},  {"akdt", -480},  {"hst", -600},   {"jst", 540},    {"kst", 540},
    {"hkt", 480},    {"sgt", 480},    {"aest", 600},   {"aedt", 660},   {"acst", 570},
    {"awst", 480},   {"nzst", 720},   {"nzdt", 780},   {"et", NO_OFFSET}, {"pt", NO_OFFSET},
    {"ct", NO_OFFSET}, {"mt", NO_OFFSET},
};

/* ------------------------------------------------------------------ text */

/* Decodes the code point at s[i]; returns -1 at the end or on bad UTF-8. */
static int32_t cp_at(const char *s, size_t len, size_t i, size_t *n) {
    if (i >= len) {
        *n = 0;
        return -1;
    }
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) {
        *n = 1;
        return c;
    }
    utf8proc_int32_t cp = -1;
    utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                          (utf8proc_ssize_t)(len - i), &cp);
    if (r <= 0) {
        *n = 1;
        return -1;
    }
    *n = (size_t)r;
    return cp;
}

static bool is_letter(int32_t cp) {
    if (cp < 0)
        return false;
    if (cp < 0x80)
        return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
    utf8proc_category_t cat = utf8proc_category(cp);
    return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_MN;
}

static bool is_digit_at(const char *s, size_t len, size_t i) {
    return i < len && s[i] >= '0' && s[i] <= '9';
}

static bool is_alnum_cp(int32_t cp) {
    return is_letter(cp) || (cp >= '0' && cp <= '9');
}

/* A horizontal space: ASCII space and tab, NBSP and the other Unicode space
 * separators (scraped pages put NBSP between a title and its timestamp). */
static bool is_space_cp(int32_t cp) {
    return cp == ' ' || cp == '\t' || cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A) ||
           cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

static size_t skip_spaces(const char *s, size_t len, size_t i) {
    size_t n;
    while (i < len && is_space_cp(cp_at(s, len, i, &n)))
        i += n;
    return i;
}

static bool is_dash_cp(int32_t cp) {
    return cp == '-' || cp == 0x2010 || cp == 0x2011 || cp == 0x2012 || cp == 0x2013 ||
           cp == 0x2014 || cp == 0x2212;
}

/* Reads a run of letters at s[i] into lower (NUL-terminated, lower case)
 * and returns the bytes read; 0 when there is no word or it is too long to
 * be a name. *capital tells whether its first letter is upper case and
 * *all_caps whether every letter is. */
static size_t read_word(const char *s, size_t len, size_t i, char *lower, size_t cap,
                        bool *capital, bool *all_caps) {
    size_t start = i, o = 0, n;
    bool first = true, caps = true;
    *capital = false;
    for (;;) {
        if (i < len && (unsigned char)s[i] < 0x80) {
            /* ASCII fast path: most words of most texts. */
            char c = s[i];
            bool up = c >= 'A' && c <= 'Z';
            if (!up && !(c >= 'a' && c <= 'z'))
                break;
            if (o + 2 > cap)
                return 0;
            if (up && first)
                *capital = true;
            if (!up)
                caps = false;
            lower[o++] = up ? (char)(c + 32) : c;
            i++;
            first = false;
            continue;
        }
        int32_t cp = cp_at(s, len, i, &n);
        if (!is_letter(cp))
            break;
        utf8proc_int32_t lc = utf8proc_tolower(cp);
        if (lc != cp) {
            if (first)
                *capital = true;
        } else if (utf8proc_toupper(cp) != cp) {
            caps = false;
        }
        utf8proc_uint8_t enc[4];
        utf8proc_ssize_t k = utf8proc_encode_char(lc, enc);
        if (k <= 0 || o + (size_t)k + 1 > cap)
            return 0;
        memcpy(lower + o, enc, (size_t)k);
        o += (size_t)k;
        i += n;
        first = false;
    }
    lower[o] = '\0';
    if (all_caps)
        *all_caps = caps;
    return i - start;
}

/* Whether word is one of the '|'-separated names of list. A name marked '^'
 * matches only when capital is true. */
static bool in_list(const char *list, const char *word, bool capital) {
    size_t wl = strlen(word);
    const char *p = list;
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t nl = bar ? (size_t)(bar - p) : strlen(p);
        bool need_cap = *p == '^';
        const char *name = need_cap ? p + 1 : p;
        size_t namel = need_cap ? nl - 1 : nl;
        if (namel == wl && memcmp(name, word, wl) == 0 && (!need_cap || capital))
            return true;
        if (!bar)
            break;
        p = bar + 1;
    }
    return false;
}

/* Reads digits at s[i]: returns the count (0 when none) and the value; more
 * than 9 digits counts but the value saturates. */
static size_t read_digits(const char *s, size_t len, size_t i, int *value) {
    size_t k = 0;
    long v = 0;
    while (i + k < len && s[i + k] >= '0' && s[i + k] <= '9') {
        if (v < 100000000)
            v = v * 10 + (s[i + k] - '0');
        k++;
    }
    *value = (int)v;
    return k;
}

/* Whether a token ends at s[i]: no letter or digit follows. */
static bool ends_token(const char *s, size_t len, size_t i) {
    size_t n;
    return !is_alnum_cp(cp_at(s, len, i, &n));
}

/* A numeric date must not run on into more numbers ("2.10.2020.1", an IP
 * address, a version): no letter or digit follows, nor a separator with a
 * digit after it. */
static bool ends_number(const char *s, size_t len, size_t i) {
    if (!ends_token(s, len, i))
        return false;
    if (i + 1 < len && (s[i] == '.' || s[i] == '/' || s[i] == '-' || s[i] == ',' || s[i] == ':') &&
        is_digit_at(s, len, i + 1))
        return false;
    return true;
}

/* -------------------------------------------------------------- calendar */

static bool is_leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m) {
    static const int k_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return m == 2 && is_leap(y) ? 29 : k_days[m - 1];
}

/* Days since 1970-01-01 (Howard Hinnant's days_from_civil). */
static long days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* ------------------------------------------------------------- the parse */

/* What one parse found; year 0 means "not given". */
typedef struct found {
    int year, month, day;
    int hour, minute, second;
    int tprec; /* 0, DP_DATE_MINUTE or DP_DATE_SECOND */
    bool has_tz;
    int tz;
} found_t;

static bool match_word_in(const char *s, size_t len, size_t i, const char *list, size_t *end) {
    char w[48];
    bool cap, caps;
    size_t n = read_word(s, len, i, w, sizeof w, &cap, &caps);
    if (n == 0 || !in_list(list, w, cap))
        return false;
    *end = i + n;
    return true;
}

/* A month name (or abbreviation, with an optional full stop) at s[i]. */
/* The month and weekday names, indexed once per process in a small hash
 * table: looking every word of a text up in the lists above one by one made
 * dp_date_find crawl (under 1 MB/s); the index keeps it a hash and a compare
 * per word. Built under pthread_once, read-only afterwards. */
enum { NAME_SLOTS = 1024, NAME_MAX_BYTES = 32 };
typedef struct name_entry {
    char name[NAME_MAX_BYTES];
    uint8_t len;
    uint8_t used;
    int8_t month;      /* 1-12, 0 when not a month name */
    uint8_t month_cap; /* the month name counts only capitalised ('^') */
    uint8_t weekday;   /* a weekday name */
} name_entry_t;
static name_entry_t g_names[NAME_SLOTS];
static pthread_once_t g_names_once = PTHREAD_ONCE_INIT;

static uint32_t name_hash(const char *w, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)w[i];
        h *= 16777619u;
    }
    return h;
}

static name_entry_t *name_slot(const char *w, size_t n) {
    size_t i = name_hash(w, n) & (NAME_SLOTS - 1);
    for (size_t probes = 0; probes < NAME_SLOTS; probes++, i = (i + 1) & (NAME_SLOTS - 1)) {
        name_entry_t *e = &g_names[i];
        if (!e->used || (e->len == n && memcmp(e->name, w, n) == 0))
            return e;
    }
    return NULL;
}

/* Adds every name of a '|' list: as month m (1-12) or, with m == 0, as a
 * weekday. Names too long for an entry cannot occur (read_word would not
 * return them) and are skipped. */
static void index_list(const char *list, int m) {
    const char *p = list;
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t nl = bar ? (size_t)(bar - p) : strlen(p);
        bool need_cap = *p == '^';
        const char *name = need_cap ? p + 1 : p;
        size_t n = need_cap ? nl - 1 : nl;
        name_entry_t *e = n < NAME_MAX_BYTES ? name_slot(name, n) : NULL;
        if (e) {
            if (!e->used) {
                e->used = 1;
                memcpy(e->name, name, n);
                e->len = (uint8_t)n;
            }
            if (m > 0) {
                e->month = (int8_t)m;
                e->month_cap = need_cap;
            } else {
                e->weekday = 1;
            }
        }
        if (!bar)
            break;
        p = bar + 1;
    }
}

static void build_name_index(void) {
    for (int m = 0; m < 12; m++)
        index_list(k_month_names[m], m + 1);
    for (int d = 0; d < 7; d++)
        index_list(k_weekday_names[d], 0);
}

static const name_entry_t *lookup_name(const char *w) {
    pthread_once(&g_names_once, build_name_index);
    size_t n = strlen(w);
    if (n == 0 || n >= NAME_MAX_BYTES)
        return NULL;
    const name_entry_t *e = name_slot(w, n);
    return e && e->used ? e : NULL;
}

/* A month name (or abbreviation, with an optional full stop) at s[i]; with
 * weak not NULL a name marked '^' also counts in lower case, and *weak says
 * whether that was needed. */
static int match_month(const char *s, size_t len, size_t i, size_t *end, bool *abbrev,
                       bool *weak) {
    char w[NAME_MAX_BYTES];
    bool cap, caps;
    size_t n = read_word(s, len, i, w, sizeof w, &cap, &caps);
    if (n == 0)
        return 0;
    const name_entry_t *e = lookup_name(w);
    if (!e || !e->month)
        return 0;
    bool strict = !e->month_cap || cap;
    if (!strict && !weak)
        return 0;
    if (weak)
        *weak = !strict;
    size_t j = i + n;
    if (abbrev)
        *abbrev = n <= 4;
    if (j < len && s[j] == '.')
        j++;
    *end = j;
    return e->month;
}

static bool match_weekday(const char *s, size_t len, size_t i, size_t *end) {
    char w[NAME_MAX_BYTES];
    bool cap, caps;
    size_t n = read_word(s, len, i, w, sizeof w, &cap, &caps);
    if (n == 0)
        return false;
    /* Two-letter German abbreviations ("Mo", "Di") count only capitalised,
     * so that "do" and "so" in English text are not weekdays. */
    if (n <= 2 && !cap)
        return false;
    const name_entry_t *e = lookup_name(w);
    if (!e || !e->weekday)
        return false;
    size_t j = i + n;
    if (j < len && s[j] == '.')
        j++;
    *end = j;
    return true;
}

/* "am", "pm", "a.m.", "p.m.", "a. m." at s[i]: returns 1 for am, 2 for pm. */
static int match_ampm(const char *s, size_t len, size_t i, size_t *end) {
    if (i >= len)
        return 0;
    char c = (char)(s[i] | 0x20);
    if (c != 'a' && c != 'p')
        return 0;
    size_t j = i + 1;
    if (j < len && s[j] == '.')
        j++;
    if (j < len && s[j] == ' ' && j + 1 < len && (s[j + 1] | 0x20) == 'm' && s[j - 1] == '.')
        j++;
    if (j >= len || (s[j] | 0x20) != 'm')
        return 0;
    j++;
    bool dotted = false;
    if (j < len && s[j] == '.') {
        j++;
        dotted = true;
    }
    if (!dotted && !ends_token(s, len, j))
        return 0;
    if (dotted && j < len && is_letter((unsigned char)s[j]))
        return 0;
    *end = j;
    return c == 'a' ? 1 : 2;
}

/* A numeric offset at s[i]: "+03:00", "+0300", "+03", "-04:00"; with
 * allow_short false only the four-digit and colon forms count. */
static bool match_offset(const char *s, size_t len, size_t i, bool allow_short, int *off,
                         size_t *end) {
    bool minus_sign = i + 2 < len && memcmp(s + i, "\xe2\x88\x92", 3) == 0; /* U+2212 */
    if (i >= len || (s[i] != '+' && s[i] != '-' && !minus_sign))
        return false;
    int sign = s[i] == '+' ? 1 : -1;
    size_t j = i + (s[i] == '+' || s[i] == '-' ? 1 : 3);
    int h, m = 0;
    size_t k = read_digits(s, len, j, &h);
    if (k == 4) {
        m = h % 100;
        h /= 100;
        j += 4;
    } else if (k == 2 || (k == 1 && allow_short)) {
        j += k;
        if (j + 2 < len && s[j] == ':' && read_digits(s, len, j + 1, &m) == 2) {
            j += 3;
        } else if (!allow_short) {
            return false;
        }
    } else {
        return false;
    }
    if (h > 14 || m > 59 || !ends_number(s, len, j))
        return false;
    *off = sign * (h * 60 + m);
    *end = j;
    return true;
}

/* A zone after a time: "Z", "UTC", "GMT+3", "+0300", "EDT", "(CEST)". */
static bool match_zone(const char *s, size_t len, size_t i, found_t *f, size_t *end) {
    if (i < len && s[i] == 'Z' && ends_token(s, len, i + 1)) {
        f->has_tz = true;
        f->tz = 0;
        *end = i + 1;
        return true;
    }
    size_t j = skip_spaces(s, len, i);
    int off;
    size_t e;
    if (match_offset(s, len, j, j == i, &off, &e)) {
        /* After a space, a hyphen is more often a range or a separator
         * ("10:30 - 12:00") than an offset: only "-0400" style counts. */
        if (j != i && s[j] == '-' && e - j != 5)
            return false;
        f->has_tz = true;
        f->tz = off;
        *end = e;
        return true;
    }
    bool paren = j < len && s[j] == '(';
    size_t w0 = paren ? j + 1 : j;
    char w[16];
    bool cap, caps;
    size_t n = read_word(s, len, w0, w, sizeof w, &cap, &caps);
    if (n == 0 || !caps || n > 5)
        return false;
    for (size_t z = 0; z < sizeof k_zones / sizeof k_zones[0]; z++) {
        if (strcmp(w, k_zones[z].name) != 0)
            continue;
        size_t k = w0 + n;
        int tz = k_zones[z].offset;
        if (tz == 0 && match_offset(s, len, k, true, &off, &e)) {
            tz = off; /* "GMT+3", "UTC+03:00" */
            k = e;
        }
        if (paren) {
            if (k >= len || s[k] != ')')
                return false;
            k++;
        }
        if (tz != NO_OFFSET) {
            f->has_tz = true;
            f->tz = tz;
        }
        *end = k;
        return true;
    }
    return false;
}

/* A time of day at s[i]: "16:57", "09:23 AM", "9:23 a.m.", "14:05:00",
 * "17:38:00.000", "16h30", "5 PM", then an optional zone. A bare number
 * counts only with am/pm. */
static bool parse_time(const char *s, size_t len, size_t i, found_t *f, size_t *end) {
    int h, m = 0, sec = 0;
    size_t k = read_digits(s, len, i, &h);
    if (k == 0 || k > 2)
        return false;
    size_t j = i + k;
    int prec = DP_DATE_MINUTE;
    bool minutes = false;
    if (j + 2 < len && (s[j] == ':' || s[j] == 'h') && read_digits(s, len, j + 1, &m) == 2) {
        j += 3;
        minutes = true;
        if (j + 2 < len && s[j] == ':' && read_digits(s, len, j + 1, &sec) == 2) {
            j += 3;
            prec = DP_DATE_SECOND;
            if (j + 1 < len && (s[j] == '.' || s[j] == ',') && is_digit_at(s, len, j + 1)) {
                int frac;
                j += 1 + read_digits(s, len, j + 1, &frac); /* fractions are dropped */
            }
        }
        if (is_digit_at(s, len, j))
            return false;
    }
    /* "10.30 GMT", "10.30 am", "16.30 Uhr": a full stop between hour and
     * minutes counts only when a marker follows, so that "2020 10.5
     * million" or "12.50 euros" stay numbers. */
    bool dotted = false;
    if (!minutes && j + 2 < len && s[j] == '.' && read_digits(s, len, j + 1, &m) == 2 &&
        !is_digit_at(s, len, j + 3)) {
        j += 3;
        minutes = true;
        dotted = true;
    }
    bool marked = false;
    size_t a = skip_spaces(s, len, j), ae;
    int ampm = match_ampm(s, len, a, &ae);
    if (!minutes && !ampm)
        return false;
    if (ampm) {
        if (h < 1 || h > 12)
            return false;
        if (ampm == 1 && h == 12)
            h = 0;
        else if (ampm == 2 && h != 12)
            h += 12;
        j = ae;
        marked = true;
    } else {
        size_t uhr;
        if (match_word_in(s, len, a, "uhr|h|hrs|hours|ч", &uhr)) {
            j = uhr;
            marked = true;
        }
    }
    if (h > 23 || m > 59 || sec > 60)
        return false;
    found_t t = *f;
    t.hour = h;
    t.minute = m;
    t.second = sec;
    t.tprec = prec;
    size_t ze;
    if (match_zone(s, len, j, &t, &ze)) {
        j = ze;
        marked = true;
    } else if (!ends_token(s, len, j)) {
        return false; /* "10:30abc" is no time */
    }
    if (dotted && !marked)
        return false;
    *f = t;
    *end = j;
    return true;
}

/* After a date: separators and a joining word, then a time. */
static bool parse_time_after(const char *s, size_t len, size_t i, found_t *f, size_t *end) {
    size_t j = i, n;
    int punct = 0;
    for (;;) {
        int32_t cp = cp_at(s, len, j, &n);
        if (is_space_cp(cp)) {
            j += n;
        } else if (punct < 2 && (cp == ',' || cp == '|' || cp == 0xB7 || cp == 0x2022 ||
                                 cp == '/' || is_dash_cp(cp) || cp == '@')) {
            j += n;
            punct++;
        } else {
            break;
        }
    }
    if (j == i && !(j < len && s[j] == 'T'))
        return false;
    size_t w;
    if (j < len && s[j] == 'T' && j == i) {
        j++;
    } else if (match_word_in(s, len, j, k_time_joiners, &w)) {
        j = skip_spaces(s, len, w);
        if (match_word_in(s, len, j, "las", &w)) /* "a las 10:30" */
            j = skip_spaces(s, len, w);
    }
    found_t t = *f;
    if (!parse_time(s, len, j, &t, end))
        return false;
    *f = t;
    return true;
}

/* An optional ordinal suffix after a day number: "26th", "1st", "1er",
 * "1º", "16." (German). Returns the index after it. */
static size_t skip_ordinal(const char *s, size_t len, size_t i) {
    static const char *const k_suffixes = "st|nd|rd|th|er|re|e|º|ª|o|a";
    char w[8];
    bool cap, caps;
    size_t n = read_word(s, len, i, w, sizeof w, &cap, &caps);
    if (n > 0 && in_list(k_suffixes, w, false))
        i += n;
    else if (i + 1 < len &&
             (memcmp(s + i, "\xc2\xba", 2) == 0 || memcmp(s + i, "\xc2\xaa", 2) == 0))
        i += 2;
    if (i < len && s[i] == '.')
        i++;
    return i;
}

/* Spaces, hyphens, slashes, dots and commas between the parts of a written
 * date ("26-Jun-2020", "16. Oktober", "30 September, 2020"), plus the joining
 * words ("of", "de"). Returns the index after them. */
static size_t skip_date_glue(const char *s, size_t len, size_t i, bool allow_comma) {
    size_t n, w;
    for (int rounds = 0; rounds < 4; rounds++) {
        size_t j = skip_spaces(s, len, i);
        int32_t cp = cp_at(s, len, j, &n);
        if ((allow_comma && cp == ',') || cp == '-' || cp == '/' || cp == '.') {
            i = j + n;
            continue;
        }
        if (match_word_in(s, len, j, k_date_joiners, &w) && w < len &&
            is_space_cp(cp_at(s, len, w, &n))) {
            i = w;
            continue;
        }
        return j;
    }
    return skip_spaces(s, len, i);
}

/* Whether s[i..] is the Chinese/Japanese or Korean marker of a year
 * (which 0: 年, 년), a month (1: 月, 월) or a day (2: 日, 일); each is 3 bytes. */
static bool cjk_marker(const char *s, size_t len, size_t i, int which) {
    static const char *const k_markers[3][2] = {
        {"\xe5\xb9\xb4", "\xeb\x85\x84"},
        {"\xe6\x9c\x88", "\xec\x9b\x94"},
        {"\xe6\x97\xa5", "\xec\x9d\xbc"},
    };
    if (i + 3 > len)
        return false;
    return memcmp(s + i, k_markers[which][0], 3) == 0 || memcmp(s + i, k_markers[which][1], 3) == 0;
}

/* A four-digit year (1800-2199) at s[i], with an optional Russian "г."; or,
 * with two_digit, a two-digit one read as 20YY. */
static bool parse_year(const char *s, size_t len, size_t i, bool two_digit, int *year,
                       size_t *end) {
    int y;
    size_t k = read_digits(s, len, i, &y);
    if (k == 4 && y >= 1800 && y <= 2199) {
        /* nothing */
    } else if (k == 2 && two_digit) {
        y += 2000;
    } else {
        return false;
    }
    size_t j = i + k;
    if (!ends_token(s, len, j)) {
        size_t w;
        /* CJK "2020年" and Russian "2020г." go on without a space. */
        if (!match_word_in(s, len, j, k_year_suffixes, &w) &&
            !cjk_marker(s, len, j, 0))
            return false;
    }
    size_t sp = skip_spaces(s, len, j), w;
    if (match_word_in(s, len, sp, k_year_suffixes, &w)) {
        j = w;
        if (j < len && s[j] == '.')
            j++;
    }
    *year = y;
    *end = j;
    return true;
}

/* A range's second day: "-29", "–29", " to 29", " and 29". */
static size_t skip_range_end(const char *s, size_t len, size_t i) {
    size_t j = skip_spaces(s, len, i), n, w;
    int32_t cp = cp_at(s, len, j, &n);
    if (is_dash_cp(cp)) {
        j = skip_spaces(s, len, j + n);
    } else if (match_word_in(s, len, j, "to|and|until|till|through|bis|au|al|a|et|y|и|по", &w)) {
        j = skip_spaces(s, len, w);
    } else {
        return i;
    }
    int d;
    size_t k = read_digits(s, len, j, &d);
    if (k < 1 || k > 2 || d < 1 || d > 31)
        return i;
    return skip_ordinal(s, len, j + k);
}

/* A month name first: "June 26, 2020", "Sept. 29, 2020", "Jun 26 2020",
 * "September 28-29, 2020", "June 26" (no year), "September 2020". */
static bool parse_day_first(const char *s, size_t len, size_t i, found_t *f, size_t *end,
                            bool allow_range);
static bool parse_month_first(const char *s, size_t len, size_t i, found_t *f, size_t *end,
                              bool allow_range);

/* A year-less first date of a range across months takes the range's year:
 * "28 December - 2 January 2021" (2020-12-28), "September 28 to October 2,
 * 2020". Returns whether a dated second half followed. */
static bool range_year(const char *s, size_t len, size_t i, found_t *f, size_t *end) {
    size_t j = skip_spaces(s, len, i), n, w;
    int32_t cp = cp_at(s, len, j, &n);
    if (is_dash_cp(cp))
        j = skip_spaces(s, len, j + n);
    else if (match_word_in(s, len, j, "to|until|till|through|bis|au|al|a|по", &w))
        j = skip_spaces(s, len, w);
    else
        return false;
    found_t g;
    memset(&g, 0, sizeof g);
    size_t e;
    bool ok = is_digit_at(s, len, j) ? parse_day_first(s, len, j, &g, &e, false)
                                     : parse_month_first(s, len, j, &g, &e, false);
    if (!ok || g.year == 0 || g.day == 0)
        return false;
    f->year = f->month > g.month ? g.year - 1 : g.year;
    *end = e;
    return true;
}

static bool parse_month_first(const char *s, size_t len, size_t i, found_t *f, size_t *end,
                              bool allow_range) {
    bool abbrev;
    size_t j;
    int m = match_month(s, len, i, &j, &abbrev, NULL);
    if (!m)
        return false;
    size_t k0 = skip_date_glue(s, len, j, true);
    int d;
    size_t k = read_digits(s, len, k0, &d);
    if (k == 4) {
        int y;
        size_t e;
        /* "September, 2020" only for a full name: "Mar, 2020" is too weak. */
        if (!parse_year(s, len, k0, false, &y, &e) || (abbrev && memchr(s + j, ',', k0 - j)))
            return false;
        f->year = y;
        f->month = m;
        f->day = 0;
        *end = e;
        return true;
    }
    if (k < 1 || k > 2 || d < 1 || d > 31)
        return false;
    j = k0 + k;
    /* "June 26th" */
    j = skip_ordinal(s, len, j);
    if (s[j - 1] == '.')
        j--; /* after a month name a full stop ends the sentence, not an ordinal */
    if (!ends_token(s, len, j))
        return false;
    j = skip_range_end(s, len, j);
    f->month = m;
    f->day = d;
    f->year = 0;
    size_t ys = skip_date_glue(s, len, j, true), ye;
    int y;
    if (ys != j && parse_year(s, len, ys, false, &y, &ye)) {
        f->year = y;
        j = ye;
    } else if (allow_range && range_year(s, len, j, f, &ye)) {
        j = ye;
    }
    *end = j;
    return true;
}

/* A day number first: "26 June 2020", "26th June", "16. Oktober 2020",
 * "5 de octubre de 2020", "26-Jun-2020", "28–29 September 2020",
 * "5th of October 2020". */
static bool parse_day_first(const char *s, size_t len, size_t i, found_t *f, size_t *end,
                            bool allow_range) {
    int d;
    size_t k = read_digits(s, len, i, &d);
    if (k < 1 || k > 2 || d < 1 || d > 31)
        return false;
    size_t j = skip_ordinal(s, len, i + k);
    j = skip_range_end(s, len, j);
    size_t ms = skip_date_glue(s, len, j, false), me;
    bool weak = false;
    int m = match_month(s, len, ms, &me, NULL, &weak);
    if (!m)
        return false;
    f->day = d;
    f->month = m;
    f->year = 0;
    j = me;
    size_t ys = skip_date_glue(s, len, j, true), ye;
    int y;
    if (parse_year(s, len, ys, false, &y, &ye)) {
        f->year = y;
        j = ye;
    } else if (weak) {
        return false; /* "5 march" is a date only with its year: "5 march 2021" */
    } else if (allow_range && range_year(s, len, j, f, &ye)) {
        j = ye;
    }
    *end = j;
    return true;
}

/* Year first: ISO "2020-06-26", "2020/06/26", "2020.06.26", compact
 * "20200626", and CJK "2020年6月26日". */
static bool parse_year_first(const char *s, size_t len, size_t i, found_t *f, size_t *end) {
    int y;
    size_t k = read_digits(s, len, i, &y);
    if (k == 8) {
        int v = y;
        y = v / 10000;
        int m = v / 100 % 100, d = v % 100;
        if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m) ||
            !ends_number(s, len, i + 8))
            return false;
        f->year = y;
        f->month = m;
        f->day = d;
        *end = i + 8;
        return true;
    }
    if (k != 4 || y < 1800 || y > 2199)
        return false;
    size_t j = i + 4;
    if (cjk_marker(s, len, j, 0)) {
        int m, d;
        size_t a = skip_spaces(s, len, j + 3);
        size_t km = read_digits(s, len, a, &m);
        if (km < 1 || km > 2 || !cjk_marker(s, len, a + km, 1) || m < 1 || m > 12)
            return false;
        a += km + 3;
        size_t b = skip_spaces(s, len, a);
        size_t kd = read_digits(s, len, b, &d);
        f->year = y;
        f->month = m;
        f->day = 0;
        if (kd >= 1 && kd <= 2 && cjk_marker(s, len, b + kd, 2)) {
            f->day = d;
            a = b + kd + 3;
        }
        *end = a;
        return true;
    }
    if (j >= len || (s[j] != '-' && s[j] != '/' && s[j] != '.'))
        return false;
    char sep = s[j];
    int m, d;
    size_t km = read_digits(s, len, j + 1, &m);
    if (km < 1 || km > 2)
        return false;
    size_t a = j + 1 + km;
    /* "2020-06" alone is not read as a month: in running text it is far
     * more often a season or a span of years ("the 2010-11 budget"). */
    if (a >= len || s[a] != sep)
        return false;
    size_t kd = read_digits(s, len, a + 1, &d);
    if (kd < 1 || kd > 2)
        return false;
    a += 1 + kd;
    if (!(sep == '-' && a < len && s[a] == 'T') && !ends_number(s, len, a))
        return false;
    f->year = y;
    f->month = m;
    f->day = d;
    *end = a;
    return true;
}

/* Numbers with separators, day or month first: "16.10.2020", "29.9.2020",
 * "29.09.20", "28-09-2020", "26/06/2020", "06/26/2020", "15/09/22". */
static bool parse_numeric(const char *s, size_t len, size_t i, found_t *f, size_t *end) {
    int a, b, y;
    size_t ka = read_digits(s, len, i, &a);
    if (ka < 1 || ka > 2)
        return false;
    size_t j = i + ka;
    if (j >= len || (s[j] != '.' && s[j] != '-' && s[j] != '/'))
        return false;
    char sep = s[j];
    size_t kb = read_digits(s, len, j + 1, &b);
    if (kb < 1 || kb > 2)
        return false;
    j += 1 + kb;
    if (j >= len || s[j] != sep)
        return false;
    size_t ky = read_digits(s, len, j + 1, &y);
    /* A two-digit year only with two-digit day and month ("29.09.20"):
     * "3.10.12" is much more likely a version number. Slashes are not
     * used in version numbers, and US style writes "5/10/20". */
    if (ky == 4) {
        if (y < 1800 || y > 2199)
            return false;
    } else if (ky == 2 && ((ka == 2 && kb == 2) || sep == '/')) {
        y += 2000;
    } else {
        return false;
    }
    j += 1 + ky;
    size_t w;
    if (!ends_number(s, len, j) && !match_word_in(s, len, j, k_year_suffixes, &w))
        return false;
    int day, month;
    if (sep == '/') {
        /* US wire style: month first unless the first number cannot be a month. */
        if (a > 12) {
            day = a;
            month = b;
        } else {
            day = b;
            month = a;
        }
    } else if (b > 12 && a <= 12) {
        day = b; /* "06-26-2020": month first is the only reading */
        month = a;
    } else {
        day = a;
        month = b;
    }
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(y, month))
        return false;
    f->year = y;
    f->month = month;
    f->day = day;
    *end = j;
    return true;
}

/* One date without a leading time: a weekday, then one of the forms above,
 * then an optional time. */
static bool parse_date_plain(const char *s, size_t len, size_t j, found_t *f, size_t *end);

static bool parse_date_core(const char *s, size_t len, size_t i, found_t *f, size_t *end) {
    size_t w;
    if (!is_digit_at(s, len, i)) {
        /* Most words are neither a weekday nor a month: one look-up ends it. */
        char word[NAME_MAX_BYTES];
        bool cap, caps;
        if (read_word(s, len, i, word, sizeof word, &cap, &caps) == 0 || !lookup_name(word))
            return false;
    }
    if (match_weekday(s, len, i, &w)) {
        size_t j = skip_spaces(s, len, w);
        if (j < len && s[j] == ',')
            j = skip_spaces(s, len, j + 1);
        /* "Mar" is both a weekday (French, Spanish) and a month: when no
         * date follows the weekday reading, try the word as a month. */
        if (j != w && parse_date_plain(s, len, j, f, end))
            return true;
    }
    return parse_date_plain(s, len, i, f, end);
}

static bool parse_date_plain(const char *s, size_t len, size_t j, found_t *f, size_t *end) {
    memset(f, 0, sizeof *f);
    size_t e = 0;
    bool ok = false;
    if (is_digit_at(s, len, j)) {
        ok = parse_year_first(s, len, j, f, &e) || parse_numeric(s, len, j, f, &e) ||
             parse_day_first(s, len, j, f, &e, true);
    } else {
        ok = parse_month_first(s, len, j, f, &e, true);
    }
    if (!ok)
        return false;
    size_t te;
    if (f->day && parse_time_after(s, len, e, f, &te)) {
        e = te;
        /* The C library's and Unix date(1)'s order puts the year last:
         * "Fri Jun 26 17:38:00 UTC 2020". */
        size_t ys = skip_spaces(s, len, e), ye;
        int y;
        if (f->year == 0 && ys != e && parse_year(s, len, ys, false, &y, &ye)) {
            f->year = y;
            e = ye;
        }
    }
    *end = e;
    return true;
}

/* The whole grammar at s[i]: a date, or a time followed by a date
 * ("17:38, 26 June 2020", "10:00 on 5 October 2020"). */
static bool parse_any(const char *s, size_t len, size_t i, found_t *f, size_t *end) {
    if (parse_date_core(s, len, i, f, end))
        return true;
    found_t t;
    memset(&t, 0, sizeof t);
    size_t te;
    if (!is_digit_at(s, len, i) || !parse_time(s, len, i, &t, &te))
        return false;
    size_t j = te, n, w;
    for (;;) {
        int32_t cp = cp_at(s, len, j, &n);
        if (is_space_cp(cp) || cp == ',' || cp == '|' || is_dash_cp(cp))
            j += n;
        else
            break;
    }
    if (match_word_in(s, len, j, "on|le|am|el|del|the", &w))
        j = skip_spaces(s, len, w);
    if (j == te || !parse_date_core(s, len, j, f, end) || !f->day)
        return false;
    if (!f->tprec) {
        f->hour = t.hour;
        f->minute = t.minute;
        f->second = t.second;
        f->tprec = t.tprec;
        f->has_tz = t.has_tz;
        f->tz = t.tz;
    }
    return true;
}

/* Gives a year-less date its year from ref and checks the day. */
static bool resolve(found_t *f, const dp_date_t *ref, dp_date_t *out) {
    if (f->month < 1 || f->month > 12)
        return false;
    if (f->year == 0) {
        if (!ref || ref->year == 0 || f->day == 0)
            return false;
        f->year = ref->year;
        if (ref->month >= 1) {
            int rd = ref->day >= 1 ? ref->day : 1;
            long rdays = days_from_civil(ref->year, ref->month, rd);
            int d = f->day <= days_in_month(f->year, f->month) ? f->day : 28;
            if (days_from_civil(f->year, f->month, d) > rdays + 7)
                f->year--;
        }
    }
    if (f->day && f->day > days_in_month(f->year, f->month))
        return false;
    memset(out, 0, sizeof *out);
    out->year = f->year;
    out->month = f->month;
    out->day = f->day;
    if (!f->day) {
        out->precision = DP_DATE_MONTH;
        return true;
    }
    out->precision = DP_DATE_DAY;
    if (f->tprec) {
        out->hour = f->hour;
        out->minute = f->minute;
        out->second = f->tprec == DP_DATE_SECOND ? f->second : 0;
        out->precision = (dp_date_precision_t)f->tprec;
        out->has_tz = f->has_tz;
        out->tz_offset_minutes = f->has_tz ? f->tz : 0;
    }
    return true;
}

dp_status dp_date_parse(const char *s, size_t len, const dp_date_t *ref, dp_date_t *out,
                        size_t *consumed) {
    if (!s || !out)
        return DP_EINVAL;
    size_t i = skip_spaces(s, len, 0), end;
    found_t f;
    dp_date_t d;
    if (!parse_any(s, len, i, &f, &end) || !resolve(&f, ref, &d))
        return DP_EFORMAT;
    *out = d;
    if (consumed)
        *consumed = end;
    return DP_OK;
}

/* Whether a date may start at s[i]: at a word start, and not inside a
 * number ("2.10.3", "+1 202 ...", "12,5"). */
static bool may_start(const char *s, size_t i) {
    if (i == 0)
        return true;
    /* Find the previous code point (continuation bytes are 10xxxxxx). */
    size_t p = i - 1;
    while (p > 0 && ((unsigned char)s[p] & 0xC0) == 0x80)
        p--;
    size_t n;
    int32_t prev = cp_at(s, i, p, &n);
    if (is_alnum_cp(prev) || prev == '+' || prev == '$' || prev == 0x20AC || prev == 0xA3)
        return false;
    if ((prev == '.' || prev == ',' || prev == ':' || prev == '/' || prev == '-') && p > 0 &&
        s[p - 1] >= '0' && s[p - 1] <= '9')
        return false;
    return true;
}

dp_status dp_date_find(const char *s, size_t len, const dp_date_t *ref, dp_date_t *out,
                       size_t *start, size_t *end) {
    if (!s || !out)
        return DP_EINVAL;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) == 0x80 || c == ' ' || c == '\n' || c == '\t' || c == '\r')
            continue;
        bool digit = c >= '0' && c <= '9';
        if (!digit) {
            size_t n;
            if (!is_letter(cp_at(s, len, i, &n)))
                continue;
        }
        if (!may_start(s, i))
            continue;
        found_t f;
        size_t e;
        dp_date_t d;
        if (parse_any(s, len, i, &f, &e) && resolve(&f, ref, &d)) {
            *out = d;
            if (start)
                *start = i;
            if (end)
                *end = e;
            return DP_OK;
        }
        /* No date starts inside a word: skip the rest of its ASCII part. */
        while (i + 1 < len && ((s[i + 1] >= 'a' && s[i + 1] <= 'z') ||
                               (s[i + 1] >= 'A' && s[i + 1] <= 'Z') ||
                               (s[i + 1] >= '0' && s[i + 1] <= '9')))
            i++;
    }
    return DP_ENOTFOUND;
}

size_t dp_date_format(const dp_date_t *d, char *out, size_t cap) {
    if (!d || !out || cap == 0)
        return 0;
    out[0] = '\0';
    char buf[48];
    int n;
    switch (d->precision) {
    case DP_DATE_YEAR:
        n = snprintf(buf, sizeof buf, "%04d", d->year);
        break;
    case DP_DATE_MONTH:
        n = snprintf(buf, sizeof buf, "%04d-%02d", d->year, d->month);
        break;
    case DP_DATE_DAY:
        n = snprintf(buf, sizeof buf, "%04d-%02d-%02d", d->year, d->month, d->day);
        break;
    case DP_DATE_MINUTE:
        n = snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d", d->year, d->month, d->day,
                     d->hour, d->minute);
        break;
    case DP_DATE_SECOND:
        n = snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", d->year, d->month, d->day,
                     d->hour, d->minute, d->second);
        break;
    default:
        return 0;
    }
    if (n < 0)
        return 0;
    size_t len = (size_t)n;
    if (d->has_tz && d->precision >= DP_DATE_MINUTE) {
        int off = d->tz_offset_minutes;
        int m;
        if (off == 0)
            m = snprintf(buf + len, sizeof buf - len, "Z");
        else
            m = snprintf(buf + len, sizeof buf - len, "%c%02d:%02d", off < 0 ? '-' : '+',
                         (off < 0 ? -off : off) / 60 % 100, (off < 0 ? -off : off) % 60);
        if (m < 0)
            return 0;
        len += (size_t)m;
    }
    if (len + 1 > cap || len >= sizeof buf)
        return 0;
    memcpy(out, buf, len + 1);
    return len;
}

dp_status dp_date_parse_iso(const char *s, size_t len, dp_date_t *out) {
    if (!s || !out)
        return DP_EINVAL;
    size_t i = skip_spaces(s, len, 0);
    while (len > i && (s[len - 1] == ' ' || s[len - 1] == '\n' || s[len - 1] == '\t' ||
                       s[len - 1] == '\r'))
        len--;
    int y, m = 0, d = 0;
    if (read_digits(s, len, i, &y) != 4)
        return DP_EFORMAT;
    size_t j = i + 4;
    dp_date_t r;
    memset(&r, 0, sizeof r);
    r.year = y;
    r.precision = DP_DATE_YEAR;
    if (j < len) {
        if (s[j] != '-' || read_digits(s, len, j + 1, &m) != 2 || m < 1 || m > 12)
            return DP_EFORMAT;
        j += 3;
        r.month = m;
        r.precision = DP_DATE_MONTH;
    }
    if (j < len) {
        if (s[j] != '-' || read_digits(s, len, j + 1, &d) != 2 || d < 1 ||
            d > days_in_month(y, m))
            return DP_EFORMAT;
        j += 3;
        r.day = d;
        r.precision = DP_DATE_DAY;
    }
    if (j < len) {
        if (s[j] != 'T' && s[j] != 't' && s[j] != ' ')
            return DP_EFORMAT;
        found_t f;
        memset(&f, 0, sizeof f);
        size_t e;
        /* parse_time accepts only HH:MM with optional seconds, fraction and zone here. */
        if (!is_digit_at(s, len, j + 1) || !is_digit_at(s, len, j + 2) ||
            !parse_time(s, len, j + 1, &f, &e) || e != len)
            return DP_EFORMAT;
        r.hour = f.hour;
        r.minute = f.minute;
        r.second = f.tprec == DP_DATE_SECOND ? f.second : 0;
        r.precision = (dp_date_precision_t)f.tprec;
        r.has_tz = f.has_tz;
        r.tz_offset_minutes = f.has_tz ? f.tz : 0;
        j = e;
    }
    if (j != len)
        return DP_EFORMAT;
    *out = r;
    return DP_OK;
}
