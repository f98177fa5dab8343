/* The exported document of DESIGN.md (JSON, format version 1) written by a
 * streaming encoder: the text and the span arrays, which can be tens of
 * megabytes and millions of spans, go straight into the output buffer
 * without a json_t per span; metadata, attributes and results are walked
 * from their json_t. Also the offset map that turns the document's byte
 * offsets into code points or UTF-16 units in constant time. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "docpipe/alloc.h"
#include "export.h"

/* ---- offsets ---------------------------------------------------------------- */

#define BLOCK_SHIFT 6u
#define BLOCK_SIZE ((size_t)1 << BLOCK_SHIFT)

/* Units that the bytes s[0..n) hold: one per code point (every byte that is
 * not a continuation byte), plus one more per 4-byte sequence in UTF-16
 * (a surrogate pair). */
static size_t count_units(const unsigned char *s, size_t n, ex_unit_t unit)
{
    size_t c = 0;
    if (unit == EX_UNIT_UTF16) {
        for (size_t i = 0; i < n; i++)
            c += (size_t)((s[i] & 0xC0u) != 0x80u) + (size_t)(s[i] >= 0xF0u);
    } else {
        for (size_t i = 0; i < n; i++)
            c += (size_t)((s[i] & 0xC0u) != 0x80u);
    }
    return c;
}

static bool all_ascii(const unsigned char *s, size_t n)
{
    size_t i = 0;
    uint64_t acc = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        acc |= w;
        /* Look now and then, so that a non-ASCII text stops early. */
        if ((i & 4095u) == 0 && (acc & UINT64_C(0x8080808080808080)) != 0)
            return false;
    }
    for (; i < n; i++)
        acc |= s[i];
    return (acc & UINT64_C(0x8080808080808080)) == 0;
}

dp_status ex_offmap_build(ex_offmap_t *map, const char *text, size_t len, ex_unit_t unit)
{
    map->text = (const unsigned char *)text;
    map->len = len;
    map->unit = unit;
    map->identity = unit == EX_UNIT_BYTES || all_ascii(map->text, len);
    if (map->identity)
        return DP_OK;
    size_t blocks = (len >> BLOCK_SHIFT) + 1;
    if (blocks > map->cap) {
        size_t *grown = dp_realloc(map->block, blocks * sizeof *grown);
        if (grown == NULL)
            return DP_ENOMEM;
        map->block = grown;
        map->cap = blocks;
    }
    size_t total = 0;
    for (size_t k = 0; k < blocks; k++) {
        map->block[k] = total;
        size_t from = k << BLOCK_SHIFT;
        size_t n = len - from < BLOCK_SIZE ? len - from : BLOCK_SIZE;
        total += count_units(map->text + from, n, unit);
    }
    return DP_OK;
}

size_t ex_offmap_get(const ex_offmap_t *map, size_t byte_offset)
{
    if (map->identity)
        return byte_offset;
    if (byte_offset > map->len)
        byte_offset = map->len;
    size_t k = byte_offset >> BLOCK_SHIFT;
    size_t from = k << BLOCK_SHIFT;
    return map->block[k] + count_units(map->text + from, byte_offset - from, map->unit);
}

void ex_offmap_free(ex_offmap_t *map)
{
    dp_free(map->block);
    memset(map, 0, sizeof *map);
}

/* ---- strings and values ----------------------------------------------------- */

/* 1 for the bytes that a JSON string cannot hold as they are. */
static const unsigned char needs_escape[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
};

/* The string encoder runs over every document's whole text, so it looks at
 * eight bytes at a time (SWAR) and copies the clean runs between escapes
 * with one memcpy straight into the output buffer. */
#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* The high bit of a byte is set in the result where that byte of w is
 * below 0x20, '"' or '\\'. The classic "has a byte less than n" test:
 * subtracting borrows only towards higher bytes, so the lowest flagged byte
 * is always a real one (the bytes above it may be flagged wrongly, which
 * the caller never looks at). Bytes >= 0x80 are never flagged (~w clears
 * their high bit), so UTF-8 passes through. */
static uint64_t escape_mask(uint64_t w)
{
    uint64_t ctl = (w - ONES * 0x20u) & ~w;
    uint64_t q = w ^ (ONES * (uint64_t)'"');
    uint64_t bs = w ^ (ONES * (uint64_t)'\\');
    q = (q - ONES) & ~q;
    bs = (bs - ONES) & ~bs;
    return (ctl | q | bs) & HIGHS;
}

