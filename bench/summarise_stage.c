/* The summarise stage alone, for benchmarks: reads JSON Lines whose sentence
 * (and optionally paragraph) spans are given, runs the summarise plugin's
 * process() on each document and writes what the benchmark scorers read,
 * timing nothing but process() (in thread CPU time). So "articles per second of the stage, input
 * already segmented" is measured without the core, the reader or the other
 * stages.
 *
 * Input, one object a line (offsets in code points, as Python counts):
 *   {"id": ..., "text": "...", "sentences": [[start, end], ...],
 *    "paragraphs": [[start, end, "kind"], ...],   (optional)
 *    "n_sentences": N, "k": K}                     (optional budgets)
 * Output, one object a line:
 *   {"id": ..., "summary": ["sentence", ...], "sentences": [i, ...],
 *    "keyphrases": ["phrase", ...]}
 * usage: summarise_stage_bench DATA_DIR [--repeat R] [--set OPTION=JSON]... < in > out
 * The time of process() and the articles per second go to stderr. */
#include <docpipe/docpipe.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "doc_internal.h"
#include "host_internal.h"

extern const dp_plugin_t docpipe_plugin;

typedef struct inst {
    long long sentences, keywords; /* -1: the options' value */
    void *state, *worker;
    json_t *options;
} inst_t;

