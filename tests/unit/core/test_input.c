/* Unit tests of the input reader (core/input.c, core/input_jsonl.c): ids,
 * order and states of the documents it emits for folders, single files,
 * tar archives (written by hand here: unsafe names, links, directories,
 * truncation, size limits), include globs, JSON Lines (good and malformed
 * lines), and a sink that asks to stop. Fixtures are made in a temporary
 * folder by the tests themselves. */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "doc_internal.h"
#include "docpipe/alloc.h"
#include "input.h"

/* ---- a sink that records what it gets ---------------------------------- */

typedef struct rec {
    char id[512];
    int state;
    char message[512];
    char raw[256];
    size_t raw_len;
    int64_t mtime;
    char meta[256];
    char text[256];
    int id_is_int;
} rec_t;

typedef struct sink_state {
    rec_t docs[64];
    size_t n;
    size_t stop_after; /* 0: never ask to stop */
    int bundles;
    char last_bundle[256];
} sink_state_t;

static int record(void *ctx, dp_doc_t *doc)
{
    sink_state_t *s = ctx;
    if (s->n < 64) {
        rec_t *r = &s->docs[s->n];
        memset(r, 0, sizeof *r);
        snprintf(r->id, sizeof r->id, "%s", dp_doc_id(doc));
        r->id_is_int = json_is_integer(dp_doc_id_json(doc));
        r->state = (int)dp__doc_state(doc);
        if (dp__doc_fail_message(doc))
            snprintf(r->message, sizeof r->message, "%s", dp__doc_fail_message(doc));
        size_t len = 0;
        const unsigned char *raw = dp_doc_raw(doc, &len);
        r->raw_len = len;
        if (raw)
            memcpy(r->raw, raw, len < sizeof r->raw - 1 ? len : sizeof r->raw - 1);
        r->mtime = dp_doc_source(doc)->mtime;
        char *meta = json_dumps(dp_doc_meta(doc), JSON_COMPACT | JSON_SORT_KEYS);
        if (meta)
            snprintf(r->meta, sizeof r->meta, "%s", meta);
        free(meta);
        snprintf(r->text, sizeof r->text, "%s", dp_doc_text(doc, NULL));
    }
    s->n++;
    dp__doc_free(doc);
    return s->stop_after && s->n >= s->stop_after;
}

static int bundle_end(void *ctx, const char *bundle)
{
    sink_state_t *s = ctx;
    s->bundles++;
    snprintf(s->last_bundle, sizeof s->last_bundle, "%s", bundle);
    return 0;
}

static dp_status read_input(sink_state_t *s, const dp__input_options_t *opt, const char *path)
{
    dp__input_sink_t sink = {s, record, bundle_end};
    memset(s->docs, 0, sizeof s->docs);
    s->n = 0;
    s->bundles = 0;
    return dp__input_read(opt, path, &sink);
}

static void default_options(dp__input_options_t *opt)
{
    memset(opt, 0, sizeof *opt);
    dp__input_limits_default(&opt->limits);
}

/* ---- fixtures ------------------------------------------------------------ */

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/docpipe-test-input-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void path_of(char *out, size_t cap, const char *rel)
{
    snprintf(out, cap, "%s/%s", tmpdir, rel);
}

