/* The normalise plugin: the first stage of the default chain. It runs the
 * steps of nz.h in order (mojibake repair, Unicode clean-up, unwrapping with
 * white space and page furniture, boilerplate and repeated lines, then the
 * title, date and language of meta.c and language.c) and replaces the text
 * with the clean form, counting what it repaired and removed in
 * meta.normalise. Options and data are read once in init and shared
 * read-only by every worker. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "docpipe/alloc.h"
#include "docpipe/buf.h"
#include "docpipe/date.h"
#include "docpipe/plugin.h"
#include "nz.h"

#ifdef NZ_HAVE_META
#include "meta.h"
#endif
#ifdef NZ_HAVE_LANGUAGE
#include "language.h"
#endif

static const dp_option_spec_t nz_options[] = {
    {"mojibake", DP_OPT_BOOLEAN, "true",
     "Repair text decoded with the wrong code page (UTF-8 read as windows-1252, latin-1, "
     "windows-1251, windows-1250 or MacRoman), only where the repair is clearly more plausible",
     NULL, 0, 0, 0},
    {"nfc", DP_OPT_BOOLEAN, "true", "Recompose the text to Unicode NFC", NULL, 0, 0, 0},
    {"plain_spaces", DP_OPT_BOOLEAN, "true",
     "Turn no-break spaces and the other space separators into a plain space", NULL, 0, 0, 0},
    {"remove_invisible", DP_OPT_BOOLEAN, "true",
     "Remove zero-width characters, soft hyphens and byte order marks inside the text", NULL, 0,
     0, 0},
    {"remove_controls", DP_OPT_BOOLEAN, "true",
     "Remove control characters other than newline and tab (CRLF and CR become LF always)",
     NULL, 0, 0, 0},
    {"ascii_punctuation", DP_OPT_BOOLEAN, "false",
     "Fold typographic quotes, dashes and the ellipsis to ASCII", NULL, 0, 0, 0},
    {"whitespace", DP_OPT_BOOLEAN, "true",
     "Collapse runs of spaces, drop trailing spaces, one blank line between paragraphs, none at "
     "the ends",
     NULL, 0, 0, 0},
    {"unwrap", DP_OPT_BOOLEAN, "true",
     "Join hard-wrapped lines into one line per paragraph (needs whitespace)", NULL, 0, 0, 0},
    {"join_hyphens", DP_OPT_BOOLEAN, "true",
     "Drop a line-end hyphen that breaks a word (pan-/demic) and keep one of a compound "
     "(ten-/year), decided by the document's vocabulary, the word list and hyphenation patterns",
     NULL, 0, 0, 0},
    {"page_furniture", DP_OPT_BOOLEAN, "true",
     "Remove running headers, footers and page numbers around page breaks", NULL, 0, 0, 0},
    {"word_list", DP_OPT_STRING, "\"normalise/words_en.txt\"",
     "Word list for line-end hyphens (one word a line)", NULL, 0, 0, 0},
    {"hyphenation_patterns", DP_OPT_STRING, "\"normalise/hyph_en_US.dic\"",
     "Liang hyphenation patterns (hyph_*.dic) for line-end hyphens", NULL, 0, 0, 0},
    {"boilerplate", DP_OPT_BOOLEAN, "true",
     "Remove lines that a boilerplate pattern matches entirely (crumbs, share/print/cookie "
     "lines, image credits)",
     NULL, 0, 0, 0},
    {"boilerplate_patterns", DP_OPT_STRING_LIST, "[\"normalise/boilerplate.txt\"]",
     "PCRE2 pattern files, one pattern a line, '#' comments", NULL, 0, 0, 0},
    {"extra_patterns", DP_OPT_STRING_LIST, "[]",
     "More pattern files of the user's, added to boilerplate_patterns", NULL, 0, 0, 0},
    {"dedupe_lines", DP_OPT_BOOLEAN, "true",
     "Remove a short caption or credit line that repeats an earlier line", NULL, 0, 0, 0},
    {"metadata", DP_OPT_BOOLEAN, "true",
     "Set meta.title and meta.date and remove the title echo and date-only lines", NULL, 0, 0,
     0},
    {"language", DP_OPT_BOOLEAN, "true", "Set meta.language (ISO 639-1)", NULL, 0, 0, 0},
    {"language_profiles", DP_OPT_STRING, "\"lang/profiles\"",
     "Folder of language profiles (<code>.lm n-gram files) for meta.language", NULL, 0, 0, 0},
    {"report_removed", DP_OPT_BOOLEAN, "false",
     "List every removed line in meta.normalise.removed", NULL, 0, 0, 0},
    {NULL, 0, NULL, NULL, NULL, 0, 0, 0},
};

typedef struct nz_state {
    dp_host_t *host;
    bool mojibake, whitespace, unwrap, hyphens, furniture, boilerplate, dedupe, metadata,
        language, report;
    nz_clean_opts_t clean;
    nz_lexicon_t *lex;
    nz_boiler_t *boiler;
#ifdef NZ_HAVE_LANGUAGE
    nz_language_t *lang;
#endif
} nz_state_t;

static bool opt_bool(const json_t *o, const char *k)
{
    return json_is_true(json_object_get(o, k));
}

static void nz_fini(void *state)
{
    nz_state_t *st = state;
    if (!st)
        return;
    nz_lexicon_free(st->lex);
    nz_boiler_free(st->boiler);
#ifdef NZ_HAVE_LANGUAGE
    nz_language_free(st->lang);
#endif
    dp_free(st);
}

/* Resolves each path of a string-list option and appends it to paths. */
static dp_status collect_paths(nz_state_t *st, const json_t *list, char **paths, size_t *n,
                               size_t cap)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        if (*n >= cap) {
            dp_host_error(st->host, "too many pattern files (at most %zu)", cap);
            return DP_ELIMIT;
        }
        char *p = dp_host_find_data(st->host, json_string_value(v));
        if (!p)
            return DP_ENOTFOUND;
        paths[(*n)++] = p;
    }
    return DP_OK;
}

