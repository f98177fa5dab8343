/* Unit tests of the export plugin's JSON Lines writer: the string encoder,
 * the offset map, the exported document's frame and key order, path
 * templates and their sanitising, and the files it writes (temporary name,
 * rename at bundle end or flush, removal after an aborted run). Every
 * output is parsed back with Jansson. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "doc_internal.h"
#include "docpipe/alloc.h"
#include "docpipe/utf8.h"
#include "export.h"
#include "export_test_files.h"

/* ---- helpers ---------------------------------------------------------------- */

static ex_state_t *new_state(const char *options_json)
{
    json_error_t jerr;
    json_t *options = json_loads(options_json, 0, &jerr);
    assert_non_null(options);
    ex_state_t *st = NULL;
    dp_status rc = ex_state_new(options, NULL, "export", &st);
    json_decref(options);
    if (rc != DP_OK)
        fprintf(stderr, "ex_state_new: %s\n", st == NULL ? "(no state)" : "");
    return st;
}

static dp_doc_t *make_doc(json_t *id, const char *bundle, const char *entry, const char *text)
{
    dp_doc_t *doc = dp__doc_new(id);
    assert_non_null(doc);
    assert_int_equal(dp__doc_set_source(doc, bundle, entry, 0), DP_OK);
    assert_int_equal(dp_doc_set_text(doc, text, strlen(text)), DP_OK);
    return doc;
}

/* Writes doc as the exported document into memory and parses it back. */
static json_t *export_doc(dp_doc_t *doc, ex_unit_t unit, const json_t *layers, char **raw)
{
    ex_state_t st;
    memset(&st, 0, sizeof st);
    ex_out_t out;
    ex_out_init_memory(&st, &out);
    ex_offmap_t map;
    memset(&map, 0, sizeof map);
    assert_int_equal(ex_json_document(&out, doc, &map, unit, layers), DP_OK);
    json_error_t jerr;
    json_t *parsed = json_loadb(out.buf.data, out.buf.len, JSON_ALLOW_NUL, &jerr);
    if (parsed == NULL)
        fprintf(stderr, "parse error: %s at %d\n", jerr.text, jerr.position);
    assert_non_null(parsed);
    if (raw != NULL)
        *raw = dp_buf_steal(&out.buf, NULL);
    dp_buf_free(&out.buf);
    ex_offmap_free(&map);
    return parsed;
}

/* Number of entries in a folder whose name contains needle. */
static int count_entries(const char *dir, const char *needle)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, needle) != NULL)
            n++;
    closedir(d);
    return n;
}

/* ---- the string encoder ---------------------------------------------------- */