/* How many bytes of the word at s come before its first escape, given its
 * non-zero escape_mask m. */
static size_t clean_prefix(const unsigned char *s, uint64_t m)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    (void)s;
    return (size_t)__builtin_ctzll(m) / 8u; /* the first byte in memory is the lowest */
#else
    /* Elsewhere the lowest flagged byte is not the first in memory: look. */
    (void)m;
    size_t k = 0;
    while (!needs_escape[s[k]])
        k++;
    return k;
#endif
}

/* Writes the escape of c (one that needs_escape marks) at d; returns the
 * new end (at most 6 bytes further). */
static char *put_escape(char *d, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    d[0] = '\\';
    switch (c) {
    case '"': d[1] = '"'; return d + 2;
    case '\\': d[1] = '\\'; return d + 2;
    case '\n': d[1] = 'n'; return d + 2;
    case '\r': d[1] = 'r'; return d + 2;
    case '\t': d[1] = 't'; return d + 2;
    case '\b': d[1] = 'b'; return d + 2;
    case '\f': d[1] = 'f'; return d + 2;
    default:
        d[1] = 'u';
        d[2] = '0';
        d[3] = '0';
        d[4] = hex[c >> 4];
        d[5] = hex[c & 15u];
        return d + 6;
    }
}

/* Input bytes encoded per round: the room reserved for a round (every byte
 * may grow to six) stays small beside the output's drain size. */
#define ESCAPE_CHUNK ((size_t)8192)

dp_status ex_json_string(ex_out_t *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    dp_status rc = DP_OK;
    do {
        size_t end = i + (len - i < ESCAPE_CHUNK ? len - i : ESCAPE_CHUNK);
        /* Worst case: six bytes per input byte, and both quotes. */
        char *d = ex_out_reserve(out, 6 * (end - i) + 2);
        if (d == NULL)
            return out->err;
        char *const begin = d;
        if (i == 0)
            *d++ = '"';
        while (i < end) {
            /* Whole words are stored as they are looked at (the room
             * reserved covers a full word), so a clean run is read once. */
            size_t k = 8;
            while (i + 8 <= end) {
                uint64_t w;
                memcpy(&w, p + i, 8);
                memcpy(d, &w, 8);
                uint64_t m = escape_mask(w);
                if (m != 0) {
                    k = clean_prefix(p + i, m);
                    d += k;
                    i += k;
                    break;
                }
                d += 8;
                i += 8;
            }
            if (k == 8) {
                /* Fewer than eight bytes left in this round. */
                while (i < end && !needs_escape[p[i]])
                    *d++ = (char)p[i++];
                if (i == end)
                    break;
            }
            d = put_escape(d, p[i++]);
        }
        if (i == len)
            *d++ = '"';
        rc = ex_out_advance(out, (size_t)(d - begin));
    } while (i < len && rc == DP_OK);
    return rc;
}

dp_status ex_json_cstring(ex_out_t *out, const char *s)
{
    return ex_json_string(out, s, strlen(s));
}

/* The shortest of %.15g, %.16g, %.17g that reads back as the same double:
 * 0.41 stays "0.41" where Jansson's fixed 17 digits give
 * "0.40999999999999998". A real always shows a "." or an exponent, so it
 * reads back as a real. */
static dp_status write_real(ex_out_t *out, double v)
{
    char buf[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        for (char *p = buf; *p != '\0'; p++)
            if (*p == ',')
                *p = '.'; /* a locale with a decimal comma */
        if (strtod(buf, NULL) == v)
            break;
    }
    size_t n = strlen(buf);
    if (strpbrk(buf, ".eE") == NULL && n + 3 <= sizeof buf)
        memcpy(buf + n, ".0", 3);
    return ex_out_puts(out, buf);
}

static dp_status write_u64(ex_out_t *out, uint64_t v)
{
    char buf[24];
    size_t i = sizeof buf;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    return ex_out_write(out, buf + i, sizeof buf - i);
}

static dp_status write_object(ex_out_t *out, const json_t *value)
{
    const char *key;
    json_t *item;
    bool first = true;
    dp_status rc = ex_out_putc(out, '{');
    json_object_foreach((json_t *)value, key, item) {
        if (rc != DP_OK)
            break;
        if (!first)
            rc = ex_out_putc(out, ',');
        first = false;
        if (rc == DP_OK)
            rc = ex_json_cstring(out, key);
        if (rc == DP_OK)
            rc = ex_out_putc(out, ':');
        if (rc == DP_OK)
            rc = ex_json_value(out, item);
    }
    return rc != DP_OK ? rc : ex_out_putc(out, '}');
}

