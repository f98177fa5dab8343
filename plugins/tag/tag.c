/* The tag plugin (PARALLEL): adds the `entity` layer with PERSON, ORG, LOC,
 * DATE, TIME, MONEY, PERCENT, QUANTITY, EMAIL and URL mentions, each with
 * attrs {"canonical", "value", "confidence"}. This file is the glue: options,
 * loading the gazetteers and patterns once in init, and the per-document
 * steps (patterns, tokens, name rules, linking, filtering). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "docpipe/alloc.h"
#include "docpipe/date.h"
#include "docpipe/hash.h"
#include "docpipe/plugin.h"
#include "tag_lists.h"
#include "tag_pipeline.h"

#define MAX_LABELS 32

/* One distinct (label, canonical, value, confidence) of a document: every
 * span with the same ones shares this attrs object (one reference each),
 * since news repeats its names and an object costs several allocations to
 * build and free. The table only borrows attrs; it lives for one call. */
typedef struct attr_slot {
    uint64_t h;
    const char *label; /* interned; NULL: an empty slot */
    const char *canon; /* the mention's canonical or its text; not NUL-terminated */
    size_t clen;
    int conf;          /* hundredths when written, else -1 */
    json_t *value;     /* borrowed (held by attrs) */
    json_t *attrs;     /* borrowed (held by the layer's spans) */
} attr_slot_t;

typedef struct attr_table {
    attr_slot_t *v;
    size_t cap; /* allocated slots (a power of two) */
} attr_table_t;

/* What a worker thread keeps between documents. */
typedef struct tag_worker {
    tag_gaz_cache_t *cache;
    tag_toks_t toks;
    attr_table_t attrs;
} tag_worker_t;

typedef struct tag_state {
    dp_host_t *host;
    tag_gaz_t *gaz;
    tag_patterns_t *patterns;
    const char *labels[MAX_LABELS]; /* interned */
    size_t nlabels;
    double min_confidence;
    int link;
    int write_confidence;
} tag_state_t;

static const dp_option_spec_t tag_options[] = {
    {"labels", DP_OPT_STRING_LIST,
     "[\"PERSON\",\"ORG\",\"LOC\",\"DATE\",\"TIME\",\"MONEY\",\"PERCENT\",\"QUANTITY\",\"EMAIL\","
     "\"URL\"]",
     "Entity labels to keep (any of PERSON ORG LOC DATE TIME MONEY PERCENT QUANTITY EMAIL URL, or a "
     "label of your own patterns).",
     NULL, 0, 0, 0},
    {"gazetteers", DP_OPT_STRING_LIST,
     "[" TAG_SHIPPED_LISTS(TAG_JSON_STRING, ",") "]",
     "The name lists loaded (TSV: name, kind, canonical; see configs/gazetteers/SOURCES.md).", NULL,
     0, 0, 0},
    {"extra_gazetteers", DP_OPT_STRING_LIST, "[]",
     "More name lists of your own, loaded after the built-in ones (kinds PERSON, ORG, LOC for known "
     "names).",
     NULL, 0, 0, 0},
    {"patterns", DP_OPT_STRING, "\"tag/patterns.txt\"",
     "The pattern file for DATE, TIME, MONEY, PERCENT, QUANTITY, EMAIL and URL (LABEL<TAB>PCRE2).",
     NULL, 0, 0, 0},
    {"extra_patterns", DP_OPT_STRING_LIST, "[]",
     "More pattern files of your own; their patterns come after the built-in ones.", NULL, 0, 0, 0},
    {"min_confidence", DP_OPT_NUMBER, "0.5",
     "Drop entities whose rule confidence (0..1, in attrs.confidence) is below this.", NULL,
     DP_OPT_HAS_MIN | DP_OPT_HAS_MAX, 0, 1},
    {"confidence", DP_OPT_BOOLEAN, "false",
     "Also write each entity's rule confidence as attrs.confidence (for combining with other "
     "recognisers).",
     NULL, 0, 0, 0},
    {"link", DP_OPT_BOOLEAN, "true",
     "Link short later mentions (\"Norov\", \"the SCO\") to the full mention's label and canonical.",
     NULL, 0, 0, 0},
    {NULL, 0, NULL, NULL, NULL, 0, 0, 0}};

static void tag_fini(void *state)
{
    tag_state_t *s = state;
    if (!s)
        return;
    tag_gaz_free(s->gaz);
    tag_patterns_free(s->patterns);
    dp_free(s);
}

