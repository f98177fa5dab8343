/* Format "sqlite": a database that accumulates runs. Tables documents,
 * sentences, entities, keywords and runs, indexes for the usual joins, and
 * an FTS5 table documents_fts over title and text (external content, kept
 * in step by triggers). Documents are keyed by id: exporting a document
 * again (re-running a bundle) replaces its rows. One transaction per bundle,
 * and a commit at least every 1,000 documents.
 *
 * A new database (or one replaced with if_exists "replace") is built under a
 * temporary name and renamed at the end of the run, so a killed run leaves
 * no database that looks complete. An existing one is appended to in place:
 * SQLite's transactions keep it consistent, and a run that did not finish
 * keeps runs.finished NULL. */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "docpipe/alloc.h"
#include "export.h"

/* The schema this writer creates (PRAGMA user_version). */
#define SCHEMA_VERSION 1
#define DOCS_PER_TRANSACTION 1000

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS runs ("
    " run INTEGER PRIMARY KEY, stage TEXT, started TEXT, finished TEXT, config TEXT,"
    " config_hash TEXT, plugins TEXT, jobs INTEGER, offsets TEXT, documents_entered INTEGER,"
    " documents_processed INTEGER, documents_failed INTEGER, documents_filtered INTEGER,"
    " exported INTEGER DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS documents ("
    " doc INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, id_json TEXT NOT NULL,"
    " run INTEGER REFERENCES runs(run), bundle TEXT, entry TEXT, bytes INTEGER, encoding TEXT,"
    " repaired_bytes INTEGER, mtime TEXT, title TEXT, date TEXT, language TEXT, text TEXT,"
    " summary TEXT, meta TEXT, results TEXT);"
    "CREATE INDEX IF NOT EXISTS documents_bundle ON documents(bundle);"
    "CREATE INDEX IF NOT EXISTS documents_date ON documents(date);"
    "CREATE INDEX IF NOT EXISTS documents_run ON documents(run);"
    "CREATE TABLE IF NOT EXISTS sentences ("
    " doc INTEGER NOT NULL REFERENCES documents(doc), n INTEGER NOT NULL, start INTEGER,"
    " end INTEGER, in_summary INTEGER, PRIMARY KEY (doc, n)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS entities ("
    " doc INTEGER NOT NULL REFERENCES documents(doc), n INTEGER NOT NULL, start INTEGER,"
    " end INTEGER, label TEXT, text TEXT, canonical TEXT, value TEXT, PRIMARY KEY (doc, n))"
    " WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS entities_label_canonical ON entities(label, canonical);"
    "CREATE TABLE IF NOT EXISTS keywords ("
    " doc INTEGER NOT NULL REFERENCES documents(doc), rank INTEGER NOT NULL, text TEXT,"
    " score REAL, PRIMARY KEY (doc, rank)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS keywords_text ON keywords(text);"
    "CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5("
    " title, text, content='documents', content_rowid='doc',"
    " tokenize='unicode61 remove_diacritics 2');"
    "CREATE TRIGGER IF NOT EXISTS documents_fts_insert AFTER INSERT ON documents BEGIN"
    " INSERT INTO documents_fts(rowid, title, text) VALUES (new.doc, new.title, new.text); END;"
    "CREATE TRIGGER IF NOT EXISTS documents_fts_delete AFTER DELETE ON documents BEGIN"
    " INSERT INTO documents_fts(documents_fts, rowid, title, text)"
    " VALUES ('delete', old.doc, old.title, old.text); END;"
    /* The text of each sentence, for code-point offsets (SQLite's substr
     * counts characters). */
    "CREATE VIEW IF NOT EXISTS sentence_texts AS SELECT s.doc, s.n, s.start, s.end,"
    " s.in_summary, substr(d.text, s.start + 1, s.end - s.start) AS text"
    " FROM sentences s JOIN documents d ON d.doc = s.doc;";

enum {
    Q_FIND,
    Q_DEL_SENTENCES,
    Q_DEL_ENTITIES,
    Q_DEL_KEYWORDS,
    Q_DEL_DOC,
    Q_INS_DOC,
    Q_INS_SENTENCE,
    Q_INS_ENTITY,
    Q_INS_KEYWORD,
    Q_COUNT
};

static const char *const query_sql[Q_COUNT] = {
    "SELECT doc FROM documents WHERE id = ?1",
    "DELETE FROM sentences WHERE doc = ?1",
    "DELETE FROM entities WHERE doc = ?1",
    "DELETE FROM keywords WHERE doc = ?1",
    "DELETE FROM documents WHERE doc = ?1",
    ("INSERT INTO documents (id, id_json, run, bundle, entry, bytes, encoding, repaired_bytes,"
     " mtime, title, date, language, text, summary, meta, results)"
     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"),
    "INSERT INTO sentences (doc, n, start, end, in_summary) VALUES (?1, ?2, ?3, ?4, ?5)",
    ("INSERT INTO entities (doc, n, start, end, label, text, canonical, value)"
     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
    "INSERT INTO keywords (doc, rank, text, score) VALUES (?1, ?2, ?3, ?4)",
};

typedef struct sqlite_fmt {
    sqlite3 *db;
    sqlite3_stmt *q[Q_COUNT];
    char *path;     /* the database's final path */
    char *tmp;      /* the temporary it is built in, or NULL when appending in place */
    sqlite3_int64 run;
    bool in_tx;
    size_t tx_docs;   /* documents in the open transaction */
    size_t exported;  /* documents written this run */
    ex_out_t scratch; /* JSON texts of meta, results, values */
} sqlite_fmt_t;

static dp_status db_fail(ex_state_t *st, sqlite_fmt_t *s, const char *what)
{
    return ex_fail(st, DP_EIO, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

static dp_status exec(ex_state_t *st, sqlite_fmt_t *s, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        dp_status rc = ex_fail(st, DP_EIO, "%s: %s", s->path, err != NULL ? err : sqlite3_errmsg(s->db));
        sqlite3_free(err);
        return rc;
    }
    return DP_OK;
}

static void bind_text(sqlite3_stmt *q, int i, const char *s)
{
    if (s != NULL)
        sqlite3_bind_text(q, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, i);
}

/* Binds value as JSON text (NULL stays NULL). The text lives in scratch
 * until the next call, so bind before reusing it: SQLITE_TRANSIENT copies. */
static dp_status bind_json(ex_state_t *st, sqlite_fmt_t *s, sqlite3_stmt *q, int i, const json_t *value)
{
    if (value == NULL) {
        sqlite3_bind_null(q, i);
        return DP_OK;
    }
    dp_buf_clear(&s->scratch.buf);
    dp_status rc = ex_json_value(&s->scratch, value);
    if (rc != DP_OK)
        return rc;
    (void)st;
    sqlite3_bind_text(q, i, s->scratch.buf.data, (int)s->scratch.buf.len, SQLITE_TRANSIENT);
    return DP_OK;
}

static dp_status step_done(ex_state_t *st, sqlite_fmt_t *s, sqlite3_stmt *q)
{
    int r = sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    if (r != SQLITE_DONE && r != SQLITE_ROW)
        return db_fail(st, s, "write failed");
    return DP_OK;
}

/* The run's facts from the host (NULL without a host, in unit tests). */
static const json_t *run_info(ex_state_t *st)
{
    return st->host != NULL ? dp_host_run_info(st->host) : NULL;
}

static dp_status insert_run(ex_state_t *st, sqlite_fmt_t *s)
{
    const json_t *info = run_info(st);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO runs (stage, started, config, config_hash, plugins, jobs, offsets)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                           -1, &q, NULL) != SQLITE_OK)
        return db_fail(st, s, "cannot prepare");
    bind_text(q, 1, st->stage);
    bind_text(q, 2, json_string_value(json_object_get(info, "started")));
    bind_text(q, 3, json_string_value(json_object_get(info, "config")));
    bind_text(q, 4, json_string_value(json_object_get(info, "config_hash")));
    dp_status rc = bind_json(st, s, q, 5, json_object_get(info, "plugins"));
    json_t *jobs = json_object_get(info, "jobs");
    if (json_is_integer(jobs))
        sqlite3_bind_int64(q, 6, (sqlite3_int64)json_integer_value(jobs));
    else
        sqlite3_bind_null(q, 6);
    bind_text(q, 7, st->unit == EX_UNIT_BYTES ? "bytes" : st->unit == EX_UNIT_UTF16 ? "utf16" : "codepoints");
    if (rc == DP_OK)
        rc = step_done(st, s, q);
    sqlite3_finalize(q);
    s->run = sqlite3_last_insert_rowid(s->db);
    return rc;
}

static void close_db(sqlite_fmt_t *s)
{
    for (int i = 0; i < Q_COUNT; i++) {
        sqlite3_finalize(s->q[i]);
        s->q[i] = NULL;
    }
    if (s->db != NULL)
        sqlite3_close(s->db);
    s->db = NULL;
}

static void remove_temporary(sqlite_fmt_t *s)
{
    if (s->tmp == NULL)
        return;
    unlink(s->tmp);
    size_t n = strlen(s->tmp) + 16;
    char *journal = dp_malloc(n);
    if (journal != NULL) {
        snprintf(journal, n, "%s-journal", s->tmp);
        unlink(journal);
        dp_free(journal);
    }
}

static void sqlite_stop(ex_state_t *st)
{
    sqlite_fmt_t *s = st->fmt;
    if (s == NULL)
        return;
    if (s->db != NULL && s->in_tx)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    close_db(s);
    if (!st->flushed)
        remove_temporary(s);
    dp_free(s->path);
    dp_free(s->tmp);
    dp_buf_free(&s->scratch.buf);
    dp_free(s);
    st->fmt = NULL;
}

static dp_status sqlite_start(ex_state_t *st)
{
    if (strcmp(st->path, "-") == 0 || (st->fields & (EX_T_BUNDLE | EX_T_ID | EX_T_DATE)) != 0)
        return ex_fail(st, DP_EINVAL, "format sqlite writes one database: path must be a file "
                       "(it may use {stage}, not {bundle}, {id} or {date})");
    sqlite_fmt_t *s = dp_calloc(1, sizeof *s);
    if (s == NULL)
        return ex_fail(st, DP_ENOMEM, "out of memory");
    st->fmt = s;
    ex_out_init_memory(st, &s->scratch);
    dp_status rc = DP_OK;
    s->path = ex_template_expand(st->path, NULL, NULL, st->stage);
    if (s->path == NULL) {
        rc = ex_fail(st, DP_ENOMEM, "out of memory");
        goto fail;
    }
    bool exists = access(s->path, F_OK) == 0;
    if (exists && st->if_exists == EX_IF_FAIL) {
        rc = ex_fail(st, DP_ESTATE, "%s exists (if_exists is \"fail\")", s->path);
        goto fail;
    }
    rc = ex_make_parents(st, s->path);
    if (rc != DP_OK)
        goto fail;
    const char *open_path = s->path;
    if (!exists || st->if_exists == EX_IF_REPLACE) {
        size_t n = strlen(s->path) + 48;
        s->tmp = dp_malloc(n);
        if (s->tmp == NULL) {
            rc = ex_fail(st, DP_ENOMEM, "out of memory");
            goto fail;
        }
        const char *slash = strrchr(s->path, '/');
        int dir = slash != NULL ? (int)(slash - s->path) + 1 : 0;
        snprintf(s->tmp, n, "%.*s.%s.tmp-%ld", dir, s->path, s->path + dir, (long)getpid());
        remove_temporary(s); /* a stale one from a recycled pid */
        open_path = s->tmp;
    }
    if (sqlite3_open_v2(open_path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        rc = db_fail(st, s, "cannot open");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, 10000);
    /* A temporary database is thrown away on a crash anyway: keep its journal
     * in memory and skip syncs. In place, the usual rollback journal keeps
     * an interrupted bundle out. */
    /* 32 KB pages for a new database: a press release's row (2-8 KB of
     * text) leaves most of a 4 KB page empty; measured by bench/export,
     * the database shrinks by a third. */
    rc = exec(st, s, s->tmp != NULL ? "PRAGMA page_size=32768; PRAGMA journal_mode=MEMORY;"
                                      " PRAGMA synchronous=OFF;"
                                    : "PRAGMA synchronous=NORMAL;");
    if (rc != DP_OK)
        goto fail;
    sqlite3_stmt *v = NULL;
    int version = 0;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &v, NULL) == SQLITE_OK &&
        sqlite3_step(v) == SQLITE_ROW)
        version = sqlite3_column_int(v, 0);
    sqlite3_finalize(v);
    if (version > SCHEMA_VERSION) {
        rc = ex_fail(st, DP_EFORMAT, "%s: schema version %d is newer than this export's (%d)",
                     s->path, version, SCHEMA_VERSION);
        goto fail;
    }
    rc = exec(st, s, "BEGIN");
    if (rc == DP_OK)
        rc = exec(st, s, schema_sql);
    if (rc == DP_OK)
        rc = exec(st, s, "PRAGMA user_version = 1");
    if (rc == DP_OK)
        rc = exec(st, s, "COMMIT");
    if (rc != DP_OK)
        goto fail;
    for (int i = 0; i < Q_COUNT; i++) {
        if (sqlite3_prepare_v3(s->db, query_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->q[i], NULL) != SQLITE_OK) {
            rc = db_fail(st, s, "cannot prepare");
            goto fail;
        }
    }
    return DP_OK;
fail:
    sqlite_stop(st); /* not flushed: removes the temporary database */
    return rc;
}

static dp_status delete_doc(ex_state_t *st, sqlite_fmt_t *s, const char *id)
{
    sqlite3_stmt *q = s->q[Q_FIND];
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    int r = sqlite3_step(q);
    sqlite3_int64 doc = r == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -1;
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return db_fail(st, s, "lookup failed");
    if (doc < 0)
        return DP_OK;
    static const int order[] = {Q_DEL_SENTENCES, Q_DEL_ENTITIES, Q_DEL_KEYWORDS, Q_DEL_DOC};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        sqlite3_bind_int64(s->q[order[i]], 1, doc);
        dp_status rc = step_done(st, s, s->q[order[i]]);
        if (rc != DP_OK)
            return rc;
    }
    return DP_OK;
}

