/* The document model: what every stage reads and writes. A document owns its
 * id, source description, raw bytes, UTF-8 text, metadata (a Jansson object),
 * named annotation layers of spans, and named result fields.
 *
 * Threading: a document is handled by one thread at a time; the host never
 * gives the same document to two stages at once, so no function here locks.
 * Pointers returned by accessors are borrowed and stay valid until the
 * document changes the thing they point to (replacing the text invalidates
 * the old text pointer; adding spans may move a layer's span array). */
#ifndef DOCPIPE_DOCUMENT_H
#define DOCPIPE_DOCUMENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "docpipe/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dp_doc dp_doc_t;
typedef struct dp_layer dp_layer_t;

/* A span over the document's text: byte offsets [start, end), an interned
 * label (compare with ==  against dp_intern results, or with strcmp), and
 * optional attributes owned by the layer (NULL when none). */
typedef struct dp_span {
    size_t start;
    size_t end;
    const char *label;
    json_t *attrs;
} dp_span_t;

/* Where a document came from. Strings are owned by the document. */
typedef struct dp_source {
    const char *bundle;     /* archive or folder base name, "stdin" for standard input */
    const char *entry;      /* path inside the bundle; NULL for JSONL documents */
    uint64_t bytes;         /* size of the raw bytes */
    int64_t mtime;          /* seconds since the epoch; 0 when unknown */
    const char *encoding;   /* "utf-8", "utf-16le", "utf-16be", "windows-1252", "mixed" */
    uint64_t repaired_bytes; /* bytes repaired while decoding ("mixed") */
} dp_source_t;

/* ---- identity and source ------------------------------------------------ */

/* The id as text ("releases.tar.gz/2020/forum.txt", or "7" for a numeric
 * JSONL id). Borrowed; never NULL. */
const char *dp_doc_id(const dp_doc_t *doc);

/* The id with its JSON type (a string, or an integer for a numeric JSONL id).
 * Borrowed; never NULL. */
const json_t *dp_doc_id_json(const dp_doc_t *doc);

/* The document's source. Borrowed; never NULL. */
const dp_source_t *dp_doc_source(const dp_doc_t *doc);

/* ---- raw bytes and text ------------------------------------------------- */

/* The raw input bytes as read (before decoding); *len receives their length.
 * Borrowed. May be NULL when the input had no raw form. */
const unsigned char *dp_doc_raw(const dp_doc_t *doc, size_t *len);

/* The text: valid UTF-8 (NUL bytes allowed), NUL-terminated, *len receives
 * its length in bytes (len may be NULL). Borrowed; never NULL (an empty
 * document has ""). */
const char *dp_doc_text(const dp_doc_t *doc, size_t *len);

/* Replaces the text with a copy of text[0..len). Allowed only while the
 * document has no layers: returns DP_ESTATE otherwise (the host reports
 * which stage tried). DP_EUTF8 when text is not valid UTF-8, DP_ENOMEM on
 * allocation failure. The old text pointer becomes invalid on success. */
dp_status dp_doc_set_text(dp_doc_t *doc, const char *text, size_t len);

/* Like dp_doc_set_text but takes ownership of text, which must come from
 * dp_malloc and hold len bytes plus a terminating NUL. On any error the
 * function frees text itself, so the caller never frees it. */
dp_status dp_doc_take_text(dp_doc_t *doc, char *text, size_t len);

/* ---- metadata ----------------------------------------------------------- */

/* The metadata object (title, date, language, counts...). Borrowed and
 * mutable: set keys with json_object_set_new. Never NULL. */
json_t *dp_doc_meta(dp_doc_t *doc);

/* ---- layers ------------------------------------------------------------- */

/* The layer called name, or NULL when the document has none. Borrowed. */
dp_layer_t *dp_doc_layer(const dp_doc_t *doc, const char *name);

/* The layer called name, created empty when missing. Borrowed; NULL only
 * when an allocation fails. */
dp_layer_t *dp_doc_add_layer(dp_doc_t *doc, const char *name);

/* Removes a layer and its spans. DP_ENOTFOUND when there is none. */
dp_status dp_doc_remove_layer(dp_doc_t *doc, const char *name);

/* Number of layers, and the i-th layer in creation order (borrowed; NULL
 * when i is out of range). */
size_t dp_doc_layer_count(const dp_doc_t *doc);
dp_layer_t *dp_doc_layer_at(const dp_doc_t *doc, size_t i);

/* The layer's name. Borrowed. */
const char *dp_layer_name(const dp_layer_t *layer);

/* Appends a span. label is interned by the call (any string may be passed;
 * NULL means no label). attrs may be NULL; the layer takes ownership of the
 * reference (as json_object_set_new does), also on failure. Returns DP_EINVAL
 * when start > end, end exceeds the text, or an offset falls inside a UTF-8
 * sequence; DP_ENOMEM on allocation failure. Spans are kept in the order
 * added; dp_layer_sort orders them. */
dp_status dp_layer_add(dp_layer_t *layer, size_t start, size_t end, const char *label,
                       json_t *attrs);

/* Makes room for n more spans, so that a stage which knows how many it will
 * add avoids repeated growth. DP_ENOMEM on failure. */
dp_status dp_layer_reserve(dp_layer_t *layer, size_t n);

/* Number of spans, and the array of spans (borrowed; invalidated by the next
 * dp_layer_add). The array may be modified in place (attrs ownership stays
 * with the layer). */
size_t dp_layer_count(const dp_layer_t *layer);
dp_span_t *dp_layer_spans(const dp_layer_t *layer);

/* Sorts spans by start, then by longer first; stable. */
void dp_layer_sort(dp_layer_t *layer);

/* Removes every span (freeing their attributes), keeping the layer. */
void dp_layer_clear(dp_layer_t *layer);

/* ---- results ------------------------------------------------------------ */

/* Sets the result field name (written at the top level of the exported
 * document). Takes ownership of value (also on failure). DP_EINVAL for a
 * reserved name: id, source, meta, text, annotations, format, offsets.
 * Setting an existing name replaces it. */
dp_status dp_doc_set_result(dp_doc_t *doc, const char *name, json_t *value);

/* The result called name, or NULL. Borrowed. */
json_t *dp_doc_result(const dp_doc_t *doc, const char *name);

/* All results as an object in the order they were first set. Borrowed;
 * never NULL; do not modify it directly. */
const json_t *dp_doc_results(const dp_doc_t *doc);

/* ---- interned strings ----------------------------------------------------*/

/* Returns the canonical copy of s: equal strings give the same pointer, valid
 * until the process ends. Thread-safe. NULL only on allocation failure. */
const char *dp_intern(const char *s);

#ifdef __cplusplus
}
#endif
#endif
