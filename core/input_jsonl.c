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
#include "docpipe/utf8.h"
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

/* ---- the text member, decoded outside Jansson ----------------------------
 *
 * Jansson reads a string a byte at a time through its stream layer (about
 * 90 MB/s), and a line is almost all "text". So the line's top level is
 * scanned here, the one long string decoded eight bytes at a time, and
 * Jansson parses the rest of the line with "" in that string's place: the
 * id and metadata keep Jansson's types, order and checks. The scan gives
 * up, and Jansson parses the line whole, at anything it does not follow or
 * that Jansson would reject in the string (an unknown escape, a lone
 * surrogate, a control character, invalid UTF-8), and whenever Jansson
 * rejects the shortened line, so that errors stay Jansson's to the column.
 * Jansson has no call for decoding one string token, hence this code. */

#define ONES ((uint64_t)0x0101010101010101ull)
#define HIGHS ((uint64_t)0x8080808080808080ull)

static bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r'; /* Jansson's white space */
}

static size_t skip_ws(const unsigned char *s, size_t i, size_t n)
{
    while (i < n && is_ws(s[i]))
        i++;
    return i;
}

/* s[i] is '"': the index just past the string's closing quote, or 0 when it
 * has none. Escapes are stepped over, not checked: Jansson checks them when
 * it parses the shortened line, and a string that is not one makes it fail. */
static size_t skip_string(const unsigned char *s, size_t i, size_t n)
{
    for (i++; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return i + 1;
    }
    return 0;
}

/* The index just past the value starting at s[i] (i < n), or 0 when it has
 * no end in s. Nested values are matched by counting brackets only; for a
 * line that Jansson accepts that finds the same end. */
static size_t skip_value(const unsigned char *s, size_t i, size_t n)
{
    if (s[i] == '"')
        return skip_string(s, i, n);
    if (s[i] == '{' || s[i] == '[') {
        size_t depth = 0;
        while (i < n) {
            unsigned char c = s[i];
            if (c == '"') {
                i = skip_string(s, i, n);
                if (!i)
                    return 0;
                continue;
            }
            if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (--depth == 0)
                    return i + 1;
            }
            i++;
        }
        return 0;
    }
    /* A number, true, false or null. */
    while (i < n && !is_ws(s[i]) && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != '"' &&
           s[i] != '{' && s[i] != '[' && s[i] != ':')
        i++;
    return i;
}

/* The high bit of each byte of w (eight bytes of the string) that needs a
 * look: '"', '\\', a control character or a byte of a UTF-8 sequence. Bytes
 * after a flagged one may be flagged wrongly (a borrow); the first flagged
 * byte is always right. */
static uint64_t special_bytes(uint64_t w)
{
    uint64_t ctl = (w - ONES * 0x20u) & ~w;
    uint64_t q = w ^ (ONES * (uint64_t)'"');
    uint64_t bs = w ^ (ONES * (uint64_t)'\\');
    q = (q - ONES) & ~q;
    bs = (bs - ONES) & ~bs;
    return (ctl | q | bs | w) & HIGHS;
}

/* How many bytes of the word at s come before its first flagged byte, given
 * its non-zero special_bytes m. */
static size_t before_special(const unsigned char *s, uint64_t m)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    (void)s;
    return (size_t)__builtin_ctzll(m) / 8u; /* the first byte in memory is the lowest */
#else
    (void)m;
    size_t k = 0;
    while (s[k] != '"' && s[k] != '\\' && s[k] >= 0x20 && s[k] < 0x80)
        k++;
    return k;
#endif
}