static dp_status insert_doc(ex_state_t *st, sqlite_fmt_t *s, dp_doc_t *doc, sqlite3_int64 *rowid)
{
    sqlite3_stmt *q = s->q[Q_INS_DOC];
    const dp_source_t *src = dp_doc_source(doc);
    size_t len;
    const char *text = dp_doc_text(doc, &len);
    bind_text(q, 1, dp_doc_id(doc));
    dp_status rc = bind_json(st, s, q, 2, dp_doc_id_json(doc));
    sqlite3_bind_int64(q, 3, s->run);
    bind_text(q, 4, src->bundle);
    bind_text(q, 5, src->entry);
    sqlite3_bind_int64(q, 6, (sqlite3_int64)src->bytes);
    bind_text(q, 7, src->encoding);
    sqlite3_bind_int64(q, 8, (sqlite3_int64)src->repaired_bytes);
    char iso[32];
    if (src->mtime != 0) {
        ex_iso_time(src->mtime, iso);
        bind_text(q, 9, iso);
    }
    bind_text(q, 10, ex_meta_string(doc, "title"));
    bind_text(q, 11, ex_meta_string(doc, "date"));
    bind_text(q, 12, ex_meta_string(doc, "language"));
    /* The text keeps NUL bytes: bound with its length. */
    sqlite3_bind_text64(q, 13, text, len, SQLITE_STATIC, SQLITE_UTF8);
    bind_text(q, 14, ex_summary_text(doc));
    if (rc == DP_OK)
        rc = bind_json(st, s, q, 15, dp_doc_meta(doc));
    if (rc == DP_OK)
        rc = bind_json(st, s, q, 16, dp_doc_results(doc));
    if (rc == DP_OK)
        rc = step_done(st, s, q);
    else {
        sqlite3_reset(q);
        sqlite3_clear_bindings(q);
    }
    *rowid = sqlite3_last_insert_rowid(s->db);
    return rc;
}

