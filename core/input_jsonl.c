/* JSON Lines input (--input-format jsonl): one object a line with "id"
 * (string or integer, kept with its JSON type), "text" or "bytes_b64",
 * optional "mtime" (ISO 8601), every other field into metadata. A line that
 * is not such an object is one failed document naming the line number;
 * nothing about the data is ever fatal. Lines are read one at a time, so a
 * stream of any length runs in the memory of its longest line (at most
 * max_entry_bytes). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doc_internal.h"
#include "docpipe/alloc.h"
#include "docpipe/buf.h"
#include "docpipe/date.h"
#include "input_internal.h"

typedef struct line_reader {
    int fd;
    unsigned char *buf; /* read buffer */
    size_t cap, start, end;
    bool eof;
    int error; /* errno of a failed read */
} line_reader_t;

#define READ_CHUNK ((size_t)64 << 10)

/* Reads the next line (without its "\n") into line. Returns 1 for a line, 0
 * at the end, -1 on a read error. A line longer than limit is consumed but
 * not kept: *too_long is set and line holds its first limit bytes. */
static int next_line(line_reader_t *lr, dp_buf_t *line, uint64_t limit, bool *too_long,
                     dp_status *mem)
{
    dp_buf_clear(line);
    *too_long = false;
    bool any = false;
    for (;;) {
        if (lr->start == lr->end) {
            if (lr->eof)
                return any ? 1 : 0;
            ssize_t n = read(lr->fd, lr->buf, lr->cap);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                lr->error = errno;
                return -1;
            }
            lr->start = 0;
            lr->end = (size_t)n;
            if (n == 0) {
                lr->eof = true;
                continue;
            }
        }
        any = true;
        unsigned char *p = lr->buf + lr->start;
        size_t avail = lr->end - lr->start;
        unsigned char *nl = memchr(p, '\n', avail);
        size_t take = nl ? (size_t)(nl - p) : avail;
        if (!*too_long) {
            if ((uint64_t)line->len + take > limit) {
                *too_long = true;
            } else if (dp_buf_append(line, p, take) != DP_OK) {
                *mem = DP_ENOMEM;
                return -1;
            }
        }
        lr->start += take + (nl ? 1 : 0);
        if (nl)
            return 1;
    }
}

/* Standard base64 (RFC 4648), padding optional, white space ignored.
 * Returns the decoded bytes (caller frees with dp_free) or NULL with
 * *bad set when the text is not base64 (NULL and !*bad: out of memory). */
static unsigned char *base64_decode(const char *s, size_t n, size_t *out_len, bool *bad)
{
    *bad = false;
    unsigned char *out = dp_malloc(n / 4 * 3 + 3);
    if (!out)
        return NULL;
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0, pad = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int v;
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= 'a' && c <= 'z')
            v = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            v = c - '0' + 52;
        else if (c == '+' || c == '-')
            v = 62;
        else if (c == '/' || c == '_')
            v = 63;
        else if (c == '=') {
            pad++;
            continue;
        } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            continue;
        else
            goto bad;
        if (pad)
            goto bad; /* data after padding */
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (bits >= 6 || pad > 2)
        goto bad; /* a lone sixth of a byte */
    *out_len = o;
    return out;
bad:
    dp_free(out);
    *bad = true;
    return NULL;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "mtime": an ISO 8601 date or date-time (through the shared date parser)
 * or a number of seconds since the epoch. */
static bool parse_mtime(const json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = (int64_t)json_integer_value(v);
        return true;
    }
    if (!json_is_string(v))
        return false;
    dp_date_t d;
    if (dp_date_parse_iso(json_string_value(v), json_string_length(v), &d) != DP_OK ||
        d.precision < DP_DATE_YEAR)
        return false;
    /* A reduced precision ("2020-06") stands for its first day. */
    int64_t t = days_from_civil(d.year, d.month ? d.month : 1, d.day ? d.day : 1) * 86400;
    if (d.precision >= DP_DATE_MINUTE)
        t += (int64_t)d.hour * 3600 + (int64_t)d.minute * 60 + d.second;
    if (d.has_tz)
        t -= (int64_t)d.tz_offset_minutes * 60;
    *out = t;
    return true;
}

typedef struct jsonl_ctx {
    const dp__input_options_t *opt;
    const dp__input_sink_t *sink;
    const char *bundle;
} jsonl_ctx_t;

/* A failed document for line lineno: its own id when the line had a usable
 * one (id_json, owned), else "BUNDLE:LINE". The line's bytes go with it as
 * its raw bytes, so that a quarantine folder gets what was wrong. */
