/* Format "csv": RFC 4180 tables that spreadsheets and data tools load. With
 * rows "documents" one row per document (id, bundle, entry, title, date,
 * language, summary, keywords, entity counts per label); with rows
 * "entities" one row per entity (document id, start, end, label, text,
 * canonical, value). A header row starts every file; rows end with CRLF;
 * cells are UTF-8 and safe against formula injection. Files are routed by
 * the path template like JSON Lines (export_stream.c). */
#include <string.h>

#include "docpipe/alloc.h"
#include "export.h"

typedef struct csv {
    ex_stream_t stream;
    bool entities;   /* rows "entities" */
    ex_out_t scratch; /* one cell's text (values as JSON, joined keywords) */
    size_t *counts;  /* per label in st->labels */
} csv_t;

dp_status ex_csv_cell(ex_out_t *out, const char *s, size_t len, bool first)
{
    dp_status rc = first ? DP_OK : ex_out_putc(out, ',');
    bool formula = len > 0 && s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
    bool quote = false;
    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (rc == DP_OK && quote)
        rc = ex_out_putc(out, '"');
    if (rc == DP_OK && formula)
        rc = ex_out_putc(out, '\'');
    size_t run = 0;
    for (size_t i = 0; i < len && rc == DP_OK; i++) {
        if (s[i] != '"' && s[i] != '\0')
            continue;
        /* A quote is doubled: write the run including it, and start the next
         * run at it again. A NUL is skipped. */
        rc = ex_out_write(out, s + run, i - run + (s[i] == '"'));
        run = s[i] == '"' ? i : i + 1;
    }
    if (rc == DP_OK)
        rc = ex_out_write(out, s + run, len - run);
    if (rc == DP_OK && quote)
        rc = ex_out_putc(out, '"');
    return rc;
}

static dp_status cell(ex_out_t *out, const char *s, bool first)
{
    return ex_csv_cell(out, s != NULL ? s : "", s != NULL ? strlen(s) : 0, first);
}

static dp_status cell_uint(ex_out_t *out, size_t v)
{
    return ex_out_printf(out, ",%zu", v);
}

static dp_status csv_header(ex_state_t *st, ex_out_t *out)
{
    csv_t *c = st->fmt;
    if (c->entities)
        return ex_out_puts(out, "id,start,end,label,text,canonical,value\r\n");
    dp_status rc = ex_out_puts(out, "id,bundle,entry,title,date,language,summary,keywords,entities");
    for (size_t i = 0; i < json_array_size(st->labels) && rc == DP_OK; i++)
        rc = cell(out, json_string_value(json_array_get(st->labels, i)), false);
    if (rc == DP_OK)
        rc = ex_out_puts(out, "\r\n");
    return rc;
}

static dp_status csv_start(ex_state_t *st)
{
    csv_t *c = dp_calloc(1, sizeof *c);
    if (c == NULL)
        return ex_fail(st, DP_ENOMEM, "out of memory");
    c->entities = strcmp(st->rows, "entities") == 0;
    c->counts = dp_calloc(json_array_size(st->labels) + 1, sizeof *c->counts);
    if (c->counts == NULL) {
        dp_free(c);
        return ex_fail(st, DP_ENOMEM, "out of memory");
    }
    ex_out_init_memory(st, &c->scratch);
    c->stream.header = csv_header;
    st->fmt = c; /* the header reads it */
    dp_status rc = ex_stream_start(st, &c->stream);
    if (rc != DP_OK) {
        dp_free(c->counts);
        dp_free(c);
        st->fmt = NULL;
    }
    return rc;
}

