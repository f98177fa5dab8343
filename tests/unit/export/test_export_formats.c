/* Unit tests of the export plugin's other formats, driven directly through
 * the plugin calls: CSV cells (quoting, formula injection, NUL) and rows
 * read back by a small RFC 4180 reader; the SQLite database (tables, FTS5,
 * a re-exported document replacing its rows, append and replace); brat
 * pairs checked against the text offsets; JSON files and archives (same
 * bytes twice); the HTML digest escaping a document's markup; and every
 * format removing its temporaries when the run aborts before flush. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <locale.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doc_internal.h"
#include "docpipe/alloc.h"
#include "export.h"
#include "export_test_files.h"

/* ---- helpers ---------------------------------------------------------------- */

/* Files under dir (recursively) whose name contains needle. */
static int count_files(const char *dir, const char *needle)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
            n += count_files(path, needle);
        else if (strstr(e->d_name, needle) != NULL)
            n++;
    }
    closedir(d);
    return n;
}

static ex_state_t *state_for(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static ex_state_t *state_for(const char *fmt, ...)
{
    char opts[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(opts, sizeof opts, fmt, ap);
    va_end(ap);
    json_t *options = json_loads(opts, 0, NULL);
    assert_non_null(options);
    ex_state_t *st = NULL;
    dp_status rc = ex_state_new(options, NULL, "export", &st);
    json_decref(options);
    if (rc != DP_OK)
        fprintf(stderr, "options %s refused (%d)\n", opts, rc);
    assert_int_equal(rc, DP_OK);
    return st;
}

/* A tagged document: "<id>" in bundle b.zip, with two sentences, three
 * entities (one across a line break), a summary and keywords. */
static const char sample_text[] =
    "Caf\xc3\xa9 talks: Vladimir Norov met the SCO.\n=SUM(A1) \"quoted\", <script>alert(1)</script>\n"
    "New\nYork hosted it.";

static dp_doc_t *sample_doc(const char *id)
{
    dp_doc_t *doc = dp__doc_new(json_string(id));
    assert_non_null(doc);
    assert_int_equal(dp__doc_set_source(doc, "b.zip", id, 1600000000), DP_OK);
    assert_int_equal(dp_doc_set_text(doc, sample_text, sizeof sample_text - 1), DP_OK);
    json_t *meta = dp_doc_meta(doc);
    json_object_set_new(meta, "title", json_string("=Title, with \"quotes\""));
    json_object_set_new(meta, "date", json_string("2020-06-26"));
    json_object_set_new(meta, "language", json_string("en"));
    const char *t = sample_text;
    size_t norov = (size_t)(strstr(t, "Vladimir") - t);
    size_t sco = (size_t)(strstr(t, "SCO") - t);
    size_t ny = (size_t)(strstr(t, "New\nYork") - t);
    size_t s2 = (size_t)(strstr(t, "=SUM") - t);
    dp_layer_t *sent = dp_doc_add_layer(doc, "sentence");
    assert_int_equal(dp_layer_add(sent, 0, s2 - 1, NULL, NULL), DP_OK);
    assert_int_equal(dp_layer_add(sent, s2, sizeof sample_text - 1, NULL, NULL), DP_OK);
    dp_layer_t *ent = dp_doc_add_layer(doc, "entity");
    assert_int_equal(dp_layer_add(ent, norov, norov + 14, "PERSON",
                                  json_pack("{s:s}", "canonical", "Vladimir Norov")), DP_OK);
    assert_int_equal(dp_layer_add(ent, sco, sco + 3, "ORG",
                                  json_pack("{s:s}", "canonical", "Shanghai Cooperation Organisation")), DP_OK);
    assert_int_equal(dp_layer_add(ent, ny, ny + 8, "LOC", json_pack("{s:s,s:{s:i}}", "canonical", "New York",
                                                                     "value", "n", 1)), DP_OK);
    assert_int_equal(dp_doc_set_result(doc, "summary", json_pack("{s:[i],s:s}", "sentences", 1, "text",
                                                                 "-1 summary")), DP_OK);
    assert_int_equal(dp_doc_set_result(doc, "keywords", json_pack("[{s:s,s:f},{s:s,s:f}]", "text", "talks",
                                                                  "score", 0.5, "text", "SCO", "score", 0.25)),
                     DP_OK);
    return doc;
}

/* ---- CSV ---------------------------------------------------------------------- */

/* Reads one RFC 4180 record from *p into cells (NUL-separated in out);
 * returns the number of cells, 0 at the end. */
static int csv_record(const char **p, char cells[][512], int max)
{
    const char *s = *p;
    if (*s == '\0')
        return 0;
    int n = 0;
    for (;;) {
        size_t o = 0;
        if (*s == '"') {
            s++;
            for (;;) {
                if (s[0] == '"' && s[1] == '"') {
                    cells[n][o++] = '"';
                    s += 2;
                } else if (s[0] == '"') {
                    s++;
                    break;
                } else {
                    assert_true(*s != '\0');
                    cells[n][o++] = *s++;
                }
            }
        } else {
            while (*s != ',' && *s != '\r' && *s != '\0') {
                assert_true(*s != '\n' && *s != '"');
                cells[n][o++] = *s++;
            }
        }
        cells[n][o] = '\0';
        n++;
        assert_true(n <= max);
        if (*s == ',') {
            s++;
            continue;
        }
        assert_int_equal(s[0], '\r');
        assert_int_equal(s[1], '\n');
        s += 2;
        break;
    }
    *p = s;
    return n;
}

static void test_csv_cells(void **unused)
{
    (void)unused;
    static const struct {
        const char *in;
        size_t len;
        const char *want;
    } cases[] = {
        {"plain", 5, "plain"},
        {"a,b", 3, "\"a,b\""},
        {"say \"hi\"", 8, "\"say \"\"hi\"\"\""},
        {"two\nlines", 9, "\"two\nlines\""},
        {"=SUM(A1)", 8, "'=SUM(A1)"},
        {"+1", 2, "'+1"},
        {"-1,5", 4, "\"'-1,5\""},
        {"@cmd", 4, "'@cmd"},
        {"\tx", 2, "'\tx"},
        {"\rx", 2, "\"'\rx\""},
        {"nul\0byte", 8, "nulbyte"},
        {"", 0, ""},
    };
    ex_state_t st;
    memset(&st, 0, sizeof st);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ex_out_t out;
        ex_out_init_memory(&st, &out);
        assert_int_equal(ex_csv_cell(&out, cases[i].in, cases[i].len, true), DP_OK);
        assert_string_equal(out.buf.data != NULL ? out.buf.data : "", cases[i].want);
        dp_buf_free(&out.buf);
    }
}

static void test_csv_documents_and_entities(void **unused)
{
    (void)unused;
    char *dir = temp_dir();
    ex_state_t *docs = state_for("{\"format\":\"csv\",\"path\":\"%s/docs.csv\"}", dir);
    ex_state_t *ents = state_for("{\"format\":\"csv\",\"path\":\"%s/{bundle}-entities.csv\",\"rows\":\"entities\"}", dir);
    dp_doc_t *a = sample_doc("a.txt");
    dp_doc_t *b = sample_doc("b.txt");
    assert_int_equal(ex_process(docs, a), DP_OK);
    assert_int_equal(ex_process(docs, b), DP_OK);
    assert_int_equal(ex_process(ents, a), DP_OK);
    assert_int_equal(ex_bundle_end(docs, "b.zip"), DP_OK);
    assert_int_equal(ex_bundle_end(ents, "b.zip"), DP_OK);
    assert_int_equal(ex_flush(docs), DP_OK);
    assert_int_equal(ex_flush(ents), DP_OK);
    ex_state_free(docs);
    ex_state_free(ents);
    assert_int_equal(count_files(dir, ".tmp-"), 0);

    char path[600];
    snprintf(path, sizeof path, "%s/docs.csv", dir);
    char *data = read_file(path, NULL);
    assert_non_null(data);
    const char *p = data;
    static char cells[32][512];
    int n = csv_record(&p, cells, 32);
    assert_int_equal(n, 19);
    assert_string_equal(cells[0], "id");
    assert_string_equal(cells[9], "PERSON");
    n = csv_record(&p, cells, 32);
    assert_int_equal(n, 19);
    assert_string_equal(cells[0], "a.txt");
    assert_string_equal(cells[1], "b.zip");
    assert_string_equal(cells[3], "'=Title, with \"quotes\"");
    assert_string_equal(cells[4], "2020-06-26");
    assert_string_equal(cells[6], "'-1 summary");
    assert_string_equal(cells[7], "talks; SCO");
    assert_string_equal(cells[8], "3");
    assert_string_equal(cells[9], "1");  /* PERSON */
    assert_string_equal(cells[10], "1"); /* ORG */
    assert_string_equal(cells[11], "1"); /* LOC */
    assert_int_equal(csv_record(&p, cells, 32), 19);
    assert_int_equal(csv_record(&p, cells, 32), 0);
    free(data);

    snprintf(path, sizeof path, "%s/b.zip-entities.csv", dir);
    data = read_file(path, NULL);
    assert_non_null(data);
    p = data;
    assert_int_equal(csv_record(&p, cells, 32), 7);
    assert_int_equal(csv_record(&p, cells, 32), 7);
    /* Code points: "Café talks: " is 12 code points before "Vladimir". */
    assert_string_equal(cells[1], "12");
    assert_string_equal(cells[2], "26");
    assert_string_equal(cells[3], "PERSON");
    assert_string_equal(cells[4], "Vladimir Norov");
    assert_int_equal(csv_record(&p, cells, 32), 7);
    assert_int_equal(csv_record(&p, cells, 32), 7);
    assert_string_equal(cells[4], "New\nYork");
    assert_string_equal(cells[6], "{\"n\":1}");
    assert_int_equal(csv_record(&p, cells, 32), 0);
    free(data);
    dp__doc_free(a);
    dp__doc_free(b);
    remove_tree(dir);
    free(dir);
}

/* ---- SQLite --------------------------------------------------------------------- */

static long long query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    long long v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

static void export_sqlite(const char *dir, const char *extra, dp_doc_t **docs, size_t n)
{
    ex_state_t *st = state_for("{\"format\":\"sqlite\",\"path\":\"%s/db/run.sqlite\"%s}", dir, extra);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(ex_process(st, docs[i]), DP_OK);
    /* Nothing that looks complete before the end of a new database. */
    char path[600];
    snprintf(path, sizeof path, "%s/db", dir);
    assert_int_equal(ex_bundle_end(st, "b.zip"), DP_OK);
    assert_int_equal(ex_flush(st), DP_OK);
    ex_state_free(st);
    assert_int_equal(count_files(path, ".tmp-"), 0);
}

static void test_sqlite(void **unused)
{
    (void)unused;
    char *dir = temp_dir();
    dp_doc_t *docs[2] = {sample_doc("a.txt"), sample_doc("b.txt")};
    export_sqlite(dir, "", docs, 2);
    char path[600];
    snprintf(path, sizeof path, "%s/db/run.sqlite", dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(query_int(db, "SELECT count(*) FROM documents"), 2);
    assert_int_equal(query_int(db, "SELECT count(*) FROM entities"), 6);
    assert_int_equal(query_int(db, "SELECT count(*) FROM sentences WHERE in_summary"), 2);
    assert_int_equal(query_int(db, "SELECT count(*) FROM keywords"), 4);
    assert_int_equal(query_int(db, "SELECT count(*) FROM runs WHERE finished IS NOT NULL"), 1);
    assert_int_equal(query_int(db, "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'norov'"), 2);
    assert_int_equal(query_int(db, "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'cafe'"), 2);
    /* Offsets are code points: substr cuts the entity out of the text. */
    assert_int_equal(query_int(db, "SELECT count(*) FROM entities e JOIN documents d USING (doc)"
                                   " WHERE substr(d.text, e.start + 1, e.end - e.start) = e.text"), 6);
    assert_int_equal(query_int(db, "SELECT count(*) FROM entities WHERE canonical = 'Vladimir Norov'"), 2);
    sqlite3_close(db);

    /* A second run appends; re-exporting a.txt replaces its rows. */
    dp_doc_t *more[2] = {docs[0], sample_doc("c.txt")};
    export_sqlite(dir, "", more, 2);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(query_int(db, "SELECT count(*) FROM documents"), 3);
    assert_int_equal(query_int(db, "SELECT count(*) FROM entities"), 9);
    assert_int_equal(query_int(db, "SELECT count(*) FROM runs"), 2);
    assert_int_equal(query_int(db, "SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'norov'"), 3);
    assert_int_equal(query_int(db, "SELECT run FROM documents WHERE id = 'a.txt'"), 2);
    sqlite3_close(db);

    /* if_exists "replace" starts over; "fail" refuses before the run. */
    export_sqlite(dir, ",\"if_exists\":\"replace\"", docs, 1);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(query_int(db, "SELECT count(*) FROM documents"), 1);
    assert_int_equal(query_int(db, "SELECT count(*) FROM runs"), 1);
    sqlite3_close(db);
    char opts[700];
    snprintf(opts, sizeof opts, "{\"format\":\"sqlite\",\"path\":\"%s/db/run.sqlite\",\"if_exists\":\"fail\"}", dir);
    json_t *options = json_loads(opts, 0, NULL);
    ex_state_t *st = NULL;
    assert_int_equal(ex_state_new(options, NULL, "export", &st), DP_ESTATE);
    json_decref(options);

    dp__doc_free(docs[0]);
    dp__doc_free(docs[1]);
    dp__doc_free(more[1]);
    remove_tree(dir);
    free(dir);
}

/* ---- brat ---------------------------------------------------------------------------- */

static void test_brat(void **unused)
{
    (void)unused;
    char *dir = temp_dir();
    ex_state_t *st = state_for("{\"format\":\"brat\",\"path\":\"%s/brat\"}", dir);
    dp_doc_t *a = sample_doc("sub/a.txt");
    dp_doc_t *empty = dp__doc_new(json_string("empty"));
    assert_int_equal(dp__doc_set_source(empty, "b.zip", "empty", 0), DP_OK);
    assert_int_equal(dp_doc_set_text(empty, "No entities.", 12), DP_OK);
    assert_int_equal(ex_process(st, a), DP_OK);
    assert_int_equal(ex_process(st, empty), DP_OK);
    assert_int_equal(ex_flush(st), DP_OK);
    ex_state_free(st);

    char path[600];
    snprintf(path, sizeof path, "%s/brat/sub/a.txt", dir);
    size_t len;
    char *txt = read_file(path, &len);
    assert_non_null(txt);
    assert_int_equal(len, sizeof sample_text - 1);
    assert_memory_equal(txt, sample_text, len);
    snprintf(path, sizeof path, "%s/brat/sub/a.ann", dir);
    char *ann = read_file(path, NULL);
    assert_non_null(ann);
    /* Code point offsets: "Café talks: " is 12 code points. */
    assert_non_null(strstr(ann, "T1\tPERSON 12 26\tVladimir Norov\n"));
    assert_non_null(strstr(ann, "AnnotatorNotes T1\tcanonical: Vladimir Norov\n"));
    /* "New\nYork" runs over a line break: two fragments. */
    const char *t3 = strstr(ann, "T3\tLOC ");
    assert_non_null(t3);
    unsigned s1, e1, s2, e2;
    assert_int_equal(sscanf(t3, "T3\tLOC %u %u;%u %u", &s1, &e1, &s2, &e2), 4);
    assert_int_equal(e1 - s1, 3);
    assert_int_equal(s2, e1 + 1);
    assert_non_null(strstr(t3, "\tNew York\n"));
    assert_non_null(strstr(ann, "value: {\"n\":1}"));
    free(txt);
    free(ann);
    snprintf(path, sizeof path, "%s/brat/empty.ann", dir);
    ann = read_file(path, &len);
    assert_non_null(ann);
    assert_int_equal(len, 0);
    free(ann);
    snprintf(path, sizeof path, "%s/brat/annotation.conf", dir);
    char *conf = read_file(path, NULL);
    assert_non_null(conf);
    assert_non_null(strstr(conf, "[entities]\nPERSON\nORG\nLOC\n"));
    free(conf);
    dp__doc_free(a);
    dp__doc_free(empty);
    remove_tree(dir);
    free(dir);
}

/* ---- JSON files and archives -------------------------------------------------------------- */

static void test_json_files_and_archives(void **unused)
{
    (void)unused;
    char *dir = temp_dir();
    dp_doc_t *a = sample_doc("x/../a.txt");
    /* A non-ASCII id: libarchive needs a UTF-8 locale for its name. */
    dp_doc_t *b = sample_doc("\xc3\xa9t\xc3\xa9/\xf0\x9f\x98\x80.txt");
    ex_state_t *files = state_for("{\"format\":\"json\",\"path\":\"%s/json\"}", dir);
    ex_state_t *tgz1 = state_for("{\"format\":\"json\",\"path\":\"%s/one.tar.gz\",\"archive\":\"tar.gz\"}", dir);
    ex_state_t *tgz2 = state_for("{\"format\":\"json\",\"path\":\"%s/two.tar.gz\",\"archive\":\"tar.gz\"}", dir);
    ex_state_t *zip = state_for("{\"format\":\"json\",\"path\":\"%s/{bundle}.zip\",\"archive\":\"zip\"}", dir);
    ex_state_t *all[] = {files, tgz1, tgz2, zip};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(ex_process(all[i], a), DP_OK);
        assert_int_equal(ex_process(all[i], b), DP_OK);
        assert_int_equal(ex_bundle_end(all[i], "b.zip"), DP_OK);
        assert_int_equal(ex_flush(all[i]), DP_OK);
        ex_state_free(all[i]);
    }
    assert_int_equal(count_files(dir, ".tmp-"), 0);
    char path[600];
    snprintf(path, sizeof path, "%s/json/x/_/a.txt.json", dir);
    json_error_t jerr;
    json_t *d = json_load_file(path, 0, &jerr);
    assert_non_null(d);
    assert_string_equal(json_string_value(json_object_get(d, "id")), "x/../a.txt");
    assert_string_equal(json_string_value(json_object_get(d, "text")), sample_text);
    json_decref(d);

    /* The same documents give the same archive bytes (no timestamp). */
    size_t l1, l2;
    snprintf(path, sizeof path, "%s/one.tar.gz", dir);
    char *one = read_file(path, &l1);
    snprintf(path, sizeof path, "%s/two.tar.gz", dir);
    char *two = read_file(path, &l2);
    assert_non_null(one);
    assert_non_null(two);
    assert_int_equal(l1, l2);
    assert_memory_equal(one, two, l1);
    free(one);
    free(two);

    /* Both archives read back through libarchive: two JSON documents. */
    static const char *const archives[] = {"one.tar.gz", "b.zip.zip"};
    /* Read as a user would, in a UTF-8 locale (this thread only). */
    locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    assert_true(utf8 != (locale_t)0);
    locale_t saved = uselocale(utf8);
    for (size_t k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, archives[k]);
        struct archive *ar = archive_read_new();
        archive_read_support_format_all(ar);
        archive_read_support_filter_all(ar);
        assert_int_equal(archive_read_open_filename(ar, path, 16384), ARCHIVE_OK);
        struct archive_entry *e;
        int n = 0;
        bool utf8_name = false;
        while (archive_read_next_header(ar, &e) == ARCHIVE_OK) {
            const char *name = archive_entry_pathname_utf8(e);
            if (name == NULL)
                name = archive_entry_pathname(e);
            if (name != NULL && strcmp(name, "\xc3\xa9t\xc3\xa9/\xf0\x9f\x98\x80.txt.json") == 0)
                utf8_name = true;
            size_t size = (size_t)archive_entry_size(e);
            char *buf = malloc(size + 1);
            assert_int_equal(archive_read_data(ar, buf, size), (la_ssize_t)size);
            json_t *doc = json_loadb(buf, size, 0, &jerr);
            assert_non_null(doc);
            assert_string_equal(json_string_value(json_object_get(doc, "text")), sample_text);
            json_decref(doc);
            free(buf);
            n++;
        }
        assert_int_equal(n, 2);
        assert_true(utf8_name);
        archive_read_free(ar);
    }
    uselocale(saved);
    freelocale(utf8);
    dp__doc_free(a);
    dp__doc_free(b);
    remove_tree(dir);
    free(dir);
}