dp_status ex_json_value(ex_out_t *out, const json_t *value)
{
    dp_status rc = DP_OK;
    switch (json_typeof(value)) {
    case JSON_OBJECT:
        return write_object(out, value);
    case JSON_ARRAY:
        rc = ex_out_putc(out, '[');
        for (size_t i = 0; i < json_array_size(value) && rc == DP_OK; i++) {
            if (i > 0)
                rc = ex_out_putc(out, ',');
            if (rc == DP_OK)
                rc = ex_json_value(out, json_array_get(value, i));
        }
        return rc != DP_OK ? rc : ex_out_putc(out, ']');
    case JSON_STRING:
        return ex_json_string(out, json_string_value(value), json_string_length(value));
    case JSON_INTEGER:
        return ex_out_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(value));
    case JSON_REAL:
        return write_real(out, json_real_value(value));
    case JSON_TRUE:
        return ex_out_puts(out, "true");
    case JSON_FALSE:
        return ex_out_puts(out, "false");
    case JSON_NULL:
    default:
        return ex_out_puts(out, "null");
    }
}

void ex_iso_time(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, 32, "%" PRId64, t);
}

/* ---- the document ----------------------------------------------------------- */

/* The document's opening up to the id, one constant per unit. */
static const char *document_head(ex_unit_t unit)
{
    return unit == EX_UNIT_BYTES   ? "{\"format\":1,\"offsets\":\"bytes\",\"id\":"
           : unit == EX_UNIT_UTF16 ? "{\"format\":1,\"offsets\":\"utf16\",\"id\":"
                                   : "{\"format\":1,\"offsets\":\"codepoints\",\"id\":";
}

/* True when one of the exported layers has a span: only then are offsets
 * converted, so the offset map (a pass over the whole text) is built for
 * those documents alone. */
static bool has_spans(dp_doc_t *doc, const json_t *layers)
{
    for (size_t i = 0; i < json_array_size(layers); i++) {
        const char *name = json_string_value(json_array_get(layers, i));
        const dp_layer_t *layer = name != NULL ? dp_doc_layer(doc, name) : NULL;
        if (layer != NULL && dp_layer_count(layer) > 0)
            return true;
    }
    return false;
}

static dp_status write_source(ex_out_t *out, const dp_source_t *src)
{
    dp_status rc = ex_out_puts(out, "\"source\":{\"bundle\":");
    if (rc == DP_OK)
        rc = ex_json_cstring(out, src->bundle != NULL ? src->bundle : "");
    if (rc == DP_OK && src->entry != NULL) {
        rc = ex_out_puts(out, ",\"entry\":");
        if (rc == DP_OK)
            rc = ex_json_cstring(out, src->entry);
    }
    if (rc == DP_OK)
        rc = ex_out_puts(out, ",\"bytes\":");
    if (rc == DP_OK)
        rc = write_u64(out, src->bytes);
    if (rc == DP_OK && src->encoding != NULL) {
        rc = ex_out_puts(out, ",\"encoding\":");
        if (rc == DP_OK)
            rc = ex_json_cstring(out, src->encoding);
    }
    if (rc == DP_OK && src->repaired_bytes > 0) {
        rc = ex_out_puts(out, ",\"repaired_bytes\":");
        if (rc == DP_OK)
            rc = write_u64(out, src->repaired_bytes);
    }
    if (rc == DP_OK && src->mtime != 0) {
        char iso[32];
        ex_iso_time(src->mtime, iso);
        rc = ex_out_puts(out, ",\"mtime\":\"");
        if (rc == DP_OK)
            rc = ex_out_puts(out, iso);
        if (rc == DP_OK)
            rc = ex_out_putc(out, '"');
    }
    if (rc == DP_OK)
        rc = ex_out_putc(out, '}');
    return rc;
}

/* Appends the decimal digits of v at p; returns the new end. */
static char *put_u64(char *p, uint64_t v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0)
        *p++ = tmp[--n];
    return p;
}

/* True when a label can be written between quotes as it is. */
static bool plain_label(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (needs_escape[(unsigned char)s[i]])
            return false;
    return true;
}