static void test_string_escapes(void **unused)
{
    (void)unused;
    static const char input[] = "a\"b\\c\n\t\r\b\f\x01\x1f\x7f caf\xc3\xa9 \xf0\x9f\x98\x80 \0end";
    size_t len = sizeof input - 1;
    ex_state_t st;
    memset(&st, 0, sizeof st);
    ex_out_t out;
    ex_out_init_memory(&st, &out);
    assert_int_equal(ex_json_string(&out, input, len), DP_OK);
    /* Non-ASCII stays UTF-8, NUL is \u0000, controls are escaped. */
    assert_non_null(strstr(out.buf.data, "caf\xc3\xa9"));
    assert_non_null(strstr(out.buf.data, "\\u0000end"));
    assert_non_null(strstr(out.buf.data, "\\u0001\\u001f"));
    assert_non_null(strstr(out.buf.data, "\\n\\t\\r\\b\\f"));
    for (size_t i = 0; i < out.buf.len; i++)
        assert_true((unsigned char)out.buf.data[i] >= 0x20);
    json_error_t jerr;
    json_t *back = json_loadb(out.buf.data, out.buf.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    assert_non_null(back);
    assert_int_equal(json_string_length(back), len);
    assert_memory_equal(json_string_value(back), input, len);
    json_decref(back);
    dp_buf_free(&out.buf);
}

static void test_values_and_reals(void **unused)
{
    (void)unused;
    json_t *v = json_pack("{s:f,s:f,s:f,s:I,s:b,s:n,s:[s,f]}", "score", 0.41, "one", 1.0, "big",
                          1e300, "n", (json_int_t)-42, "t", 1, "z", "list", "x", 0.1);
    ex_state_t st;
    memset(&st, 0, sizeof st);
    ex_out_t out;
    ex_out_init_memory(&st, &out);
    assert_int_equal(ex_json_value(&out, v), DP_OK);
    assert_string_equal(out.buf.data, "{\"score\":0.41,\"one\":1.0,\"big\":1e+300,\"n\":-42,"
                                      "\"t\":true,\"z\":null,\"list\":[\"x\",0.1]}");
    json_t *back = json_loadb(out.buf.data, out.buf.len, 0, NULL);
    assert_true(json_equal(back, v));
    json_decref(back);
    json_decref(v);
    dp_buf_free(&out.buf);
}

/* ---- offsets ------------------------------------------------------------------ */

static void test_offmap_matches_counting(void **unused)
{
    (void)unused;
    /* A text mixing 1-, 2-, 3- and 4-byte sequences over many blocks. */
    static const char *const pieces[] = {"a", "\xc3\xa9", "\xe2\x80\x94", "\xf0\x9f\x98\x80", " ",
                                         "\n"};
    dp_buf_t text = DP_BUF_INIT;
    unsigned seed = 7;
    for (int i = 0; i < 5000; i++) {
        seed = seed * 1103515245u + 12345u;
        assert_int_equal(dp_buf_puts(&text, pieces[(seed >> 16) % 6]), DP_OK);
    }
    ex_offmap_t map;
    memset(&map, 0, sizeof map);
    for (int u = 0; u < 3; u++) {
        ex_unit_t unit = (ex_unit_t)u;
        assert_int_equal(ex_offmap_build(&map, text.data, text.len, unit), DP_OK);
        for (size_t b = 0; b <= text.len; b++) {
            if (b < text.len && !dp_utf8_is_boundary((unsigned char)text.data[b]))
                continue;
            size_t want = unit == EX_UNIT_BYTES ? b
                          : unit == EX_UNIT_UTF16 ? dp_utf8_count_utf16(text.data, b)
                                                  : dp_utf8_count_codepoints(text.data, b);
            assert_int_equal(ex_offmap_get(&map, b), want);
        }
    }
    /* ASCII needs no table. */
    assert_int_equal(ex_offmap_build(&map, "plain ascii", 11, EX_UNIT_CODEPOINTS), DP_OK);
    assert_true(map.identity);
    assert_int_equal(ex_offmap_get(&map, 5), 5);
    ex_offmap_free(&map);
    dp_buf_free(&text);
}

/* ---- the exported document ------------------------------------------------------ */

static void test_document_frame(void **unused)
{
    (void)unused;
    /* "Caf\u00e9 \U0001F600 Norov." : the emoji is 1 code point, 2 UTF-16 units. */
    const char *text = "Caf\xc3\xa9 \xf0\x9f\x98\x80 Norov met Guterres.\n\nSecond.";
    dp_doc_t *doc = make_doc(json_string("b.tar.gz/x.txt"), "b.tar.gz", "x.txt", text);
    json_object_set_new(dp_doc_meta(doc), "title", json_string("T"));
    dp_layer_t *para = dp_doc_add_layer(doc, "paragraph");
    dp_layer_t *ent = dp_doc_add_layer(doc, "entity");
    dp_layer_t *tok = dp_doc_add_layer(doc, "token");
    const char *norov = strstr(text, "Norov");
    size_t s = (size_t)(norov - text);
    assert_int_equal(dp_layer_add(para, 0, s + 25, NULL, NULL), DP_OK);
    assert_int_equal(dp_layer_add(ent, s, s + 5, "PERSON", json_pack("{s:s}", "canonical", "Vladimir Norov")), DP_OK);
    assert_int_equal(dp_layer_add(tok, 0, 5, "word", NULL), DP_OK);
    assert_int_equal(dp_doc_set_result(doc, "summary", json_pack("{s:[i],s:s}", "sentences", 0, "text", "x")), DP_OK);
    assert_int_equal(dp_doc_set_result(doc, "keywords", json_pack("[{s:s,s:f}]", "text", "k", "score", 0.5)), DP_OK);

    json_t *layers = json_pack("[sss]", "paragraph", "sentence", "entity");
    char *raw = NULL;
    json_t *d = export_doc(doc, EX_UNIT_CODEPOINTS, layers, &raw);
    /* Key order of DESIGN.md: format, offsets, id, source, meta, text, annotations, results. */
    const char *keys[] = {"\"format\":1", "\"offsets\":\"codepoints\"", "\"id\":", "\"source\":",
                          "\"meta\":", "\"text\":", "\"annotations\":", "\"summary\":", "\"keywords\":"};
    const char *prev = raw;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *at = strstr(raw, keys[i]);
        assert_non_null(at);
        assert_true(at >= prev);
        prev = at;
    }
    assert_null(strchr(raw, '\n'));
    assert_string_equal(json_string_value(json_object_get(d, "id")), "b.tar.gz/x.txt");
    json_t *src = json_object_get(d, "source");
    assert_string_equal(json_string_value(json_object_get(src, "bundle")), "b.tar.gz");
    assert_string_equal(json_string_value(json_object_get(src, "entry")), "x.txt");
    assert_null(json_object_get(src, "repaired_bytes"));
    assert_null(json_object_get(src, "mtime"));
    assert_string_equal(json_string_value(json_object_get(json_object_get(d, "meta"), "title")), "T");
    assert_string_equal(json_string_value(json_object_get(d, "text")), text);
    json_t *ann = json_object_get(d, "annotations");
    assert_int_equal(json_object_size(ann), 2); /* no sentence layer, token not asked for */
    assert_null(json_object_get(ann, "token"));
    json_t *e0 = json_array_get(json_object_get(ann, "entity"), 0);
    /* "Café 😀 " is 7 code points. */
    assert_int_equal(json_integer_value(json_object_get(e0, "start")), 7);
    assert_int_equal(json_integer_value(json_object_get(e0, "end")), 12);
    assert_string_equal(json_string_value(json_object_get(e0, "label")), "PERSON");
    assert_string_equal(json_string_value(json_object_get(json_object_get(e0, "attrs"), "canonical")),
                        "Vladimir Norov");
    json_t *p0 = json_array_get(json_object_get(ann, "paragraph"), 0);
    assert_null(json_object_get(p0, "label"));
    assert_null(json_object_get(p0, "attrs"));
    assert_non_null(json_object_get(d, "summary"));
    assert_true(json_real_value(json_object_get(json_array_get(json_object_get(d, "keywords"), 0), "score")) == 0.5);
    json_decref(d);
    free(raw);

    /* UTF-16: the emoji counts twice. Bytes: offsets as stored. */
    d = export_doc(doc, EX_UNIT_UTF16, layers, NULL);
    e0 = json_array_get(json_object_get(json_object_get(d, "annotations"), "entity"), 0);
    assert_string_equal(json_string_value(json_object_get(d, "offsets")), "utf16");
    assert_int_equal(json_integer_value(json_object_get(e0, "start")), 8);
    json_decref(d);
    d = export_doc(doc, EX_UNIT_BYTES, layers, NULL);
    e0 = json_array_get(json_object_get(json_object_get(d, "annotations"), "entity"), 0);
    assert_int_equal(json_integer_value(json_object_get(e0, "start")), (json_int_t)s);
    json_decref(d);
    json_decref(layers);
    dp__doc_free(doc);
}

