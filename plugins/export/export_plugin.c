/* The export plugin's descriptor and options table, and the calls the host
 * makes (init, process, bundle_end, flush, fini), which read the options
 * and hand each call to the chosen format (export_<format>.c). */
#include <string.h>

#include "docpipe/alloc.h"
#include "docpipe/plugin.h"
#include "export.h"

static const dp_option_spec_t export_options[] = {
    {"format", DP_OPT_STRING, "\"jsonl\"",
     "Output format: JSON Lines, one JSON file per document (or an archive of them), CSV, "
     "an SQLite database with full-text search, brat standoff pairs, or an HTML digest.",
     "jsonl|json|csv|sqlite|brat|html", 0, 0, 0},
    {"path", DP_OPT_STRING, "\"-\"",
     "Where to write, against the working directory: \"-\" for standard output, or a template "
     "with {bundle} (one output per bundle), {id}, {date} (meta.date or \"undated\") and {stage}; "
     "for json and brat without {id} a folder of per-document files.",
     NULL, 0, 0, 0},
    {"offsets", DP_OPT_STRING, "\"codepoints\"",
     "Unit of span offsets in the output: Unicode code points, UTF-8 bytes or UTF-16 code units.",
     "codepoints|bytes|utf16", 0, 0, 0},
    {"layers", DP_OPT_STRING_LIST, "[\"paragraph\",\"sentence\",\"entity\"]",
     "Annotation layers written (those a document has); add \"token\" for tokens.", NULL, 0, 0,
     0},
    {"if_exists", DP_OPT_STRING, "\"auto\"",
     "What to do with an existing output: replace it atomically, fail (before the run for a "
     "fixed path, else as a failed document), or append (sqlite only); auto replaces files and "
     "appends to an SQLite database.",
     "auto|replace|fail|append", 0, 0, 0},
    {"archive", DP_OPT_STRING, "\"none\"",
     "json only: write every document into one archive at path instead of separate files.",
     "none|tar.gz|zip", 0, 0, 0},
    {"rows", DP_OPT_STRING, "\"documents\"",
     "csv only: one row per document, or one row per entity.", "documents|entities", 0, 0, 0},
    {"labels", DP_OPT_STRING_LIST,
     "[\"PERSON\",\"ORG\",\"LOC\",\"DATE\",\"TIME\",\"MONEY\",\"PERCENT\",\"QUANTITY\","
     "\"EMAIL\",\"URL\"]",
     "csv only (rows documents): entity labels counted in a column each.", NULL, 0, 0, 0},
    {"max_documents", DP_OPT_INTEGER, "1000",
     "html only: documents shown in full in the digest (the rest are listed by title).", NULL,
     DP_OPT_HAS_MIN, 0, 0},
    {NULL, 0, NULL, NULL, NULL, 0, 0, 0},
};

static const ex_format_t *const formats[] = {&ex_format_jsonl, &ex_format_json,
                                             &ex_format_csv,   &ex_format_sqlite,
                                             &ex_format_brat,  &ex_format_html};

/* The option's string, or its default from the table when absent. */
static const char *opt_string(const json_t *options, const char *name, const char *fallback)
{
    const char *s = json_string_value(json_object_get(options, name));
    return s != NULL ? s : fallback;
}

