/* Format "json": one exported document (DESIGN.md, format 1) per file. The
 * path is a folder (files named by the sanitised id plus ".json") or a
 * template with {id}; with archive "tar.gz" or "zip" it is one archive (per
 * run, or per bundle with {bundle}) holding the same files, written through
 * libarchive. Every file and archive is written under a temporary name and
 * renamed when complete. */
#include <archive.h>
#include <archive_entry.h>
#include <locale.h>
#include <string.h>
#include <unistd.h>

#include "docpipe/alloc.h"
#include "export.h"

typedef struct json_fmt {
    bool archive;       /* archive mode: path names the archive file */
    bool zip;           /* zip, else tar.gz */
    struct archive *ar; /* the open archive, or NULL */
    ex_out_t file;      /* the archive's temporary file */
    ex_out_t mem;       /* one document being serialised */
    /* libarchive converts entry names through the locale's character set;
     * under the C locale a UTF-8 name is refused or crashes it. Archive
     * calls run with a UTF-8 locale for the calling thread only
     * (uselocale), so the process's locale is never touched. */
    locale_t utf8;
    locale_t saved;
} json_fmt_t;

static void utf8_enter(json_fmt_t *j)
{
    if (j->utf8 != (locale_t)0)
        j->saved = uselocale(j->utf8);
}

static void utf8_leave(json_fmt_t *j)
{
    if (j->utf8 != (locale_t)0)
        uselocale(j->saved);
}

static dp_status json_start(ex_state_t *st)
{
    if (strcmp(st->path, "-") == 0)
        return ex_fail(st, DP_EINVAL,
                       "format json writes files: path must be a folder, a template with {id}, "
                       "or an archive file with the archive option");
    json_fmt_t *j = dp_calloc(1, sizeof *j);
    if (j == NULL)
        return ex_fail(st, DP_ENOMEM, "out of memory");
    j->archive = strcmp(st->archive, "none") != 0;
    j->zip = strcmp(st->archive, "zip") == 0;
    if (j->archive) {
        j->utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
        if (j->utf8 == (locale_t)0)
            j->utf8 = newlocale(LC_CTYPE_MASK, "C.utf8", (locale_t)0);
    }
    ex_out_init_memory(st, &j->mem);
    ex_out_init_memory(st, &j->file);
    if (j->archive && (st->fields & (EX_T_ID | EX_T_DATE)) != 0) {
        if (j->utf8 != (locale_t)0)
            freelocale(j->utf8);
        dp_free(j);
        return ex_fail(st, DP_EINVAL, "format json with archive \"%s\": path may use {bundle} and "
                       "{stage}, not {id} or {date} (the archive holds every document)", st->archive);
    }
    st->fmt = j;
    /* A fixed path and if_exists "fail": refuse before the run starts. */
    if (st->if_exists == EX_IF_FAIL && (st->fields & (EX_T_BUNDLE | EX_T_ID | EX_T_DATE)) == 0) {
        char *path = ex_template_expand(st->path, NULL, NULL, st->stage);
        if (path == NULL)
            return ex_fail(st, DP_ENOMEM, "out of memory");
        dp_status rc = DP_OK;
        if (j->archive && access(path, F_OK) == 0)
            rc = ex_fail(st, DP_ESTATE, "%s exists (if_exists is \"fail\")", path);
        dp_free(path);
        if (rc != DP_OK) {
            if (j->utf8 != (locale_t)0)
                freelocale(j->utf8);
            dp_free(j);
            st->fmt = NULL;
            return rc;
        }
    }
    return DP_OK;
}

/* Closes the archive and renames it into place (commit) or removes it. */
static dp_status archive_finish(ex_state_t *st, json_fmt_t *j, bool commit)
{
    dp_status rc = DP_OK;
    if (j->ar != NULL) {
        utf8_enter(j);
        if (commit && archive_write_close(j->ar) < ARCHIVE_WARN)
            rc = ex_fail(st, DP_EIO, "cannot write %s: %s", j->file.path, archive_error_string(j->ar));
        archive_write_free(j->ar);
        utf8_leave(j);
        j->ar = NULL;
    }
    if (commit && rc == DP_OK)
        return ex_out_commit(&j->file);
    ex_out_abort(&j->file);
    return rc;
}

static dp_status archive_open(ex_state_t *st, json_fmt_t *j, const char *path)
{
    dp_status rc = ex_out_open_file(st, &j->file, path, st->if_exists == EX_IF_FAIL);
    if (rc != DP_OK)
        return rc;
    utf8_enter(j);
    j->ar = archive_write_new();
    if (j->ar == NULL) {
        utf8_leave(j);
        ex_out_abort(&j->file);
        return ex_fail(st, DP_ENOMEM, "out of memory");
    }
    int r;
    if (j->zip) {
        r = archive_write_set_format_zip(j->ar);
    } else {
        r = archive_write_set_format_pax_restricted(j->ar);
        if (r == ARCHIVE_OK)
            r = archive_write_add_filter_gzip(j->ar);
        /* No timestamp in the gzip header: the archive is the same bytes for
         * the same documents, whatever -j or the time of the run. */
        if (r == ARCHIVE_OK)
            r = archive_write_set_filter_option(j->ar, "gzip", "timestamp", NULL);
    }
    if (r == ARCHIVE_OK)
        r = archive_write_open_fd(j->ar, j->file.fd);
    if (r != ARCHIVE_OK)
        rc = ex_fail(st, DP_EIO, "cannot write %s: %s", path, archive_error_string(j->ar));
    utf8_leave(j);
    if (rc != DP_OK)
        archive_finish(st, j, false);
    return rc;
}