static void test_document_numeric_id_and_source(void **unused)
{
    (void)unused;
    dp_doc_t *doc = make_doc(json_integer(7), "stdin", NULL, "");
    dp__doc_set_encoding(doc, "mixed", 3);
    assert_int_equal(dp__doc_set_source(doc, "stdin", NULL, 1600000000), DP_OK);
    json_t *layers = json_array();
    char *raw = NULL;
    json_t *d = export_doc(doc, EX_UNIT_CODEPOINTS, layers, &raw);
    assert_true(json_is_integer(json_object_get(d, "id")));
    assert_int_equal(json_integer_value(json_object_get(d, "id")), 7);
    json_t *src = json_object_get(d, "source");
    assert_null(json_object_get(src, "entry"));
    assert_string_equal(json_string_value(json_object_get(src, "encoding")), "mixed");
    assert_int_equal(json_integer_value(json_object_get(src, "repaired_bytes")), 3);
    assert_string_equal(json_string_value(json_object_get(src, "mtime")), "2020-09-13T12:26:40Z");
    assert_true(json_is_object(json_object_get(d, "meta")));
    assert_int_equal(json_object_size(json_object_get(d, "meta")), 0);
    assert_true(json_is_object(json_object_get(d, "annotations")));
    assert_string_equal(json_string_value(json_object_get(d, "text")), "");
    json_decref(d);
    free(raw);
    json_decref(layers);
    dp__doc_free(doc);
}