dp_status ex_state_new(const json_t *options, dp_host_t *host, const char *stage,
                       ex_state_t **out)
{
    *out = NULL;
    ex_state_t *st = dp_calloc(1, sizeof *st);
    if (st == NULL) {
        if (host != NULL)
            dp_host_error(host, "out of memory");
        return DP_ENOMEM;
    }
    st->host = host;
    dp_status rc = DP_OK;

    const char *format = opt_string(options, "format", "jsonl");
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(formats[i]->name, format) == 0)
            st->format = formats[i];
    if (st->format == NULL) {
        rc = ex_fail(st, DP_EINVAL, "format \"%s\" is unknown (expected jsonl, json, csv, sqlite, "
                     "brat or html)", format);
        goto fail;
    }

    const char *offsets = opt_string(options, "offsets", "codepoints");
    if (strcmp(offsets, "codepoints") == 0) {
        st->unit = EX_UNIT_CODEPOINTS;
    } else if (strcmp(offsets, "bytes") == 0) {
        st->unit = EX_UNIT_BYTES;
    } else if (strcmp(offsets, "utf16") == 0) {
        st->unit = EX_UNIT_UTF16;
    } else {
        rc = ex_fail(st, DP_EINVAL, "offsets \"%s\" is unknown (expected codepoints, bytes or utf16)",
                     offsets);
        goto fail;
    }

    const char *if_exists = opt_string(options, "if_exists", "auto");
    static const char *const if_names[] = {"auto", "replace", "fail", "append"};
    st->if_exists = (ex_if_exists_t)-1;
    for (int i = 0; i < 4; i++)
        if (strcmp(if_names[i], if_exists) == 0)
            st->if_exists = (ex_if_exists_t)i;
    if ((int)st->if_exists < 0) {
        rc = ex_fail(st, DP_EINVAL,
                     "if_exists \"%s\" is unknown (expected auto, replace, fail or append)", if_exists);
        goto fail;
    }

    const json_t *labels = json_object_get(options, "labels");
    st->labels = labels != NULL ? json_deep_copy(labels)
                                : json_pack("[ssssssssss]", "PERSON", "ORG", "LOC", "DATE", "TIME",
                                            "MONEY", "PERCENT", "QUANTITY", "EMAIL", "URL");
    for (size_t i = 0; i < json_array_size(st->labels); i++) {
        if (!json_is_string(json_array_get(st->labels, i))) {
            rc = ex_fail(st, DP_EINVAL, "labels[%zu] is not a string", i);
            goto fail;
        }
    }
    const json_t *layers = json_object_get(options, "layers");
    if (layers == NULL) {
        st->layers = json_pack("[sss]", "paragraph", "sentence", "entity");
    } else {
        st->layers = json_array();
        for (size_t i = 0; st->layers != NULL && i < json_array_size(layers); i++) {
            const json_t *name = json_array_get(layers, i);
            if (!json_is_string(name)) {
                rc = ex_fail(st, DP_EINVAL, "layers[%zu] is not a string", i);
                goto fail;
            }
            if (json_array_append(st->layers, (json_t *)name) != 0) {
                rc = ex_fail(st, DP_ENOMEM, "out of memory");
                goto fail;
            }
        }
    }
    st->path = dp_strdup(opt_string(options, "path", "-"));
    st->stage = dp_strdup(stage != NULL ? stage : "export");
    st->archive = dp_strdup(opt_string(options, "archive", "none"));
    st->rows = dp_strdup(opt_string(options, "rows", "documents"));
    json_t *max_docs = json_object_get(options, "max_documents");
    st->max_documents = max_docs != NULL ? (long long)json_integer_value(max_docs) : 1000;
    if (st->layers == NULL || st->labels == NULL || st->path == NULL || st->stage == NULL || st->archive == NULL ||
        st->rows == NULL) {
        rc = ex_fail(st, DP_ENOMEM, "out of memory");
        goto fail;
    }
    if (strcmp(st->path, "-") != 0) {
        rc = ex_template_parse(st, st->path, &st->fields);
        if (rc != DP_OK)
            goto fail;
    }
    if (st->if_exists == EX_IF_APPEND && st->format != &ex_format_sqlite) {
        rc = ex_fail(st, DP_EINVAL, "if_exists \"append\" is only for format sqlite");
        goto fail;
    }
    rc = st->format->start(st);
    if (rc != DP_OK)
        goto fail;
    *out = st;
    return DP_OK;
fail:
    /* The format did not start (or cleaned up after itself): free the rest. */
    st->format = NULL;
    ex_state_free(st);
    return rc;
}

void ex_state_free(ex_state_t *st)
{
    if (st == NULL)
        return;
    if (st->format != NULL)
        st->format->stop(st);
    ex_offmap_free(&st->map);
    json_decref(st->layers);
    json_decref(st->labels);
    dp_free(st->path);
    dp_free(st->stage);
    dp_free(st->archive);
    dp_free(st->rows);
    dp_free(st->made_dir);
    dp_free(st);
}

dp_status ex_process(ex_state_t *st, dp_doc_t *doc)
{
    return st->format->process(st, doc);
}

dp_status ex_bundle_end(ex_state_t *st, const char *bundle)
{
    return st->format->bundle_end != NULL ? st->format->bundle_end(st, bundle) : DP_OK;
}

dp_status ex_flush(ex_state_t *st)
{
    dp_status rc = st->format->flush != NULL ? st->format->flush(st) : DP_OK;
    if (rc == DP_OK)
        st->flushed = true;
    return rc;
}

/* ---- the descriptor ----------------------------------------------------------- */

static dp_status export_init(const json_t *options, dp_host_t *host, void **state)
{
    ex_state_t *st;
    dp_status rc = ex_state_new(options, host, dp_host_stage_name(host), &st);
    *state = st;
    return rc;
}

static dp_status export_process(void *state, void *worker, dp_doc_t *doc)
{
    (void)worker;
    return ex_process(state, doc);
}

static dp_status export_bundle_end(void *state, const char *bundle)
{
    return ex_bundle_end(state, bundle);
}

static dp_status export_flush(void *state)
{
    return ex_flush(state);
}

static void export_fini(void *state)
{
    ex_state_free(state);
}

DP_PLUGIN_DEFINE = {
    .abi = DP_ABI_VERSION,
    .size = sizeof(dp_plugin_t),
    .name = "export",
    .version = "1.0.0",
    .description = "Writes documents as JSON Lines, JSON, CSV, SQLite, brat standoff or an HTML digest",
    .options = export_options,
    .threading = DP_THREADING_ORDERED,
    .init = export_init,
    .process = export_process,
    .fini = export_fini,
    .bundle_end = export_bundle_end,
    .flush = export_flush,
};