static dp_status load_list(tag_state_t *s, const json_t *list, int patterns)
{
    size_t i;
    json_t *v;
    char err[512];
    json_array_foreach(list, i, v) {
        const char *rel = json_string_value(v);
        if (!rel)
            continue;
        char *path = dp_host_find_data(s->host, rel);
        if (!path)
            return DP_ENOTFOUND; /* the host has said which places it tried */
        dp_status rc = patterns ? tag_patterns_load_file(s->patterns, path, err, sizeof err)
                                : tag_gaz_load_file(s->gaz, path, err, sizeof err);
        dp_free(path);
        if (rc != DP_OK) {
            dp_host_error(s->host, "%s", err);
            return rc;
        }
    }
    return DP_OK;
}

static dp_status tag_init(const json_t *options, dp_host_t *host, void **state)
{
    tag_state_t *s = dp_calloc(1, sizeof *s);
    dp_status rc = DP_ENOMEM;
    char err[512];
    if (!s)
        goto fail;
    s->host = host;
    s->gaz = tag_gaz_new();
    s->patterns = tag_patterns_new();
    if (!s->gaz || !s->patterns) {
        dp_host_error(host, "out of memory");
        goto fail;
    }
    if ((rc = load_list(s, json_object_get(options, "gazetteers"), 0)) ||
        (rc = load_list(s, json_object_get(options, "extra_gazetteers"), 0)))
        goto fail;
    json_t *one = json_array();
    if (!one) {
        rc = DP_ENOMEM;
        goto fail;
    }
    json_array_append(one, json_object_get(options, "patterns"));
    rc = load_list(s, one, 1);
    json_decref(one);
    if (rc || (rc = load_list(s, json_object_get(options, "extra_patterns"), 1)))
        goto fail;
    if ((rc = tag_patterns_compile(s->patterns, err, sizeof err))) {
        dp_host_error(host, "%s", err);
        goto fail;
    }
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(options, "labels"), i, v) {
        if (s->nlabels == MAX_LABELS) {
            dp_host_error(host, "labels: at most %d labels", MAX_LABELS);
            rc = DP_EINVAL;
            goto fail;
        }
        s->labels[s->nlabels] = dp_intern(json_string_value(v));
        if (!s->labels[s->nlabels]) {
            rc = DP_ENOMEM;
            goto fail;
        }
        s->nlabels++;
    }
    s->min_confidence = json_number_value(json_object_get(options, "min_confidence"));
    s->link = json_is_true(json_object_get(options, "link"));
    s->write_confidence = json_is_true(json_object_get(options, "confidence"));
    *state = s;
    return DP_OK;
fail:
    tag_fini(s);
    return rc;
}

/* ---- per document ----------------------------------------------------------- */

/* The reference date for year-less and relative dates: meta.date, else
 * the source's mtime. */
static const dp_date_t *reference_date(dp_doc_t *doc, dp_date_t *ref)
{
    const char *d = json_string_value(json_object_get(dp_doc_meta(doc), "date"));
    if (d && dp_date_parse_iso(d, strlen(d), ref) == DP_OK && ref->year)
        return ref;
    int64_t mt = dp_doc_source(doc)->mtime;
    if (mt > 0) {
        time_t t = (time_t)mt;
        struct tm tm;
        if (gmtime_r(&t, &tm)) {
            memset(ref, 0, sizeof *ref);
            ref->year = tm.tm_year + 1900;
            ref->month = tm.tm_mon + 1;
            ref->day = tm.tm_mday;
            ref->precision = DP_DATE_DAY;
            return ref;
        }
    }
    return NULL;
}

/* The interned label for a mention's label when it is kept, else NULL.
 * Mentions point at a few static label strings, so a small map from those
 * pointers saves comparing strings for every mention. */
typedef struct label_map {
    const char *key[MAX_LABELS];
    const char *val[MAX_LABELS];
    size_t n;
} label_map_t;

static const char *kept_label(const tag_state_t *s, label_map_t *map, const char *label)
{
    for (size_t i = 0; i < map->n; i++)
        if (map->key[i] == label)
            return map->val[i];
    const char *found = NULL;
    for (size_t i = 0; i < s->nlabels; i++)
        if (strcmp(s->labels[i], label) == 0) {
            found = s->labels[i];
            break;
        }
    if (map->n < MAX_LABELS) {
        map->key[map->n] = label;
        map->val[map->n] = found;
        map->n++;
    }
    return found;
}

/* Equal and written the same: like json_equal, but reals compare by their
 * bits (0.0 and -0.0 print differently) and objects in key order. */