/* ---- HTML ---------------------------------------------------------------------------------- */

static void test_html_escapes(void **unused)
{
    (void)unused;
    char *dir = temp_dir();
    ex_state_t *st = state_for("{\"format\":\"html\",\"path\":\"%s/digest.html\"}", dir);
    dp_doc_t *a = sample_doc("a.txt");
    assert_int_equal(ex_process(st, a), DP_OK);
    assert_int_equal(ex_flush(st), DP_OK);
    ex_state_free(st);
    char path[600];
    snprintf(path, sizeof path, "%s/digest.html", dir);
    char *page = read_file(path, NULL);
    assert_non_null(page);
    assert_null(strstr(page, "<script"));
    assert_non_null(strstr(page, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(page, "<svg"));
    assert_non_null(strstr(page, "<mark class=\"e l-PERSON\" title=\"PERSON: Vladimir Norov\">Vladimir Norov</mark>"));
    assert_non_null(strstr(page, "Content-Security-Policy"));
    assert_non_null(strstr(page, "=Title, with &quot;quotes&quot;"));
    free(page);
    dp__doc_free(a);
    remove_tree(dir);
    free(dir);
}

/* ---- aborted runs ------------------------------------------------------------------------------ */

static void test_abort_removes_temporaries(void **unused)
{
    (void)unused;
    char *dir = temp_dir();
    dp_doc_t *a = sample_doc("a.txt");
    static const char *const configs[] = {
        "{\"format\":\"jsonl\",\"path\":\"%s/out/run.jsonl\"}",
        "{\"format\":\"jsonl\",\"path\":\"%s/out/{bundle}.jsonl\"}",
        "{\"format\":\"csv\",\"path\":\"%s/out/run.csv\"}",
        "{\"format\":\"json\",\"path\":\"%s/out/all.tar.gz\",\"archive\":\"tar.gz\"}",
        "{\"format\":\"json\",\"path\":\"%s/out/all.zip\",\"archive\":\"zip\"}",
        "{\"format\":\"sqlite\",\"path\":\"%s/out/db.sqlite\"}",
        "{\"format\":\"html\",\"path\":\"%s/out/digest.html\"}",
    };
    for (size_t i = 0; i < sizeof configs / sizeof configs[0]; i++) {
        char opts[700];
        snprintf(opts, sizeof opts, configs[i], dir);
        json_t *options = json_loads(opts, 0, NULL);
        ex_state_t *st = NULL;
        assert_int_equal(ex_state_new(options, NULL, "export", &st), DP_OK);
        json_decref(options);
        assert_int_equal(ex_process(st, a), DP_OK);
        ex_state_free(st); /* no flush: the run was aborted */
        char out[600];
        snprintf(out, sizeof out, "%s/out", dir);
        if (count_files(out, "") != 0)
            fprintf(stderr, "left behind by %s\n", configs[i]);
        assert_int_equal(count_files(out, ""), 0);
    }
    dp__doc_free(a);
    remove_tree(dir);
    free(dir);
}

static void test_format_path_rules(void **unused)
{
    (void)unused;
    static const char *const bad[] = {
        "{\"format\":\"sqlite\",\"path\":\"-\"}",
        "{\"format\":\"sqlite\",\"path\":\"out/{bundle}.db\"}",
        "{\"format\":\"html\",\"path\":\"out/{id}.html\"}",
        "{\"format\":\"json\",\"path\":\"-\"}",
        "{\"format\":\"json\",\"path\":\"out/{id}.tar.gz\",\"archive\":\"tar.gz\"}",
        "{\"format\":\"brat\",\"path\":\"-\"}",
        "{\"format\":\"csv\",\"if_exists\":\"append\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *options = json_loads(bad[i], 0, NULL);
        ex_state_t *st = NULL;
        assert_int_equal(ex_state_new(options, NULL, "export", &st) < 0, 1);
        assert_null(st);
        json_decref(options);
    }
}

int main(void)
{
    json_object_seed(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_cells),
        cmocka_unit_test(test_csv_documents_and_entities),
        cmocka_unit_test(test_sqlite),
        cmocka_unit_test(test_brat),
        cmocka_unit_test(test_json_files_and_archives),
        cmocka_unit_test(test_html_escapes),
        cmocka_unit_test(test_abort_removes_temporaries),
        cmocka_unit_test(test_format_path_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
