/* The shared half of the input fuzz targets (fuzz_input.h): read a scratch
 * file with small limits into a sink that checks and frees each document. */
#include <stdlib.h>
#include <string.h>

#include "doc_internal.h"
#include "fuzz_input.h"

/* Where the sink sums sampled raw bytes, so the reads cannot be dropped. */
static volatile unsigned touched;

typedef struct counts {
    size_t docs;
    int bundles;
} counts_t;

/* Touches what a later stage would read, so ASan sees any bad pointer, then
 * frees the document: the sink owns it. */
static int take(void *ctx, dp_doc_t *doc)
{
    counts_t *c = ctx;
    c->docs++;
    if (!dp_doc_id(doc))
        abort();
    size_t len = 0;
    const unsigned char *raw = dp_doc_raw(doc, &len);
    for (size_t i = 0; raw && i < len; i += 97)
        touched += raw[i];
    size_t text_len = 0;
    const char *text = dp_doc_text(doc, &text_len);
    if (text && strlen(text) > text_len)
        abort();
    const char *msg = dp__doc_fail_message(doc);
    if (msg && !msg[0])
        abort(); /* a failed document says why */
    dp__doc_free(doc);
    return 0;
}

static int bundle_end(void *ctx, const char *bundle)
{
    counts_t *c = ctx;
    if (!bundle)
        abort();
    c->bundles++;
    return 0;
}

void fuzz_input_run(const char *name, dp__input_format_t format, const uint8_t *data, size_t size)
{
    const char *path = fuzz_scratch_file(name, data, size);
    static const char *const include[] = {"*", NULL};
    dp__input_options_t options = {.format = format, .include = NULL};
    dp__input_limits_default(&options.limits);
    options.limits.max_entry_bytes = 256 * 1024;
    options.limits.max_total_bytes = 1024 * 1024;
    options.limits.max_ratio = 50;
    options.limits.max_depth = 2;
    /* Odd sizes also go through the include filter. */
    if (size & 1)
        options.include = include;
    counts_t c = {0, 0};
    dp__input_sink_t sink = {.ctx = &c, .emit = take, .bundle_end = bundle_end};
    dp_status rc = dp__input_read(&options, path, &sink);
    if (rc != DP_OK && rc != DP_ENOMEM)
        abort();
    if (rc == DP_OK && c.bundles != 1)
        abort();
}