/* Whether sentence i is one of results.summary.sentences. */
static bool in_summary(const json_t *indexes, size_t i)
{
    for (size_t k = 0; k < json_array_size(indexes); k++)
        if (json_integer_value(json_array_get(indexes, k)) == (json_int_t)i)
            return true;
    return false;
}

static dp_status insert_layers(ex_state_t *st, sqlite_fmt_t *s, dp_doc_t *doc, sqlite3_int64 rowid)
{
    size_t len;
    const char *text = dp_doc_text(doc, &len);
    dp_status rc = ex_offmap_build(&st->map, text, len, st->unit);
    if (rc != DP_OK)
        return ex_fail(st, rc, "out of memory");
    const dp_layer_t *sentences = dp_doc_layer(doc, "sentence");
    const json_t *chosen = json_object_get(dp_doc_result(doc, "summary"), "sentences");
    sqlite3_stmt *q = s->q[Q_INS_SENTENCE];
    for (size_t i = 0; sentences != NULL && i < dp_layer_count(sentences) && rc == DP_OK; i++) {
        const dp_span_t *sp = &dp_layer_spans(sentences)[i];
        sqlite3_bind_int64(q, 1, rowid);
        sqlite3_bind_int64(q, 2, (sqlite3_int64)i);
        sqlite3_bind_int64(q, 3, (sqlite3_int64)ex_offmap_get(&st->map, sp->start));
        sqlite3_bind_int64(q, 4, (sqlite3_int64)ex_offmap_get(&st->map, sp->end));
        sqlite3_bind_int(q, 5, in_summary(chosen, i));
        rc = step_done(st, s, q);
    }
    const dp_layer_t *entities = dp_doc_layer(doc, "entity");
    q = s->q[Q_INS_ENTITY];
    for (size_t i = 0; entities != NULL && i < dp_layer_count(entities) && rc == DP_OK; i++) {
        const dp_span_t *sp = &dp_layer_spans(entities)[i];
        sqlite3_bind_int64(q, 1, rowid);
        sqlite3_bind_int64(q, 2, (sqlite3_int64)i);
        sqlite3_bind_int64(q, 3, (sqlite3_int64)ex_offmap_get(&st->map, sp->start));
        sqlite3_bind_int64(q, 4, (sqlite3_int64)ex_offmap_get(&st->map, sp->end));
        bind_text(q, 5, sp->label);
        sqlite3_bind_text64(q, 6, text + sp->start, sp->end - sp->start, SQLITE_STATIC, SQLITE_UTF8);
        bind_text(q, 7, ex_attr_string(sp, "canonical"));
        json_t *value = sp->attrs != NULL ? json_object_get(sp->attrs, "value") : NULL;
        if (json_is_string(value))
            bind_text(q, 8, json_string_value(value));
        else
            rc = bind_json(st, s, q, 8, value);
        if (rc == DP_OK)
            rc = step_done(st, s, q);
    }
    q = s->q[Q_INS_KEYWORD];
    const char *kw;
    double score;
    for (size_t i = 0; rc == DP_OK && ex_keyword_at(doc, i, &kw, &score); i++) {
        sqlite3_bind_int64(q, 1, rowid);
        sqlite3_bind_int64(q, 2, (sqlite3_int64)i + 1);
        bind_text(q, 3, kw);
        sqlite3_bind_double(q, 4, score);
        rc = step_done(st, s, q);
    }
    return rc;
}

