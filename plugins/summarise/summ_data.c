/* Loading the summarise stage's shared data files: stop words per language,
 * the part-of-speech lexicon and morphy rules built from WordNet, and the
 * optional background document frequencies. Everything is read once in init
 * and then only read by the workers, so no locking is needed. */
#include "summ.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads a whole file into a NUL-terminated buffer the caller frees. */
static dp_status read_file(const char *path, char **out, size_t *len, char *err, size_t errcap)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, used = 0;
    if (f == NULL) {
        snprintf(err, errcap, "%s: cannot open (%s)", path, strerror(errno));
        return DP_EIO;
    }
    for (;;) {
        if (cap - used < 65536) {
            size_t ncap = cap ? cap * 2 : 131072;
            char *nb = dp_realloc(buf, ncap + 1);
            if (nb == NULL) {
                goto nomem;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + used, 1, cap - used, f);
        used += got;
        if (got == 0) {
            break;
        }
    }
    if (ferror(f)) {
        snprintf(err, errcap, "%s: read error", path);
        fclose(f);
        dp_free(buf);
        return DP_EIO;
    }
    fclose(f);
    buf[used] = '\0';
    *out = buf;
    *len = used;
    return DP_OK;
nomem:
    fclose(f);
    dp_free(buf);
    snprintf(err, errcap, "%s: out of memory", path);
    return DP_ENOMEM;
}

/* Calls fn on each line of buf that is neither blank nor a # comment, with
 * the line's trailing CR and spaces removed. Stops at the first error. */
typedef dp_status (*line_fn)(void *ctx, char *line, size_t len, size_t lineno);

static dp_status for_each_line(char *buf, size_t len, line_fn fn, void *ctx)
{
    size_t pos = 0, lineno = 0;
    while (pos < len) {
        char *line = buf + pos;
        char *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + (nl ? 1 : 0);
        lineno++;
        while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t')) {
            n--;
        }
        if (n == 0 || line[0] == '#') {
            continue;
        }
        line[n] = '\0';
        dp_status rc = fn(ctx, line, n, lineno);
        if (rc != DP_OK) {
            return rc;
        }
    }
    return DP_OK;
}

static dp_status stop_line(void *ctx, char *line, size_t len, size_t lineno)
{
    (void)lineno;
    return dp_map_put((dp_map_t *)ctx, line, len, (void *)1);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static dp_status load_lists(summ_data_t *data, const char *dir, bool phrase, char *err,
                           size_t errcap);

dp_status summ_data_load_stopwords(summ_data_t *data, const char *dir, char *err, size_t errcap)
{
    return load_lists(data, dir, false, err, errcap);
}

dp_status summ_data_load_phrase_stopwords(summ_data_t *data, const char *dir, char *err,
                                          size_t errcap)
{
    return load_lists(data, dir, true, err, errcap);
}

/* Loads every "<code>.txt" of dir, in name order, into the stop (or the
 * phrase_stop) set of the language code, adding the language if new. */
static dp_status load_lists(summ_data_t *data, const char *dir, bool phrase, char *err,
                           size_t errcap)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n_names = 0;
    dp_status rc = DP_OK;
    if (d == NULL) {
        snprintf(err, errcap, "%s: cannot open folder (%s)", dir, strerror(errno));
        return DP_EIO;
    }
    /* Collect and sort the names so the languages load in a stable order. */
    while ((e = readdir(d)) != NULL) {
        size_t nl = strlen(e->d_name);
        if (nl < 5 || nl - 4 >= sizeof(data->langs[0].code) ||
            strcmp(e->d_name + nl - 4, ".txt") != 0 || e->d_name[0] == '.') {
            continue;
        }
        char **nn = dp_realloc(names, (n_names + 1) * sizeof(*names));
        if (nn == NULL) {
            rc = DP_ENOMEM;
            break;
        }
        names = nn;
        names[n_names] = dp_strdup(e->d_name);
        if (names[n_names] == NULL) {
            rc = DP_ENOMEM;
            break;
        }
        n_names++;
    }
    closedir(d);
    if (rc != DP_OK) {
        snprintf(err, errcap, "%s: out of memory", dir);
        goto done;
    }
    qsort(names, n_names, sizeof(*names), cmp_names);
    for (size_t i = 0; i < n_names && rc == DP_OK; i++) {
        char path[4096];
        char *buf = NULL;
        size_t len = 0;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        rc = read_file(path, &buf, &len, err, errcap);
        if (rc != DP_OK) {
            break;
        }
        char code[sizeof(data->langs[0].code)] = "";
        memcpy(code, names[i], strlen(names[i]) - 4);
        summ_lang_t *lang = (summ_lang_t *)summ_data_lang(data, code);
        if (lang == NULL) {
            summ_lang_t *nl = dp_realloc(data->langs, (data->n_langs + 1) * sizeof(*nl));
            if (nl == NULL) {
                dp_free(buf);
                rc = DP_ENOMEM;
                snprintf(err, errcap, "%s: out of memory", path);
                break;
            }
            data->langs = nl;
            lang = &data->langs[data->n_langs++];
            memset(lang, 0, sizeof(*lang));
            memcpy(lang->code, code, sizeof(code));
        }
        dp_map_t **set = phrase ? &lang->phrase_stop : &lang->stop;
        if (*set == NULL) {
            *set = dp_map_new();
        }
        if (*set == NULL) {
            dp_free(buf);
            rc = DP_ENOMEM;
            snprintf(err, errcap, "%s: out of memory", path);
            break;
        }
        rc = for_each_line(buf, len, stop_line, *set);
        dp_free(buf);
        if (rc != DP_OK) {
            snprintf(err, errcap, "%s: out of memory", path);
        }
    }
done:
    for (size_t i = 0; i < n_names; i++) {
        dp_free(names[i]);
    }
    dp_free(names);
    return rc;
}

