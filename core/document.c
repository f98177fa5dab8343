/* The document model (docpipe/document.h and doc_internal.h): id, source,
 * raw bytes, text, metadata, layers of plain span structs, results, and the
 * run state the core keeps on each document. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc_internal.h"
#include "docpipe/alloc.h"
#include "docpipe/encoding.h"
#include "docpipe/hash.h"
#include "docpipe/utf8.h"

struct dp_layer {
    const dp_doc_t *doc; /* the owner, for bounds checks */
    char *name;
    dp_span_t *spans;
    size_t count;
    size_t cap;
};

struct dp_doc {
    json_t *id_json;
    char *id;
    dp_source_t source;
    char *bundle;
    char *entry;
    unsigned char *raw;
    size_t raw_len;
    char *text;
    size_t text_len;
    json_t *meta;
    json_t *results;
    dp_layer_t **layers;
    size_t n_layers;
    size_t cap_layers;
    dp__doc_state_t state;
    char *fail_stage;
    char *fail_message;
    const char *current_stage;
};

static char empty_text[1] = "";

/* ---- interning ---------------------------------------------------------- */

/* Interned strings live for the whole process and are never freed, so the
 * table uses the C library's allocator directly: it must not depend on a hook
 * that a test may swap or make fail between two calls. */
static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
static char **intern_slots;
static size_t intern_cap;
static size_t intern_count;

