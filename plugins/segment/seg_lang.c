/* Loads a segmentation language pack (configs/lang/<code>/) into one
 * case-insensitive word table plus a few settings, and answers lookups from
 * many threads at once. The table is open addressing over a single key pool
 * so that a lookup costs one hash and usually one comparison. */
#include "seg_lang.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "docpipe/alloc.h"
#include "seg_text.h"

/* Longest key kept; longer words cannot be abbreviations or starters. */
#define SEG_KEY_MAX 64

typedef struct seg_slot {
    uint64_t hash;
    uint32_t off; /* into the key pool */
    uint16_t len;
    uint8_t flags;
    uint8_t used;
} seg_slot_t;

struct seg_lang {
    char code[16];
    seg_slot_t *slots;
    size_t cap; /* power of two */
    size_t count;
    char *pool;
    size_t pool_len, pool_cap;
    int32_t pronoun_letter;
    bool ordinal_period;
    bool abbr_split;
    seg_cue_t *cues;
    size_t ncues;
};

static uint64_t fnv1a(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
}

/* Lower-cases word[0..len) into out (SEG_KEY_MAX bytes); returns the length,
 * or 0 when it does not fit. Case folding is per code point (utf8proc). */
static size_t lower_key(const char *word, size_t len, char *out)
{
    size_t o = 0, p = 0;
    while (p < len) {
        unsigned char c = (unsigned char)word[p];
        if (c < 0x80u) {
            if (o >= SEG_KEY_MAX)
                return 0;
            out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            p++;
            continue;
        }
        int32_t cp = seg_next(word, len, &p);
        cp = utf8proc_tolower(cp);
        utf8proc_uint8_t buf[4];
        utf8proc_ssize_t n = utf8proc_encode_char(cp, buf);
        if (n <= 0 || o + (size_t)n > SEG_KEY_MAX)
            return 0;
        memcpy(out + o, buf, (size_t)n);
        o += (size_t)n;
    }
    return o;
}

static seg_slot_t *find_slot(const seg_lang_t *lang, const char *key, size_t len, uint64_t h)
{
    size_t mask = lang->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        seg_slot_t *s = &lang->slots[i];
        if (!s->used)
            return s;
        if (s->hash == h && s->len == len && memcmp(lang->pool + s->off, key, len) == 0)
            return s;
    }
}

static dp_status grow(seg_lang_t *lang)
{
    size_t ncap = lang->cap ? lang->cap * 2 : 256;
    seg_slot_t *ns = dp_calloc(ncap, sizeof *ns);
    if (!ns)
        return DP_ENOMEM;
    seg_slot_t *old = lang->slots;
    size_t ocap = lang->cap;
    lang->slots = ns;
    lang->cap = ncap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].used)
            *find_slot(lang, lang->pool + old[i].off, old[i].len, old[i].hash) = old[i];
    dp_free(old);
    return DP_OK;
}

/* Adds flags to the word (lower-cased); for abbreviation types the new type
 * replaces the old one. */
static dp_status put_word(seg_lang_t *lang, const char *word, size_t len, unsigned flags)
{
    char key[SEG_KEY_MAX];
    size_t klen = lower_key(word, len, key);
    if (klen == 0)
        return DP_OK;
    if ((lang->count + 1) * 2 > lang->cap && grow(lang) != DP_OK)
        return DP_ENOMEM;
    uint64_t h = fnv1a(key, klen);
    seg_slot_t *s = find_slot(lang, key, klen, h);
    if (!s->used) {
        if (lang->pool_len + klen > lang->pool_cap) {
            size_t ncap = lang->pool_cap ? lang->pool_cap * 2 : 4096;
            while (ncap < lang->pool_len + klen)
                ncap *= 2;
            char *np = dp_realloc(lang->pool, ncap);
            if (!np)
                return DP_ENOMEM;
            lang->pool = np;
            lang->pool_cap = ncap;
        }
        memcpy(lang->pool + lang->pool_len, key, klen);
        s->hash = h;
        s->off = (uint32_t)lang->pool_len;
        s->len = (uint16_t)klen;
        s->used = 1;
        s->flags = 0;
        lang->pool_len += klen;
        lang->count++;
    }
    if (flags & SEG_W_ABBR_MASK)
        s->flags = (uint8_t)((s->flags & ~SEG_W_ABBR_MASK) | (flags & SEG_W_ABBR_MASK));
    s->flags = (uint8_t)(s->flags | (flags & ~SEG_W_ABBR_MASK));
    return DP_OK;
}