static dp_status fail_line(jsonl_ctx_t *c, unsigned long lineno, json_t *id_json,
                           const char *what, const char *detail, const char *line, size_t len)
{
    if (!id_json) {
        char tmp[64];
        snprintf(tmp, sizeof tmp, ":%lu", lineno);
        dp_buf_t id = DP_BUF_INIT;
        if (dp_buf_puts(&id, c->bundle) != DP_OK || dp_buf_puts(&id, tmp) != DP_OK) {
            dp_buf_free(&id);
            return DP_ENOMEM;
        }
        id_json = json_stringn(id.data, id.len);
        dp_buf_free(&id);
        if (!id_json)
            return DP_ENOMEM;
    }
    dp_buf_t msg = DP_BUF_INIT;
    dp_doc_t *doc = dp__input_new_doc(id_json, c->bundle, NULL, 0);
    unsigned char *raw = line ? dp_malloc(len + 1) : NULL;
    if (!doc || (line && !raw) ||
        dp_buf_printf(&msg, "line %lu: %s%s%s", lineno, what, detail ? ": " : "",
                      detail ? detail : "") != DP_OK) {
        dp__doc_free(doc);
        dp_free(raw);
        dp_buf_free(&msg);
        return DP_ENOMEM;
    }
    dp__doc_fail(doc, "input", msg.data);
    dp_buf_free(&msg);
    if (raw) {
        memcpy(raw, line, len);
        dp__doc_take_raw(doc, raw, len);
    }
    return dp__input_emit(c->sink, doc);
}

/* Turns one line into a document. */
static dp_status read_line(jsonl_ctx_t *c, unsigned long lineno, const char *s, size_t n)
{
    json_error_t err;
    json_t *obj = json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    json_t *id = NULL;
    dp_doc_t *doc = NULL;
    dp_status rc = DP_OK;
    if (!obj) {
        char detail[256];
        snprintf(detail, sizeof detail, "%s (column %d)", err.text, err.column);
        return fail_line(c, lineno, NULL, "invalid JSON", detail, s, n);
    }
    if (!json_is_object(obj)) {
        rc = fail_line(c, lineno, NULL, "expected a JSON object", NULL, s, n);
        goto done;
    }
    json_t *idv = json_object_get(obj, "id");
    if (!idv) {
        rc = fail_line(c, lineno, NULL, "missing \"id\"", NULL, s, n);
        goto done;
    }
    if (!json_is_string(idv) && !json_is_integer(idv)) {
        rc = fail_line(c, lineno, NULL, "\"id\" must be a string or an integer", NULL, s, n);
        goto done;
    }
    id = json_incref(idv);
    json_t *text = json_object_get(obj, "text");
    json_t *b64 = json_object_get(obj, "bytes_b64");
    json_t *mt = json_object_get(obj, "mtime");
    int64_t mtime = 0;
    if (mt && !json_is_null(mt) && !parse_mtime(mt, &mtime)) {
        rc = fail_line(c, lineno, id, "\"mtime\" is not an ISO 8601 date or date-time", NULL, s, n);
        id = NULL;
        goto done;
    }
    if (text && b64) {
        rc = fail_line(c, lineno, id, "both \"text\" and \"bytes_b64\" given", NULL, s, n);
        id = NULL;
        goto done;
    }
    if ((text && !json_is_string(text)) || (b64 && !json_is_string(b64))) {
        rc = fail_line(c, lineno, id,
                       text ? "\"text\" must be a string" : "\"bytes_b64\" must be a string",
                       NULL, s, n);
        id = NULL;
        goto done;
    }
    if (!text && !b64) {
        rc = fail_line(c, lineno, id, "needs \"text\" or \"bytes_b64\"", NULL, s, n);
        id = NULL;
        goto done;
    }
    size_t len = json_string_length(text ? text : b64);
    if ((uint64_t)len > c->opt->limits.max_entry_bytes) {
        char detail[64];
        snprintf(detail, sizeof detail, "%llu",
                 (unsigned long long)c->opt->limits.max_entry_bytes);
        rc = fail_line(c, lineno, id, "document exceeds max_entry_bytes", detail, NULL, 0);
        id = NULL;
        goto done;
    }
    doc = dp__input_new_doc(id, c->bundle, NULL, mtime);
    id = NULL; /* the document owns it now, also on failure */
    if (!doc) {
        rc = DP_ENOMEM;
        goto done;
    }
    if (text) {
        /* Jansson has checked that the text is UTF-8. */
        rc = dp_doc_set_text(doc, json_string_value(text), len);
        if (rc != DP_OK)
            goto done;
        dp__doc_set_encoding(doc, "utf-8", 0);
        dp__doc_set_bytes(doc, len);
    } else {
        bool bad;
        size_t raw_len = 0;
        unsigned char *raw = base64_decode(json_string_value(b64), len, &raw_len, &bad);
        if (!raw && !bad) {
            rc = DP_ENOMEM;
            goto done;
        }
        if (!raw) {
            char msg[64];
            snprintf(msg, sizeof msg, "line %lu: \"bytes_b64\" is not base64", lineno);
            dp__doc_fail(doc, "input", msg);
            unsigned char *copy = dp_malloc(n + 1);
            if (!copy) {
                rc = DP_ENOMEM;
                goto done;
            }
            memcpy(copy, s, n);
            dp__doc_take_raw(doc, copy, n); /* the line, for a quarantine folder */
        } else {
            dp__doc_take_raw(doc, raw, raw_len);
        }
    }
    const char *key;
    json_t *value;
    json_t *meta = dp_doc_meta(doc);
    json_object_foreach(obj, key, value)
    {
        if (strcmp(key, "id") == 0 || strcmp(key, "text") == 0 ||
            strcmp(key, "bytes_b64") == 0 || strcmp(key, "mtime") == 0)
            continue;
        if (json_object_set(meta, key, value) != 0) {
            rc = DP_ENOMEM;
            goto done;
        }
    }
    /* Release the parsed line before the hand-over, so that the document
     * holds the only references to its id and metadata values and no JSON
     * value is shared with the thread that goes on reading (Jansson's
     * json_decref reads the count non-atomically before its atomic update;
     * ThreadSanitizer reports the sharing as a race). */
    json_decref(obj);
    obj = NULL;
    rc = dp__input_emit(c->sink, doc);
    doc = NULL;
done:
    dp__doc_free(doc);
    json_decref(id);
    json_decref(obj);
    return rc;
}