static dp_status document_row(ex_state_t *st, csv_t *c, ex_out_t *out, dp_doc_t *doc)
{
    const dp_source_t *src = dp_doc_source(doc);
    dp_status rc = cell(out, dp_doc_id(doc), true);
    if (rc == DP_OK)
        rc = cell(out, src->bundle, false);
    if (rc == DP_OK)
        rc = cell(out, src->entry, false);
    if (rc == DP_OK)
        rc = cell(out, ex_meta_string(doc, "title"), false);
    if (rc == DP_OK)
        rc = cell(out, ex_meta_string(doc, "date"), false);
    if (rc == DP_OK)
        rc = cell(out, ex_meta_string(doc, "language"), false);
    if (rc == DP_OK)
        rc = cell(out, ex_summary_text(doc), false);
    /* Keywords in rank order, "; " between them. */
    dp_buf_clear(&c->scratch.buf);
    const char *kw;
    double score;
    for (size_t i = 0; rc == DP_OK && ex_keyword_at(doc, i, &kw, &score); i++) {
        if (i > 0)
            rc = ex_out_puts(&c->scratch, "; ");
        if (rc == DP_OK)
            rc = ex_out_puts(&c->scratch, kw);
    }
    if (rc == DP_OK)
        rc = ex_csv_cell(out, c->scratch.buf.data != NULL ? c->scratch.buf.data : "",
                         c->scratch.buf.len, false);
    size_t nlabels = json_array_size(st->labels);
    memset(c->counts, 0, (nlabels + 1) * sizeof *c->counts);
    const dp_layer_t *entities = dp_doc_layer(doc, "entity");
    size_t n = entities != NULL ? dp_layer_count(entities) : 0;
    const dp_span_t *spans = entities != NULL ? dp_layer_spans(entities) : NULL;
    for (size_t i = 0; i < n; i++) {
        if (spans[i].label == NULL)
            continue;
        for (size_t l = 0; l < nlabels; l++)
            if (strcmp(spans[i].label, json_string_value(json_array_get(st->labels, l))) == 0)
                c->counts[l]++;
    }
    if (rc == DP_OK)
        rc = cell_uint(out, n);
    for (size_t l = 0; l < nlabels && rc == DP_OK; l++)
        rc = cell_uint(out, c->counts[l]);
    if (rc == DP_OK)
        rc = ex_out_puts(out, "\r\n");
    return rc;
}

static dp_status entity_rows(ex_state_t *st, csv_t *c, ex_out_t *out, dp_doc_t *doc)
{
    const dp_layer_t *entities = dp_doc_layer(doc, "entity");
    if (entities == NULL)
        return DP_OK;
    size_t len;
    const char *text = dp_doc_text(doc, &len);
    dp_status rc = ex_offmap_build(&st->map, text, len, st->unit);
    if (rc != DP_OK)
        return ex_fail(st, rc, "out of memory");
    const dp_span_t *spans = dp_layer_spans(entities);
    for (size_t i = 0; i < dp_layer_count(entities) && rc == DP_OK; i++) {
        const dp_span_t *sp = &spans[i];
        rc = cell(out, dp_doc_id(doc), true);
        if (rc == DP_OK)
            rc = cell_uint(out, ex_offmap_get(&st->map, sp->start));
        if (rc == DP_OK)
            rc = cell_uint(out, ex_offmap_get(&st->map, sp->end));
        if (rc == DP_OK)
            rc = cell(out, sp->label, false);
        if (rc == DP_OK)
            rc = ex_csv_cell(out, text + sp->start, sp->end - sp->start, false);
        if (rc == DP_OK)
            rc = cell(out, ex_attr_string(sp, "canonical"), false);
        /* value: a string as it is, anything else (an amount) as JSON. */
        json_t *value = sp->attrs != NULL ? json_object_get(sp->attrs, "value") : NULL;
        if (rc == DP_OK && json_is_string(value)) {
            rc = cell(out, json_string_value(value), false);
        } else if (rc == DP_OK && value != NULL) {
            dp_buf_clear(&c->scratch.buf);
            rc = ex_json_value(&c->scratch, value);
            if (rc == DP_OK)
                rc = ex_csv_cell(out, c->scratch.buf.data, c->scratch.buf.len, false);
        } else if (rc == DP_OK) {
            rc = ex_out_putc(out, ',');
        }
        if (rc == DP_OK)
            rc = ex_out_puts(out, "\r\n");
    }
    return rc;
}

static dp_status csv_process(ex_state_t *st, dp_doc_t *doc)
{
    csv_t *c = st->fmt;
    ex_out_t *out = ex_stream_out(st, &c->stream, doc);
    if (out == NULL)
        return st->status;
    dp_status rc = c->entities ? entity_rows(st, c, out, doc) : document_row(st, c, out, doc);
    if (rc == DP_OK)
        rc = ex_stream_doc_done(st, &c->stream, out);
    return rc;
}

static dp_status csv_bundle_end(ex_state_t *st, const char *bundle)
{
    csv_t *c = st->fmt;
    return ex_stream_bundle_end(st, &c->stream, bundle);
}

static dp_status csv_flush(ex_state_t *st)
{
    csv_t *c = st->fmt;
    return ex_stream_flush(st, &c->stream);
}

static void csv_stop(ex_state_t *st)
{
    csv_t *c = st->fmt;
    if (c == NULL)
        return;
    ex_stream_stop(st, &c->stream);
    dp_buf_free(&c->scratch.buf);
    dp_free(c->counts);
    dp_free(c);
    st->fmt = NULL;
}

const ex_format_t ex_format_csv = {
    .name = "csv",
    .start = csv_start,
    .process = csv_process,
    .bundle_end = csv_bundle_end,
    .flush = csv_flush,
    .stop = csv_stop,
};
