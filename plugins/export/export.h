/* Internal interfaces of the export plugin: the plugin state, the output
 * writer (buffered files written under a temporary name and renamed when
 * complete), path templates, the offset map, the streaming JSON encoder and
 * the table of formats. Each format lives in its own export_<format>.c and
 * only talks to the rest through this header. Not part of the public API. */
#ifndef DOCPIPE_EXPORT_H
#define DOCPIPE_EXPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "docpipe/buf.h"
#include "docpipe/document.h"
#include "docpipe/host.h"
#include "docpipe/status.h"

typedef struct ex_state ex_state_t;

/* ---- errors --------------------------------------------------------------- */

/* Formats a message into st->error (and status into st->status) and hands it to the host (when there is
 * one: unit tests run without). Returns status, so callers can write
 * `return ex_fail(st, DP_EIO, ...)`. */
dp_status ex_fail(ex_state_t *st, dp_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- output ----------------------------------------------------------------- */

/* A buffered output: a file written under ".NAME.tmp-PID" and renamed over
 * NAME by ex_out_commit, standard output, or memory only (fd -1, never
 * drained: the caller takes buf). Writes collect in buf and are drained to
 * the file once buf passes EX_OUT_DRAIN bytes, so memory stays bounded
 * whatever a document's size. */
typedef struct ex_out {
    ex_state_t *st;  /* for error messages; borrowed */
    int fd;          /* -1 for a memory-only output */
    bool is_stdout;  /* fd 1, not ours to close */
    char *path;      /* final path (owned; NULL for stdout/memory) */
    char *tmp;       /* temporary path (owned; NULL once committed or aborted) */
    dp_buf_t buf;
    dp_status err;   /* first write error; sticky */
} ex_out_t;

#define EX_OUT_DRAIN ((size_t)1 << 20)

/* Opens path (resolved against the working directory) for writing: creates
 * missing parent folders and the temporary file. With fail_if_exists, an
 * existing path is refused (DP_ESTATE, message names it). On error, *out is
 * left closed and a message is set. */
dp_status ex_out_open_file(ex_state_t *st, ex_out_t *out, const char *path, bool fail_if_exists);
void ex_out_init_stdout(ex_state_t *st, ex_out_t *out);
void ex_out_init_memory(ex_state_t *st, ex_out_t *out);

/* Appends bytes (drains when the buffer is large). Returns the sticky error. */
dp_status ex_out_write(ex_out_t *out, const void *data, size_t len);
dp_status ex_out_puts(ex_out_t *out, const char *s);
dp_status ex_out_putc(ex_out_t *out, char c);
dp_status ex_out_printf(ex_out_t *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* For encoders that write straight into the buffer: makes room for at most
 * extra bytes and returns where they go (borrowed, valid until the next call
 * on out), or NULL with the sticky error set. ex_out_advance then counts the
 * n <= extra bytes written (and drains when the buffer is large). */
char *ex_out_reserve(ex_out_t *out, size_t extra);
dp_status ex_out_advance(ex_out_t *out, size_t n);
/* Writes everything buffered to the file descriptor (no-op for memory). */
dp_status ex_out_drain(ex_out_t *out);
/* Drains, closes and renames the temporary file over the final path. The
 * output is closed afterwards whatever happened (on error the temporary is
 * removed). stdout is only drained. */
dp_status ex_out_commit(ex_out_t *out);
/* Closes without committing: removes the temporary file. Safe on a closed
 * or zeroed output. */
void ex_out_abort(ex_out_t *out);
bool ex_out_is_open(const ex_out_t *out);

/* Creates every missing parent folder of path. DP_EIO with a message. */
dp_status ex_make_parents(ex_state_t *st, const char *path);

/* Writes data to path atomically (temporary + rename). */
dp_status ex_write_file(ex_state_t *st, const char *path, const void *data, size_t len,
                        bool fail_if_exists);

/* The outputs a path template opens during a run, by expanded path: one for
 * a fixed path, one per bundle with {bundle}, one per date with {date}. */
typedef struct ex_files {
    ex_out_t **outs;
    size_t count, cap;
    size_t last; /* index found last, tried first */
} ex_files_t;

/* The open output for path, opened (and counted in *created) when missing.
 * NULL with a message on error. */
ex_out_t *ex_files_get(ex_state_t *st, ex_files_t *files, const char *path, bool fail_if_exists,
                       bool *created);
/* Commits one output and removes it from the set. */
dp_status ex_files_commit(ex_files_t *files, ex_out_t *out);
/* Commits every output (the first error is returned; the rest still close). */
dp_status ex_files_commit_all(ex_files_t *files);
/* Removes every temporary file and frees the set. */
void ex_files_abort_all(ex_files_t *files);

/* A stream of records (JSON Lines, CSV rows) routed by the path template:
 * standard output for "-", else one file for the run, one per bundle with
 * {bundle} (committed at the bundle's end), one per date with {date}, one
 * per document with {id} (committed after it). header, when set, starts
 * every new file (and standard output). */
typedef struct ex_stream {
    bool to_stdout;
    ex_out_t stdout_out;
    ex_files_t files;
    dp_status (*header)(ex_state_t *st, ex_out_t *out);
} ex_stream_t;

dp_status ex_stream_start(ex_state_t *st, ex_stream_t *s);
/* The output for doc's records; NULL on error (st->status, message set). */
ex_out_t *ex_stream_out(ex_state_t *st, ex_stream_t *s, dp_doc_t *doc);
/* After doc's records: commits a per-document file. */
dp_status ex_stream_doc_done(ex_state_t *st, ex_stream_t *s, ex_out_t *out);
dp_status ex_stream_bundle_end(ex_state_t *st, ex_stream_t *s, const char *bundle);
dp_status ex_stream_flush(ex_state_t *st, ex_stream_t *s);
/* Removes what is not committed (aborted run) and frees. */
void ex_stream_stop(ex_state_t *st, ex_stream_t *s);

/* ---- path templates --------------------------------------------------------- */

/* Which fields a template uses. */
#define EX_T_BUNDLE 0x1u
#define EX_T_ID 0x2u
#define EX_T_DATE 0x4u
#define EX_T_STAGE 0x8u

/* Checks a template: known fields only ({bundle} {id} {date} {stage}, "{{"
 * and "}}" for braces). Returns the EX_T_ flags through *fields, or
 * DP_EINVAL with a message naming the bad field. */
dp_status ex_template_parse(ex_state_t *st, const char *tmpl, unsigned *fields);

/* Expands a template; doc may be NULL (then {id} and {date} are left
 * unexpanded, which callers never ask for), bundle may be NULL. The values
 * are sanitised (ex_sanitise). The caller frees the result with dp_free;
 * NULL on allocation failure. */
char *ex_template_expand(const char *tmpl, const char *bundle, const dp_doc_t *doc,
                         const char *stage);

/* Makes a value safe inside a path: control characters and backslashes
 * become "_", every ".." component becomes "_", leading "/" are dropped and
 * empty components are removed, so the value never leads out of the folder
 * it is put in and never names a hidden temporary. The caller frees with
 * dp_free; NULL on allocation failure. */
char *ex_sanitise(const char *value);

/* meta.date's "YYYY-MM-DD" (the first 10 characters when they are a date),
 * or "undated". Writes into out (at least 11 bytes). */
void ex_doc_date(const dp_doc_t *doc, char out[16]);

/* ---- offsets ---------------------------------------------------------------- */

typedef enum ex_unit {
    EX_UNIT_CODEPOINTS = 0,
    EX_UNIT_BYTES = 1,
    EX_UNIT_UTF16 = 2
} ex_unit_t;

/* Converts byte offsets of one text into code points or UTF-16 units in
 * O(1): for each 64-byte block the count before it is stored, and the rest
 * is counted inside the block. Pure ASCII texts (and the bytes unit) need no
 * table. Reused from document to document. */
typedef struct ex_offmap {
    const unsigned char *text;
    size_t len;
    ex_unit_t unit;
    bool identity;  /* offsets are bytes: ASCII text or the bytes unit */
    size_t *block;  /* count before each 64-byte block */
    size_t cap;     /* blocks allocated */
} ex_offmap_t;

dp_status ex_offmap_build(ex_offmap_t *map, const char *text, size_t len, ex_unit_t unit);
size_t ex_offmap_get(const ex_offmap_t *map, size_t byte_offset);
void ex_offmap_free(ex_offmap_t *map);

/* ---- JSON ------------------------------------------------------------------- */

/* Writes s[0..len) as a JSON string (quotes included): '"', '\\' and control
 * characters escaped as RFC 8259 says (NUL as \u0000), everything else kept
 * as UTF-8. */
dp_status ex_json_string(ex_out_t *out, const char *s, size_t len);
dp_status ex_json_cstring(ex_out_t *out, const char *s);
/* Writes any JSON value compactly, keys in the object's order, reals in
 * their shortest form that reads back as the same double. */
dp_status ex_json_value(ex_out_t *out, const json_t *value);
/* Writes the exported document of DESIGN.md (format 1) as one line without
 * the newline. layers is an array of layer names (borrowed). */
dp_status ex_json_document(ex_out_t *out, dp_doc_t *doc, ex_offmap_t *map, ex_unit_t unit,
                           const json_t *layers);
/* "2020-09-13T12:26:40Z" into out (at least 32 bytes). */
void ex_iso_time(int64_t t, char out[32]);

/* ---- facts about a document (export_facts.c) -------------------------------- */

/* meta[key] when it is a string, else NULL. Borrowed. */
const char *ex_meta_string(dp_doc_t *doc, const char *key);
/* The summary's text (results.summary.text, or results.summary when it is a
 * string), else NULL. Borrowed. */
const char *ex_summary_text(const dp_doc_t *doc);
/* The i-th keyword of results.keywords ({"text", "score"} objects or plain
 * strings): true and its text (and score, 0 when absent), or false past the
 * end. Borrowed. */
bool ex_keyword_at(const dp_doc_t *doc, size_t i, const char **text, double *score);
/* A span's attribute as a string: attrs[key] when a string, NULL when
 * absent; other JSON values are not strings (see ex_attr_json). */
const char *ex_attr_string(const dp_span_t *span, const char *key);

/* ---- CSV (export_csv.c) --------------------------------------------------- */

/* Writes one RFC 4180 cell (a "," before it unless first): quoted when it
 * holds a comma, quote, CR or LF; a value starting with "=", "+", "-", "@",
 * tab or CR gets a leading "'" inside the value so that spreadsheets do not
 * run it as a formula; NUL bytes are dropped (spreadsheets and many CSV
 * readers cannot hold them). */
dp_status ex_csv_cell(ex_out_t *out, const char *s, size_t len, bool first);

/* ---- formats ---------------------------------------------------------------- */

typedef struct ex_format {
    const char *name;
    /* After options are read: checks format options, opens a run-wide output. */
    dp_status (*start)(ex_state_t *st);
    dp_status (*process)(ex_state_t *st, dp_doc_t *doc);
    dp_status (*bundle_end)(ex_state_t *st, const char *bundle); /* may be NULL */
    dp_status (*flush)(ex_state_t *st);                          /* may be NULL */
    /* Frees the format's data; without a preceding flush (aborted run) it
     * removes every temporary file. */
    void (*stop)(ex_state_t *st);
} ex_format_t;

extern const ex_format_t ex_format_jsonl;
extern const ex_format_t ex_format_json;
extern const ex_format_t ex_format_csv;
extern const ex_format_t ex_format_sqlite;
extern const ex_format_t ex_format_brat;
extern const ex_format_t ex_format_html;

typedef enum ex_if_exists {
    EX_IF_AUTO = 0, /* replace for files, append for sqlite */
    EX_IF_REPLACE = 1,
    EX_IF_FAIL = 2,
    EX_IF_APPEND = 3
} ex_if_exists_t;

/* The plugin's state: options, the format, and the format's own data. */
struct ex_state {
    dp_host_t *host; /* NULL in unit tests */
    const ex_format_t *format;
    char *path;      /* the path option (template) */
    unsigned fields; /* EX_T_ flags of path */
    char *stage;     /* the stage's name */
    ex_unit_t unit;
    json_t *layers;  /* array of layer names (owned) */
    ex_if_exists_t if_exists;
    char *archive;   /* json: "none" | "tar.gz" | "zip" */
    char *rows;      /* csv: "documents" | "entities" */
    json_t *labels;  /* csv: entity labels counted in a column each (owned) */
    long long max_documents; /* html: documents shown in full */
    ex_offmap_t map;
    bool flushed;    /* flush() ran: fini must not remove outputs */
    void *fmt;       /* the format's data */
    char error[1024];
    dp_status status; /* the status of the last ex_fail */
    char *made_dir;   /* the folder ex_make_parents made last (owned) */
};

/* Reads the options object into a new state (defaults for missing keys, so
 * unit tests may pass a partial object). host may be NULL. On error returns
 * a negative status and sets a message; *out is NULL. */
dp_status ex_state_new(const json_t *options, dp_host_t *host, const char *stage,
                       ex_state_t **out);
/* Stops the format (removing temporaries unless flushed) and frees. */
void ex_state_free(ex_state_t *st);

/* The plugin calls, also used by the unit tests. */
dp_status ex_process(ex_state_t *st, dp_doc_t *doc);
dp_status ex_bundle_end(ex_state_t *st, const char *bundle);
dp_status ex_flush(ex_state_t *st);

#endif