static int json_same(const json_t *a, const json_t *b)
{
    if (a == b)
        return 1;
    if (!a || !b || json_typeof(a) != json_typeof(b))
        return 0;
    switch (json_typeof(a)) {
    case JSON_STRING:
        return json_string_length(a) == json_string_length(b) &&
               memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
    case JSON_INTEGER:
        return json_integer_value(a) == json_integer_value(b);
    case JSON_REAL: {
        double x = json_real_value(a), y = json_real_value(b);
        return memcmp(&x, &y, sizeof x) == 0;
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(a);
        if (n != json_array_size(b))
            return 0;
        for (size_t i = 0; i < n; i++)
            if (!json_same(json_array_get(a, i), json_array_get(b, i)))
                return 0;
        return 1;
    }
    case JSON_OBJECT: {
        if (json_object_size(a) != json_object_size(b))
            return 0;
        void *ia = json_object_iter((json_t *)a), *ib = json_object_iter((json_t *)b);
        for (; ia && ib; ia = json_object_iter_next((json_t *)a, ia),
                         ib = json_object_iter_next((json_t *)b, ib))
            if (strcmp(json_object_iter_key(ia), json_object_iter_key(ib)) != 0 ||
                !json_same(json_object_iter_value(ia), json_object_iter_value(ib)))
                return 0;
        return !ia && !ib;
    }
    default: /* true, false, null: the type says it all */
        return 1;
    }
}

/* Makes t ready for up to n distinct attrs: *mask receives the slot mask of
 * the part used (cleared). DP_ENOMEM on failure. */
static dp_status attr_table_prepare(attr_table_t *t, size_t n, size_t *mask)
{
    size_t want = 64;
    while (want < 2 * n)
        want *= 2;
    if (want > t->cap) {
        attr_slot_t *v = dp_malloc(want * sizeof *v);
        if (!v)
            return DP_ENOMEM;
        dp_free(t->v);
        t->v = v;
        t->cap = want;
    }
    memset(t->v, 0, want * sizeof *t->v);
    *mask = want - 1;
    return DP_OK;
}

static void attr_table_free(attr_table_t *t)
{
    dp_free(t->v);
    t->v = NULL;
    t->cap = 0;
}

/* A new attrs object for mention x: {"canonical", "value", "confidence"}
 * in that order. Takes x->value. NULL when out of memory. */
static json_t *new_attrs(tag_mention_t *x, const char *canon, size_t clen, int conf)
{
    json_t *attrs = json_object();
    if (!attrs)
        return NULL;
    /* Both are valid UTF-8 (the text always is; the lists are checked
     * when loaded), so Jansson need not check them again. */
    if (json_object_set_new_nocheck(attrs, "canonical", json_stringn_nocheck(canon, clen)))
        goto fail;
    if (x->value) {
        json_t *value = x->value;
        x->value = NULL;
        if (json_object_set_new_nocheck(attrs, "value", value))
            goto fail;
    }
    /* off by default: every attribute costs allocations, and the entity
     * layer is large */
    if (conf >= 0 &&
        json_object_set_new_nocheck(attrs, "confidence", json_real((double)conf / 100)))
        goto fail;
    return attrs;
fail:
    json_decref(attrs);
    return NULL;
}