unsigned seg_lang_lookup(const seg_lang_t *lang, const char *word, size_t len)
{
    if (!lang || lang->count == 0 || len == 0 || len > SEG_KEY_MAX)
        return 0;
    char key[SEG_KEY_MAX];
    size_t klen = lower_key(word, len, key);
    if (klen == 0)
        return 0;
    const seg_slot_t *s = find_slot(lang, key, klen, fnv1a(key, klen));
    return s->used ? s->flags : 0;
}

/* Reads a whole file; *data is NUL-terminated and freed with dp_free.
 * DP_ENOTFOUND when it does not exist. */
static dp_status read_file(const char *path, char **data, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return DP_ENOTFOUND;
        snprintf(err, errlen, "%s: cannot open (%s)", path, strerror(errno));
        return DP_EIO;
    }
    dp_status rc = DP_EIO;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (cap - n < 4096) {
            size_t ncap = cap ? cap * 2 : 8192;
            char *nb = dp_realloc(buf, ncap);
            if (!nb) {
                rc = DP_ENOMEM;
                snprintf(err, errlen, "%s: out of memory", path);
                goto fail;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        snprintf(err, errlen, "%s: read error", path);
        goto fail;
    }
    fclose(f);
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return DP_OK;
fail:
    dp_free(buf);
    fclose(f);
    return rc;
}

/* Calls fn for each line of path without comments ('#' at the start) and
 * surrounding spaces. A missing optional file is no error. */
typedef dp_status (*line_fn)(seg_lang_t *lang, char *line, size_t len, const char *path,
                             size_t lineno, char *err, size_t errlen);