static dp_status sqlite_process(ex_state_t *st, dp_doc_t *doc)
{
    sqlite_fmt_t *s = st->fmt;
    dp_status rc = DP_OK;
    /* The run's row is added with the first document: the host fills in
     * the run's facts (start time, config) after init. */
    if (s->run == 0) {
        rc = insert_run(st, s);
        if (rc != DP_OK)
            return rc;
    }
    if (!s->in_tx) {
        rc = exec(st, s, "BEGIN");
        if (rc != DP_OK)
            return rc;
        s->in_tx = true;
        s->tx_docs = 0;
    }
    /* A savepoint per document: a failure leaves no half-written document,
     * and the bundle's transaction goes on. */
    rc = exec(st, s, "SAVEPOINT doc");
    if (rc != DP_OK)
        return rc;
    sqlite3_int64 rowid = 0;
    rc = delete_doc(st, s, dp_doc_id(doc));
    if (rc == DP_OK)
        rc = insert_doc(st, s, doc, &rowid);
    if (rc == DP_OK)
        rc = insert_layers(st, s, doc, rowid);
    if (rc != DP_OK) {
        sqlite3_exec(s->db, "ROLLBACK TO doc; RELEASE doc", NULL, NULL, NULL);
        return rc;
    }
    rc = exec(st, s, "RELEASE doc");
    if (rc != DP_OK)
        return rc;
    s->exported++;
    if (++s->tx_docs >= DOCS_PER_TRANSACTION) {
        rc = exec(st, s, "COMMIT");
        s->in_tx = false;
    }
    return rc;
}