static dp_status nz_init(const json_t *options, dp_host_t *host, void **state)
{
    dp_status rc = DP_ENOMEM;
    char err[512] = "";
    char *words = NULL, *patterns = NULL;
    char *files[64];
    size_t nfiles = 0;
    nz_state_t *st = dp_calloc(1, sizeof *st);
    if (!st) {
        dp_host_error(host, "out of memory");
        return DP_ENOMEM;
    }
    st->host = host;
    st->mojibake = opt_bool(options, "mojibake");
    st->whitespace = opt_bool(options, "whitespace");
    st->unwrap = opt_bool(options, "unwrap");
    st->hyphens = opt_bool(options, "join_hyphens");
    st->furniture = opt_bool(options, "page_furniture");
    st->boilerplate = opt_bool(options, "boilerplate");
    st->dedupe = opt_bool(options, "dedupe_lines");
    st->metadata = opt_bool(options, "metadata");
    st->language = opt_bool(options, "language");
    st->report = opt_bool(options, "report_removed");
    st->clean.nfc = opt_bool(options, "nfc");
    st->clean.plain_spaces = opt_bool(options, "plain_spaces");
    st->clean.drop_invisible = opt_bool(options, "remove_invisible");
    st->clean.drop_controls = opt_bool(options, "remove_controls");
    st->clean.ascii_punctuation = opt_bool(options, "ascii_punctuation");

    if (st->mojibake && (rc = nz_mojibake_init()) != DP_OK) {
        dp_host_error(host, "iconv lacks a code page the mojibake repair needs");
        goto fail;
    }
    if (st->whitespace && st->unwrap && st->hyphens) {
        const char *w = json_string_value(json_object_get(options, "word_list"));
        const char *h = json_string_value(json_object_get(options, "hyphenation_patterns"));
        rc = DP_ENOTFOUND;
        if (w && *w && !(words = dp_host_find_data(host, w)))
            goto fail;
        if (h && *h && !(patterns = dp_host_find_data(host, h)))
            goto fail;
        if ((rc = nz_lexicon_load(words, patterns, &st->lex, err, sizeof err)) != DP_OK) {
            dp_host_error(host, "%s", err);
            goto fail;
        }
    }
    if (st->boilerplate) {
        if ((rc = collect_paths(st, json_object_get(options, "boilerplate_patterns"), files,
                                &nfiles, 64)) != DP_OK ||
            (rc = collect_paths(st, json_object_get(options, "extra_patterns"), files, &nfiles,
                                64)) != DP_OK)
            goto fail;
        if ((rc = nz_boiler_load((const char *const *)files, nfiles, &st->boiler, err,
                                 sizeof err)) != DP_OK) {
            dp_host_error(host, "%s", err);
            goto fail;
        }
    }
#ifdef NZ_HAVE_LANGUAGE
    if (st->language) {
        const char *lp = json_string_value(json_object_get(options, "language_profiles"));
        char *dir = lp && *lp ? dp_host_find_data(host, lp) : NULL;
        if (!dir) {
            /* Without profiles the stage still works; it only cannot tell
             * the language. */
            dp_host_log(host, DP_LOG_WARN, "no language profiles (%s): meta.language not set",
                        lp ? lp : "");
        }
        rc = dir ? nz_language_load(dir, &st->lang, err, sizeof err) : DP_OK;
        dp_free(dir);
        if (rc != DP_OK) {
            dp_host_error(host, "%s", err);
            goto fail;
        }
    }
#endif
    for (size_t i = 0; i < nfiles; i++)
        dp_free(files[i]);
    dp_free(words);
    dp_free(patterns);
    *state = st;
    return DP_OK;
fail:
    for (size_t i = 0; i < nfiles; i++)
        dp_free(files[i]);
    dp_free(words);
    dp_free(patterns);
    nz_fini(st);
    return rc;
}