static void write_file(const char *rel, const void *data, size_t len)
{
    char p[512];
    path_of(p, sizeof p, rel);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    if (len)
        assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* A ustar header block for name with typeflag and size. */
static void tar_header(unsigned char *h, const char *name, char type, size_t size,
                       const char *link)
{
    memset(h, 0, 512);
    snprintf((char *)h, 100, "%s", name);
    memcpy(h + 100, "0000644", 7);
    memcpy(h + 108, "0000000", 7);
    memcpy(h + 116, "0000000", 7);
    snprintf((char *)h + 124, 12, "%011zo", size & (size_t)077777777777u);
    snprintf((char *)h + 136, 12, "%011o", 1600000000u);
    h[156] = (unsigned char)type;
    if (link)
        snprintf((char *)h + 157, 100, "%s", link);
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    h[155] = ' ';
}

typedef struct tar_entry {
    const char *name;
    char type;
    const char *data;
    const char *link;
} tar_entry_t;

/* Writes a tar of the entries; returns its size. */
static size_t write_tar(const char *rel, const tar_entry_t *e, size_t n, size_t cut)
{
    size_t cap = 1 << 16, len = 0;
    unsigned char *buf = calloc(1, cap);
    assert_non_null(buf);
    for (size_t i = 0; i < n; i++) {
        size_t size = e[i].data ? strlen(e[i].data) : 0;
        tar_header(buf + len, e[i].name, e[i].type, size, e[i].link);
        len += 512;
        if (size) {
            memcpy(buf + len, e[i].data, size);
            len += (size + 511) / 512 * 512;
        }
    }
    len += 1024; /* two zero blocks end the archive */
    write_file(rel, buf, cut ? cut : len);
    free(buf);
    return len;
}

/* ---- tests --------------------------------------------------------------- */

static void test_limits_and_paths(void **state)
{
    (void)state;
    dp__input_limits_t l;
    dp__input_limits_default(&l);
    assert_true(l.max_entry_bytes == (uint64_t)64 << 20);
    assert_true(l.max_total_bytes == (uint64_t)16 << 30);
    assert_true(l.max_ratio == 100.0);
    assert_int_equal(l.max_depth, 2);
    assert_int_equal(dp__input_check_path("-"), DP_OK);
    assert_int_equal(dp__input_check_path(tmpdir), DP_OK);
    assert_int_equal(dp__input_check_path("/nonexistent/docpipe/input"), DP_ENOTFOUND);
}

static void test_single_and_empty_file(void **state)
{
    (void)state;
    sink_state_t s;
    dp__input_options_t opt;
    default_options(&opt);
    char p[512];
    write_file("plain.txt", "Caf\xe9 text", 9);
    path_of(p, sizeof p, "plain.txt");
    assert_int_equal(read_input(&s, &opt, p), DP_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.docs[0].id, "plain.txt");
    assert_int_equal(s.docs[0].state, DP__DOC_OK);
    assert_int_equal(s.docs[0].raw_len, 9);
    assert_memory_equal(s.docs[0].raw, "Caf\xe9 text", 9);
    assert_int_equal(s.bundles, 1);
    assert_string_equal(s.last_bundle, "plain.txt");

    write_file("empty.txt", "", 0);
    path_of(p, sizeof p, "empty.txt");
    assert_int_equal(read_input(&s, &opt, p), DP_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.docs[0].id, "empty.txt");
    assert_int_equal(s.docs[0].raw_len, 0);

    /* Over max_entry_bytes: one failed document. */
    opt.limits.max_entry_bytes = 4;
    path_of(p, sizeof p, "plain.txt");
    assert_int_equal(read_input(&s, &opt, p), DP_OK);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.docs[0].state, DP__DOC_FAILED);
    assert_non_null(strstr(s.docs[0].message, "max_entry_bytes"));
}

static void test_folder(void **state)
{
    (void)state;
    sink_state_t s;
    dp__input_options_t opt;
    default_options(&opt);
    char p[512], q[512];
    path_of(p, sizeof p, "inbox");
    assert_int_equal(mkdir(p, 0755), 0);
    path_of(p, sizeof p, "inbox/sub");
    assert_int_equal(mkdir(p, 0755), 0);
    write_file("inbox/b.txt", "bee", 3);
    write_file("inbox/a.txt", "ay", 2);
    write_file("inbox/sub/c.md", "sea", 3);
    path_of(p, sizeof p, "inbox/link.txt");
    path_of(q, sizeof q, "plain.txt");
    assert_int_equal(symlink(q, p), 0);
    path_of(p, sizeof p, "inbox");
    assert_int_equal(read_input(&s, &opt, p), DP_OK);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.docs[0].id, "inbox/a.txt");
    assert_string_equal(s.docs[1].id, "inbox/b.txt");
    assert_string_equal(s.docs[2].id, "inbox/link.txt");
    assert_int_equal(s.docs[2].state, DP__DOC_FAILED);
    assert_non_null(strstr(s.docs[2].message, "symbolic link"));
    assert_string_equal(s.docs[3].id, "inbox/sub/c.md");
    assert_int_equal(s.docs[3].raw_len, 3);
    assert_string_equal(s.last_bundle, "inbox");

    /* include: the .md file is filtered out, the others stay. */
    const char *const globs[] = {"*.txt", NULL};
    opt.include = globs;
    assert_int_equal(read_input(&s, &opt, p), DP_OK);
    assert_int_equal(s.n, 4);
    assert_int_equal(s.docs[0].state, DP__DOC_OK);
    assert_int_equal(s.docs[3].state, DP__DOC_FILTERED);
}