static dp_status sqlite_bundle_end(ex_state_t *st, const char *bundle)
{
    (void)bundle;
    sqlite_fmt_t *s = st->fmt;
    if (!s->in_tx)
        return DP_OK;
    s->in_tx = false;
    return exec(st, s, "COMMIT");
}

static dp_status finish_run(ex_state_t *st, sqlite_fmt_t *s)
{
    const json_t *info = run_info(st);
    const json_t *docs = json_object_get(info, "documents");
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "UPDATE runs SET finished = coalesce(?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),"
                           " documents_entered = ?3, documents_processed = ?4, documents_failed = ?5,"
                           " documents_filtered = ?6, exported = ?7 WHERE run = ?1",
                           -1, &q, NULL) != SQLITE_OK)
        return db_fail(st, s, "cannot prepare");
    sqlite3_bind_int64(q, 1, s->run);
    bind_text(q, 2, json_string_value(json_object_get(info, "finished")));
    static const char *const counts[] = {"entered", "processed", "failed", "filtered"};
    for (int i = 0; i < 4; i++) {
        json_t *n = json_object_get(docs, counts[i]);
        if (json_is_integer(n))
            sqlite3_bind_int64(q, 3 + i, (sqlite3_int64)json_integer_value(n));
    }
    sqlite3_bind_int64(q, 7, (sqlite3_int64)s->exported);
    dp_status rc = step_done(st, s, q);
    sqlite3_finalize(q);
    return rc;
}

