/* The segment plugin (PARALLEL): adds the layers `paragraph` (attrs
 * {"kind": "heading" | "list_item" | "dateline" | "byline" | "caption" |
 * "body"}), `sentence` (plain spans) and `token` (label = the token's kind:
 * "word", "number", "punct", "symbol", "url", "email"; no attrs). The rules
 * live in seg_para.c, seg_sent.c and seg_tok.c; the data in language packs
 * under configs/lang/<code>/, chosen by the option `language` or by the
 * document's meta.language.
 *
 * Cheap spans: a token carries its kind as its interned label and no attrs
 * (the token layer of a large document has millions of spans), and every
 * paragraph of one kind shares one read-only attrs object, taken with
 * json_incref (Jansson's reference counts are atomic), so that the stage
 * allocates nothing per span. Stages that read paragraph attrs must not
 * modify them. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "docpipe/docpipe.h"
#include "seg_lang.h"
#include "seg_para.h"
#include "seg_range.h"
#include "seg_sent.h"
#include "seg_tok.h"

#define SEG_MAX_LANGS 32

typedef struct seg_state {
    dp_host_t *host;
    seg_lang_t *langs[SEG_MAX_LANGS];
    size_t nlangs;
    const seg_lang_t *fixed;    /* the `language` option's pack, or NULL for auto */
    const seg_lang_t *fallback; /* en when loaded, else the first pack */
    bool newline_ends;
    bool tokens;
    json_t *kind_attrs[SEG_PARA_KIND_COUNT];
    const char *token_labels[SEG_TOK_KIND_COUNT];
} seg_state_t;

typedef struct seg_worker {
    seg_ranges_t paras, lines, sents, toks;
    seg_sent_scratch_t sent_scratch;
} seg_worker_t;

static const dp_option_spec_t options[] = {
    {"language", DP_OPT_STRING, "\"auto\"",
     "language pack under configs/lang/ (\"en\", \"de\", \"ru\"), or \"auto\": the document's "
     "meta.language when a pack exists for it, else English",
     NULL, 0, 0, 0},
    {"abbreviations", DP_OPT_STRING_LIST, "[]",
     "extra abbreviation files (one per line, optional type plain|prefix|number|time, as in "
     "configs/lang/en/abbreviations.txt), added to every loaded pack",
     NULL, 0, 0, 0},
    {"newline_ends_sentence", DP_OPT_BOOLEAN, "false",
     "every line break inside a paragraph ends a sentence (for text with one sentence a "
     "line); by default a line break is white space unless it separates paragraphs",
     NULL, 0, 0, 0},
    {"tokens", DP_OPT_BOOLEAN, "true",
     "add the token layer (label = word|number|punct|symbol|url|email)", NULL, 0, 0, 0},
    {NULL, 0, NULL, NULL, NULL, 0, 0, 0}};

static void state_free(seg_state_t *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->nlangs; i++)
        seg_lang_free(st->langs[i]);
    for (int k = 0; k < SEG_PARA_KIND_COUNT; k++)
        json_decref(st->kind_attrs[k]);
    dp_free(st);
}

/* Loads configs/lang/<code>/ (found through the host) into st. */
static dp_status load_pack(seg_state_t *st, const char *code, const seg_lang_t **out)
{
    char rel[256];
    snprintf(rel, sizeof rel, "lang/%s/abbreviations.txt", code);
    char *path = dp_host_find_data(st->host, rel);
    if (!path)
        return DP_ENOTFOUND;
    char *slash = strrchr(path, '/');
    if (slash)
        *slash = '\0';
    char err[512];
    seg_lang_t *lang = NULL;
    dp_status rc = seg_lang_load(path, code, &lang, err, sizeof err);
    dp_free(path);
    if (rc != DP_OK) {
        dp_host_error(st->host, "language pack %s: %s", code, err);
        return rc;
    }
    if (st->nlangs == SEG_MAX_LANGS) {
        seg_lang_free(lang);
        dp_host_error(st->host, "more than %d language packs", SEG_MAX_LANGS);
        return DP_ELIMIT;
    }
    st->langs[st->nlangs++] = lang;
    *out = lang;
    return DP_OK;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static bool pack_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 15)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || name[i] == '-' || name[i] == '_'))
            return false;
    return true;
}

/* For "auto": every pack in the data folder's lang/ that has segmentation
 * data (a folder may hold only other stages' files). */