static summ_lang_t *lang_add(summ_data_t *data, const char *code)
{
    summ_lang_t *lang = (summ_lang_t *)summ_data_lang(data, code);
    if (lang != NULL) {
        return lang;
    }
    summ_lang_t *nl = dp_realloc(data->langs, (data->n_langs + 1) * sizeof(*nl));
    if (nl == NULL) {
        return NULL;
    }
    data->langs = nl;
    lang = &data->langs[data->n_langs++];
    memset(lang, 0, sizeof(*lang));
    memcpy(lang->code, code, strlen(code)); /* callers check the length */
    return lang;
}

typedef struct langs_ctx {
    summ_data_t *data;
    const char *path;
    char *err;
    size_t errcap;
} langs_ctx_t;

static dp_status lang_line(void *vctx, char *line, size_t len, size_t lineno)
{
    langs_ctx_t *ctx = vctx;
    char *tab = memchr(line, '\t', len);
    if (tab == NULL || tab == line || (size_t)(tab - line) >= sizeof(ctx->data->langs[0].code) ||
        strcmp(tab + 1, "capitalised-nouns") != 0) {
        snprintf(ctx->err, ctx->errcap, "%s: line %zu: expected code<TAB>capitalised-nouns",
                 ctx->path, lineno);
        return DP_EFORMAT;
    }
    *tab = '\0';
    summ_lang_t *lang = lang_add(ctx->data, line);
    if (lang == NULL) {
        snprintf(ctx->err, ctx->errcap, "%s: out of memory", ctx->path);
        return DP_ENOMEM;
    }
    lang->capitalised_nouns = true;
    return DP_OK;
}

dp_status summ_data_load_languages(summ_data_t *data, const char *path, char *err, size_t errcap)
{
    char *buf = NULL;
    size_t len = 0;
    langs_ctx_t ctx = {data, path, err, errcap};
    dp_status rc = read_file(path, &buf, &len, err, errcap);
    if (rc != DP_OK) {
        return rc;
    }
    rc = for_each_line(buf, len, lang_line, &ctx);
    dp_free(buf);
    return rc;
}

typedef struct lex_ctx {
    summ_data_t *data;
    size_t used, cap;
    const char *path;
    char *err;
    size_t errcap;
} lex_ctx_t;