static char **intern_find(char **slots, size_t cap, const char *s, uint64_t h)
{
    size_t i = (size_t)h & (cap - 1);
    while (slots[i] && strcmp(slots[i], s) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

const char *dp_intern(const char *s)
{
    if (!s)
        return NULL;
    uint64_t h = dp_hash64(s, strlen(s));
    const char *result = NULL;
    pthread_mutex_lock(&intern_lock);
    if ((intern_count + 1) * 2 > intern_cap) {
        size_t cap = intern_cap ? intern_cap * 2 : 256;
        char **slots = calloc(cap, sizeof *slots);
        if (!slots)
            goto done;
        for (size_t i = 0; i < intern_cap; i++)
            if (intern_slots[i])
                *intern_find(slots, cap, intern_slots[i],
                             dp_hash64(intern_slots[i], strlen(intern_slots[i]))) = intern_slots[i];
        free(intern_slots);
        intern_slots = slots;
        intern_cap = cap;
    }
    char **slot = intern_find(intern_slots, intern_cap, s, h);
    if (!*slot) {
        char *copy = strdup(s);
        if (!copy)
            goto done;
        *slot = copy;
        intern_count++;
    }
    result = *slot;
done:
    pthread_mutex_unlock(&intern_lock);
    return result;
}

/* ---- creation ------------------------------------------------------------ */

dp_doc_t *dp__doc_new(json_t *id_json)
{
    dp_doc_t *doc = NULL;
    if (!id_json)
        return NULL;
    doc = dp_calloc(1, sizeof *doc);
    if (!doc)
        goto fail;
    doc->id_json = id_json;
    if (json_is_string(id_json)) {
        doc->id = dp_strndup(json_string_value(id_json), json_string_length(id_json));
    } else if (json_is_integer(id_json)) {
        char tmp[32];
        snprintf(tmp, sizeof tmp, "%" JSON_INTEGER_FORMAT, json_integer_value(id_json));
        doc->id = dp_strdup(tmp);
    } else {
        char *dump = json_dumps(id_json, JSON_COMPACT | JSON_ENCODE_ANY);
        doc->id = dump ? dp_strdup(dump) : NULL;
        free(dump);
    }
    doc->meta = json_object();
    doc->results = json_object();
    if (!doc->id || !doc->meta || !doc->results) {
        dp__doc_free(doc);
        return NULL;
    }
    doc->text = empty_text;
    doc->source.bundle = "";
    return doc;
fail:
    json_decref(id_json);
    return NULL;
}

static void layer_free(dp_layer_t *layer)
{
    if (!layer)
        return;
    for (size_t i = 0; i < layer->count; i++)
        json_decref(layer->spans[i].attrs);
    dp_free(layer->spans);
    dp_free(layer->name);
    dp_free(layer);
}

void dp__doc_free(dp_doc_t *doc)
{
    if (!doc)
        return;
    for (size_t i = 0; i < doc->n_layers; i++)
        layer_free(doc->layers[i]);
    dp_free(doc->layers);
    json_decref(doc->id_json);
    json_decref(doc->meta);
    json_decref(doc->results);
    dp_free(doc->id);
    dp_free(doc->bundle);
    dp_free(doc->entry);
    dp_free(doc->raw);
    if (doc->text != empty_text)
        dp_free(doc->text);
    dp_free(doc->fail_stage);
    dp_free(doc->fail_message);
    dp_free(doc);
}

dp_status dp__doc_set_source(dp_doc_t *doc, const char *bundle, const char *entry, int64_t mtime)
{
    char *b = dp_strdup(bundle ? bundle : "");
    char *e = entry ? dp_strdup(entry) : NULL;
    if (!b || (entry && !e)) {
        dp_free(b);
        dp_free(e);
        return DP_ENOMEM;
    }
    dp_free(doc->bundle);
    dp_free(doc->entry);
    doc->bundle = b;
    doc->entry = e;
    doc->source.bundle = b;
    doc->source.entry = e;
    doc->source.mtime = mtime;
    return DP_OK;
}

void dp__doc_set_encoding(dp_doc_t *doc, const char *static_label, uint64_t repaired)
{
    doc->source.encoding = static_label;
    doc->source.repaired_bytes = repaired;
}

void dp__doc_take_raw(dp_doc_t *doc, unsigned char *raw, size_t len)
{
    dp_free(doc->raw);
    doc->raw = raw;
    doc->raw_len = len;
    doc->source.bytes = len;
}

void dp__doc_set_bytes(dp_doc_t *doc, uint64_t bytes)
{
    doc->source.bytes = bytes;
}

void dp__doc_drop_raw(dp_doc_t *doc)
{
    dp_free(doc->raw);
    doc->raw = NULL;
    doc->raw_len = 0;
}

dp_status dp__doc_decode(dp_doc_t *doc)
{
    char *text = NULL;
    size_t text_len = 0;
    const char *label = NULL;
    uint64_t repaired = 0;
    dp_status rc = dp_encoding_decode(doc->raw ? doc->raw : (const unsigned char *)"",
                                      doc->raw_len, &text, &text_len, &label, &repaired);
    if (rc != DP_OK)
        return rc;
    if (doc->text != empty_text)
        dp_free(doc->text);
    doc->text = text;
    doc->text_len = text_len;
    dp__doc_set_encoding(doc, label, repaired);
    return DP_OK;
}

void dp__doc_fail(dp_doc_t *doc, const char *stage, const char *message)
{
    if (doc->state == DP__DOC_FAILED)
        return;
    doc->state = DP__DOC_FAILED;
    doc->fail_stage = dp_strdup(stage ? stage : "?");
    doc->fail_message = dp_strdup(message ? message : "failed");
}

void dp__doc_filter(dp_doc_t *doc)
{
    doc->state = DP__DOC_FILTERED;
}

dp__doc_state_t dp__doc_state(const dp_doc_t *doc)
{
    return doc->state;
}

const char *dp__doc_fail_stage(const dp_doc_t *doc)
{
    if (doc->state != DP__DOC_FAILED)
        return NULL;
    return doc->fail_stage ? doc->fail_stage : "?";
}

const char *dp__doc_fail_message(const dp_doc_t *doc)
{
    if (doc->state != DP__DOC_FAILED)
        return NULL;
    /* The copy may have failed for lack of memory; the failure still counts. */
    return doc->fail_message ? doc->fail_message : "failed (message lost: out of memory)";
}

size_t dp__doc_weight(const dp_doc_t *doc)
{
    size_t w = sizeof *doc + doc->raw_len + doc->text_len;
    for (size_t i = 0; i < doc->n_layers; i++)
        w += doc->layers[i]->cap * sizeof(dp_span_t);
    return w;
}

void dp__doc_set_current_stage(dp_doc_t *doc, const char *stage)
{
    doc->current_stage = stage;
}

const char *dp__doc_current_stage(const dp_doc_t *doc)
{
    return doc->current_stage;
}

/* ---- public accessors ---------------------------------------------------- */

const char *dp_doc_id(const dp_doc_t *doc)
{
    return doc->id;
}

const json_t *dp_doc_id_json(const dp_doc_t *doc)
{
    return doc->id_json;
}

const dp_source_t *dp_doc_source(const dp_doc_t *doc)
{
    return &doc->source;
}

const unsigned char *dp_doc_raw(const dp_doc_t *doc, size_t *len)
{
    if (len)
        *len = doc->raw_len;
    return doc->raw;
}

const char *dp_doc_text(const dp_doc_t *doc, size_t *len)
{
    if (len)
        *len = doc->text_len;
    return doc->text;
}

/* Installs text (valid UTF-8, from dp_malloc, len bytes) as the document's
 * text, taking ownership. */
static dp_status install_text(dp_doc_t *doc, char *text, size_t len)
{
    if (doc->n_layers > 0) {
        dp_free(text);
        return DP_ESTATE;
    }
    if (doc->text != empty_text)
        dp_free(doc->text);
    doc->text = text;
    doc->text[len] = '\0';
    doc->text_len = len;
    return DP_OK;
}

dp_status dp__doc_take_valid_text(dp_doc_t *doc, char *text, size_t len)
{
    return install_text(doc, text, len);
}

dp_status dp_doc_take_text(dp_doc_t *doc, char *text, size_t len)
{
    if (doc->n_layers == 0 && !dp_utf8_valid(text, len)) {
        dp_free(text);
        return DP_EUTF8;
    }
    return install_text(doc, text, len);
}

dp_status dp_doc_set_text(dp_doc_t *doc, const char *text, size_t len)
{
    if (doc->n_layers > 0)
        return DP_ESTATE;
    if (!dp_utf8_valid(text, len))
        return DP_EUTF8;
    char *copy = dp_malloc(len + 1);
    if (!copy)
        return DP_ENOMEM;
    memcpy(copy, text, len);
    return install_text(doc, copy, len);
}

json_t *dp_doc_meta(dp_doc_t *doc)
{
    return doc->meta;
}

/* ---- layers --------------------------------------------------------------- */

dp_layer_t *dp_doc_layer(const dp_doc_t *doc, const char *name)
{
    for (size_t i = 0; i < doc->n_layers; i++)
        if (strcmp(doc->layers[i]->name, name) == 0)
            return doc->layers[i];
    return NULL;
}

dp_layer_t *dp_doc_add_layer(dp_doc_t *doc, const char *name)
{
    dp_layer_t *layer = dp_doc_layer(doc, name);
    if (layer)
        return layer;
    if (doc->n_layers == doc->cap_layers) {
        size_t cap = doc->cap_layers ? doc->cap_layers * 2 : 4;
        dp_layer_t **layers = dp_realloc(doc->layers, cap * sizeof *layers);
        if (!layers)
            return NULL;
        doc->layers = layers;
        doc->cap_layers = cap;
    }
    layer = dp_calloc(1, sizeof *layer);
    if (!layer)
        return NULL;
    layer->doc = doc;
    layer->name = dp_strdup(name);
    if (!layer->name) {
        dp_free(layer);
        return NULL;
    }
    doc->layers[doc->n_layers++] = layer;
    return layer;
}

dp_status dp_doc_remove_layer(dp_doc_t *doc, const char *name)
{
    for (size_t i = 0; i < doc->n_layers; i++) {
        if (strcmp(doc->layers[i]->name, name) == 0) {
            layer_free(doc->layers[i]);
            memmove(&doc->layers[i], &doc->layers[i + 1],
                    (doc->n_layers - i - 1) * sizeof *doc->layers);
            doc->n_layers--;
            return DP_OK;
        }
    }
    return DP_ENOTFOUND;
}

size_t dp_doc_layer_count(const dp_doc_t *doc)
{
    return doc->n_layers;
}

dp_layer_t *dp_doc_layer_at(const dp_doc_t *doc, size_t i)
{
    return i < doc->n_layers ? doc->layers[i] : NULL;
}

const char *dp_layer_name(const dp_layer_t *layer)
{
    return layer->name;
}

dp_status dp_layer_reserve(dp_layer_t *layer, size_t n)
{
    if (n <= layer->cap - layer->count)
        return DP_OK;
    if (n > SIZE_MAX / sizeof(dp_span_t) - layer->count)
        return DP_ENOMEM;
    size_t need = layer->count + n;
    size_t cap = layer->cap ? layer->cap : 16;
    size_t max_cap = SIZE_MAX / sizeof(dp_span_t);
    while (cap < need)
        cap = cap > max_cap / 2 ? max_cap : cap * 2;
    dp_span_t *spans = dp_realloc(layer->spans, cap * sizeof *spans);
    if (!spans)
        return DP_ENOMEM;
    layer->spans = spans;
    layer->cap = cap;
    return DP_OK;
}

dp_status dp_layer_add(dp_layer_t *layer, size_t start, size_t end, const char *label,
                       json_t *attrs)
{
    /* The text cannot change while layers exist, so checking against it
     * now keeps every span valid for the document's life. */
    const unsigned char *text = (const unsigned char *)layer->doc->text;
    if (start > end || end > layer->doc->text_len ||
        (start < layer->doc->text_len && !dp_utf8_is_boundary(text[start])) ||
        (end < layer->doc->text_len && !dp_utf8_is_boundary(text[end]))) {
        json_decref(attrs);
        return DP_EINVAL;
    }
    if (layer->count == layer->cap && dp_layer_reserve(layer, 1) != DP_OK) {
        json_decref(attrs);
        return DP_ENOMEM;
    }
    const char *interned = NULL;
    if (label) {
        interned = dp_intern(label);
        if (!interned) {
            json_decref(attrs);
            return DP_ENOMEM;
        }
    }
    dp_span_t *span = &layer->spans[layer->count++];
    span->start = start;
    span->end = end;
    span->label = interned;
    span->attrs = attrs;
    return DP_OK;
}

size_t dp_layer_count(const dp_layer_t *layer)
{
    return layer->count;
}

dp_span_t *dp_layer_spans(const dp_layer_t *layer)
{
    return layer->spans;
}

static int span_compare(const void *a, const void *b)
{
    const dp_span_t *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end > y->end ? -1 : 1;
    return 0;
}

void dp_layer_sort(dp_layer_t *layer)
{
    size_t n = layer->count;
    bool sorted = true;
    for (size_t i = 1; i < n && sorted; i++)
        sorted = span_compare(&layer->spans[i - 1], &layer->spans[i]) <= 0;
    if (sorted)
        return;
    /* A bottom-up merge sort: stable, unlike qsort, so equal spans keep the
     * order their stage gave them. Without scratch memory, fall back to
     * insertion sort (also stable, only slower). */
    dp_span_t *a = layer->spans;
    dp_span_t *b = dp_malloc(n * sizeof *b);
    if (!b) {
        for (size_t i = 1; i < n; i++) {
            dp_span_t key = a[i];
            size_t j = i;
            while (j > 0 && span_compare(&a[j - 1], &key) > 0) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = key;
        }
        return;
    }
    dp_span_t *src = a, *dst = b;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = span_compare(&src[j], &src[i]) < 0 ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        dp_span_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
    dp_free(b);
}

void dp_layer_clear(dp_layer_t *layer)
{
    for (size_t i = 0; i < layer->count; i++)
        json_decref(layer->spans[i].attrs);
    layer->count = 0;
}

/* ---- results --------------------------------------------------------------- */

static const char *const reserved_results[] = {"id",     "source", "meta",    "text",
                                               "annotations", "format", "offsets", NULL};

dp_status dp_doc_set_result(dp_doc_t *doc, const char *name, json_t *value)
{
    for (size_t i = 0; reserved_results[i]; i++) {
        if (strcmp(name, reserved_results[i]) == 0) {
            json_decref(value);
            return DP_EINVAL;
        }
    }
    if (!value)
        return DP_EINVAL;
    return json_object_set_new(doc->results, name, value) == 0 ? DP_OK : DP_ENOMEM;
}

json_t *dp_doc_result(const dp_doc_t *doc, const char *name)
{
    return json_object_get(doc->results, name);
}

const json_t *dp_doc_results(const dp_doc_t *doc)
{
    return doc->results;
}