dp_status dp__input_read_jsonl(const dp__input_options_t *options, const char *path,
                               const dp__input_sink_t *sink)
{
    jsonl_ctx_t c = {options, sink, NULL};
    line_reader_t lr = {-1, NULL, READ_CHUNK, 0, 0, false, 0};
    dp_buf_t line = DP_BUF_INIT;
    dp_status rc = DP_OK;
    char *bundle = dp__input_bundle_name(path);
    if (!bundle)
        return DP_ENOMEM;
    c.bundle = bundle;
    lr.buf = dp_malloc(lr.cap);
    if (!lr.buf) {
        rc = DP_ENOMEM;
        goto done;
    }
    if (strcmp(path, "-") == 0) {
        lr.fd = 0;
    } else {
        lr.fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        struct stat st;
        if (lr.fd >= 0 && fstat(lr.fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            close(lr.fd);
            lr.fd = -1;
            errno = EISDIR;
        }
        if (lr.fd < 0) {
            rc = dp__input_emit_failed(sink, json_string(bundle), bundle, NULL, 0,
                                       "cannot open %s: %s", path, strerror(errno));
            goto end;
        }
    }
    unsigned long lineno = 0;
    for (;;) {
        bool too_long = false;
        dp_status mem = DP_OK;
        int got = next_line(&lr, &line, options->limits.max_entry_bytes * 4 / 3 + 1024,
                            &too_long, &mem);
        if (got == 0)
            break;
        if (got < 0) {
            if (mem != DP_OK) {
                rc = mem;
                goto done;
            }
            rc = dp__input_emit_failed(sink, json_string(bundle), bundle, NULL, 0,
                                       "read error after line %lu: %s", lineno,
                                       strerror(lr.error));
            break;
        }
        lineno++;
        if (too_long) {
            rc = fail_line(&c, lineno, NULL, "line exceeds max_entry_bytes", NULL, NULL, 0);
        } else {
            size_t n = line.len;
            while (n > 0 && (line.data[n - 1] == '\r' || line.data[n - 1] == ' ' ||
                             line.data[n - 1] == '\t'))
                n--;
            size_t s = 0;
            /* Files saved by Windows tools may start with a UTF-8 BOM. */
            if (lineno == 1 && n >= 3 && memcmp(line.data, "\xEF\xBB\xBF", 3) == 0)
                s = 3;
            while (s < n && (line.data[s] == ' ' || line.data[s] == '\t'))
                s++;
            if (s == n)
                continue; /* blank lines separate nothing: skipped */
            rc = read_line(&c, lineno, line.data + s, n - s);
        }
        if (rc != DP_OK)
            goto done;
    }
end:
    if (rc == DP_OK && sink->bundle_end && sink->bundle_end(sink->ctx, bundle))
        rc = DP_EINTR;
done:
    if (lr.fd > 0)
        close(lr.fd);
    dp_free(lr.buf);
    dp_buf_free(&line);
    dp_free(bundle);
    return rc;
}
