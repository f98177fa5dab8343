/* Helpers shared by the input readers (core/input.c for archives, folders
 * and files; core/input_jsonl.c for JSON Lines): making documents and
 * handing them to the sink. Internal to libdocpipe. */
#ifndef DOCPIPE_CORE_INPUT_INTERNAL_H
#define DOCPIPE_CORE_INPUT_INTERNAL_H

#include <jansson.h>
#include <stdarg.h>

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

#endif