static dp_status lex_line(void *vctx, char *line, size_t len, size_t lineno)
{
    lex_ctx_t *ctx = vctx;
    char *tab = memchr(line, '\t', len);
    unsigned long v[4];
    char *p;
    if (tab == NULL) {
        goto bad;
    }
    p = tab + 1;
    for (int i = 0; i < 4; i++) {
        char *end;
        errno = 0;
        v[i] = strtoul(p, &end, 10);
        if (end == p || errno != 0 || v[i] > UINT32_MAX || (i < 3 && *end != '\t') ||
            (i == 3 && *end != '\0' && *end != '\t')) {
            goto bad;
        }
        p = end + 1;
        if (i == 3 && *end == '\0') {
            p = end;
        }
    }
    uint32_t flags = 0;
    for (; *p != '\0'; p++) {
        if (*p == 'n') {
            flags |= SUMM_LEX_NUMBER;
        } else if (*p == 't') {
            flags |= SUMM_LEX_TIME;
        } else {
            goto bad;
        }
    }
    if (ctx->used == ctx->cap) {
        /* The pool is sized from a line count up front; never grows. */
        goto bad;
    }
    summ_pos_t *pos = &ctx->data->pos_pool[ctx->used++];
    pos->noun = (uint32_t)v[0];
    pos->verb = (uint32_t)v[1];
    pos->adj = (uint32_t)v[2];
    pos->adv = (uint32_t)v[3];
    pos->flags = flags;
    return dp_map_put(ctx->data->lexicon, line, (size_t)(tab - line), pos);
bad:
    snprintf(ctx->err, ctx->errcap, "%s: line %zu: expected word<TAB>noun<TAB>verb<TAB>adj<TAB>adv[<TAB>flags]",
             ctx->path, lineno);
    return DP_EFORMAT;
}

static int pos_from_name(const char *s)
{
    if (strcmp(s, "noun") == 0) {
        return SUMM_POS_NOUN;
    }
    if (strcmp(s, "verb") == 0) {
        return SUMM_POS_VERB;
    }
    if (strcmp(s, "adj") == 0) {
        return SUMM_POS_ADJ;
    }
    return -1;
}

static dp_status morph_line(void *vctx, char *line, size_t len, size_t lineno)
{
    lex_ctx_t *ctx = vctx;
    char *f[3];
    size_t nf = 0;
    char *p = line;
    (void)len;
    while (nf < 3) {
        f[nf++] = p;
        char *tab = strchr(p, '\t');
        if (tab == NULL) {
            break;
        }
        *tab = '\0';
        p = tab + 1;
    }
    int pos = nf == 3 ? pos_from_name(f[0]) : -1;
    if (pos < 0 || strlen(f[1]) >= sizeof(ctx->data->rules[0].suffix) ||
        strlen(f[2]) >= sizeof(ctx->data->rules[0].ending)) {
        snprintf(ctx->err, ctx->errcap, "%s: line %zu: expected noun|verb|adj<TAB>suffix<TAB>ending",
                 ctx->path, lineno);
        return DP_EFORMAT;
    }
    summ_morph_rule_t *nr =
        dp_realloc(ctx->data->rules, (ctx->data->n_rules + 1) * sizeof(*nr));
    if (nr == NULL) {
        return DP_ENOMEM;
    }
    ctx->data->rules = nr;
    summ_morph_rule_t *r = &nr[ctx->data->n_rules++];
    memset(r, 0, sizeof(*r));
    r->pos = pos;
    /* Lengths were checked above; the struct was zeroed, so both stay
     * NUL-terminated. */
    r->suffix_len = strlen(f[1]);
    memcpy(r->suffix, f[1], r->suffix_len);
    r->ending_len = strcmp(f[2], "-") == 0 ? 0 : strlen(f[2]);
    memcpy(r->ending, f[2], r->ending_len);
    return DP_OK;
}