static void test_tar_entries(void **state)
{
    (void)state;
    sink_state_t s;
    dp__input_options_t opt;
    default_options(&opt);
    const tar_entry_t entries[] = {
        {"./dir/", '5', NULL, NULL},
        {"./dir/one.txt", '0', "first", NULL},
        {"../escape.txt", '0', "bad", NULL},
        {"/etc/abs.txt", '0', "bad", NULL},
        {"dir/link", '2', NULL, "/etc/passwd"},
        {"dir/hard", '1', NULL, "dir/one.txt"},
        {"dir/fifo", '6', NULL, NULL},
        {"dir/two.txt", '0', "second", NULL},
    };
    write_tar("t.tar", entries, sizeof entries / sizeof entries[0], 0);
    char p[512];
    path_of(p, sizeof p, "t.tar");
    assert_int_equal(read_input(&s, &opt, p), DP_OK);
    assert_int_equal(s.n, 7); /* the directory is not a document */
    assert_string_equal(s.docs[0].id, "t.tar/dir/one.txt");
    assert_int_equal(s.docs[0].state, DP__DOC_OK);
    assert_memory_equal(s.docs[0].raw, "first", 5);
    assert_int_equal(s.docs[0].mtime, 1600000000);
    assert_string_equal(s.docs[1].id, "t.tar/../escape.txt");
    assert_non_null(strstr(s.docs[1].message, ".."));
    assert_string_equal(s.docs[2].id, "t.tar//etc/abs.txt");
    assert_non_null(strstr(s.docs[2].message, "absolute"));
    assert_non_null(strstr(s.docs[3].message, "symbolic link"));
    assert_non_null(strstr(s.docs[4].message, "hard link"));
    assert_non_null(strstr(s.docs[5].message, "FIFO"));
    for (int i = 1; i <= 5; i++)
        assert_int_equal(s.docs[i].state, DP__DOC_FAILED);
    assert_string_equal(s.docs[6].id, "t.tar/dir/two.txt");
    assert_int_equal(s.docs[6].state, DP__DOC_OK);

    /* A small max_entry_bytes fails one entry; the next is still read. */
    opt.limits.max_entry_bytes = 5;
    assert_int_equal(read_input(&s, &opt, p), DP_OK);
    assert_int_equal(s.docs[0].state, DP__DOC_OK);
    assert_int_equal(s.docs[6].state, DP__DOC_FAILED);
    assert_non_null(strstr(s.docs[6].message, "max_entry_bytes"));

    /* max_total_bytes stops the bundle at the entry that crosses it. */
    default_options(&opt);
    opt.limits.max_total_bytes = 8;
    assert_int_equal(read_input(&s, &opt, p), DP_OK);
    assert_int_equal(s.n, 7);
    assert_int_equal(s.docs[6].state, DP__DOC_FAILED);
    assert_non_null(strstr(s.docs[6].message, "max_total_bytes"));
}