static double now_s(void)
{
    struct timespec ts;
    /* CPU time of this thread: "per core" even on a busy machine. */
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Byte offset of code point cp in s (clamped to len). */
static size_t cp_to_byte(const char *s, size_t len, size_t *cursor_b, size_t *cursor_cp, size_t cp)
{
    if (cp < *cursor_cp) {
        *cursor_b = 0;
        *cursor_cp = 0;
    }
    while (*cursor_cp < cp && *cursor_b < len) {
        (*cursor_b)++;
        while (*cursor_b < len && !dp_utf8_is_boundary((unsigned char)s[*cursor_b])) {
            (*cursor_b)++;
        }
        (*cursor_cp)++;
    }
    return *cursor_b;
}

static void add_spans(dp_doc_t *doc, const char *name, json_t *arr)
{
    size_t len;
    const char *text = dp_doc_text(doc, &len);
    size_t cb = 0, ccp = 0, i;
    json_t *v;
    dp_layer_t *layer = dp_doc_add_layer(doc, name);
    if (layer == NULL || !json_is_array(arr)) {
        return;
    }
    json_array_foreach(arr, i, v)
    {
        size_t s = (size_t)json_integer_value(json_array_get(v, 0));
        size_t e = (size_t)json_integer_value(json_array_get(v, 1));
        const char *kind = json_string_value(json_array_get(v, 2));
        size_t bs = cp_to_byte(text, len, &cb, &ccp, s);
        size_t be = cp_to_byte(text, len, &cb, &ccp, e);
        json_t *attrs = kind ? json_pack("{s:s}", "kind", kind) : NULL;
        dp_layer_add(layer, bs, be, NULL, attrs);
    }
}

int main(int argc, char **argv)
{
    const char *data_dir = argc > 1 ? argv[1] : "configs";
    int repeat = 1;
    json_t *base = json_object();
    inst_t insts[64];
    size_t n_insts = 0;
    double busy = 0.0;
    size_t docs = 0;
    char *line = NULL;
    size_t cap = 0;

    json_object_seed(1);
    for (const dp_option_spec_t *o = docpipe_plugin.options; o->name != NULL; o++) {
        json_object_set_new(base, o->name, json_loads(o->default_json, JSON_DECODE_ANY, NULL));
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
            repeat = (int)strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--set") == 0 && i + 1 < argc) {
            char *kv = argv[++i];
            char *eq = strchr(kv, '=');
            if (eq == NULL) {
                fprintf(stderr, "summarise_stage_bench: --set needs OPTION=VALUE\n");
                return 2;
            }
            *eq = '\0';
            json_t *v = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
            json_object_set_new(base, kv, v ? v : json_string(eq + 1));
        } else {
            fprintf(stderr, "usage: summarise_stage_bench DATA_DIR [--repeat R] [--set K=V]...\n");
            return 2;
        }
    }
    json_t *run_info = json_object();
    dp_host_t *host = dp__host_new("summarise", ".", data_dir, run_info, 1);

    while (getline(&line, &cap, stdin) > 0) {
        json_error_t jerr;
        json_t *in = json_loads(line, 0, &jerr);
        if (in == NULL) {
            continue;
        }
        json_t *ns = json_object_get(in, "n_sentences");
        json_t *kk = json_object_get(in, "k");
        long long want_s = ns ? (long long)json_integer_value(ns) : -1;
        long long want_k = kk ? (long long)json_integer_value(kk) : -1;
        inst_t *inst = NULL;
        for (size_t i = 0; i < n_insts; i++) {
            if (insts[i].sentences == want_s && insts[i].keywords == want_k) {
                inst = &insts[i];
            }
        }
        if (inst == NULL && n_insts < 64) {
            inst = &insts[n_insts];
            inst->sentences = want_s;
            inst->keywords = want_k;
            inst->options = json_deep_copy(base);
            if (want_s >= 0) {
                json_object_set_new(inst->options, "sentences", json_integer(want_s));
            }
            if (want_k >= 0) {
                json_object_set_new(inst->options, "keywords", json_integer(want_k));
            }
            if (docpipe_plugin.init(inst->options, host, &inst->state) != DP_OK ||
                docpipe_plugin.worker_init(inst->state, &inst->worker) != DP_OK) {
                fprintf(stderr, "summarise_stage_bench: init: %s\n",
                        dp__host_take_error(DP_ERR));
                return 2;
            }
            n_insts++;
        }
        if (inst == NULL) {
            json_decref(in);
            continue;
        }
        const char *text = json_string_value(json_object_get(in, "text"));
        json_t *out = json_object();
        json_object_set(out, "id", json_object_get(in, "id"));
        for (int r = 0; r < repeat; r++) {
            dp_doc_t *doc = dp__doc_new(json_incref(json_object_get(in, "id")));
            dp_doc_set_text(doc, text ? text : "", text ? strlen(text) : 0);
            add_spans(doc, "paragraph", json_object_get(in, "paragraphs"));
            add_spans(doc, "sentence", json_object_get(in, "sentences"));
            double t0 = now_s();
            dp_status rc = docpipe_plugin.process(inst->state, inst->worker, doc);
            busy += now_s() - t0;
            docs++;
            if (rc != DP_OK) {
                fprintf(stderr, "summarise_stage_bench: %s: %s\n", dp_doc_id(doc),
                        dp__host_take_error(rc));
            } else if (r == repeat - 1) {
                const json_t *sum = dp_doc_result(doc, "summary");
                const json_t *kws = dp_doc_result(doc, "keywords");
                json_t *sents = json_array(), *kp = json_array();
                size_t i, len;
                json_t *v;
                const char *t = dp_doc_text(doc, &len);
                dp_layer_t *sl = dp_doc_layer(doc, "sentence");
                json_array_foreach(json_object_get(sum, "sentences"), i, v)
                {
                    const dp_span_t *sp = &dp_layer_spans(sl)[json_integer_value(v)];
                    json_array_append_new(sents, json_stringn(t + sp->start, sp->end - sp->start));
                }
                json_array_foreach(kws, i, v)
                {
                    json_array_append(kp, json_object_get(v, "text"));
                }
                json_object_set_new(out, "summary", sents);
                json_object_set(out, "sentences", json_object_get(sum, "sentences"));
                json_object_set_new(out, "keyphrases", kp);
            }
            dp__doc_free(doc);
        }
        char *s = json_dumps(out, JSON_COMPACT | JSON_ENSURE_ASCII);
        puts(s);
        free(s);
        json_decref(out);
        json_decref(in);
    }
    for (size_t i = 0; i < n_insts; i++) {
        docpipe_plugin.worker_fini(insts[i].state, insts[i].worker);
        docpipe_plugin.fini(insts[i].state);
        json_decref(insts[i].options);
    }
    fprintf(stderr, "summarise stage: %zu documents in %.3f s of process(): %.0f articles/s\n",
            docs, busy, busy > 0 ? (double)docs / busy : 0.0);
    dp__host_free(host);
    json_decref(run_info);
    json_decref(base);
    free(line);
    return 0;
}