static dp_status archive_add(ex_state_t *st, json_fmt_t *j, dp_doc_t *doc, const char *name)
{
    struct archive_entry *e = archive_entry_new();
    if (e == NULL)
        return ex_fail(st, DP_ENOMEM, "out of memory");
    utf8_enter(j);
    /* Without a UTF-8 locale the name goes in as bytes: the only form
     * libarchive accepts then (a tar reader still gets UTF-8 bytes). */
    if (j->utf8 != (locale_t)0)
        archive_entry_set_pathname_utf8(e, name);
    else
        archive_entry_copy_pathname(e, name);
    archive_entry_set_size(e, (la_int64_t)j->mem.buf.len);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_mtime(e, (time_t)dp_doc_source(doc)->mtime, 0);
    dp_status rc = DP_OK;
    if (archive_write_header(j->ar, e) < ARCHIVE_WARN ||
        archive_write_data(j->ar, j->mem.buf.data, j->mem.buf.len) < 0)
        rc = ex_fail(st, DP_EIO, "cannot write %s: %s", j->file.path, archive_error_string(j->ar));
    utf8_leave(j);
    archive_entry_free(e);
    return rc;
}

static dp_status json_process(ex_state_t *st, dp_doc_t *doc)
{
    json_fmt_t *j = st->fmt;
    const char *bundle = dp_doc_source(doc)->bundle;
    char *path = ex_template_expand(st->path, bundle, doc, st->stage);
    char *name = ex_sanitise(dp_doc_id(doc));
    dp_status rc = DP_OK;
    if (path == NULL || name == NULL) {
        rc = ex_fail(st, DP_ENOMEM, "out of memory");
        goto done;
    }
    dp_buf_clear(&j->mem.buf);
    rc = ex_json_document(&j->mem, doc, &st->map, st->unit, st->layers);
    if (rc == DP_OK)
        rc = ex_out_putc(&j->mem, '\n');
    if (rc != DP_OK)
        goto done;
    if (j->archive) {
        if (j->ar == NULL)
            rc = archive_open(st, j, path);
        if (rc == DP_OK) {
            dp_buf_t entry = DP_BUF_INIT;
            rc = dp_buf_printf(&entry, "%s.json", name) == DP_OK
                     ? archive_add(st, j, doc, entry.data)
                     : ex_fail(st, DP_ENOMEM, "out of memory");
            dp_buf_free(&entry);
        }
        goto done;
    }
    /* A template with {id} names the file; otherwise path is the folder. */
    dp_buf_t file = DP_BUF_INIT;
    dp_status brc = (st->fields & EX_T_ID) != 0 ? dp_buf_puts(&file, path)
                                                : dp_buf_printf(&file, "%s/%s.json", path, name);
    if (brc != DP_OK)
        rc = ex_fail(st, DP_ENOMEM, "out of memory");
    else
        rc = ex_write_file(st, file.data, j->mem.buf.data, j->mem.buf.len, st->if_exists == EX_IF_FAIL);
    dp_buf_free(&file);
done:
    dp_free(path);
    dp_free(name);
    return rc;
}

static dp_status json_bundle_end(ex_state_t *st, const char *bundle)
{
    (void)bundle;
    json_fmt_t *j = st->fmt;
    if (j->archive && (st->fields & EX_T_BUNDLE) != 0 && j->ar != NULL)
        return archive_finish(st, j, true);
    return DP_OK;
}

static dp_status json_flush(ex_state_t *st)
{
    json_fmt_t *j = st->fmt;
    if (!j->archive)
        return DP_OK;
    if (j->ar == NULL && (st->fields & EX_T_BUNDLE) == 0) {
        /* A run without documents still leaves its (empty) archive. */
        char *path = ex_template_expand(st->path, NULL, NULL, st->stage);
        if (path == NULL)
            return ex_fail(st, DP_ENOMEM, "out of memory");
        dp_status rc = archive_open(st, j, path);
        dp_free(path);
        if (rc != DP_OK)
            return rc;
    }
    return j->ar != NULL ? archive_finish(st, j, true) : DP_OK;
}

static void json_stop(ex_state_t *st)
{
    json_fmt_t *j = st->fmt;
    if (j == NULL)
        return;
    archive_finish(st, j, false);
    dp_buf_free(&j->mem.buf);
    if (j->utf8 != (locale_t)0)
        freelocale(j->utf8);
    dp_free(j);
    st->fmt = NULL;
}

const ex_format_t ex_format_json = {
    .name = "json",
    .start = json_start,
    .process = json_process,
    .bundle_end = json_bundle_end,
    .flush = json_flush,
    .stop = json_stop,
};