/* A large text with many spans must export in linear time. */
static void test_large_document_is_linear(void **unused)
{
    (void)unused;
    size_t words = 400000; /* "wörd " = 6 bytes: 2.4 MB, 400,000 token spans */
    dp_buf_t text = DP_BUF_INIT;
    for (size_t i = 0; i < words; i++)
        assert_int_equal(dp_buf_puts(&text, "w\xc3\xb6rd "), DP_OK);
    dp_doc_t *doc = make_doc(json_string("big"), "b", "big.txt", text.data);
    dp_layer_t *tok = dp_doc_add_layer(doc, "token");
    assert_int_equal(dp_layer_reserve(tok, words), DP_OK);
    for (size_t i = 0; i < words; i++)
        assert_int_equal(dp_layer_add(tok, i * 6, i * 6 + 5, "word", NULL), DP_OK);
    json_t *layers = json_pack("[s]", "token");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    json_t *d = export_doc(doc, EX_UNIT_CODEPOINTS, layers, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    fprintf(stderr, "# 400,000 spans over 2.4 MB exported and parsed in %.2f s\n", secs);
    json_t *toks = json_object_get(json_object_get(d, "annotations"), "token");
    assert_int_equal(json_array_size(toks), words);
    json_t *last = json_array_get(toks, words - 1);
    assert_int_equal(json_integer_value(json_object_get(last, "start")), (json_int_t)((words - 1) * 5));
    assert_true(secs < 30.0);
    json_decref(d);
    json_decref(layers);
    dp__doc_free(doc);
    dp_buf_free(&text);
}

/* ---- templates ------------------------------------------------------------------ */

static void test_sanitise(void **unused)
{
    (void)unused;
    static const char *const cases[][2] = {
        {"../../etc/passwd", "_/_/etc/passwd"},
        {"/abs/path", "abs/path"},
        {"x/../y", "x/_/y"},
        {"a//b/./c", "a/b/c"},
        {"tab\there\x01", "tab_here_"},
        {"back\\slash", "back_slash"},
        {"", "_"},
        {"..", "_"},
        {"/", "_"},
        {"b.tar.gz/2020/forum.txt", "b.tar.gz/2020/forum.txt"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *s = ex_sanitise(cases[i][0]);
        assert_string_equal(s, cases[i][1]);
        dp_free(s);
    }
}

static void test_templates(void **unused)
{
    (void)unused;
    ex_state_t st;
    memset(&st, 0, sizeof st);
    unsigned fields = 0;
    assert_int_equal(ex_template_parse(&st, "out/{bundle}/{date}-{id}.{stage}.json", &fields), DP_OK);
    assert_int_equal(fields, EX_T_BUNDLE | EX_T_DATE | EX_T_ID | EX_T_STAGE);
    assert_int_equal(ex_template_parse(&st, "out/{{literal}}.jsonl", &fields), DP_OK);
    assert_int_equal(fields, 0);
    assert_int_equal(ex_template_parse(&st, "out/{nope}.jsonl", &fields), DP_EINVAL);
    assert_non_null(strstr(st.error, "{nope}"));
    assert_int_equal(ex_template_parse(&st, "out/{bundle.jsonl", &fields), DP_EINVAL);

    dp_doc_t *doc = make_doc(json_string("b/../../x"), "b", "../../x", "t");
    json_object_set_new(dp_doc_meta(doc), "date", json_string("2020-06-26T16:57"));
    char *p = ex_template_expand("out/{bundle}/{date}/{id}.{stage}.json {{x}}", "../b", doc, "st/1");
    assert_string_equal(p, "out/_/b/2020-06-26/b/_/_/x.st/1.json {x}");
    dp_free(p);
    json_object_set_new(dp_doc_meta(doc), "date", json_string("June"));
    p = ex_template_expand("{date}", "b", doc, "s");
    assert_string_equal(p, "undated");
    dp_free(p);
    dp__doc_free(doc);
}

/* ---- files ----------------------------------------------------------------------- */

static void test_files_per_bundle(void **unused)
{
    (void)unused;
    char *dir = temp_dir();
    char opts[512];
    snprintf(opts, sizeof opts, "{\"format\":\"jsonl\",\"path\":\"%s/deep/er/{bundle}.jsonl\"}", dir);
    ex_state_t *st = new_state(opts);
    assert_non_null(st);
    char deep[512];
    snprintf(deep, sizeof deep, "%s/deep/er", dir);

    dp_doc_t *a = make_doc(json_string("one.zip/a"), "one.zip", "a", "A text.");
    dp_doc_t *b = make_doc(json_string("one.zip/b"), "one.zip", "b", "B text.");
    assert_int_equal(ex_process(st, a), DP_OK);
    assert_int_equal(ex_process(st, b), DP_OK);
    /* Before bundle_end only the temporary exists. */
    assert_int_equal(count_entries(deep, "one.zip.jsonl"), 1);
    assert_int_equal(count_entries(deep, ".tmp-"), 1);
    assert_int_equal(ex_bundle_end(st, "one.zip"), DP_OK);
    assert_int_equal(count_entries(deep, ".tmp-"), 0);
    char path[600];
    snprintf(path, sizeof path, "%s/one.zip.jsonl", deep);
    size_t len;
    char *data = read_file(path, &len);
    assert_non_null(data);
    /* Two lines, each a document. */
    char *nl = strchr(data, '\n');
    assert_non_null(nl);
    assert_int_equal(data[len - 1], '\n');
    json_t *first = json_loadb(data, (size_t)(nl - data), 0, NULL);
    assert_string_equal(json_string_value(json_object_get(first, "id")), "one.zip/a");
    json_decref(first);
    free(data);

    /* A second bundle left open when the run aborts: its temporary goes. */
    dp_doc_t *c = make_doc(json_string("two.zip/c"), "two.zip", "c", "C.");
    assert_int_equal(ex_process(st, c), DP_OK);
    assert_int_equal(count_entries(deep, ".tmp-"), 1);
    ex_state_free(st);
    assert_int_equal(count_entries(deep, ".tmp-"), 0);
    assert_int_equal(count_entries(deep, "two.zip"), 0);
    assert_int_equal(count_entries(deep, "one.zip.jsonl"), 1);

    dp__doc_free(a);
    dp__doc_free(b);
    dp__doc_free(c);
    remove_tree(dir);
    free(dir);
}

static void test_file_for_run_and_if_exists(void **unused)
{
    (void)unused;
    char *dir = temp_dir();
    char opts[512];
    snprintf(opts, sizeof opts, "{\"path\":\"%s/run.jsonl\"}", dir);
    ex_state_t *st = new_state(opts);
    assert_non_null(st);
    dp_doc_t *a = make_doc(json_integer(1), "stdin", NULL, "x");
    assert_int_equal(ex_process(st, a), DP_OK);
    assert_int_equal(ex_bundle_end(st, "stdin"), DP_OK);
    assert_int_equal(count_entries(dir, "run.jsonl"), 1); /* still the temporary */
    assert_int_equal(count_entries(dir, ".tmp-"), 1);
    assert_int_equal(ex_flush(st), DP_OK);
    ex_state_free(st);
    assert_int_equal(count_entries(dir, ".tmp-"), 0);
    assert_int_equal(count_entries(dir, "run.jsonl"), 1);

    /* The file exists now: if_exists "fail" refuses before the run. */
    snprintf(opts, sizeof opts, "{\"path\":\"%s/run.jsonl\",\"if_exists\":\"fail\"}", dir);
    json_t *options = json_loads(opts, 0, NULL);
    ex_state_t *refused = NULL;
    assert_int_equal(ex_state_new(options, NULL, "export", &refused), DP_ESTATE);
    assert_null(refused);
    json_decref(options);
    /* ...and the default replaces it. */
    snprintf(opts, sizeof opts, "{\"path\":\"%s/run.jsonl\"}", dir);
    st = new_state(opts);
    assert_non_null(st);
    assert_int_equal(ex_flush(st), DP_OK);
    ex_state_free(st);
    char path[600];
    snprintf(path, sizeof path, "%s/run.jsonl", dir);
    size_t len = 99;
    char *data = read_file(path, &len);
    assert_int_equal(len, 0);
    free(data);

    dp__doc_free(a);
    remove_tree(dir);
    free(dir);
}

static void test_unwritable_path_names_it(void **unused)
{
    (void)unused;
    char *dir = temp_dir();
    char file[512];
    snprintf(file, sizeof file, "%s/plain", dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    char opts[600];
    /* The parent "plain" is a file: the folder cannot be made. */
    snprintf(opts, sizeof opts, "{\"path\":\"%s/plain/{bundle}.jsonl\"}", dir);
    ex_state_t *st = new_state(opts);
    assert_non_null(st);
    dp_doc_t *a = make_doc(json_string("b/a"), "b", "a", "x");
    assert_int_equal(ex_process(st, a), DP_EIO);
    assert_non_null(strstr(st->error, "plain"));
    assert_non_null(strstr(st->error, "Not a directory"));
    ex_state_free(st);
    dp__doc_free(a);
    remove_tree(dir);
    free(dir);
}

/* A write error (here: the file size limit) is returned with the path and
 * the system's reason, and the temporary file goes. */
static void test_write_error_names_path(void **unused)
{
    (void)unused;
    char *dir = temp_dir();
    char opts[512];
    snprintf(opts, sizeof opts, "{\"path\":\"%s/{bundle}.jsonl\"}", dir);
    ex_state_t *st = new_state(opts);
    assert_non_null(st);
    /* 3 MB of text: the output drains to the file past 1 MB. */
    size_t n = 3u << 20;
    char *text = malloc(n + 1);
    assert_non_null(text);
    memset(text, 'x', n);
    text[n] = '\0';
    dp_doc_t *doc = make_doc(json_string("b/big"), "b", "big", text);
    free(text);
    struct rlimit old, small = {64 * 1024, 64 * 1024};
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    small.rlim_max = old.rlim_max;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    dp_status rc = ex_process(st, doc);
    if (rc == DP_OK)
        rc = ex_bundle_end(st, "b");
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, prev);
    assert_int_equal(rc, DP_EIO);
    assert_non_null(strstr(st->error, "b.jsonl"));
    assert_non_null(strstr(st->error, "File too large"));
    ex_state_free(st);
    assert_int_equal(count_entries(dir, "b.jsonl"), 0);
    dp__doc_free(doc);
    remove_tree(dir);
    free(dir);
}

static void test_bad_options(void **unused)
{
    (void)unused;
    static const char *const bad[] = {
        "{\"format\":\"xml\"}",
        "{\"offsets\":\"graphemes\"}",
        "{\"path\":\"out/{nope}.jsonl\"}",
        "{\"if_exists\":\"append\"}",
        "{\"layers\":[1]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *options = json_loads(bad[i], 0, NULL);
        ex_state_t *st = NULL;
        assert_true(ex_state_new(options, NULL, "export", &st) < 0);
        assert_null(st);
        json_decref(options);
    }
}

int main(void)
{
    json_object_seed(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_escapes),
        cmocka_unit_test(test_values_and_reals),
        cmocka_unit_test(test_offmap_matches_counting),
        cmocka_unit_test(test_document_frame),
        cmocka_unit_test(test_document_numeric_id_and_source),
        cmocka_unit_test(test_large_document_is_linear),
        cmocka_unit_test(test_sanitise),
        cmocka_unit_test(test_templates),
        cmocka_unit_test(test_files_per_bundle),
        cmocka_unit_test(test_file_for_run_and_if_exists),
        cmocka_unit_test(test_unwritable_path_names_it),
        cmocka_unit_test(test_write_error_names_path),
        cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