/* The value of the four hex digits at s[i..i+4), or -1. */
static long hex4(const unsigned char *s, size_t i, size_t n)
{
    if (n - i < 4)
        return -1;
    long v = 0;
    for (size_t k = i; k < i + 4; k++) {
        unsigned char c = s[k];
        long d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Decodes the JSON string whose opening quote is s[q] into out, which has
 * room for n - q bytes (the decoded string is never longer than its source
 * and out gets no terminating NUL). Returns the index just past the closing
 * quote with *out_len set, or 0 when Jansson would not decode the string as
 * it stands, as listed above (JSON_ALLOW_NUL: "\u0000" is a NUL byte). */
static size_t decode_string(const unsigned char *s, size_t q, size_t n, unsigned char *out,
                            size_t *out_len)
{
    size_t i = q + 1, o = 0;
    for (;;) {
        /* Eight bytes at a time up to the next byte that needs a look; out
         * keeps pace with s or lags behind it, so the stores fit. */
        while (n - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            memcpy(out + o, &w, 8);
            uint64_t m = special_bytes(w);
            if (m) {
                size_t k = before_special(s + i, m);
                i += k;
                o += k;
                break;
            }
            i += 8;
            o += 8;
        }
        if (i >= n)
            return 0; /* no closing quote */
        unsigned char c = s[i];
        if (c == '"')
            break;
        if (c < 0x20)
            return 0; /* Jansson's "control character" */
        if (c >= 0x80) {
            /* A run of non-ASCII bytes lies between ASCII ones, so it must
             * be whole UTF-8 sequences: Jansson's test of raw bytes (the
             * bytes an escape gives never join a raw sequence). */
            size_t j = i + 1;
            while (j < n && s[j] >= 0x80)
                j++;
            if (!dp_utf8_valid((const char *)s + i, j - i))
                return 0;
            memcpy(out + o, s + i, j - i);
            o += j - i;
            i = j;
            continue;
        }
        if (c != '\\') {
            out[o++] = c; /* flagged by a borrow, or the tail */
            i++;
            continue;
        }
        if (n - i < 2)
            return 0;
        unsigned char e = s[i + 1];
        i += 2;
        switch (e) {
        case '"':
        case '\\':
        case '/':
            out[o++] = e;
            continue;
        case 'b':
            out[o++] = '\b';
            continue;
        case 'f':
            out[o++] = '\f';
            continue;
        case 'n':
            out[o++] = '\n';
            continue;
        case 'r':
            out[o++] = '\r';
            continue;
        case 't':
            out[o++] = '\t';
            continue;
        case 'u':
            break;
        default:
            return 0;
        }
        long cp = hex4(s, i, n);
        if (cp < 0)
            return 0;
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            /* Only a pair with a low surrogate, as in Jansson. */
            if (n - i < 2 || s[i] != '\\' || s[i + 1] != 'u')
                return 0;
            long lo = hex4(s, i + 2, n);
            if (lo < 0xDC00 || lo > 0xDFFF)
                return 0;
            i += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return 0;
        }
        if (cp < 0x80) {
            out[o++] = (unsigned char)cp;
        } else if (cp < 0x800) {
            out[o++] = (unsigned char)(0xC0 | (cp >> 6));
            out[o++] = (unsigned char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out[o++] = (unsigned char)(0xE0 | (cp >> 12));
            out[o++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
            out[o++] = (unsigned char)(0x80 | (cp & 0x3F));
        } else {
            out[o++] = (unsigned char)(0xF0 | (cp >> 18));
            out[o++] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
            out[o++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
            out[o++] = (unsigned char)(0x80 | (cp & 0x3F));
        }
    }
    *out_len = o;
    return i + 1;
}

json_t *dp__jsonl_parse_line(const char *line, size_t n, dp_buf_t *scratch, json_error_t *err,
                             dp__jsonl_big_t *big)
{
    const unsigned char *s = (const unsigned char *)line;
    const size_t flags = JSON_DECODE_ANY | JSON_ALLOW_NUL;
    unsigned char *value = NULL;
    const char *key = NULL;
    size_t a = 0, b = 0, len = 0;
    big->key = NULL;
    big->value = NULL;
    big->len = 0;

    /* The top level: '{', then "key": value pairs up to '}'. Whatever
     * follows the '}' is left to Jansson. */
    size_t i = skip_ws(s, 0, n);
    if (i == n || s[i] != '{')
        goto whole;
    i = skip_ws(s, i + 1, n);
    if (i < n && s[i] == '}')
        goto whole;
    for (;;) {
        if (i >= n || s[i] != '"')
            goto whole;
        size_t k0 = i + 1, k1 = k0;
        while (k1 < n && s[k1] != '"' && s[k1] != '\\')
            k1++;
        if (k1 >= n || s[k1] != '"')
            goto whole; /* an escaped key could spell "text" */
        const char *name = NULL;
        if (k1 - k0 == 4 && memcmp(s + k0, "text", 4) == 0)
            name = "text";
        else if (k1 - k0 == 9 && memcmp(s + k0, "bytes_b64", 9) == 0)
            name = "bytes_b64";
        i = skip_ws(s, k1 + 1, n);
        if (i >= n || s[i] != ':')
            goto whole;
        i = skip_ws(s, i + 1, n);
        if (i >= n)
            goto whole;
        if (name) {
            /* Twice, both keys, or not a string: Jansson's answer, whole. */
            if (key || s[i] != '"')
                goto whole;
            value = dp_malloc(n - i);
            if (!value)
                goto whole;
            a = i;
            b = decode_string(s, i, n, value, &len);
            if (!b)
                goto whole;
            value[len] = '\0';
            key = name;
            i = b;
        } else {
            i = skip_value(s, i, n);
            if (!i)
                goto whole;
        }
        i = skip_ws(s, i, n);
        if (i < n && s[i] == ',') {
            i = skip_ws(s, i + 1, n);
            continue;
        }
        if (i < n && s[i] == '}')
            break;
        goto whole;
    }
    if (!key)
        goto whole;

    dp_buf_clear(scratch);
    if (dp_buf_append(scratch, s, a) != DP_OK || dp_buf_append(scratch, "\"\"", 2) != DP_OK ||
        dp_buf_append(scratch, s + b, n - b) != DP_OK)
        goto whole;
    json_t *obj = json_loadb(scratch->data, scratch->len, flags, err);
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (!json_is_string(v) || json_string_length(v) != 0) {
        /* Rejected: Jansson says why, in the line's own columns. */
        json_decref(obj);
        goto whole;
    }
    big->key = key;
    big->value = (char *)value;
    big->len = len;
    return obj;

whole:
    dp_free(value);
    return json_loadb(line, n, flags, err);
}

typedef struct jsonl_ctx {
    const dp__input_options_t *opt;
    const dp__input_sink_t *sink;
    const char *bundle;
    dp_buf_t scratch; /* dp__jsonl_parse_line's working space */
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
    dp__jsonl_big_t big;
    json_t *obj = dp__jsonl_parse_line(s, n, &c->scratch, &err, &big);
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
    /* The string, decoded by Jansson or (big.key) by dp__jsonl_parse_line,
     * which left "" in its place. */
    const char *str = big.key ? big.value : json_string_value(text ? text : b64);
    size_t len = big.key ? big.len : json_string_length(text ? text : b64);
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
        /* The text is UTF-8 (checked by Jansson or dp__jsonl_parse_line). A
         * decoded text is handed over as it is, not copied. */
        if (big.key) {
            rc = dp__doc_take_valid_text(doc, big.value, len);
            big.value = NULL; /* the document's now, also on failure */
        } else {
            rc = dp_doc_set_text(doc, str, len);
        }
        if (rc != DP_OK)
            goto done;
        dp__doc_set_encoding(doc, "utf-8", 0);
        dp__doc_set_bytes(doc, len);
    } else {
        bool bad;
        size_t raw_len = 0;
        unsigned char *raw = base64_decode(str, len, &raw_len, &bad);
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
    dp_free(big.value);
    return rc;
}

dp_status dp__input_read_jsonl(const dp__input_options_t *options, const char *path,
                               const dp__input_sink_t *sink)
{
    jsonl_ctx_t c = {options, sink, NULL, DP_BUF_INIT};
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
    dp_buf_free(&c.scratch);
    dp_free(bundle);
    return rc;
}