static dp_status each_line(seg_lang_t *lang, const char *path, bool required, line_fn fn,
                           char *err, size_t errlen)
{
    char *data = NULL;
    size_t len = 0;
    dp_status rc = read_file(path, &data, &len, err, errlen);
    if (rc == DP_ENOTFOUND) {
        if (!required)
            return DP_OK;
        snprintf(err, errlen, "%s: no such file (a language pack needs it)", path);
        return rc;
    }
    if (rc != DP_OK)
        return rc;
    size_t lineno = 0;
    char *p = data, *end = data + len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *e = nl ? nl : end;
        lineno++;
        char *a = p, *b = e;
        while (a < b && (*a == ' ' || *a == '\t' || *a == '\r'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r'))
            b--;
        if (b > a && *a != '#') {
            *b = '\0';
            rc = fn(lang, a, (size_t)(b - a), path, lineno, err, errlen);
            if (rc != DP_OK)
                break;
        }
        p = nl ? nl + 1 : end;
    }
    dp_free(data);
    return rc;
}

static dp_status abbr_line(seg_lang_t *lang, char *line, size_t len, const char *path,
                           size_t lineno, char *err, size_t errlen)
{
    size_t w = 0;
    while (w < len && line[w] != ' ' && line[w] != '\t')
        w++;
    const char *type = line + w;
    while (*type == ' ' || *type == '\t')
        type++;
    unsigned t = SEG_ABBR_PLAIN;
    if (*type == '\0' || strcmp(type, "plain") == 0)
        t = SEG_ABBR_PLAIN;
    else if (strcmp(type, "prefix") == 0)
        t = SEG_ABBR_PREFIX;
    else if (strcmp(type, "number") == 0)
        t = SEG_ABBR_NUMBER;
    else if (strcmp(type, "time") == 0)
        t = SEG_ABBR_TIME;
    else {
        snprintf(err, errlen, "%s: line %zu: unknown abbreviation type '%s' (expected plain, "
                 "prefix, number or time)", path, lineno, type);
        return DP_EFORMAT;
    }
    /* A final full stop written by habit is not part of the key. */
    if (w > 1 && line[w - 1] == '.')
        w--;
    if (put_word(lang, line, w, t) != DP_OK) {
        snprintf(err, errlen, "%s: out of memory", path);
        return DP_ENOMEM;
    }
    return DP_OK;
}

static dp_status flag_line(seg_lang_t *lang, char *line, size_t len, const char *path,
                           unsigned flag, char *err, size_t errlen)
{
    if (put_word(lang, line, len, flag) != DP_OK) {
        snprintf(err, errlen, "%s: out of memory", path);
        return DP_ENOMEM;
    }
    return DP_OK;
}

static dp_status starter_line(seg_lang_t *lang, char *line, size_t len, const char *path,
                              size_t lineno, char *err, size_t errlen)
{
    (void)lineno;
    return flag_line(lang, line, len, path, SEG_W_STARTER, err, errlen);
}

static dp_status fronted_line(seg_lang_t *lang, char *line, size_t len, const char *path,
                              size_t lineno, char *err, size_t errlen)
{
    (void)lineno;
    return flag_line(lang, line, len, path, SEG_W_FRONTED, err, errlen);
}

static dp_status calendar_line(seg_lang_t *lang, char *line, size_t len, const char *path,
                               size_t lineno, char *err, size_t errlen)
{
    (void)lineno;
    return flag_line(lang, line, len, path, SEG_W_CALENDAR, err, errlen);
}

static dp_status bang_line(seg_lang_t *lang, char *line, size_t len, const char *path,
                           size_t lineno, char *err, size_t errlen)
{
    (void)lineno;
    if (len > 1 && line[len - 1] == '!')
        len--;
    return flag_line(lang, line, len, path, SEG_W_BANG, err, errlen);
}

static dp_status cue_line(seg_lang_t *lang, char *line, size_t len, const char *path,
                          size_t lineno, char *err, size_t errlen)
{
    (void)len;
    char *tab = strchr(line, '\t');
    if (!tab) {
        snprintf(err, errlen, "%s: line %zu: expected KIND<TAB>PREFIX", path, lineno);
        return DP_EFORMAT;
    }
    *tab = '\0';
    seg_para_kind_t kind;
    if (strcmp(line, "byline") == 0)
        kind = SEG_PARA_BYLINE;
    else if (strcmp(line, "dateline") == 0)
        kind = SEG_PARA_DATELINE;
    else if (strcmp(line, "caption") == 0)
        kind = SEG_PARA_CAPTION;
    else if (strcmp(line, "heading") == 0)
        kind = SEG_PARA_HEADING;
    else {
        snprintf(err, errlen, "%s: line %zu: unknown kind '%s' (expected byline, dateline, "
                 "caption or heading)", path, lineno, line);
        return DP_EFORMAT;
    }
    const char *prefix = tab + 1;
    while (*prefix == ' ' || *prefix == '\t')
        prefix++;
    if (*prefix == '\0')
        return DP_OK;
    seg_cue_t *nc = dp_realloc(lang->cues, (lang->ncues + 1) * sizeof *nc);
    if (!nc)
        goto nomem;
    lang->cues = nc;
    char *copy = dp_strdup(prefix);
    if (!copy)
        goto nomem;
    lang->cues[lang->ncues].kind = kind;
    lang->cues[lang->ncues].prefix = copy;
    lang->cues[lang->ncues].len = strlen(copy);
    lang->ncues++;
    return DP_OK;
nomem:
    snprintf(err, errlen, "%s: out of memory", path);
    return DP_ENOMEM;
}

static dp_status conf_line(seg_lang_t *lang, char *line, size_t len, const char *path,
                           size_t lineno, char *err, size_t errlen)
{
    (void)len;
    char *eq = strchr(line, '=');
    if (!eq) {
        snprintf(err, errlen, "%s: line %zu: expected KEY = VALUE", path, lineno);
        return DP_EFORMAT;
    }
    char *ke = eq;
    while (ke > line && (ke[-1] == ' ' || ke[-1] == '\t'))
        ke--;
    *ke = '\0';
    char *v = eq + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    if (strcmp(line, "pronoun_letter") == 0) {
        size_t p = 0, vl = strlen(v);
        lang->pronoun_letter = vl ? seg_next(v, vl, &p) : 0;
    } else if (strcmp(line, "ordinal_period") == 0) {
        lang->ordinal_period = strcmp(v, "yes") == 0 || strcmp(v, "true") == 0;
    } else if (strcmp(line, "abbreviation_before_capital") == 0) {
        if (strcmp(v, "split") == 0)
            lang->abbr_split = true;
        else if (strcmp(v, "starter") == 0)
            lang->abbr_split = false;
        else {
            snprintf(err, errlen, "%s: line %zu: abbreviation_before_capital is '%s' (expected "
                     "split or starter)", path, lineno, v);
            return DP_EFORMAT;
        }
    } else {
        snprintf(err, errlen, "%s: line %zu: unknown key '%s' (expected pronoun_letter, "
                 "ordinal_period or abbreviation_before_capital)", path, lineno, line);
        return DP_EFORMAT;
    }
    return DP_OK;
}

static dp_status load_file(seg_lang_t *lang, const char *dir, const char *name, bool required,
                           line_fn fn, char *err, size_t errlen)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof path) {
        snprintf(err, errlen, "%s: path too long", dir);
        return DP_EINVAL;
    }
    return each_line(lang, path, required, fn, err, errlen);
}

