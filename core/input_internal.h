/* Helpers shared by the input readers (core/input.c for archives, folders
 * and files; core/input_jsonl.c for JSON Lines): making documents and
 * handing them to the sink. Internal to libdocpipe. */
#ifndef DOCPIPE_CORE_INPUT_INTERNAL_H
#define DOCPIPE_CORE_INPUT_INTERNAL_H

#include <archive.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>

#include "docpipe/buf.h"
#include "input.h"

/* Hands doc to the sink (which owns it from then on). DP_EINTR when the
 * sink asks to stop. */
dp_status dp__input_emit(const dp__input_sink_t *sink, dp_doc_t *doc);

/* A new document with id_json (owned by the document, also on failure),
 * source bundle and entry (copied; entry may be NULL) and mtime. NULL on
 * allocation failure. */
dp_doc_t *dp__input_new_doc(json_t *id_json, const char *bundle, const char *entry,
                            int64_t mtime);

/* Emits a failed document (stage "input") with the formatted message.
 * DP_EINTR when the sink asks to stop, DP_ENOMEM. */
dp_status dp__input_emit_failed(const dp__input_sink_t *sink, json_t *id_json,
                                const char *bundle, const char *entry, int64_t mtime,
                                const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* The base name of path ("a/b/" gives "b", "-" gives "stdin"), repaired to
 * valid UTF-8 without control characters. Caller frees with dp_free; NULL
 * on allocation failure. */
char *dp__input_bundle_name(const char *path);

/* Reads JSON Lines (core/input_jsonl.c): one document per non-empty line. */
dp_status dp__input_read_jsonl(const dp__input_options_t *options, const char *path,
                               const dp__input_sink_t *sink);

/* The string value of a line's top-level "text" or "bytes_b64" member when
 * dp__jsonl_parse_line decoded it itself. */
typedef struct dp__jsonl_big {
    const char *key; /* "text" or "bytes_b64" (static); NULL: Jansson parsed the whole line */
    char *value;     /* the decoded string, NUL-terminated; from dp_malloc, caller frees */
    size_t len;      /* its length in bytes (it may hold NUL bytes) */
} dp__jsonl_big_t;

/* Parses one line as json_loadb(line, n, JSON_DECODE_ANY | JSON_ALLOW_NUL,
 * err) does, with the same result for every input, but decodes the string
 * value of a top-level "text" or "bytes_b64" member itself, much faster than
 * Jansson. When it did (big->key set), the returned object holds "" in that
 * member's place and big->value the string; otherwise big is all NULL and
 * the result is Jansson's. scratch is working space the caller keeps between
 * calls (frees with dp_buf_free). Caller decrefs the result; NULL with err
 * set when the line is not JSON (or memory ran out, as with json_loadb). */
json_t *dp__jsonl_parse_line(const char *line, size_t n, dp_buf_t *scratch, json_error_t *err,
                             dp__jsonl_big_t *big);

/* ---- compressed streams decoded outside libarchive (core/input_stream.c) */

/* A libarchive read callback: what a stream decoder reads its input from. */
typedef la_ssize_t (*dp__input_read_fn)(struct archive *, void *, const void **);

typedef enum dp__stream_kind {
    DP__STREAM_GZIP = 0,
    DP__STREAM_XZ = 1,
    DP__STREAM_BZIP2 = 2
} dp__stream_kind_t;

/* A compressed stream (one or more members) decoded from an upstream read
 * callback. The counters are read by the reader for its accounting. */
typedef struct dp__stream {
    int kind; /* dp__stream_kind_t */
    dp__input_read_fn up;
    void *up_ctx;
    void *state; /* the library's decoder state, owned */
    const unsigned char *in;
    size_t in_len;
    bool up_eof, done, between_members;
    bool error; /* the stream broke off or is corrupt: message says how */
    char message[160];
    unsigned char *out;
    uint64_t in_total;  /* compressed bytes consumed */
    uint64_t out_total; /* bytes decoded */
} dp__stream_t;

/* The kind of compressed stream p[0..n) starts with when it can be decoded
 * here (the library is loaded and its header was there at build time), else
 * -1 (libarchive's filter reads it then). Thread-safe. */
int dp__stream_kind(const unsigned char *p, size_t n);

/* Sets up g to decode a stream of kind from up(up_ctx). DP_ENOMEM on
 * failure (g then needs no dp__stream_fini). */
dp_status dp__stream_init(dp__stream_t *g, int kind, dp__input_read_fn up, void *up_ctx);

/* The libarchive read callback giving the decoded bytes (data is the
 * dp__stream_t). When the stream breaks off or is corrupt it hands on what
 * was decoded, then ends, with g->error set. */
la_ssize_t dp__stream_read(struct archive *a, void *data, const void **buf);

/* Frees what dp__stream_init allocated; a zeroed g is fine. */
void dp__stream_fini(dp__stream_t *g);

#endif
