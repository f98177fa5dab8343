/* Unit tests of the segment plugin through its descriptor and the document
 * API: the three layers and their labels and attrs, language choice by
 * option and by meta.language, the options (tokens off, newline ends,
 * extra abbreviations), init errors, and empty documents. */
#include "seg_test.h"

#include <unistd.h>

#include "doc_internal.h"
#include "docpipe/plugin.h"
#include "host_internal.h"

extern const dp_plugin_t docpipe_plugin;

typedef struct fixture {
    dp_host_t *host;
    void *state;
    void *worker;
} fixture_t;

static dp_status start(fixture_t *f, const char *options_json)
{
    memset(f, 0, sizeof *f);
    f->host = dp__host_new("segment", ".", "configs", NULL, 0);
    assert_non_null(f->host);
    json_error_t jerr;
    json_t *opts = json_loads(options_json, 0, &jerr);
    assert_non_null(opts);
    /* The host fills in defaults; do the same here. */
    const char *defaults[][2] = {{"language", "\"auto\""}, {"abbreviations", "[]"},
                                 {"newline_ends_sentence", "false"}, {"tokens", "true"}};
    for (size_t i = 0; i < 4; i++)
        if (!json_object_get(opts, defaults[i][0]))
            json_object_set_new(opts, defaults[i][0],
                                json_loads(defaults[i][1], JSON_DECODE_ANY, &jerr));
    dp_status rc = docpipe_plugin.init(opts, f->host, &f->state);
    json_decref(opts);
    if (rc == DP_OK)
        assert_int_equal(docpipe_plugin.worker_init(f->state, &f->worker), DP_OK);
    return rc;
}

static void stop(fixture_t *f)
{
    if (f->state) {
        docpipe_plugin.worker_fini(f->state, f->worker);
        docpipe_plugin.fini(f->state);
    }
    dp__host_free(f->host);
}

static dp_doc_t *doc_with(const char *text, const char *language)
{
    dp_doc_t *doc = dp__doc_new(json_string("t"));
    assert_non_null(doc);
    assert_int_equal(dp_doc_set_text(doc, text, strlen(text)), DP_OK);
    if (language)
        json_object_set_new(dp_doc_meta(doc), "language", json_string(language));
    return doc;
}

static size_t layer_count(dp_doc_t *doc, const char *name)
{
    dp_layer_t *l = dp_doc_layer(doc, name);
    return l ? dp_layer_count(l) : 0;
}

static void test_layers(void **state)
{
    (void)state;
    fixture_t f;
    assert_int_equal(start(&f, "{}"), DP_OK);
    const char *text = "Quarterly results\n\nMr. Smith rose 3.5% at 09:23. See www.example.org now.";
    dp_doc_t *doc = doc_with(text, NULL);
    assert_int_equal(docpipe_plugin.process(f.state, f.worker, doc), DP_OK);

    dp_layer_t *pl = dp_doc_layer(doc, "paragraph");
    assert_non_null(pl);
    assert_int_equal(dp_layer_count(pl), 2);
    dp_span_t *ps = dp_layer_spans(pl);
    assert_string_equal(json_string_value(json_object_get(ps[0].attrs, "kind")), "heading");
    assert_string_equal(json_string_value(json_object_get(ps[1].attrs, "kind")), "body");
    assert_int_equal(ps[0].start, 0);
    assert_int_equal(ps[0].end, 17);

    assert_int_equal(layer_count(doc, "sentence"), 3);
    dp_layer_t *tl = dp_doc_layer(doc, "token");
    assert_non_null(tl);
    dp_span_t *ts = dp_layer_spans(tl);
    bool saw_url = false, saw_pct = false;
    for (size_t i = 0; i < dp_layer_count(tl); i++) {
        assert_null(ts[i].attrs);
        assert_true(ts[i].label == dp_intern(ts[i].label));
        if (strcmp(ts[i].label, "url") == 0)
            saw_url = ts[i].end - ts[i].start == strlen("www.example.org");
        if (strcmp(ts[i].label, "number") == 0 &&
            strncmp(text + ts[i].start, "3.5%", ts[i].end - ts[i].start) == 0)
            saw_pct = true;
    }
    assert_true(saw_url);
    assert_true(saw_pct);
    dp__doc_free(doc);
    stop(&f);
}

