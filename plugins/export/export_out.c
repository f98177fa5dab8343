/* The export's output layer, shared by every format: buffered files written
 * under a temporary name in their final folder and renamed when complete (so
 * a killed run never leaves a file that looks whole), standard output, path
 * templates with sanitised fields, and error messages. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "docpipe/alloc.h"
#include "export.h"

dp_status ex_fail(ex_state_t *st, dp_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->error, sizeof st->error, fmt, ap);
    va_end(ap);
    st->status = status;
    if (st->host != NULL)
        dp_host_error(st->host, "%s", st->error);
    return status;
}

/* ---- folders and temporary names ------------------------------------------ */

dp_status ex_make_parents(ex_state_t *st, const char *path)
{
    /* Per-document files mostly land in the folder made last: skip the
     * mkdir calls then. */
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash != NULL ? (size_t)(slash - path) : 0;
    if (dir_len == 0)
        return DP_OK;
    if (st->made_dir != NULL && strlen(st->made_dir) == dir_len &&
        memcmp(st->made_dir, path, dir_len) == 0)
        return DP_OK;
    char *copy = dp_strdup(path);
    if (copy == NULL)
        return ex_fail(st, DP_ENOMEM, "%s: out of memory", path);
    /* Walk every "/" after the first character and create the prefix. */
    for (char *p = copy + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
            int e = errno;
            dp_status rc = ex_fail(st, DP_EIO, "cannot create folder %s: %s", copy, strerror(e));
            dp_free(copy);
            return rc;
        }
        *p = '/';
    }
    copy[dir_len] = '\0';
    dp_free(st->made_dir);
    st->made_dir = copy;
    return DP_OK;
}

/* ".NAME.tmp-PID" beside path. Caller frees with dp_free. */
static char *temp_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash != NULL ? (size_t)(slash - path) + 1 : 0;
    const char *base = path + dir_len;
    size_t n = dir_len + strlen(base) + 48;
    char *tmp = dp_malloc(n);
    if (tmp == NULL)
        return NULL;
    snprintf(tmp, n, "%.*s.%s.tmp-%ld", (int)dir_len, path, base, (long)getpid());
    return tmp;
}

/* ---- outputs ------------------------------------------------------------ */

static void out_reset(ex_state_t *st, ex_out_t *out)
{
    memset(out, 0, sizeof *out);
    out->st = st;
    out->fd = -1;
}

void ex_out_init_stdout(ex_state_t *st, ex_out_t *out)
{
    out_reset(st, out);
    out->fd = STDOUT_FILENO;
    out->is_stdout = true;
}

void ex_out_init_memory(ex_state_t *st, ex_out_t *out)
{
    out_reset(st, out);
}

bool ex_out_is_open(const ex_out_t *out)
{
    return out->fd >= 0 || out->tmp != NULL;
}