static dp_status sqlite_flush(ex_state_t *st)
{
    sqlite_fmt_t *s = st->fmt;
    dp_status rc = DP_OK;
    if (s->in_tx) {
        s->in_tx = false;
        rc = exec(st, s, "COMMIT");
    }
    if (rc == DP_OK && s->run == 0)
        rc = insert_run(st, s);
    if (rc == DP_OK)
        rc = finish_run(st, s);
    if (rc == DP_OK && s->tmp != NULL)
        rc = exec(st, s, "PRAGMA optimize");
    for (int i = 0; i < Q_COUNT; i++) {
        sqlite3_finalize(s->q[i]);
        s->q[i] = NULL;
    }
    if (rc == DP_OK && sqlite3_close(s->db) != SQLITE_OK)
        rc = db_fail(st, s, "cannot close");
    else if (rc == DP_OK)
        s->db = NULL;
    if (rc == DP_OK && s->tmp != NULL) {
        if (rename(s->tmp, s->path) != 0)
            rc = ex_fail(st, DP_EIO, "cannot rename %s to %s: %s", s->tmp, s->path, strerror(errno));
        else {
            dp_free(s->tmp);
            s->tmp = NULL;
        }
    }
    return rc;
}

const ex_format_t ex_format_sqlite = {
    .name = "sqlite",
    .start = sqlite_start,
    .process = sqlite_process,
    .bundle_end = sqlite_bundle_end,
    .flush = sqlite_flush,
    .stop = sqlite_stop,
};