static void test_tar_truncated(void **state)
{
    (void)state;
    sink_state_t s;
    dp__input_options_t opt;
    default_options(&opt);
    char big[2048];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    const tar_entry_t entries[] = {
        {"a.txt", '0', "alpha", NULL},
        {"b.txt", '0', big, NULL},
        {"c.txt", '0', "gamma", NULL},
    };
    /* Cut in the middle of b.txt's data. */
    write_tar("cut.tar", entries, 3, 512 + 512 + 512 + 700);
    char p[512];
    path_of(p, sizeof p, "cut.tar");
    assert_int_equal(read_input(&s, &opt, p), DP_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.docs[0].id, "cut.tar/a.txt");
    assert_int_equal(s.docs[0].state, DP__DOC_OK);
    assert_string_equal(s.docs[1].id, "cut.tar");
    assert_int_equal(s.docs[1].state, DP__DOC_FAILED);
    assert_non_null(strstr(s.docs[1].message, "b.txt"));
    assert_int_equal(s.bundles, 1);
}

static void test_garbage_is_text(void **state)
{
    (void)state;
    sink_state_t s;
    dp__input_options_t opt;
    default_options(&opt);
    /* Binary noise that no archive format claims is one plain document. */
    unsigned char noise[4096];
    for (size_t i = 0; i < sizeof noise; i++)
        noise[i] = (unsigned char)((i * 7919u + 13u) >> 3);
    write_file("noise.bin", noise, sizeof noise);
    char p[512];
    path_of(p, sizeof p, "noise.bin");
    assert_int_equal(read_input(&s, &opt, p), DP_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.docs[0].id, "noise.bin");
}

static void test_jsonl(void **state)
{
    (void)state;
    sink_state_t s;
    dp__input_options_t opt;
    default_options(&opt);
    opt.format = DP__INPUT_JSONL;
    const char *lines =
        "\xEF\xBB\xBF{\"id\": \"a\", \"text\": \"Hello\", \"mtime\": \"2020-06-30T12:00:00Z\","
        " \"lang\": \"en\"}\n"
        "{broken\n"
        "{\"id\": 7, \"bytes_b64\": \"Q2Fm6Q==\"}\r\n"
        "\n"
        "{\"id\": 1.5, \"text\": \"x\"}\n"
        "{\"id\": \"n\"}\n"
        "{\"id\": \"d\", \"text\": \"y\", \"mtime\": \"2020-06-30\"}\n"
        "{\"id\": \"bad-b64\", \"bytes_b64\": \"!!\"}\n"
        "[1, 2]"; /* no newline at the end */
    write_file("in.jsonl", lines, strlen(lines));
    char p[512];
    path_of(p, sizeof p, "in.jsonl");
    assert_int_equal(read_input(&s, &opt, p), DP_OK);
    assert_int_equal(s.n, 8);
    assert_string_equal(s.docs[0].id, "a");
    assert_int_equal(s.docs[0].state, DP__DOC_OK);
    assert_string_equal(s.docs[0].text, "Hello");
    assert_int_equal(s.docs[0].mtime, 1593518400);
    assert_string_equal(s.docs[0].meta, "{\"lang\":\"en\"}");
    assert_string_equal(s.docs[1].id, "in.jsonl:2");
    assert_int_equal(s.docs[1].state, DP__DOC_FAILED);
    assert_non_null(strstr(s.docs[1].message, "line 2: invalid JSON"));
    /* The broken line goes with its failure (for a quarantine folder). */
    assert_int_equal(s.docs[1].raw_len, 7);
    assert_memory_equal(s.docs[1].raw, "{broken", 7);
    assert_string_equal(s.docs[2].id, "7");
    assert_true(s.docs[2].id_is_int);
    assert_int_equal(s.docs[2].raw_len, 4);
    assert_memory_equal(s.docs[2].raw, "Caf\xe9", 4);
    assert_string_equal(s.docs[3].id, "in.jsonl:5");
    assert_non_null(strstr(s.docs[3].message, "line 5"));
    assert_string_equal(s.docs[4].id, "n");
    assert_int_equal(s.docs[4].state, DP__DOC_FAILED);
    assert_non_null(strstr(s.docs[4].message, "line 6"));
    assert_int_equal(s.docs[5].mtime, 1593475200);
    assert_int_equal(s.docs[6].state, DP__DOC_FAILED);
    assert_non_null(strstr(s.docs[6].message, "base64"));
    assert_string_equal(s.docs[7].id, "in.jsonl:9");
    assert_int_equal(s.docs[7].state, DP__DOC_FAILED);

    /* A line over the limit is one failed document; reading goes on. */
    opt.limits.max_entry_bytes = 16;
    const char *long_lines = "{\"id\": \"long\", \"text\": \"0123456789012345678901234567890\"}\n"
                             "{\"id\": \"short\", \"text\": \"ok\"}\n";
    write_file("long.jsonl", long_lines, strlen(long_lines));
    path_of(p, sizeof p, "long.jsonl");
    assert_int_equal(read_input(&s, &opt, p), DP_OK);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.docs[0].state, DP__DOC_FAILED);
    assert_string_equal(s.docs[1].id, "short");
    assert_int_equal(s.docs[1].state, DP__DOC_OK);
}