static dp_status load_all_packs(seg_state_t *st)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/lang", dp_host_data_dir(st->host));
    DIR *d = opendir(dir);
    if (!d)
        return DP_OK;
    dp_status rc = DP_OK;
    struct dirent *ent;
    char names[SEG_MAX_LANGS][16];
    size_t n = 0;
    while ((ent = readdir(d)) != NULL && n < SEG_MAX_LANGS) {
        if (!pack_name_ok(ent->d_name))
            continue;
        char probe[4200];
        int w = snprintf(probe, sizeof probe, "%s/%s/abbreviations.txt", dir, ent->d_name);
        struct stat sb;
        if (w < 0 || (size_t)w >= sizeof probe || stat(probe, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        size_t len = strlen(ent->d_name); /* at most 15: pack_name_ok */
        memcpy(names[n], ent->d_name, len + 1);
        n++;
    }
    closedir(d);
    /* Sorted, so that the packs load in the same order on every machine. */
    qsort(names, n, sizeof names[0], compare_names);
    for (size_t i = 0; i < n && rc == DP_OK; i++) {
        const seg_lang_t *l;
        rc = load_pack(st, names[i], &l);
    }
    return rc;
}

static const seg_lang_t *find_loaded(const seg_state_t *st, const char *code, size_t len)
{
    for (size_t i = 0; i < st->nlangs; i++) {
        const char *c = seg_lang_code(st->langs[i]);
        if (strlen(c) == len && strncmp(c, code, len) == 0)
            return st->langs[i];
    }
    return NULL;
}

static dp_status seg_init(const json_t *opts, dp_host_t *host, void **state)
{
    *state = NULL;
    seg_tok_global_init();
    seg_state_t *st = dp_calloc(1, sizeof *st);
    if (!st) {
        dp_host_error(host, "out of memory");
        return DP_ENOMEM;
    }
    st->host = host;
    st->newline_ends = json_is_true(json_object_get(opts, "newline_ends_sentence"));
    st->tokens = !json_is_false(json_object_get(opts, "tokens"));
    const char *language = json_string_value(json_object_get(opts, "language"));
    if (!language)
        language = "auto";
    dp_status rc;
    if (strcmp(language, "auto") == 0) {
        if ((rc = load_all_packs(st)) != DP_OK)
            goto fail;
        st->fallback = find_loaded(st, "en", 2);
        if (!st->fallback) {
            const seg_lang_t *l;
            if ((rc = load_pack(st, "en", &l)) != DP_OK)
                goto fail;
            st->fallback = l;
        }
    } else {
        if (!pack_name_ok(language)) {
            dp_host_error(host, "option language: '%s' is not a language code (expected "
                          "\"auto\" or a folder name under configs/lang/, such as \"en\")",
                          language);
            rc = DP_EINVAL;
            goto fail;
        }
        const seg_lang_t *l;
        if ((rc = load_pack(st, language, &l)) != DP_OK)
            goto fail;
        st->fixed = l;
        st->fallback = l;
    }
    const json_t *extra = json_object_get(opts, "abbreviations");
    size_t i;
    json_t *item;
    json_array_foreach(extra, i, item) {
        const char *rel = json_string_value(item);
        if (!rel)
            continue;
        char *path = dp_host_find_data(host, rel);
        if (!path) {
            rc = DP_ENOTFOUND;
            goto fail;
        }
        char err[512];
        for (size_t k = 0; k < st->nlangs && rc == DP_OK; k++)
            rc = seg_lang_add_abbreviations(st->langs[k], path, err, sizeof err);
        dp_free(path);
        if (rc != DP_OK) {
            dp_host_error(host, "option abbreviations[%zu]: %s", i, err);
            goto fail;
        }
    }
    for (int k = 0; k < SEG_PARA_KIND_COUNT; k++) {
        st->kind_attrs[k] = json_pack("{s:s}", "kind", seg_para_kind_name((seg_para_kind_t)k));
        if (!st->kind_attrs[k]) {
            dp_host_error(host, "out of memory");
            rc = DP_ENOMEM;
            goto fail;
        }
    }
    for (int k = 0; k < SEG_TOK_KIND_COUNT; k++) {
        st->token_labels[k] = dp_intern(seg_tok_kind_name((seg_tok_kind_t)k));
        if (!st->token_labels[k]) {
            dp_host_error(host, "out of memory");
            rc = DP_ENOMEM;
            goto fail;
        }
    }
    *state = st;
    return DP_OK;
fail:
    state_free(st);
    return rc;
}

static void seg_fini(void *state)
{
    state_free(state);
}

static void worker_clear(seg_worker_t *w)
{
    seg_ranges_free(&w->paras);
    seg_ranges_free(&w->lines);
    seg_ranges_free(&w->sents);
    seg_ranges_free(&w->toks);
    seg_sent_scratch_free(&w->sent_scratch);
}

static dp_status seg_worker_init(void *state, void **worker)
{
    (void)state;
    seg_worker_t *w = dp_calloc(1, sizeof *w);
    *worker = w;
    return w ? DP_OK : DP_ENOMEM;
}

static void seg_worker_fini(void *state, void *worker)
{
    (void)state;
    if (worker) {
        worker_clear(worker);
        dp_free(worker);
    }
}

/* The pack for a document: the fixed one, else meta.language's ("de",
 * "de-AT", "DE"), else the fallback. */
static const seg_lang_t *pick_lang(const seg_state_t *st, dp_doc_t *doc)
{
    if (st->fixed)
        return st->fixed;
    const char *code = json_string_value(json_object_get(dp_doc_meta(doc), "language"));
    if (code) {
        char low[16];
        size_t n = 0;
        while (code[n] && n < sizeof low - 1 && code[n] != '-' && code[n] != '_') {
            char c = code[n];
            low[n] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            n++;
        }
        const seg_lang_t *l = find_loaded(st, low, n);
        if (l)
            return l;
    }
    return st->fallback;
}

static dp_status add_all(dp_host_t *host, dp_layer_t *layer, const seg_ranges_t *r,
                         const char *what)
{
    if (dp_layer_reserve(layer, r->n) != DP_OK) {
        dp_host_error(host, "out of memory for %zu %s spans", r->n, what);
        return DP_ENOMEM;
    }
    for (size_t i = 0; i < r->n; i++) {
        dp_status rc = dp_layer_add(layer, r->v[i].start, r->v[i].end, NULL, NULL);
        if (rc != DP_OK) {
            dp_host_error(host, "cannot add %s span [%zu, %zu): %s", what, r->v[i].start,
                          r->v[i].end, dp_strerror(rc));
            return rc;
        }
    }
    return DP_OK;
}

static dp_status run(seg_state_t *st, seg_worker_t *w, dp_doc_t *doc)
{
    size_t len;
    const char *text = dp_doc_text(doc, &len);
    const seg_lang_t *lang = pick_lang(st, doc);
    w->paras.n = w->sents.n = w->toks.n = 0;

    if (seg_paragraphs(lang, text, len, &w->lines, &w->paras) != DP_OK)
        goto nomem;
    for (size_t i = 0; i < w->paras.n; i++) {
        const seg_range_t *p = &w->paras.v[i];
        if (seg_sentences(lang, st->newline_ends, text, p->start, p->end, &w->sent_scratch,
                          &w->sents) != DP_OK)
            goto nomem;
    }

    dp_layer_t *pl = dp_doc_add_layer(doc, "paragraph");
    dp_layer_t *sl = dp_doc_add_layer(doc, "sentence");
    dp_layer_t *tl = st->tokens ? dp_doc_add_layer(doc, "token") : NULL;
    if (!pl || !sl || (st->tokens && !tl))
        goto nomem;
    if (dp_layer_reserve(pl, w->paras.n) != DP_OK)
        goto nomem;
    for (size_t i = 0; i < w->paras.n; i++) {
        const seg_range_t *p = &w->paras.v[i];
        json_t *attrs = st->kind_attrs[p->kind < SEG_PARA_KIND_COUNT ? p->kind : 0];
        dp_status rc = dp_layer_add(pl, p->start, p->end, NULL, json_incref(attrs));
        if (rc != DP_OK) {
            dp_host_error(st->host, "cannot add paragraph span [%zu, %zu): %s", p->start, p->end,
                          dp_strerror(rc));
            return rc;
        }
    }
    dp_status rc = add_all(st->host, sl, &w->sents, "sentence");
    if (rc != DP_OK)
        return rc;
    if (!tl)
        return DP_OK;
    /* Tokens go in paragraph by paragraph, so the scratch array stays small
     * and in cache. Their labels are set in place from interned pointers:
     * dp_layer_add would intern each one again under the interning lock. */
    for (size_t i = 0; i < w->paras.n; i++) {
        const seg_range_t *p = &w->paras.v[i];
        w->toks.n = 0;
        if (seg_tokens(lang, text, p->start, p->end, &w->toks) != DP_OK)
            goto nomem;
        size_t before = dp_layer_count(tl);
        if ((rc = add_all(st->host, tl, &w->toks, "token")) != DP_OK)
            return rc;
        dp_span_t *spans = dp_layer_spans(tl);
        for (size_t k = 0; k < w->toks.n; k++)
            spans[before + k].label = st->token_labels[w->toks.v[k].kind];
    }
    return DP_OK;
nomem:
    dp_host_error(st->host, "out of memory");
    return DP_ENOMEM;
}

static dp_status seg_process(void *state, void *worker, dp_doc_t *doc)
{
    seg_state_t *st = state;
    if (worker)
        return run(st, worker, doc);
    /* A host without worker_init: scratch for this document only. */
    seg_worker_t w;
    memset(&w, 0, sizeof w);
    dp_status rc = run(st, &w, doc);
    worker_clear(&w);
    return rc;
}

DP_PLUGIN_DEFINE = {
    .abi = DP_ABI_VERSION,
    .size = sizeof(dp_plugin_t),
    .name = "segment",
    .version = "1.0.0",
    .description = "paragraphs (with kinds), sentences and tokens, by rules and language packs",
    .options = options,
    .threading = DP_THREADING_PARALLEL,
    .init = seg_init,
    .process = seg_process,
    .fini = seg_fini,
    .worker_init = seg_worker_init,
    .worker_fini = seg_worker_fini,
};
