/* Input: turns the command line's INPUT arguments (archives, folders, single
 * files, "-" for standard input, or JSON Lines streams) into a sequence of
 * documents handed to a sink, in a deterministic order, enforcing the input
 * safety limits of DESIGN.md. Runs in the reader thread. */
#ifndef DOCPIPE_CORE_INPUT_H
#define DOCPIPE_CORE_INPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "docpipe/document.h"

/* Limits from the config's input.limits (DESIGN.md "Input safety"). */
typedef struct dp__input_limits {
    uint64_t max_entry_bytes; /* default 64 MiB */
    uint64_t max_total_bytes; /* default 16 GiB, per bundle */
    double max_ratio;         /* default 100: unpacked/packed, checked once an entry passes 1 MiB */
    int max_depth;            /* default 2: nested archives */
} dp__input_limits_t;

typedef enum dp__input_format {
    DP__INPUT_AUTO = 0, /* archives, folders, files */
    DP__INPUT_JSONL = 1 /* one JSON object a line */
} dp__input_format_t;

typedef struct dp__input_options {
    dp__input_format_t format;
    dp__input_limits_t limits;
    const char *const *include; /* NULL-terminated glob list (fnmatch against the entry name), or NULL for all */
} dp__input_options_t;

/* Where documents go. Each callback returns 0 to go on, non-zero to stop
 * reading (interrupt, on_error "fail"); the reader then returns DP_EINTR. */
typedef struct dp__input_sink {
    void *ctx;
    /* A document in any state: OK (raw bytes set, or text for JSONL "text"),
     * FAILED (stage "input" and a message; raw bytes when there were any), or
     * FILTERED. The sink takes ownership of doc, also when it returns
     * non-zero. */
    int (*emit)(void *ctx, dp_doc_t *doc);
    /* After the last document of a bundle (every top-level INPUT is one
     * bundle; nested archives belong to their outer bundle). */
    int (*bundle_end)(void *ctx, const char *bundle);
} dp__input_sink_t;

/* Sets limits to DESIGN.md's defaults. */
void dp__input_limits_default(dp__input_limits_t *limits);

/* Checks that an INPUT argument exists ("-" always does). DP_ENOTFOUND when
 * it does not; the CLI then exits 2 before anything runs. */
dp_status dp__input_check_path(const char *path);

/* Reads one INPUT (path, or "-" for standard input) and emits its documents
 * and one bundle_end. Problems with the data never make it fail: they become
 * failed documents. Returns DP_OK, DP_EINTR when the sink asked to stop, or
 * DP_ENOMEM. Ids: BUNDLE/ENTRY for archive and folder entries (BUNDLE is the
 * base name; "stdin" for standard input), the base name for a single plain
 * file, and the JSON "id" as given for JSON Lines. */
dp_status dp__input_read(const dp__input_options_t *options, const char *path,
                         const dp__input_sink_t *sink);

#endif