dp_status seg_lang_load(const char *dir, const char *code, seg_lang_t **out, char *err,
                        size_t errlen)
{
    *out = NULL;
    seg_lang_t *lang = dp_calloc(1, sizeof *lang);
    if (!lang) {
        snprintf(err, errlen, "out of memory");
        return DP_ENOMEM;
    }
    snprintf(lang->code, sizeof lang->code, "%s", code);
    lang->abbr_split = true;
    dp_status rc;
    if ((rc = grow(lang)) != DP_OK) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if ((rc = load_file(lang, dir, "abbreviations.txt", true, abbr_line, err, errlen)) != DP_OK ||
        (rc = load_file(lang, dir, "starters.txt", false, starter_line, err, errlen)) != DP_OK ||
        (rc = load_file(lang, dir, "fronted.txt", false, fronted_line, err, errlen)) != DP_OK ||
        (rc = load_file(lang, dir, "calendar.txt", false, calendar_line, err, errlen)) != DP_OK ||
        (rc = load_file(lang, dir, "cues.txt", false, cue_line, err, errlen)) != DP_OK ||
        (rc = load_file(lang, dir, "exclamations.txt", false, bang_line, err, errlen)) != DP_OK ||
        (rc = load_file(lang, dir, "segment.conf", false, conf_line, err, errlen)) != DP_OK)
        goto fail;
    *out = lang;
    return DP_OK;
fail:
    seg_lang_free(lang);
    return rc;
}

dp_status seg_lang_add_abbreviations(seg_lang_t *lang, const char *path, char *err,
                                     size_t errlen)
{
    return each_line(lang, path, true, abbr_line, err, errlen);
}

void seg_lang_free(seg_lang_t *lang)
{
    if (!lang)
        return;
    for (size_t i = 0; i < lang->ncues; i++)
        dp_free(lang->cues[i].prefix);
    dp_free(lang->cues);
    dp_free(lang->slots);
    dp_free(lang->pool);
    dp_free(lang);
}

const char *seg_lang_code(const seg_lang_t *lang)
{
    return lang->code;
}

int32_t seg_lang_pronoun_letter(const seg_lang_t *lang)
{
    return lang->pronoun_letter;
}

bool seg_lang_ordinal_period(const seg_lang_t *lang)
{
    return lang->ordinal_period;
}

bool seg_lang_abbr_split_before_capital(const seg_lang_t *lang)
{
    return lang->abbr_split;
}

const seg_cue_t *seg_lang_cues(const seg_lang_t *lang, size_t *n)
{
    *n = lang->ncues;
    return lang->cues;
}
