/* Streams of records (JSON Lines, CSV rows) routed by the path template:
 * standard output (buffered, drained at every bundle's end and at flush, so
 * the bytes are the same whatever -j is), one file for the run (renamed at
 * flush), one per bundle with {bundle} (renamed at the bundle's end), one
 * per date with {date}, one per document with {id}. */
#include <string.h>
#include <unistd.h>

#include "docpipe/alloc.h"
#include "export.h"

/* Fields that give each document or bundle its own file. */
#define ROUTED (EX_T_BUNDLE | EX_T_ID | EX_T_DATE)

static ex_out_t *open_path(ex_state_t *st, ex_stream_t *s, char *path)
{
    if (path == NULL) {
        ex_fail(st, DP_ENOMEM, "out of memory");
        return NULL;
    }
    bool created = false;
    ex_out_t *out = ex_files_get(st, &s->files, path, st->if_exists == EX_IF_FAIL, &created);
    dp_free(path);
    if (out != NULL && created && s->header != NULL && s->header(st, out) != DP_OK)
        return NULL;
    return out;
}

dp_status ex_stream_start(ex_state_t *st, ex_stream_t *s)
{
    s->to_stdout = strcmp(st->path, "-") == 0;
    if (s->to_stdout) {
        ex_out_init_stdout(st, &s->stdout_out);
        return s->header != NULL ? s->header(st, &s->stdout_out) : DP_OK;
    }
    if ((st->fields & ROUTED) == 0) {
        /* One file for the run: open it now, so that if_exists "fail" stops
         * the run before it starts and an empty run still leaves a file. */
        if (open_path(st, s, ex_template_expand(st->path, NULL, NULL, st->stage)) == NULL) {
            ex_files_abort_all(&s->files);
            return st->status;
        }
    }
    return DP_OK;
}

ex_out_t *ex_stream_out(ex_state_t *st, ex_stream_t *s, dp_doc_t *doc)
{
    if (s->to_stdout)
        return &s->stdout_out;
    if ((st->fields & ROUTED) == 0 && s->files.count == 1)
        return s->files.outs[0];
    return open_path(st, s, ex_template_expand(st->path, dp_doc_source(doc)->bundle, doc, st->stage));
}

dp_status ex_stream_doc_done(ex_state_t *st, ex_stream_t *s, ex_out_t *out)
{
    if (!s->to_stdout && (st->fields & EX_T_ID) != 0)
        return ex_files_commit(&s->files, out);
    return DP_OK;
}

dp_status ex_stream_bundle_end(ex_state_t *st, ex_stream_t *s, const char *bundle)
{
    if (s->to_stdout)
        return ex_out_drain(&s->stdout_out);
    if ((st->fields & EX_T_BUNDLE) == 0)
        return DP_OK;
    if ((st->fields & (EX_T_ID | EX_T_DATE)) == 0) {
        /* A bundle whose documents all failed still gets its (empty) file;
         * with if_exists "fail" an existing one is left as it is. */
        char *path = ex_template_expand(st->path, bundle, NULL, st->stage);
        if (path != NULL && st->if_exists == EX_IF_FAIL && access(path, F_OK) == 0) {
            dp_free(path);
        } else if (open_path(st, s, path) == NULL) {
            return st->status;
        }
    }
    return ex_files_commit_all(&s->files);
}

dp_status ex_stream_flush(ex_state_t *st, ex_stream_t *s)
{
    (void)st;
    if (s->to_stdout)
        return ex_out_drain(&s->stdout_out);
    return ex_files_commit_all(&s->files);
}

void ex_stream_stop(ex_state_t *st, ex_stream_t *s)
{
    (void)st;
    /* After flush nothing is open; after an aborted run this removes every
     * temporary file. What standard output still buffers are documents that
     * were processed: a filter's reader gets them. */
    ex_files_abort_all(&s->files);
    if (s->to_stdout)
        ex_out_drain(&s->stdout_out);
    dp_buf_free(&s->stdout_out.buf);
}
