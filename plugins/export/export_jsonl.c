/* Format "jsonl": one exported document (DESIGN.md, format 1) per line, to
 * standard output or to files named by the path template: one file for the
 * run, one per bundle with {bundle} (closed at the bundle's end), one per
 * date with {date}, one per document with {id}. */
#include <string.h>

#include "docpipe/alloc.h"
#include "export.h"

typedef struct jsonl {
    bool to_stdout;
    ex_out_t stdout_out;
    ex_files_t files;
} jsonl_t;

static dp_status jsonl_start(ex_state_t *st)
{
    jsonl_t *j = dp_calloc(1, sizeof *j);
    if (j == NULL)
        return ex_fail(st, DP_ENOMEM, "out of memory");
    st->fmt = j;
    j->to_stdout = strcmp(st->path, "-") == 0;
    if (j->to_stdout) {
        ex_out_init_stdout(st, &j->stdout_out);
        return DP_OK;
    }
    if ((st->fields & (EX_T_BUNDLE | EX_T_ID | EX_T_DATE)) == 0) {
        /* One file for the run: open it now, so that if_exists "fail" stops
         * the run before it starts and an empty run still leaves a file. */
        char *path = ex_template_expand(st->path, NULL, NULL, st->stage);
        ex_out_t *out = path != NULL ? ex_files_get(st, &j->files, path, st->if_exists == EX_IF_FAIL,
                                                    NULL)
                                     : NULL;
        dp_status rc = out != NULL ? DP_OK : path == NULL ? ex_fail(st, DP_ENOMEM, "out of memory")
                                                         : st->status;
        dp_free(path);
        if (rc != DP_OK) {
            ex_files_abort_all(&j->files);
            dp_free(j);
            st->fmt = NULL;
            return rc;
        }
    }
    return DP_OK;
}

static dp_status jsonl_process(ex_state_t *st, dp_doc_t *doc)
{
    jsonl_t *j = st->fmt;
    ex_out_t *out = &j->stdout_out;
    if (!j->to_stdout) {
        char *path = ex_template_expand(st->path, dp_doc_source(doc)->bundle, doc, st->stage);
        if (path == NULL)
            return ex_fail(st, DP_ENOMEM, "out of memory");
        out = ex_files_get(st, &j->files, path, st->if_exists == EX_IF_FAIL, NULL);
        dp_free(path);
        if (out == NULL)
            return st->status;
    }
    dp_status rc = ex_json_document(out, doc, &st->map, st->unit, st->layers);
    if (rc == DP_OK)
        rc = ex_out_putc(out, '\n');
    if (rc == DP_OK && !j->to_stdout && (st->fields & EX_T_ID) != 0)
        rc = ex_files_commit(&j->files, out);
    return rc;
}

static dp_status jsonl_bundle_end(ex_state_t *st, const char *bundle)
{
    jsonl_t *j = st->fmt;
    if (j->to_stdout)
        return ex_out_drain(&j->stdout_out);
    if ((st->fields & EX_T_BUNDLE) == 0)
        return DP_OK;
    if ((st->fields & (EX_T_ID | EX_T_DATE)) == 0) {
        /* A bundle whose documents all failed still gets its (empty) file. */
        char *path = ex_template_expand(st->path, bundle, NULL, st->stage);
        if (path == NULL)
            return ex_fail(st, DP_ENOMEM, "out of memory");
        ex_out_t *out = ex_files_get(st, &j->files, path, st->if_exists == EX_IF_FAIL, NULL);
        dp_free(path);
        if (out == NULL && st->if_exists != EX_IF_FAIL)
            return st->status;
    }
    return ex_files_commit_all(&j->files);
}

static dp_status jsonl_flush(ex_state_t *st)
{
    jsonl_t *j = st->fmt;
    if (j->to_stdout)
        return ex_out_drain(&j->stdout_out);
    return ex_files_commit_all(&j->files);
}

static void jsonl_stop(ex_state_t *st)
{
    jsonl_t *j = st->fmt;
    if (j == NULL)
        return;
    /* After flush nothing is open; after an aborted run this removes every
     * temporary file. What standard output still buffers are documents that
     * were processed: a filter's reader gets them. */
    ex_files_abort_all(&j->files);
    if (j->to_stdout)
        ex_out_drain(&j->stdout_out);
    dp_buf_free(&j->stdout_out.buf);
    dp_free(j);
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
