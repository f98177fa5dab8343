/* Internal document functions used by the core (input, scheduler, export of
 * failures): creating documents, setting their source, and the state a
 * document carries through the run (ok, failed with stage and message, or
 * filtered out). Not part of the plugin API. */
#ifndef DOCPIPE_CORE_DOC_INTERNAL_H
#define DOCPIPE_CORE_DOC_INTERNAL_H

#include "docpipe/document.h"

typedef enum dp__doc_state {
    DP__DOC_OK = 0,
    DP__DOC_FAILED = 1,
    DP__DOC_FILTERED = 2
} dp__doc_state_t;

/* A new empty document with the given id. id_json is the id with its JSON
 * type; the document takes ownership of it (also on failure). The text form
 * of the id is derived from it (string as is, integer printed). NULL on
 * allocation failure. */
dp_doc_t *dp__doc_new(json_t *id_json);

/* Frees a document and everything it owns. NULL is a no-op. */
void dp__doc_free(dp_doc_t *doc);

/* Source fields. Strings are copied. DP_ENOMEM on failure. */
dp_status dp__doc_set_source(dp_doc_t *doc, const char *bundle, const char *entry,
                             int64_t mtime);
void dp__doc_set_encoding(dp_doc_t *doc, const char *static_label, uint64_t repaired);

/* Takes ownership of raw (from dp_malloc, len bytes), also on failure.
 * Sets source.bytes to len. */
void dp__doc_take_raw(dp_doc_t *doc, unsigned char *raw, size_t len);

/* dp_doc_take_text for text the caller has already checked is valid UTF-8
 * (the JSONL reader checks while decoding): no second pass over it. */
dp_status dp__doc_take_valid_text(dp_doc_t *doc, char *text, size_t len);

/* Sets source.bytes for a document that has no raw form (JSONL "text"). */
void dp__doc_set_bytes(dp_doc_t *doc, uint64_t bytes);

/* Frees the raw bytes once they are decoded and no longer needed (they are
 * kept while a quarantine folder may need them). */
void dp__doc_drop_raw(dp_doc_t *doc);

/* Decodes the raw bytes into the text (dp_encoding_decode), setting
 * source.encoding and source.repaired_bytes. DP_ENOMEM on failure. */
dp_status dp__doc_decode(dp_doc_t *doc);

/* Marks the document failed at stage with message (both copied). A second
 * call keeps the first failure. */
void dp__doc_fail(dp_doc_t *doc, const char *stage, const char *message);

/* Marks the document filtered out (input.include did not match). */
void dp__doc_filter(dp_doc_t *doc);

dp__doc_state_t dp__doc_state(const dp_doc_t *doc);
const char *dp__doc_fail_stage(const dp_doc_t *doc);   /* borrowed; NULL unless failed */
const char *dp__doc_fail_message(const dp_doc_t *doc); /* borrowed; NULL unless failed */

/* Bytes the document holds (raw + text + spans, roughly), for the scheduler's
 * memory bounds. */
size_t dp__doc_weight(const dp_doc_t *doc);

/* The stage currently running on the document (for the error that
 * dp_doc_set_text gives); set by the scheduler. Borrowed string. */
void dp__doc_set_current_stage(dp_doc_t *doc, const char *stage);
const char *dp__doc_current_stage(const dp_doc_t *doc);

#endif