static void test_language_choice(void **state)
{
    (void)state;
    fixture_t f;
    assert_int_equal(start(&f, "{}"), DP_OK);
    const char *text = "Wir trafen Dr. med. Meyer in der Stadt.";
    dp_doc_t *de = doc_with(text, "de");
    assert_int_equal(docpipe_plugin.process(f.state, f.worker, de), DP_OK);
    assert_int_equal(layer_count(de, "sentence"), 1);
    dp__doc_free(de);
    /* Without a language the English pack splits after "med.". */
    dp_doc_t *en = doc_with(text, NULL);
    assert_int_equal(docpipe_plugin.process(f.state, f.worker, en), DP_OK);
    assert_int_equal(layer_count(en, "sentence"), 2);
    dp__doc_free(en);
    dp_doc_t *unknown = doc_with("One. Two.", "xx-YY");
    assert_int_equal(docpipe_plugin.process(f.state, f.worker, unknown), DP_OK);
    assert_int_equal(layer_count(unknown, "sentence"), 2);
    dp__doc_free(unknown);
    stop(&f);

    assert_int_equal(start(&f, "{\"language\": \"de\"}"), DP_OK);
    dp_doc_t *forced = doc_with(text, "en");
    assert_int_equal(docpipe_plugin.process(f.state, f.worker, forced), DP_OK);
    assert_int_equal(layer_count(forced, "sentence"), 1);
    dp__doc_free(forced);
    stop(&f);
}

static void test_options(void **state)
{
    (void)state;
    fixture_t f;
    assert_int_equal(start(&f, "{\"tokens\": false, \"newline_ends_sentence\": true}"), DP_OK);
    dp_doc_t *doc = doc_with("first line\nsecond line", NULL);
    assert_int_equal(docpipe_plugin.process(f.state, f.worker, doc), DP_OK);
    assert_null(dp_doc_layer(doc, "token"));
    assert_int_equal(layer_count(doc, "sentence"), 2);
    dp__doc_free(doc);
    stop(&f);

    char path[] = "/tmp/docpipe-seg-abbr-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    assert_non_null(fp);
    fputs("# test\nblvdx prefix\n", fp);
    fclose(fp);
    char opts[256];
    snprintf(opts, sizeof opts, "{\"abbreviations\": [\"%s\"]}", path);
    dp_status rc = start(&f, opts);
    remove(path);
    assert_int_equal(rc, DP_OK);
    dp_doc_t *d = doc_with("He lives on Main Blvdx. Smith Street is near.", NULL);
    assert_int_equal(docpipe_plugin.process(f.state, f.worker, d), DP_OK);
    assert_int_equal(layer_count(d, "sentence"), 1);
    dp__doc_free(d);
    stop(&f);
}

static void test_init_errors(void **state)
{
    (void)state;
    fixture_t f;
    assert_true(start(&f, "{\"language\": \"xx\"}") < 0);
    stop(&f);
    assert_true(start(&f, "{\"language\": \"../en\"}") < 0);
    stop(&f);
    assert_true(start(&f, "{\"abbreviations\": [\"no/such/file.txt\"]}") < 0);
    stop(&f);
}

static void test_empty_document(void **state)
{
    (void)state;
    fixture_t f;
    assert_int_equal(start(&f, "{}"), DP_OK);
    dp_doc_t *doc = doc_with("", NULL);
    assert_int_equal(docpipe_plugin.process(f.state, f.worker, doc), DP_OK);
    assert_int_equal(layer_count(doc, "paragraph"), 0);
    assert_int_equal(layer_count(doc, "sentence"), 0);
    dp__doc_free(doc);
    /* Without worker state the plugin still works. */
    dp_doc_t *d2 = doc_with("One. Two.", NULL);
    assert_int_equal(docpipe_plugin.process(f.state, NULL, d2), DP_OK);
    assert_int_equal(layer_count(d2, "sentence"), 2);
    dp__doc_free(d2);
    stop(&f);
}

int main(void)
{
    json_object_seed(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layers),
        cmocka_unit_test(test_language_choice),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_init_errors),
        cmocka_unit_test(test_empty_document),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