static void test_sink_stops(void **state)
{
    (void)state;
    sink_state_t s;
    dp__input_options_t opt;
    default_options(&opt);
    char p[512];
    path_of(p, sizeof p, "t.tar");
    dp__input_sink_t sink = {&s, record, bundle_end};
    s.n = 0;
    s.bundles = 0;
    s.stop_after = 2;
    assert_int_equal(dp__input_read(&opt, p, &sink), DP_EINTR);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.bundles, 0);
    s.stop_after = 0;
}

static void test_missing_input(void **state)
{
    (void)state;
    sink_state_t s;
    dp__input_options_t opt;
    default_options(&opt);
    char p[512];
    path_of(p, sizeof p, "does-not-exist.tar");
    /* The CLI checks paths first; if one vanishes, it is a failed document. */
    assert_int_equal(read_input(&s, &opt, p), DP_OK);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.docs[0].state, DP__DOC_FAILED);
}

/* An allocator that fails the n-th allocation. */
static long alloc_countdown = -1;

static void *failing_malloc(size_t size)
{
    if (alloc_countdown == 0)
        return NULL;
    if (alloc_countdown > 0)
        alloc_countdown--;
    return malloc(size ? size : 1);
}

static void *failing_realloc(void *ptr, size_t size)
{
    if (alloc_countdown == 0)
        return NULL;
    if (alloc_countdown > 0)
        alloc_countdown--;
    return realloc(ptr, size ? size : 1);
}

static void test_allocation_failures(void **state)
{
    (void)state;
    /* Every allocation of a read may fail: the reader returns DP_ENOMEM or
     * goes on, never crashes or leaks (the sanitizer build checks leaks). */
    const char *inputs[] = {"t.tar", "inbox", "in.jsonl"};
    for (size_t k = 0; k < sizeof inputs / sizeof inputs[0]; k++) {
        dp__input_options_t opt;
        default_options(&opt);
        if (strstr(inputs[k], ".jsonl"))
            opt.format = DP__INPUT_JSONL;
        char p[512];
        path_of(p, sizeof p, inputs[k]);
        bool completed = false;
        for (long n = 0; n < 2000 && !completed; n++) {
            sink_state_t s;
            alloc_countdown = n;
            dp_set_allocator(failing_malloc, failing_realloc, free);
            dp_status rc = read_input(&s, &opt, p);
            completed = alloc_countdown > 0;
            alloc_countdown = -1;
            dp_set_allocator(NULL, NULL, NULL);
            assert_true(rc == DP_OK || rc == DP_ENOMEM);
        }
        assert_true(completed);
    }
}

int main(void)
{
    /* Order matters: later tests reuse files the earlier ones wrote. */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limits_and_paths),
        cmocka_unit_test(test_single_and_empty_file),
        cmocka_unit_test(test_folder),
        cmocka_unit_test(test_tar_entries),
        cmocka_unit_test(test_tar_truncated),
        cmocka_unit_test(test_garbage_is_text),
        cmocka_unit_test(test_jsonl),
        cmocka_unit_test(test_sink_stops),
        cmocka_unit_test(test_missing_input),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
