/* Format "jsonl": one exported document (DESIGN.md, format 1) per line, to
 * standard output or to the files the path template names (see ex_stream_t
 * in export_stream.c). */
#include "docpipe/alloc.h"
#include "export.h"

static dp_status jsonl_start(ex_state_t *st)
{
    ex_stream_t *s = dp_calloc(1, sizeof *s);
    if (s == NULL)
        return ex_fail(st, DP_ENOMEM, "out of memory");
    dp_status rc = ex_stream_start(st, s);
    if (rc != DP_OK) {
        dp_free(s);
        return rc;
    }
    st->fmt = s;
    return DP_OK;
}

static dp_status jsonl_process(ex_state_t *st, dp_doc_t *doc)
{
    ex_out_t *out = ex_stream_out(st, st->fmt, doc);
    if (out == NULL)
        return st->status;
    dp_status rc = ex_json_document(out, doc, &st->map, st->unit, st->layers);
    if (rc == DP_OK)
        rc = ex_out_putc(out, '\n');
    if (rc == DP_OK)
        rc = ex_stream_doc_done(st, st->fmt, out);
    return rc;
}

static dp_status jsonl_bundle_end(ex_state_t *st, const char *bundle)
{
    return ex_stream_bundle_end(st, st->fmt, bundle);
}

static dp_status jsonl_flush(ex_state_t *st)
{
    return ex_stream_flush(st, st->fmt);
}

static void jsonl_stop(ex_state_t *st)
{
    if (st->fmt == NULL)
        return;
    ex_stream_stop(st, st->fmt);
    dp_free(st->fmt);
    st->fmt = NULL;
}

const ex_format_t ex_format_jsonl = {
    .name = "jsonl",
    .start = jsonl_start,
    .process = jsonl_process,
    .bundle_end = jsonl_bundle_end,
    .flush = jsonl_flush,
    .stop = jsonl_stop,
};