dp_status summ_data_load_lexicon(summ_data_t *data, const char *lexicon_path,
                                 const char *morphy_path, char *err, size_t errcap)
{
    char *buf = NULL;
    size_t len = 0, lines = 0;
    lex_ctx_t ctx = {data, 0, 0, lexicon_path, err, errcap};
    dp_status rc = read_file(lexicon_path, &buf, &len, err, errcap);
    if (rc != DP_OK) {
        return rc;
    }
    for (size_t i = 0; i < len; i++) {
        lines += buf[i] == '\n';
    }
    data->pos_pool = dp_calloc(lines + 1, sizeof(summ_pos_t));
    data->lexicon = dp_map_new();
    if (data->pos_pool == NULL || data->lexicon == NULL) {
        rc = DP_ENOMEM;
        snprintf(err, errcap, "%s: out of memory", lexicon_path);
        goto fail;
    }
    ctx.cap = lines + 1;
    rc = for_each_line(buf, len, lex_line, &ctx);
    if (rc != DP_OK) {
        if (rc == DP_ENOMEM) {
            snprintf(err, errcap, "%s: out of memory", lexicon_path);
        }
        goto fail;
    }
    dp_free(buf);
    buf = NULL;
    rc = read_file(morphy_path, &buf, &len, err, errcap);
    if (rc != DP_OK) {
        goto fail;
    }
    ctx.path = morphy_path;
    rc = for_each_line(buf, len, morph_line, &ctx);
    if (rc == DP_ENOMEM) {
        snprintf(err, errcap, "%s: out of memory", morphy_path);
    }
fail:
    dp_free(buf);
    return rc;
}

typedef struct df_ctx {
    summ_data_t *data;
    const char *path;
    char *err;
    size_t errcap;
} df_ctx_t;

static dp_status df_line(void *vctx, char *line, size_t len, size_t lineno)
{
    df_ctx_t *ctx = vctx;
    char *tab = memchr(line, '\t', len);
    char *end;
    unsigned long v;
    if (tab == NULL) {
        goto bad;
    }
    errno = 0;
    v = strtoul(tab + 1, &end, 10);
    if (end == tab + 1 || *end != '\0' || errno != 0 || v >= UINT32_MAX) {
        goto bad;
    }
    if ((size_t)(tab - line) == 5 && memcmp(line, "@docs", 5) == 0) {
        ctx->data->df_docs = (double)v;
        return DP_OK;
    }
    return dp_map_put(ctx->data->df, line, (size_t)(tab - line), (void *)(uintptr_t)(v + 1));
bad:
    snprintf(ctx->err, ctx->errcap, "%s: line %zu: expected stem<TAB>count", ctx->path, lineno);
    return DP_EFORMAT;
}

dp_status summ_data_load_df(summ_data_t *data, const char *path, char *err, size_t errcap)
{
    char *buf = NULL;
    size_t len = 0;
    df_ctx_t ctx = {data, path, err, errcap};
    dp_status rc = read_file(path, &buf, &len, err, errcap);
    if (rc != DP_OK) {
        return rc;
    }
    data->df = dp_map_new();
    if (data->df == NULL) {
        dp_free(buf);
        snprintf(err, errcap, "%s: out of memory", path);
        return DP_ENOMEM;
    }
    rc = for_each_line(buf, len, df_line, &ctx);
    dp_free(buf);
    if (rc == DP_ENOMEM) {
        snprintf(err, errcap, "%s: out of memory", path);
    } else if (rc == DP_OK && data->df_docs < 1) {
        snprintf(err, errcap, "%s: missing the \"@docs<TAB>N\" line", path);
        rc = DP_EFORMAT;
    }
    return rc;
}

const summ_lang_t *summ_data_lang(const summ_data_t *data, const char *code)
{
    for (size_t i = 0; i < data->n_langs; i++) {
        if (strcmp(data->langs[i].code, code) == 0) {
            return &data->langs[i];
        }
    }
    return NULL;
}

void summ_data_free(summ_data_t *data)
{
    for (size_t i = 0; i < data->n_langs; i++) {
        dp_map_free(data->langs[i].stop);
        dp_map_free(data->langs[i].phrase_stop);
    }
    dp_free(data->langs);
    dp_map_free(data->lexicon);
    dp_free(data->pos_pool);
    dp_free(data->rules);
    dp_map_free(data->df);
    memset(data, 0, sizeof(*data));
}