/* Makes the buffer just written the current text and empties the other. */
static void swap(dp_buf_t *cur, dp_buf_t *next)
{
    dp_buf_t t = *cur;
    *cur = *next;
    *next = t;
    dp_buf_clear(next);
}

static json_t *counts_json(const nz_counts_t *c)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
#define NZ_COUNT(name) json_object_set_new(o, #name, json_integer((json_int_t)c->name))
    NZ_COUNT(mojibake);
    NZ_COUNT(nfc);
    NZ_COUNT(spaces);
    NZ_COUNT(invisible);
    NZ_COUNT(controls);
    NZ_COUNT(punctuation);
    NZ_COUNT(lines_joined);
    NZ_COUNT(hyphens_joined);
    NZ_COUNT(hyphens_kept);
    NZ_COUNT(furniture);
    NZ_COUNT(boilerplate);
    NZ_COUNT(duplicates);
    NZ_COUNT(meta_lines);
#undef NZ_COUNT
    return o;
}

#ifdef NZ_HAVE_META
/* The document's mtime as a date, the reference for year-less datelines. */
static bool mtime_date(const dp_doc_t *doc, dp_date_t *d)
{
    int64_t mt = dp_doc_source(doc)->mtime;
    if (mt == 0)
        return false;
    time_t t = (time_t)mt;
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return false;
    memset(d, 0, sizeof *d);
    d->year = tm.tm_year + 1900;
    d->month = tm.tm_mon + 1;
    d->day = tm.tm_mday;
    d->precision = DP_DATE_DAY;
    return true;
}
#endif

/* Whether s[0..len) holds a byte >= 0x80; s may be NULL when len is 0. */
static bool has_high_byte(const char *s, size_t len)
{
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ull)
            return true;
    }
    for (; i < len; i++)
        if ((unsigned char)s[i] >= 0x80)
            return true;
    return false;
}