static dp_status write_spans(ex_out_t *out, const dp_layer_t *layer, const ex_offmap_t *map)
{
    const dp_span_t *spans = dp_layer_spans(layer);
    size_t n = dp_layer_count(layer);
    dp_status rc = ex_out_putc(out, '[');
    /* A token layer is millions of spans: each one is formatted into a
     * small buffer and appended with one call. */
    char buf[160];
    for (size_t i = 0; i < n && rc == DP_OK; i++) {
        const dp_span_t *sp = &spans[i];
        char *p = buf;
        if (i > 0)
            *p++ = ',';
        memcpy(p, "{\"start\":", 9);
        p = put_u64(p + 9, ex_offmap_get(map, sp->start));
        memcpy(p, ",\"end\":", 7);
        p = put_u64(p + 7, ex_offmap_get(map, sp->end));
        size_t label_len = sp->label != NULL ? strlen(sp->label) : 0;
        bool inline_label = sp->label != NULL && label_len <= 64 && plain_label(sp->label, label_len);
        if (inline_label) {
            memcpy(p, ",\"label\":\"", 10);
            memcpy(p + 10, sp->label, label_len);
            p += 10 + label_len;
            *p++ = '"';
        }
        rc = ex_out_write(out, buf, (size_t)(p - buf));
        if (rc == DP_OK && sp->label != NULL && !inline_label) {
            rc = ex_out_puts(out, ",\"label\":");
            if (rc == DP_OK)
                rc = ex_json_cstring(out, sp->label);
        }
        if (rc == DP_OK && sp->attrs != NULL) {
            rc = ex_out_puts(out, ",\"attrs\":");
            if (rc == DP_OK)
                rc = ex_json_value(out, sp->attrs);
        }
        if (rc == DP_OK)
            rc = ex_out_putc(out, '}');
    }
    if (rc == DP_OK)
        rc = ex_out_putc(out, ']');
    return rc;
}

dp_status ex_json_document(ex_out_t *out, dp_doc_t *doc, ex_offmap_t *map, ex_unit_t unit,
                           const json_t *layers)
{
    size_t len;
    const char *text = dp_doc_text(doc, &len);
    dp_status rc;
    if (has_spans(doc, layers)) {
        /* Built before anything is written, so that a failure leaves no
         * half document in the output. */
        rc = ex_offmap_build(map, text, len, unit);
        if (rc != DP_OK)
            return ex_fail(out->st, rc, "out of memory for the offsets of a %zu-byte text", len);
    }
    rc = ex_out_puts(out, document_head(unit));
    if (rc == DP_OK)
        rc = ex_json_value(out, dp_doc_id_json(doc));
    if (rc == DP_OK)
        rc = ex_out_putc(out, ',');
    if (rc == DP_OK)
        rc = write_source(out, dp_doc_source(doc));
    if (rc == DP_OK)
        rc = ex_out_puts(out, ",\"meta\":");
    if (rc == DP_OK) {
        const json_t *meta = dp_doc_meta(doc);
        /* Most documents have no metadata: skip the walk. */
        rc = json_is_object(meta) && json_object_size(meta) > 0 ? ex_json_value(out, meta)
                                                                 : ex_out_puts(out, "{}");
    }
    if (rc == DP_OK)
        rc = ex_out_puts(out, ",\"text\":");
    if (rc == DP_OK)
        rc = ex_json_string(out, text, len);
    if (rc == DP_OK)
        rc = ex_out_puts(out, ",\"annotations\":{");
    bool first = true;
    for (size_t i = 0; i < json_array_size(layers) && rc == DP_OK; i++) {
        const char *name = json_string_value(json_array_get(layers, i));
        const dp_layer_t *layer = name != NULL ? dp_doc_layer(doc, name) : NULL;
        if (layer == NULL)
            continue;
        if (!first)
            rc = ex_out_putc(out, ',');
        first = false;
        if (rc == DP_OK)
            rc = ex_json_cstring(out, name);
        if (rc == DP_OK)
            rc = ex_out_putc(out, ':');
        if (rc == DP_OK)
            rc = write_spans(out, layer, map);
    }
    if (rc == DP_OK)
        rc = ex_out_putc(out, '}');
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)dp_doc_results(doc), key, value) {
        if (rc != DP_OK)
            break;
        rc = ex_out_putc(out, ',');
        if (rc == DP_OK)
            rc = ex_json_cstring(out, key);
        if (rc == DP_OK)
            rc = ex_out_putc(out, ':');
        if (rc == DP_OK)
            rc = ex_json_value(out, value);
    }
    if (rc == DP_OK)
        rc = ex_out_putc(out, '}');
    return rc;
}