static dp_status tag_process(void *state, void *worker, dp_doc_t *doc)
{
    tag_state_t *s = state;
    tag_worker_t *w = worker;
    size_t len;
    const char *text = dp_doc_text(doc, &len);
    tag_mentions_t m = {NULL, 0, 0};
    size_t *starts = NULL, nsent = 0;
    dp_status rc = DP_OK;
    dp_date_t refbuf;
    const dp_date_t *ref = reference_date(doc, &refbuf);
    attr_table_t own = {NULL, 0};
    attr_table_t *table = w ? &w->attrs : &own;

    dp_layer_t *layer = dp_doc_add_layer(doc, "entity");
    if (!layer) {
        rc = DP_ENOMEM;
        goto fail;
    }
    dp_layer_t *sent = dp_doc_layer(doc, "sentence");
    if (sent && dp_layer_count(sent)) {
        nsent = dp_layer_count(sent);
        starts = dp_malloc(nsent * sizeof *starts);
        if (!starts) {
            rc = DP_ENOMEM;
            goto fail;
        }
        const dp_span_t *sp = dp_layer_spans(sent);
        for (size_t i = 0; i < nsent; i++)
            starts[i] = sp[i].start;
    }

    if (w) {
        rc = tag_run_with(s->gaz, s->patterns, text, len, starts, nsent, ref, s->link, &m,
                          &w->toks);
        /* a huge document's token array is not kept for the small ones after it */
        if (w->toks.cap > (1u << 20))
            tag_toks_free(&w->toks);
    } else {
        rc = tag_run(s->gaz, s->patterns, text, len, starts, nsent, ref, s->link, &m);
    }
    if (rc == DP_ERR) {
        dp_host_error(s->host, "pattern matching failed on this text");
        goto fail;
    }
    if (rc)
        goto fail;
    if (m.n == 0)
        goto fail; /* nothing to add (rc is DP_OK) */
    size_t mask;
    if ((rc = dp_layer_reserve(layer, m.n)) || (rc = attr_table_prepare(table, m.n, &mask)))
        goto fail;
    label_map_t labels = {{NULL}, {NULL}, 0};
    for (size_t i = 0; i < m.n; i++) {
        tag_mention_t *x = &m.v[i];
        if (x->conf < s->min_confidence)
            continue;
        const char *label = kept_label(s, &labels, x->label);
        if (!label)
            continue;
        const char *canon = x->canonical ? x->canonical : text + x->start;
        size_t clen = x->canonical ? strlen(x->canonical) : x->end - x->start;
        int conf = s->write_confidence ? (int)(x->conf * 100 + 0.5f) : -1;
        uint64_t h = dp_hash64(canon, clen) ^ ((uint64_t)(uintptr_t)label * 0x9e3779b97f4a7c15u) ^
                     (uint64_t)(conf + 1);
        attr_slot_t *slot;
        for (size_t k = (size_t)h & mask;; k = (k + 1) & mask) {
            slot = &table->v[k];
            if (!slot->label ||
                (slot->h == h && slot->label == label && slot->conf == conf &&
                 slot->clen == clen && memcmp(slot->canon, canon, clen) == 0 &&
                 json_same(slot->value, x->value)))
                break;
        }
        json_t *attrs = slot->attrs;
        if (slot->label) {
            json_incref(attrs); /* one more span holds it; x->value is freed with m */
        } else {
            attrs = new_attrs(x, canon, clen, conf);
            if (!attrs) {
                rc = DP_ENOMEM;
                goto fail;
            }
            slot->h = h;
            slot->label = label;
            slot->canon = canon;
            slot->clen = clen;
            slot->conf = conf;
            slot->value = json_object_get(attrs, "value");
            slot->attrs = attrs;
        }
        /* the label is interned already: added without one, then written
         * in place, it skips the intern table's lock and lookup */
        if ((rc = dp_layer_add(layer, x->start, x->end, NULL, attrs))) {
            dp_host_error(s->host, "cannot add an entity span (%s)", dp_strerror(rc));
            goto fail;
        }
        dp_layer_spans(layer)[dp_layer_count(layer) - 1].label = label;
    }

fail:
    if (rc == DP_ENOMEM)
        dp_host_error(s->host, "out of memory");
    /* a huge document's table is not kept for the small ones after it */
    if (table->cap > (1u << 16))
        attr_table_free(table);
    attr_table_free(&own);
    tag_mentions_free(&m);
    dp_free(starts);
    return rc;
}

/* Each worker thread gets its own lookup cache for the shared gazetteer
 * and buffers kept from one document to the next. */
static dp_status tag_worker_init(void *state, void **worker)
{
    tag_state_t *s = state;
    tag_worker_t *w = dp_calloc(1, sizeof *w);
    if (!w) {
        dp_host_error(s->host, "out of memory");
        return DP_ENOMEM;
    }
    /* without memory for a cache, lookups just go to the table */
    w->cache = tag_gaz_cache_new();
    tag_gaz_use_cache(w->cache);
    *worker = w;
    return DP_OK;
}

static void tag_worker_fini(void *state, void *worker)
{
    (void)state;
    tag_worker_t *w = worker;
    if (!w)
        return;
    tag_gaz_cache_free(w->cache);
    tag_toks_free(&w->toks);
    attr_table_free(&w->attrs);
    dp_free(w);
}

DP_PLUGIN_DEFINE = {
    .abi = DP_ABI_VERSION,
    .size = sizeof(dp_plugin_t),
    .name = "tag",
    .version = "1.0.0",
    .description = "Named entities (PERSON, ORG, LOC) from gazetteers and rules, and DATE, TIME, "
                   "MONEY, PERCENT, QUANTITY, EMAIL, URL from patterns, with canonical forms and "
                   "values",
    .options = tag_options,
    .threading = DP_THREADING_PARALLEL,
    .init = tag_init,
    .process = tag_process,
    .fini = tag_fini,
    .worker_init = tag_worker_init,
    .worker_fini = tag_worker_fini,
};