static dp_status nz_process(void *state, void *worker, dp_doc_t *doc)
{
    (void)worker;
    nz_state_t *st = state;
    nz_counts_t c;
    memset(&c, 0, sizeof c);
    dp_status rc = DP_ENOMEM;
    dp_buf_t cur = DP_BUF_INIT, next = DP_BUF_INIT;
    json_t *removed = st->report ? json_array() : NULL;
    size_t len;
    const char *text = dp_doc_text(doc, &len);
    json_t *meta = dp_doc_meta(doc);

    /* Mojibake needs bytes >= 0x80: ASCII text (most documents) is not
     * copied through the repair, which would return it unchanged. */
    if (st->mojibake && has_high_byte(text, len)) {
        if ((rc = nz_mojibake_fix(text, len, &next, &c.mojibake)) != DP_OK)
            goto fail;
        swap(&cur, &next);
        text = cur.data ? cur.data : "";
        len = cur.len;
    }
    if ((rc = nz_clean(text, len, &st->clean, &next, &c)) != DP_OK)
        goto fail;
    swap(&cur, &next);
    if (st->whitespace) {
        nz_unwrap_opts_t uo = {st->unwrap, st->hyphens, st->furniture, st->lex};
        if ((rc = nz_unwrap(cur.data ? cur.data : "", cur.len, &uo, &next, &c, removed)) !=
            DP_OK)
            goto fail;
        swap(&cur, &next);
        if (st->boilerplate || st->dedupe) {
            if ((rc = nz_boiler_apply(st->boilerplate ? st->boiler : NULL, st->dedupe,
                                      cur.data ? cur.data : "", cur.len, &next, &c, removed)) !=
                DP_OK)
                goto fail;
            swap(&cur, &next);
        }
    }
    if (st->mojibake && st->whitespace) {
        /* Once more on the paragraphs: a line the first pass judged as a
         * whole (mojibake next to odd but real text) may now stand alone,
         * and the stage must not change its own output. Cheap: clean text
         * is skipped eight bytes at a time. */
        size_t again = 0;
        if (has_high_byte(cur.data, cur.len) &&
            (rc = nz_mojibake_fix(cur.data, cur.len, &next, &again)) != DP_OK)
            goto fail;
        if (again) {
            /* what it decoded gets the clean-up too (a no-break space) */
            swap(&cur, &next);
            c.mojibake += again;
            if ((rc = nz_clean(cur.data, cur.len, &st->clean, &next, &c)) != DP_OK)
                goto fail;
            swap(&cur, &next);
            if ((rc = nz_whitespace(cur.data, cur.len, &next)) != DP_OK)
                goto fail;
            swap(&cur, &next);
        } else {
            dp_buf_clear(&next);
        }
    }
#ifdef NZ_HAVE_META
    if (st->metadata) {
        nz_meta_t m;
        dp_date_t ref;
        bool has_ref = mtime_date(doc, &ref);
        if ((rc = nz_meta_extract(cur.data ? cur.data : "", cur.len, has_ref ? &ref : NULL,
                                  &m)) != DP_OK)
            goto fail;
        if (m.n_drop) {
            rc = nz_drop_ranges(cur.data, cur.len, m.drop_start, m.drop_end, m.n_drop, &next,
                                removed, "meta");
            c.meta_lines += m.n_drop;
            if (rc == DP_OK)
                swap(&cur, &next);
        }
        if (rc == DP_OK && m.title)
            json_object_set_new(meta, "title", json_string(m.title));
        if (rc == DP_OK && m.has_date) {
            char iso[40];
            if (dp_date_format(&m.date, iso, sizeof iso))
                json_object_set_new(meta, "date", json_string(iso));
        }
        nz_meta_free(&m);
        if (rc != DP_OK)
            goto fail;
    }
#endif
#ifdef NZ_HAVE_LANGUAGE
    if (st->language) {
        const char *lang = nz_language_detect(st->lang, cur.data ? cur.data : "", cur.len);
        if (lang)
            json_object_set_new(meta, "language", json_string(lang));
    }
#endif
    json_t *counts = counts_json(&c);
    if (counts && removed) {
        json_object_set_new(counts, "removed", removed);
        removed = NULL;
    }
    if (counts)
        json_object_set_new(meta, "normalise", counts);
    {
        size_t n;
        char *out = dp_buf_steal(&cur, &n);
        if (!out) {
            rc = DP_ENOMEM;
            goto fail;
        }
        rc = dp_doc_take_text(doc, out, n);
    }
    dp_buf_free(&next);
    json_decref(removed);
    if (rc != DP_OK)
        dp_host_error(st->host, "cannot replace the text: %s", dp_strerror(rc));
    return rc;
fail:
    dp_buf_free(&cur);
    dp_buf_free(&next);
    json_decref(removed);
    dp_host_error(st->host, "%s", dp_strerror(rc));
    return rc;
}

DP_PLUGIN_DEFINE = {
    .abi = DP_ABI_VERSION,
    .size = sizeof(dp_plugin_t),
    .name = "normalise",
    .version = "1.0.0",
    .description = "Clean, repaired, unwrapped text with title, date and language",
    .options = nz_options,
    .threading = DP_THREADING_PARALLEL,
    .init = nz_init,
    .process = nz_process,
    .fini = nz_fini,
};