dp_status ex_out_open_file(ex_state_t *st, ex_out_t *out, const char *path, bool fail_if_exists)
{
    out_reset(st, out);
    if (path[0] == '\0')
        return ex_fail(st, DP_EINVAL, "the output path is empty");
    struct stat sb;
    if (fail_if_exists && lstat(path, &sb) == 0)
        return ex_fail(st, DP_ESTATE, "%s exists (if_exists is \"fail\")", path);
    dp_status rc = ex_make_parents(st, path);
    if (rc != DP_OK)
        return rc;
    out->path = dp_strdup(path);
    out->tmp = temp_name(path);
    if (out->path == NULL || out->tmp == NULL) {
        rc = ex_fail(st, DP_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    out->fd = open(out->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (out->fd < 0) {
        rc = ex_fail(st, DP_EIO, "cannot write %s: %s", path, strerror(errno));
        goto fail;
    }
    return DP_OK;
fail:
    dp_free(out->path);
    dp_free(out->tmp);
    out_reset(st, out);
    return rc;
}

dp_status ex_out_drain(ex_out_t *out)
{
    if (out->err != DP_OK || out->fd < 0)
        return out->err;
    size_t done = 0;
    while (done < out->buf.len) {
        ssize_t n = write(out->fd, out->buf.data + done, out->buf.len - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            out->err = ex_fail(out->st, DP_EIO, "cannot write %s: %s",
                               out->path != NULL ? out->path : "standard output", strerror(errno));
            return out->err;
        }
        done += (size_t)n;
    }
    dp_buf_clear(&out->buf);
    return DP_OK;
}

dp_status ex_out_write(ex_out_t *out, const void *data, size_t len)
{
    if (out->err != DP_OK)
        return out->err;
    if (dp_buf_append(&out->buf, data, len) != DP_OK) {
        out->err = ex_fail(out->st, DP_ENOMEM, "out of memory while writing %s",
                           out->path != NULL ? out->path : "output");
        return out->err;
    }
    if (out->fd >= 0 && out->buf.len >= EX_OUT_DRAIN)
        return ex_out_drain(out);
    return DP_OK;
}

char *ex_out_reserve(ex_out_t *out, size_t extra)
{
    if (out->err != DP_OK)
        return NULL;
    if (dp_buf_reserve(&out->buf, extra) != DP_OK) {
        out->err = ex_fail(out->st, DP_ENOMEM, "out of memory while writing %s",
                           out->path != NULL ? out->path : "output");
        return NULL;
    }
    return out->buf.data + out->buf.len;
}

dp_status ex_out_advance(ex_out_t *out, size_t n)
{
    if (out->err != DP_OK)
        return out->err;
    out->buf.len += n;
    out->buf.data[out->buf.len] = '\0'; /* dp_buf keeps its bytes NUL-terminated */
    if (out->fd >= 0 && out->buf.len >= EX_OUT_DRAIN)
        return ex_out_drain(out);
    return DP_OK;
}

dp_status ex_out_puts(ex_out_t *out, const char *s)
{
    return ex_out_write(out, s, strlen(s));
}

dp_status ex_out_putc(ex_out_t *out, char c)
{
    /* The common one-byte case without the length machinery. */
    if (out->err == DP_OK && out->buf.len + 1 < out->buf.cap) {
        out->buf.data[out->buf.len++] = c;
        out->buf.data[out->buf.len] = '\0';
        return DP_OK;
    }
    return ex_out_write(out, &c, 1);
}

dp_status ex_out_printf(ex_out_t *out, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return ex_fail(out->st, DP_ERR, "formatting failed");
    if ((size_t)n < sizeof small)
        return ex_out_write(out, small, (size_t)n);
    char *big = dp_malloc((size_t)n + 1);
    if (big == NULL)
        return ex_fail(out->st, DP_ENOMEM, "out of memory");
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    dp_status rc = ex_out_write(out, big, (size_t)n);
    dp_free(big);
    return rc;
}

void ex_out_abort(ex_out_t *out)
{
    if (out->fd >= 0 && !out->is_stdout)
        close(out->fd);
    if (out->tmp != NULL)
        unlink(out->tmp);
    dp_free(out->tmp);
    dp_free(out->path);
    dp_buf_free(&out->buf);
    ex_state_t *st = out->st;
    out_reset(st, out);
}

dp_status ex_out_commit(ex_out_t *out)
{
    dp_status rc = ex_out_drain(out);
    if (out->is_stdout || out->fd < 0)
        return rc;
    if (rc != DP_OK)
        goto fail;
    int fd = out->fd;
    out->fd = -1;
    if (close(fd) != 0) {
        rc = ex_fail(out->st, DP_EIO, "cannot write %s: %s", out->path, strerror(errno));
        goto fail;
    }
    if (rename(out->tmp, out->path) != 0) {
        rc = ex_fail(out->st, DP_EIO, "cannot rename %s to %s: %s", out->tmp, out->path,
                     strerror(errno));
        goto fail;
    }
    dp_free(out->tmp);
    out->tmp = NULL;
    ex_out_abort(out); /* frees what is left; nothing to unlink */
    return DP_OK;
fail:
    ex_out_abort(out);
    return rc;
}

dp_status ex_write_file(ex_state_t *st, const char *path, const void *data, size_t len,
                        bool fail_if_exists)
{
    ex_out_t out;
    dp_status rc = ex_out_open_file(st, &out, path, fail_if_exists);
    if (rc != DP_OK)
        return rc;
    /* Hand the data straight to write(): no copy into the buffer. */
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(out.fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = ex_fail(st, DP_EIO, "cannot write %s: %s", path, strerror(errno));
            ex_out_abort(&out);
            return rc;
        }
        p += n;
        len -= (size_t)n;
    }
    return ex_out_commit(&out);
}

/* ---- templates -------------------------------------------------------------- */

static const struct {
    const char *name;
    unsigned flag;
} template_fields[] = {
    {"bundle", EX_T_BUNDLE}, {"id", EX_T_ID}, {"date", EX_T_DATE}, {"stage", EX_T_STAGE}};

dp_status ex_template_parse(ex_state_t *st, const char *tmpl, unsigned *fields)
{
    *fields = 0;
    for (const char *p = tmpl; *p != '\0'; p++) {
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            p++;
            continue;
        }
        if (*p == '}')
            return ex_fail(st, DP_EINVAL, "path \"%s\": a lone \"}\" (write \"}}\" for a brace)",
                           tmpl);
        if (*p != '{')
            continue;
        const char *close = strchr(p, '}');
        if (close == NULL)
            return ex_fail(st, DP_EINVAL, "path \"%s\": \"{\" without \"}\"", tmpl);
        size_t n = (size_t)(close - p - 1);
        unsigned flag = 0;
        for (size_t i = 0; i < sizeof template_fields / sizeof template_fields[0]; i++)
            if (strlen(template_fields[i].name) == n && memcmp(template_fields[i].name, p + 1, n) == 0)
                flag = template_fields[i].flag;
        if (flag == 0)
            return ex_fail(st, DP_EINVAL,
                           "path \"%s\": unknown field {%.*s} (expected {bundle}, {id}, {date} or {stage})",
                           tmpl, (int)n, p + 1);
        *fields |= flag;
        p = close;
    }
    return DP_OK;
}

char *ex_sanitise(const char *value)
{
    size_t n = strlen(value);
    char *out = dp_malloc(n + 2);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    const char *p = value;
    while (*p != '\0') {
        /* One component: up to the next "/". Empty, "." and leading "/"
         * components are dropped; ".." becomes "_". */
        const char *end = strchr(p, '/');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        if (len == 0 || (len == 1 && p[0] == '.')) {
            /* nothing */
        } else {
            if (o > 0)
                out[o++] = '/';
            if (len == 2 && p[0] == '.' && p[1] == '.') {
                out[o++] = '_';
            } else {
                for (size_t i = 0; i < len; i++) {
                    unsigned char c = (unsigned char)p[i];
                    out[o++] = (c < 0x20 || c == 0x7f || c == '\\') ? '_' : (char)c;
                }
            }
        }
        p += len;
        if (*p == '/')
            p++;
    }
    if (o == 0)
        out[o++] = '_';
    out[o] = '\0';
    return out;
}

void ex_doc_date(const dp_doc_t *doc, char out[16])
{
    memcpy(out, "undated", 8);
    json_t *date = json_object_get(dp_doc_meta((dp_doc_t *)doc), "date");
    const char *s = json_string_value(date);
    if (s == NULL)
        return;
    /* Accept "YYYY", "YYYY-MM" or "YYYY-MM-DD", followed by the end or a time. */
    static const char shape[] = "dddd-dd-dd";
    size_t i = 0;
    while (i < 10 && s[i] != '\0' && s[i] != 'T') {
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != '-')
            return;
        i++;
    }
    if (i != 4 && i != 7 && i != 10)
        return;
    if (s[i] != '\0' && s[i] != 'T')
        return;
    memcpy(out, s, i);
    out[i] = '\0';
}

char *ex_template_expand(const char *tmpl, const char *bundle, const dp_doc_t *doc,
                         const char *stage)
{
    dp_buf_t b = DP_BUF_INIT;
    dp_status rc = DP_OK;
    for (const char *p = tmpl; *p != '\0' && rc == DP_OK; p++) {
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            rc = dp_buf_putc(&b, *p);
            p++;
            continue;
        }
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (close == NULL) {
            rc = dp_buf_putc(&b, *p);
            continue;
        }
        size_t n = (size_t)(close - p - 1);
        const char *value = NULL;
        char date[16];
        if (n == 6 && memcmp(p + 1, "bundle", 6) == 0) {
            value = bundle;
        } else if (n == 2 && memcmp(p + 1, "id", 2) == 0 && doc != NULL) {
            value = dp_doc_id(doc);
        } else if (n == 4 && memcmp(p + 1, "date", 4) == 0 && doc != NULL) {
            ex_doc_date(doc, date);
            value = date;
        } else if (n == 5 && memcmp(p + 1, "stage", 5) == 0) {
            value = stage;
        }
        if (value == NULL) {
            rc = dp_buf_append(&b, p, n + 2);
        } else {
            char *safe = ex_sanitise(value);
            rc = safe != NULL ? dp_buf_puts(&b, safe) : DP_ENOMEM;
            dp_free(safe);
        }
        p = close;
    }
    if (rc != DP_OK) {
        dp_buf_free(&b);
        return NULL;
    }
    return dp_buf_steal(&b, NULL);
}

/* ---- sets of open outputs ----------------------------------------------------- */

/* A {date} template over a long run could open a file per day; past this
 * many at once the run stops with a message instead of running out of file
 * descriptors. */
#define EX_FILES_MAX 512

ex_out_t *ex_files_get(ex_state_t *st, ex_files_t *files, const char *path, bool fail_if_exists,
                       bool *created)
{
    if (created != NULL)
        *created = false;
    if (files->last < files->count && strcmp(files->outs[files->last]->path, path) == 0)
        return files->outs[files->last];
    for (size_t i = 0; i < files->count; i++) {
        if (strcmp(files->outs[i]->path, path) == 0) {
            files->last = i;
            return files->outs[i];
        }
    }
    if (files->count >= EX_FILES_MAX) {
        ex_fail(st, DP_ELIMIT, "%s: more than %d output files open at once (put {bundle} in the path)",
                path, EX_FILES_MAX);
        return NULL;
    }
    if (files->count == files->cap) {
        size_t cap = files->cap != 0 ? files->cap * 2 : 4;
        ex_out_t **grown = dp_realloc(files->outs, cap * sizeof *grown);
        if (grown == NULL) {
            ex_fail(st, DP_ENOMEM, "out of memory");
            return NULL;
        }
        files->outs = grown;
        files->cap = cap;
    }
    ex_out_t *out = dp_malloc(sizeof *out);
    if (out == NULL) {
        ex_fail(st, DP_ENOMEM, "out of memory");
        return NULL;
    }
    if (ex_out_open_file(st, out, path, fail_if_exists) != DP_OK) {
        dp_free(out);
        return NULL;
    }
    files->last = files->count;
    files->outs[files->count++] = out;
    if (created != NULL)
        *created = true;
    return out;
}

static void files_remove(ex_files_t *files, ex_out_t *out)
{
    for (size_t i = 0; i < files->count; i++) {
        if (files->outs[i] == out) {
            memmove(files->outs + i, files->outs + i + 1, (files->count - i - 1) * sizeof *files->outs);
            files->count--;
            break;
        }
    }
    files->last = 0;
}

dp_status ex_files_commit(ex_files_t *files, ex_out_t *out)
{
    files_remove(files, out);
    dp_status rc = ex_out_commit(out);
    dp_free(out);
    return rc;
}

dp_status ex_files_commit_all(ex_files_t *files)
{
    dp_status first = DP_OK;
    /* Commit in opening order so messages come in a stable order. */
    for (size_t i = 0; i < files->count; i++) {
        dp_status rc = ex_out_commit(files->outs[i]);
        if (first == DP_OK)
            first = rc;
        dp_free(files->outs[i]);
    }
    files->count = 0;
    files->last = 0;
    return first;
}

void ex_files_abort_all(ex_files_t *files)
{
    for (size_t i = 0; i < files->count; i++) {
        ex_out_abort(files->outs[i]);
        dp_free(files->outs[i]);
    }
    dp_free(files->outs);
    memset(files, 0, sizeof *files);
}
